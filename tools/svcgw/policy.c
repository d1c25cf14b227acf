// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw policy: the forwarding policy set of a network node.
 *
 *   svcgw policy replace FILE   the set of FILE becomes the namespace's,
 *                               in one SVCGW_CMD_POLICY_SET_REPLACE
 *   svcgw policy show           the set (since when, why), its groups and
 *                               policies
 *   svcgw policy flush [transition S] [reason TEXT...]
 *                               an empty set ("none") takes its place
 *
 * A set file, one item a line (blank lines and # comments skipped):
 *
 *   set NAME [generation N] [transition S] [reason TEXT...]
 *   group NAME [table PRIME]
 *   dest GROUP ADDR method ipip|gue [gue-port PORT] [weight N]
 *   policy ADDR[:PORT] [proto tcp|udp] [from PREFIX[/LEN]] group GROUP
 *
 * "reason" comes last: its text is the rest of the line, blanks and '#'
 * included, at most SVCGW_REASON_MAX - 1 bytes.
 *
 * The file is checked for its words here; the kernel checks the rest (a
 * group's name given twice, a policy's unknown group, a prefix with host
 * bits, two policies with one match) and its refusal is mapped back to
 * the line of the object at fault, as for batch files.  The same lines
 * held in memory go through policy_replace_text() (svcgwd).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/svcgw.h>

#include "json.h"
#include "nl.h"
#include "svcgw.h"

#define PSET_ARGS	32	/* words in a line, at most */
#define DUMP_TRIES	5

struct pdest {
	struct endpoint ep;
	uint8_t method;
	uint16_t gue_port;
	bool has_gue_port, has_weight;
	uint32_t weight;
	unsigned long line;
	/* show: */
	struct gw_counters st;
};

struct pgroup {
	char name[SVCGW_NAME_MAX];
	bool has_table;
	uint32_t table;
	unsigned long line;
	struct pdest *dest;
	size_t ndest;
	/* show: */
	uint16_t family;
	struct gw_counters st;
};

struct ppolicy {
	struct endpoint ep;	/* address, port 0: any */
	bool has_proto;
	uint8_t proto;
	bool has_src;
	struct endpoint src;
	uint32_t plen;
	char group[SVCGW_NAME_MAX];
	unsigned long line;
	struct gw_counters st;
};

struct pset {
	const char *file;
	char name[SVCGW_NAME_MAX];
	unsigned long set_line;
	bool has_gen, has_transition, has_reason;
	uint64_t gen;
	uint32_t transition;
	char reason[SVCGW_REASON_MAX];	/* "": none */
	struct pgroup *group;
	size_t ngroup;
	struct ppolicy *policy;
	size_t npolicy;
	/* While the request is sent: every object's offset and line. */
	struct file_objects objs;
	/* show: */
	bool has_left, has_prev, has_age;
	uint32_t left, ngroups, npolicies;
	uint64_t prev_gen, age_ms;
};

static int arg_name(const char *val, void *dst)
{
	if (!*val || strlen(val) >= SVCGW_NAME_MAX)
		return PARSE_INVAL;
	strcpy(dst, val);
	return 0;
}

static int arg_u64(const char *val, void *dst)
{
	return parse_u64(val, dst);
}

/* PREFIX[/LEN] into a struct ppolicy's src and plen. */
static int arg_prefix(const char *val, void *dst)
{
	struct ppolicy *p = dst;
	char buf[EP_STRLEN], *slash;
	int err;

	if (strlen(val) >= sizeof(buf))
		return PARSE_ADDR;
	strcpy(buf, val);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	err = parse_host_addr(buf, 0, &p->src);
	if (err)
		return err;
	p->plen = p->src.family == AF_INET ? 32 : 128;
	if (slash && (parse_u32(slash + 1, &p->plen) ||
		      p->plen > (p->src.family == AF_INET ? 32u : 128u)))
		return PARSE_INVAL;
	return 0;
}

static void *grow(void *p, size_t n, size_t size)
{
	/* Powers of two: amortised, and enough for every later n below. */
	if (n & (n - 1))
		return p;
	p = realloc(p, (n ? 2 * n : 1) * size);
	if (!p)
		pr_err("out of memory");
	return p;
}

static struct pgroup *find_group(struct pset *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ngroup; i++)
		if (!strcmp(s->group[i].name, name))
			return &s->group[i];
	return NULL;
}

