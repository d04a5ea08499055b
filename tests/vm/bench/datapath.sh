#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/bench datapath, in the VM: what one PPP session carries, iperf3 TCP for SECS
# seconds from the LAC's namespace to the LNS's, over the same veth:
#  (1) two l2tpkd: the kernel's L2TP data path (l2tp_ppp), pppd only negotiating;
#  (2) two xl2tpd with "force userspace = yes": pppd on a pty, every frame copied through
#      xl2tpd in user space (the kernel holds no L2TP tunnel, checked), pppd given the PPP
#      MTU l2tpkd chose for (1);
#  (3) the link's limit: iperf3 UDP at full speed straight over the veth (the receiver's
#      rate), and TCP over the veth for comparison.
# Printed: each rate in Mbit/s and the ratios kernel / xl2tpd (target at least 5) and kernel /
# plain UDP (target at least 0.8). The VM runs under QEMU's emulation: absolute rates are far
# below real hardware's, ratios are what to read. Prints "bench: ..." lines for scripts/bench.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"
. "$TOP/tests/vm/xl2tpd.sh"

secs=${BENCH_SECS:-10}
[[ $secs =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECS must be a positive number, not '$secs'"
echo "bench: in the VM: Linux $(uname -r) under QEMU (TCG), $(nproc) CPU(s), $(iperf3 --version | head -n 1)"

# iperf_mbits JSON_FILE: the rate the receiver saw, in Mbit/s (UDP: the sender's rate less
# what was lost).
iperf_mbits() {
	python3 - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
end = j["end"]
if "sum_received" in end:
    bps = end["sum_received"]["bits_per_second"]
else:
    s = end["sum"]
    bps = s["bits_per_second"] * (1 - s.get("lost_percent", 0) / 100)
print("%.1f" % (bps / 1e6))
PY
}

# iperf_run LABEL ARGS...: iperf3 ARGS from lac for SECS seconds; its JSON report goes to
# $SCRATCH/iperf-LABEL.json, or the bench dies.
iperf_run() {
	local label=$1
	shift
	in_lac iperf3 "$@" -t "$secs" -J >"$SCRATCH/iperf-$label.json" 2>"$SCRATCH/iperf-$label.err" ||
		die "$label: iperf3 $* failed: $(cat "$SCRATCH/iperf-$label.err")"
}

vm_netns_pair
spawn iperf-server in_lns iperf3 -s
wait_for 10 "iperf3 listening in lns" in_lns bash -c 'ss -ltn | grep -q ":5201 "'

# (1) two l2tpkd, the kernel's data path.
pair_confs datapath-secret
l2tpkd_start lns
l2tpkd_start lac
assert "session add" ctl lac session add peer lns
wait_for 60 "PPP up in lac" ppp_links_is lac 1
ifc=$(ppp_ifaces lac)
wait_for 30 "$ifc has an address" ppp_iface_addr lac "$ifc"
assert "the kernel carries the session" kernel_sessions_is lns 1
mtu=$(iface_mtu lac "$ifc")
iperf_run l2tpkd -c 10.1.0.1
kernel=$(iperf_mbits "$SCRATCH/iperf-l2tpkd.json")
log "l2tpkd (kernel data path): $kernel Mbit/s, PPP MTU $mtu"
stop l2tpkd-lac
stop l2tpkd-lns
wait_for 30 "no PPP link left in lac" ppp_links_is lac 0
wait_for 30 "no pppd left in lns" pppd_is lns 0

# (2) two xl2tpd in user space. pppd runs on a pty there, and Debian's /etc/ppp/options
# says "lock": its lock directory must exist (the guest's /run is new). xl2tpd leaves pppd's
# MTU at 1500, whose full-size frames would leave in two fragments: its pppd is given the MTU
# l2tpkd gives its own, as an xl2tpd operator would configure it.
mkdir -p /run/lock
cat >"$SCRATCH/lns.ppp" <<OPT
noauth
noccp
nodefaultroute
mtu $mtu
mru $mtu
logfile $SCRATCH/lns-pppd.log
OPT
cat >"$SCRATCH/lac.ppp" <<OPT
noauth
noccp
nodefaultroute
noipdefault
ipcp-accept-local
ipcp-accept-remote
mtu $mtu
mru $mtu
logfile $SCRATCH/lac-pppd.log
OPT
cat >"$SCRATCH/lns-xl2tpd.conf" <<CONF
[global]
listen-addr = 10.0.0.2
port = 1701
force userspace = yes
[lns default]
local ip = 10.1.0.1
ip range = 10.1.0.30-10.1.0.39
require authentication = no
pppoptfile = $SCRATCH/lns.ppp
length bit = yes
CONF
cat >"$SCRATCH/lac-xl2tpd.conf" <<CONF
[global]
listen-addr = 10.0.0.1
port = 1701
force userspace = yes
[lac bench]
lns = 10.0.0.2
require authentication = no
pppoptfile = $SCRATCH/lac.ppp
length bit = yes
autodial = no
redial = no
CONF
for ns in lns lac; do
	spawn "$ns-xl2tpd" in_ns "$ns" xl2tpd -D -c "$SCRATCH/$ns-xl2tpd.conf" -p "$SCRATCH/$ns-xl2tpd.pid" \
		-C "$SCRATCH/$ns.ctl"
	wait_for 20 "xl2tpd in $ns listening on its control FIFO" test -p "$SCRATCH/$ns.ctl"
	assert "xl2tpd in $ns does not use the kernel" grep -q 'Not looking for kernel support' "$SCRATCH/$ns-xl2tpd.log"
done
xl2tpd_ctl lac "c bench"
wait_for 60 "PPP up in lac" ppp_links_is lac 1
ifc=$(ppp_ifaces lac)
wait_for 30 "$ifc has an address" ppp_iface_addr lac "$ifc"
assert "xl2tpd in user space: no L2TP tunnel in either kernel" \
	test -z "$(ip -n lns l2tp show tunnel)$(ip -n lac l2tp show tunnel)"
iperf_run xl2tpd -c 10.1.0.1
user=$(iperf_mbits "$SCRATCH/iperf-xl2tpd.json")
log "xl2tpd (user space): $user Mbit/s"
stop lac-xl2tpd
stop lns-xl2tpd

# (3) the link itself.
iperf_run udp -c 10.0.0.2 -u -b 0 -l 1400
udp=$(iperf_mbits "$SCRATCH/iperf-udp.json")
iperf_run veth -c 10.0.0.2
veth_tcp=$(iperf_mbits "$SCRATCH/iperf-veth.json")
stop iperf-server

python3 - "$kernel" "$user" "$udp" "$veth_tcp" "$secs" "$mtu" <<'PY'
import sys
kernel, user, udp, tcp = map(float, sys.argv[1:5])
secs, mtu = sys.argv[5:7]
print("bench: iperf3 for %s s from namespace lac to lns, one PPP session (TCP), Mbit/s as received" % secs)
print("bench: PPP MTU %s on both sessions (l2tpkd's own, from the path; xl2tpd's pppd given the same)" % mtu)
print("bench: %-44s %10.1f" % ("l2tpkd, the kernel's L2TP data path", kernel))
print("bench: %-44s %10.1f" % ("xl2tpd, force userspace = yes", user))
print("bench: %-44s %10.1f" % ("plain UDP over the veth (iperf3 -u -b 0)", udp))
print("bench: %-44s %10.1f" % ("plain TCP over the veth", tcp))
r1 = kernel / user if user else float("inf")
r2 = kernel / udp if udp else float("inf")
print("bench: kernel / xl2tpd user space: %.1f (target at least 5: %s)" % (r1, "met" if r1 >= 5 else "missed"))
print("bench: kernel / plain UDP: %.2f (target at least 0.8: %s)" % (r2, "met" if r2 >= 0.8 else "missed"))
PY
