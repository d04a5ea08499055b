/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fd vault's test fixture (daemon/fd_vault.h): a fake systemd fd store, restarts against
 * it, and ways to tell files apart and learn which bucket a key falls in. Shared by
 * check_fd_vault.c (the running vault) and check_fd_vault_adopt.c (adoption and damage).
 *
 * The fake holds a dup of each stored read end under its name and drops every entry of a name
 * on unstore, as FDSTORE=1 and FDSTOREREMOVE=1 do; a restart frees the vault and hands a dup of
 * every entry to a new one, as systemd would after an execve. Files are told apart by identity
 * (device, inode and access mode), and pipes show who still holds an end: a reader sees EOF
 * only when every copy of the write end is closed, a writer gets EPIPE when every read end is.
 */
#ifndef L2TPKD_FD_VAULT_FIXTURE_H
#define L2TPKD_FD_VAULT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fd_vault.h"

#define NAME_LEN  32
#define STORE_MAX 512

struct stored_fd {
	int fd;
	char name[NAME_LEN];
};

struct fake_store {
	struct stored_fd e[STORE_MAX];
	size_t n;
	bool name_stored_twice;
	char (*removed)[NAME_LEN]; /* every name unstored, in order */
	size_t n_removed;
};

/* What the vault logged while it adopted a store. */
struct logbook {
	unsigned n;
	char last[256];
};

struct file_id {
	dev_t dev;
	ino_t ino;
	int mode; /* O_RDONLY or O_WRONLY: both ends of a pipe share the inode */
};

/* Files and pipes. */

/* How many fds this process holds. */
int fv_count_fds(void);
struct file_id file_id_of(int fd);
/* fd is open on the file id names (false for a closed or negative fd). */
bool fv_is_file(int fd, struct file_id id);
/* A non-blocking, close-on-exec pipe. */
void fv_make_pipe(int p[2]);
/* 0: EOF (no write end left), 1: a byte came, -1: nothing yet (a write end is still open). */
int pipe_state(int rd);
/* A byte written at one end comes out of the other: the two are the same pipe. */
void assert_connected(int wr, int rd);
/* "v<bucket>.<generation>", as the vault names its stored read ends, split up. */
void name_parts(const char *name, unsigned *bucket, unsigned *gen);

/* The fake fd store. */

struct fake_store *fake_store_new(void);
/* The index of name's first entry, -1 if none. */
int store_find(const struct fake_store *fs, const char *name);
/* name was unstored at some time. */
bool was_removed(const struct fake_store *fs, const char *name);
/* Takes fd over, as the store's entry under name. */
void store_add(struct fake_store *fs, int fd, const char *name);
/* Every entry of src dup'ed into a new store. */
struct fake_store *store_copy(const struct fake_store *src);
void fake_store_free(struct fake_store *fs);
/* walk_stored() yields exactly what the store holds, and nothing was stored twice. */
void assert_walk_is_store(const struct fd_vault *v, const struct fake_store *fs);
/* The name the store holds for bucket b ("" if none); name has NAME_LEN bytes. */
void stored_name_of_bucket(const struct fake_store *fs, unsigned b, char *name);

/* Vaults and restarts. */

/* A vault storing into fs. */
struct fd_vault *vault_new(struct fake_store *fs);
/* An fd_vault_open() log callback: counts into the logbook ctx and keeps the last line. */
void fv_log_line(void *ctx, const char *what);
/* A new process: every stored entry inherited (the vault gets a dup), then open(). */
struct fd_vault *fv_adopt(struct fake_store *fs, struct logbook *lb);
/* v freed, as by an execve, and the store adopted by a new vault. */
struct fd_vault *fv_restart(struct fd_vault *v, struct fake_store *fs, struct logbook *lb);
/* Every leftover closed; returns how many there were. */
unsigned close_leftovers(struct fd_vault *v);

/* Keys and buckets. */

/* The bucket key falls in. */
unsigned bucket_of_key(uint64_t key);
/* The first key from from on that falls in bucket. */
uint64_t key_in_bucket(unsigned bucket, uint64_t from);
/* n keys from from on that fall in from's bucket. */
void keys_in_one_bucket(uint64_t *out, size_t n, uint64_t from);

#endif
