/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The objects l2tpctl prints, each described once for both text and JSON. JSON keys are the
 * protocol's attribute names (snake_case); text labels are short and read like `ip l2tp show`.
 * Addresses travel as raw octets and a port; JSON gets "x_address" and "x_port", text "x A:P".
 */
#include "cli_show.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/socket.h>

#include "cli.h"
#include "l2tp/wire.h"

static uint64_t attr_uint(const struct nlattr *a)
{
	switch (mnl_attr_get_payload_len(a)) {
	case 1:
		return mnl_attr_get_u8(a);
	case 2:
		return mnl_attr_get_u16(a);
	case 4:
		return mnl_attr_get_u32(a);
	default:
		return mnl_attr_get_u64(a);
	}
}

static void show_uint(struct printer *p, cli_attrs tb, int type, const char *key, const char *label)
{
	if (tb[type])
		pr_uint(p, key, label, attr_uint(tb[type]));
	else
		pr_null(p, key);
}

/* An unsigned attribute as show_uint() prints it: its type, JSON key and text label. */
struct uint_field {
	int type;
	const char *key, *label;
};

#define N_FIELDS(fields) (sizeof(fields) / sizeof((fields)[0]))

/* A run of unsigned attributes in the table's order; tables end where the text line breaks. */
static void show_uints(struct printer *p, cli_attrs tb, const struct uint_field *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		show_uint(p, tb, fields[i].type, fields[i].key, fields[i].label);
}

/* The IDs that head a tunnel's or a session's block, in show and in stats alike. */
static const struct uint_field tunnel_ids[] = {
	{ L2TPKD_CTL_A_TUNNEL_ID, "tunnel_id", "tunnel" },
	{ L2TPKD_CTL_A_PEER_TUNNEL_ID, "peer_tunnel_id", "peer-tunnel" },
};

static const struct uint_field session_ids[] = {
	{ L2TPKD_CTL_A_SESSION_ID, "session_id", "session" },
	{ L2TPKD_CTL_A_TUNNEL_ID, "tunnel_id", "tunnel" },
	{ L2TPKD_CTL_A_PEER_SESSION_ID, "peer_session_id", "peer-session" },
	{ L2TPKD_CTL_A_PEER_TUNNEL_ID, "peer_tunnel_id", "peer-tunnel" },
};

static void show_str(struct printer *p, cli_attrs tb, int type, const char *key, const char *label)
{
	if (tb[type])
		pr_str(p, key, label, mnl_attr_get_str(tb[type]));
	else
		pr_null(p, key);
}

static void show_bool(struct printer *p, cli_attrs tb, int type, const char *key, const char *label)
{
	if (tb[type])
		pr_bool(p, key, label, mnl_attr_get_u8(tb[type]) != 0);
	else
		pr_null(p, key);
}

static int malformed(char *why, size_t why_len, const char *what)
{
	snprintf(why, why_len, "bad answer from l2tpkd: %s", what);
	return CLI_EXIT_PROTOCOL;
}

/* "192.0.2.1:1701" or "[2001:db8::1]:1701" as text; address and port as JSON. */
static int show_addr(struct printer *p, cli_attrs tb, int ip_type, int port_type, const char *addr_key,
		     const char *port_key, const char *label, char *why, size_t why_len)
{
	const struct nlattr *ip = tb[ip_type];
	char s[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 8];
	uint16_t port = tb[port_type] ? mnl_attr_get_u16(tb[port_type]) : 0;
	int family;

	if (!ip) {
		pr_null(p, addr_key);
		pr_null(p, port_key);
		return CLI_EXIT_OK;
	}
	family = mnl_attr_get_payload_len(ip) == 4 ? AF_INET : AF_INET6;
	if ((family == AF_INET6 && mnl_attr_get_payload_len(ip) != 16) ||
	    !inet_ntop(family, mnl_attr_get_payload(ip), s, sizeof(s)))
		return malformed(why, why_len, "an address of a wrong length");
	snprintf(text, sizeof(text), family == AF_INET6 ? "[%s]:%u" : "%s:%u", s, port);
	pr_str(p, NULL, label, text);
	pr_str(p, addr_key, NULL, s);
	pr_uint(p, port_key, NULL, port);
	return CLI_EXIT_OK;
}

