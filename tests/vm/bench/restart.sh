#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vm: systemd
# scripts/bench restart, in the VM with systemd as PID 1: l2tpkd the LNS, run from its
# installed unit, listening on three addresses; an l2tpkd LAC in namespace lac (not under
# systemd) with one tunnel to each address and 10 PPP sessions over them (4, 3, 3); a ping
# across every session, 250 a second (nominal) across the first and 5 a second across each
# other. The LAC is l2tpkd rather than xl2tpd: one l2tpctl command a call places the
# sessions on the tunnels chosen, and l2tpctl shows the LAC's IDs and pppd to check that
# nothing changed. The LNS resynchronises silently (failover-resync = silent-failover; two
# l2tpkd would otherwise recover by RFC 4951), so its restart is as silent to the LAC as to
# xl2tpd, which 60-restart-xl2tpd covers.
# Each kind of restart of the LNS, kill -9 (systemd starts it again), "systemctl restart" and
# "l2tpctl restart" (in place), runs RUNS times in turn. Measured each time:
#  - the pings sent from the event until every tunnel is resynchronised (as the bench sees
#    it), how many of them were never answered (target 0), the rate of the fast ping and its
#    longest time without an answer;
#  - the control plane's downtime: from the old process gone (the SIGKILL sent; its "handing
#    over" line; its "restarting in place" line just before the exec) to the new one ready
#    (its "l2tpkd VERSION running" line), and in it systemd's part, up to its "Starting
#    l2tpkd.service" line (kill -9: RestartSec=1 is in it);
#  - from the new process's start (systemd's "Starting" line; the exec) to "running", and
#    from "running" to the last "resynchronised silently" line (every tunnel resynchronised);
# times from the journal's timestamps of reception (_SOURCE_REALTIME_TIMESTAMP), selected by
# SYSLOG_IDENTIFIER: a line a process sends just before it exits may reach journald after
# the exit, too late to be given the unit's name, so "journalctl -u" can miss it. Every event
# must keep the tunnels, sessions and pppd and log no teardown, or the bench fails.
# Prints "bench: ..." lines that scripts/bench collects.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"

runs=${BENCH_RUNS:-3}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive number, not '$runs'"
tunnels=3
sessions=10
recover_secs=60
echo "bench: in the VM: Linux $(uname -r) under QEMU (TCG), $(nproc) CPU(s), systemd $(systemctl --version | awk 'NR == 1 { print $2 }')"

prop() { unit_prop l2tpkd.service "$1"; }
uctl() { "$L2TPKD_SBINDIR/l2tpctl" "$@"; }
restarted_after() { [ "$(prop NRestarts)" -gt "$1" ] && [ "$(prop ActiveState)" = active ]; }
root_ppp_links_is() { [ "$(ip -o link show | grep -c ': ppp[0-9]*:')" -eq "$1" ]; }
lns_sessions() { uctl -j session show | l2tpkd_session_lines; }
lac_sessions() { ctl_json lac session show | l2tpkd_session_lines; }
# The LNS's own lines since the time $1 (the LAC logs to its file, not to the journal).
lns_journal_since() { journalctl -b SYSLOG_IDENTIFIER=l2tpkd -o cat --no-pager --since "@$1"; }
# Every tunnel resynchronised since the event: as many "resynchronised silently" lines.
all_resynced() {
	[ "$(grep -c 'resynchronised silently' <(lns_journal_since "$event_at"))" -ge "$tunnels" ]
}
snapshot() {
	echo "lns: $(lns_sessions | tr '\n' ';')"
	echo "lac: $(lac_sessions | tr '\n' ';')"
	echo "kernel tunnels: $(ip l2tp show tunnel | grep -c '^Tunnel') $(kernel_tunnels lac | wc -l)"
}
# ping_marks: "NAME LAST_ANSWERED LAST_SEEN" a ping, from the ends of their logs (steady
# pings: the last answer is among the last lines).
ping_marks() {
	local p
	for p in "${pings[@]}"; do
		tail -n 40 "$SCRATCH/$p.log" | awk -v p="$p" '/icmp_seq=/ {
			match($0, /icmp_seq=[0-9]+/)
			s = substr($0, RSTART + 9, RLENGTH - 9) + 0
			if (s > seen) seen = s
			if (/ bytes from / && s > answered) answered = s
		} END { print p, answered + 0, seen + 0 }'
	done
}
# all_pppd_alive PID...: each a pppd.
all_pppd_alive() {
	local pid comm
	for pid; do
		read -r comm <"/proc/$pid/comm" && [ "$comm" = pppd ] || return 1
	done
}

