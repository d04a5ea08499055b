/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's control connection end to end through its public API, against a scripted
 * peer and a fake clock: the tunnel state machine (RFC 2661 §7.2), reliable delivery as the
 * engine drives it (§5.8: retransmission schedule, window, duplicates, wrap) and HELLO (§6.5).
 * Who gets a tunnel at all (limits, authentication, the tie breaker between two SCCRQs) is
 * in check_engine_limits.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine_probe.h"
#include "l2tp/result.h"
#include "suites.h"

#define T0	     PROBE_T0
#define HELLO_MS     60000
#define FULL_CYCLE   31000
#define ALL_SENT(p)  probe_expect_no_send(p)
#define COUNT(p, ty) probe_count((p), ENGINE_##ty)

/* ---------------------------------------------------------------- FSM rows ---- */

START_TEST(test_originator_establishes)
{
	struct probe *p = probe_started(1);
	const struct engine_action *a;
	const struct l2tp_msg *r;
	struct engine_stats st;
	struct l2tp_msg m;

	r = probe_opened(p);
	ck_assert_uint_eq(r->ns, 0);
	ck_assert_uint_eq(r->nr, 0);
	ck_assert_uint_eq(r->assigned_tunnel_id, p->tid);
	ck_assert_uint_eq(r->protocol_version.version << 8 | r->protocol_version.revision, 0x0100);
	ck_assert(r->host_name.len == 6 && memcmp(r->host_name.ptr, "l2tpkd", 6) == 0);
	ck_assert_uint_eq(r->framing_capabilities, L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC);
	ck_assert_uint_eq(r->receive_window_size, 4);
	ck_assert(msg_has(r, L2TP_AVP_TIE_BREAKER));
	ck_assert(!msg_has(r, L2TP_AVP_CHALLENGE));
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, TUNNEL_UP), 0);

	probe_sccrp(p, &m);
	probe_send(p, &m);
	r = probe_expect(p, L2TP_MSG_SCCCN);
	ck_assert_uint_eq(r->ns, 1);
	ck_assert_uint_eq(r->nr, 1);
	ALL_SENT(p);
	a = probe_one(p, ENGINE_TUNNEL_UP);
	ck_assert_uint_eq(a->tunnel_id, p->tid);
	ck_assert_uint_eq(a->peer_tunnel_id, PROBE_PEER_TID);
	ck_assert(l2tp_addr_equal(&a->tunnel.peer, &p->peer));
	ck_assert(l2tp_addr_equal(&a->tunnel.local, &p->local));
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_TUNNEL_CREATE)->peer_tunnel_id, PROBE_PEER_TID);
	st = probe_stats(p);
	ck_assert_uint_eq(st.tunnels, 1);
	ck_assert_uint_eq(st.tunnels_established, 1);
	ck_assert_uint_eq(st.messages_sent, 2);

	/* The ZLB acknowledging SCCCN asks for nothing. */
	probe_zlb(p);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_kernel(p, 0), 0);
	probe_free(p);
}
END_TEST

START_TEST(test_receiver_establishes)
{
	struct probe *p = probe_started(2);
	const struct l2tp_msg *r;
	struct l2tp_msg m;

	r = probe_answered(p, NULL);
	ck_assert_uint_eq(r->ns, 0);
	ck_assert_uint_eq(r->nr, 1);
	ck_assert(!msg_has(r, L2TP_AVP_TIE_BREAKER));
	ck_assert(!msg_has(r, L2TP_AVP_CHALLENGE_RESPONSE));
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, TUNNEL_UP), 0);
	ck_assert_uint_eq(COUNT(p, KERNEL_TUNNEL_CREATE), 0);

	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	probe_send(p, &m);
	r = probe_expect(p, PROBE_ZLB);
	ck_assert_uint_eq(r->ns, 1);
	ck_assert_uint_eq(r->nr, 2);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_one(p, ENGINE_TUNNEL_UP)->tunnel_id, p->tid);
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_TUNNEL_CREATE)->tunnel_id, p->tid);
	ck_assert_uint_eq(probe_stats(p).tunnels_established, 1);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	ALL_SENT(p);
	probe_free(p);
}
END_TEST

