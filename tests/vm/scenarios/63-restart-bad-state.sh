#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vm: systemd
# A state memfd that cannot be read (issue 6 point 1): l2tpkd runs from its unit under systemd
# as PID 1; its state memfd (held in the fd store) is overwritten through /proc, then l2tpkd
# is killed with SIGKILL. The process systemd starts next refuses that state with one log line
# and starts clean: it runs, answers l2tpctl, and stores a new memfd, which the process after
# the next kill -9 adopts without a word.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"

prop() { unit_prop l2tpkd.service "$1"; }
restarted_after() { [ "$(prop NRestarts)" -gt "$1" ] && [ "$(prop ActiveState)" = active ]; }
# The fd of process PID that is its state memfd ("" if none).
state_fd() {
	local f
	for f in /proc/"$1"/fd/*; do
		case $(readlink "$f") in
		/memfd:l2tpkd-state*) basename "$f" && return ;;
		esac
	done
}
# What process PID logged, one message a line.
logged() { journalctl -b -u l2tpkd.service "_PID=$1" -o cat --no-pager; }
logged_running() { logged "$1" | grep -q '^l2tpkd .* running$'; }
# kill -9 of the main process; systemd starts the unit again. Prints the new main pid.
kill_and_wait() {
	local pid restarts
	pid=$(prop MainPID)
	restarts=$(prop NRestarts)
	kill -9 "$pid"
	wait_for 30 "systemd started l2tpkd again after kill -9 of $pid" restarted_after "$restarts" >&2
	pid=$(prop MainPID)
	wait_for 30 "l2tpkd $pid is running" logged_running "$pid" >&2
	echo "$pid"
}

assert "PID 1 is systemd" [ "$(cat /proc/1/comm)" = systemd ]
l2tpkd_install
cat >"$L2TPKD_CONFDIR/l2tpkd.conf" <<CONF
[global]
host-name = l2tpkd-bad-state
listen = 127.0.0.1:1701
CONF
chmod 0640 "$L2TPKD_CONFDIR/l2tpkd.conf"

on_exit "systemctl stop l2tpkd.service; systemctl reset-failed l2tpkd.service 2>/dev/null || true"
timeout 60 systemctl start l2tpkd.service || die "systemctl start l2tpkd failed"
pid=$(prop MainPID)
wait_for 30 "l2tpkd $pid is running" logged_running "$pid"
fd=$(state_fd "$pid")
assert "l2tpkd $pid holds its state memfd (fd $fd)" [ -n "$fd" ]

# The header's magic overwritten: the store is refused as a whole.
printf 'NOTSTATE' | dd of="/proc/$pid/fd/$fd" bs=1 seek=0 conv=notrunc status=none
pid=$(kill_and_wait)
assert "l2tpkd $pid refused the damaged state with one line" \
	[ "$(logged "$pid" | grep -c '^the state of the previous l2tpkd is refused (.*): starting clean$')" -eq 1 ]
log "$(logged "$pid" | grep 'is refused')"
assert "l2tpkd $pid answers l2tpctl" "$L2TPKD_SBINDIR/l2tpctl" tunnel show
fd=$(state_fd "$pid")
assert "l2tpkd $pid made a new state memfd (fd $fd)" [ -n "$fd" ]

# The new one is good: the next process adopts it in silence.
pid=$(kill_and_wait)
assert "l2tpkd $pid adopted the new state without complaint" \
	bash -c "! journalctl -b -u l2tpkd.service _PID=$pid -o cat --no-pager | grep -q 'is refused'"
assert "l2tpkd $pid answers l2tpctl" "$L2TPKD_SBINDIR/l2tpctl" tunnel show
assert "systemctl stop l2tpkd" timeout 60 systemctl stop l2tpkd.service
