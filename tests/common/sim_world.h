/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Several engines in one process, joined by an in-memory link with seeded loss, duplication,
 * reordering and delay, driven by a virtual clock. Each node's kernel is a recording fake
 * that answers every request at once (or refuses, when told to). Used by the simulation,
 * the engine's unit tests and its fuzz target.
 */
#ifndef L2TPKD_SIM_WORLD_H
#define L2TPKD_SIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "test_random.h"

#define SIM_MAX_NODES 8

struct sim_link_params {
	double loss;	   /* probability a datagram is lost */
	double duplicate;  /* probability it arrives twice */
	double reorder;	   /* probability it is held back by up to reorder_ms */
	uint32_t delay_ms; /* one-way delay */
	uint32_t reorder_ms;
};

struct sim_counts {
	uint32_t tunnels_up, tunnels_down, tunnels_released;
	uint32_t sessions_up, sessions_down;
	uint32_t kernel_tunnels, kernel_sessions; /* alive in the fake kernel */
	uint32_t datagrams_sent;
	uint32_t session_infos;
	uint32_t log_lines;
	uint32_t requests_ok, requests_failed; /* REQUEST_DONE actions */
	uint32_t failover_lines;	       /* log lines "failover group=..." */
};

/* What a node's StopCCNs and CDNs say instead of what its engine wrote (a scripted refusal). */
struct sim_rewrite {
	bool on;
	uint16_t result, error;
	const char *message; /* NULL: none */
	bool vendor_avp;     /* adds a vendor AVP (M=0) with these numbers */
	uint16_t vendor_id, vendor_type;
};

struct sim_node {
	struct engine *e;
	struct engine_config cfg;
	struct l2tp_addr addr;
	struct test_random rng;
	bool kernel_refuses; /* the fake kernel answers -ENOMEM */
	bool down;	     /* a dead daemon: receives nothing, sends nothing, no timers */
	struct sim_rewrite rewrite;
	bool print_log;
	struct sim_counts n;
	/* The last SESSION_DOWN/TUNNEL_DOWN seen, for scenario checks. */
	struct engine_disconnect last_down;
	bool last_down_by_peer;
	/* Our tunnel and session IDs of the first calls that came up, in order. */
	uint16_t up_tunnel[16], up_session[16];
	uint32_t n_up;
	/* The last REQUEST_DONE and the last failover line. */
	struct engine_action last_request; /* why.message is last_request_text */
	char last_request_text[128];
	char last_failover[512];
	/* Every datagram this node sent, if record is set (type of each, for tests). */
	bool record;
	uint16_t sent_types[4096];
	uint32_t n_sent_types;
	/* Its durable state, kept from STATE_PUT and STATE_DROP actions. */
	struct sim_record *state;
	size_t n_state;
};

/* A durable record as a node's shell would keep it (cfg.persist_state). */
struct sim_record {
	uint64_t key;
	uint16_t len;
	uint8_t buf[ENGINE_STATE_RECORD_MAX];
};

struct sim_packet;

struct sim_world {
	struct sim_node nodes[SIM_MAX_NODES];
	int n_nodes;
	struct sim_link_params link;
	struct test_random rng;
	uint64_t now;
	struct sim_packet **queue; /* min-heap by arrival time */
	uint32_t n_queue, cap_queue;
	uint64_t seq;
	uint64_t packets_delivered, packets_lost;
};

void sim_init(struct sim_world *w, uint64_t seed, const struct sim_link_params *link);
/* Adds a node at 10.0.0.(index+1):1701 with default configuration (adjust n->cfg before sim_start). */
struct sim_node *sim_add_node(struct sim_world *w);
/* Creates the engines once every node's configuration is final. */
void sim_start(struct sim_world *w);
void sim_destroy(struct sim_world *w);

/* Carries out the actions a node's engine has made (sends, fake kernel, counters). */
void sim_settle(struct sim_world *w, struct sim_node *n);
/* Runs the world until virtual time "until" or until done(w, arg) is true. Returns done's result. */
bool sim_run(struct sim_world *w, uint64_t until, bool (*done)(struct sim_world *w, void *arg), void *arg);
/* Nothing is in flight and no engine has anything to retransmit. */
bool sim_quiet(struct sim_world *w);

/*
 * kill -9 and a new process: the node's engine is freed without a word to anyone, a new one
 * restores the kept records (kind order, as the daemon does) and resumes. The fake kernel
 * keeps its objects. Returns the records engine_restore() refused.
 */
unsigned sim_restart(struct sim_world *w, struct sim_node *n);

/* Shortcuts that also settle the node. */
int sim_open_tunnel(struct sim_world *w, struct sim_node *from, const struct sim_node *to, uint16_t *tid);
int sim_place_call(struct sim_world *w, struct sim_node *n, uint16_t tid, enum engine_call_direction dir,
		   uint16_t *sid);
/* engine_request_call() through group "group"; why (if not NULL) gets the refusal's text. */
int sim_request_call(struct sim_world *w, struct sim_node *n, const char *group, uint32_t *id, char *why,
		     size_t why_len);

#endif
