/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * [group NAME] sections of l2tpkd.conf: the LNS endpoints a LAC places a call through with
 * extended failover (engine.h, struct engine_group). An lns line names its endpoint by
 * address or by [peer] name, and a [peer] may come later in the file, so the lines are kept
 * as read and resolved once the whole file is read: then each endpoint gets its address, the
 * repeats and the secrets are checked, and the engine is given the groups and, for a host
 * with no [peer], the secret an lns line set for it (the engine finds secrets by host).
 */
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

#define DEFAULT_BUSY_MS	      60000
#define DEFAULT_SCCRQ_RETRIES 5
#define DEFAULT_IDLE_MS	      60000
#define DEFAULT_PRIORITY      1
#define DEFAULT_WEIGHT	      1
#define MAX_WEIGHT	      1000
/*
 * The longest secret an lns line may give, so that its canonical form fits in a value:
 * "[IPv6]:PORT" is at most 47 characters and " priority 255 weight 1000 secret " 33.
 */
#define MAX_SECRET 80
_Static_assert(47 + 33 + MAX_SECRET <= CONF_MAX_VALUE, "the canonical lns line must fit in a value");

static const char options[] = "expected priority N, weight N or secret WORD";

/* Doubles *cap (8 at first) and reallocs *v to it. */
static bool grow(struct conf_parse *p, void **v, unsigned *cap, size_t size)
{
	unsigned n = *cap ? 2 * *cap : 8;
	void *bigger = realloc(*v, n * size);

	if (!bigger) {
		p->oom = true;
		return false;
	}
	*v = bigger;
	*cap = n;
	return true;
}

void conf_group_section(struct conf_parse *p, const char *name)
{
	struct conf_group_parse *g;

	p->section = CONF_SEC_SKIP;
	if (!*name) {
		conf_error(p, p->line, "[group]: a name is required: [group NAME]");
		return;
	}
	if (!conf_name_valid(name)) {
		conf_error(p, p->line, "[group %s]: a name is 1 to %d of A-Z a-z 0-9 . _ -", name,
			   CONF_NAME_MAX);
		return;
	}
	if (p->n_groups == CONF_MAX_GROUPS) {
		conf_error(p, p->line, "[group %s]: more than %d groups", name, CONF_MAX_GROUPS);
		return;
	}
	if (p->n_groups == p->groups_cap && !grow(p, (void **)&p->groups, &p->groups_cap, sizeof(*p->groups)))
		return;
	g = &p->groups[p->n_groups];
	memset(g, 0, sizeof(*g));
	g->name = conf_strdup(p, name);
	if (!g->name)
		return;
	g->line = p->line;
	g->pppd.extra = conf_no_words;
	g->engine = (struct engine_group){
		.name = g->name,
		.busy_ms = DEFAULT_BUSY_MS,
		.sccrq_retries = DEFAULT_SCCRQ_RETRIES,
		.idle_ms = DEFAULT_IDLE_MS,
	};
	p->group = p->n_groups++;
	p->key_lines = g->key_lines;
	p->section = CONF_SEC_GROUP;
}

/* "priority N" or "weight N": once, a number in [min, max]. */
static bool option_number(struct conf_parse *p, const struct conf_key *k, const char *name, const char *arg,
			  uint32_t min, uint32_t max, bool *seen, uint32_t *out)
{
	size_t n = arg ? strlen(arg) : 0;

	if (*seen) {
		conf_key_error(p, k, "%s: given twice", name);
		return false;
	}
	*seen = true;
	if (!arg) {
		conf_key_error(p, k, "%s: a number is required after it", name);
		return false;
	}
	if (!n || strspn(arg, "0123456789") != n) {
		conf_key_error(p, k, "%s \"%s\": not a whole number", name, arg);
		return false;
	}
	/* Nine digits cannot overflow; more are out of range anyway. */
	*out = n > 9 ? UINT32_MAX : (uint32_t)strtoul(arg, NULL, 10);
	if (*out < min || *out > max) {
		conf_key_error(p, k, "%s \"%s\": out of range (%u to %u)", name, arg, min, max);
		return false;
	}
	return true;
}

