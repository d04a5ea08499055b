/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reliable control transport, sending side: first transmission, the retransmission
 * schedule, acknowledgements, and the send and congestion windows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "xport_fixture.h"

START_TEST(test_initial_state)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	ck_assert_uint_eq(f.x.cwnd, 1);
	ck_assert_uint_eq(f.x.ssthresh, 4);
	ck_assert_uint_eq(f.x.peer_rwin, 4);
	ck_assert_uint_eq(f.x.ns_next, 0);
	ck_assert_uint_eq(f.x.nr, 0);
	ck_assert(!f.x.ack_due);
	ck_assert(!f.x.failed);
	ck_assert(xport_idle(&f.x));
	ck_assert(xport_deadline(&f.x) == UINT64_MAX);
	ck_assert_uint_eq(xport_heap_bytes(&f.x), 0);
	ck_assert(xport_tick(&f.x, &f.cfg, 100000, &f.out));
	ck_assert_uint_eq(f.n, 0);
}
END_TEST

START_TEST(test_first_send_writes_ns_nr_into_a_copy)
{
	uint8_t m[MSG_LEN];
	struct fx f;

	fx_init(&f, &default_cfg);
	make_msg(m, 0x5a);
	ck_assert_int_eq(xport_enqueue(&f.x, &f.cfg, 0, m, sizeof(m), &f.out), 0);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].flags, 0xc802);
	ck_assert_uint_eq(f.s[0].length, MSG_LEN);
	ck_assert_uint_eq(f.s[0].tid, PEER_TID);
	ck_assert_uint_eq(f.s[0].sid, 7);
	ck_assert_uint_eq(f.s[0].ns, 0);
	ck_assert_uint_eq(f.s[0].nr, 0);
	ck_assert_uint_eq(f.s[0].len, MSG_LEN);
	ck_assert_uint_eq(f.s[0].payload[0], 0x5a);
	ck_assert_uint_eq(f.s[0].payload[MSG_LEN - 13], 0x5a);
	/* The caller's buffer is left alone. */
	ck_assert_uint_eq(m[8], 0xaa);
	ck_assert_uint_eq(m[11], 0xbb);
	ck_assert_uint_eq(f.x.ns_next, 1);
	ck_assert_uint_eq(f.x.stats.sent, 1);
	ck_assert_uint_eq(xport_deadline(&f.x), 1000);
	ck_assert(!xport_idle(&f.x));
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_enqueue_refuses_message_shorter_than_header)
{
	uint8_t m[MSG_LEN];
	struct fx f;

	fx_init(&f, &default_cfg);
	make_msg(m, 0);
	ck_assert_int_eq(xport_enqueue(&f.x, &f.cfg, 0, m, 11, &f.out), -EINVAL);
	ck_assert_uint_eq(f.n, 0);
	ck_assert_uint_eq(f.x.ns_next, 0);
	ck_assert(xport_idle(&f.x));
	ck_assert_uint_eq(xport_heap_bytes(&f.x), 0);
	/* A bare header is the shortest message the transport can number. */
	ck_assert_int_eq(xport_enqueue(&f.x, &f.cfg, 0, m, 12, &f.out), 0);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].len, 12);
	xport_destroy(&f.x);
}
END_TEST

