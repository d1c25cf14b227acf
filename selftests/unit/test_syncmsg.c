// SPDX-License-Identifier: GPL-2.0
/*
 * The sync channel's codec and replay window (kmod/syncmsg.c): the wire
 * format pinned by hand-written bytes, round trips of every type and
 * record family, how many records a datagram holds, every refusal from a
 * crafted datagram, and the window and the sender's missing list against
 * reference models.  The tag is OpenSSL's HMAC-SHA256, as the module's
 * hmac(sha256) computes it.
 */
#include <stdlib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "syncmsg.h"
#include "unit.h"

/* HMAC-SHA256 of the @n bytes at @d under the 32-byte key @k, cut. */
static void hmac16(const u8 *k, const u8 *d, size_t n, u8 *tag)
{
	u8 out[EVP_MAX_MD_SIZE];
	unsigned int olen = 0;

	HMAC(EVP_sha256(), k, 32, d, n, out, &olen);
	memcpy(tag, out, SVCGW_SYNC_TAG_LEN);
}

/* A node's keys as the callback sees them: one key, under one id. */
struct key {
	u8		k[32];
	u32		id;
	unsigned int	calls;
};

/* The callback as the module's will be: the key by the header's key id. */
static int mac(void *ctx, const u8 *data, size_t len, u8 *tag)
{
	struct key *key = ctx;
	struct svcgw_sync_hdr h;

	key->calls++;
	if (svcgw_sync_hdr_decode(data, len, &h) != SVCGW_SYNC_OK)
		return -EINVAL;
	if (h.key_id != key->id)
		return -ENOKEY;
	hmac16(key->k, data, len, tag);
	return 0;
}

static void key_init(struct key *k, u32 id, u8 seed)
{
	unsigned int i;

	for (i = 0; i < sizeof(k->k); i++)
		k->k[i] = seed + i * 7;
	k->id = id;
	k->calls = 0;
}

/* Make the tag of the @len-byte datagram at @b right again, for @k. */
static void retag(const struct key *k, u8 *b, size_t len)
{
	hmac16(k->k, b, len - SVCGW_SYNC_TAG_LEN, b + len - SVCGW_SYNC_TAG_LEN);
}

static const char *const verdict_name[SVCGW_SYNC_VERDICTS] = {
	"OK", "TRUNCATED", "BAD_MAGIC", "BAD_VERSION", "BAD_TYPE",
	"BAD_FIELD", "BAD_LENGTH", "NO_KEY", "FORGED", "BAD_RECORD",
};

static const char *vname(enum svcgw_sync_verdict v)
{
	return v < SVCGW_SYNC_VERDICTS ? verdict_name[v] : "?";
}

static struct svcgw_sync_hdr hdr_of(u8 type, struct rng *r)
{
	struct svcgw_sync_hdr h = {
		.type = type,
		.sender = rng_u32(r) | 1,
		.receiver = rng_u32(r) | 2,
		.key_id = 42,
		.epoch = rng_u64(r),
		.seq = rng_u64(r),
	};

	return h;
}

static void random_ep(struct svcgw_sync_endpoint *e, u8 family, struct rng *r)
{
	memset(e, 0, sizeof(*e));
	if (family == AF_INET)
		e->addr.ip = rng_u32_edgy(r);
	else
		rng_bytes(r, e->addr.b, 16);
	e->port = rng_u16_edgy(r);
}

/*
 * A random valid record of @family (0: either), as decoding gives it back:
 * the bytes a record does not carry are zero.
 */
static void random_rec(struct svcgw_sync_rec *rec, u8 family, int fullnat,
		       struct rng *r)
{
	int i;

	memset(rec, 0, sizeof(*rec));
	if (!family)
		family = rng_below(r, 2) ? AF_INET6 : AF_INET;
	rec->op = rng_below(r, 2) ? SVCGW_SYNC_OP_DELETE : SVCGW_SYNC_OP_UPDATE;
	rec->family = family;
	rec->proto = rng_below(r, 2) ? IPPROTO_UDP : IPPROTO_TCP;
	rec->state = rng_u32(r);
	rec->fin = rng_u32(r);
	if (fullnat < 0)
		fullnat = rng_below(r, 2);
	rec->flags = fullnat ? SVCGW_SYNC_REC_FULLNAT : 0;
	rec->origin = rng_u32_edgy(r);
	rec->timeout_ms = rng_u32_edgy(r);
	for (i = 0; i < SVCGW_SYNC_EPS; i++)
		random_ep(&rec->ep[i], family, r);
	if (!fullnat)
		memset(&rec->ep[SVCGW_SYNC_EP_FULLNAT], 0,
		       sizeof(rec->ep[SVCGW_SYNC_EP_FULLNAT]));
}

static bool rec_equal(const struct svcgw_sync_rec *a,
		      const struct svcgw_sync_rec *b)
{
	int i;

	if (a->op != b->op || a->family != b->family || a->proto != b->proto ||
	    a->state != b->state || a->flags != b->flags || a->fin != b->fin ||
	    a->origin != b->origin || a->timeout_ms != b->timeout_ms)
		return false;
	for (i = 0; i < SVCGW_SYNC_EPS; i++)
		if (!svcgw_addr_equal(&a->ep[i].addr, &b->ep[i].addr) ||
		    a->ep[i].port != b->ep[i].port)
			return false;
	return true;
}

static bool hdr_equal(const struct svcgw_sync_hdr *a,
		      const struct svcgw_sync_hdr *b)
{
	return a->type == b->type && a->flags == b->flags &&
	       a->count == b->count && a->sender == b->sender &&
	       a->receiver == b->receiver && a->key_id == b->key_id &&
	       a->epoch == b->epoch && a->seq == b->seq;
}

/* A SESSIONS datagram of @n records @recs into @buf: its length. */
static int build(u8 *buf, size_t cap, const struct svcgw_sync_hdr *h,
		 const struct svcgw_sync_rec *recs, unsigned int n,
		 struct key *k)
{
	struct svcgw_sync_builder b;
	unsigned int i;
	int err;

	err = svcgw_sync_build_init(&b, buf, cap, h);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		err = svcgw_sync_build_add(&b, &recs[i]);
		if (err)
			return err;
	}
	return svcgw_sync_build_finish(&b, mac, k);
}

/* Parse @buf and check its records against @recs. */
static bool parses_to(const u8 *buf, size_t len, const struct svcgw_sync_hdr *h,
		      const struct svcgw_sync_rec *recs, unsigned int n,
		      struct key *k)
{
	struct svcgw_sync_msg m;
	struct svcgw_sync_rec r;
	enum svcgw_sync_verdict v;
	size_t off = 0;
	unsigned int i;

