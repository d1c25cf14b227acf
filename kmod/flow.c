// SPDX-License-Identifier: GPL-2.0
/*
 * Where a flow goes, for the packet path (under RCU): a packet from a
 * client to a service goes to its session's server when it has a usable
 * session, else to the server its service's mapping table gives (which
 * says whether the flow gets a session); a packet from a server back to a
 * client takes the service endpoint of its session, else of the server's
 * service.
 */
#include "flow.h"
#include "session.h"
#include "server.h"
#include "lut.h"
#include "stats.h"

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
	    (svcgw_tcp_syn(p) && (st == SVCGW_SESS_TCP_CLOSE ||
				  st == SVCGW_SESS_TCP_FIN_WAIT))) {
		svcgw_session_kill(sn, s);
		svcgw_event(sn, SVCGW_EV_SESSION_REPICK);
		return false;
	}
	return true;
}

/* The usable session of the client's packet @p, NULL if it has none. */
struct svcgw_session *svcgw_flow_session_rcu(struct svcgw_net *sn,
					     const struct svcgw_pkt *p)
{
	struct svcgw_session *s;

	if (!atomic_read(&sn->nsessions))
		return NULL;
	s = svcgw_session_lookup_rcu(sn, &p->t, SVCGW_DIR_ORIG);
	if (s && !session_usable(sn, s, p))
		return NULL;
	return s;
}

/*
 * The server of a flow without a session, from the mapping table, and
 * whether the flow gets a session.  In a hybrid service a marked entry (in
 * transition) sends a new TCP connection to its new server and anything
 * else to its old one, and pins the flow with a session.
 */
struct svcgw_server *svcgw_flow_pick_rcu(struct svcgw_net *sn,
					 struct svcgw_service *svc,
					 const struct svcgw_tuple *t, bool syn,
					 bool *make_session)
{
	struct svcgw_lut *lut = rcu_dereference(svc->lut);
	u32 h = svcgw_lut_entry(lut, t, sn->hash_seed);
	u16 i = lut->slot[h], o = SVCGW_SLOT_EMPTY;
	u8 mode = READ_ONCE(svc->cfg.mode);

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
		*make_session = (READ_ONCE(svc->cfg.op_stateful) ||
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
 * The service endpoint of a flow seen from the server's side: @t is a
 * packet server -> client.  From its session, else from the endpoint.
 */
bool svcgw_flow_reply_endpoint_rcu(struct svcgw_net *sn,
				   const struct svcgw_tuple *t, bool touch,
				   const struct svcgw_pkt *p,
				   union svcgw_addr *addr, __be16 *port)
{
	struct svcgw_session *s = NULL;
	struct svcgw_server *srv;
	struct svcgw_key key;

	if (atomic_read(&sn->nsessions)) {
		s = svcgw_session_lookup_rcu(sn, t, SVCGW_DIR_REPLY);
		if (s && svcgw_session_expired(s))
			s = NULL;
	}
	if (s && s->server->fwd.method != SVCGW_METHOD_NAT)
		return false;
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
	svcgw_key_of(&key, &t->src, t->sport, t);
	srv = svcgw_endpoint_lookup_rcu(sn, &key);
	/* An encapsulated server answers from the service address itself. */
	if (!srv || srv->fwd.method != SVCGW_METHOD_NAT)
		return false;
	*addr = srv->svc->key.addr;
	*port = srv->svc->key.port;
	return true;
}
