/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's control commands: the table ctl_server.c dispatches to, the changing commands
 * (tunnel and session add/del, reload, restart) on the shell, version, monitor and the events it
 * streams. Each changing request is logged once, with who asked and what came of it.
 * Adding a command: a message type in include/l2tp/ctl.h, a handler here (or in ctl_show.c),
 * a row in commands[].
 */
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ctl_cmds.h"
#include "l2tp/wire.h"
#include "log.h"
#include "shell.h"

#define EVENT_BUF 2048 /* an event with the longest message (L2TPKD_CTL_TEXT_MAX) fits */

static void audit(const struct ctl_request *req, int r, const char *why, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "control: uid 1000 pid 42: tunnel del 5", or "...: tunnel del 5: refused: no tunnel 5". */
static void audit(const struct ctl_request *req, int r, const char *why, const char *fmt, ...)
{
	char what[L2TPKD_CTL_PEER_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (r < 0)
		log_notice("control: uid %u pid %d: %s: refused: %s", (unsigned)req->uid, (int)req->pid, what,
			   why && *why ? why : strerror(-r));
	else
		log_notice("control: uid %u pid %d: %s", (unsigned)req->uid, (int)req->pid, what);
}

const char *ctl_request_text(const struct ctl_request *req, uint16_t type, const char *what, char *why, size_t why_len)
{
	const char *text, *c;

	if (!req->tb[type]) {
		snprintf(why, why_len, "the request names no %s", what);
		return NULL;
	}
	text = mnl_attr_get_str(req->tb[type]);
	for (c = text; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			snprintf(why, why_len, "a %s has no control characters", what);
			return NULL;
		}
	return text;
}

static const char *request_peer(const struct ctl_request *req, char *why, size_t why_len)
{
	return ctl_request_text(req, L2TPKD_CTL_A_PEER, "peer name or address", why, why_len);
}

static int cmd_version(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	const struct l2tpkd_conf *conf = shell_conf(req->ctx);
	struct ctl_msg m;

	ctl_out_begin(out, &m);
	ctl_put_u32(&m, L2TPKD_CTL_A_PROTO_VERSION, L2TPKD_CTL_PROTO_VERSION);
	ctl_put_str(&m, L2TPKD_CTL_A_DAEMON_VERSION, PACKAGE_VERSION, L2TPKD_CTL_TEXT_MAX);
	if (conf && conf->path)
		ctl_put_str(&m, L2TPKD_CTL_A_CONFIG_PATH, conf->path, L2TPKD_CTL_TEXT_MAX);
	return ctl_out_end(out, &m);
}

/* The IDs a successful add made, before the ACK. */
static int reply_ids(struct ctl_out *out, uint16_t tunnel_id, uint16_t session_id)
{
	struct ctl_msg m;

	ctl_out_begin(out, &m);
	ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, tunnel_id);
	if (session_id)
		ctl_put_u16(&m, L2TPKD_CTL_A_SESSION_ID, session_id);
	return ctl_out_end(out, &m);
}

static int cmd_tunnel_add(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	const char *peer = request_peer(req, why, why_len);
	uint16_t tid = 0;
	int r;

	if (!peer)
		return -EINVAL;
	r = shell_tunnel_add(req->ctx, peer, &tid, why, why_len);
	if (r >= 0)
		r = reply_ids(out, tid, 0);
	if (r < 0)
		audit(req, r, why, "tunnel add peer %s", peer);
	else
		audit(req, r, why, "tunnel add peer %s: tunnel %u", peer, tid);
	return r;
}

static int cmd_tunnel_del(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	uint16_t tid = 0;
	int r;

	r = ctl_need_id(req, L2TPKD_CTL_A_TUNNEL_ID, &tid, why, why_len);
	if (r == 0) {
		r = shell_tunnel_del(req->ctx, tid);
		if (r == -ENOENT)
			snprintf(why, why_len, "no tunnel %u", tid);
	}
	audit(req, r, why, "tunnel del %u", tid);
	return r;
}

/* CALL: what the ICRQ/ICCN carry. The numbers point into the request, alive during the call. */
static int call_info(const struct ctl_request *req, struct engine_call_info *info, char *why, size_t why_len)
{
	const struct nlattr *tb[L2TPKD_CTL_CALL_A_MAX + 1];
	const struct nlattr *a;

	memset(info, 0, sizeof(*info));
	if (!req->tb[L2TPKD_CTL_A_CALL])
		return 0;
	if (ctl_parse_nested(req->tb[L2TPKD_CTL_A_CALL], &ctl_policy_call, tb, NULL) < 0)
		return -EINVAL; /* cannot happen: the server validated the whole request */
	if ((a = tb[L2TPKD_CTL_CALL_A_CALLING_NUMBER])) {
		info->calling_number.ptr = mnl_attr_get_payload(a);
		info->calling_number.len = mnl_attr_get_payload_len(a) - 1;
	}
	if ((a = tb[L2TPKD_CTL_CALL_A_CALLED_NUMBER])) {
		info->called_number.ptr = mnl_attr_get_payload(a);
		info->called_number.len = mnl_attr_get_payload_len(a) - 1;
	}
	if ((a = tb[L2TPKD_CTL_CALL_A_BEARER_TYPE])) {
		info->bearer_type = mnl_attr_get_u32(a);
		/* RFC 2661 §4.4.5: only the digital and analog bits are defined. */
		if (info->bearer_type & ~(uint32_t)(L2TP_BEARER_DIGITAL | L2TP_BEARER_ANALOG)) {
			snprintf(why, why_len, "bearer type 0x%x: only analog (0x%x) and digital (0x%x) exist",
				 info->bearer_type, L2TP_BEARER_ANALOG, L2TP_BEARER_DIGITAL);
			return -EINVAL;
		}
	}
	if ((a = tb[L2TPKD_CTL_CALL_A_TX_SPEED]))
		info->tx_connect_speed = mnl_attr_get_u32(a);
	return 0;
}

/* session add group NAME: a call with extended failover; its outcome comes as an event. */
static int session_add_group(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	const char *group = ctl_request_text(req, L2TPKD_CTL_A_GROUP, "group", why, why_len);
	struct engine_call_info info;
	uint32_t id = 0;
	struct ctl_msg m;
	int r = group ? 0 : -EINVAL;

	if (r == 0 && (req->tb[L2TPKD_CTL_A_PEER] || req->tb[L2TPKD_CTL_A_TUNNEL_ID])) {
		snprintf(why, why_len, "a group call takes neither a peer nor a tunnel: the group chooses");
		r = -EINVAL;
	}
	if (r == 0)
		r = call_info(req, &info, why, why_len);
	if (r == 0)
		r = shell_session_request(req->ctx, group, &info, &id, why, why_len);
	if (r == 0) {
		ctl_out_begin(out, &m);
		ctl_put_u32(&m, L2TPKD_CTL_A_REQUEST_ID, id);
		r = ctl_out_end(out, &m);
	}
	if (r < 0)
		audit(req, r, why, "session add group %s", group ? group : "?");
	else
		audit(req, r, why, "session add group %s: request %u", group, id);
	return r;
}

static int cmd_session_add(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	const char *peer;
	struct engine_call_info info;
	uint16_t tid = 0, new_tid = 0, new_sid = 0;
	int r;

	if (req->tb[L2TPKD_CTL_A_GROUP])
		return session_add_group(req, out, why, why_len);
	peer = request_peer(req, why, why_len);
	if (!peer)
		return -EINVAL;
	r = ctl_get_id(req, L2TPKD_CTL_A_TUNNEL_ID, &tid, why, why_len);
	if (r == -ENOENT)
		r = 0;
	if (r == 0)
		r = call_info(req, &info, why, why_len);
	if (r == 0)
		r = shell_session_add(req->ctx, peer, tid, &info, &new_tid, &new_sid, why, why_len);
	if (r == 0)
		r = reply_ids(out, new_tid, new_sid);
	if (r < 0)
		audit(req, r, why, "session add peer %s", peer);
	else
		audit(req, r, why, "session add peer %s: session %u/%u", peer, new_tid, new_sid);
	return r;
}

static int cmd_session_del(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	uint16_t tid = 0, sid = 0;
	int r;

	r = ctl_need_id(req, L2TPKD_CTL_A_TUNNEL_ID, &tid, why, why_len);
	if (r == 0)
		r = ctl_need_id(req, L2TPKD_CTL_A_SESSION_ID, &sid, why, why_len);
	if (r == 0) {
		r = shell_session_del(req->ctx, tid, sid);
		if (r == -ENOENT)
			snprintf(why, why_len, "no session %u in tunnel %u", sid, tid);
	}
	audit(req, r, why, "session del %u/%u", tid, sid);
	return r;
}

static int cmd_reload(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	int r = shell_reload(req->ctx, why, why_len);

	audit(req, r, why, "reload");
	return r;
}

/*
 * The ACK reaches the client before the daemon goes: shell_restart() only asks the loop to
 * exit, and the server sends this answer before it returns to the loop (ctl_server.c,
 * conn_pump). The exec then closes the connection.
 */
static int cmd_restart(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	int r = shell_restart(req->ctx);

	if (r == -ESHUTDOWN)
		snprintf(why, why_len, "l2tpkd is stopping");
	else if (r == -ENOENT)
		snprintf(why, why_len, "no state store: cannot restart in place");
	audit(req, r, why, "restart");
	return r;
}

static const struct ctl_command commands[] = {
	{ .type = L2TPKD_CTL_MSG_VERSION, .doit = cmd_version },
	{ .type = L2TPKD_CTL_MSG_TUNNEL_GET,
	  .doit = ctl_show_tunnel,
	  .dump_start = ctl_show_tunnels_start,
	  .dump_next = ctl_show_dump_next,
	  .dump_free = ctl_show_dump_free },
	{ .type = L2TPKD_CTL_MSG_TUNNEL_ADD, .changes = true, .doit = cmd_tunnel_add },
	{ .type = L2TPKD_CTL_MSG_TUNNEL_DEL, .changes = true, .doit = cmd_tunnel_del },
	{ .type = L2TPKD_CTL_MSG_SESSION_GET,
	  .doit = ctl_show_session,
	  .dump_start = ctl_show_sessions_start,
	  .dump_next = ctl_show_dump_next,
	  .dump_free = ctl_show_dump_free },
	{ .type = L2TPKD_CTL_MSG_SESSION_ADD, .changes = true, .doit = cmd_session_add },
	{ .type = L2TPKD_CTL_MSG_SESSION_DEL, .changes = true, .doit = cmd_session_del },
	{ .type = L2TPKD_CTL_MSG_STATS,
	  .dump_start = ctl_show_stats_start,
	  .dump_next = ctl_show_dump_next,
	  .dump_free = ctl_show_dump_free },
	{ .type = L2TPKD_CTL_MSG_MONITOR, .subscribes = true },
	{ .type = L2TPKD_CTL_MSG_RELOAD, .changes = true, .doit = cmd_reload },
	{ .type = L2TPKD_CTL_MSG_PEER_GET,
	  .dump_start = ctl_peer_dump_start,
	  .dump_next = ctl_peer_dump_next,
	  .dump_free = ctl_peer_dump_free },
	{ .type = L2TPKD_CTL_MSG_PEER_CLEAR_BUSY, .changes = true, .doit = ctl_peer_clear_busy },
	{ .type = L2TPKD_CTL_MSG_DRAIN, .changes = true, .doit = ctl_drain },
	{ .type = L2TPKD_CTL_MSG_LNS_GET, .doit = ctl_lns_show },
	{ .type = L2TPKD_CTL_MSG_RESTART, .changes = true, .doit = cmd_restart },
};

const struct ctl_command *ctl_cmds_table(size_t *n)
{
	*n = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

void ctl_cmds_log(void *ctx, const char *text)
{
	log_notice("%s", text);
}

/* The group whose members may change things; none if it does not exist (root only). */
static gid_t admin_gid(void)
{
	const struct group *g = getgrnam(L2TPKD_CTL_GROUP);

	return g ? g->gr_gid : (gid_t)-1;
}

int ctl_server_new(sd_event *ev, struct shell *sh, const char *path, struct ctl_server **out, char *why,
		   size_t why_len)
{
	const struct ctl_server_config cfg = {
		.path = path,
		.commands = commands,
		.n_commands = sizeof(commands) / sizeof(commands[0]),
		.ctx = sh,
		.admin_gid = admin_gid(),
		.log = ctl_cmds_log,
	};

	return ctl_server_open(ev, &cfg, out, why, why_len);
}

static uint8_t event_code(enum shell_event_type t)
{
	switch (t) {
	case SHELL_EV_TUNNEL_UP:
		return L2TPKD_CTL_EVENT_TUNNEL_UP;
	case SHELL_EV_TUNNEL_DOWN:
		return L2TPKD_CTL_EVENT_TUNNEL_DOWN;
	case SHELL_EV_SESSION_UP:
		return L2TPKD_CTL_EVENT_SESSION_UP;
	case SHELL_EV_SESSION_DOWN:
		return L2TPKD_CTL_EVENT_SESSION_DOWN;
	case SHELL_EV_PPP_UP:
		return L2TPKD_CTL_EVENT_PPP_UP;
	case SHELL_EV_RELOAD:
		return L2TPKD_CTL_EVENT_RELOAD;
	case SHELL_EV_REQUEST_DONE:
		return L2TPKD_CTL_EVENT_REQUEST_DONE;
	}
	return 0;
}

/* Where a group call landed (IDs and peer), or why it failed (the last refusal). */
static void put_request_done(struct ctl_msg *m, const struct shell_event *ev)
{
	ctl_put_u32(m, L2TPKD_CTL_A_REQUEST_ID, ev->request_id);
	ctl_put_u8(m, L2TPKD_CTL_A_ESTABLISHED, ev->request_ok);
	ctl_put_u32(m, L2TPKD_CTL_A_FAILOVERS, ev->failovers);
	if (ev->request_ok) {
		ctl_put_u16(m, L2TPKD_CTL_A_TUNNEL_ID, ev->tunnel_id);
		ctl_put_u16(m, L2TPKD_CTL_A_SESSION_ID, ev->session_id);
		ctl_put_addr(m, L2TPKD_CTL_A_PEER_IP, L2TPKD_CTL_A_PEER_PORT, &ev->peer);
		return;
	}
	ctl_put_u16(m, L2TPKD_CTL_A_RESULT, ev->result);
	ctl_put_u16(m, L2TPKD_CTL_A_ERROR, ev->error);
	if (ev->message && *ev->message)
		ctl_put_str(m, L2TPKD_CTL_A_MESSAGE, ev->message, L2TPKD_CTL_TEXT_MAX);
}

void ctl_server_event(struct ctl_server *s, const struct shell_event *ev)
{
	union {
		struct nlmsghdr nlh; /* aligns the buffer */
		char buf[EVENT_BUF];
	} u;
	bool session = ev->type == SHELL_EV_SESSION_UP || ev->type == SHELL_EV_SESSION_DOWN ||
		       ev->type == SHELL_EV_PPP_UP;
	bool down = ev->type == SHELL_EV_TUNNEL_DOWN || ev->type == SHELL_EV_SESSION_DOWN;
	struct ctl_msg m;

	if (!s || !event_code(ev->type))
		return;
	ctl_msg_init(&m, u.buf, sizeof(u.buf), L2TPKD_CTL_MSG_EVENT, 0, 0, 0);
	ctl_put_u8(&m, L2TPKD_CTL_A_EVENT, event_code(ev->type));
	if (ev->type == SHELL_EV_REQUEST_DONE) {
		put_request_done(&m, ev);
	} else if (ev->type != SHELL_EV_RELOAD) {
		ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, ev->tunnel_id);
		if (ev->peer_tunnel_id)
			ctl_put_u16(&m, L2TPKD_CTL_A_PEER_TUNNEL_ID, ev->peer_tunnel_id);
		ctl_put_addr(&m, L2TPKD_CTL_A_PEER_IP, L2TPKD_CTL_A_PEER_PORT, &ev->peer);
	}
	if (session) {
		ctl_put_u16(&m, L2TPKD_CTL_A_SESSION_ID, ev->session_id);
		if (ev->peer_session_id)
			ctl_put_u16(&m, L2TPKD_CTL_A_PEER_SESSION_ID, ev->peer_session_id);
	}
	if (down) {
		ctl_put_u16(&m, L2TPKD_CTL_A_RESULT, ev->result);
		ctl_put_u16(&m, L2TPKD_CTL_A_ERROR, ev->error);
		ctl_put_u8(&m, L2TPKD_CTL_A_BY_PEER, ev->by_peer);
		if (ev->message && *ev->message)
			ctl_put_str(&m, L2TPKD_CTL_A_MESSAGE, ev->message, L2TPKD_CTL_TEXT_MAX);
	}
	if (ev->type == SHELL_EV_PPP_UP && ev->message && *ev->message)
		ctl_put_str(&m, L2TPKD_CTL_A_IFNAME, ev->message, L2TPKD_CTL_IFNAME_MAX);
	if (!m.overflow)
		ctl_server_broadcast(s, m.nlh);
}
