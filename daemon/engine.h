/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The protocol engine, sans I/O (design.md §2). The shell feeds it events, each with the
 * current time in milliseconds of a monotonic clock: a received datagram, a timer expiry,
 * a local command, a kernel result, a pppd exit. The engine answers with actions that the
 * shell carries out in order: datagrams to send, kernel requests, notifications and log
 * events. It never touches a socket, a clock or the kernel, so tests, the simulation and
 * the fuzz targets drive it exactly as the daemon does.
 *
 * Actions accumulate until engine_actions_clear(); pointers in them (datagram bytes, texts,
 * session information) stay valid until then.
 */
#ifndef L2TPKD_ENGINE_H
#define L2TPKD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "admission.h"
#include "ids.h"
#include "msg.h"
#include "xport.h"

/* A UDP endpoint. family is AF_INET or AF_INET6; IPv4 uses addr[0..3]; port in host order. */
struct l2tp_addr {
	uint16_t family;
	uint16_t port;
	uint8_t addr[16];
};

/* What the engine knows about a peer before it talks to it (matched on address, any port). */
/*
 * How a restored tunnel resynchronises with its peer (design.md §1 point 3): RFC 4951 where
 * both advertised the Failover Capability, else silently; or always silently.
 */
enum engine_resync {
	ENGINE_RESYNC_DEFAULT, /* a peer's: the global setting */
	ENGINE_RESYNC_PROTOCOL_OR_SILENT,
	ENGINE_RESYNC_SILENT,
};
/* "failover-protocol-fall-back-to-silent-failover" or "silent-failover". */
const char *engine_resync_name(enum engine_resync mode);

struct engine_peer_config {
	struct l2tp_addr addr;
	const char *secret; /* tunnel authentication and AVP hiding (RFC 2661 §5.1.1, §4.3) */
	bool hide_avps;	    /* hide every AVP that may be hidden */
	enum engine_resync resync;
	bool disable_failover_protocol; /* no Failover Capability AVP to this peer */
};

/* Result and error code of a refusal (StopCCN for a tunnel, CDN for a session). */
struct engine_refusal {
	uint16_t result;
	uint16_t error;
};

/* Why a tunnel or session ends: what a StopCCN or CDN carries (RFC 2661 §4.4.2). */
struct engine_disconnect {
	uint16_t result, error;
	const char *message; /* Error Message; NULL or "" for none */
	bool q931;	     /* CDN only: Q.931 Cause Code AVP with these two fields */
	uint16_t q931_cause;
	uint8_t q931_msg;
	/* Received only: the first vendor AVP that came with it (details of error 6, RFC 3931 §5.4.2). */
	bool vendor_avp;
	uint16_t vendor_id, vendor_type;
};

/*
 * Extended failover (design.md §1, point 1): a named group of LNS endpoints. A call placed
 * through a group goes to the best priority level's endpoints that are not busy, weighted
 * within the level; a refusal of the failover table or an unanswered SCCRQ marks the
 * endpoint busy and the call tries the next one.
 */
#define ENGINE_GROUP_MAX_ENDPOINTS 64
struct engine_endpoint {
	struct l2tp_addr addr; /* secret and hiding: engine_config.peers, matched on the host */
	uint8_t priority;      /* lower is preferred */
	uint16_t weight;       /* share of new tunnels within its priority level; at least 1 */
};

struct engine_group {
	const char *name;
	const struct engine_endpoint *endpoints;
	size_t n_endpoints; /* 1 to ENGINE_GROUP_MAX_ENDPOINTS */
	uint32_t busy_ms;   /* an endpoint that refused is not tried for this long; 0: never busy */
	uint8_t sccrq_retries;		  /* SCCRQ retransmissions before a no-answer failover */
	uint32_t max_sessions_per_tunnel; /* then another tunnel; 0: no limit */
	uint32_t idle_ms; /* a tunnel opened for the group is cleared this long after its last call */
};

enum engine_log_level {
	ENGINE_LOG_ERR,
	ENGINE_LOG_WARNING,
	ENGINE_LOG_NOTICE,
	ENGINE_LOG_INFO,
	ENGINE_LOG_DEBUG
};

