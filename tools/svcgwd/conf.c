// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the configuration file.  libyaml builds the document (YAML, of
 * which JSON is a subset: the output of "svcgw -j service show" pasted
 * under "services:" is valid); this file walks it into struct conf and
 * checks everything the kernel would refuse and more, each error as
 * "FILE:LINE: message" with the line of the node at fault.  The keys
 * are those of svcgw's JSON; the counters and states the kernel reports
 * (packets, state, shared, ...) are accepted and ignored, so that a show
 * can become a file.  The keys of the control channel and of the
 * controller role (tls, controller, listen, nodes, policy_sets, ha, ...)
 * are read here too; what depends on several of them (one role per file,
 * the sets a condition names, the checks of groups, the ha nodes among
 * the nodes) is checked once the whole file is read, so that their order
 * in the file does not matter.
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

struct top_seen;

struct ctx {
	yaml_document_t *doc;
	const char *file;
	char *err;
	size_t errlen;
	struct conf *c;
	yaml_node_t *key;	/* the key of the value a handler is given */
	struct top_seen *top;	/* the file's keys, checked once it is read */
};

/* One key of a mapping: its handler gets the value node. */
struct key {
	const char *name;
	int (*fn)(struct ctx *x, yaml_node_t *val, void *obj);
};

__attribute__((format(printf, 3, 0)))
static int vfail_at(struct ctx *x, unsigned long line, const char *fmt,
		    va_list ap)
{
	size_t off;

	off = snprintf(x->err, x->errlen, "%s:%lu: ", x->file, line);
	if (off < x->errlen)
		vsnprintf(x->err + off, x->errlen - off, fmt, ap);
	return -1;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct ctx *x, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(x, (unsigned long)n->start_mark.line + 1, fmt, ap);
	va_end(ap);
	return -1;
}

