// SPDX-License-Identifier: GPL-2.0
/* The fuzzers' seed corpora: fuzz_seeds DIR writes DIR/pkt, DIR/maglev. */
#include <stdio.h>
#include <stdlib.h>

#include "pktgen.h"

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
	uint8_t buf[PKT_MAX];
	struct pkt_spec s;
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
	for (i = 0; i < (int)(sizeof(maglev) / sizeof(maglev[0])); i++)
		put(argv[1], "maglev", i, maglev[i], sizeof(maglev[i]));
	return 0;
}
