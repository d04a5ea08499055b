/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFC 4951 failover (daemon/recovery.c), the session audit (§3.3, spec/l2tp-protocol.md §3):
 * Failover Session Queries answered call by call, however many a peer asks about at once,
 * and only when failover was negotiated; no new call until the peer answered our own query
 * after a recovery; its Failover Session Responses clearing our calls it does not know, and
 * unsolicited ones ignored. The peer is scripted by recovery_fixture.h.
 */
#include <string.h>

#include "encode.h"
#include "l2tp/result.h"
#include "recovery_fixture.h"
#include "suites.h"

/* A negotiated tunnel with n calls, recovered by its peer: the peer then talks on the old tunnel. */
static void fx_recovered(struct rf_fixture *f, uint64_t seed, int n)
{
	struct l2tp_addr from;

	rf_new(f, seed);
	rf_establish(f, RF_CD, RF_RECOVERY_MS, n);
	from = rf_other_port(f);
	rf_recovery_sccrq(f, &from, PROBE_PEER_TID, f->tid, rf_tb_low);
	rf_recovery_answered(f);
	rf_recovery_connected(f, n);
	rf_no_harm(f->p);
}

/* §3.3 Step III and Appendix C: each FSS answered; a call paired otherwise is asked about, not cleared. */
START_TEST(test_fsq_answered)
{
	const struct l2tp_msg *r, *q;
	struct probe *p;
	struct l2tp_msg m;
	struct rf_fixture f;
	uint16_t unknown = 1;

	rf_new(&f, 74);
	rf_establish(&f, RF_CD, RF_RECOVERY_MS, 2);
	p = f.p;
	while (unknown == f.sid[0] || unknown == f.sid[1])
		unknown++;
	probe_msg(p, &m, L2TP_MSG_FSQ, 0);
	rf_add_fss(&m, rf_peer_sids[0], f.sid[0]); /* paired */
	rf_add_fss(&m, 0x0303, unknown);	   /* no such call */
	rf_add_fss(&m, 0x0909, f.sid[1]);	   /* ours, paired with 0x0202 */
	probe_send(p, &m);
	r = probe_expect(p, L2TP_MSG_FSR);
	ck_assert(!r->type_mandatory);
	ck_assert_uint_eq(r->n_fss, 3);
	ck_assert(rf_has_fss(r, f.sid[0], rf_peer_sids[0]));
	ck_assert(rf_has_fss(r, 0, 0x0303));
	ck_assert(rf_has_fss(r, 0, 0x0909));
	q = probe_expect(p, L2TP_MSG_FSQ);
	ck_assert_uint_eq(q->n_fss, 1);
	ck_assert(rf_has_fss(q, f.sid[1], rf_peer_sids[1]));
	probe_expect_no_send(p);
	rf_no_harm(p);

	/* The peer confirms the pairing we know: nothing ends. */
	probe_msg(p, &m, L2TP_MSG_FSR, 0);
	rf_add_fss(&m, rf_peer_sids[1], f.sid[1]);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	probe_expect_no_send(p);
	rf_no_harm(p);
	ck_assert_uint_eq(rf_view(p, f.tid).sessions, 2);
	rf_free(&f);
}
END_TEST

/*
 * The FSS that FSRs carry to the peer, n unknown calls from first on, however the answer is
 * split (§3.3); the peer acknowledges each batch, so what waited for the window follows.
 */
static size_t fss_answered(struct probe *p, uint16_t first, size_t n)
{
	size_t total = 0;

	for (size_t round = 0; round < n; round++) {
		size_t k = rf_sends(p), fsrs = 0;

		for (size_t i = 0; i < k; i++) {
			const struct l2tp_msg *r = &rf_sent[i].m;

			if (!rf_is(r, PROBE_PEER_TID, L2TP_MSG_FSR))
				continue;
			for (uint16_t j = 0; j < r->n_fss; j++) {
				ck_assert_uint_eq(r->fss[j].session_id, 0);
				ck_assert_uint_ge(r->fss[j].remote_session_id, first);
				ck_assert_uint_lt(r->fss[j].remote_session_id, first + n);
			}
			total += r->n_fss;
			fsrs++;
			p->nr = (uint16_t)(r->ns + 1);
		}
		if (!fsrs)
			break;
		probe_zlb(p);
	}
	return total;
}

