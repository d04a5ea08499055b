/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure parts of extended failover: which refusals trigger it (the whole result x error
 * space against the table of design.md §1) and the error 9 address list, read from hostile
 * text. The behaviour over the wire is the simulation's (tests/sim/failover.c).
 * And RFC 4951's capability negotiation (§3.1, §5.1): what we advertise, what we record.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "directed.h"
#include "engine_int.h"
#include "engine_probe.h"
#include "l2tp/wire.h"
#include "suites.h"

START_TEST(test_trigger_table)
{
	for (unsigned cdn = 0; cdn < 2; cdn++)
		for (uint16_t result = 0; result <= 40; result++)
			for (uint16_t error = 0; error <= 20; error++) {
				struct engine_disconnect why = { .result = result, .error = error };
				bool want = (result == 2 && (error == 4 || error == 6 || error == 7 || error == 9)) ||
					    (cdn && result == 4);

				if (failover_trigger(cdn, &why) != want)
					ck_abort_msg("%s %u/%u: %s", cdn ? "CDN" : "StopCCN", result, error,
						     want ? "must fail over" : "must not fail over");
			}
}
END_TEST

static struct l2tp_addr v4(const char *s, uint16_t port)
{
	struct l2tp_addr a = { .family = AF_INET, .port = port };

	ck_assert_int_eq(inet_pton(AF_INET, s, a.addr), 1);
	return a;
}

static struct l2tp_addr v6(const char *s, uint16_t port)
{
	struct l2tp_addr a = { .family = AF_INET6, .port = port };

	ck_assert_int_eq(inet_pton(AF_INET6, s, a.addr), 1);
	return a;
}

static size_t parse(const char *text, struct l2tp_addr *out, unsigned *skipped)
{
	return directed_parse(text, strlen(text), 1701, out, DIRECTED_MAX, skipped);
}

START_TEST(test_directed_rfc_forms)
{
	struct l2tp_addr out[DIRECTED_MAX], want;
	unsigned skipped;

	ck_assert_uint_eq(parse("192.0.2.1, 192.0.2.2", out, &skipped), 2);
	ck_assert_uint_eq(skipped, 0);
	want = v4("192.0.2.1", 1701);
	ck_assert(l2tp_addr_equal(&out[0], &want));
	want = v4("192.0.2.2", 1701);
	ck_assert(l2tp_addr_equal(&out[1], &want));

	ck_assert_uint_eq(parse("[2001:db8::1], 192.0.2.9, [2001:db8::2]", out, &skipped), 3);
	want = v6("2001:db8::1", 1701);
	ck_assert(l2tp_addr_equal(&out[0], &want));
	want = v4("192.0.2.9", 1701);
	ck_assert(l2tp_addr_equal(&out[1], &want));
	want = v6("2001:db8::2", 1701);
	ck_assert(l2tp_addr_equal(&out[2], &want));
}
END_TEST

START_TEST(test_directed_lenient_and_hostile)
{
	static const char long_word[] = "[2001:0db8:0000:0000:0000:0000:0000:0001:0000]"; /* 47 > any address */
	struct l2tp_addr out[DIRECTED_MAX], want;
	char many[512] = "";
	unsigned skipped;

	/* Any mix of commas and blanks; repeats once; non-addresses skipped and counted. */
	ck_assert_uint_eq(parse(" ,,192.0.2.1,\t192.0.2.1  lns.example, 300.1.1.1, 2001:db8::1 ,[", out, &skipped), 1);
	ck_assert_uint_eq(skipped, 4);
	want = v4("192.0.2.1", 1701);
	ck_assert(l2tp_addr_equal(&out[0], &want));
	ck_assert_uint_eq(parse("", out, &skipped), 0);
	ck_assert_uint_eq(parse(", , ,", out, &skipped), 0);
	ck_assert_uint_eq(skipped, 0);
	ck_assert_uint_eq(parse(long_word, out, &skipped), 0);
	ck_assert_uint_eq(skipped, 1);
	ck_assert_uint_eq(parse("[192.0.2.1]", out, &skipped), 0); /* brackets are for IPv6 */
	/* An embedded NUL ends nothing: the word with it is not an address. */
	ck_assert_uint_eq(directed_parse("192.0.2.1\0x, 192.0.2.2", 22, 1701, out, DIRECTED_MAX, &skipped), 1);
	ck_assert_uint_eq(skipped, 1);
	/* At most DIRECTED_MAX are kept, the first ones. */
	for (int i = 1; i <= 20; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "192.0.2.%d, ", i);
	ck_assert_uint_eq(parse(many, out, &skipped), DIRECTED_MAX);
	want = v4("192.0.2.8", 1701);
	ck_assert(l2tp_addr_equal(&out[DIRECTED_MAX - 1], &want));
}
END_TEST

