/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hand-built control messages for decoder tests: any flags, lengths and AVPs, including the
 * malformed ones the encoder would refuse to produce.
 */
#ifndef L2TPKD_TEST_RAW_H
#define L2TPKD_TEST_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "l2tp/wire.h"

struct raw {
	uint8_t buf[L2TP_MAX_MSG_LEN];
	size_t len;
};

#define RAW_M L2TP_AVP_HDR_M
#define RAW_H L2TP_AVP_HDR_H

/* A control header (Tunnel ID 1, Session ID 2, Ns 0, Nr 0) followed by a Message Type AVP. */
void raw_begin(struct raw *r, uint16_t msg_type);
/* An AVP whose length field is 6 + len; flags may add M, H or reserved bits. */
void raw_avp(struct raw *r, uint16_t flags, uint16_t vendor, uint16_t type, const void *value, size_t len);
void raw_avp_u16(struct raw *r, uint16_t flags, uint16_t type, uint16_t v);
void raw_avp_u32(struct raw *r, uint16_t flags, uint16_t type, uint32_t v);
void raw_avp_str(struct raw *r, uint16_t flags, uint16_t type, const char *s);
/* The AVPs every message of this type must carry, with valid values. */
void raw_mandatory(struct raw *r, uint16_t msg_type);
void raw_append(struct raw *r, const void *p, size_t n);
/* Writes the Length field; returns the length. */
size_t raw_end(struct raw *r);

#endif
