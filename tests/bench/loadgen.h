/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The setup-rate load generator (tests/bench/loadgen, issue 7): what its command line asks
 * for, what a run counts, and the run itself. loadgen.c reads the options and prints the
 * report; loadgen_run.c drives the engine over the sockets.
 */
#ifndef L2TPKD_LOADGEN_H
#define L2TPKD_LOADGEN_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"

#define LG_MAX_LOCALS	     64
#define LG_MAX_REFUSAL_KINDS 32
#define LG_NOT_REACHED	     UINT64_MAX

struct lg_opts {
	struct l2tp_addr lns;
	struct l2tp_addr locals[LG_MAX_LOCALS]; /* port 0; none: the kernel chooses */
	unsigned n_locals;
	uint32_t tunnels, sessions; /* sessions per tunnel */
	uint32_t open_burst;	    /* SCCRQs unanswered at a time */
	uint32_t timeout_s, hold_s;
	int retries; /* -1: the engine's default */
	const char *host_name, *secret;
	bool verbose;
};

/* Tunnels or calls that went down during setup, grouped by what the StopCCN or CDN said. */
struct lg_refusal {
	bool tunnel, by_peer;
	uint16_t result, error;
	uint32_t count;
	char message[64]; /* the first one's Error Message */
};

/* What a run counts; times are milliseconds after the first SCCRQ, or LG_NOT_REACHED. */
struct lg_result {
	uint32_t tunnels_up, sessions_up; /* came up during setup */
	uint32_t tunnels_not_opened;	  /* the engine would not open them */
	int open_error;			  /* the last reason it gave */
	uint32_t calls_not_placed;	  /* their tunnel went down or closed, or the engine said no */
	int place_error;		  /* the last reason the engine gave */
	uint32_t refused;		  /* tunnels and calls that went down during setup */
	struct lg_refusal refusals[LG_MAX_REFUSAL_KINDS];
	unsigned n_refusals;
	uint32_t refusals_unsorted;			/* beyond LG_MAX_REFUSAL_KINDS kinds */
	uint32_t hold_tunnels_down, hold_sessions_down; /* during the settle and the hold */
	uint64_t hold_ms;				/* how long the hold lasted (a signal ends it) */
	uint64_t t_tunnels, t_first, t_1000, t_all, t_setup;
	bool timed_out;
	/* Left when the setup was given up: tunnels not up yet, calls unanswered, calls not placed. */
	uint32_t left_opening, left_pending, left_unplaced;
	uint32_t unacked_messages, unacked_tunnels; /* after the settle */
	uint64_t data_frames, send_errors;
	uint32_t closed, close_unacked; /* StopCCNs sent at the end, and unacknowledged after the wait */
	uint64_t close_ms;
	struct engine_stats stats; /* the engine's, at the end */
	uint64_t setup_sent, setup_retransmitted; /* control messages, when the setup ended */
};

/*
 * Opens the sockets and the engine, sets up o->tunnels x o->sessions calls against o->lns,
 * settles, holds, closes every tunnel. 0 with *r filled (even when calls failed), or a
 * negative errno when the run could not be made (the reason is on stderr).
 */
int loadgen_run(const struct lg_opts *o, struct lg_result *r);

#endif
