/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state store (state_store.h): records in 256-byte slots of a memfd, one pwrite() per
 * change. In memory it keeps a key -> slot map and a stack of free slots, so a put or a drop
 * costs O(1) and one system call; the file grows by ftruncate(), 64 slots at first, then
 * doubling up to max_records. Adoption reads a file some other process wrote, maybe a
 * corrupted or hostile one: every count is checked against the file's size and max_records
 * before anything is allocated, and every record against its CRC before anyone sees it.
 */
#include "state_store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"
#include "hmap.h"

#define SLOT_SIZE	     256
#define STORE_MAGIC	     "L2TPKDST"
#define STORE_MAGIC_LEN	     8
#define STORE_FORMAT_VERSION 1u
#define FIRST_GROWTH	     64u /* record slots of the first growth; each later one doubles */
#define READ_CHUNK	     64u /* slots per pread() on adoption */

/* The header, file slot 0: byte offsets of its fields. */
enum {
	HDR_MAGIC = 0,
	HDR_FORMAT = 8,
	HDR_PAYLOAD_VERSION = 12,
	HDR_SLOT_SIZE = 16,
	HDR_SLOTS = 20, /* record slots after the header */
	HDR_CRC = 24,	/* over the bytes before it */
};

/* A record slot: byte offsets of its fields. */
enum {
	REC_CRC = 0, /* over the bytes after it */
	REC_FLAGS = 4,
	REC_LEN = 6,
	REC_KEY = 8,
	REC_PAYLOAD = 16,
};
#define REC_IN_USE 1u

_Static_assert(REC_PAYLOAD + STATE_STORE_PAYLOAD_MAX == SLOT_SIZE, "a record fills its slot");
_Static_assert(4096 % SLOT_SIZE == 0, "a slot never straddles a page");

struct record {
	struct hnode node; /* in state_store.by_key, under key_hash(key) */
	uint64_t key;
	uint32_t slot; /* record slot index: file slot slot + 1 */
};

struct state_store {
	int fd;
	uint32_t payload_version;
	uint32_t max_records;
	uint32_t n_slots; /* record slots in the file, as its header says */
	uint32_t *free;	  /* free record slots, a stack with room for n_slots */
	uint32_t n_free;
	struct hmap by_key; /* struct record */
};

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	return get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}

static uint64_t get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* hmap keys are 32 bits and hmap mixes them itself: folding the halves keeps every key bit. */
static uint32_t key_hash(uint64_t key)
{
	return (uint32_t)key ^ (uint32_t)(key >> 32);
}

static off_t file_offset(uint64_t file_slot)
{
	return (off_t)(file_slot * SLOT_SIZE);
}

static int write_file_slot(int fd, uint64_t file_slot, const uint8_t *slot)
{
	ssize_t n = pwrite(fd, slot, SLOT_SIZE, file_offset(file_slot));

	if (n < 0)
		return -errno;
	return n == SLOT_SIZE ? 0 : -EIO;
}

/* n file slots from first; -EPROTO if the file ends before them. */
static int read_file_slots(int fd, uint64_t first, uint32_t n, uint8_t *buf)
{
	size_t want = (size_t)n * SLOT_SIZE;
	ssize_t got = pread(fd, buf, want, file_offset(first));

	if (got < 0)
		return -errno;
	return (size_t)got == want ? 0 : -EPROTO;
}

static void encode_header(uint8_t *h, uint32_t payload_version, uint32_t n_slots)
{
	memset(h, 0, SLOT_SIZE);
	memcpy(h + HDR_MAGIC, STORE_MAGIC, STORE_MAGIC_LEN);
	put_le32(h + HDR_FORMAT, STORE_FORMAT_VERSION);
	put_le32(h + HDR_PAYLOAD_VERSION, payload_version);
	put_le32(h + HDR_SLOT_SIZE, SLOT_SIZE);
	put_le32(h + HDR_SLOTS, n_slots);
	put_le32(h + HDR_CRC, crc32_ieee(h, HDR_CRC));
}

static void encode_record(uint8_t *slot, uint64_t key, const void *payload, size_t len)
{
	memset(slot, 0, SLOT_SIZE);
	put_le16(slot + REC_FLAGS, REC_IN_USE);
	put_le16(slot + REC_LEN, (uint16_t)len);
	put_le64(slot + REC_KEY, key);
	if (len)
		memcpy(slot + REC_PAYLOAD, payload, len);
	put_le32(slot + REC_CRC, crc32_ieee(slot + REC_FLAGS, SLOT_SIZE - REC_FLAGS));
}

