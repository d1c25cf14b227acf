// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of hamsg.c: the controller's "ha" message made from a
 * file's ha section, the keys and a generation, read back by the agent
 * into the policy it sends the kernel; every refusal; no key in any
 * message the code writes; keys, generations, node notices.  TAP.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hamsg.h"
#include "hamsg_test.h"
#include "../svcgw/tap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define HEAD	"node: ctl\n" \
		"tls: {ca: ca.crt, cert: ctl.crt, key: ctl.key}\n" \
		"listen: {address: 192.0.2.1}\n" \
		"nodes: [gw1, gw2, gw3, fwd1]\n"

static const char file4[] = HEAD
	"ha:\n"
	"  port: 7500\n"
	"  key_rotation: 1h\n"
	"  nodes:\n"
	"    - {name: gw1, id: 11, sync: 10.7.0.11, address: 198.51.100.11,\n"
	"       backups: [gw2, gw3]}\n"
	"    - {name: gw2, id: 12, sync: 10.7.0.12, backups: [gw3, gw1]}\n"
	"    - {name: gw3, id: 4294967295, sync: 10.7.0.13,\n"
	"       address: \"2001:db8::13\", fnat: 203.0.113.13, backups: [gw1]}\n";

static const char file6[] = HEAD
	"ha:\n"
	"  nodes:\n"
	"    - {name: gw1, id: 1, sync: \"2001:db8:7::1\", backups: [gw2]}\n"
	"    - {name: gw2, id: 2, sync: \"2001:db8:7::2\", fnat: \"2001:db8:f::2\",\n"
	"       backups: [gw1]}\n";

static struct ha_keys keys;
static char hex1[65], hex2[65];

static void load(const char *text, size_t len, struct conf *c)
{
	char err[CONF_ERR_MAX];

	if (conf_parse("t.conf", text, len, c, err, sizeof(err))) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
}

static void set_keys(void)
{
	uint8_t fresh[SVCGW_HA_KEY_LEN];
	size_t i;

	memset(&keys, 0, sizeof(keys));
	for (i = 0; i < sizeof(fresh); i++)
		fresh[i] = 0x5a ^ (i * 37);
	ha_keys_roll(&keys, fresh, 7);
	for (i = 0; i < sizeof(fresh); i++)
		fresh[i] = 0xc3 ^ (i * 11 + 1);
	ha_keys_roll(&keys, fresh, 99);
	for (i = 0; i < SVCGW_HA_KEY_LEN; i++) {
		sprintf(hex1 + 2 * i, "%02x", keys.key[i]);
		sprintf(hex2 + 2 * i, "%02x", keys.prev_key[i]);
	}
}

/* No 8 characters in a row of either key's hex, in either case. */
static bool no_key(const char *s)
{
	const char *hex[] = { hex1, hex2 };
	char w[9], u[9];
	size_t h, i, j;

	for (h = 0; h < 2; h++) {
		for (i = 0; i + 8 <= 64; i++) {
			memcpy(w, hex[h] + i, 8);
			w[8] = 0;
			for (j = 0; j < 9; j++)
				u[j] = w[j] >= 'a' && w[j] <= 'f' ?
				       w[j] - 32 : w[j];
			if (strstr(s, w) || strstr(s, u))
				return false;
		}
	}
	return true;
}

static bool ep_is(const struct endpoint *ep, const char *want)
{
	char buf[EP_STRLEN];

	return !strcmp(format_addr(ep, buf, sizeof(buf)), want);
}

static bool backups_are(const struct ha_node *n, size_t count,
			const uint32_t *want)
{
	return n->nbackup == count &&
	       !memcmp(n->backup, want, count * sizeof(want[0]));
}

/* Encoded, dumped to text and read back as the agent gets it. */
static json_t *wire(json_t *m)
{
	char *s = json_dumps(m, JSON_COMPACT);
	json_t *back;

	back = s ? json_loads(s, 0, NULL) : NULL;
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
	return back;
}

