// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: the namespace-wide commands: stats, flush and config.
 *
 * stats and config show print one "name value" line per attribute the
 * kernel sent, in the order of the uapi enums, or one JSON object.  The
 * values are numbers, but for the addresses of config (config_addr_names).
 * config show uses the keywords of config set, so its output can be
 * fed back to it.
 */
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>

#include "json.h"
#include "nl.h"
#include "svcgw.h"

struct value_name {
	int attr;
	const char *text;	/* in text output and on the command line */
	const char *json;	/* key in JSON output */
};

static const struct value_name stats_names[] = {
	{ SVCGW_STATS_A_PACKETS, "packets", "packets" },
	{ SVCGW_STATS_A_BYTES, "bytes", "bytes" },
	{ SVCGW_STATS_A_SESSIONS, "sessions", "sessions" },
	{ SVCGW_STATS_A_SERVICES, "services", "services" },
	{ SVCGW_STATS_A_SESSIONS_CUR, "sessions_cur", "sessions_cur" },
	{ SVCGW_STATS_A_DROP_MALFORMED, "drop_malformed", "drop_malformed" },
	{ SVCGW_STATS_A_DROP_NO_SERVER, "drop_no_server", "drop_no_server" },
	{ SVCGW_STATS_A_DROP_NOMEM, "drop_nomem", "drop_nomem" },
	{ SVCGW_STATS_A_SESSION_FULL, "session_full", "session_full" },
	{ SVCGW_STATS_A_SESSION_EXPIRED, "session_expired", "session_expired" },
	{ SVCGW_STATS_A_PRESSURE, "pressure", "pressure" },
	{ SVCGW_STATS_A_PRESSURE_SWITCHES, "pressure_switches",
	  "pressure_switches" },
	{ SVCGW_STATS_A_SESSION_REPICK, "session_repick", "session_repick" },
	{ SVCGW_STATS_A_SESSION_MEM, "session_mem", "session_mem" },
	{ SVCGW_STATS_A_DROP_NO_SESSION, "drop_no_session", "drop_no_session" },
	{ SVCGW_STATS_A_ENCAP_TOO_BIG, "encap_too_big", "encap_too_big" },
	{ SVCGW_STATS_A_DROP_NO_ROUTE, "drop_no_route", "drop_no_route" },
	{ SVCGW_STATS_A_ENCAP_PACKETS, "encap_packets", "encap_packets" },
	{ SVCGW_STATS_A_POLICY_PACKETS, "policy_packets", "policy_packets" },
	{ SVCGW_STATS_A_POLICY_PINNED, "policy_pinned", "policy_pinned" },
	{ SVCGW_STATS_A_POLICY_FAILOVER, "policy_failover", "policy_failover" },
};

static const struct value_name config_names[] = {
	{ SVCGW_CFG_A_SESSION_MAX, "session-max", "session_max" },
	{ SVCGW_CFG_A_TIMEOUT_TCP_SYN, "timeout-tcp-syn", "timeout_tcp_syn" },
	{ SVCGW_CFG_A_TIMEOUT_TCP_EST, "timeout-tcp-est", "timeout_tcp_est" },
	{ SVCGW_CFG_A_TIMEOUT_TCP_FIN, "timeout-tcp-fin", "timeout_tcp_fin" },
	{ SVCGW_CFG_A_TIMEOUT_UDP, "timeout-udp", "timeout_udp" },
};

/* Settings that are an address of one family (all-zero: none). */
struct addr_name {
	int attr;
	const char *text;
	const char *json;
	unsigned int family;
};

static const struct addr_name config_addr_names[] = {
	{ SVCGW_CFG_A_ENCAP_SRC4, "encap-src4", "encap_src4", AF_INET },
	{ SVCGW_CFG_A_ENCAP_SRC6, "encap-src6", "encap_src6", AF_INET6 },
};

