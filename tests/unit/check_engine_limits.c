/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who gets a tunnel or a call, end to end through the engine: the LNS admission limits and
 * their refusals (StopCCN or CDN with the configured failover codes, no state kept), the
 * configuration check of those codes, tunnel authentication (RFC 2661 §5.1.1, §4.3), the tie
 * breaker between two SCCRQs (§7.2.1), and the IDs handed out (never 0, quarantined once freed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "decode.h"
#include "engine_probe.h"
#include "l2tp/result.h"
#include "suites.h"

#define T0	     PROBE_T0
#define SECRET	     "tunnel-secret"
#define ALL_SENT(p)  probe_expect_no_send(p)
#define COUNT(p, ty) probe_count((p), ENGINE_##ty)

/* Another host opens a tunnel to the engine: its own tunnel ID and sequence numbers. */
static void other_peer(struct probe *p, uint8_t host, uint16_t peer_tid)
{
	p->peer.addr[3] = host;
	p->peer_tid = peer_tid;
	p->tid = 0;
	p->ns = 0;
	p->nr = 0;
}

/* The peer's ICRQ is refused with a CDN to its session, carrying these codes. */
static void call_refused(struct probe *p, uint16_t peer_sid, uint16_t result, uint16_t error)
{
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint32_t before = probe_stats(p).sessions;

	probe_icrq(p, &m, peer_sid);
	probe_send(p, &m);
	r = probe_expect_result(p, L2TP_MSG_CDN, result, error);
	ck_assert_uint_eq(r->session_id, peer_sid);
	ck_assert_uint_ne(r->assigned_session_id, 0);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, SESSION_DOWN), 0);
	ck_assert_uint_eq(probe_stats(p).sessions, before);
}

/* ---------------------------------------------------------------- tunnels ---- */

/* No state for a refused SCCRQ: its retransmission gets the same answer (design.md §1). */
START_TEST(test_max_tunnels_refused_stateless)
{
	struct probe *p = probe_new(201);
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint64_t deadline;
	uint16_t tid;

	p->cfg.limits.max_tunnels = 1;
	probe_start(p);
	probe_accept_tunnel(p);
	deadline = engine_next_deadline(p->e);
	other_peer(p, 3, 0x5000);
	probe_sccrq(p, &m);
	for (uint32_t i = 1; i <= 2; i++) {
		probe_send(p, &m);
		r = probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_GENERAL_ERROR,
					L2TP_EC_NO_RESOURCES);
		ck_assert_uint_eq(r->session_id, 0);
		ck_assert_uint_eq(r->ns, 0);
		ck_assert_uint_eq(r->nr, 1);
		ck_assert_uint_ne(r->assigned_tunnel_id, 0);
		ALL_SENT(p);
		ck_assert(COUNT(p, TUNNEL_DOWN) == 0 && COUNT(p, TUNNEL_RELEASED) == 0);
		ck_assert_uint_eq(probe_stats(p).tunnels, 1);
		ck_assert_uint_eq(probe_stats(p).tunnels_refused, i);
	}
	ck_assert_uint_eq(engine_next_deadline(p->e), deadline);
	ck_assert_int_eq(engine_open_tunnel(p->e, p->now, &p->local, &p->peer, &tid), -EBUSY);
	probe_free(p);
}
END_TEST

START_TEST(test_max_tunnels_try_another)
{
	struct probe *p = probe_new(202);
	const struct l2tp_msg *r;
	struct l2tp_msg m;

	p->cfg.limits.max_tunnels = 1;
	p->cfg.refuse_tunnel = (struct engine_refusal){ L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_TRY_ANOTHER };
	probe_start(p);
	probe_accept_tunnel(p);
	other_peer(p, 3, 0x5000);
	probe_sccrq(p, &m);
	probe_send(p, &m);
	r = probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_TRY_ANOTHER);
	ck_assert_uint_gt(r->result_code.message.len, 0);
	ck_assert_uint_eq(probe_stats(p).tunnels_refused, 1);
	probe_free(p);
}
END_TEST

START_TEST(test_accept_tunnels_false)
{
	struct probe *p = probe_new(203);
	struct l2tp_msg m;

	p->cfg.accept_tunnels = false;
	probe_start(p);
	probe_sccrq(p, &m);
	probe_send(p, &m);
	probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_NOT_AUTHORIZED, 0);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).tunnels, 0);
	ck_assert_uint_eq(engine_next_deadline(p->e), UINT64_MAX);
	probe_free(p);
}
END_TEST

