#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The test bed's self-test, with nothing of ours in it: two xl2tpd (Debian's 1.3.18), LAC and
# LNS in their own network namespaces, bring up one PPP session over the kernel's L2TP data
# path, PPP traffic passes both ways, and a disconnect from the LAC removes the interfaces,
# the kernel session and the kernel tunnel on both sides. If this fails, the bed is broken
# (kernel modules, /dev/ppp, pppd's pppol2tp plugin, namespaces), not l2tpkd.
. "$TOP/tests/vm/lib.sh"

vm_netns_pair

# pppd reads /etc/ppp/options first (Debian's says "auth"); "noauth" undoes it for the bed.
# "lcp-restart 1": the side that hangs up last waits for its LCP TermReq to time out.
cat >"$SCRATCH/lns.ppp" <<EOF
noauth
noccp
lcp-restart 1
nodefaultroute
debug
logfile $SCRATCH/lns-pppd.log
EOF
cat >"$SCRATCH/lac.ppp" <<EOF
noauth
noccp
lcp-restart 1
nodefaultroute
noipdefault
ipcp-accept-local
ipcp-accept-remote
debug
logfile $SCRATCH/lac-pppd.log
EOF
cat >"$SCRATCH/lns.conf" <<EOF
[global]
listen-addr = 10.0.0.2
port = 1701
auth file = $SCRATCH/l2tp-secrets
[lns default]
local ip = 10.1.0.1
ip range = 10.1.0.2-10.1.0.2
require authentication = no
hostname = bed-lns
pppoptfile = $SCRATCH/lns.ppp
length bit = yes
EOF
cat >"$SCRATCH/lac.conf" <<EOF
[global]
listen-addr = 10.0.0.1
port = 1701
auth file = $SCRATCH/l2tp-secrets
[lac bed]
lns = 10.0.0.2
require authentication = no
hostname = bed-lac
pppoptfile = $SCRATCH/lac.ppp
length bit = yes
autodial = no
redial = no
EOF
: >"$SCRATCH/l2tp-secrets"

for role in lns lac; do
	spawn "$role-xl2tpd" in_ns "$role" xl2tpd -D -c "$SCRATCH/$role.conf" \
		-p "$SCRATCH/$role-xl2tpd.pid" -C "$SCRATCH/$role.ctl"
done
wait_for 20 "both xl2tpd listening on their control FIFOs" \
	test -p "$SCRATCH/lns.ctl" -a -p "$SCRATCH/lac.ctl"
for role in lns lac; do
	assert "$role xl2tpd uses the kernel data path" \
		grep -q 'Using l2tp kernel support' "$SCRATCH/$role-xl2tpd.log"
done

echo "c bed" >"$SCRATCH/lac.ctl"

# ppp_up NS LOCAL PEER: NS has exactly one PPP interface, addressed LOCAL with peer PEER.
ppp_up() {
	local ifs
	ifs=$(ppp_ifaces "$1")
	[ "$(echo "$ifs" | grep -c .)" -eq 1 ] &&
		[ "$(ppp_iface_addr "$1" "$ifs")" = "$2" ] &&
		[ "$(ppp_iface_peer "$1" "$ifs")" = "$3" ]
}
wait_for 60 "PPP up in the LNS (10.1.0.1, peer 10.1.0.2)" ppp_up lns 10.1.0.1 10.1.0.2
wait_for 20 "PPP up in the LAC (10.1.0.2, peer 10.1.0.1)" ppp_up lac 10.1.0.2 10.1.0.1

# count_l2tp NS tunnel|session: how many the kernel holds in NS. xl2tpd's tunnel socket (a
# PPPoL2TP socket connected with session ID 0, which makes the kernel create the tunnel) shows
# as "Session 0"; it carries no PPP and is not counted.
count_l2tp() {
	in_ns "$1" ip l2tp show "$2" | grep -E "^${2^} " | grep -vc '^Session 0 ' || true
}
for ns in lns lac; do
	in_ns "$ns" ip l2tp show tunnel | sed "s/^/$ns: /"
	in_ns "$ns" ip l2tp show session | sed "s/^/$ns: /"
	assert "$ns: the kernel holds one L2TP tunnel" [ "$(count_l2tp "$ns" tunnel)" -eq 1 ]
	assert "$ns: the kernel holds one L2TP session" [ "$(count_l2tp "$ns" session)" -eq 1 ]
done
assert "the LNS tunnel is UDP from 10.0.0.2 to 10.0.0.1" \
	bash -c "ip netns exec lns ip l2tp show tunnel | grep -q 'From 10.0.0.2 to 10.0.0.1'"

lns_if=$(ppp_ifaces lns)
rx_before=$(in_lns cat "/sys/class/net/$lns_if/statistics/rx_packets")
check_ping lac 10.1.0.1 5
check_ping lns 10.1.0.2 5
rx_after=$(in_lns cat "/sys/class/net/$lns_if/statistics/rx_packets")
assert "the LNS's $lns_if received the LAC's 5 echo requests and 5 replies" \
	[ $((rx_after - rx_before)) -ge 10 ]

echo "d bed" >"$SCRATCH/lac.ctl"
gone() {
	[ -z "$(ppp_ifaces lac)$(ppp_ifaces lns)" ] &&
		[ "$(count_l2tp lac tunnel)$(count_l2tp lns tunnel)" = 00 ] &&
		! pgrep -x pppd >/dev/null
}
wait_for 30 "PPP interfaces, pppd and kernel tunnels gone on both sides" gone
for role in lns lac; do
	assert "$role xl2tpd survives the disconnect" running "$role-xl2tpd"
done
