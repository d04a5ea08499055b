/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes the fuzz seed corpus: every sample message (each type, mandatory-only and full,
 * plain and hidden with the sample secret) and every packet of the xl2tpd capture.
 *
 * usage: seed_corpus OUT_DIR [CAPTURE.pcap]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "encode.h"
#include "pcap_udp.h"
#include "samples.h"

static const char *out_dir;

static int write_seed(const char *name, const uint8_t *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "seed_corpus: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int capture_seed(void *arg, uint8_t *payload, size_t len)
{
	unsigned int *n = arg;
	char name[64];

	snprintf(name, sizeof(name), "xl2tpd-%02u", (*n)++);
	return write_seed(name, payload, len) < 0;
}

int main(int argc, char **argv)
{
	const struct encode_opts opts = { .secret = &sample_secret };
	static uint8_t buf[L2TP_MAX_MSG_LEN];
	static struct l2tp_msg m;
	char name[64], errbuf[PCAP_ERRBUF_SIZE];
	unsigned int captured = 0;
	size_t i;
	int len;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s OUT_DIR [CAPTURE.pcap]\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	for (i = 0; i < N_SAMPLE_VARIANTS; i++) {
		sample_variant(&m, i);
		len = encode_control(&m, &opts, buf, sizeof(buf));
		snprintf(name, sizeof(name), "sample-");
		sample_variant_name(i, name + 7, sizeof(name) - 7);
		if (len < 0 || write_seed(name, buf, (size_t)len) < 0)
			return 1;
	}
	if (argc == 3 && pcap_udp_read(argv[2], capture_seed, &captured, errbuf) < 0) {
		fprintf(stderr, "seed_corpus: %s: %s\n", argv[2], errbuf);
		return 1;
	}
	return 0;
}
