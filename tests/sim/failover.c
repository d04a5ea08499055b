/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Extended failover scenarios (issue 5, point 5): one LAC and up to four LNS engines. An LNS
 * refuses by draining (StopCCN or CDN 2/7); the simulated link rewrites its refusal into the
 * row of the failover table under test (sim_rewrite), vendor AVP or address list included.
 */
#include <stdio.h>
#include <string.h>

#include "l2tp/result.h"
#include "scenarios.h"
#include "sim_world.h"

/* Node 0 is the LAC, nodes 1-4 are LNS A-D at 10.0.0.2-5. */
enum { LAC, A, B, C, D, N_NODES };
static const char *const names[N_NODES] = { "lac", "A", "B", "C", "D" };

struct fo_world {
	struct sim_world w;
	struct engine_endpoint endpoints[4];
	struct engine_group group;
};

/*
 * The LAC's group "g" lists the LNS given with their priorities (weights 1); a priority of 0
 * leaves that LNS out of the group.
 */
static void fo_init(struct fo_world *f, uint64_t seed, const uint8_t prio[N_NODES])
{
	static const struct sim_link_params link = { .delay_ms = 10 };

	memset(f, 0, sizeof(*f));
	sim_init(&f->w, seed, &link);
	for (int i = 0; i < N_NODES; i++)
		sim_add_node(&f->w)->cfg.host_name = names[i];
	f->group = (struct engine_group){ .name = "g", .endpoints = f->endpoints, .busy_ms = 60000, .sccrq_retries = 5 };
	for (int i = A; i < N_NODES; i++)
		if (prio[i])
			f->endpoints[f->group.n_endpoints++] =
				(struct engine_endpoint){ .addr = f->w.nodes[i].addr, .priority = prio[i], .weight = 1 };
	f->w.nodes[LAC].cfg.log_level = ENGINE_LOG_NOTICE; /* the failover lines */
	f->w.nodes[LAC].cfg.groups = &f->group;
	f->w.nodes[LAC].cfg.n_groups = 1;
}

static struct sim_node *node(struct fo_world *f, int i)
{
	return &f->w.nodes[i];
}

static bool requests_done(struct sim_world *w, void *arg)
{
	uint32_t want = *(const uint32_t *)arg;

	return w->nodes[LAC].n.requests_ok + w->nodes[LAC].n.requests_failed >= want;
}

/* Places one group call and runs until it is done; true if it came up. */
static bool fo_call(struct fo_world *f, uint64_t budget_ms)
{
	struct sim_node *lac = node(f, LAC);
	uint32_t want = lac->n.requests_ok + lac->n.requests_failed + 1, id;
	char why[160];

	if (!sim_expect(sim_request_call(&f->w, lac, "g", &id, why, sizeof(why)) == 0, "request: %s", why))
		return false;
	if (!sim_expect(sim_run(&f->w, f->w.now + budget_ms, requests_done, &want), "request done in time"))
		return false;
	/* The LAC is up when it sent ICCN: the LNS is, one delay later. */
	sim_run(&f->w, f->w.now + 100, NULL, NULL);
	return lac->last_request.request.ok;
}

/* The LNS that holds n_up sessions now: which one a call landed on. */
static int holder(struct fo_world *f)
{
	for (int i = A; i < N_NODES; i++)
		if (node(f, i)->n.sessions_up > node(f, i)->n.sessions_down)
			return i;
	return -1;
}

/* What the LAC shows of LNS i in group "g" (zeroes if it is not in the group). */
static struct engine_endpoint_view ep_view(struct fo_world *f, int i)
{
	struct engine_endpoint_view v = { 0 };

	for (size_t k = 0; engine_endpoint_view(node(f, LAC)->e, f->w.now, 0, k, &v) == 0; k++)
		if (l2tp_addr_equal(&v.endpoint->addr, &node(f, i)->addr))
			return v;
	return (struct engine_endpoint_view){ 0 };
}

static bool contains(const char *text, const char *part)
{
	return strstr(text, part) != NULL;
}

