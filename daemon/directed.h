/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The address list of General Error 9, "try another directed" (RFC 3931 §5.4.2): the Error
 * Message of a StopCCN or CDN names the LNS the LAC should try, IPv4 as dotted quads and IPv6
 * in brackets, separated by ", ". A peer's text is read leniently (any mix of commas and
 * blanks) and never trusted further than this: what is not an address is skipped.
 */
#ifndef L2TPKD_DIRECTED_H
#define L2TPKD_DIRECTED_H

#include <stddef.h>

#include "engine.h"

/* At most this many addresses are taken from one message: the rest is ignored. */
#define DIRECTED_MAX 8

/*
 * The addresses in text[0..len), each with port "port", in order and without repeats.
 * Returns how many were stored in out (at most max); *skipped counts the words that were not
 * addresses.
 */
size_t directed_parse(const char *text, size_t len, uint16_t port, struct l2tp_addr *out, size_t max,
		      unsigned *skipped);

#endif
