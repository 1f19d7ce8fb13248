/*
 * server.c: routing and plumbing of the HTTP listener (loop thread only).
 *
 * The server is a vhost of its own in the bot's lws context. Its one
 * protocol, at index 0, gets every HTTP request of the vhost. A request is
 * routed in LWS_CALLBACK_HTTP; a body is gathered from HTTP_BODY and the
 * handler runs in HTTP_BODY_COMPLETION (or at once when there is no body).
 * The answer (headers and body in one buffer) goes out from
 * HTTP_WRITEABLE, one lws_write() per callback: first the headers, then
 * the body in chunks. lws sends WRITEABLE callbacks nobody asked for, so
 * each write is driven by the pss state, never by the callback alone.
 *
 * The protocol table is static because lws keeps a pointer to it until the
 * vhost is really freed (later than lws_vhost_destroy() returns). The
 * vhost finds its struct http_server through a per-vhost slot, which
 * http_server_free() clears first, so late callbacks see no server.
 */
#include "common.h"

#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <strings.h>

#include <libwebsockets.h>

#include "log.h"

#define HTTP_VHOST_NAME	"envstats-http"
#define HTTP_CHUNK	(16 * 1024)	/* body bytes per lws_write */
#define HTTP_HDR_MAX	1024		/* our response header block */

struct http_server {
	struct lws_vhost	*vh;
	struct http_route	*routes;
	size_t			 n_routes;
	size_t			 body_max;
	int			 port;
};

/* The per-vhost slot lws keeps for our protocol. */
struct http_vh {
	struct http_server	*hs;
};

enum http_stage {
	HTTP_IDLE,		/* no request, or reading one */
	HTTP_HEADERS,		/* the answer's headers go out next */
	HTTP_BODY,		/* its body goes out next, from out_off */
};

/* Per connection, reset for each keep-alive request. */
struct http_pss {
	const struct http_route	*route;		/* NULL: fixed */
	int			 status;	/* that answer: 404, 405 */
	bool			 close_after;
	bool			 answered;
	bool			 discard;	/* drop body bytes */
	char			 method[8];
	char			*path;
	struct buf		 body;
	unsigned char		*out;		/* pre+hdrs+body */
	size_t			 hdr_len;
	size_t			 body_len;
	size_t			 out_off;	/* body bytes sent */
	enum http_stage		 stage;
};

static int	http_callback(struct lws *, enum lws_callback_reasons, void *,
		    void *, size_t);

