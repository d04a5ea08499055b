/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sessions in the kernel and their pppd (spec/linux-kernel-l2tp.md §1.5, §2.3, §2.6, §8 step
 * 4-5): SESSION_CREATE, a PPPoL2TP socket connected to it, and pppd started on that socket
 * and supervised through a pidfd. pppd's exit ends the call (the engine sends the CDN); the
 * engine's end of a call stops pppd (SIGTERM, SIGKILL after PPPD_KILL_MS) and removes the
 * kernel session. A session record lives until both have happened, so no pppd and no fd
 * outlives its session.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kglue.h"
#include "shell_int.h"

/* How long pppd gets to end LCP after SIGTERM before it is killed. */
#define PPPD_KILL_MS 5000
/* Words of pppd's command line, with the options' extra words. */
#define PPPD_ARGV_MAX 96

static uint32_t session_key(uint16_t tunnel_id, uint16_t session_id)
{
	return (uint32_t)tunnel_id << 16 | session_id;
}

struct sh_session *shell_session_find(struct shell *sh, uint16_t tunnel_id, uint16_t session_id)
{
	uint32_t key = session_key(tunnel_id, session_id);

	for (struct hnode *n = hmap_first(&sh->sessions, key); n; n = hmap_next(n))
		return hmap_entry(n, struct sh_session, by_key);
	return NULL;
}

static struct log_obj session_obj(const struct sh_session *s)
{
	return (struct log_obj){ .tunnel_id = s->tunnel_id,
				 .peer_tunnel_id = s->peer_tunnel_id,
				 .session_id = s->session_id,
				 .peer_session_id = s->peer_session_id,
				 .peer = &s->peer };
}

static void kernel_session_delete(struct shell *sh, uint16_t tunnel_id, uint16_t session_id)
{
	int r = kglue_session_delete(sh->kglue, tunnel_id, session_id);

	/* ENODEV: pppd's exit closed the socket, which took the session with it. */
	if (r < 0 && r != -ENODEV)
		log_obj(ENGINE_LOG_WARNING, &(struct log_obj){ .tunnel_id = tunnel_id, .session_id = session_id },
			"tunnel %u session %u: kernel delete: %s", tunnel_id, session_id, strerror(-r));
}

static void session_free(struct shell *sh, struct sh_session *s)
{
	shell_pppd_forget(sh, s);
	hmap_remove(&sh->sessions, &s->by_key);
	if (!sh->handing_over) {
		shell_persist_session_drop(sh, s);
		if (s->log_stored)
			shell_unkeep_fd(sh, SH_KEPT_PPPD_LOG, session_key(s->tunnel_id, s->session_id));
		if (s->pid_stored)
			shell_unkeep_fd(sh, SH_KEPT_PPPD_PIDFD, session_key(s->tunnel_id, s->session_id));
	}
	ip_pool_give(&sh->pool, s->pool_addr);
	if (s->delete_pending)
		kernel_session_delete(sh, s->tunnel_id, s->session_id);
	sd_event_source_disable_unref(s->pid_src);
	sd_event_source_disable_unref(s->log_src);
	sd_event_source_disable_unref(s->kill_timer);
	if (s->pidfd >= 0)
		close(s->pidfd);
	if (s->log_fd >= 0)
		close(s->log_fd);
	if (s->pppox_fd >= 0)
		close(s->pppox_fd);
	free(s);
}

void shell_session_release(struct shell *sh, struct sh_session *s)
{
	session_free(sh, s);
}

/* Frees the record once the engine is done with it and pppd is gone. */
static void session_maybe_free(struct shell *sh, struct sh_session *s)
{
	if (s->down && !s->pid)
		session_free(sh, s);
}

static struct kglue_session kernel_request(const struct sh_session *s)
{
	return (struct kglue_session){ .tunnel_id = s->tunnel_id,
				       .session_id = s->session_id,
				       .peer_tunnel_id = s->peer_tunnel_id,
				       .peer_session_id = s->peer_session_id,
				       .lns_mode = s->lns_mode,
				       .send_seq = s->send_seq,
				       .recv_seq = s->recv_seq,
				       .recv_timeout_ms = s->recv_timeout_ms };
}

