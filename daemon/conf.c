/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading l2tpkd.conf: the file, its lines and sections, and the errors (conf.h).
 *
 * inih splits "key = value" lines and calls on_key() for each; everything else about a line
 * is decided here, in the reader that feeds inih one line at a time. That reader counts lines
 * (inih does not tell its handler where it is), reports what inih would silently truncate or
 * skip (long lines, NUL bytes, lines it cannot parse), strips comments and blanks so inih's
 * build options (inline comments, multi-line values, BOM) change nothing, and handles section
 * headers itself, because inih calls the handler only for keys and truncates long section
 * names. Errors are collected, sorted by line and printed at the end, so one run shows them all.
 */
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"

#define ARENA_CHUNK 8192

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	max_align_t data[];
};

const char *const conf_no_words[] = { NULL };
static const char too_big[] = "larger than 1048576 bytes";
_Static_assert(CONF_MAX_FILE_SIZE == 1048576, "the message says 1048576");

void *conf_alloc(struct conf_parse *p, size_t n)
{
	struct arena_chunk *ch = p->c->arena;
	size_t unit = sizeof(max_align_t);
	void *r;

	if (n > SIZE_MAX / 2) {
		p->oom = true;
		return NULL;
	}
	n = (n + unit - 1) / unit * unit;
	if (!ch || ch->size - ch->used < n) {
		size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;

		ch = calloc(1, sizeof(*ch) + size);
		if (!ch) {
			p->oom = true;
			return NULL;
		}
		ch->size = size;
		ch->next = p->c->arena;
		p->c->arena = ch;
	}
	r = (char *)ch->data + ch->used;
	ch->used += n;
	return r;
}

char *conf_strdup(struct conf_parse *p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = conf_alloc(p, n);

	if (d)
		memcpy(d, s, n);
	return d;
}

static void arena_free(void *arena)
{
	struct arena_chunk *ch = arena;

	while (ch) {
		struct arena_chunk *next = ch->next;

		free(ch);
		ch = next;
	}
}

static void error_v(struct conf_parse *p, unsigned line, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void error_v(struct conf_parse *p, unsigned line, const char *fmt, va_list ap)
{
	char text[512];
	struct conf_error *e;

	if (p->n_errors == CONF_MAX_ERRORS) {
		p->n_dropped++;
		return;
	}
	if (!p->errors) {
		p->errors = calloc(CONF_MAX_ERRORS, sizeof(*p->errors));
		if (!p->errors) {
			p->oom = true;
			return;
		}
	}
	vsnprintf(text, sizeof(text), fmt, ap);
	e = &p->errors[p->n_errors];
	e->text = conf_strdup(p, text);
	if (!e->text)
		return;
	e->line = line;
	e->seq = p->n_errors++;
}

void conf_error(struct conf_parse *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_v(p, line, fmt, ap);
	va_end(ap);
}

void conf_key_error(struct conf_parse *p, const struct conf_key *k, const char *fmt, ...)
{
	char reason[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	conf_error(p, p->line, "%s: %s", k->name, reason);
}

/* Line order; errors about the file as a whole (line 0) last. */
static int error_cmp(const void *a, const void *b)
{
	const struct conf_error *x = a, *y = b;
	unsigned lx = x->line ? x->line : UINT_MAX, ly = y->line ? y->line : UINT_MAX;

	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void print_errors(struct conf_parse *p, const char *path, FILE *err)
{
	qsort(p->errors, p->n_errors, sizeof(*p->errors), error_cmp);
	for (unsigned i = 0; i < p->n_errors; i++) {
		if (p->errors[i].line)
			fprintf(err, "%s:%u: %s\n", path, p->errors[i].line, p->errors[i].text);
		else
			fprintf(err, "%s: %s\n", path, p->errors[i].text);
	}
	if (p->n_dropped)
		fprintf(err, "%s: %u more errors not shown\n", path, p->n_dropped);
}

/* The whole file, if it is a regular file of at most CONF_MAX_FILE_SIZE bytes. */
static int read_file(const char *path, char **buf, size_t *len, const char **why)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer before fstat() rejects it. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	size_t n = 0;
	char *b = NULL;
	int r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	r = -EINVAL;
	*why = "not a regular file";
	if (!S_ISREG(st.st_mode))
		goto out;
	*why = too_big;
	r = -EFBIG;
	if (st.st_size > CONF_MAX_FILE_SIZE)
		goto out;
	*why = NULL;
	r = -ENOMEM;
	b = malloc(CONF_MAX_FILE_SIZE + 1);
	if (!b)
		goto out;
	/* Read to the end, not to st_size: the file may have grown since fstat(). */
	for (;;) {
		ssize_t got = read(fd, b + n, CONF_MAX_FILE_SIZE + 1 - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > CONF_MAX_FILE_SIZE) {
			*why = too_big;
			r = -EFBIG;
			goto out;
		}
	}
	*buf = b;
	*len = n;
	b = NULL;
	r = 0;
out:
	free(b);
	close(fd);
	return r;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Every octet is text: no NUL, no control character but the tab. */
static bool line_is_text(struct conf_parse *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == 0) {
			conf_error(p, p->line, "NUL byte in the line");
			return false;
		}
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			conf_error(p, p->line, "control character 0x%02x in the line", ch);
			return false;
		}
	}
	return true;
}

