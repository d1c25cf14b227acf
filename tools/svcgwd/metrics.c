// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the Prometheus text format of the kernel's counters (metrics.h).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/svcgw.h>

#include "metrics.h"

/* The counters of "svcgw stats" that are values now, not sums. */
static const char *const gauges[] = {
	"services", "sessions_cur", "pressure", "session_mem",
};

static bool is_gauge(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
		if (!strcmp(gauges[i], name))
			return true;
	return false;
}

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

static const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" :
	       "other";
}

static void svc_labels(FILE *f, const struct service_info *s)
{
	char buf[EP_STRLEN];

	fputs("{service=\"", f);
	label(f, format_ep(&s->ep, buf, sizeof(buf)));
	fprintf(f, "\",proto=\"%s\"", proto_name(s->proto));
}

static void srv_labels(FILE *f, const struct service_info *s,
		       const struct server_info *v)
{
	char buf[EP_STRLEN];

	svc_labels(f, s);
	fputs(",server=\"", f);
	label(f, format_ep(&v->ep, buf, sizeof(buf)));
	fputc('"', f);
}

static void head(FILE *f, const char *name, const char *type,
		 const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One counter of every service (@which: 0 packets, 1 bytes, 2 sessions). */
static void per_service(FILE *f, const struct service_list *l, int which,
			const char *name, const char *help)
{
	size_t i;

	head(f, name, "counter", help);
	for (i = 0; i < l->n; i++) {
		const struct gw_counters *c = &l->svc[i].st;

		fputs(name, f);
		svc_labels(f, &l->svc[i]);
		fprintf(f, "} %" PRIu64 "\n", which == 0 ? c->packets :
			which == 1 ? c->bytes : c->sessions);
	}
}

static void per_server(FILE *f, const struct service_list *l, int which,
		       const char *name, const char *type, const char *help)
{
	size_t i, j;

	head(f, name, type, help);
	for (i = 0; i < l->n; i++)
		for (j = 0; j < l->svc[i].nsrv; j++) {
			const struct server_info *v = &l->svc[i].srv[j];

			fputs(name, f);
			srv_labels(f, &l->svc[i], v);
			fprintf(f, "} %" PRIu64 "\n", which == 0 ?
				v->st.packets : which == 1 ? v->st.bytes :
				which == 2 ? v->st.sessions :
				(uint64_t)v->weight);
		}
}

int metrics_render(const struct gw_stat *st, size_t nst,
		   const struct service_list *l, char **buf, size_t *len)
{
	static const struct {
		uint8_t state;
		const char *name;
	} states[] = {
		{ SVCGW_SERVER_ACTIVE, "active" },
		{ SVCGW_SERVER_DRAINING, "draining" },
		{ SVCGW_SERVER_DOWN, "down" },
	};
	FILE *f;
	size_t i, j, k;

	*buf = NULL;
	*len = 0;
	f = open_memstream(buf, len);
	if (!f)
		return -1;
	for (i = 0; i < nst; i++) {
		bool gauge = is_gauge(st[i].name);
		char name[96], help[128];

		snprintf(name, sizeof(name), "svcgw_%s%s", st[i].name,
			 gauge ? "" : "_total");
		snprintf(help, sizeof(help), "%s of \"svcgw stats\" (the namespace)",
			 st[i].name);
		head(f, name, gauge ? "gauge" : "counter", help);
		fprintf(f, "%s %" PRIu64 "\n", name, st[i].value);
	}
	per_service(f, l, 0, "svcgw_service_packets_total",
		    "Packets from clients to the service");
	per_service(f, l, 1, "svcgw_service_bytes_total",
		    "Bytes from clients to the service");
	per_service(f, l, 2, "svcgw_service_sessions_total",
		    "Sessions the service made");
	per_server(f, l, 0, "svcgw_server_packets_total", "counter",
		   "Packets from clients sent to the server");
	per_server(f, l, 1, "svcgw_server_bytes_total", "counter",
		   "Bytes from clients sent to the server");
	per_server(f, l, 2, "svcgw_server_sessions_total", "counter",
		   "Sessions made to the server");
	per_server(f, l, 3, "svcgw_server_weight", "gauge",
		   "The server's weight in its service's table");
	head(f, "svcgw_server_state", "gauge",
	     "1 for the server's state (active, draining, down), 0 for the others");
	for (i = 0; i < l->n; i++)
		for (j = 0; j < l->svc[i].nsrv; j++) {
			const struct server_info *v = &l->svc[i].srv[j];
			uint8_t now = v->has_state ? v->state :
				      SVCGW_SERVER_ACTIVE;

			for (k = 0; k < sizeof(states) / sizeof(states[0]);
			     k++) {
				fputs("svcgw_server_state", f);
				srv_labels(f, &l->svc[i], v);
				fprintf(f, ",state=\"%s\"} %d\n", states[k].name,
					now == states[k].state);
			}
		}
	if (fclose(f)) {
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return 0;
}
