// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: host unit tests of parse.c, printed as TAP.
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/svcgw.h>

#include "parse.h"
#include "tap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct ep_case {
	const char *in;
	int err;
	const char *out;	/* format_ep() of the result */
};

static const struct ep_case service_cases[] = {
	{ "192.0.2.10:80",		PARSE_OK, "192.0.2.10:80" },
	{ "0.0.0.0:1",			PARSE_OK, "0.0.0.0:1" },
	{ "255.255.255.255:65535",	PARSE_OK, "255.255.255.255:65535" },
	{ "192.0.2.10:080",		PARSE_OK, "192.0.2.10:80" },
	{ "[2001:db8::10]:80",		PARSE_OK, "[2001:db8::10]:80" },
	{ "[2001:DB8:0:0::10]:443",	PARSE_OK, "[2001:db8::10]:443" },
	{ "[::ffff:192.0.2.1]:53",	PARSE_OK, "[::ffff:192.0.2.1]:53" },
	{ "[::]:1",			PARSE_OK, "[::]:1" },
	{ "192.0.2.10",			PARSE_NOPORT, NULL },
	{ "[2001:db8::10]",		PARSE_NOPORT, NULL },
	{ "2001:db8::10",		PARSE_NOPORT, NULL },
	{ "192.0.2.10:0",		PARSE_PORT, NULL },
	{ "192.0.2.10:65536",		PARSE_PORT, NULL },
	{ "192.0.2.10:",		PARSE_PORT, NULL },
	{ "192.0.2.10:8o",		PARSE_PORT, NULL },
	{ "192.0.2.10:+80",		PARSE_PORT, NULL },
	{ "192.0.2.10:-1",		PARSE_PORT, NULL },
	{ "192.0.2.10: 80",		PARSE_PORT, NULL },
	{ "192.0.2.10:0x50",		PARSE_PORT, NULL },
	{ "192.0.2.10:99999999999999999999", PARSE_PORT, NULL },
	{ "[2001:db8::10]:",		PARSE_PORT, NULL },
	{ "[2001:db8::10]:0",		PARSE_PORT, NULL },
	{ "300.1.1.1:80",		PARSE_ADDR, NULL },
	{ "1.2.3:80",			PARSE_ADDR, NULL },
	{ "1.2.3.4.5:80",		PARSE_ADDR, NULL },
	{ "01.2.3.4:80",		PARSE_ADDR, NULL },
	{ "localhost:80",		PARSE_ADDR, NULL },
	{ ":80",			PARSE_ADDR, NULL },
	{ "",				PARSE_ADDR, NULL },
	{ "[]:80",			PARSE_ADDR, NULL },
	{ "[192.0.2.1]:80",		PARSE_ADDR, NULL },
	{ "[2001:db8::1]80",		PARSE_ADDR, NULL },
	{ "[2001:db8::1",		PARSE_ADDR, NULL },
	{ "2001:db8::1]:80",		PARSE_ADDR, NULL },
	{ "[2001:db8::1%eth0]:80",	PARSE_ADDR, NULL },
	{ "[2001:db8:::1]:80",		PARSE_ADDR, NULL },
	{ "[[2001:db8::1]]:80",		PARSE_ADDR, NULL },
	{ "1.2.3.4:80:90",		PARSE_ADDR, NULL },
	{ " 1.2.3.4:80",		PARSE_ADDR, NULL },
	{ "1.2.3.4 :80",		PARSE_ADDR, NULL },
	{ "[0000:0000:0000:0000:0000:0000:0000:0000:0000]:80", PARSE_ADDR, NULL },
};

