/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl's extended failover commands without a daemon (suite ctl_cli_failover): the grammar
 * of session add with a group, peer show, peer clear-busy, drain and lns show; their requests
 * as the daemon's policy reads them; the endpoint list, the LNS state and the request-done
 * event in text and JSON, exactly; and answers of the wrong shape refused as protocol errors.
 * The same commands against a daemon that answers with canned datagrams are in
 * check_ctl_cli_canned.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_conn.h"
#include "cli_grammar.h"
#include "cli_request.h"
#include "cli_show.h"
#include "ctl_tests.h"
#include "l2tp/wire.h"
#include "suites.h"

/* The specs of l2tpctl.c's rows for these commands (its table is not linked into the tests). */
#define CALL_ARGS                                                                       \
	(CLI_ARG(CLI_ARG_CALLING) | CLI_ARG(CLI_ARG_CALLED) | CLI_ARG(CLI_ARG_BEARER) | \
	 CLI_ARG(CLI_ARG_SPEED))
static const struct cli_args_spec session_add = {
	.allowed = CLI_ARG(CLI_ARG_PEER) | CLI_ARG(CLI_ARG_GROUP) | CLI_ARG(CLI_ARG_TUNNEL) | CALL_ARGS,
	.one_of = CLI_ARG(CLI_ARG_PEER) | CLI_ARG(CLI_ARG_GROUP),
	.needs = { [CLI_ARG_TUNNEL] = CLI_ARG(CLI_ARG_PEER) },
	.positional = -1,
};
static const struct cli_args_spec peer_show = { .allowed = CLI_ARG(CLI_ARG_GROUP), .positional = -1 };
static const struct cli_args_spec clear_busy = {
	.allowed = CLI_ARG(CLI_ARG_ADDRESS) | CLI_ARG(CLI_ARG_GROUP),
	.positional = -1,
};
static const struct cli_args_spec no_args = { .positional = -1 };
static const struct cli_args_spec session_del = {
	.allowed = CLI_ARG(CLI_ARG_TUNNEL) | CLI_ARG(CLI_ARG_SESSION),
	.required = CLI_ARG(CLI_ARG_TUNNEL) | CLI_ARG(CLI_ARG_SESSION),
	.positional = -1,
};

START_TEST(test_session_add_group_grammar)
{
	struct cli_request r;
	char why[256];

	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "group lns-pool calling 0123"), 0);
	ck_assert_str_eq(r.group, "lns-pool");
	ck_assert_str_eq(r.calling, "0123");
	ck_assert_ptr_null(r.peer);
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "g pool called 9 b a sp 64000"), 0);
	ck_assert_str_eq(r.group, "pool");
	ck_assert_uint_eq(r.bearer, L2TP_BEARER_ANALOG);
	ck_assert_uint_eq(r.tx_speed, 64000);
	/* With a peer, as before: tunnel too. */
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "peer lns1 tunnel 4"), 0);
	ck_assert_str_eq(r.peer, "lns1");
	ck_assert_ptr_null(r.group);
	ck_assert_uint_eq(r.tunnel_id, 4);
}
END_TEST

