/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tunnel authentication, RFC 2661 §5.1.1 and §4.4.3: Challenge Response =
 * MD5(ID || secret || challenge), CHAP style, where ID is the Message Type of the message
 * that carries the response (2 in SCCRP, 3 in SCCCN) so a response cannot be reflected.
 */
#ifndef L2TPKD_AUTH_H
#define L2TPKD_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "l2tp/wire.h"
#include "msg.h"

void auth_challenge_response(uint8_t msg_type, const struct blob *secret, const struct blob *challenge,
			     uint8_t out[L2TP_CHALLENGE_RESPONSE_LEN]);

/* Compares in constant time so a forger learns nothing from how long the check took. */
bool auth_response_valid(uint8_t msg_type, const struct blob *secret, const struct blob *challenge,
			 const uint8_t response[L2TP_CHALLENGE_RESPONSE_LEN]);

#endif
