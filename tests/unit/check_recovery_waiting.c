/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFC 4951 failover (daemon/recovery.c), the waiting side (spec/l2tp-protocol.md §3): the
 * engine is the remote endpoint of a tunnel its peer recovers. The recovery SCCRQ and its
 * refusals, the control channel reset on SCCCN, the recovery tunnel's authentication and
 * (lack of) durability; and the Recovery Time granted to a silent peer (§5.1), ended by its
 * recovery or its acknowledgement. The peer is scripted by recovery_fixture.h.
 */
#include <errno.h>
#include <string.h>

#include "auth.h"
#include "l2tp/result.h"
#include "recovery_fixture.h"
#include "suites.h"

/* ---------------------------------------------------------------- the peer recovers ---- */

START_TEST(test_waiting_recovers)
{
	struct engine_tunnel_view v;
	struct l2tp_addr from;
	struct probe *p;
	struct l2tp_msg m;
	struct rf_fixture f;
	uint32_t discarded;

	rf_new(&f, 61);
	rf_establish(&f, RF_CD, RF_RECOVERY_MS, 2);
	p = f.p;
	from = rf_other_port(&f);
	rf_recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, rf_tb_low);
	rf_recovery_answered(&f);
	ck_assert_uint_eq(probe_stats(p).tunnels, 2);

	/* Before the reset the old tunnel takes nothing, not even for an acknowledgement. */
	rf_talk_on(&f, &f.old);
	discarded = probe_stats(p).datagrams_discarded;
	probe_hello(p);
	probe_expect_no_send(p);
	probe_icrq(p, &m, 0x0303);
	probe_send(p, &m);
	probe_expect_no_send(p);
	rf_no_harm(p);
	ck_assert_uint_eq(probe_stats(p).datagrams_discarded, discarded + 2);

	/* SCCCN: Ns and Nr become (Suggested Nr, Suggested Ns); every established call is asked about. */
	rf_recovery_connected(&f, 2);
	rf_no_harm(p);
	v = rf_view(p, f.tid);
	ck_assert_int_eq(v.recovery, ENGINE_RECOVERY_PROTOCOL);
	ck_assert(v.established);
	ck_assert_uint_eq(v.sessions, 2);
	ck_assert_uint_eq(v.nr, f.scs_ns);
	ck_assert_uint_eq(v.ns, (uint16_t)(f.scs_nr + 1));

	/* The peer goes on from the suggestion: its HELLO with Ns = Suggested Ns is taken. */
	probe_hello(p);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->ns, (uint16_t)(f.scs_nr + 1));
	probe_expect_no_send(p);
	ck_assert_uint_eq(rf_view(p, f.tid).nr, (uint16_t)(f.scs_ns + 1));
	rf_no_harm(p);

	/* The peer closes the recovery tunnel: nothing else ends. */
	rf_talk_on(&f, &f.rec);
	probe_stopccn(p, &m, L2TP_RC_STOPCCN_CLEAR, 0);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	probe_expect_no_send(p);
	rf_no_harm(p);
	ck_assert(rf_view(p, f.rec_tid).closing);
	ck_assert(rf_view(p, f.tid).established);
	rf_free(&f);
}
END_TEST

/* Step I (§3.3): a call not yet established when the control channel is reset goes silently. */
START_TEST(test_waiting_reset_clears_half_calls)
{
	struct l2tp_addr from;
	const struct engine_action *d;
	struct probe *p;
	struct l2tp_msg m;
	struct rf_fixture f;

	rf_new(&f, 62);
	rf_establish(&f, RF_CD, RF_RECOVERY_MS, 1);
	p = f.p;
	probe_icrq(p, &m, 0x0303);
	probe_send(p, &m);
	probe_expect(p, L2TP_MSG_ICRP);
	from = rf_other_port(&f);
	rf_recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, rf_tb_low);
	rf_recovery_answered(&f);
	rf_recovery_connected(&f, 1);
	d = probe_one(p, ENGINE_SESSION_DOWN);
	ck_assert_uint_eq(d->peer_session_id, 0x0303);
	ck_assert_uint_eq(rf_sent_count(p, PROBE_PEER_TID, L2TP_MSG_CDN), 0);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	ck_assert_uint_eq(rf_view(p, f.tid).sessions, 1);
	rf_free(&f);
}
END_TEST

