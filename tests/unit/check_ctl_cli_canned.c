/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl's extended failover commands end to end, against a daemon of canned answers: the
 * command (cli_cmds.c) runs in a child over a real socket; here the test takes its request,
 * checks it as the daemon would read it (type, flags, attributes), and answers with datagrams
 * built as include/l2tp/ctl.h has them. What the child printed and its exit code are checked:
 * output, refusals (exit 2), malformed answers (exit 4), a monitor's event.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli_cmds.h"
#include "cli_conn.h"
#include "ctl_proto.h"
#include "ctl_tests.h"

/* The socket l2tpctl connects to. */
static struct {
	char dir[64], path[96];
	int listen_fd;
} canned;

/* The request l2tpctl sent, as the daemon reads it. */
struct taken {
	union {
		struct nlmsghdr nlh;
		char b[L2TPKD_CTL_REQUEST_MAX];
	} u;
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
};

/* An answer: messages one after another in one datagram, as the daemon batches them. */
struct dgram {
	union {
		struct nlmsghdr align;
		char buf[L2TPKD_CTL_DGRAM_MAX];
	} u;
	size_t len;
	struct ctl_msg m;
};

typedef void (*answer_fn)(int fd, const struct taken *req);

static void canned_setup(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(canned.dir, sizeof(canned.dir), "/tmp/l2tpctl-canned-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(canned.dir));
	snprintf(canned.path, sizeof(canned.path), "%s/control", canned.dir);
	memcpy(sa.sun_path, canned.path, strlen(canned.path));
	canned.listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(canned.listen_fd, 0);
	ck_assert_int_eq(bind(canned.listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(canned.listen_fd, 4), 0);
}

static void canned_teardown(void)
{
	close(canned.listen_fd);
	unlink(canned.path);
	rmdir(canned.dir);
}

static struct ctl_msg *begin(struct dgram *d, uint16_t type, uint16_t flags, uint32_t seq)
{
	ctl_msg_init(&d->m, d->u.buf + d->len, sizeof(d->u.buf) - d->len, type, flags, seq, 0);
	return &d->m;
}

static void end(struct dgram *d)
{
	ck_assert(!d->m.overflow);
	d->len += d->m.nlh->nlmsg_len;
}

/* NLMSG_ERROR for req: the ACK (err 0) or a refusal with the daemon's reason. */
static void status(struct dgram *d, const struct taken *req, int err, const char *why)
{
	struct ctl_msg *m =
		begin(d, NLMSG_ERROR, NLM_F_CAPPED | (why ? NLM_F_ACK_TLVS : 0), req->u.nlh.nlmsg_seq);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(m->nlh, sizeof(*e));

	e->error = err;
	e->msg = req->u.nlh;
	e->msg.nlmsg_len = sizeof(e->msg);
	if (why)
		ctl_put_str(m, NLMSGERR_ATTR_MSG, why, L2TPKD_CTL_TEXT_MAX);
	end(d);
}

static void done(struct dgram *d, const struct taken *req)
{
	struct ctl_msg *m = begin(d, NLMSG_DONE, NLM_F_MULTI, req->u.nlh.nlmsg_seq);
	int *e = mnl_nlmsg_put_extra_header(m->nlh, sizeof(*e));

	*e = 0;
	end(d);
}

static void send_dgram(int fd, struct dgram *d)
{
	ck_assert_int_eq(send(fd, d->u.buf, d->len, MSG_NOSIGNAL), (ssize_t)d->len);
	d->len = 0;
}

/* The request on a fresh connection, checked as the daemon's server would. */
static int take_request(struct taken *req)
{
	struct pollfd pfd = { .fd = canned.listen_fd, .events = POLLIN };
	struct timeval tv = { .tv_sec = 5 };
	int fd;
	ssize_t n;

	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	fd = accept4(canned.listen_fd, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, req->u.b, sizeof(req->u.b), 0);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(req->u.nlh.nlmsg_len, (size_t)n);
	ck_assert(req->u.nlh.nlmsg_flags & NLM_F_REQUEST);
	ck_assert_int_eq(ctl_parse_msg(&req->u.nlh, &ctl_policy_top, req->tb, NULL), 0);
	ck_assert_uint_eq(mnl_attr_get_u32(req->tb[L2TPKD_CTL_A_PROTO_VERSION]), L2TPKD_CTL_PROTO_VERSION);
	return fd;
}

/* All the child wrote to the pipe, to free. */
static char *read_all(int fd)
{
	char *out = NULL, chunk[1024];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	ssize_t n;

	ck_assert_ptr_nonnull(f);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		fwrite(chunk, 1, (size_t)n, f);
	fclose(f);
	close(fd);
	return out;
}

/*
 * l2tpctl's command in a child, answered here: its exit code; its output in *out (to free),
 * its error line in why; the request it sent in *req.
 */
static int run(cli_run_fn fn, struct cli_request *r, enum pr_mode mode, answer_fn answer, struct taken *req,
	       char **out, char *why)
{
	int pipefd[2], fd, status, ret;
	char *err;
	pid_t pid;

	ck_assert_int_eq(pipe(pipefd), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		static volatile sig_atomic_t stop;
		struct cli_ctx x = {
			.socket_path = canned.path, .mode = mode, .timeout_s = 5, .stop = &stop
		};

		close(pipefd[0]);
		x.out = fdopen(pipefd[1], "w");
		ret = x.out ? fn(&x, r) : 99;
		if (x.out) {
			if (ret != CLI_EXIT_OK)
				fprintf(x.out, "ERROR %s", x.why);
			fclose(x.out);
		}
		_exit(ret);
	}
	close(pipefd[1]);
	fd = take_request(req);
	answer(fd, req);
	close(fd);
	*out = read_all(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	why[0] = '\0';
	err = strstr(*out, "ERROR ");
	if (err) {
		snprintf(why, 256, "%s", err + 6);
		*err = '\0';
	}
	return WEXITSTATUS(status);
}

static void answer_endpoints(int fd, const struct taken *req)
{
	static struct dgram d;

	ctl_test_endpoint_busy(begin(&d, L2TPKD_CTL_MSG_PEER_GET, NLM_F_MULTI, req->u.nlh.nlmsg_seq));
	end(&d);
	send_dgram(fd, &d); /* a dump may come in several datagrams */
	ctl_test_endpoint_idle(begin(&d, L2TPKD_CTL_MSG_PEER_GET, NLM_F_MULTI, req->u.nlh.nlmsg_seq));
	end(&d);
	done(&d, req);
	send_dgram(fd, &d);
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key %s", key);
	return v;
}

START_TEST(test_peer_show)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_PEER_GET, .group = "lns-pool" };
	struct taken req;
	json_object *root;
	char *out, why[256];

	ck_assert_int_eq(run(cli_run_peer_show, &r, PR_TEXT, answer_endpoints, &req, &out, why), CLI_EXIT_OK);
	ck_assert_str_eq(out, ctl_test_endpoints_text);
	free(out);
	ck_assert_uint_eq(req.u.nlh.nlmsg_type, L2TPKD_CTL_MSG_PEER_GET);
	ck_assert_uint_eq(req.u.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP); /* always a dump */
	ck_assert_str_eq(mnl_attr_get_str(req.tb[L2TPKD_CTL_A_GROUP]), "lns-pool");

	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_PEER_GET };
	ck_assert_int_eq(run(cli_run_peer_show, &r, PR_JSON, answer_endpoints, &req, &out, why), CLI_EXIT_OK);
	ck_assert_uint_eq(req.u.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	ck_assert_ptr_null(req.tb[L2TPKD_CTL_A_GROUP]);
	root = json_tokener_parse(out);
	ck_assert_ptr_nonnull(root);
	ck_assert_uint_eq(json_object_array_length(root), 2);
	ck_assert_int_eq(json_object_get_int(member(json_object_array_get_idx(root, 0), "busy_ms")), 41001);
	ck_assert_str_eq(json_object_get_string(member(json_object_array_get_idx(root, 1), "state")),
			 "no tunnel");
	json_object_put(root);
	free(out);
}
END_TEST

static void answer_empty_dump(int fd, const struct taken *req)
{
	static struct dgram d;

	done(&d, req);
	send_dgram(fd, &d);
}

static void answer_no_group(int fd, const struct taken *req)
{
	static struct dgram d;

	status(&d, req, -ENOENT, "no peer group 'nope'");
	send_dgram(fd, &d);
}

/* No groups: nothing as text, [] as JSON. An unknown group: exit 2 with the reason. */
START_TEST(test_peer_show_empty_and_refused)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_PEER_GET };
	struct taken req;
	char *out, why[256];

	ck_assert_int_eq(run(cli_run_peer_show, &r, PR_TEXT, answer_empty_dump, &req, &out, why),
			 CLI_EXIT_OK);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_int_eq(run(cli_run_peer_show, &r, PR_JSON, answer_empty_dump, &req, &out, why),
			 CLI_EXIT_OK);
	ck_assert_str_eq(out, "[]\n");
	free(out);
	r.group = "nope";
	ck_assert_int_eq(run(cli_run_peer_show, &r, PR_JSON, answer_no_group, &req, &out, why),
			 CLI_EXIT_REFUSED);
	ck_assert_str_eq(why, "no peer group 'nope'");
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

