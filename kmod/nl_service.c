// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink handlers of services: SERVICE_NEW, _SET, _DEL, _GET (one, or a
 * dump of all with their servers) and FLUSH.  Dumps take svcgw_net.lock
 * for each chunk and report NLM_F_DUMP_INTR when the configuration
 * changed between chunks (svcgw_net.gen).
 */
#include <net/genetlink.h>
#include <net/sock.h>

#include "nl.h"
#include "genl.h"
#include "service.h"
#include "policy.h"
#include "fullnat.h"
#include "hooks.h"
#include "lut.h"

int svcgw_nl_service_new(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	struct svcgw_service_cfg cfg;
	union svcgw_addr fn_addr, es_addr;
	bool fn_on = false, es_on = false;
	unsigned int which;
	struct svcgw_key key;
	int err;

	err = svcgw_nl_parse_service(info, tb, &key);
	if (err)
		return err;
	err = svcgw_nl_parse_encap_src(tb, &key, &es_on, &es_addr, extack);
	if (err < 0)
		return err;
	svcgw_service_cfg_default(&cfg);
	err = svcgw_nl_parse_service_cfg(tb, &cfg, &which, extack);
	if (err)
		return err;
	err = svcgw_nl_parse_fullnat(tb, &key, &fn_on, &fn_addr, extack);
	if (err < 0)
		return err;
	/* Full NAT makes a service stateful unless the request says. */
	if (fn_on && !(which & SVCGW_CFG_MODE))
		cfg.mode = SVCGW_MODE_STATEFUL;
	err = svcgw_fullnat_check_mode(fn_on, cfg.mode, tb[SVCGW_SVC_A_MODE],
				       extack);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	err = svcgw_hooks_enable(sn);
	if (err)
		NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
	else
		err = svcgw_service_add(sn, &key, &cfg, fn_on ? &fn_addr : NULL,
					es_on ? &es_addr : NULL, extack);
	svcgw_hooks_sync(sn);
	mutex_unlock(&sn->lock);
	return err;
}

int svcgw_nl_service_set(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	struct svcgw_service_cfg cfg = {};
	struct svcgw_encap_src *es = NULL;
	struct svcgw_service *svc;
	union svcgw_addr fn_addr, es_addr;
	bool fn_on = false, es_on = false;
	unsigned int which;
	struct svcgw_key key;
	int err, fullnat, esrc;

	err = svcgw_nl_parse_service(info, tb, &key);
	if (err)
		return err;
	esrc = svcgw_nl_parse_encap_src(tb, &key, &es_on, &es_addr, extack);
	if (esrc < 0)
		return esrc;
	if (tb[SVCGW_SVC_A_TABLE_SIZE]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_SVC_A_TABLE_SIZE],
				    "the table size is set when the service is made");
		return -EOPNOTSUPP;
	}
	err = svcgw_nl_parse_service_cfg(tb, &cfg, &which, extack);
	if (err)
		return err;
	fullnat = svcgw_nl_parse_fullnat(tb, &key, &fn_on, &fn_addr, extack);
	if (fullnat < 0)
		return fullnat;
	if (!which && !fullnat && !esrc) {
		NL_SET_ERR_MSG(extack, "nothing to change");
		return -EINVAL;
	}
	mutex_lock(&sn->lock);
	svc = svcgw_service_lookup_locked(sn, &key);
	if (!svc) {
		NL_SET_ERR_MSG(extack, "no such service");
		err = -ENOENT;
		goto out;
	}
	/* Full NAT on, after this request, needs mode stateful after it. */
	err = svcgw_fullnat_check_mode(fullnat ? fn_on :
				       !!rcu_access_pointer(svc->fullnat),
				       (which & SVCGW_CFG_MODE) ? cfg.mode :
				       svc->cfg.mode,
				       tb[SVCGW_SVC_A_MODE], extack);
	if (!err && (which & SVCGW_CFG_MODE) &&
	    cfg.mode == SVCGW_MODE_STATELESS && svc->nguests) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_SVC_A_MODE],
				    "a server of this service shares its endpoint with another service by NAT: a stateless service cannot");
		err = -EADDRINUSE;
	}
	if (!err && fullnat && fn_on && svcgw_service_has_encap(svc)) {
		NL_SET_ERR_MSG(extack,
			       "a service with encapsulated servers cannot have full NAT");
		err = -EINVAL;
	}
	/*
	 * What can fail (no memory) first, all or nothing: the source is
	 * made, full NAT set, and only then the source published.
	 */
	if (!err && esrc)
		err = svcgw_service_encap_src_new(es_on ? &es_addr : NULL, &es);
	if (!err && fullnat) {
		err = svcgw_fullnat_set(sn, svc, fn_on ? &fn_addr : NULL);
		if (err)
			kfree(es);
	}
	if (!err && esrc)
		svcgw_service_encap_src_swap(sn, &svc->encap_src, es);
	if (!err && which)
		svcgw_service_set(sn, svc, &cfg, which);
