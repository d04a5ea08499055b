#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/bench setup, in the VM: how fast an LNS sets up sessions and what it costs to hold
# them, l2tpkd's LNS and xl2tpd's LNS in the same run, each with a real pppd per session.
#
# The LACs are tests/bench/loadgen: the project's engine over UDP, TUNNELS tunnels from 20
# addresses of the LAC namespace (ports the kernel picks), SESSIONS calls in each, placed as
# fast as each tunnel takes them; it answers no PPP (the LNS's pppd is "passive": it keeps
# waiting for an LCP peer instead of giving up). Then everything is held for HOLD seconds with
# HELLOs from the moment a pppd runs for every session, and the generator counts teardowns
# (target 0).
#
# Printed for each LNS, as "bench: ..." lines for scripts/bench:
#  - sessions per second, time to 1,000 sessions, time to all (the generator's clock, from
#    the first SCCRQ: a session is set up when the LAC sends its ICCN, the kernel session
#    being created when the LNS takes it), calls refused; the LACs' control messages and
#    retransmissions (an LNS that answers late is retransmitted to); the time until a pppd
#    runs for every session (from the generator's start: when PPP can come up for all), and
#    the daemon's CPU per session set up (pppd starts included);
#  - memory per session while held: the daemon's resident growth, pppd's proportional share
#    (PSS, shared pages split among the pppd processes), and the whole VM's (MemAvailable);
#  - the hold: teardowns, the daemon's and all pppd's CPU while idle, as a share of one CPU.
# Then the ratio of the two setup rates (target: l2tpkd at least 3 times xl2tpd's), and of the
# two times until every session has its pppd.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"
. "$TOP/tests/vm/bench/lns.sh"

tunnels=${BENCH_TUNNELS:-100}
sessions=${BENCH_SESSIONS:-10}
hold=${BENCH_HOLD:-600}
[[ $tunnels =~ ^[1-9][0-9]{0,3}$ ]] || die "BENCH_TUNNELS must be 1 to 9999, not '$tunnels'"
[[ $sessions =~ ^[1-9][0-9]{0,2}$ ]] || die "BENCH_SESSIONS must be 1 to 999, not '$sessions'"
[[ $hold =~ ^[0-9]+$ ]] && [ "$hold" -ge 60 ] || die "BENCH_HOLD must be at least 60 seconds, not '$hold'"
total=$((tunnels * sessions))
echo "bench: in the VM: Linux $(uname -r) under QEMU (TCG), $(nproc) CPU(s), $(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024)) MiB," \
	"$(pppd --version 2>&1 | head -n 1), $(xl2tpd -v 2>&1 | grep -o 'xl2tpd-[0-9.]*')"
echo "bench: $tunnels tunnels x $sessions sessions = $total, held $hold s"
echo "bench: each LNS starts one pppd a session: xl2tpd as each call connects, l2tpkd at most" \
	"pppd-start-limit (its default, 8) starting at once, the others waiting their turn"

bench_net

# sample DAEMON_PID: one line of figures, "key=value" words:
# daemon_cpu (clock ticks), daemon_rss, daemon_pss (KiB), pppd (how many in lns), pppd_cpu,
# pppd_pss, pppd_rss, mem_available (KiB).
sample() {
	python3 - "$1" $(ip netns pids lns) <<'PY'
import os, sys

def cpu(pid):
    fields = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])

def kib(path, key):
    for line in open(path):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0

daemon, others = sys.argv[1], sys.argv[2:]
out = {"daemon_cpu": cpu(daemon), "daemon_rss": kib("/proc/%s/status" % daemon, "VmRSS"),
       "daemon_pss": kib("/proc/%s/smaps_rollup" % daemon, "Pss"),
       "pppd": 0, "pppd_cpu": 0, "pppd_pss": 0, "pppd_rss": 0,
       "mem_available": kib("/proc/meminfo", "MemAvailable")}
for pid in others:
    try:
        if open("/proc/%s/comm" % pid).read().strip() != "pppd":
            continue
        out["pppd_cpu"] += cpu(pid)
        out["pppd_pss"] += kib("/proc/%s/smaps_rollup" % pid, "Pss")
        out["pppd_rss"] += kib("/proc/%s/status" % pid, "VmRSS")
        out["pppd"] += 1
    except OSError:
        pass
print(" ".join("%s=%d" % kv for kv in out.items()))
PY
}

# pppd_all_after NAME: seconds from now until a pppd runs in lns for every session, or "-" if
# the generator NAME ends or 1,200 s pass first.
pppd_all_after() {
	local t0 lg
	t0=$(_vm_usec)
	lg=$(cat "$SCRATCH/loadgen-$1.pid")
	while [ "$(count_pppd lns)" -lt "$total" ]; do
		kill -0 "$lg" 2>/dev/null && [ $(($(_vm_usec) - t0)) -lt 1200000000 ] || { echo -; return; }
		sleep 0.2
	done
	_vm_secs $(($(_vm_usec) - t0))
}