static void test_round_trip(void)
{
	static const uint32_t b1[] = { 12, 4294967295u }, b2[] = { 4294967295u, 11 };
	static const uint32_t b3[] = { 11 };
	struct hamsg_state st[3] = { { 0, 0, false },
				     { SVCGW_HA_STATE_DOWN, 1234567, false },
				     { SVCGW_HA_STATE_UP, 5, true } };
	char err[HAMSG_ERR_MAX], line[256];
	struct ha_policy p;
	struct conf c;
	json_t *m, *w;

	load(file4, sizeof(file4) - 1, &c);
	ok(ha_local_id(&c.ha, "gw2") == 12 && ha_local_id(&c.ha, "fwd1") == 0 &&
	   ha_local_id(&c.ha, "nope") == 0,
	   "local ids: gw2 12, fwd1 (a forwarder) 0");
	m = hamsg_encode(&c.ha, &keys, 1700000000123456ull, 12, st);
	w = wire(m);
	ok(w && !hamsg_decode(w, &p, err, sizeof(err)),
	   "IPv4 sync, both keys, states: decoded (%s)", err);
	ok(!strcmp(json_string_value(json_object_get(m, "type")), "ha") &&
	   p.gen == 1700000000123456ull && p.has_local && p.local == 12 &&
	   p.has_port && p.port == 7500,
	   "  generation, local, port");
	ok(p.key_id == keys.key_id && !memcmp(p.key, keys.key, 32) &&
	   p.has_prev && p.prev_key_id == keys.prev_key_id &&
	   !memcmp(p.prev_key, keys.prev_key, 32) && p.key_id == 8 &&
	   p.prev_key_id == 7,
	   "  key 8 and previous key 7, their bytes");
	ok(p.nnode == 3 && !strcmp(p.node[0].name, "gw1") &&
	   p.node[0].id == 11 && ep_is(&p.node[0].sync, "10.7.0.11") &&
	   p.node[0].has_dest && ep_is(&p.node[0].dest, "198.51.100.11") &&
	   !p.node[0].has_fnat && backups_are(&p.node[0], 2, b1) &&
	   !p.node[0].has_state,
	   "  gw1: id, sync, address, no fnat, backups gw2 then gw3 as ids, no state");
	ok(!strcmp(p.node[1].name, "gw2") && p.node[1].id == 12 &&
	   ep_is(&p.node[1].dest, "10.7.0.12") &&
	   backups_are(&p.node[1], 2, b2) && p.node[1].has_state &&
	   p.node[1].state == SVCGW_HA_STATE_DOWN &&
	   p.node[1].state_gen == 1234567,
	   "  gw2: address its sync address, backups in order, down at 1234567");
	ok(p.node[2].id == 4294967295u && ep_is(&p.node[2].dest, "2001:db8::13") &&
	   p.node[2].has_fnat && ep_is(&p.node[2].fnat, "203.0.113.13") &&
	   backups_are(&p.node[2], 1, b3) &&
	   p.node[2].state == SVCGW_HA_STATE_UP && p.node[2].state_gen == 5 &&
	   p.node[2].held && !p.node[1].held && !p.node[0].held,
	   "  gw3: id 2^32-1, an IPv6 address beside IPv4 sync, fnat, up at 5, held (the others not)");
	{
		struct ha_policy q;
		size_t len;
		char *text = hamsg_test_file(&p, &len);

		ok(text && !ha_file_parse("t.ha", text, len, &q, err,
					  sizeof(err)) &&
		   q.gen == p.gen && q.nnode == 3 &&
		   !memcmp(q.key, p.key, 32),
		   "  as a file of svcgw ha set, its parser (the kernel's refusals) takes it (%s)",
		   err);
		ha_policy_free(&q);
		free(text);
	}
	hamsg_describe(&p, line, sizeof(line));
	ok(!strcmp(line, "generation 1700000000123456 local 12 (gw2) port 7500 key id 8 previous key id 7, 3 nodes"),
	   "  described: %s", line);
	ok(no_key(line), "  the description holds no part of a key");
	ha_policy_free(&p);
	json_decref(w);

	hamsg_wipe(m);
	{
		json_t *k = json_object_get(m, "key");
		json_t *pk = json_object_get(m, "prev_key");
		static const char zero[64];

		ok(json_string_length(k) == 64 && json_string_length(pk) == 64 &&
		   !memcmp(json_string_value(k), zero, 64) &&
		   !memcmp(json_string_value(pk), zero, 64),
		   "hamsg_wipe: both keys' hex zeroed in the message");
	}
	json_decref(m);

	/* A forwarder, no previous key, no states. */
	keys.has_prev = false;
	m = hamsg_encode(&c.ha, &keys, 1, 0, NULL);
	keys.has_prev = true;
	w = wire(m);
	ok(w && !hamsg_decode(w, &p, err, sizeof(err)) && p.local == 0 &&
	   !p.has_prev && p.gen == 1 && !json_object_get(m, "prev_key") &&
	   !json_object_get(m, "prev_key_id") && !p.node[1].has_state,
	   "a forwarder (local 0), no previous key, no state: decoded (%s)", err);
	hamsg_describe(&p, line, sizeof(line));
	ok(!strcmp(line, "generation 1 local 0 (forwarder) port 7500 key id 8, 3 nodes"),
	   "  described: %s", line);
	ha_policy_free(&p);
	json_decref(w);
	hamsg_wipe(m);
	json_decref(m);
	conf_free(&c);

	load(file6, sizeof(file6) - 1, &c);
	m = hamsg_encode(&c.ha, &keys, 42, 2, NULL);
	w = wire(m);
	ok(w && !hamsg_decode(w, &p, err, sizeof(err)) && p.nnode == 2 &&
	   p.port == SVCGW_HA_PORT_DEFAULT &&
	   ep_is(&p.node[0].sync, "2001:db8:7::1") &&
	   ep_is(&p.node[0].dest, "2001:db8:7::1") &&
	   ep_is(&p.node[1].fnat, "2001:db8:f::2") && p.local == 2,
	   "IPv6 sync and fnat, the default port: decoded (%s)", err);
	ha_policy_free(&p);
	json_decref(w);
	hamsg_wipe(m);
	json_decref(m);
	conf_free(&c);
}

