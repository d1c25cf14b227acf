// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the probes.  Non-blocking sockets on sd-event:
 *
 *   tcp    connect(); success when it completes
 *   http   connect(), "GET PATH HTTP/1.0" with Host and Connection: close,
 *          success when the status line's code is the check's status
 *   udp    a connected socket, SEND out, success when a datagram arrives
 *          that begins with EXPECT (an ICMP port unreachable fails at once)
 *
 * A probe that has not succeeded within the check's timeout fails.  Probes
 * of one server follow each other every interval (from the first one's
 * start, not its end; a probe still running when the next is due runs to
 * its end, and the probes a late loop missed are skipped); the first one
 * waits a part of the interval given by the server and check
 * (health_offset_ms()), so that many servers' checks spread over it.  The
 * gateway's own connections to a server address are not translated by
 * svcgw (Documentation/svcgw.rst), so the probes reach the servers
 * themselves.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/svcgw.h>

#include "../svcgw/svcgw.h"
#include "agent.h"
#include "log.h"
#include "probe.h"
#include "timer.h"

#define USEC_PER_MSEC	1000ULL

static void probe_close(struct probe *p)
{
	p->io = sd_event_source_disable_unref(p->io);
	p->deadline = sd_event_source_disable_unref(p->deadline);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->sent = false;
	p->len = 0;
}

static const char *server_name(const struct probe *p, char *buf, size_t size)
{
	char a[EP_STRLEN], b[EP_STRLEN], c[NUM_STRLEN];

	snprintf(buf, size, "server %s of %s proto %s",
		 format_ep(&p->srv->ep, a, sizeof(a)),
		 format_ep(&p->svc->ep, b, sizeof(b)),
		 proto_str(p->svc->proto, c, sizeof(c)));
	return buf;
}

/* One probe's result: the health decides, the kernel follows. */
static void probe_done(struct probe *p, bool ok, const char *why)
{
	char name[3 * EP_STRLEN];
	enum health_change ch;
	uint8_t state;

	uint64_t now, ms;

	probe_close(p);
	if (ok != p->h.up && !p->h.run)
		p->run_started = p->started;
	ch = health_result(&p->h, ok, p->ck->rise, p->ck->fall);
	if (ch == HEALTH_SAME)
		return;
	state = ch == HEALTH_UP ? SVCGW_SERVER_ACTIVE : p->ck->on_fail;
	sd_event_now(p->ev, CLOCK_MONOTONIC, &now);
	ms = (now - p->run_started) / USEC_PER_MSEC;
	if (p->changed) {
		p->changed(p, ch == HEALTH_UP, ms, why, p->arg);
		return;
	}
	server_name(p, name, sizeof(name));
	if (ch == HEALTH_UP)
		log_info("%s: up after %" PRIu64 " ms (check %s: %u successes in a row)",
			 name, ms, p->ck->name, p->ck->rise);
	else
		log_info("%s: %s after %" PRIu64 " ms (check %s: %u failures in a row, last: %s)",
			 name, state == SVCGW_SERVER_DOWN ? "down" : "draining",
			 ms, p->ck->name, p->ck->fall, why);
	if (agent_set_state(p->svc, p->srv, state))
		log_info("%s: could not be set %s in the kernel", name,
			 ch == HEALTH_UP ? "active" : "down");
}

