/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the decoder tells the caller to do with a message it refuses: drop it silently, or
 * answer with a StopCCN (tunnel) or CDN (session) carrying this Result/Error code and text.
 * StopCCN and CDN both spell "general error, see the error code" as Result 2.
 */
#ifndef L2TPKD_PROTO_ERROR_H
#define L2TPKD_PROTO_ERROR_H

#include <stdint.h>

enum proto_action {
	PROTO_DISCARD,	    /* malformed header, or unknown message type with M=0 (RFC 2661 §7.1, §4.4.1) */
	PROTO_CLEAR_TUNNEL, /* send StopCCN, clear the tunnel and its sessions */
	PROTO_CLEAR_SESSION, /* send CDN, clear the session */
};

struct proto_error {
	enum proto_action action;
	uint16_t result; /* Result Code to send */
	uint16_t error;	 /* General Error Code to send */
	char text[128];	 /* Error Message to send (NUL-terminated); for DISCARD, why it was dropped */
};

#endif
