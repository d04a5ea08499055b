/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl's grammar pieces, as iproute2 has them: keywords matched by unique prefix, strict
 * numbers, and "keyword VALUE" arguments parsed into a struct cli_request by a per-command
 * spec (which keywords it takes, which it needs, what a bare number means).
 */
#ifndef L2TPKD_CLI_GRAMMAR_H
#define L2TPKD_CLI_GRAMMAR_H

#include <stddef.h>
#include <stdint.h>

#include "cli_request.h"

/*
 * Index of word in names[0..n) (NULL entries skipped): an exact name, or the only name it is
 * a prefix of. -ENOENT if none, -ENOTUNIQ if several; then why says so, naming what (such as
 * "object") and the candidates.
 */
int cli_match(const char *word, const char *const *names, size_t n, const char *what, char *why, size_t why_len);

/* Decimal digits only. IDs are 1..65535: -EINVAL (not a number) or -ERANGE. */
int cli_parse_id(const char *s, uint16_t *out);
int cli_parse_u32(const char *s, uint32_t *out);

enum cli_arg {
	CLI_ARG_TUNNEL,	 /* tunnel ID */
	CLI_ARG_SESSION, /* session ID */
	CLI_ARG_PEER,	 /* peer NAME|ADDR */
	CLI_ARG_CALLING, /* calling NUMBER */
	CLI_ARG_CALLED,	 /* called NUMBER */
	CLI_ARG_BEARER,	 /* bearer analog|digital */
	CLI_ARG_SPEED,	 /* speed BPS */
	CLI_ARG_GROUP,	 /* group NAME */
	CLI_ARG_ADDRESS, /* address ADDR|NAME: an endpoint, into the request's peer */
	CLI_ARG_COUNT,
};
#define CLI_ARG(a) (1u << (a))

struct cli_args_spec {
	unsigned allowed;  /* CLI_ARG() bits */
	unsigned required; /* CLI_ARG() bits */
	unsigned one_of;   /* CLI_ARG() bits: exactly one of them (0: no such rule) */
	/* needs[a]: CLI_ARG() bits of which one must be given too if a is (0: no rule). */
	unsigned needs[CLI_ARG_COUNT];
	int positional; /* what a bare number is (an enum cli_arg), or -1 */
};

/*
 * Fills r from argv[0..argc) (r's type, dump and drain are left alone). 0, or -EINVAL with a
 * one-line reason in why.
 */
int cli_parse_args(int argc, char *const *argv, const struct cli_args_spec *spec, struct cli_request *r, char *why,
		   size_t why_len);

#endif
