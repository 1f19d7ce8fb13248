/*
 * log.h: one logfmt line per event on stderr.
 *
 *	log_info("store.migrated", LOG_INT("from", 1), LOG_INT("to", 2));
 *	-> ts=2026-11-02T09:14:03.120Z level=info event=store.migrated from=1 to=2
 *
 * Or one JSON object a line (ENVSTATS_LOG_FORMAT=json, for log
 * pipelines): {"ts":"...","level":"info","event":"store.migrated",
 * "from":1,"to":2}. Under journald (JOURNAL_STREAM names the stream)
 * each line starts with its syslog priority, "<6>" for info, so
 * `journalctl -p warning` finds the warnings.
 *
 * Event names are stable module.what ids. Values are typed; the writer
 * quotes and escapes them, so no outside text can forge a line or a field.
 * The level is checked before anything is formatted. Never log secrets:
 * struct secret (config) has no log helper on purpose.
 */
#ifndef ENVSTATS_LOG_H
#define ENVSTATS_LOG_H

#include <stdint.h>
#include <stdio.h>

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
	LOG_OFF,
};

enum log_format {
	LOG_FORMAT_LOGFMT,
	LOG_FORMAT_JSON,
};

enum log_kind {
	LOG_K_END,
	LOG_K_STR,
	LOG_K_INT,
	LOG_K_MS,
	LOG_K_FLOAT,
};

struct log_field {
	const char	*key;
	enum log_kind	 kind;
	const char	*s;
	int64_t		 i;
	double		 d;
};

#define LOG_STR(k, v)	((struct log_field){ (k), LOG_K_STR, (v), 0, 0 })
#define LOG_INT(k, v)	((struct log_field){ (k), LOG_K_INT, NULL, (int64_t)(v), 0 })
#define LOG_MS(k, v)	((struct log_field){ (k), LOG_K_MS, NULL, (int64_t)(v), 0 })
#define LOG_FLOAT(k, v)	((struct log_field){ (k), LOG_K_FLOAT, NULL, 0, (double)(v) })
#define LOG_END		((struct log_field){ NULL, LOG_K_END, NULL, 0, 0 })

#define log_debug(...)	log_emit(LOG_DEBUG, __VA_ARGS__, LOG_END)
#define log_info(...)	log_emit(LOG_INFO, __VA_ARGS__, LOG_END)
#define log_warn(...)	log_emit(LOG_WARN, __VA_ARGS__, LOG_END)
#define log_error(...)	log_emit(LOG_ERROR, __VA_ARGS__, LOG_END)

/* Write one line: event, then struct log_field values up to LOG_END. */
void		log_emit(enum log_level, const char *event, ...);
bool		log_enabled(enum log_level);
void		log_set_level(enum log_level);
/* Parse "debug", "info", "warn", "error", "off"; -1 when unknown. */
int		log_level_parse(const char *);
/* Send lines to f instead of stderr (tests); NULL restores stderr. */
void		log_set_stream(FILE *f);
/* Parse "logfmt" or "json"; -1 when unknown. */
int		log_format_parse(const char *);
void		log_set_format(enum log_format);

#endif
