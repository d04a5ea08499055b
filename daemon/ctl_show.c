/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl's showing commands, daemon side: tunnel show, session show and stats, built from
 * the engine's views, the shell's pppd records, the configuration's peer names and the
 * kernel's counters.
 *
 * A dump first takes a sorted snapshot of the IDs it will show (two or four octets each), then
 * looks each one up again when its turn comes, as the client reads: a dump of many thousand
 * sessions neither blocks the loop nor sits in memory as messages, and an object that went
 * away meanwhile is skipped. Kernel counters are read one object at a time for the same
 * reason; an object the kernel does not have is reported in its message, not as a failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "ctl_cmds.h"
#include "kglue.h"
#include "shell.h"

enum show_kind {
	SHOW_TUNNELS,
	SHOW_SESSIONS,
	SHOW_STATS,
};

struct show_dump {
	enum show_kind kind;
	bool engine_sent; /* stats: the totals come first */
	uint16_t *tunnels;
	size_t n_tunnels, tunnels_cap, next_tunnel;
	uint32_t *sessions; /* tunnel ID << 16 | session ID */
	size_t n_sessions, sessions_cap, next_session;
	uint16_t only_session; /* session show [tunnel T] session S: 0 for all */
	int err;	       /* -ENOMEM while collecting */
};

void ctl_put_addr(struct ctl_msg *m, uint16_t ip_type, uint16_t port_type, const struct l2tp_addr *a)
{
	if (a->family == AF_INET)
		ctl_put_bin(m, ip_type, a->addr, 4);
	else if (a->family == AF_INET6)
		ctl_put_bin(m, ip_type, a->addr, 16);
	else
		return;
	ctl_put_u16(m, port_type, a->port);
}

int ctl_get_id(const struct ctl_request *req, uint16_t type, uint16_t *id, char *why, size_t why_len)
{
	const struct nlattr *a = req->tb[type];

	if (!a)
		return -ENOENT;
	*id = mnl_attr_get_u16(a);
	if (*id)
		return 0;
	snprintf(why, why_len, "%s 0 is not a valid ID",
		 type == L2TPKD_CTL_A_SESSION_ID ? "session" : "tunnel");
	return -EINVAL;
}

int ctl_need_id(const struct ctl_request *req, uint16_t type, uint16_t *id, char *why, size_t why_len)
{
	int r = ctl_get_id(req, type, id, why, why_len);

	if (r == -ENOENT) {
		snprintf(why, why_len, "the request has no %s ID", type == L2TPKD_CTL_A_SESSION_ID ? "session" : "tunnel");
		return -EINVAL;
	}
	return r;
}

/* The [peer] section whose address this is (any port), if one. */
static const char *peer_name(struct shell *sh, const struct l2tp_addr *a)
{
	const struct l2tpkd_conf *conf = shell_conf(sh);
	const struct conf_peer *p = conf ? conf_peer_by_host(conf, a) : NULL;

	return p ? p->name : NULL;
}

static void put_control(struct ctl_msg *m, const struct xport_stats *x)
{
	struct nlattr *nest = ctl_nest_begin(m, L2TPKD_CTL_A_CONTROL);

	ctl_put_u32(m, L2TPKD_CTL_CONTROL_A_SENT, x->sent);
	ctl_put_u32(m, L2TPKD_CTL_CONTROL_A_ZLB_SENT, x->zlb_sent);
	ctl_put_u32(m, L2TPKD_CTL_CONTROL_A_RETRANSMITTED, x->retransmitted);
	ctl_put_u32(m, L2TPKD_CTL_CONTROL_A_RECEIVED, x->received);
	ctl_put_u32(m, L2TPKD_CTL_CONTROL_A_DUPLICATES, x->duplicates);
	ctl_put_u32(m, L2TPKD_CTL_CONTROL_A_HELD, x->held);
	ctl_put_u32(m, L2TPKD_CTL_CONTROL_A_DROPPED, x->dropped);
	ctl_nest_end(m, nest);
}

