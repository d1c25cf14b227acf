// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw ha: the high availability policy (Documentation/ha.rst).
 *
 *   svcgw ha set FILE           the policy of FILE becomes the namespace's,
 *                               in one SVCGW_CMD_HA_SET
 *   svcgw ha show               the policy (never its keys) and its nodes
 *                               with their state, the sync channel's
 *                               counters and those of each sync peer
 *                               (SVCGW_CMD_HA_GET)
 *   svcgw ha node ID up|down generation N
 *                               the controller's notice about a node
 *                               (SVCGW_CMD_HA_NODE_SET)
 *
 * hafile.c reads the file into a struct ha_policy, refusing what the
 * kernel would; here it becomes the request, an SVCGW_A_HA nest and one
 * top-level SVCGW_A_HA_NODE nest a node, and the kernel's refusal names
 * the line of the nest at fault, as for policy files.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>

#include <linux/svcgw.h>

#include "hafile.h"
#include "json.h"
#include "nl.h"
#include "svcgw.h"

/* A policy and, while it is sent, where each of its nests starts. */
struct ha_req {
	struct ha_policy p;
	struct file_objects objs;
};

/* The whole of @f, NUL-terminated (for no one: NULs are refused). */
static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap), *p;

	while (buf) {
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n < cap - 1) {
			if (ferror(f))
				break;
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		p = realloc(buf, 2 * cap);
		if (!p) {
			explicit_bzero(buf, cap);
			free(buf);
			buf = NULL;
			break;
		}
		buf = p;
		cap *= 2;
	}
	if (buf) {
		pr_err("cannot read: %s", strerror(errno));
		explicit_bzero(buf, cap);
		free(buf);
	} else {
		pr_err("out of memory");
	}
	return NULL;
}

/* Where the next attribute starts, as an offset in the message. */
static uint32_t here(struct nl_msg *msg)
{
	return (char *)nlmsg_tail(nlmsg_hdr(msg)) - (char *)nlmsg_hdr(msg);
}

static void note(struct file_objects *fo, struct nl_msg *msg,
		 unsigned long line)
{
	if (!fo)
		return;
	fo->off[fo->n] = here(msg);
	fo->lines[fo->n++] = line;
}

