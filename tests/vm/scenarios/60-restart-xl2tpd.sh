#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vm: systemd
# Hitless restart (issue 6): l2tpkd, the LNS, run by systemd as PID 1 from its installed unit,
# xl2tpd 1.3.18 the LAC in namespace lac, one PPP session up and a ping crossing it 500 times a
# second throughout (fewer than 100 a second fails the scenario). l2tpkd is (a) killed with
# SIGKILL and started again by systemd (Restart=always), (b) restarted with "systemctl
# restart", (c) re-executed in place with "l2tpctl restart" after a binary upgrade (the
# installed program replaced by a new file: the same process then runs the new file, not the
# deleted one). After each the daemon has resynchronised the tunnel with xl2tpd ("recovery
# silent" in "l2tpctl tunnel show"), the tunnel and session IDs are the same in l2tpctl and in
# the kernel, the same pppd carries the session, not one ping was lost, xl2tpd logged no
# teardown and the session still carries traffic. Then (d) "systemctl stop" still clears
# everything: xl2tpd gets the StopCCN (result 6), pppd is gone, no kernel tunnel is left.
# RESTART_EVENTS (default "kill restart reexec") chooses the events a to c, for a scenario
# elsewhere that sets it and sources this file; d always runs.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"
. "$TOP/tests/vm/xl2tpd.sh"

# How long l2tpkd may take to be back and resynchronised after an event.
recover_secs=30
# At least this many pings a second must be sent across each event.
min_rate=100

prop() { unit_prop l2tpkd.service "$1"; }
uctl() { "$L2TPKD_SBINDIR/l2tpctl" "$@"; }
# "l2tpkd VERSION running" lines process PID logged (it logs one each time it has started).
running_lines() { journalctl -b -u l2tpkd.service "_PID=$1" -o cat --no-pager --since "@$since" | grep -c '^l2tpkd .* running$' || true; }
# Process PID logged that it stopped on SIGTERM with StopCCN to its peers.
stopped_with_stopccn() {
	grep -q '^stopping on signal 15: StopCCN' <(journalctl -b -u l2tpkd.service "_PID=$1" -o cat --no-pager)
}
running_lines_above() { [ "$(running_lines "$1")" -gt "$2" ]; }
# systemd started the unit again after NRestarts was N, and it is up.
restarted_after() { [ "$(prop NRestarts)" -gt "$1" ] && [ "$(prop ActiveState)" = active ]; }

# The session as l2tpkd shows it: "TID/SID PEER_TID/PEER_SID pppd PID STATE" a line.
daemon_sessions() {
	uctl -j session show | python3 -c '
import json, sys
for s in json.load(sys.stdin):
    print("%d/%d %d/%d pppd %s %s" % (s["tunnel_id"], s["session_id"], s["peer_tunnel_id"],
          s["peer_session_id"], s.get("pppd_pid"), s["state"]))'
}
# The kernel's sessions in the unit's namespace: "TID/SID PEER_TID/PEER_SID" a line.
kernel_sessions_root() {
	ip l2tp show session | awk '$1 == "Session" { s = $2; t = $5 }
		$1 == "Peer" && $2 == "session" { sub(",", "", $3); print t "/" s " " $5 "/" $3 }' | sort
}
kernel_tunnel_count() { ip l2tp show tunnel | grep -c '^Tunnel' || true; }
root_ppp_links() { ip -o link show | grep -c ': ppp[0-9]*:' || true; }
root_ppp_links_is() { [ "$(root_ppp_links)" -eq "$1" ]; }
pings_answered_beyond() { [ "$(flood_ping_last ping)" -ge "$1" ]; }
pppd_alive() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = pppd ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }
unit_cgroup_empty() { [ -z "$(cat "$unit_cgroup/cgroup.procs" 2>/dev/null)" ]; }
# xl2tpd's log since the mark has a line matching the extended regex RE. (grep -q reads from a
# process substitution: at the end of a pipe its early exit would fail it, with pipefail.)
xl2tpd_logged() { grep -Eq -- "$1" <(xl2tpd_log_since lac "$xl2tpd_mark"); }
xl2tpd_logged_teardown() { xl2tpd_log_since lac "$xl2tpd_mark" | xl2tpd_teardowns; }
# The tunnel's resynchronisation is done: the text view has "recovery silent", JSON the same.
recovered() {
	grep -q 'recovery silent' <(uctl tunnel show 2>/dev/null) &&
		[ "$(uctl -j tunnel show | jget 'j[0].get("recovery")')" = silent ]
}

