// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for svcgwd's configuration file (conf.c): any input is
 * either refused with "fuzz.conf:LINE: ..." or gives a model whose
 * references hold (every check index valid, servers of their service's
 * family, timeouts below intervals); ASan and UBSan watch the rest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

static void check_model(const struct conf *c)
{
	size_t i, j;

	for (i = 0; i < c->ncheck; i++)
		if (c->check[i].timeout_ms >= c->check[i].interval_ms)
			abort();
	for (i = 0; i < c->nsvc; i++) {
		const struct conf_service *s = &c->svc[i];

		if (!s->ep.port || s->nsrv > 1024)
			abort();
		for (j = 0; j < s->nsrv; j++) {
			const struct conf_server *v = &s->srv[j];

			if (v->check < -1 || v->check >= (int)c->ncheck ||
			    v->ep.family != s->ep.family || !v->ep.port)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONF_ERR_MAX];
	struct conf c;

	if (conf_parse("fuzz.conf", (const char *)data, size, &c, err,
		       sizeof(err))) {
		if (strncmp(err, "fuzz.conf:", 10) || err[10] < '1' ||
		    err[10] > '9')
			abort();
		return 0;
	}
	check_model(&c);
	conf_free(&c);
	return 0;
}
