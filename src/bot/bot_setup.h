/*
 * bot_setup.h: everything `run` builds from the configuration before the
 * bot starts, checked by one function that `run` and `check-config` both
 * call: the failure rules, the "slack", "github", "alerts", "digests" and
 * "survey" sections of the config file, the HTTP listener's address and
 * the DogStatsD target. Every problem is reported, not only the first of
 * each section: one line each, naming the config file (or the variable),
 * the key and the reason. Main thread, before the bot starts.
 */
#ifndef ENVSTATS_BOT_SETUP_H
#define ENVSTATS_BOT_SETUP_H

#include <stdio.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "notify/alerts_config.h"
#include "notify/digest_schedule.h"
#include "notify/survey_schedule.h"
#include "observe/classify.h"
#include "tz.h"

struct slack_observe;
struct github;

struct bot_setup {
	struct classify		*rules;
	struct slack_observe	*obs;
	struct github		*github;
	struct alerts_config	 alerts;
	struct digest_config	 digests;
	struct survey_schedule	 survey;	/* "survey" */
};

/* The failure rules of cfg into *out (NULL on failure); each problem a
   line of problems, ERR_CONFIG when any. */
enum err	bot_setup_rules(const struct config *, struct classify **out,
		    struct buf *problems);

/*
 * Build every part of s from cfg (tz: the configured zone, for the quiet
 * hours). Each problem is a line appended to problems; ERR_CONFIG when
 * any (s is then released). bot_setup_release in any case.
 */
enum err	bot_setup_build(const struct config *, const struct tz *,
		    struct bot_setup *s, struct buf *problems);
void		bot_setup_release(struct bot_setup *);

/* Print problems (lines) on f, each as "envstats: <line>". */
void		bot_setup_print_problems(FILE *f, const char *problems);

/*
 * `envstats check-config`: load the configuration and build what `run`
 * builds, by the same code. Says on out which config file it read (or
 * that it read none); then every problem on err and CONFIG_EXIT, or the
 * effective configuration (secrets redacted) and 0.
 */
int		bot_setup_check_config(FILE *out, FILE *err);

#endif
