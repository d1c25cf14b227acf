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

#include "json.h"
#include "nl.h"
#include "svcgw.h"

#define DUMP_TRIES	4

struct counters {
	uint64_t packets;
	uint64_t bytes;
	uint64_t sessions;
};

struct server_info {
	struct endpoint ep;
	uint32_t weight;
	struct counters st;
};

struct service_info {
	struct endpoint ep;
	uint8_t proto;
	uint8_t mode;
	uint32_t table;
	struct counters st;
	struct server_info *srv;
	size_t nsrv;
};

struct service_list {
	struct service_info *svc;
	size_t n;
};

static const struct nla_policy svc_policy[SVCGW_SVC_A_MAX + 1] = {
	[SVCGW_SVC_A_FAMILY]		= { .type = NLA_U16 },
	[SVCGW_SVC_A_ADDR]		= { .minlen = 4, .maxlen = 16 },
	[SVCGW_SVC_A_PORT]		= { .type = NLA_U16 },
	[SVCGW_SVC_A_PROTO]		= { .type = NLA_U8 },
	[SVCGW_SVC_A_MODE]		= { .type = NLA_U8 },
	[SVCGW_SVC_A_TABLE_SIZE]	= { .type = NLA_U32 },
	[SVCGW_SVC_A_STATS]		= { .type = NLA_NESTED },
	[SVCGW_SVC_A_SERVERS]		= { .type = NLA_NESTED },
};

static const struct nla_policy srv_policy[SVCGW_SRV_A_MAX + 1] = {
	[SVCGW_SRV_A_FAMILY]		= { .type = NLA_U16 },
	[SVCGW_SRV_A_ADDR]		= { .minlen = 4, .maxlen = 16 },
	[SVCGW_SRV_A_PORT]		= { .type = NLA_U16 },
	[SVCGW_SRV_A_WEIGHT]		= { .type = NLA_U32 },
	[SVCGW_SRV_A_STATS]		= { .type = NLA_NESTED },
};

/* Requests */

static int arg_proto(const char *val, void *dst)
{
	return parse_proto(val, dst);
}

static int arg_mode(const char *val, void *dst)
{
	return parse_mode(val, dst);
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

/* Nothing, or "ADDR:PORT proto P". */
int parse_svc_filter(int argc, char **argv, struct svc_req *req)
{
	struct arg args[] = { ARG_PROTO(req), { .name = NULL } };

	if (!argc)
		return 0;
	return parse_svc_key(argc, argv, req, args);
}

static int put_service(struct nl_msg *msg, const struct svc_req *req)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, SVCGW_A_SERVICE | NLA_F_NESTED);
	if (!nest ||
	    gw_put_addr(msg, SVCGW_SVC_A_FAMILY, SVCGW_SVC_A_ADDR, &req->ep) ||
	    nla_put_u16(msg, SVCGW_SVC_A_PORT, req->ep.port) < 0 ||
	    nla_put_u8(msg, SVCGW_SVC_A_PROTO, req->proto) < 0 ||
	    (req->mode && nla_put_u8(msg, SVCGW_SVC_A_MODE, req->mode) < 0) ||
	    (req->has_table &&
	     nla_put_u32(msg, SVCGW_SVC_A_TABLE_SIZE, req->table) < 0))
		return -1;
	return nla_nest_end(msg, nest);
}

static int put_server(struct nl_msg *msg, const struct svc_req *req)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, SVCGW_A_SERVER | NLA_F_NESTED);
	if (!nest ||
	    gw_put_addr(msg, SVCGW_SRV_A_FAMILY, SVCGW_SRV_A_ADDR, &req->srv) ||
	    (req->srv.port &&
	     nla_put_u16(msg, SVCGW_SRV_A_PORT, req->srv.port) < 0) ||
	    (req->has_weight &&
	     nla_put_u32(msg, SVCGW_SRV_A_WEIGHT, req->weight) < 0))
		return -1;
	return nla_nest_end(msg, nest);
}

/* gw_build_fn for every command that takes a service (and a server). */
int put_svc_req(struct nl_msg *msg, const void *data)
{
	const struct svc_req *req = data;

	if (req->has_key && put_service(msg, req) < 0)
		return -1;
	if (req->has_server && put_server(msg, req) < 0)
		return -1;
	return 0;
}

