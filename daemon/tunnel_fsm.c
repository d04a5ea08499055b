/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control connection state machine, RFC 2661 §7.2, as a table: SCCRQ, SCCRP, SCCCN and
 * StopCCN for originator and receiver, the tie breaker (§7.2.1), the protocol version,
 * capabilities, and challenge authentication (§5.1.1) when the peer has a secret.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "engine_int.h"
#include "fsm.h"
#include "l2tp/result.h"

static const char *const tunnel_event_names[TEV_COUNT] = {
	[TEV_LOCAL_OPEN] = "open",
	[TEV_RX_SCCRQ] = "rx SCCRQ",
	[TEV_RX_SCCRP] = "rx SCCRP",
	[TEV_RX_SCCCN] = "rx SCCCN",
	[TEV_RX_STOPCCN] = "rx StopCCN",
	[TEV_LOCAL_CLOSE] = "close",
	[TEV_KERNEL_OK] = "kernel tunnel ok",
	[TEV_KERNEL_FAIL] = "kernel tunnel failed",
};

struct tunnel_ctx {
	struct engine *e;
	struct tunnel *t;
	struct tunnel_event_arg *arg;
};

static void stop(struct tunnel_ctx *c, uint16_t result, uint16_t error, const char *text)
{
	struct engine_disconnect why = disconnect_of(result, error, text);

	tunnel_stop(c->e, c->t, &why);
}

