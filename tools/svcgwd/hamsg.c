// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the "ha" message, made and read (hamsg.h).  Pure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hamsg.h"

#define HEX_LEN		(2 * SVCGW_HA_KEY_LEN)
#define JSON_INT_MAX	((uint64_t)INT64_MAX)

/* --- keys and generations ------------------------------------------------ */

void ha_keys_roll(struct ha_keys *k, uint8_t *fresh, uint32_t first_id)
{
	uint32_t id = k->key_id ? k->key_id + 1 : first_id;

	if (k->key_id) {
		k->has_prev = true;
		k->prev_key_id = k->key_id;
		memcpy(k->prev_key, k->key, SVCGW_HA_KEY_LEN);
	}
	k->key_id = id ? id : 1;
	memcpy(k->key, fresh, SVCGW_HA_KEY_LEN);
	explicit_bzero(fresh, SVCGW_HA_KEY_LEN);
}

void ha_keys_drop_prev(struct ha_keys *k)
{
	k->has_prev = false;
	k->prev_key_id = 0;
	explicit_bzero(k->prev_key, SVCGW_HA_KEY_LEN);
}

void ha_keys_wipe(struct ha_keys *k)
{
	explicit_bzero(k, sizeof(*k));
}

uint64_t ha_gen_next(uint64_t last, uint64_t now_us)
{
	uint64_t g = last >= JSON_INT_MAX ? JSON_INT_MAX : last + 1;

	if (now_us > g && now_us <= JSON_INT_MAX)
		g = now_us;
	return g;
}

uint32_t ha_local_id(const struct conf_ha *ha, const char *name)
{
	size_t i;

	for (i = 0; i < ha->nnode; i++)
		if (!strcmp(ha->node[i].name, name))
			return ha->node[i].id;
	return 0;
}

static bool same_node(const struct conf_ha *ha, const struct conf_ha_node *a,
		      const struct conf_ha *hb, const struct conf_ha_node *b)
{
	size_t j;

	if (strcmp(a->name, b->name) || a->id != b->id ||
	    !ep_same_addr(&a->sync, &b->sync) ||
	    !ep_same_addr(&a->addr, &b->addr) ||
	    a->has_fnat != b->has_fnat ||
	    (a->has_fnat && !ep_same_addr(&a->fnat, &b->fnat)) ||
	    a->nbackup != b->nbackup)
		return false;
	for (j = 0; j < a->nbackup; j++)
		if (ha->node[a->backup[j]].id != hb->node[b->backup[j]].id)
			return false;
	return true;
}

bool conf_ha_same(const struct conf_ha *a, const struct conf_ha *b)
{
	size_t i;

	if (!a->line != !b->line || a->port != b->port ||
	    a->key_rotation_s != b->key_rotation_s || a->nnode != b->nnode)
		return false;
	for (i = 0; i < a->nnode; i++)
		if (!same_node(a, &a->node[i], b, &b->node[i]))
			return false;
	return true;
}

/* --- encoding ------------------------------------------------------------- */

static void to_hex(const uint8_t *b, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < SVCGW_HA_KEY_LEN; i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 15];
	}
	hex[HEX_LEN] = '\0';
}

/* o[name] = v (taken); a NULL v or a failure sets *bad. */
static void put(json_t *o, const char *name, json_t *v, bool *bad)
{
	if (!o || !v || json_object_set_new(o, name, v))
		*bad = true;
}

static void put_key(json_t *o, const char *name, const uint8_t *key,
		    bool *bad)
{
	char hex[HEX_LEN + 1];

	to_hex(key, hex);
	put(o, name, json_string(hex), bad);
	explicit_bzero(hex, sizeof(hex));
}

static void put_addr(json_t *o, const char *name, const struct endpoint *ep,
		     bool *bad)
{
	char a[EP_STRLEN];

	put(o, name, json_string(format_addr(ep, a, sizeof(a))), bad);
}

