/*
 * public.h — what the hub tells a citizen without a session: the status of
 * an application by the number and status code on its receipt
 * (GET /api/public/status, the /status page; docs/api.md).
 *
 * The answer says the case's and each service's status in plain words, the
 * date of the last change (Kyiv time) and the applicant's initials — never
 * a name, a unit, an operator or anything else of the record.  A wrong code
 * is answered exactly like an unknown number, after the same work (one
 * scrypt either way, proto/lookup.h).
 *
 * Lookups are limited per client address in memory (this process): at most
 * HUB_PUBLIC_PER_WINDOW in each HUB_PUBLIC_WINDOW_MS window.  A restart
 * forgets the counts, which is fine for a limit measured in a minute; the
 * table holds HUB_PUBLIC_SLOTS addresses, and when all are busy the one
 * whose window began first gives way.
 */
#ifndef HUB_PUBLIC_H
#define HUB_PUBLIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "mo_err.h"

#define HUB_PUBLIC_PER_WINDOW 10
#define HUB_PUBLIC_WINDOW_MS 60000ull
#define HUB_PUBLIC_SLOTS 1024
#define HUB_PUBLIC_ADDR_MAX 64

struct hub_public_limit {
	pthread_mutex_t lock;
	struct {
		char addr[HUB_PUBLIC_ADDR_MAX];
		uint64_t start_ms; /* when this address's window began */
		unsigned n;	   /* lookups in it */
	} slot[HUB_PUBLIC_SLOTS];
	unsigned checking; /* scrypt checks running now (HUB_PUBLIC_CHECKS at most) */
};

/* scrypt checks at once for all addresses: each costs 16 MiB and ~50 ms, and
 * many addresses must not be able to take the hub's memory or CPU with them */
#define HUB_PUBLIC_CHECKS 2

struct hub;

void hub_public_limit_init(struct hub_public_limit *l);
void hub_public_limit_release(struct hub_public_limit *l);

/*
 * Look up the case `number` with the receipt code `code` for a client at
 * `address`, answering in English when en.  *out (caller frees) gets the
 * answer; MO_ENOTFOUND "not_found" for an unknown number or a wrong code
 * (the same message); MO_EBUSY "rate_limited" with *retry_after seconds
 * past the limit, or "busy" (retry in 1 s) while HUB_PUBLIC_CHECKS lookups
 * of other addresses are being checked.  Each call counts once in mo_status_lookups_total.
 */
int hub_public_status(struct hub *h, const char *number, const char *code, const char *address,
		      bool en, cJSON **out, long long *retry_after, struct mo_err *err);

#endif
