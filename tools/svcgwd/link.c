// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the agent's link to the controller (link.h); the messages are
 * listed in ctl.c.
 *
 * The HA policy: an "ha" message is read and checked whole (hamsg.c; a bad
 * one is logged, counted and answered ha_refused, the connection kept, as
 * a bad set), then installed with SVCGW_CMD_HA_SET unless the kernel has
 * that generation already; the nodes' states it carries, and the notices
 * of HA nodes after it, go in with SVCGW_CMD_HA_NODE_SET where the kernel
 * has an older one.  A stale policy or notice (ESTALE) is logged and
 * counted; the agent keeps the last policy it installed and, at each
 * reconcile, installs it again if the kernel lost it (module reloaded) or
 * has an older one, and its nodes' states where the kernel's are older.
 * Losing the controller leaves the kernel's HA policy as it is; the
 * controller's "ha_removed" (its file lost its ha section) removes it
 * (SVCGW_CMD_HA_DEL), unless the kernel's is later (set by hand).
 *
 * The barrier (barrier.h): a servicing node's agent (its policy's local
 * not 0) reads its kernel's HA state (SVCGW_CMD_HA_GET) every
 * SYNC_POLL_MS while not synced, every SYNC_IDLE_MS after, and reports
 * ha_synced to the controller on change and after each connect: synced
 * when every sync peer that its kernel does not have down is synced by a
 * bulk that ended after the hello (the peers' bulk counts are taken just
 * before it).  A forwarder never reports.
 *
 * The full NAT address takeover (takeover.h): on every HA message, node
 * notice, "released" message and reconcile, a servicing node's agent puts
 * the full NAT addresses of the nodes whose flows the forwarders send it
 * on the interface that has its own full NAT address (else its sync
 * address) and announces each (ANNOUNCE_COUNT times, ANNOUNCE_MS apart),
 * and removes those of other nodes it no longer holds; it announces its
 * own when the forwarders' flows come back to it.  Losing the controller
 * leaves the addresses as they are (fail static).
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../svcgw/hafile.h"
#include "../svcgw/svcgw.h"
#include "agent.h"
#include "barrier.h"
#include "chan.h"
#include "hamsg.h"
#include "ifaddr.h"
#include "link.h"
#include "log.h"
#include "takeover.h"
#include "timer.h"

#define USEC_PER_MSEC	((uint64_t)1000)
#define BACKOFF_MIN_MS	250
#define BACKOFF_MAX_MS	5000
#define SYNC_POLL_MS	200	/* HA_GET while not synced */
#define SYNC_IDLE_MS	1000	/* ... once synced, or nothing to say */
#define SYNC_ERR_MS	5000	/* ... after an error (logged) */
#define ANNOUNCE_COUNT	3	/* gratuitous ARPs or NAs per address */
#define ANNOUNCE_MS	100

/* An address being announced: @left more times. */
struct announce {
	struct endpoint ep;
	int ifindex;
	unsigned int left;
};

struct link {
	sd_event *ev;
	struct conf_controller ctl;		/* copied: the file may go */
	char node[CONF_NODE_MAX];
	struct chan_tls tls;
	struct chan ch;
	bool connecting, open;
	sd_event_source *io, *timer;
	uint32_t backoff_ms;
	uint32_t heartbeat_ms, dead_after_ms;	/* the controller's */
	uint64_t last_rx, last_tx;		/* usec */
	uint64_t connect_started;
	/* The last set the controller gave, to apply again on drift. */
	char set[32];
	uint64_t gen;
	char *text;
	uint64_t node_gen;
	/* The last HA policy installed (keys and all), its nodes' states. */
	struct ha_policy ha;
	bool ha_newer_logged;		/* the kernel has a later one: said */
	/* The barrier: the peers' bulks at the hello, the last report. */
	sd_event_source *sync_timer;
	struct synced_base base;
	struct synced_msg sent;
	bool sent_valid;		/* sent on this connection */
	unsigned long synced_reports;
	/* The full NAT address takeover. */
	sd_event_source *ann_timer;
	struct announce ann[SVCGW_HA_NODES_MAX + 1];
	size_t nann;
	bool own_announced;		/* since it was last held or down */
	bool no_dev_logged;
	unsigned long taken, given_back, announced, takeover_errors;
	unsigned long connects, lost, applied, unchanged, apply_refused,
		      notices, refused[CHAN_ERR_COUNT];
	unsigned long ha_installed, ha_unchanged, ha_bad, ha_stale,
		      ha_refused, ha_reinstalled, ha_notices, ha_notices_stale,
		      ha_notices_refused, ha_removals;
	bool lost_logged;
};

static void takeover_apply(struct link *l);

/* A set file held in memory into the kernel, as "svcgw policy replace". */
static int replace_text(const char *text)
{
	return policy_replace_text("the controller's set", text,
				   strlen(text));
}

