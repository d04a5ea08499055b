#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vm: systemd
# l2tpkd installed by "make install" and run by systemd as PID 1 from its own unit, as an LNS
# in the initial network namespace, with an l2tpkd LAC in namespace lac: the unit starts
# (Type=notify) with its STATUS= line and control socket, the hardened unit still lets pppd
# carry two sessions (ping both ways), the journal has the structured fields, the watchdog is
# fed, "systemctl reload" applies a good configuration and keeps the running one over a bad
# one without touching the sessions, and "systemctl stop" sends StopCCN and leaves nothing.
. "$TOP/tests/vm/lib.sh"
. "$TOP/tests/vm/l2tpkd.sh"

dropin=/run/systemd/system/l2tpkd.service.d
# Short enough to be proven within the scenario, long enough for a loaded emulated guest.
watchdog_secs=6

prop() { systemctl show -P "$1" l2tpkd.service; }
prop_is() { [ "$(prop "$1")" = "$2" ]; }
# True if the unit's properties are these (props_are KEY=VALUE...); prints them if not.
props_are() {
	local want got
	want=$(printf '%s\n' "$@" | sort)
	got=$(systemctl show -p "$(printf '%s\n' "$@" | cut -d= -f1 | paste -sd,)" l2tpkd.service | sort)
	[ "$want" = "$got" ] || { echo "the unit's properties: ${got//$'\n'/, }"; return 1; }
}

# make's installation directories (the Makefile's variables, expanded), one a line.
make_dirs() {
	local refs
	# shellcheck disable=SC2016 # $(...) is make's, not the shell's
	refs=$(printf ' $(%s)' "$@")
	printf 'vm-print-dirs:\n\t@printf "%%s\\n"%s\n' "$refs" |
		make -s -C "$BUILD" -o Makefile -f Makefile -f - vm-print-dirs
}

# True if "make install" would build nothing: the Makefile is newer than what makes it, and
# every program, library and page is up to date (config.h is left out: its rule always
# runs and changes nothing, so "make -q" would never say yes).
build_is_current() {
	[ "$BUILD/Makefile" -nt "$srcdir/Makefile.in" ] && [ "$srcdir/Makefile.in" -nt "$srcdir/Makefile.am" ] &&
		[ "$BUILD/config.status" -nt "$srcdir/configure" ] &&
		make -s -C "$BUILD" -q -o Makefile -o config.h all-am 2>/dev/null
}

