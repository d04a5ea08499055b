/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What outlives the process (issue 6, design.md §1 point 4, spec/linux-kernel-l2tp.md §2.5):
 * the state memfd (state_store.c: the engine's records and the shell's own), every tunnel's
 * UDP socket (the kernel tunnel lives as long as its file), and every pppd's pidfd and log
 * pipe (pppd dies of SIGPIPE without a reader). systemd keeps them in its fd store while no l2tpkd runs
 * (FDSTORE=1, FDPOLL=0: a UDP socket with a pending ICMP error reports POLLERR, and systemd
 * would drop it), and hands them to the next process (LISTEN_FDS, LISTEN_FDNAMES). Without
 * systemd, "l2tpctl restart" re-executes the daemon with the same fds in the same way.
 *
 * Names are short (t<tunnel id>, p and l<tunnel id << 16 | session id>, in hex) because
 * systemd passes them all in one environment string, which the kernel caps at 128 KiB. A
 * pidfd that did not come (an older l2tpkd, a full store) is opened from the pid, checked.
 *
 * The next process adopts what it is given, checks it against the kernel (tunnel and session
 * dumps) and the running pppd, and clears with StopCCN or CDN what did not survive. A state
 * memfd it cannot read is refused with a log line: a clean start, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "cursor.h"
#include "kglue.h"
#include "shell_int.h"
#include "state_store.h"

#define SHELL_STATE_VERSION 1
/* The store's payload version: both record formats must match. */
#define STORE_VERSION ((uint32_t)ENGINE_STATE_VERSION << 16 | SHELL_STATE_VERSION)
/* Key kinds of the shell's records, above the engine's. */
#define SHELL_STATE_SESSION 16
#define STATE_FD_NAME	    "state"
/*
 * systemd passes every stored fd's name in LISTEN_FDNAMES, one environment string, and
 * execve() refuses a string over 128 KiB: the service would not start at all. Names are
 * counted, and an fd beyond this budget is not stored (it does not survive a restart).
 */
#define FDSTORE_NAMES_BUDGET (120 * 1024)
static size_t fdstore_names_bytes;

bool shell_fdstore_put(int fd, const char *fmt, ...)
{
	static bool warned;
	char name[32], msg[80];
	va_list ap;
	int len, r;

	va_start(ap, fmt);
	len = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (fdstore_names_bytes + (size_t)len + 1 > FDSTORE_NAMES_BUDGET) {
		if (!warned)
			log_warning("fd store full: %s and later objects will not survive a restart", name);
		warned = true;
		return false;
	}
	snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=%s\nFDPOLL=0", name);
	r = sd_pid_notify_with_fds(0, 0, msg, &fd, 1);
	if (r < 0)
		log_warning("fd store: cannot keep %s: %s (it will not survive a restart)", name,
			    strerror(-r));
	else if (r > 0)
		fdstore_names_bytes += (size_t)len + 1;
	/* Without systemd (r == 0) the fd is "kept" for l2tpctl restart, which passes it itself. */
	return r >= 0;
}

void shell_fdstore_drop(const char *fmt, ...)
{
	char name[32];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (sd_notifyf(0, "FDSTOREREMOVE=1\nFDNAME=%s", name) > 0 && fdstore_names_bytes >= (size_t)len + 1)
		fdstore_names_bytes -= (size_t)len + 1;
}

static void store_put(struct shell *sh, uint64_t key, const void *rec, size_t len)
{
	int r;

	if (!sh->store)
		return;
	r = state_store_put(sh->store, key, rec, len);
	if (r < 0)
		log_err("state record %#llx not kept: %s (it will not survive a restart)",
			(unsigned long long)key, strerror(-r));
}

void shell_persist_state(struct shell *sh, const struct engine_action *a)
{
	if (a->type == ENGINE_STATE_PUT)
		store_put(sh, a->state.key, a->state.buf, a->state.len);
	else if (sh->store)
		state_store_drop(sh->store, a->state.key);
}

static uint64_t session_record_key(uint16_t tunnel_id, uint16_t session_id)
{
	return ENGINE_STATE_KEY(SHELL_STATE_SESSION, (uint32_t)tunnel_id << 16 | session_id);
}

