/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The quarantine is a FIFO ring plus a multiset of the same keys. The quarantine time is
 * constant, so entries expire in the order they were released and expiry only ever pops the
 * ring's head (were the clock to step back, a key would wait behind older ones: held longer,
 * never shorter). A key released again while still quarantined gets a second ring entry and
 * a second copy in the set: the set is a multiset (open addressing, linear probing, deletion
 * by backward shift, so no tombstones pile up), and the key stays a member until its
 * last copy expires.
 *
 * The set marks empty slots with 0. Key 0 is never a real one (Assigned Tunnel and Session
 * IDs are non-zero, RFC 2661 §4.4.3, §4.4.4), so it is kept in the ring only and answered by
 * a scan of the ring: correct if a caller ever releases it, and never paid for otherwise.
 */
#include "ids.h"

#include <errno.h>
#include <stdlib.h>

#include "hmap.h"

#define IDS_MIN_RING	 16u
#define IDS_RANDOM_TRIES 64

void ids_init(struct ids *q, uint32_t quarantine_ms)
{
	q->ring = NULL;
	q->ring_cap = q->head = q->count = 0;
	q->set = NULL;
	q->set_cap = 0;
	q->quarantine_ms = quarantine_ms;
}

void ids_destroy(struct ids *q)
{
	if (!q)
		return;
	free(q->ring);
	free(q->set);
	ids_init(q, q->quarantine_ms);
}

static void set_add(uint32_t *set, uint32_t cap, uint32_t key)
{
	uint32_t i = hmap_mix(key) & (cap - 1);

	while (set[i])
		i = (i + 1) & (cap - 1);
	set[i] = key;
}

/* Index of one copy of key, or set_cap if there is none. */
static uint32_t set_find(const struct ids *q, uint32_t key)
{
	uint32_t mask = q->set_cap - 1, i;

	if (!q->set_cap)
		return q->set_cap;
	for (i = hmap_mix(key) & mask; q->set[i]; i = (i + 1) & mask) {
		if (q->set[i] == key)
			return i;
	}
	return q->set_cap;
}

/*
 * Empties slot i, then moves back each later key of the probe run whose home slot lies
 * cyclically at or before the hole, so every remaining key is still reachable from its home.
 */
static void set_del(struct ids *q, uint32_t i)
{
	uint32_t mask = q->set_cap - 1, j = i, home;

	for (;;) {
		q->set[i] = 0;
		do {
			j = (j + 1) & mask;
			if (!q->set[j])
				return;
			home = hmap_mix(q->set[j]) & mask;
		} while (((j - home) & mask) < ((j - i) & mask));
		q->set[i] = q->set[j];
		i = j;
	}
}

static struct ids_quarantine_entry *ring_at(const struct ids *q, uint32_t n)
{
	return &q->ring[(q->head + n) & (q->ring_cap - 1)];
}

static void expire(struct ids *q, uint64_t now)
{
	while (q->count && q->ring[q->head].until <= now) {
		uint32_t key = q->ring[q->head].key;

		if (key)
			set_del(q, set_find(q, key));
		q->head = (q->head + 1) & (q->ring_cap - 1);
		q->count--;
	}
}

/*
 * Makes room for one more entry in both the ring and the set, or changes nothing. The set
 * keeps at least twice as many slots as keys so probe runs stay short.
 */
static int reserve(struct ids *q)
{
	uint32_t n = q->count + 1, ring_cap = q->ring_cap, set_cap = q->set_cap, i;
	struct ids_quarantine_entry *ring = NULL;
	uint32_t *set = NULL;

	if (n > 0x40000000u)
		return -ENOMEM;
	if (n > ring_cap)
		ring_cap = ring_cap ? ring_cap * 2 : IDS_MIN_RING;
	if (2 * n > set_cap)
		set_cap = set_cap ? set_cap * 2 : 2 * IDS_MIN_RING;
	if (ring_cap != q->ring_cap && !(ring = malloc((size_t)ring_cap * sizeof(*ring))))
		return -ENOMEM;
	if (set_cap != q->set_cap && !(set = calloc(set_cap, sizeof(*set)))) {
		free(ring);
		return -ENOMEM;
	}
	if (ring) {
		for (i = 0; i < q->count; i++)
			ring[i] = *ring_at(q, i);
		free(q->ring);
		q->ring = ring;
		q->ring_cap = ring_cap;
		q->head = 0;
	}
	if (set) {
		for (i = 0; i < q->count; i++) {
			if (ring_at(q, i)->key)
				set_add(set, set_cap, ring_at(q, i)->key);
		}
		free(q->set);
		q->set = set;
		q->set_cap = set_cap;
	}
	return 0;
}

int ids_release(struct ids *q, uint64_t now, uint32_t key)
{
	struct ids_quarantine_entry *e;
	uint64_t until;
	int r;

	expire(q, now);
	if (!q->quarantine_ms)
		return 0;
	until = now > UINT64_MAX - q->quarantine_ms ? UINT64_MAX : now + q->quarantine_ms;
	r = reserve(q);
	if (r < 0)
		return r;
	e = ring_at(q, q->count);
	e->key = key;
	e->until = until;
	q->count++;
	if (key)
		set_add(q->set, q->set_cap, key);
	return 0;
}

/* Membership without expiring first: the callers have just expired. */
static bool held(const struct ids *q, uint32_t key)
{
	uint32_t i;

	if (key)
		return set_find(q, key) != q->set_cap;
	for (i = 0; i < q->count; i++) {
		if (!ring_at(q, i)->key)
			return true;
	}
	return false;
}

bool ids_quarantined(struct ids *q, uint64_t now, uint32_t key)
{
	expire(q, now);
	return held(q, key);
}

static uint16_t random_u16(random_fn rnd, void *rnd_arg)
{
	uint8_t b[2];

	rnd(rnd_arg, b, sizeof(b));
	return (uint16_t)(b[0] << 8 | b[1]);
}

uint16_t ids_pick(struct ids *q, uint64_t now, uint32_t prefix, random_fn rnd, void *rnd_arg,
		  bool (*in_use)(void *arg, uint32_t key), void *arg)
{
	uint16_t id;
	uint32_t i;

	expire(q, now);
	for (i = 0; i < IDS_RANDOM_TRIES; i++) {
		id = random_u16(rnd, rnd_arg);
		if (id && !held(q, prefix | id) && !in_use(arg, prefix | id))
			return id;
	}
	/*
	 * So many tries failed that the space is nearly full: a scan from a random point still
	 * finds the last free IDs, so a busy LNS refuses only when there truly is none.
	 */
	id = random_u16(rnd, rnd_arg);
	for (i = 0; i <= UINT16_MAX; i++, id++) {
		if (id && !held(q, prefix | id) && !in_use(arg, prefix | id))
			return id;
	}
	return 0;
}

size_t ids_heap_bytes(const struct ids *q)
{
	return (size_t)q->ring_cap * sizeof(*q->ring) + (size_t)q->set_cap * sizeof(*q->set);
}
