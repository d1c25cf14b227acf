// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping table of a service: which server each of its entries (a
 * prime number of them) sends a flow to, filled by Maglev's permutations
 * (maglev.c) from the server set, and, during a transition, which server
 * a moved entry was tied to before.  A table is built off to the side,
 * published with rcu_assign_pointer() and freed after a grace period;
 * the packet path reads the one it finds under RCU (svcgw_lut_entry()).
 */
#include <linux/slab.h>
#include <linux/sort.h>

#include "lut.h"
#include "server.h"

/* Order of the servers in a table build: by their place, then endpoint. */
static int server_cmp(const void *a, const void *b)
{
	const struct svcgw_server *x = *(struct svcgw_server * const *)a;
	const struct svcgw_server *y = *(struct svcgw_server * const *)b;

	if (x->ident.offset_hash != y->ident.offset_hash)
		return x->ident.offset_hash < y->ident.offset_hash ? -1 : 1;
	if (x->ident.skip_hash != y->ident.skip_hash)
		return x->ident.skip_hash < y->ident.skip_hash ? -1 : 1;
	return memcmp(&x->ep, &y->ep, sizeof(x->ep));
}

/* Free a table that holds no server reference (never published). */
void svcgw_lut_free(struct svcgw_lut *lut)
{
	if (lut)
		kvfree(lut->old);
	kvfree(lut);
}

/* Drop a published table: its references too.  Any context. */
void svcgw_lut_release(struct svcgw_lut *lut)
{
	u32 i;

	for (i = 0; i < lut->nservers; i++)
		svcgw_server_put(lut->servers[i]);
	svcgw_lut_free(lut);
}

static void lut_free_rcu(struct rcu_head *head)
{
	svcgw_lut_release(container_of(head, struct svcgw_lut, rcu));
}

/*
 * Tie entry @i of the new table @lut to the server it had before (index @p
 * of the old table) when that differs from its new server.  Servers are
 * told apart by endpoint: a server deleted and added again is the same
 * server to its flows.  @map caches where each server of the old table
 * sits in the new one; a removed server is appended.
 */
static void lut_mark(struct svcgw_lut *lut, u32 i, const struct svcgw_lut *old,
		     u16 p, u16 *map)
{
	struct svcgw_server *prev = old->servers[p];
	u32 j;

	if (map[p] == SVCGW_SLOT_EMPTY) {
		for (j = 0; j < lut->nservers; j++)
			if (!memcmp(&lut->servers[j]->ep, &prev->ep,
				    sizeof(prev->ep)))
				break;
		if (j == lut->nservers)
			lut->servers[lut->nservers++] = prev;
		map[p] = j;
	}
	if (lut->slot[i] == map[p])
		return;
	/* Never keep flows on a server set down. */
	if (lut->servers[map[p]]->state == SVCGW_SERVER_DOWN)
		return;
	lut->old[i] = map[p];
	lut->nmarked++;
}

/* Does an entry of @lut lead to @srv, or is one tied to it? */
bool svcgw_lut_names(const struct svcgw_lut *lut,
		     const struct svcgw_server *srv)
{
	u32 i;

	for (i = 0; i < lut->nservers; i++)
		if (lut->servers[i] == srv)
			return true;
	return false;
}

static int lut_in_cmp(const void *a, const void *b)
{
	const struct svcgw_lut_in *x = a, *y = b;

	return server_cmp(&x->srv, &y->srv);
}

/*
 * A mapping table for @svc from the @n servers of @in (sorted here) with
 * their weights.  Servers are sorted by their place first, so the table
 * depends on the server set only, not on the order it was configured in:
 * every gateway with the same configuration maps every flow alike.
 *
 * With @change, entries that now lead to another server than in @svc's
 * current table stay tied to the old one too (marked), if @transition is
 * not 0; an entry marked by a transition still running keeps its oldest
 * tie, since every flow that began on a newer server during the
 * transition has a session.  Without @change (the clock ran out), ties
 * whose time is up go.
 *
 * @old is @svc's table now (NULL: none), which the caller keeps as it is
 * while this runs, as it does @svc and the servers: the caller holds
 * svcgw_net.lock, or a batch builds its tables on several CPUs while it
 * does (batch_build()).  The table is not published and holds no
 * reference yet: svcgw_lut_publish() does both, and cannot fail;
 * svcgw_lut_free() drops it instead.
 */
