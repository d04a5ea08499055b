/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reliable delivery of control messages for one tunnel (RFC 2661 §5.8 and Appendix A):
 * Ns/Nr, the receive window both ways, slow start and congestion avoidance, retransmission
 * with exponential backoff, duplicate detection, out-of-order holding and ZLB acks.
 *
 * Pure: no clock (every call takes "now" in milliseconds), no sockets. Datagrams leave through
 * the struct xport_out the caller passes in, so the state itself is plain data.
 * Messages are whole encoded control messages (12-octet header first); the transport writes
 * Ns and Nr into their headers when it (re)transmits them.
 */
#ifndef L2TPKD_XPORT_H
#define L2TPKD_XPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xport_config {
	uint16_t rwin;		 /* window we advertise: out-of-order messages we hold (default 4) */
	uint32_t rtx_initial_ms; /* first retransmission timeout (default 1000) */
	uint32_t rtx_cap_ms;	 /* backoff cap, never below 8000 (RFC 2661 §5.8) */
	uint8_t rtx_retries;	 /* retransmissions before the tunnel is given up (default 5) */
};

/* A message in a queue: sent and unacknowledged, waiting for the window, or held out of order. */
struct xport_pkt {
	struct xport_pkt *next;
	uint16_t ns;
	uint16_t len;
	uint8_t buf[];
};

struct xport_out {
	void (*transmit)(void *ctx, const uint8_t *buf, size_t len);
	void *ctx;
};

struct xport_stats {
	uint32_t sent; /* messages sent for the first time, ZLBs excluded */
	uint32_t zlb_sent;
	uint32_t retransmitted;
	uint32_t received;   /* delivered in order */
	uint32_t duplicates; /* received again and re-acknowledged */
	uint32_t held;	     /* received ahead of sequence and held */
	uint32_t dropped;    /* ahead of sequence beyond our window, or already held */
};

struct xport {
	struct xport_pkt *unacked, *unacked_tail; /* sent, in Ns order */
	struct xport_pkt *pending, *pending_tail; /* Ns assigned, waiting for the window to open */
	struct xport_pkt *held;			  /* received ahead of sequence, sorted by Ns */
	uint64_t rtx_at;			  /* when the head of unacked is resent; 0: none */
	uint16_t ns_next;			  /* Ns of the next new message */
	uint16_t nr;				  /* next Ns expected from the peer */
	uint16_t peer_rwin;			  /* the peer's window (4 until it says otherwise) */
	uint16_t cwnd, ssthresh, ca_acks;	  /* Appendix A congestion state */
	uint16_t n_unacked;
	uint8_t n_held;
	uint8_t retries; /* retransmissions of the current head */
	bool ack_due;	 /* something was received that no sent message has acknowledged yet */
	bool failed;	 /* retransmissions exhausted */
	bool resync;	 /* silent failover: our Ns is not known until the peer's Nr says it */
	struct xport_stats stats;
};

enum xport_rx {
	XPORT_RX_DELIVER,   /* in sequence: process it; Nr has advanced */
	XPORT_RX_ZLB,	    /* an acknowledgement only */
	XPORT_RX_DUPLICATE, /* seen before: do not process; an ack is due */
	XPORT_RX_AHEAD,	    /* ahead of sequence within our window: hold it with xport_hold() */
	XPORT_RX_DROP,	    /* ahead beyond our window: dropped, the peer will resend */
};

void xport_init(struct xport *x);
/* Frees every queued message. The transport may be initialised again afterwards. */
void xport_destroy(struct xport *x);

/* The peer's Receive Window Size AVP (non-zero; the codec refuses 0). */
void xport_set_peer_window(struct xport *x, uint16_t rwin);

/*
 * Queues a new message (copied), gives it the next Ns and sends it at once if the windows
 * allow. Returns 0 or -ENOMEM.
 */
int xport_enqueue(struct xport *x, const struct xport_config *cfg, uint64_t now, const uint8_t *msg,
		  size_t len, const struct xport_out *out);

/*
 * Accounts for a received control message's Ns and Nr: its Nr acknowledges what we sent
 * (freeing the queue, growing the congestion window and sending what the window now allows),
 * its Ns says what to do with it. A ZLB does not consume an Ns.
 */
enum xport_rx xport_receive(struct xport *x, const struct xport_config *cfg, uint64_t now, uint16_t ns,
			    uint16_t nr, bool zlb, const struct xport_out *out);

/* Keeps a copy of a message xport_receive() called AHEAD. Returns 0, -ENOBUFS or -ENOMEM. */
int xport_hold(struct xport *x, const struct xport_config *cfg, uint16_t ns, const uint8_t *msg, size_t len);

/*
 * The held message that is now in sequence, if any, unlinked: the caller feeds it through
 * xport_receive() like a new arrival and then free()s it.
 */
struct xport_pkt *xport_take_held(struct xport *x);

/*
 * Silent failover after a restart: the Ns we last used may not be the one the peer expects
 * (messages sent just before the restart may be lost). probe (a HELLO) is sent with the Ns
 * before the kept one; nothing else leaves until the peer's first message or ZLB, whose Nr
 * says which Ns it expects:
 * - past the probe: the probe was seen (a duplicate, or new); we go on from that Nr;
 * - at or a little before the probe (our last messages were lost, or the message is older
 *   than they are): copies of the probe fill the Ns up to it. A copy the peer has seen is a
 *   duplicate it acknowledges (RFC 2661 §5.8), one it has not is a HELLO: either way both
 *   ends agree again without a message being skipped or taken twice;
 * - anything else is not believed.
 * Messages queued meanwhile are numbered after that. The probe is retransmitted as usual:
 * once the retries run out the transport fails. 0, -EINVAL (queues not empty) or -ENOMEM.
 */
int xport_resync_begin(struct xport *x, const struct xport_config *cfg, uint64_t now, const uint8_t *probe,
		       size_t len, const struct xport_out *out);

/* nr acknowledges at least the oldest message sent and not yet acknowledged. */
bool xport_acknowledges(const struct xport *x, uint16_t nr);

/* Sends a ZLB to the peer's tunnel ID if an acknowledgement is due. */
void xport_flush_ack(struct xport *x, uint16_t peer_tunnel_id, const struct xport_out *out);

/*
 * Retransmits the head of the queue if its timer expired. Returns false once the retries are
 * exhausted (x->failed is then set and nothing more is sent).
 */
bool xport_tick(struct xport *x, const struct xport_config *cfg, uint64_t now, const struct xport_out *out);

/* When xport_tick() must next be called; UINT64_MAX for never. */
uint64_t xport_deadline(const struct xport *x);

/* Messages sent and unacknowledged plus those waiting for the window. */
uint16_t xport_queued(const struct xport *x);

/* Nothing sent is waiting for an acknowledgement, and nothing waits to be sent. */
bool xport_idle(const struct xport *x);

/* Milliseconds from a first transmission to giving up: 1+2+4+8+8+8 = 31 s by default. */
uint64_t xport_full_cycle_ms(const struct xport_config *cfg);

/* Heap bytes held by the queues. */
size_t xport_heap_bytes(const struct xport *x);

#endif
