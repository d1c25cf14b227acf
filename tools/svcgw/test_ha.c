// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: host unit tests of hafile.c (the file of "svcgw ha set" and the
 * words of "svcgw ha node"), printed as TAP.  No netlink: test_hamsg.c
 * checks the messages.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/svcgw.h>

#include "hafile.h"
#include "tap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define KEY_A	"000102030405060708090a0b0c0d0e0f" \
		"101112131415161718191A1B1C1D1E1F"
#define KEY_B	"ffeeddccbbaa99887766554433221100" \
		"0123456789abcdef0123456789ABCDEF"
#define HA	"ha generation 1 key 1 " KEY_A "\n"
#define N1	"node a id 1 sync 192.0.2.1 backups 2\n"
#define N2	"node b id 2 sync 192.0.2.2 backups 1\n"

static int parse(const char *text, struct ha_policy *p, char *err)
{
	return ha_file_parse("t.ha", text, strlen(text), p, err, HA_ERR_MAX);
}

static bool ep_is(const struct endpoint *ep, const char *want)
{
	char buf[EP_STRLEN];

	return ep->port == 0 &&
	       !strcmp(format_addr(ep, buf, sizeof(buf)), want);
}

static bool backups_are(const struct ha_node *n, size_t count, ...)
{
	uint32_t want[SVCGW_HA_BACKUPS_MAX];
	va_list ap;
	size_t i;

	va_start(ap, count);
	for (i = 0; i < count; i++)
		want[i] = va_arg(ap, unsigned int);
	va_end(ap);
	return n->nbackup == count &&
	       !memcmp(n->backup, want, count * sizeof(want[0]));
}

