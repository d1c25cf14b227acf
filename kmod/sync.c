// SPDX-License-Identifier: GPL-2.0
/*
 * The sync channel (sync.h; the protocol in Documentation/ha.rst and
 * syncmsg.h).
 *
 * A namespace whose HA policy names it (LOCAL) replicates with its
 * peers: the nodes it backs up and the nodes that back it up.  With each
 * peer it has two streams: the one it sends (its sessions, or the peer's
 * own when it holds them, for failback) and the one it receives.  A
 * stream begins with HELLO/NONCE (the receiver gives the epoch), then a
 * bulk of every session it must carry, then live records.
 *
 * Contexts.  The packet path leaves records in the namespace's sync queue
 * (syncq.c).  A datagram that arrives is queued by the socket's encap_rcv
 * (softirq) for the work item.  The work item (process context, one at a
 * time: a work_struct never runs twice at once) does the rest under
 * @lock: it takes the queue, builds, tags, numbers and sends datagrams,
 * sends again what the peer did not acknowledge, walks the table for the
 * bulks, and checks and applies what arrived.  HA_SET and HA_GET take
 * @lock too; svcgw_net.lock is taken before it, never after.
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/sha2.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/udp.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <net/udp_tunnel.h>

#include "sync.h"
#include "syncq.h"
#include "syncmsg.h"
#include "ha.h"
#include "session.h"
#include "service.h"
#include "server.h"
#include "stats.h"

#define SYNC_DGRAM_MAX		1400	/* bytes of UDP payload */
#define SYNC_RING		1024	/* datagrams kept for a peer */
#define SYNC_TAKE		256	/* records taken from the queue */
#define SYNC_BULK_STEP		4096	/* sessions a bulk step walks */
#define SYNC_RXQ_MAX		2048	/* datagrams waiting to be read */
#define SYNC_RX_BATCH		256
#define SYNC_TICK		msecs_to_jiffies(50)
#define SYNC_RETRANS		msecs_to_jiffies(200)
#define SYNC_HELLO_EVERY	msecs_to_jiffies(1000)
/* A stream whose oldest datagram no ACK covered for this long restarts. */
#define SYNC_STALL		msecs_to_jiffies(3000)

enum {
	P_TX_DGRAMS, P_TX_RECORDS, P_TX_RETRANS, P_TX_ACKED, P_TX_ERRORS,
	P_TX_LOST, P_TX_BULKS, P_TX_BULK_RECORDS, P_RX_DGRAMS, P_RX_RECORDS,
	P_RX_OTHER_EPOCH, P_RX_REPLAYED, P_RX_AHEAD, P_RX_NO_SERVICE,
	P_RX_NO_SERVER, P_RX_CONFLICT, P_RX_FULL, P_RX_BULKS, P_RX_EPOCHS,
	P_MAX
};

/* The uapi counters are in the same order. */
static_assert(SVCGW_HA_PEER_A_TX_DGRAMS + P_MAX - 1 ==
	      SVCGW_HA_PEER_A_RX_EPOCHS);

struct sync_dgram {
	u8			*buf;
	u16			len;
	unsigned long		sent;	/* jiffies; 0: not sent yet */
};

struct sync_peer {
	u32			id;
	struct sockaddr_storage	sa;
	int			salen;
	union svcgw_addr	addr;
	/* The stream to the peer. */
	u8			tx;		/* enum svcgw_ha_tx_state */
	u8			req_id[SVCGW_SYNC_REQID_LEN];
	unsigned long		hello_at;
	u64			epoch;
	u64			next_seq;	/* the next to give */
	u64			cum;		/* acknowledged up to */
	u64			sent_hi;	/* sent up to */
	unsigned long		progress;	/* jiffies: cum last moved */
	struct sync_dgram	ring[SYNC_RING];	/* by seq % SYNC_RING */
	struct svcgw_sync_builder b;	/* open when b.buf */
	bool			restart;	/* give the stream up */
	/*
	 * The next bulk leaves out the peer's own sessions: the stream
	 * restarts only because this node's backup changed, and the peer
	 * has its sessions (else: it may have restarted, they go back).
	 */
	bool			mine_only;
	bool			bulk;		/* walking the table for it */
	bool			walking;	/* @it entered */
	struct svcgw_session_iter it;
	u64			bulk_records;
	/* The stream from the peer. */
	bool			rx_valid;	/* it was given @win.epoch */
	/*
	 * The epoch of the peer's last HELLO, taken when a datagram of it
	 * comes: until then @win goes on (a HELLO played again by a third
	 * party cannot cut the stream).
	 */
	u64			pending;
	struct svcgw_sync_window win;
	u64			rx_hi;		/* the highest accepted */
	u64			bulk_end;	/* seq of its BULK_END, 0: none */
	u64			rx_since;	/* boot time, ns: stream began */
	bool			synced;
	bool			ack_due;
	u64			ctr[P_MAX];
};

struct svcgw_sync {
	struct svcgw_syncq	q;		/* its work is ours */
	struct svcgw_net	*sn;
	struct mutex		lock;
	struct socket		*sock;
	bool			stopping;
	struct timer_list	tick;
	struct sk_buff_head	rxq;
	u64			started;	/* boot time, ns */
	u32			local;
	u32			own;		/* the peer of our own sessions */
	u16			port;
	u8			family;
	union svcgw_addr	addr;
	u32			key_id, prev_key_id;
	struct crypto_shash	*tfm, *prev_tfm;	/* prev: NULL if none */
	unsigned int		npeers;
	struct sync_peer	**peers;
	u64			refused[SVCGW_SYNC_VERDICTS];
	u64			not_peer;
	atomic64_t		rx_full;
	/* Scratch of the work item. */
	struct svcgw_sync_rec	recs[SYNC_TAKE];
	struct sync_peer	*to[SYNC_TAKE];
	u8			rxbuf[SYNC_DGRAM_MAX];
};

/* ------------------------------------------------------------------ */
/* Keys */