static const struct ep_case server_cases[] = {
	{ "198.51.100.1",		PARSE_OK, "198.51.100.1:0" },
	{ "198.51.100.1:8080",		PARSE_OK, "198.51.100.1:8080" },
	{ "198.51.100.1:0",		PARSE_OK, "198.51.100.1:0" },
	{ "2001:db8::1",		PARSE_OK, "[2001:db8::1]:0" },
	{ "::1",			PARSE_OK, "[::1]:0" },
	{ "[2001:db8::1]",		PARSE_OK, "[2001:db8::1]:0" },
	{ "[2001:db8::1]:8080",		PARSE_OK, "[2001:db8::1]:8080" },
	{ "[2001:db8::1]:0",		PARSE_OK, "[2001:db8::1]:0" },
	/* a valid IPv6 address, not an address and a port */
	{ "2001:db8::1:8080",		PARSE_OK, "[2001:db8::1:8080]:0" },
	{ "198.51.100.1:65536",		PARSE_PORT, NULL },
	{ "198.51.100.1:",		PARSE_PORT, NULL },
	{ "[2001:db8::1]:",		PARSE_PORT, NULL },
	{ "[2001:db8::1]:x",		PARSE_PORT, NULL },
	{ "300.1.1.1",			PARSE_ADDR, NULL },
	{ "2001:db8:::1",		PARSE_ADDR, NULL },
	{ "[198.51.100.1]",		PARSE_ADDR, NULL },
	{ "[2001:db8::1]x",		PARSE_ADDR, NULL },
	{ "server1",			PARSE_ADDR, NULL },
	{ "",				PARSE_ADDR, NULL },
};

static void test_eps(const char *name, const struct ep_case *c, size_t n,
		     int (*parse)(const char *, struct endpoint *))
{
	char buf[EP_STRLEN];
	struct endpoint ep;
	bool good;
	int err;

	for (; n--; c++) {
		err = parse(c->in, &ep);
		good = err == c->err;
		if (good && !err)
			good = !strcmp(format_ep(&ep, buf, sizeof(buf)),
				       c->out);
		ok(good, "%s \"%s\" -> %d%s%s", name, c->in, c->err,
		   c->out ? " " : "", c->out ? c->out : "");
	}
}

static void test_ep_fields(void)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
	static const uint8_t v4[4] = { 192, 0, 2, 10 };
	struct endpoint ep;

	ok(!parse_service_ep("192.0.2.10:8080", &ep) && ep.family == AF_INET &&
	   ep.port == 8080 && !memcmp(ep.addr, v4, 4),
	   "service IPv4 fields, address in network order");
	ok(!parse_service_ep("[2001:db8::10]:443", &ep) &&
	   ep.family == AF_INET6 && ep.port == 443 && !memcmp(ep.addr, v6, 16),
	   "service IPv6 fields, address in network order");
	ok(!parse_server_ep("2001:db8::10", &ep) && ep.family == AF_INET6 &&
	   ep.port == 0 && !memcmp(ep.addr, v6, 16),
	   "bare IPv6 server has port 0");
	ok(addr_len(AF_INET) == 4 && addr_len(AF_INET6) == 16 &&
	   addr_len(AF_UNSPEC) == 0, "addr_len");
}

static void test_u32(void)
{
	static const struct {
		const char *in;
		int err;
		uint32_t val;
	} c[] = {
		{ "0", PARSE_OK, 0 },
		{ "1021", PARSE_OK, 1021 },
		{ "00010", PARSE_OK, 10 },
		{ "4294967295", PARSE_OK, UINT32_MAX },
		{ "4294967296", PARSE_INVAL, 0 },
		{ "99999999999999999999999", PARSE_INVAL, 0 },
		{ "", PARSE_INVAL, 0 },
		{ "-1", PARSE_INVAL, 0 },
		{ "+1", PARSE_INVAL, 0 },
		{ " 1", PARSE_INVAL, 0 },
		{ "1 ", PARSE_INVAL, 0 },
		{ "0x10", PARSE_INVAL, 0 },
		{ "1e3", PARSE_INVAL, 0 },
		{ "ten", PARSE_INVAL, 0 },
	};
	uint32_t val;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		val = 12345;
		err = parse_u32(c[i].in, &val);
		ok(err == c[i].err && (err || val == c[i].val),
		   "u32 \"%s\" -> %d", c[i].in, c[i].err);
	}
}

