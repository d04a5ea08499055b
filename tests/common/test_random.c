/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "test_random.h"

void test_random_init(struct test_random *r, uint64_t seed)
{
	r->state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

/* xorshift64*: plenty for padding bytes that only need to be repeatable. */
void test_random_fill(void *arg, void *buf, size_t n)
{
	struct test_random *r = arg;
	uint8_t *out = buf;
	size_t i;

	for (i = 0; i < n; i++) {
		r->state ^= r->state >> 12;
		r->state ^= r->state << 25;
		r->state ^= r->state >> 27;
		out[i] = (uint8_t)((r->state * 0x2545f4914f6cdd1dULL) >> 56);
	}
}

uint64_t test_random_u64(struct test_random *r)
{
	uint64_t v;

	test_random_fill(r, &v, sizeof(v));
	return v;
}

bool test_random_chance(struct test_random *r, double p)
{
	return p > 0 && (double)(test_random_u64(r) >> 11) / (double)(1ULL << 53) < p;
}