static int put_node(struct nl_msg *msg, const struct ha_node *n)
{
	struct nlattr *nest = nla_nest_start(msg,
					     SVCGW_A_HA_NODE | NLA_F_NESTED);

	if (!nest || nla_put_u32(msg, SVCGW_HA_NODE_A_ID, n->id) < 0 ||
	    nla_put_string(msg, SVCGW_HA_NODE_A_NAME, n->name) < 0 ||
	    gw_put_addr(msg, SVCGW_HA_NODE_A_FAMILY, SVCGW_HA_NODE_A_SYNC_ADDR,
			&n->sync) ||
	    (n->has_dest &&
	     gw_put_addr(msg, SVCGW_HA_NODE_A_DEST_FAMILY,
			 SVCGW_HA_NODE_A_DEST_ADDR, &n->dest)) ||
	    (n->has_fnat &&
	     gw_put_addr(msg, SVCGW_HA_NODE_A_FNAT_FAMILY,
			 SVCGW_HA_NODE_A_FNAT_ADDR, &n->fnat)) ||
	    nla_put(msg, SVCGW_HA_NODE_A_BACKUPS,
		    n->nbackup * sizeof(n->backup[0]), n->backup) < 0)
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * The attributes of SVCGW_CMD_HA_SET for @p: the policy, then its nodes,
 * each nest's offset and line noted in @fo (room for 1 + p->nnode) unless
 * it is NULL.
 */
int ha_put_request(struct nl_msg *msg, const struct ha_policy *p,
		   struct file_objects *fo)
{
	struct nlattr *n;
	size_t i;

	if (fo)
		fo->n = 0;
	note(fo, msg, p->line);
	n = nla_nest_start(msg, SVCGW_A_HA | NLA_F_NESTED);
	if (!n || nla_put_u64(msg, SVCGW_HA_A_GEN, p->gen) < 0 ||
	    (p->has_local &&
	     nla_put_u32(msg, SVCGW_HA_A_LOCAL, p->local) < 0) ||
	    (p->has_port && nla_put_u16(msg, SVCGW_HA_A_PORT, p->port) < 0) ||
	    nla_put_u32(msg, SVCGW_HA_A_KEY_ID, p->key_id) < 0 ||
	    nla_put(msg, SVCGW_HA_A_KEY, SVCGW_HA_KEY_LEN, p->key) < 0 ||
	    (p->has_prev &&
	     (nla_put_u32(msg, SVCGW_HA_A_PREV_KEY_ID, p->prev_key_id) < 0 ||
	      nla_put(msg, SVCGW_HA_A_PREV_KEY, SVCGW_HA_KEY_LEN,
		      p->prev_key) < 0)))
		return -1;
	nla_nest_end(msg, n);
	for (i = 0; i < p->nnode; i++) {
		note(fo, msg, p->node[i].line);
		if (put_node(msg, &p->node[i]))
			return -1;
	}
	return 0;
}

/* gw_build_fn of "ha set". */
static int put_ha(struct nl_msg *msg, const void *data)
{
	struct ha_req *r = (struct ha_req *)data;

	return ha_put_request(msg, &r->p, &r->objs);
}

/*
 * Upper bounds: the policy nest 120 bytes with both keys, a node 168
 * (IPv6 sync, destination and full NAT addresses, a 31-byte name, 8
 * backups).  256 nodes: 50 KiB, more than a page.
 */
static int send_ha(const char *file, struct ha_req *r)
{
	size_t size = 256 + 128 + r->p.nnode * 200;

	r->objs.file = file;
	return run_file_request(SVCGW_CMD_HA_SET, put_ha, r, size, &r->objs,
				1 + r->p.nnode);
}

int cmd_ha_set(int argc, char **argv)
{
	char err[HA_ERR_MAX];
	struct ha_req r;
	size_t len = 0;
	char *text;
	FILE *f;
	int ret;

	if (argc != 1) {
		pr_err("ha set takes one FILE (- for stdin)");
		return -1;
	}
	f = strcmp(argv[0], "-") ? fopen(argv[0], "r") : stdin;
	if (!f) {
		pr_err("cannot open %s: %s", argv[0], strerror(errno));
		return -1;
	}
	set_where(argv[0], 0);
	text = read_all(f, &len);
	set_where(NULL, 0);
	if (f != stdin)
		fclose(f);
	if (!text)
		return -1;
	memset(&r, 0, sizeof(r));
	ret = ha_file_parse(argv[0], text, len, &r.p, err, sizeof(err));
	/* The file holds the keys. */
	explicit_bzero(text, len);
	free(text);
	if (ret) {
		pr_err("%s", err);
		return -1;
	}
	set_where(argv[0], 0);
	ret = send_ha(argv[0], &r);
	set_where(NULL, 0);
	ha_policy_free(&r.p);
	return ret;
}

/* show */

static const struct nla_policy ha_policy[SVCGW_HA_A_MAX + 1] = {
	[SVCGW_HA_A_GEN]		= { .minlen = 8 },
	[SVCGW_HA_A_LOCAL]		= { .minlen = 4 },
	[SVCGW_HA_A_PORT]		= { .minlen = 2 },
	[SVCGW_HA_A_KEY_ID]		= { .minlen = 4 },
	[SVCGW_HA_A_PREV_KEY_ID]	= { .minlen = 4 },
	[SVCGW_HA_A_NNODES]		= { .minlen = 4 },
	[SVCGW_HA_A_STALE]		= { .minlen = 4 },
	[SVCGW_HA_A_AGE_MS]		= { .minlen = 4 },
	[SVCGW_HA_A_SYNC]		= { .type = NLA_NESTED },
};

static const struct nla_policy node_policy[SVCGW_HA_NODE_A_MAX + 1] = {
	[SVCGW_HA_NODE_A_ID]		= { .minlen = 4 },
	[SVCGW_HA_NODE_A_NAME]		= { .type = NLA_STRING },
	[SVCGW_HA_NODE_A_FAMILY]	= { .minlen = 2 },
	[SVCGW_HA_NODE_A_DEST_FAMILY]	= { .minlen = 2 },
	[SVCGW_HA_NODE_A_FNAT_FAMILY]	= { .minlen = 2 },
	[SVCGW_HA_NODE_A_STATE]		= { .minlen = 1 },
	[SVCGW_HA_NODE_A_STATE_GEN]	= { .minlen = 8 },
	[SVCGW_HA_NODE_A_PEER]		= { .type = NLA_NESTED },
};

/* Counters are u64; as for SVCGW_A_STATS, a u32 is taken too. */
static const struct nla_policy sync_policy[SVCGW_HA_SYNC_A_MAX + 1] = {
	[SVCGW_HA_SYNC_A_QUEUED]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_QUEUE_DROPPED]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_RX_QUEUE_FULL]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_TRUNCATED]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_BAD_MAGIC]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_BAD_VERSION]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_BAD_TYPE]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_BAD_FIELD]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_BAD_LENGTH]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_NO_KEY]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_FORGED]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_BAD_RECORD]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_NOT_PEER]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_REPLICAS]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_ADOPTED]	= { .minlen = 4 },
	[SVCGW_HA_SYNC_A_CHANNEL]	= { .minlen = 8 },
};

