/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reliable control transport (RFC 2661 §5.8, Appendix A). Three singly linked queues: unacked
 * (sent, Ns contiguous from the head), pending (Ns assigned, waiting for the window) and held
 * (received ahead of sequence). Sequence arithmetic is modulo 2^16 throughout.
 */
#include "xport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "l2tp/wire.h"

/* Octet offset of Ns, followed by Nr, in a control header (RFC 2661 §3.1). */
#define XPORT_NS_AT 8
/* §5.8: Ns within [last-32767, last] of the last one received is "at or before" it. */
#define XPORT_SEQ_HALF 32767

void xport_init(struct xport *x)
{
	memset(x, 0, sizeof(*x));
	/* §5.8: absent a Receive Window Size AVP the peer's window is 4; App. A: CWND starts at 1. */
	x->peer_rwin = 4;
	x->ssthresh = 4;
	x->cwnd = 1;
}

static void free_list(struct xport_pkt *p)
{
	while (p) {
		struct xport_pkt *next = p->next;

		free(p);
		p = next;
	}
}

void xport_destroy(struct xport *x)
{
	if (!x)
		return;
	free_list(x->unacked);
	free_list(x->pending);
	free_list(x->held);
	x->unacked = x->unacked_tail = NULL;
	x->pending = x->pending_tail = NULL;
	x->held = NULL;
	x->n_unacked = 0;
	x->n_held = 0;
	x->rtx_at = 0;
}

void xport_set_peer_window(struct xport *x, uint16_t rwin)
{
	/* The codec refuses 0; keep the previous window rather than stall for ever. */
	if (rwin == 0)
		return;
	/* App. A: SSTHRESH starts at the peer's window and CWND never exceeds it. */
	x->peer_rwin = rwin;
	x->ssthresh = rwin;
	if (x->cwnd > rwin)
		x->cwnd = rwin;
}

static struct xport_pkt *pkt_new(uint16_t ns, const uint8_t *msg, size_t len)
{
	struct xport_pkt *p = malloc(sizeof(*p) + len);

	if (!p)
		return NULL;
	p->next = NULL;
	p->ns = ns;
	p->len = (uint16_t)len;
	memcpy(p->buf, msg, len);
	return p;
}

static void send_raw(struct xport *x, uint8_t *buf, size_t len, const struct xport_out *out)
{
	out->transmit(out->ctx, buf, len);
	/* Every control message carries our current Nr, so it acknowledges all we have received. */
	x->ack_due = false;
}

/* Writes Ns and the current Nr into the copy and sends it (§5.8: retransmissions refresh Nr). */
static void send_pkt(struct xport *x, struct xport_pkt *p, const struct xport_out *out)
{
	struct wcursor c;

	/* Enqueue refused anything shorter than a header, so both fields are inside the copy. */
	wcursor_init(&c, p->buf + XPORT_NS_AT, p->len - XPORT_NS_AT);
	wcursor_u16(&c, p->ns);
	wcursor_u16(&c, x->nr);
	send_raw(x, p->buf, p->len, out);
}

static uint16_t send_window(const struct xport *x)
{
	return x->cwnd < x->peer_rwin ? x->cwnd : x->peer_rwin;
}

/* Moves pending messages to unacked and sends them for the first time while the window allows. */
static void pump(struct xport *x, const struct xport_config *cfg, uint64_t now, const struct xport_out *out)
{
	/* Once the retries are exhausted nothing more leaves this transport; while it resyncs, only the probe. */
	if (x->failed || x->resync)
		return;
	while (x->pending && x->n_unacked < send_window(x)) {
		struct xport_pkt *p = x->pending;

		x->pending = p->next;
		if (!x->pending)
			x->pending_tail = NULL;
		p->next = NULL;
		if (x->unacked_tail)
			x->unacked_tail->next = p;
		else
			x->unacked = p;
		x->unacked_tail = p;
		x->n_unacked++;
		send_pkt(x, p, out);
		x->stats.sent++;
		if (x->rtx_at == 0)
			x->rtx_at = now + cfg->rtx_initial_ms;
	}
}

