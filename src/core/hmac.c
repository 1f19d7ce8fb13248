/* hmac.c: HMAC-SHA256 through OpenSSL's libcrypto (hmac.h). Any thread. */
#include "common.h"
#include "hmac.h"

#include "buf.h"
#include "hex.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

void
hmac_sha256_hex(const void *key, size_t key_len, const void *msg,
    size_t msg_len, char out[HMAC_SHA256_HEX_LEN])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	md_len = 0;

	if (HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, md,
	    &md_len) == NULL || md_len != HMAC_SHA256_LEN)
		BUG("HMAC-SHA256 failed");
	hex_encode(md, md_len, out);
}

void
hmac_slack_signature(const char *secret, size_t secret_len,
    const char *timestamp, const char *body, size_t body_len,
    char out[SLACK_SIGNATURE_LEN])
{
	struct buf	b = BUF_INIT;

	buf_printf(&b, "v0:%s:", timestamp);
	buf_append(&b, body, body_len);
	memcpy(out, "v0=", 3);
	hmac_sha256_hex(secret, secret_len, b.data, b.len, out + 3);
	buf_release(&b);
}

bool
hmac_equal(const char *a, const char *b)
{
	size_t		la = strlen(a), lb = strlen(b), i;
	unsigned char	diff = la != lb;

	/* Walk the shorter length; any difference, length included, shows. */
	for (i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}