	v = svcgw_sync_parse(buf, len, mac, k, &m);
	if (!CHECK(v == SVCGW_SYNC_OK, "%s", vname(v)))
		return false;
	if (!CHECK(hdr_equal(&m.hdr, h)))
		return false;
	for (i = 0; svcgw_sync_rec_next(&m, &off, &r); i++)
		if (!CHECK(i < n && rec_equal(&r, &recs[i]), "record %u", i))
			return false;
	return CHECK(i == n && off == m.recs.len, "%u records of %u", i, n);
}

static void test_hmac(void)
{
	/* RFC 4231, test case 2: key "Jefe" (short keys are zero-padded). */
	static const u8 want[16] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e,
		0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
	};
	const char *msg = "what do ya want for nothing?";
	u8 k[32] = { 'J', 'e', 'f', 'e' }, tag[16];

	tap_group("syncmsg: the tests' tag is HMAC-SHA256 cut to 16 bytes (RFC 4231)");
	hmac16(k, (const u8 *)msg, strlen(msg), tag);
	CHECK(!memcmp(tag, want, 16));
	tap_end();
}

static void test_layout(void)
{
	/* syncmsg.h's layout, written out by hand. */
	static const u8 hdr[SVCGW_SYNC_HDR_LEN] = {
		0x53, 0x47, 0x01, 0x03, 0x00, 0x00, 0x00, 0x01,	/* SG 1 3 0 1 */
		0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d,	/* nodes */
		0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x00,	/* key, 0 */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,	/* epoch */
		0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,	/* seq */
	};
	static const u8 rec4[SVCGW_SYNC_REC4_LEN] = {
		0x01, 0x04, 0x06, 0x03,		/* UPDATE, IPv4, TCP, state 3 */
		0x00, 0x01, 0x02, 0x00,		/* FULLNAT, fin 2, pad */
		0x00, 0x00, 0x00, 0x07,		/* origin 7 */
		0x00, 0x04, 0x93, 0xe0,		/* 300,000 ms */
		192, 0, 2, 1, 0x9c, 0x40,	/* client 192.0.2.1:40000 */
		198, 51, 100, 10, 0x01, 0xbb,	/* service :443 */
		10, 0, 0, 5, 0x20, 0xfb,	/* server 10.0.0.5:8443 */
		203, 0, 113, 7, 0xee, 0x48,	/* full NAT :61000 */
	};
	static const u8 ack[16] = {
		0, 0, 0, 0, 0, 0, 0x01, 0x00,		/* cum 256 */
		0x80, 0, 0, 0, 0, 0, 0, 0x0a,		/* 320 260 258 */
	};
	struct svcgw_sync_hdr h = {
		.type = SVCGW_SYNC_SESSIONS, .count = 1,
		.sender = 0x01020304, .receiver = 0x0a0b0c0d,
		.key_id = 0x11223344,
		.epoch = 0x0102030405060708ULL, .seq = 0x1112131415161718ULL,
	};
	struct svcgw_sync_rec rec = {
		.op = SVCGW_SYNC_OP_UPDATE, .family = AF_INET,
		.proto = IPPROTO_TCP, .state = 3,
		.flags = SVCGW_SYNC_REC_FULLNAT, .fin = 2, .origin = 7,
		.timeout_ms = 300000,
	};
	static const char *const addr[] = {
		"192.0.2.1", "198.51.100.10", "10.0.0.5", "203.0.113.7",
	};
	static const u16 port[] = { 40000, 443, 8443, 61000 };
	u8 buf[128], tag[16];
	struct svcgw_sync_msg m = { .hdr = h };
	struct svcgw_sync_hdr got;
	struct key k;
	int i, n;

	key_init(&k, h.key_id, 1);
	for (i = 0; i < SVCGW_SYNC_EPS; i++) {
		inet_pton(AF_INET, addr[i], &rec.ep[i].addr.ip);
		rec.ep[i].port = htons(port[i]);
	}

	tap_group("syncmsg: a header's and an IPv4 record's bytes as documented");
	memset(buf, 0xee, sizeof(buf));
	svcgw_sync_hdr_encode(buf, &h);
	CHECK(!memcmp(buf, hdr, sizeof(hdr)));
	CHECK(svcgw_sync_hdr_decode(hdr, sizeof(hdr), &got) == SVCGW_SYNC_OK &&
	      hdr_equal(&got, &h));
	memset(buf, 0xee, sizeof(buf));
	CHECK(svcgw_sync_rec_encode(buf, sizeof(buf), &rec) == 40);
	CHECK(!memcmp(buf, rec4, sizeof(rec4)));
	CHECK(buf[40] == 0xee, "wrote past the record");
	/* The datagram: header, record, HMAC of both. */
	n = build(buf, sizeof(buf), &h, &rec, 1, &k);
	CHECK(n == 40 + 40 + 16, "%d", n);
	hmac16(k.k, buf, 80, tag);
	CHECK(!memcmp(buf, hdr, 40) && !memcmp(buf + 40, rec4, 40) &&
	      !memcmp(buf + 80, tag, 16));
	/* An ACK's body: cum, then bit i for cum + 1 + i. */
	m.hdr.type = SVCGW_SYNC_ACK;
	m.ack.cum = 256;
	m.ack.map = 1ULL << 1 | 1ULL << 3 | 1ULL << 63;
	n = svcgw_sync_encode(buf, sizeof(buf), &m, mac, &k);
	CHECK(n == 40 + 16 + 16 && buf[3] == 4 && buf[6] == 0 && buf[7] == 0 &&
	      !memcmp(buf + 40, ack, 16), "%d", n);
	tap_end();
}

