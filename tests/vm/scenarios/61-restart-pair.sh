#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vm: systemd
# Hitless restart (issue 6) between two l2tpkd: the LNS run by systemd as PID 1 from its
# installed unit, the LAC in namespace lac started by hand (no systemd), one tunnel carrying
# three PPP sessions, a ping crossing each of them throughout (one 500 times a second: fewer
# than 100 a second fails; the two others 50 times a second). (a) The LNS is killed with
# SIGKILL and systemd starts it again; (b) the LAC, which has no fd store, is re-executed in
# place with "l2tpctl restart" (a bare kill -9 of a daemon not under systemd loses its
# sessions by design). After each the restarted daemon has resynchronised the tunnel
# ("recovery silent" in "l2tpctl tunnel show") and logged that it restored 1 tunnel and 3
# sessions and lost none, the other side's recovery is unchanged, both daemons and both
# kernels show the same tunnel and session IDs as before, the same pppd carry the sessions
# on both sides, not one ping was lost, neither daemon logged a StopCCN, CDN or cleared call
# (the LNS's journal, the LAC's log, both at debug level), and every session still carries
# traffic. Then (c) "systemctl stop" of the LNS still clears everything on both sides.
# Silent failover on both sides (failover-resync = silent-failover); 62-restart-pair-rfc4951
# runs the same with the default mode, the RFC 4951 failover protocol.
# RESTART_PAIR_EVENTS (default "kill reexec") chooses the events a and b; c always runs.
# RESTART_PAIR_RESYNC (default silent-failover), for a scenario elsewhere that sets it and
# sources this file, is both daemons' failover-resync: with
# failover-protocol-fall-back-to-silent-failover the two recover by RFC 4951 (both advertise
# the capability by default): each event then expects "recovery protocol" on both sides and
# "failover session audit done" from the restarted daemon, and the recovery tunnel's own
# StopCCN ("failover recovery complete") is no teardown.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"

# How long a daemon may take to be back and resynchronised after an event.
recover_secs=30
# The pings: name, the session (1-3) they cross, interval, the fewest a second they must send.
pings=(ping1 ping2 ping3)
declare -A ping_interval=([ping1]=0.002 [ping2]=0.02 [ping3]=0.02)
declare -A ping_min_rate=([ping1]=100 [ping2]=20 [ping3]=20)
# Answers each ping must get after a recovery, to show its session carries traffic.
declare -A ping_more=([ping1]=150 [ping2]=30 [ping3]=30)
declare -A seq_before=()
resync=${RESTART_PAIR_RESYNC:-silent-failover}
case $resync in
silent-failover) want_recovery=silent ;;
failover-protocol-fall-back-to-silent-failover) want_recovery=protocol ;;
*) die "RESTART_PAIR_RESYNC: unknown failover-resync mode '$resync'" ;;
esac

