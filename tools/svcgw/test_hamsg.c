// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: host unit tests of ha.c's messages, printed as TAP: the
 * SVCGW_CMD_HA_SET request of a file read by hafile.c and the lines its
 * nests come from, the SVCGW_CMD_HA_NODE_SET request, and an HA_GET
 * reply made here as the kernel would, read back and printed as text and
 * as JSON.  libnl builds and walks the messages; no socket is opened.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/genl.h>

#include <linux/svcgw.h>

#include "hafile.h"
#include "nl.h"
#include "svcgw.h"
#include "tap.h"

#define KEY_A	"000102030405060708090a0b0c0d0e0f" \
		"101112131415161718191a1b1c1d1e1f"
#define KEY_B	"ff0102030405060708090a0b0c0d0e0f" \
		"101112131415161718191a1b1c1d1e1f"
#define FAMILY	0x1d

static struct nl_msg *new_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc_size(65536);

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, FAMILY, 0,
				 NLM_F_ACK, cmd, SVCGW_GENL_VERSION))
		abort();
	return msg;
}

/* The @i-th top-level attribute of @msg, and where it starts. */
static struct nlattr *top_attr(struct nl_msg *msg, int i, uint32_t *off)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *g = genlmsg_hdr(nlh);
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
			  rem) {
		if (!i--) {
			if (off)
				*off = (char *)a - (char *)nlh;
			return a;
		}
	}
	return NULL;
}

static bool bytes_are(const struct nlattr *a, const void *want, int len)
{
	return a && nla_len(a) == len && !memcmp(nla_data(a), want, len);
}

static bool u16_is(const struct nlattr *a, uint16_t v)
{
	return bytes_are(a, &v, 2);
}

static bool u32_is(const struct nlattr *a, uint32_t v)
{
	return bytes_are(a, &v, 4);
}

static bool u64_is(const struct nlattr *a, uint64_t v)
{
	return bytes_are(a, &v, 8);
}

static bool addr_is(const struct nlattr *fam, const struct nlattr *addr,
		    int family, const char *want)
{
	uint8_t buf[16];

	return u16_is(fam, family) && inet_pton(family, want, buf) == 1 &&
	       bytes_are(addr, buf, family == AF_INET ? 4 : 16);
}

static const char file[] =
	"# two nodes and a forwarder's view\n"
	"ha generation 9 local 2 port 7442 key 4 " KEY_A " prev-key 3 " KEY_B "\n"
	"node lb1 id 1 sync 192.0.2.1 backups 2,3\n"
	"\n"
	"node lb2 id 2 sync 192.0.2.2 dest 2001:db8::2 fnat 198.51.100.2 backups 1\n"
	"node lb3 id 3 sync 192.0.2.3 backups 2\n";

static const char minimal[] =
	"ha generation 1 key 1 " KEY_A "\n"
	"node a id 1 sync 2001:db8::1 backups 1000\n"
	"node b id 1000 sync 2001:db8::2 backups 1\n";

