/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AVP value layouts, RFC 2661 §4.4 (types 0-39), RFC 3145 §3 (46) and RFC 4951 §5 (76-79).
 * Reserved fields inside values are written as zero and ignored on receipt.
 */
#include "avp.h"

/* The field an AVP row names; offsetof() guarantees its alignment, hence the void * step. */
#define FIELD(m, d, type)  ((type *)(void *)((char *)(m) + (d)->field))
#define CFIELD(m, d, type) ((const type *)(const void *)((const char *)(m) + (d)->field))

/* Generic shapes: the value is exactly one field of the message. */

static enum avp_fault get_u16(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	*FIELD(m, d, uint16_t) = rcursor_u16(v);
	return AVP_OK;
}

static void put_u16(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth, struct wcursor *w)
{
	wcursor_u16(w, *CFIELD(m, d, uint16_t));
}

/*
 * Tunnel and Session IDs are "non-zero unsigned integers" (RFC 2661 §4.4.3, §4.4.4), and a
 * Receive Window Size of 0 is invalid (§5.8).
 */
static enum avp_fault get_nonzero_u16(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	uint16_t value = rcursor_u16(v);

	if (value == 0)
		return AVP_BAD_VALUE;
	*FIELD(m, d, uint16_t) = value;
	return AVP_OK;
}

static enum avp_fault get_u32(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	*FIELD(m, d, uint32_t) = rcursor_u32(v);
	return AVP_OK;
}

static void put_u32(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth, struct wcursor *w)
{
	wcursor_u32(w, *CFIELD(m, d, uint32_t));
}

static enum avp_fault get_blob(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	struct blob *b = FIELD(m, d, struct blob);
	size_t n = rcursor_left(v);

	b->len = (uint16_t)n;
	b->ptr = rcursor_take(v, n);
	return AVP_OK;
}

static void put_blob(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth, struct wcursor *w)
{
	const struct blob *b = CFIELD(m, d, struct blob);

	wcursor_bytes(w, b->ptr, b->len);
}

/* Fixed-size octet strings (Tie Breaker, Challenge Response): min_len == max_len. */
static enum avp_fault get_fixed(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	rcursor_copy(v, FIELD(m, d, uint8_t), d->min_len);
	return AVP_OK;
}

static void put_fixed(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth, struct wcursor *w)
{
	wcursor_bytes(w, CFIELD(m, d, uint8_t), d->min_len);
}

/* Sequencing Required: presence only. */
static enum avp_fault get_flag(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	return AVP_OK;
}

static void put_flag(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth, struct wcursor *w)
{
}

/* Composite values. */

static enum avp_fault get_message_type(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	m->type = rcursor_u16(v);
	return AVP_OK;
}

static void put_message_type(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth,
			     struct wcursor *w)
{
	wcursor_u16(w, m->type);
}

/* Result Code: result only (2), + error (4), + error message (5 or more), RFC 2661 §4.4.2. */
static enum avp_fault get_result_code(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	size_t n = rcursor_left(v);

	if (n == 3)
		return AVP_BAD_LENGTH;
	m->result_code.result = rcursor_u16(v);
	m->result_code.has_error = n >= 4;
	m->result_code.error = n >= 4 ? rcursor_u16(v) : 0;
	m->result_code.message.len = (uint16_t)rcursor_left(v);
	m->result_code.message.ptr = rcursor_take(v, rcursor_left(v));
	return AVP_OK;
}

static void put_result_code(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth,
			    struct wcursor *w)
{
	wcursor_u16(w, m->result_code.result);
	/* A message needs the error field before it, so the error goes out whenever one does. */
	if (m->result_code.has_error || m->result_code.message.len) {
		wcursor_u16(w, m->result_code.error);
		wcursor_bytes(w, m->result_code.message.ptr, m->result_code.message.len);
	}
}

static enum avp_fault get_protocol_version(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	m->protocol_version.version = rcursor_u8(v);
	m->protocol_version.revision = rcursor_u8(v);
	return AVP_OK;
}

static void put_protocol_version(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth,
				 struct wcursor *w)
{
	wcursor_u8(w, m->protocol_version.version);
	wcursor_u8(w, m->protocol_version.revision);
}

