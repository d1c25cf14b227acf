// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: Layer-4 service gateway.  Module entry points and per-namespace
 * state (struct svcgw_net, reached through net_generic()): each file's
 * *_net_init() in order at a namespace's birth, *_net_exit() in reverse
 * at its death.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/genetlink.h>

#include "svcgw.h"
#include "stats.h"
#include "server.h"
#include "service.h"
#include "policy.h"
#include "ha.h"
#include "sync.h"
#include "syncq.h"
#include "session.h"
#include "collector.h"
#include "hooks.h"
#include "encap.h"
#include "nl.h"

static unsigned int session_max_default __read_mostly = 1 << 20;
module_param_named(session_max, session_max_default, uint, 0644);
MODULE_PARM_DESC(session_max,
		 "Cap on sessions in a new network namespace (default 1048576, at most 2^28)");

static unsigned int hash_seed;
module_param(hash_seed, uint, 0444);
MODULE_PARM_DESC(hash_seed,
		 "Seed of the flow hash; equal on gateways that must agree (default 0)");

static struct svcgw_addrfilter *addrfilter_alloc(void)
{
	struct svcgw_addrfilter *f = kvzalloc(sizeof(*f), GFP_KERNEL);

	if (f)
		refcount_set(&f->ref, 1);
	return f;
}

static int __net_init svcgw_net_init(struct net *net)
{
	struct svcgw_net *sn = svcgw_pernet(net);
	int err;

	sn->net = net;
	mutex_init(&sn->lock);
	sn->hash_seed = hash_seed;
	sn->cfg.session_max = min_t(u32, READ_ONCE(session_max_default),
				    SVCGW_SESSION_MAX_LIMIT);
	sn->cfg.timeouts = (struct svcgw_timeouts) {
		.tcp_syn = 60,
		.tcp_est = 7200,
		.tcp_fin = 60,
		.udp = 60,
	};
	sn->srvfilter = addrfilter_alloc();
	if (!sn->srvfilter)
		return -ENOMEM;
	sn->svcfilter = addrfilter_alloc();
	if (!sn->svcfilter) {
		err = -ENOMEM;
		goto err_srvfilter;
	}
	err = svcgw_stats_net_init(sn);
	if (err)
		goto err_svcfilter;
	err = svcgw_server_net_init(sn);
	if (err)
		goto err_stats;
	err = svcgw_service_net_init(sn);
	if (err)
		goto err_server;
	err = svcgw_session_net_init(sn);
	if (err)
		goto err_service;
	svcgw_collector_net_init(sn);
	svcgw_pset_net_init(sn);
	return 0;

err_service:
	svcgw_service_net_exit(sn);
err_server:
	svcgw_server_net_exit(sn);
err_stats:
	svcgw_stats_net_exit(sn);
err_svcfilter:
	svcgw_addrfilter_put(sn->svcfilter);
err_srvfilter:
	svcgw_addrfilter_put(sn->srvfilter);
	return err;
}

/*
 * The hooks go first: unregistering them waits for packets in flight, and
 * none comes after.  Then the services (and their sessions), the
 * collector, the rest of the sessions, the endpoint tables, the counters.
 */
static void __net_exit svcgw_net_exit(struct net *net)
{
	struct svcgw_net *sn = svcgw_pernet(net);

	WRITE_ONCE(sn->exiting, true);
	mutex_lock(&sn->lock);
	svcgw_hooks_disable(sn);
	mutex_unlock(&sn->lock);
	svcgw_pset_net_exit(sn);
	svcgw_sync_net_exit(sn);
	svcgw_ha_net_exit(sn);
	svcgw_service_net_exit(sn);
	svcgw_encap_net_exit(sn);
	svcgw_collector_net_exit(sn);
	svcgw_session_net_exit(sn);
	svcgw_server_net_exit(sn);
	svcgw_stats_net_exit(sn);
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
	err = svcgw_syncq_wq_init();
	if (err)
		goto err_session;
	err = register_pernet_subsys(&svcgw_net_ops);
	if (err)
		goto err_wq;
	err = svcgw_genl_register();
	if (err)
		goto err_pernet;
	pr_info("loaded\n");
	return 0;

err_pernet:
	unregister_pernet_subsys(&svcgw_net_ops);
err_wq:
	svcgw_syncq_wq_exit();
err_session:
	svcgw_session_uninit();
	return err;
}

static void __exit svcgw_exit(void)
{
	svcgw_genl_unregister();
	unregister_pernet_subsys(&svcgw_net_ops);
	/*
	 * Sessions, servers and services are freed by RCU callbacks, and a
	 * session's callback may queue its server's: wait for both rounds.
	 */
	rcu_barrier();
	rcu_barrier();
	svcgw_syncq_wq_exit();
	svcgw_session_uninit();
	pr_info("unloaded\n");
}

module_init(svcgw_init);
module_exit(svcgw_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("svcgw: Layer-4 service gateway");
MODULE_ALIAS_GENL_FAMILY(SVCGW_GENL_NAME);
