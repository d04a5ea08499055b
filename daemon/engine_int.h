/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's state: plain data (tunnels, sessions, transport state) that issue 6 will
 * persist and restore, shared by the engine's modules and by nothing else.
 */
#ifndef L2TPKD_ENGINE_INT_H
#define L2TPKD_ENGINE_INT_H

#include <stdarg.h>

#include "engine.h"
#include "hmap.h"
#include "timer_heap.h"

/* RFC 2661 §7.2 control connection states; CLOSING keeps the transport for a full cycle. */
enum tunnel_state {
	TUNNEL_IDLE,
	TUNNEL_WAIT_CTL_REPLY, /* SCCRQ sent */
	TUNNEL_WAIT_CTL_CONN,  /* SCCRP sent */
	TUNNEL_ESTABLISHED,
	TUNNEL_CLOSING, /* StopCCN sent or received: re-ack, retransmit, then forget */
	TUNNEL_STATE_COUNT,
};

struct session;
struct endpoint;
struct call_request;

struct tunnel {
	struct hnode by_id;   /* engine.tunnels, key = id */
	struct hnode by_peer; /* engine.tunnels_by_peer while the peer's ID is known */
	struct timer_entry timer;
	struct xport xport;
	struct l2tp_addr local, peer;
	uint16_t id, peer_id;
	uint8_t state;
	bool originator;     /* we sent the SCCRQ */
	bool kernel_created; /* KERNEL_TUNNEL_CREATE succeeded: delete it when done */
	bool sent_tie_breaker;
	bool challenged;   /* we sent a Challenge and wait for its response */
	bool dead;	   /* reaped after the current event */
	bool peer_indexed; /* in tunnels_by_peer */
	bool hide;
	const char *secret; /* from the configuration; NULL: no authentication */
	uint8_t tie_breaker[L2TP_TIE_BREAKER_LEN];
	uint8_t challenge[16];
	uint16_t peer_firmware;
	bool sent_failover_cap;	      /* our SCCRQ or SCCRP advertised RFC 4951 failover */
	uint16_t peer_failover_flags; /* the peer's Failover Capability (0: none) */
	uint32_t peer_recovery_ms;
	uint32_t peer_framing, peer_bearer;
	char *peer_host_name; /* copies: the datagram they came in is gone after the event */
	char *peer_vendor_name;
	uint64_t last_rx;	  /* any control message from the peer, for HELLO */
	uint64_t hello_at;	  /* when a HELLO is due; TIMER_NONE before establishment */
	/*
	 * Set-up deadline until established; then, with idle_ms, when it is cleared for having no
	 * call; CLOSING: when it is forgotten.
	 */
	uint64_t reap_at;
	struct session *sessions; /* list through session.next/prev */
	uint32_t n_sessions;
	struct tunnel *next_dead;
	/* Ours only: where the SCCRQ went (the peer may answer from another port), its tunnels. */
	struct endpoint *endpoint; /* NULL when the endpoint table was full */
	struct tunnel *ep_next, *ep_prev;
	uint8_t setup_retries; /* SCCRQ retransmissions (a group's); 0: the global count */
	uint32_t idle_ms;      /* cleared when without a call this long (a group's); 0: never */
	/* Durable state (engine_state.c): changed during this event, and in the store. */
	bool touched, persisted;
	struct tunnel *next_touched;
	uint8_t recovery; /* enum engine_recovery: how it came through a restart */
	/* RFC 4951 (recovery.c). */
	bool is_recovery;		 /* a recovery tunnel: no kernel object, no calls */
	bool awaiting_reset;		 /* control messages dropped until the reset (§3.2.2) */
	bool waiting_recovery;		 /* the peer is silent; kept for its Recovery Time (§5.1) */
	struct tunnel *recovering;	 /* a recovery tunnel: the old tunnel it recovers, until reset */
	struct tunnel *recovery_tunnel; /* an old tunnel: its recovery tunnel, until reset */
	uint16_t scs_ns, scs_nr;	 /* the Suggested Control Sequence we sent */
	uint32_t audit_pending;		 /* sessions asked about by FSQ, not yet answered */
};

/* RFC 2661 §7.4 and §7.5: the four kinds of call, each with its own table. */
enum session_kind { SESSION_LAC_IC, SESSION_LNS_IC, SESSION_LAC_OC, SESSION_LNS_OC, SESSION_KIND_COUNT };

