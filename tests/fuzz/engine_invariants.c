/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engines' state after every event, walked index by index: every session belongs to
 * exactly one live tunnel, the counters match the objects, the limits hold, calls wait for a
 * tunnel exactly while it is not established, the transport queues are consistent and
 * bounded, timers fire no later than their deadlines; and for the EUT, what its actions told
 * the shell (engine_shell.c) matches what it holds, its durable records included.
 *
 * Around a restart (OP_RESTART): the new engine holds exactly what was established, as it
 * was; and while the link loses nothing and no scripted message claims the peer engine's
 * address, the restored tunnels resynchronise before any time passes and the peer engine is
 * never told to clear what was restored, unless the program closed it (excuse()). Those
 * checks look at the peer engine's side: a silent failover is one the peer does not notice.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz_engine.h"

/* engine_state.c keeps this much of the peer's host and vendor names. */
#define NAME_KEPT 64

/*
 * The most control messages one tunnel can have queued (sent and unacknowledged, or waiting
 * for the window), from what the engine documents (daemon/engine_int.h, TUNNEL_QUEUE_MAX):
 *   - a message from the peer is processed only while fewer than TUNNEL_QUEUE_HARD_MAX are
 *     queued, and makes at most two of ours (OCRQ: OCRP and OCCN), so the peer brings the
 *     queue to TUNNEL_QUEUE_HARD_MAX + 1 at most;
 *   - a local call is placed only below TUNNEL_QUEUE_MAX, with one request;
 *   - beyond that each call can still add one CDN (closed, pppd exit, kernel failure), and the
 *     calls waiting for the tunnel send their requests together when it comes up: at most
 *     max_sessions_per_tunnel each;
 *   - the tunnel's own: one StopCCN, and an SCCCN; a HELLO goes out only when nothing is queued.
 * Without a per-tunnel limit (the peer engine) there is no bound to check.
 */
#define QUEUE_BOUND(limits) (TUNNEL_QUEUE_HARD_MAX + 1 + 2 * (limits)->max_sessions_per_tunnel + 2)

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;

	return m < c ? m : c;
}

NO_COVERAGE static void check_xport(const char *who, const struct tunnel *t, const struct engine_config *cfg)
{
	const struct xport *x = &t->xport;
	const struct xport_pkt *p, *last = NULL;
	unsigned int n_unacked = 0, n_pending = 0, n_held = 0;
	uint16_t window = x->cwnd < x->peer_rwin ? x->cwnd : x->peer_rwin;

	/* A queue cannot hold more than 65536 messages (Ns wraps): longer means a cycle. */
	for (p = x->unacked; p && n_unacked <= UINT16_MAX; last = p, p = p->next, n_unacked++)
		if (last && p->ns != (uint16_t)(last->ns + 1))
			fail("%s: tunnel %u: unacknowledged Ns %u after %u", who, t->id, p->ns, last->ns);
	if (x->unacked_tail != (x->unacked ? last : NULL))
		fail("%s: tunnel %u: unacknowledged queue tail wrong", who, t->id);
	for (p = x->pending; p && n_pending <= UINT16_MAX; last = p, p = p->next, n_pending++)
		if (last && p->ns != (uint16_t)(last->ns + 1))
			fail("%s: tunnel %u: waiting Ns %u after %u", who, t->id, p->ns, last->ns);
	if (x->pending_tail != (x->pending ? last : NULL))
		fail("%s: tunnel %u: waiting queue tail wrong", who, t->id);
	if (last && x->ns_next != (uint16_t)(last->ns + 1))
		fail("%s: tunnel %u: next Ns %u after queued Ns %u", who, t->id, x->ns_next, last->ns);
	if (xport_queued(x) != n_unacked + n_pending)
		fail("%s: tunnel %u: %u messages queued, xport_queued() says %u", who, t->id,
		     n_unacked + n_pending, xport_queued(x));
	if (cfg->limits.max_sessions_per_tunnel && n_unacked + n_pending > QUEUE_BOUND(&cfg->limits))
		fail("%s: tunnel %u (%s, %u calls): %u control messages queued, more than %u (%u "
		     "unacknowledged, peer window %u)",
		     who, t->id, tunnel_state_name(t->state), t->n_sessions, n_unacked + n_pending,
		     QUEUE_BOUND(&cfg->limits), x->n_unacked, x->peer_rwin);
	if (n_unacked != x->n_unacked)
		fail("%s: tunnel %u: %u unacknowledged, counted %u", who, t->id, n_unacked, x->n_unacked);
	if (x->n_unacked > x->peer_rwin || !x->cwnd || x->cwnd > x->peer_rwin)
		fail("%s: tunnel %u: %u unacknowledged, cwnd %u, peer window %u", who, t->id, x->n_unacked,
		     x->cwnd, x->peer_rwin);
	if (!x->failed && x->unacked && !x->rtx_at)
		fail("%s: tunnel %u: unacknowledged messages without a retransmission time", who, t->id);
	if (!x->failed && x->pending && x->n_unacked < window)
		fail("%s: tunnel %u: messages wait although the window (%u) has room (%u sent)", who, t->id,
		     window, x->n_unacked);
	for (p = x->held; p && n_held <= UINT8_MAX; p = p->next)
		n_held++;
	if (n_held != x->n_held || x->n_held >= cfg->xport.rwin)
		fail("%s: tunnel %u: %u held (counted %u), window %u", who, t->id, n_held, x->n_held,
		     cfg->xport.rwin);
}

