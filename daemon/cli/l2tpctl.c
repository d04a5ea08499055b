/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl: the command line client of l2tpkd's control socket (l2tpctl(8)). Grammar like
 * `ip l2tp`: l2tpctl [OPTIONS] OBJECT [COMMAND] [ARGUMENTS], every keyword matched by unique
 * prefix. The commands are one table: a row gives the grammar (for parsing and for help), the
 * request type and what to run, so a new command is a row and, if it prints something new, a
 * show function.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_cmds.h"
#include "cli_grammar.h"
#include "config.h"
#include "l2tp/ctl.h"

#define CLI_TIMEOUT_S 30

struct command {
	const char *object;
	const char *verb; /* NULL: the object is the whole command */
	const char *args; /* grammar of the arguments, for help */
	const char *help; /* what it does, for help */
	struct cli_args_spec spec;
	struct cli_request request; /* before the arguments: the type, and what the row itself says */
	cli_run_fn run;		    /* NULL: help */
};

#define NO_ARGS { .positional = -1 }
#define REQ(t) { .type = (t) }
#define TUN CLI_ARG(CLI_ARG_TUNNEL)
#define SES CLI_ARG(CLI_ARG_SESSION)
#define PEER CLI_ARG(CLI_ARG_PEER)
#define GROUP CLI_ARG(CLI_ARG_GROUP)
#define ADDRESS CLI_ARG(CLI_ARG_ADDRESS)
#define CALL (CLI_ARG(CLI_ARG_CALLING) | CLI_ARG(CLI_ARG_CALLED) | CLI_ARG(CLI_ARG_BEARER) | CLI_ARG(CLI_ARG_SPEED))

