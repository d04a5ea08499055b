#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile input to a running l2tpkd LNS that carries live sessions: truncated and oversized
# datagrams, bad AVP lengths, unknown mandatory AVPs, messages for unknown tunnels and
# sessions, and an SCCRQ flood over max-tunnels (at least 1,000 a second from 200 ports),
# all from a third host (tests/vm/hostile.py checks each answer against RFC 2661).
# Throughout, the daemon stays up, l2tpctl answers promptly, the live sessions keep passing
# ping, and the daemon's peak resident memory stays within RSS_GROWTH_MAX_KIB of what it was
# before: max-tunnels bounds what it keeps, refused SCCRQs leave nothing. Afterwards the
# live sessions are still established.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"

vm_netns_pair
vm_netns evil
vm_link evil lns 1 # evil 10.0.1.1, LNS 10.0.1.2

cat >"$SCRATCH/lns.options" <<OPT
noauth
nodefaultroute
OPT
cat >"$SCRATCH/lac.options" <<OPT
noauth
noipdefault
ipcp-accept-local
nodefaultroute
OPT
cat >"$SCRATCH/lns.conf" <<CONF
[global]
host-name = lns
listen = 10.0.0.2:1701, 10.0.1.2:1701
[lns]
max-tunnels = 16
local-ip = 10.1.0.1
ip-pool = 10.1.0.10-10.1.0.50
pppd-options = $SCRATCH/lns.options
[peer lac]
address = 10.0.0.1
secret = live-secret
CONF
cat >"$SCRATCH/lac.conf" <<CONF
[global]
host-name = lac
listen = 10.0.0.1:1701
[lns]
accept = no
[peer lns]
address = 10.0.0.2
secret = live-secret
pppd-options = $SCRATCH/lac.options
CONF

l2tpkd_start lns
l2tpkd_start lac
assert "session add 1" ctl lac session add peer lns
assert "session add 2" ctl lac session add peer lns
wait_for 60 "2 PPP links up in lac" ppp_links_is lac 2
wait_for 30 "2 PPP links up in lns" ppp_links_is lns 2
ifs=$(ppp_ifaces lac)
for ifc in $ifs; do
	wait_for 30 "$ifc has an address" ppp_iface_addr lac "$ifc"
done
live_before=$(ctl_sessions lns)
# status_kib FIELD: a line of the LNS daemon's /proc status, in KiB.
status_kib() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$(cat "$SCRATCH/l2tpkd-lns.pid")/status"; }
RSS_GROWTH_MAX_KIB=4096
# AddressSanitizer (scripts/soak asan) keeps freed memory in quarantine and maps shadow for
# it: there the resident size says little of the daemon's own use, so only a loose bound.
if ldd "$BUILD/l2tpkd" | grep -q libasan; then
	RSS_GROWTH_MAX_KIB=65536
fi
echo 5 >"/proc/$(cat "$SCRATCH/l2tpkd-lns.pid")/clear_refs" # VmHWM from now on
rss_before=$(status_kib VmRSS)
# udp_rcvbuf_errors: datagrams the LNS namespace's kernel dropped for a full socket buffer.
udp_rcvbuf_errors() { in_lns awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $6 }' /proc/net/snmp; }
drops_before=$(udp_rcvbuf_errors)

# Live traffic and l2tpctl probes for the whole attack.
for ifc in $ifs; do
	spawn "ping-$ifc" in_lac ping -i 0.2 -W 1 -I "$ifc" 10.1.0.1
done
cat >"$SCRATCH/ctl-probe.sh" <<'PROBE'
#!/bin/bash
# One line per l2tpctl round trip: exit status and milliseconds.
while :; do
	t0=$(date +%s%N)
	ip netns exec lns "$BUILD/l2tpctl" -s "$SCRATCH/lns.sock" tunnel show >/dev/null 2>&1
	rc=$?
	echo "$rc $(( ($(date +%s%N) - t0) / 1000000 ))"
	sleep 0.5
done
PROBE
chmod +x "$SCRATCH/ctl-probe.sh"
spawn ctl-probe env BUILD="$BUILD" SCRATCH="$SCRATCH" "$SCRATCH/ctl-probe.sh"

assert "hostile input answered as RFC 2661 says" \
	in_ns evil python3 "$TOP/tests/vm/hostile.py" --target 10.0.1.2 \
	--expect-max-tunnels 16 --existing-tunnels 1 --flood 2000 --flood-min-rate 1000
peak=$(status_kib VmHWM)
log "datagrams the kernel dropped at the LNS for a full receive buffer: $(($(udp_rcvbuf_errors) - drops_before))"
log "LNS daemon memory: $rss_before KiB resident before the attack, peak $peak KiB (bound: +$RSS_GROWTH_MAX_KIB KiB)"
assert "the daemon's memory stayed within its bound" test "$((peak - rss_before))" -le "$RSS_GROWTH_MAX_KIB"

stop ctl-probe
assert "the LNS daemon survived" running l2tpkd-lns
assert "the LAC daemon survived" running l2tpkd-lac
probes=$(wc -l <"$SCRATCH/ctl-probe.log")
slow=$(awk '$1 != 0 || $2 > 5000' "$SCRATCH/ctl-probe.log" | wc -l)
log "l2tpctl during the attack: $probes round trips, slowest $(sort -k2 -n "$SCRATCH/ctl-probe.log" | tail -n 1 | cut -d' ' -f2) ms"
assert "l2tpctl answered during the attack" test "$probes" -ge 10
assert "every l2tpctl round trip succeeded within 5 s (TCG emulation)" test "$slow" -eq 0

for ifc in $ifs; do
	stop "ping-$ifc"
	sent=$(grep -c 'icmp_seq=' "$SCRATCH/ping-$ifc.log" || true)
	log "ping over $ifc during the attack: $sent replies"
	assert "ping kept passing over $ifc" test "$sent" -ge 20
done
assert "the live sessions are the same ones" test "$(ctl_sessions lns)" = "$live_before"
for ifc in $ifs; do
	assert "ping over $ifc after the attack" in_lac ping -c 3 -W 2 -I "$ifc" 10.1.0.1
done
assert_kernel_agrees lns
log "hostile: ok"
