/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scripted hosts: three addresses (one with the sample secret, one plain, one IPv6)
 * whose messages the program builds. Either raw octets, or a sample message of any type
 * addressed to one of the EUT's live or recently released tunnels and sessions, with Ns and
 * Nr near what the EUT expects, a correct or missing challenge response, a chosen tie
 * breaker, hidden AVPs and a few mutated octets: close enough to be believed, so that the
 * state machines are reached and not only the codec's refusals.
 */
#include <string.h>
#include <sys/socket.h>

#include "auth.h"
#include "encode.h"
#include "fuzz_engine.h"
#include "msg_rules.h"
#include "samples.h"

#define FUZZ_MAX_REPEAT 8 /* copies of one crafted message */

struct l2tp_addr host_addr(enum host h, uint16_t port)
{
	struct l2tp_addr a = { .family = AF_INET, .port = port };

	if (h == HOST_V6) {
		static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 };

		a.family = AF_INET6;
		memcpy(a.addr, v6, sizeof(v6));
		return a;
	}
	a.addr[0] = 10;
	a.addr[3] = (uint8_t)(2 + h);
	return a;
}

/* The secret the EUT holds for a host, as a blob for the codec. */
const struct blob *secret_for(struct fuzz *f, const struct l2tp_addr *peer, struct blob *b)
{
	const struct engine_peer_config *pc = tunnel_peer_config(f->e, peer);
	const char *s = pc ? pc->secret : f->cfg.secret;

	if (!s)
		return NULL;
	*b = blob_from_str(s);
	return b;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static const uint16_t craft_types[] = {
	L2TP_MSG_SCCRQ, L2TP_MSG_SCCRP, L2TP_MSG_SCCCN, L2TP_MSG_STOPCCN, L2TP_MSG_HELLO, L2TP_MSG_OCRQ,
	L2TP_MSG_OCRP,	L2TP_MSG_OCCN,	L2TP_MSG_ICRQ,	L2TP_MSG_ICRP,	  L2TP_MSG_ICCN,  L2TP_MSG_CDN,
	L2TP_MSG_WEN,	L2TP_MSG_SLI,	L2TP_MSG_FSQ,	L2TP_MSG_FSR,
};
#define N_CRAFT_TYPES (sizeof(craft_types) / sizeof(craft_types[0]))

struct craft {
	uint8_t type, flags, tunnel, seq, session, assigned, codes;
	uint16_t tunnel_id; /* when tunnel >= 0xc0 */
};

#define CRAFT_HOST     0x03 /* enum host */
#define CRAFT_FULL     0x04 /* every AVP the type allows, not only the mandatory ones */
#define CRAFT_HIDE     0x08
#define CRAFT_PORT     0x10 /* from another source port */
#define CRAFT_MUTATE   0x20
#define CRAFT_AUTH     0x40 /* answer the EUT's challenge correctly */
#define CRAFT_REPEATED 0x80 /* several copies, each with the Ns the EUT then expects */

/* Our outstanding SCCRQ to this host, for a tie breaker equal to ours. */
static const struct tunnel *outstanding_sccrq(struct fuzz *f, const struct l2tp_addr *from)
{
	struct tunnel *ours[TUNNEL_MAX_TIES];

	return tunnel_outstanding_sccrqs(f->e, from, ours, TUNNEL_MAX_TIES) ? ours[0] : NULL;
}

/* Header: a live or released tunnel of the EUT, 0 (a new tunnel), or any ID; Ns and Nr. */
static const struct tunnel *craft_header(struct fuzz *f, const struct craft *c, uint16_t type,
					 struct l2tp_msg *m)
{
	const struct tunnel *t;

	if (c->tunnel >= 0xc0)
		m->tunnel_id = c->tunnel_id;
	else if (type == L2TP_MSG_SCCRQ && !(c->tunnel & 0x80))
		m->tunnel_id = 0;
	else
		m->tunnel_id = pick_tunnel_id(f, c->tunnel);
	t = tunnel_find(f->e, m->tunnel_id);
	/* Ns near what the EUT expects; Nr acknowledging all, none, one, or nonsense. */
	m->ns = (uint16_t)((t ? t->xport.nr : 0) + (c->seq & 7) - 1);
	if (!t)
		m->nr = (uint16_t)(c->seq >> 3);
	else if ((c->seq >> 3 & 3) == 0)
		m->nr = t->xport.ns_next;
	else if ((c->seq >> 3 & 3) == 1)
		m->nr = t->xport.unacked ? t->xport.unacked->ns : t->xport.ns_next;
	else if ((c->seq >> 3 & 3) == 2)
		m->nr = (uint16_t)((t->xport.unacked ? t->xport.unacked->ns : t->xport.ns_next) + 1);
	else
		m->nr = (uint16_t)(c->seq * 257);
	return t;
}

/* Session IDs: one of the tunnel's calls, by index, or any; the IDs the host assigns. */
static void craft_ids(const struct craft *c, unsigned int k, uint16_t type, const struct tunnel *t,
		      struct l2tp_msg *m)
{
	unsigned int n_sessions = t ? t->n_sessions : 0;
	const struct session *s = t ? t->sessions : NULL;

	for (unsigned int i = n_sessions ? (c->session & 0x3f) % n_sessions : 0; s && i; i--)
		s = s->next;
	if (c->session & 0x40)
		m->session_id = (uint16_t)(c->session & 0x3f);
	else if (msg_rule_of(type) && msg_rule_of(type)->scope == MSG_SCOPE_SESSION &&
		 type != L2TP_MSG_ICRQ && type != L2TP_MSG_OCRQ)
		m->session_id = s ? s->id : 0;
	else
		m->session_id = 0;
	/* A few, so that retransmissions and duplicates happen. */
	m->assigned_tunnel_id = (uint16_t)(0x100 + (c->assigned & 0x1f) + k);
	if ((c->session & 0x80) && s)
		m->assigned_session_id = s->peer_id ? s->peer_id : s->id;
	else
		m->assigned_session_id = (uint16_t)(0x200 + (c->session & 0x0f) + k);
}

/* Tie breaker, result codes, window, version and the answer to the EUT's challenge. */
static void craft_avps(struct fuzz *f, const struct craft *c, uint16_t type, const struct tunnel *t,
		       const struct l2tp_addr *from, const struct blob *secret, struct l2tp_msg *m)
{
	const struct tunnel *ours;

	switch (c->assigned >> 5 & 3) {
	case 0: /* the sample's tie breaker, if the type allows one */
		break;
	case 1:
		m->present &= ~AVP_BIT(L2TP_AVP_TIE_BREAKER);
		break;
	case 2:
		if (type == L2TP_MSG_SCCRQ) {
			memset(m->tie_breaker, c->assigned & 0x80 ? 0xff : 0x00, sizeof(m->tie_breaker));
			msg_set_present(m, L2TP_AVP_TIE_BREAKER);
		}
		break;
	default:
		ours = outstanding_sccrq(f, from);
		if (type == L2TP_MSG_SCCRQ && ours) {
			memcpy(m->tie_breaker, ours->tie_breaker, sizeof(m->tie_breaker));
			msg_set_present(m, L2TP_AVP_TIE_BREAKER);
		}
	}
	if (c->codes && msg_has(m, L2TP_AVP_RESULT_CODE)) {
		m->result_code.result = (uint16_t)(c->codes % 12);
		m->result_code.error = (uint16_t)(c->codes >> 4);
		m->result_code.has_error = c->codes & 0xf0;
	}
	if (c->codes && msg_has(m, L2TP_AVP_RECEIVE_WINDOW_SIZE))
		m->receive_window_size = (uint16_t)(1 + (c->codes & 7));
	if (c->codes == 0xff && msg_has(m, L2TP_AVP_PROTOCOL_VERSION))
		m->protocol_version.version = 2;
	m->present &= ~AVP_BIT(L2TP_AVP_CHALLENGE_RESPONSE);
	if ((c->flags & CRAFT_AUTH) && t && t->challenged && secret &&
	    (type == L2TP_MSG_SCCRP || type == L2TP_MSG_SCCCN)) {
		struct blob challenge = { t->challenge, sizeof(t->challenge) };

		auth_challenge_response((uint8_t)type, secret, &challenge, m->challenge_response);
		msg_set_present(m, L2TP_AVP_CHALLENGE_RESPONSE);
	}
	if ((c->flags & CRAFT_AUTH) && !secret)
		m->present &= ~AVP_BIT(L2TP_AVP_CHALLENGE);
}

/* Builds copy k of a crafted message into buf; returns its length, or 0 if it does not encode. */
static size_t craft_one(struct fuzz *f, const struct craft *c, unsigned int k, const struct l2tp_addr *from,
			uint8_t *buf, size_t cap)
{
	static struct l2tp_msg m;
	unsigned int which = c->type % (N_CRAFT_TYPES + 1);
	uint16_t type = which == N_CRAFT_TYPES ? 0 : craft_types[which];
	struct blob secret_blob;
	const struct blob *secret = secret_for(f, from, &secret_blob);
	struct encode_opts opts = { .secret = secret };
	const struct tunnel *t;
	int len;

	if (type)
		sample_msg(&m, type, c->flags & CRAFT_FULL);
	else
		msg_init(&m, 0);
	t = craft_header(f, c, type, &m);
	craft_ids(c, k, type, t, &m);
	craft_avps(f, c, type, t, from, secret, &m);
	if ((c->flags & CRAFT_HIDE) && secret)
		sample_hide_all(&m);
	if (type) {
		len = encode_control(&m, secret ? &opts : NULL, buf, cap);
		return len > 0 ? (size_t)len : 0;
	}
	/* A ZLB: a header alone. */
	put16(buf, L2TP_HDR_CONTROL);
	put16(buf + 2, L2TP_CONTROL_HDR_LEN);
	put16(buf + 4, m.tunnel_id);
	put16(buf + 6, m.session_id);
	put16(buf + 8, m.ns);
	put16(buf + 10, m.nr);
	return L2TP_CONTROL_HDR_LEN;
}

/*
 * OP_CRAFT: u8 type (16: a ZLB), u8 flags (CRAFT_*), u8 tunnel (< 0x80: the n-th live tunnel,
 * or 0 for an SCCRQ; 0x80-0xbf: a recently released one; >= 0xc0: u16 follows),
 * u8 seq (bits 0-2: Ns offset + 1, bits 3-4: Nr mode), u8 session (bits 0-5: which, bit 6:
 * header session ID = bits 0-5, bit 7: Assigned Session ID = that session's peer's),
 * u8 assigned (bits 0-4: Assigned Tunnel ID offset, bits 5-6: tie breaker, bit 7: its value),
 * u8 codes (result/error, window, 0xff: bad version); then u8 copies if REPEATED; then if
 * MUTATE u8 n and n pairs of u8 offset, u8 value.
 */
void craft(struct fuzz *f)
{
	static uint8_t buf[4096];
	struct craft c = { 0 };
	struct l2tp_addr from;
	uint8_t mutations[8][2];
	unsigned int copies = 1, n_mut = 0;

	c.type = u8(f);
	c.flags = u8(f);
	c.tunnel = u8(f);
	if (c.tunnel >= 0xc0)
		c.tunnel_id = u16(f);
	c.seq = u8(f);
	c.session = u8(f);
	c.assigned = u8(f);
	c.codes = u8(f);
	if (c.flags & CRAFT_REPEATED)
		copies = 1 + u8(f) % FUZZ_MAX_REPEAT;
	if (c.flags & CRAFT_MUTATE) {
		n_mut = 1 + u8(f) % 8;
		for (unsigned int i = 0; i < n_mut; i++) {
			mutations[i][0] = u8(f);
			mutations[i][1] = u8(f);
		}
	}
	from = host_addr((enum host)(c.flags & CRAFT_HOST), c.flags & CRAFT_PORT ? 1702 : L2TP_PORT);
	/* In the peer engine's name: the restart checks can no longer tell who said what. */
	f->spoofed |= (c.flags & CRAFT_HOST) == HOST_PEER;
	for (unsigned int k = 0; k < copies; k++) {
		size_t len = craft_one(f, &c, k, &from, buf, sizeof(buf));

		if (!len)
			return;
		for (unsigned int i = 0; i < n_mut; i++)
			buf[mutations[i][0] % len] = mutations[i][1];
		eut_recv(f, &from, buf, len);
	}
}

/*
 * OP_RAW: u8 flags (bits 0-1 host, bit 2 other port, bit 3 header tunnel ID = a live tunnel's,
 * bit 4 also its expected Ns, bits 5-7 which tunnel), u8 length, then that many octets.
 */
void raw(struct fuzz *f)
{
	static uint8_t buf[256];
	uint8_t flags = u8(f);
	size_t len = u8(f);
	struct l2tp_addr from = host_addr((enum host)(flags & 3), flags & 4 ? 1702 : L2TP_PORT);
	const struct tunnel *t;

	f->spoofed |= (flags & 3) == HOST_PEER;
	for (size_t i = 0; i < len; i++)
		buf[i] = u8(f);
	if ((flags & 8) && len >= 12 && (t = nth_tunnel(f->e, flags >> 5))) {
		put16(buf + 4, t->id);
		if (flags & 16)
			put16(buf + 8, t->xport.nr);
	}
	eut_recv(f, &from, buf, len);
}
