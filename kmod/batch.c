// SPDX-License-Identifier: GPL-2.0
/*
 * Batches (SVCGW_CMD_BATCH): many services with their servers in one
 * request, all or nothing.  batch_prepare() checks the request against the
 * configuration, allocates every object, builds every table that changes
 * (on every CPU at once: batch_build()), and inserts the new objects that
 * collide with nothing into the hash tables (the only steps that can fail
 * once things are allocated: rhashtable inserts may allocate).
 * batch_commit() then cannot fail: objects that take over a key held now
 * are swapped in with rhashtable_replace_fast(), tables are published
 * (service.c's svcgw_service_publish()), the services that go
 * are unlinked, and one grace period covers them all.  batch_abort()
 * undoes batch_prepare().
 */
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "batch.h"
#include "service.h"
#include "server.h"
#include "lut.h"
#include "fullnat.h"
#include "session.h"
#include "collector.h"

/*
 * The tables a batch builds: collected while it is prepared, then built
 * on every CPU at once (Maglev builds are most of a large batch's time),
 * each into its service's bs->lut.  The caller holds svcgw_net.lock and
 * waits for them: nothing they read changes meanwhile.
 */
struct batch_job {
	struct svcgw_batch_svc	*bs;
	const struct svcgw_lut	*old;
	struct svcgw_lut_in	*in;
	unsigned int		n;
	u32			transition;
	bool			change;
};

struct batch_jobs {
	struct batch_job	*job;
	unsigned int		n;
	atomic_t		next;
	atomic_t		failed;
};

#define BATCH_BUILD_HELPERS	7	/* at most, besides the caller */
#define BATCH_BUILD_PER_HELPER	32	/* tables that make a helper worth it */

struct batch_builder {
	struct work_struct	work;
	struct batch_jobs	*jobs;
};

/* @in (kmalloc'd) goes with the job; @jobs has room for every service. */
static void batch_job_add(struct batch_jobs *jobs, struct svcgw_batch_svc *bs,
			  const struct svcgw_lut *old, struct svcgw_lut_in *in,
			  unsigned int n, u32 transition, bool change)
{
	jobs->job[jobs->n++] = (struct batch_job){
		.bs = bs, .old = old, .in = in, .n = n,
		.transition = transition, .change = change,
	};
}

static void batch_build_some(struct batch_jobs *jobs)
{
	unsigned int i;

	while ((i = atomic_inc_return(&jobs->next) - 1) < jobs->n) {
		struct batch_job *job = &jobs->job[i];

		job->bs->lut = svcgw_lut_build(job->bs->svc, job->old, job->in,
					 job->n, job->transition, job->change);
		if (!job->bs->lut)
			atomic_inc(&jobs->failed);
		cond_resched();
	}
}

static void batch_build_work(struct work_struct *work)
{
	batch_build_some(container_of(work, struct batch_builder, work)->jobs);
}

/*
 * Build every table of @jobs, here and on up to BATCH_BUILD_HELPERS other
 * CPUs (system_unbound_wq); -ENOMEM if one could not be.
 *
 * Lock context: the requester holds svcgw_net.lock and sleeps here until
 * every helper is done (flush_work()).  The helpers take no lock: they
 * read the services, servers and current tables the requester's lock
 * keeps still, and each writes only its own jobs' bs->lut; @jobs->next
 * hands the jobs out.  Nothing a helper waits for needs the lock.
 */
static int batch_build(struct svcgw_net *sn, struct batch_jobs *jobs)
{
	struct batch_builder helper[BATCH_BUILD_HELPERS];
	unsigned int h, nh;

	lockdep_assert_held(&sn->lock);

	nh = min3(num_online_cpus() - 1, (unsigned int)BATCH_BUILD_HELPERS,
		  jobs->n / BATCH_BUILD_PER_HELPER);
	for (h = 0; h < nh; h++) {
		INIT_WORK_ONSTACK(&helper[h].work, batch_build_work);
		helper[h].jobs = jobs;
		queue_work(system_unbound_wq, &helper[h].work);
	}
	batch_build_some(jobs);
	for (h = 0; h < nh; h++) {
		flush_work(&helper[h].work);
		destroy_work_on_stack(&helper[h].work);
	}
	return atomic_read(&jobs->failed) ? -ENOMEM : 0;
}