static void answer_bad_priority(int fd, const struct taken *req)
{
	static const uint16_t priority = 1;
	static struct dgram d;
	struct ctl_msg *m = begin(&d, L2TPKD_CTL_MSG_PEER_GET, NLM_F_MULTI, req->u.nlh.nlmsg_seq);

	ctl_put_str(m, L2TPKD_CTL_A_GROUP, "lns-pool", L2TPKD_CTL_PEER_MAX);
	ctl_put_bin(m, L2TPKD_CTL_A_PRIORITY, &priority, sizeof(priority));
	end(&d);
	done(&d, req);
	send_dgram(fd, &d);
}

START_TEST(test_peer_show_malformed)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_PEER_GET };
	struct taken req;
	char *out, why[256];

	ck_assert_int_eq(run(cli_run_peer_show, &r, PR_TEXT, answer_bad_priority, &req, &out, why),
			 CLI_EXIT_PROTOCOL);
	ck_assert_str_eq(
		why,
		"bad answer from l2tpkd: a malformed reply: attribute priority: 2 octets (a u8 needs 1)");
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

static void answer_request_id(int fd, const struct taken *req)
{
	static struct dgram d;

	ctl_put_u32(begin(&d, L2TPKD_CTL_MSG_SESSION_ADD, 0, req->u.nlh.nlmsg_seq), L2TPKD_CTL_A_REQUEST_ID,
		    7);
	end(&d);
	status(&d, req, 0, NULL);
	send_dgram(fd, &d);
}