static void test_set(void)
{
	static const uint32_t b1[2] = { 2, 3 }, b2[1] = { 1 };
	struct nlattr *a, *h[SVCGW_HA_A_MAX + 1], *n[SVCGW_HA_NODE_A_MAX + 1];
	uint32_t off[4], lines_off[4];
	unsigned long lines[4];
	struct file_objects fo = { .file = "t.ha", .off = lines_off,
				   .lines = lines };
	char err[HA_ERR_MAX];
	struct ha_policy p;
	struct nl_msg *msg;
	uint8_t key[32];
	int i;

	if (ha_file_parse("t.ha", file, strlen(file), &p, err, sizeof(err)))
		abort();
	msg = new_msg(SVCGW_CMD_HA_SET);
	ok(!ha_put_request(msg, &p, &fo), "HA_SET request built");
	ok(genlmsg_hdr(nlmsg_hdr(msg))->cmd == SVCGW_CMD_HA_SET,
	   "command HA_SET");
	for (i = 0; i < 4; i++)
		top_attr(msg, i, &off[i]);
	a = top_attr(msg, 0, NULL);
	ok(a && nla_type(a) == SVCGW_A_HA && (a->nla_type & NLA_F_NESTED),
	   "first SVCGW_A_HA, NLA_F_NESTED");
	ok(a && !nla_parse_nested(h, SVCGW_HA_A_MAX, a, NULL) &&
	   u64_is(h[SVCGW_HA_A_GEN], 9) && u32_is(h[SVCGW_HA_A_LOCAL], 2) &&
	   u16_is(h[SVCGW_HA_A_PORT], 7442) &&
	   u32_is(h[SVCGW_HA_A_KEY_ID], 4) &&
	   u32_is(h[SVCGW_HA_A_PREV_KEY_ID], 3) &&
	   !h[SVCGW_HA_A_NNODES] && !h[SVCGW_HA_A_STALE],
	   "GEN u64, LOCAL u32, PORT u16, KEY_ID, PREV_KEY_ID u32");
	for (i = 0; i < 32; i++)
		key[i] = i;
	ok(bytes_are(h[SVCGW_HA_A_KEY], key, 32), "KEY: the 32 bytes");
	key[0] = 0xff;
	ok(bytes_are(h[SVCGW_HA_A_PREV_KEY], key, 32), "PREV_KEY: the 32 bytes");
	for (i = 1; i < 4; i++) {
		a = top_attr(msg, i, NULL);
		if (!a || nla_type(a) != SVCGW_A_HA_NODE ||
		    !(a->nla_type & NLA_F_NESTED))
			break;
	}
	ok(i == 4 && !top_attr(msg, 4, NULL),
	   "then three top-level SVCGW_A_HA_NODE, NLA_F_NESTED, nothing else");

	a = top_attr(msg, 1, NULL);
	ok(a && !nla_parse_nested(n, SVCGW_HA_NODE_A_MAX, a, NULL) &&
	   u32_is(n[SVCGW_HA_NODE_A_ID], 1) &&
	   bytes_are(n[SVCGW_HA_NODE_A_NAME], "lb1", 4) &&
	   addr_is(n[SVCGW_HA_NODE_A_FAMILY], n[SVCGW_HA_NODE_A_SYNC_ADDR],
		   AF_INET, "192.0.2.1") &&
	   !n[SVCGW_HA_NODE_A_DEST_FAMILY] && !n[SVCGW_HA_NODE_A_DEST_ADDR] &&
	   !n[SVCGW_HA_NODE_A_FNAT_FAMILY] && !n[SVCGW_HA_NODE_A_FNAT_ADDR] &&
	   bytes_are(n[SVCGW_HA_NODE_A_BACKUPS], b1, sizeof(b1)) &&
	   !n[SVCGW_HA_NODE_A_STATE] && !n[SVCGW_HA_NODE_A_STATE_GEN],
	   "node lb1: ID, NAME with its NUL, FAMILY and SYNC_ADDR, BACKUPS u32s in host order; no DEST, FNAT, STATE");
	a = top_attr(msg, 2, NULL);
	ok(a && !nla_parse_nested(n, SVCGW_HA_NODE_A_MAX, a, NULL) &&
	   u32_is(n[SVCGW_HA_NODE_A_ID], 2) &&
	   addr_is(n[SVCGW_HA_NODE_A_DEST_FAMILY],
		   n[SVCGW_HA_NODE_A_DEST_ADDR], AF_INET6, "2001:db8::2") &&
	   addr_is(n[SVCGW_HA_NODE_A_FNAT_FAMILY],
		   n[SVCGW_HA_NODE_A_FNAT_ADDR], AF_INET, "198.51.100.2") &&
	   bytes_are(n[SVCGW_HA_NODE_A_BACKUPS], b2, sizeof(b2)),
	   "node lb2: DEST of its own family, FNAT");

	ok(fo.n == 4 && !memcmp(fo.off, off, sizeof(off)) && lines[0] == 2 &&
	   lines[1] == 3 && lines[2] == 5 && lines[3] == 6,
	   "each nest's offset noted with its line");
	ok(lines[find_object_at(fo.off, fo.n, off[2] + 12)] == 5 &&
	   lines[find_object_at(fo.off, fo.n, off[0] + 4)] == 2 &&
	   lines[find_object_at(fo.off, fo.n, off[3])] == 6,
	   "an offset in a nest names its line");
	nlmsg_free(msg);
	ha_policy_free(&p);

	if (ha_file_parse("t.ha", minimal, strlen(minimal), &p, err,
			  sizeof(err)))
		abort();
	msg = new_msg(SVCGW_CMD_HA_SET);
	ok(!ha_put_request(msg, &p, NULL), "minimal request built, no notes");
	a = top_attr(msg, 0, NULL);
	ok(a && !nla_parse_nested(h, SVCGW_HA_A_MAX, a, NULL) &&
	   u64_is(h[SVCGW_HA_A_GEN], 1) && !h[SVCGW_HA_A_LOCAL] &&
	   !h[SVCGW_HA_A_PORT] && !h[SVCGW_HA_A_PREV_KEY_ID] &&
	   !h[SVCGW_HA_A_PREV_KEY] && u32_is(h[SVCGW_HA_A_KEY_ID], 1),
	   "no LOCAL, PORT, PREV_KEY_ID, PREV_KEY when not given");
	a = top_attr(msg, 1, NULL);
	ok(a && !nla_parse_nested(n, SVCGW_HA_NODE_A_MAX, a, NULL) &&
	   addr_is(n[SVCGW_HA_NODE_A_FAMILY], n[SVCGW_HA_NODE_A_SYNC_ADDR],
		   AF_INET6, "2001:db8::1") &&
	   u32_is(n[SVCGW_HA_NODE_A_BACKUPS], 1000),
	   "IPv6 sync; one backup: 4 bytes");
	nlmsg_free(msg);
	ha_policy_free(&p);
}

