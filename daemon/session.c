/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Session objects: lookup by tunnel and session ID, sending on the tunnel's transport, the
 * call information kept for the PPP side, and the end of a session (CDN, kernel delete,
 * SESSION_DOWN). The call state machines live in session_fsm.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "engine_int.h"
#include "l2tp/result.h"

static uint32_t session_key(uint16_t tunnel_id, uint16_t session_id)
{
	return (uint32_t)tunnel_id << 16 | session_id;
}

struct session *session_find(const struct engine *e, uint16_t tunnel_id, uint16_t session_id)
{
	struct hnode *n = hmap_first(&e->sessions, session_key(tunnel_id, session_id));

	return n ? hmap_entry(n, struct session, by_key) : NULL;
}

static bool session_key_in_use(void *arg, uint32_t key)
{
	return session_find(arg, (uint16_t)(key >> 16), (uint16_t)key) != NULL;
}

/* On the tunnel's list; its idle count stops (tunnel_idle_check). */
static void link_to_tunnel(struct engine *e, struct session *s, struct tunnel *t)
{
	s->tunnel = t;
	s->prev = NULL;
	s->next = t->sessions;
	if (t->sessions)
		t->sessions->prev = s;
	t->sessions = s;
	t->n_sessions++;
	tunnel_idle_check(e, t);
}

static void unlink_from_tunnel(struct engine *e, struct session *s)
{
	struct tunnel *t = s->tunnel;

	if (s->prev)
		s->prev->next = s->next;
	else
		t->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
	t->n_sessions--;
	tunnel_idle_check(e, t);
}

static uint16_t pick_id(struct engine *e, const struct tunnel *t)
{
	return ids_pick(&e->ids, e->now, session_key(t->id, 0), e->cfg->random, e->cfg->random_arg,
			session_key_in_use, e);
}

struct session *session_new(struct engine *e, struct tunnel *t, enum session_kind kind)
{
	uint16_t id = pick_id(e, t);

	return id ? session_new_with_id(e, t, id, kind) : NULL;
}

struct session *session_new_with_id(struct engine *e, struct tunnel *t, uint16_t id, enum session_kind kind)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->id = id;
	s->kind = (uint8_t)kind;
	s->state = SESSION_IDLE;
	s->call_serial = ++e->call_serial;
	timer_entry_init(&s->timer);
	if (hmap_insert(&e->sessions, &s->by_key, session_key(t->id, id)) < 0) {
		free(s);
		return NULL;
	}
	link_to_tunnel(e, s, t);
	e->n_sessions++;
	return s;
}

void session_rehome(struct engine *e, struct tunnel *from, struct tunnel *to)
{
	uint32_t room = e->cfg->limits.max_sessions_per_tunnel;
	struct engine_disconnect full = disconnect_of(L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0,
						      "no room on the tunnel that won the tie breaker");

	while (from->sessions) {
		struct session *s = from->sessions;
		uint16_t id;

		if (room && to->n_sessions >= room) {
			session_clear(e, s, &full, false); /* the peer never heard of it */
			continue;
		}
		id = session_find(e, to->id, s->id) ? pick_id(e, to) : s->id;

		hmap_remove(&e->sessions, &s->by_key);
		unlink_from_tunnel(e, s);
		if (!id || hmap_insert(&e->sessions, &s->by_key, session_key(to->id, id)) < 0) {
			/* Nowhere to go: the call ends as if the tunnel had failed. */
			link_to_tunnel(e, s, from);
			(void)hmap_insert(&e->sessions, &s->by_key, session_key(from->id, s->id));
			return;
		}
		s->id = id;
		link_to_tunnel(e, s, to);
		engine_log(e, ENGINE_LOG_INFO, to, s, "call moved from tunnel %u", from->id);
		if (to->state == TUNNEL_ESTABLISHED)
			session_event(e, s, SEV_TUNNEL_UP, &(struct session_event_arg){ 0 });
	}
}

int session_send(struct engine *e, struct session *s, struct l2tp_msg *m)
{
	m->session_id = s->peer_id;
	return tunnel_send(e, s->tunnel, m);
}

/* Every variable-length field of struct engine_call_info, so they are copied as one. */
static size_t blob_fields(struct engine_call_info *c, struct blob **out)
{
	out[0] = &c->calling_number;
	out[1] = &c->called_number;
	out[2] = &c->sub_address;
	out[3] = &c->private_group_id;
	out[4] = &c->initial_received_lcp_confreq;
	out[5] = &c->last_sent_lcp_confreq;
	out[6] = &c->last_received_lcp_confreq;
	out[7] = &c->proxy_authen_name;
	out[8] = &c->proxy_authen_challenge;
	out[9] = &c->proxy_authen_response;
	return 10;
}