/* The attributes of a nested one, or a protocol error. */
static int nested(const struct nlattr *nest, const struct ctl_policy *policy, const struct nlattr **tb, char *why,
		  size_t why_len)
{
	struct ctl_parse_error perr = { .why = "" };

	if (ctl_parse_nested(nest, policy, tb, &perr) < 0)
		return malformed(why, why_len, perr.why);
	return CLI_EXIT_OK;
}

static int show_control(struct printer *p, const struct nlattr *nest, char *why, size_t why_len)
{
	static const struct uint_field counters[] = {
		{ L2TPKD_CTL_CONTROL_A_SENT, "sent", "sent" },
		{ L2TPKD_CTL_CONTROL_A_ZLB_SENT, "zlb_sent", "zlb-sent" },
		{ L2TPKD_CTL_CONTROL_A_RETRANSMITTED, "retransmitted", "retransmitted" },
		{ L2TPKD_CTL_CONTROL_A_RECEIVED, "received", "received" },
		{ L2TPKD_CTL_CONTROL_A_DUPLICATES, "duplicates", "duplicates" },
		{ L2TPKD_CTL_CONTROL_A_HELD, "held", "held" },
		{ L2TPKD_CTL_CONTROL_A_DROPPED, "dropped", "dropped" },
	};
	const struct nlattr *tb[L2TPKD_CTL_CONTROL_A_MAX + 1];
	int r;

	if (!nest) {
		pr_null(p, "control");
		return CLI_EXIT_OK;
	}
	r = nested(nest, &ctl_policy_control, tb, why, why_len);
	if (r != CLI_EXIT_OK)
		return r;
	pr_object_begin(p, "control", "control");
	show_uints(p, tb, counters, N_FIELDS(counters));
	pr_object_end(p);
	return CLI_EXIT_OK;
}

/* RFC 4951: "failover yes peer-failover C,D recovery-ms 30000"; JSON the flags as a number. */
static void show_failover(struct printer *p, cli_attrs tb)
{
	const struct nlattr *f = tb[L2TPKD_CTL_A_PEER_FAILOVER_FLAGS];
	unsigned flags = f ? mnl_attr_get_u16(f) : 0;
	char text[16];

	show_bool(p, tb, L2TPKD_CTL_A_FAILOVER, "failover", "failover");
	if (!f) {
		pr_null(p, "peer_failover_flags");
		pr_null(p, "peer_recovery_ms");
		return;
	}
	snprintf(text, sizeof(text), "%s%s%s", flags & L2TP_FAILOVER_CAP_C ? "C" : "",
		 (flags & L2TP_FAILOVER_CAP_C) && (flags & L2TP_FAILOVER_CAP_D) ? "," : "",
		 flags & L2TP_FAILOVER_CAP_D ? "D" : flags & L2TP_FAILOVER_CAP_C ? "" : "none");
	pr_str(p, NULL, "peer-failover", text);
	pr_uint(p, "peer_failover_flags", NULL, flags);
	if (flags & L2TP_FAILOVER_CAP_C)
		show_uint(p, tb, L2TPKD_CTL_A_PEER_RECOVERY_MS, "peer_recovery_ms", "recovery-ms");
	else
		show_uint(p, tb, L2TPKD_CTL_A_PEER_RECOVERY_MS, "peer_recovery_ms", NULL);
}

/*
 * How the tunnel came through a restart of the daemon: "recovery silent". A value a newer
 * daemon added is shown as "unknown(N)", in JSON too, so that the key keeps one type.
 */
static void show_recovery(struct printer *p, cli_attrs tb)
{
	static const char *const names[] = {
		[L2TPKD_CTL_RECOVERY_NONE] = "none",
		[L2TPKD_CTL_RECOVERY_RESYNCING] = "resyncing",
		[L2TPKD_CTL_RECOVERY_SILENT] = "silent",
		[L2TPKD_CTL_RECOVERY_PROTOCOL] = "protocol",
		[L2TPKD_CTL_RECOVERY_PROTOCOL_PENDING] = "protocol-pending",
	};
	const struct nlattr *a = tb[L2TPKD_CTL_A_RECOVERY];
	unsigned v;
	char text[16];

	if (!a) {
		pr_null(p, "recovery");
		return;
	}
	v = mnl_attr_get_u8(a);
	if (v < N_FIELDS(names) && names[v]) {
		pr_str(p, "recovery", "recovery", names[v]);
		return;
	}
	snprintf(text, sizeof(text), "unknown(%u)", v);
	pr_str(p, "recovery", "recovery", text);
}

