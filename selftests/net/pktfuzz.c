// SPDX-License-Identifier: GPL-2.0
/*
 * pktfuzz: mutated IPv4 and IPv6 packets for selftests/net/67-pktfuzz.sh,
 * sent as Ethernet frames through an AF_PACKET socket (sendmmsg, with a
 * virtio-net header in front of every frame, PACKET_VNET_HDR, so that some
 * frames are GSO super-packets) on one end of a veth pair whose other end
 * is in the gateway's namespace.
 *
 *   pktfuzz IFNAME SRC_MAC DST_MAC COUNT SEED SECONDS [BACKLOG]
 *
 * Sends exactly COUNT frames (the kernel took them: refused ones do not
 * count), drawn from SEED: every run with the same seed sends the same
 * frames.  SECONDS is only a safety limit: a run that reaches it stops
 * short (exit 3).  The addresses are the test's
 * (67-pktfuzz.sh, topo.sh): sources 10.99.0.2-.9 and 2001:db8:99::2-9 (the
 * gateway has static neighbour entries for them, so that nothing waits
 * for address resolution) and now and then anything; destinations the
 * service addresses (ports of the fuzzing services), the servers, the
 * gateway's own addresses and unrouted addresses.  Kinds of cases:
 *
 *   mut    TCP or UDP with 1-4 mutations: truncated, IP total length,
 *          IHL, IPv6 payload length, UDP length, TCP data offset, L4
 *          checksum, protocol, flipped bytes, trailing bytes
 *   opt4   IPv4 options: odd, overlong, truncated, source routes
 *   ext6   IPv6 extension header chains: hop-by-hop, routing, destination
 *          options, fragment, AH, ESP, none, unknown; up to 12, bogus
 *          lengths, the same header again and again
 *   icmp   ICMP and ICMPv6 errors (and others) quoting: replies of the
 *          fuzzer's own sessions, packets to servers, full NAT packets,
 *          nothing; quotes truncated, with options, fragments, ICMP in ICMP
 *   frag   fragmented datagrams: out of order, duplicated, overlapping,
 *          tiny, incomplete; IPv4 and IPv6
 *   flags  TCP flag soup on the fuzzer's flows, odd TCP options
 *   gso    GSO super-packets (virtio-net header: TCPv4, TCPv6, UDP L4;
 *          CHECKSUM_PARTIAL), some with odd sizes
 *   train  runs of in-order TCP segments of one flow, for GRO on the
 *          gateway's veth to merge into super-packets
 *   junk   random bytes behind an IPv4 or IPv6 Ethertype
 *
 * Paced, so as not to overrun the kernel's queues behind the veth, where
 * the real traffic through the gateway would be lost with the fuzzer's
 * frames: frames go out SEND at a time, and before each group the
 * fuzzer waits until the per-CPU backlog queues (netif_rx(), which every
 * veth hop but the gateway's NAPI receive on fz0 goes through; the
 * backlog_len column of /proc/net/softnet_stat, summed over the CPUs)
 * hold no more than BACKLOG packets (default 64); a frame the veth turns
 * away (ENOBUFS: the peer's NAPI ring is full; EAGAIN) is sent again
 * after a pause that doubles from 50 us up to 20 ms while it lasts.
 * The socket is non-blocking, and SIGALRM ends the run SECONDS + 10 s
 * after the start whatever happens.
 *
 * Prints "key value" lines: seed, frames wanted and sent, refused by the
 * kernel (EINVAL, EMSGSIZE: bad virtio-net header; not counted as sent),
 * stalls (ENOBUFS/EAGAIN) and waits for the backlog (how many, seconds),
 * the largest backlog seen, elapsed time, rate, cases of each kind.
 * Exit 0 when COUNT frames went out, 3 when time ran out.
 *
 * Compiled in the guest by 67-pktfuzz.sh (gcc -O2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5	/* Linux 4.18; older headers */
#endif

#define BATCH		64	/* frames generated at a time */
#define SEND		16	/* frames sent at a time */
#define POOL		(128 << 10)	/* random bytes payloads come from */
#define FRAME_MAX	(sizeof(struct virtio_net_hdr) + 14 + 65535)
#define VNET		sizeof(struct virtio_net_hdr)
#define CASE_MAX	20	/* frames one case may make */

/* ---- random numbers: splitmix64, as selftests/unit/rng.h -------------- */
static uint64_t rs;
static uint8_t pool[POOL];