static void test_types(void)
{
	static const u8 types[] = {
		SVCGW_SYNC_HELLO, SVCGW_SYNC_NONCE, SVCGW_SYNC_ACK,
		SVCGW_SYNC_BULK_BEGIN, SVCGW_SYNC_BULK_END,
	};
	static const int blen[] = { 16, 16, 16, 0, 8 };
	struct svcgw_sync_msg m, got;
	u8 buf[128], again[128];
	unsigned int i, t, bad = 0;
	enum svcgw_sync_verdict v;
	struct key k;
	struct rng r;
	int n;

	unit_rng(&r, 0x5c01);
	key_init(&k, 42, 3);
	tap_group("syncmsg: every fixed-body type encoded, parsed back, re-encoded");
	for (i = 0; i < 100 * ARRAY_SIZE(types); i++) {
		t = i % ARRAY_SIZE(types);
		memset(&m, 0, sizeof(m));
		m.hdr = hdr_of(types[t], &r);
		m.hdr.count = rng_below(&r, 2);	/* the encoder writes 0 */
		switch (types[t]) {
		case SVCGW_SYNC_ACK:
			m.ack.cum = rng_u64(&r);
			m.ack.map = rng_u64(&r);
			break;
		case SVCGW_SYNC_BULK_END:
			m.bulk_records = rng_u64(&r);
			break;
		case SVCGW_SYNC_BULK_BEGIN:
			break;
		default:
			rng_bytes(&r, m.req_id, sizeof(m.req_id));
		}
		n = svcgw_sync_encode(buf, sizeof(buf), &m, mac, &k);
		if (!CHECK(n == SVCGW_SYNC_MIN_LEN + blen[t], "type %u: %d",
			   types[t], n))
			break;
		memset(&got, 0xa5, sizeof(got));
		v = svcgw_sync_parse(buf, n, mac, &k, &got);
		m.hdr.count = 0;
		if (!CHECK(v == SVCGW_SYNC_OK, "type %u: %s", types[t],
			   vname(v)) ||
		    !CHECK(hdr_equal(&got.hdr, &m.hdr), "type %u", types[t]))
			break;
		switch (types[t]) {
		case SVCGW_SYNC_ACK:
			bad += got.ack.cum != m.ack.cum ||
			       got.ack.map != m.ack.map;
			break;
		case SVCGW_SYNC_BULK_END:
			bad += got.bulk_records != m.bulk_records;
			break;
		case SVCGW_SYNC_BULK_BEGIN:
			break;
		default:
			bad += !!memcmp(got.req_id, m.req_id, 16);
		}
		bad += svcgw_sync_encode(again, sizeof(again), &got, mac,
					 &k) != n || memcmp(again, buf, n);
	}
	CHECK(!bad, "%u bodies differ", bad);
	/* What the encoder refuses rather than send something unparsable. */
	memset(&m, 0, sizeof(m));
	m.hdr = hdr_of(SVCGW_SYNC_HELLO, &r);
	CHECK(svcgw_sync_encode(buf, SVCGW_SYNC_MIN_LEN + 15, &m, mac, &k) ==
	      -ENOSPC);
	m.hdr.type = SVCGW_SYNC_SESSIONS;
	CHECK(svcgw_sync_encode(buf, sizeof(buf), &m, mac, &k) == -EINVAL);
	m.hdr.type = 7;
	CHECK(svcgw_sync_encode(buf, sizeof(buf), &m, mac, &k) == -EINVAL);
	m.hdr.type = SVCGW_SYNC_HELLO;
	m.hdr.flags = 1;
	CHECK(svcgw_sync_encode(buf, sizeof(buf), &m, mac, &k) == -EINVAL);
	m.hdr.flags = 0;
	m.hdr.sender = 0;
	CHECK(svcgw_sync_encode(buf, sizeof(buf), &m, mac, &k) == -EINVAL);
	m.hdr.sender = 1;
	m.hdr.key_id = 43;	/* the callback has no such key */
	CHECK(svcgw_sync_encode(buf, sizeof(buf), &m, mac, &k) == -ENOKEY);
	tap_end();
}

static void test_records(void)
{
	static const struct {
		const char	*what;
		u8		family;
		int		fullnat;
	} mix[] = {
		{ "IPv4", AF_INET, 0 }, { "IPv4 full NAT", AF_INET, 1 },
		{ "IPv6", AF_INET6, 0 }, { "IPv6 full NAT", AF_INET6, 1 },
		{ "mixed", 0, -1 },
	};
	struct svcgw_sync_rec recs[64], r2;
	struct svcgw_sync_hdr h;
	unsigned int i, j, e, n;
	u8 buf[64 * 88 + 56], one[88];
	struct key k;
	struct rng r;
	int len;

	unit_rng(&r, 0x5c02);
	key_init(&k, 42, 5);
	for (i = 0; i < ARRAY_SIZE(mix); i++) {
		char name[96];

		snprintf(name, sizeof(name),
			 "syncmsg: %s records built, parsed back, re-encoded",
			 mix[i].what);
		tap_group(name);
		for (j = 0; j < 200; j++) {
			n = 1 + rng_below(&r, 64);
			for (e = 0; e < n; e++)
				random_rec(&recs[e], mix[i].family,
					   mix[i].fullnat, &r);
			h = hdr_of(SVCGW_SYNC_SESSIONS, &r);
			len = build(buf, sizeof(buf), &h, recs, n, &k);
			h.count = n;
			if (!CHECK(len > 0, "%d", len) ||
			    !parses_to(buf, len, &h, recs, n, &k))
				break;
		}
		/* Each record alone: encode, decode, encode. */
		for (j = 0; j < 1000; j++) {
			random_rec(&recs[0], mix[i].family, mix[i].fullnat, &r);
			len = svcgw_sync_rec_encode(one, sizeof(one), &recs[0]);
			if (!CHECK(len == (recs[0].family == AF_INET ?
					   40 : 88)) ||
			    !CHECK(svcgw_sync_rec_decode(one, len, &r2) ==
				   len) ||
			    !CHECK(rec_equal(&r2, &recs[0])))
				break;
		}
		tap_end();
	}

	tap_group("syncmsg: what a record does not carry is not sent");
	random_rec(&recs[0], AF_INET, 0, &r);
	r2 = recs[0];
	/* Garbage beyond the IPv4 words and in an unflagged full NAT ep. */
	for (j = 0; j < SVCGW_SYNC_EPS; j++)
		r2.ep[j].addr.ip6[3] = 0xdeadbeef;
	random_ep(&r2.ep[SVCGW_SYNC_EP_FULLNAT], AF_INET6, &r);
	r2.ep[SVCGW_SYNC_EP_FULLNAT].port = 99;
	CHECK(svcgw_sync_rec_encode(one, sizeof(one), &r2) == 40);
	CHECK(svcgw_sync_rec_decode(one, 40, &r2) == 40 &&
	      rec_equal(&r2, &recs[0]));
	CHECK(!memcmp(one + 34, "\0\0\0\0\0\0", 6));
	/* The encoder refuses what the decoder would. */
	r2 = recs[0];
	r2.op = 3;
	CHECK(svcgw_sync_rec_encode(one, sizeof(one), &r2) == -EINVAL);
	r2 = recs[0];
	r2.family = AF_UNIX;
	CHECK(svcgw_sync_rec_encode(one, sizeof(one), &r2) == -EINVAL);
	r2 = recs[0];
	r2.proto = IPPROTO_ICMP;
	CHECK(svcgw_sync_rec_encode(one, sizeof(one), &r2) == -EINVAL);
	r2 = recs[0];
	r2.flags = 2;
	CHECK(svcgw_sync_rec_encode(one, sizeof(one), &r2) == -EINVAL);
	CHECK(svcgw_sync_rec_encode(one, 39, &recs[0]) == -ENOSPC);
	recs[0].family = AF_INET6;
	CHECK(svcgw_sync_rec_encode(one, 87, &recs[0]) == -ENOSPC);
	CHECK(svcgw_sync_rec_decode(one, 1, &r2) == -EMSGSIZE);
	tap_end();
}

