// SPDX-License-Identifier: GPL-2.0
/*
 * svcgwd: the control channel (chan.h): TLS 1.3 with OpenSSL, messages of
 * length-prefixed JSON with jansson.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "chan.h"

const char *chan_strerror(int err)
{
	switch (err) {
	case CHAN_OK:		return "ok";
	case CHAN_AGAIN:	return "again";
	case CHAN_CLOSED:	return "closed";
	case CHAN_E_AUTH:	return "not authenticated";
	case CHAN_E_GARBAGE:	return "garbage";
	case CHAN_E_REPLAY:	return "replayed or out of sequence";
	case CHAN_E_FORGED:	return "forged";
	case CHAN_E_TRUNCATED:	return "truncated";
	case CHAN_E_TOOBIG:	return "too long";
	case CHAN_E_IO:		return "connection failed";
	case CHAN_E_NOMEM:	return "out of memory";
	}
	return "unknown";
}

/* OpenSSL's queued errors, the last one in @buf, the queue emptied. */
static void ssl_reason(char *buf, size_t len)
{
	unsigned long e, last = 0;

	while ((e = ERR_get_error()))
		last = e;
	if (last)
		ERR_error_string_n(last, buf, len);
	else
		snprintf(buf, len, "%s", errno ? strerror(errno) : "no detail");
}

