/* SPDX-License-Identifier: GPL-2.0 */
/* One SVCGW_CMD_BATCH request: many services and servers, all or nothing. */
#ifndef _SVCGW_BATCH_H
#define _SVCGW_BATCH_H

#include <linux/netlink.h>

#include "svcgw.h"

/*
 * One SVCGW_CMD_BATCH request, parsed (nl_batch.c) and applied
 * (svcgw_batch_apply()).  @svc[i] owns @srv[first..first+n).  The nlattr
 * pointers point into the request, for the extended ack.  The keys come
 * first: the twin search hashes them in place.
 */
struct svcgw_batch_srv {
	/* (@ep, @svc_nr) is unique in a batch: the key of a server. */
	struct svcgw_key		ep;
	u32				svc_nr;	/* index of its service */
	u32				weight;
	struct svcgw_fwd		fwd;
	const struct nlattr		*attr;
	/* Filled by svcgw_batch_apply(): */
	struct svcgw_server		*srv;	/* new, or the kept one */
	struct svcgw_server		*displace;	/* holds @ep now, and
							 * goes: @srv takes it
							 */
	bool				fresh;	/* @srv is new */
	bool				inserted;	/* in an endpoint table */
};

struct svcgw_batch_svc {
	struct svcgw_key		key;
	struct svcgw_service_cfg	cfg;
	const struct nlattr		*attr;
	unsigned int			first, n;
	/* Filled by svcgw_batch_apply(): */
	struct svcgw_service		*svc;	/* new, or the existing one */
	struct svcgw_service		*old;	/* made afresh: the one it replaces */
	struct svcgw_lut		*lut;	/* new table, NULL: keep */
	bool				fresh;	/* @svc is new */
	bool				inserted;	/* in svcgw_net.services */
};

struct svcgw_batch {
	bool				replace;
	unsigned int			nsvc, nsrv;
	struct svcgw_batch_svc		*svc;
	struct svcgw_batch_srv		*srv;
};

int svcgw_batch_apply(struct svcgw_net *sn, struct svcgw_batch *b,
		      struct netlink_ext_ack *extack);

#endif /* _SVCGW_BATCH_H */
