/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "fsm.h"

static const struct fsm_row *fsm_find(const struct fsm_def *def, uint8_t state, uint8_t event)
{
	for (size_t i = 0; i < def->n_rows; i++)
		if (def->rows[i].state == state && def->rows[i].event == event)
			return &def->rows[i];
	return NULL;
}

bool fsm_dispatch(const struct fsm_def *def, uint8_t *state, uint8_t event, void *obj, void *arg)
{
	const struct fsm_row *row = fsm_find(def, *state, event);
	uint8_t from = *state;

	if (!row) {
		def->unexpected(obj, arg, from, event);
		return false;
	}
	if (!row->action || row->action(obj, arg)) {
		*state = row->next;
		def->trace(obj, from, event, row->next);
	} else {
		def->trace(obj, from, event, *state);
	}
	return true;
}
