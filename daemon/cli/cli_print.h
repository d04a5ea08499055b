/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl's one print path (like iproute2's json_print): the show code describes each object
 * once, field by field, and the printer renders it as text or as JSON (json-c).
 *
 * Every field has a JSON key and a text label; a NULL key leaves it out of JSON, a NULL label
 * out of text. Text: an object in a list (or at the top) is a block: "label value" pairs on one
 * line, pr_newline() continues it on an indented line; an object inside an object is inline,
 * its label first. JSON: containers nest as called; a top-level container is printed when it
 * ends (so a monitor prints one object per line).
 */
#ifndef L2TPKD_CLI_PRINT_H
#define L2TPKD_CLI_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum pr_mode {
	PR_TEXT,
	PR_JSON,
	PR_JSON_PRETTY,
};

struct printer;

/* NULL when out of memory. */
struct printer *pr_new(FILE *out, enum pr_mode mode);
/* Closes what is still open (printing it) and frees. */
void pr_free(struct printer *p);

void pr_list_begin(struct printer *p, const char *key);
void pr_list_end(struct printer *p);
void pr_object_begin(struct printer *p, const char *key, const char *label);
void pr_object_end(struct printer *p);

void pr_uint(struct printer *p, const char *key, const char *label, uint64_t v);
/* Text shows control characters escaped (\xNN) and "" for an empty string. */
void pr_str(struct printer *p, const char *key, const char *label, const char *v);
void pr_bool(struct printer *p, const char *key, const char *label, bool v); /* text: yes/no */
void pr_null(struct printer *p, const char *key);			    /* JSON only */
void pr_newline(struct printer *p);					    /* text only */

#endif
