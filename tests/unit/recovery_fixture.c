/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RFC 4951 failover tests' fixture (recovery_fixture.h): an engine that accepts a tunnel
 * and calls from a scripted peer, keeps its durable records as a shell would, and the peer's
 * side of a recovery; what the engine sent, decoded and checked.
 */
#include "recovery_fixture.h"

#include <string.h>

#include <check.h>

#include "auth.h"
#include "decode.h"

#define PEER_REC_PORT 1702 /* where a recovering peer sends from */

const uint16_t rf_peer_sids[2] = { 0x0101, 0x0202 };
const uint8_t rf_tb_low[L2TP_TIE_BREAKER_LEN] = { 0 };
const uint8_t rf_peer_challenge[16] = "peer challenge!";

struct rf_datagram rf_sent[RF_SENT_MAX];

/* ---------------------------------------------------------------- fixture ---- */

void rf_new(struct rf_fixture *f, uint64_t seed)
{
	memset(f, 0, sizeof(*f));
	f->p = probe_new(seed);
}

void rf_free(struct rf_fixture *f)
{
	probe_free(f->p);
}

void rf_talk_on(struct rf_fixture *f, struct probe_peer_state *st)
{
	if (f->on)
		probe_save(f->p, f->on);
	probe_restore(f->p, st);
	f->on = st;
}

void rf_keep(struct rf_fixture *f)
{
	const struct engine_action *a;
	size_t n;

	if (!f->keeping)
		return;
	a = engine_actions(f->p->e, &n);
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		if (a[i].type != ENGINE_STATE_PUT && a[i].type != ENGINE_STATE_DROP)
			continue;
		while (k < f->n_kept && f->kept[k].key != a[i].state.key)
			k++;
		if (a[i].type == ENGINE_STATE_DROP) {
			if (k < f->n_kept)
				f->kept[k] = f->kept[--f->n_kept];
			continue;
		}
		ck_assert_uint_lt(k, RF_KEPT_MAX);
		ck_assert_uint_le(a[i].state.len, ENGINE_STATE_RECORD_MAX);
		f->n_kept += k == f->n_kept;
		f->kept[k].key = a[i].state.key;
		f->kept[k].len = a[i].state.len;
		memcpy(f->kept[k].buf, a[i].state.buf, a[i].state.len);
	}
}

/* An incoming call from the peer up to SESSION_UP (probe_lns_call(), records kept). */
static uint16_t fx_call(struct rf_fixture *f, uint16_t peer_sid)
{
	struct probe *p = f->p;
	struct l2tp_msg m;
	uint16_t sid;

	probe_icrq(p, &m, peer_sid);
	probe_send(p, &m);
	rf_keep(f);
	sid = probe_expect(p, L2TP_MSG_ICRP)->assigned_session_id;
	probe_iccn(p, &m, sid);
	probe_send(p, &m);
	rf_keep(f);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	rf_keep(f);
	probe_one(p, ENGINE_SESSION_UP);
	return sid;
}

void rf_establish(struct rf_fixture *f, uint16_t flags, uint32_t ms, int n)
{
	struct probe *p = f->p;
	const struct l2tp_msg *r;
	uint8_t challenge[16];
	struct l2tp_msg m;

	probe_start(p);
	probe_sccrq(p, &m);
	if (flags) {
		msg_set_present(&m, L2TP_AVP_FAILOVER_CAPABILITY);
		m.failover_capability.flags = flags;
		m.failover_capability.recovery_time_ms = ms;
	}
	if (p->secret) {
		msg_set_present(&m, L2TP_AVP_CHALLENGE);
		m.challenge = (struct blob){ rf_peer_challenge, sizeof(rf_peer_challenge) };
	}
	r = probe_answered(p, &m);
	rf_keep(f);
	ck_assert_int_eq(msg_has(r, L2TP_AVP_CHALLENGE), p->secret != NULL);
	if (p->secret) {
		ck_assert_uint_eq(r->challenge.len, sizeof(challenge));
		memcpy(challenge, r->challenge.ptr, sizeof(challenge));
	}
	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	if (p->secret) {
		struct blob secret = blob_from_str(p->secret), ours = { challenge, sizeof(challenge) };

		msg_set_present(&m, L2TP_AVP_CHALLENGE_RESPONSE);
		auth_challenge_response(L2TP_MSG_SCCCN, &secret, &ours, m.challenge_response);
	}
	probe_send(p, &m);
	rf_keep(f);
	probe_one(p, ENGINE_TUNNEL_UP);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	rf_keep(f);
	f->tid = p->tid;
	for (int i = 0; i < n; i++)
		f->sid[i] = fx_call(f, rf_peer_sids[i]);
	/* Acknowledges all: the last tunnel record has the Ns and Nr the peer knows. */
	probe_hello(p);
	probe_expect(p, PROBE_ZLB);
	rf_keep(f);
	probe_save(p, &f->old);
	f->on = &f->old;
}

