/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFC 4951 failover protocol, both roles (spec/l2tp-protocol.md §3):
 * - recovering: a restored tunnel whose peer negotiated failover opens a recovery tunnel
 *   (SCCRQ with Tunnel Recovery and Tie Breaker, authenticated with the old secret); the
 *   SCCRP's Suggested Control Sequence resets the old tunnel's Ns/Nr; the recovery tunnel is
 *   closed; an FSQ audit of every session follows (§3.2, §3.3). If the recovery tunnel
 *   cannot be set up, the old tunnel and its sessions are cleared silently (§3.2.1).
 * - waiting: a tunnel whose peer advertised a Recovery Time outlives our retransmissions by
 *   that long (§5.1); a valid recovery SCCRQ is answered with a random Suggested Control
 *   Sequence and the old tunnel reset on SCCCN; FSQs are answered with FSRs.
 * Until the reset, control messages on the old tunnel are dropped; until the audit is done,
 * no new call is taken on it. Both sides recovering at once is settled by the recovery SCCRQs'
 * tie breakers, among recovery tunnels of the same old tunnel only (Appendix B).
 *
 * Data channel: the kernel kept every session's data path and sequence state through the
 * restart, so the recovering side has nothing to reset there (§3.2.3 resets what was lost).
 */
#include <string.h>

#include "engine_int.h"
#include "l2tp/result.h"

/* FSS AVPs per FSQ: 16 octets each, so a query stays well inside one datagram. */
#define AUDIT_FSS_PER_MSG 64

const char *engine_resync_name(enum engine_resync mode)
{
	return mode == ENGINE_RESYNC_SILENT ? "silent-failover"
					    : "failover-protocol-fall-back-to-silent-failover";
}

/* Both sides advertised the Failover Capability on this tunnel (RFC 4951 §3.1). */
static bool negotiated(const struct tunnel *t)
{
	return t->sent_failover_cap && t->peer_failover_flags;
}

/* How this peer's tunnels resynchronise: its own setting, else the global one. */
static enum engine_resync resync_mode(const struct engine *e, const struct tunnel *t)
{
	const struct engine_peer_config *pc = tunnel_peer_config(e, &t->peer);

	if (pc && pc->resync != ENGINE_RESYNC_DEFAULT)
		return pc->resync;
	return e->cfg->resync;
}

bool recovery_by_protocol(const struct engine *e, const struct tunnel *t)
{
	return negotiated(t) && resync_mode(e, t) == ENGINE_RESYNC_PROTOCOL_OR_SILENT &&
	       e->cfg->failover_flags;
}

bool recovery_blocks_calls(const struct tunnel *t)
{
	return t->is_recovery || t->awaiting_reset || t->waiting_recovery || t->recovery_tunnel ||
	       t->audit_pending;
}

void recovery_add_avps(struct engine *e, struct tunnel *t, struct l2tp_msg *m)
{
	const struct tunnel *old = t->recovering;

	if (m->type == L2TP_MSG_SCCRQ && old) {
		/* §5.2: our old ID and the peer's, as the old tunnel knew them. */
		msg_set_present(m, L2TP_AVP_TUNNEL_RECOVERY);
		m->tunnel_recovery.tunnel_id = old->id;
		m->tunnel_recovery.remote_tunnel_id = old->peer_id;
	} else if (m->type == L2TP_MSG_SCCRP) {
		/* §3.2.2, §8: unpredictable, so stale or forged messages do not fit the new window. */
		e->cfg->random(e->cfg->random_arg, &t->scs_ns, sizeof(t->scs_ns));
		e->cfg->random(e->cfg->random_arg, &t->scs_nr, sizeof(t->scs_nr));
		msg_set_present(m, L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE);
		m->suggested_control_sequence.ns = t->scs_ns;
		m->suggested_control_sequence.nr = t->scs_nr;
	}
}

