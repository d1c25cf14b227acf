/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family's pieces every handler shares: the family
 * (its operations are netlink.c's), the attribute policies, and the
 * parsing and writing of the nests the commands have in common.
 */
#ifndef _SVCGW_GENL_H
#define _SVCGW_GENL_H

#include <net/genetlink.h>

#include "svcgw.h"

extern struct genl_family svcgw_genl_family;
extern const struct nla_policy svcgw_nl_batch_policy[SVCGW_A_MAX + 1];
extern const struct nla_policy svcgw_nl_batch_svc_policy[SVCGW_SVC_A_MAX + 1];
extern const struct nla_policy svcgw_nl_srv_policy[SVCGW_SRV_A_MAX + 1];
extern const struct nla_policy svcgw_nl_cfg_policy[SVCGW_CFG_A_MAX + 1];
extern const struct nla_policy svcgw_nl_pset_op_policy[SVCGW_A_MAX + 1];
extern const struct nla_policy svcgw_nl_ha_op_policy[SVCGW_A_MAX + 1];

/* Whose address svcgw_nl_parse_addr() parses, for its messages. */
enum svcgw_nl_what {
	SVCGW_NL_SERVICE,
	SVCGW_NL_SERVER,
	SVCGW_NL_POLICY,
	SVCGW_NL_HA_NODE,
};

int svcgw_nl_parse_addr(struct nlattr *nest, struct nlattr **tb, int fa,
			int aa, enum svcgw_nl_what what, struct svcgw_key *key,
			struct netlink_ext_ack *extack);
int svcgw_nl_parse_service_nest(struct nlattr *nest, struct nlattr **tb,
				struct svcgw_key *key,
				struct netlink_ext_ack *extack);
int svcgw_nl_parse_service(struct genl_info *info, struct nlattr **tb,
			   struct svcgw_key *key);
int svcgw_nl_parse_server_nest(struct nlattr *nest, struct nlattr **tb,
			       const struct svcgw_key *svc,
			       struct svcgw_key *ep,
			       struct netlink_ext_ack *extack);
int svcgw_nl_parse_server(struct genl_info *info, int attr,
			  struct nlattr **tb, const struct svcgw_key *svc,
			  struct svcgw_key *ep);
int svcgw_nl_parse_service_cfg(struct nlattr **tb,
			       struct svcgw_service_cfg *cfg,
			       unsigned int *which,
			       struct netlink_ext_ack *extack);
int svcgw_nl_parse_fullnat(struct nlattr **tb, const struct svcgw_key *key,
			   bool *on, union svcgw_addr *addr,
			   struct netlink_ext_ack *extack);
int svcgw_nl_parse_encap_src(struct nlattr **tb, const struct svcgw_key *key,
			     bool *on, union svcgw_addr *addr,
			     struct netlink_ext_ack *extack);
int svcgw_nl_parse_fwd(struct nlattr **tb, struct svcgw_fwd *fwd,
		       struct netlink_ext_ack *extack);
int svcgw_nl_put_addr(struct sk_buff *skb, int attr, u8 family,
		      const union svcgw_addr *a);
int svcgw_nl_put_stats(struct sk_buff *skb, int attr,
		       struct svcgw_pcpu_stats __percpu *pcpu);
u32 svcgw_nl_ms_left(unsigned long until);

#endif /* _SVCGW_GENL_H */
