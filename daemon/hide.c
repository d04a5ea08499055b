/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hide.h"

#include <nettle/md5.h>

void hide_transform(uint16_t attr_type, const struct blob *secret, const struct blob *random_vector,
		    uint8_t *data, size_t len, enum hide_direction dir)
{
	const uint8_t type_be[2] = { attr_type >> 8, attr_type & 0xff };
	uint8_t key[MD5_DIGEST_SIZE];
	uint8_t prev[MD5_DIGEST_SIZE]; /* ciphertext of the previous chunk */
	struct md5_ctx md5;
	size_t off, i, n;

	/* b1 = MD5(type || secret || RV); b(i) = MD5(secret || c(i-1)). */
	md5_init(&md5);
	md5_update(&md5, sizeof(type_be), type_be);
	md5_update(&md5, secret->len, secret->ptr);
	md5_update(&md5, random_vector->len, random_vector->ptr);
	md5_digest(&md5, sizeof(key), key);

	for (off = 0; off < len; off += MD5_DIGEST_SIZE) {
		n = len - off < MD5_DIGEST_SIZE ? len - off : MD5_DIGEST_SIZE;
		for (i = 0; i < n; i++) {
			uint8_t in = data[off + i];

			data[off + i] = in ^ key[i];
			prev[i] = dir == HIDE_ENCRYPT ? data[off + i] : in;
		}
		if (off + n < len) {
			md5_init(&md5);
			md5_update(&md5, secret->len, secret->ptr);
			md5_update(&md5, MD5_DIGEST_SIZE, prev);
			md5_digest(&md5, sizeof(key), key);
		}
	}
}
