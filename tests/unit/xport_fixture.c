/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "xport_fixture.h"

#include <check.h>
#include <string.h>

const struct xport_config default_cfg = {
	.rwin = 4,
	.rtx_initial_ms = 1000,
	.rtx_cap_ms = 8000,
	.rtx_retries = 5,
};

uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

void rec_transmit(void *ctx, const uint8_t *buf, size_t len)
{
	struct fx *f = ctx;
	struct sent *s;

	ck_assert_uint_lt(f->n, REC_MAX);
	ck_assert_uint_ge(len, 12);
	s = &f->s[f->n++];
	memset(s, 0, sizeof(*s));
	s->flags = get16(buf);
	s->length = get16(buf + 2);
	s->tid = get16(buf + 4);
	s->sid = get16(buf + 6);
	s->ns = get16(buf + 8);
	s->nr = get16(buf + 10);
	s->len = len;
	memcpy(s->payload, buf + 12, len - 12 < sizeof(s->payload) ? len - 12 : sizeof(s->payload));
}

void rec_clear(struct fx *f)
{
	f->n = 0;
}

const struct sent *last(const struct fx *f)
{
	ck_assert_uint_gt(f->n, 0);
	return &f->s[f->n - 1];
}

void fx_init(struct fx *f, const struct xport_config *cfg)
{
	memset(f, 0, sizeof(*f));
	f->cfg = *cfg;
	f->out.transmit = rec_transmit;
	f->out.ctx = f;
	xport_init(&f->x);
}

/* A control message as the encoder would produce it; Ns/Nr hold junk the transport overwrites. */
void make_msg(uint8_t *b, uint8_t fill)
{
	b[0] = 0xc8;
	b[1] = 0x02;
	b[2] = 0;
	b[3] = MSG_LEN;
	b[4] = PEER_TID >> 8;
	b[5] = PEER_TID & 0xff;
	b[6] = 0x00;
	b[7] = 0x07;
	b[8] = b[9] = 0xaa;
	b[10] = b[11] = 0xbb;
	memset(b + 12, fill, MSG_LEN - 12);
}

void send_msg(struct fx *f, uint64_t now)
{
	uint8_t m[MSG_LEN];

	make_msg(m, 0x5a);
	ck_assert_int_eq(xport_enqueue(&f->x, &f->cfg, now, m, sizeof(m), &f->out), 0);
}

enum xport_rx rx(struct fx *f, uint64_t now, uint16_t ns, uint16_t nr)
{
	return xport_receive(&f->x, &f->cfg, now, ns, nr, false, &f->out);
}

enum xport_rx rx_zlb(struct fx *f, uint64_t now, uint16_t nr)
{
	return xport_receive(&f->x, &f->cfg, now, 0, nr, true, &f->out);
}

/* The peer acknowledges exactly the head of our unacked queue with a ZLB. */
void ack_head(struct fx *f, uint64_t now)
{
	ck_assert_ptr_nonnull(f->x.unacked);
	ck_assert_int_eq(rx_zlb(f, now, (uint16_t)(f->x.unacked->ns + 1)), XPORT_RX_ZLB);
}

/* An Nr that acknowledges nothing new: the Ns of our oldest unacknowledged message. */
uint16_t stale_nr(const struct fx *f)
{
	return f->x.unacked ? f->x.unacked->ns : f->x.ns_next;
}

/* The peer sends n messages in sequence, acknowledging nothing; all are delivered. */
void deliver_n(struct fx *f, uint64_t now, unsigned int n)
{
	while (n--)
		ck_assert_int_eq(rx(f, now, f->x.nr, stale_nr(f)), XPORT_RX_DELIVER);
}