/* Sends one message at 0 and checks every retransmission to the millisecond, then the failure. */
static void check_schedule(const struct xport_config *cfg, const uint64_t *at, size_t n, uint64_t fail_at)
{
	struct fx f;
	size_t i;

	fx_init(&f, cfg);
	send_msg(&f, 0);
	ck_assert_uint_eq(xport_deadline(&f.x), n ? at[0] : fail_at);
	for (i = 0; i < n; i++) {
		rec_clear(&f);
		ck_assert(xport_tick(&f.x, &f.cfg, at[i] - 1, &f.out));
		ck_assert_uint_eq(f.n, 0);
		ck_assert(xport_tick(&f.x, &f.cfg, at[i], &f.out));
		ck_assert_uint_eq(f.n, 1);
		ck_assert_uint_eq(f.s[0].ns, 0);
		ck_assert_uint_eq(f.x.retries, i + 1);
		ck_assert_uint_eq(xport_deadline(&f.x), i + 1 < n ? at[i + 1] : fail_at);
	}
	rec_clear(&f);
	ck_assert(xport_tick(&f.x, &f.cfg, fail_at - 1, &f.out));
	ck_assert(!f.x.failed);
	ck_assert(!xport_tick(&f.x, &f.cfg, fail_at, &f.out));
	ck_assert(f.x.failed);
	ck_assert(xport_deadline(&f.x) == UINT64_MAX);
	ck_assert(!xport_tick(&f.x, &f.cfg, fail_at + 100000, &f.out));
	ck_assert_uint_eq(f.n, 0);
	ck_assert_uint_eq(f.x.stats.retransmitted, n);
	ck_assert_uint_eq(f.x.stats.sent, 1);
	ck_assert_uint_eq(xport_full_cycle_ms(cfg), fail_at);
	xport_destroy(&f.x);
}

START_TEST(test_rtx_schedule_default_1_2_4_8_8_8)
{
	static const uint64_t at[] = { 1000, 3000, 7000, 15000, 23000 };

	check_schedule(&default_cfg, at, 5, 31000);
}
END_TEST

START_TEST(test_rtx_schedule_cap_16000_three_retries)
{
	static const struct xport_config cfg = {
		.rwin = 4, .rtx_initial_ms = 1000, .rtx_cap_ms = 16000, .rtx_retries = 3
	};
	static const uint64_t at[] = { 1000, 3000, 7000 };

	check_schedule(&cfg, at, 3, 15000);
}
END_TEST

START_TEST(test_rtx_schedule_initial_500_six_retries)
{
	static const struct xport_config cfg = {
		.rwin = 4, .rtx_initial_ms = 500, .rtx_cap_ms = 8000, .rtx_retries = 6
	};
	static const uint64_t at[] = { 500, 1500, 3500, 7500, 15500, 23500 };

	check_schedule(&cfg, at, 6, 31500);
}
END_TEST

START_TEST(test_rtx_zero_retries_fails_at_first_timeout)
{
	static const struct xport_config cfg = {
		.rwin = 4, .rtx_initial_ms = 1000, .rtx_cap_ms = 8000, .rtx_retries = 0
	};

	check_schedule(&cfg, NULL, 0, 1000);
}
END_TEST