NO_COVERAGE static void check_tunnel(const char *who, struct engine *e, const struct tunnel *t,
				     uint32_t *n_sessions, uint32_t *established)
{
	const struct engine_config *cfg = e->cfg;
	const struct session *s, *prev = NULL;
	uint32_t n = 0;
	uint64_t want;

	if (t->dead || !t->id || t->by_id.key != t->id || tunnel_find(e, t->id) != t)
		fail("%s: tunnel %u in the map is dead or under the wrong key", who, t->id);
	if (t->state >= TUNNEL_STATE_COUNT)
		fail("%s: tunnel %u in state %u", who, t->id, t->state);
	for (s = t->sessions; s; prev = s, s = s->next) {
		if (++n > e->sessions.count)
			fail("%s: tunnel %u: session list longer than the session map", who, t->id);
		if (s->prev != prev || s->tunnel != t || s->dead)
			fail("%s: tunnel %u: session %u badly linked or dead", who, t->id, s->id);
		if (session_find(e, t->id, s->id) != s)
			fail("%s: session %u on tunnel %u's list is not in the map under its key", who, s->id,
			     t->id);
		if (s->kind >= SESSION_KIND_COUNT || s->state >= SESSION_STATE_COUNT ||
		    s->state == SESSION_IDLE)
			fail("%s: session %u/%u of kind %u alive in state %u", who, t->id, s->id, s->kind,
			     s->state);
		if ((s->state == SESSION_WAIT_TUNNEL) != (t->state != TUNNEL_ESTABLISHED))
			fail("%s: session %u/%u in state %s on a tunnel in state %s", who, t->id, s->id,
			     session_state_name(s->state), tunnel_state_name(t->state));
		*established += s->state == SESSION_ESTABLISHED;
	}
	if (n != t->n_sessions)
		fail("%s: tunnel %u lists %u sessions, counts %u", who, t->id, n, t->n_sessions);
	if (cfg->limits.max_sessions_per_tunnel && n > cfg->limits.max_sessions_per_tunnel)
		fail("%s: tunnel %u carries %u sessions, limit %u", who, t->id, n,
		     cfg->limits.max_sessions_per_tunnel);
	*n_sessions += n;
	check_xport(who, t, cfg);
	if (t->state == TUNNEL_CLOSING && t->reap_at == TIMER_NONE)
		fail("%s: tunnel %u closing without a time to be forgotten", who, t->id);
	/* No HELLO while RFC 4951 holds it: before its reset, or waiting for its peer's recovery. */
	if (t->state == TUNNEL_ESTABLISHED && cfg->hello_ms && t->hello_at == TIMER_NONE && !t->awaiting_reset &&
	    !t->waiting_recovery)
		fail("%s: tunnel %u established without a HELLO time", who, t->id);
	want = min3(xport_deadline(&t->xport), t->hello_at, t->reap_at);
	if (t->timer.at > want)
		fail("%s: tunnel %u (%s) has a deadline at %llu ms but its timer is at %llu", who, t->id,
		     tunnel_state_name(t->state), (unsigned long long)want, (unsigned long long)t->timer.at);
}

