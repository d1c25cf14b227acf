// SPDX-License-Identifier: GPL-2.0
/*
 * Policy matches (kmod/pmatch.c): prefixes, shape order, and the
 * tuple-space search a policy set makes against the definition of the
 * most specific match.
 */
#include <stdlib.h>

#include "pmatch.h"
#include "unit.h"

static union svcgw_addr a4(const char *s)
{
	union svcgw_addr a = { .ip = 0 };

	inet_pton(AF_INET, s, &a.ip);
	return a;
}

static union svcgw_addr a6(const char *s)
{
	union svcgw_addr a = { .ip = 0 };

	inet_pton(AF_INET6, s, a.b);
	return a;
}

static bool cut_is(u8 family, const char *in, unsigned int plen,
		   const char *want)
{
	union svcgw_addr a = family == AF_INET ? a4(in) : a6(in);
	union svcgw_addr w = family == AF_INET ? a4(want) : a6(want);

	svcgw_prefix_cut(family, &a, plen);
	return !memcmp(&a, &w, sizeof(a));
}

/* A policy of the random sets: its match, as a set stores it. */
struct pol {
	struct svcgw_pmatch m;
};

static bool matches(const struct svcgw_pmatch *m, const struct svcgw_tuple *t)
{
	union svcgw_addr s = t->src;

	if (m->family != t->family || !svcgw_addr_equal(&m->dst, &t->dst))
		return false;
	svcgw_prefix_cut(t->family, &s, m->plen);
	if (!svcgw_addr_equal(&s, &m->src))
		return false;
	if (m->proto && m->proto != t->proto)
		return false;
	return !m->port || m->port == t->dport;
}

/* By the definition: the longest prefix, then a port, then a protocol. */
static long most_specific(const struct pol *p, unsigned int n,
			  const struct svcgw_tuple *t)
{
	long best = -1;
	unsigned int i, bk = 0;

	for (i = 0; i < n; i++) {
		unsigned int k = p[i].m.plen * 4 + (p[i].m.port ? 2 : 0) +
				 (p[i].m.proto ? 1 : 0);

		if (matches(&p[i].m, t) && (best < 0 || k > bk)) {
			best = i;
			bk = k;
		}
	}
	return best;
}

/* As a set looks up: the shapes present, most specific first, each one
 * key compared (the set hashes it; equal keys hash alike).
 */
static long tuple_space(const struct pol *p, unsigned int n,
			const struct svcgw_tuple *t, u32 seed)
{
	bool seen[SVCGW_PMASK_IDS] = { false };
	struct svcgw_pmatch k;
	struct svcgw_pmask m;
	unsigned int i;
	int id;

	for (i = 0; i < n; i++) {
		struct svcgw_pmask s = {
			.family = p[i].m.family, .plen = p[i].m.plen,
			.has_proto = !!p[i].m.proto, .has_port = !!p[i].m.port,
		};

		if (p[i].m.family == t->family)
			seen[svcgw_pmask_id(&s)] = true;
	}
	for (id = SVCGW_PMASK_IDS - 1; id >= 0; id--) {
		if (!seen[id])
			continue;
		svcgw_pmask_of_id(&m, t->family, id);
		svcgw_pmatch_of(&k, &m, t);
		for (i = 0; i < n; i++)
			if (!memcmp(&p[i].m, &k, sizeof(k))) {
				if (svcgw_pmatch_hash(&p[i].m, seed) !=
				    svcgw_pmatch_hash(&k, seed))
					return -2;
				return i;
			}
	}
	return -1;
}

static void random_match(struct rng *r, struct svcgw_pmatch *m)
{
	static const u8 plens[] = { 0, 8, 16, 24, 25, 30, 32 };

	memset(m, 0, sizeof(*m));
	m->family = AF_INET;
	m->dst.ip = htonl(0xc0000200 | rng_below(r, 3));
	m->plen = plens[rng_below(r, ARRAY_SIZE(plens))];
	m->src.ip = htonl(0xcb007100 | rng_below(r, 256));
	svcgw_prefix_cut(AF_INET, &m->src, m->plen);
	if (rng_below(r, 3)) {
		m->proto = rng_below(r, 2) ? IPPROTO_TCP : IPPROTO_UDP;
		if (rng_below(r, 2))
			m->port = htons(80 + rng_below(r, 3));
	}
}