/* Host Name, capabilities and the like, common to SCCRQ and SCCRP (RFC 2661 §6.1, §6.2). */
static void add_identity(struct engine *e, struct tunnel *t, struct l2tp_msg *m)
{
	const struct engine_config *cfg = e->cfg;
	const struct engine_peer_config *pc = tunnel_peer_config(e, &t->peer);

	msg_set_present(m, L2TP_AVP_PROTOCOL_VERSION);
	m->protocol_version.version = L2TP_PROTOCOL_VERSION;
	m->protocol_version.revision = L2TP_PROTOCOL_REVISION;
	msg_set_present(m, L2TP_AVP_HOST_NAME);
	m->host_name = blob_from_str(cfg->host_name);
	msg_set_present(m, L2TP_AVP_FRAMING_CAPABILITIES);
	m->framing_capabilities = cfg->framing_caps;
	if (cfg->bearer_caps) {
		msg_set_present(m, L2TP_AVP_BEARER_CAPABILITIES);
		m->bearer_capabilities = cfg->bearer_caps;
	}
	if (cfg->firmware_revision) {
		msg_set_present(m, L2TP_AVP_FIRMWARE_REVISION);
		m->firmware_revision = cfg->firmware_revision;
	}
	if (cfg->vendor_name) {
		msg_set_present(m, L2TP_AVP_VENDOR_NAME);
		m->vendor_name = blob_from_str(cfg->vendor_name);
	}
	msg_set_present(m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m->assigned_tunnel_id = t->id;
	msg_set_present(m, L2TP_AVP_RECEIVE_WINDOW_SIZE);
	m->receive_window_size = cfg->xport.rwin;
	if (t->is_recovery) {
		/* RFC 4951 §5.1: never on a recovery tunnel; its own AVPs instead. */
		recovery_add_avps(e, t, m);
	} else if (cfg->failover_flags && !(pc && pc->disable_failover_protocol)) {
		msg_set_present(m, L2TP_AVP_FAILOVER_CAPABILITY);
		m->failover_capability.flags = cfg->failover_flags;
		m->failover_capability.recovery_time_ms = cfg->recovery_time_ms;
		t->sent_failover_cap = true;
	}
	if (t->secret) {
		e->cfg->random(e->cfg->random_arg, t->challenge, sizeof(t->challenge));
		t->challenged = true;
		msg_set_present(m, L2TP_AVP_CHALLENGE);
		m->challenge = (struct blob){ t->challenge, sizeof(t->challenge) };
	}
}

static char *copy_name(const struct blob *b)
{
	char *s = malloc((size_t)b->len + 1);

	if (s) {
		memcpy(s, b->ptr, b->len);
		s[b->len] = 0;
	}
	return s;
}

/*
 * What the peer says about itself in SCCRQ or SCCRP. Returns false after a StopCCN.
 * Version: only 1.0 exists for L2TPv2; Result 5 carries the highest we support (§4.4.2).
 */
static bool learn_peer(struct tunnel_ctx *c, const struct l2tp_msg *m)
{
	struct tunnel *t = c->t;

	if (m->protocol_version.version != L2TP_PROTOCOL_VERSION) {
		stop(c, L2TP_RC_STOPCCN_BAD_VERSION, L2TP_PROTOCOL_VERSION << 8 | L2TP_PROTOCOL_REVISION,
		     "protocol version not supported");
		return false;
	}
	t->peer_framing = m->framing_capabilities;
	t->peer_bearer = msg_has(m, L2TP_AVP_BEARER_CAPABILITIES) ? m->bearer_capabilities : 0;
	t->peer_firmware = msg_has(m, L2TP_AVP_FIRMWARE_REVISION) ? m->firmware_revision : 0;
	free(t->peer_host_name);
	free(t->peer_vendor_name);
	t->peer_host_name = copy_name(&m->host_name);
	t->peer_vendor_name = msg_has(m, L2TP_AVP_VENDOR_NAME) ? copy_name(&m->vendor_name) : NULL;
	/* RFC 4951 §3.1: recorded whatever we advertise; it decides how this tunnel recovers. */
	t->peer_failover_flags = msg_has(m, L2TP_AVP_FAILOVER_CAPABILITY) ? m->failover_capability.flags : 0;
	/* The Recovery Time applies only with the C bit (RFC 4951 §5.1). */
	t->peer_recovery_ms = t->peer_failover_flags & L2TP_FAILOVER_CAP_C ? m->failover_capability.recovery_time_ms : 0;
	/* Absent means 4 (RFC 2661 §5.8); the codec has refused 0. */
	if (msg_has(m, L2TP_AVP_RECEIVE_WINDOW_SIZE))
		xport_set_peer_window(&t->xport, m->receive_window_size);
	if (msg_has(m, L2TP_AVP_CHALLENGE) && !t->secret) {
		c->e->stats.auth_failures++;
		stop(c, L2TP_RC_STOPCCN_NOT_AUTHORIZED, 0,
		     "challenged but no secret is configured for the peer");
		return false;
	}
	return true;
}

/* Answers the peer's challenge in the message that carries our reply (id = its type). */
static void add_response(struct tunnel *t, const struct l2tp_msg *rx, struct l2tp_msg *m)
{
	struct blob secret;

	if (!msg_has(rx, L2TP_AVP_CHALLENGE))
		return;
	secret = blob_from_str(t->secret);
	msg_set_present(m, L2TP_AVP_CHALLENGE_RESPONSE);
	auth_challenge_response((uint8_t)m->type, &secret, &rx->challenge, m->challenge_response);
}

/* Checks the answer to our challenge (RFC 2661 §5.1.1); refuses with Result 4 if wrong. */
static bool response_valid(struct tunnel_ctx *c, const struct l2tp_msg *m)
{
	struct tunnel *t = c->t;
	struct blob secret, challenge = { t->challenge, sizeof(t->challenge) };

	if (!t->challenged)
		return true;
	secret = blob_from_str(t->secret);
	if (msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE) &&
	    auth_response_valid((uint8_t)m->type, &secret, &challenge, m->challenge_response)) {
		t->challenged = false;
		return true;
	}
	c->e->stats.auth_failures++;
	stop(c, L2TP_RC_STOPCCN_NOT_AUTHORIZED, 0,
	     msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE) ? "wrong challenge response" : "no challenge response");
	return false;
}

static bool send_sccrq(void *obj, void *arg)
{
	struct tunnel_ctx *c = obj;
	struct l2tp_msg m;

	msg_init(&m, L2TP_MSG_SCCRQ);
	add_identity(c->e, c->t, &m);
	/* RFC 4951 §3.2.1: a recovery SCCRQ MUST carry one. */
	if (c->e->cfg->send_tie_breaker || c->t->is_recovery) {
		c->e->cfg->random(c->e->cfg->random_arg, c->t->tie_breaker, sizeof(c->t->tie_breaker));
		c->t->sent_tie_breaker = true;
		msg_set_present(&m, L2TP_AVP_TIE_BREAKER);
		memcpy(m.tie_breaker, c->t->tie_breaker, sizeof(m.tie_breaker));
	}
	return tunnel_send(c->e, c->t, &m) == 0;
}

static bool accept_sccrq(void *obj, void *arg)
{
	struct tunnel_ctx *c = obj;
	const struct l2tp_msg *rx = c->arg->m;
	struct l2tp_msg m;

	if (!learn_peer(c, rx))
		return false;
	msg_init(&m, L2TP_MSG_SCCRP);
	add_identity(c->e, c->t, &m);
	add_response(c->t, rx, &m);
	return tunnel_send(c->e, c->t, &m) == 0;
}

