/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A decoded L2TPv2 control message: header fields, every known AVP as a typed field, and a
 * presence bit per AVP. The codec fills it (decode.c) and writes it back (encode.c); the
 * state machines only ever see this, never bytes.
 *
 * Variable-length values are blobs that point into the datagram the message was decoded
 * from (hidden values are decrypted in place there), so a message is valid only as long as
 * that buffer is. Nothing is allocated.
 */
#ifndef L2TPKD_MSG_H
#define L2TPKD_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "l2tp/wire.h"

struct blob {
	const uint8_t *ptr;
	uint16_t len;
};

/*
 * Presence bits are indexed by slot, a dense number for each AVP type the codec knows:
 * types 0-39 map to themselves (20 is reserved and has none), 46 and 76-79 follow.
 */
enum {
	AVP_SLOT_PPP_DISCONNECT_CAUSE_CODE = 40,
	AVP_SLOT_FAILOVER_CAPABILITY,
	AVP_SLOT_TUNNEL_RECOVERY,
	AVP_SLOT_SUGGESTED_CONTROL_SEQUENCE,
	AVP_SLOT_FAILOVER_SESSION_STATE,
	AVP_SLOT_COUNT,
};

/* Slot of an IETF attribute type, or -1 if the codec does not know the type. */
int avp_slot(uint16_t type);
uint16_t avp_slot_type(int slot);
#define AVP_BIT(slot) ((uint64_t)1 << (slot))

/*
 * Room for repeated AVPs; more than this in one message is refused (FSS) or counted (vendor).
 * RFC 4951 puts no limit on the FSS of one FSQ, and a refusal would clear the tunnel: every
 * FSS a message can carry fits ((65535 - 20) / 16 < 4096).
 */
#define MSG_MAX_FSS    4096
#define MSG_MAX_VENDOR 16

struct failover_session_state {
	uint16_t session_id;	    /* sender's local session ID */
	uint16_t remote_session_id; /* the peer's ID for the same session */
};

/*
 * An AVP with a non-zero Vendor ID and M=0, kept raw (RFC 3931 §5.4.2: detail for error 6).
 * None is understood, so one with M=1 is refused as an unknown mandatory AVP.
 */
struct vendor_avp {
	uint16_t vendor;
	uint16_t type;
	bool hidden;
	struct blob value;
};

struct l2tp_msg {
	/* Header, RFC 2661 §3.1. */
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t ns;
	uint16_t nr;
	bool zlb; /* header only: no AVPs, no type */

	uint16_t type;	     /* Message Type AVP value */
	bool type_mandatory; /* M bit of the Message Type AVP */
	uint64_t present;    /* AVP_BIT(slot) for each AVP carried */
	uint64_t hidden;     /* AVP_BIT(slot) for each AVP that is (to be) hidden */

	struct {
		uint16_t result;
		uint16_t error;
		bool has_error;
		struct blob message;
	} result_code;
	struct {
		uint8_t version;
		uint8_t revision;
	} protocol_version;
	uint32_t framing_capabilities;
	uint32_t bearer_capabilities;
	uint8_t tie_breaker[L2TP_TIE_BREAKER_LEN];
	uint16_t firmware_revision;
	struct blob host_name;
	struct blob vendor_name;
	uint16_t assigned_tunnel_id;
	uint16_t receive_window_size;
	struct blob challenge;
	struct {
		uint16_t cause;
		uint8_t msg;
		struct blob advisory;
	} q931_cause_code;
	uint8_t challenge_response[L2TP_CHALLENGE_RESPONSE_LEN];
	uint16_t assigned_session_id;
	uint32_t call_serial_number;
	uint32_t minimum_bps;
	uint32_t maximum_bps;
	uint32_t bearer_type;
	uint32_t framing_type;
	struct blob called_number;
	struct blob calling_number;
	struct blob sub_address;
	uint32_t tx_connect_speed;
	uint32_t physical_channel_id;
	struct blob initial_received_lcp_confreq;
	struct blob last_sent_lcp_confreq;
	struct blob last_received_lcp_confreq;
	uint16_t proxy_authen_type;
	struct blob proxy_authen_name;
	struct blob proxy_authen_challenge;
	uint8_t proxy_authen_id;
	struct blob proxy_authen_response;
	struct {
		uint32_t crc_errors;
		uint32_t framing_errors;
		uint32_t hardware_overruns;
		uint32_t buffer_overruns;
		uint32_t timeout_errors;
		uint32_t alignment_errors;
	} call_errors;
	struct {
		uint32_t send;
		uint32_t recv;
	} accm;
	struct blob random_vector; /* the last one seen; encode puts it before every hidden AVP */
	struct blob private_group_id;
	uint32_t rx_connect_speed;
	/* Sequencing Required has no value: its presence bit is all. */
	struct {
		uint16_t code;
		uint16_t protocol;
		uint8_t direction;
		struct blob message;
	} ppp_disconnect_cause_code;
	struct {
		uint16_t flags; /* L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D */
		uint32_t recovery_time_ms;
	} failover_capability;
	struct {
		uint16_t tunnel_id;	   /* sender's old local tunnel ID */
		uint16_t remote_tunnel_id; /* the peer's old tunnel ID */
	} tunnel_recovery;
	struct {
		uint16_t ns;
		uint16_t nr;
	} suggested_control_sequence;
	uint16_t n_fss;
	struct failover_session_state fss[MSG_MAX_FSS];

	uint16_t n_vendor;
	struct vendor_avp vendor[MSG_MAX_VENDOR];

	/* Counted, not kept: AVPs skipped under RFC 2661 §4.1 and §7.1 rules. */
	uint16_t skipped_unknown;    /* unknown type, M=0 */
	uint16_t skipped_malformed;  /* bad length or value, M=0 */
	uint16_t skipped_unexpected; /* known type not allowed in this message type */
	uint16_t skipped_vendor;     /* vendor AVPs beyond MSG_MAX_VENDOR, or hidden without secret */
};

void msg_init(struct l2tp_msg *m, uint16_t type);
bool msg_has(const struct l2tp_msg *m, uint16_t avp_type);
void msg_set_present(struct l2tp_msg *m, uint16_t avp_type);
void msg_set_hidden(struct l2tp_msg *m, uint16_t avp_type);
bool msg_is_hidden(const struct l2tp_msg *m, uint16_t avp_type);

/* A blob over a C string, without its NUL (for values the caller builds). */
struct blob blob_from_str(const char *s);

#endif
