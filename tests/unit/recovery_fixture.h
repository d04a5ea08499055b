/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RFC 4951 failover tests' fixture (daemon/recovery.c, spec/l2tp-protocol.md §3): an
 * engine under test (engine_probe.h) and a scripted peer that talks over two control
 * connections, the old tunnel and the recovery tunnel, kept apart with
 * probe_save()/probe_restore(); events that send on both are read with rf_sends(). Shared by
 * check_recovery.c (the engine recovers), check_recovery_waiting.c (its peer recovers) and
 * check_recovery_audit.c (the session audit). Helpers fail the current Check test when
 * something is not as expected.
 */
#ifndef L2TPKD_RECOVERY_FIXTURE_H
#define L2TPKD_RECOVERY_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine_probe.h"

#define RF_CD		(L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D)
#define RF_RECOVERY_MS	20000  /* the peer's Recovery Time */
#define RF_FULL_CYCLE	31000  /* 1 + 2 + 4 + 8 + 8 + 8 s: the retransmissions, then given up */
#define RF_PEER_REC_TID 0x5150 /* the peer's recovery tunnel */
#define RF_SENT_MAX	16
#define RF_KEPT_MAX	16

extern const uint16_t rf_peer_sids[2];		      /* the peer's calls */
extern const uint8_t rf_tb_low[L2TP_TIE_BREAKER_LEN]; /* the lowest Tie Breaker */
extern const uint8_t rf_peer_challenge[16];	      /* the peer's Challenge */

/* A durable record of the engine (STATE_PUT), as a shell keeps it. */
struct rf_record {
	uint64_t key;
	uint16_t len;
	uint8_t buf[ENGINE_STATE_RECORD_MAX];
};

struct rf_fixture {
	struct probe *p;
	struct probe_peer_state old, rec; /* the peer's side of the old tunnel, of the recovery tunnel */
	struct probe_peer_state *on;	  /* the one p holds now */
	uint16_t tid;			  /* the engine's old tunnel */
	uint16_t sid[2];		  /* its calls, paired with rf_peer_sids */
	uint16_t rec_tid;		  /* the engine's recovery tunnel */
	uint16_t scs_ns, scs_nr;	  /* the Suggested Control Sequence of the recovery SCCRP */
	bool keeping;			  /* collect the engine's STATE records */
	size_t n_kept;
	struct rf_record kept[RF_KEPT_MAX];
};

/* A datagram the engine sent, decoded. */
struct rf_datagram {
	struct l2tp_msg m;
	const struct engine_action *a;
	uint8_t buf[PROBE_BUF];
};

/* What rf_sends() decoded last. */
extern struct rf_datagram rf_sent[RF_SENT_MAX];

/* A zeroed fixture with a new engine (probe_new(seed)); rf_free() releases it. */
void rf_new(struct rf_fixture *f, uint64_t seed);
void rf_free(struct rf_fixture *f);
/* The peer talks on st from now on; the side it leaves keeps its Ns and Nr. */
void rf_talk_on(struct rf_fixture *f, struct probe_peer_state *st);
/* The STATE_PUT and STATE_DROP actions of the last event, applied as a shell would. */
void rf_keep(struct rf_fixture *f);
/*
 * Starts the engine, which accepts the peer's tunnel (the peer advertising the Failover
 * Capability flags and recovery time ms, nothing if flags is 0; authenticated if p->secret)
 * and n of its calls. The peer then talks on the old tunnel.
 */
void rf_establish(struct rf_fixture *f, uint16_t flags, uint32_t ms, int n);

/* Every datagram of the last event, decoded into rf_sent[] in order (the same ones each time). */
size_t rf_sends(const struct probe *p);
/* m is to the peer's tunnel peer_tid and of this type (PROBE_ZLB: a ZLB). */
bool rf_is(const struct l2tp_msg *m, uint16_t peer_tid, uint16_t type);
/* How many datagrams of the last event rf_is() this. */
size_t rf_sent_count(const struct probe *p, uint16_t peer_tid, uint16_t type);
/* The one datagram of the last event of this type (PROBE_ZLB: a ZLB) to the peer's tunnel peer_tid. */
const struct l2tp_msg *rf_sent_one(const struct probe *p, uint16_t peer_tid, uint16_t type);
/* m carries the Failover Session State {sid, remote}. */
bool rf_has_fss(const struct l2tp_msg *m, uint16_t sid, uint16_t remote);
void rf_add_fss(struct l2tp_msg *m, uint16_t sid, uint16_t remote);
/* The engine's view of its tunnel tid, which must exist. */
struct engine_tunnel_view rf_view(const struct probe *p, uint16_t tid);
/* A recovery changes nothing the shell or the kernel sees; the old tunnel is never torn down. */
void rf_no_harm(const struct probe *p);
/* The last event wrote the tunnel's durable record (STATE_PUT). */
bool rf_persisted(const struct probe *p, uint16_t tid);
/* A recovery tunnel is no durable object: a restarted engine must not restore it (when: the event). */
void rf_not_persisted(const struct probe *p, uint16_t tid, const char *when);

/* The peer's address on the old tunnel, another port: where a recovering peer sends from. */
struct l2tp_addr rf_other_port(const struct rf_fixture *f);
/*
 * The peer's recovery SCCRQ from its address from, for its new tunnel peer_rec: Tunnel Recovery
 * {peer_old, our_old} and a Tie Breaker. The peer then talks on f->rec, from Ns 0.
 */
void rf_recovery_msg(struct rf_fixture *f, struct l2tp_msg *m, const struct l2tp_addr *from,
		     uint16_t peer_rec, uint16_t peer_old, uint16_t our_old, const uint8_t *tb);
/* rf_recovery_msg(), sent. */
void rf_recovery_sccrq_as(struct rf_fixture *f, const struct l2tp_addr *from, uint16_t peer_rec,
			  uint16_t peer_old, uint16_t our_old, const uint8_t *tb);
/* rf_recovery_sccrq_as() for the recovery tunnel RF_PEER_REC_TID. */
void rf_recovery_sccrq(struct rf_fixture *f, const struct l2tp_addr *from, uint16_t peer_old,
		       uint16_t our_old, const uint8_t *tb);
/* The engine's answer to a valid recovery SCCRQ (RFC 4951 §3.2.1, §5.3). */
void rf_recovery_answered(struct rf_fixture *f);
/* The peer's SCCCN on the recovery tunnel: the old one is reset; its FSQ (returned) lists n calls. */
const struct l2tp_msg *rf_recovery_connected(struct rf_fixture *f, int n);

/* Ticks through the retransmissions until a deadline sends nothing: they ran out then. */
uint64_t rf_exhaust(struct probe *p);

#endif
