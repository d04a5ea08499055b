/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's call state machines end to end (RFC 2661 §7.4, §7.5): LAC and LNS, incoming
 * and outgoing calls, from the first message to the kernel session and PPP (SESSION_UP),
 * and every way a call ends: CDN either way with Result, Error, message and Q.931 cause,
 * unexpected messages, kernel failure, pppd exit, the tunnel's end. WEN and SLI are passed on.
 */
#include <errno.h>
#include <string.h>

#include "engine_probe.h"
#include "l2tp/result.h"
#include "suites.h"

#define ALL_SENT(p)  probe_expect_no_send(p)
#define COUNT(p, ty) probe_count((p), ENGINE_##ty)
#define PEER_SID     0x1001

static const uint8_t lcp_initial[] = { 0x01, 0x01, 0x00, 0x0a, 0x05, 0x06, 0x12, 0x34, 0x56, 0x78 };
static const uint8_t lcp_sent[] = { 0x01, 0x02, 0x00, 0x08, 0x01, 0x04, 0x05, 0xd4 };
static const uint8_t lcp_received[] = { 0x01, 0x03, 0x00, 0x04 };
static const uint8_t chap_challenge[] = "challenge-bytes!";
static const uint8_t chap_response[] = "0123456789abcdef";

#define BLOB_OF(a) ((struct blob){ (a), sizeof(a) })

static void check_blob(const struct blob *b, const void *want, size_t len)
{
	ck_assert_uint_eq(b->len, len);
	ck_assert_int_eq(memcmp(b->ptr, want, len), 0);
}

static void check_str(const struct blob *b, const char *want)
{
	check_blob(b, want, strlen(want));
}

/* A call as a LAC sees it: numbers, and what PPP already did on the line (proxy LCP/auth). */
static struct engine_call_info lac_info(void)
{
	return (struct engine_call_info){
		.bearer_type = L2TP_BEARER_ANALOG,
		.framing_type = L2TP_FRAMING_ASYNC,
		.tx_connect_speed = 2000000,
		.physical_channel_id = 7,
		.calling_number = blob_from_str("0301234567"),
		.called_number = blob_from_str("100"),
		.initial_received_lcp_confreq = BLOB_OF(lcp_initial),
		.last_sent_lcp_confreq = BLOB_OF(lcp_sent),
		.last_received_lcp_confreq = BLOB_OF(lcp_received),
		.proxy_authen = true,
		.proxy_authen_type = L2TP_PROXY_AUTHEN_CHAP,
		.proxy_authen_id = 5,
		.proxy_authen_name = blob_from_str("alice"),
		.proxy_authen_challenge = BLOB_OF(chap_challenge),
		.proxy_authen_response = BLOB_OF(chap_response),
	};
}

/* Proxy LCP and authentication as the ICCN of lac_info() carries them. */
static void check_proxy_msg(const struct l2tp_msg *m)
{
	check_blob(&m->initial_received_lcp_confreq, lcp_initial, sizeof(lcp_initial));
	check_blob(&m->last_sent_lcp_confreq, lcp_sent, sizeof(lcp_sent));
	check_blob(&m->last_received_lcp_confreq, lcp_received, sizeof(lcp_received));
	ck_assert(msg_has(m, L2TP_AVP_PROXY_AUTHEN_TYPE));
	ck_assert_uint_eq(m->proxy_authen_type, L2TP_PROXY_AUTHEN_CHAP);
	ck_assert_uint_eq(m->proxy_authen_id, 5);
	check_str(&m->proxy_authen_name, "alice");
	check_blob(&m->proxy_authen_challenge, chap_challenge, sizeof(chap_challenge));
	check_blob(&m->proxy_authen_response, chap_response, sizeof(chap_response));
}

static const struct engine_action *check_kernel_request(const struct probe *p, uint16_t sid,
							uint16_t peer_sid, bool lns, bool seq)
{
	const struct engine_action *a = probe_one(p, ENGINE_KERNEL_SESSION_CREATE);

	ck_assert_uint_eq(a->tunnel_id, p->tid);
	ck_assert_uint_eq(a->peer_tunnel_id, PROBE_PEER_TID);
	ck_assert_uint_eq(a->session_id, sid);
	ck_assert_uint_eq(a->peer_session_id, peer_sid);
	ck_assert_int_eq(a->kernel_session.lns_mode, lns);
	ck_assert_int_eq(a->kernel_session.send_seq, seq);
	ck_assert_int_eq(a->kernel_session.recv_seq, seq);
	return a;
}

static const struct engine_action *check_up(const struct probe *p, uint16_t sid, uint16_t peer_sid, bool lns,
					    enum engine_call_direction dir)
{
	const struct engine_action *a = probe_one(p, ENGINE_SESSION_UP);

	ck_assert_uint_eq(a->tunnel_id, p->tid);
	ck_assert_uint_eq(a->session_id, sid);
	ck_assert_uint_eq(a->peer_session_id, peer_sid);
	ck_assert_int_eq(a->session_up.lns, lns);
	ck_assert_int_eq(a->session_up.direction, dir);
	ck_assert_ptr_nonnull(a->session_up.info);
	return a;
}