int cmd_service_add(int argc, char **argv)
{
	struct svc_req req = { .has_key = false };
	struct arg args[] = {
		ARG_PROTO(&req),
		{ .name = "mode", .parse = arg_mode, .dst = &req.mode },
		{ .name = "table", .parse = arg_u32, .dst = &req.table,
		  .present = &req.has_table },
		{ .name = NULL }
	};

	if (parse_svc_key(argc, argv, &req, args))
		return -1;
	return gw_run(SVCGW_CMD_SERVICE_NEW, false, put_svc_req, &req,
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

int cmd_server_add(int argc, char **argv)
{
	struct svc_req req = { .has_key = false };
	struct arg args[] = {
		ARG_PROTO(&req),
		ARG_SERVER(&req),
		{ .name = "weight", .parse = arg_u32, .dst = &req.weight,
		  .present = &req.has_weight },
		{ .name = NULL }
	};

	if (parse_svc_key(argc, argv, &req, args))
		return -1;
	return gw_run(SVCGW_CMD_SERVER_NEW, false, put_svc_req, &req,
		      NULL, NULL);
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

/* Replies */

static int get_counters(struct nlattr *nest, struct counters *c)
{
	struct nlattr *a[SVCGW_STATS_A_MAX + 1];

	memset(c, 0, sizeof(*c));
	if (!nest)
		return 0;
	if (nla_parse_nested(a, SVCGW_STATS_A_MAX, nest, gw_stats_policy) < 0)
		return gw_malformed("counters");
	if (a[SVCGW_STATS_A_PACKETS])
		c->packets = gw_get_uint(a[SVCGW_STATS_A_PACKETS]);
	if (a[SVCGW_STATS_A_BYTES])
		c->bytes = gw_get_uint(a[SVCGW_STATS_A_BYTES]);
	if (a[SVCGW_STATS_A_SESSIONS])
		c->sessions = gw_get_uint(a[SVCGW_STATS_A_SESSIONS]);
	return 0;
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
	return get_counters(a[SVCGW_SRV_A_STATS], &srv->st);
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
		if (get_counters(a[SVCGW_SVC_A_STATS], &svc.st))
			return -1;
		last = add_service(list, &svc);
		if (!last)
			return -1;
	}
	return add_servers(last, a[SVCGW_SVC_A_SERVERS]);
}

static void free_services(struct service_list *list)
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

static void print_service_text(const struct service_info *svc)
{
	char buf[EP_STRLEN], proto[NUM_STRLEN], mode[NUM_STRLEN];
	const struct server_info *srv;
	struct endpoint ep;

	printf("service %s proto %s mode %s table %u\n",
	       format_ep(&svc->ep, buf, sizeof(buf)),
	       proto_str(svc->proto, proto, sizeof(proto)),
	       mode_str(svc->mode, mode, sizeof(mode)), svc->table);
	printf("\tpackets %" PRIu64 " bytes %" PRIu64 " sessions %" PRIu64
	       "\n", svc->st.packets, svc->st.bytes, svc->st.sessions);
	for (srv = svc->srv; srv < svc->srv + svc->nsrv; srv++) {
		ep = server_ep(svc, srv);
		printf("\tserver %s weight %u packets %" PRIu64 " bytes %" PRIu64
		       " sessions %" PRIu64 "\n",
		       format_ep(&ep, buf, sizeof(buf)), srv->weight,
		       srv->st.packets, srv->st.bytes, srv->st.sessions);
	}
}

static void print_counters_json(struct json *j, const struct counters *c)
{
	json_uint(j, "packets", c->packets);
	json_uint(j, "bytes", c->bytes);
	json_uint(j, "sessions", c->sessions);
}

static void print_server_json(struct json *j, const struct service_info *svc,
			      const struct server_info *srv)
{
	struct endpoint ep = server_ep(svc, srv);
	char buf[EP_STRLEN];

	json_open_object(j, NULL);
	json_string(j, "address", format_addr(&ep, buf, sizeof(buf)));
	json_uint(j, "port", ep.port);
	json_uint(j, "weight", srv->weight);
	print_counters_json(j, &srv->st);
	json_close_object(j);
}

static void print_service_json(struct json *j, const struct service_info *svc)
{
	char buf[EP_STRLEN], proto[NUM_STRLEN], mode[NUM_STRLEN];
	const struct server_info *srv;

	json_open_object(j, NULL);
	json_string(j, "address", format_addr(&svc->ep, buf, sizeof(buf)));
	json_uint(j, "port", svc->ep.port);
	json_string(j, "proto", proto_str(svc->proto, proto, sizeof(proto)));
	json_string(j, "mode", mode_str(svc->mode, mode, sizeof(mode)));
	json_uint(j, "table", svc->table);
	print_counters_json(j, &svc->st);
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

int cmd_service_show(int argc, char **argv)
{
	struct svc_req req = { .has_key = false };
	struct service_list list = { .n = 0 };
	int err, tries = 0;

	if (parse_svc_filter(argc, argv, &req))
		return -1;
	do {
		free_services(&list);
		err = gw_run(SVCGW_CMD_SERVICE_GET, true, put_svc_req, &req,
			     service_reply, &list);
	} while (err == GW_DUMP_INTR && ++tries < DUMP_TRIES);
	if (err == GW_DUMP_INTR)
		pr_warn("services kept changing during the dump, the list may be inconsistent");
	if (err >= 0)
		print_services(&list);
	free_services(&list);
	return err < 0 ? -1 : 0;
}