static void link_pair(struct tunnel *old, struct tunnel *r)
{
	r->is_recovery = true;
	r->recovering = old;
	r->secret = old->secret; /* §3.2.1: authenticated with the old tunnel's secret */
	r->hide = old->hide;
	old->recovery_tunnel = r;
	old->awaiting_reset = true;
	old->hello_at = TIMER_NONE;
}

static void unlink_pair(struct tunnel *r)
{
	if (r->recovering)
		r->recovering->recovery_tunnel = NULL;
	r->recovering = NULL;
}

void recovery_begin(struct engine *e, struct tunnel *t)
{
	struct l2tp_addr local = t->local;
	struct tunnel *r;

	/* Another port of ours: the old tunnel's socket carries the kernel's data path. */
	local.port = 0;
	r = tunnel_new(e, &local, &t->peer, false);
	if (!r) {
		struct engine_disconnect why = disconnect_of(
			L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_NO_RESOURCES, "no recovery tunnel available");

		engine_log(e, ENGINE_LOG_ERR, t, NULL, "cannot open a recovery tunnel: cleared");
		tunnel_clear(e, t, &why, false);
		return;
	}
	r->originator = true;
	link_pair(t, r);
	t->recovery = ENGINE_RECOVERY_PROTOCOL_PENDING;
	engine_touch_tunnel(e, t);
	engine_log(e, ENGINE_LOG_INFO, t, NULL, "restored: recovering by RFC 4951 through tunnel %u", r->id);
	tunnel_event(e, r, TEV_LOCAL_OPEN, &(struct tunnel_event_arg){ 0 });
}

/* §3.2.2: flushed windows, the agreed Ns and Nr; §3.3 Step I: calls not established go. */
static void reset(struct engine *e, struct tunnel *t, uint16_t ns, uint16_t nr)
{
	struct engine_disconnect why =
		disconnect_of(L2TP_RC_CDN_GENERAL_ERROR, 0, "not established at the failover");
	struct xport_stats stats = t->xport.stats;
	uint16_t rwin = t->xport.peer_rwin;
	struct session *s, *next;

	xport_destroy(&t->xport);
	xport_init(&t->xport);
	xport_set_peer_window(&t->xport, rwin);
	t->xport.stats = stats;
	t->xport.ns_next = ns;
	t->xport.nr = nr;
	t->awaiting_reset = false;
	t->waiting_recovery = false;
	t->last_rx = e->now;
	t->hello_at = e->cfg->hello_ms ? e->now + e->cfg->hello_ms : TIMER_NONE;
	t->reap_at = TIMER_NONE;
	t->recovery = ENGINE_RECOVERY_PROTOCOL;
	for (s = t->sessions; s; s = next) {
		next = s->next;
		if (s->state != SESSION_ESTABLISHED)
			session_clear(e, s, &why, false);
	}
	tunnel_idle_check(e, t);
	tunnel_reschedule(e, t);
	engine_touch_tunnel(e, t);
	engine_log(e, ENGINE_LOG_NOTICE, t, NULL, "recovered by RFC 4951: Ns %u Nr %u", ns, nr);
}

/* §3.3 Step III: one FSS per session asked about (every one, or those marked stale). */
static void audit(struct engine *e, struct tunnel *t, bool stale_only)
{
	struct l2tp_msg m;
	struct session *s = t->sessions;

	while (s) {
		msg_init(&m, L2TP_MSG_FSQ);
		for (; s && m.n_fss < AUDIT_FSS_PER_MSG; s = s->next) {
			if (s->dead || s->state != SESSION_ESTABLISHED || s->audit_pending ||
			    (stale_only && !s->stale))
				continue;
			m.fss[m.n_fss++] = (struct failover_session_state){ s->id, s->peer_id };
			s->audit_pending = true;
			t->audit_pending++;
		}
		if (!m.n_fss)
			break;
		msg_set_present(&m, L2TP_AVP_FAILOVER_SESSION_STATE);
		if (tunnel_send(e, t, &m) < 0)
			engine_log(e, ENGINE_LOG_ERR, t, NULL, "cannot send a failover session query");
	}
}

