/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel boundary without a kernel: requests are read back with libmnl (a second,
 * independent netlink implementation); replies are hand-built with it (check_kglue_replies.c);
 * pppd is a shell script that reports what it was given (check_kglue_pppd.c). The development
 * host has no L2TP and no PPPoX, so kglue_open() and kglue_pppox_connect() are checked against
 * what the host really lacks; the real data path is exercised by the VM scenarios.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if_pppox.h>
#include <linux/l2tp.h>

#include "kglue_int.h"
#include "kglue_tests.h"
#include "suites.h"

/* ---- requests, read back with libmnl ---- */

struct attrs {
	const struct nlattr *tb[L2TP_ATTR_MAX + 1];
	int count;
};

static int collect_attr(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type > L2TP_ATTR_MAX || at->tb[type])
		return MNL_CB_ERROR; /* we never send unknown or duplicate attributes */
	at->tb[type] = a;
	at->count++;
	return MNL_CB_OK;
}

/* Checks the headers of a built request and collects its attributes. */
static struct nlmsghdr *request(struct nl_msg *msg, uint8_t cmd, uint16_t flags, struct attrs *at)
{
	struct nlmsghdr *nlh = kglue_msg_hdr(msg);
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	ck_assert_uint_eq(nlh->nlmsg_type, FAMILY);
	ck_assert_uint_eq(nlh->nlmsg_flags, NLM_F_REQUEST | flags);
	ck_assert_uint_eq(g->cmd, cmd);
	ck_assert_uint_eq(g->version, L2TP_GENL_VERSION);
	memset(at, 0, sizeof(*at));
	ck_assert_int_eq(mnl_attr_parse(nlh, sizeof(*g), collect_attr, at), MNL_CB_OK);
	return nlh;
}

static void expect_u8(const struct attrs *at, int type, uint8_t v)
{
	ck_assert_ptr_nonnull(at->tb[type]);
	ck_assert_uint_eq(mnl_attr_get_payload_len(at->tb[type]), 1);
	ck_assert_uint_eq(mnl_attr_get_u8(at->tb[type]), v);
}

static void expect_u16(const struct attrs *at, int type, uint16_t v)
{
	ck_assert_ptr_nonnull(at->tb[type]);
	ck_assert_uint_eq(mnl_attr_get_payload_len(at->tb[type]), 2);
	ck_assert_uint_eq(mnl_attr_get_u16(at->tb[type]), v);
}

static void expect_u32(const struct attrs *at, int type, uint32_t v)
{
	ck_assert_ptr_nonnull(at->tb[type]);
	ck_assert_uint_eq(mnl_attr_get_payload_len(at->tb[type]), 4);
	ck_assert_uint_eq(mnl_attr_get_u32(at->tb[type]), v);
}

START_TEST(test_tunnel_create_request)
{
	struct nl_msg *msg;
	struct attrs at;

	ck_assert_int_eq(kglue_msg_tunnel_create(&msg, FAMILY, 0x1234, 0xfedc, 9), 0);
	request(msg, L2TP_CMD_TUNNEL_CREATE, NLM_F_ACK, &at);
	expect_u32(&at, L2TP_ATTR_CONN_ID, 0x1234);
	expect_u32(&at, L2TP_ATTR_PEER_CONN_ID, 0xfedc);
	expect_u8(&at, L2TP_ATTR_PROTO_VERSION, 2);
	expect_u16(&at, L2TP_ATTR_ENCAP_TYPE, L2TP_ENCAPTYPE_UDP);
	expect_u32(&at, L2TP_ATTR_FD, 9);
	/* Present means "checksums on" to the kernel, whatever its value: never sent. */
	ck_assert_ptr_null(at.tb[L2TP_ATTR_UDP_CSUM]);
	ck_assert_int_eq(at.count, 5);
	kglue_msg_free(msg);
}
END_TEST