static uint64_t now_usec(struct link *l)
{
	uint64_t now;

	sd_event_now(l->ev, CLOCK_MONOTONIC, &now);
	return now;
}

static void arm(struct link *l, uint32_t ms)
{
	sd_event_source_set_time(l->timer, now_usec(l) + ms * USEC_PER_MSEC);
	sd_event_source_set_enabled(l->timer, SD_EVENT_ON);
}

/* The barrier's next read of the kernel in @ms. */
static void sync_arm(struct link *l, uint32_t ms)
{
	sd_event_source_set_time(l->sync_timer,
				 now_usec(l) + ms * USEC_PER_MSEC);
	sd_event_source_set_enabled(l->sync_timer, SD_EVENT_ONESHOT);
}

static void update_io(struct link *l)
{
	short ev = l->connecting ? POLLOUT : chan_events(&l->ch);

	sd_event_source_set_io_events(l->io, (ev & POLLIN ? EPOLLIN : 0) |
				      (ev & POLLOUT ? EPOLLOUT : 0));
}

/* The connection ended: again after the backoff; the kernel untouched. */
static void lose(struct link *l, int err, const char *why)
{
	if (l->open) {
		l->lost++;
		log_info("controller %s lost: %s; the data plane stays as it is, reconnecting",
			 l->ctl.name, why);
	} else if (!l->lost_logged || err == CHAN_E_AUTH) {
		log_info("cannot reach controller %s: %s; trying again every %u ms at most",
			 l->ctl.name, why, BACKOFF_MAX_MS);
	}
	l->lost_logged = true;
	if (err < CHAN_CLOSED)
		l->refused[-err]++;
	l->io = sd_event_source_disable_unref(l->io);
	chan_close(&l->ch);
	l->open = l->connecting = false;
	arm(l, l->backoff_ms);
	l->backoff_ms = l->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
			l->backoff_ms * 2;
}

static void send_msg(struct link *l, json_t *m)
{
	int r;

	if (!l->open) {
		json_decref(m);
		return;
	}
	r = chan_send(&l->ch, m);
	l->last_tx = now_usec(l);
	if (r != CHAN_OK && r != CHAN_AGAIN) {
		lose(l, r, chan_strerror(r));
		return;
	}
	update_io(l);
}

/*
 * Just before a hello: the peers' bulk counts, so that a synced flag from
 * before it is not taken (barrier.h); a report is due on this connection.
 */
static void synced_at_hello(struct link *l)
{
	struct ha_policy k;
	int r = agent_ha_get(&k);

	synced_base_take(&l->base, r ? NULL : &k);
	if (!r)
		ha_policy_free(&k);
	l->sent_valid = false;
}

static void hello(struct link *l)
{
	struct agent_pset ps;

	if (agent_policy_read(&ps))
		memset(&ps, 0, sizeof(ps));
	send_msg(l, json_pack("{s:s, s:s, s:I}", "type", "hello", "set",
			      ps.present ? ps.name : "", "generation",
			      (json_int_t)(ps.present ? ps.gen : 0)));
}

/* The set @name @gen of @text into the kernel, unless it is there. */
static int apply(const char *name, uint64_t gen, const char *text,
		 bool *unchanged)
{
	struct agent_pset ps;

	*unchanged = false;
	if (!agent_policy_read(&ps) && ps.present &&
	    !strcmp(ps.name, name) && ps.gen == gen) {
		*unchanged = true;
		return 0;
	}
	return replace_text(text);
}

static void on_policy_set(struct link *l, json_t *m)
{
	const char *name, *text, *reason = "";
	json_int_t gen;
	bool unchanged;
	char *copy;

	if (json_unpack(m, "{s:s, s:I, s:s, s?:s}", "set", &name,
			"generation", &gen, "text", &text, "reason", &reason)) {
		log_info("a policy_set message without set, generation or text: ignored");
		return;
	}
	if (apply(name, gen, text, &unchanged)) {
		l->apply_refused++;
		log_info("policy set %s generation %" PRIu64 " from the controller refused by the kernel (above); the set before stays",
			 name, (uint64_t)gen);
		send_msg(l, json_pack("{s:s, s:s, s:I, s:s}", "type", "refused",
				      "set", name, "generation", gen, "error",
				      "the kernel refused it (the agent's log names the line)"));
		return;
	}
	copy = strdup(text);
	if (copy) {
		free(l->text);
		l->text = copy;
		snprintf(l->set, sizeof(l->set), "%s", name);
		l->gen = gen;
	}
	if (unchanged) {
		l->unchanged++;
		log_info("policy set %s generation %" PRIu64 ": already in the kernel, nothing moved",
			 name, (uint64_t)gen);
	} else {
		l->applied++;
		log_info("policy set %s generation %" PRIu64 " applied: %s",
			 name, (uint64_t)gen, reason);
	}
	send_msg(l, json_pack("{s:s, s:s, s:I, s:b}", "type", "applied", "set",
			      name, "generation", gen, "unchanged", unchanged));
}

