/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the seed corpus of tests/fuzz/fuzz_state (tests/fuzz/corpus/state): state store files
 * written through the store's own API (daemon/state_store.h), so the seeds stay valid as long
 * as the format does, each after fuzz_state's mode byte. Empty, with holes, full, small, and a
 * few refused or damaged on purpose: a flipped byte, a duplicate key, another payload
 * version, more slots than max_records, a callback that refuses a record.
 *
 * usage: gen_state_seeds OUT_DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state_store.h"

#define PAYLOAD_VERSION 1 /* fuzz_state's */
#define SLOT		256
#define REC_PAYLOAD	16
#define MODE_RESEAL	0x01
#define MODE_REFUSE_2	0x04 /* the callback refuses the second record */
#define MODE_KEEP	0x10
#define MODE_MAX_8	0xe0 /* max_records 8 */

/* A file under construction: the mode byte, then the store's bytes. */
struct seed {
	size_t len;
	uint8_t buf[1 + 65 * SLOT];
};

static const char *out_dir;

static int write_seed(const char *name, const struct seed *sd)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(sd->buf, 1, sd->len, f) != sd->len || fclose(f) != 0) {
		fprintf(stderr, "gen_state_seeds: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Puts key with a payload of len bytes that depend on the key. */
static void put(struct state_store *s, uint64_t key, size_t len)
{
	uint8_t p[STATE_STORE_PAYLOAD_MAX];

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(key * 13 + i);
	if (state_store_put(s, key, p, len) < 0) {
		fprintf(stderr, "gen_state_seeds: put %llu failed\n", (unsigned long long)key);
		exit(1);
	}
}

/* The store's file after the mode byte; frees the store. */
static void take(struct seed *sd, uint8_t mode, struct state_store *s)
{
	struct stat st;

	if (fstat(state_store_fd(s), &st) < 0 || (size_t)st.st_size > sizeof(sd->buf) - 1 ||
	    pread(state_store_fd(s), sd->buf + 1, (size_t)st.st_size, 0) != st.st_size) {
		fprintf(stderr, "gen_state_seeds: reading the store failed\n");
		exit(1);
	}
	sd->buf[0] = mode;
	sd->len = 1 + (size_t)st.st_size;
	state_store_free(s);
}

static struct state_store *store(uint32_t payload_version, uint32_t max_records)
{
	struct state_store *s;

	if (state_store_new(&s, payload_version, max_records) < 0) {
		fprintf(stderr, "gen_state_seeds: state_store_new failed\n");
		exit(1);
	}
	return s;
}

/* Ten records of lengths 0 to the maximum in 16 slots, with holes where two were dropped. */
static void ten(struct seed *sd, uint8_t mode)
{
	struct state_store *s = store(PAYLOAD_VERSION, 16);

	for (uint64_t k = 1; k <= 12; k++)
		put(s, k * 0x0101010101ull, k == 1 ? 0 : k == 2 ? STATE_STORE_PAYLOAD_MAX : k * 9);
	state_store_drop(s, 3 * 0x0101010101ull);
	state_store_drop(s, 8 * 0x0101010101ull);
	put(s, 5 * 0x0101010101ull, 17);
	take(sd, mode, s);
}

int main(int argc, char **argv)
{
	static struct seed sd;
	struct state_store *s;
	int failed = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_state_seeds OUT_DIR\n");
		return 2;
	}
	out_dir = argv[1];

	take(&sd, 0, store(PAYLOAD_VERSION, 64));
	failed |= write_seed("empty", &sd);
	ten(&sd, 0);
	failed |= write_seed("ten", &sd);
	ten(&sd, MODE_REFUSE_2);
	failed |= write_seed("ten-refused", &sd);
	ten(&sd, MODE_MAX_8); /* 16 slots: refused */
	failed |= write_seed("ten-max8", &sd);
	/* A byte of the fourth slot's payload flipped: one bad record. */
	ten(&sd, 0);
	sd.buf[1 + 4 * SLOT + REC_PAYLOAD] ^= 0x40;
	failed |= write_seed("ten-corrupt", &sd);
	/* Key 2's record again further on, one payload byte changed; the fuzzer reseals its CRC. */
	ten(&sd, MODE_RESEAL);
	memcpy(sd.buf + 1 + 14 * SLOT, sd.buf + 1 + 2 * SLOT, SLOT);
	sd.buf[1 + 14 * SLOT + REC_PAYLOAD] ^= 0x01;
	failed |= write_seed("ten-duplicate", &sd);

	s = store(PAYLOAD_VERSION, 64);
	for (uint64_t k = 0; k < 64; k++)
		put(s, k << 32 | k, (size_t)k);
	take(&sd, MODE_KEEP, s);
	failed |= write_seed("full", &sd);

	/* Six slots, all taken: a put grows the file to max_records 8, not to twelve slots. */
	s = store(PAYLOAD_VERSION, 6);
	for (uint64_t k = 0; k < 6; k++)
		put(s, ~k, 100);
	take(&sd, MODE_MAX_8 | MODE_KEEP, s);
	failed |= write_seed("small", &sd);

	s = store(PAYLOAD_VERSION + 1, 4);
	put(s, 1, 10);
	take(&sd, 0, s);
	failed |= write_seed("other-version", &sd);
	return failed ? 1 : 0;
}