START_TEST(test_tunnel_create_refuses_bad_input)
{
	struct nl_msg *msg = (struct nl_msg *)&msg;

	ck_assert_int_eq(kglue_msg_tunnel_create(&msg, FAMILY, 0, 1, 9), -EINVAL);
	ck_assert_ptr_null(msg);
	ck_assert_int_eq(kglue_msg_tunnel_create(&msg, FAMILY, 1, 0, 9), -EINVAL);
	ck_assert_int_eq(kglue_msg_tunnel_create(&msg, FAMILY, 1, 1, -1), -EBADF);
	ck_assert_int_eq(kglue_msg_tunnel_delete(&msg, FAMILY, 0), -EINVAL);
	ck_assert_int_eq(kglue_msg_tunnel_get(&msg, FAMILY, 0), -EINVAL);
	ck_assert_int_eq(kglue_msg_session_delete(&msg, FAMILY, 1, 0), -EINVAL);
	ck_assert_int_eq(kglue_msg_session_get(&msg, FAMILY, 0, 1), -EINVAL);
	ck_assert_ptr_null(msg);
}
END_TEST

START_TEST(test_session_create_all_knobs)
{
	const struct kglue_session s = { .tunnel_id = 10,
					 .session_id = 0xabcd,
					 .peer_tunnel_id = 20,
					 .peer_session_id = 0xffff,
					 .lns_mode = true,
					 .send_seq = true,
					 .recv_seq = true,
					 .recv_timeout_ms = 250 };
	struct nl_msg *msg;
	struct attrs at;

	ck_assert_int_eq(kglue_msg_session_create(&msg, FAMILY, &s), 0);
	request(msg, L2TP_CMD_SESSION_CREATE, NLM_F_ACK, &at);
	expect_u32(&at, L2TP_ATTR_CONN_ID, 10);
	expect_u32(&at, L2TP_ATTR_SESSION_ID, 0xabcd);
	expect_u32(&at, L2TP_ATTR_PEER_SESSION_ID, 0xffff);
	expect_u16(&at, L2TP_ATTR_PW_TYPE, L2TP_PWTYPE_PPP);
	expect_u8(&at, L2TP_ATTR_LNS_MODE, 1);
	expect_u8(&at, L2TP_ATTR_SEND_SEQ, 1);
	expect_u8(&at, L2TP_ATTR_RECV_SEQ, 1);
	/* NLA_MSECS: the kernel's policy refuses anything shorter than 8 bytes. */
	ck_assert_ptr_nonnull(at.tb[L2TP_ATTR_RECV_TIMEOUT]);
	ck_assert_uint_eq(mnl_attr_get_payload_len(at.tb[L2TP_ATTR_RECV_TIMEOUT]), 8);
	ck_assert_uint_eq(mnl_attr_get_u64(at.tb[L2TP_ATTR_RECV_TIMEOUT]), 250);
	ck_assert_int_eq(at.count, 8);
	kglue_msg_free(msg);
}
END_TEST

START_TEST(test_session_create_defaults_are_absent)
{
	const struct kglue_session s = {
		.tunnel_id = 1, .session_id = 2, .peer_tunnel_id = 3, .peer_session_id = 4
	};
	struct nl_msg *msg;
	struct attrs at;

	ck_assert_int_eq(kglue_msg_session_create(&msg, FAMILY, &s), 0);
	request(msg, L2TP_CMD_SESSION_CREATE, NLM_F_ACK, &at);
	ck_assert_ptr_null(at.tb[L2TP_ATTR_LNS_MODE]);
	ck_assert_ptr_null(at.tb[L2TP_ATTR_SEND_SEQ]);
	ck_assert_ptr_null(at.tb[L2TP_ATTR_RECV_SEQ]);
	ck_assert_ptr_null(at.tb[L2TP_ATTR_RECV_TIMEOUT]);
	ck_assert_int_eq(at.count, 4);
	kglue_msg_free(msg);
}
END_TEST

START_TEST(test_session_create_refuses_zero_ids)
{
	struct kglue_session s = {
		.tunnel_id = 1, .session_id = 2, .peer_tunnel_id = 3, .peer_session_id = 4
	};
	struct nl_msg *msg;

	s.session_id = 0;
	ck_assert_int_eq(kglue_msg_session_create(&msg, FAMILY, &s), -EINVAL);
	s.session_id = 2;
	s.peer_session_id = 0;
	ck_assert_int_eq(kglue_msg_session_create(&msg, FAMILY, &s), -EINVAL);
	s.peer_session_id = 4;
	s.tunnel_id = 0;
	ck_assert_int_eq(kglue_msg_session_create(&msg, FAMILY, &s), -EINVAL);
	ck_assert_ptr_null(msg);
}
END_TEST

