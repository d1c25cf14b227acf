/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sync queue (Documentation/ha.rst, "What is sent, and when"): session
 * records that the packet path and the session table leave for the sync
 * channel (sync.c), which takes them in its work item and sends each to
 * the peer that backs its session up.  One queue a namespace, a ring of
 * fixed size under a spinlock; present (svcgw_net.syncq) only while the
 * namespace's HA policy makes it replicate.  A record that finds the ring
 * full is dropped and counted: the channel then sends every peer its
 * whole set again (a bulk resync), which covers it.
 */
#ifndef _SVCGW_SYNCQ_H
#define _SVCGW_SYNCQ_H

#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "svcgw.h"
#include "syncmsg.h"

/* Records of a ring: a second's worth at a high new-flow rate. */
#define SVCGW_SYNCQ_LEN		16384
/* Records that make the channel's work item run at once. */
#define SVCGW_SYNCQ_KICK	32
/* How long a lone record waits for others (ms). */
#define SVCGW_SYNCQ_DELAY_MS	10

struct svcgw_syncq {
	spinlock_t		lock;
	unsigned int		head;		/* the oldest record */
	unsigned int		len;
	u64			dropped;	/* found the ring full */
	u64			queued;
	bool			overrun;	/* dropped since the last take */
	struct delayed_work	work;		/* the channel's, sync.c */
	struct svcgw_sync_rec	*ring;		/* SVCGW_SYNCQ_LEN */
};

int svcgw_syncq_init(struct svcgw_syncq *q, work_func_t fn);
void svcgw_syncq_free(struct svcgw_syncq *q);
void svcgw_syncq_put(struct svcgw_syncq *q, const struct svcgw_sync_rec *r);
unsigned int svcgw_syncq_take(struct svcgw_syncq *q,
			      struct svcgw_sync_rec *out, unsigned int max,
			      bool *overrun);

#endif /* _SVCGW_SYNCQ_H */
