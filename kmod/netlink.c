// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "svcgw": the contract is uapi/linux/svcgw.h.
 *
 * Every handler works on the namespace of the requesting socket and takes
 * svcgw_net.lock for the whole request; dumps of services take it for
 * each chunk and report NLM_F_DUMP_INTR when the configuration changed
 * between chunks.  Session dumps walk the live table: a session that
 * exists for the whole dump is reported (at least once).
 */
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <net/ipv6.h>

#include "svcgw.h"
#include "maglev.h"
#include "twin.h"

static struct genl_family svcgw_genl_family;

static struct netlink_range_validation port_range = {
	.min = 0, .max = 65535,
};
static struct netlink_range_validation svc_port_range = {
	.min = 1, .max = 65535,
};
static struct netlink_range_validation table_range = {
	.min = SVCGW_TABLE_MIN, .max = SVCGW_TABLE_MAX,
};
static struct netlink_range_validation weight_range = {
	.min = 0, .max = SVCGW_WEIGHT_MAX,
};
static struct netlink_range_validation session_max_range = {
	.min = 0, .max = SVCGW_SESSION_MAX_LIMIT,
};
static struct netlink_range_validation timeout_range = {
	.min = 1, .max = SVCGW_TIMEOUT_MAX,
};
static struct netlink_range_validation transition_range = {
	.min = 0, .max = SVCGW_TRANSITION_MAX,
};
static struct netlink_range_validation deadline_range = {
	.min = 0, .max = SVCGW_TIMEOUT_MAX,
};

/* A service nest but its server list, which only BATCH takes. */
#define SVC_POLICY							\
	[SVCGW_SVC_A_FAMILY]	= { .type = NLA_U16 },			\
	[SVCGW_SVC_A_ADDR]	= { .type = NLA_BINARY, .len = 16 },	\
	[SVCGW_SVC_A_PORT]	=					\
		NLA_POLICY_FULL_RANGE(NLA_U16, &svc_port_range),	\
	[SVCGW_SVC_A_PROTO]	= { .type = NLA_U8 },			\
	[SVCGW_SVC_A_MODE]	= NLA_POLICY_RANGE(NLA_U8,		\
						   SVCGW_MODE_STATELESS,	\
						   SVCGW_MODE_MAX),	\
	[SVCGW_SVC_A_TABLE_SIZE] =					\
		NLA_POLICY_FULL_RANGE(NLA_U32, &table_range),		\
	[SVCGW_SVC_A_STATS]	= { .type = NLA_REJECT },		\
	[SVCGW_SVC_A_TRANSITION] =					\
		NLA_POLICY_FULL_RANGE(NLA_U32, &transition_range),	\
	[SVCGW_SVC_A_STATEFUL]	= NLA_POLICY_MAX(NLA_U8, 1),		\
	[SVCGW_SVC_A_DOWN_POLICY] =					\
		NLA_POLICY_MAX(NLA_U8, SVCGW_DOWN_EXPIRE),		\
	[SVCGW_SVC_A_STATE]	= { .type = NLA_REJECT },		\
	[SVCGW_SVC_A_REASON]	= { .type = NLA_REJECT },		\
	[SVCGW_SVC_A_SWITCHES]	= { .type = NLA_REJECT },		\
	[SVCGW_SVC_A_MARKED]	= { .type = NLA_REJECT },		\
	[SVCGW_SVC_A_TRANSITION_LEFT] = { .type = NLA_REJECT }

static const struct nla_policy svc_policy[SVCGW_SVC_A_MAX + 1] = {
	SVC_POLICY,
	[SVCGW_SVC_A_SERVERS]	= { .type = NLA_REJECT },
	/* Not in a batch (batch_svc_policy). */
	[SVCGW_SVC_A_FULLNAT]	= { .type = NLA_BINARY, .len = 16 },
};

static const struct nla_policy srv_policy[SVCGW_SRV_A_MAX + 1] = {
	[SVCGW_SRV_A_FAMILY]	= { .type = NLA_U16 },
	[SVCGW_SRV_A_ADDR]	= { .type = NLA_BINARY, .len = 16 },
	[SVCGW_SRV_A_PORT]	= NLA_POLICY_FULL_RANGE(NLA_U16, &port_range),
	[SVCGW_SRV_A_WEIGHT]	= NLA_POLICY_FULL_RANGE(NLA_U32, &weight_range),
	[SVCGW_SRV_A_STATS]	= { .type = NLA_REJECT },
	[SVCGW_SRV_A_STATE]	= NLA_POLICY_MAX(NLA_U8, SVCGW_SERVER_DOWN),
	[SVCGW_SRV_A_DEADLINE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &deadline_range),
};

static const struct nla_policy cfg_policy[SVCGW_CFG_A_MAX + 1] = {
	[SVCGW_CFG_A_SESSION_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &session_max_range),
	[SVCGW_CFG_A_TIMEOUT_TCP_SYN] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[SVCGW_CFG_A_TIMEOUT_TCP_EST] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[SVCGW_CFG_A_TIMEOUT_TCP_FIN] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
	[SVCGW_CFG_A_TIMEOUT_UDP] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &timeout_range),
};

