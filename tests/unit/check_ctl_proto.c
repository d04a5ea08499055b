/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol's shared pieces (daemon/ctl_proto.c) and l2tpctl's reading of answers
 * (cli_conn.c, without a socket): what the writer writes the parser reads back; hostile
 * octets are refused with a reason and the offending attribute, never read past; unknown
 * attributes are skipped; status messages give their errno and text.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_conn.h"
#include "ctl_proto.h"
#include "ctl_tests.h"
#include "suites.h"
#include "test_random.h"

/* A buffer aligned for message headers. */
union msgbuf {
	struct nlmsghdr nlh;
	char b[8192];
};

/* Appends one attribute with a length field of our choosing (hostile ones lie). */
static void raw_attr(char *buf, size_t *off, uint16_t type, uint16_t nla_len, const void *payload, size_t n)
{
	struct nlattr a = { .nla_len = nla_len, .nla_type = type };

	memcpy(buf + *off, &a, sizeof(a));
	memcpy(buf + *off + sizeof(a), payload, n);
	*off += MNL_ALIGN(sizeof(a) + n);
}

static int parse_raw(const char *buf, size_t len, const struct nlattr **tb, struct ctl_parse_error *err)
{
	return ctl_parse(buf, len, &ctl_policy_top, tb, err);
}

START_TEST(test_round_trip)
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1], *kb[L2TPKD_CTL_KERNEL_A_MAX + 1];
	static const uint8_t ip[4] = { 192, 0, 2, 1 };
	struct ctl_parse_error err = { .why = "" };
	struct nlattr *nest;
	union msgbuf u;
	struct ctl_msg m;

	ctl_msg_init(&m, u.b, sizeof(u.b), L2TPKD_CTL_MSG_TUNNEL_GET, NLM_F_MULTI, 7, 9);
	ctl_put_u8(&m, L2TPKD_CTL_A_ESTABLISHED, 1);
	ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, 4321);
	ctl_put_u32(&m, L2TPKD_CTL_A_SESSIONS, 70000);
	ctl_put_str(&m, L2TPKD_CTL_A_STATE, "established", L2TPKD_CTL_TEXT_MAX);
	ctl_put_bin(&m, L2TPKD_CTL_A_PEER_IP, ip, sizeof(ip));
	nest = ctl_nest_begin(&m, L2TPKD_CTL_A_KERNEL);
	ctl_put_u64(&m, L2TPKD_CTL_KERNEL_A_RX_BYTES, UINT64_C(1) << 40);
	ctl_nest_end(&m, nest);
	ck_assert(!m.overflow);
	ck_assert_uint_eq(u.nlh.nlmsg_type, L2TPKD_CTL_MSG_TUNNEL_GET);
	ck_assert_uint_eq(u.nlh.nlmsg_seq, 7);
	ck_assert_uint_eq(u.nlh.nlmsg_pid, 9);

	ck_assert_int_eq(ctl_parse_msg(&u.nlh, &ctl_policy_top, tb, &err), 0);
	ck_assert_uint_eq(mnl_attr_get_u8(tb[L2TPKD_CTL_A_ESTABLISHED]), 1);
	ck_assert_uint_eq(mnl_attr_get_u16(tb[L2TPKD_CTL_A_TUNNEL_ID]), 4321);
	ck_assert_uint_eq(mnl_attr_get_u32(tb[L2TPKD_CTL_A_SESSIONS]), 70000);
	ck_assert_str_eq(mnl_attr_get_str(tb[L2TPKD_CTL_A_STATE]), "established");
	ck_assert_mem_eq(mnl_attr_get_payload(tb[L2TPKD_CTL_A_PEER_IP]), ip, 4);
	ck_assert_ptr_null(tb[L2TPKD_CTL_A_SESSION_ID]);
	ck_assert_int_eq(ctl_parse_nested(tb[L2TPKD_CTL_A_KERNEL], &ctl_policy_kernel, kb, &err), 0);
	ck_assert(mnl_attr_get_u64(kb[L2TPKD_CTL_KERNEL_A_RX_BYTES]) == UINT64_C(1) << 40);
	ck_assert_ptr_null(kb[L2TPKD_CTL_KERNEL_A_TX_BYTES]);
}
END_TEST