static void test_notice(void)
{
	struct nlattr *a, *n[SVCGW_HA_NODE_A_MAX + 1];
	struct ha_notice no = { .id = 7, .state = SVCGW_HA_STATE_DOWN,
				.gen = 0x100000001ULL };
	struct nl_msg *msg = new_msg(SVCGW_CMD_HA_NODE_SET);

	ok(!ha_put_notice(msg, &no), "HA_NODE_SET request built");
	a = top_attr(msg, 0, NULL);
	ok(a && nla_type(a) == SVCGW_A_HA_NODE &&
	   (a->nla_type & NLA_F_NESTED) && !top_attr(msg, 1, NULL) &&
	   !nla_parse_nested(n, SVCGW_HA_NODE_A_MAX, a, NULL) &&
	   u32_is(n[SVCGW_HA_NODE_A_ID], 7) &&
	   bytes_are(n[SVCGW_HA_NODE_A_STATE], "\x02", 1) &&
	   u64_is(n[SVCGW_HA_NODE_A_STATE_GEN], 0x100000001ULL) &&
	   !n[SVCGW_HA_NODE_A_NAME] && !n[SVCGW_HA_NODE_A_BACKUPS],
	   "one SVCGW_A_HA_NODE { ID u32, STATE u8, STATE_GEN u64 }");
	nlmsg_free(msg);
}

static void put_addr(struct nl_msg *msg, int fa, int aa, int family,
		     const char *s)
{
	uint8_t buf[16];

	if (inet_pton(family, s, buf) != 1 || nla_put_u16(msg, fa, family) ||
	    nla_put(msg, aa, family == AF_INET ? 4 : 16, buf))
		abort();
}

/* A node of a reply, as the kernel would put it. */
static void reply_node(struct nl_msg *msg, uint32_t id, const char *name,
		       const char *sync, const char *dest, const char *fnat,
		       const uint32_t *backup, int nbackup, int state,
		       uint64_t gen)
{
	struct nlattr *n = nla_nest_start(msg, SVCGW_A_HA_NODE | NLA_F_NESTED);

	nla_put_u32(msg, SVCGW_HA_NODE_A_ID, id);
	nla_put_string(msg, SVCGW_HA_NODE_A_NAME, name);
	put_addr(msg, SVCGW_HA_NODE_A_FAMILY, SVCGW_HA_NODE_A_SYNC_ADDR,
		 strchr(sync, ':') ? AF_INET6 : AF_INET, sync);
	if (dest)
		put_addr(msg, SVCGW_HA_NODE_A_DEST_FAMILY,
			 SVCGW_HA_NODE_A_DEST_ADDR,
			 strchr(dest, ':') ? AF_INET6 : AF_INET, dest);
	if (fnat)
		put_addr(msg, SVCGW_HA_NODE_A_FNAT_FAMILY,
			 SVCGW_HA_NODE_A_FNAT_ADDR,
			 strchr(fnat, ':') ? AF_INET6 : AF_INET, fnat);
	nla_put(msg, SVCGW_HA_NODE_A_BACKUPS, nbackup * 4, backup);
	nla_put_u8(msg, SVCGW_HA_NODE_A_STATE, state);
	nla_put_u64(msg, SVCGW_HA_NODE_A_STATE_GEN, gen);
	nla_nest_end(msg, n);
}

static char *print(const struct ha_policy *p, bool json, bool pretty)
{
	char *buf = NULL;
	size_t len;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
		abort();
	if (json)
		ha_print_json(fp, pretty, p);
	else
		ha_print_text(fp, p);
	fclose(fp);
	return buf;
}

