#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Robustness on a bad link (issue 7): two l2tpkd over a veth that tc netem makes lossy both
# ways, with duplication and reordering (25% of the datagrams 10 ms late, the others 20 ms).
#  (a) RFC 2661's defaults (5 retries) at 10% loss;
#  (b) retransmit-retries = 15 at 30% loss.
# Each time SESSIONS calls (LOSSY_SESSIONS, default 10; scripts/soak: 100) are placed at once
# on the one tunnel, must all come up (PPP and an address on every interface), and are held
# HOLD seconds (LOSSY_HOLD, default 40; scripts/soak: 300) with HELLOs every 10 s: neither
# daemon logs a teardown, every call is still up at the end in both daemons and kernels, and
# a ping across the first session is answered as often as the loss allows (each of request
# and reply crosses once: at least 80% of (1 - loss)^2 of them). PPP's own negotiation crosses
# the same link without L2TP's reliability, so pppd is given the retries to match (1 s apart,
# up to 60): the failures that pppd's defaults give at 30% loss are PPP's, not L2TP's.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"

sessions=${LOSSY_SESSIONS:-10}
hold=${LOSSY_HOLD:-40}
[[ $sessions =~ ^[1-9][0-9]*$ ]] && [[ $hold =~ ^[1-9][0-9]*$ ]] ||
	die "LOSSY_SESSIONS and LOSSY_HOLD must be positive numbers"

vm_netns_pair

# netem PERCENT: the loss both ways, with 5% duplicated and 25% reordered.
netem() {
	local ns ifc
	for ns in lac lns; do
		[ "$ns" = lac ] && ifc=to-lns || ifc=to-lac
		ip netns exec "$ns" tc qdisc replace dev "$ifc" root netem delay 20ms reorder 75% \
			loss "$1%" duplicate 5% limit 10000 || die "tc netem in $ns"
	done
	log "netem both ways: $1% loss, 5% duplicated, 25% reordered"
}

# place_call NAME N: one more call from the LAC. The LAC refuses one while its tunnel has too
# much unacknowledged (the loss holds the acks back): that is backpressure, so it is tried
# again, for up to 10 minutes (at 30% loss 100 calls take minutes to get through).
place_call() {
	local i
	for ((i = 0; i < 1200; i++)); do
		ctl lac session add peer lns >/dev/null 2>"$SCRATCH/session-add.err" && return 0
		grep -q 'has not acknowledged' "$SCRATCH/session-add.err" || break
		sleep 0.5
	done
	die "$1: session add $2: $(cat "$SCRATCH/session-add.err")"
}

# run_phase TAG NAME LOSS RETRIES: a fresh pair of daemons, SESSIONS calls, HOLD seconds.
run_phase() {
	local tag=$1 name=$2 loss=$3 retries=$4 ns ifc i lac_ifs t0 answered sent expect teardowns
	pair_confs lossy-secret
	[ "$sessions" -le 240 ] || die "LOSSY_SESSIONS: at most 240 (the LNS's address pool)"
	sed -i 's/^ip-pool = .*/ip-pool = 10.1.0.10-10.1.0.250/' "$SCRATCH/lns.conf"
	# Into the [global] section pair_confs starts each file with.
	for ns in lac lns; do
		sed -i "1a retransmit-retries = $retries\nhello-interval = 10s" "$SCRATCH/$ns.conf"
		printf 'lcp-restart 1\nlcp-max-configure 60\nipcp-restart 1\nipcp-max-configure 60\nnoipv6\n' \
			>>"$SCRATCH/$ns.options"
	done
	netem "$loss"
	l2tpkd_start lns
	l2tpkd_start lac
	lac_mark=$(l2tpkd_log_mark lac)
	lns_mark=$(l2tpkd_log_mark lns)
	t0=$(date +%s)
	for ((i = 1; i <= sessions; i++)); do
		place_call "$name" "$i"
	done
	log "$name: $sessions calls placed"
	wait_for 600 "$name: $sessions PPP links up in lac" ppp_links_is lac "$sessions"
	wait_for 120 "$name: $sessions PPP links up in lns" ppp_links_is lns "$sessions"
	mapfile -t lac_ifs < <(ppp_ifaces lac)
	for ifc in "${lac_ifs[@]}"; do
		wait_for 120 "$name: $ifc has an address" ppp_iface_addr lac "$ifc"
	done
	log "$name: $sessions calls up in $(($(date +%s) - t0)) s; holding them $hold s"
	flood_ping_start_via "ping-$tag" lac "${lac_ifs[0]}" 10.1.0.1 0.1
	sleep "$hold"
	stop "ping-$tag"
	read -r sent answered < <(awk '/icmp_seq=/ { match($0, /icmp_seq=[0-9]+/); s = substr($0, RSTART + 9, RLENGTH - 9) + 0
		if (s > max) max = s; if (/ bytes from /) ok[s] = 1 } END { print max + 0, length(ok) }' "$SCRATCH/ping-$tag.log")
	expect=$(python3 -c "print(int($sent * (1 - $loss / 100) ** 2 * 0.8))")
	log "$name: ping across ${lac_ifs[0]}: $answered of $sent answered (at least $expect expected)"
	assert "$name: ping passes as far as the loss allows" test "$answered" -ge "$expect"
	teardowns=$( { l2tpkd_log_since lac "$lac_mark"; l2tpkd_log_since lns "$lns_mark"; } | l2tpkd_teardowns) || true
	[ -z "$teardowns" ] || { echo "$teardowns"; die "$name: a teardown on the lossy link (above)"; }
	assert "$name: every call still up in both daemons" \
		test "$(ctl_sessions lac | wc -l)/$(ctl_sessions lns | wc -l)" = "$sessions/$sessions"
	assert "$name: and in both kernels" kernel_sessions_is lns "$sessions"
	assert "$name: one tunnel each" test "$(ctl_tunnels lac | wc -l)/$(ctl_tunnels lns | wc -l)" = 1/1
	log "ok: $name: no teardown in $hold s"
	for ns in lac lns; do
		ip netns exec "$ns" tc qdisc del dev "$([ "$ns" = lac ] && echo to-lns || echo to-lac)" root
	done
	stop l2tpkd-lac
	stop l2tpkd-lns
	wait_for 60 "$name: no pppd left in lac" pppd_is lac 0
	wait_for 60 "$name: no pppd left in lns" pppd_is lns 0
}

run_phase a "(a) defaults, 10% loss" 10 5
run_phase b "(b) 15 retries, 30% loss" 30 15
log "lossy link: ok"
