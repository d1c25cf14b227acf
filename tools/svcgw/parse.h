/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgw: parsing and printing of addresses, ports, numbers and names.
 * No netlink here, so the unit tests link this file alone.
 */
#ifndef SVCGW_PARSE_H
#define SVCGW_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Room for "[" INET6_ADDRSTRLEN "]:65535" and for a decimal number. */
#define EP_STRLEN	64
#define NUM_STRLEN	24

/* An address with an optional port, as typed or as reported. */
struct endpoint {
	uint16_t family;	/* AF_INET or AF_INET6 */
	uint16_t port;		/* host order, 0 = none */
	uint8_t addr[16];	/* network order; AF_INET uses 4 bytes */
};

/* Results of the parsers; PARSE_OK is 0. */
enum parse_err {
	PARSE_OK,
	PARSE_INVAL,	/* malformed number or unknown name */
	PARSE_ADDR,	/* malformed address */
	PARSE_PORT,	/* malformed or out of range port */
	PARSE_NOPORT,	/* a port is required but missing */
	PARSE_FAMILY,	/* an address of the other family */
};

int addr_len(unsigned int family);

int parse_u32(const char *s, uint32_t *val);
/* A decimal u64: digits only, no sign, no blank; 0 or PARSE_INVAL. */
int parse_u64(const char *s, uint64_t *val);
/*
 * The 2 * @n hex digits at @s into the @n bytes at @key: 0, or the
 * 1-based position of the first character that is not a hex digit, @key
 * then wiped (a key: no part of it is left, nor quoted by the callers).
 */
size_t parse_hex(const char *s, uint8_t *key, size_t n);
int parse_service_ep(const char *s, struct endpoint *ep);
int parse_server_ep(const char *s, struct endpoint *ep);
int parse_host_addr(const char *s, unsigned int family, struct endpoint *ep);
int parse_fullnat(const char *s, struct endpoint *ep);
int parse_encap_src(const char *s, struct endpoint *ep);
int parse_gue_port(const char *s, uint16_t *port);
int parse_proto(const char *s, uint8_t *proto);
int parse_mode(const char *s, uint8_t *mode);
int parse_onoff(const char *s, uint8_t *val);
int parse_down_policy(const char *s, uint8_t *policy);
int parse_server_state(const char *s, uint8_t *state);
int parse_method(const char *s, uint8_t *method);
const char *method_error(bool has_method, unsigned int method,
			 bool has_gue_port);

/*
 * Whether @ep's address is unicast as the kernel takes an HA node's
 * addresses: not in 0.0.0.0/8, multicast nor 255.255.255.255; not ::,
 * multicast nor IPv4-mapped.
 */
bool ep_unicast(const struct endpoint *ep);
/* Whether @a and @b have the same family and address (ports aside). */
bool ep_same_addr(const struct endpoint *a, const struct endpoint *b);
/* Whether @ep's address (its port aside) is one of the @n of @set. */
bool ep_addr_in(const struct endpoint *set, size_t n,
		const struct endpoint *ep);
/* The socket address of @ep's address with @port (host order). */
void ep_sockaddr(const struct endpoint *ep, uint16_t port,
		 struct sockaddr_storage *ss, socklen_t *len);
const char *format_addr(const struct endpoint *ep, char *buf, size_t size);
const char *format_ep(const struct endpoint *ep, char *buf, size_t size);
const char *proto_str(unsigned int proto, char *buf, size_t size);
const char *mode_str(unsigned int mode, char *buf, size_t size);
const char *state_str(unsigned int state, char *buf, size_t size);
const char *svc_state_str(unsigned int state, char *buf, size_t size);
const char *reason_str(unsigned int reason, char *buf, size_t size);
const char *down_policy_str(unsigned int policy, char *buf, size_t size);
const char *server_state_str(unsigned int state, char *buf, size_t size);
const char *method_str(unsigned int method, char *buf, size_t size);

/* Batch files (svcgw -b). */
int split_line(char *line, char **argv, int max);
int split_line_rest(char *line, char **argv, int max, const char *lead,
		    const char *kw, char **rest);
long find_object_at(const uint32_t *start, size_t n, uint32_t off);

#endif /* SVCGW_PARSE_H */
