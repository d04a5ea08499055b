/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Addresses in l2tpkd.conf: literal IPv4/IPv6 addresses with optional ports (no names: the
 * daemon must not wait for DNS, nor change peers when DNS does), the listen list, the
 * accept-from prefixes, a peer's address and local address, and the look-ups the daemon makes
 * with them (conf_peer_find, conf_accepts_from). IPv4-mapped IPv6 addresses are made IPv4, so
 * one host has one spelling.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

static const uint8_t v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* ::ffff:192.0.2.1 becomes 192.0.2.1; true if it was IPv4-mapped. */
static bool unmap(struct l2tp_addr *a)
{
	if (a->family != AF_INET6 || memcmp(a->addr, v4_mapped_prefix, sizeof(v4_mapped_prefix)))
		return false;
	memmove(a->addr, a->addr + 12, 4);
	memset(a->addr + 4, 0, 12);
	a->family = AF_INET;
	return true;
}

/* A literal address without a port; IPv4-mapped IPv6 becomes IPv4 (*mapped set). 0 or -EINVAL. */
static int parse_ip(const char *s, struct l2tp_addr *out, bool *mapped)
{
	memset(out, 0, sizeof(*out));
	*mapped = false;
	if (inet_pton(AF_INET, s, out->addr) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->addr) != 1)
		return -EINVAL;
	out->family = AF_INET6;
	*mapped = unmap(out);
	return 0;
}

