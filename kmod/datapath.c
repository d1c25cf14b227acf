// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: what the two hooks do with a packet, per namespace,
 * for IPv4 and IPv6 (hooks.c registers them while the namespace has a
 * service).
 *
 *   svcgw_in  (PREROUTING, before conntrack): a packet whose destination
 *             is a service is sent to a server: session first, else the
 *             service's mapping table (which may make a session).
 *             Destination rewritten, routed on as usual.
 *   svcgw_out (POSTROUTING): a forwarded packet whose source is a server
 *             endpoint, or that matches a session's reply, gets the
 *             service address back as its source.
 *
 * Replies are translated after routing, as conntrack's NAT does it: a
 * reply the gateway cannot forward (too big for the next link, hop limit
 * reached) makes an ICMP error addressed to the server that sent it,
 * about the packet the server sent, which is what the server's stack can
 * act on.  ICMP errors about translated flows: icmp.c.  Full NAT's
 * translations: fullnat.c.  ICMP echo is never touched: an echo request
 * to a service address is routed like any packet, so the gateway answers
 * it when the address is configured on it (as IPVS needs) and nobody
 * does otherwise.
 *
 * With nf_conntrack loaded, conntrack therefore sees the real flow,
 * client <-> server, in both directions: rules that match on conntrack
 * state keep working and no conntrack NAT is involved.  Fragments are
 * reassembled first (nf_defrag_ipv4, nf_defrag_ipv6: the ports are in the
 * first fragment only, and every fragment of a datagram must reach the
 * same server); the output path fragments again as needed.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "datapath.h"
#include "service.h"
#include "session.h"
#include "server.h"
#include "flow.h"
#include "fullnat.h"
#include "icmp.h"
#include "encap.h"
#include "policy.h"
#include "nat.h"
#include "stats.h"

/*
 * A TCP or UDP packet with no service (@in) or server (else) address at
 * its destination (@in) or source has nothing to do with svcgw, when no
 * full NAT service exists: told from the IP header, before any parsing.
 * Most packets that pass the first hook are replies, from servers; most
 * that pass the reply hook come from clients, on their way to a server.
 */
static bool svcgw_pass(struct svcgw_net *sn, const struct sk_buff *skb,
		       u8 pf, bool in)
{
	union svcgw_addr a = {};
	u8 proto, family;

	if (READ_ONCE(sn->nfullnat))
		return false;
	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		proto = iph->protocol;
		a.ip = in ? iph->daddr : iph->saddr;
		family = AF_INET;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		proto = ip6h->nexthdr;
		memcpy(&a, in ? &ip6h->daddr : &ip6h->saddr, sizeof(a));
		family = AF_INET6;
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return false;	/* ICMP errors, extension headers */
	return !svcgw_addrfilter_maybe(sn, in ? sn->svcfilter : sn->srvfilter,
				       family, &a);
}

/* A client's packet @p to the service @svc: on to its server. */
static unsigned int svcgw_forward(struct svcgw_net *sn,
				  struct svcgw_service *svc,
				  struct sk_buff *skb, struct svcgw_pkt *p)
{
	struct svcgw_fullnat *fn = rcu_dereference(svc->fullnat);
	struct svcgw_session *s;
	struct svcgw_server *srv;
	struct svcgw_tuple reply;
	bool created = false, make;