/*
 * Hitless restart's pieces of the wire are ABI: RESTART follows LNS_GET, RECOVERY follows
 * PEER_RECOVERY_MS and is a u8 whose values stay put. A value this side does not know still
 * parses (l2tpctl shows it as unknown); another width does not.
 */
START_TEST(test_restart_and_recovery_wire)
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	struct ctl_parse_error err = { .why = "" };
	uint16_t v16 = L2TPKD_CTL_RECOVERY_SILENT;
	union msgbuf u;
	struct ctl_msg m;
	char buf[64];
	size_t off = 0;

	ck_assert_int_eq(L2TPKD_CTL_MSG_RESTART, NLMSG_MIN_TYPE + 15);
	ck_assert_int_eq(L2TPKD_CTL_A_RECOVERY, 57);
	ck_assert_int_eq(L2TPKD_CTL_RECOVERY_NONE, 0);
	ck_assert_int_eq(L2TPKD_CTL_RECOVERY_RESYNCING, 1);
	ck_assert_int_eq(L2TPKD_CTL_RECOVERY_SILENT, 2);
	ck_assert_int_eq(ctl_policy_top.attrs[L2TPKD_CTL_A_RECOVERY].kind, CTL_ATTR_U8);
	ck_assert_str_eq(ctl_policy_top.attrs[L2TPKD_CTL_A_RECOVERY].name, "recovery");

	ctl_msg_init(&m, u.b, sizeof(u.b), L2TPKD_CTL_MSG_TUNNEL_GET, NLM_F_MULTI, 7, 0);
	ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, 5);
	ctl_put_u8(&m, L2TPKD_CTL_A_RECOVERY, L2TPKD_CTL_RECOVERY_SILENT);
	ck_assert(!m.overflow);
	ck_assert_int_eq(ctl_parse_msg(&u.nlh, &ctl_policy_top, tb, &err), 0);
	ck_assert_uint_eq(mnl_attr_get_u8(tb[L2TPKD_CTL_A_RECOVERY]), L2TPKD_CTL_RECOVERY_SILENT);

	ctl_msg_init(&m, u.b, sizeof(u.b), L2TPKD_CTL_MSG_TUNNEL_GET, NLM_F_MULTI, 7, 0);
	ctl_put_u8(&m, L2TPKD_CTL_A_RECOVERY, 200);
	ck_assert_int_eq(ctl_parse_msg(&u.nlh, &ctl_policy_top, tb, &err), 0);
	ck_assert_uint_eq(mnl_attr_get_u8(tb[L2TPKD_CTL_A_RECOVERY]), 200);

	raw_attr(buf, &off, L2TPKD_CTL_A_RECOVERY, 6, &v16, 2);
	ck_assert_int_eq(parse_raw(buf, off, tb, &err), -EINVAL);
	ck_assert_ptr_eq(err.attr, buf);
	ck_assert_ptr_nonnull(strstr(err.why, "recovery"));
}
END_TEST

START_TEST(test_unknown_attributes_skipped)
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	uint16_t id = 5;
	uint32_t big = 1;
	char buf[256];
	size_t off = 0;

	raw_attr(buf, &off, 0, 8, &big, 4);				  /* type 0 */
	raw_attr(buf, &off, L2TPKD_CTL_A_MAX + 1, 8, &big, 4);		  /* newer than us */
	raw_attr(buf, &off, 0x7ff0, 6, &id, 2);				  /* far beyond */
	raw_attr(buf, &off, L2TPKD_CTL_A_TUNNEL_ID | NLA_F_NET_BYTEORDER, 6, &id, 2); /* flag bits ignored */
	ck_assert_int_eq(parse_raw(buf, off, tb, NULL), 0);
	ck_assert_ptr_nonnull(tb[L2TPKD_CTL_A_TUNNEL_ID]);
	ck_assert_uint_eq(mnl_attr_get_u16(tb[L2TPKD_CTL_A_TUNNEL_ID]), 5);
}
END_TEST