/* RFC 2661 §5.7: the receiver of a StopCCN acks it and keeps state for a full cycle. */
START_TEST(test_stopccn_established_lingers)
{
	struct probe *p = probe_started(3);
	struct l2tp_msg stop;
	uint16_t sid;

	probe_accept_tunnel(p);
	sid = probe_lns_call(p, 0x51);
	p->now = T0 + 1000;
	probe_stopccn(p, &stop, L2TP_RC_STOPCCN_SHUTTING_DOWN, 0);
	probe_send(p, &stop);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_SHUTTING_DOWN, true);
	ck_assert_uint_eq(probe_down(p, ENGINE_SESSION_DOWN, L2TP_RC_CDN_LOST_CARRIER, true)->session_id,
			  sid);
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_SESSION_DELETE)->session_id, sid);
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_TUNNEL_DELETE)->tunnel_id, p->tid);
	ck_assert_uint_eq(COUNT(p, TUNNEL_RELEASED), 0);
	ck_assert(probe_stats(p).tunnels == 1 && probe_stats(p).tunnels_established == 0);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid), -ESHUTDOWN);

	/* Our ZLB was lost: the retransmitted StopCCN is acked again, nothing else happens. */
	p->now = T0 + 6000;
	probe_send(p, &stop);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), 0);

	ck_assert_uint_eq(engine_next_deadline(p->e), T0 + 1000 + FULL_CYCLE);
	probe_tick(p, T0 + FULL_CYCLE + 999);
	ck_assert_uint_eq(COUNT(p, TUNNEL_RELEASED), 0);
	probe_tick(p, T0 + FULL_CYCLE + 1000);
	ck_assert_uint_eq(probe_one(p, ENGINE_TUNNEL_RELEASED)->tunnel_id, p->tid);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).tunnels, 0);
	ck_assert_uint_eq(engine_next_deadline(p->e), UINT64_MAX);
	probe_free(p);
}
END_TEST

/*
 * The peer never got our SCCRP, so it does not know our ID: its StopCCN comes to header
 * Tunnel ID 0 and its Assigned Tunnel ID names the tunnel (RFC 2661 §4.4.3).
 */
START_TEST(test_stopccn_to_tunnel_zero)
{
	struct probe *p = probe_started(12);
	struct l2tp_msg m;

	probe_answered(p, NULL);
	probe_stopccn(p, &m, L2TP_RC_STOPCCN_CLEAR, 0);
	m.tunnel_id = 0;
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->tunnel_id, PROBE_PEER_TID);
	ALL_SENT(p);
	probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_CLEAR, true);
	/* The same from another peer's tunnel is not ours: dropped. */
	probe_stopccn(p, &m, L2TP_RC_STOPCCN_CLEAR, 0);
	m.tunnel_id = 0;
	m.assigned_tunnel_id = PROBE_PEER_TID + 1;
	probe_send(p, &m);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).datagrams_discarded, 1);
	probe_free(p);
}
END_TEST

START_TEST(test_stopccn_wait_ctl_conn)
{
	struct probe *p = probe_started(4);
	struct l2tp_msg m;

	probe_answered(p, NULL);
	probe_stopccn(p, &m, L2TP_RC_STOPCCN_CLEAR, 0);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->nr, 2);
	ALL_SENT(p);
	/* Every tunnel ends with one TUNNEL_DOWN, whether or not it came up. */
	probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_CLEAR, true);
	ck_assert_uint_eq(COUNT(p, TUNNEL_UP), 0);
	/* A late SCCCN changes nothing: the connection is closing. */
	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, TUNNEL_UP), 0);
	ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), 0);
	probe_tick(p, T0 + FULL_CYCLE);
	ck_assert_uint_eq(probe_one(p, ENGINE_TUNNEL_RELEASED)->tunnel_id, p->tid);
	probe_free(p);
}
END_TEST

/* Our SCCRQ refused (e.g. an LNS at its limits): clean up; the shell learns why. */
START_TEST(test_stopccn_wait_ctl_reply)
{
	struct probe *p = probe_started(5);
	const struct engine_action *a;
	struct l2tp_msg m;

	probe_opened(p);
	probe_stopccn(p, &m, L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_TRY_ANOTHER);
	probe_send(p, &m);
	p->lax = true; /* where the ZLB goes: test_stopccn_wait_ctl_reply_ack_addressed */
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	a = probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_GENERAL_ERROR, true);
	ck_assert_uint_eq(a->down.why.error, L2TP_EC_TRY_ANOTHER);
	ck_assert_uint_eq(COUNT(p, TUNNEL_UP), 0);
	/* The StopCCN acknowledged the SCCRQ: no retransmission, only the linger. */
	ck_assert_uint_eq(engine_next_deadline(p->e), T0 + FULL_CYCLE);
	probe_tick(p, T0 + FULL_CYCLE);
	ck_assert_uint_eq(probe_one(p, ENGINE_TUNNEL_RELEASED)->tunnel_id, p->tid);
	ck_assert_uint_eq(probe_stats(p).retransmissions, 0);
	probe_free(p);
}
END_TEST