/* A malformed SCCRQ is refused without state too, with the codec's codes (RFC 2661 §7.1). */
START_TEST(test_bad_sccrq_refused_stateless)
{
	struct probe *p = probe_started(214);
	struct l2tp_msg m;

	probe_sccrq(p, &m);
	m.present &= ~AVP_BIT(L2TP_AVP_HOST_NAME);
	probe_send(p, &m);
	probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_BAD_VALUE);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).tunnels, 0);
	probe_free(p);
}
END_TEST

/* ----------------------------------------------------------------- sessions ---- */

START_TEST(test_max_sessions_per_tunnel)
{
	struct probe *p = probe_new(204);
	struct l2tp_msg m;
	uint16_t sid;

	p->cfg.limits.max_sessions_per_tunnel = 2;
	probe_start(p);
	probe_accept_tunnel(p);
	sid = probe_lns_call(p, 0x10);
	probe_lns_call(p, 0x11);
	call_refused(p, 0x12, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	ck_assert_uint_eq(probe_stats(p).sessions_refused, 1);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_OUTGOING, NULL, &sid), -EBUSY);
	/* A call ends: there is room again. */
	probe_cdn(p, &m, sid, 0x10, L2TP_RC_CDN_LOST_CARRIER, 0);
	probe_send(p, &m);
	probe_lns_call(p, 0x13);
	ck_assert_uint_eq(probe_stats(p).sessions, 2);
	ck_assert_uint_eq(probe_stats(p).sessions_refused, 1);
	probe_free(p);
}
END_TEST

START_TEST(test_max_sessions_in_all)
{
	struct probe *p = probe_new(205);
	struct probe_peer_state a;

	p->cfg.limits.max_sessions = 2;
	probe_start(p);
	probe_accept_tunnel(p);
	probe_lns_call(p, 0x10);
	probe_save(p, &a);
	other_peer(p, 3, 0x5000);
	probe_accept_tunnel(p);
	probe_lns_call(p, 0x20);
	call_refused(p, 0x21, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	probe_restore(p, &a);
	call_refused(p, 0x11, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	ck_assert_uint_eq(probe_stats(p).sessions, 2);
	ck_assert_uint_eq(probe_stats(p).sessions_refused, 2);
	probe_free(p);
}
END_TEST

/* A token bucket: a burst of 3, then 2 calls a second (one per 500 ms). */
START_TEST(test_session_rate_burst_then_refill)
{
	struct probe *p = probe_new(206);

	p->cfg.limits.session_rate = 2;
	p->cfg.limits.session_burst = 3;
	probe_start(p);
	probe_accept_tunnel(p);
	for (uint16_t i = 0; i < 3; i++)
		probe_lns_call(p, (uint16_t)(0x30 + i));
	call_refused(p, 0x33, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	p->now = T0 + 499;
	call_refused(p, 0x34, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	p->now = T0 + 500;
	probe_lns_call(p, 0x35);
	call_refused(p, 0x36, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	ck_assert_uint_eq(probe_stats(p).sessions, 4);
	ck_assert_uint_eq(probe_stats(p).sessions_refused, 3);
	probe_free(p);
}
END_TEST

START_TEST(test_session_refusal_codes)
{
	static const struct engine_refusal codes[] = { { 2, L2TP_EC_NO_RESOURCES },
						       { 2, L2TP_EC_TRY_ANOTHER },
						       { L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0 } };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct probe *p = probe_new(207 + i);

		p->cfg.limits.max_sessions_per_tunnel = 1;
		p->cfg.refuse_session = codes[i];
		probe_start(p);
		probe_accept_tunnel(p);
		probe_lns_call(p, 0x10);
		call_refused(p, 0x11, codes[i].result, codes[i].error);
		probe_free(p);
	}
}
END_TEST

START_TEST(test_ocrq_refused_when_not_accepting)
{
	struct probe *p = probe_started(210);
	const struct l2tp_msg *r;
	struct l2tp_msg m;

	probe_accept_tunnel(p);
	probe_ocrq(p, &m, 0x40);
	probe_send(p, &m);
	r = probe_expect_result(p, L2TP_MSG_CDN, L2TP_RC_CDN_NO_FACILITIES_PERMANENT, 0);
	ck_assert_uint_eq(r->session_id, 0x40);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	probe_free(p);
}
END_TEST

/*
 * Refusals are stateless, so a peer asking for calls without ever acknowledging the CDNs
 * could make the engine queue without end: at 32 queued the tunnel is cleared instead.
 */
START_TEST(test_unacked_refusals_clear_tunnel)
{
	struct probe *p = probe_new(215);
	const struct engine_action *a;
	const struct l2tp_msg *r = NULL;
	struct l2tp_msg m;
	uint16_t nr, sid, i;
	uint64_t heap;

	p->cfg.limits.max_sessions = 1;
	probe_start(p);
	probe_accept_tunnel(p);
	sid = probe_lns_call(p, 0x10);
	nr = p->nr; /* SCCRP and ICRP acknowledged: CWND 3; no CDN ever will be */
	for (i = 0; i <= 32; i++) {
		probe_icrq(p, &m, (uint16_t)(0x100 + i));
		m.nr = nr;
		probe_send(p, &m);
		if (i < 3)
			ck_assert_uint_eq(probe_expect(p, L2TP_MSG_CDN)->ns, nr + i);
		else
			probe_expect(p, PROBE_ZLB);
		ALL_SENT(p);
		ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), i == 32);
	}
	a = probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_GENERAL_ERROR, false);
	ck_assert_uint_eq(a->down.why.error, L2TP_EC_NO_RESOURCES);
	ck_assert_str_eq(a->down.why.message, "peer does not acknowledge");
	ck_assert_uint_eq(probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_LOST_CARRIER, false)->session_id,
			  sid);
	/* Closing: more calls queue nothing. */
	heap = probe_stats(p).heap_bytes;
	for (i = 0; i < 16; i++) {
		probe_icrq(p, &m, (uint16_t)(0x200 + i));
		m.nr = nr;
		probe_send(p, &m);
		probe_expect(p, PROBE_ZLB);
		ALL_SENT(p);
	}
	ck_assert_uint_eq(probe_stats(p).heap_bytes, heap);
	ck_assert_uint_eq(probe_stats(p).tunnels_awaiting_ack, 1);
	/* Acknowledged at last: the 29 CDNs still queued, the StopCCN (Ns nr + 32), nothing more. */
	for (i = 3; i <= 32;) {
		probe_zlb(p);
		ck_assert_uint_gt(COUNT(p, SEND), 0);
		for (size_t n = COUNT(p, SEND); n > 0; n--, i++) {
			r = probe_expect(p, i < 32 ? L2TP_MSG_CDN : L2TP_MSG_STOPCCN);
			ck_assert_uint_eq(r->ns, nr + i);
		}
	}
	probe_check_result(r, L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_NO_RESOURCES);
	probe_zlb(p);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).tunnels_awaiting_ack, 0);
	probe_free(p);
}
END_TEST

