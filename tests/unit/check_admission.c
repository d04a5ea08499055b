/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "admission.h"
#include "suites.h"

START_TEST(test_tunnel_limit_boundary)
{
	struct admission_limits l = { .max_tunnels = 10 };

	ck_assert_int_eq(admission_tunnel(&l, 0), ADMIT);
	ck_assert_int_eq(admission_tunnel(&l, 9), ADMIT);
	ck_assert_int_eq(admission_tunnel(&l, 10), REFUSE_TUNNELS);
	ck_assert_int_eq(admission_tunnel(&l, 11), REFUSE_TUNNELS);
	l.max_tunnels = 1;
	ck_assert_int_eq(admission_tunnel(&l, 0), ADMIT);
	ck_assert_int_eq(admission_tunnel(&l, 1), REFUSE_TUNNELS);
}
END_TEST

START_TEST(test_zero_limits_are_unlimited)
{
	struct admission_limits l = { 0 };
	struct admission a;
	int i;

	admission_init(&a);
	ck_assert_int_eq(admission_tunnel(&l, UINT32_MAX), ADMIT);
	for (i = 0; i < 10000; i++) {
		if (admission_session(&a, &l, 0, UINT32_MAX, UINT32_MAX) != ADMIT)
			ck_abort_msg("session %d refused", i);
	}
	/* Without a rate limit the bucket is never touched. */
	ck_assert(!a.started);
}
END_TEST

START_TEST(test_sessions_per_tunnel_boundary)
{
	struct admission_limits l = { .max_sessions_per_tunnel = 5 };
	struct admission a;

	admission_init(&a);
	ck_assert_int_eq(admission_session(&a, &l, 0, 4, 1000000), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 0, 5, 0), REFUSE_TUNNEL_SESSIONS);
	ck_assert_int_eq(admission_session(&a, &l, 0, 6, 0), REFUSE_TUNNEL_SESSIONS);
}
END_TEST

START_TEST(test_sessions_total_boundary)
{
	struct admission_limits l = { .max_sessions = 100 };
	struct admission a;

	admission_init(&a);
	ck_assert_int_eq(admission_session(&a, &l, 0, 1000000, 99), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 0, 0, 100), REFUSE_SESSIONS);
	ck_assert_int_eq(admission_session(&a, &l, 0, 0, 101), REFUSE_SESSIONS);
}
END_TEST

START_TEST(test_checks_in_order)
{
	struct admission_limits l = { .max_sessions_per_tunnel = 2, .max_sessions = 3, .session_rate = 1 };
	struct admission a;

	admission_init(&a);
	ck_assert_int_eq(admission_session(&a, &l, 0, 0, 0), ADMIT);
	/* The bucket is empty now; the per-tunnel limit is reported first, then the total. */
	ck_assert_int_eq(admission_session(&a, &l, 0, 2, 3), REFUSE_TUNNEL_SESSIONS);
	ck_assert_int_eq(admission_session(&a, &l, 0, 1, 3), REFUSE_SESSIONS);
	ck_assert_int_eq(admission_session(&a, &l, 0, 1, 2), REFUSE_RATE);
}
END_TEST

START_TEST(test_rate_burst_then_refill)
{
	struct admission_limits l = { .session_rate = 10 };
	struct admission a;
	int i;

	admission_init(&a);
	/* The bucket starts full: a burst of "rate" sessions at once. */
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(admission_session(&a, &l, 5000, 0, 0), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 5000, 0, 0), REFUSE_RATE);
	/* One token per 1000 / 10 = 100 ms, not a millisecond earlier. */
	ck_assert_int_eq(admission_session(&a, &l, 5099, 0, 0), REFUSE_RATE);
	ck_assert_int_eq(admission_session(&a, &l, 5100, 0, 0), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 5100, 0, 0), REFUSE_RATE);
	ck_assert_int_eq(admission_session(&a, &l, 5199, 0, 0), REFUSE_RATE);
	ck_assert_int_eq(admission_session(&a, &l, 5200, 0, 0), ADMIT);
	/* A long pause refills only up to the depth. */
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(admission_session(&a, &l, 100000, 0, 0), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 100000, 0, 0), REFUSE_RATE);
}
END_TEST

START_TEST(test_burst_sets_depth)
{
	struct admission_limits l = { .session_rate = 10, .session_burst = 3 };
	struct admission a;
	int i;

	admission_init(&a);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(admission_session(&a, &l, 0, 0, 0), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 0, 0, 0), REFUSE_RATE);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(admission_session(&a, &l, 10000, 0, 0), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 10000, 0, 0), REFUSE_RATE);
	ck_assert_uint_eq(a.tokens_milli, 0);
}
END_TEST

START_TEST(test_rate_not_dividing_a_second)
{
	struct admission_limits l = { .session_rate = 3, .session_burst = 2 };
	struct admission a;

	/* 3 per second: 3 milli-tokens per ms, so a token takes 333.3 ms and the rest carries. */
	admission_init(&a);
	ck_assert_int_eq(admission_session(&a, &l, 0, 0, 0), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 0, 0, 0), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 333, 0, 0), REFUSE_RATE);
	ck_assert_uint_eq(a.tokens_milli, 999);
	ck_assert_int_eq(admission_session(&a, &l, 334, 0, 0), ADMIT);
	ck_assert_uint_eq(a.tokens_milli, 2);
	ck_assert_int_eq(admission_session(&a, &l, 666, 0, 0), REFUSE_RATE);
	ck_assert_int_eq(admission_session(&a, &l, 667, 0, 0), ADMIT);
	ck_assert_uint_eq(a.tokens_milli, 1);
}
END_TEST

