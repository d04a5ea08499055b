/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel boundary without a kernel: requests are read back with libmnl (a second,
 * independent netlink implementation), replies are hand-built with it, pppd is a shell script
 * that reports what it was given. The development host has no L2TP and no PPPoX, so
 * kglue_open() and kglue_pppox_connect() are checked against what the host really lacks; the
 * real data path is exercised by the VM scenarios.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if_pppox.h>
#include <linux/l2tp.h>

#include "kglue_int.h"
#include "suites.h"

#define FAMILY	 0x1f /* any genl family id */
#define TEST_BUF 8192

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

/* ---- replies and notifications, built the way the kernel lays them out ---- */

static uint64_t stat_value(int attr)
{
	return 0x0102030405060000ull + (uint64_t)attr * 0x101;
}

static struct nlmsghdr *reply_start(void *buf, int family, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_type = (uint16_t)family;
	nlh->nlmsg_flags = NLM_F_ACK; /* the kernel sets it on GET replies and notifications */
	g->cmd = cmd;
	g->version = L2TP_GENL_VERSION;
	return nlh;
}

/* Stats as the kernel nests them: PAD attributes for u64 alignment, counters, maybe 5.10's two. */
static void put_stats(struct nlmsghdr *nlh, bool since_5_10)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L2TP_ATTR_STATS);
	int a;

	mnl_attr_put(nlh, L2TP_ATTR_STATS_PAD, 0, NULL);
	for (a = L2TP_ATTR_TX_PACKETS; a <= L2TP_ATTR_RX_ERRORS; a++)
		mnl_attr_put_u64(nlh, (uint16_t)a, stat_value(a));
	if (since_5_10) {
		mnl_attr_put(nlh, L2TP_ATTR_STATS_PAD, 0, NULL);
		mnl_attr_put_u64(nlh, L2TP_ATTR_RX_COOKIE_DISCARDS, stat_value(L2TP_ATTR_RX_COOKIE_DISCARDS));
		mnl_attr_put_u64(nlh, L2TP_ATTR_RX_INVALID, stat_value(L2TP_ATTR_RX_INVALID));
	}
	mnl_attr_put_u32(nlh, 60, 0xdead); /* a counter from a kernel newer than us */
	mnl_attr_nest_end(nlh, nest);
}

struct tunnel_reply {
	uint32_t conn_id, peer_conn_id;
	uint8_t version;
	bool since_5_10;
	bool short_conn_id; /* CONN_ID as a u16: too short for the policy */
	bool no_conn_id;
};

