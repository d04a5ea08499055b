# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# l2tpkd.sh - helpers for the scenarios that run l2tpkd, sourced after lib.sh:
#     . "$TOP/tests/vm/lib.sh"; . "$TOP/tests/vm/l2tpkd.sh"
#
# CONFIGURATION
#   pair_confs SECRET     writes $SCRATCH/lns.conf, lac.conf and their pppd options for the
#                         pair of vm_netns_pair: an LNS on 10.0.0.2 handing out 10.1.0.10-50
#                         (its own end 10.1.0.1), an LAC on 10.0.0.1 with [peer lns]; the
#                         tunnel authenticated with SECRET.
#
#   pppd_options          writes $SCRATCH/lns.options and lac.options (no PPP authentication,
#                         the LAC takes the address the LNS gives).
#   lns_conf NS N MAX     writes $SCRATCH/NS.conf: an LNS on 10.0.N.2 (vm_link lac NS N)
#                         accepting at most MAX sessions (0: no limit), its PPP end 10.1N.0.1
#                         handing out 10.1N.0.10-50, [peer lac] 10.0.N.1 with secret
#                         "secret-NS".
#
# DAEMONS (one per network namespace; its files are $SCRATCH/NS.conf, NS.sock, NS.log)
#   l2tpkd_start NS       starts l2tpkd in NS with $SCRATCH/NS.conf (debug log to
#                         $SCRATCH/l2tpkd-NS.log) and waits until its control socket answers.
#   ctl NS ARGS...        l2tpctl against NS's daemon (text output).
#   ctl_json NS ARGS...   the same with -j.
#   jcount                reads a JSON array on stdin, prints its length.
#   jget EXPR             reads JSON on stdin, prints the Python expression EXPR of it (j).
#
# CHECKS (the *_is forms are for wait_for, which runs its command again and again)
#   count_pppd NS         prints how many pppd processes run in NS.
#   daemon_fds NS         prints how many file descriptors NS's l2tpkd holds.
#   daemon_vault_fds NS   prints how many of them are unix datagram sockets: the fd vault's
#                         socket pairs (two per bucket holding a live file), when the daemon
#                         logs to a file, not the journal.
#   ctl_tunnel_count NS   prints how many tunnels NS's l2tpkd lists, closing ones included.
#   pppd_is NS N          true if N pppd processes run in NS.
#   ppp_links_is NS N     true if NS has N PPP interfaces.
#   test_tunnels_is NS N  true if NS's l2tpkd has N established tunnels.
#   kernel_sessions_is NS N
#                         true if the kernel of NS has N sessions.
#   kernel_tunnels NS     prints the kernel's tunnel IDs in NS, sorted, one a line.
#   kernel_sessions NS    prints the kernel's "tunnel/session" IDs in NS, sorted.
#   ctl_tunnels NS        prints the daemon's established tunnel IDs, sorted.
#   ctl_sessions NS       prints the daemon's established "tunnel/session" IDs, sorted.
#   assert_kernel_agrees NS
#                         the kernel's tunnels and sessions are exactly the daemon's.
#   assert_clean NS       no tunnel or session in the daemon or the kernel, no pppd, no ppp
#                         interface left in NS.

pppd_options() {
	cat >"$SCRATCH/lns.options" <<OPT
noauth
nodefaultroute
lcp-echo-interval 0
OPT
	cat >"$SCRATCH/lac.options" <<OPT
noauth
noipdefault
ipcp-accept-local
nodefaultroute
lcp-echo-interval 0
OPT
}

lns_conf() {
	cat >"$SCRATCH/$1.conf" <<CONF
[global]
host-name = $1
listen = 10.0.$2.2:1701
[lns]
accept-from = 10.0.$2.0/24
max-sessions = $3
local-ip = 10.1$2.0.1
ip-pool = 10.1$2.0.10-10.1$2.0.50
pppd-options = $SCRATCH/lns.options
[peer lac]
address = 10.0.$2.1
secret = secret-$1
CONF
}