START_TEST(test_session_add_group_errors)
{
	struct cli_request r;
	char why[256], longname[300], *argv[] = { (char *)"group", longname };

	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "calling 0123"), -EINVAL);
	ck_assert_str_eq(why, "peer or group is required");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), ""), -EINVAL);
	ck_assert_str_eq(why, "peer or group is required");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "peer a group b"), -EINVAL);
	ck_assert_str_eq(why, "peer and group exclude each other");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "group b calling 1 peer a"), -EINVAL);
	ck_assert_str_eq(why, "peer and group exclude each other");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "group b tunnel 5"), -EINVAL);
	ck_assert_str_eq(why, "tunnel is only allowed with peer");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "tunnel 5"), -EINVAL);
	ck_assert_str_eq(why, "peer or group is required");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "group"), -EINVAL);
	ck_assert_str_eq(why, "group: a value is missing");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "group a group b"), -EINVAL);
	ck_assert_str_eq(why, "group given twice");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "gr a address b"), -EINVAL);
	ck_assert_str_eq(
		why,
		"unknown argument 'address' (expected tunnel, peer, calling, called, bearer, speed, group)");

	memset(longname, 'g', sizeof(longname));
	longname[L2TPKD_CTL_PEER_MAX] = '\0';
	ck_assert_int_eq(cli_parse_args(2, argv, &session_add, &r, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "group: longer than 255 characters");
	longname[L2TPKD_CTL_PEER_MAX - 1] = '\0';
	ck_assert_int_eq(cli_parse_args(2, argv, &session_add, &r, why, sizeof(why)), 0);
	longname[0] = '\0';
	ck_assert_int_eq(cli_parse_args(2, argv, &session_add, &r, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "group: empty");
}
END_TEST

/* one_of and needs with more names than two: the reason lists them all; required beside them. */
START_TEST(test_combination_rules_named)
{
	static const struct cli_args_spec three = {
		.allowed = CLI_ARG(CLI_ARG_TUNNEL) | CLI_ARG(CLI_ARG_SESSION) | CLI_ARG(CLI_ARG_PEER) |
			   CLI_ARG(CLI_ARG_SPEED),
		.one_of = CLI_ARG(CLI_ARG_TUNNEL) | CLI_ARG(CLI_ARG_SESSION) | CLI_ARG(CLI_ARG_PEER),
		.needs = { [CLI_ARG_SPEED] = CLI_ARG(CLI_ARG_TUNNEL) | CLI_ARG(CLI_ARG_SESSION) },
		.positional = -1,
	};
	struct cli_request r;
	char why[256];

	ck_assert_int_eq(cli_test_parse(&three, &r, why, sizeof(why), ""), -EINVAL);
	ck_assert_str_eq(why, "tunnel, session or peer is required");
	ck_assert_int_eq(cli_test_parse(&three, &r, why, sizeof(why), "peer p session 2 tunnel 1"), -EINVAL);
	ck_assert_str_eq(why, "tunnel and session exclude each other");
	ck_assert_int_eq(cli_test_parse(&three, &r, why, sizeof(why), "peer p speed 9"), -EINVAL);
	ck_assert_str_eq(why, "speed is only allowed with tunnel or session");
	ck_assert_int_eq(cli_test_parse(&three, &r, why, sizeof(why), "session 2 speed 9"), 0);
	/* required, as session del has it, still holds beside the new rules. */
	ck_assert_int_eq(cli_test_parse(&session_del, &r, why, sizeof(why), "tunnel 5"), -EINVAL);
	ck_assert_str_eq(why, "session is missing");
	ck_assert_int_eq(cli_test_parse(&session_del, &r, why, sizeof(why), "session 9 tunnel 5"), 0);
}
END_TEST

START_TEST(test_peer_commands_grammar)
{
	struct cli_request r;
	char why[256];

	ck_assert_int_eq(cli_test_parse(&peer_show, &r, why, sizeof(why), ""), 0);
	ck_assert_ptr_null(r.group);
	ck_assert_int_eq(cli_test_parse(&peer_show, &r, why, sizeof(why), "gr lns-pool"), 0);
	ck_assert_str_eq(r.group, "lns-pool");
	ck_assert_int_eq(cli_test_parse(&peer_show, &r, why, sizeof(why), "lns-pool"), -EINVAL);
	ck_assert_str_eq(why, "unknown argument 'lns-pool' (expected group)");
	ck_assert_int_eq(cli_test_parse(&peer_show, &r, why, sizeof(why), "address 192.0.2.1"), -EINVAL);
	ck_assert_str_eq(why, "unknown argument 'address' (expected group)");

	ck_assert_int_eq(cli_test_parse(&clear_busy, &r, why, sizeof(why), ""), 0);
	ck_assert_ptr_null(r.peer);
	ck_assert_ptr_null(r.group);
	/* address goes where the protocol wants it: the request's peer (PEER). */
	ck_assert_int_eq(cli_test_parse(&clear_busy, &r, why, sizeof(why), "address 192.0.2.10"), 0);
	ck_assert_str_eq(r.peer, "192.0.2.10");
	ck_assert_int_eq(cli_test_parse(&clear_busy, &r, why, sizeof(why), "a [2001:db8::1]:1701 g pool"), 0);
	ck_assert_str_eq(r.peer, "[2001:db8::1]:1701");
	ck_assert_str_eq(r.group, "pool");
	ck_assert_int_eq(cli_test_parse(&clear_busy, &r, why, sizeof(why), "peer lns1"), -EINVAL);
	ck_assert_str_eq(why, "unknown argument 'peer' (expected group, address)");
	ck_assert_int_eq(cli_test_parse(&clear_busy, &r, why, sizeof(why), "address"), -EINVAL);
	ck_assert_str_eq(why, "address: a value is missing");
	ck_assert_int_eq(cli_test_parse(&clear_busy, &r, why, sizeof(why), "address a address b"), -EINVAL);
	ck_assert_str_eq(why, "address given twice");

	/* drain on|off and lns show take nothing after their command. */
	ck_assert_int_eq(cli_test_parse(&no_args, &r, why, sizeof(why), "now"), -EINVAL);
	ck_assert_str_eq(why, "unexpected argument 'now'");
	ck_assert_int_eq(cli_test_parse(&no_args, &r, why, sizeof(why), "1"), -EINVAL);
}
END_TEST

/* A request encoded, checked as the daemon parses it; tb points into u. */
union req_buf {
	struct nlmsghdr nlh;
	char b[L2TPKD_CTL_REQUEST_MAX];
};

static void encode(const struct cli_request *r, union req_buf *u, const struct nlattr **tb)
{
	memset(u, 0xa5, sizeof(*u));
	ck_assert_int_gt(cli_request_encode(r, 3, u->b, sizeof(u->b)), 0);
	ck_assert_uint_eq(u->nlh.nlmsg_type, r->type);
	ck_assert_int_eq(ctl_parse_msg(&u->nlh, &ctl_policy_top, tb, NULL), 0);
	ck_assert_ptr_nonnull(tb[L2TPKD_CTL_A_PROTO_VERSION]);
}

START_TEST(test_failover_requests_encoded)
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1], *call[L2TPKD_CTL_CALL_A_MAX + 1];
	struct cli_request r = { .type = L2TPKD_CTL_MSG_SESSION_ADD, .group = "lns-pool", .calling = "0123" };
	char longname[L2TPKD_CTL_PEER_MAX + 1];
	union req_buf u;

	encode(&r, &u, tb);
	ck_assert_uint_eq(u.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ck_assert_str_eq(mnl_attr_get_str(tb[L2TPKD_CTL_A_GROUP]), "lns-pool");
	ck_assert_ptr_null(tb[L2TPKD_CTL_A_PEER]);
	ck_assert_ptr_null(tb[L2TPKD_CTL_A_TUNNEL_ID]);
	ck_assert_ptr_null(tb[L2TPKD_CTL_A_DRAIN]);
	ck_assert_int_eq(ctl_parse_nested(tb[L2TPKD_CTL_A_CALL], &ctl_policy_call, call, NULL), 0);
	ck_assert_str_eq(mnl_attr_get_str(call[L2TPKD_CTL_CALL_A_CALLING_NUMBER]), "0123");

	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_PEER_GET, .dump = true, .group = "g" };
	encode(&r, &u, tb);
	ck_assert_uint_eq(u.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	ck_assert_str_eq(mnl_attr_get_str(tb[L2TPKD_CTL_A_GROUP]), "g");

	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_PEER_CLEAR_BUSY,
				  .peer = "192.0.2.10",
				  .group = "g" };
	encode(&r, &u, tb);
	ck_assert_uint_eq(u.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ck_assert_str_eq(mnl_attr_get_str(tb[L2TPKD_CTL_A_PEER]), "192.0.2.10");
	ck_assert_str_eq(mnl_attr_get_str(tb[L2TPKD_CTL_A_GROUP]), "g");
	ck_assert_ptr_null(tb[L2TPKD_CTL_A_CALL]);

	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_DRAIN, .has_drain = true, .drain = true };
	encode(&r, &u, tb);
	ck_assert_uint_eq(mnl_attr_get_payload_len(tb[L2TPKD_CTL_A_DRAIN]), 1);
	ck_assert_uint_eq(mnl_attr_get_u8(tb[L2TPKD_CTL_A_DRAIN]), 1);
	r.drain = false;
	encode(&r, &u, tb);
	ck_assert_ptr_nonnull(tb[L2TPKD_CTL_A_DRAIN]); /* off is said, not left out */
	ck_assert_uint_eq(mnl_attr_get_u8(tb[L2TPKD_CTL_A_DRAIN]), 0);

	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_LNS_GET };
	encode(&r, &u, tb);
	ck_assert_uint_eq(u.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ck_assert_uint_eq(u.nlh.nlmsg_len, NLMSG_HDRLEN + MNL_ATTR_HDRLEN + 4); /* the version only */

	/* A group name beyond the protocol's bound is refused, not cut. */
	memset(longname, 'x', sizeof(longname));
	longname[sizeof(longname) - 1] = '\0';
	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_SESSION_ADD, .group = longname };
	ck_assert_int_eq(cli_request_encode(&r, 1, u.b, sizeof(u.b)), -EMSGSIZE);
}
END_TEST