/* One row of the failover table: A refuses as said, the call lands on want, A is busy. */
struct row {
	const char *name;
	bool cdn; /* refused at call set-up (on A's established tunnel), else at tunnel set-up */
	uint16_t result, error;
	const char *message;
	bool vendor_avp;
	int lands_on;	    /* the LNS the call must end up on */
	const char *reason; /* in the failover line */
};

static bool run_row(uint64_t seed, const struct row *r)
{
	static const uint8_t prio[N_NODES] = { [A] = 1, [B] = 2, [C] = 3 };
	struct fo_world f;
	struct engine_endpoint_view v;
	char part[96];
	bool ok = true;

	fo_init(&f, seed, prio);
	sim_start(&f.w);
	if (r->cdn) {
		/* A first takes a call, so the refused one reuses its established tunnel. */
		ok &= sim_expect(fo_call(&f, 5000) && holder(&f) == A, "first call on A");
	}
	engine_set_drain(node(&f, A)->e, true);
	node(&f, A)->rewrite = (struct sim_rewrite){ .on = true,
						     .result = r->result,
						     .error = r->error,
						     .message = r->message,
						     .vendor_avp = r->vendor_avp,
						     .vendor_id = 9,
						     .vendor_type = 41 };
	ok &= sim_expect(fo_call(&f, 5000), "the call came up (%s)", node(&f, LAC)->last_request_text);
	ok &= sim_expect(node(&f, r->lands_on)->n.sessions_up == 1, "the call landed on %s", names[r->lands_on]);
	ok &= sim_expect(node(&f, LAC)->n.failover_lines == 1, "one failover line (%u)",
			 node(&f, LAC)->n.failover_lines);
	snprintf(part, sizeof(part), "from=10.0.0.2:1701 to=10.0.0.%d:1701 reason=%s result=%u error=%u",
		 r->lands_on + 1, r->reason, r->result, r->error);
	ok &= sim_expect(contains(node(&f, LAC)->last_failover, part), "failover line has \"%s\": %s", part,
			 node(&f, LAC)->last_failover);
	if (r->vendor_avp)
		ok &= sim_expect(contains(node(&f, LAC)->last_failover, "vendor-id=9 vendor-type=41"),
				 "the vendor AVP is logged: %s", node(&f, LAC)->last_failover);
	v = ep_view(&f, A);
	ok &= sim_expect(v.busy_ms_left > 59000 && v.failovers_from == 1, "A busy for 60 s (%llu ms, %u)",
			 (unsigned long long)v.busy_ms_left, v.failovers_from);
	v = ep_view(&f, r->lands_on);
	ok &= sim_expect(v.failovers_to == 1 && v.sessions_up == 1, "%s took the failed-over call",
			 names[r->lands_on]);
	printf("  %s: %s\n", r->name, node(&f, LAC)->last_failover);
	sim_destroy(&f.w);
	return ok;
}

static const struct row rows[] = {
	{ "StopCCN 2/4", false, 2, 4, NULL, false, B, "stopccn" },
	{ "StopCCN 2/6 with a vendor AVP", false, 2, 6, "session limit", true, B, "stopccn" },
	{ "StopCCN 2/7", false, 2, 7, "draining", false, B, "stopccn" },
	{ "StopCCN 2/9 naming C", false, 2, 9, "10.0.0.4", false, C, "stopccn" },
	{ "CDN 2/4", true, 2, 4, NULL, false, B, "cdn" },
	{ "CDN 2/6 with a vendor AVP", true, 2, 6, "session limit", true, B, "cdn" },
	{ "CDN 2/7", true, 2, 7, "draining", false, B, "cdn" },
	{ "CDN 2/9 naming C", true, 2, 9, "10.0.0.4", false, C, "cdn" },
	{ "CDN 4", true, 4, 0, NULL, false, B, "cdn" },
};

static bool failover_table(uint64_t seed)
{
	bool ok = true;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		ok &= sim_expect(run_row(seed, &rows[i]), "row %s", rows[i].name);
	return ok;
}

