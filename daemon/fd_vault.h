/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fd vault: files that must outlive the process (tunnel sockets, pppd pidfds and log
 * pipes), kept in flight inside a few AF_UNIX datagram socket pairs whose read ends are the
 * only fds given to systemd's fd store.
 *
 * Why not one fd store entry per file: systemd passes every stored fd's name in one
 * environment string (LISTEN_FDNAMES), and execve() refuses a string over 128 KiB, which caps
 * the store at about 10,000 named fds. A datagram in a socket's queue holds the files it
 * carries (SCM_RIGHTS) for as long as the socket lives, and the read end can be read back
 * without taking anything out of the queue (MSG_PEEK with SO_PEEK_OFF): the next process
 * gets every file back, however many, from FD_VAULT_BUCKETS names.
 *
 * Each file is put under a 64-bit key with a serial number; a key put again supersedes the
 * earlier entry. Queues are append-only, so a bucket is rebuilt into a new socket pair when
 * its dead entries or small datagrams pile up, or at once when a dropped file must not stay
 * open (a tunnel socket would still take its peer's datagrams); a bucket left with nothing
 * live is closed. The new pair is filled before
 * its read end is stored and the old one removed: at every moment a stored queue holds every
 * live file, so a kill -9 anywhere loses none. Stored names are "v<bucket>.<generation>" in
 * hex; after a crash between the two steps both generations are stored and the newer wins.
 *
 * Unix sockets must not be put in: the kernel's garbage collector handles in-flight unix
 * sockets specially, and nothing here needs them.
 */
#ifndef L2TPKD_FD_VAULT_H
#define L2TPKD_FD_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FD_VAULT_BUCKETS 64

struct fd_vault;

/* How a read end is handed to the fd store and taken back out (no-ops without systemd). */
struct fd_vault_ops {
	void (*store)(void *ctx, int fd, const char *name);
	void (*unstore)(void *ctx, const char *name);
	void *ctx;
};

int fd_vault_new(struct fd_vault **out, const struct fd_vault_ops *ops);
/* Closes the vault's own fds; what is stored stays stored (the next process adopts it). */
void fd_vault_free(struct fd_vault *v);

/* True if name is one of ours ("v<bucket>.<generation>"). */
bool fd_vault_owns_name(const char *name);

/*
 * Adoption, when a process starts with what an earlier one stored: inherit() each read end
 * (the vault owns fd from then on), open() reads their entries, take() hands out a file by
 * key (the caller owns it; -1 if none came), next_leftover() the files nobody took, and
 * commit() stores the queues rebuilt from what was put since open() and removes the old ones.
 * A queue that cannot be read is logged through log_cb and skipped: its files are lost.
 */
int fd_vault_inherit(struct fd_vault *v, int fd, const char *name);
int fd_vault_open(struct fd_vault *v, void (*log_cb)(void *ctx, const char *what), void *log_ctx);
int fd_vault_take(struct fd_vault *v, uint64_t key);
/* A file nobody took (the caller owns fd), or false when none is left. */
bool fd_vault_next_leftover(struct fd_vault *v, uint64_t *key, int *fd);
int fd_vault_commit(struct fd_vault *v);

/*
 * Keeps a duplicate of fd under key (the caller keeps fd), superseding an earlier entry of
 * the key. Returns 0 or a negative errno: the file will not survive a restart then.
 */
int fd_vault_put(struct fd_vault *v, uint64_t key, int fd);
/* The key's file is no longer kept; urgent: its duplicate must be closed by the next settle(). */
void fd_vault_drop(struct fd_vault *v, uint64_t key, bool urgent);
/* Rebuilds the buckets that need it; call after each batch of puts and drops. */
int fd_vault_settle(struct fd_vault *v);

/* Each stored read end and its name, for a restart in place that passes them on itself. */
int fd_vault_walk_stored(const struct fd_vault *v, int (*cb)(void *ctx, int fd, const char *name), void *ctx);

struct fd_vault_stats {
	uint32_t live;	   /* keys kept */
	uint32_t queued;   /* entries in the queues, superseded ones included */
	uint32_t messages; /* datagrams in the queues */
	uint32_t rebuilds; /* bucket rebuilds so far */
};
void fd_vault_stats(const struct fd_vault *v, struct fd_vault_stats *out);

#endif
