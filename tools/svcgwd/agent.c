// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the node agent's requests to its own kernel.  The file becomes
 * svcgw's own batch request (put_batch_service(), as "svcgw -b FILE
 * --replace" sends it), so a refusal of the kernel names the line of the
 * file's service or server at fault (run_file_request()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/svcgw.h>

#include "../svcgw/dump.h"
#include "../svcgw/hafile.h"
#include "../svcgw/nl.h"
#include "../svcgw/svcgw.h"
#include "agent.h"

struct apply_req {
	const struct conf *c;
	struct svc_req *svc;
	struct svc_req *srv;
	const struct svc_req **order;
	struct file_objects *fo;
};

static void svc_req_of(struct svc_req *r, const struct conf_service *s)
{
	memset(r, 0, sizeof(*r));
	r->has_key = true;
	r->ep = s->ep;
	r->proto = s->proto;
	r->mode = s->mode;
	r->has_table = s->table != 0;
	r->table = s->table;
	r->has_transition = s->has_transition;
	r->transition = s->transition;
	r->has_stateful = s->has_stateful;
	r->stateful = s->stateful;
	r->has_down_policy = s->has_down_policy;
	r->down_policy = s->down_policy;
}

static void srv_req_of(struct svc_req *r, const struct conf_server *v)
{
	memset(r, 0, sizeof(*r));
	r->has_server = true;
	r->srv = v->ep;
	r->has_weight = true;
	r->weight = v->weight;
	r->has_method = v->method != SVCGW_METHOD_NAT;
	r->method = v->method;
	r->has_gue_port = v->method == SVCGW_METHOD_GUE;
	r->gue_port = v->gue_port;
}

/* gw_build_fn: the whole file, services in order with their servers. */
static int put_apply(struct nl_msg *msg, const void *data)
{
	const struct apply_req *a = data;
	const struct conf *c = a->c;
	struct file_objects *fo = a->fo;
	size_t i, j, k = 0;

	if (nla_put_u32(msg, SVCGW_A_BATCH_FLAGS, SVCGW_BATCH_F_REPLACE) < 0)
		return -1;
	fo->n = 0;
	for (i = 0; i < c->nsvc; i++) {
		const struct conf_service *s = &c->svc[i];

		if (put_batch_service(msg, &a->svc[i], a->order + k, s->nsrv,
				      &fo->off[fo->n], &fo->off[fo->n + 1]) < 0)
			return -1;
		fo->lines[fo->n] = s->line;
		for (j = 0; j < s->nsrv; j++)
			fo->lines[fo->n + 1 + j] = s->srv[j].line;
		fo->n += 1 + s->nsrv;
		k += s->nsrv;
	}
	return 0;
}

int agent_apply(const struct conf *c)
{
	struct file_objects fo = { .file = c->file };
	struct apply_req a = { .c = c, .fo = &fo };
	size_t i, j, nsrv = 0, k = 0;
	int err = -1;

	for (i = 0; i < c->nsvc; i++)
		nsrv += c->svc[i].nsrv;
	a.svc = calloc(c->nsvc + 1, sizeof(*a.svc));
	a.srv = calloc(nsrv + 1, sizeof(*a.srv));
	a.order = calloc(nsrv + 1, sizeof(*a.order));
	if (!a.svc || !a.srv || !a.order) {
		pr_err("out of memory");
		goto out;
	}
	for (i = 0; i < c->nsvc; i++) {
		svc_req_of(&a.svc[i], &c->svc[i]);
		for (j = 0; j < c->svc[i].nsrv; j++, k++) {
			srv_req_of(&a.srv[k], &c->svc[i].srv[j]);
			a.order[k] = &a.srv[k];
		}
	}
	/* As svcgw -b: upper bounds of a service and of a server nest. */
	err = run_file_request(SVCGW_CMD_BATCH, put_apply, &a,
			       64 + 8 + c->nsvc * 112 + nsrv * 68, &fo,
			       c->nsvc + nsrv + 1);
	set_where(NULL, 0);
out:
	free(a.svc);
	free(a.srv);
	free(a.order);
	return err < 0 ? -1 : 0;
}

