/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The whole control path but the daemon's shell: l2tpctl's commands (cli_cmds.c, in a child
 * process) over a real socket to the server with the daemon's command table (ctl_cmds.c,
 * ctl_show.c), which reads a real engine (tests/common/engine_probe.h). The shell is faked
 * here: it owns the engine and a configuration, has no kernel connection, and one pppd; its
 * restart ends the event loop, as the daemon's does before it re-executes.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli_cmds.h"
#include "cli_conn.h"
#include "cli_show.h"
#include "config.h"
#include "ctl_cmds.h"
#include "ctl_tests.h"
#include "engine_int.h"
#include "engine_probe.h"
#include "l2tp/result.h"
#include "l2tp/wire.h"
#include "log.h"
#include "shell.h"

#define PPPD_PID 4321

struct shell {
	struct probe *p;
	struct l2tpkd_conf *conf;
	uint16_t pppd_tunnel, pppd_session; /* the one session with a pppd */
	struct engine_call_info last_call;
	char last_calling[64];
	int restart_result; /* what shell_restart() returns */
	unsigned restarts;  /* its calls */
};

static char last_log[512];

void log_obj(enum engine_log_level level, const struct log_obj *obj, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	va_end(ap);
}

struct engine *shell_engine(struct shell *sh)
{
	return sh->p->e;
}

struct kglue *shell_kglue(struct shell *sh)
{
	return NULL;
}

const struct l2tpkd_conf *shell_conf(struct shell *sh)
{
	return sh->conf;
}

static int peer_addr(struct shell *sh, const char *peer, struct l2tp_addr *a, char *why, size_t why_len)
{
	const struct conf_peer *cp = conf_peer_find(sh->conf, peer);

	if (cp) {
		*a = cp->addr;
		return 0;
	}
	snprintf(why, why_len, "'%s' is not a [peer]", peer);
	return -EINVAL;
}

int shell_tunnel_add(struct shell *sh, const char *peer, uint16_t *tunnel_id, char *why, size_t why_len)
{
	struct l2tp_addr a;
	int r = peer_addr(sh, peer, &a, why, why_len);

	return r < 0 ? r : engine_open_tunnel(sh->p->e, sh->p->now, &sh->p->local, &a, tunnel_id);
}

int shell_tunnel_del(struct shell *sh, uint16_t tunnel_id)
{
	const struct engine_disconnect why = { .result = L2TP_RC_STOPCCN_CLEAR };

	return engine_close_tunnel(sh->p->e, sh->p->now, tunnel_id, &why);
}

int shell_session_add(struct shell *sh, const char *peer, uint16_t tunnel_id, const struct engine_call_info *info,
		      uint16_t *out_tunnel_id, uint16_t *out_session_id, char *why, size_t why_len)
{
	struct l2tp_addr a;
	int r = peer_addr(sh, peer, &a, why, why_len);

	if (r < 0)
		return r;
	sh->last_call = *info;
	snprintf(sh->last_calling, sizeof(sh->last_calling), "%.*s", info->calling_number.len,
		 (const char *)info->calling_number.ptr);
	*out_tunnel_id = tunnel_id;
	return engine_place_call(sh->p->e, sh->p->now, tunnel_id, ENGINE_CALL_INCOMING, info, out_session_id);
}

int shell_session_request(struct shell *sh, const char *group, const struct engine_call_info *info,
			  uint32_t *request_id, char *why, size_t why_len)
{
	return engine_request_call(sh->p->e, sh->p->now, group, info, request_id, why, why_len);
}

int shell_session_del(struct shell *sh, uint16_t tunnel_id, uint16_t session_id)
{
	const struct engine_disconnect why = { .result = L2TP_RC_CDN_ADMINISTRATIVE };

	return engine_close_session(sh->p->e, sh->p->now, tunnel_id, session_id, &why);
}

int shell_reload(struct shell *sh, char *why, size_t why_len)
{
	snprintf(why, why_len, "l2tpkd.conf:3: listen: not an address");
	return -EINVAL;
}

int shell_tunnel_local(struct shell *sh, uint16_t tunnel_id, struct l2tp_addr *local)
{
	return -ENOENT; /* no sockets here: the engine's address is shown */
}

int shell_session_pppd(struct shell *sh, uint16_t tunnel_id, uint16_t session_id, pid_t *pid, char ifname[16])
{
	if (tunnel_id != sh->pppd_tunnel || session_id != sh->pppd_session)
		return -ENOENT;
	*pid = PPPD_PID;
	snprintf(ifname, 16, "ppp0");
	return 0;
}