static json_t *encode_node(const struct conf_ha *ha, size_t i,
			   const struct hamsg_state *st)
{
	const struct conf_ha_node *hn = &ha->node[i];
	json_t *n = json_object(), *b = json_array();
	bool bad = false;
	size_t j;

	put(n, "id", json_integer(hn->id), &bad);
	put(n, "name", json_string(hn->name), &bad);
	put_addr(n, "sync", &hn->sync, &bad);
	put_addr(n, "address", &hn->addr, &bad);
	if (hn->has_fnat)
		put_addr(n, "fnat", &hn->fnat, &bad);
	for (j = 0; b && j < hn->nbackup; j++)
		if (json_array_append_new(b, json_integer(
				ha->node[hn->backup[j]].id)))
			bad = true;
	put(n, "backups", b, &bad);
	if (st && st[i].gen) {
		put(n, "state", json_string(st[i].state == SVCGW_HA_STATE_UP ?
					    "up" : "down"), &bad);
		put(n, "state_generation", json_integer(st[i].gen), &bad);
		if (st[i].held && st[i].state == SVCGW_HA_STATE_UP)
			put(n, "held", json_true(), &bad);
	}
	if (bad) {
		json_decref(n);
		return NULL;
	}
	return n;
}

json_t *hamsg_encode(const struct conf_ha *ha, const struct ha_keys *k,
		     uint64_t gen, uint32_t local,
		     const struct hamsg_state *st)
{
	json_t *m = json_object(), *nodes = json_array();
	bool bad = false;
	size_t i;

	put(m, "type", json_string("ha"), &bad);
	put(m, "generation", json_integer(gen), &bad);
	put(m, "local", json_integer(local), &bad);
	put(m, "port", json_integer(ha->port), &bad);
	put(m, "key_id", json_integer(k->key_id), &bad);
	put_key(m, "key", k->key, &bad);
	if (k->has_prev) {
		put(m, "prev_key_id", json_integer(k->prev_key_id), &bad);
		put_key(m, "prev_key", k->prev_key, &bad);
	}
	for (i = 0; nodes && i < ha->nnode; i++)
		if (json_array_append_new(nodes, encode_node(ha, i, st)))
			bad = true;
	put(m, "nodes", nodes, &bad);
	if (bad) {
		hamsg_wipe(m);
		json_decref(m);
		return NULL;
	}
	return m;
}

static void wipe_string(json_t *s)
{
	const char *v = json_string_value(s);

	/* The string's own buffer: jansson gives it as const only. */
	if (v)
		explicit_bzero((char *)v, json_string_length(s));
}

void hamsg_wipe(json_t *m)
{
	wipe_string(json_object_get(m, "key"));
	wipe_string(json_object_get(m, "prev_key"));
}

/* --- decoding -------------------------------------------------------------- */

struct rd {
	char *err;
	size_t errlen;
	char where[80];		/* "", "nodes[3]: ", "nodes[3] (gw1): " */
};