/* The kernel session (netlink first, connect() as the fallback) and its PPPoL2TP socket. */
static int kernel_session_open(struct shell *sh, struct sh_session *s)
{
	struct kglue_session ks = kernel_request(s);
	int r;

	if (!sh->kernel_tunnels_by_connect) {
		r = kglue_session_create(sh->kglue, &ks);
		if (r == -EPROTONOSUPPORT) {
			struct log_obj o = session_obj(s);

			log_obj(ENGINE_LOG_NOTICE, &o,
				"the kernel has no PPP netlink ops (CONFIG_L2TP_V3 off): sessions are created by connect()");
			sh->kernel_tunnels_by_connect = true;
		} else if (r < 0) {
			return r;
		} else {
			s->kernel_created = true;
		}
	}
	r = kglue_pppox_connect(s->family, &ks);
	if (r < 0) {
		if (s->kernel_created)
			(void)kglue_session_delete(sh->kglue, s->tunnel_id, s->session_id);
		s->kernel_created = false;
		return r;
	}
	s->pppox_fd = r;
	return 0;
}

void shell_kernel_session_create(struct shell *sh, const struct engine_action *a, int *err)
{
	struct sh_tunnel *t = shell_tunnel_find(sh, a->tunnel_id);
	struct sh_session *s;

	*err = -ENOENT;
	if (!t || shell_session_find(sh, a->tunnel_id, a->session_id))
		return;
	s = calloc(1, sizeof(*s));
	if (!s) {
		*err = -ENOMEM;
		return;
	}
	s->sh = sh;
	s->tunnel_id = a->tunnel_id;
	s->session_id = a->session_id;
	s->peer_tunnel_id = a->peer_tunnel_id;
	s->peer_session_id = a->peer_session_id;
	s->peer = t->peer;
	s->family = t->peer.family;
	s->lns_mode = a->kernel_session.lns_mode;
	s->send_seq = a->kernel_session.send_seq;
	s->recv_seq = a->kernel_session.recv_seq;
	s->recv_timeout_ms = a->kernel_session.recv_timeout_ms;
	s->pppox_fd = s->pidfd = s->log_fd = -1;
	*err = hmap_insert(&sh->sessions, &s->by_key, session_key(s->tunnel_id, s->session_id));
	if (*err < 0) {
		free(s);
		return;
	}
	*err = kernel_session_open(sh, s);
	if (*err < 0) {
		struct log_obj o = session_obj(s);

		log_obj(ENGINE_LOG_ERR, &o, "tunnel %u session %u: kernel session: %s", s->tunnel_id, s->session_id,
			strerror(-*err));
		session_free(sh, s);
	}
}

/*
 * While pppd runs, the kernel session stays until it exits: its LCP Terminate-Request can
 * still reach the peer, so both ends run their ip-down and account for the session.
 */
void shell_kernel_session_delete(struct shell *sh, const struct engine_action *a)
{
	struct sh_session *s = shell_session_find(sh, a->tunnel_id, a->session_id);

	if (s && s->pid) {
		s->delete_pending = true;
		return;
	}
	kernel_session_delete(sh, a->tunnel_id, a->session_id);
}

static void pppd_gone(struct shell *sh, struct sh_session *s, int status)
{
	uint16_t tunnel_id = s->tunnel_id, session_id = s->session_id;
	bool was_down = s->down;

	sd_event_source_disable_unref(s->pid_src);
	sd_event_source_disable_unref(s->kill_timer);
	s->pid_src = s->kill_timer = NULL;
	shell_pppd_started(sh, s);
	if (s->pid_stored)
		shell_unkeep_fd(sh, SH_KEPT_PPPD_PIDFD, session_key(tunnel_id, session_id));
	s->pid_stored = false;
	close(s->pidfd);
	s->pidfd = -1;
	s->pid = 0;
	if (s->delete_pending) {
		s->delete_pending = false;
		kernel_session_delete(sh, tunnel_id, session_id);
	}
	session_maybe_free(sh, s);
	if (!was_down) {
		engine_pppd_exit(sh->engine, shell_now(), tunnel_id, session_id, status);
		shell_engine_done(sh);
	}
}