int cli_show_tunnel(struct printer *p, cli_attrs tb, char *why, size_t why_len)
{
	static const struct uint_field sequence[] = {
		{ L2TPKD_CTL_A_NS, "ns", "ns" },
		{ L2TPKD_CTL_A_NR, "nr", "nr" },
		{ L2TPKD_CTL_A_QUEUED, "queued", "queued" },
	};
	int r;

	pr_object_begin(p, NULL, NULL);
	show_uints(p, tb, tunnel_ids, N_FIELDS(tunnel_ids));
	show_str(p, tb, L2TPKD_CTL_A_STATE, "state", "state");
	show_bool(p, tb, L2TPKD_CTL_A_ESTABLISHED, "established", NULL);
	show_bool(p, tb, L2TPKD_CTL_A_ORIGINATOR, "originator", "originator");
	pr_newline(p);
	r = show_addr(p, tb, L2TPKD_CTL_A_LOCAL_IP, L2TPKD_CTL_A_LOCAL_PORT, "local_address", "local_port", "local",
		      why, why_len);
	if (r == CLI_EXIT_OK)
		r = show_addr(p, tb, L2TPKD_CTL_A_PEER_IP, L2TPKD_CTL_A_PEER_PORT, "peer_address", "peer_port", "peer",
			      why, why_len);
	show_str(p, tb, L2TPKD_CTL_A_PEER_NAME, "peer_name", "peer-name");
	pr_newline(p);
	show_str(p, tb, L2TPKD_CTL_A_PEER_HOST_NAME, "peer_host_name", "peer-host");
	show_str(p, tb, L2TPKD_CTL_A_PEER_VENDOR_NAME, "peer_vendor_name", "peer-vendor");
	show_uint(p, tb, L2TPKD_CTL_A_SESSIONS, "sessions", "sessions");
	pr_newline(p);
	show_uints(p, tb, sequence, N_FIELDS(sequence));
	pr_newline(p);
	show_failover(p, tb);
	show_recovery(p, tb);
	pr_newline(p);
	if (r == CLI_EXIT_OK)
		r = show_control(p, tb[L2TPKD_CTL_A_CONTROL], why, why_len);
	pr_object_end(p);
	return r;
}

static const char *direction_name(cli_attrs tb)
{
	if (!tb[L2TPKD_CTL_A_DIRECTION])
		return NULL;
	switch (mnl_attr_get_u8(tb[L2TPKD_CTL_A_DIRECTION])) {
	case L2TPKD_CTL_DIR_INCOMING:
		return "incoming";
	case L2TPKD_CTL_DIR_OUTGOING:
		return "outgoing";
	default:
		return "unknown";
	}
}

int cli_show_session(struct printer *p, cli_attrs tb, char *why, size_t why_len)
{
	const char *dir = direction_name(tb);
	int r;

	pr_object_begin(p, NULL, NULL);
	show_uints(p, tb, session_ids, N_FIELDS(session_ids));
	show_str(p, tb, L2TPKD_CTL_A_STATE, "state", "state");
	show_bool(p, tb, L2TPKD_CTL_A_ESTABLISHED, "established", NULL);
	pr_newline(p);
	r = show_addr(p, tb, L2TPKD_CTL_A_PEER_IP, L2TPKD_CTL_A_PEER_PORT, "peer_address", "peer_port", "peer", why,
		      why_len);
	show_bool(p, tb, L2TPKD_CTL_A_LNS, "lns", NULL);
	if (tb[L2TPKD_CTL_A_LNS])
		pr_str(p, NULL, "role", mnl_attr_get_u8(tb[L2TPKD_CTL_A_LNS]) ? "lns" : "lac");
	if (dir)
		pr_str(p, "direction", "direction", dir);
	else
		pr_null(p, "direction");
	show_uint(p, tb, L2TPKD_CTL_A_CALL_SERIAL, "call_serial", "call-serial");
	show_bool(p, tb, L2TPKD_CTL_A_SEND_SEQ, "send_seq", "sequencing");
	pr_newline(p);
	show_uint(p, tb, L2TPKD_CTL_A_PPPD_PID, "pppd_pid", "pppd");
	show_str(p, tb, L2TPKD_CTL_A_IFNAME, "ifname", "interface");
	pr_object_end(p);
	return r;
}