void test_pmatch(void)
{
	struct pol *p = calloc(200, sizeof(*p));
	unsigned int round, i, n, bad = 0, hits = 0, total = 0;
	struct svcgw_pmask x, y;
	struct rng r;

	tap_group("pmatch: prefixes cut and checked");
	CHECK(cut_is(AF_INET, "203.0.113.77", 25, "203.0.113.0") &&
	      cut_is(AF_INET, "203.0.113.77", 27, "203.0.113.64") &&
	      cut_is(AF_INET, "203.0.113.77", 32, "203.0.113.77") &&
	      cut_is(AF_INET, "203.0.113.77", 0, "0.0.0.0") &&
	      cut_is(AF_INET, "203.0.113.77", 1, "128.0.0.0"), "IPv4");
	CHECK(cut_is(AF_INET6, "2001:db8:1:2:3:4:5:6", 64, "2001:db8:1:2::") &&
	      cut_is(AF_INET6, "2001:db8:1:2:3:4:5:7", 127,
		     "2001:db8:1:2:3:4:5:6") &&
	      cut_is(AF_INET6, "2001:db8::1", 128, "2001:db8::1") &&
	      cut_is(AF_INET6, "2001:db8::1", 0, "::") &&
	      cut_is(AF_INET6, "2001:db8:ffff::", 36, "2001:db8:f000::"),
	      "IPv6");
	{
		union svcgw_addr n24 = a4("203.0.113.0"),
				 h24 = a4("203.0.113.7"),
				 n6 = a6("2001:db8::"), h6 = a6("2001:db8::1");

		CHECK(!svcgw_prefix_host_bits(AF_INET, &n24, 24) &&
		      svcgw_prefix_host_bits(AF_INET, &h24, 24) &&
		      !svcgw_prefix_host_bits(AF_INET, &h24, 32) &&
		      svcgw_prefix_host_bits(AF_INET, &h24, 0) &&
		      !svcgw_prefix_host_bits(AF_INET6, &n6, 32) &&
		      svcgw_prefix_host_bits(AF_INET6, &h6, 127) &&
		      !svcgw_prefix_host_bits(AF_INET6, &h6, 128),
		      "host bits");
	}
	tap_end();

	tap_group("pmatch: shapes order: prefix length, then port, then protocol");
	x = (struct svcgw_pmask){ .family = AF_INET, .plen = 25 };
	y = (struct svcgw_pmask){ .family = AF_INET, .plen = 24,
				  .has_proto = 1, .has_port = 1 };
	CHECK(svcgw_pmask_id(&x) > svcgw_pmask_id(&y), "/25 any over /24 port");
	x = (struct svcgw_pmask){ .family = AF_INET, .has_proto = 1,
				  .has_port = 1 };
	y = (struct svcgw_pmask){ .family = AF_INET, .has_proto = 1 };
	CHECK(svcgw_pmask_id(&x) > svcgw_pmask_id(&y) &&
	      svcgw_pmask_id(&y) > 0, "port over protocol over nothing");
	for (i = 0, n = 0; i < SVCGW_PMASK_IDS; i++) {
		svcgw_pmask_of_id(&x, AF_INET6, i);
		n += svcgw_pmask_id(&x) != i || (x.has_port && !x.has_proto);
	}
	CHECK(n == 0, "ids round-trip, %u wrong", n);
	tap_end();

	tap_group("pmatch: tuple-space search finds the most specific policy");
	unit_rng(&r, 0x9a7c);
	for (round = 0; round < 300; round++) {
		n = 1 + rng_below(&r, 60);
		for (i = 0; i < n; i++) {
			unsigned int j;

			do {
				random_match(&r, &p[i].m);
				for (j = 0; j < i; j++)
					if (!memcmp(&p[j].m, &p[i].m,
						    sizeof(p[i].m)))
						break;
			} while (j < i);	/* a set holds no twin */
		}
		for (i = 0; i < 200; i++) {
			struct svcgw_tuple t = { .family = AF_INET };
			long want, got;

			t.dst.ip = htonl(0xc0000200 | rng_below(&r, 3));
			t.src.ip = htonl(0xcb007100 | rng_below(&r, 256));
			t.proto = rng_below(&r, 2) ? IPPROTO_TCP : IPPROTO_UDP;
			t.dport = htons(80 + rng_below(&r, 4));
			t.sport = htons(1024 + rng_below(&r, 60000));
			want = most_specific(p, n, &t);
			got = tuple_space(p, n, &t, 0x5eed + round);
			bad += want != got;
			hits += want >= 0;
			total++;
		}
	}
	CHECK(bad == 0, "%u of %u lookups differ from the definition", bad,
	      total);
	CHECK(hits > total / 4 && hits < total, "%u of %u lookups matched",
	      hits, total);
	tap_end();
	free(p);
}