/* Every word of both lines, IPv6, CR LF, comments, blanks, tabs. */
static void test_good(void)
{
	static const uint8_t key_a[32] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
		0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
		0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	};
	static const uint8_t key_b[32] = {
		0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88,
		0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	};
	static const char text[] =
		"# the HA policy of site A\r\n"
		"\n"
		"   \t\n"
		"ha prev-key 6 " KEY_B " port 7442 key 7 " KEY_A
		"\tlocal 42 generation 18446744073709551615 # max\r\n"
		"# the nodes\n"
		"node lb1 id 42 sync 2001:db8::1 backups 7,4294967295,9\n"
		"node lb2 backups 42 fnat 198.51.100.2 dest [2001:db8:5::2] "
		"sync [2001:db8::2] id 7\n"
		"node lb3-with-a-name-of-31-chars id 4294967295 sync 2001:db8::3 "
		"dest 192.0.2.3 backups 9,42,7,100,101,102,103,104\n"
		"node x id 9 sync 2001:db8::9 fnat 1.0.0.0 dest 223.255.255.255 backups 42\n"
		"node n100 id 100 sync 2001:db8::100 backups 9\n"
		"node n101 id 101 sync 2001:db8::101 backups 9\n"
		"node n102 id 102 sync 2001:db8::102 backups 9\n"
		"node n103 id 103 sync 2001:db8::103 backups 9\n"
		"node n104 id 104 sync 2001:db8::104 backups 9";	/* no LF */
	char err[HA_ERR_MAX];
	struct ha_policy p;
	const struct ha_node *n;

	ok(!parse(text, &p, err), "good file read");
	if (err[0])
		printf("# %s\n", err);
	ok(p.line == 4 && p.gen == UINT64_MAX, "ha line 4, generation 2^64-1");
	ok(p.has_local && p.local == 42, "local 42");
	ok(p.has_port && p.port == 7442, "port 7442");
	ok(p.key_id == 7 && !memcmp(p.key, key_a, 32),
	   "key 7, 32 bytes, either case of hex");
	ok(p.has_prev && p.prev_key_id == 6 && !memcmp(p.prev_key, key_b, 32),
	   "prev-key 6, 32 bytes");
	ok(p.nnode == 9, "9 nodes");
	n = &p.node[0];
	ok(!strcmp(n->name, "lb1") && n->id == 42 && n->line == 6 &&
	   n->sync.family == AF_INET6 && ep_is(&n->sync, "2001:db8::1") &&
	   !n->has_dest && !n->has_fnat &&
	   backups_are(n, 3, 7, 4294967295u, 9),
	   "node lb1: id, line, IPv6 sync, no dest nor fnat, backups in order (named later)");
	n = &p.node[1];
	ok(!strcmp(n->name, "lb2") && n->id == 7 && n->line == 7 &&
	   ep_is(&n->sync, "2001:db8::2") && n->has_dest &&
	   n->dest.family == AF_INET6 && ep_is(&n->dest, "2001:db8:5::2") &&
	   n->has_fnat && n->fnat.family == AF_INET &&
	   ep_is(&n->fnat, "198.51.100.2") && backups_are(n, 1, 42),
	   "node lb2: keywords in any order, bracketed IPv6, IPv4 fnat");
	n = &p.node[2];
	ok(!strcmp(n->name, "lb3-with-a-name-of-31-chars") &&
	   n->id == 4294967295u && n->has_dest &&
	   n->dest.family == AF_INET && ep_is(&n->dest, "192.0.2.3") &&
	   backups_are(n, 8, 9, 42, 7, 100, 101, 102, 103, 104),
	   "node of a 31-character name, id 2^32-1, IPv4 dest, 8 backups");
	n = &p.node[3];
	ok(!strcmp(n->name, "x") && ep_is(&n->fnat, "1.0.0.0") &&
	   ep_is(&n->dest, "223.255.255.255"),
	   "unicast at the edges: 1.0.0.0, 223.255.255.255");
	ok(p.node[8].line == 14 && p.node[8].id == 104,
	   "last line without LF read");
	ok(ha_find_node(&p, 9) == &p.node[3] && !ha_find_node(&p, 8),
	   "ha_find_node");
	ha_policy_free(&p);
	ok(!p.node && !p.nnode && !p.key_id && !p.key[0] && !p.key[31],
	   "ha_policy_free empties and wipes");

	ok(!parse(HA N1 N2, &p, err) && p.line == 1 && p.gen == 1 &&
	   !p.has_local && !p.has_port && !p.has_prev && p.nnode == 2 &&
	   p.node[0].line == 2 && p.node[1].line == 3 &&
	   p.node[0].sync.family == AF_INET,
	   "minimal file: no local, port, prev-key; lines counted");
	ha_policy_free(&p);
	ok(!parse("ha generation 1 local 0 key 0 " KEY_A
		  " prev-key 4294967295 " KEY_B "\n" N1 N2, &p, err) &&
	   p.has_local && p.local == 0 && p.key_id == 0 &&
	   p.prev_key_id == 4294967295u,
	   "local 0 (a forwarder), key ids 0 and 2^32-1");
	ha_policy_free(&p);
}

/* 256 nodes, each the backup of the one before. */
static char *many_nodes(int count)
{
	size_t size = 128 + count * 96, n;
	char *text = malloc(size);
	int i;

	if (!text)
		abort();
	n = snprintf(text, size, HA);
	for (i = 1; i <= count; i++)
		n += snprintf(text + n, size - n,
			      "node n%d id %d sync 10.0.%d.%d backups %d\n",
			      i, i, i / 256, i % 256, i % count + 1);
	return text;
}

static void test_limits(void)
{
	char err[HA_ERR_MAX], *text;
	struct ha_policy p;

	text = many_nodes(SVCGW_HA_NODES_MAX);
	ok(!parse(text, &p, err) && p.nnode == SVCGW_HA_NODES_MAX &&
	   p.node[255].id == 256 && p.node[255].backup[0] == 1,
	   "256 nodes taken");
	ha_policy_free(&p);
	free(text);
	text = many_nodes(SVCGW_HA_NODES_MAX + 1);
	ok(parse(text, &p, err) && !strcmp(err, "t.ha:258: more than 256 nodes"),
	   "257 nodes refused at the 257th: %s", err);
	ok(!p.node && !p.nnode, "a refused file leaves the model empty");
	free(text);
}

struct bad {
	const char *text;
	const char *err;
};

