/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The input as a program: each opcode (one octet, modulo OP_COUNT) takes its operands from
 * the octets that follow; missing octets read as 0. Operands name objects by index among
 * those alive (the n-th tunnel or session of an engine, modulo their number) so that most
 * programs act on something that exists, and now and then by a stale or made-up ID.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_engine.h"
#include "l2tp/result.h"

#define FUZZ_MAX_OPS	   128
#define FUZZ_MAX_RUN	   48 /* deliveries per OP_RUN */
#define FUZZ_MAX_TIME_STEP (3600 * 1000ull)

enum op {
	OP_TICK,	  /* u8: step (bit 7: x1024) */
	OP_TICK_DEADLINE, /* jump to the earliest deadline of either engine */
	OP_OPEN,	  /* u8: host */
	OP_CALL,	  /* u8: tunnel, u8: bit 0 direction, call information */
	OP_CLOSE_SESSION, /* u8: session, u8 u8 u8: why */
	OP_CLOSE_TUNNEL,  /* u8: tunnel, u8 u8 u8: why */
	OP_PPPD_EXIT,	  /* u8: session, u8: status */
	OP_KERNEL,	  /* u8: request, u8: outcome */
	OP_PEER_OPEN,
	OP_PEER_CALL,  /* u8: tunnel, u8: direction and call information */
	OP_PEER_CLOSE, /* u8: bit 0 session or tunnel, u8: which */
	OP_LINK,       /* u8: bit 0 direction, bits 1-2 deliver/duplicate/drop, u8: which */
	OP_RUN,	       /* u8: bit 0 answer the EUT's kernel requests as they come */
	OP_CRAFT,      /* see craft() in engine_hosts.c */
	OP_RAW,	       /* see raw() in engine_hosts.c */
	OP_DEFER,      /* toggle: keep actions across events until the next toggle */
	OP_GROUP_CALL, /* u8: group (all, peer, none such) and call information */
	OP_DRAIN,      /* u8: bit 0 the peer engine (else the EUT), bit 1 on */
	OP_CLEAR_BUSY, /* u8: a host, or (bit 7) every endpoint */
	OP_RESTART,    /* u8: bit 0 flip an octet of a record, bit 1 cut one short; then u8 u8 u8 */
	OP_COUNT,
};

static const char *const op_names[OP_COUNT] = {
	[OP_TICK] = "tick",
	[OP_TICK_DEADLINE] = "tick to deadline",
	[OP_OPEN] = "open",
	[OP_CALL] = "call",
	[OP_CLOSE_SESSION] = "close session",
	[OP_CLOSE_TUNNEL] = "close tunnel",
	[OP_PPPD_EXIT] = "pppd exit",
	[OP_KERNEL] = "kernel answer",
	[OP_PEER_OPEN] = "peer open",
	[OP_PEER_CALL] = "peer call",
	[OP_PEER_CLOSE] = "peer close",
	[OP_LINK] = "link",
	[OP_RUN] = "run",
	[OP_CRAFT] = "craft",
	[OP_RAW] = "raw",
	[OP_DEFER] = "defer",
	[OP_GROUP_CALL] = "group call",
	[OP_DRAIN] = "drain",
	[OP_CLEAR_BUSY] = "clear busy",
	[OP_RESTART] = "restart",
};

uint8_t u8(struct fuzz *f)
{
	if (!f->left)
		return 0;
	f->left--;
	return *f->in++;
}

uint16_t u16(struct fuzz *f)
{
	uint16_t hi = u8(f);

	return (uint16_t)(hi << 8 | u8(f));
}

/* A tunnel ID of the EUT: a live one, or (bit 7) one it released not long ago. */
uint16_t pick_tunnel_id(struct fuzz *f, uint8_t b)
{
	struct tunnel *t;

	if ((b & 0x80) && f->n_released)
		return f->released[b % (f->n_released < 8 ? f->n_released : 8)];
	t = nth_tunnel(f->e, b);
	return t ? t->id : (uint16_t)(b | 0x100);
}

