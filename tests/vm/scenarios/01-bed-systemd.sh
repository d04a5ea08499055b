#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vm: systemd
# The test bed's self-test of its systemd mode, what l2tpkd's unit relies on: systemd is PID 1
# and finishes starting up with no failed unit, journald records what a program logs, and a
# transient service runs, logs to the journal, reports readiness with sd_notify and stops.
. "$TOP/tests/vm/lib.sh"

assert "PID 1 is systemd" [ "$(cat /proc/1/comm)" = systemd ]
state=$(timeout 60 systemctl is-system-running --wait || true)
[ "$state" = running ] || { systemctl --failed --no-pager; die "the system is '$state', not running"; }
log "ok: the system is running"

tag=vm-bed-$$-$RANDOM
logger -t "$tag" "hello from logger"
wait_for 10 "journald has the logger line" \
	bash -c "journalctl -t '$tag' -o cat --no-pager | grep -qx 'hello from logger'"

unit=vm-bed-oneshot-$RANDOM
# shellcheck disable=SC2016 # $INVOCATION_ID is the unit's, expanded in it
assert "a transient oneshot service runs and succeeds" \
	systemd-run --quiet --wait --collect --unit="$unit" -p Type=oneshot \
	/bin/sh -c 'echo "hello from $INVOCATION_ID"'
wait_for 10 "journald has the transient service's output" \
	bash -c "journalctl -u '$unit' -o cat --no-pager | grep -q '^hello from [0-9a-f]\{32\}$'"

unit=vm-bed-notify-$RANDOM
on_exit "systemctl stop '$unit' 2>/dev/null || true"
assert "a Type=notify service reports ready" \
	systemd-run --quiet --unit="$unit" -p Type=notify -p NotifyAccess=all \
	/bin/sh -c 'systemd-notify --ready; exec sleep 600'
assert "it is active" systemctl is-active --quiet "$unit"
pid=$(systemctl show -P MainPID "$unit")
assert "its main process is in the unit's cgroup" \
	grep -qx "0::/system.slice/$unit.service" "/proc/$pid/cgroup"
systemctl stop "$unit"
assert "it stops" bash -c "! systemctl is-active --quiet '$unit'"
assert "its process is gone" bash -c "! kill -0 $pid 2>/dev/null"