/* Q.931 Cause Code: cause (16), message (8), optional advisory text. */
static enum avp_fault get_q931(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	m->q931_cause_code.cause = rcursor_u16(v);
	m->q931_cause_code.msg = rcursor_u8(v);
	m->q931_cause_code.advisory.len = (uint16_t)rcursor_left(v);
	m->q931_cause_code.advisory.ptr = rcursor_take(v, rcursor_left(v));
	return AVP_OK;
}

static void put_q931(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth, struct wcursor *w)
{
	wcursor_u16(w, m->q931_cause_code.cause);
	wcursor_u8(w, m->q931_cause_code.msg);
	wcursor_bytes(w, m->q931_cause_code.advisory.ptr, m->q931_cause_code.advisory.len);
}

static enum avp_fault get_proxy_authen_type(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	uint16_t t = rcursor_u16(v);

	if (t > L2TP_PROXY_AUTHEN_MSCHAPV1)
		return AVP_BAD_VALUE;
	m->proxy_authen_type = t;
	return AVP_OK;
}

/* Proxy Authen ID: a reserved octet, then the CHAP/PAP ID octet. */
static enum avp_fault get_proxy_authen_id(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	(void)rcursor_u8(v);
	m->proxy_authen_id = rcursor_u8(v);
	return AVP_OK;
}

static void put_proxy_authen_id(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth,
				struct wcursor *w)
{
	wcursor_u8(w, 0);
	wcursor_u8(w, m->proxy_authen_id);
}

/* Call Errors: reserved (16), then six 32-bit counters, RFC 2661 §4.4.6. */
static enum avp_fault get_call_errors(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	(void)rcursor_u16(v);
	m->call_errors.crc_errors = rcursor_u32(v);
	m->call_errors.framing_errors = rcursor_u32(v);
	m->call_errors.hardware_overruns = rcursor_u32(v);
	m->call_errors.buffer_overruns = rcursor_u32(v);
	m->call_errors.timeout_errors = rcursor_u32(v);
	m->call_errors.alignment_errors = rcursor_u32(v);
	return AVP_OK;
}

static void put_call_errors(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth,
			    struct wcursor *w)
{
	wcursor_u16(w, 0);
	wcursor_u32(w, m->call_errors.crc_errors);
	wcursor_u32(w, m->call_errors.framing_errors);
	wcursor_u32(w, m->call_errors.hardware_overruns);
	wcursor_u32(w, m->call_errors.buffer_overruns);
	wcursor_u32(w, m->call_errors.timeout_errors);
	wcursor_u32(w, m->call_errors.alignment_errors);
}

/* ACCM: reserved (16), Send ACCM (32), Receive ACCM (32), RFC 2661 §4.4.6. */
static enum avp_fault get_accm(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	(void)rcursor_u16(v);
	m->accm.send = rcursor_u32(v);
	m->accm.recv = rcursor_u32(v);
	return AVP_OK;
}

static void put_accm(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth, struct wcursor *w)
{
	wcursor_u16(w, 0);
	wcursor_u32(w, m->accm.send);
	wcursor_u32(w, m->accm.recv);
}

/* PPP Disconnect Cause Code: code (16), protocol (16), direction (8), message, RFC 3145 §3. */
static enum avp_fault get_ppp_disconnect(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	m->ppp_disconnect_cause_code.code = rcursor_u16(v);
	m->ppp_disconnect_cause_code.protocol = rcursor_u16(v);
	m->ppp_disconnect_cause_code.direction = rcursor_u8(v);
	m->ppp_disconnect_cause_code.message.len = (uint16_t)rcursor_left(v);
	m->ppp_disconnect_cause_code.message.ptr = rcursor_take(v, rcursor_left(v));
	return AVP_OK;
}

static void put_ppp_disconnect(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth,
			       struct wcursor *w)
{
	wcursor_u16(w, m->ppp_disconnect_cause_code.code);
	wcursor_u16(w, m->ppp_disconnect_cause_code.protocol);
	wcursor_u8(w, m->ppp_disconnect_cause_code.direction);
	wcursor_bytes(w, m->ppp_disconnect_cause_code.message.ptr, m->ppp_disconnect_cause_code.message.len);
}

