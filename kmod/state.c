// SPDX-License-Identifier: GPL-2.0
/*
 * Session state machine, pure.  Deliberately looser than conntrack: the
 * gateway sees both directions but does not police sequence numbers; it
 * only needs to know how long a session may sit idle.
 *
 *   SYN          -> SYN_SENT     (client opens)
 *   SYN+ACK back -> SYN_RECV
 *   ACK, data    -> ESTABLISHED  (also a session picked up mid-stream)
 *   FIN          -> FIN_WAIT     (one side closing)
 *   FIN both, RST-> CLOSE
 *   SYN in CLOSE or FIN_WAIT from the client: port reuse, back to SYN_SENT
 *
 * A one-way session (@oneway: the server answers the client directly)
 * never sees the SYN+ACK: the client's ACK takes SYN_SENT to ESTABLISHED.
 */
#include "state.h"
#include "pkt.h"

void svcgw_state_init(struct svcgw_pstate *s, u8 proto, u8 tcp_flags)
{
	s->fin = 0;
	s->oneway = 0;
	if (proto != IPPROTO_TCP) {
		s->state = SVCGW_SESS_UDP;
		return;
	}
	s->state = SVCGW_SESS_NONE;
	svcgw_state_next(s, proto, SVCGW_DIR_ORIG, tcp_flags);
}

void svcgw_state_next(struct svcgw_pstate *s, u8 proto, enum svcgw_dir dir,
		      u8 f)
{
	bool syn = f & SVCGW_TCP_SYN, ack = f & SVCGW_TCP_ACK;

	if (proto != IPPROTO_TCP)
		return;
	if (f & SVCGW_TCP_RST) {
		s->state = SVCGW_SESS_TCP_CLOSE;
		return;
	}
	if (syn && !ack && dir == SVCGW_DIR_ORIG) {
		if (s->state != SVCGW_SESS_TCP_ESTABLISHED &&
		    s->state != SVCGW_SESS_TCP_SYN_RECV) {
			s->state = SVCGW_SESS_TCP_SYN_SENT;
			s->fin = 0;
		}
		return;
	}
	if (syn && ack && dir == SVCGW_DIR_REPLY) {
		if (s->state == SVCGW_SESS_TCP_SYN_SENT)
			s->state = SVCGW_SESS_TCP_SYN_RECV;
		return;
	}
	if (f & SVCGW_TCP_FIN) {
		if (s->state == SVCGW_SESS_TCP_CLOSE)
			return;		/* a late FIN does not reopen it */
		s->fin |= 1 << dir;
		s->state = s->fin == 3 ? SVCGW_SESS_TCP_CLOSE :
					 SVCGW_SESS_TCP_FIN_WAIT;
		return;
	}
	switch (s->state) {
	case SVCGW_SESS_NONE:
		s->state = SVCGW_SESS_TCP_ESTABLISHED;
		break;
	case SVCGW_SESS_TCP_SYN_RECV:
		if (ack && dir == SVCGW_DIR_ORIG)
			s->state = SVCGW_SESS_TCP_ESTABLISHED;
		break;
	case SVCGW_SESS_TCP_SYN_SENT:
		if (s->oneway && ack && dir == SVCGW_DIR_ORIG)
			s->state = SVCGW_SESS_TCP_ESTABLISHED;
		break;
	default:
		break;
	}
}

u32 svcgw_state_timeout(const struct svcgw_pstate *s,
			const struct svcgw_timeouts *t)
{
	switch (s->state) {
	case SVCGW_SESS_UDP:
		return t->udp;
	case SVCGW_SESS_TCP_ESTABLISHED:
		return t->tcp_est;
	case SVCGW_SESS_TCP_FIN_WAIT:
		return t->tcp_fin;
	case SVCGW_SESS_TCP_CLOSE:
		return t->tcp_fin < SVCGW_TIMEOUT_TCP_CLOSE ?
		       t->tcp_fin : SVCGW_TIMEOUT_TCP_CLOSE;
	default:
		return t->tcp_syn;
	}
}

#ifndef __KERNEL__
/* Host tests only. */
const char *svcgw_state_name(u8 state)
{
	static const char * const names[] = {
		[SVCGW_SESS_NONE] = "none",
		[SVCGW_SESS_TCP_SYN_SENT] = "syn_sent",
		[SVCGW_SESS_TCP_SYN_RECV] = "syn_recv",
		[SVCGW_SESS_TCP_ESTABLISHED] = "established",
		[SVCGW_SESS_TCP_FIN_WAIT] = "fin_wait",
		[SVCGW_SESS_TCP_CLOSE] = "close",
		[SVCGW_SESS_UDP] = "udp",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}
#endif

/*
 * The length of the next sweep, from what the last one (@ticks long) saw
 * and ended: halved when at least 1/8 of the sessions it walked had
 * expired, doubled when less than 1/64 had, within SVCGW_GC_SWEEP_MIN..
 * SVCGW_GC_SWEEP_MAX; the shortest under pressure.  An expired session
 * that no packet meets thus takes memory up to SVCGW_GC_SWEEP_MAX ticks
 * longer than its timeout only while sessions hardly expire at all.
 */
u32 svcgw_gc_sweep_next(u32 ticks, u64 seen, u64 expired, bool pressure)
{
	if (pressure)
		return SVCGW_GC_SWEEP_MIN;
	if (seen && expired * 8 >= seen)
		ticks /= 2;
	else if (expired * 64 < seen)
		ticks *= 2;
	if (ticks < SVCGW_GC_SWEEP_MIN)
		return SVCGW_GC_SWEEP_MIN;
	return ticks > SVCGW_GC_SWEEP_MAX ? SVCGW_GC_SWEEP_MAX : ticks;
}