/* "secret WORD": once, never quoted. */
static bool option_secret(struct conf_parse *p, const struct conf_key *k, const char *arg,
			  struct conf_lns_line *l)
{
	if (l->secret) {
		conf_key_error(p, k, "secret: given twice");
		return false;
	}
	if (!arg) {
		conf_key_error(p, k, "secret: a word is required after it");
		return false;
	}
	if (strlen(arg) > MAX_SECRET) {
		conf_key_error(p, k, "secret: longer than %d characters", MAX_SECRET);
		return false;
	}
	l->secret = conf_strdup(p, arg);
	return l->secret != NULL;
}

/* The options after the endpoint, in any order; a word after a secret may be part of it. */
static bool lns_options(struct conf_parse *p, const struct conf_key *k, char **save, struct conf_lns_line *l)
{
	bool priority = false, weight = false;
	uint32_t v;
	char *w;

	while ((w = strtok_r(NULL, " \t", save))) {
		char *arg = strtok_r(NULL, " \t", save);

		if (!strcmp(w, "priority")) {
			if (!option_number(p, k, w, arg, 0, UINT8_MAX, &priority, &v))
				return false;
			l->priority = (uint8_t)v;
		} else if (!strcmp(w, "weight")) {
			if (!option_number(p, k, w, arg, 1, MAX_WEIGHT, &weight, &v))
				return false;
			l->weight = (uint16_t)v;
		} else if (!strcmp(w, "secret")) {
			if (!option_secret(p, k, arg, l))
				return false;
		} else {
			if (l->secret)
				conf_key_error(p, k, "a word after the secret is not an option (%s)",
					       options);
			else
				conf_key_error(p, k, "\"%s\": not an option (%s)", w, options);
			return false;
		}
	}
	return true;
}

/* "ENDPOINT [priority N] [weight N] [secret WORD]": one endpoint of the current group. */
void conf_parse_lns(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	struct conf_group_parse *g = &p->groups[p->group];
	struct conf_lns_line l = {
		.group = p->group, .line = p->line, .priority = DEFAULT_PRIORITY, .weight = DEFAULT_WEIGHT
	};
	char copy[CONF_MAX_VALUE + 1], *save = NULL, *endpoint;
	struct l2tp_addr a;
	const char *why;

	if (g->engine.n_endpoints == ENGINE_GROUP_MAX_ENDPOINTS) {
		conf_key_error(p, k, "more than %d endpoints in a group", ENGINE_GROUP_MAX_ENDPOINTS);
		return;
	}
	snprintf(copy, sizeof(copy), "%s", value);
	endpoint = strtok_r(copy, " \t", &save);
	if (!endpoint) {
		conf_key_error(p, k, "a value is required");
		return;
	}
	/* A name may be of a [peer] further on: looked up at the end. */
	if (!conf_name_valid(endpoint) && conf_parse_addr_why(endpoint, CONF_DEFAULT_PORT, &a, &why) < 0) {
		conf_key_error(p, k, "\"%s\": %s", endpoint, why);
		return;
	}
	if (!lns_options(p, k, &save, &l))
		return;
	l.endpoint = conf_strdup(p, endpoint);
	if (!l.endpoint)
		return;
	if (p->n_lns == p->lns_cap && !grow(p, (void **)&p->lns, &p->lns_cap, sizeof(*p->lns)))
		return;
	p->lns[p->n_lns++] = l;
	g->engine.n_endpoints++;
}

const struct engine_group *conf_group_find(const struct l2tpkd_conf *c, const char *name)
{
	for (size_t i = 0; i < c->engine.n_groups; i++)
		if (!strcmp(c->engine.groups[i].name, name))
			return &c->engine.groups[i];
	return NULL;
}

