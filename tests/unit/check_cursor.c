/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cursor.h"
#include "suites.h"

START_TEST(test_reads_big_endian)
{
	static const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
	struct rcursor c;

	rcursor_init(&c, b, sizeof(b));
	ck_assert_uint_eq(rcursor_u8(&c), 0x01);
	ck_assert_uint_eq(rcursor_u16(&c), 0x0203);
	ck_assert_uint_eq(rcursor_u32(&c), 0x04050607);
	ck_assert(rcursor_ok(&c));
	ck_assert_uint_eq(rcursor_left(&c), 0);
}
END_TEST

START_TEST(test_read_past_end_is_sticky)
{
	static const uint8_t b[] = { 0xaa, 0xbb, 0xcc };
	struct rcursor c;

	rcursor_init(&c, b, sizeof(b));
	ck_assert_uint_eq(rcursor_u32(&c), 0);
	ck_assert(!rcursor_ok(&c));
	/* Once bad, even a read that would fit yields nothing. */
	ck_assert_uint_eq(rcursor_u8(&c), 0);
	ck_assert_uint_eq(rcursor_left(&c), 0);
	ck_assert_ptr_null(rcursor_take(&c, 0));
}
END_TEST

START_TEST(test_take_and_sub)
{
	static const uint8_t b[] = { 1, 2, 3, 4, 5 };
	struct rcursor c, sub;
	uint8_t out[2];

	rcursor_init(&c, b, sizeof(b));
	ck_assert_ptr_eq(rcursor_take(&c, 1), b);
	rcursor_sub(&c, 2, &sub);
	ck_assert_uint_eq(rcursor_u16(&sub), 0x0203);
	ck_assert_uint_eq(rcursor_left(&sub), 0);
	rcursor_copy(&c, out, 2);
	ck_assert_uint_eq(out[0], 4);
	ck_assert_uint_eq(out[1], 5);
	rcursor_sub(&c, 1, &sub);
	ck_assert(!rcursor_ok(&c));
	ck_assert(!rcursor_ok(&sub));
}
END_TEST

START_TEST(test_null_buffer_is_empty)
{
	struct rcursor c;
	struct wcursor w;

	rcursor_init(&c, NULL, 100);
	ck_assert_uint_eq(rcursor_left(&c), 0);
	wcursor_init(&w, NULL, 100);
	wcursor_u8(&w, 1);
	ck_assert(!wcursor_ok(&w));
}
END_TEST

START_TEST(test_writes_big_endian)
{
	uint8_t b[8];
	struct wcursor w;

	wcursor_init(&w, b, sizeof(b));
	wcursor_u8(&w, 0x11);
	wcursor_u16(&w, 0x2233);
	wcursor_u32(&w, 0x44556677);
	wcursor_bytes(&w, "\x88", 1);
	ck_assert(wcursor_ok(&w));
	ck_assert_mem_eq(b, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	wcursor_patch_u16(&w, 1, 0xabcd);
	ck_assert_mem_eq(b, "\x11\xab\xcd", 3);
}
END_TEST

START_TEST(test_write_overflow_writes_nothing)
{
	uint8_t b[4] = { 0 };
	struct wcursor w;

	wcursor_init(&w, b, 3);
	wcursor_u16(&w, 0x1122);
	wcursor_u16(&w, 0x3344);
	ck_assert(!wcursor_ok(&w));
	ck_assert_mem_eq(b, "\x11\x22\x00\x00", 4);
	wcursor_u8(&w, 0x55);
	ck_assert_uint_eq(b[2], 0);
}
END_TEST

START_TEST(test_patch_outside_written_area_fails)
{
	uint8_t b[4];
	struct wcursor w;

	wcursor_init(&w, b, sizeof(b));
	wcursor_u16(&w, 1);
	wcursor_patch_u16(&w, 1, 2);
	ck_assert(!wcursor_ok(&w));
}
END_TEST

Suite *suite_cursor(void)
{
	Suite *s = suite_create("cursor");
	TCase *tc = tcase_create("cursor");

	tcase_add_test(tc, test_reads_big_endian);
	tcase_add_test(tc, test_read_past_end_is_sticky);
	tcase_add_test(tc, test_take_and_sub);
	tcase_add_test(tc, test_null_buffer_is_empty);
	tcase_add_test(tc, test_writes_big_endian);
	tcase_add_test(tc, test_write_overflow_writes_nothing);
	tcase_add_test(tc, test_patch_outside_written_area_fails);
	suite_add_tcase(s, tc);
	return s;
}
