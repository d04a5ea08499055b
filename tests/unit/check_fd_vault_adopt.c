/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fd vault's adoption (daemon/fd_vault.h), against the fake systemd fd store of
 * fd_vault_fixture.h: a new process inherits what a crash left (both generations of a bucket,
 * or the queues of an adoption never committed), hands out or closes the leftovers, and
 * commit() replaces the inherited queues. Then stores the vault did not write: foreign or
 * damaged queues, altered and randomly altered copies of a real queue, names not the vault's.
 * Each is logged and skipped, every other key comes back whole, and no file stays open after
 * commit(). The running vault is tested in check_fd_vault.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fd_vault_fixture.h"
#include "suites.h"
#include "test_random.h"

#define SCM_MAX 253 /* files in one datagram */

/* What a kill -9 between storing a rebuilt bucket and removing its old generation leaves: the
 * union of the store before and after the rebuild (_i: the old generation comes first or last). */
START_TEST(crash_between_generations_newer_wins)
{
	enum { N = 40 };
	uint64_t x = 1000, y = key_in_bucket(bucket_of_key(x), x + 1);
	int fds0 = fv_count_fds(), p[N][2], px[2], fd;
	struct fake_store *fs = fake_store_new(), *before, *crashed;
	struct fd_vault *v = vault_new(fs);
	struct logbook lb = { 0 };
	char old_name[NAME_LEN] = "";
	unsigned b_old, g_old;
	size_t fresh = 0;

	fv_make_pipe(px);
	for (size_t i = 0; i < N; i++) {
		fv_make_pipe(p[i]);
		ck_assert_int_eq(fd_vault_put(v, i + 1, p[i][0]), 0);
	}
	ck_assert_int_eq(fd_vault_put(v, x, px[1]), 0);
	ck_assert_int_eq(fd_vault_put(v, y, p[0][0]), 0);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	close(px[1]);
	before = store_copy(fs);
	fd_vault_drop(v, x, true);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	ck_assert_int_eq(pipe_state(px[0]), -1); /* the copy of the old generation holds it */
	fd_vault_free(v);
	crashed = fake_store_new();
	for (size_t pass = 0; pass < 2; pass++) {
		const struct fake_store *from = (pass == 0) == (_i == 0) ? before : fs;

		for (size_t i = 0; i < from->n; i++)
			if (store_find(crashed, from->e[i].name) < 0)
				store_add(crashed, fcntl(from->e[i].fd, F_DUPFD_CLOEXEC, 3), from->e[i].name);
	}
	for (size_t i = 0; i < before->n; i++)
		if (store_find(fs, before->e[i].name) < 0)
			snprintf(old_name, sizeof(old_name), "%s", before->e[i].name);
	for (size_t i = 0; i < fs->n; i++)
		fresh += store_find(before, fs->e[i].name) < 0;
	ck_assert_uint_eq(fresh, 1);
	ck_assert_uint_eq(crashed->n, before->n + 1);
	name_parts(old_name, &b_old, &g_old);
	ck_assert_uint_eq(b_old, bucket_of_key(x));
	fake_store_free(before);
	fake_store_free(fs);
	fs = crashed;
	v = fv_adopt(fs, &lb);
	ck_assert_int_eq(fd_vault_take(v, x), -1);
	for (size_t i = 0; i < N; i++) {
		fd = fd_vault_take(v, i + 1);
		ck_assert_msg(fv_is_file(fd, file_id_of(p[i][0])), "key %zu", i + 1);
		close(fd);
	}
	fd = fd_vault_take(v, y);
	ck_assert(fv_is_file(fd, file_id_of(p[0][0])));
	close(fd);
	ck_assert_uint_eq(close_leftovers(v), 0);
	ck_assert_int_eq(fd_vault_commit(v), 0);
	ck_assert(was_removed(fs, old_name));
	ck_assert_int_eq(pipe_state(px[0]), 0);
	fd_vault_free(v);
	fake_store_free(fs);
	for (size_t i = 0; i < N; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	close(px[0]);
	ck_assert_int_eq(fv_count_fds(), fds0);
}
END_TEST

START_TEST(leftovers_are_handed_out_or_closed_at_commit)
{
	enum { N = 6 };
	int fds0 = fv_count_fds(), p[N][2], fd, held[N];
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	struct logbook lb = { 0 };
	bool fetched[N] = { false };
	struct file_id wr[N];
	unsigned n_fetched = 0;
	uint64_t key;

	for (size_t i = 0; i < N; i++) {
		fv_make_pipe(p[i]);
		wr[i] = file_id_of(p[i][1]);
		ck_assert_int_eq(fd_vault_put(v, 100 + i, p[i][1]), 0);
		close(p[i][1]);
	}
	ck_assert_int_eq(fd_vault_settle(v), 0);
	v = fv_restart(v, fs, &lb);
	held[0] = fd_vault_take(v, 100);
	ck_assert(fv_is_file(held[0], wr[0]));
	assert_connected(held[0], p[0][0]);
	fetched[0] = true;
	/* Two of the other five are fetched; the other three are left to commit(). */
	while (n_fetched < 2 && fd_vault_next_leftover(v, &key, &fd)) {
		ck_assert_msg(key > 100 && key < 100 + N && !fetched[key - 100], "leftover %llu",
			      (unsigned long long)key);
		ck_assert(fv_is_file(fd, wr[key - 100]));
		assert_connected(fd, p[key - 100][0]);
		fetched[key - 100] = true;
		held[++n_fetched] = fd;
	}
	ck_assert_uint_eq(n_fetched, 2);
	ck_assert_int_eq(fd_vault_take(v, key), -1);
	ck_assert_int_eq(fd_vault_commit(v), 0);
	ck_assert(!fd_vault_next_leftover(v, &key, &fd));
	for (size_t i = 0; i < N; i++)
		ck_assert_int_eq(pipe_state(p[i][0]), fetched[i] ? -1 : 0);
	for (size_t i = 0; i <= n_fetched; i++)
		close(held[i]);
	fd_vault_free(v);
	fake_store_free(fs);
	for (size_t i = 0; i < N; i++)
		close(p[i][0]);
	ck_assert_int_eq(fv_count_fds(), fds0);
}
END_TEST

/* Puts during an adoption go to new queues, stored at commit(), which removes the old ones. */
START_TEST(commit_replaces_the_inherited_queues)
{
	enum { N = 30 };
	int fds0 = fv_count_fds(), p[N][2], fd;
	struct fake_store *fs = fake_store_new(), *inherited;
	struct fd_vault *v = vault_new(fs);
	struct logbook lb = { 0 };

	for (size_t i = 0; i < N; i++) {
		fv_make_pipe(p[i]);
		ck_assert_int_eq(fd_vault_put(v, i + 1, p[i][i % 2]), 0);
	}
	ck_assert_int_eq(fd_vault_settle(v), 0);
	v = fv_restart(v, fs, &lb);
	inherited = store_copy(fs);
	for (size_t i = 0; i < N; i++) {
		fd = fd_vault_take(v, i + 1);
		ck_assert(fv_is_file(fd, file_id_of(p[i][i % 2])));
		if (i % 3)
			ck_assert_int_eq(fd_vault_put(v, i + 1, fd), 0);
		close(fd);
	}
	ck_assert_int_eq(fd_vault_settle(v), 0);
	ck_assert_uint_eq(fs->n, inherited->n);
	for (size_t i = 0; i < fs->n; i++)
		ck_assert_int_ge(store_find(inherited, fs->e[i].name), 0);
	ck_assert_int_eq(fd_vault_commit(v), 0);
	ck_assert_uint_gt(fs->n, 0);
	for (size_t i = 0; i < inherited->n; i++)
		ck_assert_int_lt(store_find(fs, inherited->e[i].name), 0);
	assert_walk_is_store(v, fs);
	v = fv_restart(v, fs, &lb);
	for (size_t i = 0; i < N; i++) {
		fd = fd_vault_take(v, i + 1);
		ck_assert_msg(i % 3 ? fv_is_file(fd, file_id_of(p[i][i % 2])) : fd == -1, "key %zu", i + 1);
		if (fd >= 0)
			close(fd);
	}
	ck_assert_uint_eq(close_leftovers(v), 0);
	ck_assert_int_eq(fd_vault_commit(v), 0);
	ck_assert_uint_eq(lb.n, 0);
	fd_vault_free(v);
	fake_store_free(inherited);
	fake_store_free(fs);
	for (size_t i = 0; i < N; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	ck_assert_int_eq(fv_count_fds(), fds0);
}
END_TEST

/* A kill -9 between open() and commit(): the inherited queues are still stored and whole. */
START_TEST(crash_during_adoption_loses_nothing)
{
	enum { N = 30 };
	int fds0 = fv_count_fds(), p[N][2], z[2], fd;
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	struct logbook lb = { 0 };
	size_t stored;

	fv_make_pipe(z);
	for (size_t i = 0; i < N; i++) {
		fv_make_pipe(p[i]);
		ck_assert_int_eq(fd_vault_put(v, i + 1, p[i][0]), 0);
	}
	ck_assert_int_eq(fd_vault_settle(v), 0);
	v = fv_restart(v, fs, &lb);
	stored = fs->n;
	for (size_t i = 0; i < N; i++) {
		fd = fd_vault_take(v, i + 1);
		ck_assert_int_eq(fd_vault_put(v, i + 1, i % 2 ? fd : z[0]), 0);
		close(fd);
	}
	ck_assert_int_eq(fd_vault_put(v, 777, z[0]), 0);
	ck_assert_uint_eq(fs->n, stored);
	ck_assert_uint_eq(fs->n_removed, 0);
	v = fv_restart(v, fs, &lb);
	for (size_t i = 0; i < N; i++) {
		fd = fd_vault_take(v, i + 1);
		ck_assert_msg(fv_is_file(fd, file_id_of(p[i][0])), "key %zu", i + 1);
		close(fd);
	}
	ck_assert_int_eq(fd_vault_take(v, 777), -1);
	ck_assert_uint_eq(close_leftovers(v), 0);
	ck_assert_int_eq(fd_vault_commit(v), 0);
	fd_vault_free(v);
	fake_store_free(fs);
	for (size_t i = 0; i < N; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	close(z[0]);
	close(z[1]);
	ck_assert_int_eq(fv_count_fds(), fds0);
}
END_TEST

/* The header's promise holds during an adoption too: the next settle() closes the file. */
START_TEST(urgent_drop_during_adoption_closes_at_next_settle)
{
	struct fake_store *fs = fake_store_new();
	struct logbook lb = { 0 };
	struct fd_vault *v = fv_adopt(fs, &lb);
	int p[2];

	fv_make_pipe(p);
	ck_assert_int_eq(fd_vault_put(v, 9, p[1]), 0);
	close(p[1]);
	fd_vault_drop(v, 9, true);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	ck_assert_msg(pipe_state(p[0]) == 0,
		      "settle() between open() and commit() left an urgently dropped file open");
	ck_assert_int_eq(fd_vault_commit(v), 0);
	fd_vault_free(v);
	fake_store_free(fs);
	close(p[0]);
}
END_TEST

/* A store made by a real vault, for damage to be added to: key i + 1 holds pipe i's read end. */
#define N_REAL 24
struct populated {
	struct fake_store *fs;
	int p[N_REAL][2];
	unsigned bucket[N_REAL];
	unsigned br;			   /* the bucket of key 1 */
	char br_name[NAME_LEN];		   /* its stored name */
	char br_older[NAME_LEN];	   /* the generation it had before an urgent rebuild */
	unsigned free_b[FD_VAULT_BUCKETS]; /* buckets no key uses */
	size_t n_free;
	int victim[2]; /* a pipe whose write end rides in damaged queues */
};

static void populate(struct populated *pp)
{
	struct fd_vault *v;
	bool used[FD_VAULT_BUCKETS] = { false };
	unsigned b, g, g_old;

	pp->fs = fake_store_new();
	v = vault_new(pp->fs);
	for (size_t i = 0; i < N_REAL; i++) {
		fv_make_pipe(pp->p[i]);
		ck_assert_int_eq(fd_vault_put(v, i + 1, pp->p[i][0]), 0);
		pp->bucket[i] = bucket_of_key(i + 1);
		used[pp->bucket[i]] = true;
	}
	pp->br = pp->bucket[0];
	fd_vault_drop(v, 1, true);
	ck_assert_int_eq(fd_vault_put(v, 1, pp->p[0][0]), 0);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	ck_assert_uint_eq(pp->fs->n_removed, 1);
	snprintf(pp->br_older, NAME_LEN, "%s", pp->fs->removed[0]);
	name_parts(pp->br_older, &b, &g_old);
	ck_assert_uint_eq(b, pp->br);
	stored_name_of_bucket(pp->fs, pp->br, pp->br_name);
	name_parts(pp->br_name, &b, &g);
	ck_assert_uint_gt(g, g_old);
	fd_vault_free(v);
	for (unsigned i = 0; i < FD_VAULT_BUCKETS; i++)
		if (!used[i])
			pp->free_b[pp->n_free++] = i;
	ck_assert_uint_ge(pp->n_free, 8);
	fv_make_pipe(pp->victim);
}

static void populated_free(struct populated *pp)
{
	for (size_t i = 0; i < N_REAL; i++) {
		close(pp->p[i][0]);
		close(pp->p[i][1]);
	}
	close(pp->victim[0]);
	if (pp->victim[1] >= 0)
		close(pp->victim[1]);
	fake_store_free(pp->fs);
}

/* No copy of the victim's write end survives, in the vault or a queue: closing ours gives EOF. */
static void assert_victim_released(struct populated *pp)
{
	close(pp->victim[1]);
	pp->victim[1] = -1;
	ck_assert_int_eq(pipe_state(pp->victim[0]), 0);
}

static void send_datagram(int wr, const void *buf, size_t len, const int *fds, size_t n_fds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(SCM_MAX * sizeof(int))];
	} control;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	ck_assert_uint_le(n_fds, SCM_MAX);
	if (n_fds) {
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n_fds * sizeof(int));
	}
	ck_assert_int_eq(sendmsg(wr, &mh, MSG_DONTWAIT), (ssize_t)len);
}

