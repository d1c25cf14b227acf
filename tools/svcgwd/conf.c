// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the configuration file.  libyaml builds the document (YAML, of
 * which JSON is a subset: the output of "svcgw -j service show" pasted
 * under "services:" is valid); this file walks it into struct conf and
 * checks everything the kernel would refuse and more, each error as
 * "FILE:LINE: message" with the line of the node at fault.  The keys
 * are those of svcgw's JSON; the counters and states the kernel reports
 * (packets, state, shared, ...) are accepted and ignored, so that a show
 * can become a file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <yaml.h>

#include <linux/svcgw.h>

#include "conf.h"

#define CONF_FILE_MAX	(64u << 20)	/* bytes */

struct ctx {
	yaml_document_t *doc;
	const char *file;
	char *err;
	size_t errlen;
	struct conf *c;
};

/* One key of a mapping: its handler gets the value node. */
struct key {
	const char *name;
	int (*fn)(struct ctx *x, yaml_node_t *val, void *obj);
};

__attribute__((format(printf, 3, 4)))
static int fail(struct ctx *x, const yaml_node_t *n, const char *fmt, ...)
{
	size_t off;
	va_list ap;

	off = snprintf(x->err, x->errlen, "%s:%lu: ", x->file,
		       (unsigned long)n->start_mark.line + 1);
	if (off >= x->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(x->err + off, x->errlen - off, fmt, ap);
	va_end(ap);
	return -1;
}

static yaml_node_t *node(struct ctx *x, int id)
{
	return yaml_document_get_node(x->doc, id);
}

/* The text of a scalar node, NUL-terminated by libyaml; NULL (and the
 * error set) if @n is a list or a mapping.
 */
static const char *scalar(struct ctx *x, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE) {
		fail(x, n, "%s must be a single value", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

/*
 * Walk the mapping @n (a @what) with @keys; a key in @ignored is accepted
 * and skipped.  Keys are strings, none twice, none unknown.
 */
static int walk_map(struct ctx *x, yaml_node_t *n, const char *what,
		    const struct key *keys, size_t nkeys,
		    const char *const *ignored, void *obj)
{
	yaml_node_pair_t *p, *q;
	size_t i;

	if (n->type != YAML_MAPPING_NODE)
		return fail(x, n, "%s must be a mapping (KEY: VALUE lines)",
			    what);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(x, p->key);
		const char *name = scalar(x, k, "a key");

		if (!name)
			return -1;
		for (q = n->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k2 = node(x, q->key);

			if (k2->type == YAML_SCALAR_NODE &&
			    !strcmp((const char *)k2->data.scalar.value, name))
				return fail(x, k, "\"%s\" given twice in %s (first at line %lu)",
					    name, what,
					    (unsigned long)k2->start_mark.line + 1);
		}
		for (i = 0; i < nkeys; i++)
			if (!strcmp(keys[i].name, name))
				break;
		if (i < nkeys) {
			if (keys[i].fn(x, node(x, p->value), obj))
				return -1;
			continue;
		}
		for (i = 0; ignored && ignored[i]; i++)
			if (!strcmp(ignored[i], name))
				break;
		if (!ignored || !ignored[i])
			return fail(x, k, "unknown key \"%s\" in %s", name, what);
	}
	return 0;
}

static int get_u32(struct ctx *x, yaml_node_t *n, const char *what,
		   uint32_t min, uint32_t max, uint32_t *val)
{
	const char *s = scalar(x, n, what);

	if (!s)
		return -1;
	if (parse_u32(s, val) || *val < min || *val > max)
		return fail(x, n, "%s must be a number from %u to %u, not \"%s\"",
			    what, min, max, s);
	return 0;
}

static int get_bool(struct ctx *x, yaml_node_t *n, const char *what,
		    uint8_t *val)
{
	static const char *const yes[] = { "true", "on", "yes" };
	static const char *const no[] = { "false", "off", "no" };
	const char *s = scalar(x, n, what);
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < 3; i++) {
		if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
			*val = !strcmp(s, yes[i]);
			return 0;
		}
	}
	return fail(x, n, "%s must be true or false, not \"%s\"", what, s);
}

/*
 * A duration: a number of seconds, or of "ms" or "s" ("1500ms", "2s"),
 * into milliseconds, from @min to @max ms.
 */