/* --- the HA policy ---------------------------------------------------------- */

static const struct ha_node *kernel_node(const struct ha_policy *k,
					 uint32_t id)
{
	return k ? ha_find_node(k, id) : NULL;
}

/* @n of the policy (@id and name) into the kernel: 0 or -1. */
static int ha_notice_set(struct link *l, const struct ha_notice *n,
			 const char *name)
{
	int r = agent_ha_node(n);

	if (r == -ESTALE) {
		l->ha_notices_stale++;
		log_info("HA node %s (id %" PRIu32 ") %s, HA generation %" PRIu64 ": refused by the kernel as stale (it has a later notice: svcgw ha show)",
			 name, n->id, n->state == SVCGW_HA_STATE_UP ? "up" : "down",
			 n->gen);
		return -1;
	}
	if (r) {
		l->ha_notices_refused++;
		log_info("HA node %s (id %" PRIu32 ") notice refused by the kernel (above)",
			 name, n->id);
		return -1;
	}
	l->ha_notices++;
	log_info("HA node %s (id %" PRIu32 ") %s in the kernel, HA generation %" PRIu64,
		 name, n->id, n->state == SVCGW_HA_STATE_UP ? "up" : "down",
		 n->gen);
	return 0;
}

/*
 * The states of l->ha's nodes where the kernel (@k, NULL: read it) has an
 * older notice or none.
 */
static void ha_states(struct link *l, const struct ha_policy *k)
{
	struct ha_policy read;
	size_t i;

	if (!k) {
		if (agent_ha_get(&read))
			return;
		k = &read;
	}
	for (i = 0; i < l->ha.nnode; i++) {
		const struct ha_node *n = &l->ha.node[i];
		const struct ha_node *kn = kernel_node(k, n->id);
		struct ha_notice no = { .id = n->id, .state = n->state,
					.gen = n->state_gen };

		if (!n->has_state || (kn && kn->state_gen >= n->state_gen))
			continue;
		ha_notice_set(l, &no, n->name);
	}
	if (k == &read)
		ha_policy_free(&read);
}

/*
 * @p into the kernel unless it has that generation: 0 (*@unchanged
 * said which), -ESTALE with the kernel's generation in *@has, or -1.
 */
static int ha_install(const struct ha_policy *p, bool *unchanged,
		      uint64_t *has)
{
	struct ha_policy k;
	int r;

	*unchanged = false;
	*has = 0;
	r = agent_ha_get(&k);
	if (!r) {
		*has = k.gen;
		*unchanged = k.gen == p->gen;
		ha_policy_free(&k);
		if (*unchanged)
			return 0;
	} else if (r != -ENOENT) {
		return -1;
	}
	r = agent_ha_set(p);
	if (r == -ESTALE && !*has && !agent_ha_get(&k)) {
		*has = k.gen;
		ha_policy_free(&k);
	}
	return r;
}

static void ha_answer(struct link *l, uint64_t gen, const char *error,
		      bool unchanged)
{
	if (error)
		send_msg(l, json_pack("{s:s, s:I, s:s}", "type", "ha_refused",
				      "generation", (json_int_t)gen, "error",
				      error));
	else
		send_msg(l, json_pack("{s:s, s:I, s:b}", "type", "ha_applied",
				      "generation", (json_int_t)gen,
				      "unchanged", unchanged));
}

static void on_ha(struct link *l, json_t *m)
{
	char err[HAMSG_ERR_MAX], line[160], why[96];
	json_int_t gen = json_integer_value(json_object_get(m, "generation"));
	struct ha_policy p;
	bool unchanged;
	uint64_t has;
	int r;

	r = hamsg_decode(m, &p, err, sizeof(err));
	hamsg_wipe(m);
	if (r) {
		l->ha_bad++;
		log_info("%s: ignored, the kernel keeps the HA policy it has",
			 err);
		ha_answer(l, gen, err, false);
		return;
	}
	hamsg_describe(&p, line, sizeof(line));
	r = ha_install(&p, &unchanged, &has);
	if (r == -ESTALE) {
		l->ha_stale++;
		log_info("HA policy %s: refused by the kernel as stale (it has generation %" PRIu64 "); %s",
			 line, has, l->ha.line ?
			 "the agent keeps the one it installed before" :
			 "the agent holds none");
		snprintf(why, sizeof(why),
			 "stale: the kernel has generation %" PRIu64, has);
		ha_answer(l, p.gen, why, false);
		ha_policy_free(&p);
		return;
	}
	if (r) {
		l->ha_refused++;
		log_info("HA policy %s: refused by the kernel (above); the one before stays",
			 line);
		ha_answer(l, p.gen, "the kernel refused it (the agent's log says why)",
			  false);
		ha_policy_free(&p);
		return;
	}
	ha_policy_free(&l->ha);
	l->ha = p;
	l->ha_newer_logged = false;
	if (unchanged) {
		l->ha_unchanged++;
		log_info("HA policy %s: already in the kernel", line);
	} else {
		l->ha_installed++;
		log_info("HA policy %s: installed", line);
	}
	ha_answer(l, p.gen, NULL, unchanged);
	ha_states(l, NULL);
	if (l->ha.local)
		sync_arm(l, SYNC_POLL_MS);	/* its up may be in now */
	takeover_apply(l);
}

