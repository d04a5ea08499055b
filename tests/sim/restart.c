/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Restart scenarios (issue 6): a daemon killed and started again restores its records and
 * resynchronises, silently (spec/l2tp-protocol.md §3.6) or by the RFC 4951 failover protocol
 * where both ends advertised it: the peer never sees a StopCCN or a CDN, every established
 * call keeps its IDs, and the fake kernel's objects are never touched. Node 0 is the LAC,
 * node 1 the LNS; both keep their state.
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

/* Who advertises the Failover Capability (RFC 4951), and the resync mode of both. */
enum rs_mode {
	RS_LAC_WITHOUT_4951, /* the LAC is a peer without RFC 4951: silent failover */
	RS_SILENT_BY_CONFIG, /* both capable, both configured silent-failover */
	RS_PROTOCOL,	     /* both capable, the default mode */
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
static bool rs_init(struct rs_world *r, uint64_t seed, const struct sim_link_params *link, enum rs_mode mode)
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
		if (mode == RS_LAC_WITHOUT_4951 && i == LAC)
			n->cfg.failover_flags = 0;
		if (mode == RS_SILENT_BY_CONFIG)
			n->cfg.resync = ENGINE_RESYNC_SILENT;
	}
	sim_start(&r->w);
	ok &= sim_expect(sim_open_tunnel(&r->w, &r->w.nodes[LAC], &r->w.nodes[LNS], &r->tid) == 0,
			 "open tunnel");
	for (int i = 0; i < CALLS && ok; i++)
		ok &= sim_expect(sim_place_call(&r->w, &r->w.nodes[LAC], r->tid, ENGINE_CALL_INCOMING,
						&r->sid[i]) == 0,
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
static bool all_kept(struct rs_world *r, int restarted, enum engine_recovery how)
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
		ok &= sim_expect(!n->n.tunnels_down && !n->n.sessions_down,
				 "node %d: %u tunnels and %u sessions down", i, n->n.tunnels_down,
				 n->n.sessions_down);
		ok &= sim_expect(n->n.kernel_tunnels == 1 && n->n.kernel_sessions == CALLS,
				 "node %d: kernel has %u tunnels %u sessions", i, n->n.kernel_tunnels,
				 n->n.kernel_sessions);
	}
	for (int c = 0; c < CALLS; c++)
		ok &= sim_expect(engine_session_view(node(r, LAC)->e, r->tid, r->sid[c],
						     &(struct engine_session_view){ 0 }) == 0 &&
					 engine_session_view(node(r, LNS)->e, node(r, LNS)->up_tunnel[c],
							     node(r, LNS)->up_session[c],
							     &(struct engine_session_view){ 0 }) == 0,
				 "call %d kept its IDs on both sides", c);
	ok &= sim_expect(view(r, restarted, &v) && v.recovery == how, "node %d recovered %s (not %s)",
			 restarted, engine_recovery_name(how), engine_recovery_name(v.recovery));
	if (how == ENGINE_RECOVERY_PROTOCOL)
		ok &= sim_expect(view(r, !restarted, &v) && v.recovery == ENGINE_RECOVERY_PROTOCOL,
				 "node %d reset by the protocol too", !restarted);
	return ok;
}

/* After the restart the tunnel works: a new call comes up, and HELLOs are acknowledged. */
static bool still_works(struct rs_world *r)
{
	uint32_t want = CALLS + 1;
	uint16_t sid;
	bool ok = true;

	ok &= sim_expect(sim_place_call(&r->w, node(r, LAC), r->tid, ENGINE_CALL_INCOMING, &sid) == 0,
			 "new call");
	ok &= sim_expect(sim_run(&r->w, r->w.now + 60000, sessions_up, &want),
			 "new call up after the restart");
	/* Past two HELLO intervals (60 s): an unacknowledged HELLO would clear the tunnel. */
	sim_run(&r->w, r->w.now + 150000, NULL, NULL);
	ok &= sim_expect(!node(r, LAC)->n.tunnels_down && !node(r, LNS)->n.tunnels_down,
			 "tunnel up after HELLOs");
	return ok;
}

