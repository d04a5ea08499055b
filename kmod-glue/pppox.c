/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PPPoL2TP sockets (spec/linux-kernel-l2tp.md §4): the socket pppd drives a session with. The
 * kernel tells the address structs apart by their exact length, so v2 over IPv4 is always 38
 * bytes and over IPv6 50. fd is -1: the tunnel already exists (netlink TUNNEL_CREATE) and must
 * not be auto-created from a stale fd number. If the session does not exist, connect() creates
 * it with every knob off, so the sequencing settings follow as socket options.
 */
#include "kglue_int.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>

#include <linux/if_pppol2tp.h>
#include <linux/if_pppox.h>

_Static_assert(sizeof(struct sockaddr_pppol2tp) == 38, "sockaddr_pppol2tp is 38 bytes (v2, IPv4)");
_Static_assert(sizeof(struct sockaddr_pppol2tpin6) == 50, "sockaddr_pppol2tpin6 is 50 bytes (v2, IPv6)");

int kglue_pppox_probe(void)
{
	int fd = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP);

	if (fd < 0)
		return -errno;
	(void)close(fd);
	return 0;
}

static int set_opt(int fd, int name, int value)
{
	return setsockopt(fd, SOL_PPPOL2TP, name, &value, sizeof(value)) < 0 ? -errno : 0;
}

/*
 * Only what differs from the kernel's defaults (all off). On a session netlink created the
 * same values are already in place, and setting them again is harmless (it even refreshes the
 * PPP channel's header-length hint, which netlink leaves alone).
 */
static int apply_sequencing(int fd, const struct kglue_session *s)
{
	int r = 0;

	if (s->lns_mode)
		r = set_opt(fd, PPPOL2TP_SO_LNSMODE, 1);
	if (r == 0 && s->send_seq)
		r = set_opt(fd, PPPOL2TP_SO_SENDSEQ, 1);
	if (r == 0 && s->recv_seq)
		r = set_opt(fd, PPPOL2TP_SO_RECVSEQ, 1);
	if (r == 0 && s->recv_timeout_ms)
		r = set_opt(fd, PPPOL2TP_SO_REORDERTO, (int)s->recv_timeout_ms);
	return r;
}

int kglue_pppox_connect(int family, const struct kglue_session *s)
{
	struct sockaddr_pppol2tp sa4;
	struct sockaddr_pppol2tpin6 sa6;
	const void *sa;
	socklen_t len;
	int fd, r;

	if (!s->tunnel_id || !s->session_id || !s->peer_tunnel_id || !s->peer_session_id)
		return -EINVAL;
	if (s->recv_timeout_ms > INT_MAX) /* PPPOL2TP_SO_REORDERTO takes an int */
		return -ERANGE;
	memset(&sa4, 0, sizeof(sa4));
	memset(&sa6, 0, sizeof(sa6));
	if (family == AF_INET) {
		sa4.sa_family = AF_PPPOX;
		sa4.sa_protocol = PX_PROTO_OL2TP;
		sa4.pppol2tp.fd = -1;
		sa4.pppol2tp.s_tunnel = s->tunnel_id;
		sa4.pppol2tp.s_session = s->session_id;
		sa4.pppol2tp.d_tunnel = s->peer_tunnel_id;
		sa4.pppol2tp.d_session = s->peer_session_id;
		sa = &sa4;
		len = sizeof(sa4);
	} else if (family == AF_INET6) {
		sa6.sa_family = AF_PPPOX;
		sa6.sa_protocol = PX_PROTO_OL2TP;
		sa6.pppol2tp.fd = -1;
		sa6.pppol2tp.s_tunnel = s->tunnel_id;
		sa6.pppol2tp.s_session = s->session_id;
		sa6.pppol2tp.d_tunnel = s->peer_tunnel_id;
		sa6.pppol2tp.d_session = s->peer_session_id;
		sa = &sa6;
		len = sizeof(sa6);
	} else {
		return -EINVAL;
	}
	/* No CLOEXEC: pppd inherits it (kglue.h). */
	fd = socket(AF_PPPOX, SOCK_DGRAM, PX_PROTO_OL2TP);
	if (fd < 0)
		return -errno;
	r = connect(fd, sa, len) < 0 ? -errno : apply_sequencing(fd, s);
	if (r < 0) {
		(void)close(fd);
		return r;
	}
	return fd;
}