# What is up before an event, to compare with after it.
snapshot() {
	echo "sessions: $(daemon_sessions | tr '\n' ';') kernel: $(kernel_sessions_root | tr '\n' ';')"
}

# wait_recovered EVENT: until the tunnel is resynchronised; on time out, what is left, then die.
wait_recovered() {
	local ev=$1 t0=${EPOCHREALTIME/./}
	until recovered; do
		if [ $((${EPOCHREALTIME/./} - t0)) -ge $((recover_secs * 1000000)) ]; then
			echo "--- after $ev: l2tpctl tunnel show, session show"
			uctl tunnel show 2>&1 | grep . || echo "(no tunnel)"
			uctl session show 2>&1 | grep . || echo "(no session)"
			echo "--- the kernel's sessions (ip l2tp show session), the PPP links"
			ip l2tp show session | grep . || echo "(no kernel session)"
			ip -o link show | grep ': ppp' || echo "(no PPP link)"
			echo "--- pppd $pppd_pid: $(pppd_alive "$pppd_pid" && echo alive || echo gone)"
			report_pings "$ev" "$seq_before" "$(flood_ping_sent ping)" || true
			echo "--- xl2tpd's log since the event"
			xl2tpd_log_since lac "$xl2tpd_mark" | tail -n 20
			echo "--- the unit's journal since the event"
			journalctl -b -u l2tpkd.service -o cat --no-pager --since "@$event_at" | tail -n 20
			die "$ev: no 'recovery silent' in 'l2tpctl tunnel show' $recover_secs s after the event"
		fi
		sleep 0.2
	done
	log "$ev: l2tpkd resynchronised the tunnel with xl2tpd, recovery silent" \
		"(after $(((${EPOCHREALTIME/./} - t0) / 1000)) ms)"
}

# report_pings EVENT FROM TO: logs the pings FROM+1..TO; false if one was lost or too few sent.
report_pings() {
	local ev=$1 from=$2 to=$3 lost rate gap first
	read -r lost rate gap first <<<"$(flood_ping_window ping "$from" "$to")"
	log "$ev: pings $((from + 1))..$to: $lost lost, $rate a second, longest without an answer $gap ms${first:+, first lost: $first}"
	[ "$lost" -eq 0 ] && [ "$rate" -ge "$min_rate" ]
}

# The checks after each event: same IDs, same pppd, no ping lost, no teardown, traffic flows.
# The pings are counted first, so that the log has the count whatever fails.
check_survived() {
	local ev=$1 seq_after pings_ok=0 flowing=0 i to teardowns
	# The session carries traffic after the recovery: answers to 150 more pings.
	seq_after=$(($(flood_ping_sent ping) + 150))
	for ((i = 0; i < 50; i++)); do
		! pings_answered_beyond "$seq_after" || { flowing=1; break; }
		sleep 0.2
	done
	# Pings up to the last one sent now; late answers come within the second after.
	to=$(flood_ping_sent ping)
	sleep 1
	report_pings "$ev" "$seq_before" "$to" || pings_ok=$?
	assert "$ev: the unit is active" test "$(prop ActiveState)" = active
	assert "$ev: l2tpctl and the kernel show the same tunnel and session, the same pppd" \
		test "$(snapshot)" = "$before"
	assert "$ev: pppd $pppd_pid is alive" pppd_alive "$pppd_pid"
	assert "$ev: one kernel tunnel" test "$(kernel_tunnel_count)" -eq 1
	[ "$pings_ok" -eq 0 ] || die "$ev: pings were lost across the event, or fewer than $min_rate a second were sent"
	log "ok: $ev: no ping lost"
	[ "$flowing" -eq 1 ] || die "$ev: no answers to the pings after the recovery"
	log "ok: $ev: the session carries the pings after the recovery"
	teardowns=$(xl2tpd_logged_teardown) || true
	[ -z "$teardowns" ] || { echo "$teardowns"; die "$ev: xl2tpd logged a teardown (above)"; }
	log "ok: $ev: xl2tpd logged no teardown"
	xl2tpd_log_since lac "$xl2tpd_mark" | grep -i 'out of order' || true
	assert "$ev: xl2tpd still runs" running lac-xl2tpd
}