static const uint8_t ip_busy[4] = { 192, 0, 2, 10 }, ip_idle[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

void ctl_test_endpoint_busy(struct ctl_msg *m)
{
	ctl_put_str(m, L2TPKD_CTL_A_GROUP, "lns-pool", L2TPKD_CTL_PEER_MAX);
	ctl_put_bin(m, L2TPKD_CTL_A_PEER_IP, ip_busy, sizeof(ip_busy));
	ctl_put_u16(m, L2TPKD_CTL_A_PEER_PORT, 1701);
	ctl_put_str(m, L2TPKD_CTL_A_PEER_NAME, "lns1", L2TPKD_CTL_TEXT_MAX);
	ctl_put_u8(m, L2TPKD_CTL_A_PRIORITY, 1);
	ctl_put_u16(m, L2TPKD_CTL_A_WEIGHT, 100);
	ctl_put_str(m, L2TPKD_CTL_A_STATE, "busy", L2TPKD_CTL_TEXT_MAX);
	ctl_put_u32(m, L2TPKD_CTL_A_BUSY_MS, 41001); /* 42 s, rounded up */
	ctl_put_u32(m, L2TPKD_CTL_A_TUNNELS, 2);
	ctl_put_u32(m, L2TPKD_CTL_A_TUNNELS_UP, 1);
	ctl_put_u32(m, L2TPKD_CTL_A_SESSIONS, 10);
	ctl_put_u32(m, L2TPKD_CTL_A_SESSIONS_UP, 9);
	ctl_put_u32(m, L2TPKD_CTL_A_FAILOVERS_FROM, 3);
	ctl_put_u32(m, L2TPKD_CTL_A_FAILOVERS_TO, 0);
	ctl_put_u32(m, L2TPKD_CTL_A_ATTEMPTS, 14);
}

void ctl_test_endpoint_idle(struct ctl_msg *m)
{
	ctl_put_str(m, L2TPKD_CTL_A_GROUP, "lns-pool", L2TPKD_CTL_PEER_MAX);
	ctl_put_bin(m, L2TPKD_CTL_A_PEER_IP, ip_idle, sizeof(ip_idle));
	ctl_put_u16(m, L2TPKD_CTL_A_PEER_PORT, 1701);
	ctl_put_u8(m, L2TPKD_CTL_A_PRIORITY, 2);
	ctl_put_u16(m, L2TPKD_CTL_A_WEIGHT, 50);
	ctl_put_str(m, L2TPKD_CTL_A_STATE, "no tunnel", L2TPKD_CTL_TEXT_MAX);
	ctl_put_u32(m, L2TPKD_CTL_A_BUSY_MS, 0);
	ctl_put_u32(m, L2TPKD_CTL_A_TUNNELS, 0);
	ctl_put_u32(m, L2TPKD_CTL_A_TUNNELS_UP, 0);
	ctl_put_u32(m, L2TPKD_CTL_A_SESSIONS, 0);
	ctl_put_u32(m, L2TPKD_CTL_A_SESSIONS_UP, 0);
	ctl_put_u32(m, L2TPKD_CTL_A_FAILOVERS_FROM, 0);
	ctl_put_u32(m, L2TPKD_CTL_A_FAILOVERS_TO, 1);
	ctl_put_u32(m, L2TPKD_CTL_A_ATTEMPTS, 0);
}

const char ctl_test_endpoints_text[] = "group lns-pool endpoint 192.0.2.10:1701 peer-name lns1\n"
				       "    priority 1 weight 100 state busy 42s\n"
				       "    tunnels 2 up 1 sessions 10 up 9\n"
				       "    failovers-from 3 failovers-to 0 attempts 14\n"
				       "group lns-pool endpoint [2001:db8::2]:1701\n"
				       "    priority 2 weight 50 state no tunnel\n"
				       "    tunnels 0 up 0 sessions 0 up 0\n"
				       "    failovers-from 0 failovers-to 1 attempts 0\n";

void ctl_test_lns(struct ctl_msg *m)
{
	static const uint32_t limits[] = {
		[L2TPKD_CTL_LIMITS_A_MAX_TUNNELS] = 0,
		[L2TPKD_CTL_LIMITS_A_MAX_SESSIONS] = 1000,
		[L2TPKD_CTL_LIMITS_A_MAX_SESSIONS_PER_TUNNEL] = 0,
		[L2TPKD_CTL_LIMITS_A_SESSION_RATE] = 50,
		[L2TPKD_CTL_LIMITS_A_SESSION_BURST] = 0,
		[L2TPKD_CTL_LIMITS_A_REFUSE_TUNNEL_RESULT] = 2,
		[L2TPKD_CTL_LIMITS_A_REFUSE_TUNNEL_ERROR] = 4,
		[L2TPKD_CTL_LIMITS_A_REFUSE_SESSION_RESULT] = 4,
		[L2TPKD_CTL_LIMITS_A_REFUSE_SESSION_ERROR] = 0,
	};
	struct nlattr *nest;
	uint16_t type;

	ctl_put_u8(m, L2TPKD_CTL_A_ACCEPTING, 1);
	ctl_put_u8(m, L2TPKD_CTL_A_DRAIN, 1);
	nest = ctl_nest_begin(m, L2TPKD_CTL_A_LIMITS);
	for (type = 1; type <= L2TPKD_CTL_LIMITS_A_MAX; type++)
		ctl_put_u32(m, type, limits[type]);
	ctl_nest_end(m, nest);
	nest = ctl_nest_begin(m, L2TPKD_CTL_A_ENGINE);
	for (type = 1; type <= L2TPKD_CTL_ENGINE_A_MAX; type++) {
		if (type == L2TPKD_CTL_ENGINE_A_HEAP_BYTES || type >= L2TPKD_CTL_ENGINE_A_MESSAGES_SENT)
			ctl_put_u64(m, type, 1000u * type);
		else
			ctl_put_u32(m, type, type);
	}
	ctl_nest_end(m, nest);
}

const char ctl_test_lns_text[] =
	"accepting yes drain yes\n"
	"    limits max-tunnels none max-sessions 1000 max-sessions-per-tunnel none\n"
	"    session-rate 50 session-burst none refuse-tunnel 2/4 refuse-session 4/0\n"
	"    totals tunnels 1 established 2 sessions 3 established 4 awaiting-ack 5 heap-bytes 6000\n"
	"    tunnels-refused 7 sessions-refused 8 auth-failures 9 tie-breaks-lost 10 discarded 11\n"
	"    messages-sent 12000 retransmissions 13000 zlbs-sent 14000\n";

void ctl_test_request_up(struct ctl_msg *m)
{
	static const uint8_t ip[4] = { 10, 0, 0, 3 };

	ctl_put_u8(m, L2TPKD_CTL_A_EVENT, L2TPKD_CTL_EVENT_REQUEST_DONE);
	ctl_put_u32(m, L2TPKD_CTL_A_REQUEST_ID, 7);
	ctl_put_u8(m, L2TPKD_CTL_A_ESTABLISHED, 1);
	ctl_put_u32(m, L2TPKD_CTL_A_FAILOVERS, 1);
	ctl_put_u16(m, L2TPKD_CTL_A_TUNNEL_ID, 12);
	ctl_put_u16(m, L2TPKD_CTL_A_SESSION_ID, 34);
	ctl_put_bin(m, L2TPKD_CTL_A_PEER_IP, ip, sizeof(ip));
	ctl_put_u16(m, L2TPKD_CTL_A_PEER_PORT, 1701);
}

const char ctl_test_request_up_text[] =
	"request 7 up: tunnel 12 session 34 at 10.0.0.3:1701 after 1 failover\n";

/* A message built by fill, validated as l2tpctl validates replies; tb points into u. */
union msg_buf {
	struct nlmsghdr nlh;
	char b[4096];
};

static void build(union msg_buf *u, uint16_t type, void (*fill)(struct ctl_msg *), const struct nlattr **tb)
{
	struct ctl_msg m;

	ctl_msg_init(&m, u->b, sizeof(u->b), type, NLM_F_MULTI, 1, 0);
	fill(&m);
	ck_assert(!m.overflow);
	ck_assert_int_eq(ctl_parse_msg(&u->nlh, &ctl_policy_top, tb, NULL), 0);
}

/* Output of show for each tb in turn: a list (or, with in_object, one object per tb). */
struct printed {
	char *out;
	size_t len;
	FILE *f;
	struct printer *p;
};

static void print_begin(struct printed *pr, enum pr_mode mode)
{
	pr->out = NULL;
	pr->f = open_memstream(&pr->out, &pr->len);
	ck_assert_ptr_nonnull(pr->f);
	pr->p = pr_new(pr->f, mode);
	ck_assert_ptr_nonnull(pr->p);
}

/* What was printed, to free. */
static char *print_end(struct printed *pr)
{
	pr_free(pr->p);
	fclose(pr->f);
	return pr->out;
}

typedef int (*show_fn)(struct printer *p, cli_attrs tb, char *why, size_t why_len);

/*
 * The message of type that fill builds, shown in mode (inside an object if in_object): what
 * was printed, to free. show must return want; why gets its reason.
 */
static char *show_one(uint16_t type, void (*fill)(struct ctl_msg *), show_fn show, enum pr_mode mode, bool in_object,
		      int want, char why[128])
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	struct printed pr;
	union msg_buf u;

	build(&u, type, fill, tb);
	print_begin(&pr, mode);
	if (in_object)
		pr_object_begin(pr.p, NULL, NULL);
	ck_assert_int_eq(show(pr.p, tb, why, 128), want);
	if (in_object)
		pr_object_end(pr.p);
	return print_end(&pr);
}

