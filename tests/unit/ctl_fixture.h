/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A control server (daemon/ctl_server.c) with a fake command table, and raw clients, for the
 * socket-level tests (check_ctl_server.c, check_ctl_limits.c). Helpers fail the current
 * Check test when something is not as expected.
 *
 * The fake table: VERSION replies one message; SESSION_ADD is refused with "no such thing"
 * (after starting a reply that must not reach the client); TUNNEL_DEL is a changing command
 * that counts; TUNNEL_GET dumps ctl_fake.objects tunnels of about CTL_FAKE_PAD octets each;
 * MONITOR subscribes.
 */
#ifndef L2TPKD_CTL_FIXTURE_H
#define L2TPKD_CTL_FIXTURE_H

#include <stdint.h>
#include <sys/types.h>

#include "ctl_server.h"

#define CTL_FAKE_PAD 300

struct ctl_fake {
	unsigned objects; /* the dump's length */
	unsigned emitted, dump_frees, deletes;
	char log[256];
};

extern struct ctl_fake ctl_fake; /* reset by fx_setup() */

struct ctl_fixture {
	sd_event *ev;
	struct ctl_server *srv;
	char dir[64], path[96];
};

/* A datagram, aligned for message headers, larger than the daemon may send so excess shows. */
union fx_buf {
	struct nlmsghdr nlh;
	char b[L2TPKD_CTL_DGRAM_MAX + 8192];
};

/* A fresh ctl_fake, a temporary directory and a server in it with this admin group. */
void fx_setup(struct ctl_fixture *f, gid_t admin_gid);
void fx_teardown(struct ctl_fixture *f);
/* Another server at f->path (after the previous one was freed). */
void fx_open_server(struct ctl_fixture *f, gid_t admin_gid);
/* Runs the loop until it has nothing left to do now. */
void fx_pump(struct ctl_fixture *f);
/* A connected client socket (blocking). */
int fx_client(const struct ctl_fixture *f);
void fx_send_raw(int fd, const void *buf, size_t len);
/* A request with the protocol version attribute only. */
void fx_send_request(int fd, uint16_t type, uint16_t flags, uint32_t seq);
/* The next datagram from the server (the loop runs meanwhile); 0 at end of file. */
ssize_t fx_next_dgram(struct ctl_fixture *f, int fd, union fx_buf *u);
/* The answer to seq: replies counted, the status returned (0 or -errno), its text in why. */
int fx_read_answer(struct ctl_fixture *f, int fd, uint16_t type, uint32_t seq, unsigned *replies, char *why);

#endif