/* ------------------------------------------------------------ LAC incoming ---- */

START_TEST(test_lac_incoming_call)
{
	struct probe *p = probe_started(101);
	struct engine_call_info info = lac_info();
	const struct engine_action *a;
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint32_t serial;
	uint16_t sid;

	probe_open_tunnel(p);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, &info, &sid), 0);
	ck_assert_uint_ne(sid, 0);
	r = probe_expect(p, L2TP_MSG_ICRQ);
	ck_assert_uint_eq(r->session_id, 0);
	ck_assert_uint_eq(r->assigned_session_id, sid);
	ck_assert(msg_has(r, L2TP_AVP_CALL_SERIAL_NUMBER));
	serial = r->call_serial_number;
	ck_assert_uint_eq(r->bearer_type, L2TP_BEARER_ANALOG);
	ck_assert_uint_eq(r->physical_channel_id, 7);
	check_str(&r->calling_number, "0301234567");
	check_str(&r->called_number, "100");
	ck_assert(!msg_has(r, L2TP_AVP_SUB_ADDRESS));
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).sessions, 1);

	probe_reply(p, &m, L2TP_MSG_ICRP, sid, PEER_SID);
	probe_send(p, &m);
	r = probe_expect(p, L2TP_MSG_ICCN);
	ck_assert_uint_eq(r->session_id, PEER_SID);
	ck_assert_uint_eq(r->framing_type, L2TP_FRAMING_ASYNC);
	ck_assert_uint_eq(r->tx_connect_speed, 2000000);
	ck_assert(!msg_has(r, L2TP_AVP_SEQUENCING_REQUIRED));
	check_proxy_msg(r);
	ALL_SENT(p);
	check_kernel_request(p, sid, PEER_SID, false, false);
	ck_assert_uint_eq(COUNT(p, SESSION_UP), 0);

	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	a = check_up(p, sid, PEER_SID, false, ENGINE_CALL_INCOMING);
	ck_assert_uint_eq(a->session_up.call_serial, serial);
	check_str(&a->session_up.info->calling_number, "0301234567");
	ck_assert_uint_eq(probe_stats(p).sessions_established, 1);

	/* The LNS clears the call with a Q.931 cause. */
	probe_cdn(p, &m, sid, PEER_SID, L2TP_RC_CDN_GENERAL_ERROR, L2TP_EC_VENDOR);
	m.result_code.message = blob_from_str("radius reject");
	msg_set_present(&m, L2TP_AVP_Q931_CAUSE_CODE);
	m.q931_cause_code.cause = 16;
	m.q931_cause_code.msg = 0x45;
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	a = probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_GENERAL_ERROR, true);
	ck_assert_uint_eq(a->session_id, sid);
	ck_assert_uint_eq(a->down.why.error, L2TP_EC_VENDOR);
	ck_assert_str_eq(a->down.why.message, "radius reject");
	ck_assert(a->down.why.q931);
	ck_assert_uint_eq(a->down.why.q931_cause, 16);
	ck_assert_uint_eq(a->down.why.q931_msg, 0x45);
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_SESSION_DELETE)->session_id, sid);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	ck_assert_uint_eq(probe_stats(p).sessions_established, 0);
	probe_free(p);
}
END_TEST

/* RFC 2661 §7.4.1 wait-tunnel: the ICRQ waits for the tunnel, the kernel session for its tunnel. */
START_TEST(test_lac_call_waits_for_tunnel_and_kernel)
{
	struct probe *p = probe_started(102);
	struct engine_kernel_result kt = { .request = ENGINE_KERNEL_TUNNEL_CREATE };
	struct l2tp_msg m;
	uint16_t sid;

	ck_assert_int_eq(probe_open(p), 0);
	probe_expect(p, L2TP_MSG_SCCRQ);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid), 0);
	ALL_SENT(p);
	probe_sccrp(p, &m);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_SCCCN)->ns, 1);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_ICRQ)->assigned_session_id, sid);
	ALL_SENT(p);
	probe_one(p, ENGINE_KERNEL_TUNNEL_CREATE);
	probe_reply(p, &m, L2TP_MSG_ICRP, sid, PEER_SID);
	probe_send(p, &m);
	probe_expect(p, L2TP_MSG_ICCN);
	ck_assert_uint_eq(COUNT(p, KERNEL_SESSION_CREATE), 0);
	probe_begin(p);
	kt.tunnel_id = p->tid;
	engine_kernel_done(p->e, p->now, &kt);
	check_kernel_request(p, sid, PEER_SID, false, false);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	check_up(p, sid, PEER_SID, false, ENGINE_CALL_INCOMING);
	probe_free(p);
}
END_TEST

START_TEST(test_lac_sequencing_required)
{
	struct probe *p = probe_started(103);
	struct engine_call_info info = { .sequencing_required = true };
	struct l2tp_msg m;
	uint16_t sid;

	probe_open_tunnel(p);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, &info, &sid), 0);
	probe_reply(p, &m, L2TP_MSG_ICRP, sid, PEER_SID);
	probe_send(p, &m);
	ck_assert(msg_has(probe_expect(p, L2TP_MSG_ICCN), L2TP_AVP_SEQUENCING_REQUIRED));
	/* A LAC follows the LNS's sequencing: not in LNS mode, but it asked for sequencing. */
	check_kernel_request(p, sid, PEER_SID, false, true);
	probe_free(p);
}
END_TEST