/* May @svc have @bsr's server, reached as it says? */
static int batch_fwd_check(const struct svcgw_service *svc,
			   const struct svcgw_batch_srv *bsr,
			   struct netlink_ext_ack *extack)
{
	int err = svcgw_service_fwd_check(svc, &bsr->ep, &bsr->fwd, extack);

	if (err && extack)
		extack->bad_attr = bsr->attr;
	return err;
}

/*
 * The servers a kept service keeps: found by endpoint (held or shared),
 * marked, so that a service placing a server at an endpoint another one
 * holds knows whether that one keeps it (batch_place()).
 */
static void batch_mark_kept(struct svcgw_net *sn, struct svcgw_batch *b,
			    struct svcgw_batch_svc *bs)
{
	unsigned int j;

	for (j = 0; j < bs->n; j++) {
		struct svcgw_batch_srv *bsr = &b->srv[bs->first + j];
		struct svcgw_server *srv;

		srv = svcgw_endpoint_lookup_svc_locked(sn, &bsr->ep, bs->svc);
		if (srv) {
			srv->batch_kept = true;
			bsr->srv = srv;
		}
	}
}

/* A service of the batch that exists now and keeps its objects. */
static int batch_prepare_kept(struct svcgw_net *sn, struct svcgw_batch *b,
			      struct svcgw_batch_svc *bs,
			      struct batch_jobs *jobs,
			      struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc = bs->svc;
	unsigned int j, kept = 0;
	bool changed = false;
	struct svcgw_lut_in *in;
	int err;

	for (j = 0; j < bs->n; j++) {
		struct svcgw_batch_srv *bsr = &b->srv[bs->first + j];
		struct svcgw_server *other = bsr->srv;

		err = batch_fwd_check(svc, bsr, extack);
		if (err)
			return err;
		if (other) {
			if (other->fwd.method != bsr->fwd.method ||
			    other->fwd.gue_port != bsr->fwd.gue_port) {
				NL_SET_ERR_MSG_ATTR(extack, bsr->attr,
						    "how a server is reached is fixed: replace it");
				return -EINVAL;
			}
			if (svcgw_server_needs_session(other) &&
			    bs->cfg.mode == SVCGW_MODE_STATELESS) {
				NL_SET_ERR_MSG_ATTR(extack, bsr->attr,
						    "server endpoint backs another service: a stateless service cannot share it by NAT (replies are told apart by session)");
				return -EADDRINUSE;
			}
			kept++;
			if (other->weight != bsr->weight)
				changed = true;
			continue;
		}
		bsr->srv = svcgw_server_alloc(sn, svc, &bsr->ep, bsr->weight,
					      &bsr->fwd);
		if (!bsr->srv)
			return -ENOMEM;
		bsr->fresh = true;
		changed = true;
	}
	if (kept != svc->nservers)
		changed = true;
	if (!changed)
		return 0;	/* same servers, same weights: same table */

	in = kmalloc_array(bs->n, sizeof(*in), GFP_KERNEL);
	if (!in)
		return -ENOMEM;
	for (j = 0; j < bs->n; j++) {
		struct svcgw_batch_srv *bsr = &b->srv[bs->first + j];

		in[j].srv = bsr->srv;
		in[j].weight = bsr->srv->state == SVCGW_SERVER_ACTIVE ?
			       bsr->weight : 0;
	}
	batch_job_add(jobs, bs, svcgw_lut_locked(sn, svc), in, bs->n,
		      bs->cfg.transition, true);
	return 0;
}