/* A record slot's key and length if it holds a well-formed record; false for anything else. */
static bool decode_record(const uint8_t *slot, uint64_t *key, size_t *len)
{
	if (get_le32(slot + REC_CRC) != crc32_ieee(slot + REC_FLAGS, SLOT_SIZE - REC_FLAGS))
		return false;
	if (get_le16(slot + REC_FLAGS) != REC_IN_USE)
		return false;
	*len = get_le16(slot + REC_LEN);
	if (*len > STATE_STORE_PAYLOAD_MAX)
		return false;
	/* The writer zeroes what follows the payload: anything else is not its record. */
	if (!all_zero(slot + REC_PAYLOAD + *len, STATE_STORE_PAYLOAD_MAX - *len))
		return false;
	*key = get_le64(slot + REC_KEY);
	return true;
}

static struct record *find(const struct state_store *s, uint64_t key)
{
	struct hnode *n;

	for (n = hmap_first(&s->by_key, key_hash(key)); n; n = hmap_next(n)) {
		struct record *r = hmap_entry(n, struct record, node);

		if (r->key == key)
			return r;
	}
	return NULL;
}

/* A record for key in slot, in the map; NULL when out of memory. */
static struct record *record_add(struct state_store *s, uint64_t key, uint32_t slot)
{
	struct record *r = malloc(sizeof(*r));

	if (!r)
		return NULL;
	r->key = key;
	r->slot = slot;
	if (hmap_insert(&s->by_key, &r->node, key_hash(key)) < 0) {
		free(r);
		return NULL;
	}
	return r;
}

static void record_remove(struct state_store *s, struct record *r)
{
	hmap_remove(&s->by_key, &r->node);
	free(r);
}

static struct state_store *store_alloc(int fd, uint32_t payload_version, uint32_t max_records)
{
	struct state_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->fd = fd;
	s->payload_version = payload_version;
	s->max_records = max_records;
	hmap_init(&s->by_key);
	return s;
}

