/*
 * test_backup.c: store_backup (SQLite's online backup API) on a real
 * database file while another connection keeps writing, as the bot does
 * while `envstats backup` runs from a timer or a CronJob.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "observe/event_json.h"
#include "observe/record.h"
#include "store/store.h"

/* Events stored before the backup starts, so the copy takes a while. */
#define PRELOAD_PAIRS	5000

struct fixture {
	char		 dir[64];
	char		 db[128];
	char		 copy[128];
	pthread_t	 thread;
	atomic_int	 stop;
	atomic_llong	 pairs;		/* committed transactions */
	atomic_int	 failed;	/* the writer's first error, or 0 */
};

/*
 * Store one attempt for each branch first .. first + count - 1 in one
 * transaction, each as two events (its request and its ready). Any
 * consistent snapshot therefore holds an even number of events and one
 * attempt per pair.
 */
static enum err
write_pairs(struct record *rec, long long first, long long count)
{
	char		line[256];
	struct event	ev;
	struct buf	why = BUF_INIT;
	bool		stored;
	enum err	rc;
	long long	n;
	int		k;

	if ((rc = record_begin(rec)) != ERR_OK)
		return rc;
	for (n = first; n < first + count; n++) {
		for (k = 0; k < 2; k++) {
			snprintf(line, sizeof line, "{\"type\":\"%s\",\"ts\":"
			    "\"2026-10-05T09:%02d:00Z\",\"repo\":\"a/b\","
			    "\"branch\":\"b%lld\"}", k == 0 ? "requested" :
			    "ready", k * 10, n);
			if (event_json_parse(line, strlen(line), &ev, &why) !=
			    ERR_OK)
				BUG("bad test line %s", line);
			rc = record_add(rec, &ev, &stored);
			event_release(&ev);
			if (rc != ERR_OK) {
				record_abort(rec);
				buf_release(&why);
				return rc;
			}
		}
	}
	buf_release(&why);
	return record_commit(rec);
}

/* The other connection: the bot, writing until told to stop. */
static void *
writer(void *arg)
{
	struct fixture	*fx = arg;
	struct store	*st = NULL;
	struct record	*rec = NULL;
	long long	 n = PRELOAD_PAIRS;
	enum err	 rc;

	if ((rc = store_open(fx->db, STORE_MUST_EXIST, &st)) != ERR_OK ||
	    (rc = record_new(st, NULL, NULL, &rec)) != ERR_OK)
		goto out;
	while (!atomic_load(&fx->stop)) {
		if ((rc = write_pairs(rec, n++, 1)) != ERR_OK)
			goto out;
		atomic_fetch_add(&fx->pairs, 1);
	}
out:
	if (rc != ERR_OK)
		atomic_store(&fx->failed, (int)rc);
	record_free(rec);
	store_close(st);
	return NULL;
}

