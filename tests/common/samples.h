/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sample control messages for tests, the tshark oracle and the fuzz seed corpus: one per
 * message type, carrying either only the AVPs the type must have or every AVP it may have,
 * with fixed, distinctive values. Strings point at static storage.
 */
#ifndef L2TPKD_TEST_SAMPLES_H
#define L2TPKD_TEST_SAMPLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

extern const uint16_t sample_types[];
extern const size_t n_sample_types;
extern const struct blob sample_secret;

void sample_msg(struct l2tp_msg *m, uint16_t type, bool every_allowed_avp);
/* Hides every present AVP that may be hidden, and adds the Random Vector that needs. */
void sample_hide_all(struct l2tp_msg *m);

#endif
