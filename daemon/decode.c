/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFC 2661 §4.1 and §7.1 decide what a bad AVP costs: a malformed or unrecognised AVP with
 * the M bit set clears the session or tunnel (by message scope) with a Result/Error code;
 * with M clear it is skipped, counted, and the message is accepted. A malformed header is
 * dropped silently.
 */
#include "decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "avp.h"
#include "cursor.h"
#include "header.h"
#include "hide.h"
#include "l2tp/result.h"
#include "msg_rules.h"

struct decoder {
	uint8_t *buf;
	const struct blob *secret;
	struct blob random_vector; /* closest preceding one, for hidden AVPs */
	enum proto_action scope;
	struct l2tp_msg *m;
	struct proto_error *err;
};

/* One AVP as found on the wire. */
struct raw_avp {
	bool mandatory;
	bool hidden;
	bool reserved;
	uint16_t vendor;
	uint16_t type;
	size_t value_off; /* into the datagram */
	uint16_t value_len;
};

__attribute__((format(printf, 4, 5))) static int refuse(struct decoder *d, enum proto_action action,
							uint16_t error, const char *fmt, ...)
{
	va_list ap;

	d->err->action = action;
	d->err->result = action == PROTO_DISCARD ? 0 : L2TP_RC_STOPCCN_GENERAL_ERROR;
	d->err->error = action == PROTO_DISCARD ? 0 : error;
	va_start(ap, fmt);
	vsnprintf(d->err->text, sizeof(d->err->text), fmt, ap);
	va_end(ap);
	return -1;
}

static int read_avp_header(struct decoder *d, struct rcursor *c, struct raw_avp *a)
{
	uint16_t word;
	size_t len;

	if (rcursor_left(c) < L2TP_AVP_HDR_LEN)
		return refuse(d, d->scope, L2TP_EC_BAD_LENGTH, "%zu trailing octets are not an AVP",
			      rcursor_left(c));
	word = rcursor_u16(c);
	a->mandatory = word & L2TP_AVP_HDR_M;
	a->hidden = word & L2TP_AVP_HDR_H;
	a->reserved = word & L2TP_AVP_HDR_RESERVED;
	a->vendor = rcursor_u16(c);
	a->type = rcursor_u16(c);
	len = word & L2TP_AVP_HDR_LEN_MASK;
	if (len < L2TP_AVP_HDR_LEN || len - L2TP_AVP_HDR_LEN > rcursor_left(c))
		return refuse(d, d->scope, L2TP_EC_BAD_LENGTH, "AVP %u length %zu does not fit the message",
			      a->type, len);
	a->value_len = (uint16_t)(len - L2TP_AVP_HDR_LEN);
	a->value_off = c->pos;
	(void)rcursor_take(c, a->value_len);
	return 0;
}

/*
 * Turns a hidden value into its plaintext, in the datagram, and points *value at the
 * original value inside the subformat. Returns false if it cannot be done.
 */
static bool unhide(struct decoder *d, const struct raw_avp *a, struct blob *value, const char **why)
{
	uint8_t *sub = d->buf + a->value_off;
	uint16_t orig_len;

	if (!d->secret) {
		*why = "hidden but no shared secret is configured";
		return false;
	}
	if (!d->random_vector.ptr) {
		*why = "hidden without a preceding Random Vector";
		return false;
	}
	hide_transform(a->type, d->secret, &d->random_vector, sub, a->value_len, HIDE_DECRYPT);
	orig_len = a->value_len >= 2 ? (uint16_t)(sub[0] << 8 | sub[1]) : UINT16_MAX;
	if (orig_len > a->value_len - 2) {
		*why = "hidden length exceeds the AVP (wrong secret?)";
		return false;
	}
	value->ptr = sub + 2;
	value->len = orig_len;
	return true;
}

/* An AVP we cannot use: fatal with M=1, skipped and counted with M=0 (RFC 2661 §7.1). */
static int bad_avp(struct decoder *d, const struct raw_avp *a, uint16_t error, const char *why)
{
	if (!a->mandatory) {
		d->m->skipped_malformed++;
		return 0;
	}
	return refuse(d, d->scope, error, "AVP %s (%u): %s", avp_name(a->type), a->type, why);
}

