// SPDX-License-Identifier: GPL-2.0
/*
 * Full NAT: a service's servers see every flow come from a gateway
 * address (struct svcgw_fullnat, set per service) and a port its session
 * holds, so that servers need no route back through the gateway and a
 * client may reach a service whose server it shares a network with
 * (hairpin).  Every such flow has a session: the service must be
 * stateful, which the two checks below say for netlink and for batches.
 *
 * On the packet path: the first packet of a flow picks a free port
 * (svcgw_fullnat_session()); after routing, a client's packet gets the
 * session's address and port as its source (svcgw_fullnat_out()); a
 * server's reply, sent to that address, gets the service endpoint as its
 * source and the client as its destination before routing
 * (svcgw_fullnat_reply()).
 */
#include <linux/slab.h>
#include <linux/random.h>
#include <linux/netfilter.h>
#include <net/dst.h>

#include "fullnat.h"
#include "session.h"
#include "server.h"
#include "nat.h"
#include "stats.h"

/* Ports a full NAT session may take, and how many it tries. */
#define SVCGW_FULLNAT_PORT_MIN	1024
#define SVCGW_FULLNAT_PORTS	(65536 - SVCGW_FULLNAT_PORT_MIN)
#define SVCGW_FULLNAT_TRIES	16

/* Full NAT on (@on) with the service in @mode: refused unless stateful. */
int svcgw_fullnat_check_mode(bool on, u8 mode, const struct nlattr *attr,
			     struct netlink_ext_ack *extack)
{
	if (!on || mode == SVCGW_MODE_STATEFUL)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "full NAT needs mode stateful: every flow needs its session");
	return -EINVAL;
}

/*
 * The same rule for a batch, which carries no full NAT: a service that
 * has it keeps it, and must stay stateful and keep its table (@cfg is
 * what the batch gives @svc).
 */
int svcgw_fullnat_check_batch(const struct svcgw_service *svc,
			      const struct svcgw_service_cfg *cfg,
			      const struct nlattr *attr,
			      struct netlink_ext_ack *extack)
{
	if (!rcu_access_pointer(svc->fullnat) ||
	    (cfg->mode == SVCGW_MODE_STATEFUL &&
	     cfg->table_size == svc->cfg.table_size))
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attr,
			    "service has full NAT: it stays mode stateful with its table size");
	return -EINVAL;
}

/*
 * Turn full NAT of @svc on with the gateway address @addr (of the
 * service's family), or off (@addr NULL).  Flows that have a session keep
 * the translation they began with.  Counted before @svc is visible when
 * it is being made, so that no reply to @addr passes the hooks uncounted.
 */
int svcgw_fullnat_set(struct svcgw_net *sn, struct svcgw_service *svc,
		      const union svcgw_addr *addr)
{
	struct svcgw_fullnat *fn = NULL, *old;

	lockdep_assert_held(&sn->lock);
	if (addr) {
		fn = kzalloc(sizeof(*fn), GFP_KERNEL);
		if (!fn)
			return -ENOMEM;
		fn->addr = *addr;
	}
	old = rcu_replace_pointer(svc->fullnat, fn,
				  lockdep_is_held(&sn->lock));
	if (old)
		kfree_rcu(old, rcu);
	WRITE_ONCE(sn->nfullnat, sn->nfullnat + !!fn - !!old);
	sn->gen++;
	return 0;
}

/* @svc leaves the namespace (its full NAT is freed with it). */
void svcgw_fullnat_unlink(struct svcgw_net *sn, struct svcgw_service *svc)
{
	lockdep_assert_held(&sn->lock);
	if (rcu_access_pointer(svc->fullnat))
		WRITE_ONCE(sn->nfullnat, sn->nfullnat - 1);
}

/*
 * A full NAT session for the flow @p to @srv: the server sees the flow
 * come from @fn's address and a port picked at random, and another port
 * when that one's reply tuple is taken.
 */
struct svcgw_session *svcgw_fullnat_session(struct svcgw_net *sn,
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

/*
 * The full NAT session whose reply is @t (server -> gateway address and
 * port), with its client -> service tuple in @o; NULL if none, or if the
 * session translates the destination only (its replies go to the client
 * and are seen by svcgw_out).
 */
struct svcgw_session *svcgw_fullnat_find_rcu(struct svcgw_net *sn,
					     const struct svcgw_tuple *t,
					     struct svcgw_tuple *o)
{
	struct svcgw_session *s;

	if (!atomic_read(&sn->nsessions))
		return NULL;
	s = svcgw_session_lookup_rcu(sn, t, SVCGW_DIR_REPLY);
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
unsigned int svcgw_fullnat_reply(struct svcgw_net *sn, struct sk_buff *skb,
				 struct svcgw_pkt *p)
{
	struct svcgw_session *s;
	struct svcgw_tuple o;

	s = svcgw_fullnat_find_rcu(sn, &p->t, &o);
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
 * The packet @p of a flow client -> @srv, after routing, if @srv's service
 * has full NAT and the flow a session: its source becomes the gateway
 * address and port of the session (false if @srv's service has no session
 * for it; *@verdict is set when true).
 */
static bool fullnat_out_one(struct svcgw_net *sn, struct sk_buff *skb,
			    struct svcgw_pkt *p, const struct svcgw_server *srv,
			    unsigned int *verdict)
{
	struct svcgw_service *svc = srv->svc;
	struct svcgw_session *s;
	struct svcgw_tuple o, r;

	if (!rcu_access_pointer(svc->fullnat))
		return false;
	o = p->t;
	o.dst = svc->key.addr;
	o.dport = svc->key.port;
	s = svcgw_session_lookup_rcu(sn, &o, SVCGW_DIR_ORIG);
	if (!s)
		return false;
	*verdict = NF_ACCEPT;
	svcgw_session_tuple(s, SVCGW_DIR_REPLY, &r);
	/* A session from before full NAT was turned on: as it began. */
	if (svcgw_addr_equal(&r.dst, &o.src) && r.dport == o.sport)
		return true;
	if (unlikely(!svcgw_rewrite(skb, p, false, &r.dst, r.dport))) {
		svcgw_event(sn, SVCGW_EV_DROP_NOMEM);
		*verdict = NF_DROP;
	}
	return true;
}

/*
 * A packet of a full NAT flow, client -> server, after routing: its source
 * becomes the gateway address and port of its session.  The server's
 * endpoint may back several services (the one that holds it, its
 * guests): the flow's is the one with a session for it.  A packet to the
 * endpoint without a session is not the service's (a client or the
 * gateway itself talking to the server's own address; or a flow whose
 * session ended under the packet): left alone, as for any server.
 */
unsigned int svcgw_fullnat_out(struct svcgw_net *sn, struct sk_buff *skb,
			       struct svcgw_pkt *p)
{
	unsigned int verdict = NF_ACCEPT;
	struct svcgw_server *srv;
	struct rhlist_head *pos;
	struct svcgw_key key;

	if (!atomic_read(&sn->nsessions))
		return NF_ACCEPT;
	svcgw_key_of(&key, &p->t.dst, p->t.dport, &p->t);
	srv = svcgw_endpoint_lookup_rcu(sn, &key);
	if (srv && fullnat_out_one(sn, skb, p, srv, &verdict))
		return verdict;
	rhl_for_each_entry_rcu(srv, pos, svcgw_guests_lookup_rcu(sn, &key),
			       guest_node)
		if (fullnat_out_one(sn, skb, p, srv, &verdict))
			return verdict;
	return NF_ACCEPT;
}
