// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "svcgw", whose contract is uapi/linux/svcgw.h
 * (Documentation/netlink/specs/svcgw.yaml): the family, the attribute
 * policies, and the parsing and writing of the nests that several
 * commands share.  The handlers are in nl_<object>.c, the table of
 * operations and the registration in netlink.c.
 *
 * Every handler works on the namespace of the requesting socket and takes
 * svcgw_net.lock for what it changes or reads of the configuration;
 * requests are parsed and checked before the lock is taken.
 */
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/ipv6.h>

#include "genl.h"
#include "stats.h"

/*
 * The id of svcgw's per-namespace state (struct svcgw_net): main.c
 * registers it; the handlers find their namespace's state through it.
 */
unsigned int svcgw_net_id __read_mostly;

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
	/* Not in a batch (svcgw_nl_batch_svc_policy). */
	[SVCGW_SVC_A_FULLNAT]	= { .type = NLA_BINARY, .len = 16 },
	[SVCGW_SVC_A_ENCAP_SRC]	= { .type = NLA_BINARY, .len = 16 },
};

const struct nla_policy svcgw_nl_srv_policy[SVCGW_SRV_A_MAX + 1] = {
	[SVCGW_SRV_A_FAMILY]	= { .type = NLA_U16 },
	[SVCGW_SRV_A_ADDR]	= { .type = NLA_BINARY, .len = 16 },
	[SVCGW_SRV_A_PORT]	= NLA_POLICY_FULL_RANGE(NLA_U16, &port_range),
	[SVCGW_SRV_A_WEIGHT]	= NLA_POLICY_FULL_RANGE(NLA_U32, &weight_range),
	[SVCGW_SRV_A_STATS]	= { .type = NLA_REJECT },
	[SVCGW_SRV_A_STATE]	= NLA_POLICY_MAX(NLA_U8, SVCGW_SERVER_DOWN),
	[SVCGW_SRV_A_DEADLINE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &deadline_range),
	[SVCGW_SRV_A_METHOD]	= NLA_POLICY_MAX(NLA_U8, SVCGW_METHOD_MAX),
	[SVCGW_SRV_A_GUE_PORT]	=
		NLA_POLICY_FULL_RANGE(NLA_U16, &svc_port_range),
	[SVCGW_SRV_A_SHARED]	= { .type = NLA_REJECT },
};

const struct nla_policy svcgw_nl_cfg_policy[SVCGW_CFG_A_MAX + 1] = {
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
	[SVCGW_CFG_A_ENCAP_SRC4] = NLA_POLICY_EXACT_LEN(4),
	[SVCGW_CFG_A_ENCAP_SRC6] = NLA_POLICY_EXACT_LEN(16),
};

/* The family's policy: every command but BATCH. */
static const struct nla_policy svcgw_nl_policy[SVCGW_A_MAX + 1] = {
	[SVCGW_A_SERVICE]	= NLA_POLICY_NESTED(svc_policy),
	[SVCGW_A_SERVER]	= NLA_POLICY_NESTED(svcgw_nl_srv_policy),
	[SVCGW_A_SESSION]	= { .type = NLA_REJECT },
	[SVCGW_A_STATS]		= { .type = NLA_REJECT },
	[SVCGW_A_CONFIG]	= NLA_POLICY_NESTED(svcgw_nl_cfg_policy),
	[SVCGW_A_SERVER_NEW]	= NLA_POLICY_NESTED(svcgw_nl_srv_policy),
	[SVCGW_A_BATCH_FLAGS]	= { .type = NLA_REJECT },
	[SVCGW_A_POLICY_SET]	= { .type = NLA_REJECT },
	[SVCGW_A_GROUP]		= { .type = NLA_REJECT },
	[SVCGW_A_POLICY]	= { .type = NLA_REJECT },
	[SVCGW_A_HA]		= { .type = NLA_REJECT },
	[SVCGW_A_HA_NODE]	= { .type = NLA_REJECT },
};