void recovery_tunnel_up(struct engine *e, struct tunnel *r, const struct l2tp_msg *m)
{
	struct engine_disconnect done = disconnect_of(L2TP_RC_STOPCCN_CLEAR, 0, "failover recovery complete");
	struct tunnel *t = r->recovering;
	bool ours = r->originator;

	if (!t)
		return;
	unlink_pair(r);
	if (ours) {
		/* §3.2.2: the recovery endpoint takes the suggestion as is (0/0 without one). */
		bool scs = m && msg_has(m, L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE);

		reset(e, t, scs ? m->suggested_control_sequence.ns : 0,
		      scs ? m->suggested_control_sequence.nr : 0);
		tunnel_stop(e, r, &done);
		audit(e, t, false);
	} else {
		/* The remote endpoint mirrors what it suggested; the peer closes the recovery tunnel. */
		reset(e, t, r->scs_nr, r->scs_ns);
		r->idle_ms = (uint32_t)xport_full_cycle_ms(&e->cfg->xport);
		tunnel_idle_check(e, r);
		/* §3.3 Step II: ours too, so that a call only we still have is found (§3.5). */
		audit(e, t, false);
	}
}

void recovery_tunnel_down(struct engine *e, struct tunnel *r)
{
	struct engine_disconnect why =
		disconnect_of(L2TP_RC_STOPCCN_GENERAL_ERROR, 0, "failover recovery failed");
	struct tunnel *t = r->recovering;

	if (!t)
		return;
	unlink_pair(r);
	if (r->originator) {
		/* §3.2.1: without a recovery tunnel the old one and its calls go, silently. */
		engine_log(e, ENGINE_LOG_WARNING, t, NULL,
			   "RFC 4951 recovery failed: cleared without StopCCN");
		tunnel_clear(e, t, &why, false);
	} else {
		/* The peer's attempt failed: the old tunnel goes on as it was (the peer may try again). */
		t->awaiting_reset = false;
		if (!t->waiting_recovery && e->cfg->hello_ms)
			t->hello_at = e->now + e->cfg->hello_ms;
		tunnel_reschedule(e, t);
	}
}

void recovery_abandon(struct engine *e, struct tunnel *t)
{
	struct engine_disconnect why =
		disconnect_of(L2TP_RC_STOPCCN_CLEAR, 0, "the tunnel it recovers is gone");
	struct tunnel *r = t->recovery_tunnel;

	if (!r)
		return;
	unlink_pair(r);
	tunnel_stop(e, r, &why);
}

bool recovery_hold(struct engine *e, struct tunnel *t)
{
	struct engine_disconnect why =
		disconnect_of(L2TP_RC_CDN_LOST_CARRIER, 0, "peer silent: waiting for its recovery");
	struct session *s, *next;

	if (t->state != TUNNEL_ESTABLISHED || t->waiting_recovery || !negotiated(t) ||
	    !(t->peer_failover_flags & L2TP_FAILOVER_CAP_C) || !t->peer_recovery_ms ||
	    !e->cfg->failover_flags)
		return false;
	/*
	 * Calls being set up cannot be recovered (§3.3 Step I): group calls go to another LNS now
	 * (the endpoint did not answer), the others end; established ones wait with the tunnel.
	 */
	failover_tunnel_down(e, t, &why, false);
	for (s = t->sessions; s; s = next) {
		next = s->next;
		if (s->state != SESSION_ESTABLISHED)
			session_clear(e, s, &why, false);
	}
	/* §5.1: the peer asked for this much more time to come back. */
	t->waiting_recovery = true;
	t->reap_at = e->now + t->peer_recovery_ms;
	t->hello_at = TIMER_NONE;
	engine_log(e, ENGINE_LOG_NOTICE, t, NULL, "peer silent: waiting %u ms for it to recover (RFC 4951)",
		   t->peer_recovery_ms);
	return true;
}