prop() { unit_prop l2tpkd.service "$1"; }
uctl() { "$L2TPKD_SBINDIR/l2tpctl" "$@"; }
lac_pid() { cat "$SCRATCH/l2tpkd-lac.pid"; }
# "l2tpkd VERSION running" lines in the LAC's log: one each time it has started.
lac_running_lines() { grep -c '^l2tpkd: notice: l2tpkd .* running$' "$SCRATCH/l2tpkd-lac.log" || true; }
lac_running_lines_above() { [ "$(lac_running_lines)" -gt "$1" ]; }
restarted_after() { [ "$(prop NRestarts)" -gt "$1" ] && [ "$(prop ActiveState)" = active ]; }
# all_pppd_alive PID...: six pids, each a pppd.
all_pppd_alive() {
	local pid comm
	[ $# -eq 6 ] || return 1
	for pid; do
		read -r comm <"/proc/$pid/comm" && [ "$comm" = pppd ] || return 1
	done
}
gone() { ! kill -0 "$1" 2>/dev/null; }
root_ppp_links_is() { [ "$(ip -o link show | grep -c ': ppp[0-9]*:')" -eq "$1" ]; }
pings_answered_beyond() { [ "$(flood_ping_last "$1")" -ge "$2" ]; }

# The kernel's sessions in namespace NS ("" for the unit's): "TID/SID PEER_TID/PEER_SID" a line.
kernel_session_pairs() {
	ip ${1:+-n "$1"} l2tp show session | awk '$1 == "Session" { s = $2; t = $5 }
		$1 == "Peer" && $2 == "session" { sub(",", "", $3); print t "/" s " " $5 "/" $3 }' | sort
}
kernel_tunnel_count() { ip ${1:+-n "$1"} l2tp show tunnel | grep -c '^Tunnel' || true; }
lns_sessions() { uctl -j session show | l2tpkd_session_lines; }
lac_sessions() { ctl_json lac session show | l2tpkd_session_lines; }
lns_recovery() { uctl -j tunnel show | l2tpkd_recovery_of; }
lac_recovery() { ctl_json lac tunnel show | l2tpkd_recovery_of; }
# recovery_of SIDE: the recovery of SIDE's tunnel, the one carrying the sessions (an RFC 4951
# recovery tunnel is listed too until it is reaped, a retransmission cycle after its StopCCN).
declare -A tunnel_of=()
recovery_of() { "${1}_recovery" | awk -v t="${tunnel_of[$1]}" '$1 == t { print $2 }'; }
# Every pppd pid of both daemons' sessions.
all_pppd_pids() { { lns_sessions; lac_sessions; } | awk '{ print $4 }'; }

# What must be the same after an event as before it.
snapshot() {
	echo "lns: $(lns_sessions | tr '\n' ';') kernel: $(kernel_session_pairs | tr '\n' ';')"
	echo "lac: $(lac_sessions | tr '\n' ';') kernel: $(kernel_session_pairs lac | tr '\n' ';')"
}

# recovered SIDE: SIDE's one tunnel is resynchronised, in the text view and in JSON.
recovered() {
	local side=$1 text
	if [ "$side" = lns ]; then text=$(uctl tunnel show 2>/dev/null); else text=$(ctl lac tunnel show 2>/dev/null); fi
	grep -q "recovery $want_recovery\$" <<<"$text" && [ "$(recovery_of "$side")" = "$want_recovery" ]
}

# The LNS's own messages since the event (the LAC logs to its file). By identifier, not
# with -u: a line sent just before a process exits may reach journald too late to be given
# the unit's name.
lns_journal() { journalctl -b SYSLOG_IDENTIFIER=l2tpkd -o cat --no-pager --since "@$event_at"; }
lac_log() { l2tpkd_log_since lac "$lac_mark"; }
# Drops the lines of RFC 4951 recovery tunnels (named by "... through tunnel ID" lines
# first): their StopCCN once the recovery is done is no teardown.
without_recovery_tunnels() {
	awk 'match($0, /through tunnel [0-9]+/) { ids[substr($0, RSTART + 15, RLENGTH - 15)] = 1 }
		{ for (id in ids) if (index($0, "tunnel " id "/")) next; print }'
}

dump_state() {
	echo "--- the LNS: l2tpctl tunnel show, session show"
	uctl tunnel show 2>&1 | grep . || echo "(no tunnel)"
	uctl session show 2>&1 | grep . || echo "(no session)"
	echo "--- the LAC: l2tpctl tunnel show, session show"
	ctl lac tunnel show 2>&1 | grep . || echo "(no tunnel)"
	ctl lac session show 2>&1 | grep . || echo "(no session)"
	echo "--- the kernel's sessions: the unit's namespace, then lac"
	kernel_session_pairs
	kernel_session_pairs lac
	echo "--- the LNS's journal since the event"
	lns_journal | tail -n 25
	echo "--- the LAC's log since the event"
	lac_log | tail -n 25
}

# wait_recovered EVENT SIDE: until SIDE's tunnel is resynchronised; on time out, the state, die.
wait_recovered() {
	local ev=$1 side=$2 t0=${EPOCHREALTIME/./}
	until recovered "$side"; do
		if [ $((${EPOCHREALTIME/./} - t0)) -ge $((recover_secs * 1000000)) ]; then
			dump_state
			die "$ev: no 'recovery $want_recovery' in the $side's 'l2tpctl tunnel show' $recover_secs s after the event"
		fi
		sleep 0.2
	done
	log "$ev: the $side resynchronised the tunnel, recovery $want_recovery (after $(((${EPOCHREALTIME/./} - t0) / 1000)) ms)"
}

# report_pings EVENT NAME FROM TO: logs NAME's pings FROM+1..TO; false if one was lost or
# fewer than its rate were sent.
report_pings() {
	local ev=$1 name=$2 from=$3 to=$4 lost rate gap first
	read -r lost rate gap first <<<"$(flood_ping_window "$name" "$from" "$to")"
	log "$ev: $name pings $((from + 1))..$to: $lost lost, $rate a second, longest without an answer $gap ms${first:+, first lost: $first}"
	[ "$lost" -eq 0 ] && [ "$rate" -ge "${ping_min_rate[$name]}" ]
}

# Each daemon lists only the tunnel carrying the sessions: an RFC 4951 recovery tunnel is
# reaped a retransmission cycle after its StopCCN. (A daemon restarting before that hands
# the closing tunnel's socket over, and the new process drops it: "dropping a tunnel socket
# (0xID), left by the previous l2tpkd and not in its state".)
one_tunnel_each() { [ "$(lns_recovery | wc -l)/$(lac_recovery | wc -l)" = 1/1 ]; }

# begin_event EVENT: the marks the checks compare against, then the event's line.
begin_event() {
	local p
	wait_for 60 "only the tunnel of the sessions listed on each side" one_tunnel_each
	lac_mark=$(l2tpkd_log_mark lac)
	for p in "${pings[@]}"; do
		seq_before[$p]=$(flood_ping_last "$p")
	done
	recovery_before="$(recovery_of lns)/$(recovery_of lac)"
	event_at=$(date +%s.%N)
	log "=== $1"
}

# check_survived EVENT SIDE: after SIDE restarted, the same IDs and pppd on both sides, no
# ping lost, no teardown logged, every session carries traffic. Pings are counted first, so
# the log has the counts whatever fails.
check_survived() {
	local ev=$1 side=$2 p i pings_ok=0 flowing=1 teardowns pids
	declare -A seq_after=() to=()
	for p in "${pings[@]}"; do
		seq_after[$p]=$(($(flood_ping_sent "$p") + ${ping_more[$p]}))
	done
	for p in "${pings[@]}"; do
		for ((i = 0; i < 50; i++)); do
			! pings_answered_beyond "$p" "${seq_after[$p]}" || break
			sleep 0.2
		done
		pings_answered_beyond "$p" "${seq_after[$p]}" || { log "$ev: $p: no answer beyond ${seq_after[$p]}"; flowing=0; }
	done
	# Pings up to the last one sent now; late answers come within the second after.
	for p in "${pings[@]}"; do
		to[$p]=$(flood_ping_sent "$p")
	done
	sleep 1
	for p in "${pings[@]}"; do
		report_pings "$ev" "$p" "${seq_before[$p]}" "${to[$p]}" || pings_ok=1
	done
	assert "$ev: the LNS unit is active" test "$(prop ActiveState)" = active
	assert "$ev: the LAC daemon still runs" running l2tpkd-lac
	assert "$ev: both daemons and both kernels show the same tunnel and sessions, the same pppd" \
		test "$(snapshot)" = "$before"
	pids=$(all_pppd_pids | tr '\n' ' ')
	# shellcheck disable=SC2086 # one argument a pid
	assert "$ev: the six pppd are alive: $pids" all_pppd_alive $pids
	assert "$ev: one kernel tunnel on each side" \
		test "$(kernel_tunnel_count)/$(kernel_tunnel_count lac)" = 1/1
	[ "$pings_ok" -eq 0 ] || die "$ev: pings were lost across the event, or too few were sent"
	log "ok: $ev: no ping lost"
	[ "$flowing" -eq 1 ] || die "$ev: a session carries no pings after the recovery"
	log "ok: $ev: all three sessions carry pings after the recovery"
	# The failover protocol marks the peer's end too ("this end or the peer recovering").
	if [ "$want_recovery" = protocol ]; then
		assert "$ev: the other side's recovery is protocol too" \
			test "$(recovery_of lns)/$(recovery_of lac)" = protocol/protocol
		assert "$ev: the restarted side audited the sessions with its peer" \
			"${side}_logged" 'failover session audit done'
	elif [ "$side" = lns ]; then
		assert "$ev: the LAC's recovery is unchanged" \
			test "$(recovery_of lac)" = "${recovery_before#*/}"
	else
		assert "$ev: the LNS's recovery is unchanged" \
			test "$(recovery_of lns)" = "${recovery_before%/*}"
	fi
	teardowns=$(lns_journal | without_recovery_tunnels | l2tpkd_teardowns) || true
	[ -z "$teardowns" ] || { echo "$teardowns"; die "$ev: the LNS logged a teardown (above)"; }
	log "ok: $ev: the LNS's journal has no teardown"
	teardowns=$(lac_log | without_recovery_tunnels | l2tpkd_teardowns) || true
	[ -z "$teardowns" ] || { echo "$teardowns"; die "$ev: the LAC logged a teardown (above)"; }
	log "ok: $ev: the LAC's log has no teardown"
}

# The restarted daemon's lines about its restart (stdin: its log since the event).
show_restore_lines() {
	grep -E 'restarting in place|restored|resynchronised silently|RFC 4951|audit' || true
}
restored_all='restored 1 tunnels and 3 sessions from the previous l2tpkd; 0 tunnels and 0 sessions lost, 0 state records unreadable'
# The LNS's journal or the LAC's log since the event has a line matching the extended regex RE.
# (grep -q reads a process substitution: at the end of a pipe its early exit would fail it.)
lns_logged() { grep -Eq -- "$1" <(lns_journal); }
lac_logged() { grep -Eq -- "$1" <(lac_log); }

event_kill_lns() {
	local ev="(a) kill -9 of the LNS" pid restarts
	pid=$(prop MainPID)
	restarts=$(prop NRestarts)
	begin_event "$ev (l2tpkd $pid, under systemd)"
	kill -KILL "$pid"
	wait_for "$recover_secs" "$ev: systemd started l2tpkd again (NRestarts was $restarts)" \
		restarted_after "$restarts"
	assert "$ev: a new main process ($(prop MainPID))" test "$(prop MainPID)" != "$pid"
	wait_recovered "$ev" lns
	lns_journal | show_restore_lines
	assert "$ev: the new LNS restored the tunnel and the 3 sessions, lost none" lns_logged "$restored_all"
	check_survived "$ev" lns
}

event_reexec_lac() {
	local ev="(b) l2tpctl restart of the LAC" pid started
	pid=$(lac_pid)
	started=$(lac_running_lines)
	begin_event "$ev (l2tpkd $pid, not under systemd)"
	assert "$ev" ctl lac restart
	wait_for "$recover_secs" "$ev: l2tpkd $pid started again in place (a new 'running' line)" \
		lac_running_lines_above "$started"
	assert "$ev: the same process, still l2tpkd" test "$(cat "/proc/$pid/comm")" = l2tpkd
	wait_recovered "$ev" lac
	lac_log | show_restore_lines
	assert "$ev: the LAC re-executed itself with its fds" lac_logged 'restarting in place: .* with [0-9]+ fds'
	assert "$ev: the re-executed LAC restored the tunnel and the 3 sessions, lost none" lac_logged "$restored_all"
	check_survived "$ev" lac
}

assert "PID 1 is systemd" [ "$(cat /proc/1/comm)" = systemd ]
l2tpkd_install

# --- the network: the LNS in the initial namespace (the unit's), the LAC in lac ---
vm_lac_to_root

unit_lns_conf lac pair-restart-secret 10.1.0.20-10.1.0.29 "listen = 10.0.9.2:1701" "log-level = debug" \
	"failover-resync = $resync"
pppd_options
cat >"$SCRATCH/lac.conf" <<CONF
[global]
host-name = l2tpkd-lac
listen = 10.0.9.1:1701
failover-resync = $resync
[lns]
accept = no
[peer lns]
address = 10.0.9.2
secret = pair-restart-secret
pppd-options = $SCRATCH/lac.options
CONF

# --- the LNS from its unit, the LAC by hand, three sessions, the pings ---
on_exit "systemctl stop l2tpkd.service; systemctl reset-failed l2tpkd.service 2>/dev/null || true"
if ! timeout 60 systemctl start l2tpkd.service; then
	systemctl status --no-pager -l l2tpkd.service || true
	die "systemctl start l2tpkd failed"
fi
log "ok: systemctl start l2tpkd, the LNS ($(prop MainPID))"
assert "Restart=always, KillMode=process" test "$(prop Restart)/$(prop KillMode)" = always/process
l2tpkd_start lac
for i in 1 2 3; do
	assert "session add $i" ctl lac session add peer lns
done
wait_for 60 "3 PPP links up in the LAC" ppp_links_is lac 3
wait_for 30 "3 PPP links up in the LNS" root_ppp_links_is 3
mapfile -t lac_ifs < <(lac_sessions | awk '{ print $5 }')
assert "three LAC sessions with an interface each (${lac_ifs[*]})" test "${#lac_ifs[@]}" -eq 3
for ifc in "${lac_ifs[@]}"; do
	wait_for 30 "$ifc has an address" ppp_iface_addr lac "$ifc"
done
uctl tunnel show
ctl lac session show
before=$(snapshot)
log "before: $before"
assert "three established sessions on each side, one tunnel" \
	test "$(lns_sessions | grep -c ' established$')/$(lac_sessions | grep -c ' established$')/$(lns_sessions | cut -d/ -f1 | sort -u | wc -l)" = 3/3/1
tunnel_of[lns]=$(lns_sessions | head -n 1 | cut -d/ -f1)
tunnel_of[lac]=$(lac_sessions | head -n 1 | cut -d/ -f1)
assert "each LAC session is the LNS's peer session" \
	test "$(lac_sessions | awk '{ print $1 " " $2 }' | sort)" = "$(lns_sessions | awk '{ print $2 " " $1 }' | sort)"
assert "each kernel has the sessions its daemon shows" \
	test "$(kernel_session_pairs)|$(kernel_session_pairs lac)" = "$(lns_sessions | cut -d' ' -f1,2)|$(lac_sessions | cut -d' ' -f1,2)"
assert "the LNS's pppd are in the unit's cgroup" \
	test "$(unit_procs l2tpkd.service pppd | sort -n | tr '\n' ' ')" = "$(lns_sessions | awk '{ print $4 }' | sort -n | tr '\n' ' ')"
assert "no restart yet: recovery none on both sides" \
	test "$(recovery_of lns)/$(recovery_of lac)" = none/none
for i in 0 1 2; do
	flood_ping_start_via "${pings[$i]}" lac "${lac_ifs[$i]}" 10.1.0.1 "${ping_interval[${pings[$i]}]}"
done
sleep 1
for p in "${pings[@]}"; do
	report_pings "before any event" "$p" 1 "$(flood_ping_last "$p")" ||
		die "$p loses packets or sends too few a second before any event"
done

for ev in ${RESTART_PAIR_EVENTS:-kill reexec}; do
	case $ev in
	kill) event_kill_lns ;;
	reexec) event_reexec_lac ;;
	*) die "RESTART_PAIR_EVENTS: unknown event '$ev'" ;;
	esac