struct world {
	struct shell sh;
	sd_event *ev;
	struct ctl_server *srv;
	char dir[64], path[96], conf_path[96], out_path[96];
	uint16_t t1, t2, s1, s2; /* t1 established to lns1 with s1, s2; t2 opening elsewhere */
};

static struct world w;

/* The one shell_now() of the unit tests: 0 outside this file's world (shell_pppd_start tests). */
uint64_t shell_now(void)
{
	return w.sh.p ? w.sh.p->now : 0;
}

/* As the daemon's: on success the loop is told to exit, and then it re-executes. */
int shell_restart(struct shell *sh)
{
	sh->restarts++;
	if (sh->restart_result == 0)
		sd_event_exit(w.ev, 0);
	return sh->restart_result;
}

/* The control server with the daemon's table; changes are for root and admin_gid. */
static void open_server(gid_t admin_gid)
{
	struct ctl_server_config cfg = {
		.path = w.path, .admin_gid = admin_gid, .log = ctl_cmds_log, .ctx = &w.sh
	};
	char why[256] = "";

	cfg.commands = ctl_cmds_table(&cfg.n_commands);
	ck_assert_msg(ctl_server_open(w.ev, &cfg, &w.srv, why, sizeof(why)) == 0, "%s", why);
}

static void world_setup(void)
{
	static const struct l2tp_addr other = { .family = AF_INET, .port = 1701, .addr = { 198, 51, 100, 9 } };
	FILE *f;

	memset(&w, 0, sizeof(w));
	snprintf(w.dir, sizeof(w.dir), "/tmp/l2tpctl-cmds-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(w.dir));
	snprintf(w.path, sizeof(w.path), "%s/control", w.dir);
	snprintf(w.conf_path, sizeof(w.conf_path), "%s/l2tpkd.conf", w.dir);
	snprintf(w.out_path, sizeof(w.out_path), "%s/out", w.dir);
	f = fopen(w.conf_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[global]\nhost-name = lac-test\n\n[peer lns1]\naddress = 192.0.2.2\n", f);
	fclose(f);
	ck_assert_int_eq(conf_load(w.conf_path, &w.sh.conf, stderr), 0);

	w.sh.p = probe_started(7);
	probe_open_tunnel(w.sh.p); /* established, to 192.0.2.2 (lns1) */
	w.t1 = w.sh.p->tid;
	ck_assert_int_eq(probe_place(w.sh.p, ENGINE_CALL_INCOMING, NULL, &w.s1), 0);
	ck_assert_int_eq(probe_place(w.sh.p, ENGINE_CALL_INCOMING, NULL, &w.s2), 0);
	ck_assert_int_eq(engine_open_tunnel(w.sh.p->e, w.sh.p->now, &w.sh.p->local, &other, &w.t2), 0);
	engine_actions_clear(w.sh.p->e);
	w.sh.pppd_tunnel = w.t1;
	w.sh.pppd_session = w.s2;

	ck_assert_int_ge(sd_event_new(&w.ev), 0);
	open_server(getegid());
}

static void world_teardown(void)
{
	ctl_server_free(w.srv);
	sd_event_unref(w.ev);
	probe_free(w.sh.p);
	conf_free(w.sh.conf);
	unlink(w.conf_path);
	unlink(w.out_path);
	rmdir(w.dir);
}

static void pump(void)
{
	int i;

	for (i = 0; i < 10000 && sd_event_run(w.ev, 0) > 0; i++)
		;
}

/* Waits for a child while serving it; its exit status. */
static int serve_child(pid_t pid)
{
	int status, i;

	for (i = 0; i < 5000; i++) {
		pump();
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 101;
}

/*
 * l2tpctl's command in a child: its exit code; what it printed in *out (to free) and its
 * error line in why.
 */
static int l2tpctl(cli_run_fn run, struct cli_request *r, enum pr_mode mode, char **out, char *why)
{
	FILE *f;
	pid_t pid;
	int ret;
	size_t len = 0;

	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct cli_ctx x = { .socket_path = w.path, .mode = mode, .timeout_s = 5 };

		x.out = fopen(w.out_path, "w");
		ret = x.out ? run(&x, r) : 99;
		if (x.out) {
			if (ret != CLI_EXIT_OK)
				fprintf(x.out, "ERROR %s", x.why);
			fclose(x.out);
		}
		_exit(ret);
	}
	ret = serve_child(pid);
	f = fopen(w.out_path, "r");
	ck_assert_ptr_nonnull(f);
	*out = NULL;
	if (getdelim(out, &len, '\0', f) < 0) { /* nothing printed */
		free(*out);
		*out = strdup("");
	}
	fclose(f);
	why[0] = '\0';
	if (ret != CLI_EXIT_OK && strstr(*out, "ERROR "))
		snprintf(why, 256, "%s", strstr(*out, "ERROR ") + 6);
	return ret;
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no key %s", key);
	return v;
}

static int jint(json_object *o, const char *key)
{
	return json_object_get_int(member(o, key));
}

START_TEST(test_tunnel_show)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_TUNNEL_GET };
	char *out, why[256], expect[512];
	json_object *root, *t;
	uint16_t lo = w.t1 < w.t2 ? w.t1 : w.t2;

	ck_assert_int_eq(l2tpctl(cli_run_tunnel_show, &r, PR_JSON, &out, why), CLI_EXIT_OK);
	root = json_tokener_parse(out);
	ck_assert_ptr_nonnull(root);
	ck_assert_uint_eq(json_object_array_length(root), 2);
	ck_assert_int_eq(jint(json_object_array_get_idx(root, 0), "tunnel_id"), lo); /* sorted */
	t = json_object_array_get_idx(root, w.t1 == lo ? 0 : 1);
	ck_assert_str_eq(json_object_get_string(member(t, "state")), "established");
	ck_assert_str_eq(json_object_get_string(member(t, "peer_name")), "lns1");
	ck_assert_str_eq(json_object_get_string(member(t, "peer_address")), "192.0.2.2");
	ck_assert_str_eq(json_object_get_string(member(t, "peer_host_name")), PROBE_PEER_HOST);
	ck_assert_int_eq(jint(t, "peer_tunnel_id"), PROBE_PEER_TID);
	ck_assert_int_eq(jint(t, "sessions"), 2);
	ck_assert(json_object_get_boolean(member(t, "originator")));
	ck_assert_int_ge(jint(member(t, "control"), "sent"), 1);
	/* The probe advertised no RFC 4951 failover, nor did we. */
	ck_assert(!json_object_get_boolean(member(t, "failover")));
	ck_assert_int_eq(jint(t, "peer_failover_flags"), 0);
	ck_assert_int_eq(jint(t, "peer_recovery_ms"), 0);
	ck_assert_str_eq(json_object_get_string(member(t, "recovery")), "none"); /* never restored */
	t = json_object_array_get_idx(root, w.t1 == lo ? 1 : 0);
	ck_assert_str_eq(json_object_get_string(member(t, "state")), "wait-ctl-reply");
	ck_assert_ptr_null(member(t, "peer_name"));
	ck_assert_str_eq(json_object_get_string(member(t, "recovery")), "none");
	json_object_put(root);
	free(out);

	/* One tunnel, as text. */
	r.tunnel_id = w.t2;
	ck_assert_int_eq(l2tpctl(cli_run_tunnel_show, &r, PR_TEXT, &out, why), CLI_EXIT_OK);
	snprintf(expect, sizeof(expect), "tunnel %u peer-tunnel 0 state wait-ctl-reply originator yes\n", w.t2);
	ck_assert_msg(!strncmp(out, expect, strlen(expect)), "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "peer 198.51.100.9:1701"));
	ck_assert_msg(strstr(out, "\n    failover no peer-failover none recovery none\n"), "%s", out);
	free(out);

	/* No such tunnel: exit 2, the daemon's reason, nothing printed. */
	r.tunnel_id = (uint16_t)(w.t1 ^ w.t2 ^ 0x8000) | 1;
	ck_assert_int_eq(l2tpctl(cli_run_tunnel_show, &r, PR_JSON, &out, why), CLI_EXIT_REFUSED);
	snprintf(expect, sizeof(expect), "no tunnel %u", r.tunnel_id);
	ck_assert_str_eq(why, expect);
	ck_assert(!strncmp(out, "ERROR", 5));
	free(out);
}
END_TEST

/* How each tunnel came through a restart, as the engine says, in JSON and in text. */
START_TEST(test_tunnel_recovery)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_TUNNEL_GET };
	char *out, why[256];
	json_object *root, *t;
	size_t i;

	tunnel_find(w.sh.p->e, w.t1)->recovery = ENGINE_RECOVERY_SILENT;
	tunnel_find(w.sh.p->e, w.t2)->recovery = ENGINE_RECOVERY_RESYNCING;
	ck_assert_int_eq(l2tpctl(cli_run_tunnel_show, &r, PR_JSON, &out, why), CLI_EXIT_OK);
	root = json_tokener_parse(out);
	ck_assert_ptr_nonnull(root);
	ck_assert_uint_eq(json_object_array_length(root), 2);
	for (i = 0; i < 2; i++) {
		t = json_object_array_get_idx(root, i);
		ck_assert_str_eq(json_object_get_string(member(t, "recovery")),
				 jint(t, "tunnel_id") == w.t1 ? "silent" : "resyncing");
	}
	json_object_put(root);
	free(out);

	r.tunnel_id = w.t1;
	ck_assert_int_eq(l2tpctl(cli_run_tunnel_show, &r, PR_TEXT, &out, why), CLI_EXIT_OK);
	ck_assert_msg(strstr(out, "\n    failover no peer-failover none recovery silent\n"), "%s", out);
	free(out);
}
END_TEST

