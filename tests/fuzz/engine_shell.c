/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The EUT's fake shell: what the daemon's shell would do with each action, checked as it is
 * taken. Datagrams to the peer engine go on the link; kernel requests wait for the program
 * to answer them, against a model of what the kernel holds; lifecycle actions are tracked so
 * that a second TUNNEL_UP, a RELEASED without DOWN or an object that vanishes unannounced
 * (engine_invariants.c) is caught; durable records are kept for a restart (OP_RESTART), after
 * which the shell forgets what the new engine does not have, as the daemon would. Everything
 * an action points at is read, so ASan sees a pointer that does not stay valid until
 * engine_actions_clear().
 */
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "fuzz_engine.h"
#include "header.h"

static volatile uint8_t sink;

/* ---- the kernel ---- */

int object_index(const struct fuzz *f, uint32_t key)
{
	for (unsigned int i = 0; i < f->n_objects; i++)
		if (f->objects[i] == key)
			return (int)i;
	return -1;
}

void object_add(struct fuzz *f, uint32_t key)
{
	if (object_index(f, key) >= 0)
		fail("kernel object %#x created twice", key);
	if (f->n_objects == FUZZ_MAX_OBJECTS)
		fail("more than %d kernel objects", FUZZ_MAX_OBJECTS);
	f->objects[f->n_objects++] = key;
}

static void object_remove_at(struct fuzz *f, unsigned int i)
{
	f->objects[i] = f->objects[--f->n_objects];
}

static void pending_add(struct fuzz *f, const struct engine_action *a)
{
	if (f->n_pending == FUZZ_MAX_PENDING)
		fail("more than %d kernel requests outstanding", FUZZ_MAX_PENDING);
	f->pending[f->n_pending++] = (struct engine_kernel_result){
		.request = a->type,
		.tunnel_id = a->tunnel_id,
		.session_id = a->session_id,
	};
}

static bool create_pending(const struct fuzz *f, enum engine_action_type type, uint16_t tid, uint16_t sid)
{
	for (unsigned int i = 0; i < f->n_pending; i++)
		if (f->pending[i].request == type && f->pending[i].tunnel_id == tid &&
		    (type == ENGINE_KERNEL_TUNNEL_CREATE || f->pending[i].session_id == sid))
			return true;
	return false;
}

static void kernel_request(struct fuzz *f, const struct engine_action *a)
{
	uint32_t tkey = (uint32_t)a->tunnel_id << 16, skey = tkey | a->session_id;
	int i;

	switch (a->type) {
	case ENGINE_KERNEL_TUNNEL_CREATE:
		if (object_index(f, tkey) >= 0 || create_pending(f, a->type, a->tunnel_id, 0))
			fail("KERNEL_TUNNEL_CREATE for tunnel %u, which exists or is being created",
			     a->tunnel_id);
		pending_add(f, a);
		break;
	case ENGINE_KERNEL_SESSION_CREATE:
		if (!a->session_id || object_index(f, skey) >= 0 ||
		    create_pending(f, a->type, a->tunnel_id, a->session_id))
			fail("KERNEL_SESSION_CREATE for session %u/%u, which exists or is being created",
			     a->tunnel_id, a->session_id);
		if (object_index(f, tkey) < 0)
			fail("KERNEL_SESSION_CREATE for session %u/%u before its tunnel exists", a->tunnel_id,
			     a->session_id);
		pending_add(f, a);
		break;
	case ENGINE_KERNEL_TUNNEL_DELETE:
		if ((i = object_index(f, tkey)) < 0)
			fail("KERNEL_TUNNEL_DELETE of tunnel %u, which the kernel does not hold",
			     a->tunnel_id);
		object_remove_at(f, (unsigned int)i);
		/* The kernel deletes a tunnel's sessions with it. */
		for (unsigned int j = 0; j < f->n_objects;)
			if (f->objects[j] >> 16 == a->tunnel_id)
				object_remove_at(f, j);
			else
				j++;
		pending_add(f, a);
		break;
	case ENGINE_KERNEL_SESSION_DELETE:
		if ((i = object_index(f, skey)) < 0)
			fail("KERNEL_SESSION_DELETE of session %u/%u, which the kernel does not hold",
			     a->tunnel_id, a->session_id);
		object_remove_at(f, (unsigned int)i);
		pending_add(f, a);
		break;
	default:
		break;
	}
}

/* ---- lifecycles ---- */

static struct tracked_tunnel *tracked(struct fuzz *f, uint16_t id)
{
	for (unsigned int i = 0; i < f->n_tunnels; i++)
		if (f->tunnels[i].id == id)
			return &f->tunnels[i];
	return NULL;
}

/* An action names a live tunnel: the first time, a new one (its ID may have been used before). */
struct tracked_tunnel *note_tunnel(struct fuzz *f, uint16_t id)
{
	struct tracked_tunnel *t = tracked(f, id);
	const struct tunnel *et;

