// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: the service and server commands.
 *
 * "service show" collects the whole dump before printing anything: a
 * service too big for one message comes in several consecutive messages
 * that repeat its key, and they are merged here.  A dump that raced with
 * a change (NLM_F_DUMP_INTR) is thrown away and done again, up to
 * DUMP_TRIES times in all; the last one is printed with a warning.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "json.h"
#include "nl.h"
#include "svcgw.h"

#define DUMP_TRIES	4

static const struct nla_policy svc_policy[SVCGW_SVC_A_MAX + 1] = {
	[SVCGW_SVC_A_FAMILY]		= { .type = NLA_U16 },
	[SVCGW_SVC_A_ADDR]		= { .minlen = 4, .maxlen = 16 },
	[SVCGW_SVC_A_PORT]		= { .type = NLA_U16 },
	[SVCGW_SVC_A_PROTO]		= { .type = NLA_U8 },
	[SVCGW_SVC_A_MODE]		= { .type = NLA_U8 },
	[SVCGW_SVC_A_TABLE_SIZE]	= { .type = NLA_U32 },
	[SVCGW_SVC_A_STATS]		= { .type = NLA_NESTED },
	[SVCGW_SVC_A_SERVERS]		= { .type = NLA_NESTED },
	[SVCGW_SVC_A_TRANSITION]	= { .type = NLA_U32 },
	[SVCGW_SVC_A_STATEFUL]		= { .type = NLA_U8 },
	[SVCGW_SVC_A_DOWN_POLICY]	= { .type = NLA_U8 },
	[SVCGW_SVC_A_STATE]		= { .type = NLA_U8 },
	[SVCGW_SVC_A_REASON]		= { .type = NLA_U8 },
	[SVCGW_SVC_A_SWITCHES]		= { .minlen = 4 },
	[SVCGW_SVC_A_MARKED]		= { .type = NLA_U32 },
	[SVCGW_SVC_A_TRANSITION_LEFT]	= { .type = NLA_U32 },
	[SVCGW_SVC_A_FULLNAT]		= { .minlen = 4, .maxlen = 16 },
	[SVCGW_SVC_A_ENCAP_SRC]		= { .minlen = 4, .maxlen = 16 },
};

static const struct nla_policy srv_policy[SVCGW_SRV_A_MAX + 1] = {
	[SVCGW_SRV_A_FAMILY]		= { .type = NLA_U16 },
	[SVCGW_SRV_A_ADDR]		= { .minlen = 4, .maxlen = 16 },
	[SVCGW_SRV_A_PORT]		= { .type = NLA_U16 },
	[SVCGW_SRV_A_WEIGHT]		= { .type = NLA_U32 },
	[SVCGW_SRV_A_STATS]		= { .type = NLA_NESTED },
	[SVCGW_SRV_A_STATE]		= { .type = NLA_U8 },
	[SVCGW_SRV_A_DEADLINE]		= { .type = NLA_U32 },
	[SVCGW_SRV_A_METHOD]		= { .type = NLA_U8 },
	[SVCGW_SRV_A_GUE_PORT]		= { .type = NLA_U16 },
	[SVCGW_SRV_A_SHARED]		= { .type = NLA_FLAG },
};

/* Requests */

static int arg_mode(const char *val, void *dst)
{
	return parse_mode(val, dst);
}

static int arg_onoff(const char *val, void *dst)
{
	return parse_onoff(val, dst);
}

static int arg_down_policy(const char *val, void *dst)
{
	return parse_down_policy(val, dst);
}

static int arg_fullnat(const char *val, void *dst)
{
	return parse_fullnat(val, dst);
}

static int arg_encap_src(const char *val, void *dst)
{
	return parse_encap_src(val, dst);
}

static int arg_server_state(const char *val, void *dst)
{
	return parse_server_state(val, dst);
}

static int arg_server(const char *val, void *dst)
{
	return parse_server_ep(val, dst);
}

