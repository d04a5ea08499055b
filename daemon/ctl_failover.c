/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl's extended failover commands, daemon side: peer show (the endpoints of the peer
 * groups with their busy state, tunnels, sessions and failover counters), peer clear-busy,
 * and on the LNS side drain and lns show (admission limits, drain, totals).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ctl_cmds.h"
#include "log.h"
#include "shell.h"

/* peer show: the next endpoint to send, by group and endpoint index (a reload ends it early). */
struct peer_dump {
	int only_group; /* -1: every group */
	size_t group, endpoint;
};

static const char *endpoint_state(const struct engine_endpoint_view *v)
{
	if (v->busy_ms_left)
		return "busy";
	if (v->tunnels_up)
		return "up";
	return v->tunnels ? "opening" : "no tunnel";
}

static int put_endpoint(struct shell *sh, struct ctl_out *out, const struct engine_endpoint_view *v)
{
	const struct l2tpkd_conf *conf = shell_conf(sh);
	const struct conf_peer *p = conf ? conf_peer_by_host(conf, &v->endpoint->addr) : NULL;
	uint64_t busy = v->busy_ms_left > UINT32_MAX ? UINT32_MAX : v->busy_ms_left;
	struct ctl_msg m;

	ctl_out_begin(out, &m);
	ctl_put_str(&m, L2TPKD_CTL_A_GROUP, v->group->name, L2TPKD_CTL_PEER_MAX);
	ctl_put_addr(&m, L2TPKD_CTL_A_PEER_IP, L2TPKD_CTL_A_PEER_PORT, &v->endpoint->addr);
	if (p)
		ctl_put_str(&m, L2TPKD_CTL_A_PEER_NAME, p->name, L2TPKD_CTL_TEXT_MAX);
	ctl_put_u8(&m, L2TPKD_CTL_A_PRIORITY, v->endpoint->priority);
	ctl_put_u16(&m, L2TPKD_CTL_A_WEIGHT, v->endpoint->weight);
	ctl_put_str(&m, L2TPKD_CTL_A_STATE, endpoint_state(v), L2TPKD_CTL_TEXT_MAX);
	ctl_put_u32(&m, L2TPKD_CTL_A_BUSY_MS, (uint32_t)busy);
	ctl_put_u32(&m, L2TPKD_CTL_A_TUNNELS, v->tunnels);
	ctl_put_u32(&m, L2TPKD_CTL_A_TUNNELS_UP, v->tunnels_up);
	ctl_put_u32(&m, L2TPKD_CTL_A_SESSIONS, v->sessions);
	ctl_put_u32(&m, L2TPKD_CTL_A_SESSIONS_UP, v->sessions_up);
	ctl_put_u32(&m, L2TPKD_CTL_A_FAILOVERS_FROM, v->failovers_from);
	ctl_put_u32(&m, L2TPKD_CTL_A_FAILOVERS_TO, v->failovers_to);
	ctl_put_u32(&m, L2TPKD_CTL_A_ATTEMPTS, v->attempts);
	return ctl_out_end(out, &m);
}