/*
 * The wire's value of the engine's recovery: the protocol's numbers are ABI, the engine's are
 * not. No default: a new engine value fails to build until it has a wire value.
 */
static uint8_t recovery_code(enum engine_recovery r)
{
	switch (r) {
	case ENGINE_RECOVERY_NONE:
		return L2TPKD_CTL_RECOVERY_NONE;
	case ENGINE_RECOVERY_RESYNCING:
		return L2TPKD_CTL_RECOVERY_RESYNCING;
	case ENGINE_RECOVERY_SILENT:
		return L2TPKD_CTL_RECOVERY_SILENT;
	case ENGINE_RECOVERY_PROTOCOL:
		return L2TPKD_CTL_RECOVERY_PROTOCOL;
	case ENGINE_RECOVERY_PROTOCOL_PENDING:
		return L2TPKD_CTL_RECOVERY_PROTOCOL_PENDING;
	}
	return L2TPKD_CTL_RECOVERY_NONE;
}

static int put_tunnel(struct shell *sh, struct ctl_out *out, const struct engine_tunnel_view *v)
{
	const char *name = peer_name(sh, &v->peer);
	struct l2tp_addr local = v->local;
	struct ctl_msg m;

	ctl_out_begin(out, &m);
	ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, v->tunnel_id);
	ctl_put_u16(&m, L2TPKD_CTL_A_PEER_TUNNEL_ID, v->peer_tunnel_id);
	ctl_put_str(&m, L2TPKD_CTL_A_STATE, v->state, L2TPKD_CTL_TEXT_MAX);
	ctl_put_u8(&m, L2TPKD_CTL_A_ESTABLISHED, v->established);
	ctl_put_u8(&m, L2TPKD_CTL_A_ORIGINATOR, v->originator);
	(void)shell_tunnel_local(sh, v->tunnel_id, &local);
	ctl_put_addr(&m, L2TPKD_CTL_A_LOCAL_IP, L2TPKD_CTL_A_LOCAL_PORT, &local);
	ctl_put_addr(&m, L2TPKD_CTL_A_PEER_IP, L2TPKD_CTL_A_PEER_PORT, &v->peer);
	if (name)
		ctl_put_str(&m, L2TPKD_CTL_A_PEER_NAME, name, L2TPKD_CTL_TEXT_MAX);
	if (v->peer_host_name)
		ctl_put_str(&m, L2TPKD_CTL_A_PEER_HOST_NAME, v->peer_host_name, L2TPKD_CTL_TEXT_MAX);
	if (v->peer_vendor_name)
		ctl_put_str(&m, L2TPKD_CTL_A_PEER_VENDOR_NAME, v->peer_vendor_name, L2TPKD_CTL_TEXT_MAX);
	ctl_put_u32(&m, L2TPKD_CTL_A_SESSIONS, v->sessions);
	ctl_put_u16(&m, L2TPKD_CTL_A_NS, v->ns);
	ctl_put_u16(&m, L2TPKD_CTL_A_NR, v->nr);
	ctl_put_u16(&m, L2TPKD_CTL_A_QUEUED, v->queued);
	put_control(&m, &v->xport);
	ctl_put_u8(&m, L2TPKD_CTL_A_FAILOVER, v->failover_negotiated);
	ctl_put_u16(&m, L2TPKD_CTL_A_PEER_FAILOVER_FLAGS, v->peer_failover_flags);
	ctl_put_u32(&m, L2TPKD_CTL_A_PEER_RECOVERY_MS, v->peer_recovery_time_ms);
	ctl_put_u8(&m, L2TPKD_CTL_A_RECOVERY, recovery_code(v->recovery));
	return ctl_out_end(out, &m);
}

