// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: command line tool of the svcgw Layer-4 load balancer.
 *
 *	svcgw [OPTIONS] OBJECT [COMMAND] [ARGS]
 *	svcgw [OPTIONS] -b FILE [--replace]
 *
 * Every argument is checked before anything is sent to the kernel.
 * The exit status is 0 on success and 1 on any error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/svcgw.h>

#include "nl.h"
#include "svcgw.h"

static bool is_opt(const char *arg, const char *s, const char *l)
{
	return !strcmp(arg, s) || !strcmp(arg, l) || !strcmp(arg, l + 1);
}

static const char *batch_file;
static bool batch_replace;

/* Global options; returns how many arguments they took, or -1. */
static int parse_opts(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc && argv[i][0] == '-'; i++) {
		if (is_opt(argv[i], "-b", "--batch")) {
			if (++i == argc) {
				pr_err("missing FILE after \"%s\"", argv[i - 1]);
				return -1;
			}
			batch_file = argv[i];
		} else if (!strcmp(argv[i], "--replace")) {
			batch_replace = true;
		} else if (is_opt(argv[i], "-j", "--json")) {
			opts.json = true;
		} else if (is_opt(argv[i], "-p", "--pretty")) {
			opts.pretty = true;
		} else if (is_opt(argv[i], "-V", "--version")) {
			printf("svcgw %s (generic netlink family \"%s\" version %d)\n",
			       SVCGW_TOOL_VERSION, SVCGW_GENL_NAME,
			       SVCGW_GENL_VERSION);
			exit(EXIT_SUCCESS);
		} else if (is_opt(argv[i], "-h", "--help")) {
			svcgw_usage(stdout);
			exit(EXIT_SUCCESS);
		} else {
			pr_err("unknown option \"%s\", try \"svcgw help\"",
			       argv[i]);
			return -1;
		}
	}
	return i;
}

int main(int argc, char **argv)
{
	int n, err;

	n = parse_opts(argc - 1, argv + 1);
	if (n < 0)
		return EXIT_FAILURE;
	argc -= n + 1;
	argv += n + 1;
	if (batch_replace && !batch_file) {
		pr_err("--replace is for a batch (-b FILE)");
		return EXIT_FAILURE;
	}
	if (batch_file) {
		if (argc) {
			pr_err("unexpected argument \"%s\" after -b FILE",
			       argv[0]);
			return EXIT_FAILURE;
		}
		err = run_batch(batch_file, batch_replace);
		gw_close();
		if (fflush(stdout) || ferror(stdout)) {
			pr_err("cannot write the output");
			return EXIT_FAILURE;
		}
		return err < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	if (!argc) {
		svcgw_usage(stderr);
		return EXIT_FAILURE;
	}
	err = svcgw_dispatch(argc, argv);
	gw_close();
	if (fflush(stdout) || ferror(stdout)) {
		pr_err("cannot write the output");
		return EXIT_FAILURE;
	}
	return err < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