static void fill_busy_idle(struct printed *pr, enum pr_mode mode)
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	union msg_buf u;
	char why[128];

	print_begin(pr, mode);
	pr_list_begin(pr->p, NULL);
	build(&u, L2TPKD_CTL_MSG_PEER_GET, ctl_test_endpoint_busy, tb);
	ck_assert_int_eq(cli_show_peer(pr->p, tb, why, sizeof(why)), CLI_EXIT_OK);
	build(&u, L2TPKD_CTL_MSG_PEER_GET, ctl_test_endpoint_idle, tb);
	ck_assert_int_eq(cli_show_peer(pr->p, tb, why, sizeof(why)), CLI_EXIT_OK);
	pr_list_end(pr->p);
}

START_TEST(test_peer_show_printed)
{
	struct printed pr;
	char *out;

	fill_busy_idle(&pr, PR_TEXT);
	out = print_end(&pr);
	ck_assert_str_eq(out, ctl_test_endpoints_text);
	free(out);

	fill_busy_idle(&pr, PR_JSON);
	out = print_end(&pr);
	ck_assert_str_eq(
		out,
		"[{\"group\":\"lns-pool\",\"peer_address\":\"192.0.2.10\",\"peer_port\":1701,"
		"\"peer_name\":\"lns1\",\"priority\":1,\"weight\":100,\"state\":\"busy\",\"busy_ms\":41001,"
		"\"tunnels\":2,\"tunnels_up\":1,\"sessions\":10,\"sessions_up\":9,\"failovers_from\":3,"
		"\"failovers_to\":0,\"attempts\":14},"
		"{\"group\":\"lns-pool\",\"peer_address\":\"2001:db8::2\",\"peer_port\":1701,"
		"\"peer_name\":null,\"priority\":2,\"weight\":50,\"state\":\"no tunnel\",\"busy_ms\":0,"
		"\"tunnels\":0,\"tunnels_up\":0,\"sessions\":0,\"sessions_up\":0,\"failovers_from\":0,"
		"\"failovers_to\":1,\"attempts\":0}]\n");
	free(out);
}
END_TEST

