// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: the session commands.
 *
 * Session tables can be huge and change all the time, so "session show"
 * prints every session as it arrives.  A dump that raced with a change
 * (NLM_F_DUMP_INTR) is not done again; a warning says so on stderr.
 */
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "nl.h"
#include "svcgw.h"

struct session_info {
	struct endpoint client;
	struct endpoint service;
	struct endpoint server;
	bool has_fullnat;
	struct endpoint fullnat;	/* full NAT: what the server sees */
	uint8_t proto;
	uint8_t state;
	uint32_t expires;	/* ms */
	uint32_t origin;	/* HA node, 0: began here */
	bool replica;
};

/* Where the sessions go; the JSON array opens with the first one. */
struct session_out {
	struct json j;
	bool started;
};

static const struct nla_policy sess_policy[SVCGW_SESS_A_MAX + 1] = {
	[SVCGW_SESS_A_FAMILY]		= { .type = NLA_U16 },
	[SVCGW_SESS_A_PROTO]		= { .type = NLA_U8 },
	[SVCGW_SESS_A_CLIENT_ADDR]	= { .minlen = 4, .maxlen = 16 },
	[SVCGW_SESS_A_CLIENT_PORT]	= { .type = NLA_U16 },
	[SVCGW_SESS_A_SERVICE_ADDR]	= { .minlen = 4, .maxlen = 16 },
	[SVCGW_SESS_A_SERVICE_PORT]	= { .type = NLA_U16 },
	[SVCGW_SESS_A_SERVER_ADDR]	= { .minlen = 4, .maxlen = 16 },
	[SVCGW_SESS_A_SERVER_PORT]	= { .type = NLA_U16 },
	[SVCGW_SESS_A_STATE]		= { .type = NLA_U8 },
	[SVCGW_SESS_A_EXPIRES]		= { .type = NLA_U32 },
	[SVCGW_SESS_A_FULLNAT_ADDR]	= { .minlen = 4, .maxlen = 16 },
	[SVCGW_SESS_A_FULLNAT_PORT]	= { .type = NLA_U16 },
	[SVCGW_SESS_A_ORIGIN]		= { .type = NLA_U32 },
	[SVCGW_SESS_A_REPLICA]		= { .type = NLA_FLAG },
};

static int get_session(struct nlattr **a, struct session_info *s)
{
	struct nlattr *fam = a[SVCGW_SESS_A_FAMILY];

	if (!a[SVCGW_SESS_A_PROTO] ||
	    gw_get_ep(fam, a[SVCGW_SESS_A_CLIENT_ADDR],
		      a[SVCGW_SESS_A_CLIENT_PORT], &s->client) ||
	    gw_get_ep(fam, a[SVCGW_SESS_A_SERVICE_ADDR],
		      a[SVCGW_SESS_A_SERVICE_PORT], &s->service) ||
	    gw_get_ep(fam, a[SVCGW_SESS_A_SERVER_ADDR],
		      a[SVCGW_SESS_A_SERVER_PORT], &s->server))
		return -1;
	s->has_fullnat = a[SVCGW_SESS_A_FULLNAT_ADDR] &&
		!gw_get_ep(fam, a[SVCGW_SESS_A_FULLNAT_ADDR],
			   a[SVCGW_SESS_A_FULLNAT_PORT], &s->fullnat);
	s->proto = nla_get_u8(a[SVCGW_SESS_A_PROTO]);
	s->state = a[SVCGW_SESS_A_STATE] ?
		   nla_get_u8(a[SVCGW_SESS_A_STATE]) : SVCGW_SESS_NONE;
	s->expires = a[SVCGW_SESS_A_EXPIRES] ?
		     nla_get_u32(a[SVCGW_SESS_A_EXPIRES]) : 0;
	s->origin = a[SVCGW_SESS_A_ORIGIN] ?
		    nla_get_u32(a[SVCGW_SESS_A_ORIGIN]) : 0;
	s->replica = a[SVCGW_SESS_A_REPLICA];
	if (!s->server.port)
		s->server.port = s->service.port;
	return 0;
}

