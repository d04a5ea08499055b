/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every part of l2tpctl shares: its exit codes (documented in l2tpctl(8) and in
 * `l2tpctl help`, so scripts can rely on them) and the size of a "why" message.
 */
#ifndef L2TPKD_CLI_H
#define L2TPKD_CLI_H

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_USAGE = 1,	  /* the command line is wrong */
	CLI_EXIT_REFUSED = 2,	  /* the daemon refused, or no such object */
	CLI_EXIT_UNREACHABLE = 3, /* no daemon at the socket, or it went away */
	CLI_EXIT_PROTOCOL = 4,	  /* the daemon's answer makes no sense */
};

#define CLI_WHY_MAX 512

#endif