static void busy_for(struct ctl_msg *m, uint32_t ms)
{
	ctl_put_str(m, L2TPKD_CTL_A_STATE, "busy", L2TPKD_CTL_TEXT_MAX);
	ctl_put_u32(m, L2TPKD_CTL_A_BUSY_MS, ms);
}

static void busy_1ms(struct ctl_msg *m)
{
	busy_for(m, 1);
}

static void busy_exact(struct ctl_msg *m)
{
	busy_for(m, 60000);
}

static void busy_longest(struct ctl_msg *m)
{
	busy_for(m, UINT32_MAX);
}

/* The busy time in whole seconds, never rounded down to 0; an endpoint of nothing but a state. */
START_TEST(test_busy_rounding)
{
	static void (*const fills[])(struct ctl_msg *) = { busy_1ms, busy_exact, busy_longest };
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	struct printed pr;
	union msg_buf u;
	char why[128], *out;
	size_t i;

	print_begin(&pr, PR_TEXT);
	for (i = 0; i < sizeof(fills) / sizeof(fills[0]); i++) {
		build(&u, L2TPKD_CTL_MSG_PEER_GET, fills[i], tb);
		ck_assert_int_eq(cli_show_peer(pr.p, tb, why, sizeof(why)), CLI_EXIT_OK);
	}
	out = print_end(&pr);
	ck_assert_str_eq(out, "state busy 1s\nstate busy 60s\nstate busy 4294968s\n");
	free(out);
}
END_TEST