/* SVCGW_CMD_BATCH: repeated services, each with a list of servers. */
const struct nla_policy svcgw_nl_batch_svc_policy[SVCGW_SVC_A_MAX + 1] = {
	SVC_POLICY,
	[SVCGW_SVC_A_SERVERS]	= NLA_POLICY_NESTED_ARRAY(svcgw_nl_srv_policy),
	[SVCGW_SVC_A_FULLNAT]	= {
		.type = NLA_REJECT,
		.reject_message = "full NAT is set by SERVICE_NEW or SERVICE_SET, not in a batch",
	},
	[SVCGW_SVC_A_ENCAP_SRC]	= {
		.type = NLA_REJECT,
		.reject_message = "the encapsulation source is set by SERVICE_NEW or SERVICE_SET, not in a batch",
	},
};

const struct nla_policy svcgw_nl_batch_policy[SVCGW_A_MAX + 1] = {
	[SVCGW_A_SERVICE]	= NLA_POLICY_NESTED(svcgw_nl_batch_svc_policy),
	[SVCGW_A_SERVER]	= { .type = NLA_REJECT },
	[SVCGW_A_SESSION]	= { .type = NLA_REJECT },
	[SVCGW_A_STATS]		= { .type = NLA_REJECT },
	[SVCGW_A_CONFIG]	= { .type = NLA_REJECT },
	[SVCGW_A_SERVER_NEW]	= { .type = NLA_REJECT },
	[SVCGW_A_BATCH_FLAGS]	= NLA_POLICY_MASK(NLA_U32,
						  SVCGW_BATCH_F_REPLACE),
	[SVCGW_A_POLICY_SET]	= { .type = NLA_REJECT },
	[SVCGW_A_GROUP]		= { .type = NLA_REJECT },
	[SVCGW_A_POLICY]	= { .type = NLA_REJECT },
	[SVCGW_A_HA]		= { .type = NLA_REJECT },
	[SVCGW_A_HA_NODE]	= { .type = NLA_REJECT },
};

/* SVCGW_CMD_POLICY_SET_REPLACE: one set, repeated groups and policies. */
static const struct nla_policy group_policy[SVCGW_GROUP_A_MAX + 1] = {
	[SVCGW_GROUP_A_NAME]	= { .type = NLA_NUL_STRING,
				    .len = SVCGW_NAME_MAX - 1 },
	[SVCGW_GROUP_A_TABLE_SIZE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &table_range),
	[SVCGW_GROUP_A_DESTS]	= NLA_POLICY_NESTED_ARRAY(svcgw_nl_srv_policy),
	[SVCGW_GROUP_A_STATS]	= { .type = NLA_REJECT },
	[SVCGW_GROUP_A_FAMILY]	= { .type = NLA_REJECT },
};

static const struct nla_policy policy_policy[SVCGW_POLICY_A_MAX + 1] = {
	[SVCGW_POLICY_A_FAMILY]	= { .type = NLA_U16 },
	[SVCGW_POLICY_A_ADDR]	= { .type = NLA_BINARY, .len = 16 },
	[SVCGW_POLICY_A_PORT]	=
		NLA_POLICY_FULL_RANGE(NLA_U16, &svc_port_range),
	[SVCGW_POLICY_A_PROTO]	= { .type = NLA_U8 },
	[SVCGW_POLICY_A_SRC]	= { .type = NLA_BINARY, .len = 16 },
	[SVCGW_POLICY_A_SRC_PLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[SVCGW_POLICY_A_GROUP]	= { .type = NLA_NUL_STRING,
				    .len = SVCGW_NAME_MAX - 1 },
	[SVCGW_POLICY_A_STATS]	= { .type = NLA_REJECT },
};

static const struct nla_policy pset_policy[SVCGW_PSET_A_MAX + 1] = {
	[SVCGW_PSET_A_NAME]	= { .type = NLA_NUL_STRING,
				    .len = SVCGW_NAME_MAX - 1 },
	[SVCGW_PSET_A_GEN]	= { .type = NLA_U64 },
	[SVCGW_PSET_A_TRANSITION] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &transition_range),
	[SVCGW_PSET_A_TRANSITION_LEFT] = { .type = NLA_REJECT },
	[SVCGW_PSET_A_NGROUPS]	= { .type = NLA_REJECT },
	[SVCGW_PSET_A_NPOLICIES] = { .type = NLA_REJECT },
	[SVCGW_PSET_A_PREV_GEN]	= { .type = NLA_REJECT },
	[SVCGW_PSET_A_REASON]	= { .type = NLA_NUL_STRING,
				    .len = SVCGW_REASON_MAX - 1 },
	[SVCGW_PSET_A_AGE_MS]	= { .type = NLA_REJECT },
};