	if (t || !id)
		return t;
	if (f->n_tunnels == FUZZ_MAX_TRACKED)
		fail("more than %d tunnels alive", FUZZ_MAX_TRACKED);
	/* Requests of an earlier tunnel with this ID were never answered: the kernel dropped them. */
	for (unsigned int i = 0; i < f->n_pending;)
		if (f->pending[i].tunnel_id == id)
			f->pending[i] = f->pending[--f->n_pending];
		else
			i++;
	for (unsigned int i = 0; i < f->n_objects; i++)
		if (f->objects[i] >> 16 == id)
			fail("tunnel ID %u used again while the kernel still holds %#x", id, f->objects[i]);
	t = &f->tunnels[f->n_tunnels++];
	et = tunnel_find(f->e, id);
	*t = (struct tracked_tunnel){ .id = id, .born = f->now, .recovery = et && et->is_recovery };
	return t;
}

static void released(struct fuzz *f, uint16_t id)
{
	struct tracked_tunnel *t = tracked(f, id);

	if (!t)
		fail("TUNNEL_RELEASED for tunnel %u, never named before (or released twice)", id);
	if (!t->down && !t->recovery)
		fail("TUNNEL_RELEASED for tunnel %u without TUNNEL_DOWN", id);
	*t = f->tunnels[--f->n_tunnels];
	note_released(f, id);
}

void note_released(struct fuzz *f, uint16_t id)
{
	f->released[f->n_released++ % 8] = id;
}

static int up_index(struct fuzz *f, uint32_t key)
{
	for (unsigned int i = 0; i < f->n_up_sessions; i++)
		if (f->up_sessions[i] == key)
			return (int)i;
	return -1;
}

/* ---- what actions point at ---- */

NO_COVERAGE static void touch(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t x = 0;

	for (size_t i = 0; i < n; i++)
		x ^= b[i];
	sink ^= x;
}

NO_COVERAGE static void touch_blob(const struct blob *b)
{
	if (b->len && !b->ptr)
		fail("call information blob of %u octets without a pointer", b->len);
	touch(b->ptr, b->len);
}

/* Reads everything an action points at, so ASan sees a pointer that is no longer valid. */
NO_COVERAGE void touch_action(const struct engine_action *a)
{
	const struct engine_call_info *i;

	switch (a->type) {
	case ENGINE_SEND:
		if (!a->send.buf || a->send.len < L2TP_CONTROL_HDR_LEN)
			fail("SEND of %u octets at %p", a->send.len, (const void *)a->send.buf);
		touch(a->send.buf, a->send.len);
		break;
	case ENGINE_LOG:
		if (!a->log.text)
			fail("LOG without text");
		touch(a->log.text, strlen(a->log.text) + 1);
		break;
	case ENGINE_TUNNEL_DOWN:
	case ENGINE_SESSION_DOWN:
		if (!a->down.why.message)
			fail("DOWN without a message");
		touch(a->down.why.message, strlen(a->down.why.message) + 1);
		break;
	case ENGINE_REQUEST_DONE:
		if (!a->request.why.message)
			fail("REQUEST_DONE without a message");
		touch(a->request.why.message, strlen(a->request.why.message) + 1);
		break;
	case ENGINE_STATE_PUT:
		if (!a->state.buf || !a->state.len || a->state.len > ENGINE_STATE_RECORD_MAX)
			fail("STATE_PUT of %u octets at %p", a->state.len, (const void *)a->state.buf);
		touch(a->state.buf, a->state.len);
		break;
	case ENGINE_SESSION_UP:
		if (!(i = a->session_up.info))
			fail("SESSION_UP without call information");
		touch(i, sizeof(*i));
		touch_blob(&i->calling_number);
		touch_blob(&i->called_number);
		touch_blob(&i->sub_address);
		touch_blob(&i->private_group_id);
		touch_blob(&i->initial_received_lcp_confreq);
		touch_blob(&i->last_sent_lcp_confreq);
		touch_blob(&i->last_received_lcp_confreq);
		touch_blob(&i->proxy_authen_name);
		touch_blob(&i->proxy_authen_challenge);
		touch_blob(&i->proxy_authen_response);
		break;
	default:
		break;
	}
}

/* ---- the durable records, and a restart ---- */

static int record_index(const struct fuzz *f, uint64_t key)
{
	for (unsigned int i = 0; i < f->n_records; i++)
		if (f->records[i].key == key)
			return (int)i;
	return -1;
}

