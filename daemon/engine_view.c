/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Read-only views of tunnels and sessions for the shell (l2tpctl show commands). Copies of
 * plain fields, so the engine's objects stay private.
 */
#include <errno.h>
#include <string.h>

#include "engine_int.h"

static void fill_tunnel(const struct tunnel *t, struct engine_tunnel_view *v)
{
	v->tunnel_id = t->id;
	v->peer_tunnel_id = t->peer_id;
	v->state = tunnel_state_name(t->state);
	v->established = t->state == TUNNEL_ESTABLISHED;
	v->closing = t->state == TUNNEL_CLOSING;
	v->originator = t->originator;
	v->local = t->local;
	v->peer = t->peer;
	v->peer_host_name = t->peer_host_name;
	v->peer_vendor_name = t->peer_vendor_name;
	v->sessions = t->n_sessions;
	v->ns = t->xport.ns_next;
	v->nr = t->xport.nr;
	v->queued = xport_queued(&t->xport);
	v->xport = t->xport.stats;
	v->peer_failover_flags = t->peer_failover_flags;
	v->peer_recovery_time_ms = t->peer_recovery_ms;
	v->failover_negotiated = t->sent_failover_cap && t->peer_failover_flags;
	v->recovery = (enum engine_recovery)t->recovery;
}

static void fill_session(const struct session *s, struct engine_session_view *v)
{
	v->tunnel_id = s->tunnel->id;
	v->session_id = s->id;
	v->peer_session_id = s->peer_id;
	v->state = session_state_name(s->state);
	v->established = s->state == SESSION_ESTABLISHED;
	v->lns = s->kind == SESSION_LNS_IC || s->kind == SESSION_LNS_OC;
	v->direction = s->kind == SESSION_LAC_IC || s->kind == SESSION_LNS_IC ? ENGINE_CALL_INCOMING
									    : ENGINE_CALL_OUTGOING;
	v->call_serial = s->call_serial;
	v->send_seq = s->send_seq;
}

int engine_tunnel_view(const struct engine *e, uint16_t tunnel_id, struct engine_tunnel_view *v)
{
	const struct tunnel *t = tunnel_find(e, tunnel_id);

	if (!t || t->dead)
		return -ENOENT;
	fill_tunnel(t, v);
	return 0;
}

int engine_session_view(const struct engine *e, uint16_t tunnel_id, uint16_t session_id,
			struct engine_session_view *v)
{
	const struct session *s = session_find(e, tunnel_id, session_id);

	if (!s || s->dead)
		return -ENOENT;
	fill_session(s, v);
	return 0;
}

int engine_walk_tunnels(const struct engine *e, int (*fn)(const struct engine_tunnel_view *v, void *arg),
			void *arg)
{
	struct engine_tunnel_view v;
	const struct hnode *n;
	int r;

	for (n = hmap_iter(&e->tunnels, NULL); n; n = hmap_iter(&e->tunnels, n)) {
		const struct tunnel *t = hmap_entry(n, struct tunnel, by_id);

		if (t->dead)
			continue;
		fill_tunnel(t, &v);
		r = fn(&v, arg);
		if (r)
			return r;
	}
	return 0;
}

static int walk_tunnel_sessions(const struct tunnel *t, int (*fn)(const struct engine_session_view *v, void *arg),
				void *arg)
{
	struct engine_session_view v;
	const struct session *s;
	int r;

	for (s = t->sessions; s; s = s->next) {
		if (s->dead)
			continue;
		fill_session(s, &v);
		r = fn(&v, arg);
		if (r)
			return r;
	}
	return 0;
}

int engine_walk_sessions(const struct engine *e, uint16_t tunnel_id,
			 int (*fn)(const struct engine_session_view *v, void *arg), void *arg)
{
	const struct hnode *n;
	int r;

	if (tunnel_id) {
		const struct tunnel *t = tunnel_find(e, tunnel_id);

		return t && !t->dead ? walk_tunnel_sessions(t, fn, arg) : 0;
	}
	for (n = hmap_iter(&e->tunnels, NULL); n; n = hmap_iter(&e->tunnels, n)) {
		r = walk_tunnel_sessions(hmap_entry(n, struct tunnel, by_id), fn, arg);
		if (r)
			return r;
	}
	return 0;
}

static void fill_endpoint(const struct engine *e, uint64_t now, const struct engine_group *g, size_t i,
			  struct engine_endpoint_view *v)
{
	const struct endpoint *ep = endpoint_get((struct engine *)e, &g->endpoints[i].addr, false);

	*v = (struct engine_endpoint_view){ .group = g, .endpoint = &g->endpoints[i] };
	if (!ep)
		return;
	v->busy_ms_left = ep->busy_until > now ? ep->busy_until - now : 0;
	v->failovers_from = ep->failovers_from;
	v->failovers_to = ep->failovers_to;
	v->attempts = ep->attempts;
	for (const struct tunnel *t = ep->tunnels; t; t = t->ep_next) {
		if (t->dead || t->state == TUNNEL_CLOSING)
			continue;
		v->tunnels++;
		v->tunnels_up += t->state == TUNNEL_ESTABLISHED;
		v->sessions += t->n_sessions;
		for (const struct session *s = t->sessions; s; s = s->next)
			v->sessions_up += s->state == SESSION_ESTABLISHED;
	}
}

int engine_group_index(const struct engine *e, const char *name)
{
	for (size_t g = 0; g < e->cfg->n_groups; g++)
		if (strcmp(e->cfg->groups[g].name, name) == 0)
			return (int)g;
	return -ENOENT;
}

int engine_endpoint_view(const struct engine *e, uint64_t now, size_t g, size_t i, struct engine_endpoint_view *v)
{
	if (g >= e->cfg->n_groups || i >= e->cfg->groups[g].n_endpoints)
		return -ENOENT;
	fill_endpoint(e, now, &e->cfg->groups[g], i, v);
	return 0;
}