/* Every session in the map is on the list of a live tunnel, once. */
NO_COVERAGE static void check_session_map(const char *who, struct engine *e, uint32_t on_lists)
{
	const struct admission_limits *l = &e->cfg->limits;
	uint32_t n_map = 0;

	for (uint32_t b = 0; b < e->sessions.n_buckets; b++) {
		for (struct hnode *h = e->sessions.buckets[b]; h; h = h->next) {
			const struct session *s = hmap_entry(h, struct session, by_key), *o;
			const struct tunnel *t = s->tunnel;
			unsigned int on_list = 0;

			if (++n_map > e->sessions.count)
				fail("%s: session map holds more than its count", who);
			if (!t || t->dead || tunnel_find(e, t->id) != t)
				fail("%s: session %u belongs to no live tunnel", who, s->id);
			if (h->key != ((uint32_t)t->id << 16 | s->id))
				fail("%s: session %u/%u under key %#x", who, t->id, s->id, h->key);
			for (o = t->sessions; o; o = o->next)
				on_list += o == s;
			if (on_list != 1)
				fail("%s: session %u/%u is on its tunnel's list %u times", who, t->id, s->id,
				     on_list);
		}
	}
	if (n_map != e->sessions.count || n_map != on_lists || n_map != e->n_sessions || e->dead_sessions)
		fail("%s: %u sessions in the map, %u on tunnel lists, engine counts %u", who, n_map, on_lists,
		     e->n_sessions);
	if (l->max_sessions && n_map > l->max_sessions)
		fail("%s: %u sessions, limit %u", who, n_map, l->max_sessions);
}

/* The peer index and the timer heap name live tunnels only, and all those they should. */
NO_COVERAGE static void check_indexes(const char *who, struct engine *e, uint32_t indexed, uint32_t timed)
{
	for (uint32_t b = 0, n = 0; b < e->tunnels_by_peer.n_buckets; b++) {
		for (struct hnode *h = e->tunnels_by_peer.buckets[b]; h; h = h->next) {
			const struct tunnel *t = hmap_entry(h, struct tunnel, by_peer);

			if (++n > e->tunnels_by_peer.count || !t->peer_indexed || tunnel_find(e, t->id) != t)
				fail("%s: peer index names tunnel %u, dead or not indexed", who, t->id);
		}
	}
	if (indexed != e->tunnels_by_peer.count)
		fail("%s: %u tunnels indexed by peer, index holds %u", who, indexed,
		     e->tunnels_by_peer.count);
	if (e->timers.n != timed)
		fail("%s: timer heap holds %u entries for %u tunnels with a deadline", who, e->timers.n,
		     timed);
	for (uint32_t i = 0; i < e->timers.n; i++) {
		const struct timer_entry *te = e->timers.v[i];
		const struct tunnel *t = hmap_entry(te, struct tunnel, timer);

		if (te->index != i || te->at == TIMER_NONE || tunnel_find(e, t->id) != t)
			fail("%s: timer heap entry %u is stale", who, i);
		if (i && e->timers.v[(i - 1) / 2]->at > te->at)
			fail("%s: timer heap out of order at %u", who, i);
	}
}

/* Walks every index of an engine and checks it against the objects. */
NO_COVERAGE void check_engine(const char *who, struct engine *e)
{
	const struct admission_limits *l = &e->cfg->limits;
	uint32_t n_tunnels = 0, n_sessions = 0, est_t = 0, est_s = 0, indexed = 0, timed = 0, n_recovery = 0;

	for (uint32_t b = 0; b < e->tunnels.n_buckets; b++) {
		for (struct hnode *h = e->tunnels.buckets[b]; h; h = h->next) {
			const struct tunnel *t = hmap_entry(h, struct tunnel, by_id);

			if (++n_tunnels > e->tunnels.count)
				fail("%s: tunnel map holds more than its count", who);
			check_tunnel(who, e, t, &n_sessions, &est_s);
			est_t += t->state == TUNNEL_ESTABLISHED;
			n_recovery += t->is_recovery;
			/* One recovery tunnel per old tunnel: the two point at each other until the reset. */
			if (t->recovering && t->recovering->recovery_tunnel != t)
				fail("%s: recovery tunnel %u and tunnel %u do not point at each other", who, t->id,
				     t->recovering->id);
			indexed += t->peer_indexed;
			timed += t->timer.at != TIMER_NONE;
		}
	}
	if (n_tunnels != e->tunnels.count || n_tunnels != e->n_tunnels || e->dead_tunnels)
		fail("%s: %u tunnels in the map, %u counted, %u in the engine", who, n_tunnels,
		     e->tunnels.count, e->n_tunnels);
	if (est_t != e->n_tunnels_established)
		fail("%s: %u tunnels established, engine counts %u", who, est_t, e->n_tunnels_established);
	/* RFC 4951 recovery tunnels skip the limits: a tunnel kept must not be lost to them. */
	if (l->max_tunnels && n_tunnels - n_recovery > l->max_tunnels)
		fail("%s: %u tunnels, limit %u", who, n_tunnels - n_recovery, l->max_tunnels);
	check_session_map(who, e, n_sessions);
	if (est_s != e->n_sessions_established)
		fail("%s: %u sessions established, engine counts %u", who, est_s, e->n_sessions_established);
	check_indexes(who, e, indexed, timed);
}

