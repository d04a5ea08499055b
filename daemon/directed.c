/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "directed.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

/* INET6_ADDRSTRLEN plus the brackets: any longer word is not an address. */
#define WORD_MAX 48

static bool word_addr(const char *w, size_t n, uint16_t port, struct l2tp_addr *a)
{
	char s[WORD_MAX];

	memset(a, 0, sizeof(*a));
	a->port = port;
	if (n >= 2 && w[0] == '[' && w[n - 1] == ']') {
		memcpy(s, w + 1, n - 2);
		s[n - 2] = '\0';
		a->family = AF_INET6;
		return inet_pton(AF_INET6, s, a->addr) == 1;
	}
	memcpy(s, w, n);
	s[n] = '\0';
	a->family = AF_INET;
	return inet_pton(AF_INET, s, a->addr) == 1;
}

static bool separator(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

size_t directed_parse(const char *text, size_t len, uint16_t port, struct l2tp_addr *out, size_t max,
		      unsigned *skipped)
{
	size_t n = 0, i = 0;

	*skipped = 0;
	while (i < len) {
		size_t start, wlen;
		struct l2tp_addr a;
		bool repeat = false;

		while (i < len && separator(text[i]))
			i++;
		start = i;
		while (i < len && !separator(text[i]))
			i++;
		wlen = i - start;
		if (!wlen)
			break;
		if (wlen >= WORD_MAX || memchr(text + start, '\0', wlen) ||
		    !word_addr(text + start, wlen, port, &a)) {
			(*skipped)++;
			continue;
		}
		for (size_t j = 0; j < n; j++)
			repeat |= l2tp_addr_equal(&out[j], &a);
		if (!repeat && n < max)
			out[n++] = a;
	}
	return n;
}
