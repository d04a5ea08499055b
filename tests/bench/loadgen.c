/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/bench/loadgen: the setup-rate load generator of "scripts/bench" (issue 7). It plays
 * many LACs at once against a real LNS (l2tpkd's, or xl2tpd's for comparison) with the
 * project's own protocol engine, the one l2tpkd runs, and times how fast the LNS sets up
 * sessions. This file reads the command line and prints the report; loadgen_run.c does the
 * run. The manual is --help.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "loadgen.h"
#include "l2tp/wire.h"

#define MAX_TUNNELS  60000 /* below the 16-bit tunnel ID space of one engine */
#define MAX_SESSIONS 10000
#define MAX_CALLS    1000000
#define MAX_TEXT     255

static void help(void)
{
	fputs("NAME\n"
	      "    loadgen - set up many L2TP tunnels and sessions against an LNS, and time it\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    loadgen [OPTIONS] --lns ADDR[:PORT] --tunnels T --sessions S\n"
	      "    loadgen -h | --help\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    The setup-rate load generator of scripts/bench (issue 7). It plays T LACs at once\n"
	      "    with the protocol engine l2tpkd runs: each tunnel from a UDP socket of its own (its\n"
	      "    own port, and its own address with --local), so the LNS sees T peers, and S incoming\n"
	      "    calls (ICRQ, ICRP, ICCN) in each. At most --open-burst SCCRQs are unanswered at a\n"
	      "    time; a tunnel places its calls as soon as it is up, as fast as the engine takes\n"
	      "    them (while the tunnel's queue of unacknowledged messages has room). A tunnel or\n"
	      "    call the LNS refuses is not tried again.\n"
	      "\n"
	      "    There is no data path: the engine's kernel requests succeed at once, and data\n"
	      "    messages from the LNS (pppd's LCP frames) are only counted. A session is up when\n"
	      "    the engine reports it established (the LAC sent its ICCN).\n"
	      "\n"
	      "    Setup ends when every tunnel and call came up or went down, or after --timeout.\n"
	      "    Then 2 s of settling (control messages still unacknowledged are counted), the hold\n"
	      "    (everything kept; HELLOs after 60 s of silence), and every tunnel is closed with a\n"
	      "    StopCCN: loadgen waits up to 5 s for the StopCCNs to be acknowledged, so the LNS is\n"
	      "    left clean. A setup given up at --timeout skips the settle and the hold. Times are\n"
	      "    counted from the first SCCRQ. SIGINT or SIGTERM ends the setup (as given up) or the\n"
	      "    settle and the hold at once, and the run closes and reports as usual; a second one\n"
	      "    kills.\n"
	      "\n"
	      "OPTIONS\n"
	      "    --lns ADDR[:PORT]       the LNS: IPv4 address, IPv6 address or [IPv6]:PORT; port\n"
	      "                            1701 by default\n"
	      "    --tunnels T             tunnels to open, 1 to 60000\n"
	      "    --sessions S            calls to place in each tunnel, 1 to 10000; T x S at most\n"
	      "                            1000000\n"
	      "    --local ADDR[,ADDR...]  addresses the tunnels' sockets are bound to, in turn (at\n"
	      "                            most 64, of the family of --lns); default: the kernel's\n"
	      "                            choice. The ports are ephemeral: the kernel's range\n"
	      "                            (net.ipv4.ip_local_port_range, 28232 ports by default)\n"
	      "                            bounds the tunnels from one address.\n"
	      "    --open-burst N          SCCRQs unanswered at a time, 1 to 60000 (default 64)\n"
	      "    --host-name NAME        the Host Name AVP, 1 to 255 characters (default loadgen)\n"
	      "    --secret SECRET         tunnel authentication (RFC 2661 5.1.1) with this secret,\n"
	      "                            1 to 255 characters (default: none)\n"
	      "    --retries N             retransmissions before a tunnel is given up, 1 to 255\n"
	      "                            (default: the engine's, 5)\n"
	      "    --timeout SEC           give up the setup after this long, 1 to 86400 (default 300)\n"
	      "    --hold SEC              keep everything this long after the settle, 0 to 86400\n"
	      "                            (default 0)\n"
	      "    -v, --verbose           the engine's log at info level on stderr (default: warnings\n"
	      "                            and errors, and none while closing)\n"
	      "    -h, --help              this manual\n"
	      "\n"
	      "OUTPUT\n"
	      "    On stderr, the phases and about every 2 s a progress line:\n"
	      "        loadgen: 12.3 s: tunnels 100/100 up, sessions 734/1000 up, 2 refused\n"
	      "    On stdout at the end, the figures in lines for people, then one line for scripts:\n"
	      "        loadgen: tunnels=T sessions=N tunnels_up=X sessions_up=Y refused=R\n"
	      "        tunnels_down=DT sessions_down=DS t_tunnels=SEC t_first=SEC t_1000=SEC\n"
	      "        t_all=SEC rate=SESSIONS_PER_S data_frames=F setup_sent=M\n"
	      "        setup_retransmitted=RM\n"
	      "    (one line) where N is T x S; X and Y the tunnels and sessions that came up during\n"
	      "    setup; R the tunnels and calls that went down during setup (refused, or not\n"
	      "    answered; a tunnel's calls go down with it); DT and DS the tunnels and sessions\n"
	      "    that went down during the settle and the hold (target 0); t_tunnels, t_first,\n"
	      "    t_1000 and t_all the seconds from the first SCCRQ until every tunnel was up, the\n"
	      "    first session, the 1,000th and the last (3 decimals; \"-\" when not reached); rate\n"
	      "    the sessions up a second, Y / t_all, or Y / the setup's length when not all came\n"
	      "    up; F the data messages received; M the control messages sent during the setup,\n"
	      "    first transmissions, and RM the retransmissions besides.\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0 when every session came up and none went down during the settle and the hold; 1\n"
	      "    otherwise, or when the run could not be made (sockets, memory); 2 on a usage error.\n"
	      "\n"
	      "NOTES\n"
	      "    Nothing answers the LNS's PPP: a pppd there gives up LCP after its configure\n"
	      "    requests run out (lcp-max-configure x lcp-restart, 30 s by default) and the LNS\n"
	      "    clears the session, unless its options say \"passive\" (scripts/bench setup's).\n"
	      "\n"
	      "    An LNS keeps a closed tunnel for a while (l2tpkd: about 31 s after the StopCCN)\n"
	      "    and takes an SCCRQ from the same address and port with the same Assigned Tunnel\n"
	      "    ID for a retransmission of the old one: the ports are ephemeral, so a run just\n"
	      "    after another may meet one; leave that long between two runs.\n"
	      "\n"
	      "EXAMPLE\n"
	      "    loadgen --lns 192.0.2.1 --tunnels 100 --sessions 10 --local 192.0.2.10,192.0.2.11 \\\n"
	      "            --hold 30\n",
	      stdout);
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("loadgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	return -1;
}

static int parse_number(const char *what, const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (*s >= '0' && *s <= '9') {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (!errno && !*end && v >= min && v <= max) {
			*out = (uint32_t)v;
			return 0;
		}
	}
	return usage_error("%s: a number from %u to %u, not '%s'", what, min, max, s);
}

/* An IPv4 or IPv6 address of len characters at s, family 0 for either; port 0. */
static int parse_host(const char *s, size_t len, int family, struct l2tp_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	memset(a, 0, sizeof(*a));
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (family != AF_INET6 && inet_pton(AF_INET, buf, a->addr) == 1)
		a->family = AF_INET;
	else if (family != AF_INET && inet_pton(AF_INET6, buf, a->addr) == 1)
		a->family = AF_INET6;
	else
		return -1;
	return 0;
}

/* ADDR, IPv4:PORT or [IPv6]:PORT. */
static int parse_lns(const char *s, struct l2tp_addr *a)
{
	const char *colon = strchr(s, ':'), *port = NULL;
	uint32_t p = L2TP_PORT;
	int err;

	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || (close[1] && close[1] != ':'))
			return usage_error("--lns: '%s' is not [IPv6]:PORT", s);
		err = parse_host(s + 1, (size_t)(close - s - 1), AF_INET6, a);
		port = close[1] ? close + 2 : NULL;
	} else if (colon && !strchr(colon + 1, ':')) {
		err = parse_host(s, (size_t)(colon - s), AF_INET, a);
		port = colon + 1;
	} else {
		err = parse_host(s, strlen(s), 0, a);
	}
	if (err < 0)
		return usage_error("--lns: '%s' is not an IPv4 or IPv6 address with an optional port", s);
	if (port && parse_number("--lns port", port, 1, 65535, &p) < 0)
		return -1;
	a->port = (uint16_t)p;
	return 0;
}