static void expect_invalid(const struct engine_config *c, const char *reason)
{
	char why[128] = "";

	ck_assert_int_eq(engine_config_validate(c, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, reason), "reason \"%s\" does not say \"%s\"", why, reason);
}

START_TEST(test_config_refusal_codes_validated)
{
	static const struct engine_refusal bad_tunnel[] = { { 2, 6 }, { 2, 0 }, { 4, 0 }, { 6, 0 } };
	static const struct engine_refusal bad_session[] = { { 2, 6 }, { 2, 1 }, { 5, 0 }, { 4, 4 } };
	static const struct engine_refusal good_session[] = { { 2, 4 }, { 2, 7 }, { 4, 0 } };
	struct test_random rng;
	struct engine_config c, d;
	char why[128];

	test_random_init(&rng, 1);
	engine_config_defaults(&c);
	c.random = test_random_fill;
	c.random_arg = &rng;
	ck_assert_int_eq(engine_config_validate(&c, why, sizeof(why)), 0);
	for (size_t i = 0; i < 4; i++) {
		d = c;
		d.refuse_tunnel = bad_tunnel[i];
		expect_invalid(&d, "tunnel refusal");
		d = c;
		d.refuse_session = bad_session[i];
		expect_invalid(&d, "session refusal");
	}
	for (size_t i = 0; i < 3; i++) {
		d = c;
		d.refuse_session = good_session[i];
		d.refuse_tunnel = (struct engine_refusal){ 2, i == 1 ? 7 : 4 };
		ck_assert_int_eq(engine_config_validate(&d, why, sizeof(why)), 0);
	}
	d = c;
	d.xport.rtx_cap_ms = 7999;
	expect_invalid(&d, "8000");
	d.xport.rtx_cap_ms = 8000;
	ck_assert_int_eq(engine_config_validate(&d, why, sizeof(why)), 0);
	d.random = NULL;
	expect_invalid(&d, "random");
}
END_TEST

