// SPDX-License-Identifier: GPL-2.0
/*
 * svcgw: the commands' table and dispatch, argument parsing, messages and
 * requests built from files; main.c has main().  svcgwd links this and
 * the other files but main.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/svcgw.h>

#include "nl.h"
#include "svcgw.h"

struct options opts;
const char *pr_prog = "svcgw";

static const char usage_text[] =
"Usage: svcgw [OPTIONS] OBJECT [COMMAND] [ARGS]\n"
"       svcgw [OPTIONS] -b FILE [--replace]\n"
"\n"
"  svcgw service add ADDR:PORT proto tcp|udp [mode MODE] [table PRIME]\n"
"                    [transition S] [stateful on|off] [down-policy POLICY]\n"
"                    [fullnat ADDR] [encap-src ADDR]\n"
"  svcgw service del ADDR:PORT proto tcp|udp\n"
"  svcgw service show [ADDR:PORT proto tcp|udp]\n"
"  svcgw service set ADDR:PORT proto tcp|udp [mode MODE] [transition S]\n"
"                    [stateful on|off] [down-policy POLICY]\n"
"                    [fullnat ADDR|off] [encap-src ADDR|off]\n"
"  svcgw server add ADDR:PORT proto tcp|udp server SERVER [weight N]\n"
"                   [method nat|ipip|gue] [gue-port PORT]\n"
"  svcgw server del ADDR:PORT proto tcp|udp server SERVER\n"
"  svcgw server set ADDR:PORT proto tcp|udp server SERVER [weight N]\n"
"                   [state active|draining|down] [deadline S]\n"
"  svcgw server replace ADDR:PORT proto tcp|udp server SERVER with SERVER\n"
"                       [weight N] [method nat|ipip|gue] [gue-port PORT]\n"
"  svcgw session show [ADDR:PORT proto tcp|udp]\n"
"  svcgw session flush [ADDR:PORT proto tcp|udp [server SERVER]]\n"
"  svcgw stats\n"
"  svcgw flush\n"
"  svcgw config set [session-max N] [timeout-tcp-syn S] [timeout-tcp-est S]\n"
"                   [timeout-tcp-fin S] [timeout-udp S] [encap-src4 ADDR]\n"
"                   [encap-src6 ADDR]\n"
"  svcgw config show\n"
"  svcgw policy replace FILE\n"
"  svcgw policy show\n"
"  svcgw policy flush [transition S] [reason TEXT...]\n"
"  svcgw help\n"
"  svcgw ha show\n"
"  svcgw ha set FILE\n"
"  svcgw ha node ID up|down generation N\n"
"  svcgw ha del generation N\n"
"\n"
"ADDR:PORT  the service: 192.0.2.10:80 or [2001:db8::10]:80, port 1..65535\n"
"SERVER     198.51.100.1, 198.51.100.1:8080, 2001:db8::1 or [2001:db8::1]:8080;\n"
"           no port (or port 0) means the service's port\n"
"MODE       stateless, stateful or hybrid (the kernel's default)\n"
"POLICY     reschedule or expire: what happens to the sessions of a server\n"
"           set down\n"
"N, S       decimal numbers (S in seconds); the kernel checks their ranges\n"
"method     how packets reach the server: nat (the default) rewrites them;\n"
"           ipip and gue (in UDP to the server's gue-port, given with gue\n"
"           only) encapsulate them and the server answers the client\n"
"           directly.  Set when the server is made (add, replace).\n"
"encap-src  the outer source address of a service's encapsulated packets;\n"
"           off: the namespace's encap-src4 or encap-src6, where 0.0.0.0\n"
"           and :: mean none (routing picks).\n"
"\n"
"set changes only what it is given, at least one setting.  server replace\n"
"moves the old server's share to the new one in one step; the new server\n"
"keeps the old one's weight unless weight is given.\n"
"\n"
"-b FILE    (batch) run the commands of FILE (- for stdin), one a line as\n"
"           after \"svcgw\"; blank lines and # comments are skipped.  Its\n"
"           service add and server add lines go to the kernel in one\n"
"           request, all or nothing (a server add names a service added\n"
"           earlier in the file); any other line first sends the adds\n"
"           before it, then runs alone.  The first error stops the run and\n"
"           names its line: \"svcgw: FILE:LINE: ...\".  A batched\n"
"           service add takes no fullnat nor encap-src (use service set).\n"
"--replace  with -b: the file is the whole configuration.  It may hold\n"
"           service add and server add lines only; services not in it are\n"
"           deleted, services whose servers and weights are unchanged keep\n"
"           their table and sessions, changed ones get one table change,\n"
"           a changed table size makes the service afresh.  An empty file\n"
"           deletes every service.\n"
"\n"
"OPTIONS    -j, --json      JSON output\n"
"           -p, --pretty    indent the JSON output\n"
"           -V, --version   print the version\n"
"           -h, --help      print this help\n"
"\n"
"OBJECT and COMMAND may be abbreviated; the first match in the order above\n"
"wins (s = service, service s = service show).  COMMAND defaults to show.\n"
"The flush command removes every service, server, session and policy.\n"
"\n"
"policy replace FILE  (forwarding policies) FILE is the namespace's whole\n"
"           policy set, sent in one request, all or nothing, its lines:\n"
"             set NAME [generation N] [transition S] [reason TEXT...]\n"
"             group NAME [table PRIME]\n"
"             dest GROUP ADDR method ipip|gue [gue-port PORT] [weight N]\n"
"             policy ADDR[:PORT] [proto tcp|udp] [from PREFIX[/LEN]]\n"
"                    group GROUP\n"
"           A packet to no service that matches a policy goes,\n"
"           encapsulated, to the destination of its group the group's\n"
"           table gives; the longest client prefix wins, then a port, then\n"
"           a protocol.  reason comes last and takes the rest of the line\n"
"           (blanks and # too, 127 bytes at most): why the set was\n"
"           installed, which policy show prints with the set's age.\n"
"           Errors name FILE:LINE.  policy flush replaces the set with an\n"
"           empty one (transition 0: the old set's flows stop at once);\n"
"           its reason is the words after reason.\n"
"\n"
"ha set FILE  (high availability) FILE is the namespace's whole HA policy,\n"
"           sent in one request, all or nothing, its lines:\n"
"             ha generation N [local ID] [port P] key ID HEX64\n"
"                [prev-key ID HEX64]\n"
"             node NAME id ID sync ADDR [dest ADDR] [fnat ADDR]\n"
"                  backups ID[,ID...]\n"
"           one ha line, first, then 1 to 256 nodes.  The generation must\n"
"           be above the one in force; local is this node's id (0 or none:\n"
"           a forwarder only); a key is 64 hex digits (32 bytes); a node's\n"
"           backups (1 to 8) are other nodes' ids, in order.  Errors name\n"
"           FILE:LINE.  ha show prints the policy (key ids, never keys) and\n"
"           each node's state; ha node tells the kernel that a node is up\n"
"           or down, with a generation above the node's last one; ha del\n"
"           removes the policy (the sync stops), with a generation above\n"
"           its own, which the next policy's must be above too.\n"
"\n"
"Exit status: 0 on success, 1 on any error (bad arguments, missing module,\n"
"request refused by the kernel).\n";

void svcgw_usage(FILE *fp)
{
	fputs(usage_text, fp);
}

/* Every command; @verb is NULL for objects that take none. */
static const struct cmd {
	const char *object;
	const char *verb;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "service",	"add",		cmd_service_add },
	{ "service",	"delete",	cmd_service_del },
	{ "service",	"show",		cmd_service_show },
	{ "service",	"set",		cmd_service_set },
	{ "server",	"add",		cmd_server_add },
	{ "server",	"delete",	cmd_server_del },
	{ "server",	"set",		cmd_server_set },
	{ "server",	"replace",	cmd_server_replace },
	{ "session",	"show",		cmd_session_show },
	{ "session",	"flush",	cmd_session_flush },
	{ "stats",	NULL,		cmd_stats },
	{ "flush",	NULL,		cmd_flush },
	{ "config",	"set",		cmd_config_set },
	{ "config",	"show",		cmd_config_show },
	{ "policy",	"replace",	cmd_policy_replace },
	{ "policy",	"show",		cmd_policy_show },
	{ "policy",	"flush",	cmd_policy_flush },
	{ "help",	NULL,		NULL },
	/* After help: "h" stays help. */
	{ "ha",		"show",		cmd_ha_show },
	{ "ha",		"set",		cmd_ha_set },
	{ "ha",		"node",		cmd_ha_node },
	{ "ha",		"del",		cmd_ha_del },
};

