/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <stdlib.h>

#include "suites.h"
#include "test_random.h"
#include "timer_heap.h"

static uint32_t random_u32(struct test_random *r)
{
	uint32_t v;

	test_random_fill(r, &v, sizeof(v));
	return v;
}

/*
 * Each slot's back-index is right and no parent is later than its children. Plain tests with
 * ck_abort_msg() in loops: every ck_assert() records a mark point, a system call each.
 */
static void check_heap_shape(const struct timer_heap *h)
{
	uint32_t i;

	ck_assert_uint_le(h->n, h->cap);
	ck_assert_uint_eq(timer_heap_heap_bytes(h), h->cap * sizeof(struct timer_entry *));
	for (i = 0; i < h->n; i++) {
		if (h->v[i]->index != i || h->v[i]->at == TIMER_NONE)
			ck_abort_msg("slot %u: index %u, at %" PRIu64, i, h->v[i]->index, h->v[i]->at);
		if (i > 0 && h->v[(i - 1) / 2]->at > h->v[i]->at)
			ck_abort_msg("slot %u is earlier than its parent", i);
	}
}

START_TEST(test_empty_heap)
{
	struct timer_heap h;
	struct timer_entry e;

	timer_heap_init(&h);
	timer_entry_init(&e);
	ck_assert_uint_eq(e.at, TIMER_NONE);
	ck_assert_uint_eq(timer_heap_next(&h), TIMER_NONE);
	ck_assert_ptr_null(timer_heap_expired(&h, 0));
	ck_assert_ptr_null(timer_heap_expired(&h, UINT64_MAX));
	ck_assert_uint_eq(timer_heap_heap_bytes(&h), 0);
	/* Removing an entry that is not in the heap is a no-op. */
	ck_assert_int_eq(timer_heap_set(&h, &e, TIMER_NONE), 0);
	ck_assert_uint_eq(h.n, 0);
	timer_heap_destroy(&h);
	timer_heap_destroy(NULL);
}
END_TEST

START_TEST(test_expired_boundary_and_stays)
{
	struct timer_heap h;
	struct timer_entry e;

	timer_heap_init(&h);
	timer_entry_init(&e);
	ck_assert_int_eq(timer_heap_set(&h, &e, 100), 0);
	ck_assert_uint_eq(e.at, 100);
	ck_assert_uint_eq(timer_heap_next(&h), 100);
	ck_assert_ptr_null(timer_heap_expired(&h, 99));
	ck_assert_ptr_eq(timer_heap_expired(&h, 100), &e);
	/* It stays until the owner moves or removes it. */
	ck_assert_ptr_eq(timer_heap_expired(&h, 1000), &e);
	ck_assert_uint_eq(timer_heap_next(&h), 100);
	ck_assert_int_eq(timer_heap_set(&h, &e, 200), 0);
	ck_assert_ptr_null(timer_heap_expired(&h, 199));
	ck_assert_ptr_eq(timer_heap_expired(&h, 200), &e);
	ck_assert_int_eq(timer_heap_set(&h, &e, TIMER_NONE), 0);
	ck_assert_uint_eq(e.at, TIMER_NONE);
	ck_assert_uint_eq(timer_heap_next(&h), TIMER_NONE);
	ck_assert_ptr_null(timer_heap_expired(&h, UINT64_MAX));
	timer_heap_destroy(&h);
}
END_TEST

START_TEST(test_move_earlier_and_later)
{
	struct timer_heap h;
	struct timer_entry e[3];
	int i;

	timer_heap_init(&h);
	for (i = 0; i < 3; i++) {
		timer_entry_init(&e[i]);
		ck_assert_int_eq(timer_heap_set(&h, &e[i], 100 * (uint64_t)(i + 1)), 0);
	}
	ck_assert_ptr_eq(timer_heap_expired(&h, 100), &e[0]);
	ck_assert_int_eq(timer_heap_set(&h, &e[2], 50), 0);
	ck_assert_uint_eq(timer_heap_next(&h), 50);
	ck_assert_ptr_eq(timer_heap_expired(&h, 50), &e[2]);
	ck_assert_int_eq(timer_heap_set(&h, &e[2], 500), 0);
	ck_assert_ptr_eq(timer_heap_expired(&h, 100), &e[0]);
	ck_assert_int_eq(timer_heap_set(&h, &e[0], 0), 0);
	ck_assert_ptr_eq(timer_heap_expired(&h, 0), &e[0]);
	ck_assert_int_eq(timer_heap_set(&h, &e[0], UINT64_MAX - 1), 0);
	ck_assert_uint_eq(timer_heap_next(&h), 200);
	ck_assert_ptr_eq(timer_heap_expired(&h, 200), &e[1]);
	check_heap_shape(&h);
	ck_assert_uint_eq(h.n, 3);
	timer_heap_destroy(&h);
}
END_TEST