int agent_read(struct service_list *list)
{
	struct svc_req all = { .has_key = false };

	memset(list, 0, sizeof(*list));
	return dump_services(&all, list) < 0 ? -1 : 0;
}

static bool same_ep(const struct endpoint *a, const struct endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, addr_len(a->family));
}

static const struct service_info *find_service(const struct service_list *k,
					       const struct conf_service *s)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->svc[i].proto == s->proto && same_ep(&k->svc[i].ep, &s->ep))
			return &k->svc[i];
	return NULL;
}

static const struct server_info *find_server(const struct service_info *ks,
					     const struct endpoint *ep)
{
	size_t i;

	for (i = 0; i < ks->nsrv; i++)
		if (same_ep(&ks->srv[i].ep, ep))
			return &ks->srv[i];
	return NULL;
}

static bool conf_has_service(const struct conf *c, const struct service_info *ks)
{
	size_t i;

	for (i = 0; i < c->nsvc; i++)
		if (c->svc[i].proto == ks->proto && same_ep(&c->svc[i].ep, &ks->ep))
			return true;
	return false;
}

static bool conf_has_server(const struct conf_service *s,
			    const struct endpoint *ep)
{
	size_t i;

	for (i = 0; i < s->nsrv; i++)
		if (same_ep(&s->srv[i].ep, ep))
			return true;
	return false;
}

/* The settings a batch gives a service, absent ones the defaults. */
static void settings_of(const struct conf_service *s, uint8_t *mode,
			uint32_t *table, uint32_t *transition,
			uint8_t *stateful, uint8_t *down)
{
	*mode = s->mode ? s->mode : SVCGW_MODE_HYBRID;
	*table = s->table ? s->table : SVCGW_TABLE_DEFAULT;
	*transition = s->has_transition ? s->transition :
		      SVCGW_TRANSITION_DEFAULT;
	*stateful = s->has_stateful ? s->stateful : 0;
	*down = s->has_down_policy ? s->down_policy : SVCGW_DOWN_RESCHEDULE;
}

#define DIFF(fmt, ...) do {						\
		n++;							\
		if (out)						\
			fprintf(out, fmt "\n", ##__VA_ARGS__);		\
	} while (0)

size_t agent_diff(const struct conf *c, const struct service_list *k,
		  FILE *out)
{
	char a[EP_STRLEN], b[EP_STRLEN], p[NUM_STRLEN], x[NUM_STRLEN];
	char m[NUM_STRLEN];
	size_t i, j, n = 0;

	for (i = 0; i < c->nsvc; i++) {
		const struct conf_service *s = &c->svc[i];
		const struct service_info *ks = find_service(k, s);
		uint32_t table, transition;
		uint8_t mode, stateful, down;

		format_ep(&s->ep, a, sizeof(a));
		proto_str(s->proto, p, sizeof(p));
		if (!ks) {
			DIFF("+ service %s proto %s (%zu servers)", a, p,
			     s->nsrv);
			continue;
		}
		settings_of(s, &mode, &table, &transition, &stateful, &down);
		if (ks->table != table)
			DIFF("~ service %s proto %s: table %u -> %u (made afresh, its sessions go)",
			     a, p, ks->table, table);
		if (ks->mode != mode)
			DIFF("~ service %s proto %s: mode %s -> %s", a, p,
			     mode_str(ks->mode, b, sizeof(b)),
			     mode_str(mode, x, sizeof(x)));
		if (ks->has_transition && ks->transition != transition)
			DIFF("~ service %s proto %s: transition %us -> %us", a,
			     p, ks->transition, transition);
		if (ks->has_stateful && ks->stateful != stateful)
			DIFF("~ service %s proto %s: stateful %s -> %s", a, p,
			     ks->stateful ? "on" : "off",
			     stateful ? "on" : "off");
		if (ks->has_down_policy && ks->down_policy != down)
			DIFF("~ service %s proto %s: down-policy %s -> %s", a,
			     p, down_policy_str(ks->down_policy, b, sizeof(b)),
			     down_policy_str(down, x, sizeof(x)));
		for (j = 0; j < s->nsrv; j++) {
			const struct conf_server *v = &s->srv[j];
			const struct server_info *kv = find_server(ks, &v->ep);

			format_ep(&v->ep, b, sizeof(b));
			if (!kv) {
				DIFF("+ server %s of %s proto %s", b, a, p);
				continue;
			}
			if (kv->method != v->method ||
			    (v->method == SVCGW_METHOD_GUE &&
			     kv->gue_port != v->gue_port))
				DIFF("~ server %s of %s proto %s: method %s -> %s (replaced)",
				     b, a, p, method_str(kv->method, x, sizeof(x)),
				     method_str(v->method, m, sizeof(m)));
			else if (kv->weight != v->weight)
				DIFF("~ server %s of %s proto %s: weight %u -> %u",
				     b, a, p, kv->weight, v->weight);
		}
		for (j = 0; j < ks->nsrv; j++) {
			if (conf_has_server(s, &ks->srv[j].ep))
				continue;
			DIFF("- server %s of %s proto %s",
			     format_ep(&ks->srv[j].ep, b, sizeof(b)), a, p);
		}
	}
	for (i = 0; i < k->n; i++) {
		if (conf_has_service(c, &k->svc[i]))
			continue;
		DIFF("- service %s proto %s (%zu servers, their sessions go)",
		     format_ep(&k->svc[i].ep, a, sizeof(a)),
		     proto_str(k->svc[i].proto, p, sizeof(p)), k->svc[i].nsrv);
	}
	return n;
}

