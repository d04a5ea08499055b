/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Expected digests computed with Python's hashlib, independently of this code. */
#include "auth.h"
#include "hex.h"
#include "suites.h"

START_TEST(test_known_answer)
{
	const struct blob secret = blob_from_str("hidden-s3cret");
	const struct blob challenge = blob_from_str("abc");
	uint8_t out[16], expect[16];

	ck_assert_int_eq(hex_decode("9920da37af6a0c89f642694185abc3ae", expect, sizeof(expect)), 16);
	auth_challenge_response(L2TP_MSG_SCCRP, &secret, &challenge, out);
	ck_assert_mem_eq(out, expect, 16);
	ck_assert(auth_response_valid(L2TP_MSG_SCCRP, &secret, &challenge, expect));
}
END_TEST

START_TEST(test_id_separates_sccrp_from_scccn)
{
	const struct blob secret = blob_from_str("s");
	const struct blob challenge = blob_from_str("0123456789abcdef");
	uint8_t sccrp[16];

	/* §9.1: a response taken from an SCCRP must not pass as the SCCCN's. */
	auth_challenge_response(L2TP_MSG_SCCRP, &secret, &challenge, sccrp);
	ck_assert(auth_response_valid(L2TP_MSG_SCCRP, &secret, &challenge, sccrp));
	ck_assert(!auth_response_valid(L2TP_MSG_SCCCN, &secret, &challenge, sccrp));
}
END_TEST

START_TEST(test_wrong_secret_or_challenge_fails)
{
	const struct blob secret = blob_from_str("right");
	const struct blob wrong = blob_from_str("wrong");
	const struct blob challenge = blob_from_str("challenge");
	const struct blob other = blob_from_str("challengf");
	uint8_t r[16];

	auth_challenge_response(L2TP_MSG_SCCCN, &secret, &challenge, r);
	ck_assert(!auth_response_valid(L2TP_MSG_SCCCN, &wrong, &challenge, r));
	ck_assert(!auth_response_valid(L2TP_MSG_SCCCN, &secret, &other, r));
	r[15] ^= 1;
	ck_assert(!auth_response_valid(L2TP_MSG_SCCCN, &secret, &challenge, r));
}
END_TEST

Suite *suite_auth(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("challenge");

	tcase_add_test(tc, test_known_answer);
	tcase_add_test(tc, test_id_separates_sccrp_from_scccn);
	tcase_add_test(tc, test_wrong_secret_or_challenge_fails);
	suite_add_tcase(s, tc);
	return s;
}