/*
 * Once the StopCCN has told us the peer's Assigned Tunnel ID, every message we send MUST
 * carry it in the header (RFC 2661 §4.4.3): the ZLB ack too.
 */
START_TEST(test_stopccn_wait_ctl_reply_ack_addressed)
{
	struct probe *p = probe_started(6);
	struct l2tp_msg m;

	probe_opened(p);
	probe_stopccn(p, &m, L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_TRY_ANOTHER);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->tunnel_id, PROBE_PEER_TID);
	probe_free(p);
}
END_TEST

START_TEST(test_local_close_established)
{
	struct probe *p = probe_started(7);
	struct engine_disconnect why = { .result = L2TP_RC_STOPCCN_SHUTTING_DOWN, .message = "maintenance" };
	struct engine_disconnect zero = { 0 }, nine = { .result = 9 },
				 bad_error = { .result = 2, .error = 13 };
	const struct engine_action *a;
	const struct l2tp_msg *r;
	struct engine_tunnel_view v;
	uint16_t sid;

	probe_open_tunnel(p);
	ck_assert_int_eq(engine_tunnel_view(p->e, p->tid, &v), 0);
	ck_assert(v.established && !v.closing);
	ck_assert_int_eq(engine_close_tunnel(p->e, p->now, p->tid, &zero), -EINVAL);
	ck_assert_int_eq(engine_close_tunnel(p->e, p->now, p->tid, &nine), -EINVAL);
	ck_assert_int_eq(engine_close_tunnel(p->e, p->now, p->tid, &bad_error), -EINVAL);
	ck_assert_int_eq(engine_close_tunnel(p->e, p->now, (uint16_t)(p->tid + 1), &why), -ENOENT);
	ALL_SENT(p);
	ck_assert_int_eq(engine_close_tunnel(p->e, p->now, p->tid, &why), 0);
	r = probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_SHUTTING_DOWN, 0);
	ck_assert_uint_eq(r->assigned_tunnel_id, p->tid);
	ck_assert(r->result_code.message.len == 11 && !memcmp(r->result_code.message.ptr, "maintenance", 11));
	ALL_SENT(p);
	a = probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_SHUTTING_DOWN, false);
	ck_assert_str_eq(a->down.why.message, "maintenance");
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_TUNNEL_DELETE)->tunnel_id, p->tid);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid), -ESHUTDOWN);
	/* The view the shell shows and reuses tunnels by: closing, no longer established. */
	ck_assert_int_eq(engine_tunnel_view(p->e, p->tid, &v), 0);
	ck_assert(v.closing && !v.established);
	ck_assert_str_eq(v.state, "closing");

	/* Reliable like any message: resent until acknowledged. */
	probe_tick(p, T0 + 1000);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_STOPCCN)->ns, r->ns);
	probe_zlb(p);
	ALL_SENT(p);
	ck_assert_uint_eq(engine_next_deadline(p->e), T0 + FULL_CYCLE);
	probe_tick(p, T0 + FULL_CYCLE);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_one(p, ENGINE_TUNNEL_RELEASED)->tunnel_id, p->tid);
	probe_free(p);
}
END_TEST

/*
 * A StopCCN goes out before the peer's Assigned Tunnel ID is known, with header Tunnel ID 0
 * (RFC 2661 §4.4.3, §7.2 table). The window (1 at first) holds it behind the SCCRQ until the
 * peer acknowledges that.
 */
START_TEST(test_local_close_wait_ctl_reply_sends_stopccn)
{
	struct probe *p = probe_started(9);
	struct engine_disconnect why = { .result = L2TP_RC_STOPCCN_CLEAR };
	const struct l2tp_msg *r;

	probe_opened(p);
	probe_begin(p);
	ck_assert_int_eq(engine_close_tunnel(p->e, p->now, p->tid, &why), 0);
	probe_expect_no_send(p);
	probe_ack(p, 1);
	p->lax = true;
	r = probe_expect(p, L2TP_MSG_STOPCCN);
	ck_assert_uint_eq(r->tunnel_id, 0);
	ck_assert_uint_eq(r->assigned_tunnel_id, p->tid);
	probe_free(p);
}
END_TEST

