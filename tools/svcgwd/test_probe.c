// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of svcgwd's probes (probe.c) on a real sd-event loop and real
 * sockets on the loopback: a server that takes connections but never
 * answers (an HTTP check's timeout), a closed port (refused), an answering
 * one, on a prompt loop and on one that is always late (a starved or slow
 * machine: every turn of the loop takes longer than the interval).  On the
 * late loop each probe must still run to its deadline (a probe thrown away
 * when the next is due gives no result, and the dead server would stay
 * up), and an answer already there when the deadline is handled counts.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/svcgw.h>

#include "log.h"
#include "probe.h"
#include "../svcgw/tap.h"

/* Not reached: the tests set a callback (probes_start_cb()). */
int agent_set_state(const struct conf_service *svc,
		    const struct conf_server *srv, uint8_t state)
{
	(void)svc;
	(void)srv;
	(void)state;
	return -1;
}

/* svcgwd's log (svcgwd.c) as TAP comments. */
void log_info(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

struct seen {
	int downs, ups;
	char why[64];
	uint64_t ms;
};

static void changed(struct probe *p, bool up, uint64_t ms, const char *why,
		    void *arg)
{
	struct seen *s = &((struct seen *)arg)[p->srv - p->svc->srv];

	(void)ms;
	if (up) {
		s->ups++;
		return;
	}
	s->downs++;
	s->ms = ms;
	snprintf(s->why, sizeof(s->why), "%s", why ? why : "");
}

/* A listener on 127.0.0.1; its port. */
static int listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 64) || getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

/* A port nobody listens on (bound, then closed). */
static int closed_port(void)
{
	int port, fd = listener(&port);

	close(fd);
	return port;
}

/* The late loop: each turn sleeps @data ms. */
static int on_hog(sd_event_source *s, uint64_t usec, void *data)
{
	(void)usec;
	usleep(*(int *)data * 1000);
	sd_event_source_set_time_relative(s, 1000);
	sd_event_source_set_enabled(s, SD_EVENT_ON);
	return 0;
}

static int on_stop(sd_event_source *s, uint64_t usec, void *data)
{
	(void)s;
	(void)usec;
	(void)data;
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

/*
 * Probes of three servers for @secs s, each turn of the loop @hog_ms
 * longer; what each server's health did.  The listeners never accept():
 * a TCP check's connection completes in the backlog (the answering
 * server), an HTTP check's request gets no answer (the silent one).
 */
static int run(int hog_ms, int secs, struct seen seen[3])
{
	int silent_port, good_port, silent, good, closed;
	char text[1024], err[256];
	sd_event_source *hog = NULL, *stop = NULL;
	struct probes ps = { 0 };
	struct conf c;
	sd_event *ev;
	int ret = -1;

	memset(seen, 0, 3 * sizeof(*seen));
	silent = listener(&silent_port);
	good = listener(&good_port);
	closed = closed_port();
	if (silent < 0 || good < 0 || sd_event_new(&ev) < 0)
		return -1;
	/* One service on the three ports of 127.0.0.1 would not do (a
	 * server is an address): three services of one server each. */
	snprintf(text, sizeof(text),
		 "node: t\n"
		 "checks:\n"
		 "  web: {type: http, path: /, status: 200, interval: 100ms,\n"
		 "        timeout: 50ms, rise: 2, fall: 3}\n"
		 "  conn: {type: tcp, interval: 100ms, timeout: 50ms, rise: 2,\n"
		 "         fall: 3}\n"
		 "services:\n"
		 "  - address: 192.0.2.1\n"
		 "    port: 80\n"
		 "    proto: tcp\n"
		 "    servers:\n"
		 "      - {address: 127.0.0.1, port: %d, check: web}\n"
		 "      - {address: 127.0.0.1, port: %d, check: conn}\n"
		 "      - {address: 127.0.0.1, port: %d, check: conn}\n",
		 silent_port, closed, good_port);
	if (conf_parse("t.conf", text, strlen(text), &c, err, sizeof(err))) {
		printf("# %s\n", err);
		goto out;
	}
	if (sd_event_add_time_relative(ev, &stop, CLOCK_MONOTONIC,
				       secs * 1000000ULL, 0, on_stop, NULL) < 0 ||
	    (hog_ms && sd_event_add_time_relative(ev, &hog, CLOCK_MONOTONIC,
						  1000, 0, on_hog,
						  &hog_ms) < 0))
		goto out;
	if (hog)
		sd_event_source_set_enabled(hog, SD_EVENT_ON);
	if (probes_start_cb(&ps, ev, &c, NULL, changed, seen))
		goto out;
	ret = sd_event_loop(ev);
	probes_stop(&ps);
out:
	sd_event_source_disable_unref(hog);
	sd_event_source_disable_unref(stop);
	sd_event_unref(ev);
	close(silent);
	close(good);
	return ret;
}

int main(void)
{
	struct seen s[3];
	int ret;

	ret = run(0, 2, s);
	ok(ret == 0 && s[0].downs == 1 && !strcmp(s[0].why, "timeout"),
	   "prompt loop: a server that never answers goes down (%d, %s)",
	   s[0].downs, s[0].why);
	ok(s[1].downs == 1 && strstr(s[1].why, "refused"),
	   "prompt loop: a closed port goes down (%d, %s)", s[1].downs,
	   s[1].why);
	ok(!s[2].downs, "prompt loop: the answering server stays up");

	/* Every turn of the loop 250 ms: 2.5 intervals. */
	ret = run(250, 4, s);
	ok(ret == 0 && s[0].downs == 1 && !strcmp(s[0].why, "timeout"),
	   "late loop: a server that never answers still goes down (%d, %s, after %llu ms)",
	   s[0].downs, s[0].why, (unsigned long long)s[0].ms);
	ok(s[1].downs == 1 && strstr(s[1].why, "refused"),
	   "late loop: a closed port still goes down (%d, %s)", s[1].downs,
	   s[1].why);
	ok(!s[2].downs, "late loop: the answering server stays up");
	return tap_done();
}