const char *pr_where_file;
unsigned long pr_where_line;

/* Where errors are from: formatted only when one is printed. */
void set_where(const char *file, unsigned long line)
{
	pr_where_file = file;
	pr_where_line = line;
}

/* The kernel refused a request from @fo's file: name the line of the
 * object at fault (line 0, the file alone, if none holds it).
 */
void locate_object(const struct file_objects *fo, long offs)
{
	long i = -1;

	if (offs >= 0 && fo->n)
		i = find_object_at(fo->off, fo->n, (uint32_t)offs);
	set_where(fo->file, i >= 0 ? fo->lines[i] : 0);
}

static const struct file_objects *refused;

static void locate_refused(long offs)
{
	locate_object(refused, offs);
}

/*
 * Send command @cmd, a request of up to @size bytes from a file, that
 * @build puts from @req, noting each of its at most @n objects in @fo
 * (room made here); a refusal names the line of the object at fault.
 */
int run_file_request(uint8_t cmd,
		     int (*build)(struct nl_msg *msg, const void *req),
		     const void *req, size_t size, struct file_objects *fo,
		     size_t n)
{
	int err = -1;

	fo->n = 0;
	fo->off = malloc(n * sizeof(*fo->off));
	fo->lines = malloc(n * sizeof(*fo->lines));
	if (!fo->off || !fo->lines) {
		pr_err("out of memory");
	} else {
		refused = fo;
		gw_on_refusal = locate_refused;
		err = gw_run_big(cmd, build, req, size);
		gw_on_refusal = NULL;
		refused = NULL;
	}
	free(fo->off);
	free(fo->lines);
	fo->off = NULL;
	fo->lines = NULL;
	fo->n = 0;
	return err;
}

