/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgw: the services and servers the kernel reports (SERVICE_GET), as
 * "service show" and svcgwd read them.
 */
#ifndef SVCGW_DUMP_H
#define SVCGW_DUMP_H

#include "nl.h"
#include "svcgw.h"

/* has_*: the kernel sent it (an older one does not). */
struct server_info {
	struct endpoint ep;
	uint32_t weight;
	bool has_state;
	uint8_t state;		/* enum svcgw_server_state */
	bool has_deadline;
	uint32_t deadline;	/* ms left */
	uint8_t method;		/* enum svcgw_method: NAT if not sent */
	bool has_gue_port;
	uint16_t gue_port;
	bool shared;		/* a guest at another service's endpoint */
	struct gw_counters st;
};

struct service_info {
	struct endpoint ep;
	uint8_t proto;
	uint8_t mode;
	uint32_t table;
	bool has_transition;
	uint32_t transition;	/* s */
	bool has_stateful;
	uint8_t stateful;	/* the operator's flag */
	bool has_down_policy;
	uint8_t down_policy;
	bool has_state;
	uint8_t state;		/* 1: new flows get sessions */
	bool has_reason;
	uint8_t reason;
	bool has_switches;
	uint64_t switches;
	bool has_marked;
	uint32_t marked;
	bool has_left;
	uint32_t left;		/* ms */
	bool has_fullnat;
	struct endpoint fullnat;
	bool has_encap_src;
	struct endpoint encap_src;
	struct gw_counters st;
	struct server_info *srv;
	size_t nsrv;
};

struct service_list {
	struct service_info *svc;
	size_t n;
};

int dump_services(const struct svc_req *req, struct service_list *list);
void free_services(struct service_list *list);

#endif /* SVCGW_DUMP_H */
