/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reliable control transport, receiving side: duplicates and the wrap at 65535, holding
 * messages ahead of sequence, ZLBs and piggybacked acknowledgements, failure and accounting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "xport_fixture.h"

static void assert_zlb(const struct sent *s, uint16_t ns, uint16_t nr)
{
	ck_assert_uint_eq(s->flags, 0xc802);
	ck_assert_uint_eq(s->length, 12);
	ck_assert_uint_eq(s->len, 12);
	ck_assert_uint_eq(s->tid, PEER_TID);
	ck_assert_uint_eq(s->sid, 0);
	ck_assert_uint_eq(s->ns, ns);
	ck_assert_uint_eq(s->nr, nr);
}

START_TEST(test_duplicate_is_acknowledged_with_zlb)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	ck_assert_int_eq(rx(&f, 0, 0, 0), XPORT_RX_DELIVER);
	ck_assert_uint_eq(f.x.nr, 1);
	ck_assert(f.x.ack_due);
	xport_flush_ack(&f.x, PEER_TID, &f.out);
	ck_assert_uint_eq(f.n, 1);
	assert_zlb(&f.s[0], 0, 1);
	ck_assert(!f.x.ack_due);
	/* Our ZLB was lost and the peer resends: not processed again, but acknowledged again. */
	ck_assert_int_eq(rx(&f, 1000, 0, 0), XPORT_RX_DUPLICATE);
	ck_assert_uint_eq(f.x.nr, 1);
	ck_assert(f.x.ack_due);
	ck_assert_uint_eq(f.x.stats.duplicates, 1);
	ck_assert_uint_eq(f.x.stats.received, 1);
	xport_flush_ack(&f.x, PEER_TID, &f.out);
	ck_assert_uint_eq(f.n, 2);
	assert_zlb(&f.s[1], 0, 1);
	ck_assert_uint_eq(f.x.stats.zlb_sent, 2);
	ck_assert_uint_eq(f.x.stats.sent, 0);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_duplicate_and_delivery_across_65535_wrap)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	deliver_n(&f, 0, 65535);
	ck_assert_uint_eq(f.x.nr, 65535);
	ck_assert_int_eq(rx(&f, 0, 65535, 0), XPORT_RX_DELIVER);
	ck_assert_uint_eq(f.x.nr, 0);
	f.x.ack_due = false;
	ck_assert_int_eq(rx(&f, 0, 65535, 0), XPORT_RX_DUPLICATE);
	ck_assert(f.x.ack_due);
	ck_assert_int_eq(rx(&f, 0, 65534, 0), XPORT_RX_DUPLICATE);
	ck_assert_int_eq(rx(&f, 0, 0, 0), XPORT_RX_DELIVER);
	ck_assert_uint_eq(f.x.nr, 1);
	ck_assert_int_eq(rx(&f, 0, 65535, 0), XPORT_RX_DUPLICATE);
	ck_assert_int_eq(rx(&f, 0, 0, 0), XPORT_RX_DUPLICATE);
	ck_assert_uint_eq(f.x.stats.duplicates, 4);
	ck_assert_uint_eq(f.x.stats.received, 65537);
	xport_flush_ack(&f.x, PEER_TID, &f.out);
	assert_zlb(last(&f), 0, 1);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_duplicate_boundary_32768_behind)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	deliver_n(&f, 0, 100);
	/* Last received is 99: [99-32767, 99] = [32868, 99] mod 2^16 are duplicates (§5.8). */
	ck_assert_int_eq(rx(&f, 0, 99, 0), XPORT_RX_DUPLICATE);
	ck_assert_int_eq(rx(&f, 0, 32868, 0), XPORT_RX_DUPLICATE);
	ck_assert_int_eq(rx(&f, 0, 32867, 0), XPORT_RX_DROP);
	ck_assert_int_eq(rx(&f, 0, 101, 0), XPORT_RX_AHEAD);
	ck_assert_int_eq(rx(&f, 0, 103, 0), XPORT_RX_AHEAD);
	ck_assert_int_eq(rx(&f, 0, 104, 0), XPORT_RX_DROP);
	ck_assert_uint_eq(f.x.nr, 100);
	ck_assert_uint_eq(f.x.stats.duplicates, 2);
	ck_assert_uint_eq(f.x.stats.dropped, 2);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_duplicate_boundary_with_huge_window)
{
	static const struct xport_config cfg = {
		.rwin = 65535, .rtx_initial_ms = 1000, .rtx_cap_ms = 8000, .rtx_retries = 5
	};
	struct fx f;

	/* The duplicate rule wins over the window: 32768 ahead of Nr 0 is 32768 behind it. */
	fx_init(&f, &cfg);
	ck_assert_int_eq(rx(&f, 0, 32767, 0), XPORT_RX_AHEAD);
	ck_assert_int_eq(rx(&f, 0, 32768, 0), XPORT_RX_DUPLICATE);
	ck_assert_int_eq(rx(&f, 0, 65535, 0), XPORT_RX_DUPLICATE);
	ck_assert_int_eq(rx(&f, 0, 1, 0), XPORT_RX_AHEAD);
	xport_destroy(&f.x);
}
END_TEST

