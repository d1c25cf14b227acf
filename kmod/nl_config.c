// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink handlers of the namespace as a whole: STATS_GET (the totals of
 * every service, the session table, the events) and CONFIG_GET/_SET (the
 * session cap and timeouts, read locklessly by the packet path).
 */
#include <net/genetlink.h>

#include "nl.h"
#include "genl.h"
#include "session.h"
#include "service.h"
#include "stats.h"

static int put_u64(struct sk_buff *skb, int attr, u64 v)
{
	return nla_put_u64_64bit(skb, attr, v, SVCGW_STATS_A_PAD);
}

int svcgw_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct svcgw_stats total = {}, st;
	struct svcgw_service *svc;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &svcgw_genl_family, 0,
				SVCGW_CMD_STATS_GET);
	if (!hdr)
		goto nospace;
	mutex_lock(&sn->lock);
	list_for_each_entry(svc, &sn->service_list, list) {
		svcgw_stats_read(svc->stats, &st);
		total.packets += st.packets;
		total.bytes += st.bytes;
		total.sessions += st.sessions;
	}
	nest = nla_nest_start(msg, SVCGW_A_STATS);
	if (!nest ||
	    put_u64(msg, SVCGW_STATS_A_PACKETS, total.packets) ||
	    put_u64(msg, SVCGW_STATS_A_BYTES, total.bytes) ||
	    put_u64(msg, SVCGW_STATS_A_SESSIONS, total.sessions) ||
	    nla_put_u32(msg, SVCGW_STATS_A_SERVICES, sn->nservices) ||
	    nla_put_u32(msg, SVCGW_STATS_A_SESSIONS_CUR,
			atomic_read(&sn->nsessions)) ||
	    put_u64(msg, SVCGW_STATS_A_DROP_MALFORMED,
		    svcgw_event_read(sn, SVCGW_EV_DROP_MALFORMED)) ||
	    put_u64(msg, SVCGW_STATS_A_DROP_NO_SERVER,
		    svcgw_event_read(sn, SVCGW_EV_DROP_NO_SERVER)) ||
	    put_u64(msg, SVCGW_STATS_A_DROP_NOMEM,
		    svcgw_event_read(sn, SVCGW_EV_DROP_NOMEM)) ||
	    put_u64(msg, SVCGW_STATS_A_SESSION_FULL,
		    svcgw_event_read(sn, SVCGW_EV_SESSION_FULL)) ||
	    put_u64(msg, SVCGW_STATS_A_SESSION_EXPIRED,
		    svcgw_event_read(sn, SVCGW_EV_SESSION_EXPIRED)) ||
	    nla_put_u8(msg, SVCGW_STATS_A_PRESSURE, READ_ONCE(sn->pressure)) ||
	    put_u64(msg, SVCGW_STATS_A_PRESSURE_SWITCHES,
		    svcgw_event_read(sn, SVCGW_EV_PRESSURE_SWITCH)) ||
	    put_u64(msg, SVCGW_STATS_A_SESSION_REPICK,
		    svcgw_event_read(sn, SVCGW_EV_SESSION_REPICK)) ||
	    put_u64(msg, SVCGW_STATS_A_SESSION_MEM, svcgw_session_mem(sn)) ||
	    put_u64(msg, SVCGW_STATS_A_DROP_NO_SESSION,
		    svcgw_event_read(sn, SVCGW_EV_DROP_NO_SESSION)) ||
	    put_u64(msg, SVCGW_STATS_A_ENCAP_TOO_BIG,
		    svcgw_event_read(sn, SVCGW_EV_ENCAP_TOO_BIG)) ||
	    put_u64(msg, SVCGW_STATS_A_DROP_NO_ROUTE,
		    svcgw_event_read(sn, SVCGW_EV_DROP_NO_ROUTE)) ||
	    put_u64(msg, SVCGW_STATS_A_ENCAP_PACKETS,
		    svcgw_event_read(sn, SVCGW_EV_ENCAP_PACKETS)) ||
	    put_u64(msg, SVCGW_STATS_A_POLICY_PACKETS,
		    svcgw_event_read(sn, SVCGW_EV_POLICY_PACKETS)) ||
	    put_u64(msg, SVCGW_STATS_A_POLICY_PINNED,
		    svcgw_event_read(sn, SVCGW_EV_POLICY_PINNED)) ||
	    put_u64(msg, SVCGW_STATS_A_POLICY_FAILOVER,
		    svcgw_event_read(sn, SVCGW_EV_POLICY_FAILOVER))) {
		mutex_unlock(&sn->lock);
		goto nospace;
	}
	mutex_unlock(&sn->lock);
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int svcgw_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *tb[SVCGW_CFG_A_MAX + 1];
	struct svcgw_encap_src *es[2] = {};
	struct svcgw_config *c = &sn->cfg;
	int err, i;

	if (GENL_REQ_ATTR_CHECK(info, SVCGW_A_CONFIG)) {
		NL_SET_ERR_MSG(info->extack, "config is required");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCGW_CFG_A_MAX, info->attrs[SVCGW_A_CONFIG],
			       svcgw_nl_cfg_policy, info->extack);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	/*
	 * The sources first, both made before either is published: the one
	 * step that can fail (no memory), all or nothing.
	 */
	for (i = 0; i < 2; i++) {
		struct nlattr *a = tb[i ? SVCGW_CFG_A_ENCAP_SRC6 :
				      SVCGW_CFG_A_ENCAP_SRC4];
		union svcgw_addr addr = {};

		if (!a)
			continue;
		nla_memcpy(&addr, a, sizeof(addr));
		err = svcgw_service_encap_src_new(&addr, &es[i]);
		if (err) {
			mutex_unlock(&sn->lock);
			kfree(es[0]);
			return err;
		}
	}
	for (i = 0; i < 2; i++)
		if (tb[i ? SVCGW_CFG_A_ENCAP_SRC6 : SVCGW_CFG_A_ENCAP_SRC4])
			svcgw_service_encap_src_swap(sn, &sn->encap_src[i],
						     es[i]);
	if (tb[SVCGW_CFG_A_SESSION_MAX])
		WRITE_ONCE(c->session_max,
			   nla_get_u32(tb[SVCGW_CFG_A_SESSION_MAX]));
	if (tb[SVCGW_CFG_A_TIMEOUT_TCP_SYN])
		WRITE_ONCE(c->timeouts.tcp_syn,
			   nla_get_u32(tb[SVCGW_CFG_A_TIMEOUT_TCP_SYN]));
	if (tb[SVCGW_CFG_A_TIMEOUT_TCP_EST])
		WRITE_ONCE(c->timeouts.tcp_est,
			   nla_get_u32(tb[SVCGW_CFG_A_TIMEOUT_TCP_EST]));
	if (tb[SVCGW_CFG_A_TIMEOUT_TCP_FIN])
		WRITE_ONCE(c->timeouts.tcp_fin,
			   nla_get_u32(tb[SVCGW_CFG_A_TIMEOUT_TCP_FIN]));
	if (tb[SVCGW_CFG_A_TIMEOUT_UDP])
		WRITE_ONCE(c->timeouts.udp,
			   nla_get_u32(tb[SVCGW_CFG_A_TIMEOUT_UDP]));
	mutex_unlock(&sn->lock);
	return 0;
}