START_TEST(test_config_receive_window_validated)
{
	static const uint16_t bad[] = { 0, 257, 65535 }, good[] = { 1, 4, 256 };
	struct probe *p = probe_new(216);
	char why[128];

	for (size_t i = 0; i < 3; i++) {
		p->cfg.xport.rwin = bad[i];
		expect_invalid(&p->cfg, "receive window: 1 to 256");
		p->cfg.xport.rwin = good[i];
		ck_assert_int_eq(engine_config_validate(&p->cfg, why, sizeof(why)), 0);
	}
	probe_free(p);
}
END_TEST

/* --------------------------------------------------------- authentication ---- */

static const uint8_t peer_challenge[16] = "0123456789abcdef";

static void response_for(uint8_t type, const char *secret, const struct blob *challenge, uint8_t out[16])
{
	struct blob s = blob_from_str(secret);

	auth_challenge_response(type, &s, challenge, out);
}

/* Receiver with a secret: the peer challenges in SCCRQ; we answer and challenge back. */
static struct blob auth_sccrq(struct probe *p)
{
	const struct blob pc = { peer_challenge, sizeof(peer_challenge) };
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint8_t want[16];

	probe_sccrq(p, &m);
	msg_set_present(&m, L2TP_AVP_CHALLENGE);
	m.challenge = pc;
	r = probe_answered(p, &m);
	ck_assert(msg_has(r, L2TP_AVP_CHALLENGE_RESPONSE));
	response_for(L2TP_MSG_SCCRP, SECRET, &pc, want);
	ck_assert_int_eq(memcmp(r->challenge_response, want, 16), 0);
	ck_assert(msg_has(r, L2TP_AVP_CHALLENGE));
	ck_assert_uint_ge(r->challenge.len, 1);
	return r->challenge;
}

static void auth_scccn(struct probe *p, const struct blob *challenge, const char *secret)
{
	struct l2tp_msg m;

	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	if (secret) {
		msg_set_present(&m, L2TP_AVP_CHALLENGE_RESPONSE);
		response_for(L2TP_MSG_SCCCN, secret, challenge, m.challenge_response);
	}
	probe_send(p, &m);
}

static void check_auth_refused(struct probe *p)
{
	probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_NOT_AUTHORIZED, 0);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, TUNNEL_UP), 0);
	probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_NOT_AUTHORIZED, false);
	ck_assert_uint_eq(probe_stats(p).auth_failures, 1);
	ck_assert_uint_eq(probe_stats(p).tunnels_established, 0);
}

static struct probe *with_secret(uint64_t seed)
{
	struct probe *p = probe_new(seed);

	p->cfg.secret = SECRET;
	probe_start(p);
	return p;
}

START_TEST(test_auth_receiver_ok)
{
	struct probe *p = with_secret(40);
	struct blob ch = auth_sccrq(p); /* points into the probe's copy of the SCCRP */

	auth_scccn(p, &ch, SECRET);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	probe_one(p, ENGINE_TUNNEL_UP);
	ck_assert_uint_eq(probe_stats(p).auth_failures, 0);
	probe_free(p);
}
END_TEST

START_TEST(test_auth_receiver_wrong_response)
{
	struct probe *p = with_secret(41);
	struct blob ch = auth_sccrq(p);

	auth_scccn(p, &ch, "not-the-secret");
	check_auth_refused(p);
	probe_free(p);
}
END_TEST

START_TEST(test_auth_receiver_missing_response)
{
	struct probe *p = with_secret(42);

	(void)auth_sccrq(p);
	auth_scccn(p, NULL, NULL);
	check_auth_refused(p);
	probe_free(p);
}
END_TEST

/* Originator: our SCCRQ challenges; the SCCRP's response is checked with ID 2. */
static void auth_originate(struct probe *p, uint8_t response_type, bool peer_challenges)
{
	const struct blob pc = { peer_challenge, sizeof(peer_challenge) };
	const struct l2tp_msg *r;
	struct l2tp_msg m;

	r = probe_opened(p);
	ck_assert(msg_has(r, L2TP_AVP_CHALLENGE));
	probe_sccrp(p, &m);
	msg_set_present(&m, L2TP_AVP_CHALLENGE_RESPONSE);
	response_for(response_type, SECRET, &r->challenge, m.challenge_response);
	if (peer_challenges) {
		msg_set_present(&m, L2TP_AVP_CHALLENGE);
		m.challenge = pc;
	}
	probe_send(p, &m);
}

