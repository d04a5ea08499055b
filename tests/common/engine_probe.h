/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One engine under test and a scripted peer, for the engine's Check suites. The peer's
 * messages are built with the codec and fed through engine_recv(); what the engine does is
 * read back from its action list: datagrams decoded, kernel requests answered, notifications
 * counted. The clock is p->now, moved only by the test.
 *
 * Every event function first clears the actions of the previous event, so after a call the
 * action list holds exactly what that event made. probe_expect() walks the datagrams of the
 * last event in order; the peer's Nr follows what it has seen in sequence.
 *
 * Helpers fail the current Check test (ck_abort_msg) when something is not as expected.
 */
#ifndef L2TPKD_ENGINE_PROBE_H
#define L2TPKD_ENGINE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "msg.h"
#include "test_random.h"

#define PROBE_ZLB	  0	 /* probe_expect(): a ZLB, not a message of some type */
#define PROBE_T0	  1000	 /* the clock's first reading: not 0, which hides unset timers */
#define PROBE_PEER_TID	  0x4711 /* the scripted peer's tunnel ID */
#define PROBE_PEER_HOST	  "peer.example"
#define PROBE_SLOTS	  8
#define PROBE_BUF	  8192
#define PROBE_MAX_ACTIONS 512

/* A datagram the engine sent, decoded; valid until PROBE_SLOTS more have been decoded. */
struct probe_rx {
	struct l2tp_msg m;
	const struct engine_action *a;
	uint8_t buf[PROBE_BUF];
};

struct probe {
	struct engine_config cfg; /* adjust between probe_new() and probe_start() */
	struct engine_peer_config peer_cfg;
	struct test_random rng;
	struct engine *e;
	struct l2tp_addr local, peer;
	uint64_t now;
	const char *secret; /* the peer's shared secret: unhides what the engine hides */
	uint16_t tid;	    /* the engine's tunnel ID: header of what the peer sends */
	uint16_t peer_tid;  /* the peer's tunnel ID (Assigned Tunnel ID it sends) */
	uint16_t ns, nr;    /* the peer's next Ns, and the next Ns it expects from the engine */
	size_t next;	    /* the next action probe_expect() looks at */
	bool lax;	    /* probe_expect() does not check the header's Tunnel ID and Nr */
	unsigned int slot;
	struct probe_rx rx[PROBE_SLOTS];
};

/* The scripted peer's side of one tunnel, to talk over several (probe_save/probe_restore). */
struct probe_peer_state {
	struct l2tp_addr peer;
	uint16_t tid, peer_tid, ns, nr;
};

/* Engine defaults, a seeded random source, local 192.0.2.1:1701 and peer 192.0.2.2:1701. */
struct probe *probe_new(uint64_t seed);
/* probe_new() and probe_start(): the default configuration. */
struct probe *probe_started(uint64_t seed);
/* Validates the configuration and creates the engine. */
void probe_start(struct probe *p);
void probe_free(struct probe *p);
void probe_save(const struct probe *p, struct probe_peer_state *st);
void probe_restore(struct probe *p, const struct probe_peer_state *st);
/* Clears the actions of the previous event (every event function does this first). */
void probe_begin(struct probe *p);

/* ---- events ---- */
void probe_tick(struct probe *p, uint64_t at);
/* Encodes m (hiding what m->hidden says, with p->secret) and feeds it from the peer. */
void probe_send(struct probe *p, struct l2tp_msg *m);
void probe_send_from(struct probe *p, struct l2tp_msg *m, const struct l2tp_addr *from);
void probe_zlb(struct probe *p);
/* A ZLB acknowledging up to (not including) nr. */
void probe_ack(struct probe *p, uint16_t nr);
void probe_hello(struct probe *p);
/* engine_open_tunnel(); sets p->tid. Returns its result. */
int probe_open(struct probe *p);
int probe_place(struct probe *p, enum engine_call_direction dir, const struct engine_call_info *info,
		uint16_t *sid);
/* Answers every KERNEL_*_CREATE request of the last event with err. Returns how many. */
size_t probe_kernel(struct probe *p, int err);