static const struct lws_protocols http_protocols[] = {
	{ "envstats-http", http_callback, sizeof(struct http_pss), 0, 0, NULL,
	    0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static const char *const http_methods[] = {
	[LWSHUMETH_GET] = "GET",
	[LWSHUMETH_POST] = "POST",
	[LWSHUMETH_OPTIONS] = "OPTIONS",
	[LWSHUMETH_PUT] = "PUT",
	[LWSHUMETH_PATCH] = "PATCH",
	[LWSHUMETH_DELETE] = "DELETE",
	[LWSHUMETH_CONNECT] = "CONNECT",
	[LWSHUMETH_HEAD] = "HEAD",
};

static struct http_server *
server_of(struct lws *wsi)
{
	struct http_vh	*slot;

	slot = lws_protocol_vh_priv_get(lws_get_vhost(wsi),
	    lws_get_protocol(wsi));
	return slot != NULL ? slot->hs : NULL;
}

/* Forget the request and the answer of pss. */
static void
pss_reset(struct http_pss *pss)
{
	free(pss->path);
	buf_release(&pss->body);
	free(pss->out);
	memset(pss, 0, sizeof *pss);
	buf_init(&pss->body);
}

static const char *
reason_text(int status)
{
	switch (status) {
	case 400:
		return "bad request\n";
	case 404:
		return "not found\n";
	case 405:
		return "method not allowed\n";
	case 411:
		return "length required\n";
	case 413:
		return "request body too large\n";
	case 503:
		return "service unavailable\n";
	default:
		return "error\n";
	}
}

/* "GET, POST" for every route of path, into out. */
static void
allow_list(const struct http_server *hs, const char *path, char *out,
    size_t outlen)
{
	size_t	i, used = 0;
	int	n;

	out[0] = '\0';
	for (i = 0; i < hs->n_routes; i++) {
		if (strcmp(hs->routes[i].path, path) != 0)
			continue;
		n = snprintf(out + used, outlen - used, "%s%s",
		    used > 0 ? ", " : "", hs->routes[i].method);
		if (n < 0 || (size_t)n >= outlen - used)
			break;
		used += (size_t)n;
	}
}

/*
 * Format the answer's headers and keep them with the body in pss->out,
 * then ask for WRITEABLE. body is copied.
 */
static int
queue_answer(struct lws *wsi, struct http_pss *pss, int status,
    const char *ctype, const char *body, size_t body_len, const char *allow,
    const char *retry_after)
{
	unsigned char	 hdr[HTTP_HDR_MAX];
	unsigned char	*p = hdr, *end = hdr + sizeof hdr - 1;
	size_t		 hlen;

	if (lws_add_http_common_headers(wsi, (unsigned int)status, ctype,
	    (lws_filepos_t)body_len, &p, end))
		goto fail;
	if (allow != NULL && lws_add_http_header_by_name(wsi,
	    (const unsigned char *)"allow:", (const unsigned char *)allow,
	    (int)strlen(allow), &p, end))
		goto fail;
	if (retry_after != NULL && lws_add_http_header_by_name(wsi,
	    (const unsigned char *)"retry-after:",
	    (const unsigned char *)retry_after, (int)strlen(retry_after),
	    &p, end))
		goto fail;
	if (pss->close_after && lws_add_http_header_by_token(wsi,
	    WSI_TOKEN_CONNECTION, (const unsigned char *)"close", 5, &p, end))
		goto fail;
	if (lws_finalize_http_header(wsi, &p, end))
		goto fail;
	hlen = (size_t)(p - hdr);
	free(pss->out);
	pss->out = xmalloc(LWS_PRE + hlen + body_len + 1);
	memcpy(pss->out + LWS_PRE, hdr, hlen);
	if (body_len > 0)
		memcpy(pss->out + LWS_PRE + hlen, body, body_len);
	pss->hdr_len = hlen;
	pss->body_len = body_len;
	pss->out_off = 0;
	pss->stage = HTTP_HEADERS;
	pss->answered = true;
	lws_callback_on_writable(wsi);
	return 0;
fail:
	/* Only a header block over HTTP_HDR_MAX gets here: a bug of ours. */
	log_error("http.header_overflow", LOG_INT("status", status));
	return -1;
}

/* A fixed plain-text answer (404, 405, 411, 413, ...). */
static int
answer_fixed(struct lws *wsi, struct http_server *hs, struct http_pss *pss,
    int status)
{
	char		 allow[128];
	const char	*text = reason_text(status);

	if (status == 405)
		allow_list(hs, pss->path, allow, sizeof allow);
	return queue_answer(wsi, pss, status, "text/plain; charset=utf-8",
	    text, strlen(text), status == 405 ? allow : NULL, NULL);
}

/*
 * The query as one string. lws keeps each argument as a fragment of
 * WSI_TOKEN_HTTP_URI_ARGS and lws_hdr_copy() would join them with ','.
 */
static char *
query_string(struct lws *wsi)
{
	struct buf	 q = BUF_INIT;
	char		*frag;
	int		 i, n;

	for (i = 0;; i++) {
		n = lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, i);
		if (n <= 0)
			break;
		frag = xmalloc((size_t)n + 1);
		if (lws_hdr_copy_fragment(wsi, frag, n + 1,
		    WSI_TOKEN_HTTP_URI_ARGS, i) >= 0) {
			if (q.len > 0)
				buf_putc(&q, '&');
			buf_puts(&q, frag);
		}
		free(frag);
	}
	return buf_detach(&q, NULL);
}

/* Call the route's handler on the gathered request and queue its answer. */
static int
run_handler(struct lws *wsi, struct http_pss *pss)
{
	struct http_request	 req;
	struct http_response	 resp;
	char			*query;
	int			 rc;

	query = query_string(wsi);
	memset(&req, 0, sizeof req);
	req.method = pss->method;
	req.path = pss->path;
	req.query = query;
	req.body = pss->body.data;
	req.body_len = pss->body.len;
	req.priv = wsi;
	resp.status = 200;
	resp.content_type = "text/plain; charset=utf-8";
	buf_init(&resp.body);
	resp.retry_after = NULL;

	pss->route->fn(pss->route->arg, &req, &resp);

	if (resp.status < 100 || resp.status > 599) {
		log_error("http.bad_status", LOG_STR("path", pss->path),
		    LOG_INT("status", resp.status));
		resp.status = 500;
	}
	rc = queue_answer(wsi, pss, resp.status, resp.content_type,
	    resp.body.data, resp.body.len, NULL, resp.retry_after);
	log_debug("http.request", LOG_STR("method", pss->method),
	    LOG_STR("path", pss->path), LOG_INT("status", resp.status),
	    LOG_INT("req_len", pss->body.len),
	    LOG_INT("resp_len", resp.body.len));
	buf_release(&resp.body);
	free(resp.retry_after);
	free(query);
	buf_release(&pss->body);
	return rc;
}

/* Answer the request now that its body (if any) is in. */
static int
finish_request(struct lws *wsi, struct http_server *hs, struct http_pss *pss)
{
	if (pss->answered)
		return 0;
	if (pss->route == NULL)
		return answer_fixed(wsi, hs, pss, pss->status);
	return run_handler(wsi, pss);
}

/*
 * Does this request announce a body? 1 yes, 0 no, -1 chunked, -2 a bad
 * Content-Length (lws 4.1.6 lets "-5" and "zz" through).
 */
static int
has_body(struct lws *wsi, long long *clen)
{
	char		 cl[32], *endp;
	long long	 v;

	*clen = 0;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
		return -1;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
		return 0;
	if (lws_hdr_copy(wsi, cl, sizeof cl,
	    WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
		return -2;	/* longer than any length we would take */
	errno = 0;
	v = strtoll(cl, &endp, 10);
	if (errno != 0 || endp == cl || *endp != '\0' || v < 0 ||
	    cl[0] < '0' || cl[0] > '9')
		return -2;
	*clen = v;
	return v > 0;
}

/* LWS_CALLBACK_HTTP: route the request; answer now unless a body comes. */
static int
start_request(struct lws *wsi, struct http_server *hs, struct http_pss *pss,
    const char *uri, size_t uri_len)
{
	char		*muri;
	const char	*method;
	long long	 clen;
	size_t		 i;
	bool		 path_known = false;
	int		 m, mlen, body;

	pss_reset(pss);
	m = lws_http_get_uri_and_method(wsi, &muri, &mlen);
	if (m < 0 || (size_t)m >= ARRAY_LEN(http_methods) ||
	    http_methods[m] == NULL)
		return -1;
	method = http_methods[m];
	snprintf(pss->method, sizeof pss->method, "%s", method);
	pss->path = xstrndup(uri, uri_len);
	for (i = 0; i < hs->n_routes; i++) {
		if (strcmp(hs->routes[i].path, pss->path) != 0)
			continue;
		path_known = true;
		if (strcmp(hs->routes[i].method, method) == 0) {
			pss->route = &hs->routes[i];
			break;
		}
	}
	if (pss->route == NULL)
		pss->status = path_known ? 405 : 404;

	body = has_body(wsi, &clen);
	if (body == -2) {
		pss->route = NULL;
		pss->close_after = true;
		return answer_fixed(wsi, hs, pss, 400);
	}
	if (body < 0) {
		/* We would not know where the body ends: refuse and close. */
		pss->route = NULL;
		pss->close_after = true;
		return answer_fixed(wsi, hs, pss, 411);
	}
	if (body > 0 && (unsigned long long)clen > hs->body_max) {
		pss->route = NULL;
		pss->close_after = true;
		pss->discard = true;
		log_info("http.too_large", LOG_STR("path", pss->path),
		    LOG_INT("content_length", clen));
		return answer_fixed(wsi, hs, pss, 413);
	}
	if (body > 0) {
		pss->discard = pss->route == NULL;
		return 0;	/* HTTP_BODY..., then HTTP_BODY_COMPLETION */
	}
	return finish_request(wsi, hs, pss);
}

static int
body_chunk(struct lws *wsi, struct http_server *hs, struct http_pss *pss,
    const void *in, size_t len)
{
	if (pss->discard || pss->answered)
		return 0;
	if (pss->body.len + len > hs->body_max) {
		/* Content-Length lied (lws bounds it): refuse and close. */
		pss->route = NULL;
		pss->close_after = true;
		pss->discard = true;
		buf_release(&pss->body);
		return answer_fixed(wsi, hs, pss, 413);
	}
	buf_append(&pss->body, in, len);
	return 0;
}

/* HTTP_WRITEABLE: at most one lws_write, as pss->stage says. */
static int
write_some(struct lws *wsi, struct http_pss *pss)
{
	unsigned char	*at;
	size_t		 left, n;
	int		 flags;

	switch (pss->stage) {
	case HTTP_IDLE:
		return 0;	/* a callback nobody asked for */
	case HTTP_HEADERS:
		if (lws_write(wsi, pss->out + LWS_PRE, pss->hdr_len,
		    LWS_WRITE_HTTP_HEADERS) < 0)
			return -1;
		pss->stage = HTTP_BODY;
		if (pss->body_len == 0)
			goto done;
		lws_callback_on_writable(wsi);
		return 0;
	case HTTP_BODY:
		break;
	}
	left = pss->body_len - pss->out_off;
	n = left < HTTP_CHUNK ? left : HTTP_CHUNK;
	flags = n == left ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP;
	/* The LWS_PRE bytes before a chunk are already-sent bytes: h1 only. */
	at = pss->out + LWS_PRE + pss->hdr_len + pss->out_off;
	if (lws_write(wsi, at, n, (enum lws_write_protocol)flags) < 0)
		return -1;
	pss->out_off += n;
	if (pss->out_off < pss->body_len) {
		lws_callback_on_writable(wsi);
		return 0;
	}
done:
	if (pss->close_after)
		return -1;	/* lws flushes, then shuts down gracefully */
	pss_reset(pss);
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int
http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct http_pss		*pss = user;
	struct http_server	*hs;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		hs = server_of(wsi);
		if (hs == NULL || pss == NULL)
			return -1;	/* being freed */
		return start_request(wsi, hs, pss, in, len);
	case LWS_CALLBACK_HTTP_BODY:
		hs = server_of(wsi);
		if (hs == NULL || pss == NULL)
			return -1;
		return body_chunk(wsi, hs, pss, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		hs = server_of(wsi);
		if (hs == NULL || pss == NULL)
			return -1;
		return finish_request(wsi, hs, pss);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (pss == NULL)
			return -1;
		return write_some(wsi, pss);
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		/* Keep an answer that is still going out. */
		if (pss != NULL && (pss->stage == HTTP_IDLE ||
		    reason == LWS_CALLBACK_CLOSED_HTTP))
			pss_reset(pss);
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		return 0;	/* every protocol of every vhost gets it */
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* Parse a decimal port 0..65535: digits only. */
static bool
parse_port(const char *s, int *port)
{
	long	v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
	}
	if (v > 65535)
		return false;
	*port = (int)v;
	return true;
}

enum err
http_addr_parse(const char *addr, char *host, size_t hostlen, int *port)
{
	char		 h[INET6_ADDRSTRLEN + 1];
	unsigned char	 sa[sizeof(struct in6_addr)];
	const char	*colon, *close;
	size_t		 hl;
	int		 p, af;
	enum err	 rc = ERR_INVALID;

	if (addr == NULL)
		goto out;
	if (addr[0] == '[') {
		close = strchr(addr, ']');
		if (close == NULL || close[1] != ':')
			goto out;
		hl = (size_t)(close - addr - 1);
		if (hl == 0 || hl >= sizeof h)
			goto out;
		memcpy(h, addr + 1, hl);
		colon = close + 1;
		af = AF_INET6;
	} else {
		colon = strrchr(addr, ':');
		if (colon == NULL || colon == addr)
			goto out;
		hl = (size_t)(colon - addr);
		if (hl >= sizeof h || memchr(addr, ':', hl) != NULL)
			goto out;
		memcpy(h, addr, hl);
		af = AF_INET;
	}
	h[hl] = '\0';
	/* inet_pton: IP literals only; it refuses zone ids and names. */
	if (inet_pton(af, h, sa) != 1 || !parse_port(colon + 1, &p))
		goto out;
	if (hl + 1 > hostlen)
		goto out;
	memcpy(host, h, hl + 1);
	*port = p;
	rc = ERR_OK;
out:
	return rc;
}

enum err
http_server_new(struct lws_context *ctx, const char *addr,
    const struct http_route *routes, size_t n, size_t body_max,
    struct http_server **out)
{
	struct lws_context_creation_info info;
	struct http_server	*hs = NULL;
	struct http_vh		*slot;
	char			 host[HTTP_ADDR_HOST_MAX];
	int			 port;
	size_t			 i;
	bool			 v6;
	enum err		 rc = ERR_INVALID;

	*out = NULL;
	if (ctx == NULL || http_addr_parse(addr, host, sizeof host, &port) !=
	    ERR_OK) {
		log_error("http.bad_addr", LOG_STR("addr", addr ? addr : ""));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (routes[i].method == NULL || routes[i].path == NULL ||
		    routes[i].path[0] != '/' || routes[i].fn == NULL)
			goto out;
	}
	hs = xcalloc(1, sizeof *hs);
	hs->routes = xcalloc(n > 0 ? n : 1, sizeof *hs->routes);
	if (n > 0)
		memcpy(hs->routes, routes, n * sizeof *routes);
	hs->n_routes = n;
	hs->body_max = body_max;

	v6 = strchr(host, ':') != NULL;
	memset(&info, 0, sizeof info);
	info.vhost_name = HTTP_VHOST_NAME;
	info.port = port;
	/* lws binds iface as an address; NULL is the wildcard. */
	if (strcmp(host, "0.0.0.0") != 0 && strcmp(host, "::") != 0)
		info.iface = host;
	if (!v6)
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	info.protocols = http_protocols;
	info.timeout_secs = HTTP_SERVER_TIMEOUT_S;
	info.timeout_secs_ah_idle = HTTP_SERVER_TIMEOUT_S;
	info.keepalive_timeout = HTTP_SERVER_KEEPALIVE_S;
	hs->vh = lws_create_vhost(ctx, &info);
	if (hs->vh == NULL) {
		log_error("http.listen_failed", LOG_STR("addr", addr));
		rc = ERR_NET;
		goto out;
	}
	hs->port = lws_get_vhost_listen_port(hs->vh);
	if (hs->port <= 0) {
		log_error("http.listen_failed", LOG_STR("addr", addr));
		rc = ERR_NET;
		goto out;
	}
	slot = lws_protocol_vh_priv_zalloc(hs->vh, &http_protocols[0],
	    sizeof *slot);
	if (slot == NULL) {
		rc = ERR_NET;
		goto out;
	}
	slot->hs = hs;
	log_info("http.listening", LOG_STR("host", host),
	    LOG_INT("port", hs->port));
	*out = hs;
	hs = NULL;
	rc = ERR_OK;
out:
	http_server_free(hs);
	return rc;
}

int
http_server_port(const struct http_server *hs)
{
	return hs->port;
}

void
http_server_free(struct http_server *hs)
{
	struct http_vh	*slot;

	if (hs == NULL)
		return;
	if (hs->vh != NULL) {
		slot = lws_protocol_vh_priv_get(hs->vh, &http_protocols[0]);
		if (slot != NULL)
			slot->hs = NULL;
		lws_vhost_destroy(hs->vh);
	}
	free(hs->routes);
	free(hs);
}

const char *
http_header(const struct http_request *req, const char *name, char *buf,
    size_t buflen)
{
	struct lws	*wsi = req->priv;
	char		 lname[128];
	const char	*tname;
	size_t		 nlen = strlen(name), tl, i;
	int		 t, len;

	if (buflen == 0 || buflen > INT32_MAX || nlen == 0 ||
	    nlen + 2 > sizeof lname)
		return NULL;
	/* A header lws knows lives in its token; "content-type:" etc. */
	for (t = 0; t < WSI_TOKEN_COUNT; t++) {
		tname = (const char *)lws_token_to_string(
		    (enum lws_token_indexes)t);
		if (tname == NULL)
			continue;
		tl = strlen(tname);
		if (tl != nlen + 1 || tname[nlen] != ':' ||
		    strncasecmp(tname, name, nlen) != 0)
			continue;
		if (lws_hdr_total_length(wsi, (enum lws_token_indexes)t) <= 0)
			return NULL;	/* absent, or empty */
		len = lws_hdr_copy(wsi, buf, (int)buflen,
		    (enum lws_token_indexes)t);
		return len >= 0 ? buf : NULL;
	}
	/* Others are custom headers, kept lower-cased with their ':'. */
	for (i = 0; i < nlen; i++) {
		lname[i] = name[i];
		if (lname[i] >= 'A' && lname[i] <= 'Z')
			lname[i] = (char)(lname[i] - 'A' + 'a');
	}
	lname[nlen] = ':';
	lname[nlen + 1] = '\0';
	if (lws_hdr_custom_length(wsi, lname, (int)nlen + 1) < 0)
		return NULL;
	len = lws_hdr_custom_copy(wsi, buf, (int)buflen, lname, (int)nlen + 1);
	return len >= 0 ? buf : NULL;
}
