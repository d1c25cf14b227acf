/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: the barrier (Documentation/ha.rst, "Bulk resync and the
 * barrier"; svcgwd.rst, "The barrier").  A servicing node that comes back
 * is filled from its peers before any flow returns to it: the controller
 * gives its "up" to the servicing nodes at once (their streams to it start
 * again, with a bulk) and to the forwarders only when the node reported
 * itself synced, or after sync_wait (fail static: a dead peer must not keep
 * a node out for ever).  A "down" goes to everyone at once.
 *
 * Here: the controller's state machine per HA node (down, up and waiting,
 * released), the agent's decision whether its kernel is synced (from an
 * SVCGW_CMD_HA_GET reply), and the message between them:
 *
 *   {"type": "ha_synced", "generation": G, "synced": true|false,
 *    "peers": [ID, ...]}
 *
 * G is the HA generation of the node's own "up" notice as its kernel has
 * it; peers are the ids of the peers it still waits for (none when
 * synced).  Pure: no socket, no clock, no log (test_barrier.c).
 */
#ifndef SVCGWD_BARRIER_H
#define SVCGWD_BARRIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <linux/svcgw.h>

#include "../svcgw/hafile.h"

#define BARRIER_ERR_MAX		160

/* --- the message -------------------------------------------------------- */

struct synced_msg {
	uint64_t gen;			/* its own up notice's HA generation */
	bool synced;
	size_t npeer;			/* not synced from these yet */
	uint32_t peer[SVCGW_HA_NODES_MAX];
};

/* The message (type included; the channel adds seq and node); NULL: no
 * memory.
 */
json_t *synced_encode(const struct synced_msg *r);
/*
 * Read and check @m into @r: generation 1 to 2^63-1, synced a boolean,
 * peers a list of at most SVCGW_HA_NODES_MAX distinct ids 1 to 2^32-1,
 * empty when synced.  0, or -1 with "ha_synced message: ..." in @err.
 */
int synced_decode(json_t *m, struct synced_msg *r, char *err, size_t errlen);
/* Whether @a and @b say the same (the agent sends on change). */
bool synced_same(const struct synced_msg *a, const struct synced_msg *b);

/* --- the agent's decision ------------------------------------------------- */

/*
 * Each peer's count of bulks received whole (rx_bulks) when the agent
 * said hello: a peer's "synced" counts only after a bulk that ended
 * later, one that the controller's "up" for this hello started (a synced
 * flag kept from before, while the peer did not replicate this node's
 * flows to it, is stale).  A peer seen not synced since then began a bulk
 * since (its stream started again, or a new stream object whose counters
 * start from 0): its next "synced" counts whatever its count.
 */
struct synced_base {
	uint64_t channel;		/* the kernel's sync channel's */
	uint64_t hello_ns;		/* CLOCK_BOOTTIME at the hello */
	size_t n;
	uint32_t id[SVCGW_HA_NODES_MAX];
	uint64_t bulks[SVCGW_HA_NODES_MAX];
	bool began[SVCGW_HA_NODES_MAX];	/* seen not synced since */
};

/* Take @b from the kernel's HA_GET reply @k (NULL: it has no policy). */
void synced_base_take(struct synced_base *b, const struct ha_policy *k);

/*
 * From the kernel's HA_GET reply @k: the report, if the kernel has this
 * node's own "up" (the generation of the report).  Synced when every sync
 * peer whose state the kernel does not have down is synced (peer.synced)
 * by a bulk that ended since @b was taken: its count above @b's, or a
 * bulk seen begun since (@b notes the peers seen not synced; a count
 * below @b's, a new stream object, is one).  0 with @r filled, or -1:
 * nothing to report (a forwarder, its own state not up).
 */
int synced_eval(const struct ha_policy *k, struct synced_base *b,
		struct synced_msg *r);

/* --- the controller's state machine per HA node -------------------------- */

enum barrier_state {
	BARRIER_DOWN,			/* or never heard of */
	BARRIER_WAITING,		/* up to the servicing nodes only */
	BARRIER_RELEASED,		/* up to everyone */
};

struct barrier {
	uint8_t state;			/* enum barrier_state */
	uint64_t since;			/* usec: its up notice */
	/* Its last up notice, as the servicing nodes got it. */
	uint64_t node_gen, ha_gen;
	/* What the forwarders were told last (fwd_ha_gen 0: nothing). */
	bool fwd_up;
	uint64_t fwd_ha_gen;
	/* Its last report for this up (reported: one came). */
	bool reported;
	struct synced_msg last;
	/* Released: after how long, and whether the bound did it. */
	uint64_t released_ms;
	bool timed_out;
};

struct barrier_stats {
	unsigned long waits;		/* up notices held */
	unsigned long released;		/* synced before the bound */
	unsigned long timeouts;		/* released by the bound */
	unsigned long cancelled;	/* down while waiting */
	unsigned long reports;		/* ha_synced messages read */
	unsigned long stale;		/* of an older up notice: ignored */
	unsigned long not_up;		/* from a node down: ignored */
	uint64_t last_ms, max_ms;	/* hello to release */
};

/* To whom a notice goes now. */
enum barrier_to {
	BARRIER_TO_NONE,
	BARRIER_TO_SERVICING,		/* the ha nodes only */
	BARRIER_TO_ALL,
	BARRIER_TO_FORWARDERS,		/* the held up, released */
};

/*
 * The controller gave @b's node "up" at @now (usec) with node generation
 * @node_gen and HA generation @ha_gen: BARRIER_TO_SERVICING (it waits),
 * or BARRIER_TO_ALL when @wait_us is 0 (no barrier).
 */
enum barrier_to barrier_up(struct barrier *b, struct barrier_stats *st,
			   uint64_t now, uint64_t node_gen, uint64_t ha_gen,
			   uint64_t wait_us);
/* ... "down": BARRIER_TO_ALL; a wait it ends is counted as cancelled. */
enum barrier_to barrier_down(struct barrier *b, struct barrier_stats *st,
			     uint64_t ha_gen);

enum barrier_verdict {
	BARRIER_NOTED,			/* kept (not synced, or released) */
	BARRIER_RELEASE,		/* synced: to the forwarders now */
	BARRIER_STALE,			/* of an older up notice */
	BARRIER_NOT_UP,			/* the node is down */
};

/* Its report @r at @now: what to do (counted in @st). */
enum barrier_verdict barrier_report(struct barrier *b,
				    struct barrier_stats *st, uint64_t now,
				    const struct synced_msg *r);
/*
 * At @now: true when the wait reached @wait_us and the node is released
 * (counted as a timeout), its held up then goes to the forwarders.
 */
bool barrier_tick(struct barrier *b, struct barrier_stats *st, uint64_t now,
		  uint64_t wait_us);
/* Release a waiting node now, not counted as synced nor timed out (its
 * node left the ha section): true if it was waiting.
 */
bool barrier_force(struct barrier *b, uint64_t now);
/* When barrier_tick() will release it (usec), 0: not waiting. */
uint64_t barrier_deadline(const struct barrier *b, uint64_t wait_us);

/* Its state in the "ha" message to a forwarder: @gen 0 if none. */
void barrier_fwd_state(const struct barrier *b, uint8_t *state,
		       uint64_t *gen);

const char *barrier_state_str(const struct barrier *b);

#endif /* SVCGWD_BARRIER_H */