/* A change to the good message and the refusal it must get. */
struct bad {
	int node;		/* -1: the message, else nodes[node] */
	const char *member;
	const char *value;	/* JSON; NULL: the member deleted */
	const char *err;	/* the beginning of the message */
};

#define K64	"\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\""
#define K63	"\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeef\""

static const struct bad bads[] = {
	/* missing members */
	{ -1, "generation", NULL, "ha message: generation missing" },
	{ -1, "local", NULL, "ha message: local missing" },
	{ -1, "port", NULL, "ha message: port missing" },
	{ -1, "key_id", NULL, "ha message: key_id missing" },
	{ -1, "key", NULL, "ha message: key missing" },
	{ -1, "nodes", NULL, "ha message: nodes missing" },
	{ -1, "prev_key", NULL, "ha message: prev_key_id without prev_key" },
	{ -1, "prev_key_id", NULL, "ha message: prev_key without prev_key_id" },
	{ 0, "id", NULL, "ha message: nodes[0]: id missing" },
	{ 0, "name", NULL, "ha message: nodes[0]: name missing" },
	{ 1, "sync", NULL, "ha message: nodes[1] (gw2): sync missing" },
	{ 1, "address", NULL, "ha message: nodes[1] (gw2): address missing" },
	{ 2, "backups", NULL, "ha message: nodes[2] (gw3): backups missing" },
	{ 1, "state", NULL, "ha message: nodes[1] (gw2): state_generation without state" },
	{ 1, "held", "true", "ha message: nodes[1] (gw2): held, yet state is not up" },
	{ 1, "held", "1", "ha message: nodes[1] (gw2): held is not true or false" },
	{ 0, "held", "false", "ha message: nodes[0] (gw1): held without state" },
	{ 1, "state_generation", NULL, "ha message: nodes[1] (gw2): state_generation missing" },
	/* wrong types */
	{ -1, "generation", "\"5\"", "ha message: generation is not an integer" },
	{ -1, "generation", "5.0", "ha message: generation is not an integer" },
	{ -1, "local", "true", "ha message: local is not an integer" },
	{ -1, "port", "null", "ha message: port is not an integer" },
	{ -1, "key_id", "[8]", "ha message: key_id is not an integer" },
	{ -1, "key", "123", "ha message: key is not a string" },
	{ -1, "prev_key_id", "\"7\"", "ha message: prev_key_id is not an integer" },
	{ -1, "prev_key", "{}", "ha message: prev_key is not a string" },
	{ -1, "nodes", "{}", "ha message: nodes is not a list" },
	{ 0, "id", "\"11\"", "ha message: nodes[0]: id is not an integer" },
	{ 0, "name", "7", "ha message: nodes[0]: name is not a string" },
	{ 0, "sync", "[]", "ha message: nodes[0] (gw1): sync is not a string" },
	{ 0, "address", "false", "ha message: nodes[0] (gw1): address is not a string" },
	{ 0, "fnat", "1", "ha message: nodes[0] (gw1): fnat is not a string" },
	{ 0, "backups", "12", "ha message: nodes[0] (gw1): backups is not a list" },
	{ 0, "backups", "[\"12\"]", "ha message: nodes[0] (gw1): backup 1 is not an integer" },
	{ 0, "backups", "[12, 1.5]", "ha message: nodes[0] (gw1): backup 2 is not an integer" },
	{ 1, "state", "1", "ha message: nodes[1] (gw2): state is not a string" },
	{ 1, "state_generation", "\"9\"", "ha message: nodes[1] (gw2): state_generation is not an integer" },
	/* ids 0, generations 0, ranges */
	{ -1, "generation", "0", "ha message: generation 0 out of range (1 to 9223372036854775807)" },
	{ -1, "generation", "-1", "ha message: generation -1 out of range" },
	{ -1, "key_id", "0", "ha message: key_id 0 out of range (1 to 4294967295)" },
	{ -1, "key_id", "4294967296", "ha message: key_id 4294967296 out of range" },
	{ -1, "prev_key_id", "0", "ha message: prev_key_id 0 out of range" },
	{ -1, "prev_key_id", "8", "ha message: prev_key_id is key_id (8): two keys, two ids" },
	{ -1, "local", "4294967296", "ha message: local 4294967296 out of range (0 to 4294967295)" },
	{ -1, "local", "13", "ha message: local 13 is no node of the policy" },
	{ -1, "port", "0", "ha message: port 0 out of range (1 to 65535)" },
	{ -1, "port", "65536", "ha message: port 65536 out of range" },
	{ 0, "id", "0", "ha message: nodes[0]: id 0 out of range (1 to 4294967295)" },
	{ 0, "id", "-11", "ha message: nodes[0]: id -11 out of range" },
	{ 2, "id", "12", "ha message: nodes[2] (gw3): id 12 given twice (nodes[1])" },
	{ 1, "state_generation", "0", "ha message: nodes[1] (gw2): state_generation 0 out of range" },
	{ 1, "state", "\"sideways\"", "ha message: nodes[1] (gw2): state is neither up nor down" },
	/* backups */
	{ 0, "backups", "[]", "ha message: nodes[0] (gw1): no backups (1 to 8 node ids)" },
	{ 0, "backups", "[12, 0]", "ha message: nodes[0] (gw1): backup id 0 out of range (1 to 4294967295)" },
	{ 0, "backups", "[4294967296]", "ha message: nodes[0] (gw1): backup id 4294967296 out of range" },
	{ 0, "backups", "[12, 99]", "ha message: nodes[0] (gw1): backup 99 is no node of the policy" },
	{ 2, "backups", "[12, 99]", "ha message: nodes[2] (gw3): backup 99 is no node of the policy" },
	{ 0, "backups", "[12, 11]", "ha message: nodes[0] (gw1): backup 11 is the node itself" },
	{ 0, "backups", "[12, 13, 12]", "ha message: nodes[0] (gw1): backup 12 given twice" },
	{ 0, "backups", "[12, 13, 14, 15, 16, 17, 18, 19, 20]",
	  "ha message: nodes[0] (gw1): 9 backups, more than 8" },
	/* keys */
	{ -1, "key", K63, "ha message: key has 63 characters, 64 hex digits (32 bytes) wanted" },
	{ -1, "key", "\"\"", "ha message: key has 0 characters, 64 hex digits" },
	{ -1, "key", "@key63", "ha message: key has 63 characters" },
	{ -1, "prev_key", "@prev+", "ha message: prev_key has 65 characters" },
	{ -1, "key", "@keyX", "ha message: key: character 41 is not a hex digit" },
	{ 0, "sync", "@prev", "ha message: nodes[0] (gw1): sync is not an IPv4 or IPv6 address" },
	{ 0, "name", "@key", "ha message: nodes[0]: name of 64 bytes" },
	{ 2, "fnat", "@key", "ha message: nodes[2] (gw3): fnat is not an IPv4 or IPv6 address" },
	{ 1, "state", "@prev", "ha message: nodes[1] (gw2): state is neither up nor down" },
	{ -1, "prev_key", K63, "ha message: prev_key has 63 characters" },
	{ -1, "key", "\"0g112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"",
	  "ha message: key: character 2 is not a hex digit" },
	{ -1, "prev_key", "\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeefX\"",
	  "ha message: prev_key: character 64 is not a hex digit" },
	/* names and addresses */
	{ 0, "name", "\"\"", "ha message: nodes[0]: name of 0 bytes (1 to 31 characters)" },
	{ 0, "name", "\"gw345678901234567890123456789012\"",
	  "ha message: nodes[0]: name of 32 bytes (1 to 31 characters)" },
	{ 0, "name", "\"g w\"", "ha message: nodes[0]: name may hold printable ASCII characters only, no spaces" },
	{ 0, "name", "\"g\\u0000w\"", "ha message: nodes[0]: name of 3 bytes" },
	{ 1, "name", "\"gw1\"", "ha message: nodes[1] (gw1): name given twice (nodes[0])" },
	{ 0, "sync", "\"10.7.0.300\"", "ha message: nodes[0] (gw1): sync is not an IPv4 or IPv6 address" },
	{ 0, "sync", "\"10.7.0.11:80\"", "ha message: nodes[0] (gw1): sync is not an IPv4 or IPv6 address" },
	{ 0, "sync", "\"224.0.0.5\"", "ha message: nodes[0] (gw1): sync address is not unicast" },
	{ 0, "address", "\"::\"", "ha message: nodes[0] (gw1): address address is not unicast" },
	{ 2, "fnat", "\"::ffff:10.0.0.1\"", "ha message: nodes[2] (gw3): fnat address is not unicast" },
	{ 1, "sync", "\"2001:db8::12\"",
	  "ha message: nodes[1] (gw2): sync address of another family than nodes[0]'s: one family for all" },
	{ 0, "address", K64, "ha message: nodes[0] (gw1): address is not an IPv4 or IPv6 address" },
};

