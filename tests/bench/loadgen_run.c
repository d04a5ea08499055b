/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The load generator's run: one engine plays every LAC, each tunnel from a UDP socket of its
 * own so the LNS sees as many peers. The engine's actions are carried out as the daemon's
 * shell would, but without a data path: kernel requests succeed at once, PPP frames from the
 * LNS are only counted. Phases: setup (open the tunnels a burst at a time, place each up
 * tunnel's calls as fast as the engine takes them), a 2 s settle, the hold, then every tunnel
 * closed with a StopCCN so the LNS is left clean.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "header.h"
#include "loadgen.h"
#include "sockaddr.h"
#include "l2tp/result.h"

#define READ_BATCH     16    /* datagrams read per wake-up of one socket */
#define PROGRESS_MS    2000  /* a progress line on stderr */
#define RETRY_MS       100   /* calls the engine refused with -EBUSY are tried again after this */
#define SETTLE_MS      2000  /* after setup, before the unacknowledged messages are counted */
#define CLOSE_WAIT_MS  5000  /* for the StopCCNs to be acknowledged */
#define CLOSE_CHECK_MS 20    /* how often that is looked at (engine_get_stats walks the tunnels) */
#define MAX_WAIT_MS    60000 /* the longest epoll_wait(), well within an int */

enum lg_state { LG_IDLE, LG_OPENING, LG_UP, LG_DOWN };
enum lg_phase { PH_SETUP, PH_SETTLE, PH_HOLD, PH_CLOSE, PH_DONE };
/* A call's state, kept with its key (tunnel ID << 16 | session ID) in one 64-bit slot. */
enum lg_call { CALL_PENDING = 1, CALL_UP, CALL_GONE };

struct lg_tunnel {
	int fd;
	struct l2tp_addr local; /* what the socket is bound to */
	uint16_t id;		/* the engine's; 0 before opened and after released */
	enum lg_state state;
	uint32_t calls_left;	 /* still to place */
	uint32_t next_same_port; /* index + 1 of another socket with this local port; 0: none */
};

struct loadgen {
	const struct lg_opts *o;
	struct lg_result *r;
	struct engine_config cfg;
	struct engine *e;
	int ep;
	struct lg_tunnel *t;
	uint32_t by_port[65536]; /* index + 1 of a socket bound to that port */
	uint32_t by_id[65536];	 /* index + 1 of the tunnel the engine gave that ID */
	uint64_t *calls;	 /* open addressing; at least twice the calls, so never full */
	size_t calls_mask;
	uint32_t *placing; /* tunnels up with calls left */
	uint32_t n_placing;
	struct engine_kernel_result *kernel; /* requests answered once the actions are carried out */
	size_t n_kernel, cap_kernel;
	bool out_of_memory;
	enum lg_phase phase;
	uint64_t t0, phase_started, phase_end, next_progress, next_close_check;
	uint32_t next_open, opening, tunnels_live, pending, sessions_live;
};

static uint8_t rx_buf[65536];

/* SIGINT or SIGTERM: the hold (or the setup) ends now; the run closes and reports as usual. */
static volatile sig_atomic_t stop_asked;

static void ask_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

/* Without SA_RESTART, so that epoll_wait() returns at once; a second signal kills. */
static int catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = ask_stop, .sa_flags = SA_RESETHAND };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return -errno;
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void random_octets(void *arg, void *buf, size_t n)
{
	uint8_t *p = buf;

	(void)arg;
	while (n) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0)
			continue; /* only EINTR, once the pool is initialised (random(4)) */
		p += got;
		n -= (size_t)got;
	}
}

static uint64_t *call_slot(struct loadgen *lg, uint16_t tunnel_id, uint16_t session_id)
{
	uint32_t key = (uint32_t)tunnel_id << 16 | session_id;
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & lg->calls_mask;

	while (lg->calls[i] && (uint32_t)lg->calls[i] != key)
		i = (i + 1) & lg->calls_mask;
	return &lg->calls[i];
}

static void call_set(uint64_t *slot, uint16_t tunnel_id, uint16_t session_id, enum lg_call state)
{
	*slot = (uint64_t)state << 32 | (uint32_t)tunnel_id << 16 | session_id;
}

static struct lg_tunnel *tunnel_by_id(struct loadgen *lg, uint16_t id)
{
	return lg->by_id[id] ? &lg->t[lg->by_id[id] - 1] : NULL;
}

