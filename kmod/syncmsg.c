// SPDX-License-Identifier: GPL-2.0
/*
 * The sync channel's datagrams encoded and parsed, and the receiver's
 * replay window (syncmsg.h has the format).  Pure (pure.h only).
 *
 * Every field is read and written a byte at a time: a datagram's fields
 * are not aligned (records of 40 and 88 bytes, IPv4 endpoints of 6), and
 * byte access needs no unaligned helper on either side of the build.
 */
#include "syncmsg.h"

static inline u16 get16(const u8 *p)
{
	return (u16)p[0] << 8 | p[1];
}

static inline u32 get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline u64 get64(const u8 *p)
{
	return (u64)get32(p) << 32 | get32(p + 4);
}

static inline void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void put32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline void put64(u8 *p, u64 v)
{
	put32(p, v >> 32);
	put32(p + 4, v);
}

/*
 * What a header must hold whatever its type, but its count (the encoders
 * compute it, the parser checks it against the type): no flags are
 * defined yet, and node ids start at 1.  Shared by both sides so that
 * whatever is encoded parses.
 */
static bool hdr_fields_ok(const struct svcgw_sync_hdr *h)
{
	return !h->flags && h->sender && h->receiver;
}

static bool type_ok(u8 type)
{
	return type >= SVCGW_SYNC_HELLO && type <= SVCGW_SYNC_BULK_END;
}

/*
 * The header at @p (@len bytes there) into @h: SVCGW_SYNC_OK, or the
 * first thing wrong with it in the order of svcgw_sync_parse().  Checks
 * the header alone: not the body, not the tag.
 */
enum svcgw_sync_verdict svcgw_sync_hdr_decode(const u8 *p, size_t len,
					      struct svcgw_sync_hdr *h)
{
	if (len < SVCGW_SYNC_HDR_LEN)
		return SVCGW_SYNC_TRUNCATED;
	if (get16(p) != SVCGW_SYNC_MAGIC)
		return SVCGW_SYNC_BAD_MAGIC;
	if (p[2] != SVCGW_SYNC_VERSION)
		return SVCGW_SYNC_BAD_VERSION;
	if (!type_ok(p[3]))
		return SVCGW_SYNC_BAD_TYPE;
	h->type = p[3];
	h->flags = get16(p + 4);
	h->count = get16(p + 6);
	h->sender = get32(p + 8);
	h->receiver = get32(p + 12);
	h->key_id = get32(p + 16);
	h->epoch = get64(p + 24);
	h->seq = get64(p + 32);
	if (!hdr_fields_ok(h) || get32(p + 20))
		return SVCGW_SYNC_BAD_FIELD;
	/* Only SESSIONS counts, and it carries at least one record. */
	if (h->type == SVCGW_SYNC_SESSIONS ? !h->count : h->count)
		return SVCGW_SYNC_BAD_FIELD;
	return SVCGW_SYNC_OK;
}

/* The SVCGW_SYNC_HDR_LEN bytes of @h at @p, as they are. */
void svcgw_sync_hdr_encode(u8 *p, const struct svcgw_sync_hdr *h)
{
	put16(p, SVCGW_SYNC_MAGIC);
	p[2] = SVCGW_SYNC_VERSION;
	p[3] = h->type;
	put16(p + 4, h->flags);
	put16(p + 6, h->count);
	put32(p + 8, h->sender);
	put32(p + 12, h->receiver);
	put32(p + 16, h->key_id);
	put32(p + 20, 0);
	put64(p + 24, h->epoch);
	put64(p + 32, h->seq);
}

static bool rec_ok(const struct svcgw_sync_rec *r)
{
	return (r->op == SVCGW_SYNC_OP_UPDATE ||
		r->op == SVCGW_SYNC_OP_DELETE) &&
	       (r->family == AF_INET || r->family == AF_INET6) &&
	       (r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP) &&
	       !(r->flags & ~SVCGW_SYNC_REC_FLAGS);
}

