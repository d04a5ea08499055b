/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fd vault (daemon/fd_vault.h) while it runs, against the fake systemd fd store of
 * fd_vault_fixture.h: what is put comes back after a fv_restart, each bucket is stored at its
 * first put, superseded and dropped entries are neither handed out nor kept open, queues full of
 * dead entries or of files are packed away, bad fds are refused, and the vault claims only its
 * own names. Adoption after a crash and damaged stores are in check_fd_vault_adopt.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fd_vault_fixture.h"
#include "suites.h"

#define SLACK 32 /* the rebuild thresholds' constant (fd_vault.h: dead > live + 32) */

START_TEST(round_trip_gives_back_each_file)
{
	static const uint64_t keys[] = {
		0, 1, 2, 77, 1u << 31, 0xdeadbeefcafeull, UINT64_MAX - 1, UINT64_MAX
	};
	enum { N = sizeof(keys) / sizeof(keys[0]) / 2 };
	int fds0 = fv_count_fds(), p[N][2], got[2 * N];
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	struct logbook lb = { 0 };

	fd_vault_free(NULL);
	for (size_t i = 0; i < N; i++) {
		fv_make_pipe(p[i]);
		ck_assert_int_eq(fd_vault_put(v, keys[2 * i], p[i][0]), 0);
		ck_assert_int_eq(fd_vault_put(v, keys[2 * i + 1], p[i][1]), 0);
	}
	ck_assert_int_eq(fd_vault_settle(v), 0);
	v = fv_restart(v, fs, &lb);
	ck_assert_int_eq(fd_vault_take(v, 3), -1);
	for (size_t i = 0; i < 2 * N; i++) {
		got[i] = fd_vault_take(v, keys[i]);
		ck_assert_msg(fv_is_file(got[i], file_id_of(p[i / 2][i % 2])), "key %zu", i);
		ck_assert_int_eq(fd_vault_take(v, keys[i]), -1);
	}
	for (size_t i = 0; i < N; i++) {
		assert_connected(p[i][1], got[2 * i]);
		assert_connected(got[2 * i + 1], p[i][0]);
	}
	ck_assert_uint_eq(close_leftovers(v), 0);
	ck_assert_int_eq(fd_vault_commit(v), 0);
	ck_assert_uint_eq(lb.n, 0);
	fd_vault_free(v);
	for (size_t i = 0; i < N; i++) {
		close(got[2 * i]);
		close(got[2 * i + 1]);
		close(p[i][0]);
		close(p[i][1]);
	}
	fake_store_free(fs);
	ck_assert_int_eq(fv_count_fds(), fds0);
}
END_TEST