assert "PID 1 is systemd" [ "$(cat /proc/1/comm)" = systemd ]
l2tpkd_install

vm_lac_to_root "$tunnels"

globals=("failover-resync = silent-failover")
for ((i = 2; i < 2 + tunnels; i++)); do
	globals+=("listen = 10.0.9.$i:1701")
done
unit_lns_conf lac bench-restart-secret 10.1.0.20-10.1.0.49 "${globals[@]}"
pppd_options
{
	printf '[global]\nhost-name = l2tpkd-lac\nlisten = 10.0.9.1:1701\n[lns]\naccept = no\n'
	for ((i = 2; i < 2 + tunnels; i++)); do
		printf '[peer lns%d]\naddress = 10.0.9.%d\nsecret = bench-restart-secret\npppd-options = %s\n' \
			"$i" "$i" "$SCRATCH/lac.options"
	done
} >"$SCRATCH/lac.conf"

on_exit "systemctl stop l2tpkd.service; systemctl reset-failed l2tpkd.service 2>/dev/null || true"
assert "systemctl start l2tpkd" timeout 60 systemctl start l2tpkd.service
l2tpkd_start lac
for ((i = 0; i < sessions; i++)); do
	assert "session add $((i + 1))" ctl lac session add peer "lns$((2 + i % tunnels))"
done
wait_for 120 "$sessions PPP links up in the LAC" ppp_links_is lac "$sessions"
wait_for 60 "$sessions PPP links up in the LNS" root_ppp_links_is "$sessions"
mapfile -t lac_ifs < <(lac_sessions | awk '{ print $5 }')
assert "$sessions LAC sessions with an interface each" test "${#lac_ifs[@]}" -eq "$sessions"
for ifc in "${lac_ifs[@]}"; do
	wait_for 30 "$ifc has an address" ppp_iface_addr lac "$ifc"
done
before=$(snapshot)
log "before: $before"
assert "$tunnels tunnels on each side, $sessions established sessions" \
	test "$(lns_sessions | cut -d/ -f1 | sort -u | wc -l)/$(lns_sessions | grep -c ' established$')/$(lac_sessions | grep -c ' established$')" = "$tunnels/$sessions/$sessions"
pppd_pids=$(lns_sessions | awk '{ print $4 }' | tr '\n' ' ')
pings=()
for ((i = 0; i < sessions; i++)); do
	pings+=("ping$i")
	flood_ping_start_via "ping$i" lac "${lac_ifs[$i]}" 10.1.0.1 "$([ "$i" -eq 0 ] && echo 0.004 || echo 0.2)"
done
sleep 2

