/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PPP MTU a session can carry without fragments (spec/linux-kernel-l2tp.md §2.6). pppd
 * asks for 1500 by default; over a 1500-byte path every full-size PPP frame then leaves the
 * kernel as two IP fragments, which halves what a session carries. The kernel's own hint
 * (l2tp_ppp: the path MTU less 40) reaches no PPP interface, since the interface takes its
 * MTU from pppd's LCP. So the daemon tells pppd: the tunnel socket's path MTU less the
 * largest L2TPv2 data header and everything around it.
 */
#include "kglue.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* IPv4 and IPv6 headers without options or extension headers, and UDP's. */
#define IPV4_HEADER 20
#define IPV6_HEADER 40
#define UDP_HEADER  8
/*
 * RFC 2661 §3.1 with every optional field: flags, Length, Tunnel ID, Session ID, Ns, Nr,
 * Offset Size (no padding). The kernel sends less (no Length, Ns and Nr only with sequencing),
 * but the peer may send all of it, and our MRU is what the peer sends.
 */
#define L2TP_DATA_HEADER_MAX 14
/* Address and Control (0xff 0x03) and a two-octet Protocol: pppd negotiates no compression here. */
#define PPP_HEADER 4
/* Below this, the path is not one PPP should be fitted to (pppd's own minimum MRU is 128). */
#define PPP_MTU_MIN 128

int kglue_path_mtu(int udp_fd, int family)
{
	int mtu = 0;
	socklen_t len = sizeof(mtu);
	int r;

	if (family == AF_INET)
		r = getsockopt(udp_fd, IPPROTO_IP, IP_MTU, &mtu, &len);
	else if (family == AF_INET6)
		r = getsockopt(udp_fd, IPPROTO_IPV6, IPV6_MTU, &mtu, &len);
	else
		return -EAFNOSUPPORT;
	if (r < 0)
		return -errno;
	return mtu > 0 ? mtu : -EINVAL;
}

int kglue_ppp_mtu(unsigned int path_mtu, int family)
{
	unsigned int around = UDP_HEADER + L2TP_DATA_HEADER_MAX + PPP_HEADER;

	if (family == AF_INET)
		around += IPV4_HEADER;
	else if (family == AF_INET6)
		around += IPV6_HEADER;
	else
		return -EAFNOSUPPORT;
	if (path_mtu > 65535 || path_mtu < around + PPP_MTU_MIN)
		return -ERANGE;
	return (int)(path_mtu - around);
}
