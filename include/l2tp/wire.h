/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L2TPv2 wire constants: header bits, message types and AVP types.
 * RFC 2661 unless noted; RFC 4951 for failover; see shared/spec/l2tp-protocol.md.
 *
 * Plain numbers only: no struct is ever laid over a packet. The names live in
 * L2TP_HDR_*, L2TP_MSG_*, L2TP_AVP_*, L2TP_VENDOR_*; they must never collide with
 * <linux/l2tp.h>, which owns L2TP_ATTR_*, L2TP_CMD_* and also L2TP_MSG_DEBUG,
 * L2TP_MSG_CONTROL, L2TP_MSG_SEQ, L2TP_MSG_DATA (tests/unit/check_wire.c includes both).
 */
#ifndef L2TP_WIRE_H
#define L2TP_WIRE_H

/* UDP port, RFC 2661 §8.1. */
#define L2TP_PORT 1701

/* First header word, RFC 2661 §3.1. Bit 0 is the most significant. */
#define L2TP_HDR_T	  0x8000 /* 1 = control message, 0 = data */
#define L2TP_HDR_L	  0x4000 /* Length field present */
#define L2TP_HDR_S	  0x0800 /* Ns and Nr fields present */
#define L2TP_HDR_O	  0x0200 /* Offset Size field present */
#define L2TP_HDR_P	  0x0100 /* data priority */
#define L2TP_HDR_VER_MASK 0x000F
#define L2TP_HDR_RESERVED 0x34F0 /* sent as 0, ignored on receipt */
#define L2TP_VERSION	  2
#define L2TP_HDR_CONTROL  (L2TP_HDR_T | L2TP_HDR_L | L2TP_HDR_S | L2TP_VERSION)

/* A control header is always 12 octets; a message of exactly that length is a ZLB ack. */
#define L2TP_CONTROL_HDR_LEN 12
#define L2TP_MAX_MSG_LEN     65535

/* AVP header, RFC 2661 §4.1. */
#define L2TP_AVP_HDR_M	      0x8000
#define L2TP_AVP_HDR_H	      0x4000
#define L2TP_AVP_HDR_RESERVED 0x3C00 /* set = treat the AVP as unrecognised */
#define L2TP_AVP_HDR_LEN_MASK 0x03FF
#define L2TP_AVP_HDR_LEN      6
#define L2TP_AVP_MAX_LEN      1023

/* Vendor ID field of an AVP (IANA SMI enterprise codes). */
#define L2TP_VENDOR_IETF  0
#define L2TP_VENDOR_CISCO 9

/* Message Type AVP values, RFC 2661 §3.2; 21 and 22 from RFC 4951 §4. */
enum l2tp_msg_type {
	L2TP_MSG_SCCRQ = 1,
	L2TP_MSG_SCCRP = 2,
	L2TP_MSG_SCCCN = 3,
	L2TP_MSG_STOPCCN = 4,
	L2TP_MSG_HELLO = 6,
	L2TP_MSG_OCRQ = 7,
	L2TP_MSG_OCRP = 8,
	L2TP_MSG_OCCN = 9,
	L2TP_MSG_ICRQ = 10,
	L2TP_MSG_ICRP = 11,
	L2TP_MSG_ICCN = 12,
	L2TP_MSG_CDN = 14,
	L2TP_MSG_WEN = 15,
	L2TP_MSG_SLI = 16,
	L2TP_MSG_FSQ = 21,
	L2TP_MSG_FSR = 22,
};
#define L2TP_MSG_TYPE_MAX 22