static const struct command commands[] = {
	{ "tunnel", "show", "[ID]",
	  "Show all tunnels, or tunnel ID: state, addresses, peer, control counters, RFC 4951\n"
	  "failover, and how it came through a restart of l2tpkd (recovery).",
	  { .positional = CLI_ARG_TUNNEL }, REQ(L2TPKD_CTL_MSG_TUNNEL_GET), cli_run_tunnel_show },
	{ "tunnel", "add", "peer NAME|ADDR",
	  "Open a tunnel (SCCRQ) to a [peer] of the configuration or an address; prints its ID.",
	  { .allowed = PEER, .required = PEER, .positional = -1 }, REQ(L2TPKD_CTL_MSG_TUNNEL_ADD), cli_run_add },
	{ "tunnel", "del", "ID", "Clear tunnel ID and its sessions (StopCCN, result 1).",
	  { .required = TUN, .positional = CLI_ARG_TUNNEL }, REQ(L2TPKD_CTL_MSG_TUNNEL_DEL), cli_run_change },
	{ "session", "show", "[tunnel ID] [[session] ID]",
	  "Show sessions: all, those of a tunnel, or one; with pppd's pid and interface.",
	  { .allowed = TUN | SES, .positional = CLI_ARG_SESSION }, REQ(L2TPKD_CTL_MSG_SESSION_GET),
	  cli_run_session_show },
	{ "session", "add",
	  "peer NAME|ADDR [tunnel ID] | group NAME\n"
	  "[calling NUMBER] [called NUMBER] [bearer analog|digital] [speed BPS]",
	  "Place an incoming call (ICRQ) as LAC. With peer: on tunnel ID or on a tunnel to the\n"
	  "peer that has room (a new one if none); prints the tunnel and session IDs. With group:\n"
	  "through the group's endpoints with extended failover; prints a request ID, and where\n"
	  "the call landed is told by 'l2tpctl monitor' (request-done) and 'l2tpctl peer show'.",
	  { .allowed = PEER | GROUP | TUN | CALL, .one_of = PEER | GROUP, .needs = { [CLI_ARG_TUNNEL] = PEER },
	    .positional = -1 },
	  REQ(L2TPKD_CTL_MSG_SESSION_ADD), cli_run_add },
	{ "session", "del", "tunnel ID session ID", "Clear a session (CDN, result 3).",
	  { .allowed = TUN | SES, .required = TUN | SES, .positional = -1 }, REQ(L2TPKD_CTL_MSG_SESSION_DEL),
	  cli_run_change },
	{ "peer", "show", "[group NAME]",
	  "Show the endpoints of every peer group, or of one: priority, weight, state (up,\n"
	  "opening, busy and for how long, no tunnel), tunnels, sessions, failovers, attempts.",
	  { .allowed = GROUP, .positional = -1 }, REQ(L2TPKD_CTL_MSG_PEER_GET), cli_run_peer_show },
	{ "peer", "clear-busy", "[address ADDR|NAME] [group NAME]",
	  "Take endpoints off the busy list, so that calls are placed there again: one (an\n"
	  "address, port optional, or a [peer]), those of a group, or (neither) all of them.",
	  { .allowed = ADDRESS | GROUP, .positional = -1 }, REQ(L2TPKD_CTL_MSG_PEER_CLEAR_BUSY), cli_run_change },
	{ "stats", NULL, "[tunnel ID]",
	  "The engine's totals, and the kernel's data counters of every tunnel and session\n"
	  "(or of one tunnel and its sessions).",
	  { .allowed = TUN, .positional = CLI_ARG_TUNNEL }, REQ(L2TPKD_CTL_MSG_STATS), cli_run_stats },
	{ "lns", "show", "",
	  "The LNS side: whether it accepts tunnels, drain, the admission limits with the codes\n"
	  "they refuse with, and the engine's totals.",
	  NO_ARGS, REQ(L2TPKD_CTL_MSG_LNS_GET), cli_run_lns_show },
	{ "drain", "on", "",
	  "As LNS, refuse new tunnels and calls with result 2 error 7 (try another), so that\n"
	  "LACs fail over; what is up stays up. 'l2tpctl lns show' tells whether it drains.",
	  NO_ARGS, { .type = L2TPKD_CTL_MSG_DRAIN, .has_drain = true, .drain = true }, cli_run_change },
	{ "drain", "off", "", "Accept new tunnels and calls again.", NO_ARGS,
	  { .type = L2TPKD_CTL_MSG_DRAIN, .has_drain = true, .drain = false }, cli_run_change },
	{ "monitor", NULL, "",
	  "Print events as they happen (tunnels, sessions and PPP up and down, reloads, group\n"
	  "calls done) until interrupted.",
	  NO_ARGS, REQ(L2TPKD_CTL_MSG_MONITOR), cli_run_monitor },
	{ "reload", NULL, "", "Read the configuration file again (the old one stays if the new one is bad).", NO_ARGS,
	  REQ(L2TPKD_CTL_MSG_RELOAD), cli_run_change },
	{ "restart", NULL, "",
	  "Hitless restart: l2tpkd re-executes its program as found on disk (so this also\n"
	  "upgrades its binary), keeping the tunnel sockets, the pppd processes and the state;\n"
	  "its tunnels resynchronise with their peers silently, no session or data packet is\n"
	  "lost. SIGUSR2 to l2tpkd does the same; under systemd 'systemctl restart l2tpkd' is\n"
	  "as hitless, while 'systemctl stop l2tpkd' still clears every tunnel with StopCCN.",
	  NO_ARGS, REQ(L2TPKD_CTL_MSG_RESTART), cli_run_change },
	{ "version", NULL, "",
	  "Versions of l2tpctl, l2tpkd and their protocol, and the daemon's configuration file.",
	  NO_ARGS, REQ(L2TPKD_CTL_MSG_VERSION), cli_run_version },
	{ "help", NULL, "", "This text.", NO_ARGS, REQ(0), NULL },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct option options[] = {
	{ "json", no_argument, NULL, 'j' },	    { "pretty", no_argument, NULL, 'p' },
	{ "socket", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },	    { NULL, 0, NULL, 0 },
};

/*
 * Lines of text: the first one after what is already on the line, or at column indent if that
 * is not 0; the others at column indent, or under the first one.
 */
static void print_lines(FILE *f, const char *text, int first, int indent)
{
	int col = indent ? indent : first;
	bool at_start = indent != 0;

	do {
		size_t n = strcspn(text, "\n");

		fprintf(f, "%*s%.*s\n", at_start ? col : 0, "", (int)n, text);
		at_start = true;
		text += n + (text[n] == '\n');
	} while (*text);
}

static void help(FILE *f)
{
	size_t i;

	fputs("Usage: l2tpctl [OPTIONS] OBJECT [COMMAND] [ARGUMENTS]\n"
	      "\n"
	      "Control l2tpkd, the L2TPv2 daemon, over its control socket. Keywords may be shortened\n"
	      "to any unique prefix (l2tpctl t s = l2tpctl tunnel show); an OBJECT alone means its\n"
	      "show command (drain has none: it needs on or off). Changing commands (add, del,\n"
	      "clear-busy, drain, reload, restart) need root or group " L2TPKD_CTL_GROUP
	      "; showing is open to anyone\nwho may open the socket.\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (i = 0; i < N_COMMANDS; i++) {
		const struct command *c = &commands[i];
		int w = fprintf(f, "  %s%s%s%s", c->object, c->verb ? " " : "", c->verb ? c->verb : "", *c->args ? " " : "");

		print_lines(f, c->args, w, 0);
		print_lines(f, c->help, 6, 6);
	}
	fputs("\n"
	      "Options:\n"
	      "  -j, --json         JSON output: a show prints an array of objects, stats, lns\n"
	      "                     show, add and version one object, monitor one object per line\n"
	      "  -p, --pretty       indented JSON (implies --json)\n"
	      "  -s, --socket PATH  the daemon's control socket (default $" L2TPKD_CTL_SOCKET_ENV
	      ", else\n"
	      "                     " L2TPKD_CTL_SOCKET_PATH ")\n"
	      "  -h, --help         this text\n"
	      "  -V, --version      l2tpctl's own version (\"l2tpctl version\" asks the daemon too)\n"
	      "\n"
	      "Exit status:\n"
	      "  0  success\n"
	      "  1  usage error: unknown, ambiguous or missing keyword, bad number, arguments that\n"
	      "     exclude each other (peer and group)\n"
	      "  2  the daemon refused the request, or no such tunnel, session, group or busy endpoint\n"
	      "  3  the daemon cannot be reached (no socket, no permission) or went away\n"
	      "  4  the daemon's answer is malformed (protocol error)\n"
	      "\n"
	      "Examples:\n"
	      "  l2tpctl tunnel show\n"
	      "  l2tpctl -j sess sh tun 5\n"
	      "  l2tpctl session add peer lns1 calling 5551234 bearer digital speed 100000000\n"
	      "  l2tpctl session del tunnel 5 session 9\n"
	      "  l2tpctl session add group lns-pool calling 0123\n"
	      "  l2tpctl peer show group lns-pool\n"
	      "  l2tpctl peer clear-busy address 192.0.2.10\n"
	      "  l2tpctl drain on\n"
	      "  l2tpctl restart\n"
	      "\n"
	      "See l2tpctl(8).\n",
	      f);
}

static int usage_error(const char *why)
{
	fprintf(stderr, "l2tpctl: %s (see 'l2tpctl help')\n", why);
	return CLI_EXIT_USAGE;
}

/* "drain: a command is missing (expected on, off)". */
static void missing_command(const char *object, const char *const *verbs, size_t n, char *why, size_t why_len)
{
	size_t used = (size_t)snprintf(why, why_len, "%s: a command is missing (expected", object), i;

	for (i = 0; i < n && used < why_len; i++)
		used += (size_t)snprintf(why + used, why_len - used, "%s %s", i ? "," : "", verbs[i]);
	if (used < why_len)
		snprintf(why + used, why_len - used, ")");
}

/* The row for argv[0] (object) and argv[1] (command, or show by default); *used: words taken. */
static const struct command *find_command(int argc, char **argv, int *used, char *why, size_t why_len)
{
	const char *objects[N_COMMANDS] = { NULL }, *verbs[N_COMMANDS] = { NULL };
	const struct command *rows[N_COMMANDS];
	size_t i, n_verbs = 0;
	int o, v;

	for (i = 0; i < N_COMMANDS; i++)
		if (i == 0 || strcmp(commands[i].object, commands[i - 1].object))
			objects[i] = commands[i].object;
	o = cli_match(argv[0], objects, N_COMMANDS, "object", why, why_len);
	if (o < 0)
		return NULL;
	for (i = (size_t)o; i < N_COMMANDS && !strcmp(commands[i].object, objects[o]); i++) {
		rows[n_verbs] = &commands[i];
		verbs[n_verbs++] = commands[i].verb;
	}
	*used = 1;
	if (!verbs[0])
		return rows[0];
	if (argc < 2) {
		for (i = 0; i < n_verbs; i++)
			if (!strcmp(verbs[i], "show"))
				return rows[i];
		/* Without a show (drain): a changing command is never implied. */
		missing_command(objects[o], verbs, n_verbs, why, why_len);
		return NULL;
	}
	*used = 2;
	v = cli_match(argv[1], verbs, n_verbs, "command", why, why_len);
	if (v < 0) {
		size_t n = strlen(why);

		snprintf(why + n, why_len - n, " for %s", objects[o]);
		return NULL;
	}
	return rows[v];
}

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	stop_requested = 1;
}