void shell_persist_session(struct shell *sh, const struct sh_session *s)
{
	struct sh_session_record r;
	uint8_t buf[STATE_STORE_PAYLOAD_MAX];
	struct wcursor c;

	shell_session_record(s, &r);
	wcursor_init(&c, buf, sizeof(buf));
	wcursor_u16(&c, r.tunnel_id);
	wcursor_u16(&c, r.session_id);
	wcursor_u16(&c, r.peer_tunnel_id);
	wcursor_u16(&c, r.peer_session_id);
	wcursor_u16(&c, r.peer.family);
	wcursor_u16(&c, r.peer.port);
	wcursor_bytes(&c, r.peer.addr, sizeof(r.peer.addr));
	wcursor_u8(&c, (uint8_t)(r.lns_mode | r.send_seq << 1 | r.recv_seq << 2));
	wcursor_u32(&c, r.recv_timeout_ms);
	wcursor_u32(&c, (uint32_t)r.pid);
	wcursor_u32(&c, r.pool_addr);
	wcursor_bytes(&c, r.ifname, sizeof(r.ifname));
	if (wcursor_ok(&c))
		store_put(sh, session_record_key(r.tunnel_id, r.session_id), buf, c.pos);
}

void shell_persist_session_drop(struct shell *sh, const struct sh_session *s)
{
	if (sh->store)
		state_store_drop(sh->store, session_record_key(s->tunnel_id, s->session_id));
}

static int read_session_record(const void *buf, size_t len, struct sh_session_record *r)
{
	struct rcursor c;
	uint8_t flags;

	rcursor_init(&c, buf, len);
	r->tunnel_id = rcursor_u16(&c);
	r->session_id = rcursor_u16(&c);
	r->peer_tunnel_id = rcursor_u16(&c);
	r->peer_session_id = rcursor_u16(&c);
	r->peer.family = rcursor_u16(&c);
	r->peer.port = rcursor_u16(&c);
	rcursor_copy(&c, r->peer.addr, sizeof(r->peer.addr));
	flags = rcursor_u8(&c);
	r->lns_mode = flags & 1;
	r->send_seq = flags & 2;
	r->recv_seq = flags & 4;
	r->recv_timeout_ms = rcursor_u32(&c);
	r->pid = (int32_t)rcursor_u32(&c);
	r->pool_addr = rcursor_u32(&c);
	rcursor_copy(&c, r->ifname, sizeof(r->ifname));
	r->ifname[sizeof(r->ifname) - 1] = 0;
	if (!rcursor_ok(&c) || rcursor_left(&c) || r->pid <= 1 ||
	    (r->peer.family != AF_INET && r->peer.family != AF_INET6))
		return -EINVAL;
	return 0;
}

/* The fds an earlier process left, by name. */
struct inherited {
	int fd;
	char *name;
};

struct adoption {
	struct shell *sh;
	struct inherited *fds;
	size_t n_fds;
	struct record {
		uint64_t key; /* first: by_key() compares it */
		uint16_t len;
		bool used; /* a shell record that found its session */
		uint8_t buf[STATE_STORE_PAYLOAD_MAX];
	} * recs;
	size_t n_recs;
	/* Cleared once the walks are over and the tunnels resynchronise: tunnel_id << 16 | session_id. */
	uint32_t *lost;
	size_t n_lost;
	uint32_t tunnels, sessions, lost_tunnels, lost_sessions, bad_records;
};

/* Noted for clearing after the walk (the engine must not change under it). */
static void note_lost(struct adoption *ad, uint16_t tunnel_id, uint16_t session_id)
{
	uint32_t *v = realloc(ad->lost, (ad->n_lost + 1) * sizeof(*v));

	if (!v) {
		log_err("tunnel %u session %u: out of memory: left to the peer to clear", tunnel_id,
			session_id);
		return;
	}
	ad->lost = v;
	ad->lost[ad->n_lost++] = (uint32_t)tunnel_id << 16 | session_id;
}

