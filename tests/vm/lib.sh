# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# lib.sh - shell library of the VM scenarios (tests/vm/scenarios/*.sh), sourced as
#     . "$TOP/tests/vm/lib.sh"
# It sets "set -euo pipefail", checks that it runs in the VM (VM=1, as root) and installs an
# EXIT trap that runs the on_exit commands; TERM and INT (the time limit) exit through it.
# Every failure goes through die, whose "FAIL: ..." line is the last of the scenario's output
# apart from the cleanup's.
#
# OUTPUT
#   log MSG...            prints "[  12.3] MSG": seconds since the scenario started.
#   die MSG...            prints the tail of every log spawn made, then "FAIL: MSG", exits 1.
#
# CLEANUP
#   on_exit CMD...        registers CMD (one string, eval'd) to run at exit; the commands run
#                         in reverse order of registration, failures are logged and ignored.
#   vm_cleanup_all        kills every process in a named network namespace, then deletes the
#                         namespaces. vm_netns registers it with on_exit the first time.
#
# NETWORK
#   vm_netns NS           creates network namespace NS with lo up.
#   vm_link NS1 NS2 N     joins NS1 and NS2 with a veth pair: "to-NS2" in NS1 with 10.0.N.1/24
#                         and fd00:N::1/64, "to-NS1" in NS2 with 10.0.N.2/24 and fd00:N::2/64
#                         (IPv6 without duplicate address detection, usable at once).
#   vm_netns_pair         namespaces lac and lns joined by vm_link lac lns 0: the LAC is
#                         10.0.0.1 and fd00::1, the LNS 10.0.0.2 and fd00::2.
#   vm_lac_to_root [N]    namespace lac joined to the initial one (where systemd runs the
#                         unit): "to-lac" there with 10.0.9.2/24 and the N-1 next addresses
#                         (N, default 1), "to-root" in lac with 10.0.9.1/24.
#   in_ns NS CMD...       runs CMD in NS (ip netns exec).
#   in_lac CMD...         in_ns lac CMD...
#   in_lns CMD...         in_ns lns CMD...
#   check_ping NS ADDR [COUNT]
#                         COUNT (default 3) pings from NS to ADDR must all be answered, or die.
#   ppp_ifaces NS         prints the names of NS's PPP interfaces, one a line.
#   ppp_iface_addr NS IFACE
#                         prints IFACE's local IPv4 address (fails if it has none).
#   ppp_iface_peer NS IFACE
#                         prints IFACE's peer IPv4 address (fails if it has none).
#   iface_mtu NS IFACE    prints IFACE's MTU.
#
# WAITING AND CHECKING
#   wait_for SECS DESC CMD...
#                         runs CMD (output discarded) every 0.2 s until it succeeds, logs how
#                         long DESC took; dies after SECS seconds.
#   assert DESC CMD...    runs CMD (output kept); logs "ok: DESC" if it succeeds, else dies.
#
# PROCESSES
#   spawn NAME CMD...     starts program CMD in the background, output to $SCRATCH/NAME.log,
#                         pid in $SCRATCH/NAME.pid, and registers its stop (TERM, then KILL
#                         after 5 s) with on_exit. CMD may start with in_lac, in_lns or in_ns
#                         NS; other shell functions are refused (their pid is a subshell's).
#   stop NAME             stops what spawn NAME started (TERM, KILL after 5 s); true if it
#                         had already exited.
#   running NAME          true while what spawn NAME started is alive.
#
# SYSTEMD (systemd mode only)
#   vm_unit_install FILE...
#                         copies unit files to /run/systemd/system, reloads systemd, and
#                         registers with on_exit their stop, removal and a reload.

set -euo pipefail

[ "${VM:-}" = 1 ] || { echo "FAIL: scenarios run in the VM: scripts/vm NAME" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "FAIL: scenarios run as root" >&2; exit 1; }
: "${TOP:?}" "${BUILD:?}" "${SCRATCH:?}"

