/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control server's transport (daemon/ctl_server.c) over a real socket in a temporary
 * directory, driven by a real sd-event loop, with the fake command table of ctl_fixture.h:
 * replies and ACKs, errors with their extended-ack text and offset, hostile datagrams, passed
 * descriptors, dumps split across datagrams and paced by the reader, events, slow subscribers
 * and the socket file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli_conn.h"
#include "ctl_fixture.h"
#include "ctl_tests.h"

START_TEST(test_reply_then_ack)
{
	struct ctl_fixture f;
	union fx_buf u;
	const struct nlmsgerr *e;
	const struct nlmsghdr *ack;
	int fd;
	ssize_t n;

	fx_setup(&f, (gid_t)-1);
	fd = fx_client(&f);
	fx_send_request(fd, L2TPKD_CTL_MSG_VERSION, NLM_F_ACK, 11);
	n = fx_next_dgram(&f, fd, &u);
	/* One datagram: the reply, then NLMSG_ERROR 0 echoing the request's header only. */
	ck_assert_uint_eq(u.nlh.nlmsg_type, L2TPKD_CTL_MSG_VERSION);
	ck_assert_uint_eq(u.nlh.nlmsg_seq, 11);
	ck_assert_uint_eq(u.nlh.nlmsg_flags & NLM_F_MULTI, 0);
	ack = (const void *)(u.b + MNL_ALIGN(u.nlh.nlmsg_len));
	ck_assert_int_eq(n, (ssize_t)(MNL_ALIGN(u.nlh.nlmsg_len) + ack->nlmsg_len));
	ck_assert_uint_eq(ack->nlmsg_type, NLMSG_ERROR);
	ck_assert_uint_eq(ack->nlmsg_seq, 11);
	ck_assert_uint_eq(ack->nlmsg_flags, NLM_F_CAPPED);
	e = mnl_nlmsg_get_payload(ack);
	ck_assert_int_eq(e->error, 0);
	ck_assert_uint_eq(e->msg.nlmsg_type, L2TPKD_CTL_MSG_VERSION);
	ck_assert_uint_eq(e->msg.nlmsg_seq, 11);
	close(fd);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_refusal_has_text_and_no_half_answer)
{
	struct ctl_fixture f;
	unsigned replies = 0;
	char why[256];
	int fd;

	fx_setup(&f, (gid_t)-1);
	fd = fx_client(&f);
	fx_send_request(fd, L2TPKD_CTL_MSG_SESSION_ADD, NLM_F_ACK, 3);
	ck_assert_int_eq(fx_read_answer(&f, fd, L2TPKD_CTL_MSG_SESSION_ADD, 3, &replies, why), -ENOENT);
	ck_assert_str_eq(why, "no such thing");
	ck_assert_uint_eq(replies, 0);
	close(fd);
	fx_teardown(&f);
}
END_TEST

