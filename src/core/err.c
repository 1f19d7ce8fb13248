/* err.c: texts of enum err. Any thread. */
#include "common.h"
#include "err.h"

const char *
err_str(enum err rc)
{
	switch (rc) {
	case ERR_OK:		return "ok";
	case ERR_INVALID:	return "invalid input";
	case ERR_NOT_FOUND:	return "not found";
	case ERR_IO:		return "i/o error";
	case ERR_DB:		return "database error";
	case ERR_BUSY:		return "database busy";
	case ERR_SCHEMA_NEWER:	return "database schema is newer than this binary";
	case ERR_SCHEMA_OLDER:
		return "database schema is older than this binary";
	case ERR_FOREIGN:	return "not an envstats database";
	case ERR_CONFIG:	return "bad configuration";
	case ERR_NET:		return "network error";
	case ERR_RATELIMITED:	return "rate limited";
	case ERR_AUTH:		return "authentication refused";
	case ERR_TOO_BIG:	return "too big";
	case ERR_LIMIT:		return "over the work limit";
	}
	return "unknown error";
}
