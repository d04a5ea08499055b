/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "encode.h"

#include <errno.h>

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

/*
 * An AVP being written straight into the datagram: its header goes out first with the length
 * left open, then the value, then avp_close() fills in the length and, for a hidden AVP, the
 * original length, the padding and the XOR (RFC 2661 §4.3). No value is copied twice.
 */
struct avp_frame {
	size_t start;	/* of the AVP header */
	size_t value;	/* of the value (after the original-length field when hidden) */
	uint16_t flags; /* M and H bits */
	uint16_t type;
};

static void avp_open(struct encoder *e, struct avp_frame *f, uint16_t vendor, uint16_t type, bool mandatory,
		     bool hidden)
{
	if (hidden && (!e->opts || !e->opts->secret || !(e->m->present & AVP_BIT(L2TP_AVP_RANDOM_VECTOR))))
		fail(e, -EINVAL);
	f->start = e->w.pos;
	f->flags = (mandatory ? L2TP_AVP_HDR_M : 0) | (hidden ? L2TP_AVP_HDR_H : 0);
	f->type = type;
	wcursor_u16(&e->w, 0); /* flags and length, patched by avp_close() */
	wcursor_u16(&e->w, vendor);
	wcursor_u16(&e->w, type);
	if (hidden)
		wcursor_u16(&e->w, 0); /* original length, patched by avp_close() */
	f->value = e->w.pos;
}

/* Refuses a value outside [min_len, max_len], or too long to hide. */
static void avp_close(struct encoder *e, const struct avp_frame *f, size_t min_len, size_t max_len)
{
	bool hidden = f->flags & L2TP_AVP_HDR_H;
	size_t len = e->w.pos - f->value, pad;
	uint8_t padding[MAX_PAD];

	if (!wcursor_ok(&e->w) || e->error)
		return;
	if (len < min_len || len > max_len || len > AVP_MAX_VALUE_LEN - (hidden ? 2 : 0)) {
		fail(e, -EINVAL);
		return;
	}
	if (hidden) {
		pad = pad_length(e, len);
		if (pad) {
			e->opts->random(e->opts->random_arg, padding, pad);
			wcursor_bytes(&e->w, padding, pad);
		}
		wcursor_patch_u16(&e->w, f->value - 2, (uint16_t)len);
		if (wcursor_ok(&e->w))
			hide_transform(f->type, e->opts->secret, &e->m->random_vector,
				       e->w.buf + f->value - 2, e->w.pos - (f->value - 2), HIDE_ENCRYPT);
	}
	wcursor_patch_u16(&e->w, f->start, f->flags | (uint16_t)(e->w.pos - f->start));
}

static void put_ietf(struct encoder *e, int slot, unsigned int nth)
{
	const struct avp_desc *d = &avp_table[slot];
	bool hidden = e->m->hidden & AVP_BIT(slot);
	bool mandatory = slot == L2TP_AVP_MESSAGE_TYPE ? e->m->type_mandatory : d->mandatory;
	struct avp_frame f;

	if (hidden && !d->may_hide)
		fail(e, -EINVAL);
	avp_open(e, &f, L2TP_VENDOR_IETF, d->type, mandatory, hidden);
	d->encode(d, e->m, nth, &e->w);
	avp_close(e, &f, d->min_len, d->max_len);
}

static void put_vendor(struct encoder *e, const struct vendor_avp *v)
{
	struct avp_frame f;

	if (v->vendor == L2TP_VENDOR_IETF)
		fail(e, -EINVAL);
	avp_open(e, &f, v->vendor, v->type, false, v->hidden);
	wcursor_bytes(&e->w, v->value.ptr, v->value.len);
	avp_close(e, &f, 0, AVP_MAX_VALUE_LEN);
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
		for (i = 0; i < m->n_vendor && i < MSG_MAX_VENDOR; i++)
			put_vendor(&e, &m->vendor[i]);
	}
	if (e.error)
		return e.error;
	if (!wcursor_ok(&e.w))
		return -EMSGSIZE;
	wcursor_patch_u16(&e.w, 2, (uint16_t)e.w.pos);
	return (int)e.w.pos;
}
