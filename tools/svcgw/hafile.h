/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgw: the HA policy file of "svcgw ha set" and the words of "svcgw ha
 * node", read into a model.  No netlink here (ha.c sends the model), so
 * the unit tests link this file with parse.c alone.
 */
#ifndef SVCGW_HAFILE_H
#define SVCGW_HAFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/svcgw.h>

#include "parse.h"

/* Room for an error message, "FILE:LINE: " included. */
#define HA_ERR_MAX	512

/*
 * The streams between this node and a sync peer (SVCGW_HA_NODE_A_PEER of
 * an HA_GET reply): the one to it (tx_*) and the one from it (rx_*).
 */
struct ha_peer {
	uint8_t tx_state;		/* enum svcgw_ha_tx_state */
	bool synced;			/* up to its last BULK_END */
	uint32_t unacked;		/* datagrams sent, not acked */
	uint64_t tx_dgrams;		/* sent, first time */
	uint64_t tx_records;
	uint64_t tx_retrans;		/* sent again */
	uint64_t tx_acked;
	uint64_t tx_errors;		/* the socket refused to send */
	uint64_t tx_lost;		/* streams given up: a resync */
	uint64_t tx_bulks;		/* bulk resyncs finished */
	uint64_t tx_bulk_records;
	uint64_t rx_dgrams;		/* accepted */
	uint64_t rx_records;
	uint64_t rx_other_epoch;	/* refused: not its epoch */
	uint64_t rx_replayed;		/* refused: seen before */
	uint64_t rx_ahead;		/* refused: beyond the window */
	uint64_t rx_no_service;		/* records skipped: no service */
	uint64_t rx_no_server;		/* ... or server */
	uint64_t rx_conflict;		/* ... the flow is this node's */
	uint64_t rx_full;		/* ... the replicas' cap, memory */
	uint64_t rx_bulks;		/* bulk resyncs received whole */
	uint64_t rx_since;		/* boot time (ns) the stream from it
					 * began, 0: none */
	uint64_t rx_epochs;		/* epochs it was given (HELLOs) */
};

/* This node's sync channel (SVCGW_HA_A_SYNC of an HA_GET reply). */
struct ha_sync {
	uint64_t queued;		/* records the sessions left */
	uint64_t queue_dropped;		/* found the queue full */
	uint64_t rx_queue_full;		/* datagrams dropped on arrival */
	/* Datagrams refused, by reason: */
	uint64_t truncated;
	uint64_t bad_magic;
	uint64_t bad_version;
	uint64_t bad_type;
	uint64_t bad_field;
	uint64_t bad_length;
	uint64_t no_key;
	uint64_t forged;
	uint64_t bad_record;
	uint64_t not_peer;		/* a sender not paired with it */
	uint64_t replicas;		/* replicas now, not adopted */
	uint64_t adopted;		/* replicas that took traffic */
	uint64_t channel;		/* when the kernel made the channel:
					 * another value, counters from 0 */
};

/* A node of the policy: a node line, or an SVCGW_A_HA_NODE of a reply. */
struct ha_node {
	char name[SVCGW_NAME_MAX];
	uint32_t id;			/* 1 to 2^32-1, unique */
	struct endpoint sync;		/* port 0 */
	bool has_dest;
	struct endpoint dest;		/* absent: the sync address */
	bool has_fnat;
	struct endpoint fnat;
	uint32_t backup[SVCGW_HA_BACKUPS_MAX];	/* node ids, in order */
	size_t nbackup;			/* 1 to SVCGW_HA_BACKUPS_MAX */
	unsigned long line;		/* of its node line */
	/* show: */
	bool has_state;
	uint8_t state;			/* enum svcgw_ha_state */
	uint64_t state_gen;
	/* svcgwd's agents: up, but the barrier holds it from the
	 * forwarders (its sessions not synced yet): its flows and full
	 * NAT address stay with its backup (tools/svcgwd/takeover.h). */
	bool held;
	bool has_peer;			/* a sync peer of this node */
	struct ha_peer peer;
};

/* The ha line and the node lines of a file, or an HA_GET reply. */
struct ha_policy {
	unsigned long line;		/* of the ha line; 0: none */
	uint64_t gen;			/* >= 1 */
	bool has_local;
	uint32_t local;			/* 0: a forwarder only */
	bool has_port;
	uint16_t port;			/* 1..65535 */
	uint32_t key_id;
	uint8_t key[SVCGW_HA_KEY_LEN];
	bool has_prev;
	uint32_t prev_key_id;
	uint8_t prev_key[SVCGW_HA_KEY_LEN];
	struct ha_node *node;		/* in the order of the file */
	size_t nnode;
	/* show: */
	uint32_t nnodes;
	uint64_t stale;
	bool has_age;
	uint64_t age_ms;
	bool has_sync;			/* else it does not replicate */
	struct ha_sync sync;
};

/*
 * Read the HA policy file @file, whose text is the @len bytes of @text
 * (NUL bytes are refused), into @p (zeroed first):
 *
 *   ha generation N [local ID] [port P] key ID HEX64 [prev-key ID HEX64]
 *   node NAME id ID sync ADDR [dest ADDR] [fnat ADDR] backups ID[,ID...]
 *
 * one item a line, blank lines and # comments skipped; exactly one ha
 * line, before the first node line; 1 to SVCGW_HA_NODES_MAX node lines.
 * Returns 0, or -1 with "FILE:LINE: message" ("FILE: message" when no
 * line is at fault) in @err and @p freed.
 */
int ha_file_parse(const char *file, const char *text, size_t len,
		  struct ha_policy *p, char *err, size_t errlen);

/* Free @p's nodes and wipe its keys; @p is empty after it. */
void ha_policy_free(struct ha_policy *p);

/* The node of @p with id @id, or NULL. */
const struct ha_node *ha_find_node(const struct ha_policy *p, uint32_t id);

/* The words after "svcgw ha node": ID up|down generation N. */
struct ha_notice {
	uint32_t id;
	uint8_t state;			/* SVCGW_HA_STATE_UP or _DOWN */
	uint64_t gen;
};

/* 0, or -1 with the message in @err (no "FILE:LINE: " there). */
int ha_notice_parse(int argc, char **argv, struct ha_notice *n, char *err,
		    size_t errlen);

/* The words of "svcgw ha del": generation N.  0, or -1 as above. */
int ha_del_parse(int argc, char **argv, uint64_t *gen, char *err,
		 size_t errlen);

/* "unknown", "up", "down", else the number in @buf. */
const char *ha_state_str(unsigned int state, char *buf, size_t size);

#endif /* SVCGW_HAFILE_H */
