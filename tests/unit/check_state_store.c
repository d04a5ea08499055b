/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state store (daemon/state_store.h) and its CRC (daemon/crc32.h). Stores are written
 * through the API and read back by adoption of a dup of their memfd, as a restarted daemon
 * would; damage is done to the file with pwrite() at the offsets state_store.h documents, so
 * these tests also pin the file format down.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"
#include "state_store.h"
#include "suites.h"
#include "test_random.h"

#define SLOT	    256 /* the file's slot size */
#define REC_FLAGS   4	/* offsets in a record slot, as state_store.h lays it out */
#define REC_LEN	    6
#define REC_KEY	    8
#define REC_PAYLOAD 16
#define PV	    7 /* the payload version the tests write with */
#define MAX_SEEN    4096

/* What an adoption delivered, in order; fail_at (1-based) makes that record's callback fail. */
struct seen {
	size_t n;
	size_t fail_at;
	uint64_t key[MAX_SEEN];
	size_t len[MAX_SEEN];
	uint8_t payload[MAX_SEEN][STATE_STORE_PAYLOAD_MAX];
};

static int collect(uint64_t key, const void *payload, size_t len, void *arg)
{
	struct seen *s = arg;

	if (s->n >= MAX_SEEN || len > STATE_STORE_PAYLOAD_MAX)
		ck_abort_msg("record %zu of len %zu delivered", s->n, len);
	s->key[s->n] = key;
	s->len[s->n] = len;
	memcpy(s->payload[s->n], payload, len);
	s->n++;
	return s->n == s->fail_at ? -ECANCELED : 0;
}

static struct seen *seen_new(void)
{
	struct seen *s = calloc(1, sizeof(*s));

	ck_assert_ptr_nonnull(s);
	return s;
}

/* The index of key in what was delivered; -1 if it was not; aborts if delivered twice. */
static long seen_find(const struct seen *s, uint64_t key)
{
	long at = -1;

	for (size_t i = 0; i < s->n; i++) {
		if (s->key[i] != key)
			continue;
		if (at >= 0)
			ck_abort_msg("key %#llx delivered twice", (unsigned long long)key);
		at = (long)i;
	}
	return at;
}

/* A payload that differs by key and by generation, of a length from 0 to the maximum. */
static size_t payload_of(uint64_t key, unsigned gen, uint8_t *out)
{
	size_t len = (size_t)((key + gen) % (STATE_STORE_PAYLOAD_MAX + 1));

	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(key >> (i % 8 * 8) ^ i * 31 ^ gen * 7);
	return len;
}

static void put_gen(struct state_store *s, uint64_t key, unsigned gen)
{
	uint8_t p[STATE_STORE_PAYLOAD_MAX];

	ck_assert_int_eq(state_store_put(s, key, p, payload_of(key, gen, p)), 0);
}

/* Checks that the record delivered for key is generation gen's payload. */
static void expect_record(const struct seen *s, uint64_t key, unsigned gen)
{
	uint8_t p[STATE_STORE_PAYLOAD_MAX];
	size_t len = payload_of(key, gen, p);
	long at = seen_find(s, key);

	if (at < 0)
		ck_abort_msg("key %#llx not delivered", (unsigned long long)key);
	if (s->len[at] != len || memcmp(s->payload[at], p, len))
		ck_abort_msg("key %#llx: wrong payload (len %zu, want %zu)", (unsigned long long)key,
			     s->len[at], len);
}

/* Adopts a dup of fd into *out: the result, with what was delivered in seen and bad slots. */
static int adopt_dup(int fd, struct state_store **out, struct seen *seen, size_t *bad, char *why,
		     size_t why_len)
{
	int copy = dup(fd), r;

	ck_assert_int_ge(copy, 0);
	r = state_store_adopt(out, copy, PV, MAX_SEEN, collect, seen, bad, why, why_len);
	if (r < 0) {
		ck_assert_ptr_null(*out);
		ck_assert_int_eq(fcntl(copy, F_GETFD), 0); /* not taken, still open; dup clears CLOEXEC */
		close(copy);
	}
	return r;
}

