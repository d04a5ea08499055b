/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The canonical form of a configuration (l2tpkd --check-config): every key of every section
 * with the value in effect, defaults included, in the order of l2tpkd.conf(5), durations in
 * seconds (milliseconds when not whole), addresses with their ports. A setting that is absent
 * (no secret, no pppd options file, a [peer]'s resync mode left to [global]) is a comment
 * saying so. conf_load() reads the output back to the same configuration, and printing that
 * again gives the same text. Secrets are printed: the output is a configuration file, to be
 * kept as private as the one it came from.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

/* Lists are cut into lines of at most this many columns (an item that is longer stands alone). */
#define WRAP 76

/* A list printed as "key = a, b" lines; the key is repeated on each line it needs. */
struct wrap {
	FILE *f;
	const char *key, *sep;
	size_t col; /* 0: no line open */
};

static void wrap_add(struct wrap *w, const char *item)
{
	size_t n = strlen(item);

	if (w->col && w->col + strlen(w->sep) + n <= WRAP) {
		w->col += (size_t)fprintf(w->f, "%s%s", w->sep, item);
		return;
	}
	if (w->col)
		fputc('\n', w->f);
	w->col = (size_t)fprintf(w->f, "%s = %s", w->key, item);
}

/* Ends the list; an empty one is the comment "# key: none". */
static void wrap_end(struct wrap *w, const char *none)
{
	if (w->col)
		fputc('\n', w->f);
	else
		fprintf(w->f, "# %s: %s\n", w->key, none);
}

static void print_str(FILE *f, const char *key, const char *value, const char *none)
{
	if (value)
		fprintf(f, "%s = %s\n", key, value);
	else
		fprintf(f, "# %s: %s\n", key, none);
}

static void print_bool(FILE *f, const char *key, bool b)
{
	fprintf(f, "%s = %s\n", key, b ? "yes" : "no");
}

static void print_duration(FILE *f, const char *key, uint32_t ms)
{
	char s[16];

	conf_duration_str(ms, s);
	fprintf(f, "%s = %s\n", key, s);
}

static void print_refusal(FILE *f, const char *key, const struct engine_refusal *r)
{
	if (r->error)
		fprintf(f, "%s = %u/%u\n", key, r->result, r->error);
	else
		fprintf(f, "%s = %u\n", key, r->result);
}

static void print_pppd(FILE *f, const struct conf_pppd *pppd)
{
	struct wrap w = { f, "pppd-extra", " ", 0 };

	print_str(f, "pppd-options", pppd->options_file, "none");
	for (const char *const *word = pppd->extra; *word; word++)
		wrap_add(&w, *word);
	wrap_end(&w, "none");
}

static void print_global(const struct l2tpkd_conf *c, FILE *f)
{
	const struct engine_config *e = &c->engine;
	struct wrap w = { f, "listen", ", ", 0 };
	char s[L2TP_ADDR_STRLEN];

	fprintf(f, "[global]\n");
	print_str(f, "host-name", e->host_name, "none");
	if (e->vendor_name)
		fprintf(f, "vendor-name = %s\n", e->vendor_name);
	else
		fprintf(f, "vendor-name =\n");
	for (unsigned i = 0; i < c->n_listen; i++)
		wrap_add(&w, l2tp_addr_str(&c->listen[i], s));
	wrap_end(&w, "none");
	fprintf(f, "log-level = %s\n", conf_log_level_name(e->log_level));
	print_duration(f, "hello-interval", e->hello_ms);
	print_duration(f, "retransmit-initial", e->xport.rtx_initial_ms);
	print_duration(f, "retransmit-cap", e->xport.rtx_cap_ms);
	fprintf(f, "retransmit-retries = %u\n", e->xport.rtx_retries);
	fprintf(f, "receive-window = %u\n", e->xport.rwin);
	print_duration(f, "id-quarantine", e->id_quarantine_ms);
	print_bool(f, "tie-breaker", e->send_tie_breaker);
	print_bool(f, "accept-outgoing-calls", e->accept_outgoing_calls);
	fprintf(f, "failover-resync = %s\n", engine_resync_name(e->resync));
	print_bool(f, "disable-failover-protocol", c->disable_failover_protocol);
	print_duration(f, "failover-recovery-time", e->recovery_time_ms);
	print_str(f, "pppd", c->pppd_path, "none");
	print_str(f, "pppd-plugin", c->pppd_plugin, "none");
	fprintf(f, "pppd-start-limit = %u\n", c->pppd_start_limit);
	print_str(f, "secret", e->secret, "none");
	print_bool(f, "hide-avps", e->hide_avps);
}

static void print_lns(const struct l2tpkd_conf *c, FILE *f)
{
	const struct engine_config *e = &c->engine;
	struct wrap w = { f, "accept-from", ", ", 0 };
	char s[L2TP_ADDR_STRLEN + 8], ip[CONF_IPV4_STRLEN], ip2[CONF_IPV4_STRLEN];

	fprintf(f, "\n[lns]\n");
	print_bool(f, "accept", c->lns_enabled);
	for (unsigned i = 0; i < c->n_accept_from; i++) {
		conf_ip_str(&c->accept_from[i].addr, s);
		snprintf(s + strlen(s), sizeof(s) - strlen(s), "/%u", c->accept_from[i].len);
		wrap_add(&w, s);
	}
	wrap_end(&w, "anyone");
	fprintf(f, "max-tunnels = %u\n", e->limits.max_tunnels);
	fprintf(f, "max-sessions = %u\n", e->limits.max_sessions);
	fprintf(f, "max-sessions-per-tunnel = %u\n", e->limits.max_sessions_per_tunnel);
	fprintf(f, "session-rate = %u\n", e->limits.session_rate);
	fprintf(f, "session-burst = %u\n", e->limits.session_burst);
	print_refusal(f, "refuse-tunnel", &e->refuse_tunnel);
	print_refusal(f, "refuse-session", &e->refuse_session);
	print_bool(f, "send-seq", e->lns_send_seq);
	print_duration(f, "recv-timeout", e->recv_timeout_ms);
	if (c->lns_local_ip)
		fprintf(f, "local-ip = %s\n", conf_ipv4_str(c->lns_local_ip, ip));
	else
		fprintf(f, "# local-ip: none\n");
	if (c->pool_last)
		fprintf(f, "ip-pool = %s-%s\n", conf_ipv4_str(c->pool_first, ip), conf_ipv4_str(c->pool_last, ip2));
	else
		fprintf(f, "# ip-pool: none\n");
	print_pppd(f, &c->lns_pppd);
}

static void print_peer(const struct l2tpkd_conf *c, const struct conf_peer *peer, FILE *f)
{
	char s[L2TP_ADDR_STRLEN];

	fprintf(f, "\n[peer %s]\n", peer->name);
	fprintf(f, "address = %s\n", l2tp_addr_str(&peer->addr, s));
	if (peer->has_local)
		fprintf(f, "local = %s\n", conf_ip_str(&peer->local, s));
	else
		fprintf(f, "# local: any\n");
	print_str(f, "secret", peer->secret, c->engine.secret ? "the one in [global]" : "none");
	print_bool(f, "hide-avps", peer->hide_avps);
	if (peer->resync == ENGINE_RESYNC_DEFAULT)
		fprintf(f, "# failover-resync: the one in [global]\n");
	else
		fprintf(f, "failover-resync = %s\n", engine_resync_name(peer->resync));
	print_bool(f, "disable-failover-protocol", peer->disable_failover_protocol);
	print_pppd(f, &peer->pppd);
}

/* Each endpoint as written (a [peer] name, or an address with its port), every option given. */
static void print_group(const struct conf_group *g, FILE *f)
{
	char s[L2TP_ADDR_STRLEN];

	fprintf(f, "\n[group %s]\n", g->name);
	for (size_t i = 0; i < g->engine->n_endpoints; i++) {
		const struct engine_endpoint *ep = &g->engine->endpoints[i];
		const char *name = g->lns[i].peer ? g->lns[i].peer : l2tp_addr_str(&ep->addr, s);

		fprintf(f, "lns = %s priority %u weight %u", name, ep->priority, ep->weight);
		if (g->lns[i].secret)
			fprintf(f, " secret %s", g->lns[i].secret);
		fputc('\n', f);
	}
	print_duration(f, "busy-timeout", g->engine->busy_ms);
	fprintf(f, "sccrq-retries = %u\n", g->engine->sccrq_retries);
	fprintf(f, "max-sessions-per-tunnel = %u\n", g->engine->max_sessions_per_tunnel);
	print_duration(f, "idle-timeout", g->engine->idle_ms);
	print_pppd(f, &g->pppd);
}

void conf_print(const struct l2tpkd_conf *c, FILE *f)
{
	print_global(c, f);
	print_lns(c, f);
	for (unsigned i = 0; i < c->n_peers; i++)
		print_peer(c, &c->peers[i], f);
	for (unsigned i = 0; i < c->n_groups; i++)
		print_group(&c->groups[i], f);
}