const struct conf_group *conf_group_by_host(const struct l2tpkd_conf *c, const struct l2tp_addr *a)
{
	for (unsigned i = 0; i < c->n_groups; i++)
		for (size_t k = 0; k < c->groups[i].engine->n_endpoints; k++)
			if (l2tp_addr_same_host(&c->groups[i].engine->endpoints[k].addr, a))
				return &c->groups[i];
	return NULL;
}

static int host_cmp(const struct l2tp_addr *x, const struct l2tp_addr *y)
{
	int r = x->family - y->family;

	return r ? r : memcmp(x->addr, y->addr, sizeof(x->addr));
}

static int peer_by_name(const void *a, const void *b)
{
	const struct conf_peer *x = *(const struct conf_peer *const *)a;
	const struct conf_peer *y = *(const struct conf_peer *const *)b;

	return strcmp(x->name, y->name);
}

static int peer_by_host(const void *a, const void *b)
{
	const struct conf_peer *x = *(const struct conf_peer *const *)a;
	const struct conf_peer *y = *(const struct conf_peer *const *)b;

	return host_cmp(&x->addr, &y->addr);
}

/* The [peer]s sorted by name and by host (those with an address), for bsearch. */
struct peer_index {
	const struct conf_peer **by_name, **by_host;
	size_t n_hosts;
};

static bool index_peers(struct conf_parse *p, struct peer_index *ix)
{
	const struct l2tpkd_conf *c = p->c;

	ix->by_name = malloc(c->n_peers * sizeof(*ix->by_name) + 1);
	ix->by_host = malloc(c->n_peers * sizeof(*ix->by_host) + 1);
	ix->n_hosts = 0;
	if (!ix->by_name || !ix->by_host) {
		p->oom = true;
		return false;
	}
	for (unsigned i = 0; i < c->n_peers; i++) {
		ix->by_name[i] = &c->peers[i];
		if (c->peers[i].addr.family)
			ix->by_host[ix->n_hosts++] = &c->peers[i];
	}
	qsort(ix->by_name, c->n_peers, sizeof(*ix->by_name), peer_by_name);
	qsort(ix->by_host, ix->n_hosts, sizeof(*ix->by_host), peer_by_host);
	return true;
}

static const struct conf_peer *find_by_name(const struct conf_parse *p, const struct peer_index *ix,
					    const char *name)
{
	struct conf_peer key = { .name = name };
	const struct conf_peer *k = &key, **found;

	found = bsearch(&k, ix->by_name, p->c->n_peers, sizeof(*ix->by_name), peer_by_name);
	return found ? *found : NULL;
}

static const struct conf_peer *find_by_host(const struct peer_index *ix, const struct l2tp_addr *a)
{
	struct conf_peer key = { .addr = *a };
	const struct conf_peer *k = &key, **found;

	found = bsearch(&k, ix->by_host, ix->n_hosts, sizeof(*ix->by_host), peer_by_host);
	return found ? *found : NULL;
}

/* An lns line with a secret for a host that has no [peer]. */
struct host_secret {
	struct l2tp_addr addr;
	const struct conf_lns_line *l;
	bool first; /* of its host: becomes an engine peer */
};

/* Where the resolution writes: the groups as built, and the secrets for hosts without a [peer]. */
struct build {
	struct conf_group *groups;
	struct engine_group *engine;
	struct conf_group_lns **lns;	    /* per group, filled up to engine[i].n_endpoints */
	struct engine_endpoint **endpoints; /* likewise */
	struct host_secret *secrets;
	unsigned n_secrets;
};

/* The address of l's endpoint, and its [peer] if it named one; false if reported (or the
   [peer] has no address, which is reported at the [peer]). */
static bool resolve(struct conf_parse *p, const struct peer_index *ix, const struct conf_lns_line *l,
		    struct l2tp_addr *a, const struct conf_peer **named)
{
	const char *why;