START_TEST(test_rtx_late_tick_backs_off_from_now)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	send_msg(&f, 0);
	ck_assert(xport_tick(&f.x, &f.cfg, 1700, &f.out));
	ck_assert_uint_eq(f.n, 2);
	ck_assert_uint_eq(xport_deadline(&f.x), 1700 + 2000);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_rtx_backoff_shift_does_not_overflow)
{
	static const struct xport_config cfg = {
		.rwin = 4, .rtx_initial_ms = 1000, .rtx_cap_ms = 8000, .rtx_retries = 40
	};
	static const struct xport_config huge = {
		.rwin = 4, .rtx_initial_ms = UINT32_MAX, .rtx_cap_ms = UINT32_MAX, .rtx_retries = 255
	};
	struct fx f;
	uint64_t now;

	fx_init(&f, &cfg);
	send_msg(&f, 0);
	while (xport_deadline(&f.x) != UINT64_MAX) {
		now = xport_deadline(&f.x);
		if (xport_tick(&f.x, &f.cfg, now, &f.out)) {
			uint64_t want = f.x.retries < 3 ? 1000ull << f.x.retries : 8000;

			ck_assert_uint_eq(xport_deadline(&f.x) - now, want);
		}
		rec_clear(&f);
	}
	ck_assert(f.x.failed);
	ck_assert_uint_eq(f.x.stats.retransmitted, 40);
	ck_assert_uint_eq(xport_full_cycle_ms(&cfg), 7000 + 38 * 8000);
	ck_assert_uint_eq(xport_full_cycle_ms(&huge), 256ull * UINT32_MAX);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_retransmission_refreshes_nr)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	send_msg(&f, 0);
	ck_assert_uint_eq(f.s[0].nr, 0);
	ck_assert_int_eq(rx(&f, 10, 0, 0), XPORT_RX_DELIVER);
	ck_assert_int_eq(rx(&f, 20, 1, 0), XPORT_RX_DELIVER);
	ck_assert(f.x.ack_due);
	rec_clear(&f);
	ck_assert(xport_tick(&f.x, &f.cfg, 1000, &f.out));
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].ns, 0);
	ck_assert_uint_eq(f.s[0].nr, 2);
	ck_assert_uint_eq(f.s[0].payload[0], 0x5a);
	/* The retransmission carried the acknowledgement. */
	ck_assert(!f.x.ack_due);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_retransmits_only_the_head)
{
	struct fx f;
	int i;

	fx_init(&f, &default_cfg);
	for (i = 0; i < 6; i++)
		send_msg(&f, 0);
	ack_head(&f, 0);
	ack_head(&f, 0);
	ack_head(&f, 0);
	ck_assert_uint_eq(f.x.n_unacked, 3);
	ck_assert_uint_eq(f.x.cwnd, 4);
	rec_clear(&f);
	ck_assert(xport_tick(&f.x, &f.cfg, 1000, &f.out));
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].ns, 3);
	ck_assert_uint_eq(f.x.stats.retransmitted, 1);
	ck_assert_uint_eq(f.x.cwnd, 1);
	ck_assert_uint_eq(f.x.ssthresh, 2);
	ck_assert_uint_eq(f.x.n_unacked, 3);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_ack_frees_queue_and_resets_timer)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	send_msg(&f, 0);
	send_msg(&f, 0);
	ck_assert_uint_eq(f.n, 1);
	ck_assert(xport_tick(&f.x, &f.cfg, 1000, &f.out));
	ck_assert_uint_eq(f.x.retries, 1);
	ck_assert_uint_eq(xport_deadline(&f.x), 3000);
	rec_clear(&f);
	ck_assert_int_eq(rx_zlb(&f, 1500, 1), XPORT_RX_ZLB);
	/* The ack opened the window for Ns 1 and restarted the timer from scratch. */
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].ns, 1);
	ck_assert_uint_eq(f.x.retries, 0);
	ck_assert_uint_eq(xport_deadline(&f.x), 2500);
	ck_assert_uint_eq(xport_heap_bytes(&f.x), sizeof(struct xport_pkt) + MSG_LEN);
	rec_clear(&f);
	ck_assert(xport_tick(&f.x, &f.cfg, 2499, &f.out));
	ck_assert_uint_eq(f.n, 0);
	ck_assert(xport_tick(&f.x, &f.cfg, 2500, &f.out));
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(xport_deadline(&f.x), 4500);
	ck_assert_int_eq(rx_zlb(&f, 2600, 2), XPORT_RX_ZLB);
	ck_assert(xport_idle(&f.x));
	ck_assert_uint_eq(f.x.n_unacked, 0);
	ck_assert_uint_eq(f.x.retries, 0);
	ck_assert(xport_deadline(&f.x) == UINT64_MAX);
	ck_assert_uint_eq(xport_heap_bytes(&f.x), 0);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_timer_not_restarted_by_later_send)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	send_msg(&f, 0);
	ack_head(&f, 100);
	ck_assert_uint_eq(f.x.cwnd, 2);
	ck_assert(xport_deadline(&f.x) == UINT64_MAX);
	send_msg(&f, 200);
	ck_assert_uint_eq(xport_deadline(&f.x), 1200);
	send_msg(&f, 700);
	ck_assert_uint_eq(f.n, 3);
	ck_assert_uint_eq(f.x.n_unacked, 2);
	ck_assert_uint_eq(xport_deadline(&f.x), 1200);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_partial_ack_restarts_timer)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	send_msg(&f, 0);
	ack_head(&f, 0);
	send_msg(&f, 100);
	send_msg(&f, 100);
	ck_assert_uint_eq(f.x.n_unacked, 2);
	ck_assert_uint_eq(xport_deadline(&f.x), 1100);
	/* Ns 1 acknowledged at 600, Ns 2 still out: its timeout counts from the acknowledgement. */
	ack_head(&f, 600);
	ck_assert_uint_eq(f.x.n_unacked, 1);
	ck_assert_uint_eq(xport_deadline(&f.x), 1600);
	rec_clear(&f);
	ck_assert(xport_tick(&f.x, &f.cfg, 1599, &f.out));
	ck_assert_uint_eq(f.n, 0);
	ck_assert(xport_tick(&f.x, &f.cfg, 1600, &f.out));
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].ns, 2);
	xport_destroy(&f.x);
}
END_TEST

