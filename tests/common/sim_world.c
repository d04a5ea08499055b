/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sim_world.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"
#include "encode.h"
#include "l2tp/wire.h"

struct sim_packet {
	uint64_t at, seq;
	int to;
	struct l2tp_addr from, dst;
	uint16_t len;
	uint8_t buf[];
};

static bool before(const struct sim_packet *a, const struct sim_packet *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void queue_push(struct sim_world *w, struct sim_packet *p)
{
	uint32_t i;

	if (w->n_queue == w->cap_queue) {
		w->cap_queue = w->cap_queue ? w->cap_queue * 2 : 1024;
		w->queue = realloc(w->queue, w->cap_queue * sizeof(*w->queue));
		if (!w->queue)
			abort();
	}
	for (i = w->n_queue++; i && before(p, w->queue[(i - 1) / 2]); i = (i - 1) / 2)
		w->queue[i] = w->queue[(i - 1) / 2];
	w->queue[i] = p;
}

static struct sim_packet *queue_pop(struct sim_world *w)
{
	struct sim_packet *top = w->queue[0], *last = w->queue[--w->n_queue];
	uint32_t i = 0, c;

	while ((c = 2 * i + 1) < w->n_queue) {
		if (c + 1 < w->n_queue && before(w->queue[c + 1], w->queue[c]))
			c++;
		if (!before(w->queue[c], last))
			break;
		w->queue[i] = w->queue[c];
		i = c;
	}
	if (w->n_queue)
		w->queue[i] = last;
	return top;
}

void sim_init(struct sim_world *w, uint64_t seed, const struct sim_link_params *link)
{
	memset(w, 0, sizeof(*w));
	test_random_init(&w->rng, seed);
	if (link)
		w->link = *link;
	w->now = 1000; /* not 0: a zero time hides "timer never set" mistakes */
}

struct sim_node *sim_add_node(struct sim_world *w)
{
	struct sim_node *n = &w->nodes[w->n_nodes];

	if (w->n_nodes == SIM_MAX_NODES)
		abort();
	memset(n, 0, sizeof(*n));
	engine_config_defaults(&n->cfg);
	test_random_init(&n->rng, test_random_u64(&w->rng));
	n->cfg.random = test_random_fill;
	n->cfg.random_arg = &n->rng;
	n->cfg.log_level = ENGINE_LOG_WARNING;
	n->addr.family = AF_INET;
	n->addr.port = L2TP_PORT;
	n->addr.addr[0] = 10;
	n->addr.addr[3] = (uint8_t)(++w->n_nodes);
	return n;
}

void sim_start(struct sim_world *w)
{
	char why[128];

	for (int i = 0; i < w->n_nodes; i++) {
		if (engine_config_validate(&w->nodes[i].cfg, why, sizeof(why)) < 0) {
			fprintf(stderr, "sim: node %d: %s\n", i, why);
			abort();
		}
		w->nodes[i].e = engine_new(&w->nodes[i].cfg);
		if (!w->nodes[i].e)
			abort();
	}
}

void sim_destroy(struct sim_world *w)
{
	for (int i = 0; i < w->n_nodes; i++) {
		engine_free(w->nodes[i].e);
		free(w->nodes[i].state);
		w->nodes[i].state = NULL;
		w->nodes[i].n_state = 0;
	}
	while (w->n_queue)
		free(queue_pop(w));
	free(w->queue);
	w->queue = NULL;
}

static int node_at(const struct sim_world *w, const struct l2tp_addr *a)
{
	for (int i = 0; i < w->n_nodes; i++)
		if (l2tp_addr_same_host(&w->nodes[i].addr, a))
			return i;
	return -1;
}

/* A StopCCN or CDN of from, rewritten as from->rewrite says, into buf; its length, or 0 to send as is. */
static size_t rewritten(const struct sim_node *from, const struct engine_action *a, uint8_t *buf, size_t cap)
{
	const struct sim_rewrite *rw = &from->rewrite;
	uint8_t copy[4096];
	struct proto_error err;
	struct l2tp_msg m;
	struct encode_opts opts = { 0 };
	int len;

	if (!rw->on || a->send.len > sizeof(copy))
		return 0;
	memcpy(copy, a->send.buf, a->send.len);
	if (decode_control(copy, a->send.len, NULL, &m, &err) < 0 || m.zlb ||
	    (m.type != L2TP_MSG_STOPCCN && m.type != L2TP_MSG_CDN))
		return 0;
	m.result_code.result = rw->result;
	m.result_code.error = rw->error;
	m.result_code.has_error = true;
	m.result_code.message = rw->message ? blob_from_str(rw->message) : (struct blob){ 0 };
	if (rw->vendor_avp && m.n_vendor < MSG_MAX_VENDOR)
		m.vendor[m.n_vendor++] = (struct vendor_avp){ .vendor = rw->vendor_id,
							      .type = rw->vendor_type,
							      .value = blob_from_str("slimit") };
	len = encode_control(&m, &opts, buf, cap);
	if (len < 0)
		abort();
	return (size_t)len;
}

static void transmit(struct sim_world *w, const struct sim_node *from, const struct engine_action *a)
{
	int to = node_at(w, &a->send.peer);
	int copies = 1 + test_random_chance(&w->rng, w->link.duplicate);
	uint8_t alt[4096];
	size_t alt_len;

	if (to < 0 || from->down)
		return;
	alt_len = rewritten(from, a, alt, sizeof(alt));
	for (int i = 0; i < copies; i++) {
		struct sim_packet *p;

		if (test_random_chance(&w->rng, w->link.loss)) {
			w->packets_lost++;
			continue;
		}
		p = malloc(sizeof(*p) + (alt_len ? alt_len : a->send.len));
		if (!p)
			abort();
		p->at = w->now + w->link.delay_ms;
		if (w->link.reorder_ms && test_random_chance(&w->rng, w->link.reorder))
			p->at += 1 + test_random_u64(&w->rng) % w->link.reorder_ms;
		p->seq = w->seq++;
		p->to = to;
		p->from = from->addr;
		/* The sender's socket: its own port, the peer's address as the packet names it. */
		p->from.port = a->send.local.port ? a->send.local.port : from->addr.port;
		p->dst = a->send.peer;
		p->len = (uint16_t)(alt_len ? alt_len : a->send.len);
		memcpy(p->buf, alt_len ? alt : a->send.buf, p->len);
		queue_push(w, p);
	}
}

static struct sim_record *state_find(struct sim_node *n, uint64_t key)
{
	for (size_t i = 0; i < n->n_state; i++)
		if (n->state[i].key == key)
			return &n->state[i];
	return NULL;
}

static void keep_state(struct sim_node *n, const struct engine_action *a)
{
	struct sim_record *r = state_find(n, a->state.key);

	if (a->type == ENGINE_STATE_DROP) {
		if (r)
			*r = n->state[--n->n_state];
		return;
	}
	if (a->state.len > ENGINE_STATE_RECORD_MAX)
		abort();
	if (!r) {
		struct sim_record *v = realloc(n->state, (n->n_state + 1) * sizeof(*v));

		if (!v)
			abort();
		n->state = v;
		r = &n->state[n->n_state++];
	}
	r->key = a->state.key;
	r->len = a->state.len;
	memcpy(r->buf, a->state.buf, a->state.len);
}

static int by_key(const void *a, const void *b)
{
	uint64_t x = ((const struct sim_record *)a)->key, y = ((const struct sim_record *)b)->key;

	return x < y ? -1 : x > y;
}

unsigned sim_restart(struct sim_world *w, struct sim_node *n)
{
	unsigned refused = 0;

	engine_free(n->e);
	n->e = engine_new(&n->cfg);
	if (!n->e)
		abort();
	qsort(n->state, n->n_state, sizeof(*n->state), by_key);
	for (size_t i = 0; i < n->n_state; i++)
		if (engine_restore(n->e, w->now, n->state[i].key, n->state[i].buf, n->state[i].len) < 0)
			refused++;
	engine_resume(n->e, w->now);
	sim_settle(w, n);
	return refused;
}

static void count_action(struct sim_node *n, const struct engine_action *a)
{
	switch (a->type) {
	case ENGINE_TUNNEL_UP:
		n->n.tunnels_up++;
		break;
	case ENGINE_TUNNEL_DOWN:
	case ENGINE_SESSION_DOWN:
		if (a->type == ENGINE_TUNNEL_DOWN)
			n->n.tunnels_down++;
		else
			n->n.sessions_down++;
		n->last_down = a->down.why;
		n->last_down.message = NULL; /* points into the action arena */
		n->last_down_by_peer = a->down.by_peer;
		break;
	case ENGINE_TUNNEL_RELEASED:
		n->n.tunnels_released++;
		break;
	case ENGINE_SESSION_UP:
		n->n.sessions_up++;
		if (n->n_up < sizeof(n->up_tunnel) / sizeof(n->up_tunnel[0])) {
			n->up_tunnel[n->n_up] = a->tunnel_id;
			n->up_session[n->n_up++] = a->session_id;
		}
		break;
	case ENGINE_SESSION_INFO:
		n->n.session_infos++;
		break;
	case ENGINE_KERNEL_TUNNEL_DELETE:
		n->n.kernel_tunnels--;
		break;
	case ENGINE_KERNEL_SESSION_DELETE:
		n->n.kernel_sessions--;
		break;
	case ENGINE_REQUEST_DONE:
		a->request.ok ? n->n.requests_ok++ : n->n.requests_failed++;
		n->last_request = *a;
		snprintf(n->last_request_text, sizeof(n->last_request_text), "%s", a->request.why.message);
		n->last_request.request.why.message = n->last_request_text;
		break;
	case ENGINE_STATE_PUT:
	case ENGINE_STATE_DROP:
		keep_state(n, a);
		break;
	case ENGINE_LOG:
		if (!strncmp(a->log.text, "failover ", 9)) {
			n->n.failover_lines++;
			snprintf(n->last_failover, sizeof(n->last_failover), "%s", a->log.text);
		}
		n->n.log_lines++;
		if (n->print_log)
			fprintf(stderr, "node %u: %s\n", n->addr.addr[3], a->log.text);
		break;
	default:
		break;
	}
}

static uint16_t msg_type_of(const struct engine_action *a)
{
	/* Control header 12 octets, then the Message Type AVP: 6-octet header + u16. */
	if (a->send.len < 20)
		return 0;
	return (uint16_t)(a->send.buf[18] << 8 | a->send.buf[19]);
}

void sim_settle(struct sim_world *w, struct sim_node *n)
{
	struct engine_kernel_result pending[64];
	const struct engine_action *v;
	size_t count, n_pending;

	do {
		n_pending = 0;
		v = engine_actions(n->e, &count);
		for (size_t i = 0; i < count; i++) {
			const struct engine_action *a = &v[i];

			count_action(n, a);
			if (a->type == ENGINE_SEND) {
				n->n.datagrams_sent++;
				if (n->record &&
				    n->n_sent_types < sizeof(n->sent_types) / sizeof(n->sent_types[0]))
					n->sent_types[n->n_sent_types++] = msg_type_of(a);
				transmit(w, n, a);
			} else if (a->type == ENGINE_KERNEL_TUNNEL_CREATE ||
				   a->type == ENGINE_KERNEL_SESSION_CREATE) {
				if (n_pending == sizeof(pending) / sizeof(pending[0]))
					abort();
				pending[n_pending++] = (struct engine_kernel_result){
					.request = a->type,
					.tunnel_id = a->tunnel_id,
					.session_id = a->session_id,
					.err = n->kernel_refuses ? -ENOMEM : 0,
				};
				if (!n->kernel_refuses) {
					if (a->type == ENGINE_KERNEL_TUNNEL_CREATE)
						n->n.kernel_tunnels++;
					else
						n->n.kernel_sessions++;
				}
			}
		}
		engine_actions_clear(n->e);
		for (size_t i = 0; i < n_pending; i++)
			engine_kernel_done(n->e, w->now, &pending[i]);
	} while (n_pending);
}

static uint64_t next_event(const struct sim_world *w)
{
	uint64_t at = w->n_queue ? w->queue[0]->at : UINT64_MAX;

	for (int i = 0; i < w->n_nodes; i++) {
		uint64_t d = w->nodes[i].down ? UINT64_MAX : engine_next_deadline(w->nodes[i].e);

		if (d < at)
			at = d;
	}
	return at;
}

bool sim_run(struct sim_world *w, uint64_t until, bool (*done)(struct sim_world *w, void *arg), void *arg)
{
	for (;;) {
		uint64_t at;

		if (done && done(w, arg))
			return true;
		at = next_event(w);
		if (at > until) {
			w->now = until;
			return done ? done(w, arg) : true;
		}
		if (at > w->now)
			w->now = at;
		while (w->n_queue && w->queue[0]->at <= w->now) {
			struct sim_packet *p = queue_pop(w);
			struct sim_node *n = &w->nodes[p->to];
			struct l2tp_addr local = n->addr;

			if (n->down) {
				w->packets_lost++;
				free(p);
				continue;
			}
			w->packets_delivered++;
			engine_recv(n->e, w->now, &local, &p->from, p->buf, p->len);
			free(p);
			sim_settle(w, n);
		}
		for (int i = 0; i < w->n_nodes; i++) {
			if (!w->nodes[i].down && engine_next_deadline(w->nodes[i].e) <= w->now) {
				engine_tick(w->nodes[i].e, w->now);
				sim_settle(w, &w->nodes[i]);
			}
		}
	}
}

bool sim_quiet(struct sim_world *w)
{
	struct engine_stats st;

	if (w->n_queue)
		return false;
	for (int i = 0; i < w->n_nodes; i++) {
		engine_get_stats(w->nodes[i].e, &st);
		if (st.tunnels_awaiting_ack)
			return false;
	}
	return true;
}

int sim_open_tunnel(struct sim_world *w, struct sim_node *from, const struct sim_node *to, uint16_t *tid)
{
	int err = engine_open_tunnel(from->e, w->now, &from->addr, &to->addr, tid);

	sim_settle(w, from);
	return err;
}

int sim_place_call(struct sim_world *w, struct sim_node *n, uint16_t tid, enum engine_call_direction dir,
		   uint16_t *sid)
{
	static const uint8_t calling[] = "subscriber@isp.example";
	struct engine_call_info info = { .calling_number = { calling, sizeof(calling) - 1 } };
	int err = engine_place_call(n->e, w->now, tid, dir, dir == ENGINE_CALL_OUTGOING ? NULL : &info, sid);

	sim_settle(w, n);
	return err;
}

int sim_request_call(struct sim_world *w, struct sim_node *n, const char *group, uint32_t *id, char *why,
		     size_t why_len)
{
	static const uint8_t calling[] = "subscriber@isp.example";
	struct engine_call_info info = { .calling_number = { calling, sizeof(calling) - 1 } };
	char text[256];
	int err = engine_request_call(n->e, w->now, group, &info, id, why ? why : text, why ? why_len : sizeof(text));

	sim_settle(w, n);
	return err;
}