static struct lg_tunnel *socket_for(struct loadgen *lg, const struct l2tp_addr *local)
{
	for (uint32_t i = lg->by_port[local->port]; i; i = lg->t[i - 1].next_same_port)
		if (l2tp_addr_equal(&lg->t[i - 1].local, local))
			return &lg->t[i - 1];
	return NULL;
}

static double since_t0(const struct loadgen *lg, uint64_t now)
{
	return (double)(now - lg->t0) / 1000;
}

static void send_datagram(struct loadgen *lg, const struct engine_action *a)
{
	struct lg_tunnel *t = socket_for(lg, &a->send.local);
	struct sockaddr_storage to;
	socklen_t len = sockaddr_from_l2tp(&a->send.peer, &to);

	/* A full socket buffer loses the datagram: retransmission copes, the count tells. */
	if (!t || sendto(t->fd, a->send.buf, a->send.len, 0, (struct sockaddr *)&to, len) < 0)
		lg->r->send_errors++;
}

static void note_refusal(struct loadgen *lg, const struct engine_action *a, bool tunnel)
{
	struct lg_result *r = lg->r;
	const struct engine_disconnect *why = &a->down.why;
	unsigned i;

	r->refused++;
	for (i = 0; i < r->n_refusals; i++) {
		const struct lg_refusal *k = &r->refusals[i];

		if (k->tunnel == tunnel && k->by_peer == a->down.by_peer && k->result == why->result &&
		    k->error == why->error)
			break;
	}
	if (i == LG_MAX_REFUSAL_KINDS) {
		r->refusals_unsorted++;
		return;
	}
	if (i == r->n_refusals) {
		r->refusals[r->n_refusals++] = (struct lg_refusal){ .tunnel = tunnel,
								    .by_peer = a->down.by_peer,
								    .result = why->result,
								    .error = why->error };
		snprintf(r->refusals[i].message, sizeof(r->refusals[i].message), "%s",
			 why->message ? why->message : "");
	}
	r->refusals[i].count++;
}

/* A tunnel or call went down: a refusal during setup, a teardown during the settle and hold. */
static void note_down(struct loadgen *lg, const struct engine_action *a, bool tunnel)
{
	if (lg->phase == PH_SETUP)
		note_refusal(lg, a, tunnel);
	else if ((lg->phase == PH_SETTLE || lg->phase == PH_HOLD) && tunnel)
		lg->r->hold_tunnels_down++;
	else if (lg->phase == PH_SETTLE || lg->phase == PH_HOLD)
		lg->r->hold_sessions_down++;
}

static void tunnel_up(struct loadgen *lg, const struct engine_action *a, uint64_t now)
{
	struct lg_tunnel *t = tunnel_by_id(lg, a->tunnel_id);

	if (!t || t->state != LG_OPENING)
		return;
	lg->opening--;
	lg->tunnels_live++;
	t->state = LG_UP;
	if (lg->phase != PH_SETUP)
		return;
	if (++lg->r->tunnels_up == lg->o->tunnels)
		lg->r->t_tunnels = now - lg->t0;
	t->calls_left = lg->o->sessions;
	lg->placing[lg->n_placing++] = (uint32_t)(t - lg->t);
}

static void tunnel_down(struct loadgen *lg, const struct engine_action *a)
{
	struct lg_tunnel *t = tunnel_by_id(lg, a->tunnel_id);

	if (!t)
		return;
	if (t->state == LG_OPENING)
		lg->opening--;
	else if (t->state == LG_UP)
		lg->tunnels_live--;
	t->state = LG_DOWN;
	if (lg->phase == PH_SETUP)
		lg->r->calls_not_placed += t->calls_left;
	t->calls_left = 0;
	note_down(lg, a, true);
}

static void tunnel_released(struct loadgen *lg, const struct engine_action *a)
{
	struct lg_tunnel *t = tunnel_by_id(lg, a->tunnel_id);

	if (t)
		t->id = 0;
	lg->by_id[a->tunnel_id] = 0;
}