# One event of KIND (kill, restart, reexec), run RUN; appends to events.tsv "KIND RUN
# EVENT_AT_USEC OLD_PID NEW_PID" and to pings.tsv "EVENT_INDEX NAME FROM TO" a ping (its last
# answer before the event, the last one sent when every tunnel was seen resynchronised).
events=0
measure() {
	local kind=$1 run=$2 pid new restarts name answered seen teardowns
	declare -A from=()
	pid=$(prop MainPID)
	restarts=$(prop NRestarts)
	while read -r name answered seen; do
		from[$name]=$answered
	done < <(ping_marks)
	event_at=$EPOCHREALTIME
	log "=== run $run: $kind of l2tpkd $pid"
	case $kind in
	kill)
		kill -KILL "$pid"
		wait_for "$recover_secs" "systemd started l2tpkd again" restarted_after "$restarts"
		;;
	restart) assert "systemctl restart" timeout 60 systemctl restart l2tpkd.service ;;
	reexec) assert "l2tpctl restart" timeout 60 "$L2TPKD_SBINDIR/l2tpctl" restart ;;
	esac
	wait_for "$recover_secs" "every tunnel resynchronised ($tunnels 'resynchronised silently' lines)" all_resynced
	while read -r name answered seen; do
		printf '%s\t%s\t%s\t%s\n' "$events" "$name" "${from[$name]}" "$seen" >>"$SCRATCH/pings.tsv"
	done < <(ping_marks)
	new=$(prop MainPID)
	printf '%s\t%s\t%s\t%s\t%s\n' "$kind" "$run" "${event_at/./}" "$pid" "$new" >>"$SCRATCH/events.tsv"
	events=$((events + 1))
	case $kind in
	kill | restart) assert "a new main process ($new)" test "$new" != "$pid" ;;
	reexec) assert "the same main process, not restarted by systemd" \
		test "$new/$(prop NRestarts)" = "$pid/$restarts" ;;
	esac
	assert "the same tunnels, sessions and pppd on both sides" test "$(snapshot)" = "$before"
	# shellcheck disable=SC2086 # one argument a pid
	assert "the LNS's $sessions pppd are alive" all_pppd_alive $pppd_pids
	teardowns=$({ lns_journal_since "$event_at"; l2tpkd_log_since lac 0; } | l2tpkd_teardowns) || true
	[ -z "$teardowns" ] || { echo "$teardowns"; die "$kind: a teardown was logged (above)"; }
}

first_event=$EPOCHREALTIME
for ((run = 1; run <= runs; run++)); do
	for kind in kill restart reexec; do
		measure "$kind" "$run"
	done
done
# The last answers come within the second after.
sleep 1

journalctl -b -o json --no-pager --since "@$first_event" SYSLOG_IDENTIFIER=l2tpkd + UNIT=l2tpkd.service \
	>"$SCRATCH/journal.json"
python3 - "$SCRATCH" "$tunnels" "$sessions" <<'PY' || die "the journal or the pings do not show every restart"
import json, os, re, statistics, sys

scratch, tunnels, sessions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = []  # (usec, pid, identifier, message)
for raw in open(os.path.join(scratch, "journal.json")):
    j = json.loads(raw)
    if not isinstance(j.get("MESSAGE"), str):
        continue
    t = int(j.get("_SOURCE_REALTIME_TIMESTAMP", j["__REALTIME_TIMESTAMP"]))
    lines.append((t, int(j.get("_PID", 0)), j.get("SYSLOG_IDENTIFIER", ""), j["MESSAGE"]))
lines.sort()

# Each ping's log: sequence -> time answered, and the time of each report (answered or not).
answered, reported = {}, {}
for name in set(l.split("\t")[1] for l in open(os.path.join(scratch, "pings.tsv"))):
    a, r = {}, {}
    for l in open(os.path.join(scratch, name + ".log")):
        m = re.match(r"\[([0-9.]+)\] .*icmp_seq=([0-9]+)", l)
        if not m:
            continue
        t, s = float(m.group(1)), int(m.group(2))
        r.setdefault(s, t)
        if " bytes from " in l:
            a.setdefault(s, t)
    answered[name], reported[name] = a, r
pings = {}
for l in open(os.path.join(scratch, "pings.tsv")):
    i, name, frm, to = l.split("\t")
    pings.setdefault(int(i), []).append((name, int(frm), int(to)))

