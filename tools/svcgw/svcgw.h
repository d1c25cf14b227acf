/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcgw: declarations shared by the command files.
 */
#ifndef SVCGW_H
#define SVCGW_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

#define SVCGW_TOOL_VERSION	"1.0"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct options {
	bool json;	/* -j */
	bool pretty;	/* -p */
};

extern struct options opts;
/* The program named before messages ("svcgw", "svcgwd"). */
extern const char *pr_prog;

void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * One "KEYWORD VALUE" pair of a command line.  parse() returns an
 * enum parse_err; *present, if given, is set when the keyword is seen.
 */
struct arg {
	const char *name;
	int (*parse)(const char *val, void *dst);
	void *dst;
	bool required;
	bool *present;
	bool seen;
};

int parse_args(int argc, char **argv, struct arg *args);
void parse_error(int err, const char *what, const char *val);
int arg_u32(const char *val, void *dst);
int arg_proto(const char *val, void *dst);
int arg_method(const char *val, void *dst);
int arg_gue_port(const char *val, void *dst);
int no_args(int argc, char **argv);

/* A service key, and what the service and server commands add to it. */
struct svc_req {
	bool has_key;		/* false: no SVCGW_A_SERVICE at all */
	struct endpoint ep;
	uint8_t proto;
	uint8_t mode;		/* 0: not given */
	bool has_table;
	uint32_t table;
	bool has_transition;
	uint32_t transition;	/* s */
	bool has_stateful;
	uint8_t stateful;	/* 0 or 1 */
	bool has_down_policy;
	uint8_t down_policy;	/* enum svcgw_down_policy */
	bool has_fullnat;
	struct endpoint fullnat;	/* family 0: off */
	bool has_encap_src;
	struct endpoint encap_src;	/* family 0: off */
	bool has_server;	/* put an SVCGW_A_SERVER too */
	struct endpoint srv;
	bool has_new;		/* and an SVCGW_A_SERVER_NEW (replace) */
	struct endpoint new_srv;
	/* What goes in the last server nest put: */
	bool has_weight;
	uint32_t weight;
	bool has_state;
	uint8_t state;		/* enum svcgw_server_state */
	bool has_deadline;
	uint32_t deadline;	/* s */
	bool has_method;
	uint8_t method;		/* enum svcgw_method */
	bool has_gue_port;
	uint16_t gue_port;
};

struct nl_msg;

int parse_svc_filter(int argc, char **argv, struct svc_req *req,
		      bool server);
int put_svc_req(struct nl_msg *msg, const void *req);
int parse_service_add(int argc, char **argv, struct svc_req *req);
int parse_server_add(int argc, char **argv, struct svc_req *req);
int put_batch_service(struct nl_msg *msg, const struct svc_req *svc,
		      const struct svc_req *const *srv, size_t n,
		      uint32_t *svc_off, uint32_t *srv_off);

/* A command of the table in svcgw.c. */
typedef int (*cmd_fn)(int argc, char **argv);
cmd_fn find_cmd(int *argc, char ***argv);
int svcgw_dispatch(int argc, char **argv);
void svcgw_usage(FILE *fp);
int run_batch(const char *file, bool replace);
/* "FILE:LINE: " (or "FILE: " for line 0) before errors; no file: none. */
extern const char *pr_where_file;
extern unsigned long pr_where_line;

/*
 * The objects of a request built from a file, in message order: where
 * each starts in the message and the line it came from, so that the
 * kernel's refusal (the offset of the attribute at fault) names a line.
 */
struct file_objects {
	const char *file;
	uint32_t *off;
	unsigned long *lines;
	size_t n;
};

void set_where(const char *file, unsigned long line);
void locate_object(const struct file_objects *fo, long offs);
struct nl_msg;
int run_file_request(uint8_t cmd,
		     int (*build)(struct nl_msg *msg, const void *req),
		     const void *req, size_t size, struct file_objects *fo,
		     size_t n);

/* Commands: argc/argv hold what follows the command words. */
int cmd_service_add(int argc, char **argv);
int cmd_service_del(int argc, char **argv);
int cmd_service_show(int argc, char **argv);
int cmd_service_set(int argc, char **argv);
int cmd_server_add(int argc, char **argv);
int cmd_server_del(int argc, char **argv);
int cmd_server_set(int argc, char **argv);
int cmd_server_replace(int argc, char **argv);
int cmd_session_show(int argc, char **argv);
int cmd_session_flush(int argc, char **argv);
int cmd_stats(int argc, char **argv);
/* A counter of "svcgw stats": its JSON name and value. */
struct gw_stat {
	const char *name;
	uint64_t value;
};
/*
 * The namespace's statistics (SVCGW_CMD_STATS_GET) into @out, room for
 * @max, in the order "svcgw stats" prints them: how many, or -1 after an
 * error message.
 */
int gw_stats_get(struct gw_stat *out, size_t max);
int cmd_flush(int argc, char **argv);
int cmd_config_set(int argc, char **argv);
int cmd_config_show(int argc, char **argv);
int cmd_policy_replace(int argc, char **argv);
int cmd_policy_show(int argc, char **argv);
int cmd_policy_flush(int argc, char **argv);
int cmd_ha_show(int argc, char **argv);
int cmd_ha_set(int argc, char **argv);
int cmd_ha_node(int argc, char **argv);
int cmd_ha_del(int argc, char **argv);

/* ha.c's message code, for its tests (struct ha_policy: hafile.h). */
struct ha_policy;
struct nlmsghdr;
int ha_put_request(struct nl_msg *msg, const struct ha_policy *p,
		   struct file_objects *fo);
int ha_put_notice(struct nl_msg *msg, const void *notice);
/* SVCGW_CMD_HA_DEL's request: @gen, a const uint64_t *. */
int ha_put_del(struct nl_msg *msg, const void *gen);
int ha_parse_reply(struct nlmsghdr *nlh, struct ha_policy *p);
void ha_print_text(FILE *fp, const struct ha_policy *p);
void ha_print_json(FILE *fp, bool pretty, const struct ha_policy *p);

/*
 * A whole policy set file held in memory (@len bytes of @text, lines as
 * in a file), checked and sent as "svcgw policy replace FILE" does; its
 * errors and the kernel's refusal are printed as "NAME:LINE: message".
 * 0 when the set is the namespace's, -1 otherwise.
 */
int policy_replace_text(const char *name, const char *text, size_t len);

#endif /* SVCGW_H */