static bool restart_one(uint64_t seed, int who, const struct sim_link_params *link, enum rs_mode mode)
{
	struct rs_world r;
	bool ok = rs_init(&r, seed, link, mode);

	if (ok) {
		ok &= sim_expect(sim_restart(&r.w, node(&r, who)) == 0, "every record restored");
		sim_run(&r.w, r.w.now + 20000, NULL, NULL);
		ok &= all_kept(&r, who,
			       mode == RS_PROTOCOL ? ENGINE_RECOVERY_PROTOCOL : ENGINE_RECOVERY_SILENT) &&
		      still_works(&r);
	}
	sim_destroy(&r.w);
	return ok;
}

static const struct sim_link_params clean_link = { .delay_ms = 10 };
/* Messages of the recovery may be lost, duplicated or reordered: retransmission copes. */
static const struct sim_link_params lossy_link = {
	.delay_ms = 10, .loss = 0.2, .duplicate = 0.1, .reorder = 0.2, .reorder_ms = 30
};

/* A peer without RFC 4951 (xl2tpd, say): the restarted LNS resynchronises silently. */
static bool restart_lns(uint64_t seed)
{
	return restart_one(seed, LNS, &clean_link, RS_LAC_WITHOUT_4951);
}

/* Both capable, but configured "failover-resync = silent-failover". */
static bool restart_lac(uint64_t seed)
{
	return restart_one(seed, LAC, &clean_link, RS_SILENT_BY_CONFIG);
}

static bool restart_lossy(uint64_t seed)
{
	return restart_one(seed, LNS, &lossy_link, RS_LAC_WITHOUT_4951);
}

/* Both capable: the restarted LNS recovers by RFC 4951 (recovery tunnel, reset, audit). */
static bool protocol_lns(uint64_t seed)
{
	return restart_one(seed, LNS, &clean_link, RS_PROTOCOL);
}

static bool protocol_lac(uint64_t seed)
{
	return restart_one(seed, LAC, &clean_link, RS_PROTOCOL);
}

