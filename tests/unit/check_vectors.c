/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Known-answer vectors for every message type, with only the mandatory AVPs and with every
 * allowed one, plain and with every hideable AVP hidden. They come from
 * tests/vectors/gen_vectors.py, which shares no code with the codec. Each vector must decode
 * to the sample message, the sample must encode to the vector's exact bytes, and
 * decode-encode must give the bytes back.
 */
#include <string.h>

#include "auth.h"
#include "decode.h"
#include "encode.h"
#include "hex.h"
#include "msg_equal.h"
#include "msg_rules.h"
#include "samples.h"
#include "suites.h"

struct vector {
	uint16_t type;
	bool every_allowed_avp;
	bool hidden;
	const char *hex;
};

#include "vectors.inc"

#define N_VECTORS ((int)(sizeof(vectors) / sizeof(vectors[0])))

static struct l2tp_msg expect, got;
static uint8_t wire[4096], out[4096];

/* Vector i is sample variant i; the generator writes them in the same order. */
static void expected_msg(int i)
{
	const struct vector *v = &vectors[i];

	sample_variant(&expect, (size_t)i);
	ck_assert(v->type == expect.type && v->every_allowed_avp == !!(i & 2) && v->hidden == (i & 1));
}

START_TEST(test_one_vector_per_sample_variant)
{
	ck_assert_uint_eq((size_t)N_VECTORS, N_SAMPLE_VARIANTS);
}
END_TEST

START_TEST(test_vector_decodes_to_sample)
{
	const struct vector *v = &vectors[_i];
	struct proto_error err;
	char why[80];
	int n = hex_decode(v->hex, wire, sizeof(wire));

	ck_assert_int_gt(n, 0);
	expected_msg(_i);
	ck_assert_msg(decode_control(wire, (size_t)n, &sample_secret, &got, &err) == 0, "%s: %s",
		      msg_type_name(v->type), err.text);
	ck_assert_msg(msg_equal(&expect, &got, why, sizeof(why)), "%s: %s", msg_type_name(v->type), why);
	ck_assert_uint_eq(
		got.skipped_unknown + got.skipped_malformed + got.skipped_unexpected + got.skipped_vendor, 0);
}
END_TEST

START_TEST(test_sample_encodes_to_vector)
{
	const struct vector *v = &vectors[_i];
	struct encode_opts opts = { .secret = &sample_secret };
	int n = hex_decode(v->hex, wire, sizeof(wire));
	int len;

	expected_msg(_i);
	len = encode_control(&expect, &opts, out, sizeof(out));
	ck_assert_int_eq(len, n);
	ck_assert_msg(memcmp(out, wire, (size_t)n) == 0, "%s: bytes differ", msg_type_name(v->type));
}
END_TEST

START_TEST(test_decode_encode_gives_same_bytes)
{
	const struct vector *v = &vectors[_i];
	struct encode_opts opts = { .secret = &sample_secret };
	struct proto_error err;
	uint8_t original[4096];
	int n = hex_decode(v->hex, wire, sizeof(wire));

	memcpy(original, wire, (size_t)n);
	ck_assert_int_eq(decode_control(wire, (size_t)n, &sample_secret, &got, &err), 0);
	ck_assert_int_eq(encode_control(&got, &opts, out, sizeof(out)), n);
	ck_assert_mem_eq(out, original, (size_t)n);
}
END_TEST

START_TEST(test_challenge_response_vectors)
{
	struct blob challenge;
	uint8_t r[16], expect2[16], expect3[16];

	sample_msg(&expect, L2TP_MSG_SCCRQ, true);
	challenge = expect.challenge;
	ck_assert_int_eq(hex_decode(response_id2, expect2, sizeof(expect2)), 16);
	ck_assert_int_eq(hex_decode(response_id3, expect3, sizeof(expect3)), 16);
	auth_challenge_response(L2TP_MSG_SCCRP, &sample_secret, &challenge, r);
	ck_assert_mem_eq(r, expect2, 16);
	auth_challenge_response(L2TP_MSG_SCCCN, &sample_secret, &challenge, r);
	ck_assert_mem_eq(r, expect3, 16);
}
END_TEST

Suite *suite_vectors(void)
{
	Suite *s = suite_create("vectors");
	TCase *tc = tcase_create("every message type");

	tcase_add_test(tc, test_one_vector_per_sample_variant);
	tcase_add_loop_test(tc, test_vector_decodes_to_sample, 0, N_VECTORS);
	tcase_add_loop_test(tc, test_sample_encodes_to_vector, 0, N_VECTORS);
	tcase_add_loop_test(tc, test_decode_encode_gives_same_bytes, 0, N_VECTORS);
	tcase_add_test(tc, test_challenge_response_vectors);
	suite_add_tcase(s, tc);
	return s;
}