static struct nlmsghdr *tunnel_reply(void *buf, uint8_t cmd, const struct tunnel_reply *t)
{
	struct nlmsghdr *nlh = reply_start(buf, FAMILY, cmd);
	static const uint8_t future[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

	mnl_attr_put_u8(nlh, L2TP_ATTR_PROTO_VERSION, t->version);
	if (t->short_conn_id)
		mnl_attr_put_u16(nlh, L2TP_ATTR_CONN_ID, (uint16_t)t->conn_id);
	else if (!t->no_conn_id)
		mnl_attr_put_u32(nlh, L2TP_ATTR_CONN_ID, t->conn_id);
	mnl_attr_put_u32(nlh, L2TP_ATTR_PEER_CONN_ID, t->peer_conn_id);
	mnl_attr_put_u32(nlh, L2TP_ATTR_DEBUG, 0);
	mnl_attr_put_u16(nlh, L2TP_ATTR_ENCAP_TYPE, L2TP_ENCAPTYPE_UDP);
	put_stats(nlh, t->since_5_10);
	mnl_attr_put_u8(nlh, L2TP_ATTR_UDP_CSUM, 1);
	mnl_attr_put_u16(nlh, L2TP_ATTR_UDP_SPORT, 1701);
	mnl_attr_put_u16(nlh, L2TP_ATTR_UDP_DPORT, 1701);
	mnl_attr_put_u32(nlh, L2TP_ATTR_IP_SADDR, 0x0100000a);
	mnl_attr_put_u32(nlh, L2TP_ATTR_IP_DADDR, 0x0200000a);
	mnl_attr_put(nlh, 200, sizeof(future), future); /* an attribute from a kernel newer than us */
	return nlh;
}

static void expect_stats(const struct kglue_stats *st, bool since_5_10)
{
	ck_assert_uint_eq(st->tx_packets, stat_value(L2TP_ATTR_TX_PACKETS));
	ck_assert_uint_eq(st->tx_bytes, stat_value(L2TP_ATTR_TX_BYTES));
	ck_assert_uint_eq(st->tx_errors, stat_value(L2TP_ATTR_TX_ERRORS));
	ck_assert_uint_eq(st->rx_packets, stat_value(L2TP_ATTR_RX_PACKETS));
	ck_assert_uint_eq(st->rx_bytes, stat_value(L2TP_ATTR_RX_BYTES));
	ck_assert_uint_eq(st->rx_seq_discards, stat_value(L2TP_ATTR_RX_SEQ_DISCARDS));
	ck_assert_uint_eq(st->rx_oos_packets, stat_value(L2TP_ATTR_RX_OOS_PACKETS));
	ck_assert_uint_eq(st->rx_errors, stat_value(L2TP_ATTR_RX_ERRORS));
	ck_assert_uint_eq(st->rx_cookie_discards,
			  (since_5_10 ? stat_value(L2TP_ATTR_RX_COOKIE_DISCARDS) : 0));
	ck_assert_uint_eq(st->rx_invalid, (since_5_10 ? stat_value(L2TP_ATTR_RX_INVALID) : 0));
}

static uint32_t buf[TEST_BUF / sizeof(uint32_t)];

START_TEST(test_parse_tunnel_with_new_stats)
{
	const struct tunnel_reply t = {
		.conn_id = 0xbeef, .peer_conn_id = 42, .version = 2, .since_5_10 = true
	};
	struct kglue_tunnel_info info;

	memset(&info, 0xa5, sizeof(info));
	ck_assert_int_eq(kglue_parse_tunnel(tunnel_reply(buf, L2TP_CMD_TUNNEL_GET, &t), FAMILY, &info), 0);
	ck_assert_uint_eq(info.tunnel_id, 0xbeef);
	ck_assert_uint_eq(info.peer_tunnel_id, 42);
	expect_stats(&info.stats, true);
}
END_TEST

START_TEST(test_parse_tunnel_before_5_10)
{
	const struct tunnel_reply t = { .conn_id = 1, .peer_conn_id = 65535, .version = 2 };
	struct kglue_tunnel_info info;

	memset(&info, 0xa5, sizeof(info));
	ck_assert_int_eq(kglue_parse_tunnel(tunnel_reply(buf, L2TP_CMD_TUNNEL_GET, &t), FAMILY, &info), 0);
	ck_assert_uint_eq(info.tunnel_id, 1);
	ck_assert_uint_eq(info.peer_tunnel_id, 65535);
	expect_stats(&info.stats, false);
}
END_TEST

START_TEST(test_parse_tunnel_without_stats)
{
	struct nlmsghdr *nlh = reply_start(buf, FAMILY, L2TP_CMD_TUNNEL_GET);
	struct kglue_tunnel_info info;

	mnl_attr_put_u32(nlh, L2TP_ATTR_CONN_ID, 3);
	mnl_attr_put_u32(nlh, L2TP_ATTR_PEER_CONN_ID, 4);
	memset(&info, 0xa5, sizeof(info));
	ck_assert_int_eq(kglue_parse_tunnel(nlh, FAMILY, &info), 0);
	ck_assert_uint_eq(info.tunnel_id, 3);
	ck_assert_uint_eq(info.stats.tx_packets, 0);
	ck_assert_uint_eq(info.stats.rx_invalid, 0);
}
END_TEST

START_TEST(test_parse_tunnel_refuses_malformed)
{
	struct tunnel_reply t = { .conn_id = 7, .peer_conn_id = 8, .version = 2, .short_conn_id = true };
	struct kglue_tunnel_info info = { .tunnel_id = 99 };
	struct nlmsghdr *nlh;

	/* A u16 where the policy says u32. */
	ck_assert_int_eq(kglue_parse_tunnel(tunnel_reply(buf, L2TP_CMD_TUNNEL_GET, &t), FAMILY, &info),
			 -EPROTO);
	t.short_conn_id = false;
	t.no_conn_id = true;
	ck_assert_int_eq(kglue_parse_tunnel(tunnel_reply(buf, L2TP_CMD_TUNNEL_GET, &t), FAMILY, &info),
			 -EPROTO);
	t.no_conn_id = false;
	/* The message ends inside its last attribute. */
	nlh = tunnel_reply(buf, L2TP_CMD_TUNNEL_GET, &t);
	nlh->nlmsg_len -= 4;
	ck_assert_int_eq(kglue_parse_tunnel(nlh, FAMILY, &info), -EPROTO);
	/* Another family's message, and one too short for a genl header. */
	ck_assert_int_eq(kglue_parse_tunnel(tunnel_reply(buf, L2TP_CMD_TUNNEL_GET, &t), FAMILY + 1, &info),
			 -EPROTO);
	nlh = tunnel_reply(buf, L2TP_CMD_TUNNEL_GET, &t);
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	ck_assert_int_eq(kglue_parse_tunnel(nlh, FAMILY, &info), -EPROTO);
	ck_assert_uint_eq(info.tunnel_id, 99); /* untouched on failure */
}
END_TEST

START_TEST(test_parse_tunnel_refuses_bad_stats)
{
	struct nlmsghdr *nlh = reply_start(buf, FAMILY, L2TP_CMD_TUNNEL_GET);
	struct kglue_tunnel_info info;
	struct nlattr *nest;

	mnl_attr_put_u32(nlh, L2TP_ATTR_CONN_ID, 3);
	mnl_attr_put_u32(nlh, L2TP_ATTR_PEER_CONN_ID, 4);
	nest = mnl_attr_nest_start(nlh, L2TP_ATTR_STATS);
	mnl_attr_put_u32(nlh, L2TP_ATTR_TX_PACKETS, 5); /* a u32 where every counter is a u64 */
	mnl_attr_nest_end(nlh, nest);
	ck_assert_int_eq(kglue_parse_tunnel(nlh, FAMILY, &info), -EPROTO);
}
END_TEST

START_TEST(test_parse_tunnel_foreign)
{
	struct tunnel_reply t = { .conn_id = 0x10000, .peer_conn_id = 8, .version = 3 };
	struct kglue_tunnel_info info;

	/* L2TPv3 objects (32-bit IDs, version 3) are well-formed but never ours. */
	ck_assert_int_eq(kglue_parse_tunnel(tunnel_reply(buf, L2TP_CMD_TUNNEL_GET, &t), FAMILY, &info),
			 -ERANGE);
	t.conn_id = 5;
	ck_assert_int_eq(kglue_parse_tunnel(tunnel_reply(buf, L2TP_CMD_TUNNEL_GET, &t), FAMILY, &info),
			 -ERANGE);
	t.version = 2;
	t.peer_conn_id = 0x12345;
	ck_assert_int_eq(kglue_parse_tunnel(tunnel_reply(buf, L2TP_CMD_TUNNEL_GET, &t), FAMILY, &info),
			 -ERANGE);
	/* Malformed wins over foreign. */
	t.short_conn_id = true;
	ck_assert_int_eq(kglue_parse_tunnel(tunnel_reply(buf, L2TP_CMD_TUNNEL_GET, &t), FAMILY, &info),
			 -EPROTO);
}
END_TEST

struct session_reply {
	uint32_t conn_id, session_id;
	bool lns_mode, send_seq, recv_seq;
	bool no_peer_session;
};

static struct nlmsghdr *session_reply(void *b, uint8_t cmd, const struct session_reply *s)
{
	struct nlmsghdr *nlh = reply_start(b, FAMILY, cmd);