#define ARG_PROTO(req) \
	{ .name = "proto", .parse = arg_proto, .dst = &(req)->proto, \
	  .required = true }
#define ARG_SERVER(req) \
	{ .name = "server", .parse = arg_server, .dst = &(req)->srv, \
	  .required = true, .present = &(req)->has_server }
#define ARG_MODE(req) \
	{ .name = "mode", .parse = arg_mode, .dst = &(req)->mode }
/* The settings of service add and service set but the mode. */
#define ARG_TRANSITION(req) \
	{ .name = "transition", .parse = arg_u32, .dst = &(req)->transition, \
	  .present = &(req)->has_transition }
#define ARG_STATEFUL(req) \
	{ .name = "stateful", .parse = arg_onoff, .dst = &(req)->stateful, \
	  .present = &(req)->has_stateful }
#define ARG_DOWN_POLICY(req) \
	{ .name = "down-policy", .parse = arg_down_policy, \
	  .dst = &(req)->down_policy, .present = &(req)->has_down_policy }
#define ARG_FULLNAT(req) \
	{ .name = "fullnat", .parse = arg_fullnat, .dst = &(req)->fullnat, \
	  .present = &(req)->has_fullnat }
#define ARG_ENCAP_SRC(req) \
	{ .name = "encap-src", .parse = arg_encap_src, \
	  .dst = &(req)->encap_src, .present = &(req)->has_encap_src }
#define ARG_WEIGHT(req) \
	{ .name = "weight", .parse = arg_u32, .dst = &(req)->weight, \
	  .present = &(req)->has_weight }
/* How a server is reached: set when it is made (add, replace's new). */
#define ARG_METHOD(req) \
	{ .name = "method", .parse = arg_method, .dst = &(req)->method, \
	  .present = &(req)->has_method }
#define ARG_GUE_PORT(req) \
	{ .name = "gue-port", .parse = arg_gue_port, \
	  .dst = &(req)->gue_port, .present = &(req)->has_gue_port }

/* ADDR:PORT, then the keywords of @args. */
static int parse_svc_key(int argc, char **argv, struct svc_req *req,
			 struct arg *args)
{
	int err;

	if (!argc) {
		pr_err("missing the service ADDR:PORT");
		return -1;
	}
	err = parse_service_ep(argv[0], &req->ep);
	if (err) {
		parse_error(err, "address", argv[0]);
		return -1;
	}
	req->has_key = true;
	return parse_args(argc - 1, argv + 1, args);
}

/* Nothing, or "ADDR:PORT proto P", and "[server SERVER]" if @server. */
int parse_svc_filter(int argc, char **argv, struct svc_req *req, bool server)
{
	struct arg args[] = { ARG_PROTO(req), ARG_SERVER(req),
			      { .name = NULL } };

	if (!argc)
		return 0;
	if (server)
		args[1].required = false;
	else
		args[1].name = NULL;
	return parse_svc_key(argc, argv, req, args);
}

/* The attributes of a service nest: key and settings. */
static int put_service_attrs(struct nl_msg *msg, const struct svc_req *req)
{
	if (gw_put_addr(msg, SVCGW_SVC_A_FAMILY, SVCGW_SVC_A_ADDR, &req->ep) ||
	    nla_put_u16(msg, SVCGW_SVC_A_PORT, req->ep.port) < 0 ||
	    nla_put_u8(msg, SVCGW_SVC_A_PROTO, req->proto) < 0 ||
	    (req->mode && nla_put_u8(msg, SVCGW_SVC_A_MODE, req->mode) < 0) ||
	    (req->has_table &&
	     nla_put_u32(msg, SVCGW_SVC_A_TABLE_SIZE, req->table) < 0) ||
	    (req->has_transition &&
	     nla_put_u32(msg, SVCGW_SVC_A_TRANSITION, req->transition) < 0) ||
	    (req->has_stateful &&
	     nla_put_u8(msg, SVCGW_SVC_A_STATEFUL, req->stateful) < 0) ||
	    (req->has_down_policy &&
	     nla_put_u8(msg, SVCGW_SVC_A_DOWN_POLICY, req->down_policy) < 0) ||
	    (req->has_fullnat &&
	     nla_put(msg, SVCGW_SVC_A_FULLNAT,
		     req->fullnat.family ? addr_len(req->fullnat.family) : 0,
		     req->fullnat.addr) < 0) ||
	    (req->has_encap_src &&
	     nla_put(msg, SVCGW_SVC_A_ENCAP_SRC,
		     req->encap_src.family ?
		     addr_len(req->encap_src.family) : 0,
		     req->encap_src.addr) < 0))
		return -1;
	return 0;
}

