/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The decoder's acceptance rules and every protocol error path (RFC 2661 §4.1, §4.4.2, §7.1). */
#include <string.h>

#include "decode.h"
#include "hide.h"
#include "hex.h"
#include "l2tp/result.h"
#include "raw.h"
#include "samples.h"
#include "suites.h"

static struct raw r;
static struct l2tp_msg m;
static struct proto_error err;

static int decode(const struct blob *secret)
{
	return decode_control(r.buf, raw_end(&r), secret, &m, &err);
}

static void expect_error(enum proto_action action, uint16_t error, const char *text_part)
{
	ck_assert_int_eq(decode(NULL), -1);
	ck_assert_int_eq(err.action, action);
	ck_assert_uint_eq(err.result, action == PROTO_DISCARD ? 0 : 2);
	ck_assert_uint_eq(err.error, error);
	ck_assert_msg(strstr(err.text, text_part), "text \"%s\" lacks \"%s\"", err.text, text_part);
}

START_TEST(test_zlb)
{
	uint8_t b[12];

	ck_assert_int_eq(hex_decode("c802000c 1234 0000 0004 0007", b, sizeof(b)), 12);
	ck_assert_int_eq(decode_control(b, sizeof(b), NULL, &m, &err), 0);
	ck_assert(m.zlb);
	ck_assert_uint_eq(m.tunnel_id, 0x1234);
	ck_assert_uint_eq(m.ns, 4);
	ck_assert_uint_eq(m.nr, 7);
	ck_assert_uint_eq(m.present, 0);
}
END_TEST

START_TEST(test_malformed_header_discarded)
{
	uint8_t b[16];

	ck_assert_int_eq(hex_decode("c801000c000100000000 0000", b, sizeof(b)), 12);
	ck_assert_int_eq(decode_control(b, 12, NULL, &m, &err), -1);
	ck_assert_int_eq(err.action, PROTO_DISCARD);
	ck_assert_ptr_nonnull(strstr(err.text, "malformed header"));
	ck_assert_int_eq(decode_control(b, 5, NULL, &m, &err), -1);
	ck_assert_int_eq(err.action, PROTO_DISCARD);
}
END_TEST

START_TEST(test_data_message_discarded)
{
	uint8_t b[8];

	ck_assert_int_eq(hex_decode("0002 0001 0002 ff03", b, sizeof(b)), 8);
	ck_assert_int_eq(decode_control(b, sizeof(b), NULL, &m, &err), -1);
	ck_assert_int_eq(err.action, PROTO_DISCARD);
	ck_assert_str_eq(err.text, "data message");
}
END_TEST

START_TEST(test_minimal_message_of_every_type)
{
	uint16_t type = sample_types[_i];

	raw_begin(&r, type);
	raw_mandatory(&r, type);
	ck_assert_msg(decode(NULL) == 0, "%s", err.text);
	ck_assert_uint_eq(m.type, type);
	ck_assert_uint_eq(m.tunnel_id, 1);
	ck_assert_uint_eq(m.session_id, 2);
}
END_TEST

START_TEST(test_missing_mandatory_avp)
{
	raw_begin(&r, L2TP_MSG_SCCRQ);
	raw_avp_u32(&r, RAW_M, L2TP_AVP_FRAMING_CAPABILITIES, 3);
	raw_avp_str(&r, RAW_M, L2TP_AVP_HOST_NAME, "h");
	raw_avp_u16(&r, RAW_M, L2TP_AVP_ASSIGNED_TUNNEL_ID, 1);
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_VALUE,
		     "SCCRQ without mandatory AVP Protocol Version (2)");

	raw_begin(&r, L2TP_MSG_ICRQ);
	raw_avp_u16(&r, RAW_M, L2TP_AVP_ASSIGNED_SESSION_ID, 5);
	expect_error(PROTO_CLEAR_SESSION, L2TP_EC_BAD_VALUE, "Call Serial Number (15)");
}
END_TEST

START_TEST(test_first_avp_must_be_message_type)
{
	r.len = 0;
	raw_append(&r, "\xc8\x02\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
	raw_avp_str(&r, RAW_M, L2TP_AVP_HOST_NAME, "h");
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_VALUE, "first AVP is not Message Type");
}
END_TEST