/* What the actions said about tunnels and calls matches what the EUT holds. */
NO_COVERAGE static void check_lifecycles(struct fuzz *f)
{
	/* Not established within two retransmission cycles: cleared (the set-up deadline). */
	uint64_t setup_ms = 2 * xport_full_cycle_ms(&f->cfg.xport);

	for (unsigned int i = 0; i < f->n_tunnels; i++) {
		const struct tracked_tunnel *t = &f->tunnels[i];
		const struct tunnel *et = tunnel_find(f->e, t->id);

		if (!et)
			fail("tunnel %u is gone without TUNNEL_RELEASED", t->id);
		/* A recovery tunnel says neither up nor down: closing is how it shows its end. */
		if (!t->up && !t->down && f->now - t->born >= setup_ms &&
		    !(t->recovery && et->state == TUNNEL_CLOSING))
			fail("tunnel %u not established %llu ms after it was named, and not cleared", t->id,
			     (unsigned long long)(f->now - t->born));
	}
	for (unsigned int i = 0; i < f->n_up_sessions; i++) {
		uint16_t tid = (uint16_t)(f->up_sessions[i] >> 16), sid = (uint16_t)f->up_sessions[i];
		const struct session *s = session_find(f->e, tid, sid);

		if (!s)
			fail("session %u/%u is gone without SESSION_DOWN", tid, sid);
		if (s->state != SESSION_ESTABLISHED)
			fail("session %u/%u is up in state %s", tid, sid, session_state_name(s->state));
	}
	if (f->n_up_sessions != f->e->n_sessions_established)
		fail("%u sessions up, %u established", f->n_up_sessions, f->e->n_sessions_established);
}

/* The kept records describe exactly the established tunnels and calls (engine_state.c). */
NO_COVERAGE static void check_records(const struct fuzz *f)
{
	const struct engine *e = f->e;
	unsigned int kept = 0;

	for (unsigned int i = 0; i < f->n_records; i++) {
		uint32_t low = (uint32_t)f->records[i].key;
		const struct tunnel *t;
		const struct session *s;

		switch (ENGINE_STATE_KIND(f->records[i].key)) {
		case ENGINE_STATE_TUNNEL:
			t = tunnel_find(e, (uint16_t)low);
			if (!t || t->state != TUNNEL_ESTABLISHED)
				fail("the record of tunnel %u is kept, which is %s", low,
				     t ? tunnel_state_name(t->state) : "gone");
			kept++;
			break;
		case ENGINE_STATE_SESSION:
			s = session_find(e, (uint16_t)(low >> 16), (uint16_t)low);
			if (!s || s->state != SESSION_ESTABLISHED)
				fail("the record of session %u/%u is kept, which is %s", low >> 16,
				     low & 0xffff, s ? session_state_name(s->state) : "gone");
			kept++;
			break;
		default:
			break;
		}
	}
	if (kept != e->n_tunnels_established + e->n_sessions_established)
		fail("%u tunnel and session records kept for %u tunnels and %u sessions established", kept,
		     e->n_tunnels_established, e->n_sessions_established);
}

