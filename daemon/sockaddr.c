/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sockaddr.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

socklen_t sockaddr_from_l2tp(const struct l2tp_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->addr, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(a->port);
	memcpy(&s4->sin_addr, a->addr, 4);
	return sizeof(*s4);
}

int sockaddr_to_l2tp(const struct sockaddr *sa, socklen_t len, struct l2tp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;

		a->family = AF_INET;
		a->port = ntohs(s4->sin_port);
		memcpy(a->addr, &s4->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;

		a->family = AF_INET6;
		a->port = ntohs(s6->sin6_port);
		memcpy(a->addr, &s6->sin6_addr, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}