static uint64_t r64(void)
{
	uint64_t z = (rs += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rb(uint32_t n)	/* [0, n) */
{
	return (uint32_t)(((r64() >> 32) * n) >> 32);
}

static int chance(unsigned int pct)
{
	return rb(100) < pct;
}

static void rbytes(uint8_t *b, size_t n)
{
	uint64_t v;

	/* Payloads: a slice of the pool (a guest's emulated CPU spends its
	 * time on the frames, not on random numbers for their bytes). */
	if (n > 64 && n <= POOL) {
		memcpy(b, pool + rb(POOL - n + 1), n);
		return;
	}
	for (; n >= 8; n -= 8, b += 8) {
		v = r64();
		memcpy(b, &v, 8);
	}
	v = r64();
	memcpy(b, &v, n);
}

/* ---- checksums -------------------------------------------------------- */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t s)
{
	for (; len > 1; len -= 2, p += 2)
		s += (uint32_t)p[0] << 8 | p[1];
	if (len)
		s += (uint32_t)p[0] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

/* ---- addresses -------------------------------------------------------- */
#define FZ4(n)		(0x0a630000u | (n))		/* 10.99.0.n */
#define VIP4		0xc000020au			/* 192.0.2.10 */
#define SRV4(i)		(0xc633640bu + (i))		/* 198.51.100.11+i */
#define GWBR4		0xc6336401u			/* 198.51.100.1 */
#define NONE4		0xc0000263u			/* 192.0.2.99 */

static const uint8_t vip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x10, [15] = 0x10 };
static const uint8_t srv6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x02, [15] = 0x11 };
static const uint8_t fz6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x99, [15] = 0x00 };
static const uint8_t gwbr6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x02, [15] = 0x01 };
static const uint8_t none6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x10, [15] = 0x99 };

/* The fuzzing services' ports (67-pktfuzz.sh): 7 tcp stateful, 9 udp
 * stateful, 17 tcp stateless, 19 udp hybrid, 21 tcp and 23 udp full NAT,
 * 25 tcp and udp without servers. */
static const uint16_t svc_ports[] = { 7, 9, 17, 19, 21, 23, 25 };

struct ep {
	int v6;
	uint8_t a[16];		/* IPv4: first 4 bytes, network order */
	uint16_t port;
};

static void a4(uint8_t *a, uint32_t v)
{
	memset(a, 0, 16);
	put32(a, v);
}

static void a6(uint8_t *a, const uint8_t *base, uint8_t last)
{
	memcpy(a, base, 16);
	if (last)
		a[15] = last;
}

/* A source: one of the fuzzer's addresses and a few ports (so that the
 * flows are few enough to have sessions that ICMP quotes can find), a
 * server's (spoofed reply), or anything. */
static void pick_src(struct ep *e, int v6)
{
	uint32_t k = rb(100);

	e->v6 = v6;
	if (k < 80) {
		if (v6)
			a6(e->a, fz6, 2 + rb(8));
		else
			a4(e->a, FZ4(2 + rb(8)));
		e->port = 1000 + rb(64);
	} else if (k < 90) {
		if (v6)
			a6(e->a, srv6, 0x11 + rb(3));
		else
			a4(e->a, SRV4(rb(3)));
		e->port = svc_ports[rb(7)];
	} else {
		rbytes(e->a, 16);
		if (!v6)
			memset(e->a + 4, 0, 12);
		e->port = r64();
	}
}

/* A destination: a service, a server, the gateway, nowhere. */
static void pick_dst(struct ep *e, int v6)
{
	uint32_t k = rb(100);

	e->v6 = v6;
	e->port = chance(90) ? svc_ports[rb(7)] : (uint16_t)r64();
	if (k < 65) {
		if (v6)
			a6(e->a, vip6, 0);
		else
			a4(e->a, VIP4);
	} else if (k < 85) {
		if (v6)
			a6(e->a, srv6, 0x11 + rb(3));
		else
			a4(e->a, SRV4(rb(3)));
	} else if (k < 92) {
		if (v6)
			a6(e->a, chance(50) ? gwbr6 : fz6, chance(50) ? 0 : 1);
		else
			a4(e->a, chance(50) ? GWBR4 : FZ4(1));
		if (e->a[15] == 0 && v6)
			e->a[15] = 1;
	} else {
		if (v6)
			a6(e->a, none6, 0);
		else
			a4(e->a, NONE4);
	}
}

/* ---- packet building -------------------------------------------------- */
/* IPv4 options: odd ones, @room bytes (a multiple of 4). */
static void opt4(uint8_t *o, unsigned int room)
{
	unsigned int n = 0, len, j;

	while (n < room && chance(80)) {
		uint8_t t;

		switch (rb(9)) {
		case 0: t = 0; break;	/* end of list */
		case 1: t = 1; break;	/* no operation */
		case 2: t = 7; break;	/* record route */
		case 3: t = 68; break;	/* timestamp */
		case 4: t = 131; break;	/* loose source route */
		case 5: t = 137; break;	/* strict source route */
		case 6: t = 148; break;	/* router alert */
		case 7: t = 130; break;	/* security */
		default: t = r64(); break;
		}
		o[n++] = t;
		if (t < 2 || n >= room)
			continue;
		/* Mostly a length that fits, else anything. */
		len = chance(80) ? 2 + rb(room - n + 1) : rb(256);
		o[n++] = len;
		for (j = 2; j < len && n < room; j++)	/* pointer, data */
			o[n++] = j == 2 && chance(70) ? 4 + 4 * rb(4) : r64();
	}
	while (n < room)
		o[n++] = chance(80) ? 0 : r64();
}

/* An IPv4 header of @ihl words; the checksum is set. */
static void ip4(uint8_t *p, unsigned int ihl, uint8_t proto, const uint8_t *s,
		const uint8_t *d, unsigned int totlen, uint16_t frag, uint16_t id)
{
	p[0] = 0x40 | ihl;
	p[1] = chance(10) ? r64() : 0;
	put16(p + 2, totlen);
	put16(p + 4, id);
	put16(p + 6, frag);
	p[8] = chance(5) ? rb(2) : 64;
	p[9] = proto;
	put16(p + 10, 0);
	memcpy(p + 12, s, 4);
	memcpy(p + 16, d, 4);
	put16(p + 10, ~fold(sum16(p, ihl * 4, 0)));
}