int xport_enqueue(struct xport *x, const struct xport_config *cfg, uint64_t now, const uint8_t *msg,
		  size_t len, const struct xport_out *out)
{
	struct xport_pkt *p;

	/* Not a control message the transport can number: a caller bug, refused before any change. */
	if (len < L2TP_CONTROL_HDR_LEN || len > L2TP_MAX_MSG_LEN)
		return -EINVAL;
	p = pkt_new(x->ns_next, msg, len);
	if (!p)
		return -ENOMEM;
	x->ns_next++;
	/* Queued behind any earlier pending message so that Ns leave in order. */
	if (x->pending_tail)
		x->pending_tail->next = p;
	else
		x->pending = p;
	x->pending_tail = p;
	pump(x, cfg, now, out);
	return 0;
}

/* App. A: slow start below SSTHRESH, then one more per CWND acknowledgements; capped by the peer. */
static void grow_cwnd(struct xport *x)
{
	if (x->cwnd < x->ssthresh) {
		x->cwnd++;
	} else if (++x->ca_acks >= x->cwnd) {
		x->cwnd++;
		x->ca_acks = 0;
	}
	if (x->cwnd > x->peer_rwin)
		x->cwnd = x->peer_rwin;
}

/* The peer's Nr acknowledges every Ns before it (§5.8). */
static void process_ack(struct xport *x, const struct xport_config *cfg, uint64_t now, uint16_t nr)
{
	uint16_t n_acked;

	if (!x->unacked)
		return;
	n_acked = (uint16_t)(nr - x->unacked->ns);
	/* Acknowledging what was never sent is hostile or stale: believe none of it. */
	if (n_acked == 0 || n_acked > x->n_unacked)
		return;
	while (n_acked--) {
		struct xport_pkt *p = x->unacked;

		x->unacked = p->next;
		free(p);
		x->n_unacked--;
		grow_cwnd(x);
	}
	if (!x->unacked)
		x->unacked_tail = NULL;
	x->retries = 0;
	x->rtx_at = x->unacked ? now + cfg->rtx_initial_ms : 0;
}

bool xport_acknowledges(const struct xport *x, uint16_t nr)
{
	uint16_t n_acked = x->unacked ? (uint16_t)(nr - x->unacked->ns) : 0;

	return n_acked && n_acked <= x->n_unacked;
}

/* True if ns is at or before the last in-sequence Ns received, i.e. in [nr-32768, nr-1]. */
static bool is_duplicate(const struct xport *x, uint16_t ns)
{
	return (uint16_t)(x->nr - 1 - ns) <= XPORT_SEQ_HALF;
}

static enum xport_rx classify(struct xport *x, const struct xport_config *cfg, uint16_t ns, bool zlb)
{
	uint16_t ahead;

	/* §5.8: a ZLB consumes no Ns and is never acknowledged. */
	if (zlb)
		return XPORT_RX_ZLB;
	if (ns == x->nr) {
		x->nr++;
		x->ack_due = true;
		x->stats.received++;
		return XPORT_RX_DELIVER;
	}
	/* §5.8: a duplicate MUST still be acknowledged, in case our acknowledgement was lost. */
	if (is_duplicate(x, ns)) {
		x->ack_due = true;
		x->stats.duplicates++;
		return XPORT_RX_DUPLICATE;
	}
	/* §5.8: out of order within our advertised window may be queued; beyond it is dropped. */
	ahead = (uint16_t)(ns - x->nr);
	if (ahead < cfg->rwin)
		return XPORT_RX_AHEAD;
	x->stats.dropped++;
	return XPORT_RX_DROP;
}

int xport_resync_begin(struct xport *x, const struct xport_config *cfg, uint64_t now, const uint8_t *probe,
		       size_t len, const struct xport_out *out)
{
	struct xport_pkt *p;

	if (len < L2TP_CONTROL_HDR_LEN || len > L2TP_MAX_MSG_LEN || !xport_idle(x) || x->failed)
		return -EINVAL;
	p = pkt_new((uint16_t)(x->ns_next - 1), probe, len);
	if (!p)
		return -ENOMEM;
	x->resync = true;
	x->unacked = x->unacked_tail = p;
	x->n_unacked = 1;
	x->retries = 0;
	send_pkt(x, p, out);
	x->stats.sent++;
	x->rtx_at = now + cfg->rtx_initial_ms;
	return 0;
}