int cli_show_engine(struct printer *p, cli_attrs top, char *why, size_t why_len)
{
	static const struct uint_field totals[] = {
		{ L2TPKD_CTL_ENGINE_A_TUNNELS, "tunnels", "tunnels" },
		{ L2TPKD_CTL_ENGINE_A_TUNNELS_ESTABLISHED, "tunnels_established", "established" },
		{ L2TPKD_CTL_ENGINE_A_SESSIONS, "sessions", "sessions" },
		{ L2TPKD_CTL_ENGINE_A_SESSIONS_ESTABLISHED, "sessions_established", "established" },
		{ L2TPKD_CTL_ENGINE_A_TUNNELS_AWAITING_ACK, "tunnels_awaiting_ack", "awaiting-ack" },
		{ L2TPKD_CTL_ENGINE_A_HEAP_BYTES, "heap_bytes", "heap-bytes" },
	};
	static const struct uint_field refusals[] = {
		{ L2TPKD_CTL_ENGINE_A_TUNNELS_REFUSED, "tunnels_refused", "tunnels-refused" },
		{ L2TPKD_CTL_ENGINE_A_SESSIONS_REFUSED, "sessions_refused", "sessions-refused" },
		{ L2TPKD_CTL_ENGINE_A_AUTH_FAILURES, "auth_failures", "auth-failures" },
		{ L2TPKD_CTL_ENGINE_A_TIE_BREAKS_LOST, "tie_breaks_lost", "tie-breaks-lost" },
		{ L2TPKD_CTL_ENGINE_A_DATAGRAMS_DISCARDED, "datagrams_discarded", "discarded" },
	};
	static const struct uint_field traffic[] = {
		{ L2TPKD_CTL_ENGINE_A_MESSAGES_SENT, "messages_sent", "messages-sent" },
		{ L2TPKD_CTL_ENGINE_A_RETRANSMISSIONS, "retransmissions", "retransmissions" },
		{ L2TPKD_CTL_ENGINE_A_ZLBS_SENT, "zlbs_sent", "zlbs-sent" },
	};
	const struct nlattr *tb[L2TPKD_CTL_ENGINE_A_MAX + 1];
	int r = nested(top[L2TPKD_CTL_A_ENGINE], &ctl_policy_engine, tb, why, why_len);

	if (r != CLI_EXIT_OK)
		return r;
	pr_object_begin(p, "engine", "totals");
	show_uints(p, tb, totals, N_FIELDS(totals));
	pr_newline(p);
	show_uints(p, tb, refusals, N_FIELDS(refusals));
	pr_newline(p);
	show_uints(p, tb, traffic, N_FIELDS(traffic));
	pr_object_end(p);
	return CLI_EXIT_OK;
}

/* The kernel's counters, or null and why not. */
static int show_kernel(struct printer *p, cli_attrs top, char *why, size_t why_len)
{
	static const struct uint_field tx[] = {
		{ L2TPKD_CTL_KERNEL_A_TX_PACKETS, "tx_packets", "tx packets" },
		{ L2TPKD_CTL_KERNEL_A_TX_BYTES, "tx_bytes", "bytes" },
		{ L2TPKD_CTL_KERNEL_A_TX_ERRORS, "tx_errors", "errors" },
	};
	static const struct uint_field rx[] = {
		{ L2TPKD_CTL_KERNEL_A_RX_PACKETS, "rx_packets", "rx packets" },
		{ L2TPKD_CTL_KERNEL_A_RX_BYTES, "rx_bytes", "bytes" },
		{ L2TPKD_CTL_KERNEL_A_RX_ERRORS, "rx_errors", "errors" },
		{ L2TPKD_CTL_KERNEL_A_RX_SEQ_DISCARDS, "rx_seq_discards", "seq-discards" },
		{ L2TPKD_CTL_KERNEL_A_RX_OOS_PACKETS, "rx_oos_packets", "oos-packets" },
		{ L2TPKD_CTL_KERNEL_A_RX_COOKIE_DISCARDS, "rx_cookie_discards", "cookie-discards" },
		{ L2TPKD_CTL_KERNEL_A_RX_INVALID, "rx_invalid", "invalid" },
	};
	const struct nlattr *tb[L2TPKD_CTL_KERNEL_A_MAX + 1];
	int r;

	if (!top[L2TPKD_CTL_A_KERNEL]) {
		pr_null(p, "kernel");
		show_str(p, top, L2TPKD_CTL_A_KERNEL_ERROR, "kernel_error", "kernel:");
		return CLI_EXIT_OK;
	}
	r = nested(top[L2TPKD_CTL_A_KERNEL], &ctl_policy_kernel, tb, why, why_len);
	if (r != CLI_EXIT_OK)
		return r;
	pr_null(p, "kernel_error");
	pr_object_begin(p, "kernel", NULL);
	pr_newline(p);
	show_uints(p, tb, tx, N_FIELDS(tx));
	pr_newline(p);
	show_uints(p, tb, rx, N_FIELDS(rx));
	pr_object_end(p);
	return CLI_EXIT_OK;
}