/* Every kind of bad datagram gets its error, and the connection goes on serving. */
START_TEST(test_hostile_requests)
{
	struct ctl_fixture f;
	union fx_buf u, e;
	struct ctl_msg m;
	char why[256];
	uint32_t v32 = 1;
	int fd;

	fx_setup(&f, (gid_t)-1);
	fd = fx_client(&f);

	fx_send_raw(fd, "abc", 3);
	ck_assert_int_eq(fx_read_answer(&f, fd, 0, 0, NULL, why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "shorter than a netlink message header"));

	ctl_msg_init(&m, u.b, sizeof(u.b), L2TPKD_CTL_MSG_VERSION, NLM_F_REQUEST, 1, 0);
	u.nlh.nlmsg_len = 64; /* more than is sent */
	fx_send_raw(fd, u.b, 16);
	ck_assert_int_eq(fx_read_answer(&f, fd, 0, 1, NULL, why), -EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "one request per datagram"));

	ctl_msg_init(&m, u.b, sizeof(u.b), L2TPKD_CTL_MSG_VERSION, 0, 2, 0); /* not a request */
	fx_send_raw(fd, u.b, u.nlh.nlmsg_len);
	ck_assert_int_eq(fx_read_answer(&f, fd, 0, 2, NULL, why), -EINVAL);

	fx_send_request(fd, 0x99, 0, 3);
	ck_assert_int_eq(fx_read_answer(&f, fd, 0, 3, NULL, why), -EOPNOTSUPP);
	fx_send_request(fd, NLMSG_ERROR, 0, 4);
	ck_assert_int_eq(fx_read_answer(&f, fd, 0, 4, NULL, why), -EOPNOTSUPP);

	/* A u16 of 4 octets after the version attribute: the error points at it. */
	ctl_msg_init(&m, u.b, sizeof(u.b), L2TPKD_CTL_MSG_VERSION, NLM_F_REQUEST, 5, 0);
	ctl_put_u32(&m, L2TPKD_CTL_A_PROTO_VERSION, L2TPKD_CTL_PROTO_VERSION);
	ctl_put_u32(&m, L2TPKD_CTL_A_TUNNEL_ID, v32);
	fx_send_raw(fd, u.b, u.nlh.nlmsg_len);
	ck_assert_int_gt(fx_next_dgram(&f, fd, &e), 0);
	{
		const struct nlmsgerr *err = mnl_nlmsg_get_payload(&e.nlh);
		const struct nlattr *a = (const void *)(err + 1), *offs = NULL, *text = NULL;
		int left = (int)(mnl_nlmsg_get_payload_len(&e.nlh) - sizeof(*err));

		ck_assert_int_eq(err->error, -EINVAL);
		ck_assert(e.nlh.nlmsg_flags & NLM_F_ACK_TLVS);
		for (; mnl_attr_ok(a, left); left -= MNL_ALIGN(a->nla_len), a = mnl_attr_next(a)) {
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS)
				offs = a;
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
				text = a;
		}
		ck_assert_ptr_nonnull(offs);
		ck_assert_ptr_nonnull(text);
		/* The header, then the 8 octets of the version attribute. */
		ck_assert_uint_eq(mnl_attr_get_u32(offs), MNL_NLMSG_HDRLEN + 8);
		ck_assert_ptr_nonnull(strstr(mnl_attr_get_str(text), "tunnel_id"));
	}

	ctl_msg_init(&m, u.b, sizeof(u.b), L2TPKD_CTL_MSG_VERSION, NLM_F_REQUEST, 6, 0);
	ctl_put_u32(&m, L2TPKD_CTL_A_PROTO_VERSION, 99);
	fx_send_raw(fd, u.b, u.nlh.nlmsg_len);
	ck_assert_int_eq(fx_read_answer(&f, fd, 0, 6, NULL, why), -EPROTO);

	ctl_msg_init(&m, u.b, sizeof(u.b), L2TPKD_CTL_MSG_VERSION, NLM_F_REQUEST, 7, 0);
	u.nlh.nlmsg_len = 5000;
	fx_send_raw(fd, u.b, 5000);
	ck_assert_int_eq(fx_read_answer(&f, fd, 0, 7, NULL, why), -EMSGSIZE);

	fx_send_request(fd, L2TPKD_CTL_MSG_VERSION, NLM_F_DUMP, 8); /* no dump of that */
	ck_assert_int_eq(fx_read_answer(&f, fd, 0, 8, NULL, why), -EOPNOTSUPP);
	fx_send_request(fd, L2TPKD_CTL_MSG_TUNNEL_GET, 0, 9); /* nothing but a dump */
	ck_assert_int_eq(fx_read_answer(&f, fd, 0, 9, NULL, why), -EOPNOTSUPP);

	fx_send_request(fd, L2TPKD_CTL_MSG_VERSION, NLM_F_ACK, 10);
	ck_assert_int_eq(fx_read_answer(&f, fd, L2TPKD_CTL_MSG_VERSION, 10, NULL, why), 0);
	close(fd);
	fx_teardown(&f);
}
END_TEST

