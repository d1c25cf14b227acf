// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the control channel (chan.c), TAP: two ends in this
 * process over socketpairs, with certificates made by mkcerts.sh:
 *
 *   test_chan DIR OTHER   DIR: ca, ctl, fwd1, fwd2 of one CA;
 *                         OTHER: ca and fwd1 of another CA
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "chan.h"
#include "../svcgw/tap.h"

static const char *dir, *other;

static char *path(const char *d, const char *name, const char *ext)
{
	static char buf[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s.%s", d, name, ext);
	return buf[i];
}

/* A TLS end of node @name of the CA in @d, trusting the CA in @ca_dir. */
static void tls(struct chan_tls *t, bool server, const char *ca_dir,
		const char *d, const char *name)
{
	char err[512];

	if (chan_tls_init(t, server, path(ca_dir, "ca", "crt"),
			  path(d, name, "crt"), path(d, name, "key"), err,
			  sizeof(err))) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
}

static void pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv)) {
		printf("Bail out! socketpair: %s\n", strerror(errno));
		exit(1);
	}
}

/* Both handshakes to their ends: the results in *@rs and *@rc. */
static void handshake(struct chan *s, struct chan *c, int *rs, int *rc)
{
	int i;

	*rs = *rc = CHAN_AGAIN;
	for (i = 0; i < 1000; i++) {
		if (*rc == CHAN_AGAIN)
			*rc = chan_handshake(c);
		if (*rs == CHAN_AGAIN)
			*rs = chan_handshake(s);
		if (*rs != CHAN_AGAIN && *rc != CHAN_AGAIN)
			return;
		/* One end failed: the other sees it at its next read. */
		if ((*rs < CHAN_AGAIN || *rc < CHAN_AGAIN) && i > 20)
			return;
	}
}

/* A server @sname and a client @cname (expecting @expect) connected. */
static void connect_pair(struct chan_tls *ts, struct chan_tls *tc,
			 struct chan *s, struct chan *c, const char *sname,
			 const char *cname, const char *expect, int *rs,
			 int *rc)
{
	int sv[2];

	pair(sv);
	chan_init(s, ts, sv[0], sname, NULL);
	chan_init(c, tc, sv[1], cname, expect);
	handshake(s, c, rs, rc);
}

/* Receive on @r, the other end @w flushing, until not CHAN_AGAIN. */
static int recv_one(struct chan *r, struct chan *w, json_t **m)
{
	int i, ret = CHAN_AGAIN;

	*m = NULL;
	for (i = 0; i < 100000 && ret == CHAN_AGAIN; i++) {
		if (w)
			chan_flush(w);
		ret = chan_recv(r, m);
	}
	return ret;
}

static json_t *msg(const char *type, int n)
{
	return json_pack("{s:s, s:i}", "type", type, "n", n);
}

/* chan_frame() of a new message, which it does not keep. */
static void frame(const char *type, int n, uint64_t seq, const char *node,
		  uint8_t **b, size_t *len)
{
	json_t *m = msg(type, n);

	chan_frame(m, seq, node, b, len);
	json_decref(m);
}

/* Write @len raw bytes through @c's TLS, outside chan_send(). */
static void raw(struct chan *c, const void *buf, size_t len)
{
	if (SSL_write(c->ssl, buf, (int)len) != (int)len)
		printf("# raw write failed\n");
}

static void test_good(struct chan_tls *ts, struct chan_tls *tc)
{
	struct chan s, c;
	json_t *m, *big;
	char *blob;
	int rs, rc, i, r, good = 0;

	connect_pair(ts, tc, &s, &c, "ctl", "fwd1", "ctl", &rs, &rc);
	ok(rs == CHAN_OK && rc == CHAN_OK,
	   "good certificates: both handshakes done (server %s, client %s)",
	   chan_strerror(rs), chan_strerror(rc));
	ok(!strcmp(s.peer, "fwd1") && !strcmp(c.peer, "ctl"),
	   "each end names the other by its certificate (%s, %s)", s.peer,
	   c.peer);
	for (i = 1; i <= 3; i++) {
		r = chan_send(&c, msg("hello", i));
		if (r == CHAN_OK && recv_one(&s, &c, &m) == CHAN_OK) {
			good += json_integer_value(json_object_get(m, "n")) == i &&
				json_integer_value(json_object_get(m, "seq")) == i &&
				!strcmp(json_string_value(json_object_get(m, "node")), "fwd1");
			json_decref(m);
		}
		r = chan_send(&s, msg("ack", i));
		if (r == CHAN_OK && recv_one(&c, &s, &m) == CHAN_OK) {
			good += json_integer_value(json_object_get(m, "n")) == i;
			json_decref(m);
		}
	}
	ok(good == 6, "6 messages both ways, in order, with seq and node (%d)",
	   good);

	/* 2 MiB: more than the socket takes at once. */
	blob = malloc(2 << 20);
	memset(blob, 'x', 2 << 20);
	blob[(2 << 20) - 1] = 0;
	big = json_pack("{s:s, s:s}", "type", "set", "blob", blob);
	r = chan_send(&s, big);
	ok(r == CHAN_AGAIN, "a 2 MiB message waits for the socket (%s)",
	   chan_strerror(r));
	ok(chan_events(&s) & POLLOUT, "and asks for POLLOUT");
	r = recv_one(&c, &s, &m);
	ok(r == CHAN_OK && m &&
	   strlen(json_string_value(json_object_get(m, "blob"))) ==
	   (2u << 20) - 1, "it arrives whole (%s)", chan_strerror(r));
	json_decref(m);
	free(blob);

	/* Two messages in one write: both come out. */
	chan_send(&c, msg("a", 1));
	chan_send(&c, msg("b", 2));
	r = recv_one(&s, &c, &m);
	json_decref(m);
	i = recv_one(&s, &c, &m);
	ok(r == CHAN_OK && i == CHAN_OK && m &&
	   json_integer_value(json_object_get(m, "n")) == 2,
	   "two messages back to back both arrive");
	json_decref(m);

	chan_close(&c);
	r = recv_one(&s, NULL, &m);
	ok(r == CHAN_CLOSED, "a clean close is CHAN_CLOSED (%s)",
	   chan_strerror(r));
	chan_close(&s);
}

