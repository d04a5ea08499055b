/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl without a daemon: keywords by unique prefix, strict numbers and IDs, the argument
 * grammar into requests, the requests' encoding (read back with the daemon's own policy), and
 * the one print path: the same reply as text and as JSON.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "cli_grammar.h"
#include "cli_request.h"
#include "cli_show.h"
#include "ctl_tests.h"
#include "l2tp/wire.h"

static const char *const objects[] = { "tunnel", "session", "stats", NULL, "stat", "monitor" };
#define N_OBJECTS (sizeof(objects) / sizeof(objects[0]))

START_TEST(test_match_prefix)
{
	char why[128];

	ck_assert_int_eq(cli_match("tunnel", objects, N_OBJECTS, "object", why, sizeof(why)), 0);
	ck_assert_int_eq(cli_match("t", objects, N_OBJECTS, "object", why, sizeof(why)), 0);
	ck_assert_int_eq(cli_match("sess", objects, N_OBJECTS, "object", why, sizeof(why)), 1);
	ck_assert_int_eq(cli_match("m", objects, N_OBJECTS, "object", why, sizeof(why)), 5);
	/* An exact name wins over the longer names it prefixes. */
	ck_assert_int_eq(cli_match("stat", objects, N_OBJECTS, "object", why, sizeof(why)), 4);
	ck_assert_int_eq(cli_match("stats", objects, N_OBJECTS, "object", why, sizeof(why)), 2);
}
END_TEST

START_TEST(test_match_ambiguous_and_unknown)
{
	char why[128];

	ck_assert_int_eq(cli_match("s", objects, N_OBJECTS, "object", why, sizeof(why)), -ENOTUNIQ);
	ck_assert_str_eq(why, "object 's' is ambiguous: session, stats, stat");
	ck_assert_int_eq(cli_match("sta", objects, N_OBJECTS, "object", why, sizeof(why)), -ENOTUNIQ);
	ck_assert_int_eq(cli_match("tunnels", objects, N_OBJECTS, "object", why, sizeof(why)), -ENOENT);
	ck_assert_str_eq(why, "unknown object 'tunnels' (expected tunnel, session, stats, stat, monitor)");
	ck_assert_int_eq(cli_match("", objects, N_OBJECTS, "object", why, sizeof(why)), -ENOENT);
	ck_assert_int_eq(cli_match("x", objects, 0, "argument", why, sizeof(why)), -ENOENT);
	ck_assert_str_eq(why, "unexpected argument 'x'");
}
END_TEST

START_TEST(test_numbers)
{
	uint16_t id = 7;
	uint32_t v = 7;

	ck_assert_int_eq(cli_parse_id("1", &id), 0);
	ck_assert_uint_eq(id, 1);
	ck_assert_int_eq(cli_parse_id("65535", &id), 0);
	ck_assert_uint_eq(id, 65535);
	ck_assert_int_eq(cli_parse_id("0", &id), -ERANGE);
	ck_assert_int_eq(cli_parse_id("65536", &id), -ERANGE);
	ck_assert_int_eq(cli_parse_id("99999999999999999999999", &id), -ERANGE);
	ck_assert_uint_eq(id, 65535);
	ck_assert_int_eq(cli_parse_id("", &id), -EINVAL);
	ck_assert_int_eq(cli_parse_id("12a", &id), -EINVAL);
	ck_assert_int_eq(cli_parse_id("-1", &id), -EINVAL);
	ck_assert_int_eq(cli_parse_id("+1", &id), -EINVAL);
	ck_assert_int_eq(cli_parse_id(" 1", &id), -EINVAL);
	ck_assert_int_eq(cli_parse_id("0x10", &id), -EINVAL);
	ck_assert_int_eq(cli_parse_u32("4294967295", &v), 0);
	ck_assert_uint_eq(v, 4294967295u);
	ck_assert_int_eq(cli_parse_u32("4294967296", &v), -ERANGE);
}
END_TEST