/*
 * Leading and trailing blanks and the comment go: a '#' or ';' that starts the line or
 * follows a blank runs to the end of the line.
 */
static char *strip(char *s)
{
	char *end;

	while (is_blank(*s))
		s++;
	if (*s == '#' || *s == ';')
		*s = '\0';
	for (char *c = s; *c; c++)
		if ((*c == '#' || *c == ';') && c > s && is_blank(c[-1])) {
			*c = '\0';
			break;
		}
	end = s + strlen(s);
	while (end > s && is_blank(end[-1]))
		*--end = '\0';
	return s;
}

static bool grow_peers(struct conf_parse *p)
{
	struct l2tpkd_conf *c = p->c;
	unsigned cap = p->peers_cap ? 2 * p->peers_cap : 8;
	struct conf_peer *peers;
	unsigned(*lines)[CONF_KEYS_MAX];

	peers = realloc(c->peers, cap * sizeof(*peers));
	if (!peers)
		goto oom;
	c->peers = peers;
	lines = realloc(p->peer_lines, cap * sizeof(*lines));
	if (!lines)
		goto oom;
	p->peer_lines = lines;
	p->peers_cap = cap;
	return true;
oom:
	p->oom = true;
	return false;
}

bool conf_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > CONF_NAME_MAX)
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static void peer_section(struct conf_parse *p, const char *name)
{
	struct l2tpkd_conf *c = p->c;
	struct conf_peer *peer;

	p->section = CONF_SEC_SKIP;
	if (!*name) {
		conf_error(p, p->line, "[peer]: a name is required: [peer NAME]");
		return;
	}
	if (!conf_name_valid(name)) {
		conf_error(p, p->line, "[peer %s]: a name is 1 to %d of A-Z a-z 0-9 . _ -", name,
			   CONF_NAME_MAX);
		return;
	}
	if (c->n_peers == CONF_MAX_PEERS) {
		conf_error(p, p->line, "[peer %s]: more than %d peers", name, CONF_MAX_PEERS);
		return;
	}
	if (c->n_peers == p->peers_cap && !grow_peers(p))
		return;
	peer = &c->peers[c->n_peers];
	memset(peer, 0, sizeof(*peer));
	peer->name = conf_strdup(p, name);
	if (!peer->name)
		return;
	peer->line = p->line;
	peer->pppd.extra = conf_no_words;
	/* Set from [global] at the end if not given; a bad value, left as this, is not a "no"
	   that conflicts with [global] too (conf_check.c). */
	peer->disable_failover_protocol = true;
	memset(p->peer_lines[c->n_peers], 0, sizeof(p->peer_lines[0]));
	p->peer = c->n_peers++;
	p->key_lines = p->peer_lines[p->peer];
	p->section = CONF_SEC_PEER;
}

/* [global] and [lns]: each once. */
static void single_section(struct conf_parse *p, const char *name, enum conf_section s, unsigned *at,
			   unsigned *lines)
{
	if (*at) {
		conf_error(p, p->line, "[%s]: repeated (first on line %u)", name, *at);
		p->section = CONF_SEC_SKIP;
		return;
	}
	*at = p->line;
	p->section = s;
	p->key_lines = lines;
}

