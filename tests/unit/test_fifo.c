/*
 * test_fifo.c: the intrusive FIFO: elements come out in the order they
 * went in, an empty queue pops NULL, and concat moves a whole queue to
 * the tail of another, leaving the source empty.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common.h"

#include "fifo.h"

/* The link is not the first member, so fifo_entry() must subtract. */
struct item {
	int			 value;
	struct fifo_link	 link;
};

static struct item *
item_pop(struct fifo *q)
{
	return fifo_entry(fifo_pop(q), offsetof(struct item, link));
}

static void
test_fifo__pops_in_push_order(void **state)
{
	struct fifo	 q = FIFO_INIT;
	struct item	 it[3] = { { 1, { NULL } }, { 2, { NULL } },
			    { 3, { NULL } } };
	struct item	*p;
	int		 i;

	(void)state;
	assert_true(fifo_empty(&q));
	assert_null(item_pop(&q));
	for (i = 0; i < 3; i++)
		fifo_push(&q, &it[i].link);
	assert_false(fifo_empty(&q));
	for (i = 0; i < 3; i++) {
		p = item_pop(&q);
		assert_ptr_equal(p, &it[i]);
		assert_int_equal(p->value, i + 1);
		assert_null(p->link.next);
	}
	assert_null(item_pop(&q));
	assert_true(fifo_empty(&q));
	/* Emptied, it takes elements again from the start. */
	fifo_push(&q, &it[1].link);
	assert_ptr_equal(item_pop(&q), &it[1]);
	assert_null(q.tail);
}

static void
test_fifo__concat_moves_a_queue_to_the_tail(void **state)
{
	struct fifo	 a = FIFO_INIT, b = FIFO_INIT;
	struct item	 it[4] = { { 1, { NULL } }, { 2, { NULL } },
			    { 3, { NULL } }, { 4, { NULL } } };
	int		 i;

	(void)state;
	fifo_concat(&a, &b);		/* empty into empty */
	assert_true(fifo_empty(&a));
	fifo_push(&b, &it[0].link);
	fifo_concat(&a, &b);		/* into an empty one */
	assert_true(fifo_empty(&b));
	assert_null(b.tail);
	fifo_push(&b, &it[1].link);
	fifo_push(&b, &it[2].link);
	fifo_concat(&a, &b);		/* after what is there */
	fifo_concat(&a, &b);		/* nothing left to move */
	fifo_push(&a, &it[3].link);	/* the tail followed the move */
	for (i = 0; i < 4; i++)
		assert_int_equal(item_pop(&a)->value, i + 1);
	assert_true(fifo_empty(&a));
	assert_true(fifo_empty(&b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo__pops_in_push_order),
		cmocka_unit_test(test_fifo__concat_moves_a_queue_to_the_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