/*
 * The record at @p (@len bytes there, at least its own) into @r: its size,
 * -EMSGSIZE if @len cuts it, -EINVAL if a field is wrong (an unknown op,
 * family, protocol or flag, a pad that is not 0, a full NAT endpoint
 * without the flag).  Unused address bytes of an IPv4 record are 0 in @r.
 */
int svcgw_sync_rec_decode(const u8 *p, size_t len, struct svcgw_sync_rec *r)
{
	size_t size, alen, off = SVCGW_SYNC_REC_HEAD;
	int i;

	if (len < 2)
		return -EMSGSIZE;
	size = svcgw_sync_rec_len(p[1]);
	if (!size)
		return -EINVAL;
	if (len < size)
		return -EMSGSIZE;
	alen = p[1] == 4 ? 4 : 16;
	memset(r, 0, sizeof(*r));
	r->op = p[0];
	r->family = p[1] == 4 ? AF_INET : AF_INET6;
	r->proto = p[2];
	r->state = p[3];
	r->flags = get16(p + 4);
	r->fin = p[6];
	r->origin = get32(p + 8);
	r->timeout_ms = get32(p + 12);
	for (i = 0; i < SVCGW_SYNC_EPS; i++) {
		memcpy(r->ep[i].addr.b, p + off, alen);
		memcpy(&r->ep[i].port, p + off + alen, 2);
		off += alen + 2;
	}
	if (!rec_ok(r) || p[7])
		return -EINVAL;
	/* Zero unless flagged: one encoding per record, nothing stale sent. */
	if (!(r->flags & SVCGW_SYNC_REC_FULLNAT)) {
		for (i = 0; i < (int)alen + 2; i++)
			if (p[size - alen - 2 + i])
				return -EINVAL;
	}
	return size;
}

/*
 * @r at @p (@cap bytes there): its size, -ENOSPC if it does not fit,
 * -EINVAL if svcgw_sync_rec_decode() would refuse it.  What the record
 * does not carry is not written from @r: address bytes beyond an IPv4
 * one, the full NAT endpoint without the flag (zeros instead).
 */
int svcgw_sync_rec_encode(u8 *p, size_t cap, const struct svcgw_sync_rec *r)
{
	bool v4 = r->family == AF_INET;
	size_t size = v4 ? SVCGW_SYNC_REC4_LEN : SVCGW_SYNC_REC6_LEN;
	size_t alen = v4 ? 4 : 16, off = SVCGW_SYNC_REC_HEAD;
	int i;

	if (!rec_ok(r))
		return -EINVAL;
	if (cap < size)
		return -ENOSPC;
	p[0] = r->op;
	p[1] = v4 ? 4 : 6;
	p[2] = r->proto;
	p[3] = r->state;
	put16(p + 4, r->flags);
	p[6] = r->fin;
	p[7] = 0;
	put32(p + 8, r->origin);
	put32(p + 12, r->timeout_ms);
	for (i = 0; i < SVCGW_SYNC_EPS; i++) {
		if (i == SVCGW_SYNC_EP_FULLNAT &&
		    !(r->flags & SVCGW_SYNC_REC_FULLNAT)) {
			memset(p + off, 0, alen + 2);
			break;
		}
		memcpy(p + off, r->ep[i].addr.b, alen);
		memcpy(p + off + alen, &r->ep[i].port, 2);
		off += alen + 2;
	}
	return size;
}

/*
 * The record at offset *@off of the records of @m (a SESSIONS datagram
 * that svcgw_sync_parse() accepted) into @r, and *@off past it; false at
 * the end.  Start with *@off 0.
 */
bool svcgw_sync_rec_next(const struct svcgw_sync_msg *m, size_t *off,
			 struct svcgw_sync_rec *r)
{
	int n;

	if (*off >= m->recs.len)
		return false;
	n = svcgw_sync_rec_decode(m->recs.p + *off, m->recs.len - *off, r);
	if (n < 0)
		return false;
	*off += n;
	return true;
}