/* The text of "reason", NULL if none; refused if too long for the kernel. */
static int set_reason(struct pset *s, const char *text)
{
	size_t n;

	if (!text)
		return 0;
	n = strlen(text);
	if (!n) {
		pr_err("missing text after \"reason\"");
		return -1;
	}
	if (n >= sizeof(s->reason)) {
		pr_err("reason of %zu bytes: %zu at most", n,
		       sizeof(s->reason) - 1);
		return -1;
	}
	memcpy(s->reason, text, n + 1);
	s->has_reason = true;
	return 0;
}

static int line_set(struct pset *s, int argc, char **argv, const char *reason,
		    unsigned long line)
{
	struct arg args[] = {
		{ .name = "generation", .parse = arg_u64, .dst = &s->gen,
		  .present = &s->has_gen },
		{ .name = "transition", .parse = arg_u32, .dst = &s->transition,
		  .present = &s->has_transition },
		{ .name = NULL },
	};

	if (s->set_line) {
		pr_err("a second set line (the first at line %lu)",
		       s->set_line);
		return -1;
	}
	if (argc < 1 || arg_name(argv[0], s->name)) {
		pr_err("set needs a name of 1 to %d characters",
		       SVCGW_NAME_MAX - 1);
		return -1;
	}
	s->set_line = line;
	if (parse_args(argc - 1, argv + 1, args))
		return -1;
	return set_reason(s, reason);
}

static int line_group(struct pset *s, int argc, char **argv,
		      unsigned long line)
{
	struct pgroup g = { .line = line }, *p;
	struct arg args[] = {
		{ .name = "table", .parse = arg_u32, .dst = &g.table,
		  .present = &g.has_table },
		{ .name = NULL },
	};

	if (argc < 1 || arg_name(argv[0], g.name)) {
		pr_err("group needs a name of 1 to %d characters",
		       SVCGW_NAME_MAX - 1);
		return -1;
	}
	if (parse_args(argc - 1, argv + 1, args))
		return -1;
	p = grow(s->group, s->ngroup, sizeof(*s->group));
	if (!p)
		return -1;
	s->group = p;
	s->group[s->ngroup++] = g;
	return 0;
}

static int line_dest(struct pset *s, int argc, char **argv,
		     unsigned long line)
{
	struct pdest d = { .line = line }, *p;
	struct pgroup *g;
	bool has_method = false;
	int err;
	struct arg args[] = {
		{ .name = "method", .parse = arg_method, .dst = &d.method, .required = true,
		  .present = &has_method },
		{ .name = "gue-port", .parse = arg_gue_port, .dst = &d.gue_port,
		  .present = &d.has_gue_port },
		{ .name = "weight", .parse = arg_u32, .dst = &d.weight,
		  .present = &d.has_weight },
		{ .name = NULL },
	};
	const char *why;

	if (argc < 2) {
		pr_err("dest needs a group and an address");
		return -1;
	}
	g = find_group(s, argv[0]);
	if (!g) {
		pr_err("dest names group \"%s\", not made by an earlier group line",
		       argv[0]);
		return -1;
	}
	err = parse_host_addr(argv[1], 0, &d.ep);
	if (err) {
		parse_error(err, "dest", argv[1]);
		return -1;
	}
	if (parse_args(argc - 2, argv + 2, args))
		return -1;
	/* method nat: the kernel refuses it, naming this line. */
	why = method_error(true, d.method, d.has_gue_port);
	if (why) {
		pr_err("%s", why);
		return -1;
	}
	if (g->ndest == SVCGW_SERVERS_MAX) {
		pr_err("more than %d destinations in one group",
		       SVCGW_SERVERS_MAX);
		return -1;
	}
	p = grow(g->dest, g->ndest, sizeof(*g->dest));
	if (!p)
		return -1;
	g->dest = p;
	g->dest[g->ndest++] = d;
	return 0;
}

static int line_policy(struct pset *s, int argc, char **argv,
		       unsigned long line)
{
	struct ppolicy pol = { .line = line }, *p;
	bool has_group = false;
	int err;
	struct arg args[] = {
		{ .name = "proto", .parse = arg_proto, .dst = &pol.proto,
		  .present = &pol.has_proto },
		{ .name = "from", .parse = arg_prefix, .dst = &pol,
		  .present = &pol.has_src },
		{ .name = "group", .parse = arg_name, .dst = pol.group, .required = true,
		  .present = &has_group },
		{ .name = NULL },
	};

	if (argc < 1) {
		pr_err("policy needs an address");
		return -1;
	}
	err = parse_server_ep(argv[0], &pol.ep);
	if (err) {
		parse_error(err, "policy", argv[0]);
		return -1;
	}
	if (parse_args(argc - 1, argv + 1, args))
		return -1;
	if (pol.ep.port && !pol.has_proto) {
		pr_err("a policy with a port names its protocol (proto tcp|udp)");
		return -1;
	}
	if (pol.has_src && pol.src.family != pol.ep.family) {
		pr_err("the client prefix is of another family than the address");
		return -1;
	}
	p = grow(s->policy, s->npolicy, sizeof(*s->policy));
	if (!p)
		return -1;
	s->policy = p;
	s->policy[s->npolicy++] = pol;
	return 0;
}

