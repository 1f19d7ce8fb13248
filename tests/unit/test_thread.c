/*
 * test_thread.c: a helper thread starts with the asynchronous signals
 * blocked, runs its function with its argument, and leaves its creator's
 * signal mask as it found it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include <signal.h>

#include "thread.h"

static const int	blocked[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE,
			    SIGUSR1, SIGUSR2 };

struct seen {
	int		 arg;
	sigset_t	 mask;
};

static void *
record_mask(void *arg)
{
	struct seen	*s = arg;

	s->arg++;
	pthread_sigmask(SIG_BLOCK, NULL, &s->mask);
	return s;
}

static void
test_thread__starts_with_signals_blocked(void **state)
{
	struct seen	 s;
	pthread_t	 t;
	void		*ret = NULL;
	size_t		 i;

	(void)state;
	memset(&s, 0, sizeof s);
	s.arg = 41;
	assert_int_equal(thread_start(&t, record_mask, &s), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_ptr_equal(ret, &s);
	assert_int_equal(s.arg, 42);
	for (i = 0; i < ARRAY_LEN(blocked); i++)
		assert_int_equal(sigismember(&s.mask, blocked[i]), 1);
	/* Synchronous faults stay deliverable (sanitizers catch SIGSEGV). */
	assert_int_equal(sigismember(&s.mask, SIGSEGV), 0);
}

static void
test_thread__leaves_the_callers_mask_alone(void **state)
{
	struct seen	 s;
	sigset_t	 before, after, usr1;
	pthread_t	 t;
	size_t		 i;

	(void)state;
	/* One signal the caller blocked itself, the others not. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_SETMASK, &usr1, &before);
	memset(&s, 0, sizeof s);
	assert_int_equal(thread_start(&t, record_mask, &s), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_sigmask(SIG_SETMASK, &before, &after);
	for (i = 0; i < ARRAY_LEN(blocked); i++)
		assert_int_equal(sigismember(&after, blocked[i]),
		    blocked[i] == SIGUSR1);
	assert_int_equal(sigismember(&s.mask, SIGINT), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thread__starts_with_signals_blocked),
		cmocka_unit_test(test_thread__leaves_the_callers_mask_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
