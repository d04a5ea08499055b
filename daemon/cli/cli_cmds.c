/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl's commands: one exchange with the daemon each, printed through the one print path.
 * Output containers are opened with the first object, so a refused request prints nothing on
 * stdout (only the reason on stderr), while an empty answer still prints a valid JSON value.
 */
#include "cli_cmds.h"

#include <stdio.h>

#include "cli_conn.h"
#include "cli_show.h"
#include "config.h"

typedef int (*show_fn)(struct printer *p, cli_attrs tb, char *why, size_t why_len);

/* A list of objects, or one object made of one reply (add, version, lns show). */
struct listing {
	struct printer *p;
	show_fn show;
	bool opened;
};

/* stats: the totals, then tunnels, then sessions, as the daemon sends them. */
enum stats_section { STATS_NONE, STATS_TUNNELS, STATS_SESSIONS };
struct stats_listing {
	struct printer *p;
	bool opened;
	enum stats_section section;
};

/* Connects, runs the request with fn on each reply, closes. */
static int exchange(struct cli_ctx *x, struct cli_request *r, cli_reply_fn fn, void *arg, struct cli_conn *c)
{
	int ret = cli_connect(c, x->socket_path, x->why, sizeof(x->why));

	c->timeout_s = x->timeout_s;
	if (ret == CLI_EXIT_OK)
		ret = cli_transact(c, r, fn, arg, x->why, sizeof(x->why));
	return ret;
}

static int out_of_memory(struct cli_ctx *x)
{
	snprintf(x->why, sizeof(x->why), "out of memory");
	return CLI_EXIT_UNREACHABLE;
}

static int on_list_item(cli_attrs tb, void *arg, char *why, size_t why_len)
{
	struct listing *l = arg;

	if (!l->opened)
		pr_list_begin(l->p, NULL);
	l->opened = true;
	return l->show(l->p, tb, why, why_len);
}

static int run_list(struct cli_ctx *x, struct cli_request *r, show_fn show)
{
	struct listing l = { .p = pr_new(x->out, x->mode), .show = show };
	struct cli_conn c;
	int ret;

	if (!l.p)
		return out_of_memory(x);
	ret = exchange(x, r, on_list_item, &l, &c);
	if (ret == CLI_EXIT_OK && !l.opened)
		pr_list_begin(l.p, NULL);
	if (ret == CLI_EXIT_OK || l.opened)
		pr_list_end(l.p);
	pr_free(l.p);
	cli_close(&c);
	return ret;
}

int cli_run_tunnel_show(struct cli_ctx *x, struct cli_request *r)
{
	r->dump = !r->tunnel_id;
	return run_list(x, r, cli_show_tunnel);
}

int cli_run_session_show(struct cli_ctx *x, struct cli_request *r)
{
	r->dump = !r->tunnel_id || !r->session_id;
	return run_list(x, r, cli_show_session);
}

int cli_run_peer_show(struct cli_ctx *x, struct cli_request *r)
{
	r->dump = true;
	return run_list(x, r, cli_show_peer);
}

static int on_single(cli_attrs tb, void *arg, char *why, size_t why_len)
{
	struct listing *l = arg;
	int ret;

	if (l->opened) {
		snprintf(why, why_len, "bad answer from l2tpkd: more than one reply");
		return CLI_EXIT_PROTOCOL;
	}
	l->opened = true;
	pr_object_begin(l->p, NULL, NULL);
	ret = l->show(l->p, tb, why, why_len);
	pr_object_end(l->p);
	return ret;
}

static int run_single(struct cli_ctx *x, struct cli_request *r, show_fn show, bool needed)
{
	struct listing l = { .p = pr_new(x->out, x->mode), .show = show };
	struct cli_conn c;
	int ret;

	if (!l.p)
		return out_of_memory(x);
	ret = exchange(x, r, on_single, &l, &c);
	if (ret == CLI_EXIT_OK && needed && !l.opened) {
		snprintf(x->why, sizeof(x->why), "bad answer from l2tpkd: no reply before the acknowledgement");
		ret = CLI_EXIT_PROTOCOL;
	}
	pr_free(l.p);
	cli_close(&c);
	return ret;
}

