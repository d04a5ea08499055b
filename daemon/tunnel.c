/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tunnel objects: lookup, the reliable send path through the transport, and the end of a
 * tunnel (StopCCN, clearing its sessions, lingering for a full retransmission cycle, and
 * forgetting it). The protocol decisions of establishment live in tunnel_fsm.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "avp.h"
#include "encode.h"
#include "engine_int.h"
#include "l2tp/result.h"

/* Largest control message we build: an FSQ with 256 sessions is about 4 KiB. */
#define TUNNEL_TX_MAX 8192

struct tunnel *tunnel_find(const struct engine *e, uint16_t id)
{
	struct hnode *n = hmap_first(&e->tunnels, id);

	return n ? hmap_entry(n, struct tunnel, by_id) : NULL;
}

/* Host and the peer's tunnel ID; 0 stands for "our SCCRQ, not yet answered". */
static uint32_t peer_key(const struct l2tp_addr *peer, uint16_t peer_id)
{
	return l2tp_addr_hash(peer, peer_id, 0);
}

struct tunnel *tunnel_find_by_peer(const struct engine *e, const struct l2tp_addr *peer, uint16_t peer_id)
{
	for (struct hnode *n = hmap_first(&e->tunnels_by_peer, peer_key(peer, peer_id)); n;
	     n = hmap_next(n)) {
		struct tunnel *t = hmap_entry(n, struct tunnel, by_peer);

		if (t->peer_id == peer_id && l2tp_addr_equal(&t->peer, peer))
			return t;
	}
	return NULL;
}

static bool tunnel_id_in_use(void *arg, uint32_t key)
{
	return tunnel_find(arg, (uint16_t)key) != NULL;
}

const struct engine_peer_config *tunnel_peer_config(const struct engine *e, const struct l2tp_addr *peer)
{
	for (size_t i = 0; i < e->cfg->n_peers; i++)
		if (l2tp_addr_same_host(&e->cfg->peers[i].addr, peer))
			return &e->cfg->peers[i];
	return NULL;
}

const char *tunnel_peer_secret(const struct engine *e, const struct l2tp_addr *peer)
{
	const struct engine_peer_config *pc = tunnel_peer_config(e, peer);

	return pc ? pc->secret : e->cfg->secret;
}

static void unindex_peer(struct engine *e, struct tunnel *t)
{
	if (t->peer_indexed)
		hmap_remove(&e->tunnels_by_peer, &t->by_peer);
	t->peer_indexed = false;
}

int tunnel_set_peer_id(struct engine *e, struct tunnel *t, uint16_t peer_id)
{
	unindex_peer(e, t);
	t->peer_id = peer_id;
	if (hmap_insert(&e->tunnels_by_peer, &t->by_peer, peer_key(&t->peer, peer_id)) < 0)
		return -ENOMEM;
	t->peer_indexed = true;
	return 0;
}

struct tunnel *tunnel_new(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
			  bool originator)
{
	uint16_t id = ids_pick(&e->ids, e->now, 0, e->cfg->random, e->cfg->random_arg, tunnel_id_in_use, e);

	return id ? tunnel_new_with_id(e, id, local, peer, originator) : NULL;
}

struct tunnel *tunnel_new_with_id(struct engine *e, uint16_t id, const struct l2tp_addr *local,
				  const struct l2tp_addr *peer, bool originator)
{
	const struct engine_peer_config *pc = tunnel_peer_config(e, peer);
	struct tunnel *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->id = id;
	t->local = *local;
	t->peer = *peer;
	t->originator = originator;
	t->state = TUNNEL_IDLE;
	t->secret = tunnel_peer_secret(e, peer);
	t->hide = t->secret && (pc ? pc->hide_avps : e->cfg->hide_avps);
	t->last_rx = e->now;
	t->hello_at = TIMER_NONE;
	/* Set-up deadline: twice the retransmission cycle, so a dead peer is found by that first. */
	t->reap_at = e->now + 2 * xport_full_cycle_ms(&e->cfg->xport);
	xport_init(&t->xport);
	timer_entry_init(&t->timer);
	if (hmap_insert(&e->tunnels, &t->by_id, id) < 0) {
		free(t);
		return NULL;
	}
	if (originator) {
		struct endpoint *ep = endpoint_get(e, peer, true);

		if (ep)
			endpoint_link(ep, t);
	}
	e->n_tunnels++;
	return t;
}

/*
 * One call into the transport: the datagrams it sends become SEND actions, and its counters
 * move the engine's (read around the call).
 */
struct tunnel_io {
	struct engine *e;
	struct tunnel *t;
	struct xport_out out;
	struct xport_stats before;
};