static void print_session_text(const struct session_info *s)
{
	char client[EP_STRLEN], service[EP_STRLEN], server[EP_STRLEN];
	char proto[NUM_STRLEN], state[NUM_STRLEN];

	printf("%s %s -> %s via %s %s expires %" PRIu32 "s",
	       proto_str(s->proto, proto, sizeof(proto)),
	       format_ep(&s->client, client, sizeof(client)),
	       format_ep(&s->service, service, sizeof(service)),
	       format_ep(&s->server, server, sizeof(server)),
	       state_str(s->state, state, sizeof(state)), s->expires / 1000);
	if (s->has_fullnat)
		printf(" fullnat %s", format_ep(&s->fullnat, client,
						 sizeof(client)));
	if (s->origin)
		printf(" origin %" PRIu32, s->origin);
	if (s->replica)
		printf(" replica");
	printf("\n");
}

static void print_ep_json(struct json *j, const char *key,
			  const char *port_key, const struct endpoint *ep)
{
	char buf[EP_STRLEN];

	json_str(j, key, format_addr(ep, buf, sizeof(buf)));
	json_uint(j, port_key, ep->port);
}

static void print_session_json(struct json *j, const struct session_info *s)
{
	char proto[NUM_STRLEN], state[NUM_STRLEN];

	json_open_object(j, NULL);
	json_str(j, "proto", proto_str(s->proto, proto, sizeof(proto)));
	print_ep_json(j, "client", "client_port", &s->client);
	print_ep_json(j, "service", "service_port", &s->service);
	print_ep_json(j, "server", "server_port", &s->server);
	if (s->has_fullnat)
		print_ep_json(j, "fullnat", "fullnat_port", &s->fullnat);
	json_str(j, "state", state_str(s->state, state, sizeof(state)));
	json_uint(j, "expires_ms", s->expires);
	if (s->origin)
		json_uint(j, "origin", s->origin);
	json_bool(j, "replica", s->replica);
	json_close_object(j);
}

static void session_out_start(struct session_out *out)
{
	if (!opts.json || out->started)
		return;
	json_init(&out->j, stdout, opts.pretty);
	json_open_array(&out->j, NULL);
	out->started = true;
}

static void session_out_end(struct session_out *out)
{
	if (!opts.json)
		return;
	session_out_start(out);
	json_close_array(&out->j);
	json_end(&out->j);
}

static int session_reply(struct nlattr **tb, void *arg)
{
	struct nlattr *a[SVCGW_SESS_A_MAX + 1];
	struct session_out *out = arg;
	struct session_info s;

	if (!tb[SVCGW_A_SESSION] ||
	    nla_parse_nested(a, SVCGW_SESS_A_MAX, tb[SVCGW_A_SESSION],
			     sess_policy) < 0 ||
	    get_session(a, &s))
		return gw_malformed("session");
	session_out_start(out);
	if (opts.json)
		print_session_json(&out->j, &s);
	else
		print_session_text(&s);
	return 0;
}

int cmd_session_show(int argc, char **argv)
{
	struct svc_req req = { .has_key = false };
	struct session_out out = { .started = false };
	int err;

	if (parse_svc_filter(argc, argv, &req, false))
		return -1;
	err = gw_run(SVCGW_CMD_SESSION_GET, true, put_svc_req, &req,
		     session_reply, &out);
	/* Keep the JSON valid if some sessions went out before an error. */
	if (err >= 0 || out.started)
		session_out_end(&out);
	if (err == GW_DUMP_INTR)
		pr_warn("sessions changed during the dump, the list may be inconsistent");
	return err < 0 ? -1 : 0;
}

/* All sessions, those of one service, or those of one of its servers. */
int cmd_session_flush(int argc, char **argv)
{
	struct svc_req req = { .has_key = false };

	if (parse_svc_filter(argc, argv, &req, true))
		return -1;
	return gw_run(SVCGW_CMD_SESSION_FLUSH, false, put_svc_req, &req,
		      NULL, NULL);
}
