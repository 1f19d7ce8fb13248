/*
 * fifo.h: an intrusive first-in first-out list. An element embeds a
 * struct fifo_link; pushing and popping never allocate, so a queue can be
 * filled under a mutex and handed to another thread whole. Not locked:
 * the owner of the queue says which thread (or mutex) guards it.
 */
#ifndef ENVSTATS_FIFO_H
#define ENVSTATS_FIFO_H

#include <stdbool.h>
#include <stddef.h>

struct fifo_link {
	struct fifo_link	*next;
};

struct fifo {
	struct fifo_link	*head, *tail;
};

#define FIFO_INIT	{ NULL, NULL }

/* Append l at the tail of q. */
void	fifo_push(struct fifo *q, struct fifo_link *l);
/* Take the head of q (its link cleared), or NULL when q is empty. */
struct fifo_link *fifo_pop(struct fifo *q);
/* Move every element of from, in order, to the tail of to. */
void	fifo_concat(struct fifo *to, struct fifo *from);

static inline bool
fifo_empty(const struct fifo *q)
{
	return q->head == NULL;
}

/*
 * The element whose struct fifo_link sits off bytes into it (offsetof),
 * or NULL for a NULL link: fifo_entry(fifo_pop(q), offsetof(T, link)).
 */
static inline void *
fifo_entry(struct fifo_link *l, size_t off)
{
	return l == NULL ? NULL : (void *)((char *)l - off);
}

#endif