START_TEST(test_session_show)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_SESSION_GET };
	char *out, why[256], expect[64];
	json_object *root, *s;

	ck_assert_int_eq(l2tpctl(cli_run_session_show, &r, PR_JSON, &out, why), CLI_EXIT_OK);
	root = json_tokener_parse(out);
	ck_assert_uint_eq(json_object_array_length(root), 2);
	ck_assert_int_lt(jint(json_object_array_get_idx(root, 0), "session_id"),
			 jint(json_object_array_get_idx(root, 1), "session_id"));
	json_object_put(root);
	free(out);

	/* The one with a pppd. */
	r.tunnel_id = w.t1;
	r.session_id = w.s2;
	ck_assert_int_eq(l2tpctl(cli_run_session_show, &r, PR_JSON, &out, why), CLI_EXIT_OK);
	root = json_tokener_parse(out);
	ck_assert_uint_eq(json_object_array_length(root), 1);
	s = json_object_array_get_idx(root, 0);
	ck_assert_int_eq(jint(s, "session_id"), w.s2);
	ck_assert_int_eq(jint(s, "tunnel_id"), w.t1);
	ck_assert_int_eq(jint(s, "peer_tunnel_id"), PROBE_PEER_TID);
	ck_assert_int_eq(jint(s, "pppd_pid"), PPPD_PID);
	ck_assert_str_eq(json_object_get_string(member(s, "ifname")), "ppp0");
	ck_assert_str_eq(json_object_get_string(member(s, "direction")), "incoming");
	ck_assert(!json_object_get_boolean(member(s, "lns")));
	json_object_put(root);
	free(out);

	/* Those of the opening tunnel: none, an empty array. Of a tunnel that is not: refused. */
	r.tunnel_id = w.t2;
	r.session_id = 0;
	ck_assert_int_eq(l2tpctl(cli_run_session_show, &r, PR_JSON, &out, why), CLI_EXIT_OK);
	ck_assert_str_eq(out, "[]\n");
	free(out);
	r.tunnel_id = (uint16_t)(w.t1 ^ w.t2 ^ 0x8000) | 1;
	ck_assert_int_eq(l2tpctl(cli_run_session_show, &r, PR_TEXT, &out, why), CLI_EXIT_REFUSED);
	snprintf(expect, sizeof(expect), "no tunnel %u", r.tunnel_id);
	ck_assert_str_eq(why, expect);
	free(out);

	/* By session ID alone, across tunnels. */
	r.tunnel_id = 0;
	r.session_id = w.s1;
	ck_assert_int_eq(l2tpctl(cli_run_session_show, &r, PR_TEXT, &out, why), CLI_EXIT_OK);
	snprintf(expect, sizeof(expect), "session %u tunnel %u ", w.s1, w.t1);
	ck_assert_msg(!strncmp(out, expect, strlen(expect)), "%s", out);
	ck_assert_ptr_null(strstr(out + 1, "\nsession"));
	free(out);
}
END_TEST

