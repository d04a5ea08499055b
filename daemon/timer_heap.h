/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A binary min-heap of deadlines, one entry per object (each tunnel has one: the earliest of
 * its retransmission, HELLO and reap times), so the engine tells the shell its next wake-up
 * in O(1) and finds expired objects in O(log n) each, however many tunnels it carries.
 * The object embeds a struct timer_entry; the heap stores pointers to entries.
 */
#ifndef L2TPKD_TIMER_HEAP_H
#define L2TPKD_TIMER_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define TIMER_NONE UINT64_MAX

struct timer_entry {
	uint64_t at;	/* TIMER_NONE when not in the heap */
	uint32_t index; /* position in the heap, valid while at != TIMER_NONE */
};

struct timer_heap {
	struct timer_entry **v;
	uint32_t n, cap;
};

void timer_heap_init(struct timer_heap *h);
void timer_heap_destroy(struct timer_heap *h);
void timer_entry_init(struct timer_entry *e);
/* Sets (or moves) e to fire at "at"; TIMER_NONE removes it. Returns 0 or -ENOMEM. */
int timer_heap_set(struct timer_heap *h, struct timer_entry *e, uint64_t at);
/* The earliest deadline, TIMER_NONE if the heap is empty. */
uint64_t timer_heap_next(const struct timer_heap *h);
/* The entry with the earliest deadline if it is <= now (it stays in the heap), else NULL. */
struct timer_entry *timer_heap_expired(const struct timer_heap *h, uint64_t now);
size_t timer_heap_heap_bytes(const struct timer_heap *h);

#endif