pair_confs() {
	local secret=$1
	pppd_options
	cat >"$SCRATCH/lns.conf" <<CONF
[global]
host-name = lns
listen = 10.0.0.2:1701
[lns]
accept-from = 10.0.0.0/24
local-ip = 10.1.0.1
ip-pool = 10.1.0.10-10.1.0.50
pppd-options = $SCRATCH/lns.options
[peer lac]
address = 10.0.0.1
secret = $secret
CONF
	cat >"$SCRATCH/lac.conf" <<CONF
[global]
host-name = lac
listen = 10.0.0.1:1701
[lns]
accept = no
[peer lns]
address = 10.0.0.2
secret = $secret
pppd-options = $SCRATCH/lac.options
CONF
}

l2tpkd_start() {
	local ns=$1
	spawn "l2tpkd-$ns" in_ns "$ns" "$BUILD/l2tpkd" -c "$SCRATCH/$ns.conf" -s "$SCRATCH/$ns.sock" \
		--log-target stderr -d
	wait_for 30 "l2tpkd in $ns answers" ctl "$ns" version
}

ctl() {
	local ns=$1
	shift
	in_ns "$ns" "$BUILD/l2tpctl" -s "$SCRATCH/$ns.sock" "$@"
}

ctl_json() {
	local ns=$1
	shift
	in_ns "$ns" "$BUILD/l2tpctl" -j -s "$SCRATCH/$ns.sock" "$@"
}

jcount() { python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
jget() { python3 -c "import json,sys; j = json.load(sys.stdin); print($1)"; }

count_pppd() {
	local ns=$1 n=0 pid
	for pid in $(ip netns pids "$ns"); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = pppd ] && n=$((n + 1))
	done
	echo "$n"
}

# The daemon of NS's open file descriptors.
daemon_fds() { ls "/proc/$(cat "$SCRATCH/l2tpkd-$1.pid")/fd" | wc -l; }
daemon_vault_fds() {
	local pid
	pid=$(cat "$SCRATCH/l2tpkd-$1.pid")
	# /proc/PID/net/unix: Num RefCount Protocol Flags Type St Inode; type 0002 is SOCK_DGRAM.
	find "/proc/$pid/fd" -mindepth 1 -printf '%l\n' |
		awk -F'[][]' 'NR == FNR { if ($1 == "socket:") want[$2] = 1; next }
			      $5 == "0002" && ($7 in want) { n++ } END { print n + 0 }' - \
			FS=' ' "/proc/$pid/net/unix"
}
# Tunnels the daemon of NS still lists (closing ones stay a retransmission cycle).
ctl_tunnel_count() { ctl_json "$1" tunnel show | jcount; }

pppd_is() { [ "$(count_pppd "$1")" -eq "$2" ]; }
ppp_links_is() { [ "$(ppp_ifaces "$1" | wc -l)" -eq "$2" ]; }
kernel_sessions_is() { [ "$(kernel_sessions "$1" | wc -l)" -eq "$2" ]; }
kernel_tunnels_is() { [ "$(kernel_tunnels "$1" | wc -l)" -eq "$2" ]; }

test_tunnels_is() { [ "$(ctl_tunnels "$1" | wc -l)" -eq "$2" ]; }

kernel_tunnels() {
	in_ns "$1" ip l2tp show tunnel | awk '$1 == "Tunnel" { sub(",", "", $2); print $2 }' | sort -n
}

kernel_sessions() {
	in_ns "$1" ip l2tp show session | awk '$1 == "Session" { sub(",", "", $2); print $5 "/" $2 }' | sort
}

ctl_tunnels() {
	ctl_json "$1" tunnel show |
		python3 -c 'import json,sys; [print(t["tunnel_id"]) for t in json.load(sys.stdin) if t["state"] == "established"]' |
		sort -n
}

ctl_sessions() {
	ctl_json "$1" session show |
		python3 -c 'import json,sys; [print("%d/%d" % (s["tunnel_id"], s["session_id"])) for s in json.load(sys.stdin) if s["state"] == "established"]' |
		sort
}