static int put_service(struct nl_msg *msg, const struct svc_req *req)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, SVCGW_A_SERVICE | NLA_F_NESTED);
	if (!nest || put_service_attrs(msg, req) < 0)
		return -1;
	return nla_nest_end(msg, nest);
}

/* Server nest @attr for @ep, with the settings of @req if not NULL. */
static int put_server(struct nl_msg *msg, int attr,
		      const struct endpoint *ep, const struct svc_req *req)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, attr | NLA_F_NESTED);
	if (!nest ||
	    gw_put_addr(msg, SVCGW_SRV_A_FAMILY, SVCGW_SRV_A_ADDR, ep) ||
	    (ep->port && nla_put_u16(msg, SVCGW_SRV_A_PORT, ep->port) < 0))
		return -1;
	if (req &&
	    ((req->has_weight &&
	      nla_put_u32(msg, SVCGW_SRV_A_WEIGHT, req->weight) < 0) ||
	     (req->has_state &&
	      nla_put_u8(msg, SVCGW_SRV_A_STATE, req->state) < 0) ||
	     (req->has_deadline &&
	      nla_put_u32(msg, SVCGW_SRV_A_DEADLINE, req->deadline) < 0) ||
	     (req->has_method &&
	      nla_put_u8(msg, SVCGW_SRV_A_METHOD, req->method) < 0) ||
	     (req->has_gue_port &&
	      nla_put_u16(msg, SVCGW_SRV_A_GUE_PORT, req->gue_port) < 0)))
		return -1;
	return nla_nest_end(msg, nest);
}

/*
 * gw_build_fn for every command that takes a service (and a server).
 * The server settings go in SVCGW_A_SERVER_NEW if there is one (replace),
 * else in SVCGW_A_SERVER.
 */
int put_svc_req(struct nl_msg *msg, const void *data)
{
	const struct svc_req *req = data;

	if (req->has_key && put_service(msg, req) < 0)
		return -1;
	if (req->has_server &&
	    put_server(msg, SVCGW_A_SERVER, &req->srv,
		       req->has_new ? NULL : req) < 0)
		return -1;
	if (req->has_new &&
	    put_server(msg, SVCGW_A_SERVER_NEW, &req->new_srv, req) < 0)
		return -1;
	return 0;
}

int parse_service_add(int argc, char **argv, struct svc_req *req)
{
	struct arg args[] = {
		ARG_PROTO(req),
		ARG_MODE(req),
		{ .name = "table", .parse = arg_u32, .dst = &req->table,
		  .present = &req->has_table },
		ARG_TRANSITION(req),
		ARG_STATEFUL(req),
		ARG_DOWN_POLICY(req),
		ARG_FULLNAT(req),
		ARG_ENCAP_SRC(req),
		{ .name = NULL }
	};

	memset(req, 0, sizeof(*req));
	return parse_svc_key(argc, argv, req, args);
}

int cmd_service_add(int argc, char **argv)
{
	struct svc_req req;

	if (parse_service_add(argc, argv, &req))
		return -1;
	return gw_run(SVCGW_CMD_SERVICE_NEW, false, put_svc_req, &req,
		      NULL, NULL);
}

