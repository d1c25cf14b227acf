/* SPDX-License-Identifier: GPL-2.0 */
/* The session table: flows pinned to their server, both directions. */
#ifndef _SVCGW_SESSION_H
#define _SVCGW_SESSION_H

#include "svcgw.h"
#include "syncmsg.h"

/* Sessions a walk of the table visits between two rests (cond_resched()). */
#define SVCGW_SESSION_WALK_BATCH	1024

int svcgw_session_init(void);
void svcgw_session_uninit(void);
int svcgw_session_net_init(struct svcgw_net *sn);
void svcgw_session_net_exit(struct svcgw_net *sn);
struct svcgw_session *svcgw_session_lookup_rcu(struct svcgw_net *sn,
					       const struct svcgw_tuple *t,
					       enum svcgw_dir dir);
struct svcgw_session *svcgw_session_create(struct svcgw_net *sn,
					   struct svcgw_server *srv,
					   const struct svcgw_tuple *orig,
					   const struct svcgw_tuple *reply,
					   u8 tcp_flags);
void svcgw_session_tuple(const struct svcgw_session *s, enum svcgw_dir dir,
			 struct svcgw_tuple *t);
void svcgw_session_touch(struct svcgw_net *sn, struct svcgw_session *s,
			 enum svcgw_dir dir, u8 proto, u8 tcp_flags);
bool svcgw_session_kill(struct svcgw_net *sn, struct svcgw_session *s);
void svcgw_session_rec(const struct svcgw_session *s, u8 op,
		       struct svcgw_sync_rec *r);
void svcgw_session_replicate(struct svcgw_net *sn, struct svcgw_session *s);
int svcgw_session_replica(struct svcgw_net *sn, struct svcgw_server *srv,
			  const struct svcgw_sync_rec *r, u32 sender);
unsigned int svcgw_session_flush(struct svcgw_net *sn,
				 const struct svcgw_service *svc,
				 const struct svcgw_key *ep);
void svcgw_session_server_down(struct svcgw_net *sn, struct svcgw_server *srv);
u64 svcgw_session_mem(struct svcgw_net *sn);
void svcgw_session_iter_enter(struct svcgw_net *sn,
			      struct svcgw_session_iter *it);
void svcgw_session_iter_exit(struct svcgw_session_iter *it);
struct svcgw_session *svcgw_session_iter_next(struct svcgw_session_iter *it);
struct svcgw_session *svcgw_session_iter_resume(struct svcgw_session_iter *it);
void svcgw_session_pressure_update(struct svcgw_net *sn);

static inline void svcgw_session_iter_start(struct svcgw_session_iter *it)
{
	rhashtable_walk_start(&it->iter);
}

static inline void svcgw_session_iter_stop(struct svcgw_session_iter *it)
{
	rhashtable_walk_stop(&it->iter);
}

/*
 * The reply tuple of the flow @orig served by the endpoint @ep when the
 * gateway translates only the service address: server -> client.
 */
static inline void svcgw_tuple_reply(struct svcgw_tuple *r,
				     const struct svcgw_tuple *orig,
				     const struct svcgw_key *ep)
{
	memset(r, 0, sizeof(*r));
	r->family = orig->family;
	r->proto = orig->proto;
	r->src = ep->addr;
	r->sport = ep->port;
	r->dst = orig->src;
	r->dport = orig->sport;
}

static inline bool svcgw_session_expired(const struct svcgw_session *s)
{
	return time_after32((u32)jiffies, READ_ONCE(s->expires));
}

#endif /* _SVCGW_SESSION_H */
