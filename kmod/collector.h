/* SPDX-License-Identifier: GPL-2.0 */
/* The session collector: expired sessions ended in the background. */
#ifndef _SVCGW_COLLECTOR_H
#define _SVCGW_COLLECTOR_H

#include "svcgw.h"

void svcgw_collector_start(struct svcgw_net *sn);
void svcgw_collector_net_init(struct svcgw_net *sn);
void svcgw_collector_net_exit(struct svcgw_net *sn);

#endif /* _SVCGW_COLLECTOR_H */
