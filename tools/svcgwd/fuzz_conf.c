// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for svcgwd's configuration file (conf.c): any input is
 * either refused with "fuzz.conf:LINE: ..." or gives a model whose
 * references hold (every check index valid, servers of their service's
 * family, timeouts below intervals; policy sets within their limits, each
 * group of one family, each policy's group in its set and of its family,
 * conditions watching a set of the file, one role per file, dead_after
 * above the heartbeat; the ha section's ids, names and backups); ASan and
 * UBSan watch the rest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/svcgw.h>

#include "conf.h"

static bool name_ok(const char *s, size_t max)
{
	size_t l = strnlen(s, max);

	return l && l < max;
}

static void check_pset(const struct conf *c, const struct conf_pset *ps)
{
	size_t j, k;

	if (!name_ok(ps->name, sizeof(ps->name)) ||
	    conf_pset_find(c, ps->name) != (int)(ps - c->pset) ||
	    ps->ngroup > SVCGW_GROUPS_MAX ||
	    (ps->has_transition && ps->transition > SVCGW_TRANSITION_MAX))
		abort();
	switch (ps->cond.kind) {
	case COND_ALWAYS:
	case COND_OPERATOR:
		break;
	case COND_HEALTH:
		if (ps->cond.watch >= c->npset ||
		    (!ps->cond.min_healthy && !ps->cond.min_permille) ||
		    ps->cond.min_permille > 1000)
			abort();
		break;
	case COND_LOAD:
		if (!ps->cond.low || ps->cond.low > ps->cond.high)
			abort();
		break;
	case COND_TIME:
		if (ps->cond.from >= 1440 || ps->cond.to >= 1440 ||
		    ps->cond.from == ps->cond.to)
			abort();
		break;
	default:
		abort();
	}
	for (j = 0; j < ps->ngroup; j++) {
		const struct conf_pgroup *g = &ps->group[j];

		if (!name_ok(g->name, sizeof(g->name)) || !g->ndest ||
		    g->ndest > SVCGW_SERVERS_MAX || g->check < -1 ||
		    g->check >= (int)c->ncheck ||
		    (g->check >= 0 && !c->check[g->check].port))
			abort();
		for (k = 0; k < j; k++)
			if (!strcmp(ps->group[k].name, g->name))
				abort();
		for (k = 0; k < g->ndest; k++) {
			const struct conf_pdest *d = &g->dest[k];

			if (d->ep.family != g->dest[0].ep.family ||
			    d->ep.port || d->weight > SVCGW_WEIGHT_MAX ||
			    (d->method != SVCGW_METHOD_IPIP &&
			     d->method != SVCGW_METHOD_GUE) ||
			    (d->method == SVCGW_METHOD_GUE) != !!d->gue_port)
				abort();
		}
	}
	for (j = 0; j < ps->npol; j++) {
		const struct conf_policy *p = &ps->pol[j];
		const struct conf_pgroup *g = NULL;

		for (k = 0; k < ps->ngroup; k++)
			if (!strcmp(ps->group[k].name, p->group))
				g = &ps->group[k];
		if (!g || g->dest[0].ep.family != p->ep.family ||
		    (p->ep.port && !p->proto) ||
		    (p->has_src && (p->src.family != p->ep.family ||
				    p->plen > (p->ep.family == AF_INET ?
					       32 : 128))))
			abort();
	}
}

/* The ha section: ids unique, backups other ha nodes in range, once
 * each, every node one of the file's nodes, sync addresses of one family,
 * names the kernel can hold, unicast addresses.
 */
static void check_ha(const struct conf *c)
{
	const struct conf_ha *h = &c->ha;
	size_t i, j, k;

	if (!h->line) {
		if (h->nnode || h->node)
			abort();
		return;
	}
	if (!c->listen_line || !h->nnode || !h->port ||
	    (h->key_rotation_s && (h->key_rotation_s < 60 ||
				   h->key_rotation_s > 2592000)))
		abort();
	for (i = 0; i < h->nnode; i++) {
		const struct conf_ha_node *n = &h->node[i];

		if (!n->id || !name_ok(n->name, SVCGW_NAME_MAX) ||
		    !ep_unicast(&n->sync) || !ep_unicast(&n->addr) ||
		    (n->has_fnat && !ep_unicast(&n->fnat)) ||
		    n->node < 0 || (size_t)n->node >= c->nnodes ||
		    strcmp(c->nodes[n->node], n->name) ||
		    n->sync.family != h->node[0].sync.family ||
		    !n->nbackup || n->nbackup > CONF_HA_BACKUPS_MAX)
			abort();
		for (j = 0; j < i; j++)
			if (h->node[j].id == n->id ||
			    !strcmp(h->node[j].name, n->name))
				abort();
		for (j = 0; j < n->nbackup; j++) {
			if (n->backup[j] < 0 || (size_t)n->backup[j] >= h->nnode ||
			    (size_t)n->backup[j] == i)
				abort();
			for (k = 0; k < j; k++)
				if (n->backup[k] == n->backup[j])
					abort();
		}
	}
}

static void check_model(const struct conf *c)
{
	size_t i, j;

	/* One role; the channel authenticated; the timers' relations. */
	if ((c->listen_line && c->controller.line) ||
	    ((c->listen_line || c->controller.line) && !c->tls.line) ||
	    (!c->listen_line && (c->npset || c->nnodes)) ||
	    (c->listen_line && !c->listen.port) ||
	    (c->controller.line && (!c->controller.ep.port ||
				    !c->controller.name[0])) ||
	    c->heartbeat_ms < 50 || c->heartbeat_ms > 60000 ||
	    c->dead_after_ms <= c->heartbeat_ms ||
	    c->hold_down_ms > 3600000 || c->npset > COND_SETS_MAX ||
	    c->nnodes > CONF_NODES_MAX)
		abort();
	for (i = 0; i < c->nnodes; i++) {
		if (!name_ok(c->nodes[i], CONF_NODE_MAX))
			abort();
		for (j = 0; j < i; j++)
			if (!strcmp(c->nodes[i], c->nodes[j]))
				abort();
	}
	for (i = 0; i < c->npset; i++)
		check_pset(c, &c->pset[i]);
	check_ha(c);

	for (i = 0; i < c->ncheck; i++)
		if (c->check[i].timeout_ms >= c->check[i].interval_ms)
			abort();
	for (i = 0; i < c->nsvc; i++) {
		const struct conf_service *s = &c->svc[i];

		if (!s->ep.port || s->nsrv > 1024)
			abort();
		for (j = 0; j < s->nsrv; j++) {
			const struct conf_server *v = &s->srv[j];

			if (v->check < -1 || v->check >= (int)c->ncheck ||
			    v->ep.family != s->ep.family || !v->ep.port)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONF_ERR_MAX];
	struct conf c;

	if (conf_parse("fuzz.conf", (const char *)data, size, &c, err,
		       sizeof(err))) {
		if (strncmp(err, "fuzz.conf:", 10) || err[10] < '1' ||
		    err[10] > '9')
			abort();
		return 0;
	}
	check_model(&c);
	conf_free(&c);
	return 0;
}