static off_t file_size(int fd)
{
	struct stat st;

	ck_assert_int_eq(fstat(fd, &st), 0);
	return st.st_size;
}

static void read_slot(int fd, size_t file_slot, uint8_t *slot)
{
	ck_assert_int_eq(pread(fd, slot, SLOT, (off_t)(file_slot * SLOT)), SLOT);
}

static void write_slot(int fd, size_t file_slot, const uint8_t *slot)
{
	ck_assert_int_eq(pwrite(fd, slot, SLOT, (off_t)(file_slot * SLOT)), SLOT);
}

/* The file slot holding key's record (its key field and flags set); aborts if there is none. */
static size_t slot_of(int fd, uint64_t key)
{
	size_t n = (size_t)file_size(fd) / SLOT;
	uint8_t slot[SLOT];
	uint64_t k;

	for (size_t i = 1; i < n; i++) {
		read_slot(fd, i, slot);
		k = 0;
		for (int b = 7; b >= 0; b--)
			k = k << 8 | slot[REC_KEY + b];
		if (k == key && slot[REC_FLAGS])
			return i;
	}
	ck_abort_msg("key %#llx has no slot", (unsigned long long)key);
	return 0;
}

/* Re-seals a record slot's CRC after a test changed it on purpose. */
static void seal(uint8_t *slot)
{
	uint32_t crc = crc32_ieee(slot + 4, SLOT - 4);

	for (int i = 0; i < 4; i++)
		slot[i] = (uint8_t)(crc >> 8 * i);
}

static bool slot_is_zero(int fd, size_t file_slot)
{
	uint8_t slot[SLOT];

	read_slot(fd, file_slot, slot);
	for (size_t i = 0; i < SLOT; i++)
		if (slot[i])
			return false;
	return true;
}

/* The CRC bit by bit, straight from the definition: the table must agree with it. */
static uint32_t crc_bitwise(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	while (n--) {
		crc ^= *p++;
		for (int b = 0; b < 8; b++)
			crc = crc >> 1 ^ (crc & 1 ? 0xedb88320u : 0);
	}
	return ~crc;
}

START_TEST(crc32_check_value)
{
	struct test_random r;
	uint8_t buf[300];

	ck_assert_uint_eq(crc32_ieee("123456789", 9), 0xcbf43926u);
	ck_assert_uint_eq(crc32_ieee("", 0), 0);
	ck_assert_uint_eq(crc32_ieee("a", 1), 0xe8b7be43u);
	test_random_init(&r, 3);
	for (size_t n = 0; n <= sizeof(buf); n++) {
		test_random_fill(&r, buf, n);
		if (crc32_ieee(buf, n) != crc_bitwise(buf, n))
			ck_abort_msg("crc32 of %zu random bytes differs from the bitwise CRC", n);
	}
}
END_TEST