static json_t *mutate(json_t *good, const struct bad *b)
{
	json_t *m = json_deep_copy(good), *o = m, *v;

	if (b->node >= 0)
		o = json_array_get(json_object_get(m, "nodes"), b->node);
	if (!b->value) {
		json_object_del(o, b->member);
		return m;
	}
	/* The test's own keys where a value names them. */
	if (b->value[0] == '@') {
		char k[70];

		snprintf(k, sizeof(k), "%s",
			 !strncmp(b->value, "@prev", 5) ? hex2 : hex1);
		if (!strcmp(b->value, "@key63"))
			k[63] = 0;
		else if (!strcmp(b->value, "@prev+"))
			strcat(k, "0");
		else if (!strcmp(b->value, "@keyX"))
			k[40] = 'x';
		v = json_string(k);
		explicit_bzero(k, sizeof(k));
	} else {
		v = json_loads(b->value, JSON_DECODE_ANY | JSON_ALLOW_NUL,
			       NULL);
	}
	if (!v) {
		printf("Bail out! bad test value %s\n", b->value);
		exit(1);
	}
	json_object_set_new(o, b->member, v);
	return m;
}

static bool empty(const struct ha_policy *p)
{
	static const struct ha_policy zero;

	return !memcmp(p, &zero, sizeof(zero));
}

