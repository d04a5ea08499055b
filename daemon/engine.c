/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's entry points: one per event. Each sets the clock, does its work, reaps what
 * the work killed (objects never free themselves inside their own handlers) and leaves the
 * actions for the shell.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "engine_int.h"
#include "header.h"
#include "l2tp/result.h"

struct engine *engine_new(const struct engine_config *cfg)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = cfg;
	hmap_init(&e->tunnels);
	hmap_init(&e->tunnels_by_peer);
	hmap_init(&e->sessions);
	timer_heap_init(&e->timers);
	timer_heap_init(&e->call_timers);
	hmap_init(&e->endpoints);
	hmap_init(&e->requests);
	ids_init(&e->ids, cfg->id_quarantine_ms);
	admission_init(&e->admission);
	return e;
}

void engine_set_config(struct engine *e, const struct engine_config *cfg)
{
	e->cfg = cfg;
	e->ids.quarantine_ms = cfg->id_quarantine_ms;
}

void engine_free(struct engine *e)
{
	struct hnode *n;

	if (!e)
		return;
	/* Every tunnel, each with its sessions, without telling anyone: the engine is going away. */
	for (uint32_t key = 0; e->tunnels.count && key <= UINT16_MAX; key++) {
		n = hmap_first(&e->tunnels, key);
		if (n) {
			struct tunnel *t = hmap_entry(n, struct tunnel, by_id);

			while (t->sessions) {
				struct session *s = t->sessions;

				t->sessions = s->next;
				hmap_remove(&e->sessions, &s->by_key);
				session_free(e, s);
			}
			hmap_remove(&e->tunnels, n);
			t->next_dead = e->dead_tunnels;
			e->dead_tunnels = t;
		}
	}
	session_reap(e);
	tunnel_reap(e);
	failover_free_all(e);
	endpoint_destroy_all(e);
	hmap_destroy(&e->tunnels);
	hmap_destroy(&e->tunnels_by_peer);
	hmap_destroy(&e->sessions);
	timer_heap_destroy(&e->timers);
	timer_heap_destroy(&e->call_timers);
	ids_destroy(&e->ids);
	engine_actions_free(e);
	free(e);
}

void engine_settle(struct engine *e)
{
	failover_run_retries(e);
	engine_state_flush(e);
	session_reap(e);
	tunnel_reap(e);
}

static void discard(struct engine *e, const struct l2tp_addr *peer, const char *why)
{
	char addr[L2TP_ADDR_STRLEN];

	e->stats.datagrams_discarded++;
	engine_log(e, ENGINE_LOG_DEBUG, NULL, NULL, "datagram from %s discarded: %s",
		   l2tp_addr_str(peer, addr), why);
}

static const struct blob *secret_of(const char *secret, struct blob *b)
{
	if (!secret)
		return NULL;
	*b = blob_from_str(secret);
	return b;
}

/*
 * A StopCCN from a peer that never learnt our ID (its SCCRP did not come): its Assigned
 * Tunnel ID names the tunnel we know it by (RFC 2661 §4.4.3).
 */
static void stopccn_unaddressed(struct engine *e, const struct l2tp_addr *peer, const struct l2tp_msg *m)
{
	struct tunnel *t = tunnel_find_by_peer(e, peer, m->assigned_tunnel_id);

	if (!t) {
		discard(e, peer, "StopCCN for no tunnel of ours");
		return;
	}
	if (tunnel_account_rx(e, t, m->ns, m->nr, false) == XPORT_RX_DELIVER)
		tunnel_event(e, t, TEV_RX_STOPCCN, &(struct tunnel_event_arg){ .m = m });
	tunnel_end_input(e, t);
}

