/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's durable state (issue 6, design.md §1 point 4): a record per established tunnel
 * and session and per busy endpoint, written as STATE actions when an event that changed the
 * object settles, so the shell never writes per packet what did not change. A restarted
 * daemon hands the records back (engine_restore) and the restored tunnels resynchronise with
 * their peers (engine_resume): RFC 2661 gives no way to ask a peer for its sequence numbers,
 * so a probing HELLO learns them (silent failover, spec/l2tp-protocol.md §3.6).
 *
 * Only established objects are kept: RFC 4951 §3.3 Step I clears every other one silently
 * after a failover, and a call half set up has nobody to finish it. Records are versioned
 * by ENGINE_STATE_VERSION (the store refuses another) and read with a bounded cursor: a
 * record is hostile input like any datagram.
 */
#include <errno.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "engine_int.h"

#define NAME_MAX_KEPT 64

enum tunnel_record_flags { TR_ORIGINATOR = 1, TR_HIDE = 2, TR_SENT_FAILOVER_CAP = 4 };
enum session_record_flags { SR_SEND_SEQ = 1 };

const char *engine_recovery_name(enum engine_recovery r)
{
	switch (r) {
	case ENGINE_RECOVERY_RESYNCING:
		return "resyncing";
	case ENGINE_RECOVERY_SILENT:
		return "silent";
	case ENGINE_RECOVERY_PROTOCOL_PENDING:
		return "protocol-pending";
	case ENGINE_RECOVERY_PROTOCOL:
		return "protocol";
	case ENGINE_RECOVERY_NONE:
		break;
	}
	return "none";
}

void engine_touch_tunnel(struct engine *e, struct tunnel *t)
{
	if (!e->cfg->persist_state || t->touched)
		return;
	t->touched = true;
	t->next_touched = e->touched_tunnels;
	e->touched_tunnels = t;
}

void engine_touch_session(struct engine *e, struct session *s)
{
	if (!e->cfg->persist_state || s->touched)
		return;
	s->touched = true;
	s->next_touched = e->touched_sessions;
	e->touched_sessions = s;
}

void engine_touch_endpoint(struct engine *e, struct endpoint *ep)
{
	if (!e->cfg->persist_state || ep->touched)
		return;
	ep->touched = true;
	ep->next_touched = e->touched_endpoints;
	e->touched_endpoints = ep;
}

static void put_addr(struct wcursor *c, const struct l2tp_addr *a)
{
	wcursor_u16(c, a->family);
	wcursor_u16(c, a->port);
	wcursor_bytes(c, a->addr, sizeof(a->addr));
}

static bool get_addr(struct rcursor *c, struct l2tp_addr *a)
{
	a->family = rcursor_u16(c);
	a->port = rcursor_u16(c);
	rcursor_copy(c, a->addr, sizeof(a->addr));
	return a->family == AF_INET || a->family == AF_INET6;
}

static void put_name(struct wcursor *c, const char *name)
{
	size_t n = name ? strnlen(name, NAME_MAX_KEPT) : 0;

	wcursor_u8(c, (uint8_t)n);
	wcursor_bytes(c, name, n);
}

/* A name as kept (printable or not: it is shown escaped); NULL if absent or unreadable. */
static char *get_name(struct rcursor *c)
{
	uint8_t n = rcursor_u8(c);
	const uint8_t *p = rcursor_take(c, n);
	char *s;

	if (!p || !n || n > NAME_MAX_KEPT || memchr(p, 0, n))
		return NULL;
	s = malloc((size_t)n + 1);
	if (s) {
		memcpy(s, p, n);
		s[n] = 0;
	}
	return s;
}

