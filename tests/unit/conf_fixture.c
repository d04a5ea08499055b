/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the conf suite's files share (conf_tests.h): loading a file or a text with its error
 * lines, printing the canonical form, and the round trip that compares every setting by value.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_tests.h"
#include "suites.h"

/* snprintf() for paths, which must fit. */
void path_fmt(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	ck_assert(r >= 0 && (size_t)r < n);
}

char *replace_all(const char *s, const char *from, const char *to)
{
	size_t nf = strlen(from), nt = strlen(to), n = 0;
	char *out, *o;

	for (const char *p = s; (p = strstr(p, from)); p += nf)
		n++;
	out = o = malloc(strlen(s) + n * nt + 1);
	ck_assert_ptr_nonnull(out);
	for (const char *p; (p = strstr(s, from)); s = p + nf) {
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		memcpy(o, to, nt);
		o += nt;
	}
	strcpy(o, s);
	return out;
}

/* conf_load() with its error text, in which the path is "@FILE@". */
int load(const char *path, struct l2tpkd_conf **c, char **errors)
{
	char *text = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&text, &len);
	int r;

	ck_assert_ptr_nonnull(err);
	r = conf_load(path, c, err);
	fclose(err);
	*errors = replace_all(text, path, "@FILE@");
	free(text);
	ck_assert(r < 0 ? *c == NULL && **errors : *c != NULL && !**errors);
	return r;
}

/* The same for text written to a temporary file. */
int load_text(const char *text, size_t len, struct l2tpkd_conf **c, char **errors)
{
	char path[] = "/tmp/l2tpkd-conf-XXXXXX";
	int fd = mkstemp(path), r;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	r = load(path, c, errors);
	unlink(path);
	return r;
}

char *print(const struct l2tpkd_conf *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	conf_print(c, f);
	fclose(f);
	return text;
}

int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool words_same(const char *const *a, const char *const *b)
{
	for (; *a && *b; a++, b++)
		if (strcmp(*a, *b))
			return false;
	return !*a && !*b;
}

static void assert_peers_same(const struct l2tpkd_conf *a, const struct l2tpkd_conf *b)
{
	ck_assert_uint_eq(a->n_peers, b->n_peers);
	ck_assert_uint_eq(a->engine.n_peers, b->engine.n_peers);
	ck_assert_ptr_eq(a->engine.peers, a->engine_peers);
	ck_assert_ptr_eq(b->engine.peers, b->engine_peers);
	for (unsigned i = 0; i < a->n_peers; i++) {
		const struct conf_peer *x = &a->peers[i], *y = &b->peers[i];

		ck_assert_str_eq(x->name, y->name);
		ck_assert(l2tp_addr_equal(&x->addr, &y->addr));
		ck_assert(x->has_local == y->has_local &&
			  (!x->has_local || l2tp_addr_equal(&x->local, &y->local)));
		ck_assert(str_same(x->secret, y->secret) && x->hide_avps == y->hide_avps);
		ck_assert(x->resync == y->resync &&
			  x->disable_failover_protocol == y->disable_failover_protocol);
		ck_assert(str_same(x->pppd.options_file, y->pppd.options_file));
		ck_assert(words_same(x->pppd.extra, y->pppd.extra));
	}
	/* One per [peer], then the hosts of [group] endpoints with secrets of their own. */
	for (size_t i = 0; i < a->engine.n_peers; i++) {
		ck_assert(l2tp_addr_equal(&a->engine.peers[i].addr, &b->engine.peers[i].addr));
		ck_assert(str_same(a->engine.peers[i].secret, b->engine.peers[i].secret));
		ck_assert(a->engine.peers[i].hide_avps == b->engine.peers[i].hide_avps);
		ck_assert(a->engine.peers[i].resync == b->engine.peers[i].resync);
		ck_assert(a->engine.peers[i].disable_failover_protocol ==
			  b->engine.peers[i].disable_failover_protocol);
	}
}