/* ---------------------------------------------------------------- what was sent ---- */

size_t rf_sends(const struct probe *p)
{
	const struct engine_action *a;
	struct blob secret = p->secret ? blob_from_str(p->secret) : (struct blob){ 0 };
	struct proto_error err;
	size_t n, k = 0;

	a = engine_actions(p->e, &n);
	for (size_t i = 0; i < n; i++) {
		if (a[i].type != ENGINE_SEND)
			continue;
		ck_assert_uint_lt(k, RF_SENT_MAX);
		ck_assert_uint_le(a[i].send.len, PROBE_BUF);
		memcpy(rf_sent[k].buf, a[i].send.buf, a[i].send.len);
		rf_sent[k].a = &a[i];
		if (decode_control(rf_sent[k].buf, a[i].send.len, p->secret ? &secret : NULL, &rf_sent[k].m,
				   &err) < 0)
			ck_abort_msg("the engine sent a message that does not decode: %s", err.text);
		k++;
	}
	return k;
}

bool rf_is(const struct l2tp_msg *m, uint16_t peer_tid, uint16_t type)
{
	return m->tunnel_id == peer_tid && (type == PROBE_ZLB ? m->zlb : !m->zlb && m->type == type);
}

size_t rf_sent_count(const struct probe *p, uint16_t peer_tid, uint16_t type)
{
	size_t n = rf_sends(p), k = 0;

	for (size_t i = 0; i < n; i++)
		k += rf_is(&rf_sent[i].m, peer_tid, type);
	return k;
}

const struct l2tp_msg *rf_sent_one(const struct probe *p, uint16_t peer_tid, uint16_t type)
{
	size_t n = rf_sends(p);
	const struct l2tp_msg *found = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!rf_is(&rf_sent[i].m, peer_tid, type))
			continue;
		if (found)
			ck_abort_msg("two messages of type %u to tunnel %u", type, peer_tid);
		found = &rf_sent[i].m;
	}
	if (!found)
		ck_abort_msg("no message of type %u to tunnel %u (%zu sent)", type, peer_tid, n);
	return found;
}

bool rf_has_fss(const struct l2tp_msg *m, uint16_t sid, uint16_t remote)
{
	for (uint16_t i = 0; i < m->n_fss; i++)
		if (m->fss[i].session_id == sid && m->fss[i].remote_session_id == remote)
			return true;
	return false;
}

void rf_add_fss(struct l2tp_msg *m, uint16_t sid, uint16_t remote)
{
	msg_set_present(m, L2TP_AVP_FAILOVER_SESSION_STATE);
	m->fss[m->n_fss++] = (struct failover_session_state){ sid, remote };
}

struct engine_tunnel_view rf_view(const struct probe *p, uint16_t tid)
{
	struct engine_tunnel_view v;

	ck_assert_int_eq(engine_tunnel_view(p->e, tid, &v), 0);
	return v;
}

void rf_no_harm(const struct probe *p)
{
	static const enum engine_action_type never[] = { ENGINE_TUNNEL_UP,
							 ENGINE_TUNNEL_DOWN,
							 ENGINE_SESSION_DOWN,
							 ENGINE_KERNEL_TUNNEL_CREATE,
							 ENGINE_KERNEL_TUNNEL_DELETE,
							 ENGINE_KERNEL_SESSION_CREATE,
							 ENGINE_KERNEL_SESSION_DELETE };
	size_t n;

	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		ck_assert_msg(probe_count(p, never[i]) == 0, "action %d during a recovery", never[i]);
	n = rf_sends(p);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(!rf_is(&rf_sent[i].m, PROBE_PEER_TID, L2TP_MSG_STOPCCN) &&
				      !rf_is(&rf_sent[i].m, PROBE_PEER_TID, L2TP_MSG_CDN),
			      "the old tunnel torn down over the wire");
}

bool rf_persisted(const struct probe *p, uint16_t tid)
{
	const struct engine_action *a;

	for (size_t i = 0; (a = probe_action(p, ENGINE_STATE_PUT, i)); i++)
		if (a->state.key == ENGINE_STATE_KEY(ENGINE_STATE_TUNNEL, tid))
			return true;
	return false;
}

