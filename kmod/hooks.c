// SPDX-License-Identifier: GPL-2.0
/*
 * Registration of the packet path (datapath.c) in a namespace: two hooks
 * per family, and the defragmentation they need, from before the first
 * service appears until after the last has gone.  The netlink handlers
 * (and the namespace's exit) decide when, under svcgw_net.lock: the
 * objects below them never register anything.
 */
#include <linux/slab.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "hooks.h"
#include "datapath.h"

/* After defragmentation (-400), before conntrack (-200). */
#define SVCGW_PRI_IN	(NF_IP_PRI_RAW - 50)
/* After source NAT, before conntrack confirms. */
#define SVCGW_PRI_OUT	(NF_IP_PRI_NAT_SRC + 10)

static const struct nf_hook_ops svcgw_hook_ops[] = {
	{
		.hook		= svcgw_in,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= SVCGW_PRI_IN,
	},
	{
		.hook		= svcgw_out,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= SVCGW_PRI_OUT,
	},
	{
		.hook		= svcgw_in,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_RAW - 50,
	},
	{
		.hook		= svcgw_out,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_NAT_SRC + 10,
	},
};

/* Register the hooks, if they are not; 0 if they are now. */
int svcgw_hooks_enable(struct svcgw_net *sn)
{
	struct nf_hook_ops *ops;
	int err, i;

	lockdep_assert_held(&sn->lock);
	if (sn->hooks_on)
		return 0;
	ops = kmemdup(svcgw_hook_ops, sizeof(svcgw_hook_ops), GFP_KERNEL);
	if (!ops)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(svcgw_hook_ops); i++)
		ops[i].priv = sn;
	err = nf_defrag_ipv4_enable(sn->net);
	if (err)
		goto err_free;
	err = nf_defrag_ipv6_enable(sn->net);
	if (err)
		goto err_defrag4;
	err = nf_register_net_hooks(sn->net, ops, ARRAY_SIZE(svcgw_hook_ops));
	if (err)
		goto err_defrag6;
	sn->hook_ops = ops;
	sn->hooks_on = true;
	return 0;

err_defrag6:
	nf_defrag_ipv6_disable(sn->net);
err_defrag4:
	nf_defrag_ipv4_disable(sn->net);
err_free:
	kfree(ops);
	return err;
}

/* Unregistering waits for packets in flight (synchronize_net). */
void svcgw_hooks_disable(struct svcgw_net *sn)
{
	lockdep_assert_held(&sn->lock);
	if (!sn->hooks_on)
		return;
	nf_unregister_net_hooks(sn->net, sn->hook_ops,
				ARRAY_SIZE(svcgw_hook_ops));
	nf_defrag_ipv6_disable(sn->net);
	nf_defrag_ipv4_disable(sn->net);
	kfree(sn->hook_ops);
	sn->hook_ops = NULL;
	sn->hooks_on = false;
}

/* After a change of the configuration: off when no service, and no
 * forwarding policy, is left.
 */
void svcgw_hooks_sync(struct svcgw_net *sn)
{
	if (!sn->nservices && !sn->pset_live)
		svcgw_hooks_disable(sn);
}
