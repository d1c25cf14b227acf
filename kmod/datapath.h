/* SPDX-License-Identifier: GPL-2.0 */
/* The two netfilter hook functions (hooks.c registers them). */
#ifndef _SVCGW_DATAPATH_H
#define _SVCGW_DATAPATH_H

#include <linux/netfilter.h>

unsigned int svcgw_in(void *priv, struct sk_buff *skb,
		      const struct nf_hook_state *state);
unsigned int svcgw_out(void *priv, struct sk_buff *skb,
		       const struct nf_hook_state *state);

#endif /* _SVCGW_DATAPATH_H */
