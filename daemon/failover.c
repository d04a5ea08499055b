/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Extended failover (design.md §1, point 1; spec/l2tp-protocol.md §4): calls placed through a
 * peer group. Each call request picks an endpoint (directed addresses first, then the best
 * priority level that is not busy, weighted within the level, preferring an endpoint whose
 * established tunnel has room), reuses a tunnel to it or opens one, and places the call.
 * When the attempt fails with a trigger of the failover table (an unanswered SCCRQ, or ICRQ on
 * a tunnel whose LNS died since; a StopCCN during tunnel set-up or a CDN during call set-up with Result 2 and Error 4, 6, 7 or 9, or a
 * CDN with Result 4), the endpoint goes on the busy list and the request is queued; at the
 * end of the event it tries the next endpoint. Any other ending fails the request with its
 * reason. Each request ends with one REQUEST_DONE action.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directed.h"
#include "engine_int.h"
#include "l2tp/result.h"
#include "l2tp/wire.h"

/* Bounds the endpoints one request tries, error 9 lists included: each costs a round trip. */
#define REQUEST_MAX_ATTEMPTS 32
#define GROUP_NAME_MAX 63

struct call_request {
	struct hnode by_id;
	uint32_t id;
	char group[GROUP_NAME_MAX + 1]; /* by name: a reload may replace the group */
	struct engine_call_info *call;	/* one allocation with its blobs */
	struct l2tp_addr directed[DIRECTED_MAX]; /* from the last error 9, tried first */
	uint8_t n_directed;
	uint64_t tried;	      /* group endpoints already tried, by index */
	struct l2tp_addr at;  /* the endpoint of the current (or last) attempt */
	uint32_t attempts, failovers;
	const char *reason; /* of the last failover: "no-answer", "stopccn" or "cdn" */
	struct engine_disconnect last;
	char last_text[128];
	struct call_request *next_retry;
	bool queued;
};

bool failover_trigger(bool cdn, const struct engine_disconnect *why)
{
	if (why->result == 2)
		return why->error == L2TP_EC_NO_RESOURCES || why->error == L2TP_EC_VENDOR ||
		       why->error == L2TP_EC_TRY_ANOTHER || why->error == L2TP_EC_TRY_ANOTHER_DIRECTED;
	return cdn && why->result == L2TP_RC_CDN_NO_FACILITIES_TEMPORARY;
}

static const struct engine_group *group_find(const struct engine *e, const char *name)
{
	for (size_t i = 0; i < e->cfg->n_groups; i++)
		if (strcmp(e->cfg->groups[i].name, name) == 0)
			return &e->cfg->groups[i];
	return NULL;
}

static int endpoint_index(const struct engine_group *g, const struct l2tp_addr *a, bool host_only)
{
	for (size_t i = 0; i < g->n_endpoints; i++)
		if (host_only ? l2tp_addr_same_host(&g->endpoints[i].addr, a) : l2tp_addr_equal(&g->endpoints[i].addr, a))
			return (int)i;
	return -1;
}

/*
 * Calls per tunnel for a group: its own limit, within the engine's (which protects this box
 * whoever places the call, as for engine_place_call()); 0: no limit.
 */
static uint32_t per_tunnel(const struct engine *e, const struct engine_group *g)
{
	uint32_t mine = g->max_sessions_per_tunnel, box = e->cfg->limits.max_sessions_per_tunnel;

	return !mine || (box && box < mine) ? box : mine;
}

/* A tunnel of ours to ep that takes one more call: an established one if any. */
static struct tunnel *tunnel_with_room(const struct engine *e, const struct endpoint *ep, uint32_t max,
				       bool established_only)
{
	struct tunnel *coming_up = NULL;

	for (struct tunnel *t = ep ? ep->tunnels : NULL; t; t = t->ep_next) {
		if (t->dead || t->state == TUNNEL_CLOSING || (max && t->n_sessions >= max) ||
		    xport_queued(&t->xport) >= TUNNEL_QUEUE_MAX || recovery_blocks_calls(t))
			continue;
		if (t->state == TUNNEL_ESTABLISHED)
			return t;
		if (!established_only && !coming_up)
			coming_up = t;
	}
	return coming_up;
}

static uint32_t random_u32(const struct engine *e)
{
	uint32_t v;

	e->cfg->random(e->cfg->random_arg, &v, sizeof(v));
	return v;
}

