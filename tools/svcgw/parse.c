// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: parsing and printing of addresses, ports, numbers and names.
 *
 * The parsers are strict: no host names, no signs, no blanks, no hex;
 * IPv4 only as a dotted quad, IPv6 in brackets whenever a port follows.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/svcgw.h>

#include "parse.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct name_val {
	const char *name;
	unsigned int val;
};

static const struct name_val protos[] = {
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
};

static const struct name_val modes[] = {
	{ "stateless", SVCGW_MODE_STATELESS },
	{ "stateful", SVCGW_MODE_STATEFUL },
	{ "hybrid", SVCGW_MODE_HYBRID },
};

static const struct name_val onoff[] = {
	{ "off", 0 },
	{ "on", 1 },
};

/* SVCGW_SVC_A_STATE: do new flows get sessions? */
static const struct name_val svc_states[] = {
	{ "stateless", 0 },
	{ "stateful", 1 },
};

static const struct name_val reasons[] = {
	{ "none", SVCGW_REASON_NONE },
	{ "operator", SVCGW_REASON_OPERATOR },
	{ "transition", SVCGW_REASON_TRANSITION },
	{ "pressure", SVCGW_REASON_PRESSURE },
	{ "shared", SVCGW_REASON_SHARED },
};

static const struct name_val down_policies[] = {
	{ "reschedule", SVCGW_DOWN_RESCHEDULE },
	{ "expire", SVCGW_DOWN_EXPIRE },
};

static const struct name_val server_states[] = {
	{ "active", SVCGW_SERVER_ACTIVE },
	{ "draining", SVCGW_SERVER_DRAINING },
	{ "down", SVCGW_SERVER_DOWN },
};

static const struct name_val methods[] = {
	{ "nat", SVCGW_METHOD_NAT },
	{ "ipip", SVCGW_METHOD_IPIP },
	{ "gue", SVCGW_METHOD_GUE },
};

static const struct name_val states[] = {
	{ "none", SVCGW_SESS_NONE },
	{ "syn_sent", SVCGW_SESS_TCP_SYN_SENT },
	{ "syn_recv", SVCGW_SESS_TCP_SYN_RECV },
	{ "established", SVCGW_SESS_TCP_ESTABLISHED },
	{ "fin_wait", SVCGW_SESS_TCP_FIN_WAIT },
	{ "close", SVCGW_SESS_TCP_CLOSE },
	{ "udp", SVCGW_SESS_UDP },
};

int addr_len(unsigned int family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	}
	return 0;
}

/* A decimal number that fits 64 bits: digits only, nothing else. */
static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t parse_hex(const char *s, uint8_t *key, size_t n)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		hi = hex_digit(s[2 * i]);
		lo = hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			explicit_bzero(key, n);
			return 2 * i + 1 + (hi >= 0);
		}
		key[i] = hi << 4 | lo;
	}
	return 0;
}

int parse_u64(const char *s, uint64_t *val)
{
	uint64_t v = 0;

	if (!*s)
		return PARSE_INVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return PARSE_INVAL;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return PARSE_INVAL;
		v = v * 10 + (*s - '0');
	}
	*val = v;
	return PARSE_OK;
}

/* The same within 32 bits. */
int parse_u32(const char *s, uint32_t *val)
{
	uint64_t v;

	if (parse_u64(s, &v) || v > UINT32_MAX)
		return PARSE_INVAL;
	*val = v;
	return PARSE_OK;
}

static int parse_port(const char *s, uint16_t min, uint16_t *port)
{
	uint32_t v;

	if (parse_u32(s, &v) || v < min || v > 65535)
		return PARSE_PORT;
	*port = v;
	return PARSE_OK;
}

/*
 * Split "ADDR", "ADDR:PORT", "[ADDR6]" or "[ADDR6]:PORT" into the address
 * (copied to @host) and the port (*port, NULL if none).  Without brackets
 * a string with two colons or more is a bare IPv6 address.
 */
static int split_ep(const char *s, char *host, size_t size,
		    const char **port, bool *bracket)
{
	const char *end, *colon;
	size_t len;

	*port = NULL;
	*bracket = *s == '[';
	if (*bracket) {
		end = strchr(++s, ']');
		if (!end || (end[1] && end[1] != ':'))
			return PARSE_ADDR;
		if (end[1])
			*port = end + 2;
	} else {
		end = s + strlen(s);
		colon = strchr(s, ':');
		if (colon && !strchr(colon + 1, ':')) {
			*port = colon + 1;
			end = colon;
		}
	}
	len = end - s;
	if (!len || len >= size)
		return PARSE_ADDR;
	memcpy(host, s, len);
	host[len] = '\0';
	return PARSE_OK;
}

static int parse_addr(const char *host, bool bracket, struct endpoint *ep)
{
	if (!bracket && inet_pton(AF_INET, host, ep->addr) == 1) {
		ep->family = AF_INET;
		return PARSE_OK;
	}
	if (inet_pton(AF_INET6, host, ep->addr) == 1) {
		ep->family = AF_INET6;
		return PARSE_OK;
	}
	return PARSE_ADDR;
}

