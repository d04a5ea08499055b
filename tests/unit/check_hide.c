/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hidden AVP transform. Known answers come from tests/vectors/gen_vectors.py (Python's
 * hashlib, written from RFC 2661 §4.3); the vectors suite checks whole hidden messages.
 */
#include <string.h>

#include "hex.h"
#include "hide.h"
#include "samples.h"
#include "suites.h"

static const uint8_t rv_octets[16] = { 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
				       0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0 };
static const struct blob rv = { rv_octets, sizeof(rv_octets) };

START_TEST(test_known_answer_short)
{
	uint8_t sub[4] = { 0x00, 0x02, 0xdb, 0x05 }, expect[4];

	ck_assert_int_eq(hex_decode("05db1dfd", expect, sizeof(expect)), 4);
	hide_transform(L2TP_AVP_ASSIGNED_TUNNEL_ID, &sample_secret, &rv, sub, sizeof(sub), HIDE_ENCRYPT);
	ck_assert_mem_eq(sub, expect, 4);
	hide_transform(L2TP_AVP_ASSIGNED_TUNNEL_ID, &sample_secret, &rv, sub, sizeof(sub), HIDE_DECRYPT);
	ck_assert_mem_eq(sub, "\x00\x02\xdb\x05", 4);
}
END_TEST

START_TEST(test_known_answer_three_chunks)
{
	uint8_t sub[42], expect[42];
	int i;

	sub[0] = 0;
	sub[1] = 40;
	for (i = 0; i < 40; i++)
		sub[2 + i] = (uint8_t)i;
	ck_assert_int_eq(hex_decode("c97c8475a358447a34ea74a685b8ea3f5afbd1eb2a20b475c18281f18cb1d127"
				    "ba6366c25f908816c6e8",
				    expect, sizeof(expect)),
			 42);
	hide_transform(L2TP_AVP_PROXY_AUTHEN_NAME, &sample_secret, &rv, sub, sizeof(sub), HIDE_ENCRYPT);
	ck_assert_mem_eq(sub, expect, sizeof(sub));
}
END_TEST

/* Lengths around the 16-octet chunk boundaries. */
START_TEST(test_round_trip_every_length)
{
	uint8_t plain[64], data[64];
	size_t len = (size_t)_i, i;

	for (i = 0; i < len; i++)
		plain[i] = (uint8_t)(i * 7 + 1);
	memcpy(data, plain, len);
	hide_transform(L2TP_AVP_CALLED_NUMBER, &sample_secret, &rv, data, len, HIDE_ENCRYPT);
	if (len >= 4)
		ck_assert(memcmp(data, plain, len) != 0);
	hide_transform(L2TP_AVP_CALLED_NUMBER, &sample_secret, &rv, data, len, HIDE_DECRYPT);
	ck_assert(len == 0 || memcmp(data, plain, len) == 0);
}
END_TEST

START_TEST(test_key_depends_on_type_secret_and_vector)
{
	const struct blob other_secret = blob_from_str("another secret");
	const struct blob other_rv = { rv_octets, 15 };
	uint8_t a[8] = { 0 }, b[8] = { 0 }, c[8] = { 0 }, d[8] = { 0 };

	hide_transform(L2TP_AVP_CHALLENGE, &sample_secret, &rv, a, sizeof(a), HIDE_ENCRYPT);
	hide_transform(L2TP_AVP_HOST_NAME, &sample_secret, &rv, b, sizeof(b), HIDE_ENCRYPT);
	hide_transform(L2TP_AVP_CHALLENGE, &other_secret, &rv, c, sizeof(c), HIDE_ENCRYPT);
	hide_transform(L2TP_AVP_CHALLENGE, &sample_secret, &other_rv, d, sizeof(d), HIDE_ENCRYPT);
	ck_assert(memcmp(a, b, 8) && memcmp(a, c, 8) && memcmp(a, d, 8));
}
END_TEST

Suite *suite_hide(void)
{
	Suite *s = suite_create("hide");
	TCase *tc = tcase_create("hide");

	tcase_add_test(tc, test_known_answer_short);
	tcase_add_test(tc, test_known_answer_three_chunks);
	tcase_add_loop_test(tc, test_round_trip_every_length, 0, 50);
	tcase_add_test(tc, test_key_depends_on_type_secret_and_vector);
	suite_add_tcase(s, tc);
	return s;
}