static const struct nla_policy svcgw_policy[SVCGW_A_MAX + 1] = {
	[SVCGW_A_SERVICE]	= NLA_POLICY_NESTED(svc_policy),
	[SVCGW_A_SERVER]	= NLA_POLICY_NESTED(srv_policy),
	[SVCGW_A_SESSION]	= { .type = NLA_REJECT },
	[SVCGW_A_STATS]		= { .type = NLA_REJECT },
	[SVCGW_A_CONFIG]	= NLA_POLICY_NESTED(cfg_policy),
	[SVCGW_A_SERVER_NEW]	= NLA_POLICY_NESTED(srv_policy),
	[SVCGW_A_BATCH_FLAGS]	= { .type = NLA_REJECT },
};

/* SVCGW_CMD_BATCH: repeated services, each with a list of servers. */
static const struct nla_policy batch_svc_policy[SVCGW_SVC_A_MAX + 1] = {
	SVC_POLICY,
	[SVCGW_SVC_A_SERVERS]	= NLA_POLICY_NESTED_ARRAY(srv_policy),
	[SVCGW_SVC_A_FULLNAT]	= {
		.type = NLA_REJECT,
		.reject_message = "full NAT is set by SERVICE_NEW or SERVICE_SET, not in a batch",
	},
};

static const struct nla_policy batch_policy[SVCGW_A_MAX + 1] = {
	[SVCGW_A_SERVICE]	= NLA_POLICY_NESTED(batch_svc_policy),
	[SVCGW_A_SERVER]	= { .type = NLA_REJECT },
	[SVCGW_A_SESSION]	= { .type = NLA_REJECT },
	[SVCGW_A_STATS]		= { .type = NLA_REJECT },
	[SVCGW_A_CONFIG]	= { .type = NLA_REJECT },
	[SVCGW_A_SERVER_NEW]	= { .type = NLA_REJECT },
	[SVCGW_A_BATCH_FLAGS]	= NLA_POLICY_MASK(NLA_U32,
						  SVCGW_BATCH_F_REPLACE),
};

/* Attribute numbers of a service or server nest, for one parser. */
struct key_attrs {
	int family, addr;
	const char *missing;	/* extack messages are static strings */
	const char *bad_addr;
};

static const struct key_attrs svc_attrs = {
	SVCGW_SVC_A_FAMILY, SVCGW_SVC_A_ADDR,
	"service family and address are required",
	"service address must be unicast",
};

static const struct key_attrs srv_attrs = {
	SVCGW_SRV_A_FAMILY, SVCGW_SRV_A_ADDR,
	"server family and address are required",
	"server address must be unicast",
};

/* NL_SET_ERR_MSG_ATTR() for a message chosen at run time (static). */
static void set_err(struct netlink_ext_ack *extack, const struct nlattr *attr,
		    const char *msg)
{
	if (extack) {
		extack->_msg = msg;
		if (attr)
			extack->bad_attr = attr;
	}
}

/* Family and address of a nest into @key, with the errors an operator
 * can act on.
 */
static int parse_addr(struct nlattr *nest, struct nlattr **tb,
		      const struct key_attrs *ka, struct svcgw_key *key,
		      struct netlink_ext_ack *extack)
{
	u16 family;
	int len;

	if (NL_REQ_ATTR_CHECK(extack, nest, tb, ka->family) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, ka->addr)) {
		set_err(extack, NULL, ka->missing);
		return -EINVAL;
	}
	family = nla_get_u16(tb[ka->family]);
	len = nla_len(tb[ka->addr]);
	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[ka->family],
				    "unknown address family");
		return -EAFNOSUPPORT;
	}
	if (family == AF_INET && len != 4) {
		NL_SET_ERR_MSG_ATTR(extack, tb[ka->addr],
				    "IPv4 address must be 4 bytes");
		return -EINVAL;
	}
	if (family == AF_INET6 && len != 16) {
		NL_SET_ERR_MSG_ATTR(extack, tb[ka->addr],
				    "IPv6 address must be 16 bytes");
		return -EINVAL;
	}
	memset(key, 0, sizeof(*key));
	key->family = family;
	nla_memcpy(&key->addr, tb[ka->addr], len);
	if (family == AF_INET ?
	    ipv4_is_zeronet(key->addr.ip) || ipv4_is_multicast(key->addr.ip) ||
	    ipv4_is_lbcast(key->addr.ip) :
	    ipv6_addr_any((struct in6_addr *)key->addr.b) ||
	    ipv6_addr_is_multicast((struct in6_addr *)key->addr.b) ||
	    ipv6_addr_v4mapped((struct in6_addr *)key->addr.b)) {
		set_err(extack, tb[ka->addr], ka->bad_addr);
		return -EINVAL;
	}
	return 0;
}

/* The service key of a request: SVCGW_A_SERVICE { FAMILY ADDR PORT PROTO }.
 * @tb receives the parsed nest.
 */
static int parse_service_nest(struct nlattr *nest, struct nlattr **tb,
			      struct svcgw_key *key,
			      struct netlink_ext_ack *extack)
{
	int err;

	err = parse_addr(nest, tb, &svc_attrs, key, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, SVCGW_SVC_A_PORT) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, SVCGW_SVC_A_PROTO)) {
		NL_SET_ERR_MSG(extack, "service port and protocol are required");
		return -EINVAL;
	}
	key->port = htons(nla_get_u16(tb[SVCGW_SVC_A_PORT]));
	key->proto = nla_get_u8(tb[SVCGW_SVC_A_PROTO]);
	if (key->proto != IPPROTO_TCP && key->proto != IPPROTO_UDP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_SVC_A_PROTO],
				    "protocol must be TCP or UDP");
		return -EPROTONOSUPPORT;
	}
	return 0;
}

