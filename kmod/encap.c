// SPDX-License-Identifier: GPL-2.0
/*
 * The encapsulating forwarding methods, ipip and gue (enum svcgw_method):
 * at PREROUTING, the client's packet, untouched, is put inside an IP
 * header (and for GUE a UDP and GUE header, tunnel.h) from a gateway
 * address to its server, and sent from here as the gateway's own
 * (ip_local_out(): the OUTPUT and POSTROUTING hooks see the outer packet),
 * as IPVS's tunnel method does; the hook then returns NF_STOLEN.  The
 * server decapsulates with the kernel's own devices and answers the client
 * directly from the service address.
 *
 * The route to each server is kept per CPU in its dst_cache (as tunnel
 * devices keep theirs), checked against routing changes at every use.  A
 * packet that no longer fits the path once the header is added gets the
 * ICMP error path MTU discovery needs, addressed to the client, with the
 * path's MTU less the header; GSO packets go out as GSO of the tunnel's
 * type (the device or the stack segments them, each segment
 * encapsulated).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/ip6_checksum.h>
#include <net/ip_tunnels.h>
#include <net/inet_ecn.h>
#include <net/route.h>
#include <net/udp.h>
#include <net/icmp.h>

#include "encap.h"
#include "tunnel.h"
#include "stats.h"

/* The outer source the service or the namespace asks for; any: routing's. */
static void encap_src(struct svcgw_net *sn, struct svcgw_service *svc,
		      u8 family, union svcgw_addr *a)
{
	struct svcgw_encap_src *es = rcu_dereference(svc->encap_src);

	if (!es)
		es = rcu_dereference(sn->encap_src[family == AF_INET6]);
	if (es)
		*a = es->addr;
	else
		memset(a, 0, sizeof(*a));
}

/* Too big for @mtu once encapsulated? */
static bool encap_too_big(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb_is_gso(skb))
		return !skb_gso_validate_network_len(skb, mtu);
	return skb->len > mtu;
}

/* Push the UDP and GUE headers of @srv's flow @flowid. */
static void encap_push_gue(struct net *net, struct sk_buff *skb,
			   struct svcgw_server *srv, u8 family, u32 flowid)
{
	struct udphdr *uh;
	int lo, hi;

	svcgw_gue_build(__skb_push(skb, SVCGW_GUE_HLEN), family, flowid);
	uh = __skb_push(skb, sizeof(*uh));
	skb_reset_transport_header(skb);
	inet_get_local_port_range(net, &lo, &hi);
	uh->source = svcgw_gue_sport(flowid, lo, hi);
	uh->dest = srv->fwd.gue_port;
	uh->len = htons(skb->len);
	uh->check = 0;
}

/* Room for @hlen more bytes and the link's header, the offload type set:
 * false if the skb could not be made so.
 */
static bool encap_prepare(struct sk_buff *skb, const struct dst_entry *dst,
			  unsigned int hlen, int gso_type, u8 inner_proto)
{
	unsigned int room = LL_RESERVED_SPACE(dst->dev) + dst->header_len +
			    hlen;

	if (skb_cow_head(skb, room))
		return false;
	if (iptunnel_handle_offloads(skb, gso_type))
		return false;
	skb_set_inner_ipproto(skb, inner_proto);
	return true;
}

