/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hostile configuration files (daemon/conf.h): missing and special files, files past the size,
 * line, value, peer, group and error limits, NUL bytes, binary garbage, and random soups of
 * every key with good and bad values, whatever loads printing back the same.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf_int.h"
#include "conf_tests.h"
#include "suites.h"
#include "test_random.h"

START_TEST(test_missing_and_special_files)
{
	char dir[] = "/tmp/l2tpkd-conf-fifo-XXXXXX", fifo[sizeof(dir) + 8], *errors;
	struct l2tpkd_conf *c = (void *)1;
	FILE *devnull = fopen("/dev/null", "w");

	ck_assert_int_eq(load("/nonexistent/l2tpkd.conf", &c, &errors), -ENOENT);
	ck_assert_str_eq(errors, "@FILE@: No such file or directory\n");
	free(errors);
	ck_assert_int_eq(load("/tmp", &c, &errors), -EINVAL);
	ck_assert_str_eq(errors, "@FILE@: not a regular file\n");
	free(errors);
	/* A FIFO must be refused at once, not waited on. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	path_fmt(fifo, sizeof(fifo), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(load(fifo, &c, &errors), -EINVAL);
	ck_assert_str_eq(errors, "@FILE@: not a regular file\n");
	free(errors);
	unlink(fifo);
	rmdir(dir);
	/* No error stream: still refused. */
	ck_assert_int_eq(conf_load("/nonexistent/l2tpkd.conf", &c, NULL), -ENOENT);
	ck_assert_int_eq(conf_load("/tmp", &c, devnull), -EINVAL);
	ck_assert_ptr_null(c);
	conf_free(NULL);
	fclose(devnull);
}
END_TEST

/* n bytes of comment lines, each of width characters plus the newline. */
static char *comment_lines(size_t n, size_t width)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < n; i++)
		s[i] = i % (width + 1) == width ? '\n' : i % (width + 1) ? 'x' : '#';
	s[n] = '\0';
	return s;
}

START_TEST(test_file_size_limit)
{
	char *text = comment_lines(CONF_MAX_FILE_SIZE, 99), *errors;
	struct l2tpkd_conf *c;

	ck_assert_int_eq(load_text(text, CONF_MAX_FILE_SIZE, &c, &errors), 0);
	conf_free(c);
	free(errors);
	free(text);
	text = comment_lines(CONF_MAX_FILE_SIZE + 1, 99);
	ck_assert_int_eq(load_text(text, CONF_MAX_FILE_SIZE + 1, &c, &errors), -EFBIG);
	ck_assert_str_eq(errors, "@FILE@: larger than 1048576 bytes\n");
	free(errors);
	free(text);
}
END_TEST

START_TEST(test_line_and_value_limits)
{
	char *text, *errors, buf[512];
	struct l2tpkd_conf *c;

	text = comment_lines(CONF_MAX_LINE + 1, CONF_MAX_LINE);
	ck_assert_int_eq(load_text(text, strlen(text), &c, &errors), 0);
	conf_free(c);
	free(errors);
	free(text);
	text = comment_lines(2 * (CONF_MAX_LINE + 2), CONF_MAX_LINE + 1);
	ck_assert_int_eq(load_text(text, strlen(text), &c, &errors), -EINVAL);
	ck_assert_str_eq(errors, "@FILE@:1: line longer than 197 characters\n"
				 "@FILE@:2: line longer than 197 characters\n");
	free(errors);
	free(text);
	/* One line of 100000 characters: one error, not 500 pieces. */
	text = comment_lines(100000, 100000);
	ck_assert_int_eq(load_text(text, 100000, &c, &errors), -EINVAL);
	ck_assert_str_eq(errors, "@FILE@:1: line longer than 197 characters\n");
	free(errors);
	free(text);
	snprintf(buf, sizeof(buf), "[global]\nhost-name = %0*d\n", CONF_MAX_VALUE, 0);
	ck_assert_int_eq(load_text(buf, strlen(buf), &c, &errors), 0);
	ck_assert_uint_eq(strlen(c->engine.host_name), CONF_MAX_VALUE);
	conf_free(c);
	free(errors);
	snprintf(buf, sizeof(buf), "[global]\nhost-name = %0*d\n", CONF_MAX_VALUE + 1, 0);
	ck_assert_int_eq(load_text(buf, strlen(buf), &c, &errors), -EINVAL);
	ck_assert_str_eq(errors, "@FILE@:2: host-name: value longer than 160 characters\n");
	free(errors);
}
END_TEST