/* After engine_resume(): StopCCN or CDN once the tunnel knows its sequence numbers again. */
static void clear_lost(struct adoption *ad)
{
	static const struct engine_disconnect lost = { .result = 2,
						       .message = "lost across a restart of l2tpkd" };
	struct engine *e = ad->sh->engine;

	for (size_t i = 0; i < ad->n_lost; i++) {
		uint16_t tunnel_id = (uint16_t)(ad->lost[i] >> 16), session_id = (uint16_t)ad->lost[i];

		if (session_id)
			/* As if pppd ended: CDN to the peer, the kernel session removed. */
			engine_pppd_exit(e, shell_now(), tunnel_id, session_id, -1);
		else
			(void)engine_close_tunnel(e, shell_now(), tunnel_id, &lost);
	}
}

/* Takes the inherited fd of that name out of the list: the caller owns it (-1: none). */
static int take_fd(struct adoption *ad, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int take_fd(struct adoption *ad, const char *fmt, ...)
{
	char name[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < ad->n_fds; i++) {
		int fd = ad->fds[i].fd;

		if (fd >= 0 && !strcmp(ad->fds[i].name, name)) {
			ad->fds[i].fd = -1;
			return fd;
		}
	}
	return -1;
}

static int collect_record(uint64_t key, const void *payload, size_t len, void *arg)
{
	struct adoption *ad = arg;
	void *v = realloc(ad->recs, (ad->n_recs + 1) * sizeof(*ad->recs));

	if (!v)
		return -ENOMEM;
	ad->recs = v;
	ad->recs[ad->n_recs].key = key;
	ad->recs[ad->n_recs].len = (uint16_t)len;
	ad->recs[ad->n_recs].used = false;
	memcpy(ad->recs[ad->n_recs].buf, payload, len);
	ad->n_recs++;
	return 0;
}

static int by_key(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The state memfd, if one came and reads well; a new store otherwise. */
static int open_store(struct adoption *ad, uint32_t max_records, char *why, size_t why_len)
{
	struct shell *sh = ad->sh;
	int fd = take_fd(ad, STATE_FD_NAME), r;
	size_t bad = 0;
	char reason[160] = "";

	if (fd >= 0) {
		r = state_store_adopt(&sh->store, fd, STORE_VERSION, max_records, collect_record, ad, &bad,
				      reason, sizeof(reason));
		if (r == 0) {
			ad->bad_records = (uint32_t)bad;
			return 0;
		}
		log_err("the state of the previous l2tpkd is refused (%s): starting clean", reason);
		close(fd);
		shell_fdstore_drop(STATE_FD_NAME);
		free(ad->recs);
		ad->recs = NULL;
		ad->n_recs = 0;
	}
	r = state_store_new(&sh->store, STORE_VERSION, max_records);
	if (r < 0) {
		snprintf(why, why_len, "state memfd: %s", strerror(-r));
		return r;
	}
	shell_fdstore_put(state_store_fd(sh->store), STATE_FD_NAME);
	return 0;
}

/*
 * pppd started for this session, still running: a pidfd to follow it by (stored is the one
 * the fd store kept, -1 if none: then one is opened from the pid), or -1.
 */
static int pppd_pidfd(const struct sh_session_record *r, int stored)
{
	char path[32], cmdline[4096], want_t[40], want_s[40];
	int pidfd = stored >= 0 ? stored : (int)syscall(SYS_pidfd_open, r->pid, 0), fd;
	ssize_t n;

	if (pidfd < 0)
		return -1;
	/*
	 * The pid may have been reused while no l2tpkd ran: only a pppd of this very session
	 * (its command line names the tunnel and session) is taken, checked after the pidfd
	 * pins the process.
	 */
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)r->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, cmdline, sizeof(cmdline) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n > 0) {
		int lt = snprintf(want_t, sizeof(want_t), "pppol2tp_tunnel_id%c%u", 0, r->tunnel_id) + 1;
		int ls = snprintf(want_s, sizeof(want_s), "pppol2tp_session_id%c%u", 0, r->session_id) + 1;

		cmdline[n++] = 0;
		if (memmem(cmdline, (size_t)n, want_t, (size_t)lt) &&
		    memmem(cmdline, (size_t)n, want_s, (size_t)ls) &&
		    poll(&(struct pollfd){ .fd = pidfd, .events = POLLIN }, 1, 0) == 0)
			return pidfd;
	}
	close(pidfd);
	return -1;
}