static char *print_lns(enum pr_mode mode)
{
	char why[128];

	return show_one(L2TPKD_CTL_MSG_LNS_GET, ctl_test_lns, cli_show_lns, mode, true, CLI_EXIT_OK, why);
}

START_TEST(test_lns_show_printed)
{
	char *out = print_lns(PR_TEXT);

	ck_assert_str_eq(out, ctl_test_lns_text);
	free(out);
	out = print_lns(PR_JSON);
	ck_assert_str_eq(
		out,
		"{\"accepting\":true,\"drain\":true,"
		"\"limits\":{\"max_tunnels\":0,\"max_sessions\":1000,\"max_sessions_per_tunnel\":0,"
		"\"session_rate\":50,\"session_burst\":0,\"refuse_tunnel_result\":2,"
		"\"refuse_tunnel_error\":4,\"refuse_session_result\":4,\"refuse_session_error\":0},"
		"\"engine\":{\"tunnels\":1,\"tunnels_established\":2,\"sessions\":3,"
		"\"sessions_established\":4,\"tunnels_awaiting_ack\":5,\"heap_bytes\":6000,"
		"\"tunnels_refused\":7,\"sessions_refused\":8,\"auth_failures\":9,\"tie_breaks_lost\":10,"
		"\"datagrams_discarded\":11,\"messages_sent\":12000,\"retransmissions\":13000,"
		"\"zlbs_sent\":14000}}\n");
	free(out);
}
END_TEST

static void lns_bare(struct ctl_msg *m)
{
	ctl_put_u8(m, L2TPKD_CTL_A_DRAIN, 0);
}

/* What the daemon leaves out is null in JSON and absent from text, as in the other shows. */
START_TEST(test_lns_show_partial)
{
	char why[128], *out;

	for (int mode = PR_TEXT; mode <= PR_JSON; mode++) {
		out = show_one(L2TPKD_CTL_MSG_LNS_GET, lns_bare, cli_show_lns, mode, true, CLI_EXIT_OK, why);
		ck_assert_str_eq(
			out,
			mode == PR_TEXT
				? "drain no\n"
				: "{\"accepting\":null,\"drain\":false,\"limits\":null,\"engine\":null}\n");
		free(out);
	}
}
END_TEST

static void request_failed(struct ctl_msg *m)
{
	ctl_put_u8(m, L2TPKD_CTL_A_EVENT, L2TPKD_CTL_EVENT_REQUEST_DONE);
	ctl_put_u32(m, L2TPKD_CTL_A_REQUEST_ID, 8);
	ctl_put_u8(m, L2TPKD_CTL_A_ESTABLISHED, 0);
	ctl_put_u32(m, L2TPKD_CTL_A_FAILOVERS, 2);
	ctl_put_u16(m, L2TPKD_CTL_A_RESULT, 2);
	ctl_put_u16(m, L2TPKD_CTL_A_ERROR, 7);
	ctl_put_str(m, L2TPKD_CTL_A_MESSAGE, "draining", L2TPKD_CTL_TEXT_MAX);
}

/* No failover, no error code, a message a peer made hostile. */
static void request_failed_bare(struct ctl_msg *m)
{
	ctl_put_u8(m, L2TPKD_CTL_A_EVENT, L2TPKD_CTL_EVENT_REQUEST_DONE);
	ctl_put_u32(m, L2TPKD_CTL_A_REQUEST_ID, 4000000000u);
	ctl_put_u8(m, L2TPKD_CTL_A_ESTABLISHED, 0);
	ctl_put_u32(m, L2TPKD_CTL_A_FAILOVERS, 0);
	ctl_put_u16(m, L2TPKD_CTL_A_RESULT, 4);
	ctl_put_str(m, L2TPKD_CTL_A_MESSAGE, "full\x1b[2J", L2TPKD_CTL_TEXT_MAX);
}

/* Up on the first endpoint tried, where the daemon did not say where. */
static void request_up_bare(struct ctl_msg *m)
{
	ctl_put_u8(m, L2TPKD_CTL_A_EVENT, L2TPKD_CTL_EVENT_REQUEST_DONE);
	ctl_put_u32(m, L2TPKD_CTL_A_REQUEST_ID, 9);
	ctl_put_u8(m, L2TPKD_CTL_A_ESTABLISHED, 1);
	ctl_put_u32(m, L2TPKD_CTL_A_FAILOVERS, 0);
}

static char *print_event(enum pr_mode mode, void (*fill)(struct ctl_msg *))
{
	char why[128];

	return show_one(L2TPKD_CTL_MSG_EVENT, fill, cli_show_event, mode, false, CLI_EXIT_OK, why);
}