static void test_names(void)
{
	char buf[NUM_STRLEN];
	uint8_t v;

	ok(!parse_proto("tcp", &v) && v == IPPROTO_TCP, "proto tcp");
	ok(!parse_proto("udp", &v) && v == IPPROTO_UDP, "proto udp");
	ok(parse_proto("TCP", &v) == PARSE_INVAL, "proto TCP refused");
	ok(parse_proto("icmp", &v) == PARSE_INVAL, "proto icmp refused");
	ok(parse_proto("6", &v) == PARSE_INVAL, "proto 6 refused");
	ok(parse_proto("", &v) == PARSE_INVAL, "empty proto refused");
	ok(!parse_mode("stateless", &v) && v == SVCGW_MODE_STATELESS,
	   "mode stateless");
	ok(!parse_mode("stateful", &v) && v == SVCGW_MODE_STATEFUL,
	   "mode stateful");
	ok(!parse_mode("hybrid", &v) && v == SVCGW_MODE_HYBRID,
	   "mode hybrid");
	ok(parse_mode("state", &v) == PARSE_INVAL, "mode state refused");
	ok(parse_mode("Hybrid", &v) == PARSE_INVAL, "mode Hybrid refused");
	ok(parse_mode("3", &v) == PARSE_INVAL, "mode 3 refused");

	ok(!strcmp(proto_str(IPPROTO_TCP, buf, sizeof(buf)), "tcp") &&
	   !strcmp(proto_str(IPPROTO_UDP, buf, sizeof(buf)), "udp") &&
	   !strcmp(proto_str(132, buf, sizeof(buf)), "132"), "proto_str");
	ok(!strcmp(mode_str(SVCGW_MODE_STATELESS, buf, sizeof(buf)),
		   "stateless") &&
	   !strcmp(mode_str(SVCGW_MODE_STATEFUL, buf, sizeof(buf)),
		   "stateful") &&
	   !strcmp(mode_str(SVCGW_MODE_HYBRID, buf, sizeof(buf)),
		   "hybrid") &&
	   !strcmp(mode_str(0, buf, sizeof(buf)), "0"), "mode_str");
	ok(!strcmp(state_str(SVCGW_SESS_NONE, buf, sizeof(buf)), "none") &&
	   !strcmp(state_str(SVCGW_SESS_TCP_SYN_SENT, buf, sizeof(buf)),
		   "syn_sent") &&
	   !strcmp(state_str(SVCGW_SESS_TCP_SYN_RECV, buf, sizeof(buf)),
		   "syn_recv") &&
	   !strcmp(state_str(SVCGW_SESS_TCP_ESTABLISHED, buf, sizeof(buf)),
		   "established") &&
	   !strcmp(state_str(SVCGW_SESS_TCP_FIN_WAIT, buf, sizeof(buf)),
		   "fin_wait") &&
	   !strcmp(state_str(SVCGW_SESS_TCP_CLOSE, buf, sizeof(buf)),
		   "close") &&
	   !strcmp(state_str(SVCGW_SESS_UDP, buf, sizeof(buf)), "udp") &&
	   !strcmp(state_str(SVCGW_SESS_MAX + 1, buf, sizeof(buf)), "7"),
	   "state_str");
}