/* As l2tpctl.c's row has it (session add with a group: check_ctl_cli_failover.c). */
static const struct cli_args_spec session_add = {
	.allowed = CLI_ARG(CLI_ARG_PEER) | CLI_ARG(CLI_ARG_GROUP) | CLI_ARG(CLI_ARG_TUNNEL) | CLI_ARG(CLI_ARG_CALLING) |
		   CLI_ARG(CLI_ARG_CALLED) | CLI_ARG(CLI_ARG_BEARER) | CLI_ARG(CLI_ARG_SPEED),
	.one_of = CLI_ARG(CLI_ARG_PEER) | CLI_ARG(CLI_ARG_GROUP),
	.needs = { [CLI_ARG_TUNNEL] = CLI_ARG(CLI_ARG_PEER) },
	.positional = -1,
};
static const struct cli_args_spec session_show = {
	.allowed = CLI_ARG(CLI_ARG_TUNNEL) | CLI_ARG(CLI_ARG_SESSION),
	.positional = CLI_ARG_SESSION,
};

int cli_test_parse(const struct cli_args_spec *spec, struct cli_request *r, char *why, size_t n, const char *line)
{
	static char copy[512];
	char *argv[32], *save = NULL, *w;
	int argc = 0;

	memset(r, 0, sizeof(*r));
	snprintf(copy, sizeof(copy), "%s", line);
	for (w = strtok_r(copy, " ", &save); w && argc < 32; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	return cli_parse_args(argc, argv, spec, r, why, n);
}

START_TEST(test_session_add_grammar)
{
	struct cli_request r;
	char why[160];

	/* Every keyword, most of them shortened. */
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "p lns1 tun 7 calling 5551234 calle 100 b d sp 64000"),
			 0);
	ck_assert_str_eq(r.peer, "lns1");
	ck_assert_uint_eq(r.tunnel_id, 7);
	ck_assert_str_eq(r.calling, "5551234");
	ck_assert_str_eq(r.called, "100");
	ck_assert_uint_eq(r.bearer, L2TP_BEARER_DIGITAL);
	ck_assert(r.has_tx_speed);
	ck_assert_uint_eq(r.tx_speed, 64000);

	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "peer 192.0.2.1 bearer analog"), 0);
	ck_assert_uint_eq(r.bearer, L2TP_BEARER_ANALOG);
	ck_assert(!r.has_tx_speed);
	ck_assert_uint_eq(r.tunnel_id, 0);
}
END_TEST

START_TEST(test_grammar_errors)
{
	struct cli_request r;
	char why[160], longpeer[400];

	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "tunnel 5"), -EINVAL);
	ck_assert_str_eq(why, "peer or group is required");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "peer a cal 1"), -EINVAL);
	ck_assert_str_eq(why, "argument 'cal' is ambiguous: calling, called");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "peer a peer b"), -EINVAL);
	ck_assert_str_eq(why, "peer given twice");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "peer"), -EINVAL);
	ck_assert_str_eq(why, "peer: a value is missing");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "peer a tunnel 0"), -EINVAL);
	ck_assert_str_eq(why, "tunnel '0': out of range (an ID is 1 to 65535)");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "peer a tunnel 65536"), -EINVAL);
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "peer a tunnel five"), -EINVAL);
	ck_assert_str_eq(why, "tunnel 'five': not a number (an ID is 1 to 65535)");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "peer a speed 0"), -EINVAL);
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "peer a bearer isdn"), -EINVAL);
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "peer a session 5"), -EINVAL);
	ck_assert_str_eq(why,
			 "unknown argument 'session' (expected tunnel, peer, calling, called, bearer, speed, group)");
	ck_assert_int_eq(cli_test_parse(&session_add, &r, why, sizeof(why), "peer a 5"), -EINVAL); /* no bare numbers */

	memset(longpeer, 'x', sizeof(longpeer));
	longpeer[L2TPKD_CTL_PEER_MAX] = '\0';
	{
		char *argv[] = { (char *)"peer", longpeer };

		ck_assert_int_eq(cli_parse_args(2, argv, &session_add, &r, why, sizeof(why)), -EINVAL);
		ck_assert_str_eq(why, "peer: longer than 255 characters");
	}
}
END_TEST

START_TEST(test_session_show_grammar)
{
	struct cli_request r;
	char why[160];

	ck_assert_int_eq(cli_test_parse(&session_show, &r, why, sizeof(why), ""), 0);
	ck_assert_uint_eq(r.tunnel_id, 0);
	ck_assert_uint_eq(r.session_id, 0);
	ck_assert_int_eq(cli_test_parse(&session_show, &r, why, sizeof(why), "tun 5"), 0);
	ck_assert_uint_eq(r.tunnel_id, 5);
	ck_assert_int_eq(cli_test_parse(&session_show, &r, why, sizeof(why), "t 5 9"), 0);
	ck_assert_uint_eq(r.tunnel_id, 5);
	ck_assert_uint_eq(r.session_id, 9);
	ck_assert_int_eq(cli_test_parse(&session_show, &r, why, sizeof(why), "s 9 tunnel 5"), 0);
	ck_assert_uint_eq(r.session_id, 9);
	ck_assert_int_eq(cli_test_parse(&session_show, &r, why, sizeof(why), "9 session 8"), -EINVAL);
	ck_assert_str_eq(why, "session given twice");
}
END_TEST

