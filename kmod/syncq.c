// SPDX-License-Identifier: GPL-2.0
/*
 * The sync queue (syncq.h).  svcgw_syncq_put() runs in the packet path
 * (softirq) and in process context; the lock is taken with bottom halves
 * off.  The work item is the channel's, on svcgw_sync_wq: a put that makes the queue
 * non-empty starts it SVCGW_SYNCQ_DELAY_MS later, one that brings it to
 * SVCGW_SYNCQ_KICK records at once.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "syncq.h"

struct workqueue_struct *svcgw_sync_wq;

int svcgw_syncq_wq_init(void)
{
	svcgw_sync_wq = alloc_workqueue("svcgw_sync", WQ_UNBOUND | WQ_HIGHPRI,
					0);
	return svcgw_sync_wq ? 0 : -ENOMEM;
}

/* After every namespace's work item is stopped. */
void svcgw_syncq_wq_exit(void)
{
	destroy_workqueue(svcgw_sync_wq);
}

int svcgw_syncq_init(struct svcgw_syncq *q, work_func_t fn)
{
	spin_lock_init(&q->lock);
	q->head = 0;
	q->len = 0;
	q->dropped = 0;
	q->queued = 0;
	q->overrun = false;
	INIT_DELAYED_WORK(&q->work, fn);
	q->ring = kvcalloc(SVCGW_SYNCQ_LEN, sizeof(*q->ring), GFP_KERNEL);
	return q->ring ? 0 : -ENOMEM;
}

/* The work item is stopped (cancel_delayed_work_sync()) by the caller. */
void svcgw_syncq_free(struct svcgw_syncq *q)
{
	kvfree(q->ring);
	q->ring = NULL;
}

void svcgw_syncq_put(struct svcgw_syncq *q, const struct svcgw_sync_rec *r)
{
	unsigned int len;

	spin_lock_bh(&q->lock);
	if (unlikely(q->len == SVCGW_SYNCQ_LEN)) {
		q->dropped++;
		q->overrun = true;
		spin_unlock_bh(&q->lock);
		return;
	}
	q->ring[(q->head + q->len) % SVCGW_SYNCQ_LEN] = *r;
	len = ++q->len;
	q->queued++;
	spin_unlock_bh(&q->lock);
	if (len == 1)
		queue_delayed_work(svcgw_sync_wq, &q->work,
				   msecs_to_jiffies(SVCGW_SYNCQ_DELAY_MS));
	else if (len == SVCGW_SYNCQ_KICK)
		mod_delayed_work(svcgw_sync_wq, &q->work, 0);
}

/*
 * Up to @max records, oldest first, into @out; how many.  @overrun: some
 * were dropped since the last call.
 */
unsigned int svcgw_syncq_take(struct svcgw_syncq *q,
			      struct svcgw_sync_rec *out, unsigned int max,
			      bool *overrun)
{
	unsigned int n, i;

	spin_lock_bh(&q->lock);
	n = min(max, q->len);
	for (i = 0; i < n; i++)
		out[i] = q->ring[(q->head + i) % SVCGW_SYNCQ_LEN];
	q->head = (q->head + n) % SVCGW_SYNCQ_LEN;
	q->len -= n;
	*overrun = q->overrun;
	q->overrun = false;
	spin_unlock_bh(&q->lock);
	return n;
}
