/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control server's transport (ctl_server.h): socket, connections, credentials, framing,
 * replies and events. Everything is non-blocking on the daemon's sd-event loop. A local user
 * must not be able to stall or exhaust the daemon through it, hence:
 *  - at most CTL_MAX_CONNS connections (CTL_MAX_CONNS_PER_UID per unprivileged user), with
 *    CTL_RESERVED_CONNS more kept for root and the admin group;
 *  - requests of at most L2TPKD_CTL_REQUEST_MAX octets, every attribute validated;
 *  - one request at a time per connection: while its answer is queued, nothing more is read
 *    (the client's socket buffer fills and it waits), and a dump is generated only as the
 *    client reads (CTL_DUMP_PAUSE);
 *  - events are queued up to CTL_QUEUE_MAX per subscriber, which is dropped beyond that;
 *  - CTL_WAKEUP_BUDGET requests or dump steps per wakeup, so one client cannot hog the loop.
 * Connections die by being marked; a defer source frees them outside of any callback of theirs.
 */
#include "ctl_server.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_MAX_CONNS 64
#define CTL_RESERVED_CONNS 16
#define CTL_MAX_CONNS_PER_UID 8
#define CTL_QUEUE_MAX (256 * 1024)
#define CTL_DUMP_PAUSE (4 * L2TPKD_CTL_DGRAM_MAX)
#define CTL_WAKEUP_BUDGET 16
#define CTL_ACCEPT_RETRY_USEC 1000000 /* after accept() ran out of descriptors or memory */
#define CTL_GROUPS_INLINE 64
#define CTL_WHY_MAX 256

struct ctl_dgram {
	struct ctl_dgram *next;
	size_t len;
	uint8_t data[];
};

struct ctl_conn {
	struct ctl_conn *prev, *next;
	struct ctl_server *srv;
	int fd;
	sd_event_source *src;
	uid_t uid;
	pid_t pid;
	bool privileged, subscribed, dead;
	struct ctl_dgram *out_head, *out_tail;
	size_t out_bytes;
	const struct ctl_command *dump_cmd; /* the dump in progress, if any */
	void *dump_state;
	struct nlmsghdr dump_req;
};

struct ctl_out {
	struct ctl_server *srv;
	struct ctl_conn *conn;
	struct nlmsghdr req; /* answered: its type, seq and pid */
	uint16_t flags;
	bool emitted;
};

struct ctl_server {
	sd_event *ev;
	sd_event_source *listen_src, *reap_src, *retry_src;
	int listen_fd;
	char *path;
	dev_t dev; /* the socket file we bound, so that we unlink only ours */
	ino_t ino;
	struct ctl_server_config cfg;
	struct ctl_conn *conns;
	unsigned n_conns;
	void *scratch;	    /* 2 * L2TPKD_CTL_DGRAM_MAX: the reply being built */
	size_t scratch_len; /* complete messages in it, at most L2TPKD_CTL_DGRAM_MAX */
	void *req_buf;	    /* L2TPKD_CTL_REQUEST_MAX */
};

static int fail(char *why, size_t why_len, int err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t why_len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return err;
}

static void server_log(const struct ctl_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void server_log(const struct ctl_server *s, const char *fmt, ...)
{
	char text[CTL_WHY_MAX];
	va_list ap;

	if (!s->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	s->cfg.log(s->cfg.ctx, text);
}

bool ctl_peer_privileged(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups, gid_t admin_gid)
{
	size_t i;

	if (uid == 0)
		return true;
	if (admin_gid == (gid_t)-1)
		return false;
	if (gid == admin_gid)
		return true;
	for (i = 0; i < n_groups; i++)
		if (groups[i] == admin_gid)
			return true;
	return false;
}

/* From the credentials the peer had at connect(); any doubt means unprivileged. */
static bool peer_privileged(int fd, const struct ucred *uc, gid_t admin_gid)
{
	gid_t inline_groups[CTL_GROUPS_INLINE], *groups = inline_groups;
	socklen_t len = sizeof(inline_groups);
	bool ok;

	if (uc->uid == 0 || admin_gid == (gid_t)-1 || uc->gid == admin_gid)
		return ctl_peer_privileged(uc->uid, uc->gid, NULL, 0, admin_gid);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
		if (errno != ERANGE)
			return false;
		groups = malloc(len);
		if (!groups || getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0) {
			free(groups);
			return false;
		}
	}
	ok = ctl_peer_privileged(uc->uid, uc->gid, groups, len / sizeof(gid_t), admin_gid);
	if (groups != inline_groups)
		free(groups);
	return ok;
}

static void conn_kill(struct ctl_conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	sd_event_source_set_enabled(c->src, SD_EVENT_OFF);
	sd_event_source_set_enabled(c->srv->reap_src, SD_EVENT_ONESHOT);
}

static void conn_end_dump(struct ctl_conn *c)
{
	if (c->dump_cmd && c->dump_cmd->dump_free)
		c->dump_cmd->dump_free(c->dump_state);
	c->dump_cmd = NULL;
	c->dump_state = NULL;
}

static void conn_free(struct ctl_conn *c)
{
	struct ctl_server *s = c->srv;

	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_conns--;
	sd_event_source_disable_unref(c->src);
	close(c->fd);
	while (c->out_head) {
		struct ctl_dgram *d = c->out_head;

		c->out_head = d->next;
		free(d);
	}
	conn_end_dump(c);
	free(c);
}

static int on_reap(sd_event_source *src, void *userdata)
{
	struct ctl_server *s = userdata;
	struct ctl_conn *c = s->conns, *next;

	for (; c; c = next) {
		next = c->next;
		if (c->dead)
			conn_free(c);
	}
	return 0;
}

static int conn_queue(struct ctl_conn *c, const void *data, size_t len)
{
	struct ctl_dgram *d = malloc(sizeof(*d) + len);

	if (!d)
		return -ENOMEM;
	d->next = NULL;
	d->len = len;
	memcpy(d->data, data, len);
	if (c->out_tail)
		c->out_tail->next = d;
	else
		c->out_head = d;
	c->out_tail = d;
	c->out_bytes += len;
	return 0;
}

/* Sends what the socket takes now: 0 (sent or would block) or a negative errno. */
static int conn_flush(struct ctl_conn *c)
{
	while (c->out_head) {
		struct ctl_dgram *d = c->out_head;
		ssize_t n = send(c->fd, d->data, d->len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -errno;
		}
		if ((size_t)n != d->len)
			return -EIO; /* SOCK_SEQPACKET sends a record whole or not at all */
		c->out_head = d->next;
		if (!c->out_head)
			c->out_tail = NULL;
		c->out_bytes -= d->len;
		free(d);
	}
	return 0;
}

/* Read a request only when its answer can be queued; write while anything waits. */
static void conn_update_events(struct ctl_conn *c)
{
	if (c->dead)
		return;
	sd_event_source_set_io_events(c->src, c->out_bytes || c->dump_cmd ? EPOLLOUT : EPOLLIN);
}

/* A message after those complete in the scratch buffer, with room for a whole datagram. */
static void out_msg_init(struct ctl_out *o, struct ctl_msg *m, uint16_t type, uint16_t flags)
{
	struct ctl_server *s = o->srv;

	ctl_msg_init(m, (char *)s->scratch + s->scratch_len, 2 * L2TPKD_CTL_DGRAM_MAX - s->scratch_len, type, flags,
		     o->req.nlmsg_seq, o->req.nlmsg_pid);
}

void ctl_out_begin(struct ctl_out *o, struct ctl_msg *m)
{
	out_msg_init(o, m, o->req.nlmsg_type, o->flags);
}

static int out_flush(struct ctl_out *o)
{
	struct ctl_server *s = o->srv;
	int r = 0;

	if (s->scratch_len && !o->conn->dead)
		r = conn_queue(o->conn, s->scratch, s->scratch_len);
	s->scratch_len = 0;
	return r;
}

int ctl_out_end(struct ctl_out *o, struct ctl_msg *m)
{
	struct ctl_server *s = o->srv;
	size_t len = m->overflow ? 0 : m->nlh->nlmsg_len;
	int r;

	if (m->overflow || len > L2TPKD_CTL_DGRAM_MAX)
		return -EMSGSIZE;
	/* Messages share a datagram until the next one would not fit; then it starts a new one. */
	if (s->scratch_len + len > L2TPKD_CTL_DGRAM_MAX) {
		r = out_flush(o);
		if (r < 0)
			return r;
		memmove(s->scratch, m->nlh, len);
	}
	s->scratch_len += len;
	o->emitted = true;
	return 0;
}

bool ctl_out_full(const struct ctl_out *o)
{
	return o->conn->out_bytes + o->srv->scratch_len >= CTL_DUMP_PAUSE;
}

/*
 * NLMSG_ERROR (error 0 is the ACK) or NLMSG_DONE, with the extended-ack reason and offset.
 * The request is echoed capped: its header only.
 */
static void out_status(struct ctl_out *o, uint16_t type, int err, const char *why, uint32_t offs)
{
	uint16_t flags = o->flags;
	struct ctl_msg m;

	if (type == NLMSG_ERROR)
		flags |= NLM_F_CAPPED;
	if (err < 0)
		flags |= NLM_F_ACK_TLVS;
	out_msg_init(o, &m, type, flags);
	if (type == NLMSG_ERROR) {
		struct nlmsgerr *e = mnl_nlmsg_put_extra_header(m.nlh, sizeof(*e));

		e->error = err;
		e->msg = o->req;
	} else {
		int *e = mnl_nlmsg_put_extra_header(m.nlh, sizeof(*e));

		*e = err;
	}
	if (err < 0) {
		ctl_put_str(&m, NLMSGERR_ATTR_MSG, why && *why ? why : strerror(-err), CTL_WHY_MAX);
		if (offs)
			ctl_put_u32(&m, NLMSGERR_ATTR_OFFS, offs);
	}
	if (ctl_out_end(o, &m) < 0)
		conn_kill(o->conn);
}

static void reply_error(struct ctl_conn *c, const struct nlmsghdr *req, int err, const char *why, uint32_t offs)
{
	struct ctl_out o = { .srv = c->srv, .conn = c, .req = *req };

	out_status(&o, NLMSG_ERROR, err, why, offs);
	if (out_flush(&o) < 0)
		conn_kill(c);
}

static const struct ctl_command *find_command(const struct ctl_server *s, uint16_t type)
{
	size_t i;

	for (i = 0; i < s->cfg.n_commands; i++)
		if (s->cfg.commands[i].type == type)
			return &s->cfg.commands[i];
	return NULL;
}

/* The framing and permission checks: a command, or an error already answered. */
static const struct ctl_command *check_request(struct ctl_conn *c, const void *buf, size_t n, bool truncated,
					       const struct nlattr **tb)
{
	const struct nlmsghdr *nlh = buf;
	const struct ctl_command *cmd;
	struct ctl_parse_error perr = { .why = "" };
	char why[CTL_WHY_MAX];
	int r;

	if (truncated)
		snprintf(why, sizeof(why), "request longer than %d octets", L2TPKD_CTL_REQUEST_MAX);
	else if (nlh->nlmsg_len != n)
		snprintf(why, sizeof(why), "message length %u in a datagram of %zu octets: one request per datagram",
			 nlh->nlmsg_len, n);
	else if (!(nlh->nlmsg_flags & NLM_F_REQUEST))
		snprintf(why, sizeof(why), "not a request: NLM_F_REQUEST is not set");
	else
		why[0] = '\0';
	if (why[0]) {
		reply_error(c, nlh, truncated ? -EMSGSIZE : -EINVAL, why, 0);
		return NULL;
	}
	cmd = find_command(c->srv, nlh->nlmsg_type);
	if (!cmd) {
		snprintf(why, sizeof(why), "unknown request type %u", nlh->nlmsg_type);
		reply_error(c, nlh, -EOPNOTSUPP, why, 0);
		return NULL;
	}
	r = ctl_parse_msg(nlh, &ctl_policy_top, tb, &perr);
	if (r < 0) {
		reply_error(c, nlh, r, perr.why,
			    perr.attr ? (uint32_t)((const char *)perr.attr - (const char *)nlh) : 0);
		return NULL;
	}
	if (tb[L2TPKD_CTL_A_PROTO_VERSION] &&
	    mnl_attr_get_u32(tb[L2TPKD_CTL_A_PROTO_VERSION]) != L2TPKD_CTL_PROTO_VERSION) {
		snprintf(why, sizeof(why), "control protocol version %u is not supported (l2tpkd speaks %d)",
			 mnl_attr_get_u32(tb[L2TPKD_CTL_A_PROTO_VERSION]), L2TPKD_CTL_PROTO_VERSION);
		reply_error(c, nlh, -EPROTO, why, 0);
		return NULL;
	}
	if (cmd->changes && !c->privileged) {
		reply_error(c, nlh, -EPERM, "permission denied: needs root or group " L2TPKD_CTL_GROUP, 0);
		return NULL;
	}
	return cmd;
}

static void run_doit(struct ctl_conn *c, const struct ctl_command *cmd, const struct ctl_request *req)
{
	struct ctl_out o = { .srv = c->srv, .conn = c, .req = *req->nlh };
	char why[CTL_WHY_MAX] = "";
	int r = 0;

	if (cmd->doit)
		r = cmd->doit(req, &o, why, sizeof(why));
	else if (!cmd->subscribes)
		r = fail(why, sizeof(why), -EOPNOTSUPP, "request type %u needs NLM_F_DUMP", cmd->type);
	if (c->dead) {
		c->srv->scratch_len = 0;
		return;
	}
	if (r < 0)
		c->srv->scratch_len = 0; /* no half answers before an error */
	out_status(&o, NLMSG_ERROR, r < 0 ? r : 0, why, 0);
	if (out_flush(&o) < 0)
		conn_kill(c);
	if (r >= 0 && cmd->subscribes)
		c->subscribed = true;
}

static void start_dump(struct ctl_conn *c, const struct ctl_command *cmd, const struct ctl_request *req)
{
	char why[CTL_WHY_MAX] = "";
	void *state = NULL;
	int r;

	if (!cmd->dump_start || !cmd->dump_next) {
		snprintf(why, sizeof(why), "request type %u cannot be dumped", cmd->type);
		reply_error(c, req->nlh, -EOPNOTSUPP, why, 0);
		return;
	}
	r = cmd->dump_start(req, &state, why, sizeof(why));
	if (r < 0) {
		reply_error(c, req->nlh, r, why, 0);
		return;
	}
	c->dump_cmd = cmd;
	c->dump_state = state;
	c->dump_req = *req->nlh;
}

static void conn_handle(struct ctl_conn *c, const void *buf, size_t n, bool truncated)
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	const struct ctl_command *cmd;
	struct ctl_request req;

	if (n < sizeof(struct nlmsghdr)) {
		struct nlmsghdr none = { 0 };

		reply_error(c, &none, -EINVAL, "datagram shorter than a netlink message header", 0);
		return;
	}
	cmd = check_request(c, buf, n, truncated, tb);
	if (!cmd)
		return;
	req.nlh = buf;
	req.tb = tb;
	req.ctx = c->srv->cfg.ctx;
	req.uid = c->uid;
	req.pid = c->pid;
	if ((req.nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		start_dump(c, cmd, &req);
	else
		run_doit(c, cmd, &req);
}

/* 0 after one request, -EAGAIN if none is waiting, another negative errno to drop the peer. */
static int conn_read(struct ctl_conn *c)
{
	struct iovec iov = { .iov_base = c->srv->req_buf, .iov_len = L2TPKD_CTL_REQUEST_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	/* Without a control buffer, descriptors a peer passes are discarded by the kernel. */
	n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
	if (n == 0)
		return -ECONNRESET;
	conn_handle(c, c->srv->req_buf, (size_t)n, mh.msg_flags & MSG_TRUNC);
	return 0;
}

static void conn_dump_step(struct ctl_conn *c)
{
	struct ctl_out o = { .srv = c->srv, .conn = c, .req = c->dump_req, .flags = NLM_F_MULTI };
	char why[CTL_WHY_MAX] = "";
	int r;

	r = c->dump_cmd->dump_next(c->srv->cfg.ctx, c->dump_state, &o, why, sizeof(why));
	if (r > 0 && !o.emitted)
		r = fail(why, sizeof(why), -EIO, "internal error: the dump made no progress");
	if (r <= 0) {
		out_status(&o, NLMSG_DONE, r, why, 0);
		conn_end_dump(c);
	}
	if (out_flush(&o) < 0)
		conn_kill(c);
}

static void conn_pump(struct ctl_conn *c)
{
	unsigned budget = CTL_WAKEUP_BUDGET;
	int r;

	while (!c->dead) {
		if (conn_flush(c) < 0) {
			conn_kill(c);
			return;
		}
		if (c->out_bytes >= (c->dump_cmd ? CTL_DUMP_PAUSE : 1) || budget-- == 0)
			break;
		if (c->dump_cmd) {
			conn_dump_step(c);
			continue;
		}
		r = conn_read(c);
		if (r == -EAGAIN)
			break;
		if (r < 0)
			conn_kill(c);
	}
	conn_update_events(c);
}

static int on_conn_io(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	conn_pump(userdata);
	return 0;
}

static unsigned conns_of_uid(const struct ctl_server *s, uid_t uid)
{
	const struct ctl_conn *c;
	unsigned n = 0;

	for (c = s->conns; c; c = c->next)
		n += !c->dead && c->uid == uid;
	return n;
}

static void conn_accept(struct ctl_server *s, int fd)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	struct ctl_conn *c;
	bool privileged;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0) {
		close(fd);
		return;
	}
	privileged = peer_privileged(fd, &uc, s->cfg.admin_gid);
	if (s->n_conns >= CTL_MAX_CONNS + CTL_RESERVED_CONNS ||
	    (!privileged && (s->n_conns >= CTL_MAX_CONNS || conns_of_uid(s, uc.uid) >= CTL_MAX_CONNS_PER_UID))) {
		server_log(s, "control: refused a connection of uid %u pid %d: too many connections",
			   (unsigned)uc.uid, (int)uc.pid);
		close(fd); /* the client reads end of file at once */
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c || sd_event_add_io(s->ev, &c->src, fd, EPOLLIN, on_conn_io, c) < 0) {
		free(c);
		close(fd);
		return;
	}
	c->srv = s;
	c->fd = fd;
	c->uid = uc.uid;
	c->pid = uc.pid;
	c->privileged = privileged;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->n_conns++;
}

static int on_accept_retry(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct ctl_server *s = userdata;

	sd_event_source_set_enabled(s->listen_src, SD_EVENT_ON);
	return 0;
}

static int on_listen(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct ctl_server *s = userdata;
	unsigned i;
	int cfd;

	for (i = 0; i < CTL_WAKEUP_BUDGET; i++) {
		cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (cfd >= 0) {
			conn_accept(s, cfd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* The connection stays pending and would wake us at once: pause instead. */
			server_log(s, "control: cannot accept connections for now: %m");
			sd_event_source_set_enabled(s->listen_src, SD_EVENT_OFF);
			sd_event_source_disable_unref(s->retry_src);
			s->retry_src = NULL;
			sd_event_add_time_relative(s->ev, &s->retry_src, CLOCK_MONOTONIC, CTL_ACCEPT_RETRY_USEC, 0,
						   on_accept_retry, s);
		}
		break;
	}
	return 0;
}

void ctl_server_broadcast(struct ctl_server *s, const struct nlmsghdr *nlh)
{
	struct ctl_conn *c;

	if (!s)
		return;
	for (c = s->conns; c; c = c->next) {
		if (c->dead || !c->subscribed)
			continue;
		if (c->out_bytes + nlh->nlmsg_len > CTL_QUEUE_MAX) {
			server_log(s, "control: dropped the monitor of uid %u pid %d: it does not read its events",
				   (unsigned)c->uid, (int)c->pid);
			conn_kill(c);
			continue;
		}
		if (conn_queue(c, nlh, nlh->nlmsg_len) < 0 || conn_flush(c) < 0) {
			conn_kill(c);
			continue;
		}
		conn_update_events(c);
	}
}

/* A socket file already at path: replaced if nobody listens on it, refused otherwise. */
static int clear_stale(const char *path, const struct sockaddr_un *sa, char *why, size_t why_len)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : fail(why, why_len, -errno, "control socket %s: %m", path);
	if (!S_ISSOCK(st.st_mode))
		return fail(why, why_len, -EEXIST, "control socket %s: exists and is not a socket", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fail(why, why_len, -errno, "control socket %s: socket: %m", path);
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 ? -errno : 0;
	close(fd);
	if (r == 0 || r == -EAGAIN)
		return fail(why, why_len, -EADDRINUSE, "control socket %s: another daemon is listening on it", path);
	if (r != -ECONNREFUSED)
		return fail(why, why_len, r, "control socket %s: in use (%s)", path, strerror(-r));
	if (unlink(path) < 0 && errno != ENOENT)
		return fail(why, why_len, -errno, "control socket %s: cannot remove the stale socket: %m", path);
	return 0;
}

/* The runtime directory is normally systemd's (RuntimeDirectory=); by hand we make it. */
static void make_parent_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	(void)mkdir(dir, 0755);
}

static int bind_socket(struct ctl_server *s, char *why, size_t why_len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old_mask;
	int r;

	if (strlen(s->path) >= sizeof(sa.sun_path))
		return fail(why, why_len, -ENAMETOOLONG, "control socket %s: path longer than %zu octets", s->path,
			    sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, s->path, strlen(s->path));
	make_parent_dir(s->path);
	r = clear_stale(s->path, &sa, why, why_len);
	if (r < 0)
		return r;
	s->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->listen_fd < 0)
		return fail(why, why_len, -errno, "control socket %s: socket: %m", s->path);
	old_mask = umask(0117); /* born 0660: never more open than that, not even briefly */
	r = bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
	umask(old_mask);
	if (r < 0)
		return fail(why, why_len, r, "control socket %s: bind: %s", s->path, strerror(-r));
	if (stat(s->path, &st) < 0)
		return fail(why, why_len, -errno, "control socket %s: %m", s->path);
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	if (s->cfg.admin_gid != (gid_t)-1 && st.st_gid != s->cfg.admin_gid &&
	    chown(s->path, (uid_t)-1, s->cfg.admin_gid) < 0)
		return fail(why, why_len, -errno, "control socket %s: cannot give it group %u: %m", s->path,
			    (unsigned)s->cfg.admin_gid);
	if (listen(s->listen_fd, SOMAXCONN) < 0)
		return fail(why, why_len, -errno, "control socket %s: listen: %m", s->path);
	return 0;
}

int ctl_server_open(sd_event *ev, const struct ctl_server_config *cfg, struct ctl_server **out, char *why,
		    size_t why_len)
{
	struct ctl_server *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return fail(why, why_len, -ENOMEM, "control socket: out of memory");
	s->listen_fd = -1;
	s->ev = sd_event_ref(ev);
	s->cfg = *cfg;
	s->path = strdup(cfg->path ? cfg->path : L2TPKD_CTL_SOCKET_PATH);
	s->scratch = malloc(2 * L2TPKD_CTL_DGRAM_MAX);
	s->req_buf = malloc(L2TPKD_CTL_REQUEST_MAX);
	if (!s->path || !s->scratch || !s->req_buf) {
		r = fail(why, why_len, -ENOMEM, "control socket: out of memory");
		goto err;
	}
	s->cfg.path = s->path;
	r = bind_socket(s, why, why_len);
	if (r < 0)
		goto err;
	r = sd_event_add_io(ev, &s->listen_src, s->listen_fd, EPOLLIN, on_listen, s);
	if (r >= 0)
		r = sd_event_add_defer(ev, &s->reap_src, on_reap, s);
	if (r >= 0)
		r = sd_event_source_set_enabled(s->reap_src, SD_EVENT_OFF);
	if (r < 0) {
		fail(why, why_len, r, "control socket %s: event loop: %s", s->path, strerror(-r));
		goto err;
	}
	*out = s;
	return 0;
err:
	ctl_server_free(s);
	return r;
}

void ctl_server_free(struct ctl_server *s)
{
	struct stat st;

	if (!s)
		return;
	while (s->conns)
		conn_free(s->conns);
	sd_event_source_disable_unref(s->listen_src);
	sd_event_source_disable_unref(s->reap_src);
	sd_event_source_disable_unref(s->retry_src);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		if (s->ino && stat(s->path, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
			unlink(s->path);
	}
	sd_event_unref(s->ev);
	free(s->path);
	free(s->scratch);
	free(s->req_buf);
	free(s);
}
