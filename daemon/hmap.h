/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An intrusive hash map keyed by a 32-bit value: tunnels by ID, sessions by tunnel and
 * session ID, tunnels by peer. Several nodes may share a key (the caller walks them with
 * hmap_next()), so a hash of a longer key works too. Buckets double when the map holds more
 * nodes than buckets, so lookups stay O(1) from ten objects to a hundred thousand.
 */
#ifndef L2TPKD_HMAP_H
#define L2TPKD_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode *next;
	uint32_t key;
};

struct hmap {
	struct hnode **buckets;
	uint32_t n_buckets; /* a power of two, or 0 before the first insert */
	uint32_t count;
};

void hmap_init(struct hmap *h);
/* Frees the buckets; the nodes belong to the caller. */
void hmap_destroy(struct hmap *h);
/* Returns 0 or -ENOMEM (the map is unchanged then). */
int hmap_insert(struct hmap *h, struct hnode *n, uint32_t key);
void hmap_remove(struct hmap *h, struct hnode *n);
/* The first node with this key, then the next one with the same key; NULL when none is left. */
struct hnode *hmap_first(const struct hmap *h, uint32_t key);
struct hnode *hmap_next(const struct hnode *n);
size_t hmap_heap_bytes(const struct hmap *h);
/* Every node, in no particular order: start with NULL; NULL at the end. The map must not change. */
struct hnode *hmap_iter(const struct hmap *h, const struct hnode *prev);

/* A 32-bit key mixed so every input bit moves every output bit (murmur3's finaliser). */
uint32_t hmap_mix(uint32_t key);
/* A well-mixed 32-bit hash of bytes (for keys longer than 32 bits). */
uint32_t hmap_hash(const void *p, size_t n, uint32_t seed);

/* The object holding a node; through void * since the member offset keeps the alignment. */
#define hmap_entry(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#endif