/* The settings of service set and server set. */
static void test_settings(void)
{
	char buf[NUM_STRLEN];
	uint8_t v;

	ok(!parse_onoff("on", &v) && v == 1, "stateful on");
	ok(!parse_onoff("off", &v) && v == 0, "stateful off");
	v = 7;
	ok(parse_onoff("yes", &v) == PARSE_INVAL && v == 7,
	   "stateful yes refused, value untouched");
	ok(parse_onoff("1", &v) == PARSE_INVAL, "stateful 1 refused");
	ok(parse_onoff("ON", &v) == PARSE_INVAL, "stateful ON refused");
	ok(parse_onoff("", &v) == PARSE_INVAL, "empty on/off refused");

	ok(!parse_down_policy("reschedule", &v) && v == SVCGW_DOWN_RESCHEDULE,
	   "down-policy reschedule");
	ok(!parse_down_policy("expire", &v) && v == SVCGW_DOWN_EXPIRE,
	   "down-policy expire");
	ok(parse_down_policy("drop", &v) == PARSE_INVAL,
	   "down-policy drop refused");
	ok(parse_down_policy("0", &v) == PARSE_INVAL,
	   "down-policy 0 refused");

	{
		struct endpoint fn;

		ok(!parse_fullnat("198.51.100.1", &fn) && fn.family == AF_INET &&
		   !fn.port, "fullnat IPv4 address");
		ok(!parse_fullnat("2001:db8:2::1", &fn) && fn.family == AF_INET6,
		   "fullnat IPv6 address");
		ok(!parse_fullnat("off", &fn) && fn.family == 0, "fullnat off");
		ok(parse_fullnat("198.51.100.1:80", &fn) != PARSE_OK,
		   "fullnat with a port refused");
		ok(parse_fullnat("[2001:db8::1]:80", &fn) != PARSE_OK,
		   "fullnat IPv6 with a port refused");
		ok(parse_fullnat("gateway", &fn) != PARSE_OK,
		   "fullnat name refused");
	}

	ok(!parse_server_state("active", &v) && v == SVCGW_SERVER_ACTIVE,
	   "server state active");
	ok(!parse_server_state("draining", &v) && v == SVCGW_SERVER_DRAINING,
	   "server state draining");
	ok(!parse_server_state("down", &v) && v == SVCGW_SERVER_DOWN,
	   "server state down");
	ok(parse_server_state("drain", &v) == PARSE_INVAL,
	   "server state drain refused");
	ok(parse_server_state("up", &v) == PARSE_INVAL,
	   "server state up refused");

	ok(!strcmp(svc_state_str(0, buf, sizeof(buf)), "stateless") &&
	   !strcmp(svc_state_str(1, buf, sizeof(buf)), "stateful") &&
	   !strcmp(svc_state_str(2, buf, sizeof(buf)), "2"), "svc_state_str");
	ok(!strcmp(reason_str(SVCGW_REASON_NONE, buf, sizeof(buf)), "none") &&
	   !strcmp(reason_str(SVCGW_REASON_OPERATOR, buf, sizeof(buf)),
		   "operator") &&
	   !strcmp(reason_str(SVCGW_REASON_TRANSITION, buf, sizeof(buf)),
		   "transition") &&
	   !strcmp(reason_str(SVCGW_REASON_PRESSURE, buf, sizeof(buf)),
		   "pressure") &&
	   !strcmp(reason_str(SVCGW_REASON_SHARED, buf, sizeof(buf)),
		   "shared") &&
	   !strcmp(reason_str(9, buf, sizeof(buf)), "9"), "reason_str");
	ok(!strcmp(down_policy_str(SVCGW_DOWN_RESCHEDULE, buf, sizeof(buf)),
		   "reschedule") &&
	   !strcmp(down_policy_str(SVCGW_DOWN_EXPIRE, buf, sizeof(buf)),
		   "expire") &&
	   !strcmp(down_policy_str(2, buf, sizeof(buf)), "2"),
	   "down_policy_str");
	ok(!strcmp(server_state_str(SVCGW_SERVER_ACTIVE, buf, sizeof(buf)),
		   "active") &&
	   !strcmp(server_state_str(SVCGW_SERVER_DRAINING, buf, sizeof(buf)),
		   "draining") &&
	   !strcmp(server_state_str(SVCGW_SERVER_DOWN, buf, sizeof(buf)),
		   "down") &&
	   !strcmp(server_state_str(3, buf, sizeof(buf)), "3"),
	   "server_state_str");
}

