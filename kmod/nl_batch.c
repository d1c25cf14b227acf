// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink handler of SVCGW_CMD_BATCH: many services, each with its
 * servers, parsed and checked here (no key twice), applied by batch.c all
 * or nothing.
 */
#include <linux/slab.h>
#include <net/genetlink.h>

#include "nl.h"
#include "genl.h"
#include "batch.h"
#include "service.h"
#include "hooks.h"
#include "twin.h"

/* One service nest of a batch into @bs, its servers into @srv. */
static int parse_batch_service(struct nlattr *nest, struct svcgw_batch_svc *bs,
			       struct svcgw_batch_srv *srv,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	struct nlattr *stb[SVCGW_SRV_A_MAX + 1];
	unsigned int which;
	struct nlattr *a;
	int rem, err;

	err = nla_parse_nested(tb, SVCGW_SVC_A_MAX, nest,
			       svcgw_nl_batch_svc_policy, extack);
	if (err)
		return err;
	err = svcgw_nl_parse_service_nest(nest, tb, &bs->key, extack);
	if (err)
		return err;
	bs->attr = nest;
	svcgw_service_cfg_default(&bs->cfg);
	err = svcgw_nl_parse_service_cfg(tb, &bs->cfg, &which, extack);
	if (err)
		return err;
	bs->n = 0;
	if (!tb[SVCGW_SVC_A_SERVERS])
		return 0;
	/* svcgw_nl_batch() sized the server array by the first list. */
	if (nla_find_nested(nest, SVCGW_SVC_A_SERVERS) !=
	    tb[SVCGW_SVC_A_SERVERS]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_SVC_A_SERVERS],
				    "one server list per service");
		return -EINVAL;
	}
	nla_for_each_nested(a, tb[SVCGW_SVC_A_SERVERS], rem) {
		struct svcgw_batch_srv *bsr = &srv[bs->n];

		if (nla_type(a) != SVCGW_A_SERVER) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "a server list holds SVCGW_A_SERVER nests");
			return -EINVAL;
		}
		if (bs->n == SVCGW_SERVERS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "too many servers in this service");
			return -ENOSPC;
		}
		err = nla_parse_nested(stb, SVCGW_SRV_A_MAX, a,
				       svcgw_nl_srv_policy, extack);
		if (err)
			return err;
		err = svcgw_nl_parse_server_nest(a, stb, &bs->key, &bsr->ep,
						 extack);
		if (err)
			return err;
		if (stb[SVCGW_SRV_A_STATE] || stb[SVCGW_SRV_A_DEADLINE]) {
			NL_SET_ERR_MSG_ATTR(extack, stb[SVCGW_SRV_A_STATE] ?:
					    stb[SVCGW_SRV_A_DEADLINE],
					    "a batch sets no server state");
			return -EINVAL;
		}
		bsr->weight = stb[SVCGW_SRV_A_WEIGHT] ?
			      nla_get_u32(stb[SVCGW_SRV_A_WEIGHT]) : 1;
		err = svcgw_nl_parse_fwd(stb, &bsr->fwd, extack);
		if (err)
			return err;
		bsr->attr = a;
		bs->n++;
	}
	return 0;
}

/* The later of two nests that name the same object, for the error. */
static const struct nlattr *later(const struct nlattr *a,
				  const struct nlattr *b)
{
	return a > b ? a : b;
}

/*
 * No service twice, no server endpoint twice in one service (several
 * services may share one): hashed, in expected O(n) (svcgw_find_twin()).
 * The objects begin with their key: a service's, and a server's endpoint
 * with the index of its service.
 */
static int batch_check_unique(struct svcgw_batch *b,
			      struct netlink_ext_ack *extack)
{
	unsigned int n = max(b->nsvc, b->nsrv);
	u32 *slots;
	u32 first;
	long i, j;

	BUILD_BUG_ON(offsetof(struct svcgw_batch_svc, key) ||
		     offsetof(struct svcgw_batch_srv, ep) ||
		     offsetof(struct svcgw_batch_srv, svc_nr) !=
		     sizeof(struct svcgw_key));
	if (n < 2)
		return 0;
	if (!svcgw_twin_slots(n))
		return -E2BIG;
	slots = kvmalloc_array(svcgw_twin_slots(n), sizeof(*slots), GFP_KERNEL);
	if (!slots)
		return -ENOMEM;
	i = svcgw_find_twin(b->svc, sizeof(*b->svc), sizeof(b->svc->key),
			    b->nsvc, slots, &first);
	j = i < 0 ? svcgw_find_twin(b->srv, sizeof(*b->srv),
				    offsetofend(struct svcgw_batch_srv, svc_nr),
				    b->nsrv, slots, &first) : -1;
	kvfree(slots);
	if (i >= 0) {
		NL_SET_ERR_MSG_ATTR(extack, later(b->svc[i].attr,
						  b->svc[first].attr),
				    "service given twice in the batch");
	} else if (j >= 0) {
		NL_SET_ERR_MSG_ATTR(extack, later(b->srv[j].attr,
						  b->srv[first].attr),
				    "server endpoint given twice in a service of the batch");
	} else {
		return 0;
	}
	return -EINVAL;
}

/*
 * SVCGW_CMD_BATCH.  The top-level attributes are walked here: info->attrs
 * keeps only the last of repeated ones.  The core validated them all with
 * svcgw_nl_batch_policy.  Everything is parsed and checked before the
 * lock is taken; svcgw_batch_apply() does the rest, all or nothing.
 */
int svcgw_nl_batch(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct svcgw_batch b = {};
	unsigned int i = 0, k = 0;
	struct nlattr *a, *list, *e;
	int rem, r, err;

	if (info->attrs[SVCGW_A_BATCH_FLAGS])
		b.replace = nla_get_u32(info->attrs[SVCGW_A_BATCH_FLAGS]) &
			    SVCGW_BATCH_F_REPLACE;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != SVCGW_A_SERVICE)
			continue;
		b.nsvc++;
		list = nla_find_nested(a, SVCGW_SVC_A_SERVERS);
		if (list)
			nla_for_each_nested(e, list, r)
				b.nsrv++;
	}
	b.svc = kvcalloc(b.nsvc, sizeof(*b.svc), GFP_KERNEL);
	b.srv = kvcalloc(b.nsrv, sizeof(*b.srv), GFP_KERNEL);
	if ((b.nsvc && !b.svc) || (b.nsrv && !b.srv)) {
		err = -ENOMEM;
		goto out;
	}
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != SVCGW_A_SERVICE)
			continue;
		b.svc[i].first = k;
		err = parse_batch_service(a, &b.svc[i], &b.srv[k], extack);
		if (err)
			goto out;
		for (r = 0; r < b.svc[i].n; r++)
			b.srv[k + r].svc_nr = i;
		k += b.svc[i++].n;
		cond_resched();
	}
	b.nsrv = k;
	err = batch_check_unique(&b, extack);
	if (err)
		goto out;
	mutex_lock(&sn->lock);
	err = b.nsvc ? svcgw_hooks_enable(sn) : 0;
	if (err)
		NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
	else
		err = svcgw_batch_apply(sn, &b, extack);
	svcgw_hooks_sync(sn);
	mutex_unlock(&sn->lock);
out:
	kvfree(b.svc);
	kvfree(b.srv);
	return err;
}