static void ip4_fixsum(uint8_t *p, unsigned int avail)
{
	unsigned int hl = (p[0] & 15) * 4;

	if (hl < 20)
		hl = 20;
	if (hl > avail)
		hl = avail;
	put16(p + 10, 0);
	put16(p + 10, ~fold(sum16(p, hl, 0)));
}

static void ip6(uint8_t *p, uint8_t nh, const uint8_t *s, const uint8_t *d,
		unsigned int plen)
{
	put32(p, 0x60000000u | (chance(10) ? rb(1 << 20) : 0));
	put16(p + 4, plen);
	p[6] = nh;
	p[7] = chance(5) ? rb(2) : 64;
	memcpy(p + 8, s, 16);
	memcpy(p + 24, d, 16);
}

/* The L4 checksum of the segment at @l4 (@len bytes), pseudo header from
 * the addresses; @partial: the pseudo header sum only (CHECKSUM_PARTIAL). */
static void l4sum(uint8_t *l4, unsigned int len, uint8_t proto, int v6,
		  const uint8_t *s, const uint8_t *d, int partial)
{
	unsigned int off = proto == 6 ? 16 : proto == 17 ? 6 : 2;
	uint32_t ps = 0;
	uint16_t c;

	if (off + 2 > len)
		return;
	if (proto != 1)
		ps = sum16(s, v6 ? 16 : 4, sum16(d, v6 ? 16 : 4, 0)) + proto +
		     (len & 0xffff) + (len >> 16);
	put16(l4 + off, 0);
	if (partial) {
		put16(l4 + off, fold(ps));
		return;
	}
	c = ~fold(sum16(l4, len, ps));
	if (proto == 17 && c == 0)
		c = 0xffff;
	put16(l4 + off, c);
}

/* TCP options: mostly well formed, some not. */
static unsigned int tcpopts(uint8_t *o, unsigned int room)
{
	unsigned int n = 0;

	while (n + 2 <= room && chance(70)) {
		switch (rb(6)) {
		case 0:
			if (n + 4 > room)
				break;
			o[n] = 2; o[n + 1] = 4; put16(o + n + 2, rb(9000));
			n += 4;
			break;
		case 1:
			o[n++] = 1;
			break;
		case 2:
			if (n + 3 > room)
				break;
			o[n] = 3; o[n + 1] = 3; o[n + 2] = rb(20);
			n += 3;
			break;
		case 3:
			if (n + 10 > room)
				break;
			o[n] = 8; o[n + 1] = 10; rbytes(o + n + 2, 8);
			n += 10;
			break;
		default:
			o[n] = r64(); o[n + 1] = r64();
			n += 2;
		}
	}
	while (n < room)
		o[n++] = chance(80) ? 0 : r64();
	return n;
}

/* A TCP or UDP header and payload at @l4; returns its length. */
static unsigned int l4build(uint8_t *l4, uint8_t proto, const struct ep *s,
			    const struct ep *d, unsigned int plen, int soup)
{
	unsigned int hl;

	if (proto == 6) {
		unsigned int doff = 5 + (chance(soup ? 40 : 15) ? rb(11) : 0);

		put16(l4, s->port);
		put16(l4 + 2, d->port);
		put32(l4 + 4, r64());
		put32(l4 + 8, r64());
		l4[12] = doff << 4 | (soup && chance(20) ? rb(16) : 0);
		if (soup)
			l4[13] = r64();
		else
			l4[13] = (uint8_t[]){ 0x02, 0x10, 0x18, 0x11, 0x04, 0x12 }[rb(6)];
		put16(l4 + 14, r64());
		put16(l4 + 16, 0);
		put16(l4 + 18, soup && chance(30) ? r64() : 0);
		hl = doff * 4;
		tcpopts(l4 + 20, hl - 20);
	} else {
		hl = 8;
		put16(l4, s->port);
		put16(l4 + 2, d->port);
		put16(l4 + 4, 8 + plen);
		put16(l4 + 6, 0);
	}
	rbytes(l4 + hl, plen);
	return hl + plen;
}

/* ---- frames ----------------------------------------------------------- */
struct frame {
	uint8_t *buf;		/* virtio-net header, Ethernet, IP */
	unsigned int len;	/* all of it */
};

static struct frame fr[BATCH];
static unsigned int nfr;
static uint8_t smac[6], dmac[6];

enum { K_MUT, K_OPT4, K_EXT6, K_ICMP, K_FRAG, K_FLAGS, K_GSO, K_TRAIN,
       K_JUNK, K_MAX };
static const char *const kname[K_MAX] = { "mut", "opt4", "ext6", "icmp",
	"frag", "flags", "gso", "train", "junk" };
static const unsigned int kweight[K_MAX] = { 24, 8, 10, 14, 12, 12, 6, 8, 6 };
static unsigned long long kcount[K_MAX];

/* A new frame: its IP packet starts at the returned pointer; the virtio
 * header is zero (no GSO, no checksum offload). */
