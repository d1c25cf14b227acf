/* SPDX-License-Identifier: GPL-2.0 */
/* The netfilter hooks of a namespace, registered while it has services. */
#ifndef _SVCGW_HOOKS_H
#define _SVCGW_HOOKS_H

#include "svcgw.h"

int svcgw_hooks_enable(struct svcgw_net *sn);
void svcgw_hooks_disable(struct svcgw_net *sn);
void svcgw_hooks_sync(struct svcgw_net *sn);

#endif /* _SVCGW_HOOKS_H */