/* A service of the batch made afresh, with its servers and table. */
static int batch_prepare_new(struct svcgw_net *sn, struct svcgw_batch *b,
			     struct svcgw_batch_svc *bs,
			     struct batch_jobs *jobs,
			     struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc;
	struct svcgw_lut_in *in;
	unsigned int j, n;
	int err;

	svc = svcgw_service_alloc(sn, &bs->key, &bs->cfg, bs->n);
	if (!svc)
		return -ENOMEM;
	bs->svc = svc;
	bs->fresh = true;
	for (j = 0; j < bs->n; j++) {
		struct svcgw_batch_srv *bsr = &b->srv[bs->first + j];

		err = batch_fwd_check(svc, bsr, extack);
		if (err)
			return err;
		bsr->srv = svcgw_server_alloc(sn, svc, &bsr->ep, bsr->weight,
					      &bsr->fwd);
		if (!bsr->srv)
			return -ENOMEM;
		bsr->fresh = true;
		list_add_tail(&bsr->srv->list, &svc->servers);
		svc->nservers++;
	}
	in = svcgw_lut_in_servers(svc, &n);
	if (!in)
		return -ENOMEM;
	batch_job_add(jobs, bs, NULL, in, n, svc->cfg.transition, false);
	return 0;
}

/* Does the server @holder, holding its endpoint now, lose it in @b? */
static bool batch_holder_goes(const struct svcgw_batch *b,
			      const struct svcgw_server *holder)
{
	if (holder->svc->in_batch)
		return !holder->batch_kept;
	/* Not in the batch, or made afresh (the old one goes). */
	return b->replace;
}

/*
 * A new server of the batch takes its endpoint: from the server holding
 * it now if that one loses it in this batch (swapped in at commit, as
 * the first to ask), else it holds it if nobody does, else it is a guest
 * there (svcgw_endpoint_insert()), which a stateless service may not
 * be by NAT.
 */
static int batch_place(struct svcgw_net *sn, struct svcgw_batch *b,
		       struct svcgw_batch_srv *bsr,
		       struct netlink_ext_ack *extack)
{
	struct svcgw_server *holder = svcgw_endpoint_lookup_locked(sn, &bsr->ep);
	int err;

	if (holder && !holder->batch_displaced &&
	    batch_holder_goes(b, holder)) {
		holder->batch_displaced = true;
		bsr->displace = holder;
		return 0;
	}
	if (holder && b->svc[bsr->svc_nr].cfg.mode == SVCGW_MODE_STATELESS &&
	    bsr->fwd.method == SVCGW_METHOD_NAT) {
		NL_SET_ERR_MSG_ATTR(extack, bsr->attr,
				    "server endpoint backs another service: a stateless service cannot share it by NAT (replies are told apart by session)");
		return -EADDRINUSE;
	}
	err = svcgw_endpoint_insert(sn, bsr->srv);
	if (err)
		return err;
	bsr->inserted = true;
	return 0;
}

static int __batch_prepare(struct svcgw_net *sn, struct svcgw_batch *b,
			   struct batch_jobs *jobs,
			   struct netlink_ext_ack *extack)
{
	struct svcgw_service *svc;
	struct svcgw_server *srv;
	unsigned int i, round;
	int err;

