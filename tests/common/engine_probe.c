/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "engine_probe.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"
#include "encode.h"
#include "l2tp/result.h"

static void set_addr(struct l2tp_addr *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->port = L2TP_PORT;
	a->addr[0] = 192;
	a->addr[2] = 2;
	a->addr[3] = last;
}

struct probe *probe_new(uint64_t seed)
{
	struct probe *p = calloc(1, sizeof(*p));

	ck_assert_ptr_nonnull(p);
	test_random_init(&p->rng, seed);
	engine_config_defaults(&p->cfg);
	p->cfg.random = test_random_fill;
	p->cfg.random_arg = &p->rng;
	p->cfg.log_level = ENGINE_LOG_DEBUG;
	set_addr(&p->local, 1);
	set_addr(&p->peer, 2);
	p->now = PROBE_T0;
	p->peer_tid = PROBE_PEER_TID;
	return p;
}

void probe_start(struct probe *p)
{
	char why[128];

	if (engine_config_validate(&p->cfg, why, sizeof(why)) < 0)
		ck_abort_msg("configuration refused: %s", why);
	p->e = engine_new(&p->cfg);
	ck_assert_ptr_nonnull(p->e);
}

struct probe *probe_started(uint64_t seed)
{
	struct probe *p = probe_new(seed);

	probe_start(p);
	return p;
}

void probe_free(struct probe *p)
{
	if (!p)
		return;
	engine_free(p->e);
	free(p);
}

void probe_save(const struct probe *p, struct probe_peer_state *st)
{
	*st = (struct probe_peer_state){ p->peer, p->tid, p->peer_tid, p->ns, p->nr };
}

void probe_restore(struct probe *p, const struct probe_peer_state *st)
{
	p->peer = st->peer;
	p->tid = st->tid;
	p->peer_tid = st->peer_tid;
	p->ns = st->ns;
	p->nr = st->nr;
}

void probe_begin(struct probe *p)
{
	engine_actions_clear(p->e);
	p->next = 0;
}

void probe_tick(struct probe *p, uint64_t at)
{
	probe_begin(p);
	p->now = at;
	engine_tick(p->e, at);
}

void probe_send_from(struct probe *p, struct l2tp_msg *m, const struct l2tp_addr *from)
{
	struct blob secret = p->secret ? blob_from_str(p->secret) : (struct blob){ 0 };
	struct encode_opts opts = { .secret = p->secret ? &secret : NULL };
	uint8_t buf[PROBE_BUF];
	int len;

	len = encode_control(m, &opts, buf, sizeof(buf));
	if (len < 0)
		ck_abort_msg("cannot encode message type %u: %d", m->type, len);
	probe_begin(p);
	if (!m->zlb && m->ns == p->ns)
		p->ns++;
	engine_recv(p->e, p->now, &p->local, from, buf, (size_t)len);
}

void probe_send(struct probe *p, struct l2tp_msg *m)
{
	probe_send_from(p, m, &p->peer);
}

void probe_msg(struct probe *p, struct l2tp_msg *m, uint16_t type, uint16_t session_id)
{
	msg_init(m, type);
	m->tunnel_id = p->tid;
	m->session_id = session_id;
	m->ns = p->ns;
	m->nr = p->nr;
}

void probe_zlb(struct probe *p)
{
	struct l2tp_msg m;

	probe_msg(p, &m, 0, 0);
	m.zlb = true;
	probe_send(p, &m);
}

void probe_ack(struct probe *p, uint16_t nr)
{
	struct l2tp_msg m;

	probe_msg(p, &m, 0, 0);
	m.zlb = true;
	m.nr = nr;
	probe_send(p, &m);
}

void probe_hello(struct probe *p)
{
	struct l2tp_msg m;

	probe_msg(p, &m, L2TP_MSG_HELLO, 0);
	probe_send(p, &m);
}

