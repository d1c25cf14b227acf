// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink handlers of sessions: SESSION_GET (a dump, of one service or
 * all) and SESSION_FLUSH.  Session dumps walk the live table without the
 * configuration's lock: a session that exists for the whole dump is
 * reported (at least once).
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "nl.h"
#include "genl.h"
#include "service.h"
#include "session.h"

/* What a session dump sends of a session. */
struct session_snap {
	struct svcgw_tuple	orig;
	struct svcgw_tuple	reply;
	u32			expires;	/* jiffies, low 32 bits */
	u8			state;
	u8			replica;
	u32			origin;
};

/* Session dump state, in cb->args[0]. */
struct session_dump {
	struct svcgw_session_iter iter;
	struct svcgw_key	filter;
	bool			filtered;
	bool			pending;	/* @snap not yet sent */
	struct session_snap	snap;
};

int svcgw_nl_session_dump_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	struct svcgw_net *sn = svcgw_pernet(sock_net(cb->skb->sk));
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	struct genl_info info = {
		.attrs = di->attrs,
		.extack = cb->extack,
	};
	struct session_dump *sd;
	int err;

	sd = kzalloc(sizeof(*sd), GFP_KERNEL);
	if (!sd)
		return -ENOMEM;
	if (di->attrs[SVCGW_A_SERVICE]) {
		err = svcgw_nl_parse_service(&info, tb, &sd->filter);
		if (err) {
			kfree(sd);
			return err;
		}
		sd->filtered = true;
	}
	svcgw_session_iter_enter(sn, &sd->iter);
	cb->args[0] = (long)sd;
	return 0;
}

int svcgw_nl_session_dump_done(struct netlink_callback *cb)
{
	struct session_dump *sd = (struct session_dump *)cb->args[0];

	if (sd) {
		svcgw_session_iter_exit(&sd->iter);
		kfree(sd);
	}
	return 0;
}

static int put_session(struct sk_buff *skb, struct netlink_callback *cb,
		       const struct session_snap *ss)
{
	const struct svcgw_tuple *o = &ss->orig, *r = &ss->reply;
	s32 left = (s32)(ss->expires - (u32)jiffies);
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &svcgw_genl_family, NLM_F_MULTI,
			  SVCGW_CMD_SESSION_GET);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, SVCGW_A_SESSION);
	if (!nest ||
	    nla_put_u16(skb, SVCGW_SESS_A_FAMILY, o->family) ||
	    nla_put_u8(skb, SVCGW_SESS_A_PROTO, o->proto) ||
	    svcgw_nl_put_addr(skb, SVCGW_SESS_A_CLIENT_ADDR, o->family,
			      &o->src) ||
	    nla_put_u16(skb, SVCGW_SESS_A_CLIENT_PORT, ntohs(o->sport)) ||
	    svcgw_nl_put_addr(skb, SVCGW_SESS_A_SERVICE_ADDR, o->family,
			      &o->dst) ||
	    nla_put_u16(skb, SVCGW_SESS_A_SERVICE_PORT, ntohs(o->dport)) ||
	    svcgw_nl_put_addr(skb, SVCGW_SESS_A_SERVER_ADDR, r->family,
			      &r->src) ||
	    nla_put_u16(skb, SVCGW_SESS_A_SERVER_PORT, ntohs(r->sport)) ||
	    nla_put_u8(skb, SVCGW_SESS_A_STATE, ss->state) ||
	    nla_put_u32(skb, SVCGW_SESS_A_EXPIRES,
			left > 0 ? jiffies_to_msecs(left) : 0) ||
	    /* Full NAT: the server answers a gateway address and port. */
	    ((!svcgw_addr_equal(&r->dst, &o->src) || r->dport != o->sport) &&
	     (svcgw_nl_put_addr(skb, SVCGW_SESS_A_FULLNAT_ADDR, r->family,
				&r->dst) ||
	      nla_put_u16(skb, SVCGW_SESS_A_FULLNAT_PORT, ntohs(r->dport)))) ||
	    (ss->origin && nla_put_u32(skb, SVCGW_SESS_A_ORIGIN, ss->origin)) ||
	    (ss->replica && nla_put_flag(skb, SVCGW_SESS_A_REPLICA))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

static bool session_matches(const struct session_dump *sd,
			    const struct svcgw_tuple *o)
{
	return !sd->filtered ||
	       (svcgw_addr_equal(&o->dst, &sd->filter.addr) &&
		o->dport == sd->filter.port && o->proto == sd->filter.proto &&
		o->family == sd->filter.family);
}

int svcgw_nl_session_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct session_dump *sd = (struct session_dump *)cb->args[0];
	struct session_snap *ss = &sd->snap;
	struct svcgw_session *s;

	if (sd->pending) {
		if (put_session(skb, cb, ss))
			return -EMSGSIZE;
		sd->pending = false;
	}
	svcgw_session_iter_start(&sd->iter);
	while ((s = svcgw_session_iter_next(&sd->iter))) {
		/* A copy: kept if it does not fit, @s may be gone by then. */
		svcgw_session_tuple(s, SVCGW_DIR_ORIG, &ss->orig);
		if (!session_matches(sd, &ss->orig))
			continue;
		svcgw_session_tuple(s, SVCGW_DIR_REPLY, &ss->reply);
		ss->expires = READ_ONCE(s->expires);
		ss->state = READ_ONCE(s->ps.state);
		ss->origin = READ_ONCE(s->origin);
		ss->replica = READ_ONCE(s->replica);
		if (put_session(skb, cb, ss)) {
			sd->pending = true;
			break;
		}
	}
	svcgw_session_iter_stop(&sd->iter);
	return skb->len;
}

int svcgw_nl_session_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	struct nlattr *rtb[SVCGW_SRV_A_MAX + 1];
	struct svcgw_service *svc = NULL;
	struct svcgw_key key, ep;
	bool by_server = false;
	int err = 0;

	if (info->attrs[SVCGW_A_SERVICE]) {
		err = svcgw_nl_parse_service(info, tb, &key);
		if (err)
			return err;
	}
	if (info->attrs[SVCGW_A_SERVER]) {
		if (!info->attrs[SVCGW_A_SERVICE]) {
			NL_SET_ERR_MSG(info->extack,
				       "a server is named within its service");
			return -EINVAL;
		}
		err = svcgw_nl_parse_server(info, SVCGW_A_SERVER, rtb, &key,
					    &ep);
		if (err)
			return err;
		by_server = true;
	}
	mutex_lock(&sn->lock);
	if (info->attrs[SVCGW_A_SERVICE]) {
		svc = svcgw_service_lookup_locked(sn, &key);
		if (!svc) {
			NL_SET_ERR_MSG(info->extack, "no such service");
			err = -ENOENT;
			goto out;
		}
	}
	svcgw_session_flush(sn, svc, by_server ? &ep : NULL);
out:
	mutex_unlock(&sn->lock);
	return err;
}