/* The EUT after an event: its state, and what the actions told the shell about it. */
NO_COVERAGE void check_eut(struct fuzz *f)
{
	struct engine *e = f->e;
	struct engine_stats st;

	check_engine("EUT", e);
	engine_get_stats(e, &st);
	if (st.tunnels != e->n_tunnels || st.sessions != e->n_sessions ||
	    st.tunnels_established > st.tunnels || st.sessions_established > st.sessions ||
	    st.tunnels_awaiting_ack > st.tunnels)
		fail("statistics disagree with the engine: %u tunnels (%u up, %u awaiting ack), %u sessions "
		     "(%u up)",
		     st.tunnels, st.tunnels_established, st.tunnels_awaiting_ack, st.sessions,
		     st.sessions_established);
	if (engine_next_deadline(e) < f->now)
		fail("next deadline %llu is in the past", (unsigned long long)engine_next_deadline(e));
	/* Every group call the engine holds is one the program placed and saw no end of. */
	if (e->requests.count != f->n_requests || e->retries)
		fail("%u requests in the engine (retries %s), %u outstanding", e->requests.count,
		     e->retries ? "pending" : "none", f->n_requests);
	check_lifecycles(f);
	check_records(f);
}

/* ---- a restart ---- */

struct kept_tunnel {
	struct engine_tunnel_view v; /* its names are in host and vendor (the old engine is gone) */
	char host[NAME_KEPT + 1], vendor[NAME_KEPT + 1];
	unsigned int sessions; /* established */
};

/* What was established in the EUT that was killed. */
static struct {
	struct kept_tunnel tunnels[FUZZ_MAX_TRACKED];
	struct engine_session_view sessions[FUZZ_MAX_TRACKED];
	unsigned int n_tunnels, n_sessions;
} before;

static bool lossy(const struct fuzz *f)
{
	return f->lossy || f->to_eut.overflowed || f->to_peer.overflowed;
}

/*
 * An engine dropped a datagram of the other (its backlog gate, its window): as good as lost
 * until retransmitted, which takes time.
 */
static bool dropped_inside(const struct fuzz *f)
{
	return f->discarded || f->e->stats.datagrams_discarded || f->peer->stats.datagrams_discarded;
}

static struct kept_tunnel *kept_tunnel(uint16_t id)
{
	for (unsigned int i = 0; i < before.n_tunnels; i++)
		if (before.tunnels[i].v.tunnel_id == id)
			return &before.tunnels[i];
	return NULL;
}

static const struct engine_session_view *kept_session(uint16_t tunnel_id, uint16_t session_id)
{
	for (unsigned int i = 0; i < before.n_sessions; i++)
		if (before.sessions[i].tunnel_id == tunnel_id && before.sessions[i].session_id == session_id)
			return &before.sessions[i];
	return NULL;
}

NO_COVERAGE static int keep_tunnel(const struct engine_tunnel_view *v, void *arg)
{
	const struct fuzz *f = arg;
	const struct tunnel *t = tunnel_find(f->e, v->tunnel_id);
	struct kept_tunnel *k;

	if (!v->established)
		return 0;
	if (before.n_tunnels == FUZZ_MAX_TRACKED)
		fail("more than %d tunnels established", FUZZ_MAX_TRACKED);
	k = &before.tunnels[before.n_tunnels++];
	k->v = *v;
	snprintf(k->host, sizeof(k->host), "%s", v->peer_host_name ? v->peer_host_name : "");
	snprintf(k->vendor, sizeof(k->vendor), "%s", v->peer_vendor_name ? v->peer_vendor_name : "");
	k->v.peer_host_name = k->v.peer_vendor_name = NULL;
	/* The record keeps the Ns of what was sent: messages waiting for the window die with us. */
	if (t && t->xport.pending)
		k->v.ns = t->xport.pending->ns;
	k->sessions = 0;
	return 0;
}

NO_COVERAGE static int keep_session(const struct engine_session_view *v, void *arg)
{
	struct kept_tunnel *k = kept_tunnel(v->tunnel_id);

	(void)arg;
	if (!v->established)
		return 0;
	if (!k)
		fail("session %u/%u established on a tunnel that is not", v->tunnel_id, v->session_id);
	if (before.n_sessions == FUZZ_MAX_TRACKED)
		fail("more than %d sessions established", FUZZ_MAX_TRACKED);
	before.sessions[before.n_sessions++] = *v;
	k->sessions++;
	return 0;
}

NO_COVERAGE void note_before_restart(struct fuzz *f)
{
	f->discarded |= f->e->stats.datagrams_discarded != 0;
	before.n_tunnels = before.n_sessions = 0;
	(void)engine_walk_tunnels(f->e, keep_tunnel, f);
	(void)engine_walk_sessions(f->e, 0, keep_session, NULL);
}

/* A name as the record keeps it: its first NAME_KEPT octets; none if empty. */
static bool same_name(const char *kept, const char *restored)
{
	if (!*kept)
		return !restored;
	return restored && !strncmp(kept, restored, NAME_KEPT + 1);
}