static const struct nla_policy peer_policy[SVCGW_HA_PEER_A_MAX + 1] = {
	[SVCGW_HA_PEER_A_TX_STATE]	= { .minlen = 1 },
	[SVCGW_HA_PEER_A_SYNCED]	= { .minlen = 1 },
	[SVCGW_HA_PEER_A_UNACKED]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_TX_DGRAMS]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_TX_RECORDS]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_TX_RETRANS]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_TX_ACKED]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_TX_ERRORS]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_TX_LOST]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_TX_BULKS]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_TX_BULK_RECORDS] = { .minlen = 4 },
	[SVCGW_HA_PEER_A_RX_DGRAMS]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_RX_RECORDS]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_RX_OTHER_EPOCH] = { .minlen = 4 },
	[SVCGW_HA_PEER_A_RX_REPLAYED]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_RX_AHEAD]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_RX_NO_SERVICE]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_RX_NO_SERVER]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_RX_CONFLICT]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_RX_FULL]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_RX_BULKS]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_RX_EPOCHS]	= { .minlen = 4 },
	[SVCGW_HA_PEER_A_RX_SINCE]	= { .minlen = 8 },
};

/*
 * A counter of the SYNC or PEER nest: where it goes in struct ha_sync or
 * struct ha_peer, its word in text output (after the previous one of its
 * line) and its JSON key, the uapi name in lower case.  In uapi order.
 */
struct ha_counter {
	int attr;
	size_t off;
	const char *text;
	const char *json;
};

