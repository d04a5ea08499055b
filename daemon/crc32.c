/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CRC-32 (IEEE), four bits at a time: a 16-entry table instead of 256 keeps the code small
 * and the table readable, at two lookups per byte, which is plenty for 256-byte records.
 */
#include "crc32.h"

/* The CRC of each nibble value shifted through the reflected polynomial 0xEDB88320. */
static const uint32_t nibble_crc[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
	0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

uint32_t crc32_ieee(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t crc = 0xffffffffu;

	while (len--) {
		crc ^= *p++;
		crc = crc >> 4 ^ nibble_crc[crc & 15];
		crc = crc >> 4 ^ nibble_crc[crc & 15];
	}
	return ~crc;
}
