/*
 * fuzz_webhook.c: the signed event webhook, POST /v1/events
 * (observe/webhook.h), fed a request shaped as in fuzz.h. The signature
 * check runs on the headers as given and, as a property, on the right
 * signature; the body is then parsed as the bot's handler does once the
 * signature holds, with a store that answers stored, duplicate or (for
 * one id) failed, and the answer must be JSON whose counts add up.
 */
#include "common.h"
#include "fuzz.h"

#include <jansson.h>

#include "buf.h"
#include "hmac.h"
#include "observe/webhook.h"

#define SECRET		"wh-fuzz-secret"
#define NOW_S		"1793610843"		/* 2026-11-02T09:14:03Z */
#define NOW_MS		INT64_C(1793610843000)
/* The event id whose store fails, to take the ERR_DB path. */
#define FAILING_ID	"store-fails"

struct counts {
	int64_t	stored, duplicates;
};

/* The store: an event is a duplicate when its id says so. */
static enum webhook_store
store_one(struct event *ev, void *arg, struct buf *why)
{
	struct counts	*c = arg;

	(void)why;
	fuzz_check_event(ev);
	FUZZ_CHECK(ev->source != NULL);
	if (ev->id != NULL && strcmp(ev->id, FAILING_ID) == 0)
		return WEBHOOK_STORE_FAILED;
	if (ev->id != NULL && strncmp(ev->id, "dup", 3) == 0) {
		c->duplicates++;
		return WEBHOOK_DUPLICATE;
	}
	c->stored++;
	return WEBHOOK_STORED;
}

static void
check_signature(const struct fuzz_request *rq)
{
	struct buf	why = BUF_INIT;
	char		sig[SLACK_SIGNATURE_LEN];

	/* The bot's header buffers: ts[32], sig[128]. */
	if (webhook_verify(SECRET, strlen(SECRET), fuzz_header(rq,
	    "X-Envstats-Timestamp", 32), fuzz_header(rq,
	    "X-Envstats-Signature", 128), rq->body, rq->body_len, NOW_MS,
	    &why) != ERR_OK)
		FUZZ_CHECK(why.len > 0);
	buf_reset(&why);
	hmac_slack_signature(SECRET, strlen(SECRET), NOW_S, rq->body,
	    rq->body_len, sig);
	FUZZ_CHECK(webhook_verify(SECRET, strlen(SECRET), NOW_S, sig,
	    rq->body, rq->body_len, NOW_MS, &why) == ERR_OK);
	FUZZ_CHECK(webhook_verify("other", 5, NOW_S, sig, rq->body,
	    rq->body_len, NOW_MS, &why) == ERR_AUTH);
	buf_release(&why);
}

/* The answer body is JSON and says what the result holds. */
static void
check_answer(const struct webhook_result *res)
{
	struct buf	 b = BUF_INIT;
	json_t		*root;
	json_error_t	 jerr;

	webhook_answer_json(res, &b);
	root = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &jerr);
	FUZZ_CHECK(json_is_object(root));
	FUZZ_CHECK(json_integer_value(json_object_get(root, "stored")) ==
	    res->stored);
	FUZZ_CHECK(json_integer_value(json_object_get(root, "rejected")) ==
	    res->rejected);
	FUZZ_CHECK(json_array_size(json_object_get(root, "errors")) ==
	    res->n_errors);
	json_decref(root);
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_request	rq;
	struct webhook_result	res;
	struct counts		c = { 0, 0 };
	enum err		rc;
	int			status;

	fuzz_request_parse(data, size, &rq);
	/* Larger bodies are refused (413) before any of this. */
	if (rq.body_len > WEBHOOK_BODY_MAX)
		goto out;
	check_signature(&rq);

	webhook_result_init(&res);
	rc = webhook_parse_body(rq.body, rq.body_len, store_one, &c, &res);
	FUZZ_CHECK(rc == ERR_OK || rc == ERR_DB);
	FUZZ_CHECK(res.stored == c.stored && res.duplicates == c.duplicates);
	FUZZ_CHECK(res.n_errors <= WEBHOOK_ERRORS_MAX);
	FUZZ_CHECK(res.truncated == (res.rejected + res.empty >
	    (int64_t)res.n_errors));
	if (rc == ERR_OK) {
		check_answer(&res);
		status = webhook_http_status(&res);
		FUZZ_CHECK(status == (res.rejected > 0 || res.empty ? 400 :
		    200));
		FUZZ_CHECK(res.empty == (res.stored + res.duplicates +
		    res.rejected == 0));
	}
	webhook_result_release(&res);
out:
	fuzz_request_release(&rq);
	return 0;
}
