// SPDX-License-Identifier: GPL-2.0
/* TCP session state machine and timeouts (kmod/state.c). */
#include <stdio.h>

#include "pkt.h"
#include "state.h"
#include "unit.h"

#define SYN	SVCGW_TCP_SYN
#define ACK	SVCGW_TCP_ACK
#define FIN	SVCGW_TCP_FIN
#define RST	SVCGW_TCP_RST
#define PSH	0x08
#define ORIG	SVCGW_DIR_ORIG
#define REPLY	SVCGW_DIR_REPLY

#define NONE	SVCGW_SESS_NONE
#define SSENT	SVCGW_SESS_TCP_SYN_SENT
#define SRECV	SVCGW_SESS_TCP_SYN_RECV
#define EST	SVCGW_SESS_TCP_ESTABLISHED
#define FINW	SVCGW_SESS_TCP_FIN_WAIT
#define CLOSE	SVCGW_SESS_TCP_CLOSE
#define UDP	SVCGW_SESS_UDP

/* One packet and the state it must leave. */
struct step {
	enum svcgw_dir	dir;
	u8		flags;
	u8		state;
};

/*
 * A TCP session: the first step creates it (svcgw_state_init, always in
 * the original direction), the others go through svcgw_state_next.
 */
static bool run(const char *name, const struct step *st, unsigned int n)
{
	struct svcgw_pstate s;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!i)
			svcgw_state_init(&s, IPPROTO_TCP, st[i].flags);
		else
			svcgw_state_next(&s, IPPROTO_TCP, st[i].dir,
					 st[i].flags);
		if (!CHECK(s.state == st[i].state,
			   "%s, step %u (%s flags %#x): %s, want %s", name, i,
			   st[i].dir == ORIG ? "orig" : "reply", st[i].flags,
			   svcgw_state_name(s.state),
			   svcgw_state_name(st[i].state)))
			return false;
	}
	return true;
}

#define RUN(name, ...)	({						\
	static const struct step _st[] = { __VA_ARGS__ };		\
	run(name, _st, ARRAY_SIZE(_st));				\
})

/* Bring a session to @state; then apply one packet. */
static u8 from(u8 state, enum svcgw_dir dir, u8 flags)
{
	struct svcgw_pstate s;

	switch (state) {
	case SSENT:
		svcgw_state_init(&s, IPPROTO_TCP, SYN);
		break;
	case SRECV:
		svcgw_state_init(&s, IPPROTO_TCP, SYN);
		svcgw_state_next(&s, IPPROTO_TCP, REPLY, SYN | ACK);
		break;
	case EST:
		svcgw_state_init(&s, IPPROTO_TCP, ACK);
		break;
	case FINW:
		svcgw_state_init(&s, IPPROTO_TCP, ACK);
		svcgw_state_next(&s, IPPROTO_TCP, REPLY, FIN | ACK);
		break;
	case CLOSE:
	default:
		svcgw_state_init(&s, IPPROTO_TCP, ACK | RST);
		break;
	}
	CHECK(s.state == state, "setting up %s", svcgw_state_name(state));
	svcgw_state_next(&s, IPPROTO_TCP, dir, flags);
	return s.state;
}

