/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "suites.h"
#include "test_random.h"

struct item {
	struct hnode node;
	bool in_map;
};

static uint32_t random_u32(struct test_random *r)
{
	uint32_t v;

	test_random_fill(r, &v, sizeof(v));
	return v;
}

/* Counts the nodes hmap_first/hmap_next yield for key and checks each has that key. */
static unsigned count_key(const struct hmap *h, uint32_t key)
{
	struct hnode *n;
	unsigned c = 0;

	for (n = hmap_first(h, key); n; n = hmap_next(n)) {
		ck_assert_uint_eq(n->key, key);
		c++;
	}
	return c;
}

static bool found(const struct hmap *h, const struct item *it)
{
	struct hnode *n;

	for (n = hmap_first(h, it->node.key); n; n = hmap_next(n)) {
		if (hmap_entry(n, struct item, node) == it)
			return true;
	}
	return false;
}

static uint32_t chain_len(const struct hmap *h, uint32_t b)
{
	struct hnode *n;
	uint32_t c = 0;

	for (n = h->buckets[b]; n; n = n->next)
		c++;
	return c;
}

/* The index of the bucket holding node, found by walking the table (the hash is private). */
static uint32_t bucket_index(const struct hmap *h, const struct hnode *node)
{
	struct hnode *n;
	uint32_t b;

	for (b = 0; b < h->n_buckets; b++) {
		for (n = h->buckets[b]; n; n = n->next) {
			if (n == node)
				return b;
		}
	}
	ck_abort_msg("node not in any bucket");
	return 0;
}

START_TEST(test_empty_map)
{
	struct hmap h;

	hmap_init(&h);
	ck_assert_ptr_null(hmap_first(&h, 0));
	ck_assert_ptr_null(hmap_first(&h, 12345));
	ck_assert_uint_eq(hmap_heap_bytes(&h), 0);
	ck_assert_uint_eq(h.count, 0);
	hmap_destroy(&h);
	hmap_destroy(NULL);
}
END_TEST

START_TEST(test_insert_lookup_remove_one)
{
	struct hmap h;
	struct item a;

	hmap_init(&h);
	ck_assert_int_eq(hmap_insert(&h, &a.node, 0x00010002), 0);
	ck_assert_uint_eq(h.count, 1);
	ck_assert_uint_eq(h.n_buckets, 16);
	ck_assert_uint_eq(hmap_heap_bytes(&h), 16 * sizeof(struct hnode *));
	ck_assert_ptr_eq(hmap_first(&h, 0x00010002), &a.node);
	ck_assert_ptr_eq(hmap_entry(hmap_first(&h, 0x00010002), struct item, node), &a);
	ck_assert_ptr_null(hmap_next(&a.node));
	ck_assert_ptr_null(hmap_first(&h, 0x00020001));
	hmap_remove(&h, &a.node);
	ck_assert_uint_eq(h.count, 0);
	ck_assert_ptr_null(hmap_first(&h, 0x00010002));
	/* The table stays for the next insert. */
	ck_assert_uint_eq(hmap_heap_bytes(&h), 16 * sizeof(struct hnode *));
	hmap_destroy(&h);
	ck_assert_uint_eq(hmap_heap_bytes(&h), 0);
	ck_assert_ptr_null(h.buckets);
}
END_TEST

START_TEST(test_grows_when_count_exceeds_buckets)
{
	enum { N = 5000 };
	struct item *it = calloc(N, sizeof(*it));
	struct hmap h;
	uint32_t i, expect = 16;

	ck_assert_ptr_nonnull(it);
	hmap_init(&h);
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(hmap_insert(&h, &it[i].node, i * 7919u), 0);
		if (i + 1 > expect)
			expect *= 2;
		ck_assert_uint_eq(h.n_buckets, expect);
		ck_assert_uint_eq(h.count, i + 1);
		ck_assert_uint_eq(hmap_heap_bytes(&h), expect * sizeof(struct hnode *));
	}
	ck_assert_uint_eq(h.n_buckets, 8192);
	/* Every node survived each rehash. */
	for (i = 0; i < N; i++) {
		if (!found(&h, &it[i]))
			ck_abort_msg("node %u lost", i);
	}
	hmap_destroy(&h);
	free(it);
}
END_TEST