static void test_bad(json_t *good)
{
	char err[HAMSG_ERR_MAX];
	struct ha_policy p;
	size_t i, leaks = 0;
	json_t *m;

	for (i = 0; i < ARRAY_SIZE(bads); i++) {
		const struct bad *b = &bads[i];

		if (!b->err)
			continue;
		m = mutate(good, b);
		memset(&p, 0xa5, sizeof(p));
		ok(hamsg_decode(m, &p, err, sizeof(err)) == -1 &&
		   !strncmp(err, b->err, strlen(b->err)) && empty(&p),
		   "%s%s%s %s: refused, the policy empty: %s",
		   b->node >= 0 ? "a node's " : "", b->member,
		   b->value ? " =" : "", b->value ? b->value : "deleted",
		   err);
		if (!no_key(err)) {
			leaks++;
			printf("# a key in: %s\n", err);
		}
		json_decref(m);
	}
	ok(!leaks, "no refusal's message holds 8 hex digits in a row of either key");

	m = json_array();
	ok(hamsg_decode(m, &p, err, sizeof(err)) == -1 &&
	   !strcmp(err, "ha message: not a JSON object") && empty(&p),
	   "a list: %s", err);
	json_decref(m);

	m = json_deep_copy(good);
	json_array_set_new(json_object_get(m, "nodes"), 1, json_string("gw2"));
	ok(hamsg_decode(m, &p, err, sizeof(err)) == -1 &&
	   !strcmp(err, "ha message: nodes[1]: not an object") && empty(&p),
	   "a node not an object: %s", err);
	json_decref(m);

	m = json_deep_copy(good);
	json_array_clear(json_object_get(m, "nodes"));
	ok(hamsg_decode(m, &p, err, sizeof(err)) == -1 &&
	   !strcmp(err, "ha message: 0 nodes (1 to 256)") && empty(&p),
	   "no node: %s", err);
	json_decref(m);

	/* 257 nodes, every one good but for their number. */
	m = json_deep_copy(good);
	{
		json_t *nodes = json_object_get(m, "nodes"), *n;

		for (i = 3; i < 257; i++) {
			char name[16], addr[32];

			n = json_deep_copy(json_array_get(nodes, 1));
			snprintf(name, sizeof(name), "n%zu", i);
			snprintf(addr, sizeof(addr), "10.8.%zu.%zu", i / 200,
				 i % 200 + 1);
			json_object_set_new(n, "id", json_integer(1000 + i));
			json_object_set_new(n, "name", json_string(name));
			json_object_set_new(n, "sync", json_string(addr));
			json_array_append_new(nodes, n);
		}
		ok(json_array_size(nodes) == 257 &&
		   hamsg_decode(m, &p, err, sizeof(err)) == -1 &&
		   !strcmp(err, "ha message: 257 nodes (1 to 256)") && empty(&p),
		   "257 nodes: %s", err);
		json_array_remove(nodes, 256);
		ok(!hamsg_decode(m, &p, err, sizeof(err)) && p.nnode == 256,
		   "256 of them: decoded (%s)", err);
		ha_policy_free(&p);
	}
	json_decref(m);

	/* Nothing but the members it knows matters. */
	m = json_deep_copy(good);
	json_object_set_new(m, "colour", json_string("red"));
	json_object_set_new(json_array_get(json_object_get(m, "nodes"), 0),
			    "weight", json_integer(3));
	ok(!hamsg_decode(m, &p, err, sizeof(err)) && p.nnode == 3,
	   "members it does not know: ignored (%s)", err);
	ha_policy_free(&p);
	json_decref(m);

	ok(hamsg_decode(good, &p, err, 0) == 0, "no room for a message: still decoded");
	ha_policy_free(&p);
	m = json_deep_copy(good);
	json_object_del(m, "key");
	ok(hamsg_decode(m, &p, err, 12) == -1 && strlen(err) == 11,
	   "a short error buffer: cut, NUL-terminated (\"%s\")", err);
	json_decref(m);
}