void test_state(void)
{
	static const u8 tcp_states[] = { SSENT, SRECV, EST, FINW, CLOSE };
	static const u8 with_rst[] = { 0, ACK, SYN, FIN | ACK };
	struct svcgw_timeouts t = { .tcp_syn = 11, .tcp_est = 22,
				    .tcp_fin = 33, .udp = 44 };
	struct svcgw_pstate s;
	u32 i, d, f;

	tap_group("state: handshake SYN, SYN+ACK, ACK -> established");
	RUN("handshake", { ORIG, SYN, SSENT }, { REPLY, SYN | ACK, SRECV },
	    { ORIG, ACK, EST }, { ORIG, ACK | PSH, EST },
	    { REPLY, ACK | PSH, EST });
	/* Retransmissions on the way do not skip or undo a step. */
	RUN("retransmits", { ORIG, SYN, SSENT }, { ORIG, SYN, SSENT },
	    { REPLY, SYN | ACK, SRECV }, { ORIG, SYN, SRECV },
	    { REPLY, SYN | ACK, SRECV }, { REPLY, ACK, SRECV },
	    { ORIG, ACK, EST }, { REPLY, SYN | ACK, EST });
	tap_end();

	tap_group("state: one way (encapsulated server): SYN, ACK -> established");
	{
		static const u8 seq[][2] = { { SYN, SSENT }, { SYN, SSENT },
					     { ACK, EST }, { ACK | PSH, EST },
					     { FIN | ACK, FINW },
					     { ACK, FINW } };
		struct svcgw_pstate o;

		svcgw_state_init(&o, IPPROTO_TCP, seq[0][0]);
		o.oneway = 1;
		for (i = 1; i < ARRAY_SIZE(seq); i++) {
			svcgw_state_next(&o, IPPROTO_TCP, ORIG, seq[i][0]);
			if (!CHECK(o.state == seq[i][1], "step %u: %s", i,
				   svcgw_state_name(o.state)))
				break;
		}
		/* Both ways, a client ACK without the SYN+ACK does not. */
		svcgw_state_init(&o, IPPROTO_TCP, SYN);
		CHECK(!o.oneway);
		svcgw_state_next(&o, IPPROTO_TCP, ORIG, ACK);
		CHECK(o.state == SSENT, "%s", svcgw_state_name(o.state));
	}
	tap_end();

	tap_group("state: session picked up mid-stream -> established");
	RUN("ack", { ORIG, ACK, EST });
	RUN("data", { ORIG, ACK | PSH, EST }, { REPLY, ACK, EST });
	RUN("no flags", { ORIG, 0, EST });
	tap_end();

	tap_group("state: FIN one way -> fin_wait, both ways -> close");
	RUN("client first", { ORIG, ACK, EST }, { ORIG, FIN | ACK, FINW },
	    { REPLY, ACK, FINW }, { REPLY, ACK | PSH, FINW },
	    { ORIG, FIN | ACK, FINW }, { REPLY, FIN | ACK, CLOSE },
	    { ORIG, ACK, CLOSE });
	RUN("server first", { ORIG, SYN, SSENT }, { REPLY, SYN | ACK, SRECV },
	    { ORIG, ACK, EST }, { REPLY, FIN | ACK, FINW },
	    { ORIG, FIN | ACK, CLOSE }, { REPLY, ACK, CLOSE });
	RUN("FIN picked up", { ORIG, FIN | ACK, FINW },
	    { REPLY, FIN | ACK, CLOSE });
	tap_end();

	tap_group("state: RST -> close, from every state, both directions");
	for (i = 0; i < ARRAY_SIZE(tcp_states); i++)
		for (d = 0; d < 2; d++)
			for (f = 0; f < 4; f++) {
				u8 fl = RST | with_rst[f];

				CHECK(from(tcp_states[i], d, fl) == CLOSE,
				      "RST %#x %s from %s", fl,
				      d ? "reply" : "orig",
				      svcgw_state_name(tcp_states[i]));
			}
	RUN("RST first", { ORIG, RST, CLOSE });
	tap_end();

	tap_group("state: client SYN in close or fin_wait -> syn_sent (port reuse)");
	RUN("reuse after FINs", { ORIG, ACK, EST }, { ORIG, FIN | ACK, FINW },
	    { REPLY, FIN | ACK, CLOSE }, { ORIG, SYN, SSENT },
	    { REPLY, SYN | ACK, SRECV }, { ORIG, ACK, EST },
	    /* the FINs of the old connection are forgotten */
	    { ORIG, FIN | ACK, FINW }, { REPLY, FIN | ACK, CLOSE });
	RUN("reuse after RST", { ORIG, ACK, EST }, { REPLY, RST, CLOSE },
	    { ORIG, SYN, SSENT });
	RUN("reuse in fin_wait", { ORIG, ACK, EST }, { ORIG, FIN, FINW },
	    { ORIG, SYN, SSENT }, { REPLY, SYN | ACK, SRECV },
	    { ORIG, ACK, EST });
	CHECK(from(CLOSE, REPLY, SYN) == CLOSE, "server SYN reopens");
	tap_end();

	tap_group("state: SYN retransmit or stray SYN in established stays established");
	RUN("syn in est", { ORIG, ACK, EST }, { ORIG, SYN, EST },
	    { REPLY, SYN, EST }, { REPLY, SYN | ACK, EST },
	    { ORIG, SYN | ACK, EST });
	CHECK(from(SRECV, ORIG, SYN) == SRECV);
	tap_end();

	tap_group("state: UDP: udp whatever the packets");
	for (f = 0; f < 256; f++) {
		svcgw_state_init(&s, IPPROTO_UDP, f);
		CHECK(s.state == UDP && !s.fin, "init flags %#x", f);
		svcgw_state_next(&s, IPPROTO_UDP, f & 1, f);
		CHECK(s.state == UDP, "next flags %#x", f);
	}
	tap_end();

	tap_group("state: timeouts by state; close = min(fin timeout, 10)");
	for (i = NONE; i <= UDP; i++) {
		static const u32 want[] = {
			[NONE] = 11, [SSENT] = 11, [SRECV] = 11, [EST] = 22,
			[FINW] = 33, [CLOSE] = 10, [UDP] = 44,
		};

		s.state = i;
		s.fin = 0;
		CHECK(svcgw_state_timeout(&s, &t) == want[i], "%s: %u",
		      svcgw_state_name(i), svcgw_state_timeout(&s, &t));
	}
	s.state = CLOSE;
	for (f = 1; f <= 20; f++) {
		t.tcp_fin = f;
		CHECK(svcgw_state_timeout(&s, &t) == (f < 10 ? f : 10),
		      "fin %u", f);
	}
	t.tcp_fin = SVCGW_TIMEOUT_MAX;
	CHECK(svcgw_state_timeout(&s, &t) == SVCGW_TIMEOUT_TCP_CLOSE);
	tap_end();

	tap_group("state: names");
	CHECK(!strcmp(svcgw_state_name(NONE), "none"));
	CHECK(!strcmp(svcgw_state_name(SSENT), "syn_sent"));
	CHECK(!strcmp(svcgw_state_name(SRECV), "syn_recv"));
	CHECK(!strcmp(svcgw_state_name(EST), "established"));
	CHECK(!strcmp(svcgw_state_name(FINW), "fin_wait"));
	CHECK(!strcmp(svcgw_state_name(CLOSE), "close"));
	CHECK(!strcmp(svcgw_state_name(UDP), "udp"));
	CHECK(SVCGW_SESS_MAX == UDP);
	for (i = SVCGW_SESS_MAX + 1; i < 256; i++)
		CHECK(!strcmp(svcgw_state_name(i), "?"), "state %u", i);
	tap_end();

	/*
	 * Only a client SYN leaves close (the comment atop state.c): a FIN
	 * that comes after a RST, a retransmitted one say, must not take the
	 * session back to fin_wait and its timeout up to the FIN timeout.
	 */
	tap_group("state: close is left only by a client SYN");
	RUN("FIN after RST", { ORIG, ACK, EST }, { REPLY, RST, CLOSE },
	    { ORIG, FIN | ACK, CLOSE });
	RUN("FIN retransmit after RST", { ORIG, ACK, EST },
	    { ORIG, FIN | ACK, FINW }, { REPLY, RST | ACK, CLOSE },
	    { ORIG, FIN | ACK, CLOSE });
	tap_end();

	tap_group("state: collector sweep length adapts to what expires");
	/* Live tables: longer sweeps, up to the most. */
	for (i = SVCGW_GC_SWEEP_MIN, f = 0; f < 10; f++)
		i = svcgw_gc_sweep_next(i, 1000000, 0, false);
	CHECK(i == SVCGW_GC_SWEEP_MAX, "%u", i);
	CHECK(svcgw_gc_sweep_next(8, 1000000, 15624, false) == 16);
	CHECK(svcgw_gc_sweep_next(8, 1000000, 15625, false) == 8);
	/* Much expired: shorter, down to the least. */
	CHECK(svcgw_gc_sweep_next(64, 1000000, 125000, false) == 32);
	CHECK(svcgw_gc_sweep_next(64, 1000000, 124999, false) == 64);
	CHECK(svcgw_gc_sweep_next(8, 1000, 1000, false) == SVCGW_GC_SWEEP_MIN);
	/* Pressure: the shortest at once, whatever the last sweep saw. */
	CHECK(svcgw_gc_sweep_next(64, 1000000, 0, true) == SVCGW_GC_SWEEP_MIN);
	/* An empty table changes nothing; out-of-range input is clamped. */
	CHECK(svcgw_gc_sweep_next(16, 0, 0, false) == 16);
	CHECK(svcgw_gc_sweep_next(0, 0, 0, false) == SVCGW_GC_SWEEP_MIN);
	CHECK(svcgw_gc_sweep_next(1000, 10, 0, false) == SVCGW_GC_SWEEP_MAX);
	tap_end();
}