static int pset_line(struct pset *s, char *line, unsigned long lineno)
{
	char *words[PSET_ARGS], *reason;
	int argc;

	set_where(s->file, lineno);
	argc = split_line_rest(line, words, PSET_ARGS, "set", "reason",
			       &reason);
	if (argc < 0) {
		pr_err("more than %d words", PSET_ARGS);
		return -1;
	}
	if (!argc)
		return 0;
	if (!strcmp(words[0], "set"))
		return line_set(s, argc - 1, words + 1, reason, lineno);
	if (!strcmp(words[0], "group"))
		return line_group(s, argc - 1, words + 1, lineno);
	if (!strcmp(words[0], "dest"))
		return line_dest(s, argc - 1, words + 1, lineno);
	if (!strcmp(words[0], "policy"))
		return line_policy(s, argc - 1, words + 1, lineno);
	pr_err("unknown line \"%s\": set, group, dest or policy", words[0]);
	return -1;
}

static void pset_free(struct pset *s)
{
	size_t i;

	for (i = 0; i < s->ngroup; i++)
		free(s->group[i].dest);
	free(s->group);
	free(s->policy);
}

/* Where the next attribute starts, as an offset in the message. */
static uint32_t here(struct nl_msg *msg)
{
	return (char *)nlmsg_tail(nlmsg_hdr(msg)) - (char *)nlmsg_hdr(msg);
}

static void note(struct pset *s, struct nl_msg *msg, unsigned long line)
{
	s->objs.off[s->objs.n] = here(msg);
	s->objs.lines[s->objs.n++] = line;
}

static int put_dest(struct nl_msg *msg, const struct pdest *d)
{
	struct nlattr *n = nla_nest_start(msg, SVCGW_A_SERVER | NLA_F_NESTED);

	if (!n || gw_put_addr(msg, SVCGW_SRV_A_FAMILY, SVCGW_SRV_A_ADDR,
			      &d->ep) ||
	    nla_put_u8(msg, SVCGW_SRV_A_METHOD, d->method) < 0 ||
	    (d->has_gue_port &&
	     nla_put_u16(msg, SVCGW_SRV_A_GUE_PORT, d->gue_port) < 0) ||
	    (d->has_weight &&
	     nla_put_u32(msg, SVCGW_SRV_A_WEIGHT, d->weight) < 0))
		return -1;
	nla_nest_end(msg, n);
	return 0;
}

static int put_policy(struct nl_msg *msg, const struct ppolicy *p)
{
	struct nlattr *n = nla_nest_start(msg, SVCGW_A_POLICY | NLA_F_NESTED);

	if (!n || gw_put_addr(msg, SVCGW_POLICY_A_FAMILY, SVCGW_POLICY_A_ADDR,
			      &p->ep) ||
	    (p->has_proto &&
	     nla_put_u8(msg, SVCGW_POLICY_A_PROTO, p->proto) < 0) ||
	    (p->ep.port &&
	     nla_put_u16(msg, SVCGW_POLICY_A_PORT, p->ep.port) < 0) ||
	    (p->has_src &&
	     (nla_put(msg, SVCGW_POLICY_A_SRC, addr_len(p->src.family),
		      p->src.addr) < 0 ||
	      nla_put_u8(msg, SVCGW_POLICY_A_SRC_PLEN, p->plen) < 0)) ||
	    nla_put_string(msg, SVCGW_POLICY_A_GROUP, p->group) < 0)
		return -1;
	nla_nest_end(msg, n);
	return 0;
}