/* The peer asks about many calls at once: every one answered, the tunnel kept. */
START_TEST(test_fsq_many)
{
	enum { FIRST = 0x1000, MANY = 200 };
	struct l2tp_msg m;
	struct rf_fixture f;

	rf_new(&f, 79);
	rf_establish(&f, RF_CD, RF_RECOVERY_MS, 0);
	probe_msg(f.p, &m, L2TP_MSG_FSQ, 0);
	for (uint16_t i = 0; i < MANY; i++)
		rf_add_fss(&m, FIRST + i, FIRST + i);
	probe_send(f.p, &m);
	ck_assert_uint_eq(fss_answered(f.p, FIRST, MANY), MANY);
	ck_assert_uint_eq(rf_sent_count(f.p, PROBE_PEER_TID, L2TP_MSG_STOPCCN), 0);
	ck_assert(rf_view(f.p, f.tid).established);
	rf_free(&f);
}
END_TEST

/* An FSS AVP written by hand (M bit, length 16, IETF type 79): the peer's id and ours are both id. */
static void raw_fss(uint8_t out[16], uint16_t id)
{
	static const uint8_t head[10] = { 0x80, 16, 0, 0, 0, L2TP_AVP_FAILOVER_SESSION_STATE };

	memcpy(out, head, sizeof(head));
	out[10] = out[14] = (uint8_t)(id >> 8);
	out[11] = out[15] = (uint8_t)id;
	out[12] = out[13] = 0;
}

/*
 * As many FSS as one FSQ can carry: RFC 4951 §3.3 puts no limit on them but the message's
 * size, so a peer with many calls may ask about all at once; every one is answered and the
 * tunnel is not cleared for it.
 */
START_TEST(test_fsq_beyond_decoder_room)
{
	enum { FIRST = 0x1000, FSS_LEN = 16 };
	static uint8_t buf[L2TP_MAX_MSG_LEN];
	struct l2tp_msg m;
	struct probe *p;
	struct rf_fixture f;
	size_t many;
	int len;

	rf_new(&f, 87);
	rf_establish(&f, RF_CD, RF_RECOVERY_MS, 0);
	p = f.p;
	probe_msg(p, &m, L2TP_MSG_FSQ, 0);
	rf_add_fss(&m, FIRST, FIRST);
	len = encode_control(&m, &(struct encode_opts){ 0 }, buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	/* The rest appended to what the encoder made, the header's length made to match. */
	many = 1 + (sizeof(buf) - (size_t)len) / FSS_LEN;
	ck_assert_uint_le(many, MSG_MAX_FSS);
	for (uint16_t i = 1; i < many; i++) {
		raw_fss(buf + len, FIRST + i);
		len += FSS_LEN;
	}
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	probe_begin(p);
	p->ns++;
	engine_recv(p->e, p->now, &p->local, &p->peer, buf, (size_t)len);
	ck_assert_uint_eq(rf_sent_count(p, PROBE_PEER_TID, L2TP_MSG_STOPCCN), 0);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	ck_assert_uint_eq(fss_answered(p, FIRST, many), many);
	rf_free(&f);
}
END_TEST

START_TEST(test_fsq_ignored_without_negotiation)
{
	for (int c = 0; c < 2; c++) {
		struct l2tp_msg m;
		struct rf_fixture f;

		rf_new(&f, 75 + (uint64_t)c);
		if (c)
			f.p->cfg.failover_flags = 0; /* the peer advertised, we did not */
		rf_establish(&f, c ? RF_CD : 0, RF_RECOVERY_MS, 1);
		probe_msg(f.p, &m, L2TP_MSG_FSQ, 0);
		rf_add_fss(&m, 0x0303, f.sid[0]);
		probe_send(f.p, &m);
		probe_expect(f.p, PROBE_ZLB);
		probe_expect_no_send(f.p);
		rf_no_harm(f.p);
		rf_free(&f);
	}
}
END_TEST

/* §3.3: no new call until the peer answered our FSQ (CDN result 4), then as usual. */
START_TEST(test_calls_wait_for_audit)
{
	const struct l2tp_msg *r;
	struct probe *p;
	struct l2tp_msg m;
	struct rf_fixture f;

	fx_recovered(&f, 76, 2);
	p = f.p;
	probe_icrq(p, &m, 0x0303);
	probe_send(p, &m);
	r = probe_expect_result(p, L2TP_MSG_CDN, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	ck_assert_uint_eq(r->session_id, 0x0303);
	probe_expect_no_send(p);
	ck_assert_uint_eq(probe_count(p, ENGINE_SESSION_UP), 0);

	probe_msg(p, &m, L2TP_MSG_FSR, 0);
	rf_add_fss(&m, rf_peer_sids[0], f.sid[0]);
	rf_add_fss(&m, rf_peer_sids[1], f.sid[1]);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	rf_no_harm(p);

	probe_icrq(p, &m, 0x0404);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_ICRP)->session_id, 0x0404);
	probe_expect_no_send(p);
	rf_free(&f);
}
END_TEST

