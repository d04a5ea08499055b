/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "suites.h"
#include "test_random.h"

/* The caller's "in use" view: one flag per 16-bit ID under one prefix. */
struct used {
	uint32_t prefix;
	bool wrong_prefix; /* in_use was asked about a key outside prefix */
	bool id[65536];
};

static bool in_use(void *arg, uint32_t key)
{
	struct used *u = arg;

	if ((key & 0xffff0000u) != u->prefix)
		u->wrong_prefix = true;
	return u->id[key & 0xffff];
}

static struct used *used_new(uint32_t prefix, bool all)
{
	struct used *u = calloc(1, sizeof(*u));

	ck_assert_ptr_nonnull(u);
	u->prefix = prefix;
	memset(u->id, all, sizeof(u->id));
	return u;
}

static void zero_random(void *arg, void *buf, size_t n)
{
	memset(buf, 0, n);
}

START_TEST(test_zero_random_still_gives_nonzero)
{
	struct used *u = used_new(0, false);
	struct ids q;

	ids_init(&q, 1000);
	/* Every random try is 0, so the scan runs; it starts at 0 and must skip it. */
	ck_assert_uint_eq(ids_pick(&q, 0, 0, zero_random, NULL, in_use, u), 1);
	u->id[1] = true;
	ck_assert_uint_eq(ids_pick(&q, 0, 0, zero_random, NULL, in_use, u), 2);
	ck_assert(!u->wrong_prefix);
	ids_destroy(&q);
	free(u);
}
END_TEST

START_TEST(test_exhausts_whole_space_without_repeats)
{
	struct used *u = used_new(0, false);
	struct test_random r;
	struct ids q;
	uint16_t id;
	uint32_t i;

	test_random_init(&r, 42);
	ids_init(&q, 1000);
	for (i = 0; i < 65535; i++) {
		id = ids_pick(&q, 0, 0, test_random_fill, &r, in_use, u);
		if (!id || u->id[id])
			ck_abort_msg("pick %u returned %u", i, id);
		u->id[id] = true;
	}
	ck_assert_uint_eq(ids_pick(&q, 0, 0, test_random_fill, &r, in_use, u), 0);
	ck_assert(!u->id[0]);
	ids_destroy(&q);
	free(u);
}
END_TEST

START_TEST(test_picks_are_spread)
{
	struct used *u = used_new(0, false);
	struct used *seen = used_new(0, false);
	struct test_random r;
	struct ids q;
	uint32_t i, distinct = 0;
	uint16_t id;

	test_random_init(&r, 5);
	ids_init(&q, 1000);
	/* Unpredictable (RFC 2661 §9.1): not a counter, not a few favourite values. */
	for (i = 0; i < 1000; i++) {
		id = ids_pick(&q, 0, 0, test_random_fill, &r, in_use, u);
		ck_assert_uint_ne(id, 0);
		if (!seen->id[id])
			distinct++;
		seen->id[id] = true;
	}
	ck_assert_uint_ge(distinct, 980);
	ids_destroy(&q);
	free(seen);
	free(u);
}
END_TEST

START_TEST(test_avoids_in_use)
{
	struct used *u = used_new(0, false);
	struct test_random r;
	struct ids q;
	uint32_t i, n = 0;
	uint16_t v, id;

	test_random_init(&r, 9);
	while (n < 60000) {
		test_random_fill(&r, &v, sizeof(v));
		if (v && !u->id[v]) {
			u->id[v] = true;
			n++;
		}
	}
	ids_init(&q, 1000);
	for (i = 0; i < 2000; i++) {
		id = ids_pick(&q, 0, 0, test_random_fill, &r, in_use, u);
		ck_assert_uint_ne(id, 0);
		ck_assert(!u->id[id]);
	}
	ids_destroy(&q);
	free(u);
}
END_TEST

START_TEST(test_finds_the_last_free_id)
{
	static const uint16_t last[] = { 1, 2, 0x7fff, 0x8000, 0xfffe, 0xffff, 0x1234 };
	struct used *u = used_new(0, true);
	struct test_random r;
	struct ids q;
	unsigned i;

	test_random_init(&r, 77);
	ids_init(&q, 1000);
	for (i = 0; i < sizeof(last) / sizeof(last[0]); i++) {
		u->id[last[i]] = false;
		ck_assert_uint_eq(ids_pick(&q, 0, 0, test_random_fill, &r, in_use, u), last[i]);
		u->id[last[i]] = true;
	}
	ids_destroy(&q);
	free(u);
}
END_TEST

