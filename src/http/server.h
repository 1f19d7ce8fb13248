/*
 * server.h: a small HTTP/1.1 server inside the bot's libwebsockets context.
 *
 *	static const struct http_route routes[] = {
 *		{ "GET",  "/healthz",   healthz,  NULL },
 *		{ "POST", "/v1/events", events,   ingest },
 *	};
 *	struct http_server *hs;
 *	rc = http_server_new(ctx, "127.0.0.1:8787", routes,
 *	    ARRAY_LEN(routes), HTTP_BODY_MAX, &hs);
 *	... lws_service(ctx, 0) ...
 *	http_server_free(hs);	-- before lws_context_destroy(ctx)
 *
 * The server is its own lws vhost ("envstats-http") with its own protocol,
 * added to a context that may have been created with CONTEXT_PORT_NO_LISTEN
 * for the client role (lws 4.1.6: lws_create_vhost() after
 * lws_create_context() binds and listens; EXPLICIT_VHOSTS is not needed).
 * Everything runs on the loop thread: http_server_new/free must be called
 * there (or before the loop starts), and handlers are called there.
 *
 * Routing: exact path match (no query, no trailing-slash folding). An
 * unknown path answers 404; a known path with another method answers 405
 * with an Allow header; a Content-Length over body_max answers 413 and the
 * connection is closed without reading the body; a chunked request body
 * answers 411 (clients must send Content-Length). Bodies of 404/405
 * requests are read (up to body_max) and dropped, so keep-alive survives.
 *
 * Limits come from lws: request headers over the context's
 * max_http_header_data (default 4096 bytes) are refused by closing the
 * connection; a request whose headers or body do not arrive in time, and
 * an idle keep-alive connection, are closed by lws timeouts
 * (HTTP_SERVER_TIMEOUT_S, HTTP_SERVER_KEEPALIVE_S). Concurrent connections
 * are bounded by the context's fd_limit_per_thread and, while headers are
 * being read, by max_http_header_pool (others wait in lws's queue).
 */
#ifndef ENVSTATS_HTTP_SERVER_H
#define ENVSTATS_HTTP_SERVER_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct lws_context;
struct http_server;

/* Seconds a request may take to arrive (headers, then body). */
#define HTTP_SERVER_TIMEOUT_S	10
/* Seconds an idle keep-alive connection is kept. */
#define HTTP_SERVER_KEEPALIVE_S	5
/* The usual body limit of envstats' endpoints (1 MiB). */
#define HTTP_BODY_MAX		((size_t)1024 * 1024)
/* Longest host part that http_addr_parse writes, with its NUL. */
#define HTTP_ADDR_HOST_MAX	64

/*
 * One request, borrowed by the handler for the duration of the call.
 * body is NUL-terminated (body[body_len] == '\0') but may hold NULs.
 * path is lws's decoded, normalised path without the query; query is the
 * query string as lws keeps it (url-decoded, arguments joined by '&'), ""
 * when there is none.
 */
struct http_request {
	const char	*method;	/* "GET", "POST", ... */
	const char	*path;
	const char	*query;
	const char	*body;
	size_t		 body_len;
	void		*priv;		/* the lws wsi */
};

/*
 * Copy the value of request header name (any case, without ':', e.g.
 * "x-envstats-signature" or "Content-Type") into buf and return buf; NULL
 * when the header is absent or its value does not fit in buflen - 1 bytes.
 * A header sent twice reads as lws joins it.
 */
const char	*http_header(const struct http_request *, const char *name,
		    char *buf, size_t buflen);

/*
 * The handler's answer. The server fills in status 200, content_type
 * "text/plain; charset=utf-8", an empty body and no retry_after before the
 * call. content_type is borrowed (a literal, or valid until the handler's
 * caller returns: use a literal); body and retry_after are owned by the
 * response, so retry_after must be xstrdup()ed (or NULL) and the server
 * frees both.
 */
struct http_response {
	int		 status;
	const char	*content_type;
	struct buf	 body;
	char		*retry_after;	/* Retry-After, or NULL */
};

typedef void	(*http_handler_fn)(void *arg, const struct http_request *,
		    struct http_response *);

/* One route: exact method ("GET", "POST", ...) and exact path. */
struct http_route {
	const char	*method;
	const char	*path;
	http_handler_fn	 fn;
	void		*arg;
};

/*
 * Listen on addr (see http_addr_parse; port 0 lets the kernel choose) in
 * ctx and serve routes (copied; their args are borrowed and must outlive
 * the server). Bodies over body_max bytes are refused with 413. Returns
 * ERR_INVALID for a bad addr or routes, ERR_NET when lws cannot listen
 * (the port is taken, the address is not local), and writes *out only on
 * success.
 */
enum err	 http_server_new(struct lws_context *, const char *addr,
		    const struct http_route *routes, size_t n, size_t body_max,
		    struct http_server **out);
/* The port actually listened on (the kernel's choice for port 0). */
int		 http_server_port(const struct http_server *);
/*
 * Stop listening, close the server's connections and free it (NULL does
 * nothing). Call on the loop thread, before lws_context_destroy(). No
 * handler runs after it returns.
 */
void		 http_server_free(struct http_server *);

/*
 * Parse "a.b.c.d:port" or "[v6]:port" (IP literals only, no names; port a
 * decimal 0..65535) into host (without brackets, hostlen >= 2 bytes more
 * than the address; HTTP_ADDR_HOST_MAX always fits) and *port. Returns
 * ERR_INVALID otherwise and then writes nothing.
 */
enum err	 http_addr_parse(const char *addr, char *host, size_t hostlen,
		    int *port);

#endif