static void tunnel_transmit(void *ctx, const uint8_t *buf, size_t len)
{
	struct tunnel_io *io = ctx;
	struct engine_action *a = engine_push_datagram(io->e, &io->t->local, &io->t->peer, buf, len);

	if (a) {
		a->tunnel_id = io->t->id;
		a->peer_tunnel_id = io->t->peer_id;
	}
}

static const struct xport_out *io_begin(struct tunnel_io *io, struct engine *e, struct tunnel *t)
{
	*io = (struct tunnel_io){ .e = e, .t = t, .out = { tunnel_transmit, io }, .before = t->xport.stats };
	return &io->out;
}

static void io_end(struct tunnel_io *io)
{
	const struct xport_stats *after = &io->t->xport.stats;

	io->e->stats.messages_sent += after->sent - io->before.sent;
	io->e->stats.retransmissions += after->retransmitted - io->before.retransmitted;
	io->e->stats.zlbs_sent += after->zlb_sent - io->before.zlb_sent;
}

/* Hide every AVP that may be hidden, behind one fresh Random Vector (RFC 2661 §4.3). */
static void hide_all(struct engine *e, struct l2tp_msg *m, uint8_t rv[16])
{
	for (int slot = 0; slot < AVP_SLOT_COUNT; slot++)
		if ((m->present & AVP_BIT(slot)) && avp_table[slot].may_hide)
			m->hidden |= AVP_BIT(slot);
	if (!m->hidden)
		return;
	e->cfg->random(e->cfg->random_arg, rv, 16);
	m->random_vector = (struct blob){ rv, 16 };
	msg_set_present(m, L2TP_AVP_RANDOM_VECTOR);
}

/*
 * Control connection set-up and tear-down go in clear: the peer looks the shared secret up
 * by our Host Name while it reads SCCRQ or SCCRP, so it cannot unhide their AVPs yet, and
 * xl2tpd (1.3.18) clears the tunnel on the attempt ("Invalid Hidden AVP"). The Challenge
 * exchange authenticates them instead; every later message is hidden (RFC 2661 §4.3 lets
 * the sender choose which AVPs to hide).
 */
static bool hides(uint16_t type)
{
	return type != L2TP_MSG_SCCRQ && type != L2TP_MSG_SCCRP && type != L2TP_MSG_SCCCN && type != L2TP_MSG_STOPCCN;
}

int tunnel_send(struct engine *e, struct tunnel *t, struct l2tp_msg *m)
{
	uint8_t buf[TUNNEL_TX_MAX], rv[16];
	struct blob secret;
	struct encode_opts opts = { .random = e->cfg->random, .random_arg = e->cfg->random_arg };
	struct tunnel_io io;
	int len, err;

	m->tunnel_id = t->peer_id;
	if (t->hide && hides(m->type)) {
		secret = blob_from_str(t->secret);
		opts.secret = &secret;
		hide_all(e, m, rv);
	}
	len = encode_control(m, &opts, buf, sizeof(buf));
	if (len < 0) {
		engine_log(e, ENGINE_LOG_ERR, t, NULL, "cannot encode message type %u (error %d)", m->type,
			   len);
		return len;
	}
	err = xport_enqueue(&t->xport, &e->cfg->xport, e->now, buf, (size_t)len, io_begin(&io, e, t));
	io_end(&io);
	engine_touch_tunnel(e, t);
	return err;
}

void tunnel_resync_begin(struct engine *e, struct tunnel *t)
{
	uint8_t buf[L2TP_CONTROL_HDR_LEN + 8];
	struct encode_opts opts = { .random = e->cfg->random, .random_arg = e->cfg->random_arg };
	struct tunnel_io io;
	struct l2tp_msg m;
	int len, err;

	/* A HELLO: harmless if the peer takes it as new, and every peer must acknowledge it. */
	msg_init(&m, L2TP_MSG_HELLO);
	m.tunnel_id = t->peer_id;
	len = encode_control(&m, &opts, buf, sizeof(buf));
	err = len < 0 ? len
		      : xport_resync_begin(&t->xport, &e->cfg->xport, e->now, buf, (size_t)len, io_begin(&io, e, t));
	if (len >= 0)
		io_end(&io);
	if (err < 0) {
		engine_log(e, ENGINE_LOG_ERR, t, NULL, "cannot probe the peer to resynchronise (error %d)", err);
		return;
	}
	engine_log(e, ENGINE_LOG_INFO, t, NULL, "restored: resynchronising with the peer (last Ns %u Nr %u)",
		   t->xport.ns_next, t->xport.nr);
	tunnel_reschedule(e, t);
}

enum xport_rx tunnel_account_rx(struct engine *e, struct tunnel *t, uint16_t ns, uint16_t nr, bool zlb)
{
	bool resyncing = t->xport.resync;
	uint16_t kept = t->xport.ns_next;
	struct tunnel_io io;
	enum xport_rx rx;