/*
 * Fill a datagram of @cap bytes (the path MTU less the IP and UDP
 * headers) with records of @family: how many went in.
 */
static unsigned int fill(size_t cap, u8 family, struct key *k, struct rng *r,
			 int *len)
{
	struct svcgw_sync_hdr h = hdr_of(SVCGW_SYNC_SESSIONS, r);
	struct svcgw_sync_builder b;
	struct svcgw_sync_msg m;
	struct svcgw_sync_rec rec;
	u8 *buf = calloc(1, cap), *copy = malloc(cap);
	unsigned int n = 0;
	int err;

	svcgw_sync_build_init(&b, buf, cap, &h);
	for (;;) {
		random_rec(&rec, family, 1, r);
		memcpy(copy, buf, cap);
		err = svcgw_sync_build_add(&b, &rec);
		if (err)
			break;
		n++;
	}
	CHECK(err == -ENOSPC && !memcmp(copy, buf, cap),
	      "%d, or it wrote when it did not fit", err);
	*len = svcgw_sync_build_finish(&b, mac, k);
	CHECK(*len > 0 && (size_t)*len <= cap &&
	      svcgw_sync_parse(buf, *len, mac, k, &m) == SVCGW_SYNC_OK &&
	      m.hdr.count == n);
	free(copy);
	free(buf);
	return n;
}

static void test_capacity(void)
{
	/* 1,500-byte IP packets: less IPv4 + UDP (28) or IPv6 + UDP (48). */
	static const struct {
		size_t		cap;
		u8		family;
		unsigned int	want;
		int		len;
	} c[] = {
		{ 1472, AF_INET, 35, 1456 }, { 1472, AF_INET6, 16, 1464 },
		{ 1452, AF_INET, 34, 1416 }, { 1452, AF_INET6, 15, 1376 },
	};
	struct svcgw_sync_builder b;
	struct svcgw_sync_msg m;
	struct svcgw_sync_hdr h;
	struct svcgw_sync_rec rec;
	unsigned int i, n;
	u8 buf[1472];
	struct key k;
	struct rng r;
	int len;

	unit_rng(&r, 0x5c03);
	key_init(&k, 42, 7);
	tap_group("syncmsg: 35 IPv4 or 16 IPv6 records over IPv4, 34 or 15 over IPv6");
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		n = fill(c[i].cap, c[i].family, &k, &r, &len);
		CHECK(n == c[i].want && len == c[i].len,
		      "%zu bytes, family %u: %u records, %d bytes", c[i].cap,
		      c[i].family, n, len);
	}
	/* Mixed: 10 IPv6 (880) leave 1472 - 56 - 880 = 536: 13 IPv4. */
	h = hdr_of(SVCGW_SYNC_SESSIONS, &r);
	svcgw_sync_build_init(&b, buf, 1472, &h);
	for (i = 0; i < 10; i++) {
		random_rec(&rec, AF_INET6, 0, &r);
		svcgw_sync_build_add(&b, &rec);
	}
	for (n = 0;; n++) {
		random_rec(&rec, AF_INET, 0, &r);
		if (svcgw_sync_build_add(&b, &rec))
			break;
	}
	CHECK(n == 13 && svcgw_sync_build_finish(&b, mac, &k) == 56 + 880 + 520,
	      "%u", n);
	/* Too small for a header and a tag; empty; the count's limit. */
	CHECK(svcgw_sync_build_init(&b, buf, 55, &h) == -ENOSPC);
	CHECK(svcgw_sync_build_init(&b, buf, 56, &h) == 0 &&
	      svcgw_sync_build_add(&b, &rec) == -ENOSPC &&
	      svcgw_sync_build_finish(&b, mac, &k) == -ENODATA);
	h.type = SVCGW_SYNC_ACK;
	CHECK(svcgw_sync_build_init(&b, buf, sizeof(buf), &h) == -EINVAL);
	h.type = SVCGW_SYNC_SESSIONS;
	h.receiver = 0;
	CHECK(svcgw_sync_build_init(&b, buf, sizeof(buf), &h) == -EINVAL);
	h.receiver = 9;
	{
		size_t cap = 56 + 65536 * 40;
		u8 *big = malloc(cap);

		svcgw_sync_build_init(&b, big, cap, &h);
		for (n = 0; n < 70000; n++)
			if (svcgw_sync_build_add(&b, &rec))
				break;
		CHECK(n == 65535, "%u", n);
		len = svcgw_sync_build_finish(&b, mac, &k);
		CHECK(len == 56 + 65535 * 40 &&
		      svcgw_sync_parse(big, len, mac, &k, &m) ==
		      SVCGW_SYNC_OK &&
		      m.hdr.count == 65535, "%d", len);
		free(big);
	}
	/* Finished twice, the second with another seq: a new tag. */
	svcgw_sync_build_init(&b, buf, sizeof(buf), &h);
	svcgw_sync_build_add(&b, &rec);
	len = svcgw_sync_build_finish(&b, mac, &k);
	b.hdr.seq++;
	CHECK(svcgw_sync_build_finish(&b, mac, &k) == len);
	CHECK(svcgw_sync_parse(buf, len, mac, &k, &m) == SVCGW_SYNC_OK &&
	      m.hdr.seq == h.seq + 1 && m.hdr.count == 1);
	tap_end();
}

/* Parse @b (@len bytes) with @k: the verdict. */
static enum svcgw_sync_verdict verdict(const u8 *b, size_t len, struct key *k)
{
	struct svcgw_sync_msg m;
	u8 *copy = malloc(len ? len : 1);
	enum svcgw_sync_verdict v;

	/* A heap copy of the exact size: ASan sees a read past it. */
	memcpy(copy, b, len);
	v = svcgw_sync_parse(copy, len, mac, k, &m);
	free(copy);
	return v;
}

/* @b with byte @at set to @val, tagged again: the verdict. */
static enum svcgw_sync_verdict poke(const u8 *b, size_t len, size_t at, u8 val,
				    struct key *k)
{
	u8 c[2048];