static int unknown_avp(struct decoder *d, const struct raw_avp *a)
{
	if (!a->mandatory) {
		d->m->skipped_unknown++;
		return 0;
	}
	/* §4.4.2: error 8, and the message SHOULD name the attribute. */
	if (a->vendor != L2TP_VENDOR_IETF)
		return refuse(d, d->scope, L2TP_EC_UNKNOWN_MANDATORY_AVP,
			      "unknown mandatory AVP vendor %u attribute %u", a->vendor, a->type);
	return refuse(d, d->scope, L2TP_EC_UNKNOWN_MANDATORY_AVP, "unknown mandatory AVP %u", a->type);
}

static int vendor_avp(struct decoder *d, const struct raw_avp *a)
{
	struct vendor_avp *v;
	struct blob value = { d->buf + a->value_off, a->value_len };
	const char *why;

	if (a->mandatory || a->reserved)
		return unknown_avp(d, a);
	if (d->m->n_vendor == MSG_MAX_VENDOR || (a->hidden && !unhide(d, a, &value, &why))) {
		d->m->skipped_vendor++;
		return 0;
	}
	v = &d->m->vendor[d->m->n_vendor++];
	v->vendor = a->vendor;
	v->type = a->type;
	v->hidden = a->hidden;
	v->value = value;
	return 0;
}

static int ietf_avp(struct decoder *d, const struct msg_rule *rule, const struct raw_avp *a)
{
	const struct avp_desc *desc = avp_desc_of(a->type);
	struct blob value = { d->buf + a->value_off, a->value_len };
	struct rcursor vc;
	const char *why;
	int slot;

	if (!desc || a->reserved)
		return unknown_avp(d, a);
	slot = avp_slot(a->type);
	/* A known AVP out of place is ignored, never stored: FSMs see only what belongs. */
	if (!(rule->allowed & AVP_BIT(slot)) || a->type == L2TP_AVP_MESSAGE_TYPE) {
		d->m->skipped_unexpected++;
		return 0;
	}
	if (a->hidden && !desc->may_hide)
		return bad_avp(d, a, L2TP_EC_BAD_VALUE, "must not be hidden");
	if (a->hidden && !unhide(d, a, &value, &why))
		return bad_avp(d, a, L2TP_EC_BAD_VALUE, why);
	if (value.len < desc->min_len || value.len > desc->max_len)
		return bad_avp(d, a, L2TP_EC_BAD_LENGTH, "bad length");
	rcursor_init(&vc, value.ptr, value.len);
	switch (desc->decode(desc, &vc, d->m)) {
	case AVP_OK:
		break;
	case AVP_BAD_LENGTH:
		return bad_avp(d, a, L2TP_EC_BAD_LENGTH, "bad length");
	case AVP_BAD_VALUE:
		return bad_avp(d, a, L2TP_EC_BAD_VALUE, "value out of range");
	case AVP_NO_ROOM:
		return refuse(d, d->scope, L2TP_EC_NO_RESOURCES, "more than %d %s AVPs", MSG_MAX_FSS,
			      desc->name);
	}
	d->m->present |= AVP_BIT(slot);
	if (a->hidden)
		d->m->hidden |= AVP_BIT(slot);
	if (a->type == L2TP_AVP_RANDOM_VECTOR)
		d->random_vector = value;
	return 0;
}

/* The first AVP MUST be the Message Type (RFC 2661 §4.4.1). */
static int message_type(struct decoder *d, struct rcursor *c, const struct msg_rule **rule)
{
	struct rcursor value;
	struct raw_avp a;

	if (read_avp_header(d, c, &a) < 0)
		return -1;
	if (a.vendor != L2TP_VENDOR_IETF || a.type != L2TP_AVP_MESSAGE_TYPE || a.reserved)
		return refuse(d, PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_VALUE, "first AVP is not Message Type");
	if (a.hidden || a.value_len != 2)
		return refuse(d, PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_LENGTH, "malformed Message Type AVP");
	rcursor_init(&value, d->buf + a.value_off, a.value_len);
	avp_table[L2TP_AVP_MESSAGE_TYPE].decode(&avp_table[L2TP_AVP_MESSAGE_TYPE], &value, d->m);
	d->m->type_mandatory = a.mandatory;
	d->m->present |= AVP_BIT(L2TP_AVP_MESSAGE_TYPE);
	*rule = msg_rule_of(d->m->type);
	if (!*rule) {
		/* Unknown type: M=1 means the tunnel MUST be cleared, M=0 that it may be ignored. */
		if (!a.mandatory)
			return refuse(d, PROTO_DISCARD, 0, "unknown message type %u with M=0", d->m->type);
		return refuse(d, PROTO_CLEAR_TUNNEL, L2TP_EC_BAD_VALUE, "unknown message type %u",
			      d->m->type);
	}
	d->scope = (*rule)->scope == MSG_SCOPE_SESSION ? PROTO_CLEAR_SESSION : PROTO_CLEAR_TUNNEL;
	return 0;
}