/* The first thing a restored tunnel lost or changed on its way through the record; NULL if none. */
static const char *tunnel_difference(const struct kept_tunnel *k, const struct engine_tunnel_view *v)
{
	const struct engine_tunnel_view *o = &k->v;

	if (o->peer_tunnel_id != v->peer_tunnel_id || o->originator != v->originator)
		return "its peer's ID or who opened it";
	if (!l2tp_addr_equal(&o->local, &v->local) || !l2tp_addr_equal(&o->peer, &v->peer))
		return "an address";
	if (o->ns != v->ns || o->nr != v->nr)
		return "Ns or Nr";
	if (k->sessions != v->sessions)
		return "the number of its calls";
	if (o->peer_failover_flags != v->peer_failover_flags ||
	    o->peer_recovery_time_ms != v->peer_recovery_time_ms ||
	    o->failover_negotiated != v->failover_negotiated)
		return "the failover capability";
	if (!same_name(k->host, v->peer_host_name) || !same_name(k->vendor, v->peer_vendor_name))
		return "the peer's names";
	return NULL;
}

static const char *session_difference(const struct engine_session_view *o,
				      const struct engine_session_view *v)
{
	if (o->peer_session_id != v->peer_session_id)
		return "its peer's ID";
	if (o->lns != v->lns || o->direction != v->direction)
		return "its kind";
	if (o->call_serial != v->call_serial || o->send_seq != v->send_seq)
		return "its serial or sequencing";
	return NULL;
}

/* The peer engine's tunnel that one of the EUT talks to, if each names the other. */
static const struct tunnel *counterpart(const struct fuzz *f, const struct tunnel *t)
{
	const struct tunnel *p;

	if (!t->peer_id || !l2tp_addr_same_host(&t->peer, &f->peer_addr))
		return NULL;
	p = tunnel_find(f->peer, t->peer_id);
	return p && p->peer_id == t->id && l2tp_addr_same_host(&p->peer, &f->addr) ? p : NULL;
}

static void watch(struct fuzz *f, const struct restored *r)
{
	if (f->n_restored == FUZZ_MAX_TRACKED)
		fail("more than %d restored objects", FUZZ_MAX_TRACKED);
	f->restored[f->n_restored++] = *r;
}

struct restore_check {
	struct fuzz *f;
	bool damaged;
	unsigned int tunnels, sessions;
};

NO_COVERAGE static int check_restored_tunnel(const struct engine_tunnel_view *v, void *arg)
{
	struct restore_check *c = arg;
	const struct kept_tunnel *k = kept_tunnel(v->tunnel_id);
	const struct tunnel *t = tunnel_find(c->f->e, v->tunnel_id), *p = counterpart(c->f, t);
	const char *diff;

	c->tunnels++;
	if (!k)
		fail("tunnel %u restored, which was not established before the restart", v->tunnel_id);
	if (!v->established || v->recovery != ENGINE_RECOVERY_RESYNCING)
		fail("tunnel %u restored %s, recovery %s", v->tunnel_id, v->state,
		     engine_recovery_name(v->recovery));
	if (!c->damaged && (diff = tunnel_difference(k, v)))
		fail("tunnel %u restored, but %s changed", v->tunnel_id, diff);
	/* A tunnel opened for a group is cleared once idle: without its calls, it may be at once. */
	if (p)
		watch(c->f, &(struct restored){ .tunnel_id = t->id,
						.peer_tunnel_id = p->id,
						.excused = t->idle_ms != 0 });
	return 0;
}

NO_COVERAGE static int check_restored_session(const struct engine_session_view *v, void *arg)
{
	struct restore_check *c = arg;
	const struct engine_session_view *k = kept_session(v->tunnel_id, v->session_id);
	const char *diff;

	c->sessions++;
	if (!k)
		fail("session %u/%u restored, which was not established before the restart", v->tunnel_id,
		     v->session_id);
	if (!v->established)
		fail("session %u/%u restored %s", v->tunnel_id, v->session_id, v->state);
	if (!c->damaged && (diff = session_difference(k, v)))
		fail("session %u/%u restored, but %s changed", v->tunnel_id, v->session_id, diff);
	for (unsigned int i = 0; i < c->f->n_restored; i++) {
		struct restored r = c->f->restored[i];

		if (r.tunnel_id == v->tunnel_id && !r.session_id) {
			r.session_id = v->session_id;
			r.peer_session_id = v->peer_session_id;
			watch(c->f, &r);
			break;
		}
	}
	return 0;
}

