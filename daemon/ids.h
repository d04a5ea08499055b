/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tunnel and session identifiers: random (RFC 2661 §9.1: unpredictable), never 0, never one
 * in use, and never one freed less than a quarantine ago, because the kernel frees IDs
 * asynchronously and an immediate re-create returns EEXIST (linux-kernel-l2tp.md §2.4).
 *
 * A key is 32 bits: a tunnel ID alone, or tunnel ID << 16 | session ID. "In use" is asked of
 * the caller through a callback so there is one source of truth (the object maps).
 */
#ifndef L2TPKD_IDS_H
#define L2TPKD_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ids_quarantine_entry {
	uint32_t key;
	uint64_t until;
};

struct ids {
	/* FIFO of freed keys in order of release (so also in order of expiry). */
	struct ids_quarantine_entry *ring;
	uint32_t ring_cap, head, count;
	/* Open-addressing set over the same keys, for O(1) "is it quarantined?". */
	uint32_t *set;
	uint32_t set_cap; /* a power of two, at least twice count */
	uint32_t quarantine_ms;
};

/* The engine's random source: fills buf with unpredictable octets. */
typedef void (*random_fn)(void *arg, void *buf, size_t n);

void ids_init(struct ids *q, uint32_t quarantine_ms);
void ids_destroy(struct ids *q);

/* Puts a freed key in quarantine until now + quarantine_ms. Returns 0 or -ENOMEM. */
int ids_release(struct ids *q, uint64_t now, uint32_t key);
/* True if key was released less than a quarantine before now. */
bool ids_quarantined(struct ids *q, uint64_t now, uint32_t key);

/*
 * A random 16-bit ID, not 0, for which neither in_use(arg, prefix | id) nor quarantine holds;
 * prefix is 0 for tunnel IDs and tunnel ID << 16 for session IDs. Returns 0 when none was
 * found in a bounded number of tries (the space is nearly full).
 */
uint16_t ids_pick(struct ids *q, uint64_t now, uint32_t prefix, random_fn rnd, void *rnd_arg,
		  bool (*in_use)(void *arg, uint32_t key), void *arg);

size_t ids_heap_bytes(const struct ids *q);

#endif