static int on_pppd_exit(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct sh_session *s = userdata;
	struct log_obj o = session_obj(s);
	siginfo_t si = { 0 };

	/* pppd of an earlier process is not our child: its pidfd being readable says it is gone. */
	if (s->adopted) {
		/* After an exec in place it is still our child, and must be reaped. */
		(void)waitid((idtype_t)P_PIDFD, (id_t)fd, &si, WEXITED | WNOHANG);
		log_obj(s->down ? ENGINE_LOG_INFO : ENGINE_LOG_NOTICE, &o, "tunnel %u session %u: pppd[%d] exited",
			s->tunnel_id, s->session_id, (int)s->pid);
		pppd_gone(s->sh, s, 0);
		return 0;
	}
	if (waitid((idtype_t)P_PIDFD, (id_t)fd, &si, WEXITED | WNOHANG) < 0 || !si.si_pid) {
		if (errno == ECHILD || revents & (EPOLLHUP | EPOLLERR)) {
			log_obj(ENGINE_LOG_WARNING, &o, "tunnel %u session %u: pppd[%d] lost: %s", s->tunnel_id,
				s->session_id, (int)s->pid, strerror(errno));
			pppd_gone(s->sh, s, -1);
		}
		return 0;
	}
	if (si.si_code == CLD_EXITED)
		log_obj(s->down ? ENGINE_LOG_INFO : ENGINE_LOG_NOTICE, &o, "tunnel %u session %u: pppd[%d] exited with status %d",
			s->tunnel_id, s->session_id, (int)s->pid, si.si_status);
	else
		log_obj(s->down ? ENGINE_LOG_INFO : ENGINE_LOG_WARNING, &o, "tunnel %u session %u: pppd[%d] killed by signal %d",
			s->tunnel_id, s->session_id, (int)s->pid, si.si_status);
	pppd_gone(s->sh, s, si.si_status);
	return 0;
}

/* "Using interface ppp0" is how pppd names its unit. */
static void pppd_line(struct sh_session *s, char *line)
{
	struct log_obj o = session_obj(s);
	static const char tag[] = "Using interface ";
	const char *p = strstr(line, tag);

	log_obj(ENGINE_LOG_INFO, &o, "tunnel %u session %u: pppd[%d]: %s", s->tunnel_id, s->session_id, (int)s->pid,
		line);
	if (p && !s->ifname[0]) {
		p += sizeof(tag) - 1;
		size_t n = strcspn(p, " \t\r");

		if (n && n < sizeof(s->ifname)) {
			memcpy(s->ifname, p, n);
			s->ifname[n] = 0;
			shell_pppd_started(s->sh, s);
			shell_persist_session(s->sh, s);
			shell_emit(s->sh, &(struct shell_event){ .type = SHELL_EV_PPP_UP,
								  .tunnel_id = s->tunnel_id,
								  .peer_tunnel_id = s->peer_tunnel_id,
								  .session_id = s->session_id,
								  .peer_session_id = s->peer_session_id,
								  .peer = s->peer,
								  .message = s->ifname });
		}
	}
}

static int on_pppd_log(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct sh_session *s = userdata;
	ssize_t n = read(fd, s->logbuf + s->loglen, sizeof(s->logbuf) - 1 - s->loglen);
	char *nl, *start;

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			sd_event_source_disable_unref(s->log_src);
			s->log_src = NULL;
			close(s->log_fd);
			s->log_fd = -1;
			if (s->log_stored)
				shell_unkeep_fd(s->sh, SH_KEPT_PPPD_LOG, session_key(s->tunnel_id, s->session_id));
			s->log_stored = false;
		}
		return 0;
	}
	s->loglen += (size_t)n;
	s->logbuf[s->loglen] = 0;
	start = s->logbuf;
	while ((nl = strchr(start, '\n'))) {
		*nl = 0;
		pppd_line(s, start);
		start = nl + 1;
	}
	s->loglen -= (size_t)(start - s->logbuf);
	memmove(s->logbuf, start, s->loglen);
	/* A line longer than the buffer is logged in pieces rather than stalling the pipe. */
	if (s->loglen == sizeof(s->logbuf) - 1) {
		s->logbuf[s->loglen] = 0;
		pppd_line(s, s->logbuf);
		s->loglen = 0;
	}
	return 0;
}

/*
 * pppd settings of a session: the LNS role's, or those of the [peer] we dialled, else of the
 * [group] that lists its host.
 */