static void test_notice(json_t *good)
{
	char err[HAMSG_ERR_MAX];
	struct ha_notice n;
	struct ha_policy p;
	json_t *m;

	if (hamsg_decode(good, &p, err, sizeof(err))) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
	m = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "type", "node", "name",
		      "gw3", "state", "down", "generation", (json_int_t)9,
		      "ha_generation", (json_int_t)1700000000000001ll, "why",
		      "silent");
	ok(hamsg_notice(m, &p, &n, err, sizeof(err)) == 1 &&
	   n.id == 4294967295u && n.state == SVCGW_HA_STATE_DOWN &&
	   n.gen == 1700000000000001ull,
	   "a notice of gw3 down: its id, DOWN, the HA generation");
	json_object_set_new(m, "state", json_string("up"));
	ok(hamsg_notice(m, &p, &n, err, sizeof(err)) == 1 &&
	   n.state == SVCGW_HA_STATE_UP, "  up: UP");
	json_object_set_new(m, "name", json_string("fwd1"));
	ok(hamsg_notice(m, &p, &n, err, sizeof(err)) == 0,
	   "a notice of a node not in the policy (a forwarder): none");
	json_object_set_new(m, "name", json_string("gw3"));
	json_object_set_new(m, "ha_generation", json_integer(0));
	ok(hamsg_notice(m, &p, &n, err, sizeof(err)) == -1 &&
	   !strcmp(err, "ha message: node notice: ha_generation 0 out of range (1 to 9223372036854775807)"),
	   "HA generation 0: %s", err);
	json_object_set_new(m, "ha_generation", json_integer(3));
	json_object_set_new(m, "state", json_string("gone"));
	ok(hamsg_notice(m, &p, &n, err, sizeof(err)) == -1 &&
	   !strcmp(err, "ha message: node notice: state is neither up nor down"),
	   "state gone: %s", err);
	json_object_del(m, "name");
	ok(hamsg_notice(m, &p, &n, err, sizeof(err)) == -1 &&
	   !strcmp(err, "ha message: node notice: name missing"),
	   "no name: %s", err);
	json_object_del(m, "ha_generation");
	ok(hamsg_notice(m, &p, &n, err, sizeof(err)) == 0,
	   "a notice without an HA generation (a controller without ha): none");
	json_decref(m);
	ha_policy_free(&p);
}

