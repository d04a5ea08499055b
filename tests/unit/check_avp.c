/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every row of the AVP descriptor table, checked against the RFC and exercised on the wire. */
#include <string.h>

#include "avp.h"
#include "decode.h"
#include "encode.h"
#include "msg_equal.h"
#include "msg_rules.h"
#include "raw.h"
#include "samples.h"
#include "suites.h"

/* RFC 2661 §4.3 and RFC 4951 §5: these MUST NOT be hidden. */
static bool never_hidden(uint16_t type)
{
	switch (type) {
	case L2TP_AVP_MESSAGE_TYPE:
	case L2TP_AVP_RESULT_CODE:
	case L2TP_AVP_PROTOCOL_VERSION:
	case L2TP_AVP_TIE_BREAKER:
	case L2TP_AVP_HOST_NAME:
	case L2TP_AVP_RECEIVE_WINDOW_SIZE:
	case L2TP_AVP_Q931_CAUSE_CODE:
	case L2TP_AVP_RANDOM_VECTOR:
	case L2TP_AVP_SEQUENCING_REQUIRED:
	case L2TP_AVP_TUNNEL_RECOVERY:
		return true;
	default:
		return false;
	}
}

/* RFC 2661 §4.4 (M column of shared/spec/l2tp-protocol.md §1.4) and RFC 4951 §5. */
static bool sent_without_m(uint16_t type)
{
	switch (type) {
	case L2TP_AVP_TIE_BREAKER:
	case L2TP_AVP_FIRMWARE_REVISION:
	case L2TP_AVP_VENDOR_NAME:
	case L2TP_AVP_PHYSICAL_CHANNEL_ID:
	case L2TP_AVP_PRIVATE_GROUP_ID:
	case L2TP_AVP_RX_CONNECT_SPEED:
	case L2TP_AVP_PPP_DISCONNECT_CAUSE_CODE:
	case L2TP_AVP_FAILOVER_CAPABILITY:
	case L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE:
		return true;
	default:
		return type >= L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ &&
		       type <= L2TP_AVP_PROXY_AUTHEN_RESPONSE;
	}
}

/* A message type that may carry the AVP in this slot. */
static uint16_t carrier(int slot)
{
	size_t i;

	for (i = 0; i < n_sample_types; i++)
		if (msg_rule_of(sample_types[i])->allowed & AVP_BIT(slot))
			return sample_types[i];
	ck_abort_msg("no message type carries slot %d", slot);
	return 0;
}

START_TEST(test_row_matches_rfc)
{
	const struct avp_desc *d = &avp_table[_i];

	if (_i == 20) {
		ck_assert_ptr_null(d->name);
		ck_assert_ptr_null(avp_desc_of(20));
		return;
	}
	ck_assert_ptr_nonnull(d->name);
	ck_assert_uint_eq(d->type, avp_slot_type(_i));
	ck_assert_int_eq(avp_slot(d->type), _i);
	ck_assert_ptr_eq(avp_desc_of(d->type), d);
	ck_assert_str_eq(avp_name(d->type), d->name);
	ck_assert_uint_le(d->min_len, d->max_len);
	ck_assert_uint_le(d->max_len, AVP_MAX_VALUE_LEN);
	ck_assert_msg(d->may_hide == !never_hidden(d->type), "%s hiding", d->name);
	ck_assert_msg(d->mandatory == !sent_without_m(d->type), "%s M bit", d->name);
	ck_assert_ptr_nonnull(d->decode);
	ck_assert_ptr_nonnull(d->encode);
}
END_TEST

/* Encodes a message carrying the row's AVP (hidden when it may be) and decodes it back. */
START_TEST(test_row_round_trip)
{
	const struct avp_desc *d = &avp_table[_i];
	struct encode_opts opts = { .secret = &sample_secret };
	static struct l2tp_msg m, back;
	struct proto_error err;
	uint8_t buf[4096];
	char why[80];
	int len, pass;

	if (!d->name)
		return;
	for (pass = 0; pass < (d->may_hide ? 2 : 1); pass++) {
		sample_msg(&m, carrier(_i), true);
		/* Every allowed AVP includes the Random Vector that hiding needs. */
		ck_assert(m.present & AVP_BIT(_i));
		ck_assert(m.present & AVP_BIT(L2TP_AVP_RANDOM_VECTOR));
		if (pass)
			m.hidden = AVP_BIT(_i);
		len = encode_control(&m, &opts, buf, sizeof(buf));
		ck_assert_int_gt(len, 0);
		ck_assert_msg(decode_control(buf, (size_t)len, &sample_secret, &back, &err) == 0, "%s: %s",
			      d->name, err.text);
		ck_assert(back.present & AVP_BIT(_i));
		ck_assert_uint_eq(!!(back.hidden & AVP_BIT(_i)), pass);
		ck_assert_msg(msg_equal(&m, &back, why, sizeof(why)), "%s: %s", d->name, why);
	}
}
END_TEST

/* A value one octet too short or too long: error 2 with M=1, skipped with M=0 (§7.1). */
START_TEST(test_row_bad_length)
{
	const struct avp_desc *d = &avp_table[_i];
	static struct raw r;
	static struct l2tp_msg m;
	struct proto_error err;
	uint8_t value[AVP_MAX_VALUE_LEN + 1] = { 0 };
	size_t bad_len;
	uint16_t type;

	if (!d->name || _i == L2TP_AVP_MESSAGE_TYPE)
		return;
	if (d->min_len > 0)
		bad_len = d->min_len - 1u;
	else if (d->max_len < AVP_MAX_VALUE_LEN)
		bad_len = d->max_len + 1u;
	else
		return; /* every length the wire can express is valid */
	type = carrier(_i);

	raw_begin(&r, type);
	raw_mandatory(&r, type);
	raw_avp(&r, RAW_M, L2TP_VENDOR_IETF, d->type, value, bad_len);
	ck_assert_int_eq(decode_control(r.buf, raw_end(&r), NULL, &m, &err), -1);
	ck_assert_uint_eq(err.result, 2);
	ck_assert_uint_eq(err.error, 2);
	ck_assert_int_eq(err.action, msg_rule_of(type)->scope == MSG_SCOPE_SESSION ? PROTO_CLEAR_SESSION
										   : PROTO_CLEAR_TUNNEL);
	ck_assert_ptr_nonnull(strstr(err.text, d->name));

	raw_begin(&r, type);
	raw_mandatory(&r, type);
	raw_avp(&r, 0, L2TP_VENDOR_IETF, d->type, value, bad_len);
	ck_assert_msg(decode_control(r.buf, raw_end(&r), NULL, &m, &err) == 0, "%s: %s", d->name, err.text);
	ck_assert_uint_eq(m.skipped_malformed, 1);
}
END_TEST

Suite *suite_avp(void)
{
	Suite *s = suite_create("avp");
	TCase *tc = tcase_create("table");

	tcase_add_loop_test(tc, test_row_matches_rfc, 0, AVP_SLOT_COUNT);
	tcase_add_loop_test(tc, test_row_round_trip, 0, AVP_SLOT_COUNT);
	tcase_add_loop_test(tc, test_row_bad_length, 0, AVP_SLOT_COUNT);
	suite_add_tcase(s, tc);
	return s;
}