/* The refusal of a recovery SCCRQ: a stateless StopCCN, result 2; the old tunnel untouched. */
static void expect_refused(struct rf_fixture *f, const struct engine_tunnel_view *before)
{
	struct probe *p = f->p;
	struct engine_tunnel_view v;
	const struct l2tp_msg *r;

	r = probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_GENERAL_ERROR, 0);
	ck_assert_uint_eq(r->ns, 0);
	ck_assert(r->result_code.message.len > 0);
	probe_expect_no_send(p);
	rf_no_harm(p);
	ck_assert_uint_eq(probe_stats(p).tunnels, 1);
	v = rf_view(p, f->tid);
	ck_assert(v.established);
	ck_assert_uint_eq(v.ns, before->ns);
	ck_assert_uint_eq(v.nr, before->nr);
	ck_assert_int_eq(v.recovery, ENGINE_RECOVERY_NONE);
	/* It goes on as before: a HELLO is acknowledged at once. */
	rf_talk_on(f, &f->old);
	probe_hello(p);
	probe_expect(p, PROBE_ZLB);
	probe_expect_no_send(p);
}

START_TEST(test_waiting_refuses)
{
	enum { UNKNOWN_OURS, OTHER_PEER_ID, OTHER_HOST, NOT_ADVERTISED, NOT_OFFERED, CASES };

	for (int c = 0; c < CASES; c++) {
		struct engine_tunnel_view before;
		struct l2tp_addr from;
		uint16_t peer_old = PROBE_PEER_TID, our_old;
		struct rf_fixture f;

		rf_new(&f, 63 + (uint64_t)c);
		if (c == NOT_OFFERED)
			f.p->cfg.failover_flags = 0;
		rf_establish(&f, c == NOT_ADVERTISED ? 0 : RF_CD, RF_RECOVERY_MS, 1);
		before = rf_view(f.p, f.tid);
		our_old = f.tid;
		from = rf_other_port(&f);
		if (c == UNKNOWN_OURS)
			our_old = f.tid == UINT16_MAX ? 1 : (uint16_t)(f.tid + 1);
		else if (c == OTHER_PEER_ID)
			peer_old = PROBE_PEER_TID + 1;
		else if (c == OTHER_HOST)
			from.addr[3]++;
		rf_recovery_sccrq(&f, &from, peer_old, our_old, rf_tb_low);
		expect_refused(&f, &before);
		rf_free(&f);
	}
}
END_TEST

/*
 * The peer's SCCRQ again (our SCCRP lost) is only acknowledged; a recovery tunnel is no tunnel
 * to recover; a new attempt (another Assigned Tunnel ID) replaces the first, which is closed.
 */