START_TEST(test_nul_bytes)
{
	static const char only_nul[] = "\0\0\0",
			  in_value[] = "[global]\nhost-name = a\0b\n\0\nvendor-name = v\n";
	struct l2tpkd_conf *c;
	char *errors;

	ck_assert_int_eq(load_text(only_nul, sizeof(only_nul) - 1, &c, &errors), -EINVAL);
	ck_assert_str_eq(errors, "@FILE@:1: NUL byte in the line\n");
	free(errors);
	ck_assert_int_eq(load_text(in_value, sizeof(in_value) - 1, &c, &errors), -EINVAL);
	ck_assert_str_eq(errors, "@FILE@:2: NUL byte in the line\n@FILE@:3: NUL byte in the line\n");
	free(errors);
}
END_TEST

/* Every error line names the file; at most CONF_MAX_ERRORS and a count of the rest. */
static void assert_error_lines_sane(const char *errors)
{
	int n = 0;

	for (const char *line = errors; *line; line = strchr(line, '\n') + 1, n++)
		if (strncmp(line, "@FILE@:", 7) || !strchr(line, '\n'))
			ck_abort_msg("bad error line: %s", line);
	ck_assert_int_le(n, CONF_MAX_ERRORS + 1);
}

START_TEST(test_binary_garbage)
{
	struct test_random r;
	uint8_t buf[4096];

	test_random_init(&r, 7);
	for (int i = 0; i < 50; i++) {
		struct l2tpkd_conf *c;
		char *errors;

		test_random_fill(&r, buf, sizeof(buf));
		ck_assert_int_eq(load_text((char *)buf, sizeof(buf), &c, &errors), -EINVAL);
		assert_error_lines_sane(errors);
		free(errors);
	}
}
END_TEST

START_TEST(test_error_count_limit)
{
	char text[2048] = "[global]\n", *errors;
	struct l2tpkd_conf *c;

	for (int i = 0; i < 150; i++)
		strcat(text, "junk\n");
	ck_assert_int_eq(load_text(text, strlen(text), &c, &errors), -EINVAL);
	ck_assert_int_eq(count_lines(errors), CONF_MAX_ERRORS + 1);
	ck_assert_ptr_nonnull(strstr(errors, "@FILE@:2: expected \"key = value\" or \"[section]\"\n"));
	ck_assert_ptr_nonnull(strstr(errors, "@FILE@:101: expected"));
	ck_assert_ptr_null(strstr(errors, "@FILE@:102:"));
	ck_assert_ptr_nonnull(strstr(errors, "\n@FILE@: 50 more errors not shown\n"));
	assert_error_lines_sane(errors);
	free(errors);
}
END_TEST

/* Lines drawn from every key, with good and bad values: what loads must print back the same. */
static const char *const soup_values[] = {
	"yes",
	"no",
	"0",
	"1",
	"5",
	"256",
	"8s",
	"1500ms",
	"60",
	"99999999999",
	"2/4",
	"2/7",
	"4",
	"info",
	"debug",
	"/etc/x",
	"pppol2tp.so",
	"192.0.2.1",
	"[2001:db8::1]:1702",
	"*:1701",
	"192.0.2.0/24",
	"2001:db8::/32, 10.0.0.0/8",
	"a b c",
	"x",
	"",
	"10.1.1.1:0",
	"s3cret",
	"1h",
	"silent-failover",
	"failover-protocol-fall-back-to-silent-failover",
	"3600s",
};

