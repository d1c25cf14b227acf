// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink handlers of servers: SERVER_NEW, _DEL, _SET (weight, state,
 * drain deadline) and _REPLACE, each naming the service and the server.
 * A server is shown with its service (nl_service.c).
 */
#include <net/genetlink.h>

#include "nl.h"
#include "genl.h"
#include "service.h"

int svcgw_nl_server_new(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *stb[SVCGW_SVC_A_MAX + 1];
	struct nlattr *tb[SVCGW_SRV_A_MAX + 1];
	struct svcgw_key key, ep;
	struct svcgw_fwd fwd;
	u32 weight = 1;
	int err;

	err = svcgw_nl_parse_service(info, stb, &key);
	if (err)
		return err;
	err = svcgw_nl_parse_server(info, SVCGW_A_SERVER, tb, &key, &ep);
	if (err)
		return err;
	err = svcgw_nl_parse_fwd(tb, &fwd, info->extack);
	if (err)
		return err;
	if (tb[SVCGW_SRV_A_WEIGHT])
		weight = nla_get_u32(tb[SVCGW_SRV_A_WEIGHT]);
	mutex_lock(&sn->lock);
	err = svcgw_service_add_server(sn, &key, &ep, weight, &fwd,
				       info->extack);
	mutex_unlock(&sn->lock);
	return err;
}

int svcgw_nl_server_del(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *stb[SVCGW_SVC_A_MAX + 1];
	struct nlattr *tb[SVCGW_SRV_A_MAX + 1];
	struct svcgw_key key, ep;
	int err;

	err = svcgw_nl_parse_service(info, stb, &key);
	if (err)
		return err;
	err = svcgw_nl_parse_server(info, SVCGW_A_SERVER, tb, &key, &ep);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	err = svcgw_service_del_server(sn, &key, &ep, info->extack);
	mutex_unlock(&sn->lock);
	return err;
}

int svcgw_nl_server_set(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *stb[SVCGW_SVC_A_MAX + 1];
	struct nlattr *tb[SVCGW_SRV_A_MAX + 1];
	u32 weight, deadline, *pw = NULL, *pd = NULL;
	struct svcgw_key key, ep;
	u8 state, *ps = NULL;
	int err;

	err = svcgw_nl_parse_service(info, stb, &key);
	if (err)
		return err;
	err = svcgw_nl_parse_server(info, SVCGW_A_SERVER, tb, &key, &ep);
	if (err)
		return err;
	if (tb[SVCGW_SRV_A_WEIGHT]) {
		weight = nla_get_u32(tb[SVCGW_SRV_A_WEIGHT]);
		pw = &weight;
	}
	if (tb[SVCGW_SRV_A_STATE]) {
		state = nla_get_u8(tb[SVCGW_SRV_A_STATE]);
		ps = &state;
	}
	if (tb[SVCGW_SRV_A_DEADLINE]) {
		deadline = nla_get_u32(tb[SVCGW_SRV_A_DEADLINE]);
		pd = &deadline;
	}
	if (tb[SVCGW_SRV_A_METHOD] || tb[SVCGW_SRV_A_GUE_PORT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SVCGW_SRV_A_METHOD] ?:
				    tb[SVCGW_SRV_A_GUE_PORT],
				    "how a server is reached is fixed: replace it");
		return -EINVAL;
	}
	if (!pw && !ps && !pd) {
		NL_SET_ERR_MSG(info->extack, "nothing to change");
		return -EINVAL;
	}
	mutex_lock(&sn->lock);
	err = svcgw_service_set_server(sn, &key, &ep, pw, ps, pd,
				       info->extack);
	mutex_unlock(&sn->lock);
	return err;
}

int svcgw_nl_server_replace(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *stb[SVCGW_SVC_A_MAX + 1];
	struct nlattr *tb[SVCGW_SRV_A_MAX + 1];
	struct nlattr *ntb[SVCGW_SRV_A_MAX + 1];
	struct svcgw_key key, old, new;
	u32 weight, *pw = NULL;
	struct svcgw_fwd fwd;
	int err;

	err = svcgw_nl_parse_service(info, stb, &key);
	if (err)
		return err;
	err = svcgw_nl_parse_server(info, SVCGW_A_SERVER, tb, &key, &old);
	if (err)
		return err;
	err = svcgw_nl_parse_server(info, SVCGW_A_SERVER_NEW, ntb, &key, &new);
	if (err)
		return err;
	err = svcgw_nl_parse_fwd(ntb, &fwd, info->extack);
	if (err)
		return err;
	if (ntb[SVCGW_SRV_A_WEIGHT]) {
		weight = nla_get_u32(ntb[SVCGW_SRV_A_WEIGHT]);
		pw = &weight;
	}
	if (ntb[SVCGW_SRV_A_STATE] || ntb[SVCGW_SRV_A_DEADLINE]) {
		NL_SET_ERR_MSG(info->extack, "a new server starts active");
		return -EINVAL;
	}
	mutex_lock(&sn->lock);
	err = svcgw_service_replace_server(sn, &key, &old, &new, pw, &fwd,
					   info->extack);
	mutex_unlock(&sn->lock);
	return err;
}
