/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration file (daemon/conf.h). Golden files in tests/conf: good configurations with
 * their canonical form (good/NAME.conf, NAME.out) and bad ones with their exact error lines
 * (bad/NAME.conf, NAME.err; "@FILE@" stands for the path, "@HOSTNAME@" for gethostname()).
 * Every loaded configuration is printed, loaded again and compared field by field. Then the
 * look-ups, the engine configuration a file gives, the example file and the man page's examples
 * and keys. Hostile files are in check_conf_hostile.c, the shared helpers in conf_fixture.c.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "conf_int.h"
#include "conf_tests.h"
#include "l2tp/wire.h"
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
		"@FILE@:11: [bogus]: unknown section (expected [global], [lns], [peer NAME] or "
		"[group NAME])\n"
		"@FILE@:16: pppd-extra: a value is required\n");
	free(errors);
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

/* A [peer]'s failover settings, in conf and as the engine is given them. */
static void assert_peer_failover(const struct l2tpkd_conf *c, unsigned i, const char *name,
				 enum engine_resync resync, bool disabled)
{
	ck_assert_uint_lt(i, c->n_peers);
	ck_assert_str_eq(c->peers[i].name, name);
	if (c->peers[i].resync != resync || c->peers[i].disable_failover_protocol != disabled ||
	    c->engine.peers[i].resync != resync || c->engine.peers[i].disable_failover_protocol != disabled)
		ck_abort_msg("[peer %s]: resync %d/%d, disabled %d/%d", name, c->peers[i].resync,
			     c->engine.peers[i].resync, c->peers[i].disable_failover_protocol,
			     c->engine.peers[i].disable_failover_protocol);
}

static void assert_engine_accepts(const struct l2tpkd_conf *c)
{
	struct engine_config e = c->engine;
	char why[160];

	e.random = test_random_fill;
	if (engine_config_validate(&e, why, sizeof(why)) < 0)
		ck_abort_msg("engine refuses: %s", why);
}

START_TEST(test_failover_settings)
{
	struct l2tpkd_conf *c = load_good("empty.conf");

	/* Defaults: RFC 4951 with silent fall-back, the capability (C and D) sent, 60 s asked for. */
	ck_assert_int_eq(c->engine.resync, ENGINE_RESYNC_PROTOCOL_OR_SILENT);
	ck_assert_uint_eq(c->engine.failover_flags, L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D);
	ck_assert_uint_eq(c->engine.recovery_time_ms, 60000);
	ck_assert(!c->disable_failover_protocol);
	conf_free(c);

	c = load_good("failover.conf");
	ck_assert_int_eq(c->engine.resync, ENGINE_RESYNC_SILENT);
	ck_assert_uint_eq(c->engine.failover_flags, L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D);
	ck_assert_uint_eq(c->engine.recovery_time_ms, 1500);
	ck_assert_uint_eq(c->engine.n_peers, 4);
	assert_peer_failover(c, 0, "protocol", ENGINE_RESYNC_PROTOCOL_OR_SILENT, false);
	assert_peer_failover(c, 1, "upper-case", ENGINE_RESYNC_SILENT, true);
	assert_peer_failover(c, 2, "off", ENGINE_RESYNC_DEFAULT, true);
	assert_peer_failover(c, 3, "inherits", ENGINE_RESYNC_DEFAULT, false);
	assert_engine_accepts(c);
	conf_free(c);

	/* disable-failover-protocol in [global]: no capability to anyone, every [peer] says so. */
	c = load_good("failover-off.conf");
	ck_assert(c->disable_failover_protocol);
	ck_assert_uint_eq(c->engine.failover_flags, 0);
	ck_assert_uint_eq(c->engine.recovery_time_ms, 0);
	ck_assert_int_eq(c->engine.resync, ENGINE_RESYNC_PROTOCOL_OR_SILENT);
	assert_peer_failover(c, 0, "inherits", ENGINE_RESYNC_DEFAULT, true);
	assert_peer_failover(c, 1, "says-so-too", ENGINE_RESYNC_SILENT, true);
	assert_peer_failover(c, 2, "protocol-but-off", ENGINE_RESYNC_PROTOCOL_OR_SILENT, true);
	assert_engine_accepts(c);
	conf_free(c);

	/* A host known only from a [group] lns line inherits both. */
	c = load_good("groups.conf");
	ck_assert_uint_eq(c->engine.n_peers, 5);
	for (size_t i = c->n_peers; i < c->engine.n_peers; i++)
		ck_assert(c->engine.peers[i].resync == ENGINE_RESYNC_DEFAULT &&
			  !c->engine.peers[i].disable_failover_protocol);
	conf_free(c);
}
END_TEST