/* The request as the daemon will read it: its own policy, the flags it dispatches on. */
START_TEST(test_request_encoding)
{
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1], *call[L2TPKD_CTL_CALL_A_MAX + 1];
	struct cli_request r = {
		.type = L2TPKD_CTL_MSG_SESSION_ADD, .peer = "lns1", .tunnel_id = 3, .calling = "555",
		.bearer = L2TP_BEARER_ANALOG, .tx_speed = 9600, .has_tx_speed = true,
	};
	union {
		struct nlmsghdr nlh;
		char b[L2TPKD_CTL_REQUEST_MAX];
	} u;
	char longnum[L2TPKD_CTL_NUMBER_MAX + 1];
	int len;

	len = cli_request_encode(&r, 42, u.b, sizeof(u.b));
	ck_assert_int_gt(len, 0);
	ck_assert_uint_eq(u.nlh.nlmsg_len, (unsigned)len);
	ck_assert_uint_eq(u.nlh.nlmsg_type, L2TPKD_CTL_MSG_SESSION_ADD);
	ck_assert_uint_eq(u.nlh.nlmsg_seq, 42);
	ck_assert_uint_eq(u.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ck_assert_int_eq(ctl_parse_msg(&u.nlh, &ctl_policy_top, tb, NULL), 0);
	ck_assert_uint_eq(mnl_attr_get_u32(tb[L2TPKD_CTL_A_PROTO_VERSION]), L2TPKD_CTL_PROTO_VERSION);
	ck_assert_str_eq(mnl_attr_get_str(tb[L2TPKD_CTL_A_PEER]), "lns1");
	ck_assert_uint_eq(mnl_attr_get_u16(tb[L2TPKD_CTL_A_TUNNEL_ID]), 3);
	ck_assert_ptr_null(tb[L2TPKD_CTL_A_SESSION_ID]);
	ck_assert_int_eq(ctl_parse_nested(tb[L2TPKD_CTL_A_CALL], &ctl_policy_call, call, NULL), 0);
	ck_assert_str_eq(mnl_attr_get_str(call[L2TPKD_CTL_CALL_A_CALLING_NUMBER]), "555");
	ck_assert_ptr_null(call[L2TPKD_CTL_CALL_A_CALLED_NUMBER]);
	ck_assert_uint_eq(mnl_attr_get_u32(call[L2TPKD_CTL_CALL_A_BEARER_TYPE]), L2TP_BEARER_ANALOG);
	ck_assert_uint_eq(mnl_attr_get_u32(call[L2TPKD_CTL_CALL_A_TX_SPEED]), 9600);

	/* A dump; no call information, no CALL nest. */
	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_STATS, .dump = true };
	ck_assert_int_gt(cli_request_encode(&r, 1, u.b, sizeof(u.b)), 0);
	ck_assert_uint_eq(u.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	ck_assert_int_eq(ctl_parse_msg(&u.nlh, &ctl_policy_top, tb, NULL), 0);
	ck_assert_ptr_null(tb[L2TPKD_CTL_A_CALL]);

	/* restart: a bare change, acknowledged; no attribute but the protocol version. */
	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_RESTART };
	len = cli_request_encode(&r, 3, u.b, sizeof(u.b));
	ck_assert_int_eq(len, NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nlattr) + sizeof(uint32_t)));
	ck_assert_uint_eq(u.nlh.nlmsg_type, L2TPKD_CTL_MSG_RESTART);
	ck_assert_uint_eq(u.nlh.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	ck_assert_uint_eq(u.nlh.nlmsg_seq, 3);
	ck_assert_int_eq(ctl_parse_msg(&u.nlh, &ctl_policy_top, tb, NULL), 0);
	ck_assert_uint_eq(mnl_attr_get_u32(tb[L2TPKD_CTL_A_PROTO_VERSION]), L2TPKD_CTL_PROTO_VERSION);

	/* Too small a buffer, and a string beyond the protocol's bound: refused, not cut. */
	ck_assert_int_eq(cli_request_encode(&r, 1, u.b, 20), -EMSGSIZE);
	memset(longnum, '1', sizeof(longnum));
	longnum[sizeof(longnum) - 1] = '\0';
	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_SESSION_ADD, .peer = "p", .called = longnum };
	ck_assert_int_eq(cli_request_encode(&r, 1, u.b, sizeof(u.b)), -EMSGSIZE);
}
END_TEST