#define SYNC_CTR(attr, field, text) \
	{ SVCGW_HA_SYNC_A_##attr, offsetof(struct ha_sync, field), text, \
	  #field }
#define PEER_CTR(attr, field, text) \
	{ SVCGW_HA_PEER_A_##attr, offsetof(struct ha_peer, field), text, \
	  #field }

/* The refusals, from truncated to not_peer, go on a line of their own. */
static const struct ha_counter sync_counters[] = {
	SYNC_CTR(QUEUED, queued, "queued"),
	SYNC_CTR(QUEUE_DROPPED, queue_dropped, "dropped"),
	SYNC_CTR(RX_QUEUE_FULL, rx_queue_full, "rx-queue-full"),
	SYNC_CTR(TRUNCATED, truncated, "truncated"),
	SYNC_CTR(BAD_MAGIC, bad_magic, "bad-magic"),
	SYNC_CTR(BAD_VERSION, bad_version, "bad-version"),
	SYNC_CTR(BAD_TYPE, bad_type, "bad-type"),
	SYNC_CTR(BAD_FIELD, bad_field, "bad-field"),
	SYNC_CTR(BAD_LENGTH, bad_length, "bad-length"),
	SYNC_CTR(NO_KEY, no_key, "no-key"),
	SYNC_CTR(FORGED, forged, "forged"),
	SYNC_CTR(BAD_RECORD, bad_record, "bad-record"),
	SYNC_CTR(NOT_PEER, not_peer, "not-peer"),
	SYNC_CTR(REPLICAS, replicas, "replicas"),
	SYNC_CTR(ADOPTED, adopted, "adopted"),
};

/* The stream to the peer (tx_*) on one line, the one from it on another. */
static const struct ha_counter peer_counters[] = {
	PEER_CTR(TX_DGRAMS, tx_dgrams, "sent"),
	PEER_CTR(TX_RECORDS, tx_records, "records"),
	PEER_CTR(TX_RETRANS, tx_retrans, "retransmitted"),
	PEER_CTR(TX_ACKED, tx_acked, "acked"),
	PEER_CTR(TX_ERRORS, tx_errors, "errors"),
	PEER_CTR(TX_LOST, tx_lost, "lost"),
	PEER_CTR(TX_BULKS, tx_bulks, "bulks"),
	PEER_CTR(TX_BULK_RECORDS, tx_bulk_records, "bulk-records"),
	PEER_CTR(RX_DGRAMS, rx_dgrams, "received"),
	PEER_CTR(RX_RECORDS, rx_records, "records"),
	PEER_CTR(RX_OTHER_EPOCH, rx_other_epoch, "other-epoch"),
	PEER_CTR(RX_REPLAYED, rx_replayed, "replayed"),
	PEER_CTR(RX_AHEAD, rx_ahead, "ahead"),
	PEER_CTR(RX_NO_SERVICE, rx_no_service, "no-service"),
	PEER_CTR(RX_NO_SERVER, rx_no_server, "no-server"),
	PEER_CTR(RX_CONFLICT, rx_conflict, "conflict"),
	PEER_CTR(RX_FULL, rx_full, "full"),
	PEER_CTR(RX_BULKS, rx_bulks, "bulks"),
	PEER_CTR(RX_EPOCHS, rx_epochs, "epochs"),
};

static bool sync_refusal(const struct ha_counter *c)
{
	return c->attr >= SVCGW_HA_SYNC_A_TRUNCATED &&
	       c->attr <= SVCGW_HA_SYNC_A_NOT_PEER;
}

static bool peer_tx(const struct ha_counter *c)
{
	return c->attr <= SVCGW_HA_PEER_A_TX_BULK_RECORDS;
}

static uint64_t *ctr(void *s, const struct ha_counter *c)
{
	return (uint64_t *)((char *)s + c->off);
}

static uint64_t ctr_val(const void *s, const struct ha_counter *c)
{
	return *(const uint64_t *)((const char *)s + c->off);
}

/* The counters of @tab that @a holds, into @s; those absent stay 0. */
static void get_counters(void *s, const struct ha_counter *tab, size_t n,
			 struct nlattr **a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[tab[i].attr])
			*ctr(s, &tab[i]) = gw_get_uint(a[tab[i].attr]);
}

static int reply_sync(struct ha_sync *s, struct nlattr *nest)
{
	struct nlattr *a[SVCGW_HA_SYNC_A_MAX + 1];

	if (nla_parse_nested(a, SVCGW_HA_SYNC_A_MAX, nest, sync_policy) < 0)
		return gw_malformed("HA sync counters");
	memset(s, 0, sizeof(*s));
	get_counters(s, sync_counters, ARRAY_SIZE(sync_counters), a);
	if (a[SVCGW_HA_SYNC_A_CHANNEL])
		s->channel = nla_get_u64(a[SVCGW_HA_SYNC_A_CHANNEL]);
	return 0;
}

static int reply_peer(struct ha_peer *pe, struct nlattr *nest)
{
	struct nlattr *a[SVCGW_HA_PEER_A_MAX + 1];

	if (nla_parse_nested(a, SVCGW_HA_PEER_A_MAX, nest, peer_policy) < 0)
		return gw_malformed("HA node peer");
	memset(pe, 0, sizeof(*pe));
	if (a[SVCGW_HA_PEER_A_TX_STATE])
		pe->tx_state = nla_get_u8(a[SVCGW_HA_PEER_A_TX_STATE]);
	if (a[SVCGW_HA_PEER_A_SYNCED])
		pe->synced = nla_get_u8(a[SVCGW_HA_PEER_A_SYNCED]);
	if (a[SVCGW_HA_PEER_A_UNACKED])
		pe->unacked = nla_get_u32(a[SVCGW_HA_PEER_A_UNACKED]);
	get_counters(pe, peer_counters, ARRAY_SIZE(peer_counters), a);
	if (a[SVCGW_HA_PEER_A_RX_SINCE])
		pe->rx_since = nla_get_u64(a[SVCGW_HA_PEER_A_RX_SINCE]);
	return 0;
}

static int reply_ha(struct ha_policy *p, struct nlattr *nest)
{
	struct nlattr *a[SVCGW_HA_A_MAX + 1];

	if (p->line)
		return gw_malformed("HA reply (two policies)");
	if (nla_parse_nested(a, SVCGW_HA_A_MAX, nest, ha_policy) < 0 ||
	    !a[SVCGW_HA_A_GEN])
		return gw_malformed("HA policy");
	p->line = 1;
	p->gen = nla_get_u64(a[SVCGW_HA_A_GEN]);
	p->has_local = a[SVCGW_HA_A_LOCAL];
	if (p->has_local)
		p->local = nla_get_u32(a[SVCGW_HA_A_LOCAL]);
	p->has_port = a[SVCGW_HA_A_PORT];
	p->port = p->has_port ? nla_get_u16(a[SVCGW_HA_A_PORT]) :
				SVCGW_HA_PORT_DEFAULT;
	if (a[SVCGW_HA_A_KEY_ID])
		p->key_id = nla_get_u32(a[SVCGW_HA_A_KEY_ID]);
	p->has_prev = a[SVCGW_HA_A_PREV_KEY_ID];
	if (p->has_prev)
		p->prev_key_id = nla_get_u32(a[SVCGW_HA_A_PREV_KEY_ID]);
	if (a[SVCGW_HA_A_NNODES])
		p->nnodes = nla_get_u32(a[SVCGW_HA_A_NNODES]);
	if (a[SVCGW_HA_A_STALE])
		p->stale = gw_get_uint(a[SVCGW_HA_A_STALE]);
	p->has_age = a[SVCGW_HA_A_AGE_MS];
	if (p->has_age)
		p->age_ms = gw_get_uint(a[SVCGW_HA_A_AGE_MS]);
	p->has_sync = a[SVCGW_HA_A_SYNC];
	if (p->has_sync && reply_sync(&p->sync, a[SVCGW_HA_A_SYNC]))
		return -1;
	return 0;
}

static int reply_node(struct ha_policy *p, struct nlattr *nest)
{
	struct nlattr *a[SVCGW_HA_NODE_A_MAX + 1], *b;
	struct ha_node n, *q;

	memset(&n, 0, sizeof(n));
	if (nla_parse_nested(a, SVCGW_HA_NODE_A_MAX, nest, node_policy) < 0 ||
	    !a[SVCGW_HA_NODE_A_ID] ||
	    gw_get_ep(a[SVCGW_HA_NODE_A_FAMILY], a[SVCGW_HA_NODE_A_SYNC_ADDR],
		      NULL, &n.sync))
		return gw_malformed("HA node");
	n.id = nla_get_u32(a[SVCGW_HA_NODE_A_ID]);
	if (a[SVCGW_HA_NODE_A_NAME])
		snprintf(n.name, sizeof(n.name), "%s",
			 (const char *)nla_data(a[SVCGW_HA_NODE_A_NAME]));
	n.has_dest = a[SVCGW_HA_NODE_A_DEST_FAMILY] &&
		     a[SVCGW_HA_NODE_A_DEST_ADDR];
	if (n.has_dest && gw_get_ep(a[SVCGW_HA_NODE_A_DEST_FAMILY],
				    a[SVCGW_HA_NODE_A_DEST_ADDR], NULL,
				    &n.dest))
		return gw_malformed("HA node destination");
	/* An empty address would be none, as a service's full NAT. */
	n.has_fnat = a[SVCGW_HA_NODE_A_FNAT_FAMILY] &&
		     a[SVCGW_HA_NODE_A_FNAT_ADDR] &&
		     nla_len(a[SVCGW_HA_NODE_A_FNAT_ADDR]);
	if (n.has_fnat && gw_get_ep(a[SVCGW_HA_NODE_A_FNAT_FAMILY],
				    a[SVCGW_HA_NODE_A_FNAT_ADDR], NULL,
				    &n.fnat))
		return gw_malformed("HA node full NAT address");
	b = a[SVCGW_HA_NODE_A_BACKUPS];
	if (b) {
		if (nla_len(b) % sizeof(n.backup[0]) ||
		    (size_t)nla_len(b) > sizeof(n.backup))
			return gw_malformed("HA node backups");
		n.nbackup = nla_len(b) / sizeof(n.backup[0]);
		memcpy(n.backup, nla_data(b), nla_len(b));
	}
	n.has_state = a[SVCGW_HA_NODE_A_STATE];
	if (n.has_state)
		n.state = nla_get_u8(a[SVCGW_HA_NODE_A_STATE]);
	if (a[SVCGW_HA_NODE_A_STATE_GEN])
		n.state_gen = nla_get_u64(a[SVCGW_HA_NODE_A_STATE_GEN]);
	n.has_peer = a[SVCGW_HA_NODE_A_PEER];
	if (n.has_peer && reply_peer(&n.peer, a[SVCGW_HA_NODE_A_PEER]))
		return -1;
	if (!(p->nnode & (p->nnode - 1))) {
		q = realloc(p->node, (p->nnode ? 2 * p->nnode : 1) *
				     sizeof(*p->node));
		if (!q) {
			pr_err("out of memory");
			return -1;
		}
		p->node = q;
	}
	p->node[p->nnode++] = n;
	return 0;
}

/*
 * The policy and every node of an HA_GET reply message, added to @p
 * (zeroed before the first message); 0, or -1 once the error is printed.
 * SVCGW_A_HA_NODE repeats at the top level: the message is walked.
 */
int ha_parse_reply(struct nlmsghdr *nlh, struct ha_policy *p)
{
	struct genlmsghdr *g;
	struct nlattr *a;
	int rem;

	if (!genlmsg_valid_hdr(nlh, 0))
		return gw_malformed("HA reply");
	g = genlmsg_hdr(nlh);
	nla_for_each_attr(a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0),
			  rem) {
		if (nla_type(a) == SVCGW_A_HA && reply_ha(p, a))
			return -1;
		if (nla_type(a) == SVCGW_A_HA_NODE && reply_node(p, a))
			return -1;
	}
	return 0;
}