static const struct nla_policy config_policy[SVCGW_CFG_A_MAX + 1] = {
	[SVCGW_CFG_A_SESSION_MAX]	= { .type = NLA_U32 },
	[SVCGW_CFG_A_TIMEOUT_TCP_SYN]	= { .type = NLA_U32 },
	[SVCGW_CFG_A_TIMEOUT_TCP_EST]	= { .type = NLA_U32 },
	[SVCGW_CFG_A_TIMEOUT_TCP_FIN]	= { .type = NLA_U32 },
	[SVCGW_CFG_A_TIMEOUT_UDP]	= { .type = NLA_U32 },
	[SVCGW_CFG_A_ENCAP_SRC4]	= { .minlen = 4, .maxlen = 4 },
	[SVCGW_CFG_A_ENCAP_SRC6]	= { .minlen = 16, .maxlen = 16 },
};

#define VALUES_MAX	((int)SVCGW_STATS_A_MAX > (int)SVCGW_CFG_A_MAX ? \
			 (int)SVCGW_STATS_A_MAX : (int)SVCGW_CFG_A_MAX)

/*
 * A reply nest of numbers (and addresses, after them in the uapi enum),
 * and how to parse and print it.
 */
struct values {
	const char *what;
	int attr;
	int max;
	const struct nla_policy *policy;
	const struct value_name *names;
	size_t n;
	const struct addr_name *addrs;
	size_t naddrs;
	bool seen;
};

/* An address setting has addr[attr].family set, a number has not. */
struct config_req {
	uint32_t val[SVCGW_CFG_A_MAX + 1];
	struct endpoint addr[SVCGW_CFG_A_MAX + 1];
	bool set[SVCGW_CFG_A_MAX + 1];
};

static void print_values(const struct values *v, struct nlattr **a)
{
	const struct value_name *name;
	const struct addr_name *an;
	char buf[EP_STRLEN];
	struct endpoint ep;
	struct json j;

	if (opts.json) {
		json_init(&j, stdout, opts.pretty);
		json_open_object(&j, NULL);
	}
	for (name = v->names; name < v->names + v->n; name++) {
		if (!a[name->attr])
			continue;
		if (opts.json)
			json_uint(&j, name->json, gw_get_uint(a[name->attr]));
		else
			printf("%s %" PRIu64 "\n", name->text,
			       gw_get_uint(a[name->attr]));
	}
	for (an = v->addrs; an < v->addrs + v->naddrs; an++) {
		if (!a[an->attr])
			continue;
		/* The policy made sure of the length. */
		ep = (struct endpoint){ .family = an->family };
		memcpy(ep.addr, nla_data(a[an->attr]), addr_len(an->family));
		format_addr(&ep, buf, sizeof(buf));
		if (opts.json)
			json_str(&j, an->json, buf);
		else
			printf("%s %s\n", an->text, buf);
	}
	if (opts.json) {
		json_close_object(&j);
		json_end(&j);
	}
}

static int values_reply(struct nlattr **tb, void *arg)
{
	struct nlattr *a[VALUES_MAX + 1];
	struct values *v = arg;

	if (v->seen)
		return 0;
	if (!tb[v->attr] ||
	    nla_parse_nested(a, v->max, tb[v->attr], v->policy) < 0)
		return gw_malformed(v->what);
	print_values(v, a);
	v->seen = true;
	return 0;
}

static int show_values(uint8_t cmd, struct values *v)
{
	if (gw_run(cmd, false, NULL, NULL, values_reply, v) < 0)
		return -1;
	if (!v->seen) {
		pr_err("the kernel sent no %s", v->what);
		return -1;
	}
	return 0;
}

int cmd_stats(int argc, char **argv)
{
	struct values v = {
		.what = "statistics",
		.attr = SVCGW_A_STATS,
		.max = SVCGW_STATS_A_MAX,
		.policy = gw_stats_policy,
		.names = stats_names,
		.n = ARRAY_SIZE(stats_names),
	};

	if (no_args(argc, argv))
		return -1;
	return show_values(SVCGW_CMD_STATS_GET, &v);
}

struct stats_out {
	struct gw_stat *out;
	size_t max, n;
	bool seen;
};

