/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The transport's test fixture: a fake clock (plain millisecond values) and a recording
 * output that decodes every datagram's header. Shared by check_xport.c (sending side) and
 * check_xport_rx.c (receiving side).
 */
#ifndef L2TPKD_XPORT_FIXTURE_H
#define L2TPKD_XPORT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "xport.h"

#define REC_MAX	 256
#define MSG_LEN	 20
#define PEER_TID 0x1234

struct sent {
	uint16_t flags, length, tid, sid, ns, nr;
	size_t len;
	uint8_t payload[MSG_LEN - 12];
};

struct fx {
	struct xport x;
	struct xport_config cfg;
	struct xport_out out;
	size_t n; /* datagrams transmitted since the last rec_clear() */
	struct sent s[REC_MAX];
};

extern const struct xport_config default_cfg;

uint16_t get16(const uint8_t *b);
void rec_transmit(void *ctx, const uint8_t *buf, size_t len);
void rec_clear(struct fx *f);
const struct sent *last(const struct fx *f);
void fx_init(struct fx *f, const struct xport_config *cfg);
void make_msg(uint8_t *b, uint8_t fill);
void send_msg(struct fx *f, uint64_t now);
enum xport_rx rx(struct fx *f, uint64_t now, uint16_t ns, uint16_t nr);
enum xport_rx rx_zlb(struct fx *f, uint64_t now, uint16_t nr);
void ack_head(struct fx *f, uint64_t now);
uint16_t stale_nr(const struct fx *f);
void deliver_n(struct fx *f, uint64_t now, unsigned int n);

#endif