static size_t tunnel_record(const struct tunnel *t, uint8_t *buf, size_t cap)
{
	struct wcursor c;

	wcursor_init(&c, buf, cap);
	wcursor_u16(&c, t->id);
	wcursor_u16(&c, t->peer_id);
	put_addr(&c, &t->local);
	put_addr(&c, &t->peer);
	wcursor_u8(&c, (uint8_t)((t->originator ? TR_ORIGINATOR : 0) | (t->hide ? TR_HIDE : 0) |
				 (t->sent_failover_cap ? TR_SENT_FAILOVER_CAP : 0)));
	wcursor_u16(&c, t->peer_failover_flags);
	wcursor_u32(&c, t->peer_recovery_ms);
	wcursor_u32(&c, t->peer_framing);
	wcursor_u32(&c, t->peer_bearer);
	wcursor_u16(&c, t->peer_firmware);
	/* What was sent, not what waits for the window: only the former can have reached the peer. */
	wcursor_u16(&c, t->xport.pending ? t->xport.pending->ns : t->xport.ns_next);
	wcursor_u16(&c, t->xport.nr);
	wcursor_u16(&c, t->xport.peer_rwin);
	wcursor_u8(&c, t->setup_retries);
	wcursor_u32(&c, t->idle_ms);
	put_name(&c, t->peer_host_name);
	put_name(&c, t->peer_vendor_name);
	return wcursor_ok(&c) ? c.pos : 0;
}

static size_t session_record(const struct session *s, uint8_t *buf, size_t cap)
{
	struct wcursor c;

	wcursor_init(&c, buf, cap);
	wcursor_u16(&c, s->tunnel->id);
	wcursor_u16(&c, s->id);
	wcursor_u16(&c, s->peer_id);
	wcursor_u8(&c, s->kind);
	wcursor_u8(&c, s->send_seq ? SR_SEND_SEQ : 0);
	wcursor_u32(&c, s->call_serial);
	return wcursor_ok(&c) ? c.pos : 0;
}

static size_t endpoint_record(const struct endpoint *ep, uint8_t *buf, size_t cap)
{
	struct wcursor c;

	wcursor_init(&c, buf, cap);
	put_addr(&c, &ep->addr);
	wcursor_u32(&c, (uint32_t)(ep->busy_until >> 32));
	wcursor_u32(&c, (uint32_t)ep->busy_until);
	wcursor_u32(&c, ep->failovers_from);
	wcursor_u32(&c, ep->failovers_to);
	wcursor_u32(&c, ep->attempts);
	return wcursor_ok(&c) ? c.pos : 0;
}

static void push_put(struct engine *e, uint64_t key, const uint8_t *rec, size_t len)
{
	struct engine_action *a;

	if (!len) {
		engine_log(e, ENGINE_LOG_ERR, NULL, NULL, "state record %#llx does not fit",
			   (unsigned long long)key);
		return;
	}
	a = engine_push(e, ENGINE_STATE_PUT);
	if (!a)
		return;
	a->state.key = key;
	a->state.len = (uint16_t)len;
	a->state.buf = engine_copy(e, rec, len);
	if (!a->state.buf)
		a->type = ENGINE_STATE_DROP; /* better forgotten than kept stale */
}

static void push_drop(struct engine *e, uint64_t key)
{
	struct engine_action *a = engine_push(e, ENGINE_STATE_DROP);

	if (a)
		a->state.key = key;
}

static void flush_tunnels(struct engine *e)
{
	uint8_t rec[ENGINE_STATE_RECORD_MAX];

	while (e->touched_tunnels) {
		struct tunnel *t = e->touched_tunnels;
		uint64_t key = ENGINE_STATE_KEY(ENGINE_STATE_TUNNEL, t->id);

		e->touched_tunnels = t->next_touched;
		t->touched = false;
		/*
		 * Established means the kernel has it too, or is about to (KERNEL_OK follows). A
		 * recovery tunnel has no kernel object and no future past its reset: never kept.
		 */
		if (!t->dead && t->state == TUNNEL_ESTABLISHED && !t->is_recovery) {
			push_put(e, key, rec, tunnel_record(t, rec, sizeof(rec)));
			t->persisted = true;
		} else if (t->persisted) {
			push_drop(e, key);
			t->persisted = false;
		}
	}
}

static void flush_sessions(struct engine *e)
{
	uint8_t rec[ENGINE_STATE_RECORD_MAX];

	while (e->touched_sessions) {
		struct session *s = e->touched_sessions;
		uint64_t key = ENGINE_STATE_KEY(ENGINE_STATE_SESSION, (uint32_t)s->tunnel->id << 16 | s->id);

		e->touched_sessions = s->next_touched;
		s->touched = false;
		if (!s->dead && s->state == SESSION_ESTABLISHED) {
			push_put(e, key, rec, session_record(s, rec, sizeof(rec)));
			s->persisted = true;
		} else if (s->persisted) {
			push_drop(e, key);
			s->persisted = false;
		}
	}
}

