/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Remote endpoints: the busy list, failover counters and our tunnels to each (engine_int.h). */
#include <errno.h>
#include <stdlib.h>

#include "engine_int.h"

static uint32_t addr_key(const struct l2tp_addr *a)
{
	return l2tp_addr_hash(a, a->port, 0x656e6470);
}

struct endpoint *endpoint_get(struct engine *e, const struct l2tp_addr *addr, bool create)
{
	uint32_t key = addr_key(addr);
	struct endpoint *ep;

	for (struct hnode *n = hmap_first(&e->endpoints, key); n; n = hmap_next(n)) {
		ep = hmap_entry(n, struct endpoint, by_addr);
		if (l2tp_addr_equal(&ep->addr, addr))
			return ep;
	}
	if (!create || e->endpoints.count >= ENDPOINTS_MAX)
		return NULL;
	ep = calloc(1, sizeof(*ep));
	if (!ep)
		return NULL;
	ep->addr = *addr;
	ep->serial = ++e->endpoint_serial;
	if (hmap_insert(&e->endpoints, &ep->by_addr, key) < 0) {
		free(ep);
		return NULL;
	}
	return ep;
}

bool endpoint_busy(const struct engine *e, const struct l2tp_addr *addr)
{
	const struct endpoint *ep = endpoint_get((struct engine *)e, addr, false);

	return ep && ep->busy_until > e->now;
}

void endpoint_link(struct endpoint *ep, struct tunnel *t)
{
	t->endpoint = ep;
	t->ep_prev = NULL;
	t->ep_next = ep->tunnels;
	if (ep->tunnels)
		ep->tunnels->ep_prev = t;
	ep->tunnels = t;
}

void endpoint_unlink(struct tunnel *t)
{
	if (!t->endpoint)
		return;
	if (t->ep_prev)
		t->ep_prev->ep_next = t->ep_next;
	else
		t->endpoint->tunnels = t->ep_next;
	if (t->ep_next)
		t->ep_next->ep_prev = t->ep_prev;
	t->endpoint = NULL;
	t->ep_next = t->ep_prev = NULL;
}

void endpoint_destroy_all(struct engine *e)
{
	struct hnode *n;

	while ((n = hmap_iter(&e->endpoints, NULL))) {
		hmap_remove(&e->endpoints, n);
		free(hmap_entry(n, struct endpoint, by_addr));
	}
	hmap_destroy(&e->endpoints);
}

int engine_clear_busy(struct engine *e, uint64_t now, const struct l2tp_addr *addr)
{
	bool cleared = false;

	e->now = now;
	for (struct hnode *n = hmap_iter(&e->endpoints, NULL); n; n = hmap_iter(&e->endpoints, n)) {
		struct endpoint *ep = hmap_entry(n, struct endpoint, by_addr);

		if ((!addr || l2tp_addr_equal(&ep->addr, addr)) && ep->busy_until > now) {
			ep->busy_until = 0;
			engine_touch_endpoint(e, ep);
			cleared = true;
		}
	}
	engine_settle(e);
	return cleared ? 0 : -ENOENT;
}
