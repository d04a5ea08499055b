/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fd vault's test fixture (fd_vault_fixture.h): the fake systemd fd store, restarts
 * against it, file identities, pipes, and the buckets keys fall in, for check_fd_vault.c and
 * check_fd_vault_adopt.c.
 */
#include "fd_vault_fixture.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fv_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own */
}

struct file_id file_id_of(int fd)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_ge(fl, 0);
	return (struct file_id){ .dev = st.st_dev, .ino = st.st_ino, .mode = fl & O_ACCMODE };
}

bool fv_is_file(int fd, struct file_id id)
{
	struct stat st;
	int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;

	return fl >= 0 && fstat(fd, &st) == 0 && st.st_dev == id.dev && st.st_ino == id.ino &&
	       (fl & O_ACCMODE) == id.mode;
}

void fv_make_pipe(int p[2])
{
	ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
}

int pipe_state(int rd)
{
	char c;
	ssize_t n = read(rd, &c, 1);

	if (n < 0)
		ck_assert_int_eq(errno, EAGAIN);
	return n < 0 ? -1 : (int)n;
}

void assert_connected(int wr, int rd)
{
	char c = 'x';

	ck_assert_int_eq(write(wr, &c, 1), 1);
	c = 0;
	ck_assert_int_eq(read(rd, &c, 1), 1);
	ck_assert_int_eq(c, 'x');
}

void name_parts(const char *name, unsigned *bucket, unsigned *gen)
{
	int end = -1;

	ck_assert_msg(fd_vault_owns_name(name), "stored under a foreign name: %s", name);
	ck_assert_msg(sscanf(name, "v%x.%x%n", bucket, gen, &end) == 2 && end == (int)strlen(name), "name %s",
		      name);
}

/* The fake fd store. */

struct fake_store *fake_store_new(void)
{
	struct fake_store *fs = calloc(1, sizeof(*fs));

	ck_assert_ptr_nonnull(fs);
	return fs;
}

int store_find(const struct fake_store *fs, const char *name)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->e[i].name, name))
			return (int)i;
	return -1;
}

bool was_removed(const struct fake_store *fs, const char *name)
{
	for (size_t i = 0; i < fs->n_removed; i++)
		if (!strcmp(fs->removed[i], name))
			return true;
	return false;
}

void store_add(struct fake_store *fs, int fd, const char *name)
{
	if (fs->n == STORE_MAX || strlen(name) >= NAME_LEN)
		ck_abort_msg("fake store full or name too long: %s", name);
	if (store_find(fs, name) >= 0)
		fs->name_stored_twice = true;
	fs->e[fs->n].fd = fd;
	snprintf(fs->e[fs->n].name, NAME_LEN, "%s", name);
	fs->n++;
}

static void fake_store_cb(void *ctx, int fd, const char *name)
{
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (copy < 0)
		ck_abort_msg("store(%s): bad fd %d", name, fd);
	store_add(ctx, copy, name);
}

static void fake_unstore_cb(void *ctx, const char *name)
{
	struct fake_store *fs = ctx;
	size_t kept = 0;

	fs->removed = realloc(fs->removed, (fs->n_removed + 1) * sizeof(*fs->removed));
	ck_assert_ptr_nonnull(fs->removed);
	snprintf(fs->removed[fs->n_removed++], NAME_LEN, "%s", name);
	for (size_t i = 0; i < fs->n; i++) {
		if (strcmp(fs->e[i].name, name))
			fs->e[kept++] = fs->e[i];
		else
			close(fs->e[i].fd);
	}
	fs->n = kept;
}

struct fake_store *store_copy(const struct fake_store *src)
{
	struct fake_store *fs = fake_store_new();

	for (size_t i = 0; i < src->n; i++)
		store_add(fs, fcntl(src->e[i].fd, F_DUPFD_CLOEXEC, 3), src->e[i].name);
	return fs;
}

void fake_store_free(struct fake_store *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		close(fs->e[i].fd);
	free(fs->removed);
	free(fs);
}

