/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Keyword matching and argument parsing for l2tpctl. Everything on the command line is
 * checked here, before anything is sent: numbers are decimal and in range, strings within the
 * protocol's bounds, no argument twice, every required one present, and the rules between them
 * (session add takes peer or group, tunnel only with peer).
 */
#include "cli_grammar.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "l2tp/ctl.h"
#include "l2tp/wire.h"

static const char *const arg_names[CLI_ARG_COUNT] = {
	[CLI_ARG_TUNNEL] = "tunnel",   [CLI_ARG_SESSION] = "session", [CLI_ARG_PEER] = "peer",
	[CLI_ARG_CALLING] = "calling", [CLI_ARG_CALLED] = "called",   [CLI_ARG_BEARER] = "bearer",
	[CLI_ARG_SPEED] = "speed",     [CLI_ARG_GROUP] = "group",     [CLI_ARG_ADDRESS] = "address",
};

static const char *const bearer_names[] = { "analog", "digital" };
static const uint32_t bearer_bits[] = { L2TP_BEARER_ANALOG, L2TP_BEARER_DIGITAL };

/* "a, b, c": the names that start with prefix (all of them if prefix is NULL). */
static void list_names(const char *const *names, size_t n, const char *prefix, char *buf, size_t len)
{
	size_t used = 0, i;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		if (!names[i] || (prefix && strncmp(names[i], prefix, strlen(prefix))))
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", names[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int cli_match(const char *word, const char *const *names, size_t n, const char *what, char *why, size_t why_len)
{
	size_t wlen = strlen(word), i;
	int found = -ENOENT;
	char list[256];

	for (i = 0; i < n; i++) {
		if (!names[i])
			continue;
		if (!strcmp(names[i], word))
			return (int)i;
		if (wlen && !strncmp(names[i], word, wlen))
			found = found == -ENOENT ? (int)i : -ENOTUNIQ;
	}
	if (found >= 0)
		return found;
	list_names(names, n, found == -ENOTUNIQ ? word : NULL, list, sizeof(list));
	if (found == -ENOTUNIQ)
		snprintf(why, why_len, "%s '%s' is ambiguous: %s", what, word, list);
	else if (list[0])
		snprintf(why, why_len, "unknown %s '%s' (expected %s)", what, word, list);
	else
		snprintf(why, why_len, "unexpected %s '%s'", what, word);
	return found;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 0;
}

int cli_parse_id(const char *s, uint16_t *out)
{
	unsigned long v;
	int r = parse_ulong(s, UINT16_MAX, &v);

	if (r < 0)
		return r;
	if (v == 0)
		return -ERANGE;
	*out = (uint16_t)v;
	return 0;
}

int cli_parse_u32(const char *s, uint32_t *out)
{
	unsigned long v;
	int r = parse_ulong(s, UINT32_MAX, &v);

	if (r == 0)
		*out = (uint32_t)v;
	return r;
}

static int bad_number(const char *arg, const char *value, int r, const char *range, char *why, size_t why_len)
{
	snprintf(why, why_len, "%s '%s': %s (%s)", arg, value, r == -ERANGE ? "out of range" : "not a number", range);
	return -EINVAL;
}

static int bad_string(const char *arg, const char *value, size_t max, char *why, size_t why_len)
{
	if (!*value)
		snprintf(why, why_len, "%s: empty", arg);
	else
		snprintf(why, why_len, "%s: longer than %zu characters", arg, max - 1);
	return -EINVAL;
}

/* One argument's value into r. */
static int set_arg(enum cli_arg a, const char *v, struct cli_request *r, char *why, size_t why_len)
{
	const char *name = arg_names[a];
	int i, e;

	switch (a) {
	case CLI_ARG_TUNNEL:
	case CLI_ARG_SESSION:
		e = cli_parse_id(v, a == CLI_ARG_TUNNEL ? &r->tunnel_id : &r->session_id);
		return e < 0 ? bad_number(name, v, e, "an ID is 1 to 65535", why, why_len) : 0;
	case CLI_ARG_PEER:
	case CLI_ARG_ADDRESS:
	case CLI_ARG_GROUP:
		*(a == CLI_ARG_GROUP ? &r->group : &r->peer) = v;
		return *v && strlen(v) < L2TPKD_CTL_PEER_MAX ? 0 : bad_string(name, v, L2TPKD_CTL_PEER_MAX, why, why_len);
	case CLI_ARG_CALLING:
	case CLI_ARG_CALLED:
		*(a == CLI_ARG_CALLING ? &r->calling : &r->called) = v;
		return *v && strlen(v) < L2TPKD_CTL_NUMBER_MAX ? 0
							       : bad_string(name, v, L2TPKD_CTL_NUMBER_MAX, why, why_len);
	case CLI_ARG_BEARER:
		i = cli_match(v, bearer_names, 2, "bearer", why, why_len);
		if (i < 0)
			return -EINVAL;
		r->bearer = bearer_bits[i];
		return 0;
	case CLI_ARG_SPEED:
		e = cli_parse_u32(v, &r->tx_speed);
		if (e == 0 && r->tx_speed == 0)
			e = -ERANGE;
		r->has_tx_speed = true;
		return e < 0 ? bad_number(name, v, e, "bits per second, 1 to 4294967295", why, why_len) : 0;
	case CLI_ARG_COUNT:
		break;
	}
	return -EINVAL;
}

/* "a", "a or b", "a, b or c": the names of the CLI_ARG() bits. */
static void join_names(unsigned bits, char *buf, size_t len)
{
	unsigned left = bits;
	const char *sep;
	size_t used = 0;
	int a, w;

	buf[0] = '\0';
	for (a = 0; a < CLI_ARG_COUNT && used < len; a++) {
		if (!(bits & CLI_ARG(a)))
			continue;
		left &= ~CLI_ARG(a);
		sep = !left ? "" : left & (left - 1) ? ", " : " or ";
		w = snprintf(buf + used, len - used, "%s%s", arg_names[a], sep);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

/* The rules between arguments, once all are in: required ones, one of a set, dependencies. */
static int check_combination(const struct cli_args_spec *spec, unsigned seen, char *why, size_t why_len)
{
	unsigned given = seen & spec->one_of;
	char names[128];
	int a, b;

	if (spec->one_of && !given) {
		join_names(spec->one_of, names, sizeof(names));
		snprintf(why, why_len, "%s is required", names);
		return -EINVAL;
	}
	if (given & (given - 1)) {
		a = __builtin_ctz(given);
		b = __builtin_ctz(given & (given - 1));
		snprintf(why, why_len, "%s and %s exclude each other", arg_names[a], arg_names[b]);
		return -EINVAL;
	}
	for (a = 0; a < CLI_ARG_COUNT; a++) {
		if (spec->required & CLI_ARG(a) && !(seen & CLI_ARG(a))) {
			snprintf(why, why_len, "%s is missing", arg_names[a]);
			return -EINVAL;
		}
		if (seen & CLI_ARG(a) && spec->needs[a] && !(seen & spec->needs[a])) {
			join_names(spec->needs[a], names, sizeof(names));
			snprintf(why, why_len, "%s is only allowed with %s", arg_names[a], names);
			return -EINVAL;
		}
	}
	return 0;
}

int cli_parse_args(int argc, char *const *argv, const struct cli_args_spec *spec, struct cli_request *r, char *why,
		   size_t why_len)
{
	const char *allowed[CLI_ARG_COUNT];
	unsigned seen = 0;
	int i, a;

	for (a = 0; a < CLI_ARG_COUNT; a++)
		allowed[a] = spec->allowed & CLI_ARG(a) ? arg_names[a] : NULL;
	for (i = 0; i < argc; i++) {
		const char *word = argv[i];

		if (word[0] >= '0' && word[0] <= '9' && spec->positional >= 0) {
			a = spec->positional;
		} else {
			a = cli_match(word, allowed, CLI_ARG_COUNT, "argument", why, why_len);
			if (a < 0)
				return -EINVAL;
			if (++i == argc) {
				snprintf(why, why_len, "%s: a value is missing", arg_names[a]);
				return -EINVAL;
			}
		}
		if (seen & CLI_ARG(a)) {
			snprintf(why, why_len, "%s given twice", arg_names[a]);
			return -EINVAL;
		}
		seen |= CLI_ARG(a);
		if (set_arg(a, argv[i], r, why, why_len) < 0)
			return -EINVAL;
	}
	return check_combination(spec, seen, why, why_len);
}