/* RFC 2661 §7.2: SCCCN in wait-ctl-reply is out of sequence: the connection is cleared. */
START_TEST(test_scccn_in_wait_ctl_reply_clears)
{
	struct probe *p = probe_started(10);
	struct l2tp_msg m;
	uint16_t sid;

	probe_opened(p);
	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	probe_send(p, &m);
	ck_assert_uint_eq(COUNT(p, TUNNEL_UP), 0);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid), -ESHUTDOWN);
	probe_tick(p, T0 + FULL_CYCLE);
	ck_assert_uint_eq(probe_one(p, ENGINE_TUNNEL_RELEASED)->tunnel_id, p->tid);
	probe_free(p);
}
END_TEST

/* The same, with the StopCCN result 7 the table asks for. */
START_TEST(test_scccn_in_wait_ctl_reply_sends_stopccn)
{
	struct probe *p = probe_started(11);
	const struct l2tp_msg *r;
	struct l2tp_msg m;

	probe_opened(p);
	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	probe_send(p, &m);
	p->lax = true;
	r = probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_FSM_ERROR, 0);
	ck_assert_uint_eq(r->tunnel_id, 0);
	ck_assert_uint_eq(r->assigned_tunnel_id, p->tid);
	probe_free(p);
}
END_TEST

/* An unexpected message on an established tunnel: StopCCN 7 and the tunnel goes down. */
static void check_fsm_error_stop(struct probe *p, uint16_t type)
{
	const struct l2tp_msg *r;
	struct l2tp_msg m;

	if (type == L2TP_MSG_SCCRQ) {
		probe_sccrq(p, &m);
		m.tunnel_id = p->tid;
	} else {
		probe_sccrp(p, &m);
	}
	probe_send(p, &m);
	r = probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_FSM_ERROR, 0);
	ck_assert_uint_eq(r->assigned_tunnel_id, p->tid);
	ALL_SENT(p);
	probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_FSM_ERROR, false);
	ck_assert_uint_eq(COUNT(p, KERNEL_TUNNEL_DELETE), 1);
	ck_assert_uint_eq(probe_stats(p).tunnels_established, 0);
}

START_TEST(test_sccrp_in_established)
{
	struct probe *p = probe_started(12);

	probe_accept_tunnel(p);
	check_fsm_error_stop(p, L2TP_MSG_SCCRP);
	probe_free(p);
}
END_TEST

START_TEST(test_sccrq_to_established_tunnel)
{
	struct probe *p = probe_started(13);

	probe_open_tunnel(p);
	check_fsm_error_stop(p, L2TP_MSG_SCCRQ);
	probe_free(p);
}
END_TEST

START_TEST(test_icrq_before_established)
{
	struct probe *p = probe_started(14);
	struct l2tp_msg m;

	probe_answered(p, NULL);
	probe_icrq(p, &m, 0x99);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_FSM_ERROR, 0)->session_id,
			  0);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_FSM_ERROR, false);
	probe_free(p);
}
END_TEST

/* RFC 2661 §4.4.2: result 5, the error field carrying the highest version we support. */
START_TEST(test_version_2_as_receiver)
{
	struct probe *p = probe_started(15);
	struct l2tp_msg m;

	probe_sccrq(p, &m);
	m.protocol_version.version = 2;
	probe_send(p, &m);
	probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_BAD_VERSION, 0x0100);
	ALL_SENT(p);
	/* Refused before any state: no tunnel, nothing to retransmit, no slot taken. */
	ck_assert_uint_eq(COUNT(p, TUNNEL_UP), 0);
	ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), 0);
	ck_assert_uint_eq(probe_stats(p).tunnels, 0);
	ck_assert_uint_eq(engine_next_deadline(p->e), UINT64_MAX);
	probe_free(p);
}
END_TEST

START_TEST(test_version_2_as_originator)
{
	struct probe *p = probe_started(16);
	const struct l2tp_msg *r;
	struct l2tp_msg m;

	probe_opened(p);
	probe_sccrp(p, &m);
	m.protocol_version.version = 2;
	probe_send(p, &m);
	r = probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_BAD_VERSION, 0x0100);
	ck_assert_uint_eq(r->assigned_tunnel_id, p->tid);
	ALL_SENT(p);
	ck_assert(COUNT(p, TUNNEL_UP) == 0 && COUNT(p, KERNEL_TUNNEL_CREATE) == 0);
	probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_BAD_VERSION, false);
	probe_free(p);
}
END_TEST