static int put_session(struct shell *sh, struct ctl_out *out, const struct engine_session_view *v)
{
	struct engine_tunnel_view t;
	char ifname[L2TPKD_CTL_IFNAME_MAX];
	struct ctl_msg m;
	pid_t pid;

	ctl_out_begin(out, &m);
	ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, v->tunnel_id);
	ctl_put_u16(&m, L2TPKD_CTL_A_SESSION_ID, v->session_id);
	ctl_put_u16(&m, L2TPKD_CTL_A_PEER_SESSION_ID, v->peer_session_id);
	if (engine_tunnel_view(shell_engine(sh), v->tunnel_id, &t) == 0) {
		ctl_put_u16(&m, L2TPKD_CTL_A_PEER_TUNNEL_ID, t.peer_tunnel_id);
		ctl_put_addr(&m, L2TPKD_CTL_A_PEER_IP, L2TPKD_CTL_A_PEER_PORT, &t.peer);
	}
	ctl_put_str(&m, L2TPKD_CTL_A_STATE, v->state, L2TPKD_CTL_TEXT_MAX);
	ctl_put_u8(&m, L2TPKD_CTL_A_ESTABLISHED, v->established);
	ctl_put_u8(&m, L2TPKD_CTL_A_LNS, v->lns);
	ctl_put_u8(&m, L2TPKD_CTL_A_DIRECTION,
		   v->direction == ENGINE_CALL_OUTGOING ? L2TPKD_CTL_DIR_OUTGOING : L2TPKD_CTL_DIR_INCOMING);
	ctl_put_u32(&m, L2TPKD_CTL_A_CALL_SERIAL, v->call_serial);
	ctl_put_u8(&m, L2TPKD_CTL_A_SEND_SEQ, v->send_seq);
	if (shell_session_pppd(sh, v->tunnel_id, v->session_id, &pid, ifname) == 0) {
		ctl_put_u32(&m, L2TPKD_CTL_A_PPPD_PID, (uint32_t)pid);
		if (ifname[0])
			ctl_put_str(&m, L2TPKD_CTL_A_IFNAME, ifname, sizeof(ifname));
	}
	return ctl_out_end(out, &m);
}

static void put_kernel_stats(struct ctl_msg *m, const struct kglue_stats *k)
{
	struct nlattr *nest = ctl_nest_begin(m, L2TPKD_CTL_A_KERNEL);

	ctl_put_u64(m, L2TPKD_CTL_KERNEL_A_TX_PACKETS, k->tx_packets);
	ctl_put_u64(m, L2TPKD_CTL_KERNEL_A_TX_BYTES, k->tx_bytes);
	ctl_put_u64(m, L2TPKD_CTL_KERNEL_A_TX_ERRORS, k->tx_errors);
	ctl_put_u64(m, L2TPKD_CTL_KERNEL_A_RX_PACKETS, k->rx_packets);
	ctl_put_u64(m, L2TPKD_CTL_KERNEL_A_RX_BYTES, k->rx_bytes);
	ctl_put_u64(m, L2TPKD_CTL_KERNEL_A_RX_SEQ_DISCARDS, k->rx_seq_discards);
	ctl_put_u64(m, L2TPKD_CTL_KERNEL_A_RX_OOS_PACKETS, k->rx_oos_packets);
	ctl_put_u64(m, L2TPKD_CTL_KERNEL_A_RX_ERRORS, k->rx_errors);
	ctl_put_u64(m, L2TPKD_CTL_KERNEL_A_RX_COOKIE_DISCARDS, k->rx_cookie_discards);
	ctl_put_u64(m, L2TPKD_CTL_KERNEL_A_RX_INVALID, k->rx_invalid);
	ctl_nest_end(m, nest);
}

