/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target over the control-message decoder. Any input must be decoded or refused
 * without a crash, a leak or undefined behaviour; and whatever decodes must survive
 * decode(encode(decode(x))) == decode(x). The header parser's bounds are checked on every
 * input, data messages included. Hidden AVPs are decoded with the sample secret,
 * so seeds from the vectors reach the unhiding code.
 *
 * Build: ./configure --enable-fuzz CC=clang && make tests/fuzz/fuzz_decode
 * Run:   tests/fuzz/fuzz_decode -max_total_time=60 CORPUS_DIR tests/fuzz/corpus/decode
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "encode.h"
#include "header.h"
#include "msg_equal.h"
#include "samples.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_decode: %s: %s\n", what, detail);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t in[L2TP_MAX_MSG_LEN], out[L2TP_MAX_MSG_LEN];
	static struct l2tp_msg first, second;
	const struct encode_opts opts = { .secret = &sample_secret };
	struct proto_error err;
	struct l2tp_header h;
	const char *why;
	char differs[80];
	int len;

	/* Data or control, a parsed header stays inside the datagram. */
	if (header_parse(data, size, &h, &why) == 0 && (h.payload > h.length || h.length > size))
		die("header", "payload or length outside the datagram");
	if (size > sizeof(in))
		size = sizeof(in);
	memcpy(in, data, size); /* the decoder unhides in place */
	if (decode_control(in, size, &sample_secret, &first, &err) < 0) {
		if (!memchr(err.text, '\0', sizeof(err.text)))
			die("error text", "not terminated");
		return 0;
	}
	len = encode_control(&first, &opts, out, sizeof(out));
	if (len < 0)
		die("encode of a decoded message failed", strerror(-len));
	if (decode_control(out, (size_t)len, &sample_secret, &second, &err) < 0)
		die("decode of the re-encoding failed", err.text);
	if (!msg_equal(&first, &second, differs, sizeof(differs)))
		die("decode(encode(decode(x))) != decode(x)", differs);
	return 0;
}
