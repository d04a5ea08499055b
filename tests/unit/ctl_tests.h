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
#include <stddef.h>

TCase *tcase_ctl_cli(void);
TCase *tcase_ctl_print(void);
TCase *tcase_ctl_server(void);
TCase *tcase_ctl_server_limits(void);
TCase *tcase_ctl_cmds(void);

struct cli_args_spec;
struct cli_request;
/* Splits line into words and parses them; r's strings point into a copy kept until the next call. */
int cli_test_parse(const struct cli_args_spec *spec, struct cli_request *r, char *why, size_t n, const char *line);

/*
 * l2tpctl's extended failover commands (suite_ctl_cli_failover): check_ctl_cli_failover.c
 * (grammar, requests, printing) and check_ctl_cli_canned.c (the commands against canned
 * answers over a socket). The replies and events below are filled in as the daemon builds
 * them, with their text output where a test compares it whole.
 */
struct ctl_msg;
TCase *tcase_ctl_cli_canned(void);
void ctl_test_endpoint_busy(struct ctl_msg *m); /* peer show: lns-pool's 192.0.2.10, busy */
void ctl_test_endpoint_idle(struct ctl_msg *m); /* and its 2001:db8::2, no tunnel */
extern const char ctl_test_endpoints_text[];	/* the two as a list */
void ctl_test_lns(struct ctl_msg *m);		/* lns show */
extern const char ctl_test_lns_text[];
void ctl_test_request_up(struct ctl_msg *m); /* request-done: request 7 up */
extern const char ctl_test_request_up_text[];

#endif
