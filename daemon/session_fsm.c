/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The four call state machines of RFC 2661 §7.4 and §7.5 (LAC and LNS, incoming and
 * outgoing calls) as tables, plus the step RFC 2661 leaves to the implementation: a
 * connected call is "established" once the kernel holds its session, and only then is PPP
 * started on it (SESSION_UP).
 */
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "fsm.h"
#include "l2tp/result.h"

/* Connect speed and framing a LAC reports when the call did not say (ICCN/OCCN need them). */
#define DEFAULT_CONNECT_SPEED 100000000u
#define DEFAULT_FRAMING	      L2TP_FRAMING_SYNC

static const char *const session_state_names[SESSION_STATE_COUNT] = {
	[SESSION_IDLE] = "idle",
	[SESSION_WAIT_TUNNEL] = "wait-tunnel",
	[SESSION_WAIT_REPLY] = "wait-reply",
	[SESSION_WAIT_CONNECT] = "wait-connect",
	[SESSION_WAIT_CS_ANSWER] = "wait-cs-answer",
	[SESSION_WAIT_KERNEL] = "wait-kernel",
	[SESSION_ESTABLISHED] = "established",
};

static const char *const session_event_names[SEV_COUNT] = {
	[SEV_LOCAL_OPEN] = "open",
	[SEV_TUNNEL_UP] = "tunnel up",
	[SEV_RX_ICRQ] = "rx ICRQ",
	[SEV_RX_ICRP] = "rx ICRP",
	[SEV_RX_ICCN] = "rx ICCN",
	[SEV_RX_OCRQ] = "rx OCRQ",
	[SEV_RX_OCRP] = "rx OCRP",
	[SEV_RX_OCCN] = "rx OCCN",
	[SEV_RX_CDN] = "rx CDN",
	[SEV_ANSWERED] = "answered",
	[SEV_KERNEL_OK] = "kernel session ok",
	[SEV_KERNEL_FAIL] = "kernel session failed",
	[SEV_LOCAL_CLOSE] = "close",
};

static const char *const session_kind_names[SESSION_KIND_COUNT] = {
	[SESSION_LAC_IC] = "LAC incoming",
	[SESSION_LNS_IC] = "LNS incoming",
	[SESSION_LAC_OC] = "LAC outgoing",
	[SESSION_LNS_OC] = "LNS outgoing",
};

const char *session_state_name(uint8_t s)
{
	return s < SESSION_STATE_COUNT ? session_state_names[s] : "?";
}

const char *session_kind_name(uint8_t k)
{
	return k < SESSION_KIND_COUNT ? session_kind_names[k] : "?";
}

struct session_ctx {
	struct engine *e;
	struct session *s;
	struct session_event_arg *arg;
};

static bool stop(struct session_ctx *c, uint16_t result, uint16_t error, const char *text)
{
	struct engine_disconnect why = disconnect_of(result, error, text);

	session_stop(c->e, c->s, &why);
	return false;
}

static bool sent(struct session_ctx *c, struct l2tp_msg *m)
{
	if (session_send(c->e, c->s, m) == 0)
		return true;
	return stop(c, L2TP_RC_CDN_GENERAL_ERROR, L2TP_EC_NO_RESOURCES, "cannot send");
}

static void set_blob(struct l2tp_msg *m, uint16_t avp, struct blob *field, const struct blob *value)
{
	if (!value->len)
		return;
	*field = *value;
	msg_set_present(m, avp);
}

static void set_u32(struct l2tp_msg *m, uint16_t avp, uint32_t *field, uint32_t value)
{
	if (!value)
		return;
	*field = value;
	msg_set_present(m, avp);
}

static const struct engine_call_info no_info;

static const struct engine_call_info *info_of(const struct session *s)
{
	return s->call ? s->call : &no_info;
}

/* What a call's first message says about it (ICRQ, OCRQ), kept for the PPP side. */
static void call_info_from(const struct l2tp_msg *m, struct engine_call_info *i)
{
	i->bearer_type = m->bearer_type;
	i->physical_channel_id = m->physical_channel_id;
	i->minimum_bps = m->minimum_bps;
	i->maximum_bps = m->maximum_bps;
	if (msg_has(m, L2TP_AVP_FRAMING_TYPE))
		i->framing_type = m->framing_type;
	i->calling_number = m->calling_number;
	i->called_number = m->called_number;
	i->sub_address = m->sub_address;
}

