/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CRC-32 as Ethernet, zlib and gzip compute it (IEEE 802.3: polynomial 0x04C11DB7 reflected
 * to 0xEDB88320, initial value and final XOR 0xFFFFFFFF): crc32_ieee("123456789") is
 * 0xCBF43926. The state store (state_store.c) checks each record with it, so a record torn or
 * scribbled on is dropped instead of adopted.
 */
#ifndef L2TPKD_CRC32_H
#define L2TPKD_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t crc32_ieee(const void *data, size_t len);

#endif