struct fd_vault *vault_new(struct fake_store *fs)
{
	struct fd_vault_ops ops = { .store = fake_store_cb, .unstore = fake_unstore_cb, .ctx = fs };
	struct fd_vault *v = NULL;

	ck_assert_int_eq(fd_vault_new(&v, &ops), 0);
	ck_assert_ptr_nonnull(v);
	return v;
}

void fv_log_line(void *ctx, const char *what)
{
	struct logbook *lb = ctx;

	ck_assert_ptr_nonnull(what);
	ck_assert_msg(what[0], "empty log line");
	lb->n++;
	snprintf(lb->last, sizeof(lb->last), "%s", what);
}

struct fd_vault *fv_adopt(struct fake_store *fs, struct logbook *lb)
{
	struct fd_vault *v = vault_new(fs);

	for (size_t i = 0; i < fs->n; i++) {
		int fd = fcntl(fs->e[i].fd, F_DUPFD_CLOEXEC, 3);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(fd_vault_inherit(v, fd, fs->e[i].name), 0);
	}
	ck_assert_int_eq(fd_vault_open(v, fv_log_line, lb), 0);
	return v;
}

struct fd_vault *fv_restart(struct fd_vault *v, struct fake_store *fs, struct logbook *lb)
{
	fd_vault_free(v);
	return fv_adopt(fs, lb);
}

unsigned close_leftovers(struct fd_vault *v)
{
	uint64_t key;
	unsigned n = 0;
	int fd;

	while (fd_vault_next_leftover(v, &key, &fd)) {
		ck_assert_int_ge(fd, 0);
		close(fd);
		n++;
	}
	return n;
}

struct walk {
	const struct fake_store *fs;
	size_t n;
	char bad[NAME_LEN]; /* a walked name the store does not hold with that file */
};

static int walk_one(void *ctx, int fd, const char *name)
{
	struct walk *w = ctx;
	int i = store_find(w->fs, name);

	w->n++;
	if (i < 0 || !fv_is_file(fd, file_id_of(w->fs->e[i].fd)))
		snprintf(w->bad, sizeof(w->bad), "%s", name);
	return 0;
}

void assert_walk_is_store(const struct fd_vault *v, const struct fake_store *fs)
{
	struct walk w = { .fs = fs };

	ck_assert_int_eq(fd_vault_walk_stored(v, walk_one, &w), 0);
	ck_assert_msg(!w.bad[0], "walked %s is not in the store", w.bad);
	ck_assert_uint_eq(w.n, fs->n);
	ck_assert(!fs->name_stored_twice);
}

/* The bucket a key falls in, learnt as fd_vault.h allows: a fresh vault stores the bucket's
 * read end, under the bucket's name, at the key's first put. */
unsigned bucket_of_key(uint64_t key)
{
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	unsigned bucket, gen;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fd_vault_put(v, key, fd), 0);
	ck_assert_uint_eq(fs->n, 1);
	name_parts(fs->e[0].name, &bucket, &gen);
	close(fd);
	fd_vault_free(v);
	fake_store_free(fs);
	return bucket;
}

uint64_t key_in_bucket(unsigned bucket, uint64_t from)
{
	for (uint64_t k = from; k < from + 20000; k++)
		if (bucket_of_key(k) == bucket)
			return k;
	ck_abort_msg("no key for bucket %u", bucket);
	return 0;
}

void keys_in_one_bucket(uint64_t *out, size_t n, uint64_t from)
{
	unsigned b = bucket_of_key(from);

	out[0] = from;
	for (size_t i = 1; i < n; i++)
		out[i] = key_in_bucket(b, out[i - 1] + 1);
}

void stored_name_of_bucket(const struct fake_store *fs, unsigned b, char *name)
{
	unsigned bucket, gen;

	name[0] = 0;
	for (size_t i = 0; i < fs->n; i++) {
		name_parts(fs->e[i].name, &bucket, &gen);
		if (bucket == b)
			snprintf(name, NAME_LEN, "%s", fs->e[i].name);
	}
}