/* A new tunnel's SCCRQ, or a StopCCN before our ID was known: sent to header Tunnel ID 0. */
static void input_unaddressed(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
			      uint8_t *buf, size_t len)
{
	struct blob secret_blob;
	const struct blob *secret = secret_of(tunnel_peer_secret(e, peer), &secret_blob);
	struct proto_error err;
	struct l2tp_msg m;

	if (decode_control(buf, len, secret, &m, &err) < 0) {
		struct engine_disconnect why = disconnect_of(err.result, err.error, err.text);

		/* A refusal needs the peer's tunnel ID to be addressed at all. */
		if (err.action != PROTO_DISCARD && m.type == L2TP_MSG_SCCRQ && m.assigned_tunnel_id)
			tunnel_refuse_stateless(e, local, peer, m.assigned_tunnel_id, m.ns, &why);
		else
			discard(e, peer, err.text);
		return;
	}
	if (!m.zlb && m.type == L2TP_MSG_STOPCCN) {
		stopccn_unaddressed(e, peer, &m);
		return;
	}
	if (m.zlb || m.type != L2TP_MSG_SCCRQ) {
		discard(e, peer, "only an SCCRQ or a StopCCN may be sent to tunnel 0");
		return;
	}
	tunnel_rx_sccrq(e, local, peer, &m);
}

/* A refused message in sequence: answer as the codec says (RFC 2661 §7.1). */
static void refused(struct engine *e, struct tunnel *t, const struct l2tp_msg *m,
		    const struct proto_error *err)
{
	struct engine_disconnect why = disconnect_of(err->result, err->error, err->text);
	struct session *s;

	switch (err->action) {
	case PROTO_DISCARD:
		discard(e, &t->peer, err->text);
		break;
	case PROTO_CLEAR_TUNNEL:
		tunnel_stop(e, t, &why);
		break;
	case PROTO_CLEAR_SESSION:
		s = m->session_id ? session_find(e, t->id, m->session_id) : NULL;
		if (s && m->type == L2TP_MSG_CDN)
			session_clear(e, s, &why, true); /* it was going anyway */
		else if (s)
			session_stop(e, s, &why);
		else if ((m->type == L2TP_MSG_ICRQ || m->type == L2TP_MSG_OCRQ) && m->assigned_session_id)
			session_refuse_stateless(e, t, m->assigned_session_id, &why);
		else
			discard(e, &t->peer, err->text);
		break;
	}
}

static void dispatch(struct engine *e, struct tunnel *t, const struct l2tp_msg *m)
{
	struct tunnel_event_arg arg = { .m = m };

	switch (m->type) {
	case L2TP_MSG_SCCRQ:
		tunnel_event(e, t, TEV_RX_SCCRQ, &arg);
		break;
	case L2TP_MSG_SCCRP:
		tunnel_event(e, t, TEV_RX_SCCRP, &arg);
		break;
	case L2TP_MSG_SCCCN:
		tunnel_event(e, t, TEV_RX_SCCCN, &arg);
		break;
	case L2TP_MSG_STOPCCN:
		tunnel_event(e, t, TEV_RX_STOPCCN, &arg);
		break;
	case L2TP_MSG_HELLO:
		break; /* the transport has acknowledged it: that is all a HELLO asks */
	case L2TP_MSG_FSQ:
		recovery_rx_fsq(e, t, m);
		break;
	case L2TP_MSG_FSR:
		recovery_rx_fsr(e, t, m);
		break;
	default:
		if (t->state == TUNNEL_CLOSING)
			break;
		if (t->state != TUNNEL_ESTABLISHED) {
			struct engine_disconnect why = disconnect_of(L2TP_RC_STOPCCN_FSM_ERROR, 0,
								     "call message before the tunnel is up");

			tunnel_stop(e, t, &why);
			break;
		}
		session_rx(e, t, m);
	}
}

/* A message that opens a call: the new work a backlogged tunnel stops taking from its peer. */
static bool opens_call(const uint8_t *buf, const struct l2tp_header *h)
{
	int type = header_message_type(buf, h);

	return type == L2TP_MSG_ICRQ || type == L2TP_MSG_OCRQ;
}