static int get_ms(struct ctx *x, yaml_node_t *n, const char *what,
		  uint32_t min, uint32_t max, uint32_t *ms)
{
	const char *s = scalar(x, n, what);
	char num[16];
	size_t len, digits;
	uint32_t v, unit = 1000;

	if (!s)
		return -1;
	len = strlen(s);
	digits = strspn(s, "0123456789");
	if (!strcmp(s + digits, "ms"))
		unit = 1;
	else if (strcmp(s + digits, "s") && s[digits])
		digits = 0;
	if (!digits || digits >= sizeof(num) || len > digits + 2)
		goto bad;
	memcpy(num, s, digits);
	num[digits] = 0;
	if (parse_u32(num, &v) || (uint64_t)v * unit > max ||
	    (uint64_t)v * unit < min)
		goto bad;
	*ms = v * unit;
	return 0;
bad:
	return fail(x, n, "%s must be a time from %ums to %ums (\"2s\", \"500ms\"), not \"%s\"",
		    what, min, max, s);
}

/* Text for a request line or a payload: printable, no CR or LF. */
static int get_text(struct ctx *x, yaml_node_t *n, const char *what,
		    char *dst, size_t size, size_t *len, bool header)
{
	const char *s = scalar(x, n, what);
	size_t l, i;

	if (!s)
		return -1;
	l = n->data.scalar.length;
	if (l >= size)
		return fail(x, n, "%s is longer than %zu bytes", what, size - 1);
	for (i = 0; header && i < l; i++)
		if (s[i] <= ' ' || s[i] == 0x7f)
			return fail(x, n, "%s may not hold spaces or control characters",
				    what);
	memcpy(dst, s, l);
	dst[l] = 0;
	if (len)
		*len = l;
	return 0;
}

/* --- checks ------------------------------------------------------------ */

/* What a check's keys saw, for the checks once it is read. */
struct check_seen {
	struct conf_check *ck;
	bool type, port, path, host, status, send, expect, timeout;
};

static int ck_type(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct check_seen *cs = obj;
	const char *s = scalar(x, n, "type");

	if (!s)
		return -1;
	if (!strcmp(s, "tcp"))
		cs->ck->type = CHECK_TCP;
	else if (!strcmp(s, "http"))
		cs->ck->type = CHECK_HTTP;
	else if (!strcmp(s, "udp"))
		cs->ck->type = CHECK_UDP;
	else
		return fail(x, n, "type must be tcp, http or udp, not \"%s\"", s);
	cs->type = true;
	return 0;
}

static int ck_port(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct check_seen *cs = obj;
	uint32_t v;

	cs->port = true;
	if (get_u32(x, n, "port", 1, 65535, &v))
		return -1;
	cs->ck->port = v;
	return 0;
}

static int ck_path(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct check_seen *cs = obj;

	cs->path = true;
	if (get_text(x, n, "path", cs->ck->path, sizeof(cs->ck->path), NULL,
		     true))
		return -1;
	if (cs->ck->path[0] != '/')
		return fail(x, n, "path must begin with \"/\"");
	return 0;
}

static int ck_host(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct check_seen *cs = obj;

	cs->host = true;
	return get_text(x, n, "host", cs->ck->host, sizeof(cs->ck->host), NULL,
			true);
}

static int ck_status(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct check_seen *cs = obj;
	uint32_t v;

	cs->status = true;
	if (get_u32(x, n, "status", 100, 599, &v))
		return -1;
	cs->ck->status = v;
	return 0;
}

static int ck_send(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct check_seen *cs = obj;

	cs->send = true;
	if (get_text(x, n, "send", cs->ck->send, sizeof(cs->ck->send),
		     &cs->ck->send_len, false))
		return -1;
	if (!cs->ck->send_len)
		return fail(x, n, "send may not be empty");
	return 0;
}

static int ck_expect(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct check_seen *cs = obj;

	cs->expect = true;
	return get_text(x, n, "expect", cs->ck->expect,
			sizeof(cs->ck->expect), &cs->ck->expect_len, false);
}

static int ck_interval(struct ctx *x, yaml_node_t *n, void *obj)
{
	return get_ms(x, n, "interval", 100, 3600000,
		      &((struct check_seen *)obj)->ck->interval_ms);
}

static int ck_timeout(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct check_seen *cs = obj;

	cs->timeout = true;
	return get_ms(x, n, "timeout", 10, 3600000, &cs->ck->timeout_ms);
}

static int ck_rise(struct ctx *x, yaml_node_t *n, void *obj)
{
	return get_u32(x, n, "rise", 1, 100,
		       &((struct check_seen *)obj)->ck->rise);
}

