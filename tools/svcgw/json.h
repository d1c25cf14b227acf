/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgw: a tiny streaming JSON writer.
 *
 * Values inside an object take a key, values inside an array or at the
 * top take a NULL key.  Pretty output indents by four spaces.
 */
#ifndef SVCGW_JSON_H
#define SVCGW_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_DEPTH_MAX	8

struct json {
	FILE *fp;
	bool pretty;
	int depth;
	bool filled[JSON_DEPTH_MAX];	/* the open container has a value */
};

void json_init(struct json *j, FILE *fp, bool pretty);
void json_end(struct json *j);
void json_open_object(struct json *j, const char *key);
void json_close_object(struct json *j);
void json_open_array(struct json *j, const char *key);
void json_close_array(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_uint(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, bool val);

#endif /* SVCGW_JSON_H */