int cli_show_tunnel_stats(struct printer *p, cli_attrs tb, char *why, size_t why_len)
{
	int r;

	pr_object_begin(p, NULL, NULL);
	show_uints(p, tb, tunnel_ids, N_FIELDS(tunnel_ids));
	r = show_kernel(p, tb, why, why_len);
	pr_object_end(p);
	return r;
}

int cli_show_session_stats(struct printer *p, cli_attrs tb, char *why, size_t why_len)
{
	int r;

	pr_object_begin(p, NULL, NULL);
	show_uints(p, tb, session_ids, N_FIELDS(session_ids));
	r = show_kernel(p, tb, why, why_len);
	pr_object_end(p);
	return r;
}

static const char *event_name(cli_attrs tb)
{
	static const char *const names[] = {
		[L2TPKD_CTL_EVENT_TUNNEL_UP] = "tunnel-up",	[L2TPKD_CTL_EVENT_TUNNEL_DOWN] = "tunnel-down",
		[L2TPKD_CTL_EVENT_SESSION_UP] = "session-up",	[L2TPKD_CTL_EVENT_SESSION_DOWN] = "session-down",
		[L2TPKD_CTL_EVENT_PPP_UP] = "ppp-up",		[L2TPKD_CTL_EVENT_RELOAD] = "reload",
		[L2TPKD_CTL_EVENT_REQUEST_DONE] = "request-done",
	};
	unsigned e = tb[L2TPKD_CTL_A_EVENT] ? mnl_attr_get_u8(tb[L2TPKD_CTL_A_EVENT]) : 0;

	return e < sizeof(names) / sizeof(names[0]) && names[e] ? names[e] : "unknown";
}

/* "1 failover", "2 failovers". */
static void failovers_text(char *buf, size_t len, uint32_t n)
{
	snprintf(buf, len, "%" PRIu32 " failover%s", n, n == 1 ? "" : "s");
}

/*
 * A code in text, with the colon that leads to the message after it: "error 7: draining".
 * JSON gets the number.
 */
static void show_code(struct printer *p, cli_attrs tb, int type, const char *key, bool colon)
{
	char text[16];

	pr_uint(p, key, NULL, attr_uint(tb[type]));
	snprintf(text, sizeof(text), "%" PRIu64 "%s", attr_uint(tb[type]), colon ? ":" : "");
	pr_str(p, NULL, key, text);
}

/* "failed after 2 failovers: result 2 error 7: draining" (the last refusal). */
static void show_request_failed(struct printer *p, cli_attrs tb, uint32_t failovers)
{
	bool result = tb[L2TPKD_CTL_A_RESULT], error = tb[L2TPKD_CTL_A_ERROR];
	bool message = tb[L2TPKD_CTL_A_MESSAGE];
	char count[32], text[64];

	failovers_text(count, sizeof(count), failovers);
	snprintf(text, sizeof(text), "failed%s%s%s", failovers ? " after " : "", failovers ? count : "",
		 result || error || message ? ":" : "");
	pr_str(p, NULL, "", text);
	if (result)
		show_code(p, tb, L2TPKD_CTL_A_RESULT, "result", message && !error);
	if (error)
		show_code(p, tb, L2TPKD_CTL_A_ERROR, "error", message);
	if (message)
		show_str(p, tb, L2TPKD_CTL_A_MESSAGE, "message", "");
}