int cmd_service_set(int argc, char **argv)
{
	struct svc_req req = { .has_key = false };
	struct arg args[] = {
		ARG_PROTO(&req),
		ARG_MODE(&req),
		ARG_TRANSITION(&req),
		ARG_STATEFUL(&req),
		ARG_DOWN_POLICY(&req),
		ARG_FULLNAT(&req),
		ARG_ENCAP_SRC(&req),
		{ .name = NULL }
	};

	if (parse_svc_key(argc, argv, &req, args))
		return -1;
	if (!req.mode && !req.has_transition && !req.has_stateful &&
	    !req.has_down_policy && !req.has_fullnat && !req.has_encap_src) {
		pr_err("nothing to set, try \"svcgw help\"");
		return -1;
	}
	return gw_run(SVCGW_CMD_SERVICE_SET, false, put_svc_req, &req,
		      NULL, NULL);
}

int cmd_service_del(int argc, char **argv)
{
	struct svc_req req = { .has_key = false };
	struct arg args[] = { ARG_PROTO(&req), { .name = NULL } };

	if (parse_svc_key(argc, argv, &req, args))
		return -1;
	return gw_run(SVCGW_CMD_SERVICE_DEL, false, put_svc_req, &req,
		      NULL, NULL);
}

/* A new server's method and GUE port go together. */
static int check_method(const struct svc_req *req)
{
	const char *err = method_error(req->has_method, req->method,
				       req->has_gue_port);

	if (err) {
		pr_err("%s", err);
		return -1;
	}
	return 0;
}

int parse_server_add(int argc, char **argv, struct svc_req *req)
{
	struct arg args[] = {
		ARG_PROTO(req),
		ARG_SERVER(req),
		ARG_WEIGHT(req),
		ARG_METHOD(req),
		ARG_GUE_PORT(req),
		{ .name = NULL }
	};

	memset(req, 0, sizeof(*req));
	if (parse_svc_key(argc, argv, req, args))
		return -1;
	return check_method(req);
}

int cmd_server_add(int argc, char **argv)
{
	struct svc_req req;

	if (parse_server_add(argc, argv, &req))
		return -1;
	return gw_run(SVCGW_CMD_SERVER_NEW, false, put_svc_req, &req,
		      NULL, NULL);
}

/*
 * A service nest of SVCGW_CMD_BATCH: the service of @svc with the servers
 * of @srv[0..@n) (server add requests) in its SVCGW_SVC_A_SERVERS list.
 * The offsets in the message of the service nest and of each server nest
 * go to @svc_off and @srv_off[], to find the line of an error.
 */
int put_batch_service(struct nl_msg *msg, const struct svc_req *svc,
		      const struct svc_req *const *srv, size_t n,
		      uint32_t *svc_off, uint32_t *srv_off)
{
	char *base = (char *)nlmsg_hdr(msg);
	struct nlattr *nest, *list;
	size_t i;

	nest = nla_nest_start(msg, SVCGW_A_SERVICE | NLA_F_NESTED);
	if (!nest || put_service_attrs(msg, svc) < 0)
		return -1;
	*svc_off = (char *)nest - base;
	if (n) {
		list = nla_nest_start(msg, SVCGW_SVC_A_SERVERS | NLA_F_NESTED);
		if (!list)
			return -1;
		for (i = 0; i < n; i++) {
			srv_off[i] = (char *)nlmsg_tail(nlmsg_hdr(msg)) - base;
			if (put_server(msg, SVCGW_A_SERVER, &srv[i]->srv,
				       srv[i]) < 0)
				return -1;
		}
		if (nla_nest_end(msg, list) < 0)
			return -1;
	}
	return nla_nest_end(msg, nest);
}

int cmd_server_del(int argc, char **argv)
{
	struct svc_req req = { .has_key = false };
	struct arg args[] = { ARG_PROTO(&req), ARG_SERVER(&req),
			      { .name = NULL } };

	if (parse_svc_key(argc, argv, &req, args))
		return -1;
	return gw_run(SVCGW_CMD_SERVER_DEL, false, put_svc_req, &req,
		      NULL, NULL);
}