	list_for_each_entry(svc, &sn->service_list, list) {
		svc->in_batch = false;
		list_for_each_entry(srv, &svc->servers, list)
			srv->batch_kept = srv->batch_displaced = false;
	}
	/* Which services are kept, and which of their servers. */
	for (i = 0; i < b->nsvc; i++) {
		struct svcgw_batch_svc *bs = &b->svc[i];

		svc = svcgw_service_lookup_locked(sn, &bs->key);
		if (svc && !b->replace) {
			NL_SET_ERR_MSG_ATTR(extack, bs->attr, "service exists");
			return -EEXIST;
		}
		if (svc) {
			err = svcgw_fullnat_check_batch(svc, &bs->cfg, bs->attr,
							extack);
			if (err)
				return err;
		}
		if (svc && svc->cfg.table_size != bs->cfg.table_size) {
			bs->old = svc;	/* made afresh, the old one goes */
			svc = NULL;
		}
		if (svc) {
			svc->in_batch = true;
			bs->svc = svc;
			batch_mark_kept(sn, b, bs);
		}
	}
	for (i = 0; i < b->nsvc; i++) {
		struct svcgw_batch_svc *bs = &b->svc[i];

		if (bs->svc)
			err = batch_prepare_kept(sn, b, bs, jobs, extack);
		else
			err = batch_prepare_new(sn, b, bs, jobs, extack);
		if (err)
			return err;
		cond_resched();
	}
	err = batch_build(sn, jobs);
	if (err)
		return err;
	/* New services are not visible yet: their tables go in directly. */
	for (i = 0; i < jobs->n; i++) {
		struct svcgw_batch_svc *bs = jobs->job[i].bs;

		if (bs->fresh) {
			svcgw_service_publish(sn, bs->svc, bs->lut, false);
			bs->lut = NULL;
		}
	}
	/*
	 * New servers take their endpoints, those of stateless services
	 * first: of two new servers at a free endpoint, the one that cannot
	 * be a guest holds it.
	 */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < b->nsrv; i++) {
			struct svcgw_batch_srv *bsr = &b->srv[i];
			bool stateless = b->svc[bsr->svc_nr].cfg.mode ==
					 SVCGW_MODE_STATELESS;

			if (!bsr->fresh || stateless != !round)
				continue;
			err = batch_place(sn, b, bsr, extack);
			if (err)
				return err;
		}
	}
	for (i = 0; i < b->nsvc; i++) {
		struct svcgw_batch_svc *bs = &b->svc[i];

		if (!bs->fresh || bs->old)
			continue;
		err = svcgw_service_insert(sn, bs->svc);
		if (err)
			return err;
		bs->inserted = true;
	}
	return 0;
}

/* Check @b against the configuration, make its objects, build its tables
 * and insert what has a free key (batch_commit() does the rest).
 */
static int batch_prepare(struct svcgw_net *sn, struct svcgw_batch *b,
			 struct netlink_ext_ack *extack)
{
	struct batch_jobs jobs = {};
	unsigned int i;
	int err;

	if (b->nsvc) {
		jobs.job = kvmalloc_array(b->nsvc, sizeof(*jobs.job),
					  GFP_KERNEL);
		if (!jobs.job)
			return -ENOMEM;
	}
	err = __batch_prepare(sn, b, &jobs, extack);
	for (i = 0; i < jobs.n; i++)
		kfree(jobs.job[i].in);
	kvfree(jobs.job);
	return err;
}

static void batch_abort(struct svcgw_net *sn, struct svcgw_batch *b)
{
	bool visible = false;
	unsigned int i, j;

	for (i = 0; i < b->nsvc; i++) {
		if (b->svc[i].inserted) {
			svcgw_service_remove(sn, b->svc[i].svc);
			visible = true;
		}
	}
	for (i = 0; i < b->nsrv; i++)
		if (b->srv[i].inserted)
			svcgw_endpoint_unlink(sn, b->srv[i].srv);
	if (visible) {
		/* Packets may have met the new services: as svcgw_service_del(). */
		synchronize_net();
		for (i = 0; i < b->nsvc && atomic_read(&sn->nsessions); i++)
			if (b->svc[i].inserted)
				svcgw_session_flush(sn, b->svc[i].svc, NULL);
	}
	for (i = 0; i < b->nsvc; i++) {
		struct svcgw_batch_svc *bs = &b->svc[i];

		svcgw_lut_free(bs->lut);	/* unpublished: holds no reference */
		bs->lut = NULL;
		if (bs->fresh) {
			/* Puts its servers, which its list holds. */
			svcgw_service_destroy(sn, bs->svc);
			continue;
		}
		for (j = 0; j < bs->n; j++)
			if (b->srv[bs->first + j].fresh)
				svcgw_server_put(b->srv[bs->first + j].srv);
	}
}

/* @bs's servers become @svc's, with the table built for them. */
static void batch_commit_servers(struct svcgw_net *sn, struct svcgw_batch *b,
				 struct svcgw_batch_svc *bs)
{
	struct svcgw_service *svc = bs->svc;
	struct svcgw_server *srv, *tmp;
	LIST_HEAD(gone);
	unsigned int j;

