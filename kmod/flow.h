/* SPDX-License-Identifier: GPL-2.0 */
/* A flow's server and service: from its session, else the mapping table. */
#ifndef _SVCGW_FLOW_H
#define _SVCGW_FLOW_H

#include "svcgw.h"
#include "pkt.h"

static inline bool svcgw_tcp_syn(const struct svcgw_pkt *p)
{
	return p->t.proto == IPPROTO_TCP &&
	       (p->tcp_flags & (SVCGW_TCP_SYN | SVCGW_TCP_ACK)) == SVCGW_TCP_SYN;
}

struct svcgw_session *svcgw_flow_session_rcu(struct svcgw_net *sn,
					     const struct svcgw_pkt *p);
struct svcgw_server *svcgw_flow_pick_rcu(struct svcgw_net *sn,
					 struct svcgw_service *svc,
					 const struct svcgw_tuple *t, bool syn,
					 bool *make_session);
bool svcgw_flow_reply_endpoint_rcu(struct svcgw_net *sn,
				   const struct svcgw_tuple *t, bool touch,
				   const struct svcgw_pkt *p,
				   union svcgw_addr *addr, __be16 *port);

#endif /* _SVCGW_FLOW_H */