# begin_event EVENT: the marks the checks compare against, then the event's line.
begin_event() {
	xl2tpd_mark=$(xl2tpd_log_mark lac)
	seq_before=$(flood_ping_last ping)
	event_at=$(date +%s.%N)
	log "=== $1"
}

event_kill() {
	local ev="(a) kill -9" pid restarts
	pid=$(prop MainPID)
	restarts=$(prop NRestarts)
	begin_event "$ev of l2tpkd $pid"
	kill -KILL "$pid"
	wait_for "$recover_secs" "$ev: systemd started l2tpkd again (NRestarts was $restarts)" \
		restarted_after "$restarts"
	assert "$ev: a new main process" test "$(prop MainPID)" != "$pid"
	wait_recovered "$ev"
	check_survived "$ev"
}

event_restart() {
	local ev="(b) systemctl restart" pid
	pid=$(prop MainPID)
	begin_event "$ev of l2tpkd $pid"
	assert "$ev" timeout 60 systemctl restart l2tpkd.service
	assert "$ev: a new main process" test "$(prop MainPID)" != "$pid"
	wait_recovered "$ev"
	check_survived "$ev"
}

# exe_is PID FILE INODE: process PID runs FILE, the file of inode INODE (not a deleted one).
exe_is() { [ "$(readlink "/proc/$1/exe")" = "$2" ] && [ "$(stat -L -c %i "/proc/$1/exe")" = "$3" ]; }

event_reexec() {
	local ev="(c) l2tpctl restart" pid restarts started bin=$L2TPKD_SBINDIR/l2tpkd inode
	pid=$(prop MainPID)
	restarts=$(prop NRestarts)
	started=$(running_lines "$pid")
	begin_event "$ev of l2tpkd $pid after a binary upgrade"
	# The upgrade as a package manager does it: a new file (a new inode) renamed over the
	# program; the running daemon's file is then deleted, and the restart must run the new one.
	cp "$bin" "$bin.new"
	mv -f "$bin.new" "$bin"
	inode=$(stat -c %i "$bin")
	assert "$ev: the running l2tpkd $pid runs the replaced program: $(readlink "/proc/$pid/exe")" \
		test "$(readlink "/proc/$pid/exe")" = "$bin (deleted)"
	assert "$ev" timeout 60 "$L2TPKD_SBINDIR/l2tpctl" restart
	wait_for "$recover_secs" "$ev: l2tpkd $pid started again in place (a new 'running' line)" \
		running_lines_above "$pid" "$started"
	assert "$ev: the same main process, not restarted by systemd" \
		test "$(prop MainPID)/$(prop NRestarts)" = "$pid/$restarts"
	assert "$ev: l2tpkd $pid runs the new program ($bin, inode $inode, not deleted)" exe_is "$pid" "$bin" "$inode"
	wait_recovered "$ev"
	check_survived "$ev"
}

assert "PID 1 is systemd" [ "$(cat /proc/1/comm)" = systemd ]
l2tpkd_install

# --- the network: the LNS in the initial namespace (the unit's), xl2tpd in lac ---
vm_lac_to_root

unit_lns_conf xl2tpd restart-secret 10.1.0.20-10.1.0.29 "listen = 10.0.9.2:1701"

# xl2tpd logs the AVPs it receives (debug avp), the Result Code of a StopCCN among them.
cat >"$SCRATCH/lac.ppp" <<OPT
noauth
noccp
nodefaultroute
noipdefault
ipcp-accept-local
ipcp-accept-remote
OPT
cat >"$SCRATCH/lac-xl2tpd.conf" <<CONF
[global]
listen-addr = 10.0.9.1
port = 1701
auth file = $SCRATCH/l2tp-secrets
debug avp = yes
[lac restart]
lns = 10.0.9.2
challenge = yes
require authentication = no
hostname = xl2tpd-lac
pppoptfile = $SCRATCH/lac.ppp
length bit = yes
autodial = no
redial = no
CONF
echo "* * restart-secret" >"$SCRATCH/l2tp-secrets"

