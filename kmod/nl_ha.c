// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink handlers of the HA policy (uapi/linux/svcgw.h, "High
 * availability"): SVCGW_CMD_HA_SET (the whole policy, parsed and checked
 * here, swapped in by ha.c), SVCGW_CMD_HA_GET (it, without its keys) and
 * SVCGW_CMD_HA_NODE_SET (the controller's notice of a node's state) and
 * SVCGW_CMD_HA_DEL (no policy any more).
 */
#include <linux/slab.h>
#include <linux/math64.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>

#include "nl.h"
#include "genl.h"
#include "ha.h"
#include "sync.h"
#include "policy.h"

/* An optional address pair of a node nest: none (family 0) if absent. */
static int parse_opt_addr(struct nlattr *a, struct nlattr **tb, int fa,
			  int aa, struct svcgw_key *key,
			  struct netlink_ext_ack *extack)
{
	memset(key, 0, sizeof(*key));
	if (!tb[fa] && !tb[aa])
		return 0;
	return svcgw_nl_parse_addr(a, tb, fa, aa, SVCGW_NL_HA_NODE, key,
				   extack);
}

static int parse_node(struct nlattr *a, struct svcgw_ha_node *n,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SVCGW_HA_NODE_A_MAX + 1];
	unsigned int i, j, len;
	int err;

	err = nla_parse_nested(tb, SVCGW_HA_NODE_A_MAX, a, NULL, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, a, tb, SVCGW_HA_NODE_A_ID) ||
	    NL_REQ_ATTR_CHECK(extack, a, tb, SVCGW_HA_NODE_A_NAME) ||
	    NL_REQ_ATTR_CHECK(extack, a, tb, SVCGW_HA_NODE_A_BACKUPS)) {
		NL_SET_ERR_MSG(extack, "an HA node needs an id, a name and its backups");
		return -EINVAL;
	}
	if (tb[SVCGW_HA_NODE_A_STATE] || tb[SVCGW_HA_NODE_A_STATE_GEN]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_HA_NODE_A_STATE] ?:
				    tb[SVCGW_HA_NODE_A_STATE_GEN],
				    "a node's state comes by SVCGW_CMD_HA_NODE_SET");
		return -EINVAL;
	}
	n->id = nla_get_u32(tb[SVCGW_HA_NODE_A_ID]);
	nla_strscpy(n->name, tb[SVCGW_HA_NODE_A_NAME], sizeof(n->name));
	if (!n->name[0]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_HA_NODE_A_NAME],
				    "an HA node's name is empty");
		return -EINVAL;
	}
	err = svcgw_nl_parse_addr(a, tb, SVCGW_HA_NODE_A_FAMILY,
				  SVCGW_HA_NODE_A_SYNC_ADDR, SVCGW_NL_HA_NODE,
				  &n->sync, extack);
	if (err)
		return err;
	err = parse_opt_addr(a, tb, SVCGW_HA_NODE_A_DEST_FAMILY,
			     SVCGW_HA_NODE_A_DEST_ADDR, &n->dest, extack);
	if (err)
		return err;
	if (!n->dest.family)
		n->dest = n->sync;
	err = parse_opt_addr(a, tb, SVCGW_HA_NODE_A_FNAT_FAMILY,
			     SVCGW_HA_NODE_A_FNAT_ADDR, &n->fnat, extack);
	if (err)
		return err;
	len = nla_len(tb[SVCGW_HA_NODE_A_BACKUPS]);
	if (!len || len % sizeof(u32)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_HA_NODE_A_BACKUPS],
				    "backups: 1 to 8 node ids of 4 bytes");
		return -EINVAL;
	}
	n->nbackups = len / sizeof(u32);
	nla_memcpy(n->backups, tb[SVCGW_HA_NODE_A_BACKUPS], len);
	for (i = 0; i < n->nbackups; i++) {
		if (n->backups[i] == n->id) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_HA_NODE_A_BACKUPS],
					    "a node is not its own backup");
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (n->backups[j] == n->backups[i]) {
				NL_SET_ERR_MSG_ATTR(extack,
						    tb[SVCGW_HA_NODE_A_BACKUPS],
						    "a backup given twice");
				return -EINVAL;
			}
	}
	return 0;
}

