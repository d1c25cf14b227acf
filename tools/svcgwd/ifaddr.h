/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: addresses on this node's interfaces, for the full NAT address
 * takeover (takeover.h): find, add, remove (rtnetlink through libnl-3),
 * and announce (a gratuitous ARP request for IPv4, an unsolicited
 * neighbour advertisement with the override flag for IPv6: the
 * neighbours' entries for the address move to this interface's MAC).
 * Each returns 0 or a negative errno.
 */
#ifndef SVCGWD_IFADDR_H
#define SVCGWD_IFADDR_H

#include "../svcgw/parse.h"

/* The index of an interface that has @ep's address, 0 if none (or < 0). */
int ifaddr_find(const struct endpoint *ep);
/* @ep's address onto interface @ifindex, alone (/32 or /128, no DAD). */
int ifaddr_add(int ifindex, const struct endpoint *ep);
/* @ep's address off interface @ifindex (-EADDRNOTAVAIL: it was not on). */
int ifaddr_del(int ifindex, const struct endpoint *ep);
/*
 * The addresses of interface @ifindex, at most @max into @out (port 0),
 * but IPv6 link-local ones; how many there are, or a negative errno.
 */
int ifaddr_list(int ifindex, struct endpoint *out, size_t max);
/* One announcement of @ep's address at interface @ifindex's MAC. */
int ifaddr_announce(int ifindex, const struct endpoint *ep);

#endif /* SVCGWD_IFADDR_H */
