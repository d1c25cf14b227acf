/* SPDX-License-Identifier: GPL-2.0 */
/* The encapsulating forwarding methods (encap.c). */
#ifndef _SVCGW_ENCAP_H
#define _SVCGW_ENCAP_H

#include "svcgw.h"
#include "pkt.h"

/* Send @skb, @p parsed, to @srv of @svc encapsulated: NF_STOLEN when sent,
 * NF_DROP (counted) when not.  Under RCU, at PREROUTING.
 */
unsigned int svcgw_encap_xmit(struct svcgw_net *sn, struct svcgw_service *svc,
			      struct svcgw_server *srv, struct sk_buff *skb,
			      const struct svcgw_pkt *p);

void svcgw_encap_net_exit(struct svcgw_net *sn);

#endif /* _SVCGW_ENCAP_H */
