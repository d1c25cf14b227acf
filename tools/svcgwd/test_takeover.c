// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the full NAT address takeover (takeover.c): which
 * node holds a node's full NAT address as the forwarders see the states
 * (no notice, down, up but held by the barrier, released), for the local
 * node and for a forwarder; which addresses are another node's.
 */
#include <stdio.h>
#include <string.h>

#include "takeover.h"
#include "../svcgw/tap.h"

/* gw1..gw4; gw4 has no full NAT address; each backs up in a ring. */
static const char text[] =
	"ha generation 5 local 2 key 1 "
	"0000000000000000000000000000000000000000000000000000000000000001\n"
	"node gw1 id 1 sync 10.7.0.1 fnat 203.0.113.1 backups 2,3\n"
	"node gw2 id 2 sync 10.7.0.2 fnat 203.0.113.2 backups 3,1\n"
	"node gw3 id 3 sync 10.7.0.3 fnat 2001:db8::3 backups 1,2\n"
	"node gw4 id 4 sync 10.7.0.4 backups 2\n";

static struct ha_node *node(struct ha_policy *p, uint32_t id)
{
	return (struct ha_node *)ha_find_node(p, id);
}

static void set(struct ha_policy *p, uint32_t id, int state, bool held)
{
	struct ha_node *n = node(p, id);

	n->has_state = state >= 0;
	n->state = state < 0 ? 0 : state;
	n->held = held;
}

static bool is(const struct endpoint *ep, const char *addr)
{
	struct endpoint e;

	return !parse_host_addr(addr, 0, &e) && ep_same_addr(ep, &e);
}

/* The addresses takeover_want() gives, as text ("" when none). */
static const char *want(const struct ha_policy *p)
{
	static char buf[256];
	struct endpoint w[SVCGW_HA_NODES_MAX];
	size_t n = takeover_want(p, w, SVCGW_HA_NODES_MAX), i, o = 0;
	char a[EP_STRLEN];

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "",
			      format_addr(&w[i], a, sizeof(a)));
	return buf;
}

static uint32_t holder(struct ha_policy *p, uint32_t id)
{
	const struct ha_node *h = takeover_holder(p, node(p, id));

	return h ? h->id : 0;
}

int main(void)
{
	char err[HA_ERR_MAX];
	struct ha_policy p;
	struct endpoint e;

	if (ha_file_parse("t.ha", text, sizeof(text) - 1, &p, err,
			  sizeof(err))) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	ok(holder(&p, 1) == 1 && holder(&p, 3) == 3 && !strcmp(want(&p), ""),
	   "no notice yet: each node holds its own, gw2 no other");

	set(&p, 1, SVCGW_HA_STATE_DOWN, false);
	ok(holder(&p, 1) == 2 && !strcmp(want(&p), "203.0.113.1"),
	   "gw1 down: gw2, its first backup, takes 203.0.113.1 (%s)", want(&p));

	set(&p, 3, SVCGW_HA_STATE_DOWN, false);
	ok(holder(&p, 3) == 2 && !strcmp(want(&p), "203.0.113.1 2001:db8::3"),
	   "gw3 down too: its first backup gw1 is down, so gw2 takes 2001:db8::3 as well (%s)",
	   want(&p));

	set(&p, 1, SVCGW_HA_STATE_UP, true);
	ok(holder(&p, 1) == 2 && holder(&p, 3) == 2 &&
	   !strcmp(want(&p), "203.0.113.1 2001:db8::3"),
	   "gw1 up but held by the barrier: its address and gw3's stay with gw2 (%s)",
	   want(&p));

	set(&p, 1, SVCGW_HA_STATE_UP, false);
	ok(holder(&p, 1) == 1 && holder(&p, 3) == 1 &&
	   !strcmp(want(&p), ""),
	   "gw1 released: its address back to it, gw3's to gw1 (its first backup) (%s)",
	   want(&p));

	set(&p, 1, -1, false);
	set(&p, 3, -1, false);
	set(&p, 2, SVCGW_HA_STATE_DOWN, false);
	ok(holder(&p, 2) == 3 && !strcmp(want(&p), ""),
	   "gw2 down: gw3 holds gw2's address; gw2 itself takes nothing");

	set(&p, 2, SVCGW_HA_STATE_UP, true);
	set(&p, 1, SVCGW_HA_STATE_DOWN, false);
	ok(holder(&p, 1) == 3 && !strcmp(want(&p), ""),
	   "gw2 up but held, gw1 down: gw1's address goes past gw2 to gw3");

	set(&p, 2, -1, false);
	set(&p, 1, SVCGW_HA_STATE_DOWN, false);
	set(&p, 3, SVCGW_HA_STATE_DOWN, false);
	set(&p, 4, SVCGW_HA_STATE_DOWN, false);
	ok(holder(&p, 4) == 2 && !strcmp(want(&p), "203.0.113.1 2001:db8::3"),
	   "gw4 down, held by gw2: it has no full NAT address, nothing more to take");

	set(&p, 2, SVCGW_HA_STATE_DOWN, false);
	ok(holder(&p, 1) == 0 && holder(&p, 3) == 0,
	   "every backup of gw1 and gw3 down: no holder");

	p.local = 0;
	set(&p, 2, -1, false);
	ok(!strcmp(want(&p), ""), "a forwarder (local 0) takes nothing");
	p.local = 2;

	ok(!parse_host_addr("203.0.113.1", 0, &e) && takeover_foreign(&p, &e),
	   "203.0.113.1 (gw1's) is another node's");
	ok(!parse_host_addr("2001:db8::3", 0, &e) && takeover_foreign(&p, &e),
	   "2001:db8::3 (gw3's) is another node's");
	ok(!parse_host_addr("203.0.113.2", 0, &e) && !takeover_foreign(&p, &e),
	   "203.0.113.2 (gw2's own) is not");
	ok(!parse_host_addr("10.7.0.1", 0, &e) && !takeover_foreign(&p, &e),
	   "10.7.0.1 (gw1's sync address) is not a full NAT address");
	ok(is(&node(&p, 3)->fnat, "2001:db8::3"), "the file's IPv6 fnat read");
	ha_policy_free(&p);
	return tap_done();
}