/* The same for a line already read into the model. */
__attribute__((format(printf, 3, 4)))
static int fail_line(struct ctx *x, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail_at(x, line, fmt, ap);
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
			x->key = k;
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
 * A duration: a number of seconds, or of "ms", "s", "m" or "h" ("1500ms",
 * "2s", "10m", "24h"), into milliseconds; -1 if @s is none.
 */
static int parse_time(const char *s, uint64_t *ms)
{
	char num[16];
	size_t len, digits;
	uint32_t v, unit = 1000;

	len = strlen(s);
	digits = strspn(s, "0123456789");
	if (!strcmp(s + digits, "ms"))
		unit = 1;
	else if (!strcmp(s + digits, "m"))
		unit = 60 * 1000;
	else if (!strcmp(s + digits, "h"))
		unit = 3600 * 1000;
	else if (strcmp(s + digits, "s") && s[digits])
		digits = 0;
	if (!digits || digits >= sizeof(num) || len > digits + 2)
		return -1;
	memcpy(num, s, digits);
	num[digits] = 0;
	if (parse_u32(num, &v))
		return -1;
	*ms = (uint64_t)v * unit;
	return 0;
}

/* A duration (parse_time()) from @min to @max ms. */
static int get_ms(struct ctx *x, yaml_node_t *n, const char *what,
		  uint32_t min, uint32_t max, uint32_t *ms)
{
	const char *s = scalar(x, n, what);
	uint64_t v;

	if (!s)
		return -1;
	if (parse_time(s, &v) || v > max || v < min)
		return fail(x, n, "%s must be a time from %ums to %ums (\"2s\", \"500ms\"), not \"%s\"",
			    what, min, max, s);
	*ms = v;
	return 0;
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

/* A Maglev table's size, of a service or of a group. */
static int get_table(struct ctx *x, yaml_node_t *n, uint32_t *table)
{
	if (get_u32(x, n, "table", SVCGW_TABLE_MIN, SVCGW_TABLE_MAX, table))
		return -1;
	if (!is_prime(*table))
		return fail(x, n, "table must be a prime (1021, 4093, 65521, ...), not %u",
			    *table);
	return 0;
}

static int sc_table(struct ctx *x, yaml_node_t *n, void *obj)
{
	return get_table(x, n, &((struct svc_seen *)obj)->svc->table);
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

/* --- the control channel and the controller role ---------------------- */

#define CONF_CHAN_PORT	7440	/* the control channel's default port */
#define CONF_METRICS_PORT	9477	/* the metrics endpoint's default port */

/* The keys of the file that depend on one another (their key nodes, for
 * the line of an error), checked once the whole file is read.
 */
struct top_seen {
	yaml_node_t *listen, *controller, *tls, *metrics, *announce;
	yaml_node_t *heartbeat, *dead_after, *hold_down, *nodes, *psets, *ha;
	yaml_node_t *dead_after_val, *psets_val, *ha_val;
};

static unsigned long line_of(const yaml_node_t *n)
{
	return (unsigned long)n->start_mark.line + 1;
}

/* A node's name (the common name of its certificate): 1 to 63 printable
 * ASCII characters, no spaces.
 */
static int get_node_name(struct ctx *x, yaml_node_t *n, const char *what,
			 char *dst)
{
	const char *s = scalar(x, n, what);
	size_t l, i;

	if (!s)
		return -1;
	l = n->data.scalar.length;
	if (!l || l >= CONF_NODE_MAX || strlen(s) != l)
		return fail(x, n, "%s has 1 to %d characters", what,
			    CONF_NODE_MAX - 1);
	for (i = 0; i < l; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return fail(x, n, "%s may hold printable ASCII characters only, no spaces",
				    what);
	memcpy(dst, s, l + 1);
	return 0;
}

/* A policy set's or a group's name: 1 to 31 of [A-Za-z0-9_.-]. */
static int get_set_name(struct ctx *x, yaml_node_t *n, const char *what,
			char *dst)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
	const char *s = scalar(x, n, what);
	size_t l;

	if (!s)
		return -1;
	l = n->data.scalar.length;
	if (!l || l >= CONF_SET_NAME_MAX || strspn(s, ok) != l)
		return fail(x, n, "%s must be 1 to %d letters, digits, \"_\", \".\" or \"-\", not \"%s\"",
			    what, CONF_SET_NAME_MAX - 1, s);
	memcpy(dst, s, l + 1);
	return 0;
}

/* A file's path (PEM files): 1 to 255 bytes, no control characters. */
static int get_path(struct ctx *x, yaml_node_t *n, const char *what,
		    char *dst)
{
	const char *s = scalar(x, n, what);
	size_t l, i;

	if (!s)
		return -1;
	l = n->data.scalar.length;
	if (!l || l >= CONF_PATH_MAX || strlen(s) != l)
		return fail(x, n, "%s must be a file's path of 1 to %d bytes",
			    what, CONF_PATH_MAX - 1);
	for (i = 0; i < l; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			return fail(x, n, "%s may not hold control characters",
				    what);
	memcpy(dst, s, l + 1);
	return 0;
}

/* An address alone (IPv4 or IPv6) into @ep, its port kept. */
static int get_addr(struct ctx *x, yaml_node_t *n, const char *what,
		    struct endpoint *ep)
{
	const char *s = scalar(x, n, what);
	uint16_t port = ep->port;
	int err;

	if (!s)
		return -1;
	err = parse_host_addr(s, 0, ep);
	ep->port = port;
	if (err)
		return fail(x, n, "invalid %s \"%s\"", what, s);
	return 0;
}

static const char *family_str(unsigned int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* listen and controller: an address, a port, and the controller's name. */
struct chan_seen {
	struct endpoint *ep;
	char *name;
	yaml_node_t *addr, *name_n;
};

static int ch_addr(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct chan_seen *cs = obj;

	cs->addr = n;
	return get_addr(x, n, "address", cs->ep);
}

static int ch_port(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct chan_seen *cs = obj;
	uint32_t v;

	if (get_u32(x, n, "port", 1, 65535, &v))
		return -1;
	cs->ep->port = v;
	return 0;
}

static int ch_name(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct chan_seen *cs = obj;

	cs->name_n = n;
	return get_node_name(x, n, "the controller's name", cs->name);
}

static const struct key listen_keys[] = {
	{ "address", ch_addr }, { "port", ch_port },
};

static const struct key controller_keys[] = {
	{ "address", ch_addr }, { "port", ch_port }, { "name", ch_name },
};

/*
 * A mapping of address (required) and port (default @port) into @ep, for
 * the key @what at line *@line; @need ends the message without address.
 */
static int read_addr_port(struct ctx *x, yaml_node_t *n, const char *what,
			  struct endpoint *ep, uint16_t port,
			  unsigned long *line, const char *need)
{
	struct chan_seen cs = { .ep = ep };
	yaml_node_t *k = x->key;

	*line = line_of(k);
	ep->port = port;
	if (walk_map(x, n, what, listen_keys, sizeof(listen_keys) /
		     sizeof(listen_keys[0]), NULL, &cs))
		return -1;
	if (!cs.addr)
		return fail(x, k, "%s needs an address (%s)", what, need);
	return 0;
}

static int top_listen(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct conf *c = obj;

	x->top->listen = x->key;
	return read_addr_port(x, n, "listen", &c->listen, CONF_CHAN_PORT,
			      &c->listen_line, "where the controller listens");
}

static int top_metrics(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct conf *c = obj;

	x->top->metrics = x->key;
	return read_addr_port(x, n, "metrics", &c->metrics, CONF_METRICS_PORT,
			      &c->metrics_line,
			      "where the agent serves them: 127.0.0.1 for this host only");
}

/* announce: interface NAME, when any | all, hold TIME. */
static int an_interface(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct conf *c = obj;
	const char *s = scalar(x, n, "interface");

	if (!s)
		return -1;
	if (get_text(x, n, "interface", c->announce_if,
		     sizeof(c->announce_if), NULL, true))
		return -1;
	if (!*s || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."))
		return fail(x, n, "interface \"%s\" is not an interface name",
			    s);
	return 0;
}

static int an_when(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct conf *c = obj;
	const char *s = scalar(x, n, "when");

	if (!s)
		return -1;
	if (!strcmp(s, "all"))
		c->announce_all = true;
	else if (strcmp(s, "any"))
		return fail(x, n, "when must be any (an address while one of its services can be served) or all (while every one can), not \"%s\"",
			    s);
	return 0;
}

static int an_hold(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct conf *c = obj;

	c->has_announce_hold = true;
	return get_ms(x, n, "hold", 0, 3600000, &c->announce_hold_ms);
}

static const struct key announce_keys[] = {
	{ "interface", an_interface }, { "when", an_when },
	{ "hold", an_hold },
};

static int top_announce(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct conf *c = obj;
	yaml_node_t *k = x->key;

	x->top->announce = k;
	c->announce_line = line_of(k);
	if (walk_map(x, n, "announce", announce_keys,
		     sizeof(announce_keys) / sizeof(announce_keys[0]), NULL, c))
		return -1;
	if (!c->announce_if[0])
		return fail(x, k, "announce needs an interface (one of its own, such as a dummy: svcgwd owns its addresses)");
	return 0;
}

static int top_controller(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct conf *c = obj;
	struct chan_seen cs = { .ep = &c->controller.ep,
				.name = c->controller.name };
	yaml_node_t *k = x->key;

	x->top->controller = k;
	c->controller.line = line_of(k);
	c->controller.ep.port = CONF_CHAN_PORT;
	if (walk_map(x, n, "controller", controller_keys,
		     sizeof(controller_keys) / sizeof(controller_keys[0]), NULL,
		     &cs))
		return -1;
	if (!cs.addr || !cs.name_n)
		return fail(x, k, "controller needs an address and a name (its certificate's)");
	return 0;
}

static int tls_ca(struct ctx *x, yaml_node_t *n, void *obj)
{
	return get_path(x, n, "ca", ((struct conf_tls *)obj)->ca);
}

static int tls_cert(struct ctx *x, yaml_node_t *n, void *obj)
{
	return get_path(x, n, "cert", ((struct conf_tls *)obj)->cert);
}

static int tls_key(struct ctx *x, yaml_node_t *n, void *obj)
{
	return get_path(x, n, "key", ((struct conf_tls *)obj)->key);
}

static const struct key tls_keys[] = {
	{ "ca", tls_ca }, { "cert", tls_cert }, { "key", tls_key },
};

static int top_tls(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct conf *c = obj;
	yaml_node_t *k = x->key;

	x->top->tls = k;
	c->tls.line = line_of(k);
	if (walk_map(x, n, "tls", tls_keys, sizeof(tls_keys) /
		     sizeof(tls_keys[0]), NULL, &c->tls))
		return -1;
	if (!c->tls.ca[0] || !c->tls.cert[0] || !c->tls.key[0])
		return fail(x, k, "tls needs ca, cert and key (PEM files)");
	return 0;
}

static int top_heartbeat(struct ctx *x, yaml_node_t *n, void *obj)
{
	x->top->heartbeat = x->key;
	return get_ms(x, n, "heartbeat", 50, 60000,
		      &((struct conf *)obj)->heartbeat_ms);
}

static int top_dead_after(struct ctx *x, yaml_node_t *n, void *obj)
{
	x->top->dead_after = x->key;
	x->top->dead_after_val = n;
	return get_ms(x, n, "dead_after", 100, 3600000,
		      &((struct conf *)obj)->dead_after_ms);
}

static int top_hold_down(struct ctx *x, yaml_node_t *n, void *obj)
{
	x->top->hold_down = x->key;
	return get_ms(x, n, "hold_down", 0, 3600000,
		      &((struct conf *)obj)->hold_down_ms);
}

static int top_nodes(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct conf *c = obj;
	yaml_node_item_t *it, *jt;
	size_t count;

	x->top->nodes = x->key;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(x, n, "nodes must be a list of node names");
	it = n->data.sequence.items.start;
	count = n->data.sequence.items.top - it;
	if (count > CONF_NODES_MAX)
		return fail(x, node(x, it[CONF_NODES_MAX]),
			    "more than %d nodes", CONF_NODES_MAX);
	c->nodes = calloc(count ? count : 1, sizeof(*c->nodes));
	if (!c->nodes)
		return fail(x, n, "out of memory");
	for (; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = node(x, *it);

		if (get_node_name(x, v, "a node's name", c->nodes[c->nnodes]))
			return -1;
		for (jt = n->data.sequence.items.start; jt < it; jt++)
			if (!strcmp(c->nodes[jt - n->data.sequence.items.start],
				    c->nodes[c->nnodes]))
				return fail(x, v, "node \"%s\" given twice in nodes (first at line %lu)",
					    c->nodes[c->nnodes],
					    line_of(node(x, *jt)));
		c->nnodes++;
	}
	return 0;
}

static int top_policy_sets(struct ctx *x, yaml_node_t *n, void *obj)
{
	(void)obj;
	x->top->psets = x->key;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(x, n, "policy_sets must be a list (\"- name: ...\" items)");
	x->top->psets_val = n;	/* read once the checks are known */
	return 0;
}

static int top_ha(struct ctx *x, yaml_node_t *n, void *obj)
{
	(void)obj;
	x->top->ha = x->key;
	if (n->type != YAML_MAPPING_NODE)
		return fail(x, n, "ha must be a mapping (KEY: VALUE lines)");
	x->top->ha_val = n;	/* read once the nodes are known */
	return 0;
}

/* --- policy sets: their conditions ------------------------------------ */

struct when_seen {
	struct cond *cond;
	yaml_node_t *kind;		/* health, load or time: its key */
	yaml_node_t *health, *min_healthy, *min_fraction, *load, *below;
	uint32_t load_v, below_v;
};

/* One kind of condition per when. */
static int when_kind(struct ctx *x, struct when_seen *ws, uint8_t kind)
{
	if (ws->kind)
		return fail(x, x->key, "a when holds one condition (health, load or time), not both \"%s\" and \"%s\"",
			    (const char *)ws->kind->data.scalar.value,
			    (const char *)x->key->data.scalar.value);
	ws->kind = x->key;
	ws->cond->kind = kind;
	return 0;
}

static int wh_health(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct when_seen *ws = obj;
	char name[CONF_SET_NAME_MAX];

	if (when_kind(x, ws, COND_HEALTH) ||
	    get_set_name(x, n, "health (a policy set's name)", name))
		return -1;
	ws->health = n;		/* resolved once every set is read */
	return 0;
}

static int wh_min_healthy(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct when_seen *ws = obj;

	ws->min_healthy = n;
	return get_u32(x, n, "min_healthy", 1, 1u << 20,
		       &ws->cond->min_healthy);
}

/* A percentage with at most one decimal ("50%", "12.5%"), 0.1% to 100%,
 * in permille.
 */
static int wh_min_fraction(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct when_seen *ws = obj;
	const char *s = scalar(x, n, "min_fraction"), *p;
	uint32_t v = 0;
	size_t digits;

	if (!s)
		return -1;
	ws->min_fraction = n;
	digits = strspn(s, "0123456789");
	if (!digits || digits > 3)
		goto bad;
	for (p = s; p < s + digits; p++)
		v = v * 10 + (*p - '0');
	v *= 10;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			goto bad;
		v += p[1] - '0';
		p += 2;
	}
	if (strcmp(p, "%") || v < 1 || v > 1000)
		goto bad;
	ws->cond->min_permille = v;
	return 0;
bad:
	return fail(x, n, "min_fraction must be a percentage from 0.1%% to 100%% in steps of 0.1%% (\"50%%\", \"12.5%%\"), not \"%s\"",
		    s);
}

static int wh_load(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct when_seen *ws = obj;

	if (when_kind(x, ws, COND_LOAD))
		return -1;
	ws->load = n;
	return get_u32(x, n, "load (packets per second)", 1, UINT32_MAX,
		       &ws->load_v);
}

static int wh_below(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct when_seen *ws = obj;

	ws->below = n;
	return get_u32(x, n, "below (packets per second)", 1, UINT32_MAX,
		       &ws->below_v);
}

/* "HH:MM-HH:MM", minutes after midnight; the end is not in the window. */
static int wh_time(struct ctx *x, yaml_node_t *n, void *obj)
{
	static const char shape[] = "dd:dd-dd:dd";
	struct when_seen *ws = obj;
	const char *s;
	unsigned int h1, m1, h2, m2;
	size_t i;

	if (when_kind(x, ws, COND_TIME))
		return -1;
	s = scalar(x, n, "time");
	if (!s)
		return -1;
	if (n->data.scalar.length != sizeof(shape) - 1)
		goto bad;
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9' :
		    s[i] != shape[i])
			goto bad;
	h1 = (s[0] - '0') * 10 + s[1] - '0';
	m1 = (s[3] - '0') * 10 + s[4] - '0';
	h2 = (s[6] - '0') * 10 + s[7] - '0';
	m2 = (s[9] - '0') * 10 + s[10] - '0';
	if (h1 > 23 || m1 > 59 || h2 > 23 || m2 > 59)
		goto bad;
	ws->cond->from = h1 * 60 + m1;
	ws->cond->to = h2 * 60 + m2;
	if (ws->cond->from == ws->cond->to)
		return fail(x, n, "time \"%s\" is an empty window: it begins where it ends",
			    s);
	return 0;
bad:
	return fail(x, n, "time must be a window of the day, \"HH:MM-HH:MM\" from 00:00 to 23:59 (\"22:00-06:00\"), not \"%s\"",
		    s);
}

static const struct key when_keys[] = {
	{ "health", wh_health }, { "min_healthy", wh_min_healthy },
	{ "min_fraction", wh_min_fraction }, { "load", wh_load },
	{ "below", wh_below }, { "time", wh_time },
};

/* The when of a set into @cond; @watch gets its health value. */
static int read_when(struct ctx *x, yaml_node_t *n, struct cond *cond,
		     yaml_node_t **watch)
{
	struct when_seen ws = { .cond = cond };
	yaml_node_t *k = x->key;

	memset(cond, 0, sizeof(*cond));
	if (n->type == YAML_SCALAR_NODE) {
		if (strcmp((const char *)n->data.scalar.value, "operator"))
			return fail(x, n, "when must be \"operator\" or a mapping (health, load or time), not \"%s\"",
				    (const char *)n->data.scalar.value);
		cond->kind = COND_OPERATOR;
		return 0;
	}
	if (n->type != YAML_MAPPING_NODE)
		return fail(x, n, "when must be \"operator\" or a mapping (health, load or time)");
	if (walk_map(x, n, "a when", when_keys, sizeof(when_keys) /
		     sizeof(when_keys[0]), NULL, &ws))
		return -1;
	if (!ws.health && (ws.min_healthy || ws.min_fraction))
		return fail(x, ws.min_healthy ? ws.min_healthy :
			    ws.min_fraction,
			    "min_healthy and min_fraction go with health (the set whose destinations count)");
	if (!ws.load && ws.below)
		return fail(x, ws.below, "below goes with load");
	if (!ws.kind)
		return fail(x, k, "when needs a condition: health, load, time or \"operator\" (no when: the set always holds)");
	if (ws.health && !ws.min_healthy && !ws.min_fraction)
		return fail(x, ws.health, "health needs min_healthy, min_fraction or both");
	if (ws.load) {
		if (!ws.below)
			ws.below_v = ws.load_v;
		if (ws.below_v > ws.load_v)
			return fail(x, ws.below, "below (%u) must not be above load (%u)",
				    ws.below_v, ws.load_v);
		cond->high = ws.load_v;
		cond->low = ws.below_v;
	}
	*watch = ws.health;
	return 0;
}

/* --- policy sets: groups, destinations, policies ----------------------- */

struct dest_seen {
	struct conf_pdest *d;
	yaml_node_t *addr, *method, *gue_port;
};

static int pd_addr(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct dest_seen *ds = obj;

	ds->addr = n;
	return get_addr(x, n, "destination address", &ds->d->ep);
}

static int pd_method(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct dest_seen *ds = obj;
	const char *s = scalar(x, n, "method");

	if (!s)
		return -1;
	if (parse_method(s, &ds->d->method) ||
	    ds->d->method == SVCGW_METHOD_NAT)
		return fail(x, n, "a destination's method must be ipip or gue, not \"%s\"",
			    s);
	ds->method = n;
	return 0;
}

static int pd_gue_port(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct dest_seen *ds = obj;
	uint32_t v;

	if (get_u32(x, n, "gue_port", 1, 65535, &v))
		return -1;
	ds->d->gue_port = v;
	ds->gue_port = n;
	return 0;
}

static int pd_weight(struct ctx *x, yaml_node_t *n, void *obj)
{
	return get_u32(x, n, "weight", 0, SVCGW_WEIGHT_MAX,
		       &((struct dest_seen *)obj)->d->weight);
}

static const struct key dest_keys[] = {
	{ "address", pd_addr }, { "method", pd_method },
	{ "gue_port", pd_gue_port }, { "weight", pd_weight },
};

/* Destination @di of @g, its first @di ones read. */
static int read_dest(struct ctx *x, yaml_node_t *n, struct conf_pgroup *g,
		     size_t di)
{
	struct conf_pdest *d = &g->dest[di];
	struct dest_seen ds = { .d = d };
	char a[EP_STRLEN];
	size_t i;

	d->line = line_of(n);
	d->weight = 1;
	if (walk_map(x, n, "a destination", dest_keys, sizeof(dest_keys) /
		     sizeof(dest_keys[0]), NULL, &ds))
		return -1;
	if (!ds.addr || !ds.method)
		return fail(x, n, "a destination needs an address and a method (ipip or gue)");
	if (d->method == SVCGW_METHOD_GUE && !ds.gue_port)
		return fail(x, ds.method, "method gue needs a gue_port");
	if (d->method != SVCGW_METHOD_GUE && ds.gue_port)
		return fail(x, ds.gue_port, "gue_port is for method gue only");
	if (di && d->ep.family != g->dest[0].ep.family)
		return fail(x, ds.addr, "destination %s is %s, the group's first (line %lu) %s: one family per group",
			    format_addr(&d->ep, a, sizeof(a)),
			    family_str(d->ep.family), g->dest[0].line,
			    family_str(g->dest[0].ep.family));
	for (i = 0; i < di; i++)
		if (!memcmp(&g->dest[i].ep, &d->ep, sizeof(d->ep)))
			return fail(x, n, "destination %s given twice in group \"%s\" (first at line %lu)",
				    format_addr(&d->ep, a, sizeof(a)), g->name,
				    g->dest[i].line);
	return 0;
}

struct group_seen {
	struct conf_pgroup *g;
	yaml_node_t *name, *check, *dests;
};

static int pg_name(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct group_seen *gs = obj;

	gs->name = n;
	return get_set_name(x, n, "a group's name", gs->g->name);
}

static int pg_table(struct ctx *x, yaml_node_t *n, void *obj)
{
	return get_table(x, n, &((struct group_seen *)obj)->g->table);
}

static int pg_check(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct group_seen *gs = obj;

	if (!scalar(x, n, "check"))
		return -1;
	gs->check = n;		/* resolved with the checks of the file */
	return 0;
}

static int pg_dests(struct ctx *x, yaml_node_t *n, void *obj)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(x, n, "dests must be a list (\"- address: ...\" items)");
	((struct group_seen *)obj)->dests = n;
	return 0;
}

static const struct key group_keys[] = {
	{ "name", pg_name }, { "table", pg_table }, { "check", pg_check },
	{ "dests", pg_dests },
};

/* Group @gi of @ps, its first @gi ones read. */
static int read_group(struct ctx *x, yaml_node_t *n, struct conf_pset *ps,
		      size_t gi)
{
	struct conf_pgroup *g = &ps->group[gi];
	struct group_seen gs = { .g = g };
	const struct conf *c = x->c;
	yaml_node_item_t *it;
	size_t i, count;

	g->line = line_of(n);
	g->check = -1;
	if (walk_map(x, n, "a group", group_keys, sizeof(group_keys) /
		     sizeof(group_keys[0]), NULL, &gs))
		return -1;
	if (!gs.name)
		return fail(x, n, "a group needs a name");
	for (i = 0; i < gi; i++)
		if (!strcmp(ps->group[i].name, g->name))
			return fail(x, gs.name, "group \"%s\" given twice in policy set \"%s\" (first at line %lu)",
				    g->name, ps->name, ps->group[i].line);
	if (gs.check) {
		const char *s = (const char *)gs.check->data.scalar.value;

		for (i = 0; i < c->ncheck; i++)
			if (!strcmp(c->check[i].name, s))
				break;
		if (i == c->ncheck)
			return fail(x, gs.check, "no check named \"%s\"", s);
		if (!c->check[i].port)
			return fail(x, gs.check, "check \"%s\" has no port: destinations have none, so a group's check needs one",
				    s);
		g->check = i;
	}
	if (!gs.dests || gs.dests->data.sequence.items.top ==
			 gs.dests->data.sequence.items.start)
		return fail(x, gs.dests ? gs.dests : n,
			    "group \"%s\" needs destinations (dests: 1 to %u)",
			    g->name, SVCGW_SERVERS_MAX);
	it = gs.dests->data.sequence.items.start;
	count = gs.dests->data.sequence.items.top - it;
	if (count > SVCGW_SERVERS_MAX)
		return fail(x, node(x, it[SVCGW_SERVERS_MAX]),
			    "more than %u destinations in group \"%s\"",
			    SVCGW_SERVERS_MAX, g->name);
	g->dest = calloc(count, sizeof(*g->dest));
	if (!g->dest)
		return fail(x, n, "out of memory");
	for (i = 0; i < count; i++) {
		g->ndest++;
		if (read_dest(x, node(x, it[i]), g, i))
			return -1;
	}
	return 0;
}

struct pol_seen {
	struct conf_policy *p;
	yaml_node_t *addr, *port, *proto, *from, *group;
};

static int pp_addr(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct pol_seen *ps = obj;

	ps->addr = n;
	return get_addr(x, n, "policy address", &ps->p->ep);
}

static int pp_port(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct pol_seen *ps = obj;
	uint32_t v;

	if (get_u32(x, n, "port", 1, 65535, &v))
		return -1;
	ps->p->ep.port = v;
	ps->port = n;
	return 0;
}

static int pp_proto(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct pol_seen *ps = obj;
	const char *s = scalar(x, n, "proto");

	if (!s)
		return -1;
	if (parse_proto(s, &ps->p->proto))
		return fail(x, n, "proto must be tcp or udp, not \"%s\"", s);
	ps->proto = n;
	return 0;
}

/* A client prefix, ADDRESS[/LENGTH], host bits 0. */
static int pp_from(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct pol_seen *ps = obj;
	struct conf_policy *p = ps->p;
	const char *s = scalar(x, n, "from");
	char buf[EP_STRLEN], *slash;
	uint32_t len, max, i;
	bool host = false;

	if (!s)
		return -1;
	ps->from = n;
	if (n->data.scalar.length >= sizeof(buf))
		goto bad;
	memcpy(buf, s, n->data.scalar.length + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (parse_host_addr(buf, 0, &p->src))
		goto bad;
	max = p->src.family == AF_INET ? 32 : 128;
	len = max;
	if (slash && (parse_u32(slash + 1, &len) || len > max))
		goto bad;
	for (i = len; i < max; i++) {
		if (p->src.addr[i / 8] & (0x80 >> (i % 8)))
			host = true;
		p->src.addr[i / 8] &= ~(0x80 >> (i % 8));
	}
	if (host)
		return fail(x, n, "from %s has host bits set: the prefix is %s/%u",
			    s, format_addr(&p->src, buf, sizeof(buf)), len);
	p->has_src = true;
	p->plen = len;
	return 0;
bad:
	return fail(x, n, "from must be a client prefix (ADDRESS or ADDRESS/LENGTH), not \"%s\"",
		    s);
}

static int pp_group(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct pol_seen *ps = obj;

	ps->group = n;
	return get_set_name(x, n, "a policy's group", ps->p->group);
}

static const struct key policy_keys[] = {
	{ "address", pp_addr }, { "port", pp_port }, { "proto", pp_proto },
	{ "from", pp_from }, { "group", pp_group },
};

static bool same_match(const struct conf_policy *a,
		       const struct conf_policy *b)
{
	return !memcmp(&a->ep, &b->ep, sizeof(a->ep)) &&
	       a->proto == b->proto && a->has_src == b->has_src &&
	       (!a->has_src || (a->plen == b->plen &&
				!memcmp(&a->src, &b->src, sizeof(a->src))));
}

/* Policy @pi of @s, its groups read, its first @pi policies too. */
static int read_policy(struct ctx *x, yaml_node_t *n, struct conf_pset *s,
		       size_t pi)
{
	struct conf_policy *p = &s->pol[pi];
	struct pol_seen ps = { .p = p };
	const struct conf_pgroup *g = NULL;
	char a[EP_STRLEN];
	size_t i;

	p->line = line_of(n);
	if (walk_map(x, n, "a policy", policy_keys, sizeof(policy_keys) /
		     sizeof(policy_keys[0]), NULL, &ps))
		return -1;
	if (!ps.addr || !ps.group)
		return fail(x, n, "a policy needs an address and a group");
	if (ps.port && !ps.proto)
		return fail(x, ps.port, "a policy's port needs a proto (tcp or udp)");
	if (p->has_src && p->src.family != p->ep.family)
		return fail(x, ps.from, "from is %s, the policy's address %s",
			    family_str(p->src.family),
			    family_str(p->ep.family));
	for (i = 0; i < s->ngroup; i++)
		if (!strcmp(s->group[i].name, p->group))
			g = &s->group[i];
	if (!g)
		return fail(x, ps.group, "no group \"%s\" in policy set \"%s\"",
			    p->group, s->name);
	if (g->dest[0].ep.family != p->ep.family)
		return fail(x, ps.addr, "policy address %s is %s, the destinations of group \"%s\" (line %lu) %s",
			    format_addr(&p->ep, a, sizeof(a)),
			    family_str(p->ep.family), g->name, g->line,
			    family_str(g->dest[0].ep.family));
	for (i = 0; i < pi; i++)
		if (same_match(&s->pol[i], p))
			return fail(x, n, "a policy for %s with the same port, proto and from is given twice in policy set \"%s\" (first at line %lu)",
				    format_addr(&p->ep, a, sizeof(a)), s->name,
				    s->pol[i].line);
	return 0;
}

struct pset_seen {
	struct conf_pset *ps;
	yaml_node_t *name, *groups, *policies;
	yaml_node_t **watch;
};

static int ps_name(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct pset_seen *ss = obj;

	ss->name = n;
	return get_set_name(x, n, "a policy set's name", ss->ps->name);
}

static int ps_when(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct pset_seen *ss = obj;

	return read_when(x, n, &ss->ps->cond, ss->watch);
}

static int ps_transition(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct pset_seen *ss = obj;

	ss->ps->has_transition = true;
	return get_u32(x, n, "transition", 0, SVCGW_TRANSITION_MAX,
		       &ss->ps->transition);
}

static int ps_groups(struct ctx *x, yaml_node_t *n, void *obj)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(x, n, "groups must be a list (\"- name: ...\" items)");
	((struct pset_seen *)obj)->groups = n;
	return 0;
}

static int ps_policies(struct ctx *x, yaml_node_t *n, void *obj)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(x, n, "policies must be a list (\"- address: ...\" items)");
	((struct pset_seen *)obj)->policies = n;
	return 0;
}

static const struct key pset_keys[] = {
	{ "name", ps_name }, { "when", ps_when },
	{ "transition", ps_transition }, { "groups", ps_groups },
	{ "policies", ps_policies },
};

/* Set @si of @c, its first @si ones read; @watch gets its health value. */
static int read_pset(struct ctx *x, yaml_node_t *n, struct conf *c, size_t si,
		     yaml_node_t **watch)
{
	struct conf_pset *ps = &c->pset[si];
	struct pset_seen ss = { .ps = ps, .watch = watch };
	yaml_node_item_t *it;
	size_t i, count;

	ps->line = line_of(n);
	ps->cond.kind = COND_ALWAYS;
	if (walk_map(x, n, "a policy set", pset_keys, sizeof(pset_keys) /
		     sizeof(pset_keys[0]), NULL, &ss))
		return -1;
	if (!ss.name)
		return fail(x, n, "a policy set needs a name");
	for (i = 0; i < si; i++)
		if (!strcmp(c->pset[i].name, ps->name))
			return fail(x, ss.name, "policy set \"%s\" given twice (first at line %lu)",
				    ps->name, c->pset[i].line);
	if (ss.groups) {
		it = ss.groups->data.sequence.items.start;
		count = ss.groups->data.sequence.items.top - it;
		if (count > SVCGW_GROUPS_MAX)
			return fail(x, node(x, it[SVCGW_GROUPS_MAX]),
				    "more than %u groups in a policy set",
				    SVCGW_GROUPS_MAX);
		ps->group = calloc(count ? count : 1, sizeof(*ps->group));
		if (!ps->group)
			return fail(x, n, "out of memory");
		for (i = 0; i < count; i++) {
			ps->ngroup++;
			if (read_group(x, node(x, it[i]), ps, i))
				return -1;
		}
	}
	if (ss.policies) {
		it = ss.policies->data.sequence.items.start;
		count = ss.policies->data.sequence.items.top - it;
		if (count > SVCGW_POLICIES_MAX)
			return fail(x, node(x, it[SVCGW_POLICIES_MAX]),
				    "more than %u policies in a policy set",
				    SVCGW_POLICIES_MAX);
		ps->pol = calloc(count ? count : 1, sizeof(*ps->pol));
		if (!ps->pol)
			return fail(x, n, "out of memory");
		for (i = 0; i < count; i++) {
			ps->npol++;
			if (read_policy(x, node(x, it[i]), ps, i))
				return -1;
		}
	}
	return 0;
}

static int read_psets(struct ctx *x, struct conf *c, yaml_node_t *n)
{
	yaml_node_t *watch[COND_SETS_MAX] = { NULL };
	yaml_node_item_t *it = n->data.sequence.items.start;
	size_t i, count = n->data.sequence.items.top - it;
	int w;

	if (count > COND_SETS_MAX)
		return fail(x, node(x, it[COND_SETS_MAX]),
			    "more than %d policy sets", COND_SETS_MAX);
	c->pset = calloc(count ? count : 1, sizeof(*c->pset));
	if (!c->pset)
		return fail(x, n, "out of memory");
	for (i = 0; i < count; i++) {
		c->npset++;
		if (read_pset(x, node(x, it[i]), c, i, &watch[i]))
			return -1;
	}
	/* Sets may be named before they are defined. */
	for (i = 0; i < count; i++) {
		if (c->pset[i].cond.kind != COND_HEALTH)
			continue;
		w = conf_pset_find(c, (const char *)watch[i]->data.scalar.value);
		if (w < 0)
			return fail(x, watch[i], "no policy set named \"%s\" (health names a set of this file)",
				    (const char *)watch[i]->data.scalar.value);
		c->pset[i].cond.watch = w;
	}
	return 0;
}

/* --- high availability ----------------------------------------------- */

#define CONF_HA_PORT		7441		/* the sync's default port */
#define CONF_HA_ROTATION	86400		/* s, the default key rotation */
#define CONF_HA_ROTATION_MIN	60		/* s */
#define CONF_HA_ROTATION_MAX	(30 * 86400)	/* s */
#define CONF_HA_SYNC_WAIT	30000		/* ms, the default bound */
#define CONF_HA_SYNC_WAIT_MAX	3600000		/* ms */

struct ha_seen {
	struct conf_ha *ha;
	yaml_node_t *nodes;
};

static int ha_port(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct ha_seen *hs = obj;
	uint32_t v;

	if (get_u32(x, n, "port", 1, 65535, &v))
		return -1;
	hs->ha->port = v;
	return 0;
}

/* A time of the file's kind in whole seconds, or "never" (0). */
static int ha_key_rotation(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct ha_seen *hs = obj;
	const char *s = scalar(x, n, "key_rotation");
	uint64_t ms;

	if (!s)
		return -1;
	if (!strcmp(s, "never")) {
		hs->ha->key_rotation_s = 0;
		return 0;
	}
	if (parse_time(s, &ms) || ms % 1000 ||
	    ms < CONF_HA_ROTATION_MIN * 1000ull ||
	    ms > CONF_HA_ROTATION_MAX * 1000ull)
		return fail(x, n, "key_rotation must be whole seconds from %ds to %ds (30 days; \"24h\" a day) or \"never\", not \"%s\"",
			    CONF_HA_ROTATION_MIN, CONF_HA_ROTATION_MAX, s);
	hs->ha->key_rotation_s = ms / 1000;
	return 0;
}

/* The barrier's bound: a duration to 1 h, 0: no barrier. */
static int ha_sync_wait(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct ha_seen *hs = obj;

	return get_ms(x, n, "sync_wait", 0, CONF_HA_SYNC_WAIT_MAX,
		      &hs->ha->sync_wait_ms);
}

static int ha_nodes(struct ctx *x, yaml_node_t *n, void *obj)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(x, n, "nodes must be a list (\"- name: ...\" items)");
	((struct ha_seen *)obj)->nodes = n;
	return 0;
}

static const struct key ha_keys[] = {
	{ "port", ha_port }, { "key_rotation", ha_key_rotation },
	{ "sync_wait", ha_sync_wait }, { "nodes", ha_nodes },
};

struct han_seen {
	struct conf_ha_node *hn;
	yaml_node_t *name, *id, *sync, *addr, *backups, *fnat;
};

static int hn_name(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct han_seen *hs = obj;

	hs->name = n;
	if (get_node_name(x, n, "an ha node's name", hs->hn->name))
		return -1;
	/* The kernel keeps it (SVCGW_HA_NODE_A_NAME). */
	if (strlen(hs->hn->name) >= SVCGW_NAME_MAX)
		return fail(x, n, "an ha node's name has 1 to %d characters (the kernel's HA policy holds no longer one)",
			    SVCGW_NAME_MAX - 1);
	return 0;
}

static int hn_id(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct han_seen *hs = obj;

	hs->id = n;
	return get_u32(x, n, "id", 1, UINT32_MAX, &hs->hn->id);
}

/*
 * An address of an ha node, unicast as the kernel takes them: not in
 * 0.0.0.0/8, multicast nor 255.255.255.255; not ::, multicast nor
 * IPv4-mapped.
 */
static int get_ha_addr(struct ctx *x, yaml_node_t *n, const char *what,
		       struct endpoint *ep)
{
	char s[EP_STRLEN];

	if (get_addr(x, n, what, ep))
		return -1;
	if (!ep_unicast(ep))
		return fail(x, n, "%s %s is not unicast (not 0.0.0.0/8, multicast, broadcast, :: nor IPv4-mapped)",
			    what, format_addr(ep, s, sizeof(s)));
	return 0;
}

static int hn_sync(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct han_seen *hs = obj;

	hs->sync = n;
	return get_ha_addr(x, n, "sync address", &hs->hn->sync);
}

static int hn_addr(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct han_seen *hs = obj;

	hs->addr = n;
	return get_ha_addr(x, n, "address", &hs->hn->addr);
}

static int hn_fnat(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct han_seen *hs = obj;

	hs->fnat = n;
	hs->hn->has_fnat = true;
	return get_ha_addr(x, n, "fnat address", &hs->hn->fnat);
}

static int hn_backups(struct ctx *x, yaml_node_t *n, void *obj)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(x, n, "backups must be a list of ha node names ([gw2, gw3])");
	((struct han_seen *)obj)->backups = n;
	return 0;
}

