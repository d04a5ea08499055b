/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's durable records (engine_state.c): what an engine with persist_state writes is
 * what a new engine restores (views equal), and a record that is not one (truncated, its key
 * naming other IDs, a session without its tunnel, garbage) is refused without harm.
 */
#include <errno.h>
#include <string.h>

#include "suites.h"
#include "sim_world.h"

enum { LAC, LNS };

/* A LAC and an LNS with one tunnel and two calls up, both keeping their state. */
static void pair_up(struct sim_world *w, uint16_t *tid)
{
	static const struct sim_link_params link = { .delay_ms = 5 };
	uint16_t sid;

	sim_init(w, 7, &link);
	for (int i = 0; i < 2; i++) {
		struct sim_node *n = sim_add_node(w);

		n->cfg.host_name = i == LAC ? "lac" : "lns";
		n->cfg.persist_state = true;
		/* The LAC without RFC 4951: a restored LNS resynchronises silently. */
		if (i == LAC)
			n->cfg.failover_flags = 0;
	}
	sim_start(w);
	ck_assert_int_eq(sim_open_tunnel(w, &w->nodes[LAC], &w->nodes[LNS], tid), 0);
	ck_assert_int_eq(sim_place_call(w, &w->nodes[LAC], *tid, ENGINE_CALL_INCOMING, &sid), 0);
	ck_assert_int_eq(sim_place_call(w, &w->nodes[LAC], *tid, ENGINE_CALL_INCOMING, &sid), 0);
	sim_run(w, w->now + 10000, NULL, NULL);
	ck_assert_uint_eq(w->nodes[LNS].n.sessions_up, 2);
}

static const struct sim_record *record_of_kind(const struct sim_node *n, uint32_t kind)
{
	for (size_t i = 0; i < n->n_state; i++)
		if (ENGINE_STATE_KIND(n->state[i].key) == kind)
			return &n->state[i];
	return NULL;
}

START_TEST(test_records_follow_the_objects)
{
	struct sim_world w;
	struct sim_node *lac;
	uint16_t tid;

	pair_up(&w, &tid);
	lac = &w.nodes[LAC];
	/* One tunnel and two sessions; nothing else is established, nothing busy. */
	ck_assert_uint_eq(lac->n_state, 3);
	ck_assert_ptr_nonnull(record_of_kind(lac, ENGINE_STATE_TUNNEL));
	ck_assert_uint_eq(record_of_kind(lac, ENGINE_STATE_TUNNEL)->key,
			  ENGINE_STATE_KEY(ENGINE_STATE_TUNNEL, tid));
	/* A call cleared drops its record; the tunnel cleared drops the rest. */
	ck_assert_int_eq(engine_close_session(lac->e, w.now, tid, lac->up_session[0],
					      &(struct engine_disconnect){ .result = 3 }),
			 0);
	sim_settle(&w, lac);
	ck_assert_uint_eq(lac->n_state, 2);
	ck_assert_int_eq(engine_close_tunnel(lac->e, w.now, tid, &(struct engine_disconnect){ .result = 1 }),
			 0);
	sim_settle(&w, lac);
	ck_assert_uint_eq(lac->n_state, 0);
	sim_destroy(&w);
}
END_TEST

START_TEST(test_restore_gives_the_same_views)
{
	struct engine_tunnel_view before, after;
	struct engine_session_view sb, sa;
	struct sim_world w;
	struct sim_node *lns;
	uint16_t tid, lns_tid;

	pair_up(&w, &tid);
	lns = &w.nodes[LNS];
	lns_tid = lns->up_tunnel[0];
	ck_assert_int_eq(engine_tunnel_view(lns->e, lns_tid, &before), 0);
	ck_assert_int_eq(engine_session_view(lns->e, lns_tid, lns->up_session[1], &sb), 0);
	ck_assert_str_eq(before.peer_host_name, "lac");
	ck_assert_uint_eq(sim_restart(&w, lns), 0);
	ck_assert_int_eq(engine_tunnel_view(lns->e, lns_tid, &after), 0);
	ck_assert_int_eq(engine_session_view(lns->e, lns_tid, lns->up_session[1], &sa), 0);
	ck_assert_uint_eq(after.peer_tunnel_id, before.peer_tunnel_id);
	ck_assert(l2tp_addr_equal(&after.local, &before.local) && l2tp_addr_equal(&after.peer, &before.peer));
	ck_assert_str_eq(after.peer_host_name, "lac"); /* before's string went with its engine */
	ck_assert(after.established && !after.originator);
	ck_assert_uint_eq(after.sessions, 2);
	ck_assert_uint_eq(after.nr, before.nr);
	ck_assert_int_eq(after.recovery, ENGINE_RECOVERY_RESYNCING);
	ck_assert_uint_eq(sa.peer_session_id, sb.peer_session_id);
	ck_assert_uint_eq(sa.call_serial, sb.call_serial);
	ck_assert(sa.established && sa.lns);
	/* The probe's answer ends the resynchronisation. */
	sim_run(&w, w.now + 1000, NULL, NULL);
	ck_assert_int_eq(engine_tunnel_view(lns->e, lns_tid, &after), 0);
	ck_assert_int_eq(after.recovery, ENGINE_RECOVERY_SILENT);
	ck_assert_uint_eq(after.ns, before.ns);
	sim_destroy(&w);
}
END_TEST