START_TEST(test_auth_originator_ok)
{
	struct probe *p = with_secret(43);
	const struct blob pc = { peer_challenge, sizeof(peer_challenge) };
	const struct l2tp_msg *r;
	uint8_t want[16];

	auth_originate(p, L2TP_MSG_SCCRP, true);
	r = probe_expect(p, L2TP_MSG_SCCCN);
	ck_assert(msg_has(r, L2TP_AVP_CHALLENGE_RESPONSE));
	response_for(L2TP_MSG_SCCCN, SECRET, &pc, want);
	ck_assert_int_eq(memcmp(r->challenge_response, want, 16), 0);
	probe_one(p, ENGINE_TUNNEL_UP);
	probe_free(p);
}
END_TEST

/* A response computed with the wrong ID (a reflected SCCCN-style answer) is wrong too. */
START_TEST(test_auth_originator_wrong_response)
{
	struct probe *p = with_secret(44);

	auth_originate(p, L2TP_MSG_SCCCN, false);
	check_auth_refused(p);
	ck_assert_uint_eq(COUNT(p, KERNEL_TUNNEL_CREATE), 0);
	probe_free(p);
}
END_TEST

START_TEST(test_auth_challenged_without_secret)
{
	struct probe *p = probe_started(45);
	struct l2tp_msg m;

	probe_sccrq(p, &m);
	msg_set_present(&m, L2TP_AVP_CHALLENGE);
	m.challenge = (struct blob){ peer_challenge, sizeof(peer_challenge) };
	probe_send(p, &m);
	check_auth_refused(p);
	probe_free(p);
}
END_TEST

/* A per-peer secret with hiding: our hideable AVPs are hidden and decode with the secret. */
START_TEST(test_auth_hidden_avps_per_peer)
{
	struct probe *p = probe_new(46);
	const struct engine_action *a;
	const struct l2tp_msg *r;
	struct proto_error err;
	struct l2tp_msg m, bare;
	uint8_t raw[PROBE_BUF];

	p->peer_cfg = (struct engine_peer_config){ .addr = p->peer, .secret = "per-peer", .hide_avps = true };
	p->cfg.peers = &p->peer_cfg;
	p->cfg.n_peers = 1;
	p->secret = "per-peer";
	probe_start(p);
	/* The peer hides its Assigned Tunnel ID too: the engine must read it with the secret. */
	probe_sccrq(p, &m);
	msg_set_present(&m, L2TP_AVP_RANDOM_VECTOR);
	m.random_vector = (struct blob){ peer_challenge, 16 };
	msg_set_hidden(&m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	probe_send(p, &m);
	r = probe_expect(p, L2TP_MSG_SCCRP);
	ck_assert(msg_has(r, L2TP_AVP_RANDOM_VECTOR));
	ck_assert(msg_is_hidden(r, L2TP_AVP_ASSIGNED_TUNNEL_ID));
	ck_assert(msg_is_hidden(r, L2TP_AVP_FRAMING_CAPABILITIES));
	ck_assert(msg_is_hidden(r, L2TP_AVP_CHALLENGE));
	ck_assert(!msg_is_hidden(r, L2TP_AVP_HOST_NAME));
	ck_assert(!msg_is_hidden(r, L2TP_AVP_PROTOCOL_VERSION));
	ck_assert_uint_ne(r->assigned_tunnel_id, 0);
	/* Without the secret the same bytes do not decode (hidden mandatory AVPs). */
	a = probe_action(p, ENGINE_SEND, 0);
	memcpy(raw, a->send.buf, a->send.len);
	ck_assert_int_lt(decode_control(raw, a->send.len, NULL, &bare, &err), 0);
	probe_free(p);
}
END_TEST

/* ------------------------------------------------------------- tie breaker ---- */

static void check_we_yield(struct probe *p, uint16_t ours)
{
	const struct l2tp_msg *r = probe_expect(p, L2TP_MSG_SCCRP);

	ck_assert_uint_eq(r->nr, 1);
	ck_assert_uint_ne(r->assigned_tunnel_id, ours);
	ALL_SENT(p);
	probe_tie_lost(p, ours);
	ck_assert_uint_eq(probe_stats(p).tunnels, 1);
}

static void check_we_win(struct probe *p)
{
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), 0);
	ck_assert_uint_eq(COUNT(p, TUNNEL_RELEASED), 0);
	ck_assert_uint_eq(probe_stats(p).tie_breaks_lost, 0);
	ck_assert_uint_eq(probe_stats(p).tunnels, 1);
	/* Ours carries on: its SCCRQ is still retransmitted. */
	p->ns = 0;
	probe_tick(p, T0 + 1000);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_SCCRQ)->assigned_tunnel_id, p->tid);
}