/* Servers' methods and encapsulation sources. */
static void test_encap(void)
{
	static const uint8_t v4[4] = { 198, 51, 100, 1 };
	char buf[NUM_STRLEN];
	struct endpoint ep;
	uint16_t port;
	uint8_t v;

	ok(!parse_method("nat", &v) && v == SVCGW_METHOD_NAT, "method nat");
	ok(!parse_method("ipip", &v) && v == SVCGW_METHOD_IPIP, "method ipip");
	ok(!parse_method("gue", &v) && v == SVCGW_METHOD_GUE, "method gue");
	v = 7;
	ok(parse_method("vxlan", &v) == PARSE_INVAL && v == 7,
	   "method vxlan refused, value untouched");
	ok(parse_method("GUE", &v) == PARSE_INVAL, "method GUE refused");
	ok(parse_method("1", &v) == PARSE_INVAL, "method 1 refused");
	ok(parse_method("", &v) == PARSE_INVAL, "empty method refused");
	ok(!strcmp(method_str(SVCGW_METHOD_NAT, buf, sizeof(buf)), "nat") &&
	   !strcmp(method_str(SVCGW_METHOD_IPIP, buf, sizeof(buf)), "ipip") &&
	   !strcmp(method_str(SVCGW_METHOD_GUE, buf, sizeof(buf)), "gue") &&
	   !strcmp(method_str(SVCGW_METHOD_MAX + 1, buf, sizeof(buf)), "3"),
	   "method_str");

	ok(!parse_gue_port("6080", &port) && port == 6080, "gue-port 6080");
	ok(!parse_gue_port("1", &port) && port == 1, "gue-port 1");
	ok(!parse_gue_port("65535", &port) && port == 65535,
	   "gue-port 65535");
	ok(parse_gue_port("0", &port) == PARSE_PORT, "gue-port 0 refused");
	ok(parse_gue_port("65536", &port) == PARSE_PORT,
	   "gue-port 65536 refused");
	ok(parse_gue_port("-1", &port) == PARSE_PORT, "gue-port -1 refused");
	ok(parse_gue_port("0x17c0", &port) == PARSE_PORT,
	   "gue-port 0x17c0 refused");
	ok(parse_gue_port("", &port) == PARSE_PORT, "empty gue-port refused");

	ok(!method_error(false, 0, false), "no method, no gue-port");
	ok(!method_error(true, SVCGW_METHOD_NAT, false), "method nat alone");
	ok(!method_error(true, SVCGW_METHOD_IPIP, false), "method ipip alone");
	ok(!method_error(true, SVCGW_METHOD_GUE, true),
	   "method gue with a gue-port");
	ok(method_error(true, SVCGW_METHOD_GUE, false) &&
	   strstr(method_error(true, SVCGW_METHOD_GUE, false), "needs"),
	   "method gue without a gue-port refused");
	ok(method_error(false, 0, true) != NULL,
	   "gue-port without a method refused");
	ok(method_error(true, SVCGW_METHOD_NAT, true) != NULL,
	   "gue-port with method nat refused");
	ok(method_error(true, SVCGW_METHOD_IPIP, true) != NULL,
	   "gue-port with method ipip refused");

	ok(!parse_encap_src("198.51.100.1", &ep) && ep.family == AF_INET &&
	   !ep.port && !memcmp(ep.addr, v4, 4), "encap-src IPv4 address");
	ok(!parse_encap_src("2001:db8:2::1", &ep) && ep.family == AF_INET6,
	   "encap-src IPv6 address");
	ok(!parse_encap_src("[2001:db8:2::1]", &ep) && ep.family == AF_INET6,
	   "encap-src IPv6 address in brackets");
	ep.family = AF_INET;
	ok(!parse_encap_src("off", &ep) && ep.family == 0,
	   "encap-src off (family 0: an empty attribute)");
	ok(parse_encap_src("198.51.100.1:80", &ep) == PARSE_ADDR,
	   "encap-src with a port refused");
	ok(parse_encap_src("[2001:db8::1]:80", &ep) == PARSE_ADDR,
	   "encap-src IPv6 with a port refused");
	ok(parse_encap_src("198.51.100.1:0", &ep) == PARSE_ADDR,
	   "encap-src with port 0 refused");
	ok(parse_encap_src("OFF", &ep) == PARSE_ADDR, "encap-src OFF refused");
	ok(parse_encap_src("", &ep) == PARSE_ADDR, "empty encap-src refused");

	/* config set encap-src4 / encap-src6 */
	ok(!parse_host_addr("0.0.0.0", AF_INET, &ep) && ep.family == AF_INET,
	   "encap-src4 0.0.0.0");
	ok(!parse_host_addr("198.51.100.1", AF_INET, &ep) &&
	   !memcmp(ep.addr, v4, 4), "encap-src4 address");
	ok(!parse_host_addr("::", AF_INET6, &ep) && ep.family == AF_INET6,
	   "encap-src6 ::");
	ok(parse_host_addr("2001:db8::1", AF_INET, &ep) == PARSE_FAMILY,
	   "encap-src4 IPv6 refused");
	ok(parse_host_addr("198.51.100.1", AF_INET6, &ep) == PARSE_FAMILY,
	   "encap-src6 IPv4 refused");
	ok(parse_host_addr("off", AF_INET, &ep) == PARSE_ADDR,
	   "encap-src4 off refused");
	ok(parse_host_addr("198.51.100.1:0", AF_INET, &ep) == PARSE_ADDR,
	   "encap-src4 with a port refused");
}

