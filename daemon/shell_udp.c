/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UDP for the shell (spec/linux-kernel-l2tp.md §3): listeners for new SCCRQs, and one socket
 * per tunnel, bound to our address and port and connected to the peer, because the kernel
 * needs a socket of its own for each tunnel's data path. Both kinds carry SO_REUSEADDR so they
 * share the port; the kernel prefers the connected socket for the peer's datagrams. Replies
 * from a listener leave from the address the peer targeted (IP_PKTINFO / IPV6_PKTINFO), so a
 * multihomed LNS answers from the right address.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kglue.h"
#include "shell_int.h"
#include "sockaddr.h"
#include "l2tp/wire.h"

/* Datagrams read per wake-up of one socket: the others get their turn. */
#define READ_BATCH 64
/*
 * Fewer for a tunnel's socket: one of its messages can start a pppd (a fork and the kernel
 * session), and a burst of calls on one tunnel must not keep another tunnel's messages
 * waiting for seconds (seen under emulation with 64: a second tunnel's SCCCN was answered
 * only after the first tunnel's ten calls, once the LAC had sent it again).
 */
#define TUNNEL_READ_BATCH 8

static uint8_t rx_buf[65536];

static int udp_socket(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
	int one = 1;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int bind_to(int fd, const struct l2tp_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_from_l2tp(a, &ss);

	return bind(fd, (struct sockaddr *)&ss, len) < 0 ? -errno : 0;
}

static int connect_to(int fd, const struct l2tp_addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_from_l2tp(a, &ss);

	return connect(fd, (struct sockaddr *)&ss, len) < 0 ? -errno : 0;
}

/* The address the datagram was sent to, from its IP_PKTINFO / IPV6_PKTINFO. */
static bool local_from_cmsg(struct msghdr *mh, const struct l2tp_addr *bound, struct l2tp_addr *local)
{
	*local = *bound;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memcpy(local->addr, &pi.ipi_addr, 4);
			return true;
		}
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memcpy(local->addr, &pi.ipi6_addr, 16);
			return true;
		}
	}
	return false;
}

static int on_listener(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct sh_listener *l = userdata;
	struct shell *sh = l->sh;

	for (int i = 0; i < READ_BATCH; i++) {
		union {
			struct cmsghdr align;
			uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		} control;
		struct sockaddr_storage from;
		struct iovec iov = { .iov_base = rx_buf, .iov_len = sizeof(rx_buf) };
		struct msghdr mh = { .msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = control.buf,
				     .msg_controllen = sizeof(control.buf) };
		struct l2tp_addr local, peer;
		ssize_t n = recvmsg(fd, &mh, 0);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_debug("listener: %s", strerror(errno));
			return 0;
		}
		if (sockaddr_to_l2tp((struct sockaddr *)&from, mh.msg_namelen, &peer) < 0 ||
		    !local_from_cmsg(&mh, &l->addr, &local))
			continue;
		/* Only a new control connection comes to tunnel 0: filter who may open one. */
		if (n >= 6 && !(rx_buf[4] | rx_buf[5]) && !conf_accepts_from(sh->conf->conf, &peer)) {
			log_obj(ENGINE_LOG_DEBUG, &(struct log_obj){ .peer = &peer },
				"datagram to tunnel 0 from a host outside accept-from: dropped");
			continue;
		}
		engine_recv(sh->engine, shell_now(), &local, &peer, rx_buf, (size_t)n);
		shell_engine_done(sh);
	}
	return 0;
}

static int listener_open(struct shell *sh, struct sh_listener *l, const struct l2tp_addr *a)
{
	int one = 1, r;
	int fd = udp_socket(a->family);

	if (fd < 0)
		return fd;
	if ((a->family == AF_INET && setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0) ||
	    (a->family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)) {
		r = -errno;
		goto fail;
	}
	r = bind_to(fd, a);
	if (r < 0)
		goto fail;
	l->fd = fd;
	l->addr = *a;
	l->sh = sh;
	r = sd_event_add_io(sh->ev, &l->io, fd, EPOLLIN, on_listener, l);
	if (r < 0)
		goto fail;
	return 0;
fail:
	close(fd);
	return r;
}

int shell_listeners_open(struct shell *sh, char *why, size_t why_len)
{
	const struct l2tpkd_conf *c = sh->conf->conf;
	char s[L2TP_ADDR_STRLEN];

	for (unsigned i = 0; i < c->n_listen; i++) {
		int r = listener_open(sh, &sh->listeners[sh->n_listeners], &c->listen[i]);

		if (r < 0) {
			snprintf(why, why_len, "cannot listen on %s: %s", l2tp_addr_str(&c->listen[i], s),
				 strerror(-r));
			return r;
		}
		sh->n_listeners++;
		log_info("listening on %s", l2tp_addr_str(&c->listen[i], s));
	}
	return 0;
}

void shell_listeners_close(struct shell *sh)
{
	for (unsigned i = 0; i < sh->n_listeners; i++) {
		sd_event_source_disable_unref(sh->listeners[i].io);
		close(sh->listeners[i].fd);
	}
	sh->n_listeners = 0;
}