/* The key names an object of its kind: an endpoint's serial, a tunnel ID, tunnel and session IDs. */
static bool key_names_object(uint64_t key)
{
	uint32_t low = (uint32_t)key;

	switch (ENGINE_STATE_KIND(key)) {
	case ENGINE_STATE_ENDPOINT:
		return true;
	case ENGINE_STATE_TUNNEL:
		return low && low <= UINT16_MAX;
	case ENGINE_STATE_SESSION:
		return low >> 16 && (uint16_t)low;
	}
	return false;
}

/* What the daemon's state store does: a record per key, replaced by each PUT, gone at DROP. */
static void keep_state(struct fuzz *f, const struct engine_action *a)
{
	uint64_t key = a->state.key;
	int i = record_index(f, key);

	if (!key_names_object(key))
		fail("STATE action under key %#llx, which names no object", (unsigned long long)key);
	if (a->type == ENGINE_STATE_DROP) {
		if (i < 0)
			fail("STATE_DROP of record %#llx, which is not kept", (unsigned long long)key);
		f->records[i] = f->records[--f->n_records];
		return;
	}
	if (i < 0) {
		if (f->n_records == FUZZ_MAX_RECORDS)
			fail("more than %d durable records", FUZZ_MAX_RECORDS);
		i = (int)f->n_records++;
	}
	f->records[i].key = key;
	f->records[i].len = a->state.len;
	memcpy(f->records[i].buf, a->state.buf, a->state.len);
}

/* Whether the new engine has the object a kernel object key names. */
static bool restored_object(const struct fuzz *f, uint32_t key)
{
	uint16_t tid = (uint16_t)(key >> 16), sid = (uint16_t)key;

	return sid ? session_find(f->e, tid, sid) != NULL : tunnel_find(f->e, tid) != NULL;
}

/* The kernel after a restart: what the old process asked for is done or forgotten, the rest deleted. */
static void kernel_restarted(struct fuzz *f)
{
	/* A tunnel is established while its kernel tunnel is being created: it was, before the kill. */
	for (unsigned int i = 0; i < f->n_pending; i++)
		if (f->pending[i].request == ENGINE_KERNEL_TUNNEL_CREATE &&
		    tunnel_find(f->e, f->pending[i].tunnel_id))
			object_add(f, (uint32_t)f->pending[i].tunnel_id << 16);
	f->n_pending = 0;
	/* The new process finds the objects of what it did not restore in the kernel's dumps. */
	for (unsigned int i = 0; i < f->n_objects;)
		if (restored_object(f, f->objects[i]))
			i++;
		else
			object_remove_at(f, i);
	for (unsigned int i = 0; i < f->e->n_tunnels; i++) {
		uint16_t id = nth_tunnel(f->e, i)->id;

		if (object_index(f, (uint32_t)id << 16) < 0)
			fail("tunnel %u restored, but the kernel never had it", id);
	}
}

void shell_restarted(struct fuzz *f)
{
	kernel_restarted(f);
	/* Lifecycles: the restored tunnels and calls are up; the others are gone, unannounced. */
	for (unsigned int i = 0; i < f->n_tunnels;) {
		if (tunnel_find(f->e, f->tunnels[i].id)) {
			i++;
			continue;
		}
		note_released(f, f->tunnels[i].id);
		f->tunnels[i] = f->tunnels[--f->n_tunnels];
	}
	for (unsigned int i = 0; i < f->n_up_sessions;)
		if (restored_object(f, f->up_sessions[i]))
			i++;
		else
			f->up_sessions[i] = f->up_sessions[--f->n_up_sessions];
	/* Group calls are not kept: nobody waits for their REQUEST_DONE any more. */
	f->n_requests = 0;
}

/* ---- the actions ---- */

static void check_send(struct fuzz *f, const struct engine_action *a)
{
	static uint8_t buf[L2TP_MAX_MSG_LEN];
	static struct l2tp_msg m;
	struct proto_error err;
	struct l2tp_header h;
	struct blob secret;
	const char *why;

	if (header_parse(a->send.buf, a->send.len, &h, &why) < 0 || !h.control)
		fail("SEND of a datagram whose header does not parse: %s", h.control ? why : "data");
	memcpy(buf, a->send.buf, a->send.len); /* the decoder unhides in place */
	if (decode_control(buf, a->send.len, secret_for(f, &a->send.peer, &secret), &m, &err) < 0)
		fail("SEND (tunnel %u) of a message that does not decode: %s", a->tunnel_id, err.text);
	if (!a->tunnel_id && m.type != L2TP_MSG_STOPCCN)
		fail("SEND of message type %u from no tunnel", m.type);
	if (l2tp_addr_same_host(&a->send.peer, &f->peer_addr)) {
		struct l2tp_addr from = f->addr;

		if (a->send.local.port)
			from.port = a->send.local.port;
		link_push(&f->to_peer, &from, a->send.buf, a->send.len);
	}
}