/* Refusals outside the table fail the call with their reason and mark nothing busy. */
static bool outside_table(uint64_t seed)
{
	static const uint8_t prio[N_NODES] = { [A] = 1, [B] = 2 };
	static const struct {
		bool cdn;
		uint16_t result, error;
	} cases[] = { { false, 4, 0 }, { false, 2, 5 }, { false, 6, 0 }, { true, 2, 5 }, { true, 3, 0 }, { true, 5, 0 } };
	bool ok = true;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fo_world f;
		struct sim_node *lac;

		fo_init(&f, seed, prio);
		sim_start(&f.w);
		lac = node(&f, LAC);
		if (cases[i].cdn)
			ok &= sim_expect(fo_call(&f, 5000), "first call");
		engine_set_drain(node(&f, A)->e, true);
		node(&f, A)->rewrite =
			(struct sim_rewrite){ .on = true, .result = cases[i].result, .error = cases[i].error };
		ok &= sim_expect(!fo_call(&f, 5000), "%s %u/%u: the call failed", cases[i].cdn ? "CDN" : "StopCCN",
				 cases[i].result, cases[i].error);
		ok &= sim_expect(lac->last_request.request.why.result == cases[i].result &&
					 lac->last_request.request.why.error == cases[i].error &&
					 lac->last_request.request.failovers == 0,
				 "with that reason and no failover (%u/%u, %u)", lac->last_request.request.why.result,
				 lac->last_request.request.why.error, lac->last_request.request.failovers);
		ok &= sim_expect(lac->n.failover_lines == 0 && ep_view(&f, A).busy_ms_left == 0 &&
					 node(&f, B)->n.sessions_up == 0,
				 "nothing busy, B not tried");
		sim_destroy(&f.w);
	}
	printf("  StopCCN 4, 2/5, 6 and CDN 2/5, 3, 5: the call fails with that reason, nothing busy\n");
	return ok;
}

/* A dead LNS: the SCCRQ goes unanswered for the group's retries, then B takes the call. */
static bool no_answer(uint64_t seed)
{
	static const uint8_t prio[N_NODES] = { [A] = 1, [B] = 2 };
	struct fo_world f;
	uint64_t start;
	bool ok = true;

	fo_init(&f, seed, prio);
	sim_start(&f.w);
	node(&f, A)->down = true;
	start = f.w.now;
	ok &= sim_expect(fo_call(&f, 60000), "the call came up");
	ok &= sim_expect(node(&f, B)->n.sessions_up == 1, "on B");
	ok &= sim_expect(contains(node(&f, LAC)->last_failover, "from=10.0.0.2:1701 to=10.0.0.3:1701 reason=no-answer"),
			 "failover line: %s", node(&f, LAC)->last_failover);
	ok &= sim_expect(ep_view(&f, A).busy_ms_left > 0, "A busy");
	/* 5 retransmissions at 1, 2, 4, 8, 8 s, then 8 s for the last: 31 s, plus B's set-up. */
	ok &= sim_expect(f.w.now - start >= 31000 && f.w.now - start < 32000, "failover after 31 s (%llu ms)",
			 (unsigned long long)(f.w.now - start));
	printf("  no answer from A: on B after %llu ms (virtual; 5 SCCRQ retries)\n",
	       (unsigned long long)(f.w.now - start));
	sim_destroy(&f.w);

	/* A dies with its tunnel up: the next call's ICRQ goes unanswered, then B takes it. */
	fo_init(&f, seed, prio);
	sim_start(&f.w);
	ok &= sim_expect(fo_call(&f, 5000) && holder(&f) == A, "first call on A");
	node(&f, A)->down = true;
	ok &= sim_expect(fo_call(&f, 60000) && node(&f, B)->n.sessions_up == 1, "second call: on B");
	ok &= sim_expect(contains(node(&f, LAC)->last_failover, "from=10.0.0.2:1701 to=10.0.0.3:1701 reason=no-answer"),
			 "failover line: %s", node(&f, LAC)->last_failover);
	printf("  A died with its tunnel up: the call's ICRQ unanswered, on B\n");
	sim_destroy(&f.w);
	return ok;
}