struct engine_config {
	const char *host_name;	    /* Host Name AVP (required) */
	const char *vendor_name;    /* Vendor Name AVP; NULL: not sent */
	uint16_t firmware_revision; /* 0: not sent */
	uint32_t framing_caps;	    /* L2TP_FRAMING_* */
	uint32_t bearer_caps;	    /* L2TP_BEARER_*; 0: not sent */
	struct xport_config xport;  /* windows and retransmission */
	uint32_t hello_ms;	    /* HELLO after this long without a message; 0: never */
	uint32_t id_quarantine_ms;  /* a freed ID is not handed out again for this long */
	bool accept_tunnels;	    /* answer SCCRQs (LNS; a LAC may too) */
	bool accept_outgoing_calls; /* answer OCRQs as a LAC (there is no dialling: answered at once) */
	bool send_tie_breaker;	    /* Tie Breaker AVP in our SCCRQs (RFC 2661 §7.2.1) */
	/*
	 * RFC 4951 §5.1: the Failover Capability AVP in our SCCRQ and SCCRP, L2TP_FAILOVER_CAP_*
	 * bits (0: not sent), and the Recovery Time (with C) the peer is asked to
	 * wait for us once its retransmissions ran out.
	 */
	uint16_t failover_flags;
	uint32_t recovery_time_ms;
	enum engine_resync resync; /* never ENGINE_RESYNC_DEFAULT */
	const char *secret;	    /* for peers without an entry in peers[]; NULL: none */
	bool hide_avps;
	const struct engine_peer_config *peers;
	size_t n_peers;
	const struct engine_group *groups;
	size_t n_groups;
	struct admission_limits limits;
	struct engine_refusal refuse_tunnel;  /* StopCCN 2/4 or 2/7 */
	struct engine_refusal refuse_session; /* CDN 2/4, 2/7 or 4 */
	bool lns_send_seq;		      /* LNS: sequence data (sends Sequencing Required) */
	uint32_t recv_timeout_ms;	      /* kernel reorder timeout for sequenced data */
	enum engine_log_level log_level;      /* LOG actions above this level are not made */
	bool persist_state;		      /* STATE_PUT and STATE_DROP actions */
	random_fn random;		      /* unpredictable octets: IDs, challenges, vectors */
	void *random_arg;
};

/* Defaults an operator would expect: RFC 2661's recommended timers, no limits. */
void engine_config_defaults(struct engine_config *c);
/* 0, or -EINVAL with a one-line reason in why. */
int engine_config_validate(const struct engine_config *c, char *why, size_t n);

enum engine_call_direction {
	ENGINE_CALL_INCOMING, /* a LAC places ICRQ/ICCN (a subscriber came in) */
	ENGINE_CALL_OUTGOING, /* an LNS places OCRQ (asks the LAC to dial) */
};

/*
 * What is known of a call: given to engine_place_call() (sent by the LAC in ICRQ/ICCN or by
 * the LNS in OCRQ), and handed to the shell with SESSION_UP (what the peer sent: proxy LCP
 * and proxy authentication for pppd, numbers for accounting). Absent blobs have len 0.
 */
struct engine_call_info {
	uint32_t bearer_type;
	uint32_t framing_type;
	uint32_t tx_connect_speed;
	uint32_t rx_connect_speed;
	uint32_t physical_channel_id;
	uint32_t minimum_bps, maximum_bps;
	bool sequencing_required;
	struct blob calling_number, called_number, sub_address, private_group_id;
	struct blob initial_received_lcp_confreq, last_sent_lcp_confreq, last_received_lcp_confreq;
	bool proxy_authen; /* the five proxy authentication fields below are valid */
	uint16_t proxy_authen_type;
	uint8_t proxy_authen_id;
	struct blob proxy_authen_name, proxy_authen_challenge, proxy_authen_response;
};

enum engine_action_type {
	ENGINE_SEND,		/* a datagram: on socket tunnel_id (0: the listening socket), to peer */
	ENGINE_TUNNEL_UP,	/* control connection established */
	ENGINE_TUNNEL_DOWN,	/* cleared, or never came up (messages may still flow until RELEASED) */
	ENGINE_TUNNEL_RELEASED, /* the engine forgot the tunnel: close its socket */
	ENGINE_KERNEL_TUNNEL_CREATE,
	ENGINE_KERNEL_TUNNEL_DELETE,
	ENGINE_KERNEL_SESSION_CREATE,
	ENGINE_KERNEL_SESSION_DELETE,
	ENGINE_SESSION_UP,   /* start PPP on the session */
	ENGINE_SESSION_DOWN, /* the session is gone: stop PPP */
	ENGINE_SESSION_INFO, /* WEN or SLI from the peer, passed on */
	ENGINE_REQUEST_DONE, /* a call placed through a group is up, or failed everywhere */
	ENGINE_LOG,
	ENGINE_STATE_PUT,  /* persist_state: the durable record of an object, to keep until DROP */
	ENGINE_STATE_DROP, /* persist_state: the object is gone */
};