/* gw_build_fn: the set, its groups with their destinations, its policies. */
static int put_pset(struct nl_msg *msg, const void *data)
{
	struct pset *s = (struct pset *)data;
	struct nlattr *n, *list;
	size_t i, j;

	s->objs.n = 0;
	note(s, msg, s->set_line);
	n = nla_nest_start(msg, SVCGW_A_POLICY_SET | NLA_F_NESTED);
	if (!n || nla_put_string(msg, SVCGW_PSET_A_NAME, s->name) < 0 ||
	    (s->has_gen &&
	     nla_put_u64(msg, SVCGW_PSET_A_GEN, s->gen) < 0) ||
	    (s->has_transition &&
	     nla_put_u32(msg, SVCGW_PSET_A_TRANSITION, s->transition) < 0) ||
	    (s->has_reason &&
	     nla_put_string(msg, SVCGW_PSET_A_REASON, s->reason) < 0))
		return -1;
	nla_nest_end(msg, n);
	for (i = 0; i < s->ngroup; i++) {
		const struct pgroup *g = &s->group[i];

		note(s, msg, g->line);
		n = nla_nest_start(msg, SVCGW_A_GROUP | NLA_F_NESTED);
		if (!n || nla_put_string(msg, SVCGW_GROUP_A_NAME, g->name) < 0 ||
		    (g->has_table &&
		     nla_put_u32(msg, SVCGW_GROUP_A_TABLE_SIZE, g->table) < 0))
			return -1;
		list = nla_nest_start(msg, SVCGW_GROUP_A_DESTS | NLA_F_NESTED);
		if (!list)
			return -1;
		for (j = 0; j < g->ndest; j++) {
			note(s, msg, g->dest[j].line);
			if (put_dest(msg, &g->dest[j]))
				return -1;
		}
		nla_nest_end(msg, list);
		nla_nest_end(msg, n);
	}
	for (i = 0; i < s->npolicy; i++) {
		note(s, msg, s->policy[i].line);
		if (put_policy(msg, &s->policy[i]))
			return -1;
	}
	return 0;
}

static int send_pset(struct pset *s)
{
	size_t nobj = 1 + s->ngroup + s->npolicy, size, i;

	for (i = 0; i < s->ngroup; i++)
		nobj += s->group[i].ndest;
	/* Upper bounds: the set 80 bytes and its reason, a group 64 and its
	 * destinations 56 each, a policy 112 (IPv6, a prefix, a group name).
	 */
	size = 256 + 80 + NLA_HDRLEN + SVCGW_REASON_MAX + s->ngroup * 64 +
	       (nobj - 1 - s->ngroup - s->npolicy) * 56 + s->npolicy * 112;
	s->objs.file = s->file;
	return run_file_request(SVCGW_CMD_POLICY_SET_REPLACE, put_pset, s,
				size, &s->objs, nobj);
}

/* Where the lines of a set come from: a file, or text in memory. */
struct lines {
	FILE *f;		/* NULL: text */
	const char *text;
	size_t len, pos;
	char *buf;		/* the line read, NUL-terminated */
	size_t cap;
};

enum { LINE_END, LINE_OK, LINE_ERR, LINE_NUL };

static int next_line(struct lines *l)
{
	const char *nl;
	size_t n;
	char *p;

	if (l->f) {
		if (getline(&l->buf, &l->cap, l->f) >= 0)
			return LINE_OK;
		return ferror(l->f) ? LINE_ERR : LINE_END;
	}
	if (l->pos >= l->len)
		return LINE_END;
	nl = memchr(l->text + l->pos, '\n', l->len - l->pos);
	n = nl ? (size_t)(nl - (l->text + l->pos)) + 1 : l->len - l->pos;
	if (n + 1 > l->cap) {
		p = realloc(l->buf, n + 1);
		if (!p)
			return LINE_ERR;
		l->buf = p;
		l->cap = n + 1;
	}
	memcpy(l->buf, l->text + l->pos, n);
	l->buf[n] = '\0';
	l->pos += n;
	return memchr(l->buf, '\0', n) ? LINE_NUL : LINE_OK;
}

/*
 * The set of the lines of @src, named @name in messages ("NAME:LINE: "),
 * checked and sent; the kernel's refusal names a line as well.
 */
static int replace_lines(const char *name, struct lines *src)
{
	struct pset s = { .file = name };
	unsigned long lineno = 0;
	int err = 0, r = LINE_END;

	while (!err && (r = next_line(src)) == LINE_OK)
		err = pset_line(&s, src->buf, ++lineno);
	if (!err && r == LINE_NUL) {
		set_where(name, lineno + 1);
		pr_err("a NUL byte in the line");
		err = -1;
	} else if (!err && r == LINE_ERR) {
		set_where(name, 0);
		pr_err("cannot read: %s", strerror(errno));
		err = -1;
	}
	if (!err && !s.set_line) {
		set_where(name, 0);
		pr_err("no set line: the set needs a name");
		err = -1;
	}
	if (!err) {
		set_where(name, 0);
		err = send_pset(&s);
	}
	set_where(NULL, 0);
	free(src->buf);
	pset_free(&s);
	return err;
}