# The initial namespace (the unit's) has no name for lib.sh's helpers: its own.
root_ppp_ifaces() { ip -o link show | sed -n 's/^[0-9]*: \(ppp[0-9]*\):.*/\1/p'; }
root_ppp_links_is() { [ "$(root_ppp_ifaces | wc -l)" -eq "$1" ]; }
root_tunnels() { ip l2tp show tunnel | grep -c '^Tunnel' || true; }
root_sessions() { ip l2tp show session | grep -c '^Session' || true; }
# pppd processes of the unit's cgroup, one pid a line.
unit_pppd() {
	local cg pid
	cg=/sys/fs/cgroup$(prop ControlGroup)
	[ -r "$cg/cgroup.procs" ] || return 0
	while read -r pid; do
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = pppd ]; then
			echo "$pid"
		fi
	done <"$cg/cgroup.procs"
}
unit_pppd_is() { [ "$(unit_pppd | wc -l)" -eq "$1" ]; }
# pppd processes anywhere in the initial network namespace.
root_pppd_count() {
	local ns pid n=0
	ns=$(readlink /proc/1/ns/net)
	for pid in $(pgrep -x pppd || true); do
		[ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$ns" ] && n=$((n + 1))
	done
	echo "$n"
}

# What the unit's hardening makes of a process: mount namespace (ProtectSystem and the
# like), NoNewPrivileges, capability bounding set.
sandbox() {
	echo "$(readlink "/proc/$1/ns/mnt") $(awk '$1 == "NoNewPrivs:" || $1 == "CapBnd:" { printf "%s%s ", $1, $2 }' "/proc/$1/status")"
}

# The unit's journal of this boot as text; how many of its lines contain TEXT.
unit_journal() { journalctl -b -u l2tpkd.service -o cat --no-pager; }
journal_count() { unit_journal | grep -cF -- "$1" || true; }
journal_count_is_more() { [ "$(journal_count "$1")" -gt "$2" ]; }
journal_has_line() { unit_journal | grep -qx -- "$1"; }

assert "PID 1 is systemd" [ "$(cat /proc/1/comm)" = systemd ]

# --- make install, for real: the guest's root is a throwaway overlay ---
{
	read -r srcdir
	read -r sbindir
	read -r conf_dir
	read -r mandir
	read -r unitdir
	read -r modulesloaddir
	read -r sysusersdir
} < <(make_dirs abs_top_srcdir sbindir L2TPKD_CONFDIR mandir systemdunitdir MODULESLOADDIR SYSUSERSDIR)
for d in "$srcdir" "$sbindir" "$conf_dir" "$mandir" "$unitdir" "$modulesloaddir" "$sysusersdir"; do
	[[ $d == /?* ]] || die "cannot read the installation directories from $BUILD/Makefile"
done
log "make's directories: sbin $sbindir, configuration $conf_dir, man $mandir, unit $unitdir," \
	"modules-load.d $modulesloaddir, sysusers.d $sysusersdir"
# The configuration l2tpkd reads by default (configure's --with-confdir) is the one the
# scenario writes, in the directory make install fills.
conf=$conf_dir/l2tpkd.conf
[ ! -e "$conf_dir" ] || die "$conf_dir exists already: left by something else"
on_exit "make -s -C '$BUILD' -o Makefile uninstall >/dev/null; rm -rf '$conf_dir'; systemctl daemon-reload"
if build_is_current; then
	assert "make install" make -s -C "$BUILD" install
else
	# Sources changed since the build, or only some targets were made: "make install"
	# would compile first, slowly, in the overlay. Its own install rules run without its
	# "all", on the programs as built.
	log "the build is older than its sources: make's install rules on what is built"
	assert "make install-exec-am install-data-am" \
		make -s -C "$BUILD" -o Makefile -o l2tpkd -o l2tpctl install-exec-am install-data-am
fi
for p in l2tpkd l2tpctl; do
	assert "$sbindir/$p is the built one" cmp "$BUILD/$p" "$sbindir/$p"
	assert "$sbindir/$p is executable" test -x "$sbindir/$p"
done
assert "the unit is installed, running $sbindir/l2tpkd" \
	grep -qx "ExecStart=$sbindir/l2tpkd" "$unitdir/l2tpkd.service"
assert "modules-load.d loads l2tp_ppp and l2tp_netlink" \
	test "$(grep -v '^#' "$modulesloaddir/l2tpkd.conf" | grep -Ex 'l2tp_(ppp|netlink)' | sort | tr '\n' ' ')" = "l2tp_netlink l2tp_ppp "
assert "sysusers.d declares group l2tpkd" grep -Eq '^g[[:space:]]+l2tpkd([[:space:]]|$)' "$sysusersdir/l2tpkd.conf"
assert "the example configuration is installed" test -f "$conf_dir/l2tpkd.conf.example"
assert "the installed l2tpkd accepts it" bash -c "'$sbindir/l2tpkd' --check-config '$conf_dir/l2tpkd.conf.example' >/dev/null"
assert "a configuration is made from it, mode 0640" \
	test "$(stat -c %a "$conf")" = 640
for m in man8/l2tpkd.8 man8/l2tpctl.8 man5/l2tpkd.conf.5; do
	assert "man page $m" test -s "$mandir/$m"
done

# --- the unit as installed ---
systemctl daemon-reload
assert "systemd loads the installed unit" prop_is FragmentPath "$unitdir/l2tpkd.service"
# verify also looks up the Documentation= man pages with man(1).
verify=$(systemd-analyze verify "$unitdir/l2tpkd.service" 2>&1) || { echo "$verify"; die "systemd-analyze verify failed"; }
[ -z "$verify" ] || { echo "$verify"; die "systemd-analyze verify is not clean"; }
log "ok: systemd-analyze verify is clean"
# KillMode=process: pppd may outlive a restart of the daemon.
assert "Type=notify, Restart=always, KillMode=process" props_are Type=notify Restart=always KillMode=process
systemd-analyze security --no-pager l2tpkd.service >"$SCRATCH/security.txt" || true
log "systemd-analyze security (all of it in security.txt): $(tail -n 1 "$SCRATCH/security.txt")"

if ! getent group l2tpkd >/dev/null; then
	on_exit "groupdel l2tpkd"
	assert "systemd-sysusers creates group l2tpkd" systemd-sysusers "$sysusersdir/l2tpkd.conf"
fi
assert "group l2tpkd exists" getent group l2tpkd

# --- the network: the LNS in the initial namespace, the LAC in lac ---
vm_lac_to_root

# The unit's /tmp is private: its files are in the configuration directory, not in SCRATCH.
cat >"$conf_dir/lns.options" <<OPT
noauth
nodefaultroute
lcp-echo-interval 0
OPT
write_lns_conf() {
	cat >"$conf.tmp" <<CONF
[global]
host-name = lns
listen = 10.0.9.2:1701
$1
[lns]
accept-from = 10.0.9.0/24
local-ip = 10.1.0.1
ip-pool = 10.1.0.10-10.1.0.50
pppd-options = $conf_dir/lns.options
[peer lac]
address = 10.0.9.1
secret = unit-secret
$2
CONF
	chmod 0640 "$conf.tmp"
	mv "$conf.tmp" "$conf"
}
write_lns_conf "" ""
cat >"$SCRATCH/lac.options" <<OPT
noauth
noipdefault
ipcp-accept-local
nodefaultroute
lcp-echo-interval 0
OPT
cat >"$SCRATCH/lac.conf" <<CONF
[global]
host-name = lac
listen = 10.0.9.1:1701
[lns]
accept = no
[peer lns]
address = 10.0.9.2
secret = unit-secret
pppd-options = $SCRATCH/lac.options
CONF

# --- start: Type=notify, STATUS=, the control socket in the RuntimeDirectory ---
on_exit "rm -rf '$dropin'; systemctl daemon-reload"
mkdir -p "$dropin"
printf '[Service]\nWatchdogSec=%s\n' "$watchdog_secs" >"$dropin/50-vm-watchdog.conf"
systemctl daemon-reload
# Stopped before the drop-in and the installed files go (on_exit runs backwards).
on_exit "systemctl stop l2tpkd.service; systemctl reset-failed l2tpkd.service 2>/dev/null || true"
# The unit's journal from now on, in SCRATCH (and in die's output).
spawn journal journalctl -f -n 0 -u l2tpkd.service -o short-monotonic --no-pager
if ! timeout 60 systemctl start l2tpkd.service; then
	systemctl status --no-pager -l l2tpkd.service || true
	die "systemctl start l2tpkd failed"
fi
started_usec=${EPOCHREALTIME/./}
log "ok: systemctl start l2tpkd returned"
assert "active (running), STATUS= says nothing is up, the watchdog is $watchdog_secs s" \
	props_are ActiveState=active SubState=running "StatusText=0 tunnels, 0 sessions established" \
	"WatchdogUSec=${watchdog_secs}s"
status=$(systemctl status --no-pager -l l2tpkd.service) || true
echo "$status"
assert "systemctl status shows the STATUS line" grep -qF 'Status: "0 tunnels, 0 sessions established"' <<<"$status"
main_pid=$(prop MainPID)
assert "the main process is l2tpkd" test "$(cat "/proc/$main_pid/comm")" = l2tpkd
assert "it runs in the initial network namespace" \
	test "$(readlink "/proc/$main_pid/ns/net")" = "$(readlink /proc/1/ns/net)"
log "l2tpkd's sandbox: $(sandbox "$main_pid")"
assert "it is sandboxed: its own mount namespace, no new privileges, fewer capabilities" \
	test "$(readlink "/proc/$main_pid/ns/mnt")" != "$(readlink /proc/1/ns/mnt)" -a \
	"$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$main_pid/status")" = 1 -a \
	"$(awk '$1 == "CapBnd:" { print $2 }' "/proc/$main_pid/status")" != "$(awk '$1 == "CapBnd:" { print $2 }' /proc/1/status)"
