# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# lns.sh - the LNS under load that the setup and tunnels parts share, sourced after lib.sh and
# l2tpkd.sh. The LACs are tests/bench/loadgen in the namespace lac; the LNS runs in lns.
#
#   bench_net             the namespaces of vm_netns_pair, 20 more LAC addresses (10.0.0.101
#                         to 120, listed in $locals for loadgen --local), /run/lock (Debian's
#                         /etc/ppp/options says "lock" and the guest's /run is new) and
#                         $SCRATCH/lns.ppp: pppd without authentication, "passive" (the
#                         generator speaks no PPP, so pppd keeps waiting for an LCP peer).
#   bench_l2tpkd_lns [PREFIX...]
#                         starts l2tpkd as the LNS in lns (spawn name l2tpkd-lns, control
#                         socket $SCRATCH/lns.sock) and waits until it answers; PREFIX, if
#                         given, is a command that runs it (e.g. prlimit --nofile=...).
#   bench_xl2tpd_lns NAME [PREFIX...]
#                         the same for xl2tpd, with the kernel's data path (its default where
#                         the kernel has one), spawned as NAME, control FIFO $SCRATCH/lns.ctl.
# Both hand out addresses from 10.2.0.1-10.2.255.254, their own PPP end 10.1.0.1.

bench_net() {
	local i
	vm_netns_pair
	locals=
	for i in $(seq 101 120); do
		ip -n lac addr add "10.0.0.$i/24" dev to-lns
		locals+=${locals:+,}10.0.0.$i
	done
	mkdir -p /run/lock
	cat >"$SCRATCH/lns.ppp" <<OPT
noauth
nodefaultroute
noccp
passive
lcp-echo-interval 0
OPT
}

bench_l2tpkd_lns() {
	cat >"$SCRATCH/lns.conf" <<CONF
[global]
host-name = lns
listen = 10.0.0.2:1701
[lns]
accept-from = 10.0.0.0/24
local-ip = 10.1.0.1
ip-pool = 10.2.0.1-10.2.255.254
pppd-options = $SCRATCH/lns.ppp
CONF
	spawn l2tpkd-lns "$@" ip netns exec lns "$BUILD/l2tpkd" -c "$SCRATCH/lns.conf" \
		-s "$SCRATCH/lns.sock" --log-target stderr
	wait_for 30 "l2tpkd in lns answers" ctl lns version
}

bench_xl2tpd_lns() {
	local name=$1
	shift
	cat >"$SCRATCH/lns-xl2tpd.conf" <<CONF
[global]
listen-addr = 10.0.0.2
port = 1701
[lns default]
local ip = 10.1.0.1
ip range = 10.2.0.1-10.2.255.254
require authentication = no
pppoptfile = $SCRATCH/lns.ppp
length bit = yes
CONF
	rm -f "$SCRATCH/lns.ctl"
	spawn "$name" "$@" ip netns exec lns xl2tpd -D -c "$SCRATCH/lns-xl2tpd.conf" \
		-p "$SCRATCH/$name.pidfile" -C "$SCRATCH/lns.ctl"
	wait_for 20 "xl2tpd in lns listening on its control FIFO" test -p "$SCRATCH/lns.ctl"
}
