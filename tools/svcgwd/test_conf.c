// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of svcgwd's configuration file (conf.c): what a good
 * file gives, and every class of error with its line.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/svcgw.h>

#include "conf.h"
#include "../svcgw/tap.h"

static const char good[] =
	"# a gateway\n"
	"node: gw1\n"
	"checks:\n"
	"  web:\n"
	"    type: http\n"
	"    path: /healthz\n"
	"    status: 204\n"
	"    interval: 500ms\n"
	"    rise: 1\n"
	"    fall: 2\n"
	"    on_fail: draining\n"
	"  dns: {type: udp, send: ping, expect: pong, interval: 3}\n"
	"  conn: {type: tcp, port: 8081}\n"
	"services:\n"
	"  - address: 192.0.2.10\n"
	"    port: 80\n"
	"    proto: tcp\n"
	"    mode: stateful\n"
	"    table: 4093\n"
	"    transition: 0\n"
	"    check: web\n"
	"    servers:\n"
	"      - address: 198.51.100.11\n"
	"      - {address: 198.51.100.12, port: 8080, weight: 3, check: conn}\n"
	"      - {address: 198.51.100.13, method: gue, gue_port: 6080}\n"
	"  - address: 2001:db8:10::10\n"
	"    port: 53\n"
	"    proto: udp\n"
	"    stateful: on\n"
	"    down_policy: expire\n"
	"    servers: [{address: \"2001:db8:2::11\", check: dns}]\n";

/* What "svcgw -j service show" printed, pasted under "services:". */
static const char shown[] =
	"services: [{\"address\": \"192.0.2.10\", \"port\": 80, \"proto\": \"tcp\","
	" \"mode\": \"hybrid\", \"table\": 1021, \"transition\": 60,"
	" \"stateful\": false, \"down_policy\": \"reschedule\","
	" \"state\": \"stateless\", \"reason\": \"none\", \"switches\": 1,"
	" \"marked\": 0, \"packets\": 12, \"bytes\": 3400, \"sessions\": 0,"
	" \"servers\": [{\"address\": \"198.51.100.11\", \"port\": 80,"
	" \"weight\": 1, \"method\": \"nat\", \"shared\": false,"
	" \"state\": \"active\", \"packets\": 4, \"bytes\": 1000,"
	" \"sessions\": 0}]}]\n";

static void test_good(void)
{
	char err[CONF_ERR_MAX] = "";
	const struct conf_check *ck;
	const struct conf_service *s;
	struct conf c;
	int ret;

	ret = conf_parse("t.conf", good, strlen(good), &c, err, sizeof(err));
	ok(!ret, "good file parses (%s)", err);
	if (ret)
		return;
	ok(!strcmp(c.node, "gw1") && c.ncheck == 3 && c.nsvc == 2,
	   "node, 3 checks, 2 services");
	ck = &c.check[0];
	ok(!strcmp(ck->name, "web") && ck->type == CHECK_HTTP &&
	   !strcmp(ck->path, "/healthz") && ck->status == 204 &&
	   ck->interval_ms == 500 && ck->timeout_ms == 250 &&
	   ck->rise == 1 && ck->fall == 2 &&
	   ck->on_fail == SVCGW_SERVER_DRAINING && ck->line == 4,
	   "http check: values, timeout half the interval, line 4");
	ck = &c.check[1];
	ok(ck->type == CHECK_UDP && ck->send_len == 4 &&
	   !memcmp(ck->send, "ping", 4) && ck->expect_len == 4 &&
	   ck->interval_ms == 3000 && ck->timeout_ms == 1000 &&
	   ck->rise == 2 && ck->fall == 3 && ck->on_fail == SVCGW_SERVER_DOWN,
	   "udp check in flow style, defaults");
	ok(c.check[2].type == CHECK_TCP && c.check[2].port == 8081,
	   "tcp check with its own port");
	s = &c.svc[0];
	ok(s->ep.family == AF_INET && s->ep.port == 80 &&
	   s->proto == IPPROTO_TCP && s->mode == SVCGW_MODE_STATEFUL &&
	   s->table == 4093 && s->has_transition && s->transition == 0 &&
	   s->nsrv == 3 && s->line == 15, "service 1: key and settings");
	ok(s->srv[0].ep.port == 80 && s->srv[0].weight == 1 &&
	   s->srv[0].method == SVCGW_METHOD_NAT && s->srv[0].check == 0 &&
	   s->srv[0].line == 23,
	   "server without port: the service's, weight 1, the service's check");
	ok(s->srv[1].ep.port == 8080 && s->srv[1].weight == 3 &&
	   s->srv[1].check == 2, "server with port, weight and its own check");
	ok(s->srv[2].method == SVCGW_METHOD_GUE && s->srv[2].gue_port == 6080,
	   "encapsulated server");
	s = &c.svc[1];
	ok(s->ep.family == AF_INET6 && s->proto == IPPROTO_UDP && !s->mode &&
	   !s->table && s->has_stateful && s->stateful &&
	   s->has_down_policy && s->down_policy == SVCGW_DOWN_EXPIRE &&
	   s->nsrv == 1 && s->srv[0].ep.family == AF_INET6 &&
	   s->srv[0].check == 1, "IPv6 service, kernel defaults left unset");
	conf_free(&c);

	ret = conf_parse("t.conf", shown, strlen(shown), &c, err, sizeof(err));
	ok(!ret && c.nsvc == 1 && c.svc[0].nsrv == 1 && c.svc[0].table == 1021,
	   "the JSON of svcgw -j service show is a file (%s)", err);
	if (!ret)
		conf_free(&c);
}

struct bad {
	const char *text;
	const char *err;	/* the beginning of the message */
};

