# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# xl2tpd.sh - xl2tpd as the other end of the interoperability scenarios, sourced after lib.sh
# and l2tpkd.sh.
#
#   xl2tpd_start NS       starts xl2tpd in NS with $SCRATCH/NS-xl2tpd.conf (control FIFO
#                         $SCRATCH/NS.ctl) and waits until it listens and uses the kernel.
#   xl2tpd_ctl NS CMD     writes CMD ("c NAME", "d NAME") to NS's xl2tpd control FIFO.
#   capture_start NS IF   records L2TP control traffic on interface IF of NS (tcpdump).
#   capture_stop          ends the capture and prints its path.
#   assert_auth_and_hiding PCAP L2TPKD_ADDR
#                         the capture shows tunnel authentication both ways (Challenge AVP
#                         11, Challenge Response AVP 13) and hidden AVPs (H bit) from l2tpkd.

xl2tpd_start() {
	local ns=$1
	spawn "$ns-xl2tpd" in_ns "$ns" xl2tpd -D -c "$SCRATCH/$ns-xl2tpd.conf" \
		-p "$SCRATCH/$ns-xl2tpd.pid" -C "$SCRATCH/$ns.ctl"
	wait_for 20 "xl2tpd in $ns listening on its control FIFO" test -p "$SCRATCH/$ns.ctl"
	assert "xl2tpd in $ns uses the kernel data path" \
		grep -q 'Using l2tp kernel support' "$SCRATCH/$ns-xl2tpd.log"
}

xl2tpd_ctl() {
	echo "$2" >"$SCRATCH/$1.ctl"
}

capture_start() {
	spawn capture in_ns "$1" tcpdump -U -n -i "$2" -w "$SCRATCH/control.pcap" udp port 1701
	wait_for 10 "tcpdump running" test -s "$SCRATCH/control.pcap"
}

capture_stop() {
	stop capture
	echo "$SCRATCH/control.pcap"
}

# count_frames PCAP FILTER: frames matching a display filter.
count_frames() {
	tshark -r "$1" -Y "$2" 2>/dev/null | wc -l
}

# xl2tpd 1.3.18 takes "hidden bit = yes" but hides nothing it sends (seen in these captures),
# so the hiding checked on the wire is l2tpkd's: xl2tpd bringing the call up shows it unhid
# l2tpkd's mandatory hidden AVPs (Assigned Session ID) with the shared secret.
assert_auth_and_hiding() {
	local pcap=$1 ours=$2
	assert "the capture decodes" tshark -r "$pcap" -c 1
	assert "Challenge AVPs on the wire (tunnel authentication)" \
		test "$(count_frames "$pcap" 'l2tp.avp.type == 11')" -ge 2
	assert "Challenge Response AVPs on the wire, both ways" \
		test "$(count_frames "$pcap" 'l2tp.avp.type == 13')" -ge 2
	assert "hidden AVPs from l2tpkd ($ours)" \
		test "$(count_frames "$pcap" "ip.src == $ours && l2tp.avp.hidden == 1")" -ge 1
	log "frames with hidden AVPs from xl2tpd: $(count_frames "$pcap" "ip.src != $ours && l2tp.avp.hidden == 1")"
}

# Helpers added for the restart scenarios:
#   xl2tpd_log_mark NS    prints how many lines NS's xl2tpd log has: a mark for xl2tpd_log_since.
#   xl2tpd_log_since NS MARK
#                         prints NS's xl2tpd log after line MARK.
#   xl2tpd_teardowns      filters xl2tpd log lines (stdin) down to those that tell of a tunnel or
#                         call torn down, given up or unknown to xl2tpd (1.3.18's texts: a
#                         StopCCN or CDN received or sent, pppd stopped, retries exhausted, a
#                         packet for a tunnel or call it no longer has; with "debug avp = yes"
#                         also the received StopCCN's or CDN's message type and Result Code);
#                         true if there is one.

xl2tpd_log_mark() { wc -l <"$SCRATCH/$1-xl2tpd.log"; }

xl2tpd_log_since() { tail -n +"$(($2 + 1))" "$SCRATCH/$1-xl2tpd.log"; }

xl2tpd_teardowns() {
	grep -E 'Connection closed to|Connection [0-9]+ closed to|Disconnecting from|Call [0-9]+ to .* disconnected|Terminating pppd|pppd terminated|[Mm]aximum retries exceeded|Unable to deliver closing message|closing down tunnel|Declaring call dead|Closing call|Can not find tunnel|unable to find call or tunnel|peer closing for reason|Stop-Control-Connection-Notification|Call-Disconnect-Notify'
}