struct engine_action {
	enum engine_action_type type;
	uint16_t tunnel_id, peer_tunnel_id; /* ours and the peer's */
	uint16_t session_id, peer_session_id;
	union {
		struct {
			struct l2tp_addr local, peer;
			const uint8_t *buf;
			uint16_t len;
		} send;
		struct {
			struct l2tp_addr local, peer; /* TUNNEL_UP, KERNEL_TUNNEL_CREATE */
		} tunnel;
		struct {
			bool lns_mode; /* the local sequencing choice is authoritative */
			bool send_seq, recv_seq;
			uint32_t recv_timeout_ms;
		} kernel_session;
		struct {
			bool lns; /* we are the LNS of this call */
			enum engine_call_direction direction;
			uint32_t call_serial;
			const struct engine_call_info *info;
		} session_up;
		struct {
			struct engine_disconnect why; /* what we sent or received */
			bool by_peer;		      /* the peer cleared it */
		} down;
		struct {
			uint16_t msg_type;	 /* L2TP_MSG_WEN or L2TP_MSG_SLI */
			uint32_t call_errors[6]; /* WEN: CRC, framing, hardware/buffer overruns, timeouts,
						    alignment */
			uint32_t send_accm, recv_accm; /* SLI */
		} info;
		struct {
			uint32_t id;		      /* what engine_request_call() returned */
			bool ok;		      /* up as tunnel_id/session_id; else why says */
			struct engine_disconnect why; /* the last refusal, or the reason none was tried */
			uint32_t failovers;	      /* endpoints that refused or did not answer */
		} request;
		struct {
			enum engine_log_level level;
			const char *text; /* "tunnel 12/34 peer 192.0.2.1:1701: ..." */
		} log;
		struct {
			uint64_t key; /* ENGINE_STATE_KEY_* */
			const uint8_t *buf;
			uint16_t len; /* at most ENGINE_STATE_RECORD_MAX */
		} state;
	};
};

/*
 * The durable state (design.md §1 point 4): with persist_state the engine describes every
 * established tunnel and session and every busy endpoint in a record of its own, under a key
 * whose top 32 bits say its kind. The shell keeps the records where a restarted daemon finds
 * them, and hands them back to engine_restore().
 */
#define ENGINE_STATE_VERSION 1
#define ENGINE_ENDPOINTS_MAX 4096 /* endpoints (busy list) the engine keeps at most */
#define ENGINE_STATE_RECORD_MAX 240
/* In the order engine_restore() takes them. */
enum engine_state_kind { ENGINE_STATE_ENDPOINT = 1, ENGINE_STATE_TUNNEL = 2, ENGINE_STATE_SESSION = 3 };
#define ENGINE_STATE_KIND(key) ((uint32_t)((key) >> 32))
#define ENGINE_STATE_KEY(kind, low) ((uint64_t)(kind) << 32 | (uint32_t)(low))

/* How a tunnel came through a restart of the daemon (l2tpctl tunnel show). */
enum engine_recovery {
	ENGINE_RECOVERY_NONE,	   /* never restored */
	ENGINE_RECOVERY_RESYNCING, /* restored; Ns not yet learnt from the peer */
	ENGINE_RECOVERY_SILENT,	   /* silent failover: resynchronised without the peer knowing */
	ENGINE_RECOVERY_PROTOCOL_PENDING, /* restored; an RFC 4951 recovery tunnel is being set up */
	ENGINE_RECOVERY_PROTOCOL,	  /* reset by RFC 4951 (either end recovering) */
};
const char *engine_recovery_name(enum engine_recovery r);

/* The kernel request a KERNEL_* action asked for completed: err is 0 or a negative errno. */
struct engine_kernel_result {
	enum engine_action_type request;
	uint16_t tunnel_id, session_id;
	int err;
};