struct svcgw_lut *svcgw_lut_build(const struct svcgw_service *svc,
				  const struct svcgw_lut *old,
				  struct svcgw_lut_in *in, unsigned int n,
				  u32 transition, bool change)
{
	struct svcgw_lut *lut;
	bool running = old && old->nmarked &&
		       time_before(jiffies, svc->transition_until);
	bool marking = old && transition && (change || running);
	unsigned int oldn = old ? old->nservers : 0;
	struct svcgw_maglev_scratch *scratch;
	u32 i, m = svc->cfg.table_size;
	struct svcgw_maglev_server *mlb;
	u16 *map = NULL;
	size_t size;

	/* Every field is written below: no zeroing of a table's worth. */
	size = ALIGN(struct_size(lut, slot, (size_t)m), sizeof(void *));
	lut = kvmalloc(size + (n + oldn) * sizeof(*lut->servers), GFP_KERNEL);
	mlb = kcalloc(n, sizeof(*mlb), GFP_KERNEL);
	scratch = kcalloc(n, sizeof(*scratch), GFP_KERNEL);
	if (lut)
		lut->old = marking ? kvmalloc_array(m, sizeof(*lut->old),
						    GFP_KERNEL) : NULL;
	if (oldn)
		map = kmalloc_array(oldn, sizeof(*map), GFP_KERNEL);
	if (!lut || (n && (!mlb || !scratch)) || (oldn && !map) ||
	    (marking && !lut->old)) {
		svcgw_lut_free(lut);
		lut = NULL;
		goto out;
	}
	lut->size = m;
	lut->nmarked = 0;
	lut->servers = (struct svcgw_server **)((u8 *)lut + size);
	sort(in, n, sizeof(*in), lut_in_cmp, NULL);
	for (i = 0; i < n; i++) {
		lut->servers[i] = in[i].srv;
		mlb[i] = in[i].srv->ident;
		mlb[i].weight = in[i].weight;
	}
	lut->nservers = n;
	svcgw_maglev_build(lut->slot, m, mlb, n, scratch);

	if (marking) {
		for (i = 0; i < m; i++)
			lut->old[i] = SVCGW_SLOT_EMPTY;
		memset(map, 0xff, oldn * sizeof(*map));
		for (i = 0; i < m; i++) {
			u16 p = running && old->old[i] != SVCGW_SLOT_EMPTY ?
				old->old[i] : old->slot[i];

			if (p != SVCGW_SLOT_EMPTY)
				lut_mark(lut, i, old, p, map);
		}
		if (!lut->nmarked) {
			kvfree(lut->old);
			lut->old = NULL;
		}
	}
out:
	kfree(mlb);
	kfree(scratch);
	kfree(map);
	return lut;
}

/*
 * Make @lut, from svcgw_lut_build(), @svc's table; the old one goes after
 * a grace period.  With @change (the server set changed), marked entries
 * start the transition's clock.
 */
void svcgw_lut_publish(struct svcgw_net *sn, struct svcgw_service *svc,
		       struct svcgw_lut *lut, bool change)
{
	struct svcgw_lut *old = svcgw_lut_locked(sn, svc);
	u32 i;

	if (lut->nmarked && change)
		svc->transition_until = jiffies + svc->cfg.transition * HZ;
	for (i = 0; i < lut->nservers; i++)
		refcount_inc(&lut->servers[i]->ref);
	rcu_assign_pointer(svc->lut, lut);
	if (old)
		call_rcu(&old->rcu, lut_free_rcu);
	sn->gen++;
}

/* What svcgw_lut_build() takes: @svc's servers and their weights now, *@n
 * of them (kfree() it); NULL if there is no memory.
 */
struct svcgw_lut_in *svcgw_lut_in_servers(const struct svcgw_service *svc,
					  unsigned int *n)
{
	struct svcgw_lut_in *in = kmalloc_array(svc->nservers, sizeof(*in),
						GFP_KERNEL);
	struct svcgw_server *srv;

	*n = 0;
	if (!in)
		return NULL;
	list_for_each_entry(srv, &svc->servers, list) {
		in[*n].srv = srv;
		in[(*n)++].weight = svcgw_server_effective_weight(srv);
	}
	return in;
}
