// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of metrics.c: the Prometheus text of a namespace's
 * counters, services and servers.  Every sample line is checked against
 * the exposition format's grammar (metric name, labels with quoted,
 * escaped values, a number), every metric has one HELP and one TYPE line
 * before its samples, and the values are those given.
 */
#include <netinet/in.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/svcgw.h>

#include "metrics.h"
#include "../svcgw/tap.h"

static struct endpoint ep(const char *s)
{
	struct endpoint e;

	if (parse_service_ep(s, &e)) {
		printf("Bail out! bad endpoint %s\n", s);
		exit(1);
	}
	return e;
}

/* How many lines of @page are exactly @line. */
static int count_line(const char *page, const char *line)
{
	size_t n = strlen(line);
	const char *p = page;
	int c = 0;

	while ((p = strstr(p, line))) {
		if ((p == page || p[-1] == '\n') && p[n] == '\n')
			c++;
		p += n;
	}
	return c;
}

/* Every line a comment (HELP or TYPE) or a sample; each metric's TYPE
 * once, before its samples.  The number of samples, or -1.
 */
static int grammar(const char *page, char *why, size_t size)
{
	regex_t sample, help, type;
	char *copy = strdup(page), *line, *save = NULL;
	char seen[64][96];
	int nseen = 0, samples = 0, i, ret = 0;

	regcomp(&sample, "^([a-zA-Z_:][a-zA-Z0-9_:]*)"
		"(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\","
		")*([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\")\\})?"
		" [0-9]+$", REG_EXTENDED);
	regcomp(&help, "^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$", REG_EXTENDED);
	regcomp(&type, "^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$",
		REG_EXTENDED);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		regmatch_t m[2];

		if (!regexec(&type, line, 2, m, 0)) {
			char name[96];

			snprintf(name, sizeof(name), "%.*s",
				 (int)(m[1].rm_eo - m[1].rm_so), line + m[1].rm_so);
			for (i = 0; i < nseen; i++)
				if (!strcmp(seen[i], name)) {
					snprintf(why, size, "TYPE of %s twice", name);
					ret = -1;
				}
			if (nseen < 64)
				strcpy(seen[nseen++], name);
		} else if (!regexec(&help, line, 0, NULL, 0)) {
			continue;
		} else if (!regexec(&sample, line, 2, m, 0)) {
			char name[96];

			snprintf(name, sizeof(name), "%.*s",
				 (int)(m[1].rm_eo - m[1].rm_so), line + m[1].rm_so);
			if (!nseen || strcmp(seen[nseen - 1], name)) {
				snprintf(why, size, "sample of %s not after its TYPE: %s",
					 name, line);
				ret = -1;
			}
			samples++;
		} else {
			snprintf(why, size, "not a line of the format: %s", line);
			ret = -1;
		}
		if (ret)
			break;
	}
	regfree(&sample);
	regfree(&help);
	regfree(&type);
	free(copy);
	return ret ? -1 : samples;
}

