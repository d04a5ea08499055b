/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "header.h"
#include "hex.h"
#include "suites.h"

static int parse(const char *hexstr, struct l2tp_header *h, const char **why)
{
	uint8_t b[128];
	int n = hex_decode(hexstr, b, sizeof(b));

	ck_assert_int_ge(n, 0);
	*why = NULL;
	return header_parse(b, (size_t)n, h, why);
}

START_TEST(test_control_header)
{
	struct l2tp_header h;
	const char *why;

	ck_assert_int_eq(parse("c802 000c 1234 5678 0003 0004", &h, &why), 0);
	ck_assert(h.control);
	ck_assert_uint_eq(h.length, 12);
	ck_assert_uint_eq(h.tunnel_id, 0x1234);
	ck_assert_uint_eq(h.session_id, 0x5678);
	ck_assert_uint_eq(h.ns, 3);
	ck_assert_uint_eq(h.nr, 4);
	ck_assert_uint_eq(h.payload, 12);
}
END_TEST

START_TEST(test_data_header_minimal)
{
	struct l2tp_header h;
	const char *why;

	/* T=0, no L, no S: tunnel and session only, then the PPP frame. */
	ck_assert_int_eq(parse("0002 0102 0304 ff03 c021", &h, &why), 0);
	ck_assert(!h.control);
	ck_assert(!h.has_length);
	ck_assert(!h.has_sequence);
	ck_assert_uint_eq(h.tunnel_id, 0x0102);
	ck_assert_uint_eq(h.session_id, 0x0304);
	ck_assert_uint_eq(h.payload, 6);
	ck_assert_uint_eq(h.length, 10);
}
END_TEST

START_TEST(test_data_header_all_fields)
{
	struct l2tp_header h;
	const char *why;

	/* L, S, O and P set; offset size 2, then two octets of pad. */
	ck_assert_int_eq(parse("4b02 0014 0001 0002 0007 0000 0002 aaaa ff03 0021 4500", &h, &why), 0);
	ck_assert(h.has_length && h.has_sequence && h.priority);
	ck_assert_uint_eq(h.ns, 7);
	ck_assert_uint_eq(h.length, 20);
	ck_assert_uint_eq(h.payload, 16);
}
END_TEST

START_TEST(test_trailing_octets_beyond_length_ignored)
{
	struct l2tp_header h;
	const char *why;

	ck_assert_int_eq(parse("c802 000c 0001 0000 0000 0000 dead beef", &h, &why), 0);
	ck_assert_uint_eq(h.length, 12);
}
END_TEST

START_TEST(test_oversized_datagram_reads_only_its_length)
{
	static uint8_t big[70000];
	struct l2tp_header h;
	const char *why;

	/* More than a UDP payload can hold: only the first 65535 octets can count. */
	memcpy(big, "\xc8\x02\x00\x0c\x00\x01\x00\x00\x00\x00\x00\x00", 12);
	ck_assert_int_eq(header_parse(big, sizeof(big), &h, &why), 0);
	ck_assert_uint_eq(h.length, 12);
	/* Without a Length field a data message ends at 65535. */
	memcpy(big, "\x00\x02\x00\x01\x00\x02", 6);
	ck_assert_int_eq(header_parse(big, sizeof(big), &h, &why), 0);
	ck_assert_uint_eq(h.length, 65535);
}
END_TEST

static const struct {
	const char *hex;
	const char *why;
} bad[] = {
	{ "c8", "shorter than a header" },
	{ "c801 000c 0001 0000 0000 0000", "not L2TP version 2" }, /* L2F */
	{ "c803 000c 0001 0000 0000 0000", "not L2TP version 2" },
	{ "8802 0001 0000 0000 0000", "control message without Length or sequence numbers" },
	{ "c002 000c 0001 0000", "control message without Length or sequence numbers" },
	{ "ca02 000e 0001 0000 0000 0000 0000", "control message with Offset or Priority bit" },
	{ "c902 000c 0001 0000 0000 0000", "control message with Offset or Priority bit" },
	{ "c802 000c 0001 0000 0000", "header runs past the end of the datagram" },
	{ "c802 0010 0001 0000 0000 0000", "Length field exceeds the datagram" },
	{ "c802 0008 0001 0000 0000 0000", "Length field shorter than the header" },
	{ "0202 0001 0002 0010 aabb", "header runs past the end of the datagram" }, /* offset pad */
};

START_TEST(test_malformed_header_refused)
{
	struct l2tp_header h;
	const char *why;

	ck_assert_int_eq(parse(bad[_i].hex, &h, &why), -1);
	ck_assert_str_eq(why, bad[_i].why);
}
END_TEST

/* The Message Type peeked before decoding: the first AVP's value, or -1 when it is not one. */
static const struct {
	const char *hex;
	int type;
} peeked[] = {
	{ "c802 0014 0001 0000 0000 0000 8008 0000 0000 000a", 10 }, /* ICRQ */
	{ "c802 0014 0001 0000 0000 0000 0008 0000 0000 0007", 7 },  /* no M bit: still its type */
	{ "c802 000c 0001 0000 0000 0000", -1 },		      /* ZLB */
	{ "c802 0012 0001 0000 0000 0000 8008 0000 0000", -1 },       /* cut short by Length */
	{ "c802 0014 0001 0000 0000 0000 c008 0000 0000 000a", -1 },  /* hidden */
	{ "c802 0014 0001 0000 0000 0000 8008 0009 0000 000a", -1 },  /* a vendor's */
	{ "c802 0014 0001 0000 0000 0000 8008 0000 0001 000a", -1 },  /* not attribute 0 */
	{ "c802 0016 0001 0000 0000 0000 800a 0000 0000 000a 0000", -1 }, /* wrong length */
};

START_TEST(test_message_type_peeked)
{
	struct l2tp_header h;
	uint8_t b[64];
	const char *why;
	int n = hex_decode(peeked[_i].hex, b, sizeof(b));

	ck_assert_int_ge(n, 0);
	ck_assert_int_eq(header_parse(b, (size_t)n, &h, &why), 0);
	ck_assert_int_eq(header_message_type(b, &h), peeked[_i].type);
}
END_TEST

Suite *suite_header(void)
{
	Suite *s = suite_create("header");
	TCase *tc = tcase_create("header");

	tcase_add_test(tc, test_control_header);
	tcase_add_test(tc, test_data_header_minimal);
	tcase_add_test(tc, test_data_header_all_fields);
	tcase_add_test(tc, test_trailing_octets_beyond_length_ignored);
	tcase_add_test(tc, test_oversized_datagram_reads_only_its_length);
	tcase_add_loop_test(tc, test_malformed_header_refused, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_loop_test(tc, test_message_type_peeked, 0, sizeof(peeked) / sizeof(peeked[0]));
	suite_add_tcase(s, tc);
	return s;
}