/* The tag of the key the header of @data names (syncmsg.h's callback). */
static int sync_mac(void *ctx, const u8 *data, size_t len, u8 *tag)
{
	struct svcgw_sync *sy = ctx;
	struct crypto_shash *tfm;
	u8 out[SHA256_DIGEST_SIZE];
	u32 key_id;
	int err;

	if (len < SVCGW_SYNC_HDR_LEN)
		return -EINVAL;
	key_id = get_unaligned_be32(data + 16);
	if (key_id == sy->key_id)
		tfm = sy->tfm;
	else if (sy->prev_tfm && key_id == sy->prev_key_id)
		tfm = sy->prev_tfm;
	else
		return -ENOKEY;
	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		err = crypto_shash_digest(desc, data, len, out);
		shash_desc_zero(desc);
	}
	if (!err)
		memcpy(tag, out, SVCGW_SYNC_TAG_LEN);
	memzero_explicit(out, sizeof(out));
	return err;
}

static struct crypto_shash *sync_tfm(const u8 *key)
{
	struct crypto_shash *tfm;
	int err;

	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm))
		return tfm;
	err = crypto_shash_setkey(tfm, key, SVCGW_HA_KEY_LEN);
	if (err) {
		crypto_free_shash(tfm);
		return ERR_PTR(err);
	}
	return tfm;
}

/* @sy's keys become @ha's.  Under @sy->lock (or before it is shared). */
static int sync_set_keys(struct svcgw_sync *sy, const struct svcgw_ha *ha)
{
	struct crypto_shash *tfm, *prev = NULL;

	tfm = sync_tfm(ha->key);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	if (ha->has_prev) {
		prev = sync_tfm(ha->prev_key);
		if (IS_ERR(prev)) {
			crypto_free_shash(tfm);
			return PTR_ERR(prev);
		}
	}
	if (sy->tfm)
		crypto_free_shash(sy->tfm);
	if (sy->prev_tfm)
		crypto_free_shash(sy->prev_tfm);
	sy->tfm = tfm;
	sy->prev_tfm = prev;
	sy->key_id = ha->key_id;
	sy->prev_key_id = ha->has_prev ? ha->prev_key_id : 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Peers */

static struct sync_peer *peer_find(struct svcgw_sync *sy, u32 id)
{
	unsigned int i;

	for (i = 0; i < sy->npeers; i++)
		if (sy->peers[i]->id == id)
			return sy->peers[i];
	return NULL;
}

static bool has_backup(const struct svcgw_ha_node *n, u32 id)
{
	unsigned int i;

	for (i = 0; i < n->nbackups; i++)
		if (n->backups[i] == id)
			return true;
	return false;
}

/* Does the policy pair @local with @n (one backs the other up)? */
static bool paired(const struct svcgw_ha *ha, const struct svcgw_ha_node *me,
		   const struct svcgw_ha_node *n)
{
	return n->id != me->id && (has_backup(me, n->id) ||
				   has_backup(n, me->id));
}

static void peer_addr(struct sync_peer *p, const struct svcgw_key *k,
		      u16 port)
{
	memset(&p->sa, 0, sizeof(p->sa));
	p->addr = k->addr;
	if (k->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&p->sa;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = k->addr.ip;
		p->salen = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&p->sa;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		memcpy(&in6->sin6_addr, &k->addr.ip6, sizeof(in6->sin6_addr));
		p->salen = sizeof(*in6);
	}
}

static void ring_drop(struct sync_peer *p)
{
	unsigned int i;

	for (i = 0; i < SYNC_RING; i++) {
		kfree(p->ring[i].buf);
		p->ring[i].buf = NULL;
	}
	kfree(p->b.buf);
	p->b.buf = NULL;
}

static void bulk_stop(struct sync_peer *p)
{
	if (p->walking)
		svcgw_session_iter_exit(&p->it);
	p->walking = false;
	p->bulk = false;
}

/* The stream to @p starts (again): a HELLO at the next step. */
static void tx_reset(struct sync_peer *p)
{
	bulk_stop(p);
	ring_drop(p);
	p->tx = SVCGW_HA_TX_HELLO;
	p->hello_at = 0;
	p->epoch = 0;
	p->next_seq = 1;
	p->cum = 0;
	p->sent_hi = 0;
	p->restart = false;
}

static void peer_free(struct sync_peer *p)
{
	bulk_stop(p);
	ring_drop(p);
	kvfree(p);
}

/* ------------------------------------------------------------------ */
/* Sending */

static void sync_send(struct svcgw_sync *sy, struct sync_peer *p,
		      const u8 *buf, size_t len)
{
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &p->sa,
		.msg_namelen = p->salen,
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
	};

	if (kernel_sendmsg(sy->sock, &msg, &iov, 1, len) < 0)
		p->ctr[P_TX_ERRORS]++;
}

static void hdr_init(struct svcgw_sync *sy, struct sync_peer *p,
		     struct svcgw_sync_hdr *h, u8 type)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->sender = sy->local;
	h->receiver = p->id;
	h->key_id = sy->key_id;
}

/* A datagram outside the sequence space (HELLO, NONCE, ACK), at once. */
static void send_control(struct svcgw_sync *sy, struct sync_peer *p,
			 struct svcgw_sync_msg *m)
{
	u8 buf[SVCGW_SYNC_MIN_LEN + SVCGW_SYNC_REQID_LEN];
	int len;

	len = svcgw_sync_encode(buf, sizeof(buf), m, sync_mac, sy);
	if (len > 0)
		sync_send(sy, p, buf, len);
	else
		p->ctr[P_TX_ERRORS]++;
}

static void send_hello(struct svcgw_sync *sy, struct sync_peer *p)
{
	struct svcgw_sync_msg m = {};

	hdr_init(sy, p, &m.hdr, SVCGW_SYNC_HELLO);
	get_random_bytes(p->req_id, sizeof(p->req_id));
	memcpy(m.req_id, p->req_id, sizeof(m.req_id));
	p->hello_at = jiffies;
	send_control(sy, p, &m);
}

/* The datagram of @seq is in the ring: false if the ring is full. */
static bool ring_room(const struct sync_peer *p)
{
	return p->next_seq - p->cum <= SYNC_RING;
}

/* The datagram @buf (@len bytes, tagged, numbered @p->next_seq) takes its
 * place in @p's ring.
 */
static void ring_put(struct sync_peer *p, u8 *buf, size_t len)
{
	struct sync_dgram *d = &p->ring[p->next_seq % SYNC_RING];

	kfree(d->buf);
	d->buf = buf;
	d->len = len;
	d->sent = 0;
	p->next_seq++;
}

