/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Simulation scenarios (issue 3, point 8). Each builds a world of engines, runs it on the
 * virtual clock, prints what it measured and returns true if every expectation held.
 */
#ifndef L2TPKD_SIM_SCENARIOS_H
#define L2TPKD_SIM_SCENARIOS_H

#include <stdbool.h>
#include <stdint.h>

struct scenario {
	const char *name;
	bool (*run)(uint64_t seed);
};

extern const struct scenario scenarios[];
extern const unsigned int n_scenarios;
/* failover.c: extended failover (issue 5). */
extern const struct scenario failover_scenarios[];
extern const unsigned int n_failover_scenarios;
/* restart.c: restarts with silent resynchronisation (issue 6). */
extern const struct scenario restart_scenarios[];
extern const unsigned int n_restart_scenarios;

/* Prints "  name: FAILED: why" and returns false: one line per broken expectation. */
bool sim_expect(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