static int ck_fall(struct ctx *x, yaml_node_t *n, void *obj)
{
	return get_u32(x, n, "fall", 1, 100,
		       &((struct check_seen *)obj)->ck->fall);
}

static int ck_on_fail(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct check_seen *cs = obj;
	const char *s = scalar(x, n, "on_fail");

	if (!s)
		return -1;
	if (!strcmp(s, "down"))
		cs->ck->on_fail = SVCGW_SERVER_DOWN;
	else if (!strcmp(s, "draining"))
		cs->ck->on_fail = SVCGW_SERVER_DRAINING;
	else
		return fail(x, n, "on_fail must be down or draining, not \"%s\"",
			    s);
	return 0;
}

static const struct key check_keys[] = {
	{ "type", ck_type }, { "port", ck_port }, { "path", ck_path },
	{ "host", ck_host }, { "status", ck_status }, { "send", ck_send },
	{ "expect", ck_expect }, { "interval", ck_interval },
	{ "timeout", ck_timeout }, { "rise", ck_rise }, { "fall", ck_fall },
	{ "on_fail", ck_on_fail },
};

static int read_check(struct ctx *x, yaml_node_t *k, yaml_node_t *n,
		      struct conf_check *ck)
{
	struct check_seen cs = { .ck = ck };
	const char *name = scalar(x, k, "a check's name");
	size_t i;

	if (!name)
		return -1;
	if (!*name || strlen(name) >= sizeof(ck->name))
		return fail(x, k, "a check's name has 1 to %zu characters",
			    sizeof(ck->name) - 1);
	for (i = 0; name[i]; i++)
		if (name[i] <= ' ' || name[i] == 0x7f)
			return fail(x, k, "a check's name may not hold spaces or control characters");
	memcpy(ck->name, name, strlen(name) + 1);
	ck->line = k->start_mark.line + 1;
	strcpy(ck->path, "/");
	ck->status = 200;
	ck->interval_ms = 2000;
	ck->timeout_ms = 1000;
	ck->rise = 2;
	ck->fall = 3;
	ck->on_fail = SVCGW_SERVER_DOWN;
	if (walk_map(x, n, "a check", check_keys, sizeof(check_keys) /
		     sizeof(check_keys[0]), NULL, &cs))
		return -1;
	if (!cs.type)
		return fail(x, n, "check \"%s\" has no type (tcp, http or udp)",
			    ck->name);
	if (ck->type != CHECK_HTTP && (cs.path || cs.host || cs.status))
		return fail(x, n, "check \"%s\": path, host and status are for type http",
			    ck->name);
	if (ck->type != CHECK_UDP && (cs.send || cs.expect))
		return fail(x, n, "check \"%s\": send and expect are for type udp",
			    ck->name);
	if (ck->type == CHECK_UDP && !cs.send)
		return fail(x, n, "check \"%s\" of type udp needs send (the request)",
			    ck->name);
	if (!cs.timeout && ck->timeout_ms >= ck->interval_ms)
		ck->timeout_ms = ck->interval_ms / 2;
	if (ck->timeout_ms >= ck->interval_ms)
		return fail(x, n, "check \"%s\": timeout must be shorter than interval",
			    ck->name);
	return 0;
}

static int top_checks(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct conf *c = obj;
	yaml_node_pair_t *p, *q;
	size_t i = 0, count;

	if (n->type != YAML_MAPPING_NODE)
		return fail(x, n, "checks must be a mapping of names to checks");
	count = n->data.mapping.pairs.top - n->data.mapping.pairs.start;
	c->check = calloc(count ? count : 1, sizeof(*c->check));
	if (!c->check)
		return fail(x, n, "out of memory");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++, i++) {
		if (read_check(x, node(x, p->key), node(x, p->value),
			       &c->check[i]))
			return -1;
		c->ncheck++;
		for (q = n->data.mapping.pairs.start; q < p; q++)
			if (!strcmp(c->check[q - n->data.mapping.pairs.start].name,
				    c->check[i].name))
				return fail(x, node(x, p->key),
					    "check \"%s\" given twice (first at line %lu)",
					    c->check[i].name,
					    c->check[q - n->data.mapping.pairs.start].line);
	}
	return 0;
}

/* A check named by a server or service: its index, or -1 (error set). */
static int find_check(struct ctx *x, yaml_node_t *n, int *idx)
{
	const char *s = scalar(x, n, "check");
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < x->c->ncheck; i++) {
		if (!strcmp(x->c->check[i].name, s)) {
			*idx = i;
			return 0;
		}
	}
	return fail(x, n, "no check named \"%s\" (checks must come before services)",
		    s);
}

