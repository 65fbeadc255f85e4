/*
 * case.h — what an application is on the laptop: creating one (CLI or
 * import), editing it, moving its status, and applying what the hub sends
 * down.  Each function writes rows and outbox changes through store.h and
 * must run inside the caller's transaction (so an import can batch lines).
 */
#ifndef AGENT_CASE_H
#define AGENT_CASE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "agent.h"
#include "change.h"
#include "mo_err.h"
#include "store.h"

/* who this laptop is (meta, set at enrolment) and who works on it now */
struct agent_identity {
	char hub_url[512];
	char hub[40];
	char hub_key[64]; /* base64 of the raw public key */
	char device[40];
	char device_code[40];
	char unit[40];
	char unit_name[200];
	char unit_kind[16];
	char operator_name[112];
	bool revoked;
};

/* MO_ENOTFOUND with code "not_enrolled" when the laptop is not enrolled */
int agent_identity_load(struct agent_store *s, struct agent_identity *me,
			struct mo_err *err) MO_WARN_UNUSED;

#define AGENT_MAX_SERVICES 30
#define AGENT_MAX_DOCS 20

struct agent_doc {
	const char *type, *number, *issued;
};

/* a new application or an edit: NULL / unset members are "not given" */
struct agent_case_input {
	const char *id; /* import: the line's UUID; NULL: a fresh one */
	const char *services[AGENT_MAX_SERVICES + 1];
	size_t nservices;
	const char *package; /* import: the line's package */
	const char *surname, *given_name, *patronymic, *birth_date, *rnokpp, *phone;
	const char *address_text; /* --address */
	const cJSON *address;	  /* import: structured address */
	struct agent_doc docs[AGENT_MAX_DOCS];
	size_t ndocs;
	const cJSON *documents_presented; /* array of text */
	const char *mobility, *notes, *created_at, *channel;
	bool consent, consent_set, draft, fee_set;
	long long fee_uah;
	const char *origin; /* "local" or "import" */
	/* the applicant refused an RNOKPP on religious grounds (a mark in the
	 * passport): no rnokpp, a "passport" document is required instead */
	bool no_rnokpp;
	/* the home-visit request this application is recorded from (a UUID;
	 * agent_visit_case_input sets it), NULL: none */
	const char *visit;
	/* the citizen agreed to status messages on the applicant's phone
	 * (`messages_consent`, issue 15); needs a phone */
	bool messages_consent, messages_consent_set;
};

/* one problem in an application form, for the field it belongs to */
struct agent_field_error {
	char field[48];	   /* "surname", "birth_date", "rnokpp", "services", ... */
	char code[48];	   /* "required", "date", "rnokpp_birth_date", ... */
	char message[384]; /* in the asked language: what is expected */
};
#define AGENT_MAX_FIELD_ERRORS 32
struct agent_case_errors {
	struct agent_field_error e[AGENT_MAX_FIELD_ERRORS];
	size_t n;
};

/*
 * Pure check of a new application (no writes): every problem at once, each
 * with its field ("surname", "given_name", "patronymic", "birth_date",
 * "rnokpp", "no_rnokpp", "phone", "address", "documents", "consent",
 * "services", "notes", "fee_uah") and a message in `lang` saying what is
 * expected (for a birth date that disagrees with the RNOKPP: the date the
 * number encodes, as 15.03.1948).  Dates may be typed 15.03.1948 or ISO.
 * A draft needs no consent.  MO_OK when out->n == 0; MO_EINVAL otherwise
 * (err->code/msg: the first error's code and field).
 */
int agent_case_check(struct agent_store *s, const struct agent_case_input *in,
		     enum agent_lang lang, struct agent_case_errors *out, struct mo_err *err);

/*
 * Validate (agent_case_check) and record a new application: the case row,
 * its services, the search index, and one `case` upsert with every field in
 * the outbox.  Validation failures (err->code = the first reason, err->msg =
 * its field) write nothing; call agent_case_check to show them all.
 */
int agent_case_create(struct agent_store *s, const struct agent_identity *me,
		      const struct agent_case_input *in, char id[40], char number[48],
		      struct mo_err *err) MO_WARN_UNUSED;

/* Change the given fields; one upsert with only those fields. */
int agent_case_edit(struct agent_store *s, const struct agent_identity *me, const char *key,
		    const struct agent_case_input *in, struct mo_err *err) MO_WARN_UNUSED;

/*
 * Move an application (every service that may move) to status `to`
 * (submitted, cancelled, issued), recording transition changes.  out (may be
 * NULL) receives the case after the move.
 */
int agent_case_move(struct agent_store *s, const struct agent_identity *me, const char *key,
		    const char *to, const char *reason, struct agent_case *out,
		    struct mo_err *err) MO_WARN_UNUSED;

/* what agent_case_requeue_change needs (arg of agent_store_outbox_requeue) */
struct agent_requeue {
	struct agent_store *s;
	const struct agent_identity *me; /* the identity the changes are sent as */
	bool renumber;			 /* new cases get numbers under me->device_code */
	cJSON *renumbered;		 /* renumber: gets {"id","old","new"} (caller's array) */
};

/*
 * An agent_requeue_fn: a re-queued case upsert moves its field stamps to
 * the new HLC; with renumber, a creating upsert gets a new number (case row,
 * data, search index and the change itself) under me->device_code.
 */
int agent_case_requeue_change(void *arg, cJSON *change, uint64_t old_hlc, uint64_t new_hlc,
			      struct mo_err *err);

/* Apply one downstream change from the hub (no outbox record). */
int agent_apply_remote(struct agent_store *s, const struct proto_change *c,
		       struct mo_err *err) MO_WARN_UNUSED;

#endif