/* Weighted choice among the candidates (indexes into g->endpoints). */
static int weighted(const struct engine *e, const struct engine_group *g, const int *cand, int n)
{
	uint32_t total = 0, pick;

	for (int i = 0; i < n; i++)
		total += g->endpoints[cand[i]].weight ? g->endpoints[cand[i]].weight : 1;
	pick = random_u32(e) % total;
	for (int i = 0; i < n; i++) {
		uint32_t w = g->endpoints[cand[i]].weight ? g->endpoints[cand[i]].weight : 1;

		if (pick < w)
			return cand[i];
		pick -= w;
	}
	return cand[n - 1];
}

/* The next endpoint for r: *index is its place in the group, or -1 for a directed address. */
static bool pick(struct engine *e, struct call_request *r, const struct engine_group *g, struct l2tp_addr *to,
		 int *index)
{
	int cand[ENGINE_GROUP_MAX_ENDPOINTS], n = 0, with_room[ENGINE_GROUP_MAX_ENDPOINTS], n_room = 0;
	int best = -1;

	while (r->n_directed) {
		*to = r->directed[0];
		memmove(r->directed, r->directed + 1, --r->n_directed * sizeof(r->directed[0]));
		*index = endpoint_index(g, to, false);
		if ((*index < 0 || !(r->tried & (1ULL << *index))) && !endpoint_busy(e, to))
			return true;
	}
	for (size_t i = 0; i < g->n_endpoints; i++) {
		const struct engine_endpoint *ep = &g->endpoints[i];

		if ((r->tried & (1ULL << i)) || endpoint_busy(e, &ep->addr))
			continue;
		if (best < 0 || ep->priority < best) {
			best = ep->priority;
			n = 0;
		}
		if (ep->priority == best)
			cand[n++] = (int)i;
	}
	if (!n)
		return false;
	for (int i = 0; i < n; i++)
		if (tunnel_with_room(e, endpoint_get(e, &g->endpoints[cand[i]].addr, false), per_tunnel(e, g), true))
			with_room[n_room++] = cand[i];
	*index = n_room ? weighted(e, g, with_room, n_room) : weighted(e, g, cand, n);
	*to = g->endpoints[*index].addr;
	return true;
}

/* A tunnel the group's settings apply to; the shell picks our port (engine_action.send.local). */
static struct tunnel *open_for_group(struct engine *e, const struct engine_group *g, const struct l2tp_addr *to)
{
	struct l2tp_addr local = { .family = to->family };
	struct xport_config setup = e->cfg->xport;
	struct tunnel *t;

	if (engine_tunnel_open(e, &local, to, &t) < 0 || t->dead)
		return NULL;
	t->idle_ms = g->idle_ms;
	if (g->sccrq_retries) {
		t->setup_retries = g->sccrq_retries;
		setup.rtx_retries = g->sccrq_retries;
		/* Set-up deadline: past the group's retransmissions, as for any tunnel. */
		t->reap_at = e->now + 2 * xport_full_cycle_ms(&setup);
		tunnel_reschedule(e, t);
	}
	return t;
}

static int place_at(struct engine *e, struct call_request *r, const struct engine_group *g, const struct l2tp_addr *to)
{
	struct endpoint *ep = endpoint_get(e, to, true);
	struct tunnel *t = tunnel_with_room(e, ep, per_tunnel(e, g), false);
	struct session *s;
	int err;

	if (!t && !(t = open_for_group(e, g, to)))
		return -EBUSY;
	err = engine_call_place(e, t, ENGINE_CALL_INCOMING, r->call, per_tunnel(e, g), &s);
	if (err)
		return err;
	s->request = r;
	if (t->endpoint)
		t->endpoint->attempts++;
	return 0;
}

/* Places the call at the next endpoint that takes it; -EBUSY when none is left. */
static int attempt(struct engine *e, struct call_request *r, const struct engine_group *g)
{
	char s[L2TP_ADDR_STRLEN];
	int index, err;

	while (r->attempts < REQUEST_MAX_ATTEMPTS && pick(e, r, g, &r->at, &index)) {
		if (index >= 0)
			r->tried |= 1ULL << index;
		r->attempts++;
		err = place_at(e, r, g, &r->at);
		if (!err)
			return 0;
		engine_log(e, ENGINE_LOG_WARNING, NULL, NULL, "group %s: cannot place a call at %s: %s", r->group,
			   l2tp_addr_str(&r->at, s), strerror(-err));
	}
	return -EBUSY;
}

