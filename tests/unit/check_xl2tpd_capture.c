/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Vectors from an implementation nobody here wrote: two Debian xl2tpd 1.3.18 daemons talking
 * to each other with "challenge = yes" and "hidden bit = yes", captured by
 * scripts/capture-xl2tpd into tests/vectors/xl2tpd.pcap (scripts/check also makes a fresh one
 * and points L2TP_XL2TPD_PCAP at it). Every control packet must decode, its challenge
 * responses must verify with the shared secret, and it must re-encode (plain and with every
 * hideable AVP hidden) to a message that decodes to the same fields.
 *
 * xl2tpd 1.3.18 sends a Random Vector in most messages but hides nothing even with
 * "hidden bit = yes"; the hidden re-encoding and the vectors suite cover unhiding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "avp.h"
#include "decode.h"
#include "encode.h"
#include "msg_equal.h"
#include "msg_rules.h"
#include "pcap_udp.h"
#include "suites.h"

static const struct blob *secret(void)
{
	static struct blob b;

	b = blob_from_str("hidden-s3cret"); /* as in scripts/capture-xl2tpd */
	return &b;
}

static const char *capture_path(void)
{
	static char path[4096];
	const char *fresh = getenv("L2TP_XL2TPD_PCAP");
	const char *dir = getenv("L2TP_TEST_VECTORS");

	if (fresh && *fresh)
		return fresh;
	snprintf(path, sizeof(path), "%s/xl2tpd.pcap", dir ? dir : "tests/vectors");
	return path;
}

struct walk {
	unsigned int packets;
	unsigned int zlbs;
	uint32_t types; /* bit per message type seen */
	char failure[256];
	uint8_t sccrq_challenge[64], sccrp_challenge[64];
	size_t sccrq_challenge_len, sccrp_challenge_len;
	uint8_t sccrp_response[16], scccn_response[16];
	bool have_sccrp_response, have_scccn_response;
	char sccrq_host[64], sccrp_host[64];
	char stopccn_message[64];
	bool cdn_has_error;
};

static int walk_fail(struct walk *w, const char *what, const char *detail)
{
	snprintf(w->failure, sizeof(w->failure), "packet %u: %s: %s", w->packets, what, detail);
	return 1;
}

static void keep(uint8_t *dst, size_t *dst_len, const struct blob *b)
{
	*dst_len = b->len < 64 ? b->len : 64;
	memcpy(dst, b->ptr, *dst_len);
}

/* Re-encodes m (hidden as asked), decodes the result and compares. */
static int round_trip(struct walk *w, const struct l2tp_msg *m, bool hide)
{
	static struct l2tp_msg copy, back;
	struct encode_opts opts = { .secret = secret() };
	struct proto_error err;
	static uint8_t out[L2TP_MAX_MSG_LEN];
	char why[80];
	int len, slot;

	copy = *m;
	if (hide && !msg_has(&copy, L2TP_AVP_RANDOM_VECTOR)) {
		msg_set_present(&copy, L2TP_AVP_RANDOM_VECTOR);
		copy.random_vector = blob_from_str("a random vector of our own");
	}
	if (hide)
		for (slot = 0; slot < AVP_SLOT_COUNT; slot++)
			if ((copy.present & AVP_BIT(slot)) && avp_table[slot].may_hide)
				copy.hidden |= AVP_BIT(slot);
	len = encode_control(&copy, &opts, out, sizeof(out));
	if (len < 0)
		return walk_fail(w, "re-encode", hide ? "hidden" : "plain");
	if (decode_control(out, (size_t)len, secret(), &back, &err) < 0)
		return walk_fail(w, "decode of re-encoding", err.text);
	if (!msg_equal(&copy, &back, why, sizeof(why)))
		return walk_fail(w, "re-encoding decodes differently", why);
	return 0;
}