static int parse_service(struct genl_info *info, struct nlattr **tb,
			 struct svcgw_key *key)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[SVCGW_A_SERVICE];
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SVCGW_A_SERVICE)) {
		NL_SET_ERR_MSG(extack, "service is required");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCGW_SVC_A_MAX, nest, svc_policy, extack);
	if (err)
		return err;
	return parse_service_nest(nest, tb, key, extack);
}

/* A server nest, parsed into @tb, into @ep; port 0 means the service's
 * port.
 */
static int parse_server_nest(struct nlattr *nest, struct nlattr **tb,
			     const struct svcgw_key *svc, struct svcgw_key *ep,
			     struct netlink_ext_ack *extack)
{
	u16 port = 0;
	int err;

	err = parse_addr(nest, tb, &srv_attrs, ep, extack);
	if (err)
		return err;
	if (ep->family != svc->family) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_SRV_A_FAMILY],
				    "server family differs from the service's");
		return -EAFNOSUPPORT;
	}
	if (tb[SVCGW_SRV_A_PORT])
		port = nla_get_u16(tb[SVCGW_SRV_A_PORT]);
	ep->port = port ? htons(port) : svc->port;
	ep->proto = svc->proto;
	return 0;
}

/* The server of a request, @tb receiving its nest. */
static int parse_server_attr(struct genl_info *info, int attr,
			     struct nlattr **tb, const struct svcgw_key *svc,
			     struct svcgw_key *ep)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[attr];
	int err;

	if (GENL_REQ_ATTR_CHECK(info, attr)) {
		set_err(extack, NULL, attr == SVCGW_A_SERVER ?
			"server is required" : "the new server is required");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCGW_SRV_A_MAX, nest, srv_policy, extack);
	if (err)
		return err;
	return parse_server_nest(nest, tb, svc, ep, extack);
}

static int parse_server(struct genl_info *info, struct nlattr **tb,
			const struct svcgw_key *svc, struct svcgw_key *ep)
{
	return parse_server_attr(info, SVCGW_A_SERVER, tb, svc, ep);
}

/* The settings of a service in @tb, into @want; returns SVCGW_SET_*. */
static unsigned int parse_service_settings(struct nlattr **tb,
					   struct svcgw_service *want)
{
	unsigned int which = 0;

	if (tb[SVCGW_SVC_A_MODE]) {
		want->mode = nla_get_u8(tb[SVCGW_SVC_A_MODE]);
		which |= SVCGW_SET_MODE;
	}
	if (tb[SVCGW_SVC_A_TRANSITION]) {
		want->transition = nla_get_u32(tb[SVCGW_SVC_A_TRANSITION]);
		which |= SVCGW_SET_TRANSITION;
	}
	if (tb[SVCGW_SVC_A_STATEFUL]) {
		want->op_stateful = nla_get_u8(tb[SVCGW_SVC_A_STATEFUL]);
		which |= SVCGW_SET_STATEFUL;
	}
	if (tb[SVCGW_SVC_A_DOWN_POLICY]) {
		want->down_policy = nla_get_u8(tb[SVCGW_SVC_A_DOWN_POLICY]);
		which |= SVCGW_SET_DOWN_POLICY;
	}
	return which;
}

/*
 * SVCGW_SVC_A_FULLNAT of a request about the service @key: 0 if absent,
 * 1 with *@on and @addr set, or an error.
 */
static int parse_fullnat(struct nlattr **tb, const struct svcgw_key *key,
			 bool *on, union svcgw_addr *addr,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *a = tb[SVCGW_SVC_A_FULLNAT];
	struct in6_addr *a6 = (struct in6_addr *)addr->b;
	int len;

	if (!a)
		return 0;
	len = nla_len(a);
	*on = len > 0;
	memset(addr, 0, sizeof(*addr));
	if (!len)
		return 1;
	if (len != (key->family == AF_INET ? 4 : 16)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "full NAT address must be of the service's family");
		return -EINVAL;
	}
	nla_memcpy(addr, a, len);
	if (key->family == AF_INET ?
	    ipv4_is_zeronet(addr->ip) || ipv4_is_multicast(addr->ip) ||
	    ipv4_is_lbcast(addr->ip) :
	    ipv6_addr_any(a6) || ipv6_addr_is_multicast(a6) ||
	    ipv6_addr_v4mapped(a6)) {
		NL_SET_ERR_MSG_ATTR(extack, a, "full NAT address must be unicast");
		return -EINVAL;
	}
	return 1;
}

#define FULLNAT_MODE_MSG \
	"full NAT needs mode stateful: every flow needs its session"

