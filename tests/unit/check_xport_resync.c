/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Silent failover in the transport (xport_resync_begin): a restored transport knows the Nr it
 * had and the Ns it last used, but not whether the peer got its last messages. The probe
 * carries the Ns before the kept one, the peer's Nr says which comes next, and what was
 * queued meanwhile is numbered from there.
 */
#include <errno.h>
#include <string.h>

#include "suites.h"
#include "xport_fixture.h"

/* A transport as engine_restore() leaves it: kept Ns 100, Nr 40. */
static void restored(struct fx *f)
{
	fx_init(f, &default_cfg);
	f->x.ns_next = 100;
	f->x.nr = 40;
}

static void probe(struct fx *f, uint64_t now)
{
	uint8_t m[MSG_LEN];

	make_msg(m, 0x11);
	ck_assert_int_eq(xport_resync_begin(&f->x, &f->cfg, now, m, sizeof(m), &f->out), 0);
}

START_TEST(test_probe_carries_the_ns_before_the_kept_one)
{
	struct fx f;

	restored(&f);
	probe(&f, 0);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].ns, 99);
	ck_assert_uint_eq(f.s[0].nr, 40);
	ck_assert(f.x.resync);
	ck_assert_uint_eq(f.x.ns_next, 100);
	ck_assert_uint_eq(xport_deadline(&f.x), 1000);
	xport_destroy(&f.x);
}
END_TEST

/* The peer had everything: it takes the probe as a duplicate and says Nr 100. */
START_TEST(test_duplicate_ack_keeps_the_ns)
{
	struct fx f;

	restored(&f);
	probe(&f, 0);
	ck_assert_int_eq(rx_zlb(&f, 10, 100), XPORT_RX_ZLB);
	ck_assert(!f.x.resync);
	ck_assert_uint_eq(f.x.ns_next, 100);
	ck_assert(xport_idle(&f.x));
	ck_assert(xport_deadline(&f.x) == UINT64_MAX);
	rec_clear(&f);
	send_msg(&f, 20);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].ns, 100);
	xport_destroy(&f.x);
}
END_TEST

/*
 * Our last messages never reached the peer (or its message is older than they are): it says
 * Nr 97. Copies of the probe fill 97 and 98, the probe keeps 99, what waited follows at 100.
 */
START_TEST(test_nr_behind_the_probe_is_filled)
{
	struct fx f;

	restored(&f);
	probe(&f, 0);
	rec_clear(&f);
	/* Queued during the resync: nothing leaves before the peer answers. */
	send_msg(&f, 1);
	send_msg(&f, 2);
	ck_assert_uint_eq(f.n, 0);
	ck_assert_int_eq(rx(&f, 10, 40, 97), XPORT_RX_DELIVER);
	ck_assert(!f.x.resync);
	/* Through the window (one in slow start): the first copy only. */
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].ns, 97);
	ck_assert_uint_eq(f.s[0].payload[0], 0x11); /* the probe's bytes */
	ck_assert_uint_eq(f.s[0].nr, 40);
	ck_assert_uint_eq(f.x.ns_next, 102);
	ck_assert_uint_eq(f.x.nr, 41);
	ck_assert_uint_eq(xport_queued(&f.x), 5);
	/* Each acknowledgement lets the next ones go, in order: 98, the probe 99, then 100, 101. */
	rec_clear(&f);
	ck_assert_int_eq(rx_zlb(&f, 20, 98), XPORT_RX_ZLB);
	ck_assert_uint_eq(f.n, 2);
	ck_assert_uint_eq(f.s[0].ns, 98);
	ck_assert_uint_eq(f.s[1].ns, 99);
	rec_clear(&f);
	ck_assert_int_eq(rx_zlb(&f, 30, 100), XPORT_RX_ZLB);
	ck_assert_uint_eq(f.n, 2);
	ck_assert_uint_eq(f.s[0].ns, 100);
	ck_assert_uint_eq(f.s[1].ns, 101);
	xport_destroy(&f.x);
}
END_TEST

