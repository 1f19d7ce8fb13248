/* lwslog.c: libwebsockets logs through log.h (lwslog.h). Any thread. */
#include "common.h"
#include "slack/lwslog.h"

#include <libwebsockets.h>

#include "log.h"

static void
emit(int level, const char *line)
{
	char	msg[512];
	size_t	n;

	/* lws lines end with a newline; ours are one field. */
	snprintf(msg, sizeof msg, "%s", line);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (level & LLL_ERR)
		log_error("lws", LOG_STR("msg", msg));
	else
		log_warn("lws", LOG_STR("msg", msg));
}

void
lwslog_init(void)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, emit);
}
