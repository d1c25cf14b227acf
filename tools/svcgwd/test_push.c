// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of push.c: a controller's policy set as the set file of
 * "svcgw policy replace", and the digest that names its content.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "push.h"
#include "../svcgw/tap.h"

static const char file[] =
	"node: ctl\n"
	"tls: {ca: ca.crt, cert: ctl.crt, key: ctl.key}\n"
	"listen: {address: 192.0.2.1}\n"
	"nodes: [fwd1]\n"
	"policy_sets:\n"
	"  - name: B\n"
	"    when: {health: A, min_healthy: 1}\n"
	"    transition: 30\n"
	"    groups:\n"
	"      - name: gb\n"
	"        table: 1021\n"
	"        dests:\n"
	"          - {address: 198.51.100.22, method: gue, gue_port: 6080}\n"
	"          - {address: 198.51.100.23, method: ipip, weight: 3}\n"
	"      - name: g6\n"
	"        dests: [{address: \"2001:db8:5::21\", method: ipip}]\n"
	"    policies:\n"
	"      - {address: 192.0.2.10, port: 80, proto: tcp, group: gb}\n"
	"      - {address: 192.0.2.10, proto: udp, from: 203.0.113.0/25, group: gb}\n"
	"      - {address: \"2001:db8:10::10\", port: 443, proto: tcp, group: g6}\n"
	"  - name: A\n"
	"    groups:\n"
	"      - name: ga\n"
	"        dests: [{address: 198.51.100.21, method: ipip}]\n"
	"    policies:\n"
	"      - {address: 192.0.2.10, group: ga}\n";

static const char want_b[] =
	"set B generation 7 transition 30 reason set A -> B: why\n"
	"group gb table 1021\n"
	"dest gb 198.51.100.22 method gue gue-port 6080\n"
	"dest gb 198.51.100.23 method ipip weight 3\n"
	"group g6\n"
	"dest g6 2001:db8:5::21 method ipip\n"
	"policy 192.0.2.10:80 proto tcp group gb\n"
	"policy 192.0.2.10 proto udp from 203.0.113.0/25 group gb\n"
	"policy [2001:db8:10::10]:443 proto tcp group g6\n";

int main(void)
{
	char err[CONF_ERR_MAX], d1[PUSH_DIGEST_LEN], d2[PUSH_DIGEST_LEN];
	char d3[PUSH_DIGEST_LEN], longwhy[300];
	struct conf c;
	char *text;

	if (conf_parse("push.conf", file, sizeof(file) - 1, &c, err,
		       sizeof(err))) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	text = push_text(&c, &c.pset[0], 7, "set A -> B: why");
	ok(text && !strcmp(text, want_b), "set B as a set file");
	if (text && strcmp(text, want_b))
		printf("# got:\n%s", text);
	free(text);
	text = push_text(&c, &c.pset[1], 0, NULL);
	ok(text && !strcmp(text, "set A\ngroup ga\ndest ga 198.51.100.21 method ipip\npolicy 192.0.2.10 group ga\n"),
	   "set A without generation, reason or transition");
	free(text);
	memset(longwhy, 'x', sizeof(longwhy) - 1);
	longwhy[sizeof(longwhy) - 1] = 0;
	longwhy[5] = '\n';
	text = push_text(&c, &c.pset[1], 1, longwhy);
	ok(text && strchr(text, '\n') - text == (long)strlen("set A generation 1 reason ") + 120,
	   "a long reason is cut to 120 bytes, its newline a space");
	free(text);
	push_digest(&c, &c.pset[0], d1);
	push_digest(&c, &c.pset[1], d2);
	ok(strlen(d1) == 64 && strcmp(d1, d2), "the sets' digests differ (%.12s..., %.12s...)",
	   d1, d2);
	c.pset[0].group[0].dest[1].weight = 4;
	push_digest(&c, &c.pset[0], d3);
	ok(strcmp(d1, d3), "a weight changed: another digest");
	c.pset[0].group[0].dest[1].weight = 3;
	push_digest(&c, &c.pset[0], d3);
	ok(!strcmp(d1, d3), "changed back: the same digest (no generation, no reason in it)");
	conf_free(&c);
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
