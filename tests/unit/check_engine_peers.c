/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who may become a peer, end to end through the engine: tunnel authentication (RFC 2661
 * §5.1.1, hidden AVPs §4.3) and the tie breaker between two SCCRQs (§7.2.1), including what
 * happens to calls that waited on the losing tunnel.
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

/* Challenged without a secret for the peer: refused before any state (no tunnel, no slot). */
START_TEST(test_auth_challenged_without_secret)
{
	struct probe *p = probe_started(45);
	struct l2tp_msg m;

	probe_sccrq(p, &m);
	msg_set_present(&m, L2TP_AVP_CHALLENGE);
	m.challenge = (struct blob){ peer_challenge, sizeof(peer_challenge) };
	probe_send(p, &m);
	probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_NOT_AUTHORIZED, 0);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), 0);
	ck_assert_uint_eq(probe_stats(p).tunnels, 0);
	ck_assert_uint_eq(probe_stats(p).auth_failures, 1);
	ck_assert_uint_eq(engine_next_deadline(p->e), UINT64_MAX);
	probe_free(p);
}
END_TEST

/*
 * A per-peer secret with hiding: the set-up messages go in clear (the peer cannot unhide before
 * it looked the secret up by our Host Name), every later message hides its hideable AVPs,
 * which decode with the secret only.
 */
START_TEST(test_auth_hidden_avps_per_peer)
{
	static const uint8_t peer_rv[16] = "fedcba9876543210";
	const struct blob pc = { peer_challenge, sizeof(peer_challenge) };
	struct probe *p = probe_new(46);
	const struct engine_action *a;
	const struct l2tp_msg *r;
	struct proto_error err;
	struct l2tp_msg m, bare;
	uint8_t raw[PROBE_BUF];
	struct blob ours;

	p->peer_cfg = (struct engine_peer_config){ .addr = p->peer, .secret = "per-peer", .hide_avps = true };
	p->cfg.peers = &p->peer_cfg;
	p->cfg.n_peers = 1;
	p->secret = "per-peer";
	probe_start(p);
	/* The peer hides its Assigned Tunnel ID even in SCCRQ: the engine reads it with the secret. */
	probe_sccrq(p, &m);
	msg_set_present(&m, L2TP_AVP_RANDOM_VECTOR);
	m.random_vector = (struct blob){ peer_rv, 16 };
	msg_set_hidden(&m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	msg_set_present(&m, L2TP_AVP_CHALLENGE);
	m.challenge = pc;
	r = probe_answered(p, &m);
	ck_assert(!msg_has(r, L2TP_AVP_RANDOM_VECTOR));
	ck_assert_uint_eq(r->hidden, 0);
	ck_assert_uint_ne(r->assigned_tunnel_id, 0);
	ours = r->challenge;
	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	msg_set_present(&m, L2TP_AVP_CHALLENGE_RESPONSE);
	response_for(L2TP_MSG_SCCCN, "per-peer", &ours, m.challenge_response);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	probe_one(p, ENGINE_TUNNEL_UP);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	probe_begin(p);
	/* An incoming call: the ICRP hides its Assigned Session ID behind a Random Vector. */
	probe_icrq(p, &m, 77);
	probe_send(p, &m);
	r = probe_expect(p, L2TP_MSG_ICRP);
	ck_assert(msg_has(r, L2TP_AVP_RANDOM_VECTOR));
	ck_assert(msg_is_hidden(r, L2TP_AVP_ASSIGNED_SESSION_ID));
	ck_assert_uint_ne(r->assigned_session_id, 0);
	/* Without the secret the same bytes do not decode (a hidden mandatory AVP). */
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

Suite *suite_engine_peers(void)
{
	Suite *s = suite_create("engine_peers");
	TCase *auth = tcase_create("auth");
	TCase *tie = tcase_create("tie_breaker");

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
	tcase_add_test(tie, test_tie_loser_frees_its_tunnel_slot);
	tcase_add_test(tie, test_tie_moved_calls_within_tunnel_limit);
	suite_add_tcase(s, auth);
	suite_add_tcase(s, tie);
	return s;
}