	memcpy(c, b, len);
	c[at] = val;
	retag(k, c, len);
	return verdict(c, len, k);
}

static void test_refusals(void)
{
	struct svcgw_sync_rec recs[3];
	struct svcgw_sync_msg m;
	struct svcgw_sync_hdr h;
	enum svcgw_sync_verdict v;
	u8 buf[512], c[512];
	unsigned int i, bad;
	struct key k, wrong;
	struct rng r;
	int len, alen, t;
	size_t at;

	unit_rng(&r, 0x5c04);
	key_init(&k, 42, 9);
	random_rec(&recs[0], AF_INET, 1, &r);
	random_rec(&recs[1], AF_INET6, 0, &r);
	random_rec(&recs[2], AF_INET, 0, &r);
	h = hdr_of(SVCGW_SYNC_SESSIONS, &r);
	len = build(buf, sizeof(buf), &h, recs, 3, &k);

	tap_group("syncmsg: a datagram cut anywhere, or longer, is refused");
	CHECK(len == 56 + 40 + 88 + 40, "%d", len);
	for (i = 0, bad = 0; i < (unsigned int)len; i++) {
		v = verdict(buf, i, &k);
		bad += v != (i < 56 ? SVCGW_SYNC_TRUNCATED :
			     SVCGW_SYNC_BAD_LENGTH);
	}
	CHECK(!bad, "%u lengths", bad);
	memcpy(c, buf, len);
	c[len] = 0;
	CHECK(verdict(c, len + 1, &k) == SVCGW_SYNC_BAD_LENGTH);
	/* As many bytes as the records, but one record fewer or more. */
	CHECK(poke(buf, len, 7, 2, &k) == SVCGW_SYNC_BAD_LENGTH);
	CHECK(poke(buf, len, 7, 4, &k) == SVCGW_SYNC_BAD_LENGTH);
	/* A family byte that swaps a record's size, or none. */
	CHECK(poke(buf, len, 40 + 1, 6, &k) == SVCGW_SYNC_BAD_LENGTH);
	CHECK(poke(buf, len, 80 + 1, 4, &k) == SVCGW_SYNC_BAD_LENGTH);
	CHECK(poke(buf, len, 80 + 1, 0, &k) == SVCGW_SYNC_BAD_LENGTH);
	CHECK(poke(buf, len, 168 + 1, 5, &k) == SVCGW_SYNC_BAD_LENGTH);
	/* Fixed bodies one byte short or long. */
	for (t = SVCGW_SYNC_HELLO; t <= SVCGW_SYNC_BULK_END; t++) {
		if (t == SVCGW_SYNC_SESSIONS)
			continue;
		memset(&m, 0, sizeof(m));
		m.hdr = hdr_of(t, &r);
		alen = svcgw_sync_encode(c, sizeof(c), &m, mac, &k);
		CHECK(verdict(c, alen, &k) == SVCGW_SYNC_OK);
		CHECK(verdict(c, alen - 1, &k) == (alen == 56 ?
		      SVCGW_SYNC_TRUNCATED : SVCGW_SYNC_BAD_LENGTH),
		      "type %d", t);
		c[alen] = 0;
		retag(&k, c, alen + 1);
		CHECK(verdict(c, alen + 1, &k) == SVCGW_SYNC_BAD_LENGTH,
		      "type %d", t);
	}
	tap_end();

	tap_group("syncmsg: a bad magic, version, type or field is refused");
	CHECK(verdict(buf, len, &k) == SVCGW_SYNC_OK);
	CHECK(poke(buf, len, 0, 0x54, &k) == SVCGW_SYNC_BAD_MAGIC);
	CHECK(poke(buf, len, 1, 0x46, &k) == SVCGW_SYNC_BAD_MAGIC);
	CHECK(poke(buf, len, 2, 0, &k) == SVCGW_SYNC_BAD_VERSION);
	CHECK(poke(buf, len, 2, 2, &k) == SVCGW_SYNC_BAD_VERSION);
	CHECK(poke(buf, len, 3, 0, &k) == SVCGW_SYNC_BAD_TYPE);
	CHECK(poke(buf, len, 3, 7, &k) == SVCGW_SYNC_BAD_TYPE);
	CHECK(poke(buf, len, 3, 0xff, &k) == SVCGW_SYNC_BAD_TYPE);
	/* Magic before version before type, whatever else is wrong. */
	memcpy(c, buf, len);
	c[0] = 0;
	c[2] = 9;
	c[3] = 9;
	CHECK(verdict(c, len, &k) == SVCGW_SYNC_BAD_MAGIC);
	c[0] = 0x53;
	CHECK(verdict(c, len, &k) == SVCGW_SYNC_BAD_VERSION);
	c[2] = 1;
	CHECK(verdict(c, len, &k) == SVCGW_SYNC_BAD_TYPE);
	/* A truncated one is truncated, not badly typed. */
	CHECK(verdict(c, 55, &k) == SVCGW_SYNC_TRUNCATED);
	/* Flags, a count of 0, reserved bytes, node ids 0. */
	CHECK(poke(buf, len, 4, 0x80, &k) == SVCGW_SYNC_BAD_FIELD);
	CHECK(poke(buf, len, 5, 0x01, &k) == SVCGW_SYNC_BAD_FIELD);
	CHECK(poke(buf, len, 7, 0x00, &k) == SVCGW_SYNC_BAD_FIELD);
	for (at = 20; at < 24; at++)
		CHECK(poke(buf, len, at, 0x10, &k) == SVCGW_SYNC_BAD_FIELD,
		      "byte %zu", at);
	memcpy(c, buf, len);
	memset(c + 8, 0, 4);
	retag(&k, c, len);
	CHECK(verdict(c, len, &k) == SVCGW_SYNC_BAD_FIELD);
	memcpy(c, buf, len);
	memset(c + 12, 0, 4);
	retag(&k, c, len);
	CHECK(verdict(c, len, &k) == SVCGW_SYNC_BAD_FIELD);
	/* A HELLO that counts records. */
	memset(&m, 0, sizeof(m));
	m.hdr = hdr_of(SVCGW_SYNC_HELLO, &r);
	alen = svcgw_sync_encode(c, sizeof(c), &m, mac, &k);
	CHECK(poke(c, alen, 7, 1, &k) == SVCGW_SYNC_BAD_FIELD);
	/* A bad field before a bad length. */
	memcpy(c, buf, len);
	c[20] = 1;
	CHECK(verdict(c, len - 1, &k) == SVCGW_SYNC_BAD_FIELD);
	tap_end();

	tap_group("syncmsg: a tag that does not verify, or no key for it");
	CHECK(verdict(buf, len, &k) == SVCGW_SYNC_OK);
	key_init(&wrong, 42, 10);
	CHECK(verdict(buf, len, &wrong) == SVCGW_SYNC_FORGED);
	wrong = k;
	wrong.k[31] ^= 1;
	CHECK(verdict(buf, len, &wrong) == SVCGW_SYNC_FORGED);
	wrong = k;
	wrong.id = 41;
	CHECK(verdict(buf, len, &wrong) == SVCGW_SYNC_NO_KEY);
	/* The callback is not asked before the checks that need no key. */
	k.calls = 0;
	CHECK(verdict(buf, len - 1, &k) == SVCGW_SYNC_BAD_LENGTH &&
	      k.calls == 0);
	CHECK(verdict(buf, len, &k) == SVCGW_SYNC_OK && k.calls == 1);
	/* Every bit of it flipped in turn: never accepted; FORGED unless a
	 * check before the tag's refuses it, FORGED exactly in the body
	 * (but a family byte) and the tag.
	 */
	for (at = 0, bad = 0; at < (size_t)len * 8; at++) {
		bool family = at / 8 == 41 || at / 8 == 81 || at / 8 == 169;

		memcpy(c, buf, len);
		c[at / 8] ^= 1 << (at % 8);
		v = verdict(c, len, &k);
		if (v == SVCGW_SYNC_OK || v > SVCGW_SYNC_FORGED ||
		    (at / 8 >= 40 && !family && v != SVCGW_SYNC_FORGED)) {
			if (++bad < 4)
				tap_diag("bit %zu: %s", at, vname(v));
		}
		/* The same flip with a right tag: only the header's
		 * checks, the records' and a key id without a key refuse
		 * it, or it is a new datagram that parses.
		 */
		if (at / 8 < (size_t)len - 16) {
			retag(&k, c, len);
			v = verdict(c, len, &k);
			if (v == SVCGW_SYNC_FORGED ||
			    (v == SVCGW_SYNC_NO_KEY &&
			     (at / 8 < 16 || at / 8 >= 20))) {
				if (++bad < 4)
					tap_diag("bit %zu retagged: %s", at,
						 vname(v));
			}
		}
	}
	CHECK(!bad, "%u bits", bad);
	/* Every fixed-body type, every bit. */
	for (t = SVCGW_SYNC_HELLO, bad = 0; t <= SVCGW_SYNC_BULK_END; t++) {
		if (t == SVCGW_SYNC_SESSIONS)
			continue;
		memset(&m, 0, sizeof(m));
		m.hdr = hdr_of(t, &r);
		alen = svcgw_sync_encode(buf, sizeof(buf), &m, mac, &k);
		for (at = 0; at < (size_t)alen * 8; at++) {
			memcpy(c, buf, alen);
			c[at / 8] ^= 1 << (at % 8);
			v = verdict(c, alen, &k);
			bad += v == SVCGW_SYNC_OK || v > SVCGW_SYNC_FORGED ||
			       (at / 8 >= 40 && v != SVCGW_SYNC_FORGED);
		}
	}
	CHECK(!bad, "%u bits", bad);
	tap_end();

	/* Records refused only after the tag verified. */
	tap_group("syncmsg: each bad record field is refused, after the tag");
	len = build(buf, sizeof(buf), &h, recs, 3, &k);
	/* In the second record (IPv6, at 80) and the third (IPv4, at 168). */
	/* Op, protocol, flags, pad. */
	CHECK(poke(buf, len, 80 + 0, 0, &k) == SVCGW_SYNC_BAD_RECORD);
	CHECK(poke(buf, len, 80 + 0, 3, &k) == SVCGW_SYNC_BAD_RECORD);
	CHECK(poke(buf, len, 168 + 2, 1, &k) == SVCGW_SYNC_BAD_RECORD);
	CHECK(poke(buf, len, 168 + 2, 132, &k) == SVCGW_SYNC_BAD_RECORD);
	CHECK(poke(buf, len, 80 + 4, 0x80, &k) == SVCGW_SYNC_BAD_RECORD);
	CHECK(poke(buf, len, 80 + 5, 0x02, &k) == SVCGW_SYNC_BAD_RECORD);
	CHECK(poke(buf, len, 168 + 7, 1, &k) == SVCGW_SYNC_BAD_RECORD);
	/* Full NAT bytes without the flag: anywhere in the endpoint. */
	for (at = 0, bad = 0; at < 18; at++)
		bad += poke(buf, len, 80 + 70 + at, 1, &k) !=
		       SVCGW_SYNC_BAD_RECORD;
	for (at = 0; at < 6; at++)
		bad += poke(buf, len, 168 + 34 + at, 0x40, &k) !=
		       SVCGW_SYNC_BAD_RECORD;
	CHECK(!bad, "%u bytes", bad);
	/* ...and with it, anything. */
	CHECK(poke(buf, len, 40 + 34, 0, &k) == SVCGW_SYNC_OK);
	/* A flag cleared leaves a set full NAT endpoint unflagged. */
	CHECK(recs[0].ep[SVCGW_SYNC_EP_FULLNAT].addr.ip ||
	      recs[0].ep[SVCGW_SYNC_EP_FULLNAT].port ?
	      poke(buf, len, 40 + 5, 0, &k) == SVCGW_SYNC_BAD_RECORD : true);
	/* The same record unsigned: forged first. */
	memcpy(c, buf, len);
	c[80] = 3;
	CHECK(verdict(c, len, &k) == SVCGW_SYNC_FORGED);
	tap_end();
}