START_TEST(test_kernel_tunnel_failure)
{
	struct probe *p = probe_started(17);

	probe_handshake(p);
	ck_assert_uint_eq(probe_kernel(p, -ENOMEM), 1);
	probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_NO_RESOURCES);
	ALL_SENT(p);
	probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_GENERAL_ERROR, false);
	/* Nothing was created in the kernel, so nothing is deleted. */
	ck_assert_uint_eq(COUNT(p, KERNEL_TUNNEL_DELETE), 0);
	probe_free(p);
}
END_TEST

START_TEST(test_sccrq_retransmission_reacked)
{
	struct probe *p = probe_started(18);
	struct l2tp_msg m;

	probe_sccrq(p, &m);
	probe_answered(p, &m);
	/* The SCCRP was lost; the peer sends the same SCCRQ again a second later. */
	p->now = T0 + 900;
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->nr, 1);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).tunnels, 1);
	/* Our own timer resends the SCCRP itself. */
	probe_tick(p, T0 + 1000);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_SCCRP)->ns, 0);
	probe_free(p);
}
END_TEST

/*
 * Two LACs behind one NAT: the same host, other ports, and each numbers its tunnels alone, so
 * both may send Assigned Tunnel ID 1. The second SCCRQ is a new tunnel, not the first sent
 * again; the first's own retransmission is still acknowledged as one.
 */
START_TEST(test_sccrq_same_id_other_port_is_new)
{
	struct probe *p = probe_started(26);
	struct l2tp_msg first, second;
	uint16_t first_tid;

	probe_sccrq(p, &first);
	probe_answered(p, &first);
	first_tid = p->tid;
	p->peer.port = 40000;
	p->ns = 0;
	probe_sccrq(p, &second);
	ck_assert_uint_eq(second.assigned_tunnel_id, first.assigned_tunnel_id);
	probe_answered(p, &second);
	ck_assert_uint_ne(p->tid, first_tid);
	ck_assert_uint_eq(probe_stats(p).tunnels, 2);
	p->peer.port = L2TP_PORT;
	probe_send(p, &first);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->tunnel_id, first.assigned_tunnel_id);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).tunnels, 2);
	probe_free(p);
}
END_TEST

START_TEST(test_unknown_tunnel_discarded)
{
	struct probe *p = probe_started(19);
	struct l2tp_msg m;

	probe_accept_tunnel(p);
	probe_msg(p, &m, L2TP_MSG_HELLO, 0);
	m.tunnel_id = (uint16_t)(p->tid ^ 0x8000);
	probe_send(p, &m);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).datagrams_discarded, 1);
	/* An SCCRQ with a non-zero header Tunnel ID is no new tunnel either. */
	probe_sccrq(p, &m);
	m.tunnel_id = (uint16_t)(p->tid ^ 0x8000);
	probe_send(p, &m);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).datagrams_discarded, 2);
	ck_assert_uint_eq(probe_stats(p).tunnels, 1);
	probe_free(p);
}
END_TEST

START_TEST(test_other_host_discarded)
{
	struct probe *p = probe_started(20);
	struct l2tp_addr other = p->peer, other_port = p->peer;
	struct l2tp_msg m;

	probe_accept_tunnel(p);
	other.addr[3] = 99;
	other_port.port = 4000;
	probe_stopccn(p, &m, L2TP_RC_STOPCCN_CLEAR, 0);
	probe_send_from(p, &m, &other);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), 0);
	probe_send_from(p, &m, &other_port);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), 0);
	ck_assert_uint_eq(probe_stats(p).datagrams_discarded, 2);
	ck_assert_uint_eq(probe_stats(p).tunnels_established, 1);
	/* The same Ns from the real peer is still the next one in sequence. */
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->nr, p->ns);
	ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), 1);
	probe_free(p);
}
END_TEST

/*
 * A tunnel the peer acknowledged but never answered is cleared with StopCCN 7 at twice the
 * full retransmission cycle, and forgotten a cycle after the peer acks that StopCCN.
 */
