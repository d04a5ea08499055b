/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "Is systemd stopping me, or restarting me?" A SIGTERM from systemd looks the same for
 * "systemctl stop" (tear everything down: StopCCN to every peer, pppd stopped) and for
 * "systemctl restart" (a hitless exit: keep the tunnel sockets, the state memfd and the pppd
 * pidfds in the fd store, send nothing, leave pppd running), so the daemon asks systemd over
 * D-Bus which job its unit has while it handles the signal.
 */
#ifndef L2TPKD_SD_JOB_H
#define L2TPKD_SD_JOB_H

#include <stddef.h>

/* The whole query (connection and every call) gives up after this long. */
#define SD_JOB_TIMEOUT_USEC (2 * 1000 * 1000ULL)

/*
 * 1 if systemd is restarting our unit (the SIGTERM is part of a restart job), 0 if it is
 * stopping it, if we are not a systemd service (no $INVOCATION_ID or $NOTIFY_SOCKET, or not
 * the main process of our unit) or if the unit has no job (a signal from "systemctl kill" or
 * from anyone else), -errno if systemd could not be asked (the caller then stops cleanly).
 * why (always filled, NUL-terminated) says which and why, for the log. Blocks for at most
 * SD_JOB_TIMEOUT_USEC.
 */
int sd_job_is_restart(char *why, size_t why_len);

#endif
