// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw_stall: a test-only module that stalls one function of svcgw for a
 * while, each time it is called, through a kprobe.  Races whose window is
 * a few instructions wide on a real machine (a reply between its two
 * endpoint lookups while a server moves between tables) are hit at once,
 * so that a test can show they are closed.  Never loaded outside tests.
 *
 *   insmod svcgw_stall.ko symbol=svcgw_retired_lookup_rcu stall_us=2000
 *   cat /sys/module/svcgw_stall/parameters/hits
 */
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/delay.h>
#include <linux/atomic.h>

static char *symbol = "svcgw_retired_lookup_rcu";
module_param(symbol, charp, 0444);
MODULE_PARM_DESC(symbol, "function to stall on entry");

static unsigned int stall_us = 2000;
module_param(stall_us, uint, 0644);
MODULE_PARM_DESC(stall_us, "busy wait on each entry, microseconds (max 20000)");

static atomic_t hits = ATOMIC_INIT(0);
module_param_named(hits, hits.counter, int, 0444);
MODULE_PARM_DESC(hits, "entries stalled so far");

static int stall_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned int us = min(READ_ONCE(stall_us), 20000U);

	atomic_inc(&hits);
	/* Any context, preemption off: busy wait, in slices udelay() takes. */
	while (us) {
		unsigned int d = min(us, 1000U);

		udelay(d);
		us -= d;
	}
	return 0;
}

static struct kprobe stall_kp = {
	.pre_handler = stall_pre,
};

static int __init svcgw_stall_init(void)
{
	int err;

	stall_kp.symbol_name = symbol;
	err = register_kprobe(&stall_kp);
	if (err)
		pr_err("svcgw_stall: cannot probe %s: %d\n", symbol, err);
	return err;
}

static void __exit svcgw_stall_exit(void)
{
	unregister_kprobe(&stall_kp);
}

module_init(svcgw_stall_init);
module_exit(svcgw_stall_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("svcgw selftests: stall a function through a kprobe");