static const struct key ha_node_keys[] = {
	{ "name", hn_name }, { "id", hn_id }, { "sync", hn_sync },
	{ "address", hn_addr }, { "backups", hn_backups }, { "fnat", hn_fnat },
};

/* Node @hi of @ha, its first @hi ones read; @backups gets its list, whose
 * names are resolved once every node is read.
 */
static int read_ha_node(struct ctx *x, yaml_node_t *n, struct conf_ha *ha,
			size_t hi, yaml_node_t **backups)
{
	struct conf_ha_node *hn = &ha->node[hi];
	struct han_seen hs = { .hn = hn };
	const struct conf *c = x->c;
	yaml_node_item_t *it;
	char a[EP_STRLEN];
	size_t i, count;

	hn->line = line_of(n);
	if (walk_map(x, n, "an ha node", ha_node_keys, sizeof(ha_node_keys) /
		     sizeof(ha_node_keys[0]), NULL, &hs))
		return -1;
	if (!hs.name || !hs.id || !hs.sync)
		return fail(x, n, "an ha node needs a name, an id, a sync address and backups");
	for (i = 0; i < c->nnodes; i++)
		if (!strcmp(c->nodes[i], hn->name))
			break;
	if (i == c->nnodes)
		return fail(x, hs.name, "ha node \"%s\" is not one of nodes (the controller's agents)",
			    hn->name);
	hn->node = i;
	if (!hs.addr)
		hn->addr = hn->sync;
	for (i = 0; i < hi; i++) {
		const struct conf_ha_node *o = &ha->node[i];

		if (!strcmp(o->name, hn->name))
			return fail(x, hs.name, "ha node \"%s\" given twice (first at line %lu)",
				    hn->name, o->line);
		if (o->id == hn->id)
			return fail(x, hs.id, "ha node id %u given twice (first at line %lu)",
				    hn->id, o->line);
		if (ep_same_addr(&o->sync, &hn->sync))
			return fail(x, hs.sync, "sync address %s given twice in ha (first at line %lu)",
				    format_addr(&hn->sync, a, sizeof(a)),
				    o->line);
		if (ep_same_addr(&o->addr, &hn->addr))
			return fail(x, hs.addr ? hs.addr : hs.sync,
				    "address %s given twice in ha (first at line %lu)",
				    format_addr(&hn->addr, a, sizeof(a)),
				    o->line);
		if (hn->has_fnat && o->has_fnat &&
		    ep_same_addr(&o->fnat, &hn->fnat))
			return fail(x, hs.fnat, "fnat address %s given twice in ha (first at line %lu): each node's pool is its own",
				    format_addr(&hn->fnat, a, sizeof(a)),
				    o->line);
	}
	if (hi && hn->sync.family != ha->node[0].sync.family)
		return fail(x, hs.sync, "sync address %s is %s, the first ha node's (line %lu) %s: one family for all sync addresses",
			    format_addr(&hn->sync, a, sizeof(a)),
			    family_str(hn->sync.family), ha->node[0].line,
			    family_str(ha->node[0].sync.family));
	if (!hs.backups || hs.backups->data.sequence.items.top ==
			   hs.backups->data.sequence.items.start)
		return fail(x, hs.backups ? hs.backups : n,
			    "ha node \"%s\" needs backups (1 to %d other ha nodes)",
			    hn->name, CONF_HA_BACKUPS_MAX);
	it = hs.backups->data.sequence.items.start;
	count = hs.backups->data.sequence.items.top - it;
	if (count > CONF_HA_BACKUPS_MAX)
		return fail(x, node(x, it[CONF_HA_BACKUPS_MAX]),
			    "more than %d backups for ha node \"%s\"",
			    CONF_HA_BACKUPS_MAX, hn->name);
	*backups = hs.backups;
	return 0;
}

