/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: the accuracy of its sd-event timers.  An accuracy of 0 is not
 * "exact" but sd-event's default, 250 ms, by which a timer may fire late
 * so that wake-ups coalesce: a probe's deadline (300 ms) would then often
 * fall after the next probe (every 500 ms), a 200 ms heartbeat would go
 * out 450 ms apart.  Every timer whose time matters asks for 1 ms.
 */
#ifndef SVCGWD_TIMER_H
#define SVCGWD_TIMER_H

#define TIMER_ACCURACY_USEC	1000ULL

#endif /* SVCGWD_TIMER_H */