static void pick_session(struct fuzz *f, uint8_t b, uint16_t *tid, uint16_t *sid)
{
	struct session *s = (b & 0x80) ? NULL : nth_session(f->e, b);

	*tid = s ? s->tunnel->id : pick_tunnel_id(f, b);
	*sid = s ? s->id : (uint16_t)(b + 1);
}

static struct engine_disconnect pick_why(struct fuzz *f)
{
	static char longer[1100];
	static const char *const messages[] = { NULL, "", "administratively closed", longer };
	uint8_t r = u8(f), err = u8(f), msg = u8(f);

	memset(longer, 'x', sizeof(longer) - 1);
	/* Mostly valid codes; now and then out of range, which the commands refuse. */
	return (struct engine_disconnect){
		.result = (uint16_t)(r % 40),
		.error = (uint16_t)(err % 16),
		.message = messages[msg % 4],
		.q931 = msg & 4,
		.q931_cause = (uint16_t)(msg >> 3),
		.q931_msg = msg,
	};
}

/* Call information, from nothing to every field (an over-long number now and then). */
static const struct engine_call_info *pick_call_info(uint8_t b, struct engine_call_info *i)
{
	static const uint8_t lcp[] = { 0x01, 0x04, 0x05, 0xd4, 0x05, 0x06, 0x12, 0x34, 0x56, 0x78 };
	static const uint8_t name[] = "subscriber@isp.example", number[] = "5556789";
	static uint8_t longer[1100];

	memset(i, 0, sizeof(*i));
	switch (b % 4) {
	case 0:
		return NULL;
	case 1:
		i->calling_number = (struct blob){ number, sizeof(number) - 1 };
		return i;
	case 2:
		i->calling_number = (struct blob){ longer, sizeof(longer) };
		return i;
	default:
		break;
	}
	i->bearer_type = L2TP_BEARER_DIGITAL;
	i->framing_type = L2TP_FRAMING_SYNC;
	i->tx_connect_speed = 1000000;
	i->rx_connect_speed = b;
	i->physical_channel_id = 7;
	i->minimum_bps = 9600;
	i->maximum_bps = 100000000;
	i->sequencing_required = b & 4;
	i->calling_number = (struct blob){ number, sizeof(number) - 1 };
	i->called_number = (struct blob){ number, 3 };
	i->sub_address = (struct blob){ number, 2 };
	i->private_group_id = (struct blob){ name, 4 };
	i->initial_received_lcp_confreq = (struct blob){ lcp, sizeof(lcp) };
	i->last_sent_lcp_confreq = (struct blob){ lcp, 4 };
	i->last_received_lcp_confreq = (struct blob){ lcp + 4, 6 };
	i->proxy_authen = b & 8;
	i->proxy_authen_type = (uint16_t)(b >> 4) % 6;
	i->proxy_authen_id = 17;
	i->proxy_authen_name = (struct blob){ name, sizeof(name) - 1 };
	i->proxy_authen_challenge = (struct blob){ lcp, 8 };
	i->proxy_authen_response = (struct blob){ lcp, 10 };
	return i;
}

static void link_op(struct fuzz *f)
{
	uint8_t mode = u8(f), which = u8(f);
	struct link *l = mode & 1 ? &f->to_peer : &f->to_eut;
	bool keep = (mode >> 1 & 3) == 1; /* deliver a copy, the original stays in flight */
	struct packet *p;

	if (!l->n)
		return;
	/* Lost, or out of order (which the receiver may drop): the restart checks no longer apply. */
	if ((mode >> 1 & 3) == 2 || which % l->n)
		f->lossy = true;
	if ((mode >> 1 & 3) == 2) {
		free(link_take(l, which % l->n));
		return;
	}
	/* Delivery only ever adds to the other direction, so l->q stays as it is meanwhile. */
	p = keep ? l->q[which % l->n] : link_take(l, which % l->n);
	if (l == &f->to_eut)
		eut_recv(f, &p->from, p->buf, p->len);
	else
		peer_recv(f, p);
	if (!keep)
		free(p);
}