int cmd_policy_replace(int argc, char **argv)
{
	struct lines src = { 0 };
	int err;

	if (argc != 1) {
		pr_err("policy replace takes one FILE (- for stdin)");
		return -1;
	}
	src.f = strcmp(argv[0], "-") ? fopen(argv[0], "r") : stdin;
	if (!src.f) {
		pr_err("cannot open %s: %s", argv[0], strerror(errno));
		return -1;
	}
	err = replace_lines(argv[0], &src);
	if (src.f != stdin)
		fclose(src.f);
	return err;
}

/* A set file held in memory (svcgwd), replaced as by "policy replace". */
int policy_replace_text(const char *name, const char *text, size_t len)
{
	struct lines src = { .text = text, .len = len };

	return replace_lines(name, &src);
}

/*
 * policy flush [transition S] [reason TEXT...]: an empty set, "none".
 * The words after "reason" are its text, joined by blanks.
 */
int cmd_policy_flush(int argc, char **argv)
{
	struct pset s = { .name = "none" };
	struct arg args[] = {
		{ .name = "transition", .parse = arg_u32, .dst = &s.transition,
		  .present = &s.has_transition },
		{ .name = NULL },
	};
	char *text = NULL;
	size_t n = 0;
	int i, j, err;

	for (i = 0; i < argc && strcmp(argv[i], "reason"); i += 2)
		;
	if (parse_args(i < argc ? i : argc, argv, args))
		return -1;
	if (i < argc) {
		for (j = i + 1; j < argc; j++)
			n += strlen(argv[j]) + 1;
		text = calloc(1, n + 1);
		if (!text) {
			pr_err("out of memory");
			return -1;
		}
		for (j = i + 1; j < argc; j++) {
			if (j > i + 1)
				strcat(text, " ");
			strcat(text, argv[j]);
		}
		err = set_reason(&s, text);
		free(text);
		if (err)
			return -1;
	}
	err = send_pset(&s);
	pset_free(&s);
	return err;
}

/* show */

static const struct nla_policy pset_policy[SVCGW_PSET_A_MAX + 1] = {
	[SVCGW_PSET_A_NAME]		= { .type = NLA_STRING },
	[SVCGW_PSET_A_GEN]		= { .minlen = 8 },
	[SVCGW_PSET_A_TRANSITION]	= { .minlen = 4 },
	[SVCGW_PSET_A_TRANSITION_LEFT]	= { .minlen = 4 },
	[SVCGW_PSET_A_NGROUPS]		= { .minlen = 4 },
	[SVCGW_PSET_A_NPOLICIES]	= { .minlen = 4 },
	[SVCGW_PSET_A_PREV_GEN]		= { .minlen = 8 },
	[SVCGW_PSET_A_REASON]		= { .type = NLA_STRING },
	[SVCGW_PSET_A_AGE_MS]		= { .minlen = 8 },
};

static const struct nla_policy group_policy[SVCGW_GROUP_A_MAX + 1] = {
	[SVCGW_GROUP_A_NAME]		= { .type = NLA_STRING },
	[SVCGW_GROUP_A_TABLE_SIZE]	= { .minlen = 4 },
	[SVCGW_GROUP_A_FAMILY]		= { .minlen = 2 },
};

static const struct nla_policy srv_policy[SVCGW_SRV_A_MAX + 1] = {
	[SVCGW_SRV_A_FAMILY]	= { .minlen = 2 },
	[SVCGW_SRV_A_WEIGHT]	= { .minlen = 4 },
	[SVCGW_SRV_A_METHOD]	= { .minlen = 1 },
	[SVCGW_SRV_A_GUE_PORT]	= { .minlen = 2 },
};

static const struct nla_policy policy_policy[SVCGW_POLICY_A_MAX + 1] = {
	[SVCGW_POLICY_A_FAMILY]		= { .minlen = 2 },
	[SVCGW_POLICY_A_PORT]		= { .minlen = 2 },
	[SVCGW_POLICY_A_PROTO]		= { .minlen = 1 },
	[SVCGW_POLICY_A_SRC_PLEN]	= { .minlen = 1 },
	[SVCGW_POLICY_A_GROUP]		= { .type = NLA_STRING },
};

static void copy_name(char *dst, const struct nlattr *a)
{
	snprintf(dst, SVCGW_NAME_MAX, "%s", a ? (const char *)nla_data(a) : "");
}

