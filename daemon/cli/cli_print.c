/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The printer behind cli_print.h: a stack of open containers, rendered as text as fields
 * arrive, or built into a json-c tree and printed when its top-level container ends. Strings
 * from the daemon may come from a peer on the network (host names, error messages), so text
 * output escapes anything a terminal could take as a control sequence.
 */
#include "cli_print.h"

#include <inttypes.h>
#include <stdlib.h>

#include <json-c/json.h>

#define PR_DEPTH_MAX 8
#define PR_INDENT "    "

enum pr_frame {
	FRAME_LIST,   /* a JSON array; its objects are text blocks */
	FRAME_BLOCK,  /* an object printed as a text block */
	FRAME_INLINE, /* an object inside an object: inline in text */
};

struct printer {
	FILE *out;
	enum pr_mode mode;
	unsigned depth;
	unsigned ignored; /* containers opened beyond PR_DEPTH_MAX: nothing inside is printed */
	struct {
		enum pr_frame kind;
		json_object *json; /* our reference; its parent holds another */
	} stack[PR_DEPTH_MAX];
	bool col_used;	  /* text: something is on the current line */
	bool indent_next; /* text: the next field starts a continuation line */
};

struct printer *pr_new(FILE *out, enum pr_mode mode)
{
	struct printer *p = calloc(1, sizeof(*p));

	if (p) {
		p->out = out;
		p->mode = mode;
	}
	return p;
}

static void end_line(struct printer *p)
{
	if (p->col_used)
		fputc('\n', p->out);
	p->col_used = false;
	p->indent_next = false;
}

static void text_escaped(struct printer *p, const char *s)
{
	const unsigned char *c = (const unsigned char *)s;

	if (!*c) {
		fputs("\"\"", p->out);
		return;
	}
	for (; *c; c++) {
		/* C0 controls, DEL, and C1 controls in their UTF-8 form (U+0080..U+009F). */
		if (*c == '\\')
			fputs("\\\\", p->out);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(p->out, "\\x%02x", *c);
		else if (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f) {
			fprintf(p->out, "\\x%02x\\x%02x", c[0], c[1]);
			c++;
		} else
			fputc(*c, p->out);
	}
}

/* What goes before a text field (a space or a continuation line); false if not for text. */
static bool text_sep(struct printer *p, const char *label)
{
	if (p->mode != PR_TEXT || !label || p->ignored)
		return false;
	if (p->indent_next)
		fputs("\n" PR_INDENT, p->out);
	else if (p->col_used)
		fputc(' ', p->out);
	p->indent_next = false;
	p->col_used = true;
	return true;
}

/* A field's separator and label ("" for a bare value); false if the field is not for text. */
static bool text_field(struct printer *p, const char *label)
{
	if (!text_sep(p, label))
		return false;
	fputs(label, p->out);
	if (*label)
		fputc(' ', p->out);
	return true;
}

/* Hands obj (NULL: JSON null) to the open container; drops it if it has no place there. */
static void json_field(struct printer *p, const char *key, json_object *obj)
{
	json_object *parent;

	if (p->mode == PR_TEXT || p->ignored || p->depth == 0) {
		json_object_put(obj);
		return;
	}
	parent = p->stack[p->depth - 1].json;
	if (json_object_is_type(parent, json_type_array))
		json_object_array_add(parent, obj);
	else if (key)
		json_object_object_add(parent, key, obj);
	else
		json_object_put(obj);
}

static void push(struct printer *p, enum pr_frame kind, const char *key, json_object *json)
{
	if (p->ignored || p->depth == PR_DEPTH_MAX) {
		p->ignored++;
		json_object_put(json);
		return;
	}
	p->stack[p->depth].kind = kind;
	p->stack[p->depth].json = json;
	if (json && p->depth > 0)
		json_field(p, key, json_object_get(json)); /* a keyless one inside an object is dropped */
	p->depth++;
}

static void pop(struct printer *p)
{
	json_object *json;
	int flags;

	if (p->ignored) {
		p->ignored--;
		return;
	}
	if (p->depth == 0)
		return;
	p->depth--;
	json = p->stack[p->depth].json;
	if (json && p->depth == 0) {
		flags = JSON_C_TO_STRING_NOSLASHESCAPE |
			(p->mode == PR_JSON_PRETTY ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN);
		fputs(json_object_to_json_string_ext(json, flags), p->out);
		fputc('\n', p->out);
	}
	json_object_put(json); /* our reference; the parent keeps its own */
}

void pr_list_begin(struct printer *p, const char *key)
{
	if (p->mode == PR_TEXT && !p->ignored)
		end_line(p);
	push(p, FRAME_LIST, key, p->mode == PR_TEXT ? NULL : json_object_new_array());
}

void pr_list_end(struct printer *p)
{
	if (p->mode == PR_TEXT && !p->ignored)
		end_line(p);
	pop(p);
}

void pr_object_begin(struct printer *p, const char *key, const char *label)
{
	bool block = p->depth == 0 || p->stack[p->depth - 1].kind == FRAME_LIST;

	if (p->mode == PR_TEXT && !p->ignored) {
		if (block)
			end_line(p);
		else if (label && *label && text_sep(p, label))
			fputs(label, p->out);
	}
	push(p, block ? FRAME_BLOCK : FRAME_INLINE, key, p->mode == PR_TEXT ? NULL : json_object_new_object());
}

void pr_object_end(struct printer *p)
{
	if (p->mode == PR_TEXT && !p->ignored && p->depth && p->stack[p->depth - 1].kind == FRAME_BLOCK)
		end_line(p);
	pop(p);
}

void pr_uint(struct printer *p, const char *key, const char *label, uint64_t v)
{
	if (p->mode == PR_TEXT) {
		if (text_field(p, label))
			fprintf(p->out, "%" PRIu64, v);
	} else if (key) {
		json_field(p, key, json_object_new_uint64(v));
	}
}

void pr_str(struct printer *p, const char *key, const char *label, const char *v)
{
	if (p->mode == PR_TEXT) {
		if (text_field(p, label))
			text_escaped(p, v);
	} else if (key) {
		json_field(p, key, json_object_new_string(v));
	}
}

void pr_bool(struct printer *p, const char *key, const char *label, bool v)
{
	if (p->mode == PR_TEXT) {
		if (text_field(p, label))
			fputs(v ? "yes" : "no", p->out);
	} else if (key) {
		json_field(p, key, json_object_new_boolean(v));
	}
}

void pr_null(struct printer *p, const char *key)
{
	if (p->mode != PR_TEXT && key)
		json_field(p, key, NULL);
}

void pr_newline(struct printer *p)
{
	if (p->mode == PR_TEXT && p->col_used && !p->ignored)
		p->indent_next = true;
}

void pr_free(struct printer *p)
{
	if (!p)
		return;
	while (p->ignored || p->depth) {
		if (p->mode == PR_TEXT && !p->ignored)
			end_line(p);
		pop(p);
	}
	end_line(p);
	free(p);
}