/*
 * Whether the @n bytes at @a and @b are equal, in a time that does not
 * depend on where they differ: no early exit, so that a forger cannot
 * learn a tag a byte at a time from how long a refusal takes.
 */
static bool equal_ct(const u8 *a, const u8 *b, size_t n)
{
	u8 d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return !d;
}

/*
 * Whether the body of a SESSIONS datagram (@len bytes at @p) is exactly
 * @count records: each one's size is in its family byte, so walk them.
 * An unknown family leaves the rest unmeasurable: a length error too.
 */
static bool recs_fit(const u8 *p, size_t len, u16 count)
{
	size_t off = 0, size;
	u32 i;

	for (i = 0; i < count; i++) {
		if (len - off < 2)
			return false;
		size = svcgw_sync_rec_len(p[off + 1]);
		if (!size || len - off < size)
			return false;
		off += size;
	}
	return off == len;
}

/*
 * Check the datagram of @len bytes at @buf and decode it into @m: the
 * first check that fails is the verdict (enum svcgw_sync_verdict, in its
 * order).  The tag is checked after everything that needs no key, the
 * records after the tag: a forger learns nothing of how they are read.
 * @mac computes the tag (syncmsg.h); a failure of it is SVCGW_SYNC_NO_KEY.
 * A SESSIONS datagram's records are read with svcgw_sync_rec_next(): @m
 * points into @buf.  Never reads outside @buf.
 */
enum svcgw_sync_verdict
svcgw_sync_parse(const u8 *buf, size_t len,
		 int (*mac)(void *ctx, const u8 *data, size_t len, u8 *tag),
		 void *ctx, struct svcgw_sync_msg *m)
{
	const u8 *body = buf + SVCGW_SYNC_HDR_LEN;
	u8 tag[SVCGW_SYNC_TAG_LEN];
	enum svcgw_sync_verdict v;
	struct svcgw_sync_rec r;
	size_t blen, off;
	int n;

	if (len < SVCGW_SYNC_MIN_LEN)
		return SVCGW_SYNC_TRUNCATED;
	v = svcgw_sync_hdr_decode(buf, len, &m->hdr);
	if (v != SVCGW_SYNC_OK)
		return v;
	blen = len - SVCGW_SYNC_MIN_LEN;
	if (m->hdr.type == SVCGW_SYNC_SESSIONS) {
		if (!recs_fit(body, blen, m->hdr.count))
			return SVCGW_SYNC_BAD_LENGTH;
	} else if (blen != (size_t)svcgw_sync_body_len(m->hdr.type)) {
		return SVCGW_SYNC_BAD_LENGTH;
	}

	if (mac(ctx, buf, len - SVCGW_SYNC_TAG_LEN, tag))
		return SVCGW_SYNC_NO_KEY;
	if (!equal_ct(tag, buf + len - SVCGW_SYNC_TAG_LEN, SVCGW_SYNC_TAG_LEN))
		return SVCGW_SYNC_FORGED;

	switch (m->hdr.type) {
	case SVCGW_SYNC_HELLO:
	case SVCGW_SYNC_NONCE:
		memcpy(m->req_id, body, SVCGW_SYNC_REQID_LEN);
		break;
	case SVCGW_SYNC_ACK:
		m->ack.cum = get64(body);
		m->ack.map = get64(body + 8);
		break;
	case SVCGW_SYNC_BULK_END:
		m->bulk_records = get64(body);
		break;
	case SVCGW_SYNC_SESSIONS:
		m->recs.p = body;
		m->recs.len = blen;
		for (off = 0; off < blen; off += n) {
			n = svcgw_sync_rec_decode(body + off, blen - off, &r);
			if (n < 0)
				return SVCGW_SYNC_BAD_RECORD;
		}
		break;
	}
	return SVCGW_SYNC_OK;
}

