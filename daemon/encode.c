/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "encode.h"

#include <errno.h>
#include <string.h>

#include "avp.h"
#include "cursor.h"
#include "hide.h"

struct encoder {
	struct wcursor w;
	const struct encode_opts *opts;
	const struct l2tp_msg *m;
	int error; /* first -errno, sticky */
};

static void fail(struct encoder *e, int error)
{
	if (!e->error)
		e->error = error;
}

/* Up to MAX_PAD random octets hide a value's exact length (RFC 2661 §4.3). */
#define MAX_PAD 15

/* Random padding length for a hidden value, bounded by what the 10-bit AVP length allows. */
static size_t pad_length(struct encoder *e, size_t value_len)
{
	size_t room = L2TP_AVP_MAX_LEN - L2TP_AVP_HDR_LEN - 2 - value_len;
	uint8_t r = 0;

	if (!e->opts || !e->opts->random)
		return 0;
	e->opts->random(e->opts->random_arg, &r, 1);
	r %= MAX_PAD + 1;
	return r < room ? r : room;
}

/* RFC 2661 §4.3: hidden subformat = original length (16) | value | padding, then XOR. */
static void put_hidden_value(struct encoder *e, uint16_t type, const uint8_t *value, size_t len, size_t pad)
{
	size_t start = e->w.pos;
	uint8_t padding[MAX_PAD];

	wcursor_u16(&e->w, (uint16_t)len);
	wcursor_bytes(&e->w, value, len);
	if (pad) {
		e->opts->random(e->opts->random_arg, padding, pad);
		wcursor_bytes(&e->w, padding, pad);
	}
	if (wcursor_ok(&e->w))
		hide_transform(type, e->opts->secret, &e->m->random_vector, e->w.buf + start,
			       e->w.pos - start, HIDE_ENCRYPT);
}

static void put_avp(struct encoder *e, uint16_t vendor, uint16_t type, bool mandatory, bool hidden,
		    const uint8_t *value, size_t len)
{
	size_t pad = 0, total;

	if (hidden && (!e->opts || !e->opts->secret || !(e->m->present & AVP_BIT(L2TP_AVP_RANDOM_VECTOR)))) {
		fail(e, -EINVAL);
		return;
	}
	if (len > AVP_MAX_VALUE_LEN - (hidden ? 2 : 0)) {
		fail(e, -EINVAL);
		return;
	}
	if (hidden)
		pad = pad_length(e, len);
	total = L2TP_AVP_HDR_LEN + (hidden ? 2 + len + pad : len);
	wcursor_u16(&e->w,
		    (mandatory ? L2TP_AVP_HDR_M : 0) | (hidden ? L2TP_AVP_HDR_H : 0) | (uint16_t)total);
	wcursor_u16(&e->w, vendor);
	wcursor_u16(&e->w, type);
	if (hidden)
		put_hidden_value(e, type, value, len, pad);
	else
		wcursor_bytes(&e->w, value, len);
}

static void put_ietf(struct encoder *e, int slot, unsigned int nth)
{
	const struct avp_desc *d = &avp_table[slot];
	uint8_t value[AVP_MAX_VALUE_LEN];
	bool hidden = e->m->hidden & AVP_BIT(slot);
	bool mandatory = slot == L2TP_AVP_MESSAGE_TYPE ? e->m->type_mandatory : d->mandatory;
	struct wcursor vw;

	if (hidden && !d->may_hide) {
		fail(e, -EINVAL);
		return;
	}
	wcursor_init(&vw, value, sizeof(value));
	d->encode(d, e->m, nth, &vw);
	if (!wcursor_ok(&vw) || vw.pos < d->min_len || vw.pos > d->max_len) {
		fail(e, -EINVAL);
		return;
	}
	put_avp(e, L2TP_VENDOR_IETF, d->type, mandatory, hidden, value, vw.pos);
}

int encode_control(const struct l2tp_msg *m, const struct encode_opts *opts, uint8_t *buf, size_t cap)
{
	struct encoder e = { .opts = opts, .m = m };
	unsigned int i;
	int slot;

	wcursor_init(&e.w, buf, cap < L2TP_MAX_MSG_LEN ? cap : L2TP_MAX_MSG_LEN);
	wcursor_u16(&e.w, L2TP_HDR_CONTROL);
	wcursor_u16(&e.w, 0); /* Length, patched below */
	wcursor_u16(&e.w, m->tunnel_id);
	wcursor_u16(&e.w, m->session_id);
	wcursor_u16(&e.w, m->ns);
	wcursor_u16(&e.w, m->nr);
	if (!m->zlb) {
		put_ietf(&e, L2TP_AVP_MESSAGE_TYPE, 0);
		if (m->present & AVP_BIT(L2TP_AVP_RANDOM_VECTOR))
			put_ietf(&e, L2TP_AVP_RANDOM_VECTOR, 0);
		for (slot = 1; slot < AVP_SLOT_FAILOVER_SESSION_STATE; slot++)
			if (slot != L2TP_AVP_RANDOM_VECTOR && (m->present & AVP_BIT(slot)))
				put_ietf(&e, slot, 0);
		if (m->present & AVP_BIT(AVP_SLOT_FAILOVER_SESSION_STATE)) {
			if (!m->n_fss || m->n_fss > MSG_MAX_FSS)
				fail(&e, -EINVAL);
			for (i = 0; i < m->n_fss && i < MSG_MAX_FSS; i++)
				put_ietf(&e, AVP_SLOT_FAILOVER_SESSION_STATE, i);
		}
		for (i = 0; i < m->n_vendor && i < MSG_MAX_VENDOR; i++) {
			if (m->vendor[i].vendor == L2TP_VENDOR_IETF)
				fail(&e, -EINVAL);
			put_avp(&e, m->vendor[i].vendor, m->vendor[i].type, false, m->vendor[i].hidden,
				m->vendor[i].value.ptr, m->vendor[i].value.len);
		}
	}
	if (e.error)
		return e.error;
	if (!wcursor_ok(&e.w))
		return -EMSGSIZE;
	wcursor_patch_u16(&e.w, 2, (uint16_t)e.w.pos);
	return (int)e.w.pos;
}
