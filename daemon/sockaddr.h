/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Conversions between the engine's struct l2tp_addr and the socket API's addresses. */
#ifndef L2TPKD_SOCKADDR_H
#define L2TPKD_SOCKADDR_H

#include <sys/socket.h>

#include "engine.h"

/* Fills ss; returns the length to pass to bind/connect/sendto. */
socklen_t sockaddr_from_l2tp(const struct l2tp_addr *a, struct sockaddr_storage *ss);
/* 0, or -EAFNOSUPPORT for anything but AF_INET / AF_INET6 of the right length. */
int sockaddr_to_l2tp(const struct sockaddr *sa, socklen_t len, struct l2tp_addr *a);

#endif
