#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# l2tpkd LAC <-> xl2tpd LNS (Debian's 1.3.18), with tunnel authentication and hidden AVPs
# (xl2tpd: challenge = yes, hidden bit = yes; l2tpkd: the same secret, hide-avps): two
# sessions placed with l2tpctl, PPP up, ping both ways, the kernel agreeing with l2tpctl; a
# session cleared by l2tpkd (CDN) ends xl2tpd's pppd, then the tunnel (StopCCN); nothing left.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"
. "$TOP/tests/vm/xl2tpd.sh"

vm_netns_pair

# Debian's /etc/ppp/options says "auth": "noauth" undoes it.
cat >"$SCRATCH/lns.ppp" <<OPT
noauth
noccp
lcp-restart 1
nodefaultroute
OPT
cat >"$SCRATCH/lns-xl2tpd.conf" <<CONF
[global]
listen-addr = 10.0.0.2
port = 1701
auth file = $SCRATCH/l2tp-secrets
[lns default]
local ip = 10.1.0.1
ip range = 10.1.0.30-10.1.0.39
challenge = yes
hidden bit = yes
require authentication = no
hostname = xl2tpd-lns
pppoptfile = $SCRATCH/lns.ppp
length bit = yes
CONF
echo "* * interop-secret" >"$SCRATCH/l2tp-secrets"
cat >"$SCRATCH/lac.options" <<OPT
noauth
noipdefault
ipcp-accept-local
ipcp-accept-remote
nodefaultroute
OPT
cat >"$SCRATCH/lac.conf" <<CONF
[global]
host-name = l2tpkd-lac
listen = 10.0.0.1:1701
[lns]
accept = no
[peer xl2tpd]
address = 10.0.0.2
secret = interop-secret
hide-avps = yes
pppd-options = $SCRATCH/lac.options
CONF

capture_start lac to-lns
xl2tpd_start lns
l2tpkd_start lac

assert "session add 1" ctl lac session add peer xl2tpd
assert "session add 2" ctl lac session add peer xl2tpd
wait_for 60 "2 PPP links up in the LAC" ppp_links_is lac 2
wait_for 30 "2 PPP links up in the LNS" ppp_links_is lns 2
for ifc in $(ppp_ifaces lac); do
	wait_for 30 "$ifc has an address" ppp_iface_addr lac "$ifc"
done
ctl lac tunnel show
ctl lac session show
assert "l2tpkd knows the peer as xl2tpd-lns" \
	test "$(ctl_json lac tunnel show | jget 'j[0]["peer_host_name"]')" = xl2tpd-lns
assert "one tunnel carries both sessions" test "$(ctl_tunnels lac | wc -l)" -eq 1
assert_kernel_agrees lac
for ifc in $(ppp_ifaces lac); do
	addr=$(ppp_iface_addr lac "$ifc")
	assert "$ifc's address comes from xl2tpd's range" test "${addr%.*}" = 10.1.0
	assert "ping lac -> lns over $ifc" in_lac ping -c 3 -W 2 -I "$ifc" 10.1.0.1
	check_ping lns "$addr" 3
done

# l2tpkd clears one session (CDN): xl2tpd's pppd for it goes.
first=$(ctl_sessions lac | head -n 1)
assert "l2tpkd clears session $first" ctl lac session del tunnel "${first%/*}" session "${first#*/}"
wait_for 30 "1 PPP link left in the LNS" ppp_links_is lns 1
wait_for 30 "1 pppd left in the LNS" pppd_is lns 1
wait_for 30 "1 PPP link left in the LAC" ppp_links_is lac 1
ifc=$(ppp_ifaces lac)
assert "the other session still passes ping" in_lac ping -c 3 -W 2 -I "$ifc" 10.1.0.1

# l2tpkd clears the tunnel (StopCCN): everything goes on both sides.
tid=$(ctl_tunnels lac)
assert "l2tpkd clears tunnel $tid" ctl lac tunnel del "$tid"
assert_clean lac
wait_for 30 "no pppd in the LNS" pppd_is lns 0
wait_for 30 "no PPP link in the LNS" ppp_links_is lns 0
assert "xl2tpd still runs" running lns-xl2tpd
assert "l2tpkd still runs" running l2tpkd-lac

assert_auth_and_hiding "$(capture_stop)" 10.0.0.1
log "xl2tpd LNS: ok"
