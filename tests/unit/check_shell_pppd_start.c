/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pppd starts, a few at a time (daemon/shell_pppd_start.c), on a real event loop: the limit,
 * the order, what frees a slot (the interface named, the session gone, the slot's time up), a
 * start that fails, and the hand-over that starts every waiting one. The spawn is faked: it
 * records which session's pppd it was asked for.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shell_int.h"
#include "suites.h"

#define N_SESSIONS 6

static struct shell sh;
static struct conf_ref ref;
static struct l2tpkd_conf conf;
static struct sh_session sessions[N_SESSIONS];
static uint16_t spawned[2 * N_SESSIONS]; /* session IDs, in spawn order */
static unsigned n_spawned, engine_done_calls;
static uint16_t failing_session; /* its spawn fails; 0: none */

int shell_pppd_spawn(struct shell *s, struct sh_session *ss, bool lns)
{
	ck_assert_ptr_eq(s, &sh);
	ck_assert(lns);
	ck_assert_uint_lt(n_spawned, 2 * N_SESSIONS);
	spawned[n_spawned++] = ss->session_id;
	if (ss->session_id == failing_session)
		return -ENOENT;
	ss->pid = 1000 + ss->session_id;
	return 0;
}

void shell_engine_done(struct shell *s)
{
	ck_assert_ptr_eq(s, &sh);
	engine_done_calls++;
}

/* shell_now() is check_ctl_cmds.c's (a fixed clock): the tests keep their own. */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void setup(void)
{
	struct engine_config cfg;

	memset(&sh, 0, sizeof(sh));
	memset(&conf, 0, sizeof(conf));
	memset(sessions, 0, sizeof(sessions));
	n_spawned = engine_done_calls = 0;
	failing_session = 0;
	conf.pppd_start_limit = 2;
	ref.conf = &conf;
	ref.refs = 1;
	sh.conf = &ref;
	engine_config_defaults(&cfg);
	sh.engine = engine_new(&cfg);
	ck_assert_ptr_nonnull(sh.engine);
	ck_assert_int_ge(sd_event_new(&sh.ev), 0);
	ck_assert_int_eq(shell_pppd_starts_open(&sh), 0);
	for (unsigned i = 0; i < N_SESSIONS; i++) {
		sessions[i].sh = &sh;
		sessions[i].tunnel_id = 7;
		sessions[i].session_id = (uint16_t)(i + 1);
	}
}

static void teardown(void)
{
	for (unsigned i = 0; i < N_SESSIONS; i++)
		shell_pppd_forget(&sh, &sessions[i]);
	shell_pppd_starts_close(&sh);
	sd_event_unref(sh.ev);
	engine_free(sh.engine);
}

/* How many sessions wait in the queue, counted along its links. */
static unsigned queued(void)
{
	unsigned n = 0;

	for (const struct sh_session *s = sh.start_head; s; s = s->start_next)
		n++;
	return n;
}

/* Dispatches whatever is pending now, without waiting. */
static void run_pending(void)
{
	while (sd_event_run(sh.ev, 0) > 0)
		;
}

static void enqueue_all(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		shell_pppd_enqueue(&sh, &sessions[i], true);
}

static void assert_spawned(const uint16_t *want, unsigned n)
{
	ck_assert_uint_eq(n_spawned, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_uint_eq(spawned[i], want[i]);
}

START_TEST(test_limit_and_order)
{
	enqueue_all(5);
	/* Nothing is spawned while the engine's actions are carried out: only from the loop. */
	ck_assert_uint_eq(n_spawned, 0);
	run_pending();
	assert_spawned((const uint16_t[]){ 1, 2 }, 2);
	ck_assert_uint_eq(sh.pppd_starting, 2);
	ck_assert_uint_eq(queued(), 3);

	/* Session 1's pppd named its interface: session 3 is next. */
	shell_pppd_started(&sh, &sessions[0]);
	run_pending();
	assert_spawned((const uint16_t[]){ 1, 2, 3 }, 3);
	/* Session 4 goes while it waits; a second "started" of session 1 frees nothing. */
	shell_pppd_forget(&sh, &sessions[3]);
	shell_pppd_started(&sh, &sessions[0]);
	run_pending();
	assert_spawned((const uint16_t[]){ 1, 2, 3 }, 3);
	/* Session 2 goes while its pppd starts: its slot goes to session 5, 4 being gone. */
	shell_pppd_forget(&sh, &sessions[1]);
	run_pending();
	assert_spawned((const uint16_t[]){ 1, 2, 3, 5 }, 4);
	ck_assert_uint_eq(queued(), 0);
	ck_assert_ptr_null(sh.start_head);
	ck_assert_ptr_null(sh.start_tail);
	ck_assert_uint_eq(sh.pppd_starting, 2);
	ck_assert_uint_eq(engine_done_calls, 0);
}
END_TEST

START_TEST(test_queue_links_survive_removal_anywhere)
{
	enqueue_all(N_SESSIONS);
	/* Not yet pumped: remove the tail, the head and one in the middle. */
	shell_pppd_forget(&sh, &sessions[N_SESSIONS - 1]);
	shell_pppd_forget(&sh, &sessions[0]);
	shell_pppd_forget(&sh, &sessions[2]);
	ck_assert_uint_eq(queued(), N_SESSIONS - 3);
	conf.pppd_start_limit = 0; /* no limit */
	shell_pppd_enqueue(&sh, &sessions[0], true);
	run_pending();
	assert_spawned((const uint16_t[]){ 2, 4, 5, 1 }, 4);
	ck_assert_uint_eq(sh.pppd_starting, 4);
}
END_TEST

START_TEST(test_slot_time_is_up)
{
	uint64_t t0 = now_ms();

	conf.pppd_start_limit = 1;
	enqueue_all(2);
	run_pending();
	assert_spawned((const uint16_t[]){ 1 }, 1);
	/* Session 1's pppd never names its interface: the slot is freed after a second. */
	while (n_spawned < 2 && now_ms() - t0 < 5000)
		ck_assert_int_ge(sd_event_run(sh.ev, 5000 * 1000), 0);
	assert_spawned((const uint16_t[]){ 1, 2 }, 2);
	ck_assert_uint_ge(now_ms() - t0, 1000);
}
END_TEST

START_TEST(test_failed_start_told_and_no_slot_kept)
{
	conf.pppd_start_limit = 1;
	failing_session = 1;
	enqueue_all(3);
	run_pending();
	/* Session 1 could not be started (the engine is told, once); session 2 has the slot. */
	assert_spawned((const uint16_t[]){ 1, 2 }, 2);
	ck_assert_uint_eq(engine_done_calls, 1);
	ck_assert(!sessions[0].starting && !sessions[0].start_queued);
	ck_assert_uint_eq(sh.pppd_starting, 1);
	ck_assert_uint_eq(queued(), 1);
}
END_TEST

START_TEST(test_hand_over_starts_every_waiting_one)
{
	conf.pppd_start_limit = 1;
	enqueue_all(4);
	shell_pppd_start_all(&sh);
	assert_spawned((const uint16_t[]){ 1, 2, 3, 4 }, 4);
	ck_assert_uint_eq(queued(), 0);
	ck_assert_ptr_null(sh.start_head);
	ck_assert_uint_eq(engine_done_calls, 0);
}
END_TEST

Suite *suite_shell_pppd_start(void)
{
	Suite *s = suite_create("shell_pppd_start");
	TCase *tc = tcase_create("queue");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_limit_and_order);
	tcase_add_test(tc, test_queue_links_survive_removal_anywhere);
	tcase_add_test(tc, test_slot_time_is_up);
	tcase_add_test(tc, test_failed_start_told_and_no_slot_kept);
	tcase_add_test(tc, test_hand_over_starts_every_waiting_one);
	suite_add_tcase(s, tc);
	return s;
}
