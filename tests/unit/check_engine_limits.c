/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who gets a tunnel or a call, end to end through the engine: the LNS admission limits and
 * their refusals (StopCCN or CDN with the configured failover codes, no state kept), the
 * configuration check of those codes, and the IDs handed out (never 0, quarantined once
 * freed). Authentication and the tie breaker are in check_engine_peers.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_probe.h"
#include "l2tp/result.h"
#include "suites.h"

#define T0	     PROBE_T0
#define ALL_SENT(p)  probe_expect_no_send(p)
#define COUNT(p, ty) probe_count((p), ENGINE_##ty)

/* Another host opens a tunnel to the engine: its own tunnel ID and sequence numbers. */
static void other_peer(struct probe *p, uint8_t host, uint16_t peer_tid)
{
	p->peer.addr[3] = host;
	p->peer_tid = peer_tid;
	p->tid = 0;
	p->ns = 0;
	p->nr = 0;
}

/* The peer's ICRQ is refused with a CDN to its session, carrying these codes. */
static void call_refused(struct probe *p, uint16_t peer_sid, uint16_t result, uint16_t error)
{
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint32_t before = probe_stats(p).sessions;

	probe_icrq(p, &m, peer_sid);
	probe_send(p, &m);
	r = probe_expect_result(p, L2TP_MSG_CDN, result, error);
	ck_assert_uint_eq(r->session_id, peer_sid);
	ck_assert_uint_ne(r->assigned_session_id, 0);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, SESSION_DOWN), 0);
	ck_assert_uint_eq(probe_stats(p).sessions, before);
}

/* ---------------------------------------------------------------- tunnels ---- */

/* No state for a refused SCCRQ: its retransmission gets the same answer (design.md §1). */
START_TEST(test_max_tunnels_refused_stateless)
{
	struct probe *p = probe_new(201);
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint64_t deadline;
	uint16_t tid;

	p->cfg.limits.max_tunnels = 1;
	probe_start(p);
	probe_accept_tunnel(p);
	deadline = engine_next_deadline(p->e);
	other_peer(p, 3, 0x5000);
	probe_sccrq(p, &m);
	for (uint32_t i = 1; i <= 2; i++) {
		probe_send(p, &m);
		r = probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_GENERAL_ERROR,
					L2TP_EC_NO_RESOURCES);
		ck_assert_uint_eq(r->session_id, 0);
		ck_assert_uint_eq(r->ns, 0);
		ck_assert_uint_eq(r->nr, 1);
		ck_assert_uint_ne(r->assigned_tunnel_id, 0);
		ALL_SENT(p);
		ck_assert(COUNT(p, TUNNEL_DOWN) == 0 && COUNT(p, TUNNEL_RELEASED) == 0);
		ck_assert_uint_eq(probe_stats(p).tunnels, 1);
		ck_assert_uint_eq(probe_stats(p).tunnels_refused, i);
	}
	ck_assert_uint_eq(engine_next_deadline(p->e), deadline);
	ck_assert_int_eq(engine_open_tunnel(p->e, p->now, &p->local, &p->peer, &tid), -EBUSY);
	probe_free(p);
}
END_TEST

START_TEST(test_max_tunnels_try_another)
{
	struct probe *p = probe_new(202);
	const struct l2tp_msg *r;
	struct l2tp_msg m;

	p->cfg.limits.max_tunnels = 1;
	p->cfg.refuse_tunnel = (struct engine_refusal){ L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_TRY_ANOTHER };
	probe_start(p);
	probe_accept_tunnel(p);
	other_peer(p, 3, 0x5000);
	probe_sccrq(p, &m);
	probe_send(p, &m);
	r = probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_TRY_ANOTHER);
	ck_assert_uint_gt(r->result_code.message.len, 0);
	ck_assert_uint_eq(probe_stats(p).tunnels_refused, 1);
	probe_free(p);
}
END_TEST

