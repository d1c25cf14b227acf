// SPDX-License-Identifier: GPL-2.0
/* Flow hash (kmod/hash.h). */
#include <stdio.h>

#include "hash.h"
#include "unit.h"

/*
 * Reference MurmurHash3_x86_32 (Austin Appleby, public domain), from the
 * algorithm's description: little-endian blocks, tail, fmix32.
 */
static u32 ref_rotl(u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

static u32 ref_murmur3(const u8 *data, u32 len, u32 seed)
{
	const u32 c1 = 0xcc9e2d51, c2 = 0x1b873593;
	u32 h = seed, k, i;

	for (i = 0; i + 4 <= len; i += 4) {
		k = data[i] | data[i + 1] << 8 | data[i + 2] << 16 |
		    (u32)data[i + 3] << 24;
		k = ref_rotl(k * c1, 15) * c2;
		h = ref_rotl(h ^ k, 13) * 5 + 0xe6546b64;
	}
	k = 0;
	switch (len & 3) {
	case 3:
		k ^= data[i + 2] << 16;
		/* fall through */
	case 2:
		k ^= data[i + 1] << 8;
		/* fall through */
	case 1:
		k ^= data[i];
		h ^= ref_rotl(k * c1, 15) * c2;
	}
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

static void put_le32(u8 *p, u32 v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/*
 * svcgw_flow_hash() as documented: MurmurHash3 of the words src, dst,
 * sport << 16 | dport, proto, each taken as a host-order number.
 */
static u32 ref_flow_hash(const struct svcgw_tuple *t, u32 seed)
{
	u8 buf[40];
	u32 i, n = t->family == AF_INET6 ? 4 : 1, len = 0;

	for (i = 0; i < n; i++, len += 4)
		put_le32(buf + len, ntohl(t->src.ip6[i]));
	for (i = 0; i < n; i++, len += 4)
		put_le32(buf + len, ntohl(t->dst.ip6[i]));
	put_le32(buf + len, (u32)ntohs(t->sport) << 16 | ntohs(t->dport));
	put_le32(buf + len + 4, t->proto);
	return ref_murmur3(buf, len + 8, seed);
}

static void random_tuple(struct svcgw_tuple *t, struct rng *r, bool v6)
{
	memset(t, 0, sizeof(*t));
	t->family = v6 ? AF_INET6 : AF_INET;
	t->proto = rng_below(r, 2) ? IPPROTO_TCP : IPPROTO_UDP;
	if (v6)
		rng_bytes(r, t->src.b, 16);
	else
		t->src.ip = rng_u32(r);
	if (v6)
		rng_bytes(r, t->dst.b, 16);
	else
		t->dst.ip = rng_u32(r);
	t->sport = rng_u32(r);
	t->dport = rng_u32(r);
}

static double chi2(const u32 *cnt, u32 k, u32 total)
{
	double e = (double)total / k, x = 0;
	u32 i;

	for (i = 0; i < k; i++)
		x += (cnt[i] - e) * (cnt[i] - e) / e;
	return x;
}

void test_hash(void)
{
	static const struct {
		const char *s;
		u32 seed, h;
	} kat[] = {	/* published MurmurHash3_x86_32 values */
		{ "", 0, 0 },
		{ "", 1, 0x514e28b7 },
		{ "", 0xffffffff, 0x81f16f39 },
		{ "aaaa", 0x9747b28c, 0x5a97808a },
		{ "Hello, world!", 0x9747b28c, 0x24884cba },
		{ "The quick brown fox jumps over the lazy dog", 0x9747b28c,
		  0x2fa826cd },
	};
	static u32 cnt[1021];
	struct svcgw_tuple t, u;
	struct rng r;
	u32 i, j, h, bad;
	double x;

	unit_rng(&r, 3);
	tap_group("hash: flow hash is MurmurHash3_x86_32 of its words, any seed");
	for (i = 0; i < ARRAY_SIZE(kat); i++)
		CHECK(ref_murmur3((const u8 *)kat[i].s, strlen(kat[i].s),
				  kat[i].seed) == kat[i].h,
		      "reference itself: \"%s\"", kat[i].s);
	for (i = 0; i < 20000; i++) {
		u32 seed = i & 1 ? rng_u32(&r) : 0;

		random_tuple(&t, &r, i % 4 == 3);
		h = svcgw_flow_hash(&t, seed);
		CHECK(h == ref_flow_hash(&t, seed) &&
		      h == svcgw_flow_hash(&t, seed), "tuple %u", i);
	}
	/* A fixed value: the mapping must not change between versions. */
	memset(&t, 0, sizeof(t));
	t.family = AF_INET;
	t.proto = IPPROTO_TCP;
	t.src.ip = htonl(0xc0000201);	/* 192.0.2.1:40000 */
	t.dst.ip = htonl(0xc6336401);	/* 198.51.100.1:443 */
	t.sport = htons(40000);
	t.dport = htons(443);
	h = svcgw_flow_hash(&t, 0);
	CHECK(h == ref_flow_hash(&t, 0) && h == 0x01a3af2c);
	tap_end();

	tap_group("hash: changing any tuple field or the seed changes the hash");
	bad = 0;
	for (i = 0; i < 10000; i++) {
		bool v6 = i & 1;

		random_tuple(&t, &r, v6);
		h = svcgw_flow_hash(&t, 0);
		for (j = 0; j < 7; j++) {
			u = t;
			switch (j) {
			case 0:
				u.src.b[rng_below(&r, v6 ? 16 : 4)] ^=
					1 << rng_below(&r, 8);
				break;
			case 1:
				u.dst.b[rng_below(&r, v6 ? 16 : 4)] ^=
					1 << rng_below(&r, 8);
				break;
			case 2:
				u.sport ^= 1 << rng_below(&r, 16);
				break;
			case 3:
				u.dport ^= 1 << rng_below(&r, 16);
				break;
			case 4:
				u.proto ^= 1 << rng_below(&r, 8);
				break;
			case 5:		/* swap the two directions */
				u.src = t.dst;
				u.dst = t.src;
				u.sport = t.dport;
				u.dport = t.sport;
				if (!memcmp(&u, &t, sizeof(u)))
					continue;
				break;
			case 6:
				if (CHECK(svcgw_flow_hash(&t, 1) != h))
					continue;
				bad++;
				continue;
			}
			/*
			 * One changed 32-bit block is a bijection all the way
			 * through MurmurHash3: never a collision.  (Swapping
			 * directions changes two blocks: just unlikely.)
			 */
			if (!CHECK(svcgw_flow_hash(&u, 0) != h,
				   "field %d of tuple %u", j, i))
				bad++;
		}
	}
	/* IPv4 hashes word 0 of the addresses only. */
	random_tuple(&t, &r, false);
	u = t;
	u.src.ip6[2] = 0xdeadbeef;
	u.dst.ip6[3] = 0xfeedface;
	CHECK(svcgw_flow_hash(&u, 7) == svcgw_flow_hash(&t, 7));
	tap_end();

	tap_group("hash: scale(h, n) is floor(h * n / 2^32), always < n");
	for (i = 0; i < 200000; i++) {
		u32 hh = rng_u32_edgy(&r), n = 1 + rng_u32_edgy(&r) % 70000;

		if (i & 1)
			n = rng_u32(&r) | 1;
		h = svcgw_hash_scale(hh, n);
		CHECK(h < n && h == (u32)(((u64)hh * n) >> 32),
		      "scale(%#x, %u) = %u", hh, n, h);
	}
	CHECK(svcgw_hash_scale(0xffffffff, 1) == 0);
	CHECK(svcgw_hash_scale(0xffffffff, 0xffffffff) == 0xfffffffe);
	CHECK(svcgw_hash_scale(0x80000000, 65521) == 32760);
	CHECK(svcgw_hash_scale(0, 65521) == 0);
	tap_end();

	/*
	 * Pearson's chi-square, k - 1 degrees of freedom; fail above the
	 * p = 0.001 critical value: 24.32 for 7, about 1167 for 1020.  The
	 * seed is fixed, so this does not flake; another UNIT_SEED fails
	 * with probability 0.001 per check.
	 */
	tap_group("hash: 100k tuples spread evenly over 8 and 1021 buckets");
	for (j = 0; j < 3; j++) {
		static const char * const what[] = {
			"random tuples", "one client, ports 1024 up",
			"clients 10.0.0.0/8, one port",
		};
		u32 k;

		for (k = 8; k <= 1021; k += 1013) {
			memset(cnt, 0, sizeof(cnt));
			for (i = 0; i < 100000; i++) {
				random_tuple(&t, &r, false);
				if (j == 1) {
					t.src.ip = htonl(0xc0000201 +
							 i / 64000);
					t.sport = htons(1024 + i % 64000);
					t.dst.ip = htonl(0xc6336401);
					t.dport = htons(80);
					t.proto = IPPROTO_TCP;
				} else if (j == 2) {
					t.src.ip = htonl(0x0a000000 + i * 7);
					t.sport = htons(33000);
					t.dst.ip = htonl(0xc6336401);
					t.dport = htons(53);
					t.proto = IPPROTO_UDP;
				}
				cnt[svcgw_hash_scale(svcgw_flow_hash(&t, 0),
						     k)]++;
			}
			x = chi2(cnt, k, 100000);
			tap_diag("%s, %u buckets: chi2 %.1f (%u dof)", what[j],
				 k, x, k - 1);
			CHECK(x < (k == 8 ? 24.32 : 1167), "%s, %u buckets",
			      what[j], k);
		}
	}
	tap_end();
}