static const struct sh_session_record *find_session_record(struct adoption *ad, uint16_t tunnel_id,
							   uint16_t session_id, struct sh_session_record *out)
{
	uint64_t key = session_record_key(tunnel_id, session_id);
	struct record *r = bsearch(&key, ad->recs, ad->n_recs, sizeof(*ad->recs), by_key);

	if (!r || read_session_record(r->buf, r->len, out) < 0)
		return NULL;
	r->used = true;
	return out;
}

/* The engine's sessions get their pppd back; those that cannot are cleared (CDN). */
static int adopt_session(const struct engine_session_view *v, void *arg)
{
	struct adoption *ad = arg;
	struct shell *sh = ad->sh;
	struct sh_session_record rec;
	struct kglue_session_info ki;
	const struct sh_session_record *r = find_session_record(ad, v->tunnel_id, v->session_id, &rec);
	uint32_t ids = (uint32_t)v->tunnel_id << 16 | v->session_id;
	int log_fd = take_fd(ad, "l%x", ids), stored = take_fd(ad, "p%x", ids);
	int pidfd = r ? pppd_pidfd(r, stored) : -1;

	if (pidfd >= 0 && kglue_session_get(sh->kglue, v->tunnel_id, v->session_id, &ki) == 0 &&
	    shell_session_adopt(sh, r, pidfd, log_fd) == 0) {
		struct sh_session *s = shell_session_find(sh, v->tunnel_id, v->session_id);

		/* Kept by the store already, or opened from the pid (an older l2tpkd): kept from now. */
		s->pid_stored = stored >= 0 || shell_fdstore_put(pidfd, "p%x", ids);
		ad->sessions++;
		return 0;
	}
	if (stored >= 0)
		shell_fdstore_drop("p%x", ids);
	log_warning("tunnel %u session %u: %s: cleared", v->tunnel_id, v->session_id,
		    !r		? "no record of its pppd"
		    : pidfd < 0 ? "its pppd is gone"
				: "not in the kernel any more");
	if (pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
		close(pidfd);
	}
	if (log_fd >= 0) {
		close(log_fd);
		shell_fdstore_drop("l%x", (uint32_t)v->tunnel_id << 16 | v->session_id);
	}
	if (r)
		state_store_drop(sh->store, session_record_key(v->tunnel_id, v->session_id));
	ad->lost_sessions++;
	note_lost(ad, v->tunnel_id, v->session_id);
	return 0;
}

/* The engine's tunnels get their sockets back; those that cannot are cleared (StopCCN). */
static int adopt_tunnel(const struct engine_tunnel_view *v, void *arg)
{
	struct adoption *ad = arg;
	struct shell *sh = ad->sh;
	struct kglue_tunnel_info ki;
	int fd = take_fd(ad, "t%x", v->tunnel_id);

	if (fd >= 0 && kglue_tunnel_get(sh->kglue, v->tunnel_id, &ki) == 0 &&
	    shell_tunnel_adopt(sh, fd, v->tunnel_id) == 0) {
		ad->tunnels++;
		return 0;
	}
	log_warning("tunnel %u: %s: cleared", v->tunnel_id,
		    fd < 0 ? "its socket did not come" : "not in the kernel any more");
	if (fd >= 0) {
		close(fd);
		shell_fdstore_drop("t%x", v->tunnel_id);
	}
	ad->lost_tunnels++;
	note_lost(ad, v->tunnel_id, 0);
	return 0;
}

/* A call that was being set up: its pppd is stopped, its kernel session removed. */
static void release_call(struct adoption *ad, uint32_t ids)
{
	uint16_t tunnel_id = (uint16_t)(ids >> 16), session_id = (uint16_t)ids;
	struct sh_session_record rec;
	int stored = take_fd(ad, "p%x", ids), pidfd = stored;

	if (find_session_record(ad, tunnel_id, session_id, &rec))
		pidfd = pppd_pidfd(&rec, stored);
	if (stored >= 0)
		shell_fdstore_drop("p%x", ids);
	if (pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
		close(pidfd);
	}
	(void)kglue_session_delete(ad->sh->kglue, tunnel_id, session_id);
	if (ad->sh->store)
		state_store_drop(ad->sh->store, session_record_key(tunnel_id, session_id));
}

/*
 * What the engine no longer knows (set up, not established, at the crash): its kernel tunnel
 * or session goes, its pppd is stopped, the fd closed; unused records are forgotten.
 */