static int svcgw_nl_service_new(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	u32 table = SVCGW_TABLE_DEFAULT;
	u8 mode = SVCGW_MODE_HYBRID;
	struct svcgw_service want = {};
	union svcgw_addr fn_addr;
	unsigned int which;
	struct svcgw_key key;
	bool fn_on = false;
	int err, fullnat;

	err = parse_service(info, tb, &key);
	if (err)
		return err;
	which = parse_service_settings(tb, &want);
	fullnat = parse_fullnat(tb, &key, &fn_on, &fn_addr, info->extack);
	if (fullnat < 0)
		return fullnat;
	fullnat = fullnat && fn_on;
	if (tb[SVCGW_SVC_A_MODE])
		mode = nla_get_u8(tb[SVCGW_SVC_A_MODE]);
	else if (fullnat)
		mode = SVCGW_MODE_STATEFUL;
	if (fullnat && mode != SVCGW_MODE_STATEFUL) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SVCGW_SVC_A_MODE],
				    FULLNAT_MODE_MSG);
		return -EINVAL;
	}
	if (tb[SVCGW_SVC_A_TABLE_SIZE]) {
		table = nla_get_u32(tb[SVCGW_SVC_A_TABLE_SIZE]);
		if (!svcgw_is_prime(table)) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[SVCGW_SVC_A_TABLE_SIZE],
					    "table size must be a prime");
			return -EINVAL;
		}
	}
	mutex_lock(&sn->lock);
	err = svcgw_service_add(sn, &key, mode, table, info->extack);
	if (!err && which)
		err = svcgw_service_set(sn, svcgw_service_find(sn, &key),
					&want, which);
	if (!err && fullnat) {
		err = svcgw_service_fullnat(sn, svcgw_service_find(sn, &key),
					    &fn_addr);
		if (err)
			svcgw_service_del(sn, &key, NULL);
	}
	mutex_unlock(&sn->lock);
	return err;
}

static int svcgw_nl_service_set(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	struct svcgw_service want = {}, *svc;
	union svcgw_addr fn_addr;
	unsigned int which;
	struct svcgw_key key;
	bool fn_on = false;
	int err, fullnat;

	err = parse_service(info, tb, &key);
	if (err)
		return err;
	if (tb[SVCGW_SVC_A_TABLE_SIZE]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SVCGW_SVC_A_TABLE_SIZE],
				    "the table size is set when the service is made");
		return -EOPNOTSUPP;
	}
	which = parse_service_settings(tb, &want);
	fullnat = parse_fullnat(tb, &key, &fn_on, &fn_addr, info->extack);
	if (fullnat < 0)
		return fullnat;
	if (!which && !fullnat) {
		NL_SET_ERR_MSG(info->extack, "nothing to change");
		return -EINVAL;
	}
	mutex_lock(&sn->lock);
	svc = svcgw_service_find(sn, &key);
	if (!svc) {
		NL_SET_ERR_MSG(info->extack, "no such service");
		err = -ENOENT;
		goto out;
	}
	/* Full NAT on, after this request, needs mode stateful after it. */
	if ((fullnat ? fn_on : !!rcu_access_pointer(svc->fullnat)) &&
	    ((which & SVCGW_SET_MODE) ? want.mode : svc->mode) !=
	    SVCGW_MODE_STATEFUL) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SVCGW_SVC_A_MODE],
				    FULLNAT_MODE_MSG);
		err = -EINVAL;
		goto out;
	}
	err = 0;
	if (which)
		err = svcgw_service_set(sn, svc, &want, which);
	if (!err && fullnat)
		err = svcgw_service_fullnat(sn, svc, fn_on ? &fn_addr : NULL);
out:
	mutex_unlock(&sn->lock);
	return err;
}

static int svcgw_nl_service_del(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	struct svcgw_key key;
	int err;

	err = parse_service(info, tb, &key);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	err = svcgw_service_del(sn, &key, info->extack);
	mutex_unlock(&sn->lock);
	return err;
}

static int svcgw_nl_server_new(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *stb[SVCGW_SVC_A_MAX + 1];
	struct nlattr *tb[SVCGW_SRV_A_MAX + 1];
	struct svcgw_key key, ep;
	u32 weight = 1;
	int err;

	err = parse_service(info, stb, &key);
	if (err)
		return err;
	err = parse_server(info, tb, &key, &ep);
	if (err)
		return err;
	if (tb[SVCGW_SRV_A_WEIGHT])
		weight = nla_get_u32(tb[SVCGW_SRV_A_WEIGHT]);
	mutex_lock(&sn->lock);
	err = svcgw_server_add(sn, &key, &ep, weight, info->extack);
	mutex_unlock(&sn->lock);
	return err;
}

static int svcgw_nl_server_del(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *stb[SVCGW_SVC_A_MAX + 1];
	struct nlattr *tb[SVCGW_SRV_A_MAX + 1];
	struct svcgw_key key, ep;
	int err;

	err = parse_service(info, stb, &key);
	if (err)
		return err;
	err = parse_server(info, tb, &key, &ep);
	if (err)
		return err;
	mutex_lock(&sn->lock);
	err = svcgw_server_del(sn, &key, &ep, info->extack);
	mutex_unlock(&sn->lock);
	return err;
}

