/*
 * messages.h — status messages to citizens (issue 15 item 3).
 *
 * Two halves over hub/store.h:
 *
 *   messages.c  what a message says and when one is queued: when a case
 *               is first received, moves to needs_info, is approved or
 *               rejected, and its applicant consented (`messages_consent`)
 *               and has a phone, ONE message is queued in the transaction
 *               of the move, under a key derived from the case, the event
 *               and the event's sequence number, unique in the table: a
 *               crash never loses it (no commit, no move either) nor
 *               doubles it (the key).
 *   notify.c    delivery through the configured HTTP gateway (libcurl):
 *               claim a row with a lease, send it with its key in
 *               `Idempotency-Key`, 2xx sent, 4xx other than 408/429 failed,
 *               anything else retried with exponential backoff and jitter
 *               until max_attempts.  `mo-hub notify` runs passes,
 *               `mo-hub serve --notify` a thread (hub_notifier).
 *
 * The gateway's settings live in the hub's meta table (notify_*), written
 * by `mo-hub notify-config`: they belong to the hub's data like its units,
 * travel with its backups, and every worker of one database reads the
 * same.  The auth header is a secret: it is shown back masked only.
 */
#ifndef HUB_MESSAGES_H
#define HUB_MESSAGES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "mo_err.h"
#include "store.h"

/* two concatenated SMS segments in UCS-2 (67 UTF-16 units each) */
#define HUB_MSG_UNITS_MAX 134

/* ---- texts and keys (messages.c) ---- */

/* "received", "needs_info", "approved" or "rejected" when a case moving
 * from `from` to `to` (case statuses) is an event worth a message, else NULL */
const char *hub_message_event(const char *from, const char *to);

/* the number of UTF-16 code units of UTF-8 text (what an SMS counts) */
size_t hub_message_units(const char *utf8);

/*
 * The Ukrainian text for event about case `number`; place (approved: where
 * the result is collected, the unit's name; may be NULL) is shortened with
 * "…" so the whole stays within HUB_MSG_UNITS_MAX, and phone (the unit's,
 * may be NULL or "") is added when it fits.  MO_EINVAL for an unknown event
 * or a number too long to fit.
 */
int hub_message_text(char out[HUB_MSG_TEXT_MAX], const char *event, const char *number,
		     const char *place, const char *phone, struct mo_err *err) MO_WARN_UNUSED;

/* "m1-" + 32 hex digits of SHA-256 over case id, event and seq */
void hub_message_key(char out[HUB_MSG_KEY_LEN], const char *case_id, const char *event,
		     long long seq);

/*
 * Called in the transaction of every case move (apply.c transition_on):
 * queue the message the move deserves, if any (see above).  The first
 * receipt only: a case received again after needs_info gets no second
 * "received".  MO_OK when nothing is due.
 */
int hub_messages_on_move(struct hub_store *s, const struct hub_case *c, const char *from,
			 const char *to, struct mo_err *err) MO_WARN_UNUSED;
/* the same when the caller has the case's document in hand: phone is its
 * consenting applicant's phone (hub_message_phone), "" for none; c must
 * carry id, number and unit */
int hub_messages_on_move_known(struct hub_store *s, const struct hub_case *c, const char *from,
			       const char *to, const char *phone,
			       struct mo_err *err) MO_WARN_UNUSED;
/* the consenting applicant's phone of a case document, or "" */
void hub_message_phone(const cJSON *doc, char out[16]);

/* add the case's messages to a case object (GET /api/cases/ID): "messages",
 * and one "message" entry per message in its "history", in time order */
int hub_messages_case_json(struct hub_store *s, const char *case_id, cJSON *obj,
			   struct mo_err *err) MO_WARN_UNUSED;

/* ---- the gateway and delivery (notify.c) ---- */

#define HUB_NOTIFY_URL_MAX 1024
#define HUB_NOTIFY_BODY_MAX 4096
#define HUB_NOTIFY_AUTH_MAX 1024

struct hub_notify_config {
	char url[HUB_NOTIFY_URL_MAX];	/* http:// or https:// */
	char body[HUB_NOTIFY_BODY_MAX]; /* JSON with {phone} {phone_digits} {text} {key} */
	char auth[HUB_NOTIFY_AUTH_MAX]; /* "Name: value" header, "" none */
	long timeout_s;			/* per attempt, 1..300 */
	long long retry_base_ms;	/* first retry after ~this, 10..86400000 */
	long long retry_cap_ms;		/* no wait longer, >= retry_base_ms */
	long max_attempts;		/* then failed, 1..1000 */
};

#define HUB_NOTIFY_CONFIG_INIT {"", "", "", 10, 30000, 3600000, 25}

/* check every field (the body must be JSON once filled in); MO_EINVAL */
int hub_notify_config_check(const struct hub_notify_config *c,
			    struct mo_err *err) MO_WARN_UNUSED;
/* MO_ENOTFOUND when no gateway was configured */
int hub_notify_config_load(struct hub_store *s, struct hub_notify_config *out,
			   struct mo_err *err) MO_WARN_UNUSED;
/* check and store (one transaction) */
int hub_notify_config_save(struct hub_store *s, const struct hub_notify_config *c,
			   struct mo_err *err) MO_WARN_UNUSED;
/* the header with its value hidden but for the last 4 characters of a
 * long one: "Authorization: …wxyz" */
void hub_notify_mask(char *out, size_t outlen, const char *auth);
/* {url, body, auth_header (masked), timeout_s, retry_base_ms, retry_cap_ms,
 * max_attempts}; NULL without memory */
cJSON *hub_notify_config_json(const struct hub_notify_config *c);

/* the request body: tmpl with the placeholders JSON-escaped in */
int hub_notify_body(struct mo_buf *out, const char *tmpl, const struct hub_message *m,
		    struct mo_err *err) MO_WARN_UNUSED;

enum hub_notify_verdict { HUB_NOTIFY_SENT, HUB_NOTIFY_RETRY, HUB_NOTIFY_FAILED };
/* what an HTTP status means (0: no answer at all: timeout, connection) */
enum hub_notify_verdict hub_notify_classify(long http_status);

/*
 * The wait before the next attempt after `attempts` tries: the exponential
 * base * 2^(attempts-1), capped, then "equal jitter": a uniform pick in
 * [d/2, d] from rnd, so workers that failed together do not retry together.
 */
uint64_t hub_notify_backoff_ms(const struct hub_notify_config *c, long long attempts,
			       uint32_t rnd);

struct hub_notify_stats {
	long long sent, failed, retried, lost_lease;
};

/*
 * One pass: send every message due now, one at a time, until none is due
 * (or *stop, when given, turns true).  Errors of one message are recorded on
 * it; the return is an error of the store only.
 */
int hub_notify_pass(struct hub_store *s, const struct hub_notify_config *c,
		    const atomic_bool *stop, struct hub_notify_stats *stats,
		    struct mo_err *err) MO_WARN_UNUSED;

/* `serve --notify`: a thread that runs a pass every interval_ms (reading
 * the settings anew each time; no gateway configured: it waits) */
struct hub_notifier;
int hub_notifier_start(struct hub_notifier **out, struct hub_store *s, uint64_t interval_ms,
		       struct mo_err *err) MO_WARN_UNUSED;
void hub_notifier_stop(struct hub_notifier *n);

#endif
