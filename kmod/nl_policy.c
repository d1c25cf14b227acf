// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink handlers of the forwarding policies: SVCGW_CMD_POLICY_SET_REPLACE
 * (a whole set, parsed and checked here, built and swapped in by policy.c)
 * and SVCGW_CMD_POLICY_GET (the set, its groups and policies, dumped).
 */
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/bsearch.h>
#include <linux/math64.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>

#include "nl.h"
#include "genl.h"
#include "policy.h"
#include "hooks.h"
#include "twin.h"
#include "maglev.h"

/* The later of two nests that name the same object, for the error. */
static const struct nlattr *later(const struct nlattr *a,
				  const struct nlattr *b)
{
	return a > b ? a : b;
}

/* One destination nest of group @g into @d. */
static int parse_dest(struct nlattr *a, const struct svcgw_pset_group *g,
		      struct svcgw_pset_dest *d, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SVCGW_SRV_A_MAX + 1];
	int err;

	if (nla_type(a) != SVCGW_A_SERVER) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "a destination list holds SVCGW_A_SERVER nests");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCGW_SRV_A_MAX, a, svcgw_nl_srv_policy,
			       extack);
	if (err)
		return err;
	err = svcgw_nl_parse_addr(a, tb, SVCGW_SRV_A_FAMILY, SVCGW_SRV_A_ADDR,
				  SVCGW_NL_SERVER, &d->ep, extack);
	if (err)
		return err;
	if (g->family && d->ep.family != g->family) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_SRV_A_FAMILY],
				    "destination family differs from its group's others");
		return -EAFNOSUPPORT;
	}
	if (tb[SVCGW_SRV_A_PORT] && nla_get_u16(tb[SVCGW_SRV_A_PORT])) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_SRV_A_PORT],
				    "a destination has no port: packets keep theirs");
		return -EINVAL;
	}
	if (tb[SVCGW_SRV_A_STATE] || tb[SVCGW_SRV_A_DEADLINE]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_SRV_A_STATE] ?:
				    tb[SVCGW_SRV_A_DEADLINE],
				    "a destination has no state");
		return -EINVAL;
	}
	err = svcgw_nl_parse_fwd(tb, &d->fwd, extack);
	if (err)
		return err;
	if (d->fwd.method == SVCGW_METHOD_NAT) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_SRV_A_METHOD] ?: a,
				    "a destination is reached by ipip or gue");
		return -EINVAL;
	}
	d->weight = tb[SVCGW_SRV_A_WEIGHT] ?
		    nla_get_u32(tb[SVCGW_SRV_A_WEIGHT]) : 1;
	d->attr = a;
	return 0;
}

/* No destination twice in a group (the key comes first). */
static int dests_unique(struct svcgw_pset_dest *d, unsigned int n,
			struct netlink_ext_ack *extack)
{
	u32 *slots, first;
	long i;

	BUILD_BUG_ON(offsetof(struct svcgw_pset_dest, ep));
	if (n < 2)
		return 0;
	slots = kvmalloc_array(svcgw_twin_slots(n), sizeof(*slots), GFP_KERNEL);
	if (!slots)
		return -ENOMEM;
	i = svcgw_find_twin(d, sizeof(*d), sizeof(d->ep), n, slots, &first);
	kvfree(slots);
	if (i < 0)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, later(d[i].attr, d[first].attr),
			    "destination given twice in the group");
	return -EINVAL;
}

