// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: generic netlink plumbing on libnl-genl-3.
 *
 * One socket per run, opened by the first request.  A "do" request goes
 * out with NLM_F_ACK and is over when its ack (or error) comes back, a
 * dump is over at NLMSG_DONE (libnl's auto-ack sets NLM_F_ACK on dumps
 * too, which the kernel ignores; it keeps libnl's sequence checks on).
 * Every reply message is parsed with the top-level policy and handed to
 * the caller's callback.  A refusal is printed as
 * "svcgw: <strerror>: <extended ack message>".
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "json.h"
#include "nl.h"
#include "svcgw.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* What one request has seen of its replies so far. */
struct gw_ctx {
	gw_reply_fn reply;
	void *arg;
	bool done;	/* ack, error or NLMSG_DONE seen */
	bool intr;	/* some dump message had NLM_F_DUMP_INTR */
	bool failed;	/* a reply could not be used; already reported */
	int err;	/* errno the kernel answered */
	char msg[256];	/* and its extended ack message */
	long offs;	/* and the offset of the attribute (or nest) at
			 * fault in the request, -1 if none
			 */
};

gw_refusal_fn gw_on_refusal;
int gw_quiet_errno;
struct nlmsghdr *gw_reply_hdr;

static struct nl_sock *sock;
static int family;

/*
 * Counters are u32 or u64: take either, read them with gw_get_uint().
 * PRESSURE is a u8 flag.
 */
const struct nla_policy gw_stats_policy[SVCGW_STATS_A_MAX + 1] = {
	[SVCGW_STATS_A_PACKETS]		= { .minlen = 4 },
	[SVCGW_STATS_A_BYTES]		= { .minlen = 4 },
	[SVCGW_STATS_A_SESSIONS]	= { .minlen = 4 },
	[SVCGW_STATS_A_SERVICES]	= { .minlen = 4 },
	[SVCGW_STATS_A_SESSIONS_CUR]	= { .minlen = 4 },
	[SVCGW_STATS_A_DROP_MALFORMED]	= { .minlen = 4 },
	[SVCGW_STATS_A_DROP_NO_SERVER]	= { .minlen = 4 },
	[SVCGW_STATS_A_DROP_NOMEM]	= { .minlen = 4 },
	[SVCGW_STATS_A_SESSION_FULL]	= { .minlen = 4 },
	[SVCGW_STATS_A_SESSION_EXPIRED]	= { .minlen = 4 },
	[SVCGW_STATS_A_PRESSURE]	= { .minlen = 1 },
	[SVCGW_STATS_A_PRESSURE_SWITCHES] = { .minlen = 4 },
	[SVCGW_STATS_A_SESSION_REPICK]	= { .minlen = 4 },
	[SVCGW_STATS_A_SESSION_MEM]	= { .minlen = 4 },
	[SVCGW_STATS_A_DROP_NO_SESSION]	= { .minlen = 4 },
	[SVCGW_STATS_A_ENCAP_TOO_BIG]	= { .minlen = 4 },
	[SVCGW_STATS_A_DROP_NO_ROUTE]	= { .minlen = 4 },
	[SVCGW_STATS_A_ENCAP_PACKETS]	= { .minlen = 4 },
	[SVCGW_STATS_A_POLICY_PACKETS]	= { .minlen = 4 },
	[SVCGW_STATS_A_POLICY_PINNED]	= { .minlen = 4 },
	[SVCGW_STATS_A_POLICY_FAILOVER]	= { .minlen = 4 },
};

static int gw_open(void)
{
	int one = 1;
	int err;

	sock = nl_socket_alloc();
	if (!sock) {
		pr_err("out of memory");
		return -1;
	}
	err = genl_connect(sock);
	if (err < 0) {
		pr_err("cannot open a generic netlink socket: %s",
		       nl_geterror(err));
		goto fail;
	}
	/* Replies may exceed a page: peek at their size first. */
	nl_socket_enable_msg_peek(sock);
	/* Ask for error messages; a kernel without them ignores this. */
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));

	family = genl_ctrl_resolve(sock, SVCGW_GENL_NAME);
	if (family == -NLE_OBJ_NOTFOUND) {
		pr_err("the svcgw module is not loaded (generic netlink family \"%s\" not found)",
		       SVCGW_GENL_NAME);
		goto fail;
	}
	if (family < 0) {
		pr_err("cannot resolve generic netlink family \"%s\": %s",
		       SVCGW_GENL_NAME, nl_geterror(family));
		goto fail;
	}
	return 0;
fail:
	gw_close();
	return -1;
}

void gw_close(void)
{
	if (sock)
		nl_socket_free(sock);
	sock = NULL;
}

/*
 * Pick the message out of the extended ack attributes that follow the
 * first @off bytes of the payload of an NLMSG_ERROR or NLMSG_DONE.
 */