static unsigned open_fds(void)
{
	unsigned n = 0;
	int fd;

	for (fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* Descriptors passed with a request are not taken into the daemon. */
START_TEST(test_passed_descriptors_dropped)
{
	struct ctl_fixture f;
	union fx_buf u;
	struct ctl_msg m;
	char why[256];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.b,
			     .msg_controllen = sizeof(control.b) };
	unsigned before;
	int fd, passed;

	fx_setup(&f, (gid_t)-1);
	fd = fx_client(&f);
	fx_pump(&f); /* accepted: the server's end is open too */
	ctl_msg_init(&m, u.b, sizeof(u.b), L2TPKD_CTL_MSG_VERSION, NLM_F_REQUEST | NLM_F_ACK, 1, 0);
	iov.iov_base = u.b;
	iov.iov_len = u.nlh.nlmsg_len;
	memset(&control, 0, sizeof(control));
	control.h.cmsg_level = SOL_SOCKET;
	control.h.cmsg_type = SCM_RIGHTS;
	control.h.cmsg_len = CMSG_LEN(sizeof(int));
	passed = open("/dev/null", O_RDONLY | O_CLOEXEC);
	memcpy(CMSG_DATA(&control.h), &passed, sizeof(int));
	before = open_fds();
	ck_assert_int_ge(sendmsg(fd, &mh, 0), 0);
	close(passed);
	before--;
	ck_assert_int_eq(fx_read_answer(&f, fd, L2TPKD_CTL_MSG_VERSION, 1, NULL, why), 0);
	ck_assert_uint_eq(open_fds(), before);
	close(fd);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_pipelined_requests)
{
	struct ctl_fixture f;
	unsigned replies = 0;
	char why[256];
	int fd;
	uint32_t seq;

	fx_setup(&f, (gid_t)-1);
	fd = fx_client(&f);
	for (seq = 1; seq <= 3; seq++)
		fx_send_request(fd, L2TPKD_CTL_MSG_VERSION, NLM_F_ACK, seq);
	for (seq = 1; seq <= 3; seq++)
		ck_assert_int_eq(fx_read_answer(&f, fd, L2TPKD_CTL_MSG_VERSION, seq, &replies, why), 0);
	ck_assert_uint_eq(replies, 3);
	close(fd);
	fx_teardown(&f);
}
END_TEST

/* A dump far larger than a datagram: many datagrams, in order, paced by the reader, then DONE. */
START_TEST(test_large_dump)
{
	struct ctl_fixture f;
	union fx_buf u;
	unsigned next_id = 1, datagrams = 0;
	bool done = false;
	int fd, err = 1;
	char why[256];
	ssize_t n;

	fx_setup(&f, (gid_t)-1);
	ctl_fake.objects = 3000; /* about 1 MB */
	fd = fx_client(&f);
	fx_send_request(fd, L2TPKD_CTL_MSG_TUNNEL_GET, NLM_F_DUMP, 5);
	fx_pump(&f);
	usleep(10000);
	fx_pump(&f);
	ck_assert_int_gt(ctl_fake.emitted, 0);
	ck_assert_int_lt(ctl_fake.emitted, ctl_fake.objects); /* waits for the reader */
	while (!done) {
		n = fx_next_dgram(&f, fd, &u);
		ck_assert_int_gt(n, 0);
		ck_assert_int_le(n, L2TPKD_CTL_DGRAM_MAX);
		datagrams++;
		for (const struct nlmsghdr *nlh = &u.nlh; mnl_nlmsg_ok(nlh, (int)n); nlh = mnl_nlmsg_next(nlh, (int *)&n)) {
			const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];

			ck_assert(!done);
			ck_assert_uint_eq(nlh->nlmsg_seq, 5);
			if (nlh->nlmsg_type == NLMSG_DONE) {
				ck_assert_int_eq(cli_status(nlh, &err, why, sizeof(why)), 0);
				done = true;
				continue;
			}
			ck_assert_uint_eq(nlh->nlmsg_type, L2TPKD_CTL_MSG_TUNNEL_GET);
			ck_assert(nlh->nlmsg_flags & NLM_F_MULTI);
			ck_assert_int_eq(ctl_parse_msg(nlh, &ctl_policy_top, tb, NULL), 0);
			if (mnl_attr_get_u16(tb[L2TPKD_CTL_A_TUNNEL_ID]) != next_id)
				ck_abort_msg("object %u where %u was due", mnl_attr_get_u16(tb[L2TPKD_CTL_A_TUNNEL_ID]),
					     next_id);
			next_id++;
		}
		ck_assert_int_eq(n, 0);
	}
	ck_assert_int_eq(err, 0);
	ck_assert_uint_eq(next_id, 3001);
	ck_assert_uint_gt(datagrams, 3000 * CTL_FAKE_PAD / L2TPKD_CTL_DGRAM_MAX);
	fx_pump(&f);
	ck_assert_uint_eq(ctl_fake.dump_frees, 1);
	close(fd);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_client_gone_mid_dump)
{
	struct ctl_fixture f;
	char why[256];
	int fd;

	fx_setup(&f, (gid_t)-1);
	ctl_fake.objects = 3000;
	fd = fx_client(&f);
	fx_send_request(fd, L2TPKD_CTL_MSG_TUNNEL_GET, NLM_F_DUMP, 1);
	fx_pump(&f);
	close(fd);
	fx_pump(&f);
	ck_assert_uint_eq(ctl_fake.dump_frees, 1);
	fd = fx_client(&f);
	fx_send_request(fd, L2TPKD_CTL_MSG_VERSION, NLM_F_ACK, 2);
	ck_assert_int_eq(fx_read_answer(&f, fd, L2TPKD_CTL_MSG_VERSION, 2, NULL, why), 0);
	close(fd);
	fx_teardown(&f);
}
END_TEST