/* Group nest @a into @g, its destinations into @dests. */
static int parse_group(struct nlattr *a, struct svcgw_pset_group *g,
		       struct svcgw_pset_dest *dests,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SVCGW_GROUP_A_MAX + 1], *d;
	int rem, err;

	if (nla_type(a) != SVCGW_A_GROUP) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "a group list holds SVCGW_A_GROUP nests");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCGW_GROUP_A_MAX, a, NULL, extack);
	if (err)
		return err;
	g->attr = a;
	if (tb[SVCGW_GROUP_A_NAME])
		nla_strscpy(g->name, tb[SVCGW_GROUP_A_NAME], sizeof(g->name));
	if (!g->name[0] || !tb[SVCGW_GROUP_A_DESTS]) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "a group needs a name and destinations");
		return -EINVAL;
	}
	/* parse_set() sized the destination array by the first list. */
	if (nla_find_nested(a, SVCGW_GROUP_A_DESTS) !=
	    tb[SVCGW_GROUP_A_DESTS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_GROUP_A_DESTS],
				    "one destination list per group");
		return -EINVAL;
	}
	g->table_size = SVCGW_TABLE_DEFAULT;
	if (tb[SVCGW_GROUP_A_TABLE_SIZE]) {
		g->table_size = nla_get_u32(tb[SVCGW_GROUP_A_TABLE_SIZE]);
		if (!svcgw_is_prime(g->table_size)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_GROUP_A_TABLE_SIZE],
					    "table size must be a prime");
			return -EINVAL;
		}
	}
	g->n = 0;
	nla_for_each_nested(d, tb[SVCGW_GROUP_A_DESTS], rem) {
		if (g->n == SVCGW_SERVERS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, d,
					    "too many destinations in this group");
			return -ENOSPC;
		}
		err = parse_dest(d, g, &dests[g->n], extack);
		if (err)
			return err;
		g->family = dests[g->n++].ep.family;
	}
	if (!g->n) {
		NL_SET_ERR_MSG_ATTR(extack, a, "a group needs destinations");
		return -EINVAL;
	}
	return dests_unique(dests, g->n, extack);
}

/* Group indices sorted by name: the policies' group names are looked up
 * in them.
 */
static int group_name_cmp(const void *a, const void *b, const void *priv)
{
	const struct svcgw_pset_req *req = priv;

	return strcmp(req->groups[*(const u32 *)a].name,
		      req->groups[*(const u32 *)b].name);
}

struct group_key {
	const char			*name;
	const struct svcgw_pset_req	*req;
};

static int group_key_cmp(const void *key, const void *elt)
{
	const struct group_key *k = key;

	return strcmp(k->name, k->req->groups[*(const u32 *)elt].name);
}

/* One policy nest into @p; group names resolved through @order. */
static int parse_policy(struct nlattr *a, const struct svcgw_pset_req *req,
			const u32 *order, struct svcgw_pset_policy *p,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SVCGW_POLICY_A_MAX + 1];
	struct svcgw_pmatch *m = &p->match;
	char name[SVCGW_NAME_MAX];
	struct group_key gk = { .name = name, .req = req };
	struct svcgw_key key;
	unsigned int maxlen;
	const u32 *g;
	int err;

	if (nla_type(a) != SVCGW_A_POLICY) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "a policy list holds SVCGW_A_POLICY nests");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCGW_POLICY_A_MAX, a, NULL, extack);
	if (err)
		return err;
	p->attr = a;
	err = svcgw_nl_parse_addr(a, tb, SVCGW_POLICY_A_FAMILY,
				  SVCGW_POLICY_A_ADDR, SVCGW_NL_POLICY, &key,
				  extack);
	if (err)
		return err;
	memset(m, 0, sizeof(*m));
	m->family = key.family;
	m->dst = key.addr;
	if (tb[SVCGW_POLICY_A_PROTO]) {
		m->proto = nla_get_u8(tb[SVCGW_POLICY_A_PROTO]);
		if (m->proto != IPPROTO_TCP && m->proto != IPPROTO_UDP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_POLICY_A_PROTO],
					    "protocol must be TCP or UDP");
			return -EPROTONOSUPPORT;
		}
	}
	if (tb[SVCGW_POLICY_A_PORT]) {
		if (!m->proto) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_POLICY_A_PORT],
					    "a policy with a port names its protocol");
			return -EINVAL;
		}
		m->port = htons(nla_get_u16(tb[SVCGW_POLICY_A_PORT]));
	}
	maxlen = key.family == AF_INET ? 32 : 128;
	if (tb[SVCGW_POLICY_A_SRC_PLEN] && !tb[SVCGW_POLICY_A_SRC]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_POLICY_A_SRC_PLEN],
				    "a client prefix length needs its prefix");
		return -EINVAL;
	}
	if (tb[SVCGW_POLICY_A_SRC]) {
		if (nla_len(tb[SVCGW_POLICY_A_SRC]) != maxlen / 8) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_POLICY_A_SRC],
					    "client prefix must be of the policy's family");
			return -EAFNOSUPPORT;
		}
		nla_memcpy(&m->src, tb[SVCGW_POLICY_A_SRC], maxlen / 8);
		m->plen = tb[SVCGW_POLICY_A_SRC_PLEN] ?
			  nla_get_u8(tb[SVCGW_POLICY_A_SRC_PLEN]) : maxlen;
		if (m->plen > maxlen) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_POLICY_A_SRC_PLEN],
					    "client prefix longer than the address");
			return -EINVAL;
		}
		if (svcgw_prefix_host_bits(m->family, &m->src, m->plen)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_POLICY_A_SRC],
					    "client prefix has bits set past its length");
			return -EINVAL;
		}
	}
	if (!tb[SVCGW_POLICY_A_GROUP]) {
		NL_SET_ERR_MSG_ATTR(extack, a, "a policy names its group");
		return -EINVAL;
	}
	nla_strscpy(name, tb[SVCGW_POLICY_A_GROUP], sizeof(name));
	g = bsearch(&gk, order, req->ngroups, sizeof(*order), group_key_cmp);
	if (!g) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_POLICY_A_GROUP],
				    "unknown group");
		return -ENOENT;
	}
	p->group = *g;
	if (req->groups[p->group].family != m->family) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_POLICY_A_GROUP],
				    "the group's destinations are of another family");
		return -EAFNOSUPPORT;
	}
	return 0;
}

