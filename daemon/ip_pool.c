/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ip_pool.h"

#include <errno.h>
#include <stdlib.h>

int ip_pool_init(struct ip_pool *p, uint32_t first, uint32_t last)
{
	*p = (struct ip_pool){ 0 };
	if (last < first || last - first == UINT32_MAX)
		return -EINVAL;
	p->used = calloc((last - first) / 64 + 1, sizeof(uint64_t));
	if (!p->used)
		return -ENOMEM;
	p->first = first;
	p->count = last - first + 1;
	return 0;
}

void ip_pool_destroy(struct ip_pool *p)
{
	free(p->used);
	*p = (struct ip_pool){ 0 };
}

static bool is_used(const struct ip_pool *p, uint32_t off)
{
	return p->used[off / 64] >> (off % 64) & 1;
}

int ip_pool_take(struct ip_pool *p, uint32_t *addr)
{
	if (p->in_use == p->count)
		return -ENOSPC;
	for (uint32_t i = 0; i < p->count; i++) {
		uint32_t off = (p->next + i) % p->count;

		if (!is_used(p, off)) {
			p->used[off / 64] |= 1ull << (off % 64);
			p->in_use++;
			p->next = (off + 1) % p->count;
			*addr = p->first + off;
			return 0;
		}
	}
	return -ENOSPC;
}

bool ip_pool_claim(struct ip_pool *p, uint32_t addr)
{
	uint32_t off = addr - p->first;

	if (addr < p->first || off >= p->count || is_used(p, off))
		return false;
	p->used[off / 64] |= 1ull << (off % 64);
	p->in_use++;
	return true;
}

void ip_pool_give(struct ip_pool *p, uint32_t addr)
{
	uint32_t off = addr - p->first;

	if (addr < p->first || off >= p->count || !is_used(p, off))
		return;
	p->used[off / 64] &= ~(1ull << (off % 64));
	p->in_use--;
}
