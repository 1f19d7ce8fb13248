/*
 * test_ingest_order.c: every figure is the same whatever order events
 * arrive in, and a duplicate never counts twice (spec/events.md). One
 * generated dataset is ingested into real SQLite files in time order, in a
 * shuffled order and with every line twice; the --json answers of every
 * subcommand must be byte-identical.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "demo/dataset.h"
#include "observe/event_json.h"
#include "observe/record.h"
#include "store/store.h"
#include "tz.h"

/* 2026-11-02T00:00:00Z: a Monday. */
#define END_MS	INT64_C(1793577600000)

struct lines {
	char	**v;
	size_t	 n, cap;
};

static void
keep_line(void *arg, const char *line, size_t len)
{
	struct lines	*l = arg;

	ARRAY_GROW(l->v, l->n + 1, l->cap);
	l->v[l->n++] = xstrndup(line, len);
}

static void
lines_free(struct lines *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* A deterministic shuffle (xorshift), so a failure can be replayed. */
static void
shuffle(char **v, size_t n, uint64_t seed)
{
	size_t	i, j;
	char	*t;

	for (i = n; i > 1; i--) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		j = (size_t)(seed % i);
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

struct fixture {
	char		 dir[64];
	struct lines	 lines;
	struct tz	*tz;
};

static int
setup(void **state)
{
	struct fixture		*fx = xcalloc(1, sizeof *fx);
	struct dataset_opts	 o;

	snprintf(fx->dir, sizeof fx->dir, "/tmp/envstats-order-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	memset(&o, 0, sizeof o);
	o.seed = 7;
	o.end_ms = END_MS;
	o.days = 28;
	o.repos = 3;
	o.cutover_ms = END_MS - 14 * MS_PER_DAY;
	if (dataset_generate(&o, keep_line, &fx->lines) <= 0)
		return -1;
	if (tz_open("Europe/Paris", &fx->tz) != ERR_OK)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	char		 path[128];
	const char	*names[] = { "a.db", "b.db", "c.db" };
	const char	*sfx[] = { "", "-wal", "-shm" };
	size_t		 i, k;

	for (i = 0; i < ARRAY_LEN(names); i++) {
		for (k = 0; k < ARRAY_LEN(sfx); k++) {
			snprintf(path, sizeof path, "%s/%s%s", fx->dir,
			    names[i], sfx[k]);
			unlink(path);
		}
	}
	rmdir(fx->dir);
	lines_free(&fx->lines);
	tz_free(fx->tz);
	free(fx);
	return 0;
}

/* Ingest lines into a new database file in batches, as `ingest` does. */
static struct store *
ingest(const struct fixture *fx, const char *name, char **v, size_t n,
    int64_t *stored, int64_t *dups)
{
	struct store	*st = NULL;
	struct record	*rec = NULL;
	struct event	 ev;
	struct buf	 why = BUF_INIT;
	char		 path[128];
	size_t		 i;
	bool		 ok;

	*stored = *dups = 0;
	snprintf(path, sizeof path, "%s/%s", fx->dir, name);
	assert_int_equal(store_open(path, 0, &st), ERR_OK);
	assert_int_equal(record_new(st, NULL, NULL, &rec), ERR_OK);
	assert_int_equal(record_begin(rec), ERR_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(event_json_parse(v[i], strlen(v[i]), &ev,
		    &why), ERR_OK);
		assert_int_equal(record_add(rec, &ev, &ok), ERR_OK);
		event_release(&ev);
		*stored += ok;
		*dups += !ok;
		/* Small batches: keys straddle transactions. */
		if (i % 997 == 996) {
			assert_int_equal(record_commit(rec), ERR_OK);
			assert_int_equal(record_begin(rec), ERR_OK);
		}
	}
	assert_int_equal(record_commit(rec), ERR_OK);
	record_free(rec);
	buf_release(&why);
	return st;
}

/* The --json answer of a query, as a string the caller frees. */
static char *
answer(const struct fixture *fx, struct store *st, const char *query)
{
	struct cmd_ctx	 ctx;
	char		*words[16], *copy = xstrdup(query), *p, *save = NULL;
	int		 n = 0;
	char		*out;

	for (p = strtok_r(copy, " ", &save); p != NULL && n < 16;
	    p = strtok_r(NULL, " ", &save))
		words[n++] = p;
	cmd_ctx_init(&ctx);
	ctx.st = st;
	ctx.tz = fx->tz;
	ctx.now_ms = END_MS + MS_PER_HOUR;
	ctx.format = CMD_FMT_JSON;
	assert_int_equal(cmd_run(&ctx, n, words), CMD_RET_OK);
	out = buf_detach(&ctx.out, NULL);
	cmd_ctx_release(&ctx);
	free(copy);
	return out;
}

static const char *const queries[] = {
	"summary since:2026-10-05 until:2026-11-03",
	"summary",
	"leadtime last:7d",
	"failures repo:tactivos/mural-api since:2026-10-01",
	"slowest since:2026-10-01",
	"repos env:full since:2026-10-01",
	"compare 2026-10-19 since:2026-10-01 until:2026-11-03",
	"impact 2026-10-19 rate:85.5 since:2026-10-01 until:2026-11-03",
};

static void
test_ingest_order__shuffled_and_doubled_give_identical_json(void **state)
{
	struct fixture	*fx = *state;
	struct store	*a, *b, *c;
	char		**shuffled, **doubled, *ja, *jb, *jc;
	int64_t		 stored_a, dups_a, stored_b, dups_b, stored_c, dups_c;
	size_t		 n = fx->lines.n, i;

	assert_true(n > 5000);
	shuffled = xcalloc(n, sizeof *shuffled);
	memcpy(shuffled, fx->lines.v, n * sizeof *shuffled);
	shuffle(shuffled, n, 0x9e3779b97f4a7c15ULL);
	doubled = xcalloc(2 * n, sizeof *doubled);
	for (i = 0; i < n; i++) {
		doubled[2 * i] = fx->lines.v[n - 1 - i];
		doubled[2 * i + 1] = fx->lines.v[i];
	}
	shuffle(doubled, 2 * n, 12345);

	a = ingest(fx, "a.db", fx->lines.v, n, &stored_a, &dups_a);
	b = ingest(fx, "b.db", shuffled, n, &stored_b, &dups_b);
	c = ingest(fx, "c.db", doubled, 2 * n, &stored_c, &dups_c);
	assert_int_equal(stored_a, (int64_t)n);
	assert_int_equal(dups_a, 0);
	assert_int_equal(stored_b, (int64_t)n);
	assert_int_equal(stored_c, (int64_t)n);
	assert_int_equal(dups_c, (int64_t)n);

	for (i = 0; i < ARRAY_LEN(queries); i++) {
		ja = answer(fx, a, queries[i]);
		jb = answer(fx, b, queries[i]);
		jc = answer(fx, c, queries[i]);
		if (strcmp(ja, jb) != 0 || strcmp(ja, jc) != 0)
			fail_msg("'%s' differs:\nin order: %s\nshuffled: %s\n"
			    "doubled: %s", queries[i], ja, jb, jc);
		/* The answer is not trivially empty. */
		assert_null(strstr(ja, "\"requests\":0,\"manual\""));
		free(ja);
		free(jb);
		free(jc);
	}
	store_close(a);
	store_close(b);
	store_close(c);
	free(shuffled);
	free(doubled);
}

/* Rebuilding every attempt gives the same answers as incremental ingest. */
static void
test_ingest_order__reindex_gives_identical_json(void **state)
{
	struct fixture	*fx = *state;
	struct store	*a;
	struct record	*rec;
	char		*before, *after;
	int64_t		 stored, dups, n;

	a = ingest(fx, "a.db", fx->lines.v, fx->lines.n, &stored, &dups);
	before = answer(fx, a, queries[0]);
	assert_int_equal(record_new(a, NULL, NULL, &rec), ERR_OK);
	assert_int_equal(record_reindex(rec, &n), ERR_OK);
	assert_true(n > 1000);
	after = answer(fx, a, queries[0]);
	assert_string_equal(before, after);
	record_free(rec);
	free(before);
	free(after);
	store_close(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_ingest_order__shuffled_and_doubled_give_identical_json,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_ingest_order__reindex_gives_identical_json,
		    setup, teardown),
	};

	return cmocka_run_group_tests_name("ingest_order", tests, NULL, NULL);
}