/* The kernel's counters, or why there are none (err from kglue_*_get). */
static void put_kernel(struct ctl_msg *m, int err, const struct kglue_stats *k, const char *what)
{
	char text[L2TPKD_CTL_TEXT_MAX];

	if (err == 0) {
		put_kernel_stats(m, k);
		return;
	}
	if (err == -ENODEV)
		snprintf(text, sizeof(text), "the kernel has no such %s (yet)", what);
	else if (err == -ENOTCONN)
		snprintf(text, sizeof(text), "l2tpkd has no connection to the kernel");
	else
		snprintf(text, sizeof(text), "kernel counters unavailable: %s", strerror(-err));
	ctl_put_str(m, L2TPKD_CTL_A_KERNEL_ERROR, text, sizeof(text));
}

static int put_tunnel_stats(struct shell *sh, struct ctl_out *out, const struct engine_tunnel_view *v)
{
	struct kglue *k = shell_kglue(sh);
	struct kglue_tunnel_info info;
	struct ctl_msg m;
	int err = k ? kglue_tunnel_get(k, v->tunnel_id, &info) : -ENOTCONN;

	ctl_out_begin(out, &m);
	ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, v->tunnel_id);
	ctl_put_u16(&m, L2TPKD_CTL_A_PEER_TUNNEL_ID, v->peer_tunnel_id);
	put_kernel(&m, err, &info.stats, "tunnel");
	return ctl_out_end(out, &m);
}

static int put_session_stats(struct shell *sh, struct ctl_out *out, const struct engine_session_view *v)
{
	struct kglue *k = shell_kglue(sh);
	struct kglue_session_info info;
	struct engine_tunnel_view t;
	struct ctl_msg m;
	int err = k ? kglue_session_get(k, v->tunnel_id, v->session_id, &info) : -ENOTCONN;

	ctl_out_begin(out, &m);
	ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, v->tunnel_id);
	ctl_put_u16(&m, L2TPKD_CTL_A_SESSION_ID, v->session_id);
	if (engine_tunnel_view(shell_engine(sh), v->tunnel_id, &t) == 0)
		ctl_put_u16(&m, L2TPKD_CTL_A_PEER_TUNNEL_ID, t.peer_tunnel_id);
	ctl_put_u16(&m, L2TPKD_CTL_A_PEER_SESSION_ID, v->peer_session_id);
	put_kernel(&m, err, &info.stats, "session");
	return ctl_out_end(out, &m);
}

void ctl_put_engine(struct ctl_msg *m, const struct engine *e)
{
	struct engine_stats st;
	struct nlattr *nest;

	engine_get_stats(e, &st);
	nest = ctl_nest_begin(m, L2TPKD_CTL_A_ENGINE);
	ctl_put_u32(m, L2TPKD_CTL_ENGINE_A_TUNNELS, st.tunnels);
	ctl_put_u32(m, L2TPKD_CTL_ENGINE_A_TUNNELS_ESTABLISHED, st.tunnels_established);
	ctl_put_u32(m, L2TPKD_CTL_ENGINE_A_SESSIONS, st.sessions);
	ctl_put_u32(m, L2TPKD_CTL_ENGINE_A_SESSIONS_ESTABLISHED, st.sessions_established);
	ctl_put_u32(m, L2TPKD_CTL_ENGINE_A_TUNNELS_AWAITING_ACK, st.tunnels_awaiting_ack);
	ctl_put_u64(m, L2TPKD_CTL_ENGINE_A_HEAP_BYTES, st.heap_bytes);
	ctl_put_u32(m, L2TPKD_CTL_ENGINE_A_TUNNELS_REFUSED, st.tunnels_refused);
	ctl_put_u32(m, L2TPKD_CTL_ENGINE_A_SESSIONS_REFUSED, st.sessions_refused);
	ctl_put_u32(m, L2TPKD_CTL_ENGINE_A_AUTH_FAILURES, st.auth_failures);
	ctl_put_u32(m, L2TPKD_CTL_ENGINE_A_TIE_BREAKS_LOST, st.tie_breaks_lost);
	ctl_put_u32(m, L2TPKD_CTL_ENGINE_A_DATAGRAMS_DISCARDED, st.datagrams_discarded);
	ctl_put_u64(m, L2TPKD_CTL_ENGINE_A_MESSAGES_SENT, st.messages_sent);
	ctl_put_u64(m, L2TPKD_CTL_ENGINE_A_RETRANSMISSIONS, st.retransmissions);
	ctl_put_u64(m, L2TPKD_CTL_ENGINE_A_ZLBS_SENT, st.zlbs_sent);
	ctl_nest_end(m, nest);
}

