// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: a tiny streaming JSON writer.
 *
 * Strings are written as given (UTF-8 is passed through); quotes,
 * backslashes and control characters are escaped.  Nesting deeper than
 * JSON_DEPTH_MAX levels is a bug of the caller and aborts.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "json.h"

void json_init(struct json *j, FILE *fp, bool pretty)
{
	j->fp = fp;
	j->pretty = pretty;
	j->depth = 0;
	j->filled[0] = false;
}

/* End the document with a newline. */
void json_end(struct json *j)
{
	fputc('\n', j->fp);
}

static void json_escape(struct json *j, const char *s)
{
	unsigned char c;

	fputc('"', j->fp);
	for (; (c = *s); s++) {
		switch (c) {
		case '"':
			fputs("\\\"", j->fp);
			break;
		case '\\':
			fputs("\\\\", j->fp);
			break;
		case '\b':
			fputs("\\b", j->fp);
			break;
		case '\f':
			fputs("\\f", j->fp);
			break;
		case '\n':
			fputs("\\n", j->fp);
			break;
		case '\r':
			fputs("\\r", j->fp);
			break;
		case '\t':
			fputs("\\t", j->fp);
			break;
		default:
			if (c < 0x20)
				fprintf(j->fp, "\\u%04x", c);
			else
				fputc(c, j->fp);
		}
	}
	fputc('"', j->fp);
}

static void json_indent(struct json *j, int depth)
{
	fputc('\n', j->fp);
	while (depth-- > 0)
		fputs("    ", j->fp);
}

/* Separator, indentation and key that come before any value. */
static void json_prefix(struct json *j, const char *key)
{
	bool *filled = &j->filled[j->depth];

	if (*filled)
		fputc(',', j->fp);
	*filled = true;
	if (j->pretty && j->depth)
		json_indent(j, j->depth);
	if (key) {
		json_escape(j, key);
		fputs(j->pretty ? ": " : ":", j->fp);
	}
}

static void json_open(struct json *j, const char *key, char bracket)
{
	json_prefix(j, key);
	fputc(bracket, j->fp);
	if (++j->depth >= JSON_DEPTH_MAX)
		abort();
	j->filled[j->depth] = false;
}

static void json_close(struct json *j, char bracket)
{
	bool filled = j->filled[j->depth];

	if (!j->depth)
		abort();
	j->depth--;
	if (j->pretty && filled)
		json_indent(j, j->depth);
	fputc(bracket, j->fp);
}

void json_open_object(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_close_object(struct json *j)
{
	json_close(j, '}');
}

void json_open_array(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_close_array(struct json *j)
{
	json_close(j, ']');
}

void json_str(struct json *j, const char *key, const char *val)
{
	json_prefix(j, key);
	json_escape(j, val);
}

void json_uint(struct json *j, const char *key, uint64_t val)
{
	json_prefix(j, key);
	fprintf(j->fp, "%" PRIu64, val);
}

void json_bool(struct json *j, const char *key, bool val)
{
	json_prefix(j, key);
	fputs(val ? "true" : "false", j->fp);
}