static bool protocol_lossy(uint64_t seed)
{
	return restart_one(seed, LNS, &lossy_link, RS_PROTOCOL);
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
	bool ok = rs_init(&r, seed, &link, RS_LAC_WITHOUT_4951);
	uint64_t t0 = r.w.now;

	if (ok) {
		ok &= sim_expect(sim_place_call(&r.w, node(&r, LAC), r.tid, ENGINE_CALL_INCOMING, &sid) == 0,
				 "call");
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
				 "LAC: %u tunnels %u sessions established", st.tunnels_established,
				 st.sessions_established);
		ok &= sim_expect(node(&r, LAC)->n.sessions_down == 1 && !node(&r, LAC)->n.tunnels_down,
				 "LAC: only the half call cleared (%u sessions, %u tunnels down)",
				 node(&r, LAC)->n.sessions_down, node(&r, LAC)->n.tunnels_down);
		engine_get_stats(node(&r, LNS)->e, &st);
		ok &= sim_expect(st.tunnels_established == 1 && st.sessions_established == CALLS,
				 "LNS: %u tunnels %u sessions established", st.tunnels_established,
				 st.sessions_established);
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
	bool ok = rs_init(&r, seed, &link, RS_LAC_WITHOUT_4951);

	if (ok) {
		ok &= sim_expect(sim_restart(&r.w, node(&r, LNS)) == 0, "first restart");
		ok &= sim_expect(sim_restart(&r.w, node(&r, LNS)) == 0, "second restart at once");
		sim_run(&r.w, r.w.now + 20000, NULL, NULL);
		ok &= all_kept(&r, LNS, ENGINE_RECOVERY_SILENT) && still_works(&r);
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
	bool ok = rs_init(&r, seed, &link, RS_LAC_WITHOUT_4951);

	if (ok) {
		node(&r, LNS)->down = true;
		sim_run(&r.w, r.w.now + 300000, NULL, NULL);
		ok &= sim_expect(node(&r, LAC)->n.tunnels_down == 1, "the LAC gave up on the silent LNS");
		node(&r, LNS)->down = false;
		ok &= sim_expect(sim_restart(&r.w, node(&r, LNS)) == 0, "every record restored");
		sim_run(&r.w, r.w.now + 120000, NULL, NULL);
		engine_get_stats(node(&r, LNS)->e, &st);
		ok &= sim_expect(st.tunnels == 0 && st.sessions == 0, "LNS: %u tunnels %u sessions left",
				 st.tunnels, st.sessions);
		ok &= sim_expect(node(&r, LNS)->n.kernel_tunnels == 0 &&
					 node(&r, LNS)->n.kernel_sessions == 0,
				 "LNS: kernel objects removed");
		ok &= sim_expect(node(&r, LNS)->n_state == 0, "LNS: no record left");
	}
	sim_destroy(&r.w);
	return ok;
}

/* Sessions established on node i, as its engine counts them. */
static uint32_t established(struct rs_world *r, int i)
{
	struct engine_stats st;

	engine_get_stats(node(r, i)->e, &st);
	return st.sessions_established;
}

/*
 * A call only one end still has (§3.5, Appendix C): the LAC clears a call while the LNS is
 * down, so the CDN never arrives and the LAC's reset drops it. The restarted LNS still has the
 * call; its FSQ learns that the LAC does not (FSS Session ID 0) and clears it without a CDN.
 */
static bool protocol_mismatch(uint64_t seed)
{
	struct engine_disconnect bye = { .result = L2TP_RC_CDN_ADMINISTRATIVE, .message = "operator" };
	struct rs_world r;
	bool ok = rs_init(&r, seed, &clean_link, RS_PROTOCOL);

	if (ok) {
		node(&r, LNS)->down = true;
		ok &= sim_expect(engine_close_session(node(&r, LAC)->e, r.w.now, r.tid, r.sid[1], &bye) == 0,
				 "CDN");
		sim_settle(&r.w, node(&r, LAC));
		sim_run(&r.w, r.w.now + 2000, NULL, NULL);
		node(&r, LNS)->down = false;
		ok &= sim_expect(sim_restart(&r.w, node(&r, LNS)) == 0, "every record restored");
		sim_run(&r.w, r.w.now + 20000, NULL, NULL);
		ok &= sim_expect(established(&r, LAC) == CALLS - 1 && established(&r, LNS) == CALLS - 1,
				 "%u and %u calls left, %u wanted", established(&r, LAC),
				 established(&r, LNS), CALLS - 1);
		ok &= sim_expect(node(&r, LNS)->n.kernel_sessions == CALLS - 1, "LNS kernel: %u sessions",
				 node(&r, LNS)->n.kernel_sessions);
		ok &= sim_expect(!node(&r, LAC)->n.tunnels_down && !node(&r, LNS)->n.tunnels_down,
				 "tunnel kept");
		ok &= still_works(&r);
	}
	sim_destroy(&r.w);
	return ok;
}

/*
 * The peer refuses the recovery (it stopped advertising the capability, by a reload while
 * we were down): the restarted LNS clears the old tunnel and its calls without a word.
 */
static bool protocol_refused(uint64_t seed)
{
	struct rs_world r;
	struct engine_stats st;
	bool ok = rs_init(&r, seed, &clean_link, RS_PROTOCOL);

	if (ok) {
		node(&r, LAC)->cfg.failover_flags = 0;
		node(&r, LNS)->record = true;
		ok &= sim_expect(sim_restart(&r.w, node(&r, LNS)) == 0, "every record restored");
		sim_run(&r.w, r.w.now + 20000, NULL, NULL);
		engine_get_stats(node(&r, LNS)->e, &st);
		ok &= sim_expect(st.tunnels_established == 0 && st.sessions == 0,
				 "LNS: %u tunnels %u sessions left", st.tunnels_established, st.sessions);
		ok &= sim_expect(node(&r, LNS)->n.kernel_tunnels == 0 &&
					 node(&r, LNS)->n.kernel_sessions == 0,
				 "LNS: kernel objects removed");
		for (uint32_t i = 0; i < node(&r, LNS)->n_sent_types; i++)
			ok &= sim_expect(node(&r, LNS)->sent_types[i] != L2TP_MSG_CDN,
					 "LNS: no CDN after a failed recovery");
		ok &= sim_expect(node(&r, LNS)->n_state == 0, "LNS: no record left");
	}
	sim_destroy(&r.w);
	return ok;
}

/* Both ends restart at once (Appendix B): the recovery SCCRQs' tie breaker picks one. */
static bool protocol_double(uint64_t seed)
{
	struct rs_world r;
	bool ok = rs_init(&r, seed, &clean_link, RS_PROTOCOL);

	if (ok) {
		ok &= sim_expect(sim_restart(&r.w, node(&r, LNS)) == 0, "LNS restored");
		ok &= sim_expect(sim_restart(&r.w, node(&r, LAC)) == 0, "LAC restored");
		sim_run(&r.w, r.w.now + 20000, NULL, NULL);
		ok &= all_kept(&r, LNS, ENGINE_RECOVERY_PROTOCOL) && still_works(&r);
	}
	sim_destroy(&r.w);
	return ok;
}

/*
 * The waiting side (§5.1): the LNS stays down; the LAC's HELLO goes unanswered and its
 * retransmissions run out (after 55 s with 8 retries), and it keeps the tunnel for the LNS's
 * Recovery Time (60 s) more. back_at: when the LNS comes back, after the HELLO (0: never):
 * within that time the recovery works; else the LAC has given up and so does the restored LNS.
 */
static bool protocol_wait(uint64_t seed, uint64_t back_at)
{
	struct rs_world r;
	struct engine_stats st;
	bool ok = rs_init(&r, seed, &clean_link, RS_PROTOCOL);
	uint64_t hello, cycle;

	if (!ok) {
		sim_destroy(&r.w);
		return false;
	}
	node(&r, LNS)->down = true;
	hello = r.w.now + 60000;
	cycle = xport_full_cycle_ms(&node(&r, LAC)->cfg.xport);
	sim_run(&r.w, hello + cycle + 30000, NULL, NULL);
	engine_get_stats(node(&r, LAC)->e, &st);
	ok &= sim_expect(st.tunnels_established == 1 && !node(&r, LAC)->n.tunnels_down,
			 "LAC: the tunnel is kept past its retransmissions");
	if (back_at) {
		sim_run(&r.w, hello + back_at, NULL, NULL);
		node(&r, LNS)->down = false;
		ok &= sim_expect(sim_restart(&r.w, node(&r, LNS)) == 0, "every record restored");
		sim_run(&r.w, r.w.now + 20000, NULL, NULL);
		ok &= all_kept(&r, LNS, ENGINE_RECOVERY_PROTOCOL) && still_works(&r);
	} else {
		sim_run(&r.w, hello + cycle + 61000, NULL, NULL);
		ok &= sim_expect(node(&r, LAC)->n.tunnels_down == 1, "LAC: given up after the Recovery Time");
		node(&r, LNS)->down = false;
		ok &= sim_expect(sim_restart(&r.w, node(&r, LNS)) == 0, "every record restored");
		sim_run(&r.w, r.w.now + 120000, NULL, NULL);
		engine_get_stats(node(&r, LNS)->e, &st);
		ok &= sim_expect(st.tunnels == 0 && node(&r, LNS)->n.kernel_tunnels == 0,
				 "LNS: its recovery refused, the tunnel is gone");
	}
	sim_destroy(&r.w);
	return ok;
}

/* Back 100 s after the HELLO: the LAC's retransmissions ended at 55 s, it waits until 115 s. */
static bool protocol_late(uint64_t seed)
{
	return protocol_wait(seed, 100000);
}

static bool protocol_gives_up(uint64_t seed)
{
	return protocol_wait(seed, 0);
}

const struct scenario restart_scenarios[] = {
	{ "restart-lns-silent", restart_lns },	  { "restart-lac-silent", restart_lac },
	{ "restart-lossy", restart_lossy },	  { "restart-message-lost", restart_message_lost },
	{ "restart-twice", restart_twice },	  { "restart-too-late", restart_too_late },
	{ "protocol-lns", protocol_lns },	  { "protocol-lac", protocol_lac },
	{ "protocol-lossy", protocol_lossy },	  { "protocol-mismatch", protocol_mismatch },
	{ "protocol-refused", protocol_refused }, { "protocol-double", protocol_double },
	{ "protocol-late", protocol_late },	  { "protocol-gives-up", protocol_gives_up },
};
const unsigned int n_restart_scenarios = sizeof(restart_scenarios) / sizeof(restart_scenarios[0]);
