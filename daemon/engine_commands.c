/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Local commands, kernel results and pppd exits: the events that do not come off the wire. */
#include <errno.h>
#include <stdio.h>

#include "engine_int.h"
#include "l2tp/result.h"

int engine_tunnel_open(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
		       struct tunnel **out)
{
	struct tunnel *t;

	/* The limit protects this box's memory whoever opens the tunnel. */
	if (admission_tunnel(&e->cfg->limits, e->n_tunnels) != ADMIT)
		return -EBUSY;
	t = tunnel_new(e, local, peer, true);
	if (!t)
		return -ENOSPC;
	/* Indexed under peer ID 0 until the SCCRP names it: the tie breaker looks there. */
	if (tunnel_set_peer_id(e, t, 0) < 0) {
		tunnel_free(e, t);
		return -ENOMEM;
	}
	tunnel_event(e, t, TEV_LOCAL_OPEN, &(struct tunnel_event_arg){ 0 });
	*out = t;
	return 0;
}

int engine_open_tunnel(struct engine *e, uint64_t now, const struct l2tp_addr *local,
		       const struct l2tp_addr *peer, uint16_t *tunnel_id)
{
	struct tunnel *t;
	int err;

	e->now = now;
	err = engine_tunnel_open(e, local, peer, &t);
	if (!err)
		*tunnel_id = t->id;
	engine_settle(e);
	return err;
}

int engine_call_place(struct engine *e, struct tunnel *t, enum engine_call_direction dir,
		      const struct engine_call_info *info, uint32_t max_per_tunnel, struct session **out)
{
	static const struct engine_call_info none;
	struct session *s;

	if (t->state == TUNNEL_CLOSING)
		return -ESHUTDOWN;
	if (recovery_blocks_calls(t) || xport_queued(&t->xport) >= TUNNEL_QUEUE_MAX || (max_per_tunnel && t->n_sessions >= max_per_tunnel) ||
	    (e->cfg->limits.max_sessions && e->n_sessions >= e->cfg->limits.max_sessions))
		return -EBUSY;
	s = session_new(e, t, dir == ENGINE_CALL_INCOMING ? SESSION_LAC_IC : SESSION_LNS_OC);
	if (!s)
		return -ENOSPC;
	session_event(e, s, SEV_LOCAL_OPEN, &(struct session_event_arg){ .info = info ? info : &none });
	if (!s->dead && t->state == TUNNEL_ESTABLISHED)
		session_event(e, s, SEV_TUNNEL_UP, &(struct session_event_arg){ 0 });
	tunnel_reschedule(e, t);
	if (s->dead)
		return -ENOMEM;
	*out = s;
	return 0;
}

int engine_place_call(struct engine *e, uint64_t now, uint16_t tunnel_id, enum engine_call_direction dir,
		      const struct engine_call_info *info, uint16_t *session_id)
{
	struct tunnel *t = tunnel_find(e, tunnel_id);
	struct session *s;
	int err;

	e->now = now;
	if (!t)
		return -ENOENT;
	err = engine_call_place(e, t, dir, info, e->cfg->limits.max_sessions_per_tunnel, &s);
	if (!err)
		*session_id = s->id;
	engine_settle(e);
	return err;
}

static bool disconnect_valid(const struct engine_disconnect *why, uint16_t max_result)
{
	return why->result > 0 && why->result <= max_result && why->error <= L2TP_EC_MAX;
}

int engine_close_session(struct engine *e, uint64_t now, uint16_t tunnel_id, uint16_t session_id,
			 const struct engine_disconnect *why)
{
	struct session *s = session_find(e, tunnel_id, session_id);

	e->now = now;
	if (!s)
		return -ENOENT;
	if (!disconnect_valid(why, L2TP_RC_CDN_MAX))
		return -EINVAL;
	session_event(e, s, SEV_LOCAL_CLOSE, &(struct session_event_arg){ .why = why });
	tunnel_reschedule(e, s->tunnel);
	engine_settle(e);
	return 0;
}