done

# --- (c) systemctl stop of the LNS: the clean teardown, on both sides ---
for p in "${pings[@]}"; do
	stop "$p"
done
pid=$(prop MainPID)
lac_mark=$(l2tpkd_log_mark lac)
pppd_pids=$(all_pppd_pids)
event_at=$(date +%s.%N)
log "=== (c) systemctl stop of the LNS (l2tpkd $pid)"
assert "(c) systemctl stop l2tpkd" timeout 60 systemctl stop l2tpkd.service
assert "(c) the unit is inactive, result success" test "$(prop ActiveState)/$(prop Result)" = inactive/success
assert "(c) l2tpkd $pid has exited" gone "$pid"
for p in $pppd_pids; do
	wait_for 20 "(c) pppd $p is gone" gone "$p"
done
wait_for 20 "(c) the LAC logged the StopCCN: 'cleared in state established: result 6 ...'" \
	lac_logged 'cleared in state established: result 6 error 0: l2tpkd is stopping'
# The filter the events' checks rely on sees this teardown on both sides (its lines are printed).
assert "(c) l2tpkd_teardowns finds the teardown in the LAC's log" l2tpkd_teardowns < <(lac_log)
assert "(c) l2tpkd_teardowns finds the stop in the LNS's journal" l2tpkd_teardowns < <(lns_journal)
assert "(c) no kernel tunnel left in the unit's namespace" test "$(kernel_tunnel_count)" -eq 0
wait_for 20 "(c) no kernel tunnel left in lac" kernel_tunnels_is lac 0
wait_for 20 "(c) no PPP link left in lac" ppp_links_is lac 0
assert "(c) no PPP link left in the unit's namespace" root_ppp_links_is 0
assert "(c) the LAC still runs" running l2tpkd-lac
log "restart of an l2tpkd pair: ok"