/* Each hostile attribute list is refused, and err names the attribute where one is to blame. */
START_TEST(test_hostile_attributes)
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	struct ctl_parse_error err;
	uint32_t v32 = 1;
	uint16_t v16 = 1;
	char buf[256], s[300];
	union msgbuf big;
	size_t off;

	off = 0; /* u16 given 4 octets */
	raw_attr(buf, &off, L2TPKD_CTL_A_TUNNEL_ID, 8, &v32, 4);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(parse_raw(buf, off, tb, &err), -EINVAL);
	ck_assert_ptr_eq(err.attr, buf);
	ck_assert_ptr_nonnull(strstr(err.why, "tunnel_id"));

	off = 0; /* u32 given 2 */
	raw_attr(buf, &off, L2TPKD_CTL_A_SESSIONS, 6, &v16, 2);
	ck_assert_int_eq(parse_raw(buf, off, tb, &err), -EINVAL);

	off = 0; /* a length shorter than the attribute header */
	raw_attr(buf, &off, L2TPKD_CTL_A_TUNNEL_ID, 3, &v16, 2);
	ck_assert_int_eq(parse_raw(buf, off, tb, &err), -EINVAL);

	off = 0; /* a length past the end of the message */
	raw_attr(buf, &off, L2TPKD_CTL_A_TUNNEL_ID, 200, &v16, 2);
	ck_assert_int_eq(parse_raw(buf, off, tb, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.why, "overruns"));

	off = 0; /* octets after the last attribute that are not an attribute */
	raw_attr(buf, &off, L2TPKD_CTL_A_TUNNEL_ID, 6, &v16, 2);
	ck_assert_int_eq(parse_raw(buf, off + 3, tb, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.why, "stray"));

	off = 0; /* the same attribute twice */
	raw_attr(buf, &off, L2TPKD_CTL_A_TUNNEL_ID, 6, &v16, 2);
	raw_attr(buf, &off, L2TPKD_CTL_A_TUNNEL_ID, 6, &v16, 2);
	ck_assert_int_eq(parse_raw(buf, off, tb, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.why, "twice"));

	off = 0; /* a string without its NUL */
	raw_attr(buf, &off, L2TPKD_CTL_A_PEER, 7, "abc", 3);
	ck_assert_int_eq(parse_raw(buf, off, tb, &err), -EINVAL);
	off = 0; /* a NUL inside */
	raw_attr(buf, &off, L2TPKD_CTL_A_PEER, 8, "a\0b", 4);
	ck_assert_int_eq(parse_raw(buf, off, tb, &err), -EINVAL);
	off = 0; /* empty */
	raw_attr(buf, &off, L2TPKD_CTL_A_PEER, 4, "", 0);
	ck_assert_int_eq(parse_raw(buf, off, tb, &err), -EINVAL);

	/* A peer of L2TPKD_CTL_PEER_MAX octets with its NUL passes, one more does not. */
	memset(s, 'p', sizeof(s));
	s[L2TPKD_CTL_PEER_MAX - 1] = '\0';
	off = 0;
	raw_attr(big.b, &off, L2TPKD_CTL_A_PEER, 4 + L2TPKD_CTL_PEER_MAX, s, L2TPKD_CTL_PEER_MAX);
	ck_assert_int_eq(parse_raw(big.b, off, tb, &err), 0);
	s[L2TPKD_CTL_PEER_MAX - 1] = 'p';
	s[L2TPKD_CTL_PEER_MAX] = '\0';
	off = 0;
	raw_attr(big.b, &off, L2TPKD_CTL_A_PEER, 4 + L2TPKD_CTL_PEER_MAX + 1, s, L2TPKD_CTL_PEER_MAX + 1);
	ck_assert_int_eq(parse_raw(big.b, off, tb, &err), -EINVAL);

	off = 0; /* an IP address of 3 and of 17 octets */
	raw_attr(buf, &off, L2TPKD_CTL_A_PEER_IP, 7, "abc", 3);
	ck_assert_int_eq(parse_raw(buf, off, tb, &err), -EINVAL);
	off = 0;
	raw_attr(buf, &off, L2TPKD_CTL_A_PEER_IP, 21, s, 17);
	ck_assert_int_eq(parse_raw(buf, off, tb, &err), -EINVAL);
}
END_TEST