START_TEST(test_grows_by_doubling)
{
	struct timer_entry e[40];
	struct timer_heap h;
	uint32_t i;

	timer_heap_init(&h);
	for (i = 0; i < 40; i++) {
		timer_entry_init(&e[i]);
		ck_assert_int_eq(timer_heap_set(&h, &e[i], 1000 - i), 0);
		ck_assert_uint_eq(h.cap, i < 16 ? 16 : i < 32 ? 32 : 64);
		ck_assert_uint_eq(timer_heap_next(&h), 1000 - i);
		check_heap_shape(&h);
	}
	ck_assert_uint_eq(timer_heap_heap_bytes(&h), 64 * sizeof(struct timer_entry *));
	timer_heap_destroy(&h);
	ck_assert_uint_eq(timer_heap_heap_bytes(&h), 0);
}
END_TEST

/*
 * Thousands of random sets, moves and removals, with many equal deadlines, against a plain
 * array of deadlines: next() is the minimum, expired() an entry holding it or NULL.
 */
START_TEST(test_random_against_reference)
{
	enum { N = 300, OPS = 30000 };
	static struct timer_entry e[N];
	static uint64_t ref[N];
	struct timer_heap h;
	struct test_random r;
	struct timer_entry *x;
	uint64_t min, now;
	uint32_t i, j, op, scheduled;

	test_random_init(&r, 2024);
	timer_heap_init(&h);
	for (i = 0; i < N; i++) {
		timer_entry_init(&e[i]);
		ref[i] = TIMER_NONE;
	}
	for (op = 0; op < OPS; op++) {
		j = random_u32(&r) % N;
		switch (random_u32(&r) % 5) {
		case 0:
			ref[j] = TIMER_NONE;
			break;
		case 1:
			/* The same deadline again: a move that goes nowhere. */
			break;
		default:
			ref[j] = random_u32(&r) % 2000;
			break;
		}
		ck_assert_int_eq(timer_heap_set(&h, &e[j], ref[j]), 0);

		min = TIMER_NONE;
		scheduled = 0;
		for (i = 0; i < N; i++) {
			if (e[i].at != ref[i])
				ck_abort_msg("op %u: entry %u at %" PRIu64 ", expected %" PRIu64, op, i,
					     e[i].at, ref[i]);
			if (ref[i] != TIMER_NONE && h.v[e[i].index] != &e[i])
				ck_abort_msg("op %u: entry %u not at its index %u", op, i, e[i].index);
			scheduled += ref[i] != TIMER_NONE;
			if (ref[i] < min)
				min = ref[i];
		}
		ck_assert_uint_eq(h.n, scheduled);
		ck_assert_uint_eq(timer_heap_next(&h), min);
		now = random_u32(&r) % 2100;
		x = timer_heap_expired(&h, now);
		if (min <= now) {
			ck_assert_ptr_nonnull(x);
			ck_assert_uint_eq(x->at, min);
		} else {
			ck_assert_ptr_null(x);
		}
		check_heap_shape(&h);
	}
	check_heap_shape(&h);
	timer_heap_destroy(&h);
}
END_TEST

START_TEST(test_drains_100k_in_order)
{
	enum { N = 100000 };
	struct timer_entry *e = calloc(N, sizeof(*e));
	struct timer_heap h;
	struct test_random r;
	struct timer_entry *x;
	uint64_t prev = 0, t;
	uint32_t i;

	ck_assert_ptr_nonnull(e);
	test_random_init(&r, 99);
	timer_heap_init(&h);
	for (i = 0; i < N; i++) {
		timer_entry_init(&e[i]);
		if (timer_heap_set(&h, &e[i], random_u32(&r) % 50000) != 0)
			ck_abort_msg("insert %u failed", i);
	}
	/* Half of them move before anything fires, as tunnels rearm their timers. */
	for (i = 0; i < N; i += 2)
		timer_heap_set(&h, &e[i], random_u32(&r) % 50000);
	check_heap_shape(&h);
	for (i = 0; i < N; i++) {
		t = timer_heap_next(&h);
		x = timer_heap_expired(&h, t);
		if (t < prev || !x || x->at != t || (t > 0 && timer_heap_expired(&h, t - 1)))
			ck_abort_msg("fire %u: next %" PRIu64 " after %" PRIu64, i, t, prev);
		if (timer_heap_set(&h, x, TIMER_NONE) != 0)
			ck_abort_msg("fire %u: removal failed", i);
		prev = t;
	}
	ck_assert_uint_eq(h.n, 0);
	ck_assert_uint_eq(timer_heap_next(&h), TIMER_NONE);
	for (i = 0; i < N; i++) {
		if (e[i].at != TIMER_NONE)
			ck_abort_msg("entry %u still set", i);
	}
	timer_heap_destroy(&h);
	free(e);
}
END_TEST

Suite *suite_timer_heap(void)
{
	Suite *s = suite_create("timer_heap");
	TCase *tc = tcase_create("timer_heap");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_empty_heap);
	tcase_add_test(tc, test_expired_boundary_and_stays);
	tcase_add_test(tc, test_move_earlier_and_later);
	tcase_add_test(tc, test_grows_by_doubling);
	tcase_add_test(tc, test_random_against_reference);
	tcase_add_test(tc, test_drains_100k_in_order);
	suite_add_tcase(s, tc);
	return s;
}
