/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wire constants against the RFC numbers, and proof that they coexist with the kernel's
 * <linux/l2tp.h> (which also defines L2TP_MSG_* debug flags): this file includes both.
 */
#include <linux/l2tp.h>

#include "l2tp/result.h"
#include "l2tp/wire.h"
#include "suites.h"

struct number {
	long value;
	long rfc;
	const char *name;
};

#define N(c, v)          \
	{                \
		c, v, #c \
	}

static const struct number numbers[] = {
	N(L2TP_PORT, 1701),
	N(L2TP_HDR_T, 0x8000),
	N(L2TP_HDR_L, 0x4000),
	N(L2TP_HDR_S, 0x0800),
	N(L2TP_HDR_O, 0x0200),
	N(L2TP_HDR_P, 0x0100),
	N(L2TP_HDR_CONTROL, 0xc802),
	N(L2TP_AVP_HDR_M, 0x8000),
	N(L2TP_AVP_HDR_H, 0x4000),
	N(L2TP_AVP_HDR_LEN_MASK, 0x03ff),
	N(L2TP_VENDOR_CISCO, 9),
	/* Message types, RFC 2661 §3.2 and RFC 4951 §4. */
	N(L2TP_MSG_SCCRQ, 1),
	N(L2TP_MSG_SCCRP, 2),
	N(L2TP_MSG_SCCCN, 3),
	N(L2TP_MSG_STOPCCN, 4),
	N(L2TP_MSG_HELLO, 6),
	N(L2TP_MSG_OCRQ, 7),
	N(L2TP_MSG_OCRP, 8),
	N(L2TP_MSG_OCCN, 9),
	N(L2TP_MSG_ICRQ, 10),
	N(L2TP_MSG_ICRP, 11),
	N(L2TP_MSG_ICCN, 12),
	N(L2TP_MSG_CDN, 14),
	N(L2TP_MSG_WEN, 15),
	N(L2TP_MSG_SLI, 16),
	N(L2TP_MSG_FSQ, 21),
	N(L2TP_MSG_FSR, 22),
	/* AVP types, RFC 2661 §4.4, RFC 3145, RFC 4951 §5. */
	N(L2TP_AVP_MESSAGE_TYPE, 0),
	N(L2TP_AVP_RESULT_CODE, 1),
	N(L2TP_AVP_TIE_BREAKER, 5),
	N(L2TP_AVP_HOST_NAME, 7),
	N(L2TP_AVP_CHALLENGE, 11),
	N(L2TP_AVP_CHALLENGE_RESPONSE, 13),
	N(L2TP_AVP_ASSIGNED_SESSION_ID, 14),
	N(L2TP_AVP_CALLED_NUMBER, 21),
	N(L2TP_AVP_PROXY_AUTHEN_TYPE, 29),
	N(L2TP_AVP_PROXY_AUTHEN_RESPONSE, 33),
	N(L2TP_AVP_RANDOM_VECTOR, 36),
	N(L2TP_AVP_SEQUENCING_REQUIRED, 39),
	N(L2TP_AVP_PPP_DISCONNECT_CAUSE_CODE, 46),
	N(L2TP_AVP_FAILOVER_CAPABILITY, 76),
	N(L2TP_AVP_TUNNEL_RECOVERY, 77),
	N(L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE, 78),
	N(L2TP_AVP_FAILOVER_SESSION_STATE, 79),
	/* Result and error codes, RFC 2661 §4.4.2, RFC 3931 §5.4.2. */
	N(L2TP_RC_STOPCCN_NOT_AUTHORIZED, 4),
	N(L2TP_RC_STOPCCN_BAD_VERSION, 5),
	N(L2TP_RC_STOPCCN_FSM_ERROR, 7),
	N(L2TP_RC_STOPCCN_CCDS_MISMATCH, 8),
	N(L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 4),
	N(L2TP_RC_CDN_TIMEOUT, 10),
	N(L2TP_RC_CDN_NO_FRAMING, 11),
	N(L2TP_RC_CDN_FSM_ERROR, 16),
	N(L2TP_RC_CDN_SEQUENCING_NOT_SUPPORTED, 31),
	N(L2TP_EC_NO_RESOURCES, 4),
	N(L2TP_EC_VENDOR, 6),
	N(L2TP_EC_TRY_ANOTHER, 7),
	N(L2TP_EC_UNKNOWN_MANDATORY_AVP, 8),
	N(L2TP_EC_TRY_ANOTHER_DIRECTED, 9),
	N(L2TP_EC_TSA_BUSY, 12),
	N(L2TP_FAILOVER_CAP_C, 1),
	N(L2TP_FAILOVER_CAP_D, 2),
	/* The kernel's own constants are still what the kernel says. */
	N(L2TP_MSG_DATA, 8),
	N(L2TP_CMD_TUNNEL_CREATE, 1),
};

START_TEST(test_constant_matches_rfc)
{
	ck_assert_msg(numbers[_i].value == numbers[_i].rfc, "%s is %ld, RFC says %ld", numbers[_i].name,
		      numbers[_i].value, numbers[_i].rfc);
}
END_TEST

Suite *suite_wire(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("constants");

	tcase_add_loop_test(tc, test_constant_matches_rfc, 0, sizeof(numbers) / sizeof(numbers[0]));
	suite_add_tcase(s, tc);
	return s;
}