static int svcgw_nl_server_set(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *stb[SVCGW_SVC_A_MAX + 1];
	struct nlattr *tb[SVCGW_SRV_A_MAX + 1];
	u32 weight, deadline, *pw = NULL, *pd = NULL;
	struct svcgw_key key, ep;
	u8 state, *ps = NULL;
	int err;

	err = parse_service(info, stb, &key);
	if (err)
		return err;
	err = parse_server(info, tb, &key, &ep);
	if (err)
		return err;
	if (tb[SVCGW_SRV_A_WEIGHT]) {
		weight = nla_get_u32(tb[SVCGW_SRV_A_WEIGHT]);
		pw = &weight;
	}
	if (tb[SVCGW_SRV_A_STATE]) {
		state = nla_get_u8(tb[SVCGW_SRV_A_STATE]);
		ps = &state;
	}
	if (tb[SVCGW_SRV_A_DEADLINE]) {
		deadline = nla_get_u32(tb[SVCGW_SRV_A_DEADLINE]);
		pd = &deadline;
	}
	if (!pw && !ps && !pd) {
		NL_SET_ERR_MSG(info->extack, "nothing to change");
		return -EINVAL;
	}
	mutex_lock(&sn->lock);
	err = svcgw_server_set(sn, &key, &ep, pw, ps, pd, info->extack);
	mutex_unlock(&sn->lock);
	return err;
}

static int svcgw_nl_server_replace(struct sk_buff *skb,
				   struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *stb[SVCGW_SVC_A_MAX + 1];
	struct nlattr *tb[SVCGW_SRV_A_MAX + 1];
	struct nlattr *ntb[SVCGW_SRV_A_MAX + 1];
	struct svcgw_key key, old, new;
	u32 weight, *pw = NULL;
	int err;

	err = parse_service(info, stb, &key);
	if (err)
		return err;
	err = parse_server(info, tb, &key, &old);
	if (err)
		return err;
	err = parse_server_attr(info, SVCGW_A_SERVER_NEW, ntb, &key, &new);
	if (err)
		return err;
	if (ntb[SVCGW_SRV_A_WEIGHT]) {
		weight = nla_get_u32(ntb[SVCGW_SRV_A_WEIGHT]);
		pw = &weight;
	}
	if (ntb[SVCGW_SRV_A_STATE] || ntb[SVCGW_SRV_A_DEADLINE]) {
		NL_SET_ERR_MSG(info->extack, "a new server starts active");
		return -EINVAL;
	}
	mutex_lock(&sn->lock);
	err = svcgw_server_replace(sn, &key, &old, &new, pw, info->extack);
	mutex_unlock(&sn->lock);
	return err;
}

/* One service nest of a batch into @bs, its servers into @srv. */
static int parse_batch_service(struct nlattr *nest, struct svcgw_batch_svc *bs,
			       struct svcgw_batch_srv *srv,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	struct nlattr *stb[SVCGW_SRV_A_MAX + 1];
	struct nlattr *a;
	int rem, err;

	err = nla_parse_nested(tb, SVCGW_SVC_A_MAX, nest, batch_svc_policy,
			       extack);
	if (err)
		return err;
	err = parse_service_nest(nest, tb, &bs->key, extack);
	if (err)
		return err;
	bs->attr = nest;
	bs->mode = tb[SVCGW_SVC_A_MODE] ? nla_get_u8(tb[SVCGW_SVC_A_MODE]) :
		   SVCGW_MODE_HYBRID;
	bs->table_size = SVCGW_TABLE_DEFAULT;
	if (tb[SVCGW_SVC_A_TABLE_SIZE]) {
		bs->table_size = nla_get_u32(tb[SVCGW_SVC_A_TABLE_SIZE]);
		if (!svcgw_is_prime(bs->table_size)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_SVC_A_TABLE_SIZE],
					    "table size must be a prime");
			return -EINVAL;
		}
	}
	bs->transition = tb[SVCGW_SVC_A_TRANSITION] ?
			 nla_get_u32(tb[SVCGW_SVC_A_TRANSITION]) :
			 SVCGW_TRANSITION_DEFAULT;
	bs->op_stateful = tb[SVCGW_SVC_A_STATEFUL] ?
			  nla_get_u8(tb[SVCGW_SVC_A_STATEFUL]) : 0;
	bs->down_policy = tb[SVCGW_SVC_A_DOWN_POLICY] ?
			  nla_get_u8(tb[SVCGW_SVC_A_DOWN_POLICY]) :
			  SVCGW_DOWN_RESCHEDULE;
	bs->n = 0;
	if (!tb[SVCGW_SVC_A_SERVERS])
		return 0;
	nla_for_each_nested(a, tb[SVCGW_SVC_A_SERVERS], rem) {
		struct svcgw_batch_srv *bsr = &srv[bs->n];

		if (nla_type(a) != SVCGW_A_SERVER) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "a server list holds SVCGW_A_SERVER nests");
			return -EINVAL;
		}
		if (bs->n == SVCGW_SERVERS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "too many servers in this service");
			return -ENOSPC;
		}
		err = nla_parse_nested(stb, SVCGW_SRV_A_MAX, a, srv_policy,
				       extack);
		if (err)
			return err;
		err = parse_server_nest(a, stb, &bs->key, &bsr->ep, extack);
		if (err)
			return err;
		if (stb[SVCGW_SRV_A_STATE] || stb[SVCGW_SRV_A_DEADLINE]) {
			NL_SET_ERR_MSG_ATTR(extack, stb[SVCGW_SRV_A_STATE] ?:
					    stb[SVCGW_SRV_A_DEADLINE],
					    "a batch sets no server state");
			return -EINVAL;
		}
		bsr->weight = stb[SVCGW_SRV_A_WEIGHT] ?
			      nla_get_u32(stb[SVCGW_SRV_A_WEIGHT]) : 1;
		bsr->attr = a;
		bs->n++;
	}
	return 0;
}