static const struct bad bads[] = {
	{ "", "t.conf:1: the file is empty" },
	{ "services: [\n", "t.conf:2: did not find expected node content" },
	{ "- a\n", "t.conf:1: the file must be a mapping" },
	{ "frob: 1\n", "t.conf:1: unknown key \"frob\" in the file" },
	{ "node: a\nnode: b\n", "t.conf:2: \"node\" given twice in the file (first at line 1)" },
	{ "services: {}\n", "t.conf:1: services must be a list" },
	{ "services:\n  - port: 80\n    proto: tcp\n",
	  "t.conf:2: a service needs an address, a port and a proto" },
	{ "services:\n  - {address: 192.0.2.300, port: 80, proto: tcp}\n",
	  "t.conf:2: invalid service address \"192.0.2.300\"" },
	{ "services:\n  - {address: 192.0.2.1, port: 0, proto: tcp}\n",
	  "t.conf:2: port must be a number from 1 to 65535, not \"0\"" },
	{ "services:\n  - {address: 192.0.2.1, port: 80, proto: sctp}\n",
	  "t.conf:2: proto must be tcp or udp" },
	{ "services:\n  - {address: 192.0.2.1, port: 80, proto: tcp,\n     mode: fast}\n",
	  "t.conf:3: mode must be stateless, stateful or hybrid" },
	{ "services:\n  - {address: 192.0.2.1, port: 80, proto: tcp, table: 1000}\n",
	  "t.conf:2: table must be a prime" },
	{ "services:\n  - {address: 192.0.2.1, port: 80, proto: tcp, transition: 3601}\n",
	  "t.conf:2: transition must be a number from 0 to 3600" },
	{ "services:\n  - {address: 192.0.2.1, port: 80, proto: tcp, stateful: maybe}\n",
	  "t.conf:2: stateful must be true or false" },
	{ "services:\n  - {address: 192.0.2.1, port: 80, proto: tcp, fullnat: 198.51.100.1}\n",
	  "t.conf:2: fullnat and encap_src are not in svcgwd's files yet" },
	{ "services:\n  - {address: 192.0.2.1, port: 80, proto: tcp}\n"
	  "  - {address: 192.0.2.1, port: 80, proto: tcp}\n",
	  "t.conf:3: service 192.0.2.1:80 given twice (first at line 2)" },
	{ "services:\n  - {address: 192.0.2.1, port: 80, proto: tcp, servers: 3}\n",
	  "t.conf:2: servers must be a list" },
	{ "services:\n  - address: 192.0.2.1\n    port: 80\n    proto: tcp\n"
	  "    servers:\n      - {port: 80}\n",
	  "t.conf:6: a server needs an address" },
	{ "services:\n  - address: 192.0.2.1\n    port: 80\n    proto: tcp\n"
	  "    servers:\n      - {address: \"2001:db8::1\"}\n",
	  "t.conf:6: server address \"2001:db8::1\" is not of the service's family" },
	{ "services:\n  - address: 192.0.2.1\n    port: 80\n    proto: tcp\n"
	  "    servers:\n      - {address: 198.51.100.1, weight: 65536}\n",
	  "t.conf:6: weight must be a number from 0 to 65535" },
	{ "services:\n  - address: 192.0.2.1\n    port: 80\n    proto: tcp\n"
	  "    servers:\n      - {address: 198.51.100.1, method: gue}\n",
	  "t.conf:6: method gue needs a gue_port" },
	{ "services:\n  - address: 192.0.2.1\n    port: 80\n    proto: tcp\n"
	  "    servers:\n      - {address: 198.51.100.1, gue_port: 6080}\n",
	  "t.conf:6: gue_port is for method gue only" },
	{ "services:\n  - address: 192.0.2.1\n    port: 80\n    proto: tcp\n"
	  "    servers:\n      - {address: 198.51.100.1, port: 81, method: ipip}\n",
	  "t.conf:6: an encapsulated server takes the service's port (80)" },
	{ "services:\n  - address: 192.0.2.1\n    port: 80\n    proto: tcp\n"
	  "    servers:\n      - {address: 198.51.100.1}\n"
	  "      - {address: 198.51.100.1, port: 80}\n",
	  "t.conf:7: server 198.51.100.1:80 given twice in service 192.0.2.1:80 (first at line 6)" },
	{ "services:\n  - address: 192.0.2.1\n    port: 80\n    proto: tcp\n"
	  "    check: web\n",
	  "t.conf:5: no check named \"web\"" },
	{ "services:\n  - address: 192.0.2.1\n    port: 80\n    proto: tcp\n"
	  "    servers:\n      - {address: 198.51.100.1, colour: red}\n",
	  "t.conf:6: unknown key \"colour\" in a server" },
	{ "checks:\n  w: {port: 80}\n", "t.conf:2: check \"w\" has no type" },
	{ "checks:\n  w: {type: icmp}\n",
	  "t.conf:2: type must be tcp, http or udp" },
	{ "checks:\n  w: {type: tcp, path: /}\n",
	  "t.conf:2: check \"w\": path, host and status are for type http" },
	{ "checks:\n  w: {type: http, send: x}\n",
	  "t.conf:2: check \"w\": send and expect are for type udp" },
	{ "checks:\n  w: {type: udp}\n",
	  "t.conf:2: check \"w\" of type udp needs send" },
	{ "checks:\n  w: {type: http, path: x}\n",
	  "t.conf:2: path must begin with \"/\"" },
	{ "checks:\n  w: {type: http, path: \"/a b\"}\n",
	  "t.conf:2: path may not hold spaces or control characters" },
	{ "checks:\n  w: {type: http, host: \"a\\r\\nX: y\"}\n",
	  "t.conf:2: host may not hold spaces or control characters" },
	{ "checks:\n  w: {type: http, status: 99}\n",
	  "t.conf:2: status must be a number from 100 to 599" },
	{ "checks:\n  w: {type: tcp, interval: 2h}\n",
	  "t.conf:2: interval must be a time from 100ms to 3600000ms" },
	{ "checks:\n  w: {type: tcp, interval: 50ms}\n",
	  "t.conf:2: interval must be a time" },
	{ "checks:\n  w: {type: tcp, interval: 1s, timeout: 2s}\n",
	  "t.conf:2: check \"w\": timeout must be shorter than interval" },
	{ "checks:\n  w: {type: tcp, fall: 0}\n",
	  "t.conf:2: fall must be a number from 1 to 100" },
	{ "checks:\n  w: {type: tcp, on_fail: reboot}\n",
	  "t.conf:2: on_fail must be down or draining" },
	{ "checks:\n  w: {type: tcp}\n  w: {type: udp, send: x}\n",
	  "t.conf:3: check \"w\" given twice (first at line 2)" },
	{ "checks:\n  \"a b\": {type: tcp}\n",
	  "t.conf:2: a check's name may not hold spaces" },
	{ "checks:\n  [a]: {type: tcp}\n",
	  "t.conf:2: a check's name must be a single value" },
	/* --- the control channel and the controller role --- */
#define TLS	"tls: {ca: ca.crt, cert: n.crt, key: n.key}\n"
#define CTL	TLS "listen: {address: 192.0.2.1}\n"
#define PS	CTL "policy_sets:\n"
/* A set's head at line 4, a group at line 6, its destination at 8. */
#define GRP	PS "  - name: A\n    groups:\n      - name: g\n        dests:\n"
	{ TLS "listen: {address: 192.0.2.1, colour: red}\n",
	  "t.conf:2: unknown key \"colour\" in listen" },
	{ TLS "listen: 192.0.2.1\n",
	  "t.conf:2: listen must be a mapping" },
	{ TLS "listen:\n  port: 7440\n",
	  "t.conf:2: listen needs an address" },
	{ TLS "listen:\n  address: 192.0.2.300\n",
	  "t.conf:3: invalid address \"192.0.2.300\"" },
	{ TLS "listen: {address: 192.0.2.1, port: 65536}\n",
	  "t.conf:2: port must be a number from 1 to 65535" },
	{ TLS "listen: {address: 192.0.2.1}\nnode: c\n"
	  "controller: {address: 192.0.2.1, name: ctl}\n",
	  "t.conf:4: listen (a controller) and controller (an agent) in one file: a file is one role" },
	{ "node: a\nnodes: [fwd1]\n",
	  "t.conf:2: nodes is for a controller (listen)" },
	{ TLS "controller: {address: 192.0.2.1, name: ctl}\nhold_down: 5s\n"
	  "heartbeat: 1s\n",
	  "t.conf:3: hold_down is for a controller (listen)" },
	{ "dead_after: 5s\n", "t.conf:1: dead_after is for a controller (listen)" },
	{ "node: a\n\npolicy_sets:\n  - name: A\n",
	  "t.conf:3: policy_sets is for a controller (listen)" },
	{ CTL "services:\n  - {address: 192.0.2.10, port: 80, proto: tcp,\n"
	  "     servers: [{address: 192.0.2.20}]}\n",
	  "t.conf:4: a controller's file (listen) has no services: run an agent beside it with its own file" },
	{ "node: a\nlisten: {address: 192.0.2.1}\n",
	  "t.conf:2: listen needs tls (ca, cert and key): the control channel is always authenticated" },
	{ "controller: {address: 192.0.2.1, name: ctl}\n",
	  "t.conf:1: controller needs tls" },
	{ "tls:\n  ca: ca.crt\n  cert: n.crt\n",
	  "t.conf:1: tls needs ca, cert and key" },
	{ "tls: {ca: ca.crt, cert: n.crt, key: [k]}\n",
	  "t.conf:1: key must be a single value" },
	{ TLS "controller:\n  address: 192.0.2.1\n",
	  "t.conf:2: controller needs an address and a name" },
	{ TLS "controller:\n  address: 192.0.2.1\n  name: \"c tl\"\n",
	  "t.conf:4: the controller's name may hold printable ASCII characters only, no spaces" },
	{ CTL "heartbeat: 10ms\n",
	  "t.conf:3: heartbeat must be a time from 50ms to 60000ms" },
	{ CTL "dead_after: 1s\nheartbeat: 2s\n",
	  "t.conf:3: dead_after (1000ms) must be longer than heartbeat (2000ms)" },
	{ CTL "hold_down: 3601s\n",
	  "t.conf:3: hold_down must be a time from 0ms to 3600000ms" },
	{ CTL "nodes: fwd1\n", "t.conf:3: nodes must be a list" },
	{ CTL "nodes:\n  - fwd1\n  - fwd2\n  - fwd1\n",
	  "t.conf:6: node \"fwd1\" given twice in nodes (first at line 4)" },
	{ CTL "nodes:\n  - a\n  - 0123456789012345678901234567890123456789012345678901234567890123\n",
	  "t.conf:5: a node's name has 1 to 63 characters" },
	{ CTL "nodes: [\"\"]\n", "t.conf:3: a node's name has 1 to 63 characters" },
	/* Policy sets. */
	{ CTL "policy_sets: {A: 1}\n", "t.conf:3: policy_sets must be a list" },
	{ PS "  - name: A\n    colour: red\n",
	  "t.conf:5: unknown key \"colour\" in a policy set" },
	{ PS "  - when: operator\n", "t.conf:4: a policy set needs a name" },
	{ PS "  - name: \"a/b\"\n",
	  "t.conf:4: a policy set's name must be 1 to 31 letters, digits, \"_\", \".\" or \"-\", not \"a/b\"" },
	{ PS "  - name: abcdefghijklmnopqrstuvwxyz0123456\n",
	  "t.conf:4: a policy set's name must be 1 to 31" },
	{ PS "  - name: A\n  - name: B\n  - name: A\n",
	  "t.conf:6: policy set \"A\" given twice (first at line 4)" },
	{ PS "  - name: A\n    transition: 3601\n",
	  "t.conf:5: transition must be a number from 0 to 3600" },
	{ PS "  - name: A\n    groups: {name: g}\n",
	  "t.conf:5: groups must be a list" },
	/* Conditions. */
	{ PS "  - name: A\n    when:\n      load: 5\n      time: \"22:00-06:00\"\n",
	  "t.conf:7: a when holds one condition (health, load or time), not both \"load\" and \"time\"" },
	{ PS "  - name: A\n    when: {}\n",
	  "t.conf:5: when needs a condition: health, load, time or \"operator\"" },
	{ PS "  - name: A\n    when: always\n",
	  "t.conf:5: when must be \"operator\" or a mapping (health, load or time), not \"always\"" },
	{ PS "  - name: A\n    when: [operator]\n",
	  "t.conf:5: when must be \"operator\" or a mapping" },
	{ PS "  - name: A\n    when:\n      min_healthy: 2\n",
	  "t.conf:6: min_healthy and min_fraction go with health" },
	{ PS "  - name: A\n    when:\n      below: 2\n",
	  "t.conf:6: below goes with load" },
	{ PS "  - name: A\n    when:\n      health: B\n      min_healthy: 1\n"
	  "  - name: B\n    when:\n      health: Z\n      min_fraction: 50%\n",
	  "t.conf:10: no policy set named \"Z\" (health names a set of this file)" },
	{ PS "  - name: A\n    when:\n      health: A\n",
	  "t.conf:6: health needs min_healthy, min_fraction or both" },
	{ PS "  - name: A\n    when: {health: A, min_healthy: 0}\n",
	  "t.conf:5: min_healthy must be a number from 1 to 1048576" },
	{ PS "  - name: A\n    when: {health: A, min_fraction: 12.55%}\n",
	  "t.conf:5: min_fraction must be a percentage from 0.1% to 100% in steps of 0.1%" },
	{ PS "  - name: A\n    when: {health: A, min_fraction: 100.1%}\n",
	  "t.conf:5: min_fraction must be a percentage" },
	{ PS "  - name: A\n    when: {health: A, min_fraction: 0%}\n",
	  "t.conf:5: min_fraction must be a percentage" },
	{ PS "  - name: A\n    when: {health: A, min_fraction: 50}\n",
	  "t.conf:5: min_fraction must be a percentage" },
	{ PS "  - name: A\n    when:\n      load: 100\n      below: 101\n",
	  "t.conf:7: below (101) must not be above load (100)" },
	{ PS "  - name: A\n    when: {load: 0}\n",
	  "t.conf:5: load (packets per second) must be a number from 1 to 4294967295" },
	{ PS "  - name: A\n    when: {time: \"24:00-06:00\"}\n",
	  "t.conf:5: time must be a window of the day, \"HH:MM-HH:MM\" from 00:00 to 23:59" },
	{ PS "  - name: A\n    when: {time: \"6:00-22:00\"}\n",
	  "t.conf:5: time must be a window of the day" },
	{ PS "  - name: A\n    when: {time: \"06:00-06:00\"}\n",
	  "t.conf:5: time \"06:00-06:00\" is an empty window" },
	{ PS "  - name: A\n    when: {time: \"06:00-07:00\", colour: red}\n",
	  "t.conf:5: unknown key \"colour\" in a when" },
	/* Groups and destinations. */
	{ PS "  - name: A\n    groups:\n      - name: g\n",
	  "t.conf:6: group \"g\" needs destinations (dests: 1 to 1024)" },
	{ PS "  - name: A\n    groups:\n      - name: g\n        dests: []\n",
	  "t.conf:7: group \"g\" needs destinations" },
	{ PS "  - name: A\n    groups:\n      - dests: [{address: 198.51.100.1, method: ipip}]\n",
	  "t.conf:6: a group needs a name" },
	{ PS "  - name: A\n    groups:\n"
	  "      - {name: g, dests: [{address: 198.51.100.1, method: ipip}]}\n"
	  "      - {name: g, dests: [{address: 198.51.100.2, method: ipip}]}\n",
	  "t.conf:7: group \"g\" given twice in policy set \"A\" (first at line 6)" },
	{ PS "  - name: A\n    groups:\n      - name: g\n        table: 1000\n",
	  "t.conf:7: table must be a prime" },
	{ "checks:\n  web: {type: http}\n" PS
	  "  - name: A\n    groups:\n      - name: g\n        check: web\n",
	  "t.conf:9: check \"web\" has no port: destinations have none, so a group's check needs one" },
	{ PS "  - name: A\n    groups:\n      - name: g\n        check: lb\n",
	  "t.conf:7: no check named \"lb\"" },
	{ GRP "          - {address: 198.51.100.1, method: ipip}\n"
	  "          - {address: \"2001:db8::1\", method: ipip}\n",
	  "t.conf:9: destination 2001:db8::1 is IPv6, the group's first (line 8) IPv4: one family per group" },
	{ GRP "          - {address: 198.51.100.1, method: nat}\n",
	  "t.conf:8: a destination's method must be ipip or gue, not \"nat\"" },
	{ GRP "          - {address: 198.51.100.1}\n",
	  "t.conf:8: a destination needs an address and a method (ipip or gue)" },
	{ GRP "          - address: 198.51.100.1\n            method: gue\n",
	  "t.conf:9: method gue needs a gue_port" },
	{ GRP "          - address: 198.51.100.1\n            method: ipip\n"
	  "            gue_port: 6080\n",
	  "t.conf:10: gue_port is for method gue only" },
	{ GRP "          - {address: 198.51.100.1, method: ipip, weight: 65536}\n",
	  "t.conf:8: weight must be a number from 0 to 65535" },
	{ GRP "          - {address: 198.51.100.1, method: ipip, port: 80}\n",
	  "t.conf:8: unknown key \"port\" in a destination" },
	{ GRP "          - {address: 198.51.100.1, method: ipip}\n"
	  "          - {address: 198.51.100.1, method: gue, gue_port: 6080}\n",
	  "t.conf:9: destination 198.51.100.1 given twice in group \"g\" (first at line 8)" },
	/* Policies: a group g of IPv4 destinations at line 6. */
#define POL	PS "  - name: A\n    groups:\n" \
	"      - {name: g, dests: [{address: 198.51.100.1, method: ipip}]}\n" \
	"    policies:\n"
	{ POL "      - {address: 192.0.2.10, port: 80, group: g}\n",
	  "t.conf:8: a policy's port needs a proto (tcp or udp)" },
	{ POL "      - {address: \"2001:db8::10\", group: g}\n",
	  "t.conf:8: policy address 2001:db8::10 is IPv6, the destinations of group \"g\" (line 6) IPv4" },
	{ POL "      - {address: 192.0.2.10, port: 80, proto: tcp, group: g}\n"
	  "      - {address: 192.0.2.10, proto: tcp, group: g}\n"
	  "      - {address: 192.0.2.10, port: 80, proto: tcp, from: 203.0.113.0/24, group: g}\n"
	  "      - {address: 192.0.2.10, port: 80, proto: tcp, from: 203.0.113.0/25, group: g}\n"
	  "      - {address: 192.0.2.10, port: 80, proto: udp, group: g}\n"
	  "      - {address: 192.0.2.10, port: 80, proto: tcp, from: 203.0.113.0/24, group: g}\n",
	  "t.conf:13: a policy for 192.0.2.10 with the same port, proto and from is given twice in policy set \"A\" (first at line 10)" },
	{ POL "      - {address: 192.0.2.10, group: h}\n",
	  "t.conf:8: no group \"h\" in policy set \"A\"" },
	{ POL "      - address: 192.0.2.10\n        from: 203.0.113.1/25\n        group: g\n",
	  "t.conf:9: from 203.0.113.1/25 has host bits set: the prefix is 203.0.113.0/25" },
	{ POL "      - {address: 192.0.2.10, from: 203.0.113.0/33, group: g}\n",
	  "t.conf:8: from must be a client prefix (ADDRESS or ADDRESS/LENGTH), not \"203.0.113.0/33\"" },
	{ POL "      - {address: 192.0.2.10, from: \"2001:db8::/32\", group: g}\n",
	  "t.conf:8: from is IPv6, the policy's address IPv4" },
	{ POL "      - {group: g}\n",
	  "t.conf:8: a policy needs an address and a group" },
	{ POL "      - {address: 192.0.2.10, proto: icmp, group: g}\n",
	  "t.conf:8: proto must be tcp or udp, not \"icmp\"" },
	{ PS "  - name: A\n    policies:\n      - {address: 192.0.2.10, group: g}\n"
	  "    groups: [{name: g, dests: [{address: 198.51.100.1, method: ipip}]}]\n"
	  "  - name: B\n    policies:\n      - {address: 192.0.2.10, group: g}\n",
	  "t.conf:10: no group \"g\" in policy set \"B\"" },	/* ha: its key at line 4, its nodes' items from line 6. */
#define HA	CTL "nodes: [gw1, gw2, gw3, fwd1]\nha:\n"
#define HAN	HA "  nodes:\n"
#define N1	"    - {name: gw1, id: 1, sync: 198.51.100.31, backups: [gw2]}\n"
#define N2	"    - {name: gw2, id: 2, sync: 198.51.100.32, backups: [gw1]}\n"
	{ TLS "controller: {address: 192.0.2.1, name: ctl}\nha:\n  nodes: []\n",
	  "t.conf:3: ha is for a controller (listen)" },
	{ "node: a\nha: {port: 7441}\n",
	  "t.conf:2: ha is for a controller (listen)" },
	{ "node: a\nmetrics: {port: 9100}\n",
	  "t.conf:2: metrics needs an address (where the agent serves them" },
	{ "node: a\nmetrics: {address: 127.0.0.1, colour: red}\n",
	  "t.conf:2: unknown key \"colour\" in metrics" },
	{ "node: a\nmetrics: {address: 127.0.0.1, port: 0}\n",
	  "t.conf:2: port must be a number from 1 to 65535" },
	{ "node: a\nmetrics: 127.0.0.1\n", "t.conf:2: metrics must be a mapping" },
	{ CTL "metrics: {address: 127.0.0.1}\n",
	  "t.conf:3: metrics is for a node agent: a controller's file (listen) has no kernel counters to serve" },
	{ "node: a\nannounce: {when: any}\n",
	  "t.conf:2: announce needs an interface (one of its own, such as a dummy: svcgwd owns its addresses)" },
	{ "node: a\nannounce: {interface: vips, when: some}\n",
	  "t.conf:2: when must be any (an address while one of its services can be served) or all (while every one can), not \"some\"" },
	{ "node: a\nannounce: {interface: vips, colour: red}\n",
	  "t.conf:2: unknown key \"colour\" in announce" },
	{ "node: a\nannounce: {interface: a-name-far-too-long}\n",
	  "t.conf:2: interface is longer than 15 bytes" },
	{ "node: a\nannounce: {interface: \"v ips\"}\n",
	  "t.conf:2: interface may not hold spaces or control characters" },
	{ "node: a\nannounce: {interface: a/b}\n",
	  "t.conf:2: interface \"a/b\" is not an interface name" },
	{ "node: a\nannounce: {interface: \"\"}\n",
	  "t.conf:2: interface \"\" is not an interface name" },
	{ "node: a\nannounce: vips\n", "t.conf:2: announce must be a mapping" },
	{ "node: a\nannounce: {interface: vips, hold: 2h}\n",
	  "t.conf:2: hold must be a time from 0ms to 3600000ms (\"2s\", \"500ms\"), not \"2h\"" },
	{ CTL "announce: {interface: vips}\n",
	  "t.conf:3: announce is for a node agent: a controller's file (listen) has no services to announce" },
	{ CTL "ha: [gw1]\n", "t.conf:3: ha must be a mapping (KEY: VALUE lines)" },
	{ HA "  colour: red\n", "t.conf:5: unknown key \"colour\" in ha" },
	{ HA "  port: 7441\n  port: 7442\n",
	  "t.conf:6: \"port\" given twice in ha (first at line 5)" },
	{ HA "  port: 0\n",
	  "t.conf:5: port must be a number from 1 to 65535, not \"0\"" },
	{ HA "  key_rotation: 721h\n",
	  "t.conf:5: key_rotation must be whole seconds from 60s to 2592000s (30 days; \"24h\" a day) or \"never\", not \"721h\"" },
	{ HA "  key_rotation: 1d\n", "t.conf:5: key_rotation must be whole seconds" },
	{ HA "  key_rotation: 59s\n", "t.conf:5: key_rotation must be whole seconds" },
	{ HA "  key_rotation: 2592001\n", "t.conf:5: key_rotation must be whole seconds" },
	{ HA "  key_rotation: 90500ms\n", "t.conf:5: key_rotation must be whole seconds" },
	{ HA "  key_rotation: [never]\n", "t.conf:5: key_rotation must be a single value" },
	{ HA "  sync_wait: 3601s\n",
	  "t.conf:5: sync_wait must be a time from 0ms to 3600000ms (\"2s\", \"500ms\"), not \"3601s\"" },
	{ HA "  sync_wait: never\n", "t.conf:5: sync_wait must be a time from 0ms" },
	{ HA "  sync_wait: -1s\n", "t.conf:5: sync_wait must be a time from 0ms" },
	{ HA "  sync_wait: {s: 1}\n", "t.conf:5: sync_wait must be a single value" },
	{ HA "  port: 7441\n",
	  "t.conf:4: ha needs nodes (1 to 256 servicing nodes, \"- name: ...\" items)" },
	{ HA "  nodes: []\n", "t.conf:5: ha needs nodes" },
	{ HA "  nodes: {gw1: 1}\n",
	  "t.conf:5: nodes must be a list (\"- name: ...\" items)" },
	{ HAN "    - {name: gw1, id: 1, sync: 198.51.100.31, backups: [gw2], colour: red}\n",
	  "t.conf:6: unknown key \"colour\" in an ha node" },
	{ HAN "    - [gw1]\n", "t.conf:6: an ha node must be a mapping" },
	{ HAN "    - {id: 1, sync: 198.51.100.31, backups: [gw2]}\n",
	  "t.conf:6: an ha node needs a name, an id, a sync address and backups" },
	{ HAN "    - {name: gw1, sync: 198.51.100.31, backups: [gw2]}\n",
	  "t.conf:6: an ha node needs a name, an id, a sync address and backups" },
	{ HAN "    - {name: gw1, id: 1, address: 198.51.100.21, backups: [gw2]}\n",
	  "t.conf:6: an ha node needs a name, an id, a sync address and backups" },
	{ HAN "    - {name: gw1, id: 1, sync: 198.51.100.31}\n",
	  "t.conf:6: ha node \"gw1\" needs backups (1 to 8 other ha nodes)" },
	{ HAN "    - name: gw1\n      id: 1\n      sync: 198.51.100.31\n      backups: []\n",
	  "t.conf:9: ha node \"gw1\" needs backups (1 to 8 other ha nodes)" },
	{ HAN "    - {name: gw1, id: 1, sync: 198.51.100.31, backups: gw2}\n",
	  "t.conf:6: backups must be a list of ha node names ([gw2, gw3])" },
	{ HAN "    - {name: \"g w\", id: 1, sync: 198.51.100.31, backups: [gw2]}\n",
	  "t.conf:6: an ha node's name may hold printable ASCII characters only, no spaces" },
	{ CTL "nodes: [gw1, gw2, gw3456789012345678901234567890123]\nha:\n  nodes:\n"
	  "    - {name: gw3456789012345678901234567890123, id: 1, sync: 198.51.100.31, backups: [gw2]}\n",
	  "t.conf:6: an ha node's name has 1 to 31 characters (the kernel's HA policy holds no longer one)" },
	{ HAN "    - {name: gw1, id: 1, sync: 224.0.0.5, backups: [gw2]}\n",
	  "t.conf:6: sync address 224.0.0.5 is not unicast (not 0.0.0.0/8, multicast, broadcast, :: nor IPv4-mapped)" },
	{ HAN "    - {name: gw1, id: 1, sync: 198.51.100.31, backups: [gw2],\n"
	  "       address: 0.1.2.3}\n",
	  "t.conf:7: address 0.1.2.3 is not unicast" },
	{ HAN "    - {name: gw1, id: 1, sync: \"2001:db8::31\", backups: [gw2],\n"
	  "       fnat: \"::ffff:192.0.2.1\"}\n",
	  "t.conf:7: fnat address ::ffff:192.0.2.1 is not unicast" },
	{ HAN "    - {name: gw1, id: 1, sync: \"ff02::1\", backups: [gw2]}\n",
	  "t.conf:6: sync address ff02::1 is not unicast" },
	{ HAN "    - {name: gw1, id: 1, sync: 255.255.255.255, backups: [gw2]}\n",
	  "t.conf:6: sync address 255.255.255.255 is not unicast" },
	{ HAN "    - {name: gw9, id: 1, sync: 198.51.100.31, backups: [gw2]}\n",
	  "t.conf:6: ha node \"gw9\" is not one of nodes (the controller's agents)" },
	{ CTL "ha:\n  nodes:\n    - {name: gw1, id: 1, sync: 198.51.100.31, backups: [gw2]}\n",
	  "t.conf:5: ha node \"gw1\" is not one of nodes (the controller's agents)" },
	{ HAN N1 "    - name: gw2\n      id: 2\n      sync: 198.51.100.32\n"
	  "      backups: [gw1]\n    - {name: gw1, id: 3, sync: 198.51.100.33, backups: [gw2]}\n",
	  "t.conf:11: ha node \"gw1\" given twice (first at line 6)" },
	{ HAN N1 "    - {name: gw2, id: 1, sync: 198.51.100.32, backups: [gw1]}\n",
	  "t.conf:7: ha node id 1 given twice (first at line 6)" },
	{ HAN "    - {name: gw1, id: 0, sync: 198.51.100.31, backups: [gw2]}\n",
	  "t.conf:6: id must be a number from 1 to 4294967295, not \"0\"" },
	{ HAN "    - {name: gw1, id: 4294967296, sync: 198.51.100.31, backups: [gw2]}\n",
	  "t.conf:6: id must be a number from 1 to 4294967295, not \"4294967296\"" },
	{ HAN "    - {name: gw1, id: 1, sync: 198.51.100.300, backups: [gw2]}\n",
	  "t.conf:6: invalid sync address \"198.51.100.300\"" },
	{ HAN "    - {name: gw1, id: 1, sync: 198.51.100.31, backups: [gw2],\n"
	  "       address: gw1.example}\n",
	  "t.conf:7: invalid address \"gw1.example\"" },
	{ HAN "    - {name: gw1, id: 1, sync: 198.51.100.31, backups: [gw2],\n"
	  "       fnat: 203.0.113.0/24}\n",
	  "t.conf:7: invalid fnat address \"203.0.113.0/24\"" },
	{ HAN N1 "    - {name: gw2, id: 2, sync: \"2001:db8::32\", backups: [gw1]}\n",
	  "t.conf:7: sync address 2001:db8::32 is IPv6, the first ha node's (line 6) IPv4: one family for all sync addresses" },
	{ HAN N1 "    - {name: gw2, id: 2, sync: 198.51.100.31, backups: [gw1]}\n",
	  "t.conf:7: sync address 198.51.100.31 given twice in ha (first at line 6)" },
	{ HAN "    - {name: gw1, id: 1, sync: 198.51.100.31, address: 198.51.100.21, backups: [gw2]}\n"
	  "    - {name: gw2, id: 2, sync: 198.51.100.32, address: 198.51.100.21, backups: [gw1]}\n",
	  "t.conf:7: address 198.51.100.21 given twice in ha (first at line 6)" },
	{ HAN "    - {name: gw1, id: 1, sync: 198.51.100.31, address: 198.51.100.32, backups: [gw2]}\n"
	  N2, "t.conf:7: address 198.51.100.32 given twice in ha (first at line 6)" },
	{ HAN "    - {name: gw1, id: 1, sync: 198.51.100.31, fnat: 203.0.113.100, backups: [gw2]}\n"
	  "    - {name: gw2, id: 2, sync: 198.51.100.32, fnat: 203.0.113.100, backups: [gw1]}\n",
	  "t.conf:7: fnat address 203.0.113.100 given twice in ha (first at line 6): each node's pool is its own" },
	/* A group with a full NAT node and a later backup of it without an
	 * earlier one: its flows and its address would part at its failure.
	 */
#define HAG(DESTS, FNAT)	CTL "nodes: [gw1, gw2, gw3]\npolicy_sets:\n" \
	"  - name: A\n    groups:\n      - name: g\n        dests: " DESTS "\n" \
	"ha:\n  nodes:\n" \
	"    - {name: gw1, id: 1, sync: 198.51.100.31, " FNAT "backups: [gw2, gw3]}\n" \
	"    - {name: gw2, id: 2, sync: 198.51.100.32, backups: [gw3]}\n" \
	"    - {name: gw3, id: 3, sync: 198.51.100.33, backups: [gw1]}\n"
	{ HAG("[{address: 198.51.100.31, method: ipip}, {address: 198.51.100.33, method: ipip}]",
	      "fnat: 203.0.113.1, "),
	  "t.conf:7: group g of set A has gw1 (full NAT address) and its backup gw3 but not gw2, before gw3 in its backups: at gw1's failure it would send gw1's flows to gw3 while gw2 took its full NAT address (give the group gw2, or put gw3 first)" },
	{ HAN "    - {name: gw1, id: 1, sync: 198.51.100.31, backups: [gw9]}\n" N2,
	  "t.conf:6: backup \"gw9\" of ha node \"gw1\" is not an ha node" },
	{ HAN N1 "    - name: gw2\n      id: 2\n      sync: 198.51.100.32\n"
	  "      backups:\n        - gw1\n        - fwd1\n",
	  "t.conf:12: backup \"fwd1\" of ha node \"gw2\" is not an ha node" },
	{ HAN N1 "    - {name: gw2, id: 2, sync: 198.51.100.32, backups: [gw2]}\n",
	  "t.conf:7: ha node \"gw2\" is its own backup" },
	{ HAN "    - name: gw1\n      id: 1\n      sync: 198.51.100.31\n"
	  "      backups:\n        - gw2\n        - gw2\n" N2,
	  "t.conf:11: backup \"gw2\" given twice for ha node \"gw1\" (first at line 10)" },
	{ HAN "    - {name: gw1, id: 1, sync: 198.51.100.31, backups: [[gw2]]}\n" N2,
	  "t.conf:6: a backup must be a single value" },
	{ HAN "    - name: gw1\n      id: 1\n      sync: 198.51.100.31\n"
	  "      backups: [a, b, c, d, e, f, g, h,\n                i]\n",
	  "t.conf:10: more than 8 backups for ha node \"gw1\"" },
};