START_TEST(test_stats)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_STATS };
	char *out, why[256];
	json_object *root, *t;

	ck_assert_int_eq(l2tpctl(cli_run_stats, &r, PR_JSON, &out, why), CLI_EXIT_OK);
	root = json_tokener_parse(out);
	ck_assert_ptr_nonnull(root);
	ck_assert_int_eq(jint(member(root, "engine"), "tunnels"), 2);
	ck_assert_int_eq(jint(member(root, "engine"), "tunnels_established"), 1);
	ck_assert_int_eq(jint(member(root, "engine"), "sessions"), 2);
	ck_assert_uint_eq(json_object_array_length(member(root, "tunnels")), 2);
	ck_assert_uint_eq(json_object_array_length(member(root, "sessions")), 2);
	t = json_object_array_get_idx(member(root, "tunnels"), 0);
	ck_assert_ptr_null(member(t, "kernel")); /* no kernel here: said so per object */
	ck_assert_str_eq(json_object_get_string(member(t, "kernel_error")), "l2tpkd has no connection to the kernel");
	json_object_put(root);
	free(out);

	/* One tunnel without sessions: the keys stay, the lists are empty or short. */
	r.tunnel_id = w.t2;
	ck_assert_int_eq(l2tpctl(cli_run_stats, &r, PR_JSON, &out, why), CLI_EXIT_OK);
	root = json_tokener_parse(out);
	ck_assert_uint_eq(json_object_array_length(member(root, "tunnels")), 1);
	ck_assert_uint_eq(json_object_array_length(member(root, "sessions")), 0);
	json_object_put(root);
	free(out);

	ck_assert_int_eq(l2tpctl(cli_run_stats, &r, PR_TEXT, &out, why), CLI_EXIT_OK);
	ck_assert_msg(!strncmp(out, "totals tunnels 2 established 1 sessions 2 established ", 54), "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "kernel: l2tpkd has no connection to the kernel\n"));
	free(out);
}
END_TEST

