/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

static bool to_journal;
static enum engine_log_level max_level = ENGINE_LOG_INFO;

static const char *const level_names[] = {
	[ENGINE_LOG_ERR] = "err",   [ENGINE_LOG_WARNING] = "warning", [ENGINE_LOG_NOTICE] = "notice",
	[ENGINE_LOG_INFO] = "info", [ENGINE_LOG_DEBUG] = "debug",
};

/* syslog priorities (sd-journal's PRIORITY field) of the engine's levels. */
static const int level_priority[] = {
	[ENGINE_LOG_ERR] = 3, [ENGINE_LOG_WARNING] = 4, [ENGINE_LOG_NOTICE] = 5, [ENGINE_LOG_INFO] = 6,
	[ENGINE_LOG_DEBUG] = 7,
};

/* systemd sets JOURNAL_STREAM=dev:inode when stderr is a journal stream (systemd.exec(5)). */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_setup(enum log_target target, enum engine_log_level level)
{
	to_journal = target == LOG_TARGET_JOURNAL || (target == LOG_TARGET_AUTO && stderr_is_journal());
	max_level = level;
}

void log_set_level(enum engine_log_level level)
{
	max_level = level;
}

/* One journal entry: the text plus one field per known ID (sd_journal_sendv(3)). */
static void journal_line(enum engine_log_level level, const struct log_obj *o, const char *text)
{
	char fields[6][80], peer[L2TP_ADDR_STRLEN];
	struct iovec iov[8];
	size_t n = 0, nf = 0;
	char *msg;

	if (asprintf(&msg, "MESSAGE=%s", text) < 0)
		return;
	iov[n++] = (struct iovec){ .iov_base = msg, .iov_len = strlen(msg) };
	iov[n++] = (struct iovec){ .iov_base = (char *)"SYSLOG_IDENTIFIER=l2tpkd", .iov_len = 24 };
#define FIELD(...)                                                                                   \
	do {                                                                                         \
		int len_ = snprintf(fields[nf], sizeof(fields[nf]), __VA_ARGS__);                    \
		iov[n++] = (struct iovec){ .iov_base = fields[nf++], .iov_len = (size_t)len_ };      \
	} while (0)
	FIELD("PRIORITY=%d", level_priority[level]);
	if (o && o->tunnel_id)
		FIELD("TUNNEL_ID=%u", o->tunnel_id);
	if (o && o->peer_tunnel_id)
		FIELD("PEER_TUNNEL_ID=%u", o->peer_tunnel_id);
	if (o && o->session_id)
		FIELD("SESSION_ID=%u", o->session_id);
	if (o && o->peer_session_id)
		FIELD("PEER_SESSION_ID=%u", o->peer_session_id);
	if (o && o->peer)
		FIELD("PEER=%s", l2tp_addr_str(o->peer, peer));
#undef FIELD
	sd_journal_sendv(iov, (int)n);
	free(msg);
}

void log_obj(enum engine_log_level level, const struct log_obj *obj, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (to_journal)
		journal_line(level, obj, text);
	else
		fprintf(stderr, "l2tpkd: %s: %s\n", level_names[level], text);
}