static void test_bad(void)
{
	char err[CONF_ERR_MAX];
	struct conf c;
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		int ret;

		err[0] = 0;
		ret = conf_parse("t.conf", b->text, strlen(b->text), &c, err,
				 sizeof(err));
		ok(ret == -1 && !strncmp(err, b->err, strlen(b->err)) &&
		   !c.svc && !c.check && !c.nsvc && !c.pset && !c.npset &&
		   !c.nodes && !c.nnodes && !c.ha.node && !c.ha.nnode &&
		   !c.ha.line,
		   "refused: %s", err[0] ? err : "(accepted)");
		if (!ret)
			conf_free(&c);
	}
}


/* A controller's file, every new key given. */
static const char ctl_good[] =
	"node: ctl\n"					/* 1 */
	"tls:\n"					/* 2 */
	"  ca: /etc/svcgw/ca.crt\n"
	"  cert: /etc/svcgw/ctl.crt\n"
	"  key: /etc/svcgw/ctl.key\n"			/* 5 */
	"listen:\n"					/* 6 */
	"  address: \"2001:db8::1\"\n"
	"  port: 7441\n"
	"heartbeat: 500ms\n"
	"dead_after: 2s\n"				/* 10 */
	"hold_down: 0\n"
	"nodes: [fwd1, fwd2]\n"
	"checks:\n"
	"  lb: {type: tcp, port: 8080}\n"
	"policy_sets:\n"				/* 15 */
	"  - name: B\n"
	"    when:\n"
	"      health: A\n"
	"      min_healthy: 2\n"
	"      min_fraction: 12.5%\n"			/* 20 */
	"    transition: 30\n"
	"    groups:\n"
	"      - name: lbB\n"
	"        table: 4093\n"
	"        check: lb\n"				/* 25 */
	"        dests:\n"
	"          - {address: 198.51.100.21, method: ipip}\n"
	"          - {address: 198.51.100.22, method: gue, gue_port: 6080, weight: 3}\n"
	"    policies:\n"
	"      - {address: 192.0.2.10, port: 80, proto: tcp, from: 203.0.113.0/25, group: lbB}\n" /* 30 */
	"      - {address: 192.0.2.10, group: lbB}\n"
	"  - name: peak.v6\n"
	"    when: {load: 1000, below: 800}\n"
	"    groups:\n"
	"      - {name: lb-6, dests: [{address: \"2001:db8:1::21\", method: ipip, weight: 0}]}\n" /* 35 */
	"    policies:\n"
	"      - {address: \"2001:db8:10::10\", proto: udp, from: \"2001:db8:99::7\", group: lb-6}\n"
	"  - name: night\n"
	"    when: {time: \"22:00-06:00\"}\n"
	"  - name: manual\n"				/* 40 */
	"    when: operator\n"
	"  - name: A\n"
	"    groups:\n"
	"      - name: lbA\n"
	"        dests: [{address: 198.51.100.11, method: ipip}]\n" /* 45 */
	"    policies:\n"
	"      - {address: 192.0.2.10, port: 80, proto: tcp, group: lbA}\n";

