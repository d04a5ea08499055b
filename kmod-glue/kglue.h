/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel boundary (design.md §2, spec/linux-kernel-l2tp.md §8): the "l2tp" generic-netlink
 * family through libnl-genl-3, PPPoL2TP sockets, and pppd launch. One narrow header: the daemon
 * shell never sees netlink. Calls are synchronous (one request, its ACK); every function
 * returns 0 or a negative errno, and never logs (the caller names the object in its log line).
 */
#ifndef L2TPKD_KGLUE_H
#define L2TPKD_KGLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kglue;

/*
 * Resolves the "l2tp" family (autoloads l2tp_netlink), probes AF_PPPOX/PX_PROTO_OL2TP
 * (autoloads l2tp_ppp) and opens two netlink sockets: commands, and kernel events (joined to
 * the "l2tp" multicast group). On failure *why holds one line an operator can act on, such as
 * "kernel module l2tp_netlink is not loaded and cannot be loaded: run 'modprobe l2tp_netlink
 * l2tp_ppp' or add them to /etc/modules-load.d".
 */
int kglue_open(struct kglue **out, char *why, size_t why_len);
void kglue_free(struct kglue *k);

/* A managed tunnel on the tunnel's own bound and connected UDP socket (version 2, UDP encap). */
int kglue_tunnel_create(struct kglue *k, uint16_t tunnel_id, uint16_t peer_tunnel_id, int udp_fd);
int kglue_tunnel_delete(struct kglue *k, uint16_t tunnel_id);

struct kglue_session {
	uint16_t tunnel_id, session_id, peer_tunnel_id, peer_session_id;
	bool lns_mode, send_seq, recv_seq;
	uint32_t recv_timeout_ms;
};
/* -EPROTONOSUPPORT: the kernel has no PPP netlink ops; connect() of the PPPoL2TP socket creates it. */
int kglue_session_create(struct kglue *k, const struct kglue_session *s);
int kglue_session_delete(struct kglue *k, uint16_t tunnel_id, uint16_t session_id);

/*
 * A PPPoL2TP socket connected to the session (fd -1 in the sockaddr, exact length for the
 * family of the tunnel socket: AF_INET or AF_INET6). Without CLOEXEC: it is meant for pppd.
 * When the session was not created by netlink, connect() creates it; then s's sequencing is
 * applied with socket options. Returns the fd or a negative errno.
 */
int kglue_pppox_connect(int family, const struct kglue_session *s);

struct kglue_stats {
	uint64_t tx_packets, tx_bytes, tx_errors;
	uint64_t rx_packets, rx_bytes, rx_seq_discards, rx_oos_packets, rx_errors;
	uint64_t rx_cookie_discards, rx_invalid; /* 0 on kernels before 5.10 */
};

struct kglue_tunnel_info {
	uint16_t tunnel_id, peer_tunnel_id;
	struct kglue_stats stats;
};
struct kglue_session_info {
	uint16_t tunnel_id, session_id, peer_tunnel_id, peer_session_id;
	bool lns_mode, send_seq, recv_seq;
	struct kglue_stats stats;
};

/* GET of one object: 0 with *out, -ENODEV if the kernel has none. */
int kglue_tunnel_get(struct kglue *k, uint16_t tunnel_id, struct kglue_tunnel_info *out);
int kglue_session_get(struct kglue *k, uint16_t tunnel_id, uint16_t session_id, struct kglue_session_info *out);
/* Dumps (in the caller's network namespace); a non-zero return of fn stops and is returned. */
int kglue_tunnel_dump(struct kglue *k, int (*fn)(const struct kglue_tunnel_info *t, void *arg), void *arg);
int kglue_session_dump(struct kglue *k, int (*fn)(const struct kglue_session_info *s, void *arg), void *arg);

/* Kernel notifications (from every namespace: filter by your own IDs). */
enum kglue_event_type {
	KGLUE_TUNNEL_CREATED,
	KGLUE_TUNNEL_DELETED,
	KGLUE_SESSION_CREATED,
	KGLUE_SESSION_DELETED,
	KGLUE_SESSION_MODIFIED,
	KGLUE_EVENTS_LOST, /* the socket overflowed: re-dump to learn the state */
};
struct kglue_event {
	enum kglue_event_type type;
	uint16_t tunnel_id, session_id;
};
/* The events socket, for the event loop (non-blocking). */
int kglue_event_fd(const struct kglue *k);
/* Reads what is waiting and calls fn for each event. 0 or a negative errno. */
int kglue_event_read(struct kglue *k, void (*fn)(const struct kglue_event *ev, void *arg), void *arg);

/* pppd for one session (spec/linux-kernel-l2tp.md §2.6). */
struct kglue_pppd {
	const char *path;	  /* /usr/sbin/pppd */
	const char *plugin;	  /* pppol2tp.so */
	int pppox_fd;		  /* inherited by pppd; closed in the caller by kglue_pppd_spawn */
	bool lns_mode, send_seq, recv_seq;
	uint32_t reorder_ms;	  /* 0: not passed */
	uint16_t tunnel_id, session_id;
	const char *const *defaults; /* words before the options file, which may change them */
	const char *options_file; /* "file PATH"; NULL: none */
	const char *const *extra; /* more pppd words, NULL-terminated; NULL: none */
};
/*
 * The path MTU of a connected UDP socket (IP_MTU, IPV6_MTU) of family AF_INET or AF_INET6.
 * It takes the socket's lock: call it before the socket carries a kernel tunnel's data, or
 * rarely (the kernel drops a tunnel's outgoing data while its socket is locked).
 */
int kglue_path_mtu(int udp_fd, int family);
/*
 * The PPP MTU (and MRU) a session fits in a path of path_mtu octets without fragments: less
 * the IP, UDP, largest L2TPv2 data and PPP headers. -ERANGE if that leaves under 128 octets.
 */
int kglue_ppp_mtu(unsigned int path_mtu, int family);
/*
 * The argument vector kglue_pppd_spawn() runs (for tests and logs): "pppd" "plugin" ... NULL.
 * Always ends with "nodetach" so the pidfd follows pppd itself. Returns the number of words
 * or -E2BIG if argv (of argv_len entries) is too small.
 */
int kglue_pppd_argv(const struct kglue_pppd *p, char fd_word[16], char reorder_word[16], char tid_word[8],
		    char sid_word[8], const char **argv, size_t argv_len);
/*
 * Starts pppd (posix_spawn: nothing inherited but the PPPoL2TP socket, as fd 3, stdin from
 * /dev/null and the log pipe). On success *pidfd is a CLOEXEC pidfd for it (pidfd_open), *pid
 * its pid, and *log_fd the non-blocking read end of a pipe carrying its stdout and stderr.
 * pppox_fd is closed in the caller either way, so pppd is its only holder. A pppd that cannot
 * be executed is the returned error (-ENOENT, -EACCES, ...).
 */
int kglue_pppd_spawn(const struct kglue_pppd *p, int *pidfd, pid_t *pid, int *log_fd);
/*
 * Opens what every pppd start shares (/dev/null, kept for the life of the process): at start,
 * so that a daemon that could not start pppd says so at once. kglue_pppd_spawn() opens it
 * itself if this was not called. 0, or -errno.
 */
int kglue_pppd_init(void);

#endif
