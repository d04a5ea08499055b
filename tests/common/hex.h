/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hex strings for test vectors: "c8 02 00 0c" with any spacing. */
#ifndef L2TPKD_TEST_HEX_H
#define L2TPKD_TEST_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Returns the number of octets written, or -1 on a bad digit, odd count or overflow. */
int hex_decode(const char *hex, uint8_t *out, size_t cap);
/* Writes two lowercase digits per octet and a NUL; out needs 2 * len + 1. */
void hex_encode(const uint8_t *in, size_t len, char *out);

#endif
