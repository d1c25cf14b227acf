/* SPDX-License-Identifier: GPL-2.0 */
/* ICMP and ICMPv6 errors that quote a translated flow. */
#ifndef _SVCGW_ICMP_H
#define _SVCGW_ICMP_H

#include <linux/skbuff.h>

#include "svcgw.h"
#include "pkt.h"

unsigned int svcgw_icmp_in(struct svcgw_net *sn, struct sk_buff *skb,
			   struct svcgw_pkt *p);
unsigned int svcgw_icmp_out(struct svcgw_net *sn, struct sk_buff *skb,
			    struct svcgw_pkt *p);

#endif /* _SVCGW_ICMP_H */
