/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RFC 4951 failover protocol (daemon/recovery.c), message by message against a scripted peer
 * (spec/l2tp-protocol.md §3):
 * - waiting: the engine is the remote endpoint of a tunnel its peer recovers: the recovery
 *   SCCRQ and its refusals, the control channel reset on SCCCN, the FSQ/FSR session audit, no
 *   new call before it is done, and the Recovery Time granted to a silent peer (§5.1);
 * - recovering: the engine restarts from its durable records and recovers its tunnels through
 *   a recovery tunnel (§3.2), or fails to and clears them silently; both ends recovering at
 *   once (Appendix B); and the silent resynchronisation used instead when the protocol is not.
 * The peer talks over two control connections (the old tunnel and the recovery tunnel), kept
 * apart with probe_save()/probe_restore(); events that send on both are read with sends().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "decode.h"
#include "encode.h"
#include "engine_probe.h"
#include "l2tp/result.h"
#include "suites.h"

#define CD	      (L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D)
#define RECOVERY_MS   20000  /* the peer's Recovery Time */
#define FULL_CYCLE    31000  /* 1 + 2 + 4 + 8 + 8 + 8 s: the retransmissions, then given up */
#define PEER_REC_TID  0x5150 /* the peer's recovery tunnel */
#define PEER_REC_PORT 1702   /* where a recovering peer sends from */
#define SENT_MAX      16
#define KEPT_MAX      16

static const uint16_t peer_sids[2] = { 0x0101, 0x0202 };
static const uint8_t tb_low[L2TP_TIE_BREAKER_LEN] = { 0 };
static const uint8_t tb_high[L2TP_TIE_BREAKER_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t peer_challenge[16] = "peer challenge!";

/* ---------------------------------------------------------------- fixture ---- */

struct record {
	uint64_t key;
	uint16_t len;
	uint8_t buf[ENGINE_STATE_RECORD_MAX];
};

struct fx {
	struct probe *p;
	struct probe_peer_state old, rec; /* the peer's side of the old tunnel, of the recovery tunnel */
	struct probe_peer_state *on;	  /* the one p holds now */
	uint16_t tid;			  /* the engine's old tunnel */
	uint16_t sid[2];		  /* its calls, paired with peer_sids */
	uint16_t rec_tid;		  /* the engine's recovery tunnel */
	uint16_t scs_ns, scs_nr;	  /* the Suggested Control Sequence of the recovery SCCRP */
	bool keeping;			  /* collect the engine's STATE records */
	size_t n_kept;
	struct record kept[KEPT_MAX];
};

static void fx_new(struct fx *f, uint64_t seed)
{
	memset(f, 0, sizeof(*f));
	f->p = probe_new(seed);
}

static void fx_free(struct fx *f)
{
	probe_free(f->p);
}

/* The peer talks on st from now on; the side it leaves keeps its Ns and Nr. */
static void talk_on(struct fx *f, struct probe_peer_state *st)
{
	if (f->on)
		probe_save(f->p, f->on);
	probe_restore(f->p, st);
	f->on = st;
}

/* The STATE_PUT and STATE_DROP actions of the last event, applied as a shell would. */
static void keep(struct fx *f)
{
	const struct engine_action *a;
	size_t n;

	if (!f->keeping)
		return;
	a = engine_actions(f->p->e, &n);
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		if (a[i].type != ENGINE_STATE_PUT && a[i].type != ENGINE_STATE_DROP)
			continue;
		while (k < f->n_kept && f->kept[k].key != a[i].state.key)
			k++;
		if (a[i].type == ENGINE_STATE_DROP) {
			if (k < f->n_kept)
				f->kept[k] = f->kept[--f->n_kept];
			continue;
		}
		ck_assert_uint_lt(k, KEPT_MAX);
		ck_assert_uint_le(a[i].state.len, ENGINE_STATE_RECORD_MAX);
		f->n_kept += k == f->n_kept;
		f->kept[k].key = a[i].state.key;
		f->kept[k].len = a[i].state.len;
		memcpy(f->kept[k].buf, a[i].state.buf, a[i].state.len);
	}
}

static int by_key(const void *a, const void *b)
{
	uint64_t x = ((const struct record *)a)->key, y = ((const struct record *)b)->key;

	return x < y ? -1 : x > y;
}

/* An incoming call from the peer up to SESSION_UP (probe_lns_call(), records kept). */
static uint16_t fx_call(struct fx *f, uint16_t peer_sid)
{
	struct probe *p = f->p;
	struct l2tp_msg m;
	uint16_t sid;

	probe_icrq(p, &m, peer_sid);
	probe_send(p, &m);
	keep(f);
	sid = probe_expect(p, L2TP_MSG_ICRP)->assigned_session_id;
	probe_iccn(p, &m, sid);
	probe_send(p, &m);
	keep(f);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	keep(f);
	probe_one(p, ENGINE_SESSION_UP);
	return sid;
}

/*
 * Starts the engine, which accepts the peer's tunnel (the peer advertising the Failover
 * Capability flags and recovery time ms, nothing if flags is 0; authenticated if p->secret)
 * and n of its calls. The peer then talks on the old tunnel.
 */
static void fx_establish(struct fx *f, uint16_t flags, uint32_t ms, int n)
{
	struct probe *p = f->p;
	const struct l2tp_msg *r;
	uint8_t challenge[16];
	struct l2tp_msg m;

	probe_start(p);
	probe_sccrq(p, &m);
	if (flags) {
		msg_set_present(&m, L2TP_AVP_FAILOVER_CAPABILITY);
		m.failover_capability.flags = flags;
		m.failover_capability.recovery_time_ms = ms;
	}
	if (p->secret) {
		msg_set_present(&m, L2TP_AVP_CHALLENGE);
		m.challenge = (struct blob){ peer_challenge, sizeof(peer_challenge) };
	}
	r = probe_answered(p, &m);
	keep(f);
	ck_assert_int_eq(msg_has(r, L2TP_AVP_CHALLENGE), p->secret != NULL);
	if (p->secret) {
		ck_assert_uint_eq(r->challenge.len, sizeof(challenge));
		memcpy(challenge, r->challenge.ptr, sizeof(challenge));
	}
	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	if (p->secret) {
		struct blob secret = blob_from_str(p->secret), ours = { challenge, sizeof(challenge) };

		msg_set_present(&m, L2TP_AVP_CHALLENGE_RESPONSE);
		auth_challenge_response(L2TP_MSG_SCCCN, &secret, &ours, m.challenge_response);
	}
	probe_send(p, &m);
	keep(f);
	probe_one(p, ENGINE_TUNNEL_UP);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	keep(f);
	f->tid = p->tid;
	for (int i = 0; i < n; i++)
		f->sid[i] = fx_call(f, peer_sids[i]);
	/* Acknowledges all: the last tunnel record has the Ns and Nr the peer knows. */
	probe_hello(p);
	probe_expect(p, PROBE_ZLB);
	keep(f);
	probe_save(p, &f->old);
	f->on = &f->old;
}

/* A new engine for fx_restart(), keeping its state; its configuration may be adjusted. */
static struct probe *fx_engine(uint64_t seed)
{
	struct probe *q = probe_new(seed);

	q->cfg.persist_state = true;
	return q;
}

/*
 * The engine restarts as q: the records f kept are restored (in key order, as the shell
 * does), then resumed a second later; the last event is the resume's. The peer goes on as
 * before on the old tunnel.
 */