/* Calls share an established tunnel; a second tunnel opens only when the first is full. */
static bool reuse_tunnel(uint64_t seed)
{
	static const uint8_t prio[N_NODES] = { [A] = 1 };
	struct fo_world f;
	bool ok = true;

	fo_init(&f, seed, prio);
	f.group.max_sessions_per_tunnel = 3;
	sim_start(&f.w);
	for (int i = 0; i < 4; i++)
		ok &= sim_expect(fo_call(&f, 5000), "call %d", i);
	ok &= sim_expect(node(&f, A)->n.sessions_up == 4, "four calls on A");
	ok &= sim_expect(node(&f, LAC)->n.tunnels_up == 2, "in two tunnels (%u)", node(&f, LAC)->n.tunnels_up);
	ok &= sim_expect(ep_view(&f, A).tunnels_up == 2 && ep_view(&f, A).sessions_up == 4, "peer view agrees");
	printf("  4 calls, 3 per tunnel: 2 tunnels\n");
	sim_destroy(&f.w);
	return ok;
}

/* A busy endpoint is skipped until its time runs out, then used again. */
static bool busy_expiry(uint64_t seed)
{
	static const uint8_t prio[N_NODES] = { [A] = 1, [B] = 2 };
	struct fo_world f;
	bool ok = true;

	fo_init(&f, seed, prio);
	sim_start(&f.w);
	engine_set_drain(node(&f, A)->e, true);
	ok &= sim_expect(fo_call(&f, 5000) && node(&f, B)->n.sessions_up == 1, "first call fails over to B");
	engine_set_drain(node(&f, A)->e, false);
	sim_run(&f.w, f.w.now + 30000, NULL, NULL);
	ok &= sim_expect(fo_call(&f, 5000) && node(&f, B)->n.sessions_up == 2, "30 s later: B again, A busy");
	sim_run(&f.w, f.w.now + 31000, NULL, NULL);
	ok &= sim_expect(ep_view(&f, A).busy_ms_left == 0, "61 s later A is not busy");
	ok &= sim_expect(fo_call(&f, 5000) && node(&f, A)->n.sessions_up == 1, "and takes the next call");
	ok &= sim_expect(node(&f, LAC)->n.failover_lines == 1, "one failover in all");
	/* clear-busy: an operator may take an endpoint off the list at once. */
	engine_set_drain(node(&f, A)->e, true);
	ok &= sim_expect(fo_call(&f, 5000) && node(&f, B)->n.sessions_up == 3, "A refuses again: B");
	engine_set_drain(node(&f, A)->e, false);
	ok &= sim_expect(engine_clear_busy(node(&f, LAC)->e, f.w.now, &node(&f, A)->addr) == 0, "clear-busy A");
	ok &= sim_expect(fo_call(&f, 5000) && node(&f, A)->n.sessions_up == 2, "A takes a call at once");
	printf("  busy for 60 s, skipped at 30 s, used again at 61 s; clear-busy works at once\n");
	sim_destroy(&f.w);
	return ok;
}

