// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the svcgw daemon (Documentation/svcgwd.rst), node agent role.
 *
 *   svcgwd [-f FILE] [--reconcile S] [--flush-on-exit]
 *                             apply FILE (default /etc/svcgw/svcgwd.conf)
 *                             to this namespace's svcgw as one batch
 *                             replace, health-check its servers, apply it
 *                             again when the kernel drifts from it; SIGHUP
 *                             reloads FILE (a bad one is refused and the
 *                             running one kept), SIGTERM leaves the
 *                             kernel's state as it is (--flush-on-exit:
 *                             flushes it)
 *   svcgwd --check [FILE]     check FILE, touch nothing
 *   svcgwd --diff [FILE]      what applying FILE would change
 *
 * Runs in the foreground; under systemd (Type=notify) it says READY=1 once
 * the file is applied, RELOADING=1 while it reloads.  The controller role
 * and the control channel come next.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include <linux/svcgw.h>

#include "../svcgw/dump.h"
#include "../svcgw/nl.h"
#include "../svcgw/svcgw.h"
#include "agent.h"
#include "announcer.h"
#include "conf.h"
#include "ctl.h"
#include "httpd.h"
#include "link.h"
#include "log.h"
#include "probe.h"

#define SVCGWD_CONF	"/etc/svcgw/svcgwd.conf"
#define SVCGWD_STATE	"/var/lib/svcgwd/controller.json"
#define SVCGWD_CONTROL	"/run/svcgwd/control"

struct daemon {
	const char *file;
	sd_event *ev;
	struct conf conf;
	struct probes probes;
	sd_event_source *reconcile;
	uint32_t reconcile_s;	/* 0: never */
	bool flush_on_exit;
	bool drift_logged;	/* the kernel could not be read: said once */
	const char *state_file;	/* controller: its choice across restarts */
	const char *control;	/* controller: the operator's socket */
	struct ctl *ctl;	/* controller role */
	struct link *link;	/* agent with a controller */
	struct httpd *httpd;	/* agent with metrics */
	struct announcer *announcer;	/* agent with announce */
	unsigned long applies, reloads, refused, reconciled;
};

/*
 * The daemon, outside the journal (which has its own): each line has the
 * seconds since the start, on the monotonic clock.
 */
static bool stamp;
static struct timespec t0;

static void stamp_start(void)
{
	stamp = !getenv("JOURNAL_STREAM");
	clock_gettime(CLOCK_MONOTONIC, &t0);
}

void log_info(const char *fmt, ...)
{
	struct timespec t;
	va_list ap;

	fflush(stdout);
	fputs("svcgwd: ", stderr);
	if (stamp) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_sec -= t0.tv_sec;
		if (t.tv_nsec < t0.tv_nsec) {
			t.tv_sec--;
			t.tv_nsec += 1000000000L;
		}
		fprintf(stderr, "[%5ld.%03ld] ", (long)t.tv_sec,
			(t.tv_nsec - t0.tv_nsec) / 1000000);
	}
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: svcgwd [-f FILE] [--reconcile S] [--flush-on-exit]\n"
		"              [--state FILE] [--control SOCKET]\n"
		"       svcgwd --check [FILE]\n"
		"       svcgwd --diff [FILE]\n"
		"       svcgwd --operator SET=on|off [--control SOCKET]\n"
		"       svcgwd --status [--control SOCKET]\n"
		"FILE defaults to %s, SOCKET (a controller's) to %s\n",
		SVCGWD_CONF, SVCGWD_CONTROL);
}

static void summary(const struct conf *c, char *buf, size_t size)
{
	size_t i, j, nsrv = 0, nchecked = 0;

	for (i = 0; i < c->nsvc; i++) {
		nsrv += c->svc[i].nsrv;
		for (j = 0; j < c->svc[i].nsrv; j++)
			nchecked += c->svc[i].srv[j].check >= 0;
	}
	if (c->listen_line) {
		size_t off, npol = 0;

		for (i = 0; i < c->npset; i++)
			npol += c->pset[i].npol;
		off = snprintf(buf, size,
			       "controller %s, %zu nodes, %zu checks, %zu policy sets (%zu policies):",
			       c->node, c->nnodes, c->ncheck, c->npset, npol);
		for (i = 0; i < c->npset && off < size; i++)
			off += snprintf(buf + off, size - off, " %s", c->pset[i].name);
		return;
	}
	snprintf(buf, size,
		 "node %s, %zu services, %zu servers (%zu health-checked), %zu checks%s",
		 c->node, c->nsvc, nsrv, nchecked, c->ncheck,
		 c->controller.line ? ", policy sets from a controller" : "");
}