size_t call_info_size(const struct engine_call_info *info)
{
	struct engine_call_info tmp = *info;
	struct blob *src[10];
	size_t n = blob_fields(&tmp, src), total = sizeof(*info);

	for (size_t i = 0; i < n; i++)
		total += src[i]->len;
	return total;
}

struct engine_call_info *call_info_copy(void *mem, const struct engine_call_info *info)
{
	struct engine_call_info *c = mem, tmp = *info;
	struct blob *src[10], *dst[10];
	size_t n = blob_fields(&tmp, src);
	uint8_t *p = (uint8_t *)(c + 1);

	*c = tmp;
	blob_fields(c, dst);
	for (size_t i = 0; i < n; i++) {
		if (src[i]->len)
			memcpy(p, src[i]->ptr, src[i]->len);
		dst[i]->ptr = src[i]->len ? p : NULL;
		p += src[i]->len;
	}
	return c;
}

int session_keep_call_info(struct session *s, const struct engine_call_info *info)
{
	void *mem = malloc(call_info_size(info));

	if (!mem)
		return -ENOMEM;
	/* Copy before freeing: info may be the old copy merged with a new message. */
	mem = call_info_copy(mem, info);
	free(s->call);
	s->call = mem;
	return 0;
}

static void kernel_session_delete(struct engine *e, struct session *s)
{
	if (!s->kernel_created)
		return;
	s->kernel_created = false;
	(void)engine_push_for(e, ENGINE_KERNEL_SESSION_DELETE, s->tunnel, s);
}

void session_clear(struct engine *e, struct session *s, const struct engine_disconnect *why, bool by_peer)
{
	if (s->dead)
		return;
	engine_touch_session(e, s);
	if (s->audit_pending) {
		s->audit_pending = false;
		s->tunnel->audit_pending--;
	}
	failover_session_down(e, s, why, by_peer);
	engine_log(e, ENGINE_LOG_INFO, s->tunnel, s, "%s call cleared in state %s: result %u error %u%s%s",
		   session_kind_name(s->kind), session_state_name(s->state), why->result, why->error,
		   why->message && *why->message ? ": " : "", why->message ? why->message : "");
	kernel_session_delete(e, s);
	if (s->state == SESSION_ESTABLISHED)
		e->n_sessions_established--;
	/* Every placed or answered call ends with a SESSION_DOWN, so the shell can account for it. */
	engine_push_down(e, ENGINE_SESSION_DOWN, s->tunnel, s, why, by_peer);
	s->state = SESSION_IDLE;
	s->dead = true;
	(void)timer_heap_set(&e->call_timers, &s->timer, TIMER_NONE);
	hmap_remove(&e->sessions, &s->by_key);
	if (ids_release(&e->ids, e->now, session_key(s->tunnel->id, s->id)) < 0)
		engine_log(e, ENGINE_LOG_WARNING, s->tunnel, s,
			   "ID released without quarantine (out of memory)");
	unlink_from_tunnel(e, s);
	s->next_dead = e->dead_sessions;
	e->dead_sessions = s;
}

void session_stop(struct engine *e, struct session *s, const struct engine_disconnect *why)
{
	struct l2tp_msg m;

	if (s->dead)
		return;
	/* The peer knows the call if it named it to us or we sent it a request for it. */
	if ((s->peer_id || (s->state != SESSION_IDLE && s->state != SESSION_WAIT_TUNNEL)) &&
	    s->tunnel->state == TUNNEL_ESTABLISHED) {
		msg_init(&m, L2TP_MSG_CDN);
		msg_set_present(&m, L2TP_AVP_ASSIGNED_SESSION_ID);
		m.assigned_session_id = s->id;
		msg_set_disconnect(&m, why);
		(void)session_send(e, s, &m);
	}
	session_clear(e, s, why, false);
}

void session_refuse_stateless(struct engine *e, struct tunnel *t, uint16_t peer_session_id,
			      const struct engine_disconnect *why)
{
	struct l2tp_msg m;
	uint16_t id = pick_id(e, t);

	/*
	 * A CDN must carry an Assigned Session ID (RFC 2661 §6.12); the call never got one, so a
	 * free ID stands in. It is not kept: nothing will be addressed to it.
	 */
	msg_init(&m, L2TP_MSG_CDN);
	m.session_id = peer_session_id;
	msg_set_present(&m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m.assigned_session_id = id ? id : 1;
	msg_set_disconnect(&m, why);
	(void)tunnel_send(e, t, &m);
	engine_log(e, ENGINE_LOG_NOTICE, t, NULL, "call from peer session %u refused: result %u error %u: %s",
		   peer_session_id, why->result, why->error, why->message ? why->message : "");
}

void session_free(struct engine *e, struct session *s)
{
	free(s->call);
	free(s);
	e->n_sessions--;
}

void session_reap(struct engine *e)
{
	while (e->dead_sessions) {
		struct session *s = e->dead_sessions;

		e->dead_sessions = s->next_dead;
		session_free(e, s);
	}
}
