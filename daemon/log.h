/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's log: to the journal with structured fields when systemd runs us (the journal
 * gets TUNNEL_ID, PEER_TUNNEL_ID, SESSION_ID, PEER_SESSION_ID and PEER as fields, so
 * `journalctl TUNNEL_ID=12` finds one tunnel's story), otherwise one line per message on
 * stderr. Every line about an object names it in its text as well.
 */
#ifndef L2TPKD_LOG_H
#define L2TPKD_LOG_H

#include <stdint.h>

#include "engine.h"

enum log_target {
	LOG_TARGET_AUTO,    /* the journal if stderr is connected to it (JOURNAL_STREAM), else stderr */
	LOG_TARGET_JOURNAL,
	LOG_TARGET_STDERR,
};

/* Which object a line is about; zero IDs and a NULL peer are left out. */
struct log_obj {
	uint16_t tunnel_id, peer_tunnel_id, session_id, peer_session_id;
	const struct l2tp_addr *peer;
};

void log_setup(enum log_target target, enum engine_log_level max_level);
void log_set_level(enum engine_log_level max_level);

/* A line about an object (obj may be NULL). */
__attribute__((format(printf, 3, 4))) void log_obj(enum engine_log_level level, const struct log_obj *obj,
						   const char *fmt, ...);
#define log_err(...) log_obj(ENGINE_LOG_ERR, NULL, __VA_ARGS__)
#define log_warning(...) log_obj(ENGINE_LOG_WARNING, NULL, __VA_ARGS__)
#define log_notice(...) log_obj(ENGINE_LOG_NOTICE, NULL, __VA_ARGS__)
#define log_info(...) log_obj(ENGINE_LOG_INFO, NULL, __VA_ARGS__)
#define log_debug(...) log_obj(ENGINE_LOG_DEBUG, NULL, __VA_ARGS__)

#endif
