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

/*
 * The variants every sample type comes in, in the order tests/vectors/gen_vectors.py writes
 * them: variant i is type sample_types[i / 4], every allowed AVP if i & 2, hidden if i & 1.
 */
#define N_SAMPLE_VARIANTS (4 * n_sample_types)
void sample_variant(struct l2tp_msg *m, size_t i);
/* "ICCN-full-hidden" and the like. */
void sample_variant_name(size_t i, char *buf, size_t len);

#endif