static void fx_restart(struct fx *f, struct probe *q)
{
	q->now = f->p->now + 1000;
	probe_start(q);
	qsort(f->kept, f->n_kept, sizeof(f->kept[0]), by_key);
	for (size_t i = 0; i < f->n_kept; i++)
		ck_assert_int_eq(engine_restore(q->e, q->now, f->kept[i].key, f->kept[i].buf, f->kept[i].len),
				 0);
	talk_on(f, &f->old);
	q->secret = f->p->secret;
	probe_free(f->p);
	f->p = q;
	probe_restore(q, &f->old);
	probe_begin(q);
	engine_resume(q->e, q->now);
	keep(f);
}

/* ---------------------------------------------------------------- what was sent ---- */

struct sent {
	struct l2tp_msg m;
	const struct engine_action *a;
	uint8_t buf[PROBE_BUF];
};

static struct sent sent[SENT_MAX];

/* Every datagram of the last event, decoded into sent[] in order (the same ones each time). */
static size_t sends(const struct probe *p)
{
	const struct engine_action *a;
	struct blob secret = p->secret ? blob_from_str(p->secret) : (struct blob){ 0 };
	struct proto_error err;
	size_t n, k = 0;

	a = engine_actions(p->e, &n);
	for (size_t i = 0; i < n; i++) {
		if (a[i].type != ENGINE_SEND)
			continue;
		ck_assert_uint_lt(k, SENT_MAX);
		ck_assert_uint_le(a[i].send.len, PROBE_BUF);
		memcpy(sent[k].buf, a[i].send.buf, a[i].send.len);
		sent[k].a = &a[i];
		if (decode_control(sent[k].buf, a[i].send.len, p->secret ? &secret : NULL, &sent[k].m, &err) <
		    0)
			ck_abort_msg("the engine sent a message that does not decode: %s", err.text);
		k++;
	}
	return k;
}

static bool is(const struct l2tp_msg *m, uint16_t peer_tid, uint16_t type)
{
	return m->tunnel_id == peer_tid && (type == PROBE_ZLB ? m->zlb : !m->zlb && m->type == type);
}

static size_t sent_count(const struct probe *p, uint16_t peer_tid, uint16_t type)
{
	size_t n = sends(p), k = 0;

	for (size_t i = 0; i < n; i++)
		k += is(&sent[i].m, peer_tid, type);
	return k;
}

/* The one datagram of the last event of this type (PROBE_ZLB: a ZLB) to the peer's tunnel peer_tid. */
static const struct l2tp_msg *sent_one(const struct probe *p, uint16_t peer_tid, uint16_t type)
{
	size_t n = sends(p);
	const struct l2tp_msg *found = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!is(&sent[i].m, peer_tid, type))
			continue;
		if (found)
			ck_abort_msg("two messages of type %u to tunnel %u", type, peer_tid);
		found = &sent[i].m;
	}
	if (!found)
		ck_abort_msg("no message of type %u to tunnel %u (%zu sent)", type, peer_tid, n);
	return found;
}

static bool has_fss(const struct l2tp_msg *m, uint16_t sid, uint16_t remote)
{
	for (uint16_t i = 0; i < m->n_fss; i++)
		if (m->fss[i].session_id == sid && m->fss[i].remote_session_id == remote)
			return true;
	return false;
}

static void add_fss(struct l2tp_msg *m, uint16_t sid, uint16_t remote)
{
	msg_set_present(m, L2TP_AVP_FAILOVER_SESSION_STATE);
	m->fss[m->n_fss++] = (struct failover_session_state){ sid, remote };
}

static struct engine_tunnel_view view(const struct probe *p, uint16_t tid)
{
	struct engine_tunnel_view v;

	ck_assert_int_eq(engine_tunnel_view(p->e, tid, &v), 0);
	return v;
}

/* A recovery changes nothing the shell or the kernel sees; the old tunnel is never torn down. */
static void no_harm(const struct probe *p)
{
	static const enum engine_action_type never[] = { ENGINE_TUNNEL_UP,
							 ENGINE_TUNNEL_DOWN,
							 ENGINE_SESSION_DOWN,
							 ENGINE_KERNEL_TUNNEL_CREATE,
							 ENGINE_KERNEL_TUNNEL_DELETE,
							 ENGINE_KERNEL_SESSION_CREATE,
							 ENGINE_KERNEL_SESSION_DELETE };
	size_t n;

	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		ck_assert_msg(probe_count(p, never[i]) == 0, "action %d during a recovery", never[i]);
	n = sends(p);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(!is(&sent[i].m, PROBE_PEER_TID, L2TP_MSG_STOPCCN) &&
				      !is(&sent[i].m, PROBE_PEER_TID, L2TP_MSG_CDN),
			      "the old tunnel torn down over the wire");
}

/* The last event wrote the tunnel's durable record (STATE_PUT). */
static bool persisted(const struct probe *p, uint16_t tid)
{
	const struct engine_action *a;

	for (size_t i = 0; (a = probe_action(p, ENGINE_STATE_PUT, i)); i++)
		if (a->state.key == ENGINE_STATE_KEY(ENGINE_STATE_TUNNEL, tid))
			return true;
	return false;
}

/* A recovery tunnel is no durable object: a restarted engine must not restore it (when: the event). */
static void not_persisted(const struct probe *p, uint16_t tid, const char *when)
{
	ck_assert_msg(!persisted(p, tid), "STATE_PUT of the recovery tunnel %u on %s", tid, when);
}

/* ---------------------------------------------------------------- the peer recovers ---- */

static struct l2tp_addr other_port(const struct fx *f)
{
	struct l2tp_addr a = f->old.peer;

	a.port = PEER_REC_PORT;
	return a;
}

/*
 * The peer's recovery SCCRQ from its address from, for its new tunnel peer_rec: Tunnel Recovery
 * {peer_old, our_old} and a Tie Breaker. The peer then talks on f->rec, from Ns 0.
 */
static void recovery_msg(struct fx *f, struct l2tp_msg *m, const struct l2tp_addr *from, uint16_t peer_rec,
			 uint16_t peer_old, uint16_t our_old, const uint8_t *tb)
{
	talk_on(f, &f->old);
	f->rec = (struct probe_peer_state){ .peer = *from, .peer_tid = peer_rec };
	talk_on(f, &f->rec);
	probe_sccrq(f->p, m);
	msg_set_present(m, L2TP_AVP_TUNNEL_RECOVERY);
	m->tunnel_recovery.tunnel_id = peer_old;
	m->tunnel_recovery.remote_tunnel_id = our_old;
	msg_set_present(m, L2TP_AVP_TIE_BREAKER);
	memcpy(m->tie_breaker, tb, L2TP_TIE_BREAKER_LEN);
}

static void recovery_sccrq_as(struct fx *f, const struct l2tp_addr *from, uint16_t peer_rec,
			      uint16_t peer_old, uint16_t our_old, const uint8_t *tb)
{
	struct l2tp_msg m;

	recovery_msg(f, &m, from, peer_rec, peer_old, our_old, tb);
	probe_send(f->p, &m);
}

static void recovery_sccrq(struct fx *f, const struct l2tp_addr *from, uint16_t peer_old, uint16_t our_old,
			   const uint8_t *tb)
{
	recovery_sccrq_as(f, from, PEER_REC_TID, peer_old, our_old, tb);
}