START_TEST(test_hostile_records_refused)
{
	struct sim_world w;
	struct sim_node *lns;
	struct sim_record t, s;
	struct engine *e;
	uint16_t tid;
	uint8_t junk[ENGINE_STATE_RECORD_MAX + 1];

	pair_up(&w, &tid);
	lns = &w.nodes[LNS];
	t = *record_of_kind(lns, ENGINE_STATE_TUNNEL);
	s = *record_of_kind(lns, ENGINE_STATE_SESSION);
	e = engine_new(&lns->cfg);
	/* A session before its tunnel, every truncation, a key naming another ID. */
	ck_assert_int_eq(engine_restore(e, w.now, s.key, s.buf, s.len), -ENOENT);
	for (uint16_t len = 0; len < t.len; len++)
		ck_assert_int_eq(engine_restore(e, w.now, t.key, t.buf, len), -EINVAL);
	ck_assert_int_eq(engine_restore(e, w.now, t.key + 1, t.buf, t.len), -EINVAL);
	ck_assert_int_eq(engine_restore(e, w.now, ENGINE_STATE_KEY(9, 1), t.buf, t.len), -EINVAL);
	memset(junk, 0xff, sizeof(junk));
	ck_assert_int_eq(engine_restore(e, w.now, t.key, junk, sizeof(junk)), -EINVAL);
	ck_assert_int_eq(engine_restore(e, w.now, t.key, junk, t.len), -EINVAL);
	/* The real ones, once; then the same again is a duplicate. */
	ck_assert_int_eq(engine_restore(e, w.now, t.key, t.buf, t.len), 0);
	ck_assert_int_eq(engine_restore(e, w.now, t.key, t.buf, t.len), -EEXIST);
	for (uint16_t len = 0; len < s.len; len++)
		ck_assert_int_eq(engine_restore(e, w.now, s.key, s.buf, len), -EINVAL);
	ck_assert_int_eq(engine_restore(e, w.now, s.key, s.buf, s.len), 0);
	ck_assert_int_eq(engine_restore(e, w.now, s.key, s.buf, s.len), -EEXIST);
	engine_resume(e, w.now);
	engine_actions_clear(e);
	engine_free(e);
	sim_destroy(&w);
}
END_TEST

/* Random bytes under every kind of key: refused or taken, never a crash or a leak. */
START_TEST(test_random_records)
{
	struct engine_config cfg;
	struct test_random rng;
	struct engine *e;
	uint8_t buf[ENGINE_STATE_RECORD_MAX];

	engine_config_defaults(&cfg);
	cfg.host_name = "x";
	test_random_init(&rng, 42);
	cfg.random = test_random_fill;
	cfg.random_arg = &rng;
	e = engine_new(&cfg);
	for (int i = 0; i < 20000; i++) {
		uint32_t kind = 1 + (uint32_t)(test_random_u64(&rng) % 4);
		size_t len = test_random_u64(&rng) % sizeof(buf);

		test_random_fill(&rng, buf, len);
		(void)engine_restore(e, 0, ENGINE_STATE_KEY(kind, (uint32_t)test_random_u64(&rng)), buf, len);
	}
	engine_resume(e, 0);
	engine_tick(e, 3600 * 1000);
	engine_actions_clear(e);
	engine_free(e);
}
END_TEST

Suite *suite_engine_state(void)
{
	Suite *s = suite_create("engine_state");
	TCase *tc = tcase_create("records");

	tcase_add_test(tc, test_records_follow_the_objects);
	tcase_add_test(tc, test_restore_gives_the_same_views);
	tcase_add_test(tc, test_hostile_records_refused);
	tcase_add_test(tc, test_random_records);
	suite_add_tcase(s, tc);
	return s;
}