const struct nla_policy svcgw_nl_pset_op_policy[SVCGW_A_MAX + 1] = {
	[SVCGW_A_SERVICE]	= { .type = NLA_REJECT },
	[SVCGW_A_SERVER]	= { .type = NLA_REJECT },
	[SVCGW_A_SESSION]	= { .type = NLA_REJECT },
	[SVCGW_A_STATS]		= { .type = NLA_REJECT },
	[SVCGW_A_CONFIG]	= { .type = NLA_REJECT },
	[SVCGW_A_SERVER_NEW]	= { .type = NLA_REJECT },
	[SVCGW_A_BATCH_FLAGS]	= { .type = NLA_REJECT },
	[SVCGW_A_POLICY_SET]	= NLA_POLICY_NESTED(pset_policy),
	[SVCGW_A_GROUP]		= NLA_POLICY_NESTED(group_policy),
	[SVCGW_A_POLICY]	= NLA_POLICY_NESTED(policy_policy),
	[SVCGW_A_HA]		= { .type = NLA_REJECT },
	[SVCGW_A_HA_NODE]	= { .type = NLA_REJECT },
};

/* SVCGW_CMD_HA_SET, _GET, _NODE_SET: the HA policy, its nodes. */
static const struct nla_policy ha_policy[SVCGW_HA_A_MAX + 1] = {
	[SVCGW_HA_A_GEN]	= NLA_POLICY_MIN(NLA_U64, 1),
	[SVCGW_HA_A_LOCAL]	= { .type = NLA_U32 },
	[SVCGW_HA_A_PORT]	= NLA_POLICY_FULL_RANGE(NLA_U16, &svc_port_range),
	[SVCGW_HA_A_KEY_ID]	= { .type = NLA_U32 },
	[SVCGW_HA_A_KEY]	= NLA_POLICY_EXACT_LEN(SVCGW_HA_KEY_LEN),
	[SVCGW_HA_A_PREV_KEY_ID] = { .type = NLA_U32 },
	[SVCGW_HA_A_PREV_KEY]	= NLA_POLICY_EXACT_LEN(SVCGW_HA_KEY_LEN),
	[SVCGW_HA_A_NNODES]	= { .type = NLA_REJECT },
	[SVCGW_HA_A_STALE]	= { .type = NLA_REJECT },
	[SVCGW_HA_A_AGE_MS]	= { .type = NLA_REJECT },
	[SVCGW_HA_A_SYNC]	= { .type = NLA_REJECT },
};

