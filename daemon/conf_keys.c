/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The keys of l2tpkd.conf: one table per section (name, parser, where the value goes, range)
 * and the parsers of plain values: strings, paths, booleans, numbers, durations, the log level,
 * the failover resync mode, refusal codes and pppd words. Address values are in conf_addr.c.
 * Every parser either stores the value or reports "key: reason"; a secret's value is never
 * quoted.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf_int.h"

#define SEC 1000u /* ms */

static const char *const log_levels[] = {
	[ENGINE_LOG_ERR] = "err",   [ENGINE_LOG_WARNING] = "warning", [ENGINE_LOG_NOTICE] = "notice",
	[ENGINE_LOG_INFO] = "info", [ENGINE_LOG_DEBUG] = "debug",
};

const char *conf_log_level_name(enum engine_log_level l)
{
	return (size_t)l < sizeof(log_levels) / sizeof(log_levels[0]) ? log_levels[l] : "?";
}

static void parse_string(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	const char **s = dst;
	const char *shown = k->flags & CONF_K_SECRET ? "(secret)" : value;

	if ((k->flags & CONF_K_EMPTY_OK) && !*value) {
		*s = NULL;
		return;
	}
	if ((k->flags & CONF_K_ABSOLUTE) && value[0] != '/') {
		conf_key_error(p, k, "\"%s\": not an absolute path", shown);
		return;
	}
	if ((k->flags & CONF_K_WORD) && value[strcspn(value, " \t")]) {
		conf_key_error(p, k, "\"%s\": one word without blanks", shown);
		return;
	}
	*s = conf_strdup(p, value);
}

static void parse_bool(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	bool *b = dst;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(value, yes[i])) {
			*b = true;
			return;
		}
		if (!strcasecmp(value, no[i])) {
			*b = false;
			return;
		}
	}
	conf_key_error(p, k, "\"%s\": not yes or no", value);
}

/* Decimal digits only (no sign, no blanks); false on anything else or above UINT64_MAX / 1000. */
static bool decimal(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || *v > (UINT64_MAX / 1000 - 9) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return true;
}

static bool in_range(const struct conf_key *k, uint64_t v)
{
	return (v >= k->min && v <= k->max) || (v == 0 && (k->flags & CONF_K_ZERO_OK));
}

