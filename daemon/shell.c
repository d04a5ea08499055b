/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shell's core: it feeds the engine (packets, timer, commands), carries out the actions it
 * returns in order, and gives the engine the results of what it asked for. Results are not
 * given back while actions are being carried out, because that would add actions to the list
 * being walked: they wait in a small queue and are fed once the list is done (see
 * shell_engine_done).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "ctl_server.h"
#include "fd_vault.h"
#include "kglue.h"
#include "sd_job.h"
#include "shell_int.h"
#include "state_store.h"

/* The shortest time between two STATUS= lines to systemd. */
#define STATUS_INTERVAL_MS 1000

uint64_t shell_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void defer(struct shell *sh, const struct deferred *d)
{
	if (sh->n_deferred == sh->cap_deferred) {
		size_t cap = sh->cap_deferred ? 2 * sh->cap_deferred : 16;
		struct deferred *p = realloc(sh->deferred, cap * sizeof(*p));

		if (!p) {
			log_err("out of memory: an engine result is lost");
			return;
		}
		sh->deferred = p;
		sh->cap_deferred = cap;
	}
	sh->deferred[sh->n_deferred++] = *d;
}

void shell_emit(struct shell *sh, const struct shell_event *ev)
{
	if (sh->ctl)
		ctl_server_event(sh->ctl, ev);
}

static void emit_action(struct shell *sh, enum shell_event_type type, const struct engine_action *a)
{
	struct sh_tunnel *t = shell_tunnel_find(sh, a->tunnel_id);
	struct shell_event ev = { .type = type,
				  .tunnel_id = a->tunnel_id,
				  .peer_tunnel_id = a->peer_tunnel_id,
				  .session_id = a->session_id,
				  .peer_session_id = a->peer_session_id };

	if (t)
		ev.peer = t->peer;
	if (type == SHELL_EV_TUNNEL_DOWN || type == SHELL_EV_SESSION_DOWN) {
		ev.result = a->down.why.result;
		ev.error = a->down.why.error;
		ev.message = a->down.why.message;
		ev.by_peer = a->down.by_peer;
	} else if (type == SHELL_EV_REQUEST_DONE) {
		ev.request_id = a->request.id;
		ev.request_ok = a->request.ok;
		ev.failovers = a->request.failovers;
		ev.result = a->request.why.result;
		ev.error = a->request.why.error;
		ev.message = a->request.why.message;
	}
	shell_emit(sh, &ev);
}

static void kernel_tunnel_create(struct shell *sh, const struct engine_action *a)
{
	struct sh_tunnel *t = shell_tunnel_find(sh, a->tunnel_id);
	int r;

	/* Read while the socket carries no data: the read locks it (kglue.h). */
	if (t)
		shell_tunnel_read_mtu(t);
	r = t ? kglue_tunnel_create(sh->kglue, a->tunnel_id, a->peer_tunnel_id, t->fd) : -ENOENT;

	if (r < 0)
		log_obj(ENGINE_LOG_ERR,
			&(struct log_obj){ .tunnel_id = a->tunnel_id,
					   .peer_tunnel_id = a->peer_tunnel_id,
					   .peer = t ? &t->peer : NULL },
			"tunnel %u/%u: kernel tunnel: %s", a->tunnel_id, a->peer_tunnel_id, strerror(-r));
	else
		t->kernel_created = true;
	defer(sh, &(struct deferred){ .type = DEFER_KERNEL_DONE,
				  .kernel = { .request = a->type, .tunnel_id = a->tunnel_id, .err = r } });
}

static void kernel_tunnel_delete(struct shell *sh, const struct engine_action *a)
{
	struct sh_tunnel *t = shell_tunnel_find(sh, a->tunnel_id);
	int r = kglue_tunnel_delete(sh->kglue, a->tunnel_id);

	if (r < 0 && r != -ENODEV)
		log_obj(ENGINE_LOG_WARNING, &(struct log_obj){ .tunnel_id = a->tunnel_id },
			"tunnel %u: kernel delete: %s", a->tunnel_id, strerror(-r));
	if (t)
		t->kernel_created = false;
}