static void answer_ids(int fd, const struct taken *req)
{
	static struct dgram d;
	struct ctl_msg *m = begin(&d, L2TPKD_CTL_MSG_SESSION_ADD, 0, req->u.nlh.nlmsg_seq);

	ctl_put_u16(m, L2TPKD_CTL_A_TUNNEL_ID, 3);
	ctl_put_u16(m, L2TPKD_CTL_A_SESSION_ID, 4);
	end(&d);
	status(&d, req, 0, NULL);
	send_dgram(fd, &d);
}

static void answer_ack(int fd, const struct taken *req)
{
	static struct dgram d;

	status(&d, req, 0, NULL);
	send_dgram(fd, &d);
}

START_TEST(test_session_add_group)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_SESSION_ADD, .group = "lns-pool", .calling = "0123" };
	const struct nlattr *call[L2TPKD_CTL_CALL_A_MAX + 1];
	struct taken req;
	char *out, why[256];

	ck_assert_int_eq(run(cli_run_add, &r, PR_TEXT, answer_request_id, &req, &out, why), CLI_EXIT_OK);
	ck_assert_str_eq(out, "request 7\n");
	free(out);
	ck_assert_uint_eq(req.u.nlh.nlmsg_type, L2TPKD_CTL_MSG_SESSION_ADD);
	ck_assert_uint_eq(req.u.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ck_assert_str_eq(mnl_attr_get_str(req.tb[L2TPKD_CTL_A_GROUP]), "lns-pool");
	ck_assert_ptr_null(req.tb[L2TPKD_CTL_A_PEER]);
	ck_assert_int_eq(ctl_parse_nested(req.tb[L2TPKD_CTL_A_CALL], &ctl_policy_call, call, NULL), 0);
	ck_assert_str_eq(mnl_attr_get_str(call[L2TPKD_CTL_CALL_A_CALLING_NUMBER]), "0123");

	ck_assert_int_eq(run(cli_run_add, &r, PR_JSON, answer_request_id, &req, &out, why), CLI_EXIT_OK);
	ck_assert_str_eq(out, "{\"request_id\":7}\n");
	free(out);

	/* IDs where a request ID belongs, or nothing before the ACK: the answer makes no sense. */
	ck_assert_int_eq(run(cli_run_add, &r, PR_TEXT, answer_ids, &req, &out, why), CLI_EXIT_PROTOCOL);
	ck_assert_str_eq(why, "bad answer from l2tpkd: a group call without its request ID");
	free(out);
	ck_assert_int_eq(run(cli_run_add, &r, PR_TEXT, answer_ack, &req, &out, why), CLI_EXIT_PROTOCOL);
	ck_assert_str_eq(why, "bad answer from l2tpkd: no reply before the acknowledgement");
	free(out);

	/* With a peer, the IDs as before. */
	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_SESSION_ADD, .peer = "lns1" };
	ck_assert_int_eq(run(cli_run_add, &r, PR_TEXT, answer_ids, &req, &out, why), CLI_EXIT_OK);
	ck_assert_str_eq(out, "tunnel 3 session 4\n");
	free(out);
}
END_TEST