names = {"kill": "kill -9", "restart": "systemctl restart", "reexec": "l2tpctl restart"}
events = [l.rstrip("\n").split("\t") for l in open(os.path.join(scratch, "events.tsv"))]
rows = []
for i, (kind, run, at, old, new) in enumerate(events):
    at, old, new = int(at), int(old), int(new)
    end = int(events[i + 1][2]) if i + 1 < len(events) else float("inf")
    window = [l for l in lines if at <= l[0] < end]

    def first(pred, what, among):
        for l in among:
            if pred(l):
                return l
        sys.exit("run %s, %s: no %s in the journal" % (run, kind, what))

    ours = [l for l in window if l[2] == "l2tpkd"]
    if kind == "reexec":
        gone = first(lambda l: l[1] == old and l[3].startswith("restarting in place:"), "'restarting in place' line", ours)[0]
        start = gone
        mine = [l for l in ours if l[1] == new and l[0] >= gone and not l[3].startswith("restarting in place:")]
    else:
        gone = at if kind == "kill" else first(lambda l: l[1] == old and "handing over" in l[3], "'handing over' line", ours)[0]
        start = first(lambda l: l[2] == "systemd" and l[3].startswith("Starting l2tpkd.service"), "'Starting' line", window)[0]
        mine = [l for l in ours if l[1] == new]
    ready = first(lambda l: re.fullmatch(r"l2tpkd .* running", l[3]), "'running' line of the new process", mine)[0]
    restored = first(lambda l: l[3].startswith("restored "), "'restored' line", mine)[3]
    want = "restored %d tunnels and %d sessions from the previous l2tpkd; 0 tunnels and 0 sessions lost" % (tunnels, sessions)
    if not restored.startswith(want):
        sys.exit("run %s, %s: %s" % (run, kind, restored))
    resync = [l[0] for l in mine if "resynchronised silently" in l[3]]
    if len(resync) != tunnels:
        sys.exit("run %s, %s: %d 'resynchronised silently' lines, %d tunnels" % (run, kind, len(resync), tunnels))
    sent = lost = 0
    for name, frm, to in pings[i]:
        a = answered[name]
        sent += to - frm
        lost += sum(1 for s in range(frm + 1, to + 1) if s not in a)
        if name == "ping0":
            got = sorted(a[s] for s in range(frm, to + 1) if s in a)
            stop = a.get(to, reported[name].get(to, got[-1]))
            gap = max([b - x for x, b in zip(got, got[1:])] + [stop - got[-1]]) * 1000
            rate = (to - frm) / (stop - a[frm]) if stop > a[frm] else 0
    rows.append(dict(kind=kind, run=int(run), sent=sent, lost=lost, gap=gap, rate=rate, gone=(gone - at) / 1000,
                     down=(ready - gone) / 1000, systemd=(start - gone) / 1000, boot=(ready - start) / 1000,
                     resync=(max(resync) - ready) / 1000, total=(max(resync) - at) / 1000))

print("bench: restart of the LNS (l2tpkd under systemd): %d tunnels, %d sessions from an l2tpkd LAC, a ping across" % (tunnels, sessions))
print("bench: each session (250/s nominal across one, 5/s across each other) counted from the event until every tunnel")
print("bench: is seen resynchronised. Times in ms, from the journal: event->gone (kill -9: 0; systemctl restart: to the")
print("bench: old process's 'handing over'; l2tpctl restart: to 'restarting in place', the exec), down = gone -> new")
print("bench: process 'running' (the control plane's downtime) = systemd (gone -> systemd's 'Starting'; RestartSec=1")
print("bench: after kill -9) + start->run, run->sync = 'running' -> the last 'resynchronised silently', total = event ->")
print("bench: that line.")
hdr = "%-17s %3s %6s %4s %6s %6s %8s %8s %8s %10s %9s %8s" % (
    "restart", "run", "pings", "lost", "fast/s", "gap ms", "ev->gone", "down", "systemd", "start->run", "run->sync", "total")
print("bench: " + hdr)
for r in rows:
    print("bench: %-17s %3d %6d %4d %6.0f %6.0f %8.1f %8.1f %8.1f %10.1f %9.1f %8.1f" % (
        names[r["kind"]], r["run"], r["sent"], r["lost"], r["rate"], r["gap"], r["gone"], r["down"], r["systemd"],
        r["boot"], r["resync"], r["total"]))
print("bench: medians (min-max), ms:")
for kind in ("kill", "restart", "reexec"):
    rs = [r for r in rows if r["kind"] == kind]

    def m(key):
        v = [r[key] for r in rs]
        return "%.1f (%.1f-%.1f)" % (statistics.median(v), min(v), max(v))

    lost = sum(r["lost"] for r in rs)
    print("bench:   %s, %d runs: %d pings sent, %d lost (target 0: %s); downtime %s;"
          % (names[kind], len(rs), sum(r["sent"] for r in rs), lost, "met" if lost == 0 else "MISSED", m("down")))
    print("bench:     start -> running %s; running -> every tunnel resynchronised %s; event -> resynchronised %s"
          % (m("boot"), m("resync"), m("total")))
PY
log "bench restart: ok"