/* The backups of node @hi, named by @list, into indexes of the nodes. */
static int resolve_backups(struct ctx *x, struct conf *c, size_t hi,
			   yaml_node_t *list)
{
	struct conf_ha_node *hn = &c->ha.node[hi];
	yaml_node_item_t *it = list->data.sequence.items.start;
	size_t i, count = list->data.sequence.items.top - it;
	int b;

	for (i = 0; i < count; i++) {
		yaml_node_t *v = node(x, it[i]);
		const char *s = scalar(x, v, "a backup");
		size_t j;

		if (!s)
			return -1;
		b = conf_ha_find(c, s);
		if (b < 0)
			return fail(x, v, "backup \"%s\" of ha node \"%s\" is not an ha node",
				    s, hn->name);
		if ((size_t)b == hi)
			return fail(x, v, "ha node \"%s\" is its own backup",
				    hn->name);
		for (j = 0; j < i; j++)
			if (hn->backup[j] == b)
				return fail(x, v, "backup \"%s\" given twice for ha node \"%s\" (first at line %lu)",
					    s, hn->name,
					    line_of(node(x, it[j])));
		hn->backup[i] = b;
		hn->nbackup++;
	}
	return 0;
}

static int read_ha(struct ctx *x, struct conf *c, yaml_node_t *k,
		   yaml_node_t *n)
{
	struct conf_ha *ha = &c->ha;
	struct ha_seen hs = { .ha = ha };
	yaml_node_t **backups = NULL;
	yaml_node_item_t *it;
	size_t i, count;
	int ret = -1;

	ha->line = line_of(k);
	ha->port = CONF_HA_PORT;
	ha->key_rotation_s = CONF_HA_ROTATION;
	ha->sync_wait_ms = CONF_HA_SYNC_WAIT;
	if (walk_map(x, n, "ha", ha_keys, sizeof(ha_keys) / sizeof(ha_keys[0]),
		     NULL, &hs))
		return -1;
	if (!hs.nodes || hs.nodes->data.sequence.items.top ==
			 hs.nodes->data.sequence.items.start)
		return fail(x, hs.nodes ? hs.nodes : k,
			    "ha needs nodes (1 to %d servicing nodes, \"- name: ...\" items)",
			    CONF_NODES_MAX);
	it = hs.nodes->data.sequence.items.start;
	count = hs.nodes->data.sequence.items.top - it;
	if (count > CONF_NODES_MAX)
		return fail(x, node(x, it[CONF_NODES_MAX]),
			    "more than %d ha nodes", CONF_NODES_MAX);
	ha->node = calloc(count, sizeof(*ha->node));
	backups = calloc(count, sizeof(*backups));
	if (!ha->node || !backups) {
		fail(x, n, "out of memory");
		goto out;
	}
	for (i = 0; i < count; i++) {
		ha->nnode++;
		if (read_ha_node(x, node(x, it[i]), ha, i, &backups[i]))
			goto out;
	}
	/* Backups may be named before they are defined. */
	for (i = 0; i < count; i++)
		if (resolve_backups(x, c, i, backups[i]))
			goto out;
	ret = 0;
out:
	free(backups);
	return ret;
}