/* Attribute types with Vendor ID 0, RFC 2661 §4.4 (0-39), RFC 3145 (46), RFC 4951 §5 (76-79). */
enum l2tp_avp_type {
	L2TP_AVP_MESSAGE_TYPE = 0,
	L2TP_AVP_RESULT_CODE = 1,
	L2TP_AVP_PROTOCOL_VERSION = 2,
	L2TP_AVP_FRAMING_CAPABILITIES = 3,
	L2TP_AVP_BEARER_CAPABILITIES = 4,
	L2TP_AVP_TIE_BREAKER = 5,
	L2TP_AVP_FIRMWARE_REVISION = 6,
	L2TP_AVP_HOST_NAME = 7,
	L2TP_AVP_VENDOR_NAME = 8,
	L2TP_AVP_ASSIGNED_TUNNEL_ID = 9,
	L2TP_AVP_RECEIVE_WINDOW_SIZE = 10,
	L2TP_AVP_CHALLENGE = 11,
	L2TP_AVP_Q931_CAUSE_CODE = 12,
	L2TP_AVP_CHALLENGE_RESPONSE = 13,
	L2TP_AVP_ASSIGNED_SESSION_ID = 14,
	L2TP_AVP_CALL_SERIAL_NUMBER = 15,
	L2TP_AVP_MINIMUM_BPS = 16,
	L2TP_AVP_MAXIMUM_BPS = 17,
	L2TP_AVP_BEARER_TYPE = 18,
	L2TP_AVP_FRAMING_TYPE = 19,
	/* 20 is reserved */
	L2TP_AVP_CALLED_NUMBER = 21,
	L2TP_AVP_CALLING_NUMBER = 22,
	L2TP_AVP_SUB_ADDRESS = 23,
	L2TP_AVP_TX_CONNECT_SPEED = 24,
	L2TP_AVP_PHYSICAL_CHANNEL_ID = 25,
	L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ = 26,
	L2TP_AVP_LAST_SENT_LCP_CONFREQ = 27,
	L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ = 28,
	L2TP_AVP_PROXY_AUTHEN_TYPE = 29,
	L2TP_AVP_PROXY_AUTHEN_NAME = 30,
	L2TP_AVP_PROXY_AUTHEN_CHALLENGE = 31,
	L2TP_AVP_PROXY_AUTHEN_ID = 32,
	L2TP_AVP_PROXY_AUTHEN_RESPONSE = 33,
	L2TP_AVP_CALL_ERRORS = 34,
	L2TP_AVP_ACCM = 35,
	L2TP_AVP_RANDOM_VECTOR = 36,
	L2TP_AVP_PRIVATE_GROUP_ID = 37,
	L2TP_AVP_RX_CONNECT_SPEED = 38,
	L2TP_AVP_SEQUENCING_REQUIRED = 39,
	L2TP_AVP_PPP_DISCONNECT_CAUSE_CODE = 46,
	L2TP_AVP_FAILOVER_CAPABILITY = 76,
	L2TP_AVP_TUNNEL_RECOVERY = 77,
	L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE = 78,
	L2TP_AVP_FAILOVER_SESSION_STATE = 79,
};

/* Framing Capabilities / Framing Type bits, RFC 2661 §4.4.3, §4.4.5. */
#define L2TP_FRAMING_SYNC  0x00000001
#define L2TP_FRAMING_ASYNC 0x00000002

/* Bearer Capabilities / Bearer Type bits, RFC 2661 §4.4.3, §4.4.5. */
#define L2TP_BEARER_DIGITAL 0x00000001
#define L2TP_BEARER_ANALOG  0x00000002

/* Protocol Version AVP value for L2TPv2: version 1, revision 0 (RFC 2661 §4.4.3). */
#define L2TP_PROTOCOL_VERSION  1
#define L2TP_PROTOCOL_REVISION 0

/* Challenge Response length: an MD5 digest, RFC 2661 §4.4.3. */
#define L2TP_CHALLENGE_RESPONSE_LEN 16

/* Tie Breaker value length, RFC 2661 §4.4.3. */
#define L2TP_TIE_BREAKER_LEN 8

/* Proxy Authen Type values, RFC 2661 §4.4.5. */
enum l2tp_proxy_authen_type {
	L2TP_PROXY_AUTHEN_RESERVED = 0,
	L2TP_PROXY_AUTHEN_TEXTUAL = 1,
	L2TP_PROXY_AUTHEN_CHAP = 2,
	L2TP_PROXY_AUTHEN_PAP = 3,
	L2TP_PROXY_AUTHEN_NONE = 4,
	L2TP_PROXY_AUTHEN_MSCHAPV1 = 5,
};

/* Failover Capability AVP flag bits, RFC 4951 §5.1. */
#define L2TP_FAILOVER_CAP_C 0x0001 /* can recover the control channel */
#define L2TP_FAILOVER_CAP_D 0x0002 /* can reset the data channel's sequence numbers */

#endif