/* A value the key takes: its default as printed, or one for the keys printed as comments. */
static void good_value(const char *canonical, enum conf_section s, const char *key, char *buf, size_t n)
{
	static const char *const headers[] = {
		[CONF_SEC_GLOBAL] = "[global]\n",
		[CONF_SEC_LNS] = "[lns]\n",
		[CONF_SEC_PEER] = "[peer x]\n",
		[CONF_SEC_GROUP] = "[group x]\n",
	};
	static const char *const fallback[][2] = {
		{ "secret", "s3cret" },	      { "accept-from", "192.0.2.0/24, 2001:db8::/32" },
		{ "local", "192.0.2.9" },     { "pppd-options", "/etc/l2tpkd/x.options" },
		{ "pppd-extra", "user bob" }, { "failover-resync", "silent-failover" },
	};
	const char *body = strstr(canonical, headers[s]), *line;
	char want[64];

	snprintf(want, sizeof(want), "\n%s = ", key);
	line = strstr(body, want);
	if (line && (s == CONF_SEC_PEER || !strstr(body + 1, "\n[") || line < strstr(body + 1, "\n["))) {
		line += strlen(want);
		snprintf(buf, n, "%.*s", (int)strcspn(line, "\n"), line);
		return;
	}
	for (size_t i = 0; i < sizeof(fallback) / sizeof(fallback[0]); i++)
		if (!strcmp(fallback[i][0], key))
			snprintf(buf, n, "%s", fallback[i][1]);
}

struct soup {
	struct test_random r;
	const char *canonical;
	enum conf_section section;
	unsigned peers;
};

/* An lns value: a [peer] of the soup (perhaps not there) or an address, with options. */
static void lns_value(struct soup *g, char *buf, size_t n)
{
	static const char *const endpoints[] = {
		"p1",
		"p2",
		"p5",
		"198.51.100.1",
		"203.0.113.1",
		"192.0.2.7",
		"2001:db8::9",
		"203.0.113.1:1702",
		"[2001:db8::1]:99",
	};
	static const char *const options[] = {
		"",
		" priority 0",
		" priority 7",
		" weight 1000",
		" secret s3cret",
		" secret other",
		" weight 2 priority 255",
	};

	snprintf(buf, n, "%s%s",
		 endpoints[test_random_u64(&g->r) % (sizeof(endpoints) / sizeof(endpoints[0]))],
		 options[test_random_u64(&g->r) % (sizeof(options) / sizeof(options[0]))]);
}

static void soup_line(struct soup *g, char *text, size_t size)
{
	size_t len = strlen(text);
	unsigned pick = (unsigned)(test_random_u64(&g->r) % 16), n;
	const struct conf_key *keys, *k;
	char value[200] = "";

	if (pick < 4 || g->section == CONF_SEC_NONE) {
		g->section = (enum conf_section)(CONF_SEC_GLOBAL + pick % 4);
		if (g->section == CONF_SEC_PEER) {
			g->peers++;
			snprintf(text + len, size - len, "[peer p%u]\naddress = 198.51.100.%u\n",
				 g->peers % 6, g->peers % 5);
		} else if (g->section == CONF_SEC_GROUP) {
			lns_value(g, value, sizeof(value));
			snprintf(text + len, size - len, "[group g%u]\nlns = %s\n", pick % 3, value);
		} else {
			snprintf(text + len, size - len, "[%s]\n",
				 g->section == CONF_SEC_LNS ? "lns" : "global");
		}
		return;
	}
	keys = conf_keys(g->section, &n);
	k = &keys[test_random_u64(&g->r) % n];
	if (test_random_chance(&g->r, 0.7) && !strcmp(k->name, "lns"))
		lns_value(g, value, sizeof(value));
	else if (test_random_chance(&g->r, 0.7))
		good_value(g->canonical, g->section, k->name, value, sizeof(value));
	else
		snprintf(
			value, sizeof(value), "%s",
			soup_values[test_random_u64(&g->r) % (sizeof(soup_values) / sizeof(soup_values[0]))]);
	snprintf(text + len, size - len, "%s = %s\n", k->name, value);
}