static void identity(struct probe *p, struct l2tp_msg *m)
{
	msg_set_present(m, L2TP_AVP_PROTOCOL_VERSION);
	m->protocol_version.version = L2TP_PROTOCOL_VERSION;
	m->protocol_version.revision = L2TP_PROTOCOL_REVISION;
	msg_set_present(m, L2TP_AVP_HOST_NAME);
	m->host_name = blob_from_str(PROBE_PEER_HOST);
	msg_set_present(m, L2TP_AVP_FRAMING_CAPABILITIES);
	m->framing_capabilities = L2TP_FRAMING_SYNC;
	msg_set_present(m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m->assigned_tunnel_id = p->peer_tid;
}

void probe_sccrq(struct probe *p, struct l2tp_msg *m)
{
	probe_msg(p, m, L2TP_MSG_SCCRQ, 0);
	m->tunnel_id = 0;
	identity(p, m);
}

void probe_sccrp(struct probe *p, struct l2tp_msg *m)
{
	probe_msg(p, m, L2TP_MSG_SCCRP, 0);
	identity(p, m);
}

void probe_icrq(struct probe *p, struct l2tp_msg *m, uint16_t peer_sid)
{
	probe_msg(p, m, L2TP_MSG_ICRQ, 0);
	msg_set_present(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m->assigned_session_id = peer_sid;
	msg_set_present(m, L2TP_AVP_CALL_SERIAL_NUMBER);
	m->call_serial_number = peer_sid;
}

static void connected(struct probe *p, struct l2tp_msg *m, uint16_t type, uint16_t sid)
{
	probe_msg(p, m, type, sid);
	msg_set_present(m, L2TP_AVP_TX_CONNECT_SPEED);
	m->tx_connect_speed = 1000000;
	msg_set_present(m, L2TP_AVP_FRAMING_TYPE);
	m->framing_type = L2TP_FRAMING_SYNC;
}

void probe_iccn(struct probe *p, struct l2tp_msg *m, uint16_t sid)
{
	connected(p, m, L2TP_MSG_ICCN, sid);
}

void probe_occn(struct probe *p, struct l2tp_msg *m, uint16_t sid)
{
	connected(p, m, L2TP_MSG_OCCN, sid);
}

void probe_ocrq(struct probe *p, struct l2tp_msg *m, uint16_t peer_sid)
{
	probe_msg(p, m, L2TP_MSG_OCRQ, 0);
	msg_set_present(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m->assigned_session_id = peer_sid;
	msg_set_present(m, L2TP_AVP_CALL_SERIAL_NUMBER);
	m->call_serial_number = peer_sid;
	msg_set_present(m, L2TP_AVP_MINIMUM_BPS);
	m->minimum_bps = 64000;
	msg_set_present(m, L2TP_AVP_MAXIMUM_BPS);
	m->maximum_bps = 2048000;
	msg_set_present(m, L2TP_AVP_BEARER_TYPE);
	m->bearer_type = L2TP_BEARER_DIGITAL;
	msg_set_present(m, L2TP_AVP_FRAMING_TYPE);
	m->framing_type = L2TP_FRAMING_SYNC;
	msg_set_present(m, L2TP_AVP_CALLED_NUMBER);
	m->called_number = blob_from_str("5550100");
}

void probe_reply(struct probe *p, struct l2tp_msg *m, uint16_t type, uint16_t sid, uint16_t peer_sid)
{
	probe_msg(p, m, type, sid);
	msg_set_present(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m->assigned_session_id = peer_sid;
}

void probe_cdn(struct probe *p, struct l2tp_msg *m, uint16_t sid, uint16_t peer_sid, uint16_t result,
	       uint16_t error)
{
	probe_msg(p, m, L2TP_MSG_CDN, sid);
	msg_set_present(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m->assigned_session_id = peer_sid;
	msg_set_present(m, L2TP_AVP_RESULT_CODE);
	m->result_code.result = result;
	m->result_code.error = error;
	m->result_code.has_error = error != 0;
}

void probe_stopccn(struct probe *p, struct l2tp_msg *m, uint16_t result, uint16_t error)
{
	probe_msg(p, m, L2TP_MSG_STOPCCN, 0);
	msg_set_present(m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m->assigned_tunnel_id = p->peer_tid;
	msg_set_present(m, L2TP_AVP_RESULT_CODE);
	m->result_code.result = result;
	m->result_code.error = error;
	m->result_code.has_error = error != 0;
}

int probe_open(struct probe *p)
{
	probe_begin(p);
	return engine_open_tunnel(p->e, p->now, &p->local, &p->peer, &p->tid);
}

int probe_place(struct probe *p, enum engine_call_direction dir, const struct engine_call_info *info,
		uint16_t *sid)
{
	probe_begin(p);
	return engine_place_call(p->e, p->now, p->tid, dir, info, sid);
}

size_t probe_kernel(struct probe *p, int err)
{
	struct engine_kernel_result r[PROBE_MAX_ACTIONS];
	const struct engine_action *a;
	size_t n, k = 0;

	a = engine_actions(p->e, &n);
	for (size_t i = 0; i < n && k < PROBE_MAX_ACTIONS; i++)
		if (a[i].type == ENGINE_KERNEL_TUNNEL_CREATE || a[i].type == ENGINE_KERNEL_SESSION_CREATE)
			r[k++] = (struct engine_kernel_result){ .request = a[i].type,
								.tunnel_id = a[i].tunnel_id,
								.session_id = a[i].session_id,
								.err = err };
	probe_begin(p);
	for (size_t i = 0; i < k; i++)
		engine_kernel_done(p->e, p->now, &r[i]);
	return k;
}

const struct l2tp_msg *probe_expect(struct probe *p, uint16_t type)
{
	struct blob secret = p->secret ? blob_from_str(p->secret) : (struct blob){ 0 };
	const struct engine_action *a;
	struct proto_error err;
	struct probe_rx *rx;
	size_t n;

	a = engine_actions(p->e, &n);
	while (p->next < n && a[p->next].type != ENGINE_SEND)
		p->next++;
	if (p->next == n)
		ck_abort_msg("expected %s %u, nothing (more) was sent", type ? "message type" : "ZLB", type);
	a = &a[p->next++];
	if (!l2tp_addr_equal(&a->send.peer, &p->peer) || !l2tp_addr_equal(&a->send.local, &p->local))
		ck_abort_msg("a datagram to or from an unexpected address");
	rx = &p->rx[p->slot++ % PROBE_SLOTS];
	ck_assert_uint_le(a->send.len, sizeof(rx->buf));
	memcpy(rx->buf, a->send.buf, a->send.len);
	rx->a = a;
	if (decode_control(rx->buf, a->send.len, p->secret ? &secret : NULL, &rx->m, &err) < 0)
		ck_abort_msg("the engine sent a message that does not decode: %s", err.text);
	if (type == PROBE_ZLB && !rx->m.zlb)
		ck_abort_msg("expected a ZLB, got message type %u", rx->m.type);
	if (type != PROBE_ZLB && rx->m.zlb)
		ck_abort_msg("expected message type %u, got a ZLB", type);
	if (type != PROBE_ZLB && rx->m.type != type)
		ck_abort_msg("expected message type %u, got %u", type, rx->m.type);
	if (!p->lax && rx->m.tunnel_id != (rx->m.type == L2TP_MSG_SCCRQ ? 0 : p->peer_tid))
		ck_abort_msg("message type %u to tunnel %u, expected %u", rx->m.type, rx->m.tunnel_id,
			     rx->m.type == L2TP_MSG_SCCRQ ? 0 : p->peer_tid);
	if (!p->lax && rx->m.nr != p->ns)
		ck_abort_msg("message type %u with Nr %u, expected %u", rx->m.type, rx->m.nr, p->ns);
	if (!rx->m.zlb && rx->m.ns == p->nr)
		p->nr++;
	return &rx->m;
}

const struct l2tp_msg *probe_expect_result(struct probe *p, uint16_t type, uint16_t result, uint16_t error)
{
	const struct l2tp_msg *m = probe_expect(p, type);

	probe_check_result(m, result, error);
	return m;
}

void probe_expect_no_send(struct probe *p)
{
	const struct engine_action *a;
	size_t n;

	a = engine_actions(p->e, &n);
	for (size_t i = p->next; i < n; i++)
		if (a[i].type == ENGINE_SEND)
			ck_abort_msg("unexpected datagram of %u octets (action %zu)", a[i].send.len, i);
}

size_t probe_count(const struct probe *p, enum engine_action_type type)
{
	const struct engine_action *a;
	size_t n, k = 0;

	a = engine_actions(p->e, &n);
	for (size_t i = 0; i < n; i++)
		k += a[i].type == type;
	return k;
}

const struct engine_action *probe_action(const struct probe *p, enum engine_action_type type, size_t nth)
{
	const struct engine_action *a;
	size_t n;

	a = engine_actions(p->e, &n);
	for (size_t i = 0; i < n; i++)
		if (a[i].type == type && nth-- == 0)
			return &a[i];
	return NULL;
}

const struct engine_action *probe_one(const struct probe *p, enum engine_action_type type)
{
	size_t n = probe_count(p, type);

	if (n != 1)
		ck_abort_msg("expected one action of type %d, found %zu", type, n);
	return probe_action(p, type, 0);
}

const struct engine_action *probe_down(const struct probe *p, enum engine_action_type type, uint16_t result,
				       bool by_peer)
{
	const struct engine_action *a = probe_one(p, type);

	ck_assert_uint_eq(a->down.why.result, result);
	ck_assert_int_eq(a->down.by_peer, by_peer);
	ck_assert_ptr_nonnull(a->down.why.message);
	return a;
}

void probe_check_result(const struct l2tp_msg *m, uint16_t result, uint16_t error)
{
	ck_assert_msg(msg_has(m, L2TP_AVP_RESULT_CODE), "no Result Code AVP");
	ck_assert_uint_eq(m->result_code.result, result);
	ck_assert_uint_eq(m->result_code.error, error);
}

struct engine_stats probe_stats(const struct probe *p)
{
	struct engine_stats st;

	engine_get_stats(p->e, &st);
	return st;
}

const struct l2tp_msg *probe_opened(struct probe *p)
{
	ck_assert_int_eq(probe_open(p), 0);
	ck_assert_uint_ne(p->tid, 0);
	return probe_expect(p, L2TP_MSG_SCCRQ);
}

const struct l2tp_msg *probe_answered(struct probe *p, struct l2tp_msg *m)
{
	const struct l2tp_msg *r;
	struct l2tp_msg sccrq;

	if (!m) {
		probe_sccrq(p, &sccrq);
		m = &sccrq;
	}
	probe_send(p, m);
	r = probe_expect(p, L2TP_MSG_SCCRP);
	ck_assert_uint_ne(r->assigned_tunnel_id, 0);
	p->tid = r->assigned_tunnel_id;
	return r;
}

void probe_handshake(struct probe *p)
{
	struct l2tp_msg m;

	probe_answered(p, NULL);
	probe_msg(p, &m, L2TP_MSG_SCCCN, 0);
	probe_send(p, &m);
	probe_expect(p, PROBE_ZLB);
	probe_one(p, ENGINE_TUNNEL_UP);
	probe_one(p, ENGINE_KERNEL_TUNNEL_CREATE);
}

void probe_accept_tunnel(struct probe *p)
{
	probe_handshake(p);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	probe_begin(p);
}

void probe_open_tunnel(struct probe *p)
{
	struct l2tp_msg m;

	probe_opened(p);
	probe_sccrp(p, &m);
	probe_send(p, &m);
	probe_expect(p, L2TP_MSG_SCCCN);
	probe_one(p, ENGINE_TUNNEL_UP);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	probe_zlb(p);
	probe_begin(p);
}

uint16_t probe_lns_call(struct probe *p, uint16_t peer_sid)
{
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint16_t sid;

	probe_icrq(p, &m, peer_sid);
	probe_send(p, &m);
	r = probe_expect(p, L2TP_MSG_ICRP);
	ck_assert_uint_eq(r->session_id, peer_sid);
	sid = r->assigned_session_id;
	probe_iccn(p, &m, sid);
	probe_send(p, &m);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	probe_one(p, ENGINE_SESSION_UP);
	probe_begin(p);
	return sid;
}

uint16_t probe_lac_call(struct probe *p, uint16_t peer_sid)
{
	const struct l2tp_msg *r;
	struct l2tp_msg m;
	uint16_t sid;

	ck_assert_int_eq(probe_place(p, ENGINE_CALL_INCOMING, NULL, &sid), 0);
	r = probe_expect(p, L2TP_MSG_ICRQ);
	ck_assert_uint_eq(r->assigned_session_id, sid);
	probe_reply(p, &m, L2TP_MSG_ICRP, sid, peer_sid);
	probe_send(p, &m);
	probe_expect(p, L2TP_MSG_ICCN);
	ck_assert_uint_eq(probe_kernel(p, 0), 1);
	probe_one(p, ENGINE_SESSION_UP);
	probe_zlb(p);
	probe_begin(p);
	return sid;
}

void probe_place_ocrq(struct probe *p, int ns)
{
	uint16_t sid;

	ck_assert_int_eq(probe_place(p, ENGINE_CALL_OUTGOING, NULL, &sid), 0);
	if (ns >= 0)
		ck_assert_uint_eq(probe_expect(p, L2TP_MSG_OCRQ)->ns, (uint16_t)ns);
	probe_expect_no_send(p);
}

void probe_expect_ocrqs(struct probe *p, int first, int n)
{
	for (int i = 0; i < n; i++)
		ck_assert_uint_eq(probe_expect(p, L2TP_MSG_OCRQ)->ns, (uint16_t)(first + i));
	probe_expect_no_send(p);
}

bool probe_open_for_tie(struct probe *p, uint8_t tb[L2TP_TIE_BREAKER_LEN])
{
	const struct l2tp_msg *r = probe_opened(p);

	memcpy(tb, r->tie_breaker, L2TP_TIE_BREAKER_LEN);
	/* The peer's own SCCRQ starts its own sequence. */
	p->nr = 0;
	return msg_has(r, L2TP_AVP_TIE_BREAKER);
}

void probe_peer_sccrq_tb(struct probe *p, const uint8_t *tb)
{
	struct l2tp_msg m;

	probe_sccrq(p, &m);
	if (tb) {
		msg_set_present(&m, L2TP_AVP_TIE_BREAKER);
		memcpy(m.tie_breaker, tb, L2TP_TIE_BREAKER_LEN);
	}
	probe_send(p, &m);
}

void probe_tie_lost(struct probe *p, uint16_t ours)
{
	ck_assert_uint_eq(probe_down(p, ENGINE_TUNNEL_DOWN, L2TP_RC_STOPCCN_CLEAR, false)->tunnel_id, ours);
	ck_assert_uint_eq(probe_one(p, ENGINE_TUNNEL_RELEASED)->tunnel_id, ours);
	ck_assert_uint_eq(probe_stats(p).tie_breaks_lost, 1);
}
