/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The backlog gates (daemon/engine_int.h, TUNNEL_QUEUE_MAX and TUNNEL_QUEUE_HARD_MAX): what a
 * tunnel whose peer does not acknowledge still takes from it, and what it drops, as if lost,
 * so that neither a peer that stops reading nor two busy peers at once can stall or flood it.
 */
#include "engine_probe.h"
#include "engine_int.h"
#include "l2tp/result.h"
#include "suites.h"

#define ALL_SENT(p)  probe_expect_no_send(p)
#define COUNT(p, ty) probe_count((p), ENGINE_##ty)

static uint16_t queued(const struct probe *p)
{
	struct engine_tunnel_view v;

	ck_assert_int_eq(engine_tunnel_view(p->e, p->tid, &v), 0);
	return v.queued;
}

/*
 * An LNS tunnel with one session (the call limit, 1, is reached) and TUNNEL_QUEUE_MAX messages
 * queued: CDNs refusing 32 more ICRQs of a peer that acknowledges none of them (3 sent: the
 * congestion window; 29 waiting). Returns the peer's Nr, which it keeps sending; *sid: the
 * session.
 */
static uint16_t backlogged(struct probe *p, uint16_t *sid)
{
	struct l2tp_msg m;
	uint16_t nr, i, s;

	p->cfg.limits.max_sessions = 1;
	probe_start(p);
	probe_accept_tunnel(p);
	s = probe_lns_call(p, 0x10);
	if (sid)
		*sid = s;
	nr = p->nr; /* SCCRP and ICRP acknowledged: CWND 3; no CDN is acknowledged for now */
	for (i = 0; i < TUNNEL_QUEUE_MAX; i++) {
		probe_icrq(p, &m, (uint16_t)(0x100 + i));
		m.nr = nr;
		probe_send(p, &m);
		if (i < 3)
			ck_assert_uint_eq(probe_expect(p, L2TP_MSG_CDN)->ns, nr + i);
		else
			probe_expect(p, PROBE_ZLB);
		ALL_SENT(p);
	}
	ck_assert_uint_eq(queued(p), TUNNEL_QUEUE_MAX);
	return nr;
}

/*
 * A peer that asks for calls without acknowledging our answers cannot make the engine queue
 * without end: at TUNNEL_QUEUE_MAX (32) queued, its call requests are taken for their
 * acknowledgement only and dropped unacknowledged, as if lost; once it acknowledges, they are
 * processed again. The tunnel is not cleared: a slow peer is only slowed down.
 */
START_TEST(test_backlog_drops_until_acknowledged)
{
	struct probe *p = probe_new(215);
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint16_t nr, i, ns_dropped;
	uint64_t heap;

	nr = backlogged(p, NULL);
	/* Backlogged: dropped without an ack, nothing queued, the tunnel stays. */
	heap = probe_stats(p).heap_bytes;
	ns_dropped = p->ns;
	for (i = 0; i < 16; i++) {
		probe_icrq(p, &m, (uint16_t)(0x200 + i));
		m.nr = nr;
		probe_send(p, &m);
		ALL_SENT(p);
	}
	ck_assert_uint_eq(probe_stats(p).heap_bytes, heap);
	ck_assert_uint_eq(probe_stats(p).datagrams_discarded, 16);
	ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), 0);
	ck_assert_uint_eq(probe_stats(p).tunnels_established, 1);
	p->ns = ns_dropped; /* from the peer's view: lost, to be sent again */
	/* Acknowledged at last: the 29 CDNs still queued go out, in order. */
	for (i = 3; i < TUNNEL_QUEUE_MAX;) {
		probe_zlb(p);
		ck_assert_uint_gt(COUNT(p, SEND), 0);
		for (size_t n = COUNT(p, SEND); n > 0; n--, i++)
			ck_assert_uint_eq(probe_expect(p, L2TP_MSG_CDN)->ns, nr + i);
	}
	probe_zlb(p);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).tunnels_awaiting_ack, 0);
	/* The peer resends what was dropped: processed again (refused: the call limit holds). */
	probe_icrq(p, &m, 0x200);
	probe_send(p, &m);
	r = probe_expect(p, L2TP_MSG_CDN);
	ck_assert_uint_eq(r->session_id, 0x200);
	probe_free(p);
}
END_TEST

