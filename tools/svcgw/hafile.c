// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: the HA policy file ("svcgw ha set FILE") and the words of "svcgw
 * ha node", read into a model; ha.c sends it.  No netlink here.
 *
 *   ha generation N [local ID] [port P] key ID HEX64 [prev-key ID HEX64]
 *   node NAME id ID sync ADDR [dest ADDR] [fnat ADDR] backups ID[,ID...]
 *
 * Everything the kernel would refuse that the file shows is refused here,
 * at its line: the kernel is left with what only it knows (the generation
 * in force).  Keys are secrets: no message quotes them, and every copy of
 * a line is wiped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hafile.h"

#define HA_WORDS	32	/* words in a line, at most */

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* A reading: where errors go and what they are prefixed with. */
struct rd {
	const char *file;	/* NULL: no prefix (command line) */
	unsigned long line;	/* 0: "FILE: " alone */
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!r->errlen)
		return -1;
	if (r->file && r->line)
		n = snprintf(r->err, r->errlen, "%s:%lu: ", r->file, r->line);
	else if (r->file)
		n = snprintf(r->err, r->errlen, "%s: ", r->file);
	if (n < 0 || (size_t)n >= r->errlen)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * "KEYWORD VALUE..." of a line: @nval values each, any order, each once.
 * parse() gets the values and the keyword's own struct; it returns 0, or
 * -1 once it has said why.
 */
struct kw {
	const char *name;
	int nval;
	bool required;
	int (*parse)(struct rd *r, const struct kw *k, char **val);
	void *dst;
	bool *present;
	bool seen;
};

static int parse_kws(struct rd *r, int argc, char **argv, struct kw *kws)
{
	struct kw *k;

	while (argc > 0) {
		for (k = kws; k->name && strcmp(k->name, argv[0]); k++)
			;
		if (!k->name)
			return fail(r, "unknown keyword \"%s\"", argv[0]);
		if (k->seen)
			return fail(r, "\"%s\" given twice", argv[0]);
		if (argc <= k->nval) {
			if (k->nval == 2)
				return fail(r, "\"%s\" needs an id and %d hex digits",
					    argv[0], 2 * SVCGW_HA_KEY_LEN);
			return fail(r, "missing value after \"%s\"", argv[0]);
		}
		if (k->parse(r, k, argv + 1))
			return -1;
		k->seen = true;
		if (k->present)
			*k->present = true;
		argc -= 1 + k->nval;
		argv += 1 + k->nval;
	}
	for (k = kws; k->name; k++)
		if (k->required && !k->seen)
			return fail(r, "missing \"%s\"", k->name);
	return 0;
}

static int kw_gen(struct rd *r, const struct kw *k, char **val)
{
	uint64_t *gen = k->dst;

	if (parse_u64(val[0], gen) || !*gen)
		return fail(r, "invalid %s \"%s\": 1 to %llu", k->name, val[0],
			    (unsigned long long)UINT64_MAX);
	return 0;
}

static int kw_u32(struct rd *r, const struct kw *k, char **val)
{
	if (parse_u32(val[0], k->dst))
		return fail(r, "invalid %s \"%s\": 0 to %lu", k->name, val[0],
			    (unsigned long)UINT32_MAX);
	return 0;
}

static int kw_id(struct rd *r, const struct kw *k, char **val)
{
	uint32_t *id = k->dst;

	if (parse_u32(val[0], id) || !*id)
		return fail(r, "invalid %s \"%s\": 1 to %lu", k->name, val[0],
			    (unsigned long)UINT32_MAX);
	return 0;
}

static int kw_port(struct rd *r, const struct kw *k, char **val)
{
	uint32_t v;

	if (parse_u32(val[0], &v) || !v || v > 65535)
		return fail(r, "invalid port \"%s\": 1 to 65535", val[0]);
	*(uint16_t *)k->dst = v;
	return 0;
}