void recovery_peer_back(struct engine *e, struct tunnel *t, uint16_t nr)
{
	if (!t->waiting_recovery || !xport_acknowledges(&t->xport, nr))
		return;
	/* §5.1: an acknowledgement stops the wait: the loss was transient, there is no failover. */
	t->waiting_recovery = false;
	t->xport.failed = false;
	t->xport.retries = 0;
	t->reap_at = TIMER_NONE;
	t->hello_at = e->cfg->hello_ms ? e->now + e->cfg->hello_ms : TIMER_NONE;
	tunnel_idle_check(e, t);
	engine_log(e, ENGINE_LOG_NOTICE, t, NULL, "peer answers again: no failover");
}

/* §3.2.1: the old tunnel the SCCRQ names, if it may be recovered; why says why not. */
static struct tunnel *old_tunnel(struct engine *e, const struct l2tp_addr *peer, const struct l2tp_msg *m,
				 const char **why)
{
	struct tunnel *t = tunnel_find(e, m->tunnel_recovery.remote_tunnel_id);

	*why = NULL;
	if (!t || t->is_recovery || t->peer_id != m->tunnel_recovery.tunnel_id ||
	    !l2tp_addr_same_host(&t->peer, peer))
		*why = "no such tunnel to recover";
	else if (t->state != TUNNEL_ESTABLISHED)
		*why = "the tunnel to recover is not established";
	else if (!negotiated(t) || !e->cfg->failover_flags)
		*why = "failover was not negotiated on that tunnel";
	return *why ? NULL : t;
}

/* Appendix B: both ends recover the same tunnel; the lower tie breaker's recovery goes on. */
static bool we_win(const struct tunnel *ours, const struct l2tp_msg *m)
{
	if (!msg_has(m, L2TP_AVP_TIE_BREAKER))
		return true;
	return memcmp(ours->tie_breaker, m->tie_breaker, L2TP_TIE_BREAKER_LEN) <= 0;
}

void recovery_rx_sccrq(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
		       const struct l2tp_msg *m)
{
	struct engine_disconnect lost =
		disconnect_of(L2TP_RC_STOPCCN_CLEAR, 0, "lost the recovery tie breaker");
	const char *why;
	struct tunnel *t = old_tunnel(e, peer, m, &why), *r;

	if (!t) {
		struct engine_disconnect refusal = disconnect_of(L2TP_RC_STOPCCN_GENERAL_ERROR, 0, why);

		tunnel_refuse_stateless(e, local, peer, m->assigned_tunnel_id, m->ns, &refusal);
		return;
	}
	if (t->recovery_tunnel && t->recovery_tunnel->originator) {
		r = t->recovery_tunnel;
		if (we_win(r, m)) {
			engine_log(e, ENGINE_LOG_INFO, t, NULL,
				   "won the recovery tie breaker: peer's SCCRQ dropped");
			return;
		}
		engine_log(e, ENGINE_LOG_INFO, t, NULL, "lost the recovery tie breaker: the peer recovers");
		unlink_pair(r);
		tunnel_clear(e, r, &lost, false);
		tunnel_free(e, r);
	} else if (t->recovery_tunnel) {
		/*
		 * A new attempt of the peer's replaces its earlier one, forgotten at once: one
		 * recovery tunnel per old tunnel, however many SCCRQs come (they skip the limits).
		 */
		struct engine_disconnect replaced =
			disconnect_of(L2TP_RC_STOPCCN_CLEAR, 0, "replaced by a new attempt");

		r = t->recovery_tunnel;
		unlink_pair(r);
		tunnel_clear(e, r, &replaced, false);
		tunnel_free(e, r);
	}
	r = tunnel_new(e, local, peer, false);
	if (!r || tunnel_set_peer_id(e, r, m->assigned_tunnel_id) < 0) {
		struct engine_disconnect refusal = disconnect_of(
			L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_NO_RESOURCES, "no recovery tunnel available");

		if (r)
			tunnel_free(e, r);
		tunnel_refuse_stateless(e, local, peer, m->assigned_tunnel_id, m->ns, &refusal);
		return;
	}
	link_pair(t, r);
	engine_log(e, ENGINE_LOG_NOTICE, t, NULL,
		   "the peer recovers this tunnel by RFC 4951 through tunnel %u", r->id);
	(void)tunnel_account_rx(e, r, m->ns, m->nr, false);
	tunnel_event(e, r, TEV_RX_SCCRQ, &(struct tunnel_event_arg){ .m = m });
	tunnel_end_input(e, r);
}