static const struct conf_pppd *pppd_settings(const struct l2tpkd_conf *c, const struct sh_session *s, bool lns)
{
	static const char *const none[] = { NULL };
	static const struct conf_pppd empty = { .options_file = NULL, .extra = none };
	const struct conf_peer *p;
	const struct conf_group *g;

	if (lns)
		return &c->lns_pppd;
	p = conf_peer_by_host(c, &s->peer);
	if (p)
		return &p->pppd;
	g = conf_group_by_host(c, &s->peer);
	return g ? &g->pppd : &empty;
}

void shell_pool_configure(struct shell *sh)
{
	const struct l2tpkd_conf *c = sh->conf->conf;
	struct ip_pool pool = { 0 };

	if (c->pool_last && ip_pool_init(&pool, c->pool_first, c->pool_last) < 0)
		log_err("no memory for ip-pool: sessions get no address from l2tpkd");
	for (struct hnode *n = hmap_iter(&sh->sessions, NULL); n; n = hmap_iter(&sh->sessions, n)) {
		struct sh_session *s = hmap_entry(n, struct sh_session, by_key);

		/* An address outside the new pool is no longer the pool's to give back. */
		if (s->pool_addr && !ip_pool_claim(&pool, s->pool_addr))
			s->pool_addr = 0;
	}
	ip_pool_destroy(&sh->pool);
	sh->pool = pool;
}

/* "local:remote" for an LNS session with local-ip or ip-pool; "" when it has neither. */
static int ppp_addresses(struct shell *sh, const struct l2tpkd_conf *c, struct sh_session *s, char word[40])
{
	char local[CONF_IPV4_STRLEN] = "", remote[CONF_IPV4_STRLEN] = "";

	word[0] = 0;
	if (c->pool_last && !s->pool_addr && ip_pool_take(&sh->pool, &s->pool_addr) < 0)
		return -ENOSPC;
	if (c->lns_local_ip)
		conf_ipv4_str(c->lns_local_ip, local);
	if (s->pool_addr)
		conf_ipv4_str(s->pool_addr, remote);
	if (local[0] || remote[0])
		snprintf(word, 40, "%s:%s", local, remote);
	return 0;
}

/*
 * Words before the options file, which may change them: one LCP Terminate-Request when the
 * session ends, since the peer's end is usually gone already and pppd would otherwise wait for
 * acks that never come (three of them by default, 3 s apart); and an MTU and MRU that fit the
 * tunnel's path without fragments (kmod-glue/mtu.c). An adopted tunnel's path MTU is read at
 * its first new pppd.
 */
static void pppd_defaults(struct sh_tunnel *t, char mtu_word[8], const char *words[7])
{
	int mtu = -ENOENT;
	size_t n = 0;

	if (t && !t->path_mtu)
		shell_tunnel_read_mtu(t);
	if (t && t->path_mtu > 0)
		mtu = kglue_ppp_mtu((unsigned int)t->path_mtu, t->peer.family);
	words[n++] = "lcp-max-terminate";
	words[n++] = "1";
	if (mtu > 0) {
		snprintf(mtu_word, 8, "%u", (unsigned int)(uint16_t)mtu);
		words[n++] = "mtu";
		words[n++] = mtu_word;
		words[n++] = "mru";
		words[n++] = mtu_word;
	}
	words[n] = NULL;
}