static const struct nla_policy ha_node_policy[SVCGW_HA_NODE_A_MAX + 1] = {
	[SVCGW_HA_NODE_A_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[SVCGW_HA_NODE_A_NAME]	= { .type = NLA_NUL_STRING,
				    .len = SVCGW_NAME_MAX - 1 },
	[SVCGW_HA_NODE_A_FAMILY] = { .type = NLA_U16 },
	[SVCGW_HA_NODE_A_SYNC_ADDR] = { .type = NLA_BINARY, .len = 16 },
	[SVCGW_HA_NODE_A_DEST_FAMILY] = { .type = NLA_U16 },
	[SVCGW_HA_NODE_A_DEST_ADDR] = { .type = NLA_BINARY, .len = 16 },
	[SVCGW_HA_NODE_A_FNAT_FAMILY] = { .type = NLA_U16 },
	[SVCGW_HA_NODE_A_FNAT_ADDR] = { .type = NLA_BINARY, .len = 16 },
	[SVCGW_HA_NODE_A_BACKUPS] = { .type = NLA_BINARY,
				      .len = SVCGW_HA_BACKUPS_MAX * 4 },
	[SVCGW_HA_NODE_A_STATE]	= NLA_POLICY_RANGE(NLA_U8, SVCGW_HA_STATE_UP,
						   SVCGW_HA_STATE_DOWN),
	[SVCGW_HA_NODE_A_STATE_GEN] = NLA_POLICY_MIN(NLA_U64, 1),
	[SVCGW_HA_NODE_A_PEER]	= { .type = NLA_REJECT },
};

const struct nla_policy svcgw_nl_ha_op_policy[SVCGW_A_MAX + 1] = {
	[SVCGW_A_SERVICE]	= { .type = NLA_REJECT },
	[SVCGW_A_SERVER]	= { .type = NLA_REJECT },
	[SVCGW_A_SESSION]	= { .type = NLA_REJECT },
	[SVCGW_A_STATS]		= { .type = NLA_REJECT },
	[SVCGW_A_CONFIG]	= { .type = NLA_REJECT },
	[SVCGW_A_SERVER_NEW]	= { .type = NLA_REJECT },
	[SVCGW_A_BATCH_FLAGS]	= { .type = NLA_REJECT },
	[SVCGW_A_POLICY_SET]	= { .type = NLA_REJECT },
	[SVCGW_A_GROUP]		= { .type = NLA_REJECT },
	[SVCGW_A_POLICY]	= { .type = NLA_REJECT },
	[SVCGW_A_HA]		= NLA_POLICY_NESTED(ha_policy),
	[SVCGW_A_HA_NODE]	= NLA_POLICY_NESTED(ha_node_policy),
};

/* Its operations are set by svcgw_genl_register() (netlink.c). */
struct genl_family svcgw_genl_family __ro_after_init = {
	.name		= SVCGW_GENL_NAME,
	.version	= SVCGW_GENL_VERSION,
	.maxattr	= SVCGW_A_MAX,
	.policy		= svcgw_nl_policy,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
};

/*
 * The family and address of a nest (attributes @fa and @aa of @tb) into
 * @key, zeroed first: a unicast address of the family's length.  @what
 * names the object in the messages (enum svcgw_nl_what).
 */
static const char *const msg_required[] = {
	[SVCGW_NL_SERVICE] = "service family and address are required",
	[SVCGW_NL_SERVER] = "server family and address are required",
	[SVCGW_NL_POLICY] = "policy family and address are required",
	[SVCGW_NL_HA_NODE] = "HA node family and sync address are required",
};

static const char *const msg_unicast[] = {
	[SVCGW_NL_SERVICE] = "service address must be unicast",
	[SVCGW_NL_SERVER] = "server address must be unicast",
	[SVCGW_NL_POLICY] = "policy address must be unicast",
	[SVCGW_NL_HA_NODE] = "HA node addresses must be unicast",
};

int svcgw_nl_parse_addr(struct nlattr *nest, struct nlattr **tb, int fa,
			int aa, enum svcgw_nl_what what, struct svcgw_key *key,
			struct netlink_ext_ack *extack)
{
	u16 family;
	int len;

	if (NL_REQ_ATTR_CHECK(extack, nest, tb, fa) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, aa)) {
		if (extack)
			extack->_msg = msg_required[what];
		return -EINVAL;
	}
	family = nla_get_u16(tb[fa]);
	len = nla_len(tb[aa]);
	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[fa], "unknown address family");
		return -EAFNOSUPPORT;
	}
	if (family == AF_INET && len != 4) {
		NL_SET_ERR_MSG_ATTR(extack, tb[aa],
				    "IPv4 address must be 4 bytes");
		return -EINVAL;
	}
	if (family == AF_INET6 && len != 16) {
		NL_SET_ERR_MSG_ATTR(extack, tb[aa],
				    "IPv6 address must be 16 bytes");
		return -EINVAL;
	}
	memset(key, 0, sizeof(*key));
	key->family = family;
	nla_memcpy(&key->addr, tb[aa], len);
	if (family == AF_INET ?
	    ipv4_is_zeronet(key->addr.ip) || ipv4_is_multicast(key->addr.ip) ||
	    ipv4_is_lbcast(key->addr.ip) :
	    ipv6_addr_any((struct in6_addr *)key->addr.b) ||
	    ipv6_addr_is_multicast((struct in6_addr *)key->addr.b) ||
	    ipv6_addr_v4mapped((struct in6_addr *)key->addr.b)) {
		NL_SET_BAD_ATTR(extack, tb[aa]);
		if (extack)
			extack->_msg = msg_unicast[what];
		return -EINVAL;
	}
	return 0;
}