static void test_auth(struct chan_tls *ts, struct chan_tls *tc)
{
	struct chan_tls evil_c, evil_s, nocert;
	struct chan s, c;
	char err[256];
	int rs, rc;

	/* A client whose certificate another CA signed. */
	tls(&evil_c, false, dir, other, "fwd1");
	connect_pair(ts, &evil_c, &s, &c, "ctl", "fwd1", "ctl", &rs, &rc);
	ok(rs == CHAN_E_AUTH, "client of another CA refused by the server: %s (%s)",
	   chan_strerror(rs), s.why);
	chan_close(&s);
	chan_close(&c);

	/* A server of another CA. */
	tls(&evil_s, true, dir, other, "fwd1");
	connect_pair(&evil_s, tc, &s, &c, "ctl", "fwd1", NULL, &rs, &rc);
	ok(rc == CHAN_E_AUTH, "server of another CA refused by the client: %s (%s)",
	   chan_strerror(rc), c.why);
	chan_close(&s);
	chan_close(&c);

	/* A client without a certificate. */
	nocert.ctx = SSL_CTX_new(TLS_client_method());
	nocert.server = false;
	SSL_CTX_set_min_proto_version(nocert.ctx, TLS1_3_VERSION);
	SSL_CTX_load_verify_locations(nocert.ctx, path(dir, "ca", "crt"), NULL);
	connect_pair(ts, &nocert, &s, &c, "ctl", "fwd1", NULL, &rs, &rc);
	ok(rs == CHAN_E_AUTH, "client without a certificate refused: %s (%s)",
	   chan_strerror(rs), s.why);
	chan_close(&s);
	chan_close(&c);

	SSL_CTX_free(nocert.ctx);

	/* The server is fwd2, the client wants ctl. */
	{
		struct chan_tls t2;

		tls(&t2, true, dir, dir, "fwd2");
		connect_pair(&t2, tc, &s, &c, "fwd2", "fwd1", "ctl", &rs, &rc);
		ok(rc == CHAN_E_AUTH,
		   "a server not the node expected refused: %s (%s)",
		   chan_strerror(rc), c.why);
		chan_close(&s);
		chan_close(&c);
		chan_tls_free(&t2);
	}

	chan_tls_free(&evil_s);
	/* Files that are not there or not keys. */
	ok(chan_tls_init(&nocert, true, path(dir, "ca", "crt"),
			 path(dir, "nosuch", "crt"), path(dir, "ctl", "key"),
			 err, sizeof(err)) == -1 && strstr(err, "nosuch.crt"),
	   "a missing certificate file is named: %s", err);
	ok(chan_tls_init(&evil_s, true, path(dir, "ca", "crt"),
			 path(dir, "ctl", "crt"), path(dir, "fwd1", "key"),
			 err, sizeof(err)) == -1 && strstr(err, "fwd1.key"),
	   "a key not the certificate's is named: %s", err);
	chan_tls_free(&evil_c);
}

/* A connected pair, fwd1 to ctl, for the message tests. */
static void up(struct chan_tls *ts, struct chan_tls *tc, struct chan *s,
	       struct chan *c)
{
	int rs, rc;

	connect_pair(ts, tc, s, c, "ctl", "fwd1", "ctl", &rs, &rc);
	if (rs || rc) {
		printf("Bail out! handshake %d %d\n", rs, rc);
		exit(1);
	}
}