static void answer_not_busy(int fd, const struct taken *req)
{
	static struct dgram d;

	status(&d, req, -ENOENT, "192.0.2.10 was not busy");
	send_dgram(fd, &d);
}

START_TEST(test_clear_busy)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_PEER_CLEAR_BUSY, .peer = "192.0.2.10" };
	struct taken req;
	char *out, why[256];

	ck_assert_int_eq(run(cli_run_change, &r, PR_TEXT, answer_ack, &req, &out, why), CLI_EXIT_OK);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_uint_eq(req.u.nlh.nlmsg_type, L2TPKD_CTL_MSG_PEER_CLEAR_BUSY);
	ck_assert_uint_eq(req.u.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ck_assert_str_eq(mnl_attr_get_str(req.tb[L2TPKD_CTL_A_PEER]), "192.0.2.10");
	ck_assert_ptr_null(req.tb[L2TPKD_CTL_A_GROUP]);

	ck_assert_int_eq(run(cli_run_change, &r, PR_TEXT, answer_not_busy, &req, &out, why),
			 CLI_EXIT_REFUSED);
	ck_assert_str_eq(why, "192.0.2.10 was not busy");
	ck_assert_str_eq(out, "");
	free(out);

	/* Neither: every endpoint; a group alone: its endpoints. */
	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_PEER_CLEAR_BUSY };
	ck_assert_int_eq(run(cli_run_change, &r, PR_TEXT, answer_ack, &req, &out, why), CLI_EXIT_OK);
	ck_assert_ptr_null(req.tb[L2TPKD_CTL_A_PEER]);
	ck_assert_ptr_null(req.tb[L2TPKD_CTL_A_GROUP]);
	free(out);
	r.group = "lns-pool";
	ck_assert_int_eq(run(cli_run_change, &r, PR_TEXT, answer_ack, &req, &out, why), CLI_EXIT_OK);
	ck_assert_str_eq(mnl_attr_get_str(req.tb[L2TPKD_CTL_A_GROUP]), "lns-pool");
	free(out);
}
END_TEST

static void answer_not_permitted(int fd, const struct taken *req)
{
	static struct dgram d;

	status(&d, req, -EPERM, "permission denied: needs root or group l2tpkd");
	send_dgram(fd, &d);
}

START_TEST(test_drain)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_DRAIN, .has_drain = true, .drain = true };
	struct taken req;
	char *out, why[256];

	ck_assert_int_eq(run(cli_run_change, &r, PR_TEXT, answer_ack, &req, &out, why), CLI_EXIT_OK);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_uint_eq(req.u.nlh.nlmsg_type, L2TPKD_CTL_MSG_DRAIN);
	ck_assert_uint_eq(req.u.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ck_assert_uint_eq(mnl_attr_get_u8(req.tb[L2TPKD_CTL_A_DRAIN]), 1);

	r.drain = false;
	ck_assert_int_eq(run(cli_run_change, &r, PR_TEXT, answer_not_permitted, &req, &out, why),
			 CLI_EXIT_REFUSED);
	ck_assert_str_eq(why, "permission denied: needs root or group l2tpkd");
	ck_assert_uint_eq(mnl_attr_get_u8(req.tb[L2TPKD_CTL_A_DRAIN]), 0);
	free(out);
}
END_TEST

static void answer_lns(int fd, const struct taken *req)
{
	static struct dgram d;

	ctl_test_lns(begin(&d, L2TPKD_CTL_MSG_LNS_GET, 0, req->u.nlh.nlmsg_seq));
	end(&d);
	status(&d, req, 0, NULL);
	send_dgram(fd, &d);
}

