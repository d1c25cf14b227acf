// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the control channel's framing (chan_parse() in
 * chan.c): any byte stream from peer "fwd1" gives messages that are JSON
 * objects of "fwd1" with seq 1, 2, 3, ... each taken whole from the
 * stream, then at most one error or an incomplete rest; a message framed
 * again by chan_frame() parses back to the same.  ASan and UBSan watch
 * the rest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t seq = 0, seq2;
	size_t off = 0, used, used2, len;
	char why[160];
	json_t *m, *m2;
	uint8_t *b;
	int r;

	for (;;) {
		m = NULL;
		r = chan_parse(data + off, size - off, "fwd1", &seq, &m, &used,
			       why, sizeof(why));
		if (r != CHAN_OK) {
			if (m || (r != CHAN_AGAIN && !why[0]))
				abort();
			return 0;
		}
		if (used < 4 || used > size - off || !json_is_object(m) ||
		    strcmp(json_string_value(json_object_get(m, "node")),
			   "fwd1") ||
		    json_integer_value(json_object_get(m, "seq")) !=
		    (json_int_t)seq)
			abort();
		off += used;
		/* Framed again, it parses back. */
		if (chan_frame(m, seq, "fwd1", &b, &len) == CHAN_OK) {
			seq2 = seq - 1;
			m2 = NULL;
			if (chan_parse(b, len, "fwd1", &seq2, &m2, &used2, why,
				       sizeof(why)) != CHAN_OK ||
			    used2 != len || seq2 != seq || !json_equal(m, m2))
				abort();
			json_decref(m2);
			free(b);
		}
		json_decref(m);
	}
}
