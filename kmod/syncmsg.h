/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sync channel's messages (Documentation/ha.rst, "The sync channel"):
 * the datagram codec, and the receiver's replay window and acknowledgement
 * state.  Pure: built into the module and into the host unit tests and
 * fuzzer (selftests/unit/test_syncmsg.c, fuzz_syncmsg.c).  No crypto here:
 * the tag is computed by a callback the caller gives (the module's
 * hmac(sha256), OpenSSL's in the tests), so this file stays testable and
 * the kernel's crypto API stays out of it.
 *
 * A datagram, all fields big-endian:
 *
 *   0      magic 0x5347 (16)  version 1 (8)  type (8)
 *   4      flags (16, none defined: 0)  count (16, records of SESSIONS)
 *   8      sender node id (32)
 *   12     receiver node id (32)
 *   16     key id (32)
 *   20     reserved (32, 0)
 *   24     epoch (64)
 *   32     sequence number (64)
 *   40     the body: count records (SESSIONS) or the type's fixed body
 *   end-16 tag: HMAC-SHA256 of all the bytes before it, first 16 bytes
 *
 * Fixed bodies: HELLO and NONCE a 16-byte request id (the NONCE echoes the
 * HELLO's; the new epoch is the NONCE's header epoch), ACK a cumulative
 * sequence number (64) and a map of the 64 after it (64, bit i:
 * cum + 1 + i received), BULK_BEGIN nothing, BULK_END the number of
 * records the bulk sent (64).
 *
 * A record (SESSIONS), 40 bytes IPv4, 88 IPv6; families may mix:
 *
 *   0      op (8)  family 4 or 6 (8)  proto 6 or 17 (8)  state (8)
 *   4      flags (16)  fin (8)  pad (8, 0)
 *   8      origin node id (32)
 *   12     timeout left, ms (32)
 *   16     client, service, server, full NAT endpoints: each an address
 *          (4 or 16 bytes) then a port (16); the full NAT one all zero
 *          unless flags has SVCGW_SYNC_REC_FULLNAT
 */
#ifndef _SVCGW_SYNCMSG_H
#define _SVCGW_SYNCMSG_H

#include "pure.h"

#define SVCGW_SYNC_PORT		7441
#define SVCGW_SYNC_MAGIC	0x5347		/* "SG" */
#define SVCGW_SYNC_VERSION	1
#define SVCGW_SYNC_HDR_LEN	40
#define SVCGW_SYNC_TAG_LEN	16
#define SVCGW_SYNC_MIN_LEN	(SVCGW_SYNC_HDR_LEN + SVCGW_SYNC_TAG_LEN)
#define SVCGW_SYNC_REQID_LEN	16
#define SVCGW_SYNC_REC_HEAD	16
#define SVCGW_SYNC_REC4_LEN	40		/* 16 + 4 x (4 + 2) */
#define SVCGW_SYNC_REC6_LEN	88		/* 16 + 4 x (16 + 2) */

enum svcgw_sync_type {
	SVCGW_SYNC_HELLO	= 1,
	SVCGW_SYNC_NONCE	= 2,
	SVCGW_SYNC_SESSIONS	= 3,
	SVCGW_SYNC_ACK		= 4,
	SVCGW_SYNC_BULK_BEGIN	= 5,
	SVCGW_SYNC_BULK_END	= 6,
};

enum svcgw_sync_op {
	SVCGW_SYNC_OP_UPDATE	= 1,	/* create or replace */
	SVCGW_SYNC_OP_DELETE	= 2,
};

/* Record flags; the others are reserved and refused. */
#define SVCGW_SYNC_REC_FULLNAT	0x0001	/* the full NAT endpoint is set */
#define SVCGW_SYNC_REC_FLAGS	SVCGW_SYNC_REC_FULLNAT

/* The endpoints of a record, in their order on the wire. */
enum svcgw_sync_ep {
	SVCGW_SYNC_EP_CLIENT,
	SVCGW_SYNC_EP_SERVICE,
	SVCGW_SYNC_EP_SERVER,
	SVCGW_SYNC_EP_FULLNAT,
	SVCGW_SYNC_EPS
};

/*
 * What a datagram's checks found, in the order svcgw_sync_parse() makes
 * them: the first that fails is the verdict.  One value per refusal, so
 * that each can have its counter.
 */
enum svcgw_sync_verdict {
	SVCGW_SYNC_OK = 0,
	SVCGW_SYNC_TRUNCATED,	/* shorter than a header and a tag */
	SVCGW_SYNC_BAD_MAGIC,
	SVCGW_SYNC_BAD_VERSION,
	SVCGW_SYNC_BAD_TYPE,
	SVCGW_SYNC_BAD_FIELD,	/* flags, reserved, node id 0, count */
	SVCGW_SYNC_BAD_LENGTH,	/* the body is not what type and count say */
	SVCGW_SYNC_NO_KEY,	/* the mac callback failed (no such key id) */
	SVCGW_SYNC_FORGED,	/* the tag does not verify */
	SVCGW_SYNC_BAD_RECORD,	/* a record's fields */
	SVCGW_SYNC_VERDICTS
};

/* A header in host order.  Magic, version and reserved are implied. */
struct svcgw_sync_hdr {
	u8	type;		/* enum svcgw_sync_type */
	u16	flags;		/* none defined: 0 */
	u16	count;		/* records of a SESSIONS datagram, else 0 */
	u32	sender;		/* node ids, 1 to 2^32-1 */
	u32	receiver;
	u32	key_id;
	u64	epoch;
	u64	seq;
};

struct svcgw_sync_endpoint {
	union svcgw_addr	addr;	/* network order; IPv4 in word 0 */
	__be16			port;
};

/* A session record in host order (addresses and ports in network order,
 * as in struct svcgw_tuple).
 */
struct svcgw_sync_rec {
	u8				op;	/* enum svcgw_sync_op */
	u8				family;	/* AF_INET, AF_INET6 */
	u8				proto;	/* IPPROTO_TCP, IPPROTO_UDP */
	u8				state;	/* struct svcgw_pstate's */
	u16				flags;	/* SVCGW_SYNC_REC_* */
	u8				fin;	/* struct svcgw_pstate's */
	u32				origin;
	u32				timeout_ms;
	struct svcgw_sync_endpoint	ep[SVCGW_SYNC_EPS];
};

/* A parsed datagram; its body fields by hdr.type. */
struct svcgw_sync_msg {
	struct svcgw_sync_hdr	hdr;
	union {
		u8	req_id[SVCGW_SYNC_REQID_LEN];	/* HELLO, NONCE */
		struct {
			u64	cum;
			u64	map;
		} ack;					/* ACK */
		u64	bulk_records;			/* BULK_END */
		struct {
			const u8	*p;	/* in the parsed buffer */
			size_t		len;
		} recs;					/* SESSIONS */
	};
};

/*
 * The tag callback, given as @mac and @ctx: the first SVCGW_SYNC_TAG_LEN
 * bytes of the MAC of the @len bytes at @data into @tag; 0, or a negative
 * errno (e.g. no key of that id).  @data always begins with the header:
 * a callback that holds several keys picks one by svcgw_sync_hdr_decode()
 * of it.
 */

/* The size of a record whose wire family byte is @wfam (4 or 6); 0 if
 * neither.
 */
static inline size_t svcgw_sync_rec_len(u8 wfam)
{
	return wfam == 4 ? SVCGW_SYNC_REC4_LEN :
	       wfam == 6 ? SVCGW_SYNC_REC6_LEN : 0;
}

/* The size of the body of a datagram of @type other than SESSIONS; -1 if
 * @type is none of those.
 */
static inline int svcgw_sync_body_len(u8 type)
{
	switch (type) {
	case SVCGW_SYNC_HELLO:
	case SVCGW_SYNC_NONCE:
		return SVCGW_SYNC_REQID_LEN;
	case SVCGW_SYNC_ACK:
		return 16;
	case SVCGW_SYNC_BULK_BEGIN:
		return 0;
	case SVCGW_SYNC_BULK_END:
		return 8;
	default:
		return -1;
	}
}

enum svcgw_sync_verdict svcgw_sync_hdr_decode(const u8 *p, size_t len,
					      struct svcgw_sync_hdr *h);
void svcgw_sync_hdr_encode(u8 *p, const struct svcgw_sync_hdr *h);

int svcgw_sync_rec_decode(const u8 *p, size_t len, struct svcgw_sync_rec *r);
int svcgw_sync_rec_encode(u8 *p, size_t cap, const struct svcgw_sync_rec *r);
bool svcgw_sync_rec_next(const struct svcgw_sync_msg *m, size_t *off,
			 struct svcgw_sync_rec *r);

enum svcgw_sync_verdict
svcgw_sync_parse(const u8 *buf, size_t len,
		 int (*mac)(void *ctx, const u8 *data, size_t len, u8 *tag),
		 void *ctx, struct svcgw_sync_msg *m);

int svcgw_sync_encode(u8 *buf, size_t cap, const struct svcgw_sync_msg *m,
		      int (*mac)(void *ctx, const u8 *data, size_t len,
				 u8 *tag),
		      void *ctx);

/*
 * A SESSIONS datagram being built in a caller's buffer: records are added
 * while they fit, the header (from @hdr, which the caller may change up to
 * then: its seq, say) and the tag written at the end.
 */
struct svcgw_sync_builder {
	struct svcgw_sync_hdr	hdr;
	u8			*buf;
	size_t			cap;	/* buf's bytes, the tag's included */
	size_t			len;	/* header and records so far */
};

int svcgw_sync_build_init(struct svcgw_sync_builder *b, u8 *buf, size_t cap,
			  const struct svcgw_sync_hdr *h);
int svcgw_sync_build_add(struct svcgw_sync_builder *b,
			 const struct svcgw_sync_rec *r);
int svcgw_sync_build_finish(struct svcgw_sync_builder *b,
			    int (*mac)(void *ctx, const u8 *data, size_t len,
				       u8 *tag),
			    void *ctx);

/*
 * The receiver's window on one sender's stream: the epoch it gave the
 * sender, @cum (every sequence number up to it received; 0 when none,
 * an epoch's first is 1) and which of the SVCGW_SYNC_WINDOW after it
 * were received (bit i of @map: cum + 1 + i, word i / 64).  A sequence
 * number is accepted once; one beyond the window is refused until the
 * gap before it fills (the sender sends it again: it keeps what is not
 * acknowledged).
 */
#define SVCGW_SYNC_WINDOW	256

struct svcgw_sync_window {
	u64	epoch;
	u64	cum;
	u64	map[SVCGW_SYNC_WINDOW / 64];
};

enum svcgw_sync_win_verdict {
	SVCGW_SYNC_WIN_OK = 0,
	SVCGW_SYNC_WIN_OTHER_EPOCH,
	SVCGW_SYNC_WIN_REPLAYED,	/* received already, or not above cum */
	SVCGW_SYNC_WIN_AHEAD,		/* beyond cum + SVCGW_SYNC_WINDOW */
};

void svcgw_sync_win_reset(struct svcgw_sync_window *w, u64 epoch);
enum svcgw_sync_win_verdict
svcgw_sync_win_check(const struct svcgw_sync_window *w, u64 epoch, u64 seq);
bool svcgw_sync_win_commit(struct svcgw_sync_window *w, u64 seq);

/* What an ACK of @w says: cum, and the map of the 64 after it. */
static inline void svcgw_sync_win_ack(const struct svcgw_sync_window *w,
				      u64 *cum, u64 *map)
{
	*cum = w->cum;
	*map = w->map[0];
}

unsigned int svcgw_sync_missing(u64 cum, u64 map, u64 highest, u64 *out,
				unsigned int max);

#endif /* _SVCGW_SYNCMSG_H */
