/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The shell's internals, shared by its modules (shell*.c). Not for the control server. */
#ifndef L2TPKD_SHELL_INT_H
#define L2TPKD_SHELL_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "conf.h"
#include "engine.h"
#include "hmap.h"
#include "ip_pool.h"
#include "log.h"
#include "shell.h"

struct ctl_server;
struct state_store;

/* A configuration and the tunnels made under it, which keep its secrets (engine_set_config). */
struct conf_ref {
	struct l2tpkd_conf *conf;
	unsigned refs; /* tunnels, plus one while it is the current configuration */
};

/* A UDP listener (the listen setting): new SCCRQs and anything not on a tunnel's socket. */
struct sh_listener {
	int fd;
	sd_event_source *io;
	struct l2tp_addr addr;
	struct shell *sh;
};

/* A tunnel's own UDP socket: bound to our address and port, connected to the peer. */
struct sh_tunnel {
	struct hnode by_id;
	struct shell *sh;
	uint16_t id;
	int fd;
	sd_event_source *io;
	struct l2tp_addr local, peer; /* peer: where the socket is connected */
	struct conf_ref *conf;
	bool kernel_created;
	bool fd_stored; /* in the fd vault */
	int path_mtu;	/* towards the peer, for pppd's MTU; 0: not read yet, < 0: -errno */
};

/* A session's kernel socket and pppd. Lives until the engine said it is down and pppd exited. */
struct sh_session {
	struct hnode by_key; /* tunnel_id << 16 | session_id */
	struct shell *sh;
	uint16_t tunnel_id, session_id, peer_tunnel_id, peer_session_id;
	struct l2tp_addr peer;
	int family;    /* of the tunnel socket: AF_INET or AF_INET6 */
	int pppox_fd;  /* until pppd takes it */
	bool lns_mode, send_seq, recv_seq;
	uint32_t recv_timeout_ms;
	bool kernel_created; /* by netlink (else by connect(), or not at all) */
	bool down;	     /* the engine is done with it */
	bool delete_pending; /* the kernel session goes when pppd has exited */
	pid_t pid;	     /* 0: no pppd */
	int pidfd;
	sd_event_source *pid_src, *log_src, *kill_timer;
	int log_fd;
	uint32_t pool_addr; /* the client's address from [lns] ip-pool; 0: none */
	bool adopted;	    /* pppd of an earlier l2tpkd process: not our child */
	bool log_stored;    /* log_fd is in the fd vault */
	bool pid_stored;    /* pidfd is too */
	char ifname[16];
	char logbuf[512];
	size_t loglen;
	/* Waiting for a pppd start (shell_pppd_start.c), or starting: holds one of the slots. */
	bool start_queued, starting;
	bool start_lns; /* the role pppd is started for */
	struct sh_session *start_prev, *start_next;
	sd_event_source *start_timer;
};

/* What waits to be told to the engine once the current actions are carried out. */
enum deferred_type { DEFER_KERNEL_DONE, DEFER_PPPD_EXIT, DEFER_CLOSE_TUNNEL };
struct deferred {
	enum deferred_type type;
	struct engine_kernel_result kernel;
	uint16_t tunnel_id, session_id;
	int status;
};

struct shell {
	sd_event *ev;
	struct engine *engine;
	struct kglue *kglue;
	struct ctl_server *ctl;
	struct conf_ref *conf;	   /* the current configuration */
	const char *conf_path;
	struct sh_listener listeners[CONF_MAX_LISTEN];
	unsigned n_listeners;
	struct hmap tunnels;  /* sh_tunnel by ID */
	struct hmap sessions; /* sh_session by key */
	struct ip_pool pool;  /* [lns] ip-pool */
	sd_event_source *timer, *kernel_events;
	uint64_t stop_deadline;
	bool kernel_tunnels_by_connect; /* SESSION_CREATE answered EPROTONOSUPPORT once */
	bool stopping;
	bool debug; /* -d: debug logging whatever the configuration says */
	struct deferred *deferred;
	size_t n_deferred, cap_deferred;
	uint32_t status_tunnels, status_sessions; /* last STATUS= sent */
	uint64_t status_sent_at;		  /* when (ms) */
	sd_event_source *status_timer;		  /* sends a change made within STATUS_INTERVAL_MS */
	int exit_code;
	struct state_store *store; /* the durable state (shell_persist.c) */
	struct fd_vault *vault;	   /* and the files that go with it */
	sd_event_source *vault_settle; /* after each loop iteration with events */
	/* Leaving for a new process that adopts everything: no StopCCN, pppd left running. */
	bool handing_over;
	bool exec_requested; /* l2tpctl restart: re-execute once the loop is left */
	/* Sessions waiting for their pppd, oldest first, and the pppd starting (shell_pppd_start.c). */
	struct sh_session *start_head, *start_tail;
	uint32_t pppd_starting;
	sd_event_source *start_pump;
	char *const *argv; /* to re-execute */
};


/* shell.c: after every event given to the engine: carry out its actions, re-arm the timer. */
void shell_engine_done(struct shell *sh);
void shell_conf_ref_put(struct shell *sh, struct conf_ref *r);
void shell_emit(struct shell *sh, const struct shell_event *ev);

/* shell_cmds.c: our end of a tunnel we open to addr (cp: its [peer], if any). */
void shell_local_for(struct shell *sh, const struct l2tp_addr *addr, const struct conf_peer *cp,
		     struct l2tp_addr *local);