START_TEST(test_nested_validated)
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	struct ctl_parse_error err = { .why = "" };
	char inner[64], buf[128];
	size_t ioff = 0, off = 0;
	uint16_t v16 = 3;

	/* A CALL whose bearer type is a u16 instead of a u32: refused at the top level already. */
	raw_attr(inner, &ioff, L2TPKD_CTL_CALL_A_BEARER_TYPE, 6, &v16, 2);
	raw_attr(buf, &off, L2TPKD_CTL_A_CALL | NLA_F_NESTED, (uint16_t)(4 + ioff), inner, ioff);
	ck_assert_int_eq(parse_raw(buf, off, tb, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.why, "bearer_type"));

	/* A nest whose inner length runs past the nest (but not past the message). */
	ioff = 0;
	off = 0;
	raw_attr(inner, &ioff, L2TPKD_CTL_CALL_A_TX_SPEED, 16, &v16, 2);
	raw_attr(buf, &off, L2TPKD_CTL_A_CALL, (uint16_t)(4 + ioff), inner, ioff);
	raw_attr(buf, &off, L2TPKD_CTL_A_TUNNEL_ID, 6, &v16, 2);
	ck_assert_int_eq(parse_raw(buf, off, tb, &err), -EINVAL);
}
END_TEST

/* A policy that nests itself: hostile input cannot recurse beyond the protocol's depth. */
static const struct ctl_policy self_policy;
static const struct ctl_attr_policy self_attrs[] = {
	[1] = { .name = "self", .kind = CTL_ATTR_NESTED, .nested = &self_policy },
};
static const struct ctl_policy self_policy = { "self", self_attrs, 1 };

START_TEST(test_nesting_depth_bounded)
{
	char a[64], b[64], c[64];
	size_t na = 0, nb = 0, nc = 0;
	struct ctl_parse_error err = { .why = "" };

	raw_attr(a, &na, 1, 4, "", 0);		       /* empty nest */
	raw_attr(b, &nb, 1, (uint16_t)(4 + na), a, na); /* nest in a nest */
	ck_assert_int_eq(ctl_parse(a, na, &self_policy, NULL, &err), 0);
	ck_assert_int_eq(ctl_parse(b, nb, &self_policy, NULL, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.why, "deep"));
	raw_attr(c, &nc, 1, (uint16_t)(4 + nb), b, nb);
	ck_assert_int_eq(ctl_parse(c, nc, &self_policy, NULL, &err), -EINVAL);
}
END_TEST

START_TEST(test_short_header_refused)
{
	struct nlmsghdr nlh = { .nlmsg_len = 8 };
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];

	ck_assert_int_eq(ctl_parse_msg(&nlh, &ctl_policy_top, tb, NULL), -EINVAL);
}
END_TEST

/* Random octets: refused or accepted, never read past (ASan watches the heap copy). */
START_TEST(test_random_octets)
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	struct test_random r;
	uint8_t len8;
	unsigned i;
	int accepted = 0;

	test_random_init(&r, 0xc7c7);
	for (i = 0; i < 20000; i++) {
		char *buf;
		size_t len, j;

		test_random_fill(&r, &len8, 1);
		len = len8;
		buf = malloc(len ? len : 1);
		test_random_fill(&r, buf, len);
		/* Plausible lengths and types now and then, so the parser gets past the first attribute. */
		for (j = 0; j + 4 <= len; j += 8) {
			buf[j] = (char)(4 + (uint8_t)buf[j] % 12);
			buf[j + 1] = 0;
			buf[j + 2] = (char)((uint8_t)buf[j + 2] % (L2TPKD_CTL_A_MAX + 3));
			buf[j + 3] = 0;
		}
		if (ctl_parse(buf, len, &ctl_policy_top, tb, NULL) == 0)
			accepted++;
		free(buf);
	}
	ck_assert_int_gt(accepted, 0);
	ck_assert_int_lt(accepted, 20000);
}
END_TEST

