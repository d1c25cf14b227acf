/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: a policy set of the controller's file as the set file of
 * "svcgw policy replace" (tools/svcgw/policy.c), which the agent hands to
 * the kernel, and the digest that tells two contents apart.  Pure: the
 * unit tests link it with conf.c.
 */
#ifndef SVCGWD_PUSH_H
#define SVCGWD_PUSH_H

#include <stdint.h>

#include "conf.h"

#define PUSH_DIGEST_LEN	65	/* SHA-256 in hex, with the NUL */

/*
 * The set file of @c's set @ps with generation @gen (0: none) and the
 * reason @why (NULL: none; kept to one line), malloc'd; NULL when out of
 * memory.
 */
char *push_text(const struct conf *c, const struct conf_pset *ps,
		uint64_t gen, const char *why);

/* SHA-256 of the set's content (no generation, no reason), in hex. */
int push_digest(const struct conf *c, const struct conf_pset *ps,
		char digest[PUSH_DIGEST_LEN]);

#endif /* SVCGWD_PUSH_H */