/* How far behind the probe the peer's Nr may be: copies of the probe fill the gap. */
#define XPORT_RESYNC_FILL_MAX 16

/*
 * Copies of the probe for Ns from..probe-1, then the probe again, then what waited: all queued
 * to go as the window allows (the probe's first sending was an extra, like a retransmission).
 * False if out of memory (nothing changed).
 */
static bool resync_fill(struct xport *x, uint16_t from)
{
	struct xport_pkt *probe = x->unacked, *head = NULL, **tail = &head;

	for (uint16_t ns = from; ns != probe->ns; ns++) {
		struct xport_pkt *p = pkt_new(ns, probe->buf, probe->len);

		if (!p) {
			free_list(head);
			return false;
		}
		*tail = p;
		tail = &p->next;
	}
	*tail = probe;
	probe->next = x->pending;
	if (!x->pending)
		x->pending_tail = probe;
	x->pending = head;
	x->unacked = x->unacked_tail = NULL;
	x->n_unacked = 0;
	x->retries = 0;
	x->rtx_at = 0;
	return true;
}

/* The peer's Nr after a restart: where our Ns goes on (see xport_resync_begin). */
static void resync_learn(struct xport *x, uint16_t nr)
{
	uint16_t probe_ns, behind, ns;

	if (!x->unacked)
		return;
	probe_ns = x->unacked->ns;
	behind = (uint16_t)(probe_ns - nr);
	if (behind < XPORT_RESYNC_FILL_MAX) {
		if (!resync_fill(x, nr))
			return;
		ns = nr;
	} else if ((uint16_t)(nr - probe_ns - 1) <= XPORT_SEQ_HALF) {
		free_list(x->unacked);
		x->unacked = x->unacked_tail = NULL;
		x->n_unacked = 0;
		x->retries = 0;
		x->rtx_at = 0;
		ns = nr;
	} else {
		return;
	}
	for (struct xport_pkt *p = x->pending; p; p = p->next)
		p->ns = ns++;
	x->ns_next = ns;
	x->resync = false;
}

enum xport_rx xport_receive(struct xport *x, const struct xport_config *cfg, uint64_t now, uint16_t ns,
			    uint16_t nr, bool zlb, const struct xport_out *out)
{
	if (x->resync)
		resync_learn(x, nr);
	process_ack(x, cfg, now, nr);
	/* Sent before Nr advances below: such a message still leaves an acknowledgement due. */
	pump(x, cfg, now, out);
	return classify(x, cfg, ns, zlb);
}

/* Frees held messages that Nr has moved past: they arrived again in sequence meanwhile. */
static void purge_stale_held(struct xport *x)
{
	struct xport_pkt **pp = &x->held;

	while (*pp) {
		struct xport_pkt *p = *pp;

		if (is_duplicate(x, p->ns)) {
			*pp = p->next;
			free(p);
			x->n_held--;
		} else {
			pp = &p->next;
		}
	}
}

int xport_hold(struct xport *x, const struct xport_config *cfg, uint16_t ns, const uint8_t *msg, size_t len)
{
	uint16_t ahead = (uint16_t)(ns - x->nr);
	struct xport_pkt **pp, *p;

	if (len > L2TP_MAX_MSG_LEN)
		return -EINVAL;
	purge_stale_held(x);
	if (ahead == 0 || ahead >= cfg->rwin || x->n_held == UINT8_MAX)
		goto refuse;
	/* Sorted by distance from Nr, so the next one in sequence is always first. */
	for (pp = &x->held; *pp && (uint16_t)((*pp)->ns - x->nr) < ahead; pp = &(*pp)->next)
		;
	if (*pp && (*pp)->ns == ns)
		goto refuse;
	p = pkt_new(ns, msg, len);
	if (!p)
		return -ENOMEM;
	p->next = *pp;
	*pp = p;
	x->n_held++;
	x->stats.held++;
	return 0;
refuse:
	x->stats.dropped++;
	return -ENOBUFS;
}