/* Delivers what is in flight, both ways, in order, until nothing is (or enough was). */
static void run(struct fuzz *f, bool answer_kernel)
{
	struct packet *p;

	for (unsigned int i = 0; i < FUZZ_MAX_RUN && (f->to_eut.n || f->to_peer.n); i++) {
		if (f->to_eut.n) {
			p = link_take(&f->to_eut, 0);
			eut_recv(f, &p->from, p->buf, p->len);
			free(p);
		}
		if (f->to_peer.n) {
			p = link_take(&f->to_peer, 0);
			peer_recv(f, p);
			free(p);
		}
		if (answer_kernel)
			kernel_answer_all(f);
	}
}

static void tick_to_deadline(struct fuzz *f)
{
	uint64_t a = engine_next_deadline(f->e), b = engine_next_deadline(f->peer), at = a < b ? a : b;

	if (at == TIMER_NONE || at <= f->now)
		at = f->now + 1;
	if (at - f->now > FUZZ_MAX_TIME_STEP)
		at = f->now + FUZZ_MAX_TIME_STEP;
	tick(f, at - f->now);
}

/* Answers a kernel request the program picks, or sends an answer nothing asked for. */
static void kernel_op(struct fuzz *f)
{
	uint8_t b = u8(f), c = u8(f);
	struct engine_kernel_result r = { .err = -EIO };

	if (f->n_pending) {
		kernel_answer(f, b % f->n_pending, c < 0xc0 ? 0 : c & 1 ? -ENOMEM : -EEXIST);
		return;
	}
	/* Unasked for: a failure out of the blue must not confuse the engine. */
	r.request = (enum engine_action_type)(ENGINE_KERNEL_TUNNEL_CREATE + c % 4);
	pick_session(f, b, &r.tunnel_id, &r.session_id);
	excuse(f, r.tunnel_id, 0);
	engine_kernel_done(f->e, f->now, &r);
	eut_done(f);
}

/* The peer engine's operator: it opens, calls and closes as the program says. */
static void peer_op(struct fuzz *f, enum op op)
{
	struct engine_disconnect bye = { .result = L2TP_RC_CDN_ADMINISTRATIVE };
	struct engine_call_info info;
	struct session *s;
	struct tunnel *t;
	uint16_t id;
	uint8_t b, c;

	switch (op) {
	case OP_PEER_OPEN:
		(void)engine_open_tunnel(f->peer, f->now, &f->peer_addr, &f->addr, &id);
		break;
	case OP_PEER_CALL:
		t = nth_tunnel(f->peer, u8(f));
		b = u8(f);
		if (t)
			(void)engine_place_call(f->peer, f->now, t->id,
						b & 1 ? ENGINE_CALL_OUTGOING : ENGINE_CALL_INCOMING,
						pick_call_info(b >> 1, &info), &id);
		break;
	default: /* OP_PEER_CLOSE */
		b = u8(f);
		c = u8(f);
		if (b & 1) {
			if ((s = nth_session(f->peer, c)))
				(void)engine_close_session(f->peer, f->now, s->tunnel->id, s->id, &bye);
		} else if ((t = nth_tunnel(f->peer, c))) {
			bye.result = L2TP_RC_STOPCCN_SHUTTING_DOWN;
			(void)engine_close_tunnel(f->peer, f->now, t->id, &bye);
		}
	}
	peer_done(f);
}

/* The EUT's operator: commands as l2tpctl and pppd would give them. */
static void eut_op(struct fuzz *f, enum op op)
{
	struct engine_call_info info;
	struct engine_disconnect why;
	uint16_t tid, sid;
	uint8_t b;

	switch (op) {
	case OP_OPEN: {
		struct l2tp_addr to = host_addr((enum host)(u8(f) % HOST_COUNT), L2TP_PORT);

		if (engine_open_tunnel(f->e, f->now, &f->addr, &to, &tid) == 0)
			note_tunnel(f, tid);
		break;
	}
	case OP_CALL:
		tid = pick_tunnel_id(f, u8(f));
		b = u8(f);
		(void)engine_place_call(f->e, f->now, tid,
					b & 1 ? ENGINE_CALL_OUTGOING : ENGINE_CALL_INCOMING,
					pick_call_info(b >> 1, &info), &sid);
		break;
	case OP_CLOSE_SESSION:
		pick_session(f, u8(f), &tid, &sid);
		why = pick_why(f);
		excuse(f, tid, sid);
		(void)engine_close_session(f->e, f->now, tid, sid, &why);
		break;
	case OP_CLOSE_TUNNEL:
		tid = pick_tunnel_id(f, u8(f));
		why = pick_why(f);
		excuse(f, tid, 0);
		(void)engine_close_tunnel(f->e, f->now, tid, &why);
		break;
	default: /* OP_PPPD_EXIT */
		pick_session(f, u8(f), &tid, &sid);
		excuse(f, tid, sid);
		engine_pppd_exit(f->e, f->now, tid, sid, u8(f));
	}
	eut_done(f);
}