/* Close the open SESSIONS datagram of @p, if any, into the ring. */
static void builder_close(struct svcgw_sync *sy, struct sync_peer *p)
{
	struct svcgw_sync_builder *b = &p->b;
	u8 *buf = b->buf;
	int len;

	if (!buf)
		return;
	if (!b->hdr.count) {
		b->buf = NULL;
		kfree(buf);
		return;
	}
	b->hdr.seq = p->next_seq;
	len = svcgw_sync_build_finish(b, sync_mac, sy);
	b->buf = NULL;		/* the ring's now, or freed */
	if (len < 0) {
		kfree(buf);
		p->ctr[P_TX_ERRORS]++;
		return;
	}
	ring_put(p, buf, len);
}

/*
 * Add @r to @p's open datagram, closing it when full.  False if @p's ring
 * is full: the stream is then given up (a resync follows).
 */
static bool tx_record(struct svcgw_sync *sy, struct sync_peer *p,
		      const struct svcgw_sync_rec *r)
{
	struct svcgw_sync_builder *b = &p->b;
	struct svcgw_sync_hdr h;
	int i;

	for (i = 0; i < 2; i++) {
		if (!b->buf) {
			u8 *buf;

			if (!ring_room(p)) {
				p->restart = true;
				p->mine_only = false;	/* records lost */
				return false;
			}
			buf = kmalloc(SYNC_DGRAM_MAX, GFP_KERNEL);
			if (!buf) {
				p->ctr[P_TX_ERRORS]++;
				return false;
			}
			hdr_init(sy, p, &h, SVCGW_SYNC_SESSIONS);
			h.epoch = p->epoch;
			if (svcgw_sync_build_init(b, buf, SYNC_DGRAM_MAX, &h)) {
				kfree(buf);
				p->ctr[P_TX_ERRORS]++;
				return false;
			}
		}
		if (!svcgw_sync_build_add(b, r)) {
			p->ctr[P_TX_RECORDS]++;
			return true;
		}
		builder_close(sy, p);	/* full: the next one */
	}
	p->ctr[P_TX_ERRORS]++;
	return false;
}

/* BULK_BEGIN or BULK_END into @p's stream. */
static void tx_mark(struct svcgw_sync *sy, struct sync_peer *p, u8 type)
{
	struct svcgw_sync_msg m = {};
	u8 *buf;
	int len;

	builder_close(sy, p);
	if (!ring_room(p)) {
		p->restart = true;
		return;
	}
	buf = kmalloc(SVCGW_SYNC_MIN_LEN + 8, GFP_KERNEL);
	if (!buf) {
		p->restart = true;
		return;
	}
	hdr_init(sy, p, &m.hdr, type);
	m.hdr.epoch = p->epoch;
	m.hdr.seq = p->next_seq;
	m.bulk_records = p->bulk_records;
	len = svcgw_sync_encode(buf, SVCGW_SYNC_MIN_LEN + 8, &m, sync_mac, sy);
	if (len < 0) {
		kfree(buf);
		p->restart = true;
		return;
	}
	ring_put(p, buf, len);
}

/* Send what the window lets go, and again what waited too long. */
static void tx_flush(struct svcgw_sync *sy, struct sync_peer *p)
{
	u64 seq, last = min(p->next_seq - 1, p->cum + SVCGW_SYNC_WINDOW);
	unsigned long now = jiffies;
	struct sync_dgram *d;

	for (seq = p->cum + 1; seq <= p->sent_hi; seq++) {
		d = &p->ring[seq % SYNC_RING];
		if (d->buf && time_after(now, d->sent + SYNC_RETRANS)) {
			sync_send(sy, p, d->buf, d->len);
			d->sent = now;
			p->ctr[P_TX_RETRANS]++;
		}
	}
	for (seq = p->sent_hi + 1; seq <= last; seq++) {
		d = &p->ring[seq % SYNC_RING];
		if (!d->buf)
			break;
		if (p->sent_hi == p->cum)	/* the first in flight */
			p->progress = now;
		sync_send(sy, p, d->buf, d->len);
		d->sent = now ?: 1;
		p->sent_hi = seq;
		p->ctr[P_TX_DGRAMS]++;
	}
}

/* ------------------------------------------------------------------ */
/* Which peer a record goes to */

/*
 * The peer that carries the sessions of @origin from this node: for this
 * node's own (0 or LOCAL), the first of its backups that the controller
 * has not said down; for another node's, that node, unless it is down
 * (failback: its flows go back to it).  Under RCU.
 */
static struct sync_peer *target(struct svcgw_sync *sy,
				 const struct svcgw_ha *ha, u32 origin)
{
	const struct svcgw_ha_node *me, *n;
	unsigned int i;

	if (!origin || origin == sy->local) {
		me = svcgw_ha_node_find(ha, sy->local);
		for (i = 0; me && i < me->nbackups; i++) {
			n = svcgw_ha_node_find(ha, me->backups[i]);
			if (n && READ_ONCE(n->state) != SVCGW_HA_STATE_DOWN)
				return peer_find(sy, n->id);
		}
		return NULL;
	}
	n = svcgw_ha_node_find(ha, origin);
	if (!n || READ_ONCE(n->state) == SVCGW_HA_STATE_DOWN)
		return NULL;
	return peer_find(sy, origin);
}

/* Records from the queue, each to its peer. */
static void tx_queue(struct svcgw_sync *sy)
{
	struct svcgw_net *sn = sy->sn;
	struct sync_peer **to = sy->to;
	const struct svcgw_ha *ha;
	unsigned int n, i;
	bool overrun;

	do {
		n = svcgw_syncq_take(&sy->q, sy->recs, SYNC_TAKE, &overrun);
		if (overrun)	/* records were lost: every stream again */
			for (i = 0; i < sy->npeers; i++) {
				sy->peers[i]->restart = true;
				sy->peers[i]->mine_only = false;
			}
		rcu_read_lock();
		ha = rcu_dereference(sn->ha);
		for (i = 0; i < n; i++) {
			if (!sy->recs[i].origin)
				sy->recs[i].origin = sy->local;
			to[i] = ha ? target(sy, ha, sy->recs[i].origin) : NULL;
		}
		rcu_read_unlock();
		/*
		 * A stream that is not up gets none: its bulk, still to come,
		 * sends the table as it is then.
		 */
		for (i = 0; i < n; i++)
			if (to[i] && to[i]->tx != SVCGW_HA_TX_HELLO &&
			    !to[i]->restart)
				tx_record(sy, to[i], &sy->recs[i]);
	} while (n == SYNC_TAKE);
}