/* The engine's answer to a valid recovery SCCRQ (RFC 4951 §3.2.1, §5.3). */
static void recovery_answered(struct fx *f)
{
	struct probe *p = f->p;
	const struct l2tp_msg *r = probe_expect(p, L2TP_MSG_SCCRP);

	ck_assert(msg_has(r, L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE));
	ck_assert(!msg_has(r, L2TP_AVP_FAILOVER_CAPABILITY));
	ck_assert(!msg_has(r, L2TP_AVP_TUNNEL_RECOVERY));
	ck_assert_uint_ne(r->assigned_tunnel_id, 0);
	ck_assert_uint_ne(r->assigned_tunnel_id, f->tid);
	f->rec_tid = p->tid = r->assigned_tunnel_id;
	f->scs_ns = r->suggested_control_sequence.ns;
	f->scs_nr = r->suggested_control_sequence.nr;
	probe_expect_no_send(p);
	no_harm(p);
}

/* The peer's SCCCN on the recovery tunnel: the old one is reset; its FSQ (returned) lists n calls. */
static const struct l2tp_msg *recovery_connected(struct fx *f, int n)
{
	struct probe *p = f->p;
	const struct l2tp_msg *q;
	struct l2tp_msg m;

	talk_on(f, &f->rec);
	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	probe_send(p, &m);
	ck_assert_uint_eq(sent_one(p, PEER_REC_TID, PROBE_ZLB)->nr, 2);
	q = sent_one(p, PROBE_PEER_TID, L2TP_MSG_FSQ);
	ck_assert_uint_eq(sends(p), 2);
	ck_assert(!q->type_mandatory); /* RFC 4951 §4: M bit 0 */
	ck_assert_uint_eq(q->ns, f->scs_nr);
	ck_assert_uint_eq(q->nr, f->scs_ns);
	ck_assert_uint_eq(q->n_fss, n);
	for (int i = 0; i < n; i++)
		ck_assert(has_fss(q, f->sid[i], peer_sids[i]));
	/* The peer resets too (§3.2.2) and has seen the FSQ. */
	talk_on(f, &f->old);
	p->ns = f->scs_ns;
	p->nr = (uint16_t)(f->scs_nr + 1);
	return q;
}

/* A negotiated tunnel with n calls, recovered by its peer: the peer then talks on the old tunnel. */
static void fx_recovered(struct fx *f, uint64_t seed, int n)
{
	struct l2tp_addr from;

	fx_new(f, seed);
	fx_establish(f, CD, RECOVERY_MS, n);
	from = other_port(f);
	recovery_sccrq(f, &from, PROBE_PEER_TID, f->tid, tb_low);
	recovery_answered(f);
	recovery_connected(f, n);
	no_harm(f->p);
}

START_TEST(test_waiting_recovers)
{
	struct engine_tunnel_view v;
	struct l2tp_addr from;
	struct probe *p;
	struct l2tp_msg m;
	struct fx f;
	uint32_t discarded;

	fx_new(&f, 61);
	fx_establish(&f, CD, RECOVERY_MS, 2);
	p = f.p;
	from = other_port(&f);
	recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, tb_low);
	recovery_answered(&f);
	ck_assert_uint_eq(probe_stats(p).tunnels, 2);

	/* Before the reset the old tunnel takes nothing, not even for an acknowledgement. */
	talk_on(&f, &f.old);
	discarded = probe_stats(p).datagrams_discarded;
	probe_hello(p);
	probe_expect_no_send(p);
	probe_icrq(p, &m, 0x0303);
	probe_send(p, &m);
	probe_expect_no_send(p);
	no_harm(p);
	ck_assert_uint_eq(probe_stats(p).datagrams_discarded, discarded + 2);

	/* SCCCN: Ns and Nr become (Suggested Nr, Suggested Ns); every established call is asked about. */
	recovery_connected(&f, 2);
	no_harm(p);
	v = view(p, f.tid);
	ck_assert_int_eq(v.recovery, ENGINE_RECOVERY_PROTOCOL);
	ck_assert(v.established);
	ck_assert_uint_eq(v.sessions, 2);
	ck_assert_uint_eq(v.nr, f.scs_ns);
	ck_assert_uint_eq(v.ns, (uint16_t)(f.scs_nr + 1));

	/* The peer goes on from the suggestion: its HELLO with Ns = Suggested Ns is taken. */
	probe_hello(p);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->ns, (uint16_t)(f.scs_nr + 1));
	probe_expect_no_send(p);
	ck_assert_uint_eq(view(p, f.tid).nr, (uint16_t)(f.scs_ns + 1));
	no_harm(p);

	/* The peer closes the recovery tunnel: nothing else ends. */
	talk_on(&f, &f.rec);
	probe_stopccn(p, &m, L2TP_RC_STOPCCN_CLEAR, 0);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	probe_expect_no_send(p);
	no_harm(p);
	ck_assert(view(p, f.rec_tid).closing);
	ck_assert(view(p, f.tid).established);
	fx_free(&f);
}
END_TEST

/* Step I (§3.3): a call not yet established when the control channel is reset goes silently. */
START_TEST(test_waiting_reset_clears_half_calls)
{
	struct l2tp_addr from;
	const struct engine_action *d;
	struct probe *p;
	struct l2tp_msg m;
	struct fx f;

	fx_new(&f, 62);
	fx_establish(&f, CD, RECOVERY_MS, 1);
	p = f.p;
	probe_icrq(p, &m, 0x0303);
	probe_send(p, &m);
	probe_expect(p, L2TP_MSG_ICRP);
	from = other_port(&f);
	recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, tb_low);
	recovery_answered(&f);
	recovery_connected(&f, 1);
	d = probe_one(p, ENGINE_SESSION_DOWN);
	ck_assert_uint_eq(d->peer_session_id, 0x0303);
	ck_assert_uint_eq(sent_count(p, PROBE_PEER_TID, L2TP_MSG_CDN), 0);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	ck_assert_uint_eq(view(p, f.tid).sessions, 1);
	fx_free(&f);
}
END_TEST

/* The refusal of a recovery SCCRQ: a stateless StopCCN, result 2; the old tunnel untouched. */
static void expect_refused(struct fx *f, const struct engine_tunnel_view *before)
{
	struct probe *p = f->p;
	struct engine_tunnel_view v;
	const struct l2tp_msg *r;

	r = probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_GENERAL_ERROR, 0);
	ck_assert_uint_eq(r->ns, 0);
	ck_assert(r->result_code.message.len > 0);
	probe_expect_no_send(p);
	no_harm(p);
	ck_assert_uint_eq(probe_stats(p).tunnels, 1);
	v = view(p, f->tid);
	ck_assert(v.established);
	ck_assert_uint_eq(v.ns, before->ns);
	ck_assert_uint_eq(v.nr, before->nr);
	ck_assert_int_eq(v.recovery, ENGINE_RECOVERY_NONE);
	/* It goes on as before: a HELLO is acknowledged at once. */
	talk_on(f, &f->old);
	probe_hello(p);
	probe_expect(p, PROBE_ZLB);
	probe_expect_no_send(p);
}