START_TEST(test_request_done_printed)
{
	static const struct {
		void (*fill)(struct ctl_msg *);
		const char *text, *json;
	} cases[] = {
		{ ctl_test_request_up, ctl_test_request_up_text,
		  "{\"event\":\"request-done\",\"request_id\":7,\"established\":true,\"failovers\":1,"
		  "\"tunnel_id\":12,"
		  "\"session_id\":34,\"peer_address\":\"10.0.0.3\",\"peer_port\":1701}\n" },
		{ request_failed, "request 8 failed after 2 failovers: result 2 error 7: draining\n",
		  "{\"event\":\"request-done\",\"request_id\":8,\"established\":false,\"failovers\":2,"
		  "\"result\":2,"
		  "\"error\":7,\"message\":\"draining\"}\n" },
		{ request_failed_bare, "request 4000000000 failed: result 4: full\\x1b[2J\n",
		  "{\"event\":\"request-done\",\"request_id\":4000000000,\"established\":false,\"failovers\":"
		  "0,"
		  "\"result\":4,\"message\":\"full\\u001b[2J\"}\n" },
		{ request_up_bare, "request 9 up\n",
		  "{\"event\":\"request-done\",\"request_id\":9,\"established\":true,\"failovers\":0}\n" },
	};
	size_t i;
	char *out;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = print_event(PR_TEXT, cases[i].fill);
		ck_assert_str_eq(out, cases[i].text);
		free(out);
		out = print_event(PR_JSON, cases[i].fill);
		ck_assert_str_eq(out, cases[i].json);
		free(out);
	}
}
END_TEST

static void request_id_reply(struct ctl_msg *m)
{
	ctl_put_u32(m, L2TPKD_CTL_A_REQUEST_ID, 7);
}

static void ids_reply(struct ctl_msg *m)
{
	ctl_put_u16(m, L2TPKD_CTL_A_TUNNEL_ID, 1);
	ctl_put_u16(m, L2TPKD_CTL_A_SESSION_ID, 2);
}

/* session add group: the request ID as the add output has its IDs, or a protocol error. */
START_TEST(test_request_id_printed)
{
	char why[128], *out;

	for (int mode = PR_TEXT; mode <= PR_JSON; mode++) {
		out = show_one(L2TPKD_CTL_MSG_SESSION_ADD, request_id_reply, cli_show_request, mode, true, CLI_EXIT_OK,
			       why);
		ck_assert_str_eq(out, mode == PR_TEXT ? "request 7\n" : "{\"request_id\":7}\n");
		free(out);
	}
	free(show_one(L2TPKD_CTL_MSG_SESSION_ADD, ids_reply, cli_show_request, PR_TEXT, false, CLI_EXIT_PROTOCOL, why));
	ck_assert_str_eq(why, "bad answer from l2tpkd: a group call without its request ID");
}
END_TEST

static void request_done_no_outcome(struct ctl_msg *m)
{
	ctl_put_u8(m, L2TPKD_CTL_A_EVENT, L2TPKD_CTL_EVENT_REQUEST_DONE);
	ctl_put_u32(m, L2TPKD_CTL_A_REQUEST_ID, 7);
}

static void request_done_no_id(struct ctl_msg *m)
{
	ctl_put_u8(m, L2TPKD_CTL_A_EVENT, L2TPKD_CTL_EVENT_REQUEST_DONE);
	ctl_put_u8(m, L2TPKD_CTL_A_ESTABLISHED, 1);
}

START_TEST(test_request_done_incomplete)
{
	void (*const fills[])(struct ctl_msg *) = { request_done_no_outcome, request_done_no_id };
	char why[128];

	for (size_t i = 0; i < 2; i++) {
		free(show_one(L2TPKD_CTL_MSG_EVENT, fills[i], cli_show_event, PR_JSON, false, CLI_EXIT_PROTOCOL, why));
		ck_assert_str_eq(
			why,
			"bad answer from l2tpkd: a request-done event without its request ID or outcome");
	}
}
END_TEST

/* Replies shown as cli_cmds.c shows them: a list of endpoints, or the LNS in one object. */
static int show_into(const struct nlattr *const *tb, void *arg, char *why, size_t why_len)
{
	struct printer *p = arg;

	if (tb[L2TPKD_CTL_A_GROUP])
		return cli_show_peer(p, tb, why, why_len);
	return cli_show_lns(p, tb, why, why_len);
}

/* One datagram: a reply (fill, then the attribute of the wrong size) and the end of the answer. */
static size_t answer_with(union msg_buf *u, uint16_t type, void (*fill)(struct ctl_msg *), uint16_t bad_type,
			  size_t bad_len, bool nested_in_limits)
{
	static const uint8_t octets[8] = { 1 };
	struct nlattr *nest = NULL;
	struct ctl_msg m;
	int *status;
	size_t len;

	ctl_msg_init(&m, u->b, sizeof(u->b), type, type == L2TPKD_CTL_MSG_PEER_GET ? NLM_F_MULTI : 0, 5, 0);
	fill(&m);
	if (nested_in_limits)
		nest = ctl_nest_begin(&m, L2TPKD_CTL_A_LIMITS);
	if (bad_len)
		ctl_put_bin(&m, bad_type, octets, bad_len);
	ctl_nest_end(&m, nest);
	ck_assert(!m.overflow);
	len = m.nlh->nlmsg_len;
	ctl_msg_init(&m, u->b + len, sizeof(u->b) - len, NLMSG_DONE, NLM_F_MULTI, 5, 0);
	status = mnl_nlmsg_put_extra_header(m.nlh, sizeof(*status));
	*status = 0;
	return len + m.nlh->nlmsg_len;
}

