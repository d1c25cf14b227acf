/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: the declarative configuration file (Documentation/svcgwd.rst,
 * "The file"), read with libyaml into the model below and checked.  No
 * netlink and no daemon state here: the unit tests and the fuzzer link
 * this file with ../svcgw/parse.c alone.
 */
#ifndef SVCGWD_CONF_H
#define SVCGWD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../svcgw/parse.h"
#include "cond.h"

#define CONF_NAME_MAX		32	/* check names, with the NUL */
#define CONF_PATH_MAX		256	/* HTTP path, with the NUL */
#define CONF_PAYLOAD_MAX	512	/* UDP request and reply */
#define CONF_ERR_MAX		512	/* an error message */

enum conf_check_type {
	CHECK_TCP,	/* a connection is accepted */
	CHECK_HTTP,	/* GET PATH answered with STATUS */
	CHECK_UDP,	/* SEND answered with a reply that begins with EXPECT */
};

/* A health check, named, that servers refer to. */
struct conf_check {
	char name[CONF_NAME_MAX];
	unsigned long line;
	uint8_t type;			/* enum conf_check_type */
	uint16_t port;			/* 0: the server's port */
	char path[CONF_PATH_MAX];	/* HTTP, default "/" */
	char host[CONF_PATH_MAX];	/* HTTP Host, default the address */
	uint16_t status;		/* HTTP, default 200 */
	char send[CONF_PAYLOAD_MAX];	/* UDP request */
	size_t send_len;
	char expect[CONF_PAYLOAD_MAX];	/* UDP reply prefix, may be empty */
	size_t expect_len;
	uint32_t interval_ms;		/* default 2000 */
	uint32_t timeout_ms;		/* default 1000, below interval */
	uint32_t rise;			/* successes to come back, default 2 */
	uint32_t fall;			/* failures to go, default 3 */
	uint8_t on_fail;		/* SVCGW_SERVER_DOWN or _DRAINING */
};

struct conf_server {
	struct endpoint ep;		/* port: the service's if not given */
	unsigned long line;
	uint32_t weight;		/* default 1 */
	uint8_t method;			/* enum svcgw_method, default NAT */
	uint16_t gue_port;		/* METHOD_GUE */
	int check;			/* index in conf.checks, -1: none */
};

struct conf_service {
	struct endpoint ep;
	unsigned long line;
	uint8_t proto;
	uint8_t mode;			/* enum svcgw_mode, 0: the kernel's */
	uint32_t table;			/* 0: the kernel's */
	bool has_transition;
	uint32_t transition;
	bool has_stateful;
	uint8_t stateful;
	bool has_down_policy;
	uint8_t down_policy;
	struct conf_server *srv;
	size_t nsrv;
};

/* --- the control channel and the controller role ----------------------- */

#define CONF_NODE_MAX		64	/* a node's name, with the NUL */
#define CONF_NODES_MAX		256	/* nodes of a controller */
#define CONF_SET_NAME_MAX	32	/* SVCGW_NAME_MAX: set, group names */

/* tls: the node's certificate, its key, and the CA of all nodes (PEM). */
struct conf_tls {
	unsigned long line;		/* 0: no tls section */
	char ca[CONF_PATH_MAX];
	char cert[CONF_PATH_MAX];
	char key[CONF_PATH_MAX];
};

/* controller: (agent role) where the controller listens, and its name. */
struct conf_controller {
	unsigned long line;		/* 0: none, the agent runs alone */
	struct endpoint ep;		/* address and port (default 7440) */
	char name[CONF_NODE_MAX];	/* its certificate's CN */
};

/* A destination of a group: a load balancer node, encapsulated to. */
struct conf_pdest {
	struct endpoint ep;		/* port 0 */
	unsigned long line;
	uint8_t method;			/* SVCGW_METHOD_IPIP or _GUE */
	uint16_t gue_port;		/* GUE */
	uint32_t weight;		/* default 1 */
};

struct conf_pgroup {
	char name[CONF_SET_NAME_MAX];
	unsigned long line;
	uint32_t table;			/* 0: the kernel's default */
	int check;			/* index in conf.check, -1: none */
	struct conf_pdest *dest;
	size_t ndest;
};