START_TEST(test_refused_sessions_cost_nothing)
{
	struct admission_limits l = { .max_sessions_per_tunnel = 4, .max_sessions = 8, .session_rate = 2 };
	struct admission a;
	int i;

	admission_init(&a);
	ck_assert_int_eq(admission_session(&a, &l, 0, 0, 0), ADMIT);
	for (i = 0; i < 50; i++) {
		ck_assert_int_eq(admission_session(&a, &l, 0, 4, 0), REFUSE_TUNNEL_SESSIONS);
		ck_assert_int_eq(admission_session(&a, &l, 0, 0, 8), REFUSE_SESSIONS);
	}
	/* The second token is still there. */
	ck_assert_int_eq(admission_session(&a, &l, 0, 0, 0), ADMIT);
	/* Refusals for rate do not dig the bucket below empty either. */
	for (i = 0; i < 50; i++)
		ck_assert_int_eq(admission_session(&a, &l, 0, 0, 0), REFUSE_RATE);
	ck_assert_int_eq(admission_session(&a, &l, 500, 0, 0), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 500, 0, 0), REFUSE_RATE);
}
END_TEST

START_TEST(test_bucket_starts_full_at_any_time)
{
	struct admission_limits l = { .session_rate = 5, .session_burst = 2 };
	struct admission a;

	admission_init(&a);
	ck_assert_int_eq(admission_session(&a, &l, 123456789, 0, 0), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 123456789, 0, 0), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 123456789, 0, 0), REFUSE_RATE);
}
END_TEST

START_TEST(test_time_going_backwards)
{
	struct admission_limits l = { .session_rate = 10, .session_burst = 1 };
	struct admission a;

	admission_init(&a);
	ck_assert_int_eq(admission_session(&a, &l, 10000, 0, 0), ADMIT);
	/* Back in time: no tokens appear from it. */
	ck_assert_int_eq(admission_session(&a, &l, 5000, 0, 0), REFUSE_RATE);
	ck_assert_int_eq(admission_session(&a, &l, 0, 0, 0), REFUSE_RATE);
	ck_assert_uint_eq(a.tokens_milli, 0);
	/* Refill runs from the new reading instead of waiting for the old one. */
	ck_assert_int_eq(admission_session(&a, &l, 99, 0, 0), REFUSE_RATE);
	ck_assert_int_eq(admission_session(&a, &l, 100, 0, 0), ADMIT);
}
END_TEST

START_TEST(test_huge_elapsed_does_not_overflow)
{
	struct admission_limits l = { .session_rate = 2, .session_burst = 1 };
	struct admission a;

	/* 2^63 ms * 2 wraps to 0 in 64 bits: a naive refill would stay empty. */
	admission_init(&a);
	ck_assert_int_eq(admission_session(&a, &l, 0, 0, 0), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 1ull << 63, 0, 0), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 1ull << 63, 0, 0), REFUSE_RATE);
	l.session_rate = UINT32_MAX;
	l.session_burst = UINT32_MAX;
	ck_assert_int_eq(admission_session(&a, &l, UINT64_MAX, 0, 0), ADMIT);
	ck_assert_uint_eq(a.tokens_milli, (uint64_t)UINT32_MAX * 1000 - 1000);
}
END_TEST

START_TEST(test_smaller_burst_on_reload)
{
	struct admission_limits l = { .session_rate = 100 };
	struct admission a;
	int i;

	admission_init(&a);
	ck_assert_int_eq(admission_session(&a, &l, 0, 0, 0), ADMIT);
	/* The limits shrink to a depth of 2 with 99 tokens in the bucket: 2 remain usable. */
	l.session_burst = 2;
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(admission_session(&a, &l, 0, 0, 0), ADMIT);
	ck_assert_int_eq(admission_session(&a, &l, 0, 0, 0), REFUSE_RATE);
}
END_TEST

START_TEST(test_verdict_names)
{
	ck_assert_str_eq(admission_verdict_name(ADMIT), "admitted");
	ck_assert_str_eq(admission_verdict_name(REFUSE_TUNNELS), "tunnel limit");
	ck_assert_str_eq(admission_verdict_name(REFUSE_TUNNEL_SESSIONS), "per-tunnel session limit");
	ck_assert_str_eq(admission_verdict_name(REFUSE_SESSIONS), "session limit");
	ck_assert_str_eq(admission_verdict_name(REFUSE_RATE), "session rate limit");
	ck_assert_str_eq(admission_verdict_name((enum admission_verdict)99), "unknown");
}
END_TEST

Suite *suite_admission(void)
{
	Suite *s = suite_create("admission");
	TCase *limits = tcase_create("limits");
	TCase *rate = tcase_create("rate");

	tcase_add_test(limits, test_tunnel_limit_boundary);
	tcase_add_test(limits, test_zero_limits_are_unlimited);
	tcase_add_test(limits, test_sessions_per_tunnel_boundary);
	tcase_add_test(limits, test_sessions_total_boundary);
	tcase_add_test(limits, test_checks_in_order);
	tcase_add_test(limits, test_verdict_names);
	suite_add_tcase(s, limits);

	tcase_add_test(rate, test_rate_burst_then_refill);
	tcase_add_test(rate, test_burst_sets_depth);
	tcase_add_test(rate, test_rate_not_dividing_a_second);
	tcase_add_test(rate, test_refused_sessions_cost_nothing);
	tcase_add_test(rate, test_bucket_starts_full_at_any_time);
	tcase_add_test(rate, test_time_going_backwards);
	tcase_add_test(rate, test_huge_elapsed_does_not_overflow);
	tcase_add_test(rate, test_smaller_burst_on_reload);
	suite_add_tcase(s, rate);
	return s;
}