static void pr_msg(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", pr_prog);
	if (pr_where_file && pr_where_line)
		fprintf(stderr, "%s:%lu: ", pr_where_file, pr_where_line);
	else if (pr_where_file)
		fprintf(stderr, "%s: ", pr_where_file);
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pr_msg("", fmt, ap);
	va_end(ap);
}

void pr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pr_msg("warning: ", fmt, ap);
	va_end(ap);
}

void parse_error(int err, const char *what, const char *val)
{
	switch (err) {
	case PARSE_ADDR:
		pr_err("invalid address \"%s\"", val);
		break;
	case PARSE_PORT:
		pr_err("invalid port in \"%s\"", val);
		break;
	case PARSE_NOPORT:
		pr_err("missing port in \"%s\"%s", val, strchr(val, ':') ?
		       " (an IPv6 address takes brackets: [ADDR]:PORT)" : "");
		break;
	case PARSE_FAMILY:
		pr_err("invalid %s \"%s\": wrong address family", what, val);
		break;
	default:
		pr_err("invalid %s \"%s\"", what, val);
	}
}

static struct arg *find_arg(struct arg *args, const char *name)
{
	for (; args->name; args++)
		if (!strcmp(args->name, name))
			return args;
	return NULL;
}

/* Parse "KEYWORD VALUE" pairs against @args, ended by a NULL name. */
int parse_args(int argc, char **argv, struct arg *args)
{
	struct arg *a;
	int err;

	for (; argc > 0; argc -= 2, argv += 2) {
		a = find_arg(args, argv[0]);
		if (!a) {
			pr_err("unknown keyword \"%s\"", argv[0]);
			return -1;
		}
		if (a->seen) {
			pr_err("\"%s\" given twice", argv[0]);
			return -1;
		}
		if (argc < 2) {
			pr_err("missing value after \"%s\"", argv[0]);
			return -1;
		}
		err = a->parse(argv[1], a->dst);
		if (err) {
			parse_error(err, a->name, argv[1]);
			return -1;
		}
		a->seen = true;
		if (a->present)
			*a->present = true;
	}
	for (a = args; a->name; a++) {
		if (a->required && !a->seen) {
			pr_err("missing \"%s\"", a->name);
			return -1;
		}
	}
	return 0;
}

