#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# l2tpkd LAC <-> l2tpkd LNS over IPv6 (the LNS listening on "*:1701", both families): a
# tunnel between fd00::1 and fd00::2 carries two sessions whose PPP links pass ping, the
# kernel holds an IPv6 tunnel agreeing with l2tpctl; l2tpctl monitor on the LNS reports the
# events as they happen; clearing the tunnel leaves nothing behind.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"

vm_netns_pair

cat >"$SCRATCH/lns.options" <<OPT
noauth
nodefaultroute
OPT
cat >"$SCRATCH/lac.options" <<OPT
noauth
noipdefault
ipcp-accept-local
nodefaultroute
OPT
cat >"$SCRATCH/lns.conf" <<CONF
[global]
host-name = lns6
listen = *:1701
[lns]
local-ip = 10.1.0.1
ip-pool = 10.1.0.60-10.1.0.69
pppd-options = $SCRATCH/lns.options
CONF
cat >"$SCRATCH/lac.conf" <<CONF
[global]
host-name = lac6
listen = [fd00::1]:1701
[lns]
accept = no
[peer lns6]
address = [fd00::2]:1701
pppd-options = $SCRATCH/lac.options
CONF

l2tpkd_start lns
l2tpkd_start lac
spawn monitor in_lns "$BUILD/l2tpctl" -j -s "$SCRATCH/lns.sock" monitor
sleep 1

assert "session add 1" ctl lac session add peer lns6
assert "session add 2" ctl lac session add peer lns6
wait_for 60 "2 PPP links up in lac" ppp_links_is lac 2
wait_for 30 "2 PPP links up in lns" ppp_links_is lns 2
ctl lac tunnel show
assert "the tunnel runs between the IPv6 addresses" \
	test "$(ctl_json lns tunnel show | jget 'j[0]["peer_address"]')" = fd00::1
assert "the kernel's tunnel is IPv6" bash -c "ip netns exec lns ip l2tp show tunnel | grep -q 'From fd00::2 to fd00::1'"
assert_kernel_agrees lns
assert_kernel_agrees lac
for ifc in $(ppp_ifaces lac); do
	wait_for 30 "$ifc has an address" ppp_iface_addr lac "$ifc"
	assert "ping over $ifc" in_lac ping -c 3 -W 2 -I "$ifc" 10.1.0.1
	# The path's MTU less IPv6, UDP, the fullest L2TP data header and PPP's (66).
	assert "$ifc's MTU fits the IPv6 path" test "$(iface_mtu lac "$ifc")" -eq $(($(iface_mtu lac to-lns) - 66))
done

# A second tunnel to the same LNS gets a source port of its own: the kernel tells the two
# tunnels' data apart by their sockets (before 6.11), which one address pair cannot do.
first=$(ctl_tunnels lac)
second=$(ctl lac tunnel add peer lns6 | awk '{ print $2 }')
assert "a second tunnel opened ($second)" test -n "$second" -a "$second" != "$first"
wait_for 30 "two tunnels established in lac" test_tunnels_is lac 2
assert "session add on tunnel $second" ctl lac session add peer lns6 tunnel "$second"
wait_for 60 "3 PPP links up in lac" ppp_links_is lac 3
wait_for 30 "3 PPP links up in lns" ppp_links_is lns 3
ports=$(ctl_json lac tunnel show | jget '" ".join(sorted(str(t["local_port"]) for t in j))')
log "the LAC's tunnel ports: $ports"
assert "the tunnels use two source ports" test "$(tr ' ' '\n' <<<"$ports" | sort -u | wc -l)" -eq 2
assert_kernel_agrees lac
assert_kernel_agrees lns
for ifc in $(ppp_ifaces lac); do
	wait_for 30 "$ifc has an address" ppp_iface_addr lac "$ifc"
	assert "ping over $ifc" in_lac ping -c 3 -W 2 -I "$ifc" 10.1.0.1
done
assert "LAC clears tunnel $second" ctl lac tunnel del "$second"
wait_for 30 "2 PPP links left in lac" ppp_links_is lac 2

tid=$(ctl_tunnels lac)
assert "LAC clears tunnel $tid" ctl lac tunnel del "$tid"
assert_clean lac
assert_clean lns
sleep 1
stop monitor
cat "$SCRATCH/monitor.log"
# One JSON object a line; what happened, in order.
events=$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["event"] for l in open(sys.argv[1]) if l.strip()))' "$SCRATCH/monitor.log")
log "monitor saw: $events"
for ev in tunnel-up session-up ppp-up session-down tunnel-down; do
	assert "monitor reported $ev" bash -c "grep -qw -- '$ev' <<<'$events'"
done
log "ipv6: ok"