/* "up: tunnel 12 session 34 at 192.0.2.3:1701 after 1 failover" (where the call landed). */
static int show_request_up(struct printer *p, cli_attrs tb, uint32_t failovers, char *why, size_t why_len)
{
	bool where = tb[L2TPKD_CTL_A_TUNNEL_ID] || tb[L2TPKD_CTL_A_SESSION_ID] || tb[L2TPKD_CTL_A_PEER_IP] ||
		     failovers;
	char count[32];
	int r = CLI_EXIT_OK;

	pr_str(p, NULL, "", where ? "up:" : "up");
	if (tb[L2TPKD_CTL_A_TUNNEL_ID])
		show_uint(p, tb, L2TPKD_CTL_A_TUNNEL_ID, "tunnel_id", "tunnel");
	if (tb[L2TPKD_CTL_A_SESSION_ID])
		show_uint(p, tb, L2TPKD_CTL_A_SESSION_ID, "session_id", "session");
	if (tb[L2TPKD_CTL_A_PEER_IP])
		r = show_addr(p, tb, L2TPKD_CTL_A_PEER_IP, L2TPKD_CTL_A_PEER_PORT, "peer_address", "peer_port", "at",
			      why, why_len);
	if (failovers) {
		failovers_text(count, sizeof(count), failovers);
		pr_str(p, NULL, "after", count);
	}
	return r;
}

/* A group call done placing: "request 7 " and how it went. */
static int show_request_done(struct printer *p, cli_attrs tb, char *why, size_t why_len)
{
	uint32_t failovers = tb[L2TPKD_CTL_A_FAILOVERS] ? mnl_attr_get_u32(tb[L2TPKD_CTL_A_FAILOVERS]) : 0;
	bool up;

	if (!tb[L2TPKD_CTL_A_REQUEST_ID] || !tb[L2TPKD_CTL_A_ESTABLISHED])
		return malformed(why, why_len, "a request-done event without its request ID or outcome");
	up = mnl_attr_get_u8(tb[L2TPKD_CTL_A_ESTABLISHED]) != 0;
	pr_uint(p, "request_id", "request", mnl_attr_get_u32(tb[L2TPKD_CTL_A_REQUEST_ID]));
	pr_bool(p, "established", NULL, up);
	if (tb[L2TPKD_CTL_A_FAILOVERS])
		pr_uint(p, "failovers", NULL, failovers);
	if (up)
		return show_request_up(p, tb, failovers, why, why_len);
	show_request_failed(p, tb, failovers);
	return CLI_EXIT_OK;
}

/* One line, or one JSON object: only what the event carries (events differ in their fields). */
int cli_show_event(struct printer *p, cli_attrs tb, char *why, size_t why_len)
{
	static const struct uint_field ids[] = {
		{ L2TPKD_CTL_A_TUNNEL_ID, "tunnel_id", "tunnel" },
		{ L2TPKD_CTL_A_SESSION_ID, "session_id", "session" },
		{ L2TPKD_CTL_A_PEER_TUNNEL_ID, "peer_tunnel_id", "peer-tunnel" },
		{ L2TPKD_CTL_A_PEER_SESSION_ID, "peer_session_id", "peer-session" },
		{ L2TPKD_CTL_A_RESULT, "result", "result" },
		{ L2TPKD_CTL_A_ERROR, "error", "error" },
	};
	size_t i;
	int r = CLI_EXIT_OK;

	pr_object_begin(p, NULL, NULL);
	if (tb[L2TPKD_CTL_A_EVENT] && mnl_attr_get_u8(tb[L2TPKD_CTL_A_EVENT]) == L2TPKD_CTL_EVENT_REQUEST_DONE) {
		pr_str(p, "event", NULL, event_name(tb)); /* text: the request number leads */
		r = show_request_done(p, tb, why, why_len);
		pr_object_end(p);
		return r;
	}
	pr_str(p, "event", "", event_name(tb));
	for (i = 0; i < N_FIELDS(ids); i++)
		if (tb[ids[i].type])
			pr_uint(p, ids[i].key, ids[i].label, attr_uint(tb[ids[i].type]));
	if (tb[L2TPKD_CTL_A_PEER_IP])
		r = show_addr(p, tb, L2TPKD_CTL_A_PEER_IP, L2TPKD_CTL_A_PEER_PORT, "peer_address", "peer_port", "peer",
			      why, why_len);
	if (tb[L2TPKD_CTL_A_BY_PEER])
		show_bool(p, tb, L2TPKD_CTL_A_BY_PEER, "by_peer", "by-peer");
	if (tb[L2TPKD_CTL_A_IFNAME])
		show_str(p, tb, L2TPKD_CTL_A_IFNAME, "ifname", "interface");
	if (tb[L2TPKD_CTL_A_MESSAGE])
		show_str(p, tb, L2TPKD_CTL_A_MESSAGE, "message", "message");
	pr_object_end(p);
	return r;
}