static void hold(struct fx *f, uint16_t ns, int want)
{
	uint8_t m[MSG_LEN];

	make_msg(m, (uint8_t)ns);
	ck_assert_int_eq(xport_hold(&f->x, &f->cfg, ns, m, sizeof(m)), want);
}

/* Takes the held message that is now in sequence and feeds it back as a new arrival. */
static void take_and_deliver(struct fx *f, uint16_t want_ns)
{
	struct xport_pkt *p = xport_take_held(&f->x);

	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_null(p->next);
	ck_assert_uint_eq(p->ns, want_ns);
	ck_assert_uint_eq(p->len, MSG_LEN);
	ck_assert_uint_eq(p->buf[12], (uint8_t)want_ns);
	ck_assert_int_eq(rx(f, 0, p->ns, 0), XPORT_RX_DELIVER);
	free(p);
}

START_TEST(test_ahead_held_and_delivered_in_order)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	ck_assert_int_eq(rx(&f, 0, 2, 0), XPORT_RX_AHEAD);
	hold(&f, 2, 0);
	ck_assert_int_eq(rx(&f, 0, 3, 0), XPORT_RX_AHEAD);
	hold(&f, 3, 0);
	ck_assert_int_eq(rx(&f, 0, 1, 0), XPORT_RX_AHEAD);
	hold(&f, 1, 0);
	ck_assert_int_eq(rx(&f, 0, 4, 0), XPORT_RX_DROP);
	ck_assert_uint_eq(f.x.n_held, 3);
	ck_assert_uint_eq(f.x.held->ns, 1);
	ck_assert_uint_eq(f.x.held->next->ns, 2);
	ck_assert_uint_eq(f.x.held->next->next->ns, 3);
	ck_assert_uint_eq(xport_heap_bytes(&f.x), 3 * (sizeof(struct xport_pkt) + MSG_LEN));
	ck_assert_uint_eq(f.x.nr, 0);
	/* Nothing is in sequence until Ns 0 arrives. */
	ck_assert_ptr_null(xport_take_held(&f.x));
	ck_assert_int_eq(rx(&f, 0, 0, 0), XPORT_RX_DELIVER);
	take_and_deliver(&f, 1);
	take_and_deliver(&f, 2);
	take_and_deliver(&f, 3);
	ck_assert_ptr_null(xport_take_held(&f.x));
	ck_assert_uint_eq(f.x.nr, 4);
	ck_assert_uint_eq(f.x.n_held, 0);
	ck_assert_uint_eq(f.x.stats.held, 3);
	ck_assert_uint_eq(f.x.stats.received, 4);
	ck_assert_uint_eq(f.x.stats.dropped, 1);
	ck_assert_uint_eq(xport_heap_bytes(&f.x), 0);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_hold_across_wrap_sorted_relative_to_nr)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	deliver_n(&f, 0, 65534);
	ck_assert_uint_eq(f.x.nr, 65534);
	hold(&f, 1, 0);
	hold(&f, 65535, 0);
	hold(&f, 0, 0);
	ck_assert_uint_eq(f.x.held->ns, 65535);
	ck_assert_uint_eq(f.x.held->next->ns, 0);
	ck_assert_uint_eq(f.x.held->next->next->ns, 1);
	ck_assert_int_eq(rx(&f, 0, 65534, 0), XPORT_RX_DELIVER);
	take_and_deliver(&f, 65535);
	take_and_deliver(&f, 0);
	take_and_deliver(&f, 1);
	ck_assert_uint_eq(f.x.nr, 2);
	ck_assert_uint_eq(f.x.n_held, 0);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_hold_refuses_same_ns_twice_and_outside_window)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	hold(&f, 2, 0);
	hold(&f, 2, -ENOBUFS);
	hold(&f, 0, -ENOBUFS);	   /* in sequence: not "ahead" */
	hold(&f, 4, -ENOBUFS);	   /* rwin 4: at most 3 ahead */
	hold(&f, 65535, -ENOBUFS); /* a duplicate */
	ck_assert_uint_eq(f.x.stats.dropped, 4);
	ck_assert_uint_eq(f.x.stats.held, 1);
	ck_assert_uint_eq(f.x.n_held, 1);
	ck_assert_uint_eq(xport_heap_bytes(&f.x), sizeof(struct xport_pkt) + MSG_LEN);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_take_held_discards_what_nr_moved_past)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	hold(&f, 2, 0);
	hold(&f, 3, 0);
	/* The peer resent 0..2 in order before we looked at the held copies. */
	deliver_n(&f, 0, 3);
	ck_assert_uint_eq(f.x.n_held, 2);
	take_and_deliver(&f, 3);
	ck_assert_uint_eq(f.x.n_held, 0);
	ck_assert_ptr_null(f.x.held);
	ck_assert_uint_eq(xport_heap_bytes(&f.x), 0);
	hold(&f, 6, 0);
	deliver_n(&f, 0, 3);
	ck_assert_ptr_null(xport_take_held(&f.x));
	ck_assert_uint_eq(f.x.n_held, 0);
	ck_assert_uint_eq(xport_heap_bytes(&f.x), 0);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_zlb_changes_neither_nr_nor_ack_due)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	deliver_n(&f, 0, 1);
	xport_flush_ack(&f.x, PEER_TID, &f.out);
	ck_assert(!f.x.ack_due);
	ck_assert_int_eq(xport_receive(&f.x, &f.cfg, 0, 1, 0, true, &f.out), XPORT_RX_ZLB);
	ck_assert_uint_eq(f.x.nr, 1);
	ck_assert(!f.x.ack_due);
	/* A ZLB's Ns looks like an old one; it still is no duplicate. */
	ck_assert_int_eq(xport_receive(&f.x, &f.cfg, 0, 0, 0, true, &f.out), XPORT_RX_ZLB);
	ck_assert(!f.x.ack_due);
	ck_assert_uint_eq(f.x.stats.duplicates, 0);
	ck_assert_uint_eq(f.x.stats.received, 1);
	rec_clear(&f);
	xport_flush_ack(&f.x, PEER_TID, &f.out);
	ck_assert_uint_eq(f.n, 0);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_hostile_nr_acking_unsent_is_ignored)
{
	struct fx f;
	int i;

	fx_init(&f, &default_cfg);
	/* Nothing sent at all. */
	ck_assert_int_eq(rx_zlb(&f, 0, 500), XPORT_RX_ZLB);
	ck_assert(xport_idle(&f.x));
	for (i = 0; i < 6; i++)
		send_msg(&f, 0);
	ck_assert(xport_tick(&f.x, &f.cfg, 1000, &f.out));
	rec_clear(&f);
	/* Ns 0 is the only one sent: 2, 6 (= ns_next) and 65535 acknowledge too much. */
	ck_assert_int_eq(rx_zlb(&f, 1100, 2), XPORT_RX_ZLB);
	ck_assert_int_eq(rx_zlb(&f, 1100, 6), XPORT_RX_ZLB);
	ck_assert_int_eq(rx_zlb(&f, 1100, 65535), XPORT_RX_ZLB);
	/* Nr 0 acknowledges nothing and must not reset the backoff either. */
	ck_assert_int_eq(rx_zlb(&f, 1100, 0), XPORT_RX_ZLB);
	ck_assert_uint_eq(f.n, 0);
	ck_assert_uint_eq(f.x.n_unacked, 1);
	ck_assert_uint_eq(f.x.unacked->ns, 0);
	ck_assert_uint_eq(f.x.cwnd, 1);
	ck_assert_uint_eq(f.x.retries, 1);
	ck_assert_uint_eq(xport_deadline(&f.x), 3000);
	ck_assert_uint_eq(xport_heap_bytes(&f.x), 6 * (sizeof(struct xport_pkt) + MSG_LEN));
	/* The real acknowledgement: SSTHRESH was halved to 1, so CWND grows to 2 at once. */
	ck_assert_int_eq(rx_zlb(&f, 1200, 1), XPORT_RX_ZLB);
	ck_assert_uint_eq(f.x.cwnd, 2);
	ck_assert_uint_eq(f.n, 2);
	ck_assert_uint_eq(f.s[0].ns, 1);
	ck_assert_uint_eq(f.s[1].ns, 2);
	ck_assert_uint_eq(f.x.retries, 0);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_ack_across_ns_wrap)
{
	struct fx f;
	unsigned int i;

	fx_init(&f, &default_cfg);
	for (i = 0; i < 65534; i++) {
		send_msg(&f, 0);
		ack_head(&f, 0);
		rec_clear(&f);
	}
	ck_assert_uint_eq(f.x.ns_next, 65534);
	ck_assert_uint_eq(f.x.cwnd, 4);
	for (i = 0; i < 4; i++)
		send_msg(&f, 0);
	ck_assert_uint_eq(f.n, 4);
	ck_assert_uint_eq(f.s[0].ns, 65534);
	ck_assert_uint_eq(f.s[1].ns, 65535);
	ck_assert_uint_eq(f.s[2].ns, 0);
	ck_assert_uint_eq(f.s[3].ns, 1);
	ck_assert_int_eq(rx_zlb(&f, 0, 1), XPORT_RX_ZLB);
	ck_assert_uint_eq(f.x.n_unacked, 1);
	ck_assert_uint_eq(f.x.unacked->ns, 1);
	ck_assert_int_eq(rx_zlb(&f, 0, 3), XPORT_RX_ZLB);
	ck_assert_uint_eq(f.x.n_unacked, 1);
	ck_assert_int_eq(rx_zlb(&f, 0, 2), XPORT_RX_ZLB);
	ck_assert(xport_idle(&f.x));
	ck_assert_uint_eq(f.x.stats.sent, 65538);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_piggybacked_ack_clears_ack_due)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	ck_assert_int_eq(rx(&f, 0, 0, 0), XPORT_RX_DELIVER);
	ck_assert(f.x.ack_due);
	send_msg(&f, 10);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].nr, 1);
	ck_assert(!f.x.ack_due);
	xport_flush_ack(&f.x, PEER_TID, &f.out);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.x.stats.zlb_sent, 0);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_message_sent_while_receiving_still_owes_ack)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	send_msg(&f, 0);
	send_msg(&f, 0);
	send_msg(&f, 0);
	rec_clear(&f);
	/* The peer's reply acknowledges Ns 0; Ns 1 and 2 leave before its own Ns is counted. */
	ck_assert_int_eq(rx(&f, 5, 0, 1), XPORT_RX_DELIVER);
	ck_assert_uint_eq(f.n, 2);
	ck_assert_uint_eq(f.s[0].ns, 1);
	ck_assert_uint_eq(f.s[0].nr, 0);
	ck_assert(f.x.ack_due);
	xport_flush_ack(&f.x, PEER_TID, &f.out);
	ck_assert_uint_eq(f.n, 3);
	assert_zlb(&f.s[2], 3, 1);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_zlb_ns_is_first_pending_ns)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	send_msg(&f, 0);
	send_msg(&f, 0);
	send_msg(&f, 0);
	ck_assert_int_eq(rx(&f, 0, 0, 0), XPORT_RX_DELIVER);
	xport_flush_ack(&f.x, PEER_TID, &f.out);
	/* Ns 1 and 2 wait for the window: the next new Ns the peer will see is 1. */
	assert_zlb(last(&f), 1, 1);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_flush_ack_sends_nothing_when_not_due)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	xport_flush_ack(&f.x, PEER_TID, &f.out);
	ck_assert_uint_eq(f.n, 0);
	deliver_n(&f, 0, 1);
	xport_flush_ack(&f.x, PEER_TID, &f.out);
	xport_flush_ack(&f.x, PEER_TID, &f.out);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.x.stats.zlb_sent, 1);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_failed_transport_sends_nothing)
{
	static const struct xport_config cfg = {
		.rwin = 4, .rtx_initial_ms = 1000, .rtx_cap_ms = 8000, .rtx_retries = 0
	};
	struct fx f;

	fx_init(&f, &cfg);
	send_msg(&f, 0);
	ck_assert(!xport_tick(&f.x, &f.cfg, 1000, &f.out));
	ck_assert(f.x.failed);
	rec_clear(&f);
	send_msg(&f, 1100);
	/* This acknowledges Ns 0 and opens the window for Ns 1, which still must not leave. */
	ck_assert_int_eq(rx(&f, 1200, 0, 1), XPORT_RX_DELIVER);
	ck_assert_uint_eq(f.x.n_unacked, 0);
	xport_flush_ack(&f.x, PEER_TID, &f.out);
	ck_assert(!xport_tick(&f.x, &f.cfg, 99999, &f.out));
	ck_assert_uint_eq(f.n, 0);
	ck_assert(xport_deadline(&f.x) == UINT64_MAX);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_heap_accounting_returns_to_zero_after_destroy)
{
	uint8_t m[40];
	struct fx f;

	fx_init(&f, &default_cfg);
	make_msg(m, 1);
	ck_assert_int_eq(xport_enqueue(&f.x, &f.cfg, 0, m, MSG_LEN, &f.out), 0);
	ck_assert_int_eq(xport_enqueue(&f.x, &f.cfg, 0, m, 12, &f.out), 0);
	ck_assert_int_eq(xport_hold(&f.x, &f.cfg, 1, m, sizeof(m)), 0);
	ck_assert_uint_eq(xport_heap_bytes(&f.x), 3 * sizeof(struct xport_pkt) + MSG_LEN + 12 + 40);
	xport_destroy(&f.x);
	ck_assert_uint_eq(xport_heap_bytes(&f.x), 0);
	ck_assert_ptr_null(f.x.unacked);
	ck_assert_ptr_null(f.x.pending);
	ck_assert_ptr_null(f.x.held);
	ck_assert_uint_eq(f.x.n_unacked, 0);
	ck_assert_uint_eq(f.x.n_held, 0);
	ck_assert(xport_idle(&f.x));
	xport_destroy(&f.x);
	xport_destroy(NULL);
	/* Usable again after a fresh init. */
	xport_init(&f.x);
	rec_clear(&f);
	send_msg(&f, 0);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].ns, 0);
	xport_destroy(&f.x);
	ck_assert_uint_eq(xport_heap_bytes(&f.x), 0);
}
END_TEST