static void session_up(struct loadgen *lg, const struct engine_action *a, uint64_t now)
{
	uint64_t *slot = call_slot(lg, a->tunnel_id, a->session_id);
	struct lg_result *r = lg->r;

	if (*slot >> 32 == CALL_PENDING)
		lg->pending--;
	call_set(slot, a->tunnel_id, a->session_id, CALL_UP);
	lg->sessions_live++;
	if (lg->phase != PH_SETUP)
		return;
	if (++r->sessions_up == 1)
		r->t_first = now - lg->t0;
	if (r->sessions_up == 1000)
		r->t_1000 = now - lg->t0;
	if (r->sessions_up == lg->o->tunnels * lg->o->sessions)
		r->t_all = now - lg->t0;
}

static void session_down(struct loadgen *lg, const struct engine_action *a)
{
	uint64_t *slot = call_slot(lg, a->tunnel_id, a->session_id);

	if (*slot >> 32 == CALL_PENDING)
		lg->pending--;
	else if (*slot >> 32 == CALL_UP)
		lg->sessions_live--;
	if (*slot)
		call_set(slot, a->tunnel_id, a->session_id, CALL_GONE);
	note_down(lg, a, false);
}

static void kernel_request(struct loadgen *lg, const struct engine_action *a)
{
	if (lg->n_kernel == lg->cap_kernel) {
		size_t cap = lg->cap_kernel ? 2 * lg->cap_kernel : 64;
		struct engine_kernel_result *v = realloc(lg->kernel, cap * sizeof(*v));

		if (!v) {
			lg->out_of_memory = true;
			return;
		}
		lg->kernel = v;
		lg->cap_kernel = cap;
	}
	lg->kernel[lg->n_kernel++] = (struct engine_kernel_result){
		.request = a->type, .tunnel_id = a->tunnel_id, .session_id = a->session_id, .err = 0
	};
}

static void carry_out(struct loadgen *lg, const struct engine_action *a, uint64_t now)
{
	switch (a->type) {
	case ENGINE_SEND:
		send_datagram(lg, a);
		break;
	case ENGINE_TUNNEL_UP:
		tunnel_up(lg, a, now);
		break;
	case ENGINE_TUNNEL_DOWN:
		tunnel_down(lg, a);
		break;
	case ENGINE_TUNNEL_RELEASED:
		tunnel_released(lg, a);
		break;
	case ENGINE_KERNEL_TUNNEL_CREATE:
	case ENGINE_KERNEL_SESSION_CREATE:
		kernel_request(lg, a);
		break;
	case ENGINE_SESSION_UP:
		session_up(lg, a, now);
		break;
	case ENGINE_SESSION_DOWN:
		session_down(lg, a);
		break;
	case ENGINE_LOG:
		/* Closing every tunnel is worth no line per tunnel, unless asked for. */
		if (lg->phase < PH_CLOSE || lg->o->verbose)
			fprintf(stderr, "loadgen: engine: %s\n", a->log.text);
		break;
	default: /* deletes need no answer; no group calls, no persisted state */
		break;
	}
}

/* Carries out what the engine asked for, then feeds it the kernel's answers (success). */
static void drain_actions(struct loadgen *lg, uint64_t now)
{
	do {
		size_t n;
		const struct engine_action *v = engine_actions(lg->e, &n);

		lg->n_kernel = 0;
		for (size_t i = 0; i < n; i++)
			carry_out(lg, &v[i], now);
		engine_actions_clear(lg->e);
		for (size_t i = 0; i < lg->n_kernel; i++)
			engine_kernel_done(lg->e, now, &lg->kernel[i]);
	} while (lg->n_kernel);
}

static void read_socket(struct loadgen *lg, struct lg_tunnel *t, uint64_t now)
{
	for (int i = 0; i < READ_BATCH; i++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		struct l2tp_addr peer;
		struct l2tp_header h;
		const char *why;
		ssize_t n = recvfrom(t->fd, rx_buf, sizeof(rx_buf), 0, (struct sockaddr *)&from, &flen);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (sockaddr_to_l2tp((struct sockaddr *)&from, flen, &peer) < 0)
			continue;
		/* PPP from the LNS (pppd's LCP): no data path here, so only counted. */
		if (header_parse(rx_buf, (size_t)n, &h, &why) == 0 && !h.control) {
			lg->r->data_frames++;
			continue;
		}
		engine_recv(lg->e, now, &t->local, &peer, rx_buf, (size_t)n);
		drain_actions(lg, now);
	}
}

