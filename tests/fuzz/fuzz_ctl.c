/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target over the control socket's parsing (include/l2tp/ctl.h), both ends of it.
 * Each input is read twice:
 *  - as a request datagram, the way the daemon frames and validates one before it dispatches
 *    (daemon/ctl_server.c: one whole message, NLM_F_REQUEST, a known type, every attribute
 *    and nest against the policies). Whatever validates must stay inside the datagram, match
 *    its policy, and survive parse(write(parse(x))) == parse(x) through the shared writer;
 *  - as a reply datagram to l2tpctl (daemon/cli/cli_conn.c cli_answer_feed), answering the
 *    request its first message names, shown through cli_show.c in text and in JSON. The text
 *    must hold no terminal control characters, the JSON must parse, and feeding the same
 *    messages one datagram each must give the same result and the same text.
 * No socket, no daemon: the command layer (ctl_cmds.c) needs a shell and is not reached.
 *
 * Build: ./configure --enable-fuzz CC=clang && make tests/fuzz/fuzz_ctl
 * Run:   tests/fuzz/fuzz_ctl -max_total_time=60 CORPUS_DIR tests/fuzz/corpus/ctl
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "cli_conn.h"
#include "cli_print.h"
#include "cli_show.h"
#include "ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Attribute spaces are small (ctl_proto.c asserts they fit its 128-bit map). */
#define SPACE_MAX 128
/* A re-encoding may end in padding the input's last attribute did not have. */
#define REENCODE_ROOM (L2TPKD_CTL_REQUEST_MAX + 64)

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_ctl: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static size_t kind_len(enum ctl_attr_kind kind)
{
	static const size_t lens[] = { [CTL_ATTR_U8] = 1, [CTL_ATTR_U16] = 2, [CTL_ATTR_U32] = 4, [CTL_ATTR_U64] = 8 };

	return kind < sizeof(lens) / sizeof(lens[0]) ? lens[kind] : 0;
}

/* What a successful parse promises about every attribute it returned in tb. */
static void check_attrs(const char *start, const char *end, const struct ctl_policy *policy,
			const struct nlattr *const *tb)
{
	const struct nlattr *sub[SPACE_MAX];
	struct ctl_parse_error perr = { .why = "" };
	unsigned type;

	for (type = 0; type <= policy->max; type++) {
		const struct nlattr *a = tb[type];
		const struct ctl_attr_policy *p = &policy->attrs[type];
		size_t len;

		if (!a)
			continue;
		if (p->kind == CTL_ATTR_NONE || mnl_attr_get_type(a) != type)
			die("parse", "an attribute filed under another type, or an unknown one");
		if ((const char *)a < start || a->nla_len > end - (const char *)a)
			die("parse", "an attribute outside its message");
		len = mnl_attr_get_payload_len(a);
		if (kind_len(p->kind) && len != kind_len(p->kind))
			die("parse", "an integer of the wrong size");
		if (p->kind == CTL_ATTR_STRING && (len > p->max_len || strlen(mnl_attr_get_str(a)) + 1 != len))
			die("parse", "a string that is not one terminated string within its bound");
		if (p->kind == CTL_ATTR_BINARY && (len < p->min_len || len > p->max_len))
			die("parse", "binary outside its bounds");
		if (p->kind != CTL_ATTR_NESTED)
			continue;
		if (ctl_parse_nested(a, p->nested, sub, &perr) < 0)
			die("a validated nest fails ctl_parse_nested()", perr.why);
		check_attrs(mnl_attr_get_payload(a), (const char *)a + a->nla_len, p->nested, sub);
	}
}