/* Failover Capability: reserved(14) D C, Recovery Time (32, ms), RFC 4951 §5.1. */
static enum avp_fault get_failover_capability(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	uint16_t flags = rcursor_u16(v) & (L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D);
	uint32_t recovery = rcursor_u32(v);

	if (!flags) /* "C=0 and D=0 MUST NOT be sent" */
		return AVP_BAD_VALUE;
	m->failover_capability.flags = flags;
	m->failover_capability.recovery_time_ms = recovery;
	return AVP_OK;
}

static void put_failover_capability(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth,
				    struct wcursor *w)
{
	wcursor_u16(w, m->failover_capability.flags);
	wcursor_u32(w, m->failover_capability.recovery_time_ms);
}

/*
 * Tunnel Recovery and Failover Session State share one layout for L2TPv2 (RFC 4951 §5.2,
 * §5.4): reserved (16), then two 16-bit IDs each in a 32-bit slot whose upper half is reserved.
 */
static void get_id_pair(struct rcursor *v, uint16_t *first, uint16_t *second)
{
	(void)rcursor_u16(v);
	(void)rcursor_u16(v);
	*first = rcursor_u16(v);
	(void)rcursor_u16(v);
	*second = rcursor_u16(v);
}

static void put_id_pair(struct wcursor *w, uint16_t first, uint16_t second)
{
	wcursor_u16(w, 0);
	wcursor_u16(w, 0);
	wcursor_u16(w, first);
	wcursor_u16(w, 0);
	wcursor_u16(w, second);
}

/* Tunnel Recovery: reserved (16), Recover Tunnel ID, Recover Remote Tunnel ID (RFC 4951 §5.2). */
static enum avp_fault get_tunnel_recovery(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	uint16_t local, remote;

	get_id_pair(v, &local, &remote);
	if (!local || !remote)
		return AVP_BAD_VALUE;
	m->tunnel_recovery.tunnel_id = local;
	m->tunnel_recovery.remote_tunnel_id = remote;
	return AVP_OK;
}

static void put_tunnel_recovery(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth,
				struct wcursor *w)
{
	put_id_pair(w, m->tunnel_recovery.tunnel_id, m->tunnel_recovery.remote_tunnel_id);
}

/* Suggested Control Sequence: reserved (16), Suggested Ns, Suggested Nr (RFC 4951 §5.3). */
static enum avp_fault get_scs(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	(void)rcursor_u16(v);
	m->suggested_control_sequence.ns = rcursor_u16(v);
	m->suggested_control_sequence.nr = rcursor_u16(v);
	return AVP_OK;
}

static void put_scs(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth, struct wcursor *w)
{
	wcursor_u16(w, 0);
	wcursor_u16(w, m->suggested_control_sequence.ns);
	wcursor_u16(w, m->suggested_control_sequence.nr);
}

/*
 * Failover Session State: reserved (16), Session ID, Remote Session ID (RFC 4951 §5.4).
 * Repeated: each AVP appends one entry. A Session ID of 0 is how an FSR says "unknown"
 * (§3.3), so only the Remote Session ID must be non-zero.
 */
static enum avp_fault get_fss(const struct avp_desc *d, struct rcursor *v, struct l2tp_msg *m)
{
	uint16_t sid, remote;

	get_id_pair(v, &sid, &remote);
	if (!remote)
		return AVP_BAD_VALUE;
	if (m->n_fss == MSG_MAX_FSS)
		return AVP_NO_ROOM;
	m->fss[m->n_fss].session_id = sid;
	m->fss[m->n_fss].remote_session_id = remote;
	m->n_fss++;
	return AVP_OK;
}

/* One AVP per entry: the encoder calls this for nth = 0 .. n_fss - 1. */
static void put_fss(const struct avp_desc *d, const struct l2tp_msg *m, unsigned int nth, struct wcursor *w)
{
	put_id_pair(w, m->fss[nth].session_id, m->fss[nth].remote_session_id);
}