/* The window by its definition: the set of sequence numbers received. */
struct win_ref {
	u64	epoch;
	u64	cum;
	u8	*got;	/* got[seq] for seq < n */
	size_t	n;
};

static enum svcgw_sync_win_verdict ref_check(const struct win_ref *m, u64 epoch,
					     u64 seq)
{
	if (epoch != m->epoch)
		return SVCGW_SYNC_WIN_OTHER_EPOCH;
	if (seq <= m->cum || (seq < m->n && m->got[seq]))
		return SVCGW_SYNC_WIN_REPLAYED;
	if (seq > m->cum + SVCGW_SYNC_WINDOW)
		return SVCGW_SYNC_WIN_AHEAD;
	return SVCGW_SYNC_WIN_OK;
}

static void ref_commit(struct win_ref *m, u64 seq)
{
	m->got[seq] = 1;
	while (m->cum + 1 < m->n && m->got[m->cum + 1])
		m->cum++;
}

/* Whether @w holds what @m does: cum, and each of the window's bits. */
static bool same(const struct svcgw_sync_window *w, const struct win_ref *m)
{
	u64 cum, map, i, s;

	svcgw_sync_win_ack(w, &cum, &map);
	if (w->epoch != m->epoch || w->cum != m->cum || cum != m->cum)
		return false;
	for (i = 0; i < SVCGW_SYNC_WINDOW; i++) {
		s = m->cum + 1 + i;
		if (!!(w->map[i / 64] & (1ULL << (i % 64))) !=
		    (s < m->n && m->got[s]))
			return false;
		if (i < 64 && !!(map & (1ULL << i)) != (s < m->n && m->got[s]))
			return false;
	}
	return true;
}

