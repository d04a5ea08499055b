/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "samples.h"

#include <stdio.h>
#include <string.h>

#include "avp.h"
#include "l2tp/result.h"
#include "msg_rules.h"

const uint16_t sample_types[] = {
	L2TP_MSG_SCCRQ, L2TP_MSG_SCCRP, L2TP_MSG_SCCCN, L2TP_MSG_STOPCCN, L2TP_MSG_HELLO, L2TP_MSG_OCRQ,
	L2TP_MSG_OCRP,	L2TP_MSG_OCCN,	L2TP_MSG_ICRQ,	L2TP_MSG_ICRP,	  L2TP_MSG_ICCN,  L2TP_MSG_CDN,
	L2TP_MSG_WEN,	L2TP_MSG_SLI,	L2TP_MSG_FSQ,	L2TP_MSG_FSR,
};
const size_t n_sample_types = sizeof(sample_types) / sizeof(sample_types[0]);

static const uint8_t secret[] = "l2tpkd-shared-secret";
const struct blob sample_secret = { secret, sizeof(secret) - 1 };

static const uint8_t challenge[16] = { 0x2e, 0x55, 0x4a, 0x6a, 0xf7, 0x10, 0xd8, 0x14,
				       0xc7, 0x38, 0x81, 0xb2, 0x13, 0xe7, 0x2b, 0x65 };
static const uint8_t rv[16] = { 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
				0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0 };
/* LCP options only (RFC 2661 §4.4.5): MRU 1492, Magic-Number. */
static const uint8_t lcp_confreq[] = { 0x01, 0x04, 0x05, 0xd4, 0x05, 0x06, 0x12, 0x34, 0x56, 0x78 };
static const uint8_t chap_response[16] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
					   0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0 };
static const uint8_t cisco_value[] = { 0x00, 0x00, 0x00, 0x2a };

static struct blob bytes(const uint8_t *p, size_t n)
{
	return (struct blob){ p, (uint16_t)n };
}

