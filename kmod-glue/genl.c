/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The "l2tp" generic-netlink family through libnl-genl-3 (spec/linux-kernel-l2tp.md §1, §6,
 * §8): startup checks with operator-readable failures, synchronous commands, GET and dumps,
 * and the notification socket. Two sockets, because a notification keeps the requester's
 * sequence number and would be taken for the reply on a socket that does both (§1.7): the
 * command socket checks sequence numbers itself (a stale reply of an abandoned request is
 * dropped, not taken for an error), the event socket checks none. Messages are built and
 * parsed in genl_msg.c.
 */
#include "kglue_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
/* After libnl, whose headers bring in <netinet/in.h> before <linux/in.h> would clash. */
#include <linux/l2tp.h>

/* Above the kernel's largest netlink skb (32 KiB less overhead): no MSG_PEEK round trip needed. */
#define KGLUE_MSG_BUF	   32768
#define KGLUE_EVENT_RCVBUF (4 * 1024 * 1024)
/* Datagrams per kglue_event_read(): the event loop calls again while more wait. */
#define KGLUE_EVENT_BATCH 256

/* The request in flight on the command socket. */
struct reply {
	uint32_t seq;
	bool done; /* its ACK, error or NLMSG_DONE arrived */
	int err;   /* the kernel's negative errno */
	int stop;  /* the first non-zero return of on_msg: later messages are only drained */
	int (*on_msg)(struct nlmsghdr *nlh, void *arg);
	void *arg;
};

struct kglue {
	struct nl_sock *cmd;
	struct nl_sock *ev;
	struct nl_cb *cb;
	int family;
	struct reply *reply;
	uint32_t ev_buf[KGLUE_MSG_BUF / sizeof(uint32_t)];
};

static int on_seq_check(struct nl_msg *msg, void *arg)
{
	struct kglue *k = arg;
	const struct sockaddr_nl *src = nlmsg_get_src(msg);

	if (src->nl_pid != 0 || nlmsg_hdr(msg)->nlmsg_seq != k->reply->seq)
		return NL_SKIP;
	return NL_OK;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct reply *r = ((struct kglue *)arg)->reply;

	if (r->on_msg && !r->stop)
		r->stop = r->on_msg(nlmsg_hdr(msg), r->arg);
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	((struct kglue *)arg)->reply->done = true;
	return NL_STOP;
}

/* A dump that failed half-way says so in the int carried by NLMSG_DONE. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct reply *r = ((struct kglue *)arg)->reply;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int e;

	if (nlmsg_datalen(nlh) >= (int)sizeof(e)) {
		memcpy(&e, nlmsg_data(nlh), sizeof(e));
		if (e < 0)
			r->err = e;
	}
	r->done = true;
	return NL_STOP;
}

/* libnl would turn the kernel's errno into an NLE_* code; keep the errno itself. */
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct reply *r = ((struct kglue *)arg)->reply;

	r->err = e->error < 0 ? e->error : -EPROTO;
	r->done = true;
	return NL_STOP;
}

/* Sends msg (consumed) and reads until its ACK, error or end of dump. */
static int transact(struct kglue *k, struct nl_msg *msg, int (*on_msg)(struct nlmsghdr *nlh, void *arg),
		    void *arg)
{
	struct reply r = { .on_msg = on_msg, .arg = arg };
	int n;

	n = nl_send_auto(k->cmd, msg);
	r.seq = kglue_msg_hdr(msg)->nlmsg_seq;
	kglue_msg_free(msg);
	if (n < 0)
		return kglue_nle_errno(n);
	k->reply = &r;
	do
		n = nl_recvmsgs_report(k->cmd, k->cb);
	while (!r.done && n > 0);
	k->reply = NULL;
	if (!r.done)
		return n < 0 ? kglue_nle_errno(n) : -EIO;
	return r.stop ? r.stop : r.err;
}

/* Requests that only expect their ACK. */
int kglue_tunnel_create(struct kglue *k, uint16_t tunnel_id, uint16_t peer_tunnel_id, int udp_fd)
{
	struct nl_msg *msg;
	int r = kglue_msg_tunnel_create(&msg, k->family, tunnel_id, peer_tunnel_id, udp_fd);

	return r < 0 ? r : transact(k, msg, NULL, NULL);
}

