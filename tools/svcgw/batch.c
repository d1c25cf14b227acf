// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: batch files (svcgw -b FILE [--replace]).
 *
 * Every line is a command as it would follow "svcgw".  The service add and
 * server add lines are collected and go to the kernel in one
 * SVCGW_CMD_BATCH request, every service with its servers, which the
 * kernel applies all or nothing.  Any other line (or a server add naming a
 * service that is not in the file) sends what was collected so far and
 * then runs alone, as on the command line.  With --replace the file is the
 * whole configuration: only service and server adds, sent as one request
 * with SVCGW_BATCH_F_REPLACE, even when there is none (which deletes every
 * service).  A batched service carries no fullnat nor encap-src (the
 * kernel refuses them there): such a service add line is an error.
 *
 * The request can be megabytes: gw_run_big() raises the socket's send
 * buffer for it.  When the kernel refuses it, the offset of the attribute
 * at fault that comes with its extended ack is mapped back to the line
 * of the service or server that holds it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/svcgw.h>

#include "nl.h"
#include "svcgw.h"

#define BATCH_ARGS	64	/* words in a line, at most */

struct bsvc {
	struct svc_req req;
	unsigned long line;
	size_t nsrv;
};

struct bsrv {
	struct svc_req req;
	unsigned long line;
	size_t svc;		/* index in batch.svc */
};

struct batch {
	const char *file;
	bool replace;
	struct bsvc *svc;
	size_t nsvc, svc_cap;
	struct bsrv *srv;
	size_t nsrv, srv_cap;
	size_t *slot;		/* hash of service keys: index + 1, 0 free */
	size_t nslots;		/* a power of 2, at least twice nsvc */
	/* The objects of the request in message order, while it is sent. */
	struct file_objects objs;
};

