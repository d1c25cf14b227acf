// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the svcgw daemon (Documentation/svcgwd.rst).  This first part
 * reads and checks the declarative file:
 *
 *   svcgwd --check [FILE]     FILE (default /etc/svcgw/svcgwd.conf) is
 *                             read and checked, nothing else is touched:
 *                             exit 0 and a summary, or exit 1 and one line
 *                             "svcgwd: FILE:LINE: message" on stderr
 *
 * The agent (apply, reconcile, health checks), the controller and the
 * control channel come next; until then svcgwd refuses to run as one.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define SVCGWD_CONF	"/etc/svcgw/svcgwd.conf"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: svcgwd --check [FILE]   check FILE (default %s)\n"
		"       svcgwd --help\n", SVCGWD_CONF);
}

static int check(const char *file)
{
	char err[CONF_ERR_MAX];
	struct conf c;
	size_t i, nsrv = 0, nchecked = 0;

	if (conf_load(file, &c, err, sizeof(err))) {
		fprintf(stderr, "svcgwd: %s\n", err);
		return EXIT_FAILURE;
	}
	for (i = 0; i < c.nsvc; i++) {
		size_t j;

		nsrv += c.svc[i].nsrv;
		for (j = 0; j < c.svc[i].nsrv; j++)
			nchecked += c.svc[i].srv[j].check >= 0;
	}
	printf("%s: node %s, %zu services, %zu servers (%zu health-checked), %zu checks\n",
	       file, c.node, c.nsvc, nsrv, nchecked, c.ncheck);
	conf_free(&c);
	return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	bool do_check = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "ch", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			do_check = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "svcgwd: one file at most\n");
		return EXIT_FAILURE;
	}
	if (!do_check) {
		fprintf(stderr, "svcgwd: only --check is implemented so far (the agent and controller are not)\n");
		return EXIT_FAILURE;
	}
	return check(optind < argc ? argv[optind] : SVCGWD_CONF);
}