START_TEST(test_first_avp_truncated)
{
	r.len = 0;
	raw_append(&r, "\xc8\x02\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
	raw_append(&r, "\x80\x08\x00", 3);
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_LENGTH, "3 trailing octets");
	r.len = 12;
	raw_append(&r, "\x80\x09\x00\x00\x00\x00\x00\x01", 8); /* claims one octet more */
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_LENGTH, "does not fit");
}
END_TEST

START_TEST(test_message_type_malformed)
{
	r.len = 0;
	raw_append(&r, "\xc8\x02\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
	raw_avp(&r, RAW_M, 0, L2TP_AVP_MESSAGE_TYPE, "\x00\x01\x00", 3);
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_LENGTH, "malformed Message Type");

	r.len = 12;
	raw_avp(&r, RAW_M | RAW_H, 0, L2TP_AVP_MESSAGE_TYPE, "\x00\x01", 2);
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_LENGTH, "malformed Message Type");
}
END_TEST

START_TEST(test_unknown_message_type)
{
	/* M=1: the tunnel MUST be cleared (§4.4.1). */
	raw_begin(&r, 17);
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_VALUE, "unknown message type 17");
	/* M=0: the message may be ignored. */
	r.len = 12;
	raw_avp_u16(&r, 0, L2TP_AVP_MESSAGE_TYPE, 200);
	expect_error(PROTO_DISCARD, 0, "unknown message type 200 with M=0");
}
END_TEST

START_TEST(test_unknown_mandatory_avp_names_it)
{
	raw_begin(&r, L2TP_MSG_HELLO);
	raw_avp_u16(&r, RAW_M, 99, 1);
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_UNKNOWN_MANDATORY_AVP, "unknown mandatory AVP 99");

	/* In a session message only the session goes. */
	raw_begin(&r, L2TP_MSG_ICRP);
	raw_mandatory(&r, L2TP_MSG_ICRP);
	raw_avp_u16(&r, RAW_M, 20, 1); /* 20 is reserved, so unknown */
	expect_error(PROTO_CLEAR_SESSION, L2TP_EC_UNKNOWN_MANDATORY_AVP, "unknown mandatory AVP 20");
}
END_TEST

START_TEST(test_unknown_optional_avp_skipped_and_counted)
{
	raw_begin(&r, L2TP_MSG_HELLO);
	raw_avp_u16(&r, 0, 99, 1);
	raw_avp_u16(&r, 0, 1000, 1);
	ck_assert_int_eq(decode(NULL), 0);
	ck_assert_uint_eq(m.skipped_unknown, 2);
}
END_TEST

START_TEST(test_reserved_header_bits_mean_unrecognised)
{
	raw_begin(&r, L2TP_MSG_HELLO);
	raw_avp_u16(&r, 0x0400, L2TP_AVP_FIRMWARE_REVISION, 1);
	ck_assert_int_eq(decode(NULL), 0);
	ck_assert_uint_eq(m.skipped_unknown, 1);

	raw_begin(&r, L2TP_MSG_HELLO);
	raw_avp_u16(&r, RAW_M | 0x0800, L2TP_AVP_FIRMWARE_REVISION, 1);
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_UNKNOWN_MANDATORY_AVP, "unknown mandatory AVP 6");
}
END_TEST

START_TEST(test_vendor_avps)
{
	unsigned int i;

	/* M=0: kept raw, so a Cisco AVP beside error 6 can be reported. */
	raw_begin(&r, L2TP_MSG_STOPCCN);
	raw_mandatory(&r, L2TP_MSG_STOPCCN);
	raw_avp(&r, 0, L2TP_VENDOR_CISCO, 1, "\x00\x00\x00\x2a", 4);
	ck_assert_int_eq(decode(NULL), 0);
	ck_assert_uint_eq(m.n_vendor, 1);
	ck_assert_uint_eq(m.vendor[0].vendor, L2TP_VENDOR_CISCO);
	ck_assert_uint_eq(m.vendor[0].type, 1);
	ck_assert_uint_eq(m.vendor[0].value.len, 4);
	ck_assert_mem_eq(m.vendor[0].value.ptr, "\x00\x00\x00\x2a", 4);

	/* More than fit are counted. */
	raw_begin(&r, L2TP_MSG_HELLO);
	for (i = 0; i < MSG_MAX_VENDOR + 3; i++)
		raw_avp(&r, 0, 4491, (uint16_t)i, "x", 1);
	ck_assert_int_eq(decode(NULL), 0);
	ck_assert_uint_eq(m.n_vendor, MSG_MAX_VENDOR);
	ck_assert_uint_eq(m.skipped_vendor, 3);

	/* M=1: none is understood, so error 8 naming vendor and attribute. */
	raw_begin(&r, L2TP_MSG_HELLO);
	raw_avp(&r, RAW_M, L2TP_VENDOR_CISCO, 7, "\x00\x05", 2);
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_UNKNOWN_MANDATORY_AVP, "vendor 9 attribute 7");
}
END_TEST

