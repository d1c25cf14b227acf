// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the agent's reading of the controller's "ha"
 * message (hamsg_decode() in hamsg.c): any JSON is refused with one line
 * and an empty policy, or gives a policy whose references hold (ids
 * nonzero and unique, names unique, backups other nodes of it, 1 to 8,
 * once each, local one of them or 0, one sync family) and that the
 * parser of "svcgw ha set", which refuses what the kernel would, takes
 * whole when it is written as its file.  The same input read as an
 * agent's ha_synced report (synced_decode() in barrier.c): refused with
 * one line and an empty report, or a report whose rules hold and that
 * reads back the same once made again.  ASan and UBSan watch the rest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "barrier.h"
#include "hamsg.h"
#include "hamsg_test.h"

static void check(const struct ha_policy *p)
{
	size_t i, j, k;

	if (!p->gen || p->gen > INT64_MAX || !p->key_id || !p->port ||
	    !p->nnode || p->nnode > SVCGW_HA_NODES_MAX ||
	    (p->has_prev && (!p->prev_key_id || p->prev_key_id == p->key_id)) ||
	    (p->local && !ha_find_node(p, p->local)))
		abort();
	for (i = 0; i < p->nnode; i++) {
		const struct ha_node *n = &p->node[i];

		if (!n->id || !n->name[0] || strlen(n->name) >= SVCGW_NAME_MAX ||
		    n->sync.family != p->node[0].sync.family || !n->has_dest ||
		    !n->nbackup || n->nbackup > SVCGW_HA_BACKUPS_MAX ||
		    (n->has_state && !n->state_gen) ||
		    (n->held && (!n->has_state ||
				 n->state != SVCGW_HA_STATE_UP)))
			abort();
		for (j = 0; j < i; j++)
			if (p->node[j].id == n->id ||
			    !strcmp(p->node[j].name, n->name))
				abort();
		for (j = 0; j < n->nbackup; j++) {
			if (n->backup[j] == n->id || !ha_find_node(p, n->backup[j]))
				abort();
			for (k = 0; k < j; k++)
				if (n->backup[k] == n->backup[j])
					abort();
		}
	}
}

/* What the agent takes, the kernel's rules (as hafile.c has them) take. */
static void cross_check(const struct ha_policy *p)
{
	char err[HA_ERR_MAX];
	struct ha_policy q;
	size_t len, i;
	char *text;

	/* A word that begins with '#' is a comment in the file. */
	for (i = 0; i < p->nnode; i++)
		if (p->node[i].name[0] == '#')
			return;
	text = hamsg_test_file(p, &len);
	if (!text)
		return;
	if (ha_file_parse("fuzz.ha", text, len, &q, err, sizeof(err)))
		abort();
	if (q.gen != p->gen || q.local != p->local || q.port != p->port ||
	    q.key_id != p->key_id || memcmp(q.key, p->key, sizeof(q.key)) ||
	    q.nnode != p->nnode)
		abort();
	for (i = 0; i < q.nnode; i++)
		if (q.node[i].id != p->node[i].id ||
		    q.node[i].nbackup != p->node[i].nbackup ||
		    memcmp(q.node[i].backup, p->node[i].backup,
			   sizeof(q.node[i].backup)))
			abort();
	ha_policy_free(&q);
	free(text);
}

static void synced(json_t *m)
{
	static const struct synced_msg zero;
	char err[BARRIER_ERR_MAX];
	struct synced_msg r, back;
	json_t *again;
	size_t i, j;

	if (synced_decode(m, &r, err, sizeof(err))) {
		if (strncmp(err, "ha_synced message: ", 19) ||
		    strchr(err, '\n') || memcmp(&r, &zero, sizeof(r)))
			abort();
		return;
	}
	if (!r.gen || r.gen > INT64_MAX || r.npeer > SVCGW_HA_NODES_MAX ||
	    (r.synced && r.npeer))
		abort();
	for (i = 0; i < r.npeer; i++)
		for (j = 0; j <= i; j++)
			if (!r.peer[i] || (j < i && r.peer[j] == r.peer[i]))
				abort();
	again = synced_encode(&r);
	if (!again)
		return;
	if (synced_decode(again, &back, err, sizeof(err)) ||
	    !synced_same(&r, &back))
		abort();
	json_decref(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ha_policy zero;
	char err[HAMSG_ERR_MAX];
	struct ha_policy p;
	struct ha_notice n;
	json_t *m;
	int r;

	m = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!m)
		return 0;
	synced(m);
	if (hamsg_decode(m, &p, err, sizeof(err))) {
		if (strncmp(err, "ha message: ", 12) || strchr(err, '\n') ||
		    memcmp(&p, &zero, sizeof(p)))
			abort();
	} else {
		check(&p);
		cross_check(&p);
		r = hamsg_notice(m, &p, &n, err, sizeof(err));
		if (r == 1 && (!ha_find_node(&p, n.id) || !n.gen))
			abort();
		ha_policy_free(&p);
	}
	hamsg_wipe(m);
	json_decref(m);
	return 0;
}
