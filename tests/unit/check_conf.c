/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration file (daemon/conf.h). Golden files in tests/conf: good configurations with
 * their canonical form (good/NAME.conf, NAME.out) and bad ones with their exact error lines
 * (bad/NAME.conf, NAME.err; "@FILE@" stands for the path, "@HOSTNAME@" for gethostname()).
 * Every loaded configuration is printed, loaded again and compared field by field. Then hostile
 * files (long lines, NUL bytes, garbage, too many peers, not a file), the look-ups, the engine
 * configuration a file gives, the example file and the man page's examples and keys.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf_int.h"
#include "suites.h"
#include "test_random.h"

/* tests/conf: from the test environment, else next to this file. */
static const char *conf_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("L2TP_TEST_CONF");
	const char *slash = strrchr(__FILE__, '/');

	if (env && *env)
		return env;
	snprintf(dir, sizeof(dir), "%.*s/../conf", slash ? (int)(slash - __FILE__) : 1,
		 slash ? __FILE__ : ".");
	return dir;
}

/* snprintf() for paths, which must fit. */
static void path_fmt(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void path_fmt(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	ck_assert(r >= 0 && (size_t)r < n);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		ck_abort_msg("%s: %s", path, strerror(errno));
	do {
		if (n + 4096 + 1 > cap) {
			cap = 2 * cap + 4096 + 1;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static char *replace_all(const char *s, const char *from, const char *to)
{
	size_t nf = strlen(from), nt = strlen(to), n = 0;
	char *out, *o;

	for (const char *p = s; (p = strstr(p, from)); p += nf)
		n++;
	out = o = malloc(strlen(s) + n * nt + 1);
	ck_assert_ptr_nonnull(out);
	for (const char *p; (p = strstr(s, from)); s = p + nf) {
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		memcpy(o, to, nt);
		o += nt;
	}
	strcpy(o, s);
	return out;
}

/* conf_load() with its error text, in which the path is "@FILE@". */
static int load(const char *path, struct l2tpkd_conf **c, char **errors)
{
	char *text = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&text, &len);
	int r;

	ck_assert_ptr_nonnull(err);
	r = conf_load(path, c, err);
	fclose(err);
	*errors = replace_all(text, path, "@FILE@");
	free(text);
	ck_assert(r < 0 ? *c == NULL && **errors : *c != NULL && !**errors);
	return r;
}

/* The same for text written to a temporary file. */
static int load_text(const char *text, size_t len, struct l2tpkd_conf **c, char **errors)
{
	char path[] = "/tmp/l2tpkd-conf-XXXXXX";
	int fd = mkstemp(path), r;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	r = load(path, c, errors);
	unlink(path);
	return r;
}

static char *print(const struct l2tpkd_conf *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	conf_print(c, f);
	fclose(f);
	return text;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool words_same(const char *const *a, const char *const *b)
{
	for (; *a && *b; a++, b++)
		if (strcmp(*a, *b))
			return false;
	return !*a && !*b;
}

static void assert_peers_same(const struct l2tpkd_conf *a, const struct l2tpkd_conf *b)
{
	ck_assert_uint_eq(a->n_peers, b->n_peers);
	ck_assert_uint_eq(a->engine.n_peers, b->engine.n_peers);
	for (unsigned i = 0; i < a->n_peers; i++) {
		const struct conf_peer *x = &a->peers[i], *y = &b->peers[i];

		ck_assert_str_eq(x->name, y->name);
		ck_assert(l2tp_addr_equal(&x->addr, &y->addr));
		ck_assert(x->has_local == y->has_local &&
			  (!x->has_local || l2tp_addr_equal(&x->local, &y->local)));
		ck_assert(str_same(x->secret, y->secret) && x->hide_avps == y->hide_avps);
		ck_assert(str_same(x->pppd.options_file, y->pppd.options_file));
		ck_assert(words_same(x->pppd.extra, y->pppd.extra));
		ck_assert(l2tp_addr_equal(&a->engine_peers[i].addr, &b->engine_peers[i].addr));
		ck_assert(str_same(a->engine_peers[i].secret, b->engine_peers[i].secret));
		ck_assert(a->engine_peers[i].hide_avps == b->engine_peers[i].hide_avps);
	}
}

/* Every setting, compared as values (not as text). */
static void assert_same(const struct l2tpkd_conf *a, const struct l2tpkd_conf *b)
{
	const struct engine_config *x = &a->engine, *y = &b->engine;

	ck_assert(str_same(x->host_name, y->host_name) && str_same(x->vendor_name, y->vendor_name));
	ck_assert(str_same(x->secret, y->secret) && x->hide_avps == y->hide_avps);
	ck_assert(!memcmp(&x->xport, &y->xport, sizeof(x->xport)));
	ck_assert(!memcmp(&x->limits, &y->limits, sizeof(x->limits)));
	ck_assert(!memcmp(&x->refuse_tunnel, &y->refuse_tunnel, sizeof(x->refuse_tunnel)));
	ck_assert(!memcmp(&x->refuse_session, &y->refuse_session, sizeof(x->refuse_session)));
	ck_assert(x->hello_ms == y->hello_ms && x->id_quarantine_ms == y->id_quarantine_ms);
	ck_assert(x->recv_timeout_ms == y->recv_timeout_ms && x->log_level == y->log_level);
	ck_assert(x->accept_tunnels == y->accept_tunnels &&
		  x->accept_outgoing_calls == y->accept_outgoing_calls);
	ck_assert(x->send_tie_breaker == y->send_tie_breaker && x->lns_send_seq == y->lns_send_seq);
	ck_assert(x->framing_caps == y->framing_caps && x->bearer_caps == y->bearer_caps);
	ck_assert(!x->random && !y->random);
	ck_assert_uint_eq(a->n_listen, b->n_listen);
	for (unsigned i = 0; i < a->n_listen; i++)
		ck_assert(l2tp_addr_equal(&a->listen[i], &b->listen[i]));
	ck_assert(str_same(a->pppd_path, b->pppd_path) && str_same(a->pppd_plugin, b->pppd_plugin));
	ck_assert(a->lns_enabled == b->lns_enabled);
	ck_assert_uint_eq(a->n_accept_from, b->n_accept_from);
	for (unsigned i = 0; i < a->n_accept_from; i++)
		ck_assert(a->accept_from[i].len == b->accept_from[i].len &&
			  l2tp_addr_same_host(&a->accept_from[i].addr, &b->accept_from[i].addr));
	ck_assert(str_same(a->lns_pppd.options_file, b->lns_pppd.options_file));
	ck_assert(words_same(a->lns_pppd.extra, b->lns_pppd.extra));
	assert_peers_same(a, b);
}

/* The canonical form loads to the same settings and prints the same again. */
static void assert_round_trip(const struct l2tpkd_conf *c, const char *what)
{
	char *first = print(c), *again, *errors;
	struct l2tpkd_conf *back;

	if (load_text(first, strlen(first), &back, &errors) < 0)
		ck_abort_msg("%s: the canonical form does not load:\n%s\n%s", what, errors, first);
	assert_same(c, back);
	again = print(back);
	if (strcmp(first, again))
		ck_abort_msg("%s: printed twice differently:\n%s\n----\n%s", what, first, again);
	free(first);
	free(again);
	free(errors);
	conf_free(back);
}

static const char *host_name(void)
{
	static char h[HOST_NAME_MAX + 1];

	if (gethostname(h, sizeof(h)) < 0 || !*h || h[strcspn(h, " \t#;")])
		return "l2tpkd";
	return h;
}

/* Calls fn for each tests/conf/SUB/ *.conf, in name order; returns how many. */
static int each_conf(const char *sub, void (*fn)(const char *path, const char *stem))
{
	struct dirent **names;
	char path[PATH_MAX], stem[PATH_MAX];
	int n, count = 0;

	path_fmt(path, sizeof(path), "%s/%s", conf_dir(), sub);
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		ck_abort_msg("%s: %s", path, strerror(errno));
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);

		if (len > 5 && !strcmp(names[i]->d_name + len - 5, ".conf")) {
			path_fmt(path, sizeof(path), "%s/%s/%s", conf_dir(), sub, names[i]->d_name);
			path_fmt(stem, sizeof(stem), "%s/%s/%.*s", conf_dir(), sub, (int)len - 5,
				 names[i]->d_name);
			fn(path, stem);
			count++;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

static void check_good(const char *path, const char *stem)
{
	char out_path[PATH_MAX], *expected_raw, *expected, *text, *errors;
	struct l2tpkd_conf *c;

	path_fmt(out_path, sizeof(out_path), "%s.out", stem);
	expected_raw = slurp(out_path, NULL);
	expected = replace_all(expected_raw, "@HOSTNAME@", host_name());
	if (load(path, &c, &errors) < 0)
		ck_abort_msg("%s does not load:\n%s", path, errors);
	text = print(c);
	if (strcmp(text, expected))
		ck_abort_msg("%s: canonical form differs from %s:\n%s", path, out_path, text);
	assert_round_trip(c, path);
	free(expected_raw);
	free(expected);
	free(text);
	free(errors);
	conf_free(c);
}

START_TEST(test_good_files)
{
	ck_assert_int_ge(each_conf("good", check_good), 6);
}
END_TEST

static void check_bad(const char *path, const char *stem)
{
	char err_path[PATH_MAX], *expected, *errors, *source;
	struct l2tpkd_conf *c;

	path_fmt(err_path, sizeof(err_path), "%s.err", stem);
	expected = slurp(err_path, NULL);
	ck_assert_int_ge(count_lines(expected), 2);
	ck_assert_int_eq(load(path, &c, &errors), -EINVAL);
	if (strcmp(errors, expected))
		ck_abort_msg("%s: errors differ from %s:\n%s", path, err_path, errors);
	source = slurp(path, NULL);
	ck_assert(!strstr(source, "TOPSECRET") || !strstr(errors, "TOPSECRET"));
	free(source);
	free(expected);
	free(errors);
}

START_TEST(test_bad_files)
{
	ck_assert_int_ge(each_conf("bad", check_bad), 6);
}
END_TEST

START_TEST(test_secrets_stay_out_of_errors)
{
	char text[4096], *errors, words[100] = "";
	struct l2tpkd_conf *c;

	for (int i = 0; i < 40; i++)
		strcat(words, " w");
	/* A repeated secret, a secret in the wrong section, too many pppd words (a password among
	   them), a secret too long, a secret in a bad section, an empty pppd-extra. */
	snprintf(text, sizeof(text),
		 "[global]\nsecret = TOPSECRET-a\nsecret = TOPSECRET-b\n"
		 "[lns]\nsecret = TOPSECRET-c\npppd-extra =%s\npppd-extra = password TOPSECRET-d%s\n"
		 "[peer x]\naddress = 192.0.2.1\nsecret = TOPSECRET-e%0150d\n"
		 "[bogus]\nsecret = TOPSECRET-f\n"
		 "[peer y]\naddress = 192.0.2.2\npppd-extra = TOPSECRET-g\npppd-extra =\n",
		 words, words, 0);
	ck_assert_int_eq(load_text(text, strlen(text), &c, &errors), -EINVAL);
	ck_assert_str_eq(
		errors,
		"@FILE@:3: secret: already set on line 2\n"
		"@FILE@:5: secret: not a key of this section (it goes under [global] or [peer NAME])\n"
		"@FILE@:7: pppd-extra: more than 64 words\n"
		"@FILE@:10: secret: value longer than 160 characters\n"
		"@FILE@:11: [bogus]: unknown section (expected [global], [lns] or [peer NAME])\n"
		"@FILE@:16: pppd-extra: a value is required\n");
	free(errors);
}
END_TEST

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
};

/* A value the key takes: its default as printed, or one for the keys printed as comments. */
static void good_value(const char *canonical, enum conf_section s, const char *key, char *buf, size_t n)
{
	static const char *const headers[] = {
		[CONF_SEC_GLOBAL] = "[global]\n", [CONF_SEC_LNS] = "[lns]\n", [CONF_SEC_PEER] = "[peer x]\n"
	};
	static const char *const fallback[][2] = {
		{ "secret", "s3cret" },	      { "accept-from", "192.0.2.0/24, 2001:db8::/32" },
		{ "local", "192.0.2.9" },     { "pppd-options", "/etc/l2tpkd/x.options" },
		{ "pppd-extra", "user bob" },
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

static void soup_line(struct soup *g, char *text, size_t size)
{
	size_t len = strlen(text);
	unsigned pick = (unsigned)(test_random_u64(&g->r) % 16), n;
	const struct conf_key *keys, *k;
	char value[200] = "";

	if (pick < 3 || g->section == CONF_SEC_NONE) {
		g->section = (enum conf_section)(CONF_SEC_GLOBAL + pick % 3);
		if (g->section == CONF_SEC_PEER) {
			g->peers++;
			snprintf(text + len, size - len, "[peer p%u]\naddress = 198.51.100.%u\n",
				 g->peers % 6, g->peers % 5);
		} else {
			snprintf(text + len, size - len, "[%s]\n",
				 g->section == CONF_SEC_LNS ? "lns" : "global");
		}
		return;
	}
	keys = conf_keys(g->section, &n);
	k = &keys[test_random_u64(&g->r) % n];
	if (test_random_chance(&g->r, 0.7))
		good_value(g->canonical, g->section, k->name, value, sizeof(value));
	else
		snprintf(
			value, sizeof(value), "%s",
			soup_values[test_random_u64(&g->r) % (sizeof(soup_values) / sizeof(soup_values[0]))]);
	snprintf(text + len, size - len, "%s = %s\n", k->name, value);
}

START_TEST(test_random_configurations)
{
	static const char base[] = "[peer x]\naddress = 192.0.2.1\n";
	struct l2tpkd_conf *c;
	struct soup g = { 0 };
	int loaded = 0;
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

static struct l2tpkd_conf *load_good(const char *name)
{
	char path[PATH_MAX], *errors;
	struct l2tpkd_conf *c;

	path_fmt(path, sizeof(path), "%s/good/%s", conf_dir(), name);
	if (load(path, &c, &errors) < 0)
		ck_abort_msg("%s:\n%s", path, errors);
	free(errors);
	return c;
}

START_TEST(test_peer_find)
{
	struct l2tpkd_conf *c = load_good("lac-peers.conf");
	const struct l2tp_addr lns_b_other_port = { AF_INET, 4000, { 198, 51, 100, 2 } };
	const struct l2tp_addr lns_a_mapped = { AF_INET6,
						1701,
						{ [10] = 0xff, [11] = 0xff, 198, 51, 100, 1 } };
	const struct l2tp_addr unknown = { AF_INET, 1701, { 198, 51, 100, 3 } };
	static const struct {
		const char *query, *peer;
	} cases[] = {
		{ "lns-a", "lns-a" },
		{ "198.51.100.1", "lns-a" },
		{ "::ffff:198.51.100.1", "lns-a" },
		{ "198.51.100.2", "lns-b" },
		{ "198.51.100.2:1702", "lns-b" },
		{ "198.51.100.2:1701", NULL },
		{ "[2001:db8::c]:1701", "lns_c.backup" },
		{ "2001:db8:0::c", "lns_c.backup" },
		{ "lns_c.backup", "lns_c.backup" },
		/* A name that looks like an address is found as a name first. */
		{ "10.0.0.9", "10.0.0.9" },
		{ "203.0.113.9", "10.0.0.9" },
		{ "192.0.2.10", NULL }, /* a local address, not a peer */
		{ "LNS-A", NULL },
		{ "", NULL },
		{ "[2001:db8::c", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct conf_peer *p = conf_peer_find(c, cases[i].query);

		if (cases[i].peer ? !p || strcmp(p->name, cases[i].peer) : p != NULL)
			ck_abort_msg("%s: found %s", cases[i].query, p ? p->name : "nothing");
	}
	/* By host: any port, IPv4-mapped or not. */
	ck_assert_str_eq(conf_peer_by_host(c, &lns_b_other_port)->name, "lns-b");
	ck_assert_str_eq(conf_peer_by_host(c, &lns_a_mapped)->name, "lns-a");
	ck_assert_ptr_null(conf_peer_by_host(c, &unknown));
	conf_free(c);
}
END_TEST

static struct l2tpkd_conf *load_lns(const char *accept_from)
{
	char text[512], *errors;
	struct l2tpkd_conf *c;

	snprintf(text, sizeof(text), "[lns]\n%s\n[peer lac]\naddress = 203.0.113.1:1999\n", accept_from);
	if (load_text(text, strlen(text), &c, &errors) < 0)
		ck_abort_msg("%s", errors);
	free(errors);
	return c;
}

/* "+addr" must be accepted, "-addr" refused. */
static void assert_accepts(const char *accept_from, const char *const *cases, size_t n)
{
	struct l2tpkd_conf *c = load_lns(accept_from);
	struct l2tp_addr a;

	for (size_t i = 0; i < n; i++) {
		if (conf_parse_addr(cases[i] + 1, 1701, &a) < 0) {
			/* conf_parse_addr() makes IPv4-mapped IPv6 IPv4: build the raw form here. */
			ck_assert_str_eq(cases[i] + 1, "raw ::ffff:192.0.2.5");
			a = (struct l2tp_addr){ .family = AF_INET6,
						.port = 1701,
						.addr = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 5 } };
		}
		if (conf_accepts_from(c, &a) != (cases[i][0] == '+'))
			ck_abort_msg("%s: %s", accept_from, cases[i]);
	}
	conf_free(c);
}

START_TEST(test_accepts_from)
{
	static const char *const mixed[] = {
		"+192.0.2.0",
		"+192.0.2.127",
		"-192.0.2.128",
		"-192.0.1.255",
		"+198.51.100.7:5",
		"-198.51.100.6",
		"+2001:db8::",
		"+2001:db8::1",
		"-2001:db8::2",
		"+2001:db8:1:ffff::",
		"-2001:db8:2::",
		"+[2001:db8:1::9]:7",
		"+::ffff:192.0.2.5",
		"+raw ::ffff:192.0.2.5",
		"+203.0.113.1:1701",
		"-203.0.113.2",
		/* The bytes of 2001:db8::/32 as an IPv4 address: another family, no match. */
		"-32.1.13.184",
	};
	static const char *const all_v4[] = { "+0.0.0.0", "+255.255.255.255", "+192.0.2.1",
					      "-::", "-2001:db8::1" };
	static const char *const all_v6[] = { "+::", "+ffff::1", "-0.0.0.0", "-192.0.2.1", "+203.0.113.1" };
	static const char *const hosts[] = { "+2001:db8::1", "-2001:db8::", "+192.0.2.1", "-192.0.2.0",
					     "-192.0.2.2" };
	static const char *const odd[] = { "+192.0.2.254", "+192.0.2.255", "-192.0.2.253", "-193.0.2.254" };
	static const char *const anyone[] = { "+192.0.2.1", "+2001:db8::1", "+10.0.0.1" };

	assert_accepts(
		"accept-from = 192.0.2.0/25, 198.51.100.7, 2001:db8::/127\naccept-from = 2001:db8:1::/48",
		mixed, sizeof(mixed) / sizeof(mixed[0]));
	assert_accepts("accept-from = 0.0.0.0/0", all_v4, sizeof(all_v4) / sizeof(all_v4[0]));
	assert_accepts("accept-from = ::/0", all_v6, sizeof(all_v6) / sizeof(all_v6[0]));
	assert_accepts("accept-from = 2001:db8::1/128, 192.0.2.1/32", hosts,
		       sizeof(hosts) / sizeof(hosts[0]));
	assert_accepts("accept-from = 192.0.2.254/31", odd, sizeof(odd) / sizeof(odd[0]));
	assert_accepts("", anyone, sizeof(anyone) / sizeof(anyone[0]));
}
END_TEST

START_TEST(test_parse_addr)
{
	static const struct {
		const char *s;
		int r;
		uint16_t family, port;
		const char *canonical;
	} cases[] = {
		{ "192.0.2.1", 0, AF_INET, 1701, "192.0.2.1:1701" },
		{ "192.0.2.1:80", 0, AF_INET, 80, "192.0.2.1:80" },
		{ "192.0.2.1:65535", 0, AF_INET, 65535, "192.0.2.1:65535" },
		{ "2001:db8::1", 0, AF_INET6, 1701, "[2001:db8::1]:1701" },
		{ "[2001:db8::1]:1", 0, AF_INET6, 1, "[2001:db8::1]:1" },
		{ "[::1]", 0, AF_INET6, 1701, "[::1]:1701" },
		/* Without brackets the last group is part of the address, not a port. */
		{ "2001:db8::1:1701", 0, AF_INET6, 1701, "[2001:db8::1:1701]:1701" },
		{ "::ffff:1.2.3.4", 0, AF_INET, 1701, "1.2.3.4:1701" },
		{ "[::ffff:1.2.3.4]:99", 0, AF_INET, 99, "1.2.3.4:99" },
		{ "", -EINVAL, 0, 0, NULL },
		{ "[::1", -EINVAL, 0, 0, NULL },
		{ "[::1]x", -EINVAL, 0, 0, NULL },
		{ "[::1]:", -EINVAL, 0, 0, NULL },
		{ "[::1]:0", -EINVAL, 0, 0, NULL },
		{ "[]:1701", -EINVAL, 0, 0, NULL },
		{ "[192.0.2.1]:1701", -EINVAL, 0, 0, NULL },
		{ "192.0.2.1:0", -EINVAL, 0, 0, NULL },
		{ "192.0.2.1:65536", -EINVAL, 0, 0, NULL },
		{ "192.0.2.1:99999", -EINVAL, 0, 0, NULL },
		{ "192.0.2.1:-1", -EINVAL, 0, 0, NULL },
		{ "192.0.2.1:+80", -EINVAL, 0, 0, NULL },
		{ "192.0.2.1: 80", -EINVAL, 0, 0, NULL },
		{ "192.0.2.1:", -EINVAL, 0, 0, NULL },
		{ ":1701", -EINVAL, 0, 0, NULL },
		{ " 192.0.2.1", -EINVAL, 0, 0, NULL },
		{ "1.2.3.4.5", -EINVAL, 0, 0, NULL },
		{ "1.2.3", -EINVAL, 0, 0, NULL },
		{ "256.1.1.1", -EINVAL, 0, 0, NULL },
		{ "1.2.3.4:1701:1", -EINVAL, 0, 0, NULL },
		{ "lns.example.net", -EINVAL, 0, 0, NULL },
		{ "fe80::1%eth0", -EINVAL, 0, 0, NULL },
		{ "[2001:db8::1]:1701:1", -EINVAL, 0, 0, NULL },
	};
	char s[L2TP_ADDR_STRLEN];
	struct l2tp_addr a;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = conf_parse_addr(cases[i].s, 1701, &a);

		if (r != cases[i].r)
			ck_abort_msg("\"%s\": %d", cases[i].s, r);
		if (!r && (a.family != cases[i].family || a.port != cases[i].port ||
			   strcmp(l2tp_addr_str(&a, s), cases[i].canonical)))
			ck_abort_msg("\"%s\": %s", cases[i].s, l2tp_addr_str(&a, s));
	}
	/* No port and default port 0: port 0 (what conf_peer_find takes as "any port"). */
	ck_assert_int_eq(conf_parse_addr("192.0.2.1", 0, &a), 0);
	ck_assert_uint_eq(a.port, 0);
	ck_assert_int_eq(conf_parse_addr("192.0.2.1:0", 0, &a), -EINVAL);
}
END_TEST

START_TEST(test_engine_config)
{
	struct l2tpkd_conf *c = load_good("lac-peers.conf");
	struct engine_config defaults, e;
	char why[160];

	ck_assert_ptr_eq(c->engine.peers, c->engine_peers);
	ck_assert_uint_eq(c->engine.n_peers, 4);
	ck_assert(!c->engine.accept_tunnels && !c->lns_enabled);
	ck_assert_str_eq(c->engine.secret, "default-secret");
	ck_assert_str_eq(c->engine_peers[0].secret, "s3cret-a");
	/* The engine does not fall back to engine.secret for a peer it knows: conf fills it in. */
	ck_assert_str_eq(c->engine_peers[1].secret, "default-secret");
	ck_assert(c->engine_peers[0].hide_avps && !c->engine_peers[1].hide_avps &&
		  c->engine_peers[2].hide_avps);
	ck_assert_uint_eq(c->engine_peers[1].addr.port, 1702);
	ck_assert_ptr_null(c->engine.random);
	e = c->engine;
	e.random = test_random_fill;
	ck_assert_int_eq(engine_config_validate(&e, why, sizeof(why)), 0);
	conf_free(c);

	c = load_good("lns-full.conf");
	ck_assert(c->engine.accept_tunnels && c->engine.accept_outgoing_calls && !c->engine.send_tie_breaker);
	ck_assert_uint_eq(c->engine.xport.rtx_initial_ms, 500);
	ck_assert_uint_eq(c->engine.xport.rtx_cap_ms, 16000);
	ck_assert_uint_eq(c->engine.xport.rtx_retries, 8);
	ck_assert_uint_eq(c->engine.xport.rwin, 16);
	ck_assert_uint_eq(c->engine.hello_ms, 30000);
	ck_assert_uint_eq(c->engine.id_quarantine_ms, 2500);
	ck_assert_uint_eq(c->engine.recv_timeout_ms, 250);
	ck_assert_uint_eq(c->engine.limits.max_sessions_per_tunnel, 1000);
	ck_assert_uint_eq(c->engine.limits.session_burst, 200);
	ck_assert(c->engine.refuse_tunnel.result == 2 && c->engine.refuse_tunnel.error == 7);
	ck_assert(c->engine.refuse_session.result == 2 && c->engine.refuse_session.error == 4);
	ck_assert_int_eq(c->engine.log_level, ENGINE_LOG_NOTICE);
	ck_assert(c->engine.lns_send_seq && c->engine.hide_avps);
	ck_assert_str_eq(c->lns_pppd.extra[6], "lcp-echo-failure");
	ck_assert_str_eq(c->lns_pppd.extra[7], "3");
	ck_assert_ptr_null(c->lns_pppd.extra[8]);
	conf_free(c);

	/* An empty file is the engine's defaults, but for the host name. */
	c = load_good("empty.conf");
	engine_config_defaults(&defaults);
	ck_assert_str_eq(c->engine.host_name, host_name());
	c->engine.host_name = defaults.host_name;
	ck_assert(!memcmp(&c->engine, &defaults, sizeof(defaults)));
	ck_assert(c->lns_enabled && c->n_listen == 2 && c->n_accept_from == 0 && c->n_peers == 0);
	ck_assert_str_eq(c->pppd_path, "/usr/sbin/pppd");
	ck_assert_ptr_nonnull(c->lns_pppd.extra);
	ck_assert_ptr_null(c->lns_pppd.extra[0]);
	conf_free(c);
}
END_TEST

/* The example file as shipped, and with every "#key = value" example switched on. */
START_TEST(test_example_file)
{
	char path[PATH_MAX], *text, *on, *errors;
	struct l2tpkd_conf *c;
	size_t len, n = 0;

	path_fmt(path, sizeof(path), "%s/../../systemd/l2tpkd.conf.example", conf_dir());
	if (load(path, &c, &errors) < 0)
		ck_abort_msg("%s", errors);
	assert_round_trip(c, path);
	conf_free(c);
	free(errors);
	text = slurp(path, &len);
	on = malloc(len + 1);
	ck_assert_ptr_nonnull(on);
	for (size_t i = 0; i < len; i++)
		if (!(text[i] == '#' && (i == 0 || text[i - 1] == '\n') &&
		      (text[i + 1] == '[' || (text[i + 1] >= 'a' && text[i + 1] <= 'z'))))
			on[n++] = text[i];
	if (load_text(on, n, &c, &errors) < 0)
		ck_abort_msg("examples switched on:\n%s", errors);
	ck_assert_uint_eq(c->n_peers, 2);
	ck_assert_ptr_nonnull(c->engine.secret);
	ck_assert_uint_eq(c->n_accept_from, 2);
	assert_round_trip(c, "the example file, examples on");
	conf_free(c);
	free(errors);
	free(text);
	free(on);
}
END_TEST

static char *man_page(void)
{
	char path[PATH_MAX];

	path_fmt(path, sizeof(path), "%s/../../man/l2tpkd.conf.5", conf_dir());
	return slurp(path, NULL);
}

/* Each ".nf" block of the man page that starts with "[global]" is a configuration that loads. */
START_TEST(test_man_page_examples)
{
	char *man = man_page(), *block, *end, *text, *errors;
	struct l2tpkd_conf *c;
	int n = 0;

	for (block = man; (block = strstr(block, ".nf\n[global]\n")); block = end) {
		end = strstr(block, "\n.fi\n");
		ck_assert_ptr_nonnull(end);
		*end++ = '\0';
		text = replace_all(block + 4, "\\-", "-");
		if (load_text(text, strlen(text), &c, &errors) < 0)
			ck_abort_msg("man page example:\n%s\n%s", text, errors);
		assert_round_trip(c, text);
		conf_free(c);
		free(errors);
		free(text);
		n++;
	}
	ck_assert_int_eq(n, 2);
	free(man);
}
END_TEST

/* Every key of the tables is in the man page and in the canonical form of its section. */
START_TEST(test_every_key_documented_and_printed)
{
	static const char *const headers[] = { [CONF_SEC_GLOBAL] = "[global]\n",
					       [CONF_SEC_LNS] = "\n[lns]\n",
					       [CONF_SEC_PEER] = "\n[peer x]\n" };
	static const char text[] = "[peer x]\naddress = 192.0.2.1\n";
	char *man = man_page(), *out, *errors, want[128];
	struct l2tpkd_conf *c;
	int total = 0;

	ck_assert_int_eq(load_text(text, strlen(text), &c, &errors), 0);
	out = print(c);
	for (enum conf_section s = CONF_SEC_GLOBAL; s <= CONF_SEC_PEER; s++) {
		unsigned n;
		const struct conf_key *keys = conf_keys(s, &n);
		char *body = strstr(out, headers[s]), *next;

		ck_assert_ptr_nonnull(body);
		body = strdup(body + strlen(headers[s]) - 1);
		next = strstr(body, "\n\n");
		if (next)
			next[1] = '\0';
		for (unsigned i = 0; i < n; i++, total++) {
			char *escaped = replace_all(keys[i].name, "-", "\\-");

			snprintf(want, sizeof(want), ".BI \"%s = \"", escaped);
			if (!strstr(man, want))
				ck_abort_msg("man page: no %s", want);
			snprintf(want, sizeof(want), "\n%s = ", keys[i].name);
			if (!strstr(body, want)) {
				snprintf(want, sizeof(want), "\n# %s: ", keys[i].name);
				if (!strstr(body, want))
					ck_abort_msg("canonical form of %s: no %s", headers[s], keys[i].name);
			}
			free(escaped);
		}
		free(body);
	}
	ck_assert_int_eq(total, 16 + 15 + 6);
	free(out);
	free(errors);
	free(man);
	conf_free(c);
}
END_TEST

Suite *suite_conf(void)
{
	Suite *s = suite_create("conf");
	TCase *golden = tcase_create("golden");
	TCase *hostile = tcase_create("hostile");
	TCase *lookup = tcase_create("lookup");
	TCase *docs = tcase_create("docs");

	tcase_add_test(golden, test_good_files);
	tcase_add_test(golden, test_bad_files);
	tcase_add_test(golden, test_secrets_stay_out_of_errors);
	tcase_add_test(golden, test_engine_config);
	suite_add_tcase(s, golden);
	tcase_add_test(hostile, test_missing_and_special_files);
	tcase_add_test(hostile, test_file_size_limit);
	tcase_add_test(hostile, test_line_and_value_limits);
	tcase_add_test(hostile, test_nul_bytes);
	tcase_add_test(hostile, test_binary_garbage);
	tcase_add_test(hostile, test_error_count_limit);
	tcase_add_test(hostile, test_random_configurations);
	tcase_add_test(hostile, test_ten_thousand_peers);
	tcase_add_test(hostile, test_peer_count_limit);
	tcase_set_timeout(hostile, 60);
	suite_add_tcase(s, hostile);
	tcase_add_test(lookup, test_peer_find);
	tcase_add_test(lookup, test_accepts_from);
	tcase_add_test(lookup, test_parse_addr);
	suite_add_tcase(s, lookup);
	tcase_add_test(docs, test_example_file);
	tcase_add_test(docs, test_man_page_examples);
	tcase_add_test(docs, test_every_key_documented_and_printed);
	suite_add_tcase(s, docs);
	return s;
}
