/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target over the whole engine (design.md §6, tier 3): the input is a small program
 * of events for one engine under test (EUT), and after every event the engine's actions and
 * its internal state are checked. No input may crash it, leak, or break an invariant:
 *
 *   - every SEND decodes with the secret the engine holds for its destination; lifecycles
 *     are announced once each and in order; the fake kernel is never asked to create twice or
 *     delete what it does not hold, and holds nothing once everything is closed
 *     (engine_shell.c);
 *   - action pointers (datagrams, texts, call information) stay readable until
 *     engine_actions_clear(), also across events (opcode DEFER);
 *   - the state: indexes, counters, limits, transport queues (bounded by what the engine
 *     documents), timers, statistics; a tunnel not established within two retransmission
 *     cycles is cleared; whenever nothing is in flight, two tunnels that acknowledged
 *     everything agree on Ns and Nr (engine_invariants.c);
 *   - the durable state (the EUT runs with persist_state): the records the shell keeps from
 *     STATE_PUT and STATE_DROP describe exactly the established tunnels and calls; a restart
 *     (opcode RESTART: engine_free() unannounced, a new engine restores the records in key
 *     order and resumes) restores every record, and only what was established, as it was;
 *     restored tunnels resynchronise with the peer engine before any time passes, and the peer
 *     is never told to clear what was restored, as long as the link lost nothing and the
 *     program did not close it itself (engine_invariants.c);
 *   - engine_free() releases everything (LeakSanitizer).
 *
 * The EUT is 10.0.0.1 with small limits and DEBUG logging. It talks to a second, well-behaved
 * engine at 10.0.0.2 over two in-memory queues that the program delivers, duplicates or drops
 * one datagram at a time, and to three scripted hosts whose messages the program builds
 * (engine_hosts.c). Kernel requests wait until the program answers them, in any order, with
 * success or failure; the peer engine's kernel answers at once.
 *
 * Input: byte 0 chooses the configuration (CFG_* bits in fuzz_engine.h), then opcodes with
 * their operands (engine_program.c), at most FUZZ_MAX_OPS of them. Unless CFG_NO_DRAIN
 * is set, the program ends by closing everything and letting time pass, and the engine must
 * then be empty. tests/fuzz/gen_engine_seeds.py writes the seed corpus.
 *
 * Build: ./configure --enable-fuzz CC=clang && make tests/fuzz/fuzz_engine
 * Run:   tests/fuzz/fuzz_engine -max_total_time=60 CORPUS_DIR tests/fuzz/corpus/engine
 * Debug: FUZZ_ENGINE_TRACE=1 tests/fuzz/fuzz_engine CRASH_FILE prints each opcode and the
 *        EUT's log lines before the violation.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz_engine.h"
#include "l2tp/result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char peer_secret[] = "fuzz-peer-secret";
static const char host_secret[] = "l2tpkd-shared-secret"; /* the sample secret, for HOST_SECRET */
static const char default_secret[] = "fuzz-default-secret";

struct fuzz fz;

void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_engine: invariant violated: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (at %llu ms, opcode %u)\n", (unsigned long long)fz.now, fz.ops);
	abort();
}

/* ---- the in-memory link ---- */

void link_push(struct link *l, const struct l2tp_addr *from, const uint8_t *buf, size_t len)
{
	struct packet *p;

	if (l->n == FUZZ_LINK_CAP) {
		l->overflowed = true;
		free(l->q[0]);
		memmove(l->q, l->q + 1, (l->n - 1) * sizeof(l->q[0]));
		l->n--;
	}
	p = malloc(sizeof(*p) + len);
	if (!p)
		abort();
	p->from = *from;
	p->len = (uint16_t)len;
	memcpy(p->buf, buf, len);
	l->q[l->n++] = p;
}

struct packet *link_take(struct link *l, unsigned int i)
{
	struct packet *p = l->q[i];

	memmove(l->q + i, l->q + i + 1, (l->n - i - 1) * sizeof(l->q[0]));
	l->n--;
	return p;
}

static void link_free(struct link *l)
{
	while (l->n)
		free(l->q[--l->n]);
}

/* ---- objects by index ---- */

/* The n-th object of a map, n modulo its size; NULL when empty. */
static struct hnode *nth(const struct hmap *h, unsigned int n)
{
	if (!h->count)
		return NULL;
	n %= h->count;
	for (uint32_t b = 0; b < h->n_buckets; b++)
		for (struct hnode *x = h->buckets[b]; x; x = x->next)
			if (!n--)
				return x;
	return NULL;
}

struct tunnel *nth_tunnel(struct engine *e, unsigned int n)
{
	struct hnode *h = nth(&e->tunnels, n);

	return h ? hmap_entry(h, struct tunnel, by_id) : NULL;
}