/*
 * A step of @p's bulk: up to SYNC_BULK_STEP sessions of the table, those
 * that @p carries, while its ring has room for them.
 */
static void tx_bulk(struct svcgw_sync *sy, struct sync_peer *p)
{
	struct svcgw_net *sn = sy->sn;
	struct svcgw_session *s, *next;
	unsigned int seen = 0, n, i;
	const struct svcgw_ha *ha;

	if (!p->walking) {
		svcgw_session_iter_enter(sn, &p->it);
		p->walking = true;
		svcgw_session_iter_start(&p->it);
		next = svcgw_session_iter_next(&p->it);
	} else {
		svcgw_session_iter_start(&p->it);
		next = svcgw_session_iter_resume(&p->it);
	}
	while (next && seen < SYNC_BULK_STEP &&
	       p->next_seq - p->cum < SYNC_RING / 2) {
		n = 0;
		rcu_read_lock();
		ha = rcu_dereference(sn->ha);
		while ((s = next) && n < SYNC_TAKE) {
			u32 o;

			next = svcgw_session_iter_next(&p->it);
			seen++;
			if (!(READ_ONCE(s->flags) & SVCGW_SF_REPL) ||
			    svcgw_session_expired(s) || !ha)
				continue;
			o = READ_ONCE(s->origin) ?: sy->local;
			if (o == sy->local ? target(sy, ha, o) != p :
					     o != p->id || p->mine_only)
				continue;
			svcgw_session_rec(s, SVCGW_SYNC_OP_UPDATE, &sy->recs[n]);
			sy->recs[n++].origin = o;
			if (!(READ_ONCE(s->flags) & SVCGW_SF_SENT))
				WRITE_ONCE(s->flags,
					   READ_ONCE(s->flags) | SVCGW_SF_SENT);
		}
		rcu_read_unlock();
		/* The walk stands on @next: rest, then add what was read. */
		svcgw_session_iter_stop(&p->it);
		for (i = 0; i < n; i++) {
			if (!tx_record(sy, p, &sy->recs[i]))
				break;
			p->bulk_records++;
		}
		if (p->restart)
			return;
		cond_resched();
		svcgw_session_iter_start(&p->it);
		if (next)
			next = svcgw_session_iter_resume(&p->it);
	}
	svcgw_session_iter_stop(&p->it);
	if (!next) {
		bulk_stop(p);
		p->mine_only = false;
		tx_mark(sy, p, SVCGW_SYNC_BULK_END);
		p->ctr[P_TX_BULKS]++;
		p->ctr[P_TX_BULK_RECORDS] += p->bulk_records;
		p->tx = SVCGW_HA_TX_UP;
	}
}

/* ------------------------------------------------------------------ */
/* Receiving */

static void send_ack(struct svcgw_sync *sy, struct sync_peer *p)
{
	struct svcgw_sync_msg m = {};

	hdr_init(sy, p, &m.hdr, SVCGW_SYNC_ACK);
	m.hdr.epoch = p->win.epoch;
	svcgw_sync_win_ack(&p->win, &m.ack.cum, &m.ack.map);
	send_control(sy, p, &m);
	p->ack_due = false;
}

/* A record's fields beyond what the codec checks. */
static bool rec_sane(const struct svcgw_sync_rec *r)
{
	return r->origin && r->state <= SVCGW_SESS_MAX &&
	       r->timeout_ms <= SVCGW_TIMEOUT_MAX * 1000U &&
	       (r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP);
}

/* The server of @svc at @ep (a guest's too), under RCU. */
static struct svcgw_server *rec_server(struct svcgw_net *sn,
				       const struct svcgw_service *svc,
				       const struct svcgw_key *ep)
{
	struct svcgw_server *srv;
	struct rhlist_head *pos, *list;

	srv = svcgw_endpoint_lookup_rcu(sn, ep);
	if (srv && srv->svc == svc)
		return srv;
	list = svcgw_guests_lookup_rcu(sn, ep);
	rhl_for_each_entry_rcu(srv, pos, list, guest_node)
		if (srv->svc == svc)
			return srv;
	return NULL;
}

static void rx_record(struct svcgw_sync *sy, struct sync_peer *p,
		      const struct svcgw_sync_rec *r)
{
	const struct svcgw_sync_endpoint *ep = r->ep;
	struct svcgw_net *sn = sy->sn;
	struct svcgw_service *svc;
	struct svcgw_server *srv;
	struct svcgw_key k = {};
	int err;

	p->ctr[P_RX_RECORDS]++;
	k.family = r->family;
	k.proto = r->proto;
	k.addr = ep[SVCGW_SYNC_EP_SERVICE].addr;
	k.port = ep[SVCGW_SYNC_EP_SERVICE].port;
	rcu_read_lock();
	local_bh_disable();
	svc = svcgw_service_lookup_rcu(sn, &k);
	if (!svc) {
		p->ctr[P_RX_NO_SERVICE]++;
		goto out;
	}
	k.addr = ep[SVCGW_SYNC_EP_SERVER].addr;
	k.port = ep[SVCGW_SYNC_EP_SERVER].port;
	srv = rec_server(sn, svc, &k);
	if (!srv) {
		p->ctr[P_RX_NO_SERVER]++;
		goto out;
	}
	err = svcgw_session_replica(sn, srv, r, p->id);
	if (err == -EEXIST)
		p->ctr[P_RX_CONFLICT]++;
	else if (err)
		p->ctr[P_RX_FULL]++;
out:
	local_bh_enable();
	rcu_read_unlock();
}

