/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the control server may ask of the shell (shell.h): open and clear tunnels, place and
 * clear calls. Each runs one engine event and carries out its actions before it returns.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "shell_int.h"

struct engine *shell_engine(struct shell *sh)
{
	return sh->engine;
}

struct kglue *shell_kglue(struct shell *sh)
{
	return sh->kglue;
}

const struct l2tpkd_conf *shell_conf(struct shell *sh)
{
	return sh->conf->conf;
}

/* A [peer] by name or address, or an address not in the configuration (default settings). */
static int resolve_peer(struct shell *sh, const char *peer, struct l2tp_addr *addr, const struct conf_peer **cp,
			char *why, size_t why_len)
{
	*cp = conf_peer_find(sh->conf->conf, peer);
	if (*cp) {
		*addr = (*cp)->addr;
		return 0;
	}
	if (conf_parse_addr(peer, L2TP_PORT, addr) < 0) {
		snprintf(why, why_len, "'%s' is neither a [peer] of %s nor an address", peer, sh->conf_path);
		return -EINVAL;
	}
	return 0;
}

/* A socket of ours already connected from this port to addr. */
static bool port_taken(struct shell *sh, uint16_t port, const struct l2tp_addr *addr)
{
	for (struct hnode *n = hmap_iter(&sh->tunnels, NULL); n; n = hmap_iter(&sh->tunnels, n)) {
		const struct sh_tunnel *t = hmap_entry(n, struct sh_tunnel, by_id);

		if (t->local.port == port && l2tp_addr_equal(&t->peer, addr))
			return true;
	}
	return false;
}

/*
 * Our end of a tunnel to addr: the peer's local setting or any address, on the listening port
 * (peers expect 1701 both ways). A second tunnel to the same peer takes a port of its own:
 * two sockets with one address pair cannot be told apart, and kernels before 6.11 find a
 * tunnel's data by its socket (spec/linux-kernel-l2tp.md §3).
 */
void shell_local_for(struct shell *sh, const struct l2tp_addr *addr, const struct conf_peer *cp,
		     struct l2tp_addr *local)
{
	memset(local, 0, sizeof(*local));
	if (cp && cp->has_local)
		*local = cp->local;
	local->family = addr->family;
	local->port = 0;
	for (unsigned i = 0; i < sh->n_listeners; i++)
		if (sh->listeners[i].addr.family == addr->family) {
			local->port = sh->listeners[i].addr.port;
			break;
		}
	if (local->port && port_taken(sh, local->port, addr))
		local->port = 0;
}

static int open_tunnel(struct shell *sh, const struct l2tp_addr *addr, const struct conf_peer *cp, uint16_t *tunnel_id,
		       char *why, size_t why_len)
{
	char s[L2TP_ADDR_STRLEN];
	struct l2tp_addr local;
	struct sh_tunnel *t;
	int r;

	if (sh->stopping) {
		snprintf(why, why_len, "l2tpkd is stopping");
		return -ESHUTDOWN;
	}
	shell_local_for(sh, addr, cp, &local);
	t = shell_tunnel_socket(sh, &local, addr, &r);
	if (!t) {
		snprintf(why, why_len, "no socket to %s: %s", l2tp_addr_str(addr, s), strerror(-r));
		return r;
	}
	r = engine_open_tunnel(sh->engine, shell_now(), &t->local, addr, tunnel_id);
	if (r >= 0 && (r = shell_tunnel_attach(sh, t, *tunnel_id)) < 0)
		(void)engine_close_tunnel(sh->engine, shell_now(), *tunnel_id,
					  &(struct engine_disconnect){ .result = 2, .error = 4 });
	if (r < 0) {
		shell_tunnel_close(sh, t);
		snprintf(why, why_len, "cannot open a tunnel to %s: %s", l2tp_addr_str(addr, s),
			 r == -EBUSY ? "max-tunnels reached" : strerror(-r));
	}
	shell_engine_done(sh);
	return r;
}