START_TEST(test_waiting_repeated_attempts)
{
	struct probe_peer_state first_rec;
	struct engine_tunnel_view before;
	struct l2tp_addr from;
	struct probe *p;
	struct rf_fixture f;
	uint16_t first;

	rf_new(&f, 70);
	rf_establish(&f, RF_CD, RF_RECOVERY_MS, 1);
	p = f.p;
	from = rf_other_port(&f);
	rf_recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, rf_tb_low);
	rf_recovery_answered(&f);
	first = f.rec_tid;
	rf_talk_on(&f, &f.old);
	first_rec = f.rec;

	rf_recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, rf_tb_low);
	probe_expect(p, PROBE_ZLB);
	probe_expect_no_send(p);
	ck_assert_uint_eq(probe_stats(p).tunnels, 2);

	before = rf_view(p, f.tid);
	rf_recovery_sccrq_as(&f, &from, RF_PEER_REC_TID + 2, RF_PEER_REC_TID, first, rf_tb_low);
	probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_GENERAL_ERROR, 0);
	probe_expect_no_send(p);
	ck_assert_uint_eq(rf_view(p, f.tid).nr, before.nr);
	ck_assert_str_eq(rf_view(p, first).state, "wait-ctl-conn");

	rf_recovery_sccrq_as(&f, &from, RF_PEER_REC_TID + 1, PROBE_PEER_TID, f.tid, rf_tb_low);
	ck_assert(msg_has(rf_sent_one(p, RF_PEER_REC_TID + 1, L2TP_MSG_SCCRP),
			  L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE));
	ck_assert_uint_eq(rf_sends(p), 1);
	rf_no_harm(p);
	/*
	 * The first attempt is forgotten at once, without a StopCCN: however many SCCRQs a
	 * spoofer sends, one recovery tunnel per old tunnel exists (they skip the limits).
	 */
	ck_assert_int_eq(engine_tunnel_view(p->e, first, &before), -ENOENT);
	rf_talk_on(&f, &first_rec);
	probe_zlb(p);
	probe_expect_no_send(p);
	rf_no_harm(p);
	rf_free(&f);
}
END_TEST

/* §3.2.1: the recovery is authenticated with the old tunnel's secret, whatever a reload says now. */
START_TEST(test_waiting_authenticates_with_old_secret)
{
	struct engine_config reloaded;
	struct blob old_secret = blob_from_str("old secret"), ours;
	uint8_t want[L2TP_CHALLENGE_RESPONSE_LEN], challenge[16];
	const struct l2tp_msg *r;
	struct l2tp_addr from;
	struct probe *p;
	struct l2tp_msg m;
	struct rf_fixture f;

	for (int good = 0; good < 2; good++) {
		rf_new(&f, 71 + (uint64_t)good);
		p = f.p;
		p->cfg.secret = p->secret = "old secret";
		rf_establish(&f, RF_CD, RF_RECOVERY_MS, 1);
		reloaded = p->cfg;
		reloaded.secret = "new secret";
		engine_set_config(p->e, &reloaded);
		from = rf_other_port(&f);
		rf_recovery_msg(&f, &m, &from, RF_PEER_REC_TID, PROBE_PEER_TID, f.tid, rf_tb_low);
		msg_set_present(&m, L2TP_AVP_CHALLENGE);
		m.challenge = (struct blob){ rf_peer_challenge, sizeof(rf_peer_challenge) };
		probe_send(p, &m);
		r = probe_expect(p, L2TP_MSG_SCCRP);
		ours = (struct blob){ rf_peer_challenge, sizeof(rf_peer_challenge) };
		auth_challenge_response(L2TP_MSG_SCCRP, &old_secret, &ours, want);
		ck_assert(msg_has(r, L2TP_AVP_CHALLENGE_RESPONSE));
		ck_assert_mem_eq(r->challenge_response, want, sizeof(want));
		ck_assert(msg_has(r, L2TP_AVP_CHALLENGE) && r->challenge.len == sizeof(challenge));
		memcpy(challenge, r->challenge.ptr, sizeof(challenge));
		f.rec_tid = p->tid = r->assigned_tunnel_id;
		f.scs_ns = r->suggested_control_sequence.ns;
		f.scs_nr = r->suggested_control_sequence.nr;

		probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
		msg_set_present(&m, L2TP_AVP_CHALLENGE_RESPONSE);
		ours = (struct blob){ challenge, sizeof(challenge) };
		auth_challenge_response(L2TP_MSG_SCCCN, &old_secret, &ours, m.challenge_response);
		if (!good)
			m.challenge_response[0] ^= 1;
		probe_send(p, &m);
		rf_no_harm(p);
		if (good) {
			ck_assert_uint_eq(rf_sent_one(p, PROBE_PEER_TID, L2TP_MSG_FSQ)->ns, f.scs_nr);
			ck_assert_int_eq(rf_view(p, f.tid).recovery, ENGINE_RECOVERY_PROTOCOL);
		} else {
			/* Refused: the recovery tunnel ends, the old one takes messages again as it was. */
			probe_check_result(rf_sent_one(p, RF_PEER_REC_TID, L2TP_MSG_STOPCCN),
					   L2TP_RC_STOPCCN_NOT_AUTHORIZED, 0);
			ck_assert_uint_eq(rf_sends(p), 1);
			ck_assert_int_eq(rf_view(p, f.tid).recovery, ENGINE_RECOVERY_NONE);
			rf_talk_on(&f, &f.old);
			probe_hello(p);
			probe_expect(p, PROBE_ZLB);
		}
		rf_free(&f);
	}
}
END_TEST