START_TEST(test_changes)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_SESSION_ADD, .peer = "lns1", .calling = "5551234",
				 .bearer = L2TP_BEARER_DIGITAL, .tx_speed = 64000, .has_tx_speed = true };
	struct engine_session_view sv;
	struct engine_tunnel_view tv;
	char *out, why[256], expect[128];
	unsigned tid, sid;

	r.tunnel_id = w.t1;
	ck_assert_int_eq(l2tpctl(cli_run_add, &r, PR_TEXT, &out, why), CLI_EXIT_OK);
	ck_assert_int_eq(sscanf(out, "tunnel %u session %u\n", &tid, &sid), 2);
	ck_assert_uint_eq(tid, w.t1);
	ck_assert_int_eq(engine_session_view(w.sh.p->e, w.t1, (uint16_t)sid, &sv), 0);
	ck_assert_str_eq(w.sh.last_calling, "5551234");
	ck_assert_uint_eq(w.sh.last_call.bearer_type, L2TP_BEARER_DIGITAL);
	ck_assert_uint_eq(w.sh.last_call.tx_connect_speed, 64000);
	free(out);
	snprintf(expect, sizeof(expect), "control: uid %u pid ", (unsigned)getuid());
	ck_assert_msg(!strncmp(last_log, expect, strlen(expect)), "%s", last_log);
	ck_assert_ptr_nonnull(strstr(last_log, "session add peer lns1"));

	r.bearer = 4; /* not a bearer bit of RFC 2661 */
	ck_assert_int_eq(l2tpctl(cli_run_add, &r, PR_TEXT, &out, why), CLI_EXIT_REFUSED);
	ck_assert_str_eq(why, "bearer type 0x4: only analog (0x2) and digital (0x1) exist");
	free(out);

	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_TUNNEL_ADD, .peer = "lns1" };
	ck_assert_int_eq(l2tpctl(cli_run_add, &r, PR_JSON, &out, why), CLI_EXIT_OK);
	{
		json_object *o = json_tokener_parse(out);

		tid = (unsigned)jint(o, "tunnel_id");
		json_object_put(o);
	}
	ck_assert_int_eq(engine_tunnel_view(w.sh.p->e, (uint16_t)tid, &tv), 0);
	free(out);
	r.peer = "nowhere";
	ck_assert_int_eq(l2tpctl(cli_run_add, &r, PR_TEXT, &out, why), CLI_EXIT_REFUSED);
	ck_assert_str_eq(why, "'nowhere' is not a [peer]");
	ck_assert_ptr_nonnull(strstr(last_log, "refused: 'nowhere' is not a [peer]"));
	free(out);
	r.peer = "lns1\nforged log line";
	ck_assert_int_eq(l2tpctl(cli_run_add, &r, PR_TEXT, &out, why), CLI_EXIT_REFUSED);
	ck_assert_str_eq(why, "a peer name or address has no control characters");
	free(out);

	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_SESSION_DEL, .tunnel_id = w.t1, .session_id = w.s1 };
	ck_assert_int_eq(l2tpctl(cli_run_change, &r, PR_TEXT, &out, why), CLI_EXIT_OK);
	ck_assert_str_eq(out, "");
	free(out);
	r.tunnel_id = w.t2;
	ck_assert_int_eq(l2tpctl(cli_run_change, &r, PR_TEXT, &out, why), CLI_EXIT_REFUSED);
	snprintf(expect, sizeof(expect), "no session %u in tunnel %u", w.s1, w.t2);
	ck_assert_str_eq(why, expect);
	free(out);

	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_TUNNEL_DEL, .tunnel_id = w.t2 };
	ck_assert_int_eq(l2tpctl(cli_run_change, &r, PR_TEXT, &out, why), CLI_EXIT_OK);
	free(out);
	ck_assert_int_eq(engine_tunnel_view(w.sh.p->e, w.t2, &tv), 0);
	ck_assert_str_eq(tv.state, "closing");

	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_RELOAD };
	ck_assert_int_eq(l2tpctl(cli_run_change, &r, PR_TEXT, &out, why), CLI_EXIT_REFUSED);
	ck_assert_str_eq(why, "l2tpkd.conf:3: listen: not an address");
	free(out);
}
END_TEST