static void gw_extack(const struct nlmsghdr *nlh, size_t off,
		      struct gw_ctx *ctx)
{
	static const struct nla_policy policy[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG]		= { .type = NLA_STRING },
		[NLMSGERR_ATTR_OFFS]		= { .type = NLA_U32 },
		[NLMSGERR_ATTR_MISS_TYPE]	= { .type = NLA_U32 },
		[NLMSGERR_ATTR_MISS_NEST]	= { .type = NLA_U32 },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t len = nlh->nlmsg_len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = NLMSG_HDRLEN + NLMSG_ALIGN(off);
	if (off >= len || nla_parse(tb, NLMSGERR_ATTR_MAX,
				    (struct nlattr *)((char *)nlh + off),
				    len - off, policy) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(ctx->msg, sizeof(ctx->msg), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	else if (tb[NLMSGERR_ATTR_MISS_TYPE])
		snprintf(ctx->msg, sizeof(ctx->msg), "missing attribute %u",
			 nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
	if (tb[NLMSGERR_ATTR_OFFS])
		ctx->offs = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	else if (tb[NLMSGERR_ATTR_MISS_NEST])
		ctx->offs = nla_get_u32(tb[NLMSGERR_ATTR_MISS_NEST]);
}

static int gw_on_error(struct sockaddr_nl *nla, struct nlmsgerr *e,
		       void *arg)
{
	const struct nlmsghdr *nlh = (void *)((char *)e - NLMSG_HDRLEN);
	struct gw_ctx *ctx = arg;
	size_t off = sizeof(*e);

	(void)nla;
	ctx->err = -e->error;
	ctx->done = true;
	/* The request is echoed unless the kernel capped it. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	gw_extack(nlh, off, ctx);
	return NL_STOP;
}

static int gw_on_ack(struct nl_msg *msg, void *arg)
{
	struct gw_ctx *ctx = arg;

	(void)msg;
	ctx->done = true;
	return NL_STOP;
}

/* NLMSG_DONE carries the dump's error, if it failed half way. */
static int gw_on_done(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct gw_ctx *ctx = arg;
	int err;

	ctx->done = true;
	if (nlmsg_datalen(nlh) >= (int)sizeof(err)) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0) {
			ctx->err = -err;
			gw_extack(nlh, sizeof(err), ctx);
		}
	}
	return NL_STOP;
}

static int gw_on_intr(struct nl_msg *msg, void *arg)
{
	struct gw_ctx *ctx = arg;

	(void)msg;
	ctx->intr = true;
	return NL_OK;	/* use the message all the same */
}

static int gw_on_reply(struct nl_msg *msg, void *arg)
{
	static const struct nla_policy policy[SVCGW_A_MAX + 1] = {
		[SVCGW_A_SERVICE]	= { .type = NLA_NESTED },
		[SVCGW_A_SERVER]	= { .type = NLA_NESTED },
		[SVCGW_A_SESSION]	= { .type = NLA_NESTED },
		[SVCGW_A_STATS]		= { .type = NLA_NESTED },
		[SVCGW_A_CONFIG]	= { .type = NLA_NESTED },
	};
	struct nlattr *tb[SVCGW_A_MAX + 1];
	struct gw_ctx *ctx = arg;
	int err;

	if (!ctx->reply)
		return NL_OK;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, SVCGW_A_MAX, policy) < 0) {
		gw_malformed("message");
		ctx->failed = true;
		return NL_STOP;
	}
	gw_reply_hdr = nlmsg_hdr(msg);
	err = ctx->reply(tb, ctx->arg);
	gw_reply_hdr = NULL;
	if (err < 0) {
		ctx->failed = true;
		return NL_STOP;
	}
	return NL_OK;
}

static struct nl_msg *gw_build(uint8_t cmd, bool dump, gw_build_fn build,
			       const void *req, size_t size)
{
	struct nl_msg *msg;

	msg = size ? nlmsg_alloc_size(size) : nlmsg_alloc();
	if (!msg) {
		pr_err("out of memory");
		return NULL;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 dump ? NLM_F_DUMP : NLM_F_ACK, cmd,
			 SVCGW_GENL_VERSION) ||
	    (build && build(msg, req) < 0)) {
		pr_err("the request does not fit a netlink message");
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void gw_report(const struct gw_ctx *ctx)
{
	if (ctx->msg[0])
		pr_err("%s: %s", strerror(ctx->err), ctx->msg);
	else
		pr_err("%s", strerror(ctx->err));
}

/* Read replies until the ack, the error or the end of the dump. */
static int gw_wait(struct gw_ctx *ctx)
{
	struct nl_cb *cb;
	int err = 0;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		pr_err("out of memory");
		return -1;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, gw_on_reply, ctx);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, gw_on_ack, ctx);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, gw_on_done, ctx);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, gw_on_intr, ctx);
	nl_cb_err(cb, NL_CB_CUSTOM, gw_on_error, ctx);
	while (!ctx->done && !ctx->failed && err >= 0)
		err = nl_recvmsgs(sock, cb);
	nl_cb_put(cb);

	if (ctx->failed)
		return -1;
	if (ctx->err) {
		if (gw_quiet_errno && ctx->err == gw_quiet_errno)
			return -ctx->err;
		if (gw_on_refusal)
			gw_on_refusal(ctx->offs);
		gw_report(ctx);
		return -1;
	}
	if (err < 0) {
		pr_err("netlink: %s", nl_geterror(err));
		return -1;
	}
	return 0;
}