/* An agent with a controller, the defaults taken. */
static const char agent_good[] =
	"node: fwd1\n"
	"tls: {ca: /etc/svcgw/ca.crt, cert: /etc/svcgw/fwd1.crt, key: /etc/svcgw/fwd1.key}\n"
	"controller:\n"
	"  address: 192.0.2.1\n"
	"  name: ctl\n"
	"services:\n"
	"  - {address: 192.0.2.20, port: 80, proto: tcp}\n";

static void test_controller(void)
{
	char err[CONF_ERR_MAX] = "";
	const struct conf_pset *ps;
	const struct conf_pgroup *g;
	const struct conf_policy *p;
	uint8_t a4[4], a6[16];
	struct conf c;
	int ret;

	ret = conf_parse("t.conf", ctl_good, strlen(ctl_good), &c, err,
			 sizeof(err));
	ok(!ret, "controller's file parses (%s)", err);
	if (ret)
		return;
	ok(!strcmp(c.node, "ctl") && c.tls.line == 2 &&
	   !strcmp(c.tls.ca, "/etc/svcgw/ca.crt") &&
	   !strcmp(c.tls.cert, "/etc/svcgw/ctl.crt") &&
	   !strcmp(c.tls.key, "/etc/svcgw/ctl.key"), "node and tls");
	inet_pton(AF_INET6, "2001:db8::1", a6);
	ok(c.listen_line == 6 && c.listen.family == AF_INET6 &&
	   c.listen.port == 7441 && !memcmp(c.listen.addr, a6, 16) &&
	   !c.controller.line, "listen: IPv6 address and port, line 6");
	ok(c.heartbeat_ms == 500 && c.dead_after_ms == 2000 &&
	   c.hold_down_ms == 0, "heartbeat, dead_after, hold_down 0");
	ok(c.nnodes == 2 && !strcmp(c.nodes[0], "fwd1") &&
	   !strcmp(c.nodes[1], "fwd2"), "nodes");
	ok(c.npset == 5 && conf_pset_find(&c, "A") == 4 &&
	   conf_pset_find(&c, "B") == 0 && conf_pset_find(&c, "night") == 2 &&
	   conf_pset_find(&c, "b") == -1 && conf_pset_find(&c, "") == -1,
	   "5 sets in order; conf_pset_find");

	ps = &c.pset[0];
	ok(!strcmp(ps->name, "B") && ps->line == 16 &&
	   ps->cond.kind == COND_HEALTH && ps->cond.watch == 4 &&
	   ps->cond.min_healthy == 2 && ps->cond.min_permille == 125 &&
	   ps->has_transition && ps->transition == 30 &&
	   ps->ngroup == 1 && ps->npol == 2,
	   "set B: health of A (named later: index 4), 2 or 12.5%% = 125 permille");
	g = &ps->group[0];
	ok(!strcmp(g->name, "lbB") && g->line == 23 && g->table == 4093 &&
	   g->check == 0 && g->ndest == 2, "group lbB: table, check, line");
	inet_pton(AF_INET, "198.51.100.21", a4);
	ok(g->dest[0].ep.family == AF_INET && !g->dest[0].ep.port &&
	   !memcmp(g->dest[0].ep.addr, a4, 4) &&
	   g->dest[0].method == SVCGW_METHOD_IPIP && g->dest[0].weight == 1 &&
	   !g->dest[0].gue_port && g->dest[0].line == 27,
	   "destination ipip, weight 1 by default, no port");
	ok(g->dest[1].method == SVCGW_METHOD_GUE &&
	   g->dest[1].gue_port == 6080 && g->dest[1].weight == 3 &&
	   g->dest[1].line == 28, "destination gue with its port and weight");
	p = &ps->pol[0];
	inet_pton(AF_INET, "203.0.113.0", a4);
	ok(p->ep.family == AF_INET && p->ep.port == 80 &&
	   p->proto == IPPROTO_TCP && p->has_src && p->plen == 25 &&
	   p->src.family == AF_INET && !p->src.port &&
	   !memcmp(p->src.addr, a4, 4) && !strcmp(p->group, "lbB") &&
	   p->line == 30, "policy: port, proto, client prefix, group");
	p = &ps->pol[1];
	ok(!p->ep.port && !p->proto && !p->has_src && !p->plen &&
	   p->line == 31, "policy of any port, both protocols, any client");

	ps = &c.pset[1];
	ok(!strcmp(ps->name, "peak.v6") && ps->cond.kind == COND_LOAD &&
	   ps->cond.high == 1000 && ps->cond.low == 800 &&
	   !ps->has_transition && ps->ngroup == 1 &&
	   ps->group[0].check == -1 && !ps->group[0].table &&
	   ps->group[0].dest[0].ep.family == AF_INET6 &&
	   ps->group[0].dest[0].weight == 0,
	   "set peak.v6: load 1000 until below 800; IPv6 group, weight 0");
	p = &ps->pol[0];
	ok(p->ep.family == AF_INET6 && !p->ep.port &&
	   p->proto == IPPROTO_UDP && p->has_src && p->plen == 128,
	   "IPv6 policy: proto alone, one client (/128)");
	ps = &c.pset[2];
	ok(ps->cond.kind == COND_TIME && ps->cond.from == 22 * 60 &&
	   ps->cond.to == 6 * 60 && !ps->ngroup && !ps->npol,
	   "set night: 22:00-06:00 = minutes 1320 to 360, no groups");
	ok(c.pset[3].cond.kind == COND_OPERATOR, "set manual: operator");
	ps = &c.pset[4];
	ok(ps->cond.kind == COND_ALWAYS && ps->line == 42 &&
	   ps->ngroup == 1 && ps->npol == 1 && ps->pol[0].line == 47,
	   "set A without when: always (the fallback)");
	conf_free(&c);
	ok(!c.pset && !c.nodes && !c.npset && !c.nnodes, "conf_free empties");

	ret = conf_parse("t.conf", agent_good, strlen(agent_good), &c, err,
			 sizeof(err));
	ok(!ret, "agent's file with a controller parses (%s)", err);
	if (ret)
		return;
	inet_pton(AF_INET, "192.0.2.1", a4);
	ok(c.controller.line == 3 && c.controller.ep.family == AF_INET &&
	   c.controller.ep.port == 7440 &&
	   !memcmp(c.controller.ep.addr, a4, 4) &&
	   !strcmp(c.controller.name, "ctl") && c.tls.line == 2 &&
	   !strcmp(c.tls.key, "/etc/svcgw/fwd1.key") && !c.listen_line &&
	   c.nsvc == 1, "controller: address, port 7440 by default, name");
	ok(c.heartbeat_ms == 1000 && c.dead_after_ms == 3000 &&
	   c.hold_down_ms == 10000 && !c.npset && !c.nnodes && !c.pset,
	   "no controller keys: their defaults, no sets");
	conf_free(&c);
}