/*
 * §4.4.5: a Proxy Authen Type of textual, CHAP, PAP or MS-CHAP brings its name, response and
 * (CHAP, PAP) ID, and CHAP its challenge. Every proxy AVP has M=0, so an incomplete set is a
 * malformed optional part (§7.1): it is dropped whole and PPP authenticates on its own.
 */
static void drop_incomplete_proxy_authen(struct l2tp_msg *m)
{
	const uint64_t proxy = AVP_BIT(L2TP_AVP_PROXY_AUTHEN_TYPE) | AVP_BIT(L2TP_AVP_PROXY_AUTHEN_NAME) |
			       AVP_BIT(L2TP_AVP_PROXY_AUTHEN_CHALLENGE) | AVP_BIT(L2TP_AVP_PROXY_AUTHEN_ID) |
			       AVP_BIT(L2TP_AVP_PROXY_AUTHEN_RESPONSE);
	uint16_t t = m->proxy_authen_type;
	bool chap = t == L2TP_PROXY_AUTHEN_CHAP || t == L2TP_PROXY_AUTHEN_MSCHAPV1;
	bool named = chap || t == L2TP_PROXY_AUTHEN_TEXTUAL || t == L2TP_PROXY_AUTHEN_PAP;

	if (!msg_has(m, L2TP_AVP_PROXY_AUTHEN_TYPE))
		return;
	if ((named &&
	     (!msg_has(m, L2TP_AVP_PROXY_AUTHEN_NAME) || !msg_has(m, L2TP_AVP_PROXY_AUTHEN_RESPONSE))) ||
	    (chap && !msg_has(m, L2TP_AVP_PROXY_AUTHEN_CHALLENGE)) ||
	    ((chap || t == L2TP_PROXY_AUTHEN_PAP) && !msg_has(m, L2TP_AVP_PROXY_AUTHEN_ID))) {
		m->present &= ~proxy;
		m->hidden &= ~proxy;
		m->skipped_malformed++;
	}
}

/*
 * RFC 2661 has no error code for a missing AVP; error 3 with a text naming it is the
 * closest, and unlike 6 or 7 it does not make a LAC fail over to another LNS.
 */
static int check_complete(struct decoder *d, const struct msg_rule *rule)
{
	uint64_t missing = rule->mandatory & ~d->m->present;
	int slot;

	if (missing) {
		slot = __builtin_ctzll(missing);
		return refuse(d, d->scope, L2TP_EC_BAD_VALUE, "%s without mandatory AVP %s (%u)", rule->name,
			      avp_table[slot].name, avp_slot_type(slot));
	}
	drop_incomplete_proxy_authen(d->m);
	return 0;
}

int decode_control(uint8_t *buf, size_t len, const struct blob *secret, struct l2tp_msg *m,
		   struct proto_error *err)
{
	struct decoder d = { .buf = buf, .secret = secret, .scope = PROTO_CLEAR_TUNNEL, .m = m, .err = err };
	const struct msg_rule *rule;
	struct l2tp_header h;
	struct rcursor c;
	struct raw_avp a;
	const char *why;

	memset(m, 0, sizeof(*m));
	memset(err, 0, sizeof(*err));
	if (header_parse(buf, len, &h, &why) < 0)
		return refuse(&d, PROTO_DISCARD, 0, "malformed header: %s", why);
	if (!h.control)
		return refuse(&d, PROTO_DISCARD, 0, "data message");
	m->tunnel_id = h.tunnel_id;
	m->session_id = h.session_id;
	m->ns = h.ns;
	m->nr = h.nr;
	rcursor_init(&c, buf, h.length);
	(void)rcursor_take(&c, h.payload);
	if (!rcursor_left(&c)) {
		m->zlb = true;
		return 0;
	}
	if (message_type(&d, &c, &rule) < 0)
		return -1;
	while (rcursor_left(&c)) {
		if (read_avp_header(&d, &c, &a) < 0)
			return -1;
		if ((a.vendor != L2TP_VENDOR_IETF ? vendor_avp(&d, &a) : ietf_avp(&d, rule, &a)) < 0)
			return -1;
	}
	return check_complete(&d, rule);
}