	*named = find_by_name(p, ix, l->endpoint);
	if (*named) {
		*a = (*named)->addr;
		return a->family != 0;
	}
	if (conf_parse_addr_why(l->endpoint, CONF_DEFAULT_PORT, a, &why) < 0) {
		conf_error(p, l->line, "lns: \"%s\": no [peer %s], and not an IP address", l->endpoint,
			   l->endpoint);
		return false;
	}
	if (!conf_addr_unicast(a)) {
		conf_error(p, l->line, "lns: \"%s\": not a unicast address", l->endpoint);
		return false;
	}
	return true;
}

/* The secret of a host with a [peer] is the [peer]'s: an lns line may only repeat it. */
static bool secret_agrees(struct conf_parse *p, const struct conf_peer *host, const struct conf_lns_line *l)
{
	const char *in_effect = host->secret ? host->secret : p->c->engine.secret;

	if (!l->secret || (in_effect && !strcmp(in_effect, l->secret)))
		return true;
	if (in_effect)
		conf_error(p, l->line,
			   "lns: \"%s\": the secret of [peer %s] applies to this host; set it there",
			   l->endpoint, host->name);
	else
		conf_error(p, l->line,
			   "lns: \"%s\": this host is [peer %s], which has no secret; set it there",
			   l->endpoint, host->name);
	return false;
}

static void add_endpoint(struct conf_parse *p, const struct peer_index *ix, struct build *b,
			 const struct conf_lns_line *l)
{
	struct engine_group *g = &b->engine[l->group];
	const struct conf_peer *named, *host;
	char s[L2TP_ADDR_STRLEN];
	struct l2tp_addr a;

	if (!resolve(p, ix, l, &a, &named))
		return;
	for (size_t i = 0; i < g->n_endpoints; i++)
		if (l2tp_addr_equal(&b->endpoints[l->group][i].addr, &a)) {
			conf_error(p, l->line, "lns: \"%s\": the same endpoint (%s) as line %u", l->endpoint,
				   l2tp_addr_str(&a, s), b->lns[l->group][i].line);
			return;
		}
	host = named ? named : find_by_host(ix, &a);
	if (host && !secret_agrees(p, host, l))
		return;
	if (!host && l->secret)
		b->secrets[b->n_secrets++] = (struct host_secret){ .addr = a, .l = l };
	b->endpoints[l->group][g->n_endpoints] = (struct engine_endpoint){
		.addr = a,
		.priority = l->priority,
		.weight = l->weight,
	};
	b->lns[l->group][g->n_endpoints++] = (struct conf_group_lns){
		.peer = named ? named->name : NULL,
		.secret = l->secret,
		.line = l->line,
	};
}

/* By host, then by line. */
static int secret_by_host(const void *a, const void *b)
{
	const struct host_secret *x = a, *y = b;
	int r = host_cmp(&x->addr, &y->addr);

	return r ? r : (x->l->line > y->l->line) - (x->l->line < y->l->line);
}

static int secret_by_line(const void *a, const void *b)
{
	const struct host_secret *x = a, *y = b;

	return (x->l->line > y->l->line) - (x->l->line < y->l->line);
}