	mnl_attr_put_u32(nlh, L2TP_ATTR_CONN_ID, s->conn_id);
	mnl_attr_put_u32(nlh, L2TP_ATTR_SESSION_ID, s->session_id);
	mnl_attr_put_u32(nlh, L2TP_ATTR_PEER_CONN_ID, 300);
	if (!s->no_peer_session)
		mnl_attr_put_u32(nlh, L2TP_ATTR_PEER_SESSION_ID, 400);
	mnl_attr_put_u32(nlh, L2TP_ATTR_DEBUG, 0);
	mnl_attr_put_u16(nlh, L2TP_ATTR_PW_TYPE, L2TP_PWTYPE_PPP);
	mnl_attr_put_u8(nlh, L2TP_ATTR_RECV_SEQ, s->recv_seq);
	mnl_attr_put_u8(nlh, L2TP_ATTR_SEND_SEQ, s->send_seq);
	mnl_attr_put_u8(nlh, L2TP_ATTR_LNS_MODE, s->lns_mode);
	mnl_attr_put_u64(nlh, L2TP_ATTR_RECV_TIMEOUT, 100);
	put_stats(nlh, true);
	return nlh;
}

START_TEST(test_parse_session)
{
	struct session_reply r = { .conn_id = 100, .session_id = 200, .lns_mode = true, .recv_seq = true };
	struct kglue_session_info s;

	memset(&s, 0xa5, sizeof(s));
	ck_assert_int_eq(kglue_parse_session(session_reply(buf, L2TP_CMD_SESSION_GET, &r), FAMILY, &s), 0);
	ck_assert_uint_eq(s.tunnel_id, 100);
	ck_assert_uint_eq(s.session_id, 200);
	ck_assert_uint_eq(s.peer_tunnel_id, 300);
	ck_assert_uint_eq(s.peer_session_id, 400);
	ck_assert(s.lns_mode);
	ck_assert(!s.send_seq);
	ck_assert(s.recv_seq);
	expect_stats(&s.stats, true);

	r.lns_mode = false;
	r.send_seq = true;
	ck_assert_int_eq(kglue_parse_session(session_reply(buf, L2TP_CMD_SESSION_GET, &r), FAMILY, &s), 0);
	ck_assert(!s.lns_mode);
	ck_assert(s.send_seq);
}
END_TEST

START_TEST(test_parse_session_refuses)
{
	struct session_reply r = { .conn_id = 100, .session_id = 0x10000 };
	struct kglue_session_info s;

	ck_assert_int_eq(kglue_parse_session(session_reply(buf, L2TP_CMD_SESSION_GET, &r), FAMILY, &s),
			 -ERANGE);
	/* The internal session of a legacy tunnel socket (dumps before 6.12): not a PPP session. */
	r.session_id = 0;
	ck_assert_int_eq(kglue_parse_session(session_reply(buf, L2TP_CMD_SESSION_GET, &r), FAMILY, &s),
			 -ERANGE);
	r.session_id = 1;
	r.no_peer_session = true;
	ck_assert_int_eq(kglue_parse_session(session_reply(buf, L2TP_CMD_SESSION_GET, &r), FAMILY, &s),
			 -EPROTO);
}
END_TEST

START_TEST(test_parse_events)
{
	const struct tunnel_reply t = { .conn_id = 11, .peer_conn_id = 12, .version = 2 };
	const struct session_reply s = { .conn_id = 11, .session_id = 13 };
	struct kglue_event ev;

	ck_assert_int_eq(kglue_parse_event(tunnel_reply(buf, L2TP_CMD_TUNNEL_CREATE, &t), FAMILY, &ev), 0);
	ck_assert_int_eq(ev.type, KGLUE_TUNNEL_CREATED);
	ck_assert_uint_eq(ev.tunnel_id, 11);
	ck_assert_int_eq(kglue_parse_event(tunnel_reply(buf, L2TP_CMD_TUNNEL_DELETE, &t), FAMILY, &ev), 0);
	ck_assert_int_eq(ev.type, KGLUE_TUNNEL_DELETED);
	ck_assert_int_eq(kglue_parse_event(session_reply(buf, L2TP_CMD_SESSION_CREATE, &s), FAMILY, &ev), 0);
	ck_assert_int_eq(ev.type, KGLUE_SESSION_CREATED);
	ck_assert_uint_eq(ev.tunnel_id, 11);
	ck_assert_uint_eq(ev.session_id, 13);
	ck_assert_int_eq(kglue_parse_event(session_reply(buf, L2TP_CMD_SESSION_DELETE, &s), FAMILY, &ev), 0);
	ck_assert_int_eq(ev.type, KGLUE_SESSION_DELETED);
	ck_assert_int_eq(kglue_parse_event(session_reply(buf, L2TP_CMD_SESSION_MODIFY, &s), FAMILY, &ev), 0);
	ck_assert_int_eq(ev.type, KGLUE_SESSION_MODIFIED);
	/* Not reported. */
	ck_assert_int_eq(kglue_parse_event(tunnel_reply(buf, L2TP_CMD_TUNNEL_MODIFY, &t), FAMILY, &ev),
			 -ENOENT);
	ck_assert_int_eq(kglue_parse_event(tunnel_reply(buf, L2TP_CMD_NOOP, &t), FAMILY, &ev), -ENOENT);
	ck_assert_int_eq(kglue_parse_event(tunnel_reply(buf, 99, &t), FAMILY, &ev), -ENOENT);
}
END_TEST

struct seen {
	struct kglue_event ev[8];
	int n;
};

static void record_event(const struct kglue_event *ev, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		s->ev[s->n] = *ev;
	s->n++;
}

START_TEST(test_parse_events_datagram)
{
	static uint32_t dgram[3 * TEST_BUF / sizeof(uint32_t)];
	const struct tunnel_reply good = { .conn_id = 21, .peer_conn_id = 22, .version = 2 };
	const struct tunnel_reply v3 = { .conn_id = 0x20000, .peer_conn_id = 22, .version = 3 };
	const struct session_reply s = { .conn_id = 21, .session_id = 23 };
	char *p = (char *)dgram;
	struct nlmsghdr *nlh;
	struct seen seen = { .n = 0 };

	/* Four notifications in one datagram: two reported, one foreign, one malformed. */
	nlh = tunnel_reply(p, L2TP_CMD_TUNNEL_CREATE, &good);
	p += NLMSG_ALIGN(nlh->nlmsg_len);
	nlh = tunnel_reply(p, L2TP_CMD_TUNNEL_CREATE, &v3);
	p += NLMSG_ALIGN(nlh->nlmsg_len);
	nlh = reply_start(p, FAMILY, L2TP_CMD_SESSION_DELETE);
	mnl_attr_put_u16(nlh, L2TP_ATTR_SESSION_ID, 1);
	p += NLMSG_ALIGN(nlh->nlmsg_len);
	nlh = session_reply(p, L2TP_CMD_SESSION_DELETE, &s);
	p += NLMSG_ALIGN(nlh->nlmsg_len);
	kglue_parse_events((struct nlmsghdr *)dgram, (int)(p - (char *)dgram), FAMILY, record_event, &seen);
	ck_assert_int_eq(seen.n, 2);
	ck_assert_int_eq(seen.ev[0].type, KGLUE_TUNNEL_CREATED);
	ck_assert_uint_eq(seen.ev[0].tunnel_id, 21);
	ck_assert_int_eq(seen.ev[1].type, KGLUE_SESSION_DELETED);
	ck_assert_uint_eq(seen.ev[1].session_id, 23);

	/* A datagram cut short delivers what is whole and stops. */
	seen.n = 0;
	kglue_parse_events((struct nlmsghdr *)dgram, (int)(p - (char *)dgram) - 8, FAMILY, record_event,
			   &seen);
	ck_assert_int_eq(seen.n, 1);
}
END_TEST

START_TEST(test_nle_errno)
{
	/* libnl's NLE_* numbers (a stable ABI; the tests do not see libnl's headers). */
	ck_assert_int_eq(kglue_nle_errno(0), 0);
	ck_assert_int_eq(kglue_nle_errno(-12), -ENOENT); /* NLE_OBJ_NOTFOUND */
	ck_assert_int_eq(kglue_nle_errno(12), -ENOENT);
	ck_assert_int_eq(kglue_nle_errno(-28), -EPERM);	 /* NLE_PERM */
	ck_assert_int_eq(kglue_nle_errno(-5), -ENOMEM);	 /* NLE_NOMEM */
	ck_assert_int_eq(kglue_nle_errno(-16), -EPROTO); /* NLE_SEQ_MISMATCH */
	ck_assert_int_eq(kglue_nle_errno(-1), -EIO);	 /* NLE_FAILURE */
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

/* ---- the pppd argument vector ---- */

static void expect_argv(const char **argv, int n, const char *const *want)
{
	int i;

	for (i = 0; want[i]; i++) {
		ck_assert_int_lt(i, n);
		ck_assert_str_eq(argv[i], want[i]);
	}
	ck_assert_int_eq(n, i);
	ck_assert_ptr_null(argv[n]);
}

START_TEST(test_argv_lns)
{
	const char *const defaults[] = { "lcp-max-terminate", "1", NULL };
	const char *const extra[] = { "mtu", "1400", "updetach", NULL };
	const struct kglue_pppd p = { .plugin = "pppol2tp.so",
				      .defaults = defaults,
				      .pppox_fd = 17,
				      .lns_mode = true,
				      .send_seq = true,
				      .recv_seq = true,
				      .reorder_ms = 300,
				      .tunnel_id = 65535,
				      .session_id = 1,
				      .options_file = "/etc/ppp/options.lns",
				      .extra = extra };
	const char *const want[] = {
		"pppd", "plugin", "pppol2tp.so", "pppol2tp", "17", "pppol2tp_lns_mode", "pppol2tp_send_seq",
		"pppol2tp_recv_seq", "pppol2tp_reorderto", "300", "pppol2tp_tunnel_id", "65535",
		/* defaults before the options file, which may change them */
		"pppol2tp_session_id", "1", "lcp-max-terminate", "1", "file", "/etc/ppp/options.lns", "mtu",
		"1400", "updetach",
		/* last: pppd lets the last of equal priority win, so updetach is undone */
		"nodetach", NULL
	};
	char fd_word[16], reorder_word[16], tid_word[8], sid_word[8];
	const char *argv[32];
	int n = kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32);

	expect_argv(argv, n, want);
}
END_TEST

START_TEST(test_argv_lac)
{
	const struct kglue_pppd p = { .plugin = "/usr/lib/pppd/2.4.9/pppol2tp.so",
				      .pppox_fd = 3,
				      .tunnel_id = 4242,
				      .session_id = 65535 };
	const char *const want[] = { "pppd",
				     "plugin",
				     "/usr/lib/pppd/2.4.9/pppol2tp.so",
				     "pppol2tp",
				     "3",
				     "pppol2tp_tunnel_id",
				     "4242",
				     "pppol2tp_session_id",
				     "65535",
				     "nodetach",
				     NULL };
	char fd_word[16], reorder_word[16], tid_word[8], sid_word[8];
	const char *argv[32];
	int n = kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32);