static void open_tunnels(struct loadgen *lg, uint64_t now)
{
	while (lg->next_open < lg->o->tunnels && lg->opening < lg->o->open_burst) {
		uint32_t i = lg->next_open++;
		struct lg_tunnel *t = &lg->t[i];
		uint16_t id;
		int err = engine_open_tunnel(lg->e, now, &t->local, &lg->o->lns, &id);

		if (err < 0) {
			lg->r->tunnels_not_opened++;
			lg->r->open_error = err;
			t->state = LG_DOWN;
		} else {
			t->id = id;
			t->state = LG_OPENING;
			lg->by_id[id] = i + 1;
			lg->opening++;
		}
		drain_actions(lg, now);
	}
}

/* Each up tunnel's calls, until the engine says -EBUSY (its queue is full): tried again later. */
static void place_calls(struct loadgen *lg, uint64_t now)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < lg->n_placing; i++) {
		struct lg_tunnel *t = &lg->t[lg->placing[i]];

		while (t->calls_left && t->state == LG_UP) {
			uint16_t sid;
			int err = engine_place_call(lg->e, now, t->id, ENGINE_CALL_INCOMING, NULL, &sid);

			if (err == -EBUSY)
				break;
			if (err < 0) {
				lg->r->calls_not_placed += t->calls_left;
				lg->r->place_error = err;
				t->calls_left = 0;
			} else {
				t->calls_left--;
				call_set(call_slot(lg, t->id, sid), t->id, sid, CALL_PENDING);
				lg->pending++;
			}
			drain_actions(lg, now);
		}
		if (t->calls_left && t->state == LG_UP)
			lg->placing[kept++] = lg->placing[i];
	}
	lg->n_placing = kept;
}

static int count_queued(const struct engine_tunnel_view *v, void *arg)
{
	struct lg_result *r = arg;

	r->unacked_messages += v->queued;
	r->unacked_tunnels += v->queued > 0;
	return 0;
}

static void progress(const struct loadgen *lg, uint64_t now)
{
	fprintf(stderr, "loadgen: %.1f s: tunnels %u/%u up, sessions %u/%u up, %u refused\n",
		since_t0(lg, now), lg->tunnels_live, lg->o->tunnels, lg->sessions_live,
		lg->o->tunnels * lg->o->sessions, lg->r->refused);
}

static void enter(struct loadgen *lg, enum lg_phase phase, uint64_t now, uint64_t duration_ms)
{
	lg->phase = phase;
	lg->phase_started = now;
	lg->phase_end = now + duration_ms;
}

static void start_close(struct loadgen *lg, uint64_t now)
{
	static const struct engine_disconnect why = { .result = L2TP_RC_STOPCCN_CLEAR,
						      .message = "load generator done" };

	enter(lg, PH_CLOSE, now, CLOSE_WAIT_MS);
	lg->next_close_check = now;
	for (uint32_t i = 0; i < lg->o->tunnels; i++)
		if ((lg->t[i].state == LG_OPENING || lg->t[i].state == LG_UP) &&
		    engine_close_tunnel(lg->e, now, lg->t[i].id, &why) == 0) {
			lg->r->closed++;
			drain_actions(lg, now);
		}
	fprintf(stderr, "loadgen: %.1f s: closing %u tunnels\n", since_t0(lg, now), lg->r->closed);
}

static void end_setup(struct loadgen *lg, uint64_t now, bool timed_out)
{
	struct engine_stats st;

	engine_get_stats(lg->e, &st);
	lg->r->setup_sent = st.messages_sent;
	lg->r->setup_retransmitted = st.retransmissions;
	lg->r->t_setup = now - lg->t0;
	lg->r->timed_out = timed_out;
	lg->r->left_opening = lg->opening + lg->o->tunnels - lg->next_open;
	lg->r->left_pending = lg->pending;
	for (uint32_t i = 0; i < lg->n_placing; i++)
		lg->r->left_unplaced += lg->t[lg->placing[i]].calls_left;
	lg->n_placing = 0;
	fprintf(stderr, "loadgen: %.1f s: setup %s\n", since_t0(lg, now),
		timed_out ? "given up (--timeout)" : "done");
	if (timed_out)
		start_close(lg, now);
	else
		enter(lg, PH_SETTLE, now, SETTLE_MS);
}

/* Every StopCCN acknowledged (a closing tunnel is kept for retransmissions long after). */
static bool close_done(struct loadgen *lg, uint64_t now)
{
	struct engine_stats st;

	if (now < lg->next_close_check)
		return false;
	lg->next_close_check = now + CLOSE_CHECK_MS;
	engine_get_stats(lg->e, &st);
	lg->r->close_unacked = st.tunnels_awaiting_ack;
	return st.tunnels_awaiting_ack == 0;
}