int cli_show_version(struct printer *p, cli_attrs tb, const char *client_version, char *why, size_t why_len)
{
	pr_str(p, "client_version", "l2tpctl", client_version);
	show_str(p, tb, L2TPKD_CTL_A_DAEMON_VERSION, "daemon_version", "l2tpkd");
	show_uint(p, tb, L2TPKD_CTL_A_PROTO_VERSION, "protocol_version", "protocol");
	show_str(p, tb, L2TPKD_CTL_A_CONFIG_PATH, "config_path", "config");
	return CLI_EXIT_OK;
}

int cli_show_ids(struct printer *p, cli_attrs tb, char *why, size_t why_len)
{
	if (!tb[L2TPKD_CTL_A_TUNNEL_ID])
		return malformed(why, why_len, "an add without the new tunnel ID");
	show_uint(p, tb, L2TPKD_CTL_A_TUNNEL_ID, "tunnel_id", "tunnel");
	if (tb[L2TPKD_CTL_A_SESSION_ID])
		show_uint(p, tb, L2TPKD_CTL_A_SESSION_ID, "session_id", "session");
	return CLI_EXIT_OK;
}

int cli_show_request(struct printer *p, cli_attrs tb, char *why, size_t why_len)
{
	if (!tb[L2TPKD_CTL_A_REQUEST_ID])
		return malformed(why, why_len, "a group call without its request ID");
	show_uint(p, tb, L2TPKD_CTL_A_REQUEST_ID, "request_id", "request");
	return CLI_EXIT_OK;
}

/* How long an endpoint stays busy, in whole seconds rounded up: "busy 42s" reads with the state. */
static void show_busy(struct printer *p, cli_attrs tb)
{
	uint64_t ms = tb[L2TPKD_CTL_A_BUSY_MS] ? mnl_attr_get_u32(tb[L2TPKD_CTL_A_BUSY_MS]) : 0;
	char text[24];

	show_uint(p, tb, L2TPKD_CTL_A_BUSY_MS, "busy_ms", NULL);
	if (ms) {
		snprintf(text, sizeof(text), "%" PRIu64 "s", (ms + 999) / 1000);
		pr_str(p, NULL, "", text);
	}
}

int cli_show_peer(struct printer *p, cli_attrs tb, char *why, size_t why_len)
{
	static const struct uint_field placing[] = {
		{ L2TPKD_CTL_A_PRIORITY, "priority", "priority" },
		{ L2TPKD_CTL_A_WEIGHT, "weight", "weight" },
	};
	static const struct uint_field load[] = {
		{ L2TPKD_CTL_A_TUNNELS, "tunnels", "tunnels" },
		{ L2TPKD_CTL_A_TUNNELS_UP, "tunnels_up", "up" },
		{ L2TPKD_CTL_A_SESSIONS, "sessions", "sessions" },
		{ L2TPKD_CTL_A_SESSIONS_UP, "sessions_up", "up" },
	};
	static const struct uint_field failover[] = {
		{ L2TPKD_CTL_A_FAILOVERS_FROM, "failovers_from", "failovers-from" },
		{ L2TPKD_CTL_A_FAILOVERS_TO, "failovers_to", "failovers-to" },
		{ L2TPKD_CTL_A_ATTEMPTS, "attempts", "attempts" },
	};
	int r;

	pr_object_begin(p, NULL, NULL);
	show_str(p, tb, L2TPKD_CTL_A_GROUP, "group", "group");
	r = show_addr(p, tb, L2TPKD_CTL_A_PEER_IP, L2TPKD_CTL_A_PEER_PORT, "peer_address", "peer_port", "endpoint",
		      why, why_len);
	show_str(p, tb, L2TPKD_CTL_A_PEER_NAME, "peer_name", "peer-name");
	pr_newline(p);
	show_uints(p, tb, placing, N_FIELDS(placing));
	show_str(p, tb, L2TPKD_CTL_A_STATE, "state", "state");
	show_busy(p, tb);
	pr_newline(p);
	show_uints(p, tb, load, N_FIELDS(load));
	pr_newline(p);
	show_uints(p, tb, failover, N_FIELDS(failover));
	pr_object_end(p);
	return r;
}