/*
 * The controller's file has no ha section any more ("ha_removed"): the
 * full NAT addresses of other nodes held here go back, the policy the
 * agent installed is forgotten (no reconcile installs it again) and the
 * kernel's is removed (SVCGW_CMD_HA_DEL) if it is older than the removal:
 * a later one was set by hand, and stays.  Answered as an "ha" message.
 */
static void takeover_give_back(struct link *l);

static void on_ha_removed(struct link *l, json_t *m)
{
	json_int_t g = 0;
	struct ha_policy k;
	char why[96];
	int r;

	if (json_unpack(m, "{s:I}", "generation", &g) || g <= 0) {
		l->ha_bad++;
		log_info("ha_removed without a generation: ignored, the kernel keeps the HA policy it has");
		ha_answer(l, 0, "ha_removed without a generation", false);
		return;
	}
	takeover_give_back(l);
	ha_policy_free(&l->ha);
	l->ha_newer_logged = false;
	r = agent_ha_get(&k);
	if (r == -ENOENT) {
		log_info("HA policy removed (generation %" PRIu64 "): the kernel has none",
			 (uint64_t)g);
		ha_answer(l, g, NULL, true);
		return;
	}
	if (r) {
		l->ha_refused++;
		ha_answer(l, g, "cannot read the kernel's HA policy (the agent's log says why)",
			  false);
		return;
	}
	ha_policy_free(&k);
	r = agent_ha_del(g);
	if (r == -ESTALE) {
		l->ha_stale++;
		log_info("HA policy removal generation %" PRIu64 ": the kernel's policy is later (set by hand?): left as it is",
			 (uint64_t)g);
		snprintf(why, sizeof(why), "stale: the kernel's policy is later");
		ha_answer(l, g, why, false);
		return;
	}
	if (r) {
		l->ha_refused++;
		log_info("HA policy removal generation %" PRIu64 ": refused by the kernel (above)",
			 (uint64_t)g);
		ha_answer(l, g, "the kernel refused it (the agent's log says why)",
			  false);
		return;
	}
	l->ha_removals++;
	log_info("HA policy removed (generation %" PRIu64 "): no replication, no backups in the forwarding groups",
		 (uint64_t)g);
	ha_answer(l, g, NULL, false);
}

/* --- the full NAT address takeover ------------------------------------------ */

static void announce_one(struct link *l, struct announce *a)
{
	char buf[EP_STRLEN];
	int r = ifaddr_announce(a->ifindex, &a->ep);

	if (r) {
		l->takeover_errors++;
		log_info("full NAT address %s: announcing it failed: %s",
			 format_addr(&a->ep, buf, sizeof(buf)), strerror(-r));
		a->left = 0;
		return;
	}
	l->announced++;
	a->left--;
}

static int on_ann_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct link *l = data;
	size_t i, n = 0;

	(void)s;
	(void)usec;
	for (i = 0; i < l->nann; i++) {
		announce_one(l, &l->ann[i]);
		if (l->ann[i].left)
			l->ann[n++] = l->ann[i];
	}
	l->nann = n;
	if (n) {
		sd_event_source_set_time(l->ann_timer, now_usec(l) +
					 ANNOUNCE_MS * USEC_PER_MSEC);
		sd_event_source_set_enabled(l->ann_timer, SD_EVENT_ONESHOT);
	}
	return 0;
}

/* @ep announced at once, then ANNOUNCE_COUNT - 1 times more. */
static void announce(struct link *l, int ifindex, const struct endpoint *ep)
{
	struct announce a = { .ep = *ep, .ifindex = ifindex,
			      .left = ANNOUNCE_COUNT };
	size_t i;

	for (i = 0; i < l->nann; i++)
		if (ep_same_addr(&l->ann[i].ep, ep))
			break;
	announce_one(l, &a);
	if (!a.left)
		return;
	if (i == l->nann) {
		if (l->nann == sizeof(l->ann) / sizeof(l->ann[0]))
			return;
		l->nann++;
	}
	l->ann[i] = a;
	sd_event_source_set_time(l->ann_timer, now_usec(l) +
				 ANNOUNCE_MS * USEC_PER_MSEC);
	sd_event_source_set_enabled(l->ann_timer, SD_EVENT_ONESHOT);
}

