/*
 * hmac.h: HMAC-SHA256 signatures as Slack and GitHub use them, with a
 * constant-time comparison. Any thread.
 */
#ifndef ENVSTATS_HMAC_H
#define ENVSTATS_HMAC_H

#include <stdbool.h>
#include <stddef.h>

#define HMAC_SHA256_LEN		32
#define HMAC_SHA256_HEX_LEN	65	/* 64 hex digits and the NUL */

/* HMAC-SHA256 of msg under key, as 64 lower-case hex digits. */
void	hmac_sha256_hex(const void *key, size_t key_len, const void *msg,
	    size_t msg_len, char out[HMAC_SHA256_HEX_LEN]);

/*
 * Slack's request signature: "v0=" + hex HMAC-SHA256 of
 * "v0:" + timestamp + ":" + body, under the signing secret. out gets
 * 3 + 64 + 1 bytes.
 */
#define SLACK_SIGNATURE_LEN	(3 + HMAC_SHA256_HEX_LEN)
void	hmac_slack_signature(const char *secret, size_t secret_len,
	    const char *timestamp, const char *body, size_t body_len,
	    char out[SLACK_SIGNATURE_LEN]);

/* Compare two strings in time that depends on their lengths only. */
bool	hmac_equal(const char *a, const char *b);

#endif