static void step(struct loadgen *lg, uint64_t now)
{
	switch (lg->phase) {
	case PH_SETUP:
		open_tunnels(lg, now);
		place_calls(lg, now);
		if (lg->next_open == lg->o->tunnels && !lg->opening && !lg->n_placing && !lg->pending)
			end_setup(lg, now, false);
		else if (now >= lg->phase_end || stop_asked)
			end_setup(lg, now, true);
		break;
	case PH_SETTLE:
		if (now < lg->phase_end && !stop_asked)
			break;
		engine_walk_tunnels(lg->e, count_queued, lg->r);
		if (lg->o->hold_s)
			fprintf(stderr, "loadgen: %.1f s: holding %u s\n", since_t0(lg, now), lg->o->hold_s);
		enter(lg, PH_HOLD, now, (uint64_t)lg->o->hold_s * 1000);
		break;
	case PH_HOLD:
		if (now >= lg->phase_end || stop_asked) {
			lg->r->hold_ms = now - lg->phase_started;
			start_close(lg, now);
		}
		break;
	case PH_CLOSE:
		if (close_done(lg, now) || now >= lg->phase_end) {
			lg->r->close_ms = now - lg->phase_started;
			lg->phase = PH_DONE;
		}
		break;
	case PH_DONE:
		break;
	}
}

static int wait_ms(const struct loadgen *lg, uint64_t now)
{
	uint64_t at = engine_next_deadline(lg->e);

	if (lg->next_progress < at)
		at = lg->next_progress;
	if (lg->phase_end < at)
		at = lg->phase_end;
	if (lg->n_placing && now + RETRY_MS < at)
		at = now + RETRY_MS;
	if (lg->phase == PH_CLOSE && lg->next_close_check < at)
		at = lg->next_close_check;
	return at <= now ? 0 : at - now > MAX_WAIT_MS ? MAX_WAIT_MS : (int)(at - now);
}

static int loop(struct loadgen *lg)
{
	struct epoll_event ev[64];
	uint64_t now = now_ms();

	lg->t0 = now;
	lg->next_progress = now + PROGRESS_MS;
	enter(lg, PH_SETUP, now, (uint64_t)lg->o->timeout_s * 1000);
	for (;;) {
		int n;

		step(lg, now);
		if (lg->phase == PH_DONE)
			return 0;
		if (lg->out_of_memory) {
			fprintf(stderr, "loadgen: out of memory\n");
			return -ENOMEM;
		}
		n = epoll_wait(lg->ep, ev, sizeof(ev) / sizeof(ev[0]), wait_ms(lg, now));
		if (n < 0 && errno != EINTR) {
			int err = -errno;

			perror("loadgen: epoll_wait");
			return err;
		}
		now = now_ms();
		for (int i = 0; i < n; i++)
			read_socket(lg, &lg->t[ev[i].data.u32], now);
		if (engine_next_deadline(lg->e) <= now) {
			engine_tick(lg->e, now);
			drain_actions(lg, now);
		}
		if (now >= lg->next_progress) {
			progress(lg, now);
			lg->next_progress = now + PROGRESS_MS;
		}
	}
}

/* One socket per tunnel (T of them): the soft limit on descriptors goes up to the hard one. */
static int raise_fd_limit(uint32_t tunnels)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)tunnels + 16;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		fprintf(stderr, "loadgen: %u tunnels need %llu descriptors; the hard limit is %llu\n",
			tunnels, (unsigned long long)need, (unsigned long long)rl.rlim_cur);
		return -EMFILE;
	}
	return 0;
}

