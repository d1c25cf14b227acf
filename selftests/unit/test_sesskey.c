// SPDX-License-Identifier: GPL-2.0
/* Session hash keys (kmod/sesskey.h). */
#include <stdio.h>

#include "sesskey.h"
#include "state.h"
#include "unit.h"

static void random_tuple(struct rng *r, struct svcgw_tuple *t, u8 family)
{
	int i;

	memset(t, 0, sizeof(*t));
	t->family = family;
	t->proto = rng_u32(r) & 1 ? IPPROTO_TCP : IPPROTO_UDP;
	t->sport = rng_u32(r);
	t->dport = rng_u32(r);
	for (i = 0; i < (family == AF_INET6 ? 4 : 1); i++) {
		t->src.ip6[i] = rng_u32(r);
		t->dst.ip6[i] = rng_u32(r);
	}
}

void test_sesskey(void)
{
	struct svcgw_tuple t, u, k6;
	struct svcgw_skey4 k, k2;
	struct rng r;
	int i, bad;

	tap_group("sesskey: an IPv4 key is 16 bytes, an IPv6 key a tuple");
	CHECK(sizeof(struct svcgw_skey4) == 16, "%zu",
	      sizeof(struct svcgw_skey4));
	CHECK(sizeof(struct svcgw_tuple) == 40, "%zu",
	      sizeof(struct svcgw_tuple));
	tap_end();

	unit_rng(&r, 0x5e55);
	tap_group("sesskey: IPv4 pack then unpack gives the tuple back");
	for (i = 0, bad = 0; i < 10000 && bad < 3; i++) {
		random_tuple(&r, &t, AF_INET);
		memset(&k, 0xa5, sizeof(k));
		svcgw_skey4_pack(&k, &t, i & 1);
		memset(&u, 0x5a, sizeof(u));
		svcgw_skey4_unpack(&k, &u);
		bad += !CHECK(!memcmp(&t, &u, sizeof(t)), "round %d", i);
		bad += !CHECK(k.dir == (i & 1) && k.pad == 0,
			      "dir %u pad %u", k.dir, k.pad);
	}
	tap_end();

	tap_group("sesskey: IPv4 keys are defined bytes: same flow, same key");
	random_tuple(&r, &t, AF_INET);
	memset(&k, 0x00, sizeof(k));
	memset(&k2, 0xff, sizeof(k2));
	svcgw_skey4_pack(&k, &t, SVCGW_DIR_REPLY);
	svcgw_skey4_pack(&k2, &t, SVCGW_DIR_REPLY);
	CHECK(!memcmp(&k, &k2, sizeof(k)));
	tap_end();

	tap_group("sesskey: IPv4 keys differ in each field and the direction");
	random_tuple(&r, &t, AF_INET);
	svcgw_skey4_pack(&k, &t, SVCGW_DIR_ORIG);
	svcgw_skey4_pack(&k2, &t, SVCGW_DIR_REPLY);
	CHECK(memcmp(&k, &k2, sizeof(k)), "direction");
	u = t;
	u.src.ip ^= 1;
	svcgw_skey4_pack(&k2, &u, SVCGW_DIR_ORIG);
	CHECK(memcmp(&k, &k2, sizeof(k)), "src");
	u = t;
	u.dst.ip ^= 0x80;
	svcgw_skey4_pack(&k2, &u, SVCGW_DIR_ORIG);
	CHECK(memcmp(&k, &k2, sizeof(k)), "dst");
	u = t;
	u.sport ^= 1;
	svcgw_skey4_pack(&k2, &u, SVCGW_DIR_ORIG);
	CHECK(memcmp(&k, &k2, sizeof(k)), "sport");
	u = t;
	u.dport ^= 0x100;
	svcgw_skey4_pack(&k2, &u, SVCGW_DIR_ORIG);
	CHECK(memcmp(&k, &k2, sizeof(k)), "dport");
	u = t;
	u.proto = t.proto == IPPROTO_TCP ? IPPROTO_UDP : IPPROTO_TCP;
	svcgw_skey4_pack(&k2, &u, SVCGW_DIR_ORIG);
	CHECK(memcmp(&k, &k2, sizeof(k)), "proto");
	tap_end();

	tap_group("sesskey: IPv6 keys keep the whole tuple and the direction");
	for (i = 0, bad = 0; i < 10000 && bad < 3; i++) {
		random_tuple(&r, &t, AF_INET6);
		memset(&k6, 0xa5, sizeof(k6));
		t.pad = 0x77;	/* the pack zeroes it */
		svcgw_skey6_pack(&k6, &t, SVCGW_DIR_REPLY);
		bad += !CHECK(k6.dir == SVCGW_DIR_REPLY && k6.pad == 0 &&
			      !memcmp(&k6.src, &t.src, 16) &&
			      !memcmp(&k6.dst, &t.dst, 16) &&
			      k6.sport == t.sport && k6.dport == t.dport &&
			      k6.proto == t.proto && k6.family == AF_INET6,
			      "round %d", i);
		svcgw_skey6_unpack(&k6, &u);
		t.pad = 0;
		bad += !CHECK(!memcmp(&t, &u, sizeof(t)), "round %d", i);
	}
	tap_end();
}