/* The full NAT addresses on this node as the policy's states say. */
/* Node @x's full NAT address off interface @at; @why ends the log line. */
static void give_back(struct link *l, const struct ha_node *x, int at,
		      const char *why)
{
	char buf[EP_STRLEN];
	int r;

	format_addr(&x->fnat, buf, sizeof(buf));
	r = ifaddr_del(at, &x->fnat);
	if (r && r != -EADDRNOTAVAIL) {
		l->takeover_errors++;
		log_info("node %s's full NAT address %s: cannot give it back: %s",
			 x->name, buf, strerror(-r));
		return;
	}
	l->given_back++;
	log_info("node %s's full NAT address %s given back%s", x->name, buf,
		 why);
}

static void takeover_apply(struct link *l)
{
	struct endpoint want[SVCGW_HA_NODES_MAX];
	const struct ha_node *me;
	char buf[EP_STRLEN];
	size_t n, i;
	int dev, at, r;

	if (!l->ha.line || !l->ha.local)
		return;
	me = ha_find_node(&l->ha, l->ha.local);
	if (!me)
		return;
	dev = me->has_fnat ? ifaddr_find(&me->fnat) : 0;
	if (dev <= 0)
		dev = ifaddr_find(&me->sync);
	if (dev <= 0) {
		if (!l->no_dev_logged)
			log_info("no interface has this node's %s address %s: no full NAT address taken over",
				 me->has_fnat ? "full NAT or sync" : "sync",
				 format_addr(&me->sync, buf, sizeof(buf)));
		l->no_dev_logged = true;
		return;
	}
	l->no_dev_logged = false;
	n = takeover_want(&l->ha, want, SVCGW_HA_NODES_MAX);
	for (i = 0; i < l->ha.nnode; i++) {
		const struct ha_node *x = &l->ha.node[i];

		if (x->id == l->ha.local || !x->has_fnat)
			continue;
		at = ifaddr_find(&x->fnat);
		format_addr(&x->fnat, buf, sizeof(buf));
		if (ep_addr_in(want, n, &x->fnat) && at <= 0) {
			r = ifaddr_add(dev, &x->fnat);
			if (r) {
				l->takeover_errors++;
				log_info("node %s's full NAT address %s: cannot take it over: %s",
					 x->name, buf, strerror(-r));
				continue;
			}
			l->taken++;
			log_info("node %s's full NAT address %s taken over: its flows come here",
				 x->name, buf);
			announce(l, dev, &x->fnat);
		} else if (!ep_addr_in(want, n, &x->fnat) && at > 0) {
			give_back(l, x, at, "");
		}
	}
	/* Its own, once its flows come back to it (or at the start). */
	if (!takeover_fwd_up(me)) {
		l->own_announced = false;
	} else if (me->has_fnat && !l->own_announced) {
		l->own_announced = true;
		at = ifaddr_find(&me->fnat);
		if (at > 0) {
			log_info("this node's full NAT address %s announced: its flows are here",
				 format_addr(&me->fnat, buf, sizeof(buf)));
			announce(l, at, &me->fnat);
		}
	}
}

/* The policy goes: every other node's full NAT address held here goes. */
static void takeover_give_back(struct link *l)
{
	size_t i;
	int at;

	if (!l->ha.line || !l->ha.local)
		return;
	for (i = 0; i < l->ha.nnode; i++) {
		const struct ha_node *x = &l->ha.node[i];

		if (x->id == l->ha.local || !x->has_fnat)
			continue;
		at = ifaddr_find(&x->fnat);
		if (at > 0)
			give_back(l, x, at, " (no HA policy any more)");
	}
	l->own_announced = false;
}

/* The held up of node @name (its notice's HA generation @gen) went to the
 * forwarders.
 */
static void on_released(struct link *l, json_t *m)
{
	const char *name;
	json_int_t gen;
	size_t i;

	if (!l->ha.line || json_unpack(m, "{s:s, s:I}", "name", &name,
				       "ha_generation", &gen))
		return;
	for (i = 0; i < l->ha.nnode; i++) {
		struct ha_node *n = &l->ha.node[i];

		if (strcmp(n->name, name))
			continue;
		if (n->has_state && n->state == SVCGW_HA_STATE_UP &&
		    n->state_gen == (uint64_t)gen && n->held) {
			n->held = false;
			log_info("node %s up to the forwarders (HA generation %" PRIu64 ")",
				 name, (uint64_t)gen);
			takeover_apply(l);
		}
		return;
	}
}

