/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the seed corpus of tests/fuzz/fuzz_ctl (tests/fuzz/corpus/ctl): every request
 * l2tpctl sends, encoded by its own encoder (cli_request.c), and answers shaped as the daemon
 * sends them (include/l2tp/ctl.h), written with the shared writer (ctl_proto.c): replies of
 * each kind with every attribute and nest (extended failover's too: group calls, peer show,
 * lns show; hitless restart: restart and each recovery of a tunnel), ACKs, refusals with the
 * extended ack, dump ends, and events. Built from the real encoders so that the seeds stay
 * valid as the protocol grows.
 *
 * usage: gen_ctl_seeds OUT_DIR
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli_request.h"
#include "ctl_proto.h"

#define SEQ 7 /* what the answers echo */

static const char *out_dir;

/* A datagram under construction: messages one after another, as the daemon batches them. */
struct dgram {
	union {
		struct nlmsghdr align;
		char buf[L2TPKD_CTL_DGRAM_MAX];
	} u;
	size_t len;
	struct ctl_msg m; /* the message being written */
};

static int write_seed(const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "gen_ctl_seeds: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static struct ctl_msg *begin(struct dgram *d, uint16_t type, uint16_t flags, uint32_t seq)
{
	ctl_msg_init(&d->m, d->u.buf + d->len, sizeof(d->u.buf) - d->len, type, flags, seq, 0);
	return &d->m;
}

static void end(struct dgram *d)
{
	if (!d->m.overflow)
		d->len += d->m.nlh->nlmsg_len;
}

/* NLMSG_ERROR (capped; error 0 is the ACK) for a request of type, with the reason if err < 0. */
static void status_error(struct dgram *d, uint16_t type, int err, const char *why, uint32_t offs)
{
	struct ctl_msg *m = begin(d, NLMSG_ERROR, NLM_F_CAPPED | (err < 0 ? NLM_F_ACK_TLVS : 0), SEQ);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(m->nlh, sizeof(*e));

	e->error = err;
	e->msg = (struct nlmsghdr){ .nlmsg_len = sizeof(e->msg), .nlmsg_type = type, .nlmsg_flags = NLM_F_REQUEST,
				    .nlmsg_seq = SEQ };
	if (err < 0) {
		ctl_put_str(m, NLMSGERR_ATTR_MSG, why, L2TPKD_CTL_TEXT_MAX);
		if (offs)
			ctl_put_u32(m, NLMSGERR_ATTR_OFFS, offs);
	}
	end(d);
}

/* NLMSG_DONE: 0, or a negative errno and its reason. */
static void status_done(struct dgram *d, int err, const char *why)
{
	struct ctl_msg *m = begin(d, NLMSG_DONE, NLM_F_MULTI | (err < 0 ? NLM_F_ACK_TLVS : 0), SEQ);
	int *e = mnl_nlmsg_put_extra_header(m->nlh, sizeof(*e));

	*e = err;
	if (err < 0)
		ctl_put_str(m, NLMSGERR_ATTR_MSG, why, L2TPKD_CTL_TEXT_MAX);
	end(d);
}

static void put_peer(struct ctl_msg *m, uint8_t last_octet)
{
	const uint8_t ip[4] = { 192, 0, 2, last_octet };

	ctl_put_bin(m, L2TPKD_CTL_A_PEER_IP, ip, sizeof(ip));
	ctl_put_u16(m, L2TPKD_CTL_A_PEER_PORT, 1701);
}

static void put_kernel(struct ctl_msg *m)
{
	struct nlattr *nest = ctl_nest_begin(m, L2TPKD_CTL_A_KERNEL);
	uint16_t type;

	for (type = 1; type <= L2TPKD_CTL_KERNEL_A_MAX; type++)
		ctl_put_u64(m, type, 1000u * type);
	ctl_nest_end(m, nest);
}

/*
 * RFC 4951 and how the tunnel came through a restart, by ID modulo 4: none, resyncing, silent,
 * and a value only a newer daemon has (l2tpctl shows it as unknown).
 */
static void put_failover(struct ctl_msg *m, uint16_t id)
{
	static const uint8_t recovery[] = { L2TPKD_CTL_RECOVERY_NONE, L2TPKD_CTL_RECOVERY_RESYNCING,
					    L2TPKD_CTL_RECOVERY_SILENT, 200 };

	ctl_put_u8(m, L2TPKD_CTL_A_FAILOVER, id & 1);
	ctl_put_u16(m, L2TPKD_CTL_A_PEER_FAILOVER_FLAGS, id & 3);
	ctl_put_u32(m, L2TPKD_CTL_A_PEER_RECOVERY_MS, id & 1 ? 30000 : 0);
	ctl_put_u8(m, L2TPKD_CTL_A_RECOVERY, recovery[id % sizeof(recovery)]);
}

static void tunnel(struct dgram *d, uint16_t msg_type, uint16_t flags, uint16_t id)
{
	static const uint8_t local6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct ctl_msg *m = begin(d, msg_type, flags, SEQ);
	struct nlattr *nest;
	uint16_t type;

	ctl_put_u16(m, L2TPKD_CTL_A_TUNNEL_ID, id);
	ctl_put_u16(m, L2TPKD_CTL_A_PEER_TUNNEL_ID, id + 100);
	ctl_put_str(m, L2TPKD_CTL_A_STATE, "established", L2TPKD_CTL_TEXT_MAX);
	ctl_put_u8(m, L2TPKD_CTL_A_ESTABLISHED, 1);
	ctl_put_u8(m, L2TPKD_CTL_A_ORIGINATOR, id & 1);
	ctl_put_bin(m, L2TPKD_CTL_A_LOCAL_IP, local6, sizeof(local6));
	ctl_put_u16(m, L2TPKD_CTL_A_LOCAL_PORT, 1701);
	put_peer(m, (uint8_t)id);
	ctl_put_str(m, L2TPKD_CTL_A_PEER_NAME, "lac1", L2TPKD_CTL_TEXT_MAX);
	ctl_put_str(m, L2TPKD_CTL_A_PEER_HOST_NAME, "lac\x1b[31m", L2TPKD_CTL_TEXT_MAX);
	ctl_put_str(m, L2TPKD_CTL_A_PEER_VENDOR_NAME, "xl2tpd", L2TPKD_CTL_TEXT_MAX);
	ctl_put_u32(m, L2TPKD_CTL_A_SESSIONS, 2);
	ctl_put_u16(m, L2TPKD_CTL_A_NS, 5);
	ctl_put_u16(m, L2TPKD_CTL_A_NR, 4);
	ctl_put_u16(m, L2TPKD_CTL_A_QUEUED, 0);
	nest = ctl_nest_begin(m, L2TPKD_CTL_A_CONTROL);
	for (type = 1; type <= L2TPKD_CTL_CONTROL_A_MAX; type++)
		ctl_put_u32(m, type, type);
	ctl_nest_end(m, nest);
	if (msg_type == L2TPKD_CTL_MSG_TUNNEL_GET)
		put_failover(m, id);
	if (msg_type == L2TPKD_CTL_MSG_STATS) {
		if (id & 1)
			put_kernel(m);
		else
			ctl_put_str(m, L2TPKD_CTL_A_KERNEL_ERROR, "no such tunnel in the kernel", L2TPKD_CTL_TEXT_MAX);
	}
	end(d);
}

static void session(struct dgram *d, uint16_t msg_type, uint16_t flags, uint16_t tunnel_id, uint16_t id)
{
	struct ctl_msg *m = begin(d, msg_type, flags, SEQ);

	ctl_put_u16(m, L2TPKD_CTL_A_TUNNEL_ID, tunnel_id);
	ctl_put_u16(m, L2TPKD_CTL_A_SESSION_ID, id);
	ctl_put_u16(m, L2TPKD_CTL_A_PEER_TUNNEL_ID, tunnel_id + 100);
	ctl_put_u16(m, L2TPKD_CTL_A_PEER_SESSION_ID, id + 100);
	ctl_put_str(m, L2TPKD_CTL_A_STATE, "established", L2TPKD_CTL_TEXT_MAX);
	ctl_put_u8(m, L2TPKD_CTL_A_ESTABLISHED, 1);
	ctl_put_u8(m, L2TPKD_CTL_A_LNS, 1);
	ctl_put_u8(m, L2TPKD_CTL_A_DIRECTION, L2TPKD_CTL_DIR_INCOMING);
	ctl_put_u32(m, L2TPKD_CTL_A_CALL_SERIAL, 42);
	ctl_put_u8(m, L2TPKD_CTL_A_SEND_SEQ, 0);
	put_peer(m, (uint8_t)tunnel_id);
	ctl_put_u32(m, L2TPKD_CTL_A_PPPD_PID, 4242);
	ctl_put_str(m, L2TPKD_CTL_A_IFNAME, "ppp0", L2TPKD_CTL_IFNAME_MAX);
	if (msg_type == L2TPKD_CTL_MSG_STATS)
		put_kernel(m);
	end(d);
}

static void ids(struct dgram *d, uint16_t msg_type, uint16_t tunnel_id, uint16_t session_id)
{
	struct ctl_msg *m = begin(d, msg_type, 0, SEQ);

	ctl_put_u16(m, L2TPKD_CTL_A_TUNNEL_ID, tunnel_id);
	if (session_id)
		ctl_put_u16(m, L2TPKD_CTL_A_SESSION_ID, session_id);
	end(d);
}

static void version(struct dgram *d)
{
	struct ctl_msg *m = begin(d, L2TPKD_CTL_MSG_VERSION, 0, SEQ);

	ctl_put_u32(m, L2TPKD_CTL_A_PROTO_VERSION, L2TPKD_CTL_PROTO_VERSION);
	ctl_put_str(m, L2TPKD_CTL_A_DAEMON_VERSION, "0.1", L2TPKD_CTL_TEXT_MAX);
	ctl_put_str(m, L2TPKD_CTL_A_CONFIG_PATH, "/etc/l2tpkd/l2tpkd.conf", L2TPKD_CTL_TEXT_MAX);
	end(d);
}

/* The engine's totals (stats, lns show). */
static void put_engine(struct ctl_msg *m)
{
	struct nlattr *nest = ctl_nest_begin(m, L2TPKD_CTL_A_ENGINE);
	uint16_t type;

	for (type = 1; type <= L2TPKD_CTL_ENGINE_A_MAX; type++) {
		if (type == L2TPKD_CTL_ENGINE_A_HEAP_BYTES || type >= L2TPKD_CTL_ENGINE_A_MESSAGES_SENT)
			ctl_put_u64(m, type, 100000u * type);
		else
			ctl_put_u32(m, type, type);
	}
	ctl_nest_end(m, nest);
}

static void engine_totals(struct dgram *d)
{
	put_engine(begin(d, L2TPKD_CTL_MSG_STATS, NLM_F_MULTI, SEQ));
	end(d);
}

static void event(struct dgram *d, uint8_t code)
{
	struct ctl_msg *m = begin(d, L2TPKD_CTL_MSG_EVENT, 0, 0);

	ctl_put_u8(m, L2TPKD_CTL_A_EVENT, code);
	if (code != L2TPKD_CTL_EVENT_RELOAD) {
		ctl_put_u16(m, L2TPKD_CTL_A_TUNNEL_ID, 1);
		ctl_put_u16(m, L2TPKD_CTL_A_PEER_TUNNEL_ID, 101);
		put_peer(m, 1);
	}
	if (code >= L2TPKD_CTL_EVENT_SESSION_UP && code <= L2TPKD_CTL_EVENT_PPP_UP) {
		ctl_put_u16(m, L2TPKD_CTL_A_SESSION_ID, 2);
		ctl_put_u16(m, L2TPKD_CTL_A_PEER_SESSION_ID, 102);
	}
	if (code == L2TPKD_CTL_EVENT_TUNNEL_DOWN || code == L2TPKD_CTL_EVENT_SESSION_DOWN) {
		ctl_put_u16(m, L2TPKD_CTL_A_RESULT, 2);
		ctl_put_u16(m, L2TPKD_CTL_A_ERROR, 6);
		ctl_put_u8(m, L2TPKD_CTL_A_BY_PEER, 1);
		ctl_put_str(m, L2TPKD_CTL_A_MESSAGE, "peer went away", L2TPKD_CTL_TEXT_MAX);
	}
	if (code == L2TPKD_CTL_EVENT_PPP_UP)
		ctl_put_str(m, L2TPKD_CTL_A_IFNAME, "ppp0", L2TPKD_CTL_IFNAME_MAX);
	end(d);
}

/* One endpoint of a peer group, as peer show lists it: busy, or up on an IPv6 address. */
static void endpoint(struct dgram *d, bool busy)
{
	static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct ctl_msg *m = begin(d, L2TPKD_CTL_MSG_PEER_GET, NLM_F_MULTI, SEQ);

	ctl_put_str(m, L2TPKD_CTL_A_GROUP, "lns-pool", L2TPKD_CTL_PEER_MAX);
	if (busy) {
		put_peer(m, 10);
		ctl_put_str(m, L2TPKD_CTL_A_PEER_NAME, "lns1", L2TPKD_CTL_TEXT_MAX);
	} else {
		ctl_put_bin(m, L2TPKD_CTL_A_PEER_IP, ip6, sizeof(ip6));
		ctl_put_u16(m, L2TPKD_CTL_A_PEER_PORT, 1701);
	}
	ctl_put_u8(m, L2TPKD_CTL_A_PRIORITY, busy ? 1 : 2);
	ctl_put_u16(m, L2TPKD_CTL_A_WEIGHT, 100);
	ctl_put_str(m, L2TPKD_CTL_A_STATE, busy ? "busy" : "up", L2TPKD_CTL_TEXT_MAX);
	ctl_put_u32(m, L2TPKD_CTL_A_BUSY_MS, busy ? 41001 : 0);
	ctl_put_u32(m, L2TPKD_CTL_A_TUNNELS, 2);
	ctl_put_u32(m, L2TPKD_CTL_A_TUNNELS_UP, 1);
	ctl_put_u32(m, L2TPKD_CTL_A_SESSIONS, 10);
	ctl_put_u32(m, L2TPKD_CTL_A_SESSIONS_UP, 9);
	ctl_put_u32(m, L2TPKD_CTL_A_FAILOVERS_FROM, 3);
	ctl_put_u32(m, L2TPKD_CTL_A_FAILOVERS_TO, 1);
	ctl_put_u32(m, L2TPKD_CTL_A_ATTEMPTS, 14);
	end(d);
}

/* lns show: accepting, drain, every limit and the totals. */
static void lns(struct dgram *d)
{
	struct ctl_msg *m = begin(d, L2TPKD_CTL_MSG_LNS_GET, 0, SEQ);
	struct nlattr *nest;
	uint16_t type;

	ctl_put_u8(m, L2TPKD_CTL_A_ACCEPTING, 1);
	ctl_put_u8(m, L2TPKD_CTL_A_DRAIN, 0);
	nest = ctl_nest_begin(m, L2TPKD_CTL_A_LIMITS);
	for (type = 1; type <= L2TPKD_CTL_LIMITS_A_MAX; type++)
		ctl_put_u32(m, type, type == L2TPKD_CTL_LIMITS_A_MAX_TUNNELS ? 0 : type);
	ctl_nest_end(m, nest);
	put_engine(m);
	end(d);
}

/* A group call done: up where it landed, or failed with the last refusal. */
static void request_done(struct dgram *d, bool up)
{
	struct ctl_msg *m = begin(d, L2TPKD_CTL_MSG_EVENT, 0, 0);

	ctl_put_u8(m, L2TPKD_CTL_A_EVENT, L2TPKD_CTL_EVENT_REQUEST_DONE);
	ctl_put_u32(m, L2TPKD_CTL_A_REQUEST_ID, up ? 7 : 8);
	ctl_put_u8(m, L2TPKD_CTL_A_ESTABLISHED, up);
	ctl_put_u32(m, L2TPKD_CTL_A_FAILOVERS, up ? 1 : 2);
	if (up) {
		ctl_put_u16(m, L2TPKD_CTL_A_TUNNEL_ID, 12);
		ctl_put_u16(m, L2TPKD_CTL_A_SESSION_ID, 34);
		put_peer(m, 3);
	} else {
		ctl_put_u16(m, L2TPKD_CTL_A_RESULT, 2);
		ctl_put_u16(m, L2TPKD_CTL_A_ERROR, 7);
		ctl_put_str(m, L2TPKD_CTL_A_MESSAGE, "draining", L2TPKD_CTL_TEXT_MAX);
	}
	end(d);
}

/* Writes the datagram and empties it; the writer leaves attribute padding as it finds it. */
static int write_dgram(const char *name, struct dgram *d)
{
	int r = write_seed(name, d->u.buf, d->len);

	memset(d, 0, sizeof(*d));
	return r;
}

static int request_seeds(void)
{
	static const struct {
		const char *name;
		struct cli_request r;
	} requests[] = {
		{ "req-version", { .type = L2TPKD_CTL_MSG_VERSION } },
		{ "req-tunnel-show", { .type = L2TPKD_CTL_MSG_TUNNEL_GET, .dump = true } },
		{ "req-tunnel-show-id", { .type = L2TPKD_CTL_MSG_TUNNEL_GET, .tunnel_id = 1 } },
		{ "req-tunnel-add", { .type = L2TPKD_CTL_MSG_TUNNEL_ADD, .peer = "lns1" } },
		{ "req-tunnel-add-addr", { .type = L2TPKD_CTL_MSG_TUNNEL_ADD, .peer = "[2001:db8::1]:1701" } },
		{ "req-tunnel-del", { .type = L2TPKD_CTL_MSG_TUNNEL_DEL, .tunnel_id = 1 } },
		{ "req-session-show", { .type = L2TPKD_CTL_MSG_SESSION_GET, .dump = true } },
		{ "req-session-show-tunnel", { .type = L2TPKD_CTL_MSG_SESSION_GET, .dump = true, .tunnel_id = 1 } },
		{ "req-session-show-id",
		  { .type = L2TPKD_CTL_MSG_SESSION_GET, .tunnel_id = 1, .session_id = 2 } },
		{ "req-session-add", { .type = L2TPKD_CTL_MSG_SESSION_ADD, .peer = "lns1" } },
		{ "req-session-add-call",
		  { .type = L2TPKD_CTL_MSG_SESSION_ADD, .peer = "192.0.2.1", .tunnel_id = 1, .calling = "5551234",
		    .called = "5556789", .bearer = 2, .tx_speed = 10000000, .has_tx_speed = true } },
		{ "req-session-del", { .type = L2TPKD_CTL_MSG_SESSION_DEL, .tunnel_id = 1, .session_id = 2 } },
		{ "req-stats", { .type = L2TPKD_CTL_MSG_STATS, .dump = true } },
		{ "req-stats-tunnel", { .type = L2TPKD_CTL_MSG_STATS, .dump = true, .tunnel_id = 1 } },
		{ "req-monitor", { .type = L2TPKD_CTL_MSG_MONITOR } },
		{ "req-reload", { .type = L2TPKD_CTL_MSG_RELOAD } },
		{ "req-session-add-group",
		  { .type = L2TPKD_CTL_MSG_SESSION_ADD, .group = "lns-pool", .calling = "0123", .bearer = 1 } },
		{ "req-peer-show", { .type = L2TPKD_CTL_MSG_PEER_GET, .dump = true } },
		{ "req-peer-show-group", { .type = L2TPKD_CTL_MSG_PEER_GET, .dump = true, .group = "lns-pool" } },
		{ "req-peer-clear-busy", { .type = L2TPKD_CTL_MSG_PEER_CLEAR_BUSY } },
		{ "req-peer-clear-busy-addr",
		  { .type = L2TPKD_CTL_MSG_PEER_CLEAR_BUSY, .peer = "192.0.2.10", .group = "lns-pool" } },
		{ "req-drain-on", { .type = L2TPKD_CTL_MSG_DRAIN, .has_drain = true, .drain = true } },
		{ "req-drain-off", { .type = L2TPKD_CTL_MSG_DRAIN, .has_drain = true, .drain = false } },
		{ "req-lns-show", { .type = L2TPKD_CTL_MSG_LNS_GET } },
		{ "req-restart", { .type = L2TPKD_CTL_MSG_RESTART } },
	};
	union {
		struct nlmsghdr align;
		char buf[L2TPKD_CTL_REQUEST_MAX];
	} u;
	size_t i;
	int len;

	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		memset(&u, 0, sizeof(u)); /* the writer leaves attribute padding as it finds it */
		len = cli_request_encode(&requests[i].r, SEQ, u.buf, sizeof(u.buf));
		if (len < 0) {
			fprintf(stderr, "gen_ctl_seeds: %s: %s\n", requests[i].name, strerror(-len));
			return -1;
		}
		if (write_seed(requests[i].name, u.buf, (size_t)len) < 0)
			return -1;
	}
	return 0;
}