/* The later of two nests that name the same object, for the error. */
static const struct nlattr *later(const struct nlattr *a,
				  const struct nlattr *b)
{
	return a > b ? a : b;
}

/*
 * No service twice, no server endpoint twice (one endpoint backs one
 * service): hashed, in expected O(n) (svcgw_find_twin()).  The objects
 * begin with their key.
 */
static int batch_check_unique(struct svcgw_batch *b,
			      struct netlink_ext_ack *extack)
{
	unsigned int n = max(b->nsvc, b->nsrv);
	u32 *slots;
	u32 first;
	long i, j;

	BUILD_BUG_ON(offsetof(struct svcgw_batch_svc, key) ||
		     offsetof(struct svcgw_batch_srv, ep));
	if (n < 2)
		return 0;
	if (!svcgw_twin_slots(n))
		return -E2BIG;
	slots = kvmalloc_array(svcgw_twin_slots(n), sizeof(*slots), GFP_KERNEL);
	if (!slots)
		return -ENOMEM;
	i = svcgw_find_twin(b->svc, sizeof(*b->svc), sizeof(b->svc->key),
			    b->nsvc, slots, &first);
	j = i < 0 ? svcgw_find_twin(b->srv, sizeof(*b->srv), sizeof(b->srv->ep),
				    b->nsrv, slots, &first) : -1;
	kvfree(slots);
	if (i >= 0) {
		NL_SET_ERR_MSG_ATTR(extack, later(b->svc[i].attr,
						  b->svc[first].attr),
				    "service given twice in the batch");
	} else if (j >= 0) {
		NL_SET_ERR_MSG_ATTR(extack, later(b->srv[j].attr,
						  b->srv[first].attr),
				    "server endpoint given twice in the batch");
	} else {
		return 0;
	}
	return -EINVAL;
}

/*
 * SVCGW_CMD_BATCH.  The top-level attributes are walked here: info->attrs
 * keeps only the last of repeated ones.  The core validated them all with
 * batch_policy.  Everything is parsed and checked before the lock is
 * taken; svcgw_batch_apply() does the rest, all or nothing.
 */
static int svcgw_nl_batch(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct svcgw_batch b = {};
	unsigned int i = 0, k = 0;
	struct nlattr *a, *list, *e;
	int rem, r, err;

	if (info->attrs[SVCGW_A_BATCH_FLAGS])
		b.replace = nla_get_u32(info->attrs[SVCGW_A_BATCH_FLAGS]) &
			    SVCGW_BATCH_F_REPLACE;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != SVCGW_A_SERVICE)
			continue;
		b.nsvc++;
		list = nla_find_nested(a, SVCGW_SVC_A_SERVERS);
		if (list)
			nla_for_each_nested(e, list, r)
				b.nsrv++;
	}
	b.svc = kvcalloc(b.nsvc, sizeof(*b.svc), GFP_KERNEL);
	b.srv = kvcalloc(b.nsrv, sizeof(*b.srv), GFP_KERNEL);
	if ((b.nsvc && !b.svc) || (b.nsrv && !b.srv)) {
		err = -ENOMEM;
		goto out;
	}
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != SVCGW_A_SERVICE)
			continue;
		b.svc[i].first = k;
		err = parse_batch_service(a, &b.svc[i], &b.srv[k], extack);
		if (err)
			goto out;
		k += b.svc[i++].n;
		cond_resched();
	}
	b.nsrv = k;
	err = batch_check_unique(&b, extack);
	if (err)
		goto out;
	mutex_lock(&sn->lock);
	err = svcgw_batch_apply(sn, &b, extack);
	mutex_unlock(&sn->lock);
out:
	kvfree(b.svc);
	kvfree(b.srv);
	return err;
}

static int put_addr(struct sk_buff *skb, int attr, u8 family,
		    const union svcgw_addr *a)
{
	return nla_put(skb, attr, family == AF_INET ? 4 : 16, a);
}

static int put_stats(struct sk_buff *skb, int attr,
		     struct svcgw_pcpu_stats __percpu *pcpu)
{
	struct svcgw_stats st;
	struct nlattr *nest;

