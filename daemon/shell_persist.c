/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What outlives the process (issue 6, design.md §1 point 4, spec/linux-kernel-l2tp.md §2.5):
 * the state memfd (state_store.c: the engine's records and the shell's own), every tunnel's
 * UDP socket (the kernel tunnel lives as long as its file), and every pppd's pidfd and log
 * pipe (pppd dies of SIGPIPE without a reader). The memfd goes to systemd's fd store by
 * itself; the other files, any number of them, travel in the fd vault (fd_vault.h), whose
 * queues are a few more fd store entries. systemd keeps them while no l2tpkd runs (FDSTORE=1,
 * FDPOLL=0) and hands them to the next process (LISTEN_FDS, LISTEN_FDNAMES). Without systemd,
 * "l2tpctl restart" re-executes the daemon with the same fds in the same way.
 *
 * The next process adopts what it is given, checks it against the kernel (tunnel and session
 * dumps) and the running pppd, and clears with StopCCN or CDN what did not survive. A state
 * memfd it cannot read is refused with a log line: a clean start, never a crash. A pidfd that
 * did not come is opened from the recorded pid, and checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "cursor.h"
#include "fd_vault.h"
#include "kglue.h"
#include "shell_int.h"
#include "state_store.h"

#define SHELL_STATE_VERSION 1
/* The store's payload version: both record formats must match. */
#define STORE_VERSION ((uint32_t)ENGINE_STATE_VERSION << 16 | SHELL_STATE_VERSION)
/* Key kinds of the shell's records, above the engine's. */
#define SHELL_STATE_SESSION 16
#define SHELL_STATE_TUNNEL  17
#define STATE_FD_NAME	    "state"

/* The fd store; sd_pid_notify_with_fds() and sd_notifyf() do nothing without systemd. */
static void fdstore_put(void *ctx, int fd, const char *name)
{
	char msg[64];
	int r;

	(void)ctx;
	snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=%s\nFDPOLL=0", name);
	r = sd_pid_notify_with_fds(0, 0, msg, &fd, 1);
	if (r < 0)
		log_err("fd store: cannot keep %s: %s (a restart would lose what it holds)", name,
			strerror(-r));
}

static void fdstore_drop(void *ctx, const char *name)
{
	(void)ctx;
	(void)sd_notifyf(0, "FDSTOREREMOVE=1\nFDNAME=%s", name);
}

static uint64_t kept_key(enum sh_kept kind, uint32_t ids)
{
	return (uint64_t)kind << 32 | ids;
}

bool shell_keep_fd(struct shell *sh, enum sh_kept kind, uint32_t ids, int fd)
{
	static bool warned;
	int r = sh->vault ? fd_vault_put(sh->vault, kept_key(kind, ids), fd) : -ENOENT;

	if (r < 0 && !warned) {
		log_err("fd vault: cannot keep a file (%s): it and others after it may not survive a "
			"restart",
			strerror(-r));
		warned = true;
	}
	return r == 0;
}

void shell_unkeep_fd(struct shell *sh, enum sh_kept kind, uint32_t ids)
{
	/* Handing over, the next process adopts it. A socket must not outlive its tunnel. */
	if (sh->vault && !sh->handing_over)
		fd_vault_drop(sh->vault, kept_key(kind, ids), kind == SH_KEPT_TUNNEL_SOCKET);
}

/*
 * Once a loop iteration's events are handled: the vault's queues are packed, a closed
 * tunnel's socket leaves at once, and a queue with nothing left is closed.
 */