# --- l2tpkd from its unit, xl2tpd, one session, the ping ---
on_exit "systemctl stop l2tpkd.service; systemctl reset-failed l2tpkd.service 2>/dev/null || true"
since=$(date +%s)
spawn journal journalctl -f -n 0 -u l2tpkd.service -o short-monotonic --no-pager
if ! timeout 60 systemctl start l2tpkd.service; then
	systemctl status --no-pager -l l2tpkd.service || true
	die "systemctl start l2tpkd failed"
fi
log "ok: systemctl start l2tpkd ($(prop MainPID))"
# Read while the unit runs: an inactive unit has no ControlGroup.
unit_cgroup=/sys/fs/cgroup$(prop ControlGroup)
assert "the unit has its own cgroup ($unit_cgroup)" test -r "$unit_cgroup/cgroup.procs" -a "$unit_cgroup" != /sys/fs/cgroup
assert "Restart=always, KillMode=process" \
	test "$(prop Restart)/$(prop KillMode)" = always/process
xl2tpd_start lac
xl2tpd_ctl lac "c restart"
wait_for 60 "PPP up in the LAC" ppp_links_is lac 1
wait_for 30 "PPP up in the LNS" root_ppp_links_is 1
lac_if=$(ppp_ifaces lac)
wait_for 30 "$lac_if has an address" ppp_iface_addr lac "$lac_if"
uctl tunnel show
uctl session show
before=$(snapshot)
log "before: $before"
pppd_pid=$(uctl -j session show | jget 'j[0]["pppd_pid"]')
assert "one established session, its pppd $pppd_pid in the unit's cgroup" \
	test "$(daemon_sessions | grep -c ' established$')/$(unit_procs l2tpkd.service pppd)" = "1/$pppd_pid"
assert "the kernel has the session l2tpctl shows" \
	test "$(kernel_sessions_root)" = "$(daemon_sessions | cut -d' ' -f1,2)"
flood_ping_start ping lac 10.1.0.1
sleep 1
report_pings "the ping, before any event" 1 "$(flood_ping_last ping)" ||
	die "the ping loses packets or sends fewer than $min_rate a second before any event"

for e in ${RESTART_EVENTS-kill restart reexec}; do
	case $e in
	kill | restart | reexec) "event_$e" ;;
	*) die "RESTART_EVENTS: unknown event '$e'" ;;
	esac
done

# --- (d) systemctl stop: the clean teardown ---
stop ping
pid=$(prop MainPID)
xl2tpd_mark=$(xl2tpd_log_mark lac)
log "=== (d) systemctl stop of l2tpkd $pid"
assert "(d) systemctl stop l2tpkd" timeout 60 systemctl stop l2tpkd.service
assert "(d) the unit is inactive, result success" test "$(prop ActiveState)/$(prop Result)" = inactive/success
assert "(d) l2tpkd $pid has exited" gone "$pid"
wait_for 20 "(d) pppd $pppd_pid is gone" gone "$pppd_pid"
wait_for 20 "(d) no process of the unit left" unit_cgroup_empty
assert "(d) no l2tp tunnel left in the kernel (ip l2tp show tunnel is empty)" test -z "$(ip l2tp show tunnel)"
assert "(d) no PPP link left" test "$(root_ppp_links)" -eq 0
assert "(d) l2tpkd's journal says it stopped on SIGTERM with StopCCN" stopped_with_stopccn "$pid"
wait_for 20 "(d) xl2tpd got the StopCCN: 'Connection closed to 10.0.9.2 ... (l2tpkd is stopping)'" \
	xl2tpd_logged 'Connection closed to 10\.0\.9\.2, port 1701 \(l2tpkd is stopping\)'
assert "(d) with result 6, error 0" xl2tpd_logged 'peer closing for reason 6 \(.*\), error = 0 '
# The filter the events' checks rely on sees this teardown (its lines are printed).
assert "(d) xl2tpd_teardowns finds the teardown in xl2tpd's log" xl2tpd_logged_teardown
wait_for 20 "(d) xl2tpd's pppd is gone, no PPP link in lac" ppp_links_is lac 0
assert "(d) xl2tpd still runs" running lac-xl2tpd
log "restart under xl2tpd: ok"