int kglue_tunnel_delete(struct kglue *k, uint16_t tunnel_id)
{
	struct nl_msg *msg;
	int r = kglue_msg_tunnel_delete(&msg, k->family, tunnel_id);

	return r < 0 ? r : transact(k, msg, NULL, NULL);
}

int kglue_session_create(struct kglue *k, const struct kglue_session *s)
{
	struct nl_msg *msg;
	int r = kglue_msg_session_create(&msg, k->family, s);

	return r < 0 ? r : transact(k, msg, NULL, NULL);
}

int kglue_session_delete(struct kglue *k, uint16_t tunnel_id, uint16_t session_id)
{
	struct nl_msg *msg;
	int r = kglue_msg_session_delete(&msg, k->family, tunnel_id, session_id);

	return r < 0 ? r : transact(k, msg, NULL, NULL);
}

/* GET of one object: the reply must be that object, well-formed and L2TPv2. */
struct get_one {
	int family;
	uint16_t tunnel_id, session_id;
	bool got;
	struct kglue_tunnel_info *tunnel;
	struct kglue_session_info *session;
};

static int on_get_tunnel(struct nlmsghdr *nlh, void *arg)
{
	struct get_one *g = arg;
	struct kglue_tunnel_info t;

	if (g->got || kglue_parse_tunnel(nlh, g->family, &t) < 0 || t.tunnel_id != g->tunnel_id)
		return -EPROTO;
	*g->tunnel = t;
	g->got = true;
	return 0;
}

static int on_get_session(struct nlmsghdr *nlh, void *arg)
{
	struct get_one *g = arg;
	struct kglue_session_info s;

	if (g->got || kglue_parse_session(nlh, g->family, &s) < 0 || s.tunnel_id != g->tunnel_id ||
	    s.session_id != g->session_id)
		return -EPROTO;
	*g->session = s;
	g->got = true;
	return 0;
}

int kglue_tunnel_get(struct kglue *k, uint16_t tunnel_id, struct kglue_tunnel_info *out)
{
	struct get_one g = { .family = k->family, .tunnel_id = tunnel_id, .tunnel = out };
	struct nl_msg *msg;
	int r = kglue_msg_tunnel_get(&msg, k->family, tunnel_id);

	if (r == 0)
		r = transact(k, msg, on_get_tunnel, &g);
	return r < 0 ? r : g.got ? 0 : -EPROTO;
}

int kglue_session_get(struct kglue *k, uint16_t tunnel_id, uint16_t session_id,
		      struct kglue_session_info *out)
{
	struct get_one g = {
		.family = k->family, .tunnel_id = tunnel_id, .session_id = session_id, .session = out
	};
	struct nl_msg *msg;
	int r = kglue_msg_session_get(&msg, k->family, tunnel_id, session_id);

	if (r == 0)
		r = transact(k, msg, on_get_session, &g);
	return r < 0 ? r : g.got ? 0 : -EPROTO;
}

/* Dumps: objects this daemon cannot own (L2TPv3, 32-bit IDs) are skipped, malformed ones stop it. */
struct dump {
	int family;
	int (*tunnel_fn)(const struct kglue_tunnel_info *t, void *arg);
	int (*session_fn)(const struct kglue_session_info *s, void *arg);
	void *arg;
};

static int on_dump_tunnel(struct nlmsghdr *nlh, void *arg)
{
	struct dump *d = arg;
	struct kglue_tunnel_info t;
	int r = kglue_parse_tunnel(nlh, d->family, &t);

	if (r == -ERANGE)
		return 0;
	return r < 0 ? r : d->tunnel_fn(&t, d->arg);
}

static int on_dump_session(struct nlmsghdr *nlh, void *arg)
{
	struct dump *d = arg;
	struct kglue_session_info s;
	int r = kglue_parse_session(nlh, d->family, &s);

	if (r == -ERANGE)
		return 0;
	return r < 0 ? r : d->session_fn(&s, d->arg);
}

int kglue_tunnel_dump(struct kglue *k, int (*fn)(const struct kglue_tunnel_info *t, void *arg), void *arg)
{
	struct dump d = { .family = k->family, .tunnel_fn = fn, .arg = arg };
	struct nl_msg *msg;
	int r = kglue_msg_tunnel_dump(&msg, k->family);

	return r < 0 ? r : transact(k, msg, on_dump_tunnel, &d);
}

