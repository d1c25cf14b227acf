// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: Layer-4 service gateway.  Module entry points and per-namespace
 * state (struct svcgw_net, reached through net_generic()).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/genetlink.h>

#include "svcgw.h"

unsigned int svcgw_net_id __read_mostly;

unsigned int svcgw_session_max_default __read_mostly = 1 << 20;
module_param_named(session_max, svcgw_session_max_default, uint, 0644);
MODULE_PARM_DESC(session_max,
		 "Cap on sessions in a new network namespace (default 1048576, at most 2^28)");

static unsigned int hash_seed;
module_param(hash_seed, uint, 0444);
MODULE_PARM_DESC(hash_seed,
		 "Seed of the flow hash; equal on gateways that must agree (default 0)");

u64 svcgw_event_read(struct svcgw_net *sn, enum svcgw_event ev)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct svcgw_pcpu_events *e = per_cpu_ptr(sn->events, cpu);
		unsigned int start;
		u64 v;

		do {
			start = u64_stats_fetch_begin(&e->syncp);
			v = u64_stats_read(&e->ev[ev]);
		} while (u64_stats_fetch_retry(&e->syncp, start));
		sum += v;
	}
	return sum;
}

static int __net_init svcgw_net_init(struct net *net)
{
	struct svcgw_net *sn = svcgw_pernet(net);
	int err;

	sn->net = net;
	mutex_init(&sn->lock);
	sn->hash_seed = hash_seed;
	sn->cfg.session_max = min_t(u32, READ_ONCE(svcgw_session_max_default),
				    SVCGW_SESSION_MAX_LIMIT);
	sn->cfg.timeouts = (struct svcgw_timeouts) {
		.tcp_syn = 60,
		.tcp_est = 7200,
		.tcp_fin = 60,
		.udp = 60,
	};
	sn->srvfilter = kvzalloc(sizeof(*sn->srvfilter), GFP_KERNEL);
	sn->svcfilter = kvzalloc(sizeof(*sn->svcfilter), GFP_KERNEL);
	if (!sn->srvfilter || !sn->svcfilter) {
		kvfree(sn->srvfilter);
		kvfree(sn->svcfilter);
		return -ENOMEM;
	}
	refcount_set(&sn->srvfilter->ref, 1);
	refcount_set(&sn->svcfilter->ref, 1);
	sn->events = netdev_alloc_pcpu_stats(struct svcgw_pcpu_events);
	if (!sn->events) {
		err = -ENOMEM;
		goto err_filter;
	}
	err = svcgw_service_net_init(sn);
	if (err)
		goto err_events;
	err = svcgw_session_net_init(sn);
	if (err)
		goto err_service;
	return 0;

err_service:
	rhashtable_destroy(&sn->retired);
	rhashtable_destroy(&sn->servers);
	rhashtable_destroy(&sn->services);
err_events:
	free_percpu(sn->events);
err_filter:
	svcgw_addrfilter_put(sn->srvfilter);
	svcgw_addrfilter_put(sn->svcfilter);
	return err;
}

/*
 * Services go first: that unregisters the hooks, waits for packets in
 * flight and removes every session of every service.
 */
static void __net_exit svcgw_net_exit(struct net *net)
{
	struct svcgw_net *sn = svcgw_pernet(net);

	svcgw_service_net_exit(sn);
	svcgw_session_net_exit(sn);
	free_percpu(sn->events);
	/* Objects still waiting for a grace period hold them too. */
	svcgw_addrfilter_put(sn->srvfilter);
	svcgw_addrfilter_put(sn->svcfilter);
}

static struct pernet_operations svcgw_net_ops = {
	.init = svcgw_net_init,
	.exit = svcgw_net_exit,
	.id   = &svcgw_net_id,
	.size = sizeof(struct svcgw_net),
};

static int __init svcgw_init(void)
{
	int err;

	err = svcgw_session_init();
	if (err)
		return err;
	err = register_pernet_subsys(&svcgw_net_ops);
	if (err)
		goto err_session;
	err = svcgw_genl_init();
	if (err)
		goto err_pernet;
	pr_info("loaded\n");
	return 0;

err_pernet:
	unregister_pernet_subsys(&svcgw_net_ops);
err_session:
	svcgw_session_uninit();
	return err;
}

static void __exit svcgw_exit(void)
{
	svcgw_genl_uninit();
	unregister_pernet_subsys(&svcgw_net_ops);
	/*
	 * Sessions, servers and services are freed by RCU callbacks, and a
	 * session's callback may queue its server's: wait for both rounds.
	 */
	rcu_barrier();
	rcu_barrier();
	svcgw_session_uninit();
	pr_info("unloaded\n");
}

module_init(svcgw_init);
module_exit(svcgw_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("svcgw: Layer-4 service gateway");
MODULE_ALIAS_GENL_FAMILY(SVCGW_GENL_NAME);
