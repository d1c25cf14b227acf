/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgw: generic netlink plumbing on libnl-genl-3.
 */
#ifndef SVCGW_NL_H
#define SVCGW_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/svcgw.h>

#include "parse.h"

/* gw_run() result of a dump that raced with a change (NLM_F_DUMP_INTR). */
#define GW_DUMP_INTR		1

/* Puts the request attributes; returns < 0 if the message is full. */
typedef int (*gw_build_fn)(struct nl_msg *msg, const void *req);
/* Gets the top-level attributes of one reply; returns < 0 to give up. */
typedef int (*gw_reply_fn)(struct nlattr **tb, void *arg);

/* Called before a refusal is printed, with the offset in the request of
 * the attribute at fault (-1: none), if set.
 */
typedef void (*gw_refusal_fn)(long offs);
extern gw_refusal_fn gw_on_refusal;

/* An errno that a refusal returns as its negative, unprinted (0: none). */
extern int gw_quiet_errno;
/* The reply message a gw_reply_fn is called for, for a reply whose
 * top-level attributes repeat (tb holds the last of each).
 */
extern struct nlmsghdr *gw_reply_hdr;

extern const struct nla_policy gw_stats_policy[SVCGW_STATS_A_MAX + 1];

int gw_run(uint8_t cmd, bool dump, gw_build_fn build, const void *req,
	   gw_reply_fn reply, void *arg);
int gw_run_big(uint8_t cmd, gw_build_fn build, const void *req, size_t size);
void gw_close(void);

int gw_put_addr(struct nl_msg *msg, int fam_attr, int addr_attr,
		const struct endpoint *ep);
int gw_get_ep(const struct nlattr *fam, const struct nlattr *addr,
	      const struct nlattr *port, struct endpoint *ep);
uint64_t gw_get_uint(const struct nlattr *attr);
int gw_malformed(const char *what);

/* The counters of a service, server, group, destination or policy. */
struct gw_counters {
	uint64_t packets;
	uint64_t bytes;
	uint64_t sessions;
};

struct json;
int gw_get_counters(struct nlattr *nest, struct gw_counters *c);
void gw_json_counters(struct json *j, const struct gw_counters *c);

#endif /* SVCGW_NL_H */