int main(void)
{
	struct gw_stat st[] = {
		{ "packets", 1234 }, { "bytes", 99999999999ULL },
		{ "sessions", 7 }, { "services", 2 }, { "sessions_cur", 5 },
		{ "drop_malformed", 0 }, { "pressure", 1 },
		{ "session_mem", 4096 }, { "policy_failover", 18 },
	};
	struct server_info s1[] = {
		{ .ep = ep("198.51.100.11:80"), .weight = 1, .has_state = true,
		  .state = SVCGW_SERVER_ACTIVE, .st = { 10, 1000, 3 } },
		{ .ep = ep("198.51.100.12:8080"), .weight = 5, .has_state = true,
		  .state = SVCGW_SERVER_DRAINING, .st = { 20, 2000, 4 } },
	};
	struct server_info s2[] = {
		{ .ep = ep("[2001:db8::11]:53"), .weight = 2, .has_state = true,
		  .state = SVCGW_SERVER_DOWN, .st = { 1, 2, 0 } },
	};
	struct service_info svc[] = {
		{ .ep = ep("192.0.2.10:80"), .proto = IPPROTO_TCP,
		  .st = { 30, 3000, 7 }, .srv = s1, .nsrv = 2 },
		{ .ep = ep("[2001:db8::10]:53"), .proto = IPPROTO_UDP,
		  .st = { 1, 2, 0 }, .srv = s2, .nsrv = 1 },
	};
	struct service_list l = { .svc = svc, .n = 2 }, none = { 0 };
	char why[256] = "", *page;
	size_t len;
	int n, r;

	ok(grammar("# TYPE a counter\na{b=\"c\"} x\n", why, sizeof(why)) < 0 &&
	   grammar("# TYPE a counter\na{b=c} 1\n", why, sizeof(why)) < 0 &&
	   grammar("a 1\n", why, sizeof(why)) < 0 &&
	   grammar("# TYPE a counter\na{b=\"c\\\"d\"} 1\n", why, sizeof(why)) == 1,
	   "the checker refuses a bad value, an unquoted label, a sample without TYPE; takes an escaped quote");
	why[0] = 0;
	r = metrics_render(st, sizeof(st) / sizeof(st[0]), &l, &page, &len);
	ok(!r && len == strlen(page), "rendered (%zu bytes)", len);
	n = grammar(page, why, sizeof(why));
	/* 9 stats, 3 x 2 services, 4 x 3 servers, 3 states x 3 servers */
	ok(n == 9 + 6 + 12 + 9, "every line of the exposition format, %d samples %s", n, why);
	ok(count_line(page, "svcgw_packets_total 1234") == 1 &&
	   count_line(page, "svcgw_bytes_total 99999999999") == 1 &&
	   count_line(page, "svcgw_sessions_total 7") == 1 &&
	   count_line(page, "svcgw_policy_failover_total 18") == 1 &&
	   count_line(page, "# TYPE svcgw_packets_total counter") == 1,
	   "svcgw stats' event counters: svcgw_NAME_total, counters");
	ok(count_line(page, "svcgw_services 2") == 1 &&
	   count_line(page, "svcgw_sessions_cur 5") == 1 &&
	   count_line(page, "svcgw_pressure 1") == 1 &&
	   count_line(page, "svcgw_session_mem 4096") == 1 &&
	   count_line(page, "# TYPE svcgw_sessions_cur gauge") == 1,
	   "its values now: svcgw_NAME, gauges");
	ok(count_line(page, "svcgw_service_packets_total{service=\"192.0.2.10:80\",proto=\"tcp\"} 30") == 1 &&
	   count_line(page, "svcgw_service_bytes_total{service=\"[2001:db8::10]:53\",proto=\"udp\"} 2") == 1 &&
	   count_line(page, "svcgw_service_sessions_total{service=\"192.0.2.10:80\",proto=\"tcp\"} 7") == 1,
	   "per service, IPv4 and IPv6");
	ok(count_line(page, "svcgw_server_packets_total{service=\"192.0.2.10:80\",proto=\"tcp\",server=\"198.51.100.12:8080\"} 20") == 1 &&
	   count_line(page, "svcgw_server_weight{service=\"192.0.2.10:80\",proto=\"tcp\",server=\"198.51.100.12:8080\"} 5") == 1 &&
	   count_line(page, "svcgw_server_sessions_total{service=\"[2001:db8::10]:53\",proto=\"udp\",server=\"[2001:db8::11]:53\"} 0") == 1,
	   "per server: counters and weight");
	ok(count_line(page, "svcgw_server_state{service=\"192.0.2.10:80\",proto=\"tcp\",server=\"198.51.100.12:8080\",state=\"draining\"} 1") == 1 &&
	   count_line(page, "svcgw_server_state{service=\"192.0.2.10:80\",proto=\"tcp\",server=\"198.51.100.12:8080\",state=\"active\"} 0") == 1 &&
	   count_line(page, "svcgw_server_state{service=\"[2001:db8::10]:53\",proto=\"udp\",server=\"[2001:db8::11]:53\",state=\"down\"} 1") == 1 &&
	   count_line(page, "svcgw_server_state{service=\"192.0.2.10:80\",proto=\"tcp\",server=\"198.51.100.11:80\",state=\"active\"} 1") == 1,
	   "server state: one sample a state, 1 for the server's");
	free(page);

	ok(!metrics_render(st, 2, &none, &page, &len) &&
	   grammar(page, why, sizeof(why)) == 2 &&
	   count_line(page, "# TYPE svcgw_server_state gauge") == 1,
	   "no service: the counters, each metric's HELP and TYPE, no sample of services (%s)",
	   why);
	free(page);
	return tap_done();
}