/* Our oldest unacknowledged message opens a call: the peer may be holding it back as we hold its own. */
static bool our_call_request_waits(const struct tunnel *t)
{
	const struct xport_pkt *head = t->xport.unacked;
	struct l2tp_header h;
	const char *why;

	return head && header_parse(head->buf, head->len, &h, &why) == 0 && opens_call(head->buf, &h);
}

/*
 * Whether a message of the peer is dropped unacknowledged, as if lost, because the peer has
 * not acknowledged what we sent (TUNNEL_QUEUE_MAX, TUNNEL_QUEUE_HARD_MAX); its acknowledgement
 * is taken first. A call request is taken all the same while one of ours waits at the head:
 * two peers calling each other would otherwise each wait for the other to go first.
 */
static bool backlog_drops(struct engine *e, struct tunnel *t, const uint8_t *buf, const struct l2tp_header *h)
{
	uint16_t queued;

	if (xport_queued(&t->xport) < TUNNEL_QUEUE_MAX)
		return false;
	(void)tunnel_account_rx(e, t, h->ns, h->nr, true);
	queued = xport_queued(&t->xport);
	if (queued >= TUNNEL_QUEUE_HARD_MAX)
		return true;
	return queued >= TUNNEL_QUEUE_MAX && opens_call(buf, h) && !our_call_request_waits(t);
}

/* One message, with its parsed header, in the order the transport hands them over. */
static void input_one(struct engine *e, struct tunnel *t, uint8_t *buf, size_t len,
		      const struct l2tp_header *h)
{
	bool zlb = h->payload == h->length;
	struct blob secret_blob;
	struct proto_error err;
	struct l2tp_msg m;

	if (!zlb && backlog_drops(e, t, buf, h)) {
		discard(e, &t->peer, "backlog: the peer does not acknowledge what we sent");
		return;
	}
	switch (tunnel_account_rx(e, t, h->ns, h->nr, zlb)) {
	case XPORT_RX_DELIVER:
		break;
	case XPORT_RX_AHEAD:
		if (xport_hold(&t->xport, &e->cfg->xport, h->ns, buf, len) < 0)
			discard(e, &t->peer, "cannot hold a message ahead of sequence");
		return;
	case XPORT_RX_ZLB:
	case XPORT_RX_DUPLICATE:
		return;
	case XPORT_RX_DROP:
		discard(e, &t->peer, "ahead of sequence beyond our window");
		return;
	}
	if (decode_control(buf, len, secret_of(t->secret, &secret_blob), &m, &err) < 0) {
		refused(e, t, &m, &err);
		return;
	}
	dispatch(e, t, &m);
}

/* A datagram for a known tunnel, then what it let through of the messages held back. */
static void tunnel_input(struct engine *e, struct tunnel *t, uint8_t *buf, size_t len,
			 const struct l2tp_header *h)
{
	struct l2tp_header held_h;
	struct xport_pkt *held;
	const char *why;

	input_one(e, t, buf, len, h);
	/* What arrived ahead of sequence and is now next, in order (RFC 2661 §5.8). */
	while (!t->dead && (held = xport_take_held(&t->xport))) {
		/* Parsed when it arrived, so this cannot fail; checked all the same. */
		if (header_parse(held->buf, held->len, &held_h, &why) == 0)
			input_one(e, t, held->buf, held->len, &held_h);
		free(held);
	}
	tunnel_end_input(e, t);
}