static void no_attrs(struct ctl_msg *m)
{
}

static int feed(union msg_buf *u, size_t len, uint16_t type, char *why, char **out)
{
	struct printed pr;
	struct cli_answer a = { .type = type, .seq = 5, .fn = show_into };
	int r;

	print_begin(&pr, PR_TEXT);
	a.arg = pr.p;
	pr_list_begin(pr.p, NULL);
	r = cli_answer_feed(&a, u->b, len, why, 256);
	*out = print_end(&pr);
	return r;
}

/* Attributes of the wrong type or size: exit 4 with the reason, nothing of that reply shown. */
START_TEST(test_malformed_answers)
{
	union msg_buf u;
	char why[256], *out;
	size_t len;

	/* Well-formed first, so the failures below are the bad attribute's doing. */
	len = answer_with(&u, L2TPKD_CTL_MSG_PEER_GET, ctl_test_endpoint_busy, 0, 0, false);
	ck_assert_int_eq(feed(&u, len, L2TPKD_CTL_MSG_PEER_GET, why, &out), CLI_EXIT_OK);
	ck_assert_ptr_nonnull(strstr(out, "priority 1 weight 100"));
	free(out);

	/* PRIORITY as a u16 (after the endpoint's own: a duplicate is refused too, so a fresh reply). */
	len = answer_with(&u, L2TPKD_CTL_MSG_PEER_GET, no_attrs, L2TPKD_CTL_A_PRIORITY, 2, false);
	ck_assert_int_eq(feed(&u, len, L2TPKD_CTL_MSG_PEER_GET, why, &out), CLI_EXIT_PROTOCOL);
	ck_assert_str_eq(
		why,
		"bad answer from l2tpkd: a malformed reply: attribute priority: 2 octets (a u8 needs 1)");
	ck_assert_str_eq(out, "");
	free(out);

	/* BUSY_MS as a u64, GROUP as binary without its NUL. */
	len = answer_with(&u, L2TPKD_CTL_MSG_PEER_GET, no_attrs, L2TPKD_CTL_A_BUSY_MS, 8, false);
	ck_assert_int_eq(feed(&u, len, L2TPKD_CTL_MSG_PEER_GET, why, &out), CLI_EXIT_PROTOCOL);
	ck_assert_str_eq(
		why,
		"bad answer from l2tpkd: a malformed reply: attribute busy_ms: 8 octets (a u32 needs 4)");
	free(out);
	len = answer_with(&u, L2TPKD_CTL_MSG_PEER_GET, no_attrs, L2TPKD_CTL_A_GROUP, 3, false);
	ck_assert_int_eq(feed(&u, len, L2TPKD_CTL_MSG_PEER_GET, why, &out), CLI_EXIT_PROTOCOL);
	ck_assert_str_eq(
		why,
		"bad answer from l2tpkd: a malformed reply: attribute group: not one NUL-terminated string");
	free(out);

	/* LIMITS not a nest of u32s; ACCEPTING not a u8. */
	len = answer_with(&u, L2TPKD_CTL_MSG_LNS_GET, no_attrs, L2TPKD_CTL_LIMITS_A_SESSION_RATE, 2, true);
	ck_assert_int_eq(feed(&u, len, L2TPKD_CTL_MSG_LNS_GET, why, &out), CLI_EXIT_PROTOCOL);
	ck_assert_str_eq(why, "bad answer from l2tpkd: a malformed reply: attribute session_rate: 2 octets "
			      "(a u32 needs 4)");
	free(out);
	len = answer_with(&u, L2TPKD_CTL_MSG_LNS_GET, no_attrs, L2TPKD_CTL_A_ACCEPTING, 4, false);
	ck_assert_int_eq(feed(&u, len, L2TPKD_CTL_MSG_LNS_GET, why, &out), CLI_EXIT_PROTOCOL);
	ck_assert_str_eq(
		why,
		"bad answer from l2tpkd: a malformed reply: attribute accepting: 4 octets (a u8 needs 1)");
	free(out);
}
END_TEST

Suite *suite_ctl_cli_failover(void)
{
	Suite *s = suite_create("ctl_cli_failover");
	TCase *tc = tcase_create("grammar");

	tcase_add_test(tc, test_session_add_group_grammar);
	tcase_add_test(tc, test_session_add_group_errors);
	tcase_add_test(tc, test_combination_rules_named);
	tcase_add_test(tc, test_peer_commands_grammar);
	tcase_add_test(tc, test_failover_requests_encoded);
	suite_add_tcase(s, tc);
	tc = tcase_create("print");
	tcase_add_test(tc, test_peer_show_printed);
	tcase_add_test(tc, test_busy_rounding);
	tcase_add_test(tc, test_lns_show_printed);
	tcase_add_test(tc, test_lns_show_partial);
	tcase_add_test(tc, test_request_done_printed);
	tcase_add_test(tc, test_request_id_printed);
	tcase_add_test(tc, test_request_done_incomplete);
	tcase_add_test(tc, test_malformed_answers);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tcase_ctl_cli_canned());
	return s;
}