/* The answers of extended failover: group calls, peer show and clear-busy, drain, lns show. */
static int failover_seeds(void)
{
	static struct dgram d;
	struct ctl_msg *m;
	int r = 0;

	m = begin(&d, L2TPKD_CTL_MSG_SESSION_ADD, 0, SEQ);
	ctl_put_u32(m, L2TPKD_CTL_A_REQUEST_ID, 7);
	end(&d);
	status_error(&d, L2TPKD_CTL_MSG_SESSION_ADD, 0, NULL, 0);
	r |= write_dgram("reply-session-add-group", &d);

	endpoint(&d, true);
	endpoint(&d, false);
	status_done(&d, 0, NULL);
	r |= write_dgram("reply-peer-dump", &d);

	status_error(&d, L2TPKD_CTL_MSG_PEER_CLEAR_BUSY, -ENOENT, "192.0.2.10 was not busy", 0);
	r |= write_dgram("reply-clear-busy-refused", &d);

	status_error(&d, L2TPKD_CTL_MSG_DRAIN, 0, NULL, 0);
	r |= write_dgram("reply-drain", &d);

	lns(&d);
	status_error(&d, L2TPKD_CTL_MSG_LNS_GET, 0, NULL, 0);
	r |= write_dgram("reply-lns", &d);

	request_done(&d, true);
	request_done(&d, false);
	r |= write_dgram("events-request-done", &d);
	return r;
}