/* The metrics endpoint: off by default, its port 9477 unless given. */
static void test_metrics(void)
{
	static const char *const texts[] = {
		"node: a\n",
		"node: a\nmetrics: {address: 127.0.0.1}\n",
		"node: a\nmetrics:\n  address: \"2001:db8::1\"\n  port: 9100\n",
	};
	char err[CONF_ERR_MAX] = "";
	struct conf c;
	int r[3];
	bool good[3];
	size_t i;

	for (i = 0; i < 3; i++) {
		r[i] = conf_parse("t.conf", texts[i], strlen(texts[i]), &c, err,
				  sizeof(err));
		good[i] = !r[i] && (i == 0 ? !c.metrics_line :
			  i == 1 ? c.metrics_line == 2 &&
				   c.metrics.family == AF_INET &&
				   c.metrics.port == 9477 :
			  c.metrics_line == 2 && c.metrics.family == AF_INET6 &&
			  c.metrics.port == 9100);
		if (!r[i])
			conf_free(&c);
	}
	ok(good[0] && good[1] && good[2],
	   "metrics: none by default; an address with port 9477; IPv6 with its port (%s)",
	   err);
}

/* The announcement: off by default, "when: any" unless told. */
static void test_announce(void)
{
	static const char *const texts[] = {
		"node: a\n",
		"node: a\nannounce: {interface: vips}\n",
		"node: a\nannounce:\n  when: all\n  interface: lo\n",
		"node: a\nannounce: {interface: v, hold: 0}\n"
		"checks:\n  a: {type: tcp, port: 80, interval: 3s}\n",
		"node: a\nannounce: {interface: v}\nchecks:\n"
		"  a: {type: tcp, port: 80, interval: 3s}\n"
		"  b: {type: tcp, port: 80, interval: 500ms}\n",
	};
	char err[CONF_ERR_MAX] = "";
	struct conf c;
	bool good[5];
	size_t i;

	for (i = 0; i < 5; i++) {
		int r = conf_parse("t.conf", texts[i], strlen(texts[i]), &c,
				   err, sizeof(err));

		good[i] = !r && (i == 0 ? !c.announce_line :
			  i == 1 ? c.announce_line == 2 &&
				   !strcmp(c.announce_if, "vips") &&
				   !c.announce_all && !c.announce_hold_ms :
			  i == 2 ? c.announce_line == 2 &&
				   !strcmp(c.announce_if, "lo") &&
				   c.announce_all :
			  i == 3 ? c.has_announce_hold && !c.announce_hold_ms :
			  !c.has_announce_hold && c.announce_hold_ms == 3000);
		if (!r)
			conf_free(&c);
	}
	ok(good[0] && good[1] && good[2],
	   "announce: none by default; an interface, when any; when all (%s)",
	   err);
	ok(good[1] && good[3] && good[4],
	   "  hold: 0 without checks, the longest check interval unless given (%s)",
	   err);
}

