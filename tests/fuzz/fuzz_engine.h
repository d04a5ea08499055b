/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine fuzz target's world, shared by its files: the engine under test (EUT) and its
 * fake shell (with the durable records a restarted EUT restores), a well-behaved peer engine,
 * the in-memory link between them, and the program being run. One instance, reset for every
 * input (fuzz_engine.c).
 */
#ifndef L2TPKD_FUZZ_ENGINE_H
#define L2TPKD_FUZZ_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine_int.h"
#include "test_random.h"

#define FUZZ_LINK_CAP	 64 /* datagrams in flight each way */
#define FUZZ_MAX_PENDING 64 /* kernel requests waiting for an answer */
#define FUZZ_MAX_OBJECTS 128
#define FUZZ_MAX_TRACKED 64
/*
 * Durable records the fake shell keeps: the EUT's limits in tunnels and sessions, the few
 * endpoints it talks to, and one more endpoint per damaged restart at most.
 */
#define FUZZ_MAX_RECORDS 256

/* The checks walk every object after every event: their loops are no guidance for the fuzzer. */
#ifdef __clang__
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define NO_COVERAGE
#endif

/* The EUT's limits: small, so that inputs of a few hundred octets reach them. */
#define LIMIT_TUNNELS	      8
#define LIMIT_TUNNEL_SESSIONS 4
#define LIMIT_SESSIONS	      16

/* Configuration byte (the input's first). */
#define CFG_NO_TIE_BREAKER   0x01
#define CFG_LNS_SEND_SEQ     0x02
#define CFG_NO_OUTGOING	     0x04
#define CFG_NO_ACCEPT	     0x08
#define CFG_PEER_PLAIN	     0x10 /* the EUT and the peer engine do not hide AVPs from each other */
#define CFG_DEFAULT_SECRET   0x20 /* hosts without an entry use a secret too */
#define CFG_NO_DRAIN	     0x40
#define CFG_OTHER_RANDOMNESS 0x80

/* The hosts the EUT talks to: the peer engine, and three the program scripts. */
enum host { HOST_PEER, HOST_SECRET, HOST_PLAIN, HOST_V6, HOST_COUNT };

struct packet {
	struct l2tp_addr from;
	uint16_t len;
	uint8_t buf[];
};

struct link {
	struct packet *q[FUZZ_LINK_CAP];
	unsigned int n;
	bool overflowed; /* a datagram was pushed out to make room: lost */
};

struct tracked_tunnel {
	uint16_t id;
	bool up, down;
	bool recovery; /* an RFC 4951 recovery tunnel: never up or down to the shell, only released */
	uint64_t born; /* when the EUT first named it */
};

/* A record of the EUT's durable state, as its STATE_PUT left it. */
struct record {
	uint64_t key;
	uint16_t len;
	uint8_t buf[ENGINE_STATE_RECORD_MAX];
};

/*
 * A tunnel (session_id 0) or session the last restart restored, with its counterpart in the
 * peer engine: until that counterpart goes down, the peer must not be told to clear it
 * unless the program did something that may (excused).
 */
struct restored {
	uint16_t tunnel_id, session_id;		  /* the EUT's */
	uint16_t peer_tunnel_id, peer_session_id; /* the peer engine's */
	bool excused;
};

/* How OP_RESTART damages the kept records before the new engine reads them. */
struct damage {
	bool flip, truncate;
	uint8_t which, offset, value;
};

struct fuzz {
	const uint8_t *in;
	size_t left;
	uint8_t cfg_bits;
	uint64_t now;
	unsigned int ops;
	bool trace; /* FUZZ_ENGINE_TRACE set: print each opcode and the EUT's log */

	struct engine_config cfg, peer_cfg;
	struct engine_peer_config peers[2], peer_peers[1];
	struct engine_endpoint endpoints[HOST_COUNT]; /* groups: every host, and the peer alone */
	struct engine_group groups[2];
	struct test_random rng, peer_rng;
	struct engine *e, *peer;
	struct l2tp_addr addr, peer_addr;
	struct link to_eut, to_peer;

	/* The EUT's actions: how many of the current list were checked, and whether to clear. */
	size_t seen;
	bool defer;

	/* The EUT's kernel: requests not yet answered and objects that exist. */
	struct engine_kernel_result pending[FUZZ_MAX_PENDING];
	unsigned int n_pending;
	uint32_t objects[FUZZ_MAX_OBJECTS]; /* tunnel << 16, or tunnel << 16 | session */
	unsigned int n_objects;