/* Every endpoint refuses: the call fails; the next one fails at once without a datagram. */
static bool all_busy(uint64_t seed)
{
	static const uint8_t prio[N_NODES] = { [A] = 1, [B] = 2 };
	struct fo_world f;
	struct sim_node *lac;
	uint32_t sent, id;
	char why[160];
	bool ok = true;

	fo_init(&f, seed, prio);
	sim_start(&f.w);
	lac = node(&f, LAC);
	engine_set_drain(node(&f, A)->e, true);
	engine_set_drain(node(&f, B)->e, true);
	ok &= sim_expect(!fo_call(&f, 5000), "the call failed");
	ok &= sim_expect(lac->n.failover_lines == 2 && contains(lac->last_failover, "to=none"),
			 "two failover lines, the last to none: %s", lac->last_failover);
	ok &= sim_expect(lac->last_request.request.failovers == 2 && lac->last_request.request.why.error == 7,
			 "failed with the last refusal (2/7) after 2 failovers");
	sent = lac->n.datagrams_sent;
	ok &= sim_expect(sim_request_call(&f.w, lac, "g", &id, why, sizeof(why)) < 0 &&
				 contains(why, "every endpoint is busy (the first is free again in 60 s)"),
			 "next request refused at once: %s", why);
	ok &= sim_expect(lac->n.datagrams_sent == sent, "without sending anything");
	printf("  all busy: \"%s\"\n", why);
	ok &= sim_expect(sim_request_call(&f.w, lac, "nope", &id, why, sizeof(why)) < 0 &&
				 contains(why, "no peer group 'nope'"),
			 "unknown group: %s", why);
	sim_destroy(&f.w);
	return ok;
}

/* Error 9: the named addresses first (in order, busy ones and non-addresses skipped), then the group. */
static bool directed(uint64_t seed)
{
	static const uint8_t prio[N_NODES] = { [A] = 1, [B] = 2, [C] = 3, [D] = 4 };
	struct fo_world f;
	bool ok = true;

	fo_init(&f, seed, prio);
	f.group.sccrq_retries = 1; /* fd00::9 does not answer: 3 s */
	sim_start(&f.w);
	engine_set_drain(node(&f, A)->e, true);
	node(&f, A)->rewrite = (struct sim_rewrite){
		.on = true, .result = 2, .error = 9, .message = "bogus, 10.0.0.5,[fd00::9] , 10.0.0.4"
	};
	engine_set_drain(node(&f, D)->e, true); /* D (10.0.0.5), named first, refuses too */
	ok &= sim_expect(fo_call(&f, 10000), "the call came up");
	ok &= sim_expect(node(&f, C)->n.sessions_up == 1 && node(&f, B)->n.sessions_up == 0,
			 "on C, named after D, before B of the group");
	ok &= sim_expect(node(&f, LAC)->n.failover_lines == 3, "A -> D -> [fd00::9] -> C: three failovers (%u)",
			 node(&f, LAC)->n.failover_lines);
	printf("  2/9 \"bogus, 10.0.0.5,[fd00::9] , 10.0.0.4\": D refused, fd00::9 no route, on C\n");
	sim_destroy(&f.w);
	return ok;
}

/* Within a level, weights share the new tunnels; a lower level is not used while it has room. */
static bool weights(uint64_t seed)
{
	static const uint8_t prio[N_NODES] = { [A] = 1, [B] = 1, [C] = 2 };
	struct fo_world f;
	uint32_t id, want = 200;
	int n_a, n_b;
	bool ok = true;

	fo_init(&f, seed, prio);
	f.endpoints[1].weight = 3;
	f.group.max_sessions_per_tunnel = 1; /* every call a tunnel of its own: each is a choice */
	sim_start(&f.w);
	for (uint32_t i = 0; i < want; i++)
		ok &= sim_expect(sim_request_call(&f.w, node(&f, LAC), "g", &id, NULL, 0) == 0, "request %u", i);
	ok &= sim_expect(sim_run(&f.w, f.w.now + 20000, requests_done, &want) && node(&f, LAC)->n.requests_ok == want,
			 "all up");
	sim_run(&f.w, f.w.now + 100, NULL, NULL);
	n_a = (int)node(&f, A)->n.sessions_up;
	n_b = (int)node(&f, B)->n.sessions_up;
	ok &= sim_expect(n_a + n_b == 200 && node(&f, C)->n.sessions_up == 0, "all on A and B, none on C");
	ok &= sim_expect(n_a >= 30 && n_a <= 70, "A (weight 1) about a quarter: %d of 200", n_a);
	printf("  weights 1:3 -> A %d, B %d, C 0\n", n_a, n_b);
	sim_destroy(&f.w);
	return ok;
}

