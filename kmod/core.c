// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: two netfilter PREROUTING hooks per namespace, registered
 * while the namespace has a service.
 *
 *   svcgw_in  (SVCGW_PRI_IN, before conntrack): a packet whose destination
 *             is a service is sent to a server: session first, else the
 *             service's mapping table (a stateful service then makes a
 *             session).  Destination rewritten, routed on as usual.
 *   svcgw_out (SVCGW_PRI_OUT, after conntrack): a packet whose source is a
 *             server endpoint, or that matches a session's reply, gets the
 *             service address back as its source.
 *
 * With nf_conntrack loaded, conntrack therefore sees the real flow,
 * client <-> server, in both directions: rules that match on conntrack
 * state keep working and no conntrack NAT is involved.  IPv4 fragments are
 * reassembled first (nf_defrag_ipv4) so that every fragment of a datagram
 * goes to the same server.
 */
#include <linux/ip.h>
#include <linux/netfilter_ipv4.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/checksum.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>

#include "svcgw.h"
#include "pkt.h"
#include "hash.h"
#include "maglev.h"

/* Between defragmentation (-400) and conntrack (-200); after conntrack. */
#define SVCGW_PRI_IN	(NF_IP_PRI_RAW - 50)
#define SVCGW_PRI_OUT	(NF_IP_PRI_CONNTRACK + 50)

/* Parse @skb into @p, pulling the headers into the linear area. */
static enum svcgw_parse svcgw_parse_skb(struct sk_buff *skb,
					struct svcgw_pkt *p)
{
	unsigned int need = sizeof(struct iphdr);
	enum svcgw_parse r;

	for (;;) {
		if (!pskb_may_pull(skb, need))
			return SVCGW_PKT_MALFORMED;
		r = svcgw_parse_ipv4(skb->data, skb_headlen(skb), p);
		if (r != SVCGW_PKT_SHORT)
			return r;
		if (p->need <= need)
			return SVCGW_PKT_MALFORMED;
		need = p->need;
	}
}

/* Rewrite one endpoint of the packet; false if the skb could not be made
 * writable.
 */
static bool svcgw_rewrite(struct sk_buff *skb, const struct svcgw_pkt *p,
			  bool dst, __be32 addr, __be16 port)
{
	__be32 old = dst ? p->t.dst.ip : p->t.src.ip;

	if (skb_ensure_writable(skb, p->l4off + svcgw_l4_hlen(p->t.proto)))
		return false;
	svcgw_nat_ipv4(skb->data, p, dst, addr, port,
		       skb->ip_summed == CHECKSUM_PARTIAL ?
		       SVCGW_CSUM_PARTIAL : SVCGW_CSUM_FULL);
	/* The L4 checksum field moved with the pseudo header: so does the
	 * sum of the packet a CHECKSUM_COMPLETE skb carries.
	 */
	if (skb->ip_summed == CHECKSUM_COMPLETE && !p->udp_nocsum)
		skb->csum = ~csum_add(csum_sub(~skb->csum, (__force __wsum)old),
				      (__force __wsum)addr);
	return true;
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
				       const struct svcgw_pkt *p, u8 mode,
				       bool *make_session)
{
	struct svcgw_lut *lut = rcu_dereference(svc->lut);
	u32 h = svcgw_hash_scale(svcgw_flow_hash(&p->t, sn->hash_seed),
				 lut->size);
	u16 i = lut->slot[h], o = lut->old[h];

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
	if (o != SVCGW_SLOT_EMPTY && mode == SVCGW_MODE_HYBRID && !tcp_syn(p))
		i = o;
	return i == SVCGW_SLOT_EMPTY ? NULL : lut->servers[i];
}

static unsigned int svcgw_forward(struct svcgw_net *sn,
				  struct svcgw_service *svc,
				  struct sk_buff *skb, struct svcgw_pkt *p)
{
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
		srv = svcgw_pick(sn, svc, p, READ_ONCE(svc->mode), &make);
		if (unlikely(!srv)) {
			svcgw_event(sn, SVCGW_EV_DROP_NO_SERVER);
			return NF_DROP;
		}
		if (make) {
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
	if (unlikely(!svcgw_rewrite(skb, p, true, srv->ep.addr.ip,
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

static unsigned int svcgw_in(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct svcgw_net *sn = priv;
	struct svcgw_service *svc;
	struct svcgw_key key;
	struct svcgw_pkt p;

	switch (svcgw_parse_skb(skb, &p)) {
	case SVCGW_PKT_OK:
		break;
	case SVCGW_PKT_MALFORMED:
		/*
		 * ip_rcv() checked the IP header; this is a TCP or UDP packet
		 * with a truncated or self-contradicting header, which no
		 * host accepts.  Drop it here rather than route it on.
		 */
		svcgw_event(sn, SVCGW_EV_DROP_MALFORMED);
		return NF_DROP;
	default:
		return NF_ACCEPT;
	}
	memset(&key, 0, sizeof(key));
	key.addr.ip = p.t.dst.ip;
	key.port = p.t.dport;
	key.proto = p.t.proto;
	key.family = AF_INET;
	svc = svcgw_service_lookup(sn, &key);
	if (!svc)
		return NF_ACCEPT;
	return svcgw_forward(sn, svc, skb, &p);
}

static unsigned int svcgw_out(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct svcgw_net *sn = priv;
	struct svcgw_session *s = NULL;
	struct svcgw_server *srv;
	struct svcgw_key key;
	struct svcgw_pkt p;
	__be32 addr;
	__be16 port;

	if (svcgw_parse_skb(skb, &p) != SVCGW_PKT_OK)
		return NF_ACCEPT;
	if (atomic_read(&sn->nsessions)) {
		s = svcgw_session_lookup(sn, &p.t, SVCGW_DIR_REPLY);
		if (s && svcgw_session_expired(s))
			s = NULL;
	}
	if (s) {
		struct svcgw_tuple o;

		svcgw_session_tuple(s, SVCGW_DIR_ORIG, &o);
		svcgw_session_touch(sn, s, SVCGW_DIR_REPLY, p.t.proto,
				    p.tcp_flags);
		addr = o.dst.ip;
		port = o.dport;
	} else {
		memset(&key, 0, sizeof(key));
		key.addr.ip = p.t.src.ip;
		key.port = p.t.sport;
		key.proto = p.t.proto;
		key.family = AF_INET;
		srv = svcgw_endpoint_lookup(sn, &key);
		if (!srv)
			return NF_ACCEPT;
		/* The gateway's own connections to the server (health
		 * checks, say) are no service flows.
		 */
		if (inet_addr_type(state->net, p.t.dst.ip) == RTN_LOCAL)
			return NF_ACCEPT;
		addr = srv->svc->key.addr.ip;
		port = srv->svc->key.port;
	}
	if (unlikely(!svcgw_rewrite(skb, &p, false, addr, port))) {
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
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= SVCGW_PRI_OUT,
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
	err = nf_register_net_hooks(sn->net, ops, ARRAY_SIZE(svcgw_hook_ops));
	if (err)
		goto err_defrag;
	sn->hook_ops = ops;
	sn->hooks_on = true;
	return 0;

err_defrag:
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
	nf_defrag_ipv4_disable(sn->net);
	kfree(sn->hook_ops);
	sn->hook_ops = NULL;
	sn->hooks_on = false;
}
