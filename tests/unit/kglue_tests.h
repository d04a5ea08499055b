/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel glue suite (suite_kglue) is spread over files of one concept each: check_kglue.c
 * (requests read back with libmnl, startup and PPPoL2TP sockets against this host's kernel),
 * check_kglue_replies.c (replies and notifications as the kernel lays them out) and
 * check_kglue_pppd.c (pppd's argument vector, spawning a fake pppd).
 */
#ifndef L2TPKD_KGLUE_TESTS_H
#define L2TPKD_KGLUE_TESTS_H

#include <check.h>

#define FAMILY	 0x1f /* any genl family id */
#define TEST_BUF 8192

TCase *tcase_kglue_replies(void);
TCase *tcase_kglue_pppd_argv(void);
TCase *tcase_kglue_pppd_spawn(void);

#endif