/* @min_port is 0 if the port may be left out. */
static int parse_ep(const char *s, uint16_t min_port, struct endpoint *ep)
{
	char host[INET6_ADDRSTRLEN];
	const char *port;
	bool bracket;
	int err;

	memset(ep, 0, sizeof(*ep));
	err = split_ep(s, host, sizeof(host), &port, &bracket);
	if (!err)
		err = parse_addr(host, bracket, ep);
	if (err)
		return err;
	if (port)
		return parse_port(port, min_port, &ep->port);
	return min_port ? PARSE_NOPORT : PARSE_OK;
}

/* A service: ADDR:PORT or [ADDR6]:PORT, port 1..65535. */
int parse_service_ep(const char *s, struct endpoint *ep)
{
	return parse_ep(s, 1, ep);
}

/* A server: as a service, but the port is optional and may be 0. */
int parse_server_ep(const char *s, struct endpoint *ep)
{
	return parse_ep(s, 0, ep);
}

/*
 * An address alone (no port), of @family unless that is 0: PARSE_FAMILY
 * if it is of the other one.
 */
int parse_host_addr(const char *s, unsigned int family, struct endpoint *ep)
{
	char host[INET6_ADDRSTRLEN];
	const char *port;
	bool bracket;
	int err;

	memset(ep, 0, sizeof(*ep));
	err = split_ep(s, host, sizeof(host), &port, &bracket);
	if (!err && port)
		err = PARSE_ADDR;
	if (!err)
		err = parse_addr(host, bracket, ep);
	if (!err && family && ep->family != family)
		return PARSE_FAMILY;
	return err;
}

/* A full NAT address: ADDR (no port), or "off" (family 0). */
int parse_fullnat(const char *s, struct endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (!strcmp(s, "off"))
		return PARSE_OK;
	return parse_host_addr(s, 0, ep);
}

/* A service's encapsulation source: as a full NAT address. */
int parse_encap_src(const char *s, struct endpoint *ep)
{
	return parse_fullnat(s, ep);
}

/* A GUE port: 1..65535. */
int parse_gue_port(const char *s, uint16_t *port)
{
	return parse_port(s, 1, port);
}

static int lookup_val(const struct name_val *t, size_t n, const char *name,
		      unsigned int *val)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(t[i].name, name)) {
			*val = t[i].val;
			return PARSE_OK;
		}
	}
	return PARSE_INVAL;
}

/* The name of @val, or else its number printed in @buf. */
static const char *lookup_name(const struct name_val *t, size_t n,
			       unsigned int val, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].val == val)
			return t[i].name;
	snprintf(buf, size, "%u", val);
	return buf;
}

/* A name of table @t, stored in a u8. */
static int parse_u8_name(const struct name_val *t, size_t n, const char *s,
			 uint8_t *dst)
{
	unsigned int v;
	int err;

	err = lookup_val(t, n, s, &v);
	if (!err)
		*dst = v;
	return err;
}

int parse_proto(const char *s, uint8_t *proto)
{
	return parse_u8_name(protos, ARRAY_SIZE(protos), s, proto);
}

int parse_mode(const char *s, uint8_t *mode)
{
	return parse_u8_name(modes, ARRAY_SIZE(modes), s, mode);
}

/* "on" is 1, "off" is 0. */
int parse_onoff(const char *s, uint8_t *val)
{
	return parse_u8_name(onoff, ARRAY_SIZE(onoff), s, val);
}

int parse_down_policy(const char *s, uint8_t *policy)
{
	return parse_u8_name(down_policies, ARRAY_SIZE(down_policies), s,
			     policy);
}

int parse_server_state(const char *s, uint8_t *state)
{
	return parse_u8_name(server_states, ARRAY_SIZE(server_states), s,
			     state);
}

int parse_method(const char *s, uint8_t *method)
{
	return parse_u8_name(methods, ARRAY_SIZE(methods), s, method);
}

/*
 * Whether a server's method (if given) and GUE port (if given) go
 * together: NULL if they do, else the problem, for an error message.
 */
const char *method_error(bool has_method, unsigned int method,
			 bool has_gue_port)
{
	bool gue = has_method && method == SVCGW_METHOD_GUE;

	if (gue && !has_gue_port)
		return "method gue needs a gue-port";
	if (!gue && has_gue_port)
		return "gue-port is for method gue only";
	return NULL;
}

const char *proto_str(unsigned int proto, char *buf, size_t size)
{
	return lookup_name(protos, ARRAY_SIZE(protos), proto, buf, size);
}

const char *mode_str(unsigned int mode, char *buf, size_t size)
{
	return lookup_name(modes, ARRAY_SIZE(modes), mode, buf, size);
}

