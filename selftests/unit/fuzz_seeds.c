// SPDX-License-Identifier: GPL-2.0
/* The fuzzers' seed corpora: fuzz_seeds DIR writes DIR/pkt, DIR/maglev. */
#include <stdio.h>
#include <stdlib.h>

#include "pktgen6.h"

static void put(const char *dir, const char *sub, int i, const void *b,
		size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/seed-%02d", dir, sub, i);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static const uint8_t maglev[][16] = {
		{ 3, 8, 0, 1, 2, 3, 4, 0, 1, 5, 6, 7, 8, 0, 2 },
		{ 9, 64, 0 },				/* all zero weights */
		{ 7, 3, 1, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1, 0, 1 },
		{ 6, 2, 2, 1, 2, 3, 4, 0, 0, 0, 1, 9, 8, 7, 6, 0xff },
	};
	static const uint8_t err[2][4] = { { 3, 4, 11, 12 }, { 1, 2, 3, 4 } };
	uint8_t buf[PKT6_MAX], full[PKT6_MAX];
	struct pkt6_spec s6;
	struct icmp_spec is;
	struct pkt_spec s;
	unsigned int len, q;
	struct rng r;
	int i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	rng_init(&r, 1);
	for (i = 0; i < 8; i++) {
		pkt_random_spec(&s, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, &r);
		s.ihl = i < 4 ? 5 : 5 + i;
		s.doff = i < 4 ? 5 : 4 + i;
		s.plen = i * 7;
		if (i == 6)
			s.frag = 0x2000;	/* first fragment */
		pkt_build(buf, &s, &r);
		if (i == 5)			/* UDP without checksum */
			ref_put16(buf + s.ihl * 4 + 6, 0);
		put(argv[1], "pkt", i, buf, pkt_len(&s));
	}
	/* IPv6 TCP and UDP, 0 to 4 extension headers. */
	for (i = 0; i < 8; i++) {
		pkt6_random_spec(&s6, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, 0,
				 &r);
		ext_random(&s6.ext, i / 2, &r);
		s6.plen = i * 5;
		len = pkt6_build(buf, &s6, &r);
		if (i == 5)
			ref_put16(buf + pkt6_l4off(&s6) + 6, 0);
		put(argv[1], "pkt", 8 + i, buf, len);
	}
	/* ICMP and ICMPv6 errors quoting TCP and UDP, cut at 8 to 40 bytes. */
	for (i = 0; i < 16; i++) {
		memset(&is, 0, sizeof(is));
		is.family = i & 1 ? AF_INET6 : AF_INET;
		is.type = err[i & 1][i / 2 % 4];
		is.ihl = 5 + (i & 4);
		rng_bytes(&r, is.saddr, 16);
		rng_bytes(&r, is.daddr, 16);
		if (is.family == AF_INET) {
			pkt_random_spec(&s, i & 2 ? IPPROTO_UDP : IPPROTO_TCP,
					&r);
			s.ihl = 5 + (i & 8) / 4;
			s.plen = 16;
			pkt_build(full, &s, &r);
			q = s.ihl * 4;
		} else {
			pkt6_random_spec(&s6, i & 2 ? IPPROTO_UDP : IPPROTO_TCP,
					 0, &r);
			ext_random(&s6.ext, i / 8, &r);
			ext_random(&is.ext, i / 4 % 2, &r);
			s6.plen = 16;
			pkt6_build(full, &s6, &r);
			q = pkt6_l4off(&s6);
		}
		q += 8 + (i % 5) * 8;
		len = icmp_build(buf, &is, full, q, &r);
		put(argv[1], "pkt", 16 + i, buf, len);
	}
	for (i = 0; i < (int)(sizeof(maglev) / sizeof(maglev[0])); i++)
		put(argv[1], "maglev", i, maglev[i], sizeof(maglev[i]));
	return 0;
}