START_TEST(test_writer_bounded)
{
	union {
		struct nlmsghdr nlh;
		char b[64];
	} u;
	char big[200];
	struct ctl_msg m;

	memset(u.b, 0x5a, sizeof(u.b));
	ctl_msg_init(&m, u.b, 40, L2TPKD_CTL_MSG_VERSION, 0, 1, 0);
	ctl_put_u32(&m, L2TPKD_CTL_A_PROTO_VERSION, 1); /* 16 + 8 = 24 */
	ck_assert(!m.overflow);
	ctl_put_u64(&m, L2TPKD_CTL_A_SESSIONS, 1); /* 24 + 12 = 36 */
	ck_assert(!m.overflow);
	ctl_put_u32(&m, L2TPKD_CTL_A_SESSIONS, 1); /* 44 > 40 */
	ck_assert(m.overflow);
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	ctl_put_str(&m, L2TPKD_CTL_A_STATE, big, sizeof(big));
	ck_assert_ptr_null(ctl_nest_begin(&m, L2TPKD_CTL_A_KERNEL));
	ck_assert_uint_eq(u.nlh.nlmsg_len, 36);
	ck_assert_int_eq(u.b[40], 0x5a); /* nothing written past the room given */

	ctl_msg_init(&m, u.b, 8, L2TPKD_CTL_MSG_VERSION, 0, 1, 0);
	ck_assert(m.overflow);
}
END_TEST

START_TEST(test_string_cut_to_policy)
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	char name[40];
	union msgbuf u;
	struct ctl_msg m;

	memset(name, 'i', sizeof(name));
	name[sizeof(name) - 1] = '\0';
	ctl_msg_init(&m, u.b, sizeof(u.b), L2TPKD_CTL_MSG_SESSION_GET, 0, 1, 0);
	ctl_put_str(&m, L2TPKD_CTL_A_IFNAME, name, L2TPKD_CTL_IFNAME_MAX);
	ck_assert(!m.overflow);
	ck_assert_int_eq(ctl_parse_msg(&u.nlh, &ctl_policy_top, tb, NULL), 0);
	ck_assert_uint_eq(strlen(mnl_attr_get_str(tb[L2TPKD_CTL_A_IFNAME])), L2TPKD_CTL_IFNAME_MAX - 1);
}
END_TEST

/* An NLMSG_ERROR as the daemon sends it: capped echo, then the text. */
static void make_error(union msgbuf *u, int error, const char *text, uint32_t seq)
{
	struct ctl_msg m;
	struct nlmsgerr *e;

	ctl_msg_init(&m, u->b, sizeof(u->b), NLMSG_ERROR, NLM_F_CAPPED | (text ? NLM_F_ACK_TLVS : 0), seq, 0);
	e = mnl_nlmsg_put_extra_header(m.nlh, sizeof(*e));
	e->error = error;
	e->msg.nlmsg_type = L2TPKD_CTL_MSG_TUNNEL_DEL;
	e->msg.nlmsg_seq = seq;
	if (text)
		ctl_put_str(&m, NLMSGERR_ATTR_MSG, text, 256);
}

START_TEST(test_status_messages)
{
	union msgbuf u;
	char why[128];
	int err = 1;
	struct ctl_msg m;
	int *done;

	make_error(&u, -ENOENT, "no tunnel 5", 3);
	ck_assert_int_eq(cli_status(&u.nlh, &err, why, sizeof(why)), 0);
	ck_assert_int_eq(err, -ENOENT);
	ck_assert_str_eq(why, "no tunnel 5");

	make_error(&u, -EPERM, NULL, 3); /* no text: strerror */
	ck_assert_int_eq(cli_status(&u.nlh, &err, why, sizeof(why)), 0);
	ck_assert_str_eq(why, strerror(EPERM));

	make_error(&u, 0, NULL, 3); /* the ACK */
	ck_assert_int_eq(cli_status(&u.nlh, &err, why, sizeof(why)), 0);
	ck_assert_int_eq(err, 0);

	make_error(&u, 5, NULL, 3); /* errors are never positive */
	ck_assert_int_eq(cli_status(&u.nlh, &err, why, sizeof(why)), -EBADMSG);

	make_error(&u, -EIO, NULL, 3); /* not capped, yet no request echoed */
	u.nlh.nlmsg_flags = 0;
	((struct nlmsgerr *)mnl_nlmsg_get_payload(&u.nlh))->msg.nlmsg_len = 200;
	ck_assert_int_eq(cli_status(&u.nlh, &err, why, sizeof(why)), -EBADMSG);

	u.nlh.nlmsg_len = MNL_NLMSG_HDRLEN + 4; /* shorter than struct nlmsgerr */
	ck_assert_int_eq(cli_status(&u.nlh, &err, why, sizeof(why)), -EBADMSG);

	/* NLMSG_DONE of a dump that failed: its int, then the text. */
	ctl_msg_init(&m, u.b, sizeof(u.b), NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 3, 0);
	done = mnl_nlmsg_put_extra_header(m.nlh, sizeof(*done));
	*done = -ENOMEM;
	ctl_put_str(&m, NLMSGERR_ATTR_MSG, "out of memory", 256);
	ck_assert_int_eq(cli_status(&u.nlh, &err, why, sizeof(why)), 0);
	ck_assert_int_eq(err, -ENOMEM);
	ck_assert_str_eq(why, "out of memory");
}
END_TEST