/* What ICCN or OCCN adds: speeds, framing, sequencing, proxy LCP and authentication. */
static void connect_info_from(const struct l2tp_msg *m, struct engine_call_info *i)
{
	i->framing_type = m->framing_type;
	i->tx_connect_speed = m->tx_connect_speed;
	i->rx_connect_speed = m->rx_connect_speed;
	i->sequencing_required = msg_has(m, L2TP_AVP_SEQUENCING_REQUIRED);
	i->private_group_id = m->private_group_id;
	i->initial_received_lcp_confreq = m->initial_received_lcp_confreq;
	i->last_sent_lcp_confreq = m->last_sent_lcp_confreq;
	i->last_received_lcp_confreq = m->last_received_lcp_confreq;
	/* The codec drops an incomplete set (RFC 2661 §4.4.5), so the type alone tells. */
	i->proxy_authen = msg_has(m, L2TP_AVP_PROXY_AUTHEN_TYPE);
	i->proxy_authen_type = m->proxy_authen_type;
	i->proxy_authen_id = m->proxy_authen_id;
	i->proxy_authen_name = m->proxy_authen_name;
	i->proxy_authen_challenge = m->proxy_authen_challenge;
	i->proxy_authen_response = m->proxy_authen_response;
}

static bool keep(struct session_ctx *c, const struct engine_call_info *i)
{
	if (session_keep_call_info(c->s, i) == 0)
		return true;
	return stop(c, L2TP_RC_CDN_GENERAL_ERROR, L2TP_EC_NO_RESOURCES, "out of memory");
}

static void request_kernel(struct engine *e, struct session *s)
{
	struct engine_action *a;

	if (s->kernel_requested || !s->tunnel->kernel_created)
		return;
	a = engine_push_for(e, ENGINE_KERNEL_SESSION_CREATE, s->tunnel, s);
	if (!a)
		return;
	s->kernel_requested = true;
	/* The LNS decides sequencing; a LAC follows the peer's data (RFC 2661 §5.4). */
	a->kernel_session.lns_mode = s->kind == SESSION_LNS_IC || s->kind == SESSION_LNS_OC;
	a->kernel_session.send_seq = s->send_seq;
	a->kernel_session.recv_seq = s->send_seq;
	a->kernel_session.recv_timeout_ms = e->cfg->recv_timeout_ms;
}

void session_tunnel_kernel_ready(struct engine *e, struct tunnel *t)
{
	for (struct session *s = t->sessions; s; s = s->next)
		if (s->state == SESSION_WAIT_KERNEL)
			request_kernel(e, s);
}

void session_tunnel_up(struct engine *e, struct tunnel *t)
{
	struct session *s, *next;

	for (s = t->sessions; s; s = next) {
		next = s->next;
		if (s->state == SESSION_WAIT_TUNNEL)
			session_event(e, s, SEV_TUNNEL_UP, &(struct session_event_arg){ 0 });
	}
}

/* ---- actions ---- */

static bool keep_placed(void *obj, void *arg)
{
	struct session_ctx *c = obj;

	return keep(c, c->arg->info);
}