struct engine_stats {
	uint32_t tunnels; /* objects, closing ones included */
	uint32_t tunnels_established;
	uint32_t sessions;
	uint32_t sessions_established;
	uint32_t tunnels_awaiting_ack; /* with control messages unacknowledged or unsent */
	uint64_t heap_bytes;	       /* transport queues, indexes and ID quarantine (not objects) */
	uint32_t tunnels_refused, sessions_refused; /* by admission limits only */
	uint32_t auth_failures;
	uint32_t tie_breaks_lost;
	uint32_t datagrams_discarded;
	uint64_t messages_sent, retransmissions, zlbs_sent;
};

struct engine;

/* The engine keeps cfg (and its strings) by reference: it must outlive the engine. */
struct engine *engine_new(const struct engine_config *cfg);
void engine_free(struct engine *e);
/*
 * A new configuration (reload): new tunnels take their secrets and peer settings from it;
 * timers, windows and limits apply at once. The old one must outlive the tunnels made under
 * it (they keep its secret).
 */
void engine_set_config(struct engine *e, const struct engine_config *cfg);

/* Events. */
void engine_recv(struct engine *e, uint64_t now, const struct l2tp_addr *local, const struct l2tp_addr *peer,
		 uint8_t *buf, size_t len);
void engine_tick(struct engine *e, uint64_t now);
/* Opens a tunnel (SCCRQ). 0 with *tunnel_id, or -EBUSY (max_tunnels), -ENOSPC (no ID), -ENOMEM. */
int engine_open_tunnel(struct engine *e, uint64_t now, const struct l2tp_addr *local,
		       const struct l2tp_addr *peer, uint16_t *tunnel_id);
/*
 * Places a call on a tunnel (ICRQ as LAC, OCRQ as LNS), at once or when the tunnel comes up.
 * 0 with *session_id, or -ENOENT (no such tunnel), -ESHUTDOWN (tunnel closing), -EBUSY (session
 * limits, or the peer has not acknowledged what the tunnel sent), -ENOSPC (no free ID), -ENOMEM.
 */
int engine_place_call(struct engine *e, uint64_t now, uint16_t tunnel_id, enum engine_call_direction dir,
		      const struct engine_call_info *info, uint16_t *session_id);
/*
 * Places an incoming call through peer group "group" with extended failover. 0 with
 * *request_id (REQUEST_DONE tells how it ends), or -ENOENT (no such group), -EBUSY (every
 * endpoint busy, or the tunnel limits), -ENOMEM; why says it in one line.
 */
int engine_request_call(struct engine *e, uint64_t now, const char *group, const struct engine_call_info *info,
			uint32_t *request_id, char *why, size_t why_len);
/* LNS drain: new tunnels and calls are refused with Result 2 Error 7 ("try another"). */
void engine_set_drain(struct engine *e, bool drain);
bool engine_draining(const struct engine *e);
/* Takes an endpoint (every endpoint: NULL) off the busy list. 0, or -ENOENT if it was not busy. */
int engine_clear_busy(struct engine *e, uint64_t now, const struct l2tp_addr *addr);
/* Clears a session with a CDN saying why. 0, -ENOENT, or -EINVAL (a code out of range). */
int engine_close_session(struct engine *e, uint64_t now, uint16_t tunnel_id, uint16_t session_id,
			 const struct engine_disconnect *why);
/* Clears a tunnel and its sessions with a StopCCN saying why (q931 unused). As above. */
int engine_close_tunnel(struct engine *e, uint64_t now, uint16_t tunnel_id,
			const struct engine_disconnect *why);
void engine_kernel_done(struct engine *e, uint64_t now, const struct engine_kernel_result *r);
/* pppd of a session exited (status as from waitid's si_status): the call is over. */
void engine_pppd_exit(struct engine *e, uint64_t now, uint16_t tunnel_id, uint16_t session_id, int status);

/*
 * After a restart, before any other event: one record a STATE_PUT action of an earlier
 * engine carried, in the order of their kinds (endpoints, tunnels, sessions). 0, or -EINVAL (not a
 * record this engine can read), -EEXIST (the object is there already), -ENOENT (a session
 * of no restored tunnel), -ENOMEM. Restored objects make no actions until engine_resume().
 */
int engine_restore(struct engine *e, uint64_t now, uint64_t key, const void *rec, size_t len);
/* The restored tunnels resynchronise with their peers (silent failover: a probing HELLO). */
void engine_resume(struct engine *e, uint64_t now);