	expect_argv(argv, n, want);
}
END_TEST

START_TEST(test_argv_send_seq_only)
{
	const char *const extra[] = { NULL };
	const struct kglue_pppd p = { .plugin = "pppol2tp.so",
				      .pppox_fd = 2147483647,
				      .send_seq = true,
				      .reorder_ms = 2147483647,
				      .tunnel_id = 1,
				      .session_id = 2,
				      .extra = extra };
	const char *const want[] = { "pppd",
				     "plugin",
				     "pppol2tp.so",
				     "pppol2tp",
				     "2147483647",
				     "pppol2tp_send_seq",
				     "pppol2tp_reorderto",
				     "2147483647",
				     "pppol2tp_tunnel_id",
				     "1",
				     "pppol2tp_session_id",
				     "2",
				     "nodetach",
				     NULL };
	char fd_word[16], reorder_word[16], tid_word[8], sid_word[8];
	const char *argv[32];
	int n = kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32);

	expect_argv(argv, n, want);
}
END_TEST

START_TEST(test_argv_too_small)
{
	const struct kglue_pppd p = {
		.plugin = "pppol2tp.so", .pppox_fd = 3, .tunnel_id = 1, .session_id = 2
	};
	char fd_word[16], reorder_word[16], tid_word[8], sid_word[8];
	const char *argv[11];
	int n = kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 11);

	/* 10 words and the NULL: 11 entries fit, 10 do not, nor does nothing. */
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 10), -E2BIG);
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 1), -E2BIG);
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 0), -E2BIG);
}
END_TEST