enum session_state {
	SESSION_IDLE,
	SESSION_WAIT_TUNNEL,	/* call placed, tunnel not yet established */
	SESSION_WAIT_REPLY,	/* ICRQ or OCRQ sent */
	SESSION_WAIT_CONNECT,	/* ICRP or OCRP sent / received, waiting for ICCN or OCCN */
	SESSION_WAIT_CS_ANSWER, /* LAC outgoing call: OCRP sent, the call is being answered */
	SESSION_WAIT_KERNEL,	/* connected; the kernel session is being created */
	SESSION_ESTABLISHED,
	SESSION_STATE_COUNT,
};

struct session {
	struct hnode by_key;	  /* engine.sessions, key = tunnel id << 16 | session id */
	struct timer_entry timer; /* engine.call_timers while waiting for the peer */
	struct tunnel *tunnel;
	struct session *next, *prev; /* in tunnel.sessions */
	uint16_t id, peer_id;
	uint8_t kind, state;
	bool kernel_requested;
	bool kernel_created;
	bool dead;
	bool send_seq; /* Sequencing Required applies */
	uint32_t call_serial;
	struct engine_call_info *call; /* one allocation with its blobs; NULL when empty */
	struct session *next_dead;
	struct call_request *request; /* the group call this is an attempt of; NULL: none */
	bool touched, persisted;
	struct session *next_touched;
	bool audit_pending; /* in an FSQ of ours, not yet answered (RFC 4951 §3.3) */
	bool stale;	    /* the peer pairs it otherwise: to be asked about (Appendix C) */
};

/*
 * A remote endpoint (address and port) we opened tunnels to or were told about: the busy
 * list and failover counters, and our tunnels to it. Kept for the engine's life; the table
 * is bounded (ENDPOINTS_MAX), so a peer naming endless addresses cannot grow it.
 */
#define ENDPOINTS_MAX ENGINE_ENDPOINTS_MAX
struct endpoint {
	struct hnode by_addr;
	struct l2tp_addr addr;
	uint64_t busy_until; /* 0: not busy */
	uint32_t failovers_from, failovers_to, attempts;
	struct tunnel *tunnels; /* ours to it, through tunnel.ep_next/ep_prev */
	uint32_t serial;	/* names its durable record */
	bool touched;
	struct endpoint *next_touched;
};

struct action_arena {
	struct engine_action *v;
	size_t n, cap;
	uint8_t *bytes; /* datagrams and texts the actions point into */
	size_t used, size;
	size_t n_chunks;
	uint8_t **chunks; /* earlier byte chunks, kept until the clear so pointers stay valid */
};

struct engine {
	const struct engine_config *cfg;
	struct hmap tunnels;	       /* by our tunnel ID */
	struct hmap tunnels_by_peer;   /* by peer host and its tunnel ID: SCCRQ retransmissions */
	struct hmap sessions;	       /* by tunnel ID << 16 | session ID */
	struct timer_heap timers;      /* one per tunnel */
	struct timer_heap call_timers; /* calls waiting for the peer to answer */
	struct ids ids;
	struct admission admission;
	struct action_arena out;
	uint64_t now;
	uint32_t n_tunnels, n_sessions;
	uint32_t n_tunnels_established, n_sessions_established;
	uint32_t call_serial;
	struct tunnel *dead_tunnels;
	struct session *dead_sessions;
	struct engine_stats stats;
	struct hmap endpoints; /* struct endpoint by address */
	struct hmap requests;  /* struct call_request by ID */
	struct call_request *retries; /* failed over during this event: tried again at its end */
	uint32_t request_serial;
	bool retrying; /* settle is running the retries */
	bool drain;    /* refuse new tunnels and calls with 2/7 */
	/* What changed during this event, written out as STATE actions when it settles. */
	struct tunnel *touched_tunnels;
	struct session *touched_sessions;
	struct endpoint *touched_endpoints;
	uint32_t endpoint_serial;
};

/* addr.c: a hash of the host and a 16-bit number (a port, a tunnel ID). */
uint32_t l2tp_addr_hash(const struct l2tp_addr *a, uint16_t extra, uint32_t seed);

/* engine_actions.c */
struct engine_action *engine_push(struct engine *e, enum engine_action_type type);
/* An action about a tunnel (and a session of it, or NULL): their IDs and the peer's filled in. */
struct engine_action *engine_push_for(struct engine *e, enum engine_action_type type, const struct tunnel *t,
				      const struct session *s);
/* A SEND of a copy of buf (IDs left 0 for the caller); NULL if out of memory. */
struct engine_action *engine_push_datagram(struct engine *e, const struct l2tp_addr *local,
					   const struct l2tp_addr *peer, const void *buf, size_t len);
/* TUNNEL_DOWN or SESSION_DOWN saying why; the message is copied into the arena. */
void engine_push_down(struct engine *e, enum engine_action_type type, const struct tunnel *t,
		      const struct session *s, const struct engine_disconnect *why, bool by_peer);