START_TEST(test_lac_close_in_wait_tunnel)
{
	struct probe *p = probe_started(104);
	struct engine_disconnect why = { .result = L2TP_RC_CDN_ADMINISTRATIVE };
	struct l2tp_msg m;
	uint16_t sid;

	ck_assert_int_eq(probe_open(p), 0);
	probe_expect(p, L2TP_MSG_SCCRQ);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid), 0);
	probe_begin(p);
	ck_assert_int_eq(engine_close_session(p->e, p->now, p->tid, sid, &why), 0);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_ADMINISTRATIVE, false)->session_id,
			  sid);
	ck_assert_uint_eq(COUNT(p, KERNEL_SESSION_DELETE), 0);
	probe_sccrp(p, &m);
	probe_send(p, &m);
	probe_expect(p, L2TP_MSG_SCCCN);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	probe_free(p);
}
END_TEST

/* RFC 2661 §7.4.1 established: ICRP again is out of place: CDN, clean up. */
START_TEST(test_icrp_on_established_session)
{
	struct probe *p = probe_started(105);
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint16_t sid;

	probe_open_tunnel(p);
	sid = probe_lac_call(p, PEER_SID);
	probe_reply(p, &m, L2TP_MSG_ICRP, sid, PEER_SID);
	probe_send(p, &m);
	r = probe_expect(p, L2TP_MSG_CDN);
	ck_assert_uint_eq(r->session_id, PEER_SID);
	ck_assert_uint_eq(r->assigned_session_id, sid);
	ck_assert_uint_eq(r->result_code.result, L2TP_RC_CDN_GENERAL_ERROR);
	ALL_SENT(p);
	probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_GENERAL_ERROR, false);
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_SESSION_DELETE)->session_id, sid);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	ck_assert_uint_eq(probe_stats(p).tunnels_established, 1);
	probe_free(p);
}
END_TEST

/*
 * A call the peer acknowledged but never answers is given up after two retransmission
 * cycles (62 s) with CDN 10, not held for ever; the HELLO in between changes nothing.
 */
static void check_call_timeout(struct probe *p, uint16_t header_sid, uint16_t sid)
{
	const struct l2tp_msg *r;

	probe_zlb(p);
	ALL_SENT(p);
	ck_assert_uint_eq(engine_next_deadline(p->e), PROBE_T0 + 60000);
	probe_tick(p, PROBE_T0 + 60000);
	probe_expect(p, L2TP_MSG_HELLO);
	probe_zlb(p);
	ck_assert_uint_eq(engine_next_deadline(p->e), PROBE_T0 + 62000);
	probe_tick(p, PROBE_T0 + 61999);
	ALL_SENT(p);
	probe_tick(p, PROBE_T0 + 62000);
	r = probe_expect_result(p, L2TP_MSG_CDN, L2TP_RC_CDN_TIMEOUT, 0);
	ck_assert_uint_eq(r->session_id, header_sid);
	ck_assert_uint_eq(r->assigned_session_id, sid);
	ALL_SENT(p);
	probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_TIMEOUT, false);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	ck_assert_uint_eq(probe_stats(p).tunnels_established, 1);
}

START_TEST(test_lac_call_unanswered_times_out)
{
	struct probe *p = probe_started(109);
	uint16_t sid;

	probe_open_tunnel(p);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid), 0);
	probe_expect(p, L2TP_MSG_ICRQ);
	check_call_timeout(p, 0, sid);
	probe_free(p);
}
END_TEST

START_TEST(test_lns_call_never_connected_times_out)
{
	struct probe *p = probe_started(110);
	struct l2tp_msg m;
	uint16_t sid;

	probe_accept_tunnel(p);
	probe_icrq(p, &m, PEER_SID);
	probe_send(p, &m);
	sid = probe_expect(p, L2TP_MSG_ICRP)->assigned_session_id;
	check_call_timeout(p, PEER_SID, sid);
	probe_free(p);
}
END_TEST

/* RFC 2661 §7.4.1 wait-reply: the LNS refuses the call. */
START_TEST(test_lac_cdn_in_wait_reply)
{
	struct probe *p = probe_started(106);
	struct l2tp_msg m;
	uint16_t sid;

	probe_open_tunnel(p);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid), 0);
	probe_cdn(p, &m, sid, PEER_SID, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, true);
	ck_assert_uint_eq(COUNT(p, KERNEL_SESSION_DELETE), 0);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	probe_free(p);
}
END_TEST

/* RFC 2661 §7.4.1, wait-reply: an ICCN from the peer is cleaned up, without a CDN. */
START_TEST(test_lac_iccn_in_wait_reply_cleans_up)
{
	struct probe *p = probe_started(107);
	struct l2tp_msg m;
	uint16_t sid;

	probe_open_tunnel(p);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid), 0);
	probe_iccn(p, &m, sid);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_GENERAL_ERROR, true);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	probe_free(p);
}
END_TEST