int shell_pppd_spawn(struct shell *sh, struct sh_session *s, bool lns)
{
	struct sh_tunnel *t = shell_tunnel_find(sh, s->tunnel_id);
	const struct l2tpkd_conf *c = t ? t->conf->conf : sh->conf->conf;
	const struct conf_pppd *ps = pppd_settings(c, s, lns);
	const char *extra[CONF_MAX_PPPD_WORDS + 2], *defaults[7];
	char addresses[40] = "", mtu_word[8];
	struct log_obj o = session_obj(s);
	size_t n = 0;
	int r;

	if (lns && (r = ppp_addresses(sh, c, s, addresses)) < 0) {
		log_obj(ENGINE_LOG_ERR, &o, "tunnel %u session %u: ip-pool exhausted", s->tunnel_id, s->session_id);
		close(s->pppox_fd);
		s->pppox_fd = -1;
		return r;
	}
	if (addresses[0])
		extra[n++] = addresses;
	for (size_t i = 0; ps->extra[i] && n < CONF_MAX_PPPD_WORDS + 1; i++)
		extra[n++] = ps->extra[i];
	extra[n] = NULL;
	pppd_defaults(t, mtu_word, defaults);
	struct kglue_pppd p = { .path = c->pppd_path,
				.plugin = c->pppd_plugin,
				.pppox_fd = s->pppox_fd,
				.lns_mode = s->lns_mode,
				.send_seq = s->send_seq,
				.recv_seq = s->recv_seq,
				.reorder_ms = s->recv_timeout_ms,
				.tunnel_id = s->tunnel_id,
				.session_id = s->session_id,
				.defaults = defaults,
				.options_file = ps->options_file,
				.extra = extra };

	s->pppox_fd = -1; /* kglue_pppd_spawn closes it either way: pppd is its only holder */
	r = kglue_pppd_spawn(&p, &s->pidfd, &s->pid, &s->log_fd);
	if (r < 0) {
		log_obj(ENGINE_LOG_ERR, &o, "tunnel %u session %u: cannot start %s: %s", s->tunnel_id, s->session_id,
			c->pppd_path, strerror(-r));
		return r;
	}
	r = sd_event_add_io(sh->ev, &s->pid_src, s->pidfd, EPOLLIN, on_pppd_exit, s);
	if (r >= 0)
		r = sd_event_add_io(sh->ev, &s->log_src, s->log_fd, EPOLLIN, on_pppd_log, s);
	if (r < 0) {
		/* Without supervision pppd must not run at all. */
		log_obj(ENGINE_LOG_ERR, &o, "tunnel %u session %u: cannot watch pppd[%d], killed: %s", s->tunnel_id,
			s->session_id, (int)s->pid, strerror(-r));
		s->pid_src = sd_event_source_disable_unref(s->pid_src);
		syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
		(void)waitid((idtype_t)P_PIDFD, (id_t)s->pidfd, NULL, WEXITED);
		s->pid = 0;
		return r;
	}
	/*
	 * The fd vault keeps pppd's pidfd (the next process follows pppd by it) and its log pipe:
	 * pppd takes SIGPIPE as fatal, so without a reader it would die at its next line.
	 */
	s->pid_stored = shell_keep_fd(sh, SH_KEPT_PPPD_PIDFD, session_key(s->tunnel_id, s->session_id), s->pidfd);
	s->log_stored = shell_keep_fd(sh, SH_KEPT_PPPD_LOG, session_key(s->tunnel_id, s->session_id), s->log_fd);
	shell_persist_session(sh, s);
	log_obj(ENGINE_LOG_INFO, &o, "tunnel %u session %u: pppd[%d] started (%s)", s->tunnel_id, s->session_id,
		(int)s->pid, lns ? "LNS" : "LAC");
	return 0;
}

void shell_session_record(const struct sh_session *s, struct sh_session_record *r)
{
	*r = (struct sh_session_record){ .tunnel_id = s->tunnel_id,
					 .session_id = s->session_id,
					 .peer_tunnel_id = s->peer_tunnel_id,
					 .peer_session_id = s->peer_session_id,
					 .peer = s->peer,
					 .lns_mode = s->lns_mode,
					 .send_seq = s->send_seq,
					 .recv_seq = s->recv_seq,
					 .recv_timeout_ms = s->recv_timeout_ms,
					 .pid = s->pid,
					 .pool_addr = s->pool_addr };
	memcpy(r->ifname, s->ifname, sizeof(r->ifname));
}

int shell_session_adopt(struct shell *sh, const struct sh_session_record *r, int pidfd, int log_fd)
{
	struct sh_session *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->sh = sh;
	s->tunnel_id = r->tunnel_id;
	s->session_id = r->session_id;
	s->peer_tunnel_id = r->peer_tunnel_id;
	s->peer_session_id = r->peer_session_id;
	s->peer = r->peer;
	s->family = r->peer.family;
	s->lns_mode = r->lns_mode;
	s->send_seq = r->send_seq;
	s->recv_seq = r->recv_seq;
	s->recv_timeout_ms = r->recv_timeout_ms;
	s->kernel_created = true;
	s->adopted = true;
	s->pid = r->pid;
	s->pppox_fd = -1;
	s->pidfd = pidfd;
	s->log_fd = log_fd;
	memcpy(s->ifname, r->ifname, sizeof(s->ifname));
	s->ifname[sizeof(s->ifname) - 1] = 0;
	err = hmap_insert(&sh->sessions, &s->by_key, session_key(s->tunnel_id, s->session_id));
	if (err == 0)
		err = sd_event_add_io(sh->ev, &s->pid_src, pidfd, EPOLLIN, on_pppd_exit, s);
	if (err == 0 && log_fd >= 0 && (err = sd_event_add_io(sh->ev, &s->log_src, log_fd, EPOLLIN, on_pppd_log, s)) < 0)
		sd_event_source_disable_unref(s->pid_src);
	if (err < 0) {
		if (shell_session_find(sh, s->tunnel_id, s->session_id) == s)
			hmap_remove(&sh->sessions, &s->by_key);
		free(s);
		return err;
	}
	/* The address stays the client's: taken before anything else can hand it out. */
	if (r->pool_addr && ip_pool_claim(&sh->pool, r->pool_addr))
		s->pool_addr = r->pool_addr;
	return 0;
}