/* Copies bytes into the arena; NULL on allocation failure. */
void *engine_copy(struct engine *e, const void *p, size_t n);
/* The same, NUL-terminated. */
char *engine_copy_str(struct engine *e, const void *p, size_t n);
const struct engine_call_info *engine_copy_call_info(struct engine *e, const struct engine_call_info *info);
__attribute__((format(printf, 5, 6))) void engine_log(struct engine *e, enum engine_log_level level,
						      const struct tunnel *t, const struct session *s,
						      const char *fmt, ...);
void engine_actions_free(struct engine *e);

/* engine.c: the end of every event, when what died during it is freed. */
void engine_settle(struct engine *e);

/* engine_state.c: the durable state (issue 6). No-ops unless cfg->persist_state. */
void engine_touch_tunnel(struct engine *e, struct tunnel *t);
void engine_touch_session(struct engine *e, struct session *s);
void engine_touch_endpoint(struct engine *e, struct endpoint *ep);
/* At the end of an event, before the dead are reaped: STATE_PUT or STATE_DROP for each. */
void engine_state_flush(struct engine *e);
/* Starts the silent resynchronisation of a restored tunnel. */
void tunnel_resync_begin(struct engine *e, struct tunnel *t);

/* recovery.c: RFC 4951, both roles. */
/* A restored tunnel recovers by the protocol (negotiated, and the mode allows it). */
bool recovery_by_protocol(const struct engine *e, const struct tunnel *t);
/* Opens the recovery tunnel of a restored tunnel. */
void recovery_begin(struct engine *e, struct tunnel *t);
/* Tunnel Recovery (our SCCRQ) or Suggested Control Sequence (our SCCRP) of a recovery tunnel. */
void recovery_add_avps(struct engine *e, struct tunnel *t, struct l2tp_msg *m);
/* An SCCRQ with a Tunnel Recovery AVP. */
void recovery_rx_sccrq(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
		       const struct l2tp_msg *m);
/* A recovery tunnel came up (m: the SCCRP, for ours): the old tunnel is reset. */
void recovery_tunnel_up(struct engine *e, struct tunnel *r, const struct l2tp_msg *m);
/* A recovery tunnel ends before the reset. */
void recovery_tunnel_down(struct engine *e, struct tunnel *r);
/* An old tunnel ends while its recovery tunnel is being set up: that one is closed. */
void recovery_abandon(struct engine *e, struct tunnel *t);
/* Our retransmissions ran out: true if the tunnel waits for its peer's recovery instead. */
bool recovery_hold(struct engine *e, struct tunnel *t);
bool recovery_blocks_calls(const struct tunnel *t);
/* A message from a peer we wait for: if it acknowledges what we sent, the wait is over. */
void recovery_peer_back(struct engine *e, struct tunnel *t, uint16_t nr);
void recovery_rx_fsq(struct engine *e, struct tunnel *t, const struct l2tp_msg *m);
void recovery_rx_fsr(struct engine *e, struct tunnel *t, const struct l2tp_msg *m);

/* engine_commands.c: opening a tunnel and placing a call, for local commands and group calls. */
/* A tunnel of ours, SCCRQ sent: 0 with *out, or -EBUSY (max_tunnels), -ENOSPC (no ID), -ENOMEM. */
int engine_tunnel_open(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
		       struct tunnel **out);
/* 0 with *out, or -ESHUTDOWN, -EBUSY (limits, backlog), -ENOSPC, -ENOMEM. */
int engine_call_place(struct engine *e, struct tunnel *t, enum engine_call_direction dir,
		      const struct engine_call_info *info, uint32_t max_per_tunnel, struct session **out);

/* tunnel.c */
struct tunnel *tunnel_find(const struct engine *e, uint16_t id);
/*
 * The tunnel a peer's SCCRQ (sent again) or unaddressed StopCCN names by its Assigned Tunnel
 * ID: the host and the port must both match, for many LACs can share a host behind a NAT and
 * each numbers its tunnels on its own.
 */
struct tunnel *tunnel_find_by_peer(const struct engine *e, const struct l2tp_addr *peer, uint16_t peer_id);
struct tunnel *tunnel_new(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
			  bool originator);
/* The same with a given ID (a restored tunnel's); the caller checked it is free. */
struct tunnel *tunnel_new_with_id(struct engine *e, uint16_t id, const struct l2tp_addr *local,
				  const struct l2tp_addr *peer, bool originator);