int chan_tls_init(struct chan_tls *t, bool server, const char *ca,
		  const char *cert, const char *key, char *err, size_t errlen)
{
	SSL_CTX *ctx;
	char why[256];
	const char *what;

	t->ctx = NULL;
	ERR_clear_error();
	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (!ctx) {
		ssl_reason(why, sizeof(why));
		snprintf(err, errlen, "TLS: %s", why);
		return -1;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
	/* Every connection a full handshake: no resumption to reason about. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
			   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	what = ca;
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
		goto fail;
	if (server) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca);

		if (names)
			SSL_CTX_set_client_CA_list(ctx, names);
	}
	what = cert;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
		goto fail;
	what = key;
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		goto fail;
	t->ctx = ctx;
	t->server = server;
	return 0;
fail:
	ssl_reason(why, sizeof(why));
	snprintf(err, errlen, "%s: %s", what, why);
	SSL_CTX_free(ctx);
	return -1;
}

void chan_tls_free(struct chan_tls *t)
{
	SSL_CTX_free(t->ctx);
	t->ctx = NULL;
}

int chan_init(struct chan *c, struct chan_tls *t, int fd, const char *self,
	      const char *expect)
{
	SSL *ssl;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	snprintf(c->self, sizeof(c->self), "%s", self);
	snprintf(c->expect, sizeof(c->expect), "%s", expect ? expect : "");
	ssl = SSL_new(t->ctx);
	if (!ssl || SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return CHAN_E_NOMEM;
	}
	if (t->server)
		SSL_set_accept_state(ssl);
	else
		SSL_set_connect_state(ssl);
	/* The server's name, checked by OpenSSL in the handshake. */
	if (!t->server && c->expect[0] &&
	    SSL_set1_host(ssl, c->expect) != 1) {
		SSL_free(ssl);
		return CHAN_E_NOMEM;
	}
	c->ssl = ssl;
	return CHAN_OK;
}

/* What an SSL call's @ret means, errno and OpenSSL's queue looked at. */
static int ssl_result(struct chan *c, int ret, int fail)
{
	int e = SSL_get_error(c->ssl, ret);

	switch (e) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return CHAN_AGAIN;
	case SSL_ERROR_ZERO_RETURN:
		c->eof = true;
		return CHAN_CLOSED;
	case SSL_ERROR_SYSCALL:
		snprintf(c->why, sizeof(c->why), "%s",
			 errno ? strerror(errno) : "connection ended");
		ERR_clear_error();
		return errno ? CHAN_E_IO : CHAN_E_TRUNCATED;
	default: {
		unsigned long last = ERR_peek_last_error();

		ssl_reason(c->why, sizeof(c->why));
		/* No TLS close before the end of the stream. */
		if (ERR_GET_REASON(last) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
			return CHAN_E_TRUNCATED;
		/* A record altered on the wire: its MAC is wrong. */
		if (c->up && ERR_GET_REASON(last) ==
		    SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC)
			return CHAN_E_FORGED;
		return fail;
	}
	}
}

/* The common name of the peer's certificate into c->peer: 0 or -1. */
static int peer_name(struct chan *c)
{
	X509 *x = SSL_get1_peer_certificate(c->ssl);
	int n;

	if (!x)
		return -1;
	n = X509_NAME_get_text_by_NID(X509_get_subject_name(x),
				      NID_commonName, c->peer,
				      sizeof(c->peer));
	X509_free(x);
	return n > 0 && (size_t)n < sizeof(c->peer) ? 0 : -1;
}

int chan_handshake(struct chan *c)
{
	long v;
	int r;

	if (c->up)
		return CHAN_OK;
	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(c->ssl);
	if (r != 1) {
		r = ssl_result(c, r, CHAN_E_AUTH);
		if (r == CHAN_CLOSED || r == CHAN_E_TRUNCATED) {
			/* The peer hung up during the handshake: refused. */
			v = SSL_get_verify_result(c->ssl);
			snprintf(c->why, sizeof(c->why),
				 "the peer ended the handshake%s%s",
				 v != X509_V_OK ? ": " : "",
				 v != X509_V_OK ?
				 X509_verify_cert_error_string(v) : "");
			return CHAN_E_AUTH;
		}
		if (r == CHAN_E_AUTH) {
			v = SSL_get_verify_result(c->ssl);
			if (v != X509_V_OK)
				snprintf(c->why, sizeof(c->why),
					 "certificate: %s",
					 X509_verify_cert_error_string(v));
		}
		return r;
	}
	if (SSL_get_verify_result(c->ssl) != X509_V_OK || peer_name(c)) {
		snprintf(c->why, sizeof(c->why),
			 "the peer's certificate has no usable name");
		return CHAN_E_AUTH;
	}
	if (c->expect[0] && strcmp(c->peer, c->expect)) {
		snprintf(c->why, sizeof(c->why),
			 "the peer is \"%s\", not \"%s\"", c->peer, c->expect);
		return CHAN_E_AUTH;
	}
	c->up = true;
	return CHAN_OK;
}

int chan_frame(json_t *msg, uint64_t seq, const char *node, uint8_t **buf,
	       size_t *len)
{
	char *text;
	size_t n;
	uint8_t *b;

	if (json_object_set_new(msg, "seq", json_integer((json_int_t)seq)) ||
	    json_object_set_new(msg, "node", json_string(node)))
		return CHAN_E_NOMEM;
	text = json_dumps(msg, JSON_COMPACT);
	if (!text)
		return CHAN_E_NOMEM;
	n = strlen(text);
	if (n > CHAN_MSG_MAX) {
		free(text);
		return CHAN_E_TOOBIG;
	}
	b = malloc(n + 4);
	if (!b) {
		free(text);
		return CHAN_E_NOMEM;
	}
	b[0] = n >> 24;
	b[1] = n >> 16;
	b[2] = n >> 8;
	b[3] = n;
	memcpy(b + 4, text, n);
	free(text);
	*buf = b;
	*len = n + 4;
	return CHAN_OK;
}

int chan_parse(const uint8_t *buf, size_t len, const char *peer,
	       uint64_t *seq, json_t **msg, size_t *used, char *why,
	       size_t whylen)
{
	json_t *m, *s, *node, *type;
	json_error_t jerr;
	size_t n;

	if (len < 4)
		return CHAN_AGAIN;
	n = (size_t)buf[0] << 24 | (size_t)buf[1] << 16 |
	    (size_t)buf[2] << 8 | buf[3];
	if (n > CHAN_MSG_MAX) {
		snprintf(why, whylen, "a message of %zu bytes", n);
		return CHAN_E_TOOBIG;
	}
	if (len - 4 < n)
		return CHAN_AGAIN;
	m = json_loadb((const char *)buf + 4, n, JSON_REJECT_DUPLICATES,
		       &jerr);
	if (!m) {
		snprintf(why, whylen, "not JSON: %s (column %d)", jerr.text,
			 jerr.column);
		return CHAN_E_GARBAGE;
	}
	s = json_object_get(m, "seq");
	node = json_object_get(m, "node");
	type = json_object_get(m, "type");
	if (!json_is_object(m) || !json_is_integer(s) ||
	    !json_is_string(node) || !json_is_string(type)) {
		snprintf(why, whylen,
			 "not an object with \"seq\", \"node\" and \"type\"");
		json_decref(m);
		return CHAN_E_GARBAGE;
	}
	if (strcmp(json_string_value(node), peer)) {
		snprintf(why, whylen,
			 "a message of \"%.40s\" from \"%.40s\"",
			 json_string_value(node), peer);
		json_decref(m);
		return CHAN_E_FORGED;
	}
	if (json_integer_value(s) < 0 ||
	    (uint64_t)json_integer_value(s) != *seq + 1) {
		snprintf(why, whylen, "seq %lld where %llu was next",
			 (long long)json_integer_value(s),
			 (unsigned long long)*seq + 1);
		json_decref(m);
		return CHAN_E_REPLAY;
	}
	*seq += 1;
	*msg = m;
	*used = n + 4;
	return CHAN_OK;
}

int chan_flush(struct chan *c)
{
	int r;

	while (c->out_off < c->out_len) {
		size_t n = c->out_len - c->out_off;

		ERR_clear_error();
		errno = 0;
		r = SSL_write(c->ssl, c->out + c->out_off,
			      n > (1u << 20) ? 1 << 20 : (int)n);
		if (r <= 0)
			return ssl_result(c, r, CHAN_E_IO);
		c->out_off += r;
	}
	c->out_off = c->out_len = 0;
	return CHAN_OK;
}

int chan_send(struct chan *c, json_t *msg)
{
	uint8_t *b;
	size_t n;
	int r;

	if (!msg)
		return CHAN_E_NOMEM;
	if (!c->up) {
		json_decref(msg);
		return CHAN_E_IO;
	}
	r = chan_frame(msg, c->tx_seq + 1, c->self, &b, &n);
	json_decref(msg);
	if (r)
		return r;
	if (c->out_off) {	/* compact what is left */
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + n > c->out_cap) {
		size_t cap = (c->out_len + n) * 2;
		uint8_t *o = realloc(c->out, cap);

		if (!o) {
			free(b);
			return CHAN_E_NOMEM;
		}
		c->out = o;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, b, n);
	c->out_len += n;
	free(b);
	c->tx_seq++;
	return chan_flush(c);
}

int chan_recv(struct chan *c, json_t **msg)
{
	size_t used;
	int r;

	if (!c->up)
		return CHAN_E_IO;
	for (;;) {
		r = chan_parse(c->in, c->in_len, c->peer, &c->rx_seq, msg,
			       &used, c->why, sizeof(c->why));
		if (r == CHAN_OK) {
			memmove(c->in, c->in + used, c->in_len - used);
			c->in_len -= used;
			return CHAN_OK;
		}
		if (r != CHAN_AGAIN)
			return r;
		if (c->eof) {
			if (!c->in_len)
				return CHAN_CLOSED;
			snprintf(c->why, sizeof(c->why),
				 "the connection ended %zu bytes into a message",
				 c->in_len);
			return CHAN_E_TRUNCATED;
		}
		if (c->in_cap - c->in_len < 16384) {
			size_t cap = c->in_cap ? c->in_cap * 2 : 65536;
			uint8_t *in;

			if (cap > 2 * (CHAN_MSG_MAX + 4) + 65536)
				return CHAN_E_TOOBIG;
			in = realloc(c->in, cap);
			if (!in)
				return CHAN_E_NOMEM;
			c->in = in;
			c->in_cap = cap;
		}
		ERR_clear_error();
		errno = 0;
		r = SSL_read(c->ssl, c->in + c->in_len,
			     (int)(c->in_cap - c->in_len));
		if (r <= 0) {
			r = ssl_result(c, r, CHAN_E_IO);
			if (r == CHAN_CLOSED)
				continue;	/* what is buffered first */
			if (r == CHAN_E_TRUNCATED) {
				snprintf(c->why, sizeof(c->why),
					 "the connection ended without a TLS close%s",
					 c->in_len ? ", inside a message" : "");
			}
			return r;
		}
		c->in_len += r;
	}
}

short chan_events(const struct chan *c)
{
	short ev = POLLIN;

	if (c->ssl && SSL_want_write((SSL *)c->ssl))
		ev |= POLLOUT;
	if (c->out_off < c->out_len)
		ev |= POLLOUT;
	return ev;
}

void chan_close(struct chan *c)
{
	if (c->ssl) {
		if (c->up) {
			ERR_clear_error();
			SSL_shutdown(c->ssl);	/* best effort */
		}
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	ERR_clear_error();
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}
