// SPDX-License-Identifier: GPL-2.0
/*
 * The operations of the generic netlink family "svcgw" (genl.c), each
 * command with its handler (nl_<object>.c) and permission, and the
 * family's registration.  Commands that change anything need
 * CAP_NET_ADMIN in the namespace's user namespace; reading the
 * configuration and the counters does not, reading sessions does.
 */
#include <net/genetlink.h>

#include "nl.h"
#include "genl.h"

static const struct genl_ops svcgw_genl_ops[] = {
	{
		.cmd = SVCGW_CMD_SERVICE_NEW,
		.doit = svcgw_nl_service_new,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SERVICE_DEL,
		.doit = svcgw_nl_service_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SERVICE_GET,
		.doit = svcgw_nl_service_get,
		.start = svcgw_nl_service_dump_start,
		.dumpit = svcgw_nl_service_dump,
	},
	{
		.cmd = SVCGW_CMD_SERVER_NEW,
		.doit = svcgw_nl_server_new,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SERVER_DEL,
		.doit = svcgw_nl_server_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SESSION_GET,
		.start = svcgw_nl_session_dump_start,
		.dumpit = svcgw_nl_session_dump,
		.done = svcgw_nl_session_dump_done,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SESSION_FLUSH,
		.doit = svcgw_nl_session_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_STATS_GET,
		.doit = svcgw_nl_stats_get,
	},
	{
		.cmd = SVCGW_CMD_FLUSH,
		.doit = svcgw_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_CONFIG_SET,
		.doit = svcgw_nl_config_set,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_CONFIG_GET,
		.doit = svcgw_nl_config_get,
	},
	{
		.cmd = SVCGW_CMD_SERVICE_SET,
		.doit = svcgw_nl_service_set,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SERVER_SET,
		.doit = svcgw_nl_server_set,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SERVER_REPLACE,
		.doit = svcgw_nl_server_replace,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_BATCH,
		.doit = svcgw_nl_batch,
		.policy = svcgw_nl_batch_policy,
		.maxattr = SVCGW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_POLICY_SET_REPLACE,
		.doit = svcgw_nl_policy_replace,
		.policy = svcgw_nl_pset_op_policy,
		.maxattr = SVCGW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_POLICY_GET,
		.dumpit = svcgw_nl_policy_dump,
	},
	{
		.cmd = SVCGW_CMD_HA_SET,
		.doit = svcgw_nl_ha_set,
		.policy = svcgw_nl_ha_op_policy,
		.maxattr = SVCGW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_HA_GET,
		.doit = svcgw_nl_ha_get,
		.policy = svcgw_nl_ha_op_policy,
		.maxattr = SVCGW_A_MAX,
	},
	{
		.cmd = SVCGW_CMD_HA_NODE_SET,
		.doit = svcgw_nl_ha_node_set,
		.policy = svcgw_nl_ha_op_policy,
		.maxattr = SVCGW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_HA_DEL,
		.doit = svcgw_nl_ha_del,
		.policy = svcgw_nl_ha_op_policy,
		.maxattr = SVCGW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

int __init svcgw_genl_register(void)
{
	svcgw_genl_family.ops = svcgw_genl_ops;
	svcgw_genl_family.n_ops = ARRAY_SIZE(svcgw_genl_ops);
	return genl_register_family(&svcgw_genl_family);
}

void svcgw_genl_unregister(void)
{
	genl_unregister_family(&svcgw_genl_family);
}
