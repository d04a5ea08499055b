/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFC 4951 failover (daemon/recovery.c), the recovering side (spec/l2tp-protocol.md §3): the
 * engine restarts from its durable records and recovers its tunnels through a recovery tunnel
 * (§3.2), resetting the control channel and auditing its calls, or fails to (refused,
 * unanswered) and clears them silently; both ends recovering at once (Appendix B); and the
 * silent resynchronisation used instead when the protocol is not. The peer is scripted by
 * recovery_fixture.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp/result.h"
#include "recovery_fixture.h"
#include "suites.h"

static const uint8_t tb_high[L2TP_TIE_BREAKER_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static int by_key(const void *a, const void *b)
{
	uint64_t x = ((const struct rf_record *)a)->key, y = ((const struct rf_record *)b)->key;

	return x < y ? -1 : x > y;
}

/* A new engine for fx_restart(), keeping its state; its configuration may be adjusted. */
static struct probe *fx_engine(uint64_t seed)
{
	struct probe *q = probe_new(seed);

	q->cfg.persist_state = true;
	return q;
}

/*
 * The engine restarts as q: the records f kept are restored (in key order, as the shell
 * does), then resumed a second later; the last event is the resume's. The peer goes on as
 * before on the old tunnel.
 */
static void fx_restart(struct rf_fixture *f, struct probe *q)
{
	q->now = f->p->now + 1000;
	probe_start(q);
	qsort(f->kept, f->n_kept, sizeof(f->kept[0]), by_key);
	for (size_t i = 0; i < f->n_kept; i++)
		ck_assert_int_eq(engine_restore(q->e, q->now, f->kept[i].key, f->kept[i].buf, f->kept[i].len),
				 0);
	rf_talk_on(f, &f->old);
	q->secret = f->p->secret;
	probe_free(f->p);
	f->p = q;
	probe_restore(q, &f->old);
	probe_begin(q);
	engine_resume(q->e, q->now);
	rf_keep(f);
}

/* An engine keeping its state, a tunnel with n calls whose peer advertised flags, restarted as q. */
static void fx_restarted(struct rf_fixture *f, uint64_t seed, uint16_t flags, int n, struct probe *q)
{
	rf_new(f, seed);
	f->keeping = true;
	f->p->cfg.persist_state = true;
	rf_establish(f, flags, RF_RECOVERY_MS, n);
	ck_assert_uint_eq(f->n_kept, 1 + (size_t)n);
	fx_restart(f, q);
}

/* The restarted engine's recovery SCCRQ (§3.2.1), from another port of ours. */
static void our_recovery_sccrq(struct rf_fixture *f)
{
	struct probe *p = f->p;
	const struct engine_action *a;
	const struct l2tp_msg *m;

	ck_assert_uint_eq(rf_sends(p), 1);
	a = rf_sent[0].a;
	m = &rf_sent[0].m;
	ck_assert_uint_eq(m->type, L2TP_MSG_SCCRQ);
	ck_assert_uint_eq(m->tunnel_id, 0);
	ck_assert_uint_eq(m->ns, 0);
	ck_assert_uint_eq(m->nr, 0);
	ck_assert(msg_has(m, L2TP_AVP_TUNNEL_RECOVERY));
	ck_assert_uint_eq(m->tunnel_recovery.tunnel_id, f->tid);
	ck_assert_uint_eq(m->tunnel_recovery.remote_tunnel_id, PROBE_PEER_TID);
	ck_assert(msg_has(m, L2TP_AVP_TIE_BREAKER));
	ck_assert(!msg_has(m, L2TP_AVP_FAILOVER_CAPABILITY));
	ck_assert_uint_ne(m->assigned_tunnel_id, 0);
	ck_assert_uint_ne(m->assigned_tunnel_id, f->tid);
	/* Port 0: the shell picks another, the old one carries the kernel's data path. */
	ck_assert_uint_eq(a->send.local.port, 0);
	ck_assert(l2tp_addr_same_host(&a->send.local, &p->local));
	ck_assert(l2tp_addr_equal(&a->send.peer, &p->peer));
	ck_assert_uint_eq(a->tunnel_id, m->assigned_tunnel_id);
	f->rec_tid = m->assigned_tunnel_id;
	f->rec = (struct probe_peer_state){
		.peer = f->old.peer, .tid = f->rec_tid, .peer_tid = RF_PEER_REC_TID, .nr = 1
	};
	rf_no_harm(p);
	rf_not_persisted(p, f->rec_tid, "resume");
	ck_assert_int_eq(rf_view(p, f->tid).recovery, ENGINE_RECOVERY_PROTOCOL_PENDING);
}

/* The peer accepts our recovery (with a Suggested Control Sequence if scs): SCCCN, StopCCN, FSQ. */
static const struct l2tp_msg *peer_accepts(struct rf_fixture *f, bool scs, uint16_t ns, uint16_t nr)
{
	struct probe *p = f->p;
	const struct l2tp_msg *q, *r;
	struct l2tp_msg m;

	rf_talk_on(f, &f->rec);
	probe_sccrp(p, &m);
	if (scs) {
		msg_set_present(&m, L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE);
		m.suggested_control_sequence.ns = ns;
		m.suggested_control_sequence.nr = nr;
	}
	probe_send(p, &m);
	rf_keep(f);
	ck_assert_uint_eq(rf_sends(p), 3);
	r = rf_sent_one(p, RF_PEER_REC_TID, L2TP_MSG_SCCCN);
	ck_assert_uint_eq(r->ns, 1);
	r = rf_sent_one(p, RF_PEER_REC_TID, L2TP_MSG_STOPCCN);
	probe_check_result(r, L2TP_RC_STOPCCN_CLEAR, 0);
	ck_assert_uint_eq(r->assigned_tunnel_id, f->rec_tid);
	q = rf_sent_one(p, PROBE_PEER_TID, L2TP_MSG_FSQ);
	ck_assert_uint_eq(q->ns, scs ? ns : 0);
	ck_assert_uint_eq(q->nr, scs ? nr : 0);
	rf_no_harm(p);
	rf_not_persisted(p, f->rec_tid, "SCCRP");
	rf_talk_on(f, &f->old);
	p->ns = scs ? nr : 0;
	p->nr = (uint16_t)((scs ? ns : 0) + 1);
	return q;
}

START_TEST(test_recovering_resets_and_audits)
{
	const struct l2tp_msg *q;
	struct engine_tunnel_view v;
	struct probe *p;
	struct l2tp_msg m;
	struct rf_fixture f;
	uint16_t sid;

	fx_restarted(&f, 90, RF_CD, 2, fx_engine(91));
	p = f.p;
	our_recovery_sccrq(&f);
	q = peer_accepts(&f, true, 3, 100); /* RFC 4951 Appendix A's numbers */
	ck_assert_uint_eq(q->n_fss, 2);
	ck_assert(rf_has_fss(q, f.sid[0], rf_peer_sids[0]));
	ck_assert(rf_has_fss(q, f.sid[1], rf_peer_sids[1]));
	v = rf_view(p, f.tid);
	ck_assert_int_eq(v.recovery, ENGINE_RECOVERY_PROTOCOL);
	ck_assert_uint_eq(v.ns, 4);
	ck_assert_uint_eq(v.nr, 100);
	ck_assert_uint_eq(v.sessions, 2);
	ck_assert(rf_persisted(p, f.tid)); /* with the new Ns and Nr */

	/* No call of ours either until the peer answered (§3.3). */
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_OUTGOING, NULL, &sid), -EBUSY);
	probe_msg(p, &m, L2TP_MSG_FSR, 0);
	rf_add_fss(&m, rf_peer_sids[0], f.sid[0]);
	rf_add_fss(&m, rf_peer_sids[1], f.sid[1]);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->nr, 101);
	probe_expect_no_send(p);
	rf_no_harm(p);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_OUTGOING, NULL, &sid), 0);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_OCRQ)->ns, 4);
	rf_free(&f);
}
END_TEST

