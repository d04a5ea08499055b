/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the configuration reader (conf.h): the parse state that conf.c (lines, sections,
 * errors), conf_keys.c (the key tables and value parsers), conf_addr.c (addresses, prefixes
 * and their lists), conf_group.c (the [group] sections) and conf_check.c (the checks across
 * keys and peers, the engine's view) share. Nothing outside libconf uses it but the unit
 * tests, which walk the key tables.
 */
#ifndef L2TPKD_CONF_INT_H
#define L2TPKD_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

enum conf_section {
	CONF_SEC_NONE,	 /* before the first section header */
	CONF_SEC_GLOBAL, /* [global] */
	CONF_SEC_LNS,	 /* [lns] */
	CONF_SEC_PEER,	 /* [peer NAME] */
	CONF_SEC_GROUP,	 /* [group NAME] */
	CONF_SEC_SKIP,	 /* a section already reported as bad: its keys are not looked at */
};

#define CONF_KEYS_MAX 24 /* keys in the largest section */

#define CONF_NAME_MAX 32 /* of a [peer] or a [group] */

struct conf_error {
	unsigned line; /* 0: the file as a whole (printed last, without a line) */
	unsigned seq;  /* order of discovery, for a stable sort */
	char *text;    /* in the arena; "key: reason" */
};

/* An empty pppd word list: what pppd-extra is until given. */
extern const char *const conf_no_words[];

/* A [group NAME] while the file is read; conf_group.c makes c->groups of them at the end. */
struct conf_group_parse {
	const char *name;
	unsigned line;
	struct engine_group engine; /* the keys' dst; n_endpoints counts the lns lines kept */
	struct conf_pppd pppd;
	unsigned key_lines[CONF_KEYS_MAX];
};

/* An lns line as read: its endpoint (a [peer] name or an address) is resolved at the end. */
struct conf_lns_line {
	unsigned group, line;
	const char *endpoint, *secret; /* in the arena; secret NULL: none */
	uint8_t priority;
	uint16_t weight;
};

struct conf_parse {
	struct l2tpkd_conf *c;
	const char *buf; /* the whole file */
	size_t len, pos;
	unsigned line; /* of the line inih is working on */
	enum conf_section section;
	unsigned peer;	     /* CONF_SEC_PEER: index into c->peers */
	unsigned *key_lines; /* of the current section: where each key was set, 0 if not */
	unsigned global_lines[CONF_KEYS_MAX], lns_lines[CONF_KEYS_MAX];
	unsigned global_at, lns_at;	       /* lines of the [global] and [lns] headers */
	unsigned (*peer_lines)[CONF_KEYS_MAX]; /* one row per peer */
	unsigned peers_cap;
	/* [group NAME] (CONF_SEC_GROUP: p->group is the current one) and their lns lines */
	struct conf_group_parse *groups;
	unsigned n_groups, groups_cap, group;
	struct conf_lns_line *lns;
	unsigned n_lns, lns_cap;
	struct conf_error *errors;
	unsigned n_errors, n_dropped;
	bool oom;
};

struct conf_key;
/* Parses value (non-empty unless CONF_K_EMPTY_OK, at most CONF_MAX_VALUE long) into dst. */
typedef void conf_parse_fn(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst);

enum conf_key_flags {
	CONF_K_REPEAT = 1,   /* a list: each occurrence adds to it */
	CONF_K_SECRET = 2,   /* never quoted in a message */
	CONF_K_EMPTY_OK = 4, /* "key =" is a value */
	CONF_K_ABSOLUTE = 8, /* a path starting with '/' */
	CONF_K_WORD = 16,    /* one word, no blanks */
	CONF_K_ZERO_OK = 32, /* 0 is allowed below min ("off") */
};

struct conf_key {
	const char *name;
	conf_parse_fn *parse;
	size_t offset;	   /* of dst in struct l2tpkd_conf; for [peer] in struct conf_peer, for
			      [group] in struct engine_group */
	uint32_t min, max; /* numbers; durations in ms */
	unsigned flags;
};

/* The keys of a section (NULL and *n 0 for none), and one by name with its index. */
const struct conf_key *conf_keys(enum conf_section s, unsigned *n);
const struct conf_key *conf_key_find(enum conf_section s, const char *name, unsigned *index);
/* Where a key of [global], [lns], or the peer or group of that index was set; 0 if it was not. */
unsigned conf_key_line(const struct conf_parse *p, enum conf_section s, unsigned index, const char *name);
/* A [peer] or [group] name: 1 to CONF_NAME_MAX of A-Z a-z 0-9 . _ - */
bool conf_name_valid(const char *name);

/* Arena allocations owned by c, zeroed; NULL (and p->oom) when memory runs out. */
void *conf_alloc(struct conf_parse *p, size_t n);
char *conf_strdup(struct conf_parse *p, const char *s);

/* Records "text" at line (0: the file); conf_key_error() prefixes the key and uses p->line. */
void conf_error(struct conf_parse *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void conf_key_error(struct conf_parse *p, const struct conf_key *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An address without its port: "192.0.2.1", "2001:db8::1". */
const char *conf_ip_str(const struct l2tp_addr *a, char buf[L2TP_ADDR_STRLEN]);

/* Value parsers of the address keys (conf_addr.c). */
conf_parse_fn conf_parse_listen, conf_parse_accept_from, conf_parse_peer_address, conf_parse_peer_local,
	conf_parse_ipv4, conf_parse_ip_pool;
/* conf_parse_addr() with the reason for -EINVAL in *why. */
int conf_parse_addr_why(const char *s, uint16_t default_port, struct l2tp_addr *out, const char **why);
/* A host one can send to: not unspecified, multicast or broadcast. */
bool conf_addr_unicast(const struct l2tp_addr *a);

/* [group NAME] (conf_group.c): a section header (name as written), the lns key's parser, and
   at the end the endpoints resolved, checked and handed to the engine (after conf_check's
   [peer] checks and engine peers: it appends to those). */
void conf_group_section(struct conf_parse *p, const char *name);
conf_parse_fn conf_parse_lns;
void conf_check_groups(struct conf_parse *p);

/* The checks across keys and peers, then the engine's own (conf_check.c). */
void conf_check(struct conf_parse *p);

/* engine_config_validate() of c with a stand-in random source (the daemon sets the real one). */
int conf_engine_validate(const struct engine_config *c, char *why, size_t n);

/* The canonical form of a duration: "60s", or "1500ms" when not whole seconds. */
void conf_duration_str(uint32_t ms, char buf[16]);
/* "err", "warning", ... */
const char *conf_log_level_name(enum engine_log_level l);

#endif