/* A node notice: into the kernel if it is about a node of the policy. */
static void ha_on_notice(struct link *l, json_t *m)
{
	char err[HAMSG_ERR_MAX];
	struct ha_notice n;
	struct ha_node *hn;
	int r;

	if (!l->ha.line)
		return;
	r = hamsg_notice(m, &l->ha, &n, err, sizeof(err));
	if (r < 0) {
		l->ha_bad++;
		log_info("%s: ignored", err);
	}
	if (r <= 0)
		return;
	hn = (struct ha_node *)ha_find_node(&l->ha, n.id);
	/* Kept for the reconcile, unless older than what it has. */
	if (!hn->has_state || hn->state_gen < n.gen) {
		hn->has_state = true;
		hn->state = n.state;
		hn->state_gen = n.gen;
		hn->held = n.state == SVCGW_HA_STATE_UP &&
			   json_is_true(json_object_get(m, "held"));
	}
	if (!ha_notice_set(l, &n, hn->name) && n.id == l->ha.local)
		sync_arm(l, SYNC_POLL_MS);	/* its own up: read soon */
	takeover_apply(l);
}

/* The kernel lost the policy, or has an older one: install it again. */
static void ha_reconcile(struct link *l)
{
	char line[160];
	struct ha_policy k;
	int r;

	if (!l->ha.line)
		return;
	r = agent_ha_get(&k);
	if (r == -1)
		return;
	if (!r && k.gen >= l->ha.gen) {
		if (k.gen > l->ha.gen && !l->ha_newer_logged)
			log_info("the kernel has HA policy generation %" PRIu64 ", later than the controller's last (%" PRIu64 "), set by hand?: left as it is",
				 k.gen, l->ha.gen);
		l->ha_newer_logged = k.gen > l->ha.gen;
		if (k.gen == l->ha.gen)
			ha_states(l, &k);
		ha_policy_free(&k);
		return;
	}
	hamsg_describe(&l->ha, line, sizeof(line));
	log_info("the kernel has %s HA policy (module reloaded?): installing %s again",
		 r ? "no" : "an older", line);
	if (!r)
		ha_policy_free(&k);
	r = agent_ha_set(&l->ha);
	if (r) {
		if (r == -ESTALE)
			l->ha_stale++;
		else
			l->ha_refused++;
		log_info("HA policy generation %" PRIu64 " %s", l->ha.gen,
			 r == -ESTALE ? "refused by the kernel as stale" :
			 "refused by the kernel (above)");
		return;
	}
	l->ha_reinstalled++;
	ha_states(l, NULL);
}

static void on_message(struct link *l, json_t *m)
{
	const char *type = json_string_value(json_object_get(m, "type"));
	const char *name, *state, *why = "";
	json_int_t g, hb, dead;
	json_t *nodes, *n;
	size_t i;

	l->last_rx = now_usec(l);
	if (!strcmp(type, "welcome")) {
		if (!json_unpack(m, "{s:I, s:I, s:I, s:o}", "heartbeat_ms", &hb,
				 "dead_after_ms", &dead, "node_generation", &g,
				 "nodes", &nodes) && hb > 0 && dead > hb) {
			l->heartbeat_ms = hb;
			l->dead_after_ms = dead;
			l->node_gen = g;
			json_array_foreach(nodes, i, n)
				if (!json_unpack(n, "{s:s, s:s}", "name", &name,
						 "state", &state))
					log_info("node %s %s (node generation %" PRIu64 ", from the controller's welcome)",
						 name, state, (uint64_t)g);
		}
	} else if (!strcmp(type, "policy_set")) {
		on_policy_set(l, m);
	} else if (!strcmp(type, "ha")) {
		on_ha(l, m);
	} else if (!strcmp(type, "ha_removed")) {
		on_ha_removed(l, m);
	} else if (!strcmp(type, "released")) {
		on_released(l, m);
	} else if (!strcmp(type, "node")) {
		if (!json_unpack(m, "{s:s, s:s, s:I, s?:s}", "name", &name,
				 "state", &state, "generation", &g, "why",
				 &why)) {
			l->notices++;
			l->node_gen = g;
			log_info("node %s %s (node generation %" PRIu64 "): %s",
				 name, state, (uint64_t)g, why);
			ha_on_notice(l, m);
		}
	}
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct link *l = data;
	json_t *m;
	int r, err;
	socklen_t len = sizeof(err);

	(void)s;
	if (l->connecting) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
			lose(l, CHAN_E_IO, strerror(err ? err : errno));
			return 0;
		}
		if (!(revents & EPOLLOUT))
			return 0;
		l->connecting = false;
	}
	if (!l->ch.up) {
		r = chan_handshake(&l->ch);
		if (r == CHAN_AGAIN) {
			update_io(l);
			return 0;
		}
		if (r != CHAN_OK) {
			char why[sizeof(l->ch.why) + 32];

			snprintf(why, sizeof(why), "%s (%s)", chan_strerror(r),
				 l->ch.why);
			lose(l, r, why);
			return 0;
		}
		l->open = true;
		l->lost_logged = false;
		l->connects++;
		l->backoff_ms = BACKOFF_MIN_MS;
		l->last_rx = now_usec(l);
		log_info("connected to controller %s", l->ch.peer);
		synced_at_hello(l);
		hello(l);
		if (!l->open)
			return 0;
	}
	for (;;) {
		r = chan_recv(&l->ch, &m);
		if (r == CHAN_AGAIN)
			break;
		if (r != CHAN_OK) {
			char why[sizeof(l->ch.why) + 32];

			snprintf(why, sizeof(why), "%s%s%s%s", chan_strerror(r),
				 l->ch.why[0] ? " (" : "", l->ch.why,
				 l->ch.why[0] ? ")" : "");
			lose(l, r, why);
			return 0;
		}
		on_message(l, m);
		json_decref(m);
		if (!l->open)
			return 0;
	}
	r = chan_flush(&l->ch);
	if (r != CHAN_OK && r != CHAN_AGAIN) {
		lose(l, r, chan_strerror(r));
		return 0;
	}
	update_io(l);
	return 0;
}