/* ---- the peer's messages: header to the engine's tunnel, the peer's Ns and Nr ---- */
void probe_msg(struct probe *p, struct l2tp_msg *m, uint16_t type, uint16_t session_id);
/* SCCRQ (header Tunnel ID 0) and SCCRP with version 1.0, host name, framing, p->peer_tid. */
void probe_sccrq(struct probe *p, struct l2tp_msg *m);
void probe_sccrp(struct probe *p, struct l2tp_msg *m);
void probe_icrq(struct probe *p, struct l2tp_msg *m, uint16_t peer_sid);
/* ICCN or OCCN: Tx Connect Speed 1000000, synchronous framing. */
void probe_iccn(struct probe *p, struct l2tp_msg *m, uint16_t sid);
void probe_occn(struct probe *p, struct l2tp_msg *m, uint16_t sid);
/* OCRQ with every AVP it must carry (called number "5550100"). */
void probe_ocrq(struct probe *p, struct l2tp_msg *m, uint16_t peer_sid);
/* ICRP or OCRP to our session sid, naming the peer's peer_sid. */
void probe_reply(struct probe *p, struct l2tp_msg *m, uint16_t type, uint16_t sid, uint16_t peer_sid);
void probe_cdn(struct probe *p, struct l2tp_msg *m, uint16_t sid, uint16_t peer_sid, uint16_t result,
	       uint16_t error);
void probe_stopccn(struct probe *p, struct l2tp_msg *m, uint16_t result, uint16_t error);

/* ---- what the engine did in the last event ---- */
/*
 * The next datagram must be of this type (PROBE_ZLB: a ZLB), to the peer's address and
 * tunnel (0 for an SCCRQ), acknowledging all the peer sent (Nr = p->ns) unless p->lax.
 * Returns it decoded.
 */
const struct l2tp_msg *probe_expect(struct probe *p, uint16_t type);
/* The next datagram is of this type and carries this Result Code. */
const struct l2tp_msg *probe_expect_result(struct probe *p, uint16_t type, uint16_t result, uint16_t error);
/* No datagram after those probe_expect() took. */
void probe_expect_no_send(struct probe *p);
size_t probe_count(const struct probe *p, enum engine_action_type type);
/* The nth action of a type, or NULL. */
const struct engine_action *probe_action(const struct probe *p, enum engine_action_type type, size_t nth);
/* Exactly one action of the type: returns it. */
const struct engine_action *probe_one(const struct probe *p, enum engine_action_type type);
/* Exactly one TUNNEL_DOWN or SESSION_DOWN, with this result and side: returns it. */
const struct engine_action *probe_down(const struct probe *p, enum engine_action_type type, uint16_t result,
				       bool by_peer);
void probe_check_result(const struct l2tp_msg *m, uint16_t result, uint16_t error);
struct engine_stats probe_stats(const struct probe *p);

/* ---- scenarios, each ending with the actions cleared ---- */
/* engine_open_tunnel() succeeds and sends its SCCRQ (returned). */
const struct l2tp_msg *probe_opened(struct probe *p);
/* The peer sends m (a default SCCRQ if NULL); the engine answers with an SCCRP (returned). */
const struct l2tp_msg *probe_answered(struct probe *p, struct l2tp_msg *m);
/* The engine answers the peer's SCCRQ, the peer sends SCCCN: TUNNEL_UP, kernel request pending. */
void probe_handshake(struct probe *p);
/* probe_handshake() and the kernel tunnel created. */
void probe_accept_tunnel(struct probe *p);
/* The engine opens the tunnel; the peer answers; kernel tunnel created; SCCCN acknowledged. */
void probe_open_tunnel(struct probe *p);
/* Places an outgoing call: its OCRQ goes out at once with this Ns, or (ns < 0) waits. */
void probe_place_ocrq(struct probe *p, int ns);
/* The last event sent n OCRQs with Ns first, first + 1, ... and nothing else. */
void probe_expect_ocrqs(struct probe *p, int first, int n);
/* Opens a tunnel; returns whether its SCCRQ had a Tie Breaker, copied to tb. */
bool probe_open_for_tie(struct probe *p, uint8_t tb[L2TP_TIE_BREAKER_LEN]);
/* The peer's colliding SCCRQ (its own sequence: Ns 0, Nr 0), with this Tie Breaker or none. */
void probe_peer_sccrq_tb(struct probe *p, const uint8_t *tb);
/* Our tunnel lost the tie: forgotten without a StopCCN (RFC 2661 §7.2.1), the shell told. */
void probe_tie_lost(struct probe *p, uint16_t ours);
/* An incoming call from the peer (engine = LNS) up to SESSION_UP. Returns the engine's ID. */
uint16_t probe_lns_call(struct probe *p, uint16_t peer_sid);
/* An incoming call placed on the engine (engine = LAC) up to SESSION_UP. */
uint16_t probe_lac_call(struct probe *p, uint16_t peer_sid);

#endif