# Times in microseconds, in bash alone: every process costs under emulation.
_vm_usec() { echo $((${EPOCHREALTIME/./})); }
# _vm_secs USEC: prints USEC as seconds with one decimal.
_vm_secs() { printf '%d.%d' $(($1 / 1000000)) $(($1 % 1000000 / 100000)); }
_vm_start=$(_vm_usec)
_vm_exit_cmds=()
_vm_spawned=()
_vm_netns_cleanup=0

log() {
	printf '[%6s] %s\n' "$(_vm_secs $(($(_vm_usec) - _vm_start)))" "$*"
}

die() {
	local name
	for name in "${_vm_spawned[@]}"; do
		[ -s "$SCRATCH/$name.log" ] || continue
		echo "--- last lines of $name.log ---"
		tail -n 15 "$SCRATCH/$name.log"
	done
	echo "FAIL: $*"
	exit 1
}

on_exit() {
	_vm_exit_cmds+=("$*")
}

_vm_run_exit_cmds() {
	local rc=$? i
	set +e
	trap - EXIT
	for ((i = ${#_vm_exit_cmds[@]} - 1; i >= 0; i--)); do
		eval "${_vm_exit_cmds[$i]}" || log "cleanup: '${_vm_exit_cmds[$i]}' failed"
	done
	exit $rc
}
trap _vm_run_exit_cmds EXIT
trap 'echo "FAIL: interrupted (time limit?)"; exit 143' TERM
trap 'echo "FAIL: interrupted"; exit 130' INT

vm_cleanup_all() {
	local ns pids
	for ns in $(ip netns list | cut -d' ' -f1); do
		pids=$(ip netns pids "$ns")
		# shellcheck disable=SC2086
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
	done
	for ns in $(ip netns list | cut -d' ' -f1); do
		ip netns delete "$ns"
	done
}

vm_netns() {
	[ $# -eq 1 ] || die "usage: vm_netns NS"
	ip netns add "$1"
	if [ $_vm_netns_cleanup -eq 0 ]; then
		_vm_netns_cleanup=1
		on_exit vm_cleanup_all
	fi
	ip -n "$1" link set lo up
}

vm_link() {
	[ $# -eq 3 ] && [[ $3 =~ ^[0-9]+$ ]] && [ "$3" -le 255 ] || die "usage: vm_link NS1 NS2 N"
	local a=$1 b=$2 n=$3
	[ ${#a} -le 12 ] && [ ${#b} -le 12 ] || die "vm_link: namespace names longer than 12 characters"
	ip link add "to-$b" netns "$a" type veth peer name "to-$a" netns "$b"
	ip -n "$a" addr add "10.0.$n.1/24" dev "to-$b"
	ip -n "$b" addr add "10.0.$n.2/24" dev "to-$a"
	ip -n "$a" addr add "fd00:$n::1/64" dev "to-$b" nodad
	ip -n "$b" addr add "fd00:$n::2/64" dev "to-$a" nodad
	ip -n "$a" link set "to-$b" up
	ip -n "$b" link set "to-$a" up
}

vm_netns_pair() {
	vm_netns lac
	vm_netns lns
	vm_link lac lns 0
}

vm_lac_to_root() {
	local n=${1:-1} i
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 250 ] || die "usage: vm_lac_to_root [N]"
	vm_netns lac
	on_exit "ip link del to-lac 2>/dev/null || true"
	ip link add to-lac type veth peer name to-root netns lac
	for ((i = 2; i < 2 + n; i++)); do
		ip addr add "10.0.9.$i/24" dev to-lac
	done
	ip link set to-lac up
	ip -n lac addr add 10.0.9.1/24 dev to-root
	ip -n lac link set to-root up
}

in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}
in_lac() { ip netns exec lac "$@"; }
in_lns() { ip netns exec lns "$@"; }

wait_for() {
	[ $# -ge 3 ] || die "usage: wait_for SECS DESC CMD..."
	[[ $1 =~ ^[0-9]+$ ]] || die "wait_for: '$1' is not a number of seconds"
	local secs=$1 desc=$2 t0
	shift 2
	t0=$(_vm_usec)
	until "$@" >/dev/null 2>&1; do
		[ $(($(_vm_usec) - t0)) -lt $((secs * 1000000)) ] ||
			die "timed out after $secs s waiting for $desc"
		sleep 0.2
	done
	log "$desc (after $(_vm_secs $(($(_vm_usec) - t0))) s)"
}

assert() {
	[ $# -ge 2 ] || die "usage: assert DESC CMD..."
	local desc=$1
	shift
	"$@" || die "assertion failed: $desc (command: $*)"
	log "ok: $desc"
}

check_ping() {
	[ $# -ge 2 ] || die "usage: check_ping NS ADDR [COUNT]"
	local ns=$1 addr=$2 count=${3:-3} out
	if ! out=$(ip netns exec "$ns" ping -n -q -c "$count" -i 0.2 -W 2 "$addr" 2>&1); then
		echo "$out"
		die "ping from $ns to $addr failed"
	fi
	out=$(grep -E 'packets transmitted' <<<"$out")
	[[ $out == "$count packets transmitted, $count received"* ]] ||
		die "ping from $ns to $addr: $out"
	log "ok: ping $ns -> $addr: $out"
}

ppp_ifaces() {
	ip -n "$1" -o link show | sed -n 's/^[0-9]*: \(ppp[0-9]*\):.*/\1/p'
}

ppp_iface_addr() {
	local a
	a=$(ip -n "$1" -4 -o addr show dev "$2" | awk '{ print $4; exit }')
	[ -n "$a" ] || return 1
	echo "${a%/*}"
}

iface_mtu() { ip -n "$1" -o link show dev "$2" | awk '{ for (i = 1; i < NF; i++) if ($i == "mtu") print $(i + 1) }'; }

ppp_iface_peer() {
	local a
	a=$(ip -n "$1" -4 -o addr show dev "$2" | awk '$5 == "peer" { print $6; exit }')
	[ -n "$a" ] || return 1
	echo "${a%/*}"
}

spawn() {
	[ $# -ge 2 ] || die "usage: spawn NAME CMD..."
	local name=$1
	shift
	[[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die "spawn: bad name '$name'"
	# The pid must be the program's, not a subshell's: the namespace wrappers become the
	# "ip netns exec" they stand for, which execs the program.
	case $1 in
	in_lac) set -- ip netns exec lac "${@:2}" ;;
	in_lns) set -- ip netns exec lns "${@:2}" ;;
	in_ns) set -- ip netns exec "${@:2}" ;;
	esac
	[ "$(type -t "$1")" = file ] || die "spawn: $1 is not a program"
	"$@" >"$SCRATCH/$name.log" 2>&1 </dev/null &
	echo $! >"$SCRATCH/$name.pid"
	_vm_spawned+=("$name")
	on_exit stop "$name"
}

running() {
	local pid
	pid=$(cat "$SCRATCH/$1.pid" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

stop() {
	local name=$1 pid i
	pid=$(cat "$SCRATCH/$name.pid" 2>/dev/null) || return 0
	running "$name" || { wait "$pid" 2>/dev/null || true; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 25; i++)); do
		running "$name" || break
		sleep 0.2
	done
	if running "$name"; then
		log "$name did not stop on TERM, killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

vm_unit_install() {
	[ "${VM_MODE:-}" = systemd ] || die "vm_unit_install needs systemd mode ('# vm: systemd')"
	local f u
	for f in "$@"; do
		u=$(basename "$f")
		cp "$f" "/run/systemd/system/$u"
		on_exit "systemctl stop '$u'; rm -f '/run/systemd/system/$u'; systemctl daemon-reload"
	done
	systemctl daemon-reload
}