/* RFC 2661 §7.4.2, §7.5.1: a reply for a call we do not have is answered with a CDN (2/5). */
START_TEST(test_reply_for_unknown_call_refused)
{
	struct probe *p = probe_started(108);
	const struct l2tp_msg *r;
	struct l2tp_msg m;

	probe_open_tunnel(p);
	probe_reply(p, &m, L2TP_MSG_ICRP, 0x1234, PEER_SID);
	probe_send(p, &m);
	r = probe_expect_result(p, L2TP_MSG_CDN, L2TP_RC_CDN_GENERAL_ERROR, L2TP_EC_BAD_SESSION_ID);
	ck_assert_uint_eq(r->session_id, PEER_SID);
	ck_assert_uint_ne(r->assigned_session_id, 0);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	probe_free(p);
}
END_TEST

/* ------------------------------------------------------------ LNS incoming ---- */

START_TEST(test_lns_incoming_call)
{
	struct probe *p = probe_new(111);
	const struct engine_call_info *i;
	const struct engine_action *a;
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint16_t sid;

	p->cfg.recv_timeout_ms = 250;
	probe_start(p);
	probe_accept_tunnel(p);
	probe_icrq(p, &m, PEER_SID);
	msg_set_present(&m, L2TP_AVP_CALLING_NUMBER);
	m.calling_number = blob_from_str("0301234567");
	msg_set_present(&m, L2TP_AVP_CALLED_NUMBER);
	m.called_number = blob_from_str("100");
	probe_send(p, &m);
	r = probe_expect(p, L2TP_MSG_ICRP);
	ck_assert_uint_eq(r->session_id, PEER_SID);
	sid = r->assigned_session_id;
	ck_assert_uint_ne(sid, 0);
	ALL_SENT(p);

	probe_iccn(p, &m, sid);
	msg_set_present(&m, L2TP_AVP_SEQUENCING_REQUIRED);
	msg_set_present(&m, L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ);
	m.initial_received_lcp_confreq = BLOB_OF(lcp_initial);
	msg_set_present(&m, L2TP_AVP_LAST_SENT_LCP_CONFREQ);
	m.last_sent_lcp_confreq = BLOB_OF(lcp_sent);
	msg_set_present(&m, L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ);
	m.last_received_lcp_confreq = BLOB_OF(lcp_received);
	msg_set_present(&m, L2TP_AVP_PROXY_AUTHEN_TYPE);
	m.proxy_authen_type = L2TP_PROXY_AUTHEN_CHAP;
	msg_set_present(&m, L2TP_AVP_PROXY_AUTHEN_ID);
	m.proxy_authen_id = 5;
	msg_set_present(&m, L2TP_AVP_PROXY_AUTHEN_NAME);
	m.proxy_authen_name = blob_from_str("alice");
	msg_set_present(&m, L2TP_AVP_PROXY_AUTHEN_CHALLENGE);
	m.proxy_authen_challenge = BLOB_OF(chap_challenge);
	msg_set_present(&m, L2TP_AVP_PROXY_AUTHEN_RESPONSE);
	m.proxy_authen_response = BLOB_OF(chap_response);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	a = check_kernel_request(p, sid, PEER_SID, true, true);
	ck_assert_uint_eq(a->kernel_session.recv_timeout_ms, 250);

	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	a = check_up(p, sid, PEER_SID, true, ENGINE_CALL_INCOMING);
	i = a->session_up.info;
	check_str(&i->calling_number, "0301234567");
	check_str(&i->called_number, "100");
	ck_assert_uint_eq(i->tx_connect_speed, 1000000);
	ck_assert_uint_eq(i->framing_type, L2TP_FRAMING_SYNC);
	ck_assert(i->sequencing_required);
	check_blob(&i->initial_received_lcp_confreq, lcp_initial, sizeof(lcp_initial));
	check_blob(&i->last_sent_lcp_confreq, lcp_sent, sizeof(lcp_sent));
	check_blob(&i->last_received_lcp_confreq, lcp_received, sizeof(lcp_received));
	ck_assert(i->proxy_authen);
	ck_assert_uint_eq(i->proxy_authen_type, L2TP_PROXY_AUTHEN_CHAP);
	ck_assert_uint_eq(i->proxy_authen_id, 5);
	check_str(&i->proxy_authen_name, "alice");
	check_blob(&i->proxy_authen_challenge, chap_challenge, sizeof(chap_challenge));
	check_blob(&i->proxy_authen_response, chap_response, sizeof(chap_response));
	ck_assert_uint_eq(probe_stats(p).sessions_established, 1);
	probe_free(p);
}
END_TEST

/* The LNS decides sequencing (RFC 2661 §5.4): configured on, without the LAC asking. */
START_TEST(test_lns_send_seq_configured)
{
	struct probe *p = probe_new(112);
	struct l2tp_msg m;
	uint16_t sid;

	p->cfg.lns_send_seq = true;
	probe_start(p);
	probe_accept_tunnel(p);
	probe_icrq(p, &m, PEER_SID);
	probe_send(p, &m);
	sid = probe_expect(p, L2TP_MSG_ICRP)->assigned_session_id;
	probe_iccn(p, &m, sid);
	probe_send(p, &m);
	check_kernel_request(p, sid, PEER_SID, true, true);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	ck_assert(!check_up(p, sid, PEER_SID, true, ENGINE_CALL_INCOMING)
			   ->session_up.info->sequencing_required);
	probe_free(p);
}
END_TEST

