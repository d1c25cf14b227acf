// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP and ICMPv6 errors that quote a translated flow are translated too,
 * so that path MTU discovery and traceroute work through the gateway:
 *   - an error toward a service address, quoting a packet sent from it
 *     (a router between gateway and client could not deliver a reply),
 *     goes to the flow's server, as if the server's packet were quoted
 *     (svcgw_icmp_in(), from the first hook);
 *   - an error toward a client, quoting a packet sent to a server (the
 *     server, a router behind the gateway, or the gateway itself could
 *     not deliver the client's packet), gets the service address and port
 *     back in the quote and, if the server itself sent it, as its source
 *     (svcgw_icmp_out(), from the reply hook, which sees the gateway's own
 *     errors too);
 *   - an error toward a full NAT address, about a packet the gateway sent
 *     a server for a client, goes to the client (icmp_fullnat()).
 * The header arithmetic is pure code (svcgw_icmp_nat(), pkt.c).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/checksum.h>

#include "icmp.h"
#include "flow.h"
#include "fullnat.h"
#include "session.h"
#include "service.h"
#include "stats.h"

/* The flow of the other direction. */
static void tuple_invert(struct svcgw_tuple *r, const struct svcgw_tuple *t)
{
	memset(r, 0, sizeof(*r));
	r->src = t->dst;
	r->dst = t->src;
	r->sport = t->dport;
	r->dport = t->sport;
	r->proto = t->proto;
	r->family = t->family;
}

/*
 * Finish a translated ICMP error: its checksum covers the whole message
 * (and, for ICMPv6, the addresses), so it is computed afresh, as
 * nf_nat_icmp_reply_translation() does; errors are few and short.
 */
static void icmp_finish(struct sk_buff *skb, const struct svcgw_pkt *p)
{
	unsigned int len = skb->len - p->l4off;
	__sum16 *check = (__sum16 *)(skb->data + p->l4off + 2);
	__wsum csum;

	*check = 0;
	csum = skb_checksum(skb, p->l4off, len, 0);
	if (p->t.family == AF_INET) {
		*check = csum_fold(csum);
	} else {
		const struct ipv6hdr *ip6 = ipv6_hdr(skb);

		*check = csum_ipv6_magic(&ip6->saddr, &ip6->daddr, len,
					 IPPROTO_ICMPV6, csum);
	}
	/* A sum the device made of the old bytes no longer holds. */
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
}

/* The quoted headers writable; counted and false if not. */
static bool icmp_writable(struct svcgw_net *sn, struct sk_buff *skb,
			  const struct svcgw_pkt *p)
{
	if (likely(!skb_ensure_writable(skb, p->in_l4off + p->in_l4len)))
		return true;
	svcgw_event(sn, SVCGW_EV_DROP_NOMEM);
	return false;
}

/* Is the error's own destination (@dst) or source address @a? */
static bool icmp_outer_is(const struct sk_buff *skb,
			  const struct svcgw_pkt *p, bool dst,
			  const union svcgw_addr *a)
{
	const void *o;

	if (p->t.family == AF_INET)
		o = dst ? &ip_hdr(skb)->daddr : &ip_hdr(skb)->saddr;
	else
		o = dst ? &ipv6_hdr(skb)->daddr : &ipv6_hdr(skb)->saddr;
	return !memcmp(o, a, svcgw_addr_len(p->t.family));
}

/*
 * An ICMP error to the gateway's full NAT address about a packet the
 * gateway sent a server on a client's behalf: it goes to the client,
 * about the packet as the client sent it, from the service address when
 * the server sent it.
 */
static unsigned int icmp_fullnat(struct svcgw_net *sn, struct sk_buff *skb,
				 struct svcgw_pkt *p)
{
	struct svcgw_tuple flow, o;
	bool from_server;

	tuple_invert(&flow, &p->t);
	if (!svcgw_fullnat_find_rcu(sn, &flow, &o))
		return NF_ACCEPT;
	if (!icmp_writable(sn, skb, p))
		return NF_DROP;
	from_server = icmp_outer_is(skb, p, false, &p->t.dst);
	svcgw_icmp_nat(skb->data, p, false, &o.src, o.sport, true, &o.src);
	svcgw_icmp_nat(skb->data, p, true, &o.dst, o.dport, false,
		       from_server ? &o.dst : NULL);
	icmp_finish(skb, p);
	skb_dst_drop(skb);
	return NF_ACCEPT;
}

/*
 * An ICMP error toward a service address about a packet the service sent
 * (a reply, translated by svcgw_out): the error goes to the server of
 * that flow, quoting the packet as the server sent it.
 */
unsigned int svcgw_icmp_in(struct svcgw_net *sn, struct sk_buff *skb,
			   struct svcgw_pkt *p)
{
	struct svcgw_session *s = NULL;
	struct svcgw_service *svc;
	struct svcgw_server *srv;
	struct svcgw_tuple flow, reply;
	struct svcgw_key key;
	bool make;

	svcgw_key_of(&key, &p->t.src, p->t.sport, &p->t);
	svc = svcgw_service_lookup_rcu(sn, &key);
	if (!svc)
		return READ_ONCE(sn->nfullnat) ? icmp_fullnat(sn, skb, p) :
						 NF_ACCEPT;
	/* The flow as the client sent it: client -> service. */
	tuple_invert(&flow, &p->t);
	if (atomic_read(&sn->nsessions)) {
		s = svcgw_session_lookup_rcu(sn, &flow, SVCGW_DIR_ORIG);
		if (s && svcgw_session_expired(s))
			s = NULL;
	}
	if (s) {
		srv = s->server;
		svcgw_session_tuple(s, SVCGW_DIR_REPLY, &reply);
	} else {
		srv = svcgw_flow_pick_rcu(sn, svc, &flow, false, &make);
	}
	if (!srv)
		return NF_ACCEPT;
	if (!icmp_writable(sn, skb, p))
		return NF_DROP;
	/* The error's destination is the service address, normally. */
	svcgw_icmp_nat(skb->data, p, false, &srv->ep.addr, srv->ep.port, true,
		       icmp_outer_is(skb, p, true, &p->t.src) ?
		       &srv->ep.addr : NULL);
	/* Full NAT: the server sent its packet to the gateway's address. */
	if (s && !(svcgw_addr_equal(&reply.dst, &flow.src) &&
		   reply.dport == flow.sport))
		svcgw_icmp_nat(skb->data, p, true, &reply.dst, reply.dport,
			       false, NULL);
	icmp_finish(skb, p);
	skb_dst_drop(skb);
	return NF_ACCEPT;
}

/*
 * An ICMP error about a packet sent to a server (client -> server): the
 * quote gets the service endpoint back, and so does the error's source
 * when the server itself sent it.
 */
unsigned int svcgw_icmp_out(struct svcgw_net *sn, struct sk_buff *skb,
			    struct svcgw_pkt *p)
{
	struct svcgw_tuple flow;
	union svcgw_addr addr;
	__be16 port;

	tuple_invert(&flow, &p->t);
	if (!svcgw_flow_reply_endpoint_rcu(sn, &flow, false, p, &addr, &port))
		return NF_ACCEPT;
	if (!icmp_writable(sn, skb, p))
		return NF_DROP;
	svcgw_icmp_nat(skb->data, p, true, &addr, port, false,
		       icmp_outer_is(skb, p, false, &p->t.dst) ?
		       &addr : NULL);
	icmp_finish(skb, p);
	return NF_ACCEPT;
}