/* One line per row shape reads better than the formatter's blocks. */
/* clang-format off */
#define U16(t, n, f, mand, hide) { t, n, 2, 2, mand, hide, offsetof(struct l2tp_msg, f), get_u16, put_u16 }
#define U32(t, n, f, mand, hide) { t, n, 4, 4, mand, hide, offsetof(struct l2tp_msg, f), get_u32, put_u32 }
#define ID(t, n, f) { t, n, 2, 2, true, true, offsetof(struct l2tp_msg, f), get_nonzero_u16, put_u16 }
#define BLOB(t, n, f, min, mand, hide) \
	{ t, n, min, AVP_MAX_VALUE_LEN, mand, hide, offsetof(struct l2tp_msg, f), get_blob, put_blob }
#define FIXED(t, n, f, len, mand, hide) \
	{ t, n, len, len, mand, hide, offsetof(struct l2tp_msg, f), get_fixed, put_fixed }
#define CUSTOM(t, n, min, max, mand, hide, get, put) { t, n, min, max, mand, hide, 0, get, put }
/* clang-format on */

/* Lengths, M and H columns: shared/spec/l2tp-protocol.md §1.4 and §3.1. */
const struct avp_desc avp_table[AVP_SLOT_COUNT] = {
	CUSTOM(L2TP_AVP_MESSAGE_TYPE, "Message Type", 2, 2, true, false, get_message_type, put_message_type),
	CUSTOM(L2TP_AVP_RESULT_CODE, "Result Code", 2, AVP_MAX_VALUE_LEN, true, false, get_result_code,
	       put_result_code),
	CUSTOM(L2TP_AVP_PROTOCOL_VERSION, "Protocol Version", 2, 2, true, false, get_protocol_version,
	       put_protocol_version),
	U32(L2TP_AVP_FRAMING_CAPABILITIES, "Framing Capabilities", framing_capabilities, true, true),
	U32(L2TP_AVP_BEARER_CAPABILITIES, "Bearer Capabilities", bearer_capabilities, true, true),
	FIXED(L2TP_AVP_TIE_BREAKER, "Tie Breaker", tie_breaker, L2TP_TIE_BREAKER_LEN, false, false),
	U16(L2TP_AVP_FIRMWARE_REVISION, "Firmware Revision", firmware_revision, false, true),
	BLOB(L2TP_AVP_HOST_NAME, "Host Name", host_name, 1, true, false),
	BLOB(L2TP_AVP_VENDOR_NAME, "Vendor Name", vendor_name, 0, false, true),
	ID(L2TP_AVP_ASSIGNED_TUNNEL_ID, "Assigned Tunnel ID", assigned_tunnel_id),
	{ L2TP_AVP_RECEIVE_WINDOW_SIZE, "Receive Window Size", 2, 2, true, false,
	  offsetof(struct l2tp_msg, receive_window_size), get_nonzero_u16, put_u16 },
	BLOB(L2TP_AVP_CHALLENGE, "Challenge", challenge, 1, true, true),
	CUSTOM(L2TP_AVP_Q931_CAUSE_CODE, "Q.931 Cause Code", 3, AVP_MAX_VALUE_LEN, true, false, get_q931,
	       put_q931),
	FIXED(L2TP_AVP_CHALLENGE_RESPONSE, "Challenge Response", challenge_response,
	      L2TP_CHALLENGE_RESPONSE_LEN, true, true),
	ID(L2TP_AVP_ASSIGNED_SESSION_ID, "Assigned Session ID", assigned_session_id),
	U32(L2TP_AVP_CALL_SERIAL_NUMBER, "Call Serial Number", call_serial_number, true, true),
	U32(L2TP_AVP_MINIMUM_BPS, "Minimum BPS", minimum_bps, true, true),
	U32(L2TP_AVP_MAXIMUM_BPS, "Maximum BPS", maximum_bps, true, true),
	U32(L2TP_AVP_BEARER_TYPE, "Bearer Type", bearer_type, true, true),
	U32(L2TP_AVP_FRAMING_TYPE, "Framing Type", framing_type, true, true),
	{ 20, NULL, 0, 0, false, false, 0, NULL, NULL },
	BLOB(L2TP_AVP_CALLED_NUMBER, "Called Number", called_number, 0, true, true),
	BLOB(L2TP_AVP_CALLING_NUMBER, "Calling Number", calling_number, 0, true, true),
	BLOB(L2TP_AVP_SUB_ADDRESS, "Sub-Address", sub_address, 0, true, true),
	U32(L2TP_AVP_TX_CONNECT_SPEED, "Tx Connect Speed", tx_connect_speed, true, true),
	U32(L2TP_AVP_PHYSICAL_CHANNEL_ID, "Physical Channel ID", physical_channel_id, false, true),
	BLOB(L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ, "Initial Received LCP CONFREQ",
	     initial_received_lcp_confreq, 0, false, true),
	BLOB(L2TP_AVP_LAST_SENT_LCP_CONFREQ, "Last Sent LCP CONFREQ", last_sent_lcp_confreq, 0, false, true),
	BLOB(L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ, "Last Received LCP CONFREQ", last_received_lcp_confreq, 0,
	     false, true),
	{ L2TP_AVP_PROXY_AUTHEN_TYPE, "Proxy Authen Type", 2, 2, false, true,
	  offsetof(struct l2tp_msg, proxy_authen_type), get_proxy_authen_type, put_u16 },
	BLOB(L2TP_AVP_PROXY_AUTHEN_NAME, "Proxy Authen Name", proxy_authen_name, 0, false, true),
	BLOB(L2TP_AVP_PROXY_AUTHEN_CHALLENGE, "Proxy Authen Challenge", proxy_authen_challenge, 0, false,
	     true),
	CUSTOM(L2TP_AVP_PROXY_AUTHEN_ID, "Proxy Authen ID", 2, 2, false, true, get_proxy_authen_id,
	       put_proxy_authen_id),
	BLOB(L2TP_AVP_PROXY_AUTHEN_RESPONSE, "Proxy Authen Response", proxy_authen_response, 0, false, true),
	CUSTOM(L2TP_AVP_CALL_ERRORS, "Call Errors", 26, 26, true, true, get_call_errors, put_call_errors),
	CUSTOM(L2TP_AVP_ACCM, "ACCM", 10, 10, true, true, get_accm, put_accm),
	BLOB(L2TP_AVP_RANDOM_VECTOR, "Random Vector", random_vector, 1, true, false),
	BLOB(L2TP_AVP_PRIVATE_GROUP_ID, "Private Group ID", private_group_id, 0, false, true),
	U32(L2TP_AVP_RX_CONNECT_SPEED, "Rx Connect Speed", rx_connect_speed, false, true),
	CUSTOM(L2TP_AVP_SEQUENCING_REQUIRED, "Sequencing Required", 0, 0, true, false, get_flag, put_flag),
	CUSTOM(L2TP_AVP_PPP_DISCONNECT_CAUSE_CODE, "PPP Disconnect Cause Code", 5, AVP_MAX_VALUE_LEN, false,
	       true, get_ppp_disconnect, put_ppp_disconnect),
	CUSTOM(L2TP_AVP_FAILOVER_CAPABILITY, "Failover Capability", 6, 6, false, true,
	       get_failover_capability, put_failover_capability),
	CUSTOM(L2TP_AVP_TUNNEL_RECOVERY, "Tunnel Recovery", 10, 10, true, false, get_tunnel_recovery,
	       put_tunnel_recovery),
	CUSTOM(L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE, "Suggested Control Sequence", 6, 6, false, true, get_scs,
	       put_scs),
	CUSTOM(L2TP_AVP_FAILOVER_SESSION_STATE, "Failover Session State", 10, 10, true, true, get_fss,
	       put_fss),
};

const struct avp_desc *avp_desc_of(uint16_t type)
{
	int slot = avp_slot(type);

	return slot < 0 ? NULL : &avp_table[slot];
}

const char *avp_name(uint16_t type)
{
	const struct avp_desc *d = avp_desc_of(type);

	return d ? d->name : "unknown";
}