/*
 * restart: acknowledged, and only then does the daemon go. The fake shell ends the loop as the
 * real one does, so the ACK must leave before the handler's event is over, or never.
 */
START_TEST(test_restart)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_RESTART };
	char *out, why[256], expect[64];

	ck_assert_int_eq(l2tpctl(cli_run_change, &r, PR_TEXT, &out, why), CLI_EXIT_OK);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_uint_eq(w.sh.restarts, 1);
	ck_assert_int_lt(sd_event_run(w.ev, 0), 0); /* the loop is over */
	snprintf(expect, sizeof(expect), "control: uid %u pid ", (unsigned)getuid());
	ck_assert_msg(!strncmp(last_log, expect, strlen(expect)), "%s", last_log);
	ck_assert_msg(strlen(last_log) > 9 && !strcmp(last_log + strlen(last_log) - 9, ": restart"), "%s",
		      last_log);
}
END_TEST

/* Its refusals, in the daemon's words, each logged; nothing printed on stdout. */
START_TEST(test_restart_refused)
{
	static const struct {
		int err;
		const char *why;
	} cases[] = {
		{ -ESHUTDOWN, "l2tpkd is stopping" },
		{ -ENOENT, "no state store: cannot restart in place" },
		{ -EIO, "Input/output error" }, /* not in the contract: strerror() */
	};
	struct cli_request r = { .type = L2TPKD_CTL_MSG_RESTART };
	char *out, why[256], expect[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		w.sh.restart_result = cases[i].err;
		ck_assert_int_eq(l2tpctl(cli_run_change, &r, PR_TEXT, &out, why), CLI_EXIT_REFUSED);
		ck_assert_str_eq(why, cases[i].why);
		ck_assert(!strncmp(out, "ERROR ", 6));
		free(out);
		snprintf(expect, sizeof(expect), ": restart: refused: %s", cases[i].why);
		ck_assert_msg(strstr(last_log, expect), "%s", last_log);
	}
	ck_assert_uint_eq(w.sh.restarts, 3);
}
END_TEST

/* In a child: restart as a user of neither root nor the admin group; 0 if refused for that. */
static int restart_as_stranger(void)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_RESTART };
	struct cli_conn c;
	char why[256];
	int ret;

	if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0))
		return 10;
	if (cli_connect(&c, w.path, why, sizeof(why)) != CLI_EXIT_OK)
		return 11;
	c.timeout_s = 5;
	ret = cli_transact(&c, &r, NULL, NULL, why, sizeof(why));
	cli_close(&c);
	if (ret != CLI_EXIT_REFUSED)
		return 12;
	return strcmp(why, "permission denied: needs root or group " L2TPKD_CTL_GROUP) ? 13 : 0;
}

START_TEST(test_restart_needs_privilege)
{
	pid_t pid;

	if (geteuid() == 0) {
		/* nobody may open the socket, and is not of the admin group (ours). */
		ck_assert_int_eq(chmod(w.dir, 0755), 0);
		ck_assert_int_eq(chmod(w.path, 0666), 0);
	} else {
		/* Without an admin group, changes are root's alone. */
		ctl_server_free(w.srv);
		open_server((gid_t)-1);
	}
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(restart_as_stranger());
	ck_assert_int_eq(serve_child(pid), 0);
	ck_assert_uint_eq(w.sh.restarts, 0);
}
END_TEST

static const char *jstr(json_object *o, const char *key)
{
	return json_object_get_string(member(o, key));
}

