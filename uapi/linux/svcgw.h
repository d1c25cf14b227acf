/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * svcgw: Layer-4 service gateway, generic netlink contract.
 *
 * Family "svcgw", version 1.  Every object lives in the network namespace
 * of the socket that talks to the family.  Commands that change state need
 * CAP_NET_ADMIN in the user namespace that owns that network namespace,
 * and so does SESSION_GET (it shows clients' addresses); SERVICE_GET,
 * STATS_GET, CONFIG_GET and POLICY_GET are open to everybody.  A refused
 * request is answered with an errno and an extended ack message, naming
 * the attribute at fault where there is one.  Nested attributes must carry NLA_F_NESTED
 * (strict validation).
 *
 * Objects
 * -------
 * A service is keyed by (family, address, port, protocol).  It owns a list
 * of servers and a consistent-hash (Maglev) lookup table of TABLE_SIZE
 * slots, rebuilt on every change of its server set.  A server is keyed,
 * within its service, by (address, port); one server endpoint
 * (address, port, protocol) may back one service only, so that a reply
 * from it can be translated back without state.
 *
 * Commands
 * --------
 * SVCGW_CMD_SERVICE_NEW   do    SVCGW_A_SERVICE { FAMILY, ADDR, PORT, PROTO,
 *                               [MODE], [TABLE_SIZE] }
 *                               EEXIST if the service exists.
 * SVCGW_CMD_SERVICE_DEL   do    SVCGW_A_SERVICE { key }; removes the service,
 *                               its servers and its sessions.  ENOENT if
 *                               unknown.
 * SVCGW_CMD_SERVICE_GET   do    SVCGW_A_SERVICE { key } -> one service, in
 *                               one message; EMSGSIZE when its servers do
 *                               not fit one (use the dump).
 *                         dump  [SVCGW_A_SERVICE { key }] -> every service
 *                               (or the one given: nothing if unknown).  A reply message holds
 *                               SVCGW_A_SERVICE { key, MODE, TABLE_SIZE,
 *                               STATS, SERVERS }.  A service whose servers
 *                               do not fit one message continues in the
 *                               next message, which repeats the key and
 *                               carries the remaining servers.  Dumps are
 *                               checked for consistency (NLM_F_DUMP_INTR).
 * SVCGW_CMD_SERVER_NEW    do    SVCGW_A_SERVICE { key } +
 *                               SVCGW_A_SERVER { FAMILY, ADDR, [PORT],
 *                               [WEIGHT] }.  PORT 0 or absent: the
 *                               service's port, stored and reported as
 *                               that port.  WEIGHT defaults to 1.
 *                               EEXIST if the server is in the service,
 *                               EADDRINUSE if it backs another service.
 * SVCGW_CMD_SERVER_DEL    do    SVCGW_A_SERVICE { key } +
 *                               SVCGW_A_SERVER { FAMILY, ADDR, [PORT] }.
 *                               Sessions already made with the server keep
 *                               it until they end.
 * SVCGW_CMD_SESSION_GET   dump  [SVCGW_A_SERVICE { key }] -> one message per
 *                               session: SVCGW_A_SESSION { ... }.  A live
 *                               walk, never NLM_F_DUMP_INTR: a session that
 *                               lives through the dump is reported, one
 *                               made or ended meanwhile may or may not be.
 * SVCGW_CMD_SESSION_FLUSH do    [SVCGW_A_SERVICE { key }]: drops every
 *                               session (of that service).
 * SVCGW_CMD_STATS_GET     do    -> SVCGW_A_STATS { namespace totals }
 * SVCGW_CMD_FLUSH         do    removes every service, server and session,
 *                               and the policy set.
 * SVCGW_CMD_CONFIG_SET    do    SVCGW_A_CONFIG { any of the settings }
 * SVCGW_CMD_CONFIG_GET    do    -> SVCGW_A_CONFIG { every setting }
 * SVCGW_CMD_SERVICE_SET   do    SVCGW_A_SERVICE { key, any of MODE,
 *                               TRANSITION, STATEFUL, DOWN_POLICY }
 * SVCGW_CMD_SERVER_SET    do    SVCGW_A_SERVICE { key } + SVCGW_A_SERVER
 *                               { FAMILY, ADDR, [PORT], any of WEIGHT,
 *                               STATE, DEADLINE }
 * SVCGW_CMD_SERVER_REPLACE do   SVCGW_A_SERVICE { key } + SVCGW_A_SERVER
 *                               { old } + SVCGW_A_SERVER_NEW { FAMILY, ADDR,
 *                               [PORT], [WEIGHT] }: one table change, so
 *                               the entries of the old server go to the
 *                               new one (WEIGHT defaults to the old's).
 *
 * SVCGW_CMD_BATCH       do    SVCGW_A_SERVICE { key, [MODE], [TABLE_SIZE],
 *                               [TRANSITION], [STATEFUL], [DOWN_POLICY],
 *                               [SERVERS { SVCGW_A_SERVER { FAMILY, ADDR,
 *                               [PORT], [WEIGHT] }... }] }, repeated: many
 *                               services with their servers in one
 *                               message, + [SVCGW_A_BATCH_FLAGS].  All or
 *                               nothing: the whole request is checked and
 *                               everything allocated before anything live
 *                               changes; a refusal changes nothing and its
 *                               extended ack names the offending service
 *                               or server nest.  Without
 *                               SVCGW_BATCH_F_REPLACE every service is new
 *                               (EEXIST if one exists, EADDRINUSE if a
 *                               server backs a service already).  With it
 *                               the request is the namespace's whole
 *                               service set: services not in it are
 *                               deleted (with their sessions), services
 *                               in it take its settings (an absent one is
 *                               the default), a service whose servers and
 *                               weights are unchanged keeps its table and
 *                               sessions untouched, one whose servers
 *                               changed gets one table change (with a
 *                               transition, as SERVER_NEW/DEL would), one
 *                               whose TABLE_SIZE changed is made afresh
 *                               (its sessions go).  Kept servers keep
 *                               their state (draining, down).  A service
 *                               or server given twice is refused.
 *
 * SESSION_FLUSH also takes SVCGW_A_SERVER { FAMILY, ADDR, [PORT] } with the
 * service key, to drop the sessions of one server.
 *
 * Transitions: when a change of the server set (add, del, replace, weight,
 * state) moves a mapping entry to another server, the entry stays tied to
 * its old server as well for the service's TRANSITION seconds.  A packet
 * of a hybrid service that hits such an entry and has no session gets one:
 * a TCP SYN with the new server, anything else with the old one.  (In a
 * stateful service every older flow has its session already: a flow
 * without one is new and takes the new server.)  When the time is up the
 * old tie goes.  A change during a transition keeps each entry's oldest
 * tie and restarts the clock.
 *
 * Addresses are in network byte order (4 bytes for AF_INET, 16 for
 * AF_INET6); ports, weights, sizes and counters in host byte order.
 */
#ifndef _UAPI_LINUX_SVCGW_H
#define _UAPI_LINUX_SVCGW_H

#define SVCGW_GENL_NAME		"svcgw"
#define SVCGW_GENL_VERSION	1

enum svcgw_cmd {
	SVCGW_CMD_UNSPEC,
	SVCGW_CMD_SERVICE_NEW,
	SVCGW_CMD_SERVICE_DEL,
	SVCGW_CMD_SERVICE_GET,
	SVCGW_CMD_SERVER_NEW,
	SVCGW_CMD_SERVER_DEL,
	SVCGW_CMD_SESSION_GET,
	SVCGW_CMD_SESSION_FLUSH,
	SVCGW_CMD_STATS_GET,
	SVCGW_CMD_FLUSH,
	SVCGW_CMD_CONFIG_SET,
	SVCGW_CMD_CONFIG_GET,
	SVCGW_CMD_SERVICE_SET,
	SVCGW_CMD_SERVER_SET,
	SVCGW_CMD_SERVER_REPLACE,
	SVCGW_CMD_BATCH,
	SVCGW_CMD_POLICY_SET_REPLACE,
	SVCGW_CMD_POLICY_GET,
	SVCGW_CMD_HA_SET,
	SVCGW_CMD_HA_GET,
	SVCGW_CMD_HA_NODE_SET,
	SVCGW_CMD_HA_DEL,

	__SVCGW_CMD_MAX,
	SVCGW_CMD_MAX = __SVCGW_CMD_MAX - 1
};

/* Top-level attributes of every message. */
enum svcgw_attr {
	SVCGW_A_UNSPEC,
	SVCGW_A_SERVICE,	/* nest: enum svcgw_service_attr */
	SVCGW_A_SERVER,		/* nest: enum svcgw_server_attr */
	SVCGW_A_SESSION,	/* nest: enum svcgw_session_attr */
	SVCGW_A_STATS,		/* nest: enum svcgw_stats_attr */
	SVCGW_A_CONFIG,		/* nest: enum svcgw_config_attr */
	SVCGW_A_SERVER_NEW,	/* nest: enum svcgw_server_attr, the server
				 * that replaces SVCGW_A_SERVER
				 */
	SVCGW_A_BATCH_FLAGS,	/* u32: SVCGW_BATCH_F_* (BATCH only) */
	SVCGW_A_POLICY_SET,	/* nest: enum svcgw_pset_attr */
	SVCGW_A_GROUP,		/* nest: enum svcgw_group_attr */
	SVCGW_A_POLICY,		/* nest: enum svcgw_policy_attr */
	SVCGW_A_HA,		/* nest: enum svcgw_ha_attr */
	SVCGW_A_HA_NODE,	/* nest: enum svcgw_ha_node_attr */

	__SVCGW_A_MAX,
	SVCGW_A_MAX = __SVCGW_A_MAX - 1
};

/* SVCGW_A_BATCH_FLAGS */
#define SVCGW_BATCH_F_REPLACE	(1U << 0)	/* the request is the whole
						 * service set of the namespace
						 */

/* How a service keeps flows on their server. */
enum svcgw_mode {
	SVCGW_MODE_UNSPEC,
	/* Mapping table only: no per-flow state, a flow follows the table. */
	SVCGW_MODE_STATELESS,
	/* Every new flow gets a session; a session pins its server. */
	SVCGW_MODE_STATEFUL,
	/*
	 * Sessions first, else the mapping table; sessions are made only
	 * while a condition holds (enum svcgw_reason): the default.
	 */
	SVCGW_MODE_HYBRID,

	__SVCGW_MODE_MAX,
	SVCGW_MODE_MAX = __SVCGW_MODE_MAX - 1
};

enum svcgw_service_attr {
	SVCGW_SVC_A_UNSPEC,
	SVCGW_SVC_A_FAMILY,	/* u16: AF_INET or AF_INET6 */
	SVCGW_SVC_A_ADDR,	/* binary: 4 or 16 bytes, network order */
	SVCGW_SVC_A_PORT,	/* u16: 1..65535 */
	SVCGW_SVC_A_PROTO,	/* u8: IPPROTO_TCP or IPPROTO_UDP */
	SVCGW_SVC_A_MODE,	/* u8: enum svcgw_mode, default HYBRID */
	SVCGW_SVC_A_TABLE_SIZE,	/* u32: prime, SVCGW_TABLE_MIN..MAX */
	SVCGW_SVC_A_STATS,	/* nest: enum svcgw_stats_attr (reply) */
	SVCGW_SVC_A_SERVERS,	/* nest: SVCGW_A_SERVER nests (reply, and
				 * request in BATCH)
				 */
	SVCGW_SVC_A_PAD,
	SVCGW_SVC_A_TRANSITION,	/* u32: seconds a changed mapping entry
				 * keeps its old server too, 0..3600,
				 * default SVCGW_TRANSITION_DEFAULT
				 */
	SVCGW_SVC_A_STATEFUL,	/* u8: 1 = the operator asks a hybrid
				 * service to make sessions, 0 = not
				 */
	SVCGW_SVC_A_DOWN_POLICY,	/* u8: enum svcgw_down_policy */
	SVCGW_SVC_A_STATE,	/* u8 (reply): 1 if new flows get sessions */
	SVCGW_SVC_A_REASON,	/* u8 (reply): enum svcgw_reason */
	SVCGW_SVC_A_SWITCHES,	/* u64 (reply): state changes so far */
	SVCGW_SVC_A_MARKED,	/* u32 (reply): mapping entries in
				 * transition (tied to two servers)
				 */
	SVCGW_SVC_A_TRANSITION_LEFT,	/* u32 (reply): ms until they end */
	SVCGW_SVC_A_FULLNAT,	/* binary: full NAT, the gateway address
				 * (4 or 16 bytes, the service's family) the
				 * servers see every flow come from, with a
				 * port of its session; empty: off.  Needs
				 * mode STATEFUL (the default with it)
				 */
	SVCGW_SVC_A_ENCAP_SRC,	/* binary: the outer source address (4 or
				 * 16 bytes, the service's family) of its
				 * encapsulated servers' packets; empty:
				 * the namespace's (SVCGW_CFG_A_ENCAP_SRC*)
				 */

	__SVCGW_SVC_A_MAX,
	SVCGW_SVC_A_MAX = __SVCGW_SVC_A_MAX - 1
};

#define SVCGW_TABLE_MIN		7
#define SVCGW_TABLE_DEFAULT	1021
#define SVCGW_TABLE_MAX		65521
#define SVCGW_SERVERS_MAX	1024	/* servers in one service */
#define SVCGW_WEIGHT_MAX	65535
#define SVCGW_TRANSITION_DEFAULT 60
#define SVCGW_TRANSITION_MAX	3600

/*
 * Why a hybrid service makes sessions for new flows (STATE 1), or not
 * (STATE 0).  Stateless and stateful services report NONE.
 */
enum svcgw_reason {
	SVCGW_REASON_NONE,
	SVCGW_REASON_OPERATOR,	/* SVCGW_SVC_A_STATEFUL is set */
	SVCGW_REASON_TRANSITION,	/* mapping entries are in transition:
					 * flows hitting them get sessions
					 */
	SVCGW_REASON_PRESSURE,	/* session table above its high
				 * watermark: new flows stay stateless
				 * (but those of SHARED servers)
				 */
	SVCGW_REASON_SHARED,	/* some of its NAT servers share their
				 * endpoint with another service's server
				 * (SVCGW_SRV_A_SHARED): flows to them get
				 * sessions, even under pressure
				 */
};

/* What happens to the sessions of a server set down. */
enum svcgw_down_policy {
	SVCGW_DOWN_RESCHEDULE,	/* they move to the server the mapping
				 * table gives now (default)
				 */
	SVCGW_DOWN_EXPIRE,	/* they end; later packets are new flows */
};

enum svcgw_server_state {
	SVCGW_SERVER_ACTIVE,	/* takes new flows by its weight */
	SVCGW_SERVER_DRAINING,	/* no new flows; its flows stay until they
				 * end (no session left, transition over)
				 * or the drain deadline passes, then it is
				 * DOWN
				 */
	SVCGW_SERVER_DOWN,	/* no flows: its sessions are handled by the
				 * service's down policy at once
				 */
};

enum svcgw_server_attr {
	SVCGW_SRV_A_UNSPEC,
	SVCGW_SRV_A_FAMILY,	/* u16: must equal the service's family */
	SVCGW_SRV_A_ADDR,	/* binary: 4 or 16 bytes, network order */
	SVCGW_SRV_A_PORT,	/* u16: 0 = the service's port */
	SVCGW_SRV_A_WEIGHT,	/* u32: 0..SVCGW_WEIGHT_MAX, default 1;
				 * weight 0 takes no new flows
				 */
	SVCGW_SRV_A_STATS,	/* nest: enum svcgw_stats_attr (reply) */
	SVCGW_SRV_A_PAD,
	SVCGW_SRV_A_STATE,	/* u8: enum svcgw_server_state */
	SVCGW_SRV_A_DEADLINE,	/* u32: seconds a DRAINING server keeps its
				 * flows, 0..86400, 0 = until they end
				 * (request); ms left (reply)
				 */
	SVCGW_SRV_A_METHOD,	/* u8: enum svcgw_method, default NAT; set
				 * when the server is made (NEW, REPLACE's
				 * new server, a batch)
				 */
	SVCGW_SRV_A_GUE_PORT,	/* u16: the server's GUE port (METHOD GUE
				 * only, and needed there)
				 */
	SVCGW_SRV_A_SHARED,	/* flag (reply): the server shares its
				 * endpoint with a server of another service
				 * that held it first; by NAT, its flows all
				 * get sessions (SVCGW_REASON_SHARED)
				 */

	__SVCGW_SRV_A_MAX,
	SVCGW_SRV_A_MAX = __SVCGW_SRV_A_MAX - 1
};

/*
 * How packets reach a server.  Encapsulated, the client's packet arrives
 * untouched inside a header from the gateway (the service's ENCAP_SRC,
 * else the namespace's, else the address routing picks) to the server's
 * address, and the server answers the client directly from the service
 * address (direct server return): the server port is the service's.
 */
enum svcgw_method {
	SVCGW_METHOD_NAT,	/* destination rewritten; replies come back
				 * through the gateway
				 */
	SVCGW_METHOD_IPIP,	/* IPv4 in IPv4 (protocol 4), IPv6 in IPv6
				 * (41)
				 */
	SVCGW_METHOD_GUE,	/* in UDP to SVCGW_SRV_A_GUE_PORT, GUE
				 * version 0 with the flow identifier in
				 * an optional word (Documentation/svcgw.rst)
				 */

	__SVCGW_METHOD_MAX,
	SVCGW_METHOD_MAX = __SVCGW_METHOD_MAX - 1
};

/* State of a session, as shown in dumps. */
enum svcgw_sess_state {
	SVCGW_SESS_NONE,
	SVCGW_SESS_TCP_SYN_SENT,	/* client SYN seen */
	SVCGW_SESS_TCP_SYN_RECV,	/* server SYN-ACK seen */
	SVCGW_SESS_TCP_ESTABLISHED,
	SVCGW_SESS_TCP_FIN_WAIT,	/* a FIN seen */
	SVCGW_SESS_TCP_CLOSE,		/* RST, or FIN both ways */
	SVCGW_SESS_UDP,

	__SVCGW_SESS_MAX,
	SVCGW_SESS_MAX = __SVCGW_SESS_MAX - 1
};

enum svcgw_session_attr {
	SVCGW_SESS_A_UNSPEC,
	SVCGW_SESS_A_FAMILY,		/* u16 */
	SVCGW_SESS_A_PROTO,		/* u8 */
	SVCGW_SESS_A_CLIENT_ADDR,	/* binary */
	SVCGW_SESS_A_CLIENT_PORT,	/* u16 */
	SVCGW_SESS_A_SERVICE_ADDR,	/* binary */
	SVCGW_SESS_A_SERVICE_PORT,	/* u16 */
	SVCGW_SESS_A_SERVER_ADDR,	/* binary */
	SVCGW_SESS_A_SERVER_PORT,	/* u16 */
	SVCGW_SESS_A_STATE,		/* u8: enum svcgw_sess_state */
	SVCGW_SESS_A_EXPIRES,		/* u32: milliseconds left */
	SVCGW_SESS_A_FULLNAT_ADDR,	/* binary: full NAT, the gateway
					 * address the server sees
					 */
	SVCGW_SESS_A_FULLNAT_PORT,	/* u16: and its port */
	SVCGW_SESS_A_ORIGIN,		/* u32: the HA node whose flow it is
					 * (Documentation/ha.rst); absent for
					 * a flow that began here
					 */
	SVCGW_SESS_A_REPLICA,		/* flag: a replica received from a
					 * peer that no packet used yet
					 */

	__SVCGW_SESS_A_MAX,
	SVCGW_SESS_A_MAX = __SVCGW_SESS_A_MAX - 1
};

/*
 * Counters.  A service or server reply carries PACKETS, BYTES and SESSIONS
 * (sessions created, ever), client-to-service packets only.  STATS_GET
 * answers namespace totals: PACKETS, BYTES and SESSIONS summed over the
 * services there are now, SERVICES, SESSIONS_CUR and the DROP_* and other
 * event counters.
 */
enum svcgw_stats_attr {
	SVCGW_STATS_A_UNSPEC,
	SVCGW_STATS_A_PACKETS,		/* u64 */
	SVCGW_STATS_A_BYTES,		/* u64 */
	SVCGW_STATS_A_SESSIONS,		/* u64: sessions created */
	SVCGW_STATS_A_SERVICES,		/* u32: services now */
	SVCGW_STATS_A_SESSIONS_CUR,	/* u32: sessions now */
	SVCGW_STATS_A_DROP_MALFORMED,	/* u64: bad or truncated header */
	SVCGW_STATS_A_DROP_NO_SERVER,	/* u64: service without a server */
	SVCGW_STATS_A_DROP_NOMEM,	/* u64: allocation failed: packet
					 * dropped (no writable copy), or no
					 * session made (packet served from
					 * the mapping table)
					 */
	SVCGW_STATS_A_SESSION_FULL,	/* u64: packets that got no session,
					 * the table being at its cap; served
					 * from the mapping table
					 */
	SVCGW_STATS_A_SESSION_EXPIRED,	/* u64: sessions ended by timeout */
	SVCGW_STATS_A_PAD,
	SVCGW_STATS_A_PRESSURE,		/* u8: session table above its high
					 * watermark (hybrid services make no
					 * new sessions)
					 */
	SVCGW_STATS_A_PRESSURE_SWITCHES, /* u64: pressure on or off */
	SVCGW_STATS_A_SESSION_REPICK,	/* u64: SYN on a closing session, or
					 * a session of a server set down:
					 * server picked afresh
					 */
	SVCGW_STATS_A_SESSION_MEM,	/* u64: bytes the session table takes
					 * now: session objects and hash
					 * bucket arrays
					 */
	SVCGW_STATS_A_DROP_NO_SESSION,	/* u64: full NAT flows, and flows
					 * to a shared NAT endpoint
					 * (SVCGW_SRV_A_SHARED), that got no
					 * session (table at its cap, server
					 * going away, no free gateway port,
					 * another flow's reply tuple):
					 * dropped
					 */
	SVCGW_STATS_A_ENCAP_TOO_BIG,	/* u64: packets for an encapsulated
					 * server that did not fit the path
					 * with the tunnel header: refused
					 * with ICMP frag needed / packet too
					 * big, the MTU less the header
					 */
	SVCGW_STATS_A_DROP_NO_ROUTE,	/* u64: packets for an encapsulated
					 * server with no route to it
					 */
	SVCGW_STATS_A_ENCAP_PACKETS,	/* u64: packets sent encapsulated */
	SVCGW_STATS_A_POLICY_PACKETS,	/* u64: packets that matched a
					 * forwarding policy
					 */
	SVCGW_STATS_A_POLICY_PINNED,	/* u64: flows a policy set's
					 * transition kept on their destination
					 * (sessions made for it)
					 */
	SVCGW_STATS_A_POLICY_FAILOVER,	/* u64: packets sent to the backup of
					 * a destination whose HA node is down
					 */

	__SVCGW_STATS_A_MAX,
	SVCGW_STATS_A_MAX = __SVCGW_STATS_A_MAX - 1
};

/* Per-namespace settings; times in seconds. */
enum svcgw_config_attr {
	SVCGW_CFG_A_UNSPEC,
	SVCGW_CFG_A_SESSION_MAX,	/* u32: cap on sessions,
					 * 0..SVCGW_SESSION_MAX_LIMIT; at the
					 * cap (0: always) no session is made
					 * and flows are served from the
					 * mapping table
					 */
	SVCGW_CFG_A_TIMEOUT_TCP_SYN,	/* u32: 1..86400 */
	SVCGW_CFG_A_TIMEOUT_TCP_EST,	/* u32: 1..86400 */
	SVCGW_CFG_A_TIMEOUT_TCP_FIN,	/* u32: 1..86400 */
	SVCGW_CFG_A_TIMEOUT_UDP,	/* u32: 1..86400 */
	SVCGW_CFG_A_ENCAP_SRC4,		/* binary, 4 bytes: the outer source
					 * of encapsulated packets of IPv4
					 * services without their own;
					 * 0.0.0.0: routing picks (default)
					 */
	SVCGW_CFG_A_ENCAP_SRC6,		/* binary, 16 bytes: the same for
					 * IPv6; ::: routing picks
					 */

	__SVCGW_CFG_A_MAX,
	SVCGW_CFG_A_MAX = __SVCGW_CFG_A_MAX - 1
};

/*
 * Forwarding policies (the network node): SVCGW_CMD_POLICY_SET_REPLACE
 * and SVCGW_CMD_POLICY_GET, Documentation/svcgw.rst "Forwarding policies".
 *
 * SVCGW_CMD_POLICY_SET_REPLACE do SVCGW_A_POLICY_SET { NAME, [GEN],
 *                               [TRANSITION], [REASON] } + SVCGW_A_GROUP
 *                               { NAME, [TABLE_SIZE], DESTS { SVCGW_A_SERVER
 *                               { FAMILY, ADDR, METHOD, [GUE_PORT],
 *                               [WEIGHT] }... } }, repeated, +
 *                               SVCGW_A_POLICY { FAMILY, ADDR, [PROTO],
 *                               [PORT], [SRC, [SRC_PLEN]], GROUP },
 *                               repeated (top-level attributes, as a
 *                               batch's services: a nest holds 64 KiB at
 *                               most): the namespace's whole policy set,
 *                               in one message, replaced with one pointer
 *                               swap; all or nothing, a refusal names the
 *                               nest at fault.  A set without policies
 *                               takes policies away.
 * SVCGW_CMD_POLICY_GET    dump  -> one message with SVCGW_A_POLICY_SET
 *                               { NAME, GEN, TRANSITION, TRANSITION_LEFT,
 *                               NGROUPS, NPOLICIES, PREV_GEN, [REASON],
 *                               AGE_MS }, then one per group
 *                               (SVCGW_A_GROUP { NAME, TABLE_SIZE, STATS,
 *                               DESTS }) and one per policy
 *                               (SVCGW_A_POLICY { ..., STATS }), in
 *                               the order they were given; NLM_F_DUMP_INTR
 *                               if the set was replaced meanwhile.
 *
 * A packet (TCP or UDP) to no service of the namespace that matches a
 * policy is sent, encapsulated as its destination says, to the
 * destination of the policy's group that the group's Maglev table gives
 * the flow: every node with the same group picks the same destination.
 * The most specific policy wins: the longest client prefix, then one
 * with a port, then one with a protocol.
 *
 * Transition: for TRANSITION seconds after a replace, a flow whose
 * destination differs between the new set and the one before gets a
 * session (a TCP SYN with the new destination, any other packet with the
 * old), which keeps it there until it ends.
 *
 * Why and since when: REASON is the operator's (or the controller's) word
 * on why the set was installed, free text of at most SVCGW_REASON_MAX
 * bytes with its NUL (a longer one fails the policy: EINVAL, the extended
 * ack pointing at REASON), kept with the set and dumped as given; absent
 * in replies when none, or an empty one, was given (the empty set of
 * "svcgw policy flush" has none unless asked).  AGE_MS, in replies only,
 * is how long the set has been the namespace's: milliseconds since the
 * replace that swapped it in (boot time clock: time suspended counts).
 * A namespace starts with no set at all, so every set dumped came from a
 * replace and has its age.
 */
#define SVCGW_NAME_MAX		32	/* bytes of a set or group name, NUL
					 * included
					 */
#define SVCGW_GROUPS_MAX	1024	/* groups in a set */
#define SVCGW_POLICIES_MAX	(1U << 20)	/* policies in a set */
#define SVCGW_REASON_MAX	128	/* bytes of a set's reason, NUL
					 * included
					 */

enum svcgw_pset_attr {
	SVCGW_PSET_A_UNSPEC,
	SVCGW_PSET_A_NAME,		/* string: 1..SVCGW_NAME_MAX - 1 */
	SVCGW_PSET_A_GEN,		/* u64: the set's generation, from
					 * the configuring node; default
					 * the previous set's + 1
					 */
	SVCGW_PSET_A_TRANSITION,	/* u32: seconds, 0..3600, default
					 * SVCGW_TRANSITION_DEFAULT
					 */
	SVCGW_PSET_A_TRANSITION_LEFT,	/* u32 (reply): ms until the
					 * transition from the set before ends
					 */
	SVCGW_PSET_A_NGROUPS,		/* u32 (reply) */
	SVCGW_PSET_A_NPOLICIES,		/* u32 (reply) */
	SVCGW_PSET_A_PREV_GEN,		/* u64 (reply): generation of the set
					 * before, while its transition runs
					 */
	SVCGW_PSET_A_PAD,
	SVCGW_PSET_A_REASON,		/* string: why the set was installed,
					 * 0..SVCGW_REASON_MAX - 1 bytes;
					 * optional, absent in replies when
					 * none was given
					 */
	SVCGW_PSET_A_AGE_MS,		/* u64 (reply): ms since the replace
					 * that made this set the namespace's
					 */

	__SVCGW_PSET_A_MAX,
	SVCGW_PSET_A_MAX = __SVCGW_PSET_A_MAX - 1
};

/* A destination group: load balancer nodes behind one Maglev table. */
enum svcgw_group_attr {
	SVCGW_GROUP_A_UNSPEC,
	SVCGW_GROUP_A_NAME,		/* string, unique in the set */
	SVCGW_GROUP_A_TABLE_SIZE,	/* u32: prime, as a service's */
	SVCGW_GROUP_A_DESTS,		/* nest: SVCGW_A_SERVER nests, 1 to
					 * SVCGW_SERVERS_MAX, one family;
					 * METHOD IPIP or GUE, no PORT
					 */
	SVCGW_GROUP_A_STATS,		/* nest (reply): enum svcgw_stats_attr */
	SVCGW_GROUP_A_FAMILY,		/* u16 (reply): its destinations' */

	__SVCGW_GROUP_A_MAX,
	SVCGW_GROUP_A_MAX = __SVCGW_GROUP_A_MAX - 1
};

enum svcgw_policy_attr {
	SVCGW_POLICY_A_UNSPEC,
	SVCGW_POLICY_A_FAMILY,		/* u16: AF_INET or AF_INET6 */
	SVCGW_POLICY_A_ADDR,		/* binary: the service address */
	SVCGW_POLICY_A_PORT,		/* u16: 1..65535, given with PROTO;
					 * absent: any
					 */
	SVCGW_POLICY_A_PROTO,		/* u8: TCP or UDP; absent: both */
	SVCGW_POLICY_A_SRC,		/* binary: client prefix, host bits 0;
					 * absent: any client
					 */
	SVCGW_POLICY_A_SRC_PLEN,	/* u8: its length; absent: the
					 * address's (one client)
					 */
	SVCGW_POLICY_A_GROUP,		/* string: the group packets go to,
					 * of the address's family
					 */
	SVCGW_POLICY_A_STATS,		/* nest (reply) */

	__SVCGW_POLICY_A_MAX,
	SVCGW_POLICY_A_MAX = __SVCGW_POLICY_A_MAX - 1
};

/*
 * High availability (Documentation/ha.rst): the HA policy that the
 * controller makes and svcgwd installs, the same on servicing and
 * forwarding nodes.
 *
 * SVCGW_CMD_HA_SET    do    SVCGW_A_HA { GEN, [LOCAL], [PORT], KEY_ID,
 *                           KEY, [PREV_KEY_ID, PREV_KEY] } +
 *                           SVCGW_A_HA_NODE { ID, NAME, FAMILY, SYNC_ADDR,
 *                           [DEST_FAMILY, DEST_ADDR], [FNAT_FAMILY,
 *                           FNAT_ADDR], BACKUPS }, repeated (top level):
 *                           the whole policy, replaced at once; GEN must
 *                           be above the one in force (else ESTALE, and
 *                           SVCGW_HA_A_STALE counts it: HA_GET says which
 *                           is in force).  LOCAL names a node of the
 *                           policy; PREV_KEY_ID differs from KEY_ID;
 *                           addresses are unicast.  A node keeps its
 *                           state across a replace if its id stays.
 * SVCGW_CMD_HA_GET    do    -> SVCGW_A_HA { GEN, LOCAL, PORT, KEY_ID,
 *                           [PREV_KEY_ID], NNODES, STALE, AGE_MS } and
 *                           one SVCGW_A_HA_NODE { ..., STATE, STATE_GEN }
 *                           a node; keys are never sent back.  ENOENT
 *                           when the namespace has no HA policy.
 * SVCGW_CMD_HA_NODE_SET do  SVCGW_A_HA_NODE { ID, STATE, STATE_GEN }: the
 *                           controller's notice that a node is up or
 *                           down; a STATE_GEN not above the node's is
 *                           refused (ESTALE) and counted.
 * SVCGW_CMD_HA_DEL    do    SVCGW_A_HA { GEN }: no HA policy from now on
 *                           (the sync channel stops; replicas age out or
 *                           are adopted); GEN must be above the one in
 *                           force (else ESTALE, counted), and a later
 *                           HA_SET above it.  ENOENT when there is none.
 */
#define SVCGW_HA_KEY_LEN	32	/* bytes of a sync key */
#define SVCGW_HA_BACKUPS_MAX	8	/* backups of one node */
#define SVCGW_HA_NODES_MAX	256	/* nodes of a policy */
#define SVCGW_HA_PORT_DEFAULT	7441

enum svcgw_ha_attr {
	SVCGW_HA_A_UNSPEC,
	SVCGW_HA_A_GEN,			/* u64: the policy's generation, >= 1 */
	SVCGW_HA_A_LOCAL,		/* u32: this node's id; 0 or absent: a
					 * forwarder only
					 */
	SVCGW_HA_A_PORT,		/* u16: UDP port of the sync, default
					 * SVCGW_HA_PORT_DEFAULT
					 */
	SVCGW_HA_A_KEY_ID,		/* u32: the current key's id */
	SVCGW_HA_A_KEY,			/* binary, SVCGW_HA_KEY_LEN bytes
					 * (request only)
					 */
	SVCGW_HA_A_PREV_KEY_ID,		/* u32: the key before, still taken
					 * while the nodes roll over
					 */
	SVCGW_HA_A_PREV_KEY,		/* binary (request only) */
	SVCGW_HA_A_NNODES,		/* u32 (reply) */
	SVCGW_HA_A_STALE,		/* u64 (reply): stale policies and
					 * node notices refused
					 */
	SVCGW_HA_A_AGE_MS,		/* u64 (reply): ms since the policy
					 * was installed
					 */
	SVCGW_HA_A_PAD,
	SVCGW_HA_A_SYNC,		/* nest (reply): enum
					 * svcgw_ha_sync_attr, this node's
					 * sync channel; absent when it does
					 * not replicate
					 */

	__SVCGW_HA_A_MAX,
	SVCGW_HA_A_MAX = __SVCGW_HA_A_MAX - 1
};

enum svcgw_ha_state {
	SVCGW_HA_STATE_UNKNOWN,		/* no notice yet: taken as up */
	SVCGW_HA_STATE_UP,
	SVCGW_HA_STATE_DOWN,
};

enum svcgw_ha_node_attr {
	SVCGW_HA_NODE_A_UNSPEC,
	SVCGW_HA_NODE_A_ID,		/* u32: 1..2^32-1, unique */
	SVCGW_HA_NODE_A_NAME,		/* string: 1..SVCGW_NAME_MAX - 1 */
	SVCGW_HA_NODE_A_FAMILY,		/* u16: of SYNC_ADDR, one for all
					 * nodes
					 */
	SVCGW_HA_NODE_A_SYNC_ADDR,	/* binary: where it syncs from and to */
	SVCGW_HA_NODE_A_DEST_FAMILY,	/* u16 */
	SVCGW_HA_NODE_A_DEST_ADDR,	/* binary: the address forwarders'
					 * groups know it by; default
					 * SYNC_ADDR
					 */
	SVCGW_HA_NODE_A_FNAT_FAMILY,	/* u16 */
	SVCGW_HA_NODE_A_FNAT_ADDR,	/* binary: its full NAT pool address,
					 * which its backup takes over
					 */
	SVCGW_HA_NODE_A_BACKUPS,	/* binary: u32 node ids in host order,
					 * 1..SVCGW_HA_BACKUPS_MAX, in order,
					 * others than itself, no repeats
					 */
	SVCGW_HA_NODE_A_STATE,		/* u8: enum svcgw_ha_state */
	SVCGW_HA_NODE_A_STATE_GEN,	/* u64: the notice's node generation */
	SVCGW_HA_NODE_A_PAD,
	SVCGW_HA_NODE_A_PEER,		/* nest (reply): enum
					 * svcgw_ha_peer_attr, the sync
					 * streams with this node, when it is
					 * this node's peer
					 */

	__SVCGW_HA_NODE_A_MAX,
	SVCGW_HA_NODE_A_MAX = __SVCGW_HA_NODE_A_MAX - 1
};

/*
 * The sync channel of a node (SVCGW_HA_A_SYNC): what it refused before it
 * knew the sender, and its queue.  Every counter a u64.
 */
enum svcgw_ha_sync_attr {
	SVCGW_HA_SYNC_A_UNSPEC,
	SVCGW_HA_SYNC_A_PAD,
	SVCGW_HA_SYNC_A_QUEUED,		/* records the sessions left */
	SVCGW_HA_SYNC_A_QUEUE_DROPPED,	/* found the queue full (a resync
					 * of every peer follows)
					 */
	SVCGW_HA_SYNC_A_RX_QUEUE_FULL,	/* datagrams dropped on arrival */
	SVCGW_HA_SYNC_A_TRUNCATED,	/* refused datagrams, by reason */
	SVCGW_HA_SYNC_A_BAD_MAGIC,
	SVCGW_HA_SYNC_A_BAD_VERSION,
	SVCGW_HA_SYNC_A_BAD_TYPE,
	SVCGW_HA_SYNC_A_BAD_FIELD,
	SVCGW_HA_SYNC_A_BAD_LENGTH,
	SVCGW_HA_SYNC_A_NO_KEY,		/* a key id this node does not hold */
	SVCGW_HA_SYNC_A_FORGED,		/* the tag did not verify */
	SVCGW_HA_SYNC_A_BAD_RECORD,
	SVCGW_HA_SYNC_A_NOT_PEER,	/* a sender (or receiver) that the
					 * HA policy does not pair with this
					 * node, or from another address
					 */
	SVCGW_HA_SYNC_A_REPLICAS,	/* replicas now, not adopted */
	SVCGW_HA_SYNC_A_ADOPTED,	/* replicas that took traffic */
	SVCGW_HA_SYNC_A_CHANNEL,	/* u64: when the channel was made
					 * (boot time, ns): another value, a
					 * new channel, its counters from 0
					 */

	__SVCGW_HA_SYNC_A_MAX,
	SVCGW_HA_SYNC_A_MAX = __SVCGW_HA_SYNC_A_MAX - 1
};

/* Where a node's stream to a peer stands (SVCGW_HA_PEER_A_TX_STATE). */
enum svcgw_ha_tx_state {
	SVCGW_HA_TX_HELLO,		/* asked the peer for an epoch */
	SVCGW_HA_TX_BULK,		/* sending it the whole set */
	SVCGW_HA_TX_UP,			/* live updates only */
};

/*
 * The streams between this node and a peer (SVCGW_HA_NODE_A_PEER): the
 * one to it (TX_*) and the one from it (RX_*).  Counters are u64.
 */
enum svcgw_ha_peer_attr {
	SVCGW_HA_PEER_A_UNSPEC,
	SVCGW_HA_PEER_A_PAD,
	SVCGW_HA_PEER_A_TX_STATE,	/* u8: enum svcgw_ha_tx_state */
	SVCGW_HA_PEER_A_SYNCED,		/* u8: 1 once every datagram up to
					 * the peer's last BULK_END is here
					 */
	SVCGW_HA_PEER_A_UNACKED,	/* u32: datagrams sent, not acked */
	SVCGW_HA_PEER_A_TX_DGRAMS,	/* sent, first time */
	SVCGW_HA_PEER_A_TX_RECORDS,
	SVCGW_HA_PEER_A_TX_RETRANS,	/* sent again */
	SVCGW_HA_PEER_A_TX_ACKED,	/* acknowledged */
	SVCGW_HA_PEER_A_TX_ERRORS,	/* the socket refused to send */
	SVCGW_HA_PEER_A_TX_LOST,	/* streams given up: a resync */
	SVCGW_HA_PEER_A_TX_BULKS,	/* bulk resyncs finished */
	SVCGW_HA_PEER_A_TX_BULK_RECORDS,
	SVCGW_HA_PEER_A_RX_DGRAMS,	/* accepted */
	SVCGW_HA_PEER_A_RX_RECORDS,
	SVCGW_HA_PEER_A_RX_OTHER_EPOCH,	/* refused: not its epoch */
	SVCGW_HA_PEER_A_RX_REPLAYED,	/* refused: seen before */
	SVCGW_HA_PEER_A_RX_AHEAD,	/* refused: beyond the window */
	SVCGW_HA_PEER_A_RX_NO_SERVICE,	/* records skipped: no such service */
	SVCGW_HA_PEER_A_RX_NO_SERVER,	/* ... or server */
	SVCGW_HA_PEER_A_RX_CONFLICT,	/* ... the flow is this node's */
	SVCGW_HA_PEER_A_RX_FULL,	/* ... the replicas' cap, memory */
	SVCGW_HA_PEER_A_RX_BULKS,	/* bulk resyncs received whole */
	SVCGW_HA_PEER_A_RX_EPOCHS,	/* epochs it was given (HELLOs) */
	SVCGW_HA_PEER_A_RX_SINCE,	/* u64: when the stream from it
					 * began (boot time, ns; its epoch's
					 * first datagram), 0: none yet
					 */

	__SVCGW_HA_PEER_A_MAX,
	SVCGW_HA_PEER_A_MAX = __SVCGW_HA_PEER_A_MAX - 1
};

#define SVCGW_SESSION_MAX_LIMIT	(1U << 28)
#define SVCGW_TIMEOUT_MAX	86400

#endif /* _UAPI_LINUX_SVCGW_H */