struct session *nth_session(struct engine *e, unsigned int n)
{
	struct hnode *h = nth(&e->sessions, n);

	return h ? hmap_entry(h, struct session, by_key) : NULL;
}

/* ---- driving the engines ---- */

void clear_actions(struct fuzz *f)
{
	const struct engine_action *v;
	size_t n;

	/* Pointers must still be good: they were promised until the clear. */
	v = engine_actions(f->e, &n);
	for (size_t i = 0; i < n; i++)
		touch_action(&v[i]);
	engine_actions_clear(f->e);
	f->seen = 0;
}

/* After every event of the EUT. */
void eut_done(struct fuzz *f)
{
	const struct engine_action *v;
	size_t n;

	v = engine_actions(f->e, &n);
	for (size_t i = f->seen; i < n; i++)
		check_action(f, &v[i]);
	f->seen = n;
	if (!f->defer)
		clear_actions(f);
	check_eut(f);
}

/* The peer engine's shell: datagrams to the EUT go on the link, its kernel says yes at once. */
void peer_done(struct fuzz *f)
{
	struct engine_kernel_result answers[FUZZ_MAX_PENDING];
	const struct engine_action *v;
	size_t n, n_answers;

	do {
		n_answers = 0;
		v = engine_actions(f->peer, &n);
		for (size_t i = 0; i < n; i++) {
			const struct engine_action *a = &v[i];

			check_peer_action(f, a);
			if (a->type == ENGINE_SEND && l2tp_addr_same_host(&a->send.peer, &f->addr)) {
				struct l2tp_addr from = f->peer_addr;

				if (a->send.local.port)
					from.port = a->send.local.port;
				link_push(&f->to_eut, &from, a->send.buf, a->send.len);
			} else if ((a->type == ENGINE_KERNEL_TUNNEL_CREATE ||
				    a->type == ENGINE_KERNEL_SESSION_CREATE) &&
				   n_answers < FUZZ_MAX_PENDING) {
				answers[n_answers++] =
					(struct engine_kernel_result){ .request = a->type,
								       .tunnel_id = a->tunnel_id,
								       .session_id = a->session_id };
			}
		}
		engine_actions_clear(f->peer);
		for (size_t i = 0; i < n_answers; i++)
			engine_kernel_done(f->peer, f->now, &answers[i]);
	} while (n_answers);
	check_engine("peer", f->peer);
}

void eut_recv(struct fuzz *f, const struct l2tp_addr *from, const uint8_t *buf, size_t len)
{
	static uint8_t copy[L2TP_MAX_MSG_LEN];

	memcpy(copy, buf, len);
	engine_recv(f->e, f->now, &f->addr, from, copy, len);
	eut_done(f);
}

void peer_recv(struct fuzz *f, const struct packet *p)
{
	static uint8_t copy[L2TP_MAX_MSG_LEN];

	memcpy(copy, p->buf, p->len);
	engine_recv(f->peer, f->now, &f->peer_addr, &p->from, copy, p->len);
	peer_done(f);
}

/* Time passes only here, and both engines' timers run at once. */
void tick(struct fuzz *f, uint64_t step)
{
	f->ticked = true;
	f->now += step;
	engine_tick(f->e, f->now);
	eut_done(f);
	if (engine_next_deadline(f->e) <= f->now)
		fail("next deadline %llu not after the tick", (unsigned long long)engine_next_deadline(f->e));
	engine_tick(f->peer, f->now);
	peer_done(f);
}

/* Answers a kernel request: the fake kernel does what was asked, or refuses. */
void kernel_answer(struct fuzz *f, unsigned int i, int err)
{
	struct engine_kernel_result r = f->pending[i];
	uint32_t tkey = (uint32_t)r.tunnel_id << 16;

	f->pending[i] = f->pending[--f->n_pending];
	r.err = err;
	if (!err && r.request == ENGINE_KERNEL_TUNNEL_CREATE)
		object_add(f, tkey);
	if (!err && r.request == ENGINE_KERNEL_SESSION_CREATE) {
		if (object_index(f, tkey) < 0)
			r.err = -ENOENT; /* the tunnel was deleted meanwhile */
		else
			object_add(f, tkey | r.session_id);
	}
	engine_kernel_done(f->e, f->now, &r);
	eut_done(f);
}

/* Answers the creates waiting (and those they lead to) with success; deletes just go. */
void kernel_answer_all(struct fuzz *f)
{
	for (unsigned int rounds = 0; f->n_pending && rounds < 4 * FUZZ_MAX_PENDING; rounds++)
		kernel_answer(f, 0, 0);
}

/* ---- a restart ---- */

static int by_key(const void *a, const void *b)
{
	uint64_t x = ((const struct record *)a)->key, y = ((const struct record *)b)->key;

	return x < y ? -1 : x > y;
}