static void test_format(void)
{
	struct endpoint ep = { .family = AF_INET6, .port = 80 };
	char buf[EP_STRLEN];

	ok(!strcmp(format_addr(&ep, buf, sizeof(buf)), "::"),
	   "format_addr IPv6 any");
	ok(!strcmp(format_ep(&ep, buf, sizeof(buf)), "[::]:80"),
	   "format_ep IPv6 in brackets");
	ep.family = AF_INET;
	ok(!strcmp(format_ep(&ep, buf, sizeof(buf)), "0.0.0.0:80"),
	   "format_ep IPv4");
}

/* split_line() of @in (copied) is the words of @want, "|"-separated. */
static bool split_is(const char *in, int max, const char *want)
{
	char line[256], joined[256] = "", *argv[8];
	int argc, i;

	snprintf(line, sizeof(line), "%s", in);
	argc = split_line(line, argv, max);
	if (argc < 0)
		return !want;
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(joined, "|");
		strcat(joined, argv[i]);
	}
	return want && !strcmp(joined, want);
}

static void test_split(void)
{
	ok(split_is("service add 192.0.2.10:80 proto tcp\n", 8,
		    "service|add|192.0.2.10:80|proto|tcp"), "split a line");
	ok(split_is("  server\tadd  x  \r\n", 8, "server|add|x"),
	   "split: blanks, tabs and CR LF");
	ok(split_is("", 8, "") && split_is("\n", 8, "") &&
	   split_is("   \t \r\n", 8, ""), "split: blank lines have no word");
	ok(split_is("# a comment", 8, "") && split_is("   #x y", 8, ""),
	   "split: comment lines have no word");
	ok(split_is("flush # all of it", 8, "flush"),
	   "split: a comment ends the line");
	ok(split_is("a#b c", 8, "a#b|c"),
	   "split: # inside a word is part of it");
	ok(split_is("a b c", 3, "a|b|c") && split_is("a b c d", 3, NULL),
	   "split: more words than room refused");
	ok(split_is("a b c   ", 3, "a|b|c"),
	   "split: trailing blanks at the limit are fine");
}

/*
 * split_line_rest() of @in (copied) with lead "set" and keyword "reason":
 * the words of @want, "|"-separated, and the rest @rest (NULL: none).
 */
