// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzers' seed corpora: fuzz_seeds DIR writes DIR/pkt, DIR/maglev,
 * DIR/syncmsg.
 */
#include <stdio.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "pktgen6.h"
#include "syncmsg.h"

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

/* fuzz_syncmsg.c's key: bytes 0 to 31, key id 1. */
static int sync_mac(void *ctx, const u8 *data, size_t len, u8 *tag)
{
	u8 key[32], out[EVP_MAX_MD_SIZE];
	unsigned int i, olen = 0;

	(void)ctx;
	for (i = 0; i < sizeof(key); i++)
		key[i] = i;
	HMAC(EVP_sha256(), key, sizeof(key), data, len, out, &olen);
	memcpy(tag, out, SVCGW_SYNC_TAG_LEN);
	return 0;
}

/* Datagrams of every type, records of both families; window streams. */
static void sync_seeds(const char *dir, struct rng *r)
{
	static const u8 types[] = {
		SVCGW_SYNC_HELLO, SVCGW_SYNC_NONCE, SVCGW_SYNC_ACK,
		SVCGW_SYNC_BULK_BEGIN, SVCGW_SYNC_BULK_END,
	};
	struct svcgw_sync_hdr h = {
		.sender = 1, .receiver = 2, .key_id = 1, .epoch = 0x1234,
		.seq = 1,
	};
	struct svcgw_sync_builder b;
	struct svcgw_sync_msg m;
	struct svcgw_sync_rec rec;
	u8 buf[1472];
	int i, j, e, len, n = 0;

	for (i = 0; i < (int)sizeof(types); i++) {
		memset(&m, 0, sizeof(m));
		m.hdr = h;
		m.hdr.type = types[i];
		rng_bytes(r, m.req_id, sizeof(m.req_id));
		m.ack.map = rng_u64(r) & rng_u64(r);
		len = svcgw_sync_encode(buf, sizeof(buf), &m, sync_mac, NULL);
		put(dir, "syncmsg", n++, buf, len);
	}
	/* 1, 3 and 35 records: IPv4, IPv6, mixed, with and without full NAT. */
	for (i = 0; i < 6; i++) {
		h.type = SVCGW_SYNC_SESSIONS;
		h.seq++;
		svcgw_sync_build_init(&b, buf, sizeof(buf), &h);
		for (j = 0; j < (i < 2 ? 1 : i < 4 ? 3 : 35); j++) {
			memset(&rec, 0, sizeof(rec));
			rec.op = 1 + (j & 1);
			rec.family = i == 1 || (i >= 2 && (j & 1)) ?
				     AF_INET6 : AF_INET;
			rec.proto = j & 2 ? IPPROTO_UDP : IPPROTO_TCP;
			rec.state = j % 12;
			rec.flags = i & 1 ? SVCGW_SYNC_REC_FULLNAT : 0;
			rec.origin = 1;
			rec.timeout_ms = 300000;
			for (e = 0; e < SVCGW_SYNC_EPS; e++) {
				if (rec.family == AF_INET)
					rec.ep[e].addr.ip = rng_u32(r);
				else
					rng_bytes(r, rec.ep[e].addr.b, 16);
				rec.ep[e].port = rng_u32(r);
			}
			if (svcgw_sync_build_add(&b, &rec))
				break;
		}
		len = svcgw_sync_build_finish(&b, sync_mac, NULL);
		put(dir, "syncmsg", n++, buf, len);
	}
	/* Window streams: 'W', then (op, value) triples (fuzz_syncmsg.c). */
	for (i = 0; i < 3; i++) {
		buf[0] = 'W';
		for (j = 0; j < 120; j++) {
			buf[1 + 3 * j] = i == 0 ? 0 : i == 1 ? 0x40 :
					 rng_below(r, 256);
			buf[2 + 3 * j] = i == 1 ? 0xff : 0;
			buf[3 + 3 * j] = i == 0 ? 1 : rng_below(r, 256);
		}
		put(dir, "syncmsg", n++, buf, 1 + 3 * 120);
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
	sync_seeds(argv[1], &r);
	return 0;
}
