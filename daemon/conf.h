/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration file (l2tpkd.conf(5)), INI read with inih: [global], [lns], one
 * [peer NAME] section per known peer and one [group NAME] section per peer group (the LNS
 * endpoints a call goes through with extended failover). conf_load() validates everything
 * and reports every error as "file:line: key: reason"; the result is immutable and owned by
 * one struct that conf_free() releases, so a reload can build a new one and keep the old one
 * if it is bad.
 */
#ifndef L2TPKD_CONF_H
#define L2TPKD_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"

#define CONF_MAX_LISTEN 8
#define CONF_MAX_PREFIXES 64
#define CONF_MAX_PEERS 16384
#define CONF_MAX_GROUPS 256
#define CONF_MAX_POOL (1u << 20) /* addresses in [lns] ip-pool */
#define CONF_MAX_PPPD_WORDS 64	    /* pppd-extra words per [lns] or [peer] */
#define CONF_PPPD_START_LIMIT 8	    /* pppd-start-limit's default */
#define CONF_MAX_FILE_SIZE (1 << 20) /* bytes */
#define CONF_MAX_LINE 197	    /* characters, line end excluded: inih's 200-octet buffer */
#define CONF_MAX_VALUE 160	    /* characters of one value, so every canonical line fits */
#define CONF_MAX_ERRORS 100	    /* reported; the rest are counted */
#define CONF_DEFAULT_PORT 1701

/* An address prefix for accept-from: family AF_INET/AF_INET6, len in bits. */
struct conf_prefix {
	struct l2tp_addr addr; /* port unused */
	uint8_t len;
};

/* pppd settings of one role or peer. */
struct conf_pppd {
	const char *options_file;  /* "file PATH" for pppd; NULL: none */
	const char *const *extra;  /* more pppd words, NULL-terminated (split on blanks); never NULL */
};

/* [peer NAME]: a peer we dial as LAC (l2tpctl session add peer NAME) and/or accept as LNS. */
struct conf_peer {
	const char *name;
	struct l2tp_addr addr;	     /* port 1701 unless given */
	struct l2tp_addr local;	     /* port 0; family 0: any (the kernel chooses) */
	bool has_local;
	const char *secret;	     /* NULL: the [global] one, if any (engine_peers[] has the one in effect) */
	bool hide_avps;
	enum engine_resync resync;   /* ENGINE_RESYNC_DEFAULT: the [global] one */
	bool disable_failover_protocol; /* given here, else the [global] value */
	struct conf_pppd pppd;	     /* LAC side: pppd runs as the client */
	unsigned line;		     /* where the section starts, for messages */
};

/* An lns line of a [group], as written (the engine's endpoint has the same index). */
struct conf_group_lns {
	const char *peer;   /* the [peer NAME] it named; NULL: given as an address */
	const char *secret; /* its own "secret WORD"; NULL: none on the line */
	unsigned line;
};

/* [group NAME]: the LNS endpoints a call goes through with extended failover. */
struct conf_group {
	const char *name;
	unsigned line;			   /* where the section starts, for messages */
	const struct engine_group *engine; /* &engine.groups[i]: endpoints, busy timeout, limits */
	const struct conf_group_lns *lns;  /* engine->n_endpoints of them, in file order */
	struct conf_pppd pppd;		   /* the LAC's pppd for endpoints that are not a [peer] */
};

struct l2tpkd_conf {
	const char *path;
	/* [global] */
	struct l2tp_addr listen[CONF_MAX_LISTEN]; /* "*:1701" gives 0.0.0.0:1701 and [::]:1701 */
	unsigned n_listen;
	const char *pppd_path;	 /* default /usr/sbin/pppd */
	const char *pppd_plugin; /* default pppol2tp.so */
	uint32_t pppd_start_limit; /* pppd starting at once (shell_pppd_start.c); 0: no limit */
	bool disable_failover_protocol; /* then engine.failover_flags is 0 */
	/* [lns] */
	bool lns_enabled;	 /* accept = yes (default) */
	struct conf_prefix accept_from[CONF_MAX_PREFIXES];
	unsigned n_accept_from;	 /* 0: from anyone */
	struct conf_pppd lns_pppd;
	/* [lns] local-ip and ip-pool: "local:remote" for pppd (IPv4, host byte order; 0: none) */
	uint32_t lns_local_ip;
	uint32_t pool_first, pool_last;
	/* [global] + [lns] + [peer] + [group]: what the engine is given; owned by this struct */
	struct engine_config engine;
	/* engine.peers: one per [peer], same order as peers; secret: the peer's own, else the
	   [global] one, as the engine does not fall back to engine.secret for a peer it knows.
	   Then one per host of a [group] endpoint with a "secret" of its own (and no [peer]). */
	struct engine_peer_config *engine_peers;
	/* [peer NAME] */
	struct conf_peer *peers;
	unsigned n_peers;
	/* [group NAME], in file order; group i is engine.groups[i] */
	const struct conf_group *groups;
	unsigned n_groups;
	/* owned storage */
	void *arena;
};

/*
 * Reads and validates path. On success returns 0 and *out. Otherwise -EINVAL (or -errno when
 * the file cannot be read, -EFBIG when it is larger than CONF_MAX_FILE_SIZE, -ENOMEM) and every
 * problem written to err (may be NULL), one "file:line: key: reason" line each (a section as
 * "file:line: [section]: reason", a file-level problem as "file: reason"), in line order.
 * Secrets never appear in these lines. The engine's random source is left NULL.
 */
int conf_load(const char *path, struct l2tpkd_conf **out, FILE *err);
void conf_free(struct l2tpkd_conf *c);

/* The canonical form: every setting, defaults included, in a form conf_load() reads back. */
void conf_print(const struct l2tpkd_conf *c, FILE *f);

/* A [peer] by name, or by address (port ignored if 0); NULL if none. */
const struct conf_peer *conf_peer_find(const struct l2tpkd_conf *c, const char *name_or_addr);
/* The [peer] of a host, whatever the port (as the engine matches peers); NULL if none. */
const struct conf_peer *conf_peer_by_host(const struct l2tpkd_conf *c, const struct l2tp_addr *a);
/* The engine's view of a [group] by name; NULL if none. */
const struct engine_group *conf_group_find(const struct l2tpkd_conf *c, const char *name);
/* The first [group] with an endpoint on this host (any port); NULL if none. */
const struct conf_group *conf_group_by_host(const struct l2tpkd_conf *c, const struct l2tp_addr *a);
/* An IPv4 address held in host byte order (local-ip, ip-pool), as "192.0.2.1". */
#define CONF_IPV4_STRLEN 16
const char *conf_ipv4_str(uint32_t addr, char buf[CONF_IPV4_STRLEN]);
/*
 * Whether the LNS accepts tunnels from this address (port ignored): it is inside accept-from
 * (an empty list accepts anyone) or it is a [peer]'s host. [lns] accept is the engine's to
 * apply (it refuses with a StopCCN, and still answers a peer whose SCCRQ crossed ours).
 */
bool conf_accepts_from(const struct l2tpkd_conf *c, const struct l2tp_addr *a);

/*
 * Parses "192.0.2.1", "192.0.2.1:1701", "2001:db8::1", "[2001:db8::1]:1701"; default_port if
 * none. Literal addresses only (no names, no zone index); an IPv4-mapped IPv6 address becomes
 * IPv4. 0 or -EINVAL (an explicit port must be 1 to 65535).
 */
int conf_parse_addr(const char *s, uint16_t default_port, struct l2tp_addr *out);

#endif