/* --- services and servers -------------------------------------------- */

struct srv_seen {
	struct conf_server *srv;
	const struct conf_service *svc;
	yaml_node_t *addr, *port, *method, *gue_port;
	bool has_check;
};

static int parse_err_fail(struct ctx *x, yaml_node_t *n, const char *what,
			  const char *s, int err)
{
	switch (err) {
	case PARSE_FAMILY:
		return fail(x, n, "%s \"%s\" is not of the service's family",
			    what, s);
	default:
		return fail(x, n, "invalid %s \"%s\"", what, s);
	}
}

static int sv_addr(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct srv_seen *ss = obj;
	const char *s = scalar(x, n, "address");
	uint16_t port = ss->srv->ep.port;
	int err;

	if (!s)
		return -1;
	err = parse_host_addr(s, ss->svc->ep.family, &ss->srv->ep);
	ss->srv->ep.port = port;
	if (err)
		return parse_err_fail(x, n, "server address", s, err);
	ss->addr = n;
	return 0;
}

static int sv_port(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct srv_seen *ss = obj;
	uint32_t v;

	if (get_u32(x, n, "port", 1, 65535, &v))
		return -1;
	ss->srv->ep.port = v;
	ss->port = n;
	return 0;
}

static int sv_weight(struct ctx *x, yaml_node_t *n, void *obj)
{
	return get_u32(x, n, "weight", 0, SVCGW_WEIGHT_MAX,
		       &((struct srv_seen *)obj)->srv->weight);
}

static int sv_method(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct srv_seen *ss = obj;
	const char *s = scalar(x, n, "method");

	if (!s)
		return -1;
	if (parse_method(s, &ss->srv->method))
		return fail(x, n, "method must be nat, ipip or gue, not \"%s\"",
			    s);
	ss->method = n;
	return 0;
}

static int sv_gue_port(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct srv_seen *ss = obj;
	uint32_t v;

	if (get_u32(x, n, "gue_port", 1, 65535, &v))
		return -1;
	ss->srv->gue_port = v;
	ss->gue_port = n;
	return 0;
}

static int sv_check(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct srv_seen *ss = obj;

	ss->has_check = true;
	return find_check(x, n, &ss->srv->check);
}

static const struct key server_keys[] = {
	{ "address", sv_addr }, { "port", sv_port }, { "weight", sv_weight },
	{ "method", sv_method }, { "gue_port", sv_gue_port },
	{ "check", sv_check },
};

/* What svcgw -j service show reports of a server, not configured. */
static const char *const server_reported[] = {
	"packets", "bytes", "sessions", "state", "deadline_ms", "shared", NULL
};

static int read_server(struct ctx *x, yaml_node_t *n, struct conf_service *svc,
		       int svc_check, struct conf_server *srv)
{
	struct srv_seen ss = { .srv = srv, .svc = svc };
	const char *problem;
	char a[EP_STRLEN], b[EP_STRLEN];
	size_t i;

	srv->line = n->start_mark.line + 1;
	srv->weight = 1;
	srv->method = SVCGW_METHOD_NAT;
	srv->check = -1;
	if (walk_map(x, n, "a server", server_keys, sizeof(server_keys) /
		     sizeof(server_keys[0]), server_reported, &ss))
		return -1;
	if (!ss.addr)
		return fail(x, n, "a server needs an address");
	if (!ss.port)
		srv->ep.port = svc->ep.port;
	problem = method_error(ss.method != NULL, srv->method,
			       ss.gue_port != NULL);
	if (problem) {
		problem = !strcmp(problem, "method gue needs a gue-port") ?
			  "method gue needs a gue_port" :
			  "gue_port is for method gue only";
		return fail(x, ss.gue_port ? ss.gue_port : ss.method, "%s",
			    problem);
	}
	if (srv->method != SVCGW_METHOD_NAT && srv->ep.port != svc->ep.port)
		return fail(x, ss.port, "an encapsulated server takes the service's port (%u)",
			    svc->ep.port);
	if (!ss.has_check)
		srv->check = svc_check;
	for (i = 0; i < svc->nsrv; i++)
		if (!memcmp(&svc->srv[i].ep, &srv->ep, sizeof(srv->ep)))
			return fail(x, n, "server %s given twice in service %s (first at line %lu)",
				    format_ep(&srv->ep, a, sizeof(a)),
				    format_ep(&svc->ep, b, sizeof(b)),
				    svc->srv[i].line);
	return 0;
}