/* The listener a datagram from local leaves through: same family and port, its address or any. */
static struct sh_listener *listener_for(struct shell *sh, const struct l2tp_addr *local)
{
	static const uint8_t any[16];

	for (unsigned i = 0; i < sh->n_listeners; i++) {
		struct sh_listener *l = &sh->listeners[i];

		if (l->addr.family == local->family && l->addr.port == local->port &&
		    (!memcmp(l->addr.addr, any, 16) || l2tp_addr_same_host(&l->addr, local)))
			return l;
	}
	return NULL;
}

static void send_from_listener(struct shell *sh, const struct engine_action *a)
{
	struct sh_listener *l = listener_for(sh, &a->send.local);
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} control;
	struct sockaddr_storage to;
	struct iovec iov = { .iov_base = (void *)a->send.buf, .iov_len = a->send.len };
	struct msghdr mh = { .msg_name = &to, .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf };
	struct cmsghdr *c;
	char s[L2TP_ADDR_STRLEN];

	if (!l) {
		log_warning("no listener for %s: datagram not sent", l2tp_addr_str(&a->send.local, s));
		return;
	}
	memset(&control, 0, sizeof(control));
	mh.msg_namelen = sockaddr_from_l2tp(&a->send.peer, &to);
	c = (struct cmsghdr *)control.buf;
	if (a->send.local.family == AF_INET) {
		struct in_pktinfo pi = { 0 };

		memcpy(&pi.ipi_spec_dst, a->send.local.addr, 4);
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else {
		struct in6_pktinfo pi = { 0 };

		memcpy(&pi.ipi6_addr, a->send.local.addr, 16);
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	if (sendmsg(l->fd, &mh, 0) < 0)
		log_obj(ENGINE_LOG_DEBUG, &(struct log_obj){ .peer = &a->send.peer }, "send from listener: %s",
			strerror(errno));
}

static int on_tunnel_socket(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct sh_tunnel *t = userdata;
	struct shell *sh = t->sh;
	uint16_t id = t->id;

	for (int i = 0; i < TUNNEL_READ_BATCH; i++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		struct l2tp_addr peer;
		ssize_t n = recvfrom(fd, rx_buf, sizeof(rx_buf), 0, (struct sockaddr *)&from, &flen);

		if (n < 0) {
			/* An ICMP error (ECONNREFUSED...) is reported once; retransmission copes. */
			if (errno != EAGAIN && errno != EINTR)
				continue;
			return 0;
		}
		/*
		 * The kernel hands us data frames for sessions it does not know (§3 of the kernel
		 * notes): never control traffic, dropped here.
		 */
		if (n < 1 || !(rx_buf[0] & (L2TP_HDR_T >> 8)) ||
		    sockaddr_to_l2tp((struct sockaddr *)&from, flen, &peer) < 0)
			continue;
		engine_recv(sh->engine, shell_now(), &t->local, &peer, rx_buf, (size_t)n);
		shell_engine_done(sh);
		/* The tunnel may have been released by this very datagram. */
		if (shell_tunnel_find(sh, id) != t)
			return 0;
	}
	return 0;
}

struct sh_tunnel *shell_tunnel_socket(struct shell *sh, const struct l2tp_addr *local, const struct l2tp_addr *peer,
				      int *err)
{
	struct sh_tunnel *t = calloc(1, sizeof(*t));
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = -1, r;

	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	fd = udp_socket(peer->family);
	if (fd < 0) {
		r = fd;
		goto fail;
	}
	r = bind_to(fd, local);
	if (r >= 0)
		r = connect_to(fd, peer);
	if (r >= 0 && getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		r = -errno;
	if (r >= 0)
		r = sockaddr_to_l2tp((struct sockaddr *)&ss, len, &t->local);
	if (r < 0)
		goto fail;
	t->sh = sh;
	t->fd = fd;
	t->peer = *peer;
	r = sd_event_add_io(sh->ev, &t->io, fd, EPOLLIN, on_tunnel_socket, t);
	if (r < 0)
		goto fail;
	t->conf = sh->conf;
	t->conf->refs++;
	return t;
fail:
	if (fd >= 0)
		close(fd);
	free(t);
	*err = r;
	return NULL;
}

void shell_tunnel_read_mtu(struct sh_tunnel *t)
{
	t->path_mtu = kglue_path_mtu(t->fd, t->peer.family);
	if (t->path_mtu < 0)
		log_obj(ENGINE_LOG_WARNING, &(struct log_obj){ .tunnel_id = t->id, .peer = &t->peer },
			"tunnel %u: path MTU unknown (%s): its pppd keep their default MTU", t->id,
			strerror(-t->path_mtu));
}

int shell_tunnel_attach(struct shell *sh, struct sh_tunnel *t, uint16_t id)
{
	int r;

	t->id = id;
	r = hmap_insert(&sh->tunnels, &t->by_id, id);
	if (r < 0) {
		t->id = 0;
		return r;
	}
	t->fd_stored = shell_keep_fd(sh, SH_KEPT_TUNNEL_SOCKET, id, t->fd);
	shell_persist_tunnel(sh, t);
	return 0;
}

/* The socket's own ends, for a tunnel with no record of them (its kernel data may drop a packet). */
static int socket_ends(int fd, struct sh_tunnel *t)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int r = getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ? -errno : 0;

	if (r == 0)
		r = sockaddr_to_l2tp((struct sockaddr *)&ss, len, &t->local);
	len = sizeof(ss);
	if (r == 0 && getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		r = -errno;
	if (r == 0)
		r = sockaddr_to_l2tp((struct sockaddr *)&ss, len, &t->peer);
	return r;
}

int shell_tunnel_adopt(struct shell *sh, int fd, uint16_t id, const struct l2tp_addr ends[2])
{
	struct sh_tunnel *t = calloc(1, sizeof(*t));
	int r = t ? 0 : -ENOMEM;

	if (r == 0 && ends) {
		t->local = ends[0];
		t->peer = ends[1];
	} else if (r == 0)
		r = socket_ends(fd, t);
	if (r == 0) {
		t->sh = sh;
		t->fd = fd;
		t->id = id;
		t->kernel_created = true;
		r = sd_event_add_io(sh->ev, &t->io, fd, EPOLLIN, on_tunnel_socket, t);
	}
	if (r == 0 && (r = hmap_insert(&sh->tunnels, &t->by_id, id)) < 0)
		sd_event_source_disable_unref(t->io);
	if (r < 0) {
		free(t);
		return r;
	}
	t->conf = sh->conf;
	t->conf->refs++;
	return 0;
}

struct sh_tunnel *shell_tunnel_find(struct shell *sh, uint16_t id)
{
	for (struct hnode *n = hmap_first(&sh->tunnels, id); n; n = hmap_next(n))
		return hmap_entry(n, struct sh_tunnel, by_id);
	return NULL;
}

void shell_tunnel_close(struct shell *sh, struct sh_tunnel *t)
{
	if (!t)
		return;
	if (t->id) {
		hmap_remove(&sh->tunnels, &t->by_id);
		if (t->fd_stored)
			shell_unkeep_fd(sh, SH_KEPT_TUNNEL_SOCKET, t->id);
		shell_persist_tunnel_drop(sh, t->id);
	}
	sd_event_source_disable_unref(t->io);
	close(t->fd);
	shell_conf_ref_put(sh, t->conf);
	free(t);
}

void shell_send(struct shell *sh, const struct engine_action *a)
{
	struct log_obj o = { .tunnel_id = a->tunnel_id, .peer = &a->send.peer };
	struct sh_tunnel *t;
	int r;

	if (!a->tunnel_id) {
		send_from_listener(sh, a);
		return;
	}
	t = shell_tunnel_find(sh, a->tunnel_id);
	if (!t) {
		/*
		 * The first datagram of a tunnel the peer opened: from the address it targeted. Or
		 * the SCCRQ of one the engine opened for a group call (no port): ours to choose.
		 */
		struct l2tp_addr local = a->send.local;

		if (!local.port) {
			static const uint8_t any[16];

			shell_local_for(sh, &a->send.peer, conf_peer_by_host(sh->conf->conf, &a->send.peer), &local);
			/* An address the engine chose stays (an RFC 4951 recovery: the old tunnel's). */
			if (memcmp(a->send.local.addr, any, sizeof(any)))
				memcpy(local.addr, a->send.local.addr, sizeof(local.addr));
		}
		t = shell_tunnel_socket(sh, &local, &a->send.peer, &r);
		if (!t || (r = shell_tunnel_attach(sh, t, a->tunnel_id)) < 0) {
			log_obj(ENGINE_LOG_ERR, &o, "tunnel %u: no socket: %s", a->tunnel_id, strerror(-r));
			shell_tunnel_close(sh, t);
			send_from_listener(sh, a);
			return;
		}
	} else if (!l2tp_addr_equal(&t->peer, &a->send.peer)) {
		/* The LNS answered from another port (RFC 2661 §8.1): the socket follows it. */
		char s[L2TP_ADDR_STRLEN];

		r = connect_to(t->fd, &a->send.peer);
		if (r < 0) {
			log_obj(ENGINE_LOG_ERR, &o, "tunnel %u: cannot connect to %s: %s", a->tunnel_id,
				l2tp_addr_str(&a->send.peer, s), strerror(-r));
			return;
		}
		log_obj(ENGINE_LOG_INFO, &o, "tunnel %u: peer answers from %s: socket connected there",
			a->tunnel_id, l2tp_addr_str(&a->send.peer, s));
		t->peer = a->send.peer;
		shell_persist_tunnel(sh, t);
	}
	if (send(t->fd, a->send.buf, a->send.len, 0) < 0)
		log_obj(ENGINE_LOG_DEBUG, &o, "tunnel %u: send: %s", a->tunnel_id, strerror(errno));
}