/* The daemon's side of the failover commands, on the real engine: lns1 and the opening one. */
START_TEST(test_failover)
{
	static const struct engine_endpoint endpoints[] = {
		{ .addr = { .family = AF_INET, .port = 1701, .addr = { 192, 0, 2, 2 } }, .priority = 1, .weight = 1 },
		{ .addr = { .family = AF_INET, .port = 1701, .addr = { 198, 51, 100, 9 } }, .priority = 2, .weight = 3 },
	};
	static const struct engine_group pool = {
		.name = "pool", .endpoints = endpoints, .n_endpoints = 2, .busy_ms = 60000, .sccrq_retries = 5
	};
	struct cli_request r = { .type = L2TPKD_CTL_MSG_SESSION_ADD, .group = "pool", .calling = "5550001" };
	json_object *root, *a, *b;
	char *out, why[256];
	unsigned id;

	w.sh.p->cfg.groups = &pool;
	w.sh.p->cfg.n_groups = 1;
	/* The call goes on lns1's established tunnel (priority 1). */
	ck_assert_int_eq(l2tpctl(cli_run_add, &r, PR_TEXT, &out, why), CLI_EXIT_OK);
	ck_assert_int_eq(sscanf(out, "request %u\n", &id), 1);
	ck_assert_str_eq(w.sh.p->e->cfg->groups[0].name, "pool");
	ck_assert_ptr_nonnull(strstr(last_log, "session add group pool: request"));
	free(out);
	r.group = "nope";
	ck_assert_int_eq(l2tpctl(cli_run_add, &r, PR_TEXT, &out, why), CLI_EXIT_REFUSED);
	ck_assert_str_eq(why, "no peer group 'nope'");
	free(out);

	/* lns1 busy for 5 s, as after a refusal. */
	endpoint_get(w.sh.p->e, &endpoints[0].addr, false)->busy_until = w.sh.p->now + 5000;
	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_PEER_GET };
	ck_assert_int_eq(l2tpctl(cli_run_peer_show, &r, PR_JSON, &out, why), CLI_EXIT_OK);
	root = json_tokener_parse(out);
	ck_assert_int_eq(json_object_array_length(root), 2);
	a = json_object_array_get_idx(root, 0);
	b = json_object_array_get_idx(root, 1);
	ck_assert_str_eq(jstr(a, "group"), "pool");
	ck_assert_str_eq(jstr(a, "peer_address"), "192.0.2.2");
	ck_assert_str_eq(jstr(a, "peer_name"), "lns1");
	ck_assert_str_eq(jstr(a, "state"), "busy");
	ck_assert_int_eq(jint(a, "busy_ms"), 5000);
	ck_assert_int_eq(jint(a, "tunnels"), 1);
	ck_assert_int_eq(jint(a, "tunnels_up"), 1);
	ck_assert_int_eq(jint(a, "sessions"), 3);
	ck_assert_int_eq(jint(a, "attempts"), 1);
	ck_assert_str_eq(jstr(b, "peer_address"), "198.51.100.9");
	ck_assert_str_eq(jstr(b, "state"), "opening");
	ck_assert_int_eq(jint(b, "priority"), 2);
	ck_assert_int_eq(jint(b, "weight"), 3);
	json_object_put(root);
	free(out);
	r.group = "nope";
	ck_assert_int_eq(l2tpctl(cli_run_peer_show, &r, PR_JSON, &out, why), CLI_EXIT_REFUSED);
	ck_assert_str_eq(why, "no peer group 'nope'");
	free(out);

	/* clear-busy: by address, then nothing left to clear. */
	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_PEER_CLEAR_BUSY, .peer = "lns1" };
	ck_assert_int_eq(l2tpctl(cli_run_change, &r, PR_TEXT, &out, why), CLI_EXIT_OK);
	free(out);
	ck_assert(!endpoint_busy(w.sh.p->e, &endpoints[0].addr));
	ck_assert_int_eq(l2tpctl(cli_run_change, &r, PR_TEXT, &out, why), CLI_EXIT_REFUSED);
	ck_assert_str_eq(why, "lns1 was not busy");
	free(out);
	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_PEER_CLEAR_BUSY, .group = "pool" };
	ck_assert_int_eq(l2tpctl(cli_run_change, &r, PR_TEXT, &out, why), CLI_EXIT_REFUSED);
	ck_assert_str_eq(why, "no endpoint of group pool was busy");
	free(out);

	/* drain, and lns show telling it with the limits. */
	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_DRAIN, .has_drain = true, .drain = true };
	ck_assert_int_eq(l2tpctl(cli_run_change, &r, PR_TEXT, &out, why), CLI_EXIT_OK);
	free(out);
	ck_assert(engine_draining(w.sh.p->e));
	ck_assert_ptr_nonnull(strstr(last_log, "drain on: new tunnels and calls are refused"));
	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_LNS_GET };
	ck_assert_int_eq(l2tpctl(cli_run_lns_show, &r, PR_JSON, &out, why), CLI_EXIT_OK);
	root = json_tokener_parse(out);
	ck_assert(json_object_get_boolean(member(root, "drain")));
	ck_assert_int_eq(jint(member(root, "limits"), "refuse_session_result"), 4);
	json_object_put(root);
	free(out);
	r = (struct cli_request){ .type = L2TPKD_CTL_MSG_DRAIN, .has_drain = true };
	ck_assert_int_eq(l2tpctl(cli_run_change, &r, PR_TEXT, &out, why), CLI_EXIT_OK);
	free(out);
	ck_assert(!engine_draining(w.sh.p->e));
}
END_TEST