/* gw_reply_fn of "ha show": @tb holds one node, the message all. */
static int ha_reply(struct nlattr **tb, void *arg)
{
	(void)tb;
	if (!gw_reply_hdr)
		return gw_malformed("HA reply");
	return ha_parse_reply(gw_reply_hdr, arg);
}

static int put_nothing(struct nl_msg *msg, const void *req)
{
	(void)msg;
	(void)req;
	return 0;
}

/* The name of node @id in the reply, "?" if it holds none. */
static const char *node_name(const struct ha_policy *p, uint32_t id)
{
	const struct ha_node *n = ha_find_node(p, id);

	return n && n->name[0] ? n->name : "?";
}

/* Names come from whoever set the policy: one line, no escapes. */
static void put_clean(FILE *fp, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s <= ' ' || *s == 0x7f ? '?' : *s, fp);
}

static const char *const tx_states[] = {
	[SVCGW_HA_TX_HELLO]	= "hello",
	[SVCGW_HA_TX_BULK]	= "bulk",
	[SVCGW_HA_TX_UP]	= "up",
};

/* "hello", "bulk", "up", else the number in @buf. */
static const char *tx_state_str(unsigned int state, char *buf, size_t size)
{
	if (state < ARRAY_SIZE(tx_states))
		return tx_states[state];
	snprintf(buf, size, "%u", state);
	return buf;
}