static int reply_set(struct pset *s, struct nlattr *nest)
{
	struct nlattr *a[SVCGW_PSET_A_MAX + 1];

	if (nla_parse_nested(a, SVCGW_PSET_A_MAX, nest, pset_policy) < 0 ||
	    !a[SVCGW_PSET_A_NAME] || !a[SVCGW_PSET_A_GEN])
		return gw_malformed("policy set");
	copy_name(s->name, a[SVCGW_PSET_A_NAME]);
	s->set_line = 1;
	s->gen = nla_get_u64(a[SVCGW_PSET_A_GEN]);
	if (a[SVCGW_PSET_A_TRANSITION])
		s->transition = nla_get_u32(a[SVCGW_PSET_A_TRANSITION]);
	s->has_left = a[SVCGW_PSET_A_TRANSITION_LEFT];
	if (s->has_left)
		s->left = nla_get_u32(a[SVCGW_PSET_A_TRANSITION_LEFT]);
	s->has_prev = a[SVCGW_PSET_A_PREV_GEN];
	if (s->has_prev)
		s->prev_gen = nla_get_u64(a[SVCGW_PSET_A_PREV_GEN]);
	if (a[SVCGW_PSET_A_REASON])
		snprintf(s->reason, sizeof(s->reason), "%.*s",
			 nla_len(a[SVCGW_PSET_A_REASON]),
			 (const char *)nla_data(a[SVCGW_PSET_A_REASON]));
	s->has_reason = s->reason[0];
	s->has_age = a[SVCGW_PSET_A_AGE_MS];
	if (s->has_age)
		s->age_ms = nla_get_u64(a[SVCGW_PSET_A_AGE_MS]);
	return 0;
}

static int reply_group(struct pset *s, struct nlattr *nest)
{
	struct nlattr *a[SVCGW_GROUP_A_MAX + 1], *d, *b[SVCGW_SRV_A_MAX + 1];
	struct pgroup *g;
	char name[SVCGW_NAME_MAX];
	int rem;
	void *p;

	if (nla_parse_nested(a, SVCGW_GROUP_A_MAX, nest, group_policy) < 0 ||
	    !a[SVCGW_GROUP_A_NAME])
		return gw_malformed("group");
	copy_name(name, a[SVCGW_GROUP_A_NAME]);
	/* A group whose destinations did not fit one message goes on. */
	g = s->ngroup ? &s->group[s->ngroup - 1] : NULL;
	if (!g || strcmp(g->name, name)) {
		p = grow(s->group, s->ngroup, sizeof(*s->group));
		if (!p)
			return -1;
		s->group = p;
		g = &s->group[s->ngroup++];
		memset(g, 0, sizeof(*g));
		strcpy(g->name, name);
		if (a[SVCGW_GROUP_A_TABLE_SIZE])
			g->table = nla_get_u32(a[SVCGW_GROUP_A_TABLE_SIZE]);
		if (a[SVCGW_GROUP_A_FAMILY])
			g->family = nla_get_u16(a[SVCGW_GROUP_A_FAMILY]);
		if (gw_get_counters(a[SVCGW_GROUP_A_STATS], &g->st))
			return -1;
	}
	if (!a[SVCGW_GROUP_A_DESTS])
		return 0;
	nla_for_each_nested(d, a[SVCGW_GROUP_A_DESTS], rem) {
		struct pdest *pd;

		if (nla_parse_nested(b, SVCGW_SRV_A_MAX, d, srv_policy) < 0 ||
		    gw_get_ep(b[SVCGW_SRV_A_FAMILY], b[SVCGW_SRV_A_ADDR], NULL,
			      &(struct endpoint){ 0 }))
			return gw_malformed("destination");
		p = grow(g->dest, g->ndest, sizeof(*g->dest));
		if (!p)
			return -1;
		g->dest = p;
		pd = &g->dest[g->ndest++];
		memset(pd, 0, sizeof(*pd));
		gw_get_ep(b[SVCGW_SRV_A_FAMILY], b[SVCGW_SRV_A_ADDR], NULL,
			  &pd->ep);
		if (b[SVCGW_SRV_A_WEIGHT])
			pd->weight = nla_get_u32(b[SVCGW_SRV_A_WEIGHT]);
		if (b[SVCGW_SRV_A_METHOD])
			pd->method = nla_get_u8(b[SVCGW_SRV_A_METHOD]);
		pd->has_gue_port = b[SVCGW_SRV_A_GUE_PORT];
		if (pd->has_gue_port)
			pd->gue_port = nla_get_u16(b[SVCGW_SRV_A_GUE_PORT]);
		if (gw_get_counters(b[SVCGW_SRV_A_STATS], &pd->st))
			return -1;
	}
	return 0;
}

