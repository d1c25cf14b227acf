/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: the controller role (Documentation/svcgwd.rst, "The
 * controller").  It listens for the node agents on the control channel
 * (chan.h), health-checks the destinations of its policy sets, chooses
 * the active set by condition (cond.h) and pushes it, with a generation,
 * to every node; it watches the nodes' heartbeats and publishes node up
 * and down notices, with a generation of their own, to all of them.  With
 * an ha section it makes and rotates the sync keys and pushes the HA
 * policy (hamsg.h) to every node.
 */
#ifndef SVCGWD_CTL_H
#define SVCGWD_CTL_H

#include <systemd/sd-event.h>

#include <stddef.h>

#include "conf.h"

struct ctl;

/*
 * Start the controller of @c (its listen, nodes and policy_sets) on @ev;
 * @state_file keeps the active set, its generation and digest across
 * restarts (a restart with the same file pushes nothing new); @control
 * (NULL: none) is the operator's socket (ctl_request()).  NULL and a
 * logged reason on failure.
 */
struct ctl *ctl_start(sd_event *ev, const struct conf *c,
		      const char *state_file, const char *control);
/*
 * The file again (SIGHUP): @next, read anew, replaces @cur, the model the
 * controller was started with (ctl_start()'s @c): on success @next's
 * contents move into @cur, where the controller goes on reading them, the
 * old ones are freed and @next is left empty; 0.  -1: nothing changed,
 * @next still the caller's to free.
 */
int ctl_reload(struct ctl *t, struct conf *cur, struct conf *next);
/* Log the counters, one line. */
void ctl_log_counters(const struct ctl *t);
/* The operator's condition of set @name on or off: 0, or -1 (no set). */
int ctl_operator(struct ctl *t, const char *name, bool on);
void ctl_stop(struct ctl *t);
/*
 * The operator's side: send @request (one JSON object) to the controller's
 * socket @path, its answer (one line) into @answer.  0, or -1.
 */
int ctl_request(const char *path, const char *request, char *answer,
		size_t len);

#endif /* SVCGWD_CTL_H */