int cmd_server_set(int argc, char **argv)
{
	struct svc_req req = { .has_key = false };
	struct arg args[] = {
		ARG_PROTO(&req),
		ARG_SERVER(&req),
		ARG_WEIGHT(&req),
		{ .name = "state", .parse = arg_server_state, .dst = &req.state,
		  .present = &req.has_state },
		{ .name = "deadline", .parse = arg_u32, .dst = &req.deadline,
		  .present = &req.has_deadline },
		{ .name = NULL }
	};

	if (parse_svc_key(argc, argv, &req, args))
		return -1;
	if (!req.has_weight && !req.has_state && !req.has_deadline) {
		pr_err("nothing to set, try \"svcgw help\"");
		return -1;
	}
	return gw_run(SVCGW_CMD_SERVER_SET, false, put_svc_req, &req,
		      NULL, NULL);
}

/*
 * The weight, if given, is the new server's; else it keeps the old's.
 * The method is the new server's (NAT if not given), as for server add.
 */
int cmd_server_replace(int argc, char **argv)
{
	struct svc_req req = { .has_key = false };
	struct arg args[] = {
		ARG_PROTO(&req),
		ARG_SERVER(&req),
		{ .name = "with", .parse = arg_server, .dst = &req.new_srv,
		  .required = true, .present = &req.has_new },
		ARG_WEIGHT(&req),
		ARG_METHOD(&req),
		ARG_GUE_PORT(&req),
		{ .name = NULL }
	};

	if (parse_svc_key(argc, argv, &req, args) || check_method(&req))
		return -1;
	return gw_run(SVCGW_CMD_SERVER_REPLACE, false, put_svc_req, &req,
		      NULL, NULL);
}

/* Replies */

/* Optional attributes: false if absent. */
static bool get_u8(const struct nlattr *a, uint8_t *val)
{
	if (a)
		*val = nla_get_u8(a);
	return a;
}

static bool get_u32(const struct nlattr *a, uint32_t *val)
{
	if (a)
		*val = nla_get_u32(a);
	return a;
}

static bool get_u16(const struct nlattr *a, uint16_t *val)
{
	if (a)
		*val = nla_get_u16(a);
	return a;
}

static bool get_uint(const struct nlattr *a, uint64_t *val)
{
	if (a)
		*val = gw_get_uint(a);
	return a;
}

static int get_server(struct nlattr *nest, struct server_info *srv)
{
	struct nlattr *a[SVCGW_SRV_A_MAX + 1];

	if (nla_parse_nested(a, SVCGW_SRV_A_MAX, nest, srv_policy) < 0 ||
	    gw_get_ep(a[SVCGW_SRV_A_FAMILY], a[SVCGW_SRV_A_ADDR],
		      a[SVCGW_SRV_A_PORT], &srv->ep))
		return gw_malformed("server");
	srv->weight = a[SVCGW_SRV_A_WEIGHT] ?
		      nla_get_u32(a[SVCGW_SRV_A_WEIGHT]) : 0;
	srv->has_state = get_u8(a[SVCGW_SRV_A_STATE], &srv->state);
	srv->has_deadline = get_u32(a[SVCGW_SRV_A_DEADLINE], &srv->deadline);
	srv->method = SVCGW_METHOD_NAT;
	get_u8(a[SVCGW_SRV_A_METHOD], &srv->method);
	srv->has_gue_port = get_u16(a[SVCGW_SRV_A_GUE_PORT], &srv->gue_port);
	srv->shared = a[SVCGW_SRV_A_SHARED] != NULL;
	return gw_get_counters(a[SVCGW_SRV_A_STATS], &srv->st);
}

static int add_servers(struct service_info *svc, struct nlattr *servers)
{
	struct server_info *srv;
	struct nlattr *nest;
	int rem;

	if (!servers)
		return 0;
	nla_for_each_nested(nest, servers, rem) {
		if (nla_type(nest) != SVCGW_A_SERVER)
			continue;
		srv = realloc(svc->srv, (svc->nsrv + 1) * sizeof(*srv));
		if (!srv) {
			pr_err("out of memory");
			return -1;
		}
		svc->srv = srv;
		if (get_server(nest, &srv[svc->nsrv]))
			return -1;
		svc->nsrv++;
	}
	return 0;
}