static void test_messages(struct chan_tls *ts, struct chan_tls *tc)
{
	struct chan s, c;
	json_t *m;
	uint8_t *b;
	size_t n;
	int r;

	/* The same message (seq 1) twice. */
	up(ts, tc, &s, &c);
	frame("set", 1, 1, "fwd1", &b, &n);
	raw(&c, b, n);
	raw(&c, b, n);
	free(b);
	r = recv_one(&s, &c, &m);
	ok(r == CHAN_OK, "a message with seq 1 is taken (%s)", chan_strerror(r));
	json_decref(m);
	r = recv_one(&s, &c, &m);
	ok(r == CHAN_E_REPLAY && !m, "the same again is refused: %s (%s)",
	   chan_strerror(r), s.why);
	chan_close(&s);
	chan_close(&c);

	/* A seq skipped ahead. */
	up(ts, tc, &s, &c);
	frame("set", 1, 5, "fwd1", &b, &n);
	raw(&c, b, n);
	free(b);
	r = recv_one(&s, &c, &m);
	ok(r == CHAN_E_REPLAY, "a seq out of order is refused: %s (%s)",
	   chan_strerror(r), s.why);
	chan_close(&s);
	chan_close(&c);

	/* fwd1 claims to be fwd2. */
	up(ts, tc, &s, &c);
	frame("set", 1, 1, "fwd2", &b, &n);
	raw(&c, b, n);
	free(b);
	r = recv_one(&s, &c, &m);
	ok(r == CHAN_E_FORGED, "a message naming another node is refused: %s (%s)",
	   chan_strerror(r), s.why);
	chan_close(&s);
	chan_close(&c);

	/* Not JSON; JSON without seq. */
	up(ts, tc, &s, &c);
	raw(&c, "\0\0\0\5hello", 9);
	r = recv_one(&s, &c, &m);
	ok(r == CHAN_E_GARBAGE, "not JSON is refused: %s (%s)",
	   chan_strerror(r), s.why);
	chan_close(&s);
	chan_close(&c);
	up(ts, tc, &s, &c);
	raw(&c, "\0\0\0\x0e{\"type\":\"set\"}", 18);
	r = recv_one(&s, &c, &m);
	ok(r == CHAN_E_GARBAGE, "an object without seq and node is refused: %s (%s)",
	   chan_strerror(r), s.why);
	chan_close(&s);
	chan_close(&c);

	/* A length above the limit. */
	up(ts, tc, &s, &c);
	raw(&c, "\xff\xff\xff\xff{}", 6);
	r = recv_one(&s, &c, &m);
	ok(r == CHAN_E_TOOBIG, "a length of 4 GiB is refused: %s (%s)",
	   chan_strerror(r), s.why);
	chan_close(&s);
	chan_close(&c);

	/* Half a message, then a TLS close. */
	up(ts, tc, &s, &c);
	raw(&c, "\0\0\0\x64{\"type\":", 12);
	SSL_shutdown(c.ssl);
	r = recv_one(&s, &c, &m);
	ok(r == CHAN_E_TRUNCATED, "half a message then a close is truncated: %s (%s)",
	   chan_strerror(r), s.why);
	chan_close(&s);
	chan_close(&c);

	/* A whole message, then the TCP stream ends without a TLS close. */
	up(ts, tc, &s, &c);
	chan_send(&c, msg("set", 1));
	shutdown(c.fd, SHUT_WR);
	r = recv_one(&s, &c, &m);
	ok(r == CHAN_OK, "the message before the cut arrives (%s)",
	   chan_strerror(r));
	json_decref(m);
	r = recv_one(&s, NULL, &m);
	ok(r == CHAN_E_TRUNCATED, "then the cut is truncated, not a close: %s (%s)",
	   chan_strerror(r), s.why);
	chan_close(&s);
	chan_close(&c);
}

/* Copy what is readable on @from to @to, appending it to @rec. */
static size_t relay(int from, int to, uint8_t *rec, size_t *reclen,
		    size_t cap, int flip_at)
{
	uint8_t buf[65536];
	ssize_t n;
	size_t moved = 0;

	while ((n = read(from, buf, sizeof(buf))) > 0) {
		if (flip_at >= 0 && (size_t)flip_at >= *reclen &&
		    (size_t)flip_at < *reclen + n)
			buf[flip_at - *reclen] ^= 0x20;
		if (rec && *reclen + n <= cap)
			memcpy(rec + *reclen, buf, n);
		*reclen += n;
		if (write(to, buf, n) != n)
			printf("# relay write short\n");
		moved += n;
	}
	return moved;
}