int ctl_peer_dump_start(const struct ctl_request *req, void **state, char *why, size_t why_len)
{
	struct peer_dump *d;
	const char *group = NULL;
	int g = -1;

	if (req->tb[L2TPKD_CTL_A_GROUP]) {
		group = ctl_request_text(req, L2TPKD_CTL_A_GROUP, "group", why, why_len);
		if (!group)
			return -EINVAL;
		g = engine_group_index(shell_engine(req->ctx), group);
		if (g < 0) {
			snprintf(why, why_len, "no peer group '%s'", group);
			return -ENOENT;
		}
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->only_group = g;
	d->group = g < 0 ? 0 : (size_t)g;
	*state = d;
	return 0;
}

int ctl_peer_dump_next(void *ctx, void *state, struct ctl_out *out, char *why, size_t why_len)
{
	struct shell *sh = ctx;
	struct peer_dump *d = state;
	struct engine_endpoint_view v;
	int r;

	while (!ctl_out_full(out)) {
		if (engine_endpoint_view(shell_engine(sh), shell_now(), d->group, d->endpoint, &v) == 0) {
			r = put_endpoint(sh, out, &v);
			if (r < 0)
				return r;
			d->endpoint++;
			continue;
		}
		/* Past this group's last endpoint: the next group, unless one was asked for. */
		if (d->only_group >= 0 || d->endpoint == 0)
			return 0;
		d->group++;
		d->endpoint = 0;
	}
	return 1;
}

void ctl_peer_dump_free(void *state)
{
	free(state);
}

/* The endpoints PEER names: an address (any port if none given) or a [peer]'s address. */
static int peer_addr(struct shell *sh, const char *text, struct l2tp_addr *a, bool *any_port, char *why,
		     size_t why_len)
{
	const struct l2tpkd_conf *conf = shell_conf(sh);
	const struct conf_peer *p = conf ? conf_peer_find(conf, text) : NULL;

	*any_port = false;
	if (p && strcmp(p->name, text) == 0) {
		*a = p->addr;
		return 0;
	}
	if (conf_parse_addr(text, 0, a) < 0) {
		snprintf(why, why_len, "'%s' is neither an address nor a [peer]", text);
		return -EINVAL;
	}
	*any_port = a->port == 0;
	return 0;
}

/* Clears every endpoint of group g (all groups: g < 0) that matches a (NULL: any). */
static int clear_matching(struct shell *sh, int g, const struct l2tp_addr *a, bool any_port)
{
	struct engine *e = shell_engine(sh);
	struct engine_endpoint_view v;
	uint64_t now = shell_now();
	bool cleared = false;

	for (size_t gi = g < 0 ? 0 : (size_t)g; engine_endpoint_view(e, now, gi, 0, &v) == 0; gi++) {
		for (size_t i = 0; engine_endpoint_view(e, now, gi, i, &v) == 0; i++) {
			const struct l2tp_addr *ep = &v.endpoint->addr;

			if (a && !(any_port ? l2tp_addr_same_host(ep, a) : l2tp_addr_equal(ep, a)))
				continue;
			cleared |= engine_clear_busy(e, now, ep) == 0;
		}
		if (g >= 0)
			break;
	}
	return cleared ? 0 : -ENOENT;
}

int ctl_peer_clear_busy(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	struct shell *sh = req->ctx;
	const char *peer = NULL, *group = NULL;
	struct l2tp_addr a;
	bool any_port = false;
	int g = -1, r = 0;

	if (req->tb[L2TPKD_CTL_A_GROUP] && !(group = ctl_request_text(req, L2TPKD_CTL_A_GROUP, "group", why, why_len)))
		return -EINVAL;
	if (req->tb[L2TPKD_CTL_A_PEER] && !(peer = ctl_request_text(req, L2TPKD_CTL_A_PEER, "peer", why, why_len)))
		return -EINVAL;
	if (group && (g = engine_group_index(shell_engine(sh), group)) < 0) {
		snprintf(why, why_len, "no peer group '%s'", group);
		r = -ENOENT;
	}
	if (r == 0 && peer)
		r = peer_addr(sh, peer, &a, &any_port, why, why_len);
	if (r == 0 && (r = clear_matching(sh, g, peer ? &a : NULL, any_port)) < 0) {
		if (peer)
			snprintf(why, why_len, "%s was not busy%s%s", peer, group ? " in group " : "", group ? group : "");
		else
			snprintf(why, why_len, "no endpoint%s%s was busy", group ? " of group " : "", group ? group : "");
	}
	log_notice("control: uid %u pid %d: peer clear-busy%s%s%s%s: %s", (unsigned)req->uid, (int)req->pid,
		   peer ? " address " : "", peer ? peer : "", group ? " group " : "", group ? group : "",
		   r < 0 ? why : "cleared");
	return r;
}

int ctl_drain(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	struct engine *e = shell_engine(req->ctx);
	bool on;

	if (!req->tb[L2TPKD_CTL_A_DRAIN]) {
		snprintf(why, why_len, "the request says neither on nor off");
		return -EINVAL;
	}
	on = mnl_attr_get_u8(req->tb[L2TPKD_CTL_A_DRAIN]) != 0;
	log_notice("control: uid %u pid %d: drain %s%s", (unsigned)req->uid, (int)req->pid, on ? "on" : "off",
		   on ? ": new tunnels and calls are refused with result 2 error 7 (try another)"
		      : ": new tunnels and calls are accepted");
	engine_set_drain(e, on);
	return 0;
}

int ctl_lns_show(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	const struct l2tpkd_conf *conf = shell_conf(req->ctx);
	const struct engine_config *c = &conf->engine;
	struct engine *e = shell_engine(req->ctx);
	struct nlattr *nest;
	struct ctl_msg m;

	ctl_out_begin(out, &m);
	ctl_put_u8(&m, L2TPKD_CTL_A_ACCEPTING, c->accept_tunnels);
	ctl_put_u8(&m, L2TPKD_CTL_A_DRAIN, engine_draining(e));
	nest = ctl_nest_begin(&m, L2TPKD_CTL_A_LIMITS);
	ctl_put_u32(&m, L2TPKD_CTL_LIMITS_A_MAX_TUNNELS, c->limits.max_tunnels);
	ctl_put_u32(&m, L2TPKD_CTL_LIMITS_A_MAX_SESSIONS, c->limits.max_sessions);
	ctl_put_u32(&m, L2TPKD_CTL_LIMITS_A_MAX_SESSIONS_PER_TUNNEL, c->limits.max_sessions_per_tunnel);
	ctl_put_u32(&m, L2TPKD_CTL_LIMITS_A_SESSION_RATE, c->limits.session_rate);
	ctl_put_u32(&m, L2TPKD_CTL_LIMITS_A_SESSION_BURST, c->limits.session_burst);
	ctl_put_u32(&m, L2TPKD_CTL_LIMITS_A_REFUSE_TUNNEL_RESULT, c->refuse_tunnel.result);
	ctl_put_u32(&m, L2TPKD_CTL_LIMITS_A_REFUSE_TUNNEL_ERROR, c->refuse_tunnel.error);
	ctl_put_u32(&m, L2TPKD_CTL_LIMITS_A_REFUSE_SESSION_RESULT, c->refuse_session.result);
	ctl_put_u32(&m, L2TPKD_CTL_LIMITS_A_REFUSE_SESSION_ERROR, c->refuse_session.error);
	ctl_nest_end(&m, nest);
	ctl_put_engine(&m, e);
	return ctl_out_end(out, &m);
}
