/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Field-by-field comparison of decoded messages: header, type, presence and hidden bits,
 * then the value of every present AVP (blobs by content). Skip counters are not compared:
 * re-encoding drops what was skipped.
 */
#ifndef L2TPKD_TEST_MSG_EQUAL_H
#define L2TPKD_TEST_MSG_EQUAL_H

#include <stdbool.h>
#include <stddef.h>

#include "msg.h"

/* Returns true if equal; otherwise writes the first difference into why. */
bool msg_equal(const struct l2tp_msg *a, const struct l2tp_msg *b, char *why, size_t why_len);

#endif