static uint8_t *frame_new(int v6)
{
	struct frame *f = &fr[nfr++];

	memset(f->buf, 0, VNET);
	memcpy(f->buf + VNET, dmac, 6);
	memcpy(f->buf + VNET + 6, smac, 6);
	put16(f->buf + VNET + 12, v6 ? ETH_P_IPV6 : ETH_P_IP);
	return f->buf + VNET + 14;
}

static void frame_end(unsigned int l3len)
{
	fr[nfr - 1].len = VNET + 14 + l3len;
}

/* ---- the cases ---------------------------------------------------------- */
/* A plain TCP or UDP packet from @s to @d at @p; returns its length. */
static unsigned int plain(uint8_t *p, uint8_t proto, const struct ep *s,
			  const struct ep *d, unsigned int plen, int soup,
			  unsigned int optlen)
{
	unsigned int l3 = d->v6 ? 40 : 20 + optlen, len;

	len = l4build(p + l3, proto, s, d, plen, soup);
	if (d->v6) {
		ip6(p, proto, s->a, d->a, len);
	} else {
		ip4(p, 5, proto, s->a, d->a, l3 + len, chance(50) ? 0x4000 : 0,
		    r64());
		if (optlen) {
			opt4(p + 20, optlen);
			p[0] = 0x40 | (l3 / 4);
			ip4_fixsum(p, l3);
		}
	}
	l4sum(p + l3, len, proto, d->v6, s->a, d->a, 0);
	return l3 + len;
}

static void case_mut(int soup)
{
	int v6 = chance(50);
	uint8_t proto = soup || chance(50) ? 6 : 17;
	struct ep s, d;
	uint8_t *p = frame_new(v6);
	unsigned int len, l3 = v6 ? 40 : 20, n, i;

	pick_src(&s, v6);
	pick_dst(&d, v6);
	len = plain(p, proto, &s, &d, rb(4) ? rb(64) : rb(1400), soup, 0);
	n = soup ? rb(2) : 1 + rb(4);
	for (i = 0; i < n; i++) {
		switch (rb(10)) {
		case 0:			/* truncated */
			len = rb(len + 1);
			break;
		case 1:			/* IP lengths */
			if (v6)
				put16(p + 4, chance(20) ? 0 : get16(p + 4) + rb(64) - 32);
			else
				put16(p + 2, chance(30) ? rb(80) : get16(p + 2) + rb(64) - 32);
			break;
		case 2:			/* IHL */
			if (!v6)
				p[0] = 0x40 | rb(16);
			break;
		case 3:			/* UDP length, TCP data offset */
			if (proto == 17)
				put16(p + l3 + 4, chance(30) ? rb(8) : rb(2000));
			else
				p[l3 + 12] = rb(256);
			break;
		case 4:			/* checksum */
			put16(p + l3 + (proto == 6 ? 16 : 6), chance(30) ? 0 : r64());
			break;
		case 5:			/* protocol */
			p[v6 ? 6 : 9] = (uint8_t[]){ 6, 17, 1, 58, 0, 4, 41, 47,
						     132, 136, 255 }[rb(11)];
			break;
		case 6:
		case 7:			/* flipped bytes */
			if (len)
				p[rb(len < 80 ? len : 80)] ^= 1 + rb(255);
			break;
		case 8:			/* trailing bytes */
			if (len + 64 < 1500) {
				unsigned int t = 1 + rb(64);

				rbytes(p + len, t);
				len += t;
			}
			break;
		default:		/* checksum right after all */
			if (len > l3)
				l4sum(p + l3, len - l3, proto, v6, s.a, d.a, 0);
		}
	}
	if (!v6 && len >= 20 && chance(95))
		ip4_fixsum(p, len);
	frame_end(len);
}

static void case_opt4(void)
{
	struct ep s, d;
	uint8_t *p = frame_new(0);
	unsigned int len, optlen = 4 * (1 + rb(10));

	pick_src(&s, 0);
	pick_dst(&d, 0);
	len = plain(p, chance(50) ? 6 : 17, &s, &d, rb(100), 0, optlen);
	if (chance(10))
		p[0] = 0x40 | rb(16);
	if (chance(10))
		len = rb(len + 1);
	ip4_fixsum(p, len);
	frame_end(len);
}

/* IPv6 extension headers at @p, ending with next header @last; returns
 * their length; *@first is the first one's type. */