/* shell_persist.c: state and fds that outlive the process (issue 6). */
/* Adopts what an earlier process left (LISTEN_FDS), or starts a new store. */
int shell_persist_start(struct shell *sh, char *why, size_t why_len);
/* A STATE_PUT or STATE_DROP action. */
void shell_persist_state(struct shell *sh, const struct engine_action *a);
/* The shell's own record of a session with pppd (its pid, interface, pool address). */
void shell_persist_session(struct shell *sh, const struct sh_session *s);
void shell_persist_session_drop(struct shell *sh, const struct sh_session *s);
/* The shell's record of a tunnel socket's ends (shell_tunnel_adopt() need not ask the socket). */
void shell_persist_tunnel(struct shell *sh, const struct sh_tunnel *t);
void shell_persist_tunnel_drop(struct shell *sh, uint16_t tunnel_id);
/* Files the fd vault keeps for the next process, by kind and the object's IDs. */
enum sh_kept {
	SH_KEPT_TUNNEL_SOCKET = 1, /* ids: tunnel ID */
	SH_KEPT_PPPD_PIDFD = 2,	   /* ids: tunnel ID << 16 | session ID */
	SH_KEPT_PPPD_LOG = 3,	   /* the same */
};
/* false if it is not kept: it will not survive a restart. */
bool shell_keep_fd(struct shell *sh, enum sh_kept kind, uint32_t ids, int fd);
void shell_unkeep_fd(struct shell *sh, enum sh_kept kind, uint32_t ids);

/* shell_exec.c: re-executes l2tpkd in place with every fd it must keep; returns only on failure. */
int shell_persist_exec(struct shell *sh);

/* shell_udp.c */
int shell_listeners_open(struct shell *sh, char *why, size_t why_len);
void shell_listeners_close(struct shell *sh);
/* A tunnel socket bound to local (port included; address may be any) and connected to peer. */
struct sh_tunnel *shell_tunnel_socket(struct shell *sh, const struct l2tp_addr *local, const struct l2tp_addr *peer,
				      int *err);
/* Gives the socket its tunnel ID and indexes it. */
int shell_tunnel_attach(struct shell *sh, struct sh_tunnel *t, uint16_t id);
struct sh_tunnel *shell_tunnel_find(struct shell *sh, uint16_t id);
/*
 * A tunnel socket an earlier process left, with its ends as recorded (local, peer), or NULL
 * to ask the socket: 0, or -errno (fd then still the caller's).
 */
int shell_tunnel_adopt(struct shell *sh, int fd, uint16_t id, const struct l2tp_addr ends[2]);
void shell_tunnel_close(struct shell *sh, struct sh_tunnel *t);
/* The path MTU towards the peer into t->path_mtu (a failure is logged once). */
void shell_tunnel_read_mtu(struct sh_tunnel *t);
/* Sends a datagram of a SEND action; creates the tunnel's socket on its first datagram. */
void shell_send(struct shell *sh, const struct engine_action *a);

/* shell_session.c */
/* A new pool from the configuration; addresses of live sessions stay taken. */
void shell_pool_configure(struct shell *sh);
struct sh_session *shell_session_find(struct shell *sh, uint16_t tunnel_id, uint16_t session_id);
/* *err: the result for the engine (engine_kernel_done). */
void shell_kernel_session_create(struct shell *sh, const struct engine_action *a, int *err);
void shell_kernel_session_delete(struct shell *sh, const struct engine_action *a);
/* *pppd_status: 0, or -1 if pppd could not be started (the engine is told it exited). */
void shell_session_up(struct shell *sh, const struct engine_action *a, int *pppd_status);
void shell_session_down(struct shell *sh, const struct engine_action *a);
/* What the shell keeps of a session across a restart. */
struct sh_session_record {
	uint16_t tunnel_id, session_id, peer_tunnel_id, peer_session_id;
	struct l2tp_addr peer;
	bool lns_mode, send_seq, recv_seq;
	uint32_t recv_timeout_ms;
	int32_t pid;
	uint32_t pool_addr;
	char ifname[16];
};
void shell_session_record(const struct sh_session *s, struct sh_session_record *r);
/* A session whose pppd an earlier process started: 0, or -errno (the fds then still the caller's). */
int shell_session_adopt(struct shell *sh, const struct sh_session_record *r, int pidfd, int log_fd);
/* Forgets a session without touching pppd or the kernel (the next process adopts them). */
void shell_session_release(struct shell *sh, struct sh_session *s);
/* Stops every pppd and waits (up to timeout_ms) for them to exit. */
void shell_sessions_stop_all(struct shell *sh, uint64_t timeout_ms);
/* Spawns the session's pppd and watches it: 0, or -errno (logged; the session has no pppd). */
int shell_pppd_spawn(struct shell *sh, struct sh_session *s, bool lns);

/* shell_pppd_start.c: pppd starts, at most pppd-start-limit at once. */
int shell_pppd_starts_open(struct shell *sh);
void shell_pppd_starts_close(struct shell *sh);
/* The session's pppd is started in turn; a start that fails is told to the engine as an exit. */
void shell_pppd_enqueue(struct shell *sh, struct sh_session *s, bool lns);
/* Its pppd has named its interface, or exited: the slot is free. */
void shell_pppd_started(struct shell *sh, struct sh_session *s);
/* The session goes: out of the queue, its slot freed. */
void shell_pppd_forget(struct shell *sh, struct sh_session *s);
/* Before handing over: every queued session's pppd, whatever the limit. */
void shell_pppd_start_all(struct shell *sh);

#endif