static void broadcast(struct ctl_fixture *f, uint16_t tunnel_id, size_t message_len)
{
	union fx_buf u;
	struct ctl_msg m;
	char text[L2TPKD_CTL_TEXT_MAX];

	memset(text, 'm', sizeof(text));
	text[message_len < sizeof(text) ? message_len : sizeof(text) - 1] = '\0';
	ctl_msg_init(&m, u.b, sizeof(u.b), L2TPKD_CTL_MSG_EVENT, 0, 0, 0);
	ctl_put_u8(&m, L2TPKD_CTL_A_EVENT, L2TPKD_CTL_EVENT_TUNNEL_UP);
	ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, tunnel_id);
	if (message_len)
		ctl_put_str(&m, L2TPKD_CTL_A_MESSAGE, text, sizeof(text));
	ctl_server_broadcast(f->srv, &u.nlh);
}

START_TEST(test_monitor_events)
{
	struct ctl_fixture f;
	union fx_buf u;
	char why[256];
	int mon, other;
	uint16_t id;

	fx_setup(&f, (gid_t)-1);
	mon = fx_client(&f);
	other = fx_client(&f);
	fx_send_request(mon, L2TPKD_CTL_MSG_MONITOR, NLM_F_ACK, 1);
	ck_assert_int_eq(fx_read_answer(&f, mon, L2TPKD_CTL_MSG_MONITOR, 1, NULL, why), 0);
	fx_pump(&f);
	for (id = 1; id <= 3; id++)
		broadcast(&f, id, 0);
	for (id = 1; id <= 3; id++) {
		const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];

		ck_assert_int_gt(fx_next_dgram(&f, mon, &u), 0);
		ck_assert_uint_eq(u.nlh.nlmsg_type, L2TPKD_CTL_MSG_EVENT);
		ck_assert_uint_eq(u.nlh.nlmsg_seq, 0);
		ck_assert_int_eq(ctl_parse_msg(&u.nlh, &ctl_policy_top, tb, NULL), 0);
		ck_assert_uint_eq(mnl_attr_get_u16(tb[L2TPKD_CTL_A_TUNNEL_ID]), id);
	}
	ck_assert_int_lt(recv(other, u.b, sizeof(u.b), MSG_DONTWAIT), 0); /* not subscribed */
	close(mon);
	close(other);
	fx_teardown(&f);
}
END_TEST