START_TEST(new_store_is_a_named_cloexec_memfd)
{
	struct state_store *s;
	char path[64], target[128];
	ssize_t n;

	ck_assert_int_eq(state_store_new(&s, PV, 0), -EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(state_store_new(&s, PV, 10), 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", state_store_fd(s));
	n = readlink(path, target, sizeof(target) - 1);
	ck_assert_int_gt(n, 0);
	target[n] = '\0';
	ck_assert_msg(strstr(target, "memfd:l2tpkd-state"), "fd is %s", target);
	ck_assert_int_eq(fcntl(state_store_fd(s), F_GETFD), FD_CLOEXEC);
	ck_assert_uint_eq(state_store_count(s), 0);
	ck_assert_int_eq(file_size(state_store_fd(s)), SLOT); /* the header only */
	state_store_free(s);
	state_store_free(NULL);
}
END_TEST

START_TEST(put_drop_reput_round_trip)
{
	struct state_store *s, *a;
	struct seen *seen = seen_new();
	size_t bad = 99;

	ck_assert_int_eq(state_store_new(&s, PV, 1000), 0);
	for (uint64_t k = 1; k <= 10; k++)
		put_gen(s, k, 0);
	ck_assert_uint_eq(state_store_count(s), 10);
	state_store_drop(s, 3);
	state_store_drop(s, 3);
	state_store_drop(s, 999);
	ck_assert_uint_eq(state_store_count(s), 9);
	put_gen(s, 3, 1); /* back, with a new payload */
	put_gen(s, 5, 2); /* updated in place */
	ck_assert_uint_eq(state_store_count(s), 10);

	ck_assert_int_eq(adopt_dup(state_store_fd(s), &a, seen, &bad, NULL, 0), 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(seen->n, 10);
	ck_assert_uint_eq(state_store_count(a), 10);
	for (uint64_t k = 1; k <= 10; k++)
		expect_record(seen, k, k == 3 ? 1 : k == 5 ? 2 : 0);
	state_store_free(a);
	state_store_free(s);
	free(seen);
}
END_TEST

/* Thousands of random keys with drops, re-puts and updates: adoption gives exactly the live ones. */
START_TEST(adopt_gives_exactly_the_live_records)
{
	enum { N = 3000 };
	uint64_t *key = calloc(N, sizeof(*key));
	unsigned *gen = calloc(N, sizeof(*gen));
	bool *live = calloc(N, sizeof(*live));
	struct seen *seen = seen_new();
	struct state_store *s, *a;
	struct test_random r;
	size_t bad, j, n_live = 0;

	ck_assert(key && gen && live);
	test_random_init(&r, 11);
	ck_assert_int_eq(state_store_new(&s, PV, N), 0);
	for (size_t i = 0; i < N; i++) {
		key[i] = test_random_u64(&r);
		put_gen(s, key[i], gen[i]);
		live[i] = true;
		/* Now and then drop, re-put or update an earlier key. */
		j = (size_t)(test_random_u64(&r) % (i + 1));
		if (test_random_chance(&r, 0.4) && live[j]) {
			state_store_drop(s, key[j]);
			live[j] = false;
		} else if (test_random_chance(&r, 0.3)) {
			put_gen(s, key[j], ++gen[j]);
			live[j] = true;
		}
	}
	for (size_t i = 0; i < N; i++)
		n_live += live[i];
	ck_assert_uint_eq(state_store_count(s), n_live);

	ck_assert_int_eq(adopt_dup(state_store_fd(s), &a, seen, &bad, NULL, 0), 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(seen->n, n_live);
	ck_assert_uint_eq(state_store_count(a), n_live);
	for (size_t i = 0; i < N; i++) {
		if (live[i])
			expect_record(seen, key[i], gen[i]);
		else if (seen_find(seen, key[i]) >= 0)
			ck_abort_msg("dropped key %#llx delivered", (unsigned long long)key[i]);
	}
	state_store_free(a);
	state_store_free(s);
	free(seen);
	free(key);
	free(gen);
	free(live);
}
END_TEST

START_TEST(freed_slots_are_reused_before_the_file_grows)
{
	struct state_store *s;
	int fd;

	ck_assert_int_eq(state_store_new(&s, PV, 1000), 0);
	fd = state_store_fd(s);
	for (uint64_t k = 0; k < 64; k++)
		put_gen(s, k, 0);
	ck_assert_int_eq(file_size(fd), 65 * SLOT); /* the first growth: 64 slots */
	for (uint64_t k = 0; k < 10; k++)
		state_store_drop(s, k * 5);
	for (uint64_t k = 100; k < 110; k++)
		put_gen(s, k, 0);
	ck_assert_uint_eq(state_store_count(s), 64);
	ck_assert_int_eq(file_size(fd), 65 * SLOT);
	put_gen(s, 200, 0);
	ck_assert_int_eq(file_size(fd), 129 * SLOT); /* doubled */
	state_store_free(s);
}
END_TEST

START_TEST(put_after_adopt_updates_in_place)
{
	struct seen *seen = seen_new();
	struct state_store *s, *a, *b;
	size_t bad, hole;
	off_t size;
	int fd;

	ck_assert_int_eq(state_store_new(&s, PV, 1000), 0);
	fd = state_store_fd(s);
	for (uint64_t k = 1; k <= 100; k++)
		put_gen(s, k, 0);
	hole = slot_of(fd, 50);
	state_store_drop(s, 50);
	ck_assert(slot_is_zero(fd, hole)); /* a dropped record is gone from the file at once */
	size = file_size(fd);

	ck_assert_int_eq(adopt_dup(fd, &a, seen, &bad, NULL, 0), 0);
	state_store_free(s); /* the old process is gone; a holds the file */
	fd = state_store_fd(a);
	for (uint64_t k = 1; k <= 100; k += 3)
		if (k != 50)
			put_gen(a, k, 1);
	ck_assert_uint_eq(state_store_count(a), 99);
	ck_assert_int_eq(file_size(fd), size);
	put_gen(a, 1000, 0); /* takes the hole */
	ck_assert_uint_eq(slot_of(fd, 1000), hole);
	state_store_drop(a, 7);
	ck_assert_uint_eq(state_store_count(a), 99);
	ck_assert_int_eq(file_size(fd), size);

	seen->n = 0;
	ck_assert_int_eq(adopt_dup(fd, &b, seen, &bad, NULL, 0), 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(seen->n, 99);
	for (uint64_t k = 1; k <= 100; k++) {
		if (k == 50 || k == 7)
			ck_assert_int_lt(seen_find(seen, k), 0);
		else
			expect_record(seen, k, k % 3 == 1 ? 1 : 0);
	}
	expect_record(seen, 1000, 0);
	state_store_free(b);
	state_store_free(a);
	free(seen);
}
END_TEST

/* A store of ten records with payload version PV, for the damage tests. */
static struct state_store *ten_records(void)
{
	struct state_store *s;

	ck_assert_int_eq(state_store_new(&s, PV, 1000), 0);
	for (uint64_t k = 1; k <= 10; k++)
		put_gen(s, k, 0);
	return s;
}

/*
 * Adoption of a dup of fd, with the fail_at'th record refused by the callback (0: none), must
 * fail with err and a one-line reason containing what, leaving the file as it was.
 */
static void expect_refusal(int fd, size_t fail_at, int err, const char *what)
{
	off_t size = file_size(fd);
	uint8_t *before = malloc((size_t)size + 1), *after = malloc((size_t)size + 1);
	struct seen *seen = seen_new();
	struct state_store *a;
	char why[128];

	ck_assert(before && after);
	ck_assert_int_eq(pread(fd, before, (size_t)size, 0), size);
	seen->fail_at = fail_at;
	ck_assert_int_eq(adopt_dup(fd, &a, seen, NULL, why, sizeof(why)), err);
	ck_assert_msg(strstr(why, what), "reason \"%s\" lacks \"%s\"", why, what);
	ck_assert_ptr_null(strchr(why, '\n'));
	ck_assert_uint_eq(seen->n, fail_at);
	ck_assert_int_eq(file_size(fd), size);
	ck_assert_int_eq(pread(fd, after, (size_t)size, 0), size);
	ck_assert_mem_eq(before, after, (size_t)size);
	free(before);
	free(after);
	free(seen);
}

START_TEST(bad_headers_are_refused_with_a_reason)
{
	struct state_store *s = ten_records(), *a;
	struct seen *seen = seen_new();
	int fd = state_store_fd(s), other;
	uint8_t header[SLOT], copy[SLOT];
	char why[128];

	read_slot(fd, 0, header);
	memcpy(copy, header, SLOT);
	copy[0] ^= 0x20; /* "l2TPKDST" */
	write_slot(fd, 0, copy);
	expect_refusal(fd, 0, -EPROTO, "magic");
	memcpy(copy, header, SLOT);
	copy[20] ^= 1; /* the slot count, under the header's CRC */
	write_slot(fd, 0, copy);
	expect_refusal(fd, 0, -EPROTO, "CRC");
	write_slot(fd, 0, header);

	other = dup(fd);
	ck_assert_int_eq(state_store_adopt(&a, other, PV + 1, 1000, NULL, NULL, NULL, why, sizeof(why)),
			 -EPROTO);
	ck_assert_msg(strstr(why, "payload version 7, expected 8"), "reason: %s", why);
	close(other);
	/* The header restored, the same file is adopted: the refusals were the damage's doing. */
	ck_assert_int_eq(adopt_dup(fd, &a, seen, NULL, NULL, 0), 0);
	ck_assert_uint_eq(seen->n, 10);
	state_store_free(a);
	state_store_free(s);
	free(seen);

	/* More slots than max_records. */
	s = ten_records();
	fd = state_store_fd(s);
	ck_assert_int_eq(state_store_adopt(&a, fd, PV, 63, NULL, NULL, NULL, why, sizeof(why)), -EPROTO);
	ck_assert_msg(strstr(why, "max_records"), "reason: %s", why);
	/* The header counts 64 slots; the file lost its last one. */
	ck_assert_int_eq(ftruncate(fd, 64 * SLOT), 0);
	expect_refusal(fd, 0, -EPROTO, "shorter");
	/* Truncated inside the header. */
	ck_assert_int_eq(ftruncate(fd, 100), 0);
	expect_refusal(fd, 0, -EPROTO, "shorter than the 256-byte header");
	ck_assert_int_eq(ftruncate(fd, 0), 0);
	expect_refusal(fd, 0, -EPROTO, "header");
	state_store_free(s);
}
END_TEST

START_TEST(bad_fds_are_refused)
{
	struct state_store *s = ten_records(), *a;
	char path[64], why[128];
	int sk[2], ro;

	ck_assert_int_eq(state_store_adopt(&a, -1, PV, 1000, NULL, NULL, NULL, why, sizeof(why)), -EINVAL);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(state_store_adopt(&a, state_store_fd(s), PV, 0, NULL, NULL, NULL, NULL, 0), -EINVAL);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", state_store_fd(s));
	ro = open(path, O_RDONLY);
	ck_assert_int_ge(ro, 0);
	ck_assert_int_eq(state_store_adopt(&a, ro, PV, 1000, NULL, NULL, NULL, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, "reading and writing"), "reason: %s", why);
	close(ro);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sk), 0);
	ck_assert_int_eq(state_store_adopt(&a, sk[0], PV, 1000, NULL, NULL, NULL, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, "not a regular file"), "reason: %s", why);
	ck_assert_int_eq(state_store_adopt(&a, sk[0], PV, 1000, NULL, NULL, NULL, why, 1), -EINVAL);
	ck_assert_str_eq(why, ""); /* a one-byte buffer holds only the terminator */
	close(sk[0]);
	close(sk[1]);
	state_store_free(s);
}
END_TEST

/* A byte changed anywhere in one record's slot: that record is dropped, the others stay. */
START_TEST(damaged_record_is_skipped_and_zeroed)
{
	static const size_t where[] = { 0, 3, REC_FLAGS, REC_LEN, REC_KEY, REC_PAYLOAD, SLOT - 1 };
	struct seen *seen = seen_new();
	struct state_store *s, *a;
	uint8_t slot[SLOT];
	size_t bad, at;

	for (size_t w = 0; w < sizeof(where) / sizeof(where[0]); w++) {
		s = ten_records();
		at = slot_of(state_store_fd(s), 4);
		read_slot(state_store_fd(s), at, slot);
		slot[where[w]] ^= 0x10;
		write_slot(state_store_fd(s), at, slot);

		seen->n = 0;
		ck_assert_int_eq(adopt_dup(state_store_fd(s), &a, seen, &bad, NULL, 0), 0);
		ck_assert_msg(bad == 1, "byte %zu: %zu bad", where[w], bad);
		ck_assert_uint_eq(seen->n, 9);
		ck_assert_uint_eq(state_store_count(a), 9);
		ck_assert_int_lt(seen_find(seen, 4), 0);
		for (uint64_t k = 1; k <= 10; k++)
			if (k != 4)
				expect_record(seen, k, 0);
		ck_assert(slot_is_zero(state_store_fd(a), at));
		state_store_free(a);

		seen->n = 0;
		ck_assert_int_eq(adopt_dup(state_store_fd(s), &a, seen, &bad, NULL, 0), 0);
		ck_assert_uint_eq(bad, 0); /* zeroed: a free slot now */
		ck_assert_uint_eq(seen->n, 9);
		state_store_free(a);
		state_store_free(s);
	}
	free(seen);
}
END_TEST

/* Slots whose CRC is right but whose contents no writer makes. */
START_TEST(impossible_records_with_good_crc_are_bad)
{
	struct seen *seen = seen_new();
	struct state_store *s, *a;
	uint8_t slot[SLOT], good[SLOT];
	size_t bad, at;

	for (int kind = 0; kind < 4; kind++) {
		s = ten_records();
		at = slot_of(state_store_fd(s), 6);
		read_slot(state_store_fd(s), at, good);
		memcpy(slot, good, SLOT);
		switch (kind) {
		case 0: /* a length past the payload area */
			slot[REC_LEN] = STATE_STORE_PAYLOAD_MAX + 1;
			slot[REC_LEN + 1] = 0;
			break;
		case 1: /* a length of 65535 */
			slot[REC_LEN] = slot[REC_LEN + 1] = 0xff;
			break;
		case 2: /* flags other than "a record" */
			slot[REC_FLAGS] = 2;
			break;
		case 3: /* a byte after the payload */
			slot[SLOT - 1] = 1;
			break;
		}
		seal(slot);
		write_slot(state_store_fd(s), at, slot);
		seen->n = 0;
		ck_assert_int_eq(adopt_dup(state_store_fd(s), &a, seen, &bad, NULL, 0), 0);
		ck_assert_msg(bad == 1, "kind %d: %zu bad", kind, bad);
		ck_assert_uint_eq(seen->n, 9);
		ck_assert_int_lt(seen_find(seen, 6), 0);
		state_store_free(a);
		state_store_free(s);
	}
	/* The sealing itself is right: the untouched slot, resealed, is still a record. */
	s = ten_records();
	seal(good);
	write_slot(state_store_fd(s), at, good);
	seen->n = 0;
	ck_assert_int_eq(adopt_dup(state_store_fd(s), &a, seen, &bad, NULL, 0), 0);
	ck_assert_uint_eq(bad, 0);
	expect_record(seen, 6, 0);
	state_store_free(a);
	state_store_free(s);
	free(seen);
}
END_TEST

START_TEST(duplicate_key_keeps_the_first_slot)
{
	struct seen *seen = seen_new();
	struct state_store *s, *a, *b;
	uint8_t slot[SLOT], p[STATE_STORE_PAYLOAD_MAX];
	size_t bad, first, dup_at;
	int fd;

	s = ten_records();
	fd = state_store_fd(s);
	first = slot_of(fd, 2);
	/* Key 2 again in a higher, free slot, with another payload and a good CRC. */
	dup_at = 40;
	ck_assert(slot_is_zero(fd, dup_at));
	read_slot(fd, first, slot);
	slot[REC_PAYLOAD] ^= 0xff;
	if (slot[REC_LEN] == 0 && slot[REC_LEN + 1] == 0)
		ck_abort_msg("key 2's payload is empty: pick a key with a payload");
	seal(slot);
	write_slot(fd, dup_at, slot);

	ck_assert_int_eq(adopt_dup(fd, &a, seen, &bad, NULL, 0), 0);
	ck_assert_uint_eq(bad, 1);
	ck_assert_uint_eq(seen->n, 10);
	expect_record(seen, 2, 0);
	ck_assert(slot_is_zero(fd, dup_at));
	/* The put goes to the first slot, the one adopted. */
	ck_assert_int_eq(state_store_put(a, 2, p, payload_of(2, 5, p)), 0);
	ck_assert_uint_eq(slot_of(fd, 2), first);
	ck_assert(slot_is_zero(fd, dup_at));
	seen->n = 0;
	ck_assert_int_eq(adopt_dup(fd, &b, seen, &bad, NULL, 0), 0);
	ck_assert_uint_eq(bad, 0);
	expect_record(seen, 2, 5);
	state_store_free(b);
	state_store_free(a);
	state_store_free(s);
	free(seen);
}
END_TEST

/* A record past the slots the header counts is never adopted, nor revived by a growth. */
START_TEST(bytes_past_the_last_slot_are_cut)
{
	struct seen *seen = seen_new();
	struct state_store *s, *a, *b;
	uint8_t slot[SLOT];
	size_t bad;
	int fd;

	ck_assert_int_eq(state_store_new(&s, PV, 1000), 0);
	fd = state_store_fd(s);
	for (uint64_t k = 1; k <= 64; k++)
		put_gen(s, k, 0);
	read_slot(fd, slot_of(fd, 9), slot);
	slot[REC_KEY] = 99; /* a whole record for key 99, one slot past the end */
	seal(slot);
	write_slot(fd, 65, slot);

	ck_assert_int_eq(adopt_dup(fd, &a, seen, &bad, NULL, 0), 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(seen->n, 64);
	ck_assert_int_lt(seen_find(seen, 99), 0);
	ck_assert_int_eq(file_size(fd), 65 * SLOT);
	put_gen(a, 1000, 0); /* grows over where key 99 was */
	ck_assert_int_eq(file_size(fd), 129 * SLOT);
	seen->n = 0;
	ck_assert_int_eq(adopt_dup(fd, &b, seen, &bad, NULL, 0), 0);
	ck_assert_uint_eq(seen->n, 65);
	ck_assert_int_lt(seen_find(seen, 99), 0);
	state_store_free(b);
	state_store_free(a);
	state_store_free(s);
	free(seen);
}
END_TEST

START_TEST(caller_refusal_stops_adoption_without_writes)
{
	struct seen *seen = seen_new();
	struct state_store *s, *a;
	uint8_t slot[SLOT];
	size_t bad;

	s = ten_records();
	read_slot(state_store_fd(s), 1, slot);
	slot[REC_PAYLOAD + 1] ^= 1; /* a bad slot, not to be zeroed by a failed adoption */
	write_slot(state_store_fd(s), 1, slot);
	/* Stops at the third record, with the bad slot before it left as it was. */
	expect_refusal(state_store_fd(s), 3, -ECANCELED, "refused by the caller");
	ck_assert(!slot_is_zero(state_store_fd(s), 1));
	/* Refused at the last record too: nothing written. */
	expect_refusal(state_store_fd(s), 9, -ECANCELED, "refused by the caller");
	/* Accepted: the bad slot is zeroed now. */
	ck_assert_int_eq(adopt_dup(state_store_fd(s), &a, seen, &bad, NULL, 0), 0);
	ck_assert_uint_eq(bad, 1);
	ck_assert_uint_eq(seen->n, 9);
	ck_assert(slot_is_zero(state_store_fd(s), 1));
	state_store_free(a);
	state_store_free(s);
	free(seen);
}
END_TEST

START_TEST(max_records_and_payload_size)
{
	uint8_t p[STATE_STORE_PAYLOAD_MAX + 1] = { 0 };
	struct seen *seen = seen_new();
	struct state_store *s, *a;
	size_t bad;

	ck_assert_int_eq(state_store_new(&s, PV, 5), 0);
	for (uint64_t k = 1; k <= 5; k++)
		put_gen(s, k, 0);
	ck_assert_int_eq(state_store_put(s, 6, p, 1), -ENOSPC);
	ck_assert_int_eq(file_size(state_store_fd(s)), 6 * SLOT); /* growth stopped at 5 slots */
	put_gen(s, 5, 1);					  /* an update needs no slot */
	state_store_drop(s, 1);
	ck_assert_int_eq(state_store_put(s, 6, p, STATE_STORE_PAYLOAD_MAX + 1), -EMSGSIZE);
	ck_assert_int_eq(state_store_put(s, 6, NULL, 0), 0); /* an empty record is a record */
	ck_assert_int_eq(state_store_put(s, 7, p, 0), -ENOSPC);
	memset(p, 0xa5, sizeof(p));
	ck_assert_int_eq(state_store_put(s, 2, p, STATE_STORE_PAYLOAD_MAX), 0);
	ck_assert_int_eq(state_store_put(s, 3, p, STATE_STORE_PAYLOAD_MAX + 1), -EMSGSIZE);
	ck_assert_uint_eq(state_store_count(s), 5);

	ck_assert_int_eq(adopt_dup(state_store_fd(s), &a, seen, &bad, NULL, 0), 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_uint_eq(seen->n, 5);
	ck_assert_uint_eq(seen->len[seen_find(seen, 6)], 0);
	ck_assert_uint_eq(seen->len[seen_find(seen, 2)], STATE_STORE_PAYLOAD_MAX);
	ck_assert_mem_eq(seen->payload[seen_find(seen, 2)], p, STATE_STORE_PAYLOAD_MAX);
	expect_record(seen, 3, 0);
	expect_record(seen, 5, 1);
	state_store_free(a);
	state_store_free(s);

	/* Growth is capped by max_records, not only by doubling. */
	ck_assert_int_eq(state_store_new(&s, PV, 100), 0);
	for (uint64_t k = 0; k < 100; k++)
		put_gen(s, k, 0);
	ck_assert_int_eq(file_size(state_store_fd(s)), 101 * SLOT);
	ck_assert_int_eq(state_store_put(s, 100, p, 1), -ENOSPC);
	state_store_free(s);
	free(seen);
}
END_TEST

Suite *suite_state_store(void)
{
	Suite *s = suite_create("state_store");
	TCase *tc = tcase_create("state_store");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, crc32_check_value);
	tcase_add_test(tc, new_store_is_a_named_cloexec_memfd);
	tcase_add_test(tc, put_drop_reput_round_trip);
	tcase_add_test(tc, adopt_gives_exactly_the_live_records);
	tcase_add_test(tc, freed_slots_are_reused_before_the_file_grows);
	tcase_add_test(tc, put_after_adopt_updates_in_place);
	tcase_add_test(tc, bad_headers_are_refused_with_a_reason);
	tcase_add_test(tc, bad_fds_are_refused);
	tcase_add_test(tc, damaged_record_is_skipped_and_zeroed);
	tcase_add_test(tc, impossible_records_with_good_crc_are_bad);
	tcase_add_test(tc, duplicate_key_keeps_the_first_slot);
	tcase_add_test(tc, bytes_past_the_last_slot_are_cut);
	tcase_add_test(tc, caller_refusal_stops_adoption_without_writes);
	tcase_add_test(tc, max_records_and_payload_size);
	suite_add_tcase(s, tc);
	return s;
}