START_TEST(test_version)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_VERSION };
	char *out, why[256], expect[256];

	ck_assert_int_eq(l2tpctl(cli_run_version, &r, PR_TEXT, &out, why), CLI_EXIT_OK);
	snprintf(expect, sizeof(expect), "l2tpctl %s l2tpkd %s protocol %d config %s\n", PACKAGE_VERSION, PACKAGE_VERSION,
		 L2TPKD_CTL_PROTO_VERSION, w.conf_path);
	ck_assert_str_eq(out, expect);
	free(out);
}
END_TEST

static int print_event(cli_attrs tb, void *arg, char *why, size_t why_len)
{
	struct printer *p = pr_new(arg, PR_TEXT);
	int r = cli_show_event(p, tb, why, why_len);

	pr_free(p);
	fflush(arg);
	return r;
}

/* In a child: subscribe, say so on ready, print events until the daemon goes away. */
static int monitor_child(int ready)
{
	struct cli_request r = { .type = L2TPKD_CTL_MSG_MONITOR };
	volatile sig_atomic_t stop = 0;
	struct cli_conn c;
	char why[256];
	FILE *out = fopen(w.out_path, "w");
	int ret;

	if (!out || cli_connect(&c, w.path, why, sizeof(why)) != CLI_EXIT_OK)
		return 90;
	c.timeout_s = 5;
	ret = cli_transact(&c, &r, NULL, NULL, why, sizeof(why));
	if (ret != CLI_EXIT_OK || write(ready, "r", 1) != 1)
		return 91;
	ret = cli_events(&c, print_event, out, &stop, why, sizeof(why));
	fclose(out);
	return ret;
}

START_TEST(test_monitor)
{
	struct shell_event up = { .type = SHELL_EV_TUNNEL_UP, .tunnel_id = 5, .peer_tunnel_id = 7,
				  .peer = { .family = AF_INET, .port = 1701, .addr = { 192, 0, 2, 2 } } };
	struct shell_event down = { .type = SHELL_EV_SESSION_DOWN, .tunnel_id = 5, .session_id = 9,
				    .peer_session_id = 11, .result = 2, .error = 6, .message = "gone", .by_peer = true };
	struct shell_event ppp = { .type = SHELL_EV_PPP_UP, .tunnel_id = 5, .session_id = 9, .message = "ppp3" };
	struct shell_event reload = { .type = SHELL_EV_RELOAD };
	int pipefd[2], status, i;
	char c, *out = NULL;
	size_t len = 0;
	pid_t pid;
	FILE *f;

	ck_assert_int_eq(pipe(pipefd), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(monitor_child(pipefd[1]));
	for (i = 0; i < 5000 && poll(&(struct pollfd){ .fd = pipefd[0], .events = POLLIN }, 1, 1) == 0; i++)
		pump(); /* until the child has subscribed */
	ck_assert_int_eq(read(pipefd[0], &c, 1), 1);
	ctl_server_event(w.srv, &up);
	ctl_server_event(w.srv, &down);
	ctl_server_event(w.srv, &ppp);
	ctl_server_event(w.srv, &reload);
	pump();
	ctl_server_free(w.srv); /* the daemon goes away: the monitor ends with exit 3 */
	w.srv = NULL;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), CLI_EXIT_UNREACHABLE);
	f = fopen(w.out_path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(getdelim(&out, &len, '\0', f), 0);
	fclose(f);
	ck_assert_str_eq(out, "tunnel-up tunnel 5 peer-tunnel 7 peer 192.0.2.2:1701\n"
			      "session-down tunnel 5 session 9 peer-session 11 result 2 error 6 by-peer yes message gone\n"
			      "ppp-up tunnel 5 session 9 interface ppp3\n"
			      "reload\n");
	free(out);
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST

TCase *tcase_ctl_cmds(void)
{
	TCase *tc = tcase_create("cmds");

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, world_setup, world_teardown);
	tcase_add_test(tc, test_tunnel_show);
	tcase_add_test(tc, test_session_show);
	tcase_add_test(tc, test_stats);
	tcase_add_test(tc, test_changes);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_monitor);
	tcase_add_test(tc, test_failover);
	tcase_add_test(tc, test_tunnel_recovery);
	tcase_add_test(tc, test_restart);
	tcase_add_test(tc, test_restart_refused);
	tcase_add_test(tc, test_restart_needs_privilege);
	return tc;
}