struct replies {
	unsigned n;
	uint16_t last_tunnel;
};

static int count_reply(const struct nlattr *const *tb, void *arg, char *why, size_t why_len)
{
	struct replies *r = arg;

	r->n++;
	if (tb[L2TPKD_CTL_A_TUNNEL_ID])
		r->last_tunnel = mnl_attr_get_u16(tb[L2TPKD_CTL_A_TUNNEL_ID]);
	return CLI_EXIT_OK;
}

/* A datagram of messages: a reply (tunnel tid, seq), then optionally a status. */
static size_t answer(char *buf, size_t room, uint16_t type, uint32_t seq, uint16_t tid, int status, bool with_status)
{
	union msgbuf e;
	struct ctl_msg m;
	size_t len;

	ctl_msg_init(&m, buf, room, type, 0, seq, 0);
	ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, tid);
	len = m.nlh->nlmsg_len;
	if (with_status) {
		make_error(&e, status, status ? "refused" : NULL, seq);
		memcpy(buf + len, e.b, e.nlh.nlmsg_len);
		len += e.nlh.nlmsg_len;
	}
	return len;
}

START_TEST(test_answer_feed)
{
	struct replies got = { 0 };
	struct cli_answer a = { .type = L2TPKD_CTL_MSG_TUNNEL_ADD, .seq = 4, .fn = count_reply, .arg = &got };
	union msgbuf u;
	char why[128];
	size_t len;

	/* An event (seq 0) and the reply then the ACK: one reply handed on, done. */
	len = answer(u.b, sizeof(u.b), L2TPKD_CTL_MSG_EVENT, 0, 99, 0, false);
	len += answer(u.b + len, sizeof(u.b) - len, L2TPKD_CTL_MSG_TUNNEL_ADD, 4, 12, 0, true);
	ck_assert_int_eq(cli_answer_feed(&a, u.b, len, why, sizeof(why)), CLI_EXIT_OK);
	ck_assert(a.done);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_uint_eq(got.last_tunnel, 12);

	/* Anything of ours after the end is a protocol error. */
	len = answer(u.b, sizeof(u.b), L2TPKD_CTL_MSG_TUNNEL_ADD, 4, 13, 0, false);
	ck_assert_int_eq(cli_answer_feed(&a, u.b, len, why, sizeof(why)), CLI_EXIT_PROTOCOL);

	/* Refused: exit 2 with the daemon's text; no reply handed on. */
	memset(&got, 0, sizeof(got));
	a.done = false;
	make_error(&u, -EBUSY, "refused", 4);
	ck_assert_int_eq(cli_answer_feed(&a, u.b, u.nlh.nlmsg_len, why, sizeof(why)), CLI_EXIT_REFUSED);
	ck_assert_str_eq(why, "refused");

	/* A reply of another type, a malformed reply, a cut message, an empty datagram. */
	a.done = false;
	len = answer(u.b, sizeof(u.b), L2TPKD_CTL_MSG_TUNNEL_DEL, 4, 1, 0, false);
	ck_assert_int_eq(cli_answer_feed(&a, u.b, len, why, sizeof(why)), CLI_EXIT_PROTOCOL);
	len = answer(u.b, sizeof(u.b), L2TPKD_CTL_MSG_TUNNEL_ADD, 4, 1, 0, false);
	((struct nlattr *)mnl_nlmsg_get_payload(&u.nlh))->nla_len = 8; /* a u16 of 4 octets */
	ck_assert_int_eq(cli_answer_feed(&a, u.b, len, why, sizeof(why)), CLI_EXIT_PROTOCOL);
	len = answer(u.b, sizeof(u.b), L2TPKD_CTL_MSG_TUNNEL_ADD, 4, 1, 0, false);
	ck_assert_int_eq(cli_answer_feed(&a, u.b, len - 2, why, sizeof(why)), CLI_EXIT_PROTOCOL);
	ck_assert_int_eq(cli_answer_feed(&a, u.b, 0, why, sizeof(why)), CLI_EXIT_PROTOCOL);
	ck_assert_uint_eq(got.n, 0);
}
END_TEST

