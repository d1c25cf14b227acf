// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for kmod/syncmsg.c, two modes by the first byte.
 *
 * 'W' (0x57): the rest drives a replay window against a reference model
 * (the set of sequence numbers received); each 3 bytes are one datagram
 * or a new epoch: window and model must agree on every verdict and on
 * everything an ACK would say, and committing what was refused must
 * change nothing.
 *
 * Anything else: a datagram, exactly the input's size (libFuzzer hands it
 * in a heap buffer of that size: ASan sees any read past it), parsed with
 * the fixed key FUZZ_KEY under key id 1.  What parses must encode back
 * to the same bytes; what the checks before the tag pass must be refused
 * by the tag, or parse, and nothing after.  A datagram refused as forged
 * is parsed again tagged right, so that random bytes reach the records'
 * checks (a fuzzer does not find HMACs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "syncmsg.h"

#define FUZZ_ASSERT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: assertion failed: %s\n",	\
			__FILE__, __LINE__, #c);			\
		abort();						\
	}								\
} while (0)

/* fuzz_seeds.c tags its seeds with the same key: bytes 0 to 31. */
#define FUZZ_KEY_ID	1

static u8 fuzz_key[32];
static unsigned int mac_calls;

static int mac(void *ctx, const u8 *data, size_t len, u8 *tag)
{
	u8 out[EVP_MAX_MD_SIZE];
	struct svcgw_sync_hdr h;
	unsigned int olen = 0;

	(void)ctx;
	mac_calls++;
	FUZZ_ASSERT(svcgw_sync_hdr_decode(data, len, &h) == SVCGW_SYNC_OK);
	if (h.key_id != FUZZ_KEY_ID)
		return -ENOKEY;
	HMAC(EVP_sha256(), fuzz_key, sizeof(fuzz_key), data, len, out, &olen);
	memcpy(tag, out, SVCGW_SYNC_TAG_LEN);
	return 0;
}

/* Encode @m (parsed from @data) again: the same bytes. */
static void reencode(const u8 *data, size_t size,
		     const struct svcgw_sync_msg *m)
{
	struct svcgw_sync_builder b;
	struct svcgw_sync_rec r;
	u8 *out = malloc(size);
	size_t off = 0;
	unsigned int n = 0;
	int len;

	if (m->hdr.type != SVCGW_SYNC_SESSIONS) {
		len = svcgw_sync_encode(out, size, m, mac, NULL);
	} else {
		FUZZ_ASSERT(m->recs.p == data + SVCGW_SYNC_HDR_LEN &&
			    m->recs.len == size - SVCGW_SYNC_MIN_LEN);
		FUZZ_ASSERT(!svcgw_sync_build_init(&b, out, size, &m->hdr));
		while (svcgw_sync_rec_next(m, &off, &r)) {
			FUZZ_ASSERT(!svcgw_sync_build_add(&b, &r));
			n++;
		}
		FUZZ_ASSERT(n == m->hdr.count && off == m->recs.len);
		/* Full: one more record does not fit. */
		FUZZ_ASSERT(svcgw_sync_build_add(&b, &r) == -ENOSPC);
		len = svcgw_sync_build_finish(&b, mac, NULL);
	}
	FUZZ_ASSERT(len >= 0 && (size_t)len == size);
	FUZZ_ASSERT(!memcmp(out, data, size));
	free(out);
}

/* Parse @data: what the verdict says must hold. */
static enum svcgw_sync_verdict parse_one(const u8 *data, size_t size)
{
	struct svcgw_sync_msg m;
	struct svcgw_sync_hdr h;
	enum svcgw_sync_verdict v, hv;

	mac_calls = 0;
	memset(&m, 0x5a, sizeof(m));
	v = svcgw_sync_parse(data, size, mac, NULL, &m);
	FUZZ_ASSERT(v < SVCGW_SYNC_VERDICTS);
	/* The key is asked for only when the checks before it passed. */
	FUZZ_ASSERT(mac_calls ==
		    (v == SVCGW_SYNC_OK || v >= SVCGW_SYNC_NO_KEY));
	/* The header's checks are the header decoder's. */
	hv = svcgw_sync_hdr_decode(data, size, &h);
	if (size < SVCGW_SYNC_MIN_LEN)
		FUZZ_ASSERT(v == SVCGW_SYNC_TRUNCATED);
	else if (hv != SVCGW_SYNC_OK)
		FUZZ_ASSERT(v == hv);
	else
		FUZZ_ASSERT(v == SVCGW_SYNC_OK || v >= SVCGW_SYNC_BAD_LENGTH);
	if (v == SVCGW_SYNC_OK)
		reencode(data, size, &m);
	return v;
}

/*
 * The window by its definition: the set of sequence numbers received, as
 * a flag per number.  Every number up to cum was received once, so cum
 * is at most the number of datagrams, and nothing beyond cum + 256 is
 * received: @cap flags are enough for the input's.
 */
struct model {
	u64	epoch;
	u64	cum;
	u8	*got;
	size_t	cap;
};

