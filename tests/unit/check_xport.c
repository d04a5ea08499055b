/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reliable control transport against a fake clock (plain millisecond values) and a
 * recording output that decodes every datagram's header.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "xport.h"

#define REC_MAX	 256
#define MSG_LEN	 20
#define PEER_TID 0x1234

struct sent {
	uint16_t flags, length, tid, sid, ns, nr;
	size_t len;
	uint8_t payload[MSG_LEN - 12];
};

struct fx {
	struct xport x;
	struct xport_config cfg;
	struct xport_out out;
	size_t n; /* datagrams transmitted since the last rec_clear() */
	struct sent s[REC_MAX];
};

static const struct xport_config default_cfg = {
	.rwin = 4,
	.rtx_initial_ms = 1000,
	.rtx_cap_ms = 8000,
	.rtx_retries = 5,
};

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void rec_transmit(void *ctx, const uint8_t *buf, size_t len)
{
	struct fx *f = ctx;
	struct sent *s;

	ck_assert_uint_lt(f->n, REC_MAX);
	ck_assert_uint_ge(len, 12);
	s = &f->s[f->n++];
	memset(s, 0, sizeof(*s));
	s->flags = get16(buf);
	s->length = get16(buf + 2);
	s->tid = get16(buf + 4);
	s->sid = get16(buf + 6);
	s->ns = get16(buf + 8);
	s->nr = get16(buf + 10);
	s->len = len;
	memcpy(s->payload, buf + 12, len - 12 < sizeof(s->payload) ? len - 12 : sizeof(s->payload));
}

static void rec_clear(struct fx *f)
{
	f->n = 0;
}

static const struct sent *last(const struct fx *f)
{
	ck_assert_uint_gt(f->n, 0);
	return &f->s[f->n - 1];
}

static void fx_init(struct fx *f, const struct xport_config *cfg)
{
	memset(f, 0, sizeof(*f));
	f->cfg = *cfg;
	f->out.transmit = rec_transmit;
	f->out.ctx = f;
	xport_init(&f->x, &f->cfg);
}

/* A control message as the encoder would produce it; Ns/Nr hold junk the transport overwrites. */
static void make_msg(uint8_t *b, uint8_t fill)
{
	b[0] = 0xc8;
	b[1] = 0x02;
	b[2] = 0;
	b[3] = MSG_LEN;
	b[4] = PEER_TID >> 8;
	b[5] = PEER_TID & 0xff;
	b[6] = 0x00;
	b[7] = 0x07;
	b[8] = b[9] = 0xaa;
	b[10] = b[11] = 0xbb;
	memset(b + 12, fill, MSG_LEN - 12);
}

static void send_msg(struct fx *f, uint64_t now)
{
	uint8_t m[MSG_LEN];

	make_msg(m, 0x5a);
	ck_assert_int_eq(xport_enqueue(&f->x, &f->cfg, now, m, sizeof(m), &f->out), 0);
}

static enum xport_rx rx(struct fx *f, uint64_t now, uint16_t ns, uint16_t nr)
{
	return xport_receive(&f->x, &f->cfg, now, ns, nr, false, &f->out);
}

static enum xport_rx rx_zlb(struct fx *f, uint64_t now, uint16_t nr)
{
	return xport_receive(&f->x, &f->cfg, now, 0, nr, true, &f->out);
}

/* The peer acknowledges exactly the head of our unacked queue with a ZLB. */
static void ack_head(struct fx *f, uint64_t now)
{
	ck_assert_ptr_nonnull(f->x.unacked);
	ck_assert_int_eq(rx_zlb(f, now, (uint16_t)(f->x.unacked->ns + 1)), XPORT_RX_ZLB);
}

/* An Nr that acknowledges nothing new: the Ns of our oldest unacknowledged message. */
static uint16_t stale_nr(const struct fx *f)
{
	return f->x.unacked ? f->x.unacked->ns : f->x.ns_next;
}

/* The peer sends n messages in sequence, acknowledging nothing; all are delivered. */
static void deliver_n(struct fx *f, uint64_t now, unsigned int n)
{
	while (n--)
		ck_assert_int_eq(rx(f, now, f->x.nr, stale_nr(f)), XPORT_RX_DELIVER);
}

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
	xport_init(&f.x, &f.cfg);
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

Suite *suite_xport(void)
{
	Suite *s = suite_create("xport");
	TCase *tc = tcase_create("core");

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
