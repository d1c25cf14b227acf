/*
 * The packet path: netfilter hooks per namespace, for IPv4 and IPv6,
 * registered while the namespace has a service.
 *
 *   svcgw_in  (PREROUTING, SVCGW_PRI_IN, before conntrack): a packet whose
 *             destination is a service is sent to a server: session
 *             first, else the service's mapping table (which may make a
 *             session).  Destination rewritten, routed on as usual.
 *   svcgw_out (POSTROUTING, SVCGW_PRI_OUT): a forwarded packet whose
 *             source is a server endpoint, or that matches a session's
 *             reply, gets the service address back as its source.
 *
 * Replies are translated after routing, as conntrack's NAT does it: a
 * reply the gateway cannot forward (too big for the next link, hop limit
 * reached) makes an ICMP error addressed to the server that sent it,
 * about the packet the server sent, which is what the server's stack can
 * act on.
 *
 * ICMP and ICMPv6 errors that quote a translated flow are translated too,
 * so that path MTU discovery and traceroute work through the gateway:
 *   - an error toward a service address, quoting a packet sent from it
 *     (a router between gateway and client could not deliver a reply),
 *     goes to the flow's server, as if the server's packet were quoted
 *     (svcgw_in);
 *   - an error toward a client, quoting a packet sent to a server (the
 *     server, a router behind the gateway, or the gateway itself could
 *     not deliver the client's packet), gets the service address and port
 *     back in the quote and, if the server itself sent it, as its source
 *     (svcgw_out, which sees the gateway's own errors too).
 * ICMP echo is never touched: an echo request to a service address is
 * routed like any packet, so the gateway answers it when the address is
 * configured on it (as IPVS needs) and nobody does otherwise.
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
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ip6_checksum.h>
#include <net/route.h>
#include <net/checksum.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "svcgw.h"
#include "pkt.h"
#include "hash.h"
#include "maglev.h"

/* Ports a full NAT session may take, and how many it tries. */
#define SVCGW_FULLNAT_PORT_MIN	1024
#define SVCGW_FULLNAT_PORTS	(65536 - SVCGW_FULLNAT_PORT_MIN)
#define SVCGW_FULLNAT_TRIES	16

/* After defragmentation (-400), before conntrack (-200). */
#define SVCGW_PRI_IN	(NF_IP_PRI_RAW - 50)
/* After source NAT, before conntrack confirms. */
#define SVCGW_PRI_OUT	(NF_IP_PRI_NAT_SRC + 10)

/* Parse @skb into @p, pulling the headers into the linear area. */
static enum svcgw_parse svcgw_parse_skb(struct sk_buff *skb,
					struct svcgw_pkt *p)
{
	unsigned int need = skb->protocol == htons(ETH_P_IPV6) ?
			    sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	enum svcgw_parse r;

	for (;;) {
		if (!pskb_may_pull(skb, need))
			return SVCGW_PKT_MALFORMED;
		r = svcgw_parse(skb->data, skb_headlen(skb), p);
		if (r != SVCGW_PKT_SHORT)
			return r;
		if (p->need <= need)
			return SVCGW_PKT_MALFORMED;
		need = p->need;
	}
}

static unsigned int addr_bytes(u8 family)
{
	return family == AF_INET ? 4 : 16;
}

/* Rewrite one endpoint of the packet; false if the skb could not be made
 * writable.
 */