/*
 * The two lines of a node that is a sync peer:
 *
 *	peer tx STATE unacked N sent N records N ... bulk-records N
 *	peer rx synced yes|no received N records N ... epochs N
 */
static void print_peer_text(FILE *fp, const struct ha_peer *pe)
{
	char st[NUM_STRLEN];
	size_t i;

	fprintf(fp, "\tpeer tx %s unacked %" PRIu32,
		tx_state_str(pe->tx_state, st, sizeof(st)), pe->unacked);
	for (i = 0; i < ARRAY_SIZE(peer_counters); i++) {
		const struct ha_counter *c = &peer_counters[i];

		if (!peer_tx(c))
			break;
		fprintf(fp, " %s %" PRIu64, c->text, ctr_val(pe, c));
	}
	fprintf(fp, "\n\tpeer rx synced %s", pe->synced ? "yes" : "no");
	for (; i < ARRAY_SIZE(peer_counters); i++) {
		const struct ha_counter *c = &peer_counters[i];

		fprintf(fp, " %s %" PRIu64, c->text, ctr_val(pe, c));
	}
	fputc('\n', fp);
}

/*
 * This node's sync channel, after the nodes:
 *
 *	sync: queued N dropped N rx-queue-full N replicas N adopted N
 *		refused: REASON N ...	(those not 0) or: none refused
 */