static unsigned int ext6(uint8_t *p, unsigned int n, uint8_t last,
			 uint8_t *first, int allow_frag)
{
	static const uint8_t types[] = { 0, 43, 60, 44, 51, 50, 59, 135, 139,
					 253 };
	uint8_t t[16];
	unsigned int i, off = 0, hl;

	for (i = 0; i < n; i++) {
		t[i] = types[rb(sizeof(types))];
		if (t[i] == 44 && !allow_frag && chance(70))
			t[i] = 60;
		if (chance(30) && i)
			t[i] = t[i - 1];	/* the same again */
	}
	*first = n ? t[0] : last;
	for (i = 0; i < n; i++) {
		uint8_t nh = i + 1 < n ? t[i + 1] : last;

		p[off] = nh;
		if (t[i] == 44) {		/* fragment */
			p[off + 1] = 0;
			put16(p + off + 2, chance(60) ? rb(2) : r64());
			put32(p + off + 4, r64());
			off += 8;
			continue;
		}
		if (t[i] == 51)			/* AH: 4-byte units */
			hl = chance(80) ? 1 + rb(4) : rb(256);
		else
			hl = chance(85) ? rb(3) : rb(256);
		p[off + 1] = hl;
		hl = t[i] == 51 ? (hl + 2) * 4 : (hl + 1) * 8;
		if (hl > 64)
			hl = 64;	/* the header lies about its length */
		if (t[i] == 43) {		/* routing: type, segments left */
			p[off + 2] = (uint8_t[]){ 0, 2, 3, 4, 253 }[rb(5)];
			p[off + 3] = rb(4);
			rbytes(p + off + 4, hl - 4);
		} else if (t[i] == 0 || t[i] == 60) {
			/* options: pad1, padN, router alert, jumbo, junk */
			unsigned int j = 2;

			while (j < hl) {
				uint8_t ot = (uint8_t[]){ 0, 1, 5, 0xc2, 0x1e,
							  0xff }[rb(6)];

				p[off + j++] = ot;
				if (ot == 0 || j >= hl)
					continue;
				p[off + j] = rb(hl - j);
				rbytes(p + off + j + 1,
				       p[off + j] < hl - j - 1 ? p[off + j] : hl - j - 1);
				j += 1 + p[off + j];
			}
		} else {
			rbytes(p + off + 2, hl - 2);
		}
		off += hl;
	}
	return off;
}

static void case_ext6(void)
{
	struct ep s, d;
	uint8_t *p = frame_new(1);
	uint8_t proto = chance(50) ? 6 : 17, first;
	unsigned int n = chance(20) ? 7 + rb(6) : 1 + rb(4), ext, len;

	pick_src(&s, 1);
	pick_dst(&d, 1);
	ext = ext6(p + 40, n, proto, &first, 1);
	len = l4build(p + 40 + ext, proto, &s, &d, rb(100), 0);
	l4sum(p + 40 + ext, len, proto, 1, s.a, d.a, 0);
	ip6(p, first, s.a, d.a, ext + len);
	len += 40 + ext;
	if (chance(10))
		put16(p + 4, rb(ext + 60));
	if (chance(10))
		len = 40 + rb(len - 40);
	frame_end(len);
}

/*
 * An ICMP or ICMPv6 message: mostly errors, quoting a reply of one of the
 * fuzzer's flows (toward a service address: goes to a server), a packet
 * to a server (toward one of the fuzzer's addresses: leaves by the
 * gateway's veth again), a packet of a full NAT flow, or anything.
 */
static void case_icmp(void)
{
	int v6 = chance(50);
	uint8_t *p = frame_new(v6);
	uint8_t proto = chance(50) ? 6 : 17, qproto = proto;
	struct ep os, od, qs, qd;
	unsigned int l3 = v6 ? 40 : 20, q, ql, ext = 0, qlen, k = rb(4), len;
	uint8_t first = proto;

	pick_src(&os, v6);
	pick_dst(&od, v6);
	pick_src(&qs, v6);
	pick_dst(&qd, v6);
	switch (k) {
	case 0:		/* a reply of a fuzzer flow, to the service address */
		if (v6)
			a6(qs.a, vip6, 0);
		else
			a4(qs.a, VIP4);
		qs.port = svc_ports[rb(7)];
		if (v6)
			a6(qd.a, fz6, 2 + rb(8));
		else
			a4(qd.a, FZ4(2 + rb(8)));
		qd.port = 1000 + rb(64);
		memcpy(od.a, qs.a, 16);
		break;
	case 1:		/* a fuzzer packet to a server, back to the fuzzer */
		memcpy(qs.a, os.a, 16);
		if (v6)
			a6(qd.a, srv6, 0x11 + rb(3));
		else
			a4(qd.a, SRV4(rb(3)));
		qd.port = svc_ports[rb(7)];
		if (v6)
			a6(od.a, fz6, 2 + rb(8));
		else
			a4(od.a, FZ4(2 + rb(8)));
		if (chance(50))
			memcpy(os.a, qd.a, 16);		/* from the server */
		break;
	case 2:		/* full NAT: the gateway to a server */
		if (v6)
			a6(qs.a, gwbr6, 0);
		else
			a4(qs.a, GWBR4);
		qs.port = 1024 + rb(64512);
		if (v6)
			a6(qd.a, srv6, 0x11 + rb(3));
		else
			a4(qd.a, SRV4(rb(3)));
		qd.port = chance(50) ? 21 : 23;
		memcpy(od.a, qs.a, 16);
		break;
	default:	/* anything */
		break;
	}
	/* The ICMP header. */
	q = l3 + 8;
	if (v6)
		p[l3] = chance(85) ? 1 + rb(4) : (uint8_t[]){ 128, 129, 133,
						      135, 137, 0, 255 }[rb(7)];
	else
		p[l3] = chance(85) ? (uint8_t[]){ 3, 4, 11, 12 }[rb(4)] :
				     (uint8_t[]){ 0, 5, 8, 13, 255 }[rb(5)];
	p[l3 + 1] = chance(70) ? rb(5) : r64();
	put32(p + l3 + 4, chance(50) ? 0 : chance(50) ? 1280 + rb(300) : r64());
	/* The quote: IP header (maybe options, extension headers), L4. */
	if (v6) {
		if (chance(20))
			ext = ext6(p + q + 40, 1 + rb(3), qproto, &first, 1);
		if (chance(10))
			qproto = first = 58;
	} else {
		ext = chance(15) ? 4 * (1 + rb(6)) : 0;
		if (chance(10))
			qproto = 1;
	}
	qlen = qproto == 6 ? 20 : 8;
	ql = l4build(p + q + (v6 ? 40 : 20) + ext, qproto == 58 || qproto == 1 ?
		     17 : qproto, &qs, &qd, rb(32), 0);
	if (qproto == 58 || qproto == 1) {	/* ICMP in ICMP */
		p[q + (v6 ? 40 : 20) + ext] = v6 ? 1 + rb(4) : 3;
		qlen = 8;
	}
	if (v6) {
		ip6(p + q, first, qs.a, qd.a, ext + ql);
	} else {
		ip4(p + q, 5, qproto, qs.a, qd.a, 20 + ext + ql,
		    chance(10) ? rb(0x4000) : 0, r64());
		if (ext) {
			opt4(p + q + 20, ext);
			p[q] = 0x40 | (5 + ext / 4);
			ip4_fixsum(p + q, 20 + ext);
		}
	}
	if (chance(60))
		l4sum(p + q + (v6 ? 40 : 20) + ext, ql, qproto == 58 ? 58 : qproto,
		      v6, qs.a, qd.a, 0);
	qlen = (v6 ? 40 : 20) + ext + (chance(70) ? qlen + rb(ql - qlen + 1) : rb(qlen + 1));
	if (chance(10))
		qlen = rb(qlen + 1);
	len = q + qlen;
	if (v6) {
		ip6(p, 58, os.a, od.a, len - 40);
		if (chance(90))
			l4sum(p + 40, len - 40, 58, 1, os.a, od.a, 0);
	} else {
		ip4(p, 5, 1, os.a, od.a, len, 0, r64());
		if (chance(90))
			l4sum(p + 20, len - 20, 1, 0, os.a, od.a, 0);
	}
	if (chance(5))
		len = rb(len + 1);
	frame_end(len);
}