/* s starts with '['; the comment is already gone. */
static void section_header(struct conf_parse *p, char *s)
{
	char *end = strchr(s, ']'), *name;

	p->section = CONF_SEC_SKIP;
	if (!end) {
		conf_error(p, p->line, "a section header needs a closing \"]\"");
		return;
	}
	*end = '\0';
	if (end[1]) {
		conf_error(p, p->line, "[%s]: text after \"]\"", s + 1);
		return;
	}
	name = strip(s + 1);
	if (!strcmp(name, "global"))
		single_section(p, name, CONF_SEC_GLOBAL, &p->global_at, p->global_lines);
	else if (!strcmp(name, "lns"))
		single_section(p, name, CONF_SEC_LNS, &p->lns_at, p->lns_lines);
	else if (!strncmp(name, "peer", 4) && (!name[4] || is_blank(name[4])))
		peer_section(p, strip(name + 4));
	else if (!strncmp(name, "group", 5) && (!name[5] || is_blank(name[5])))
		conf_group_section(p, strip(name + 5));
	else
		conf_error(p, p->line,
			   "[%s]: unknown section (expected [global], [lns], [peer NAME] or [group NAME])",
			   name);
}

/* "key = value": '=' comes before any ':' (inih would split at a ':' too) and a key before it. */
static bool key_line_valid(struct conf_parse *p, const char *s)
{
	size_t key = strcspn(s, "=:");

	if (s[key] != '=') {
		conf_error(p, p->line, "expected \"key = value\" or \"[section]\"");
		return false;
	}
	if (key == 0) {
		conf_error(p, p->line, "a key is required before \"=\"");
		return false;
	}
	return true;
}

/* The line at p->pos, without its "\n" or "\r\n"; p->pos moves past it. */
static size_t next_line(struct conf_parse *p, const char **start)
{
	const char *s = p->buf + p->pos;
	const char *nl = memchr(s, '\n', p->len - p->pos);
	size_t n = nl ? (size_t)(nl - s) : p->len - p->pos;

	p->pos += nl ? n + 1 : n;
	if (nl && n > 0 && s[n - 1] == '\r')
		n--;
	*start = s;
	return n;
}

/*
 * inih's reader (fgets-like, called once per line): gives inih the line stripped, or an empty
 * line when the reader took care of it (comment, section header) or reported it.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct conf_parse *p = stream;
	char clean[CONF_MAX_LINE + 1], *s;
	size_t limit = CONF_MAX_LINE, n;
	const char *raw;

	if (p->pos >= p->len || num < 4)
		return NULL;
	n = next_line(p, &raw);
	p->line++;
	str[0] = '\0';
	if (p->line == 1 && n >= 3 && !memcmp(raw, "\xef\xbb\xbf", 3)) {
		raw += 3;
		n -= 3;
	}
	/* inih's buffer holds the line, "\r\n" and the terminating NUL. */
	if ((size_t)num - 3 < limit)
		limit = (size_t)num - 3;
	if (n > limit) {
		conf_error(p, p->line, "line longer than %zu characters", limit);
		return str;
	}
	if (!line_is_text(p, raw, n))
		return str;
	memcpy(clean, raw, n);
	clean[n] = '\0';
	s = strip(clean);
	if (*s == '[')
		section_header(p, s);
	else if (*s && key_line_valid(p, s))
		snprintf(str, (size_t)num, "%s\n", s);
	return str;
}

