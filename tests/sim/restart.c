/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Restart scenarios (issue 6): a daemon killed and started again restores its records and
 * resynchronises silently (spec/l2tp-protocol.md §3.6): the peer never sees a StopCCN or a
 * CDN, every established call keeps its IDs, and the fake kernel's objects are never touched.
 * Node 0 is the LAC, node 1 the LNS; both keep their state.
 */
#include <stdio.h>
#include <string.h>

#include "l2tp/result.h"
#include "scenarios.h"
#include "sim_world.h"

enum { LAC, LNS };
#define CALLS 3

struct rs_world {
	struct sim_world w;
	uint16_t tid, sid[CALLS];
};

static bool sessions_up(struct sim_world *w, void *arg)
{
	uint32_t want = *(const uint32_t *)arg;

	return w->nodes[LAC].n.sessions_up >= want && w->nodes[LNS].n.sessions_up >= want;
}

static bool quiet(struct sim_world *w, void *arg)
{
	return sim_quiet(w);
}

/* One tunnel with CALLS calls up and everything acknowledged. */
static bool rs_init(struct rs_world *r, uint64_t seed, const struct sim_link_params *link)
{
	uint32_t want = CALLS;
	bool ok = true;

	memset(r, 0, sizeof(*r));
	sim_init(&r->w, seed, link);
	for (int i = 0; i < 2; i++) {
		struct sim_node *n = sim_add_node(&r->w);

		n->cfg.host_name = i == LAC ? "lac.example" : "lns.example";
		n->cfg.persist_state = true;
		n->cfg.log_level = ENGINE_LOG_NOTICE;
		n->cfg.xport.rtx_retries = 8; /* lossy links: only the restart may end a tunnel */
	}
	sim_start(&r->w);
	ok &= sim_expect(sim_open_tunnel(&r->w, &r->w.nodes[LAC], &r->w.nodes[LNS], &r->tid) == 0, "open tunnel");
	for (int i = 0; i < CALLS && ok; i++)
		ok &= sim_expect(sim_place_call(&r->w, &r->w.nodes[LAC], r->tid, ENGINE_CALL_INCOMING, &r->sid[i]) == 0,
				 "place call %d", i);
	ok &= sim_expect(sim_run(&r->w, r->w.now + 60000, sessions_up, &want), "calls up");
	sim_run(&r->w, r->w.now + 60000, quiet, NULL);
	return ok && sim_expect(sim_quiet(&r->w), "quiet before the restart");
}

static struct sim_node *node(struct rs_world *r, int i)
{
	return &r->w.nodes[i];
}

/* The tunnel of node i, as its engine shows it now. */
static bool view(struct rs_world *r, int i, struct engine_tunnel_view *v)
{
	uint16_t id = i == LAC ? r->tid : node(r, LNS)->up_tunnel[0];

	return engine_tunnel_view(node(r, i)->e, id, v) == 0;
}

/* Both sides still have the tunnel and every call, nobody cleared anything, the kernel untouched. */
static bool all_kept(struct rs_world *r, int restarted)
{
	struct engine_tunnel_view v;
	struct engine_stats st;
	bool ok = true;

	for (int i = LAC; i <= LNS; i++) {
		struct sim_node *n = node(r, i);

		engine_get_stats(n->e, &st);
		ok &= sim_expect(st.tunnels_established == 1 && st.sessions_established == CALLS,
				 "node %d: %u tunnels %u sessions established", i, st.tunnels_established,
				 st.sessions_established);
		ok &= sim_expect(!n->n.tunnels_down && !n->n.sessions_down, "node %d: %u tunnels and %u sessions down",
				 i, n->n.tunnels_down, n->n.sessions_down);
		ok &= sim_expect(n->n.kernel_tunnels == 1 && n->n.kernel_sessions == CALLS,
				 "node %d: kernel has %u tunnels %u sessions", i, n->n.kernel_tunnels,
				 n->n.kernel_sessions);
	}
	for (int c = 0; c < CALLS; c++)
		ok &= sim_expect(engine_session_view(node(r, LAC)->e, r->tid, r->sid[c], &(struct engine_session_view){ 0 }) == 0 &&
					 engine_session_view(node(r, LNS)->e, node(r, LNS)->up_tunnel[c], node(r, LNS)->up_session[c],
							     &(struct engine_session_view){ 0 }) == 0,
				 "call %d kept its IDs on both sides", c);
	ok &= sim_expect(view(r, restarted, &v) && v.recovery == ENGINE_RECOVERY_SILENT, "node %d recovered silently",
			 restarted);
	return ok;
}