START_TEST(test_tie_peer_lower_we_yield)
{
	struct probe *p = probe_started(29);
	uint8_t ours[8], lower[8] = { 0 };

	ck_assert(probe_open_for_tie(p, ours));
	ck_assert_int_lt(memcmp(lower, ours, 8), 0);
	probe_peer_sccrq_tb(p, lower);
	check_we_yield(p, p->tid);
	probe_free(p);
}
END_TEST

START_TEST(test_tie_peer_higher_we_win)
{
	struct probe *p = probe_started(30);
	uint8_t ours[8], higher[8];

	memset(higher, 0xff, sizeof(higher));
	ck_assert(probe_open_for_tie(p, ours));
	ck_assert_int_gt(memcmp(higher, ours, 8), 0);
	probe_peer_sccrq_tb(p, higher);
	check_we_win(p);
	probe_free(p);
}
END_TEST

START_TEST(test_tie_equal_both_drop)
{
	struct probe *p = probe_started(31);
	uint8_t ours[8];

	ck_assert(probe_open_for_tie(p, ours));
	probe_peer_sccrq_tb(p, ours);
	ALL_SENT(p);
	probe_tie_lost(p, p->tid);
	ck_assert_uint_eq(probe_stats(p).tunnels, 0);
	probe_free(p);
}
END_TEST

START_TEST(test_tie_peer_sent_none)
{
	struct probe *p = probe_started(32);
	uint8_t ours[8];

	ck_assert(probe_open_for_tie(p, ours));
	probe_peer_sccrq_tb(p, NULL);
	check_we_win(p);
	probe_free(p);
}
END_TEST

START_TEST(test_tie_we_sent_none)
{
	struct probe *p = probe_new(33);
	uint8_t ours[8], theirs[8];

	memset(theirs, 0xee, sizeof(theirs));
	p->cfg.send_tie_breaker = false;
	probe_start(p);
	ck_assert(!probe_open_for_tie(p, ours));
	probe_peer_sccrq_tb(p, theirs);
	check_we_yield(p, p->tid);
	probe_free(p);
}
END_TEST

START_TEST(test_tie_neither_two_tunnels)
{
	struct probe *p = probe_new(34);
	uint8_t ours[8];

	p->cfg.send_tie_breaker = false;
	probe_start(p);
	ck_assert(!probe_open_for_tie(p, ours));
	probe_peer_sccrq_tb(p, NULL);
	probe_expect(p, L2TP_MSG_SCCRP);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, TUNNEL_RELEASED), 0);
	ck_assert_uint_eq(probe_stats(p).tunnels, 2);
	probe_free(p);
}
END_TEST

/* RFC 2661 §7.2.1: the call waiting on our losing tunnel rides on the peer's instead. */
START_TEST(test_tie_call_moves_to_new_tunnel)
{
	struct probe *p = probe_started(35);
	const struct engine_action *a;
	const struct l2tp_msg *r;
	uint8_t ours[8], lower[8] = { 0 };
	uint16_t old_tid, sid;
	struct l2tp_msg m;

	ck_assert(probe_open_for_tie(p, ours));
	old_tid = p->tid;
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid), 0);
	ALL_SENT(p);
	probe_peer_sccrq_tb(p, lower);
	r = probe_expect(p, L2TP_MSG_SCCRP);
	p->tid = r->assigned_tunnel_id;
	ALL_SENT(p);
	probe_tie_lost(p, old_tid);
	ck_assert_uint_eq(COUNT(p, SESSION_DOWN), 0);
	ck_assert_uint_eq(probe_stats(p).sessions, 1);

	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_one(p, ENGINE_TUNNEL_UP)->tunnel_id, p->tid);
	r = probe_expect(p, L2TP_MSG_ICRQ);
	ck_assert_uint_eq(r->ns, 1);
	sid = r->assigned_session_id;
	ALL_SENT(p);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	probe_reply(p, &m, L2TP_MSG_ICRP, sid, 0x42);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_ICCN)->session_id, 0x42);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	a = probe_one(p, ENGINE_SESSION_UP);
	ck_assert_uint_eq(a->tunnel_id, p->tid);
	ck_assert_uint_eq(a->session_id, sid);
	probe_free(p);
}
END_TEST

/*
 * The losing tunnel is replaced by the peer's, not added to it, so it does not count against
 * max_tunnels: at the limit the peer's SCCRQ is still answered.
 */