/* The engine names the peer in its text; the journal gets it as a field too. */
static void log_action(struct shell *sh, const struct engine_action *a)
{
	struct sh_tunnel *t = a->tunnel_id ? shell_tunnel_find(sh, a->tunnel_id) : NULL;
	struct log_obj o = { .tunnel_id = a->tunnel_id,
			     .peer_tunnel_id = a->peer_tunnel_id,
			     .session_id = a->session_id,
			     .peer_session_id = a->peer_session_id,
			     .peer = t ? &t->peer : NULL };

	log_obj(a->log.level, &o, "%s", a->log.text);
}

/* A group call (l2tpctl session add group) is up where it landed, or failed everywhere. */
static void request_done(struct shell *sh, const struct engine_action *a)
{
	struct log_obj o = { .tunnel_id = a->tunnel_id, .session_id = a->session_id };

	if (a->request.ok)
		log_obj(ENGINE_LOG_INFO, &o, "group call %u up as session %u/%u after %u failover(s)", a->request.id,
			a->tunnel_id, a->session_id, a->request.failovers);
	else
		log_obj(ENGINE_LOG_WARNING, &o, "group call %u failed after %u failover(s): result %u error %u%s%s",
			a->request.id, a->request.failovers, a->request.why.result, a->request.why.error,
			*a->request.why.message ? ": " : "", a->request.why.message);
	emit_action(sh, SHELL_EV_REQUEST_DONE, a);
}

static void carry_out(struct shell *sh, const struct engine_action *a)
{
	int r;

	switch (a->type) {
	case ENGINE_SEND:
		shell_send(sh, a);
		if (a->tunnel_id && !shell_tunnel_find(sh, a->tunnel_id))
			defer(sh, &(struct deferred){ .type = DEFER_CLOSE_TUNNEL, .tunnel_id = a->tunnel_id });
		break;
	case ENGINE_TUNNEL_UP:
		emit_action(sh, SHELL_EV_TUNNEL_UP, a);
		break;
	case ENGINE_TUNNEL_DOWN:
		emit_action(sh, SHELL_EV_TUNNEL_DOWN, a);
		break;
	case ENGINE_TUNNEL_RELEASED:
		shell_tunnel_close(sh, shell_tunnel_find(sh, a->tunnel_id));
		break;
	case ENGINE_KERNEL_TUNNEL_CREATE:
		kernel_tunnel_create(sh, a);
		break;
	case ENGINE_KERNEL_TUNNEL_DELETE:
		kernel_tunnel_delete(sh, a);
		break;
	case ENGINE_KERNEL_SESSION_CREATE:
		shell_kernel_session_create(sh, a, &r);
		defer(sh, &(struct deferred){ .type = DEFER_KERNEL_DONE,
					  .kernel = { .request = a->type,
						      .tunnel_id = a->tunnel_id,
						      .session_id = a->session_id,
						      .err = r } });
		break;
	case ENGINE_KERNEL_SESSION_DELETE:
		shell_kernel_session_delete(sh, a);
		break;
	case ENGINE_SESSION_UP:
		shell_session_up(sh, a, &r);
		if (r < 0)
			defer(sh, &(struct deferred){ .type = DEFER_PPPD_EXIT,
						  .tunnel_id = a->tunnel_id,
						  .session_id = a->session_id,
						  .status = 127 });
		else
			emit_action(sh, SHELL_EV_SESSION_UP, a);
		break;
	case ENGINE_SESSION_DOWN:
		shell_session_down(sh, a);
		emit_action(sh, SHELL_EV_SESSION_DOWN, a);
		break;
	case ENGINE_SESSION_INFO:
		log_obj(ENGINE_LOG_INFO, &(struct log_obj){ .tunnel_id = a->tunnel_id, .session_id = a->session_id },
			"tunnel %u session %u: %s from the peer", a->tunnel_id, a->session_id,
			a->info.msg_type == L2TP_MSG_WEN ? "WAN-Error-Notify" : "Set-Link-Info");
		break;
	case ENGINE_REQUEST_DONE:
		request_done(sh, a);
		break;
	case ENGINE_LOG:
		log_action(sh, a);
		break;
	case ENGINE_STATE_PUT:
	case ENGINE_STATE_DROP:
		shell_persist_state(sh, a);
		break;
	}
}