/* One record made unreadable or wrong: an octet flipped, or the record cut short. */
static void damage(struct fuzz *f, const struct damage *d)
{
	struct record *r;

	if (!f->n_records)
		return;
	r = &f->records[d->which % f->n_records];
	if (!r->len)
		return;
	if (d->flip)
		r->buf[d->offset % r->len] ^= d->value ? d->value : 0xff;
	if (d->truncate)
		r->len = (uint16_t)(d->value % r->len);
}

void restart(struct fuzz *f, const struct damage *d)
{
	const struct engine_action *v;
	unsigned int kept = 0;
	size_t n;

	note_before_restart(f);
	clear_actions(f);
	engine_free(f->e);
	f->e = engine_new(&f->cfg);
	if (!f->e)
		abort();
	qsort(f->records, f->n_records, sizeof(f->records[0]), by_key);
	if (d)
		damage(f, d);
	for (unsigned int i = 0; i < f->n_records; i++) {
		const struct record *r = &f->records[i];
		int err = engine_restore(f->e, f->now, r->key, r->buf, r->len);

		if (err < 0 && !d)
			fail("engine_restore() refused record %#llx (%u octets), which the engine wrote: %d",
			     (unsigned long long)r->key, r->len, err);
		/* What the new process could not read is gone for good. */
		if (!err)
			f->records[kept++] = *r;
	}
	if (f->trace)
		fprintf(stderr, "  restart: %u records restored, %u refused\n", kept, f->n_records - kept);
	f->n_records = kept;
	v = engine_actions(f->e, &n);
	if (n)
		fail("%zu actions (the first of type %d) before engine_resume()", n, v[0].type);
	check_after_restart(f, d != NULL);
	/* The shell adopts the kernel objects of what was restored, then the engine goes on. */
	shell_restarted(f);
	engine_resume(f->e, f->now);
	eut_done(f);
}

/* ---- the end of a program ---- */

/* Closes everything and lets time pass: the engine must end up empty, the kernel too. */
static void drain(struct fuzz *f)
{
	static const struct engine_disconnect bye = { .result = L2TP_RC_STOPCCN_CLEAR };

	f->defer = false;
	clear_actions(f);
	/* The peer engine may now be told to clear what a restart kept. */
	f->n_restored = 0;
	/* A group call that fails over opens tunnels anew, to each endpoint at most once. */
	for (unsigned int round = 0; round < 4 + HOST_COUNT && (f->e->n_tunnels || f->n_pending); round++) {
		uint16_t ids[LIMIT_TUNNELS + 1];
		unsigned int n = 0;

		kernel_answer_all(f);
		for (unsigned int i = 0; i < f->e->n_tunnels && n < LIMIT_TUNNELS + 1; i++)
			if (nth_tunnel(f->e, i)->state != TUNNEL_CLOSING)
				ids[n++] = nth_tunnel(f->e, i)->id;
		for (unsigned int i = 0; i < n; i++) {
			(void)engine_close_tunnel(f->e, f->now, ids[i], &bye);
			eut_done(f);
		}
		tick(f, 2 * xport_full_cycle_ms(&f->cfg.xport));
		kernel_answer_all(f);
	}
	if (f->e->n_tunnels || f->e->n_sessions || f->n_tunnels)
		fail("%u tunnels and %u sessions left after closing everything and waiting", f->e->n_tunnels,
		     f->e->n_sessions);
	if (f->n_objects)
		fail("%u objects left in the kernel after every tunnel was released (first %#x)",
		     f->n_objects, f->objects[0]);
	if (f->n_requests || f->e->requests.count)
		fail("%u group calls without REQUEST_DONE, %u requests in the engine after closing everything",
		     f->n_requests, f->e->requests.count);
}

/*
 * The peer engine goes the same way, unchecked. engine_free() looks up every possible tunnel
 * ID while tunnels remain, which would otherwise cost most of the time of a run.
 */
static void drain_peer(struct fuzz *f)
{
	static const struct engine_disconnect bye = { .result = L2TP_RC_STOPCCN_CLEAR };
	struct tunnel *t;

	for (unsigned int round = 0; round < 4 && f->peer->n_tunnels; round++) {
		for (unsigned int i = 0; i < f->peer->n_tunnels; i++)
			if ((t = nth_tunnel(f->peer, i)) && t->state != TUNNEL_CLOSING)
				(void)engine_close_tunnel(f->peer, f->now, t->id, &bye);
		f->now += 2 * xport_full_cycle_ms(&f->peer_cfg.xport);
		engine_tick(f->peer, f->now);
		engine_actions_clear(f->peer);
	}
}

/* ---- configuration ---- */