static void check_tunnel_action(struct fuzz *f, const struct engine_action *a)
{
	struct tracked_tunnel *t = note_tunnel(f, a->tunnel_id);

	if (a->type == ENGINE_TUNNEL_UP) {
		if (!t || t->up || t->down)
			fail("TUNNEL_UP for tunnel %u: %s", a->tunnel_id,
			     !t	     ? "ID 0"
			     : t->up ? "up already"
				     : "after TUNNEL_DOWN");
		t->up = true;
	} else {
		if (!t || t->down)
			fail("TUNNEL_DOWN for tunnel %u: %s", a->tunnel_id, !t ? "ID 0" : "down already");
		t->down = true;
	}
}

static void check_session_action(struct fuzz *f, const struct engine_action *a)
{
	uint32_t key = (uint32_t)a->tunnel_id << 16 | a->session_id;
	int i;

	note_tunnel(f, a->tunnel_id);
	switch (a->type) {
	case ENGINE_SESSION_UP:
		if (!a->session_id || up_index(f, key) >= 0)
			fail("SESSION_UP for session %u/%u twice", a->tunnel_id, a->session_id);
		if (f->n_up_sessions == FUZZ_MAX_TRACKED)
			fail("more than %d sessions up", FUZZ_MAX_TRACKED);
		f->up_sessions[f->n_up_sessions++] = key;
		break;
	case ENGINE_SESSION_DOWN:
		if ((i = up_index(f, key)) >= 0)
			f->up_sessions[i] = f->up_sessions[--f->n_up_sessions];
		break;
	default: /* SESSION_INFO */
		if (a->info.msg_type != L2TP_MSG_WEN && a->info.msg_type != L2TP_MSG_SLI)
			fail("SESSION_INFO with message type %u", a->info.msg_type);
	}
}

void note_request(struct fuzz *f, uint32_t id)
{
	for (unsigned int i = 0; i < f->n_requests; i++)
		if (f->requests[i] == id)
			fail("request ID %u given twice", id);
	if (f->n_requests == FUZZ_MAX_TRACKED)
		fail("more than %d group calls at once", FUZZ_MAX_TRACKED);
	f->requests[f->n_requests++] = id;
}

/* Once per request; a call that came up did so just before (SESSION_UP of that session). */
static void check_request_done(struct fuzz *f, const struct engine_action *a)
{
	uint32_t key = (uint32_t)a->tunnel_id << 16 | a->session_id;
	unsigned int i;

	for (i = 0; i < f->n_requests && f->requests[i] != a->request.id; i++)
		;
	if (i == f->n_requests)
		fail("REQUEST_DONE for request %u, which is not outstanding", a->request.id);
	f->requests[i] = f->requests[--f->n_requests];
	if (a->request.ok && (!a->session_id || up_index(f, key) < 0))
		fail("request %u up as session %u/%u, which is not up", a->request.id, a->tunnel_id,
		     a->session_id);
	if (!a->request.ok && a->session_id)
		fail("request %u failed but names session %u", a->request.id, a->session_id);
}

void check_action(struct fuzz *f, const struct engine_action *a)
{
	touch_action(a);
	switch (a->type) {
	case ENGINE_SEND:
		note_tunnel(f, a->tunnel_id);
		check_send(f, a);
		break;
	case ENGINE_TUNNEL_UP:
	case ENGINE_TUNNEL_DOWN:
		check_tunnel_action(f, a);
		break;
	case ENGINE_TUNNEL_RELEASED:
		released(f, a->tunnel_id);
		break;
	case ENGINE_KERNEL_TUNNEL_CREATE:
	case ENGINE_KERNEL_SESSION_CREATE:
		note_tunnel(f, a->tunnel_id);
		kernel_request(f, a);
		break;
	case ENGINE_KERNEL_TUNNEL_DELETE:
	case ENGINE_KERNEL_SESSION_DELETE:
		/* Also for objects whose owner is gone: not a sign of a live tunnel. */
		kernel_request(f, a);
		break;
	case ENGINE_SESSION_UP:
	case ENGINE_SESSION_DOWN:
	case ENGINE_SESSION_INFO:
		check_session_action(f, a);
		break;
	case ENGINE_REQUEST_DONE:
		check_request_done(f, a);
		break;
	case ENGINE_STATE_PUT:
	case ENGINE_STATE_DROP:
		keep_state(f, a);
		break;
	case ENGINE_LOG:
		if (f->trace)
			fprintf(stderr, "  %llu EUT: %s\n", (unsigned long long)f->now, a->log.text);
		if (a->log.level > f->cfg.log_level)
			fail("LOG at level %d above the configured one", a->log.level);
		if (strlen(a->log.text) >= 512)
			fail("LOG line of %zu octets", strlen(a->log.text));
		note_tunnel(f, a->tunnel_id);
		break;
	default:
		fail("action of unknown type %d", a->type);
	}
}