int engine_close_tunnel(struct engine *e, uint64_t now, uint16_t tunnel_id,
			const struct engine_disconnect *why)
{
	struct tunnel *t = tunnel_find(e, tunnel_id);

	e->now = now;
	if (!t)
		return -ENOENT;
	if (!disconnect_valid(why, L2TP_RC_STOPCCN_MAX))
		return -EINVAL;
	tunnel_event(e, t, TEV_LOCAL_CLOSE, &(struct tunnel_event_arg){ .why = why });
	engine_settle(e);
	return 0;
}

/* A kernel object whose owner is gone: delete it so nothing is left behind in the kernel. */
static void delete_orphan(struct engine *e, const struct engine_kernel_result *r)
{
	struct engine_action *a;

	a = engine_push(e, r->request == ENGINE_KERNEL_TUNNEL_CREATE ? ENGINE_KERNEL_TUNNEL_DELETE
								     : ENGINE_KERNEL_SESSION_DELETE);
	if (!a)
		return;
	a->tunnel_id = r->tunnel_id;
	a->session_id = r->request == ENGINE_KERNEL_TUNNEL_CREATE ? 0 : r->session_id;
}

void engine_kernel_done(struct engine *e, uint64_t now, const struct engine_kernel_result *r)
{
	struct tunnel *t = tunnel_find(e, r->tunnel_id);
	struct session *s;

	e->now = now;
	switch (r->request) {
	case ENGINE_KERNEL_TUNNEL_CREATE:
		if (t)
			tunnel_event(e, t, r->err ? TEV_KERNEL_FAIL : TEV_KERNEL_OK,
				     &(struct tunnel_event_arg){ 0 });
		else if (!r->err)
			delete_orphan(e, r);
		break;
	case ENGINE_KERNEL_SESSION_CREATE:
		s = session_find(e, r->tunnel_id, r->session_id);
		if (s) {
			session_event(e, s, r->err ? SEV_KERNEL_FAIL : SEV_KERNEL_OK,
				      &(struct session_event_arg){ .kernel = r });
			tunnel_reschedule(e, s->tunnel);
		} else if (!r->err && t) {
			delete_orphan(e, r);
		}
		break;
	default:
		/* Deletes: the object is gone from the engine already; a failure is only worth a line. */
		if (r->err)
			engine_log(e, ENGINE_LOG_WARNING, t, NULL,
				   "kernel delete of session %u failed: error %d", r->session_id, r->err);
	}
	engine_settle(e);
}

void engine_pppd_exit(struct engine *e, uint64_t now, uint16_t tunnel_id, uint16_t session_id, int status)
{
	struct session *s = session_find(e, tunnel_id, session_id);
	char text[64];
	struct engine_disconnect why;

	e->now = now;
	if (!s)
		return;
	/* PPP is over on this call; RFC 2661 has no finer reason than an administrative one. */
	snprintf(text, sizeof(text), "pppd exited with status %d", status);
	why = disconnect_of(L2TP_RC_CDN_ADMINISTRATIVE, 0, text);
	session_event(e, s, SEV_LOCAL_CLOSE, &(struct session_event_arg){ .why = &why });
	tunnel_reschedule(e, s->tunnel);
	engine_settle(e);
}

void engine_count_established(const struct engine *e, uint32_t *tunnels, uint32_t *sessions)
{
	*tunnels = e->n_tunnels_established;
	*sessions = e->n_sessions_established;
}

void engine_get_stats(const struct engine *e, struct engine_stats *st)
{
	*st = e->stats;
	st->tunnels = e->n_tunnels;
	st->tunnels_established = e->n_tunnels_established;
	st->sessions = e->n_sessions;
	st->sessions_established = e->n_sessions_established;
	st->tunnels_awaiting_ack = 0;
	st->heap_bytes = hmap_heap_bytes(&e->tunnels) + hmap_heap_bytes(&e->tunnels_by_peer) +
			 hmap_heap_bytes(&e->sessions) + timer_heap_heap_bytes(&e->timers) +
			 timer_heap_heap_bytes(&e->call_timers) + ids_heap_bytes(&e->ids);
	/* A tunnel with anything queued has a timer, so walking the heap finds every queue. */
	for (uint32_t i = 0; i < e->timers.n; i++) {
		const struct tunnel *t = hmap_entry(e->timers.v[i], struct tunnel, timer);

		st->heap_bytes += xport_heap_bytes(&t->xport);
		if (!xport_idle(&t->xport))
			st->tunnels_awaiting_ack++;
	}
}