static void send_status(struct shell *sh)
{
	uint32_t tunnels, sessions;

	engine_count_established(sh->engine, &tunnels, &sessions);
	if (tunnels == sh->status_tunnels && sessions == sh->status_sessions)
		return;
	sh->status_tunnels = tunnels;
	sh->status_sessions = sessions;
	sh->status_sent_at = shell_now();
	sd_notifyf(0, "STATUS=%u tunnels, %u sessions established", tunnels, sessions);
}

static int on_status_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
	send_status(userdata);
	return 0;
}

/*
 * After every batch of engine work, so it reads two counters and tells systemd at most once
 * every STATUS_INTERVAL_MS: thousands of sessions a second must not become as many messages
 * to PID 1. A change within the interval is sent when it ends.
 */
static void update_status(struct shell *sh)
{
	uint32_t tunnels, sessions;

	engine_count_established(sh->engine, &tunnels, &sessions);
	if (tunnels == sh->status_tunnels && sessions == sh->status_sessions)
		return;
	if (shell_now() >= sh->status_sent_at + STATUS_INTERVAL_MS) {
		send_status(sh);
		return;
	}
	if (!sh->status_timer &&
	    sd_event_add_time(sh->ev, &sh->status_timer, CLOCK_MONOTONIC, 0, 1000, on_status_timer, sh) < 0) {
		send_status(sh); /* no timer: sent now rather than never */
		return;
	}
	sd_event_source_set_time(sh->status_timer, (sh->status_sent_at + STATUS_INTERVAL_MS) * 1000);
	sd_event_source_set_enabled(sh->status_timer, SD_EVENT_ONESHOT);
}

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct shell *sh = userdata;

	engine_tick(sh->engine, shell_now());
	shell_engine_done(sh);
	return 0;
}

static void arm_timer(struct shell *sh)
{
	uint64_t at = engine_next_deadline(sh->engine);

	if (at == UINT64_MAX) {
		sd_event_source_set_enabled(sh->timer, SD_EVENT_OFF);
		return;
	}
	sd_event_source_set_time(sh->timer, at * 1000);
	sd_event_source_set_enabled(sh->timer, SD_EVENT_ONESHOT);
}

static void feed_deferred(struct shell *sh, const struct deferred *d)
{
	static const struct engine_disconnect no_socket = { .result = 2, .message = "no socket for the tunnel" };

	switch (d->type) {
	case DEFER_KERNEL_DONE:
		engine_kernel_done(sh->engine, shell_now(), &d->kernel);
		break;
	case DEFER_PPPD_EXIT:
		engine_pppd_exit(sh->engine, shell_now(), d->tunnel_id, d->session_id, d->status);
		break;
	case DEFER_CLOSE_TUNNEL:
		(void)engine_close_tunnel(sh->engine, shell_now(), d->tunnel_id, &no_socket);
		break;
	}
}

void shell_engine_done(struct shell *sh)
{
	for (;;) {
		size_t n;
		const struct engine_action *a = engine_actions(sh->engine, &n);
		struct deferred d;

		for (size_t i = 0; i < n; i++)
			carry_out(sh, &a[i]);
		engine_actions_clear(sh->engine);
		if (!sh->n_deferred)
			break;
		/* First in, first out; taken off the queue before feeding, which may add more. */
		d = sh->deferred[0];
		memmove(sh->deferred, sh->deferred + 1, --sh->n_deferred * sizeof(*sh->deferred));
		feed_deferred(sh, &d);
	}
	arm_timer(sh);
	update_status(sh);
}

static void random_octets(void *arg, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t r = getrandom(p, n, 0);

		if (r < 0) {
			/* Only EINTR is possible once the pool is initialised (random(4)). */
			continue;
		}
		p += r;
		n -= (size_t)r;
	}
}

static struct conf_ref *conf_ref_new(struct shell *sh, struct l2tpkd_conf *c)
{
	struct conf_ref *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	c->engine.random = random_octets;
	c->engine.persist_state = true; /* the state store (shell_persist.c) */
	if (sh->debug)
		c->engine.log_level = ENGINE_LOG_DEBUG;
	r->conf = c;
	r->refs = 1;
	return r;
}