/* The known attributes of tb again, in type order, through the writer the daemon replies with. */
static void write_attrs(struct ctl_msg *m, const struct ctl_policy *policy, const struct nlattr *const *tb)
{
	const struct nlattr *sub[SPACE_MAX];
	unsigned type;

	for (type = 1; type <= policy->max; type++) {
		const struct nlattr *a = tb[type];
		const struct ctl_attr_policy *p = &policy->attrs[type];
		struct nlattr *nest;

		if (!a)
			continue;
		switch (p->kind) {
		case CTL_ATTR_U8:
			ctl_put_u8(m, type, mnl_attr_get_u8(a));
			break;
		case CTL_ATTR_U16:
			ctl_put_u16(m, type, mnl_attr_get_u16(a));
			break;
		case CTL_ATTR_U32:
			ctl_put_u32(m, type, mnl_attr_get_u32(a));
			break;
		case CTL_ATTR_U64:
			ctl_put_u64(m, type, mnl_attr_get_u64(a));
			break;
		case CTL_ATTR_STRING:
			ctl_put_str(m, type, mnl_attr_get_str(a), p->max_len);
			break;
		case CTL_ATTR_BINARY:
			ctl_put_bin(m, type, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
			break;
		case CTL_ATTR_NESTED:
			nest = ctl_nest_begin(m, type);
			if (ctl_parse_nested(a, p->nested, sub, NULL) < 0)
				die("re-encode", "a validated nest does not parse");
			write_attrs(m, p->nested, sub);
			ctl_nest_end(m, nest);
			break;
		case CTL_ATTR_NONE:
			break;
		}
	}
}

/* Two parses hold the same known attributes with the same contents, nests compared inside. */
static void same_attrs(const struct ctl_policy *policy, const struct nlattr *const *x, const struct nlattr *const *y)
{
	const struct nlattr *sx[SPACE_MAX], *sy[SPACE_MAX];
	unsigned type;

	for (type = 1; type <= policy->max; type++) {
		if (!x[type] != !y[type])
			die("parse(write(parse(x))) != parse(x)", "an attribute appeared or went missing");
		if (!x[type])
			continue;
		if (policy->attrs[type].kind == CTL_ATTR_NESTED) {
			if (ctl_parse_nested(x[type], policy->attrs[type].nested, sx, NULL) < 0 ||
			    ctl_parse_nested(y[type], policy->attrs[type].nested, sy, NULL) < 0)
				die("parse(write(parse(x)))", "a nest does not parse");
			same_attrs(policy->attrs[type].nested, sx, sy);
		} else if (mnl_attr_get_payload_len(x[type]) != mnl_attr_get_payload_len(y[type]) ||
			   memcmp(mnl_attr_get_payload(x[type]), mnl_attr_get_payload(y[type]),
				  mnl_attr_get_payload_len(x[type]))) {
			die("parse(write(parse(x))) != parse(x)", policy->attrs[type].name);
		}
	}
}

/* The daemon's side: framing as check_request() has it, then the policies. */
static void fuzz_request(const uint8_t *data, size_t size)
{
	static union {
		struct nlmsghdr nlh;
		char buf[REENCODE_ROOM];
	} out;
	const struct nlattr *tb[L2TPKD_CTL_A_MAX + 1], *tb2[L2TPKD_CTL_A_MAX + 1];
	const struct nlmsghdr *nlh = (const void *)data;
	struct ctl_parse_error perr = { .why = "" };
	struct ctl_msg m;
	const char *payload;
	int r;

	if (size < sizeof(*nlh) || size > L2TPKD_CTL_REQUEST_MAX || nlh->nlmsg_len != size ||
	    !(nlh->nlmsg_flags & NLM_F_REQUEST) || nlh->nlmsg_type < L2TPKD_CTL_MSG_VERSION ||
	    nlh->nlmsg_type >= __L2TPKD_CTL_MSG_END || nlh->nlmsg_type == L2TPKD_CTL_MSG_EVENT)
		return;
	payload = mnl_nlmsg_get_payload(nlh);
	r = ctl_parse_msg(nlh, &ctl_policy_top, tb, &perr);
	if (ctl_parse_msg(nlh, &ctl_policy_top, NULL, NULL) != r)
		die("request", "validating without a table disagrees with parsing");
	if (r < 0) {
		if (!perr.why[0] || !memchr(perr.why, '\0', sizeof(perr.why)))
			die("request", "a refusal without a terminated reason");
		/* ctl_server.c reports this attribute's offset to the client. */
		if (perr.attr && ((const char *)perr.attr < payload || (const char *)perr.attr >= (const char *)data + size))
			die("request", "the offending attribute is outside the request");
		return;
	}
	check_attrs(payload, (const char *)data + size, &ctl_policy_top, tb);
	ctl_msg_init(&m, out.buf, sizeof(out.buf), nlh->nlmsg_type, nlh->nlmsg_flags, nlh->nlmsg_seq, nlh->nlmsg_pid);
	write_attrs(&m, &ctl_policy_top, tb);
	if (m.overflow)
		die("re-encode", "the attributes of a request do not fit twice its size");
	if (ctl_parse_msg(&out.nlh, &ctl_policy_top, tb2, &perr) < 0)
		die("parse of the re-encoding failed", perr.why);
	same_attrs(&ctl_policy_top, tb, tb2);
}

/* What l2tpctl shows of an answer, as daemon/cli/cli_cmds.c lays it out. */
struct shown {
	struct printer *p;
	uint16_t type;
};

static int in_object(struct printer *p, cli_attrs tb, char *why, size_t why_len,
		     int (*show)(struct printer *, cli_attrs, char *, size_t))
{
	int r;

	pr_object_begin(p, NULL, NULL);
	r = show(p, tb, why, why_len);
	pr_object_end(p);
	return r;
}

static int show_version(struct printer *p, cli_attrs tb, char *why, size_t why_len)
{
	return cli_show_version(p, tb, "fuzz", why, why_len);
}

static int show_reply(const struct nlattr *const *tb, void *arg, char *why, size_t why_len)
{
	struct shown *s = arg;

	switch (s->type) {
	case L2TPKD_CTL_MSG_VERSION:
		return in_object(s->p, tb, why, why_len, show_version);
	case L2TPKD_CTL_MSG_TUNNEL_GET:
		return cli_show_tunnel(s->p, tb, why, why_len);
	case L2TPKD_CTL_MSG_SESSION_GET:
		return cli_show_session(s->p, tb, why, why_len);
	case L2TPKD_CTL_MSG_TUNNEL_ADD:
		return in_object(s->p, tb, why, why_len, cli_show_ids);
	case L2TPKD_CTL_MSG_SESSION_ADD:
		/* cli_cmds.c picks by what it asked (peer or group); here, by what came. */
		return in_object(s->p, tb, why, why_len,
				 tb[L2TPKD_CTL_A_REQUEST_ID] ? cli_show_request : cli_show_ids);
	case L2TPKD_CTL_MSG_PEER_GET:
		return cli_show_peer(s->p, tb, why, why_len);
	case L2TPKD_CTL_MSG_LNS_GET:
		return in_object(s->p, tb, why, why_len, cli_show_lns);
	case L2TPKD_CTL_MSG_STATS:
		if (tb[L2TPKD_CTL_A_ENGINE])
			return in_object(s->p, tb, why, why_len, cli_show_engine);
		if (tb[L2TPKD_CTL_A_SESSION_ID])
			return cli_show_session_stats(s->p, tb, why, why_len);
		return cli_show_tunnel_stats(s->p, tb, why, why_len);
	case L2TPKD_CTL_MSG_EVENT:
		return cli_show_event(s->p, tb, why, why_len);
	default:
		return CLI_EXIT_OK; /* a changing command: its replies are checked, not shown */
	}
}

/* One datagram in a buffer of its exact size, so that reading past it is caught. */
static int feed_dgram(struct cli_answer *a, const uint8_t *data, size_t len, char *why, size_t why_len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	if (!copy)
		die("out of memory", NULL);
	memcpy(copy, data, len);
	r = cli_answer_feed(a, copy, len, why, why_len);
	free(copy);
	if (!memchr(why, '\0', why_len))
		die("answer", "the reason is not terminated");
	if (r != CLI_EXIT_OK && r != CLI_EXIT_REFUSED && r != CLI_EXIT_PROTOCOL)
		die("answer", "an exit code cli_answer_feed() does not give");
	return r;
}

/* The length of the message at data as the reader would step over it, or all of it if none. */
static size_t message_span(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *nlh = (const void *)data;

	if (size < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > size)
		return size;
	return MNL_ALIGN(nlh->nlmsg_len) < size ? MNL_ALIGN(nlh->nlmsg_len) : size;
}

/*
 * The input as the answer to the request its first message names: one datagram, or each
 * message in a datagram of its own (split). What was printed is in *text (malloc'd).
 */
static int feed_answer(const uint8_t *data, size_t size, bool split, enum pr_mode mode, char **text, char *why,
		       size_t why_len)
{
	struct nlmsghdr first = { 0 };
	struct shown s;
	struct cli_answer a = { .fn = show_reply, .arg = &s };
	size_t text_len, off = 0, n;
	FILE *f;
	int r = CLI_EXIT_OK;

	if (size >= sizeof(first))
		memcpy(&first, data, sizeof(first));
	a.type = s.type = first.nlmsg_type;
	a.seq = first.nlmsg_seq;
	*text = NULL;
	f = open_memstream(text, &text_len);
	s.p = f ? pr_new(f, mode) : NULL;
	if (!s.p)
		die("out of memory", NULL);
	pr_list_begin(s.p, NULL);
	why[0] = '\0';
	if (!split)
		r = feed_dgram(&a, data, size, why, why_len);
	for (; split && off < size && r == CLI_EXIT_OK; off += n) {
		n = message_span(data + off, size - off);
		r = feed_dgram(&a, data + off, n, why, why_len);
	}
	pr_free(s.p);
	if (fclose(f) != 0)
		die("out of memory", NULL);
	return r;
}

/* Text output escapes what a terminal could take as a control sequence (cli_print.c). */
static void check_text(const char *text)
{
	const unsigned char *c;

	for (c = (const unsigned char *)text; *c; c++)
		if ((*c < 0x20 && *c != '\n') || *c == 0x7f || (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f))
			die("text output", "holds a control character");
}

/* One top-level list: exactly one JSON value, whatever the answer held. */
static void check_json(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	size_t len = strlen(text);
	json_object *obj;

	if (!tok)
		die("out of memory", NULL);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	if (!obj || json_tokener_get_error(tok) != json_tokener_success)
		die("JSON output does not parse", text);
	if (strspn(text + json_tokener_get_parse_end(tok), " \n") != len - json_tokener_get_parse_end(tok))
		die("JSON output holds more than one value", text);
	json_object_put(obj);
	json_tokener_free(tok);
}

static void fuzz_answer(const uint8_t *data, size_t size)
{
	char why[CLI_WHY_MAX], why_split[CLI_WHY_MAX];
	char *text, *text_split, *json;
	int r, r_split;

	r = feed_answer(data, size, false, PR_TEXT, &text, why, sizeof(why));
	check_text(text);
	if (size > 0 && size <= L2TPKD_CTL_DGRAM_MAX) {
		r_split = feed_answer(data, size, true, PR_TEXT, &text_split, why_split, sizeof(why_split));
		if (r != r_split || strcmp(why, why_split) || strcmp(text, text_split)) {
			fprintf(stderr, "whole (%d, %s):\n%s\nsplit (%d, %s):\n%s\n", r, why, text, r_split, why_split,
				text_split);
			die("answer", "one datagram and a datagram per message differ");
		}
		free(text_split);
	}
	free(text);
	if (feed_answer(data, size, false, PR_JSON, &json, why, sizeof(why)) != r)
		die("answer", "text and JSON output disagree on the result");
	check_json(json);
	free(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_request(data, size);
	fuzz_answer(data, size);
	return 0;
}