static void fill(struct l2tp_msg *m, int slot)
{
	switch (avp_slot_type(slot)) {
	case L2TP_AVP_RESULT_CODE:
		m->result_code.result =
			m->type == L2TP_MSG_CDN ? L2TP_RC_CDN_GENERAL_ERROR : L2TP_RC_STOPCCN_GENERAL_ERROR;
		m->result_code.error = L2TP_EC_VENDOR;
		m->result_code.has_error = true;
		m->result_code.message = blob_from_str("session limit reached");
		break;
	case L2TP_AVP_PROTOCOL_VERSION:
		m->protocol_version.version = L2TP_PROTOCOL_VERSION;
		m->protocol_version.revision = L2TP_PROTOCOL_REVISION;
		break;
	case L2TP_AVP_FRAMING_CAPABILITIES:
		m->framing_capabilities = L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
		break;
	case L2TP_AVP_BEARER_CAPABILITIES:
		m->bearer_capabilities = L2TP_BEARER_DIGITAL | L2TP_BEARER_ANALOG;
		break;
	case L2TP_AVP_TIE_BREAKER:
		memcpy(m->tie_breaker, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
		break;
	case L2TP_AVP_FIRMWARE_REVISION:
		m->firmware_revision = 0x0680;
		break;
	case L2TP_AVP_HOST_NAME:
		m->host_name = blob_from_str("lac1.example.net");
		break;
	case L2TP_AVP_VENDOR_NAME:
		m->vendor_name = blob_from_str("l2tpkd");
		break;
	case L2TP_AVP_ASSIGNED_TUNNEL_ID:
		m->assigned_tunnel_id = 0xdb05;
		break;
	case L2TP_AVP_RECEIVE_WINDOW_SIZE:
		m->receive_window_size = 8;
		break;
	case L2TP_AVP_CHALLENGE:
		m->challenge = bytes(challenge, sizeof(challenge));
		break;
	case L2TP_AVP_Q931_CAUSE_CODE:
		m->q931_cause_code.cause = 16;
		m->q931_cause_code.msg = 0x5a;
		m->q931_cause_code.advisory = blob_from_str("normal call clearing");
		break;
	case L2TP_AVP_CHALLENGE_RESPONSE:
		memcpy(m->challenge_response, chap_response, sizeof(chap_response));
		break;
	case L2TP_AVP_ASSIGNED_SESSION_ID:
		m->assigned_session_id = 0xae3a;
		break;
	case L2TP_AVP_CALL_SERIAL_NUMBER:
		m->call_serial_number = 77;
		break;
	case L2TP_AVP_MINIMUM_BPS:
		m->minimum_bps = 9600;
		break;
	case L2TP_AVP_MAXIMUM_BPS:
		m->maximum_bps = 100000000;
		break;
	case L2TP_AVP_BEARER_TYPE:
		m->bearer_type = L2TP_BEARER_ANALOG;
		break;
	case L2TP_AVP_FRAMING_TYPE:
		m->framing_type = L2TP_FRAMING_SYNC;
		break;
	case L2TP_AVP_CALLED_NUMBER:
		m->called_number = blob_from_str("5551234");
		break;
	case L2TP_AVP_CALLING_NUMBER:
		m->calling_number = blob_from_str("5556789");
		break;
	case L2TP_AVP_SUB_ADDRESS:
		m->sub_address = blob_from_str("42");
		break;
	case L2TP_AVP_TX_CONNECT_SPEED:
		m->tx_connect_speed = 100000000;
		break;
	case L2TP_AVP_PHYSICAL_CHANNEL_ID:
		m->physical_channel_id = 7;
		break;
	case L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ:
		m->initial_received_lcp_confreq = bytes(lcp_confreq, sizeof(lcp_confreq));
		break;
	case L2TP_AVP_LAST_SENT_LCP_CONFREQ:
		m->last_sent_lcp_confreq = bytes(lcp_confreq, sizeof(lcp_confreq) - 6);
		break;
	case L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ:
		m->last_received_lcp_confreq =
			bytes(lcp_confreq + 4, sizeof(lcp_confreq) - 4); /* Magic only */
		break;
	case L2TP_AVP_PROXY_AUTHEN_TYPE:
		m->proxy_authen_type = L2TP_PROXY_AUTHEN_CHAP;
		break;
	case L2TP_AVP_PROXY_AUTHEN_NAME:
		m->proxy_authen_name = blob_from_str("subscriber@isp.example");
		break;
	case L2TP_AVP_PROXY_AUTHEN_CHALLENGE:
		m->proxy_authen_challenge = bytes(challenge, 12);
		break;
	case L2TP_AVP_PROXY_AUTHEN_ID:
		m->proxy_authen_id = 17;
		break;
	case L2TP_AVP_PROXY_AUTHEN_RESPONSE:
		m->proxy_authen_response = bytes(chap_response, sizeof(chap_response));
		break;
	case L2TP_AVP_CALL_ERRORS:
		m->call_errors.crc_errors = 1;
		m->call_errors.framing_errors = 2;
		m->call_errors.hardware_overruns = 3;
		m->call_errors.buffer_overruns = 4;
		m->call_errors.timeout_errors = 5;
		m->call_errors.alignment_errors = 6;
		break;
	case L2TP_AVP_ACCM:
		m->accm.send = 0xffffffff;
		m->accm.recv = 0x000a0000;
		break;
	case L2TP_AVP_RANDOM_VECTOR:
		m->random_vector = bytes(rv, sizeof(rv));
		break;
	case L2TP_AVP_PRIVATE_GROUP_ID:
		m->private_group_id = blob_from_str("vrf-blue");
		break;
	case L2TP_AVP_RX_CONNECT_SPEED:
		m->rx_connect_speed = 50000000;
		break;
	case L2TP_AVP_PPP_DISCONNECT_CAUSE_CODE:
		m->ppp_disconnect_cause_code.code = 3;
		m->ppp_disconnect_cause_code.protocol = 0xc021;
		m->ppp_disconnect_cause_code.direction = 1;
		m->ppp_disconnect_cause_code.message = blob_from_str("LCP echo timeout");
		break;
	case L2TP_AVP_FAILOVER_CAPABILITY:
		m->failover_capability.flags = L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D;
		m->failover_capability.recovery_time_ms = 60000;
		break;
	case L2TP_AVP_TUNNEL_RECOVERY:
		m->tunnel_recovery.tunnel_id = 0x1111;
		m->tunnel_recovery.remote_tunnel_id = 0x2222;
		break;
	case L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE:
		m->suggested_control_sequence.ns = 3;
		m->suggested_control_sequence.nr = 100;
		break;
	case L2TP_AVP_FAILOVER_SESSION_STATE:
		m->n_fss = 3;
		m->fss[0] = (struct failover_session_state){ 0x0101, 0x0a0a };
		m->fss[1] = (struct failover_session_state){ m->type == L2TP_MSG_FSR ? 0 : 0x0202, 0x0b0b };
		m->fss[2] = (struct failover_session_state){ 0x0303, 0x0c0c };
		break;
	}
	m->present |= AVP_BIT(slot);
}

void sample_msg(struct l2tp_msg *m, uint16_t type, bool every_allowed_avp)
{
	const struct msg_rule *rule = msg_rule_of(type);
	uint64_t want = every_allowed_avp ? rule->allowed : rule->mandatory;
	int slot;

	msg_init(m, type);
	m->tunnel_id = type == L2TP_MSG_SCCRQ ? 0 : 0x6e1a;
	m->session_id = rule->scope == MSG_SCOPE_SESSION && type != L2TP_MSG_ICRQ && type != L2TP_MSG_OCRQ
				? 0xc43f
				: 0;
	m->ns = 5;
	m->nr = 3;
	for (slot = 1; slot < AVP_SLOT_COUNT; slot++)
		if (want & AVP_BIT(slot))
			fill(m, slot);
	/* Error 6 comes with the vendor AVP that details it (RFC 3931 §5.4.2). */
	if (every_allowed_avp && (type == L2TP_MSG_STOPCCN || type == L2TP_MSG_CDN)) {
		m->n_vendor = 1;
		m->vendor[0] = (struct vendor_avp){ L2TP_VENDOR_CISCO, 1, false,
						    bytes(cisco_value, sizeof(cisco_value)) };
	}
}

void sample_hide_all(struct l2tp_msg *m)
{
	int slot;

	for (slot = 0; slot < AVP_SLOT_COUNT; slot++)
		if ((m->present & AVP_BIT(slot)) && avp_table[slot].may_hide)
			m->hidden |= AVP_BIT(slot);
	if (m->hidden && !(m->present & AVP_BIT(L2TP_AVP_RANDOM_VECTOR)))
		fill(m, L2TP_AVP_RANDOM_VECTOR);
}

void sample_variant(struct l2tp_msg *m, size_t i)
{
	sample_msg(m, sample_types[i / 4], i & 2);
	if (i & 1)
		sample_hide_all(m);
}

void sample_variant_name(size_t i, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s%s", msg_type_name(sample_types[i / 4]), i & 2 ? "full" : "mandatory",
		 i & 1 ? "-hidden" : "");
}