START_TEST(test_argv_refuses_bad_input)
{
	struct kglue_pppd p = { .plugin = "pppol2tp.so", .pppox_fd = 3, .tunnel_id = 1, .session_id = 2 };
	char fd_word[16], reorder_word[16], tid_word[8], sid_word[8];
	const char *argv[32];

	p.pppox_fd = -1;
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32), -EBADF);
	p.pppox_fd = 3;
	p.session_id = 0;
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32), -EINVAL);
	p.session_id = 2;
	p.plugin = NULL;
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32), -EINVAL);
	p.plugin = "pppol2tp.so";
	p.reorder_ms = (uint32_t)INT_MAX + 1;
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32), -ERANGE);
}
END_TEST

/* ---- spawning a fake pppd ---- */

static char fake_dir[64];
static char fake_pppd[96];

/* Reports its words, its pid and session and its open fds, then exits 3. */
static const char fake_script[] = "#!/bin/sh\n"
				  "echo \"argv: $*\"\n"
				  "set -- $(cat /proc/$$/stat)\n"
				  "echo \"stat: $1 $6\"\n"
				  "ls -l /proc/self/fd\n"
				  "exit 3\n";

static void fake_setup(void)
{
	FILE *f;

	snprintf(fake_dir, sizeof(fake_dir), "/tmp/kglue-check-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fake_dir));
	snprintf(fake_pppd, sizeof(fake_pppd), "%s/pppd", fake_dir);
	f = fopen(fake_pppd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(fake_script, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(fake_pppd, 0700), 0);
}

static void fake_teardown(void)
{
	unlink(fake_pppd);
	rmdir(fake_dir);
}

/* Everything pppd wrote, up to EOF (all its writers gone). */
static void read_log(int fd, char *out, size_t len)
{
	size_t n = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		ck_assert_int_eq(poll(&p, 1, 10000), 1);
		r = read(fd, out + n, len - 1 - n);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		ck_assert_int_ge(r, 0);
		if (r == 0 || (n += (size_t)r) == len - 1)
			break;
	}
	out[n] = '\0';
}

/* pppd has exited: the pidfd is readable and waitid() gives its status. */
static int wait_exit(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	siginfo_t si;

	ck_assert_int_eq(poll(&p, 1, 10000), 1);
	memset(&si, 0, sizeof(si));
	ck_assert_int_eq(waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED), 0);
	ck_assert_int_eq(si.si_code, CLD_EXITED);
	return si.si_status;
}