/* The read end of a foreign datagram pair holding one datagram (its write end closed). */
static int foreign_queue(const void *buf, size_t len, const int *fds, size_t n_fds)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	send_datagram(sv[1], buf, len, fds, n_fds);
	close(sv[1]);
	return sv[0];
}

enum damage {
	GARBAGE,       /* a datagram of text */
	GARBAGE_FILES, /* text with files attached */
	EMPTY_DATAGRAM,
	NOT_A_SOCKET,	  /* a pipe */
	STREAM_SOCKET,	  /* bytes in a stream socket */
	SAME_NAME,	  /* a second, unreadable queue under a real bucket's name */
	NEWER_GENERATION, /* an unreadable queue under a real bucket's next generation */
	OLDER_GENERATION, /* an unreadable queue under a real bucket's earlier generation */
	N_DAMAGE
};

/* Adds damage d to the store; returns the bucket whose files may be lost (-1: none). */
static int add_damage(struct populated *pp, enum damage d, unsigned slot)
{
	static const char text[] = "this is not an fd vault datagram";
	char name[NAME_LEN];
	unsigned b, g;
	int fd, sv[2];

	snprintf(name, sizeof(name), "v%x.1", pp->free_b[slot]);
	name_parts(pp->br_name, &b, &g);
	switch (d) {
	case GARBAGE:
		store_add(pp->fs, foreign_queue(text, sizeof(text), NULL, 0), name);
		return -1;
	case GARBAGE_FILES:
		store_add(pp->fs, foreign_queue(text, sizeof(text), &pp->victim[1], 1), name);
		return -1;
	case EMPTY_DATAGRAM:
		store_add(pp->fs, foreign_queue(text, 0, &pp->victim[1], 1), name);
		return -1;
	case NOT_A_SOCKET:
		fv_make_pipe(sv);
		close(sv[1]);
		store_add(pp->fs, sv[0], name);
		return -1;
	case STREAM_SOCKET:
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		ck_assert_int_eq(write(sv[1], text, sizeof(text)), (ssize_t)sizeof(text));
		close(sv[1]);
		store_add(pp->fs, sv[0], name);
		return -1;
	case SAME_NAME:
		fd = foreign_queue(text, sizeof(text), &pp->victim[1], 1);
		store_add(pp->fs, fd, pp->br_name);
		return (int)pp->br;
	case NEWER_GENERATION:
		snprintf(name, sizeof(name), "v%x.%x", b, g + 0x100);
		store_add(pp->fs, foreign_queue(text, sizeof(text), &pp->victim[1], 1), name);
		return (int)pp->br;
	case OLDER_GENERATION:
		store_add(pp->fs, foreign_queue(text, sizeof(text), &pp->victim[1], 1), pp->br_older);
		return -1;
	case N_DAMAGE:
		break;
	}
	ck_abort_msg("damage %d", d);
	return -1;
}

