#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# l2tpkd LNS <-> xl2tpd LAC (Debian's 1.3.18), with tunnel authentication and hidden AVPs on
# both sides (xl2tpd: challenge = yes, hidden bit = yes; l2tpkd: the same secret, hide-avps):
# PPP up, ping both ways, the kernel agreeing with l2tpctl; a hang-up by xl2tpd clears the
# session in l2tpkd, and a tunnel cleared by l2tpkd (StopCCN) ends xl2tpd's side; nothing left.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"
. "$TOP/tests/vm/xl2tpd.sh"

vm_netns_pair

cat >"$SCRATCH/lns.options" <<OPT
noauth
nodefaultroute
OPT
cat >"$SCRATCH/lns.conf" <<CONF
[global]
host-name = l2tpkd-lns
listen = 10.0.0.2:1701
[lns]
local-ip = 10.1.0.1
ip-pool = 10.1.0.20-10.1.0.29
pppd-options = $SCRATCH/lns.options
[peer xl2tpd]
address = 10.0.0.1
secret = interop-secret
hide-avps = yes
CONF
# Debian's /etc/ppp/options says "auth": "noauth" undoes it.
cat >"$SCRATCH/lac.ppp" <<OPT
noauth
noccp
lcp-restart 1
nodefaultroute
noipdefault
ipcp-accept-local
ipcp-accept-remote
OPT
cat >"$SCRATCH/lac-xl2tpd.conf" <<CONF
[global]
listen-addr = 10.0.0.1
port = 1701
auth file = $SCRATCH/l2tp-secrets
[lac interop]
lns = 10.0.0.2
challenge = yes
hidden bit = yes
require authentication = no
hostname = xl2tpd-lac
pppoptfile = $SCRATCH/lac.ppp
length bit = yes
autodial = no
redial = no
CONF
echo "* * interop-secret" >"$SCRATCH/l2tp-secrets"

capture_start lns to-lac
l2tpkd_start lns
xl2tpd_start lac

xl2tpd_ctl lac "c interop"
wait_for 60 "PPP up in the LAC" ppp_links_is lac 1
wait_for 30 "PPP up in the LNS" ppp_links_is lns 1
lac_if=$(ppp_ifaces lac)
wait_for 30 "$lac_if has an address" ppp_iface_addr lac "$lac_if"
lac_addr=$(ppp_iface_addr lac "$lac_if")
assert "the LAC's address comes from l2tpkd's pool" test "${lac_addr%.*}" = 10.1.0
ctl lns tunnel show
ctl lns session show
assert "l2tpkd knows the peer as xl2tpd-lac" \
	test "$(ctl_json lns tunnel show | jget 'j[0]["peer_host_name"]')" = xl2tpd-lac
assert_kernel_agrees lns
check_ping lac 10.1.0.1 5
check_ping lns "$lac_addr" 5
assert "the kernel counted the session's data" \
	test "$(ctl_json lns stats | jget 'sum(s["kernel"]["rx_packets"] for s in j["sessions"])')" -ge 5

# xl2tpd hangs up: l2tpkd clears the session (its pppd goes, the kernel session goes).
xl2tpd_ctl lac "d interop"
wait_for 30 "no PPP link in the LNS" ppp_links_is lns 0
wait_for 30 "no pppd in the LNS" pppd_is lns 0
wait_for 30 "no session in the LNS kernel" kernel_sessions_is lns 0
wait_for 30 "no PPP link in the LAC" ppp_links_is lac 0

# Again, and this time l2tpkd clears the tunnel: xl2tpd takes the StopCCN.
xl2tpd_ctl lac "c interop"
wait_for 60 "PPP up again in the LAC" ppp_links_is lac 1
wait_for 30 "PPP up again in the LNS" ppp_links_is lns 1
lac_if=$(ppp_ifaces lac)
wait_for 30 "$lac_if has an address" ppp_iface_addr lac "$lac_if"
check_ping lac 10.1.0.1 3
tid=$(ctl_tunnels lns)
assert "l2tpkd clears tunnel $tid" ctl lns tunnel del "$tid"
wait_for 30 "no PPP link in the LAC" ppp_links_is lac 0
wait_for 30 "no pppd in the LAC" pppd_is lac 0
assert_clean lns
assert "xl2tpd logged the StopCCN" grep -qi 'stopccn\|Connection .* closed' "$SCRATCH/lac-xl2tpd.log"
assert "xl2tpd still runs" running lac-xl2tpd
assert "l2tpkd still runs" running l2tpkd-lns

assert_auth_and_hiding "$(capture_stop)" 10.0.0.2
log "xl2tpd LAC: ok"