TCase *tcase_ctl_cli(void)
{
	TCase *tc = tcase_create("cli");

	tcase_add_test(tc, test_match_prefix);
	tcase_add_test(tc, test_match_ambiguous_and_unknown);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_session_add_grammar);
	tcase_add_test(tc, test_grammar_errors);
	tcase_add_test(tc, test_session_show_grammar);
	tcase_add_test(tc, test_request_encoding);
	return tc;
}

/*
 * A tunnel reply as ctl_show.c builds it; the peer's host name carries an escape sequence.
 * recovery: the RECOVERY value, or -1 for none (a daemon from before restarts in place).
 */
static void tunnel_reply(char *buf, size_t len, const struct nlattr **tb, int recovery)
{
	static const uint8_t local[4] = { 192, 0, 2, 2 }, peer[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct ctl_msg m;
	struct nlattr *nest;

	ctl_msg_init(&m, buf, len, L2TPKD_CTL_MSG_TUNNEL_GET, NLM_F_MULTI, 1, 0);
	ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, 5);
	ctl_put_u16(&m, L2TPKD_CTL_A_PEER_TUNNEL_ID, 7);
	ctl_put_str(&m, L2TPKD_CTL_A_STATE, "established", L2TPKD_CTL_TEXT_MAX);
	ctl_put_u8(&m, L2TPKD_CTL_A_ESTABLISHED, 1);
	ctl_put_u8(&m, L2TPKD_CTL_A_ORIGINATOR, 0);
	ctl_put_bin(&m, L2TPKD_CTL_A_LOCAL_IP, local, 4);
	ctl_put_u16(&m, L2TPKD_CTL_A_LOCAL_PORT, 1701);
	ctl_put_bin(&m, L2TPKD_CTL_A_PEER_IP, peer, 16);
	ctl_put_u16(&m, L2TPKD_CTL_A_PEER_PORT, 1702);
	ctl_put_str(&m, L2TPKD_CTL_A_PEER_HOST_NAME, "lns\x1b[2J one", L2TPKD_CTL_TEXT_MAX);
	ctl_put_u32(&m, L2TPKD_CTL_A_SESSIONS, 3);
	ctl_put_u16(&m, L2TPKD_CTL_A_NS, 12);
	ctl_put_u16(&m, L2TPKD_CTL_A_NR, 9);
	ctl_put_u16(&m, L2TPKD_CTL_A_QUEUED, 0);
	nest = ctl_nest_begin(&m, L2TPKD_CTL_A_CONTROL);
	ctl_put_u32(&m, L2TPKD_CTL_CONTROL_A_SENT, 10);
	ctl_put_u32(&m, L2TPKD_CTL_CONTROL_A_RETRANSMITTED, 4000000000u);
	ctl_nest_end(&m, nest);
	ctl_put_u8(&m, L2TPKD_CTL_A_FAILOVER, 1);
	ctl_put_u16(&m, L2TPKD_CTL_A_PEER_FAILOVER_FLAGS, 3);
	ctl_put_u32(&m, L2TPKD_CTL_A_PEER_RECOVERY_MS, 30000);
	if (recovery >= 0)
		ctl_put_u8(&m, L2TPKD_CTL_A_RECOVERY, (uint8_t)recovery);
	ck_assert(!m.overflow);
	ck_assert_int_eq(ctl_parse_msg(m.nlh, &ctl_policy_top, tb, NULL), 0);
}

/* What the printer made of one tunnel in a list, as a string to free. */
static char *print_tunnel_recovery(enum pr_mode mode, int recovery)
{
	union {
		struct nlmsghdr nlh;
		char b[2048];
	} u;
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	struct printer *p;
	char why[128], *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	tunnel_reply(u.b, sizeof(u.b), tb, recovery);
	p = pr_new(f, mode);
	pr_list_begin(p, NULL);
	ck_assert_int_eq(cli_show_tunnel(p, tb, why, sizeof(why)), CLI_EXIT_OK);
	pr_list_end(p);
	pr_free(p);
	fclose(f);
	return out;
}

