/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Restart in place ("l2tpctl restart", SIGUSR2), for hosts without systemd and for binary
 * upgrades: l2tpkd executes its program file again and passes what must outlive it (the state
 * memfd and the fd vault's queues, shell_persist.c) the way systemd passes its fd store:
 * LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES, fds from 3 up. The new process adopts them as it
 * would after a systemd restart.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "fd_vault.h"
#include "shell_int.h"
#include "state_store.h"

/* The fds to pass and their names, "name:name:..." (LISTEN_FDNAMES). */
struct handover {
	int fds[FD_VAULT_BUCKETS + 1];
	size_t n;
	char names[(FD_VAULT_BUCKETS + 1) * 24];
	size_t names_len;
};

static int handover_add(void *ctx, int fd, const char *name)
{
	struct handover *h = ctx;
	size_t len = strlen(name);

	if (h->n == sizeof(h->fds) / sizeof(h->fds[0]) || h->names_len + len + 2 > sizeof(h->names))
		return -E2BIG;
	if (h->n)
		h->names[h->names_len++] = ':';
	memcpy(h->names + h->names_len, name, len + 1);
	h->names_len += len;
	h->fds[h->n++] = fd;
	return 0;
}

/* The program on disk: after an upgrade /proc/self/exe names the new file "... (deleted)". */
static int program_path(char *buf, size_t size)
{
	static const char deleted[] = " (deleted)";
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	size_t len;

	if (n < 0)
		return -errno;
	buf[n] = 0;
	len = (size_t)n;
	if (len > sizeof(deleted) - 1 && !strcmp(buf + len - (sizeof(deleted) - 1), deleted))
		buf[len - (sizeof(deleted) - 1)] = 0;
	return 0;
}

int shell_persist_exec(struct shell *sh)
{
	struct handover h = { .n = 0 };
	char path[4096], num[16];
	int r = sh->store && sh->vault ? handover_add(&h, state_store_fd(sh->store), "state") : -ENOENT;

	if (r == 0)
		r = fd_vault_walk_stored(sh->vault, handover_add, &h);
	if (r == 0)
		r = program_path(path, sizeof(path));
	if (r < 0) {
		log_err("restart in place: %s", strerror(-r));
		return r;
	}
	/*
	 * sd_listen_fds() wants them at 3, 4, ...: copied above that range first, so that
	 * moving one down never overwrites another still to move; dup2() clears CLOEXEC.
	 */
	for (size_t i = 0; i < h.n && r == 0; i++) {
		h.fds[i] = fcntl(h.fds[i], F_DUPFD_CLOEXEC, SD_LISTEN_FDS_START + (int)h.n);
		if (h.fds[i] < 0)
			r = -errno;
	}
	for (size_t i = 0; i < h.n && r == 0; i++)
		if (dup2(h.fds[i], SD_LISTEN_FDS_START + (int)i) < 0)
			r = -errno;
	if (r == 0) {
		snprintf(num, sizeof(num), "%d", (int)getpid());
		setenv("LISTEN_PID", num, 1);
		snprintf(num, sizeof(num), "%zu", h.n);
		setenv("LISTEN_FDS", num, 1);
		setenv("LISTEN_FDNAMES", h.names, 1);
		log_notice("restarting in place: %s with %zu fds", path, h.n);
		execv(path, sh->argv);
		r = -errno;
	}
	/* Some fds may have been overwritten: this process cannot go on; systemd restarts it. */
	log_err("restart in place: exec %s: %s", path, strerror(-r));
	_exit(1);
}