int cli_run_add(struct cli_ctx *x, struct cli_request *r)
{
	return run_single(x, r, r->group ? cli_show_request : cli_show_ids, true);
}

int cli_run_change(struct cli_ctx *x, struct cli_request *r)
{
	struct cli_conn c;
	int ret = exchange(x, r, NULL, NULL, &c);

	cli_close(&c);
	return ret;
}

static int show_version(struct printer *p, cli_attrs tb, char *why, size_t why_len)
{
	return cli_show_version(p, tb, PACKAGE_VERSION, why, why_len);
}

int cli_run_version(struct cli_ctx *x, struct cli_request *r)
{
	return run_single(x, r, show_version, true);
}

int cli_run_lns_show(struct cli_ctx *x, struct cli_request *r)
{
	return run_single(x, r, cli_show_lns, true);
}

static void stats_section(struct stats_listing *s, enum stats_section want)
{
	static const char *const keys[] = { [STATS_TUNNELS] = "tunnels", [STATS_SESSIONS] = "sessions" };

	if (!s->opened)
		pr_object_begin(s->p, NULL, NULL);
	s->opened = true;
	while (s->section < want) {
		if (s->section != STATS_NONE)
			pr_list_end(s->p);
		s->section++;
		pr_list_begin(s->p, keys[s->section]);
	}
}

static int on_stats(cli_attrs tb, void *arg, char *why, size_t why_len)
{
	struct stats_listing *s = arg;

	if (tb[L2TPKD_CTL_A_ENGINE]) {
		if (s->section != STATS_NONE) {
			snprintf(why, why_len, "bad answer from l2tpkd: totals after the tunnels");
			return CLI_EXIT_PROTOCOL;
		}
		stats_section(s, STATS_NONE);
		return cli_show_engine(s->p, tb, why, why_len);
	}
	if (tb[L2TPKD_CTL_A_SESSION_ID]) {
		stats_section(s, STATS_SESSIONS);
		return cli_show_session_stats(s->p, tb, why, why_len);
	}
	if (s->section > STATS_TUNNELS) {
		snprintf(why, why_len, "bad answer from l2tpkd: a tunnel after the sessions");
		return CLI_EXIT_PROTOCOL;
	}
	stats_section(s, STATS_TUNNELS);
	return cli_show_tunnel_stats(s->p, tb, why, why_len);
}

int cli_run_stats(struct cli_ctx *x, struct cli_request *r)
{
	struct stats_listing s = { .p = pr_new(x->out, x->mode) };
	struct cli_conn c;
	int ret;

	if (!s.p)
		return out_of_memory(x);
	r->dump = true;
	ret = exchange(x, r, on_stats, &s, &c);
	if (ret == CLI_EXIT_OK)
		stats_section(&s, STATS_SESSIONS); /* every key, even for an empty list */
	if (s.section != STATS_NONE)
		pr_list_end(s.p);
	if (s.opened)
		pr_object_end(s.p);
	pr_free(s.p);
	cli_close(&c);
	return ret;
}

static int on_event(cli_attrs tb, void *arg, char *why, size_t why_len)
{
	struct cli_ctx *x = arg;
	struct printer *p = pr_new(x->out, x->mode);
	int ret;

	if (!p)
		return out_of_memory(x);
	ret = cli_show_event(p, tb, why, why_len);
	pr_free(p);
	fflush(x->out);
	return ret;
}

int cli_run_monitor(struct cli_ctx *x, struct cli_request *r)
{
	struct cli_conn c;
	int ret = exchange(x, r, NULL, NULL, &c);

	if (ret == CLI_EXIT_OK)
		ret = cli_events(&c, on_event, x, x->stop, x->why, sizeof(x->why));
	cli_close(&c);
	return ret;
}