/* [global] may come after the [peer]s: a [peer] inherits, or conflicts, all the same. */
START_TEST(test_failover_global_after_peers)
{
	static const char inherits[] = "[peer a]\naddress = 192.0.2.1\n"
				       "[peer b]\naddress = 192.0.2.2\nfailover-resync = silent-failover\n"
				       "[global]\ndisable-failover-protocol = yes\n"
				       "failover-resync = silent-failover\n";
	static const char conflict[] = "[peer a]\naddress = 192.0.2.1\ndisable-failover-protocol = false\n"
				       "[global]\ndisable-failover-protocol = true\n";
	static const char both_no[] = "[peer a]\naddress = 192.0.2.1\ndisable-failover-protocol = off\n"
				      "[global]\ndisable-failover-protocol = off\n";
	struct l2tpkd_conf *c;
	char *errors;

	if (load_text(inherits, strlen(inherits), &c, &errors) < 0)
		ck_abort_msg("%s", errors);
	ck_assert_uint_eq(c->engine.failover_flags, 0);
	ck_assert_int_eq(c->engine.resync, ENGINE_RESYNC_SILENT);
	assert_peer_failover(c, 0, "a", ENGINE_RESYNC_DEFAULT, true);
	assert_peer_failover(c, 1, "b", ENGINE_RESYNC_SILENT, true);
	assert_round_trip(c, inherits);
	conf_free(c);
	free(errors);

	ck_assert_int_eq(load_text(conflict, strlen(conflict), &c, &errors), -EINVAL);
	ck_assert_str_eq(errors, "@FILE@:3: disable-failover-protocol: \"no\": [global] "
				 "disable-failover-protocol = yes turns the failover protocol off for "
				 "every peer (set it per [peer] instead)\n");
	free(errors);

	if (load_text(both_no, strlen(both_no), &c, &errors) < 0)
		ck_abort_msg("%s", errors);
	ck_assert_uint_eq(c->engine.failover_flags, L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D);
	assert_peer_failover(c, 0, "a", ENGINE_RESYNC_DEFAULT, false);
	conf_free(c);
	free(errors);
}
END_TEST

/* An endpoint of a group: its address as the engine has it, priority and weight. */
static void assert_endpoint(const struct engine_group *g, size_t i, const char *addr, unsigned priority,
			    unsigned weight)
{
	char s[L2TP_ADDR_STRLEN];

	ck_assert_uint_lt(i, g->n_endpoints);
	if (strcmp(l2tp_addr_str(&g->endpoints[i].addr, s), addr) || g->endpoints[i].priority != priority ||
	    g->endpoints[i].weight != weight)
		ck_abort_msg("[group %s] endpoint %zu: %s priority %u weight %u", g->name, i, s,
			     g->endpoints[i].priority, g->endpoints[i].weight);
}

/* The engine peer of a host: its secret and hiding. */
static void assert_engine_peer(const struct l2tpkd_conf *c, size_t i, const char *addr, const char *secret)
{
	char s[L2TP_ADDR_STRLEN];

	ck_assert_uint_lt(i, c->engine.n_peers);
	ck_assert_str_eq(l2tp_addr_str(&c->engine.peers[i].addr, s), addr);
	ck_assert_str_eq(c->engine.peers[i].secret, secret);
	ck_assert(c->engine.peers[i].hide_avps);
}