struct xport_pkt *xport_take_held(struct xport *x)
{
	struct xport_pkt **pp;

	purge_stale_held(x);
	for (pp = &x->held; *pp; pp = &(*pp)->next) {
		struct xport_pkt *p = *pp;

		if (p->ns == x->nr) {
			*pp = p->next;
			p->next = NULL;
			x->n_held--;
			return p;
		}
	}
	return NULL;
}

void xport_flush_ack(struct xport *x, uint16_t peer_tunnel_id, const struct xport_out *out)
{
	uint8_t zlb[L2TP_CONTROL_HDR_LEN];
	struct wcursor c;

	if (!x->ack_due || x->failed)
		return;
	/* §5.8: a ZLB carries the Ns the next new message will use, since it consumes none. */
	wcursor_init(&c, zlb, sizeof(zlb));
	wcursor_u16(&c, L2TP_HDR_CONTROL);
	wcursor_u16(&c, L2TP_CONTROL_HDR_LEN);
	wcursor_u16(&c, peer_tunnel_id);
	wcursor_u16(&c, 0);
	wcursor_u16(&c, x->pending ? x->pending->ns : x->ns_next);
	wcursor_u16(&c, x->nr);
	send_raw(x, zlb, sizeof(zlb), out);
	x->stats.zlb_sent++;
}

/* §5.8: the timeout doubles with each retransmission, up to the cap. */
static uint64_t backoff_ms(const struct xport_config *cfg, unsigned int retries)
{
	uint64_t t;

	if (retries >= 32)
		return cfg->rtx_cap_ms;
	t = (uint64_t)cfg->rtx_initial_ms << retries;
	return t < cfg->rtx_cap_ms ? t : cfg->rtx_cap_ms;
}

bool xport_tick(struct xport *x, const struct xport_config *cfg, uint64_t now, const struct xport_out *out)
{
	if (x->failed)
		return false;
	if (x->rtx_at == 0 || now < x->rtx_at)
		return true;
	if (!x->unacked) {
		x->rtx_at = 0;
		return true;
	}
	/* §5.8: after the configured retries the peer is unreachable; the caller clears the tunnel. */
	if (x->retries >= cfg->rtx_retries) {
		x->failed = true;
		return false;
	}
	x->retries++;
	/* App. A: a retransmission means congestion: halve SSTHRESH and restart slow start. */
	x->ssthresh = x->cwnd / 2 > 1 ? x->cwnd / 2 : 1;
	x->cwnd = 1;
	x->ca_acks = 0;
	send_pkt(x, x->unacked, out);
	x->stats.retransmitted++;
	x->rtx_at = now + backoff_ms(cfg, x->retries);
	return true;
}

uint64_t xport_deadline(const struct xport *x)
{
	if (x->failed || x->rtx_at == 0)
		return UINT64_MAX;
	return x->rtx_at;
}

bool xport_idle(const struct xport *x)
{
	return !x->unacked && !x->pending;
}

uint64_t xport_full_cycle_ms(const struct xport_config *cfg)
{
	uint64_t sum = 0;
	unsigned int i;

	/* The first transmission's timeout plus one per retransmission (§5.7: 31 s by default). */
	for (i = 0; i <= cfg->rtx_retries; i++)
		sum += backoff_ms(cfg, i);
	return sum;
}

static size_t list_bytes(const struct xport_pkt *p)
{
	size_t n = 0;

	for (; p; p = p->next)
		n += sizeof(*p) + p->len;
	return n;
}

size_t xport_heap_bytes(const struct xport *x)
{
	return list_bytes(x->unacked) + list_bytes(x->pending) + list_bytes(x->held);
}

uint16_t xport_queued(const struct xport *x)
{
	const struct xport_pkt *oldest = x->unacked ? x->unacked : x->pending;

	/* Ns are consecutive from the oldest queued message to the next new one. */
	return oldest ? (uint16_t)(x->ns_next - oldest->ns) : 0;
}