const char *method_str(unsigned int method, char *buf, size_t size)
{
	return lookup_name(methods, ARRAY_SIZE(methods), method, buf, size);
}

const char *state_str(unsigned int state, char *buf, size_t size)
{
	return lookup_name(states, ARRAY_SIZE(states), state, buf, size);
}

/* "stateful" or "stateless": SVCGW_SVC_A_STATE. */
const char *svc_state_str(unsigned int state, char *buf, size_t size)
{
	return lookup_name(svc_states, ARRAY_SIZE(svc_states), state, buf,
			   size);
}

const char *reason_str(unsigned int reason, char *buf, size_t size)
{
	return lookup_name(reasons, ARRAY_SIZE(reasons), reason, buf, size);
}

const char *down_policy_str(unsigned int policy, char *buf, size_t size)
{
	return lookup_name(down_policies, ARRAY_SIZE(down_policies), policy,
			   buf, size);
}

const char *server_state_str(unsigned int state, char *buf, size_t size)
{
	return lookup_name(server_states, ARRAY_SIZE(server_states), state,
			   buf, size);
}

bool ep_unicast(const struct endpoint *ep)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t any[16];
	const uint8_t *a = ep->addr;

	if (ep->family == AF_INET)
		return a[0] != 0 && (a[0] & 0xf0) != 0xe0 &&
		       memcmp(a, "\xff\xff\xff\xff", 4);
	return ep->family == AF_INET6 && memcmp(a, any, 16) &&
	       a[0] != 0xff && memcmp(a, mapped, 12);
}

bool ep_same_addr(const struct endpoint *a, const struct endpoint *b)
{
	return a->family == b->family &&
	       !memcmp(a->addr, b->addr, addr_len(a->family));
}

bool ep_addr_in(const struct endpoint *set, size_t n,
		const struct endpoint *ep)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ep_same_addr(&set[i], ep))
			return true;
	return false;
}

/* The address alone, in inet_ntop's canonical form. */
void ep_sockaddr(const struct endpoint *ep, uint16_t port,
		 struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, ep->addr, 4);
		*len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		memcpy(&in6->sin6_addr, ep->addr, 16);
		*len = sizeof(*in6);
	}
}

const char *format_addr(const struct endpoint *ep, char *buf, size_t size)
{
	if (!inet_ntop(ep->family, ep->addr, buf, size))
		snprintf(buf, size, "?");
	return buf;
}

/* ADDR:PORT, with an IPv6 address in brackets. */
const char *format_ep(const struct endpoint *ep, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	format_addr(ep, host, sizeof(host));
	if (ep->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", host, ep->port);
	else
		snprintf(buf, size, "%s:%u", host, ep->port);
	return buf;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Split one line of a batch file into words, in place: words are
 * separated by blanks, a word starting with '#' begins a comment that runs
 * to the end of the line, and a line end (LF or CR LF) is dropped.  No
 * quoting: no argument of svcgw holds a blank.  Returns the number of
 * words (0 for a blank or comment line), or -1 if there are more than
 * @max.
 */
int split_line(char *line, char **argv, int max)
{
	char *rest;

	return split_line_rest(line, argv, max, NULL, NULL, &rest);
}

/*
 * split_line(), but on a line whose first word is @lead, a word @kw where
 * a keyword stands (the third word, the fifth...: LEAD NAME KEYWORD VALUE
 * KEYWORD VALUE...) ends the words: it is not one of them, and *@rest is
 * set to what follows it, the rest of the line as it is ('#' and all),
 * without the blanks around it and the line end; "" if nothing follows.
 * *@rest is NULL on any other line.  A value never holds a blank, so a
 * last keyword that takes the rest of the line is the one way of giving
 * text with blanks, unquoted.  The words counted against @max stop at
 * @kw.
 */
int split_line_rest(char *line, char **argv, int max, const char *lead,
		    const char *kw, char **rest)
{
	int argc = 0;
	char *p = line, *end;

	*rest = NULL;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (!*p || *p == '#')
			return argc;
		end = p;
		while (*end && !is_blank(*end))
			end++;
		if (lead && argc >= 2 && !(argc & 1) &&
		    !strcmp(argv[0], lead) &&
		    (size_t)(end - p) == strlen(kw) &&
		    !strncmp(p, kw, end - p)) {
			for (p = end; is_blank(*p); p++)
				;
			end = p + strlen(p);
			while (end > p && is_blank(end[-1]))
				end--;
			*end = '\0';
			*rest = p;
			return argc;
		}
		if (argc == max)
			return -1;
		argv[argc++] = p;
		if (!*end)
			return argc;
		*end = '\0';
		p = end + 1;
	}
}

/*
 * Which of @n objects, the i-th starting at byte @start[i] of a message
 * (ascending; an object's nested objects follow its own attributes),
 * holds byte @off: the last one starting at or before it.  Returns its
 * index, or -1 if @off is before the first.
 */
long find_object_at(const uint32_t *start, size_t n, uint32_t off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (start[mid] <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}