/* SESSIONS, BULK_BEGIN, BULK_END: the stream from @p. */
static void rx_stream(struct svcgw_sync *sy, struct sync_peer *p,
		      const struct svcgw_sync_msg *m)
{
	enum svcgw_sync_win_verdict wv;
	struct svcgw_sync_rec r;
	size_t off = 0;
	u64 cum = p->win.cum;

	if (p->pending && m->hdr.epoch == p->pending) {
		/* The sender took the epoch of its HELLO: a new stream. */
		svcgw_sync_win_reset(&p->win, p->pending);
		p->pending = 0;
		p->rx_since = ktime_get_boottime_ns();
		p->rx_valid = true;
		p->rx_hi = 0;
		p->bulk_end = 0;
		p->synced = false;
		cum = 0;
	}
	if (!p->rx_valid) {
		p->ctr[P_RX_OTHER_EPOCH]++;
		return;
	}
	wv = svcgw_sync_win_check(&p->win, m->hdr.epoch, m->hdr.seq);
	switch (wv) {
	case SVCGW_SYNC_WIN_OK:
		break;
	case SVCGW_SYNC_WIN_OTHER_EPOCH:
		p->ctr[P_RX_OTHER_EPOCH]++;
		return;
	case SVCGW_SYNC_WIN_REPLAYED:
		p->ctr[P_RX_REPLAYED]++;
		p->ack_due = true;	/* our ACK may have been lost */
		return;
	default:
		p->ctr[P_RX_AHEAD]++;
		p->ack_due = true;
		return;
	}
	/* Every record checked first: none of a bad datagram is used. */
	if (m->hdr.type == SVCGW_SYNC_SESSIONS) {
		while (svcgw_sync_rec_next(m, &off, &r))
			if (!rec_sane(&r)) {
				sy->refused[SVCGW_SYNC_BAD_RECORD]++;
				return;
			}
		off = 0;
		while (svcgw_sync_rec_next(m, &off, &r))
			rx_record(sy, p, &r);
	} else if (m->hdr.type == SVCGW_SYNC_BULK_BEGIN) {
		/* One sent again after its BULK_END came (a loss) ends
		 * nothing: only a newer bulk does.
		 */
		if (m->hdr.seq > p->bulk_end) {
			p->synced = false;
			p->bulk_end = 0;
		}
	} else {
		p->bulk_end = m->hdr.seq;
	}
	svcgw_sync_win_commit(&p->win, m->hdr.seq);
	p->rx_hi = max(p->rx_hi, m->hdr.seq);
	p->ctr[P_RX_DGRAMS]++;
	p->ack_due = true;
	if (p->bulk_end && p->win.cum >= p->bulk_end && !p->synced) {
		p->synced = true;
		p->ctr[P_RX_BULKS]++;
	}
	/* A gap: say so at once, the sender sends it again. */
	if (p->win.cum == cum && m->hdr.seq != cum + 1)
		send_ack(sy, p);
}

static void rx_ack(struct svcgw_sync *sy, struct sync_peer *p,
		   const struct svcgw_sync_msg *m)
{
	u64 missing[16], seq;
	unsigned int n, i;

	if (p->tx == SVCGW_HA_TX_HELLO || m->hdr.epoch != p->epoch) {
		p->ctr[P_RX_OTHER_EPOCH]++;
		return;
	}
	if (m->ack.cum > p->sent_hi) {
		sy->refused[SVCGW_SYNC_BAD_FIELD]++;
		return;
	}
	for (seq = p->cum + 1; seq <= m->ack.cum; seq++) {
		struct sync_dgram *d = &p->ring[seq % SYNC_RING];

		kfree(d->buf);
		d->buf = NULL;
		p->ctr[P_TX_ACKED]++;
	}
	if (m->ack.cum < p->cum)
		return;		/* an older ACK: its map is of another cum */
	if (m->ack.cum > p->cum)
		p->progress = jiffies;
	p->cum = m->ack.cum;
	/* What the map shows missing goes again now. */
	n = svcgw_sync_missing(p->cum, m->ack.map, p->sent_hi, missing,
			       ARRAY_SIZE(missing));
	for (i = 0; i < n; i++) {
		struct sync_dgram *d = &p->ring[missing[i] % SYNC_RING];

		if (d->buf && time_after(jiffies, d->sent + SYNC_TICK)) {
			sync_send(sy, p, d->buf, d->len);
			d->sent = jiffies;
			p->ctr[P_TX_RETRANS]++;
		}
	}
}

static void rx_hello(struct svcgw_sync *sy, struct sync_peer *p,
		     const struct svcgw_sync_msg *m)
{
	struct svcgw_sync_msg a = {};
	u64 epoch;

	do {
		epoch = get_random_u64();
	} while (!epoch);
	p->pending = epoch;
	p->ctr[P_RX_EPOCHS]++;
	hdr_init(sy, p, &a.hdr, SVCGW_SYNC_NONCE);
	a.hdr.epoch = epoch;
	memcpy(a.req_id, m->req_id, sizeof(a.req_id));
	send_control(sy, p, &a);
}

static void rx_nonce(struct svcgw_sync *sy, struct sync_peer *p,
		     const struct svcgw_sync_msg *m)
{
	if (p->tx != SVCGW_HA_TX_HELLO || !m->hdr.epoch ||
	    crypto_memneq(m->req_id, p->req_id, sizeof(p->req_id))) {
		p->ctr[P_RX_REPLAYED]++;
		return;
	}
	p->epoch = m->hdr.epoch;
	p->tx = SVCGW_HA_TX_BULK;
	p->bulk = true;
	p->bulk_records = 0;
	tx_mark(sy, p, SVCGW_SYNC_BULK_BEGIN);
}

/* The sender's address, from the packet's IP header. */
static bool rx_from(const struct sk_buff *skb, const struct sync_peer *p)
{
	if (ip_hdr(skb)->version == 4)
		return p->sa.ss_family == AF_INET &&
		       ip_hdr(skb)->saddr == p->addr.ip;
	return p->sa.ss_family == AF_INET6 &&
	       !memcmp(&ipv6_hdr(skb)->saddr, &p->addr.ip6,
		       sizeof(struct in6_addr));
}