START_TEST(test_groups)
{
	struct l2tpkd_conf *c = load_good("groups.conf");
	const struct engine_group *metro, *backup, *defaults;
	struct engine_config e;
	char why[160];

	ck_assert_uint_eq(c->n_groups, 3);
	ck_assert_ptr_eq(c->engine.groups, c->groups[0].engine);
	ck_assert_uint_eq(c->engine.n_groups, 3);
	metro = conf_group_find(c, "metro");
	backup = conf_group_find(c, "backup");
	defaults = conf_group_find(c, "defaults");
	ck_assert(metro == &c->engine.groups[0] && backup == &c->engine.groups[1] &&
		  defaults == &c->engine.groups[2]);
	ck_assert_ptr_null(conf_group_find(c, "METRO"));
	ck_assert_ptr_null(conf_group_find(c, "lns-a")); /* a [peer], not a group */
	ck_assert_ptr_null(conf_group_find(c, ""));
	ck_assert_str_eq(c->groups[1].name, "backup");
	ck_assert_uint_eq(c->groups[1].line, 28);
	ck_assert_uint_eq(metro->idle_ms, 0);
	ck_assert_uint_eq(defaults->idle_ms, 60000);
	ck_assert_str_eq(c->groups[0].pppd.options_file, "/etc/ppp/options.metro");
	ck_assert_str_eq(c->groups[0].pppd.extra[3], "subscriber");
	ck_assert_ptr_null(c->groups[0].pppd.extra[4]);
	ck_assert_ptr_null(c->groups[2].pppd.options_file);
	ck_assert_ptr_null(c->groups[2].pppd.extra[0]);

	/* Every option, in any order; a [peer] named before it is declared. */
	ck_assert_uint_eq(metro->n_endpoints, 4);
	assert_endpoint(metro, 0, "198.51.100.1:1701", 1, 1);
	assert_endpoint(metro, 1, "198.51.100.2:1701", 1, 3);
	assert_endpoint(metro, 2, "[2001:db8::c]:1702", 2, 1000);
	assert_endpoint(metro, 3, "203.0.113.9:1701", 0, 1);
	ck_assert_str_eq(c->groups[0].lns[0].peer, "lns-a");
	ck_assert_ptr_null(c->groups[0].lns[0].secret);
	ck_assert_ptr_null(c->groups[0].lns[1].peer);
	ck_assert_str_eq(c->groups[0].lns[1].secret, "s3cret-b");
	ck_assert_uint_eq(c->groups[0].lns[2].line, 14);
	ck_assert(metro->busy_ms == 90000 && metro->sccrq_retries == 3 &&
		  metro->max_sessions_per_tunnel == 2000);

	/* A [peer] named like an address, declared after the group: its address, not the name's. */
	ck_assert_uint_eq(backup->n_endpoints, 6);
	assert_endpoint(backup, 0, "198.51.100.1:1702", 255, 1);
	assert_endpoint(backup, 3, "203.0.113.10:1701", 3, 2);
	ck_assert_str_eq(c->groups[1].lns[3].peer, "10.0.0.9");
	ck_assert(backup->busy_ms == 1500 && backup->sccrq_retries == 255 &&
		  backup->max_sessions_per_tunnel == 65535);

	/* Defaults. */
	ck_assert_uint_eq(defaults->n_endpoints, 1);
	assert_endpoint(defaults, 0, "192.0.2.1:1701", 1, 1);
	ck_assert(defaults->busy_ms == 60000 && defaults->sccrq_retries == 5 &&
		  defaults->max_sessions_per_tunnel == 0);
	ck_assert_str_eq(defaults->name, "defaults");

	/* The [peer]s, then one per host of an endpoint with a secret of its own, in file order,
	   hidden as [global] says; a [peer]'s host and a host without a secret have none. */
	ck_assert_uint_eq(c->n_peers, 2);
	ck_assert_uint_eq(c->engine.n_peers, 5);
	assert_engine_peer(c, 0, "198.51.100.1:1701", "s3cret-a");
	assert_engine_peer(c, 1, "203.0.113.10:1701", "default-secret");
	assert_engine_peer(c, 2, "198.51.100.2:1701", "s3cret-b");
	assert_engine_peer(c, 3, "[2001:db8::c]:1702", "s3cret-c");
	assert_engine_peer(c, 4, "192.0.2.77:1701", "own-77");

	e = c->engine;
	e.random = test_random_fill;
	ck_assert_int_eq(engine_config_validate(&e, why, sizeof(why)), 0);
	conf_free(c);

	/* No groups: none given to the engine. */
	c = load_good("lac-peers.conf");
	ck_assert(c->n_groups == 0 && c->groups == NULL && c->engine.n_groups == 0 &&
		  c->engine.groups == NULL);
	ck_assert_ptr_null(conf_group_find(c, "lns-a"));
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
	ck_assert_uint_eq(c->n_groups, 1);
	ck_assert_uint_eq(c->engine.groups[0].n_endpoints, 3);
	ck_assert_uint_eq(c->engine.n_peers, 3); /* the two [peer]s and the third endpoint's host */
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
	ck_assert_int_eq(n, 4);
	free(man);
}
END_TEST

/* Every key of the tables is in the man page and in the canonical form of its section. */
START_TEST(test_every_key_documented_and_printed)
{
	static const char *const headers[] = { [CONF_SEC_GLOBAL] = "[global]\n",
					       [CONF_SEC_LNS] = "\n[lns]\n",
					       [CONF_SEC_PEER] = "\n[peer x]\n",
					       [CONF_SEC_GROUP] = "\n[group x]\n" };
	static const char text[] = "[peer x]\naddress = 192.0.2.1\n[group x]\nlns = x\n";
	char *man = man_page(), *out, *errors, want[128];
	struct l2tpkd_conf *c;
	int total = 0;

	ck_assert_int_eq(load_text(text, strlen(text), &c, &errors), 0);
	out = print(c);
	for (enum conf_section s = CONF_SEC_GLOBAL; s <= CONF_SEC_GROUP; s++) {
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
	ck_assert_int_eq(total, 20 + 15 + 8 + 7);
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
	TCase *lookup = tcase_create("lookup");
	TCase *docs = tcase_create("docs");

	tcase_add_test(golden, test_good_files);
	tcase_add_test(golden, test_bad_files);
	tcase_add_test(golden, test_secrets_stay_out_of_errors);
	tcase_add_test(golden, test_engine_config);
	tcase_add_test(golden, test_groups);
	tcase_add_test(golden, test_failover_settings);
	tcase_add_test(golden, test_failover_global_after_peers);
	suite_add_tcase(s, golden);
	suite_add_tcase(s, tcase_conf_hostile());
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
