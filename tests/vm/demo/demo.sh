#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo that scripts/demo runs in the VM (scripts/vm --show tests/vm/demo/demo.sh): an l2tpkd
# LNS and an l2tpkd LAC in two network namespaces bring up one authenticated tunnel with three
# PPP sessions over the kernel's L2TP data path, and every step is shown under a "=== ... ==="
# header: what l2tpctl and the kernel (ip l2tp) say, a ping over each PPP link, the kernel's
# counters before and after it, one JSON example, and the teardown. Each outcome is asserted,
# so a demo that shows something wrong fails. It lives outside scenarios/ so that the test
# suite does not run it (scenario 10-l2tpkd-pair tests the same path more thoroughly).
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"

sessions=3
pings=3

# section TITLE: a header in the output.
section() { printf '\n=== %s ===\n' "$*"; }

# shown TITLE CMD...: runs CMD under a header; its output, or "(no output)".
shown() {
	local title=$1 out
	shift
	section "$title"
	out=$("$@" 2>&1) || { echo "$out"; die "$title failed"; }
	if [ -n "$out" ]; then echo "$out"; else echo "(no output)"; fi
}

# kernel_packets NS: prints "TUNNEL/SESSION RX TX" for each session of NS's daemon, the
# kernel's data packet counters as l2tpctl stats reports them.
kernel_packets() {
	ctl_json "$1" stats | python3 -c '
import json, sys
for s in json.load(sys.stdin)["sessions"]:
    k = s["kernel"] or {}
    print("%d/%d %d %d" % (s["tunnel_id"], s["session_id"], k.get("rx_packets", -1), k.get("tx_packets", -1)))'
}

# monitor_listens: true once l2tpctl monitor printed a reload event, which it asks for: from
# then on it sees every event.
monitor_listens() {
	ctl lns reload || return 1
	for _ in 1 2 3 4 5; do
		grep -q reload "$SCRATCH/monitor.log" && return 0
		sleep 0.2
	done
	return 1
}

section "The set-up"
cat <<EOF
Two network namespaces joined by a veth pair stand for two machines:
  lac (10.0.0.1): the L2TP Access Concentrator, which places the calls;
  lns (10.0.0.2): the L2TP Network Server, which terminates PPP and gives addresses.
Each runs its own l2tpkd with the configuration below; the tunnel is authenticated with the
shared secret. pppd (with its pppol2tp plugin) negotiates PPP for each session.
EOF

vm_netns_pair

pair_confs demo-secret
shown "LNS: its l2tpkd.conf" cat "$SCRATCH/lns.conf"
shown "LAC: its l2tpkd.conf" cat "$SCRATCH/lac.conf"

section "Starting the two daemons"
l2tpkd_start lns
l2tpkd_start lac
spawn monitor in_lns "$BUILD/l2tpctl" -s "$SCRATCH/lns.sock" monitor
wait_for 30 "l2tpctl monitor listening in the LNS" monitor_listens
shown "LNS: l2tpctl version" ctl lns version

section "LAC: l2tpctl session add peer lns ($sessions calls)"
echo "The first call opens the tunnel (SCCRQ, SCCRP with the secret's challenge, SCCCN), the"
echo "others share it; each prints its tunnel and session IDs."
for ((i = 1; i <= sessions; i++)); do
	ctl lac session add peer lns || die "session add $i failed"
done
wait_for 90 "$sessions PPP links up in the LAC" ppp_links_is lac "$sessions"
wait_for 90 "$sessions PPP links up in the LNS" ppp_links_is lns "$sessions"
for ifc in $(ppp_ifaces lac); do
	wait_for 30 "LAC: $ifc has its address" ppp_iface_addr lac "$ifc"
done
assert "one tunnel, established on both sides" \
	test "$(ctl_tunnels lac | wc -l)" -eq 1 -a "$(ctl_tunnels lns | wc -l)" -eq 1
assert "$sessions sessions established in the LNS daemon" test "$(ctl_sessions lns | wc -l)" -eq "$sessions"
assert_kernel_agrees lac
assert_kernel_agrees lns

shown "LAC: l2tpctl tunnel show" ctl lac tunnel show
shown "LNS: l2tpctl tunnel show" ctl lns tunnel show
shown "LNS: l2tpctl session show" ctl lns session show
shown "LNS: ip l2tp show tunnel (the kernel's view)" in_lns ip l2tp show tunnel
shown "LNS: ip l2tp show session (the kernel's view)" in_lns ip l2tp show session
shown "LAC: the PPP interfaces (ip -4 -br addr)" \
	bash -c 'ip -n lac -4 -br addr show | grep ^ppp'

before=$(kernel_packets lns) || die "l2tpctl -j stats failed"
for ifc in $(ppp_ifaces lac); do
	section "LAC: ping -c $pings -I $ifc 10.1.0.1 (the LNS end of $ifc)"
	out=$(in_lac ping -n -c "$pings" -i 0.2 -W 2 -I "$ifc" 10.1.0.1 2>&1) ||
		{ echo "$out"; die "ping over $ifc failed"; }
	echo "$out"
	grep -q "^$pings packets transmitted, $pings received" <<<"$out" ||
		die "ping over $ifc lost packets"
done
after=$(kernel_packets lns) || die "l2tpctl -j stats failed"

shown "LNS: l2tpctl stats" ctl lns stats
section "The kernel's counters of each session in the LNS, before and after the pings"
# Each session received $pings echo requests and sent $pings replies: the kernel counted them.
ok=0
while read -r id rx tx; do
	line=$(grep "^$id " <<<"$before") || die "session $id has no counters from before the pings"
	read -r _ rx0 tx0 <<<"$line"
	printf 'session %-9s rx packets %3d -> %3d   tx packets %3d -> %3d\n' "$id" "$rx0" "$rx" "$tx0" "$tx"
	if [ "$rx0" -lt 0 ] || [ "$rx" -lt $((rx0 + pings)) ] || [ "$tx" -lt $((tx0 + pings)) ]; then
		die "session $id: the kernel did not count the $pings pings (rx $rx0 -> $rx, tx $tx0 -> $tx)"
	fi
	ok=$((ok + 1))
done <<<"$after"
assert "the kernel counted the pings of all $sessions sessions" test "$ok" -eq "$sessions"

tid=$(ctl_tunnels lns) || die "l2tpctl -j tunnel show failed in the LNS"
shown "LNS: l2tpctl -p tunnel show $tid (JSON; -j prints it on one line)" ctl lns -p tunnel show "$tid"

tid=$(ctl_tunnels lac) || die "l2tpctl -j tunnel show failed in the LAC"
shown "LAC: l2tpctl tunnel del $tid (StopCCN: the tunnel and its sessions go)" ctl lac tunnel del "$tid"
assert_clean lac
assert_clean lns
shown "LNS: l2tpctl session show (after the teardown)" ctl lns session show
shown "LNS: ip l2tp show tunnel (after the teardown)" in_lns ip l2tp show tunnel
shown "LNS: ip l2tp show session (after the teardown)" in_lns ip l2tp show session
echo "The daemon keeps the cleared tunnel as \"closing\" for one retransmission cycle, to"
echo "acknowledge the StopCCN again should the LAC repeat it (RFC 2661 section 5.7):"
shown "LNS: l2tpctl tunnel show (after the teardown)" ctl lns tunnel show
assert "the LAC's l2tpkd still runs" running l2tpkd-lac
assert "the LNS's l2tpkd still runs" running l2tpkd-lns

shown "LNS: what l2tpctl monitor printed during the demo (from a reload at the start)" \
	cat "$SCRATCH/monitor.log"
section "Demo passed"
