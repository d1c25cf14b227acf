// SPDX-License-Identifier: GPL-2.0
/*
 * The tunnel headers of kmod/tunnel.c: sizes, GUE built and parsed back,
 * what a receiver must refuse, and the outer source ports' spread.
 */
#include <linux/svcgw.h>

#include "tunnel.h"
#include "unit.h"

void test_tunnel(void)
{
	u8 h[16], proto = 0;
	size_t hlen = 0;
	u32 id = 0, i, lo = 32768, hi = 60999, seen[64] = { 0 }, empty = 0;
	bool has = false;
	struct rng r;

	unit_rng(&r, 0x90e);
	tap_group("tunnel: the bytes each method adds");
	CHECK(svcgw_tunnel_overhead(SVCGW_METHOD_NAT, AF_INET) == 0);
	CHECK(svcgw_tunnel_overhead(SVCGW_METHOD_IPIP, AF_INET) == 20);
	CHECK(svcgw_tunnel_overhead(SVCGW_METHOD_IPIP, AF_INET6) == 40);
	CHECK(svcgw_tunnel_overhead(SVCGW_METHOD_GUE, AF_INET) == 36);
	CHECK(svcgw_tunnel_overhead(SVCGW_METHOD_GUE, AF_INET6) == 56);
	tap_end();

	tap_group("tunnel: GUE header as documented, parsed back");
	svcgw_gue_build(h, AF_INET, 0xdeadbeef);
	CHECK(h[0] == 0x01 && h[1] == 4 && h[2] == 0 && h[3] == 0 &&
	      h[4] == 0xde && h[5] == 0xad && h[6] == 0xbe && h[7] == 0xef,
	      "%02x %02x %02x %02x", h[0], h[1], h[2], h[3]);
	CHECK(svcgw_gue_parse(h, 8, &proto, &hlen, &id, &has) == 0 &&
	      proto == 4 && hlen == 8 && has && id == 0xdeadbeef,
	      "proto %u hlen %zu id %08x", proto, hlen, id);
	svcgw_gue_build(h, AF_INET6, 7);
	CHECK(h[1] == 41 && svcgw_gue_parse(h, 8, &proto, &hlen, &id, &has) == 0 &&
	      proto == 41 && id == 7);
	for (i = 0; i < 1000; i++) {
		u32 want = rng_u32(&r);

		svcgw_gue_build(h, i & 1 ? AF_INET6 : AF_INET, want);
		if (svcgw_gue_parse(h, 8, &proto, &hlen, &id, &has) || id != want ||
		    !has)
			break;
	}
	CHECK(i == 1000, "flow word lost at %u", i);
	tap_end();

	tap_group("tunnel: GUE a receiver refuses or reads without a flow word");
	svcgw_gue_build(h, AF_INET, 1);
	CHECK(svcgw_gue_parse(h, 3, &proto, &hlen, &id, &has) == -EMSGSIZE);
	CHECK(svcgw_gue_parse(h, 7, &proto, &hlen, &id, &has) == -EMSGSIZE);
	h[0] = 0x41;	/* version 1: direct IP, no GUE header */
	CHECK(svcgw_gue_parse(h, 8, &proto, &hlen, &id, &has) == -EINVAL);
	h[0] = 0x21;	/* a control message */
	CHECK(svcgw_gue_parse(h, 8, &proto, &hlen, &id, &has) == -EINVAL);
	h[0] = 0x00;	/* no optional word: no flow identifier */
	has = true;
	CHECK(svcgw_gue_parse(h, 4, &proto, &hlen, &id, &has) == 0 && !has &&
	      hlen == 4);
	h[0] = 0x01;
	h[3] = 0x01;	/* the private-data flag claims the word */
	CHECK(svcgw_gue_parse(h, 8, &proto, &hlen, &id, &has) == 0 && !has);
	tap_end();

	tap_group("tunnel: GUE source ports in range, spread over it");
	for (i = 0; i < 64 * 256; i++) {
		u16 p = ntohs(svcgw_gue_sport(rng_u32(&r), lo, hi));

		if (p < lo || p > hi)
			break;
		seen[(p - lo) * 64 / (hi - lo + 1)]++;
	}
	CHECK(i == 64 * 256, "port out of range at %u", i);
	for (i = 0; i < 64; i++)
		empty += seen[i] < 128;	/* a quarter of the mean */
	CHECK(empty == 0, "%u of 64 bands nearly empty", empty);
	CHECK(svcgw_gue_sport(5, 1000, 999) == 0 &&
	      svcgw_gue_sport(5, 1000, 70000) == 0);
	CHECK(ntohs(svcgw_gue_sport(0xffffffff, 1, 65535)) >= 1 &&
	      ntohs(svcgw_gue_sport(0, 10, 10)) == 10);
	tap_end();
}
