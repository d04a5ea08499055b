#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Extended failover (issue 5): one l2tpkd LAC and three l2tpkd LNS in their own namespaces,
# group "pool" with A and B at priority 1 ([peer] sections) and C at priority 2 (an address
# with its secret on the lns line, pppd settings from the group), each LNS with its own secret.
#  1. A at its session limit refuses (CDN 4): the call lands on B; peer show has A busy; after
#     the busy timeout A takes a call again.
#  2. A draining refuses with Error 7 (so does B): the call goes to C.
#  3. B's daemon killed: new calls get no answer from B and land on C.
# Every PPP link that came up passes ping.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"

vm_netns lac
n=0
for ns in lnsa lnsb lnsc; do
	n=$((n + 1))
	vm_netns "$ns"
	vm_link lac "$ns" "$n"
done

pppd_options
lns_conf lnsa 1 1
lns_conf lnsb 2 0
lns_conf lnsc 3 0
cat >"$SCRATCH/lac.conf" <<CONF
[global]
host-name = lac
listen = 0.0.0.0:1701
retransmit-retries = 3
[lns]
accept = no
[group pool]
lns = lnsa priority 1
lns = lnsb priority 1
lns = 10.0.3.2 priority 2 secret secret-lnsc
busy-timeout = 20s
sccrq-retries = 2
pppd-options = $SCRATCH/lac.options
CONF
for n in 1 2; do
	ns=lns$(echo ab | cut -c$n)
	cat >>"$SCRATCH/lac.conf" <<CONF
[peer $ns]
address = 10.0.$n.2
secret = secret-$ns
pppd-options = $SCRATCH/lac.options
CONF
done

for ns in lnsa lnsb lnsc lac; do
	l2tpkd_start "$ns"
done

# peer_field ADDR FIELD: a field of the LAC's peer show for endpoint ADDR.
peer_field() {
	ctl_json lac peer show | jget "[e['$2'] for e in j if e['peer_address'] == '$1'][0]"
}
state_is() { [ "$(peer_field "$1" state)" = "$2" ]; }
links_are() { ppp_links_is lnsa "$1" && ppp_links_is lnsb "$2" && ppp_links_is lnsc "$3"; }

# Each LAC PPP link answers ping from its LNS end.
ping_all() {
	local ifc peer
	for ifc in $(ppp_ifaces lac); do
		wait_for 30 "$ifc has an address" ppp_iface_addr lac "$ifc"
		peer=$(ppp_iface_peer lac "$ifc")
		assert "ping over $ifc to $peer" in_lac ping -c 2 -W 2 -I "$ifc" "$peer"
	done
}

# A call on A whatever the weighted choice says: B refuses (draining) until it is back.
assert "drain B" ctl lnsb drain on
assert "call 1" ctl lac session add group pool calling 1001
wait_for 30 "call 1 on A" links_are 1 0 0
assert "undrain B" ctl lnsb drain off
ctl lac peer show
# The engine opened that tunnel; l2tpctl shows our end as its socket is: the listening port.
assert "the tunnel to A is from 10.0.1.1:1701" test "$(ctl_json lac tunnel show |
	jget "[(t['local_address'], t['local_port']) for t in j if t['peer_address'] == '10.0.1.2']")" = \
	"[('10.0.1.1', 1701)]"
# B is busy if the choice fell on it first; l2tpctl answers 2 if it was not.
ctl lac peer clear-busy address 10.0.2.2 || [ $? -eq 2 ] || die "peer clear-busy failed"
assert "B not busy" test "$(peer_field 10.0.2.2 busy_ms)" -eq 0

# 1. A has room in its tunnel as far as the LAC knows, but its LNS limit is 1: CDN 4, then B.
assert "call 2" ctl lac session add group pool calling 1002
wait_for 30 "call 2 on B" links_are 1 1 0
ctl lac peer show
assert "A is busy" state_is 10.0.1.2 busy
assert "A counted a failover" test "$(peer_field 10.0.1.2 failovers_from)" -ge 1
assert "B took it" test "$(peer_field 10.0.2.2 failovers_to)" -ge 1
assert "the journal has the failover line" \
	grep -q "failover group=pool from=10.0.1.2:1701 to=10.0.2.2:1701 reason=cdn result=4 error=0" \
	"$SCRATCH/l2tpkd-lac.log"
grep "failover group=" "$SCRATCH/l2tpkd-lac.log"
ping_all

# After the busy timeout A is tried again: raise its limit, keep B draining so the call must
# be A's (B refuses, C is only priority 2).
wait_for 25 "A's busy time runs out" state_is 10.0.1.2 up
sed -i 's/^max-sessions = 1$/max-sessions = 10/' "$SCRATCH/lnsa.conf"
assert "A reloads with room" ctl lnsa reload
assert "drain B" ctl lnsb drain on
assert "call 3" ctl lac session add group pool calling 1003
wait_for 30 "call 3 on A" links_are 2 1 0

# 2. A and B both draining: Error 7 from each, the call goes to C.
assert "drain A" ctl lnsa drain on
ctl lnsa lns show
ctl lac peer clear-busy || [ $? -eq 2 ] || die "peer clear-busy failed"
assert "call 4" ctl lac session add group pool calling 1004
wait_for 40 "call 4 on C" links_are 2 1 1
assert "A refused with error 7" \
	grep -q "failover group=pool from=10.0.1.2:1701 to=.* reason=cdn result=2 error=7" "$SCRATCH/l2tpkd-lac.log"
assert "A's sessions stayed up while draining" ppp_links_is lnsa 2
ping_all

# 3. B's daemon dies (its pppd lose their tunnel's socket with it); A stays draining. The
# next call, placed on B's tunnel that the LAC still holds, gets no answer; it and the one
# after land on C.
ctl lac peer clear-busy || [ $? -eq 2 ] || die "peer clear-busy failed"
kill -KILL "$(cat "$SCRATCH/l2tpkd-lnsb.pid")"
assert "call 5" ctl lac session add group pool calling 1005
wait_for 90 "call 5 on C" ppp_links_is lnsc 2
assert "B counted as no answer" \
	grep -q "failover group=pool from=10.0.2.2:1701 to=.* reason=no-answer" "$SCRATCH/l2tpkd-lac.log"
assert "call 6" ctl lac session add group pool calling 1006
wait_for 30 "call 6 on C too (B busy)" ppp_links_is lnsc 3
ctl lac peer show
grep "failover group=" "$SCRATCH/l2tpkd-lac.log"
# B advertised RFC 4951 with a Recovery Time of 60 s: the LAC keeps B's tunnel and its
# established call that much past its retransmissions (new calls went to C at once), then
# lets them go: A's two and C's three are left.
assert "the LAC waits for B's recovery" \
	grep -q "peer 10.0.2.2:1701: peer silent: waiting 60000 ms for it to recover (RFC 4951)" "$SCRATCH/l2tpkd-lac.log"
wait_for 90 "the LAC's links: 5" ppp_links_is lac 5
ping_all
for ns in lnsa lnsc; do
	assert_kernel_agrees "$ns"
done
assert "the LAC still runs" running l2tpkd-lac
log "failover: ok"