NO_COVERAGE void check_after_restart(struct fuzz *f, bool damaged)
{
	struct restore_check c = { .f = f, .damaged = damaged };

	f->n_restored = 0;
	(void)engine_walk_tunnels(f->e, check_restored_tunnel, &c);
	(void)engine_walk_sessions(f->e, 0, check_restored_session, &c);
	if (!damaged && (c.tunnels != before.n_tunnels || c.sessions != before.n_sessions))
		fail("%u tunnels and %u sessions restored of %u and %u established", c.tunnels, c.sessions,
		     before.n_tunnels, before.n_sessions);
	f->damaged |= damaged;
	f->ticked = false;
	f->resync_due = true;
}

void excuse(struct fuzz *f, uint16_t tunnel_id, uint16_t session_id)
{
	for (unsigned int i = 0; i < f->n_restored; i++)
		if (f->restored[i].tunnel_id == tunnel_id &&
		    (!session_id || f->restored[i].session_id == session_id))
			f->restored[i].excused = true;
}

/*
 * The peer engine clears a counterpart of what was restored: told to by a StopCCN or CDN, that
 * is a restart the peer noticed. Each counterpart is looked at once, at its end.
 */
NO_COVERAGE void check_peer_action(struct fuzz *f, const struct engine_action *a)
{
	bool tunnel = a->type == ENGINE_TUNNEL_DOWN;

	if (!tunnel && a->type != ENGINE_SESSION_DOWN)
		return;
	for (unsigned int i = 0; i < f->n_restored;) {
		const struct restored *r = &f->restored[i];

		if (r->peer_tunnel_id != a->tunnel_id || r->tunnel_id != a->peer_tunnel_id ||
		    (!tunnel &&
		     (r->peer_session_id != a->session_id || r->session_id != a->peer_session_id))) {
			i++;
			continue;
		}
		if (a->down.by_peer && !r->excused && !lossy(f) && !f->spoofed && !f->damaged)
			fail("the peer engine was told to clear its %s %u/%u (restored here as %u/%u): "
			     "result %u error %u",
			     r->session_id ? "call" : "tunnel", r->peer_tunnel_id, r->peer_session_id,
			     r->tunnel_id, r->session_id, a->down.why.result, a->down.why.error);
		f->restored[i] = f->restored[--f->n_restored];
	}
}

/*
 * Nothing in flight. Two tunnels that each had everything they sent acknowledged agree on
 * where Ns and Nr are (a restored tunnel resynchronised right). And when nothing was lost or
 * dropped and no time passed since a restart, every restored tunnel whose counterpart is still
 * up got the peer's Nr and resynchronised: the peer acknowledges the probe at once, and if
 * messages sent before the restart never left (waiting for the window), its acknowledgement
 * of those in flight teaches the Nr (XPORT_RESYNC_FILL_MAX of them at most).
 */
NO_COVERAGE void check_link_quiet(struct fuzz *f)
{
	bool resync_due = f->resync_due && !f->ticked && !lossy(f) && !dropped_inside(f);

	if (f->to_eut.n || f->to_peer.n || f->spoofed || f->damaged)
		return;
	f->resync_due = false;
	for (unsigned int i = 0; i < f->e->n_tunnels; i++) {
		const struct tunnel *t = nth_tunnel(f->e, i), *p = counterpart(f, t);
		const struct xport *x, *px;

		if (!p)
			continue;
		x = &t->xport;
		px = &p->xport;
		if (resync_due && t->recovery == ENGINE_RECOVERY_RESYNCING &&
		    t->state == TUNNEL_ESTABLISHED && p->state == TUNNEL_ESTABLISHED && !px->failed)
			fail("restored tunnel %u still resynchronising, all delivered: kept Ns %u, the peer "
			     "engine's tunnel %u expects %u",
			     t->id, x->ns_next, p->id, px->nr);
		if (!x->resync && xport_idle(x) && xport_idle(px) &&
		    (x->ns_next != px->nr || x->nr != px->ns_next))
			fail("tunnel %u and the peer engine's %u acknowledged everything but disagree: "
			     "our Ns %u, it expects %u; its Ns %u, we expect %u",
			     t->id, p->id, x->ns_next, px->nr, px->ns_next, x->nr);
	}
}