static bool model_has(const struct model *m, u64 seq)
{
	return seq <= m->cum || (seq < m->cap && m->got[seq]);
}

static enum svcgw_sync_win_verdict model_check(const struct model *m,
					       u64 epoch, u64 seq)
{
	if (epoch != m->epoch)
		return SVCGW_SYNC_WIN_OTHER_EPOCH;
	if (model_has(m, seq))
		return SVCGW_SYNC_WIN_REPLAYED;
	if (seq - m->cum > SVCGW_SYNC_WINDOW)
		return SVCGW_SYNC_WIN_AHEAD;
	return SVCGW_SYNC_WIN_OK;
}

static void model_commit(struct model *m, u64 seq)
{
	FUZZ_ASSERT(seq < m->cap);
	m->got[seq] = 1;
	while (m->cum + 1 < m->cap && m->got[m->cum + 1])
		m->cum++;
}

static void model_reset(struct model *m, u64 epoch)
{
	memset(m->got, 0, m->cap);
	m->epoch = epoch;
	m->cum = 0;
}

/*
 * What an ACK of @w says is what @m has; and, when @all, each bit of the
 * window (every datagram's verdict checks it too, a bit at a time: the
 * whole of it each time would be most of the fuzzer's time).
 */
static void model_agrees(const struct svcgw_sync_window *w,
			 const struct model *m, bool all)
{
	u64 cum, map, i;

	svcgw_sync_win_ack(w, &cum, &map);
	FUZZ_ASSERT(w->epoch == m->epoch && cum == m->cum);
	for (i = 0; i < (all ? SVCGW_SYNC_WINDOW : 64); i++) {
		bool has = model_has(m, m->cum + 1 + i);

		FUZZ_ASSERT(!!(w->map[i / 64] >> (i % 64) & 1) == has);
		if (i < 64)
			FUZZ_ASSERT(!!(map >> i & 1) == has);
	}
}

/*
 * Each 3 bytes: op, then a 16-bit value.  op bit 7: a new epoch (the
 * value's low 2 bits); else a sequence number around cum (op bit 6: the
 * value as a signed offset from cum + 128; else up to 2^16 ahead, or a
 * wild one when op bit 5 is set too), of the current epoch unless op bit
 * 4 names another (op's low 2 bits).
 */
static void window(const u8 *d, size_t size)
{
	struct svcgw_sync_window w, before;
	enum svcgw_sync_win_verdict v;
	struct model m;
	u64 seq, epoch;
	u16 val;
	size_t i;

	m.cap = size / 3 + SVCGW_SYNC_WINDOW + 2;
	m.got = malloc(m.cap);
	svcgw_sync_win_reset(&w, 0);
	model_reset(&m, 0);
	for (i = 0; i + 3 <= size; i += 3) {
		val = (u16)d[i + 1] << 8 | d[i + 2];
		if (d[i] & 0x80) {
			svcgw_sync_win_reset(&w, val & 3);
			model_reset(&m, val & 3);
			model_agrees(&w, &m, true);
			continue;
		}
		if (d[i] & 0x40)
			seq = m.cum + 128 + (int16_t)val;
		else if (d[i] & 0x20)
			seq = (u64)val << 48 | (u64)val << 16 | d[i];
		else
			seq = m.cum + val;
		epoch = d[i] & 0x10 ? d[i] & 3 : m.epoch;
		v = svcgw_sync_win_check(&w, epoch, seq);
		FUZZ_ASSERT(v == model_check(&m, epoch, seq));
		before = w;
		if (v == SVCGW_SYNC_WIN_OK) {
			FUZZ_ASSERT(svcgw_sync_win_commit(&w, seq));
			model_commit(&m, seq);
			/* Now it is replayed. */
			FUZZ_ASSERT(svcgw_sync_win_check(&w, epoch, seq) ==
				    SVCGW_SYNC_WIN_REPLAYED);
		} else if (v != SVCGW_SYNC_WIN_OTHER_EPOCH) {
			FUZZ_ASSERT(!svcgw_sync_win_commit(&w, seq));
			FUZZ_ASSERT(!memcmp(&w, &before, sizeof(w)));
		}
		model_agrees(&w, &m, i % 48 == 0 || i + 6 > size);
	}
	free(m.got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum svcgw_sync_verdict v;
	u8 *c;
	size_t i;

	for (i = 0; i < sizeof(fuzz_key); i++)
		fuzz_key[i] = i;
	if (size && data[0] == 'W') {
		window(data + 1, size - 1);
		return 0;
	}
	v = parse_one(data, size);
	if (v != SVCGW_SYNC_FORGED)
		return 0;
	/* Tagged right, it passes the tag: only the records may refuse it. */
	c = malloc(size);
	memcpy(c, data, size);
	mac(NULL, c, size - SVCGW_SYNC_TAG_LEN, c + size - SVCGW_SYNC_TAG_LEN);
	v = parse_one(c, size);
	FUZZ_ASSERT(v == SVCGW_SYNC_OK || v == SVCGW_SYNC_BAD_RECORD);
	free(c);
	return 0;
}
