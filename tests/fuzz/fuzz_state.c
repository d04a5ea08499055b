/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target over the state store's adoption (daemon/state_store.h): a restarted daemon
 * reads a memfd an earlier process left, which may be torn, scribbled on or hostile. Any file
 * must be adopted or refused without a crash, a leak or undefined behaviour, and what is
 * adopted must be exactly what an independent reading of the file here finds: the records
 * whose CRC and contents check out, in file order, the first of two with one key. Then a drop,
 * an update and a put are made, and a second adoption of the same file must give exactly the
 * records the first store holds, with nothing bad left.
 *
 * The input: one mode byte, then the file.
 *   bit 0     reseal: the header's and every non-zero slot's CRC are recomputed before the
 *             file is written, so mutations reach the checks behind the CRC (lengths, flags,
 *             padding, duplicate keys, slot counts) instead of stopping at it
 *   bits 1-3  n: the callback refuses the n-th record (0: none); adoption must then fail
 *             with its error and leave the file unchanged
 *   bit 4     keep: no drop before the put, so a full store's put must fail with -ENOSPC
 *   bits 5-7  k: max_records is 64 - 8k, so that a store with more slots must be refused
 *
 * Build: ./configure --enable-fuzz CC=clang && make tests/fuzz/fuzz_state
 * Run:   tests/fuzz/fuzz_state -max_total_time=60 CORPUS_DIR tests/fuzz/corpus/state
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"
#include "state_store.h"

#define FUZZ_PAYLOAD_VERSION 1	/* what tests/fuzz/gen_state_seeds writes */
#define FUZZ_MAX_RECORDS     64 /* the most an input asks for; the seeds' "full" store holds that many */
#define MODE_RESEAL	     1u
#define MODE_KEEP	     0x10u

/* The file as state_store.h lays it out: 256-byte slots, the header first. */
#define SLOT	    256
#define HDR_CRC	    24
#define REC_FLAGS   4
#define REC_LEN	    6
#define REC_KEY	    8
#define REC_PAYLOAD 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t max_records; /* this input's, from its mode byte */

struct record {
	uint64_t key;
	size_t len;
	uint8_t payload[STATE_STORE_PAYLOAD_MAX];
};

/* A list of records: what the file holds, or what an adoption delivered. */
struct records {
	size_t n;
	size_t fail_at; /* the callback refuses this record (1-based; 0: none) */
	struct record r[FUZZ_MAX_RECORDS + 1];
};

static void die(const char *what)
{
	fprintf(stderr, "fuzz_state: %s\n", what);
	abort();
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static long find(const struct records *rs, uint64_t key)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->r[i].key == key)
			return (long)i;
	return -1;
}

static void add(struct records *rs, uint64_t key, const void *payload, size_t len)
{
	struct record *r;

	if (rs->n == FUZZ_MAX_RECORDS + 1 || len > STATE_STORE_PAYLOAD_MAX)
		die("more records than max_records, or a payload too long");
	r = &rs->r[rs->n++];
	r->key = key;
	r->len = len;
	memcpy(r->payload, payload, len);
}

static bool same_record(const struct record *a, const struct record *b)
{
	return a->key == b->key && a->len == b->len && !memcmp(a->payload, b->payload, a->len);
}

static int collect(uint64_t key, const void *payload, size_t len, void *arg)
{
	struct records *rs = arg;

	add(rs, key, payload, len);
	return rs->n == rs->fail_at ? -ECANCELED : 0;
}

/* The header's record slot count if it is one the store must accept, else -1. */
static long header_slots(const uint8_t *f, size_t size)
{
	uint32_t n;

	if (size < SLOT || memcmp(f, "L2TPKDST", 8) || le32(f + HDR_CRC) != crc32_ieee(f, HDR_CRC))
		return -1;
	if (le32(f + 8) != 1 || le32(f + 12) != FUZZ_PAYLOAD_VERSION || le32(f + 16) != SLOT)
		return -1;
	n = le32(f + 20);
	if (n > max_records || size / SLOT < (size_t)n + 1)
		return -1;
	return n;
}

/* What the store must deliver from a file with an accepted header, and how many slots are bad. */
static void expected_records(const uint8_t *f, uint32_t n_slots, struct records *want, size_t *bad)
{
	const uint8_t *slot;
	size_t len;

	*bad = 0;
	for (uint32_t i = 0; i < n_slots; i++) {
		slot = f + (size_t)(i + 1) * SLOT;
		if (all_zero(slot, SLOT))
			continue;
		len = slot[REC_LEN] | slot[REC_LEN + 1] << 8;
		if (le32(slot) != crc32_ieee(slot + REC_FLAGS, SLOT - REC_FLAGS) || slot[REC_FLAGS] != 1 ||
		    slot[REC_FLAGS + 1] || len > STATE_STORE_PAYLOAD_MAX ||
		    !all_zero(slot + REC_PAYLOAD + len, STATE_STORE_PAYLOAD_MAX - len) ||
		    find(want, le64(slot + REC_KEY)) >= 0)
			(*bad)++;
		else
			add(want, le64(slot + REC_KEY), slot + REC_PAYLOAD, len);
	}
}

/* Recomputes the header's CRC and every non-zero record slot's. */
static void reseal(uint8_t *f, size_t size)
{
	if (size >= SLOT)
		put_le32(f + HDR_CRC, crc32_ieee(f, HDR_CRC));
	for (size_t at = SLOT; at + SLOT <= size; at += SLOT)
		if (!all_zero(f + at, SLOT))
			put_le32(f + at, crc32_ieee(f + at + REC_FLAGS, SLOT - REC_FLAGS));
}