/* A policy: service address [port, protocol] [client prefix] -> group. */
struct conf_policy {
	struct endpoint ep;		/* port 0: any */
	unsigned long line;
	uint8_t proto;			/* 0: both */
	bool has_src;
	struct endpoint src;		/* port 0 */
	uint8_t plen;
	char group[CONF_SET_NAME_MAX];	/* a group of the same set */
};

struct conf_pset {
	char name[CONF_SET_NAME_MAX];
	unsigned long line;
	struct cond cond;		/* "when"; COND_ALWAYS if none */
	bool has_transition;
	uint32_t transition;		/* seconds */
	struct conf_pgroup *group;
	size_t ngroup;
	struct conf_policy *pol;
	size_t npol;
};

/* --- high availability (Documentation/ha.rst) --------------------------- */

#define CONF_HA_BACKUPS_MAX	8	/* backups of one node */

/* A servicing node of the HA policy: one of the controller's nodes. */
struct conf_ha_node {
	char name[CONF_NODE_MAX];	/* one of conf.nodes */
	unsigned long line;
	int node;			/* its index in conf.nodes */
	uint32_t id;			/* 1 to 2^32-1, unique */
	struct endpoint sync;		/* port 0: conf_ha.port */
	struct endpoint addr;		/* its destination address (port 0):
					 * default the sync address */
	bool has_fnat;
	struct endpoint fnat;		/* its full NAT pool address, port 0 */
	int backup[CONF_HA_BACKUPS_MAX];	/* indexes in conf_ha.node,
						 * in order */
	size_t nbackup;			/* 1 to CONF_HA_BACKUPS_MAX */
};

/* ha: (controller role) the HA policy that the controller makes. */
struct conf_ha {
	unsigned long line;		/* 0: no ha section */
	uint16_t port;			/* UDP port of the sync, default 7441 */
	uint32_t key_rotation_s;	/* default 86400; 0: never */
	uint32_t sync_wait_ms;		/* the barrier's bound, default
					 * 30000; 0: no barrier */
	struct conf_ha_node *node;	/* in order; sync of one family */
	size_t nnode;
};

struct conf {
	char *file;			/* as given, for messages */
	char node[64];			/* node name, default the host name */
	struct conf_check *check;
	size_t ncheck;
	struct conf_service *svc;
	size_t nsvc;
	struct conf_tls tls;
	struct conf_controller controller;	/* agent role */
	unsigned long metrics_line;	/* agent role; 0: no metrics */
	struct endpoint metrics;	/* address and port (default 9477) */
	/* announce: (agent role) the service addresses kept on an
	 * interface of their own while their services can be served, for
	 * a routing daemon to announce (Documentation/deployment.rst).
	 */
	unsigned long announce_line;	/* 0: no announce section */
	char announce_if[16];		/* IFNAMSIZ, with the NUL */
	bool announce_all;		/* when: all (default any) */
	bool has_announce_hold;
	uint32_t announce_hold_ms;	/* default: the longest check
					 * interval of the file (announce.h)
					 */
	/* Controller role: "listen" given. */
	unsigned long listen_line;	/* 0: not a controller */
	struct endpoint listen;		/* address and port (default 7440) */
	uint32_t heartbeat_ms;		/* default 1000 */
	uint32_t dead_after_ms;		/* default 3 heartbeats */
	uint32_t hold_down_ms;		/* default 10000 */
	char (*nodes)[CONF_NODE_MAX];	/* the agents it serves */
	size_t nnodes;
	struct conf_pset *pset;		/* in order */
	size_t npset;
	struct conf_ha ha;
};

/*
 * Read @len bytes of @buf, the text of @file, into @c (zeroed first).
 * 0, or -1 with "FILE:LINE: message" in @err and @c empty.
 */
int conf_parse(const char *file, const char *buf, size_t len, struct conf *c,
	       char *err, size_t errlen);
/* conf_parse() of the file @file. */
int conf_load(const char *file, struct conf *c, char *err, size_t errlen);
void conf_free(struct conf *c);

/* The index of @c's policy set @name, or -1. */
int conf_pset_find(const struct conf *c, const char *name);
/* The index of @c's HA node @name (in c->ha.node), or -1. */
int conf_ha_find(const struct conf *c, const char *name);

/* The health check of @c's server @srv, or NULL if it has none. */
static inline const struct conf_check *
conf_server_check(const struct conf *c, const struct conf_server *srv)
{
	return srv->check < 0 ? NULL : &c->check[srv->check];
}

#endif /* SVCGWD_CONF_H */
