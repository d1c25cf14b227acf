/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgwd: the control channel between the controller and the node agents
 * (Documentation/svcgwd.rst, "The control channel").
 *
 * TCP with TLS 1.3 (OpenSSL), both ends authenticated by certificates of
 * one CA; a node is the common name (CN) of its certificate.  On the
 * stream, messages: a 4-byte big-endian length, then that many bytes of
 * one JSON object (jansson) with at least
 *
 *   "seq"   1, 2, 3, ... in order on each connection and direction
 *   "node"  the sender, which must be the CN of the certificate it
 *           authenticated with
 *   "type"  what the message is
 *
 * A peer without a certificate of the CA, or not the node expected, fails
 * the handshake; a message out of sequence (replayed), claiming another
 * node (forged), not a JSON object with those members (garbage), longer
 * than CHAN_MSG_MAX or cut short by the end of the connection (truncated)
 * ends the connection with an error: the callers count and log them.
 * TLS itself refuses records altered or replayed on the wire, and a
 * recorded connection played again fails its handshake (fresh keys).
 *
 * Non-blocking: the callers' event loop waits for chan_events() on the
 * socket and calls chan_handshake(), chan_recv() and chan_flush() when it
 * is ready.  The framing (chan_frame(), chan_parse()) is pure, for the
 * unit tests and the fuzzer.
 */
#ifndef SVCGWD_CHAN_H
#define SVCGWD_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define CHAN_MSG_MAX	(4u << 20)	/* bytes of one message's JSON */
#define CHAN_NAME_MAX	64		/* a node's name, with the NUL */

enum chan_err {
	CHAN_OK = 0,
	CHAN_AGAIN = -1,	/* wait for chan_events() */
	CHAN_CLOSED = -2,	/* the peer closed cleanly, between messages */
	CHAN_E_AUTH = -3,	/* handshake failed: certificate, CA, name */
	CHAN_E_GARBAGE = -4,	/* not a message of this protocol */
	CHAN_E_REPLAY = -5,	/* seq not the next one */
	CHAN_E_FORGED = -6,	/* "node" not the peer's certificate */
	CHAN_E_TRUNCATED = -7,	/* the connection ended inside a message */
	CHAN_E_TOOBIG = -8,	/* a length above CHAN_MSG_MAX */
	CHAN_E_IO = -9,		/* the socket or TLS failed otherwise */
	CHAN_E_NOMEM = -10,
	CHAN_ERR_COUNT = 11,	/* -CHAN_E_NOMEM + 1: counters' size */
};

/* A short name of @err ("replayed", "forged node", ...). */
const char *chan_strerror(int err);

/* One end's TLS setup: its CA, certificate and key (PEM files). */
struct chan_tls {
	void *ctx;			/* SSL_CTX */
	bool server;
};

/*
 * Set up @t for a server (accepting) or client end.  0, or -1 with the
 * reason (file and OpenSSL's message) in @err.
 */
int chan_tls_init(struct chan_tls *t, bool server, const char *ca,
		  const char *cert, const char *key, char *err,
		  size_t errlen);
void chan_tls_free(struct chan_tls *t);

struct chan {
	int fd;
	void *ssl;			/* SSL */
	bool up;			/* handshake done */
	bool eof;			/* the peer closed */
	char self[CHAN_NAME_MAX];	/* this end's node name */
	char expect[CHAN_NAME_MAX];	/* the peer's, "" for any of the CA */
	char peer[CHAN_NAME_MAX];	/* the peer's, once up */
	uint64_t tx_seq, rx_seq;	/* the last sent and received */
	uint8_t *in;			/* received, not yet parsed */
	size_t in_len, in_cap;
	uint8_t *out;			/* to send */
	size_t out_len, out_off, out_cap;
	char why[160];			/* detail of the last error */
};

/*
 * Take the connected non-blocking socket @fd (closed by chan_close()) for
 * a TLS end of @t, this node being @self; @expect (NULL or "": any node of
 * the CA) is the peer's name, checked at the handshake.  0 or CHAN_E_NOMEM.
 */
int chan_init(struct chan *c, struct chan_tls *t, int fd, const char *self,
	      const char *expect);
/* Go on with the handshake: CHAN_OK once done, CHAN_AGAIN, or an error. */
int chan_handshake(struct chan *c);
/*
 * Queue @msg (its "seq" and "node" are set here; the reference is taken:
 * chan_send(c, json_pack(...)) is fine, NULL is CHAN_E_NOMEM) and send what the socket
 * takes: CHAN_OK (all sent), CHAN_AGAIN (the rest waits for POLLOUT and
 * chan_flush()), or an error.
 */
int chan_send(struct chan *c, json_t *msg);
int chan_flush(struct chan *c);
/*
 * The next message in *@msg (json_decref() it): CHAN_OK, CHAN_AGAIN (none
 * complete yet), CHAN_CLOSED, or an error (the connection is then of no
 * further use).  Call it until CHAN_AGAIN: TLS may hold more.
 */
int chan_recv(struct chan *c, json_t **msg);
/* POLLIN and/or POLLOUT: what the socket must be waited for. */
short chan_events(const struct chan *c);
/* Close the connection (a TLS close if it was up) and free it. */
void chan_close(struct chan *c);

/*
 * Pure framing.  chan_frame(): @msg with @seq and @node added, as a
 * length-prefixed message in a new buffer (*@buf, *@len; free() it):
 * CHAN_OK, CHAN_E_TOOBIG or CHAN_E_NOMEM.
 * chan_parse(): the first message of @buf (@len bytes) from @peer, whose
 * last seq was *@seq: CHAN_OK with *@msg and *@used (bytes taken) and
 * *@seq advanced, CHAN_AGAIN (incomplete), or an error, with a detail in
 * @why.
 */
int chan_frame(json_t *msg, uint64_t seq, const char *node, uint8_t **buf,
	       size_t *len);
int chan_parse(const uint8_t *buf, size_t len, const char *peer,
	       uint64_t *seq, json_t **msg, size_t *used, char *why,
	       size_t whylen);

#endif /* SVCGWD_CHAN_H */
