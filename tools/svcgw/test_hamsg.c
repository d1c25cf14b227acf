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

/*
 * The SVCGW_HA_NODE_A_PEER nest of a sync peer, as kernel/sync.c puts
 * it: TX_STATE and SYNCED u8, UNACKED u32, then every counter, u64; @v
 * holds the values by attribute.
 */
static void put_peer(struct nl_msg *msg, const uint64_t *v)
{
	struct nlattr *n = nla_nest_start(msg,
					  SVCGW_HA_NODE_A_PEER | NLA_F_NESTED);
	int i;

	if (!n || nla_put_u8(msg, SVCGW_HA_PEER_A_TX_STATE,
			     v[SVCGW_HA_PEER_A_TX_STATE]) ||
	    nla_put_u8(msg, SVCGW_HA_PEER_A_SYNCED,
		       v[SVCGW_HA_PEER_A_SYNCED]) ||
	    nla_put_u32(msg, SVCGW_HA_PEER_A_UNACKED,
			v[SVCGW_HA_PEER_A_UNACKED]))
		abort();
	for (i = SVCGW_HA_PEER_A_TX_DGRAMS; i <= SVCGW_HA_PEER_A_RX_EPOCHS; i++)
		if (nla_put_u64(msg, i, v[i]))
			abort();
	nla_nest_end(msg, n);
}

/* A node of a reply, as the kernel would put it; @peer: see put_peer(). */
static void reply_node(struct nl_msg *msg, uint32_t id, const char *name,
		       const char *sync, const char *dest, const char *fnat,
		       const uint32_t *backup, int nbackup, int state,
		       uint64_t gen, const uint64_t *peer)
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
	if (peer)
		put_peer(msg, peer);
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
		   SVCGW_HA_STATE_UP, 5, NULL);
	reply_node(msg, 2, "lb2", "192.0.2.2", "2001:db8::2", "198.51.100.2",
		   b2, 1, SVCGW_HA_STATE_DOWN, 6, NULL);
	/* No DEST: the sync address; a backup not in the reply: "?". */
	reply_node(msg, 3, "lb 3", "192.0.2.3", NULL, NULL, b3, 2,
		   SVCGW_HA_STATE_UNKNOWN, 0, NULL);

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
		   1, SVCGW_HA_STATE_UP, 1, NULL);
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

/*
 * A strict JSON checker (RFC 8259 grammar, no duplicate-key check): the
 * value at *@s, whitespace around it skipped, *@s moved past it.
 */
static bool json_value(const char **s, int depth);

static void json_ws(const char **s)
{
	while (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r')
		(*s)++;
}

static bool json_string(const char **s)
{
	const char *p = *s;
	int i;

	if (*p++ != '"')
		return false;
	for (; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return false;	/* the end, or a control char */
		if (*p != '\\')
			continue;
		p++;
		if (*p == 'u') {
			for (i = 1; i <= 4; i++)
				if (!strchr("0123456789abcdefABCDEF", p[i]) ||
				    !p[i])
					return false;
			p += 4;
		} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
			return false;
		}
	}
	*s = p + 1;
	return true;
}