int tunnel_set_peer_id(struct engine *e, struct tunnel *t, uint16_t peer_id);
/* Encodes m (header tunnel ID = the peer's) and queues it reliably. Returns 0 or -errno. */
int tunnel_send(struct engine *e, struct tunnel *t, struct l2tp_msg *m);
/* After the peer's messages: the acknowledgement if one is due, and the next deadline. */
void tunnel_end_input(struct engine *e, struct tunnel *t);
/* Retransmits if the transport's timer expired; false once its retries are exhausted. */
bool tunnel_retransmit(struct engine *e, struct tunnel *t);
/* StopCCN, clear every session, keep the transport for a full cycle (RFC 2661 §5.7). */
void tunnel_stop(struct engine *e, struct tunnel *t, const struct engine_disconnect *why);
/* Clear without a StopCCN (one received, or the transport failed). */
void tunnel_clear(struct engine *e, struct tunnel *t, const struct engine_disconnect *why, bool by_peer);
/* A disconnect from a result, an error and a message (no Q.931 cause). */
struct engine_disconnect disconnect_of(uint16_t result, uint16_t error, const char *message);
/* Result Code AVP (and Q.931 Cause Code for a CDN) of a StopCCN or CDN. */
void msg_set_disconnect(struct l2tp_msg *m, const struct engine_disconnect *why);
/* The disconnect a received StopCCN or CDN carries; blobs copied to the action arena. */
struct engine_disconnect disconnect_from_msg(struct engine *e, const struct l2tp_msg *m);
void tunnel_reschedule(struct engine *e, struct tunnel *t);
/* Its calls came or went: an established tunnel with idle_ms and no call starts counting. */
void tunnel_idle_check(struct engine *e, struct tunnel *t);
void tunnel_reap(struct engine *e);
void tunnel_free(struct engine *e, struct tunnel *t);
const char *tunnel_state_name(uint8_t s);
const struct engine_peer_config *tunnel_peer_config(const struct engine *e, const struct l2tp_addr *peer);
/* The secret for this peer: its own entry's, else the global one; NULL for none. */
const char *tunnel_peer_secret(const struct engine *e, const struct l2tp_addr *peer);
/*
 * Messages queued on a tunnel (sent unacknowledged, or waiting for the window) beyond which
 * the peer's new call requests (ICRQ, OCRQ) are taken for their acknowledgement only and
 * dropped, as if lost, until it acknowledges ours; local calls get -EBUSY. Its other messages
 * are still processed: they complete or clear calls that exist, and dropping them would
 * deadlock two backlogged peers, each dropping the acknowledgements the other waits for. So a
 * slow but honest peer (Receive Window 1) is only slowed down, never cleared.
 */
#define TUNNEL_QUEUE_MAX 32
/*
 * Beyond this, every message of the peer is dropped the same way (its acknowledgement taken):
 * the bound on what a peer that never acknowledges can make us queue before our
 * retransmissions run out and clear the tunnel. An honest peer stays well below: its calls are gated at
 * TUNNEL_QUEUE_MAX on its side and on ours, and each makes at most two messages.
 */
#define TUNNEL_QUEUE_HARD_MAX (4 * TUNNEL_QUEUE_MAX)

/* Runs a received message's Ns and Nr through the transport; refreshes the HELLO timer. */
enum xport_rx tunnel_account_rx(struct engine *e, struct tunnel *t, uint16_t ns, uint16_t nr, bool zlb);
/* Our SCCRQs to this host still waiting for a reply (the tie breaker's candidates). */
#define TUNNEL_MAX_TIES 16
size_t tunnel_outstanding_sccrqs(const struct engine *e, const struct l2tp_addr *peer, struct tunnel **out,
				 size_t max);

/* endpoint.c */
/* The endpoint at addr; created if create (NULL if the table is full or out of memory). */
struct endpoint *endpoint_get(struct engine *e, const struct l2tp_addr *addr, bool create);
bool endpoint_busy(const struct engine *e, const struct l2tp_addr *addr);
void endpoint_link(struct endpoint *ep, struct tunnel *t);
void endpoint_unlink(struct tunnel *t);
void endpoint_destroy_all(struct engine *e);

/* failover.c */
/* The refusals of the failover table: Result 2 with Error 4, 6, 7 or 9; for a CDN, Result 4 too. */
bool failover_trigger(bool cdn, const struct engine_disconnect *why);
/* A tunnel ends (before its sessions are cleared): the group calls waiting on it move on. */
void failover_tunnel_down(struct engine *e, struct tunnel *t, const struct engine_disconnect *why, bool by_peer);
/* A call ends: if it was a group call being set up, it moves on or fails. */
void failover_session_down(struct engine *e, struct session *s, const struct engine_disconnect *why,
			   bool by_peer);