START_TEST(test_idle_and_deadline_follow_the_queue)
{
	struct fx f;

	fx_init(&f, &default_cfg);
	ck_assert(xport_idle(&f.x));
	send_msg(&f, 250);
	ck_assert(!xport_idle(&f.x));
	ck_assert_uint_eq(xport_deadline(&f.x), 1250);
	ack_head(&f, 300);
	ck_assert(xport_idle(&f.x));
	ck_assert(xport_deadline(&f.x) == UINT64_MAX);
	/* Received messages alone never arm the timer. */
	deliver_n(&f, 400, 3);
	ck_assert(xport_deadline(&f.x) == UINT64_MAX);
	ck_assert(xport_idle(&f.x));
	xport_destroy(&f.x);
}
END_TEST

Suite *suite_xport_rx(void)
{
	Suite *s = suite_create("xport_rx");
	TCase *tc = tcase_create("receive");

	tcase_add_test(tc, test_duplicate_is_acknowledged_with_zlb);
	tcase_add_test(tc, test_duplicate_and_delivery_across_65535_wrap);
	tcase_add_test(tc, test_duplicate_boundary_32768_behind);
	tcase_add_test(tc, test_duplicate_boundary_with_huge_window);
	tcase_add_test(tc, test_ahead_held_and_delivered_in_order);
	tcase_add_test(tc, test_hold_across_wrap_sorted_relative_to_nr);
	tcase_add_test(tc, test_hold_refuses_same_ns_twice_and_outside_window);
	tcase_add_test(tc, test_take_held_discards_what_nr_moved_past);
	tcase_add_test(tc, test_zlb_changes_neither_nr_nor_ack_due);
	tcase_add_test(tc, test_hostile_nr_acking_unsent_is_ignored);
	tcase_add_test(tc, test_ack_across_ns_wrap);
	tcase_add_test(tc, test_piggybacked_ack_clears_ack_due);
	tcase_add_test(tc, test_message_sent_while_receiving_still_owes_ack);
	tcase_add_test(tc, test_zlb_ns_is_first_pending_ns);
	tcase_add_test(tc, test_flush_ack_sends_nothing_when_not_due);
	tcase_add_test(tc, test_failed_transport_sends_nothing);
	tcase_add_test(tc, test_heap_accounting_returns_to_zero_after_destroy);
	tcase_add_test(tc, test_idle_and_deadline_follow_the_queue);
	suite_add_tcase(s, tc);
	return s;
}
