/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: one line per event on stderr ("svcgwd: ..."), which systemd's
 * journal keeps.
 */
#ifndef SVCGWD_LOG_H
#define SVCGWD_LOG_H

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* SVCGWD_LOG_H */