/* Within a level, an endpoint whose established tunnel has room takes the call. */
static bool prefer_room(uint64_t seed)
{
	static const uint8_t prio[N_NODES] = { [A] = 1, [B] = 1 };
	struct fo_world f;
	int first;
	bool ok = true;

	fo_init(&f, seed, prio);
	f.group.max_sessions_per_tunnel = 10;
	sim_start(&f.w);
	ok &= sim_expect(fo_call(&f, 5000), "first call");
	first = holder(&f);
	for (int i = 1; i < 10; i++)
		ok &= sim_expect(fo_call(&f, 5000), "call %d", i);
	ok &= sim_expect(first > 0 && node(&f, first)->n.sessions_up == 10, "ten calls on the first one's tunnel");
	ok &= sim_expect(node(&f, LAC)->n.tunnels_up == 1, "one tunnel (%u)", node(&f, LAC)->n.tunnels_up);
	printf("  10 calls, room for 10: all on %s's one tunnel\n", first > 0 ? names[first] : "?");
	sim_destroy(&f.w);
	return ok;
}

/* A tunnel opened for the group is cleared once it carried no call for idle_ms, not before. */
static bool idle_tunnel(uint64_t seed)
{
	static const uint8_t prio[N_NODES] = { [A] = 1 };
	static const struct engine_disconnect bye = { .result = 3, .message = "subscriber left" };
	struct fo_world f;
	struct sim_node *lac;
	bool ok = true;

	fo_init(&f, seed, prio);
	f.group.idle_ms = 10000;
	sim_start(&f.w);
	lac = node(&f, LAC);
	ok &= sim_expect(fo_call(&f, 5000), "a call");
	ok &= sim_expect(engine_close_session(lac->e, f.w.now, lac->up_tunnel[0], lac->up_session[0], &bye) == 0,
			 "the call ends");
	sim_settle(&f.w, lac);
	sim_run(&f.w, f.w.now + 9000, NULL, NULL);
	ok &= sim_expect(lac->n.tunnels_down == 0, "9 s without a call: the tunnel stays");
	/* A call meanwhile keeps it; after that one ends the count starts again. */
	ok &= sim_expect(fo_call(&f, 5000) && lac->n.tunnels_up == 1, "a second call on the same tunnel");
	sim_run(&f.w, f.w.now + 5000, NULL, NULL);
	ok &= sim_expect(lac->n.tunnels_down == 0, "past the first deadline with a call: the tunnel stays");
	ok &= sim_expect(engine_close_session(lac->e, f.w.now, lac->up_tunnel[1], lac->up_session[1], &bye) == 0,
			 "the second call ends");
	sim_settle(&f.w, lac);
	sim_run(&f.w, f.w.now + 9000, NULL, NULL);
	ok &= sim_expect(lac->n.tunnels_down == 0, "9 s after the second call: the tunnel stays");
	sim_run(&f.w, f.w.now + 2000, NULL, NULL);
	ok &= sim_expect(lac->n.tunnels_down == 1 && lac->last_down.result == 1 && !lac->last_down_by_peer,
			 "11 s: cleared by us with StopCCN 1 (%u down, result %u)", lac->n.tunnels_down,
			 lac->last_down.result);
	ok &= sim_expect(node(&f, A)->n.tunnels_down == 1, "A saw the StopCCN");
	printf("  idle-timeout 10 s: kept at 9 s, kept by a new call, cleared 10 s after the last\n");
	sim_destroy(&f.w);
	return ok;
}

const struct scenario failover_scenarios[] = {
	{ "failover-table", failover_table }, { "failover-outside-table", outside_table },
	{ "failover-no-answer", no_answer },  { "failover-reuse", reuse_tunnel },
	{ "failover-busy-expiry", busy_expiry }, { "failover-all-busy", all_busy },
	{ "failover-directed", directed },	 { "failover-weights", weights },
	{ "failover-prefer-room", prefer_room }, { "failover-idle", idle_tunnel },
};
const unsigned int n_failover_scenarios = sizeof(failover_scenarios) / sizeof(failover_scenarios[0]);
