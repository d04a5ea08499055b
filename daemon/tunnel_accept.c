/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An SCCRQ arriving with header Tunnel ID 0: a retransmission of one we already answered,
 * a collision with our own SCCRQ to the same peer (the tie breaker, RFC 2661 §7.2.1), a
 * tunnel over the admission limits (refused at once, without keeping state), or a new tunnel.
 */
#include <string.h>

#include "encode.h"
#include "engine_int.h"
#include "l2tp/result.h"

void tunnel_refuse_stateless(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
			     uint16_t peer_id, uint16_t peer_ns, const struct engine_disconnect *why)
{
	char addr[L2TP_ADDR_STRLEN];
	struct engine_action *a;
	struct l2tp_msg m;
	uint8_t buf[512];
	int len;

	/*
	 * No tunnel is made for the refusal: state per refused SCCRQ would let a flood of them
	 * use memory the limits are there to protect. The peer's retransmitted SCCRQ gets the
	 * same answer, which stands in for our retransmission. The StopCCN needs an Assigned
	 * Tunnel ID; any non-zero one will do since no message will ever be addressed to it.
	 */
	msg_init(&m, L2TP_MSG_STOPCCN);
	m.tunnel_id = peer_id;
	m.ns = 0;
	m.nr = (uint16_t)(peer_ns + 1);
	msg_set_present(&m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	e->cfg->random(e->cfg->random_arg, &m.assigned_tunnel_id, sizeof(m.assigned_tunnel_id));
	m.assigned_tunnel_id |= !m.assigned_tunnel_id;
	msg_set_disconnect(&m, why);
	len = encode_control(&m, NULL, buf, sizeof(buf));
	if (len < 0)
		return;
	a = engine_push_datagram(e, local, peer, buf, (size_t)len);
	if (!a)
		return;
	a->peer_tunnel_id = peer_id;
	e->stats.messages_sent++;
	engine_log(e, ENGINE_LOG_NOTICE, NULL, NULL,
		   "peer %s tunnel %u: SCCRQ refused: result %u error %u: %s", l2tp_addr_str(peer, addr),
		   peer_id, why->result, why->error, why->message ? why->message : "");
}

enum tie { TIE_NONE, TIE_WE_WIN, TIE_WE_LOSE, TIE_BOTH_LOSE };

/* RFC 2661 §7.2.1: the lower value wins; a side that sent none loses to one that did. */
static enum tie break_tie(const struct tunnel *ours, const struct l2tp_msg *theirs)
{
	bool they_sent = msg_has(theirs, L2TP_AVP_TIE_BREAKER);
	int cmp;

	if (!ours->sent_tie_breaker && !they_sent)
		return TIE_NONE;
	if (!they_sent)
		return TIE_WE_WIN;
	if (!ours->sent_tie_breaker)
		return TIE_WE_LOSE;
	cmp = memcmp(ours->tie_breaker, theirs->tie_breaker, L2TP_TIE_BREAKER_LEN);
	return cmp < 0 ? TIE_WE_WIN : cmp > 0 ? TIE_WE_LOSE : TIE_BOTH_LOSE;
}

/*
 * Settles every SCCRQ of ours still waiting for a reply from this host. Returns false if the
 * peer's SCCRQ must be dropped; our losing tunnels are left in losers[] for the caller.
 */
static bool settle_ties(struct engine *e, const struct l2tp_addr *peer, const struct l2tp_msg *m,
			struct tunnel **losers, size_t *n_losers)
{
	struct tunnel *ours[TUNNEL_MAX_TIES];
	size_t n = tunnel_outstanding_sccrqs(e, peer, ours, TUNNEL_MAX_TIES);
	bool answer = true;

	*n_losers = 0;
	for (size_t i = 0; i < n; i++) {
		switch (break_tie(ours[i], m)) {
		case TIE_NONE:
			break; /* neither sent one: two tunnels it is */
		case TIE_WE_WIN:
			engine_log(e, ENGINE_LOG_INFO, ours[i], NULL,
				   "won the tie breaker: peer's SCCRQ dropped");
			answer = false;
			break;
		case TIE_BOTH_LOSE:
			engine_log(e, ENGINE_LOG_NOTICE, ours[i], NULL,
				   "equal tie breakers: both SCCRQs dropped");
			answer = false;
			losers[(*n_losers)++] = ours[i];
			break;
		case TIE_WE_LOSE:
			engine_log(e, ENGINE_LOG_INFO, ours[i], NULL,
				   "lost the tie breaker: answering the peer's SCCRQ");
			losers[(*n_losers)++] = ours[i];
			break;
		}
	}
	e->stats.tie_breaks_lost += (uint32_t)*n_losers;
	return answer;
}

static void refuse(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
		   const struct l2tp_msg *m, uint16_t result, uint16_t error, const char *text)
{
	struct engine_disconnect why = disconnect_of(result, error, text);

	tunnel_refuse_stateless(e, local, peer, m->assigned_tunnel_id, m->ns, &why);
}

/*
 * What learn_peer() (tunnel_fsm.c) would refuse anyway, refused before any tunnel exists: a
 * flood of such SCCRQs must cost no tunnel slot and no StopCCN retransmissions.
 */
static bool refused_before_state(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
				 const struct l2tp_msg *m)
{
	if (m->protocol_version.version != L2TP_PROTOCOL_VERSION) {
		/* Result 5 carries the highest version we support (RFC 2661 §4.4.2). */
		refuse(e, local, peer, m, L2TP_RC_STOPCCN_BAD_VERSION,
		       L2TP_PROTOCOL_VERSION << 8 | L2TP_PROTOCOL_REVISION, "protocol version not supported");
		return true;
	}
	if (msg_has(m, L2TP_AVP_CHALLENGE) && !tunnel_peer_secret(e, peer)) {
		e->stats.auth_failures++;
		refuse(e, local, peer, m, L2TP_RC_STOPCCN_NOT_AUTHORIZED, 0, "not authorized");
		return true;
	}
	return false;
}

/* replacing: our tunnels that lost the tie; the new one takes a slot of theirs. */
static struct tunnel *answer(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
			     const struct l2tp_msg *m, size_t replacing)
{
	const struct engine_config *cfg = e->cfg;
	struct tunnel *t;

	if (!replacing && !cfg->accept_tunnels) {
		refuse(e, local, peer, m, L2TP_RC_STOPCCN_NOT_AUTHORIZED, 0, "not accepting tunnels");
		return NULL;
	}
	if (!replacing && e->drain) {
		e->stats.tunnels_refused++;
		refuse(e, local, peer, m, L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_TRY_ANOTHER, "draining");
		return NULL;
	}
	if (admission_tunnel(&cfg->limits, e->n_tunnels - (uint32_t)replacing) != ADMIT) {
		e->stats.tunnels_refused++;
		refuse(e, local, peer, m, cfg->refuse_tunnel.result, cfg->refuse_tunnel.error,
		       "tunnel limit reached");
		return NULL;
	}
	t = tunnel_new(e, local, peer, false);
	if (!t) {
		refuse(e, local, peer, m, L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_NO_RESOURCES,
		       "no tunnel available");
		return NULL;
	}
	if (tunnel_set_peer_id(e, t, m->assigned_tunnel_id) < 0) {
		tunnel_free(e, t);
		refuse(e, local, peer, m, L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_NO_RESOURCES,
		       "out of memory");
		return NULL;
	}
	return t;
}

void tunnel_rx_sccrq(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
		     const struct l2tp_msg *m)
{
	struct tunnel_event_arg arg = { .m = m };
	struct tunnel *t, *losers[TUNNEL_MAX_TIES];
	size_t n_losers;
	bool answering;

	/* Our SCCRP was lost and the peer sent the SCCRQ again: the transport re-acks it. */
	t = tunnel_find_by_peer(e, peer, m->assigned_tunnel_id);
	if (t) {
		(void)tunnel_account_rx(e, t, m->ns, m->nr, false);
		tunnel_end_input(e, t);
		return;
	}
	if (m->ns != 0) {
		engine_log(e, ENGINE_LOG_INFO, NULL, NULL,
			   "SCCRQ with Ns %u dropped: a first message has Ns 0", m->ns);
		e->stats.datagrams_discarded++;
		return;
	}
	if (refused_before_state(e, local, peer, m))
		return;
	if (msg_has(m, L2TP_AVP_TUNNEL_RECOVERY)) {
		recovery_rx_sccrq(e, local, peer, m);
		return;
	}
	answering = settle_ties(e, peer, m, losers, &n_losers);
	t = answering ? answer(e, local, peer, m, n_losers) : NULL;
	/* Calls that waited for our losing tunnel ride on the peer's instead. */
	for (size_t i = 0; i < n_losers; i++) {
		struct engine_disconnect lost =
			disconnect_of(L2TP_RC_STOPCCN_CLEAR, 0, "lost the tie breaker");

		if (t)
			session_rehome(e, losers[i], t);
		tunnel_clear(e, losers[i], &lost, false);
		tunnel_free(e, losers[i]);
	}
	if (!t)
		return;
	(void)tunnel_account_rx(e, t, m->ns, m->nr, false);
	tunnel_event(e, t, TEV_RX_SCCRQ, &arg);
	tunnel_end_input(e, t);
}