/* KEYWORD ID HEX64 into a key's id (@id) and bytes (@key). */
static int read_key(struct rd *r, const char *name, char **val, uint32_t *id,
		    uint8_t *key)
{
	size_t len = strlen(val[1]), bad;

	if (parse_u32(val[0], id))
		return fail(r, "invalid %s id \"%s\": 0 to %lu", name, val[0],
			    (unsigned long)UINT32_MAX);
	/* Neither the key nor a part of it goes in a message. */
	if (len != 2 * SVCGW_HA_KEY_LEN)
		return fail(r, "%s: %zu characters, %d hex digits (%d bytes) wanted",
			    name, len, 2 * SVCGW_HA_KEY_LEN, SVCGW_HA_KEY_LEN);
	bad = parse_hex(val[1], key, SVCGW_HA_KEY_LEN);
	if (bad)
		return fail(r, "%s: character %zu is not a hex digit", name,
			    bad);
	return 0;
}

static int kw_key(struct rd *r, const struct kw *k, char **val)
{
	struct ha_policy *p = k->dst;

	return read_key(r, k->name, val, &p->key_id, p->key);
}

static int kw_prev_key(struct rd *r, const struct kw *k, char **val)
{
	struct ha_policy *p = k->dst;

	return read_key(r, k->name, val, &p->prev_key_id, p->prev_key);
}

static int kw_addr(struct rd *r, const struct kw *k, char **val)
{
	if (parse_host_addr(val[0], 0, k->dst))
		return fail(r, "invalid %s address \"%s\"", k->name, val[0]);
	if (!ep_unicast(k->dst))
		return fail(r, "invalid %s address \"%s\": unicast only, not 0.0.0.0/8, multicast, broadcast, :: nor IPv4-mapped",
			    k->name, val[0]);
	return 0;
}

