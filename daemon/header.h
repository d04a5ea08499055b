/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The L2TPv2 header (RFC 2661 §3.1), for control and data messages alike: enough to tell
 * them apart (T bit), route a data frame by its tunnel/session IDs and find its payload.
 */
#ifndef L2TPKD_HEADER_H
#define L2TPKD_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct l2tp_header {
	uint16_t flags; /* first word, version included */
	bool control;	/* T bit */
	bool has_length;
	bool has_sequence;
	bool priority;	 /* P bit (data only) */
	uint16_t length; /* message length: the Length field, or the datagram length without one */
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t ns;
	uint16_t nr;	  /* meaningless in data messages */
	uint16_t payload; /* offset of the first AVP or of the PPP frame */
};

/*
 * Parses the header of a datagram. Returns 0, or -1 with *why naming the defect; RFC 2661
 * §7.1 says such a message is discarded without reply. Octets after Length are ignored.
 */
int header_parse(const uint8_t *buf, size_t len, struct l2tp_header *h, const char **why);
/*
 * The Message Type of a control message whose header h describes: the value of its first AVP,
 * where RFC 2661 §4.4.1 puts it, or -1 when that AVP is not a well-formed Message Type. For a
 * look before decoding; decode_control() is what validates the message.
 */
int header_message_type(const uint8_t *buf, const struct l2tp_header *h);

#endif