/* Extended failover: group calls, an LNS that drains, the operator's clear-busy. */
static void failover_op(struct fuzz *f, enum op op)
{
	static const char *const groups[] = { "all", "peer", "none-such" };
	struct engine_call_info info;
	char why[160];
	uint32_t id;
	uint8_t b = u8(f);

	switch (op) {
	case OP_GROUP_CALL:
		if (engine_request_call(f->e, f->now, groups[b % 3], pick_call_info(b >> 2, &info), &id, why,
					sizeof(why)) == 0)
			note_request(f, id);
		else if (!*why)
			fail("a refused group call without a reason");
		eut_done(f);
		break;
	case OP_DRAIN:
		engine_set_drain(b & 1 ? f->peer : f->e, b & 2);
		break;
	default: { /* OP_CLEAR_BUSY */
		struct l2tp_addr a = host_addr((enum host)(b % HOST_COUNT), L2TP_PORT);

		(void)engine_clear_busy(f->e, f->now, b & 0x80 ? NULL : &a);
		eut_done(f);
	}
	}
}

/* kill -9 and a new process, with the records as kept or one of them damaged. */
static void restart_op(struct fuzz *f)
{
	uint8_t b = u8(f);
	struct damage d = { .flip = b & 1, .truncate = b & 2 };

	if (!d.flip && !d.truncate) {
		restart(f, NULL);
		return;
	}
	d.which = u8(f);
	d.offset = u8(f);
	d.value = u8(f);
	restart(f, &d);
}

static void run_op(struct fuzz *f, enum op op)
{
	uint8_t b;

	switch (op) {
	case OP_TICK:
		b = u8(f);
		tick(f, (uint64_t)(1 + (b & 0x7f) * 16) << (b & 0x80 ? 10 : 0));
		break;
	case OP_TICK_DEADLINE:
		tick_to_deadline(f);
		break;
	case OP_OPEN:
	case OP_CALL:
	case OP_CLOSE_SESSION:
	case OP_CLOSE_TUNNEL:
	case OP_PPPD_EXIT:
		eut_op(f, op);
		break;
	case OP_KERNEL:
		kernel_op(f);
		break;
	case OP_PEER_OPEN:
	case OP_PEER_CALL:
	case OP_PEER_CLOSE:
		peer_op(f, op);
		break;
	case OP_LINK:
		link_op(f);
		break;
	case OP_RUN:
		run(f, u8(f) & 1);
		break;
	case OP_CRAFT:
		craft(f);
		break;
	case OP_RAW:
		raw(f);
		break;
	case OP_DEFER:
		f->defer = !f->defer;
		if (!f->defer)
			clear_actions(f);
		break;
	case OP_GROUP_CALL:
	case OP_DRAIN:
	case OP_CLEAR_BUSY:
		failover_op(f, op);
		break;
	case OP_RESTART:
		restart_op(f);
		break;
	case OP_COUNT:
		break;
	}
}

/* Runs opcodes until the input or FUZZ_MAX_OPS runs out. */
void run_program(struct fuzz *f)
{
	while (f->left && f->ops < FUZZ_MAX_OPS) {
		enum op op = (enum op)(u8(f) % OP_COUNT);

		f->ops++;
		if (f->trace)
			fprintf(stderr, "op %u: %s\n", f->ops, op_names[op]);
		run_op(f, op);
		check_link_quiet(f);
	}
}