/* The peer expects exactly the probe's Ns: the probe stays queued as the next message. */
START_TEST(test_nr_at_the_probe)
{
	struct fx f;

	restored(&f);
	probe(&f, 0);
	rec_clear(&f);
	ck_assert_int_eq(rx_zlb(&f, 5, 99), XPORT_RX_ZLB);
	ck_assert(!f.x.resync);
	/* Sent again, now as the next message in sequence. */
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(f.s[0].ns, 99);
	ck_assert_uint_eq(f.x.n_unacked, 1);
	ck_assert_uint_eq(f.x.ns_next, 100);
	ck_assert_int_eq(rx_zlb(&f, 6, 100), XPORT_RX_ZLB);
	ck_assert(xport_idle(&f.x));
	xport_destroy(&f.x);
}
END_TEST

/* Far behind or far ahead is not believed: only a plausible answer ends the resync. */
START_TEST(test_implausible_nr_is_not_learnt)
{
	struct fx f;

	restored(&f);
	probe(&f, 0);
	rec_clear(&f);
	ck_assert_int_eq(rx_zlb(&f, 5, 99 - 16), XPORT_RX_ZLB);
	ck_assert(f.x.resync);
	ck_assert_int_eq(rx_zlb(&f, 5, (uint16_t)(100 + 32768)), XPORT_RX_ZLB);
	ck_assert(f.x.resync);
	ck_assert_uint_eq(f.n, 0);
	ck_assert_int_eq(rx_zlb(&f, 6, 99 - 15), XPORT_RX_ZLB);
	ck_assert(!f.x.resync);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_uint_eq(xport_queued(&f.x), 16);
	xport_destroy(&f.x);
}
END_TEST

/* The peer had everything and more (our kept Ns was stale): its Nr wins. */
START_TEST(test_nr_ahead_of_the_kept_ns)
{
	struct fx f;

	restored(&f);
	probe(&f, 0);
	ck_assert_int_eq(rx_zlb(&f, 3, 103), XPORT_RX_ZLB);
	ck_assert(!f.x.resync);
	ck_assert_uint_eq(f.x.ns_next, 103);
	ck_assert(xport_idle(&f.x));
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_probe_retransmitted_then_fails)
{
	struct fx f;

	restored(&f);
	probe(&f, 0);
	rec_clear(&f);
	for (uint64_t now = 1000; f.n < 5; now *= 2)
		ck_assert(xport_tick(&f.x, &f.cfg, now, &f.out));
	for (size_t i = 0; i < f.n; i++)
		ck_assert_uint_eq(f.s[i].ns, 99);
	/* Five retransmissions by default, then the peer is taken for gone. */
	ck_assert(!xport_tick(&f.x, &f.cfg, 1000000, &f.out));
	ck_assert(f.x.failed);
	xport_destroy(&f.x);
}
END_TEST

START_TEST(test_begin_refused_unless_idle)
{
	uint8_t m[MSG_LEN];
	struct fx f;

	restored(&f);
	make_msg(m, 0);
	send_msg(&f, 0);
	ck_assert_int_eq(xport_resync_begin(&f.x, &f.cfg, 0, m, sizeof(m), &f.out), -EINVAL);
	ck_assert(!f.x.resync);
	xport_destroy(&f.x);
	restored(&f);
	ck_assert_int_eq(xport_resync_begin(&f.x, &f.cfg, 0, m, 11, &f.out), -EINVAL);
	ck_assert_uint_eq(f.n, 0);
}
END_TEST

Suite *suite_xport_resync(void)
{
	Suite *s = suite_create("xport_resync");
	TCase *tc = tcase_create("silent");

	tcase_add_test(tc, test_probe_carries_the_ns_before_the_kept_one);
	tcase_add_test(tc, test_duplicate_ack_keeps_the_ns);
	tcase_add_test(tc, test_nr_behind_the_probe_is_filled);
	tcase_add_test(tc, test_nr_at_the_probe);
	tcase_add_test(tc, test_implausible_nr_is_not_learnt);
	tcase_add_test(tc, test_nr_ahead_of_the_kept_ns);
	tcase_add_test(tc, test_probe_retransmitted_then_fails);
	tcase_add_test(tc, test_begin_refused_unless_idle);
	suite_add_tcase(s, tc);
	return s;
}