/* Ids and names once each, backups among the nodes, one sync family. */
static int check_nodes(const struct svcgw_ha *ha, struct nlattr **nodes,
		       struct netlink_ext_ack *extack)
{
	unsigned int i, j, k;

	for (i = 0; i < ha->nnodes; i++) {
		const struct svcgw_ha_node *n = &ha->nodes[i];

		if (n->sync.family != ha->nodes[0].sync.family) {
			NL_SET_ERR_MSG_ATTR(extack, nodes[i],
					    "the nodes' sync addresses are of two families");
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (ha->nodes[j].id == n->id ||
			    !strcmp(ha->nodes[j].name, n->name)) {
				NL_SET_ERR_MSG_ATTR(extack, nodes[i],
						    "an HA node's id or name given twice");
				return -EINVAL;
			}
		for (k = 0; k < n->nbackups; k++)
			if (!svcgw_ha_node_find(ha, n->backups[k])) {
				NL_SET_ERR_MSG_ATTR(extack, nodes[i],
						    "a backup that is no node of the policy");
				return -EINVAL;
			}
	}
	if (ha->local && !svcgw_ha_node_find(ha, ha->local)) {
		NL_SET_ERR_MSG(extack, "the local node is no node of the policy");
		return -EINVAL;
	}
	return 0;
}

int svcgw_nl_ha_set(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[SVCGW_HA_A_MAX + 1], **nodes = NULL, *a;
	unsigned int n = 0;
	struct svcgw_ha *ha = NULL;
	int rem, err;

	if (GENL_REQ_ATTR_CHECK(info, SVCGW_A_HA)) {
		NL_SET_ERR_MSG(extack, "SVCGW_A_HA is required");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCGW_HA_A_MAX, info->attrs[SVCGW_A_HA],
			       NULL, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, info->attrs[SVCGW_A_HA], tb,
			      SVCGW_HA_A_GEN) ||
	    NL_REQ_ATTR_CHECK(extack, info->attrs[SVCGW_A_HA], tb,
			      SVCGW_HA_A_KEY_ID) ||
	    NL_REQ_ATTR_CHECK(extack, info->attrs[SVCGW_A_HA], tb,
			      SVCGW_HA_A_KEY)) {
		NL_SET_ERR_MSG(extack, "an HA policy needs a generation and a key with its id");
		return -EINVAL;
	}
	if (!tb[SVCGW_HA_A_PREV_KEY_ID] != !tb[SVCGW_HA_A_PREV_KEY]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_HA_A_PREV_KEY_ID] ?:
				    tb[SVCGW_HA_A_PREV_KEY],
				    "the previous key comes with its id");
		return -EINVAL;
	}
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem)
		if (nla_type(a) == SVCGW_A_HA_NODE)
			n++;
	if (!n || n > SVCGW_HA_NODES_MAX) {
		NL_SET_ERR_MSG(extack, "an HA policy has 1 to 256 nodes");
		return -EINVAL;
	}
	ha = svcgw_ha_alloc(n);
	nodes = kcalloc(n, sizeof(*nodes), GFP_KERNEL);
	if (!ha || !nodes) {
		err = -ENOMEM;
		goto out;
	}
	ha->gen = nla_get_u64(tb[SVCGW_HA_A_GEN]);
	ha->local = tb[SVCGW_HA_A_LOCAL] ? nla_get_u32(tb[SVCGW_HA_A_LOCAL]) : 0;
	ha->port = tb[SVCGW_HA_A_PORT] ? nla_get_u16(tb[SVCGW_HA_A_PORT]) :
		   SVCGW_HA_PORT_DEFAULT;
	ha->key_id = nla_get_u32(tb[SVCGW_HA_A_KEY_ID]);
	nla_memcpy(ha->key, tb[SVCGW_HA_A_KEY], SVCGW_HA_KEY_LEN);
	if (tb[SVCGW_HA_A_PREV_KEY]) {
		ha->has_prev = true;
		ha->prev_key_id = nla_get_u32(tb[SVCGW_HA_A_PREV_KEY_ID]);
		nla_memcpy(ha->prev_key, tb[SVCGW_HA_A_PREV_KEY],
			   SVCGW_HA_KEY_LEN);
		if (ha->prev_key_id == ha->key_id) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_HA_A_PREV_KEY_ID],
					    "the previous key's id is the current one's");
			err = -EINVAL;
			goto out;
		}
	}
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != SVCGW_A_HA_NODE)
			continue;
		nodes[ha->nnodes] = a;
		err = parse_node(a, &ha->nodes[ha->nnodes], extack);
		if (err)
			goto out;
		ha->nnodes++;
	}
	err = check_nodes(ha, nodes, extack);
	if (err)
		goto out;
	err = svcgw_ha_replace(sn, ha, extack);
	if (!err) {
		ha = NULL;
		/* In force now; the forwarding groups and the channel
		 * follow (an error says why the channel could not, the
		 * policy stays).
		 */
		mutex_lock(&sn->lock);
		svcgw_pset_ha_update(sn);
		mutex_unlock(&sn->lock);
		err = svcgw_sync_apply(sn, extack);
	}