START_TEST(test_tie_loser_frees_its_tunnel_slot)
{
	struct probe *p = probe_new(36);
	uint8_t ours[8], lower[8] = { 0 };

	p->cfg.limits.max_tunnels = 1;
	probe_start(p);
	ck_assert(probe_open_for_tie(p, ours));
	probe_peer_sccrq_tb(p, lower);
	probe_expect(p, L2TP_MSG_SCCRP);
	ck_assert_uint_eq(probe_stats(p).tunnels, 1);
	ck_assert_uint_eq(probe_stats(p).tunnels_refused, 0);
	probe_free(p);
}
END_TEST

/*
 * Calls waiting on two losing tunnels move to the winner only up to max_sessions_per_tunnel;
 * the rest end (CDN result 4, never sent: the peer never heard of them) and get no ICRQ.
 */
START_TEST(test_tie_moved_calls_within_tunnel_limit)
{
	struct probe *p = probe_new(37);
	uint8_t tb[8], lower[8] = { 0 };
	uint16_t tid[2], sid[4];
	const struct engine_action *a;
	struct l2tp_msg m;
	int gone;

	p->cfg.limits.max_sessions_per_tunnel = 2;
	probe_start(p);
	for (int t = 0; t < 2; t++) {
		ck_assert(probe_open_for_tie(p, tb));
		tid[t] = p->tid;
		for (int i = 0; i < 2; i++)
			ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid[2 * t + i]), 0);
	}
	probe_peer_sccrq_tb(p, lower);
	p->tid = probe_expect(p, L2TP_MSG_SCCRP)->assigned_tunnel_id;
	ALL_SENT(p);
	ck_assert(COUNT(p, TUNNEL_RELEASED) == 2 && COUNT(p, SESSION_DOWN) == 2);
	/* The calls of one losing tunnel fit; those of the other end. */
	gone = probe_action(p, ENGINE_SESSION_DOWN, 0)->tunnel_id == tid[0] ? 0 : 1;
	for (size_t i = 0; i < 2; i++) {
		a = probe_action(p, ENGINE_SESSION_DOWN, i);
		ck_assert_uint_eq(a->tunnel_id, tid[gone]);
		ck_assert(a->session_id == sid[2 * gone] || a->session_id == sid[2 * gone + 1]);
		ck_assert_uint_eq(a->down.why.result, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY);
		ck_assert_uint_eq(a->down.why.error, 0);
		ck_assert(!a->down.by_peer);
	}
	ck_assert_uint_ne(probe_action(p, ENGINE_SESSION_DOWN, 0)->session_id,
			  probe_action(p, ENGINE_SESSION_DOWN, 1)->session_id);
	ck_assert_uint_eq(probe_stats(p).sessions, 2);

	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	probe_send(p, &m);
	probe_one(p, ENGINE_TUNNEL_UP);
	for (int i = 0; i < 2; i++) {
		uint16_t id = probe_expect(p, L2TP_MSG_ICRQ)->assigned_session_id;

		ck_assert(id == sid[2 * (1 - gone)] || id == sid[2 * (1 - gone) + 1]);
	}
	ALL_SENT(p);
	probe_zlb(p); /* the window opens: still nothing for the calls that ended */
	ALL_SENT(p);
	probe_free(p);
}
END_TEST

/* ---------------------------------------------------------------------- IDs ---- */

static void zero_random(void *arg, void *buf, size_t n)
{
	memset(buf, 0, n);
}

static void constant_random(void *arg, void *buf, size_t n)
{
	memset(buf, 0x42, n);
}

/* Tunnel and session IDs are never 0 (RFC 2661 §4.4.3, §4.4.4), whatever the random source. */
START_TEST(test_ids_never_zero)
{
	struct probe *p = probe_new(211);
	const struct l2tp_msg *r;
	struct l2tp_msg m;

	p->cfg.random = zero_random;
	p->cfg.limits.max_tunnels = 2;
	probe_start(p);
	probe_accept_tunnel(p);
	ck_assert_uint_eq(p->tid, 1);
	ck_assert_uint_eq(probe_lns_call(p, 0x10), 1);
	ck_assert_uint_eq(probe_lns_call(p, 0x11), 2);
	other_peer(p, 3, 0x5000);
	probe_accept_tunnel(p);
	ck_assert_uint_eq(p->tid, 2);
	ck_assert_uint_eq(probe_lns_call(p, 0x10), 1);
	/* A refusal's stand-in ID is not 0 either. */
	other_peer(p, 4, 0x6000);
	probe_sccrq(p, &m);
	probe_send(p, &m);
	r = probe_expect(p, L2TP_MSG_STOPCCN);
	ck_assert_uint_eq(r->assigned_tunnel_id, 1);
	probe_free(p);
}
END_TEST

