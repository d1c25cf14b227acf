// SPDX-License-Identifier: GPL-2.0
/*
 * The session collector: a work item, once a second while the namespace
 * has sessions or services, that ends expired sessions a share of the
 * table at a time and updates the session table's pressure.  It takes no
 * lock of svcgw's: the session table's own (rhashtable's) order it
 * against the packet path, which also ends the expired sessions it meets.
 */
#include <linux/workqueue.h>

#include "collector.h"
#include "session.h"
#include "stats.h"

#define SVCGW_COLLECTOR_INTERVAL	HZ

/*
 * One step of the collector: a share of the table, from where the last
 * step stopped, so that a large table costs a little every tick instead
 * of a whole walk (about 1.5 s of emulated CPU a second at a million
 * sessions, with nothing to collect).  Expired sessions that packets
 * still meet are ended by the packet path; the collector only bounds how
 * long the others take memory: a sweep of the table takes gc_sweep
 * ticks, SVCGW_GC_SWEEP_MIN when sweeps find much expired or under
 * pressure, up to SVCGW_GC_SWEEP_MAX when they find next to nothing
 * (svcgw_gc_sweep_next()): a table of a million live sessions then costs
 * an eighth of what it did at a fixed 8.  The walk (both tables) stays
 * entered between steps, as a dump's does.
 */
static void collector_step(struct svcgw_net *sn)
{
	struct svcgw_session_iter *it = &sn->gc_iter;
	unsigned int budget, seen = 0, expired = 0;
	struct svcgw_session *s, *next;
	bool pressure = READ_ONCE(sn->pressure);

	budget = max_t(unsigned int, SVCGW_SESSION_WALK_BATCH * 4,
		       atomic_read(&sn->nsessions) /
		       (pressure ? SVCGW_GC_SWEEP_MIN : sn->gc_sweep));
	if (!sn->gc_walking) {
		svcgw_session_iter_enter(sn, it);
		sn->gc_walking = true;
		sn->gc_seen = 0;
		sn->gc_expired = 0;
		svcgw_session_iter_start(it);
		next = svcgw_session_iter_next(it);
	} else {
		svcgw_session_iter_start(it);
		next = svcgw_session_iter_resume(it);
	}
	while ((s = next)) {
		/* Step past @s before ending it (see the iterator). */
		next = svcgw_session_iter_next(it);
		if (svcgw_session_expired(s)) {
			local_bh_disable();
			if (svcgw_session_kill(sn, s)) {
				svcgw_event(sn, SVCGW_EV_SESSION_EXPIRED);
				expired++;
			}
			local_bh_enable();
		}
		if (next && ++seen % SVCGW_SESSION_WALK_BATCH == 0) {
			if (seen >= budget)
				break;	/* the walk stands on @next */
			svcgw_session_iter_stop(it);
			cond_resched();
			svcgw_session_iter_start(it);
			next = svcgw_session_iter_resume(it);
		}
	}
	svcgw_session_iter_stop(it);
	sn->gc_seen += seen;
	sn->gc_expired += expired;
	if (!next) {
		svcgw_session_iter_exit(it);
		sn->gc_walking = false;
		sn->gc_sweep = svcgw_gc_sweep_next(sn->gc_sweep, sn->gc_seen,
						   sn->gc_expired, pressure);
	}
}

static void collector_work(struct work_struct *work)
{
	struct svcgw_net *sn = container_of(to_delayed_work(work),
					    struct svcgw_net, gc_work);

	if (atomic_read(&sn->nsessions) || sn->gc_walking)
		collector_step(sn);
	svcgw_session_pressure_update(sn);
	/* Keep going while there are sessions, or services or policies to
	 * make them.
	 */
	if (!READ_ONCE(sn->exiting) &&
	    (atomic_read(&sn->nsessions) || READ_ONCE(sn->nservices) ||
	     READ_ONCE(sn->pset_live)))
		queue_delayed_work(system_power_efficient_wq, &sn->gc_work,
				   SVCGW_COLLECTOR_INTERVAL);
}

/* Run the collector, if it does not run (a namespace got a service). */
void svcgw_collector_start(struct svcgw_net *sn)
{
	if (!READ_ONCE(sn->exiting))
		queue_delayed_work(system_power_efficient_wq, &sn->gc_work,
				   SVCGW_COLLECTOR_INTERVAL);
}

void svcgw_collector_net_init(struct svcgw_net *sn)
{
	sn->gc_sweep = SVCGW_GC_SWEEP_MIN;
	INIT_DELAYED_WORK(&sn->gc_work, collector_work);
}

/* At the namespace's exit (svcgw_net.exiting set: not queued again). */
void svcgw_collector_net_exit(struct svcgw_net *sn)
{
	cancel_delayed_work_sync(&sn->gc_work);
	if (sn->gc_walking) {
		svcgw_session_iter_exit(&sn->gc_iter);
		sn->gc_walking = false;
	}
}
