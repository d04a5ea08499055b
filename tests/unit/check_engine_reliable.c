/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reliable delivery through the engine (RFC 2661 §5.8): the retransmission schedule to the
 * millisecond, HELLO timing (§6.5), messages held out of order, duplicates re-acked, the
 * windows and congestion control, and Ns/Nr wrapping at 65535.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_probe.h"
#include "l2tp/result.h"
#include "suites.h"

#define T0	     PROBE_T0
#define HELLO_MS     60000
#define FULL_CYCLE   31000
#define ALL_SENT(p)  probe_expect_no_send(p)
#define COUNT(p, ty) probe_count((p), ENGINE_##ty)

/* The retransmission deadlines of one unacknowledged message first sent at t (RFC 2661 §5.8). */
static const uint64_t rtx_offsets[] = { 1000, 3000, 7000, 15000, 23000 };

/* ---------------------------------------------------------- reliable delivery ---- */

START_TEST(test_sccrq_retransmission_schedule)
{
	struct probe *p = probe_started(21);
	const struct l2tp_msg *r;
	struct engine_stats st;

	probe_opened(p);
	for (size_t i = 0; i < 5; i++) {
		uint64_t at = T0 + rtx_offsets[i];

		ck_assert_uint_eq(engine_next_deadline(p->e), at);
		probe_tick(p, at - 1);
		ALL_SENT(p);
		probe_tick(p, at);
		r = probe_expect(p, L2TP_MSG_SCCRQ);
		ck_assert_uint_eq(r->ns, 0);
		ck_assert_uint_eq(r->nr, 0);
		ck_assert_uint_eq(r->assigned_tunnel_id, p->tid);
		ALL_SENT(p);
	}
	ck_assert_uint_eq(engine_next_deadline(p->e), T0 + FULL_CYCLE);
	probe_tick(p, T0 + FULL_CYCLE - 1);
	ck_assert_uint_eq(COUNT(p, TUNNEL_RELEASED), 0);
	probe_tick(p, T0 + FULL_CYCLE);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_one(p, ENGINE_TUNNEL_RELEASED)->tunnel_id, p->tid);
	probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_FSM_ERROR, false);
	st = probe_stats(p);
	ck_assert_uint_eq(st.tunnels, 0);
	ck_assert_uint_eq(st.messages_sent, 1);
	ck_assert_uint_eq(st.retransmissions, 5);
	ck_assert_uint_eq(engine_next_deadline(p->e), UINT64_MAX);
	probe_free(p);
}
END_TEST

/* RFC 2661 §6.5: HELLO after hello_ms without any message from the peer, ZLBs included. */
START_TEST(test_hello_timing)
{
	struct probe *p = probe_started(22);
	const struct l2tp_msg *r;

	probe_accept_tunnel(p);
	ck_assert_uint_eq(engine_next_deadline(p->e), T0 + HELLO_MS);
	p->now = T0 + 20000;
	probe_zlb(p);
	ck_assert_uint_eq(engine_next_deadline(p->e), T0 + 20000 + HELLO_MS);
	probe_tick(p, T0 + 20000 + HELLO_MS - 1);
	ALL_SENT(p);
	probe_hello(p);
	probe_expect(p, PROBE_ZLB);
	ck_assert_uint_eq(engine_next_deadline(p->e), T0 + 20000 + 2 * HELLO_MS - 1);
	probe_tick(p, T0 + 20000 + 2 * HELLO_MS - 2);
	ALL_SENT(p);
	probe_tick(p, T0 + 20000 + 2 * HELLO_MS - 1);
	r = probe_expect(p, L2TP_MSG_HELLO);
	ck_assert_uint_eq(r->session_id, 0);
	ck_assert_uint_eq(r->ns, 1);
	ALL_SENT(p);
	ck_assert_uint_eq(engine_next_deadline(p->e), p->now + 1000);
	p->now += 500;
	probe_zlb(p);
	ck_assert_uint_eq(engine_next_deadline(p->e), p->now + HELLO_MS);
	probe_free(p);
}
END_TEST

