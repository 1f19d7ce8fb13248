/* fifo.c: the intrusive FIFO (fifo.h). Any thread, under its owner's lock. */
#include "common.h"
#include "fifo.h"

void
fifo_push(struct fifo *q, struct fifo_link *l)
{
	l->next = NULL;
	if (q->tail != NULL)
		q->tail->next = l;
	else
		q->head = l;
	q->tail = l;
}

struct fifo_link *
fifo_pop(struct fifo *q)
{
	struct fifo_link	*l = q->head;

	if (l != NULL) {
		q->head = l->next;
		if (q->head == NULL)
			q->tail = NULL;
		l->next = NULL;
	}
	return l;
}

void
fifo_concat(struct fifo *to, struct fifo *from)
{
	if (from->head == NULL)
		return;
	if (to->tail != NULL)
		to->tail->next = from->head;
	else
		to->head = from->head;
	to->tail = from->tail;
	from->head = from->tail = NULL;
}