static unsigned int encap_xmit4(struct svcgw_net *sn,
				struct svcgw_service *svc,
				struct svcgw_server *srv, struct sk_buff *skb,
				const struct svcgw_tuple *t)
{
	u8 method = srv->fwd.method;
	unsigned int hlen = svcgw_tunnel_overhead(method, AF_INET);
	struct net *net = sn->net;
	union svcgw_addr want;
	struct iphdr *iph;
	struct rtable *rt;
	__be32 saddr;
	u8 dsfield, proto;
	__be16 df;
	int mtu;

	encap_src(sn, svc, AF_INET, &want);
	rt = dst_cache_get_ip4(&srv->dst_cache, &saddr);
	if (!rt || (want.ip && saddr != want.ip)) {
		struct flowi4 fl4 = {
			.daddr = srv->ep.addr.ip,
			.saddr = want.ip,
			.flowi4_proto = method == SVCGW_METHOD_GUE ?
					IPPROTO_UDP : IPPROTO_IPIP,
		};

		if (rt)
			ip_rt_put(rt);
		rt = ip_route_output_key(net, &fl4);
		if (IS_ERR(rt) || rt->rt_type != RTN_UNICAST) {
			if (!IS_ERR(rt))
				ip_rt_put(rt);
			svcgw_event(sn, SVCGW_EV_DROP_NO_ROUTE);
			return NF_DROP;
		}
		saddr = fl4.saddr;
		dst_cache_set_ip4(&srv->dst_cache, &rt->dst, saddr);
	}

	iph = ip_hdr(skb);
	df = iph->frag_off & htons(IP_DF);
	mtu = dst_mtu(&rt->dst) - hlen;
	if (df && encap_too_big(skb, mtu)) {
		ip_rt_put(rt);
		svcgw_event(sn, SVCGW_EV_ENCAP_TOO_BIG);
		/* icmp_send() answers by the packet's input route. */
		if (skb_dst(skb) ||
		    !ip_route_input_noref(skb, iph->daddr, iph->saddr,
					  iph->tos, skb->dev))
			icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
				  htonl(max(mtu, 68)));
		return NF_DROP;
	}
	dsfield = INET_ECN_encapsulate(ipv4_get_dsfield(iph),
				       ipv4_get_dsfield(iph));
	if (!encap_prepare(skb, &rt->dst, hlen,
			   method == SVCGW_METHOD_GUE ?
			   SKB_GSO_UDP_TUNNEL_CSUM : SKB_GSO_IPXIP4,
			   IPPROTO_IPIP)) {
		ip_rt_put(rt);
		svcgw_event(sn, SVCGW_EV_DROP_NOMEM);
		return NF_DROP;
	}
	proto = IPPROTO_IPIP;
	if (method == SVCGW_METHOD_GUE) {
		/* The flow identifier: IPIP over IPv4 carries none. */
		encap_push_gue(net, skb, srv, AF_INET,
			       svcgw_flow_hash(t, sn->hash_seed));
		udp_set_csum(false, skb, saddr, srv->ep.addr.ip, skb->len);
		proto = IPPROTO_UDP;
	}

	skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(*iph) >> 2;
	iph->tos = dsfield;
	iph->frag_off = df;
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = proto;
	iph->saddr = saddr;
	iph->daddr = srv->ep.addr.ip;
	iph->tot_len = 0;	/* __ip_local_out() sets it and the sum */
	ip_select_ident_segs(net, skb, NULL,
			     skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	skb->protocol = htons(ETH_P_IP);
	nf_reset_ct(skb);
	skb_dst_drop(skb);
	skb_dst_set(skb, &rt->dst);
	svcgw_event(sn, SVCGW_EV_ENCAP_PACKETS);
	ip_local_out(net, NULL, skb);
	return NF_STOLEN;
}

