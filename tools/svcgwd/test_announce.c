// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the addresses svcgwd announces (announce.c), from
 * files read by conf.c and health given by the test.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "announce.h"
#include "../svcgw/tap.h"

/* Two addresses: .10 with a TCP and a UDP service, .20 with one. */
static const char file[] =
	"node: a\n"
	"announce: {interface: vips%s}\n"
	"services:\n"
	"  - address: 192.0.2.10\n"
	"    port: 80\n    proto: tcp\n"
	"    servers: [{address: 198.51.100.1}, {address: 198.51.100.2}]\n"
	"  - address: 192.0.2.10\n"
	"    port: 53\n"
	"    proto: udp\n"
	"    servers: [{address: 198.51.100.3}]\n"
	"  - address: 2001:db8::20\n"
	"    port: 443\n    proto: tcp\n"
	"    servers: [{address: \"2001:db8:1::7\"},\n"
	"              {address: \"2001:db8:1::8\", weight: 0}]\n";

/* The servers that are down: the last byte of their addresses. */
static const char *down;

static bool up(const struct conf_service *svc, const struct conf_server *srv,
	       void *arg)
{
	unsigned char last = srv->ep.addr[srv->ep.family == AF_INET ? 3 : 15];

	(void)svc;
	(*(unsigned int *)arg)++;
	return !strchr(down, '0' + last);
}

/* The addresses wanted when the servers in @d are down, as a string. */
static const char *want(bool all, const char *d, size_t max)
{
	static char out[CONF_ERR_MAX + 64];
	char text[sizeof(file) + 16], err[CONF_ERR_MAX], buf[64];
	struct endpoint ep[4];
	unsigned int calls = 0;
	struct conf c;
	size_t n, i;

	snprintf(text, sizeof(text), file, all ? ", when: all" : "");
	if (conf_parse("t.conf", text, strlen(text), &c, err, sizeof(err))) {
		snprintf(out, sizeof(out), "%s", err);
		return out;
	}
	down = d;
	n = announce_want(&c, up, &calls, ep, max);
	snprintf(out, sizeof(out), "%zu:", n);
	for (i = 0; i < n && i < max; i++) {
		format_addr(&ep[i], buf, sizeof(buf));
		snprintf(out + strlen(out), sizeof(out) - strlen(out), " %s%s",
			 buf, ep[i].port ? "(port)" : "");
	}
	conf_free(&c);
	return out;
}

/* announce_sig() of @addr when the servers in @d are down. */
static uint64_t sig(const char *addr, const char *d)
{
	char text[sizeof(file) + 16], err[CONF_ERR_MAX];
	unsigned int calls = 0;
	struct endpoint ep;
	struct conf c;
	uint64_t h;

	memset(&ep, 0, sizeof(ep));
	ep.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	inet_pton(ep.family, addr, ep.addr);
	snprintf(text, sizeof(text), file, "");
	if (conf_parse("t.conf", text, strlen(text), &c, err, sizeof(err)))
		return 0;
	down = d;
	h = announce_sig(&c, &ep, up, &calls);
	conf_free(&c);
	return h;
}

static void test_hold(void)
{
	struct announce_hold h = { 0 };
	bool seen[6];

	ok(sig("192.0.2.10", "") == sig("192.0.2.10", "") &&
	   sig("192.0.2.10", "") != sig("192.0.2.10", "1") &&
	   sig("192.0.2.10", "1") != sig("192.0.2.10", "2") &&
	   sig("192.0.2.10", "") != sig("192.0.2.10", "3"),
	   "sig: any server of any service of the address, up or down, counts");
	ok(sig("192.0.2.10", "") == sig("192.0.2.10", "78") &&
	   sig("2001:db8::20", "") != sig("2001:db8::20", "7") &&
	   sig("2001:db8::20", "") == sig("2001:db8::20", "8"),
	   "  those of another address do not, nor one of weight 0 (in no table)");
	seen[0] = announce_hold_over(&h, 5, 1000, 500);
	seen[1] = announce_hold_over(&h, 5, 1499, 500);
	seen[2] = announce_hold_over(&h, 6, 1600, 500);	/* one more up */
	seen[3] = announce_hold_over(&h, 6, 2099, 500);
	seen[4] = announce_hold_over(&h, 6, 2100, 500);
	ok(!seen[0] && !seen[1] && !seen[2] && !seen[3] && seen[4],
	   "hold: on once the servers stayed the same for the hold time, a change waits again");
	memset(&h, 0, sizeof(h));
	seen[5] = announce_hold_over(&h, 6, 5000, 500);
	ok(!seen[5] && announce_hold_over(&h, 6, 5500, 500),
	   "  a forgotten wait starts again");
	memset(&h, 0, sizeof(h));
	ok(announce_hold_over(&h, 1, 7, 0), "  a hold of 0: at once");
}

int main(void)
{
	struct endpoint a, b;

	test_hold();

	ok(!strcmp(want(false, "", 4), "2: 192.0.2.10 2001:db8::20"),
	   "all up: both addresses, once each, in the file's order, no port (%s)",
	   want(false, "", 4));
	ok(!strcmp(want(false, "12", 4), "2: 192.0.2.10 2001:db8::20"),
	   "when any: .10 stays while its UDP service can be served");
	ok(!strcmp(want(true, "12", 4), "1: 2001:db8::20"),
	   "when all: .10 goes when its TCP service has no server up (%s)",
	   want(true, "12", 4));
	ok(!strcmp(want(false, "123", 4), "1: 2001:db8::20"),
	   "when any: .10 goes when none of its services can be served");
	ok(!strcmp(want(false, "7", 4), "1: 192.0.2.10"),
	   "a server of weight 0 serves nothing: ::20 goes with its only weighted server (%s)",
	   want(false, "7", 4));
	ok(!strcmp(want(false, "", 1), "2: 192.0.2.10"),
	   "a short array: the count says how many, the first ones filled");
	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.10", a.addr);
	b = a;
	b.port = 80;
	ok(ep_addr_in(&a, 1, &b) && !ep_addr_in(&a, 0, &b),
	   "ep_addr_in: the address, whatever the port");
	b.family = AF_INET6;
	ok(!ep_addr_in(&a, 1, &b), "  not another family's");
	return tap_done();
}