static int visit(void *arg, uint8_t *payload, size_t len)
{
	struct walk *w = arg;
	static struct l2tp_msg m;
	struct proto_error err;

	w->packets++;
	if (decode_control(payload, len, secret(), &m, &err) < 0)
		return walk_fail(w, "decode", err.text);
	if (m.skipped_unknown || m.skipped_malformed || m.skipped_unexpected || m.skipped_vendor)
		return walk_fail(w, "decode", "skipped AVPs");
	if (m.zlb) {
		w->zlbs++;
		return 0;
	}
	w->types |= 1u << m.type;
	switch (m.type) {
	case L2TP_MSG_SCCRQ:
		keep(w->sccrq_challenge, &w->sccrq_challenge_len, &m.challenge);
		snprintf(w->sccrq_host, sizeof(w->sccrq_host), "%.*s", m.host_name.len, m.host_name.ptr);
		break;
	case L2TP_MSG_SCCRP:
		keep(w->sccrp_challenge, &w->sccrp_challenge_len, &m.challenge);
		memcpy(w->sccrp_response, m.challenge_response, 16);
		w->have_sccrp_response = msg_has(&m, L2TP_AVP_CHALLENGE_RESPONSE);
		snprintf(w->sccrp_host, sizeof(w->sccrp_host), "%.*s", m.host_name.len, m.host_name.ptr);
		break;
	case L2TP_MSG_SCCCN:
		memcpy(w->scccn_response, m.challenge_response, 16);
		w->have_scccn_response = msg_has(&m, L2TP_AVP_CHALLENGE_RESPONSE);
		break;
	case L2TP_MSG_CDN:
		w->cdn_has_error = m.result_code.has_error;
		break;
	case L2TP_MSG_STOPCCN:
		snprintf(w->stopccn_message, sizeof(w->stopccn_message), "%.*s", m.result_code.message.len,
			 m.result_code.message.ptr);
		break;
	}
	return round_trip(w, &m, false) || round_trip(w, &m, true);
}

static struct walk walk_capture(void)
{
	struct walk w = { 0 };
	char errbuf[PCAP_ERRBUF_SIZE];
	int n = pcap_udp_read(capture_path(), visit, &w, errbuf);

	ck_assert_msg(n >= 0, "%s: %s", capture_path(), errbuf);
	ck_assert_msg(!w.failure[0], "%s", w.failure);
	return w;
}

START_TEST(test_every_packet_decodes_and_round_trips)
{
	struct walk w = walk_capture();

	/* Nine message types and a ZLB at least; how many ZLBs depends on piggybacking. */
	ck_assert_uint_ge(w.packets, 10);
}
END_TEST

START_TEST(test_capture_covers_the_exchange)
{
	static const uint16_t wanted[] = { L2TP_MSG_SCCRQ, L2TP_MSG_SCCRP, L2TP_MSG_SCCCN,
					   L2TP_MSG_ICRQ,  L2TP_MSG_ICRP,  L2TP_MSG_ICCN,
					   L2TP_MSG_CDN,   L2TP_MSG_HELLO, L2TP_MSG_STOPCCN };
	struct walk w = walk_capture();
	unsigned int i;

	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		ck_assert_msg(w.types & (1u << wanted[i]), "no %s in the capture", msg_type_name(wanted[i]));
	ck_assert_uint_ge(w.zlbs, 1);
	ck_assert_str_eq(w.sccrq_host, "lac-xl2tpd");
	ck_assert_str_eq(w.sccrp_host, "lns-xl2tpd");
	/* Two of the three Result Code lengths, as a real peer writes them. */
	ck_assert(w.cdn_has_error);
	ck_assert_str_eq(w.stopccn_message, "Goodbye!");
}
END_TEST

/* RFC 2661 §5.1.1 both ways: SCCRP answers the SCCRQ's challenge (ID 2), SCCCN the SCCRP's (ID 3). */
START_TEST(test_challenge_responses_verify)
{
	struct walk w = walk_capture();
	struct blob rq = { w.sccrq_challenge, (uint16_t)w.sccrq_challenge_len };
	struct blob rp = { w.sccrp_challenge, (uint16_t)w.sccrp_challenge_len };
	const struct blob wrong = blob_from_str("not-the-secret");

	ck_assert(w.have_sccrp_response && w.have_scccn_response);
	ck_assert_uint_gt(rq.len, 0);
	ck_assert_uint_gt(rp.len, 0);
	ck_assert(auth_response_valid(L2TP_MSG_SCCRP, secret(), &rq, w.sccrp_response));
	ck_assert(auth_response_valid(L2TP_MSG_SCCCN, secret(), &rp, w.scccn_response));
	ck_assert(!auth_response_valid(L2TP_MSG_SCCRP, &wrong, &rq, w.sccrp_response));
}
END_TEST

Suite *suite_xl2tpd_capture(void)
{
	Suite *s = suite_create("xl2tpd_capture");
	TCase *tc = tcase_create("xl2tpd 1.3.18");

	tcase_add_test(tc, test_every_packet_decodes_and_round_trips);
	tcase_add_test(tc, test_capture_covers_the_exchange);
	tcase_add_test(tc, test_challenge_responses_verify);
	suite_add_tcase(s, tc);
	return s;
}
