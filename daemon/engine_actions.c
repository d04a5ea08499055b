/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The action list the engine hands the shell, and the bytes its actions point at. Bytes live
 * in chunks that never move until the list is cleared, so a pointer taken early in an event
 * stays valid while later actions are added. Allocation failure drops the action and counts
 * it; the protocol recovers from a lost datagram, and a lost log line harms nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

#define ARENA_CHUNK 16384

struct engine_action *engine_push(struct engine *e, enum engine_action_type type)
{
	struct action_arena *a = &e->out;
	struct engine_action *v;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;

		v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		a->v = v;
		a->cap = cap;
	}
	v = &a->v[a->n++];
	memset(v, 0, sizeof(*v));
	v->type = type;
	return v;
}

struct engine_action *engine_push_for(struct engine *e, enum engine_action_type type, const struct tunnel *t,
				      const struct session *s)
{
	struct engine_action *a = engine_push(e, type);

	if (!a)
		return NULL;
	a->tunnel_id = t->id;
	a->peer_tunnel_id = t->peer_id;
	if (s) {
		a->session_id = s->id;
		a->peer_session_id = s->peer_id;
	}
	return a;
}

struct engine_action *engine_push_datagram(struct engine *e, const struct l2tp_addr *local,
					   const struct l2tp_addr *peer, const void *buf, size_t len)
{
	struct engine_action *a = engine_push(e, ENGINE_SEND);

	if (!a)
		return NULL;
	a->send.local = *local;
	a->send.peer = *peer;
	a->send.len = (uint16_t)len;
	a->send.buf = engine_copy(e, buf, len);
	if (!a->send.buf) {
		e->out.n--;
		return NULL;
	}
	return a;
}

void engine_push_down(struct engine *e, enum engine_action_type type, const struct tunnel *t,
		      const struct session *s, const struct engine_disconnect *why, bool by_peer)
{
	struct engine_action *a = engine_push_for(e, type, t, s);

	if (!a)
		return;
	a->down.why = *why;
	a->down.why.message = why->message ? engine_copy_str(e, why->message, strlen(why->message)) : NULL;
	if (!a->down.why.message)
		a->down.why.message = "";
	a->down.by_peer = by_peer;
}

/* n octets from the current chunk, or a new one; NULL on allocation failure. */
static uint8_t *arena_alloc(struct engine *e, size_t n)
{
	struct action_arena *a = &e->out;
	size_t room = (n + 7) & ~(size_t)7; /* keeps what follows aligned */
	uint8_t *dst, **chunks;

	if (a->used + room > a->size) {
		size_t size = room > ARENA_CHUNK ? room : ARENA_CHUNK;

		chunks = realloc(a->chunks, (a->n_chunks + 1) * sizeof(*chunks));
		if (!chunks)
			return NULL;
		a->chunks = chunks;
		dst = malloc(size);
		if (!dst)
			return NULL;
		if (a->bytes)
			a->chunks[a->n_chunks++] = a->bytes;
		a->bytes = dst;
		a->size = size;
		a->used = 0;
	}
	dst = a->bytes + a->used;
	a->used += room;
	return dst;
}

void *engine_copy(struct engine *e, const void *p, size_t n)
{
	uint8_t *dst = arena_alloc(e, n);

	if (dst)
		memcpy(dst, p, n);
	return dst;
}

char *engine_copy_str(struct engine *e, const void *p, size_t n)
{
	char *dst = (char *)arena_alloc(e, n + 1);

	if (dst) {
		memcpy(dst, p, n);
		dst[n] = 0;
	}
	return dst;
}

const struct engine_call_info *engine_copy_call_info(struct engine *e, const struct engine_call_info *info)
{
	uint8_t *mem = arena_alloc(e, call_info_size(info));

	return mem ? call_info_copy(mem, info) : NULL;
}

const struct engine_action *engine_actions(const struct engine *e, size_t *n)
{
	*n = e->out.n;
	return e->out.v;
}

void engine_actions_clear(struct engine *e)
{
	struct action_arena *a = &e->out;

	for (size_t i = 0; i < a->n_chunks; i++)
		free(a->chunks[i]);
	a->n_chunks = 0;
	a->used = 0;
	a->n = 0;
}

void engine_actions_free(struct engine *e)
{
	engine_actions_clear(e);
	free(e->out.chunks);
	free(e->out.bytes);
	free(e->out.v);
	memset(&e->out, 0, sizeof(e->out));
}

/* "tunnel 12/34 peer 192.0.2.1:1701 session 5/6: " names the object of every line. */
static int object_prefix(char *buf, size_t n, const struct tunnel *t, const struct session *s)
{
	char addr[L2TP_ADDR_STRLEN];

	if (!t)
		return 0;
	if (!s)
		return snprintf(buf, n, "tunnel %u/%u peer %s: ", t->id, t->peer_id,
				l2tp_addr_str(&t->peer, addr));
	return snprintf(buf, n, "tunnel %u/%u peer %s session %u/%u: ", t->id, t->peer_id,
			l2tp_addr_str(&t->peer, addr), s->id, s->peer_id);
}

void engine_log(struct engine *e, enum engine_log_level level, const struct tunnel *t,
		const struct session *s, const char *fmt, ...)
{
	struct engine_action *act;
	char text[512];
	va_list ap;
	int len;

	if (level > e->cfg->log_level)
		return;
	len = object_prefix(text, sizeof(text), t, s);
	va_start(ap, fmt);
	vsnprintf(text + len, sizeof(text) - (size_t)len, fmt, ap);
	va_end(ap);
	act = t ? engine_push_for(e, ENGINE_LOG, t, s) : engine_push(e, ENGINE_LOG);
	if (!act)
		return;
	act->log.level = level;
	act->log.text = engine_copy_str(e, text, strlen(text));
	if (!act->log.text)
		e->out.n--;
}