static struct service_info *add_service(struct service_list *list,
					const struct service_info *svc)
{
	struct service_info *p;

	p = realloc(list->svc, (list->n + 1) * sizeof(*p));
	if (!p) {
		pr_err("out of memory");
		return NULL;
	}
	list->svc = p;
	p[list->n] = *svc;
	return &p[list->n++];
}

static bool same_service(const struct service_info *a,
			 const struct service_info *b)
{
	return a->proto == b->proto && !memcmp(&a->ep, &b->ep, sizeof(a->ep));
}

static void get_service_state(struct nlattr **a, struct service_info *svc)
{
	svc->has_transition = get_u32(a[SVCGW_SVC_A_TRANSITION],
				      &svc->transition);
	svc->has_stateful = get_u8(a[SVCGW_SVC_A_STATEFUL], &svc->stateful);
	svc->has_down_policy = get_u8(a[SVCGW_SVC_A_DOWN_POLICY],
				      &svc->down_policy);
	svc->has_state = get_u8(a[SVCGW_SVC_A_STATE], &svc->state);
	svc->has_reason = get_u8(a[SVCGW_SVC_A_REASON], &svc->reason);
	svc->has_switches = get_uint(a[SVCGW_SVC_A_SWITCHES], &svc->switches);
	svc->has_marked = get_u32(a[SVCGW_SVC_A_MARKED], &svc->marked);
	svc->has_left = get_u32(a[SVCGW_SVC_A_TRANSITION_LEFT], &svc->left);
	svc->has_fullnat = a[SVCGW_SVC_A_FULLNAT] &&
		!gw_get_ep(a[SVCGW_SVC_A_FAMILY], a[SVCGW_SVC_A_FULLNAT], NULL,
			   &svc->fullnat);
	svc->has_encap_src = a[SVCGW_SVC_A_ENCAP_SRC] &&
		!gw_get_ep(a[SVCGW_SVC_A_FAMILY], a[SVCGW_SVC_A_ENCAP_SRC],
			   NULL, &svc->encap_src);
}

static int service_reply(struct nlattr **tb, void *arg)
{
	struct nlattr *a[SVCGW_SVC_A_MAX + 1];
	struct service_list *list = arg;
	struct service_info svc = { .nsrv = 0 }, *last;

	if (!tb[SVCGW_A_SERVICE] ||
	    nla_parse_nested(a, SVCGW_SVC_A_MAX, tb[SVCGW_A_SERVICE],
			     svc_policy) < 0 ||
	    gw_get_ep(a[SVCGW_SVC_A_FAMILY], a[SVCGW_SVC_A_ADDR],
		      a[SVCGW_SVC_A_PORT], &svc.ep) ||
	    !a[SVCGW_SVC_A_PROTO])
		return gw_malformed("service");
	svc.proto = nla_get_u8(a[SVCGW_SVC_A_PROTO]);

	/* The rest of the servers of the service before? */
	last = list->n ? &list->svc[list->n - 1] : NULL;
	if (!last || !same_service(last, &svc)) {
		if (a[SVCGW_SVC_A_MODE])
			svc.mode = nla_get_u8(a[SVCGW_SVC_A_MODE]);
		if (a[SVCGW_SVC_A_TABLE_SIZE])
			svc.table = nla_get_u32(a[SVCGW_SVC_A_TABLE_SIZE]);
		get_service_state(a, &svc);
		if (gw_get_counters(a[SVCGW_SVC_A_STATS], &svc.st))
			return -1;
		last = add_service(list, &svc);
		if (!last)
			return -1;
	}
	return add_servers(last, a[SVCGW_SVC_A_SERVERS]);
}