START_TEST(test_lns_show)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_LNS_GET };
	struct taken req;
	json_object *root;
	char *out, why[256];

	ck_assert_int_eq(run(cli_run_lns_show, &r, PR_TEXT, answer_lns, &req, &out, why), CLI_EXIT_OK);
	ck_assert_str_eq(out, ctl_test_lns_text);
	free(out);
	ck_assert_uint_eq(req.u.nlh.nlmsg_type, L2TPKD_CTL_MSG_LNS_GET);
	ck_assert_uint_eq(req.u.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK); /* one object, no dump */

	ck_assert_int_eq(run(cli_run_lns_show, &r, PR_JSON, answer_lns, &req, &out, why), CLI_EXIT_OK);
	root = json_tokener_parse(out);
	ck_assert_ptr_nonnull(root);
	ck_assert(json_object_get_boolean(member(root, "drain")));
	ck_assert_int_eq(json_object_get_int(member(member(root, "limits"), "max_sessions")), 1000);
	ck_assert_int_eq(json_object_get_int(member(member(root, "engine"), "tunnels")), 1);
	json_object_put(root);
	free(out);

	/* The ACK alone: nothing to show is a protocol error, not an empty object. */
	ck_assert_int_eq(run(cli_run_lns_show, &r, PR_JSON, answer_ack, &req, &out, why), CLI_EXIT_PROTOCOL);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

static void answer_monitor(int fd, const struct taken *req)
{
	static struct dgram d;

	status(&d, req, 0, NULL);
	send_dgram(fd, &d);
	ctl_test_request_up(begin(&d, L2TPKD_CTL_MSG_EVENT, 0, 0));
	end(&d);
	send_dgram(fd, &d);
}

static void answer_monitor_malformed(int fd, const struct taken *req)
{
	static struct dgram d;
	struct ctl_msg *m;

	status(&d, req, 0, NULL);
	send_dgram(fd, &d);
	m = begin(&d, L2TPKD_CTL_MSG_EVENT, 0, 0);
	ctl_put_u8(m, L2TPKD_CTL_A_EVENT, L2TPKD_CTL_EVENT_REQUEST_DONE);
	ctl_put_u16(m, L2TPKD_CTL_A_REQUEST_ID, 7); /* a u32 */
	end(&d);
	send_dgram(fd, &d);
}

/* The event printed as it comes; the daemon closing ends the monitor with exit 3. */
START_TEST(test_monitor_request_done)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_MONITOR };
	struct taken req;
	char *out, why[256];

	ck_assert_int_eq(run(cli_run_monitor, &r, PR_TEXT, answer_monitor, &req, &out, why),
			 CLI_EXIT_UNREACHABLE);
	ck_assert_str_eq(out, ctl_test_request_up_text);
	ck_assert_ptr_nonnull(strstr(why, "closed the connection"));
	free(out);
	ck_assert_int_eq(run(cli_run_monitor, &r, PR_JSON, answer_monitor, &req, &out, why),
			 CLI_EXIT_UNREACHABLE);
	ck_assert_str_eq(
		out,
		"{\"event\":\"request-done\",\"request_id\":7,\"established\":true,\"failovers\":1,"
		"\"tunnel_id\":12,\"session_id\":34,\"peer_address\":\"10.0.0.3\",\"peer_port\":1701}\n");
	free(out);

	ck_assert_int_eq(run(cli_run_monitor, &r, PR_TEXT, answer_monitor_malformed, &req, &out, why),
			 CLI_EXIT_PROTOCOL);
	ck_assert_str_eq(
		why,
		"bad answer from l2tpkd: a malformed event: attribute request_id: 2 octets (a u32 needs 4)");
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

TCase *tcase_ctl_cli_canned(void)
{
	TCase *tc = tcase_create("canned");

	tcase_add_checked_fixture(tc, canned_setup, canned_teardown);
	tcase_add_test(tc, test_peer_show);
	tcase_add_test(tc, test_peer_show_empty_and_refused);
	tcase_add_test(tc, test_peer_show_malformed);
	tcase_add_test(tc, test_session_add_group);
	tcase_add_test(tc, test_clear_busy);
	tcase_add_test(tc, test_drain);
	tcase_add_test(tc, test_lns_show);
	tcase_add_test(tc, test_monitor_request_done);
	return tc;
}