static bool svcgw_rewrite(struct sk_buff *skb, const struct svcgw_pkt *p,
			  bool dst, const union svcgw_addr *addr, __be16 port)
{
	union svcgw_addr old = dst ? p->t.dst : p->t.src;

	if (skb_ensure_writable(skb, p->l4off + svcgw_l4_hlen(p->t.proto)))
		return false;
	svcgw_nat(skb->data, p, dst, addr, port,
		  skb->ip_summed == CHECKSUM_PARTIAL ?
		  SVCGW_CSUM_PARTIAL : SVCGW_CSUM_FULL);
	/* The L4 checksum field moved with the pseudo header: so does the
	 * sum of the packet a CHECKSUM_COMPLETE skb carries (as in
	 * inet_proto_csum_replace16()).
	 */
	if (skb->ip_summed == CHECKSUM_COMPLETE && !p->udp_nocsum) {
		unsigned int i, n = addr_bytes(p->t.family) / 4;
		__be32 diff[8];

		for (i = 0; i < n; i++) {
			diff[i] = ~old.ip6[i];
			diff[n + i] = addr->ip6[i];
		}
		skb->csum = ~csum_partial(diff, 8 * n, ~skb->csum);
	}
	return true;
}

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

static void key_of(struct svcgw_key *key, const union svcgw_addr *addr,
		   __be16 port, const struct svcgw_tuple *t)
{
	memset(key, 0, sizeof(*key));
	key->addr = *addr;
	key->port = port;
	key->proto = t->proto;
	key->family = t->family;
}

static bool tcp_syn(const struct svcgw_pkt *p)
{
	return p->t.proto == IPPROTO_TCP &&
	       (p->tcp_flags & (SVCGW_TCP_SYN | SVCGW_TCP_ACK)) == SVCGW_TCP_SYN;
}

/*
 * A session found for a packet from the client, still good to use?  An
 * expired one is not, nor one whose server is down, nor a closing TCP
 * session that a new SYN reuses: those are ended and the flow picks a
 * server afresh, in place; the packet is never dropped for it.
 */
static bool session_usable(struct svcgw_net *sn, struct svcgw_session *s,
			   const struct svcgw_pkt *p)
{
	u8 st;

	if (svcgw_session_expired(s)) {
		svcgw_session_kill(sn, s);
		return false;
	}
	st = READ_ONCE(s->ps.state);
	if (READ_ONCE(s->server->state) == SVCGW_SERVER_DOWN ||
	    (tcp_syn(p) && (st == SVCGW_SESS_TCP_CLOSE ||
			    st == SVCGW_SESS_TCP_FIN_WAIT))) {
		svcgw_session_kill(sn, s);
		svcgw_event(sn, SVCGW_EV_SESSION_REPICK);
		return false;
	}
	return true;
}

/*
 * The server of a flow without a session, from the mapping table, and
 * whether the flow gets a session.  In a hybrid service a marked entry (in
 * transition) sends a new TCP connection to its new server and anything
 * else to its old one, and pins the flow with a session.
 */
static struct svcgw_server *svcgw_pick(struct svcgw_net *sn,
				       struct svcgw_service *svc,
				       const struct svcgw_tuple *t, bool syn,
				       u8 mode, bool *make_session)
{
	struct svcgw_lut *lut = rcu_dereference(svc->lut);
	u32 h = svcgw_hash_scale(svcgw_flow_hash(t, sn->hash_seed),
				 lut->size);
	u16 i = lut->slot[h], o = SVCGW_SLOT_EMPTY;

	if (unlikely(lut->old))
		o = lut->old[h];

	switch (mode) {
	case SVCGW_MODE_STATELESS:
		*make_session = false;
		break;
	case SVCGW_MODE_STATEFUL:
		*make_session = true;
		break;
	default:
		*make_session = (READ_ONCE(svc->op_stateful) ||
				 o != SVCGW_SLOT_EMPTY) &&
				!READ_ONCE(sn->pressure);
		break;
	}
	/*
	 * In a stateful service every flow that began before the change has
	 * a session: one without is new and takes the new server.
	 */
	if (o != SVCGW_SLOT_EMPTY && mode == SVCGW_MODE_HYBRID && !syn)
		i = o;
	return i == SVCGW_SLOT_EMPTY ? NULL : lut->servers[i];
}

/*
 * A full NAT session for the flow @p to @srv: the server sees the flow
 * come from @fn's address and a port picked at random, and another port
 * when that one's reply tuple is taken.
 */
