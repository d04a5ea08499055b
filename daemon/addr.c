/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "engine_int.h"

static size_t addr_len(const struct l2tp_addr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}

const char *l2tp_addr_str(const struct l2tp_addr *a, char buf[L2TP_ADDR_STRLEN])
{
	char host[INET6_ADDRSTRLEN];

	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, a->addr, host, sizeof(host))) {
		snprintf(buf, L2TP_ADDR_STRLEN, "(family %u)", a->family);
		return buf;
	}
	snprintf(buf, L2TP_ADDR_STRLEN, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", host, a->port);
	return buf;
}

bool l2tp_addr_same_host(const struct l2tp_addr *a, const struct l2tp_addr *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, addr_len(a)) == 0;
}

bool l2tp_addr_equal(const struct l2tp_addr *a, const struct l2tp_addr *b)
{
	return l2tp_addr_same_host(a, b) && a->port == b->port;
}

uint32_t l2tp_addr_hash(const struct l2tp_addr *a, uint16_t extra, uint32_t seed)
{
	struct {
		uint16_t family, extra;
		uint8_t addr[16];
	} k;

	memset(&k, 0, sizeof(k));
	k.family = a->family;
	k.extra = extra;
	memcpy(k.addr, a->addr, addr_len(a));
	return hmap_hash(&k, sizeof(k), seed);
}