/* Adopts the damaged store: every key outside lost_bucket must come back whole. */
static void adopt_damaged(struct populated *pp, const int *lost, size_t n_lost, unsigned min_logs)
{
	struct logbook lb = { 0 };
	struct fd_vault *v = fv_adopt(pp->fs, &lb);
	bool may_lose;
	int fd;

	ck_assert_msg(lb.n >= min_logs, "%u log lines, %u wanted", lb.n, min_logs);
	for (size_t i = 0; i < N_REAL; i++) {
		fd = fd_vault_take(v, i + 1);
		may_lose = false;
		for (size_t j = 0; j < n_lost; j++)
			may_lose |= lost[j] == (int)pp->bucket[i];
		ck_assert_msg(fv_is_file(fd, file_id_of(pp->p[i][0])) || (may_lose && fd == -1),
			      "key %zu (bucket %u) came back as %d", i + 1, pp->bucket[i], fd);
		if (fd >= 0)
			close(fd);
	}
	close_leftovers(v);
	ck_assert_int_eq(fd_vault_commit(v), 0);
	ck_assert_uint_eq(pp->fs->n, 0); /* every inherited name removed, damaged ones too */
	fd_vault_free(v);
	assert_victim_released(pp);
}

START_TEST(damaged_queue_is_logged_and_skipped)
{
	int fds0 = fv_count_fds(), lost;
	struct populated pp = { 0 };

	populate(&pp);
	lost = add_damage(&pp, (enum damage)_i, 0);
	adopt_damaged(&pp, &lost, 1, _i != OLDER_GENERATION);
	populated_free(&pp);
	ck_assert_int_eq(fv_count_fds(), fds0);
}
END_TEST

