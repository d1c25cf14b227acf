/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: the controller's "ha" message (Documentation/svcgwd.rst, "The HA
 * policy"), made from the file's ha section, the sync keys and a
 * generation, and read back by the agent into the CLI's struct ha_policy
 * (tools/svcgw/hafile.h), which ha_put_request() turns into
 * SVCGW_CMD_HA_SET.  Pure: no netlink, no socket, no clock, no log; the
 * unit test (test_hapush.c) and the fuzzer (fuzz_hamsg.c) link it with
 * conf.c, parse.c and hafile.c.
 *
 *   {"type": "ha", "generation": N, "local": ID, "port": P,
 *    "key_id": K, "key": HEX64, ["prev_key_id": K2, "prev_key": HEX64,]
 *    "nodes": [{"id": ID, "name": NAME, "sync": ADDR, "address": ADDR,
 *               ["fnat": ADDR,] "backups": [ID, ...],
 *               ["state": "up"|"down", "state_generation": G,
 *                ["held": true]]}, ...]}
 *
 * Keys are secrets: no message of this file quotes them or any part of
 * them, and the hex copies it makes are wiped.
 */
#ifndef SVCGWD_HAMSG_H
#define SVCGWD_HAMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <linux/svcgw.h>

#include "../svcgw/hafile.h"
#include "conf.h"

#define HAMSG_ERR_MAX	256

/* The sync keys: the current one and, during a rollover, the one before. */
struct ha_keys {
	uint32_t key_id;		/* 1 to 2^32-1 */
	uint8_t key[SVCGW_HA_KEY_LEN];
	bool has_prev;
	uint32_t prev_key_id;
	uint8_t prev_key[SVCGW_HA_KEY_LEN];
};

/*
 * @fresh (32 random bytes) becomes the current key with the next id (0
 * skipped; @first_id, nonzero, when there was no key), the current one the
 * previous; @fresh is wiped.
 */
void ha_keys_roll(struct ha_keys *k, uint8_t *fresh, uint32_t first_id);
/* The rollover ended: the previous key goes (wiped). */
void ha_keys_drop_prev(struct ha_keys *k);
void ha_keys_wipe(struct ha_keys *k);

/*
 * The next HA generation after @last: above it, and at least @now_us (the
 * wall clock in microseconds), so that a controller restarted without its
 * state file still goes above what it pushed before (unless the clock
 * went back).
 */
uint64_t ha_gen_next(uint64_t last, uint64_t now_us);

/* The HA node id of the controller's node @name in @ha, 0 if none. */
uint32_t ha_local_id(const struct conf_ha *ha, const char *name);

/* Whether @a and @b say the same (lines aside): a reload that changed none
 * of it pushes nothing.
 */
bool conf_ha_same(const struct conf_ha *a, const struct conf_ha *b);

/* A node's state as the controller's last notice gave it (gen 0: none). */
struct hamsg_state {
	uint8_t state;			/* SVCGW_HA_STATE_UP or _DOWN */
	uint64_t gen;
	bool held;			/* up, the barrier holds it from the
					 * forwarders (to servicing nodes) */
};

/*
 * The "ha" message for the agent whose HA node id is @local (0: a
 * forwarder), generation @gen; @st (NULL: none) has one entry per node of
 * @ha, those with a generation go with the node.  NULL: out of memory.
 * Wipe it (hamsg_wipe()) before its last json_decref().
 */
json_t *hamsg_encode(const struct conf_ha *ha, const struct ha_keys *k,
		     uint64_t gen, uint32_t local,
		     const struct hamsg_state *st);

/*
 * Read and check the "ha" message @m into @p (zeroed first; its nodes'
 * has_state, state and state_gen from the message): everything the
 * kernel would refuse and what the protocol does not allow.  0, or -1
 * with one line in @err ("ha message: ...", no key in it) and @p empty.
 * Members it does not know are ignored (a later controller may add some).
 */
int hamsg_decode(json_t *m, struct ha_policy *p, char *err, size_t errlen);

/* Zero the hex of the keys inside @m (jansson frees without wiping). */
void hamsg_wipe(json_t *m);

/*
 * The HA part of a "node" notice @m ({"name", "state", "ha_generation"}):
 * 1 with @n filled when it names a node of @p and carries an HA
 * generation, 0 when it does not concern @p (no HA generation, a node
 * not in it: a forwarder), -1 with the reason in @err when it is bad.
 */
int hamsg_notice(json_t *m, const struct ha_policy *p, struct ha_notice *n,
		 char *err, size_t errlen);

/*
 * @p in one line for the logs: "generation N local L (NAME) port P key id
 * K [previous key id K2] NODES nodes"; never a key.
 */
const char *hamsg_describe(const struct ha_policy *p, char *buf,
			   size_t len);

#endif /* SVCGWD_HAMSG_H */