static int reply_policy(struct pset *s, struct nlattr *nest)
{
	struct nlattr *a[SVCGW_POLICY_A_MAX + 1];
	struct ppolicy *pol;
	void *p;

	if (nla_parse_nested(a, SVCGW_POLICY_A_MAX, nest, policy_policy) < 0)
		return gw_malformed("policy");
	p = grow(s->policy, s->npolicy, sizeof(*s->policy));
	if (!p)
		return -1;
	s->policy = p;
	pol = &s->policy[s->npolicy++];
	memset(pol, 0, sizeof(*pol));
	if (gw_get_ep(a[SVCGW_POLICY_A_FAMILY], a[SVCGW_POLICY_A_ADDR],
		      a[SVCGW_POLICY_A_PORT], &pol->ep))
		return gw_malformed("policy");
	pol->has_proto = a[SVCGW_POLICY_A_PROTO];
	if (pol->has_proto)
		pol->proto = nla_get_u8(a[SVCGW_POLICY_A_PROTO]);
	pol->has_src = a[SVCGW_POLICY_A_SRC] && a[SVCGW_POLICY_A_SRC_PLEN];
	if (pol->has_src) {
		if (gw_get_ep(a[SVCGW_POLICY_A_FAMILY], a[SVCGW_POLICY_A_SRC],
			      NULL, &pol->src))
			return gw_malformed("policy");
		pol->plen = nla_get_u8(a[SVCGW_POLICY_A_SRC_PLEN]);
	}
	copy_name(pol->group, a[SVCGW_POLICY_A_GROUP]);
	return gw_get_counters(a[SVCGW_POLICY_A_STATS], &pol->st);
}

static int pset_reply(struct nlattr **tb, void *arg)
{
	struct pset *s = arg;

	if (tb[SVCGW_A_POLICY_SET])
		return reply_set(s, tb[SVCGW_A_POLICY_SET]);
	if (tb[SVCGW_A_GROUP])
		return reply_group(s, tb[SVCGW_A_GROUP]);
	if (tb[SVCGW_A_POLICY])
		return reply_policy(s, tb[SVCGW_A_POLICY]);
	return 0;
}

static int put_nothing(struct nl_msg *msg, const void *req)
{
	(void)msg;
	(void)req;
	return 0;
}

static const char *family_str(unsigned int family)
{
	return family == AF_INET6 ? "ipv6" : "ipv4";
}

static const char *policy_addr(const struct ppolicy *p, char *buf,
			       size_t size)
{
	return p->ep.port ? format_ep(&p->ep, buf, size) :
			    format_addr(&p->ep, buf, size);
}

/* Milliseconds as seconds, rounded up: a running timer never shows 0s. */
static uint32_t ms_to_s(uint32_t ms)
{
	return ms / 1000 + !!(ms % 1000);
}

static void print_text(const struct pset *s)
{
	char buf[EP_STRLEN], m[NUM_STRLEN];
	const char *r;
	size_t i, j;

	printf("policy-set %s generation %" PRIu64 " transition %us groups %zu policies %zu",
	       s->name, s->gen, s->transition, s->ngroup, s->npolicy);
	if (s->has_prev)
		printf(" previous %" PRIu64 " (%us left)", s->prev_gen,
		       ms_to_s(s->left));
	/* Last: the reason is free text, blanks and all. */
	if (s->has_age || s->has_reason) {
		fputs(" (", stdout);
		if (s->has_age)
			printf("since %" PRIu64 ".%" PRIu64 " s%s",
			       s->age_ms / 1000, s->age_ms % 1000 / 100,
			       s->has_reason ? "; " : "");
		if (s->has_reason) {
			fputs("reason: ", stdout);
			/* Any client may set it: one line, no escapes. */
			for (r = s->reason; *r; r++)
				putchar((unsigned char)*r < ' ' || *r == 0x7f ?
					'?' : *r);
		}
		putchar(')');
	}
	putchar('\n');
	for (i = 0; i < s->ngroup; i++) {
		const struct pgroup *g = &s->group[i];

		printf("group %s %s table %u packets %" PRIu64 " bytes %" PRIu64 "\n",
		       g->name, family_str(g->family), g->table,
		       g->st.packets, g->st.bytes);
		for (j = 0; j < g->ndest; j++) {
			const struct pdest *d = &g->dest[j];

			printf("\tdest %s method %s",
			       format_addr(&d->ep, buf, sizeof(buf)),
			       method_str(d->method, m, sizeof(m)));
			if (d->has_gue_port)
				printf(" gue-port %u", d->gue_port);
			printf(" weight %u packets %" PRIu64 " bytes %" PRIu64 " sessions %" PRIu64 "\n",
			       d->weight, d->st.packets, d->st.bytes,
			       d->st.sessions);
		}
	}
	for (i = 0; i < s->npolicy; i++) {
		const struct ppolicy *p = &s->policy[i];

		printf("policy %s", policy_addr(p, buf, sizeof(buf)));
		if (p->has_proto)
			printf(" proto %s", proto_str(p->proto, m, sizeof(m)));
		if (p->has_src)
			printf(" from %s/%u", format_addr(&p->src, buf,
							  sizeof(buf)),
			       p->plen);
		printf(" group %s packets %" PRIu64 " bytes %" PRIu64 " sessions %" PRIu64 "\n",
		       p->group, p->st.packets, p->st.bytes, p->st.sessions);
	}
}