static int stats_reply(struct nlattr **tb, void *arg)
{
	struct nlattr *a[SVCGW_STATS_A_MAX + 1];
	struct stats_out *so = arg;
	size_t i;

	if (so->seen)
		return 0;
	if (!tb[SVCGW_A_STATS] ||
	    nla_parse_nested(a, SVCGW_STATS_A_MAX, tb[SVCGW_A_STATS],
			     gw_stats_policy) < 0)
		return gw_malformed("statistics");
	for (i = 0; i < ARRAY_SIZE(stats_names) && so->n < so->max; i++) {
		if (!a[stats_names[i].attr])
			continue;
		so->out[so->n].name = stats_names[i].json;
		so->out[so->n++].value = gw_get_uint(a[stats_names[i].attr]);
	}
	so->seen = true;
	return 0;
}

int gw_stats_get(struct gw_stat *out, size_t max)
{
	struct stats_out so = { .out = out, .max = max };

	if (gw_run(SVCGW_CMD_STATS_GET, false, NULL, NULL, stats_reply,
		   &so) < 0)
		return -1;
	if (!so.seen) {
		pr_err("the kernel sent no statistics");
		return -1;
	}
	return so.n;
}

int cmd_config_show(int argc, char **argv)
{
	struct values v = {
		.what = "configuration",
		.attr = SVCGW_A_CONFIG,
		.max = SVCGW_CFG_A_MAX,
		.policy = config_policy,
		.names = config_names,
		.n = ARRAY_SIZE(config_names),
		.addrs = config_addr_names,
		.naddrs = ARRAY_SIZE(config_addr_names),
	};

	if (no_args(argc, argv))
		return -1;
	return show_values(SVCGW_CMD_CONFIG_GET, &v);
}

int cmd_flush(int argc, char **argv)
{
	if (no_args(argc, argv))
		return -1;
	return gw_run(SVCGW_CMD_FLUSH, false, NULL, NULL, NULL, NULL);
}

static int put_config(struct nl_msg *msg, const void *data)
{
	const struct config_req *req = data;
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(msg, SVCGW_A_CONFIG | NLA_F_NESTED);
	if (!nest)
		return -1;
	for (i = 1; i <= SVCGW_CFG_A_MAX; i++) {
		if (!req->set[i])
			continue;
		if (req->addr[i].family ?
		    nla_put(msg, i, addr_len(req->addr[i].family),
			    req->addr[i].addr) < 0 :
		    nla_put_u32(msg, i, req->val[i]) < 0)
			return -1;
	}
	return nla_nest_end(msg, nest);
}

/* 0.0.0.0 and :: are addresses too: they clear the setting. */
static int arg_addr4(const char *val, void *dst)
{
	return parse_host_addr(val, AF_INET, dst);
}

static int arg_addr6(const char *val, void *dst)
{
	return parse_host_addr(val, AF_INET6, dst);
}

int cmd_config_set(int argc, char **argv)
{
	struct arg args[ARRAY_SIZE(config_names) +
			ARRAY_SIZE(config_addr_names) + 1] = { { .name = NULL } };
	struct config_req req = { .set = { false } };
	const struct addr_name *an;
	size_t i, k;

	if (!argc) {
		pr_err("nothing to set, try \"svcgw help\"");
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(config_names); i++) {
		args[i].name = config_names[i].text;
		args[i].parse = arg_u32;
		args[i].dst = &req.val[config_names[i].attr];
		args[i].present = &req.set[config_names[i].attr];
	}
	for (k = 0; k < ARRAY_SIZE(config_addr_names); k++, i++) {
		an = &config_addr_names[k];
		args[i].name = an->text;
		args[i].parse = an->family == AF_INET ? arg_addr4 : arg_addr6;
		args[i].dst = &req.addr[an->attr];
		args[i].present = &req.set[an->attr];
	}
	if (parse_args(argc, argv, args))
		return -1;
	return gw_run(SVCGW_CMD_CONFIG_SET, false, put_config, &req,
		      NULL, NULL);
}