int arg_u32(const char *val, void *dst)
{
	return parse_u32(val, dst);
}

int arg_proto(const char *val, void *dst)
{
	return parse_proto(val, dst);
}

int arg_method(const char *val, void *dst)
{
	return parse_method(val, dst);
}

int arg_gue_port(const char *val, void *dst)
{
	return parse_gue_port(val, dst);
}

int no_args(int argc, char **argv)
{
	if (argc) {
		pr_err("unexpected argument \"%s\"", argv[0]);
		return -1;
	}
	return 0;
}

/* iproute2 style: @arg is a non-empty prefix of @word. */
static bool matches(const char *arg, const char *word)
{
	size_t len = strlen(arg);

	return len && !strncmp(arg, word, len);
}

static const struct cmd *find_object(const char *object)
{
	const struct cmd *c;

	for (c = cmds; c < cmds + ARRAY_SIZE(cmds); c++)
		if (matches(object, c->object))
			return c;
	pr_err("unknown object \"%s\", try \"svcgw help\"", object);
	return NULL;
}

static const struct cmd *find_verb(const char *object, const char *verb)
{
	const struct cmd *c;

	for (c = cmds; c < cmds + ARRAY_SIZE(cmds); c++)
		if (!strcmp(c->object, object) && matches(verb, c->verb))
			return c;
	pr_err("unknown command \"%s %s\", try \"svcgw help\"",
	       object, verb);
	return NULL;
}

/*
 * The function of the command in @argv, which loses the command words, as
 * dispatch() finds it; NULL (error printed) if none, or for help.
 */
cmd_fn find_cmd(int *argc, char ***argv)
{
	const struct cmd *c;

	c = find_object((*argv)[0]);
	if (!c)
		return NULL;
	if (!c->fn || (c->verb && *argc > 1 && matches((*argv)[1], "help"))) {
		pr_err("help is not a command of a batch");
		return NULL;
	}
	(*argc)--;
	(*argv)++;
	if (c->verb) {
		c = find_verb(c->object, *argc ? (*argv)[0] : "show");
		if (!c)
			return NULL;
		if (*argc) {
			(*argc)--;
			(*argv)++;
		}
	}
	return c->fn;
}

/* Run the command of @argv (svcgw without its options). */
int svcgw_dispatch(int argc, char **argv)
{
	const struct cmd *c;

	c = find_object(argv[0]);
	if (!c)
		return -1;
	argc--;
	argv++;
	if (!c->fn || (c->verb && argc && matches(argv[0], "help"))) {
		svcgw_usage(stdout);
		return 0;
	}
	if (c->verb) {
		c = find_verb(c->object, argc ? argv[0] : "show");
		if (!c)
			return -1;
		if (argc) {
			argc--;
			argv++;
		}
	}
	return c->fn(argc, argv);
}