static void test_window(void)
{
	struct svcgw_sync_window w;
	u64 cum, map, s;
	unsigned int i;

	tap_group("syncmsg: window: replays, order, the edge, gaps, epochs");
	svcgw_sync_win_reset(&w, 7);
	CHECK(svcgw_sync_win_check(&w, 7, 0) == SVCGW_SYNC_WIN_REPLAYED);
	CHECK(svcgw_sync_win_check(&w, 7, 1) == SVCGW_SYNC_WIN_OK);
	CHECK(svcgw_sync_win_check(&w, 8, 1) == SVCGW_SYNC_WIN_OTHER_EPOCH);
	CHECK(svcgw_sync_win_check(&w, 7, 256) == SVCGW_SYNC_WIN_OK);
	CHECK(svcgw_sync_win_check(&w, 7, 257) == SVCGW_SYNC_WIN_AHEAD);
	CHECK(svcgw_sync_win_check(&w, 7, ~0ULL) == SVCGW_SYNC_WIN_AHEAD);
	CHECK(svcgw_sync_win_commit(&w, 1) && w.cum == 1);
	CHECK(svcgw_sync_win_check(&w, 7, 1) == SVCGW_SYNC_WIN_REPLAYED);
	CHECK(!svcgw_sync_win_commit(&w, 1) && w.cum == 1);
	CHECK(svcgw_sync_win_check(&w, 7, 257) == SVCGW_SYNC_WIN_OK);
	CHECK(svcgw_sync_win_check(&w, 7, 258) == SVCGW_SYNC_WIN_AHEAD);
	CHECK(!svcgw_sync_win_commit(&w, 258) && w.cum == 1 && !w.map[3]);
	/* Out of order: 3 before 2; 3 then seen. */
	CHECK(svcgw_sync_win_commit(&w, 3) && w.cum == 1);
	CHECK(svcgw_sync_win_check(&w, 7, 3) == SVCGW_SYNC_WIN_REPLAYED);
	svcgw_sync_win_ack(&w, &cum, &map);
	CHECK(cum == 1 && map == 2, "cum %llu map %#llx",
	      (unsigned long long)cum, (unsigned long long)map);
	CHECK(svcgw_sync_win_commit(&w, 2) && w.cum == 3 && !w.map[0]);
	/* Descending 259..5 (the window's last is 3 + 256), then 4: cum
	 * over the whole run at once.
	 */
	CHECK(!svcgw_sync_win_commit(&w, 260));
	for (s = 259, i = 0; s >= 5; s--)
		i += !svcgw_sync_win_commit(&w, s);
	CHECK(!i && w.cum == 3 && w.map[0] == ~1ULL && w.map[1] == ~0ULL &&
	      w.map[2] == ~0ULL && w.map[3] == ~0ULL);
	CHECK(svcgw_sync_win_check(&w, 7, 259) == SVCGW_SYNC_WIN_REPLAYED);
	CHECK(svcgw_sync_win_check(&w, 7, 4) == SVCGW_SYNC_WIN_OK);
	CHECK(svcgw_sync_win_commit(&w, 4) && w.cum == 259 &&
	      !w.map[0] && !w.map[1] && !w.map[2] && !w.map[3],
	      "cum %llu", (unsigned long long)w.cum);
	CHECK(svcgw_sync_win_check(&w, 7, 515) == SVCGW_SYNC_WIN_OK &&
	      svcgw_sync_win_check(&w, 7, 516) == SVCGW_SYNC_WIN_AHEAD);
	/* A gap at 260 with a word's worth and more behind it. */
	for (s = 261; s < 261 + 100; s++)
		svcgw_sync_win_commit(&w, s);
	svcgw_sync_win_ack(&w, &cum, &map);
	CHECK(cum == 259 && map == ~1ULL);
	CHECK(svcgw_sync_win_commit(&w, 260) && w.cum == 360 && !w.map[0]);
	/* An old seq is replayed; a new epoch starts again at 1. */
	CHECK(svcgw_sync_win_check(&w, 7, 100) == SVCGW_SYNC_WIN_REPLAYED);
	svcgw_sync_win_reset(&w, 8);
	CHECK(w.cum == 0 &&
	      svcgw_sync_win_check(&w, 8, 1) == SVCGW_SYNC_WIN_OK);
	CHECK(svcgw_sync_win_check(&w, 7, 361) == SVCGW_SYNC_WIN_OTHER_EPOCH);
	CHECK(svcgw_sync_win_check(&w, 8, 100) == SVCGW_SYNC_WIN_OK);
	/* No wrap at the top of the sequence space. */
	w.cum = ~0ULL - 3;
	CHECK(svcgw_sync_win_check(&w, 8, ~0ULL) == SVCGW_SYNC_WIN_OK);
	CHECK(svcgw_sync_win_commit(&w, ~0ULL) && w.cum == ~0ULL - 3);
	CHECK(svcgw_sync_win_commit(&w, ~0ULL - 2) &&
	      svcgw_sync_win_commit(&w, ~0ULL - 1) && w.cum == ~0ULL);
	CHECK(svcgw_sync_win_check(&w, 8, 5) == SVCGW_SYNC_WIN_REPLAYED);
	tap_end();
}

/*
 * Random streams against the definition: 1..n in an order perturbed by
 * up to @reach places, with duplicates and stray old and far numbers, a
 * datagram of another epoch now and then; then what each ACK says is
 * missing sent again until all arrived.
 */