static void send_fsr(struct engine *e, struct tunnel *t, struct l2tp_msg *m)
{
	if (tunnel_send(e, t, m) < 0)
		engine_log(e, ENGINE_LOG_ERR, t, NULL, "cannot send a failover session response");
	msg_init(m, L2TP_MSG_FSR);
	msg_set_present(m, L2TP_AVP_FAILOVER_SESSION_STATE);
}

void recovery_rx_fsq(struct engine *e, struct tunnel *t, const struct l2tp_msg *q)
{
	struct l2tp_msg m;
	bool stale = false;

	if (!negotiated(t)) {
		engine_log(e, ENGINE_LOG_INFO, t, NULL,
			   "failover session query ignored: no failover negotiated");
		return;
	}
	msg_init(&m, L2TP_MSG_FSR);
	msg_set_present(&m, L2TP_AVP_FAILOVER_SESSION_STATE);
	/* §3.3: answers may be split over several FSRs; ours hold as many FSS as our FSQs. */
	for (uint16_t i = 0; i < q->n_fss; i++) {
		uint16_t theirs = q->fss[i].session_id, ours = q->fss[i].remote_session_id;
		struct session *s = ours ? session_find(e, t->id, ours) : NULL;
		bool paired = s && !s->dead && s->state == SESSION_ESTABLISHED && s->peer_id == theirs;

		/* §3.3: ours if the pair holds, else 0; the Remote Session ID is always what they sent. */
		m.fss[m.n_fss++] = (struct failover_session_state){ paired ? ours : 0, theirs };
		/* Appendix C: paired otherwise here, so stale: asked about ourselves, not cleared yet. */
		if (s && !paired && !s->dead) {
			s->stale = true;
			stale = true;
		}
		if (m.n_fss == AUDIT_FSS_PER_MSG)
			send_fsr(e, t, &m);
	}
	if (m.n_fss)
		send_fsr(e, t, &m);
	if (stale)
		audit(e, t, true);
}

void recovery_rx_fsr(struct engine *e, struct tunnel *t, const struct l2tp_msg *r)
{
	struct engine_disconnect why =
		disconnect_of(L2TP_RC_CDN_GENERAL_ERROR, 0, "unknown to the peer after failover");

	for (uint16_t i = 0; i < r->n_fss; i++) {
		struct session *s = session_find(e, t->id, r->fss[i].remote_session_id);

		if (!s || !s->audit_pending)
			continue;
		s->audit_pending = false;
		s->stale = false;
		t->audit_pending--;
		/* §3.3: 0 means the peer does not have it (so paired): cleared without a CDN. */
		if (!r->fss[i].session_id)
			session_clear(e, s, &why, true);
		else if (r->fss[i].session_id != s->peer_id)
			engine_log(e, ENGINE_LOG_WARNING, t, s,
				   "failover audit: the peer pairs it with session %u", r->fss[i].session_id);
	}
	if (!t->audit_pending)
		engine_log(e, ENGINE_LOG_INFO, t, NULL, "failover session audit done");
}