START_TEST(test_accept_tunnels_false)
{
	struct probe *p = probe_new(203);
	struct l2tp_msg m;

	p->cfg.accept_tunnels = false;
	probe_start(p);
	probe_sccrq(p, &m);
	probe_send(p, &m);
	probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_NOT_AUTHORIZED, 0);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).tunnels, 0);
	ck_assert_uint_eq(engine_next_deadline(p->e), UINT64_MAX);
	probe_free(p);
}
END_TEST

/* A malformed SCCRQ is refused without state too, with the codec's codes (RFC 2661 §7.1). */
START_TEST(test_bad_sccrq_refused_stateless)
{
	struct probe *p = probe_started(214);
	struct l2tp_msg m;

	probe_sccrq(p, &m);
	m.present &= ~AVP_BIT(L2TP_AVP_HOST_NAME);
	probe_send(p, &m);
	probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_BAD_VALUE);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).tunnels, 0);
	probe_free(p);
}
END_TEST

/* ----------------------------------------------------------------- sessions ---- */

START_TEST(test_max_sessions_per_tunnel)
{
	struct probe *p = probe_new(204);
	struct l2tp_msg m;
	uint16_t sid;

	p->cfg.limits.max_sessions_per_tunnel = 2;
	probe_start(p);
	probe_accept_tunnel(p);
	sid = probe_lns_call(p, 0x10);
	probe_lns_call(p, 0x11);
	call_refused(p, 0x12, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	ck_assert_uint_eq(probe_stats(p).sessions_refused, 1);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_OUTGOING, NULL, &sid), -EBUSY);
	/* A call ends: there is room again. */
	probe_cdn(p, &m, sid, 0x10, L2TP_RC_CDN_LOST_CARRIER, 0);
	probe_send(p, &m);
	probe_lns_call(p, 0x13);
	ck_assert_uint_eq(probe_stats(p).sessions, 2);
	ck_assert_uint_eq(probe_stats(p).sessions_refused, 1);
	probe_free(p);
}
END_TEST