struct svc_seen {
	struct conf_service *svc;
	yaml_node_t *addr, *port, *proto, *servers, *mode;
	int check;
};

static int sc_addr(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct svc_seen *ss = obj;
	const char *s = scalar(x, n, "address");
	uint16_t port = ss->svc->ep.port;
	int err;

	if (!s)
		return -1;
	err = parse_host_addr(s, 0, &ss->svc->ep);
	ss->svc->ep.port = port;
	if (err)
		return parse_err_fail(x, n, "service address", s, err);
	ss->addr = n;
	return 0;
}

static int sc_port(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct svc_seen *ss = obj;
	uint32_t v;

	if (get_u32(x, n, "port", 1, 65535, &v))
		return -1;
	ss->svc->ep.port = v;
	ss->port = n;
	return 0;
}

static int sc_proto(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct svc_seen *ss = obj;
	const char *s = scalar(x, n, "proto");

	if (!s)
		return -1;
	if (parse_proto(s, &ss->svc->proto))
		return fail(x, n, "proto must be tcp or udp, not \"%s\"", s);
	ss->proto = n;
	return 0;
}

static int sc_mode(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct svc_seen *ss = obj;
	const char *s = scalar(x, n, "mode");

	if (!s)
		return -1;
	if (parse_mode(s, &ss->svc->mode))
		return fail(x, n, "mode must be stateless, stateful or hybrid, not \"%s\"",
			    s);
	ss->mode = n;
	return 0;
}

static bool is_prime(uint32_t v)
{
	uint32_t d;

	if (v < 2)
		return false;
	for (d = 2; d * d <= v; d++)
		if (v % d == 0)
			return false;
	return true;
}

static int sc_table(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct svc_seen *ss = obj;

	if (get_u32(x, n, "table", SVCGW_TABLE_MIN, SVCGW_TABLE_MAX,
		    &ss->svc->table))
		return -1;
	if (!is_prime(ss->svc->table))
		return fail(x, n, "table must be a prime (1021, 4093, 65521, ...), not %u",
			    ss->svc->table);
	return 0;
}

static int sc_transition(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct svc_seen *ss = obj;

	ss->svc->has_transition = true;
	return get_u32(x, n, "transition", 0, SVCGW_TRANSITION_MAX,
		       &ss->svc->transition);
}

static int sc_stateful(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct svc_seen *ss = obj;

	ss->svc->has_stateful = true;
	return get_bool(x, n, "stateful", &ss->svc->stateful);
}

static int sc_down_policy(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct svc_seen *ss = obj;
	const char *s = scalar(x, n, "down_policy");

	if (!s)
		return -1;
	if (parse_down_policy(s, &ss->svc->down_policy))
		return fail(x, n, "down_policy must be reschedule or expire, not \"%s\"",
			    s);
	ss->svc->has_down_policy = true;
	return 0;
}

static int sc_check(struct ctx *x, yaml_node_t *n, void *obj)
{
	return find_check(x, n, &((struct svc_seen *)obj)->check);
}

static int sc_servers(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct svc_seen *ss = obj;

	if (n->type != YAML_SEQUENCE_NODE)
		return fail(x, n, "servers must be a list (\"- address: ...\" items)");
	ss->servers = n;	/* read once the service's key is known */
	return 0;
}

static int sc_unsupported(struct ctx *x, yaml_node_t *n, void *obj)
{
	(void)obj;
	return fail(x, n, "fullnat and encap_src are not in svcgwd's files yet: set them with \"svcgw service set\"");
}

static const struct key service_keys[] = {
	{ "address", sc_addr }, { "port", sc_port }, { "proto", sc_proto },
	{ "mode", sc_mode }, { "table", sc_table },
	{ "transition", sc_transition }, { "stateful", sc_stateful },
	{ "down_policy", sc_down_policy }, { "check", sc_check },
	{ "servers", sc_servers }, { "fullnat", sc_unsupported },
	{ "encap_src", sc_unsupported },
};

/* What svcgw -j service show reports of a service, not configured. */
static const char *const service_reported[] = {
	"packets", "bytes", "sessions", "state", "reason", "switches",
	"marked", "transition_left_ms", NULL
};