START_TEST(test_lns_session_waits_for_kernel_tunnel)
{
	struct probe *p = probe_started(113);
	struct engine_kernel_result kt = { .request = ENGINE_KERNEL_TUNNEL_CREATE };
	struct l2tp_msg m;
	uint16_t sid;

	probe_handshake(p);
	probe_icrq(p, &m, PEER_SID);
	probe_send(p, &m);
	sid = probe_expect(p, L2TP_MSG_ICRP)->assigned_session_id;
	probe_iccn(p, &m, sid);
	probe_send(p, &m);
	ck_assert_uint_eq(COUNT(p, KERNEL_SESSION_CREATE), 0);
	probe_begin(p);
	kt.tunnel_id = p->tid;
	engine_kernel_done(p->e, p->now, &kt);
	check_kernel_request(p, sid, PEER_SID, true, false);
	probe_free(p);
}
END_TEST

/* The LAC gives up before our ICRP reached it: its CDN names the call by its own ID only. */
START_TEST(test_lns_cdn_before_peer_knows_our_id)
{
	struct probe *p = probe_started(114);
	struct l2tp_msg m;
	uint16_t sid;

	probe_accept_tunnel(p);
	probe_icrq(p, &m, PEER_SID);
	probe_send(p, &m);
	sid = probe_expect(p, L2TP_MSG_ICRP)->assigned_session_id;
	probe_cdn(p, &m, 0, PEER_SID, L2TP_RC_CDN_LOST_CARRIER, 0);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_LOST_CARRIER, true)->session_id,
			  sid);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	probe_free(p);
}
END_TEST

START_TEST(test_lns_iccn_on_established_session)
{
	struct probe *p = probe_started(115);
	struct l2tp_msg m;
	uint16_t sid;

	probe_accept_tunnel(p);
	sid = probe_lns_call(p, PEER_SID);
	probe_iccn(p, &m, sid);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_CDN)->session_id, PEER_SID);
	ALL_SENT(p);
	probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_GENERAL_ERROR, false);
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_SESSION_DELETE)->session_id, sid);
	probe_free(p);
}
END_TEST

/* --------------------------------------------------------- outgoing calls ---- */

/* RFC 2661 §7.5.1, nothing to dial: OCRQ answered with OCRP and OCCN at once. */
START_TEST(test_lac_outgoing_call)
{
	struct probe *p = probe_new(121);
	const struct engine_action *a;
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint16_t sid;

	p->cfg.accept_outgoing_calls = true;
	probe_start(p);
	probe_open_tunnel(p);
	probe_ocrq(p, &m, PEER_SID);
	probe_send(p, &m);
	r = probe_expect(p, L2TP_MSG_OCRP);
	ck_assert_uint_eq(r->session_id, PEER_SID);
	sid = r->assigned_session_id;
	ck_assert_uint_ne(sid, 0);
	r = probe_expect(p, L2TP_MSG_OCCN);
	ck_assert_uint_eq(r->session_id, PEER_SID);
	ck_assert_uint_eq(r->framing_type, L2TP_FRAMING_SYNC);
	ck_assert(msg_has(r, L2TP_AVP_TX_CONNECT_SPEED));
	ALL_SENT(p);
	check_kernel_request(p, sid, PEER_SID, false, false);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	a = check_up(p, sid, PEER_SID, false, ENGINE_CALL_OUTGOING);
	check_str(&a->session_up.info->called_number, "5550100");
	ck_assert_uint_eq(a->session_up.info->maximum_bps, 2048000);
	probe_free(p);
}
END_TEST

START_TEST(test_lns_outgoing_call)
{
	struct probe *p = probe_started(122);
	struct engine_call_info info = { .called_number = blob_from_str("5550199"),
					 .minimum_bps = 9600,
					 .maximum_bps = 64000,
					 .bearer_type = L2TP_BEARER_DIGITAL };
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint16_t sid;

	probe_accept_tunnel(p);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_OUTGOING, &info, &sid), 0);
	r = probe_expect(p, L2TP_MSG_OCRQ);
	ck_assert_uint_eq(r->session_id, 0);
	ck_assert_uint_eq(r->assigned_session_id, sid);
	ck_assert(msg_has(r, L2TP_AVP_CALL_SERIAL_NUMBER));
	ck_assert_uint_eq(r->minimum_bps, 9600);
	ck_assert_uint_eq(r->maximum_bps, 64000);
	ck_assert_uint_eq(r->bearer_type, L2TP_BEARER_DIGITAL);
	ck_assert_uint_eq(r->framing_type, L2TP_FRAMING_SYNC);
	check_str(&r->called_number, "5550199");
	ALL_SENT(p);
	probe_reply(p, &m, L2TP_MSG_OCRP, sid, PEER_SID);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, KERNEL_SESSION_CREATE), 0);
	probe_occn(p, &m, sid);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	check_kernel_request(p, sid, PEER_SID, true, false);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	check_up(p, sid, PEER_SID, true, ENGINE_CALL_OUTGOING);
	probe_free(p);
}
END_TEST