static int put_engine_stats(struct shell *sh, struct ctl_out *out)
{
	struct ctl_msg m;

	ctl_out_begin(out, &m);
	ctl_put_engine(&m, shell_engine(sh));
	return ctl_out_end(out, &m);
}

int ctl_show_tunnel(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	struct engine_tunnel_view v;
	uint16_t tid;
	int r;

	r = ctl_need_id(req, L2TPKD_CTL_A_TUNNEL_ID, &tid, why, why_len);
	if (r < 0)
		return r;
	if (engine_tunnel_view(shell_engine(req->ctx), tid, &v) < 0) {
		snprintf(why, why_len, "no tunnel %u", tid);
		return -ENOENT;
	}
	return put_tunnel(req->ctx, out, &v);
}

int ctl_show_session(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	struct engine_session_view v;
	uint16_t tid, sid;
	int r;

	r = ctl_need_id(req, L2TPKD_CTL_A_TUNNEL_ID, &tid, why, why_len);
	if (r == 0)
		r = ctl_need_id(req, L2TPKD_CTL_A_SESSION_ID, &sid, why, why_len);
	if (r < 0)
		return r;
	if (engine_session_view(shell_engine(req->ctx), tid, sid, &v) < 0) {
		snprintf(why, why_len, "no session %u in tunnel %u", sid, tid);
		return -ENOENT;
	}
	return put_session(req->ctx, out, &v);
}

/* Room for one more element: the array (perhaps moved), or NULL if out of memory (it stays). */
static void *reserve(void *array, size_t *cap, size_t n, size_t size)
{
	size_t new_cap = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return array;
	p = reallocarray(array, new_cap, size);
	if (p)
		*cap = new_cap;
	return p;
}

static int collect_tunnel(const struct engine_tunnel_view *v, void *arg)
{
	struct show_dump *d = arg;
	uint16_t *t = reserve(d->tunnels, &d->tunnels_cap, d->n_tunnels, sizeof(*t));

	if (!t) {
		d->err = -ENOMEM;
		return 1;
	}
	d->tunnels = t;
	d->tunnels[d->n_tunnels++] = v->tunnel_id;
	return 0;
}

static int collect_session(const struct engine_session_view *v, void *arg)
{
	struct show_dump *d = arg;
	uint32_t *s;

	if (d->only_session && v->session_id != d->only_session)
		return 0;
	s = reserve(d->sessions, &d->sessions_cap, d->n_sessions, sizeof(*s));
	if (!s) {
		d->err = -ENOMEM;
		return 1;
	}
	d->sessions = s;
	d->sessions[d->n_sessions++] = (uint32_t)v->tunnel_id << 16 | v->session_id;
	return 0;
}

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

void ctl_show_dump_free(void *state)
{
	struct show_dump *d = state;

	if (!d)
		return;
	free(d->tunnels);
	free(d->sessions);
	free(d);
}

/*
 * The snapshot: the tunnels (all, or only tid) and their sessions as the kind needs them.
 * tid 0: every tunnel; a tid the engine does not have is refused.
 */