void engine_recv(struct engine *e, uint64_t now, const struct l2tp_addr *local, const struct l2tp_addr *peer,
		 uint8_t *buf, size_t len)
{
	struct l2tp_header h;
	struct tunnel *t;
	const char *why;

	e->now = now;
	if (header_parse(buf, len, &h, &why) < 0)
		discard(e, peer, why);
	else if (!h.control)
		discard(e, peer, "data message for no session the kernel knows");
	else if (h.tunnel_id == 0)
		input_unaddressed(e, local, peer, buf, len);
	else if (!(t = tunnel_find(e, h.tunnel_id)))
		discard(e, peer, "no such tunnel");
	else if (!l2tp_addr_same_host(&t->peer, peer))
		discard(e, peer, "tunnel belongs to another peer");
	else if (t->peer.port != peer->port && t->state != TUNNEL_WAIT_CTL_REPLY)
		discard(e, peer, "tunnel belongs to another port of the peer");
	else if (t->awaiting_reset)
		discard(e, peer, "tunnel being recovered: nothing is taken before the reset (RFC 4951 §3.2.2)");
	else {
		/* The responder may answer from another port; the tunnel follows it (RFC 2661 §8.1). */
		t->peer.port = peer->port;
		tunnel_input(e, t, buf, len, &h);
	}
	engine_settle(e);
}

static void send_hello(struct engine *e, struct tunnel *t)
{
	struct l2tp_msg m;

	msg_init(&m, L2TP_MSG_HELLO);
	engine_log(e, ENGINE_LOG_DEBUG, t, NULL, "HELLO after %llu ms of silence",
		   (unsigned long long)(e->now - t->last_rx));
	(void)tunnel_send(e, t, &m);
	t->hello_at = e->now + e->cfg->hello_ms;
}

static void tunnel_timer(struct engine *e, struct tunnel *t)
{
	struct engine_disconnect why;

	if (t->state == TUNNEL_CLOSING && t->reap_at <= e->now) {
		tunnel_free(e, t);
		return;
	}
	if (xport_deadline(&t->xport) <= e->now && !tunnel_retransmit(e, t) && t->state != TUNNEL_CLOSING &&
	    !recovery_hold(e, t)) {
		/* RFC 2661 §5.8: retransmissions exhausted, the tunnel and its sessions are cleared. */
		why = disconnect_of(L2TP_RC_STOPCCN_FSM_ERROR, 0,
				    "peer did not acknowledge (retransmissions exhausted)");
		tunnel_clear(e, t, &why, false);
		tunnel_free(e, t);
		return;
	}
	if (t->reap_at <= e->now && t->waiting_recovery) {
		why = disconnect_of(L2TP_RC_STOPCCN_FSM_ERROR, 0, "peer did not recover within its Recovery Time");
		tunnel_clear(e, t, &why, false);
		tunnel_free(e, t);
		return;
	}
	if (t->reap_at <= e->now && t->state == TUNNEL_ESTABLISHED) {
		/* Opened for a group's calls, and the last one ended idle_ms ago. */
		why = disconnect_of(L2TP_RC_STOPCCN_CLEAR, 0, "idle: no call");
		tunnel_stop(e, t, &why);
	} else if (t->reap_at <= e->now && t->state != TUNNEL_CLOSING) {
		/* Acknowledged but never answered: the slot is not held forever. */
		why = disconnect_of(L2TP_RC_STOPCCN_FSM_ERROR, 0, "not established in time");
		tunnel_stop(e, t, &why);
	}
	/* Messages waiting for an ack already probe the peer: a HELLO would only queue up. */
	if (t->hello_at <= e->now && t->state == TUNNEL_ESTABLISHED) {
		if (xport_idle(&t->xport))
			send_hello(e, t);
		else
			t->hello_at = e->now + e->cfg->hello_ms;
	}
	tunnel_reschedule(e, t);
}

void engine_tick(struct engine *e, uint64_t now)
{
	struct timer_entry *te;

	e->now = now;
	while ((te = timer_heap_expired(&e->timers, now)))
		tunnel_timer(e, hmap_entry(te, struct tunnel, timer));
	while ((te = timer_heap_expired(&e->call_timers, now))) {
		struct session *s = hmap_entry(te, struct session, timer);

		session_timeout(e, s);
		tunnel_reschedule(e, s->tunnel);
	}
	engine_settle(e);
}

uint64_t engine_next_deadline(const struct engine *e)
{
	uint64_t tunnels = timer_heap_next(&e->timers), calls = timer_heap_next(&e->call_timers);

	return calls < tunnels ? calls : tunnels;
}