static void release_leftovers(struct adoption *ad)
{
	for (size_t i = 0; i < ad->n_fds; i++) {
		struct inherited *f = &ad->fds[i];
		unsigned long id;
		char *end;

		if (f->fd < 0)
			continue;
		id = strtoul(f->name + 1, &end, 16);
		if (f->name[0] == 't' && !*end && id && id <= UINT16_MAX)
			(void)kglue_tunnel_delete(ad->sh->kglue, (uint16_t)id);
		else if (f->name[0] == 'l' && !*end && id <= UINT32_MAX)
			release_call(ad, (uint32_t)id);
		else if (f->name[0] == 'p' && !*end)
			/* A pppd of ours (its pidfd came from our store) whose call is not kept. */
			syscall(SYS_pidfd_send_signal, f->fd, SIGTERM, NULL, 0);
		log_info("dropping %s, left by the previous l2tpkd and not in its state", f->name);
		close(f->fd);
		f->fd = -1;
		shell_fdstore_drop("%s", f->name);
	}
	for (size_t i = 0; i < ad->n_recs; i++)
		if (ENGINE_STATE_KIND(ad->recs[i].key) == SHELL_STATE_SESSION && !ad->recs[i].used)
			state_store_drop(ad->sh->store, ad->recs[i].key);
}

static void restore_records(struct adoption *ad)
{
	struct engine *e = ad->sh->engine;

	/* Kinds in key order are the order engine_restore() takes them. */
	qsort(ad->recs, ad->n_recs, sizeof(*ad->recs), by_key);
	for (size_t i = 0; i < ad->n_recs; i++) {
		uint64_t key = ad->recs[i].key;
		int r;

		if (ENGINE_STATE_KIND(key) >= SHELL_STATE_SESSION)
			continue;
		r = engine_restore(e, shell_now(), key, ad->recs[i].buf, ad->recs[i].len);
		if (r < 0) {
			log_warning("state record %#llx not restored: %s", (unsigned long long)key,
				    strerror(-r));
			state_store_drop(ad->sh->store, key);
		}
	}
}

/*
 * Records the store may hold: endpoints, tunnels, and two a session (the engine's and the
 * shell's) for a million sessions. Fixed, not from the configuration: a lower limit after a
 * reload would otherwise refuse the store of the previous process. The file grows as needed.
 */
#define STORE_RECORDS_MAX (ENGINE_ENDPOINTS_MAX + UINT16_MAX + 2 * (1u << 20))

int shell_persist_start(struct shell *sh, char *why, size_t why_len)
{
	struct adoption ad = { .sh = sh };
	char **names = NULL;
	int n = sd_listen_fds_with_names(1, &names), r;

	if (n < 0) {
		log_warning("inherited fds unreadable (%s): starting clean", strerror(-n));
		n = 0;
	}
	ad.fds = calloc((size_t)n + 1, sizeof(*ad.fds));
	if (!ad.fds) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		ad.fds[i].fd = SD_LISTEN_FDS_START + i;
		ad.fds[i].name = names[i];
		/* In systemd's store still (or passed by the exec, and stored from here on). */
		fdstore_names_bytes += strlen(names[i]) + 1;
	}
	ad.n_fds = (size_t)n;
	r = open_store(&ad, STORE_RECORDS_MAX, why, why_len);
	if (r == 0 && ad.n_recs) {
		restore_records(&ad);
		engine_walk_tunnels(sh->engine, adopt_tunnel, &ad);
		engine_walk_sessions(sh->engine, 0, adopt_session, &ad);
		engine_resume(sh->engine, shell_now());
		clear_lost(&ad);
		log_notice("restored %u tunnels and %u sessions from the previous l2tpkd; %u tunnels and %u "
			   "sessions "
			   "lost, %u state records unreadable",
			   ad.tunnels, ad.sessions, ad.lost_tunnels, ad.lost_sessions, ad.bad_records);
	}
	release_leftovers(&ad);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(ad.fds);
	free(ad.recs);
	free(ad.lost);
	if (r == 0)
		shell_engine_done(sh);
	return r;
}

/* The fds to pass and their names, "name:name:..." (LISTEN_FDNAMES). */
struct handover {
	int *fds;
	size_t n, cap;
	char *names;
	size_t names_len;
};