unit_cgroup=/sys/fs/cgroup$(prop ControlGroup)
assert "the control socket is /run/l2tpkd/control" test -S /run/l2tpkd/control
assert "it belongs to group l2tpkd, mode 0660" \
	test "$(stat -c '%G %a' /run/l2tpkd/control)" = "l2tpkd 660"
version=$("$sbindir/l2tpctl" version) || die "l2tpctl version (default socket) failed"
echo "$version"
assert "l2tpctl version names $conf" grep -qF "$conf" <<<"$version"
wd_first=$(prop WatchdogTimestampMonotonic)

# --- two sessions from the LAC: pppd works under the unit's hardening ---
l2tpkd_start lac
for i in 1 2; do
	assert "session add $i" ctl lac session add peer lns
done
wait_for 60 "2 PPP links up in lac" ppp_links_is lac 2
wait_for 60 "2 PPP links up in the unit's namespace" root_ppp_links_is 2
for ifc in $(ppp_ifaces lac); do
	wait_for 30 "$ifc has an address" ppp_iface_addr lac "$ifc"
done
wait_for 30 "STATUS= says 1 tunnel, 2 sessions" prop_is StatusText "1 tunnels, 2 sessions established"
"$sbindir/l2tpctl" session show
pppd_pids=$(unit_pppd | sort -n | tr '\n' ' ')
assert "2 pppd in the unit's cgroup ($pppd_pids)" unit_pppd_is 2
for pid in $pppd_pids; do
	assert "pppd $pid is a child of l2tpkd $main_pid" test "$(cut -d' ' -f4 "/proc/$pid/stat")" = "$main_pid"
	assert "and sandboxed as it is" test "$(sandbox "$pid")" = "$(sandbox "$main_pid")"