START_TEST(test_random_configurations)
{
	static const char base[] = "[peer x]\naddress = 192.0.2.1\n[group x]\nlns = x\n";
	struct l2tpkd_conf *c;
	struct soup g = { 0 };
	int loaded = 0, with_groups = 0;
	char *errors;

	ck_assert_int_eq(load_text(base, strlen(base), &c, &errors), 0);
	g.canonical = print(c);
	conf_free(c);
	free(errors);
	test_random_init(&g.r, 11);
	for (int i = 0; i < 400; i++) {
		char text[8192] = "";
		unsigned lines = 1 + (unsigned)(test_random_u64(&g.r) % 16);

		g.section = CONF_SEC_NONE;
		for (unsigned j = 0; j < lines; j++)
			soup_line(&g, text, sizeof(text));
		if (load_text(text, strlen(text), &c, &errors) == 0) {
			assert_round_trip(c, text);
			with_groups += c->n_groups > 0;
			conf_free(c);
			loaded++;
		} else {
			assert_error_lines_sane(errors);
		}
		free(errors);
	}
	/* Both outcomes are exercised. */
	ck_assert_int_ge(loaded, 40);
	ck_assert_int_le(loaded, 360);
	ck_assert_int_ge(with_groups, 10);
	free((char *)g.canonical);
}
END_TEST

static char *peers_text(unsigned n, size_t *len)
{
	size_t cap = 64 * (size_t)n + 64, used = 0;
	char *s = malloc(cap);

	ck_assert_ptr_nonnull(s);
	used += (size_t)snprintf(s, cap, "[global]\nsecret = global-secret\n");
	for (unsigned i = 0; i < n; i++)
		used += (size_t)snprintf(s + used, cap - used, "[peer p%u]\naddress = 10.%u.%u.%u\n%s", i,
					 i >> 16, (i >> 8) & 255, i & 255, i % 2 ? "secret = own\n" : "");
	*len = used;
	return s;
}

START_TEST(test_ten_thousand_peers)
{
	size_t len;
	char *text = peers_text(10000, &len), *errors, line[64];
	struct l2tpkd_conf *c;
	const struct conf_peer *p;

	ck_assert_int_eq(load_text(text, len, &c, &errors), 0);
	ck_assert_uint_eq(c->n_peers, 10000);
	ck_assert_ptr_eq(c->engine.peers, c->engine_peers);
	ck_assert_uint_eq(c->engine.n_peers, 10000);
	ck_assert_str_eq(c->engine_peers[0].secret, "global-secret");
	ck_assert_str_eq(c->engine_peers[9999].secret, "own");
	ck_assert_ptr_null(c->peers[0].secret);
	p = conf_peer_find(c, "p9999");
	ck_assert(p && p == &c->peers[9999]);
	p = conf_peer_find(c, "10.0.39.15:1701");
	ck_assert(p && !strcmp(p->name, "p9999"));
	ck_assert_ptr_null(conf_peer_find(c, "10.0.39.15:1702"));
	ck_assert_ptr_null(conf_peer_find(c, "10.0.39.16"));
	conf_free(c);
	free(errors);
	/* One name repeated at the end: one error, against the first. */
	text = realloc(text, len + 64);
	snprintf(line, sizeof(line), "[peer p17]\naddress = 192.0.2.1\n");
	strcpy(text + len, line);
	ck_assert_int_eq(load_text(text, strlen(text), &c, &errors), -EINVAL);
	/* [global] is 2 lines, then 2 per even peer and 3 per odd one: p17 is on line 3 + 34 + 8. */
	ck_assert_str_eq(errors, "@FILE@:25003: [peer p17]: name already used on line 45\n");
	free(errors);
	free(text);
}
END_TEST