static int parse_locals(const char *s, struct lg_opts *o)
{
	o->n_locals = 0;
	for (const char *p = s;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (o->n_locals == LG_MAX_LOCALS)
			return usage_error("--local: at most %d addresses", LG_MAX_LOCALS);
		if (parse_host(p, len, 0, &o->locals[o->n_locals]) < 0)
			return usage_error("--local: '%.*s' is not an IPv4 or IPv6 address", (int)len, p);
		o->n_locals++;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int parse_text(const char *what, const char *s, const char **out)
{
	size_t len = strlen(s);

	if (len == 0 || len > MAX_TEXT)
		return usage_error("%s: 1 to %d characters", what, MAX_TEXT);
	*out = s;
	return 0;
}

static int parse_option(int c, const char *arg, struct lg_opts *o)
{
	uint32_t v;

	switch (c) {
	case 'l':
		return parse_lns(arg, &o->lns);
	case 't':
		return parse_number("--tunnels", arg, 1, MAX_TUNNELS, &o->tunnels);
	case 's':
		return parse_number("--sessions", arg, 1, MAX_SESSIONS, &o->sessions);
	case 'L':
		return parse_locals(arg, o);
	case 'b':
		return parse_number("--open-burst", arg, 1, MAX_TUNNELS, &o->open_burst);
	case 'n':
		return parse_text("--host-name", arg, &o->host_name);
	case 'S':
		return parse_text("--secret", arg, &o->secret);
	case 'r':
		if (parse_number("--retries", arg, 1, 255, &v) < 0)
			return -1;
		o->retries = (int)v;
		return 0;
	case 'T':
		return parse_number("--timeout", arg, 1, 86400, &o->timeout_s);
	case 'H':
		return parse_number("--hold", arg, 0, 86400, &o->hold_s);
	case 'v':
		o->verbose = true;
		return 0;
	default:
		return -1;
	}
}

/* 0, 1 for --help, or -1 after a one-line reason on stderr. */
static int parse_opts(int argc, char **argv, struct lg_opts *o)
{
	static const struct option longopts[] = { { "lns", required_argument, NULL, 'l' },
						  { "tunnels", required_argument, NULL, 't' },
						  { "sessions", required_argument, NULL, 's' },
						  { "local", required_argument, NULL, 'L' },
						  { "open-burst", required_argument, NULL, 'b' },
						  { "host-name", required_argument, NULL, 'n' },
						  { "secret", required_argument, NULL, 'S' },
						  { "retries", required_argument, NULL, 'r' },
						  { "timeout", required_argument, NULL, 'T' },
						  { "hold", required_argument, NULL, 'H' },
						  { "verbose", no_argument, NULL, 'v' },
						  { "help", no_argument, NULL, 'h' },
						  { NULL, 0, NULL, 0 } };
	int c;

	*o = (struct lg_opts){ .open_burst = 64, .timeout_s = 300, .retries = -1, .host_name = "loadgen" };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hv", longopts, NULL)) != -1) {
		if (c == 'h')
			return 1;
		if (c == ':')
			return usage_error("%s needs a value", argv[optind - 1]);
		if (c == '?')
			return usage_error("unknown option '%s'", argv[optind - 1]);
		if (parse_option(c, optarg, o) < 0)
			return -1;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->lns.family || !o->tunnels || !o->sessions)
		return usage_error("--lns, --tunnels and --sessions are required");
	if ((uint64_t)o->tunnels * o->sessions > MAX_CALLS)
		return usage_error("--tunnels x --sessions: at most %d calls", MAX_CALLS);
	for (unsigned i = 0; i < o->n_locals; i++)
		if (o->locals[i].family != o->lns.family)
			return usage_error("--local: every address must be of the family of --lns");
	return 0;
}

static const char *secs(char *buf, size_t n, uint64_t ms)
{
	if (ms == LG_NOT_REACHED)
		return "-";
	snprintf(buf, n, "%.3f", (double)ms / 1000);
	return buf;
}

static void print_refusals(const struct lg_result *r)
{
	printf("loadgen: refused or gone down during setup: %u\n", r->refused);
	for (unsigned i = 0; i < r->n_refusals; i++) {
		const struct lg_refusal *k = &r->refusals[i];

		printf("loadgen:   %u %s: result %u error %u, %s%s%s%s\n", k->count,
		       k->tunnel ? "tunnels" : "calls", k->result, k->error,
		       k->by_peer ? "by the LNS" : "by us", *k->message ? " \"" : "", k->message,
		       *k->message ? "\"" : "");
	}
	if (r->refusals_unsorted)
		printf("loadgen:   %u of other kinds\n", r->refusals_unsorted);
	if (r->tunnels_not_opened)
		printf("loadgen: tunnels not opened: %u (the engine said: %s)\n", r->tunnels_not_opened,
		       strerror(-r->open_error));
	if (r->calls_not_placed)
		printf("loadgen: calls not placed: %u (their tunnel went down or closed%s%s)\n",
		       r->calls_not_placed, r->place_error ? "; the engine last said: " : "",
		       r->place_error ? strerror(-r->place_error) : "");
}

/* Human lines, then the one line scripts/bench parses. */
static void report(const struct lg_opts *o, const struct lg_result *r)
{
	uint32_t calls = o->tunnels * o->sessions;
	uint64_t span = r->t_all != LG_NOT_REACHED ? r->t_all : r->t_setup;
	double rate = (double)r->sessions_up * 1000 / (double)(span ? span : 1);
	char lns[L2TP_ADDR_STRLEN], a[16], b[16], c[16], d[16];

	printf("loadgen: LNS %s: %u tunnels x %u sessions = %u sessions, from %s, %s\n",
	       l2tp_addr_str(&o->lns, lns), o->tunnels, o->sessions, calls,
	       o->n_locals ? "--local addresses" : "addresses the kernel chose",
	       o->secret ? "tunnel authentication" : "no tunnel authentication");
	printf("loadgen: setup %s after %.3f s\n", r->timed_out ? "given up (--timeout)" : "complete",
	       (double)r->t_setup / 1000);
	printf("loadgen: tunnels up: %u of %u, all by %s s\n", r->tunnels_up, o->tunnels,
	       secs(a, sizeof(a), r->t_tunnels));
	printf("loadgen: sessions up: %u of %u; first at %s s, 1,000th at %s s, all at %s s; %.1f a second\n",
	       r->sessions_up, calls, secs(a, sizeof(a), r->t_first), secs(b, sizeof(b), r->t_1000),
	       secs(c, sizeof(c), r->t_all), rate);
	printf("loadgen: control messages during the setup: %llu sent, %llu retransmissions besides\n",
	       (unsigned long long)r->setup_sent, (unsigned long long)r->setup_retransmitted);
	print_refusals(r);
	if (r->timed_out) {
		printf("loadgen: left when the setup was given up: %u tunnels not up, %u calls unanswered, "
		       "%u calls not placed\n",
		       r->left_opening, r->left_pending, r->left_unplaced);
	} else {
		printf("loadgen: unacknowledged after the 2 s settle: %u control messages on %u tunnels\n",
		       r->unacked_messages, r->unacked_tunnels);
		printf("loadgen: gone down during the settle and the %.1f s hold: %u tunnels, %u sessions "
		       "(target 0)\n",
		       (double)r->hold_ms / 1000, r->hold_tunnels_down, r->hold_sessions_down);
	}
	printf("loadgen: data frames received: %llu; control messages sent: %llu, retransmitted: %llu, "
	       "ZLB acknowledgements: %llu; send errors: %llu\n",
	       (unsigned long long)r->data_frames, (unsigned long long)r->stats.messages_sent,
	       (unsigned long long)r->stats.retransmissions, (unsigned long long)r->stats.zlbs_sent,
	       (unsigned long long)r->send_errors);
	printf("loadgen: closed %u tunnels with StopCCN: %u unacknowledged after %.3f s\n", r->closed,
	       r->close_unacked, (double)r->close_ms / 1000);
	printf("loadgen: tunnels=%u sessions=%u tunnels_up=%u sessions_up=%u refused=%u tunnels_down=%u "
	       "sessions_down=%u t_tunnels=%s t_first=%s t_1000=%s t_all=%s rate=%.1f data_frames=%llu "
	       "setup_sent=%llu setup_retransmitted=%llu\n",
	       o->tunnels, calls, r->tunnels_up, r->sessions_up, r->refused, r->hold_tunnels_down,
	       r->hold_sessions_down, secs(a, sizeof(a), r->t_tunnels),
	       secs(b, sizeof(b), r->t_first), secs(c, sizeof(c), r->t_1000), secs(d, sizeof(d), r->t_all),
	       rate, (unsigned long long)r->data_frames, (unsigned long long)r->setup_sent,
	       (unsigned long long)r->setup_retransmitted);
}

int main(int argc, char **argv)
{
	struct lg_opts o;
	struct lg_result r;
	int opts = parse_opts(argc, argv, &o);

	if (opts == 1) {
		help();
		return 0;
	}
	if (opts < 0)
		return 2;
	if (loadgen_run(&o, &r) < 0)
		return 1;
	report(&o, &r);
	return r.sessions_up == o.tunnels * o.sessions && !r.hold_tunnels_down && !r.hold_sessions_down ? 0
													: 1;
}