/* A number in [k->min, k->max]; 0 and a message if it is not. */
static bool number(struct conf_parse *p, const struct conf_key *k, const char *value, uint32_t *out)
{
	uint64_t v;

	if (!decimal(value, strlen(value), &v)) {
		conf_key_error(p, k, "\"%s\": not a whole number", value);
		return false;
	}
	if (!in_range(k, v)) {
		conf_key_error(p, k, "\"%s\": out of range (%s%u to %u)", value,
			       k->flags & CONF_K_ZERO_OK ? "0, or " : "", k->min, k->max);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

static void parse_u32(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	uint32_t v;

	if (number(p, k, value, &v))
		*(uint32_t *)dst = v;
}

static void parse_u16(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	uint32_t v;

	if (number(p, k, value, &v))
		*(uint16_t *)dst = (uint16_t)v;
}

static void parse_u8(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	uint32_t v;

	if (number(p, k, value, &v))
		*(uint8_t *)dst = (uint8_t)v;
}

void conf_duration_str(uint32_t ms, char buf[16])
{
	if (ms % SEC == 0)
		snprintf(buf, 16, "%us", ms / SEC);
	else
		snprintf(buf, 16, "%ums", ms);
}

static void parse_duration(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	size_t digits = strspn(value, "0123456789");
	const char *unit = value + digits;
	char lo[16], hi[16];
	uint64_t v;

	if (!decimal(value, digits, &v) || (*unit && strcmp(unit, "s") && strcmp(unit, "ms"))) {
		conf_key_error(p, k, "\"%s\": not a duration (N or Ns for seconds, Nms)", value);
		return;
	}
	if (strcmp(unit, "ms"))
		v *= SEC;
	if (!in_range(k, v)) {
		conf_duration_str(k->min, lo);
		conf_duration_str(k->max, hi);
		conf_key_error(p, k, "\"%s\": out of range (%s%s to %s)", value,
			       k->flags & CONF_K_ZERO_OK ? "0, or " : "", lo, hi);
		return;
	}
	*(uint32_t *)dst = (uint32_t)v;
}

static void parse_log_level(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (!strcasecmp(value, log_levels[i])) {
			*(enum engine_log_level *)dst = (enum engine_log_level)i;
			return;
		}
	conf_key_error(p, k, "\"%s\": not one of err, warning, notice, info, debug", value);
}

/* The names are the engine's (and Junos's), so that l2tpctl and the file say the same. */
static void parse_resync(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	static const enum engine_resync modes[] = { ENGINE_RESYNC_PROTOCOL_OR_SILENT, ENGINE_RESYNC_SILENT };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcasecmp(value, engine_resync_name(modes[i]))) {
			*(enum engine_resync *)dst = modes[i];
			return;
		}
	conf_key_error(p, k, "\"%s\": not %s or %s", value, engine_resync_name(modes[0]),
		       engine_resync_name(modes[1]));
}

static void random_unused(void *arg, void *buf, size_t n)
{
	memset(buf, 0, n);
}

int conf_engine_validate(const struct engine_config *c, char *why, size_t n)
{
	struct engine_config v = *c;

	v.random = random_unused;
	return engine_config_validate(&v, why, n);
}

/*
 * "R" or "R/E". Which codes are allowed is the engine's policy (engine_config_validate): ask it
 * about a default configuration with only this refusal changed.
 */
static void parse_refusal(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	size_t n = strcspn(value, "/");
	uint64_t result, error = 0;
	struct engine_config probe;
	char why[128];

	if (!decimal(value, n, &result) || result > UINT16_MAX ||
	    (value[n] && (!decimal(value + n + 1, strlen(value + n + 1), &error) || error > UINT16_MAX))) {
		conf_key_error(p, k, "\"%s\": not RESULT or RESULT/ERROR", value);
		return;
	}
	engine_config_defaults(&probe);
	/* dst tells which of the two keys this is. */
	if (dst == &p->c->engine.refuse_tunnel)
		probe.refuse_tunnel = (struct engine_refusal){ (uint16_t)result, (uint16_t)error };
	else
		probe.refuse_session = (struct engine_refusal){ (uint16_t)result, (uint16_t)error };
	if (conf_engine_validate(&probe, why, sizeof(why)) < 0) {
		/* "tunnel refusal: must be ..." is about this key: its name says the first part. */
		const char *rule = strstr(why, ": ");

		conf_key_error(p, k, "\"%s\": %s", value, rule ? rule + 2 : why);
		return;
	}
	*(struct engine_refusal *)dst = (struct engine_refusal){ (uint16_t)result, (uint16_t)error };
}

/* Adds the blank-separated words of value to a pppd word list (never quoted: may hold a password). */
static void parse_pppd_extra(struct conf_parse *p, const struct conf_key *k, const char *value, void *dst)
{
	struct conf_pppd *pppd = dst;
	size_t old = 0, n = 0;
	const char **words;
	char *copy, *save = NULL;

	while (pppd->extra[old])
		old++;
	for (const char *s = value; *s;) {
		s += strspn(s, " \t");
		if (*s)
			n++;
		s += strcspn(s, " \t");
	}
	if (old + n > CONF_MAX_PPPD_WORDS) {
		conf_key_error(p, k, "more than %d words", CONF_MAX_PPPD_WORDS);
		return;
	}
	words = conf_alloc(p, (old + n + 1) * sizeof(*words));
	copy = conf_strdup(p, value);
	if (!words || !copy)
		return;
	memcpy(words, pppd->extra, old * sizeof(*words));
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		words[old++] = w;
	words[old] = NULL;
	pppd->extra = words;
}

#define G(field) offsetof(struct l2tpkd_conf, field)
#define P(field) offsetof(struct conf_peer, field)
#define E(field) offsetof(struct conf_group_parse, engine.field)
#define GR(field) offsetof(struct conf_group_parse, field)

static const struct conf_key global_keys[] = {
	{ "host-name", parse_string, G(engine.host_name), 0, 0, 0 },
	{ "vendor-name", parse_string, G(engine.vendor_name), 0, 0, CONF_K_EMPTY_OK },
	{ "listen", conf_parse_listen, 0, 0, 0, CONF_K_REPEAT },
	{ "log-level", parse_log_level, G(engine.log_level), 0, 0, 0 },
	{ "hello-interval", parse_duration, G(engine.hello_ms), SEC, 3600 * SEC, CONF_K_ZERO_OK },
	{ "retransmit-initial", parse_duration, G(engine.xport.rtx_initial_ms), 10, 60 * SEC, 0 },
	/* RFC 2661 §5.8: the cap is at least 8 seconds. */
	{ "retransmit-cap", parse_duration, G(engine.xport.rtx_cap_ms), 8 * SEC, 600 * SEC, 0 },
	{ "retransmit-retries", parse_u8, G(engine.xport.rtx_retries), 1, 255, 0 },
	{ "receive-window", parse_u16, G(engine.xport.rwin), 1, 256, 0 },
	{ "id-quarantine", parse_duration, G(engine.id_quarantine_ms), 0, 3600 * SEC, 0 },
	{ "tie-breaker", parse_bool, G(engine.send_tie_breaker), 0, 0, 0 },
	{ "accept-outgoing-calls", parse_bool, G(engine.accept_outgoing_calls), 0, 0, 0 },
	{ "failover-resync", parse_resync, G(engine.resync), 0, 0, 0 },
	{ "disable-failover-protocol", parse_bool, G(disable_failover_protocol), 0, 0, 0 },
	/* RFC 4951 §5.1: 0 asks for no extra time. */
	{ "failover-recovery-time", parse_duration, G(engine.recovery_time_ms), 0, 3600 * SEC, 0 },
	{ "pppd", parse_string, G(pppd_path), 0, 0, CONF_K_ABSOLUTE },
	{ "pppd-plugin", parse_string, G(pppd_plugin), 0, 0, CONF_K_WORD },
	{ "pppd-start-limit", parse_u32, G(pppd_start_limit), 0, 65535, 0 },
	{ "secret", parse_string, G(engine.secret), 0, 0, CONF_K_SECRET },
	{ "hide-avps", parse_bool, G(engine.hide_avps), 0, 0, 0 },
};

static const struct conf_key lns_keys[] = {
	{ "accept", parse_bool, G(lns_enabled), 0, 0, 0 },
	{ "accept-from", conf_parse_accept_from, 0, 0, 0, CONF_K_REPEAT },
	/* Tunnel IDs and Session IDs are 16 bits. */
	{ "max-tunnels", parse_u32, G(engine.limits.max_tunnels), 0, 65535, 0 },
	{ "max-sessions", parse_u32, G(engine.limits.max_sessions), 0, UINT32_MAX, 0 },
	{ "max-sessions-per-tunnel", parse_u32, G(engine.limits.max_sessions_per_tunnel), 0, 65535, 0 },
	{ "session-rate", parse_u32, G(engine.limits.session_rate), 0, 1000000, 0 },
	{ "session-burst", parse_u32, G(engine.limits.session_burst), 0, 1000000, 0 },
	{ "refuse-tunnel", parse_refusal, G(engine.refuse_tunnel), 0, 0, 0 },
	{ "refuse-session", parse_refusal, G(engine.refuse_session), 0, 0, 0 },
	{ "send-seq", parse_bool, G(engine.lns_send_seq), 0, 0, 0 },
	{ "recv-timeout", parse_duration, G(engine.recv_timeout_ms), 0, 60 * SEC, 0 },
	{ "local-ip", conf_parse_ipv4, G(lns_local_ip), 0, 0, 0 },
	{ "ip-pool", conf_parse_ip_pool, 0, 0, 0, 0 },
	{ "pppd-options", parse_string, G(lns_pppd.options_file), 0, 0, CONF_K_ABSOLUTE },
	{ "pppd-extra", parse_pppd_extra, G(lns_pppd), 0, 0, CONF_K_REPEAT | CONF_K_SECRET },
};

static const struct conf_key peer_keys[] = {
	{ "address", conf_parse_peer_address, P(addr), 0, 0, 0 },
	{ "local", conf_parse_peer_local, P(local), 0, 0, 0 },
	{ "secret", parse_string, P(secret), 0, 0, CONF_K_SECRET },
	{ "hide-avps", parse_bool, P(hide_avps), 0, 0, 0 },
	{ "failover-resync", parse_resync, P(resync), 0, 0, 0 },
	{ "disable-failover-protocol", parse_bool, P(disable_failover_protocol), 0, 0, 0 },
	{ "pppd-options", parse_string, P(pppd.options_file), 0, 0, CONF_K_ABSOLUTE },
	{ "pppd-extra", parse_pppd_extra, P(pppd), 0, 0, CONF_K_REPEAT | CONF_K_SECRET },
};

/* Defaults in conf_group_section(). */
static const struct conf_key group_keys[] = {
	{ "lns", conf_parse_lns, 0, 0, 0, CONF_K_REPEAT },
	{ "busy-timeout", parse_duration, E(busy_ms), SEC, 3600 * SEC, CONF_K_ZERO_OK },
	{ "sccrq-retries", parse_u8, E(sccrq_retries), 1, 255, 0 },
	{ "max-sessions-per-tunnel", parse_u32, E(max_sessions_per_tunnel), 0, 65535, 0 },
	{ "idle-timeout", parse_duration, E(idle_ms), SEC, 86400 * SEC, CONF_K_ZERO_OK },
	{ "pppd-options", parse_string, GR(pppd.options_file), 0, 0, CONF_K_ABSOLUTE },
	{ "pppd-extra", parse_pppd_extra, GR(pppd), 0, 0, CONF_K_REPEAT | CONF_K_SECRET },
};

_Static_assert(sizeof(global_keys) / sizeof(global_keys[0]) <= CONF_KEYS_MAX, "CONF_KEYS_MAX too small");
_Static_assert(sizeof(lns_keys) / sizeof(lns_keys[0]) <= CONF_KEYS_MAX, "CONF_KEYS_MAX too small");
_Static_assert(sizeof(peer_keys) / sizeof(peer_keys[0]) <= CONF_KEYS_MAX, "CONF_KEYS_MAX too small");
_Static_assert(sizeof(group_keys) / sizeof(group_keys[0]) <= CONF_KEYS_MAX, "CONF_KEYS_MAX too small");

const struct conf_key *conf_keys(enum conf_section s, unsigned *n)
{
	switch (s) {
	case CONF_SEC_GLOBAL:
		*n = sizeof(global_keys) / sizeof(global_keys[0]);
		return global_keys;
	case CONF_SEC_LNS:
		*n = sizeof(lns_keys) / sizeof(lns_keys[0]);
		return lns_keys;
	case CONF_SEC_PEER:
		*n = sizeof(peer_keys) / sizeof(peer_keys[0]);
		return peer_keys;
	case CONF_SEC_GROUP:
		*n = sizeof(group_keys) / sizeof(group_keys[0]);
		return group_keys;
	default:
		*n = 0;
		return NULL;
	}
}

const struct conf_key *conf_key_find(enum conf_section s, const char *name, unsigned *index)
{
	unsigned n;
	const struct conf_key *keys = conf_keys(s, &n);

	for (unsigned i = 0; i < n; i++)
		if (!strcmp(keys[i].name, name)) {
			*index = i;
			return &keys[i];
		}
	return NULL;
}

unsigned conf_key_line(const struct conf_parse *p, enum conf_section s, unsigned index, const char *name)
{
	unsigned i;

	if (!conf_key_find(s, name, &i))
		return 0;
	switch (s) {
	case CONF_SEC_GLOBAL:
		return p->global_lines[i];
	case CONF_SEC_LNS:
		return p->lns_lines[i];
	case CONF_SEC_GROUP:
		return p->groups[index].key_lines[i];
	default:
		return p->peer_lines[index][i];
	}
}