/* Where a key that is not in this section belongs, for the message. */
static void unknown_key(struct conf_parse *p, const char *name)
{
	static const struct {
		enum conf_section s;
		const char *name;
	} sections[] = { { CONF_SEC_GLOBAL, "[global]" },
			 { CONF_SEC_LNS, "[lns]" },
			 { CONF_SEC_PEER, "[peer NAME]" },
			 { CONF_SEC_GROUP, "[group NAME]" } };
	char where[80] = "";
	unsigned i;

	for (size_t j = 0; j < sizeof(sections) / sizeof(sections[0]); j++)
		if (conf_key_find(sections[j].s, name, &i)) {
			size_t n = strlen(where);

			snprintf(where + n, sizeof(where) - n, "%s%s", n ? " or " : "", sections[j].name);
		}
	if (*where)
		conf_error(p, p->line, "%s: not a key of this section (it goes under %s)", name, where);
	else
		conf_error(p, p->line, "%s: unknown key", name);
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct conf_parse *p = user;
	const struct conf_key *k;
	char *base;
	unsigned i;

	if (p->section == CONF_SEC_SKIP)
		return 1;
	if (p->section == CONF_SEC_NONE) {
		conf_error(p, p->line,
			   "%s: outside any section "
			   "(keys go under [global], [lns], [peer NAME] or [group NAME])",
			   name);
		return 1;
	}
	k = conf_key_find(p->section, name, &i);
	if (!k) {
		unknown_key(p, name);
		return 1;
	}
	if (p->key_lines[i] && !(k->flags & CONF_K_REPEAT)) {
		conf_key_error(p, k, "already set on line %u", p->key_lines[i]);
		return 1;
	}
	if (!p->key_lines[i])
		p->key_lines[i] = p->line;
	if (!*value && !(k->flags & CONF_K_EMPTY_OK)) {
		conf_key_error(p, k, "a value is required");
		return 1;
	}
	/* "key =#x" would load, but "key = #x", its canonical form, is a comment. */
	if (*value == '#' || *value == ';') {
		conf_key_error(p, k, "a value cannot start with \"%c\" (after a blank it starts a comment)",
			       *value);
		return 1;
	}
	if (strlen(value) > CONF_MAX_VALUE) {
		conf_key_error(p, k, "value longer than %d characters", CONF_MAX_VALUE);
		return 1;
	}
	if (p->section == CONF_SEC_PEER)
		base = (char *)&p->c->peers[p->peer];
	else if (p->section == CONF_SEC_GROUP)
		base = (char *)&p->groups[p->group];
	else
		base = (char *)p->c;
	k->parse(p, k, value, base + k->offset);
	return 1;
}

/* gethostname(), if it is a name the file could hold too; else the engine's default. */
static void default_host_name(struct conf_parse *p)
{
	char h[HOST_NAME_MAX + 1];
	size_t n;

	if (gethostname(h, sizeof(h)) < 0)
		return;
	h[HOST_NAME_MAX] = '\0';
	n = strlen(h);
	if (n == 0 || strcspn(h, " \t#;") != n)
		return;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)h[i] < 0x20 || h[i] == 0x7f)
			return;
	p->c->engine.host_name = conf_strdup(p, h);
	if (!p->c->engine.host_name)
		p->c->engine.host_name = "l2tpkd";
}

static void set_defaults(struct conf_parse *p)
{
	struct l2tpkd_conf *c = p->c;

	engine_config_defaults(&c->engine);
	default_host_name(p);
	c->pppd_path = "/usr/sbin/pppd";
	c->pppd_plugin = "pppol2tp.so";
	c->pppd_start_limit = CONF_PPPD_START_LIMIT;
	c->lns_enabled = true;
	c->lns_pppd.extra = conf_no_words;
}

static int parse(struct conf_parse *p, const char *path, const char **why)
{
	char *buf = NULL;
	int r;

	r = read_file(path, &buf, &p->len, why);
	if (r < 0)
		return r;
	p->buf = buf;
	p->c->path = conf_strdup(p, path);
	set_defaults(p);
	r = ini_parse_stream(read_line, p, on_key, p);
	free(buf);
	p->buf = NULL;
	if (r == -2)
		p->oom = true;
	else if (r > 0)
		/* The reader only passes lines inih accepts: this would be an inih change. */
		conf_error(p, (unsigned)r, "inih cannot parse this line");
	if (!p->oom)
		conf_check(p);
	if (p->oom)
		return -ENOMEM;
	return p->n_errors ? -EINVAL : 0;
}

int conf_load(const char *path, struct l2tpkd_conf **out, FILE *err)
{
	struct conf_parse p = { 0 };
	const char *why = NULL;
	int r = -ENOMEM;

	*out = NULL;
	p.c = calloc(1, sizeof(*p.c));
	if (p.c)
		r = parse(&p, path, &why);
	if (r == -EINVAL && p.n_errors && err)
		print_errors(&p, path, err);
	else if (r < 0 && err)
		fprintf(err, "%s: %s\n", path, why ? why : strerror(-r));
	free(p.errors);
	free(p.peer_lines);
	free(p.groups);
	free(p.lns);
	if (r < 0)
		conf_free(p.c);
	else
		*out = p.c;
	return r;
}

void conf_free(struct l2tpkd_conf *c)
{
	if (!c)
		return;
	arena_free(c->arena);
	free(c->peers);
	free(c->engine_peers);
	free(c);
}