START_TEST(test_hello_unacked_clears_tunnel)
{
	struct probe *p = probe_started(23);
	uint64_t h;
	uint16_t sid;

	probe_accept_tunnel(p);
	sid = probe_lns_call(p, 0x61);
	h = engine_next_deadline(p->e);
	ck_assert_uint_eq(h, T0 + HELLO_MS);
	probe_tick(p, h);
	probe_expect(p, L2TP_MSG_HELLO);
	for (size_t i = 0; i < 5; i++) {
		ck_assert_uint_eq(engine_next_deadline(p->e), h + rtx_offsets[i]);
		probe_tick(p, h + rtx_offsets[i]);
		probe_expect(p, L2TP_MSG_HELLO);
		ALL_SENT(p);
		ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), 0);
	}
	probe_tick(p, h + FULL_CYCLE);
	ALL_SENT(p);
	probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_FSM_ERROR, false);
	ck_assert_uint_eq(probe_one(p, ENGINE_SESSION_DOWN)->session_id, sid);
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_SESSION_DELETE)->session_id, sid);
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_TUNNEL_DELETE)->tunnel_id, p->tid);
	ck_assert_uint_eq(probe_one(p, ENGINE_TUNNEL_RELEASED)->tunnel_id, p->tid);
	ck_assert_uint_eq(probe_stats(p).tunnels, 0);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	probe_free(p);
}
END_TEST

/* RFC 2661 §5.8: a message ahead of sequence is held and processed once the gap is filled. */
START_TEST(test_out_of_order_held)
{
	struct probe *p = probe_started(24);
	const struct l2tp_msg *r;
	struct l2tp_msg m2, m3;

	probe_accept_tunnel(p);
	ck_assert_uint_eq(p->ns, 2);
	probe_icrq(p, &m2, 0x20);
	probe_icrq(p, &m3, 0x30);
	m3.ns = 3;
	probe_send(p, &m3);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	probe_send(p, &m2);
	r = probe_expect(p, L2TP_MSG_ICRP);
	ck_assert_uint_eq(r->session_id, 0x20);
	ck_assert_uint_eq(r->ns, 1);
	ck_assert_uint_eq(r->nr, 3);
	p->ns = 4;
	r = probe_expect(p, L2TP_MSG_ICRP);
	ck_assert_uint_eq(r->session_id, 0x30);
	ck_assert_uint_eq(r->ns, 2);
	ck_assert_uint_eq(r->nr, 4);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).sessions, 2);
	/* The held copy is not processed twice when the peer resends it. */
	probe_send(p, &m3);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->nr, 4);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).sessions, 2);
	probe_free(p);
}
END_TEST

/* RFC 2661 §5.8: a retransmission keeps its Ns and carries the Nr of the moment. */
START_TEST(test_retransmission_refreshes_nr)
{
	struct probe *p = probe_started(29);
	struct l2tp_msg m;

	probe_accept_tunnel(p);
	probe_icrq(p, &m, 0x20);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_ICRP)->nr, 3);
	probe_msg(p, &m, L2TP_MSG_HELLO, 0);
	m.nr = 1; /* the ICRP is not acknowledged */
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->nr, 4);
	probe_tick(p, T0 + 1000);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_ICRP)->ns, 1); /* probe_expect checks Nr 4 */
	ck_assert_uint_eq(probe_stats(p).retransmissions, 1);
	probe_free(p);
}
END_TEST

/*
 * A call request placed on an idle established tunnel is put on the retransmission timer:
 * resent after 1 s, not at the HELLO deadline.
 */
START_TEST(test_call_request_retransmitted_on_time)
{
	struct probe *p = probe_started(30);
	uint16_t sid;

	probe_open_tunnel(p);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid), 0);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_ICRQ)->ns, 2);
	ck_assert_uint_eq(engine_next_deadline(p->e), T0 + 1000);
	probe_tick(p, T0 + 1000);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_ICRQ)->ns, 2);
	probe_free(p);
}
END_TEST

START_TEST(test_duplicate_reacked)
{
	struct probe *p = probe_started(25);
	const struct l2tp_msg *r;
	struct l2tp_msg hello, scccn;

	probe_accept_tunnel(p);
	probe_msg(p, &hello, L2TP_MSG_HELLO, 0);
	probe_send(p, &hello);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->nr, 3);
	probe_send(p, &hello);
	r = probe_expect(p, PROBE_ZLB);
	ck_assert_uint_eq(r->ns, 1);
	ck_assert_uint_eq(r->nr, 3);
	ALL_SENT(p);
	/* An old SCCCN again: a duplicate to ack, not an out-of-sequence SCCCN to refuse. */
	probe_msg(p, &scccn, L2TP_MSG_SCCCN, 0);
	scccn.ns = 1;
	probe_send(p, &scccn);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->nr, 3);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).tunnels_established, 1);
	probe_free(p);
}
END_TEST