/* A datagram in fragments: out of order, duplicated, overlapping, tiny,
 * now and then incomplete. */
static void case_frag(void)
{
	static uint8_t dg[4096];
	int v6 = chance(50);
	uint8_t proto = chance(60) ? 17 : 6;
	struct ep s, d;
	unsigned int plen = 8 + rb(2400), len, off[CASE_MAX], sz[CASE_MAX];
	unsigned int n = 0, o = 0, i, order[CASE_MAX];
	uint32_t id = r64();

	pick_src(&s, v6);
	pick_dst(&d, v6);
	len = l4build(dg, proto, &s, &d, plen, chance(20));
	l4sum(dg, len, proto, v6, s.a, d.a, 0);
	/* Pieces: multiples of 8 but the last, some tiny. */
	while (o < len && n < 12) {	/* the tail may be missing */
		unsigned int z = chance(25) ? 8 : 8 * (1 + rb(180));

		if (o + z >= len)
			z = len - o;
		off[n] = o;
		sz[n++] = z;
		o += z;
	}
	/* Duplicates and overlaps. */
	while (n < 15 && chance(30)) {
		unsigned int j = rb(n);

		off[n] = chance(50) ? off[j] : (off[j] & ~7u) + 8 * rb(4);
		if (off[n] >= len)
			off[n] = off[j];
		sz[n] = chance(50) ? sz[j] : 8 * (1 + rb(20));
		if (off[n] + sz[n] > len)
			sz[n] = len - off[n];
		n++;
	}
	for (i = 0; i < n; i++)
		order[i] = i;
	if (chance(80))
		for (i = n - 1; i > 0; i--) {
			unsigned int j = rb(i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
	for (i = 0; i < n; i++) {
		unsigned int j = order[i];
		int more = off[j] + sz[j] < len;
		uint8_t *p;

		if (chance(5))
			continue;		/* lost: never complete */
		p = frame_new(v6);
		if (v6) {
			ip6(p, 44, s.a, d.a, 8 + sz[j]);
			p[40] = proto;
			p[41] = 0;
			put16(p + 42, off[j] | more);
			put32(p + 44, id);
			memcpy(p + 48, dg + off[j], sz[j]);
			if (chance(3))
				p[48 + rb(sz[j] ? sz[j] : 1)] ^= 0x55;
			frame_end(48 + sz[j]);
		} else {
			ip4(p, 5, proto, s.a, d.a, 20 + sz[j],
			    off[j] / 8 | (more ? 0x2000 : 0), id);
			memcpy(p + 20, dg + off[j], sz[j]);
			frame_end(20 + sz[j]);
		}
	}
}

/* TCP flag soup on the fuzzer's own flows (and others). */
static void case_flags(void)
{
	case_mut(1);
}

/* A GSO super-packet: TCP (v4, v6) or UDP L4, CHECKSUM_PARTIAL. */
static void case_gso(void)
{
	int v6 = chance(50);
	uint8_t proto = chance(75) ? 6 : 17;
	struct ep s, d;
	struct frame *f = &fr[nfr];
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)f->buf;
	uint8_t *p = frame_new(v6);
	unsigned int l3 = v6 ? 40 : 20, len, mss = 200 + rb(1300);
	unsigned int plen = mss + 1 + rb(chance(70) ? 8000 : 64000);

	if (l3 + 60 + plen > 65000)
		plen = 65000 - l3 - 60;

	pick_src(&s, v6);
	pick_dst(&d, v6);
	if (chance(70)) {		/* the fuzzer's own flows: sessions */
		if (v6)
			a6(s.a, fz6, 2 + rb(8));
		else
			a4(s.a, FZ4(2 + rb(8)));
	}
	len = l4build(p + l3, proto, &s, &d, plen, 0);
	if (proto == 6)
		p[l3 + 13] = 0x18;	/* ACK PSH */
	if (v6)
		ip6(p, proto, s.a, d.a, len);
	else
		ip4(p, 5, proto, s.a, d.a, l3 + len, 0x4000, r64());
	l4sum(p + l3, len, proto, v6, s.a, d.a, 1);
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = proto == 17 ? VIRTIO_NET_HDR_GSO_UDP_L4 :
		       v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = mss;
	vh->hdr_len = 14 + l3 + (proto == 6 ? (p[l3 + 12] >> 4) * 4 : 8);
	vh->csum_start = 14 + l3;
	vh->csum_offset = proto == 6 ? 16 : 6;
	if (chance(10))
		vh->gso_size = chance(50) ? 1 + rb(64) : 65535;
	if (chance(5))
		vh->gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	if (chance(5) && proto == 6)
		p[l3 + 13] = r64();
	frame_end(l3 + len);
}

/* In-order TCP segments of one flow: GRO on the gateway's veth merges
 * them. */
static void case_train(void)
{
	int v6 = chance(50);
	struct ep s, d;
	unsigned int n = 4 + rb(8), i, l3 = v6 ? 40 : 20, seg = 500 + rb(900);
	uint32_t seq = r64(), ack = r64();
	uint16_t id = r64();

	pick_src(&s, v6);
	pick_dst(&d, v6);
	if (v6)
		a6(s.a, fz6, 2 + rb(8));
	else
		a4(s.a, FZ4(2 + rb(8)));
	for (i = 0; i < n; i++) {
		uint8_t *p = frame_new(v6);
		uint8_t *t = p + l3;

		put16(t, s.port);
		put16(t + 2, d.port);
		put32(t + 4, seq + i * seg);
		put32(t + 8, ack);
		t[12] = 5 << 4;
		t[13] = i + 1 < n ? 0x10 : 0x18;
		put16(t + 14, 1000);
		put16(t + 18, 0);
		rbytes(t + 20, seg);
		l4sum(t, 20 + seg, 6, v6, s.a, d.a, 0);
		if (v6)
			ip6(p, 6, s.a, d.a, 20 + seg);
		else
			ip4(p, 5, 6, s.a, d.a, l3 + 20 + seg, 0x4000, id + i);
		if (!v6 && p[8] != 64) {
			p[8] = 64;	/* GRO wants the same TTL */
			ip4_fixsum(p, l3);
		}
		if (!v6)
			p[1] = 0, ip4_fixsum(p, l3);
		else
			put32(p, 0x60000000u), p[7] = 64;
		frame_end(l3 + 20 + seg);
	}
}

static void case_junk(void)
{
	int v6 = chance(50);
	uint8_t *p = frame_new(v6);
	unsigned int len = rb(chance(80) ? 80 : 1500);

	rbytes(p, len);
	if (len && chance(50))
		p[0] = (p[0] & 15) | (v6 ? 0x60 : 0x40);
	if (!v6 && len >= 20 && chance(50))
		ip4_fixsum(p, len);
	frame_end(len);
}

static void gen_case(void)
{
	unsigned int w = rb(100), k = 0;

	while (w >= kweight[k]) {
		w -= kweight[k];
		k++;
	}
	kcount[k]++;
	switch (k) {
	case K_MUT: case_mut(0); break;
	case K_OPT4: case_opt4(); break;
	case K_EXT6: case_ext6(); break;
	case K_ICMP: case_icmp(); break;
	case K_FRAG: case_frag(); break;
	case K_FLAGS: case_flags(); break;
	case K_GSO: case_gso(); break;
	case K_TRAIN: case_train(); break;
	default: case_junk(); break;
	}
}

/* ---- sending ------------------------------------------------------------ */
static unsigned long long sent, refused, stalls, waits, wait_us, t0;
static unsigned long long seed, want;
static unsigned int backlog_max, backlog_seen;
static int softnet = -1;

static unsigned long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000,
			       .tv_nsec = us % 1000000 * 1000L };

	nanosleep(&ts, NULL);
}

