// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: addresses on this node's interfaces (ifaddr.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/if_ether.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "ifaddr.h"

/* The address of @sa into @ep (port 0); false if it is not IPv4 or IPv6. */
static bool sa_addr(const struct sockaddr *sa, struct endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (!sa || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return false;
	ep->family = sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(ep->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else
		memcpy(ep->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		       16);
	return true;
}

int ifaddr_find(const struct endpoint *ep)
{
	struct ifaddrs *ifa, *i;
	struct endpoint got;
	int found = 0;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i && !found; i = i->ifa_next)
		if (sa_addr(i->ifa_addr, &got) && ep_same_addr(&got, ep))
			found = if_nametoindex(i->ifa_name);
	freeifaddrs(ifa);
	return found;
}

/* Whether @label (an IPv4 address's may be "NAME:ALIAS") is interface
 * @name's.
 */
static bool on_if(const char *label, const char *name, size_t len)
{
	return !strncmp(label, name, len) &&
	       (label[len] == 0 || label[len] == ':');
}

int ifaddr_list(int ifindex, struct endpoint *out, size_t max)
{
	char name[IF_NAMESIZE];
	struct ifaddrs *ifa, *i;
	struct endpoint ep;
	size_t len;
	int n = 0;

	if (!if_indextoname(ifindex, name))
		return -errno;
	len = strlen(name);
	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		if (!on_if(i->ifa_name, name, len) ||
		    !sa_addr(i->ifa_addr, &ep))
			continue;
		if (ep.family == AF_INET6 && ep.addr[0] == 0xfe &&
		    (ep.addr[1] & 0xc0) == 0x80)
			continue;	/* link-local */
		if ((size_t)n < max)
			out[n] = ep;
		n++;
	}
	freeifaddrs(ifa);
	return n;
}

/* RTM_NEWADDR or RTM_DELADDR of @ep alone on @ifindex, acked. */
static int rtm_addr(int type, int ifindex, const struct endpoint *ep)
{
	struct ifaddrmsg ifm = {
		.ifa_family = ep->family,
		.ifa_prefixlen = ep->family == AF_INET ? 32 : 128,
		.ifa_flags = ep->family == AF_INET6 ? IFA_F_NODAD : 0,
		.ifa_scope = RT_SCOPE_UNIVERSE,
		.ifa_index = ifindex,
	};
	int len = addr_len(ep->family), r;
	struct nl_sock *sk;
	struct nl_msg *msg;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r) {
		nl_socket_free(sk);
		return -EIO;
	}
	msg = nlmsg_alloc_simple(type, type == RTM_NEWADDR ?
				 NLM_F_CREATE | NLM_F_REPLACE : 0);
	if (!msg || nlmsg_append(msg, &ifm, sizeof(ifm), NLMSG_ALIGNTO) ||
	    nla_put(msg, IFA_LOCAL, len, ep->addr) ||
	    nla_put(msg, IFA_ADDRESS, len, ep->addr)) {
		nlmsg_free(msg);
		nl_socket_free(sk);
		return -ENOMEM;
	}
	r = nl_send_sync(sk, msg);	/* frees msg */
	nl_socket_free(sk);
	switch (-r) {
	case 0:
		return 0;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_PERM:
		return -EPERM;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_EXIST:
		return -EEXIST;
	default:
		return -EIO;
	}
}

int ifaddr_add(int ifindex, const struct endpoint *ep)
{
	return rtm_addr(RTM_NEWADDR, ifindex, ep);
}

int ifaddr_del(int ifindex, const struct endpoint *ep)
{
	return rtm_addr(RTM_DELADDR, ifindex, ep);
}

static int if_mac(int ifindex, unsigned char mac[ETH_ALEN])
{
	struct ifreq ifr;
	int fd, r = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		r = -errno;
	else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		r = -EPFNOSUPPORT;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(fd);
	return r;
}

/* A gratuitous ARP request: sender and target both @ep's address. */
static int garp(int ifindex, const struct endpoint *ep,
		const unsigned char mac[ETH_ALEN])
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = ifindex,
		.sll_halen = ETH_ALEN,
	};
	struct ether_arp a;
	int fd, r = 0;

	memset(sll.sll_addr, 0xff, ETH_ALEN);
	memset(&a, 0, sizeof(a));
	a.arp_hrd = htons(ARPHRD_ETHER);
	a.arp_pro = htons(ETH_P_IP);
	a.arp_hln = ETH_ALEN;
	a.arp_pln = 4;
	a.arp_op = htons(ARPOP_REQUEST);
	memcpy(a.arp_sha, mac, ETH_ALEN);
	memcpy(a.arp_spa, ep->addr, 4);
	memcpy(a.arp_tpa, ep->addr, 4);
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (fd < 0)
		return -errno;
	if (sendto(fd, &a, sizeof(a), 0, (struct sockaddr *)&sll,
		   sizeof(sll)) != (ssize_t)sizeof(a))
		r = -errno;
	close(fd);
	return r;
}

/* An unsolicited neighbour advertisement (override) to all nodes, from
 * @ep's address, with the target link-layer address option.
 */
static int unsol_na(int ifindex, const struct endpoint *ep,
		    const unsigned char mac[ETH_ALEN])
{
	struct {
		struct nd_neighbor_advert na;
		struct nd_opt_hdr opt;
		unsigned char mac[ETH_ALEN];
	} __attribute__((packed)) m;
	struct sockaddr_in6 src = { .sin6_family = AF_INET6 };
	struct sockaddr_in6 dst = {
		.sin6_family = AF_INET6,
		.sin6_addr = { { { 0xff, 0x02, [15] = 0x01 } } },
		.sin6_scope_id = ifindex,
	};
	int fd, hops = 255, r = 0;

	memset(&m, 0, sizeof(m));
	m.na.nd_na_type = ND_NEIGHBOR_ADVERT;
	m.na.nd_na_flags_reserved = ND_NA_FLAG_OVERRIDE;
	memcpy(&m.na.nd_na_target, ep->addr, 16);
	m.opt.nd_opt_type = ND_OPT_TARGET_LINKADDR;
	m.opt.nd_opt_len = 1;		/* 8 bytes */
	memcpy(m.mac, mac, ETH_ALEN);
	memcpy(&src.sin6_addr, ep->addr, 16);
	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops,
		       sizeof(hops)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
		       sizeof(ifindex)) ||
	    bind(fd, (struct sockaddr *)&src, sizeof(src)) ||
	    sendto(fd, &m, sizeof(m), 0, (struct sockaddr *)&dst,
		   sizeof(dst)) != (ssize_t)sizeof(m))
		r = -errno;
	close(fd);
	return r;
}

int ifaddr_announce(int ifindex, const struct endpoint *ep)
{
	unsigned char mac[ETH_ALEN];
	int r = if_mac(ifindex, mac);

	if (r)
		return r;
	return ep->family == AF_INET ? garp(ifindex, ep, mac) :
				       unsol_na(ifindex, ep, mac);
}