START_TEST(test_full_space_gives_zero)
{
	struct used *u = used_new(0, true);
	struct test_random r;
	struct ids q;

	test_random_init(&r, 3);
	ids_init(&q, 1000);
	ck_assert_uint_eq(ids_pick(&q, 0, 0, test_random_fill, &r, in_use, u), 0);
	/* Only ID 0 free: still none, 0 is never an ID. */
	u->id[0] = false;
	ck_assert_uint_eq(ids_pick(&q, 0, 0, test_random_fill, &r, in_use, u), 0);
	ck_assert_uint_eq(ids_pick(&q, 0, 0, zero_random, NULL, in_use, u), 0);
	ids_destroy(&q);
	free(u);
}
END_TEST

START_TEST(test_quarantine_boundary)
{
	struct ids q;

	ids_init(&q, 5000);
	ck_assert(!ids_quarantined(&q, 1000, 42));
	ck_assert_int_eq(ids_release(&q, 1000, 42), 0);
	ck_assert(ids_quarantined(&q, 1000, 42));
	ck_assert(!ids_quarantined(&q, 1000, 43));
	ck_assert(ids_quarantined(&q, 5999, 42));
	ck_assert(!ids_quarantined(&q, 6000, 42));
	ck_assert_uint_eq(q.count, 0);
	ids_destroy(&q);
}
END_TEST

START_TEST(test_pick_waits_for_quarantine)
{
	struct used *u = used_new(0, true);
	struct test_random r;
	struct ids q;

	test_random_init(&r, 11);
	ids_init(&q, 5000);
	u->id[42] = false;
	ck_assert_int_eq(ids_release(&q, 1000, 42), 0);
	ck_assert_uint_eq(ids_pick(&q, 1000, 0, test_random_fill, &r, in_use, u), 0);
	ck_assert_uint_eq(ids_pick(&q, 5999, 0, test_random_fill, &r, in_use, u), 0);
	ck_assert_uint_eq(ids_pick(&q, 6000, 0, test_random_fill, &r, in_use, u), 42);
	ids_destroy(&q);
	free(u);
}
END_TEST

START_TEST(test_session_ids_use_prefix)
{
	const uint32_t p = 0x1234u << 16, other = 0x4321u << 16;
	struct used *u = used_new(p, true);
	struct test_random r;
	struct ids q;

	test_random_init(&r, 13);
	ids_init(&q, 100);
	u->id[5] = false;
	ck_assert_int_eq(ids_release(&q, 0, p | 5), 0);
	ck_assert_uint_eq(ids_pick(&q, 99, p, test_random_fill, &r, in_use, u), 0);
	ck_assert(!u->wrong_prefix);
	/* Session 5 of another tunnel, or tunnel 5, is not the quarantined key. */
	u->prefix = other;
	ck_assert_uint_eq(ids_pick(&q, 99, other, test_random_fill, &r, in_use, u), 5);
	u->prefix = 0;
	ck_assert_uint_eq(ids_pick(&q, 99, 0, test_random_fill, &r, in_use, u), 5);
	ck_assert(ids_quarantined(&q, 99, p | 5));
	ck_assert(!ids_quarantined(&q, 99, 5));
	u->prefix = p;
	ck_assert_uint_eq(ids_pick(&q, 100, p, test_random_fill, &r, in_use, u), 5);
	ck_assert(!u->wrong_prefix);
	ids_destroy(&q);
	free(u);
}
END_TEST

static void pick_sequence(uint64_t seed, uint16_t *out, unsigned n)
{
	struct used *u = used_new(0x00070000, false);
	struct test_random r;
	struct ids q;
	unsigned i;

	test_random_init(&r, seed);
	ids_init(&q, 1000);
	for (i = 0; i < n; i++) {
		out[i] = ids_pick(&q, i, 0x00070000, test_random_fill, &r, in_use, u);
		u->id[out[i]] = true;
		if (i % 3 == 0) {
			u->id[out[i]] = false;
			ck_assert_int_eq(ids_release(&q, i, 0x00070000 | out[i]), 0);
		}
	}
	ids_destroy(&q);
	free(u);
}