/* An FSS with Session ID 0 in an FSR: the peer has no such call; ours goes without a CDN. */
START_TEST(test_fsr_clears_unknown_silently)
{
	const struct engine_action *d;
	struct probe *p;
	struct l2tp_msg m;
	struct rf_fixture f;

	fx_recovered(&f, 77, 2);
	p = f.p;
	probe_msg(p, &m, L2TP_MSG_FSR, 0);
	rf_add_fss(&m, 0, f.sid[0]);
	rf_add_fss(&m, rf_peer_sids[1], f.sid[1]);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	probe_expect_no_send(p);
	d = probe_one(p, ENGINE_SESSION_DOWN);
	ck_assert_uint_eq(d->session_id, f.sid[0]);
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_SESSION_DELETE)->session_id, f.sid[0]);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	ck_assert_uint_eq(rf_view(p, f.tid).sessions, 1);
	rf_free(&f);
}
END_TEST

/* An FSR nobody asked for clears nothing: only our own queries are answered. */
START_TEST(test_fsr_unsolicited_ignored)
{
	struct l2tp_msg m;
	struct rf_fixture f;

	rf_new(&f, 78);
	rf_establish(&f, RF_CD, RF_RECOVERY_MS, 1);
	probe_msg(f.p, &m, L2TP_MSG_FSR, 0);
	rf_add_fss(&m, 0, f.sid[0]);
	probe_send(f.p, &m);
	probe_expect(f.p, PROBE_ZLB);
	probe_expect_no_send(f.p);
	rf_no_harm(f.p);
	ck_assert_uint_eq(rf_view(f.p, f.tid).sessions, 1);
	rf_free(&f);
}
END_TEST

Suite *suite_recovery_audit(void)
{
	Suite *s = suite_create("recovery_audit");
	TCase *audit = tcase_create("audit");

	tcase_add_test(audit, test_fsq_answered);
	tcase_add_test(audit, test_fsq_many);
	tcase_add_test(audit, test_fsq_beyond_decoder_room);
	tcase_add_test(audit, test_fsq_ignored_without_negotiation);
	tcase_add_test(audit, test_calls_wait_for_audit);
	tcase_add_test(audit, test_fsr_clears_unknown_silently);
	tcase_add_test(audit, test_fsr_unsolicited_ignored);
	suite_add_tcase(s, audit);
	return s;
}