/*
 * Packets in the per-CPU backlog queues now: the 12th column of
 * /proc/net/softnet_stat (softnet_backlog_len, Linux 5.10), summed.
 * 0 when the kernel does not show it.
 */
static unsigned int backlog(void)
{
	static char b[8192];
	unsigned int sum = 0;
	ssize_t n;
	char *l;

	if (softnet < 0)
		return 0;
	n = pread(softnet, b, sizeof(b) - 1, 0);
	if (n <= 0)
		return 0;
	b[n] = 0;
	for (l = b; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		unsigned int v[13];

		if (sscanf(l, "%x %x %x %x %x %x %x %x %x %x %x %x %x", &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
			   &v[8], &v[9], &v[10], &v[11], &v[12]) >= 12)
			sum += v[11];
	}
	if (sum > backlog_seen)
		backlog_seen = sum;
	return sum;
}

/* Until the backlog queues are down to backlog_max (but not past @end). */
static void drain(unsigned long long end)
{
	unsigned long long w0 = 0, t;
	unsigned int us = 50;

	while (backlog() > backlog_max) {
		t = now_us();
		if (!w0) {
			w0 = t;
			waits++;
		}
		if (t > end)
			break;
		sleep_us(us);
		if (us < 2000)
			us *= 2;
	}
	if (w0)
		wait_us += now_us() - w0;
}

