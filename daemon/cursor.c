/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cursor.h"

#include <string.h>

void rcursor_init(struct rcursor *c, const void *buf, size_t len)
{
	c->buf = buf;
	c->len = buf ? len : 0;
	c->pos = 0;
	c->bad = false;
}

size_t rcursor_left(const struct rcursor *c)
{
	return c->bad ? 0 : c->len - c->pos;
}

bool rcursor_ok(const struct rcursor *c)
{
	return !c->bad;
}

const uint8_t *rcursor_take(struct rcursor *c, size_t n)
{
	const uint8_t *p;

	if (c->bad || n > c->len - c->pos) {
		c->bad = true;
		return NULL;
	}
	p = c->buf + c->pos;
	c->pos += n;
	return p;
}

uint8_t rcursor_u8(struct rcursor *c)
{
	const uint8_t *p = rcursor_take(c, 1);

	return p ? p[0] : 0;
}

uint16_t rcursor_u16(struct rcursor *c)
{
	const uint8_t *p = rcursor_take(c, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t rcursor_u32(struct rcursor *c)
{
	const uint8_t *p = rcursor_take(c, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

void rcursor_copy(struct rcursor *c, void *out, size_t n)
{
	const uint8_t *p = rcursor_take(c, n);

	if (p && n)
		memcpy(out, p, n);
}

void rcursor_sub(struct rcursor *c, size_t n, struct rcursor *sub)
{
	const uint8_t *p = rcursor_take(c, n);

	rcursor_init(sub, p, p ? n : 0);
	sub->bad = !p;
}

void wcursor_init(struct wcursor *c, void *buf, size_t cap)
{
	c->buf = buf;
	c->cap = buf ? cap : 0;
	c->pos = 0;
	c->bad = false;
}

bool wcursor_ok(const struct wcursor *c)
{
	return !c->bad;
}

static uint8_t *wcursor_room(struct wcursor *c, size_t n)
{
	uint8_t *p;

	if (c->bad || n > c->cap - c->pos) {
		c->bad = true;
		return NULL;
	}
	p = c->buf + c->pos;
	c->pos += n;
	return p;
}

void wcursor_u8(struct wcursor *c, uint8_t v)
{
	uint8_t *p = wcursor_room(c, 1);

	if (p)
		p[0] = v;
}

void wcursor_u16(struct wcursor *c, uint16_t v)
{
	uint8_t *p = wcursor_room(c, 2);

	if (p) {
		p[0] = v >> 8;
		p[1] = v & 0xff;
	}
}

void wcursor_u32(struct wcursor *c, uint32_t v)
{
	uint8_t *p = wcursor_room(c, 4);

	if (p) {
		p[0] = v >> 24;
		p[1] = (v >> 16) & 0xff;
		p[2] = (v >> 8) & 0xff;
		p[3] = v & 0xff;
	}
}

void wcursor_bytes(struct wcursor *c, const void *src, size_t n)
{
	uint8_t *p = wcursor_room(c, n);

	if (p && n)
		memcpy(p, src, n);
}

void wcursor_patch_u16(struct wcursor *c, size_t at, uint16_t v)
{
	if (c->bad || at > c->pos || c->pos - at < 2) {
		c->bad = true;
		return;
	}
	c->buf[at] = v >> 8;
	c->buf[at + 1] = v & 0xff;
}