static int read_service(struct ctx *x, yaml_node_t *n, struct conf_service *svc)
{
	struct svc_seen ss = { .svc = svc, .check = -1 };
	const struct conf *c = x->c;
	char a[EP_STRLEN];
	yaml_node_item_t *it;
	size_t i, count;

	svc->line = n->start_mark.line + 1;
	if (walk_map(x, n, "a service", service_keys, sizeof(service_keys) /
		     sizeof(service_keys[0]), service_reported, &ss))
		return -1;
	if (!ss.addr || !ss.port || !ss.proto)
		return fail(x, n, "a service needs an address, a port and a proto");
	for (i = 0; i < c->nsvc; i++)
		if (!memcmp(&c->svc[i].ep, &svc->ep, sizeof(svc->ep)) &&
		    c->svc[i].proto == svc->proto)
			return fail(x, n, "service %s given twice (first at line %lu)",
				    format_ep(&svc->ep, a, sizeof(a)),
				    c->svc[i].line);
	if (!ss.servers)
		return 0;
	it = ss.servers->data.sequence.items.start;
	count = ss.servers->data.sequence.items.top - it;
	if (count > SVCGW_SERVERS_MAX)
		return fail(x, ss.servers, "more than %u servers in a service",
			    SVCGW_SERVERS_MAX);
	svc->srv = calloc(count ? count : 1, sizeof(*svc->srv));
	if (!svc->srv)
		return fail(x, n, "out of memory");
	for (; it < ss.servers->data.sequence.items.top; it++) {
		if (read_server(x, node(x, *it), svc, ss.check,
				&svc->srv[svc->nsrv]))
			return -1;
		svc->nsrv++;
	}
	return 0;
}

static int top_services(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct conf *c = obj;
	yaml_node_item_t *it;
	size_t count;

	if (n->type != YAML_SEQUENCE_NODE)
		return fail(x, n, "services must be a list (\"- address: ...\" items)");
	it = n->data.sequence.items.start;
	count = n->data.sequence.items.top - it;
	c->svc = calloc(count ? count : 1, sizeof(*c->svc));
	if (!c->svc)
		return fail(x, n, "out of memory");
	for (; it < n->data.sequence.items.top; it++) {
		if (read_service(x, node(x, *it), &c->svc[c->nsvc])) {
			free(c->svc[c->nsvc].srv);	/* not counted yet */
			return -1;
		}
		c->nsvc++;
	}
	return 0;
}

static int top_node(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct conf *c = obj;

	return get_text(x, n, "node", c->node, sizeof(c->node), NULL, true);
}

static const struct key top_keys[] = {
	{ "node", top_node }, { "checks", top_checks },
	{ "services", top_services },
};

void conf_free(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->nsvc; i++)
		free(c->svc[i].srv);
	free(c->svc);
	free(c->check);
	free(c->file);
	memset(c, 0, sizeof(*c));
}

int conf_parse(const char *file, const char *buf, size_t len, struct conf *c,
	       char *err, size_t errlen)
{
	struct ctx x = { .file = file, .err = err, .errlen = errlen, .c = c };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	c->file = strdup(file);
	if (!c->file) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: out of memory", file);
		goto out;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%lu: %s%s%s", file,
			 (unsigned long)parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "not YAML",
			 parser.context ? " " : "",
			 parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		goto out;
	}
	x.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		snprintf(err, errlen, "%s:1: the file is empty", file);
	} else if (!walk_map(&x, root, "the file", top_keys,
			     sizeof(top_keys) / sizeof(top_keys[0]), NULL, c)) {
		if (!c->node[0] && gethostname(c->node, sizeof(c->node) - 1))
			strcpy(c->node, "localhost");
		ret = 0;
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
out:
	if (ret)
		conf_free(c);
	return ret;
}

int conf_load(const char *file, struct conf *c, char *err, size_t errlen)
{
	FILE *fp = fopen(file, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int ret;

	if (!fp) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			char *p = NULL;

			if (cap < CONF_FILE_MAX)
				p = realloc(buf, cap ? cap * 2 : 65536);
			if (!p) {
				snprintf(err, errlen, "%s: %s", file,
					 cap < CONF_FILE_MAX ? strerror(ENOMEM) :
					 "larger than 64 MiB");
				free(buf);
				fclose(fp);
				return -1;
			}
			buf = p;
			cap = cap ? cap * 2 : 65536;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
	} while (n);
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error", file);
		ret = -1;
	} else {
		ret = conf_parse(file, buf, len, c, err, errlen);
	}
	free(buf);
	fclose(fp);
	return ret;
}
