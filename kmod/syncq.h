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

/*
 * The workqueue of every namespace's sync work item: unbound, so that a
 * record queued by the softirq of a CPU busy with traffic is sent from
 * another CPU if one is idle (a bound queue runs it on the CPU that
 * queued it, behind that softirq), and high priority (its workers run at
 * nice -20), so that under load the queue is drained before it fills.
 * Made at module load, before any namespace (svcgw_syncq_wq_init()).
 */
extern struct workqueue_struct *svcgw_sync_wq;

int svcgw_syncq_wq_init(void);
void svcgw_syncq_wq_exit(void);
int svcgw_syncq_init(struct svcgw_syncq *q, work_func_t fn);
void svcgw_syncq_free(struct svcgw_syncq *q);
void svcgw_syncq_put(struct svcgw_syncq *q, const struct svcgw_sync_rec *r);
unsigned int svcgw_syncq_take(struct svcgw_syncq *q,
			      struct svcgw_sync_rec *out, unsigned int max,
			      bool *overrun);

#endif /* _SVCGW_SYNCQ_H */