struct fd_entry {
	int fd;
	char target[128];
};

/* The "N -> target" lines of ls -l /proc/self/fd, without ls's own directory fd. */
static int parse_fds(const char *log, struct fd_entry *e, int max)
{
	const char *line = log;
	int n = 0;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		const char *arrow = strstr(line, " -> ");
		const char *num;
		size_t tlen;

		if (!end)
			end = line + strlen(line);
		if (arrow && arrow < end) {
			for (num = arrow; num > line && num[-1] != ' '; num--)
				;
			tlen = (size_t)(end - (arrow + 4));
			if (tlen >= sizeof(e[0].target))
				tlen = sizeof(e[0].target) - 1;
			if (!(strncmp(arrow + 4, "/proc/", 6) == 0 && tlen > 3 &&
			      strncmp(end - 3, "/fd", 3) == 0)) {
				ck_assert_int_lt(n, max);
				e[n].fd = atoi(num);
				memcpy(e[n].target, arrow + 4, tlen);
				e[n].target[tlen] = '\0';
				n++;
			}
		}
		line = *end ? end + 1 : NULL;
	}
	return n;
}

static const char *fd_target(const struct fd_entry *e, int n, int fd)
{
	int i;

	for (i = 0; i < n; i++)
		if (e[i].fd == fd)
			return e[i].target;
	return NULL;
}

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

