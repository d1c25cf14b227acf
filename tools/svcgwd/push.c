// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: policy sets as set files (push.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <openssl/evp.h>

#include <linux/svcgw.h>

#include "push.h"

struct buf {
	char *p;
	size_t len, cap;
	bool fail;
};

__attribute__((format(printf, 2, 3)))
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		if (b->fail)
			return;
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL,
			      b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->fail = true;
			return;
		}
		if (b->p && b->len + n < b->cap) {
			b->len += n;
			return;
		}
		{
			size_t cap = (b->cap + n + 1) * 2;
			char *p = realloc(b->p, cap);

			if (!p) {
				b->fail = true;
				return;
			}
			b->p = p;
			b->cap = cap;
		}
	}
}

static const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : "udp";
}

char *push_text(const struct conf *c, const struct conf_pset *ps,
		uint64_t gen, const char *why)
{
	struct buf b = { 0 };
	char a[EP_STRLEN], m[16];
	size_t i, j, n;

	(void)c;
	put(&b, "set %s", ps->name);
	if (gen)
		put(&b, " generation %" PRIu64, gen);
	if (ps->has_transition)
		put(&b, " transition %u", ps->transition);
	if (why && *why) {
		/* One line, printable; the kernel keeps 127 bytes. */
		put(&b, " reason ");
		for (n = 0; why[n] && n < 120; n++)
			put(&b, "%c", (unsigned char)why[n] < ' ' ? ' ' : why[n]);
	}
	put(&b, "\n");
	for (i = 0; i < ps->ngroup; i++) {
		const struct conf_pgroup *g = &ps->group[i];

		put(&b, "group %s", g->name);
		if (g->table)
			put(&b, " table %u", g->table);
		put(&b, "\n");
		for (j = 0; j < g->ndest; j++) {
			const struct conf_pdest *d = &g->dest[j];

			put(&b, "dest %s %s method %s", g->name,
			    format_addr(&d->ep, a, sizeof(a)),
			    method_str(d->method, m, sizeof(m)));
			if (d->method == SVCGW_METHOD_GUE)
				put(&b, " gue-port %u", d->gue_port);
			if (d->weight != 1)
				put(&b, " weight %u", d->weight);
			put(&b, "\n");
		}
	}
	for (i = 0; i < ps->npol; i++) {
		const struct conf_policy *p = &ps->pol[i];

		put(&b, "policy %s", p->ep.port ? format_ep(&p->ep, a, sizeof(a)) :
		    format_addr(&p->ep, a, sizeof(a)));
		if (p->proto)
			put(&b, " proto %s", proto_name(p->proto));
		if (p->has_src)
			put(&b, " from %s/%u", format_addr(&p->src, a, sizeof(a)),
			    p->plen);
		put(&b, " group %s\n", p->group);
	}
	if (b.fail) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

int push_digest(const struct conf *c, const struct conf_pset *ps,
		char digest[PUSH_DIGEST_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	char *text = push_text(c, ps, 0, NULL);
	int ret = -1;

	if (text && EVP_Digest(text, strlen(text), md, &len, EVP_sha256(),
			       NULL) == 1 && len == 32) {
		for (i = 0; i < len; i++)
			snprintf(digest + 2 * i, 3, "%02x", md[i]);
		ret = 0;
	}
	free(text);
	return ret;
}