void shell_session_up(struct shell *sh, const struct engine_action *a, int *pppd_status)
{
	struct sh_session *s = shell_session_find(sh, a->tunnel_id, a->session_id);

	*pppd_status = 0;
	if (!s || s->pppox_fd < 0) {
		*pppd_status = -1;
		return;
	}
	if (!s->start_queued)
		shell_pppd_enqueue(sh, s, a->session_up.lns);
}

static int on_kill_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct sh_session *s = userdata;
	struct log_obj o = session_obj(s);

	log_obj(ENGINE_LOG_WARNING, &o, "tunnel %u session %u: pppd[%d] ignored SIGTERM for %d ms: killed",
		s->tunnel_id, s->session_id, (int)s->pid, PPPD_KILL_MS);
	syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
	return 0;
}

static void pppd_stop(struct shell *sh, struct sh_session *s)
{
	if (!s->pid || s->kill_timer)
		return;
	syscall(SYS_pidfd_send_signal, s->pidfd, SIGTERM, NULL, 0);
	sd_event_add_time_relative(sh->ev, &s->kill_timer, CLOCK_MONOTONIC, PPPD_KILL_MS * 1000ull, 0,
				   on_kill_timer, s);
}

void shell_session_down(struct shell *sh, const struct engine_action *a)
{
	struct sh_session *s = shell_session_find(sh, a->tunnel_id, a->session_id);

	if (!s)
		return;
	s->down = true;
	if (s->pppox_fd >= 0) {
		close(s->pppox_fd);
		s->pppox_fd = -1;
	}
	pppd_stop(sh, s);
	session_maybe_free(sh, s);
}

void shell_sessions_stop_all(struct shell *sh, uint64_t timeout_ms)
{
	uint64_t deadline = shell_now() + timeout_ms;
	struct hnode *n;

	for (n = hmap_iter(&sh->sessions, NULL); n; n = hmap_iter(&sh->sessions, n)) {
		struct sh_session *s = hmap_entry(n, struct sh_session, by_key);

		s->down = true;
		pppd_stop(sh, s);
	}
	/* Free what has no pppd; wait for the rest (their exit frees them). */
	while ((n = hmap_iter(&sh->sessions, NULL))) {
		struct sh_session *s = NULL;

		for (; n; n = hmap_iter(&sh->sessions, n)) {
			s = hmap_entry(n, struct sh_session, by_key);
			if (!s->pid)
				break;
		}
		if (n) {
			session_free(sh, s);
			continue;
		}
		if (shell_now() >= deadline || sd_event_run(sh->ev, 100 * 1000) < 0)
			break;
	}
	/* Whatever still runs is killed and reaped here: no pppd outlives the daemon's stop. */
	while ((n = hmap_iter(&sh->sessions, NULL))) {
		struct sh_session *s = hmap_entry(n, struct sh_session, by_key);

		if (s->pid) {
			syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
			(void)waitid((idtype_t)P_PIDFD, (id_t)s->pidfd, NULL, WEXITED);
		}
		session_free(sh, s);
	}
}

int shell_session_pppd(struct shell *sh, uint16_t tunnel_id, uint16_t session_id, pid_t *pid, char ifname[16])
{
	struct sh_session *s = shell_session_find(sh, tunnel_id, session_id);

	if (!s || s->down)
		return -ENOENT;
	*pid = s->pid;
	memcpy(ifname, s->ifname, 16);
	return 0;
}