static bool rest_is(const char *in, int max, const char *want,
		    const char *rest)
{
	char line[512], joined[512] = "", *argv[8], *r;
	int argc, i;

	snprintf(line, sizeof(line), "%s", in);
	argc = split_line_rest(line, argv, max, "set", "reason", &r);
	if (argc < 0)
		return !want;
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(joined, "|");
		strcat(joined, argv[i]);
	}
	if (!want || strcmp(joined, want))
		return false;
	return rest ? r && !strcmp(r, rest) : !r;
}

static void test_split_rest(void)
{
	ok(rest_is("set b generation 7 reason 1 of 3 destinations of set A healthy, fewer than 2\n",
		   8, "set|b|generation|7",
		   "1 of 3 destinations of set A healthy, fewer than 2"),
	   "rest: the set line's reason is the rest of the line");
	ok(rest_is("set b reason  x  y\t \r\n", 8, "set|b", "x  y"),
	   "rest: blanks inside kept, around it and the line end dropped");
	ok(rest_is("set b reason see #42 # and this", 8, "set|b",
		   "see #42 # and this") &&
	   rest_is("set b reason #1", 8, "set|b", "#1"),
	   "rest: '#' in the reason is text, not a comment");
	ok(rest_is("set b transition 5 reason", 8, "set|b|transition|5", "") &&
	   rest_is("set b reason   \n", 8, "set|b", ""),
	   "rest: reason with nothing after it: empty");
	ok(rest_is("set b reason a b c d e f g h i j k l", 3, "set|b",
		   "a b c d e f g h i j k l"),
	   "rest: the reason's words do not count against the limit");
	ok(rest_is("set reason transition 5", 8, "set|reason|transition|5",
		   NULL),
	   "rest: a set named reason is a name, not the keyword");
	ok(rest_is("set b transition reason", 8, "set|b|transition|reason",
		   NULL),
	   "rest: reason as a value is a value");
	ok(rest_is("set b generation 7 reasons x", 8,
		   "set|b|generation|7|reasons|x", NULL),
	   "rest: only the whole word reason");
	ok(rest_is("group g reason x", 8, "group|g|reason|x", NULL) &&
	   rest_is("policy 192.0.2.10 reason x", 8,
		   "policy|192.0.2.10|reason|x", NULL),
	   "rest: other lines have no rest");
	ok(rest_is("set b # reason x", 8, "set|b", NULL) &&
	   rest_is("# set b reason x", 8, "", NULL),
	   "rest: a comment before the keyword hides it");
	ok(rest_is("set b x y z reason r", 4, NULL, NULL),
	   "rest: too many words before the keyword refused");
}

static void test_find_object(void)
{
	/* A service at 20 with servers at 60 and 100, one at 140... */
	static const uint32_t start[] = { 20, 60, 100, 140, 200 };

	ok(find_object_at(start, 5, 0) == -1 &&
	   find_object_at(start, 5, 19) == -1, "find_object_at: before all");
	ok(find_object_at(start, 5, 20) == 0 &&
	   find_object_at(start, 5, 59) == 0, "find_object_at: first object");
	ok(find_object_at(start, 5, 60) == 1 &&
	   find_object_at(start, 5, 104) == 2 &&
	   find_object_at(start, 5, 140) == 3, "find_object_at: middle");
	ok(find_object_at(start, 5, 200) == 4 &&
	   find_object_at(start, 5, 100000) == 4, "find_object_at: last");
	ok(find_object_at(start, 0, 5) == -1, "find_object_at: no object");
}

int main(void)
{
	test_eps("service", service_cases, ARRAY_SIZE(service_cases),
		 parse_service_ep);
	test_eps("server", server_cases, ARRAY_SIZE(server_cases),
		 parse_server_ep);
	test_ep_fields();
	test_u32();
	test_names();
	test_settings();
	test_encap();
	test_format();
	test_split();
	test_split_rest();
	test_find_object();
	return tap_done();
}