static uint64_t key_hash(const struct svc_req *r)
{
	const uint8_t *p = r->ep.addr;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < sizeof(r->ep.addr); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	h = (h ^ r->ep.family) * 0x100000001b3ULL;
	h = (h ^ r->ep.port) * 0x100000001b3ULL;
	h = (h ^ r->proto) * 0x100000001b3ULL;
	/* MurmurHash3's fmix64: FNV leaves the low bits (the slot) poorly
	 * mixed for keys that differ in the port alone.
	 */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

static bool same_key(const struct svc_req *a, const struct svc_req *b)
{
	return a->ep.family == b->ep.family && a->ep.port == b->ep.port &&
	       a->proto == b->proto &&
	       !memcmp(a->ep.addr, b->ep.addr, sizeof(a->ep.addr));
}

/* The slot of @r's service: holding it, or free where it would go. */
static size_t *find_slot(struct batch *b, const struct svc_req *r)
{
	size_t mask = b->nslots - 1, i = key_hash(r) & mask;

	while (b->slot[i] && !same_key(&b->svc[b->slot[i] - 1].req, r))
		i = (i + 1) & mask;
	return &b->slot[i];
}

static int grow_slots(struct batch *b)
{
	size_t *old = b->slot, n = b->nslots, i;

	b->nslots = n ? n * 2 : 1024;
	b->slot = calloc(b->nslots, sizeof(*b->slot));
	if (!b->slot) {
		b->slot = old;
		b->nslots = n;
		return -1;
	}
	for (i = 0; i < b->nsvc; i++)
		*find_slot(b, &b->svc[i].req) = i + 1;
	free(old);
	return 0;
}

static void *grow(void *p, size_t *cap, size_t size)
{
	size_t n = *cap ? *cap * 2 : 256;

	p = realloc(p, n * size);
	if (p)
		*cap = n;
	return p;
}

static int add_service(struct batch *b, const struct svc_req *req,
		       unsigned long line)
{
	size_t *slot;
	void *p;

	if (2 * (b->nsvc + 1) > b->nslots && grow_slots(b))
		goto nomem;
	slot = find_slot(b, req);
	if (*slot) {
		pr_err("service added twice (first at line %lu)",
		       b->svc[*slot - 1].line);
		return -1;
	}
	if (b->nsvc == b->svc_cap) {
		p = grow(b->svc, &b->svc_cap, sizeof(*b->svc));
		if (!p)
			goto nomem;
		b->svc = p;
	}
	b->svc[b->nsvc] = (struct bsvc){ .req = *req, .line = line };
	*slot = ++b->nsvc;
	return 0;
nomem:
	pr_err("out of memory");
	return -1;
}

/* 1 if @req's service is not in the batch, else 0 or -1. */
static int add_server(struct batch *b, const struct svc_req *req,
		      unsigned long line)
{
	size_t *slot;
	void *p;

	if (!b->nsvc)
		return 1;
	slot = find_slot(b, req);
	if (!*slot)
		return 1;
	/* Else one nest could outgrow the 64 KiB an attribute length says. */
	if (b->svc[*slot - 1].nsrv == SVCGW_SERVERS_MAX) {
		pr_err("more than %d servers in one service", SVCGW_SERVERS_MAX);
		return -1;
	}
	if (b->nsrv == b->srv_cap) {
		p = grow(b->srv, &b->srv_cap, sizeof(*b->srv));
		if (!p) {
			pr_err("out of memory");
			return -1;
		}
		b->srv = p;
	}
	b->srv[b->nsrv++] = (struct bsrv){ .req = *req, .line = line,
					   .svc = *slot - 1 };
	b->svc[*slot - 1].nsrv++;
	return 0;
}

/* gw_build_fn: every service, with its servers in file order. */
static int put_batch(struct nl_msg *msg, const void *data)
{
	struct batch *b = (struct batch *)data;
	const struct svc_req **order;
	size_t *next, i, k = 0;
	int err = -1;

	if (b->replace &&
	    nla_put_u32(msg, SVCGW_A_BATCH_FLAGS, SVCGW_BATCH_F_REPLACE) < 0)
		return -1;
	order = malloc((b->nsrv + 1) * sizeof(*order));
	next = malloc((b->nsvc + 1) * sizeof(*next));
	if (!order || !next)
		goto out;
	for (i = 0; i < b->nsvc; i++) {
		next[i] = k;
		k += b->svc[i].nsrv;
	}
	for (i = 0; i < b->nsrv; i++)
		order[next[b->srv[i].svc]++] = &b->srv[i].req;
	k = 0;
	b->objs.n = 0;
	for (i = 0; i < b->nsvc; i++) {
		const struct bsvc *s = &b->svc[i];
		size_t j, first = next[i] - s->nsrv, obj = b->objs.n;

		if (put_batch_service(msg, &s->req, order + first, s->nsrv,
				      &b->objs.off[obj], &b->objs.off[obj + 1]) < 0)
			goto out;
		b->objs.lines[obj] = s->line;
		for (j = 0; j < s->nsrv; j++)
			b->objs.lines[obj + 1 + j] =
				((const struct bsrv *)order[first + j])->line;
		b->objs.n += 1 + s->nsrv;
	}
	err = 0;
out:
	free(order);
	free(next);
	return err;
}

/* Send what was collected, if anything (always when replacing). */
static int send_batch(struct batch *b)
{
	size_t size;
	int err;

	if (!b->nsvc && !b->replace)
		return 0;
	/* Upper bounds: a service nest with every setting and an IPv6
	 * address and its server list header, a server nest likewise
	 * (with a method and a GUE port).
	 */
	size = 64 + 8 + b->nsvc * 112 + b->nsrv * 68;
	err = run_file_request(SVCGW_CMD_BATCH, put_batch, b, size, &b->objs,
			       b->nsvc + b->nsrv + 1);
	b->nsvc = 0;
	b->nsrv = 0;
	if (b->slot)
		memset(b->slot, 0, b->nslots * sizeof(*b->slot));
	return err;
}

/*
 * The keyword of a setting a batch's service nest cannot carry (set by
 * SERVICE_NEW or SERVICE_SET only), if @req has one; else NULL.
 */
static const char *not_batched(const struct svc_req *req)
{
	if (req->has_fullnat)
		return "fullnat";
	if (req->has_encap_src)
		return "encap-src";
	return NULL;
}

static int batch_line(struct batch *b, char *line, unsigned long lineno)
{
	char *words[BATCH_ARGS], **argv = words;
	const char *kw;
	struct svc_req req;
	int argc, err;
	cmd_fn fn;

	set_where(b->file, lineno);
	argc = split_line(line, words, BATCH_ARGS);
	if (argc < 0) {
		pr_err("more than %d words", BATCH_ARGS);
		return -1;
	}
	if (!argc)
		return 0;
	fn = find_cmd(&argc, &argv);
	if (!fn)
		return -1;
	if (fn == cmd_service_add) {
		if (parse_service_add(argc, argv, &req))
			return -1;
		kw = not_batched(&req);
		if (kw) {
			pr_err("\"%s\" is not for a batch: set it with \"svcgw service set\"",
			       kw);
			return -1;
		}
		return add_service(b, &req, lineno);
	}
	if (fn == cmd_server_add) {
		if (parse_server_add(argc, argv, &req))
			return -1;
		err = add_server(b, &req, lineno);
		if (err <= 0)
			return err;
		if (b->replace) {
			pr_err("server add names a service not added earlier in this file");
			return -1;
		}
	} else if (b->replace) {
		pr_err("a replacing batch holds service add and server add lines only");
		return -1;
	}
	/* Not batched: what came before goes first, then this, alone. */
	if (send_batch(b))
		return -1;
	set_where(b->file, lineno);
	return fn(argc, argv);
}

int run_batch(const char *file, bool replace)
{
	struct batch b = { .file = file, .replace = replace,
			   .objs.file = file };
	unsigned long lineno = 0;
	size_t cap = 0;
	char *line = NULL;
	FILE *f = stdin;
	int err = 0;

	if (strcmp(file, "-")) {
		f = fopen(file, "r");
		if (!f) {
			pr_err("cannot open %s: %s", file, strerror(errno));
			return -1;
		}
	}
	while (!err && getline(&line, &cap, f) >= 0)
		err = batch_line(&b, line, ++lineno);
	if (!err && ferror(f)) {
		set_where(file, 0);
		pr_err("cannot read: %s", strerror(errno));
		err = -1;
	}
	if (!err) {
		set_where(file, 0);
		err = send_batch(&b);
	}
	pr_where_file = NULL;
	if (f != stdin)
		fclose(f);
	free(line);
	free(b.svc);
	free(b.srv);
	free(b.slot);
	return err;
}