static int dump_start(const struct ctl_request *req, enum show_kind kind, uint16_t tid, void **state, char *why,
		      size_t why_len)
{
	const struct engine *e = shell_engine(req->ctx);
	struct engine_tunnel_view v;
	struct show_dump *d;
	int r = 0;

	if (tid && engine_tunnel_view(e, tid, &v) < 0) {
		snprintf(why, why_len, "no tunnel %u", tid);
		return -ENOENT;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->kind = kind;
	if (req->tb[L2TPKD_CTL_A_SESSION_ID])
		r = ctl_get_id(req, L2TPKD_CTL_A_SESSION_ID, &d->only_session, why, why_len);
	if (r == 0 && kind != SHOW_SESSIONS) {
		if (tid)
			(void)collect_tunnel(&v, d);
		else
			(void)engine_walk_tunnels(e, collect_tunnel, d);
	}
	if (r == 0 && d->err == 0 && kind != SHOW_TUNNELS)
		(void)engine_walk_sessions(e, tid, collect_session, d);
	if (r == 0)
		r = d->err;
	if (r < 0) {
		ctl_show_dump_free(d);
		return r;
	}
	if (d->n_tunnels) /* an empty array may be NULL, which qsort does not take */
		qsort(d->tunnels, d->n_tunnels, sizeof(*d->tunnels), cmp_u16);
	if (d->n_sessions)
		qsort(d->sessions, d->n_sessions, sizeof(*d->sessions), cmp_u32);
	*state = d;
	return 0;
}

/* An optional TUNNEL_ID filter: 0 if absent. */
static int filter_tunnel(const struct ctl_request *req, uint16_t *tid, char *why, size_t why_len)
{
	int r = ctl_get_id(req, L2TPKD_CTL_A_TUNNEL_ID, tid, why, why_len);

	if (r == -ENOENT) {
		*tid = 0;
		return 0;
	}
	return r;
}

int ctl_show_tunnels_start(const struct ctl_request *req, void **state, char *why, size_t why_len)
{
	uint16_t tid;
	int r = filter_tunnel(req, &tid, why, why_len);

	return r < 0 ? r : dump_start(req, SHOW_TUNNELS, tid, state, why, why_len);
}

int ctl_show_sessions_start(const struct ctl_request *req, void **state, char *why, size_t why_len)
{
	uint16_t tid;
	int r = filter_tunnel(req, &tid, why, why_len);

	return r < 0 ? r : dump_start(req, SHOW_SESSIONS, tid, state, why, why_len);
}

int ctl_show_stats_start(const struct ctl_request *req, void **state, char *why, size_t why_len)
{
	uint16_t tid;
	int r = filter_tunnel(req, &tid, why, why_len);

	return r < 0 ? r : dump_start(req, SHOW_STATS, tid, state, why, why_len);
}

int ctl_show_dump_next(void *ctx, void *state, struct ctl_out *out, char *why, size_t why_len)
{
	struct shell *sh = ctx;
	struct show_dump *d = state;
	const struct engine *e = shell_engine(sh);
	struct engine_tunnel_view tv;
	struct engine_session_view sv;
	int r;

	if (d->kind == SHOW_STATS && !d->engine_sent) {
		r = put_engine_stats(sh, out);
		if (r < 0)
			return r;
		d->engine_sent = true;
	}
	for (; d->next_tunnel < d->n_tunnels && !ctl_out_full(out); d->next_tunnel++) {
		if (engine_tunnel_view(e, d->tunnels[d->next_tunnel], &tv) < 0)
			continue; /* gone since the snapshot */
		r = d->kind == SHOW_STATS ? put_tunnel_stats(sh, out, &tv) : put_tunnel(sh, out, &tv);
		if (r < 0)
			return r;
	}
	for (; d->next_tunnel == d->n_tunnels && d->next_session < d->n_sessions && !ctl_out_full(out);
	     d->next_session++) {
		uint32_t key = d->sessions[d->next_session];

		if (engine_session_view(e, key >> 16, key & 0xffff, &sv) < 0)
			continue;
		r = d->kind == SHOW_STATS ? put_session_stats(sh, out, &sv) : put_session(sh, out, &sv);
		if (r < 0)
			return r;
	}
	return d->next_tunnel < d->n_tunnels || d->next_session < d->n_sessions;
}