START_TEST(all_damage_at_once)
{
	int fds0 = fv_count_fds(), lost[N_DAMAGE];
	struct populated pp = { 0 };

	populate(&pp);
	for (int d = 0; d < N_DAMAGE; d++)
		lost[d] = add_damage(&pp, (enum damage)d, (unsigned)d);
	/* NEWER_GENERATION shadows bucket br's other two queues (SAME_NAME and OLDER_GENERATION's):
	 * those may go unread and unlogged. */
	adopt_damaged(&pp, lost, N_DAMAGE, N_DAMAGE - 2);
	populated_free(&pp);
	ck_assert_int_eq(fv_count_fds(), fds0);
}
END_TEST

START_TEST(inherit_refuses_foreign_names_and_closes_the_fd)
{
	static const char *const names[] = { "state", "v40.1", "v1", "" };
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	struct logbook lb = { 0 };
	int fd;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_lt(fd_vault_inherit(v, fd, names[i]), 0);
		ck_assert_int_eq(fcntl(fd, F_GETFD), -1); /* the vault owns it: closed */
		ck_assert_int_eq(errno, EBADF);
	}
	ck_assert_int_eq(fd_vault_open(v, fv_log_line, &lb), 0);
	ck_assert_int_eq(fd_vault_commit(v), 0);
	ck_assert_uint_eq(fs->n_removed, 0);
	fd_vault_free(v);
	fake_store_free(fs);
}
END_TEST