/* After the restart the tunnel works: a new call comes up, and HELLOs are acknowledged. */
static bool still_works(struct rs_world *r)
{
	uint32_t want = CALLS + 1;
	uint16_t sid;
	bool ok = true;

	ok &= sim_expect(sim_place_call(&r->w, node(r, LAC), r->tid, ENGINE_CALL_INCOMING, &sid) == 0, "new call");
	ok &= sim_expect(sim_run(&r->w, r->w.now + 60000, sessions_up, &want), "new call up after the restart");
	/* Past two HELLO intervals (60 s): an unacknowledged HELLO would clear the tunnel. */
	sim_run(&r->w, r->w.now + 150000, NULL, NULL);
	ok &= sim_expect(!node(r, LAC)->n.tunnels_down && !node(r, LNS)->n.tunnels_down, "tunnel up after HELLOs");
	return ok;
}

static bool restart_one(uint64_t seed, int who, const struct sim_link_params *link)
{
	struct rs_world r;
	bool ok = rs_init(&r, seed, link);

	if (ok) {
		ok &= sim_expect(sim_restart(&r.w, node(&r, who)) == 0, "every record restored");
		sim_run(&r.w, r.w.now + 20000, NULL, NULL);
		ok &= all_kept(&r, who) && still_works(&r);
	}
	sim_destroy(&r.w);
	return ok;
}

static bool restart_lns(uint64_t seed)
{
	static const struct sim_link_params link = { .delay_ms = 10 };

	return restart_one(seed, LNS, &link);
}

static bool restart_lac(uint64_t seed)
{
	static const struct sim_link_params link = { .delay_ms = 10 };

	return restart_one(seed, LAC, &link);
}

/* The probe and its answer may be lost, duplicated or reordered: retransmission copes. */
static bool restart_lossy(uint64_t seed)
{
	static const struct sim_link_params link = { .delay_ms = 10, .loss = 0.2, .duplicate = 0.1, .reorder = 0.2, .reorder_ms = 30 };

	return restart_one(seed, LNS, &link);
}

/*
 * The LNS dies right after answering: its ICRP never arrives. The restored LNS has no record
 * of that call (not established). It starts just before the LAC's retransmitted ICRQ arrives,
 * whose Nr says the LAC still expects the lost ICRP's Ns: the probe keeps that Ns (the ICRQ is
 * a duplicate for the LNS, acknowledged only). The LAC's half call times out on its own (CDN),
 * and the other calls and the tunnel are untouched.
 */