static void flush_endpoints(struct engine *e)
{
	uint8_t rec[ENGINE_STATE_RECORD_MAX];

	while (e->touched_endpoints) {
		struct endpoint *ep = e->touched_endpoints;

		e->touched_endpoints = ep->next_touched;
		ep->touched = false;
		push_put(e, ENGINE_STATE_KEY(ENGINE_STATE_ENDPOINT, ep->serial), rec,
			 endpoint_record(ep, rec, sizeof(rec)));
	}
}

void engine_state_flush(struct engine *e)
{
	/* Sessions first: a restarted daemon must never find a session whose tunnel record is gone. */
	flush_sessions(e);
	flush_tunnels(e);
	flush_endpoints(e);
}

/* A tunnel record, read whole before anything is made of it. */
struct tunnel_fields {
	uint16_t id, peer_id;
	struct l2tp_addr local, peer;
	uint8_t flags;
	uint16_t peer_failover_flags, peer_firmware, ns, nr, peer_rwin;
	uint32_t peer_recovery_ms, peer_framing, peer_bearer, idle_ms;
	uint8_t setup_retries;
	char *host_name, *vendor_name;
};

static bool read_tunnel(struct rcursor *c, struct tunnel_fields *f)
{
	bool addrs_ok;

	f->id = rcursor_u16(c);
	f->peer_id = rcursor_u16(c);
	addrs_ok = get_addr(c, &f->local);
	addrs_ok = get_addr(c, &f->peer) && addrs_ok;
	f->flags = rcursor_u8(c);
	f->peer_failover_flags = rcursor_u16(c);
	f->peer_recovery_ms = rcursor_u32(c);
	f->peer_framing = rcursor_u32(c);
	f->peer_bearer = rcursor_u32(c);
	f->peer_firmware = rcursor_u16(c);
	f->ns = rcursor_u16(c);
	f->nr = rcursor_u16(c);
	f->peer_rwin = rcursor_u16(c);
	f->setup_retries = rcursor_u8(c);
	f->idle_ms = rcursor_u32(c);
	f->host_name = get_name(c);
	f->vendor_name = get_name(c);
	return rcursor_ok(c) && addrs_ok && f->id && f->peer_id && f->peer_rwin;
}

static int restore_tunnel(struct engine *e, uint32_t key_id, struct rcursor *c)
{
	struct tunnel_fields f = { 0 };
	struct tunnel *t = NULL;
	int err = -EINVAL;

	if (!read_tunnel(c, &f) || f.id != key_id)
		goto out;
	err = -EEXIST;
	if (tunnel_find(e, f.id))
		goto out;
	err = -ENOMEM;
	t = tunnel_new_with_id(e, f.id, &f.local, &f.peer, f.flags & TR_ORIGINATOR);
	if (!t)
		goto out;
	if (tunnel_set_peer_id(e, t, f.peer_id) < 0) {
		tunnel_free(e, t);
		tunnel_reap(e);
		engine_actions_clear(e);
		goto out;
	}
	t->sent_failover_cap = f.flags & TR_SENT_FAILOVER_CAP;
	t->peer_failover_flags = f.peer_failover_flags;
	t->peer_recovery_ms = f.peer_recovery_ms;
	t->peer_framing = f.peer_framing;
	t->peer_bearer = f.peer_bearer;
	t->peer_firmware = f.peer_firmware;
	t->xport.ns_next = f.ns;
	t->xport.nr = f.nr;
	xport_set_peer_window(&t->xport, f.peer_rwin);
	t->setup_retries = f.setup_retries;
	t->idle_ms = f.idle_ms;
	t->peer_host_name = f.host_name;
	t->peer_vendor_name = f.vendor_name;
	f.host_name = f.vendor_name = NULL;
	/*
	 * The secret and hiding come from today's configuration (tunnel_new_with_id), as they
	 * would for a new tunnel: a reload while the daemon was down applies.
	 */
	t->state = TUNNEL_ESTABLISHED;
	t->kernel_created = true;
	t->persisted = true;
	t->recovery = ENGINE_RECOVERY_RESYNCING;
	t->reap_at = TIMER_NONE;
	e->n_tunnels_established++;
	err = 0;
out:
	free(f.host_name);
	free(f.vendor_name);
	return err;
}