static void assert_groups_same(const struct l2tpkd_conf *a, const struct l2tpkd_conf *b)
{
	ck_assert_uint_eq(a->n_groups, b->n_groups);
	ck_assert_uint_eq(a->engine.n_groups, a->n_groups);
	ck_assert_uint_eq(b->engine.n_groups, b->n_groups);
	for (unsigned i = 0; i < a->n_groups; i++) {
		const struct conf_group *x = &a->groups[i], *y = &b->groups[i];
		const struct engine_group *ex = &a->engine.groups[i], *ey = &b->engine.groups[i];

		ck_assert(x->engine == ex && y->engine == ey);
		ck_assert_str_eq(x->name, y->name);
		ck_assert_str_eq(ex->name, ey->name);
		ck_assert(ex->busy_ms == ey->busy_ms && ex->sccrq_retries == ey->sccrq_retries);
		ck_assert(ex->max_sessions_per_tunnel == ey->max_sessions_per_tunnel && ex->idle_ms == ey->idle_ms);
		ck_assert(str_same(x->pppd.options_file, y->pppd.options_file));
		ck_assert(words_same(x->pppd.extra, y->pppd.extra));
		ck_assert_uint_eq(ex->n_endpoints, ey->n_endpoints);
		for (size_t j = 0; j < ex->n_endpoints; j++) {
			ck_assert(l2tp_addr_equal(&ex->endpoints[j].addr, &ey->endpoints[j].addr));
			ck_assert(ex->endpoints[j].priority == ey->endpoints[j].priority);
			ck_assert(ex->endpoints[j].weight == ey->endpoints[j].weight);
			ck_assert(str_same(x->lns[j].peer, y->lns[j].peer));
			ck_assert(str_same(x->lns[j].secret, y->lns[j].secret));
		}
	}
}

/* Every setting, compared as values (not as text). */
static void assert_same(const struct l2tpkd_conf *a, const struct l2tpkd_conf *b)
{
	const struct engine_config *x = &a->engine, *y = &b->engine;

	ck_assert(str_same(x->host_name, y->host_name) && str_same(x->vendor_name, y->vendor_name));
	ck_assert(str_same(x->secret, y->secret) && x->hide_avps == y->hide_avps);
	ck_assert(!memcmp(&x->xport, &y->xport, sizeof(x->xport)));
	ck_assert(!memcmp(&x->limits, &y->limits, sizeof(x->limits)));
	ck_assert(!memcmp(&x->refuse_tunnel, &y->refuse_tunnel, sizeof(x->refuse_tunnel)));
	ck_assert(!memcmp(&x->refuse_session, &y->refuse_session, sizeof(x->refuse_session)));
	ck_assert(x->hello_ms == y->hello_ms && x->id_quarantine_ms == y->id_quarantine_ms);
	ck_assert(x->recv_timeout_ms == y->recv_timeout_ms && x->log_level == y->log_level);
	ck_assert(x->accept_tunnels == y->accept_tunnels &&
		  x->accept_outgoing_calls == y->accept_outgoing_calls);
	ck_assert(x->send_tie_breaker == y->send_tie_breaker && x->lns_send_seq == y->lns_send_seq);
	ck_assert(x->framing_caps == y->framing_caps && x->bearer_caps == y->bearer_caps);
	ck_assert(x->failover_flags == y->failover_flags && x->recovery_time_ms == y->recovery_time_ms);
	ck_assert(x->resync == y->resync && a->disable_failover_protocol == b->disable_failover_protocol);
	ck_assert(!x->random && !y->random);
	ck_assert_uint_eq(a->n_listen, b->n_listen);
	for (unsigned i = 0; i < a->n_listen; i++)
		ck_assert(l2tp_addr_equal(&a->listen[i], &b->listen[i]));
	ck_assert(str_same(a->pppd_path, b->pppd_path) && str_same(a->pppd_plugin, b->pppd_plugin));
	ck_assert_uint_eq(a->pppd_start_limit, b->pppd_start_limit);
	ck_assert(a->lns_enabled == b->lns_enabled);
	ck_assert_uint_eq(a->n_accept_from, b->n_accept_from);
	for (unsigned i = 0; i < a->n_accept_from; i++)
		ck_assert(a->accept_from[i].len == b->accept_from[i].len &&
			  l2tp_addr_same_host(&a->accept_from[i].addr, &b->accept_from[i].addr));
	ck_assert(str_same(a->lns_pppd.options_file, b->lns_pppd.options_file));
	ck_assert(words_same(a->lns_pppd.extra, b->lns_pppd.extra));
	assert_peers_same(a, b);
	assert_groups_same(a, b);
}

/* The canonical form loads to the same settings and prints the same again. */
void assert_round_trip(const struct l2tpkd_conf *c, const char *what)
{
	char *first = print(c), *again, *errors;
	struct l2tpkd_conf *back;

	if (load_text(first, strlen(first), &back, &errors) < 0)
		ck_abort_msg("%s: the canonical form does not load:\n%s\n%s", what, errors, first);
	assert_same(c, back);
	again = print(back);
	if (strcmp(first, again))
		ck_abort_msg("%s: printed twice differently:\n%s\n----\n%s", what, first, again);
	free(first);
	free(again);
	free(errors);
	conf_free(back);
}

const char *host_name(void)
{
	static char h[HOST_NAME_MAX + 1];

	if (gethostname(h, sizeof(h)) < 0 || !*h || h[strcspn(h, " \t#;")])
		return "l2tpkd";
	return h;
}
