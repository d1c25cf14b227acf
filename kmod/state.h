/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SVCGW_STATE_H
#define _SVCGW_STATE_H

#include "pure.h"
#include <linux/svcgw.h>

enum svcgw_dir {
	SVCGW_DIR_ORIG,		/* client to service */
	SVCGW_DIR_REPLY,	/* server to client */
};

/* Timeouts of a namespace, in seconds (SVCGW_CFG_A_TIMEOUT_*). */
struct svcgw_timeouts {
	u32	tcp_syn;
	u32	tcp_est;
	u32	tcp_fin;
	u32	udp;
};

#define SVCGW_TIMEOUT_TCP_CLOSE	10	/* after RST or both FINs */

/* Session protocol state: the uapi state and the FINs seen so far. */
struct svcgw_pstate {
	u8	state;		/* enum svcgw_sess_state */
	u8	fin;		/* bit 0: FIN from client, bit 1: from server */
	/*
	 * Only the client's direction passes the gateway (an encapsulated
	 * server answers directly): a client ACK after its SYN establishes.
	 */
	u8	oneway;
};

void svcgw_state_init(struct svcgw_pstate *s, u8 proto, u8 tcp_flags);
void svcgw_state_next(struct svcgw_pstate *s, u8 proto, enum svcgw_dir dir,
		      u8 tcp_flags);
u32 svcgw_state_timeout(const struct svcgw_pstate *s,
			const struct svcgw_timeouts *t);
#ifndef __KERNEL__
const char *svcgw_state_name(u8 state);
#endif

/*
 * How many collector ticks a sweep of the session table takes: few when
 * sweeps find much expired (or under pressure), many when they find next
 * to nothing, so that a large table of live sessions costs little.
 */
#define SVCGW_GC_SWEEP_MIN	8
#define SVCGW_GC_SWEEP_MAX	64

u32 svcgw_gc_sweep_next(u32 ticks, u64 seen, u64 expired, bool pressure);

#endif /* _SVCGW_STATE_H */