/* Defaults of a controller, a set watching itself, a dead_after derived
 * from the heartbeat.
 */
static void test_controller_defaults(void)
{
	static const char text[] =
		"tls: {ca: a, cert: b, key: c}\n"
		"listen: {address: 192.0.2.1}\n"
		"heartbeat: 2\n"
		"policy_sets:\n"
		"  - name: only\n"
		"    when: {health: only, min_fraction: 100%}\n"
		"    groups: [{name: g, dests: [{address: 198.51.100.1, method: ipip}]}]\n"
		"  - name: low\n"
		"    when: {load: 7}\n";
	char err[CONF_ERR_MAX] = "";
	struct conf c;
	int ret;

	ret = conf_parse("t.conf", text, strlen(text), &c, err, sizeof(err));
	ok(!ret && c.listen_line == 2 && c.listen.port == 7440 &&
	   c.heartbeat_ms == 2000 && c.dead_after_ms == 6000 &&
	   c.hold_down_ms == 10000 && !c.nnodes && c.npset == 2 &&
	   c.pset[0].cond.watch == 0 && c.pset[0].cond.min_permille == 1000 &&
	   !c.pset[0].cond.min_healthy && c.pset[1].cond.high == 7 &&
	   c.pset[1].cond.low == 7,
	   "defaults: port 7440, dead_after 3 heartbeats, hold_down 10 s; a set watching itself; below = load (%s)",
	   err);
	if (!ret)
		conf_free(&c);
}