static void test_window_random(void)
{
	static const unsigned int reach[] = { 0, 1, 8, 64, 200, 300, 1000 };
	struct svcgw_sync_window w;
	struct win_ref m;
	u64 *order, seq, epoch, miss[64], cum, map;
	unsigned int fed = 0, bad = 0, trials = 0, v_ok = 0, v_rep = 0,
		     v_ahead = 0, v_epoch = 0, rounds, i, j, o, n, nm = 0,
		     qi = 0, d;
	enum svcgw_sync_win_verdict v, want;
	struct rng r;

	unit_rng(&r, 0x5c05);
	tap_group("syncmsg: window against a set, 100,000 random datagrams");
	m.got = malloc(4096 + 2048);
	order = malloc(4096 * sizeof(*order));
	while (fed < 100000 && bad < 8) {
		n = 1 + rng_below(&r, 4096);
		d = reach[rng_below(&r, ARRAY_SIZE(reach))];
		epoch = rng_u64(&r);
		svcgw_sync_win_reset(&w, epoch);
		memset(m.got, 0, 4096 + 2048);
		m.n = 4096 + 2048;
		m.epoch = epoch;
		m.cum = 0;
		for (i = 0; i < n; i++)
			order[i] = i + 1;
		for (i = 0; d && i < n; i++) {
			j = i + rng_below(&r, d + 1);
			if (j < n) {
				seq = order[i];
				order[i] = order[j];
				order[j] = seq;
			}
		}
		trials++;
		for (i = 0, rounds = 0, nm = qi = 0; rounds < 10000; i++) {
			u64 e = epoch;

			if (i < n) {
				seq = order[i];
			} else {
				/* Send again what the ACK shows missing,
				 * in any order.
				 */
				if (qi == nm) {
					svcgw_sync_win_ack(&w, &cum, &map);
					if (cum == n)
						break;
					nm = svcgw_sync_missing(cum, map, n,
								miss, 64);
					if (!CHECK(nm && miss[0] == cum + 1))
						break;
					for (j = nm - 1; j > 0; j--) {
						o = rng_below(&r, j + 1);
						seq = miss[j];
						miss[j] = miss[o];
						miss[o] = seq;
					}
					qi = 0;
					rounds++;
				}
				seq = miss[qi++];
			}
			switch (rng_below(&r, 20)) {
			case 0:	/* a duplicate of something sent */
				seq = 1 + rng_below(&r, seq);
				break;
			case 1: /* from far ahead, or zero */
				seq = rng_below(&r, 2) ? seq + 256 +
				      rng_below(&r, 2048) : 0;
				break;
			case 2:
				e = epoch + 1 + rng_below(&r, 3);
				break;
			}
			want = ref_check(&m, e, seq);
			v = svcgw_sync_win_check(&w, e, seq);
			fed++;
			if (v != want) {
				if (++bad < 4)
					tap_diag("seq %llu cum %llu: %d, want %d",
						 (unsigned long long)seq,
						 (unsigned long long)m.cum, v,
						 want);
				break;
			}
			v_ok += v == SVCGW_SYNC_WIN_OK;
			v_rep += v == SVCGW_SYNC_WIN_REPLAYED;
			v_ahead += v == SVCGW_SYNC_WIN_AHEAD;
			v_epoch += v == SVCGW_SYNC_WIN_OTHER_EPOCH;
			/* Committing a refused one changes nothing. */
			if (v != SVCGW_SYNC_WIN_OTHER_EPOCH &&
			    svcgw_sync_win_commit(&w, seq) !=
			    (v == SVCGW_SYNC_WIN_OK)) {
				bad++;
				break;
			}
			if (v == SVCGW_SYNC_WIN_OK)
				ref_commit(&m, seq);
			if (!same(&w, &m)) {
				if (++bad < 4)
					tap_diag("after seq %llu: cum %llu, want %llu",
						 (unsigned long long)seq,
						 (unsigned long long)w.cum,
						 (unsigned long long)m.cum);
				break;
			}
		}
		CHECK(w.cum == n, "trial %u: cum %llu of %u", trials,
		      (unsigned long long)w.cum, n);
	}
	CHECK(!bad, "%u differences", bad);
	/* Each verdict came up often enough to mean something. */
	CHECK(v_ok > 10000 && v_rep > 5000 && v_ahead > 1000 && v_epoch > 1000,
	      "ok %u replayed %u ahead %u epoch %u", v_ok, v_rep, v_ahead,
	      v_epoch);
	tap_diag("%u datagrams in %u streams: ok %u, replayed %u, ahead %u, other epoch %u",
		 fed, trials, v_ok, v_rep, v_ahead, v_epoch);
	free(order);
	free(m.got);
	tap_end();
}

static void test_missing(void)
{
	u64 out[80], want[80], cum, map, highest, s;
	unsigned int i, n, nw, max, bad = 0;
	struct rng r;

	unit_rng(&r, 0x5c06);
	tap_group("syncmsg: what an ACK shows missing, against a reference");
	/* By hand: cum 10, 12 and 14 received, 15 sent last. */
	n = svcgw_sync_missing(10, 0x2 | 0x8, 15, out, 80);
	CHECK(n == 3 && out[0] == 11 && out[1] == 13 && out[2] == 15);
	CHECK(svcgw_sync_missing(10, 0, 10, out, 80) == 0);
	CHECK(svcgw_sync_missing(10, 0, 9, out, 80) == 0);
	CHECK(svcgw_sync_missing(10, 0, 1000, out, 80) == 64 &&
	      out[63] == 74);
	CHECK(svcgw_sync_missing(10, ~0ULL, 1000, out, 80) == 0);
	CHECK(svcgw_sync_missing(10, 0, 1000, out, 5) == 5 && out[4] == 15);
	CHECK(svcgw_sync_missing(~0ULL - 2, 0, ~0ULL, out, 80) == 2 &&
	      out[1] == ~0ULL);
	for (i = 0; i < 100000; i++) {
		cum = rng_below(&r, 8) ? rng_u32(&r) :
		      ~0ULL - rng_below(&r, 100);
		map = rng_u64(&r) & rng_u64(&r);
		if (rng_below(&r, 4) == 0)
			map = rng_below(&r, 2) ? ~0ULL : 0;
		highest = cum - 5 + rng_below(&r, 100);
		if (highest < cum - 5)	/* wrapped: cum near the top */
			highest = ~0ULL;
		max = rng_below(&r, 70);
		for (nw = 0, s = cum + 1; s > cum && s <= highest &&
		     s - cum <= 64 && nw < max; s++)
			if (!(map >> (s - cum - 1) & 1))
				want[nw++] = s;
		n = svcgw_sync_missing(cum, map, highest, out, max);
		bad += n != nw || memcmp(out, want, n * sizeof(*out));
	}
	CHECK(!bad, "%u of 100000", bad);
	tap_end();
}

void test_syncmsg(void)
{
	test_hmac();
	test_layout();
	test_types();
	test_records();
	test_capacity();
	test_refusals();
	test_window();
	test_window_random();
	test_missing();
}
