/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: for test_hapush.c and fuzz_hamsg.c only.  A decoded policy
 * written as the file of "svcgw ha set" (keys included), so that
 * ha_file_parse(), which refuses what the kernel would, can say whether
 * the kernel would take what hamsg_decode() took.
 */
#ifndef SVCGWD_HAMSG_TEST_H
#define SVCGWD_HAMSG_TEST_H

#include <stdio.h>
#include <stdlib.h>

#include "hamsg.h"

static void hamsg_test_hex(FILE *f, const uint8_t *key)
{
	size_t i;

	for (i = 0; i < SVCGW_HA_KEY_LEN; i++)
		fprintf(f, "%02x", key[i]);
}

/* @p as a file of "svcgw ha set", in a new buffer (free() it); NULL: no memory. */
static char *hamsg_test_file(const struct ha_policy *p, size_t *len)
{
	char a[EP_STRLEN], *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	size_t i, j;

	if (!f)
		return NULL;
	fprintf(f, "ha generation %llu local %lu port %u key %lu ",
		(unsigned long long)p->gen, (unsigned long)p->local, p->port,
		(unsigned long)p->key_id);
	hamsg_test_hex(f, p->key);
	if (p->has_prev) {
		fprintf(f, " prev-key %lu ", (unsigned long)p->prev_key_id);
		hamsg_test_hex(f, p->prev_key);
	}
	fputc('\n', f);
	for (i = 0; i < p->nnode; i++) {
		const struct ha_node *n = &p->node[i];

		fprintf(f, "node %s id %lu sync %s", n->name,
			(unsigned long)n->id, format_addr(&n->sync, a, sizeof(a)));
		if (n->has_dest)
			fprintf(f, " dest %s", format_addr(&n->dest, a, sizeof(a)));
		if (n->has_fnat)
			fprintf(f, " fnat %s", format_addr(&n->fnat, a, sizeof(a)));
		fputs(" backups ", f);
		for (j = 0; j < n->nbackup; j++)
			fprintf(f, "%s%lu", j ? "," : "",
				(unsigned long)n->backup[j]);
		fputc('\n', f);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

#endif /* SVCGWD_HAMSG_TEST_H */
