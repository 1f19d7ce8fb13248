/*
 * cmd_help.c: `/envstats help`, generated from the command table.
 * Loop thread.
 */
#include "common.h"
#include "cmd.h"

static enum cmd_ret	cmd_help_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.usage = "help [subcommand]",
	.summary = "This list, or the usage of one subcommand",
	.min_args = 0,
	.max_args = 1,
	.flags = CMD_F_NO_FILTERS,
	.exec = cmd_help_exec,
};

static enum cmd_ret
cmd_help_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *const	*e;
	const struct cmd_entry		*one;

	if (argc == 1) {
		if ((one = cmd_find(argv[0])) == NULL)
			return cmd_error(ctx, "no subcommand '%s': see "
			    "'help'", argv[0]);
		cmd_reply(ctx, "usage: %s\n%s\n", one->usage, one->summary);
		if (!(one->flags & CMD_F_NO_FILTERS))
			cmd_reply(ctx, "filters: %s\n", QUERY_FILTER_USAGE);
		return CMD_RET_OK;
	}
	cmd_reply(ctx, "envstats: how long environments take, how often they "
	    "fail, and why\n");
	for (e = cmd_table; *e != NULL; e++)
		cmd_reply(ctx, "  %-28s %s\n", (*e)->usage, (*e)->summary);
	cmd_reply(ctx, "filters: %s\n(dates are midnight in %s; until: is "
	    "exclusive; default window: the last %d days)\n",
	    QUERY_FILTER_USAGE, ctx->tz != NULL ? tz_name(ctx->tz) : "UTC",
	    QUERY_DEFAULT_DAYS);
	return CMD_RET_OK;
}