# measure NAME DAEMON_PID: the generator against the LNS that runs as DAEMON_PID, its samples
# and report in $SCRATCH/NAME.*. The LNS must be ready.
measure() {
	local name=$1 pid=$2 before at_hold after pppd_all
	sleep 2
	before=$(sample "$pid")
	# The generator holds until told to stop (SIGTERM), HOLD seconds after every pppd runs:
	# pppd start well after their sessions are set up.
	spawn "loadgen-$name" in_lac "$BUILD/tests/bench/loadgen" --lns 10.0.0.2 --local "$locals" \
		--tunnels "$tunnels" --sessions "$sessions" --hold $((hold + 1300)) --timeout 1200
	pppd_all=$(pppd_all_after "$name")
	wait_for 1300 "the generator holding (or done)" \
		bash -c "grep -q 'holding' '$SCRATCH/loadgen-$name.log' || ! kill -0 $(cat "$SCRATCH/loadgen-$name.pid")"
	sleep 10
	at_hold=$(sample "$pid")
	sleep $((hold - 40))
	after=$(sample "$pid")
	sleep 30
	kill -TERM "$(cat "$SCRATCH/loadgen-$name.pid")" 2>/dev/null || true
	wait_for 120 "the generator done" bash -c "! kill -0 $(cat "$SCRATCH/loadgen-$name.pid") 2>/dev/null"
	grep '^loadgen:' "$SCRATCH/loadgen-$name.log" | tail -n 20 | sed 's/^/    /'
	report "$name" "$(grep '^loadgen: tunnels=' "$SCRATCH/loadgen-$name.log" | tail -n 1)" \
		"$before" "$at_hold" "$after" $((hold - 40)) "$pppd_all" \
		"$(sed -n 's/^loadgen: .*control messages sent: \([0-9]*\), retransmitted: \([0-9]*\).*/sent=\1 retransmitted=\2/p' \
			"$SCRATCH/loadgen-$name.log" | tail -n 1)" >"$SCRATCH/$name.report"
	cat "$SCRATCH/$name.report"
}

# report NAME LOADGEN_LINE BEFORE AT_HOLD AFTER WINDOW_S PPPD_ALL_S LAC_MESSAGES: the "bench:"
# lines of one LNS.
report() {
	python3 - "$@" "$(getconf CLK_TCK)" <<'PY'
import sys
name, line, before, held, after, window, pppd_all, lac, hz = sys.argv[1:10]
def kv(s):
    return dict(w.split("=", 1) for w in s.split() if "=" in w)
g, b, h, a = kv(line.replace("loadgen: ", "")), kv(before), kv(held), kv(after)
b, h, a = ({k: int(v) for k, v in d.items()} for d in (b, h, a))
up = int(g.get("sessions_up", 0))
window, hz = float(window), float(hz)
per = lambda x: x / up if up else float("nan")
print("bench: %s: %s of %s sessions up in %s tunnels, %s refused; pppd started: %u" % (
    name, up, g.get("sessions"), g.get("tunnels_up"), g.get("refused"), h["pppd"]))
print("bench: %s: setup rate %s sessions/s; time to 1,000 sessions %s s, to all %s s" % (
    name, g.get("rate"), g.get("t_1000"), g.get("t_all")))
m = kv(lac)
print("bench: %s: the LACs' control messages: %s sent during the setup and %s retransmissions besides; "
      "%s sent in all and %s retransmissions (an LNS that answers late is sent them again)" % (
    name, g.get("setup_sent", "?"), g.get("setup_retransmitted", "?"), m.get("sent", "?"),
    m.get("retransmitted", "?")))
print("bench: %s: a pppd running for every session after %s s (%s a second); the daemon's CPU "
      "per session set up: %.1f ms" % (
    name, pppd_all, "%.1f" % (up / float(pppd_all)) if pppd_all != "-" else "-",
    1000 * per(h["daemon_cpu"] - b["daemon_cpu"]) / hz))
print("bench: %s: memory per session held: daemon %.1f KiB (resident growth), pppd %.0f KiB "
      "(PSS; RSS %.0f KiB), whole VM %.0f KiB" % (
    name, per(h["daemon_rss"] - b["daemon_rss"]), per(h["pppd_pss"]), per(h["pppd_rss"]),
    per(b["mem_available"] - h["mem_available"])))
print("bench: %s: hold: %s sessions and %s tunnels torn down; idle CPU over %.0f s: daemon %.2f%%, "
      "all pppd %.2f%% of one CPU; pppd left at the end of the hold: %u" % (
    name, g.get("sessions_down"), g.get("tunnels_down"), window,
    100 * (a["daemon_cpu"] - h["daemon_cpu"]) / hz / window,
    100 * (a["pppd_cpu"] - h["pppd_cpu"]) / hz / window, a["pppd"]))
PY
}

# (1) l2tpkd's LNS, default limits (none).
bench_l2tpkd_lns
measure l2tpkd "$(cat "$SCRATCH/l2tpkd-lns.pid")"
stop l2tpkd-lns
wait_for 120 "no pppd left in lns" pppd_is lns 0

# (2) xl2tpd's LNS.
bench_xl2tpd_lns lns-xl2tpd
measure xl2tpd "$(cat "$SCRATCH/lns-xl2tpd.pid")"
stop lns-xl2tpd

python3 - "$SCRATCH/l2tpkd.report" "$SCRATCH/xl2tpd.report" <<'PY'
import re, sys
def figure(path, pattern):
    m = re.search(pattern, open(path).read())
    return float(m.group(1)) if m else 0.0
rate = r"setup rate ([0-9.]+) sessions/s"
pppd = r"a pppd running for every session after ([0-9.]+) s"
ours, theirs = figure(sys.argv[1], rate), figure(sys.argv[2], rate)
if theirs:
    r = ours / theirs
    print("bench: setup rate l2tpkd / xl2tpd: %.1f (target at least 3: %s)" % (r, "met" if r >= 3 else "missed"))
else:
    print("bench: setup rate l2tpkd / xl2tpd: xl2tpd set up no session")
# The sessions' PPP waits for their pppd either way: that time is bounded by pppd's own start.
ours, theirs = figure(sys.argv[1], pppd), figure(sys.argv[2], pppd)
if ours and theirs:
    print("bench: time until every session has its pppd, xl2tpd / l2tpkd: %.2f (above 1: l2tpkd "
          "sooner)" % (theirs / ours))
PY