/* Tunnel i's socket: bound to the next --local address in turn (or any) with an ephemeral port. */
static int open_socket(struct loadgen *lg, uint32_t i)
{
	const struct lg_opts *o = lg->o;
	struct lg_tunnel *t = &lg->t[i];
	struct l2tp_addr bind_to = { .family = o->lns.family };
	struct sockaddr_storage ss;
	socklen_t len;
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
	char s[L2TP_ADDR_STRLEN];
	int err = 0;

	if (o->n_locals)
		bind_to = o->locals[i % o->n_locals];
	len = sockaddr_from_l2tp(&bind_to, &ss);
	t->fd = socket(bind_to.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0 || bind(t->fd, (struct sockaddr *)&ss, len) < 0)
		err = -errno;
	len = sizeof(ss);
	if (!err && getsockname(t->fd, (struct sockaddr *)&ss, &len) < 0)
		err = -errno;
	if (!err)
		err = sockaddr_to_l2tp((struct sockaddr *)&ss, len, &t->local);
	if (!err && epoll_ctl(lg->ep, EPOLL_CTL_ADD, t->fd, &ev) < 0)
		err = -errno;
	if (err < 0) {
		fprintf(stderr, "loadgen: socket %u of %u, bound to %s: %s%s\n", i + 1, o->tunnels,
			l2tp_addr_str(&bind_to, s), strerror(-err),
			err == -EADDRINUSE ? " (no ephemeral port left: add --local addresses)" : "");
		return err;
	}
	t->next_same_port = lg->by_port[t->local.port];
	lg->by_port[t->local.port] = i + 1;
	return 0;
}

static int setup(struct loadgen *lg, const struct lg_opts *o, struct lg_result *r)
{
	size_t slots = 64;
	char why[128];
	int err;

	lg->o = o;
	lg->r = r;
	lg->ep = -1;
	engine_config_defaults(&lg->cfg);
	lg->cfg.host_name = o->host_name;
	lg->cfg.secret = o->secret;
	lg->cfg.accept_tunnels = false; /* a LAC: it opens its tunnels */
	lg->cfg.random = random_octets;
	lg->cfg.log_level = o->verbose ? ENGINE_LOG_INFO : ENGINE_LOG_WARNING;
	if (o->retries >= 0)
		lg->cfg.xport.rtx_retries = (uint8_t)o->retries;
	if (engine_config_validate(&lg->cfg, why, sizeof(why)) < 0) {
		fprintf(stderr, "loadgen: %s\n", why);
		return -EINVAL;
	}
	while (slots < 2 * (size_t)o->tunnels * o->sessions)
		slots *= 2;
	lg->calls_mask = slots - 1;
	lg->calls = calloc(slots, sizeof(*lg->calls));
	lg->placing = calloc(o->tunnels, sizeof(*lg->placing));
	lg->t = calloc(o->tunnels, sizeof(*lg->t));
	for (uint32_t i = 0; lg->t && i < o->tunnels; i++)
		lg->t[i].fd = -1;
	lg->e = engine_new(&lg->cfg);
	if (!lg->calls || !lg->placing || !lg->t || !lg->e) {
		fprintf(stderr, "loadgen: out of memory\n");
		return -ENOMEM;
	}
	err = raise_fd_limit(o->tunnels);
	if (err < 0) {
		if (err != -EMFILE)
			fprintf(stderr, "loadgen: descriptor limit: %s\n", strerror(-err));
		return err;
	}
	lg->ep = epoll_create1(EPOLL_CLOEXEC);
	if (lg->ep < 0) {
		err = -errno;
		perror("loadgen: epoll_create1");
		return err;
	}
	for (uint32_t i = 0; i < o->tunnels && !err; i++)
		err = open_socket(lg, i);
	return err;
}

static void teardown(struct loadgen *lg)
{
	for (uint32_t i = 0; lg->t && i < lg->o->tunnels; i++)
		if (lg->t[i].fd >= 0)
			close(lg->t[i].fd);
	if (lg->ep >= 0)
		close(lg->ep);
	engine_free(lg->e);
	free(lg->t);
	free(lg->placing);
	free(lg->calls);
	free(lg->kernel);
	free(lg);
}

int loadgen_run(const struct lg_opts *o, struct lg_result *r)
{
	struct loadgen *lg = calloc(1, sizeof(*lg));
	int err;

	*r = (struct lg_result){ .t_tunnels = LG_NOT_REACHED,
				 .t_first = LG_NOT_REACHED,
				 .t_1000 = LG_NOT_REACHED,
				 .t_all = LG_NOT_REACHED };
	if (!lg) {
		fprintf(stderr, "loadgen: out of memory\n");
		return -ENOMEM;
	}
	err = catch_stop_signals();
	if (!err)
		err = setup(lg, o, r);
	if (!err)
		err = loop(lg);
	if (!err)
		engine_get_stats(lg->e, &r->stats);
	teardown(lg);
	return err;
}