int conf_ha_find(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ha.nnode; i++)
		if (!strcmp(c->ha.node[i].name, name))
			return i;
	return -1;
}

/* Whether group @g has a destination at @addr. */
static bool group_has(const struct conf_pgroup *g, const struct endpoint *addr)
{
	size_t i;

	for (i = 0; i < g->ndest; i++)
		if (ep_same_addr(&g->dest[i].ep, addr))
			return true;
	return false;
}

/*
 * A group of the forwarders sends a down node's flows to the first of its
 * backups that is up and one of the group's destinations (kmod/policy.c,
 * group_ha()); its full NAT address goes to the first of its backups that
 * is up (takeover.h).  The two agree whatever is down only if the backups
 * that a group with a full NAT node has are the first ones of its list:
 * with gw1: [gw2, gw3] a group of gw1 and gw3 without gw2 would send gw1's
 * flows to gw3 while gw2 took its address, and the servers' answers to its
 * full NAT flows would go where the sessions are not.
 */
static int check_ha_groups(struct ctx *x, const struct conf *c)
{
	const struct conf_ha *ha = &c->ha;
	size_t s, g, i, b;

	for (s = 0; s < c->npset; s++)
		for (g = 0; g < c->pset[s].ngroup; g++) {
			const struct conf_pgroup *grp = &c->pset[s].group[g];

			for (i = 0; i < ha->nnode; i++) {
				const struct conf_ha_node *n = &ha->node[i];
				const struct conf_ha_node *gap = NULL;

				if (!n->has_fnat || !group_has(grp, &n->addr))
					continue;
				for (b = 0; b < n->nbackup; b++) {
					const struct conf_ha_node *bk =
						&ha->node[n->backup[b]];

					if (!group_has(grp, &bk->addr))
						gap = gap ? gap : bk;
					else if (gap)
						return fail_line(x, grp->line,
							"group %s of set %s has %s (full NAT address) and its backup %s but not %s, before %s in its backups: at %s's failure it would send %s's flows to %s while %s took its full NAT address (give the group %s, or put %s first)",
							grp->name, c->pset[s].name,
							n->name, bk->name, gap->name,
							bk->name, n->name, n->name,
							bk->name, gap->name, gap->name,
							bk->name);
				}
			}
		}
	return 0;
}