/* Every transmission so far was a first one, in Ns order from 0, carrying Nr 0. */
static void assert_sent_in_order(const struct fx *f, size_t n)
{
	size_t i;

	ck_assert_uint_eq(f->n, n);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(f->s[i].ns, i);
		ck_assert_uint_eq(f->s[i].nr, 0);
	}
}

START_TEST(test_slow_start_1_2_3_4_capped_by_peer_window)
{
	static const uint16_t cwnd[] = { 2, 3, 4, 4, 4, 4, 4, 4 };
	struct fx f;
	size_t i;

	fx_init(&f, &default_cfg);
	for (i = 0; i < 16; i++)
		send_msg(&f, 0);
	ck_assert_uint_eq(f.n, 1);
	for (i = 0; i < 8; i++) {
		ack_head(&f, 0);
		ck_assert_uint_eq(f.x.cwnd, cwnd[i]);
		ck_assert_uint_eq(f.x.n_unacked, cwnd[i]);
		ck_assert_uint_eq(f.x.ssthresh, 4);
	}
	/* 8 acknowledged, 4 in flight. */
	assert_sent_in_order(&f, 12);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_slow_start_capped_by_peer_window_2)
{
	struct fx f;
	size_t i;

	fx_init(&f, &default_cfg);
	xport_set_peer_window(&f.x, 2);
	ck_assert_uint_eq(f.x.ssthresh, 2);
	for (i = 0; i < 10; i++)
		send_msg(&f, 0);
	for (i = 0; i < 6; i++) {
		ack_head(&f, 0);
		ck_assert_uint_eq(f.x.cwnd, 2);
		ck_assert_uint_eq(f.x.n_unacked, 2);
	}
	assert_sent_in_order(&f, 8);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_set_peer_window_clamps_cwnd)
{
	struct fx f;
	int i;

	fx_init(&f, &default_cfg);
	for (i = 0; i < 8; i++)
		send_msg(&f, 0);
	for (i = 0; i < 3; i++)
		ack_head(&f, 0);
	ck_assert_uint_eq(f.x.cwnd, 4);
	xport_set_peer_window(&f.x, 2);
	ck_assert_uint_eq(f.x.cwnd, 2);
	ck_assert_uint_eq(f.x.ssthresh, 2);
	ck_assert_uint_eq(f.x.peer_rwin, 2);
	/* 0 is invalid (§5.8); the window stays as it was. */
	xport_set_peer_window(&f.x, 0);
	ck_assert_uint_eq(f.x.peer_rwin, 2);
	/* 4 in flight from before: nothing new leaves until fewer than 2 are outstanding. */
	rec_clear(&f);
	ack_head(&f, 0);
	ack_head(&f, 0);
	ck_assert_uint_eq(f.n, 0);
	ack_head(&f, 0);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].ns, 7);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_congestion_avoidance_after_loss_peer_window_8)
{
	/* Slow start 1 -> 2 (SSTHRESH 2), then +1 per CWND acks up to the peer's 8. */
	static const uint16_t cwnd[36] = { 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 5, 6, 6, 6, 6,
					   6, 6, 7, 7, 7, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8 };
	struct fx f;
	size_t i;

	fx_init(&f, &default_cfg);
	xport_set_peer_window(&f.x, 8);
	for (i = 0; i < 60; i++)
		send_msg(&f, 0);
	for (i = 0; i < 3; i++)
		ack_head(&f, 0);
	ck_assert_uint_eq(f.x.cwnd, 4);
	ck_assert_uint_eq(f.x.n_unacked, 4);
	rec_clear(&f);
	ck_assert(xport_tick(&f.x, &f.cfg, 1000, &f.out));
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].ns, 3);
	ck_assert_uint_eq(f.x.ssthresh, 2);
	ck_assert_uint_eq(f.x.cwnd, 1);
	for (i = 0; i < 36; i++) {
		ack_head(&f, 1100);
		ck_assert_uint_eq(f.x.cwnd, cwnd[i]);
		ck_assert_uint_eq(f.x.ssthresh, 2);
		ck_assert_uint_le(f.x.n_unacked, 8);
	}
	ck_assert_uint_eq(f.x.n_unacked, 8);
	ck_assert_uint_eq(f.x.ca_acks, 0);
	ck_assert_uint_eq(f.x.retries, 0);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_pending_sent_in_ns_order_as_window_opens)
{
	struct fx f;
	int i;

	fx_init(&f, &default_cfg);
	for (i = 0; i < 10; i++)
		send_msg(&f, 0);
	ck_assert_uint_eq(f.x.n_unacked, 1);
	ck_assert_ptr_nonnull(f.x.pending);
	ck_assert_uint_eq(f.x.pending->ns, 1);
	/* One Nr acknowledging several at once. */
	ck_assert_int_eq(rx_zlb(&f, 0, 1), XPORT_RX_ZLB);
	ck_assert_int_eq(rx_zlb(&f, 0, 3), XPORT_RX_ZLB);
	ck_assert_uint_eq(f.x.cwnd, 4);
	ck_assert_uint_eq(f.x.n_unacked, 4);
	ck_assert_int_eq(rx_zlb(&f, 0, 7), XPORT_RX_ZLB);
	ck_assert_int_eq(rx_zlb(&f, 0, 10), XPORT_RX_ZLB);
	assert_sent_in_order(&f, 10);
	ck_assert(xport_idle(&f.x));
	ck_assert_ptr_null(f.x.pending);
	ck_assert_ptr_null(f.x.pending_tail);
	ck_assert_ptr_null(f.x.unacked_tail);
	ck_assert_uint_eq(f.x.stats.sent, 10);
	/* The queues work again after draining. */
	send_msg(&f, 5);
	ck_assert_uint_eq(last(&f)->ns, 10);
	xport_destroy(&f.x);
}
END_TEST

