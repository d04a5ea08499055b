/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The LNS's IPv4 address pool ([lns] ip-pool): the remote address each pppd hands its client
 * ("local:remote" on pppd's command line), as small deployments without RADIUS expect. A
 * bitmap over the range; the next search starts after the last address given, so a freed
 * address is not handed out again at once (the client may still be using it).
 */
#ifndef L2TPKD_IP_POOL_H
#define L2TPKD_IP_POOL_H

#include <stdbool.h>
#include <stdint.h>

struct ip_pool {
	uint32_t first; /* host byte order */
	uint32_t count; /* 0: no pool */
	uint32_t in_use;
	uint32_t next; /* offset where the next search starts */
	uint64_t *used;
};

/* first..last inclusive, host byte order. 0, -EINVAL (last < first), -ENOMEM. */
int ip_pool_init(struct ip_pool *p, uint32_t first, uint32_t last);
void ip_pool_destroy(struct ip_pool *p);
/* 0 with *addr, or -ENOSPC when every address is in use (or there is no pool). */
int ip_pool_take(struct ip_pool *p, uint32_t *addr);
/* Marks addr in use (adoption after a reload); false if it is outside the pool or taken. */
bool ip_pool_claim(struct ip_pool *p, uint32_t addr);
/* Gives addr back; addresses outside the pool are ignored. */
void ip_pool_give(struct ip_pool *p, uint32_t addr);

#endif