/* RFC 2661 §7.5.2 wait-reply: OCCN before OCRP is out of place. */
START_TEST(test_lns_outgoing_occn_in_wait_reply)
{
	struct probe *p = probe_started(123);
	struct l2tp_msg m;
	uint16_t sid;

	probe_accept_tunnel(p);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_OUTGOING, NULL, &sid), 0);
	probe_occn(p, &m, sid);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_CDN)->assigned_session_id, sid);
	ALL_SENT(p);
	probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_GENERAL_ERROR, false);
	probe_free(p);
}
END_TEST

/* ----------------------------------------------------------------- the end ---- */

START_TEST(test_close_session_with_q931)
{
	struct probe *p = probe_started(131);
	struct engine_disconnect why = { .result = L2TP_RC_CDN_GENERAL_ERROR,
					 .error = L2TP_EC_VENDOR,
					 .message = "bye",
					 .q931 = true,
					 .q931_cause = 16,
					 .q931_msg = 0x45 };
	struct engine_disconnect bad = { .result = 32 };
	const struct engine_action *a;
	const struct l2tp_msg *r;
	uint16_t sid;

	probe_accept_tunnel(p);
	sid = probe_lns_call(p, PEER_SID);
	ck_assert_int_eq(engine_close_session(p->e, p->now, p->tid, sid, &bad), -EINVAL);
	ck_assert_int_eq(engine_close_session(p->e, p->now, p->tid, (uint16_t)(sid + 1), &why), -ENOENT);
	ALL_SENT(p);
	ck_assert_int_eq(engine_close_session(p->e, p->now, p->tid, sid, &why), 0);
	r = probe_expect_result(p, L2TP_MSG_CDN, L2TP_RC_CDN_GENERAL_ERROR, L2TP_EC_VENDOR);
	ck_assert_uint_eq(r->session_id, PEER_SID);
	ck_assert_uint_eq(r->assigned_session_id, sid);
	check_str(&r->result_code.message, "bye");
	ck_assert(msg_has(r, L2TP_AVP_Q931_CAUSE_CODE));
	ck_assert_uint_eq(r->q931_cause_code.cause, 16);
	ck_assert_uint_eq(r->q931_cause_code.msg, 0x45);
	ALL_SENT(p);
	a = probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_GENERAL_ERROR, false);
	ck_assert(a->down.why.q931);
	ck_assert_str_eq(a->down.why.message, "bye");
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_SESSION_DELETE)->session_id, sid);
	probe_free(p);
}
END_TEST

/* RFC 2661 §7.4.2 wait-connect: an ICCN that is not acceptable (no Tx Connect Speed): CDN. */
START_TEST(test_lns_bad_iccn)
{
	struct probe *p = probe_started(139);
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint16_t sid;

	probe_accept_tunnel(p);
	probe_icrq(p, &m, PEER_SID);
	probe_send(p, &m);
	sid = probe_expect(p, L2TP_MSG_ICRP)->assigned_session_id;
	probe_iccn(p, &m, sid);
	m.present &= ~AVP_BIT(L2TP_AVP_TX_CONNECT_SPEED);
	probe_send(p, &m);
	r = probe_expect_result(p, L2TP_MSG_CDN, L2TP_RC_CDN_GENERAL_ERROR, L2TP_EC_BAD_VALUE);
	ck_assert_uint_eq(r->session_id, PEER_SID);
	ck_assert_uint_eq(r->assigned_session_id, sid);
	ALL_SENT(p);
	probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_GENERAL_ERROR, false);
	ck_assert_uint_eq(COUNT(p, KERNEL_SESSION_CREATE), 0);
	ck_assert_uint_eq(probe_stats(p).tunnels_established, 1);
	probe_free(p);
}
END_TEST

START_TEST(test_kernel_session_failure)
{
	struct probe *p = probe_started(132);
	struct l2tp_msg m;
	uint16_t sid;

	probe_accept_tunnel(p);
	probe_icrq(p, &m, PEER_SID);
	probe_send(p, &m);
	sid = probe_expect(p, L2TP_MSG_ICRP)->assigned_session_id;
	probe_iccn(p, &m, sid);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_kernel(p, -EEXIST), 1);
	ck_assert_uint_eq(probe_expect_result(p, L2TP_MSG_CDN, 2, L2TP_EC_NO_RESOURCES)->session_id,
			  PEER_SID);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, SESSION_UP), 0);
	probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_GENERAL_ERROR, false);
	ck_assert_uint_eq(COUNT(p, KERNEL_SESSION_DELETE), 0);
	probe_free(p);
}
END_TEST