/* Runs the engine's timers until nothing is scheduled (an unanswered tunnel gives up). */
static void run_out(struct probe *p)
{
	while (engine_next_deadline(p->e) != UINT64_MAX)
		probe_tick(p, engine_next_deadline(p->e));
}

START_TEST(test_tunnel_id_quarantine)
{
	struct probe *p = probe_new(212);

	p->cfg.random = constant_random;
	probe_start(p);
	probe_opened(p);
	ck_assert_uint_eq(p->tid, 0x4242);
	run_out(p);
	ck_assert_uint_eq(p->now, T0 + 31000);
	probe_opened(p);
	ck_assert_uint_ne(p->tid, 0x4242);
	run_out(p);
	/* 0x4242 is out of quarantine 60 s after it was freed, not a millisecond before. */
	p->now = T0 + 31000 + 60000 - 1;
	probe_opened(p);
	ck_assert_uint_ne(p->tid, 0x4242);
	p->now++;
	probe_opened(p);
	ck_assert_uint_eq(p->tid, 0x4242);
	probe_free(p);
}
END_TEST

START_TEST(test_session_id_quarantine)
{
	struct probe *p = probe_new(213);
	struct l2tp_msg m;
	uint16_t sid;

	p->cfg.random = constant_random;
	probe_start(p);
	probe_accept_tunnel(p);
	sid = probe_lns_call(p, 0x10);
	ck_assert_uint_eq(sid, 0x4242);
	probe_cdn(p, &m, sid, 0x10, L2TP_RC_CDN_LOST_CARRIER, 0);
	probe_send(p, &m);
	ck_assert_uint_ne(probe_lns_call(p, 0x11), 0x4242);
	p->now = T0 + 60000 - 1;
	ck_assert_uint_ne(probe_lns_call(p, 0x12), 0x4242);
	p->now++;
	ck_assert_uint_eq(probe_lns_call(p, 0x13), 0x4242);
	probe_free(p);
}
END_TEST

Suite *suite_engine_limits(void)
{
	Suite *s = suite_create("engine_limits");
	TCase *lim = tcase_create("limits"), *auth = tcase_create("auth"), *tie = tcase_create("tie_breaker");
	TCase *ids = tcase_create("ids");

	tcase_add_test(lim, test_max_tunnels_refused_stateless);
	tcase_add_test(lim, test_max_tunnels_try_another);
	tcase_add_test(lim, test_accept_tunnels_false);
	tcase_add_test(lim, test_bad_sccrq_refused_stateless);
	tcase_add_test(lim, test_max_sessions_per_tunnel);
	tcase_add_test(lim, test_max_sessions_in_all);
	tcase_add_test(lim, test_session_rate_burst_then_refill);
	tcase_add_test(lim, test_session_refusal_codes);
	tcase_add_test(lim, test_ocrq_refused_when_not_accepting);
	tcase_add_test(lim, test_config_refusal_codes_validated);
	tcase_add_test(auth, test_auth_receiver_ok);
	tcase_add_test(auth, test_auth_receiver_wrong_response);
	tcase_add_test(auth, test_auth_receiver_missing_response);
	tcase_add_test(auth, test_auth_originator_ok);
	tcase_add_test(auth, test_auth_originator_wrong_response);
	tcase_add_test(auth, test_auth_challenged_without_secret);
	tcase_add_test(auth, test_auth_hidden_avps_per_peer);
	tcase_add_test(tie, test_tie_peer_lower_we_yield);
	tcase_add_test(tie, test_tie_peer_higher_we_win);
	tcase_add_test(tie, test_tie_equal_both_drop);
	tcase_add_test(tie, test_tie_peer_sent_none);
	tcase_add_test(tie, test_tie_we_sent_none);
	tcase_add_test(tie, test_tie_neither_two_tunnels);
	tcase_add_test(tie, test_tie_call_moves_to_new_tunnel);
	tcase_add_test(ids, test_ids_never_zero);
	tcase_add_test(ids, test_tunnel_id_quarantine);
	tcase_add_test(ids, test_session_id_quarantine);
	tcase_add_test(tie, test_tie_loser_frees_its_tunnel_slot);
	tcase_add_test(tie, test_tie_moved_calls_within_tunnel_limit);
	tcase_add_test(lim, test_unacked_refusals_clear_tunnel);
	tcase_add_test(lim, test_config_receive_window_validated);
	suite_add_tcase(s, lim);
	suite_add_tcase(s, auth);
	suite_add_tcase(s, tie);
	suite_add_tcase(s, ids);
	return s;
}
