/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LNS admission limits: tunnels, sessions per tunnel, sessions in all, and the rate of new
 * sessions (a token bucket). The engine asks before it accepts an SCCRQ or an ICRQ/OCRQ and
 * refuses on the wire with the configured failover codes when a limit is reached, so a LAC
 * fails over at once instead of timing out (design.md §1, point 2).
 */
#ifndef L2TPKD_ADMISSION_H
#define L2TPKD_ADMISSION_H

#include <stdbool.h>
#include <stdint.h>

struct admission_limits {
	uint32_t max_tunnels;		  /* 0: no limit */
	uint32_t max_sessions_per_tunnel; /* 0: no limit */
	uint32_t max_sessions;		  /* 0: no limit */
	uint32_t session_rate;		  /* new sessions per second; 0: no limit */
	uint32_t session_burst;		  /* bucket depth; 0: same as session_rate */
};

struct admission {
	uint64_t tokens_milli; /* tokens * 1000, so refill is exact at millisecond steps */
	uint64_t refilled_at;
	bool started;
};

enum admission_verdict {
	ADMIT,
	REFUSE_TUNNELS,		/* max_tunnels reached */
	REFUSE_TUNNEL_SESSIONS, /* max_sessions_per_tunnel reached */
	REFUSE_SESSIONS,	/* max_sessions reached */
	REFUSE_RATE,		/* session_rate exceeded */
};

void admission_init(struct admission *a);
enum admission_verdict admission_tunnel(const struct admission_limits *l, uint32_t tunnels);
/*
 * Checks a new session against the limits, and takes a token from the bucket if it is
 * admitted (only then: a refused session costs nothing).
 */
enum admission_verdict admission_session(struct admission *a, const struct admission_limits *l, uint64_t now,
					 uint32_t in_tunnel, uint32_t in_all);
const char *admission_verdict_name(enum admission_verdict v);

#endif