void rf_not_persisted(const struct probe *p, uint16_t tid, const char *when)
{
	ck_assert_msg(!rf_persisted(p, tid), "STATE_PUT of the recovery tunnel %u on %s", tid, when);
}

/* ---------------------------------------------------------------- the peer recovers ---- */

struct l2tp_addr rf_other_port(const struct rf_fixture *f)
{
	struct l2tp_addr a = f->old.peer;

	a.port = PEER_REC_PORT;
	return a;
}

void rf_recovery_msg(struct rf_fixture *f, struct l2tp_msg *m, const struct l2tp_addr *from,
		     uint16_t peer_rec, uint16_t peer_old, uint16_t our_old, const uint8_t *tb)
{
	rf_talk_on(f, &f->old);
	f->rec = (struct probe_peer_state){ .peer = *from, .peer_tid = peer_rec };
	rf_talk_on(f, &f->rec);
	probe_sccrq(f->p, m);
	msg_set_present(m, L2TP_AVP_TUNNEL_RECOVERY);
	m->tunnel_recovery.tunnel_id = peer_old;
	m->tunnel_recovery.remote_tunnel_id = our_old;
	msg_set_present(m, L2TP_AVP_TIE_BREAKER);
	memcpy(m->tie_breaker, tb, L2TP_TIE_BREAKER_LEN);
}

void rf_recovery_sccrq_as(struct rf_fixture *f, const struct l2tp_addr *from, uint16_t peer_rec,
			  uint16_t peer_old, uint16_t our_old, const uint8_t *tb)
{
	struct l2tp_msg m;

	rf_recovery_msg(f, &m, from, peer_rec, peer_old, our_old, tb);
	probe_send(f->p, &m);
}

void rf_recovery_sccrq(struct rf_fixture *f, const struct l2tp_addr *from, uint16_t peer_old,
		       uint16_t our_old, const uint8_t *tb)
{
	rf_recovery_sccrq_as(f, from, RF_PEER_REC_TID, peer_old, our_old, tb);
}

void rf_recovery_answered(struct rf_fixture *f)
{
	struct probe *p = f->p;
	const struct l2tp_msg *r = probe_expect(p, L2TP_MSG_SCCRP);

	ck_assert(msg_has(r, L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE));
	ck_assert(!msg_has(r, L2TP_AVP_FAILOVER_CAPABILITY));
	ck_assert(!msg_has(r, L2TP_AVP_TUNNEL_RECOVERY));
	ck_assert_uint_ne(r->assigned_tunnel_id, 0);
	ck_assert_uint_ne(r->assigned_tunnel_id, f->tid);
	f->rec_tid = p->tid = r->assigned_tunnel_id;
	f->scs_ns = r->suggested_control_sequence.ns;
	f->scs_nr = r->suggested_control_sequence.nr;
	probe_expect_no_send(p);
	rf_no_harm(p);
}

const struct l2tp_msg *rf_recovery_connected(struct rf_fixture *f, int n)
{
	struct probe *p = f->p;
	const struct l2tp_msg *q;
	struct l2tp_msg m;

	rf_talk_on(f, &f->rec);
	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	probe_send(p, &m);
	ck_assert_uint_eq(rf_sent_one(p, RF_PEER_REC_TID, PROBE_ZLB)->nr, 2);
	q = rf_sent_one(p, PROBE_PEER_TID, L2TP_MSG_FSQ);
	ck_assert_uint_eq(rf_sends(p), 2);
	ck_assert(!q->type_mandatory); /* RFC 4951 §4: M bit 0 */
	ck_assert_uint_eq(q->ns, f->scs_nr);
	ck_assert_uint_eq(q->nr, f->scs_ns);
	ck_assert_uint_eq(q->n_fss, n);
	for (int i = 0; i < n; i++)
		ck_assert(rf_has_fss(q, f->sid[i], rf_peer_sids[i]));
	/* The peer resets too (§3.2.2) and has seen the FSQ. */
	rf_talk_on(f, &f->old);
	p->ns = f->scs_ns;
	p->nr = (uint16_t)(f->scs_nr + 1);
	return q;
}

/* ---------------------------------------------------------------- retransmissions ---- */

uint64_t rf_exhaust(struct probe *p)
{
	for (int i = 0; i < 16; i++) {
		uint64_t at = engine_next_deadline(p->e);

		ck_assert_uint_ne(at, UINT64_MAX);
		probe_tick(p, at);
		if (!probe_count(p, ENGINE_SEND))
			return at;
	}
	ck_abort_msg("the retransmissions never ran out");
	return 0;
}