static void print_sync_text(FILE *fp, const struct ha_sync *sy)
{
	const struct ha_counter *c;
	bool refused = false;

	fputs("sync:", fp);
	for (c = sync_counters; c < sync_counters + ARRAY_SIZE(sync_counters);
	     c++)
		if (!sync_refusal(c))
			fprintf(fp, " %s %" PRIu64, c->text, ctr_val(sy, c));
	fputs("\n\t", fp);
	for (c = sync_counters; c < sync_counters + ARRAY_SIZE(sync_counters);
	     c++) {
		if (!sync_refusal(c) || !ctr_val(sy, c))
			continue;
		fprintf(fp, "%s %s %" PRIu64, refused ? "" : "refused:",
			c->text, ctr_val(sy, c));
		refused = true;
	}
	fputs(refused ? "\n" : "none refused\n", fp);
}

/*
 * "ha show": the policy's line, then a line a node (and two more for a
 * sync peer), then the sync channel's block when the node replicates.
 */
void ha_print_text(FILE *fp, const struct ha_policy *p)
{
	char buf[EP_STRLEN], st[NUM_STRLEN];
	size_t i, k;

	fprintf(fp, "ha generation %" PRIu64 " local %" PRIu32 " (", p->gen,
		p->local);
	if (p->local)
		put_clean(fp, node_name(p, p->local));
	else
		fputs("forwarder", fp);
	fprintf(fp, ") port %u key-id %" PRIu32, p->port, p->key_id);
	if (p->has_prev)
		fprintf(fp, " prev-key-id %" PRIu32, p->prev_key_id);
	fprintf(fp, " nodes %" PRIu32 " stale %" PRIu64, p->nnodes, p->stale);
	if (p->has_age)
		fprintf(fp, " (since %" PRIu64 ".%" PRIu64 " s)",
			p->age_ms / 1000, p->age_ms % 1000 / 100);
	fputc('\n', fp);
	for (i = 0; i < p->nnode; i++) {
		const struct ha_node *n = &p->node[i];

		fputs("node ", fp);
		put_clean(fp, n->name);
		fprintf(fp, " id %" PRIu32 " sync %s", n->id,
			format_addr(&n->sync, buf, sizeof(buf)));
		fprintf(fp, " dest %s", format_addr(n->has_dest ? &n->dest :
						    &n->sync, buf,
						    sizeof(buf)));
		if (n->has_fnat)
			fprintf(fp, " fnat %s", format_addr(&n->fnat, buf,
							    sizeof(buf)));
		fputs(" backups ", fp);
		for (k = 0; k < n->nbackup; k++)
			fprintf(fp, "%s%" PRIu32, k ? "," : "", n->backup[k]);
		fputs(" (", fp);
		for (k = 0; k < n->nbackup; k++) {
			if (k)
				fputc(',', fp);
			put_clean(fp, node_name(p, n->backup[k]));
		}
		fprintf(fp, ") state %s generation %" PRIu64 "\n",
			ha_state_str(n->state, st, sizeof(st)), n->state_gen);
		if (n->has_peer)
			print_peer_text(fp, &n->peer);
	}
	if (p->has_sync)
		print_sync_text(fp, &p->sync);
}

/* Every counter of @tab in @s, as members of the open object. */
static void json_counters(struct json *j, const void *s,
			  const struct ha_counter *tab, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_uint(j, tab[i].json, ctr_val(s, &tab[i]));
}