assert_kernel_agrees() {
	local ns=$1
	assert "$ns: the kernel's tunnels are l2tpctl's" \
		diff <(kernel_tunnels "$ns") <(ctl_tunnels "$ns")
	assert "$ns: the kernel's sessions are l2tpctl's" \
		diff <(kernel_sessions "$ns") <(ctl_sessions "$ns")
}

assert_clean() {
	local ns=$1
	wait_for 20 "$ns: no pppd left" pppd_is "$ns" 0
	wait_for 20 "$ns: no kernel session left" kernel_sessions_is "$ns" 0
	wait_for 20 "$ns: no kernel tunnel left" kernel_tunnels_is "$ns" 0
	assert "$ns: no session in l2tpkd" test "$(ctl_json "$ns" session show | jcount)" -eq 0
	assert "$ns: no ppp interface" test -z "$(ppp_ifaces "$ns")"
}

# THE INSTALLED UNIT (systemd mode; helpers added for the restart scenarios)
#   unit_lns_conf PEER SECRET POOL [GLOBAL_LINE...]
#                         the unit's LNS configuration in $L2TPKD_CONFDIR (the unit's /tmp is
#                         private): pppd options there, and l2tpkd.conf (mode 0640) with the
#                         [global] lines given, an [lns] for 10.0.9.0/24 with local-ip
#                         10.1.0.1 and ip-pool POOL, and [peer PEER] at 10.0.9.1 with SECRET.
#   l2tpkd_install        "make install" of $BUILD into the guest's throwaway root (only make's
#                         install rules, on the programs as built, when the build is older
#                         than its sources) and group l2tpkd; sets L2TPKD_SBINDIR, L2TPKD_CONFDIR
#                         (where the unit's l2tpkd reads l2tpkd.conf) and L2TPKD_UNITDIR; the
#                         uninstall is registered with on_exit. The unit's /tmp is private:
#                         files it reads go to L2TPKD_CONFDIR, not SCRATCH.
#   unit_prop UNIT KEY    systemctl show -P KEY UNIT.
#   unit_procs UNIT COMM  pids of the processes named COMM in UNIT's cgroup, one a line (an
#                         inactive unit has no cgroup: nothing).
#
# TRAFFIC
#   flood_ping_start NAME NS ADDR
#                         spawns NAME: ping from NS to ADDR every 2 ms (500 a second) with
#                         timestamps (-D) and late answers reported (-O), one line each, in
#                         $SCRATCH/NAME.log as they come.
#   flood_ping_last NAME  prints the highest icmp_seq answered so far (0: none yet).
#   flood_ping_sent NAME  prints the highest icmp_seq sent and reported so far, answered or
#                         not (ping -O reports one that has no answer when it sends the next).
#   flood_ping_window NAME FROM TO
#                         prints "LOST RATE GAP [SEQ...]" for the pings FROM+1..TO (FROM an
#                         answered one): how many were never answered, how many a second were
#                         sent (from the timestamps), the longest time in ms without an answer
#                         (to TO's report if TO has no answer), and the first 5 unanswered
#                         sequence numbers.

# l2tpkd_make_vars VAR...: make's variables of $BUILD's Makefile, expanded, one a line.
l2tpkd_make_vars() {
	local refs
	# shellcheck disable=SC2016 # $(...) is make's, not the shell's
	refs=$(printf ' $(%s)' "$@")
	printf 'vm-print-vars:\n\t@printf "%%s\\n"%s\n' "$refs" |
		make -s -C "$BUILD" -o Makefile -f Makefile -f - vm-print-vars
}

# True if "make install" would compile nothing (config.h left out: its rule always runs).
l2tpkd_build_is_current() {
	local srcdir=$1
	[ "$BUILD/Makefile" -nt "$srcdir/Makefile.in" ] && [ "$srcdir/Makefile.in" -nt "$srcdir/Makefile.am" ] &&
		[ "$BUILD/config.status" -nt "$srcdir/configure" ] &&
		make -s -C "$BUILD" -q -o Makefile -o config.h all-am 2>/dev/null
}