struct datagram {
	char bytes[8192];
	size_t len;
	int fds[SCM_MAX];
	size_t n_fds;
};

/* Every datagram of a queue, read without taking it out (the files come as new fds). */
static size_t peek_queue(int rd, struct datagram *out, size_t max)
{
	int off = 0;
	size_t n = 0;

	ck_assert_int_eq(setsockopt(rd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off)), 0);
	for (;; n++) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(SCM_MAX * sizeof(int))];
		} control;
		struct iovec iov = { .iov_base = out[n].bytes, .iov_len = sizeof(out[n].bytes) };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = control.buf,
				     .msg_controllen = sizeof(control.buf) };
		struct cmsghdr *c;
		ssize_t got;

		ck_assert_uint_lt(n, max);
		got = recvmsg(rd, &mh, MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (got < 0 && errno == EAGAIN)
			return n;
		ck_assert_int_ge(got, 0);
		ck_assert_int_eq(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC), 0);
		out[n].len = (size_t)got;
		out[n].n_fds = 0;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			ck_assert(c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && !out[n].n_fds);
			out[n].n_fds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(out[n].fds, CMSG_DATA(c), out[n].n_fds * sizeof(int));
		}
	}
}

enum replay {
	REPLAY_EXACT, /* the control: a faithful copy adopts like the original */
	REPLAY_ONE_FD_LESS,
	REPLAY_ONE_FD_MORE, /* the victim's write end added */
	REPLAY_NO_FDS,
	REPLAY_TRUNCATED, /* the last byte cut */
	REPLAY_EXTENDED,  /* a byte more */
	N_REPLAY
};