/* Hitless restart: the ACK, its refusals, and tunnels as they come through (unknown value too). */
static int restart_seeds(void)
{
	static struct dgram d;
	int r = 0;

	status_error(&d, L2TPKD_CTL_MSG_RESTART, 0, NULL, 0);
	r |= write_dgram("reply-restart", &d);

	status_error(&d, L2TPKD_CTL_MSG_RESTART, -ESHUTDOWN, "l2tpkd is stopping", 0);
	r |= write_dgram("reply-restart-stopping", &d);

	status_error(&d, L2TPKD_CTL_MSG_RESTART, -ENOENT, "no state store: cannot restart in place", 0);
	r |= write_dgram("reply-restart-no-store", &d);

	tunnel(&d, L2TPKD_CTL_MSG_TUNNEL_GET, NLM_F_MULTI, 2);
	tunnel(&d, L2TPKD_CTL_MSG_TUNNEL_GET, NLM_F_MULTI, 3);
	tunnel(&d, L2TPKD_CTL_MSG_TUNNEL_GET, NLM_F_MULTI, 4);
	status_done(&d, 0, NULL);
	r |= write_dgram("reply-tunnel-recovery", &d);
	return r;
}

static int answer_seeds(void)
{
	static struct dgram d;
	int r = 0;

	version(&d);
	status_error(&d, L2TPKD_CTL_MSG_VERSION, 0, NULL, 0);
	r |= write_dgram("reply-version", &d);

	tunnel(&d, L2TPKD_CTL_MSG_TUNNEL_GET, NLM_F_MULTI, 1);
	tunnel(&d, L2TPKD_CTL_MSG_TUNNEL_GET, NLM_F_MULTI, 2);
	status_done(&d, 0, NULL);
	r |= write_dgram("reply-tunnel-dump", &d);

	session(&d, L2TPKD_CTL_MSG_SESSION_GET, NLM_F_MULTI, 1, 2);
	session(&d, L2TPKD_CTL_MSG_SESSION_GET, NLM_F_MULTI, 1, 3);
	status_done(&d, 0, NULL);
	r |= write_dgram("reply-session-dump", &d);

	session(&d, L2TPKD_CTL_MSG_SESSION_GET, 0, 1, 2);
	status_error(&d, L2TPKD_CTL_MSG_SESSION_GET, 0, NULL, 0);
	r |= write_dgram("reply-session-one", &d);

	ids(&d, L2TPKD_CTL_MSG_TUNNEL_ADD, 1, 0);
	status_error(&d, L2TPKD_CTL_MSG_TUNNEL_ADD, 0, NULL, 0);
	r |= write_dgram("reply-tunnel-add", &d);

	ids(&d, L2TPKD_CTL_MSG_SESSION_ADD, 1, 2);
	status_error(&d, L2TPKD_CTL_MSG_SESSION_ADD, 0, NULL, 0);
	r |= write_dgram("reply-session-add", &d);

	engine_totals(&d);
	tunnel(&d, L2TPKD_CTL_MSG_STATS, NLM_F_MULTI, 1);
	tunnel(&d, L2TPKD_CTL_MSG_STATS, NLM_F_MULTI, 2);
	session(&d, L2TPKD_CTL_MSG_STATS, NLM_F_MULTI, 1, 2);
	status_done(&d, 0, NULL);
	r |= write_dgram("reply-stats", &d);

	ids(&d, L2TPKD_CTL_MSG_TUNNEL_DEL, 1, 0);
	status_error(&d, L2TPKD_CTL_MSG_TUNNEL_DEL, -ENOENT, "no tunnel 1", 20);
	r |= write_dgram("reply-refused", &d);

	tunnel(&d, L2TPKD_CTL_MSG_TUNNEL_GET, NLM_F_MULTI, 1);
	status_done(&d, -EIO, "internal error: the dump made no progress");
	r |= write_dgram("reply-dump-failed", &d);

	event(&d, L2TPKD_CTL_EVENT_TUNNEL_UP);
	event(&d, L2TPKD_CTL_EVENT_SESSION_UP);
	event(&d, L2TPKD_CTL_EVENT_PPP_UP);
	r |= write_dgram("events-up", &d);

	event(&d, L2TPKD_CTL_EVENT_SESSION_DOWN);
	event(&d, L2TPKD_CTL_EVENT_TUNNEL_DOWN);
	event(&d, L2TPKD_CTL_EVENT_RELOAD);
	r |= write_dgram("events-down", &d);
	return r | failover_seeds() | restart_seeds();
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_ctl_seeds OUT_DIR\n");
		return 2;
	}
	out_dir = argv[1];
	return request_seeds() < 0 || answer_seeds() < 0;
}
