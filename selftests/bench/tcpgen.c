// SPDX-License-Identifier: GPL-2.0
/*
 * tcpgen: 64-byte TCP segments for "make bench", which pktgen cannot make
 * (it builds UDP only).  Sends Ethernet frames through an AF_PACKET socket
 * on one end of a veth pair; the other end receives them as if from the
 * wire.  The whole receive path then runs in this process's context, on
 * its CPU, as pktgen's does in its thread.
 *
 *   tcpgen IFNAME DST_MAC SECONDS MODE
 *
 * MODE "flows": ACK segments of 1024 flows (32 sources 203.0.113.2-.33 x
 *               32 ports 10000-10031), drawn at random;
 *      "new":   SYN segments from random sources in 10.0.0.0/14 and random
 *               ports 1024-65534: nearly every segment a new flow.
 * All to 192.0.2.10:80.  Prints "ELAPSED_US SENT ERRORS" when done.
 *
 * Built in the guest by bench.sh (gcc -O2); the checksums are complete
 * (the socket's packets are CHECKSUM_NONE), so every engine on the way
 * updates them as it would for a packet from a real NIC without offload.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME	60		/* 64 on the wire with the FCS */
#define BATCH	32

static uint64_t rnd_state = 88172645463325252ULL;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state >> 16;
}

static uint32_t sum16(const void *p, size_t len, uint32_t s)
{
	const uint16_t *w = p;

	for (; len > 1; len -= 2)
		s += *w++;
	if (len)
		s += *(const uint8_t *)w;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

/* One frame: fresh source address and port, both checksums. */
static void fill(uint8_t *f, int new_flows)
{
	struct iphdr *ip = (struct iphdr *)(f + ETH_HLEN);
	struct tcphdr *th = (struct tcphdr *)(ip + 1);
	uint32_t src, s;
	uint16_t sport;

	if (new_flows) {
		src = 0x0a000001 + rnd() % 0x3fffe;	/* 10.0.0.1 - 10.3.255.254 */
		sport = 1024 + rnd() % 64511;
	} else {
		uint32_t r = rnd();

		src = 0xcb007102 + (r & 31);		/* 203.0.113.2 - .33 */
		sport = 10000 + ((r >> 5) & 31);
	}
	ip->saddr = htonl(src);
	ip->check = 0;
	ip->check = fold(sum16(ip, sizeof(*ip), 0));
	th->source = htons(sport);
	th->check = 0;
	s = sum16(&ip->saddr, 8, 0) + htons(IPPROTO_TCP) + htons(sizeof(*th));
	th->check = fold(sum16(th, sizeof(*th), s));
}

static int parse_mac(const char *s, uint8_t *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static uint8_t frames[BATCH][FRAME];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll ll = { .sll_family = AF_PACKET };
	uint64_t t0, t1, end, sent = 0, errors = 0;
	uint8_t dmac[6];
	int fd, one = 1, new_flows, i;
	double seconds;

	if (argc != 5 || parse_mac(argv[2], dmac) ||
	    (seconds = atof(argv[3])) <= 0 ||
	    (strcmp(argv[4], "flows") && strcmp(argv[4], "new"))) {
		fprintf(stderr, "usage: tcpgen IFNAME DST_MAC SECONDS flows|new\n");
		return 2;
	}
	new_flows = !strcmp(argv[4], "new");
	/* A fresh sequence every run: new flows must be new to the tables. */
	if (getrandom(&rnd_state, sizeof(rnd_state), 0) != sizeof(rnd_state))
		rnd_state ^= now_us() ^ (uint64_t)getpid() << 32;
	rnd_state |= 1;
	ll.sll_ifindex = if_nametoindex(argv[1]);
	ll.sll_protocol = htons(ETH_P_IP);
	if (!ll.sll_ifindex) {
		perror(argv[1]);
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ll, sizeof(ll))) {
		perror("AF_PACKET socket");
		return 1;
	}
	/* Straight to the driver, as pktgen: no qdisc on the way. */
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));

	memset(msg, 0, sizeof(msg));
	for (i = 0; i < BATCH; i++) {
		uint8_t *f = frames[i];
		struct ethhdr *eth = (struct ethhdr *)f;
		struct iphdr *ip = (struct iphdr *)(f + ETH_HLEN);
		struct tcphdr *th = (struct tcphdr *)(ip + 1);

		memset(f, 0, FRAME);
		memcpy(eth->h_dest, dmac, 6);
		memcpy(eth->h_source, "\x02\x00\x00\x00\x00\x02", 6);
		eth->h_proto = htons(ETH_P_IP);
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons(sizeof(*ip) + sizeof(*th));
		ip->ttl = 64;
		ip->protocol = IPPROTO_TCP;
		ip->daddr = htonl(0xc000020a);		/* 192.0.2.10 */
		th->dest = htons(80);
		th->seq = htonl(1);
		th->ack_seq = htonl(new_flows ? 0 : 1);
		th->doff = 5;
		th->syn = new_flows;
		th->ack = !new_flows;
		th->window = htons(65535);
		iov[i].iov_base = f;
		iov[i].iov_len = FRAME;
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}

	t0 = now_us();
	end = t0 + (uint64_t)(seconds * 1e6);
	do {
		int n;

		for (i = 0; i < BATCH; i++)
			fill(frames[i], new_flows);
		n = sendmmsg(fd, msg, BATCH, 0);
		t1 = now_us();
		if (n < 0) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				perror("sendmmsg");
				return 1;
			}
			errors += BATCH;
			continue;
		}
		sent += n;
		errors += BATCH - n;
	} while (t1 < end);
	printf("%llu %llu %llu\n", (unsigned long long)(t1 - t0),
	       (unsigned long long)sent, (unsigned long long)errors);
	return 0;
}