/* A restarted engine's records never include the peer's recovery tunnel: it is no tunnel to restore. */
START_TEST(test_waiting_recovery_tunnel_not_persisted)
{
	struct l2tp_addr from;
	struct rf_fixture f;

	rf_new(&f, 73);
	f.p->cfg.persist_state = true;
	rf_establish(&f, RF_CD, RF_RECOVERY_MS, 1);
	from = rf_other_port(&f);
	rf_recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, rf_tb_low);
	rf_recovery_answered(&f);
	rf_not_persisted(f.p, f.rec_tid, "SCCRQ");
	rf_recovery_connected(&f, 1);
	/* The old tunnel's record follows its new Ns and Nr. */
	ck_assert(rf_persisted(f.p, f.tid));
	rf_not_persisted(f.p, f.rec_tid, "SCCCN");
	rf_free(&f);
}
END_TEST
/* ---------------------------------------------------------------- Recovery Time (§5.1) ---- */

/* An established call and an OCRQ the peer never acknowledges. Returns the OCRQ's session. */
static uint16_t silent_peer(struct rf_fixture *f, uint64_t seed, uint16_t flags, uint32_t ms, uint16_t ours)
{
	uint16_t osid;

	rf_new(f, seed);
	f->p->cfg.failover_flags = ours;
	rf_establish(f, flags, ms, 1);
	ck_assert_int_eq(probe_place(f->p, ENGINE_CALL_OUTGOING, NULL, &osid), 0);
	probe_expect(f->p, L2TP_MSG_OCRQ);
	return osid;
}

START_TEST(test_hold_for_recovery_time)
{
	struct probe *p;
	struct rf_fixture f;
	uint64_t start, at;
	uint16_t osid;

	osid = silent_peer(&f, 80, RF_CD, RF_RECOVERY_MS, RF_CD);
	p = f.p;
	start = p->now;
	at = rf_exhaust(p);
	ck_assert_uint_eq(at, start + RF_FULL_CYCLE);
	/* The call being set up cannot be recovered: it ends now, silently; the rest waits. */
	ck_assert_uint_eq(probe_one(p, ENGINE_SESSION_DOWN)->session_id, osid);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	ck_assert_uint_eq(probe_count(p, ENGINE_KERNEL_SESSION_DELETE), 0);
	ck_assert_uint_eq(probe_count(p, ENGINE_KERNEL_TUNNEL_DELETE), 0);
	ck_assert(rf_view(p, f.tid).established);
	ck_assert_uint_eq(rf_view(p, f.tid).sessions, 1);
	ck_assert_uint_eq(engine_next_deadline(p->e), at + RF_RECOVERY_MS);
	probe_tick(p, at + RF_RECOVERY_MS - 1);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);

	/* Not back in time: cleared without a StopCCN (nobody would acknowledge it). */
	probe_tick(p, at + RF_RECOVERY_MS);
	probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_FSM_ERROR, false);
	ck_assert_uint_eq(probe_one(p, ENGINE_SESSION_DOWN)->session_id, f.sid[0]);
	ck_assert_uint_eq(probe_count(p, ENGINE_KERNEL_SESSION_DELETE), 1);
	ck_assert_uint_eq(probe_count(p, ENGINE_KERNEL_TUNNEL_DELETE), 1);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_RELEASED), 1);
	ck_assert_uint_eq(probe_count(p, ENGINE_SEND), 0);
	rf_free(&f);
}
END_TEST