static void test_keys_gens(void)
{
	uint8_t fresh[SVCGW_HA_KEY_LEN], copy[SVCGW_HA_KEY_LEN];
	static const uint8_t zero[SVCGW_HA_KEY_LEN];
	struct ha_keys k;

	memset(&k, 0, sizeof(k));
	memset(fresh, 0x11, sizeof(fresh));
	ha_keys_roll(&k, fresh, 0xfffffffe);
	ok(k.key_id == 0xfffffffe && !k.has_prev && k.key[5] == 0x11 &&
	   !memcmp(fresh, zero, sizeof(zero)),
	   "the first key: the first id, no previous one, the fresh bytes wiped");
	memset(fresh, 0x22, sizeof(fresh));
	memcpy(copy, k.key, sizeof(copy));
	ha_keys_roll(&k, fresh, 5);
	ok(k.key_id == 0xffffffff && k.has_prev && k.prev_key_id == 0xfffffffe &&
	   !memcmp(k.prev_key, copy, sizeof(copy)) && k.key[0] == 0x22,
	   "rotated: id + 1, the current key the previous one");
	memset(fresh, 0x33, sizeof(fresh));
	ha_keys_roll(&k, fresh, 5);
	ok(k.key_id == 1 && k.prev_key_id == 0xffffffff,
	   "from 2^32-1 the next id is 1 (0 skipped)");
	ha_keys_drop_prev(&k);
	ok(!k.has_prev && !k.prev_key_id && !memcmp(k.prev_key, zero, 32) &&
	   k.key_id == 1, "the rollover ended: the previous key gone, wiped");
	memset(&k, 0, sizeof(k));
	memset(fresh, 0x44, sizeof(fresh));
	ha_keys_roll(&k, fresh, 0);
	ok(k.key_id == 1, "a first id of 0 is taken as 1");
	ha_keys_wipe(&k);
	ok(!k.key_id && !memcmp(k.key, zero, 32), "wiped");

	ok(ha_gen_next(0, 1700000000000000ull) == 1700000000000000ull,
	   "generation: the wall clock's microseconds on a fresh start");
	ok(ha_gen_next(1700000000000009ull, 1700000000000000ull) ==
	   1700000000000010ull,
	   "  the last + 1 when the clock is behind it (went back, or within a microsecond)");
	ok(ha_gen_next(41, 0) == 42, "  the last + 1 without a clock");
	ok(ha_gen_next(UINT64_MAX, 5) == INT64_MAX &&
	   ha_gen_next(1, UINT64_MAX) == 2,
	   "  never above what JSON carries (2^63-1)");
}

