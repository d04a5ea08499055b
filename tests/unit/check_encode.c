/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <string.h>

#include "avp.h"
#include "decode.h"
#include "encode.h"
#include "msg_equal.h"
#include "samples.h"
#include "suites.h"
#include "test_random.h"

static struct l2tp_msg m, back;
static uint8_t buf[L2TP_MAX_MSG_LEN];

START_TEST(test_zlb_is_a_bare_header)
{
	msg_init(&m, 0);
	m.zlb = true;
	m.tunnel_id = 0x0102;
	m.ns = 3;
	m.nr = 4;
	ck_assert_int_eq(encode_control(&m, NULL, buf, sizeof(buf)), 12);
	ck_assert_mem_eq(buf, "\xc8\x02\x00\x0c\x01\x02\x00\x00\x00\x03\x00\x04", 12);
}
END_TEST

START_TEST(test_result_code_three_lengths)
{
	static const struct {
		bool has_error;
		const char *text;
		int avp_len;
	} cases[] = { { false, "", 8 }, { true, "", 10 }, { true, "try 192.0.2.9", 23 } };
	struct proto_error err;
	int len, i;

	for (i = 0; i < 3; i++) {
		msg_init(&m, L2TP_MSG_STOPCCN);
		msg_set_present(&m, L2TP_AVP_RESULT_CODE);
		msg_set_present(&m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
		m.assigned_tunnel_id = 9;
		m.result_code.result = 2;
		m.result_code.error = cases[i].has_error ? 7 : 0;
		m.result_code.has_error = cases[i].has_error;
		m.result_code.message = blob_from_str(cases[i].text);
		len = encode_control(&m, NULL, buf, sizeof(buf));
		/* Header, Message Type, then Result Code (type order). */
		ck_assert_int_eq(len, 12 + 8 + cases[i].avp_len + 8);
		ck_assert_uint_eq(buf[20] << 8 | buf[21], 0x8000 | cases[i].avp_len);
		ck_assert_int_eq(decode_control(buf, (size_t)len, NULL, &back, &err), 0);
		ck_assert_uint_eq(back.result_code.has_error, cases[i].has_error);
	}
}
END_TEST

START_TEST(test_m_bits_follow_the_table)
{
	struct rcursor c;
	int len;

	sample_msg(&m, L2TP_MSG_SCCRQ, true);
	len = encode_control(&m, NULL, buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	rcursor_init(&c, buf + 12, (size_t)len - 12);
	while (rcursor_left(&c)) {
		uint16_t word = rcursor_u16(&c), type;

		(void)rcursor_u16(&c);
		type = rcursor_u16(&c);
		ck_assert_msg(!!(word & L2TP_AVP_HDR_M) == avp_desc_of(type)->mandatory, "AVP %u", type);
		ck_assert(!(word & L2TP_AVP_HDR_H));
		(void)rcursor_take(&c, (word & L2TP_AVP_HDR_LEN_MASK) - 6u);
	}
	ck_assert(rcursor_ok(&c));
}
END_TEST

START_TEST(test_fsq_message_type_sent_without_m)
{
	sample_msg(&m, L2TP_MSG_FSQ, false);
	ck_assert_int_gt(encode_control(&m, NULL, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(buf[12], 0x00); /* M clear (RFC 4951 §4) */
	sample_msg(&m, L2TP_MSG_SCCCN, false);
	ck_assert_int_gt(encode_control(&m, NULL, buf, sizeof(buf)), 0);
	ck_assert_uint_eq(buf[12], 0x80);
}
END_TEST

START_TEST(test_random_vector_precedes_hidden_avps)
{
	struct encode_opts opts = { .secret = &sample_secret };
	int len;

	sample_msg(&m, L2TP_MSG_ICRQ, true);
	sample_hide_all(&m);
	len = encode_control(&m, &opts, buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	/* Message Type (8 octets) then the Random Vector. */
	ck_assert_uint_eq(buf[12 + 8 + 4] << 8 | buf[12 + 8 + 5], L2TP_AVP_RANDOM_VECTOR);
}
END_TEST

START_TEST(test_padding_varies_length_but_not_content)
{
	struct test_random rnd;
	struct encode_opts opts = { .secret = &sample_secret,
				    .random = test_random_fill,
				    .random_arg = &rnd };
	struct proto_error err;
	char why[80];
	int len, plain_len, seed, longer = 0;

	sample_msg(&m, L2TP_MSG_ICCN, true);
	sample_hide_all(&m);
	plain_len = encode_control(&m, &(struct encode_opts){ .secret = &sample_secret }, buf, sizeof(buf));
	for (seed = 1; seed <= 20; seed++) {
		test_random_init(&rnd, (uint64_t)seed);
		len = encode_control(&m, &opts, buf, sizeof(buf));
		ck_assert_int_ge(len, plain_len);
		longer += len > plain_len;
		ck_assert_int_eq(decode_control(buf, (size_t)len, &sample_secret, &back, &err), 0);
		ck_assert_msg(msg_equal(&m, &back, why, sizeof(why)), "%s", why);
	}
	ck_assert_int_gt(longer, 15);
}
END_TEST

START_TEST(test_refuses_what_it_cannot_encode)
{
	struct encode_opts opts = { .secret = &sample_secret };
	static uint8_t big[AVP_MAX_VALUE_LEN + 1];

	/* Hidden without a secret. */
	sample_msg(&m, L2TP_MSG_ICRP, false);
	msg_set_hidden(&m, L2TP_AVP_ASSIGNED_SESSION_ID);
	ck_assert_int_eq(encode_control(&m, NULL, buf, sizeof(buf)), -EINVAL);
	/* Hidden without a Random Vector. */
	ck_assert_int_eq(encode_control(&m, &opts, buf, sizeof(buf)), -EINVAL);
	/* Hiding what must never be hidden. */
	sample_msg(&m, L2TP_MSG_SCCRQ, true);
	msg_set_hidden(&m, L2TP_AVP_HOST_NAME);
	ck_assert_int_eq(encode_control(&m, &opts, buf, sizeof(buf)), -EINVAL);
	/* Values too long or too short for their AVP. */
	sample_msg(&m, L2TP_MSG_SCCRQ, false);
	m.host_name = (struct blob){ big, sizeof(big) };
	ck_assert_int_eq(encode_control(&m, NULL, buf, sizeof(buf)), -EINVAL);
	m.host_name = (struct blob){ big, 0 };
	ck_assert_int_eq(encode_control(&m, NULL, buf, sizeof(buf)), -EINVAL);
	/* A hidden value of 1016 octets has no room for the length field. */
	sample_msg(&m, L2TP_MSG_SCCRQ, true);
	m.vendor_name = (struct blob){ big, AVP_MAX_VALUE_LEN - 1 };
	msg_set_hidden(&m, L2TP_AVP_VENDOR_NAME);
	ck_assert_int_eq(encode_control(&m, &opts, buf, sizeof(buf)), -EINVAL);
	/* A vendor AVP with the IETF vendor id. */
	sample_msg(&m, L2TP_MSG_HELLO, false);
	m.n_vendor = 1;
	m.vendor[0] = (struct vendor_avp){ L2TP_VENDOR_IETF, 7, false, blob_from_str("x") };
	ck_assert_int_eq(encode_control(&m, NULL, buf, sizeof(buf)), -EINVAL);
	/* FSS present with no entries. */
	sample_msg(&m, L2TP_MSG_FSQ, false);
	m.n_fss = 0;
	ck_assert_int_eq(encode_control(&m, NULL, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(test_buffer_too_small)
{
	int len, cap;

	sample_msg(&m, L2TP_MSG_SCCRQ, true);
	len = encode_control(&m, NULL, buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	for (cap = 0; cap < len; cap += 7)
		ck_assert_int_eq(encode_control(&m, NULL, buf, (size_t)cap), -EMSGSIZE);
	ck_assert_int_eq(encode_control(&m, NULL, buf, (size_t)len), len);
}
END_TEST

Suite *suite_encode(void)
{
	Suite *s = suite_create("encode");
	TCase *tc = tcase_create("encode");

	tcase_add_test(tc, test_zlb_is_a_bare_header);
	tcase_add_test(tc, test_result_code_three_lengths);
	tcase_add_test(tc, test_m_bits_follow_the_table);
	tcase_add_test(tc, test_fsq_message_type_sent_without_m);
	tcase_add_test(tc, test_random_vector_precedes_hidden_avps);
	tcase_add_test(tc, test_padding_varies_length_but_not_content);
	tcase_add_test(tc, test_refuses_what_it_cannot_encode);
	tcase_add_test(tc, test_buffer_too_small);
	suite_add_tcase(s, tc);
	return s;
}