static char *print_tunnel(enum pr_mode mode)
{
	return print_tunnel_recovery(mode, L2TPKD_CTL_RECOVERY_SILENT);
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key %s", key);
	return v;
}

START_TEST(test_tunnel_json)
{
	char *out = print_tunnel(PR_JSON);
	json_object *root = json_tokener_parse(out), *t, *control;

	ck_assert_ptr_nonnull(root);
	ck_assert(json_object_is_type(root, json_type_array));
	ck_assert_uint_eq(json_object_array_length(root), 1);
	t = json_object_array_get_idx(root, 0);
	ck_assert(json_object_is_type(member(t, "tunnel_id"), json_type_int));
	ck_assert_int_eq(json_object_get_int(member(t, "tunnel_id")), 5);
	ck_assert_int_eq(json_object_get_int(member(t, "peer_tunnel_id")), 7);
	ck_assert_str_eq(json_object_get_string(member(t, "state")), "established");
	ck_assert(json_object_get_boolean(member(t, "established")));
	ck_assert(!json_object_get_boolean(member(t, "originator")));
	ck_assert_str_eq(json_object_get_string(member(t, "local_address")), "192.0.2.2");
	ck_assert_int_eq(json_object_get_int(member(t, "local_port")), 1701);
	ck_assert_str_eq(json_object_get_string(member(t, "peer_address")), "2001:db8::1");
	ck_assert_int_eq(json_object_get_int(member(t, "peer_port")), 1702);
	ck_assert_str_eq(json_object_get_string(member(t, "peer_host_name")), "lns\x1b[2J one");
	ck_assert_ptr_null(member(t, "peer_vendor_name")); /* absent: null, the key stays */
	ck_assert_ptr_null(member(t, "peer_name"));
	ck_assert_int_eq(json_object_get_int(member(t, "sessions")), 3);
	ck_assert(json_object_get_boolean(member(t, "failover")));
	ck_assert_int_eq(json_object_get_int(member(t, "peer_failover_flags")), 3);
	ck_assert_int_eq(json_object_get_int(member(t, "peer_recovery_ms")), 30000);
	ck_assert_str_eq(json_object_get_string(member(t, "recovery")), "silent");
	control = member(t, "control");
	ck_assert_int_eq(json_object_get_int(member(control, "sent")), 10);
	ck_assert(json_object_get_uint64(member(control, "retransmitted")) == 4000000000u);
	ck_assert_ptr_null(member(control, "zlb_sent"));
	/* Text-only fields stay out of JSON. */
	ck_assert(!json_object_object_get_ex(t, "local", NULL));
	json_object_put(root);
	free(out);
}
END_TEST

START_TEST(test_tunnel_text)
{
	char *out = print_tunnel(PR_TEXT);

	ck_assert_str_eq(out, "tunnel 5 peer-tunnel 7 state established originator no\n"
			      "    local 192.0.2.2:1701 peer [2001:db8::1]:1702\n"
			      "    peer-host lns\\x1b[2J one sessions 3\n"
			      "    ns 12 nr 9 queued 0\n"
			      "    failover yes peer-failover C,D recovery-ms 30000 recovery silent\n"
			      "    control sent 10 retransmitted 4000000000\n");
	free(out);
}
END_TEST

/*
 * Each recovery, one a newer daemon added (shown, not refused), and none at all (an older
 * daemon): at the end of the failover line, and as a JSON string or null.
 */
START_TEST(test_tunnel_recovery_printed)
{
	static const struct {
		int value;
		const char *text, *json; /* json NULL: null */
	} cases[] = {
		{ L2TPKD_CTL_RECOVERY_NONE, " recovery none", "none" },
		{ L2TPKD_CTL_RECOVERY_RESYNCING, " recovery resyncing", "resyncing" },
		{ L2TPKD_CTL_RECOVERY_SILENT, " recovery silent", "silent" },
		{ L2TPKD_CTL_RECOVERY_PROTOCOL, " recovery protocol", "protocol" },
		{ L2TPKD_CTL_RECOVERY_PROTOCOL_PENDING, " recovery protocol-pending", "protocol-pending" },
		{ 5, " recovery unknown(5)", "unknown(5)" },
		{ 255, " recovery unknown(255)", "unknown(255)" },
		{ -1, "", NULL },
	};
	char line[128], *out;
	json_object *root, *v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = print_tunnel_recovery(PR_TEXT, cases[i].value);
		snprintf(line, sizeof(line),
			 "\n    failover yes peer-failover C,D recovery-ms 30000%s\n    control ",
			 cases[i].text);
		ck_assert_msg(strstr(out, line), "case %zu: %s", i, out);
		free(out);

		out = print_tunnel_recovery(PR_JSON, cases[i].value);
		root = json_tokener_parse(out);
		ck_assert_msg(root, "case %zu: %s", i, out);
		v = member(json_object_array_get_idx(root, 0), "recovery");
		if (cases[i].json)
			ck_assert_str_eq(json_object_get_string(v), cases[i].json);
		else
			ck_assert_ptr_null(v);
		json_object_put(root);
		free(out);
	}
}
END_TEST