	for (j = 0; j < bs->n; j++)
		if (!b->srv[bs->first + j].fresh)
			list_del(&b->srv[bs->first + j].srv->list);
	list_splice_init(&svc->servers, &gone);
	for (j = 0; j < bs->n; j++) {
		struct svcgw_batch_srv *bsr = &b->srv[bs->first + j];

		bsr->srv->weight = bsr->weight;
		list_add_tail(&bsr->srv->list, &svc->servers);
	}
	svc->nservers = bs->n;
	svcgw_service_publish(sn, svc, bs->lut, true);
	bs->lut = NULL;
	list_for_each_entry_safe(srv, tmp, &gone, list) {
		list_del(&srv->list);
		svcgw_service_retire_server(sn, svc, srv);
	}
}

static void batch_commit(struct svcgw_net *sn, struct svcgw_batch *b)
{
	struct svcgw_service *svc, *tmp;
	LIST_HEAD(dead);
	unsigned int i;

	/* Keys that change hands: swapped in place, nothing to allocate. */
	for (i = 0; i < b->nsrv; i++)
		if (b->srv[i].displace)
			WARN_ON(svcgw_endpoint_replace(sn, b->srv[i].displace,
						       b->srv[i].srv));
	for (i = 0; i < b->nsvc; i++)
		if (b->svc[i].old)
			WARN_ON(svcgw_service_replace(sn, b->svc[i].old,
						      b->svc[i].svc));
	/*
	 * The services that go: not in the batch, or made afresh.  Removing
	 * a displaced object from its table finds nothing and does nothing.
	 */
	if (b->replace) {
		list_for_each_entry_safe(svc, tmp, &sn->service_list, list) {
			if (svc->in_batch)
				continue;
			svcgw_service_unlink(sn, svc);
			list_add_tail(&svc->list, &dead);
		}
	}
	for (i = 0; i < b->nsvc; i++) {
		struct svcgw_batch_svc *bs = &b->svc[i];

		svc = bs->svc;
		if (bs->fresh) {
			list_add_tail(&svc->list, &sn->service_list);
			sn->nservices++;
			svcgw_service_note(sn, svc);	/* its guests */
			continue;
		}
		WRITE_ONCE(svc->cfg.mode, bs->cfg.mode);
		svc->cfg.transition = bs->cfg.transition;
		WRITE_ONCE(svc->cfg.op_stateful, bs->cfg.op_stateful);
		WRITE_ONCE(svc->cfg.down_policy, bs->cfg.down_policy);
		if (bs->lut)
			batch_commit_servers(sn, b, bs);
		svcgw_service_note(sn, svc);
		cond_resched();
	}
	sn->gen++;
	if (sn->nservices) {
		svcgw_collector_start(sn);
		svcgw_service_clock_start(sn);
	}
	if (list_empty(&dead))
		return;
	/* As svcgw_service_del(), with one grace period for them all. */
	synchronize_net();
	/* Every session at once, unless policies pin flows with theirs. */
	if (!sn->nservices && !sn->pset_live) {
		svcgw_session_flush(sn, NULL, NULL);
	} else {
		list_for_each_entry(svc, &dead, list) {
			if (!atomic_read(&sn->nsessions))
				break;
			svcgw_session_flush(sn, svc, NULL);
		}
	}
	list_for_each_entry_safe(svc, tmp, &dead, list) {
		list_del(&svc->list);
		svcgw_service_destroy(sn, svc);
	}
}

/*
 * Apply @b (parsed by the netlink handler, which has registered the
 * hooks), all or nothing.
 */
int svcgw_batch_apply(struct svcgw_net *sn, struct svcgw_batch *b,
		      struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&sn->lock);
	if (!b->nsvc && !b->replace)
		return 0;
	err = batch_prepare(sn, b, extack);
	if (err) {
		batch_abort(sn, b);
		return err;
	}
	batch_commit(sn, b);
	return 0;
}