static int
setup(void **state)
{
	struct fixture	*fx = xcalloc(1, sizeof *fx);
	struct store	*st = NULL;
	struct record	*rec = NULL;

	snprintf(fx->dir, sizeof fx->dir, "/tmp/envstats-backup-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->db, sizeof fx->db, "%s/e.db", fx->dir);
	snprintf(fx->copy, sizeof fx->copy, "%s/copy.db", fx->dir);
	if (store_open(fx->db, 0, &st) != ERR_OK ||
	    record_new(st, NULL, NULL, &rec) != ERR_OK)
		return -1;
	if (write_pairs(rec, 0, PRELOAD_PAIRS) != ERR_OK)
		return -1;
	record_free(rec);
	store_close(st);
	*state = fx;
	return 0;
}

/* Remove every file of the test's directory, then the directory. */
static int
teardown(void **state)
{
	struct fixture	*fx = *state;
	struct dirent	*de;
	DIR		*d = opendir(fx->dir);
	char		 path[sizeof fx->dir + 1 + sizeof de->d_name];

	while (d != NULL) {
		if ((de = readdir(d)) == NULL)
			break;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", fx->dir, de->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* No file but the database's and the copy's: no temporary left behind. */
static void
assert_no_leftovers(const struct fixture *fx)
{
	struct dirent	*de;
	DIR		*d = opendir(fx->dir);

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strncmp(de->d_name, "e.db", 4) ==
		    0 || strcmp(de->d_name, "copy.db") == 0)
			continue;
		fail_msg("left behind: %s", de->d_name);
	}
	closedir(d);
}

/* Events and attempts of the database at path, opened as a store. */
static void
totals(const char *path, int64_t *events, int64_t *attempts)
{
	struct store	*st = NULL;

	assert_int_equal(store_open(path, STORE_MUST_EXIST, &st), ERR_OK);
	assert_int_equal(store_totals(st, events, attempts), ERR_OK);
	store_close(st);
}

/* Wait until the writer has committed more than n transactions. */
static void
wait_pairs_over(struct fixture *fx, long long n)
{
	while (atomic_load(&fx->pairs) <= n) {
		assert_int_equal(atomic_load(&fx->failed), 0);
		usleep(1000);
	}
}

static void
test_backup__copy_while_writing_is_one_consistent_snapshot(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st = NULL;
	struct stat	 sb;
	int64_t		 events = -1, ev, at, kept;
	long long	 before, after;

	assert_int_equal(pthread_create(&fx->thread, NULL, writer, fx), 0);
	wait_pairs_over(fx, 20);
	assert_int_equal(store_open(fx->db, STORE_MUST_EXIST, &st), ERR_OK);
	before = atomic_load(&fx->pairs);
	assert_int_equal(store_backup(st, fx->copy, false, &events), ERR_OK);
	after = atomic_load(&fx->pairs);
	/* The writer goes on after the copy. */
	wait_pairs_over(fx, after + 20);
	atomic_store(&fx->stop, 1);
	assert_int_equal(pthread_join(fx->thread, NULL), 0);
	assert_int_equal(atomic_load(&fx->failed), 0);

	/* The copy opens, is whole, and is one moment of the database. */
	totals(fx->copy, &ev, &at);
	assert_int_equal(ev, events);
	assert_int_equal(ev % 2, 0);
	assert_int_equal(at * 2, ev);
	assert_true(ev >= 2 * (PRELOAD_PAIRS + before));
	assert_true(ev <= 2 * (PRELOAD_PAIRS + after));
	assert_int_equal(stat(fx->copy, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0);	/* the data is not public */
	print_message("backup: %lld events copied while the writer "
	    "committed %lld pairs during the copy\n", (long long)ev,
	    after - before);

	/* An existing file is kept unless overwriting is asked for. */
	kept = ev;
	assert_int_equal(store_backup(st, fx->copy, false, &events),
	    ERR_INVALID);
	totals(fx->copy, &ev, &at);
	assert_int_equal(ev, kept);
	/* Nobody writes now: the copy has exactly the source's events. */
	assert_int_equal(store_backup(st, fx->copy, true, &events), ERR_OK);
	totals(fx->db, &ev, &at);
	assert_int_equal(events, ev);
	assert_int_equal(ev, 2 * (PRELOAD_PAIRS + atomic_load(&fx->pairs)));
	totals(fx->copy, &ev, &at);
	assert_int_equal(ev, events);
	store_close(st);
	assert_no_leftovers(fx);
}

/* A copy that cannot be written leaves nothing behind. */
static void
test_backup__unwritable_place_is_an_io_error(void **state)
{
	struct fixture	*fx = *state;
	struct store	*st = NULL;
	char		 path[192];
	int64_t		 events = -1;

	assert_int_equal(store_open(fx->db, STORE_MUST_EXIST, &st), ERR_OK);
	snprintf(path, sizeof path, "%s/no/such/dir/copy.db", fx->dir);
	assert_int_equal(store_backup(st, path, false, &events), ERR_IO);
	assert_int_equal(events, 0);
	store_close(st);
	assert_no_leftovers(fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_backup__copy_while_writing_is_one_consistent_snapshot,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_backup__unwritable_place_is_an_io_error, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("backup", tests, NULL, NULL);
}