static void drain(int fd)
{
	uint8_t buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/*
 * Through a relay that records the client's bytes: a recorded connection
 * played again to a new server fails; a byte altered on the wire kills
 * the connection as forged.
 */
static void test_wire(struct chan_tls *ts, struct chan_tls *tc)
{
	static uint8_t rec[65536];
	size_t reclen = 0, back = 0, hs_len = 0;
	struct chan s, c;
	int a[2], b[2], rs = CHAN_AGAIN, rc = CHAN_AGAIN, i, r;
	json_t *m;

	pair(a);	/* client a[1] <-> a[0] relay b[1] <-> b[0] server */
	pair(b);
	chan_init(&s, ts, b[0], "ctl", NULL);
	chan_init(&c, tc, a[1], "fwd1", "ctl");
	for (i = 0; i < 1000 && (rs == CHAN_AGAIN || rc == CHAN_AGAIN); i++) {
		if (rc == CHAN_AGAIN)
			rc = chan_handshake(&c);
		relay(a[0], b[1], rec, &reclen, sizeof(rec), -1);
		if (rs == CHAN_AGAIN)
			rs = chan_handshake(&s);
		relay(b[1], a[0], NULL, &back, 0, -1);
	}
	hs_len = reclen;
	chan_send(&c, msg("set", 1));
	relay(a[0], b[1], rec, &reclen, sizeof(rec), -1);
	r = recv_one(&s, NULL, &m);
	ok(rs == CHAN_OK && rc == CHAN_OK && r == CHAN_OK,
	   "through the relay: handshake and a message (%zu bytes recorded)",
	   reclen);
	json_decref(m);
	chan_close(&s);
	chan_close(&c);
	close(a[0]);
	close(b[1]);

	/* The recording, played to a new server. */
	pair(b);
	chan_init(&s, ts, b[0], "ctl", NULL);
	if (write(b[1], rec, reclen) != (ssize_t)reclen)
		printf("# replay write short\n");
	rs = CHAN_AGAIN;
	for (i = 0; i < 100 && rs == CHAN_AGAIN; i++) {
		rs = chan_handshake(&s);
		drain(b[1]);	/* its answers */
	}
	ok(rs == CHAN_E_AUTH && !s.up,
	   "the recorded connection played again fails its handshake: %s (%s)",
	   chan_strerror(rs), s.why);
	chan_close(&s);
	close(b[1]);

	/* One bit of a record after the handshake altered on the wire. */
	pair(a);
	pair(b);
	reclen = 0;
	chan_init(&s, ts, b[0], "ctl", NULL);
	chan_init(&c, tc, a[1], "fwd1", "ctl");
	rs = rc = CHAN_AGAIN;
	for (i = 0; i < 1000 && (rs == CHAN_AGAIN || rc == CHAN_AGAIN); i++) {
		if (rc == CHAN_AGAIN)
			rc = chan_handshake(&c);
		relay(a[0], b[1], NULL, &reclen, 0, -1);
		if (rs == CHAN_AGAIN)
			rs = chan_handshake(&s);
		relay(b[1], a[0], NULL, &back, 0, -1);
	}
	chan_send(&c, msg("set", 1));
	relay(a[0], b[1], NULL, &reclen, 0, (int)reclen + 10);
	r = recv_one(&s, NULL, &m);
	ok(rs == CHAN_OK && r == CHAN_E_FORGED && !m,
	   "a record altered on the wire is refused: %s (%s)",
	   chan_strerror(r), s.why);
	chan_close(&s);
	chan_close(&c);
	close(a[0]);
	close(b[1]);
	(void)hs_len;
}

/* chan_parse() alone: byte by byte, a message is taken only when whole. */
static void test_parse(void)
{
	uint8_t *b;
	size_t n, used, i;
	uint64_t seq = 0;
	json_t *m = NULL;
	char why[160];
	int r = CHAN_AGAIN, again = 0;

	frame("set", 7, 1, "fwd1", &b, &n);
	for (i = 0; i <= n; i++) {
		r = chan_parse(b, i, "fwd1", &seq, &m, &used, why, sizeof(why));
		if (i < n)
			again += r == CHAN_AGAIN;
	}
	ok(again == (int)n && r == CHAN_OK && used == n && seq == 1,
	   "chan_parse: incomplete %d times of %zu, then the message", again, n);
	json_decref(m);
	free(b);
}

int main(int argc, char **argv)
{
	struct chan_tls ts, tc;

	if (argc != 3) {
		fprintf(stderr, "usage: test_chan DIR OTHER (mkcerts.sh)\n");
		return 2;
	}
	dir = argv[1];
	other = argv[2];
	signal(SIGPIPE, SIG_IGN);
	tls(&ts, true, dir, dir, "ctl");
	tls(&tc, false, dir, dir, "fwd1");
	test_good(&ts, &tc);
	test_auth(&ts, &tc);
	test_messages(&ts, &tc);
	test_wire(&ts, &tc);
	test_parse();
	chan_tls_free(&ts);
	chan_tls_free(&tc);
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}