/*
 * Send command @cmd, as a dump or as a do request, with the attributes
 * put by @build(@req), and hand every reply to @reply(@arg).  Returns 0,
 * GW_DUMP_INTR if a dump was inconsistent, -1 once the error is printed,
 * or the negative of gw_quiet_errno if the kernel answered that.
 */
int gw_run(uint8_t cmd, bool dump, gw_build_fn build, const void *req,
	   gw_reply_fn reply, void *arg)
{
	struct gw_ctx ctx = { .reply = reply, .arg = arg, .offs = -1 };
	struct nl_msg *msg;
	int err;

	if (!sock && gw_open())
		return -1;
	msg = gw_build(cmd, dump, build, req, 0);
	if (!msg)
		return -1;
	err = nl_send_auto(sock, msg);
	nlmsg_free(msg);
	if (err < 0) {
		pr_err("cannot send the request: %s", nl_geterror(err));
		return -1;
	}
	err = gw_wait(&ctx);
	if (err)
		return err;
	return ctx.intr ? GW_DUMP_INTR : 0;
}

/*
 * A do request of up to @size bytes, more than a page: the socket's send
 * buffer is raised to hold it (SO_SNDBUFFORCE, which CAP_NET_ADMIN allows,
 * else SO_SNDBUF up to net.core.wmem_max), and the kernel is asked not to
 * echo it in its answer (NETLINK_CAP_ACK), whose receive buffer would
 * need as much room.
 */
int gw_run_big(uint8_t cmd, gw_build_fn build, const void *req, size_t size)
{
	struct gw_ctx ctx = { .offs = -1 };
	int one = 1, buf, fd;
	struct nl_msg *msg;
	int err;

	if (!sock && gw_open())
		return -1;
	if (size > INT_MAX / 2 - 4096) {
		pr_err("the request is too big for one netlink message");
		return -1;
	}
	fd = nl_socket_get_fd(sock);
	buf = (int)size + 4096;
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	msg = gw_build(cmd, false, build, req, size);
	if (!msg)
		return -1;
	err = nl_send_auto(sock, msg);
	nlmsg_free(msg);
	if (err < 0) {
		if (gw_on_refusal)
			gw_on_refusal(-1);
		pr_err("cannot send the request: %s", nl_geterror(err));
		return -1;
	}
	return gw_wait(&ctx);
}

int gw_put_addr(struct nl_msg *msg, int fam_attr, int addr_attr,
		const struct endpoint *ep)
{
	if (nla_put_u16(msg, fam_attr, ep->family) < 0 ||
	    nla_put(msg, addr_attr, addr_len(ep->family), ep->addr) < 0)
		return -1;
	return 0;
}

/* Fill @ep from a family, an address and an optional port attribute. */
int gw_get_ep(const struct nlattr *fam, const struct nlattr *addr,
	      const struct nlattr *port, struct endpoint *ep)
{
	int len;

	memset(ep, 0, sizeof(*ep));
	if (!fam || !addr)
		return -1;
	ep->family = nla_get_u16(fam);
	len = addr_len(ep->family);
	if (!len || nla_len(addr) != len)
		return -1;
	memcpy(ep->addr, nla_data(addr), len);
	if (port)
		ep->port = nla_get_u16(port);
	return 0;
}

/* A u8, u16, u32 or u64, by its length (a policy made sure of one). */
uint64_t gw_get_uint(const struct nlattr *attr)
{
	int len = nla_len(attr);

	if (len >= 8)
		return nla_get_u64(attr);
	if (len >= 4)
		return nla_get_u32(attr);
	if (len >= 2)
		return nla_get_u16(attr);
	return nla_get_u8(attr);
}

int gw_malformed(const char *what)
{
	pr_err("malformed %s in a reply from the kernel", what);
	return -1;
}

int gw_get_counters(struct nlattr *nest, struct gw_counters *c)
{
	struct nlattr *a[SVCGW_STATS_A_MAX + 1];

	memset(c, 0, sizeof(*c));
	if (!nest)
		return 0;
	if (nla_parse_nested(a, SVCGW_STATS_A_MAX, nest, gw_stats_policy) < 0)
		return gw_malformed("counters");
	if (a[SVCGW_STATS_A_PACKETS])
		c->packets = gw_get_uint(a[SVCGW_STATS_A_PACKETS]);
	if (a[SVCGW_STATS_A_BYTES])
		c->bytes = gw_get_uint(a[SVCGW_STATS_A_BYTES]);
	if (a[SVCGW_STATS_A_SESSIONS])
		c->sessions = gw_get_uint(a[SVCGW_STATS_A_SESSIONS]);
	return 0;
}

void gw_json_counters(struct json *j, const struct gw_counters *c)
{
	json_uint(j, "packets", c->packets);
	json_uint(j, "bytes", c->bytes);
	json_uint(j, "sessions", c->sessions);
}