/* "-j ha show": one object. */
void ha_print_json(FILE *fp, bool pretty, const struct ha_policy *p)
{
	char buf[EP_STRLEN], st[NUM_STRLEN];
	const struct ha_node *b;
	struct json j;
	size_t i, k;

	json_init(&j, fp, pretty);
	json_open_object(&j, NULL);
	json_uint(&j, "generation", p->gen);
	json_uint(&j, "local", p->local);
	json_uint(&j, "port", p->port);
	json_uint(&j, "key_id", p->key_id);
	if (p->has_prev)
		json_uint(&j, "prev_key_id", p->prev_key_id);
	json_uint(&j, "nnodes", p->nnodes);
	json_uint(&j, "stale", p->stale);
	if (p->has_age)
		json_uint(&j, "age_ms", p->age_ms);
	if (p->has_sync) {
		json_open_object(&j, "sync");
		json_counters(&j, &p->sync, sync_counters,
			      ARRAY_SIZE(sync_counters));
		json_close_object(&j);
	}
	json_open_array(&j, "nodes");
	for (i = 0; i < p->nnode; i++) {
		const struct ha_node *n = &p->node[i];

		json_open_object(&j, NULL);
		json_str(&j, "name", n->name);
		json_uint(&j, "id", n->id);
		json_str(&j, "sync", format_addr(&n->sync, buf, sizeof(buf)));
		json_str(&j, "dest", format_addr(n->has_dest ? &n->dest :
						 &n->sync, buf, sizeof(buf)));
		if (n->has_fnat)
			json_str(&j, "fnat",
				 format_addr(&n->fnat, buf, sizeof(buf)));
		json_open_array(&j, "backups");
		for (k = 0; k < n->nbackup; k++) {
			json_open_object(&j, NULL);
			json_uint(&j, "id", n->backup[k]);
			b = ha_find_node(p, n->backup[k]);
			if (b)
				json_str(&j, "name", b->name);
			json_close_object(&j);
		}
		json_close_array(&j);
		json_str(&j, "state", ha_state_str(n->state, st, sizeof(st)));
		json_uint(&j, "state_generation", n->state_gen);
		if (n->has_peer) {
			json_open_object(&j, "peer");
			json_str(&j, "tx_state",
				 tx_state_str(n->peer.tx_state, st,
					      sizeof(st)));
			json_bool(&j, "synced", n->peer.synced);
			json_uint(&j, "unacked", n->peer.unacked);
			json_counters(&j, &n->peer, peer_counters,
				      ARRAY_SIZE(peer_counters));
			json_close_object(&j);
		}
		json_close_object(&j);
	}
	json_close_array(&j);
	json_close_object(&j);
	json_end(&j);
}

/*
 * As "policy show" without a set: a namespace without an HA policy
 * (ENOENT) is no error, "no HA policy" (JSON null).
 */
int cmd_ha_show(int argc, char **argv)
{
	struct ha_policy p;
	int err;

	if (no_args(argc, argv))
		return -1;
	memset(&p, 0, sizeof(p));
	gw_quiet_errno = ENOENT;
	err = gw_run(SVCGW_CMD_HA_GET, false, put_nothing, NULL, ha_reply,
		     &p);
	gw_quiet_errno = 0;
	if (err == -ENOENT) {
		puts(opts.json ? "null" : "no HA policy");
		err = 0;
	} else if (!err && !p.line) {
		err = gw_malformed("HA reply (no policy)");
	} else if (!err) {
		if (!p.nnodes)
			p.nnodes = p.nnode;
		if (opts.json)
			ha_print_json(stdout, opts.pretty, &p);
		else
			ha_print_text(stdout, &p);
	}
	ha_policy_free(&p);
	return err < 0 ? -1 : 0;
}

/* node */

/* The attributes of SVCGW_CMD_HA_NODE_SET: gw_build_fn of "ha node". */
int ha_put_notice(struct nl_msg *msg, const void *req)
{
	const struct ha_notice *n = req;
	struct nlattr *nest = nla_nest_start(msg,
					     SVCGW_A_HA_NODE | NLA_F_NESTED);

	if (!nest || nla_put_u32(msg, SVCGW_HA_NODE_A_ID, n->id) < 0 ||
	    nla_put_u8(msg, SVCGW_HA_NODE_A_STATE, n->state) < 0 ||
	    nla_put_u64(msg, SVCGW_HA_NODE_A_STATE_GEN, n->gen) < 0)
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

int cmd_ha_node(int argc, char **argv)
{
	char err[HA_ERR_MAX];
	struct ha_notice n;

	if (ha_notice_parse(argc, argv, &n, err, sizeof(err))) {
		pr_err("%s", err);
		return -1;
	}
	return gw_run(SVCGW_CMD_HA_NODE_SET, false, ha_put_notice, &n, NULL,
		      NULL) < 0 ? -1 : 0;
}

/* del */

int ha_put_del(struct nl_msg *msg, const void *req)
{
	struct nlattr *nest = nla_nest_start(msg, SVCGW_A_HA | NLA_F_NESTED);

	if (!nest || nla_put_u64(msg, SVCGW_HA_A_GEN,
				 *(const uint64_t *)req) < 0)
		return -1;
	nla_nest_end(msg, nest);
	return 0;
}

int cmd_ha_del(int argc, char **argv)
{
	char err[HA_ERR_MAX];
	uint64_t gen;

	if (ha_del_parse(argc, argv, &gen, err, sizeof(err))) {
		pr_err("%s", err);
		return -1;
	}
	return gw_run(SVCGW_CMD_HA_DEL, false, ha_put_del, &gen, NULL,
		      NULL) < 0 ? -1 : 0;
}