START_TEST(test_spawn_clean_child)
{
	struct kglue_pppd p = {
		.path = fake_pppd, .plugin = "pppol2tp.so", .tunnel_id = 100, .session_id = 200
	};
	char log[8192], want_argv[128], want_stat[64];
	struct fd_entry fds[16];
	int leak_pipe[2], leak_file, pidfd, log_fd, n;
	pid_t pid;

	/* Decoys that must not reach pppd: inheritable fds. */
	ck_assert_int_eq(pipe(leak_pipe), 0);
	leak_file = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(leak_file, 0);
	/* The PPPoL2TP socket stands in as /dev/zero, close-on-exec: spawn must pass it anyway. */
	p.pppox_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(p.pppox_fd, 3);

	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), 0);
	ck_assert(!fd_is_open(p.pppox_fd));
	ck_assert_int_gt(pid, 0);
	ck_assert_int_ne(fcntl(pidfd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_ne(fcntl(log_fd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_ne(fcntl(log_fd, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(wait_exit(pidfd), 3);
	read_log(log_fd, log, sizeof(log));

	snprintf(want_argv, sizeof(want_argv),
		 "argv: plugin pppol2tp.so pppol2tp %d pppol2tp_tunnel_id 100 pppol2tp_session_id 200 "
		 "nodetach\n",
		 p.pppox_fd);
	ck_assert_msg(strstr(log, want_argv), "log:\n%s", log);
	/* Its own session (setsid): session id = its pid. */
	snprintf(want_stat, sizeof(want_stat), "stat: %d %d\n", (int)pid, (int)pid);
	ck_assert_msg(strstr(log, want_stat), "log:\n%s", log);

	n = parse_fds(log, fds, 16);
	ck_assert_msg(n == 4, "expected fds 0, 1, 2 and the socket only; log:\n%s", log);
	ck_assert_str_eq(fd_target(fds, n, 0), "/dev/null");
	ck_assert_int_eq(strncmp(fd_target(fds, n, 1), "pipe:", 5), 0);
	ck_assert_str_eq(fd_target(fds, n, 1), fd_target(fds, n, 2));
	ck_assert_ptr_nonnull(fd_target(fds, n, p.pppox_fd));
	ck_assert_str_eq(fd_target(fds, n, p.pppox_fd), "/dev/zero");

	close(pidfd);
	close(log_fd);
	close(leak_pipe[0]);
	close(leak_pipe[1]);
	close(leak_file);
}
END_TEST

/* Mask bits of one "Sig...:" line of /proc/PID/status. */
static unsigned long long status_mask(const char *log, const char *name)
{
	const char *at = strstr(log, name);

	ck_assert_msg(at, "no %s in:\n%s", name, log);
	return strtoull(at + strlen(name), NULL, 16);
}

/*
 * A shell clears its signal mask at startup, so the fake pppd here is cat: its words make it
 * print its own /proc status (the "plugin"), as exec left it.
 */
START_TEST(test_spawn_resets_signals)
{
	struct kglue_pppd p = {
		.path = "/bin/cat", .plugin = "/proc/self/status", .tunnel_id = 1, .session_id = 2
	};
	char log[16384];
	int pidfd, log_fd;
	pid_t pid;
	sigset_t block, old_mask;
	void (*old_usr1)(int), (*old_hup)(int);

	old_usr1 = signal(SIGUSR1, SIG_IGN);
	old_hup = signal(SIGHUP, SIG_IGN);
	ck_assert(old_usr1 != SIG_ERR && old_hup != SIG_ERR);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &block, &old_mask), 0);
	p.pppox_fd = open("/dev/zero", O_RDONLY);
	ck_assert_int_ge(p.pppox_fd, 0);
	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), 0);
	ck_assert_int_eq(wait_exit(pidfd), 1); /* cat cannot open "plugin" and the other words */
	read_log(log_fd, log, sizeof(log));
	ck_assert_msg(strstr(log, "State:"), "log:\n%s", log);
	ck_assert_uint_eq(status_mask(log, "SigBlk:\t"), 0);
	/*
	 * Signals 32 and 33 are glibc's own (thread cancellation, setxid): sigaction() refuses
	 * them, so an ignored disposition inherited from whoever started the tests (make check's
	 * driver does) cannot be reset, and pppd never meets them.
	 */
	ck_assert_uint_eq(status_mask(log, "SigIgn:\t") & ~(3ull << 31), 0);
	close(pidfd);
	close(log_fd);
	/* Left as found, for runs without fork (CK_FORK=no). */
	signal(SIGUSR1, old_usr1);
	signal(SIGHUP, old_hup);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
}
END_TEST

START_TEST(test_spawn_moves_socket_off_stdio)
{
	struct kglue_pppd p = { .path = fake_pppd, .plugin = "pppol2tp.so", .tunnel_id = 1, .session_id = 2 };
	char log[8192], word[32];
	struct fd_entry fds[16];
	int saved = fcntl(0, F_DUPFD_CLOEXEC, 3), pidfd, log_fd, n, moved = -1, i;
	pid_t pid;

	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(close(0), 0);
	p.pppox_fd = open("/dev/zero", O_RDONLY);
	ck_assert_int_eq(p.pppox_fd, 0);
	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), 0);
	/* The socket on 0 is closed; 0 may be reused only by what spawn returned. */
	ck_assert(!fd_is_open(0) || pidfd == 0 || log_fd == 0);
	if (pidfd == 0)
		pidfd = fcntl(0, F_DUPFD_CLOEXEC, 3);
	if (log_fd == 0)
		log_fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
	ck_assert_int_eq(dup2(saved, 0), 0);
	close(saved);
	ck_assert_int_eq(wait_exit(pidfd), 3);
	read_log(log_fd, log, sizeof(log));

	n = parse_fds(log, fds, 16);
	ck_assert_msg(n == 4, "log:\n%s", log);
	ck_assert_str_eq(fd_target(fds, n, 0), "/dev/null");
	for (i = 0; i < n; i++)
		if (strcmp(fds[i].target, "/dev/zero") == 0)
			moved = fds[i].fd;
	ck_assert_int_ge(moved, 3);
	snprintf(word, sizeof(word), " pppol2tp %d ", moved);
	ck_assert_msg(strstr(log, word), "log:\n%s", log);
	close(pidfd);
	close(log_fd);
}
END_TEST

