/*
 * cli_check_config.c: `envstats check-config`, the configuration checked
 * and printed with its secrets redacted. Main thread only.
 */
#include "common.h"

#include "cli/app.h"
#include "cli/cli.h"
#include "notify/alerts_config.h"
#include "notify/digest.h"
#include "observe/classify.h"

static int
check_config_run(struct app *app, const struct cli_args *a)
{
	struct buf		 b = BUF_INIT;
	struct classify		*rules = NULL;
	struct alerts_config	 alerts;
	struct digest_config	 digests;
	int			 ret;

	(void)a;
	if ((ret = app_check_statsd(app)) != 0 ||
	    (ret = app_build_rules(app, &rules)) != 0 ||
	    (ret = app_build_digests(app, &digests)) != 0) {
		classify_free(rules);
		return ret;
	}
	classify_free(rules);
	digest_config_release(&digests);
	ret = app_build_alerts(app, &alerts);
	alerts_config_release(&alerts);
	if (ret != 0)
		return ret;
	config_print(&app->cfg, &b);
	printf("%s\nconfiguration ok\n", b.data);
	buf_release(&b);
	return 0;
}

const struct cli_command cli_check_config_entry = {
	.name = "check-config",
	.summary = "validate the configuration and print it (secrets "
	    "redacted)",
	.run = check_config_run,
};