/* The HTTP status line in @p->buf, complete?  Then the result. */
static bool http_status(struct probe *p, bool *ok)
{
	char *eol = memchr(p->buf, '\n', p->len);
	unsigned int code;
	char dot;

	if (!eol && p->len < sizeof(p->buf) - 1)
		return false;
	p->buf[p->len] = 0;
	*ok = sscanf(p->buf, "HTTP/1%c%*u %3u", &dot, &code) == 2 &&
	      dot == '.' && code == p->ck->status;
	return true;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct probe *p = data;
	int err = 0;
	socklen_t len = sizeof(err);
	ssize_t n;
	bool ok;

	(void)s;
	(void)revents;
	if (!p->sent && p->ck->type != CHECK_UDP) {
		/* The connection completed, or not. */
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
			probe_done(p, false, strerror(err ? err : errno));
			return 0;
		}
		if (p->ck->type == CHECK_TCP) {
			probe_done(p, true, NULL);
			return 0;
		}
		{
			char req[2 * CONF_PATH_MAX + 128], a[EP_STRLEN];
			char addr[EP_STRLEN + 2];
			const char *host = p->ck->host;

			if (!host[0]) {
				/* An IPv6 address goes in brackets. */
				format_addr(&p->srv->ep, a, sizeof(a));
				snprintf(addr, sizeof(addr),
					 p->srv->ep.family == AF_INET6 ?
					 "[%s]" : "%s", a);
				host = addr;
			}
			n = snprintf(req, sizeof(req),
				     "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: svcgwd\r\nConnection: close\r\n\r\n",
				     p->ck->path, host);
			if (send(fd, req, n, MSG_NOSIGNAL) != n) {
				probe_done(p, false, "request not sent");
				return 0;
			}
		}
		p->sent = true;
		sd_event_source_set_io_events(p->io, EPOLLIN);
		return 0;
	}
	n = recv(fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		probe_done(p, false, strerror(errno));
		return 0;
	}
	if (p->ck->type == CHECK_UDP) {
		ok = (size_t)n >= p->ck->expect_len &&
		     !memcmp(p->buf, p->ck->expect, p->ck->expect_len);
		probe_done(p, ok, ok ? NULL : "unexpected reply");
		return 0;
	}
	p->len += n;
	if (!n) {
		/* Closed before a whole line: what came must do. */
		if (!http_status(p, &ok))
			ok = false;
		probe_done(p, ok, ok ? NULL : "no status line");
		return 0;
	}
	if (http_status(p, &ok))
		probe_done(p, ok, ok ? NULL : "unexpected status");
	return 0;
}

/*
 * The deadline.  On a loop that runs late (a starved machine) the deadline
 * and the socket's answer can be due in the same turn, the deadline first:
 * what is already there when it is handled counts, only a probe still
 * waiting after that fails.
 */
static int on_deadline(sd_event_source *s, uint64_t usec, void *data)
{
	struct probe *p = data;
	struct pollfd pfd = { .fd = p->fd };
	uint32_t events;

	(void)s;
	(void)usec;
	if (p->io && !sd_event_source_get_io_events(p->io, &events)) {
		pfd.events = events;
		if (poll(&pfd, 1, 0) == 1)
			on_io(p->io, p->fd, pfd.revents, p);
	}
	if (p->fd >= 0)
		probe_done(p, false, "timeout");
	return 0;
}

static void probe_start(struct probe *p)
{
	bool udp = p->ck->type == CHECK_UDP;
	struct sockaddr_storage ss;
	socklen_t len;

	probe_close(p);
	sd_event_now(p->ev, CLOCK_MONOTONIC, &p->started);
	p->fd = socket(p->srv->ep.family, (udp ? SOCK_DGRAM : SOCK_STREAM) |
		       SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		probe_done(p, false, strerror(errno));
		return;
	}
	ep_sockaddr(&p->srv->ep, p->ck->port ? p->ck->port : p->srv->ep.port,
		    &ss, &len);
	if (connect(p->fd, (struct sockaddr *)&ss, len) &&
	    errno != EINPROGRESS) {
		probe_done(p, false, strerror(errno));
		return;
	}
	if (udp) {
		if (send(p->fd, p->ck->send, p->ck->send_len, 0) < 0) {
			probe_done(p, false, strerror(errno));
			return;
		}
		p->sent = true;
	}
	if (sd_event_add_io(p->ev, &p->io, p->fd, udp ? EPOLLIN : EPOLLOUT,
			    on_io, p) < 0 ||
	    sd_event_add_time_relative(p->ev, &p->deadline, CLOCK_MONOTONIC,
				       p->ck->timeout_ms * USEC_PER_MSEC,
				       TIMER_ACCURACY_USEC, on_deadline, p) < 0)
		probe_done(p, false, "no event source");
}

