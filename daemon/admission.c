/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "admission.h"

#define TOKEN 1000u /* milli-tokens one session costs */

void admission_init(struct admission *a)
{
	a->tokens_milli = 0;
	a->refilled_at = 0;
	a->started = false;
}

enum admission_verdict admission_tunnel(const struct admission_limits *l, uint32_t tunnels)
{
	if (l->max_tunnels && tunnels >= l->max_tunnels)
		return REFUSE_TUNNELS;
	return ADMIT;
}

/*
 * Adds rate milli-tokens per elapsed millisecond, up to the bucket's depth. The bucket starts
 * full so a restart or a reload does not refuse the first burst. A clock that stepped back
 * counts as no time elapsed and the refill restarts from the new reading: the bucket neither
 * gains tokens nor stays stuck until the clock catches up with the old one.
 */
static void refill(struct admission *a, const struct admission_limits *l, uint64_t now)
{
	uint64_t cap = (uint64_t)(l->session_burst ? l->session_burst : l->session_rate) * TOKEN;
	uint64_t elapsed, missing;

	if (!a->started) {
		a->started = true;
		a->tokens_milli = cap;
		a->refilled_at = now;
		return;
	}
	elapsed = now > a->refilled_at ? now - a->refilled_at : 0;
	a->refilled_at = now;
	/* The limits may have shrunk on reload. */
	if (a->tokens_milli >= cap) {
		a->tokens_milli = cap;
		return;
	}
	/* Compared by division first: elapsed * rate may not fit in 64 bits. */
	missing = cap - a->tokens_milli;
	if (elapsed > missing / l->session_rate)
		a->tokens_milli = cap;
	else
		a->tokens_milli += elapsed * l->session_rate;
}

enum admission_verdict admission_session(struct admission *a, const struct admission_limits *l, uint64_t now,
					 uint32_t in_tunnel, uint32_t in_all)
{
	if (l->max_sessions_per_tunnel && in_tunnel >= l->max_sessions_per_tunnel)
		return REFUSE_TUNNEL_SESSIONS;
	if (l->max_sessions && in_all >= l->max_sessions)
		return REFUSE_SESSIONS;
	if (!l->session_rate)
		return ADMIT;
	refill(a, l, now);
	if (a->tokens_milli < TOKEN)
		return REFUSE_RATE;
	a->tokens_milli -= TOKEN;
	return ADMIT;
}

const char *admission_verdict_name(enum admission_verdict v)
{
	switch (v) {
	case ADMIT:
		return "admitted";
	case REFUSE_TUNNELS:
		return "tunnel limit";
	case REFUSE_TUNNEL_SESSIONS:
		return "per-tunnel session limit";
	case REFUSE_SESSIONS:
		return "session limit";
	case REFUSE_RATE:
		return "session rate limit";
	}
	return "unknown";
}