/* A copy of bucket br's queue, altered as r says. */
static int replay_queue(struct populated *pp, const struct datagram *dg, size_t n, enum replay r)
{
	int sv[2], fds[SCM_MAX + 1];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	for (size_t i = 0; i < n; i++) {
		size_t n_fds = dg[i].n_fds, len = dg[i].len;

		memcpy(fds, dg[i].fds, n_fds * sizeof(int));
		if (i == 0 && r == REPLAY_ONE_FD_LESS)
			n_fds--;
		if (i == 0 && r == REPLAY_ONE_FD_MORE)
			fds[n_fds++] = pp->victim[1];
		if (r == REPLAY_NO_FDS)
			n_fds = 0;
		if (i == 0 && r == REPLAY_TRUNCATED)
			len--;
		if (i == 0 && r == REPLAY_EXTENDED)
			len++;
		send_datagram(sv[1], dg[i].bytes, len, fds, n_fds < SCM_MAX ? n_fds : SCM_MAX);
	}
	close(sv[1]);
	return sv[0];
}

/* Bucket br's queue copied datagram by datagram, files and all, then altered (_i): only the
 * faithful copy gives the files back; an altered one is logged and its files are lost. */
START_TEST(altered_copy_of_a_real_queue_is_refused)
{
	int fds0 = fv_count_fds(), fd;
	struct populated pp = { 0 };
	struct datagram *dg = calloc(64, sizeof(*dg));
	struct fake_store *fs = fake_store_new();
	struct logbook lb = { 0 };
	struct fd_vault *v;
	size_t n;

	ck_assert_ptr_nonnull(dg);
	populate(&pp);
	n = peek_queue(pp.fs->e[store_find(pp.fs, pp.br_name)].fd, dg, 64);
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_ge(dg[0].n_fds, 1);
	store_add(fs, replay_queue(&pp, dg, n, (enum replay)_i), pp.br_name);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < dg[i].n_fds; j++)
			close(dg[i].fds[j]);
	v = fv_adopt(fs, &lb);
	if (_i == REPLAY_EXACT)
		ck_assert_uint_eq(lb.n, 0);
	else
		ck_assert_uint_ge(lb.n, 1);
	for (size_t i = 0; i < N_REAL; i++) {
		fd = fd_vault_take(v, i + 1);
		if (_i == REPLAY_EXACT && pp.bucket[i] == pp.br)
			ck_assert_msg(fv_is_file(fd, file_id_of(pp.p[i][0])), "key %zu", i + 1);
		else
			ck_assert_msg(fd == -1, "key %zu came from an altered queue", i + 1);
		if (fd >= 0)
			close(fd);
	}
	ck_assert_uint_eq(close_leftovers(v), 0);
	ck_assert_int_eq(fd_vault_commit(v), 0);
	fd_vault_free(v);
	fake_store_free(fs);
	assert_victim_released(&pp);
	populated_free(&pp);
	free(dg);
	ck_assert_int_eq(fv_count_fds(), fds0);
}
END_TEST

