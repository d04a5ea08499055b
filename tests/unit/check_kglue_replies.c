/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's replies and notifications without a kernel: messages hand-built with libmnl the
 * way the kernel lays them out (stats nested with PAD attributes, 5.10's counters or not),
 * parsed by kglue; malformed, foreign and truncated ones refused.
 */
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/l2tp.h>

#include "kglue_int.h"
#include "kglue_tests.h"
#include "suites.h"

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

TCase *tcase_kglue_replies(void)
{
	TCase *parse = tcase_create("replies");

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
	return parse;
}