static void rx_one(struct svcgw_sync *sy, struct sk_buff *skb)
{
	enum svcgw_sync_verdict v;
	struct svcgw_sync_msg m;
	struct sync_peer *p;
	unsigned int off, len;

	off = skb_transport_offset(skb) + sizeof(struct udphdr);
	if (skb->len < off) {
		sy->refused[SVCGW_SYNC_TRUNCATED]++;
		return;
	}
	len = skb->len - off;
	if (len > sizeof(sy->rxbuf)) {
		sy->refused[SVCGW_SYNC_BAD_LENGTH]++;
		return;
	}
	if (skb_copy_bits(skb, off, sy->rxbuf, len)) {
		sy->refused[SVCGW_SYNC_TRUNCATED]++;
		return;
	}
	v = svcgw_sync_parse(sy->rxbuf, len, sync_mac, sy, &m);
	if (v != SVCGW_SYNC_OK) {
		sy->refused[v]++;
		return;
	}
	p = peer_find(sy, m.hdr.sender);
	if (!p || m.hdr.receiver != sy->local || !rx_from(skb, p)) {
		sy->not_peer++;
		return;
	}
	switch (m.hdr.type) {
	case SVCGW_SYNC_HELLO:
		rx_hello(sy, p, &m);
		break;
	case SVCGW_SYNC_NONCE:
		rx_nonce(sy, p, &m);
		break;
	case SVCGW_SYNC_ACK:
		rx_ack(sy, p, &m);
		break;
	default:
		rx_stream(sy, p, &m);
		break;
	}
}

static int sync_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct svcgw_sync *sy = rcu_dereference_sk_user_data(sk);

	if (!sy || READ_ONCE(sy->stopping) ||
	    skb_queue_len(&sy->rxq) >= SYNC_RXQ_MAX) {
		if (sy)
			atomic64_inc(&sy->rx_full);
		kfree_skb(skb);
		return 0;
	}
	skb_queue_tail(&sy->rxq, skb);
	mod_delayed_work(svcgw_sync_wq, &sy->q.work, 0);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The work item and its tick */

static void sync_tick(struct timer_list *t)
{
	struct svcgw_sync *sy = from_timer(sy, t, tick);

	if (!READ_ONCE(sy->stopping))
		mod_delayed_work(svcgw_sync_wq, &sy->q.work, 0);
}

static bool peer_step(struct svcgw_sync *sy, struct sync_peer *p)
{
	unsigned long now = jiffies;

	if (!p->restart && p->tx != SVCGW_HA_TX_HELLO &&
	    p->sent_hi > p->cum && time_after(now, p->progress + SYNC_STALL)) {
		p->restart = true;
		p->mine_only = false;
	}
	if (p->restart) {
		p->ctr[P_TX_LOST]++;
		tx_reset(p);
	}
	if (p->ack_due)
		send_ack(sy, p);
	if (p->tx == SVCGW_HA_TX_HELLO) {
		if (!p->hello_at || time_after(now, p->hello_at +
						SYNC_HELLO_EVERY))
			send_hello(sy, p);
		return true;
	}
	if (p->bulk)
		tx_bulk(sy, p);
	builder_close(sy, p);
	tx_flush(sy, p);
	return p->bulk || p->sent_hi > p->cum || p->next_seq - 1 > p->sent_hi;
}

static void sync_work(struct work_struct *work)
{
	struct svcgw_sync *sy = container_of(to_delayed_work(work),
					     struct svcgw_sync, q.work);
	struct sk_buff *skb;
	bool busy = false;
	unsigned int i;

	mutex_lock(&sy->lock);
	if (sy->stopping)
		goto out;
	for (i = 0; i < SYNC_RX_BATCH && (skb = skb_dequeue(&sy->rxq)); i++) {
		rx_one(sy, skb);
		consume_skb(skb);
	}
	tx_queue(sy);
	for (i = 0; i < sy->npeers; i++)
		busy |= peer_step(sy, sy->peers[i]);
	if (!skb_queue_empty(&sy->rxq))
		mod_delayed_work(svcgw_sync_wq, &sy->q.work, 0);
	else if (busy || sy->npeers)
		mod_timer(&sy->tick, jiffies + SYNC_TICK);
out:
	mutex_unlock(&sy->lock);
}

/* ------------------------------------------------------------------ */
/* Making and ending the channel */

static int sync_socket(struct svcgw_sync *sy, struct net *net,
		       struct netlink_ext_ack *extack)
{
	struct udp_tunnel_sock_cfg tcfg = {
		.sk_user_data = sy,
		.encap_type = 1,
		.encap_rcv = sync_encap_rcv,
	};
	struct sockaddr_storage ss = {};
	struct socket *sock;
	int err, len;

	err = sock_create_kern(net, sy->family, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot make the sync socket");
		return err;
	}
	/* The address may come up after the policy (svcgwd's order). */
	ip_sock_set_freebind(sock->sk);
	if (sy->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = sy->addr.ip;
		in->sin_port = htons(sy->port);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		ip6_sock_set_v6only(sock->sk);
		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, &sy->addr.ip6, sizeof(in6->sin6_addr));
		in6->sin6_port = htons(sy->port);
		len = sizeof(*in6);
	}
	err = kernel_bind(sock, (struct sockaddr *)&ss, len);
	if (err) {
		NL_SET_ERR_MSG(extack,
			       "cannot bind the sync socket to this node's sync address and port");
		sock_release(sock);
		return err;
	}
	setup_udp_tunnel_sock(net, sock, &tcfg);
	sy->sock = sock;
	return 0;
}

static bool peer_held(const struct svcgw_sync *sy, const struct sync_peer *p)
{
	unsigned int i;

	for (i = 0; i < sy->npeers; i++)
		if (sy->peers[i] == p)
			return true;
	return false;
}

/*
 * The peers of @me in @ha, keeping the streams of those @sy has (unless
 * their sync address moved).  Nothing changes if it fails.
 */