START_TEST(test_delete_and_get_requests)
{
	struct nl_msg *msg;
	struct attrs at;

	ck_assert_int_eq(kglue_msg_tunnel_delete(&msg, FAMILY, 77), 0);
	request(msg, L2TP_CMD_TUNNEL_DELETE, NLM_F_ACK, &at);
	expect_u32(&at, L2TP_ATTR_CONN_ID, 77);
	ck_assert_int_eq(at.count, 1);
	kglue_msg_free(msg);

	ck_assert_int_eq(kglue_msg_session_delete(&msg, FAMILY, 77, 88), 0);
	request(msg, L2TP_CMD_SESSION_DELETE, NLM_F_ACK, &at);
	expect_u32(&at, L2TP_ATTR_CONN_ID, 77);
	expect_u32(&at, L2TP_ATTR_SESSION_ID, 88);
	ck_assert_int_eq(at.count, 2);
	kglue_msg_free(msg);

	ck_assert_int_eq(kglue_msg_tunnel_get(&msg, FAMILY, 65535), 0);
	request(msg, L2TP_CMD_TUNNEL_GET, NLM_F_ACK, &at);
	expect_u32(&at, L2TP_ATTR_CONN_ID, 65535);
	ck_assert_int_eq(at.count, 1);
	kglue_msg_free(msg);

	ck_assert_int_eq(kglue_msg_session_get(&msg, FAMILY, 5, 6), 0);
	request(msg, L2TP_CMD_SESSION_GET, NLM_F_ACK, &at);
	expect_u32(&at, L2TP_ATTR_CONN_ID, 5);
	expect_u32(&at, L2TP_ATTR_SESSION_ID, 6);
	ck_assert_int_eq(at.count, 2);
	kglue_msg_free(msg);
}
END_TEST

START_TEST(test_dump_and_probe_requests)
{
	struct nl_msg *msg;
	struct attrs at;

	/* A dump is never acked (the kernel answers NLMSG_DONE), so no NLM_F_ACK. */
	ck_assert_int_eq(kglue_msg_tunnel_dump(&msg, FAMILY), 0);
	request(msg, L2TP_CMD_TUNNEL_GET, NLM_F_DUMP, &at);
	ck_assert_int_eq(at.count, 0);
	kglue_msg_free(msg);

	ck_assert_int_eq(kglue_msg_session_dump(&msg, FAMILY), 0);
	request(msg, L2TP_CMD_SESSION_GET, NLM_F_DUMP, &at);
	ck_assert_int_eq(at.count, 0);
	kglue_msg_free(msg);

	/* TUNNEL_GET without CONN_ID: EPERM before the handler runs, EINVAL in it. */
	ck_assert_int_eq(kglue_msg_permission_probe(&msg, FAMILY), 0);
	request(msg, L2TP_CMD_TUNNEL_GET, NLM_F_ACK, &at);
	ck_assert_int_eq(at.count, 0);
	kglue_msg_free(msg);
}
END_TEST

/* ---- startup and PPPoL2TP sockets against this host's kernel ---- */