START_TEST(test_peer_count_limit)
{
	size_t len;
	char *text = peers_text(CONF_MAX_PEERS + 1, &len), *errors, expected[128];
	struct l2tpkd_conf *c;

	ck_assert_int_eq(load_text(text, len, &c, &errors), -EINVAL);
	/* Two lines of [global], then two or three per peer; the last peer is even. */
	snprintf(expected, sizeof(expected), "@FILE@:%d: [peer p%d]: more than %d peers\n",
		 3 + 2 * CONF_MAX_PEERS + CONF_MAX_PEERS / 2, CONF_MAX_PEERS, CONF_MAX_PEERS);
	ck_assert_str_eq(errors, expected);
	free(errors);
	free(text);
}
END_TEST

/* n [group]s of that many lns lines each: addresses, or names of n_peers [peer]s declared after. */
static char *groups_text(unsigned n, unsigned endpoints, unsigned n_peers)
{
	size_t cap = (64 + 32 * (size_t)endpoints) * n + 48 * (size_t)n_peers + 64, used = 0;
	char *s = malloc(cap);

	ck_assert_ptr_nonnull(s);
	s[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		used += (size_t)snprintf(s + used, cap - used, "[group g%u]\n", i);
		for (unsigned j = 0; j < endpoints; j++) {
			unsigned k = i * endpoints + j;

			if (n_peers)
				used += (size_t)snprintf(s + used, cap - used, "lns = p%u weight %u\n",
							 k % n_peers, 1 + j);
			else
				used += (size_t)snprintf(s + used, cap - used,
							 "lns = 10.%u.%u.1 priority %u\n", i, j, j % 3);
		}
	}
	for (unsigned i = 0; i < n_peers; i++)
		used += (size_t)snprintf(s + used, cap - used, "[peer p%u]\naddress = 10.%u.%u.%u\n", i,
					 100 + (i >> 16), (i >> 8) & 255, i & 255);
	ck_assert_uint_lt(used, cap);
	return s;
}

START_TEST(test_group_limits)
{
	char *text, *errors, expected[128];
	struct l2tpkd_conf *c;

	text = groups_text(CONF_MAX_GROUPS, 1, 0);
	ck_assert_int_eq(load_text(text, strlen(text), &c, &errors), 0);
	ck_assert_uint_eq(c->n_groups, CONF_MAX_GROUPS);
	ck_assert_ptr_eq(conf_group_find(c, "g255"), &c->engine.groups[255]);
	ck_assert_str_eq(c->groups[255].name, "g255");
	conf_free(c);
	free(errors);
	free(text);
	text = groups_text(CONF_MAX_GROUPS + 1, 1, 0);
	ck_assert_int_eq(load_text(text, strlen(text), &c, &errors), -EINVAL);
	snprintf(expected, sizeof(expected), "@FILE@:%d: [group g%d]: more than %d groups\n",
		 2 * CONF_MAX_GROUPS + 1, CONF_MAX_GROUPS, CONF_MAX_GROUPS);
	ck_assert_str_eq(errors, expected);
	free(errors);
	free(text);

	text = groups_text(2, ENGINE_GROUP_MAX_ENDPOINTS, 0);
	ck_assert_int_eq(load_text(text, strlen(text), &c, &errors), 0);
	ck_assert_uint_eq(c->engine.groups[1].n_endpoints, ENGINE_GROUP_MAX_ENDPOINTS);
	ck_assert_uint_eq(c->engine.groups[1].endpoints[63].priority, 0);
	ck_assert_uint_eq(c->engine.groups[1].endpoints[63].addr.addr[2], 63);
	assert_round_trip(c, "64 endpoints");
	conf_free(c);
	free(errors);
	free(text);
	text = groups_text(1, ENGINE_GROUP_MAX_ENDPOINTS + 2, 0);
	ck_assert_int_eq(load_text(text, strlen(text), &c, &errors), -EINVAL);
	ck_assert_str_eq(errors, "@FILE@:66: lns: more than 64 endpoints in a group\n"
				 "@FILE@:67: lns: more than 64 endpoints in a group\n");
	free(errors);
	free(text);
}
END_TEST