/* Groups unique by name, policies by match. */
static int policies_unique(struct svcgw_pset_req *req, const u32 *order,
			   struct netlink_ext_ack *extack)
{
	u32 *slots, first;
	unsigned int i;
	long t;

	for (i = 1; i < req->ngroups; i++)
		if (!strcmp(req->groups[order[i]].name,
			    req->groups[order[i - 1]].name)) {
			NL_SET_ERR_MSG_ATTR(extack,
					    later(req->groups[order[i]].attr,
						  req->groups[order[i - 1]].attr),
					    "group name given twice in the set");
			return -EINVAL;
		}
	BUILD_BUG_ON(offsetof(struct svcgw_pset_policy, match));
	if (req->npolicies < 2)
		return 0;
	slots = kvmalloc_array(svcgw_twin_slots(req->npolicies),
			       sizeof(*slots), GFP_KERNEL);
	if (!slots)
		return -ENOMEM;
	t = svcgw_find_twin(req->policies, sizeof(*req->policies),
			    sizeof(req->policies->match), req->npolicies, slots,
			    &first);
	kvfree(slots);
	if (t < 0)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, later(req->policies[t].attr,
					  req->policies[first].attr),
			    "two policies with the same match");
	return -EINVAL;
}

/*
 * The request: the set's nest @tb, then the top-level group and policy
 * attributes of @nlh (repeated: info->attrs keeps only the last of each;
 * the core validated them all against svcgw_nl_pset_op_policy).
 */
static int parse_set(const struct nlmsghdr *nlh, struct nlattr **tb,
		     struct svcgw_pset_req *req,
		     struct netlink_ext_ack *extack)
{
	unsigned int ig = 0, id = 0, ip = 0;
	struct nlattr *a, *d, *list;
	u32 *order = NULL;
	int rem, r, err = 0;

	if (tb[SVCGW_PSET_A_NAME])
		nla_strscpy(req->name, tb[SVCGW_PSET_A_NAME],
			    sizeof(req->name));
	if (!req->name[0]) {
		NL_SET_ERR_MSG(extack, "a policy set needs a name");
		return -EINVAL;
	}
	req->has_gen = tb[SVCGW_PSET_A_GEN];
	if (req->has_gen)
		req->gen = nla_get_u64(tb[SVCGW_PSET_A_GEN]);
	req->transition = tb[SVCGW_PSET_A_TRANSITION] ?
			  nla_get_u32(tb[SVCGW_PSET_A_TRANSITION]) :
			  SVCGW_TRANSITION_DEFAULT;
	/* The policy allows SVCGW_REASON_MAX - 1 bytes before the NUL. */
	if (tb[SVCGW_PSET_A_REASON])
		nla_strscpy(req->reason, tb[SVCGW_PSET_A_REASON],
			    sizeof(req->reason));
	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem) {
		if (nla_type(a) == SVCGW_A_GROUP) {
			if (++req->ngroups > SVCGW_GROUPS_MAX) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "too many groups in the set");
				return -ENOSPC;
			}
			list = nla_find_nested(a, SVCGW_GROUP_A_DESTS);
			if (list)
				nla_for_each_nested(d, list, r)
					req->ndests++;
		} else if (nla_type(a) == SVCGW_A_POLICY) {
			if (++req->npolicies > SVCGW_POLICIES_MAX) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "too many policies in the set");
				return -ENOSPC;
			}
		}
	}
	req->groups = kvcalloc(req->ngroups, sizeof(*req->groups), GFP_KERNEL);
	req->dests = kvcalloc(req->ndests, sizeof(*req->dests), GFP_KERNEL);
	req->policies = kvcalloc(req->npolicies, sizeof(*req->policies),
				 GFP_KERNEL);
	order = kvmalloc_array(req->ngroups, sizeof(*order), GFP_KERNEL);
	if ((req->ngroups && (!req->groups || !order)) ||
	    (req->ndests && !req->dests) ||
	    (req->npolicies && !req->policies)) {
		err = -ENOMEM;
		goto out;
	}
	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem) {
		struct svcgw_pset_group *g = &req->groups[ig];

		if (nla_type(a) != SVCGW_A_GROUP)
			continue;
		g->first = id;
		err = parse_group(a, g, &req->dests[id], extack);
		if (err)
			goto out;
		id += g->n;
		order[ig] = ig;
		ig++;
	}
	sort_r(order, req->ngroups, sizeof(*order), group_name_cmp, NULL, req);
	nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem) {
		if (nla_type(a) != SVCGW_A_POLICY)
			continue;
		err = parse_policy(a, req, order, &req->policies[ip++], extack);
		if (err)
			goto out;
		if (!(ip % 1024))
			cond_resched();
	}
	err = policies_unique(req, order, extack);