static int __attribute__((format(printf, 2, 3)))
fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!r->errlen)
		return -1;
	n = snprintf(r->err, r->errlen, "ha message: %s", r->where);
	if (n < 0 || (size_t)n >= r->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Member @name of @o, an integer from @min to @max, into *@v: 0, 1 when
 * absent and not @required, or -1.
 */
static int get_int(struct rd *r, json_t *o, const char *name, bool required,
		   uint64_t min, uint64_t max, uint64_t *v)
{
	json_t *j = json_object_get(o, name);
	json_int_t i;

	if (!j) {
		if (required)
			return fail(r, "%s missing", name);
		return 1;
	}
	if (!json_is_integer(j))
		return fail(r, "%s is not an integer", name);
	i = json_integer_value(j);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		return fail(r, "%s %lld out of range (%llu to %llu)", name,
			    (long long)i, (unsigned long long)min,
			    (unsigned long long)max);
	*v = i;
	return 0;
}

static int get_u32(struct rd *r, json_t *o, const char *name, bool required,
		   uint32_t min, uint32_t *v)
{
	uint64_t x;
	int ret = get_int(r, o, name, required, min, UINT32_MAX, &x);

	if (!ret)
		*v = x;
	return ret;
}

/* Member @name of @o, a string (NULL: absent and not @required). */
static int get_str(struct rd *r, json_t *o, const char *name, bool required,
		   const char **s)
{
	json_t *j = json_object_get(o, name);

	*s = NULL;
	if (!j) {
		if (required)
			return fail(r, "%s missing", name);
		return 1;
	}
	if (!json_is_string(j))
		return fail(r, "%s is not a string", name);
	*s = json_string_value(j);
	return 0;
}

/* A key's hex into @key; no message quotes any of it. */
static int get_key(struct rd *r, json_t *o, const char *name, uint8_t *key)
{
	json_t *j = json_object_get(o, name);
	const char *s;
	size_t len, bad;

	if (!j)
		return fail(r, "%s missing", name);
	if (!json_is_string(j))
		return fail(r, "%s is not a string", name);
	s = json_string_value(j);
	len = json_string_length(j);
	if (len != HEX_LEN)
		return fail(r, "%s has %zu characters, %d hex digits (%d bytes) wanted",
			    name, len, HEX_LEN, SVCGW_HA_KEY_LEN);
	bad = parse_hex(s, key, SVCGW_HA_KEY_LEN);
	if (bad)
		return fail(r, "%s: character %zu is not a hex digit", name,
			    bad);
	return 0;
}

/* The policy's own members (not its nodes). */
static int decode_top(struct rd *r, json_t *m, struct ha_policy *p)
{
	uint64_t port;
	bool has_prev_id, has_prev;
	int ret;

	if (get_int(r, m, "generation", true, 1, JSON_INT_MAX, &p->gen) ||
	    get_u32(r, m, "local", true, 0, &p->local) ||
	    get_int(r, m, "port", true, 1, 65535, &port) ||
	    get_u32(r, m, "key_id", true, 1, &p->key_id) ||
	    get_key(r, m, "key", p->key))
		return -1;
	p->has_local = true;
	p->has_port = true;
	p->port = port;
	ret = get_u32(r, m, "prev_key_id", false, 1, &p->prev_key_id);
	if (ret < 0)
		return -1;
	has_prev_id = ret == 0;
	has_prev = json_object_get(m, "prev_key") != NULL;
	if (has_prev_id != has_prev)
		return fail(r, has_prev ? "prev_key without prev_key_id" :
				"prev_key_id without prev_key");
	if (has_prev && get_key(r, m, "prev_key", p->prev_key))
		return -1;
	if (has_prev && p->prev_key_id == p->key_id)
		return fail(r, "prev_key_id is key_id (%lu): two keys, two ids",
			    (unsigned long)p->key_id);
	p->has_prev = has_prev;
	return 0;
}

/* An address member: no message quotes it (it came from the controller). */
static int get_addr(struct rd *r, json_t *o, const char *name, bool required,
		    struct endpoint *ep, bool *present)
{
	const char *s;
	int ret = get_str(r, o, name, required, &s);

	if (present)
		*present = !ret;
	if (ret)
		return ret < 0 ? -1 : 0;
	if (parse_host_addr(s, 0, ep))
		return fail(r, "%s is not an IPv4 or IPv6 address", name);
	if (!ep_unicast(ep))
		return fail(r, "%s address is not unicast", name);
	return 0;
}

static int get_name(struct rd *r, json_t *o, char *name)
{
	const char *s;
	size_t len, i;

	if (get_str(r, o, "name", true, &s))
		return -1;
	len = json_string_length(json_object_get(o, "name"));
	if (!len || len >= SVCGW_NAME_MAX || strlen(s) != len)
		return fail(r, "name of %zu bytes (1 to %d characters)", len,
			    SVCGW_NAME_MAX - 1);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return fail(r, "name may hold printable ASCII characters only, no spaces");
	memcpy(name, s, len + 1);
	return 0;
}

static int get_backups(struct rd *r, json_t *o, struct ha_node *n)
{
	json_t *b = json_object_get(o, "backups"), *v;
	json_int_t id;
	size_t i, j;

	if (!b)
		return fail(r, "backups missing");
	if (!json_is_array(b))
		return fail(r, "backups is not a list");
	if (!json_array_size(b))
		return fail(r, "no backups (1 to %d node ids)",
			    SVCGW_HA_BACKUPS_MAX);
	if (json_array_size(b) > SVCGW_HA_BACKUPS_MAX)
		return fail(r, "%zu backups, more than %d",
			    json_array_size(b), SVCGW_HA_BACKUPS_MAX);
	json_array_foreach(b, i, v) {
		if (!json_is_integer(v))
			return fail(r, "backup %zu is not an integer", i + 1);
		id = json_integer_value(v);
		if (id < 1 || id > UINT32_MAX)
			return fail(r, "backup id %lld out of range (1 to %lu)",
				    (long long)id, (unsigned long)UINT32_MAX);
		if (id == n->id)
			return fail(r, "backup %lld is the node itself",
				    (long long)id);
		for (j = 0; j < i; j++)
			if (n->backup[j] == id)
				return fail(r, "backup %lld given twice",
					    (long long)id);
		n->backup[i] = id;
	}
	n->nbackup = i;
	return 0;
}

static int get_state(struct rd *r, json_t *o, struct ha_node *n)
{
	json_t *held = json_object_get(o, "held");
	const char *s;
	int ret = get_str(r, o, "state", false, &s);

	if (ret < 0)
		return -1;
	if (ret) {
		if (json_object_get(o, "state_generation"))
			return fail(r, "state_generation without state");
		if (held)
			return fail(r, "held without state");
		return 0;
	}
	if (held && !json_is_boolean(held))
		return fail(r, "held is not true or false");
	n->held = json_is_true(held);
	if (n->held && strcmp(s, "up"))
		return fail(r, "held, yet state is not up");
	if (!strcmp(s, "up"))
		n->state = SVCGW_HA_STATE_UP;
	else if (!strcmp(s, "down"))
		n->state = SVCGW_HA_STATE_DOWN;
	else
		return fail(r, "state is neither up nor down");
	if (get_int(r, o, "state_generation", true, 1, JSON_INT_MAX,
		    &n->state_gen))
		return -1;
	n->has_state = true;
	return 0;
}

/* Node @i of the list @o into @n; the nodes before it in @p. */
static int decode_node(struct rd *r, json_t *o, size_t i,
		       const struct ha_policy *p, struct ha_node *n)
{
	size_t j;

	snprintf(r->where, sizeof(r->where), "nodes[%zu]: ", i);
	if (!json_is_object(o))
		return fail(r, "not an object");
	if (get_u32(r, o, "id", true, 1, &n->id) || get_name(r, o, n->name))
		return -1;
	snprintf(r->where, sizeof(r->where), "nodes[%zu] (%s): ", i, n->name);
	if (get_addr(r, o, "sync", true, &n->sync, NULL) ||
	    get_addr(r, o, "address", true, &n->dest, &n->has_dest) ||
	    get_addr(r, o, "fnat", false, &n->fnat, &n->has_fnat) ||
	    get_backups(r, o, n) || get_state(r, o, n))
		return -1;
	for (j = 0; j < p->nnode; j++) {
		if (p->node[j].id == n->id)
			return fail(r, "id %lu given twice (nodes[%zu])",
				    (unsigned long)n->id, j);
		if (!strcmp(p->node[j].name, n->name))
			return fail(r, "name given twice (nodes[%zu])", j);
	}
	if (p->nnode && n->sync.family != p->node[0].sync.family)
		return fail(r, "sync address of another family than nodes[0]'s: one family for all");
	n->line = i + 1;
	return 0;
}

/* What only the whole list shows: the backups and the local node. */
static int decode_refs(struct rd *r, const struct ha_policy *p)
{
	size_t i, j;

	for (i = 0; i < p->nnode; i++) {
		const struct ha_node *n = &p->node[i];

		for (j = 0; j < n->nbackup; j++) {
			if (ha_find_node(p, n->backup[j]))
				continue;
			snprintf(r->where, sizeof(r->where), "nodes[%zu] (%s): ",
				 i, n->name);
			return fail(r, "backup %lu is no node of the policy",
				    (unsigned long)n->backup[j]);
		}
	}
	r->where[0] = '\0';
	if (p->local && !ha_find_node(p, p->local))
		return fail(r, "local %lu is no node of the policy",
			    (unsigned long)p->local);
	return 0;
}

static int decode(struct rd *r, json_t *m, struct ha_policy *p)
{
	json_t *nodes, *o;
	size_t i, count;

	if (!json_is_object(m))
		return fail(r, "not a JSON object");
	if (decode_top(r, m, p))
		return -1;
	nodes = json_object_get(m, "nodes");
	if (!nodes)
		return fail(r, "nodes missing");
	if (!json_is_array(nodes))
		return fail(r, "nodes is not a list");
	count = json_array_size(nodes);
	if (!count || count > SVCGW_HA_NODES_MAX)
		return fail(r, "%zu nodes (1 to %d)", count,
			    SVCGW_HA_NODES_MAX);
	p->node = calloc(count, sizeof(*p->node));
	if (!p->node)
		return fail(r, "out of memory");
	json_array_foreach(nodes, i, o) {
		if (decode_node(r, o, i, p, &p->node[i]))
			return -1;
		p->nnode++;
	}
	p->nnodes = p->nnode;
	p->line = 1;
	return decode_refs(r, p);
}

int hamsg_decode(json_t *m, struct ha_policy *p, char *err, size_t errlen)
{
	struct rd r = { .err = err, .errlen = errlen };

	memset(p, 0, sizeof(*p));
	if (errlen)
		err[0] = '\0';
	if (decode(&r, m, p)) {
		ha_policy_free(p);
		return -1;
	}
	return 0;
}

int hamsg_notice(json_t *m, const struct ha_policy *p, struct ha_notice *n,
		 char *err, size_t errlen)
{
	struct rd r = { .err = err, .errlen = errlen };
	const char *name, *state;
	size_t i;

	memset(n, 0, sizeof(*n));
	if (errlen)
		err[0] = '\0';
	strcpy(r.where, "node notice: ");
	if (!json_object_get(m, "ha_generation"))
		return 0;
	if (get_str(&r, m, "name", true, &name) ||
	    get_str(&r, m, "state", true, &state) ||
	    get_int(&r, m, "ha_generation", true, 1, JSON_INT_MAX, &n->gen))
		return -1;
	if (!strcmp(state, "up"))
		n->state = SVCGW_HA_STATE_UP;
	else if (!strcmp(state, "down"))
		n->state = SVCGW_HA_STATE_DOWN;
	else
		return fail(&r, "state is neither up nor down");
	for (i = 0; i < p->nnode; i++) {
		if (!strcmp(p->node[i].name, name)) {
			n->id = p->node[i].id;
			return 1;
		}
	}
	return 0;
}

const char *hamsg_describe(const struct ha_policy *p, char *buf, size_t len)
{
	const struct ha_node *l = p->local ? ha_find_node(p, p->local) : NULL;
	int n;

	n = snprintf(buf, len, "generation %llu local %lu (%s) port %u key id %lu",
		     (unsigned long long)p->gen, (unsigned long)p->local,
		     l ? l->name : "forwarder", p->port,
		     (unsigned long)p->key_id);
	if (n >= 0 && (size_t)n < len && p->has_prev)
		n += snprintf(buf + n, len - n, " previous key id %lu",
			      (unsigned long)p->prev_key_id);
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, ", %zu nodes", p->nnode);
	return buf;
}