START_TEST(test_random_keys_100k)
{
	enum { N = 100000 };
	struct item *it = calloc(N, sizeof(*it));
	struct test_random r;
	struct hmap h;
	uint32_t i;

	ck_assert_ptr_nonnull(it);
	test_random_init(&r, 0x1234);
	hmap_init(&h);
	for (i = 0; i < N; i++) {
		if (hmap_insert(&h, &it[i].node, random_u32(&r)) != 0)
			ck_abort_msg("insert %u failed", i);
		it[i].in_map = true;
	}
	ck_assert_uint_eq(h.count, N);
	ck_assert_uint_eq(h.n_buckets, 131072);
	for (i = 0; i < N; i++) {
		if (!found(&h, &it[i]))
			ck_abort_msg("node %u lost", i);
	}

	/* Remove a random half, then check both halves. */
	for (i = 0; i < N; i++) {
		if (random_u32(&r) & 1) {
			hmap_remove(&h, &it[i].node);
			it[i].in_map = false;
		}
	}
	for (i = 0; i < N; i++) {
		if (found(&h, &it[i]) != it[i].in_map)
			ck_abort_msg("node %u: found %d, in map %d", i, !it[i].in_map, it[i].in_map);
	}

	for (i = 0; i < N; i++) {
		if (it[i].in_map)
			hmap_remove(&h, &it[i].node);
	}
	ck_assert_uint_eq(h.count, 0);
	for (i = 0; i < h.n_buckets; i++) {
		if (h.buckets[i])
			ck_abort_msg("bucket %u not empty", i);
	}
	hmap_destroy(&h);
	free(it);
}
END_TEST

START_TEST(test_duplicate_keys_iterate_only_their_key)
{
	struct item dup[4], other[3];
	struct hmap h;
	uint32_t b7, k, n_other = 0, i;

	hmap_init(&h);
	ck_assert_int_eq(hmap_insert(&h, &dup[0].node, 7), 0);
	b7 = bucket_index(&h, &dup[0].node);
	/* Keep keys that land in key 7's bucket, so its chain interleaves several keys. */
	for (k = 100; n_other < 3; k++) {
		ck_assert_uint_lt(k, 1000);
		ck_assert_int_eq(hmap_insert(&h, &other[n_other].node, k), 0);
		if (bucket_index(&h, &other[n_other].node) == b7)
			n_other++;
		else
			hmap_remove(&h, &other[n_other].node);
	}
	ck_assert_int_eq(hmap_insert(&h, &dup[1].node, 7), 0);
	ck_assert_int_eq(hmap_insert(&h, &dup[2].node, 7), 0);
	ck_assert_int_eq(hmap_insert(&h, &dup[3].node, 7), 0);
	ck_assert_uint_eq(h.n_buckets, 16);
	ck_assert_uint_eq(chain_len(&h, b7), 7);
	ck_assert_uint_eq(count_key(&h, 7), 4);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(count_key(&h, other[i].node.key), 1);
	for (i = 0; i < 4; i++)
		ck_assert(found(&h, &dup[i]));

	/* Removing one duplicate, from the middle of the chain, leaves the others. */
	hmap_remove(&h, &dup[1].node);
	ck_assert_uint_eq(count_key(&h, 7), 3);
	ck_assert(!found(&h, &dup[1]));
	ck_assert(found(&h, &dup[0]) && found(&h, &dup[2]) && found(&h, &dup[3]));
	hmap_remove(&h, &dup[3].node);
	hmap_remove(&h, &dup[0].node);
	ck_assert_uint_eq(count_key(&h, 7), 1);
	ck_assert_ptr_eq(hmap_first(&h, 7), &dup[2].node);
	ck_assert_uint_eq(h.count, 4);
	hmap_destroy(&h);
}
END_TEST

START_TEST(test_session_keys_spread)
{
	/* tid << 16 | 1 for 4096 tunnels: identical low bits, which a mask alone would pile up. */
	enum { N = 4096 };
	struct item *it = calloc(N, sizeof(*it));
	struct hmap h;
	uint32_t i, longest = 0;

	ck_assert_ptr_nonnull(it);
	hmap_init(&h);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(hmap_insert(&h, &it[i].node, (i + 1) << 16 | 1), 0);
	ck_assert_uint_eq(h.n_buckets, N);
	for (i = 0; i < h.n_buckets; i++) {
		if (chain_len(&h, i) > longest)
			longest = chain_len(&h, i);
	}
	/* A random spread of 4096 keys over 4096 buckets has a longest chain of about 6. */
	ck_assert_uint_le(longest, 10);
	hmap_destroy(&h);
	free(it);
}
END_TEST

