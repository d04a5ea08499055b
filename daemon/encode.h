/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control message encoder: a struct l2tp_msg back to bytes. Pure: no I/O, no allocation.
 *
 * Order on the wire: Message Type, Random Vector (so it precedes every hidden AVP), the
 * other IETF AVPs by type, one Failover Session State AVP per entry, then vendor AVPs.
 * The M bit follows the AVP table (the Message Type's follows m->type_mandatory); the H bit
 * follows m->hidden and vendor_avp.hidden.
 */
#ifndef L2TPKD_ENCODE_H
#define L2TPKD_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

struct encode_opts {
	const struct blob *secret; /* required when anything is hidden */
	/* Random octets for hidden-value padding (RFC 2661 §4.3 MAY); NULL means no padding. */
	void (*random)(void *arg, void *buf, size_t n);
	void *random_arg;
};

/*
 * Writes m into buf. Returns the message length, -EINVAL if m cannot be encoded (a value
 * too long or too short for its AVP, hiding without a secret or Random Vector, hiding an
 * AVP that must not be), or -EMSGSIZE if buf is too small. opts may be NULL.
 */
int encode_control(const struct l2tp_msg *m, const struct encode_opts *opts, uint8_t *buf, size_t cap);

#endif