static int on_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct probe *p = data;
	uint64_t now;

	/*
	 * The next one an interval after this one was due; when the loop has
	 * fallen behind, the ones it missed are skipped (health_next_us()).
	 */
	sd_event_now(p->ev, CLOCK_MONOTONIC, &now);
	sd_event_source_set_time(s, health_next_us(usec, now,
				 p->ck->interval_ms * USEC_PER_MSEC));
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	/*
	 * The previous probe still running (it started late): it ends at its
	 * deadline with its result; starting another would throw it away, and
	 * on a loop that is always late no probe would ever give one.
	 */
	if (p->fd >= 0)
		return 0;
	probe_start(p);
	return 0;
}

static uint32_t probe_key(const struct probe *p)
{
	uint32_t k = 2166136261u;
	const uint8_t *b = p->srv->ep.addr;
	size_t i;

	/* FNV-1a over the address, the port and the check's name. */
	for (i = 0; i < 16; i++)
		k = (k ^ b[i]) * 16777619u;
	k = (k ^ p->srv->ep.port) * 16777619u;
	for (i = 0; p->ck->name[i]; i++)
		k = (k ^ (uint8_t)p->ck->name[i]) * 16777619u;
	return k;
}

static const struct probe *find_old(const struct probes *old,
				    const struct probe *p)
{
	size_t i;

	for (i = 0; old && i < old->n; i++) {
		const struct probe *o = &old->p[i];

		if (o->svc->proto == p->svc->proto &&
		    !memcmp(&o->svc->ep, &p->svc->ep, sizeof(o->svc->ep)) &&
		    !memcmp(&o->srv->ep, &p->srv->ep, sizeof(o->srv->ep)) &&
		    !strcmp(o->ck->name, p->ck->name))
			return o;
	}
	return NULL;
}

int probes_start(struct probes *ps, sd_event *ev, const struct conf *c,
		 const struct probes *old)
{
	return probes_start_cb(ps, ev, c, old, NULL, NULL);
}

int probes_start_cb(struct probes *ps, sd_event *ev, const struct conf *c,
		    const struct probes *old, probe_changed_fn changed,
		    void *arg)
{
	size_t i, j, n = 0;

	ps->n = 0;
	for (i = 0; i < c->nsvc; i++)
		for (j = 0; j < c->svc[i].nsrv; j++)
			n += c->svc[i].srv[j].check >= 0;
	ps->p = calloc(n + 1, sizeof(*ps->p));
	if (!ps->p) {
		log_info("out of memory for %zu probes", n);
		return -1;
	}
	for (i = 0; i < c->nsvc; i++) {
		for (j = 0; j < c->svc[i].nsrv; j++) {
			const struct conf_server *v = &c->svc[i].srv[j];
			struct probe *p = &ps->p[ps->n];
			const struct probe *o;
			uint64_t now;

			if (v->check < 0)
				continue;
			p->ev = ev;
			p->changed = changed;
			p->arg = arg;
			p->fd = -1;
			p->svc = &c->svc[i];
			p->srv = v;
			p->ck = conf_server_check(c, v);
			o = find_old(old, p);
			if (o)
				p->h = o->h;
			else
				health_init(&p->h);
			ps->n++;
			sd_event_now(ev, CLOCK_MONOTONIC, &now);
			if (sd_event_add_time(ev, &p->timer, CLOCK_MONOTONIC,
					      now + health_offset_ms(probe_key(p),
						     p->ck->interval_ms) *
					      USEC_PER_MSEC,
					      TIMER_ACCURACY_USEC, on_timer,
					      p) < 0) {
				log_info("no timer for a probe");
				probes_stop(ps);
				return -1;
			}
		}
	}
	return 0;
}

void probes_stop(struct probes *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		probe_close(&ps->p[i]);
		ps->p[i].timer = sd_event_source_disable_unref(ps->p[i].timer);
	}
	free(ps->p);
	ps->p = NULL;
	ps->n = 0;
}
