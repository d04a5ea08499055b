#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# l2tpkd LAC <-> l2tpkd LNS over the kernel data path: one tunnel (with tunnel
# authentication) carrying three sessions, each a PPP link that passes ping both ways, the
# kernel agreeing with l2tpctl on both sides; then a session cleared from each side, the
# tunnel cleared from each side, and nothing left behind.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"

vm_netns_pair

pair_confs pair-secret

l2tpkd_start lns
l2tpkd_start lac
# The fewest over a second: l2tpkd_start's l2tpctl connections may not be closed yet.
settled_fds() {
	local n m i
	n=$(daemon_fds "$1")
	for i in 1 2 3 4; do
		sleep 0.25
		m=$(daemon_fds "$1")
		[ "$m" -lt "$n" ] && n=$m
	done
	echo "$n"
}
fds_lns=$(settled_fds lns)
fds_lac=$(settled_fds lac)

# Three calls from the LAC: the first opens the tunnel, the others share it.
for i in 1 2 3; do
	assert "session add $i" ctl lac session add peer lns
done
wait_for 60 "3 PPP links up in lac" ppp_links_is lac 3
wait_for 60 "3 PPP links up in lns" ppp_links_is lns 3
for ifc in $(ppp_ifaces lac); do
	wait_for 30 "$ifc has an address" ppp_iface_addr lac "$ifc"
done
assert "one tunnel on each side" test "$(ctl_tunnels lac | wc -l)" -eq 1 -a "$(ctl_tunnels lns | wc -l)" -eq 1
ctl lac tunnel show
ctl lns session show
assert_kernel_agrees lac
assert_kernel_agrees lns

# pppd is given an MTU that fits the tunnel's path: the veth's less IPv4, UDP, the fullest
# L2TP data header and PPP's (46), so that no full-size frame leaves in two fragments.
want_mtu=$(($(iface_mtu lac to-lns) - 46))
for ns in lac lns; do
	for ifc in $(ppp_ifaces "$ns"); do
		assert "$ns: $ifc's MTU is $want_mtu" test "$(iface_mtu "$ns" "$ifc")" -eq "$want_mtu"
	done
done

# Ping over each PPP link, from both ends.
for ifc in $(ppp_ifaces lac); do
	addr=$(ppp_iface_addr lac "$ifc")
	assert "ping lac -> lns over $ifc" in_lac ping -c 3 -W 2 -I "$ifc" 10.1.0.1
	check_ping lns "$addr" 3
done
ctl lns stats

# Reload: a good configuration is taken, a bad one refused with its errors, the old one kept.
cp "$SCRATCH/lns.conf" "$SCRATCH/lns.conf.good"
sed -i "s/^ip-pool = .*/&\nmax-sessions = 100/" "$SCRATCH/lns.conf"
assert "l2tpctl reload takes a good configuration" ctl lns reload
printf '[lns]\nmax-tunnels = lots\n' >>"$SCRATCH/lns.conf"
if ctl lns reload 2>"$SCRATCH/reload.err"; then
	die "a configuration with errors was taken"
fi
cat "$SCRATCH/reload.err"
assert "the refusal names the file" grep -q "lns.conf" "$SCRATCH/reload.err"
assert "the log has the error line" grep -q "lns.conf:[0-9]*: " "$SCRATCH/l2tpkd-lns.log"
cp "$SCRATCH/lns.conf.good" "$SCRATCH/lns.conf"
assert "the sessions survived both reloads" test "$(ctl_sessions lns | wc -l)" -eq 3

# A session cleared by the LAC, then one by the LNS.
first=$(ctl_sessions lac | head -n 1)
assert "LAC clears session $first" ctl lac session del tunnel "${first%/*}" session "${first#*/}"
wait_for 30 "2 PPP links left in lac" ppp_links_is lac 2
wait_for 30 "2 PPP links left in lns" ppp_links_is lns 2
wait_for 30 "2 sessions in the lns kernel" kernel_sessions_is lns 2
wait_for 30 "2 pppd in lac" pppd_is lac 2
second=$(ctl_sessions lns | head -n 1)
assert "LNS clears session $second" ctl lns session del tunnel "${second%/*}" session "${second#*/}"
wait_for 30 "1 PPP link left in lac" ppp_links_is lac 1
wait_for 30 "1 PPP link left in lns" ppp_links_is lns 1
wait_for 30 "1 pppd in lns" pppd_is lns 1
assert_kernel_agrees lac
assert_kernel_agrees lns
ifc=$(ppp_ifaces lac)
assert "the last session still passes ping" in_lac ping -c 3 -W 2 -I "$ifc" 10.1.0.1

# The tunnel cleared by the LAC: everything goes on both sides.
tid=$(ctl_tunnels lac)
assert "LAC clears tunnel $tid" ctl lac tunnel del "$tid"
assert_clean lac
assert_clean lns

# A new tunnel with one session, cleared by the LNS.
assert "session add after the teardown" ctl lac session add peer lns
wait_for 60 "PPP up again in lac" ppp_links_is lac 1
wait_for 30 "PPP up again in lns" ppp_links_is lns 1
ifc=$(ppp_ifaces lac)
wait_for 30 "$ifc has an address" ppp_iface_addr lac "$ifc"
assert "ping over the new tunnel" in_lac ping -c 3 -W 2 -I "$ifc" 10.1.0.1
tid=$(ctl_tunnels lns)
assert "LNS clears tunnel $tid" ctl lns tunnel del "$tid"
assert_clean lac
assert_clean lns
# No descriptor leaked: each side holds what it held at the start plus one socket per tunnel
# it still lists (a cleared tunnel stays "closing" for one retransmission cycle), and the fd
# vault's socket pairs, at most one a tunnel (only tunnels are left to keep).
# (Polled: the daemon closes an l2tpctl connection when it reads its end, a moment later.)
fds_settled() {
	local base=fds_$1 tunnels vault
	tunnels=$(ctl_tunnel_count "$1")
	vault=$(daemon_vault_fds "$1")
	[ "$vault" -le "$((2 * tunnels))" ] &&
		[ "$(daemon_fds "$1")" -eq "$((${!base} + tunnels + vault))" ]
}
for ns in lns lac; do
	wait_for 10 "$ns: no file descriptor leaked" fds_settled "$ns"
done
assert "both daemons still run" running l2tpkd-lac
assert "" running l2tpkd-lns
log "pair: ok"
