// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of svcgwd's configuration file (conf.c): what a good
 * file gives, and every class of error with its line.
 */
#include <string.h>
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
		   !c.svc && !c.check && !c.nsvc,
		   "refused: %s", err[0] ? err : "(accepted)");
		if (!ret)
			conf_free(&c);
	}
}

int main(void)
{
	test_good();
	test_bad();
	return tap_done();
}