/* The tag of the @len bytes at @buf, after them. */
static int put_tag(u8 *buf, size_t len,
		   int (*mac)(void *ctx, const u8 *data, size_t len, u8 *tag),
		   void *ctx)
{
	int err = mac(ctx, buf, len, buf + len);

	if (err)
		return err < 0 ? err : -EINVAL;
	return len + SVCGW_SYNC_TAG_LEN;
}

/*
 * A datagram of a type with a fixed body (every type but SESSIONS: use a
 * builder) from @m, into @buf (@cap bytes): its length; -ENOSPC if it
 * does not fit, -EINVAL if @m would not parse, the callback's error.
 * The count is written 0 whatever @m->hdr.count is.
 */
int svcgw_sync_encode(u8 *buf, size_t cap, const struct svcgw_sync_msg *m,
		      int (*mac)(void *ctx, const u8 *data, size_t len,
				 u8 *tag),
		      void *ctx)
{
	struct svcgw_sync_hdr h = m->hdr;
	u8 *body = buf + SVCGW_SYNC_HDR_LEN;
	int blen = svcgw_sync_body_len(h.type);

	if (!type_ok(h.type) || h.type == SVCGW_SYNC_SESSIONS ||
	    !hdr_fields_ok(&h))
		return -EINVAL;
	if (cap < SVCGW_SYNC_MIN_LEN + (size_t)blen)
		return -ENOSPC;
	h.count = 0;
	svcgw_sync_hdr_encode(buf, &h);
	switch (h.type) {
	case SVCGW_SYNC_HELLO:
	case SVCGW_SYNC_NONCE:
		memcpy(body, m->req_id, SVCGW_SYNC_REQID_LEN);
		break;
	case SVCGW_SYNC_ACK:
		put64(body, m->ack.cum);
		put64(body + 8, m->ack.map);
		break;
	case SVCGW_SYNC_BULK_END:
		put64(body, m->bulk_records);
		break;
	}
	return put_tag(buf, SVCGW_SYNC_HDR_LEN + blen, mac, ctx);
}

/*
 * Start a SESSIONS datagram in @buf (@cap bytes, the tag's included: the
 * path MTU less the IP and UDP headers) with the header @h (its type must
 * be SESSIONS; the count is the builder's).  0, -EINVAL for a header that
 * would not parse, -ENOSPC if @cap cannot hold a header and a tag.
 */
int svcgw_sync_build_init(struct svcgw_sync_builder *b, u8 *buf, size_t cap,
			  const struct svcgw_sync_hdr *h)
{
	if (h->type != SVCGW_SYNC_SESSIONS || !hdr_fields_ok(h))
		return -EINVAL;
	if (cap < SVCGW_SYNC_MIN_LEN)
		return -ENOSPC;
	b->hdr = *h;
	b->hdr.count = 0;
	b->buf = buf;
	b->cap = cap;
	b->len = SVCGW_SYNC_HDR_LEN;
	return 0;
}

/*
 * Add @r: 0; -ENOSPC when it does not fit with the tag (or the count is
 * full), the datagram as it was; -EINVAL for a record that would not
 * parse.
 */
int svcgw_sync_build_add(struct svcgw_sync_builder *b,
			 const struct svcgw_sync_rec *r)
{
	int n;

	if (b->hdr.count == 0xffff)
		return -ENOSPC;
	n = svcgw_sync_rec_encode(b->buf + b->len,
				  b->cap - SVCGW_SYNC_TAG_LEN - b->len, r);
	if (n < 0)
		return n;
	b->len += n;
	b->hdr.count++;
	return 0;
}

/*
 * Write the header (from @b->hdr, with the count) and the tag: the
 * datagram's length; -ENODATA without a record (a SESSIONS datagram has
 * one at least), -EINVAL if @b->hdr was made unparsable since the init,
 * or the callback's error.  The builder may be finished again (after a
 * change of its header, say); records cannot be added once finished.
 */