out:
	mutex_unlock(&sn->lock);
	return err;
}

int svcgw_nl_service_del(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	struct svcgw_key key;
	int err;

	err = svcgw_nl_parse_service(info, tb, &key);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	err = svcgw_service_del(sn, &key, info->extack);
	svcgw_hooks_sync(sn);
	mutex_unlock(&sn->lock);
	return err;
}

static int put_server(struct sk_buff *skb, const struct svcgw_server *srv)
{
	struct nlattr *nest = nla_nest_start(skb, SVCGW_A_SERVER);

	if (!nest ||
	    nla_put_u8(skb, SVCGW_SRV_A_STATE, srv->state) ||
	    (srv->drain_until &&
	     nla_put_u32(skb, SVCGW_SRV_A_DEADLINE,
			  svcgw_nl_ms_left(srv->drain_until))) ||
	    nla_put_u16(skb, SVCGW_SRV_A_FAMILY, srv->ep.family) ||
	    svcgw_nl_put_addr(skb, SVCGW_SRV_A_ADDR, srv->ep.family, &srv->ep.addr) ||
	    nla_put_u16(skb, SVCGW_SRV_A_PORT, ntohs(srv->ep.port)) ||
	    nla_put_u32(skb, SVCGW_SRV_A_WEIGHT, srv->weight) ||
	    nla_put_u8(skb, SVCGW_SRV_A_METHOD, srv->fwd.method) ||
	    (srv->fwd.method == SVCGW_METHOD_GUE &&
	     nla_put_u16(skb, SVCGW_SRV_A_GUE_PORT, ntohs(srv->fwd.gue_port))) ||
	    (srv->guest && nla_put_flag(skb, SVCGW_SRV_A_SHARED)) ||
	    svcgw_nl_put_stats(skb, SVCGW_SRV_A_STATS, srv->stats)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * One message describing @svc with its servers from *@from on.  Returns 0
 * when every server fit, -EMSGSIZE when none could be written, and
 * advances *@from past the servers written otherwise (1).
 */
static int put_service(struct sk_buff *skb, u32 portid, u32 seq, int flags,
		       struct netlink_callback *cb, struct svcgw_net *sn,
		       const struct svcgw_service *svc, unsigned int *from)
{
	const struct svcgw_lut *lut = svcgw_lut_locked(sn, svc);
	struct svcgw_encap_src *es;
	struct svcgw_fullnat *fn;
	struct nlattr *nest, *list;
	bool state;
	u8 reason;
	struct svcgw_server *srv;
	unsigned int i = 0, done = *from;
	void *hdr;

	svcgw_service_stateful_now(sn, svc, &state, &reason);
	hdr = genlmsg_put(skb, portid, seq, &svcgw_genl_family, flags,
			  SVCGW_CMD_SERVICE_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, SVCGW_A_SERVICE);
	if (!nest ||
	    nla_put_u16(skb, SVCGW_SVC_A_FAMILY, svc->key.family) ||
	    svcgw_nl_put_addr(skb, SVCGW_SVC_A_ADDR, svc->key.family, &svc->key.addr) ||
	    nla_put_u16(skb, SVCGW_SVC_A_PORT, ntohs(svc->key.port)) ||
	    nla_put_u8(skb, SVCGW_SVC_A_PROTO, svc->key.proto) ||
	    nla_put_u8(skb, SVCGW_SVC_A_MODE, svc->cfg.mode) ||
	    nla_put_u32(skb, SVCGW_SVC_A_TABLE_SIZE, svc->cfg.table_size) ||
	    nla_put_u32(skb, SVCGW_SVC_A_TRANSITION, svc->cfg.transition) ||
	    nla_put_u8(skb, SVCGW_SVC_A_STATEFUL, svc->cfg.op_stateful) ||
	    nla_put_u8(skb, SVCGW_SVC_A_DOWN_POLICY, svc->cfg.down_policy) ||
	    nla_put_u8(skb, SVCGW_SVC_A_STATE, state) ||
	    nla_put_u8(skb, SVCGW_SVC_A_REASON, reason) ||
	    nla_put_u64_64bit(skb, SVCGW_SVC_A_SWITCHES, svc->switches,
			      SVCGW_SVC_A_PAD) ||
	    nla_put_u32(skb, SVCGW_SVC_A_MARKED, lut->nmarked) ||
	    (lut->nmarked &&
	     nla_put_u32(skb, SVCGW_SVC_A_TRANSITION_LEFT,
			 svcgw_nl_ms_left(svc->transition_until))) ||
	    svcgw_nl_put_stats(skb, SVCGW_SVC_A_STATS, svc->stats))
		goto cancel;
	fn = rcu_dereference_protected(svc->fullnat, lockdep_is_held(&sn->lock));
	if (fn && svcgw_nl_put_addr(skb, SVCGW_SVC_A_FULLNAT, svc->key.family,
				     &fn->addr))
		goto cancel;
	es = rcu_dereference_protected(svc->encap_src,
				       lockdep_is_held(&sn->lock));
	if (es && svcgw_nl_put_addr(skb, SVCGW_SVC_A_ENCAP_SRC,
				     svc->key.family, &es->addr))
		goto cancel;
	list = nla_nest_start(skb, SVCGW_SVC_A_SERVERS);
	if (!list)
		goto cancel;
	list_for_each_entry(srv, &svc->servers, list) {
		if (i++ < *from)
			continue;
		if (put_server(skb, srv))
			break;
		done++;
	}
	if (done == *from && done < svc->nservers)
		goto cancel;	/* not one server fit: start afresh */
	nla_nest_end(skb, list);
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	if (done < svc->nservers) {
		*from = done;
		return 1;
	}
	*from = 0;
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int svcgw_nl_service_get(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	struct svcgw_service *svc;
	struct svcgw_key key;
	unsigned int from = 0;
	struct sk_buff *msg;
	int err;

	err = svcgw_nl_parse_service(info, tb, &key);
	if (err)
		return err;
	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&sn->lock);
	svc = svcgw_service_lookup_locked(sn, &key);
	if (!svc) {
		NL_SET_ERR_MSG(info->extack, "no such service");
		err = -ENOENT;
	} else {
		err = put_service(msg, info->snd_portid, info->snd_seq, 0,
				  NULL, sn, svc, &from);
		if (err > 0) {
			NL_SET_ERR_MSG(info->extack,
				       "too many servers for one reply, use a dump");
			err = -EMSGSIZE;
		}
	}
	mutex_unlock(&sn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* Service dump state, in cb->ctx (which shares its storage with
 * cb->args): the filter, services done, servers of the next one done.
 */
struct service_dump {
	struct svcgw_key	filter;
	bool			filtered;
	unsigned int		from;
	unsigned long		idx;
};

int svcgw_nl_service_dump_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *di = genl_dumpit_info(cb);
	struct service_dump *sd = (struct service_dump *)cb->ctx;
	struct nlattr *nest = di->attrs[SVCGW_A_SERVICE];
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	struct genl_info info = {
		.attrs = di->attrs,
		.extack = cb->extack,
	};
	int err;

	BUILD_BUG_ON(sizeof(*sd) > sizeof(cb->ctx));
	memset(sd, 0, sizeof(*sd));
	if (!nest)
		return 0;
	err = svcgw_nl_parse_service(&info, tb, &sd->filter);
	if (err)
		return err;
	sd->filtered = true;
	return 0;
}

int svcgw_nl_service_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct svcgw_net *sn = svcgw_pernet(sock_net(skb->sk));
	struct service_dump *sd = (struct service_dump *)cb->ctx;
	unsigned long idx = 0, skip = sd->idx;
	unsigned int from = sd->from;
	struct svcgw_service *svc;
	int err = 0;

	mutex_lock(&sn->lock);
	cb->seq = sn->gen;
	list_for_each_entry(svc, &sn->service_list, list) {
		if (idx++ < skip)
			continue;
		if (sd->filtered && memcmp(&svc->key, &sd->filter,
					   sizeof(svc->key)))
			continue;
		do {
			err = put_service(skb, NETLINK_CB(cb->skb).portid,
					  cb->nlh->nlmsg_seq, NLM_F_MULTI,
					  cb, sn, svc, &from);
		} while (err > 0 && skb_tailroom(skb) > NLMSG_GOODSIZE / 4);
		if (err) {
			idx--;
			break;
		}
	}
	mutex_unlock(&sn->lock);
	sd->idx = idx;
	sd->from = from;
	if (err == -EMSGSIZE && !skb->len)
		return err;	/* a single service that fits no message */
	return skb->len;
}

int svcgw_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));

	mutex_lock(&sn->lock);
	svcgw_pset_flush(sn);
	svcgw_service_flush(sn);
	svcgw_hooks_sync(sn);
	mutex_unlock(&sn->lock);
	return 0;
}