START_TEST(test_waiting_refuses)
{
	enum { UNKNOWN_OURS, OTHER_PEER_ID, OTHER_HOST, NOT_ADVERTISED, NOT_OFFERED, CASES };

	for (int c = 0; c < CASES; c++) {
		struct engine_tunnel_view before;
		struct l2tp_addr from;
		uint16_t peer_old = PROBE_PEER_TID, our_old;
		struct fx f;

		fx_new(&f, 63 + (uint64_t)c);
		if (c == NOT_OFFERED)
			f.p->cfg.failover_flags = 0;
		fx_establish(&f, c == NOT_ADVERTISED ? 0 : CD, RECOVERY_MS, 1);
		before = view(f.p, f.tid);
		our_old = f.tid;
		from = other_port(&f);
		if (c == UNKNOWN_OURS)
			our_old = f.tid == UINT16_MAX ? 1 : (uint16_t)(f.tid + 1);
		else if (c == OTHER_PEER_ID)
			peer_old = PROBE_PEER_TID + 1;
		else if (c == OTHER_HOST)
			from.addr[3]++;
		recovery_sccrq(&f, &from, peer_old, our_old, tb_low);
		expect_refused(&f, &before);
		fx_free(&f);
	}
}
END_TEST

/*
 * The peer's SCCRQ again (our SCCRP lost) is only acknowledged; a recovery tunnel is no tunnel
 * to recover; a new attempt (another Assigned Tunnel ID) replaces the first, which is closed.
 */
START_TEST(test_waiting_repeated_attempts)
{
	struct probe_peer_state first_rec;
	struct engine_tunnel_view before;
	struct l2tp_addr from;
	struct probe *p;
	struct fx f;
	uint16_t first;

	fx_new(&f, 70);
	fx_establish(&f, CD, RECOVERY_MS, 1);
	p = f.p;
	from = other_port(&f);
	recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, tb_low);
	recovery_answered(&f);
	first = f.rec_tid;
	talk_on(&f, &f.old);
	first_rec = f.rec;

	recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, tb_low);
	probe_expect(p, PROBE_ZLB);
	probe_expect_no_send(p);
	ck_assert_uint_eq(probe_stats(p).tunnels, 2);

	before = view(p, f.tid);
	recovery_sccrq_as(&f, &from, PEER_REC_TID + 2, PEER_REC_TID, first, tb_low);
	probe_expect_result(p, L2TP_MSG_STOPCCN, L2TP_RC_STOPCCN_GENERAL_ERROR, 0);
	probe_expect_no_send(p);
	ck_assert_uint_eq(view(p, f.tid).nr, before.nr);
	ck_assert_str_eq(view(p, first).state, "wait-ctl-conn");

	recovery_sccrq_as(&f, &from, PEER_REC_TID + 1, PROBE_PEER_TID, f.tid, tb_low);
	ck_assert(
		msg_has(sent_one(p, PEER_REC_TID + 1, L2TP_MSG_SCCRP), L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE));
	ck_assert_uint_eq(sends(p), 1);
	no_harm(p);
	/*
	 * The first attempt is forgotten at once, without a StopCCN: however many SCCRQs a
	 * spoofer sends, one recovery tunnel per old tunnel exists (they skip the limits).
	 */
	ck_assert_int_eq(engine_tunnel_view(p->e, first, &before), -ENOENT);
	talk_on(&f, &first_rec);
	probe_zlb(p);
	probe_expect_no_send(p);
	no_harm(p);
	fx_free(&f);
}
END_TEST

/* §3.2.1: the recovery is authenticated with the old tunnel's secret, whatever a reload says now. */
START_TEST(test_waiting_authenticates_with_old_secret)
{
	struct engine_config reloaded;
	struct blob old_secret = blob_from_str("old secret"), ours;
	uint8_t want[L2TP_CHALLENGE_RESPONSE_LEN], challenge[16];
	const struct l2tp_msg *r;
	struct l2tp_addr from;
	struct probe *p;
	struct l2tp_msg m;
	struct fx f;

	for (int good = 0; good < 2; good++) {
		fx_new(&f, 71 + (uint64_t)good);
		p = f.p;
		p->cfg.secret = p->secret = "old secret";
		fx_establish(&f, CD, RECOVERY_MS, 1);
		reloaded = p->cfg;
		reloaded.secret = "new secret";
		engine_set_config(p->e, &reloaded);
		from = other_port(&f);
		recovery_msg(&f, &m, &from, PEER_REC_TID, PROBE_PEER_TID, f.tid, tb_low);
		msg_set_present(&m, L2TP_AVP_CHALLENGE);
		m.challenge = (struct blob){ peer_challenge, sizeof(peer_challenge) };
		probe_send(p, &m);
		r = probe_expect(p, L2TP_MSG_SCCRP);
		ours = (struct blob){ peer_challenge, sizeof(peer_challenge) };
		auth_challenge_response(L2TP_MSG_SCCRP, &old_secret, &ours, want);
		ck_assert(msg_has(r, L2TP_AVP_CHALLENGE_RESPONSE));
		ck_assert_mem_eq(r->challenge_response, want, sizeof(want));
		ck_assert(msg_has(r, L2TP_AVP_CHALLENGE) && r->challenge.len == sizeof(challenge));
		memcpy(challenge, r->challenge.ptr, sizeof(challenge));
		f.rec_tid = p->tid = r->assigned_tunnel_id;
		f.scs_ns = r->suggested_control_sequence.ns;
		f.scs_nr = r->suggested_control_sequence.nr;

		probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
		msg_set_present(&m, L2TP_AVP_CHALLENGE_RESPONSE);
		ours = (struct blob){ challenge, sizeof(challenge) };
		auth_challenge_response(L2TP_MSG_SCCCN, &old_secret, &ours, m.challenge_response);
		if (!good)
			m.challenge_response[0] ^= 1;
		probe_send(p, &m);
		no_harm(p);
		if (good) {
			ck_assert_uint_eq(sent_one(p, PROBE_PEER_TID, L2TP_MSG_FSQ)->ns, f.scs_nr);
			ck_assert_int_eq(view(p, f.tid).recovery, ENGINE_RECOVERY_PROTOCOL);
		} else {
			/* Refused: the recovery tunnel ends, the old one takes messages again as it was. */
			probe_check_result(sent_one(p, PEER_REC_TID, L2TP_MSG_STOPCCN),
					   L2TP_RC_STOPCCN_NOT_AUTHORIZED, 0);
			ck_assert_uint_eq(sends(p), 1);
			ck_assert_int_eq(view(p, f.tid).recovery, ENGINE_RECOVERY_NONE);
			talk_on(&f, &f.old);
			probe_hello(p);
			probe_expect(p, PROBE_ZLB);
		}
		fx_free(&f);
	}
}
END_TEST

/* A restarted engine's records never include the peer's recovery tunnel: it is no tunnel to restore. */
START_TEST(test_waiting_recovery_tunnel_not_persisted)
{
	struct l2tp_addr from;
	struct fx f;

	fx_new(&f, 73);
	f.p->cfg.persist_state = true;
	fx_establish(&f, CD, RECOVERY_MS, 1);
	from = other_port(&f);
	recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, tb_low);
	recovery_answered(&f);
	not_persisted(f.p, f.rec_tid, "SCCRQ");
	recovery_connected(&f, 1);
	/* The old tunnel's record follows its new Ns and Nr. */
	ck_assert(persisted(f.p, f.tid));
	not_persisted(f.p, f.rec_tid, "SCCCN");
	fx_free(&f);
}
END_TEST

/* ---------------------------------------------------------------- session audit ---- */