static void check_reason(const char *why)
{
	if (!*why || strchr(why, '\n'))
		die("a refusal without a one-line reason");
}

/* The file's contents now must be expect (size bytes). */
static void check_file(int fd, const uint8_t *expect, size_t size)
{
	uint8_t *now = malloc(size + 1);
	struct stat st;

	if (!now || fstat(fd, &st) < 0 || (size_t)st.st_size != size)
		die("the file changed size");
	if (pread(fd, now, size, 0) != (ssize_t)size || memcmp(now, expect, size))
		die("the file changed");
	free(now);
}

/* A drop (unless keep), an update and a put on the adopted store, mirrored in model. */
static void change(struct state_store *s, struct records *model, bool keep)
{
	static const uint8_t fill[STATE_STORE_PAYLOAD_MAX] = { 0x5a, 0xa5, 0x01 };
	uint64_t key = 0x1122334455667788ull ^ model->n;
	size_t len = model->n % (STATE_STORE_PAYLOAD_MAX + 1);
	long at;
	int r;

	if (model->n && !keep) {
		state_store_drop(s, model->r[0].key);
		model->r[0] = model->r[--model->n];
	}
	if (model->n) {
		if (state_store_put(s, model->r[0].key, fill, 3) < 0)
			die("an update failed");
		model->r[0].len = 3;
		memcpy(model->r[0].payload, fill, 3);
	}
	at = find(model, key);
	r = state_store_put(s, key, fill, len);
	if (at < 0 && model->n == max_records) {
		if (r != -ENOSPC)
			die("a put past max_records did not fail with -ENOSPC");
		return;
	}
	if (r < 0)
		die("a put failed");
	if (at < 0) {
		add(model, key, fill, len);
	} else {
		model->r[at].len = len;
		memcpy(model->r[at].payload, fill, len);
	}
}

/* Adopts the store's file again: exactly model's records, none bad. */
static void readopt(const struct state_store *s, const struct records *model, struct records *got)
{
	struct state_store *again;
	char why[256];
	size_t bad;
	int fd = dup(state_store_fd(s));

	if (fd < 0)
		die("dup");
	got->n = 0;
	got->fail_at = 0;
	if (state_store_adopt(&again, fd, FUZZ_PAYLOAD_VERSION, max_records, collect, got, &bad, why,
			      sizeof(why)) < 0) {
		fprintf(stderr, "fuzz_state: %s\n", why);
		die("the store's own file was refused");
	}
	if (bad || got->n != model->n || state_store_count(again) != model->n)
		die("a second adoption found other records, or bad ones");
	for (size_t i = 0; i < got->n; i++) {
		long at = find(model, got->r[i].key);

		if (at < 0 || !same_record(&got->r[i], &model->r[at]))
			die("a second adoption gave a record the store does not hold");
	}
	state_store_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct records want, got, again;
	struct state_store *s;
	uint8_t *file, mode;
	size_t bad, want_bad = 0;
	long n_slots;
	char why[256];
	int fd, r;

	if (size < 1)
		return 0;
	mode = data[0];
	max_records = FUZZ_MAX_RECORDS - 8 * (mode >> 5);
	size--;
	file = malloc(size + 1);
	if (!file)
		die("out of memory");
	memcpy(file, data + 1, size);
	if (mode & MODE_RESEAL)
		reseal(file, size);
	fd = memfd_create("fuzz_state", MFD_CLOEXEC);
	if (fd < 0 || (size && pwrite(fd, file, size, 0) != (ssize_t)size))
		die("writing the memfd");

	want.n = 0;
	n_slots = header_slots(file, size);
	if (n_slots >= 0)
		expected_records(file, (uint32_t)n_slots, &want, &want_bad);
	got.n = 0;
	got.fail_at = mode >> 1 & 7;
	r = state_store_adopt(&s, fd, FUZZ_PAYLOAD_VERSION, max_records, collect, &got, &bad, why,
			      sizeof(why));

	if (n_slots < 0) {
		if (r != -EPROTO || s)
			die("a bad header was not refused with -EPROTO");
	} else if (got.fail_at && got.fail_at <= want.n) {
		if (r != -ECANCELED || s || got.n != got.fail_at)
			die("the callback's refusal did not stop adoption");
	} else if (r < 0) {
		fprintf(stderr, "fuzz_state: %s\n", why);
		die("a good header was refused");
	}
	/* Whatever was delivered is what the file holds, in file order. */
	if (got.n > want.n)
		die("more records delivered than the file holds");
	for (size_t i = 0; i < got.n; i++)
		if (!same_record(&got.r[i], &want.r[i]))
			die("a record delivered that the file does not hold");
	if (r < 0) {
		check_reason(why);
		check_file(fd, file, size); /* not written, and the fd not taken: still ours */
		close(fd);
		free(file);
		return 0;
	}
	if (got.n != want.n || bad != want_bad || state_store_count(s) != want.n)
		die("adoption missed a record or miscounted bad slots");
	if (lseek(fd, 0, SEEK_END) != (off_t)(n_slots + 1) * SLOT)
		die("bytes past the last slot were not cut");
	change(s, &want, mode & MODE_KEEP);
	if (state_store_count(s) != want.n)
		die("the count is not the records held");
	readopt(s, &want, &again);
	state_store_free(s);
	free(file);
	return 0;
}