static struct engine_tunnel_view view_of(const struct probe *p)
{
	struct engine_tunnel_view v;

	ck_assert_int_eq(engine_tunnel_view(p->e, p->tid, &v), 0);
	return v;
}

START_TEST(test_capability_advertised_and_recorded)
{
	struct probe *p = probe_new(41);
	const struct l2tp_msg *r;
	struct engine_tunnel_view v;
	struct l2tp_msg m;

	p->cfg.failover_flags = L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D;
	p->cfg.recovery_time_ms = 45000;
	probe_start(p);
	r = probe_opened(p);
	ck_assert(msg_has(r, L2TP_AVP_FAILOVER_CAPABILITY));
	ck_assert_uint_eq(r->failover_capability.flags, L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D);
	ck_assert_uint_eq(r->failover_capability.recovery_time_ms, 45000);
	ck_assert(!view_of(p).failover_negotiated);
	probe_sccrp(p, &m);
	msg_set_present(&m, L2TP_AVP_FAILOVER_CAPABILITY);
	m.failover_capability.flags = L2TP_FAILOVER_CAP_D;
	m.failover_capability.recovery_time_ms = 7; /* meaningless without C: not kept */
	probe_send(p, &m);
	probe_expect(p, L2TP_MSG_SCCCN);
	v = view_of(p);
	ck_assert_uint_eq(v.peer_failover_flags, L2TP_FAILOVER_CAP_D);
	ck_assert_uint_eq(v.peer_recovery_time_ms, 0);
	ck_assert(v.failover_negotiated);
	probe_free(p);
}
END_TEST

START_TEST(test_capability_of_peer_only)
{
	struct probe *p = probe_new(42);
	const struct l2tp_msg *r;
	struct engine_tunnel_view v;
	struct l2tp_msg m;

	p->cfg.failover_flags = 0; /* disable-failover-protocol: advertises nothing */
	probe_start(p);
	probe_sccrq(p, &m);
	msg_set_present(&m, L2TP_AVP_FAILOVER_CAPABILITY);
	m.failover_capability.flags = L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D;
	m.failover_capability.recovery_time_ms = 30000;
	r = probe_answered(p, &m);
	ck_assert(!msg_has(r, L2TP_AVP_FAILOVER_CAPABILITY));
	v = view_of(p);
	ck_assert_uint_eq(v.peer_failover_flags, L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D);
	ck_assert_uint_eq(v.peer_recovery_time_ms, 30000);
	ck_assert(!v.failover_negotiated);
	probe_free(p);
}
END_TEST

START_TEST(test_capability_config_checked)
{
	struct engine_config c;
	char why[128];

	engine_config_defaults(&c);
	c.random = test_random_fill;
	/* Both bits by default, a minute of Recovery Time, the protocol with silent fall-back. */
	ck_assert_uint_eq(c.failover_flags, L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D);
	ck_assert_uint_eq(c.recovery_time_ms, 60000);
	ck_assert_int_eq(c.resync, ENGINE_RESYNC_PROTOCOL_OR_SILENT);
	ck_assert_int_eq(engine_config_validate(&c, why, sizeof(why)), 0);
	c.resync = ENGINE_RESYNC_DEFAULT; /* only a peer's may inherit */
	ck_assert_int_eq(engine_config_validate(&c, why, sizeof(why)), -EINVAL);
	c.resync = ENGINE_RESYNC_SILENT;
	c.failover_flags = L2TP_FAILOVER_CAP_C;
	ck_assert_int_eq(engine_config_validate(&c, why, sizeof(why)), 0);
	c.failover_flags = 0x0004;
	ck_assert_int_eq(engine_config_validate(&c, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "failover capability: only the C and D bits exist (RFC 4951 §5.1)");
}
END_TEST

Suite *suite_failover(void)
{
	Suite *s = suite_create("failover");
	TCase *tc = tcase_create("pure"), *cap = tcase_create("capability");

	tcase_add_test(tc, test_trigger_table);
	tcase_add_test(tc, test_directed_rfc_forms);
	tcase_add_test(tc, test_directed_lenient_and_hostile);
	suite_add_tcase(s, tc);
	tcase_add_test(cap, test_capability_advertised_and_recorded);
	tcase_add_test(cap, test_capability_of_peer_only);
	tcase_add_test(cap, test_capability_config_checked);
	suite_add_tcase(s, cap);
	return s;
}