	svcgw_stats_read(pcpu, &st);
	nest = nla_nest_start(skb, attr);
	if (!nest ||
	    nla_put_u64_64bit(skb, SVCGW_STATS_A_PACKETS, st.packets,
			      SVCGW_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, SVCGW_STATS_A_BYTES, st.bytes,
			      SVCGW_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, SVCGW_STATS_A_SESSIONS, st.sessions,
			      SVCGW_STATS_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static u32 ms_left(unsigned long until)
{
	long left = (long)until - (long)jiffies;

	return left > 0 ? jiffies_to_msecs(left) : 0;
}

static int put_server(struct sk_buff *skb, const struct svcgw_server *srv)
{
	struct nlattr *nest = nla_nest_start(skb, SVCGW_A_SERVER);

	if (!nest ||
	    nla_put_u8(skb, SVCGW_SRV_A_STATE, srv->state) ||
	    (srv->drain_until &&
	     nla_put_u32(skb, SVCGW_SRV_A_DEADLINE, ms_left(srv->drain_until))) ||
	    nla_put_u16(skb, SVCGW_SRV_A_FAMILY, srv->ep.family) ||
	    put_addr(skb, SVCGW_SRV_A_ADDR, srv->ep.family, &srv->ep.addr) ||
	    nla_put_u16(skb, SVCGW_SRV_A_PORT, ntohs(srv->ep.port)) ||
	    nla_put_u32(skb, SVCGW_SRV_A_WEIGHT, srv->weight) ||
	    put_stats(skb, SVCGW_SRV_A_STATS, srv->stats)) {
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
	const struct svcgw_lut *lut = rcu_dereference_protected(svc->lut,
					lockdep_is_held(&sn->lock));
	struct svcgw_fullnat *fn;
	struct nlattr *nest, *list;
	bool state;
	u8 reason;
	struct svcgw_server *srv;
	unsigned int i = 0, done = *from;
	void *hdr;

	svcgw_service_reason(sn, svc, &state, &reason);
	hdr = genlmsg_put(skb, portid, seq, &svcgw_genl_family, flags,
			  SVCGW_CMD_SERVICE_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, SVCGW_A_SERVICE);
	if (!nest ||
	    nla_put_u16(skb, SVCGW_SVC_A_FAMILY, svc->key.family) ||
	    put_addr(skb, SVCGW_SVC_A_ADDR, svc->key.family, &svc->key.addr) ||
	    nla_put_u16(skb, SVCGW_SVC_A_PORT, ntohs(svc->key.port)) ||
	    nla_put_u8(skb, SVCGW_SVC_A_PROTO, svc->key.proto) ||
	    nla_put_u8(skb, SVCGW_SVC_A_MODE, svc->mode) ||
	    nla_put_u32(skb, SVCGW_SVC_A_TABLE_SIZE, svc->table_size) ||
	    nla_put_u32(skb, SVCGW_SVC_A_TRANSITION, svc->transition) ||
	    nla_put_u8(skb, SVCGW_SVC_A_STATEFUL, svc->op_stateful) ||
	    nla_put_u8(skb, SVCGW_SVC_A_DOWN_POLICY, svc->down_policy) ||
	    nla_put_u8(skb, SVCGW_SVC_A_STATE, state) ||
	    nla_put_u8(skb, SVCGW_SVC_A_REASON, reason) ||
	    nla_put_u64_64bit(skb, SVCGW_SVC_A_SWITCHES, svc->switches,
			      SVCGW_SVC_A_PAD) ||
	    nla_put_u32(skb, SVCGW_SVC_A_MARKED, lut->nmarked) ||
	    (lut->nmarked &&
	     nla_put_u32(skb, SVCGW_SVC_A_TRANSITION_LEFT,
			 ms_left(svc->transition_until))) ||
	    put_stats(skb, SVCGW_SVC_A_STATS, svc->stats))
		goto cancel;
	fn = rcu_dereference_protected(svc->fullnat, lockdep_is_held(&sn->lock));
	if (fn && put_addr(skb, SVCGW_SVC_A_FULLNAT, svc->key.family,
			   &fn->addr))
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

static int svcgw_nl_service_get(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	struct svcgw_service *svc;
	struct svcgw_key key;
	unsigned int from = 0;
	struct sk_buff *msg;
	int err;

	err = parse_service(info, tb, &key);
	if (err)
		return err;
	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&sn->lock);
	svc = svcgw_service_find(sn, &key);
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

static int svcgw_nl_service_dump_start(struct netlink_callback *cb)
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
	err = parse_service(&info, tb, &sd->filter);
	if (err)
		return err;
	sd->filtered = true;
	return 0;
}

static int svcgw_nl_service_dump(struct sk_buff *skb,
				 struct netlink_callback *cb)
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

/* What a session dump sends of a session. */
struct session_snap {
	struct svcgw_tuple	orig;
	struct svcgw_tuple	reply;
	u32			expires;	/* jiffies, low 32 bits */
	u8			state;
};

/* Session dump state, in cb->args[0]. */
struct session_dump {
	struct svcgw_session_iter iter;
	struct svcgw_key	filter;
	bool			filtered;
	bool			pending;	/* @snap not yet sent */
	struct session_snap	snap;
};

static int svcgw_nl_session_dump_start(struct netlink_callback *cb)
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
		err = parse_service(&info, tb, &sd->filter);
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

static int svcgw_nl_session_dump_done(struct netlink_callback *cb)
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
	    put_addr(skb, SVCGW_SESS_A_CLIENT_ADDR, o->family, &o->src) ||
	    nla_put_u16(skb, SVCGW_SESS_A_CLIENT_PORT, ntohs(o->sport)) ||
	    put_addr(skb, SVCGW_SESS_A_SERVICE_ADDR, o->family, &o->dst) ||
	    nla_put_u16(skb, SVCGW_SESS_A_SERVICE_PORT, ntohs(o->dport)) ||
	    put_addr(skb, SVCGW_SESS_A_SERVER_ADDR, r->family, &r->src) ||
	    nla_put_u16(skb, SVCGW_SESS_A_SERVER_PORT, ntohs(r->sport)) ||
	    nla_put_u8(skb, SVCGW_SESS_A_STATE, ss->state) ||
	    nla_put_u32(skb, SVCGW_SESS_A_EXPIRES,
			left > 0 ? jiffies_to_msecs(left) : 0) ||
	    /* Full NAT: the server answers a gateway address and port. */
	    ((!svcgw_addr_equal(&r->dst, &o->src) || r->dport != o->sport) &&
	     (put_addr(skb, SVCGW_SESS_A_FULLNAT_ADDR, r->family, &r->dst) ||
	      nla_put_u16(skb, SVCGW_SESS_A_FULLNAT_PORT, ntohs(r->dport))))) {
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

static int svcgw_nl_session_dump(struct sk_buff *skb,
				 struct netlink_callback *cb)
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
		if (put_session(skb, cb, ss)) {
			sd->pending = true;
			break;
		}
	}
	svcgw_session_iter_stop(&sd->iter);
	return skb->len;
}

static int svcgw_nl_session_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *tb[SVCGW_SVC_A_MAX + 1];
	struct nlattr *rtb[SVCGW_SRV_A_MAX + 1];
	struct svcgw_service *svc = NULL;
	struct svcgw_key key, ep;
	bool by_server = false;
	int err = 0;

	if (info->attrs[SVCGW_A_SERVICE]) {
		err = parse_service(info, tb, &key);
		if (err)
			return err;
	}
	if (info->attrs[SVCGW_A_SERVER]) {
		if (!info->attrs[SVCGW_A_SERVICE]) {
			NL_SET_ERR_MSG(info->extack,
				       "a server is named within its service");
			return -EINVAL;
		}
		err = parse_server(info, rtb, &key, &ep);
		if (err)
			return err;
		by_server = true;
	}
	mutex_lock(&sn->lock);
	if (info->attrs[SVCGW_A_SERVICE]) {
		svc = svcgw_service_find(sn, &key);
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

static int svcgw_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));