/* The longest lns lines there are print canonical lines that still fit in a value. */
START_TEST(test_group_longest_line)
{
	static const char *const lines[] = {
		/* Written short, printed long: brackets, port, priority and weight added. */
		"fe80:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		/* The longest canonical line: 160 characters. */
		"[fe80:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535 priority 255 weight 1000",
	};
	char text[512], value[256], secret[128], *errors, *out;
	struct l2tpkd_conf *c;

	memset(secret, 'k', 80);
	secret[80] = '\0';
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(value, sizeof(value), "%s secret %s", lines[i], secret);
		snprintf(text, sizeof(text), "[group g]\nlns = %s\n", value);
		if (load_text(text, strlen(text), &c, &errors) < 0)
			ck_abort_msg("%s", errors);
		out = print(c);
		ck_assert_ptr_nonnull(strstr(out, "\nlns = [fe80:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:"));
		assert_round_trip(c, text);
		free(out);
		free(errors);
		conf_free(c);
	}
	ck_assert_uint_eq(strlen(value), CONF_MAX_VALUE);
	snprintf(text, sizeof(text), "[group g]\nlns = ::1 secret %sk\n", secret);
	ck_assert_int_eq(load_text(text, strlen(text), &c, &errors), -EINVAL);
	ck_assert_str_eq(errors, "@FILE@:2: lns: secret: longer than 80 characters\n");
	free(errors);
}
END_TEST

/* Thousands of endpoints that name thousands of [peer]s declared after them load at once. */
START_TEST(test_group_many_peer_names)
{
	char *text = groups_text(CONF_MAX_GROUPS, ENGINE_GROUP_MAX_ENDPOINTS, 10000), *errors,
	     s[L2TP_ADDR_STRLEN];
	struct l2tpkd_conf *c;
	const struct engine_group *g;

	ck_assert_int_eq(load_text(text, strlen(text), &c, &errors), 0);
	g = conf_group_find(c, "g200");
	ck_assert_ptr_nonnull(g);
	/* Endpoint 200 * 64 + 5 names p(12805 % 10000): p2805, at 10.100.10.245. */
	ck_assert_str_eq(l2tp_addr_str(&g->endpoints[5].addr, s), "10.100.10.245:1701");
	ck_assert_str_eq(c->groups[200].lns[5].peer, "p2805");
	ck_assert_uint_eq(g->endpoints[5].weight, 6);
	ck_assert_uint_eq(c->engine.n_peers, 10000);
	conf_free(c);
	free(errors);
	free(text);
}
END_TEST

TCase *tcase_conf_hostile(void)
{
	TCase *hostile = tcase_create("hostile");

	tcase_add_test(hostile, test_missing_and_special_files);
	tcase_add_test(hostile, test_file_size_limit);
	tcase_add_test(hostile, test_line_and_value_limits);
	tcase_add_test(hostile, test_nul_bytes);
	tcase_add_test(hostile, test_binary_garbage);
	tcase_add_test(hostile, test_error_count_limit);
	tcase_add_test(hostile, test_random_configurations);
	tcase_add_test(hostile, test_ten_thousand_peers);
	tcase_add_test(hostile, test_peer_count_limit);
	tcase_add_test(hostile, test_group_limits);
	tcase_add_test(hostile, test_group_longest_line);
	tcase_add_test(hostile, test_group_many_peer_names);
	tcase_set_timeout(hostile, 60);
	return hostile;
}