/* When engine_tick() must be called next (ms); UINT64_MAX when nothing is scheduled. */
uint64_t engine_next_deadline(const struct engine *e);

/* Actions made since the last clear, in the order to carry them out. */
const struct engine_action *engine_actions(const struct engine *e, size_t *n);
void engine_actions_clear(struct engine *e);

/* Every counter; walks the tunnels that have a timer (queues and heap bytes), so not per packet. */
void engine_get_stats(const struct engine *e, struct engine_stats *st);
/* The established tunnels and sessions only, in constant time: for the status line. */
void engine_count_established(const struct engine *e, uint32_t *tunnels, uint32_t *sessions);

/* What the shell may show of a tunnel (l2tpctl tunnel show). Strings live as long as the tunnel. */
struct engine_tunnel_view {
	uint16_t tunnel_id, peer_tunnel_id; /* peer_tunnel_id 0 until the peer named it */
	const char *state;		    /* "wait-ctl-reply", "wait-ctl-conn", "established", "closing" */
	bool established;
	bool closing;	 /* StopCCN sent or received: it takes no more calls */
	bool originator; /* we sent the SCCRQ */
	struct l2tp_addr local, peer;
	const char *peer_host_name, *peer_vendor_name; /* NULL until known */
	uint32_t sessions;
	uint16_t ns, nr;	  /* next Ns we send, next Ns we expect */
	uint16_t queued;	  /* control messages unacknowledged or waiting for the window */
	struct xport_stats xport; /* control message counters */
	/* RFC 4951: what the peer advertised (flags 0: nothing), and whether both sides did. */
	uint16_t peer_failover_flags;
	uint32_t peer_recovery_time_ms;
	bool failover_negotiated;
	enum engine_recovery recovery;
};

/* What the shell may show of a session. */
struct engine_session_view {
	uint16_t tunnel_id, session_id, peer_session_id;
	const char *state; /* "wait-tunnel", "wait-reply", "wait-connect", ..., "established" */
	bool established;
	bool lns; /* we are the LNS of this call */
	enum engine_call_direction direction;
	uint32_t call_serial;
	bool send_seq; /* sequenced data */
};

/* What the shell may show of a group's endpoint (l2tpctl peer show). */
struct engine_endpoint_view {
	const struct engine_group *group;
	const struct engine_endpoint *endpoint;
	uint64_t busy_ms_left;		  /* 0: not busy */
	uint32_t tunnels, tunnels_up;	  /* ours to it, opening / established */
	uint32_t sessions, sessions_up;	  /* on those tunnels */
	uint32_t failovers_from;	  /* times it refused or did not answer (marked busy) */
	uint32_t failovers_to;		  /* calls it took after another endpoint failed them */
	uint32_t attempts;		  /* calls placed with it */
};
/* Index of the group named so in the configuration, or -ENOENT. */
int engine_group_index(const struct engine *e, const char *name);
/* Endpoint i of group g (configuration order): 0, or -ENOENT past the last one. */
int engine_endpoint_view(const struct engine *e, uint64_t now, size_t g, size_t i, struct engine_endpoint_view *v);

/* 0 with *v filled, or -ENOENT. */
int engine_tunnel_view(const struct engine *e, uint16_t tunnel_id, struct engine_tunnel_view *v);
int engine_session_view(const struct engine *e, uint16_t tunnel_id, uint16_t session_id,
			struct engine_session_view *v);
/*
 * Calls fn for every tunnel (in no particular order) / every session of a tunnel (tunnel_id 0:
 * of all tunnels). fn must not send events to the engine; a non-zero return stops the walk and
 * is returned.
 */
int engine_walk_tunnels(const struct engine *e, int (*fn)(const struct engine_tunnel_view *v, void *arg),
			void *arg);
int engine_walk_sessions(const struct engine *e, uint16_t tunnel_id,
			 int (*fn)(const struct engine_session_view *v, void *arg), void *arg);

/* Formats an address as "192.0.2.1:1701" or "[2001:db8::1]:1701". */
#define L2TP_ADDR_STRLEN 56
const char *l2tp_addr_str(const struct l2tp_addr *a, char buf[L2TP_ADDR_STRLEN]);
bool l2tp_addr_equal(const struct l2tp_addr *a, const struct l2tp_addr *b);
bool l2tp_addr_same_host(const struct l2tp_addr *a, const struct l2tp_addr *b);

#endif