START_TEST(test_recovering_without_suggestion)
{
	struct rf_fixture f;

	fx_restarted(&f, 92, RF_CD, 1, fx_engine(93));
	our_recovery_sccrq(&f);
	peer_accepts(&f, false, 0, 0);
	ck_assert_uint_eq(rf_view(f.p, f.tid).nr, 0);
	ck_assert_uint_eq(rf_view(f.p, f.tid).ns, 1);
	/* The peer's HELLO from Ns 0 is taken. */
	probe_hello(f.p);
	probe_expect(f.p, PROBE_ZLB);
	ck_assert_uint_eq(rf_view(f.p, f.tid).nr, 1);
	rf_free(&f);
}
END_TEST

/* §3.2.1: the peer refuses, or never answers: the old tunnel and its calls go without a word. */
static void cleared_silently(const struct rf_fixture *f)
{
	const struct probe *p = f->p;

	ck_assert_uint_eq(probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_GENERAL_ERROR, false)->tunnel_id,
			  f->tid);
	ck_assert_uint_eq(probe_count(p, ENGINE_SESSION_DOWN), 2);
	ck_assert_uint_eq(probe_count(p, ENGINE_KERNEL_SESSION_DELETE), 2);
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_TUNNEL_DELETE)->tunnel_id, f->tid);
	ck_assert_uint_eq(rf_sent_count(p, PROBE_PEER_TID, L2TP_MSG_STOPCCN), 0);
	ck_assert_uint_eq(rf_sent_count(p, PROBE_PEER_TID, L2TP_MSG_CDN), 0);
}