/* An admission limit: the number, or "none" in text for 0 (no limit). */
static void show_limit(struct printer *p, cli_attrs tb, int type, const char *key, const char *label)
{
	uint32_t v;

	if (!tb[type]) {
		pr_null(p, key);
		return;
	}
	v = mnl_attr_get_u32(tb[type]);
	pr_uint(p, key, NULL, v);
	if (v)
		pr_uint(p, NULL, label, v);
	else
		pr_str(p, NULL, label, "none");
}

/* A refusal's Result and Error Codes: two JSON numbers, "2/4" in text. */
static void show_refusal(struct printer *p, cli_attrs tb, int result, int error, const char *result_key,
			 const char *error_key, const char *label)
{
	char text[24];

	show_uint(p, tb, result, result_key, NULL);
	show_uint(p, tb, error, error_key, NULL);
	if (!tb[result])
		return;
	if (tb[error])
		snprintf(text, sizeof(text), "%" PRIu32 "/%" PRIu32, mnl_attr_get_u32(tb[result]),
			 mnl_attr_get_u32(tb[error]));
	else
		snprintf(text, sizeof(text), "%" PRIu32, mnl_attr_get_u32(tb[result]));
	pr_str(p, NULL, label, text);
}

static int show_limits(struct printer *p, const struct nlattr *nest, char *why, size_t why_len)
{
	static const struct uint_field counts[] = {
		{ L2TPKD_CTL_LIMITS_A_MAX_TUNNELS, "max_tunnels", "max-tunnels" },
		{ L2TPKD_CTL_LIMITS_A_MAX_SESSIONS, "max_sessions", "max-sessions" },
		{ L2TPKD_CTL_LIMITS_A_MAX_SESSIONS_PER_TUNNEL, "max_sessions_per_tunnel", "max-sessions-per-tunnel" },
		{ L2TPKD_CTL_LIMITS_A_SESSION_RATE, "session_rate", "session-rate" },
		{ L2TPKD_CTL_LIMITS_A_SESSION_BURST, "session_burst", "session-burst" },
	};
	const struct nlattr *tb[L2TPKD_CTL_LIMITS_A_MAX + 1];
	size_t i;
	int r;

	if (!nest) {
		pr_null(p, "limits");
		return CLI_EXIT_OK;
	}
	r = nested(nest, &ctl_policy_limits, tb, why, why_len);
	if (r != CLI_EXIT_OK)
		return r;
	pr_object_begin(p, "limits", "limits");
	for (i = 0; i < N_FIELDS(counts); i++) {
		if (counts[i].type == L2TPKD_CTL_LIMITS_A_SESSION_RATE)
			pr_newline(p);
		show_limit(p, tb, counts[i].type, counts[i].key, counts[i].label);
	}
	show_refusal(p, tb, L2TPKD_CTL_LIMITS_A_REFUSE_TUNNEL_RESULT, L2TPKD_CTL_LIMITS_A_REFUSE_TUNNEL_ERROR,
		     "refuse_tunnel_result", "refuse_tunnel_error", "refuse-tunnel");
	show_refusal(p, tb, L2TPKD_CTL_LIMITS_A_REFUSE_SESSION_RESULT, L2TPKD_CTL_LIMITS_A_REFUSE_SESSION_ERROR,
		     "refuse_session_result", "refuse_session_error", "refuse-session");
	pr_object_end(p);
	return CLI_EXIT_OK;
}

int cli_show_lns(struct printer *p, cli_attrs tb, char *why, size_t why_len)
{
	int r;

	show_bool(p, tb, L2TPKD_CTL_A_ACCEPTING, "accepting", "accepting");
	show_bool(p, tb, L2TPKD_CTL_A_DRAIN, "drain", "drain");
	pr_newline(p);
	r = show_limits(p, tb[L2TPKD_CTL_A_LIMITS], why, why_len);
	pr_newline(p);
	if (r != CLI_EXIT_OK)
		return r;
	if (!tb[L2TPKD_CTL_A_ENGINE]) {
		pr_null(p, "engine");
		return CLI_EXIT_OK;
	}
	return cli_show_engine(p, tb, why, why_len);
}