static void push_with_addresses(struct engine *e, enum engine_action_type type, const struct tunnel *t)
{
	struct engine_action *a = engine_push_for(e, type, t, NULL);

	if (a) {
		a->tunnel.local = t->local;
		a->tunnel.peer = t->peer;
	}
}

static void established(struct tunnel_ctx *c)
{
	struct engine *e = c->e;
	struct tunnel *t = c->t;

	e->n_tunnels_established++;
	t->reap_at = TIMER_NONE;
	tunnel_idle_check(e, t); /* its calls may have gone while it came up */
	t->hello_at = e->cfg->hello_ms ? e->now + e->cfg->hello_ms : TIMER_NONE;
	/* A recovery tunnel only resets the one it recovers (recovery.c): no calls, no kernel. */
	if (t->is_recovery)
		return;
	push_with_addresses(e, ENGINE_TUNNEL_UP, t);
	/* The kernel data path (linux-kernel-l2tp.md §8): after SCCCN, on the tunnel's socket. */
	push_with_addresses(e, ENGINE_KERNEL_TUNNEL_CREATE, t);
	engine_log(e, ENGINE_LOG_INFO, t, NULL, "established with %s",
		   t->peer_host_name ? t->peer_host_name : "?");
}

static bool accept_sccrp(void *obj, void *arg)
{
	struct tunnel_ctx *c = obj;
	const struct l2tp_msg *rx = c->arg->m;
	struct l2tp_msg m;

	if (tunnel_set_peer_id(c->e, c->t, rx->assigned_tunnel_id) < 0) {
		stop(c, L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_NO_RESOURCES, "out of memory");
		return false;
	}
	if (!learn_peer(c, rx) || !response_valid(c, rx))
		return false;
	msg_init(&m, L2TP_MSG_SCCCN);
	add_response(c->t, rx, &m);
	if (tunnel_send(c->e, c->t, &m) < 0)
		return false;
	established(c);
	return true;
}

static bool accept_scccn(void *obj, void *arg)
{
	struct tunnel_ctx *c = obj;

	if (!response_valid(c, c->arg->m))
		return false;
	established(c);
	return true;
}

static bool rx_stopccn(void *obj, void *arg)
{
	struct tunnel_ctx *c = obj;
	struct engine_disconnect why = disconnect_from_msg(c->e, c->arg->m);

	/* Refused before any SCCRP: the StopCCN names the peer's tunnel, which our ack must use. */
	if (!c->t->peer_id)
		(void)tunnel_set_peer_id(c->e, c->t, c->arg->m->assigned_tunnel_id);
	tunnel_clear(c->e, c->t, &why, true);
	return true;
}

static bool local_close(void *obj, void *arg)
{
	struct tunnel_ctx *c = obj;

	tunnel_stop(c->e, c->t, c->arg->why);
	return true;
}

static bool kernel_ok(void *obj, void *arg)
{
	struct tunnel_ctx *c = obj;

	c->t->kernel_created = true;
	session_tunnel_kernel_ready(c->e, c->t);
	return true;
}

static bool kernel_fail(void *obj, void *arg)
{
	struct tunnel_ctx *c = obj;

	stop(c, L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_NO_RESOURCES, "kernel refused the tunnel");
	return true;
}

/* The kernel finished a create we no longer want: undo it. */
static bool kernel_late(void *obj, void *arg)
{
	struct tunnel_ctx *c = obj;

	(void)engine_push_for(c->e, ENGINE_KERNEL_TUNNEL_DELETE, c->t, NULL);
	return true;
}