static int sync_peers(struct svcgw_sync *sy, const struct svcgw_ha *ha,
		      const struct svcgw_ha_node *me)
{
	struct sync_peer **peers, *p;
	unsigned int i, j, n = 0;
	bool keep;

	peers = kcalloc(ha->nnodes, sizeof(*peers), GFP_KERNEL);
	if (!peers)
		return -ENOMEM;
	for (i = 0; i < ha->nnodes; i++) {
		const struct svcgw_ha_node *node = &ha->nodes[i];

		if (!paired(ha, me, node))
			continue;
		p = peer_find(sy, node->id);
		if (!p || memcmp(&p->addr, &node->sync.addr, sizeof(p->addr))) {
			p = kvzalloc(sizeof(*p), GFP_KERNEL);
			if (!p)
				goto nomem;
			p->id = node->id;
			peer_addr(p, &node->sync, sy->port);
			tx_reset(p);
		}
		peers[n++] = p;
	}
	for (i = 0; i < sy->npeers; i++) {
		for (j = 0, keep = false; j < n && !keep; j++)
			keep = peers[j] == sy->peers[i];
		if (!keep)
			peer_free(sy->peers[i]);
	}
	kfree(sy->peers);
	sy->peers = peers;
	sy->npeers = n;
	return 0;

nomem:
	for (j = 0; j < n; j++)
		if (!peer_held(sy, peers[j]))
			peer_free(peers[j]);
	kfree(peers);
	return -ENOMEM;
}

/* No datagram reaches @sy once this returns but through a call to
 * sync_encap_rcv() already running (a grace period ends those).
 */
static void sync_close(struct svcgw_sync *sy)
{
	/* Under @lock: the work item may be sending on the socket. */
	mutex_lock(&sy->lock);
	WRITE_ONCE(sy->stopping, true);
	if (sy->sock) {
		udp_tunnel_sock_release(sy->sock);
		sy->sock = NULL;
	}
	mutex_unlock(&sy->lock);
}

/* After sync_close() and a grace period. */
static void sync_destroy(struct svcgw_sync *sy)
{
	unsigned int i;

	del_timer_sync(&sy->tick);
	cancel_delayed_work_sync(&sy->q.work);
	del_timer_sync(&sy->tick);
	skb_queue_purge(&sy->rxq);
	for (i = 0; i < sy->npeers; i++)
		peer_free(sy->peers[i]);
	kfree(sy->peers);
	if (sy->tfm)
		crypto_free_shash(sy->tfm);
	if (sy->prev_tfm)
		crypto_free_shash(sy->prev_tfm);
	svcgw_syncq_free(&sy->q);
	kvfree(sy);
}

/* Stop replicating: the queue first (no record is left), then the rest. */
static void sync_stop(struct svcgw_net *sn)
{
	struct svcgw_sync *sy = sn->sync;

	if (!sy)
		return;
	RCU_INIT_POINTER(sn->syncq, NULL);
	sn->sync = NULL;
	sync_close(sy);
	/* One grace period for both: the queue's users, encap_rcv. */
	synchronize_rcu();
	sync_destroy(sy);
}

/*
 * Which peer carries this node's own sessions now; when it is another
 * than before, its stream starts again, so that a bulk gives it the
 * sessions that went to the one before.  Under @sy->lock and RCU.
 */
static void own_target(struct svcgw_sync *sy, const struct svcgw_ha *ha)
{
	struct sync_peer *p = target(sy, ha, sy->local);
	u32 id = p ? p->id : 0;

	if (id == sy->own)
		return;
	sy->own = id;
	if (p) {
		p->mine_only = !p->restart;
		p->restart = true;
	}
}

static struct svcgw_sync *sync_new(struct svcgw_net *sn,
				   const struct svcgw_ha *ha,
				   const struct svcgw_ha_node *me,
				   struct netlink_ext_ack *extack)
{
	struct svcgw_sync *sy;
	struct sync_peer *p;
	int err;

	sy = kvzalloc(sizeof(*sy), GFP_KERNEL);
	if (!sy)
		return ERR_PTR(-ENOMEM);
	err = svcgw_syncq_init(&sy->q, sync_work);
	if (err) {
		kvfree(sy);
		return ERR_PTR(err);
	}
	sy->sn = sn;
	sy->started = ktime_get_boottime_ns();
	mutex_init(&sy->lock);
	timer_setup(&sy->tick, sync_tick, 0);
	skb_queue_head_init(&sy->rxq);
	atomic64_set(&sy->rx_full, 0);
	sy->local = me->id;
	sy->port = ha->port;
	sy->family = me->sync.family;
	sy->addr = me->sync.addr;
	err = sync_set_keys(sy, ha);
	if (err) {
		NL_SET_ERR_MSG(extack, "no hmac(sha256) for the sync keys");
		goto fail;
	}
	err = sync_peers(sy, ha, me);
	if (err)
		goto fail;
	err = sync_socket(sy, sn->net, extack);
	if (err)
		goto fail;
	/* Every stream is new: no restart needed, just the name. */
	p = target(sy, ha, sy->local);
	sy->own = p ? p->id : 0;
	return sy;

fail:
	/* The socket is the last step: none was up, nothing to wait for. */
	sync_close(sy);
	sync_destroy(sy);
	return ERR_PTR(err);
}

/*
 * Make the namespace's channel agree with its HA policy, just replaced
 * (svcgw_ha_replace()): none without a policy or a LOCAL node; a new one
 * when this node's id, sync address or port changed; else the same one
 * with the policy's keys and peers (streams of peers that stay go on).
 */
int svcgw_sync_apply(struct svcgw_net *sn, struct netlink_ext_ack *extack)
{
	const struct svcgw_ha_node *me = NULL;
	struct svcgw_sync *sy, *old;
	const struct svcgw_ha *ha;
	int err = 0;

	mutex_lock(&sn->lock);
	ha = rcu_dereference_protected(sn->ha, lockdep_is_held(&sn->lock));
	if (ha && ha->local)
		me = svcgw_ha_node_find(ha, ha->local);
	old = sn->sync;
	if (!me) {
		sync_stop(sn);
		goto out;
	}
	if (old && old->local == me->id && old->port == ha->port &&
	    old->family == me->sync.family &&
	    !memcmp(&old->addr, &me->sync.addr, sizeof(old->addr))) {
		mutex_lock(&old->lock);
		err = sync_set_keys(old, ha);
		if (!err)
			err = sync_peers(old, ha, me);
		if (!err)
			own_target(old, ha);
		mutex_unlock(&old->lock);
		if (err)
			NL_SET_ERR_MSG(extack,
				       "the sync channel could not take the new policy");
		else
			mod_delayed_work(svcgw_sync_wq, &old->q.work, 0);
		goto out;
	}
	sync_stop(sn);
	sy = sync_new(sn, ha, me, extack);
	if (IS_ERR(sy)) {
		err = PTR_ERR(sy);
		goto out;
	}
	sn->sync = sy;
	rcu_assign_pointer(sn->syncq, &sy->q);
	mod_delayed_work(svcgw_sync_wq, &sy->q.work, 0);
out:
	mutex_unlock(&sn->lock);
	return err;
}