int svcgw_sync_build_finish(struct svcgw_sync_builder *b,
			    int (*mac)(void *ctx, const u8 *data, size_t len,
				       u8 *tag),
			    void *ctx)
{
	if (!b->hdr.count)
		return -ENODATA;
	if (b->hdr.type != SVCGW_SYNC_SESSIONS || !hdr_fields_ok(&b->hdr))
		return -EINVAL;
	svcgw_sync_hdr_encode(b->buf, &b->hdr);
	return put_tag(b->buf, b->len, mac, ctx);
}

/* A new epoch: nothing of it received (its first sequence number is 1). */
void svcgw_sync_win_reset(struct svcgw_sync_window *w, u64 epoch)
{
	memset(w, 0, sizeof(*w));
	w->epoch = epoch;
}

/*
 * Whether @w accepts sequence number @seq of @epoch: a datagram is
 * checked before its tag is (cheap refusals first) and committed after
 * (a forged one must not move the window).  Differences, not sums, so
 * that no value of @seq wraps.
 */
enum svcgw_sync_win_verdict
svcgw_sync_win_check(const struct svcgw_sync_window *w, u64 epoch, u64 seq)
{
	u64 d;

	if (epoch != w->epoch)
		return SVCGW_SYNC_WIN_OTHER_EPOCH;
	if (seq <= w->cum)
		return SVCGW_SYNC_WIN_REPLAYED;
	d = seq - w->cum - 1;
	if (d >= SVCGW_SYNC_WINDOW)
		return SVCGW_SYNC_WIN_AHEAD;
	if (w->map[d / 64] & (1ULL << (d % 64)))
		return SVCGW_SYNC_WIN_REPLAYED;
	return SVCGW_SYNC_WIN_OK;
}

/* Shift the window's map down @n bits (1 to SVCGW_SYNC_WINDOW). */
static void map_shr(u64 *m, unsigned int n)
{
	unsigned int w = n / 64, b = n % 64, i, nw = SVCGW_SYNC_WINDOW / 64;
	u64 lo, hi;

	/* Each word reads words at or above itself: none is overwritten yet. */
	for (i = 0; i < nw; i++) {
		lo = i + w < nw ? m[i + w] : 0;
		hi = i + w + 1 < nw ? m[i + w + 1] : 0;
		m[i] = b ? lo >> b | hi << (64 - b) : lo;
	}
}

/*
 * Record @seq as received (after svcgw_sync_win_check() said OK and the
 * tag verified): cum moves over the run it completes.  True if it was
 * recorded; false, nothing changed, for one the window would refuse.
 */
bool svcgw_sync_win_commit(struct svcgw_sync_window *w, u64 seq)
{
	unsigned int i, run = 0;
	u64 d;

	if (seq <= w->cum)
		return false;
	d = seq - w->cum - 1;
	if (d >= SVCGW_SYNC_WINDOW || w->map[d / 64] & (1ULL << (d % 64)))
		return false;
	w->map[d / 64] |= 1ULL << (d % 64);
	/* The run of received ones from cum + 1 on: the low bits set. */
	for (i = 0; i < SVCGW_SYNC_WINDOW / 64; i++) {
		if (w->map[i] != ~0ULL) {
			run += __builtin_ctzll(~w->map[i]);
			break;
		}
		run += 64;
	}
	if (run) {
		w->cum += run;
		map_shr(w->map, run);
	}
	return true;
}

/*
 * The sender's side of an ACK (@cum, @map: bit i, cum + 1 + i received)
 * when @highest is the highest sequence number it sent: the sequence
 * numbers in (cum, min(highest, cum + 64)] that the map does not have,
 * ascending, at most @max of them into @out; how many.
 */
unsigned int svcgw_sync_missing(u64 cum, u64 map, u64 highest, u64 *out,
				unsigned int max)
{
	unsigned int i, n = 0;
	u64 span;

	if (highest <= cum)
		return 0;
	span = highest - cum;
	if (span > 64)
		span = 64;
	for (i = 0; i < span && n < max; i++)
		if (!(map & (1ULL << i)))
			out[n++] = cum + 1 + i;
	return n;
}