START_TEST(test_pretty_json_and_nesting)
{
	struct printer *p;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	json_object *root;
	unsigned i;

	p = pr_new(f, PR_JSON_PRETTY);
	pr_object_begin(p, NULL, NULL);
	pr_list_begin(p, "tunnels");
	pr_list_end(p);
	/* Deeper than the printer goes: ignored without breaking the rest. */
	for (i = 0; i < 12; i++)
		pr_object_begin(p, "deep", "deep");
	pr_uint(p, "lost", "lost", 1);
	for (i = 0; i < 12; i++)
		pr_object_end(p);
	pr_str(p, "kept", "kept", "yes");
	pr_free(p); /* closes the open object and prints it */
	fclose(f);
	ck_assert_ptr_nonnull(strchr(out, '\n'));
	root = json_tokener_parse(out);
	ck_assert_ptr_nonnull(root);
	ck_assert_uint_eq(json_object_array_length(member(root, "tunnels")), 0);
	ck_assert_str_eq(json_object_get_string(member(root, "kept")), "yes");
	json_object_put(root);
	free(out);
}
END_TEST

START_TEST(test_event_line)
{
	union {
		struct nlmsghdr nlh;
		char b[512];
	} u;
	static const uint8_t ip[4] = { 198, 51, 100, 7 };
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1];
	struct printer *p;
	struct ctl_msg m;
	char why[64], *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ctl_msg_init(&m, u.b, sizeof(u.b), L2TPKD_CTL_MSG_EVENT, 0, 0, 0);
	ctl_put_u8(&m, L2TPKD_CTL_A_EVENT, L2TPKD_CTL_EVENT_SESSION_DOWN);
	ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, 5);
	ctl_put_u16(&m, L2TPKD_CTL_A_SESSION_ID, 9);
	ctl_put_bin(&m, L2TPKD_CTL_A_PEER_IP, ip, 4);
	ctl_put_u16(&m, L2TPKD_CTL_A_PEER_PORT, 1701);
	ctl_put_u16(&m, L2TPKD_CTL_A_RESULT, 2);
	ctl_put_u16(&m, L2TPKD_CTL_A_ERROR, 4);
	ctl_put_u8(&m, L2TPKD_CTL_A_BY_PEER, 1);
	ctl_put_str(&m, L2TPKD_CTL_A_MESSAGE, "busy", L2TPKD_CTL_TEXT_MAX);
	ck_assert_int_eq(ctl_parse_msg(&u.nlh, &ctl_policy_top, tb, NULL), 0);
	for (int mode = PR_TEXT; mode <= PR_JSON; mode++) {
		p = pr_new(f, mode);
		ck_assert_int_eq(cli_show_event(p, tb, why, sizeof(why)), CLI_EXIT_OK);
		pr_free(p);
	}
	fclose(f);
	ck_assert_str_eq(out, "session-down tunnel 5 session 9 result 2 error 4 peer 198.51.100.7:1701 by-peer yes "
			      "message busy\n"
			      "{\"event\":\"session-down\",\"tunnel_id\":5,\"session_id\":9,\"result\":2,\"error\":4,"
			      "\"peer_address\":\"198.51.100.7\",\"peer_port\":1701,\"by_peer\":true,\"message\":\"busy\"}\n");
	free(out);
}
END_TEST

TCase *tcase_ctl_print(void)
{
	TCase *tc = tcase_create("print");

	tcase_add_test(tc, test_tunnel_json);
	tcase_add_test(tc, test_tunnel_text);
	tcase_add_test(tc, test_tunnel_recovery_printed);
	tcase_add_test(tc, test_pretty_json_and_nesting);
	tcase_add_test(tc, test_event_line);
	return tc;
}