int agent_server_state(const struct service_list *k,
		       const struct conf_service *svc,
		       const struct conf_server *srv)
{
	const struct service_info *ks = find_service(k, svc);
	const struct server_info *kv = ks ? find_server(ks, &srv->ep) : NULL;

	if (!kv)
		return -1;
	return kv->has_state ? kv->state : SVCGW_SERVER_ACTIVE;
}

static agent_untied_fn untied_fn;
static void *untied_arg;

void agent_untied(agent_untied_fn untied, void *arg)
{
	untied_fn = untied;
	untied_arg = arg;
}

/* The transition of @svc: @t seconds from the next change on. */
static int set_transition(const struct conf_service *svc, uint32_t t)
{
	struct svc_req r;

	svc_req_of(&r, svc);
	r.mode = 0;
	r.has_table = r.has_stateful = r.has_down_policy = false;
	r.has_transition = true;
	r.transition = t;
	return gw_run(SVCGW_CMD_SERVICE_SET, false, put_svc_req, &r, NULL,
		      NULL) < 0 ? -1 : 0;
}

int agent_set_state(const struct conf_service *svc,
		    const struct conf_server *srv, uint8_t state)
{
	bool untied = untied_fn && untied_fn(svc, untied_arg);
	struct svc_req r;
	int err;

	svc_req_of(&r, svc);
	r.has_server = true;
	r.srv = srv->ep;
	r.has_state = true;
	r.state = state;
	/* SERVER_SET takes the key only: no settings of the service. */
	r.mode = 0;
	r.has_table = r.has_transition = r.has_stateful = false;
	r.has_down_policy = false;
	/* A transition of 0 ends a running one at the change and ties
	 * nothing; the file's comes back for the next.  Killed in between,
	 * the reconciliation finds the difference and applies the file.
	 */
	if (untied && set_transition(svc, 0))
		untied = false;
	err = gw_run(SVCGW_CMD_SERVER_SET, false, put_svc_req, &r, NULL,
		     NULL) < 0 ? -1 : 0;
	if (untied)
		set_transition(svc, svc->has_transition ? svc->transition :
				    SVCGW_TRANSITION_DEFAULT);
	return err;
}

/* --- the forwarding policy set ------------------------------------------ */

static int pset_put_nothing(struct nl_msg *msg, const void *req)
{
	(void)msg;
	(void)req;
	return 0;
}

