/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L2TP datagrams in and out of pcap files: written as Ethernet/IPv4/UDP frames on port 1701
 * for tshark to dissect, read back from captures (Ethernet or Linux cooked, IPv4).
 */
#ifndef L2TPKD_TEST_PCAP_UDP_H
#define L2TPKD_TEST_PCAP_UDP_H

#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

struct pcap_udp {
	pcap_t *pcap;
	pcap_dumper_t *dumper;
	unsigned int frames;
};

int pcap_udp_create(struct pcap_udp *p, const char *path);
int pcap_udp_write(struct pcap_udp *p, const uint8_t *payload, size_t len);
void pcap_udp_close(struct pcap_udp *p);

/* Calls fn for each UDP payload to or from port 1701; stops early if fn returns non-zero. */
typedef int pcap_udp_fn(void *arg, uint8_t *payload, size_t len);
/* Returns the number of payloads seen, or -1 (with a reason in errbuf) if the file is unreadable. */
int pcap_udp_read(const char *path, pcap_udp_fn *fn, void *arg, char errbuf[PCAP_ERRBUF_SIZE]);

#endif