/*
 * Backlogged, the engine still takes what is not a call request: what completes or clears a
 * call that exists makes at most one message of ours, and dropping it would leave two
 * backlogged peers each waiting for the acknowledgement the other drops. Under loss, with many
 * calls in flight on one tunnel, that is what happened: both queues passed 32, each side
 * dropped everything of the other, and the tunnel died of retransmissions.
 */
START_TEST(test_backlog_takes_all_but_call_requests)
{
	struct probe *p = probe_new(216);
	struct l2tp_msg m;
	uint16_t nr, sid;

	nr = backlogged(p, &sid);
	probe_msg(p, &m, L2TP_MSG_HELLO, 0);
	m.nr = nr;
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	probe_cdn(p, &m, sid, 0x10, L2TP_RC_CDN_ADMINISTRATIVE, 0);
	m.nr = nr;
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	ALL_SENT(p);
	ck_assert_uint_eq(COUNT(p, SESSION_DOWN), 1);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	ck_assert_uint_eq(probe_stats(p).datagrams_discarded, 0);
	/* A new call request still waits, though there is room for the call now. */
	probe_icrq(p, &m, 0x300);
	m.nr = nr;
	probe_send(p, &m);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).datagrams_discarded, 1);
	ck_assert_uint_eq(probe_stats(p).sessions, 0);
	ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), 0);
	ck_assert_uint_eq(queued(p), TUNNEL_QUEUE_MAX);
	probe_free(p);
}
END_TEST

/*
 * Our own call request at the head of the queue, unacknowledged: the peer may be holding it
 * back for its own backlog, so its call requests are taken all the same, or neither side would
 * ever go first. A peer that uses this without acknowledging anything is stopped at
 * TUNNEL_QUEUE_HARD_MAX, where every message it sends is dropped; the tunnel stays, for our
 * retransmissions to judge.
 */
START_TEST(test_backlog_calls_both_ways_then_hard_bound)
{
	struct probe *p = probe_new(217);
	struct l2tp_msg m;
	uint16_t nr, sid, i;
	uint64_t heap;

	p->cfg.limits.max_sessions = 1;
	probe_start(p);
	probe_accept_tunnel(p);
	nr = p->nr;
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid), 0);
	probe_expect(p, L2TP_MSG_ICRQ);
	/* Refused (our call holds the only place), each with a CDN; the ICRQ stays at the head. */
	for (i = 0; queued(p) < TUNNEL_QUEUE_HARD_MAX; i++) {
		ck_assert_uint_lt(i, TUNNEL_QUEUE_HARD_MAX);
		probe_icrq(p, &m, (uint16_t)(0x100 + i));
		m.nr = nr;
		probe_send(p, &m);
		ck_assert_uint_gt(COUNT(p, SEND), 0); /* taken: a CDN, or an acknowledgement */
	}
	ck_assert_uint_eq(i, TUNNEL_QUEUE_HARD_MAX - 1);
	ck_assert_uint_eq(probe_stats(p).datagrams_discarded, 0);
	heap = probe_stats(p).heap_bytes;
	probe_icrq(p, &m, 0x200);
	m.nr = nr;
	probe_send(p, &m);
	ALL_SENT(p);
	probe_msg(p, &m, L2TP_MSG_HELLO, 0);
	m.nr = nr;
	probe_send(p, &m);
	ALL_SENT(p);
	ck_assert_uint_eq(probe_stats(p).datagrams_discarded, 2);
	ck_assert_uint_eq(probe_stats(p).heap_bytes, heap);
	ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), 0);
	/* Our ICRQ acknowledged: the head is a CDN now, so call requests wait again. */
	p->ns -= 2; /* the two dropped, to be sent again */
	probe_ack(p, (uint16_t)(nr + 1));
	probe_icrq(p, &m, 0x200);
	m.nr = (uint16_t)(nr + 1);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_stats(p).datagrams_discarded, 3);
	ck_assert_uint_eq(COUNT(p, TUNNEL_DOWN), 0);
	probe_free(p);
}
END_TEST

Suite *suite_engine_backlog(void)
{
	Suite *s = suite_create("engine_backlog");
	TCase *tc = tcase_create("backlog");

	tcase_add_test(tc, test_backlog_drops_until_acknowledged);
	tcase_add_test(tc, test_backlog_takes_all_but_call_requests);
	tcase_add_test(tc, test_backlog_calls_both_ways_then_hard_bound);
	suite_add_tcase(s, tc);
	return s;
}