/* RFC 2661 App. A through the engine: slow start, window cap, congestion after a loss. */
START_TEST(test_window_slow_start_congestion)
{
	struct probe *p = probe_started(26);

	/* SCCRP (Ns 0) acked by SCCCN: CWND 2 of the peer's default window of 4. */
	probe_accept_tunnel(p);
	probe_place_ocrq(p, 1);
	probe_place_ocrq(p, 2);
	probe_place_ocrq(p, -1);
	probe_place_ocrq(p, -1);
	probe_place_ocrq(p, -1);
	ck_assert_uint_eq(probe_stats(p).tunnels_awaiting_ack, 1);
	probe_ack(p, 2); /* CWND 3, one outstanding */
	probe_expect_ocrqs(p, 3, 2);
	probe_ack(p, 5); /* CWND 4 (the window): the last one goes */
	probe_expect_ocrqs(p, 5, 1);
	/* A loss: Ns 5 is resent, SSTHRESH = 4/2, CWND = 1. */
	probe_tick(p, p->now + 1000);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_OCRQ)->ns, 5);
	probe_place_ocrq(p, -1);
	probe_place_ocrq(p, -1);
	probe_ack(p, 6); /* slow start: CWND 2 */
	probe_expect_ocrqs(p, 6, 2);
	probe_ack(p, 8); /* congestion avoidance: two acks at CWND 2 make it 3 */
	probe_place_ocrq(p, 8);
	probe_place_ocrq(p, 9);
	probe_place_ocrq(p, 10);
	probe_place_ocrq(p, -1);
	probe_free(p);
}
END_TEST

START_TEST(test_peer_window_one)
{
	struct probe *p = probe_started(27);
	struct l2tp_msg m;

	probe_sccrq(p, &m);
	msg_set_present(&m, L2TP_AVP_RECEIVE_WINDOW_SIZE);
	m.receive_window_size = 1;
	probe_answered(p, &m);
	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	probe_send(p, &m);
	probe_kernel(p, 0);
	for (int i = 0; i < 3; i++)
		probe_place_ocrq(p, i == 0 ? 1 : -1);
	for (int i = 2; i <= 3; i++) {
		probe_zlb(p);
		probe_expect_ocrqs(p, i, 1);
	}
	probe_zlb(p);
	ALL_SENT(p);
	probe_free(p);
}
END_TEST

/* Ns and Nr both wrap at 65535 (RFC 2661 §5.8: modulo 2^16) and the tunnel keeps working. */
START_TEST(test_sequence_wrap)
{
	struct probe *p = probe_started(28);
	const struct l2tp_msg *r;
	uint16_t ns = 1;

	probe_accept_tunnel(p);
	for (uint32_t i = 0; i < 65600; i++) {
		p->now++;
		probe_hello(p);
		r = probe_expect(p, PROBE_ZLB);
		if (r->nr != p->ns || r->ns != 1)
			ck_abort_msg("peer HELLO %u: ZLB Ns %u Nr %u, expected 1 and %u", i, r->ns, r->nr,
				     p->ns);
	}
	ck_assert_uint_eq(p->ns, (uint16_t)(2 + 65600));
	for (uint32_t i = 0; i < 65600; i++, ns++) {
		probe_tick(p, engine_next_deadline(p->e));
		r = probe_expect(p, L2TP_MSG_HELLO);
		if (r->ns != ns || r->nr != p->ns)
			ck_abort_msg("HELLO %u: Ns %u Nr %u, expected %u and %u", i, r->ns, r->nr, ns, p->ns);
		probe_zlb(p);
	}
	ck_assert_uint_eq(probe_stats(p).retransmissions, 0);
	ck_assert_uint_eq(probe_stats(p).tunnels_established, 1);
	probe_lns_call(p, 0x77);
	ck_assert_uint_eq(probe_stats(p).sessions_established, 1);
	ck_assert_uint_eq(p->nr, (uint16_t)(ns + 1));
	probe_free(p);
}
END_TEST

Suite *suite_engine_reliable(void)
{
	Suite *s = suite_create("engine_reliable");
	TCase *rel = tcase_create("reliable");

	tcase_add_test(rel, test_sccrq_retransmission_schedule);
	tcase_add_test(rel, test_hello_timing);
	tcase_add_test(rel, test_hello_unacked_clears_tunnel);
	tcase_add_test(rel, test_out_of_order_held);
	tcase_add_test(rel, test_retransmission_refreshes_nr);
	tcase_add_test(rel, test_duplicate_reacked);
	tcase_add_test(rel, test_window_slow_start_congestion);
	tcase_add_test(rel, test_peer_window_one);
	tcase_add_test(rel, test_sequence_wrap);
	tcase_add_test(rel, test_call_request_retransmitted_on_time);
	tcase_set_timeout(rel, 60);
	suite_add_tcase(s, rel);
	return s;
}