START_TEST(test_spawn_exec_failure)
{
	struct kglue_pppd p = { .path = "/nonexistent/l2tpkd-check/pppd",
				.plugin = "pppol2tp.so",
				.tunnel_id = 1,
				.session_id = 2 };
	char log[1024];
	int pidfd, log_fd;
	pid_t pid;

	p.pppox_fd = open("/dev/zero", O_RDONLY);
	ck_assert_int_ge(p.pppox_fd, 0);
	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), 0);
	ck_assert(!fd_is_open(p.pppox_fd));
	ck_assert_int_eq(wait_exit(pidfd), 127);
	read_log(log_fd, log, sizeof(log));
	ck_assert_msg(strstr(log, "cannot exec /nonexistent/l2tpkd-check/pppd: ") &&
			      strstr(log, strerror(ENOENT)),
		      "log: %s", log);
	close(pidfd);
	close(log_fd);
}
END_TEST

START_TEST(test_spawn_refuses_bad_input)
{
	struct kglue_pppd p = { .path = NULL, .plugin = "pppol2tp.so", .tunnel_id = 1, .session_id = 2 };
	int pidfd = 5, log_fd = 5;
	pid_t pid = 5;

	/* Refused, and the socket is closed all the same: pppd was meant to be its only holder. */
	p.pppox_fd = open("/dev/zero", O_RDONLY);
	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), -EINVAL);
	ck_assert(!fd_is_open(p.pppox_fd));
	ck_assert_int_eq(pidfd, -1);
	ck_assert_int_eq(log_fd, -1);
	ck_assert_int_eq(pid, 0);

	p.path = fake_pppd;
	p.pppox_fd = open("/dev/zero", O_RDONLY);
	p.session_id = 0;
	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), -EINVAL);
	ck_assert(!fd_is_open(p.pppox_fd));

	p.pppox_fd = -1;
	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), -EBADF);
}
END_TEST

Suite *suite_kglue(void)
{
	Suite *s = suite_create("kglue");
	TCase *req = tcase_create("requests");
	TCase *parse = tcase_create("replies");
	TCase *host = tcase_create("host");
	TCase *argv = tcase_create("pppd_argv");
	TCase *spawn = tcase_create("pppd_spawn");

	tcase_add_test(req, test_tunnel_create_request);
	tcase_add_test(req, test_tunnel_create_refuses_bad_input);
	tcase_add_test(req, test_session_create_all_knobs);
	tcase_add_test(req, test_session_create_defaults_are_absent);
	tcase_add_test(req, test_session_create_refuses_zero_ids);
	tcase_add_test(req, test_delete_and_get_requests);
	tcase_add_test(req, test_dump_and_probe_requests);
	suite_add_tcase(s, req);

	tcase_add_test(parse, test_parse_tunnel_with_new_stats);
	tcase_add_test(parse, test_parse_tunnel_before_5_10);
	tcase_add_test(parse, test_parse_tunnel_without_stats);
	tcase_add_test(parse, test_parse_tunnel_refuses_malformed);
	tcase_add_test(parse, test_parse_tunnel_refuses_bad_stats);
	tcase_add_test(parse, test_parse_tunnel_foreign);
	tcase_add_test(parse, test_parse_session);
	tcase_add_test(parse, test_parse_session_refuses);
	tcase_add_test(parse, test_parse_events);
	tcase_add_test(parse, test_parse_events_datagram);
	tcase_add_test(parse, test_nle_errno);
	suite_add_tcase(s, parse);

	tcase_add_test(host, test_open_names_the_missing_module);
	tcase_add_test(host, test_open_with_small_or_no_buffer);
	tcase_add_test(host, test_pppox_connect_reports_the_kernel);
	suite_add_tcase(s, host);

	tcase_add_test(argv, test_argv_lns);
	tcase_add_test(argv, test_argv_lac);
	tcase_add_test(argv, test_argv_send_seq_only);
	tcase_add_test(argv, test_argv_too_small);
	tcase_add_test(argv, test_argv_refuses_bad_input);
	suite_add_tcase(s, argv);

	tcase_add_checked_fixture(spawn, fake_setup, fake_teardown);
	tcase_set_timeout(spawn, 30);
	tcase_add_test(spawn, test_spawn_clean_child);
	tcase_add_test(spawn, test_spawn_resets_signals);
	tcase_add_test(spawn, test_spawn_moves_socket_off_stdio);
	tcase_add_test(spawn, test_spawn_exec_failure);
	tcase_add_test(spawn, test_spawn_refuses_bad_input);
	suite_add_tcase(s, spawn);
	return s;
}
