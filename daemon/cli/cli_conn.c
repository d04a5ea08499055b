/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl's side of the control socket. Whatever answers on the socket path is checked like
 * any input: every message must fit its datagram, carry our sequence number and a known type,
 * and every attribute must pass the shared policy; anything else is a protocol error (exit 4)
 * rather than a guess. Failing to connect says which path and why, with a hint.
 */
#include "cli_conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static const struct ctl_attr_policy ext_ack_attrs[] = {
	[NLMSGERR_ATTR_MSG] = { .name = "msg", .kind = CTL_ATTR_STRING, .min_len = 1, .max_len = L2TPKD_CTL_TEXT_MAX },
	[NLMSGERR_ATTR_OFFS] = { .name = "offs", .kind = CTL_ATTR_U32 },
};
static const struct ctl_policy ext_ack_policy = { "extended ack", ext_ack_attrs, NLMSGERR_ATTR_OFFS };

static const char *connect_hint(int err)
{
	switch (err) {
	case ENOENT:
		return " (is l2tpkd running?)";
	case ECONNREFUSED:
		return " (nobody listens: is l2tpkd running?)";
	case EACCES:
	case EPERM:
		return " (needs root or group " L2TPKD_CTL_GROUP ")";
	default:
		return "";
	}
}

int cli_connect(struct cli_conn *c, const char *path, char *why, size_t why_len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int err;

	c->fd = -1;
	c->seq = 0;
	c->path = path;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, why_len, "cannot reach l2tpkd at %s: the path is too long", path);
		return CLI_EXIT_UNREACHABLE;
	}
	memcpy(sa.sun_path, path, strlen(path));
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		snprintf(why, why_len, "cannot reach l2tpkd at %s: %s%s", path, strerror(err), connect_hint(err));
		cli_close(c);
		return CLI_EXIT_UNREACHABLE;
	}
	return CLI_EXIT_OK;
}

void cli_close(struct cli_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int cli_status(const struct nlmsghdr *nlh, int *err, char *why, size_t why_len)
{
	const struct nlattr *tb[NLMSGERR_ATTR_OFFS + 1];
	size_t len = mnl_nlmsg_get_payload_len(nlh), off;
	const char *payload = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = (const void *)payload;

		if (len < sizeof(*e))
			return -EBADMSG;
		*err = e->error;
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			/* The whole request is echoed after its header. */
			if (e->msg.nlmsg_len < sizeof(e->msg) || e->msg.nlmsg_len - sizeof(e->msg) > len - off)
				return -EBADMSG;
			off += MNL_ALIGN(e->msg.nlmsg_len - sizeof(e->msg));
		}
	} else {
		int e = 0;

		if (len >= sizeof(e))
			memcpy(&e, payload, sizeof(e));
		*err = e;
		off = len >= sizeof(e) ? sizeof(e) : len;
	}
	/* An errno is 1..4095; anything else (INT_MIN would overflow a negation) is no status. */
	if (*err > 0 || *err < -4095)
		return -EBADMSG;
	why[0] = '\0';
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS && off < len) {
		if (ctl_parse(payload + off, len - off, &ext_ack_policy, tb, NULL) < 0)
			return -EBADMSG;
		if (tb[NLMSGERR_ATTR_MSG])
			snprintf(why, why_len, "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
	}
	if (!why[0] && *err < 0)
		snprintf(why, why_len, "%s", strerror(-*err));
	return 0;
}

static int protocol_error(char *why, size_t why_len, const char *what, const char *detail)
{
	snprintf(why, why_len, "bad answer from l2tpkd: %s%s%s", what, detail ? ": " : "", detail ? detail : "");
	return CLI_EXIT_PROTOCOL;
}

/* A reply of the request's type: its attributes, validated, to fn. */
static int feed_reply(struct cli_answer *a, const struct nlmsghdr *nlh, char *why, size_t why_len)
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	struct ctl_parse_error perr = { .why = "" };

	if (ctl_parse_msg(nlh, &ctl_policy_top, tb, &perr) < 0)
		return protocol_error(why, why_len, "a malformed reply", perr.why);
	return a->fn ? a->fn(tb, a->arg, why, why_len) : CLI_EXIT_OK;
}

/*
 * The next message lies whole inside the rem octets left. Not mnl_nlmsg_ok(): libmnl 1.0.4
 * compares the length as an int, so a hostile nlmsg_len of 2^31 or more passes it.
 */
static bool msg_fits(const struct nlmsghdr *nlh, int rem)
{
	return rem >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= (unsigned int)rem;
}