/* A call is up: its group request is done. */
void failover_session_up(struct engine *e, struct session *s);
/* At the end of an event: the calls that failed over during it try their next endpoint. */
void failover_run_retries(struct engine *e);
void failover_free_all(struct engine *e);

/* tunnel_fsm.c */
enum tunnel_event {
	TEV_LOCAL_OPEN,
	TEV_RX_SCCRQ,
	TEV_RX_SCCRP,
	TEV_RX_SCCCN,
	TEV_RX_STOPCCN,
	TEV_LOCAL_CLOSE,
	TEV_KERNEL_OK,
	TEV_KERNEL_FAIL,
	TEV_COUNT,
};
struct tunnel_event_arg {
	const struct l2tp_msg *m;
	const struct engine_disconnect *why; /* TEV_LOCAL_CLOSE */
};
void tunnel_event(struct engine *e, struct tunnel *t, enum tunnel_event ev, struct tunnel_event_arg *arg);
/* An SCCRQ with header tunnel ID 0: a new tunnel, a retransmission, or a tie to break. */
void tunnel_rx_sccrq(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
		     const struct l2tp_msg *m);
/* Answers without a tunnel: a StopCCN from no state (limits, bad SCCRQ). */
void tunnel_refuse_stateless(struct engine *e, const struct l2tp_addr *local, const struct l2tp_addr *peer,
			     uint16_t peer_id, uint16_t peer_ns, const struct engine_disconnect *why);

/* session.c */
struct session *session_find(const struct engine *e, uint16_t tunnel_id, uint16_t session_id);
struct session *session_new(struct engine *e, struct tunnel *t, enum session_kind kind);
/* The same with a given ID (a restored session's); the caller checked it is free. */
struct session *session_new_with_id(struct engine *e, struct tunnel *t, uint16_t id, enum session_kind kind);
int session_send(struct engine *e, struct session *s, struct l2tp_msg *m);
/* CDN (unless the peer never heard of the session) then clear. */
void session_stop(struct engine *e, struct session *s, const struct engine_disconnect *why);
void session_clear(struct engine *e, struct session *s, const struct engine_disconnect *why, bool by_peer);
/* A CDN for a call we refuse without keeping any state (limits, unknown OCRQ). */
void session_refuse_stateless(struct engine *e, struct tunnel *t, uint16_t peer_session_id,
			      const struct engine_disconnect *why);
void session_reap(struct engine *e);
void session_free(struct engine *e, struct session *s);
int session_keep_call_info(struct session *s, const struct engine_call_info *info);
/* Bytes of one allocation holding info and its blobs, and the copy into such memory. */
size_t call_info_size(const struct engine_call_info *info);
struct engine_call_info *call_info_copy(void *mem, const struct engine_call_info *info);
const char *session_state_name(uint8_t s);
const char *session_kind_name(uint8_t k);

/* session_fsm.c */
enum session_event {
	SEV_LOCAL_OPEN,
	SEV_TUNNEL_UP,
	SEV_RX_ICRQ,
	SEV_RX_ICRP,
	SEV_RX_ICCN,
	SEV_RX_OCRQ,
	SEV_RX_OCRP,
	SEV_RX_OCCN,
	SEV_RX_CDN,
	SEV_ANSWERED,
	SEV_KERNEL_OK,
	SEV_KERNEL_FAIL,
	SEV_LOCAL_CLOSE,
	SEV_COUNT,
};
struct session_event_arg {
	const struct l2tp_msg *m;
	const struct engine_call_info *info; /* SEV_LOCAL_OPEN */
	const struct engine_disconnect *why; /* SEV_LOCAL_CLOSE */
	const struct engine_kernel_result *kernel;
};
void session_event(struct engine *e, struct session *s, enum session_event ev, struct session_event_arg *arg);
/* A call the peer acknowledged but never answered: CDN 10 (RFC 2661 §4.4.2). */
void session_timeout(struct engine *e, struct session *s);
/* A session-scoped message on an established tunnel. */
void session_rx(struct engine *e, struct tunnel *t, const struct l2tp_msg *m);
/* The tunnel came up: calls waiting for it go ahead. */
void session_tunnel_up(struct engine *e, struct tunnel *t);
/* Moves the calls waiting on a tunnel that lost a tie breaker to the one that won. */
void session_rehome(struct engine *e, struct tunnel *from, struct tunnel *to);
/* The tunnel's kernel object exists: connected sessions may now get theirs. */
void session_tunnel_kernel_ready(struct engine *e, struct tunnel *t);

#endif
