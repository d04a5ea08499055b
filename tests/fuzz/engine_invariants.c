/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engines' state after every event, walked index by index: every session belongs to
 * exactly one live tunnel, the counters match the objects, the limits hold, calls wait for a
 * tunnel exactly while it is not established, the transport queues are consistent and
 * bounded, timers fire no later than their deadlines; and for the EUT, what its actions told
 * the shell (engine_shell.c) matches what it holds.
 */
#include "fuzz_engine.h"

/*
 * The most control messages one tunnel can have queued (sent and unacknowledged, or waiting
 * for the window), from what the engine documents (daemon/engine_int.h, TUNNEL_QUEUE_MAX):
 *   - a message from the peer is processed only while fewer than TUNNEL_QUEUE_MAX are queued,
 *     and makes at most two of ours (OCRQ: OCRP and OCCN), so the peer brings the queue to
 *     TUNNEL_QUEUE_MAX + 1 at most;
 *   - a local call is placed only below TUNNEL_QUEUE_MAX, with one request;
 *   - beyond that each call can still add one CDN (closed, pppd exit, kernel failure), and the
 *     calls waiting for the tunnel send their requests together when it comes up: at most
 *     max_sessions_per_tunnel each;
 *   - the tunnel's own: one StopCCN, and an SCCCN; a HELLO goes out only when nothing is queued.
 * Without a per-tunnel limit (the peer engine) there is no bound to check.
 */
#define QUEUE_BOUND(limits) (TUNNEL_QUEUE_MAX + 1 + 2 * (limits)->max_sessions_per_tunnel + 2)

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
	if (t->state == TUNNEL_ESTABLISHED && cfg->hello_ms && t->hello_at == TIMER_NONE)
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
	uint32_t n_tunnels = 0, n_sessions = 0, est_t = 0, est_s = 0, indexed = 0, timed = 0;

	for (uint32_t b = 0; b < e->tunnels.n_buckets; b++) {
		for (struct hnode *h = e->tunnels.buckets[b]; h; h = h->next) {
			const struct tunnel *t = hmap_entry(h, struct tunnel, by_id);

			if (++n_tunnels > e->tunnels.count)
				fail("%s: tunnel map holds more than its count", who);
			check_tunnel(who, e, t, &n_sessions, &est_s);
			est_t += t->state == TUNNEL_ESTABLISHED;
			indexed += t->peer_indexed;
			timed += t->timer.at != TIMER_NONE;
		}
	}
	if (n_tunnels != e->tunnels.count || n_tunnels != e->n_tunnels || e->dead_tunnels)
		fail("%s: %u tunnels in the map, %u counted, %u in the engine", who, n_tunnels,
		     e->tunnels.count, e->n_tunnels);
	if (est_t != e->n_tunnels_established)
		fail("%s: %u tunnels established, engine counts %u", who, est_t, e->n_tunnels_established);
	if (l->max_tunnels && n_tunnels > l->max_tunnels)
		fail("%s: %u tunnels, limit %u", who, n_tunnels, l->max_tunnels);
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

		if (!tunnel_find(f->e, t->id))
			fail("tunnel %u is gone without TUNNEL_RELEASED", t->id);
		if (!t->up && !t->down && f->now - t->born >= setup_ms)
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
}