done
assert "one kernel tunnel, 2 sessions in the unit's namespace" \
	test "$(root_tunnels)/$(root_sessions)" = 1/2

# check_pings: each PPP link passes ping from both ends.
check_pings() {
	local ifc addr out
	for ifc in $(ppp_ifaces lac); do
		addr=$(ppp_iface_addr lac "$ifc")
		assert "ping lac -> lns over $ifc" in_lac ping -n -q -c 2 -i 0.2 -W 2 -I "$ifc" 10.1.0.1
		out=$(ping -n -q -c 2 -i 0.2 -W 2 "$addr" 2>&1) || { echo "$out"; die "ping lns -> $addr failed"; }
		log "ok: ping lns -> $addr"
	done
}
check_pings

tid=$("$sbindir/l2tpctl" -j tunnel show | jget 'j[0]["tunnel_id"]')
peer_tid=$(ctl_tunnels lac)
wait_for 10 "journalctl -u l2tpkd TUNNEL_ID=$tid has lines" \
	bash -c "journalctl -b -u l2tpkd.service TUNNEL_ID=$tid -o cat --no-pager | grep -q ."
journalctl -b -u l2tpkd.service "TUNNEL_ID=$tid" -o cat --no-pager | head -n 5
fields=$(journalctl -b -u l2tpkd.service "TUNNEL_ID=$tid" -o verbose --no-pager)
assert "its entries carry TUNNEL_ID=$tid" grep -qx "    TUNNEL_ID=$tid" <<<"$fields"
assert "and PEER= the LAC" grep -q '^    PEER=10\.0\.9\.1' <<<"$fields"
assert "and SESSION_ID=" grep -q '^    SESSION_ID=[0-9]' <<<"$fields"
assert "and come from l2tpkd's own pid" grep -qx "    _PID=$main_pid" <<<"$fields"

# --- the watchdog: fed, and the service outlives several of its intervals ---
wait_for 10 "a WATCHDOG=1 since the start" bash -c "[ \"\$(systemctl show -P WatchdogTimestampMonotonic l2tpkd.service)\" -gt $wd_first ]"
wait_usec=$((started_usec + 2 * watchdog_secs * 1000000 + 500000 - ${EPOCHREALTIME/./}))
[ "$wait_usec" -le 0 ] || sleep "$((wait_usec / 1000000)).$(printf %06d $((wait_usec % 1000000)))"
assert "still active after 2 watchdog intervals, the same main process, never restarted" \
	props_are ActiveState=active MainPID="$main_pid" NRestarts=0

