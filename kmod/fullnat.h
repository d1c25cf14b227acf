/* SPDX-License-Identifier: GPL-2.0 */
/* Full NAT: servers see every flow come from a gateway address and port. */
#ifndef _SVCGW_FULLNAT_H
#define _SVCGW_FULLNAT_H

#include <linux/skbuff.h>
#include <linux/netlink.h>

#include "svcgw.h"
#include "pkt.h"

int svcgw_fullnat_check_mode(bool on, u8 mode, const struct nlattr *attr,
			     struct netlink_ext_ack *extack);
int svcgw_fullnat_check_batch(const struct svcgw_service *svc,
			      const struct svcgw_service_cfg *cfg,
			      const struct nlattr *attr,
			      struct netlink_ext_ack *extack);
int svcgw_fullnat_set(struct svcgw_net *sn, struct svcgw_service *svc,
		      const union svcgw_addr *addr);
void svcgw_fullnat_unlink(struct svcgw_net *sn, struct svcgw_service *svc);
struct svcgw_session *svcgw_fullnat_session(struct svcgw_net *sn,
					    struct svcgw_server *srv,
					    const struct svcgw_pkt *p,
					    const struct svcgw_fullnat *fn);
struct svcgw_session *svcgw_fullnat_find_rcu(struct svcgw_net *sn,
					     const struct svcgw_tuple *t,
					     struct svcgw_tuple *o);
unsigned int svcgw_fullnat_reply(struct svcgw_net *sn, struct sk_buff *skb,
				 struct svcgw_pkt *p);
unsigned int svcgw_fullnat_out(struct svcgw_net *sn, struct sk_buff *skb,
			       struct svcgw_pkt *p);

#endif /* _SVCGW_FULLNAT_H */