static void check_setup_deadline(struct probe *p, uint16_t header_tid)
{
	const struct l2tp_msg *r;

	ck_assert_uint_eq(engine_next_deadline(p->e), T0 + 2 * FULL_CYCLE);
	probe_tick(p, T0 + 2 * FULL_CYCLE - 1);
	ck_assert_uint_eq(COUNT(p, SEND) + COUNT(p, TUNNEL_DOWN), 0);
	probe_tick(p, T0 + 2 * FULL_CYCLE);
	r = probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_FSM_ERROR, 0);
	ck_assert(r->tunnel_id == header_tid && r->assigned_tunnel_id == p->tid);
	ALL_SENT(p);
	ck_assert_str_eq(
		probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_FSM_ERROR, false)->down.why.message,
		"not established in time");
	probe_zlb(p);
	probe_tick(p, T0 + 3 * FULL_CYCLE - 1);
	ck_assert_uint_eq(COUNT(p, SEND) + COUNT(p, TUNNEL_RELEASED), 0);
	probe_tick(p, T0 + 3 * FULL_CYCLE);
	ck_assert_uint_eq(probe_one(p, ENGINE_TUNNEL_RELEASED)->tunnel_id, p->tid);
	ck_assert_uint_eq(probe_stats(p).retransmissions, 0);
}

START_TEST(test_acked_sccrq_unanswered_cleared_in_time)
{
	struct probe *p = probe_started(31);

	probe_opened(p);
	probe_zlb(p);  /* the peer acks the SCCRQ and says no more */
	p->lax = true; /* its ID is unknown: the StopCCN goes to tunnel 0 */
	check_setup_deadline(p, 0);
	probe_free(p);
}
END_TEST

START_TEST(test_acked_sccrp_without_scccn_cleared_in_time)
{
	struct probe *p = probe_started(32);

	probe_answered(p, NULL);
	probe_zlb(p);
	check_setup_deadline(p, PROBE_PEER_TID);
	probe_free(p);
}
END_TEST

/* The set-up deadline ends with establishment: nothing but HELLOs past 62 s. */
START_TEST(test_established_tunnel_has_no_setup_deadline)
{
	struct probe *p = probe_started(33);

	probe_open_tunnel(p);
	for (uint64_t at = T0 + HELLO_MS; at <= T0 + 4 * HELLO_MS; at += HELLO_MS) {
		ck_assert_uint_eq(engine_next_deadline(p->e), at);
		probe_tick(p, at);
		probe_expect(p, L2TP_MSG_HELLO);
		ALL_SENT(p);
		probe_zlb(p);
	}
	ck_assert_uint_eq(probe_stats(p).tunnels_established, 1);
	probe_free(p);
}
END_TEST

Suite *suite_engine_tunnel(void)
{
	Suite *s = suite_create("engine_tunnel");
	TCase *fsm = tcase_create("fsm");

	tcase_add_test(fsm, test_originator_establishes);
	tcase_add_test(fsm, test_receiver_establishes);
	tcase_add_test(fsm, test_stopccn_established_lingers);
	tcase_add_test(fsm, test_stopccn_wait_ctl_conn);
	tcase_add_test(fsm, test_stopccn_wait_ctl_reply);
	tcase_add_test(fsm, test_local_close_established);
	tcase_add_test(fsm, test_scccn_in_wait_ctl_reply_clears);
	tcase_add_test(fsm, test_sccrp_in_established);
	tcase_add_test(fsm, test_sccrq_to_established_tunnel);
	tcase_add_test(fsm, test_icrq_before_established);
	tcase_add_test(fsm, test_version_2_as_receiver);
	tcase_add_test(fsm, test_version_2_as_originator);
	tcase_add_test(fsm, test_kernel_tunnel_failure);
	tcase_add_test(fsm, test_sccrq_retransmission_reacked);
	tcase_add_test(fsm, test_sccrq_same_id_other_port_is_new);
	tcase_add_test(fsm, test_unknown_tunnel_discarded);
	tcase_add_test(fsm, test_other_host_discarded);
	tcase_add_test(fsm, test_stopccn_wait_ctl_reply_ack_addressed);
	tcase_add_test(fsm, test_stopccn_to_tunnel_zero);
	tcase_add_test(fsm, test_local_close_wait_ctl_reply_sends_stopccn);
	tcase_add_test(fsm, test_scccn_in_wait_ctl_reply_sends_stopccn);
	tcase_add_test(fsm, test_acked_sccrq_unanswered_cleared_in_time);
	tcase_add_test(fsm, test_acked_sccrp_without_scccn_cleared_in_time);
	tcase_add_test(fsm, test_established_tunnel_has_no_setup_deadline);
	suite_add_tcase(s, fsm);
	return s;
}