	/* Any message from the peer shows it alive: HELLO only after silence (RFC 2661 §6.5). */
	t->last_rx = e->now;
	if (t->hello_at != TIMER_NONE)
		t->hello_at = e->now + e->cfg->hello_ms;
	recovery_peer_back(e, t, nr);
	rx = xport_receive(&t->xport, &e->cfg->xport, e->now, ns, nr, zlb, io_begin(&io, e, t));
	io_end(&io);
	if (resyncing && !t->xport.resync) {
		t->recovery = ENGINE_RECOVERY_SILENT;
		engine_log(e, ENGINE_LOG_NOTICE, t, NULL, "resynchronised silently: the peer expects Ns %u (kept %u), Nr %u",
			   nr, kept, t->xport.nr);
	}
	engine_touch_tunnel(e, t);
	return rx;
}

size_t tunnel_outstanding_sccrqs(const struct engine *e, const struct l2tp_addr *peer, struct tunnel **out,
				 size_t max)
{
	size_t n = 0;

	for (struct hnode *h = hmap_first(&e->tunnels_by_peer, peer_key(peer, 0)); h && n < max;
	     h = hmap_next(h)) {
		struct tunnel *t = hmap_entry(h, struct tunnel, by_peer);

		/* RFC 4951 Appendix B: ties of recovery tunnels are settled apart (recovery.c). */
		if (t->state == TUNNEL_WAIT_CTL_REPLY && t->peer_id == 0 && !t->is_recovery &&
		    l2tp_addr_same_host(&t->peer, peer))
			out[n++] = t;
	}
	return n;
}

bool tunnel_retransmit(struct engine *e, struct tunnel *t)
{
	struct xport_config cfg = e->cfg->xport;
	struct tunnel_io io;
	bool alive;

	/* A group's SCCRQ retry count decides how soon an endpoint that does not answer is left. */
	if (t->setup_retries && t->state == TUNNEL_WAIT_CTL_REPLY)
		cfg.rtx_retries = t->setup_retries;
	alive = xport_tick(&t->xport, &cfg, e->now, io_begin(&io, e, t));

	io_end(&io);
	return alive;
}

void tunnel_end_input(struct engine *e, struct tunnel *t)
{
	struct tunnel_io io;

	if (t->dead)
		return;
	xport_flush_ack(&t->xport, t->peer_id, io_begin(&io, e, t));
	io_end(&io);
	tunnel_reschedule(e, t);
}

struct engine_disconnect disconnect_of(uint16_t result, uint16_t error, const char *message)
{
	return (struct engine_disconnect){ .result = result, .error = error, .message = message };
}

void msg_set_disconnect(struct l2tp_msg *m, const struct engine_disconnect *why)
{
	msg_set_present(m, L2TP_AVP_RESULT_CODE);
	m->result_code.result = why->result;
	m->result_code.error = why->error;
	/* The message can only follow an error code (RFC 2661 §4.4.2). */
	m->result_code.has_error = why->error || (why->message && *why->message);
	if (why->message && *why->message)
		m->result_code.message = blob_from_str(why->message);
	if (why->q931 && m->type == L2TP_MSG_CDN) {
		msg_set_present(m, L2TP_AVP_Q931_CAUSE_CODE);
		m->q931_cause_code.cause = why->q931_cause;
		m->q931_cause_code.msg = why->q931_msg;
	}
}

struct engine_disconnect disconnect_from_msg(struct engine *e, const struct l2tp_msg *m)
{
	struct engine_disconnect d = { .result = m->result_code.result, .error = m->result_code.error };
	const struct blob *text = &m->result_code.message;
	char *copy = engine_copy_str(e, text->ptr ? (const void *)text->ptr : "", text->len);

	d.message = copy ? copy : "";
	if (m->n_vendor) {
		d.vendor_avp = true;
		d.vendor_id = m->vendor[0].vendor;
		d.vendor_type = m->vendor[0].type;
	}
	if (msg_has(m, L2TP_AVP_Q931_CAUSE_CODE)) {
		d.q931 = true;
		d.q931_cause = m->q931_cause_code.cause;
		d.q931_msg = m->q931_cause_code.msg;
	}
	return d;
}

static void kernel_tunnel_delete(struct engine *e, struct tunnel *t)
{
	if (!t->kernel_created)
		return;
	t->kernel_created = false;
	(void)engine_push_for(e, ENGINE_KERNEL_TUNNEL_DELETE, t, NULL);
}