static void connect_now(struct link *l)
{
	const struct endpoint *ep = &l->ctl.ep;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	ep_sockaddr(ep, ep->port, &ss, &len);
	fd = socket(ep->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		lose(l, CHAN_E_IO, strerror(errno));
		return;
	}
	l->connect_started = now_usec(l);
	if (chan_init(&l->ch, &l->tls, fd, l->node, l->ctl.name)) {
		lose(l, CHAN_E_NOMEM, "out of memory");
		return;
	}
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		lose(l, CHAN_E_IO, strerror(errno));
		return;
	}
	l->connecting = true;
	if (sd_event_add_io(l->ev, &l->io, fd, EPOLLOUT, on_io, l) < 0)
		lose(l, CHAN_E_NOMEM, "no event source");
}

static int on_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct link *l = data;
	struct agent_pset ps;

	(void)s;
	usec = now_usec(l);	/* not the time it was due: later ones */
	if (!l->io) {
		connect_now(l);
		if (l->io)
			arm(l, l->heartbeat_ms);
		return 0;
	}
	if (!l->open) {	/* a connect or handshake that hangs */
		if (usec - l->connect_started > 10000 * USEC_PER_MSEC) {
			lose(l, CHAN_E_IO, "no answer within 10 s");
			return 0;
		}
		arm(l, l->heartbeat_ms);
		return 0;
	}
	if (usec - l->last_rx > l->dead_after_ms * USEC_PER_MSEC) {
		char why[64];

		snprintf(why, sizeof(why), "nothing from it for %" PRIu64 " ms",
			 (usec - l->last_rx) / USEC_PER_MSEC);
		lose(l, CHAN_CLOSED, why);
		return 0;
	}
	if (agent_policy_read(&ps))
		memset(&ps, 0, sizeof(ps));
	send_msg(l, json_pack("{s:s, s:I}", "type", "heartbeat", "packets",
			      (json_int_t)ps.packets));
	arm(l, l->heartbeat_ms);
	return 0;
}

/* The peers of @r by name, for the log. */
static const char *synced_names(const struct link *l,
				const struct synced_msg *r, char *buf,
				size_t len)
{
	const struct ha_node *n;
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < r->npeer && o < len; i++) {
		n = ha_find_node(&l->ha, r->peer[i]);
		o += snprintf(buf + o, len - o, "%s%s (%" PRIu32 ")",
			      i ? ", " : "", n ? n->name : "?", r->peer[i]);
	}
	return buf;
}

/* The barrier: is the kernel synced from its peers?  Reported on change. */
static int on_sync_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct link *l = data;
	char names[512];
	struct ha_policy k;
	struct synced_msg r;
	int err;

	(void)s;
	(void)usec;
	if (!l->open || !l->ha.line || !l->ha.local) {
		sync_arm(l, SYNC_IDLE_MS);
		return 0;
	}
	err = agent_ha_get(&k);
	if (err == -ENOENT) {	/* module reloaded: every bulk is new */
		synced_base_take(&l->base, NULL);
		sync_arm(l, SYNC_POLL_MS);
		return 0;
	}
	if (err) {
		sync_arm(l, SYNC_ERR_MS);
		return 0;
	}
	err = synced_eval(&k, &l->base, &r);
	ha_policy_free(&k);
	if (err) {		/* its own up not in the kernel yet */
		sync_arm(l, SYNC_POLL_MS);
		return 0;
	}
	if (!l->sent_valid || !synced_same(&r, &l->sent)) {
		if (r.synced)
			log_info("synced from its peers (HA generation %" PRIu64 "): reported to the controller",
				 r.gen);
		else
			log_info("not yet synced from %s (HA generation %" PRIu64 "): reported to the controller",
				 synced_names(l, &r, names, sizeof(names)),
				 r.gen);
		l->sent = r;
		l->sent_valid = true;
		l->synced_reports++;
		send_msg(l, synced_encode(&r));
	}
	sync_arm(l, r.synced ? SYNC_IDLE_MS : SYNC_POLL_MS);
	return 0;
}