static int restore_session(struct engine *e, uint32_t key_ids, struct rcursor *c)
{
	uint16_t tunnel_id = rcursor_u16(c), id = rcursor_u16(c), peer_id = rcursor_u16(c);
	uint8_t kind = rcursor_u8(c), flags = rcursor_u8(c);
	uint32_t call_serial = rcursor_u32(c);
	struct tunnel *t = tunnel_find(e, tunnel_id);
	struct session *s;

	if (!rcursor_ok(c) || !id || !peer_id || kind >= SESSION_KIND_COUNT ||
	    key_ids != ((uint32_t)tunnel_id << 16 | id))
		return -EINVAL;
	if (!t || t->recovery != ENGINE_RECOVERY_RESYNCING)
		return -ENOENT;
	if (session_find(e, tunnel_id, id))
		return -EEXIST;
	s = session_new_with_id(e, t, id, kind);
	if (!s)
		return -ENOMEM;
	s->peer_id = peer_id;
	s->send_seq = flags & SR_SEND_SEQ;
	s->call_serial = call_serial;
	if ((int32_t)(call_serial - e->call_serial) > 0)
		e->call_serial = call_serial;
	s->state = SESSION_ESTABLISHED;
	s->kernel_requested = s->kernel_created = true;
	s->persisted = true;
	e->n_sessions_established++;
	return 0;
}

static int restore_endpoint(struct engine *e, uint32_t serial, struct rcursor *c)
{
	struct l2tp_addr addr;
	bool addr_ok = get_addr(c, &addr);
	uint64_t busy_until = (uint64_t)rcursor_u32(c) << 32;
	struct endpoint *ep;

	busy_until |= rcursor_u32(c);
	if (!rcursor_ok(c) || !addr_ok)
		return -EINVAL;
	if (endpoint_get(e, &addr, false))
		return -EEXIST;
	ep = endpoint_get(e, &addr, true);
	if (!ep)
		return -ENOMEM;
	/* The clock is the same monotonic one: a busy mark keeps its deadline across a restart. */
	ep->busy_until = busy_until;
	ep->failovers_from = rcursor_u32(c);
	ep->failovers_to = rcursor_u32(c);
	ep->attempts = rcursor_u32(c);
	ep->serial = serial;
	if ((int32_t)(serial - e->endpoint_serial) > 0)
		e->endpoint_serial = serial;
	return rcursor_ok(c) ? 0 : -EINVAL;
}

int engine_restore(struct engine *e, uint64_t now, uint64_t key, const void *rec, size_t len)
{
	struct rcursor c;

	e->now = now;
	if (len > ENGINE_STATE_RECORD_MAX)
		return -EINVAL;
	rcursor_init(&c, rec, len);
	switch (ENGINE_STATE_KIND(key)) {
	case ENGINE_STATE_TUNNEL:
		return restore_tunnel(e, (uint32_t)key, &c);
	case ENGINE_STATE_SESSION:
		return restore_session(e, (uint32_t)key, &c);
	case ENGINE_STATE_ENDPOINT:
		return restore_endpoint(e, (uint32_t)key, &c);
	}
	return -EINVAL;
}

void engine_resume(struct engine *e, uint64_t now)
{
	e->now = now;
	for (uint32_t id = 1; id <= UINT16_MAX; id++) {
		struct tunnel *t = tunnel_find(e, (uint16_t)id);

		if (!t || t->recovery != ENGINE_RECOVERY_RESYNCING || !xport_idle(&t->xport))
			continue;
		t->last_rx = now;
		t->hello_at = e->cfg->hello_ms ? now + e->cfg->hello_ms : TIMER_NONE;
		if (recovery_by_protocol(e, t))
			recovery_begin(e, t);
		else
			tunnel_resync_begin(e, t);
		/* A group's tunnel without a call counts its idle time from now. */
		tunnel_idle_check(e, t);
	}
	engine_settle(e);
}
