/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control message decoder: bytes in, a struct l2tp_msg or a struct proto_error out.
 * Pure: no I/O, no allocation, no logging.
 */
#ifndef L2TPKD_DECODE_H
#define L2TPKD_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "proto_error.h"

/*
 * Decodes the control message in buf[0..len). Hidden AVPs are decrypted in place, which is
 * why buf is writable, and need the tunnel's shared secret (NULL when none is configured).
 * Returns 0, or -1 with *err saying what to send back. On -1, *m holds what was decoded
 * before the fault (header and, when known, Message Type): enough to address the reply.
 */
int decode_control(uint8_t *buf, size_t len, const struct blob *secret, struct l2tp_msg *m,
		   struct proto_error *err);

#endif