static const struct bad bad[] = {
	/* The lines and their order. */
	{ "", "t.ha: no ha line: the policy needs one, first" },
	{ "# nothing\n\n", "t.ha: no ha line: the policy needs one, first" },
	{ N1 HA N2, "t.ha:1: a node line before the ha line: the ha line comes first" },
	{ "# c\n" HA, "t.ha:2: no node line: a policy has 1 to 256 nodes" },
	{ HA N1 HA N2, "t.ha:3: a second ha line (the first at line 1)" },
	{ HA N1 "nodes c id 3\n", "t.ha:3: unknown line \"nodes\": ha or node" },
	{ "HA generation 1\n", "t.ha:1: unknown line \"HA\": ha or node" },
	{ HA "node a id 1 sync 192.0.2.1 backups 2 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4\n",
	  "t.ha:2: unknown keyword \"1\"" },	/* 32 words: not too many */
	{ HA "node a id 1 sync 192.0.2.1 backups 2 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5\n",
	  "t.ha:2: more than 32 words" },
	{ HA N1 "node b id 2\0 sync 192.0.2.2 backups 1\n",
	  "t.ha:3: a NUL byte in the line" },
	/* The ha line. */
	{ "ha key 1 " KEY_A "\n" N1 N2, "t.ha:1: missing \"generation\"" },
	{ "ha generation 1\n" N1 N2, "t.ha:1: missing \"key\"" },
	{ "ha generation 0 key 1 " KEY_A "\n" N1 N2,
	  "t.ha:1: invalid generation \"0\": 1 to 18446744073709551615" },
	{ "ha generation 18446744073709551616 key 1 " KEY_A "\n" N1 N2,
	  "t.ha:1: invalid generation \"18446744073709551616\": 1 to 18446744073709551615" },
	{ "ha generation -1 key 1 " KEY_A "\n" N1 N2,
	  "t.ha:1: invalid generation \"-1\": 1 to 18446744073709551615" },
	{ "ha generation 0x10 key 1 " KEY_A "\n" N1 N2,
	  "t.ha:1: invalid generation \"0x10\": 1 to 18446744073709551615" },
	{ "ha generation 1 generation 2 key 1 " KEY_A "\n" N1 N2,
	  "t.ha:1: \"generation\" given twice" },
	{ "ha generation 1 key 1 " KEY_A " local\n" N1 N2,
	  "t.ha:1: missing value after \"local\"" },
	{ "ha generation 1 key 1 " KEY_A " local a\n" N1 N2,
	  "t.ha:1: invalid local \"a\": 0 to 4294967295" },
	{ "ha generation 1 key 1 " KEY_A " local 4294967296\n" N1 N2,
	  "t.ha:1: invalid local \"4294967296\": 0 to 4294967295" },
	{ "ha generation 1 key 1 " KEY_A " local 3\n" N1 N2,
	  "t.ha:1: local 3 is no node of the file" },
	{ "ha generation 1 key 1 " KEY_A " port 0\n" N1 N2,
	  "t.ha:1: invalid port \"0\": 1 to 65535" },
	{ "ha generation 1 key 1 " KEY_A " port 65536\n" N1 N2,
	  "t.ha:1: invalid port \"65536\": 1 to 65535" },
	{ "ha generation 1 key 1 " KEY_A " port +1\n" N1 N2,
	  "t.ha:1: invalid port \"+1\": 1 to 65535" },
	{ "ha generation 1 key 1 " KEY_A " sync 192.0.2.1\n" N1 N2,
	  "t.ha:1: unknown keyword \"sync\"" },
	{ "ha generation 1 key 1\n" N1 N2,
	  "t.ha:1: \"key\" needs an id and 64 hex digits" },
	{ "ha generation 1 key\n" N1 N2,
	  "t.ha:1: \"key\" needs an id and 64 hex digits" },
	{ "ha generation 1 key x " KEY_A "\n" N1 N2,
	  "t.ha:1: invalid key id \"x\": 0 to 4294967295" },
	{ "ha generation 1 key 1 " KEY_A "0\n" N1 N2,
	  "t.ha:1: key: 65 characters, 64 hex digits (32 bytes) wanted" },
	{ "ha generation 1 key 1 0102\n" N1 N2,
	  "t.ha:1: key: 4 characters, 64 hex digits (32 bytes) wanted" },
	{ "ha generation 1 key 1 0001020304050607g8090a0b0c0d0e0f"
	  "101112131415161718191a1b1c1d1e1f\n" N1 N2,
	  "t.ha:1: key: character 17 is not a hex digit" },
	{ "ha generation 1 key 1 000102030405060708090a0b0c0d0e0f"
	  "101112131415161718191a1b1c1d1e1z\n" N1 N2,
	  "t.ha:1: key: character 64 is not a hex digit" },
	{ "ha generation 1 key 1 0x0102030405060708090a0b0c0d0e0f"
	  "101112131415161718191a1b1c1d1e1f\n" N1 N2,
	  "t.ha:1: key: character 2 is not a hex digit" },
	{ "ha generation 1 key 1 " KEY_A " key 2 " KEY_B "\n" N1 N2,
	  "t.ha:1: \"key\" given twice" },
	{ "ha generation 1 key 1 " KEY_A " prev-key 2 " KEY_B "ff\n" N1 N2,
	  "t.ha:1: prev-key: 66 characters, 64 hex digits (32 bytes) wanted" },
	{ "ha generation 1 key 1 " KEY_A " prev-key 2\n" N1 N2,
	  "t.ha:1: \"prev-key\" needs an id and 64 hex digits" },
	{ "ha generation 1 key 1 " KEY_A " prev-key -2 " KEY_B "\n" N1 N2,
	  "t.ha:1: invalid prev-key id \"-2\": 0 to 4294967295" },
	{ "ha generation 1 key 5 " KEY_A " prev-key 5 " KEY_B "\n" N1 N2,
	  "t.ha:1: prev-key has the id of key (5): two keys, two ids" },
	/* Node lines. */
	{ HA "node\n", "t.ha:2: node needs a name of 1 to 31 characters" },
	{ HA "node abcdefghijabcdefghijabcdefghij12 id 1 sync 192.0.2.1 backups 2\n" N2,
	  "t.ha:2: node needs a name of 1 to 31 characters" },
	{ HA "node a sync 192.0.2.1 backups 2\n" N2, "t.ha:2: missing \"id\"" },
	{ HA "node a id 1 backups 2\n" N2, "t.ha:2: missing \"sync\"" },
	{ HA "node a id 1 sync 192.0.2.1\n" N2, "t.ha:2: missing \"backups\"" },
	{ HA "node a id 0 sync 192.0.2.1 backups 2\n" N2,
	  "t.ha:2: invalid id \"0\": 1 to 4294967295" },
	{ HA "node a id 4294967296 sync 192.0.2.1 backups 2\n" N2,
	  "t.ha:2: invalid id \"4294967296\": 1 to 4294967295" },
	{ HA "node a id one sync 192.0.2.1 backups 2\n" N2,
	  "t.ha:2: invalid id \"one\": 1 to 4294967295" },
	{ HA "node a id 1 id 1 sync 192.0.2.1 backups 2\n" N2,
	  "t.ha:2: \"id\" given twice" },
	{ HA "node a id 1 sync 192.0.2.1 backups 2 weight 3\n" N2,
	  "t.ha:2: unknown keyword \"weight\"" },
	{ HA "node a id 1 sync 192.0.2.1 backups 2 dest\n" N2,
	  "t.ha:2: missing value after \"dest\"" },
	{ HA "node a id 1 sync 300.0.2.1 backups 2\n" N2,
	  "t.ha:2: invalid sync address \"300.0.2.1\"" },
	{ HA "node a id 1 sync 192.0.2.1:7441 backups 2\n" N2,
	  "t.ha:2: invalid sync address \"192.0.2.1:7441\"" },
	{ HA "node a id 1 sync lb1.example backups 2\n" N2,
	  "t.ha:2: invalid sync address \"lb1.example\"" },
	{ HA "node a id 1 sync 192.0.2.1 dest [2001:db8::1]:80 backups 2\n" N2,
	  "t.ha:2: invalid dest address \"[2001:db8::1]:80\"" },
	{ HA "node a id 1 sync 192.0.2.1 fnat 2001:db8:::1 backups 2\n" N2,
	  "t.ha:2: invalid fnat address \"2001:db8:::1\"" },
	{ HA "node a id 1 sync 0.0.0.0 backups 2\n" N2,
	  "t.ha:2: invalid sync address \"0.0.0.0\": unicast only, not 0.0.0.0/8, multicast, broadcast, :: nor IPv4-mapped" },
	{ HA "node a id 1 sync 0.1.2.3 backups 2\n" N2,
	  "t.ha:2: invalid sync address \"0.1.2.3\": unicast only, not 0.0.0.0/8, multicast, broadcast, :: nor IPv4-mapped" },
	{ HA "node a id 1 sync 224.0.0.1 backups 2\n" N2,
	  "t.ha:2: invalid sync address \"224.0.0.1\": unicast only, not 0.0.0.0/8, multicast, broadcast, :: nor IPv4-mapped" },
	{ HA "node a id 1 sync 239.255.255.255 backups 2\n" N2,
	  "t.ha:2: invalid sync address \"239.255.255.255\": unicast only, not 0.0.0.0/8, multicast, broadcast, :: nor IPv4-mapped" },
	{ HA "node a id 1 sync 255.255.255.255 backups 2\n" N2,
	  "t.ha:2: invalid sync address \"255.255.255.255\": unicast only, not 0.0.0.0/8, multicast, broadcast, :: nor IPv4-mapped" },
	{ HA "node a id 1 sync 192.0.2.1 dest :: backups 2\n" N2,
	  "t.ha:2: invalid dest address \"::\": unicast only, not 0.0.0.0/8, multicast, broadcast, :: nor IPv4-mapped" },
	{ HA "node a id 1 sync 192.0.2.1 dest ff02::1 backups 2\n" N2,
	  "t.ha:2: invalid dest address \"ff02::1\": unicast only, not 0.0.0.0/8, multicast, broadcast, :: nor IPv4-mapped" },
	{ HA "node a id 1 sync 192.0.2.1 fnat ::ffff:192.0.2.9 backups 2\n" N2,
	  "t.ha:2: invalid fnat address \"::ffff:192.0.2.9\": unicast only, not 0.0.0.0/8, multicast, broadcast, :: nor IPv4-mapped" },
	/* Backups. */
	{ HA "node a id 1 sync 192.0.2.1 backups 2,,3\n" N2,
	  "t.ha:2: invalid backups \"2,,3\": node ids 1 to 4294967295, separated by commas" },
	{ HA "node a id 1 sync 192.0.2.1 backups 2,\n" N2,
	  "t.ha:2: invalid backups \"2,\": node ids 1 to 4294967295, separated by commas" },
	{ HA "node a id 1 sync 192.0.2.1 backups ,2\n" N2,
	  "t.ha:2: invalid backups \",2\": node ids 1 to 4294967295, separated by commas" },
	{ HA "node a id 1 sync 192.0.2.1 backups 0\n" N2,
	  "t.ha:2: invalid backups \"0\": node ids 1 to 4294967295, separated by commas" },
	{ HA "node a id 1 sync 192.0.2.1 backups b\n" N2,
	  "t.ha:2: invalid backups \"b\": node ids 1 to 4294967295, separated by commas" },
	{ HA "node a id 1 sync 192.0.2.1 backups 2;3\n" N2,
	  "t.ha:2: invalid backups \"2;3\": node ids 1 to 4294967295, separated by commas" },
	{ HA "node a id 1 sync 192.0.2.1 backups 99999999999999999999999999,2\n" N2,
	  "t.ha:2: invalid backups \"99999999999999999999999999,2\": node ids 1 to 4294967295, separated by commas" },
	{ HA "node a id 1 sync 192.0.2.1 backups 2,3,4,5,6,7,8,9,10\n" N2,
	  "t.ha:2: more than 8 backups" },
	{ HA "node a id 1 sync 192.0.2.1 backups 2,3,2\n" N2,
	  "t.ha:2: backup 2 given twice" },
	{ HA "node a id 1 sync 192.0.2.1 backups 2,1\n" N2,
	  "t.ha:2: backup 1 is the node itself" },
	{ HA "node a backups 2,1 id 1 sync 192.0.2.1\n" N2,
	  "t.ha:2: backup 1 is the node itself" },
	{ HA N1 N2 "node c id 3 sync 192.0.2.3 backups 1,4\n",
	  "t.ha:4: backup 4 is no node of the file" },
	{ HA "node a id 1 sync 192.0.2.1 backups 5\n" N2,
	  "t.ha:2: backup 5 is no node of the file" },
	/* Between nodes. */
	{ HA N1 "node b id 1 sync 192.0.2.2 backups 2\n",
	  "t.ha:3: id 1 given twice (the first at line 2)" },
	{ HA N1 "node a id 2 sync 192.0.2.2 backups 1\n",
	  "t.ha:3: name \"a\" given twice (the first at line 2)" },
	{ HA N1 "node b id 2 sync 2001:db8::2 backups 1\n",
	  "t.ha:3: sync address of another family than the first node's (line 2): one family for all nodes" },
};