void state_store_free(struct state_store *s)
{
	struct hnode *n, *next;

	if (!s)
		return;
	/* The map is not changed while walked: each node is freed once the walk is past it. */
	for (n = hmap_iter(&s->by_key, NULL); n; n = next) {
		next = hmap_iter(&s->by_key, n);
		free(hmap_entry(n, struct record, node));
	}
	hmap_destroy(&s->by_key);
	free(s->free);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

int state_store_new(struct state_store **out, uint32_t payload_version, uint32_t max_records)
{
	uint8_t header[SLOT_SIZE];
	struct state_store *s;
	int fd, r;

	*out = NULL;
	if (!max_records)
		return -EINVAL;
	fd = memfd_create("l2tpkd-state", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	s = store_alloc(fd, payload_version, max_records);
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	encode_header(header, payload_version, 0);
	r = write_file_slot(fd, 0, header);
	if (r < 0) {
		state_store_free(s);
		return r;
	}
	*out = s;
	return 0;
}

/*
 * Adds record slots: FIRST_GROWTH, then twice as many, never more than max_records. The file
 * grows before its header counts the new slots, so the header never counts a slot the file
 * lacks; ftruncate() fills them with zeros, which is what a free slot is.
 */
static int grow(struct state_store *s)
{
	uint64_t want = s->n_slots ? (uint64_t)s->n_slots * 2 : FIRST_GROWTH;
	uint8_t header[SLOT_SIZE];
	uint32_t n, i, *stack;
	int r;

	if (s->n_slots >= s->max_records)
		return -ENOSPC;
	n = want < s->max_records ? (uint32_t)want : s->max_records;
	stack = realloc(s->free, (size_t)n * sizeof(*stack));
	if (!stack)
		return -ENOMEM;
	s->free = stack;
	if (ftruncate(s->fd, file_offset((uint64_t)n + 1)) < 0)
		return -errno;
	encode_header(header, s->payload_version, n);
	r = write_file_slot(s->fd, 0, header);
	if (r < 0)
		return r;
	/* Only called with no slot free; the lowest new slot goes on top. */
	for (i = n; i > s->n_slots; i--)
		s->free[s->n_free++] = i - 1;
	s->n_slots = n;
	return 0;
}

/* A new key: a free slot (growing the file if none is), the map, then the slot on file. */
static int put_new(struct state_store *s, uint64_t key, const uint8_t *slot)
{
	struct record *rec;
	int r;

	if (!s->n_free) {
		r = grow(s);
		if (r < 0)
			return r;
	}
	rec = record_add(s, key, s->free[s->n_free - 1]);
	if (!rec)
		return -ENOMEM;
	r = write_file_slot(s->fd, (uint64_t)rec->slot + 1, slot);
	if (r < 0) {
		record_remove(s, rec);
		return r;
	}
	s->n_free--;
	return 0;
}

int state_store_put(struct state_store *s, uint64_t key, const void *payload, size_t len)
{
	uint8_t slot[SLOT_SIZE];
	struct record *rec;

	if (len > STATE_STORE_PAYLOAD_MAX)
		return -EMSGSIZE;
	encode_record(slot, key, payload, len);
	rec = find(s, key);
	if (rec)
		return write_file_slot(s->fd, (uint64_t)rec->slot + 1, slot);
	return put_new(s, key, slot);
}

void state_store_drop(struct state_store *s, uint64_t key)
{
	static const uint8_t zero[SLOT_SIZE];
	struct record *rec = find(s, key);

	if (!rec)
		return;
	/*
	 * This rewrites a page the record already occupies, which a memfd cannot refuse for want
	 * of space. Should it fail anyway, the next put that takes the slot overwrites it.
	 */
	(void)write_file_slot(s->fd, (uint64_t)rec->slot + 1, zero);
	s->free[s->n_free++] = rec->slot;
	record_remove(s, rec);
}

int state_store_fd(const struct state_store *s)
{
	return s->fd;
}

uint32_t state_store_count(const struct state_store *s)
{
	return s->by_key.count;
}

/* Adoption in progress: what the scan found and where a refusal's reason goes. */
struct adoption {
	struct state_store *s;
	int (*fn)(uint64_t key, const void *payload, size_t len, void *arg);
	void *arg;
	uint32_t *bad_slots; /* to zero once adopted; room for s->n_slots */
	uint32_t n_bad;
	char *why;
	size_t why_len;
};

/* Writes a refusal's one-line reason to why (if there is room) and returns err. */
__attribute__((format(printf, 3, 4))) static int refuse(const struct adoption *a, int err, const char *fmt,
							...)
{
	va_list ap;

	if (a->why && a->why_len) {
		va_start(ap, fmt);
		vsnprintf(a->why, a->why_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* The header's record slot count, once every field checks out against the file of size bytes. */
static int check_header(const struct adoption *a, const uint8_t *h, off_t size, uint32_t *n_slots)
{
	uint32_t v;

	if (memcmp(h + HDR_MAGIC, STORE_MAGIC, STORE_MAGIC_LEN))
		return refuse(a, -EPROTO, "not a state store: bad magic");
	if (get_le32(h + HDR_CRC) != crc32_ieee(h, HDR_CRC))
		return refuse(a, -EPROTO, "header CRC mismatch");
	v = get_le32(h + HDR_FORMAT);
	if (v != STORE_FORMAT_VERSION)
		return refuse(a, -EPROTO, "store format version %" PRIu32 ", expected %u", v,
			      STORE_FORMAT_VERSION);
	v = get_le32(h + HDR_PAYLOAD_VERSION);
	if (v != a->s->payload_version)
		return refuse(a, -EPROTO, "payload version %" PRIu32 ", expected %" PRIu32, v,
			      a->s->payload_version);
	v = get_le32(h + HDR_SLOT_SIZE);
	if (v != SLOT_SIZE)
		return refuse(a, -EPROTO, "slot size %" PRIu32 ", expected %d", v, SLOT_SIZE);
	v = get_le32(h + HDR_SLOTS);
	if (v > a->s->max_records)
		return refuse(a, -EPROTO, "%" PRIu32 " record slots, more than max_records %" PRIu32, v,
			      a->s->max_records);
	if ((uint64_t)size < (uint64_t)file_offset((uint64_t)v + 1))
		return refuse(a, -EPROTO,
			      "header counts %" PRIu32 " record slots, the file of %jd bytes is shorter", v,
			      (intmax_t)size);
	*n_slots = v;
	return 0;
}

/* One record slot of the file, read as slot index i: a record, free, or bad. */
static int scan_slot(struct adoption *a, uint32_t i, const uint8_t *slot)
{
	struct state_store *s = a->s;
	uint64_t key;
	size_t len;
	int r;

	if (all_zero(slot, SLOT_SIZE)) {
		s->free[s->n_free++] = i;
		return 0;
	}
	/* A key seen in an earlier slot: the first one stays, as a put would have found it. */
	if (!decode_record(slot, &key, &len) || find(s, key)) {
		a->bad_slots[a->n_bad++] = i;
		s->free[s->n_free++] = i;
		return 0;
	}
	if (!record_add(s, key, i))
		return refuse(a, -ENOMEM, "out of memory");
	if (!a->fn)
		return 0;
	r = a->fn(key, slot + REC_PAYLOAD, len, a->arg);
	if (r < 0)
		return refuse(a, r, "record %#" PRIx64 " refused by the caller: %s", key, strerror(-r));
	return 0;
}

static int scan(struct adoption *a)
{
	struct state_store *s = a->s;
	uint32_t i, j, n;
	uint8_t *buf;
	int r = 0;

	buf = malloc((size_t)READ_CHUNK * SLOT_SIZE);
	if (!buf)
		return refuse(a, -ENOMEM, "out of memory");
	for (i = 0; i < s->n_slots && r == 0; i += n) {
		n = s->n_slots - i < READ_CHUNK ? s->n_slots - i : READ_CHUNK;
		r = read_file_slots(s->fd, (uint64_t)i + 1, n, buf);
		if (r < 0) {
			r = refuse(a, r, "reading record slots %" PRIu32 "-%" PRIu32 ": %s", i, i + n - 1,
				   r == -EPROTO ? "the file ends early" : strerror(-r));
			break;
		}
		for (j = 0; j < n && r == 0; j++)
			r = scan_slot(a, i + j, buf + (size_t)j * SLOT_SIZE);
	}
	free(buf);
	return r;
}

/* The scan pushed free slots in file order: turned over, the lowest is taken first. */
static void reverse_free(struct state_store *s)
{
	uint32_t i, t;

	for (i = 0; i < s->n_free / 2; i++) {
		t = s->free[i];
		s->free[i] = s->free[s->n_free - 1 - i];
		s->free[s->n_free - 1 - i] = t;
	}
}

/*
 * Once every record is accepted: bad slots are zeroed, so they read as free from now on, and
 * bytes past the last slot (a growth that died before its header was written, or junk) are
 * cut off, so that a later growth brings zeros there and not a stale record.
 */
static int commit(struct adoption *a, off_t size)
{
	static const uint8_t zero[SLOT_SIZE];
	struct state_store *s = a->s;
	off_t end = file_offset((uint64_t)s->n_slots + 1);
	uint32_t i;
	int r;

	for (i = 0; i < a->n_bad; i++) {
		r = write_file_slot(s->fd, (uint64_t)a->bad_slots[i] + 1, zero);
		if (r < 0)
			return refuse(a, r, "zeroing record slot %" PRIu32 ": %s", a->bad_slots[i],
				      strerror(-r));
	}
	if (size > end && ftruncate(s->fd, end) < 0)
		return refuse(a, -errno, "cutting the file to %jd bytes: %s", (intmax_t)end, strerror(errno));
	return 0;
}

/* Checks fd and reads its header: the file's size and its record slot count. */
static int open_file(struct adoption *a, int fd, off_t *size, uint32_t *n_slots)
{
	uint8_t header[SLOT_SIZE];
	struct stat st;
	int flags, r;

	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return refuse(a, -errno, "fd %d: %s", fd, strerror(errno));
	if ((flags & O_ACCMODE) != O_RDWR)
		return refuse(a, -EINVAL, "fd %d is not open for reading and writing", fd);
	if (fstat(fd, &st) < 0)
		return refuse(a, -errno, "fd %d: %s", fd, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return refuse(a, -EINVAL, "fd %d is not a regular file", fd);
	if (st.st_size < SLOT_SIZE)
		return refuse(a, -EPROTO, "file of %jd bytes, shorter than the %d-byte header",
			      (intmax_t)st.st_size, SLOT_SIZE);
	r = read_file_slots(fd, 0, 1, header);
	if (r < 0)
		return refuse(a, r, "reading the header: %s",
			      r == -EPROTO ? "the file ends early" : strerror(-r));
	*size = st.st_size;
	return check_header(a, header, st.st_size, n_slots);
}

int state_store_adopt(struct state_store **out, int fd, uint32_t payload_version, uint32_t max_records,
		      int (*fn)(uint64_t key, const void *payload, size_t len, void *arg), void *arg,
		      size_t *bad, char *why, size_t why_len)
{
	struct adoption a = { .fn = fn, .arg = arg, .why = why, .why_len = why_len };
	uint32_t n_slots = 0;
	off_t size = 0;
	int r;

	*out = NULL;
	if (bad)
		*bad = 0;
	if (why && why_len)
		why[0] = '\0';
	a.s = store_alloc(-1, payload_version, max_records);
	if (!a.s)
		return refuse(&a, -ENOMEM, "out of memory");
	if (fd < 0 || !max_records)
		r = refuse(&a, -EINVAL, "no fd or no max_records");
	else
		r = open_file(&a, fd, &size, &n_slots);
	if (r == 0) {
		/* n_slots is at most max_records and the file's size / 256: bounded. Never 0 bytes. */
		a.s->free = malloc(((size_t)n_slots + 1) * sizeof(*a.s->free));
		a.bad_slots = malloc(((size_t)n_slots + 1) * sizeof(*a.bad_slots));
		if (!a.s->free || !a.bad_slots)
			r = refuse(&a, -ENOMEM, "out of memory");
	}
	if (r == 0) {
		a.s->fd = fd;
		a.s->n_slots = n_slots;
		r = scan(&a);
	}
	if (r == 0)
		r = commit(&a, size);
	free(a.bad_slots);
	if (r < 0) {
		a.s->fd = -1; /* not taken */
		state_store_free(a.s);
		return r;
	}
	reverse_free(a.s);
	if (bad)
		*bad = a.n_bad;
	*out = a.s;
	return 0;
}