/* What depends on several keys of the file, once it is read. */
static int check_top(struct ctx *x, struct conf *c)
{
	struct top_seen *t = x->top;
	yaml_node_t *ctl_only[] = {
		t->heartbeat, t->dead_after, t->hold_down, t->nodes, t->psets,
		t->ha,
	};
	yaml_node_t *k = NULL;
	size_t i;

	if (t->listen && t->controller)
		return fail(x, line_of(t->listen) > line_of(t->controller) ?
			    t->listen : t->controller,
			    "listen (a controller) and controller (an agent) in one file: a file is one role");
	/* A controller's file has no services of its own: its node runs an
	 * agent beside it, with a file of its own.
	 */
	if (t->listen && t->metrics)
		return fail(x, t->metrics,
			    "metrics is for a node agent: a controller's file (listen) has no kernel counters to serve");
	if (t->listen && t->announce)
		return fail(x, t->announce,
			    "announce is for a node agent: a controller's file (listen) has no services to announce");
	/* The hold: by default one round of the slowest check, over which
	 * servers that come back together rise one by one.
	 */
	for (i = 0; !c->has_announce_hold && i < c->ncheck; i++)
		if (c->check[i].interval_ms > c->announce_hold_ms)
			c->announce_hold_ms = c->check[i].interval_ms;
	if (t->listen && c->nsvc)
		return fail_line(x, c->svc[0].line,
				 "a controller's file (listen) has no services: run an agent beside it with its own file");
	if (!t->listen) {
		for (i = 0; i < sizeof(ctl_only) / sizeof(ctl_only[0]); i++)
			if (ctl_only[i] && (!k || line_of(ctl_only[i]) <
						  line_of(k)))
				k = ctl_only[i];
		if (k)
			return fail(x, k, "%s is for a controller (listen)",
				    (const char *)k->data.scalar.value);
	}
	if ((t->listen || t->controller) && !t->tls)
		return fail(x, t->listen ? t->listen : t->controller,
			    "%s needs tls (ca, cert and key): the control channel is always authenticated",
			    t->listen ? "listen" : "controller");
	if (!t->dead_after)
		c->dead_after_ms = 3 * c->heartbeat_ms;
	else if (c->dead_after_ms <= c->heartbeat_ms)
		return fail(x, t->dead_after_val, "dead_after (%ums) must be longer than heartbeat (%ums)",
			    c->dead_after_ms, c->heartbeat_ms);
	if (t->psets_val && read_psets(x, c, t->psets_val))
		return -1;
	if (t->ha_val && read_ha(x, c, t->ha, t->ha_val))
		return -1;
	return check_ha_groups(x, c);
}