static void test_bad(void)
{
	char err[HA_ERR_MAX];
	struct ha_policy p;
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		len = strlen(bad[i].text);
		/* The NUL case: the text goes on after it. */
		if (strstr(bad[i].err, "NUL"))
			len += 1 + strlen(bad[i].text + len + 1);
		memset(&p, 0x5a, sizeof(p));
		p.node = NULL;
		strcpy(err, "untouched");
		ok(ha_file_parse("t.ha", bad[i].text, len, &p, err,
				 sizeof(err)) == -1 &&
		   !strcmp(err, bad[i].err) && !p.node && !p.nnode &&
		   !p.key[0],
		   "refused: %s", bad[i].err);
		if (strcmp(err, bad[i].err))
			printf("# got: %s\n", err);
	}
	ok(ha_file_parse("t.ha", HA N1 N2, strlen(HA N1 N2), &p, err, 16) == 0,
	   "a short error buffer is fine when nothing fails");
	ha_policy_free(&p);
	ok(ha_file_parse("t.ha", HA, strlen(HA), &p, err, 16) == -1 &&
	   strlen(err) == 15 && !strncmp(err, "t.ha:1: no node", 15),
	   "a short error buffer gets the message cut");
}

static void test_notice(void)
{
	static const struct {
		const char *words[7];
		const char *err;
	} bad_notices[] = {
		{ { NULL }, "ha node takes ID up|down generation N" },
		{ { "1", NULL }, "ha node takes ID up|down generation N" },
		{ { "0", "up", "generation", "1", NULL },
		  "invalid id \"0\": 1 to 4294967295" },
		{ { "a", "up", "generation", "1", NULL },
		  "invalid id \"a\": 1 to 4294967295" },
		{ { "1", "unknown", "generation", "1", NULL },
		  "invalid state \"unknown\": up or down" },
		{ { "1", "UP", "generation", "1", NULL },
		  "invalid state \"UP\": up or down" },
		{ { "1", "up", NULL }, "missing \"generation\"" },
		{ { "1", "up", "generation", NULL },
		  "missing value after \"generation\"" },
		{ { "1", "up", "generation", "1", "generation", "2", NULL },
		  "\"generation\" given twice" },
		{ { "1", "up", "generation", "x", NULL },
		  "invalid generation \"x\": 1 to 18446744073709551615" },
		{ { "1", "down", "generation", "0", NULL },
		  "invalid generation \"0\": 1 to 18446744073709551615" },
		{ { "1", "down", "generation", "18446744073709551616", NULL },
		  "invalid generation \"18446744073709551616\": 1 to 18446744073709551615" },
		{ { "1", "up", "gen", "1", NULL }, "unknown keyword \"gen\"" },
	};
	char *argv[7], err[HA_ERR_MAX], buf[NUM_STRLEN];
	struct ha_notice n;
	size_t i;
	int argc;

	argv[0] = "4294967295";
	argv[1] = "up";
	argv[2] = "generation";
	argv[3] = "18446744073709551615";
	ok(!ha_notice_parse(4, argv, &n, err, sizeof(err)) &&
	   n.id == 4294967295u && n.state == SVCGW_HA_STATE_UP &&
	   n.gen == UINT64_MAX, "ha node 4294967295 up generation 2^64-1");
	argv[0] = "3";
	argv[1] = "down";
	argv[3] = "1";
	ok(!ha_notice_parse(4, argv, &n, err, sizeof(err)) && n.id == 3 &&
	   n.state == SVCGW_HA_STATE_DOWN && n.gen == 1,
	   "ha node 3 down generation 1");
	for (i = 0; i < ARRAY_SIZE(bad_notices); i++) {
		for (argc = 0; bad_notices[i].words[argc]; argc++)
			argv[argc] = (char *)bad_notices[i].words[argc];
		ok(ha_notice_parse(argc, argv, &n, err, sizeof(err)) == -1 &&
		   !strcmp(err, bad_notices[i].err),
		   "ha node refused: %s", bad_notices[i].err);
		if (strcmp(err, bad_notices[i].err))
			printf("# got: %s\n", err);
	}
	ok(!strcmp(ha_state_str(SVCGW_HA_STATE_UNKNOWN, buf, sizeof(buf)),
		   "unknown") &&
	   !strcmp(ha_state_str(SVCGW_HA_STATE_UP, buf, sizeof(buf)), "up") &&
	   !strcmp(ha_state_str(SVCGW_HA_STATE_DOWN, buf, sizeof(buf)),
		   "down") &&
	   !strcmp(ha_state_str(3, buf, sizeof(buf)), "3"), "ha_state_str");
}