void free_services(struct service_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		free(list->svc[i].srv);
	free(list->svc);
	list->svc = NULL;
	list->n = 0;
}

/* Output */

/* A server without a port of its own uses the service's port. */
static struct endpoint server_ep(const struct service_info *svc,
				 const struct server_info *srv)
{
	struct endpoint ep = srv->ep;

	if (!ep.port)
		ep.port = svc->ep.port;
	return ep;
}

/* Milliseconds as seconds, rounded up: a running timer never shows 0s. */
static uint32_t ms_to_s(uint32_t ms)
{
	return ms / 1000 + !!(ms % 1000);
}

static void print_server_text(const struct service_info *svc,
			      const struct server_info *srv)
{
	char buf[EP_STRLEN], state[NUM_STRLEN];
	struct endpoint ep = server_ep(svc, srv);

	printf("\tserver %s weight %u", format_ep(&ep, buf, sizeof(buf)),
	       srv->weight);
	if (srv->method != SVCGW_METHOD_NAT)
		printf(" method %s",
		       method_str(srv->method, state, sizeof(state)));
	if (srv->has_gue_port)
		printf(" gue-port %u", srv->gue_port);
	if (srv->has_state)
		printf(" state %s",
		       server_state_str(srv->state, state, sizeof(state)));
	if (srv->has_state && srv->state == SVCGW_SERVER_DRAINING &&
	    srv->has_deadline && srv->deadline)
		printf(" deadline %us", ms_to_s(srv->deadline));
	if (srv->shared)
		printf(" shared");
	printf(" packets %" PRIu64 " bytes %" PRIu64 " sessions %" PRIu64 "\n",
	       srv->st.packets, srv->st.bytes, srv->st.sessions);
}

static void print_service_text(const struct service_info *svc)
{
	char buf[EP_STRLEN], proto[NUM_STRLEN], mode[NUM_STRLEN];
	const struct server_info *srv;

	printf("service %s proto %s mode %s table %u",
	       format_ep(&svc->ep, buf, sizeof(buf)),
	       proto_str(svc->proto, proto, sizeof(proto)),
	       mode_str(svc->mode, mode, sizeof(mode)), svc->table);
	if (svc->has_transition)
		printf(" transition %us", svc->transition);
	if (svc->has_down_policy)
		printf(" down-policy %s", down_policy_str(svc->down_policy,
							   buf, sizeof(buf)));
	if (svc->has_fullnat)
		printf(" fullnat %s", format_addr(&svc->fullnat, buf,
						   sizeof(buf)));
	if (svc->has_encap_src)
		printf(" encap-src %s", format_addr(&svc->encap_src, buf,
						     sizeof(buf)));
	if (svc->mode == SVCGW_MODE_HYBRID && svc->has_state) {
		printf(" state %s", svc_state_str(svc->state, buf, sizeof(buf)));
		if (svc->has_reason)
			printf(" reason %s",
			       reason_str(svc->reason, buf, sizeof(buf)));
	}
	printf("\n\tpackets %" PRIu64 " bytes %" PRIu64 " sessions %" PRIu64,
	       svc->st.packets, svc->st.bytes, svc->st.sessions);
	if (svc->has_switches)
		printf(" switches %" PRIu64, svc->switches);
	putchar('\n');
	if (svc->has_marked && svc->marked) {
		printf("\ttransition: %u entries marked", svc->marked);
		if (svc->has_left)
			printf(", %us left", ms_to_s(svc->left));
		putchar('\n');
	}
	for (srv = svc->srv; srv < svc->srv + svc->nsrv; srv++)
		print_server_text(svc, srv);
}