START_TEST(test_reuse_after_destroy)
{
	struct hmap h;
	struct item a, b;

	hmap_init(&h);
	ck_assert_int_eq(hmap_insert(&h, &a.node, 1), 0);
	hmap_destroy(&h);
	ck_assert_uint_eq(h.count, 0);
	ck_assert_uint_eq(h.n_buckets, 0);
	ck_assert_ptr_null(hmap_first(&h, 1));
	ck_assert_int_eq(hmap_insert(&h, &b.node, 1), 0);
	ck_assert_ptr_eq(hmap_first(&h, 1), &b.node);
	hmap_destroy(&h);
}
END_TEST

START_TEST(test_hash_is_deterministic_and_keyed)
{
	static const char s[] = "192.0.2.1:1701";

	ck_assert_uint_eq(hmap_hash(s, strlen(s), 0), hmap_hash(s, strlen(s), 0));
	ck_assert_uint_eq(hmap_hash(s, strlen(s), 99), hmap_hash(s, strlen(s), 99));
	ck_assert_uint_ne(hmap_hash(s, strlen(s), 0), hmap_hash(s, strlen(s), 1));
	/* Length counts: a trailing zero octet is a different key. */
	ck_assert_uint_ne(hmap_hash(s, strlen(s), 0), hmap_hash(s, strlen(s) + 1, 0));
	ck_assert_uint_ne(hmap_hash("", 0, 0), hmap_hash("", 1, 0));
	ck_assert_uint_ne(hmap_hash("ab", 2, 0), hmap_hash("ba", 2, 0));
}
END_TEST

START_TEST(test_hash_avalanche)
{
	uint8_t buf[20];
	struct test_random r;
	unsigned total = 0, trials = 0, i, bit;
	uint32_t base;

	/* Flipping one input bit must flip about half of the output bits, on average. */
	test_random_init(&r, 7);
	for (i = 0; i < 200; i++) {
		test_random_fill(&r, buf, sizeof(buf));
		base = hmap_hash(buf, sizeof(buf), 0x5eed);

		for (bit = 0; bit < sizeof(buf) * 8; bit++) {
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			total += (unsigned)__builtin_popcount(base ^ hmap_hash(buf, sizeof(buf), 0x5eed));
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			trials++;
		}
	}
	ck_assert_uint_ge(total * 10 / trials, 155);
	ck_assert_uint_le(total * 10 / trials, 165);
}
END_TEST

START_TEST(test_hash_keys_in_map)
{
	/* Peers keyed by a hash of their address: equal hashes share a key, the caller compares. */
	struct item a, b;
	struct hmap h;
	uint32_t ka = hmap_hash("10.0.0.1", 8, 3), kb = hmap_hash("10.0.0.2", 8, 3);

	hmap_init(&h);
	ck_assert_int_eq(hmap_insert(&h, &a.node, ka), 0);
	ck_assert_int_eq(hmap_insert(&h, &b.node, kb), 0);
	ck_assert_ptr_eq(hmap_first(&h, hmap_hash("10.0.0.1", 8, 3)), &a.node);
	ck_assert_ptr_eq(hmap_first(&h, hmap_hash("10.0.0.2", 8, 3)), &b.node);
	hmap_destroy(&h);
}
END_TEST

Suite *suite_hmap(void)
{
	Suite *s = suite_create("hmap");
	TCase *tc = tcase_create("hmap");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_empty_map);
	tcase_add_test(tc, test_insert_lookup_remove_one);
	tcase_add_test(tc, test_grows_when_count_exceeds_buckets);
	tcase_add_test(tc, test_random_keys_100k);
	tcase_add_test(tc, test_duplicate_keys_iterate_only_their_key);
	tcase_add_test(tc, test_session_keys_spread);
	tcase_add_test(tc, test_reuse_after_destroy);
	tcase_add_test(tc, test_hash_is_deterministic_and_keyed);
	tcase_add_test(tc, test_hash_avalanche);
	tcase_add_test(tc, test_hash_keys_in_map);
	suite_add_tcase(s, tc);
	return s;
}
