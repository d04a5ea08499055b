/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What can only be checked once the whole file is read: settings that depend on each other
 * (a key may come before the one it depends on, even in another section), the peers (names
 * and hosts unique, each with an address), the groups (conf_group.c: their endpoints may name
 * peers), and the engine's configuration built from it all.
 * Each problem is reported at the line of the key that can fix it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

static void check_timers_and_limits(struct conf_parse *p)
{
	const struct engine_config *e = &p->c->engine;
	unsigned initial = conf_key_line(p, CONF_SEC_GLOBAL, 0, "retransmit-initial");
	unsigned line;

	if (e->xport.rtx_cap_ms < e->xport.rtx_initial_ms) {
		if (initial)
			conf_error(p, initial, "retransmit-initial: above retransmit-cap");
		else
			conf_error(p, conf_key_line(p, CONF_SEC_GLOBAL, 0, "retransmit-cap"),
				   "retransmit-cap: below retransmit-initial");
	}
	line = conf_key_line(p, CONF_SEC_LNS, 0, "session-burst");
	if (e->limits.session_burst && !e->limits.session_rate)
		conf_error(p, line, "session-burst: needs session-rate");
	line = conf_key_line(p, CONF_SEC_GLOBAL, 0, "hide-avps");
	if (e->hide_avps && !e->secret)
		conf_error(p, line, "hide-avps: needs a secret in [global]");
}

/*
 * A [peer]'s disable-failover-protocol: the [global] value unless it says. Without the
 * capability in [global] (engine.failover_flags 0) no peer gets it: "no" here cannot undo that.
 */
static void check_peer_failover(struct conf_parse *p, unsigned i)
{
	static const char why[] = "[global] disable-failover-protocol = yes turns the failover protocol "
				  "off for every peer (set it per [peer] instead)";
	struct conf_peer *peer = &p->c->peers[i];
	unsigned line = conf_key_line(p, CONF_SEC_PEER, i, "disable-failover-protocol");

	if (!line)
		peer->disable_failover_protocol = p->c->disable_failover_protocol;
	else if (!peer->disable_failover_protocol && p->c->disable_failover_protocol)
		conf_error(p, line, "disable-failover-protocol: \"no\": %s", why);
}

/* A [peer] on its own: address given, local of the same family, a secret to hide AVPs with. */
static void check_peer(struct conf_parse *p, unsigned i)
{
	struct conf_peer *peer = &p->c->peers[i];
	unsigned hide = conf_key_line(p, CONF_SEC_PEER, i, "hide-avps");

	check_peer_failover(p, i);
	if (!hide)
		peer->hide_avps = p->c->engine.hide_avps;
	/* A bad address was reported on its line. */
	if (!peer->addr.family && !conf_key_line(p, CONF_SEC_PEER, i, "address"))
		conf_error(p, peer->line, "[peer %s]: address required", peer->name);
	else if (peer->addr.family && peer->has_local && peer->local.family != peer->addr.family)
		conf_error(p, conf_key_line(p, CONF_SEC_PEER, i, "local"),
			   "local: not of the same address family as address");
	/* Inherited from [global]: reported there. */
	if (hide && peer->hide_avps && !peer->secret && !p->c->engine.secret)
		conf_error(p, hide, "hide-avps: needs a secret in this [peer] or in [global]");
}

static int by_name(const void *a, const void *b)
{
	const struct conf_peer *x = *(const struct conf_peer *const *)a;
	const struct conf_peer *y = *(const struct conf_peer *const *)b;
	int r = strcmp(x->name, y->name);

	return r ? r : (x > y) - (x < y);
}

/* By host (the engine tells peers apart by host only), then by order in the file. */
static int by_host(const void *a, const void *b)
{
	const struct conf_peer *x = *(const struct conf_peer *const *)a;
	const struct conf_peer *y = *(const struct conf_peer *const *)b;
	int r = x->addr.family - y->addr.family;

	if (!r)
		r = memcmp(x->addr.addr, y->addr.addr, sizeof(x->addr.addr));
	return r ? r : (x > y) - (x < y);
}

