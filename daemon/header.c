/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "header.h"

#include <string.h>

#include "cursor.h"
#include "l2tp/wire.h"

static int fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

int header_parse(const uint8_t *buf, size_t len, struct l2tp_header *h, const char **why)
{
	struct rcursor c;
	uint16_t offset_size = 0;

	memset(h, 0, sizeof(*h));
	if (len > L2TP_MAX_MSG_LEN)
		len = L2TP_MAX_MSG_LEN;
	rcursor_init(&c, buf, len);
	h->flags = rcursor_u16(&c);
	if (!rcursor_ok(&c))
		return fail(why, "shorter than a header");
	/* Version 1 is L2F sharing the port (§8.1); any other value is discarded. */
	if ((h->flags & L2TP_HDR_VER_MASK) != L2TP_VERSION)
		return fail(why, "not L2TP version 2");
	h->control = h->flags & L2TP_HDR_T;
	h->has_length = h->flags & L2TP_HDR_L;
	h->has_sequence = h->flags & L2TP_HDR_S;
	h->priority = h->flags & L2TP_HDR_P;
	/* §3.1: control messages MUST have L and S set and O and P clear. */
	if (h->control && (!h->has_length || !h->has_sequence))
		return fail(why, "control message without Length or sequence numbers");
	if (h->control && (h->flags & (L2TP_HDR_O | L2TP_HDR_P)))
		return fail(why, "control message with Offset or Priority bit");

	h->length = h->has_length ? rcursor_u16(&c) : (uint16_t)len;
	h->tunnel_id = rcursor_u16(&c);
	h->session_id = rcursor_u16(&c);
	if (h->has_sequence) {
		h->ns = rcursor_u16(&c);
		h->nr = rcursor_u16(&c);
	}
	if (h->flags & L2TP_HDR_O) {
		offset_size = rcursor_u16(&c);
		(void)rcursor_take(&c, offset_size);
	}
	if (!rcursor_ok(&c))
		return fail(why, "header runs past the end of the datagram");
	if (h->length > len)
		return fail(why, "Length field exceeds the datagram");
	if (h->length < c.pos)
		return fail(why, "Length field shorter than the header");
	h->payload = (uint16_t)c.pos;
	return 0;
}

int header_message_type(const uint8_t *buf, const struct l2tp_header *h)
{
	struct rcursor c;
	uint16_t bits, vendor, type, value;

	rcursor_init(&c, buf + h->payload, h->length - h->payload);
	bits = rcursor_u16(&c);
	vendor = rcursor_u16(&c);
	type = rcursor_u16(&c);
	value = rcursor_u16(&c);
	if (!rcursor_ok(&c) || (bits & L2TP_AVP_HDR_LEN_MASK) != L2TP_AVP_HDR_LEN + 2 || (bits & L2TP_AVP_HDR_H) ||
	    vendor != L2TP_VENDOR_IETF || type != L2TP_AVP_MESSAGE_TYPE)
		return -1;
	return value;
}
