/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol suite (suite_ctl_proto) is spread over files of one concept each:
 * check_ctl_proto.c (policies, parser, writer, reply parsing), check_ctl_cli.c (grammar,
 * requests, printing), check_ctl_server.c (the server's transport over real sockets),
 * check_ctl_limits.c (credentials, connection limits), check_ctl_cmds.c (l2tpctl's commands
 * against the daemon's, on a real engine).
 */
#ifndef L2TPKD_CTL_TESTS_H
#define L2TPKD_CTL_TESTS_H

#include <check.h>

TCase *tcase_ctl_cli(void);
TCase *tcase_ctl_print(void);
TCase *tcase_ctl_server(void);
TCase *tcase_ctl_server_limits(void);
TCase *tcase_ctl_cmds(void);

#endif