static void set_reconcile(struct link *l)
{
	struct agent_pset ps;

	if (!l->text || agent_policy_read(&ps))
		return;
	if (ps.present && !strcmp(ps.name, l->set) && ps.gen == l->gen)
		return;
	log_info("the kernel has policy set %s generation %" PRIu64 ", not %s generation %" PRIu64 " (module reloaded, flushed?): applying it again",
		 ps.present ? ps.name : "(none)", ps.present ? ps.gen : 0,
		 l->set, l->gen);
	if (replace_text(l->text))
		log_info("policy set %s generation %" PRIu64 " refused by the kernel",
			 l->set, l->gen);
}

void link_reconcile(struct link *l)
{
	if (!l)
		return;
	set_reconcile(l);
	ha_reconcile(l);
	takeover_apply(l);
}

struct link *link_start(sd_event *ev, const struct conf *c)
{
	struct link *l = calloc(1, sizeof(*l));
	char err[512];

	if (!l)
		return NULL;
	l->ev = ev;
	l->ctl = c->controller;
	snprintf(l->node, sizeof(l->node), "%s", c->node);
	l->ch.fd = -1;
	l->backoff_ms = BACKOFF_MIN_MS;
	l->heartbeat_ms = 1000;
	l->dead_after_ms = 3000;
	if (chan_tls_init(&l->tls, false, c->tls.ca, c->tls.cert, c->tls.key,
			  err, sizeof(err))) {
		log_info("%s", err);
		free(l);
		return NULL;
	}
	if (sd_event_add_time(ev, &l->timer, CLOCK_MONOTONIC, 0,
			      TIMER_ACCURACY_USEC, on_timer, l) < 0 ||
	    sd_event_add_time(ev, &l->sync_timer, CLOCK_MONOTONIC, 0,
			      TIMER_ACCURACY_USEC, on_sync_timer, l) < 0 ||
	    sd_event_add_time(ev, &l->ann_timer, CLOCK_MONOTONIC, 0,
			      TIMER_ACCURACY_USEC, on_ann_timer, l) < 0) {
		sd_event_source_disable_unref(l->timer);
		sd_event_source_disable_unref(l->sync_timer);
		chan_tls_free(&l->tls);
		free(l);
		return NULL;
	}
	sd_event_source_set_enabled(l->ann_timer, SD_EVENT_OFF);
	arm(l, 0);
	sync_arm(l, SYNC_IDLE_MS);
	return l;
}

void link_log_counters(const struct link *l)
{
	if (!l)
		return;
	log_info("link counters: %lu connections, %lu lost, %lu sets applied, %lu unchanged, %lu refused, %lu node notices; refused by this end: %lu not authenticated, %lu replayed, %lu forged, %lu garbage, %lu truncated",
		 l->connects, l->lost, l->applied, l->unchanged,
		 l->apply_refused, l->notices, l->refused[-CHAN_E_AUTH],
		 l->refused[-CHAN_E_REPLAY], l->refused[-CHAN_E_FORGED],
		 l->refused[-CHAN_E_GARBAGE], l->refused[-CHAN_E_TRUNCATED]);
	log_info("link HA counters: %lu policies installed, %lu unchanged, %lu installed again, %lu removed, %lu bad, %lu stale, %lu refused; %lu node notices installed, %lu stale, %lu refused; %lu ha_synced reports",
		 l->ha_installed, l->ha_unchanged, l->ha_reinstalled,
		 l->ha_removals, l->ha_bad, l->ha_stale, l->ha_refused,
		 l->ha_notices,
		 l->ha_notices_stale, l->ha_notices_refused,
		 l->synced_reports);
	log_info("link full NAT takeover counters: %lu addresses taken over, %lu given back, %lu announcements, %lu errors",
		 l->taken, l->given_back, l->announced, l->takeover_errors);
}

void link_stop(struct link *l)
{
	if (!l)
		return;
	sd_event_source_disable_unref(l->io);
	sd_event_source_disable_unref(l->timer);
	sd_event_source_disable_unref(l->sync_timer);
	sd_event_source_disable_unref(l->ann_timer);
	chan_close(&l->ch);
	chan_tls_free(&l->tls);
	free(l->text);
	ha_policy_free(&l->ha);
	free(l);
}
