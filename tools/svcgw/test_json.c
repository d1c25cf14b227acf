// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: host unit tests of json.c, printed as TAP.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

/* A writer on a memory stream. */
struct out {
	struct json j;
	FILE *fp;
	char *buf;
	size_t len;
};

static void out_open(struct out *o, bool pretty)
{
	o->buf = NULL;
	o->fp = open_memstream(&o->buf, &o->len);
	if (!o->fp)
		abort();
	json_init(&o->j, o->fp, pretty);
}

static void out_check(struct out *o, const char *want, const char *name)
{
	fclose(o->fp);
	ok(!strcmp(o->buf, want), "%s", name);
	if (strcmp(o->buf, want))
		printf("# got:  %s# want: %s", o->buf, want);
	free(o->buf);
}

static void service(struct json *j, bool servers)
{
	json_open_object(j, NULL);
	json_str(j, "address", "192.0.2.10");
	json_uint(j, "port", 80);
	json_open_array(j, "servers");
	if (servers) {
		json_open_object(j, NULL);
		json_str(j, "address", "2001:db8::1");
		json_uint(j, "weight", 1);
		json_close_object(j);
	}
	json_close_array(j);
	json_close_object(j);
}

static void test_compact(void)
{
	struct out o;

	out_open(&o, false);
	json_open_array(&o.j, NULL);
	json_close_array(&o.j);
	json_end(&o.j);
	out_check(&o, "[]\n", "empty array");

	out_open(&o, false);
	json_open_array(&o.j, NULL);
	service(&o.j, true);
	service(&o.j, false);
	json_close_array(&o.j);
	json_end(&o.j);
	out_check(&o, "[{\"address\":\"192.0.2.10\",\"port\":80,\"servers\":"
		  "[{\"address\":\"2001:db8::1\",\"weight\":1}]},"
		  "{\"address\":\"192.0.2.10\",\"port\":80,\"servers\":[]}]\n",
		  "compact nesting and commas");

	out_open(&o, false);
	json_open_object(&o.j, NULL);
	json_uint(&o.j, "zero", 0);
	json_uint(&o.j, "max", UINT64_MAX);
	json_close_object(&o.j);
	json_end(&o.j);
	out_check(&o, "{\"zero\":0,\"max\":18446744073709551615}\n",
		  "u64 range");

	out_open(&o, false);
	json_open_object(&o.j, NULL);
	json_bool(&o.j, "yes", true);
	json_bool(&o.j, "no", false);
	json_open_array(&o.j, "list");
	json_bool(&o.j, NULL, false);
	json_close_array(&o.j);
	json_close_object(&o.j);
	json_end(&o.j);
	out_check(&o, "{\"yes\":true,\"no\":false,\"list\":[false]}\n",
		  "booleans");
}

static void test_pretty(void)
{
	struct out o;

	out_open(&o, true);
	json_open_array(&o.j, NULL);
	service(&o.j, true);
	json_close_array(&o.j);
	json_end(&o.j);
	out_check(&o,
		  "[\n"
		  "    {\n"
		  "        \"address\": \"192.0.2.10\",\n"
		  "        \"port\": 80,\n"
		  "        \"servers\": [\n"
		  "            {\n"
		  "                \"address\": \"2001:db8::1\",\n"
		  "                \"weight\": 1\n"
		  "            }\n"
		  "        ]\n"
		  "    }\n"
		  "]\n", "pretty nesting");

	out_open(&o, true);
	json_open_object(&o.j, NULL);
	json_open_array(&o.j, "servers");
	json_close_array(&o.j);
	json_close_object(&o.j);
	json_end(&o.j);
	out_check(&o, "{\n    \"servers\": []\n}\n", "pretty empty array");
}

static void test_escape(void)
{
	struct out o;

	out_open(&o, false);
	json_str(&o.j, NULL, "a\"b\\c/d\n\t\r\b\f\x01\x1f\x7f");
	json_end(&o.j);
	out_check(&o, "\"a\\\"b\\\\c/d\\n\\t\\r\\b\\f\\u0001\\u001f\x7f\"\n",
		  "string escapes");

	out_open(&o, false);
	json_open_object(&o.j, NULL);
	json_str(&o.j, "k\"ey", "caf\xc3\xa9");
	json_close_object(&o.j);
	json_end(&o.j);
	out_check(&o, "{\"k\\\"ey\":\"caf\xc3\xa9\"}\n",
		  "escaped key, UTF-8 passed through");

	out_open(&o, false);
	json_str(&o.j, NULL, "");
	json_end(&o.j);
	out_check(&o, "\"\"\n", "empty string");
}

int main(void)
{
	test_compact();
	test_pretty();
	test_escape();
	return tap_done();
}