static int pset_reply(struct nlattr **tb, void *arg)
{
	struct agent_pset *ps = arg;
	struct nlattr *a[SVCGW_PSET_A_MAX + 1];
	struct nlattr *g[SVCGW_GROUP_A_MAX + 1];
	struct gw_counters st;

	if (tb[SVCGW_A_POLICY_SET]) {
		if (nla_parse_nested(a, SVCGW_PSET_A_MAX, tb[SVCGW_A_POLICY_SET],
				     NULL) || !a[SVCGW_PSET_A_NAME])
			return gw_malformed("policy set");
		ps->present = true;
		snprintf(ps->name, sizeof(ps->name), "%.*s",
			 nla_len(a[SVCGW_PSET_A_NAME]),
			 (const char *)nla_data(a[SVCGW_PSET_A_NAME]));
		ps->gen = a[SVCGW_PSET_A_GEN] ?
			  gw_get_uint(a[SVCGW_PSET_A_GEN]) : 0;
	} else if (tb[SVCGW_A_GROUP]) {
		if (nla_parse_nested(g, SVCGW_GROUP_A_MAX, tb[SVCGW_A_GROUP],
				     NULL))
			return gw_malformed("group");
		if (g[SVCGW_GROUP_A_STATS] &&
		    !gw_get_counters(g[SVCGW_GROUP_A_STATS], &st))
			ps->packets += st.packets;
	}
	return 0;
}

int agent_policy_read(struct agent_pset *ps)
{
	int err, tries = 0;

	do {
		memset(ps, 0, sizeof(*ps));
		err = gw_run(SVCGW_CMD_POLICY_GET, true, pset_put_nothing, NULL,
			     pset_reply, ps);
	} while (err == GW_DUMP_INTR && ++tries < 5);
	if (ps->name[0] == 0 || !strcmp(ps->name, "none"))
		ps->present = false;
	return err < 0 ? -1 : 0;
}

/* --- the HA policy ------------------------------------------------------ */

static int put_ha(struct nl_msg *msg, const void *req)
{
	return ha_put_request(msg, req, NULL);
}

int agent_ha_set(const struct ha_policy *p)
{
	/* As "svcgw ha set": a node at most 200 bytes, more than a page. */
	size_t size = 256 + 128 + p->nnode * 200;
	int err;

	gw_quiet_errno = ESTALE;
	err = gw_run_big(SVCGW_CMD_HA_SET, put_ha, p, size);
	gw_quiet_errno = 0;
	if (err == -ESTALE)
		return -ESTALE;
	return err < 0 ? -1 : 0;
}

/* gw_reply_fn: SVCGW_A_HA_NODE repeats, the message is walked. */
static int ha_get_reply(struct nlattr **tb, void *arg)
{
	(void)tb;
	if (!gw_reply_hdr)
		return gw_malformed("HA reply");
	return ha_parse_reply(gw_reply_hdr, arg);
}

int agent_ha_get(struct ha_policy *p)
{
	int err;

	memset(p, 0, sizeof(*p));
	gw_quiet_errno = ENOENT;
	err = gw_run(SVCGW_CMD_HA_GET, false, pset_put_nothing, NULL,
		     ha_get_reply, p);
	gw_quiet_errno = 0;
	if (err == -ENOENT || (!err && !p->line)) {
		ha_policy_free(p);
		if (!err)
			return gw_malformed("HA reply (no policy)");
		return -ENOENT;
	}
	if (err < 0) {
		ha_policy_free(p);
		return -1;
	}
	return 0;
}

int agent_ha_node(const struct ha_notice *n)
{
	int err;

	gw_quiet_errno = ESTALE;
	err = gw_run(SVCGW_CMD_HA_NODE_SET, false, ha_put_notice, n, NULL,
		     NULL);
	gw_quiet_errno = 0;
	if (err == -ESTALE)
		return -ESTALE;
	return err < 0 ? -1 : 0;
}

int agent_ha_del(uint64_t gen)
{
	int err;

	gw_quiet_errno = ESTALE;
	err = gw_run(SVCGW_CMD_HA_DEL, false, ha_put_del, &gen, NULL, NULL);
	gw_quiet_errno = 0;
	if (err == -ESTALE)
		return -ESTALE;
	return err < 0 ? -1 : 0;
}