out:
	kfree(nodes);
	if (ha)
		svcgw_ha_free(ha);
	return err;
}

int svcgw_nl_ha_del(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[SVCGW_HA_A_MAX + 1];
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SVCGW_A_HA)) {
		NL_SET_ERR_MSG(extack, "SVCGW_A_HA is required");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCGW_HA_A_MAX, info->attrs[SVCGW_A_HA],
			       NULL, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, info->attrs[SVCGW_A_HA], tb,
			      SVCGW_HA_A_GEN)) {
		NL_SET_ERR_MSG(extack, "a removal needs a generation");
		return -EINVAL;
	}
	err = svcgw_ha_remove(sn, nla_get_u64(tb[SVCGW_HA_A_GEN]), extack);
	if (err)
		return err;
	/* The forwarding groups without backups, the channel stopped. */
	mutex_lock(&sn->lock);
	svcgw_pset_ha_update(sn);
	mutex_unlock(&sn->lock);
	return svcgw_sync_apply(sn, extack);
}

int svcgw_nl_ha_node_set(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[SVCGW_HA_NODE_A_MAX + 1], *a;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SVCGW_A_HA_NODE)) {
		NL_SET_ERR_MSG(extack, "SVCGW_A_HA_NODE is required");
		return -EINVAL;
	}
	a = info->attrs[SVCGW_A_HA_NODE];
	err = nla_parse_nested(tb, SVCGW_HA_NODE_A_MAX, a, NULL, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, a, tb, SVCGW_HA_NODE_A_ID) ||
	    NL_REQ_ATTR_CHECK(extack, a, tb, SVCGW_HA_NODE_A_STATE) ||
	    NL_REQ_ATTR_CHECK(extack, a, tb, SVCGW_HA_NODE_A_STATE_GEN)) {
		NL_SET_ERR_MSG(extack, "a node notice needs the node's id, its state and a node generation");
		return -EINVAL;
	}
	err = svcgw_ha_node_set(sn, nla_get_u32(tb[SVCGW_HA_NODE_A_ID]),
				nla_get_u8(tb[SVCGW_HA_NODE_A_STATE]),
				nla_get_u64(tb[SVCGW_HA_NODE_A_STATE_GEN]),
				extack);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	svcgw_pset_ha_update(sn);
	mutex_unlock(&sn->lock);
	svcgw_sync_nodes_changed(sn, nla_get_u32(tb[SVCGW_HA_NODE_A_ID]));
	return 0;
}

static int put_addr(struct sk_buff *msg, int fa, int aa,
		    const struct svcgw_key *k)
{
	if (!k->family)
		return 0;
	return nla_put_u16(msg, fa, k->family) ||
	       nla_put(msg, aa, k->family == AF_INET ? 4 : 16, &k->addr);
}