/* 1 to 65535, decimal digits only. */
static int parse_port(const char *s, uint16_t *port)
{
	size_t n = strlen(s);
	unsigned v = 0;

	if (n == 0 || n > 5 || strspn(s, "0123456789") != n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	if (v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* Splits s into the host and what follows it (NULL: no port); *why on a bad shape. */
static int split_host(const char *s, char *host, size_t host_len, const char **port, bool *bracketed,
		      const char **why)
{
	const char *end = s + strlen(s);
	const char *colon = strchr(s, ':');

	*port = NULL;
	*bracketed = s[0] == '[';
	if (*bracketed) {
		s++;
		end = strchr(s, ']');
		*why = "missing \"]\" after the IPv6 address";
		if (!end)
			return -EINVAL;
		*why = "expected \":PORT\" after \"]\"";
		if (end[1] && end[1] != ':')
			return -EINVAL;
		if (end[1])
			*port = end + 2;
	} else if (colon && !strchr(colon + 1, ':')) {
		/* One colon: IPv4 with a port. More: IPv6, which takes brackets to have a port. */
		end = colon;
		*port = colon + 1;
	}
	*why = "not an IP address (literal addresses only, IPv6 with a port in brackets)";
	if ((size_t)(end - s) >= host_len)
		return -EINVAL;
	memcpy(host, s, (size_t)(end - s));
	host[end - s] = '\0';
	return 0;
}

int conf_parse_addr_why(const char *s, uint16_t default_port, struct l2tp_addr *out, const char **why)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port;
	bool bracketed, mapped;
	struct l2tp_addr a;

	if (split_host(s, host, sizeof(host), &port, &bracketed, why) < 0)
		return -EINVAL;
	*why = "not an IP address (literal addresses only, IPv6 with a port in brackets)";
	if (parse_ip(host, &a, &mapped) < 0)
		return -EINVAL;
	*why = "brackets are for IPv6 addresses";
	if (bracketed && a.family == AF_INET && !mapped)
		return -EINVAL;
	a.port = default_port;
	*why = "port must be 1 to 65535";
	if (port && parse_port(port, &a.port) < 0)
		return -EINVAL;
	*why = NULL;
	*out = a;
	return 0;
}

int conf_parse_addr(const char *s, uint16_t default_port, struct l2tp_addr *out)
{
	const char *why;

	return conf_parse_addr_why(s, default_port, out, &why);
}

static bool unspecified(const struct l2tp_addr *a)
{
	static const uint8_t zero[16];

	return !memcmp(a->addr, zero, a->family == AF_INET ? 4 : 16);
}

bool conf_addr_unicast(const struct l2tp_addr *a)
{
	static const uint8_t broadcast[4] = { 255, 255, 255, 255 };

	if (unspecified(a))
		return false;
	if (a->family == AF_INET)
		return (a->addr[0] & 0xf0) != 0xe0 && memcmp(a->addr, broadcast, 4);
	return a->addr[0] != 0xff;
}

const char *conf_ip_str(const struct l2tp_addr *a, char buf[L2TP_ADDR_STRLEN])
{
	if (!inet_ntop(a->family, a->addr, buf, L2TP_ADDR_STRLEN))
		snprintf(buf, L2TP_ADDR_STRLEN, "(family %u)", a->family);
	return buf;
}

/* Calls fn for each comma-separated item, blanks trimmed, until one fails. */
static void each_item(struct conf_parse *p, const struct conf_key *k, const char *value,
		      bool (*fn)(struct conf_parse *p, const struct conf_key *k, const char *item))
{
	char item[CONF_MAX_VALUE + 1];

	for (const char *s = value;; s++) {
		size_t n = strcspn(s, ","), skip = strspn(s, " \t");

		while (n > skip && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n <= skip) {
			conf_key_error(p, k, "an empty item in the list");
			return;
		}
		memcpy(item, s + skip, n - skip);
		item[n - skip] = '\0';
		if (!fn(p, k, item))
			return;
		s += strcspn(s, ",");
		if (!*s)
			return;
	}
}

static bool listen_add(struct conf_parse *p, const struct conf_key *k, const struct l2tp_addr *a)
{
	struct l2tpkd_conf *c = p->c;
	char s[L2TP_ADDR_STRLEN];

	for (unsigned i = 0; i < c->n_listen; i++)
		if (l2tp_addr_equal(&c->listen[i], a)) {
			conf_key_error(p, k, "%s is listed twice", l2tp_addr_str(a, s));
			return false;
		}
	if (c->n_listen == CONF_MAX_LISTEN) {
		conf_key_error(p, k, "more than %d addresses (\"*\" counts as two)", CONF_MAX_LISTEN);
		return false;
	}
	c->listen[c->n_listen++] = *a;
	return true;
}

static bool listen_item(struct conf_parse *p, const struct conf_key *k, const char *item)
{
	struct l2tp_addr a = { .family = AF_INET, .port = CONF_DEFAULT_PORT };
	const char *why;

	if (item[0] == '*') {
		if (item[1] && (item[1] != ':' || parse_port(item + 2, &a.port) < 0)) {
			conf_key_error(p, k, "\"%s\": expected \"*\" or \"*:PORT\" (PORT 1 to 65535)", item);
			return false;
		}
		if (!listen_add(p, k, &a))
			return false;
		a.family = AF_INET6;
		return listen_add(p, k, &a);
	}
	if (conf_parse_addr_why(item, CONF_DEFAULT_PORT, &a, &why) < 0) {
		conf_key_error(p, k, "\"%s\": %s", item, why);
		return false;
	}
	if (!conf_addr_unicast(&a) && !unspecified(&a)) {
		conf_key_error(p, k, "\"%s\": not a unicast address", item);
		return false;
	}
	return listen_add(p, k, &a);
}

void conf_parse_listen(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	each_item(p, k, value, listen_item);
}

static bool prefix_contains(const struct conf_prefix *pf, const struct l2tp_addr *a)
{
	unsigned bytes = pf->len / 8, bits = pf->len % 8;

	if (pf->addr.family != a->family || memcmp(pf->addr.addr, a->addr, bytes))
		return false;
	return !bits || !((pf->addr.addr[bytes] ^ a->addr[bytes]) & (0xff00 >> bits));
}

/* The prefix length after '/': 0 to max. */
static int parse_prefix_len(const char *s, unsigned max, unsigned *len)
{
	size_t n = strlen(s);

	if (n == 0 || n > 3 || strspn(s, "0123456789") != n)
		return -EINVAL;
	*len = 0;
	for (size_t i = 0; i < n; i++)
		*len = *len * 10 + (unsigned)(s[i] - '0');
	return *len <= max ? 0 : -EINVAL;
}

static bool prefix_add(struct conf_parse *p, const struct conf_key *k, const struct conf_prefix *pf)
{
	struct l2tpkd_conf *c = p->c;
	char s[L2TP_ADDR_STRLEN];

	for (unsigned i = 0; i < c->n_accept_from; i++)
		if (c->accept_from[i].len == pf->len &&
		    l2tp_addr_same_host(&c->accept_from[i].addr, &pf->addr)) {
			conf_key_error(p, k, "%s/%u is listed twice", conf_ip_str(&pf->addr, s), pf->len);
			return false;
		}
	if (c->n_accept_from == CONF_MAX_PREFIXES) {
		conf_key_error(p, k, "more than %d prefixes", CONF_MAX_PREFIXES);
		return false;
	}
	c->accept_from[c->n_accept_from++] = *pf;
	return true;
}

/* "ADDRESS" (one host) or "ADDRESS/LENGTH", with no bit set after LENGTH (a typo, likely). */
static bool prefix_item(struct conf_parse *p, const struct conf_key *k, const char *item)
{
	char host[INET6_ADDRSTRLEN + 1], s[L2TP_ADDR_STRLEN];
	size_t n = strcspn(item, "/");
	struct conf_prefix pf = { 0 };
	struct l2tp_addr given;
	unsigned len, max;
	bool mapped;

	if (n < sizeof(host)) {
		memcpy(host, item, n);
		host[n] = '\0';
	}
	if (n >= sizeof(host) || parse_ip(host, &given, &mapped) < 0) {
		conf_key_error(p, k, "\"%s\": not ADDRESS or ADDRESS/LENGTH", item);
		return false;
	}
	max = given.family == AF_INET && !mapped ? 32 : 128;
	len = max;
	if (item[n] && parse_prefix_len(item + n + 1, max, &len) < 0) {
		conf_key_error(p, k, "\"%s\": the length must be 0 to %u", item, max);
		return false;
	}
	if (mapped && len < 96) {
		conf_key_error(p, k, "\"%s\": an IPv4-mapped prefix needs a length of 96 or more", item);
		return false;
	}
	pf.len = (uint8_t)(mapped ? len - 96 : len);
	pf.addr.family = given.family;
	memcpy(pf.addr.addr, given.addr, pf.len / 8);
	if (pf.len % 8)
		pf.addr.addr[pf.len / 8] = given.addr[pf.len / 8] & (uint8_t)(0xff00 >> (pf.len % 8));
	if (!l2tp_addr_same_host(&pf.addr, &given)) {
		conf_key_error(p, k, "\"%s\": bits set after the length (the prefix is %s/%u)", item,
			       conf_ip_str(&pf.addr, s), pf.len);
		return false;
	}
	return prefix_add(p, k, &pf);
}

void conf_parse_accept_from(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	each_item(p, k, value, prefix_item);
}

void conf_parse_peer_address(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	struct l2tp_addr a;
	const char *why;

	if (conf_parse_addr_why(value, CONF_DEFAULT_PORT, &a, &why) < 0)
		conf_key_error(p, k, "\"%s\": %s", value, why);
	else if (!conf_addr_unicast(&a))
		conf_key_error(p, k, "\"%s\": not a unicast address", value);
	else
		*(struct l2tp_addr *)dst = a;
}

/* An address only: the daemon binds tunnel sockets to the listening port (they share it). */
void conf_parse_peer_local(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	struct l2tp_addr a;
	const char *why;

	if (conf_parse_addr_why(value, 0, &a, &why) < 0) {
		conf_key_error(p, k, "\"%s\": %s", value, why);
	} else if (!conf_addr_unicast(&a)) {
		conf_key_error(p, k, "\"%s\": not a unicast address (leave local out for any)", value);
	} else if (a.port) {
		conf_key_error(p, k, "\"%s\": an address without a port (tunnels use the port of listen)",
			       value);
	} else {
		*(struct l2tp_addr *)dst = a;
		p->c->peers[p->peer].has_local = true;
	}
}

bool conf_accepts_from(const struct l2tpkd_conf *c, const struct l2tp_addr *a)
{
	struct l2tp_addr host = *a;

	if (!c->n_accept_from)
		return true;
	unmap(&host);
	for (unsigned i = 0; i < c->n_accept_from; i++)
		if (prefix_contains(&c->accept_from[i], &host))
			return true;
	return conf_peer_by_host(c, &host) != NULL;
}

const struct conf_peer *conf_peer_by_host(const struct l2tpkd_conf *c, const struct l2tp_addr *a)
{
	struct l2tp_addr host = *a;

	unmap(&host);
	for (unsigned i = 0; i < c->n_peers; i++)
		if (l2tp_addr_same_host(&c->peers[i].addr, &host))
			return &c->peers[i];
	return NULL;
}

const struct conf_peer *conf_peer_find(const struct l2tpkd_conf *c, const char *name_or_addr)
{
	struct l2tp_addr a;

	for (unsigned i = 0; i < c->n_peers; i++)
		if (!strcmp(c->peers[i].name, name_or_addr))
			return &c->peers[i];
	if (conf_parse_addr(name_or_addr, 0, &a) < 0)
		return NULL;
	for (unsigned i = 0; i < c->n_peers; i++)
		if (l2tp_addr_same_host(&c->peers[i].addr, &a) &&
		    (!a.port || a.port == c->peers[i].addr.port))
			return &c->peers[i];
	return NULL;
}

/* An IPv4 unicast address in host byte order, for pppd's "local:remote". */
static bool ipv4_host(struct conf_parse *p, const struct conf_key *k, const char *text, uint32_t *out)
{
	struct l2tp_addr a;
	const char *why;

	if (conf_parse_addr_why(text, 0, &a, &why) < 0) {
		conf_key_error(p, k, "\"%s\": %s", text, why);
		return false;
	}
	if (a.family != AF_INET || a.port || !conf_addr_unicast(&a)) {
		conf_key_error(p, k, "\"%s\": not an IPv4 unicast address without a port", text);
		return false;
	}
	*out = (uint32_t)a.addr[0] << 24 | (uint32_t)a.addr[1] << 16 | (uint32_t)a.addr[2] << 8 | a.addr[3];
	return true;
}

void conf_parse_ipv4(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	(void)ipv4_host(p, k, value, dst);
}

/* "FIRST-LAST": the remote addresses the LNS hands out; at most CONF_MAX_POOL of them. */
void conf_parse_ip_pool(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	char first[CONF_MAX_VALUE + 1];
	const char *dash = strchr(value, '-');
	uint32_t lo, hi;

	if (!dash || (size_t)(dash - value) >= sizeof(first)) {
		conf_key_error(p, k, "\"%s\": not FIRST-LAST", value);
		return;
	}
	memcpy(first, value, (size_t)(dash - value));
	first[dash - value] = 0;
	if (!ipv4_host(p, k, first, &lo) || !ipv4_host(p, k, dash + 1, &hi))
		return;
	if (hi < lo)
		conf_key_error(p, k, "\"%s\": the last address is below the first", value);
	else if (hi - lo >= CONF_MAX_POOL)
		conf_key_error(p, k, "\"%s\": more than %u addresses", value, CONF_MAX_POOL);
	else {
		p->c->pool_first = lo;
		p->c->pool_last = hi;
	}
}

const char *conf_ipv4_str(uint32_t addr, char buf[CONF_IPV4_STRLEN])
{
	snprintf(buf, CONF_IPV4_STRLEN, "%u.%u.%u.%u", addr >> 24, addr >> 16 & 255, addr >> 8 & 255, addr & 255);
	return buf;
}