static int on_loop_settled(sd_event_source *src, void *userdata)
{
	struct shell *sh = userdata;
	int r;

	(void)src;
	/* Stopping, the store goes with the unit: no need to pack what is left. */
	if (sh->stopping)
		return 0;
	r = fd_vault_settle(sh->vault);
	if (r < 0)
		log_warning("fd vault: rebuilding a queue: %s (tried again later)", strerror(-r));
	return 0;
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

static void put_addr(struct wcursor *c, const struct l2tp_addr *a)
{
	wcursor_u16(c, a->family);
	wcursor_u16(c, a->port);
	wcursor_bytes(c, a->addr, sizeof(a->addr));
}

static void get_addr(struct rcursor *c, struct l2tp_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = rcursor_u16(c);
	a->port = rcursor_u16(c);
	rcursor_copy(c, a->addr, sizeof(a->addr));
}

/*
 * A tunnel socket's two ends, as bound and connected, so that the next process need not ask
 * the socket: getsockname() and getpeername() take the socket's lock, and the kernel drops
 * the tunnel's outgoing data while userspace holds it (spec/linux-kernel-l2tp.md §3).
 */
void shell_persist_tunnel(struct shell *sh, const struct sh_tunnel *t)
{
	uint8_t buf[2 * (4 + 16)];
	struct wcursor c;

	wcursor_init(&c, buf, sizeof(buf));
	put_addr(&c, &t->local);
	put_addr(&c, &t->peer);
	if (wcursor_ok(&c))
		store_put(sh, ENGINE_STATE_KEY(SHELL_STATE_TUNNEL, t->id), buf, c.pos);
}

void shell_persist_tunnel_drop(struct shell *sh, uint16_t tunnel_id)
{
	if (sh->store && !sh->handing_over)
		state_store_drop(sh->store, ENGINE_STATE_KEY(SHELL_STATE_TUNNEL, tunnel_id));
}

static int read_tunnel_record(const void *buf, size_t len, struct l2tp_addr *local, struct l2tp_addr *peer)
{
	struct rcursor c;

	rcursor_init(&c, buf, len);
	get_addr(&c, local);
	get_addr(&c, peer);
	if (!rcursor_ok(&c) || rcursor_left(&c) || local->family != peer->family ||
	    (local->family != AF_INET && local->family != AF_INET6) || !peer->port)
		return -EINVAL;
	return 0;
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

struct adoption {
	struct shell *sh;
	int state_fd; /* the state memfd that came, -1 if none */
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

/* The file the previous process kept for this object, if it came (the caller owns it), or -1. */
static int take_kept(struct adoption *ad, enum sh_kept kind, uint32_t ids)
{
	return fd_vault_take(ad->sh->vault, kept_key(kind, ids));
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
	int fd = ad->state_fd, r;
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
		fdstore_drop(NULL, STATE_FD_NAME);
		free(ad->recs);
		ad->recs = NULL;
		ad->n_recs = 0;
	}
	r = state_store_new(&sh->store, STORE_VERSION, max_records);
	if (r < 0) {
		snprintf(why, why_len, "state memfd: %s", strerror(-r));
		return r;
	}
	fdstore_put(NULL, state_store_fd(sh->store), STATE_FD_NAME);
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
	int log_fd = take_kept(ad, SH_KEPT_PPPD_LOG, ids), stored = take_kept(ad, SH_KEPT_PPPD_PIDFD, ids);
	int pidfd = r ? pppd_pidfd(r, stored) : -1;

	if (pidfd >= 0 && kglue_session_get(sh->kglue, v->tunnel_id, v->session_id, &ki) == 0 &&
	    shell_session_adopt(sh, r, pidfd, log_fd) == 0) {
		struct sh_session *s = shell_session_find(sh, v->tunnel_id, v->session_id);

		/* Into the new queues, which replace the old ones once every object is in. */
		s->pid_stored = shell_keep_fd(sh, SH_KEPT_PPPD_PIDFD, ids, pidfd);
		s->log_stored = log_fd >= 0 && shell_keep_fd(sh, SH_KEPT_PPPD_LOG, ids, log_fd);
		ad->sessions++;
		return 0;
	}
	log_warning("tunnel %u session %u: %s: cleared", v->tunnel_id, v->session_id,
		    !r		? "no record of its pppd"
		    : pidfd < 0 ? "its pppd is gone"
				: "not in the kernel any more");
	if (pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0);
		close(pidfd);
	}
	if (log_fd >= 0)
		close(log_fd);
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
	uint64_t key = ENGINE_STATE_KEY(SHELL_STATE_TUNNEL, v->tunnel_id);
	struct record *rec = bsearch(&key, ad->recs, ad->n_recs, sizeof(*ad->recs), by_key);
	struct l2tp_addr ends[2];
	int fd = take_kept(ad, SH_KEPT_TUNNEL_SOCKET, v->tunnel_id);
	bool known = rec && read_tunnel_record(rec->buf, rec->len, &ends[0], &ends[1]) == 0;

	if (rec)
		rec->used = true;
	if (fd >= 0 && kglue_tunnel_get(sh->kglue, v->tunnel_id, &ki) == 0 &&
	    shell_tunnel_adopt(sh, fd, v->tunnel_id, known ? ends : NULL) == 0) {
		shell_tunnel_find(sh, v->tunnel_id)->fd_stored =
			shell_keep_fd(sh, SH_KEPT_TUNNEL_SOCKET, v->tunnel_id, fd);
		ad->tunnels++;
		return 0;
	}
	log_warning("tunnel %u: %s: cleared", v->tunnel_id,
		    fd < 0 ? "its socket did not come" : "not in the kernel any more");
	if (fd >= 0)
		close(fd);
	if (rec)
		state_store_drop(sh->store, key);
	ad->lost_tunnels++;
	note_lost(ad, v->tunnel_id, 0);
	return 0;
}

/* A call that was being set up: its pppd is stopped, its kernel session removed. */
static void release_call(struct adoption *ad, uint32_t ids)
{
	uint16_t tunnel_id = (uint16_t)(ids >> 16), session_id = (uint16_t)ids;
	struct sh_session_record rec;
	int stored = take_kept(ad, SH_KEPT_PPPD_PIDFD, ids), pidfd = stored;

	/* Without a record, a pidfd from our vault is still a pppd of ours whose call is not kept. */
	if (find_session_record(ad, tunnel_id, session_id, &rec))
		pidfd = pppd_pidfd(&rec, stored);
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
	static const char *const kinds[] = { [SH_KEPT_TUNNEL_SOCKET] = "tunnel socket",
					     [SH_KEPT_PPPD_PIDFD] = "pppd pidfd",
					     [SH_KEPT_PPPD_LOG] = "pppd log pipe" };
	uint64_t key;
	int fd;

	while (fd_vault_next_leftover(ad->sh->vault, &key, &fd)) {
		uint32_t kind = (uint32_t)(key >> 32), ids = (uint32_t)key;

		if (kind == SH_KEPT_TUNNEL_SOCKET && ids && ids <= UINT16_MAX)
			(void)kglue_tunnel_delete(ad->sh->kglue, (uint16_t)ids);
		else if (kind == SH_KEPT_PPPD_LOG)
			release_call(ad, ids);
		else if (kind == SH_KEPT_PPPD_PIDFD)
			syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0);
		log_info("dropping a %s (%#x), left by the previous l2tpkd and not in its state",
			 kind < sizeof(kinds) / sizeof(kinds[0]) && kinds[kind] ? kinds[kind] : "file", ids);
		close(fd);
	}
	for (size_t i = 0; i < ad->n_recs; i++)
		if (ENGINE_STATE_KIND(ad->recs[i].key) >= SHELL_STATE_SESSION && !ad->recs[i].used)
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

static void log_vault(void *ctx, const char *what)
{
	(void)ctx;
	log_err("%s", what);
}

/* The state memfd and the vault's queues from the fds that came; anything else is closed. */
static int sort_inherited(struct adoption *ad)
{
	char **names = NULL;
	int n = sd_listen_fds_with_names(1, &names), r = 0;

	if (n < 0) {
		log_warning("inherited fds unreadable (%s): starting clean", strerror(-n));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;

		if (!strcmp(names[i], STATE_FD_NAME) && ad->state_fd < 0)
			ad->state_fd = fd;
		else if (fd_vault_owns_name(names[i])) {
			if (r == 0)
				r = fd_vault_inherit(ad->sh->vault, fd, names[i]);
			else
				close(fd);
		} else {
			log_info("dropping fd \"%s\", left in the store and not ours", names[i]);
			close(fd);
			fdstore_drop(NULL, names[i]);
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int shell_persist_start(struct shell *sh, char *why, size_t why_len)
{
	static const struct fd_vault_ops ops = { .store = fdstore_put, .unstore = fdstore_drop };
	struct adoption ad = { .sh = sh, .state_fd = -1 };
	int r = fd_vault_new(&sh->vault, &ops);

	if (r == 0)
		r = sd_event_add_post(sh->ev, &sh->vault_settle, on_loop_settled, sh);
	if (r == 0)
		r = sort_inherited(&ad);
	if (r == 0)
		r = fd_vault_open(sh->vault, log_vault, NULL);
	if (r < 0) {
		snprintf(why, why_len, "fd vault: %s", strerror(-r));
		if (ad.state_fd >= 0)
			close(ad.state_fd);
		return r;
	}
	r = open_store(&ad, STORE_RECORDS_MAX, why, why_len);
	if (r == 0 && ad.n_recs) {
		restore_records(&ad);
		engine_walk_tunnels(sh->engine, adopt_tunnel, &ad);
		engine_walk_sessions(sh->engine, 0, adopt_session, &ad);
		engine_resume(sh->engine, shell_now());
		clear_lost(&ad);
		log_notice("restored %u tunnels and %u sessions from the previous l2tpkd; %u tunnels and %u "
			   "sessions lost, %u state records unreadable",
			   ad.tunnels, ad.sessions, ad.lost_tunnels, ad.lost_sessions, ad.bad_records);
	}
	release_leftovers(&ad);
	/* Every adopted file is in the new queues: they replace the old ones in the store. */
	fd_vault_commit(sh->vault);
	free(ad.recs);
	free(ad.lost);
	if (r == 0)
		shell_engine_done(sh);
	return r;
}
