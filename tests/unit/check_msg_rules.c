/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "avp.h"
#include "msg_rules.h"
#include "samples.h"
#include "suites.h"

#define B(t) AVP_BIT(avp_slot(t))

START_TEST(test_every_type_has_a_consistent_rule)
{
	const struct msg_rule *r = msg_rule_of(sample_types[_i]);

	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->type, sample_types[_i]);
	ck_assert_str_ne(msg_type_name(r->type), "unknown");
	ck_assert_uint_eq(r->mandatory & ~r->allowed, 0);
	ck_assert(r->mandatory & B(L2TP_AVP_MESSAGE_TYPE));
	ck_assert(r->allowed & B(L2TP_AVP_RANDOM_VECTOR));
	/* Every bit names an AVP the table knows. */
	ck_assert_uint_eq(r->allowed >> AVP_SLOT_COUNT, 0);
	ck_assert_uint_eq(r->allowed & AVP_BIT(20), 0);
}
END_TEST

START_TEST(test_unknown_types_have_no_rule)
{
	static const uint16_t unknown[] = { 0, 5, 13, 17, 20, 23, 0xffff };
	unsigned int i;

	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		ck_assert_ptr_null(msg_rule_of(unknown[i]));
		ck_assert_str_eq(msg_type_name(unknown[i]), "unknown");
	}
}
END_TEST

START_TEST(test_rfc2661_section6_spot_checks)
{
	ck_assert_uint_eq(msg_rule_of(L2TP_MSG_SCCRQ)->mandatory,
			  B(0) | B(L2TP_AVP_PROTOCOL_VERSION) | B(L2TP_AVP_FRAMING_CAPABILITIES) |
				  B(L2TP_AVP_HOST_NAME) | B(L2TP_AVP_ASSIGNED_TUNNEL_ID));
	ck_assert(msg_rule_of(L2TP_MSG_SCCRQ)->allowed & B(L2TP_AVP_TIE_BREAKER));
	ck_assert(!(msg_rule_of(L2TP_MSG_SCCRP)->allowed & B(L2TP_AVP_TIE_BREAKER)));
	ck_assert(msg_rule_of(L2TP_MSG_SCCRP)->allowed & B(L2TP_AVP_CHALLENGE_RESPONSE));
	ck_assert_uint_eq(msg_rule_of(L2TP_MSG_STOPCCN)->mandatory,
			  B(0) | B(L2TP_AVP_RESULT_CODE) | B(L2TP_AVP_ASSIGNED_TUNNEL_ID));
	ck_assert_uint_eq(msg_rule_of(L2TP_MSG_HELLO)->allowed, B(0) | B(L2TP_AVP_RANDOM_VECTOR));
	ck_assert(msg_rule_of(L2TP_MSG_ICCN)->allowed & B(L2TP_AVP_PROXY_AUTHEN_RESPONSE));
	ck_assert(msg_rule_of(L2TP_MSG_ICCN)->allowed & B(L2TP_AVP_SEQUENCING_REQUIRED));
	ck_assert(msg_rule_of(L2TP_MSG_CDN)->allowed & B(L2TP_AVP_Q931_CAUSE_CODE));
	ck_assert(msg_rule_of(L2TP_MSG_CDN)->allowed & B(L2TP_AVP_PPP_DISCONNECT_CAUSE_CODE));
	ck_assert_uint_eq(msg_rule_of(L2TP_MSG_FSQ)->allowed,
			  B(0) | B(L2TP_AVP_RANDOM_VECTOR) | B(L2TP_AVP_FAILOVER_SESSION_STATE));
	ck_assert(msg_rule_of(L2TP_MSG_SCCRQ)->allowed & B(L2TP_AVP_TUNNEL_RECOVERY));
	ck_assert(msg_rule_of(L2TP_MSG_SCCRP)->allowed & B(L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE));
}
END_TEST

START_TEST(test_scopes)
{
	ck_assert_int_eq(msg_rule_of(L2TP_MSG_SCCRQ)->scope, MSG_SCOPE_TUNNEL);
	ck_assert_int_eq(msg_rule_of(L2TP_MSG_HELLO)->scope, MSG_SCOPE_TUNNEL);
	ck_assert_int_eq(msg_rule_of(L2TP_MSG_FSQ)->scope, MSG_SCOPE_TUNNEL);
	ck_assert_int_eq(msg_rule_of(L2TP_MSG_ICRQ)->scope, MSG_SCOPE_SESSION);
	ck_assert_int_eq(msg_rule_of(L2TP_MSG_CDN)->scope, MSG_SCOPE_SESSION);
	ck_assert_int_eq(msg_rule_of(L2TP_MSG_SLI)->scope, MSG_SCOPE_SESSION);
}
END_TEST

Suite *suite_msg_rules(void)
{
	Suite *s = suite_create("msg_rules");
	TCase *tc = tcase_create("rules");

	tcase_add_loop_test(tc, test_every_type_has_a_consistent_rule, 0, (int)n_sample_types);
	tcase_add_test(tc, test_unknown_types_have_no_rule);
	tcase_add_test(tc, test_rfc2661_section6_spot_checks);
	tcase_add_test(tc, test_scopes);
	suite_add_tcase(s, tc);
	return s;
}