int cli_answer_feed(struct cli_answer *a, const void *buf, size_t len, char *why, size_t why_len)
{
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len, err, r;

	if (len == 0 || len > L2TPKD_CTL_DGRAM_MAX)
		return protocol_error(why, why_len, "a datagram of a wrong size", NULL);
	for (; msg_fits(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		if (nlh->nlmsg_seq != a->seq || nlh->nlmsg_type == NLMSG_NOOP)
			continue; /* events, or what an earlier request left behind */
		if (a->done)
			return protocol_error(why, why_len, "messages after the end of the answer", NULL);
		if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
			if (cli_status(nlh, &err, why, why_len) < 0)
				return protocol_error(why, why_len, "a malformed status message", NULL);
			a->done = true;
			if (err < 0)
				return CLI_EXIT_REFUSED;
			continue;
		}
		if (nlh->nlmsg_type != a->type)
			return protocol_error(why, why_len, "a reply of an unexpected type", NULL);
		r = feed_reply(a, nlh, why, why_len);
		if (r != CLI_EXIT_OK)
			return r;
	}
	if (rem > 0)
		return protocol_error(why, why_len, "a truncated message", NULL);
	return CLI_EXIT_OK;
}

/* One datagram: its length; 0 if the daemon closed; -errno; -EMSGSIZE if it was cut. */
static ssize_t recv_dgram(struct cli_conn *c, void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);

	if (n < 0)
		return -errno;
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	return n;
}

static int recv_failed(struct cli_conn *c, ssize_t n, char *why, size_t why_len)
{
	if (n == -EMSGSIZE)
		return protocol_error(why, why_len, "a datagram longer than the protocol allows", NULL);
	if (n == 0)
		snprintf(why, why_len, "l2tpkd at %s closed the connection", c->path);
	else if (n == -EAGAIN)
		snprintf(why, why_len, "l2tpkd at %s did not answer within %u s", c->path, c->timeout_s);
	else
		snprintf(why, why_len, "reading from l2tpkd at %s: %s", c->path, strerror((int)-n));
	return CLI_EXIT_UNREACHABLE;
}

static void set_timeout(struct cli_conn *c, unsigned seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	(void)setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

int cli_transact(struct cli_conn *c, const struct cli_request *r, cli_reply_fn fn, void *arg, char *why,
		 size_t why_len)
{
	union {
		struct nlmsghdr nlh; /* aligns the buffer */
		char buf[L2TPKD_CTL_REQUEST_MAX];
	} req;
	struct cli_answer a = { .type = r->type, .seq = ++c->seq, .fn = fn, .arg = arg };
	int len = cli_request_encode(r, a.seq, req.buf, sizeof(req.buf)), ret = CLI_EXIT_OK;
	void *buf;
	ssize_t n;

	if (len < 0) {
		snprintf(why, why_len, "the request is too large");
		return CLI_EXIT_USAGE;
	}
	if (send(c->fd, req.buf, (size_t)len, MSG_NOSIGNAL) < 0) {
		snprintf(why, why_len, "cannot send to l2tpkd at %s: %s", c->path, strerror(errno));
		return CLI_EXIT_UNREACHABLE;
	}
	buf = malloc(L2TPKD_CTL_DGRAM_MAX);
	if (!buf) {
		snprintf(why, why_len, "out of memory");
		return CLI_EXIT_UNREACHABLE;
	}
	set_timeout(c, c->timeout_s);
	while (!a.done && ret == CLI_EXIT_OK) {
		n = recv_dgram(c, buf, L2TPKD_CTL_DGRAM_MAX);
		if (n == -EINTR)
			continue;
		ret = n <= 0 ? recv_failed(c, n, why, why_len) : cli_answer_feed(&a, buf, (size_t)n, why, why_len);
	}
	free(buf);
	return ret;
}

/* The events in one datagram. */
static int feed_events(const void *buf, size_t len, cli_reply_fn fn, void *arg, char *why, size_t why_len)
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	struct ctl_parse_error perr = { .why = "" };
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len, r;

	for (; msg_fits(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		if (nlh->nlmsg_type != L2TPKD_CTL_MSG_EVENT)
			continue;
		if (ctl_parse_msg(nlh, &ctl_policy_top, tb, &perr) < 0)
			return protocol_error(why, why_len, "a malformed event", perr.why);
		r = fn(tb, arg, why, why_len);
		if (r != CLI_EXIT_OK)
			return r;
	}
	if (rem > 0)
		return protocol_error(why, why_len, "a truncated message", NULL);
	return CLI_EXIT_OK;
}

int cli_events(struct cli_conn *c, cli_reply_fn fn, void *arg, volatile sig_atomic_t *stop, char *why,
	       size_t why_len)
{
	void *buf = malloc(L2TPKD_CTL_DGRAM_MAX);
	int ret = CLI_EXIT_OK;
	ssize_t n;

	if (!buf) {
		snprintf(why, why_len, "out of memory");
		return CLI_EXIT_UNREACHABLE;
	}
	set_timeout(c, 0);
	while (ret == CLI_EXIT_OK && !*stop) {
		n = recv_dgram(c, buf, L2TPKD_CTL_DGRAM_MAX);
		if (n == -EINTR)
			continue;
		ret = n <= 0 ? recv_failed(c, n, why, why_len) : feed_events(buf, (size_t)n, fn, arg, why, why_len);
	}
	free(buf);
	return ret;
}