static void print_json(const struct pset *s)
{
	char buf[EP_STRLEN], m[NUM_STRLEN];
	struct json j;
	size_t i, k;

	json_init(&j, stdout, opts.pretty);
	json_open_object(&j, NULL);
	json_str(&j, "name", s->name);
	json_uint(&j, "generation", s->gen);
	json_uint(&j, "transition", s->transition);
	if (s->has_prev) {
		json_uint(&j, "previous_generation", s->prev_gen);
		json_uint(&j, "transition_left_ms", s->left);
	}
	json_str(&j, "reason", s->reason);
	if (s->has_age)
		json_uint(&j, "age_ms", s->age_ms);
	json_open_array(&j, "groups");
	for (i = 0; i < s->ngroup; i++) {
		const struct pgroup *g = &s->group[i];

		json_open_object(&j, NULL);
		json_str(&j, "name", g->name);
		json_str(&j, "family", family_str(g->family));
		json_uint(&j, "table", g->table);
		gw_json_counters(&j, &g->st);
		json_open_array(&j, "dests");
		for (k = 0; k < g->ndest; k++) {
			const struct pdest *d = &g->dest[k];

			json_open_object(&j, NULL);
			json_str(&j, "address",
				    format_addr(&d->ep, buf, sizeof(buf)));
			json_str(&j, "method",
				    method_str(d->method, m, sizeof(m)));
			if (d->has_gue_port)
				json_uint(&j, "gue_port", d->gue_port);
			json_uint(&j, "weight", d->weight);
			gw_json_counters(&j, &d->st);
			json_close_object(&j);
		}
		json_close_array(&j);
		json_close_object(&j);
	}
	json_close_array(&j);
	json_open_array(&j, "policies");
	for (i = 0; i < s->npolicy; i++) {
		const struct ppolicy *p = &s->policy[i];

		json_open_object(&j, NULL);
		json_str(&j, "address",
			    format_addr(&p->ep, buf, sizeof(buf)));
		if (p->ep.port)
			json_uint(&j, "port", p->ep.port);
		if (p->has_proto)
			json_str(&j, "proto",
				    proto_str(p->proto, m, sizeof(m)));
		if (p->has_src) {
			char pre[EP_STRLEN + 8];

			snprintf(pre, sizeof(pre), "%s/%u",
				 format_addr(&p->src, buf, sizeof(buf)),
				 p->plen);
			json_str(&j, "from", pre);
		}
		json_str(&j, "group", p->group);
		gw_json_counters(&j, &p->st);
		json_close_object(&j);
	}
	json_close_array(&j);
	json_close_object(&j);
	json_end(&j);
}

int cmd_policy_show(int argc, char **argv)
{
	struct pset s;
	int err, tries = 0;

	if (no_args(argc, argv))
		return -1;
	memset(&s, 0, sizeof(s));
	do {
		pset_free(&s);
		memset(&s, 0, sizeof(s));
		err = gw_run(SVCGW_CMD_POLICY_GET, true, put_nothing, NULL,
			     pset_reply, &s);
	} while (err == GW_DUMP_INTR && ++tries < DUMP_TRIES);
	if (err == GW_DUMP_INTR)
		pr_warn("the policy set kept changing during the dump, what follows may be inconsistent");
	if (err >= 0) {
		if (!s.set_line) {
			if (opts.json)
				puts("null");
			else
				puts("no policy set");
		} else if (opts.json) {
			print_json(&s);
		} else {
			print_text(&s);
		}
	}
	pset_free(&s);
	return err < 0 ? -1 : 0;
}
