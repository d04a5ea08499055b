/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A seeded, repeatable random source for struct encode_opts in tests and fuzz targets. */
#ifndef L2TPKD_TEST_RANDOM_H
#define L2TPKD_TEST_RANDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct test_random {
	uint64_t state;
};

void test_random_init(struct test_random *r, uint64_t seed);
/* Signature of encode_opts.random; arg is a struct test_random. */
void test_random_fill(void *arg, void *buf, size_t n);
uint64_t test_random_u64(struct test_random *r);
/* True with probability p. */
bool test_random_chance(struct test_random *r, double p);

#endif