START_TEST(test_recovering_refused)
{
	struct l2tp_msg m;
	struct rf_fixture f;

	fx_restarted(&f, 94, RF_CD, 2, fx_engine(95));
	our_recovery_sccrq(&f);
	rf_talk_on(&f, &f.rec);
	probe_stopccn(f.p, &m, L2TP_RC_STOPCCN_GENERAL_ERROR, 0);
	probe_send(f.p, &m);
	cleared_silently(&f);
	rf_sent_one(f.p, RF_PEER_REC_TID, PROBE_ZLB);
	ck_assert_uint_eq(rf_sends(f.p), 1);
	ck_assert(rf_view(f.p, f.tid).closing);
	rf_free(&f);
}
END_TEST

START_TEST(test_recovering_unanswered)
{
	struct rf_fixture f;
	uint64_t start, at;

	fx_restarted(&f, 96, RF_CD, 2, fx_engine(97));
	our_recovery_sccrq(&f);
	start = f.p->now;
	at = rf_exhaust(f.p);
	ck_assert_uint_eq(at, start + RF_FULL_CYCLE);
	cleared_silently(&f);
	rf_free(&f);
}
END_TEST

/* Appendix B: both ends recover the same tunnel; the lower tie breaker's recovery goes on. */
START_TEST(test_recovering_both_ends)
{
	for (int we_win = 0; we_win < 2; we_win++) {
		uint8_t ours[L2TP_TIE_BREAKER_LEN];
		struct l2tp_addr from;
		struct probe *p;
		struct rf_fixture f;

		fx_restarted(&f, 98 + (uint64_t)we_win, RF_CD, 1, fx_engine(100 + (uint64_t)we_win));
		p = f.p;
		our_recovery_sccrq(&f);
		memcpy(ours, rf_sent[0].m.tie_breaker, sizeof(ours));
		ck_assert(memcmp(ours, rf_tb_low, sizeof(ours)) > 0 &&
			  memcmp(ours, tb_high, sizeof(ours)) < 0);
		from = rf_other_port(&f);
		rf_recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, we_win ? tb_high : rf_tb_low);
		if (we_win) {
			/* Theirs is dropped unanswered; ours waits for its SCCRP. */
			ck_assert_uint_eq(rf_sends(p), 0);
			ck_assert_str_eq(rf_view(p, f.rec_tid).state, "wait-ctl-reply");
			ck_assert_int_eq(rf_view(p, f.tid).recovery, ENGINE_RECOVERY_PROTOCOL_PENDING);
			rf_no_harm(p);
		} else {
			/* Ours goes silently; we answer as the remote endpoint (SCCRP with a suggestion). */
			ck_assert_uint_eq(probe_one(p, ENGINE_TUNNEL_RELEASED)->tunnel_id, f.rec_tid);
			ck_assert_int_eq(
				engine_tunnel_view(p->e, f.rec_tid, &(struct engine_tunnel_view){ 0 }),
				-ENOENT);
			f.rec_tid = 0;
			rf_recovery_answered(&f);
			rf_recovery_connected(&f, 1);
			rf_no_harm(p);
			ck_assert_int_eq(rf_view(p, f.tid).recovery, ENGINE_RECOVERY_PROTOCOL);
		}
		rf_free(&f);
	}
}
END_TEST