START_TEST(test_avp_length_overruns_message)
{
	raw_begin(&r, L2TP_MSG_HELLO);
	raw_append(&r,
		   "\x80\x20\x00\x00\x00\x07"
		   "abc",
		   9); /* claims 32 octets */
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_LENGTH, "does not fit");

	raw_begin(&r, L2TP_MSG_HELLO);
	raw_append(&r, "\x80\x04\x00\x00\x00\x07", 6); /* shorter than its own header */
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_LENGTH, "does not fit");

	raw_begin(&r, L2TP_MSG_HELLO);
	raw_append(&r, "\x80\x06\x00", 3);
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_LENGTH, "3 trailing octets");
}
END_TEST

static const struct {
	uint16_t msg;
	uint16_t avp;
	const char *value;
	size_t len;
} out_of_range[] = {
	{ L2TP_MSG_SCCRQ, L2TP_AVP_ASSIGNED_TUNNEL_ID, "\x00\x00", 2 },
	{ L2TP_MSG_SCCRQ, L2TP_AVP_RECEIVE_WINDOW_SIZE, "\x00\x00", 2 },
	{ L2TP_MSG_ICRP, L2TP_AVP_ASSIGNED_SESSION_ID, "\x00\x00", 2 },
	{ L2TP_MSG_ICCN, L2TP_AVP_PROXY_AUTHEN_TYPE, "\x00\x06", 2 },
	{ L2TP_MSG_SCCRQ, L2TP_AVP_FAILOVER_CAPABILITY, "\x00\x00\x00\x00\x00\x10", 6 },
	{ L2TP_MSG_SCCRQ, L2TP_AVP_TUNNEL_RECOVERY, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05", 10 },
	{ L2TP_MSG_FSQ, L2TP_AVP_FAILOVER_SESSION_STATE, "\x00\x00\x00\x00\x00\x05\x00\x00\x00\x00", 10 },
};

/* Error 3 with M=1; skipped and counted with M=0. */
START_TEST(test_value_out_of_range)
{
	raw_begin(&r, out_of_range[_i].msg);
	raw_mandatory(&r, out_of_range[_i].msg);
	raw_avp(&r, RAW_M, 0, out_of_range[_i].avp, out_of_range[_i].value, out_of_range[_i].len);
	expect_error(out_of_range[_i].msg == L2TP_MSG_ICRP || out_of_range[_i].msg == L2TP_MSG_ICCN
			     ? PROTO_CLEAR_SESSION
			     : PROTO_CLEAR_TUNNEL,
		     L2TP_EC_BAD_VALUE, "value out of range");

	raw_begin(&r, out_of_range[_i].msg);
	raw_mandatory(&r, out_of_range[_i].msg);
	raw_avp(&r, 0, 0, out_of_range[_i].avp, out_of_range[_i].value, out_of_range[_i].len);
	ck_assert_msg(decode(NULL) == 0, "%s", err.text);
	ck_assert_uint_eq(m.skipped_malformed, 1);
}
END_TEST

START_TEST(test_result_code_lengths)
{
	raw_begin(&r, L2TP_MSG_STOPCCN);
	raw_avp_u16(&r, RAW_M, L2TP_AVP_ASSIGNED_TUNNEL_ID, 3);
	raw_avp(&r, RAW_M, 0, L2TP_AVP_RESULT_CODE, "\x00\x01", 2);
	ck_assert_int_eq(decode(NULL), 0);
	ck_assert_uint_eq(m.result_code.result, 1);
	ck_assert(!m.result_code.has_error);

	raw_begin(&r, L2TP_MSG_STOPCCN);
	raw_avp_u16(&r, RAW_M, L2TP_AVP_ASSIGNED_TUNNEL_ID, 3);
	raw_avp(&r, RAW_M, 0, L2TP_AVP_RESULT_CODE, "\x00\x02\x00\x07", 4);
	ck_assert_int_eq(decode(NULL), 0);
	ck_assert(m.result_code.has_error);
	ck_assert_uint_eq(m.result_code.error, 7);
	ck_assert_uint_eq(m.result_code.message.len, 0);

	raw_begin(&r, L2TP_MSG_CDN);
	raw_avp_u16(&r, RAW_M, L2TP_AVP_ASSIGNED_SESSION_ID, 3);
	raw_avp(&r, RAW_M, 0, L2TP_AVP_RESULT_CODE,
		"\x00\x02\x00\x09"
		"192.0.2.1, 192.0.2.2",
		24);
	ck_assert_int_eq(decode(NULL), 0);
	ck_assert_uint_eq(m.result_code.error, L2TP_EC_TRY_ANOTHER_DIRECTED);
	ck_assert_uint_eq(m.result_code.message.len, 20);
	ck_assert_mem_eq(m.result_code.message.ptr, "192.0.2.1, 192.0.2.2", 20);

	raw_begin(&r, L2TP_MSG_CDN);
	raw_avp_u16(&r, RAW_M, L2TP_AVP_ASSIGNED_SESSION_ID, 3);
	raw_avp(&r, RAW_M, 0, L2TP_AVP_RESULT_CODE, "\x00\x02\x00", 3);
	expect_error(PROTO_CLEAR_SESSION, L2TP_EC_BAD_LENGTH, "Result Code");
}
END_TEST

START_TEST(test_unexpected_avp_ignored_not_stored)
{
	raw_begin(&r, L2TP_MSG_HELLO);
	raw_avp_str(&r, RAW_M, L2TP_AVP_HOST_NAME, "intruder");
	raw_avp_u16(&r, RAW_M, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_STOPCCN);
	ck_assert_int_eq(decode(NULL), 0);
	ck_assert_uint_eq(m.type, L2TP_MSG_HELLO);
	ck_assert(!msg_has(&m, L2TP_AVP_HOST_NAME));
	ck_assert_uint_eq(m.skipped_unexpected, 2);
}
END_TEST

/* An incomplete proxy authentication set is dropped whole (all M=0, §7.1), not fatal. */
START_TEST(test_incomplete_proxy_authen_dropped)
{
	raw_begin(&r, L2TP_MSG_ICCN);
	raw_mandatory(&r, L2TP_MSG_ICCN);
	raw_avp_u16(&r, 0, L2TP_AVP_PROXY_AUTHEN_TYPE, L2TP_PROXY_AUTHEN_PAP);
	raw_avp_str(&r, 0, L2TP_AVP_PROXY_AUTHEN_NAME, "user");
	raw_avp_str(&r, 0, L2TP_AVP_PROXY_AUTHEN_RESPONSE, "password");
	ck_assert_msg(decode(NULL) == 0, "%s", err.text);
	ck_assert(!msg_has(&m, L2TP_AVP_PROXY_AUTHEN_TYPE));
	ck_assert(!msg_has(&m, L2TP_AVP_PROXY_AUTHEN_NAME));
	ck_assert(!msg_has(&m, L2TP_AVP_PROXY_AUTHEN_RESPONSE));
	ck_assert(msg_has(&m, L2TP_AVP_TX_CONNECT_SPEED));
	ck_assert_uint_eq(m.skipped_malformed, 1);

	/* With the PAP ID the set is complete and kept. */
	raw_avp(&r, 0, 0, L2TP_AVP_PROXY_AUTHEN_ID, "\x00\x01", 2);
	ck_assert_msg(decode(NULL) == 0, "%s", err.text);
	ck_assert(msg_has(&m, L2TP_AVP_PROXY_AUTHEN_TYPE));
	ck_assert_uint_eq(m.proxy_authen_name.len, 4);
	ck_assert_mem_eq(m.proxy_authen_name.ptr, "user", 4);
	ck_assert_uint_eq(m.skipped_malformed, 0);

	/* Type "none" needs nothing else. */
	raw_begin(&r, L2TP_MSG_ICCN);
	raw_mandatory(&r, L2TP_MSG_ICCN);
	raw_avp_u16(&r, 0, L2TP_AVP_PROXY_AUTHEN_TYPE, L2TP_PROXY_AUTHEN_NONE);
	ck_assert_msg(decode(NULL) == 0, "%s", err.text);
	ck_assert(msg_has(&m, L2TP_AVP_PROXY_AUTHEN_TYPE));
}
END_TEST

static void hidden_host_avp(uint16_t flags, uint16_t type, const struct blob *secret)
{
	static const uint8_t rv[4] = { 1, 2, 3, 4 };
	const struct blob rvb = { rv, sizeof(rv) };
	uint8_t sub[8] = { 0, 2, 0x12, 0x34, 9, 9, 9, 9 }; /* length 2, value, padding */

	hide_transform(type, secret, &rvb, sub, sizeof(sub), HIDE_ENCRYPT);
	raw_avp(&r, RAW_M, 0, L2TP_AVP_RANDOM_VECTOR, rv, sizeof(rv));
	raw_avp(&r, flags | RAW_H, 0, type, sub, sizeof(sub));
}

START_TEST(test_hidden_avp_unhidden_in_place)
{
	raw_begin(&r, L2TP_MSG_ICRP);
	hidden_host_avp(RAW_M, L2TP_AVP_ASSIGNED_SESSION_ID, &sample_secret);
	ck_assert_msg(decode_control(r.buf, raw_end(&r), &sample_secret, &m, &err) == 0, "%s", err.text);
	ck_assert_uint_eq(m.assigned_session_id, 0x1234);
	ck_assert(msg_is_hidden(&m, L2TP_AVP_ASSIGNED_SESSION_ID));
}
END_TEST

START_TEST(test_hidden_avp_errors)
{
	const struct blob wrong = blob_from_str("not the secret");

	/* No secret configured. */
	raw_begin(&r, L2TP_MSG_ICRP);
	hidden_host_avp(RAW_M, L2TP_AVP_ASSIGNED_SESSION_ID, &sample_secret);
	expect_error(PROTO_CLEAR_SESSION, L2TP_EC_BAD_VALUE, "no shared secret");

	/* Wrong secret: the decrypted length is nonsense. */
	raw_begin(&r, L2TP_MSG_ICRP);
	hidden_host_avp(RAW_M, L2TP_AVP_ASSIGNED_SESSION_ID, &wrong);
	ck_assert_int_eq(decode_control(r.buf, raw_end(&r), &sample_secret, &m, &err), -1);
	ck_assert_uint_eq(err.error, L2TP_EC_BAD_VALUE);
	ck_assert_ptr_nonnull(strstr(err.text, "wrong secret"));

	/* No Random Vector before it. */
	raw_begin(&r, L2TP_MSG_ICRP);
	raw_avp(&r, RAW_M | RAW_H, 0, L2TP_AVP_ASSIGNED_SESSION_ID, "\x11\x22\x33\x44", 4);
	ck_assert_int_eq(decode_control(r.buf, raw_end(&r), &sample_secret, &m, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.text, "without a preceding Random Vector"));

	/* An AVP that must never be hidden. */
	raw_begin(&r, L2TP_MSG_HELLO);
	raw_avp(&r, RAW_M | RAW_H, 0, L2TP_AVP_RANDOM_VECTOR, "\x11\x22\x33\x44", 4);
	expect_error(PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_VALUE, "must not be hidden");

	/* M=0 and undecryptable: skipped. */
	raw_begin(&r, L2TP_MSG_OCRP);
	raw_mandatory(&r, L2TP_MSG_OCRP);
	hidden_host_avp(0, L2TP_AVP_PHYSICAL_CHANNEL_ID, &sample_secret);
	ck_assert_int_eq(decode(NULL), 0);
	ck_assert_uint_eq(m.skipped_malformed, 1);
	ck_assert(!msg_has(&m, L2TP_AVP_PHYSICAL_CHANNEL_ID));
}
END_TEST

/* RFC 4951 puts no limit on them: as many FSS as a message can carry are all kept. */
START_TEST(test_most_fss)
{
	static const uint8_t fss[10] = { 0, 0, 0, 0, 0, 1, 0, 0, 0, 2 };
	unsigned int i, most;

	raw_begin(&r, L2TP_MSG_FSQ);
	most = (unsigned int)((L2TP_MAX_MSG_LEN - r.len) / (L2TP_AVP_HDR_LEN + sizeof(fss)));
	ck_assert_uint_le(most, MSG_MAX_FSS);
	for (i = 0; i < most; i++)
		raw_avp(&r, RAW_M, 0, L2TP_AVP_FAILOVER_SESSION_STATE, fss, sizeof(fss));
	ck_assert_int_eq(decode(NULL), 0);
	ck_assert_uint_eq(m.n_fss, most);
	ck_assert_uint_eq(m.fss[most - 1].remote_session_id, 2);
}
END_TEST

START_TEST(test_fsq_message_type_without_m_bit)
{
	static const uint8_t fss[10] = { 0, 0, 0, 0, 0, 1, 0, 0, 0, 2 };

	r.len = 0;
	raw_append(&r, "\xc8\x02\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
	raw_avp_u16(&r, 0, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_FSQ); /* RFC 4951 §4: M MUST be 0 */
	raw_avp(&r, RAW_M, 0, L2TP_AVP_FAILOVER_SESSION_STATE, fss, sizeof(fss));
	ck_assert_int_eq(decode(NULL), 0);
	ck_assert_uint_eq(m.type, L2TP_MSG_FSQ);
	ck_assert(!m.type_mandatory);
	ck_assert_uint_eq(m.fss[0].session_id, 1);
	ck_assert_uint_eq(m.fss[0].remote_session_id, 2);
}
END_TEST

START_TEST(test_error_text_is_bounded)
{
	/* The longest texts still end in NUL inside the buffer. */
	raw_begin(&r, L2TP_MSG_ICRQ);
	raw_avp_u16(&r, RAW_M, L2TP_AVP_ASSIGNED_SESSION_ID, 5);
	ck_assert_int_eq(decode(NULL), -1);
	ck_assert_uint_lt(strlen(err.text), sizeof(err.text));
}
END_TEST

Suite *suite_decode(void)
{
	Suite *s = suite_create("decode");
	TCase *ok = tcase_create("accept");
	TCase *bad = tcase_create("errors");

	tcase_add_test(ok, test_zlb);
	tcase_add_loop_test(ok, test_minimal_message_of_every_type, 0, (int)n_sample_types);
	tcase_add_test(ok, test_unknown_optional_avp_skipped_and_counted);
	tcase_add_test(ok, test_vendor_avps);
	tcase_add_test(ok, test_result_code_lengths);
	tcase_add_test(ok, test_unexpected_avp_ignored_not_stored);
	tcase_add_test(ok, test_hidden_avp_unhidden_in_place);
	tcase_add_test(ok, test_fsq_message_type_without_m_bit);
	tcase_add_test(ok, test_incomplete_proxy_authen_dropped);
	tcase_add_test(bad, test_malformed_header_discarded);
	tcase_add_test(bad, test_data_message_discarded);
	tcase_add_test(bad, test_missing_mandatory_avp);
	tcase_add_test(bad, test_first_avp_must_be_message_type);
	tcase_add_test(bad, test_first_avp_truncated);
	tcase_add_test(bad, test_message_type_malformed);
	tcase_add_test(bad, test_unknown_message_type);
	tcase_add_test(bad, test_unknown_mandatory_avp_names_it);
	tcase_add_test(bad, test_reserved_header_bits_mean_unrecognised);
	tcase_add_test(bad, test_avp_length_overruns_message);
	tcase_add_loop_test(bad, test_value_out_of_range, 0, sizeof(out_of_range) / sizeof(out_of_range[0]));
	tcase_add_test(bad, test_hidden_avp_errors);
	tcase_add_test(ok, test_most_fss);
	tcase_add_test(bad, test_error_text_is_bounded);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	return s;
}
