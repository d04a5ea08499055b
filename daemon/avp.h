/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AVP descriptor table: for every IETF attribute the codec knows, its name, the value
 * length bounds (before hiding), whether RFC 2661 requires the M bit, whether it may be
 * hidden, and the functions that move its value between the wire and struct l2tp_msg.
 */
#ifndef L2TPKD_AVP_H
#define L2TPKD_AVP_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "msg.h"

/* What is wrong with one AVP's value (RFC 2661 §4.4.2 general error codes 2 and 3). */
enum avp_fault {
	AVP_OK = 0,
	AVP_BAD_LENGTH,
	AVP_BAD_VALUE,
	AVP_NO_ROOM, /* a repeated AVP beyond what struct l2tp_msg holds (error code 4) */
};

struct avp_desc {
	uint16_t type;
	const char *name; /* NULL for the reserved slot 20 */
	uint16_t min_len; /* value octets */
	uint16_t max_len;
	bool mandatory; /* RFC: the M bit is set when sent */
	bool may_hide;
	size_t field; /* offsetof the field in struct l2tp_msg, for the generic functions */
	/* Reads the whole value (the cursor holds exactly it); writes the field only on AVP_OK. */
	enum avp_fault (*decode)(const struct avp_desc *d, struct rcursor *value, struct l2tp_msg *m);
	/* Writes the value of a present AVP; nth counts repeats (Failover Session State). */
	void (*encode)(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth,
		       struct wcursor *out);
};

/* Longest value an AVP can carry: the 10-bit length minus the 6-octet header. */
#define AVP_MAX_VALUE_LEN (L2TP_AVP_MAX_LEN - L2TP_AVP_HDR_LEN)

/* Indexed by slot (see msg.h). */
extern const struct avp_desc avp_table[AVP_SLOT_COUNT];

/* The descriptor of an IETF attribute type, or NULL if unknown. */
const struct avp_desc *avp_desc_of(uint16_t type);
/* "Host Name" and the like, or "unknown". */
const char *avp_name(uint16_t type);

#endif