START_TEST(first_put_stores_its_bucket_at_once)
{
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	int p[2];

	fv_make_pipe(p);
	ck_assert_uint_eq(fs->n, 0);
	assert_walk_is_store(v, fs);
	ck_assert_int_eq(fd_vault_put(v, 5, p[0]), 0);
	ck_assert_uint_eq(fs->n, 1);
	ck_assert(fd_vault_owns_name(fs->e[0].name));
	assert_walk_is_store(v, fs);
	for (uint64_t k = 6; k < 200; k++)
		ck_assert_int_eq(fd_vault_put(v, k, p[0]), 0);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	ck_assert_uint_gt(fs->n, 1);
	ck_assert_uint_le(fs->n, FD_VAULT_BUCKETS);
	assert_walk_is_store(v, fs);
	fd_vault_free(v);
	/* What is stored stays stored: the fake store still holds every read end. */
	ck_assert_uint_gt(fs->n, 1);
	fake_store_free(fs);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* Ten keys of one bucket, so that a drop leaves live keys beside it. */
START_TEST(stats_count_keys_entries_and_rebuilds)
{
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	struct fd_vault_stats st;
	uint64_t k[10];
	int p[2];

	keys_in_one_bucket(k, 10, 1);
	fv_make_pipe(p);
	for (size_t i = 0; i < 10; i++)
		ck_assert_int_eq(fd_vault_put(v, k[i], p[0]), 0);
	ck_assert_uint_eq(fs->n, 1);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	fd_vault_stats(v, &st);
	ck_assert_uint_eq(st.live, 10);
	ck_assert_uint_eq(st.queued, 10);
	ck_assert_uint_ge(st.messages, 1);
	ck_assert_uint_le(st.messages, 10);
	ck_assert_uint_eq(st.rebuilds, 0);
	ck_assert_int_eq(fd_vault_put(v, k[0], p[1]), 0);
	fd_vault_drop(v, k[1], false);
	fd_vault_drop(v, k[9] + 1, true); /* never put: nothing to do */
	ck_assert_int_eq(fd_vault_settle(v), 0);
	fd_vault_stats(v, &st);
	ck_assert_uint_eq(st.live, 9);
	ck_assert_uint_eq(st.queued, 11);
	ck_assert_uint_eq(st.rebuilds, 0);
	fd_vault_drop(v, k[2], true);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	fd_vault_stats(v, &st);
	ck_assert_uint_eq(st.live, 8);
	ck_assert_uint_eq(st.rebuilds, 1);
	ck_assert_uint_eq(st.queued, 8); /* the rebuilt queue holds the live entries only */
	ck_assert_uint_ge(st.messages, 1);
	fd_vault_free(v);
	fake_store_free(fs);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(superseded_entry_is_neither_taken_nor_left_over)
{
	int fds0 = fv_count_fds(), a[2], b[2], got;
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	struct logbook lb = { 0 };
	struct file_id b_rd;

	signal(SIGPIPE, SIG_IGN);
	fv_make_pipe(a);
	fv_make_pipe(b);
	b_rd = file_id_of(b[0]);
	ck_assert_int_eq(fd_vault_put(v, 42, a[0]), 0);
	ck_assert_int_eq(fd_vault_put(v, 42, b[0]), 0);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	close(a[0]);
	close(b[0]);
	v = fv_restart(v, fs, &lb);
	got = fd_vault_take(v, 42);
	ck_assert(fv_is_file(got, b_rd));
	assert_connected(b[1], got);
	ck_assert_uint_eq(close_leftovers(v), 0);
	ck_assert_int_eq(fd_vault_commit(v), 0);
	close(got);
	/* Nobody holds a read end of either pipe now: not the vault, not its old queue. */
	ck_assert_int_eq(write(a[1], "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(write(b[1], "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	fd_vault_free(v);
	fake_store_free(fs);
	close(a[1]);
	close(b[1]);
	ck_assert_int_eq(fv_count_fds(), fds0);
}
END_TEST

START_TEST(urgent_drop_closes_the_file_at_settle)
{
	uint64_t k1 = 11, k2 = key_in_bucket(bucket_of_key(11), 12), k3 = 5000, k4;
	int fds0 = fv_count_fds(), p[2], q[2], r[2], got;
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	struct fd_vault_stats st;
	struct logbook lb = { 0 };
	char old_name[NAME_LEN];
	unsigned b_old, g_old, b_new, g_new;

	while (bucket_of_key(k3) == bucket_of_key(k1))
		k3++;
	k4 = key_in_bucket(bucket_of_key(k3), k3 + 1); /* live beside k3 */
	fv_make_pipe(p);
	fv_make_pipe(q);
	fv_make_pipe(r);
	ck_assert_int_eq(fd_vault_put(v, k1, p[1]), 0);
	ck_assert_int_eq(fd_vault_put(v, k2, q[0]), 0);
	ck_assert_int_eq(fd_vault_put(v, k3, r[1]), 0);
	ck_assert_int_eq(fd_vault_put(v, k4, q[1]), 0);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	close(p[1]);
	close(r[1]);
	b_old = bucket_of_key(k1);
	stored_name_of_bucket(fs, b_old, old_name);
	name_parts(old_name, &b_new, &g_old);
	ck_assert_int_eq(pipe_state(p[0]), -1);
	fd_vault_drop(v, k1, true);
	ck_assert_int_eq(pipe_state(p[0]), -1); /* not before settle() */
	fd_vault_drop(v, k3, false);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	ck_assert_int_eq(pipe_state(p[0]), 0);
	ck_assert_int_eq(pipe_state(r[0]), -1); /* not urgent, far under the thresholds */
	fd_vault_stats(v, &st);
	ck_assert_uint_eq(st.rebuilds, 1);
	/* k1's bucket went to a new generation: stored, and the old name removed. */
	ck_assert(was_removed(fs, old_name));
	ck_assert_int_lt(store_find(fs, old_name), 0);
	ck_assert_uint_eq(fs->n, 2);
	stored_name_of_bucket(fs, b_old, old_name);
	name_parts(old_name, &b_new, &g_new);
	ck_assert_uint_gt(g_new, g_old);
	assert_walk_is_store(v, fs);
	v = fv_restart(v, fs, &lb);
	ck_assert_int_eq(fd_vault_take(v, k1), -1);
	got = fd_vault_take(v, k2);
	ck_assert(fv_is_file(got, file_id_of(q[0])));
	close(got);
	got = fd_vault_take(v, k4);
	ck_assert(fv_is_file(got, file_id_of(q[1])));
	close(got);
	close_leftovers(v); /* k3 may come: a lazy drop leaves its entry for a while */
	ck_assert_int_eq(fd_vault_commit(v), 0);
	fd_vault_free(v);
	fake_store_free(fs);
	/* The vault was the only holder of r's write end: the EAGAIN above was its duplicate. */
	ck_assert_int_eq(pipe_state(r[0]), 0);
	close(p[0]);
	close(q[0]);
	close(q[1]);
	close(r[0]);
	ck_assert_int_eq(fv_count_fds(), fds0);
}
END_TEST

/* Distinct keys, spread over the 64-bit space. */
static uint64_t spread_key(size_t k)
{
	return (uint64_t)k * 0x9e3779b97f4a7c15ull + 3;
}

/*
 * 200 live keys spread over the buckets, then 8,000 keys put and dropped (not urgent) beside
 * them: a settle() every 50 keys must keep each bucket's dead entries under live + 32 and its
 * datagrams under 32 + live / 64. The live keys are superseded on the way (first put with a
 * shared dummy file, then with their own pipe).
 */
START_TEST(lazy_drops_are_packed_away)
{
	enum { N_LIVE = 200, CHURN = 8000, CHURN_BASE = 100000 };
	int fds0 = fv_count_fds(), dummy[2], p[N_LIVE][2], fd;
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	struct fd_vault_stats st;
	struct logbook lb = { 0 };
	struct file_id dummy_id;
	uint64_t key;

	fv_make_pipe(dummy);
	dummy_id = file_id_of(dummy[0]);
	for (size_t i = 0; i < N_LIVE; i++)
		ck_assert_int_eq(fd_vault_put(v, i + 1, dummy[0]), 0);
	for (size_t j = 0; j < CHURN; j++) {
		ck_assert_int_eq(fd_vault_put(v, CHURN_BASE + j, dummy[0]), 0);
		fd_vault_drop(v, CHURN_BASE + j, false);
		if (j < N_LIVE) {
			fv_make_pipe(p[j]);
			ck_assert_int_eq(fd_vault_put(v, j + 1, p[j][0]), 0);
		}
		if ((j + 1) % 50)
			continue;
		ck_assert_int_eq(fd_vault_settle(v), 0);
		fd_vault_stats(v, &st);
		if (st.live != N_LIVE || st.queued > 2 * N_LIVE + SLACK * FD_VAULT_BUCKETS ||
		    st.messages > (SLACK + 1) * FD_VAULT_BUCKETS + N_LIVE / 64)
			ck_abort_msg("after %zu: live %u queued %u messages %u", j, st.live, st.queued,
				     st.messages);
	}
	ck_assert_uint_gt(st.rebuilds, 0);
	assert_walk_is_store(v, fs);
	v = fv_restart(v, fs, &lb);
	for (size_t i = 0; i < N_LIVE; i++) {
		fd = fd_vault_take(v, i + 1);
		ck_assert_msg(fv_is_file(fd, file_id_of(p[i][0])), "live key %zu", i + 1);
		close(fd);
	}
	/* A lazily dropped entry may still be queued; it can only be what was put under it. */
	while (fd_vault_next_leftover(v, &key, &fd)) {
		ck_assert_msg(key >= CHURN_BASE && key < CHURN_BASE + CHURN && fv_is_file(fd, dummy_id),
			      "leftover %llu", (unsigned long long)key);
		close(fd);
	}
	ck_assert_int_eq(fd_vault_commit(v), 0);
	fd_vault_free(v);
	fake_store_free(fs);
	for (size_t i = 0; i < N_LIVE; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	close(dummy[0]);
	close(dummy[1]);
	ck_assert_int_eq(fv_count_fds(), fds0);
}
END_TEST

/* Dead entries in packed queues (few datagrams, many entries) are packed away too. */
START_TEST(dead_entries_of_packed_queues_are_dropped)
{
	enum { KEYS = 6400, EVERY = 50 };
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	struct fd_vault_stats st;
	int p[2];

	fv_make_pipe(p);
	for (size_t k = 0; k < KEYS; k++)
		ck_assert_int_eq(fd_vault_put(v, spread_key(k), p[0]), 0);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	fd_vault_stats(v, &st);
	ck_assert_uint_eq(st.queued, KEYS);
	ck_assert_uint_le(st.messages, (SLACK + 1) * FD_VAULT_BUCKETS + KEYS / 64);
	for (size_t k = 0; k < KEYS; k++)
		if (k % EVERY)
			fd_vault_drop(v, spread_key(k), false);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	fd_vault_stats(v, &st);
	ck_assert_uint_eq(st.live, KEYS / EVERY);
	ck_assert_uint_le(st.queued, 2 * st.live + SLACK * FD_VAULT_BUCKETS);
	fd_vault_free(v);
	fake_store_free(fs);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* Re-putting one key without settle() fills its queue (the sender's buffer); puts go on. */
START_TEST(full_queue_is_packed_not_refused)
{
	int a[2], b[2], fd, last = -1;
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	struct fd_vault_stats st = { 0 };
	struct logbook lb = { 0 };
	unsigned after = 0;

	fv_make_pipe(a);
	fv_make_pipe(b);
	for (unsigned i = 0; i < 400000 && after < 100; i++) {
		last = i % 2 ? a[0] : b[0];
		if (fd_vault_put(v, 7, last))
			ck_abort_msg("put %u failed", i);
		fd_vault_stats(v, &st);
		after += st.rebuilds > 0;
	}
	ck_assert_msg(st.rebuilds > 0, "the queue never filled");
	ck_assert_uint_eq(st.live, 1);
	v = fv_restart(v, fs, &lb);
	fd = fd_vault_take(v, 7);
	ck_assert(fv_is_file(fd, file_id_of(last)));
	close(fd);
	ck_assert_uint_eq(close_leftovers(v), 0);
	ck_assert_int_eq(fd_vault_commit(v), 0);
	fd_vault_free(v);
	fake_store_free(fs);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}
END_TEST

/*
 * 3,000 pipes (6,000 files) under 17,000 keys (the rest share those files): more than
 * 64 * 253 keys, so some bucket packs over 253 files and needs several datagrams, and all 64
 * buckets are used. The new process holds every adopted file at once, so the key count must
 * fit RLIMIT_NOFILE: the soft limit is raised to the hard one, and a hard limit under about
 * 18,500 lowers the key count (then fewer buckets may go over 253 files).
 */
START_TEST(many_files_cross_datagram_and_bucket_limits)
{
	enum { KEEP = 8 };
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	struct fd_vault_stats st;
	struct logbook lb = { 0 };
	bool bucket_seen[FD_VAULT_BUCKETS] = { false };
	size_t keys, pipes, files, budget;
	struct file_id *ids;
	struct rlimit rl;
	int(*p)[2], got[2 * KEEP];
	unsigned bucket, gen;

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	rl.rlim_cur = rl.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	budget = rl.rlim_cur > 20000 ? 20000 : (size_t)rl.rlim_cur;
	keys = budget > 18500 ? 17000 : budget > 2000 ? budget - 1500 : budget / 2;
	pipes = keys / 2 < 3000 ? keys / 2 : 3000;
	files = 2 * pipes;
	p = calloc(pipes, sizeof(*p));
	ids = calloc(files, sizeof(*ids));
	ck_assert(p && ids);
	for (size_t i = 0; i < pipes; i++) {
		fv_make_pipe(p[i]);
		ids[2 * i] = file_id_of(p[i][0]);
		ids[2 * i + 1] = file_id_of(p[i][1]);
	}
	for (size_t k = 0; k < keys; k++)
		if (fd_vault_put(v, spread_key(k), p[k % files / 2][k % 2]))
			ck_abort_msg("put %zu failed", k);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	fd_vault_stats(v, &st);
	ck_assert_uint_eq(st.live, keys);
	ck_assert_uint_le(st.messages, (SLACK + 1) * FD_VAULT_BUCKETS + keys / 64);
	for (size_t i = 0; i < fs->n; i++) {
		name_parts(fs->e[i].name, &bucket, &gen);
		ck_assert(!bucket_seen[bucket]);
		bucket_seen[bucket] = true;
	}
	ck_assert_uint_eq(fs->n, FD_VAULT_BUCKETS);
	assert_walk_is_store(v, fs);
	for (size_t i = KEEP; i < pipes; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	v = fv_restart(v, fs, &lb);
	ck_assert_uint_eq(lb.n, 0);
	for (size_t k = 0; k < keys; k++) {
		int fd = fd_vault_take(v, spread_key(k));

		if (!fv_is_file(fd, ids[k % files]))
			ck_abort_msg("key %zu came back as fd %d", k, fd);
		if (k < 2 * KEEP)
			got[k] = fd;
		else
			close(fd);
	}
	for (size_t i = 0; i < KEEP; i++) {
		assert_connected(p[i][1], got[2 * i]);
		assert_connected(got[2 * i + 1], p[i][0]);
	}
	ck_assert_uint_eq(close_leftovers(v), 0);
	ck_assert_int_eq(fd_vault_commit(v), 0);
	ck_assert_uint_eq(fs->n, 0);
	fd_vault_free(v);
	for (size_t i = 0; i < KEEP; i++) {
		close(got[2 * i]);
		close(got[2 * i + 1]);
		close(p[i][0]);
		close(p[i][1]);
	}
	fake_store_free(fs);
	free(ids);
	free(p);
}
END_TEST

START_TEST(owns_only_its_names)
{
	static const char *const ours[] = { "v0.0", "v3f.0", "v1.1", "va.ff", "v3.1a2b", "v0.ffffffff" };
	static const char *const foreign[] = {
		"state",  "t12",    "v",     "v1",     "v1.", "vz.1",	       "v40.1", "v41.0",
		"v100.1", "v1.2x",  "v1.2 ", "v1.2.3", "v.1", " v1.2",	       "v 1.2", "v+1.2",
		"v-1.2",  "v0x1.2", "v1.-2", "V1.2",   "",    "vffffffffff.1", "v1..2",
	};

	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		ck_assert_msg(fd_vault_owns_name(ours[i]), "\"%s\" refused", ours[i]);
	for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++)
		ck_assert_msg(!fd_vault_owns_name(foreign[i]), "\"%s\" taken as ours", foreign[i]);
}
END_TEST

START_TEST(bad_fd_is_refused_and_the_vault_goes_on)
{
	struct fake_store *fs = fake_store_new();
	struct fd_vault *v = vault_new(fs);
	struct logbook lb = { 0 };
	int p[2], closed, fd;

	fv_make_pipe(p);
	closed = fcntl(p[0], F_DUPFD_CLOEXEC, 900); /* far above what the vault opens */
	ck_assert_int_ge(closed, 900);
	close(closed);
	ck_assert_int_lt(fd_vault_put(v, 1, -1), 0);
	ck_assert_int_lt(fd_vault_put(v, 2, closed), 0);
	ck_assert_int_eq(fd_vault_put(v, 3, p[0]), 0);
	ck_assert_int_eq(fd_vault_settle(v), 0);
	v = fv_restart(v, fs, &lb);
	ck_assert_int_eq(fd_vault_take(v, 1), -1);
	ck_assert_int_eq(fd_vault_take(v, 2), -1);
	fd = fd_vault_take(v, 3);
	ck_assert(fv_is_file(fd, file_id_of(p[0])));
	close(fd);
	ck_assert_uint_eq(close_leftovers(v), 0);
	ck_assert_int_eq(fd_vault_commit(v), 0);
	fd_vault_free(v);
	fake_store_free(fs);
	close(p[0]);
	close(p[1]);
}
END_TEST

Suite *suite_fd_vault(void)
{
	Suite *s = suite_create("fd_vault");
	TCase *tc = tcase_create("fd_vault");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, round_trip_gives_back_each_file);
	tcase_add_test(tc, first_put_stores_its_bucket_at_once);
	tcase_add_test(tc, stats_count_keys_entries_and_rebuilds);
	tcase_add_test(tc, superseded_entry_is_neither_taken_nor_left_over);
	tcase_add_test(tc, urgent_drop_closes_the_file_at_settle);
	tcase_add_test(tc, lazy_drops_are_packed_away);
	tcase_add_test(tc, dead_entries_of_packed_queues_are_dropped);
	tcase_add_test(tc, full_queue_is_packed_not_refused);
	tcase_add_test(tc, many_files_cross_datagram_and_bucket_limits);
	tcase_add_test(tc, owns_only_its_names);
	tcase_add_test(tc, bad_fd_is_refused_and_the_vault_goes_on);
	suite_add_tcase(s, tc);
	return s;
}
