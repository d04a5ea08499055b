/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pppd starts, a few at a time. A pppd's start (exec, the dynamic linker, its plugin, its
 * options) costs milliseconds of CPU, its whole life after that next to nothing. When
 * thousands of sessions come back at once, every one of those processes starting together
 * would share the CPUs with the daemon, whose control messages then wait behind them: the
 * peers retransmit, and at worst give their tunnels up. So an established session waits in
 * a queue, in order, until fewer than pppd-start-limit pppd are starting; a pppd is starting
 * from its spawn until it names its PPP interface ("Using interface pppN"), exits, or
 * PPPD_START_SLOT_MS pass (a pppd whose output goes to a logfile of its own says nothing).
 *
 * The queue is worked from an event source of its own, never while the engine's actions are
 * carried out, so a start that fails can be told to the engine at once, and the
 * acknowledgement of the ICCN leaves before any pppd is spawned. Queued sessions are not in
 * the durable state: before handing over to a new process every one of them is started.
 */
#include "shell_int.h"

/* The longest a pppd counts as starting. */
#define PPPD_START_SLOT_MS 1000
/* The engine's status for a pppd that could not be started, as a shell's exit 127. */
#define PPPD_NOT_STARTED 127

static uint32_t start_limit(const struct shell *sh)
{
	uint32_t limit = sh->conf->conf->pppd_start_limit;

	return limit ? limit : UINT32_MAX;
}

static void pump_soon(struct shell *sh)
{
	if (sh->start_head && sh->start_pump)
		sd_event_source_set_enabled(sh->start_pump, SD_EVENT_ONESHOT);
}

static void slot_free(struct shell *sh, struct sh_session *s)
{
	if (!s->starting)
		return;
	s->starting = false;
	sh->pppd_starting--;
	s->start_timer = sd_event_source_disable_unref(s->start_timer);
	pump_soon(sh);
}

static int on_slot_timeout(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct sh_session *s = userdata;

	slot_free(s->sh, s);
	return 0;
}

static void unlink_queued(struct shell *sh, struct sh_session *s)
{
	if (s->start_prev)
		s->start_prev->start_next = s->start_next;
	else
		sh->start_head = s->start_next;
	if (s->start_next)
		s->start_next->start_prev = s->start_prev;
	else
		sh->start_tail = s->start_prev;
	s->start_prev = s->start_next = NULL;
	s->start_queued = false;
}

/* Starts pppd of the session at the head of the queue; false if it could not be. */
static bool start_head(struct shell *sh)
{
	struct sh_session *s = sh->start_head;

	unlink_queued(sh, s);
	if (shell_pppd_spawn(sh, s, s->start_lns) < 0)
		return false;
	s->starting = true;
	sh->pppd_starting++;
	/* Without the timer the slot would be held until pppd talks: it is not counted at all. */
	if (sd_event_add_time_relative(sh->ev, &s->start_timer, CLOCK_MONOTONIC, PPPD_START_SLOT_MS * 1000ull, 0,
				       on_slot_timeout, s) < 0)
		slot_free(sh, s);
	return true;
}

static int on_pump(sd_event_source *src, void *userdata)
{
	struct shell *sh = userdata;

	while (sh->start_head && sh->pppd_starting < start_limit(sh)) {
		uint16_t tunnel_id = sh->start_head->tunnel_id, session_id = sh->start_head->session_id;

		if (!start_head(sh)) {
			engine_pppd_exit(sh->engine, shell_now(), tunnel_id, session_id, PPPD_NOT_STARTED);
			shell_engine_done(sh);
		}
	}
	return 0;
}

int shell_pppd_starts_open(struct shell *sh)
{
	int r = sd_event_add_defer(sh->ev, &sh->start_pump, on_pump, sh);

	if (r >= 0)
		r = sd_event_source_set_enabled(sh->start_pump, SD_EVENT_OFF);
	return r < 0 ? r : 0;
}

void shell_pppd_starts_close(struct shell *sh)
{
	sh->start_pump = sd_event_source_disable_unref(sh->start_pump);
}

void shell_pppd_enqueue(struct shell *sh, struct sh_session *s, bool lns)
{
	s->start_lns = lns;
	s->start_queued = true;
	s->start_next = NULL;
	s->start_prev = sh->start_tail;
	if (sh->start_tail)
		sh->start_tail->start_next = s;
	else
		sh->start_head = s;
	sh->start_tail = s;
	pump_soon(sh);
}

void shell_pppd_started(struct shell *sh, struct sh_session *s)
{
	slot_free(sh, s);
}

void shell_pppd_forget(struct shell *sh, struct sh_session *s)
{
	if (s->start_queued)
		unlink_queued(sh, s);
	slot_free(sh, s);
}

void shell_pppd_start_all(struct shell *sh)
{
	while (sh->start_head) {
		uint16_t tunnel_id = sh->start_head->tunnel_id, session_id = sh->start_head->session_id;

		/* The next process finds no pppd for it, and clears the call. */
		if (!start_head(sh))
			log_obj(ENGINE_LOG_WARNING, &(struct log_obj){ .tunnel_id = tunnel_id, .session_id = session_id },
				"tunnel %u session %u: no pppd to hand over", tunnel_id, session_id);
	}
}