START_TEST(test_deterministic_with_seed)
{
	uint16_t a[200], b[200], c[200];

	pick_sequence(1, a, 200);
	pick_sequence(1, b, 200);
	pick_sequence(2, c, 200);
	ck_assert_mem_eq(a, b, sizeof(a));
	ck_assert_int_ne(memcmp(a, c, sizeof(a)), 0);
}
END_TEST

START_TEST(test_release_again_extends)
{
	struct ids q;

	ids_init(&q, 1000);
	ck_assert_int_eq(ids_release(&q, 0, 0xa), 0);
	ck_assert_int_eq(ids_release(&q, 100, 0xb), 0);
	ck_assert_int_eq(ids_release(&q, 200, 0xa), 0);
	ck_assert(ids_quarantined(&q, 999, 0xa));
	ck_assert(ids_quarantined(&q, 999, 0xb));
	/* A's first entry expired, its second holds it until 1200. */
	ck_assert(ids_quarantined(&q, 1000, 0xa));
	ck_assert(ids_quarantined(&q, 1099, 0xb));
	ck_assert(!ids_quarantined(&q, 1100, 0xb));
	ck_assert(ids_quarantined(&q, 1199, 0xa));
	ck_assert(!ids_quarantined(&q, 1200, 0xa));
	ck_assert_uint_eq(q.count, 0);
	ids_destroy(&q);
}
END_TEST

START_TEST(test_zero_quarantine_keeps_nothing)
{
	struct ids q;

	ids_init(&q, 0);
	ck_assert_int_eq(ids_release(&q, 10, 7), 0);
	ck_assert(!ids_quarantined(&q, 10, 7));
	ck_assert_uint_eq(ids_heap_bytes(&q), 0);
	ids_destroy(&q);
}
END_TEST

START_TEST(test_key_zero_is_tracked)
{
	struct ids q;

	ids_init(&q, 100);
	ck_assert_int_eq(ids_release(&q, 0, 0), 0);
	ck_assert_int_eq(ids_release(&q, 10, 7), 0);
	ck_assert(ids_quarantined(&q, 50, 0));
	ck_assert(ids_quarantined(&q, 50, 7));
	ck_assert(!ids_quarantined(&q, 50, 1));
	ck_assert(!ids_quarantined(&q, 100, 0));
	ck_assert(ids_quarantined(&q, 100, 7));
	ck_assert(!ids_quarantined(&q, 110, 7));
	ids_destroy(&q);
}
END_TEST

START_TEST(test_clock_step_back_keeps_order)
{
	struct ids q;

	ids_init(&q, 100);
	ck_assert_int_eq(ids_release(&q, 1000, 1), 0);
	/* Released "earlier" than key 1, so queued behind it: held as long, never shorter. */
	ck_assert_int_eq(ids_release(&q, 500, 2), 0);
	ck_assert(ids_quarantined(&q, 1099, 2));
	ck_assert(!ids_quarantined(&q, 1100, 1));
	ck_assert(!ids_quarantined(&q, 1100, 2));
	ids_destroy(&q);
}
END_TEST

/*
 * Random releases and queries over a small key space (so keys are released again while
 * quarantined and the ring wraps and grows) against a table of last release times.
 */
