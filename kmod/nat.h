/* SPDX-License-Identifier: GPL-2.0 */
/* Packets as the hooks get them: parsed, and rewritten in place. */
#ifndef _SVCGW_NAT_H
#define _SVCGW_NAT_H

#include <linux/skbuff.h>

#include "svcgw.h"
#include "pkt.h"

enum svcgw_parse svcgw_parse_skb(struct sk_buff *skb, struct svcgw_pkt *p);
bool svcgw_rewrite(struct sk_buff *skb, const struct svcgw_pkt *p, bool dst,
		   const union svcgw_addr *addr, __be16 port);

#endif /* _SVCGW_NAT_H */