static void report(void)
{
	double el = (now_us() - t0) / 1e6;
	int k;

	printf("seed %llu\nwanted %llu\nsent %llu\nrefused %llu\nstalls %llu\n"
	       "backlog_limit %u\nbacklog_waits %llu\nbacklog_wait_s %.1f\n"
	       "backlog_max_seen %u\nelapsed %.1f\nrate %.0f\n", seed, want,
	       sent, refused, stalls, backlog_max, waits, wait_us / 1e6,
	       backlog_seen, el, el > 0 ? sent / el : 0);
	for (k = 0; k < K_MAX; k++)
		printf("cases_%s %llu\n", kname[k], kcount[k]);
	fflush(stdout);
}

static void on_alarm(int sig)
{
	(void)sig;
	report();
	_exit(3);
}

static int parse_mac(const char *s, uint8_t *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET };
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	unsigned long long end;
	int fd, one = 1, buf = 64 << 20, i, seconds;

	if ((argc != 7 && argc != 8) || parse_mac(argv[2], smac) ||
	    parse_mac(argv[3], dmac) || (seconds = atoi(argv[6])) <= 0) {
		fprintf(stderr, "usage: pktfuzz IFNAME SRC_MAC DST_MAC COUNT SEED SECONDS [BACKLOG]\n");
		return 2;
	}
	want = strtoull(argv[4], NULL, 0);
	seed = strtoull(argv[5], NULL, 0);
	backlog_max = argc == 8 ? strtoul(argv[7], NULL, 0) : 64;
	rs = seed;
	for (i = 0; i < POOL; i += 8) {
		uint64_t v = r64();

		memcpy(pool + i, &v, 8);
	}
	ll.sll_ifindex = if_nametoindex(argv[1]);
	ll.sll_protocol = 0;	/* send only */
	if (!ll.sll_ifindex) {
		perror(argv[1]);
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ll, sizeof(ll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one))) {
		perror("AF_PACKET socket");
		return 1;
	}
	/* Straight to the driver: no qdisc on the way; a frame the veth
	 * drops is an error (ENOBUFS) to this sender. */
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	softnet = open("/proc/net/softnet_stat", O_RDONLY);
	if (softnet < 0) {
		perror("/proc/net/softnet_stat");
	} else {
		char l[256] = "";
		ssize_t n = pread(softnet, l, sizeof(l) - 1, 0);
		unsigned int c = 0;
		char *q;

		/* The backlog column is there? */
		for (q = l; n > 0 && *q && *q != '\n'; q++)
			c += *q == ' ';
		if (c < 11) {
			fprintf(stderr, "softnet_stat without backlog_len: no pacing by the backlog\n");
			close(softnet);
			softnet = -1;
		}
	}
	for (i = 0; i < BATCH; i++) {
		fr[i].buf = calloc(1, FRAME_MAX);
		if (!fr[i].buf)
			return 1;
	}
	signal(SIGALRM, on_alarm);
	alarm(seconds + 10);
	t0 = now_us();
	end = t0 + seconds * 1000000ULL;
	while (sent < want) {
		unsigned int done = 0, us = 50;

		nfr = 0;
		while (nfr + CASE_MAX <= BATCH)
			gen_case();
		for (i = 0; i < (int)nfr; i++) {
			memset(&msg[i], 0, sizeof(msg[i]));
			iov[i].iov_base = fr[i].buf;
			iov[i].iov_len = fr[i].len;
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
		}
		while (done < nfr && sent < want) {
			unsigned int k = nfr - done;
			int n;

			if (k > SEND)
				k = SEND;
			if (k > want - sent)
				k = want - sent;	/* exactly COUNT */
			drain(end);
			n = sendmmsg(fd, msg + done, k, 0);
			if (n > 0) {
				done += n;
				sent += n;
				us = 50;
			} else if (errno == EAGAIN || errno == ENOBUFS) {
				/* The veth turned the frame away: a pause,
				 * longer while it lasts, and the same frame
				 * again. */
				stalls++;
				sleep_us(us);
				if (us < 20000)
					us *= 2;
			} else if (errno != EINTR) {
				/* The kernel refused this frame (a virtio
				 * header it does not take, a frame too short
				 * or too long for the device): next one. */
				refused++;
				done++;
			}
			if (now_us() > end) {
				report();
				return 3;
			}
		}
	}
	report();
	return 0;
}