static void check_against_reference(uint32_t quarantine_ms, uint64_t seed)
{
	enum { KEYS = 41, STEPS = 20000 };
	static uint64_t released[STEPS];
	int64_t last[KEYS];
	struct test_random r;
	struct ids q;
	uint64_t now = 0;
	uint32_t n_rel = 0, first_live = 0, k, step;
	uint8_t b[3];

	test_random_init(&r, seed);
	ids_init(&q, quarantine_ms);
	for (k = 0; k < KEYS; k++)
		last[k] = -1;
	for (step = 0; step < STEPS; step++) {
		test_random_fill(&r, b, sizeof(b));
		now += b[0] % 10;
		k = b[1] % KEYS;
		if (b[2] & 1) {
			ck_assert_int_eq(ids_release(&q, now, k), 0);
			last[k] = (int64_t)now;
			released[n_rel++] = now;
		}
		for (k = 0; k < KEYS; k++) {
			bool expect = last[k] >= 0 && now < (uint64_t)last[k] + quarantine_ms;

			/* ck_abort_msg, not ck_assert: each ck_assert costs a system call. */
			if (ids_quarantined(&q, now, k) != expect)
				ck_abort_msg("step %u key %u: expected %d", step, k, expect);
		}
		while (first_live < n_rel && released[first_live] + quarantine_ms <= now)
			first_live++;
		if (q.count != n_rel - first_live || q.set_cap < 2 * q.count || q.ring_cap < q.count)
			ck_abort_msg("step %u: %u entries, ring %u, set %u, expected %u entries", step,
				     q.count, q.ring_cap, q.set_cap, n_rel - first_live);
	}
	ck_assert_uint_eq(ids_heap_bytes(&q),
			  q.ring_cap * sizeof(struct ids_quarantine_entry) + q.set_cap * sizeof(uint32_t));
	ids_destroy(&q);
	ck_assert_uint_eq(ids_heap_bytes(&q), 0);
}

START_TEST(test_random_against_reference_short)
{
	check_against_reference(100, 21);
}
END_TEST

START_TEST(test_random_against_reference_long)
{
	check_against_reference(3000, 22);
}
END_TEST

/* Session keys: a thousand sessions in each of a hundred tunnels. */
#define KEY(i) (((i) / 1000 + 1) << 16 | ((i) % 1000 + 1))

START_TEST(test_many_keys_expire_in_release_order)
{
	enum { N = 100000 };
	const uint32_t qms = 100000;
	struct ids q;
	uint32_t i;

	ids_init(&q, qms);
	for (i = 0; i < N; i++) {
		if (ids_release(&q, i, KEY(i)) != 0)
			ck_abort_msg("release %u failed", i);
	}
	ck_assert_uint_eq(q.count, N);
	ck_assert_uint_eq(q.ring_cap, 131072);
	ck_assert_uint_eq(q.set_cap, 262144);
	ck_assert_uint_eq(ids_heap_bytes(&q), 131072 * sizeof(struct ids_quarantine_entry) + 262144 * 4);
	/* At 149999 the keys released from 50000 on are still held, the earlier ones are free. */
	for (i = 0; i < N; i++) {
		if (ids_quarantined(&q, 149999, KEY(i)) != (i >= 50000))
			ck_abort_msg("key %u released at %u", KEY(i), i);
	}
	ck_assert_uint_eq(q.count, 50000);
	ck_assert(ids_quarantined(&q, 199998, KEY(N - 1)));
	ck_assert(!ids_quarantined(&q, 199999, KEY(N - 1)));
	ck_assert_uint_eq(q.count, 0);
	ids_destroy(&q);
}
END_TEST

Suite *suite_ids(void)
{
	Suite *s = suite_create("ids");
	TCase *pick = tcase_create("pick");
	TCase *quarantine = tcase_create("quarantine");

	tcase_set_timeout(pick, 60);
	tcase_add_test(pick, test_zero_random_still_gives_nonzero);
	tcase_add_test(pick, test_exhausts_whole_space_without_repeats);
	tcase_add_test(pick, test_picks_are_spread);
	tcase_add_test(pick, test_avoids_in_use);
	tcase_add_test(pick, test_finds_the_last_free_id);
	tcase_add_test(pick, test_full_space_gives_zero);
	tcase_add_test(pick, test_pick_waits_for_quarantine);
	tcase_add_test(pick, test_session_ids_use_prefix);
	tcase_add_test(pick, test_deterministic_with_seed);
	suite_add_tcase(s, pick);

	tcase_set_timeout(quarantine, 60);
	tcase_add_test(quarantine, test_quarantine_boundary);
	tcase_add_test(quarantine, test_release_again_extends);
	tcase_add_test(quarantine, test_zero_quarantine_keeps_nothing);
	tcase_add_test(quarantine, test_key_zero_is_tracked);
	tcase_add_test(quarantine, test_clock_step_back_keeps_order);
	tcase_add_test(quarantine, test_random_against_reference_short);
	tcase_add_test(quarantine, test_random_against_reference_long);
	tcase_add_test(quarantine, test_many_keys_expire_in_release_order);
	suite_add_tcase(s, quarantine);
	return s;
}