START_TEST(test_pppd_exit)
{
	struct probe *p = probe_started(133);
	uint16_t sid;

	probe_open_tunnel(p);
	sid = probe_lac_call(p, PEER_SID);
	engine_pppd_exit(p->e, p->now, p->tid, sid, 1);
	ck_assert_uint_eq(probe_expect_result(p, L2TP_MSG_CDN, L2TP_RC_CDN_ADMINISTRATIVE, 0)->session_id,
			  PEER_SID);
	ALL_SENT(p);
	probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_ADMINISTRATIVE, false);
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_SESSION_DELETE)->session_id, sid);
	probe_free(p);
}
END_TEST

/*
 * SESSION_UP's call information is the engine's copy in the actions: still there after the
 * call was cleared and freed in later events (its memory reused), until the actions are cleared.
 */
START_TEST(test_session_up_info_outlives_session)
{
	struct probe *p = probe_started(140);
	struct engine_call_info info = lac_info(), other = lac_info();
	const struct engine_action *a;
	struct l2tp_msg m;
	uint16_t sid, sid2;

	probe_open_tunnel(p);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, &info, &sid), 0);
	probe_reply(p, &m, L2TP_MSG_ICRP, sid, PEER_SID);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	probe_one(p, ENGINE_SESSION_UP);
	/* No probe_*() event from here: they would clear the actions. */
	engine_pppd_exit(p->e, p->now, p->tid, sid, 0);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	/* A call with as much information is likely to get the freed session's memory. */
	other.calling_number = blob_from_str("0309999999");
	ck_assert_int_eq(engine_place_call(p->e, p->now, p->tid, ENGINE_CALL_INCOMING, &other, &sid2), 0);
	ck_assert_uint_eq(COUNT(p, SESSION_DOWN), 1);
	a = probe_one(p, ENGINE_SESSION_UP);
	ck_assert_uint_eq(a->session_id, sid);
	check_str(&a->session_up.info->calling_number, "0301234567");
	check_str(&a->session_up.info->called_number, "100");
	check_str(&a->session_up.info->proxy_authen_name, "alice");
	ck_assert_uint_eq(a->session_up.info->tx_connect_speed, 2000000);
	probe_free(p);
}
END_TEST

/* RFC 2661 §6.4: a StopCCN clears every session of the tunnel, without a CDN. */
START_TEST(test_sessions_cleared_with_tunnel)
{
	struct probe *p = probe_started(134);
	struct l2tp_msg m;
	uint16_t sid[3];

	probe_accept_tunnel(p);
	for (int i = 0; i < 3; i++)
		sid[i] = probe_lns_call(p, (uint16_t)(PEER_SID + i));
	ck_assert_uint_eq(probe_stats(p).sessions_established, 3);
	probe_stopccn(p, &m, L2TP_RC_STOPCCN_CLEAR, 0);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, SESSION_DOWN), 3);
	ck_assert_uint_eq(COUNT(p, KERNEL_SESSION_DELETE), 3);
	for (size_t i = 0; i < 3; i++) {
		const struct engine_action *a = probe_action(p, ENGINE_SESSION_DOWN, i);

		ck_assert(a->down.by_peer);
		ck_assert(a->session_id == sid[0] || a->session_id == sid[1] || a->session_id == sid[2]);
	}
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	ck_assert_uint_eq(probe_stats(p).sessions_established, 0);
	probe_free(p);
}
END_TEST

/* RFC 2661 §6.13, §6.14: passed on to the shell, nothing else. */
START_TEST(test_wen_and_sli_passed_on)
{
	struct probe *p = probe_started(135);
	const struct engine_action *a;
	struct l2tp_msg m;
	uint16_t sid;

	probe_accept_tunnel(p);
	sid = probe_lns_call(p, PEER_SID);
	probe_msg(p, &m, L2TP_MSG_WEN, sid);
	msg_set_present(&m, L2TP_AVP_CALL_ERRORS);
	m.call_errors.crc_errors = 1;
	m.call_errors.framing_errors = 2;
	m.call_errors.hardware_overruns = 3;
	m.call_errors.buffer_overruns = 4;
	m.call_errors.timeout_errors = 5;
	m.call_errors.alignment_errors = 6;
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	a = probe_one(p, ENGINE_SESSION_INFO);
	ck_assert_uint_eq(a->session_id, sid);
	ck_assert_uint_eq(a->info.msg_type, L2TP_MSG_WEN);
	for (int i = 0; i < 6; i++)
		ck_assert_uint_eq(a->info.call_errors[i], (uint32_t)i + 1);
	ck_assert_uint_eq(COUNT(p, SESSION_DOWN), 0);

	probe_msg(p, &m, L2TP_MSG_SLI, sid);
	msg_set_present(&m, L2TP_AVP_ACCM);
	m.accm.send = 0xffffffff;
	m.accm.recv = 0x000a0000;
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	a = probe_one(p, ENGINE_SESSION_INFO);
	ck_assert_uint_eq(a->info.msg_type, L2TP_MSG_SLI);
	ck_assert_uint_eq(a->info.send_accm, 0xffffffff);
	ck_assert_uint_eq(a->info.recv_accm, 0x000a0000);
	ck_assert_uint_eq(COUNT(p, SESSION_DOWN), 0);
	ck_assert_uint_eq(probe_stats(p).sessions_established, 1);
	probe_free(p);
}
END_TEST