/* Random alterations of a real queue's datagrams, with a random number of files: whatever the
 * vault makes of them, it neither crashes nor keeps a file once committed. */
START_TEST(randomly_altered_queues_leak_nothing)
{
	int fds0 = fv_count_fds(), fds[SCM_MAX];
	struct populated pp = { 0 };
	struct datagram *dg = calloc(64, sizeof(*dg));
	struct test_random r;
	size_t n;

	ck_assert_ptr_nonnull(dg);
	test_random_init(&r, 20240611);
	populate(&pp);
	n = peek_queue(pp.fs->e[store_find(pp.fs, pp.br_name)].fd, dg, 64);
	ck_assert_uint_ge(n, 1);
	for (unsigned iter = 0; iter < 400; iter++) {
		struct fake_store *fs = fake_store_new();
		struct logbook lb = { 0 };
		struct fd_vault *v;
		char buf[sizeof(dg[0].bytes)];
		size_t len = dg[0].len, n_fds = test_random_u64(&r) % (dg[0].n_fds + 3);
		int sv[2];

		memcpy(buf, dg[0].bytes, sizeof(buf));
		for (unsigned flips = test_random_u64(&r) % 4; flips; flips--)
			buf[test_random_u64(&r) % len] ^= (char)(1u << (test_random_u64(&r) % 8));
		if (test_random_chance(&r, 0.3))
			len = test_random_u64(&r) % (len + 16);
		for (size_t i = 0; i < n_fds; i++)
			fds[i] = test_random_chance(&r, 0.5) ? pp.victim[1] : pp.p[i % N_REAL][0];
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
		send_datagram(sv[1], buf, len, fds, n_fds);
		if (test_random_chance(&r, 0.5))
			send_datagram(sv[1], dg[0].bytes, dg[0].len, dg[0].fds, dg[0].n_fds);
		close(sv[1]);
		store_add(fs, sv[0], pp.br_name);
		v = fv_adopt(fs, &lb);
		for (size_t i = 0; i < N_REAL; i++) {
			int fd = fd_vault_take(v, i + 1);

			if (fd >= 0)
				close(fd);
		}
		close_leftovers(v);
		ck_assert_int_eq(fd_vault_commit(v), 0);
		fd_vault_free(v);
		fake_store_free(fs);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < dg[i].n_fds; j++)
			close(dg[i].fds[j]);
	assert_victim_released(&pp);
	populated_free(&pp);
	free(dg);
	ck_assert_int_eq(fv_count_fds(), fds0);
}
END_TEST

Suite *suite_fd_vault_adopt(void)
{
	Suite *s = suite_create("fd_vault_adopt");
	TCase *tc = tcase_create("fd_vault_adopt");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, crash_between_generations_newer_wins, 0, 2);
	tcase_add_test(tc, leftovers_are_handed_out_or_closed_at_commit);
	tcase_add_test(tc, commit_replaces_the_inherited_queues);
	tcase_add_test(tc, crash_during_adoption_loses_nothing);
	tcase_add_test(tc, urgent_drop_during_adoption_closes_at_next_settle);
	tcase_add_loop_test(tc, damaged_queue_is_logged_and_skipped, 0, N_DAMAGE);
	tcase_add_test(tc, all_damage_at_once);
	tcase_add_test(tc, inherit_refuses_foreign_names_and_closes_the_fd);
	tcase_add_loop_test(tc, altered_copy_of_a_real_queue_is_refused, 0, N_REPLAY);
	tcase_add_test(tc, randomly_altered_queues_leak_nothing);
	suite_add_tcase(s, tc);
	return s;
}