/* ID[,ID...] into a struct ha_node's backups. */
static int kw_backups(struct rd *r, const struct kw *k, char **val)
{
	struct ha_node *n = k->dst;
	char id[NUM_STRLEN];
	const char *s = val[0], *comma;
	size_t len, i;
	uint32_t v;

	n->nbackup = 0;
	for (;;) {
		comma = strchr(s, ',');
		len = comma ? (size_t)(comma - s) : strlen(s);
		if (len >= sizeof(id))
			len = sizeof(id) - 1;	/* too long for a u32 anyway */
		memcpy(id, s, len);
		id[len] = '\0';
		if (parse_u32(id, &v) || !v)
			return fail(r, "invalid backups \"%s\": node ids 1 to %lu, separated by commas",
				    val[0], (unsigned long)UINT32_MAX);
		for (i = 0; i < n->nbackup; i++)
			if (n->backup[i] == v)
				return fail(r, "backup %lu given twice",
					    (unsigned long)v);
		if (n->nbackup == SVCGW_HA_BACKUPS_MAX)
			return fail(r, "more than %d backups",
				    SVCGW_HA_BACKUPS_MAX);
		n->backup[n->nbackup++] = v;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static int line_ha(struct rd *r, struct ha_policy *p, int argc, char **argv)
{
	struct kw kws[] = {
		{ .name = "generation", .nval = 1, .required = true,
		  .parse = kw_gen, .dst = &p->gen },
		{ .name = "local", .nval = 1, .parse = kw_u32,
		  .dst = &p->local, .present = &p->has_local },
		{ .name = "port", .nval = 1, .parse = kw_port,
		  .dst = &p->port, .present = &p->has_port },
		{ .name = "key", .nval = 2, .required = true,
		  .parse = kw_key, .dst = p },
		{ .name = "prev-key", .nval = 2, .parse = kw_prev_key,
		  .dst = p, .present = &p->has_prev },
		{ .name = NULL },
	};

	if (p->line)
		return fail(r, "a second ha line (the first at line %lu)",
			    p->line);
	if (parse_kws(r, argc, argv, kws))
		return -1;
	if (p->has_prev && p->prev_key_id == p->key_id)
		return fail(r, "prev-key has the id of key (%lu): two keys, two ids",
			    (unsigned long)p->key_id);
	p->line = r->line;
	return 0;
}

static int line_node(struct rd *r, struct ha_policy *p, int argc,
		     char **argv)
{
	struct ha_node n = { .line = r->line }, *q;
	struct kw kws[] = {
		{ .name = "id", .nval = 1, .required = true, .parse = kw_id,
		  .dst = &n.id },
		{ .name = "sync", .nval = 1, .required = true,
		  .parse = kw_addr, .dst = &n.sync },
		{ .name = "dest", .nval = 1, .parse = kw_addr, .dst = &n.dest,
		  .present = &n.has_dest },
		{ .name = "fnat", .nval = 1, .parse = kw_addr, .dst = &n.fnat,
		  .present = &n.has_fnat },
		{ .name = "backups", .nval = 1, .required = true,
		  .parse = kw_backups, .dst = &n },
		{ .name = NULL },
	};
	size_t i;

	if (!p->line)
		return fail(r, "a node line before the ha line: the ha line comes first");
	if (argc < 1 || !*argv[0] || strlen(argv[0]) >= SVCGW_NAME_MAX)
		return fail(r, "node needs a name of 1 to %d characters",
			    SVCGW_NAME_MAX - 1);
	strcpy(n.name, argv[0]);
	if (parse_kws(r, argc - 1, argv + 1, kws))
		return -1;
	for (i = 0; i < n.nbackup; i++)
		if (n.backup[i] == n.id)
			return fail(r, "backup %lu is the node itself",
				    (unsigned long)n.id);
	for (i = 0; i < p->nnode; i++) {
		if (p->node[i].id == n.id)
			return fail(r, "id %lu given twice (the first at line %lu)",
				    (unsigned long)n.id, p->node[i].line);
		if (!strcmp(p->node[i].name, n.name))
			return fail(r, "name \"%s\" given twice (the first at line %lu)",
				    n.name, p->node[i].line);
	}
	if (p->nnode && n.sync.family != p->node[0].sync.family)
		return fail(r, "sync address of another family than the first node's (line %lu): one family for all nodes",
			    p->node[0].line);
	if (p->nnode == SVCGW_HA_NODES_MAX)
		return fail(r, "more than %d nodes", SVCGW_HA_NODES_MAX);
	/* Powers of two: amortised. */
	if (!(p->nnode & (p->nnode - 1))) {
		q = realloc(p->node, (p->nnode ? 2 * p->nnode : 1) *
				     sizeof(*p->node));
		if (!q)
			return fail(r, "out of memory");
		p->node = q;
	}
	p->node[p->nnode++] = n;
	return 0;
}

static int ha_line(struct rd *r, struct ha_policy *p, char *line)
{
	char *words[HA_WORDS];
	int argc;

	argc = split_line(line, words, HA_WORDS);
	if (argc < 0)
		return fail(r, "more than %d words", HA_WORDS);
	if (!argc)
		return 0;
	if (!strcmp(words[0], "ha"))
		return line_ha(r, p, argc - 1, words + 1);
	if (!strcmp(words[0], "node"))
		return line_node(r, p, argc - 1, words + 1);
	return fail(r, "unknown line \"%s\": ha or node", words[0]);
}

const struct ha_node *ha_find_node(const struct ha_policy *p, uint32_t id)
{
	size_t i;

	for (i = 0; i < p->nnode; i++)
		if (p->node[i].id == id)
			return &p->node[i];
	return NULL;
}

/* What only the whole file shows: names given after their use. */
static int ha_check(struct rd *r, struct ha_policy *p)
{
	size_t i, j;

	r->line = 0;
	if (!p->line)
		return fail(r, "no ha line: the policy needs one, first");
	r->line = p->line;
	if (!p->nnode)
		return fail(r, "no node line: a policy has 1 to %d nodes",
			    SVCGW_HA_NODES_MAX);
	if (p->has_local && p->local && !ha_find_node(p, p->local))
		return fail(r, "local %lu is no node of the file",
			    (unsigned long)p->local);
	for (i = 0; i < p->nnode; i++) {
		for (j = 0; j < p->node[i].nbackup; j++) {
			if (ha_find_node(p, p->node[i].backup[j]))
				continue;
			r->line = p->node[i].line;
			return fail(r, "backup %lu is no node of the file",
				    (unsigned long)p->node[i].backup[j]);
		}
	}
	return 0;
}

int ha_file_parse(const char *file, const char *text, size_t len,
		  struct ha_policy *p, char *err, size_t errlen)
{
	struct rd r = { .file = file, .err = err, .errlen = errlen };
	const char *s = text, *end = text + len, *nl;
	char *buf = NULL;
	size_t n, cap = 0;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	if (errlen)
		err[0] = '\0';
	while (!ret && s < end) {
		nl = memchr(s, '\n', end - s);
		n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		r.line++;
		if (memchr(s, '\0', n)) {
			ret = fail(&r, "a NUL byte in the line");
			break;
		}
		if (n + 1 > cap) {
			if (buf)
				explicit_bzero(buf, cap);
			free(buf);
			cap = n + 1;
			buf = malloc(cap);
			if (!buf) {
				cap = 0;
				ret = fail(&r, "out of memory");
				break;
			}
		}
		memcpy(buf, s, n);
		buf[n] = '\0';
		ret = ha_line(&r, p, buf);
		s += n + (nl != NULL);
	}
	if (buf)
		explicit_bzero(buf, cap);
	free(buf);
	if (!ret)
		ret = ha_check(&r, p);
	if (ret)
		ha_policy_free(p);
	return ret;
}

void ha_policy_free(struct ha_policy *p)
{
	free(p->node);
	explicit_bzero(p, sizeof(*p));
}

int ha_notice_parse(int argc, char **argv, struct ha_notice *n, char *err,
		    size_t errlen)
{
	struct rd r = { .err = err, .errlen = errlen };
	struct kw kws[] = {
		{ .name = "generation", .nval = 1, .required = true,
		  .parse = kw_gen, .dst = &n->gen },
		{ .name = NULL },
	};

	memset(n, 0, sizeof(*n));
	if (errlen)
		err[0] = '\0';
	if (argc < 2)
		return fail(&r, "ha node takes ID up|down generation N");
	if (parse_u32(argv[0], &n->id) || !n->id)
		return fail(&r, "invalid id \"%s\": 1 to %lu", argv[0],
			    (unsigned long)UINT32_MAX);
	if (!strcmp(argv[1], "up"))
		n->state = SVCGW_HA_STATE_UP;
	else if (!strcmp(argv[1], "down"))
		n->state = SVCGW_HA_STATE_DOWN;
	else
		return fail(&r, "invalid state \"%s\": up or down", argv[1]);
	return parse_kws(&r, argc - 2, argv + 2, kws);
}

int ha_del_parse(int argc, char **argv, uint64_t *gen, char *err,
		 size_t errlen)
{
	struct rd r = { .err = err, .errlen = errlen };
	struct kw kws[] = {
		{ .name = "generation", .nval = 1, .required = true,
		  .parse = kw_gen, .dst = gen },
		{ .name = NULL },
	};

	*gen = 0;
	if (errlen)
		err[0] = '\0';
	if (!argc)
		return fail(&r, "ha del takes generation N");
	return parse_kws(&r, argc, argv, kws);
}

static const char *const ha_states[] = {
	[SVCGW_HA_STATE_UNKNOWN]	= "unknown",
	[SVCGW_HA_STATE_UP]		= "up",
	[SVCGW_HA_STATE_DOWN]		= "down",
};

const char *ha_state_str(unsigned int state, char *buf, size_t size)
{
	if (state < ARRAY_SIZE(ha_states))
		return ha_states[state];
	snprintf(buf, size, "%u", state);
	return buf;
}
