/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "raw.h"

#include <string.h>

static void put16(struct raw *r, uint16_t v)
{
	r->buf[r->len++] = v >> 8;
	r->buf[r->len++] = v & 0xff;
}

void raw_append(struct raw *r, const void *p, size_t n)
{
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

void raw_begin(struct raw *r, uint16_t msg_type)
{
	r->len = 0;
	put16(r, L2TP_HDR_CONTROL);
	put16(r, 0);
	put16(r, 1);
	put16(r, 2);
	put16(r, 0);
	put16(r, 0);
	raw_avp_u16(r, RAW_M, L2TP_AVP_MESSAGE_TYPE, msg_type);
}

void raw_avp(struct raw *r, uint16_t flags, uint16_t vendor, uint16_t type, const void *value, size_t len)
{
	put16(r, (uint16_t)(flags | (L2TP_AVP_HDR_LEN + len)));
	put16(r, vendor);
	put16(r, type);
	raw_append(r, value, len);
}

void raw_avp_u16(struct raw *r, uint16_t flags, uint16_t type, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v & 0xff };

	raw_avp(r, flags, L2TP_VENDOR_IETF, type, b, sizeof(b));
}

void raw_avp_u32(struct raw *r, uint16_t flags, uint16_t type, uint32_t v)
{
	uint8_t b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff };

	raw_avp(r, flags, L2TP_VENDOR_IETF, type, b, sizeof(b));
}

void raw_avp_str(struct raw *r, uint16_t flags, uint16_t type, const char *s)
{
	raw_avp(r, flags, L2TP_VENDOR_IETF, type, s, strlen(s));
}

void raw_mandatory(struct raw *r, uint16_t msg_type)
{
	static const uint8_t version[2] = { 1, 0 };
	static const uint8_t fss[10] = { 0, 0, 0, 0, 0, 1, 0, 0, 0, 2 };
	static const uint8_t call_errors[26];
	static const uint8_t accm[10];

	switch (msg_type) {
	case L2TP_MSG_SCCRQ:
	case L2TP_MSG_SCCRP:
		raw_avp(r, RAW_M, 0, L2TP_AVP_PROTOCOL_VERSION, version, sizeof(version));
		raw_avp_u32(r, RAW_M, L2TP_AVP_FRAMING_CAPABILITIES, 3);
		raw_avp_str(r, RAW_M, L2TP_AVP_HOST_NAME, "peer");
		raw_avp_u16(r, RAW_M, L2TP_AVP_ASSIGNED_TUNNEL_ID, 7);
		break;
	case L2TP_MSG_STOPCCN:
		raw_avp_u16(r, RAW_M, L2TP_AVP_ASSIGNED_TUNNEL_ID, 7);
		raw_avp_u16(r, RAW_M, L2TP_AVP_RESULT_CODE, 1);
		break;
	case L2TP_MSG_ICRQ:
		raw_avp_u16(r, RAW_M, L2TP_AVP_ASSIGNED_SESSION_ID, 9);
		raw_avp_u32(r, RAW_M, L2TP_AVP_CALL_SERIAL_NUMBER, 1);
		break;
	case L2TP_MSG_OCRQ:
		raw_avp_u16(r, RAW_M, L2TP_AVP_ASSIGNED_SESSION_ID, 9);
		raw_avp_u32(r, RAW_M, L2TP_AVP_CALL_SERIAL_NUMBER, 1);
		raw_avp_u32(r, RAW_M, L2TP_AVP_MINIMUM_BPS, 1);
		raw_avp_u32(r, RAW_M, L2TP_AVP_MAXIMUM_BPS, 2);
		raw_avp_u32(r, RAW_M, L2TP_AVP_BEARER_TYPE, 1);
		raw_avp_u32(r, RAW_M, L2TP_AVP_FRAMING_TYPE, 1);
		raw_avp_str(r, RAW_M, L2TP_AVP_CALLED_NUMBER, "1");
		break;
	case L2TP_MSG_ICRP:
	case L2TP_MSG_OCRP:
		raw_avp_u16(r, RAW_M, L2TP_AVP_ASSIGNED_SESSION_ID, 9);
		break;
	case L2TP_MSG_ICCN:
	case L2TP_MSG_OCCN:
		raw_avp_u32(r, RAW_M, L2TP_AVP_TX_CONNECT_SPEED, 1000);
		raw_avp_u32(r, RAW_M, L2TP_AVP_FRAMING_TYPE, 1);
		break;
	case L2TP_MSG_CDN:
		raw_avp_u16(r, RAW_M, L2TP_AVP_RESULT_CODE, 3);
		raw_avp_u16(r, RAW_M, L2TP_AVP_ASSIGNED_SESSION_ID, 9);
		break;
	case L2TP_MSG_WEN:
		raw_avp(r, RAW_M, 0, L2TP_AVP_CALL_ERRORS, call_errors, sizeof(call_errors));
		break;
	case L2TP_MSG_SLI:
		raw_avp(r, RAW_M, 0, L2TP_AVP_ACCM, accm, sizeof(accm));
		break;
	case L2TP_MSG_FSQ:
	case L2TP_MSG_FSR:
		raw_avp(r, RAW_M, 0, L2TP_AVP_FAILOVER_SESSION_STATE, fss, sizeof(fss));
		break;
	default: /* SCCCN, HELLO: Message Type only */
		break;
	}
}

size_t raw_end(struct raw *r)
{
	r->buf[2] = (uint8_t)(r->len >> 8);
	r->buf[3] = (uint8_t)(r->len & 0xff);
	return r->len;
}