void tunnel_clear(struct engine *e, struct tunnel *t, const struct engine_disconnect *why, bool by_peer)
{
	struct engine_disconnect session_why = disconnect_of(L2TP_RC_CDN_LOST_CARRIER, 0, "tunnel cleared");

	if (t->state == TUNNEL_CLOSING || t->dead)
		return;
	engine_touch_tunnel(e, t);
	recovery_tunnel_down(e, t);
	recovery_abandon(e, t);
	failover_tunnel_down(e, t, why, by_peer);
	engine_log(e, by_peer ? ENGINE_LOG_NOTICE : ENGINE_LOG_WARNING, t, NULL,
		   "cleared in state %s: result %u error %u%s%s", tunnel_state_name(t->state), why->result,
		   why->error, why->message && *why->message ? ": " : "", why->message ? why->message : "");
	/* A StopCCN clears every session of the tunnel without a CDN (RFC 2661 §5.7). */
	while (t->sessions)
		session_clear(e, t->sessions, &session_why, by_peer);
	kernel_tunnel_delete(e, t);
	if (t->state == TUNNEL_ESTABLISHED)
		e->n_tunnels_established--;
	/*
	 * Every tunnel ends with one TUNNEL_DOWN, so the shell learns of failures before "up" too;
	 * a recovery tunnel is never a tunnel to the shell (no calls, no kernel object).
	 */
	if (!t->is_recovery)
		engine_push_down(e, ENGINE_TUNNEL_DOWN, t, NULL, why, by_peer);
	t->state = TUNNEL_CLOSING;
	t->hello_at = TIMER_NONE;
	/* Stay for a full retransmission cycle to re-ack the peer's StopCCN (RFC 2661 §5.7, §5.8). */
	t->reap_at = t->xport.failed ? e->now : e->now + xport_full_cycle_ms(&e->cfg->xport);
	tunnel_reschedule(e, t);
}

void tunnel_stop(struct engine *e, struct tunnel *t, const struct engine_disconnect *why)
{
	struct l2tp_msg m;

	if (t->state == TUNNEL_CLOSING || t->dead)
		return;
	/*
	 * Before the peer's ID is known the header says 0 and our Assigned Tunnel ID tells the
	 * peer which of its tunnels ends (RFC 2661 §4.4.3).
	 */
	msg_init(&m, L2TP_MSG_STOPCCN);
	msg_set_present(&m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m.assigned_tunnel_id = t->id;
	msg_set_disconnect(&m, why);
	(void)tunnel_send(e, t, &m);
	tunnel_clear(e, t, why, false);
}

void tunnel_idle_check(struct engine *e, struct tunnel *t)
{
	if (!t->idle_ms || t->state != TUNNEL_ESTABLISHED || t->dead)
		return;
	t->reap_at = t->n_sessions ? TIMER_NONE : e->now + t->idle_ms;
	tunnel_reschedule(e, t);
}

void tunnel_reschedule(struct engine *e, struct tunnel *t)
{
	uint64_t at = xport_deadline(&t->xport);

	if (t->dead)
		at = TIMER_NONE;
	else {
		if (t->hello_at < at)
			at = t->hello_at;
		if (t->reap_at < at)
			at = t->reap_at;
	}
	/* Only fails to grow the heap; the tunnel is then cleared by its peer's timers. */
	if (timer_heap_set(&e->timers, &t->timer, at) < 0)
		engine_log(e, ENGINE_LOG_ERR, t, NULL, "out of memory for a timer");
}

/* Forgets the tunnel at the end of the event: it leaves every index now. */
static void tunnel_mark_dead(struct engine *e, struct tunnel *t)
{
	if (t->dead)
		return;
	t->dead = true;
	hmap_remove(&e->tunnels, &t->by_id);
	unindex_peer(e, t);
	endpoint_unlink(t);
	(void)timer_heap_set(&e->timers, &t->timer, TIMER_NONE);
	/* The kernel frees IDs asynchronously: keep this one out of use for a while. */
	if (ids_release(&e->ids, e->now, t->id) < 0)
		engine_log(e, ENGINE_LOG_WARNING, t, NULL, "ID released without quarantine (out of memory)");
	t->next_dead = e->dead_tunnels;
	e->dead_tunnels = t;
}

void tunnel_free(struct engine *e, struct tunnel *t)
{
	struct engine_disconnect why = disconnect_of(L2TP_RC_STOPCCN_CLEAR, 0, "released");

	if (t->state != TUNNEL_CLOSING)
		tunnel_clear(e, t, &why, false);
	tunnel_mark_dead(e, t);
	(void)engine_push_for(e, ENGINE_TUNNEL_RELEASED, t, NULL);
}

void tunnel_reap(struct engine *e)
{
	while (e->dead_tunnels) {
		struct tunnel *t = e->dead_tunnels;

		e->dead_tunnels = t->next_dead;
		xport_destroy(&t->xport);
		free(t->peer_host_name);
		free(t->peer_vendor_name);
		free(t);
		e->n_tunnels--;
	}
}
