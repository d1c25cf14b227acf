// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the metrics endpoint (httpd.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "../svcgw/dump.h"
#include "../svcgw/svcgw.h"
#include "agent.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"

#define HTTPD_TIMEOUT_S		10	/* an idle connection goes */
#define HTTPD_CONN_MAX		16
#define STATS_MAX		64

struct httpd {
	struct MHD_Daemon *d;
	sd_event *ev;
	sd_event_source *io, *timer;
	unsigned long scrapes, errors;
};

static enum MHD_Result answer(struct MHD_Connection *c, unsigned int code,
			      const char *type, char *body, size_t len,
			      bool owned)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, owned ?
					    MHD_RESPMEM_MUST_FREE :
					    MHD_RESPMEM_PERSISTENT);
	if (!r) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_len, void **ctx)
{
	static char not_found[] = "not found: the metrics are at /metrics\n";
	static char bad_method[] = "only GET\n";
	static char unavailable[] =
		"svcgwd cannot read the kernel's counters (is the svcgw module loaded?)\n";
	struct httpd *h = cls;
	struct gw_stat st[STATS_MAX];
	struct service_list l = { 0 };
	char *buf;
	size_t len;
	int n;

	(void)version;
	(void)data;
	(void)data_len;
	(void)ctx;
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			      bad_method, strlen(bad_method), false);
	if (strcmp(url, "/metrics"))
		return answer(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
			      strlen(not_found), false);
	n = gw_stats_get(st, STATS_MAX);
	if (n < 0 || agent_read(&l)) {
		h->errors++;
		free_services(&l);
		return answer(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
			      unavailable, strlen(unavailable), false);
	}
	if (metrics_render(st, n, &l, &buf, &len)) {
		free_services(&l);
		h->errors++;
		return MHD_NO;
	}
	free_services(&l);
	h->scrapes++;
	return answer(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
		      buf, len, true);
}

static void arm(struct httpd *h)
{
	MHD_UNSIGNED_LONG_LONG ms;
	uint64_t now;

	if (MHD_get_timeout(h->d, &ms) != MHD_YES) {
		sd_event_source_set_enabled(h->timer, SD_EVENT_OFF);
		return;
	}
	sd_event_now(h->ev, CLOCK_MONOTONIC, &now);
	sd_event_source_set_time(h->timer, now + ms * 1000);
	sd_event_source_set_enabled(h->timer, SD_EVENT_ONESHOT);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct httpd *h = data;

	(void)s;
	(void)fd;
	(void)revents;
	MHD_run(h->d);
	arm(h);
	return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct httpd *h = data;

	(void)s;
	(void)usec;
	MHD_run(h->d);
	arm(h);
	return 0;
}

struct httpd *httpd_start(sd_event *ev, const struct endpoint *ep)
{
	struct sockaddr_storage ss = { 0 };
	const union MHD_DaemonInfo *info;
	char buf[EP_STRLEN];
	struct httpd *h;

	format_ep(ep, buf, sizeof(buf));
	if (ep->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(ep->port);
		memcpy(&sin->sin_addr, ep->addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(ep->port);
		memcpy(&sin6->sin6_addr, ep->addr, 16);
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		log_info("metrics on %s: out of memory", buf);
		return NULL;
	}
	h->ev = ev;
	h->d = MHD_start_daemon(MHD_USE_EPOLL | (ep->family == AF_INET6 ?
						 MHD_USE_IPv6 : 0),
				ep->port, NULL, NULL, on_request, h,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned int)HTTPD_TIMEOUT_S,
				MHD_OPTION_CONNECTION_LIMIT,
				(unsigned int)HTTPD_CONN_MAX,
				MHD_OPTION_END);
	if (!h->d) {
		log_info("metrics: cannot listen on %s (address in use, or not this host's?)",
			 buf);
		free(h);
		return NULL;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info ||
	    sd_event_add_io(ev, &h->io, info->epoll_fd, EPOLLIN, on_io, h) < 0 ||
	    sd_event_add_time(ev, &h->timer, CLOCK_MONOTONIC, 0, 0, on_timer,
			      h) < 0) {
		log_info("metrics on %s: cannot watch its sockets", buf);
		httpd_stop(h);
		return NULL;
	}
	arm(h);
	log_info("metrics: serving the kernel's counters on http://%s/metrics",
		 buf);
	return h;
}

void httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	sd_event_source_unref(h->io);
	sd_event_source_unref(h->timer);
	if (h->d)
		MHD_stop_daemon(h->d);
	free(h);
}
