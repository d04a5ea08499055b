/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpkd: command line, configuration check, and the daemon's start. Everything after the
 * start lives in the shell (shell.c).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "conf.h"
#include "l2tp/ctl.h"
#include "log.h"
#include "shell.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: l2tpkd [OPTIONS]\n"
		   "       l2tpkd --check-config [FILE]\n"
		   "\n"
		   "L2TPv2 (RFC 2661) control-plane daemon: negotiates tunnels and sessions as LAC and LNS\n"
		   "and programs the kernel's L2TP data path; one pppd per session. Runs in the\n"
		   "foreground (systemd Type=notify); stop it with SIGTERM (StopCCN to every peer),\n"
		   "reload the configuration with SIGHUP or 'l2tpctl reload', restart it without\n"
		   "losing a session with SIGUSR2 or 'l2tpctl restart' (or 'systemctl restart').\n"
		   "\n"
		   "Options:\n"
		   "  -c, --config FILE        configuration file (default " L2TPKD_CONF_PATH ")\n"
		   "      --check-config [FILE]\n"
		   "                           check the configuration and print its canonical form;\n"
		   "                           on errors print each as 'file:line: key: reason' and\n"
		   "                           exit 1\n"
		   "  -s, --socket PATH        control socket for l2tpctl (default " L2TPKD_CTL_SOCKET_PATH ")\n"
		   "      --log-target TARGET  auto (the journal under systemd, else stderr), journal,\n"
		   "                           or stderr (default auto)\n"
		   "  -d, --debug              log at debug level whatever the configuration says\n"
		   "  -h, --help               this text\n"
		   "  -V, --version            the version\n"
		   "\n"
		   "Exit status: 0 after a clean stop; 1 on a bad configuration, a kernel without L2TP\n"
		   "support, or any other start failure (one line on stderr says why).\n"
		   "\n"
		   "See l2tpkd(8), l2tpkd.conf(5), l2tpctl(8).\n");
}

/* --check-config: the canonical configuration on stdout, or the errors on stderr. */
static int check_config(const char *path)
{
	struct l2tpkd_conf *c;

	if (conf_load(path, &c, stderr) < 0)
		return 1;
	conf_print(c, stdout);
	conf_free(c);
	return 0;
}

/*
 * Every tunnel holds a socket and every session a pidfd and a log pipe, and the fd vault keeps
 * as many again in flight, which the kernel counts against the same limit: the soft limit
 * goes up to the hard one (the unit's LimitNOFILE).
 */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		log_warning("cannot raise the open file limit: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	enum { OPT_CHECK = 256, OPT_LOG_TARGET };
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", optional_argument, NULL, OPT_CHECK },
		{ "socket", required_argument, NULL, 's' },
		{ "log-target", required_argument, NULL, OPT_LOG_TARGET },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct shell_options opt = { .conf_path = L2TPKD_CONF_PATH, .ctl_path = L2TPKD_CTL_SOCKET_PATH, .argv = argv };
	enum log_target target = LOG_TARGET_AUTO;
	const char *env_socket = getenv("L2TPKD_SOCKET");
	bool check = false;
	struct l2tpkd_conf *conf;
	struct shell *sh = NULL;
	char why[512] = "";
	int c, r;

	if (env_socket && *env_socket)
		opt.ctl_path = env_socket;
	while ((c = getopt_long(argc, argv, "c:s:dhV", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			opt.conf_path = optarg;
			break;
		case OPT_CHECK:
			check = true;
			/* "--check-config FILE" as well as "--check-config=FILE". */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			if (optarg)
				opt.conf_path = optarg;
			break;
		case 's':
			opt.ctl_path = optarg;
			break;
		case OPT_LOG_TARGET:
			if (!strcmp(optarg, "auto"))
				target = LOG_TARGET_AUTO;
			else if (!strcmp(optarg, "journal"))
				target = LOG_TARGET_JOURNAL;
			else if (!strcmp(optarg, "stderr"))
				target = LOG_TARGET_STDERR;
			else {
				fprintf(stderr, "l2tpkd: --log-target: '%s' is not auto, journal or stderr\n", optarg);
				return 1;
			}
			break;
		case 'd':
			opt.debug = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("l2tpkd " PACKAGE_VERSION "\n");
			return 0;
		default:
			fprintf(stderr, "l2tpkd: see 'l2tpkd --help'\n");
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "l2tpkd: unexpected argument '%s'; see 'l2tpkd --help'\n", argv[optind]);
		return 1;
	}
	if (check)
		return check_config(opt.conf_path);

	if (conf_load(opt.conf_path, &conf, stderr) < 0) {
		fprintf(stderr, "l2tpkd: not started: the configuration has errors\n");
		return 1;
	}
	log_setup(target, opt.debug ? ENGINE_LOG_DEBUG : conf->engine.log_level);
	raise_fd_limit();
	r = shell_new(&sh, conf, &opt, why, sizeof(why));
	if (r < 0) {
		log_err("not started: %s", why[0] ? why : strerror(-r));
		shell_free(sh);
		return 1;
	}
	r = shell_run(sh);
	shell_free(sh);
	log_notice("stopped");
	return r;
}