/* A controller's HA policy, every key given; nodes named after ha. */
static const char ha_good[] =
	"tls: {ca: a, cert: b, key: c}\n"		/* 1 */
	"listen: {address: 192.0.2.1}\n"
	"ha:\n"
	"  port: 7442\n"
	"  key_rotation: 3600s\n"			/* 5 */
	"  nodes:\n"
	"    - name: gw1\n"
	"      id: 1\n"
	"      sync: 198.51.100.31\n"
	"      address: 198.51.100.21\n"		/* 10 */
	"      backups: [gw3, gw2]\n"
	"      fnat: 203.0.113.100\n"
	"    - name: gw2\n"
	"      id: 4294967295\n"
	"      sync: 198.51.100.32\n"			/* 15 */
	"      address: \"2001:db8::22\"\n"
	"      backups: [gw1]\n"
	"      fnat: \"2001:db8:f::2\"\n"
	"    - {name: gw3, id: 7, sync: 198.51.100.33, backups: [gw1, gw2]}\n"
	"  sync_wait: 2500ms\n"				/* 20 */
	"nodes: [fwd1, gw3, gw2, gw1]\n";

static bool is_addr(const struct endpoint *ep, int family, const char *s)
{
	uint8_t a[16] = { 0 };

	return ep->family == family && !ep->port &&
	       inet_pton(family, s, a) == 1 &&
	       !memcmp(ep->addr, a, family == AF_INET ? 4 : 16);
}

