/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "ip_pool.h"
#include "suites.h"

START_TEST(every_address_once_then_full)
{
	struct ip_pool p;
	uint32_t seen[200] = { 0 }, a;

	ck_assert_int_eq(ip_pool_init(&p, 0x0a010002, 0x0a0100c9), 0); /* 10.1.0.2 - 10.1.0.201 */
	for (int i = 0; i < 200; i++) {
		ck_assert_int_eq(ip_pool_take(&p, &a), 0);
		ck_assert_uint_ge(a, 0x0a010002);
		ck_assert_uint_le(a, 0x0a0100c9);
		ck_assert_uint_eq(seen[a - 0x0a010002]++, 0);
	}
	ck_assert_int_eq(ip_pool_take(&p, &a), -ENOSPC);
	ip_pool_give(&p, 0x0a010050);
	ck_assert_int_eq(ip_pool_take(&p, &a), 0);
	ck_assert_uint_eq(a, 0x0a010050);
	ip_pool_destroy(&p);
}
END_TEST

START_TEST(freed_address_not_reused_at_once)
{
	struct ip_pool p;
	uint32_t a, b;

	ck_assert_int_eq(ip_pool_init(&p, 100, 103), 0);
	ck_assert_int_eq(ip_pool_take(&p, &a), 0);
	ip_pool_give(&p, a);
	ck_assert_int_eq(ip_pool_take(&p, &b), 0);
	ck_assert_uint_ne(a, b);
	ip_pool_destroy(&p);
}
END_TEST

START_TEST(claim_and_foreign_addresses)
{
	struct ip_pool p;
	uint32_t a;

	ck_assert_int_eq(ip_pool_init(&p, 10, 11), 0);
	ck_assert(ip_pool_claim(&p, 10));
	ck_assert(!ip_pool_claim(&p, 10));
	ck_assert(!ip_pool_claim(&p, 9));
	ck_assert(!ip_pool_claim(&p, 12));
	ip_pool_give(&p, 12); /* outside: ignored */
	ip_pool_give(&p, 11); /* not in use: ignored, the count stays right */
	ck_assert_int_eq(ip_pool_take(&p, &a), 0);
	ck_assert_uint_eq(a, 11);
	ck_assert_int_eq(ip_pool_take(&p, &a), -ENOSPC);
	ip_pool_destroy(&p);
}
END_TEST

START_TEST(bad_ranges)
{
	struct ip_pool p;
	uint32_t a;

	ck_assert_int_eq(ip_pool_init(&p, 5, 4), -EINVAL);
	ck_assert_int_eq(ip_pool_init(&p, 0, UINT32_MAX), -EINVAL);
	ck_assert_int_eq(ip_pool_init(&p, 7, 7), 0);
	ck_assert_int_eq(ip_pool_take(&p, &a), 0);
	ck_assert_uint_eq(a, 7);
	ip_pool_destroy(&p);
	ck_assert_int_eq(ip_pool_take(&p, &a), -ENOSPC); /* destroyed: an empty pool */
}
END_TEST

Suite *suite_ip_pool(void)
{
	Suite *s = suite_create("ip_pool");
	TCase *tc = tcase_create("ip_pool");

	tcase_add_test(tc, every_address_once_then_full);
	tcase_add_test(tc, freed_address_not_reused_at_once);
	tcase_add_test(tc, claim_and_foreign_addresses);
	tcase_add_test(tc, bad_ranges);
	suite_add_tcase(s, tc);
	return s;
}