	s = svcgw_flow_session_rcu(sn, p);
	if (s) {
		srv = s->server;
		svcgw_session_touch(sn, s, SVCGW_DIR_ORIG, p->t.proto,
				    p->tcp_flags);
	} else {
		srv = svcgw_flow_pick_rcu(sn, svc, &p->t, svcgw_tcp_syn(p),
					  &make);
		if (unlikely(!srv)) {
			svcgw_event(sn, SVCGW_EV_DROP_NO_SERVER);
			return NF_DROP;
		}
		if (fn) {
			/* The server answers the gateway: no session, no
			 * way back.  (An allocation failure is counted as
			 * such already.)
			 */
			s = svcgw_fullnat_session(sn, srv, p, fn);
			if (IS_ERR(s)) {
				if (PTR_ERR(s) != -ENOMEM)
					svcgw_event(sn, SVCGW_EV_DROP_NO_SESSION);
				return NF_DROP;
			}
			created = true;
			svcgw_session_replicate(sn, s);
			srv = s->server;
		} else if (make || svcgw_server_needs_session(srv)) {
			svcgw_tuple_reply(&reply, &p->t, &srv->ep);
			s = svcgw_session_create(sn, srv, &p->t, &reply,
						 p->tcp_flags);
			if (!IS_ERR(s)) {
				created = true;
				srv = s->server;
				svcgw_session_replicate(sn, s);
			} else if (svcgw_server_needs_session(srv)) {
				/*
				 * A shared endpoint's replies without a
				 * session go to another service: no way
				 * back.  (An allocation failure is counted
				 * as such already.)
				 */
				if (PTR_ERR(s) != -ENOMEM)
					svcgw_event(sn, SVCGW_EV_DROP_NO_SESSION);
				return NF_DROP;
			}
		}
	}
	if (srv->fwd.method != SVCGW_METHOD_NAT) {
		unsigned int len = skb->len, verdict;

		verdict = svcgw_encap_xmit(sn, svc, srv, skb, p);
		if (verdict == NF_STOLEN) {
			svcgw_count(svc->stats, len, created);
			svcgw_count(srv->stats, len, created);
		}
		return verdict;
	}
	if (unlikely(!svcgw_rewrite(skb, p, true, &srv->ep.addr,
				    srv->ep.port))) {
		svcgw_event(sn, SVCGW_EV_DROP_NOMEM);
		return NF_DROP;
	}
	/* Routing decides afresh, on the new destination. */
	skb_dst_drop(skb);
	svcgw_count(svc->stats, skb->len, created);
	svcgw_count(srv->stats, skb->len, created);
	return NF_ACCEPT;
}

/* One destination, be it the same object or its twin of another set? */
static bool same_dest(const struct svcgw_server *a,
		      const struct svcgw_server *b)
{
	return a == b ||
	       (a && b && !memcmp(&a->ep, &b->ep, sizeof(a->ep)) &&
		a->fwd.method == b->fwd.method &&
		a->fwd.gue_port == b->fwd.gue_port);
}

/*
 * The destination @pol's group gives the flow @t, NULL if none: a group
 * is a stateless service that never has entries in transition, so the
 * service's pick is the whole of it.
 */
static struct svcgw_server *policy_pick(struct svcgw_net *sn,
					const struct svcgw_policy *pol,
					const struct svcgw_tuple *t)
{
	bool make;

	return svcgw_flow_pick_rcu(sn, pol->group, t, false, &make);
}

/*
 * A packet to no service: on to a load balancer node if a forwarding
 * policy matches it (policy.c), encapsulated.  While the transition from
 * the previous set runs, a flow whose destination the new set changed is
 * pinned by a session, as a hybrid service pins a flow of a moved entry:
 * a TCP SYN to its new destination, anything else to its old one.
 * Returns false, touching nothing, when no policy matches.
 */
static bool svcgw_policy_forward(struct svcgw_net *sn,
				 const struct svcgw_pset *ps,
				 struct sk_buff *skb, struct svcgw_pkt *p,
				 unsigned int *verdict)
{
	struct svcgw_server *dest = NULL, *odest = NULL;
	struct svcgw_policy *pol, *opol = NULL, *via;
	const struct svcgw_pset *prev;
	unsigned int len = skb->len;
	struct svcgw_session *s;
	struct svcgw_tuple reply;
	bool created = false;

	pol = svcgw_pset_lookup_rcu(ps, &p->t, sn->hash_seed);
	prev = rcu_dereference(ps->prev);
	if (unlikely(prev) && time_before(jiffies, ps->until))
		opol = svcgw_pset_lookup_rcu(prev, &p->t, sn->hash_seed);
	if (!pol && !opol)
		return false;
	svcgw_event(sn, SVCGW_EV_POLICY_PACKETS);
	via = pol ?: opol;
	s = svcgw_flow_session_rcu(sn, p);
	if (s && s->server->fwd.method != SVCGW_METHOD_NAT) {
		dest = s->server;
		svcgw_session_touch(sn, s, SVCGW_DIR_ORIG, p->t.proto,
				    p->tcp_flags);
	} else {
		if (pol)
			dest = policy_pick(sn, pol, &p->t);
		if (opol)
			odest = policy_pick(sn, opol, &p->t);
		if (odest && !same_dest(dest, odest)) {
			if (!dest || !svcgw_tcp_syn(p)) {
				dest = odest;
				via = opol;
			}
			svcgw_tuple_reply(&reply, &p->t, &dest->ep);
			reply.sport = p->t.dport;
			s = svcgw_session_create(sn, dest, &p->t, &reply,
						 p->tcp_flags);
			if (!IS_ERR(s)) {
				created = true;
				dest = s->server;
				svcgw_event(sn, SVCGW_EV_POLICY_PINNED);
			}
		}
	}
	if (unlikely(!dest)) {
		svcgw_event(sn, SVCGW_EV_DROP_NO_SERVER);
		*verdict = NF_DROP;
		return true;
	}
	/* Its node is down: to its backup (policy.c, group_ha()). */
	if (unlikely(rcu_access_pointer(dest->ha_to))) {
		struct svcgw_server *to = rcu_dereference(dest->ha_to);

		if (to) {
			dest = to;
			svcgw_event(sn, SVCGW_EV_POLICY_FAILOVER);
		}
	}
	*verdict = svcgw_encap_xmit(sn, via->group, dest, skb, p);
	if (*verdict == NF_STOLEN) {
		svcgw_count(via->stats, len, created);
		svcgw_count(via->group->stats, len, created);
		svcgw_count(dest->stats, len, created);
	}
	return true;
}

