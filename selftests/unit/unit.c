// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the pure parts of svcgw (kmod/), TAP on stdout. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "unit.h"

#define UNIT_TIMEOUT	60	/* seconds; a run takes about one */

static void timeout(int sig)
{
	static const char msg[] = "\nBail out! timed out (a loop that never ends?)\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(2);
}

int main(void)
{
	signal(SIGALRM, timeout);
	alarm(UNIT_TIMEOUT);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# svcgw unit tests, seed %#llx (set UNIT_SEED to change)\n",
	       tap_seed());
	test_prime();
	test_maglev();
	test_hash();
	test_pkt();
	test_pkt6();
	test_state();
	test_sesskey();
	test_twin();
	test_pmatch();
	test_tunnel();
	test_syncmsg();
	return tap_done();
}