static void print_server_json(struct json *j, const struct service_info *svc,
			      const struct server_info *srv)
{
	struct endpoint ep = server_ep(svc, srv);
	char buf[EP_STRLEN];

	json_open_object(j, NULL);
	json_str(j, "address", format_addr(&ep, buf, sizeof(buf)));
	json_uint(j, "port", ep.port);
	json_uint(j, "weight", srv->weight);
	json_str(j, "method", method_str(srv->method, buf, sizeof(buf)));
	if (srv->has_gue_port)
		json_uint(j, "gue_port", srv->gue_port);
	json_bool(j, "shared", srv->shared);
	if (srv->has_state)
		json_str(j, "state", server_state_str(srv->state, buf,
							 sizeof(buf)));
	if (srv->has_deadline)
		json_uint(j, "deadline_ms", srv->deadline);
	gw_json_counters(j, &srv->st);
	json_close_object(j);
}

static void print_service_json(struct json *j, const struct service_info *svc)
{
	char buf[EP_STRLEN], proto[NUM_STRLEN], mode[NUM_STRLEN];
	const struct server_info *srv;

	json_open_object(j, NULL);
	json_str(j, "address", format_addr(&svc->ep, buf, sizeof(buf)));
	json_uint(j, "port", svc->ep.port);
	json_str(j, "proto", proto_str(svc->proto, proto, sizeof(proto)));
	json_str(j, "mode", mode_str(svc->mode, mode, sizeof(mode)));
	json_uint(j, "table", svc->table);
	if (svc->has_transition)
		json_uint(j, "transition", svc->transition);
	if (svc->has_stateful)
		json_bool(j, "stateful", svc->stateful);
	if (svc->has_down_policy)
		json_str(j, "down_policy",
			    down_policy_str(svc->down_policy, buf, sizeof(buf)));
	if (svc->has_fullnat)
		json_str(j, "fullnat",
			    format_addr(&svc->fullnat, buf, sizeof(buf)));
	if (svc->has_encap_src)
		json_str(j, "encap_src",
			    format_addr(&svc->encap_src, buf, sizeof(buf)));
	if (svc->has_state)
		json_str(j, "state",
			    svc_state_str(svc->state, buf, sizeof(buf)));
	if (svc->has_reason)
		json_str(j, "reason", reason_str(svc->reason, buf,
						    sizeof(buf)));
	if (svc->has_marked)
		json_uint(j, "marked", svc->marked);
	if (svc->has_left)
		json_uint(j, "transition_left_ms", svc->left);
	gw_json_counters(j, &svc->st);
	if (svc->has_switches)
		json_uint(j, "switches", svc->switches);
	json_open_array(j, "servers");
	for (srv = svc->srv; srv < svc->srv + svc->nsrv; srv++)
		print_server_json(j, svc, srv);
	json_close_array(j);
	json_close_object(j);
}

static void print_services(const struct service_list *list)
{
	struct json j;
	size_t i;

	if (!opts.json) {
		for (i = 0; i < list->n; i++)
			print_service_text(&list->svc[i]);
		return;
	}
	json_init(&j, stdout, opts.pretty);
	json_open_array(&j, NULL);
	for (i = 0; i < list->n; i++)
		print_service_json(&j, &list->svc[i]);
	json_close_array(&j);
	json_end(&j);
}

/*
 * The services @req names (all, or one), with their servers, into @list
 * (free_services() it, whatever the result): 0, or < 0 after an error
 * message.  A dump that raced with a change is done again.
 */
int dump_services(const struct svc_req *req, struct service_list *list)
{
	int err, tries = 0;

	do {
		free_services(list);
		err = gw_run(SVCGW_CMD_SERVICE_GET, true, put_svc_req, req,
			     service_reply, list);
	} while (err == GW_DUMP_INTR && ++tries < DUMP_TRIES);
	if (err == GW_DUMP_INTR) {
		pr_warn("services kept changing during the dump, the list may be inconsistent");
		err = 0;
	}
	return err;
}

int cmd_service_show(int argc, char **argv)
{
	struct svc_req req = { .has_key = false };
	struct service_list list = { .n = 0 };
	int err;

	if (parse_svc_filter(argc, argv, &req, false))
		return -1;
	err = dump_services(&req, &list);
	if (err >= 0)
		print_services(&list);
	free_services(&list);
	return err < 0 ? -1 : 0;
}