int shell_tunnel_add(struct shell *sh, const char *peer, uint16_t *tunnel_id, char *why, size_t why_len)
{
	const struct conf_peer *cp;
	struct l2tp_addr addr;
	int r = resolve_peer(sh, peer, &addr, &cp, why, why_len);

	return r < 0 ? r : open_tunnel(sh, &addr, cp, tunnel_id, why, why_len);
}

int shell_tunnel_local(struct shell *sh, uint16_t tunnel_id, struct l2tp_addr *local)
{
	const struct sh_tunnel *t = shell_tunnel_find(sh, tunnel_id);

	if (!t)
		return -ENOENT;
	*local = t->local;
	return 0;
}

int shell_tunnel_del(struct shell *sh, uint16_t tunnel_id)
{
	static const struct engine_disconnect by_operator = { .result = 1, .message = "cleared by the operator" };
	int r = engine_close_tunnel(sh->engine, shell_now(), tunnel_id, &by_operator);

	shell_engine_done(sh);
	return r;
}

/* A tunnel we opened to this host that is up or coming up: calls share it. */
struct reuse {
	const struct l2tp_addr *addr;
	uint16_t found;
	bool established;
};

static int match_tunnel(const struct engine_tunnel_view *v, void *arg)
{
	struct reuse *u = arg;

	if (!v->originator || !l2tp_addr_same_host(&v->peer, u->addr) || v->closing)
		return 0;
	if (!u->found || (v->established && !u->established)) {
		u->found = v->tunnel_id;
		u->established = v->established;
	}
	return 0;
}

int shell_session_add(struct shell *sh, const char *peer, uint16_t tunnel_id, const struct engine_call_info *info,
		      uint16_t *out_tunnel_id, uint16_t *out_session_id, char *why, size_t why_len)
{
	const struct conf_peer *cp = NULL;
	struct l2tp_addr addr;
	int r;

	if (!tunnel_id) {
		struct reuse u = { .addr = &addr };

		r = resolve_peer(sh, peer, &addr, &cp, why, why_len);
		if (r < 0)
			return r;
		engine_walk_tunnels(sh->engine, match_tunnel, &u);
		tunnel_id = u.found;
		if (!tunnel_id && (r = open_tunnel(sh, &addr, cp, &tunnel_id, why, why_len)) < 0)
			return r;
	}
	r = engine_place_call(sh->engine, shell_now(), tunnel_id, ENGINE_CALL_INCOMING, info, out_session_id);
	shell_engine_done(sh);
	if (r < 0) {
		static const char *const reasons[] = {
			[ENOENT] = "no such tunnel",
			[ESHUTDOWN] = "the tunnel is closing",
			[EBUSY] = "session limit reached, or the peer has not acknowledged what was sent",
			[ENOSPC] = "no free session ID",
		};
		int e = -r;

		snprintf(why, why_len, "tunnel %u: %s", tunnel_id,
			 e < (int)(sizeof(reasons) / sizeof(reasons[0])) && reasons[e] ? reasons[e] : strerror(e));
		return r;
	}
	*out_tunnel_id = tunnel_id;
	return 0;
}

int shell_session_request(struct shell *sh, const char *group, const struct engine_call_info *info,
			  uint32_t *request_id, char *why, size_t why_len)
{
	int r;

	if (sh->stopping) {
		snprintf(why, why_len, "l2tpkd is stopping");
		return -ESHUTDOWN;
	}
	r = engine_request_call(sh->engine, shell_now(), group, info, request_id, why, why_len);
	shell_engine_done(sh);
	return r;
}

int shell_session_del(struct shell *sh, uint16_t tunnel_id, uint16_t session_id)
{
	static const struct engine_disconnect by_operator = { .result = 3, .message = "cleared by the operator" };
	int r = engine_close_session(sh->engine, shell_now(), tunnel_id, session_id, &by_operator);

	shell_engine_done(sh);
	return r;
}