/* Found by fuzz_ctl: answers that used to read past the datagram or overflow a negation. */
START_TEST(test_answer_feed_fuzz_finds)
{
	/* One header whose nlmsg_len is 0x80000010: negative as an int, so libmnl's check passed. */
	static const uint8_t huge_len[] = { 0x10, 0x00, 0x00, 0x80, 0x11, 0x00, 0x00, 0x00,
					    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct replies got = { 0 };
	struct cli_answer a = { .type = 0x11, .seq = 1, .fn = count_reply, .arg = &got };
	union msgbuf u;
	char why[128];
	int32_t int_min = INT32_MIN;

	uint8_t *exact = malloc(sizeof(huge_len)); /* so ASan sees a read past its end */

	ck_assert_ptr_nonnull(exact);
	memcpy(exact, huge_len, sizeof(huge_len));
	ck_assert_int_eq(cli_answer_feed(&a, exact, sizeof(huge_len), why, sizeof(why)), CLI_EXIT_PROTOCOL);
	ck_assert_uint_eq(got.n, 0);
	free(exact);
	/* An NLMSG_ERROR whose error is INT_MIN: no status at all, not errno 2^31. */
	a = (struct cli_answer){ .type = L2TPKD_CTL_MSG_TUNNEL_ADD, .seq = 4, .fn = count_reply, .arg = &got };
	make_error(&u, -EBUSY, NULL, 4);
	memcpy(mnl_nlmsg_get_payload(&u.nlh), &int_min, sizeof(int_min));
	ck_assert_int_eq(cli_answer_feed(&a, u.b, u.nlh.nlmsg_len, why, sizeof(why)), CLI_EXIT_PROTOCOL);
}
END_TEST

/* The writer zeroes the padding after an attribute: no stale octets leave the process. */
START_TEST(test_writer_zeroes_padding)
{
	union msgbuf u;
	struct ctl_msg m;
	const uint8_t *payload;

	memset(u.b, 0xa5, sizeof(u.b));
	ctl_msg_init(&m, u.b, sizeof(u.b), L2TPKD_CTL_MSG_TUNNEL_ADD, 0, 1, 0);
	ctl_put_str(&m, L2TPKD_CTL_A_PEER, "lns1", L2TPKD_CTL_PEER_MAX);
	ctl_put_u8(&m, L2TPKD_CTL_A_ESTABLISHED, 1);
	ck_assert(!m.overflow);
	payload = mnl_nlmsg_get_payload(&u.nlh);
	/* "lns1\0" in 5 octets after the 4-octet header, then 3 of padding; the u8, then 3. */
	ck_assert_int_eq(payload[9] | payload[10] | payload[11], 0);
	ck_assert_int_eq(payload[17] | payload[18] | payload[19], 0);
}
END_TEST

Suite *suite_ctl_proto(void)
{
	Suite *s = suite_create("ctl_proto");
	TCase *tc = tcase_create("proto");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_restart_and_recovery_wire);
	tcase_add_test(tc, test_unknown_attributes_skipped);
	tcase_add_test(tc, test_hostile_attributes);
	tcase_add_test(tc, test_nested_validated);
	tcase_add_test(tc, test_nesting_depth_bounded);
	tcase_add_test(tc, test_short_header_refused);
	tcase_add_test(tc, test_random_octets);
	tcase_add_test(tc, test_writer_bounded);
	tcase_add_test(tc, test_string_cut_to_policy);
	tcase_add_test(tc, test_status_messages);
	tcase_add_test(tc, test_answer_feed);
	tcase_add_test(tc, test_answer_feed_fuzz_finds);
	tcase_add_test(tc, test_writer_zeroes_padding);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tcase_ctl_cli());
	suite_add_tcase(s, tcase_ctl_print());
	suite_add_tcase(s, tcase_ctl_server());
	suite_add_tcase(s, tcase_ctl_server_limits());
	suite_add_tcase(s, tcase_ctl_cmds());
	return s;
}