static int parse_addr(struct nlattr *nest, struct nlattr **tb, bool srv,
		      struct svcgw_key *key, struct netlink_ext_ack *extack)
{
	if (srv)
		return svcgw_nl_parse_addr(nest, tb, SVCGW_SRV_A_FAMILY,
					   SVCGW_SRV_A_ADDR, SVCGW_NL_SERVER,
					   key, extack);
	return svcgw_nl_parse_addr(nest, tb, SVCGW_SVC_A_FAMILY,
				   SVCGW_SVC_A_ADDR, SVCGW_NL_SERVICE, key,
				   extack);
}

/* The service key of a request: SVCGW_A_SERVICE { FAMILY ADDR PORT PROTO }.
 * @tb receives the parsed nest.
 */
int svcgw_nl_parse_service_nest(struct nlattr *nest, struct nlattr **tb,
				struct svcgw_key *key,
				struct netlink_ext_ack *extack)
{
	int err;

	err = parse_addr(nest, tb, false, key, extack);
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

/* The service of a request, @tb receiving its nest. */
int svcgw_nl_parse_service(struct genl_info *info, struct nlattr **tb,
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
	return svcgw_nl_parse_service_nest(nest, tb, key, extack);
}

/* A server nest, parsed into @tb, into @ep; port 0 means the service's
 * port.
 */
int svcgw_nl_parse_server_nest(struct nlattr *nest, struct nlattr **tb,
			       const struct svcgw_key *svc,
			       struct svcgw_key *ep,
			       struct netlink_ext_ack *extack)
{
	u16 port = 0;
	int err;

	err = parse_addr(nest, tb, true, ep, extack);
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

/* The server of a request in @attr (SVCGW_A_SERVER or _SERVER_NEW), @tb
 * receiving its nest.
 */
int svcgw_nl_parse_server(struct genl_info *info, int attr,
			  struct nlattr **tb, const struct svcgw_key *svc,
			  struct svcgw_key *ep)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[attr];
	int err;

	if (GENL_REQ_ATTR_CHECK(info, attr)) {
		if (attr == SVCGW_A_SERVER)
			NL_SET_ERR_MSG(extack, "server is required");
		else
			NL_SET_ERR_MSG(extack, "the new server is required");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCGW_SRV_A_MAX, nest, svcgw_nl_srv_policy,
			       extack);
	if (err)
		return err;
	return svcgw_nl_parse_server_nest(nest, tb, svc, ep, extack);
}

/*
 * The settings of a service nest @tb into @cfg (the rest of @cfg is left
 * as it is: defaults, or the service's); *@which says which it gave
 * (SVCGW_CFG_*).  The one parser of SERVICE_NEW, SERVICE_SET and a batch's
 * services.
 */
int svcgw_nl_parse_service_cfg(struct nlattr **tb,
			       struct svcgw_service_cfg *cfg,
			       unsigned int *which,
			       struct netlink_ext_ack *extack)
{
	*which = 0;
	if (tb[SVCGW_SVC_A_MODE]) {
		cfg->mode = nla_get_u8(tb[SVCGW_SVC_A_MODE]);
		*which |= SVCGW_CFG_MODE;
	}
	if (tb[SVCGW_SVC_A_TRANSITION]) {
		cfg->transition = nla_get_u32(tb[SVCGW_SVC_A_TRANSITION]);
		*which |= SVCGW_CFG_TRANSITION;
	}
	if (tb[SVCGW_SVC_A_STATEFUL]) {
		cfg->op_stateful = nla_get_u8(tb[SVCGW_SVC_A_STATEFUL]);
		*which |= SVCGW_CFG_STATEFUL;
	}
	if (tb[SVCGW_SVC_A_DOWN_POLICY]) {
		cfg->down_policy = nla_get_u8(tb[SVCGW_SVC_A_DOWN_POLICY]);
		*which |= SVCGW_CFG_DOWN_POLICY;
	}
	if (tb[SVCGW_SVC_A_TABLE_SIZE]) {
		cfg->table_size = nla_get_u32(tb[SVCGW_SVC_A_TABLE_SIZE]);
		if (!svcgw_is_prime(cfg->table_size)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_SVC_A_TABLE_SIZE],
					    "table size must be a prime");
			return -EINVAL;
		}
		*which |= SVCGW_CFG_TABLE_SIZE;
	}
	return 0;
}