static struct svcgw_session *fullnat_session(struct svcgw_net *sn,
					     struct svcgw_server *srv,
					     const struct svcgw_pkt *p,
					     const struct svcgw_fullnat *fn)
{
	struct svcgw_session *s = ERR_PTR(-EADDRNOTAVAIL);
	struct svcgw_tuple reply;
	u32 port = get_random_u32_below(SVCGW_FULLNAT_PORTS);
	int i;

	svcgw_tuple_reply(&reply, &p->t, &srv->ep);
	reply.dst = fn->addr;
	for (i = 0; i < SVCGW_FULLNAT_TRIES; i++) {
		reply.dport = htons(SVCGW_FULLNAT_PORT_MIN +
				    (port + i * 7919) % SVCGW_FULLNAT_PORTS);
		s = svcgw_session_create(sn, srv, &p->t, &reply, p->tcp_flags);
		if (!IS_ERR(s) || PTR_ERR(s) != -EEXIST)
			break;
	}
	return s;
}

static unsigned int svcgw_forward(struct svcgw_net *sn,
				  struct svcgw_service *svc,
				  struct sk_buff *skb, struct svcgw_pkt *p)
{
	struct svcgw_fullnat *fn = rcu_dereference(svc->fullnat);
	struct svcgw_session *s = NULL;
	struct svcgw_server *srv;
	struct svcgw_tuple reply;
	bool created = false, make;