START_TEST(test_max_sessions_in_all)
{
	struct probe *p = probe_new(205);
	struct probe_peer_state a;

	p->cfg.limits.max_sessions = 2;
	probe_start(p);
	probe_accept_tunnel(p);
	probe_lns_call(p, 0x10);
	probe_save(p, &a);
	other_peer(p, 3, 0x5000);
	probe_accept_tunnel(p);
	probe_lns_call(p, 0x20);
	call_refused(p, 0x21, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	probe_restore(p, &a);
	call_refused(p, 0x11, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	ck_assert_uint_eq(probe_stats(p).sessions, 2);
	ck_assert_uint_eq(probe_stats(p).sessions_refused, 2);
	probe_free(p);
}
END_TEST

/* A token bucket: a burst of 3, then 2 calls a second (one per 500 ms). */
START_TEST(test_session_rate_burst_then_refill)
{
	struct probe *p = probe_new(206);

	p->cfg.limits.session_rate = 2;
	p->cfg.limits.session_burst = 3;
	probe_start(p);
	probe_accept_tunnel(p);
	for (uint16_t i = 0; i < 3; i++)
		probe_lns_call(p, (uint16_t)(0x30 + i));
	call_refused(p, 0x33, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	p->now = T0 + 499;
	call_refused(p, 0x34, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	p->now = T0 + 500;
	probe_lns_call(p, 0x35);
	call_refused(p, 0x36, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	ck_assert_uint_eq(probe_stats(p).sessions, 4);
	ck_assert_uint_eq(probe_stats(p).sessions_refused, 3);
	probe_free(p);
}
END_TEST

START_TEST(test_session_refusal_codes)
{
	static const struct engine_refusal codes[] = { { 2, L2TP_EC_NO_RESOURCES },
						       { 2, L2TP_EC_TRY_ANOTHER },
						       { L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0 } };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct probe *p = probe_new(207 + i);

		p->cfg.limits.max_sessions_per_tunnel = 1;
		p->cfg.refuse_session = codes[i];
		probe_start(p);
		probe_accept_tunnel(p);
		probe_lns_call(p, 0x10);
		call_refused(p, 0x11, codes[i].result, codes[i].error);
		probe_free(p);
	}
}
END_TEST

START_TEST(test_ocrq_refused_when_not_accepting)
{
	struct probe *p = probe_started(210);
	const struct l2tp_msg *r;
	struct l2tp_msg m;

	probe_accept_tunnel(p);
	probe_ocrq(p, &m, 0x40);
	probe_send(p, &m);
	r = probe_expect_result(p, L2TP_MSG_CDN, L2TP_RC_CDN_NO_FACILITIES_PERMANENT, 0);
	ck_assert_uint_eq(r->session_id, 0x40);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	probe_free(p);
}
END_TEST

static void expect_invalid(const struct engine_config *c, const char *reason)
{
	char why[128] = "";

	ck_assert_int_eq(engine_config_validate(c, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, reason), "reason \"%s\" does not say \"%s\"", why, reason);
}

START_TEST(test_config_refusal_codes_validated)
{
	static const struct engine_refusal bad_tunnel[] = { { 2, 6 }, { 2, 0 }, { 4, 0 }, { 6, 0 } };
	static const struct engine_refusal bad_session[] = { { 2, 6 }, { 2, 1 }, { 5, 0 }, { 4, 4 } };
	static const struct engine_refusal good_session[] = { { 2, 4 }, { 2, 7 }, { 4, 0 } };
	struct test_random rng;
	struct engine_config c, d;
	char why[128];

	test_random_init(&rng, 1);
	engine_config_defaults(&c);
	c.random = test_random_fill;
	c.random_arg = &rng;
	ck_assert_int_eq(engine_config_validate(&c, why, sizeof(why)), 0);
	for (size_t i = 0; i < 4; i++) {
		d = c;
		d.refuse_tunnel = bad_tunnel[i];
		expect_invalid(&d, "tunnel refusal");
		d = c;
		d.refuse_session = bad_session[i];
		expect_invalid(&d, "session refusal");
	}
	for (size_t i = 0; i < 3; i++) {
		d = c;
		d.refuse_session = good_session[i];
		d.refuse_tunnel = (struct engine_refusal){ 2, i == 1 ? 7 : 4 };
		ck_assert_int_eq(engine_config_validate(&d, why, sizeof(why)), 0);
	}
	d = c;
	d.xport.rtx_cap_ms = 7999;
	expect_invalid(&d, "8000");
	d.xport.rtx_cap_ms = 8000;
	ck_assert_int_eq(engine_config_validate(&d, why, sizeof(why)), 0);
	d.random = NULL;
	expect_invalid(&d, "random");
}
END_TEST

START_TEST(test_config_receive_window_validated)
{
	static const uint16_t bad[] = { 0, 257, 65535 }, good[] = { 1, 4, 256 };
	struct probe *p = probe_new(216);
	char why[128];

	for (size_t i = 0; i < 3; i++) {
		p->cfg.xport.rwin = bad[i];
		expect_invalid(&p->cfg, "receive window: 1 to 256");
		p->cfg.xport.rwin = good[i];
		ck_assert_int_eq(engine_config_validate(&p->cfg, why, sizeof(why)), 0);
	}
	probe_free(p);
}
END_TEST

/* ---------------------------------------------------------------------- IDs ---- */

static void zero_random(void *arg, void *buf, size_t n)
{
	memset(buf, 0, n);
}

static void constant_random(void *arg, void *buf, size_t n)
{
	memset(buf, 0x42, n);
}

/* Tunnel and session IDs are never 0 (RFC 2661 §4.4.3, §4.4.4), whatever the random source. */
START_TEST(test_ids_never_zero)
{
	struct probe *p = probe_new(211);
	const struct l2tp_msg *r;
	struct l2tp_msg m;

	p->cfg.random = zero_random;
	p->cfg.limits.max_tunnels = 2;
	probe_start(p);
	probe_accept_tunnel(p);
	ck_assert_uint_eq(p->tid, 1);
	ck_assert_uint_eq(probe_lns_call(p, 0x10), 1);
	ck_assert_uint_eq(probe_lns_call(p, 0x11), 2);
	other_peer(p, 3, 0x5000);
	probe_accept_tunnel(p);
	ck_assert_uint_eq(p->tid, 2);
	ck_assert_uint_eq(probe_lns_call(p, 0x10), 1);
	/* A refusal's stand-in ID is not 0 either. */
	other_peer(p, 4, 0x6000);
	probe_sccrq(p, &m);
	probe_send(p, &m);
	r = probe_expect(p, L2TP_MSG_STOPCCN);
	ck_assert_uint_eq(r->assigned_tunnel_id, 1);
	probe_free(p);
}
END_TEST

/* Runs the engine's timers until nothing is scheduled (an unanswered tunnel gives up). */
static void run_out(struct probe *p)
{
	while (engine_next_deadline(p->e) != UINT64_MAX)
		probe_tick(p, engine_next_deadline(p->e));
}

START_TEST(test_tunnel_id_quarantine)
{
	struct probe *p = probe_new(212);

	p->cfg.random = constant_random;
	probe_start(p);
	probe_opened(p);
	ck_assert_uint_eq(p->tid, 0x4242);
	run_out(p);
	ck_assert_uint_eq(p->now, T0 + 31000);
	probe_opened(p);
	ck_assert_uint_ne(p->tid, 0x4242);
	run_out(p);
	/* 0x4242 is out of quarantine 60 s after it was freed, not a millisecond before. */
	p->now = T0 + 31000 + 60000 - 1;
	probe_opened(p);
	ck_assert_uint_ne(p->tid, 0x4242);
	p->now++;
	probe_opened(p);
	ck_assert_uint_eq(p->tid, 0x4242);
	probe_free(p);
}
END_TEST

START_TEST(test_session_id_quarantine)
{
	struct probe *p = probe_new(213);
	struct l2tp_msg m;
	uint16_t sid;

	p->cfg.random = constant_random;
	probe_start(p);
	probe_accept_tunnel(p);
	sid = probe_lns_call(p, 0x10);
	ck_assert_uint_eq(sid, 0x4242);
	probe_cdn(p, &m, sid, 0x10, L2TP_RC_CDN_LOST_CARRIER, 0);
	probe_send(p, &m);
	ck_assert_uint_ne(probe_lns_call(p, 0x11), 0x4242);
	p->now = T0 + 60000 - 1;
	ck_assert_uint_ne(probe_lns_call(p, 0x12), 0x4242);
	p->now++;
	ck_assert_uint_eq(probe_lns_call(p, 0x13), 0x4242);
	probe_free(p);
}
END_TEST

Suite *suite_engine_limits(void)
{
	Suite *s = suite_create("engine_limits");
	TCase *lim = tcase_create("limits");
	TCase *ids = tcase_create("ids");

	tcase_add_test(lim, test_max_tunnels_refused_stateless);
	tcase_add_test(lim, test_max_tunnels_try_another);
	tcase_add_test(lim, test_accept_tunnels_false);
	tcase_add_test(lim, test_bad_sccrq_refused_stateless);
	tcase_add_test(lim, test_max_sessions_per_tunnel);
	tcase_add_test(lim, test_max_sessions_in_all);
	tcase_add_test(lim, test_session_rate_burst_then_refill);
	tcase_add_test(lim, test_session_refusal_codes);
	tcase_add_test(lim, test_ocrq_refused_when_not_accepting);
	tcase_add_test(lim, test_config_refusal_codes_validated);
	tcase_add_test(ids, test_ids_never_zero);
	tcase_add_test(ids, test_tunnel_id_quarantine);
	tcase_add_test(ids, test_session_id_quarantine);
	tcase_add_test(lim, test_config_receive_window_validated);
	suite_add_tcase(s, lim);
	suite_add_tcase(s, ids);
	return s;
}