	/* Lifecycles seen in the EUT's actions. */
	struct tracked_tunnel tunnels[FUZZ_MAX_TRACKED];
	unsigned int n_tunnels;
	uint32_t up_sessions[FUZZ_MAX_TRACKED];
	unsigned int n_up_sessions;
	uint16_t released[8]; /* recent tunnel IDs, to name stale objects */
	unsigned int n_released;
	/* Group calls placed and not yet ended by their REQUEST_DONE. */
	uint32_t requests[FUZZ_MAX_TRACKED];
	unsigned int n_requests;

	/* The EUT's durable records (ENGINE_STATE_PUT and DROP), which OP_RESTART restores. */
	struct record records[FUZZ_MAX_RECORDS];
	unsigned int n_records;
	/*
	 * What makes the restart checks unsound, for good: a datagram between the engines lost or
	 * delivered out of order, a scripted message from the peer engine's host, a damaged record;
	 * and for the resynchronisation, a datagram an earlier EUT discarded (dropped inside).
	 */
	bool lossy, spoofed, damaged, discarded;
	bool ticked;	 /* time passed since the last restart */
	bool resync_due; /* the last restart's tunnels are yet to be seen resynchronised */
	struct restored restored[FUZZ_MAX_TRACKED];
	unsigned int n_restored;
};

extern struct fuzz fz;

/* fuzz_engine.c: the world the engines live in. */
__attribute__((format(printf, 1, 2), noreturn)) void fail(const char *fmt, ...);
void link_push(struct link *l, const struct l2tp_addr *from, const uint8_t *buf, size_t len);
struct packet *link_take(struct link *l, unsigned int i);
void eut_done(struct fuzz *f);
void eut_recv(struct fuzz *f, const struct l2tp_addr *from, const uint8_t *buf, size_t len);
void clear_actions(struct fuzz *f);
void peer_done(struct fuzz *f);
void peer_recv(struct fuzz *f, const struct packet *p);
void tick(struct fuzz *f, uint64_t step);
void kernel_answer(struct fuzz *f, unsigned int i, int err);
void kernel_answer_all(struct fuzz *f);
struct tunnel *nth_tunnel(struct engine *e, unsigned int n);
struct session *nth_session(struct engine *e, unsigned int n);
/* kill -9 and a new process: a new EUT restores the kept records (damaged if d) and resumes. */
void restart(struct fuzz *f, const struct damage *d);

/* engine_program.c: the input as a program of events. */
uint8_t u8(struct fuzz *f);
uint16_t u16(struct fuzz *f);
uint16_t pick_tunnel_id(struct fuzz *f, uint8_t b);
void run_program(struct fuzz *f);

/* engine_hosts.c: the scripted hosts' messages. */
struct l2tp_addr host_addr(enum host h, uint16_t port);
const struct blob *secret_for(struct fuzz *f, const struct l2tp_addr *peer, struct blob *b);
void craft(struct fuzz *f);
void raw(struct fuzz *f);

/* engine_shell.c: the EUT's fake shell, which checks each action as it takes it. */
void check_action(struct fuzz *f, const struct engine_action *a);
void touch_action(const struct engine_action *a);
struct tracked_tunnel *note_tunnel(struct fuzz *f, uint16_t id);
void object_add(struct fuzz *f, uint32_t key);
/* A group call the EUT took: it must end with exactly one REQUEST_DONE. */
void note_request(struct fuzz *f, uint32_t id);
int object_index(const struct fuzz *f, uint32_t key);
/* A tunnel ID the EUT no longer uses: operands may name it (pick_tunnel_id). */
void note_released(struct fuzz *f, uint16_t id);
/* After a restart: the shell forgets what the new EUT does not have (no actions tell it). */
void shell_restarted(struct fuzz *f);

/* engine_invariants.c: the engines' state after every event. */
void check_engine(const char *who, struct engine *e);
void check_eut(struct fuzz *f);
/* Around a restart: the old EUT's established objects; what the new one restored, before it resumes. */
void note_before_restart(struct fuzz *f);
void check_after_restart(struct fuzz *f, bool damaged);
/* The program closed (or upset) a restored tunnel or call itself (session 0: the whole tunnel). */
void excuse(struct fuzz *f, uint16_t tunnel_id, uint16_t session_id);
/* The peer engine's actions: a restored tunnel or call cleared by the EUT unprompted. */
void check_peer_action(struct fuzz *f, const struct engine_action *a);
/* Both links empty: the engines agree on sequence numbers, restored tunnels resynchronised. */
void check_link_quiet(struct fuzz *f);

#endif