int kglue_session_dump(struct kglue *k, int (*fn)(const struct kglue_session_info *s, void *arg), void *arg)
{
	struct dump d = { .family = k->family, .session_fn = fn, .arg = arg };
	struct nl_msg *msg;
	int r = kglue_msg_session_dump(&msg, k->family);

	return r < 0 ? r : transact(k, msg, on_dump_session, &d);
}

int kglue_event_fd(const struct kglue *k)
{
	return nl_socket_get_fd(k->ev);
}

int kglue_event_read(struct kglue *k, void (*fn)(const struct kglue_event *ev, void *arg), void *arg)
{
	static const struct kglue_event lost = { .type = KGLUE_EVENTS_LOST };
	struct sockaddr_nl src;
	struct iovec iov = { .iov_base = k->ev_buf, .iov_len = sizeof(k->ev_buf) };
	struct msghdr mh = { .msg_name = &src, .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;
	int i;

	for (i = 0; i < KGLUE_EVENT_BATCH; i++) {
		mh.msg_namelen = sizeof(src);
		mh.msg_flags = 0;
		n = recvmsg(kglue_event_fd(k), &mh, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			/* The kernel dropped notifications; what is still queued stays valid. */
			fn(&lost, arg);
			continue;
		}
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (src.nl_pid == 0 && !(mh.msg_flags & MSG_TRUNC))
			kglue_parse_events((struct nlmsghdr *)k->ev_buf, (int)n, k->family, fn, arg);
	}
	return 0;
}

static int say(char *why, size_t why_len, int r, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int say(char *why, size_t why_len, int r, const char *fmt, ...)
{
	va_list ap;

	if (why_len) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return r;
}

static int set_cloexec(struct nl_sock *sk)
{
	return fcntl(nl_socket_get_fd(sk), F_SETFD, FD_CLOEXEC) < 0 ? -errno : 0;
}

static int connect_socket(struct nl_sock **sk, char *why, size_t why_len)
{
	int r;

	*sk = nl_socket_alloc();
	if (!*sk)
		return say(why, why_len, -ENOMEM, "out of memory for a netlink socket");
	r = genl_connect(*sk);
	if (r < 0) {
		r = kglue_nle_errno(r);
		return say(why, why_len, r, "cannot open a generic netlink socket: %s", strerror(-r));
	}
	r = set_cloexec(*sk);
	return r < 0 ? say(why, why_len, r, "cannot set close-on-exec on a netlink socket: %s", strerror(-r))
		     : 0;
}

/* Resolving the family (and its group) asks the kernel to load l2tp_netlink (§6). */
static int open_commands(struct kglue *k, int *group, char *why, size_t why_len)
{
	int r = connect_socket(&k->cmd, why, why_len);

	if (r < 0)
		return r;
	r = genl_ctrl_resolve(k->cmd, L2TP_GENL_NAME);
	if (r < 0) {
		r = kglue_nle_errno(r);
		if (r == -ENOENT)
			return say(
				why, why_len, r,
				"the kernel has no L2TP netlink support (module l2tp_netlink): load it with "
				"'modprobe l2tp_netlink' (and l2tp_ppp), or add both to "
				"/etc/modules-load.d/l2tpkd.conf");
		return say(why, why_len, r, "cannot resolve the generic netlink family \"%s\": %s",
			   L2TP_GENL_NAME, strerror(-r));
	}
	k->family = r;
	r = genl_ctrl_resolve_grp(k->cmd, L2TP_GENL_NAME, L2TP_GENL_MCGROUP);
	if (r < 0) {
		r = kglue_nle_errno(r);
		return say(why, why_len, r,
			   "the kernel's \"%s\" netlink family has no \"%s\" event group: %s", L2TP_GENL_NAME,
			   L2TP_GENL_MCGROUP, strerror(-r));
	}
	*group = r;
	/* From here on kglue sets the flags and checks the sequence numbers itself. */
	nl_socket_disable_auto_ack(k->cmd);
	r = nl_socket_set_msg_buf_size(k->cmd, KGLUE_MSG_BUF);
	k->cb = r < 0 ? NULL : nl_cb_alloc(NL_CB_DEFAULT);
	if (!k->cb)
		return say(why, why_len, -ENOMEM, "out of memory for netlink callbacks");
	nl_cb_set(k->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, on_seq_check, k);
	nl_cb_set(k->cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, k);
	nl_cb_set(k->cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, k);
	nl_cb_set(k->cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, k);
	nl_cb_err(k->cb, NL_CB_CUSTOM, on_error, k);
	return 0;
}

static int open_events(struct kglue *k, int group, char *why, size_t why_len)
{
	int fd, size = KGLUE_EVENT_RCVBUF;
	int r = connect_socket(&k->ev, why, why_len);

	if (r < 0)
		return r;
	nl_socket_disable_seq_check(k->ev);
	r = nl_socket_add_membership(k->ev, group);
	if (r >= 0)
		r = nl_socket_set_nonblocking(k->ev);
	if (r < 0) {
		r = kglue_nle_errno(r);
		return say(why, why_len, r, "cannot subscribe to the kernel's L2TP events: %s", strerror(-r));
	}
	/* A burst of notifications must not overflow it; FORCE passes rmem_max with CAP_NET_ADMIN. */
	fd = nl_socket_get_fd(k->ev);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return 0;
}

/* Every L2TP netlink op, even GET, needs CAP_NET_ADMIN: find out now rather than at the first tunnel. */
static int probe_permission(struct kglue *k, char *why, size_t why_len)
{
	struct nl_msg *msg;
	int r = kglue_msg_permission_probe(&msg, k->family);

	if (r == 0)
		r = transact(k, msg, NULL, NULL);
	if (r == -EPERM || r == -EACCES)
		return say(why, why_len, r,
			   "the kernel refuses L2TP netlink operations: l2tpkd needs CAP_NET_ADMIN "
			   "(run it as root or with AmbientCapabilities=CAP_NET_ADMIN)");
	if (r == -ENOMEM)
		return say(why, why_len, r, "out of memory for a netlink request");
	/* EINVAL (CONN_ID missing) is the expected answer from a kernel that let us in. */
	return 0;
}

/* socket(AF_PPPOX, ..., PX_PROTO_OL2TP) asks the kernel to load pppox, then l2tp_ppp (§6). */
static int probe_pppox(char *why, size_t why_len)
{
	int r = kglue_pppox_probe();

	switch (r) {
	case 0:
		return 0;
	case -EAFNOSUPPORT:
		return say(why, why_len, r,
			   "the kernel has no PPPoX sockets (modules pppox and l2tp_ppp): load them with "
			   "'modprobe l2tp_ppp', or add l2tp_ppp to /etc/modules-load.d/l2tpkd.conf");
	case -EPROTONOSUPPORT:
		return say(why, why_len, r,
			   "the kernel has PPPoX but no PPP over L2TP (module l2tp_ppp): load it with "
			   "'modprobe l2tp_ppp', or add it to /etc/modules-load.d/l2tpkd.conf");
	case -EPERM:
	case -EACCES:
		return say(why, why_len, r,
			   "the kernel refuses PPPoL2TP sockets: l2tpkd needs CAP_NET_ADMIN");
	default:
		return say(why, why_len, r, "cannot create a PPPoL2TP socket: %s", strerror(-r));
	}
}

int kglue_open(struct kglue **out, char *why, size_t why_len)
{
	struct kglue *k;
	int group = 0, r;

	*out = NULL;
	if (why_len)
		why[0] = '\0';
	k = calloc(1, sizeof(*k));
	if (!k)
		return say(why, why_len, -ENOMEM, "out of memory");
	r = open_commands(k, &group, why, why_len);
	if (r == 0)
		r = open_events(k, group, why, why_len);
	if (r == 0)
		r = probe_permission(k, why, why_len);
	if (r == 0)
		r = probe_pppox(why, why_len);
	if (r < 0) {
		kglue_free(k);
		return r;
	}
	*out = k;
	return 0;
}

void kglue_free(struct kglue *k)
{
	if (!k)
		return;
	if (k->cb)
		nl_cb_put(k->cb);
	if (k->ev)
		nl_socket_free(k->ev);
	if (k->cmd)
		nl_socket_free(k->cmd);
	free(k);
}