void shell_conf_ref_put(struct shell *sh, struct conf_ref *r)
{
	if (r && !--r->refs) {
		conf_free(r->conf);
		free(r);
	}
}

/* The kernel removed one of our objects behind our back (ip l2tp del ...): the call is over. */
static void on_kernel_event(const struct kglue_event *ev, void *arg)
{
	static const struct engine_disconnect removed = { .result = 2, .message = "removed from the kernel" };
	struct shell *sh = arg;
	struct sh_session *s;
	struct sh_tunnel *t;
	struct kglue_session_info si;
	struct kglue_tunnel_info ti;

	switch (ev->type) {
	case KGLUE_SESSION_DELETED:
		s = shell_session_find(sh, ev->tunnel_id, ev->session_id);
		/* Events come from every namespace: only our own kernel's word counts. */
		if (!s || s->down || kglue_session_get(sh->kglue, ev->tunnel_id, ev->session_id, &si) != -ENODEV)
			return;
		(void)engine_close_session(sh->engine, shell_now(), ev->tunnel_id, ev->session_id, &removed);
		break;
	case KGLUE_TUNNEL_DELETED:
		t = shell_tunnel_find(sh, ev->tunnel_id);
		if (!t || !t->kernel_created || kglue_tunnel_get(sh->kglue, ev->tunnel_id, &ti) != -ENODEV)
			return;
		t->kernel_created = false;
		(void)engine_close_tunnel(sh->engine, shell_now(), ev->tunnel_id, &removed);
		break;
	case KGLUE_EVENTS_LOST:
		log_warning("kernel events lost (socket overflow)");
		return;
	default:
		return;
	}
	shell_engine_done(sh);
}

static int on_kernel_events(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct shell *sh = userdata;
	int r = kglue_event_read(sh->kglue, on_kernel_event, sh);

	if (r < 0 && r != -EAGAIN)
		log_debug("kernel events: %s", strerror(-r));
	return 0;
}

static int collect_tunnel(const struct engine_tunnel_view *v, void *arg)
{
	struct { uint16_t *ids; size_t n; } *c = arg;

	c->ids[c->n++] = v->tunnel_id;
	return 0;
}

/* StopCCN to every peer (RFC 2661 §4.4.2 result 6: requester is being shut down). */
static void close_all_tunnels(struct shell *sh, const struct engine_disconnect *why)
{
	struct engine_stats st;
	struct { uint16_t *ids; size_t n; } c = { NULL, 0 };

	engine_get_stats(sh->engine, &st);
	c.ids = calloc(st.tunnels + 1, sizeof(*c.ids));
	if (!c.ids)
		return;
	engine_walk_tunnels(sh->engine, collect_tunnel, &c);
	for (size_t i = 0; i < c.n; i++)
		(void)engine_close_tunnel(sh->engine, shell_now(), c.ids[i], why);
	free(c.ids);
	shell_engine_done(sh);
}

/* Stopping: exit once every StopCCN is acknowledged, or after STOP_WAIT_MS. */
#define STOP_WAIT_MS 3000
static int on_stop_poll(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct shell *sh = userdata;
	struct engine_stats st;

	engine_get_stats(sh->engine, &st);
	if (!st.tunnels_awaiting_ack || shell_now() >= sh->stop_deadline) {
		if (st.tunnels_awaiting_ack)
			log_notice("%u peers did not acknowledge the StopCCN in time", st.tunnels_awaiting_ack);
		sd_event_exit(sh->ev, sh->exit_code);
		return 0;
	}
	sd_event_source_set_time_relative(src, 100 * 1000);
	sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
	return 0;
}

/*
 * Leaves everything to the next process: the state is written already, systemd holds the
 * fds (or the exec passes them), pppd keeps running; nothing is sent to any peer.
 */
static void hand_over(struct shell *sh, bool exec)
{
	/* A session still waiting for its pppd would not survive: it has no record. */
	shell_pppd_start_all(sh);
	sh->stopping = true;
	sh->handing_over = true;
	sh->exec_requested = exec;
	sd_notify(0, exec ? "RELOADING=1\nSTATUS=restarting in place" : "STOPPING=1\nSTATUS=restarting");
	sd_event_exit(sh->ev, 0);
}