/* §3.3 Step III and Appendix C: each FSS answered; a call paired otherwise is asked about, not cleared. */
START_TEST(test_fsq_answered)
{
	const struct l2tp_msg *r, *q;
	struct probe *p;
	struct l2tp_msg m;
	struct fx f;
	uint16_t unknown = 1;

	fx_new(&f, 74);
	fx_establish(&f, CD, RECOVERY_MS, 2);
	p = f.p;
	while (unknown == f.sid[0] || unknown == f.sid[1])
		unknown++;
	probe_msg(p, &m, L2TP_MSG_FSQ, 0);
	add_fss(&m, peer_sids[0], f.sid[0]); /* paired */
	add_fss(&m, 0x0303, unknown);	     /* no such call */
	add_fss(&m, 0x0909, f.sid[1]);	     /* ours, paired with 0x0202 */
	probe_send(p, &m);
	r = probe_expect(p, L2TP_MSG_FSR);
	ck_assert(!r->type_mandatory);
	ck_assert_uint_eq(r->n_fss, 3);
	ck_assert(has_fss(r, f.sid[0], peer_sids[0]));
	ck_assert(has_fss(r, 0, 0x0303));
	ck_assert(has_fss(r, 0, 0x0909));
	q = probe_expect(p, L2TP_MSG_FSQ);
	ck_assert_uint_eq(q->n_fss, 1);
	ck_assert(has_fss(q, f.sid[1], peer_sids[1]));
	probe_expect_no_send(p);
	no_harm(p);

	/* The peer confirms the pairing we know: nothing ends. */
	probe_msg(p, &m, L2TP_MSG_FSR, 0);
	add_fss(&m, peer_sids[1], f.sid[1]);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	probe_expect_no_send(p);
	no_harm(p);
	ck_assert_uint_eq(view(p, f.tid).sessions, 2);
	fx_free(&f);
}
END_TEST

/*
 * The FSS that FSRs carry to the peer, n unknown calls from first on, however the answer is
 * split (§3.3); the peer acknowledges each batch, so what waited for the window follows.
 */
static size_t fss_answered(struct probe *p, uint16_t first, size_t n)
{
	size_t total = 0;

	for (size_t round = 0; round < n; round++) {
		size_t k = sends(p), fsrs = 0;

		for (size_t i = 0; i < k; i++) {
			const struct l2tp_msg *r = &sent[i].m;

			if (!is(r, PROBE_PEER_TID, L2TP_MSG_FSR))
				continue;
			for (uint16_t j = 0; j < r->n_fss; j++) {
				ck_assert_uint_eq(r->fss[j].session_id, 0);
				ck_assert_uint_ge(r->fss[j].remote_session_id, first);
				ck_assert_uint_lt(r->fss[j].remote_session_id, first + n);
			}
			total += r->n_fss;
			fsrs++;
			p->nr = (uint16_t)(r->ns + 1);
		}
		if (!fsrs)
			break;
		probe_zlb(p);
	}
	return total;
}

/* The peer asks about many calls at once: every one answered, the tunnel kept. */
START_TEST(test_fsq_many)
{
	enum { FIRST = 0x1000, MANY = 200 };
	struct l2tp_msg m;
	struct fx f;

	fx_new(&f, 79);
	fx_establish(&f, CD, RECOVERY_MS, 0);
	probe_msg(f.p, &m, L2TP_MSG_FSQ, 0);
	for (uint16_t i = 0; i < MANY; i++)
		add_fss(&m, FIRST + i, FIRST + i);
	probe_send(f.p, &m);
	ck_assert_uint_eq(fss_answered(f.p, FIRST, MANY), MANY);
	ck_assert_uint_eq(sent_count(f.p, PROBE_PEER_TID, L2TP_MSG_STOPCCN), 0);
	ck_assert(view(f.p, f.tid).established);
	fx_free(&f);
}
END_TEST

/* An FSS AVP written by hand (M bit, length 16, IETF type 79): the peer's id and ours are both id. */
static void raw_fss(uint8_t out[16], uint16_t id)
{
	static const uint8_t head[10] = { 0x80, 16, 0, 0, 0, L2TP_AVP_FAILOVER_SESSION_STATE };

	memcpy(out, head, sizeof(head));
	out[10] = out[14] = (uint8_t)(id >> 8);
	out[11] = out[15] = (uint8_t)id;
	out[12] = out[13] = 0;
}

/*
 * As many FSS as one FSQ can carry: RFC 4951 §3.3 puts no limit on them but the message's
 * size, so a peer with many calls may ask about all at once; every one is answered and the
 * tunnel is not cleared for it.
 */
START_TEST(test_fsq_beyond_decoder_room)
{
	enum { FIRST = 0x1000, FSS_LEN = 16 };
	static uint8_t buf[L2TP_MAX_MSG_LEN];
	struct l2tp_msg m;
	struct probe *p;
	struct fx f;
	size_t many;
	int len;

	fx_new(&f, 87);
	fx_establish(&f, CD, RECOVERY_MS, 0);
	p = f.p;
	probe_msg(p, &m, L2TP_MSG_FSQ, 0);
	add_fss(&m, FIRST, FIRST);
	len = encode_control(&m, &(struct encode_opts){ 0 }, buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	/* The rest appended to what the encoder made, the header's length made to match. */
	many = 1 + (sizeof(buf) - (size_t)len) / FSS_LEN;
	ck_assert_uint_le(many, MSG_MAX_FSS);
	for (uint16_t i = 1; i < many; i++) {
		raw_fss(buf + len, FIRST + i);
		len += FSS_LEN;
	}
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	probe_begin(p);
	p->ns++;
	engine_recv(p->e, p->now, &p->local, &p->peer, buf, (size_t)len);
	ck_assert_uint_eq(sent_count(p, PROBE_PEER_TID, L2TP_MSG_STOPCCN), 0);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	ck_assert_uint_eq(fss_answered(p, FIRST, many), many);
	fx_free(&f);
}
END_TEST

START_TEST(test_fsq_ignored_without_negotiation)
{
	for (int c = 0; c < 2; c++) {
		struct l2tp_msg m;
		struct fx f;

		fx_new(&f, 75 + (uint64_t)c);
		if (c)
			f.p->cfg.failover_flags = 0; /* the peer advertised, we did not */
		fx_establish(&f, c ? CD : 0, RECOVERY_MS, 1);
		probe_msg(f.p, &m, L2TP_MSG_FSQ, 0);
		add_fss(&m, 0x0303, f.sid[0]);
		probe_send(f.p, &m);
		probe_expect(f.p, PROBE_ZLB);
		probe_expect_no_send(f.p);
		no_harm(f.p);
		fx_free(&f);
	}
}
END_TEST

/* §3.3: no new call until the peer answered our FSQ (CDN result 4), then as usual. */
START_TEST(test_calls_wait_for_audit)
{
	const struct l2tp_msg *r;
	struct probe *p;
	struct l2tp_msg m;
	struct fx f;

	fx_recovered(&f, 76, 2);
	p = f.p;
	probe_icrq(p, &m, 0x0303);
	probe_send(p, &m);
	r = probe_expect_result(p, L2TP_MSG_CDN, L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0);
	ck_assert_uint_eq(r->session_id, 0x0303);
	probe_expect_no_send(p);
	ck_assert_uint_eq(probe_count(p, ENGINE_SESSION_UP), 0);

	probe_msg(p, &m, L2TP_MSG_FSR, 0);
	add_fss(&m, peer_sids[0], f.sid[0]);
	add_fss(&m, peer_sids[1], f.sid[1]);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	no_harm(p);

	probe_icrq(p, &m, 0x0404);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_ICRP)->session_id, 0x0404);
	probe_expect_no_send(p);
	fx_free(&f);
}
END_TEST