static bool restart_message_lost(uint64_t seed)
{
	static const struct sim_link_params link = { .delay_ms = 10 };
	struct rs_world r;
	struct engine_stats st;
	uint16_t sid;
	bool ok = rs_init(&r, seed, &link);
	uint64_t t0 = r.w.now;

	if (ok) {
		ok &= sim_expect(sim_place_call(&r.w, node(&r, LAC), r.tid, ENGINE_CALL_INCOMING, &sid) == 0, "call");
		/*
		 * The ICRQ arrives after 10 ms and the ICRP leaves at once; the LNS dies as it
		 * leaves, and the ICRP is lost on the way (the LAC deaf while it would arrive).
		 */
		sim_run(&r.w, t0 + 10, NULL, NULL);
		node(&r, LNS)->down = true;
		node(&r, LAC)->down = true;
		sim_run(&r.w, t0 + 25, NULL, NULL);
		node(&r, LAC)->down = false;
		/* The ICRQ is sent again at t0 + 1000 and arrives 10 ms later. */
		sim_run(&r.w, t0 + 1005, NULL, NULL);
		node(&r, LNS)->down = false;
		ok &= sim_expect(sim_restart(&r.w, node(&r, LNS)) == 0, "every record restored");
		sim_run(&r.w, r.w.now + 120000, NULL, NULL);
		engine_get_stats(node(&r, LAC)->e, &st);
		ok &= sim_expect(st.tunnels_established == 1 && st.sessions_established == CALLS,
				 "LAC: %u tunnels %u sessions established", st.tunnels_established, st.sessions_established);
		ok &= sim_expect(node(&r, LAC)->n.sessions_down == 1 && !node(&r, LAC)->n.tunnels_down,
				 "LAC: only the half call cleared (%u sessions, %u tunnels down)",
				 node(&r, LAC)->n.sessions_down, node(&r, LAC)->n.tunnels_down);
		engine_get_stats(node(&r, LNS)->e, &st);
		ok &= sim_expect(st.tunnels_established == 1 && st.sessions_established == CALLS,
				 "LNS: %u tunnels %u sessions established", st.tunnels_established, st.sessions_established);
		ok &= still_works(&r);
	}
	sim_destroy(&r.w);
	return ok;
}

/* Killed again while resynchronising: the second process resynchronises all the same. */
static bool restart_twice(uint64_t seed)
{
	static const struct sim_link_params link = { .delay_ms = 10 };
	struct rs_world r;
	bool ok = rs_init(&r, seed, &link);

	if (ok) {
		ok &= sim_expect(sim_restart(&r.w, node(&r, LNS)) == 0, "first restart");
		ok &= sim_expect(sim_restart(&r.w, node(&r, LNS)) == 0, "second restart at once");
		sim_run(&r.w, r.w.now + 20000, NULL, NULL);
		ok &= all_kept(&r, LNS) && still_works(&r);
	}
	sim_destroy(&r.w);
	return ok;
}

/*
 * Down longer than the peer waits: the LAC's HELLO goes unacknowledged through its whole
 * retransmission cycle and it clears the tunnel. The restored LNS's probe then finds nobody:
 * it gives up after its own retries and clears the tunnel and its kernel objects.
 */
static bool restart_too_late(uint64_t seed)
{
	static const struct sim_link_params link = { .delay_ms = 10 };
	struct rs_world r;
	struct engine_stats st;
	bool ok = rs_init(&r, seed, &link);

	if (ok) {
		node(&r, LNS)->down = true;
		sim_run(&r.w, r.w.now + 300000, NULL, NULL);
		ok &= sim_expect(node(&r, LAC)->n.tunnels_down == 1, "the LAC gave up on the silent LNS");
		node(&r, LNS)->down = false;
		ok &= sim_expect(sim_restart(&r.w, node(&r, LNS)) == 0, "every record restored");
		sim_run(&r.w, r.w.now + 120000, NULL, NULL);
		engine_get_stats(node(&r, LNS)->e, &st);
		ok &= sim_expect(st.tunnels == 0 && st.sessions == 0, "LNS: %u tunnels %u sessions left", st.tunnels,
				 st.sessions);
		ok &= sim_expect(node(&r, LNS)->n.kernel_tunnels == 0 && node(&r, LNS)->n.kernel_sessions == 0,
				 "LNS: kernel objects removed");
		ok &= sim_expect(node(&r, LNS)->n_state == 0, "LNS: no record left");
	}
	sim_destroy(&r.w);
	return ok;
}

const struct scenario restart_scenarios[] = {
	{ "restart-lns-silent", restart_lns },
	{ "restart-lac-silent", restart_lac },
	{ "restart-lossy", restart_lossy },
	{ "restart-message-lost", restart_message_lost },
	{ "restart-twice", restart_twice },
	{ "restart-too-late", restart_too_late },
};
const unsigned int n_restart_scenarios = sizeof(restart_scenarios) / sizeof(restart_scenarios[0]);