int shell_restart(struct shell *sh)
{
	if (sh->stopping)
		return -ESHUTDOWN;
	if (!sh->store)
		return -ENOENT;
	log_notice("restart in place requested: the sessions stay up");
	hand_over(sh, true);
	return 0;
}

static int on_restart_signal(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata)
{
	(void)shell_restart(userdata);
	return 0;
}

static int on_terminate(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata)
{
	static const struct engine_disconnect stopping = { .result = 6, .message = "l2tpkd is stopping" };
	struct shell *sh = userdata;
	char why[256];

	if (sh->stopping)
		return 0;
	/* systemctl restart: the next process takes over (SIGINT is an operator's Ctrl-C: a stop). */
	if (si->ssi_signo == SIGTERM) {
		int r = sd_job_is_restart(why, sizeof(why));

		if (r == 1) {
			log_notice("systemd restarts l2tpkd: handing over, the sessions stay up");
			hand_over(sh, false);
			return 0;
		}
		if (r < 0)
			log_warning("cannot tell a restart from a stop (%s): stopping", why);
		else
			log_info("SIGTERM: %s: stopping", why);
	}
	sh->stopping = true;
	log_notice("stopping on signal %u: StopCCN to every peer", si->ssi_signo);
	sd_notify(0, "STOPPING=1");
	close_all_tunnels(sh, &stopping);
	sh->stop_deadline = shell_now() + STOP_WAIT_MS;
	if (sd_event_add_time_relative(sh->ev, NULL, CLOCK_MONOTONIC, 0, 0, on_stop_poll, sh) < 0)
		sd_event_exit(sh->ev, sh->exit_code);
	return 0;
}

static int on_hangup(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata)
{
	char why[256];

	(void)shell_reload(userdata, why, sizeof(why));
	return 0;
}

int shell_reload(struct shell *sh, char *why, size_t why_len)
{
	char *errs = NULL, *line, *save;
	size_t errs_len = 0;
	FILE *err = open_memstream(&errs, &errs_len);
	struct l2tpkd_conf *c = NULL;
	struct conf_ref *ref;
	int r;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)shell_now() * 1000);
	r = err ? conf_load(sh->conf_path, &c, err) : -ENOMEM;
	if (err)
		fclose(err);
	if (r < 0 || !(ref = conf_ref_new(sh, c))) {
		unsigned n = 0;

		for (line = errs ? strtok_r(errs, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save), n++)
			log_err("reload: %s", line);
		snprintf(why, why_len, "%s has %u error%s (see the log): the configuration in use is kept",
			 sh->conf_path, n, n == 1 ? "" : "s");
		log_err("reload: %s", why);
		conf_free(c);
		free(errs);
		sd_notify(0, "READY=1");
		return r < 0 ? r : -ENOMEM;
	}
	free(errs);
	if (c->n_listen != sh->conf->conf->n_listen ||
	    memcmp(c->listen, sh->conf->conf->listen, c->n_listen * sizeof(c->listen[0])))
		log_notice("reload: the listen addresses change at the next restart");
	shell_conf_ref_put(sh, sh->conf);
	sh->conf = ref;
	log_set_level(c->engine.log_level);
	engine_set_config(sh->engine, &c->engine);
	shell_pool_configure(sh);
	log_notice("reloaded %s: new tunnels use it", sh->conf_path);
	shell_emit(sh, &(struct shell_event){ .type = SHELL_EV_RELOAD });
	sd_notify(0, "READY=1");
	return 0;
}

