/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration suite (suite_conf) is spread over two files: check_conf.c (golden files,
 * look-ups, the engine configuration, the example file and the man page) and
 * check_conf_hostile.c (files built to break the parser and its limits). conf_fixture.c holds
 * the helpers both use.
 */
#ifndef L2TPKD_CONF_TESTS_H
#define L2TPKD_CONF_TESTS_H

#include <stddef.h>

#include <check.h>

#include "conf.h"

TCase *tcase_conf_hostile(void);

/* snprintf() for paths, which must fit. */
void path_fmt(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* s with every from replaced by to, to free. */
char *replace_all(const char *s, const char *from, const char *to);
/* conf_load() with its error text (to free), in which the path is "@FILE@". */
int load(const char *path, struct l2tpkd_conf **c, char **errors);
/* The same for text written to a temporary file. */
int load_text(const char *text, size_t len, struct l2tpkd_conf **c, char **errors);
/* The canonical form, to free. */
char *print(const struct l2tpkd_conf *c);
int count_lines(const char *s);
/* The canonical form loads to the same settings and prints the same again. */
void assert_round_trip(const struct l2tpkd_conf *c, const char *what);
/* gethostname(), or "l2tpkd" where it would not do as a configured host name. */
const char *host_name(void);

#endif
