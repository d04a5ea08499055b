/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "timer_heap.h"

#include <errno.h>
#include <stdlib.h>

#define TIMER_HEAP_MIN_CAP 16u

void timer_heap_init(struct timer_heap *h)
{
	h->v = NULL;
	h->n = h->cap = 0;
}

/* The entries belong to their objects, which may be gone already: they are not touched. */
void timer_heap_destroy(struct timer_heap *h)
{
	if (!h)
		return;
	free(h->v);
	timer_heap_init(h);
}

void timer_entry_init(struct timer_entry *e)
{
	e->at = TIMER_NONE;
	e->index = 0;
}

static void place(struct timer_heap *h, struct timer_entry *e, uint32_t i)
{
	h->v[i] = e;
	e->index = i;
}

static void sift_up(struct timer_heap *h, uint32_t i)
{
	struct timer_entry *e = h->v[i];

	while (i > 0 && h->v[(i - 1) / 2]->at > e->at) {
		place(h, h->v[(i - 1) / 2], i);
		i = (i - 1) / 2;
	}
	place(h, e, i);
}

static void sift_down(struct timer_heap *h, uint32_t i)
{
	struct timer_entry *e = h->v[i];
	uint32_t c;

	/* i < n / 2 means i has a left child; written so 2 * i + 1 cannot overflow. */
	while (i < h->n / 2) {
		c = 2 * i + 1;
		if (c + 1 < h->n && h->v[c + 1]->at < h->v[c]->at)
			c++;
		if (h->v[c]->at >= e->at)
			break;
		place(h, h->v[c], i);
		i = c;
	}
	place(h, e, i);
}

/* Restores order around slot i after its entry changed in either direction. */
static void sift(struct timer_heap *h, uint32_t i)
{
	if (i > 0 && h->v[(i - 1) / 2]->at > h->v[i]->at)
		sift_up(h, i);
	else
		sift_down(h, i);
}

static int grow(struct timer_heap *h)
{
	uint32_t cap = h->cap ? h->cap * 2 : TIMER_HEAP_MIN_CAP;
	struct timer_entry **v;

	if (h->cap > UINT32_MAX / 2)
		return -ENOMEM;
	v = realloc(h->v, (size_t)cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	h->v = v;
	h->cap = cap;
	return 0;
}

static void remove_at(struct timer_heap *h, uint32_t i)
{
	struct timer_entry *last = h->v[--h->n];

	if (i < h->n) {
		place(h, last, i);
		sift(h, i);
	}
}

int timer_heap_set(struct timer_heap *h, struct timer_entry *e, uint64_t at)
{
	if (e->at == TIMER_NONE) {
		if (at == TIMER_NONE)
			return 0;
		if (h->n == h->cap && grow(h) < 0)
			return -ENOMEM;
		e->at = at;
		place(h, e, h->n++);
		sift_up(h, e->index);
		return 0;
	}
	if (at == TIMER_NONE) {
		remove_at(h, e->index);
		e->at = TIMER_NONE;
		return 0;
	}
	e->at = at;
	sift(h, e->index);
	return 0;
}

uint64_t timer_heap_next(const struct timer_heap *h)
{
	return h->n ? h->v[0]->at : TIMER_NONE;
}

struct timer_entry *timer_heap_expired(const struct timer_heap *h, uint64_t now)
{
	return h->n && h->v[0]->at <= now ? h->v[0] : NULL;
}

size_t timer_heap_heap_bytes(const struct timer_heap *h)
{
	return (size_t)h->cap * sizeof(*h->v);
}
