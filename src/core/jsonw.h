/*
 * jsonw.h: a small streaming JSON writer into a struct buf, for answers
 * whose key order and number format are part of a contract (the --json
 * answer of spec/metrics.md section 5 must be byte-identical whatever the
 * order events arrived in). Real numbers use the shortest text that reads
 * back as the same double. The log's logfmt values are quoted here too:
 * one escaper, two flavours.
 *
 *	struct jsonw w;
 *	jsonw_init(&w, &b);
 *	jsonw_object_begin(&w);
 *	jsonw_put_int(&w, "n", 3);
 *	jsonw_object_end(&w);
 */
#ifndef ENVSTATS_JSONW_H
#define ENVSTATS_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

#define JSONW_DEPTH	32

struct jsonw {
	struct buf	*b;
	int		 depth;
	bool		 first[JSONW_DEPTH];	/* no member written yet */
	bool		 after_key;
};

void	jsonw_init(struct jsonw *, struct buf *);
void	jsonw_object_begin(struct jsonw *);
void	jsonw_object_end(struct jsonw *);
void	jsonw_array_begin(struct jsonw *);
void	jsonw_array_end(struct jsonw *);
void	jsonw_key(struct jsonw *, const char *key);
void	jsonw_string(struct jsonw *, const char *s);	/* NULL: null */
void	jsonw_int(struct jsonw *, int64_t);
void	jsonw_real(struct jsonw *, double);
void	jsonw_bool(struct jsonw *, bool);
void	jsonw_null(struct jsonw *);

/* A member: key, then the number v. */
void	jsonw_put_int(struct jsonw *, const char *key, int64_t v);

/* A member: key, then the string s (NULL: null). */
void	jsonw_put_string(struct jsonw *, const char *key, const char *s);

/* A member: key, then true or false. */
void	jsonw_put_bool(struct jsonw *, const char *key, bool v);

/* A member: key, then the instant ms as an RFC 3339 UTC string. */
void	jsonw_put_time(struct jsonw *, const char *key, int64_t ms);

/* Append s as a JSON string literal (quotes included) to b. */
void	json_quote(struct buf *b, const char *s);

/*
 * Append s between double quotes to b, escaped. Both flavours write \",
 * \\, \n, \r and \t. JSON writes \b, \f and \u00NN for the other
 * controls, DEL and the C1 controls; logfmt (the log's values) \xNN for the
 * other controls and DEL, and every other byte as it is.
 */
enum quote_flavour { QUOTE_JSON, QUOTE_LOGFMT };
void	quote_escaped(struct buf *b, const char *s, enum quote_flavour);

#endif