/* Resumed without the protocol: a HELLO probe learns Ns and Nr (silent failover). */
static void expect_silent(struct rf_fixture *f, uint16_t ns_before)
{
	struct probe *p = f->p;
	const struct l2tp_msg *h;

	h = rf_sent_one(p, PROBE_PEER_TID, L2TP_MSG_HELLO);
	ck_assert_uint_eq(rf_sends(p), 1);
	ck_assert_uint_eq(h->ns, (uint16_t)(ns_before - 1));
	ck_assert_uint_eq(rf_sent[0].a->send.local.port, p->local.port);
	ck_assert_int_eq(rf_view(p, f->tid).recovery, ENGINE_RECOVERY_RESYNCING);
	probe_zlb(p);
	ck_assert_int_eq(rf_view(p, f->tid).recovery, ENGINE_RECOVERY_SILENT);
	ck_assert_uint_eq(rf_view(p, f->tid).ns, ns_before);
	ck_assert_uint_eq(probe_stats(p).tunnels, 1);
}

START_TEST(test_resume_silent_fallback)
{
	enum { NOT_ADVERTISED, SILENT_MODE, PEER_SILENT, NOT_OFFERED_NOW, CASES };

	for (int c = 0; c < CASES; c++) {
		struct probe *q = fx_engine(110 + (uint64_t)c);
		struct rf_fixture f;

		if (c == SILENT_MODE)
			q->cfg.resync = ENGINE_RESYNC_SILENT;
		if (c == NOT_OFFERED_NOW)
			q->cfg.failover_flags = 0;
		if (c == PEER_SILENT) {
			q->peer_cfg.addr = q->peer;
			q->peer_cfg.resync = ENGINE_RESYNC_SILENT;
			q->cfg.peers = &q->peer_cfg;
			q->cfg.n_peers = 1;
		}
		fx_restarted(&f, 120 + (uint64_t)c, c == NOT_ADVERTISED ? 0 : RF_CD, 1, q);
		expect_silent(&f, f.old.nr);
		rf_free(&f);
	}
}
END_TEST

/* A peer's own setting wins over the global one: the protocol for it even when silent elsewhere. */
START_TEST(test_resume_peer_protocol)
{
	struct probe *q = fx_engine(130);
	struct rf_fixture f;

	q->cfg.resync = ENGINE_RESYNC_SILENT;
	q->peer_cfg.addr = q->peer;
	q->peer_cfg.resync = ENGINE_RESYNC_PROTOCOL_OR_SILENT;
	q->cfg.peers = &q->peer_cfg;
	q->cfg.n_peers = 1;
	fx_restarted(&f, 131, RF_CD, 1, q);
	our_recovery_sccrq(&f);
	rf_free(&f);
}
END_TEST

Suite *suite_recovery(void)
{
	Suite *s = suite_create("recovery");
	TCase *recovering = tcase_create("recovering");

	tcase_add_test(recovering, test_recovering_resets_and_audits);
	tcase_add_test(recovering, test_recovering_without_suggestion);
	tcase_add_test(recovering, test_recovering_refused);
	tcase_add_test(recovering, test_recovering_unanswered);
	tcase_add_test(recovering, test_recovering_both_ends);
	tcase_add_test(recovering, test_resume_silent_fallback);
	tcase_add_test(recovering, test_resume_peer_protocol);
	suite_add_tcase(s, recovering);
	return s;
}