# --- reload: a good configuration, then a bad one (kept out), then the good one ---
reloaded="reloaded $conf: new tunnels use it"
kept="the configuration in use is kept"
n_reloaded=$(journal_count "$reloaded")
write_lns_conf "log-level = info" $'[peer spare]\naddress = 10.0.9.77\nsecret = spare-secret'
assert "systemctl reload (changed configuration)" systemctl reload l2tpkd.service
wait_for 20 "the journal says '$reloaded'" journal_count_is_more "$reloaded" "$n_reloaded"
assert "the same main process after the reload, still active with 1 tunnel, 2 sessions" \
	props_are MainPID="$main_pid" ActiveState=active "StatusText=1 tunnels, 2 sessions established"
check_pings

n_kept=$(journal_count "$kept")
n_reloaded=$(journal_count "$reloaded")
write_lns_conf $'retransmit-retries = many\nno-such-key = 1' ""
if systemctl reload l2tpkd.service; then
	die "systemctl reload of a broken configuration reported success"
fi
log "ok: systemctl reload of a broken configuration fails (ExecReload waits for l2tpctl)"
wait_for 20 "the journal says '$kept'" journal_count_is_more "$kept" "$n_kept"
errors=$(unit_journal | grep -F "reload: $conf")
echo "$errors"
bad_line=$(grep -n '^retransmit-retries' "$conf" | cut -d: -f1)
assert "the journal names the bad value as file:line: key: reason" \
	grep -q "^reload: $conf:$bad_line: retransmit-retries: .*not a whole number" <<<"$errors"
assert "and the unknown key" grep -q "^reload: $conf:$((bad_line + 1)): no-such-key: unknown key" <<<"$errors"
assert "the broken file was not applied" test "$(journal_count "$reloaded")" -eq "$n_reloaded"
assert "still active, the same main process, 1 tunnel, 2 sessions" \
	props_are MainPID="$main_pid" ActiveState=active "StatusText=1 tunnels, 2 sessions established"
check_pings
write_lns_conf "" ""
assert "systemctl reload (the good configuration again)" systemctl reload l2tpkd.service
wait_for 20 "the journal says '$reloaded' again" journal_count_is_more "$reloaded" "$n_reloaded"

# --- stop: StopCCN to the LAC, every pppd stopped, nothing left ---
assert "systemctl stop l2tpkd" timeout 60 systemctl stop l2tpkd.service
assert "the unit is inactive, not failed (result success), never restarted" \
	props_are ActiveState=inactive Result=success NRestarts=0
assert "l2tpkd $main_pid has exited" bash -c "! kill -0 $main_pid 2>/dev/null"
for pid in $pppd_pids; do
	assert "its pppd $pid is gone" bash -c "! kill -0 $pid 2>/dev/null"
done
assert "no pppd left in the unit's namespace" test "$(root_pppd_count)" -eq 0
assert "no PPP link left in the unit's namespace" root_ppp_links_is 0
assert "no kernel tunnel or session left in the unit's namespace" \
	test "$(root_tunnels)/$(root_sessions)" = 0/0
assert "the RuntimeDirectory is gone" test ! -e /run/l2tpkd
wait_for 10 "the journal has l2tpkd's last line, 'stopped'" journal_has_line stopped
assert "and says it stopped with StopCCN" journal_has_line "stopping on signal 15: StopCCN to every peer"
# What the hardening denies shows up as errno texts in l2tpkd's or pppd's lines.
denied=$(unit_journal | grep -iE 'read-only file system|permission denied|operation not permitted' || true)
[ -z "$denied" ] || { echo "$denied"; die "the unit's journal shows denials"; }
log "ok: no denial in the unit's journal"
# KillMode=process leaves what pppd started as it ended (ip-down scripts) to finish.
unit_cgroup_empty() { [ -z "$(cat "$unit_cgroup/cgroup.procs" 2>/dev/null)" ]; }
wait_for 20 "no process of the unit left" unit_cgroup_empty
wait_for 20 "the LAC got the StopCCN (result 6, 'l2tpkd is stopping')" grep -q \
	"notice: tunnel $peer_tid/$tid peer 10.0.9.2:1701: cleared in state established: result 6 error 0: l2tpkd is stopping" \
	"$SCRATCH/l2tpkd-lac.log"
grep -F "result 6" "$SCRATCH/l2tpkd-lac.log"
assert_clean lac
assert "the LAC daemon still runs" running l2tpkd-lac
log "systemd unit: ok"