static bool json_number(const char **s)
{
	const char *p = *s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return false;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		if (*++p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	*s = p;
	return true;
}

static bool json_members(const char **s, char close, int depth)
{
	(*s)++;
	json_ws(s);
	if (**s == close) {
		(*s)++;
		return true;
	}
	for (;;) {
		if (close == '}') {
			json_ws(s);
			if (!json_string(s))
				return false;
			json_ws(s);
			if (*(*s)++ != ':')
				return false;
		}
		if (!json_value(s, depth + 1))
			return false;
		if (**s == close) {
			(*s)++;
			return true;
		}
		if (*(*s)++ != ',')
			return false;
	}
}

static bool json_value(const char **s, int depth)
{
	static const char *const words[] = { "true", "false", "null" };
	bool ret = false;
	size_t i;

	if (depth > 64)
		return false;
	json_ws(s);
	if (**s == '{' || **s == '[')
		ret = json_members(s, **s == '{' ? '}' : ']', depth);
	else if (**s == '"')
		ret = json_string(s);
	else if (**s == '-' || (**s >= '0' && **s <= '9'))
		ret = json_number(s);
	for (i = 0; !ret && i < ARRAY_SIZE(words); i++) {
		if (!strncmp(*s, words[i], strlen(words[i]))) {
			*s += strlen(words[i]);
			ret = true;
		}
	}
	json_ws(s);
	return ret;
}

/* @text is one JSON value, nothing before or after it. */
static bool json_valid(const char *text)
{
	return json_value(&text, 0) && !*text;
}

static void test_json_checker(void)
{
	static const char *const good[] = {
		"{}", "[]", "0", "-1.5e+3", "\"a\\u00e9\\n\"", "null",
		"{\"a\":[1,{\"b\":true}],\"c\":\"\"}\n",
	};
	static const char *const bad[] = {
		"", "{", "{\"a\"}", "{\"a\":1,}", "[1,]", "01", "1.", "\"\\x\"",
		"{a:1}", "[1] [2]", "\"\t\"", "tru", "{\"a\":1}}",
	};
	size_t i;
	bool all = true;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		all &= json_valid(good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		all &= !json_valid(bad[i]);
	ok(all, "the JSON checker takes valid JSON and refuses broken JSON");
}

/* Values by attribute, each its own so that a swapped pair shows. */
static uint64_t sync_vals[SVCGW_HA_SYNC_A_MAX + 1] = {
	[SVCGW_HA_SYNC_A_QUEUED]	= 11,
	[SVCGW_HA_SYNC_A_QUEUE_DROPPED]	= 12,
	[SVCGW_HA_SYNC_A_RX_QUEUE_FULL]	= 13,
	[SVCGW_HA_SYNC_A_TRUNCATED]	= 21,
	[SVCGW_HA_SYNC_A_BAD_MAGIC]	= 22,
	[SVCGW_HA_SYNC_A_BAD_VERSION]	= 23,
	[SVCGW_HA_SYNC_A_BAD_TYPE]	= 24,
	[SVCGW_HA_SYNC_A_BAD_FIELD]	= 25,
	[SVCGW_HA_SYNC_A_BAD_LENGTH]	= 26,
	[SVCGW_HA_SYNC_A_NO_KEY]	= 27,
	[SVCGW_HA_SYNC_A_FORGED]	= 28,
	[SVCGW_HA_SYNC_A_BAD_RECORD]	= 29,
	[SVCGW_HA_SYNC_A_NOT_PEER]	= 30,
	[SVCGW_HA_SYNC_A_REPLICAS]	= 41,
	[SVCGW_HA_SYNC_A_ADOPTED]	= 0x100000000ULL + 42,
};

static const uint64_t peer_vals[SVCGW_HA_PEER_A_MAX + 1] = {
	[SVCGW_HA_PEER_A_TX_STATE]	= SVCGW_HA_TX_UP,
	[SVCGW_HA_PEER_A_SYNCED]	= 1,
	[SVCGW_HA_PEER_A_UNACKED]	= 7,
	[SVCGW_HA_PEER_A_TX_DGRAMS]	= 101,
	[SVCGW_HA_PEER_A_TX_RECORDS]	= 0x200000000ULL + 102,
	[SVCGW_HA_PEER_A_TX_RETRANS]	= 103,
	[SVCGW_HA_PEER_A_TX_ACKED]	= 104,
	[SVCGW_HA_PEER_A_TX_ERRORS]	= 105,
	[SVCGW_HA_PEER_A_TX_LOST]	= 106,
	[SVCGW_HA_PEER_A_TX_BULKS]	= 107,
	[SVCGW_HA_PEER_A_TX_BULK_RECORDS] = 108,
	[SVCGW_HA_PEER_A_RX_DGRAMS]	= 109,
	[SVCGW_HA_PEER_A_RX_RECORDS]	= 110,
	[SVCGW_HA_PEER_A_RX_OTHER_EPOCH] = 111,
	[SVCGW_HA_PEER_A_RX_REPLAYED]	= 112,
	[SVCGW_HA_PEER_A_RX_AHEAD]	= 113,
	[SVCGW_HA_PEER_A_RX_NO_SERVICE]	= 114,
	[SVCGW_HA_PEER_A_RX_NO_SERVER]	= 115,
	[SVCGW_HA_PEER_A_RX_CONFLICT]	= 116,
	[SVCGW_HA_PEER_A_RX_FULL]	= 117,
	[SVCGW_HA_PEER_A_RX_BULKS]	= 118,
	[SVCGW_HA_PEER_A_RX_EPOCHS]	= 119,
};

/*
 * The SVCGW_HA_A_SYNC nest with @v's values, u64 as kernel/sync.c puts
 * them but for @u32_attr (0: none), put as a u32; a PAD of its own and an
 * attribute past SVCGW_HA_SYNC_A_MAX, which a newer kernel may send.
 */
static void put_sync(struct nl_msg *msg, const uint64_t *v, int u32_attr)
{
	struct nlattr *n = nla_nest_start(msg, SVCGW_HA_A_SYNC | NLA_F_NESTED);
	int i;

	if (!n || nla_put(msg, SVCGW_HA_SYNC_A_PAD, 0, NULL))
		abort();
	for (i = SVCGW_HA_SYNC_A_QUEUED; i <= SVCGW_HA_SYNC_A_ADOPTED; i++)
		if (i == u32_attr ? nla_put_u32(msg, i, v[i]) :
				    nla_put_u64(msg, i, v[i]))
			abort();
	if (nla_put_u64(msg, SVCGW_HA_SYNC_A_MAX + 1, 0xdead))
		abort();
	nla_nest_end(msg, n);
}

/* The policy nest of the replies below, with a SYNC nest if @sync. */
static void put_policy(struct nl_msg *msg, const uint64_t *sync)
{
	struct nlattr *h = nla_nest_start(msg, SVCGW_A_HA | NLA_F_NESTED);

	nla_put_u64(msg, SVCGW_HA_A_GEN, 9);
	nla_put_u32(msg, SVCGW_HA_A_LOCAL, 2);
	nla_put_u16(msg, SVCGW_HA_A_PORT, 7441);
	nla_put_u32(msg, SVCGW_HA_A_KEY_ID, 4);
	nla_put_u32(msg, SVCGW_HA_A_NNODES, 3);
	nla_put_u64(msg, SVCGW_HA_A_STALE, 0);
	nla_put_u64(msg, SVCGW_HA_A_AGE_MS, 1000);
	if (sync)
		put_sync(msg, sync, 0);
	nla_nest_end(msg, h);
}

static bool sync_is(const struct ha_sync *s, const uint64_t *v)
{
	return s->queued == v[SVCGW_HA_SYNC_A_QUEUED] &&
	       s->queue_dropped == v[SVCGW_HA_SYNC_A_QUEUE_DROPPED] &&
	       s->rx_queue_full == v[SVCGW_HA_SYNC_A_RX_QUEUE_FULL] &&
	       s->truncated == v[SVCGW_HA_SYNC_A_TRUNCATED] &&
	       s->bad_magic == v[SVCGW_HA_SYNC_A_BAD_MAGIC] &&
	       s->bad_version == v[SVCGW_HA_SYNC_A_BAD_VERSION] &&
	       s->bad_type == v[SVCGW_HA_SYNC_A_BAD_TYPE] &&
	       s->bad_field == v[SVCGW_HA_SYNC_A_BAD_FIELD] &&
	       s->bad_length == v[SVCGW_HA_SYNC_A_BAD_LENGTH] &&
	       s->no_key == v[SVCGW_HA_SYNC_A_NO_KEY] &&
	       s->forged == v[SVCGW_HA_SYNC_A_FORGED] &&
	       s->bad_record == v[SVCGW_HA_SYNC_A_BAD_RECORD] &&
	       s->not_peer == v[SVCGW_HA_SYNC_A_NOT_PEER] &&
	       s->replicas == v[SVCGW_HA_SYNC_A_REPLICAS] &&
	       s->adopted == v[SVCGW_HA_SYNC_A_ADOPTED];
}

static bool peer_is(const struct ha_peer *p, const uint64_t *v)
{
	return p->tx_state == v[SVCGW_HA_PEER_A_TX_STATE] &&
	       p->synced == v[SVCGW_HA_PEER_A_SYNCED] &&
	       p->unacked == v[SVCGW_HA_PEER_A_UNACKED] &&
	       p->tx_dgrams == v[SVCGW_HA_PEER_A_TX_DGRAMS] &&
	       p->tx_records == v[SVCGW_HA_PEER_A_TX_RECORDS] &&
	       p->tx_retrans == v[SVCGW_HA_PEER_A_TX_RETRANS] &&
	       p->tx_acked == v[SVCGW_HA_PEER_A_TX_ACKED] &&
	       p->tx_errors == v[SVCGW_HA_PEER_A_TX_ERRORS] &&
	       p->tx_lost == v[SVCGW_HA_PEER_A_TX_LOST] &&
	       p->tx_bulks == v[SVCGW_HA_PEER_A_TX_BULKS] &&
	       p->tx_bulk_records == v[SVCGW_HA_PEER_A_TX_BULK_RECORDS] &&
	       p->rx_dgrams == v[SVCGW_HA_PEER_A_RX_DGRAMS] &&
	       p->rx_records == v[SVCGW_HA_PEER_A_RX_RECORDS] &&
	       p->rx_other_epoch == v[SVCGW_HA_PEER_A_RX_OTHER_EPOCH] &&
	       p->rx_replayed == v[SVCGW_HA_PEER_A_RX_REPLAYED] &&
	       p->rx_ahead == v[SVCGW_HA_PEER_A_RX_AHEAD] &&
	       p->rx_no_service == v[SVCGW_HA_PEER_A_RX_NO_SERVICE] &&
	       p->rx_no_server == v[SVCGW_HA_PEER_A_RX_NO_SERVER] &&
	       p->rx_conflict == v[SVCGW_HA_PEER_A_RX_CONFLICT] &&
	       p->rx_full == v[SVCGW_HA_PEER_A_RX_FULL] &&
	       p->rx_bulks == v[SVCGW_HA_PEER_A_RX_BULKS] &&
	       p->rx_epochs == v[SVCGW_HA_PEER_A_RX_EPOCHS];
}

/* @got as @want, and valid JSON; @got freed. */
static void check_json(char *got, const char *want, const char *name)
{
	ok(json_valid(got), "%s: valid JSON", name);
	check_out(got, want, name);
}

/* HA_GET replies with the sync channel's counters and the peers'. */
static void test_sync(void)
{
	static const uint32_t b1[] = { 2, 3 }, b2[] = { 1 }, b3[] = { 2 };
	uint64_t idle[SVCGW_HA_PEER_A_MAX + 1] = {
		[SVCGW_HA_PEER_A_TX_STATE] = SVCGW_HA_TX_BULK,
		[SVCGW_HA_PEER_A_RX_EPOCHS] = 1,
	};
	uint64_t some[SVCGW_HA_SYNC_A_MAX + 1] = {
		[SVCGW_HA_SYNC_A_QUEUED] = 3,
		[SVCGW_HA_SYNC_A_BAD_MAGIC] = 1,
		[SVCGW_HA_SYNC_A_FORGED] = 2,
		[SVCGW_HA_SYNC_A_NOT_PEER] = 5,
		[SVCGW_HA_SYNC_A_REPLICAS] = 0x100000000ULL,
	};
	uint64_t none[SVCGW_HA_SYNC_A_MAX + 1] = { 0 };
	struct nl_msg *msg = new_msg(SVCGW_CMD_HA_GET);
	struct ha_policy p;
	char *text, *json;
	struct nlattr *h;

	put_policy(msg, sync_vals);
	reply_node(msg, 1, "lb1", "192.0.2.1", NULL, NULL, b1, 2,
		   SVCGW_HA_STATE_UP, 5, peer_vals);
	/* This node: no PEER. */
	reply_node(msg, 2, "lb2", "192.0.2.2", NULL, NULL, b2, 1,
		   SVCGW_HA_STATE_UP, 6, NULL);
	reply_node(msg, 3, "lb3", "192.0.2.3", NULL, NULL, b3, 1,
		   SVCGW_HA_STATE_DOWN, 7, idle);
	memset(&p, 0, sizeof(p));
	ok(!ha_parse_reply(nlmsg_hdr(msg), &p) && p.nnode == 3,
	   "a reply with SYNC and PEER nests read");
	ok(p.has_sync && sync_is(&p.sync, sync_vals),
	   "SYNC: every counter in its own field, u64 above 2^32 whole; PAD and an unknown attribute ignored");
	ok(p.node[0].has_peer && peer_is(&p.node[0].peer, peer_vals),
	   "PEER: TX_STATE, SYNCED, UNACKED and every counter in its own field");
	ok(!p.node[1].has_peer && p.node[2].has_peer &&
	   peer_is(&p.node[2].peer, idle),
	   "a node without PEER has none; another peer's own values");
	text = print(&p, false, false);
	ok(!strstr(strstr(text, "node lb2"), "\tpeer") ||
	   strstr(strstr(text, "node lb2"), "\tpeer") >
	   strstr(text, "node lb3"), "text: no peer lines under lb2");
	check_out(text,
		  "ha generation 9 local 2 (lb2) port 7441 key-id 4 nodes 3 stale 0 (since 1.0 s)\n"
		  "node lb1 id 1 sync 192.0.2.1 dest 192.0.2.1 backups 2,3 (lb2,lb3) state up generation 5\n"
		  "\tpeer tx up unacked 7 sent 101 records 8589934694 retransmitted 103 acked 104 errors 105 lost 106 bulks 107 bulk-records 108\n"
		  "\tpeer rx synced yes received 109 records 110 other-epoch 111 replayed 112 ahead 113 no-service 114 no-server 115 conflict 116 full 117 bulks 118 epochs 119\n"
		  "node lb2 id 2 sync 192.0.2.2 dest 192.0.2.2 backups 1 (lb1) state up generation 6\n"
		  "node lb3 id 3 sync 192.0.2.3 dest 192.0.2.3 backups 2 (lb2) state down generation 7\n"
		  "\tpeer tx bulk unacked 0 sent 0 records 0 retransmitted 0 acked 0 errors 0 lost 0 bulks 0 bulk-records 0\n"
		  "\tpeer rx synced no received 0 records 0 other-epoch 0 replayed 0 ahead 0 no-service 0 no-server 0 conflict 0 full 0 bulks 0 epochs 1\n"
		  "sync: queued 11 dropped 12 rx-queue-full 13 replicas 41 adopted 4294967338\n"
		  "\trefused: truncated 21 bad-magic 22 bad-version 23 bad-type 24 bad-field 25 bad-length 26 no-key 27 forged 28 bad-record 29 not-peer 30\n",
		  "text: two peer lines under each peer node, the sync block last, every refusal when none is 0");
	json = print(&p, true, false);
	check_json(json,
		   "{\"generation\":9,\"local\":2,\"port\":7441,\"key_id\":4,"
		   "\"nnodes\":3,\"stale\":0,\"age_ms\":1000,"
		   "\"sync\":{\"queued\":11,\"queue_dropped\":12,\"rx_queue_full\":13,"
		   "\"truncated\":21,\"bad_magic\":22,\"bad_version\":23,\"bad_type\":24,"
		   "\"bad_field\":25,\"bad_length\":26,\"no_key\":27,\"forged\":28,"
		   "\"bad_record\":29,\"not_peer\":30,\"replicas\":41,"
		   "\"adopted\":4294967338},"
		   "\"nodes\":["
		   "{\"name\":\"lb1\",\"id\":1,\"sync\":\"192.0.2.1\",\"dest\":\"192.0.2.1\","
		   "\"backups\":[{\"id\":2,\"name\":\"lb2\"},{\"id\":3,\"name\":\"lb3\"}],"
		   "\"state\":\"up\",\"state_generation\":5,"
		   "\"peer\":{\"tx_state\":\"up\",\"synced\":true,\"unacked\":7,"
		   "\"tx_dgrams\":101,\"tx_records\":8589934694,\"tx_retrans\":103,"
		   "\"tx_acked\":104,\"tx_errors\":105,\"tx_lost\":106,\"tx_bulks\":107,"
		   "\"tx_bulk_records\":108,\"rx_dgrams\":109,\"rx_records\":110,"
		   "\"rx_other_epoch\":111,\"rx_replayed\":112,\"rx_ahead\":113,"
		   "\"rx_no_service\":114,\"rx_no_server\":115,\"rx_conflict\":116,"
		   "\"rx_full\":117,\"rx_bulks\":118,\"rx_epochs\":119}},"
		   "{\"name\":\"lb2\",\"id\":2,\"sync\":\"192.0.2.2\",\"dest\":\"192.0.2.2\","
		   "\"backups\":[{\"id\":1,\"name\":\"lb1\"}],"
		   "\"state\":\"up\",\"state_generation\":6},"
		   "{\"name\":\"lb3\",\"id\":3,\"sync\":\"192.0.2.3\",\"dest\":\"192.0.2.3\","
		   "\"backups\":[{\"id\":2,\"name\":\"lb2\"}],"
		   "\"state\":\"down\",\"state_generation\":7,"
		   "\"peer\":{\"tx_state\":\"bulk\",\"synced\":false,\"unacked\":0,"
		   "\"tx_dgrams\":0,\"tx_records\":0,\"tx_retrans\":0,\"tx_acked\":0,"
		   "\"tx_errors\":0,\"tx_lost\":0,\"tx_bulks\":0,\"tx_bulk_records\":0,"
		   "\"rx_dgrams\":0,\"rx_records\":0,\"rx_other_epoch\":0,"
		   "\"rx_replayed\":0,\"rx_ahead\":0,\"rx_no_service\":0,"
		   "\"rx_no_server\":0,\"rx_conflict\":0,\"rx_full\":0,\"rx_bulks\":0,"
		   "\"rx_epochs\":1}}]}\n",
		   "JSON: \"sync\" with every counter, \"peer\" on peer nodes only");
	json = print(&p, true, true);
	ok(json_valid(json) && strstr(json, "    \"sync\": {\n") &&
	   strstr(json, "            \"peer\": {\n"), "pretty JSON: valid");
	free(json);
	ha_policy_free(&p);
	nlmsg_free(msg);

	/*
	 * Some refusals: only those not 0; a counter as a u32; an unknown
	 * tx state by its number; an attribute past PEER_A_MAX ignored.
	 */
	msg = new_msg(SVCGW_CMD_HA_GET);
	h = nla_nest_start(msg, SVCGW_A_HA | NLA_F_NESTED);
	nla_put_u64(msg, SVCGW_HA_A_GEN, 2);
	nla_put_u32(msg, SVCGW_HA_A_LOCAL, 1);
	put_sync(msg, some, SVCGW_HA_SYNC_A_QUEUED);
	nla_nest_end(msg, h);
	idle[SVCGW_HA_PEER_A_TX_STATE] = 9;
	idle[SVCGW_HA_PEER_A_SYNCED] = 1;
	h = nla_nest_start(msg, SVCGW_A_HA_NODE | NLA_F_NESTED);
	nla_put_u32(msg, SVCGW_HA_NODE_A_ID, 2);
	nla_put_string(msg, SVCGW_HA_NODE_A_NAME, "b");
	put_addr(msg, SVCGW_HA_NODE_A_FAMILY, SVCGW_HA_NODE_A_SYNC_ADDR,
		 AF_INET, "192.0.2.2");
	nla_put(msg, SVCGW_HA_NODE_A_BACKUPS, 4, b2);
	put_peer(msg, idle);
	nla_nest_end(msg, h);
	memset(&p, 0, sizeof(p));
	ok(!ha_parse_reply(nlmsg_hdr(msg), &p) && p.has_sync &&
	   sync_is(&p.sync, some) && p.nnode == 1 && p.node[0].has_peer,
	   "a reply with a u32 counter read");
	text = print(&p, false, false);
	ok(strstr(text, "\n\tpeer tx 9 unacked 0 ") &&
	   strstr(text, "\n\tpeer rx synced yes received 0 "),
	   "text: an unknown tx state as its number");
	ok(strstr(text, "\nsync: queued 3 dropped 0 rx-queue-full 0 replicas 4294967296 adopted 0\n"
			"\trefused: bad-magic 1 forged 2 not-peer 5\n") &&
	   !strstr(text, "truncated"),
	   "text: the refusals that are not 0 only");
	free(text);
	json = print(&p, true, false);
	ok(json_valid(json) && strstr(json, "\"tx_state\":\"9\"") &&
	   strstr(json, "\"queued\":3,\"queue_dropped\":0,") &&
	   strstr(json, "\"truncated\":0,\"bad_magic\":1,"),
	   "JSON: every counter, 0 or not");
	free(json);
	ha_policy_free(&p);
	nlmsg_free(msg);

	/* Nothing refused; no PEER anywhere. */
	msg = new_msg(SVCGW_CMD_HA_GET);
	put_policy(msg, none);
	reply_node(msg, 2, "lb2", "192.0.2.2", NULL, NULL, b2, 1,
		   SVCGW_HA_STATE_UP, 6, NULL);
	memset(&p, 0, sizeof(p));
	ok(!ha_parse_reply(nlmsg_hdr(msg), &p) && p.has_sync &&
	   sync_is(&p.sync, none) && !p.node[0].has_peer,
	   "a replicating node alone, every counter 0");
	check_out(print(&p, false, false),
		  "ha generation 9 local 2 (lb2) port 7441 key-id 4 nodes 3 stale 0 (since 1.0 s)\n"
		  "node lb2 id 2 sync 192.0.2.2 dest 192.0.2.2 backups 1 (?) state up generation 6\n"
		  "sync: queued 0 dropped 0 rx-queue-full 0 replicas 0 adopted 0\n"
		  "\tnone refused\n",
		  "text: none refused, no peer lines");
	ha_policy_free(&p);
	nlmsg_free(msg);

	/* No SYNC: no sync block, no "sync" key. */
	msg = new_msg(SVCGW_CMD_HA_GET);
	put_policy(msg, NULL);
	reply_node(msg, 1, "lb1", "192.0.2.1", NULL, NULL, b1, 2,
		   SVCGW_HA_STATE_UP, 5, peer_vals);
	memset(&p, 0, sizeof(p));
	ok(!ha_parse_reply(nlmsg_hdr(msg), &p) && !p.has_sync &&
	   p.node[0].has_peer, "a reply without SYNC read");
	text = print(&p, false, false);
	json = print(&p, true, false);
	ok(!strstr(text, "sync:") && !strstr(text, "refused") &&
	   strstr(text, "\tpeer tx up "), "text: no sync block");
	ok(json_valid(json) && !strstr(json, "\"sync\":{") &&
	   !strstr(json, "\"queued\"") && strstr(json, "\"peer\":{"),
	   "JSON: no \"sync\" object");
	free(text);
	free(json);
	ha_policy_free(&p);
	nlmsg_free(msg);
}

/* A reply whose SYNC or PEER nest holds @attr of @len bytes. */
static bool short_refused(bool sync, int attr, int len)
{
	static const uint8_t zero[8];
	static const uint32_t b[] = { 1 };
	struct nl_msg *msg = new_msg(SVCGW_CMD_HA_GET);
	struct nlattr *h, *n;
	struct ha_policy p;
	int ret;

	h = nla_nest_start(msg, SVCGW_A_HA | NLA_F_NESTED);
	nla_put_u64(msg, SVCGW_HA_A_GEN, 1);
	if (sync) {
		n = nla_nest_start(msg, SVCGW_HA_A_SYNC | NLA_F_NESTED);
		nla_put(msg, attr, len, zero);
		nla_nest_end(msg, n);
	}
	nla_nest_end(msg, h);
	h = nla_nest_start(msg, SVCGW_A_HA_NODE | NLA_F_NESTED);
	nla_put_u32(msg, SVCGW_HA_NODE_A_ID, 2);
	put_addr(msg, SVCGW_HA_NODE_A_FAMILY, SVCGW_HA_NODE_A_SYNC_ADDR,
		 AF_INET, "192.0.2.2");
	nla_put(msg, SVCGW_HA_NODE_A_BACKUPS, 4, b);
	if (!sync) {
		n = nla_nest_start(msg, SVCGW_HA_NODE_A_PEER | NLA_F_NESTED);
		nla_put(msg, attr, len, zero);
		nla_nest_end(msg, n);
	}
	nla_nest_end(msg, h);
	memset(&p, 0, sizeof(p));
	ret = ha_parse_reply(nlmsg_hdr(msg), &p);
	ha_policy_free(&p);
	nlmsg_free(msg);
	return ret == -1;
}

static void test_sync_short(void)
{
	printf("# expect messages about malformed sync counters and peers:\n");
	fflush(stdout);
	ok(short_refused(true, SVCGW_HA_SYNC_A_QUEUED, 2) &&
	   short_refused(true, SVCGW_HA_SYNC_A_ADOPTED, 3) &&
	   short_refused(true, SVCGW_HA_SYNC_A_NOT_PEER, 0),
	   "a SYNC counter under 4 bytes: the reply is malformed");
	ok(short_refused(false, SVCGW_HA_PEER_A_TX_STATE, 0) &&
	   short_refused(false, SVCGW_HA_PEER_A_SYNCED, 0) &&
	   short_refused(false, SVCGW_HA_PEER_A_UNACKED, 2) &&
	   short_refused(false, SVCGW_HA_PEER_A_TX_DGRAMS, 3) &&
	   short_refused(false, SVCGW_HA_PEER_A_RX_EPOCHS, 2),
	   "a PEER attribute too short for its type: the reply is malformed");
	ok(!short_refused(true, SVCGW_HA_SYNC_A_QUEUED, 4) &&
	   !short_refused(false, SVCGW_HA_PEER_A_UNACKED, 4) &&
	   !short_refused(false, SVCGW_HA_PEER_A_TX_STATE, 1) &&
	   !short_refused(true, SVCGW_HA_SYNC_A_MAX + 1, 0) &&
	   !short_refused(false, SVCGW_HA_PEER_A_MAX + 1, 1) &&
	   !short_refused(false, SVCGW_HA_PEER_A_PAD, 0),
	   "long enough, PAD, or an attribute past the MAX: read");
}

int main(void)
{
	test_set();
	test_notice();
	test_reply();
	test_json_checker();
	test_sync();
	test_sync_short();
	return tap_done();
}