/* Without SA_RESTART: a monitor blocked in recvmsg() wakes up with EINTR and ends. */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int run(const struct command *cmd, int argc, char **argv, struct cli_ctx *x)
{
	struct cli_request r = cmd->request;
	int ret;

	if (cli_parse_args(argc, argv, &cmd->spec, &r, x->why, sizeof(x->why)) < 0)
		return usage_error(x->why);
	if (!cmd->run) {
		help(stdout);
		return CLI_EXIT_OK;
	}
	if (r.type == L2TPKD_CTL_MSG_MONITOR)
		catch_stop_signals();
	ret = cmd->run(x, &r);
	if (fflush(x->out) != 0 && ret == CLI_EXIT_OK) {
		snprintf(x->why, sizeof(x->why), "cannot write the output");
		ret = CLI_EXIT_USAGE;
	}
	if (ret != CLI_EXIT_OK)
		fprintf(stderr, "l2tpctl: %s\n", x->why);
	return ret;
}

int main(int argc, char **argv)
{
	struct cli_ctx x = { .mode = PR_TEXT, .out = stdout, .timeout_s = CLI_TIMEOUT_S, .stop = &stop_requested };
	const struct command *cmd;
	int opt, used = 0;

	x.socket_path = getenv(L2TPKD_CTL_SOCKET_ENV);
	if (!x.socket_path || !*x.socket_path)
		x.socket_path = L2TPKD_CTL_SOCKET_PATH;
	while ((opt = getopt_long(argc, argv, "+jps:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			if (x.mode == PR_TEXT)
				x.mode = PR_JSON;
			break;
		case 'p':
			x.mode = PR_JSON_PRETTY;
			break;
		case 's':
			x.socket_path = optarg;
			break;
		case 'h':
			help(stdout);
			return CLI_EXIT_OK;
		case 'V':
			printf("l2tpctl " PACKAGE_VERSION " (control protocol %d)\n", L2TPKD_CTL_PROTO_VERSION);
			return CLI_EXIT_OK;
		default:
			return usage_error("unknown option");
		}
	}
	if (optind >= argc)
		return usage_error("an object is missing");
	cmd = find_command(argc - optind, argv + optind, &used, x.why, sizeof(x.why));
	if (!cmd)
		return usage_error(x.why);
	return run(cmd, argc - optind - used, argv + optind + used, &x);
}