l2tpkd_install() {
	local srcdir sysusersdir d
	{
		read -r srcdir
		read -r L2TPKD_SBINDIR
		read -r L2TPKD_CONFDIR
		read -r L2TPKD_UNITDIR
		read -r sysusersdir
	} < <(l2tpkd_make_vars abs_top_srcdir sbindir L2TPKD_CONFDIR systemdunitdir SYSUSERSDIR)
	for d in "$srcdir" "$L2TPKD_SBINDIR" "$L2TPKD_CONFDIR" "$L2TPKD_UNITDIR" "$sysusersdir"; do
		[[ $d == /?* ]] || die "cannot read the installation directories from $BUILD/Makefile"
	done
	[ ! -e "$L2TPKD_CONFDIR" ] || die "$L2TPKD_CONFDIR exists already: left by something else"
	on_exit "make -s -C '$BUILD' -o Makefile uninstall >/dev/null; rm -rf '$L2TPKD_CONFDIR'; systemctl daemon-reload"
	if l2tpkd_build_is_current "$srcdir"; then
		assert "make install" make -s -C "$BUILD" install
	else
		log "the build is older than its sources: make's install rules on what is built"
		assert "make install-exec-am install-data-am" \
			make -s -C "$BUILD" -o Makefile -o l2tpkd -o l2tpctl install-exec-am install-data-am
	fi
	assert "the installed l2tpkd is the built one" cmp "$BUILD/l2tpkd" "$L2TPKD_SBINDIR/l2tpkd"
	if ! getent group l2tpkd >/dev/null; then
		on_exit "groupdel l2tpkd"
		assert "systemd-sysusers creates group l2tpkd" systemd-sysusers "$sysusersdir/l2tpkd.conf"
	fi
	systemctl daemon-reload
}

unit_lns_conf() {
	local peer=$1 secret=$2 pool=$3 line
	shift 3
	printf 'noauth\nnodefaultroute\n' >"$L2TPKD_CONFDIR/lns.options"
	{
		printf '[global]\nhost-name = l2tpkd-lns\n'
		for line; do
			echo "$line"
		done
		cat <<CONF
[lns]
accept-from = 10.0.9.0/24
local-ip = 10.1.0.1
ip-pool = $pool
pppd-options = $L2TPKD_CONFDIR/lns.options
[peer $peer]
address = 10.0.9.1
secret = $secret
CONF
	} >"$L2TPKD_CONFDIR/l2tpkd.conf"
	chmod 0640 "$L2TPKD_CONFDIR/l2tpkd.conf"
}

unit_prop() { systemctl show -P "$2" "$1"; }

unit_procs() {
	local cg pid
	cg=/sys/fs/cgroup$(unit_prop "$1" ControlGroup)
	[ -r "$cg/cgroup.procs" ] || return 0
	while read -r pid; do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$2" ] || echo "$pid"
	done <"$cg/cgroup.procs"
}

flood_ping_start() {
	local name=$1 ns=$2 addr=$3
	spawn "$name" in_ns "$ns" stdbuf -oL ping -n -D -O -i 0.002 "$addr"
	wait_for 10 "$name: answers from $addr" bash -c "grep -q ' bytes from ' '$SCRATCH/$name.log'"
}

flood_ping_last() {
	awk '/ bytes from .*icmp_seq=/ {
		match($0, /icmp_seq=[0-9]+/)
		s = substr($0, RSTART + 9, RLENGTH - 9) + 0
		if (s > max) max = s
	} END { print max + 0 }' "$SCRATCH/$1.log"
}

flood_ping_sent() {
	awk '/icmp_seq=/ {
		match($0, /icmp_seq=[0-9]+/)
		s = substr($0, RSTART + 9, RLENGTH - 9) + 0
		if (s > max) max = s
	} END { print max + 0 }' "$SCRATCH/$1.log"
}

