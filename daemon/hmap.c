/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hmap.h"

#include <errno.h>
#include <stdlib.h>

#define HMAP_MIN_BUCKETS 16u
#define HMAP_MAX_BUCKETS 0x80000000u

/*
 * murmur3's finaliser: every input bit flips each output bit with probability ~1/2. Keys are
 * random IDs or tunnel << 16 | session, whose low bits alone would pile many tunnels' session
 * 1 into one bucket, so the bucket index is taken from the mixed value.
 */
uint32_t hmap_mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static struct hnode **bucket_of(const struct hmap *h, uint32_t key)
{
	return &h->buckets[hmap_mix(key) & (h->n_buckets - 1)];
}

void hmap_init(struct hmap *h)
{
	h->buckets = NULL;
	h->n_buckets = 0;
	h->count = 0;
}

void hmap_destroy(struct hmap *h)
{
	if (!h)
		return;
	free(h->buckets);
	hmap_init(h);
}

/* Doubles the table. Failing is harmless: chains just get longer than one on average. */
static void grow(struct hmap *h)
{
	uint32_t n = h->n_buckets * 2, i;
	struct hnode **old = h->buckets, *node, *next;

	h->buckets = calloc(n, sizeof(*h->buckets));
	if (!h->buckets) {
		h->buckets = old;
		return;
	}
	h->n_buckets = n;
	for (i = 0; i < n / 2; i++) {
		for (node = old[i]; node; node = next) {
			struct hnode **b = bucket_of(h, node->key);

			next = node->next;
			node->next = *b;
			*b = node;
		}
	}
	free(old);
}

int hmap_insert(struct hmap *h, struct hnode *n, uint32_t key)
{
	struct hnode **b;

	if (!h->buckets) {
		h->buckets = calloc(HMAP_MIN_BUCKETS, sizeof(*h->buckets));
		if (!h->buckets)
			return -ENOMEM;
		h->n_buckets = HMAP_MIN_BUCKETS;
	}
	if (h->count >= h->n_buckets && h->n_buckets < HMAP_MAX_BUCKETS)
		grow(h);
	n->key = key;
	b = bucket_of(h, key);
	n->next = *b;
	*b = n;
	h->count++;
	return 0;
}

void hmap_remove(struct hmap *h, struct hnode *n)
{
	struct hnode **p;

	if (!h->buckets)
		return;
	for (p = bucket_of(h, n->key); *p; p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			n->next = NULL;
			h->count--;
			return;
		}
	}
}

/* Nodes with equal keys share a chain, so the walk never has to leave it. */
static struct hnode *same_key(struct hnode *n, uint32_t key)
{
	while (n && n->key != key)
		n = n->next;
	return n;
}

struct hnode *hmap_first(const struct hmap *h, uint32_t key)
{
	if (!h->buckets)
		return NULL;
	return same_key(*bucket_of(h, key), key);
}

struct hnode *hmap_next(const struct hnode *n)
{
	return same_key(n->next, n->key);
}

size_t hmap_heap_bytes(const struct hmap *h)
{
	return (size_t)h->n_buckets * sizeof(*h->buckets);
}

/* FNV-1a walks the bytes; the seed and length go in so equal prefixes and seeds differ. */
uint32_t hmap_hash(const void *p, size_t n, uint32_t seed)
{
	const uint8_t *b = p;
	uint32_t h = 2166136261u ^ hmap_mix(seed);
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return hmap_mix(h ^ (uint32_t)n);
}

struct hnode *hmap_iter(const struct hmap *h, const struct hnode *prev)
{
	uint32_t b = 0;

	if (prev) {
		if (prev->next)
			return prev->next;
		b = (hmap_mix(prev->key) & (h->n_buckets - 1)) + 1;
	}
	for (; b < h->n_buckets; b++)
		if (h->buckets[b])
			return h->buckets[b];
	return NULL;
}