/* An FSS with Session ID 0 in an FSR: the peer has no such call; ours goes without a CDN. */
START_TEST(test_fsr_clears_unknown_silently)
{
	const struct engine_action *d;
	struct probe *p;
	struct l2tp_msg m;
	struct fx f;

	fx_recovered(&f, 77, 2);
	p = f.p;
	probe_msg(p, &m, L2TP_MSG_FSR, 0);
	add_fss(&m, 0, f.sid[0]);
	add_fss(&m, peer_sids[1], f.sid[1]);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	probe_expect_no_send(p);
	d = probe_one(p, ENGINE_SESSION_DOWN);
	ck_assert_uint_eq(d->session_id, f.sid[0]);
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_SESSION_DELETE)->session_id, f.sid[0]);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	ck_assert_uint_eq(view(p, f.tid).sessions, 1);
	fx_free(&f);
}
END_TEST

/* An FSR nobody asked for clears nothing: only our own queries are answered. */
START_TEST(test_fsr_unsolicited_ignored)
{
	struct l2tp_msg m;
	struct fx f;

	fx_new(&f, 78);
	fx_establish(&f, CD, RECOVERY_MS, 1);
	probe_msg(f.p, &m, L2TP_MSG_FSR, 0);
	add_fss(&m, 0, f.sid[0]);
	probe_send(f.p, &m);
	probe_expect(f.p, PROBE_ZLB);
	probe_expect_no_send(f.p);
	no_harm(f.p);
	ck_assert_uint_eq(view(f.p, f.tid).sessions, 1);
	fx_free(&f);
}
END_TEST

/* ---------------------------------------------------------------- Recovery Time (§5.1) ---- */

/* Ticks through the retransmissions until a deadline sends nothing: they ran out then. */
static uint64_t exhaust(struct probe *p)
{
	for (int i = 0; i < 16; i++) {
		uint64_t at = engine_next_deadline(p->e);

		ck_assert_uint_ne(at, UINT64_MAX);
		probe_tick(p, at);
		if (!probe_count(p, ENGINE_SEND))
			return at;
	}
	ck_abort_msg("the retransmissions never ran out");
	return 0;
}

/* An established call and an OCRQ the peer never acknowledges. Returns the OCRQ's session. */
static uint16_t silent_peer(struct fx *f, uint64_t seed, uint16_t flags, uint32_t ms, uint16_t ours)
{
	uint16_t osid;

	fx_new(f, seed);
	f->p->cfg.failover_flags = ours;
	fx_establish(f, flags, ms, 1);
	ck_assert_int_eq(probe_place(f->p, ENGINE_CALL_OUTGOING, NULL, &osid), 0);
	probe_expect(f->p, L2TP_MSG_OCRQ);
	return osid;
}

START_TEST(test_hold_for_recovery_time)
{
	struct probe *p;
	struct fx f;
	uint64_t start, at;
	uint16_t osid;

	osid = silent_peer(&f, 80, CD, RECOVERY_MS, CD);
	p = f.p;
	start = p->now;
	at = exhaust(p);
	ck_assert_uint_eq(at, start + FULL_CYCLE);
	/* The call being set up cannot be recovered: it ends now, silently; the rest waits. */
	ck_assert_uint_eq(probe_one(p, ENGINE_SESSION_DOWN)->session_id, osid);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	ck_assert_uint_eq(probe_count(p, ENGINE_KERNEL_SESSION_DELETE), 0);
	ck_assert_uint_eq(probe_count(p, ENGINE_KERNEL_TUNNEL_DELETE), 0);
	ck_assert(view(p, f.tid).established);
	ck_assert_uint_eq(view(p, f.tid).sessions, 1);
	ck_assert_uint_eq(engine_next_deadline(p->e), at + RECOVERY_MS);
	probe_tick(p, at + RECOVERY_MS - 1);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);

	/* Not back in time: cleared without a StopCCN (nobody would acknowledge it). */
	probe_tick(p, at + RECOVERY_MS);
	probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_FSM_ERROR, false);
	ck_assert_uint_eq(probe_one(p, ENGINE_SESSION_DOWN)->session_id, f.sid[0]);
	ck_assert_uint_eq(probe_count(p, ENGINE_KERNEL_SESSION_DELETE), 1);
	ck_assert_uint_eq(probe_count(p, ENGINE_KERNEL_TUNNEL_DELETE), 1);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_RELEASED), 1);
	ck_assert_uint_eq(probe_count(p, ENGINE_SEND), 0);
	fx_free(&f);
}
END_TEST

/* Without C from the peer, without a Recovery Time, or without our own offer: cleared at once. */
START_TEST(test_no_hold_without_recovery_time)
{
	static const struct {
		uint16_t peer_flags;
		uint32_t ms;
		uint16_t ours;
	} cases[] = {
		{ L2TP_FAILOVER_CAP_D, RECOVERY_MS, CD },
		{ CD, 0, CD },
		{ CD, RECOVERY_MS, 0 },
		{ 0, 0, CD },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct fx f;

		silent_peer(&f, 81 + c, cases[c].peer_flags, cases[c].ms, cases[c].ours);
		exhaust(f.p);
		probe_down(f.p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_FSM_ERROR, false);
		ck_assert_uint_eq(probe_count(f.p, ENGINE_SESSION_DOWN), 2);
		ck_assert_uint_eq(probe_count(f.p, ENGINE_TUNNEL_RELEASED), 1);
		fx_free(&f);
	}
}
END_TEST

/* The peer's recovery arrives while we wait: the tunnel is kept past its Recovery Time. */
START_TEST(test_hold_ends_in_recovery)
{
	struct l2tp_addr from;
	struct probe *p;
	struct fx f;
	uint64_t at;

	silent_peer(&f, 85, CD, RECOVERY_MS, CD);
	p = f.p;
	at = exhaust(p);
	p->now = at + RECOVERY_MS / 2;
	from = other_port(&f);
	recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, tb_low);
	recovery_answered(&f);
	recovery_connected(&f, 1);
	no_harm(p);
	probe_tick(p, at + RECOVERY_MS);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	ck_assert(view(p, f.tid).established);
	ck_assert_int_eq(view(p, f.tid).recovery, ENGINE_RECOVERY_PROTOCOL);
	fx_free(&f);
}
END_TEST

/*
 * §5.1: the Recovery Time "is also stopped if a control channel message is acknowledged by the
 * peer ... when there was no failover": a peer that acknowledges while we wait is alive, and
 * the tunnel is not cleared when the Recovery Time ends.
 */
START_TEST(test_hold_ends_when_peer_acknowledges)
{
	struct probe *p;
	struct fx f;
	uint64_t at;

	silent_peer(&f, 86, CD, RECOVERY_MS, CD);
	p = f.p;
	at = exhaust(p);
	p->now = at + 1000;
	probe_zlb(p); /* acknowledges the OCRQ */
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	probe_tick(p, at + RECOVERY_MS);
	ck_assert_uint_eq(probe_count(p, ENGINE_TUNNEL_DOWN), 0);
	ck_assert(view(p, f.tid).established);
	/* And it works: the peer's HELLO is acknowledged. */
	probe_hello(p);
	probe_expect(p, PROBE_ZLB);
	fx_free(&f);
}
END_TEST

/* ---------------------------------------------------------------- we recover ---- */

/* An engine keeping its state, a tunnel with n calls whose peer advertised flags, restarted as q. */
static void fx_restarted(struct fx *f, uint64_t seed, uint16_t flags, int n, struct probe *q)
{
	fx_new(f, seed);
	f->keeping = true;
	f->p->cfg.persist_state = true;
	fx_establish(f, flags, RECOVERY_MS, n);
	ck_assert_uint_eq(f->n_kept, 1 + (size_t)n);
	fx_restart(f, q);
}