/* The answer of CTRL_CMD_GETFAMILY "l2tp", asked with libmnl: 0 if present, else a negative errno. */
static int host_l2tp_family(void)
{
	char b[TEST_BUF];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	ssize_t n;
	int r;

	ck_assert_ptr_nonnull(nl);
	ck_assert_int_eq(mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID), 0);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, L2TP_GENL_NAME);
	ck_assert_int_ge(mnl_socket_sendto(nl, nlh, nlh->nlmsg_len), 0);
	n = mnl_socket_recvfrom(nl, b, sizeof(b));
	ck_assert_int_gt(n, 0);
	nlh = (struct nlmsghdr *)b;
	r = 0;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		r = ((const struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error;
	mnl_socket_close(nl);
	return r;
}

START_TEST(test_open_names_the_missing_module)
{
	char why[512];
	struct kglue *k = (struct kglue *)why;
	int r = kglue_open(&k, why, sizeof(why));

	if (host_l2tp_family() == -ENOENT) {
		/* This host: no l2tp family, and no way to load one. */
		ck_assert_int_eq(r, -ENOENT);
		ck_assert_ptr_null(k);
		ck_assert_msg(strstr(why, "l2tp_netlink") && strstr(why, "modprobe") &&
				      strstr(why, "modules-load.d"),
			      "why: %s", why);
		ck_assert_ptr_null(strchr(why, '\n'));
	} else if (r == 0) {
		int fd = kglue_event_fd(k);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
		ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
		kglue_free(k);
	} else {
		/* The family exists, but something else is missing: the line says what. */
		ck_assert_ptr_null(k);
		ck_assert_msg(strlen(why) > 20, "why: %s", why);
	}
}
END_TEST

START_TEST(test_open_with_small_or_no_buffer)
{
	char why[16];
	struct kglue *k;
	int r;

	memset(why, 'x', sizeof(why));
	r = kglue_open(&k, why, sizeof(why));
	if (r < 0) {
		/* Every failure line is longer than 15 characters: cut, and terminated. */
		ck_assert_ptr_null(k);
		ck_assert_uint_eq(strlen(why), sizeof(why) - 1);
	}
	kglue_free(k);
	ck_assert_int_eq(kglue_open(&k, NULL, 0), r);
	kglue_free(k);
	kglue_free(NULL);
}
END_TEST

START_TEST(test_pppox_connect_reports_the_kernel)
{
	const struct kglue_session s = {
		.tunnel_id = 65535, .session_id = 65534, .peer_tunnel_id = 1, .peer_session_id = 2
	};
	struct kglue_session bad = s;
	int probe = socket(AF_PPPOX, SOCK_DGRAM, PX_PROTO_OL2TP);
	int host = probe < 0 ? -errno : 0;
	int r4 = kglue_pppox_connect(AF_INET, &s);
	int r6 = kglue_pppox_connect(AF_INET6, &s);

	if (probe >= 0) {
		/* A kernel with PPPoL2TP: no tunnel 65535, so no session can join it. */
		close(probe);
		ck_assert_int_eq(r4, -ENOENT);
		ck_assert_int_eq(r6, -ENOENT);
	} else {
		/* This host has no AF_PPPOX (EAFNOSUPPORT): the kernel's errno comes through. */
		ck_assert_int_eq(r4, host);
		ck_assert_int_eq(r6, host);
		ck_assert_int_eq(kglue_pppox_probe(), host);
	}
	ck_assert_int_eq(kglue_pppox_connect(AF_UNIX, &s), -EINVAL);
	bad.peer_session_id = 0;
	ck_assert_int_eq(kglue_pppox_connect(AF_INET, &bad), -EINVAL);
	bad = s;
	bad.recv_timeout_ms = (uint32_t)INT_MAX + 1;
	ck_assert_int_eq(kglue_pppox_connect(AF_INET, &bad), -ERANGE);
}
END_TEST

Suite *suite_kglue(void)
{
	Suite *s = suite_create("kglue");
	TCase *req = tcase_create("requests");
	TCase *host = tcase_create("host");

	tcase_add_test(req, test_tunnel_create_request);
	tcase_add_test(req, test_tunnel_create_refuses_bad_input);
	tcase_add_test(req, test_session_create_all_knobs);
	tcase_add_test(req, test_session_create_defaults_are_absent);
	tcase_add_test(req, test_session_create_refuses_zero_ids);
	tcase_add_test(req, test_delete_and_get_requests);
	tcase_add_test(req, test_dump_and_probe_requests);
	suite_add_tcase(s, req);

	suite_add_tcase(s, tcase_kglue_replies());

	tcase_add_test(host, test_open_names_the_missing_module);
	tcase_add_test(host, test_open_with_small_or_no_buffer);
	tcase_add_test(host, test_pppox_connect_reports_the_kernel);
	suite_add_tcase(s, host);

	suite_add_tcase(s, tcase_kglue_pppd_argv());
	suite_add_tcase(s, tcase_kglue_pppd_spawn());
	return s;
}
