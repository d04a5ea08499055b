/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pcap_udp.h"

#include <string.h>
#include <sys/time.h>

#include "l2tp/wire.h"

#define ETH_LEN 14
#define SLL_LEN 16
#define IP_LEN	20
#define UDP_LEN 8

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t ip_checksum(const uint8_t *hdr, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < len; i += 2)
		sum += get16(hdr + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int pcap_udp_create(struct pcap_udp *p, const char *path)
{
	memset(p, 0, sizeof(*p));
	p->pcap = pcap_open_dead(DLT_EN10MB, 65535);
	if (!p->pcap)
		return -1;
	p->dumper = pcap_dump_open(p->pcap, path);
	if (!p->dumper) {
		pcap_close(p->pcap);
		return -1;
	}
	return 0;
}

int pcap_udp_write(struct pcap_udp *p, const uint8_t *payload, size_t len)
{
	static const uint8_t eth[ETH_LEN] = { 0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00 };
	uint8_t frame[ETH_LEN + IP_LEN + UDP_LEN + L2TP_MAX_MSG_LEN];
	uint8_t *ip = frame + ETH_LEN, *udp = ip + IP_LEN;
	struct pcap_pkthdr h = { 0 };

	if (len > L2TP_MAX_MSG_LEN - IP_LEN - UDP_LEN)
		return -1;
	memcpy(frame, eth, ETH_LEN);
	memset(ip, 0, IP_LEN);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP_LEN + UDP_LEN + len));
	put16(ip + 4, (uint16_t)p->frames);
	ip[8] = 64;
	ip[9] = 17;						/* UDP */
	memcpy(ip + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8); /* 192.0.2.1 -> 192.0.2.2 */
	put16(ip + 10, ip_checksum(ip, IP_LEN));
	put16(udp, L2TP_PORT);
	put16(udp + 2, L2TP_PORT);
	put16(udp + 4, (uint16_t)(UDP_LEN + len));
	put16(udp + 6, 0); /* no checksum: valid for UDP over IPv4 */
	memcpy(udp + UDP_LEN, payload, len);
	h.ts.tv_sec = 1700000000 + p->frames;
	h.caplen = h.len = (bpf_u_int32)(ETH_LEN + IP_LEN + UDP_LEN + len);
	pcap_dump((u_char *)p->dumper, &h, frame);
	p->frames++;
	return 0;
}

void pcap_udp_close(struct pcap_udp *p)
{
	pcap_dump_close(p->dumper);
	pcap_close(p->pcap);
}

int pcap_udp_read(const char *path, pcap_udp_fn *fn, void *arg, char errbuf[PCAP_ERRBUF_SIZE])
{
	static uint8_t copy[65536];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pcap = pcap_open_offline(path, errbuf);
	size_t link;
	int count = 0, rc;

	if (!pcap)
		return -1;
	switch (pcap_datalink(pcap)) {
	case DLT_EN10MB:
		link = ETH_LEN;
		break;
	case DLT_LINUX_SLL:
		link = SLL_LEN;
		break;
	default:
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "unsupported link type %d", pcap_datalink(pcap));
		pcap_close(pcap);
		return -1;
	}
	while ((rc = pcap_next_ex(pcap, &h, &data)) == 1) {
		size_t ihl, udp_len;
		const uint8_t *ip = data + link, *udp;

		if (h->caplen < link + IP_LEN + UDP_LEN || get16(ip - 2) != 0x0800 || (ip[0] >> 4) != 4 ||
		    ip[9] != 17)
			continue;
		ihl = (size_t)(ip[0] & 0x0f) * 4;
		udp = ip + ihl;
		if (h->caplen < link + ihl + UDP_LEN)
			continue;
		udp_len = get16(udp + 4);
		if (udp_len < UDP_LEN || h->caplen < link + ihl + udp_len)
			continue;
		if (get16(udp) != L2TP_PORT && get16(udp + 2) != L2TP_PORT)
			continue;
		/* The decoder unhides in place: give it a writable copy. */
		memcpy(copy, udp + UDP_LEN, udp_len - UDP_LEN);
		count++;
		if (fn(arg, copy, udp_len - UDP_LEN))
			break;
	}
	pcap_close(pcap);
	return count;
}