/* A monitor that does not read is dropped; the daemon neither blocks nor grows. */
START_TEST(test_slow_subscriber_dropped)
{
	struct ctl_fixture f;
	union fx_buf u;
	char why[256];
	unsigned i, events = 0;
	int mon, fd;
	ssize_t n;

	fx_setup(&f, (gid_t)-1);
	mon = fx_client(&f);
	fx_send_request(mon, L2TPKD_CTL_MSG_MONITOR, NLM_F_ACK, 1);
	ck_assert_int_eq(fx_read_answer(&f, mon, L2TPKD_CTL_MSG_MONITOR, 1, NULL, why), 0);
	for (i = 0; i < 2000; i++)
		broadcast(&f, (uint16_t)(i + 1), 1000);
	fx_pump(&f);
	ck_assert_ptr_nonnull(strstr(ctl_fake.log, "does not read its events"));
	while ((n = fx_next_dgram(&f, mon, &u)) > 0)
		events++;
	ck_assert_int_eq(n, 0); /* end of file after what was already queued */
	ck_assert_uint_gt(events, 0);
	ck_assert_uint_lt(events, 2000);
	fd = fx_client(&f);
	fx_send_request(fd, L2TPKD_CTL_MSG_VERSION, NLM_F_ACK, 2);
	ck_assert_int_eq(fx_read_answer(&f, fd, L2TPKD_CTL_MSG_VERSION, 2, NULL, why), 0);
	close(mon);
	close(fd);
	fx_teardown(&f);
}
END_TEST

START_TEST(test_socket_file)
{
	struct ctl_fixture f;
	struct ctl_server_config cfg = { .admin_gid = (gid_t)-1 };
	char longpath[200];
	sd_event *ev;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_server *second = NULL;
	struct stat st;
	char why[256];
	int fd;

	fx_setup(&f, (gid_t)-1);
	ck_assert_int_eq(stat(f.path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0660);

	/* A daemon is listening there: a second one is refused and the first keeps its socket. */
	cfg.path = f.path;
	ck_assert_int_eq(ctl_server_open(f.ev, &cfg, &second, why, sizeof(why)), -EADDRINUSE);
	ck_assert_ptr_nonnull(strstr(why, f.path));
	ck_assert_int_eq(stat(f.path, &st), 0);
	ctl_server_free(f.srv);
	f.srv = NULL;
	ck_assert_int_eq(stat(f.path, &st), -1); /* unlinked */

	/* A stale socket (nobody listens) is replaced. */
	memcpy(sa.sun_path, f.path, strlen(f.path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	fx_open_server(&f, (gid_t)-1);
	ctl_server_free(f.srv);
	f.srv = NULL;

	/* Something else at the path is left alone. */
	fd = open(f.path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(ctl_server_open(f.ev, &cfg, &second, why, sizeof(why)), -EEXIST);
	ck_assert_int_eq(unlink(f.path), 0);
	fx_teardown(&f);

	/* A path that does not fit a socket address. */
	ck_assert_int_ge(sd_event_new(&ev), 0);
	memset(longpath, 'x', sizeof(longpath));
	longpath[sizeof(longpath) - 1] = '\0';
	cfg.path = longpath;
	ck_assert_int_eq(ctl_server_open(ev, &cfg, &second, why, sizeof(why)), -ENAMETOOLONG);
	sd_event_unref(ev);
}
END_TEST

TCase *tcase_ctl_server(void)
{
	TCase *tc = tcase_create("server");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_reply_then_ack);
	tcase_add_test(tc, test_refusal_has_text_and_no_half_answer);
	tcase_add_test(tc, test_hostile_requests);
	tcase_add_test(tc, test_passed_descriptors_dropped);
	tcase_add_test(tc, test_pipelined_requests);
	tcase_add_test(tc, test_large_dump);
	tcase_add_test(tc, test_client_gone_mid_dump);
	tcase_add_test(tc, test_monitor_events);
	tcase_add_test(tc, test_slow_subscriber_dropped);
	tcase_add_test(tc, test_socket_file);
	return tc;
}