/* clang-format off */
static const struct fsm_row tunnel_rows[] = {
	{ TUNNEL_IDLE,           TEV_LOCAL_OPEN,  send_sccrq,   TUNNEL_WAIT_CTL_REPLY },
	{ TUNNEL_IDLE,           TEV_RX_SCCRQ,    accept_sccrq, TUNNEL_WAIT_CTL_CONN },
	{ TUNNEL_WAIT_CTL_REPLY, TEV_RX_SCCRP,    accept_sccrp, TUNNEL_ESTABLISHED },
	{ TUNNEL_WAIT_CTL_REPLY, TEV_RX_STOPCCN,  rx_stopccn,   TUNNEL_CLOSING },
	{ TUNNEL_WAIT_CTL_REPLY, TEV_LOCAL_CLOSE, local_close,  TUNNEL_CLOSING },
	{ TUNNEL_WAIT_CTL_CONN,  TEV_RX_SCCCN,    accept_scccn, TUNNEL_ESTABLISHED },
	{ TUNNEL_WAIT_CTL_CONN,  TEV_RX_STOPCCN,  rx_stopccn,   TUNNEL_CLOSING },
	{ TUNNEL_WAIT_CTL_CONN,  TEV_LOCAL_CLOSE, local_close,  TUNNEL_CLOSING },
	{ TUNNEL_ESTABLISHED,    TEV_RX_STOPCCN,  rx_stopccn,   TUNNEL_CLOSING },
	{ TUNNEL_ESTABLISHED,    TEV_LOCAL_CLOSE, local_close,  TUNNEL_CLOSING },
	{ TUNNEL_ESTABLISHED,    TEV_KERNEL_OK,   kernel_ok,    TUNNEL_ESTABLISHED },
	{ TUNNEL_ESTABLISHED,    TEV_KERNEL_FAIL, kernel_fail,  TUNNEL_CLOSING },
	/* Closing: the transport re-acks; everything else is over. */
	{ TUNNEL_CLOSING,        TEV_RX_SCCRQ,    NULL,         TUNNEL_CLOSING },
	{ TUNNEL_CLOSING,        TEV_RX_SCCRP,    NULL,         TUNNEL_CLOSING },
	{ TUNNEL_CLOSING,        TEV_RX_SCCCN,    NULL,         TUNNEL_CLOSING },
	{ TUNNEL_CLOSING,        TEV_RX_STOPCCN,  NULL,         TUNNEL_CLOSING },
	{ TUNNEL_CLOSING,        TEV_LOCAL_CLOSE, NULL,         TUNNEL_CLOSING },
	{ TUNNEL_CLOSING,        TEV_KERNEL_OK,   kernel_late,  TUNNEL_CLOSING },
	{ TUNNEL_CLOSING,        TEV_KERNEL_FAIL, NULL,         TUNNEL_CLOSING },
};
/* clang-format on */

/* Any other message in a state is out of sequence: clear the connection (RFC 2661 §7.1). */
static void tunnel_unexpected(void *obj, void *arg, uint8_t state, uint8_t event)
{
	struct tunnel_ctx *c = obj;

	engine_log(c->e, ENGINE_LOG_WARNING, c->t, NULL, "%s in state %s", tunnel_event_names[event],
		   tunnel_state_name(state));
	if (event == TEV_KERNEL_OK) {
		kernel_late(obj, arg);
		return;
	}
	if (event == TEV_KERNEL_FAIL || event == TEV_LOCAL_OPEN)
		return;
	stop(c, L2TP_RC_STOPCCN_FSM_ERROR, 0, tunnel_event_names[event]);
}

static const char *const tunnel_state_names[TUNNEL_STATE_COUNT] = {
	[TUNNEL_IDLE] = "idle",
	[TUNNEL_WAIT_CTL_REPLY] = "wait-ctl-reply",
	[TUNNEL_WAIT_CTL_CONN] = "wait-ctl-conn",
	[TUNNEL_ESTABLISHED] = "established",
	[TUNNEL_CLOSING] = "closing",
};

const char *tunnel_state_name(uint8_t s)
{
	return s < TUNNEL_STATE_COUNT ? tunnel_state_names[s] : "?";
}

static void tunnel_trace(void *obj, uint8_t from, uint8_t event, uint8_t to)
{
	struct tunnel_ctx *c = obj;

	engine_log(c->e, ENGINE_LOG_DEBUG, c->t, NULL, "%s: %s -> %s", tunnel_event_names[event],
		   tunnel_state_names[from], tunnel_state_names[to]);
}

static const struct fsm_def tunnel_fsm = {
	.rows = tunnel_rows,
	.n_rows = sizeof(tunnel_rows) / sizeof(tunnel_rows[0]),
	.unexpected = tunnel_unexpected,
	.trace = tunnel_trace,
};

void tunnel_event(struct engine *e, struct tunnel *t, enum tunnel_event ev, struct tunnel_event_arg *arg)
{
	struct tunnel_ctx c = { e, t, arg };
	uint8_t before = t->state;

	if (t->dead)
		return;
	fsm_dispatch(&tunnel_fsm, &t->state, (uint8_t)ev, &c, NULL);
	engine_touch_tunnel(e, t);
	/* Calls waiting for the tunnel go ahead once it is up (RFC 2661 §7.4: tunnel-open). */
	if (before != TUNNEL_ESTABLISHED && t->state == TUNNEL_ESTABLISHED) {
		session_tunnel_up(e, t);
		if (t->is_recovery)
			recovery_tunnel_up(e, t, arg ? arg->m : NULL);
	}
	tunnel_reschedule(e, t);
}