/* Without C from the peer, without a Recovery Time, or without our own offer: cleared at once. */
START_TEST(test_no_hold_without_recovery_time)
{
	static const struct {
		uint16_t peer_flags;
		uint32_t ms;
		uint16_t ours;
	} cases[] = {
		{ L2TP_FAILOVER_CAP_D, RF_RECOVERY_MS, RF_CD },
		{ RF_CD, 0, RF_CD },
		{ RF_CD, RF_RECOVERY_MS, 0 },
		{ 0, 0, RF_CD },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct rf_fixture f;

		silent_peer(&f, 81 + c, cases[c].peer_flags, cases[c].ms, cases[c].ours);
		rf_exhaust(f.p);
		probe_down(f.p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_FSM_ERROR, false);
		ck_assert_uint_eq(probe_count(f.p, ENGINE_SESSION_DOWN), 2);
		ck_assert_uint_eq(probe_count(f.p, ENGINE_TUNNEL_RELEASED), 1);
		rf_free(&f);
	}
}
END_TEST

/* The peer's recovery arrives while we wait: the tunnel is kept past its Recovery Time. */
START_TEST(test_hold_ends_in_recovery)
{
	struct l2tp_addr from;
	struct probe *p;
	struct rf_fixture f;
	uint64_t at;

	silent_peer(&f, 85, RF_CD, RF_RECOVERY_MS, RF_CD);
	p = f.p;
	at = rf_exhaust(p);
	p->now = at + RF_RECOVERY_MS / 2;
	from = rf_other_port(&f);
	rf_recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, rf_tb_low);
	rf_recovery_answered(&f);
	rf_recovery_connected(&f, 1);
	rf_no_harm(p);
	probe_tick(p, at + RF_RECOVERY_MS);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	ck_assert(rf_view(p, f.tid).established);
	ck_assert_int_eq(rf_view(p, f.tid).recovery, ENGINE_RECOVERY_PROTOCOL);
	rf_free(&f);
}
END_TEST

/*
 * §5.1: the Recovery Time "is also stopped if a control channel message is acknowledged by the
 * peer ... when there was no failover": a peer that acknowledges while we wait is alive, and
 * the tunnel is not cleared when the Recovery Time ends.
 */
START_TEST(test_hold_ends_when_peer_acknowledges)
{
	struct probe *p;
	struct rf_fixture f;
	uint64_t at;

	silent_peer(&f, 86, RF_CD, RF_RECOVERY_MS, RF_CD);
	p = f.p;
	at = rf_exhaust(p);
	p->now = at + 1000;
	probe_zlb(p); /* acknowledges the OCRQ */
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	probe_tick(p, at + RF_RECOVERY_MS);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	ck_assert(rf_view(p, f.tid).established);
	/* And it works: the peer's HELLO is acknowledged. */
	probe_hello(p);
	probe_expect(p, PROBE_ZLB);
	rf_free(&f);
}
END_TEST

Suite *suite_recovery_waiting(void)
{
	Suite *s = suite_create("recovery_waiting");
	TCase *waiting = tcase_create("waiting"), *hold = tcase_create("hold");

	tcase_add_test(waiting, test_waiting_recovers);
	tcase_add_test(waiting, test_waiting_reset_clears_half_calls);
	tcase_add_test(waiting, test_waiting_refuses);
	tcase_add_test(waiting, test_waiting_repeated_attempts);
	tcase_add_test(waiting, test_waiting_authenticates_with_old_secret);
	tcase_add_test(waiting, test_waiting_recovery_tunnel_not_persisted);
	suite_add_tcase(s, waiting);
	tcase_add_test(hold, test_hold_for_recovery_time);
	tcase_add_test(hold, test_no_hold_without_recovery_time);
	tcase_add_test(hold, test_hold_ends_in_recovery);
	tcase_add_test(hold, test_hold_ends_when_peer_acknowledges);
	suite_add_tcase(s, hold);
	return s;
}