	mutex_lock(&sn->lock);
	svcgw_flush(sn);
	mutex_unlock(&sn->lock);
	return 0;
}

static int put_u64(struct sk_buff *skb, int attr, u64 v)
{
	return nla_put_u64_64bit(skb, attr, v, SVCGW_STATS_A_PAD);
}

static int svcgw_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
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
	    put_u64(msg, SVCGW_STATS_A_SESSION_MEM, svcgw_session_mem(sn))) {
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

static int svcgw_nl_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct nlattr *tb[SVCGW_CFG_A_MAX + 1];
	struct svcgw_config *c = &sn->cfg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SVCGW_A_CONFIG)) {
		NL_SET_ERR_MSG(info->extack, "config is required");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCGW_CFG_A_MAX, info->attrs[SVCGW_A_CONFIG],
			       cfg_policy, info->extack);
	if (err)
		return err;
	mutex_lock(&sn->lock);
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

static int svcgw_nl_config_get(struct sk_buff *skb, struct genl_info *info)
{
	struct svcgw_net *sn = svcgw_pernet(genl_info_net(info));
	struct svcgw_config *c = &sn->cfg;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

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
	    nla_put_u32(msg, SVCGW_CFG_A_TIMEOUT_UDP, c->timeouts.udp))
		goto nospace;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops svcgw_genl_ops[] = {
	{
		.cmd = SVCGW_CMD_SERVICE_NEW,
		.doit = svcgw_nl_service_new,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SERVICE_DEL,
		.doit = svcgw_nl_service_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SERVICE_GET,
		.doit = svcgw_nl_service_get,
		.start = svcgw_nl_service_dump_start,
		.dumpit = svcgw_nl_service_dump,
	},
	{
		.cmd = SVCGW_CMD_SERVER_NEW,
		.doit = svcgw_nl_server_new,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SERVER_DEL,
		.doit = svcgw_nl_server_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SESSION_GET,
		.start = svcgw_nl_session_dump_start,
		.dumpit = svcgw_nl_session_dump,
		.done = svcgw_nl_session_dump_done,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SESSION_FLUSH,
		.doit = svcgw_nl_session_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_STATS_GET,
		.doit = svcgw_nl_stats_get,
	},
	{
		.cmd = SVCGW_CMD_FLUSH,
		.doit = svcgw_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_CONFIG_SET,
		.doit = svcgw_nl_config_set,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_CONFIG_GET,
		.doit = svcgw_nl_config_get,
	},
	{
		.cmd = SVCGW_CMD_SERVICE_SET,
		.doit = svcgw_nl_service_set,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SERVER_SET,
		.doit = svcgw_nl_server_set,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_SERVER_REPLACE,
		.doit = svcgw_nl_server_replace,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = SVCGW_CMD_BATCH,
		.doit = svcgw_nl_batch,
		.policy = batch_policy,
		.maxattr = SVCGW_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family svcgw_genl_family __ro_after_init = {
	.name		= SVCGW_GENL_NAME,
	.version	= SVCGW_GENL_VERSION,
	.maxattr	= SVCGW_A_MAX,
	.policy		= svcgw_policy,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= svcgw_genl_ops,
	.n_ops		= ARRAY_SIZE(svcgw_genl_ops),
};

int __init svcgw_genl_init(void)
{
	return genl_register_family(&svcgw_genl_family);
}

void svcgw_genl_uninit(void)
{
	genl_unregister_family(&svcgw_genl_family);
}
