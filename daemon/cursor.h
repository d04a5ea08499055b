/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bounded byte cursors: every read from and write to the wire goes through one.
 *
 * Errors are sticky: a read past the end returns zero and marks the cursor bad, a write past
 * the end writes nothing and marks it bad. The caller checks cursor_ok() once after a group
 * of operations instead of after each one, and can never touch memory outside the buffer.
 */
#ifndef L2TPKD_CURSOR_H
#define L2TPKD_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rcursor {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	bool bad;
};

struct wcursor {
	uint8_t *buf;
	size_t cap;
	size_t pos;
	bool bad;
};

void rcursor_init(struct rcursor *c, const void *buf, size_t len);
size_t rcursor_left(const struct rcursor *c);
bool rcursor_ok(const struct rcursor *c);
uint8_t rcursor_u8(struct rcursor *c);
uint16_t rcursor_u16(struct rcursor *c);
uint32_t rcursor_u32(struct rcursor *c);
/* Copies n octets out; on a short buffer copies nothing and marks the cursor bad. */
void rcursor_copy(struct rcursor *c, void *out, size_t n);
/* Returns a pointer to the next n octets and steps over them, or NULL (cursor bad). */
const uint8_t *rcursor_take(struct rcursor *c, size_t n);
/* Splits the next n octets off into their own cursor, or marks both bad. */
void rcursor_sub(struct rcursor *c, size_t n, struct rcursor *sub);

void wcursor_init(struct wcursor *c, void *buf, size_t cap);
bool wcursor_ok(const struct wcursor *c);
void wcursor_u8(struct wcursor *c, uint8_t v);
void wcursor_u16(struct wcursor *c, uint16_t v);
void wcursor_u32(struct wcursor *c, uint32_t v);
void wcursor_bytes(struct wcursor *c, const void *p, size_t n);
/* Writes a u16 at an earlier position (a length field filled in afterwards). */
void wcursor_patch_u16(struct wcursor *c, size_t at, uint16_t v);

#endif