static void test_del(void)
{
	static const struct {
		const char *words[5];
		const char *err;
	} bad[] = {
		{ { NULL }, "ha del takes generation N" },
		{ { "generation", NULL }, "missing value after \"generation\"" },
		{ { "generation", "0", NULL },
		  "invalid generation \"0\": 1 to 18446744073709551615" },
		{ { "generation", "1", "generation", "2", NULL },
		  "\"generation\" given twice" },
		{ { "7", NULL }, "unknown keyword \"7\"" },
	};
	char *argv[5], err[HA_ERR_MAX];
	uint64_t gen;
	size_t i;
	int argc;

	argv[0] = "generation";
	argv[1] = "18446744073709551615";
	ok(!ha_del_parse(2, argv, &gen, err, sizeof(err)) && gen == UINT64_MAX,
	   "ha del generation 2^64-1");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		for (argc = 0; bad[i].words[argc]; argc++)
			argv[argc] = (char *)bad[i].words[argc];
		ok(ha_del_parse(argc, argv, &gen, err, sizeof(err)) == -1 &&
		   !strcmp(err, bad[i].err), "ha del refused: %s", bad[i].err);
		if (strcmp(err, bad[i].err))
			printf("# got: %s\n", err);
	}
}

static void test_u64(void)
{
	uint64_t v;

	ok(!parse_u64("0", &v) && v == 0, "u64 0");
	ok(!parse_u64("18446744073709551615", &v) && v == UINT64_MAX,
	   "u64 2^64-1");
	ok(parse_u64("18446744073709551616", &v) == PARSE_INVAL &&
	   parse_u64("99999999999999999999", &v) == PARSE_INVAL,
	   "u64 2^64 and above refused");
	ok(parse_u64("", &v) == PARSE_INVAL && parse_u64("+1", &v) &&
	   parse_u64("1 ", &v) && parse_u64("0x1", &v),
	   "u64: empty, sign, blank, hex refused");
}

int main(void)
{
	test_good();
	test_limits();
	test_bad();
	test_notice();
	test_del();
	test_u64();
	return tap_done();
}