out:
	kvfree(order);
	return err;
}

/*
 * SVCGW_CMD_POLICY_SET_REPLACE: everything is parsed and checked before
 * the lock is taken; policy.c builds the set (all or nothing) and swaps
 * it in.
 */
int svcgw_nl_policy_replace(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[SVCGW_PSET_A_MAX + 1];
	struct svcgw_pset_req req = {};
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SVCGW_A_POLICY_SET)) {
		NL_SET_ERR_MSG(extack, "the policy set is required");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCGW_PSET_A_MAX,
			       info->attrs[SVCGW_A_POLICY_SET], NULL, extack);
	if (!err)
		err = parse_set(info->nlhdr, tb, &req, extack);
	if (err)
		goto out;
	mutex_lock(&sn->lock);
	err = req.npolicies ? svcgw_hooks_enable(sn) : 0;
	if (err)
		NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
	else
		err = svcgw_pset_replace(sn, &req, extack);
	svcgw_hooks_sync(sn);
	mutex_unlock(&sn->lock);
out:
	kvfree(req.groups);
	kvfree(req.dests);
	kvfree(req.policies);
	return err;
}

/* Dump state (cb->args): [0] the next object (0: the set, then groups,
 * then policies), [1] destinations of the current group done.
 */
static int put_set(struct sk_buff *skb, const struct svcgw_pset *ps)
{
	const struct svcgw_pset *prev = rcu_dereference_protected(ps->prev,
								   true);
	struct nlattr *nest = nla_nest_start(skb, SVCGW_A_POLICY_SET);

	if (!nest ||
	    nla_put_string(skb, SVCGW_PSET_A_NAME, ps->name) ||
	    nla_put_u64_64bit(skb, SVCGW_PSET_A_GEN, ps->gen,
			      SVCGW_PSET_A_PAD) ||
	    nla_put_u32(skb, SVCGW_PSET_A_TRANSITION, ps->transition) ||
	    nla_put_u32(skb, SVCGW_PSET_A_TRANSITION_LEFT,
			prev ? svcgw_nl_ms_left(ps->until) : 0) ||
	    nla_put_u32(skb, SVCGW_PSET_A_NGROUPS, ps->ngroups) ||
	    nla_put_u32(skb, SVCGW_PSET_A_NPOLICIES, ps->npolicies) ||
	    (prev && nla_put_u64_64bit(skb, SVCGW_PSET_A_PREV_GEN, prev->gen,
				       SVCGW_PSET_A_PAD)) ||
	    (ps->reason[0] &&
	     nla_put_string(skb, SVCGW_PSET_A_REASON, ps->reason)) ||
	    nla_put_u64_64bit(skb, SVCGW_PSET_A_AGE_MS,
			      div_u64(ktime_get_boottime_ns() - ps->since,
				      NSEC_PER_MSEC), SVCGW_PSET_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_group(struct sk_buff *skb, const struct svcgw_pgroup *pg,
		     long *from)
{
	const struct svcgw_service *grp = pg->svc;
	struct nlattr *nest, *list, *d;
	const struct svcgw_server *srv;
	long i = 0;

	nest = nla_nest_start(skb, SVCGW_A_GROUP);
	if (!nest ||
	    nla_put_string(skb, SVCGW_GROUP_A_NAME, pg->name) ||
	    nla_put_u16(skb, SVCGW_GROUP_A_FAMILY, grp->key.family) ||
	    nla_put_u32(skb, SVCGW_GROUP_A_TABLE_SIZE, grp->cfg.table_size) ||
	    svcgw_nl_put_stats(skb, SVCGW_GROUP_A_STATS, grp->stats))
		return -EMSGSIZE;
	list = nla_nest_start(skb, SVCGW_GROUP_A_DESTS);
	if (!list)
		return -EMSGSIZE;
	list_for_each_entry(srv, &grp->servers, list) {
		if (i++ < *from)
			continue;
		d = nla_nest_start(skb, SVCGW_A_SERVER);
		if (!d ||
		    nla_put_u16(skb, SVCGW_SRV_A_FAMILY, srv->ep.family) ||
		    svcgw_nl_put_addr(skb, SVCGW_SRV_A_ADDR, srv->ep.family,
				      &srv->ep.addr) ||
		    nla_put_u32(skb, SVCGW_SRV_A_WEIGHT, srv->weight) ||
		    nla_put_u8(skb, SVCGW_SRV_A_METHOD, srv->fwd.method) ||
		    (srv->fwd.method == SVCGW_METHOD_GUE &&
		     nla_put_u16(skb, SVCGW_SRV_A_GUE_PORT,
				 ntohs(srv->fwd.gue_port))) ||
		    svcgw_nl_put_stats(skb, SVCGW_SRV_A_STATS, srv->stats)) {
			nla_nest_cancel(skb, d);
			/* Part of the list: the rest in the next message. */
			if (i - 1 == *from)
				return -EMSGSIZE;
			*from = i - 1;
			nla_nest_end(skb, list);
			nla_nest_end(skb, nest);
			return 1;
		}
		nla_nest_end(skb, d);
	}
	*from = 0;
	nla_nest_end(skb, list);
	nla_nest_end(skb, nest);
	return 0;
}

static int put_policy(struct sk_buff *skb, const struct svcgw_pset *ps,
		      const struct svcgw_policy *pol)
{
	const struct svcgw_pmatch *m = &pol->match;
	struct nlattr *nest = nla_nest_start(skb, SVCGW_A_POLICY);
	unsigned int gi;

	for (gi = 0; gi < ps->ngroups; gi++)
		if (ps->groups[gi].svc == pol->group)
			break;
	if (!nest ||
	    nla_put_u16(skb, SVCGW_POLICY_A_FAMILY, m->family) ||
	    svcgw_nl_put_addr(skb, SVCGW_POLICY_A_ADDR, m->family, &m->dst) ||
	    (m->proto && nla_put_u8(skb, SVCGW_POLICY_A_PROTO, m->proto)) ||
	    (m->port && nla_put_u16(skb, SVCGW_POLICY_A_PORT, ntohs(m->port))) ||
	    (m->plen &&
	     (svcgw_nl_put_addr(skb, SVCGW_POLICY_A_SRC, m->family, &m->src) ||
	      nla_put_u8(skb, SVCGW_POLICY_A_SRC_PLEN, m->plen))) ||
	    nla_put_string(skb, SVCGW_POLICY_A_GROUP,
			   gi < ps->ngroups ? ps->groups[gi].name : "") ||
	    svcgw_nl_put_stats(skb, SVCGW_POLICY_A_STATS, pol->stats))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int svcgw_nl_policy_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct svcgw_net *sn = svcgw_pernet(sock_net(skb->sk));
	long *next = &cb->args[0], *from = &cb->args[1];
	const struct svcgw_pset *ps;
	int err = 0;
	void *hdr;

	mutex_lock(&sn->lock);
	cb->seq = sn->pset_seq + 1;
	ps = svcgw_pset_locked(sn);
	while (ps && *next <= (long)(ps->ngroups + ps->npolicies)) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &svcgw_genl_family,
				  NLM_F_MULTI, SVCGW_CMD_POLICY_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (!*next)
			err = put_set(skb, ps);
		else if (*next <= ps->ngroups)
			err = put_group(skb, &ps->groups[*next - 1], from);
		else
			err = put_policy(skb, ps,
					 &ps->policies[*next - 1 - ps->ngroups]);
		if (err < 0) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		if (!err)
			(*next)++;
	}
	mutex_unlock(&sn->lock);
	/* Nothing fit an empty message: a group too big even alone. */
	if (err < 0 && !skb->len)
		return err;
	return skb->len;
}
