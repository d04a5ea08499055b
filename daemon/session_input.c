/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Call messages on an established tunnel: new calls (ICRQ, OCRQ) pass the admission limits
 * or are refused with a CDN; the rest find their session and drive its state machine; WEN
 * and SLI are passed on to the shell (RFC 2661 §6.13, §6.14: never a reason to drop anything).
 */
#include "engine_int.h"
#include "l2tp/result.h"

static void refuse_call(struct engine *e, struct tunnel *t, const struct l2tp_msg *m, uint16_t result,
			uint16_t error, const char *text)
{
	struct engine_disconnect why = disconnect_of(result, error, text);

	session_refuse_stateless(e, t, m->assigned_session_id, &why);
}

static void new_call(struct engine *e, struct tunnel *t, const struct l2tp_msg *m)
{
	const struct engine_config *cfg = e->cfg;
	enum admission_verdict v;
	struct session *s;
	bool incoming = m->type == L2TP_MSG_ICRQ;

	if (!incoming && !cfg->accept_outgoing_calls) {
		refuse_call(e, t, m, L2TP_RC_CDN_NO_FACILITIES_PERMANENT, 0,
			    "outgoing calls are not accepted");
		return;
	}
	if (e->drain) {
		e->stats.sessions_refused++;
		refuse_call(e, t, m, L2TP_RC_CDN_GENERAL_ERROR, L2TP_EC_TRY_ANOTHER, "draining");
		return;
	}
	/* RFC 4951 §3.3: no new call before the session audit is done. */
	if (recovery_blocks_calls(t)) {
		e->stats.sessions_refused++;
		refuse_call(e, t, m, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0, "failover recovery in progress");
		return;
	}
	v = admission_session(&e->admission, &cfg->limits, e->now, t->n_sessions, e->n_sessions);
	if (v != ADMIT) {
		e->stats.sessions_refused++;
		refuse_call(e, t, m, cfg->refuse_session.result, cfg->refuse_session.error,
			    admission_verdict_name(v));
		return;
	}
	s = session_new(e, t, incoming ? SESSION_LNS_IC : SESSION_LAC_OC);
	if (!s) {
		refuse_call(e, t, m, L2TP_RC_CDN_GENERAL_ERROR, L2TP_EC_NO_RESOURCES, "no session available");
		return;
	}
	session_event(e, s, incoming ? SEV_RX_ICRQ : SEV_RX_OCRQ, &(struct session_event_arg){ .m = m });
	/* No line to dial on a BRAS: the outgoing call is answered as soon as it is accepted. */
	if (!incoming)
		session_event(e, s, SEV_ANSWERED, &(struct session_event_arg){ 0 });
}

/* A CDN may come before the peer learnt our ID: then its Assigned Session ID names the call. */
static struct session *cdn_session(const struct engine *e, const struct tunnel *t, const struct l2tp_msg *m)
{
	if (m->type != L2TP_MSG_CDN)
		return NULL;
	for (struct session *s = t->sessions; s; s = s->next)
		if (s->peer_id == m->assigned_session_id)
			return s;
	return NULL;
}

static void pass_on(struct engine *e, struct session *s, const struct l2tp_msg *m)
{
	struct engine_action *a = engine_push_for(e, ENGINE_SESSION_INFO, s->tunnel, s);

	if (!a)
		return;
	a->info.msg_type = m->type;
	if (m->type == L2TP_MSG_WEN) {
		a->info.call_errors[0] = m->call_errors.crc_errors;
		a->info.call_errors[1] = m->call_errors.framing_errors;
		a->info.call_errors[2] = m->call_errors.hardware_overruns;
		a->info.call_errors[3] = m->call_errors.buffer_overruns;
		a->info.call_errors[4] = m->call_errors.timeout_errors;
		a->info.call_errors[5] = m->call_errors.alignment_errors;
	} else {
		a->info.send_accm = m->accm.send;
		a->info.recv_accm = m->accm.recv;
	}
}

static enum session_event event_of(uint16_t type)
{
	switch (type) {
	case L2TP_MSG_ICRP:
		return SEV_RX_ICRP;
	case L2TP_MSG_ICCN:
		return SEV_RX_ICCN;
	case L2TP_MSG_OCRP:
		return SEV_RX_OCRP;
	case L2TP_MSG_OCCN:
		return SEV_RX_OCCN;
	default:
		return SEV_RX_CDN;
	}
}

void session_rx(struct engine *e, struct tunnel *t, const struct l2tp_msg *m)
{
	struct session *s;

	if (m->type == L2TP_MSG_ICRQ || m->type == L2TP_MSG_OCRQ) {
		new_call(e, t, m);
		return;
	}
	s = m->session_id ? session_find(e, t->id, m->session_id) : cdn_session(e, t, m);
	if (!s && (m->type == L2TP_MSG_ICRP || m->type == L2TP_MSG_OCRP)) {
		/* A reply to a request we never made, or for a call now gone: RFC 2661 §7.4.2, §7.5.1. */
		struct engine_disconnect why =
			disconnect_of(L2TP_RC_CDN_GENERAL_ERROR, L2TP_EC_BAD_SESSION_ID, "no such call");

		session_refuse_stateless(e, t, m->assigned_session_id, &why);
		return;
	}
	if (!s) {
		/* Gone already (both sides may clear a call at once): nothing to answer. */
		engine_log(e, ENGINE_LOG_INFO, t, NULL, "message type %u for unknown session %u ignored",
			   m->type, m->session_id);
		return;
	}
	if (m->type == L2TP_MSG_WEN || m->type == L2TP_MSG_SLI) {
		pass_on(e, s, m);
		return;
	}
	session_event(e, s, event_of(m->type), &(struct session_event_arg){ .m = m });
}