static int handover_add(struct handover *h, int fd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int handover_add(struct handover *h, int fd, const char *fmt, ...)
{
	char name[32];
	va_list ap;
	int len;
	char *names;

	if (fd < 0)
		return 0;
	va_start(ap, fmt);
	len = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	/* The same limit as systemd's: LISTEN_FDNAMES is one environment string. */
	if (h->names_len + (size_t)len + 1 > FDSTORE_NAMES_BUDGET) {
		log_warning("restart in place: %s not passed on (too many fds)", name);
		return 0;
	}
	if (h->n == h->cap) {
		int *v = realloc(h->fds, (h->cap * 2 + 16) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->fds = v;
		h->cap = h->cap * 2 + 16;
	}
	names = realloc(h->names, h->names_len + (size_t)len + 2);
	if (!names)
		return -ENOMEM;
	h->names = names;
	if (h->n)
		h->names[h->names_len++] = ':';
	memcpy(h->names + h->names_len, name, (size_t)len + 1);
	h->names_len += (size_t)len;
	h->fds[h->n++] = fd;
	return 0;
}

static int handover_collect(struct shell *sh, struct handover *h)
{
	struct hnode *n;
	int r = handover_add(h, state_store_fd(sh->store), STATE_FD_NAME);

	for (n = hmap_iter(&sh->tunnels, NULL); n && r == 0; n = hmap_iter(&sh->tunnels, n)) {
		struct sh_tunnel *t = hmap_entry(n, struct sh_tunnel, by_id);

		r = handover_add(h, t->fd, "t%x", t->id);
	}
	for (n = hmap_iter(&sh->sessions, NULL); n && r == 0; n = hmap_iter(&sh->sessions, n)) {
		struct sh_session *s = hmap_entry(n, struct sh_session, by_key);

		if (s->pid) {
			r = handover_add(h, s->pidfd, "p%x", (uint32_t)s->tunnel_id << 16 | s->session_id);
			if (r == 0)
				r = handover_add(h, s->log_fd, "l%x", (uint32_t)s->tunnel_id << 16 | s->session_id);
		}
	}
	return r;
}

/* The program on disk: after an upgrade /proc/self/exe names the new file "... (deleted)". */
static int program_path(char *buf, size_t size)
{
	static const char deleted[] = " (deleted)";
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	size_t len;

	if (n < 0)
		return -errno;
	buf[n] = 0;
	len = (size_t)n;
	if (len > sizeof(deleted) - 1 && !strcmp(buf + len - (sizeof(deleted) - 1), deleted))
		buf[len - (sizeof(deleted) - 1)] = 0;
	return 0;
}

int shell_persist_exec(struct shell *sh)
{
	struct handover h = { 0 };
	char path[4096], num[16];
	int r = sh->store ? handover_collect(sh, &h) : -ENOENT;

	if (r == 0)
		r = program_path(path, sizeof(path));
	if (r < 0) {
		log_err("restart in place: %s", strerror(-r));
		free(h.fds);
		free(h.names);
		return r;
	}
	/*
	 * sd_listen_fds() wants them at 3, 4, ...: copied above that range first, so that
	 * moving one down never overwrites another still to move; dup2() clears CLOEXEC.
	 */
	for (size_t i = 0; i < h.n && r == 0; i++) {
		h.fds[i] = fcntl(h.fds[i], F_DUPFD_CLOEXEC, SD_LISTEN_FDS_START + (int)h.n);
		if (h.fds[i] < 0)
			r = -errno;
	}
	for (size_t i = 0; i < h.n && r == 0; i++)
		if (dup2(h.fds[i], SD_LISTEN_FDS_START + (int)i) < 0)
			r = -errno;
	if (r == 0) {
		snprintf(num, sizeof(num), "%d", (int)getpid());
		setenv("LISTEN_PID", num, 1);
		snprintf(num, sizeof(num), "%zu", h.n);
		setenv("LISTEN_FDS", num, 1);
		setenv("LISTEN_FDNAMES", h.names, 1);
		log_notice("restarting in place: %s with %zu fds", path, h.n);
		execv(path, sh->argv);
		r = -errno;
	}
	/* Some fds may have been overwritten: this process cannot go on; systemd restarts it. */
	log_err("restart in place: exec %s: %s", path, strerror(-r));
	_exit(1);
}
