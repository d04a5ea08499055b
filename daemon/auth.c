/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "auth.h"

#include <nettle/md5.h>
#include <nettle/memops.h>

void auth_challenge_response(uint8_t msg_type, const struct blob *secret, const struct blob *challenge,
			     uint8_t out[L2TP_CHALLENGE_RESPONSE_LEN])
{
	struct md5_ctx md5;

	md5_init(&md5);
	md5_update(&md5, 1, &msg_type);
	md5_update(&md5, secret->len, secret->ptr);
	md5_update(&md5, challenge->len, challenge->ptr);
	md5_digest(&md5, L2TP_CHALLENGE_RESPONSE_LEN, out);
}

bool auth_response_valid(uint8_t msg_type, const struct blob *secret, const struct blob *challenge,
			 const uint8_t response[L2TP_CHALLENGE_RESPONSE_LEN])
{
	uint8_t expected[L2TP_CHALLENGE_RESPONSE_LEN];

	auth_challenge_response(msg_type, secret, challenge, expected);
	return memeql_sec(expected, response, sizeof(expected));
}