static void request_free(struct engine *e, struct call_request *r)
{
	hmap_remove(&e->requests, &r->by_id);
	free(r->call);
	free(r);
}

static void request_finish(struct engine *e, struct call_request *r, const struct session *s)
{
	struct engine_action *a = s ? engine_push_for(e, ENGINE_REQUEST_DONE, s->tunnel, s)
				    : engine_push(e, ENGINE_REQUEST_DONE);

	if (s && r->failovers && s->tunnel->endpoint)
		s->tunnel->endpoint->failovers_to++;
	if (a) {
		a->request.id = r->id;
		a->request.ok = s != NULL;
		a->request.failovers = r->failovers;
		a->request.why = r->last;
		a->request.why.message = engine_copy_str(e, r->last_text, strlen(r->last_text));
		if (!a->request.why.message)
			a->request.why.message = "";
	}
	request_free(e, r);
}

/* A peer's text for a log line: printable, short. */
static void printable(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	for (; src && src[i] && i + 1 < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f && src[i] != '"' ? src[i] : '?';
	dst[i] = '\0';
}

static void keep_last(struct call_request *r, const struct engine_disconnect *why)
{
	r->last = *why;
	printable(r->last_text, sizeof(r->last_text), why->message);
	r->last.message = NULL;
}

/* Error 9: the addresses it names (the group's own port for the group's hosts) come next. */
static void take_directed(struct engine *e, struct call_request *r, const struct engine_disconnect *why)
{
	const struct engine_group *g = group_find(e, r->group);
	const char *text = why->message ? why->message : "";
	unsigned skipped;

	r->n_directed = (uint8_t)directed_parse(text, strlen(text), L2TP_PORT, r->directed, DIRECTED_MAX, &skipped);
	for (unsigned i = 0; g && i < r->n_directed; i++) {
		int k = endpoint_index(g, &r->directed[i], true);

		if (k >= 0)
			r->directed[i] = g->endpoints[k].addr;
	}
	if (!r->n_directed || skipped)
		engine_log(e, ENGINE_LOG_WARNING, NULL, NULL,
			   "group %s: error 9 named %u address(es), %u word(s) skipped: \"%s\"", r->group,
			   r->n_directed, skipped, r->last_text);
}

/* The attempt ended; reason is the failover trigger it met, or NULL for none. */
static void request_failed(struct engine *e, struct call_request *r, const char *reason,
			   const struct engine_disconnect *why)
{
	const struct engine_group *g = group_find(e, r->group);
	struct endpoint *ep;

	keep_last(r, why);
	if (!reason) {
		request_finish(e, r, NULL);
		return;
	}
	ep = endpoint_get(e, &r->at, true);
	if (ep) {
		ep->failovers_from++;
		if (g && g->busy_ms)
			ep->busy_until = e->now + g->busy_ms;
		engine_touch_endpoint(e, ep);
	}
	r->failovers++;
	r->reason = reason;
	if (why->result == 2 && why->error == L2TP_EC_TRY_ANOTHER_DIRECTED)
		take_directed(e, r, why);
	if (!r->queued) {
		r->queued = true;
		r->next_retry = e->retries;
		e->retries = r;
	}
}

void failover_tunnel_down(struct engine *e, struct tunnel *t, const struct engine_disconnect *why, bool by_peer)
{
	const char *reason = NULL;

	/*
	 * An unanswered SCCRQ, or an ICRQ unanswered on a tunnel that was up (the LNS died since):
	 * either way the endpoint does not answer, and the call is still being set up.
	 */
	if (!by_peer && t->xport.failed)
		reason = "no-answer";
	else if (by_peer && t->originator && t->state == TUNNEL_WAIT_CTL_REPLY && failover_trigger(false, why))
		reason = "stopccn";
	for (struct session *s = t->sessions; s; s = s->next) {
		struct call_request *r = s->request;

		if (r) {
			s->request = NULL;
			request_failed(e, r, reason, why);
		}
	}
}

void failover_session_down(struct engine *e, struct session *s, const struct engine_disconnect *why, bool by_peer)
{
	struct call_request *r = s->request;

	if (!r)
		return;
	s->request = NULL;
	request_failed(e, r,
		       by_peer && s->state != SESSION_ESTABLISHED && failover_trigger(true, why) ? "cdn" : NULL, why);
}

void failover_session_up(struct engine *e, struct session *s)
{
	struct call_request *r = s->request;

	if (!r)
		return;
	s->request = NULL;
	request_finish(e, r, s);
}

static void log_failover(struct engine *e, const struct call_request *r, const struct l2tp_addr *from, bool moved)
{
	char f[L2TP_ADDR_STRLEN], t[L2TP_ADDR_STRLEN], vendor[48] = "";

	if (r->last.vendor_avp)
		snprintf(vendor, sizeof(vendor), " vendor-id=%u vendor-type=%u", r->last.vendor_id,
			 r->last.vendor_type);
	engine_log(e, ENGINE_LOG_NOTICE, NULL, NULL,
		   "failover group=%s from=%s to=%s reason=%s result=%u error=%u%s message=\"%s\"", r->group,
		   l2tp_addr_str(from, f), moved ? l2tp_addr_str(&r->at, t) : "none", r->reason, r->last.result,
		   r->last.error, vendor, r->last_text);
}

void failover_run_retries(struct engine *e)
{
	struct call_request *r;

	if (e->retrying)
		return;
	e->retrying = true;
	while ((r = e->retries)) {
		const struct engine_group *g = group_find(e, r->group);
		struct l2tp_addr from = r->at;
		bool moved;

		e->retries = r->next_retry;
		r->queued = false;
		moved = g && attempt(e, r, g) == 0;
		log_failover(e, r, &from, moved);
		if (!moved)
			request_finish(e, r, NULL);
	}
	e->retrying = false;
}

void failover_free_all(struct engine *e)
{
	struct hnode *n;

	while ((n = hmap_iter(&e->requests, NULL)))
		request_free(e, hmap_entry(n, struct call_request, by_id));
	hmap_destroy(&e->requests);
}

static bool request_id_in_use(const struct engine *e, uint32_t id)
{
	for (struct hnode *n = hmap_first(&e->requests, id); n; n = hmap_next(n))
		if (hmap_entry(n, struct call_request, by_id)->id == id)
			return true;
	return false;
}

/* Why no endpoint took the call at once: all busy (and when the first is free), or tried. */
static void none_left(const struct engine *e, const struct engine_group *g, const struct call_request *r, char *why,
		      size_t why_len)
{
	uint64_t soonest = UINT64_MAX;

	for (size_t i = 0; i < g->n_endpoints; i++) {
		const struct endpoint *ep = endpoint_get((struct engine *)e, &g->endpoints[i].addr, false);

		if (ep && ep->busy_until > e->now && ep->busy_until < soonest)
			soonest = ep->busy_until;
	}
	if (r->attempts)
		snprintf(why, why_len, "group %s: no endpoint could take the call (see the log)", g->name);
	else
		snprintf(why, why_len, "group %s: every endpoint is busy (the first is free again in %llu s)",
			 g->name, (unsigned long long)(soonest - e->now + 999) / 1000);
}

int engine_request_call(struct engine *e, uint64_t now, const char *group, const struct engine_call_info *info,
			uint32_t *request_id, char *why, size_t why_len)
{
	static const struct engine_call_info none;
	const struct engine_group *g;
	struct call_request *r;
	int err = 0;

	e->now = now;
	g = group_find(e, group);
	if (!g) {
		snprintf(why, why_len, "no peer group '%.64s'", group);
		return -ENOENT;
	}
	if (!info)
		info = &none;
	r = calloc(1, sizeof(*r));
	if (r)
		r->call = malloc(call_info_size(info));
	if (!r || !r->call) {
		free(r);
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	r->call = call_info_copy(r->call, info);
	snprintf(r->group, sizeof(r->group), "%s", g->name);
	do
		r->id = ++e->request_serial;
	while (!r->id || request_id_in_use(e, r->id));
	if (hmap_insert(&e->requests, &r->by_id, r->id) < 0) {
		free(r->call);
		free(r);
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	if (attempt(e, r, g) < 0) {
		none_left(e, g, r, why, why_len);
		request_free(e, r);
		err = -EBUSY;
	} else {
		*request_id = r->id;
	}
	engine_settle(e);
	return err;
}

void engine_set_drain(struct engine *e, bool drain)
{
	e->drain = drain;
}

bool engine_draining(const struct engine *e)
{
	return e->drain;
}