/*
 * A gateway address of the service @key's family in the attribute @attr
 * of @tb (SVCGW_SVC_A_FULLNAT, _ENCAP_SRC): 0 if absent, 1 with *@on and
 * @addr set (empty: off), or an error with one of the two messages.
 */
static int parse_gw_addr(struct nlattr **tb, int attr,
			 const char *msg_family, const char *msg_unicast,
			 const struct svcgw_key *key, bool *on,
			 union svcgw_addr *addr, struct netlink_ext_ack *extack)
{
	struct nlattr *a = tb[attr];
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
		NL_SET_BAD_ATTR(extack, a);
		if (extack)	/* not a literal: NL_SET_ERR_MSG() wants one */
			extack->_msg = msg_family;
		return -EINVAL;
	}
	nla_memcpy(addr, a, len);
	if (key->family == AF_INET ?
	    ipv4_is_zeronet(addr->ip) || ipv4_is_multicast(addr->ip) ||
	    ipv4_is_lbcast(addr->ip) :
	    ipv6_addr_any(a6) || ipv6_addr_is_multicast(a6) ||
	    ipv6_addr_v4mapped(a6)) {
		NL_SET_BAD_ATTR(extack, a);
		if (extack)
			extack->_msg = msg_unicast;
		return -EINVAL;
	}
	return 1;
}

/*
 * SVCGW_SVC_A_FULLNAT of a request about the service @key: 0 if absent,
 * 1 with *@on and @addr set, or an error.
 */
int svcgw_nl_parse_fullnat(struct nlattr **tb, const struct svcgw_key *key,
			   bool *on, union svcgw_addr *addr,
			   struct netlink_ext_ack *extack)
{
	return parse_gw_addr(tb, SVCGW_SVC_A_FULLNAT,
			     "full NAT address must be of the service's family",
			     "full NAT address must be unicast",
			     key, on, addr, extack);
}

/* SVCGW_SVC_A_ENCAP_SRC, as svcgw_nl_parse_fullnat(). */
int svcgw_nl_parse_encap_src(struct nlattr **tb, const struct svcgw_key *key,
			     bool *on, union svcgw_addr *addr,
			     struct netlink_ext_ack *extack)
{
	return parse_gw_addr(tb, SVCGW_SVC_A_ENCAP_SRC,
			     "encapsulation source must be of the service's family",
			     "encapsulation source must be unicast",
			     key, on, addr, extack);
}

/*
 * How a server nest (@tb) says its server is reached, into @fwd: NAT
 * unless SVCGW_SRV_A_METHOD says otherwise; GUE needs its port.
 */
int svcgw_nl_parse_fwd(struct nlattr **tb, struct svcgw_fwd *fwd,
		       struct netlink_ext_ack *extack)
{
	memset(fwd, 0, sizeof(*fwd));
	if (tb[SVCGW_SRV_A_METHOD])
		fwd->method = nla_get_u8(tb[SVCGW_SRV_A_METHOD]);
	if (fwd->method == SVCGW_METHOD_GUE) {
		if (!tb[SVCGW_SRV_A_GUE_PORT]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_SRV_A_METHOD],
					    "a GUE server needs its GUE port");
			return -EINVAL;
		}
		fwd->gue_port = htons(nla_get_u16(tb[SVCGW_SRV_A_GUE_PORT]));
	} else if (tb[SVCGW_SRV_A_GUE_PORT]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCGW_SRV_A_GUE_PORT],
				    "a GUE port is for a GUE server");
		return -EINVAL;
	}
	return 0;
}

int svcgw_nl_put_addr(struct sk_buff *skb, int attr, u8 family,
		      const union svcgw_addr *a)
{
	return nla_put(skb, attr, svcgw_addr_len(family), a);
}

int svcgw_nl_put_stats(struct sk_buff *skb, int attr,
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

/* Milliseconds from now to @until (jiffies), 0 if past. */
u32 svcgw_nl_ms_left(unsigned long until)
{
	long left = (long)until - (long)jiffies;

	return left > 0 ? jiffies_to_msecs(left) : 0;
}