static int put_node(struct svcgw_net *sn, struct sk_buff *msg,
		    const struct svcgw_ha_node *n)
{
	struct nlattr *nest = nla_nest_start(msg, SVCGW_A_HA_NODE);

	if (!nest ||
	    nla_put_u32(msg, SVCGW_HA_NODE_A_ID, n->id) ||
	    nla_put_string(msg, SVCGW_HA_NODE_A_NAME, n->name) ||
	    put_addr(msg, SVCGW_HA_NODE_A_FAMILY, SVCGW_HA_NODE_A_SYNC_ADDR,
		     &n->sync) ||
	    put_addr(msg, SVCGW_HA_NODE_A_DEST_FAMILY,
		     SVCGW_HA_NODE_A_DEST_ADDR, &n->dest) ||
	    put_addr(msg, SVCGW_HA_NODE_A_FNAT_FAMILY,
		     SVCGW_HA_NODE_A_FNAT_ADDR, &n->fnat) ||
	    nla_put(msg, SVCGW_HA_NODE_A_BACKUPS, n->nbackups * sizeof(u32),
		    n->backups) ||
	    nla_put_u8(msg, SVCGW_HA_NODE_A_STATE, READ_ONCE(n->state)) ||
	    nla_put_u64_64bit(msg, SVCGW_HA_NODE_A_STATE_GEN,
			      READ_ONCE(n->state_gen), SVCGW_HA_NODE_A_PAD) ||
	    svcgw_sync_fill_peer(sn, msg, n->id))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * The policy in one reply: 256 nodes of about 120 bytes each fit a
 * 64 KiB message, so no dump is needed.
 */
int svcgw_nl_ha_get(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	const struct svcgw_ha *ha;
	struct nlattr *nest;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;
	int err = -EMSGSIZE;

	msg = nlmsg_new(NLMSG_GOODSIZE * 16, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &svcgw_genl_family, 0,
				SVCGW_CMD_HA_GET);
	if (!hdr)
		goto fail;
	mutex_lock(&sn->lock);
	ha = rcu_dereference_protected(sn->ha, lockdep_is_held(&sn->lock));
	if (!ha) {
		mutex_unlock(&sn->lock);
		NL_SET_ERR_MSG(info->extack, "no HA policy in this namespace");
		err = -ENOENT;
		goto fail;
	}
	nest = nla_nest_start(msg, SVCGW_A_HA);
	if (!nest ||
	    nla_put_u64_64bit(msg, SVCGW_HA_A_GEN, ha->gen, SVCGW_HA_A_PAD) ||
	    nla_put_u32(msg, SVCGW_HA_A_LOCAL, ha->local) ||
	    nla_put_u16(msg, SVCGW_HA_A_PORT, ha->port) ||
	    nla_put_u32(msg, SVCGW_HA_A_KEY_ID, ha->key_id) ||
	    (ha->has_prev &&
	     nla_put_u32(msg, SVCGW_HA_A_PREV_KEY_ID, ha->prev_key_id)) ||
	    nla_put_u32(msg, SVCGW_HA_A_NNODES, ha->nnodes) ||
	    nla_put_u64_64bit(msg, SVCGW_HA_A_STALE, sn->ha_stale,
			      SVCGW_HA_A_PAD) ||
	    nla_put_u64_64bit(msg, SVCGW_HA_A_AGE_MS,
			      div_u64(ktime_get_boottime_ns() - ha->since,
				      NSEC_PER_MSEC), SVCGW_HA_A_PAD) ||
	    svcgw_sync_fill(sn, msg)) {
		mutex_unlock(&sn->lock);
		goto fail;
	}
	nla_nest_end(msg, nest);
	for (i = 0; i < ha->nnodes; i++)
		if (put_node(sn, msg, &ha->nodes[i])) {
			mutex_unlock(&sn->lock);
			goto fail;
		}
	mutex_unlock(&sn->lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
fail:
	nlmsg_free(msg);
	return err;
}