int shell_new(struct shell **out, struct l2tpkd_conf *conf, const struct shell_options *opt, char *why, size_t why_len)
{
	struct shell *sh = calloc(1, sizeof(*sh));
	sigset_t mask;
	int r;

	if (!sh)
		return -ENOMEM;
	*out = sh;
	hmap_init(&sh->tunnels);
	hmap_init(&sh->sessions);
	sh->conf_path = opt->conf_path;
	sh->debug = opt->debug;
	sh->conf = conf_ref_new(sh, conf);
	if (!sh->conf) {
		conf_free(conf);
		return -ENOMEM;
	}
	log_set_level(conf->engine.log_level);
	shell_pool_configure(sh);
	r = kglue_open(&sh->kglue, why, why_len);
	if (r < 0)
		return r;
	r = kglue_pppd_init();
	if (r < 0) {
		snprintf(why, why_len, "cannot open /dev/null for pppd's stdin: %s", strerror(-r));
		return r;
	}
	sh->engine = engine_new(&conf->engine);
	if (!sh->engine || (r = sd_event_default(&sh->ev)) < 0) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((r = sd_event_add_signal(sh->ev, NULL, SIGTERM, on_terminate, sh)) < 0 ||
	    (r = sd_event_add_signal(sh->ev, NULL, SIGINT, on_terminate, sh)) < 0 ||
	    (r = sd_event_add_signal(sh->ev, NULL, SIGHUP, on_hangup, sh)) < 0 ||
	    (r = sd_event_add_signal(sh->ev, NULL, SIGUSR2, on_restart_signal, sh)) < 0 ||
	    /* 1 ms: the engine's resolution (0 would let sd-event fire up to 250 ms late). */
	    (r = sd_event_add_time(sh->ev, &sh->timer, CLOCK_MONOTONIC, UINT64_MAX, 1000, on_timer, sh)) < 0 ||
	    (r = sd_event_add_io(sh->ev, &sh->kernel_events, kglue_event_fd(sh->kglue), EPOLLIN, on_kernel_events,
				 sh)) < 0 ||
	    (r = shell_pppd_starts_open(sh)) < 0 ||
	    (r = sd_event_set_watchdog(sh->ev, true)) < 0) {
		snprintf(why, why_len, "event loop: %s", strerror(-r));
		return r;
	}
	r = shell_listeners_open(sh, why, why_len);
	if (r < 0)
		return r;
	sh->argv = opt->argv;
	r = shell_persist_start(sh, why, why_len);
	if (r < 0)
		return r;
	r = ctl_server_new(sh->ev, sh, opt->ctl_path, &sh->ctl, why, why_len);
	if (r < 0)
		return r;
	return 0;
}

int shell_run(struct shell *sh)
{
	int r;

	sd_notifyf(0, "READY=1\nSTATUS=0 tunnels, 0 sessions established\nMAINPID=%d", (int)getpid());
	log_notice("l2tpkd " PACKAGE_VERSION " running");
	r = sd_event_loop(sh->ev);
	if (sh->exec_requested)
		(void)shell_persist_exec(sh);
	/* pppd of every session is stopped (and killed if it must be) before the daemon leaves. */
	if (!sh->handing_over)
		shell_sessions_stop_all(sh, 5000);
	return r < 0 ? 1 : r;
}

void shell_free(struct shell *sh)
{
	struct hnode *n;

	if (!sh)
		return;
	ctl_server_free(sh->ctl);
	/* Handing over, pppd, the kernel objects and the fd store stay as they are. */
	if (!sh->handing_over)
		shell_sessions_stop_all(sh, 0);
	while ((n = hmap_iter(&sh->sessions, NULL))) {
		struct sh_session *s = hmap_entry(n, struct sh_session, by_key);

		shell_session_release(sh, s);
	}
	while ((n = hmap_iter(&sh->tunnels, NULL))) {
		struct sh_tunnel *t = hmap_entry(n, struct sh_tunnel, by_id);

		if (t->kernel_created && !sh->handing_over)
			(void)kglue_tunnel_delete(sh->kglue, t->id);
		shell_tunnel_close(sh, t);
	}
	shell_listeners_close(sh);
	state_store_free(sh->store);
	sd_event_source_disable_unref(sh->vault_settle);
	fd_vault_free(sh->vault);
	ip_pool_destroy(&sh->pool);
	engine_free(sh->engine);
	shell_conf_ref_put(sh, sh->conf);
	shell_pppd_starts_close(sh);
	sd_event_source_disable_unref(sh->status_timer);
	sd_event_source_disable_unref(sh->timer);
	sd_event_source_disable_unref(sh->kernel_events);
	sd_event_unref(sh->ev);
	kglue_free(sh->kglue);
	hmap_destroy(&sh->tunnels);
	hmap_destroy(&sh->sessions);
	free(sh->deferred);
	free(sh);
}