/* Sorted, so ten thousand peers take no time; each repeat is reported against the first. */
static void check_unique(struct conf_parse *p)
{
	struct l2tpkd_conf *c = p->c;
	const struct conf_peer **v = malloc(c->n_peers * sizeof(*v) + 1);

	if (!v) {
		p->oom = true;
		return;
	}
	for (unsigned i = 0; i < c->n_peers; i++)
		v[i] = &c->peers[i];
	qsort(v, c->n_peers, sizeof(*v), by_name);
	for (unsigned i = 1, run = 0; i < c->n_peers; i++) {
		if (strcmp(v[i]->name, v[run]->name))
			run = i;
		else
			conf_error(p, v[i]->line, "[peer %s]: name already used on line %u", v[i]->name,
				   v[run]->line);
	}
	qsort(v, c->n_peers, sizeof(*v), by_host);
	for (unsigned i = 1, run = 0; i < c->n_peers; i++) {
		if (!v[i]->addr.family || !l2tp_addr_same_host(&v[i]->addr, &v[run]->addr))
			run = i;
		else
			conf_error(p, conf_key_line(p, CONF_SEC_PEER, (unsigned)(v[i] - c->peers), "address"),
				   "address: the same host as [peer %s] (line %u)", v[run]->name,
				   v[run]->line);
	}
	free(v);
}

/*
 * The engine's view: one entry per [peer], its own secret or else the one in [global], its
 * failover settings (a resync mode left out is the engine's ENGINE_RESYNC_DEFAULT: the global).
 * disable-failover-protocol in [global] leaves the Failover Capability AVP out altogether.
 */
static void build_engine(struct conf_parse *p)
{
	struct l2tpkd_conf *c = p->c;

	c->engine.accept_tunnels = c->lns_enabled;
	if (c->disable_failover_protocol)
		c->engine.failover_flags = 0;
	if (!c->n_peers)
		return;
	c->engine_peers = calloc(c->n_peers, sizeof(*c->engine_peers));
	if (!c->engine_peers) {
		p->oom = true;
		return;
	}
	for (unsigned i = 0; i < c->n_peers; i++)
		c->engine_peers[i] = (struct engine_peer_config){
			.addr = c->peers[i].addr,
			.secret = c->peers[i].secret ? c->peers[i].secret : c->engine.secret,
			.hide_avps = c->peers[i].hide_avps,
			.resync = c->peers[i].resync,
			.disable_failover_protocol = c->peers[i].disable_failover_protocol,
		};
	c->engine.peers = c->engine_peers;
	c->engine.n_peers = c->n_peers;
}

void conf_check(struct conf_parse *p)
{
	struct l2tpkd_conf *c = p->c;
	char why[160];

	if (!c->n_listen) {
		c->listen[c->n_listen++] = (struct l2tp_addr){ .family = AF_INET, .port = CONF_DEFAULT_PORT };
		c->listen[c->n_listen++] =
			(struct l2tp_addr){ .family = AF_INET6, .port = CONF_DEFAULT_PORT };
	}
	check_timers_and_limits(p);
	for (unsigned i = 0; i < c->n_peers; i++)
		check_peer(p, i);
	check_unique(p);
	if (c->pool_last && c->lns_local_ip >= c->pool_first && c->lns_local_ip <= c->pool_last)
		conf_error(p, conf_key_line(p, CONF_SEC_LNS, 0, "ip-pool"),
			   "ip-pool: contains local-ip, which is the LNS's own address");
	build_engine(p);
	if (!p->oom)
		conf_check_groups(p);
	/* The checks above cover the engine's: this catches a rule the engine gains later. */
	if (!p->n_errors && !p->n_dropped && !p->oom &&
	    conf_engine_validate(&c->engine, why, sizeof(why)) < 0)
		conf_error(p, 0, "the engine refuses this configuration: %s", why);
}