int svcgw_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct svcgw_config *c = &sn->cfg;
	union svcgw_addr src[2] = {};
	struct svcgw_encap_src *es;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	int i;

	rcu_read_lock();
	for (i = 0; i < 2; i++) {
		es = rcu_dereference(sn->encap_src[i]);
		if (es)
			src[i] = es->addr;
	}
	rcu_read_unlock();

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &svcgw_genl_family, 0,
				SVCGW_CMD_CONFIG_GET);
	if (!hdr)
		goto nospace;
	nest = nla_nest_start(msg, SVCGW_A_CONFIG);
	if (!nest ||
	    nla_put_u32(msg, SVCGW_CFG_A_SESSION_MAX, c->session_max) ||
	    nla_put_u32(msg, SVCGW_CFG_A_TIMEOUT_TCP_SYN, c->timeouts.tcp_syn) ||
	    nla_put_u32(msg, SVCGW_CFG_A_TIMEOUT_TCP_EST, c->timeouts.tcp_est) ||
	    nla_put_u32(msg, SVCGW_CFG_A_TIMEOUT_TCP_FIN, c->timeouts.tcp_fin) ||
	    nla_put_u32(msg, SVCGW_CFG_A_TIMEOUT_UDP, c->timeouts.udp) ||
	    nla_put(msg, SVCGW_CFG_A_ENCAP_SRC4, 4, &src[0]) ||
	    nla_put(msg, SVCGW_CFG_A_ENCAP_SRC6, 16, &src[1]))
		goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}