unsigned int svcgw_in(void *priv, struct sk_buff *skb,
		      const struct nf_hook_state *state)
{
	struct svcgw_net *sn = priv;
	struct svcgw_service *svc;
	struct svcgw_pset *ps;
	unsigned int verdict;
	struct svcgw_key key;
	struct svcgw_pkt p;

	if (svcgw_pass(sn, skb, state->pf, true))
		return NF_ACCEPT;
	switch (svcgw_parse_skb(skb, &p)) {
	case SVCGW_PKT_OK:
		break;
	case SVCGW_PKT_ICMP_ERR:
		return svcgw_icmp_in(sn, skb, &p);
	case SVCGW_PKT_MALFORMED:
		/*
		 * The IP layer checked the IP header; this is a TCP or UDP
		 * packet with a truncated or self-contradicting header, which
		 * no host accepts.  Drop it here rather than route it on.
		 */
		svcgw_event(sn, SVCGW_EV_DROP_MALFORMED);
		return NF_DROP;
	default:
		return NF_ACCEPT;
	}
	svcgw_key_of(&key, &p.t.dst, p.t.dport, &p.t);
	svc = svcgw_service_lookup_rcu(sn, &key);
	if (svc)
		return svcgw_forward(sn, svc, skb, &p);
	ps = rcu_dereference(sn->pset);
	if (ps && svcgw_policy_forward(sn, ps, skb, &p, &verdict))
		return verdict;
	if (READ_ONCE(sn->nfullnat))
		return svcgw_fullnat_reply(sn, skb, &p);
	return NF_ACCEPT;
}

unsigned int svcgw_out(void *priv, struct sk_buff *skb,
		       const struct nf_hook_state *state)
{
	struct svcgw_net *sn = priv;
	union svcgw_addr addr;
	struct svcgw_pkt p;
	__be16 port;

	if (svcgw_pass(sn, skb, state->pf, false))
		return NF_ACCEPT;
	switch (svcgw_parse_skb(skb, &p)) {
	case SVCGW_PKT_OK:
		break;
	case SVCGW_PKT_ICMP_ERR:
		return svcgw_icmp_out(sn, skb, &p);
	default:
		return NF_ACCEPT;
	}
	/*
	 * Only forwarded packets and the gateway's own reach this hook; the
	 * gateway's own connections to a server (health checks, say) never
	 * come from a server endpoint, as their replies end at the gateway.
	 */
	if (!svcgw_flow_reply_endpoint_rcu(sn, &p.t, true, &p, &addr, &port)) {
		if (READ_ONCE(sn->nfullnat))
			return svcgw_fullnat_out(sn, skb, &p);
		return NF_ACCEPT;
	}
	if (unlikely(!svcgw_rewrite(skb, &p, false, &addr, port))) {
		svcgw_event(sn, SVCGW_EV_DROP_NOMEM);
		return NF_DROP;
	}
	return NF_ACCEPT;
}