static void test_ha(void)
{
	static const char defaults[] =
		"tls: {ca: a, cert: b, key: c}\n"
		"listen: {address: 192.0.2.1}\n"
		"nodes: [a, b]\n"
		"ha:\n"
		"  nodes:\n"
		"    - {name: b, id: 2, sync: \"2001:db8::2\", backups: [a]}\n"
		"    - {name: a, id: 1, sync: \"2001:db8::1\", address: 198.51.100.1,\n"
		"       backups: [b]}\n";
	static const struct {
		const char *text;
		uint32_t s;
	} rotations[] = {
		{ "never", 0 }, { "60", 60 }, { "60000ms", 60 },
		{ "2592000s", 2592000 }, { "86400", 86400 }, { "24h", 86400 },
		{ "10m", 600 }, { "720h", 2592000 },
	};
	char err[CONF_ERR_MAX] = "", text[512];
	const struct conf_ha_node *n;
	struct conf c;
	size_t i;
	int ret;

	ret = conf_parse("t.conf", ha_good, strlen(ha_good), &c, err,
			 sizeof(err));
	ok(!ret, "controller's file with ha parses (%s)", err);
	if (ret)
		return;
	ok(c.ha.line == 3 && c.ha.port == 7442 && c.ha.key_rotation_s == 3600 &&
	   c.ha.sync_wait_ms == 2500 && c.ha.nnode == 3 && c.nnodes == 4,
	   "ha: line 3, port, key_rotation 3600s, sync_wait 2500ms, 3 of the 4 nodes (fwd1 a forwarder)");
	ok(conf_ha_find(&c, "gw1") == 0 && conf_ha_find(&c, "gw2") == 1 &&
	   conf_ha_find(&c, "gw3") == 2 && conf_ha_find(&c, "fwd1") == -1 &&
	   conf_ha_find(&c, "") == -1, "conf_ha_find: in order; a forwarder is none");
	n = &c.ha.node[0];
	ok(!strcmp(n->name, "gw1") && n->line == 7 && n->node == 3 &&
	   n->id == 1 && is_addr(&n->sync, AF_INET, "198.51.100.31") &&
	   is_addr(&n->addr, AF_INET, "198.51.100.21") && n->has_fnat &&
	   is_addr(&n->fnat, AF_INET, "203.0.113.100"),
	   "gw1: line 7, nodes index 3 (nodes given after ha), id, sync, address, fnat");
	ok(n->nbackup == 2 && n->backup[0] == 2 && n->backup[1] == 1,
	   "gw1: backups gw3 (named before it is read), gw2, in order");
	n = &c.ha.node[1];
	ok(!strcmp(n->name, "gw2") && n->line == 13 && n->node == 2 &&
	   n->id == 4294967295u && is_addr(&n->sync, AF_INET, "198.51.100.32") &&
	   is_addr(&n->addr, AF_INET6, "2001:db8::22") && n->has_fnat &&
	   is_addr(&n->fnat, AF_INET6, "2001:db8:f::2") && n->nbackup == 1 &&
	   n->backup[0] == 0,
	   "gw2: id 2^32-1, an IPv6 address beside an IPv4 sync, an IPv6 fnat");
	n = &c.ha.node[2];
	ok(!strcmp(n->name, "gw3") && n->line == 19 && n->node == 1 &&
	   n->id == 7 && is_addr(&n->addr, AF_INET, "198.51.100.33") &&
	   !n->has_fnat && n->nbackup == 2 && n->backup[0] == 0 &&
	   n->backup[1] == 1, "gw3: address the sync's by default, no fnat");
	conf_free(&c);
	ok(!c.ha.node && !c.ha.nnode && !c.ha.line, "conf_free empties ha");

	ret = conf_parse("t.conf", defaults, strlen(defaults), &c, err,
			 sizeof(err));
	ok(!ret && c.ha.line == 4 && c.ha.port == 7441 &&
	   c.ha.key_rotation_s == 86400 && c.ha.sync_wait_ms == 30000 &&
	   c.ha.nnode == 2 &&
	   c.ha.node[0].sync.family == AF_INET6 && c.ha.node[0].node == 1 &&
	   is_addr(&c.ha.node[0].addr, AF_INET6, "2001:db8::2") &&
	   is_addr(&c.ha.node[1].addr, AF_INET, "198.51.100.1") &&
	   c.ha.node[0].backup[0] == 1 && c.ha.node[1].backup[0] == 0 &&
	   !c.ha.node[0].has_fnat,
	   "ha defaults: port 7441, key rotation a day, sync_wait 30 s; IPv6 sync addresses (%s)",
	   err);
	if (!ret)
		conf_free(&c);

	for (i = 0; i < sizeof(rotations) / sizeof(rotations[0]); i++) {
		snprintf(text, sizeof(text), "%s  key_rotation: %s\n", defaults,
			 rotations[i].text);
		ret = conf_parse("t.conf", text, strlen(text), &c, err,
				 sizeof(err));
		ok(!ret && c.ha.key_rotation_s == rotations[i].s,
		   "key_rotation: %s is %u s (%s)", rotations[i].text,
		   rotations[i].s, ret ? err : "");
		if (!ret)
			conf_free(&c);
	}
	snprintf(text, sizeof(text), "%s  sync_wait: 0\n", defaults);
	ret = conf_parse("t.conf", text, strlen(text), &c, err, sizeof(err));
	ok(!ret && c.ha.sync_wait_ms == 0, "sync_wait: 0 (no barrier) (%s)",
	   ret ? err : "");
	if (!ret)
		conf_free(&c);
	snprintf(text, sizeof(text), "%s  sync_wait: 1h\n", defaults);
	ret = conf_parse("t.conf", text, strlen(text), &c, err, sizeof(err));
	ok(!ret && c.ha.sync_wait_ms == 3600000, "sync_wait: 1h, the most (%s)",
	   ret ? err : "");
	if (!ret)
		conf_free(&c);

	{
		static const char *const agree[] = {
			/* the first backup only: a prefix of gw1's list */
			HAG("[{address: 198.51.100.31, method: ipip}, {address: 198.51.100.32, method: ipip}]",
			    "fnat: 203.0.113.1, "),
			/* no full NAT address: no address to part from */
			HAG("[{address: 198.51.100.31, method: ipip}, {address: 198.51.100.33, method: ipip}]", ""),
			/* gw1 not in the group */
			HAG("[{address: 198.51.100.32, method: ipip}, {address: 198.51.100.33, method: ipip}]",
			    "fnat: 203.0.113.1, "),
		};

		for (i = 0; i < sizeof(agree) / sizeof(agree[0]); i++) {
			ret = conf_parse("t.conf", agree[i], strlen(agree[i]),
					 &c, err, sizeof(err));
			ok(!ret, "a group that agrees with the backups' order (%zu) accepted (%s)",
			   i, ret ? err : "");
			if (!ret)
				conf_free(&c);
		}
	}
	ret = conf_parse("t.conf", ctl_good, strlen(ctl_good), &c, err,
			 sizeof(err));
	ok(!ret && !c.ha.line && !c.ha.nnode && !c.ha.node,
	   "a controller's file without ha: none");
	if (!ret)
		conf_free(&c);
}

/* A file of @n items under @key, to exceed a limit; the error on the
 * line of the first item too many.
 */
static void test_limit(const char *what, const char *head,
		       const char *item, size_t n, const char *expect)
{
	size_t hl = strlen(head), il = strlen(item), i;
	char err[CONF_ERR_MAX] = "", *text = malloc(hl + n * (il + 16) + 1);
	struct conf c;
	int ret;
	size_t len;

	if (!text) {
		ok(0, "%s: out of memory", what);
		return;
	}
	memcpy(text, head, hl);
	len = hl;
	for (i = 0; i < n; i++)
		len += sprintf(text + len, item, (unsigned int)i);
	ret = conf_parse("t.conf", text, len, &c, err, sizeof(err));
	ok(ret == -1 && !strncmp(err, expect, strlen(expect)) && !c.pset &&
	   !c.nodes, "%s refused: %s", what, err[0] ? err : "(accepted)");
	if (!ret)
		conf_free(&c);
	free(text);
}

static void test_limits(void)
{
	/* 2 lines of head, one a node / set / destination. */
	test_limit("257 nodes", TLS "listen: {address: 192.0.2.1}\nnodes:\n",
		   "  - n%u\n", CONF_NODES_MAX + 1, "t.conf:260: more than 256 nodes");
	test_limit("17 policy sets",
		   TLS "listen: {address: 192.0.2.1}\npolicy_sets:\n",
		   "  - name: s%u\n", COND_SETS_MAX + 1,
		   "t.conf:20: more than 16 policy sets");
	test_limit("1025 destinations",
		   TLS "listen: {address: 192.0.2.1}\npolicy_sets:\n"
		   "  - name: s\n    groups:\n      - name: g\n        dests:\n",
		   "          - {address: \"2001:db8::%x\", method: ipip}\n",
		   SVCGW_SERVERS_MAX + 1,
		   "t.conf:1032: more than 1024 destinations in group \"g\"");
	test_limit("257 ha nodes",
		   TLS "listen: {address: 192.0.2.1}\nha:\n  nodes:\n",
		   "    - {name: n%u}\n", CONF_NODES_MAX + 1,
		   "t.conf:261: more than 256 ha nodes");
}

/* Every file of examples/ (or of $SVCGWD_EXAMPLES) parses. */
static void test_examples(void)
{
	const char *dir = getenv("SVCGWD_EXAMPLES");
	bool ctl = false, fwd = false;
	char err[CONF_ERR_MAX], path[512];
	struct dirent *e;
	struct conf c;
	size_t n = 0, len;
	DIR *d;

	if (!dir)
		dir = "examples";
	d = opendir(dir);
	ok(d != NULL, "examples in %s/", dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".conf"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		err[0] = 0;
		n++;
		if (conf_load(path, &c, err, sizeof(err))) {
			ok(0, "%s parses: %s", path, err);
			continue;
		}
		ok(1, "%s parses", path);
		if (!strcmp(e->d_name, "controller.conf"))
			ctl = c.listen_line && c.tls.line && c.nnodes &&
			      c.npset >= 2 &&
			      c.pset[c.npset - 1].cond.kind == COND_ALWAYS &&
			      c.ha.nnode >= 2;
		if (!strcmp(e->d_name, "forwarder.conf"))
			fwd = c.controller.line && c.tls.line && !c.listen_line;
		conf_free(&c);
	}
	closedir(d);
	ok(n >= 3 && ctl && fwd,
	   "%zu examples; controller.conf a controller's with a fallback set and ha, forwarder.conf an agent's with a controller",
	   n);
}

/* A file that cannot be read: an error naming it, and a model that
 * conf_free() takes as it is (svcgwd's reload frees it whatever failed).
 */
static void test_missing(void)
{
	char err[CONF_ERR_MAX] = "";
	struct conf c;

	memset(&c, 0xa5, sizeof(c));
	ok(conf_load("/nonexistent/svcgwd.conf", &c, err, sizeof(err)) &&
	   !strcmp(err, "/nonexistent/svcgwd.conf: No such file or directory"),
	   "a missing file: %s", err);
	ok(!c.file && !c.nsvc && !c.svc && !c.npset,
	   "  and its model is empty, safe to free");
	conf_free(&c);
}

int main(void)
{
	test_good();
	test_bad();
	test_controller();
	test_controller_defaults();
	test_metrics();
	test_announce();
	test_ha();
	test_limits();
	test_examples();
	test_missing();
	return tap_done();
}