static void check_out(char *got, const char *want, const char *name)
{
	ok(!strcmp(got, want), "%s", name);
	if (strcmp(got, want))
		printf("# got:\n%s# want:\n%s", got, want);
	free(got);
}

static void test_reply(void)
{
	static const uint32_t b1[] = { 2, 3 }, b2[] = { 1 }, b3[] = { 9, 1 };
	struct nl_msg *msg = new_msg(SVCGW_CMD_HA_GET);
	struct ha_policy p;
	struct nlattr *h;

	h = nla_nest_start(msg, SVCGW_A_HA | NLA_F_NESTED);
	nla_put_u64(msg, SVCGW_HA_A_GEN, 9);
	nla_put_u32(msg, SVCGW_HA_A_LOCAL, 2);
	nla_put_u16(msg, SVCGW_HA_A_PORT, 7441);
	nla_put_u32(msg, SVCGW_HA_A_KEY_ID, 4);
	nla_put_u32(msg, SVCGW_HA_A_PREV_KEY_ID, 3);
	nla_put_u32(msg, SVCGW_HA_A_NNODES, 3);
	nla_put_u64(msg, SVCGW_HA_A_STALE, 2);
	nla_put_u64(msg, SVCGW_HA_A_AGE_MS, 12345);
	nla_nest_end(msg, h);
	reply_node(msg, 1, "lb1", "192.0.2.1", "192.0.2.1", NULL, b1, 2,
		   SVCGW_HA_STATE_UP, 5);
	reply_node(msg, 2, "lb2", "192.0.2.2", "2001:db8::2", "198.51.100.2",
		   b2, 1, SVCGW_HA_STATE_DOWN, 6);
	/* No DEST: the sync address; a backup not in the reply: "?". */
	reply_node(msg, 3, "lb 3", "192.0.2.3", NULL, NULL, b3, 2,
		   SVCGW_HA_STATE_UNKNOWN, 0);

	memset(&p, 0, sizeof(p));
	ok(!ha_parse_reply(nlmsg_hdr(msg), &p), "HA_GET reply read");
	ok(p.gen == 9 && p.has_local && p.local == 2 && p.port == 7441 &&
	   p.key_id == 4 && p.has_prev && p.prev_key_id == 3 &&
	   p.nnodes == 3 && p.stale == 2 && p.has_age && p.age_ms == 12345 &&
	   p.nnode == 3, "the policy's attributes, every node");
	ok(p.node[0].id == 1 && !strcmp(p.node[0].name, "lb1") &&
	   p.node[0].nbackup == 2 && p.node[0].backup[1] == 3 &&
	   p.node[0].has_state && p.node[0].state == SVCGW_HA_STATE_UP &&
	   p.node[0].state_gen == 5 && p.node[1].has_fnat &&
	   p.node[1].dest.family == AF_INET6 && !p.node[2].has_dest,
	   "the nodes' attributes");
	check_out(print(&p, false, false),
		  "ha generation 9 local 2 (lb2) port 7441 key-id 4 prev-key-id 3 nodes 3 stale 2 (since 12.3 s)\n"
		  "node lb1 id 1 sync 192.0.2.1 dest 192.0.2.1 backups 2,3 (lb2,lb?3) state up generation 5\n"
		  "node lb2 id 2 sync 192.0.2.2 dest 2001:db8::2 fnat 198.51.100.2 backups 1 (lb1) state down generation 6\n"
		  "node lb?3 id 3 sync 192.0.2.3 dest 192.0.2.3 backups 9,1 (?,lb1) state unknown generation 0\n",
		  "text: the policy's line, a line a node, names resolved, blanks in names shown as ?");
	check_out(print(&p, true, false),
		  "{\"generation\":9,\"local\":2,\"port\":7441,\"key_id\":4,\"prev_key_id\":3,"
		  "\"nnodes\":3,\"stale\":2,\"age_ms\":12345,\"nodes\":["
		  "{\"name\":\"lb1\",\"id\":1,\"sync\":\"192.0.2.1\",\"dest\":\"192.0.2.1\","
		  "\"backups\":[{\"id\":2,\"name\":\"lb2\"},{\"id\":3,\"name\":\"lb 3\"}],"
		  "\"state\":\"up\",\"state_generation\":5},"
		  "{\"name\":\"lb2\",\"id\":2,\"sync\":\"192.0.2.2\",\"dest\":\"2001:db8::2\","
		  "\"fnat\":\"198.51.100.2\",\"backups\":[{\"id\":1,\"name\":\"lb1\"}],"
		  "\"state\":\"down\",\"state_generation\":6},"
		  "{\"name\":\"lb 3\",\"id\":3,\"sync\":\"192.0.2.3\",\"dest\":\"192.0.2.3\","
		  "\"backups\":[{\"id\":9},{\"id\":1,\"name\":\"lb1\"}],"
		  "\"state\":\"unknown\",\"state_generation\":0}]}\n",
		  "JSON: one object, a backup's name when the reply has it");
	ha_policy_free(&p);
	nlmsg_free(msg);

	/* A forwarder: LOCAL 0, no previous key, no age. */
	msg = new_msg(SVCGW_CMD_HA_GET);
	h = nla_nest_start(msg, SVCGW_A_HA | NLA_F_NESTED);
	nla_put_u64(msg, SVCGW_HA_A_GEN, 1);
	nla_put_u32(msg, SVCGW_HA_A_LOCAL, 0);
	nla_put_u16(msg, SVCGW_HA_A_PORT, 7441);
	nla_put_u32(msg, SVCGW_HA_A_KEY_ID, 0);
	nla_put_u32(msg, SVCGW_HA_A_NNODES, 1);
	nla_put_u64(msg, SVCGW_HA_A_STALE, 0);
	nla_nest_end(msg, h);
	reply_node(msg, 1, "a", "2001:db8::1", NULL, "2001:db8:9::1", b3 + 1,
		   1, SVCGW_HA_STATE_UP, 1);
	memset(&p, 0, sizeof(p));
	ok(!ha_parse_reply(nlmsg_hdr(msg), &p), "a forwarder's reply read");
	check_out(print(&p, false, false),
		  "ha generation 1 local 0 (forwarder) port 7441 key-id 0 nodes 1 stale 0\n"
		  "node a id 1 sync 2001:db8::1 dest 2001:db8::1 fnat 2001:db8:9::1 backups 1 (a) state up generation 1\n",
		  "text: a forwarder, no prev-key-id, no age");
	check_out(print(&p, true, true),
		  "{\n"
		  "    \"generation\": 1,\n"
		  "    \"local\": 0,\n"
		  "    \"port\": 7441,\n"
		  "    \"key_id\": 0,\n"
		  "    \"nnodes\": 1,\n"
		  "    \"stale\": 0,\n"
		  "    \"nodes\": [\n"
		  "        {\n"
		  "            \"name\": \"a\",\n"
		  "            \"id\": 1,\n"
		  "            \"sync\": \"2001:db8::1\",\n"
		  "            \"dest\": \"2001:db8::1\",\n"
		  "            \"fnat\": \"2001:db8:9::1\",\n"
		  "            \"backups\": [\n"
		  "                {\n"
		  "                    \"id\": 1,\n"
		  "                    \"name\": \"a\"\n"
		  "                }\n"
		  "            ],\n"
		  "            \"state\": \"up\",\n"
		  "            \"state_generation\": 1\n"
		  "        }\n"
		  "    ]\n"
		  "}\n",
		  "pretty JSON: no prev_key_id, no age_ms");
	ha_policy_free(&p);
	nlmsg_free(msg);

	/* Refused: BACKUPS not a whole number of u32s. */
	msg = new_msg(SVCGW_CMD_HA_GET);
	h = nla_nest_start(msg, SVCGW_A_HA | NLA_F_NESTED);
	nla_put_u64(msg, SVCGW_HA_A_GEN, 1);
	nla_nest_end(msg, h);
	h = nla_nest_start(msg, SVCGW_A_HA_NODE | NLA_F_NESTED);
	nla_put_u32(msg, SVCGW_HA_NODE_A_ID, 1);
	put_addr(msg, SVCGW_HA_NODE_A_FAMILY, SVCGW_HA_NODE_A_SYNC_ADDR,
		 AF_INET, "192.0.2.1");
	nla_put(msg, SVCGW_HA_NODE_A_BACKUPS, 5, "\1\0\0\0\0");
	nla_nest_end(msg, h);
	memset(&p, 0, sizeof(p));
	printf("# expect a message about malformed backups:\n");
	fflush(stdout);
	ok(ha_parse_reply(nlmsg_hdr(msg), &p) == -1,
	   "a reply with 5 bytes of backups is malformed");
	ha_policy_free(&p);
	nlmsg_free(msg);
}

int main(void)
{
	test_set();
	test_notice();
	test_reply();
	return tap_done();
}