	if (atomic_read(&sn->nsessions)) {
		s = svcgw_session_lookup(sn, &p->t, SVCGW_DIR_ORIG);
		if (s && !session_usable(sn, s, p))
			s = NULL;
	}
	if (s) {
		srv = s->server;
		svcgw_session_touch(sn, s, SVCGW_DIR_ORIG, p->t.proto,
				    p->tcp_flags);
	} else {
		srv = svcgw_pick(sn, svc, &p->t, tcp_syn(p),
				 READ_ONCE(svc->mode), &make);
		if (unlikely(!srv)) {
			svcgw_event(sn, SVCGW_EV_DROP_NO_SERVER);
			return NF_DROP;
		}
		if (fn) {
			/* The server answers the gateway: no session, no
			 * way back.
			 */
			s = fullnat_session(sn, srv, p, fn);
			if (IS_ERR(s))
				return NF_DROP;
			created = true;
			srv = s->server;
		} else if (make) {
			svcgw_tuple_reply(&reply, &p->t, &srv->ep);
			s = svcgw_session_create(sn, srv, &p->t, &reply,
						 p->tcp_flags);
			if (IS_ERR(s)) {
				s = NULL;
			} else {
				created = true;
				srv = s->server;
			}
		}
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

/*
 * Finish a translated ICMP error: its checksum covers the whole message
 * (and, for ICMPv6, the addresses), so it is computed afresh, as
 * nf_nat_icmp_reply_translation() does; errors are few and short.
 */
static void svcgw_icmp_finish(struct sk_buff *skb, const struct svcgw_pkt *p)
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
static bool svcgw_icmp_writable(struct svcgw_net *sn, struct sk_buff *skb,
				const struct svcgw_pkt *p)
{
	if (likely(!skb_ensure_writable(skb, p->in_l4off + p->in_l4len)))
		return true;
	svcgw_event(sn, SVCGW_EV_DROP_NOMEM);
	return false;
}

/* Is the error's own destination (@dst) or source address @a? */
static bool svcgw_icmp_outer_is(const struct sk_buff *skb,
				const struct svcgw_pkt *p, bool dst,
				const union svcgw_addr *a)
{
	const void *o;

	if (p->t.family == AF_INET)
		o = dst ? &ip_hdr(skb)->daddr : &ip_hdr(skb)->saddr;
	else
		o = dst ? &ipv6_hdr(skb)->daddr : &ipv6_hdr(skb)->saddr;
	return !memcmp(o, a, addr_bytes(p->t.family));
}

static unsigned int svcgw_icmp_fullnat(struct svcgw_net *sn,
				       struct sk_buff *skb,
				       struct svcgw_pkt *p);

/*
 * An ICMP error toward a service address about a packet the service sent
 * (a reply, translated by svcgw_out): the error goes to the server of
 * that flow, quoting the packet as the server sent it.
 */
static unsigned int svcgw_icmp_in(struct svcgw_net *sn, struct sk_buff *skb,
				  struct svcgw_pkt *p)
{
	struct svcgw_session *s = NULL;
	struct svcgw_service *svc;
	struct svcgw_server *srv;
	struct svcgw_tuple flow, reply;
	struct svcgw_key key;
	bool make;

	key_of(&key, &p->t.src, p->t.sport, &p->t);
	svc = svcgw_service_lookup(sn, &key);
	if (!svc)
		return READ_ONCE(sn->nfullnat) ? svcgw_icmp_fullnat(sn, skb, p) :
						 NF_ACCEPT;
	/* The flow as the client sent it: client -> service. */
	tuple_invert(&flow, &p->t);
	if (atomic_read(&sn->nsessions)) {
		s = svcgw_session_lookup(sn, &flow, SVCGW_DIR_ORIG);
		if (s && svcgw_session_expired(s))
			s = NULL;
	}
	if (s) {
		srv = s->server;
		svcgw_session_tuple(s, SVCGW_DIR_REPLY, &reply);
	} else {
		srv = svcgw_pick(sn, svc, &flow, false,
				 READ_ONCE(svc->mode), &make);
	}
	if (!srv)
		return NF_ACCEPT;
	if (!svcgw_icmp_writable(sn, skb, p))
		return NF_DROP;
	/* The error's destination is the service address, normally. */
	svcgw_icmp_nat(skb->data, p, false, &srv->ep.addr, srv->ep.port, true,
		       svcgw_icmp_outer_is(skb, p, true, &p->t.src) ?
		       &srv->ep.addr : NULL);
	/* Full NAT: the server sent its packet to the gateway's address. */
	if (s && !(svcgw_addr_equal(&reply.dst, &flow.src) &&
		   reply.dport == flow.sport))
		svcgw_icmp_nat(skb->data, p, true, &reply.dst, reply.dport,
			       false, NULL);
	svcgw_icmp_finish(skb, p);
	skb_dst_drop(skb);
	return NF_ACCEPT;
}

/*
 * The full NAT session whose reply is @t (server -> gateway address and
 * port), with its client -> service tuple in @o; NULL if none, or if the
 * session translates the destination only (its replies go to the client
 * and are seen by svcgw_out).
 */
static struct svcgw_session *fullnat_find(struct svcgw_net *sn,
					  const struct svcgw_tuple *t,
					  struct svcgw_tuple *o)
{
	struct svcgw_session *s;

	if (!atomic_read(&sn->nsessions))
		return NULL;
	s = svcgw_session_lookup(sn, t, SVCGW_DIR_REPLY);
	if (!s || svcgw_session_expired(s))
		return NULL;
	svcgw_session_tuple(s, SVCGW_DIR_ORIG, o);
	if (svcgw_addr_equal(&o->src, &t->dst) && o->sport == t->dport)
		return NULL;
	return s;
}

/*
 * A reply of a full NAT flow, to the gateway's address: both ends are
 * translated here, before routing, which then forwards it to the client
 * (a source address of the gateway's own would be refused after routing
 * as a martian; the service address is not one).
 */
static unsigned int svcgw_fullnat_reply(struct svcgw_net *sn,
					struct sk_buff *skb,
					struct svcgw_pkt *p)
{
	struct svcgw_session *s;
	struct svcgw_tuple o;

	s = fullnat_find(sn, &p->t, &o);
	if (!s)
		return NF_ACCEPT;
	svcgw_session_touch(sn, s, SVCGW_DIR_REPLY, p->t.proto, p->tcp_flags);
	if (unlikely(!svcgw_rewrite(skb, p, true, &o.src, o.sport))) {
		svcgw_event(sn, SVCGW_EV_DROP_NOMEM);
		return NF_DROP;
	}
	if (unlikely(!svcgw_rewrite(skb, p, false, &o.dst, o.dport))) {
		svcgw_event(sn, SVCGW_EV_DROP_NOMEM);
		return NF_DROP;
	}
	skb_dst_drop(skb);
	return NF_ACCEPT;
}

/*
 * An ICMP error to the gateway's full NAT address about a packet the
 * gateway sent a server on a client's behalf: it goes to the client,
 * about the packet as the client sent it, from the service address when
 * the server sent it.
 */
static unsigned int svcgw_icmp_fullnat(struct svcgw_net *sn,
				       struct sk_buff *skb,
				       struct svcgw_pkt *p)
{
	struct svcgw_tuple flow, o;
	bool from_server;

	tuple_invert(&flow, &p->t);
	if (!fullnat_find(sn, &flow, &o))
		return NF_ACCEPT;
	if (!svcgw_icmp_writable(sn, skb, p))
		return NF_DROP;
	from_server = svcgw_icmp_outer_is(skb, p, false, &p->t.dst);
	svcgw_icmp_nat(skb->data, p, false, &o.src, o.sport, true, &o.src);
	svcgw_icmp_nat(skb->data, p, true, &o.dst, o.dport, false,
		       from_server ? &o.dst : NULL);
	svcgw_icmp_finish(skb, p);
	skb_dst_drop(skb);
	return NF_ACCEPT;
}

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

static unsigned int svcgw_in(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct svcgw_net *sn = priv;
	struct svcgw_service *svc;
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
	key_of(&key, &p.t.dst, p.t.dport, &p.t);
	svc = svcgw_service_lookup(sn, &key);
	if (svc)
		return svcgw_forward(sn, svc, skb, &p);
	if (READ_ONCE(sn->nfullnat))
		return svcgw_fullnat_reply(sn, skb, &p);
	return NF_ACCEPT;
}

/*
 * The service endpoint of a flow seen from the server's side: @t is a
 * packet server -> client.  From its session, else from the endpoint.
 */
static bool svcgw_reply_endpoint(struct svcgw_net *sn,
				 const struct svcgw_tuple *t, bool touch,
				 const struct svcgw_pkt *p,
				 union svcgw_addr *addr, __be16 *port)
{
	struct svcgw_session *s = NULL;
	struct svcgw_server *srv;
	struct svcgw_key key;

	if (atomic_read(&sn->nsessions)) {
		s = svcgw_session_lookup(sn, t, SVCGW_DIR_REPLY);
		if (s && svcgw_session_expired(s))
			s = NULL;
	}
	if (s) {
		struct svcgw_tuple o;

		svcgw_session_tuple(s, SVCGW_DIR_ORIG, &o);
		if (touch)
			svcgw_session_touch(sn, s, SVCGW_DIR_REPLY, p->t.proto,
					    p->tcp_flags);
		*addr = o.dst;
		*port = o.dport;
		return true;
	}
	key_of(&key, &t->src, t->sport, t);
	srv = svcgw_endpoint_lookup(sn, &key);
	if (!srv)
		return false;
	*addr = srv->svc->key.addr;
	*port = srv->svc->key.port;
	return true;
}

/*
 * An ICMP error about a packet sent to a server (client -> server): the
 * quote gets the service endpoint back, and so does the error's source
 * when the server itself sent it.
 */
static unsigned int svcgw_icmp_out(struct svcgw_net *sn, struct sk_buff *skb,
				   struct svcgw_pkt *p)
{
	struct svcgw_tuple flow;
	union svcgw_addr addr;
	__be16 port;

	tuple_invert(&flow, &p->t);
	if (!svcgw_reply_endpoint(sn, &flow, false, p, &addr, &port))
		return NF_ACCEPT;
	if (!svcgw_icmp_writable(sn, skb, p))
		return NF_DROP;
	svcgw_icmp_nat(skb->data, p, true, &addr, port, false,
		       svcgw_icmp_outer_is(skb, p, false, &p->t.dst) ?
		       &addr : NULL);
	svcgw_icmp_finish(skb, p);
	return NF_ACCEPT;
}

/*
 * A packet of a full NAT flow, client -> server, after routing: its source
 * becomes the gateway address and port of its session.  A flow without
 * one (it ended under the packet) cannot be answered: dropped.
 */
static unsigned int svcgw_fullnat_out(struct svcgw_net *sn,
				      struct sk_buff *skb,
				      struct svcgw_pkt *p)
{
	struct svcgw_session *s = NULL;
	struct svcgw_service *svc;
	struct svcgw_server *srv;
	struct svcgw_tuple o, r;
	struct svcgw_key key;

	key_of(&key, &p->t.dst, p->t.dport, &p->t);
	srv = svcgw_endpoint_lookup(sn, &key);
	if (!srv)
		return NF_ACCEPT;
	svc = srv->svc;
	if (!rcu_access_pointer(svc->fullnat))
		return NF_ACCEPT;
	o = p->t;
	o.dst = svc->key.addr;
	o.dport = svc->key.port;
	if (atomic_read(&sn->nsessions))
		s = svcgw_session_lookup(sn, &o, SVCGW_DIR_ORIG);
	if (!s)
		return NF_DROP;
	svcgw_session_tuple(s, SVCGW_DIR_REPLY, &r);
	/* A session from before full NAT was turned on: as it began. */
	if (svcgw_addr_equal(&r.dst, &o.src) && r.dport == o.sport)
		return NF_ACCEPT;
	if (unlikely(!svcgw_rewrite(skb, p, false, &r.dst, r.dport))) {
		svcgw_event(sn, SVCGW_EV_DROP_NOMEM);
		return NF_DROP;
	}
	return NF_ACCEPT;
}

static unsigned int svcgw_out(void *priv, struct sk_buff *skb,
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
	if (!svcgw_reply_endpoint(sn, &p.t, true, &p, &addr, &port)) {
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

static const struct nf_hook_ops svcgw_hook_ops[] = {
	{
		.hook		= svcgw_in,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= SVCGW_PRI_IN,
	},
	{
		.hook		= svcgw_out,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= SVCGW_PRI_OUT,
	},
	{
		.hook		= svcgw_in,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_RAW - 50,
	},
	{
		.hook		= svcgw_out,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_NAT_SRC + 10,
	},
};

int svcgw_hooks_enable(struct svcgw_net *sn)
{
	struct nf_hook_ops *ops;
	int err, i;

	lockdep_assert_held(&sn->lock);
	ops = kmemdup(svcgw_hook_ops, sizeof(svcgw_hook_ops), GFP_KERNEL);
	if (!ops)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(svcgw_hook_ops); i++)
		ops[i].priv = sn;
	err = nf_defrag_ipv4_enable(sn->net);
	if (err)
		goto err_free;
	err = nf_defrag_ipv6_enable(sn->net);
	if (err)
		goto err_defrag4;
	err = nf_register_net_hooks(sn->net, ops, ARRAY_SIZE(svcgw_hook_ops));
	if (err)
		goto err_defrag6;
	sn->hook_ops = ops;
	sn->hooks_on = true;
	return 0;

err_defrag6:
	nf_defrag_ipv6_disable(sn->net);
err_defrag4:
	nf_defrag_ipv4_disable(sn->net);
err_free:
	kfree(ops);
	return err;
}

/* Unregistering waits for packets in flight (synchronize_net). */
void svcgw_hooks_disable(struct svcgw_net *sn)
{
	lockdep_assert_held(&sn->lock);
	if (!sn->hooks_on)
		return;
	nf_unregister_net_hooks(sn->net, sn->hook_ops,
				ARRAY_SIZE(svcgw_hook_ops));
	nf_defrag_ipv6_disable(sn->net);
	nf_defrag_ipv4_disable(sn->net);
	kfree(sn->hook_ops);
	sn->hook_ops = NULL;
	sn->hooks_on = false;
}
