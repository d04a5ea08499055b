/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Table-driven state machines (design.md §2): each row says, for a state and an event, what
 * to do and which state follows, mirroring the tables of RFC 2661 §7. One dispatcher applies
 * them all and reports each transition, so every FSM logs the same way.
 */
#ifndef L2TPKD_FSM_H
#define L2TPKD_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Runs a row's action. Returns true to enter the row's next state, false when the action
 * has itself moved the object elsewhere (typically: cleared it after a refusal).
 */
typedef bool (*fsm_action)(void *obj, void *arg);

struct fsm_row {
	uint8_t state;
	uint8_t event;
	fsm_action action; /* NULL: only change state */
	uint8_t next;
};

struct fsm_def {
	const struct fsm_row *rows;
	size_t n_rows;
	/* No row for (state, event): the RFC's "any other message" handling. */
	void (*unexpected)(void *obj, void *arg, uint8_t state, uint8_t event);
	/* Tells the owner that a row ran: from, event, to (to == from when the action refused). */
	void (*trace)(void *obj, uint8_t from, uint8_t event, uint8_t to);
};

/* Applies the row for (*state, event) to obj; returns false if there was none. */
bool fsm_dispatch(const struct fsm_def *def, uint8_t *state, uint8_t event, void *obj, void *arg);

#endif
