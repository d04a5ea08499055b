/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket protocol between l2tpkd and l2tpctl (design.md §2): netlink-format
 * messages (struct nlmsghdr, then attributes, no family header) over an AF_UNIX
 * SOCK_SEQPACKET socket. Shared by both sides, so every number here is ABI: values are
 * explicit and only ever appended.
 *
 * Requests: one message per datagram, NLM_F_REQUEST set, nlmsg_type one of
 * L2TPKD_CTL_MSG_*, at most L2TPKD_CTL_REQUEST_MAX octets. A request may carry
 * L2TPKD_CTL_A_PROTO_VERSION; the daemon refuses other versions than its own with EPROTO.
 *
 * Replies carry the request's type, seq and pid. Several messages may share a datagram of at
 * most L2TPKD_CTL_DGRAM_MAX octets, never one message across two datagrams.
 *  - Without NLM_F_DUMP: zero or more reply messages (e.g. the new IDs after an add), then
 *    NLMSG_ERROR, whether NLM_F_ACK was set or not. Its error is 0 on success (an ACK) or a
 *    negative errno; then the request's header (NLM_F_CAPPED: no payload) and, with
 *    NLM_F_ACK_TLVS, NLMSGERR_ATTR_MSG (the reason, one line) and NLMSGERR_ATTR_OFFS (the
 *    offending attribute's offset from the start of the request) if known.
 *  - With NLM_F_DUMP (TUNNEL_GET, SESSION_GET, STATS): NLM_F_MULTI messages, one object
 *    each, then NLMSG_DONE whose payload is an int: 0, or a negative errno followed by the
 *    same TLVs. A dump refused at its start gets NLMSG_ERROR instead.
 * Events (after MONITOR): L2TPKD_CTL_MSG_EVENT messages with seq 0, one per datagram.
 * The daemon answers one request of a connection at a time and makes a dump as the client
 * reads it; a monitor that stops reading its events is disconnected.
 *
 * Receivers skip attributes they do not know and refuse known ones of the wrong type or
 * length. Booleans are u8 0/1, integers host order, strings NUL-terminated.
 */
#ifndef L2TP_CTL_H
#define L2TP_CTL_H

#include <linux/netlink.h>

/* Where the daemon listens, unless told otherwise (l2tpkd -s, l2tpctl -s or $L2TPKD_SOCKET). */
#define L2TPKD_CTL_SOCKET_PATH "/run/l2tpkd/control"
#define L2TPKD_CTL_SOCKET_ENV "L2TPKD_SOCKET"
/* Members of this group (and root) may use the changing commands; the socket's group. */
#define L2TPKD_CTL_GROUP "l2tpkd"

/* Bumped only by incompatible changes; new attributes and messages do not bump it. */
#define L2TPKD_CTL_PROTO_VERSION 1

#define L2TPKD_CTL_REQUEST_MAX 4096 /* longest request the daemon reads */
#define L2TPKD_CTL_DGRAM_MAX 16384  /* longest datagram the daemon sends */
/* String bounds, the terminating NUL included. */
#define L2TPKD_CTL_PEER_MAX 256	   /* a [peer] name or an address */
#define L2TPKD_CTL_NUMBER_MAX 128  /* calling and called numbers */
#define L2TPKD_CTL_TEXT_MAX 1024   /* states, names and messages (longer ones are cut) */
#define L2TPKD_CTL_IFNAME_MAX 16   /* IFNAMSIZ */

/* nlmsg_type of requests and their replies. */
enum l2tpkd_ctl_msg {
	/* -> PROTO_VERSION, DAEMON_VERSION, CONFIG_PATH */
	L2TPKD_CTL_MSG_VERSION = NLMSG_MIN_TYPE,
	/*
	 * TUNNEL_ID -> one tunnel (see "Tunnel" below); with NLM_F_DUMP every tunnel, sorted by
	 * ID.
	 */
	L2TPKD_CTL_MSG_TUNNEL_GET = NLMSG_MIN_TYPE + 1,
	/* PEER -> TUNNEL_ID, then the ACK. Changing. */
	L2TPKD_CTL_MSG_TUNNEL_ADD = NLMSG_MIN_TYPE + 2,
	/* TUNNEL_ID. Changing. */
	L2TPKD_CTL_MSG_TUNNEL_DEL = NLMSG_MIN_TYPE + 3,
	/*
	 * TUNNEL_ID, SESSION_ID -> one session (see "Session" below). With NLM_F_DUMP: every
	 * session sorted by tunnel and session ID, or those of TUNNEL_ID, or those with
	 * SESSION_ID.
	 */
	L2TPKD_CTL_MSG_SESSION_GET = NLMSG_MIN_TYPE + 4,
	/*
	 * PEER, optional TUNNEL_ID and CALL -> TUNNEL_ID, SESSION_ID, then the ACK. Or GROUP
	 * (extended failover through a peer group) and optional CALL -> REQUEST_ID, then the ACK;
	 * the EVENT REQUEST_DONE with that REQUEST_ID tells where the call landed. Changing.
	 */
	L2TPKD_CTL_MSG_SESSION_ADD = NLMSG_MIN_TYPE + 5,
	/* TUNNEL_ID, SESSION_ID. Changing. */
	L2TPKD_CTL_MSG_SESSION_DEL = NLMSG_MIN_TYPE + 6,
	/*
	 * NLM_F_DUMP only, optional TUNNEL_ID. First one message with ENGINE (totals), then one
	 * per tunnel (TUNNEL_ID, PEER_TUNNEL_ID, KERNEL or KERNEL_ERROR), then one per session
	 * (those and SESSION_ID, PEER_SESSION_ID), each part sorted by ID.
	 */
	L2TPKD_CTL_MSG_STATS = NLMSG_MIN_TYPE + 7,
	/* Subscribes the connection to L2TPKD_CTL_MSG_EVENT messages; answered by the ACK. */
	L2TPKD_CTL_MSG_MONITOR = NLMSG_MIN_TYPE + 8,
	/* Reads the configuration again (the old one stays if the new one is bad). Changing. */
	L2TPKD_CTL_MSG_RELOAD = NLMSG_MIN_TYPE + 9,
	/* From the daemon only: EVENT and the attributes listed at enum l2tpkd_ctl_event. */
	L2TPKD_CTL_MSG_EVENT = NLMSG_MIN_TYPE + 10,
	/*
	 * NLM_F_DUMP only, optional GROUP: one message per endpoint of every peer group (or of
	 * GROUP), in configuration order: GROUP, PEER_IP, PEER_PORT, PEER_NAME (if a [peer] has
	 * that host), PRIORITY, WEIGHT, STATE ("up": an established tunnel; "busy"; "opening": a
	 * tunnel coming up; "no tunnel"), BUSY_MS (time left, 0 if not busy), TUNNELS,
	 * TUNNELS_UP, SESSIONS, SESSIONS_UP, FAILOVERS_FROM, FAILOVERS_TO, ATTEMPTS.
	 */
	L2TPKD_CTL_MSG_PEER_GET = NLMSG_MIN_TYPE + 11,
	/*
	 * Takes endpoints off the busy list: PEER (an address, port optional, or a [peer] name),
	 * or every endpoint of GROUP, or (neither) every endpoint. ENOENT if none was busy.
	 * Changing.
	 */
	L2TPKD_CTL_MSG_PEER_CLEAR_BUSY = NLMSG_MIN_TYPE + 12,
	/* DRAIN: 1 refuses new tunnels and calls with Result 2 Error 7, 0 accepts them. Changing. */
	L2TPKD_CTL_MSG_DRAIN = NLMSG_MIN_TYPE + 13,
	/*
	 * -> the LNS side: ACCEPTING ([lns] accept), DRAIN, LIMITS, ENGINE (the totals, as in
	 * STATS).
	 */
	L2TPKD_CTL_MSG_LNS_GET = NLMSG_MIN_TYPE + 14,
	/*
	 * No attributes. Hitless restart: once the ACK is sent, l2tpkd re-executes the program on
	 * disk (so also a binary upgrade) keeping its tunnel sockets, pppd processes and state; the
	 * tunnels resynchronise with their peers (TUNNEL_GET's RECOVERY). The connection then
	 * ends. As SIGUSR2. Refused with ESHUTDOWN while stopping, ENOENT without a state store.
	 * Changing.
	 */
	L2TPKD_CTL_MSG_RESTART = NLMSG_MIN_TYPE + 15,
	__L2TPKD_CTL_MSG_END,
};

/*
 * Top-level attributes. A tunnel message: TUNNEL_ID, PEER_TUNNEL_ID, STATE, ESTABLISHED,
 * ORIGINATOR, LOCAL_IP, LOCAL_PORT, PEER_IP, PEER_PORT, PEER_NAME (if a [peer] has that
 * address), PEER_HOST_NAME and PEER_VENDOR_NAME (once the peer sent them), SESSIONS, NS, NR,
 * QUEUED, CONTROL, FAILOVER, PEER_FAILOVER_FLAGS, PEER_RECOVERY_MS, RECOVERY. A session message:
 * TUNNEL_ID, SESSION_ID, PEER_TUNNEL_ID, PEER_SESSION_ID, STATE, ESTABLISHED, LNS, DIRECTION,
 * CALL_SERIAL, SEND_SEQ, PEER_IP, PEER_PORT, PPPD_PID and IFNAME (while pppd runs; IFNAME once
 * pppd named it).
 */
enum l2tpkd_ctl_attr {
	L2TPKD_CTL_A_UNSPEC = 0,
	L2TPKD_CTL_A_PROTO_VERSION = 1,	   /* u32 */
	L2TPKD_CTL_A_DAEMON_VERSION = 2,   /* string */
	L2TPKD_CTL_A_CONFIG_PATH = 3,	   /* string: the configuration file in use */
	L2TPKD_CTL_A_TUNNEL_ID = 4,	   /* u16, not 0 */
	L2TPKD_CTL_A_PEER_TUNNEL_ID = 5,   /* u16: 0 until the peer assigned it */
	L2TPKD_CTL_A_SESSION_ID = 6,	   /* u16, not 0 */
	L2TPKD_CTL_A_PEER_SESSION_ID = 7,  /* u16: 0 until the peer assigned it */
	L2TPKD_CTL_A_PEER = 8,		   /* string (L2TPKD_CTL_PEER_MAX): [peer] name or address */
	L2TPKD_CTL_A_PEER_NAME = 9,	   /* string: the [peer] section of the peer's address */
	L2TPKD_CTL_A_STATE = 10,	   /* string: RFC 2661 §7 state, e.g. "established" */
	L2TPKD_CTL_A_ESTABLISHED = 11,	   /* u8 */
	L2TPKD_CTL_A_ORIGINATOR = 12,	   /* u8: we sent the SCCRQ */
	L2TPKD_CTL_A_LOCAL_IP = 13,	   /* binary: 4 (IPv4) or 16 (IPv6) octets */
	L2TPKD_CTL_A_LOCAL_PORT = 14,	   /* u16 */
	L2TPKD_CTL_A_PEER_IP = 15,	   /* binary: 4 or 16 octets */
	L2TPKD_CTL_A_PEER_PORT = 16,	   /* u16 */
	L2TPKD_CTL_A_PEER_HOST_NAME = 17,  /* string: the peer's Host Name AVP */
	L2TPKD_CTL_A_PEER_VENDOR_NAME = 18, /* string: the peer's Vendor Name AVP */
	L2TPKD_CTL_A_SESSIONS = 19,	   /* u32: sessions on the tunnel */
	L2TPKD_CTL_A_NS = 20,		   /* u16: next Ns we send */
	L2TPKD_CTL_A_NR = 21,		   /* u16: next Ns we expect */
	L2TPKD_CTL_A_QUEUED = 22,	   /* u16: control messages unacknowledged or waiting */
	L2TPKD_CTL_A_CONTROL = 23,	   /* nested, enum l2tpkd_ctl_control_attr */
	L2TPKD_CTL_A_LNS = 24,		   /* u8: we are the LNS of the call */
	L2TPKD_CTL_A_DIRECTION = 25,	   /* u8, enum l2tpkd_ctl_direction */
	L2TPKD_CTL_A_CALL_SERIAL = 26,	   /* u32 */
	L2TPKD_CTL_A_SEND_SEQ = 27,	   /* u8: data packets carry sequence numbers */
	L2TPKD_CTL_A_PPPD_PID = 28,	   /* u32 */
	L2TPKD_CTL_A_IFNAME = 29,	   /* string (L2TPKD_CTL_IFNAME_MAX): pppd's interface */
	L2TPKD_CTL_A_CALL = 30,		   /* nested, enum l2tpkd_ctl_call_attr */
	L2TPKD_CTL_A_KERNEL = 31,	   /* nested, enum l2tpkd_ctl_kernel_attr */
	L2TPKD_CTL_A_KERNEL_ERROR = 32,	   /* string: why there are no kernel counters */
	L2TPKD_CTL_A_ENGINE = 33,	   /* nested, enum l2tpkd_ctl_engine_attr */
	L2TPKD_CTL_A_EVENT = 34,	   /* u8, enum l2tpkd_ctl_event */
	L2TPKD_CTL_A_RESULT = 35,	   /* u16: StopCCN or CDN Result Code */
	L2TPKD_CTL_A_ERROR = 36,	   /* u16: its Error Code */
	L2TPKD_CTL_A_MESSAGE = 37,	   /* string: its Error Message */
	L2TPKD_CTL_A_BY_PEER = 38,	   /* u8: the peer cleared it */
	L2TPKD_CTL_A_GROUP = 39,	   /* string (L2TPKD_CTL_PEER_MAX): a [group] name */
	L2TPKD_CTL_A_REQUEST_ID = 40,	   /* u32: a call placed through a group */
	L2TPKD_CTL_A_PRIORITY = 41,	   /* u8: lower is preferred */
	L2TPKD_CTL_A_WEIGHT = 42,	   /* u16 */
	L2TPKD_CTL_A_BUSY_MS = 43,	   /* u32: busy for this long still; 0: not busy */
	L2TPKD_CTL_A_TUNNELS = 44,	   /* u32: ours to the endpoint, established or coming up */
	L2TPKD_CTL_A_TUNNELS_UP = 45,	   /* u32 */
	L2TPKD_CTL_A_SESSIONS_UP = 46,	   /* u32 */
	L2TPKD_CTL_A_FAILOVERS_FROM = 47,  /* u32: it refused or did not answer (marked busy) */
	L2TPKD_CTL_A_FAILOVERS_TO = 48,	   /* u32: calls it took after another endpoint failed them */
	L2TPKD_CTL_A_ATTEMPTS = 49,	   /* u32: calls placed with it */
	L2TPKD_CTL_A_FAILOVERS = 50,	   /* u32: endpoints a group call failed over from */
	L2TPKD_CTL_A_DRAIN = 51,	   /* u8 */
	L2TPKD_CTL_A_ACCEPTING = 52,	   /* u8: [lns] accept */
	L2TPKD_CTL_A_LIMITS = 53,	   /* nested, enum l2tpkd_ctl_limits_attr */
	L2TPKD_CTL_A_FAILOVER = 54,	   /* u8: RFC 4951 failover negotiated (both advertised it) */
	L2TPKD_CTL_A_PEER_FAILOVER_FLAGS = 55, /* u16: the peer's L2TP_FAILOVER_CAP_* bits; 0: none */
	L2TPKD_CTL_A_PEER_RECOVERY_MS = 56,    /* u32: the Recovery Time the peer asked for */
	L2TPKD_CTL_A_RECOVERY = 57,	       /* u8, enum l2tpkd_ctl_recovery */
	__L2TPKD_CTL_A_END,
	L2TPKD_CTL_A_MAX = __L2TPKD_CTL_A_END - 1,
};

enum l2tpkd_ctl_direction {
	L2TPKD_CTL_DIR_INCOMING = 0, /* ICRQ: a subscriber came in at the LAC */
	L2TPKD_CTL_DIR_OUTGOING = 1, /* OCRQ: the LNS asked the LAC to dial */
};

/*
 * L2TPKD_CTL_A_RECOVERY: how a tunnel came through a restart of the daemon. Values are only
 * appended (RFC 4951's failover protocol will add its own); a receiver shows one it does not
 * know as such ("unknown(N)") rather than refusing the reply.
 */
enum l2tpkd_ctl_recovery {
	L2TPKD_CTL_RECOVERY_NONE = 0,	   /* not restored: opened by this process */
	L2TPKD_CTL_RECOVERY_RESYNCING = 1, /* restored; Ns not yet learnt from the peer */
	L2TPKD_CTL_RECOVERY_SILENT = 2,	   /* resynchronised without the peer knowing (silent failover) */
	L2TPKD_CTL_RECOVERY_PROTOCOL = 3,  /* reset by the RFC 4951 failover protocol */
	L2TPKD_CTL_RECOVERY_PROTOCOL_PENDING = 4, /* restored; the RFC 4951 recovery tunnel is coming up */
};

/* L2TPKD_CTL_A_CONTROL: the tunnel's control message counters. */
enum l2tpkd_ctl_control_attr {
	L2TPKD_CTL_CONTROL_A_UNSPEC = 0,
	L2TPKD_CTL_CONTROL_A_SENT = 1,		/* u32: sent once, ZLBs excluded */
	L2TPKD_CTL_CONTROL_A_ZLB_SENT = 2,	/* u32 */
	L2TPKD_CTL_CONTROL_A_RETRANSMITTED = 3, /* u32 */
	L2TPKD_CTL_CONTROL_A_RECEIVED = 4,	/* u32: delivered in order */
	L2TPKD_CTL_CONTROL_A_DUPLICATES = 5,	/* u32 */
	L2TPKD_CTL_CONTROL_A_HELD = 6,		/* u32: received ahead of sequence */
	L2TPKD_CTL_CONTROL_A_DROPPED = 7,	/* u32: ahead beyond our window */
	__L2TPKD_CTL_CONTROL_A_END,
	L2TPKD_CTL_CONTROL_A_MAX = __L2TPKD_CTL_CONTROL_A_END - 1,
};

/* L2TPKD_CTL_A_CALL: what session add places in the ICRQ/ICCN. All optional. */
enum l2tpkd_ctl_call_attr {
	L2TPKD_CTL_CALL_A_UNSPEC = 0,
	L2TPKD_CTL_CALL_A_CALLING_NUMBER = 1, /* string (L2TPKD_CTL_NUMBER_MAX) */
	L2TPKD_CTL_CALL_A_CALLED_NUMBER = 2,  /* string (L2TPKD_CTL_NUMBER_MAX) */
	L2TPKD_CTL_CALL_A_BEARER_TYPE = 3,    /* u32: L2TP_BEARER_* bits (RFC 2661 §4.4.5) */
	L2TPKD_CTL_CALL_A_TX_SPEED = 4,	      /* u32: Tx Connect Speed, bits per second */
	__L2TPKD_CTL_CALL_A_END,
	L2TPKD_CTL_CALL_A_MAX = __L2TPKD_CTL_CALL_A_END - 1,
};

/* L2TPKD_CTL_A_KERNEL: the kernel's data counters of a tunnel or session, all u64. */
enum l2tpkd_ctl_kernel_attr {
	L2TPKD_CTL_KERNEL_A_UNSPEC = 0,
	L2TPKD_CTL_KERNEL_A_TX_PACKETS = 1,
	L2TPKD_CTL_KERNEL_A_TX_BYTES = 2,
	L2TPKD_CTL_KERNEL_A_TX_ERRORS = 3,
	L2TPKD_CTL_KERNEL_A_RX_PACKETS = 4,
	L2TPKD_CTL_KERNEL_A_RX_BYTES = 5,
	L2TPKD_CTL_KERNEL_A_RX_SEQ_DISCARDS = 6,
	L2TPKD_CTL_KERNEL_A_RX_OOS_PACKETS = 7,
	L2TPKD_CTL_KERNEL_A_RX_ERRORS = 8,
	L2TPKD_CTL_KERNEL_A_RX_COOKIE_DISCARDS = 9, /* 0 on kernels before 5.10 */
	L2TPKD_CTL_KERNEL_A_RX_INVALID = 10,	    /* 0 on kernels before 5.10 */
	__L2TPKD_CTL_KERNEL_A_END,
	L2TPKD_CTL_KERNEL_A_MAX = __L2TPKD_CTL_KERNEL_A_END - 1,
};

/* L2TPKD_CTL_A_ENGINE: the protocol engine's totals (daemon/engine.h struct engine_stats). */
enum l2tpkd_ctl_engine_attr {
	L2TPKD_CTL_ENGINE_A_UNSPEC = 0,
	L2TPKD_CTL_ENGINE_A_TUNNELS = 1,		/* u32, closing ones included */
	L2TPKD_CTL_ENGINE_A_TUNNELS_ESTABLISHED = 2,	/* u32 */
	L2TPKD_CTL_ENGINE_A_SESSIONS = 3,		/* u32 */
	L2TPKD_CTL_ENGINE_A_SESSIONS_ESTABLISHED = 4,	/* u32 */
	L2TPKD_CTL_ENGINE_A_TUNNELS_AWAITING_ACK = 5,	/* u32 */
	L2TPKD_CTL_ENGINE_A_HEAP_BYTES = 6,		/* u64 */
	L2TPKD_CTL_ENGINE_A_TUNNELS_REFUSED = 7,	/* u32: by admission limits */
	L2TPKD_CTL_ENGINE_A_SESSIONS_REFUSED = 8,	/* u32: by admission limits */
	L2TPKD_CTL_ENGINE_A_AUTH_FAILURES = 9,		/* u32 */
	L2TPKD_CTL_ENGINE_A_TIE_BREAKS_LOST = 10,	/* u32 */
	L2TPKD_CTL_ENGINE_A_DATAGRAMS_DISCARDED = 11,	/* u32 */
	L2TPKD_CTL_ENGINE_A_MESSAGES_SENT = 12,		/* u64 */
	L2TPKD_CTL_ENGINE_A_RETRANSMISSIONS = 13,	/* u64 */
	L2TPKD_CTL_ENGINE_A_ZLBS_SENT = 14,		/* u64 */
	__L2TPKD_CTL_ENGINE_A_END,
	L2TPKD_CTL_ENGINE_A_MAX = __L2TPKD_CTL_ENGINE_A_END - 1,
};

/* L2TPKD_CTL_A_LIMITS: the LNS admission limits ([lns] in l2tpkd.conf(5)), all u32; 0: none. */
enum l2tpkd_ctl_limits_attr {
	L2TPKD_CTL_LIMITS_A_UNSPEC = 0,
	L2TPKD_CTL_LIMITS_A_MAX_TUNNELS = 1,
	L2TPKD_CTL_LIMITS_A_MAX_SESSIONS = 2,
	L2TPKD_CTL_LIMITS_A_MAX_SESSIONS_PER_TUNNEL = 3,
	L2TPKD_CTL_LIMITS_A_SESSION_RATE = 4,	  /* new sessions per second */
	L2TPKD_CTL_LIMITS_A_SESSION_BURST = 5,
	L2TPKD_CTL_LIMITS_A_REFUSE_TUNNEL_RESULT = 6, /* the StopCCN a limit answers with */
	L2TPKD_CTL_LIMITS_A_REFUSE_TUNNEL_ERROR = 7,
	L2TPKD_CTL_LIMITS_A_REFUSE_SESSION_RESULT = 8, /* the CDN */
	L2TPKD_CTL_LIMITS_A_REFUSE_SESSION_ERROR = 9,
	__L2TPKD_CTL_LIMITS_A_END,
	L2TPKD_CTL_LIMITS_A_MAX = __L2TPKD_CTL_LIMITS_A_END - 1,
};

/*
 * L2TPKD_CTL_A_EVENT. Tunnel and session events have TUNNEL_ID and, when known,
 * PEER_TUNNEL_ID, PEER_IP and PEER_PORT; session events also SESSION_ID and PEER_SESSION_ID.
 * DOWN events add RESULT, ERROR, BY_PEER and MESSAGE (if any); PPP_UP adds IFNAME.
 */
enum l2tpkd_ctl_event {
	L2TPKD_CTL_EVENT_TUNNEL_UP = 1,
	L2TPKD_CTL_EVENT_TUNNEL_DOWN = 2,
	L2TPKD_CTL_EVENT_SESSION_UP = 3,
	L2TPKD_CTL_EVENT_SESSION_DOWN = 4,
	L2TPKD_CTL_EVENT_PPP_UP = 5, /* pppd named its interface */
	L2TPKD_CTL_EVENT_RELOAD = 6, /* the configuration was read again (no IDs) */
	/*
	 * A group call ended its placing: REQUEST_ID, ESTABLISHED, FAILOVERS; up: TUNNEL_ID,
	 * SESSION_ID, PEER_IP, PEER_PORT (where it landed); failed: RESULT, ERROR, MESSAGE (the
	 * last refusal).
	 */
	L2TPKD_CTL_EVENT_REQUEST_DONE = 7,
};

#endif