Suite *suite_xport(void)
{
	Suite *s = suite_create("xport");
	TCase *tc = tcase_create("send");

	tcase_add_test(tc, test_initial_state);
	tcase_add_test(tc, test_first_send_writes_ns_nr_into_a_copy);
	tcase_add_test(tc, test_enqueue_refuses_message_shorter_than_header);
	tcase_add_test(tc, test_rtx_schedule_default_1_2_4_8_8_8);
	tcase_add_test(tc, test_rtx_schedule_cap_16000_three_retries);
	tcase_add_test(tc, test_rtx_schedule_initial_500_six_retries);
	tcase_add_test(tc, test_rtx_zero_retries_fails_at_first_timeout);
	tcase_add_test(tc, test_rtx_late_tick_backs_off_from_now);
	tcase_add_test(tc, test_rtx_backoff_shift_does_not_overflow);
	tcase_add_test(tc, test_retransmission_refreshes_nr);
	tcase_add_test(tc, test_retransmits_only_the_head);
	tcase_add_test(tc, test_ack_frees_queue_and_resets_timer);
	tcase_add_test(tc, test_timer_not_restarted_by_later_send);
	tcase_add_test(tc, test_partial_ack_restarts_timer);
	tcase_add_test(tc, test_slow_start_1_2_3_4_capped_by_peer_window);
	tcase_add_test(tc, test_slow_start_capped_by_peer_window_2);
	tcase_add_test(tc, test_set_peer_window_clamps_cwnd);
	tcase_add_test(tc, test_congestion_avoidance_after_loss_peer_window_8);
	tcase_add_test(tc, test_pending_sent_in_ns_order_as_window_opens);
	suite_add_tcase(s, tc);
	return s;
}