static int load(const char *file, struct conf *c)
{
	char err[CONF_ERR_MAX];

	if (conf_load(file, c, err, sizeof(err))) {
		log_info("%s", err);
		return -1;
	}
	return 0;
}

static int do_check(const char *file)
{
	struct conf c;
	char sum[256];

	if (load(file, &c))
		return EXIT_FAILURE;
	summary(&c, sum, sizeof(sum));
	printf("%s: %s\n", file, sum);
	conf_free(&c);
	return EXIT_SUCCESS;
}

/*
 * --operator SET=on|off, --status: ask the controller through its socket
 * and print its answer; exit 1 if it refused or cannot be reached.
 */
static int do_operator(const char *path, const char *op)
{
	char req[256], ans[4096], set[64];
	const char *eq = op ? strchr(op, '=') : NULL;
	json_error_t e;
	json_t *a;
	size_t n;
	int ok = 0;

	if (op) {
		if (!eq || eq == op || (size_t)(eq - op) >= sizeof(set) ||
		    (strcmp(eq + 1, "on") && strcmp(eq + 1, "off"))) {
			log_info("--operator takes SET=on or SET=off, not \"%s\"", op);
			return EXIT_FAILURE;
		}
		snprintf(set, sizeof(set), "%.*s", (int)(eq - op), op);
		a = json_pack("{s:s, s:b}", "operator", set, "on",
			      !strcmp(eq + 1, "on"));
	} else {
		a = json_pack("{s:b}", "status", 1);
	}
	n = a ? json_dumpb(a, req, sizeof(req) - 2, JSON_COMPACT) : 0;
	json_decref(a);
	if (!n || n > sizeof(req) - 2) {
		log_info("request too long");
		return EXIT_FAILURE;
	}
	req[n] = '\n';
	req[n + 1] = 0;
	if (ctl_request(path, req, ans, sizeof(ans))) {
		log_info("%s: %s (is a controller running with this --control?)",
			 path, strerror(errno));
		return EXIT_FAILURE;
	}
	fputs(ans, stdout);
	a = json_loads(ans, 0, &e);
	if (a && json_unpack(a, "{s:b}", "ok", &ok) == 0 && !ok)
		log_info("refused: %s",
			 json_string_value(json_object_get(a, "error")));
	json_decref(a);
	return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int do_diff(const char *file)
{
	struct service_list k;
	struct conf c;
	size_t n;

	if (load(file, &c))
		return EXIT_FAILURE;
	if (agent_read(&k)) {
		free_services(&k);
		conf_free(&c);
		return EXIT_FAILURE;
	}
	n = agent_diff(&c, &k, stdout);
	if (!n)
		printf("no change: the kernel has what %s says\n", file);
	free_services(&k);
	conf_free(&c);
	return EXIT_SUCCESS;
}

/*
 * The kernel's server states into the probes' health (a server the
 * kernel has down or draining is down until it rises), or the probes'
 * health into the kernel (after the file was applied again: what the
 * checks found holds).
 */
static void sync_health(struct daemon *d, bool from_kernel)
{
	struct service_list k;
	size_t i;

	if (from_kernel && agent_read(&k)) {
		free_services(&k);
		return;
	}
	for (i = 0; i < d->probes.n; i++) {
		struct probe *p = &d->probes.p[i];

		if (from_kernel) {
			int st = agent_server_state(&k, p->svc, p->srv);

			if (st >= 0)
				p->h.up = st == SVCGW_SERVER_ACTIVE;
			p->h.run = 0;
		} else if (!p->h.up) {
			agent_set_state(p->svc, p->srv, p->ck->on_fail);
		}
	}
	if (from_kernel)
		free_services(&k);
}

static int apply(struct daemon *d, const struct conf *c, const char *why)
{
	char sum[256];

	if (agent_apply(c))
		return -1;
	d->applies++;
	summary(c, sum, sizeof(sum));
	log_info("applied %s (%s): %s", c->file, why, sum);
	return 0;
}

static int on_reconcile(sd_event_source *s, uint64_t usec, void *data)
{
	struct daemon *d = data;
	struct service_list k;
	size_t n;

	sd_event_source_set_time(s, usec + d->reconcile_s * 1000000ULL);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	if (agent_read(&k)) {
		free_services(&k);
		/* A module loaded again has the family anew: ask again. */
		gw_close();
		if (!d->drift_logged)
			log_info("cannot read the kernel's services (module not loaded?): the file is applied again when it can");
		d->drift_logged = true;
		/* Unreadable now: applied once it is back. */
		return 0;
	}
	n = agent_diff(&d->conf, &k, NULL);
	free_services(&k);
	link_reconcile(d->link);
	if (!n && !d->drift_logged)
		return 0;
	if (n)
		log_info("the kernel differs from %s in %zu ways (module reloaded, flushed, changed by hand?): applying it again",
			 d->file, n);
	if (apply(d, &d->conf, "reconcile"))
		return 0;
	d->drift_logged = false;
	d->reconciled++;
	sync_health(d, false);
	return 0;
}

/* A controller runs from a controller's file (conf.c refuses services in
 * one).
 */
static int check_role(struct daemon *d, const struct conf *c)
{
	if (d->ctl && !c->listen_line) {
		log_info("%s: not a controller's file (no listen) while running as one", c->file);
		return -1;
	}
	return 0;
}

static bool same_link(const struct conf *a, const struct conf *b)
{
	return a->controller.line && b->controller.line &&
	       !memcmp(&a->controller.ep, &b->controller.ep,
		       sizeof(a->controller.ep)) &&
	       !strcmp(a->controller.name, b->controller.name) &&
	       !strcmp(a->node, b->node) && !strcmp(a->tls.ca, b->tls.ca) &&
	       !strcmp(a->tls.cert, b->tls.cert) &&
	       !strcmp(a->tls.key, b->tls.key);
}

/* A reload that changed the controller or the certificates: a new link. */
static void restart_link(struct daemon *d, const struct conf *nc)
{
	if (same_link(&d->conf, nc) || (!d->link && !nc->controller.line))
		return;
	link_stop(d->link);
	d->link = NULL;
	if (nc->controller.line) {
		d->link = link_start(d->ev, nc);
		if (!d->link)
			log_info("reload: no link to the controller (above); the kernel keeps its policy set");
	}
}

/* A reload that changed the metrics endpoint: served anew (or not). */
static void restart_metrics(struct daemon *d, const struct conf *nc)
{
	if (nc->metrics_line && d->httpd &&
	    !memcmp(&nc->metrics, &d->conf.metrics, sizeof(nc->metrics)))
		return;
	if (!nc->metrics_line && !d->httpd)
		return;
	httpd_stop(d->httpd);
	d->httpd = NULL;
	if (!nc->metrics_line) {
		log_info("reload: no metrics any more");
		return;
	}
	d->httpd = httpd_start(d->ev, &nc->metrics);
	if (!d->httpd)
		log_info("reload: no metrics until the next reload (above)");
}

/* agent_untied_fn: a service whose address is not announced gets no
 * flow, and changes without transition (agent.h).
 */
static bool unannounced(const struct conf_service *svc, void *arg)
{
	struct daemon *d = arg;

	return d->announcer && !announcer_has(d->announcer, &svc->ep);
}

/* A reload: the announcer follows the file's section (another interface:
 * the addresses leave the old one).
 */
static void restart_announcer(struct daemon *d)
{
	if (d->announcer && !announcer_same(d->announcer, &d->conf)) {
		announcer_stop(d->announcer);
		d->announcer = NULL;
	}
	if (d->announcer) {
		announcer_kick(d->announcer);
		return;
	}
	if (!d->conf.announce_line)
		return;
	d->announcer = announcer_start(d->ev, &d->conf, &d->probes);
	if (!d->announcer)
		log_info("reload: nothing announced until the next reload (above)");
}

/* SIGHUP: the file again; a bad one, or one refused, changes nothing. */
static int on_hup(sd_event_source *s, const struct signalfd_siginfo *si,
		  void *data)
{
	struct daemon *d = data;
	struct probes np;
	struct conf nc;

	(void)s;
	(void)si;
	sd_notify(0, "RELOADING=1");
	d->reloads++;
	if (d->ctl) {
		/* ctl_reload() moves the new model into d->conf, where the
		 * controller reads it.
		 */
		if (load(d->file, &nc) || check_role(d, &nc) ||
		    ctl_reload(d->ctl, &d->conf, &nc)) {
			conf_free(&nc);
			d->refused++;
			log_info("reload refused: still running the previous file");
		} else {
			log_info("reloaded %s", d->file);
		}
		sd_notify(0, "READY=1");
		return 0;
	}
	if (load(d->file, &nc)) {
		nc.file = NULL;	/* nothing to free */
	} else if (apply(d, &nc, "reload")) {
		conf_free(&nc);
		nc.file = NULL;
	}
	if (!nc.file) {
		d->refused++;
		log_info("reload refused: still running the previous file");
		sd_notify(0, "READY=1");
		return 0;
	}
	if (probes_start(&np, d->ev, &nc, &d->probes)) {
		/* The kernel has the new file, but the checks cannot follow
		 * it: the old ones stop (they read the old file, freed
		 * below), the servers keep the state they have.
		 */
		log_info("reload: the health checks of the new file could not start; none run until the next reload");
		probes_stop(&d->probes);
		restart_link(d, &nc);
		restart_metrics(d, &nc);
		conf_free(&d->conf);
		d->conf = nc;
		restart_announcer(d);
		sd_notify(0, "READY=1");
		return 0;
	}
	probes_stop(&d->probes);
	restart_link(d, &nc);
	restart_metrics(d, &nc);
	conf_free(&d->conf);
	d->conf = nc;
	d->probes = np;
	sync_health(d, false);
	restart_announcer(d);
	sd_notify(0, "READY=1");
	return 0;
}

static int on_term(sd_event_source *s, const struct signalfd_siginfo *si,
		   void *data)
{
	struct daemon *d = data;

	sd_notify(0, "STOPPING=1");
	if (d->ctl) {
		ctl_log_counters(d->ctl);
		log_info("signal %u: stopping (%lu reloads of which %lu refused); the nodes keep their policy sets",
			 si->ssi_signo, d->reloads, d->refused);
		return sd_event_exit(sd_event_source_get_event(s), 0);
	}
	link_log_counters(d->link);
	log_info("signal %u: stopping (%lu applies, %lu reloads of which %lu refused, %lu reconciles); the kernel's state is %s",
		 si->ssi_signo, d->applies, d->reloads, d->refused,
		 d->reconciled, d->flush_on_exit ? "flushed" : "left as it is");
	if (d->flush_on_exit)
		cmd_flush(0, NULL);
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int on_usr1(sd_event_source *s, const struct signalfd_siginfo *si,
		   void *data)
{
	struct daemon *d = data;

	(void)s;
	(void)si;
	if (d->ctl)
		ctl_log_counters(d->ctl);
	else
		link_log_counters(d->link);
	return 0;
}

/* The controller role: no kernel of its own to configure. */
static int run_controller(struct daemon *d)
{
	int r;

	d->ctl = ctl_start(d->ev, &d->conf, d->state_file, d->control);
	if (!d->ctl)
		return EXIT_FAILURE;
	sd_notify(0, "READY=1");
	r = sd_event_loop(d->ev);
	ctl_stop(d->ctl);
	sd_event_unref(d->ev);
	conf_free(&d->conf);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int run(struct daemon *d)
{
	sigset_t ss;
	int r;

	stamp_start();
	if (load(d->file, &d->conf) || check_role(d, &d->conf))
		return EXIT_FAILURE;
	if (!d->conf.listen_line && apply(d, &d->conf, "start"))
		return EXIT_FAILURE;
	sigemptyset(&ss);
	sigaddset(&ss, SIGHUP);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGUSR1);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &ss, NULL) ||
	    sd_event_default(&d->ev) < 0 ||
	    sd_event_add_signal(d->ev, NULL, SIGHUP, on_hup, d) < 0 ||
	    sd_event_add_signal(d->ev, NULL, SIGTERM, on_term, d) < 0 ||
	    sd_event_add_signal(d->ev, NULL, SIGINT, on_term, d) < 0 ||
	    sd_event_add_signal(d->ev, NULL, SIGUSR1, on_usr1, d) < 0) {
		log_info("cannot set up the event loop");
		return EXIT_FAILURE;
	}
	if (d->conf.listen_line)
		return run_controller(d);
	if (probes_start(&d->probes, d->ev, &d->conf, NULL))
		return EXIT_FAILURE;
	sync_health(d, true);
	if (d->reconcile_s) {
		uint64_t now;

		sd_event_now(d->ev, CLOCK_MONOTONIC, &now);
		if (sd_event_add_time(d->ev, &d->reconcile, CLOCK_MONOTONIC,
				      now + d->reconcile_s * 1000000ULL, 0,
				      on_reconcile, d) < 0) {
			log_info("cannot set up the reconcile timer");
			return EXIT_FAILURE;
		}
	}
	if (d->conf.controller.line) {
		d->link = link_start(d->ev, &d->conf);
		if (!d->link)
			return EXIT_FAILURE;
	}
	if (d->conf.metrics_line) {
		d->httpd = httpd_start(d->ev, &d->conf.metrics);
		if (!d->httpd)
			return EXIT_FAILURE;
	}
	if (d->conf.announce_line) {
		d->announcer = announcer_start(d->ev, &d->conf, &d->probes);
		if (!d->announcer)
			return EXIT_FAILURE;
	}
	agent_untied(unannounced, d);
	log_info("running: %zu health checks, reconcile every %us%s%s",
		 d->probes.n, d->reconcile_s,
		 d->conf.controller.line ? ", controller " : "",
		 d->conf.controller.line ? d->conf.controller.name : "");
	sd_notify(0, "READY=1");
	r = sd_event_loop(d->ev);
	announcer_stop(d->announcer);	/* the routers go elsewhere first */
	httpd_stop(d->httpd);
	link_stop(d->link);
	probes_stop(&d->probes);
	sd_event_source_disable_unref(d->reconcile);
	sd_event_unref(d->ev);
	conf_free(&d->conf);
	gw_close();
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "diff", no_argument, NULL, 'd' },
		{ "file", required_argument, NULL, 'f' },
		{ "reconcile", required_argument, NULL, 'r' },
		{ "flush-on-exit", no_argument, NULL, 'F' },
		{ "state", required_argument, NULL, 's' },
		{ "control", required_argument, NULL, 'C' },
		{ "operator", required_argument, NULL, 'o' },
		{ "status", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct daemon d = { .file = SVCGWD_CONF, .reconcile_s = 5,
			    .state_file = SVCGWD_STATE,
			    .control = SVCGWD_CONTROL };
	const char *op = NULL;
	int opt, mode = 0;

	pr_prog = "svcgwd";
	while ((opt = getopt_long(argc, argv, "cdf:r:h", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'c':
		case 'd':
			mode = opt;
			break;
		case 'f':
			d.file = optarg;
			break;
		case 'r':
			if (parse_u32(optarg, &d.reconcile_s) ||
			    d.reconcile_s > 3600) {
				log_info("--reconcile takes 0 (never) to 3600 seconds, not \"%s\"",
					 optarg);
				return EXIT_FAILURE;
			}
			break;
		case 'F':
			d.flush_on_exit = true;
			break;
		case 's':
			d.state_file = optarg;
			break;
		case 'C':
			d.control = optarg;
			break;
		case 'o':
			op = optarg;
			mode = opt;
			break;
		case 'S':
			mode = opt;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (argc - optind > (mode ? 1 : 0)) {
		log_info("unexpected argument \"%s\"", argv[optind]);
		return EXIT_FAILURE;
	}
	if (optind < argc)
		d.file = argv[optind];
	if (mode == 'c')
		return do_check(d.file);
	if (mode == 'd')
		return do_diff(d.file);
	if (mode == 'o' || mode == 'S')
		return do_operator(d.control, op);
	return run(&d);
}
