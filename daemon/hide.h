/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hidden AVP values, RFC 2661 §4.3: the "hidden AVP subformat" (original length, value,
 * padding) XORed with an MD5 stream keyed by the attribute type, the shared secret and the
 * closest preceding Random Vector. The transform works in place and allocates nothing.
 */
#ifndef L2TPKD_HIDE_H
#define L2TPKD_HIDE_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

enum hide_direction {
	HIDE_ENCRYPT,
	HIDE_DECRYPT,
};

/* Transforms data[0..len) in place; data is the whole subformat. */
void hide_transform(uint16_t attr_type, const struct blob *secret, const struct blob *random_vector,
		    uint8_t *data, size_t len, enum hide_direction dir);

#endif