static void configure_eut(struct fuzz *f, uint8_t bits)
{
	struct engine_config *c = &f->cfg;

	engine_config_defaults(c);
	test_random_init(&f->rng, bits & CFG_OTHER_RANDOMNESS ? 0x5eed : 0xf00d);
	c->random = test_random_fill;
	c->random_arg = &f->rng;
	c->host_name = "eut.example";
	c->firmware_revision = 0x0100;
	c->bearer_caps = L2TP_BEARER_DIGITAL | L2TP_BEARER_ANALOG;
	c->log_level = ENGINE_LOG_DEBUG;
	c->persist_state = true;
	c->send_tie_breaker = !(bits & CFG_NO_TIE_BREAKER);
	c->lns_send_seq = bits & CFG_LNS_SEND_SEQ;
	c->accept_outgoing_calls = !(bits & CFG_NO_OUTGOING);
	c->accept_tunnels = !(bits & CFG_NO_ACCEPT);
	c->secret = bits & CFG_DEFAULT_SECRET ? default_secret : NULL;
	c->recv_timeout_ms = 100;
	c->limits = (struct admission_limits){
		.max_tunnels = LIMIT_TUNNELS,
		.max_sessions_per_tunnel = LIMIT_TUNNEL_SESSIONS,
		.max_sessions = LIMIT_SESSIONS,
		.session_rate = 4,
		.session_burst = 8,
	};
	f->peers[0] = (struct engine_peer_config){ .addr = f->peer_addr,
						   .secret = peer_secret,
						   .hide_avps = !(bits & CFG_PEER_PLAIN) };
	f->peers[1] = (struct engine_peer_config){ .addr = host_addr(HOST_SECRET, 0), .secret = host_secret };
	c->peers = f->peers;
	c->n_peers = 2;
	/* Group "all": every host, the peer engine and the secret host first; "peer": it alone. */
	for (int h = 0; h < HOST_COUNT; h++)
		f->endpoints[h] = (struct engine_endpoint){ host_addr((enum host)h, L2TP_PORT),
							    (uint8_t)(h < HOST_PLAIN ? 1 : h), (uint16_t)(1 + h % 2) };
	f->groups[0] = (struct engine_group){ .name = "all",
					      .endpoints = f->endpoints,
					      .n_endpoints = HOST_COUNT,
					      .busy_ms = 5000,
					      .sccrq_retries = 2,
					      .max_sessions_per_tunnel = 2,
					      .idle_ms = 5000 };
	f->groups[1] = (struct engine_group){ .name = "peer", .endpoints = f->endpoints, .n_endpoints = 1 };
	c->groups = f->groups;
	c->n_groups = 2;
}

static void configure_peer(struct fuzz *f, uint8_t bits)
{
	struct engine_config *p = &f->peer_cfg;

	engine_config_defaults(p);
	test_random_init(&f->peer_rng, 0xbeef);
	p->random = test_random_fill;
	p->random_arg = &f->peer_rng;
	p->host_name = "peer.example";
	p->log_level = ENGINE_LOG_ERR;
	p->accept_outgoing_calls = true;
	/* No RFC 4951: a restored EUT resynchronises silently, which the restart checks are about. */
	p->failover_flags = 0;
	f->peer_peers[0] = (struct engine_peer_config){ .addr = f->addr,
							.secret = peer_secret,
							.hide_avps = !(bits & CFG_PEER_PLAIN) };
	p->peers = f->peer_peers;
	p->n_peers = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int trace = -1;
	struct fuzz *f = &fz;
	char why[128];

	if (trace < 0)
		trace = getenv("FUZZ_ENGINE_TRACE") != NULL;
	memset(f, 0, sizeof(*f));
	f->trace = trace;
	f->in = data;
	f->left = size;
	f->cfg_bits = u8(f);
	f->now = 1000;
	f->addr = (struct l2tp_addr){ .family = AF_INET, .port = L2TP_PORT, .addr = { 10, 0, 0, 1 } };
	f->peer_addr = host_addr(HOST_PEER, L2TP_PORT);
	configure_eut(f, f->cfg_bits);
	configure_peer(f, f->cfg_bits);
	if (engine_config_validate(&f->cfg, why, sizeof(why)) < 0 ||
	    engine_config_validate(&f->peer_cfg, why, sizeof(why)) < 0) {
		fprintf(stderr, "fuzz_engine: configuration: %s\n", why);
		abort();
	}
	f->e = engine_new(&f->cfg);
	f->peer = engine_new(&f->peer_cfg);
	if (!f->e || !f->peer)
		abort();
	run_program(f);
	if (!(f->cfg_bits & CFG_NO_DRAIN))
		drain(f);
	drain_peer(f);
	clear_actions(f);
	engine_free(f->e);
	engine_free(f->peer);
	link_free(&f->to_eut);
	link_free(&f->to_peer);
	return 0;
}