/* One secret per host: the first line's; the engine is given it, after the [peer]s. */
static void add_engine_peers(struct conf_parse *p, struct build *b)
{
	struct l2tpkd_conf *c = p->c;
	struct engine_peer_config *peers;
	unsigned extra = 0, n;

	qsort(b->secrets, b->n_secrets, sizeof(*b->secrets), secret_by_host);
	for (unsigned i = 0, run = 0; i < b->n_secrets; i++) {
		if (host_cmp(&b->secrets[i].addr, &b->secrets[run].addr))
			run = i;
		if (run == i) {
			b->secrets[i].first = true;
			extra++;
		} else if (strcmp(b->secrets[i].l->secret, b->secrets[run].l->secret)) {
			conf_error(p, b->secrets[i].l->line,
				   "lns: \"%s\": another secret for this host on line %u",
				   b->secrets[i].l->endpoint, b->secrets[run].l->line);
		}
	}
	if (!extra)
		return;
	qsort(b->secrets, b->n_secrets, sizeof(*b->secrets), secret_by_line);
	peers = realloc(c->engine_peers, (c->n_peers + extra) * sizeof(*peers));
	if (!peers) {
		p->oom = true;
		return;
	}
	c->engine_peers = peers;
	n = c->n_peers;
	for (unsigned i = 0; i < b->n_secrets; i++)
		if (b->secrets[i].first)
			peers[n++] = (struct engine_peer_config){
				.addr = b->secrets[i].addr,
				.secret = b->secrets[i].l->secret,
				.hide_avps = c->engine.hide_avps,
			};
	c->engine.peers = peers;
	c->engine.n_peers = n;
}

/* The arrays of b, in the arena (the scratch ones freed by build_free). */
static bool build_alloc(struct conf_parse *p, struct build *b)
{
	unsigned n = p->n_groups;

	b->groups = conf_alloc(p, n * sizeof(*b->groups));
	b->engine = conf_alloc(p, n * sizeof(*b->engine));
	b->lns = calloc(n + 1, sizeof(*b->lns));
	b->endpoints = calloc(n + 1, sizeof(*b->endpoints));
	b->secrets = calloc(p->n_lns + 1, sizeof(*b->secrets));
	if (!b->groups || !b->engine || !b->lns || !b->endpoints || !b->secrets) {
		p->oom = true;
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		size_t kept = p->groups[i].engine.n_endpoints;

		b->engine[i] = p->groups[i].engine;
		b->engine[i].n_endpoints = 0;
		b->lns[i] = conf_alloc(p, kept * sizeof(*b->lns[i]) + 1);
		b->endpoints[i] = conf_alloc(p, kept * sizeof(*b->endpoints[i]) + 1);
		if (!b->lns[i] || !b->endpoints[i])
			return false;
		b->engine[i].endpoints = b->endpoints[i];
		b->groups[i] = (struct conf_group){
			.name = p->groups[i].name,
			.line = p->groups[i].line,
			.engine = &b->engine[i],
			.lns = b->lns[i],
			.pppd = p->groups[i].pppd,
		};
	}
	return true;
}

static void build_free(struct build *b)
{
	free(b->lns);
	free(b->endpoints);
	free(b->secrets);
}

/* Each group on its own: a name of its own, and an lns line. */
static void check_sections(struct conf_parse *p)
{
	for (unsigned i = 0; i < p->n_groups; i++) {
		const struct conf_group_parse *g = &p->groups[i];

		for (unsigned j = 0; j < i; j++)
			if (!strcmp(p->groups[j].name, g->name)) {
				conf_error(p, g->line, "[group %s]: name already used on line %u", g->name,
					   p->groups[j].line);
				break;
			}
		/* A bad lns line was reported on its line. */
		if (!conf_key_line(p, CONF_SEC_GROUP, i, "lns"))
			conf_error(p, g->line, "[group %s]: at least one lns = ... line is required",
				   g->name);
	}
}

void conf_check_groups(struct conf_parse *p)
{
	struct peer_index ix = { 0 };
	struct build b = { 0 };

	check_sections(p);
	if (!p->n_groups)
		return;
	if (index_peers(p, &ix) && build_alloc(p, &b)) {
		for (unsigned i = 0; i < p->n_lns; i++)
			add_endpoint(p, &ix, &b, &p->lns[i]);
		add_engine_peers(p, &b);
		p->c->groups = b.groups;
		p->c->n_groups = p->n_groups;
		p->c->engine.groups = b.engine;
		p->c->engine.n_groups = p->n_groups;
	}
	build_free(&b);
	free(ix.by_name);
	free(ix.by_host);
}