#if IS_ENABLED(CONFIG_IPV6)
static unsigned int encap_xmit6(struct svcgw_net *sn,
				struct svcgw_service *svc,
				struct svcgw_server *srv, struct sk_buff *skb,
				const struct svcgw_tuple *t)
{
	/* The flow identifier: in GUE, and the outer flow label. */
	u32 flowid = svcgw_flow_hash(t, sn->hash_seed);
	u8 method = srv->fwd.method;
	unsigned int hlen = svcgw_tunnel_overhead(method, AF_INET6);
	const struct in6_addr *daddr = (const struct in6_addr *)&srv->ep.addr;
	struct net *net = sn->net;
	union svcgw_addr want;
	struct in6_addr saddr;
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;
	u8 dsfield, proto;
	int mtu;

	encap_src(sn, svc, AF_INET6, &want);
	dst = dst_cache_get_ip6(&srv->dst_cache, &saddr);
	if (!dst || (!ipv6_addr_any((struct in6_addr *)&want) &&
		     !ipv6_addr_equal(&saddr, (struct in6_addr *)&want))) {
		struct flowi6 fl6 = {
			.daddr = *daddr,
			.saddr = *(struct in6_addr *)&want,
			.flowi6_proto = method == SVCGW_METHOD_GUE ?
					IPPROTO_UDP : IPPROTO_IPV6,
		};

		dst_release(dst);
		dst = NULL;
		/* Picks the source too, when none is asked for. */
		if (ip6_dst_lookup(net, NULL, &dst, &fl6) ||
		    (dst->dev->flags & IFF_LOOPBACK)) {
			dst_release(dst);
			svcgw_event(sn, SVCGW_EV_DROP_NO_ROUTE);
			return NF_DROP;
		}
		saddr = fl6.saddr;
		dst_cache_set_ip6(&srv->dst_cache, dst, &saddr);
	}

	ip6h = ipv6_hdr(skb);
	mtu = dst_mtu(dst) - hlen;
	/* IPv6 links carry 1280 bytes: below that the outer packet is
	 * fragmented rather than the client told of a smaller MTU.
	 */
	if (mtu < IPV6_MIN_MTU) {
		mtu = IPV6_MIN_MTU;
		skb->ignore_df = 1;
	}
	if (encap_too_big(skb, mtu)) {
		dst_release(dst);
		svcgw_event(sn, SVCGW_EV_ENCAP_TOO_BIG);
		icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		return NF_DROP;
	}
	dsfield = INET_ECN_encapsulate(ipv6_get_dsfield(ip6h),
				       ipv6_get_dsfield(ip6h));
	if (!encap_prepare(skb, dst, hlen,
			   method == SVCGW_METHOD_GUE ?
			   SKB_GSO_UDP_TUNNEL_CSUM : SKB_GSO_IPXIP6,
			   IPPROTO_IPV6)) {
		dst_release(dst);
		svcgw_event(sn, SVCGW_EV_DROP_NOMEM);
		return NF_DROP;
	}
	proto = IPPROTO_IPV6;
	if (method == SVCGW_METHOD_GUE) {
		encap_push_gue(net, skb, srv, AF_INET6, flowid);
		udp6_set_csum(false, skb, &saddr, daddr, skb->len);
		proto = IPPROTO_UDP;
	}

	skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	/* The flow label from the flow identifier: ECMP spreads by it. */
	ip6_flow_hdr(ip6h, dsfield, htonl(flowid & 0xfffff) ?: htonl(1));
	ip6h->payload_len = 0;	/* __ip6_local_out() sets it */
	ip6h->nexthdr = proto;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = saddr;
	ip6h->daddr = *daddr;
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	skb->protocol = htons(ETH_P_IPV6);
	nf_reset_ct(skb);
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	svcgw_event(sn, SVCGW_EV_ENCAP_PACKETS);
	ip6_local_out(net, NULL, skb);
	return NF_STOLEN;
}
#endif

unsigned int svcgw_encap_xmit(struct svcgw_net *sn, struct svcgw_service *svc,
			      struct svcgw_server *srv, struct sk_buff *skb,
			      const struct svcgw_pkt *p)
{
	if (p->t.family == AF_INET)
		return encap_xmit4(sn, svc, srv, skb, &p->t);
#if IS_ENABLED(CONFIG_IPV6)
	return encap_xmit6(sn, svc, srv, skb, &p->t);
#else
	return NF_DROP;
#endif
}

void svcgw_encap_net_exit(struct svcgw_net *sn)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(sn->encap_src); i++)
		kfree(rcu_dereference_protected(sn->encap_src[i], true));
}
