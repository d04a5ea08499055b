#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/bench failover, in the VM: one l2tpkd LAC and two l2tpkd LNS, group "g" with A at
# priority 1 and B at priority 2, both reached over veth links. Measured on the LAC's wire
# (tcpdump, then tshark):
#  1. refusal: A, draining, answers the ICRQ on its tunnel with CDN 2/7; the call fails over
#     to B's established tunnel: from the CDN's arrival to our ICCN to B, that exchange's
#     round trip (ICRQ -> ICRP) and the rest, our processing. RUNS times.
#  2. no answer: A's daemon is dead and the LAC has no tunnel to it: from the first SCCRQ to A
#     to the ICCN to B, with the group's SCCRQ retries (default 5).
# Prints "bench: ..." lines that scripts/bench collects.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"

runs=${BENCH_RUNS:-20}
echo "bench: in the VM: Linux $(uname -r) under QEMU (TCG), $(nproc) CPU(s)"

vm_netns lac
vm_netns lnsa
vm_netns lnsb
vm_link lac lnsa 1
vm_link lac lnsb 2
pppd_options
lns_conf lnsa 1 0
lns_conf lnsb 2 0
cat >"$SCRATCH/lac.conf" <<CONF
[global]
host-name = lac
listen = 0.0.0.0:1701
[lns]
accept = no
[group g]
lns = lnsa priority 1
lns = lnsb priority 2
[peer lnsa]
address = 10.0.1.2
secret = secret-lnsa
pppd-options = $SCRATCH/lac.options
[peer lnsb]
address = 10.0.2.2
secret = secret-lnsb
pppd-options = $SCRATCH/lac.options
CONF
for ns in lnsa lnsb lac; do
	l2tpkd_start "$ns"
done
spawn tcpdump in_lac tcpdump -i any -n -s 256 -w "$SCRATCH/failover.pcap" udp port 1701
sleep 1

# A tunnel to each: A takes the first call; draining, it sends the second to B.
assert "call on A" ctl lac session add group g
wait_for 60 "PPP up on A" ppp_links_is lnsa 1
assert "drain A" ctl lnsa drain on
assert "call to B" ctl lac session add group g
wait_for 60 "PPP up on B" ppp_links_is lnsb 1

# 1. Each call tries A first (its busy mark cleared), is refused, lands on B.
for ((i = 2; i <= runs + 1; i++)); do
	assert "clear A's busy mark" ctl lac peer clear-busy address 10.0.1.2
	assert "call $i" ctl lac session add group g
	wait_for 60 "call $i on B" ppp_links_is lnsb "$i"
done

# 2. A dies; the LAC's tunnel to it is cleared, so the next call starts with an SCCRQ to A.
kill -KILL "$(cat "$SCRATCH/l2tpkd-lnsa.pid")"
tid=$(ctl_json lac tunnel show | jget "[t['tunnel_id'] for t in j if t['peer_address'] == '10.0.1.2'][0]")
assert "clear the tunnel to A" ctl lac tunnel del "$tid"
assert "clear A's busy mark" ctl lac peer clear-busy address 10.0.1.2
sleep 1
assert "call after A died" ctl lac session add group g
wait_for 120 "the call on B" ppp_links_is lnsb $((runs + 2))
sleep 1
stop tcpdump

tshark -r "$SCRATCH/failover.pcap" -Y l2tp -T fields -E 'separator=|' \
	-e frame.time_epoch -e ip.src -e ip.dst -e l2tp.avp.message_type -e l2tp.avp.assigned_tunnel_id \
	>"$SCRATCH/failover.txt" 2>/dev/null || die "tshark could not read the capture"
python3 - "$SCRATCH/failover.txt" "$runs" <<'PY' || die "the capture does not show the failovers"
import statistics, sys

A, B = "10.0.1.2", "10.0.2.2"
CDN, ICRQ, ICRP, ICCN, SCCRQ = 14, 10, 11, 12, 1
frames = []
tunnel_of = {}  # frame index -> the Assigned Tunnel ID it carries (SCCRQ)
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("|")
    if len(f) < 5 or not f[3]:
        continue  # a ZLB: no message type
    if f[4]:
        tunnel_of[len(frames)] = f[4]
    frames.append((float(f[0]), f[1], f[2], int(f[3].split(",")[0])))
runs = int(sys.argv[2])

def after(i, src, dst, mtype):
    for j in range(i + 1, len(frames)):
        if frames[j][1:] == (src, dst, mtype):
            return j
    sys.exit("no message %d from %s to %s after frame %d" % (mtype, src, dst, i))

total, rtt, work = [], [], []
for i, (t, src, dst, mtype) in enumerate(frames):
    if (src, mtype) == (A, CDN):
        q = after(i, "10.0.2.1", B, ICRQ)
        if any(f[2] == B and f[3] == SCCRQ for f in frames[i:q]):
            continue  # B's tunnel was not up yet: not the case measured
        p = after(q, B, "10.0.2.1", ICRP)
        c = after(p, "10.0.2.1", B, ICCN)
        total.append((frames[c][0] - t) * 1000)
        rtt.append((frames[p][0] - frames[q][0]) * 1000)
        work.append(total[-1] - rtt[-1])
if len(total) < runs:
    sys.exit("%d refusals found, %d expected" % (len(total), runs))
med = statistics.median
print("bench: failover on refusal (CDN 2/7 from A, call placed on B's established tunnel), %d runs:" % len(total))
print("bench:   CDN arrival -> ICCN to B: median %.2f ms (min %.2f, max %.2f)" % (med(total), min(total), max(total)))
print("bench:   of which the ICRQ/ICRP round trip: median %.2f ms" % med(rtt))
print("bench:   l2tpkd processing (the rest): median %.2f ms (min %.2f, max %.2f); target < 5 ms: %s"
      % (med(work), min(work), max(work), "met" if med(work) < 5 else "MISSED"))
sccrqs = [i for i, f in enumerate(frames) if f[2] == A and f[3] == SCCRQ]
# The last tunnel we tried to open to A, every transmission of its SCCRQ.
last_burst = [i for i in sccrqs if tunnel_of.get(i) == tunnel_of.get(sccrqs[-1])]
first = last_burst[0]
q = after(last_burst[-1], "10.0.2.1", B, ICRQ)
c = after(q, "10.0.2.1", B, ICCN)
t0 = frames[first][0]
print("bench: failover on no answer (SCCRQ to A sent %d times, 5 retries configured): first SCCRQ -> ICCN to B: %.2f s"
      % (len(last_burst), frames[c][0] - t0))
print("bench:   SCCRQ sent at %s s; ICRQ to B at %.2f s (RFC 2661 schedule: retries after 1, 2, 4, 8, 8 s,"
      " given up 8 s after the last: 31 s)" % (", ".join("%.2f" % (frames[i][0] - t0) for i in last_burst), frames[q][0] - t0))
PY
log "bench failover: ok"