flood_ping_window() {
	awk -v a="$2" -v b="$3" '
	/^\[[0-9.]+\] .*icmp_seq=/ {
		match($0, /icmp_seq=[0-9]+/)
		s = substr($0, RSTART + 9, RLENGTH - 9) + 0
		if (s < a || s > b)
			next
		t = substr($1, 2, length($1) - 2) + 0
		if (/ bytes from /) {
			if (!(s in at))
				at[s] = t
		} else if (!(s in late))
			late[s] = t
	}
	END {
		lost = 0
		for (s = a + 1; s <= b; s++)
			if (!(s in at) && ++lost <= 5)
				first = first " " s
		gap = 0
		prev = -1
		for (s = a; s <= b; s++) {
			if (!(s in at))
				continue
			if (prev >= 0 && at[s] - prev > gap)
				gap = at[s] - prev
			prev = at[s]
		}
		end = 0
		if (b in at)
			end = at[b]
		else if (b in late)
			end = late[b]
		if (prev >= 0 && end - prev > gap)
			gap = end - prev
		rate = 0
		if ((a in at) && end > at[a])
			rate = (b - a) / (end - at[a])
		printf "%d %d %d%s\n", lost, rate, gap * 1000, first
	}' "$SCRATCH/$1.log"
}

# Helpers added for the restart scenario of an l2tpkd pair (61) and scripts/bench restart:
#   flood_ping_start_via NAME NS IFACE ADDR INTERVAL
#                         like flood_ping_start, but out of IFACE (ping -I: across that PPP
#                         session) every INTERVAL seconds; the flood_ping_* readers take NAME.
#   l2tpkd_session_lines  reads "l2tpctl -j session show" on stdin, prints one line a session,
#                         sorted: "TID/SID PEER_TID/PEER_SID pppd PID IFNAME STATE".
#   l2tpkd_recovery_of    reads "l2tpctl -j tunnel show" on stdin, prints "TID RECOVERY" a
#                         tunnel, sorted.
#   l2tpkd_teardowns      filters l2tpkd log lines (stdin: the journal's messages or the
#                         stderr log of -d) down to those that tell of a tunnel or call cleared
#                         or refused (sent or received StopCCN or CDN: "cleared in state", "call
#                         cleared", "rx StopCCN", "rx CDN" at debug level, "stopping on signal"),
#                         of something lost across a restart, or of an RFC 4951 recovery that
#                         failed or that the peer waits for ("SCCRQ refused", "recovery failed",
#                         "peer silent"); true if there is one.
#   l2tpkd_log_mark NS    prints how many lines $SCRATCH/l2tpkd-NS.log has (l2tpkd_start's
#                         log): a mark for l2tpkd_log_since.
#   l2tpkd_log_since NS MARK
#                         prints that log after line MARK.

flood_ping_start_via() {
	local name=$1 ns=$2 ifc=$3 addr=$4 interval=$5
	spawn "$name" in_ns "$ns" stdbuf -oL ping -n -D -O -I "$ifc" -i "$interval" "$addr"
	wait_for 10 "$name: answers from $addr over $ifc" bash -c "grep -q ' bytes from ' '$SCRATCH/$name.log'"
}

l2tpkd_session_lines() {
	python3 -c '
import json, sys
for s in json.load(sys.stdin):
    print("%d/%d %d/%d pppd %s %s %s" % (s["tunnel_id"], s["session_id"], s["peer_tunnel_id"],
          s["peer_session_id"], s.get("pppd_pid"), s.get("ifname"), s["state"]))' | sort
}

l2tpkd_recovery_of() {
	python3 -c '
import json, sys
for t in json.load(sys.stdin):
    print(t["tunnel_id"], t.get("recovery"))' | sort -n
}

l2tpkd_teardowns() {
	grep -E 'cleared in state|call cleared|rx StopCCN|rx CDN|call from peer session [0-9]+ refused|stopping on signal|lost across a restart|not in the kernel any more|its socket did not come|left by the previous l2tpkd and not in its state|state of the previous l2tpkd is refused|SCCRQ refused|recovery failed|peer silent'
}

l2tpkd_log_mark() { wc -l <"$SCRATCH/l2tpkd-$1.log"; }

l2tpkd_log_since() { tail -n +"$(($2 + 1))" "$SCRATCH/l2tpkd-$1.log"; }