/* The restarted engine's recovery SCCRQ (§3.2.1), from another port of ours. */
static void our_recovery_sccrq(struct fx *f)
{
	struct probe *p = f->p;
	const struct engine_action *a;
	const struct l2tp_msg *m;

	ck_assert_uint_eq(sends(p), 1);
	a = sent[0].a;
	m = &sent[0].m;
	ck_assert_uint_eq(m->type, L2TP_MSG_SCCRQ);
	ck_assert_uint_eq(m->tunnel_id, 0);
	ck_assert_uint_eq(m->ns, 0);
	ck_assert_uint_eq(m->nr, 0);
	ck_assert(msg_has(m, L2TP_AVP_TUNNEL_RECOVERY));
	ck_assert_uint_eq(m->tunnel_recovery.tunnel_id, f->tid);
	ck_assert_uint_eq(m->tunnel_recovery.remote_tunnel_id, PROBE_PEER_TID);
	ck_assert(msg_has(m, L2TP_AVP_TIE_BREAKER));
	ck_assert(!msg_has(m, L2TP_AVP_FAILOVER_CAPABILITY));
	ck_assert_uint_ne(m->assigned_tunnel_id, 0);
	ck_assert_uint_ne(m->assigned_tunnel_id, f->tid);
	/* Port 0: the shell picks another, the old one carries the kernel's data path. */
	ck_assert_uint_eq(a->send.local.port, 0);
	ck_assert(l2tp_addr_same_host(&a->send.local, &p->local));
	ck_assert(l2tp_addr_equal(&a->send.peer, &p->peer));
	ck_assert_uint_eq(a->tunnel_id, m->assigned_tunnel_id);
	f->rec_tid = m->assigned_tunnel_id;
	f->rec = (struct probe_peer_state){
		.peer = f->old.peer, .tid = f->rec_tid, .peer_tid = PEER_REC_TID, .nr = 1
	};
	no_harm(p);
	not_persisted(p, f->rec_tid, "resume");
	ck_assert_int_eq(view(p, f->tid).recovery, ENGINE_RECOVERY_PROTOCOL_PENDING);
}

/* The peer accepts our recovery (with a Suggested Control Sequence if scs): SCCCN, StopCCN, FSQ. */
static const struct l2tp_msg *peer_accepts(struct fx *f, bool scs, uint16_t ns, uint16_t nr)
{
	struct probe *p = f->p;
	const struct l2tp_msg *q, *r;
	struct l2tp_msg m;

	talk_on(f, &f->rec);
	probe_sccrp(p, &m);
	if (scs) {
		msg_set_present(&m, L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE);
		m.suggested_control_sequence.ns = ns;
		m.suggested_control_sequence.nr = nr;
	}
	probe_send(p, &m);
	keep(f);
	ck_assert_uint_eq(sends(p), 3);
	r = sent_one(p, PEER_REC_TID, L2TP_MSG_SCCCN);
	ck_assert_uint_eq(r->ns, 1);
	r = sent_one(p, PEER_REC_TID, L2TP_MSG_STOPCCN);
	probe_check_result(r, L2TP_RC_STOPCCN_CLEAR, 0);
	ck_assert_uint_eq(r->assigned_tunnel_id, f->rec_tid);
	q = sent_one(p, PROBE_PEER_TID, L2TP_MSG_FSQ);
	ck_assert_uint_eq(q->ns, scs ? ns : 0);
	ck_assert_uint_eq(q->nr, scs ? nr : 0);
	no_harm(p);
	not_persisted(p, f->rec_tid, "SCCRP");
	talk_on(f, &f->old);
	p->ns = scs ? nr : 0;
	p->nr = (uint16_t)((scs ? ns : 0) + 1);
	return q;
}

START_TEST(test_recovering_resets_and_audits)
{
	const struct l2tp_msg *q;
	struct engine_tunnel_view v;
	struct probe *p;
	struct l2tp_msg m;
	struct fx f;
	uint16_t sid;

	fx_restarted(&f, 90, CD, 2, fx_engine(91));
	p = f.p;
	our_recovery_sccrq(&f);
	q = peer_accepts(&f, true, 3, 100); /* RFC 4951 Appendix A's numbers */
	ck_assert_uint_eq(q->n_fss, 2);
	ck_assert(has_fss(q, f.sid[0], peer_sids[0]));
	ck_assert(has_fss(q, f.sid[1], peer_sids[1]));
	v = view(p, f.tid);
	ck_assert_int_eq(v.recovery, ENGINE_RECOVERY_PROTOCOL);
	ck_assert_uint_eq(v.ns, 4);
	ck_assert_uint_eq(v.nr, 100);
	ck_assert_uint_eq(v.sessions, 2);
	ck_assert(persisted(p, f.tid)); /* with the new Ns and Nr */

	/* No call of ours either until the peer answered (§3.3). */
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_OUTGOING, NULL, &sid), -EBUSY);
	probe_msg(p, &m, L2TP_MSG_FSR, 0);
	add_fss(&m, peer_sids[0], f.sid[0]);
	add_fss(&m, peer_sids[1], f.sid[1]);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_expect(p, PROBE_ZLB)->nr, 101);
	probe_expect_no_send(p);
	no_harm(p);
	ck_assert_int_eq(probe_place(p, ENGINE_CALL_OUTGOING, NULL, &sid), 0);
	ck_assert_uint_eq(probe_expect(p, L2TP_MSG_OCRQ)->ns, 4);
	fx_free(&f);
}
END_TEST

START_TEST(test_recovering_without_suggestion)
{
	struct fx f;

	fx_restarted(&f, 92, CD, 1, fx_engine(93));
	our_recovery_sccrq(&f);
	peer_accepts(&f, false, 0, 0);
	ck_assert_uint_eq(view(f.p, f.tid).nr, 0);
	ck_assert_uint_eq(view(f.p, f.tid).ns, 1);
	/* The peer's HELLO from Ns 0 is taken. */
	probe_hello(f.p);
	probe_expect(f.p, PROBE_ZLB);
	ck_assert_uint_eq(view(f.p, f.tid).nr, 1);
	fx_free(&f);
}
END_TEST

/* §3.2.1: the peer refuses, or never answers: the old tunnel and its calls go without a word. */
static void cleared_silently(const struct fx *f)
{
	const struct probe *p = f->p;

	ck_assert_uint_eq(probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_GENERAL_ERROR, false)->tunnel_id,
			  f->tid);
	ck_assert_uint_eq(probe_count(p, ENGINE_SESSION_DOWN), 2);
	ck_assert_uint_eq(probe_count(p, ENGINE_KERNEL_SESSION_DELETE), 2);
	ck_assert_uint_eq(probe_one(p, ENGINE_KERNEL_TUNNEL_DELETE)->tunnel_id, f->tid);
	ck_assert_uint_eq(sent_count(p, PROBE_PEER_TID, L2TP_MSG_STOPCCN), 0);
	ck_assert_uint_eq(sent_count(p, PROBE_PEER_TID, L2TP_MSG_CDN), 0);
}

