/* SPDX-License-Identifier: GPL-2.0 */
/* The netlink handlers (nl_<object>.c), for the operations table. */
#ifndef _SVCGW_NL_H
#define _SVCGW_NL_H

#include <net/genetlink.h>

/* nl_service.c */
int svcgw_nl_service_new(struct sk_buff *skb, struct genl_info *info);
int svcgw_nl_service_set(struct sk_buff *skb, struct genl_info *info);
int svcgw_nl_service_del(struct sk_buff *skb, struct genl_info *info);
int svcgw_nl_service_get(struct sk_buff *skb, struct genl_info *info);
int svcgw_nl_service_dump_start(struct netlink_callback *cb);
int svcgw_nl_service_dump(struct sk_buff *skb, struct netlink_callback *cb);
int svcgw_nl_flush(struct sk_buff *skb, struct genl_info *info);

/* nl_server.c */
int svcgw_nl_server_new(struct sk_buff *skb, struct genl_info *info);
int svcgw_nl_server_del(struct sk_buff *skb, struct genl_info *info);
int svcgw_nl_server_set(struct sk_buff *skb, struct genl_info *info);
int svcgw_nl_server_replace(struct sk_buff *skb, struct genl_info *info);

/* nl_session.c */
int svcgw_nl_session_dump_start(struct netlink_callback *cb);
int svcgw_nl_session_dump(struct sk_buff *skb, struct netlink_callback *cb);
int svcgw_nl_session_dump_done(struct netlink_callback *cb);
int svcgw_nl_session_flush(struct sk_buff *skb, struct genl_info *info);

/* nl_batch.c */
int svcgw_nl_batch(struct sk_buff *skb, struct genl_info *info);

/* nl_policy.c */
int svcgw_nl_policy_replace(struct sk_buff *skb, struct genl_info *info);
int svcgw_nl_policy_dump(struct sk_buff *skb, struct netlink_callback *cb);

/* nl_ha.c */
int svcgw_nl_ha_set(struct sk_buff *skb, struct genl_info *info);
int svcgw_nl_ha_get(struct sk_buff *skb, struct genl_info *info);
int svcgw_nl_ha_node_set(struct sk_buff *skb, struct genl_info *info);
int svcgw_nl_ha_del(struct sk_buff *skb, struct genl_info *info);

/* nl_config.c */
int svcgw_nl_stats_get(struct sk_buff *skb, struct genl_info *info);
int svcgw_nl_config_set(struct sk_buff *skb, struct genl_info *info);
int svcgw_nl_config_get(struct sk_buff *skb, struct genl_info *info);

/* netlink.c */
int svcgw_genl_register(void);
void svcgw_genl_unregister(void);

#endif /* _SVCGW_NL_H */