/*
 * The controller said node @id is up or down.  A peer that comes up gets
 * a new stream (its module may be new: our epoch is gone there), the
 * node's own sessions may have another backup now, and the work item
 * looks again where records go.
 */
void svcgw_sync_nodes_changed(struct svcgw_net *sn, u32 id)
{
	const struct svcgw_ha_node *n;
	const struct svcgw_ha *ha;
	struct svcgw_sync *sy;
	struct sync_peer *p;

	mutex_lock(&sn->lock);
	sy = sn->sync;
	ha = rcu_dereference_protected(sn->ha, lockdep_is_held(&sn->lock));
	if (sy && ha) {
		mutex_lock(&sy->lock);
		n = svcgw_ha_node_find(ha, id);
		p = peer_find(sy, id);
		if (n && p && READ_ONCE(n->state) == SVCGW_HA_STATE_UP) {
			p->restart = true;
			p->mine_only = false;
		}
		own_target(sy, ha);
		mutex_unlock(&sy->lock);
		mod_delayed_work(svcgw_sync_wq, &sy->q.work, 0);
	}
	mutex_unlock(&sn->lock);
}

static int put_u64(struct sk_buff *msg, int type, u64 v, int pad)
{
	return nla_put_u64_64bit(msg, type, v, pad);
}

/* HA_GET: the channel's counters (SVCGW_HA_A_SYNC), if it runs. */
int svcgw_sync_fill(struct svcgw_net *sn, struct sk_buff *msg)
{
	struct svcgw_sync *sy;
	struct nlattr *nest;
	int i, err = 0;
	u64 queued, dropped;

	lockdep_assert_held(&sn->lock);
	sy = sn->sync;
	if (!sy)
		return 0;
	spin_lock_bh(&sy->q.lock);
	queued = sy->q.queued;
	dropped = sy->q.dropped;
	spin_unlock_bh(&sy->q.lock);
	nest = nla_nest_start(msg, SVCGW_HA_A_SYNC);
	if (!nest)
		return -EMSGSIZE;
	mutex_lock(&sy->lock);
	if (put_u64(msg, SVCGW_HA_SYNC_A_QUEUED, queued,
		    SVCGW_HA_SYNC_A_PAD) ||
	    put_u64(msg, SVCGW_HA_SYNC_A_QUEUE_DROPPED, dropped,
		    SVCGW_HA_SYNC_A_PAD) ||
	    put_u64(msg, SVCGW_HA_SYNC_A_RX_QUEUE_FULL,
		    atomic64_read(&sy->rx_full), SVCGW_HA_SYNC_A_PAD) ||
	    put_u64(msg, SVCGW_HA_SYNC_A_NOT_PEER, sy->not_peer,
		    SVCGW_HA_SYNC_A_PAD) ||
	    put_u64(msg, SVCGW_HA_SYNC_A_REPLICAS,
		    atomic_read(&sn->nreplicas), SVCGW_HA_SYNC_A_PAD) ||
	    put_u64(msg, SVCGW_HA_SYNC_A_ADOPTED,
		    svcgw_event_read(sn, SVCGW_EV_REPLICA_ADOPTED),
		    SVCGW_HA_SYNC_A_PAD) ||
	    put_u64(msg, SVCGW_HA_SYNC_A_CHANNEL, sy->started,
		    SVCGW_HA_SYNC_A_PAD))
		err = -EMSGSIZE;
	/* The refusals, in the verdicts' order. */
	for (i = SVCGW_SYNC_TRUNCATED; !err && i < SVCGW_SYNC_VERDICTS; i++)
		err = put_u64(msg, SVCGW_HA_SYNC_A_TRUNCATED + i -
			      SVCGW_SYNC_TRUNCATED, sy->refused[i],
			      SVCGW_HA_SYNC_A_PAD);
	mutex_unlock(&sy->lock);
	if (err) {
		nla_nest_cancel(msg, nest);
		return err;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* HA_GET: the streams with node @id (SVCGW_HA_NODE_A_PEER), if a peer. */
int svcgw_sync_fill_peer(struct svcgw_net *sn, struct sk_buff *msg, u32 id)
{
	struct svcgw_sync *sy = sn->sync;
	struct sync_peer *p;
	struct nlattr *nest;
	int i, err = 0;

	lockdep_assert_held(&sn->lock);
	if (!sy)
		return 0;
	mutex_lock(&sy->lock);
	p = peer_find(sy, id);
	if (!p)
		goto out;
	nest = nla_nest_start(msg, SVCGW_HA_NODE_A_PEER);
	if (!nest ||
	    nla_put_u8(msg, SVCGW_HA_PEER_A_TX_STATE, p->tx) ||
	    nla_put_u8(msg, SVCGW_HA_PEER_A_SYNCED, p->synced) ||
	    nla_put_u32(msg, SVCGW_HA_PEER_A_UNACKED,
			(u32)(p->sent_hi - p->cum))) {
		err = -EMSGSIZE;
		goto out;
	}
	for (i = 0; !err && i < P_MAX; i++)
		err = put_u64(msg, SVCGW_HA_PEER_A_TX_DGRAMS + i, p->ctr[i],
			      SVCGW_HA_PEER_A_PAD);
	if (!err)
		err = put_u64(msg, SVCGW_HA_PEER_A_RX_SINCE, p->rx_since,
			      SVCGW_HA_PEER_A_PAD);
	if (err)
		nla_nest_cancel(msg, nest);
	else
		nla_nest_end(msg, nest);
out:
	mutex_unlock(&sy->lock);
	return err;
}

/* The namespace goes (its hooks are gone: no record comes). */
void svcgw_sync_net_exit(struct svcgw_net *sn)
{
	mutex_lock(&sn->lock);
	sync_stop(sn);
	mutex_unlock(&sn->lock);
}