static void test_same(void)
{
	static const char *const changes[][2] = {
		{ "port: 7500", "port: 7501" },
		{ "key_rotation: 1h", "key_rotation: 2h" },
		{ "backups: [gw2, gw3]", "backups: [gw3, gw2]" },
		{ "id: 11", "id: 14" },
		{ "sync: 10.7.0.12", "sync: 10.7.0.22" },
		{ "address: 198.51.100.11", "address: 198.51.100.21" },
		{ "fnat: 203.0.113.13", "fnat: 203.0.113.14" },
		{ "address: \"2001:db8::13\", fnat: 203.0.113.13,",
		  "address: \"2001:db8::13\"," },
	};
	struct conf a, b;
	char text[2048];
	size_t i;

	load(file4, sizeof(file4) - 1, &a);
	load(file4, sizeof(file4) - 1, &b);
	ok(conf_ha_same(&a.ha, &b.ha), "the same file: the same ha");
	conf_free(&b);
	for (i = 0; i < ARRAY_SIZE(changes); i++) {
		const char *at = strstr(file4, changes[i][0]);
		size_t pre = at - file4;

		snprintf(text, sizeof(text), "%.*s%s%s", (int)pre, file4,
			 changes[i][1], at + strlen(changes[i][0]));
		load(text, strlen(text), &b);
		ok(!conf_ha_same(&a.ha, &b.ha) && !conf_ha_same(&b.ha, &a.ha),
		   "%s -> %s: changed", changes[i][0], changes[i][1]);
		conf_free(&b);
	}
	load(file6, sizeof(file6) - 1, &b);
	ok(!conf_ha_same(&a.ha, &b.ha), "another set of nodes: changed");
	conf_free(&b);
	load(HEAD, strlen(HEAD), &b);
	ok(!conf_ha_same(&a.ha, &b.ha) && !conf_ha_same(&b.ha, &a.ha),
	   "ha gone: changed");
	conf_free(&b);
	conf_free(&a);
}

int main(void)
{
	struct hamsg_state st[3] = { { 0, 0, false }, { SVCGW_HA_STATE_DOWN, 3, false },
				     { 0, 0, false } };
	struct conf c;
	json_t *good;

	set_keys();
	test_round_trip();
	load(file4, sizeof(file4) - 1, &c);
	good = hamsg_encode(&c.ha, &keys, 77, 11, st);
	if (!good) {
		printf("Bail out! no memory\n");
		return 1;
	}
	test_bad(good);
	test_notice(good);
	hamsg_wipe(good);
	json_decref(good);
	conf_free(&c);
	test_keys_gens();
	test_same();
	ha_keys_wipe(&keys);
	return tap_done();
}