START_TEST(test_recovering_refused)
{
	struct l2tp_msg m;
	struct fx f;

	fx_restarted(&f, 94, CD, 2, fx_engine(95));
	our_recovery_sccrq(&f);
	talk_on(&f, &f.rec);
	probe_stopccn(f.p, &m, L2TP_RC_STOPCCN_GENERAL_ERROR, 0);
	probe_send(f.p, &m);
	cleared_silently(&f);
	sent_one(f.p, PEER_REC_TID, PROBE_ZLB);
	ck_assert_uint_eq(sends(f.p), 1);
	ck_assert(view(f.p, f.tid).closing);
	fx_free(&f);
}
END_TEST

START_TEST(test_recovering_unanswered)
{
	struct fx f;
	uint64_t start, at;

	fx_restarted(&f, 96, CD, 2, fx_engine(97));
	our_recovery_sccrq(&f);
	start = f.p->now;
	at = exhaust(f.p);
	ck_assert_uint_eq(at, start + FULL_CYCLE);
	cleared_silently(&f);
	fx_free(&f);
}
END_TEST

/* Appendix B: both ends recover the same tunnel; the lower tie breaker's recovery goes on. */
START_TEST(test_recovering_both_ends)
{
	for (int we_win = 0; we_win < 2; we_win++) {
		uint8_t ours[L2TP_TIE_BREAKER_LEN];
		struct l2tp_addr from;
		struct probe *p;
		struct fx f;

		fx_restarted(&f, 98 + (uint64_t)we_win, CD, 1, fx_engine(100 + (uint64_t)we_win));
		p = f.p;
		our_recovery_sccrq(&f);
		memcpy(ours, sent[0].m.tie_breaker, sizeof(ours));
		ck_assert(memcmp(ours, tb_low, sizeof(ours)) > 0 && memcmp(ours, tb_high, sizeof(ours)) < 0);
		from = other_port(&f);
		recovery_sccrq(&f, &from, PROBE_PEER_TID, f.tid, we_win ? tb_high : tb_low);
		if (we_win) {
			/* Theirs is dropped unanswered; ours waits for its SCCRP. */
			ck_assert_uint_eq(sends(p), 0);
			ck_assert_str_eq(view(p, f.rec_tid).state, "wait-ctl-reply");
			ck_assert_int_eq(view(p, f.tid).recovery, ENGINE_RECOVERY_PROTOCOL_PENDING);
			no_harm(p);
		} else {
			/* Ours goes silently; we answer as the remote endpoint (SCCRP with a suggestion). */
			ck_assert_uint_eq(probe_one(p, ENGINE_TUNNEL_RELEASED)->tunnel_id, f.rec_tid);
			ck_assert_int_eq(
				engine_tunnel_view(p->e, f.rec_tid, &(struct engine_tunnel_view){ 0 }),
				-ENOENT);
			f.rec_tid = 0;
			recovery_answered(&f);
			recovery_connected(&f, 1);
			no_harm(p);
			ck_assert_int_eq(view(p, f.tid).recovery, ENGINE_RECOVERY_PROTOCOL);
		}
		fx_free(&f);
	}
}
END_TEST

/* Resumed without the protocol: a HELLO probe learns Ns and Nr (silent failover). */
static void expect_silent(struct fx *f, uint16_t ns_before)
{
	struct probe *p = f->p;
	const struct l2tp_msg *h;

	h = sent_one(p, PROBE_PEER_TID, L2TP_MSG_HELLO);
	ck_assert_uint_eq(sends(p), 1);
	ck_assert_uint_eq(h->ns, (uint16_t)(ns_before - 1));
	ck_assert_uint_eq(sent[0].a->send.local.port, p->local.port);
	ck_assert_int_eq(view(p, f->tid).recovery, ENGINE_RECOVERY_RESYNCING);
	probe_zlb(p);
	ck_assert_int_eq(view(p, f->tid).recovery, ENGINE_RECOVERY_SILENT);
	ck_assert_uint_eq(view(p, f->tid).ns, ns_before);
	ck_assert_uint_eq(probe_stats(p).tunnels, 1);
}

START_TEST(test_resume_silent_fallback)
{
	enum { NOT_ADVERTISED, SILENT_MODE, PEER_SILENT, NOT_OFFERED_NOW, CASES };

	for (int c = 0; c < CASES; c++) {
		struct probe *q = fx_engine(110 + (uint64_t)c);
		struct fx f;

		if (c == SILENT_MODE)
			q->cfg.resync = ENGINE_RESYNC_SILENT;
		if (c == NOT_OFFERED_NOW)
			q->cfg.failover_flags = 0;
		if (c == PEER_SILENT) {
			q->peer_cfg.addr = q->peer;
			q->peer_cfg.resync = ENGINE_RESYNC_SILENT;
			q->cfg.peers = &q->peer_cfg;
			q->cfg.n_peers = 1;
		}
		fx_restarted(&f, 120 + (uint64_t)c, c == NOT_ADVERTISED ? 0 : CD, 1, q);
		expect_silent(&f, f.old.nr);
		fx_free(&f);
	}
}
END_TEST

/* A peer's own setting wins over the global one: the protocol for it even when silent elsewhere. */
START_TEST(test_resume_peer_protocol)
{
	struct probe *q = fx_engine(130);
	struct fx f;

	q->cfg.resync = ENGINE_RESYNC_SILENT;
	q->peer_cfg.addr = q->peer;
	q->peer_cfg.resync = ENGINE_RESYNC_PROTOCOL_OR_SILENT;
	q->cfg.peers = &q->peer_cfg;
	q->cfg.n_peers = 1;
	fx_restarted(&f, 131, CD, 1, q);
	our_recovery_sccrq(&f);
	fx_free(&f);
}
END_TEST

Suite *suite_recovery(void)
{
	Suite *s = suite_create("recovery");
	TCase *waiting = tcase_create("waiting"), *audit = tcase_create("audit");
	TCase *hold = tcase_create("hold"), *recovering = tcase_create("recovering");

	tcase_add_test(waiting, test_waiting_recovers);
	tcase_add_test(waiting, test_waiting_reset_clears_half_calls);
	tcase_add_test(waiting, test_waiting_refuses);
	tcase_add_test(waiting, test_waiting_repeated_attempts);
	tcase_add_test(waiting, test_waiting_authenticates_with_old_secret);
	tcase_add_test(waiting, test_waiting_recovery_tunnel_not_persisted);
	suite_add_tcase(s, waiting);
	tcase_add_test(audit, test_fsq_answered);
	tcase_add_test(audit, test_fsq_many);
	tcase_add_test(audit, test_fsq_beyond_decoder_room);
	tcase_add_test(audit, test_fsq_ignored_without_negotiation);
	tcase_add_test(audit, test_calls_wait_for_audit);
	tcase_add_test(audit, test_fsr_clears_unknown_silently);
	tcase_add_test(audit, test_fsr_unsolicited_ignored);
	suite_add_tcase(s, audit);
	tcase_add_test(hold, test_hold_for_recovery_time);
	tcase_add_test(hold, test_no_hold_without_recovery_time);
	tcase_add_test(hold, test_hold_ends_in_recovery);
	tcase_add_test(hold, test_hold_ends_when_peer_acknowledges);
	suite_add_tcase(s, hold);
	tcase_add_test(recovering, test_recovering_resets_and_audits);
	tcase_add_test(recovering, test_recovering_without_suggestion);
	tcase_add_test(recovering, test_recovering_refused);
	tcase_add_test(recovering, test_recovering_unanswered);
	tcase_add_test(recovering, test_recovering_both_ends);
	tcase_add_test(recovering, test_resume_silent_fallback);
	tcase_add_test(recovering, test_resume_peer_protocol);
	suite_add_tcase(s, recovering);
	return s;
}