static bool send_icrq(void *obj, void *arg)
{
	struct session_ctx *c = obj;
	const struct engine_call_info *i = info_of(c->s);
	struct l2tp_msg m;

	msg_init(&m, L2TP_MSG_ICRQ);
	msg_set_present(&m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m.assigned_session_id = c->s->id;
	msg_set_present(&m, L2TP_AVP_CALL_SERIAL_NUMBER);
	m.call_serial_number = c->s->call_serial;
	set_u32(&m, L2TP_AVP_BEARER_TYPE, &m.bearer_type, i->bearer_type);
	set_u32(&m, L2TP_AVP_PHYSICAL_CHANNEL_ID, &m.physical_channel_id, i->physical_channel_id);
	set_blob(&m, L2TP_AVP_CALLING_NUMBER, &m.calling_number, &i->calling_number);
	set_blob(&m, L2TP_AVP_CALLED_NUMBER, &m.called_number, &i->called_number);
	set_blob(&m, L2TP_AVP_SUB_ADDRESS, &m.sub_address, &i->sub_address);
	return sent(c, &m);
}

/* ICCN or OCCN: how the call was connected, and what PPP already did (proxy LCP/auth). */
static void fill_connected(struct l2tp_msg *m, const struct engine_call_info *i)
{
	msg_set_present(m, L2TP_AVP_FRAMING_TYPE);
	m->framing_type = i->framing_type ? i->framing_type : DEFAULT_FRAMING;
	msg_set_present(m, L2TP_AVP_TX_CONNECT_SPEED);
	m->tx_connect_speed = i->tx_connect_speed ? i->tx_connect_speed : DEFAULT_CONNECT_SPEED;
	set_u32(m, L2TP_AVP_RX_CONNECT_SPEED, &m->rx_connect_speed, i->rx_connect_speed);
	if (i->sequencing_required)
		msg_set_present(m, L2TP_AVP_SEQUENCING_REQUIRED);
	if (m->type != L2TP_MSG_ICCN)
		return;
	set_blob(m, L2TP_AVP_PRIVATE_GROUP_ID, &m->private_group_id, &i->private_group_id);
	set_blob(m, L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ, &m->initial_received_lcp_confreq,
		 &i->initial_received_lcp_confreq);
	set_blob(m, L2TP_AVP_LAST_SENT_LCP_CONFREQ, &m->last_sent_lcp_confreq, &i->last_sent_lcp_confreq);
	set_blob(m, L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ, &m->last_received_lcp_confreq,
		 &i->last_received_lcp_confreq);
	if (!i->proxy_authen)
		return;
	msg_set_present(m, L2TP_AVP_PROXY_AUTHEN_TYPE);
	m->proxy_authen_type = i->proxy_authen_type;
	set_blob(m, L2TP_AVP_PROXY_AUTHEN_NAME, &m->proxy_authen_name, &i->proxy_authen_name);
	set_blob(m, L2TP_AVP_PROXY_AUTHEN_CHALLENGE, &m->proxy_authen_challenge, &i->proxy_authen_challenge);
	set_blob(m, L2TP_AVP_PROXY_AUTHEN_RESPONSE, &m->proxy_authen_response, &i->proxy_authen_response);
	if (i->proxy_authen_type == L2TP_PROXY_AUTHEN_CHAP || i->proxy_authen_type == L2TP_PROXY_AUTHEN_PAP ||
	    i->proxy_authen_type == L2TP_PROXY_AUTHEN_MSCHAPV1) {
		msg_set_present(m, L2TP_AVP_PROXY_AUTHEN_ID);
		m->proxy_authen_id = i->proxy_authen_id;
	}
}

/* A LAC's call is connected: report it and ask the kernel for the session. */
static bool send_connected(struct session_ctx *c, uint16_t type)
{
	const struct engine_call_info *i = info_of(c->s);
	struct l2tp_msg m;

	msg_init(&m, type);
	fill_connected(&m, i);
	c->s->send_seq = i->sequencing_required;
	if (!sent(c, &m))
		return false;
	request_kernel(c->e, c->s);
	return true;
}

static bool lac_rx_icrp(void *obj, void *arg)
{
	struct session_ctx *c = obj;

	c->s->peer_id = c->arg->m->assigned_session_id;
	return send_connected(c, L2TP_MSG_ICCN);
}

static bool lns_rx_icrq(void *obj, void *arg)
{
	struct session_ctx *c = obj;
	const struct l2tp_msg *rx = c->arg->m;
	struct engine_call_info info = { 0 };
	struct l2tp_msg m;

	c->s->peer_id = rx->assigned_session_id;
	call_info_from(rx, &info);
	if (!keep(c, &info))
		return false;
	msg_init(&m, L2TP_MSG_ICRP);
	msg_set_present(&m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m.assigned_session_id = c->s->id;
	return sent(c, &m);
}

/* ICCN at the LNS, OCCN at the LNS: the call is connected; the kernel session comes next. */
static bool lns_rx_connected(void *obj, void *arg)
{
	struct session_ctx *c = obj;
	struct engine_call_info info = *info_of(c->s);

	connect_info_from(c->arg->m, &info);
	if (!keep(c, &info))
		return false;
	c->s->send_seq = info.sequencing_required || c->e->cfg->lns_send_seq;
	request_kernel(c->e, c->s);
	return true;
}

static bool lac_rx_ocrq(void *obj, void *arg)
{
	struct session_ctx *c = obj;
	const struct l2tp_msg *rx = c->arg->m;
	struct engine_call_info info = { 0 };
	struct l2tp_msg m;

	c->s->peer_id = rx->assigned_session_id;
	call_info_from(rx, &info);
	if (!keep(c, &info))
		return false;
	msg_init(&m, L2TP_MSG_OCRP);
	msg_set_present(&m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m.assigned_session_id = c->s->id;
	return sent(c, &m);
}

static bool lac_answered(void *obj, void *arg)
{
	return send_connected(obj, L2TP_MSG_OCCN);
}

static bool send_ocrq(void *obj, void *arg)
{
	struct session_ctx *c = obj;
	const struct engine_call_info *i = info_of(c->s);
	struct l2tp_msg m;

	msg_init(&m, L2TP_MSG_OCRQ);
	msg_set_present(&m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m.assigned_session_id = c->s->id;
	msg_set_present(&m, L2TP_AVP_CALL_SERIAL_NUMBER);
	m.call_serial_number = c->s->call_serial;
	msg_set_present(&m, L2TP_AVP_MINIMUM_BPS);
	m.minimum_bps = i->minimum_bps;
	msg_set_present(&m, L2TP_AVP_MAXIMUM_BPS);
	m.maximum_bps = i->maximum_bps;
	msg_set_present(&m, L2TP_AVP_BEARER_TYPE);
	m.bearer_type = i->bearer_type;
	msg_set_present(&m, L2TP_AVP_FRAMING_TYPE);
	m.framing_type = i->framing_type ? i->framing_type : DEFAULT_FRAMING;
	msg_set_present(&m, L2TP_AVP_CALLED_NUMBER);
	m.called_number = i->called_number;
	set_blob(&m, L2TP_AVP_SUB_ADDRESS, &m.sub_address, &i->sub_address);
	return sent(c, &m);
}

static bool lns_rx_ocrp(void *obj, void *arg)
{
	struct session_ctx *c = obj;

	c->s->peer_id = c->arg->m->assigned_session_id;
	return true;
}

static bool kernel_ok(void *obj, void *arg)
{
	struct session_ctx *c = obj;
	struct session *s = c->s;
	struct engine_action *a;

	s->kernel_created = true;
	c->e->n_sessions_established++;
	a = engine_push_for(c->e, ENGINE_SESSION_UP, s->tunnel, s);
	if (a) {
		a->session_up.lns = s->kind == SESSION_LNS_IC || s->kind == SESSION_LNS_OC;
		a->session_up.direction = s->kind == SESSION_LAC_IC || s->kind == SESSION_LNS_IC
						  ? ENGINE_CALL_INCOMING
						  : ENGINE_CALL_OUTGOING;
		a->session_up.call_serial = s->call_serial;
		/* A copy: the session may be gone before the shell reads its actions. */
		a->session_up.info = engine_copy_call_info(c->e, info_of(s));
		if (!a->session_up.info)
			c->e->out.n--;
	}
	engine_log(c->e, ENGINE_LOG_INFO, s->tunnel, s, "%s call established", session_kind_name(s->kind));
	failover_session_up(c->e, s);
	return true;
}

static bool kernel_fail(void *obj, void *arg)
{
	return stop(obj, L2TP_RC_CDN_GENERAL_ERROR, L2TP_EC_NO_RESOURCES, "kernel refused the session");
}

static bool rx_cdn(void *obj, void *arg)
{
	struct session_ctx *c = obj;
	struct engine_disconnect why = disconnect_from_msg(c->e, c->arg->m);

	session_clear(c->e, c->s, &why, true);
	return false;
}

/* The peer is confused about the call: drop it without a CDN (RFC 2661 §7.4.1, wait-reply). */
static bool clean_up(void *obj, void *arg)
{
	struct session_ctx *c = obj;
	struct engine_disconnect why = disconnect_of(L2TP_RC_CDN_GENERAL_ERROR, 0, "ICCN before ICRP");

	session_clear(c->e, c->s, &why, true);
	return false;
}

static bool local_close(void *obj, void *arg)
{
	struct session_ctx *c = obj;

	session_stop(c->e, c->s, c->arg->why);
	return false;
}

/* clang-format off */
/* Rows every kind shares once a call is connected (RFC 2661 §7.4, §7.5: rx CDN, close). */
#define CONNECTED_ROWS \
	{ SESSION_WAIT_KERNEL, SEV_KERNEL_OK,   kernel_ok,   SESSION_ESTABLISHED }, \
	{ SESSION_WAIT_KERNEL, SEV_KERNEL_FAIL, kernel_fail, SESSION_IDLE }, \
	{ SESSION_WAIT_KERNEL, SEV_RX_CDN,      rx_cdn,      SESSION_IDLE }, \
	{ SESSION_WAIT_KERNEL, SEV_LOCAL_CLOSE, local_close, SESSION_IDLE }, \
	{ SESSION_ESTABLISHED, SEV_RX_CDN,      rx_cdn,      SESSION_IDLE }, \
	{ SESSION_ESTABLISHED, SEV_LOCAL_CLOSE, local_close, SESSION_IDLE }

/* RFC 2661 §7.4.1: LAC incoming call. */
static const struct fsm_row lac_ic_rows[] = {
	{ SESSION_IDLE,        SEV_LOCAL_OPEN,  keep_placed, SESSION_WAIT_TUNNEL },
	{ SESSION_WAIT_TUNNEL, SEV_TUNNEL_UP,   send_icrq,   SESSION_WAIT_REPLY },
	{ SESSION_WAIT_TUNNEL, SEV_LOCAL_CLOSE, local_close, SESSION_IDLE },
	{ SESSION_WAIT_REPLY,  SEV_RX_ICRP,     lac_rx_icrp, SESSION_WAIT_KERNEL },
	{ SESSION_WAIT_REPLY,  SEV_RX_CDN,      rx_cdn,      SESSION_IDLE },
	{ SESSION_WAIT_REPLY,  SEV_LOCAL_CLOSE, local_close, SESSION_IDLE },
	{ SESSION_WAIT_REPLY,  SEV_RX_ICCN,     clean_up,    SESSION_IDLE },
	CONNECTED_ROWS,
};

/* RFC 2661 §7.4.2: LNS incoming call. */
static const struct fsm_row lns_ic_rows[] = {
	{ SESSION_IDLE,         SEV_RX_ICRQ,     lns_rx_icrq,      SESSION_WAIT_CONNECT },
	{ SESSION_WAIT_CONNECT, SEV_RX_ICCN,     lns_rx_connected, SESSION_WAIT_KERNEL },
	{ SESSION_WAIT_CONNECT, SEV_RX_CDN,      rx_cdn,           SESSION_IDLE },
	{ SESSION_WAIT_CONNECT, SEV_LOCAL_CLOSE, local_close,      SESSION_IDLE },
	CONNECTED_ROWS,
};

/* RFC 2661 §7.5.1: LAC outgoing call; nothing to dial, so it is answered at once. */
static const struct fsm_row lac_oc_rows[] = {
	{ SESSION_IDLE,           SEV_RX_OCRQ,     lac_rx_ocrq,  SESSION_WAIT_CS_ANSWER },
	{ SESSION_WAIT_CS_ANSWER, SEV_ANSWERED,    lac_answered, SESSION_WAIT_KERNEL },
	{ SESSION_WAIT_CS_ANSWER, SEV_RX_CDN,      rx_cdn,       SESSION_IDLE },
	{ SESSION_WAIT_CS_ANSWER, SEV_LOCAL_CLOSE, local_close,  SESSION_IDLE },
	CONNECTED_ROWS,
};

/* RFC 2661 §7.5.2: LNS outgoing call. */
static const struct fsm_row lns_oc_rows[] = {
	{ SESSION_IDLE,         SEV_LOCAL_OPEN,  keep_placed,      SESSION_WAIT_TUNNEL },
	{ SESSION_WAIT_TUNNEL,  SEV_TUNNEL_UP,   send_ocrq,        SESSION_WAIT_REPLY },
	{ SESSION_WAIT_TUNNEL,  SEV_LOCAL_CLOSE, local_close,      SESSION_IDLE },
	{ SESSION_WAIT_REPLY,   SEV_RX_OCRP,     lns_rx_ocrp,      SESSION_WAIT_CONNECT },
	{ SESSION_WAIT_REPLY,   SEV_RX_CDN,      rx_cdn,           SESSION_IDLE },
	{ SESSION_WAIT_REPLY,   SEV_LOCAL_CLOSE, local_close,      SESSION_IDLE },
	{ SESSION_WAIT_CONNECT, SEV_RX_OCCN,     lns_rx_connected, SESSION_WAIT_KERNEL },
	{ SESSION_WAIT_CONNECT, SEV_RX_CDN,      rx_cdn,           SESSION_IDLE },
	{ SESSION_WAIT_CONNECT, SEV_LOCAL_CLOSE, local_close,      SESSION_IDLE },
	CONNECTED_ROWS,
};
/* clang-format on */

/*
 * A message out of place clears the call with a CDN (RFC 2661 §7.4, §7.5: e.g. ICRP when
 * established). Local and kernel events out of place change nothing, except a kernel
 * session that arrives for a call that no longer wants it.
 */
static void session_unexpected(void *obj, void *arg, uint8_t state, uint8_t event)
{
	struct session_ctx *c = obj;
	char text[64];

	engine_log(c->e, ENGINE_LOG_WARNING, c->s->tunnel, c->s, "%s in state %s", session_event_names[event],
		   session_state_name(state));
	switch (event) {
	case SEV_LOCAL_OPEN:
	case SEV_TUNNEL_UP:
	case SEV_ANSWERED:
	case SEV_KERNEL_FAIL:
	case SEV_LOCAL_CLOSE:
		return;
	case SEV_KERNEL_OK:
		c->s->kernel_created = true;
		return;
	default:
		snprintf(text, sizeof(text), "%s in state %s", session_event_names[event],
			 session_state_name(state));
		stop(c, L2TP_RC_CDN_GENERAL_ERROR, 0, text);
	}
}

static void session_trace(void *obj, uint8_t from, uint8_t event, uint8_t to)
{
	struct session_ctx *c = obj;

	engine_log(c->e, ENGINE_LOG_DEBUG, c->s->tunnel, c->s, "%s: %s -> %s", session_event_names[event],
		   session_state_name(from), session_state_name(to));
}

#define SESSION_FSM(rows_)                                                                                   \
	{                                                                                                    \
		.rows = rows_, .n_rows = sizeof(rows_) / sizeof(rows_[0]), .unexpected = session_unexpected, \
		.trace = session_trace,                                                                      \
	}

static const struct fsm_def session_fsms[SESSION_KIND_COUNT] = {
	[SESSION_LAC_IC] = SESSION_FSM(lac_ic_rows),
	[SESSION_LNS_IC] = SESSION_FSM(lns_ic_rows),
	[SESSION_LAC_OC] = SESSION_FSM(lac_oc_rows),
	[SESSION_LNS_OC] = SESSION_FSM(lns_oc_rows),
};

/*
 * A call waiting for the peer (its reply or its connect) is bounded like a tunnel's set-up:
 * two retransmission cycles. Its messages were acknowledged, or the tunnel would have failed;
 * a peer that never answers must not hold the call, and its admission slot, for ever.
 */
static void watch_answer(struct engine *e, struct session *s)
{
	bool waiting = s->state == SESSION_WAIT_REPLY || s->state == SESSION_WAIT_CONNECT ||
		       s->state == SESSION_WAIT_CS_ANSWER;

	if (!waiting)
		(void)timer_heap_set(&e->call_timers, &s->timer, TIMER_NONE);
	else if (s->timer.at == TIMER_NONE &&
		 timer_heap_set(&e->call_timers, &s->timer,
				e->now + 2 * xport_full_cycle_ms(&e->cfg->xport)) < 0)
		engine_log(e, ENGINE_LOG_ERR, s->tunnel, s, "out of memory for a timer");
}

void session_event(struct engine *e, struct session *s, enum session_event ev, struct session_event_arg *arg)
{
	struct session_ctx c = { e, s, arg };

	if (s->dead)
		return;
	fsm_dispatch(&session_fsms[s->kind], &s->state, (uint8_t)ev, &c, NULL);
	engine_touch_session(e, s);
	if (!s->dead)
		watch_answer(e, s);
}

void session_timeout(struct engine *e, struct session *s)
{
	struct engine_disconnect why = disconnect_of(L2TP_RC_CDN_TIMEOUT, 0, "not established in time");

	session_stop(e, s, &why);
}