int conf_pset_find(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->npset; i++)
		if (!strcmp(c->pset[i].name, name))
			return i;
	return -1;
}

static int top_node(struct ctx *x, yaml_node_t *n, void *obj)
{
	struct conf *c = obj;

	return get_text(x, n, "node", c->node, sizeof(c->node), NULL, true);
}

static const struct key top_keys[] = {
	{ "node", top_node }, { "checks", top_checks },
	{ "services", top_services }, { "tls", top_tls },
	{ "controller", top_controller }, { "listen", top_listen },
	{ "heartbeat", top_heartbeat }, { "dead_after", top_dead_after },
	{ "hold_down", top_hold_down }, { "nodes", top_nodes },
	{ "policy_sets", top_policy_sets }, { "ha", top_ha },
	{ "metrics", top_metrics }, { "announce", top_announce },
};

void conf_free(struct conf *c)
{
	size_t i, j;

	for (i = 0; i < c->npset; i++) {
		for (j = 0; j < c->pset[i].ngroup; j++)
			free(c->pset[i].group[j].dest);
		free(c->pset[i].group);
		free(c->pset[i].pol);
	}
	free(c->pset);
	free(c->ha.node);
	free(c->nodes);
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
	struct top_seen top = { NULL };
	struct ctx x = { .file = file, .err = err, .errlen = errlen, .c = c,
			 .top = &top };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	c->heartbeat_ms = 1000;
	c->hold_down_ms = 10000;
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
			     sizeof(top_keys) / sizeof(top_keys[0]), NULL, c) &&
		   !check_top(&x, c)) {
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

	/* Whatever fails below, @c is empty for conf_free() and the caller's
	 * checks (a reload of a file gone missing read it uninitialised).
	 */
	memset(c, 0, sizeof(*c));
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