START_TEST(test_cdn_for_unknown_session_ignored)
{
	struct probe *p = probe_started(136);
	struct l2tp_msg m;
	uint16_t sid;

	probe_accept_tunnel(p);
	sid = probe_lns_call(p, PEER_SID);
	probe_cdn(p, &m, (uint16_t)(sid ^ 0x4000), 0x2002, L2TP_RC_CDN_LOST_CARRIER, 0);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, SESSION_DOWN), 0);
	ck_assert_uint_eq(probe_stats(p).sessions_established, 1);
	probe_free(p);
}
END_TEST

/* The kernel session arrives after the call ended: it is deleted, not leaked. */
START_TEST(test_late_kernel_session_deleted)
{
	struct probe *p = probe_started(137);
	const struct engine_action *a;
	struct engine_kernel_result r = { .request = ENGINE_KERNEL_SESSION_CREATE };
	struct l2tp_msg m;
	uint16_t sid;

	probe_accept_tunnel(p);
	probe_icrq(p, &m, PEER_SID);
	probe_send(p, &m);
	sid = probe_expect(p, L2TP_MSG_ICRP)->assigned_session_id;
	probe_iccn(p, &m, sid);
	probe_send(p, &m);
	probe_one(p, ENGINE_KERNEL_SESSION_CREATE);
	probe_cdn(p, &m, sid, PEER_SID, L2TP_RC_CDN_LOST_CARRIER, 0);
	probe_send(p, &m);
	probe_one(p, ENGINE_SESSION_DOWN);
	ck_assert_uint_eq(COUNT(p, KERNEL_SESSION_DELETE), 0);
	probe_begin(p);
	r.tunnel_id = p->tid;
	r.session_id = sid;
	engine_kernel_done(p->e, p->now, &r);
	a = probe_one(p, ENGINE_KERNEL_SESSION_DELETE);
	ck_assert_uint_eq(a->tunnel_id, p->tid);
	ck_assert_uint_eq(a->session_id, sid);
	ck_assert_uint_eq(COUNT(p, SESSION_UP), 0);
	probe_free(p);
}
END_TEST

START_TEST(test_place_call_errors)
{
	struct probe *p = probe_started(138);
	struct engine_disconnect why = { .result = L2TP_RC_STOPCCN_CLEAR };
	uint16_t sid, tid;

	probe_accept_tunnel(p);
	tid = p->tid;
	p->tid = (uint16_t)(tid ^ 0x8000);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid), -ENOENT);
	p->tid = tid;
	ck_assert_int_eq(engine_close_tunnel(p->e, p->now, tid, &why), 0);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_OUTGOING, NULL, &sid), -ESHUTDOWN);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	probe_free(p);
}
END_TEST

Suite *suite_engine_session(void)
{
	Suite *s = suite_create("engine_session");
	TCase *lac = tcase_create("lac_incoming"), *lns = tcase_create("lns_incoming");
	TCase *out = tcase_create("outgoing"), *end = tcase_create("teardown");

	tcase_add_test(lac, test_lac_incoming_call);
	tcase_add_test(lac, test_lac_call_waits_for_tunnel_and_kernel);
	tcase_add_test(lac, test_lac_sequencing_required);
	tcase_add_test(lac, test_lac_close_in_wait_tunnel);
	tcase_add_test(lac, test_icrp_on_established_session);
	tcase_add_test(lac, test_lac_cdn_in_wait_reply);
	tcase_add_test(lac, test_lac_iccn_in_wait_reply_cleans_up);
	tcase_add_test(lac, test_lac_call_unanswered_times_out);
	tcase_add_test(lac, test_lns_call_never_connected_times_out);
	tcase_add_test(lac, test_reply_for_unknown_call_refused);
	tcase_add_test(lns, test_lns_incoming_call);
	tcase_add_test(lns, test_lns_send_seq_configured);
	tcase_add_test(lns, test_lns_session_waits_for_kernel_tunnel);
	tcase_add_test(lns, test_lns_cdn_before_peer_knows_our_id);
	tcase_add_test(lns, test_lns_iccn_on_established_session);
	tcase_add_test(lns, test_lns_bad_iccn);
	tcase_add_test(out, test_lac_outgoing_call);
	tcase_add_test(out, test_lns_outgoing_call);
	tcase_add_test(out, test_lns_outgoing_occn_in_wait_reply);
	tcase_add_test(end, test_close_session_with_q931);
	tcase_add_test(end, test_kernel_session_failure);
	tcase_add_test(end, test_pppd_exit);
	tcase_add_test(end, test_sessions_cleared_with_tunnel);
	tcase_add_test(end, test_wen_and_sli_passed_on);
	tcase_add_test(end, test_cdn_for_unknown_session_ignored);
	tcase_add_test(end, test_late_kernel_session_deleted);
	tcase_add_test(end, test_place_call_errors);
	tcase_add_test(end, test_session_up_info_outlives_session);
	suite_add_tcase(s, lac);
	suite_add_tcase(s, lns);
	suite_add_tcase(s, out);
	suite_add_tcase(s, end);
	return s;
}
