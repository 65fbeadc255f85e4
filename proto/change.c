/*
 * change.c — change records, their vocabulary and the payloads that carry
 * them (change.h, TEAM.md "Change vocabulary, schema 1").
 *
 * The vocabulary is data: one rule table per (entity, op), nested tables for
 * objects (applicant, address, documents, services).  check_value() walks a
 * value and its table together, so adding a field is one line.  The walk
 * recurses only as deep as the tables nest (four levels), never as deep as
 * the input.
 *
 * Every message written into qmsg is printable ASCII: names taken from the
 * input are sanitised, so a quarantine reason can always travel back inside
 * a JSON response that the agent parses strictly.
 */
#include "change.h"
#include "hlc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lookup.h"
#include "mo_util.h"
#include "status.h"
#include "validate.h"

#define CHANGES_MAX 50000
#define PATH_MAX_LEN 96

/* ---- the vocabulary ---------------------------------------------------- */

/* the tables read better aligned by hand */
/* clang-format off */
enum ftype {
	T_STR,      /* a code or identifier: 1..max bytes, no control characters */
	T_TEXT,     /* free text (proto_text_check), 0..max bytes */
	T_ENUM,     /* one of choices */
	T_STATUS,   /* a status name (status.h) */
	T_DATE,     /* YYYY-MM-DD */
	T_DATETIME, /* ISO 8601 UTC */
	T_UUID,
	T_BOOL,
	T_INT,    /* min..max */
	T_SHA256, /* 64 lowercase hex digits */
	T_PHONE,  /* normalised in place to +380XXXXXXXXX */
	T_RNOKPP, /* 10 digits with check digit */
	T_LOOKUP, /* a status_check in the fixed text form of lookup.h */
	T_ARRAY,  /* min..max items, each checked against *sub */
	T_OBJECT, /* keys from the table sub */
};

#define R_REQUIRED 1u
#define R_NULL 2u /* null is a valid value */

struct rule {
	const char *name;
	enum ftype type;
	unsigned flags;
	long long min, max; /* bytes (strings), items (arrays), value (int) */
	const struct rule *sub;     /* T_OBJECT: table ending in {NULL}; T_ARRAY: element */
	const char *const *choices; /* T_ENUM: NULL-terminated */
};

#define STR(n, mx, fl) {n, T_STR, fl, 1, mx, NULL, NULL}
#define TEXT(n, mx, fl) {n, T_TEXT, fl, 0, mx, NULL, NULL}
#define TYPE(n, t, fl) {n, t, fl, 0, 0, NULL, NULL}
#define INT(n, lo, hi, fl) {n, T_INT, fl, lo, hi, NULL, NULL}
#define ARRAY(n, lo, hi, elem, fl) {n, T_ARRAY, fl, lo, hi, elem, NULL}
#define OBJECT(n, tab, fl) {n, T_OBJECT, fl, 0, 0, tab, NULL}
#define END {NULL, T_STR, 0, 0, 0, NULL, NULL}

static const char *const trip_kinds[] = {"home-visit", "village-stop", "idp-settlement",
					 "office-day", "other", NULL};

static const char *const visit_states[] = {"requested", "scheduled", "visited", "cancelled",
					   NULL};
static const char *const pay_methods[] = {"cash", "card", "bank", NULL};

static const struct rule text100 = TEXT("", 100, 0);
static const struct rule text200 = TEXT("", 200, 0);
static const struct rule code32 = STR("", 32, 0);

static const struct rule trip_upsert[] = {
	STR("unit", 32, 0),
	TEXT("settlement", 200, 0),
	{"kind", T_ENUM, 0, 0, 0, NULL, trip_kinds},
	TYPE("started_at", T_DATETIME, 0),
	TYPE("ended_at", T_DATETIME, R_NULL),
	ARRAY("crew", 0, 20, &text100, 0),
	END,
};

static const struct rule service_entry[] = {
	STR("code", 32, R_REQUIRED),
	TYPE("status", T_STATUS, R_REQUIRED),
	END,
};
static const struct rule service_elem = OBJECT("", service_entry, 0);

static const struct rule address[] = {
	TEXT("region", 200, R_NULL),   TEXT("hromada", 200, R_NULL), TEXT("settlement", 200, R_NULL),
	TEXT("postcode", 200, R_NULL), TEXT("street", 200, R_NULL),  TEXT("house", 200, R_NULL),
	TEXT("apartment", 200, R_NULL), TEXT("text", 200, R_NULL),   END,
};

static const struct rule document[] = {
	STR("type", 32, R_REQUIRED),
	STR("number", 64, R_REQUIRED),
	TYPE("issued", T_DATE, 0),
	END,
};
static const struct rule document_elem = OBJECT("", document, 0);

static const struct rule applicant[] = {
	TEXT("surname", 100, 0),
	TEXT("given_name", 100, 0),
	TEXT("patronymic", 100, 0),
	TYPE("birth_date", T_DATE, 0),
	TYPE("rnokpp", T_RNOKPP, R_NULL), /* null only with no_rnokpp */
	TYPE("no_rnokpp", T_BOOL, 0),	  /* refused on religious grounds */
	TYPE("phone", T_PHONE, R_NULL),
	OBJECT("address", address, 0),
	ARRAY("documents", 0, 20, &document_elem, 0),
	STR("mobility", 32, R_NULL),
	END,
};

static const struct rule case_upsert[] = {
	STR("number", 40, 0),
	STR("unit", 32, 0),
	STR("device", 32, 0),
	TYPE("trip", T_UUID, R_NULL),
	TEXT("operator", 100, 0),
	TYPE("created_at", T_DATETIME, 0),
	STR("channel", 32, 0),
	STR("package", 32, R_NULL),
	ARRAY("services", 1, 30, &service_elem, 0),
	OBJECT("applicant", applicant, 0),
	ARRAY("documents_presented", 0, 20, &text200, 0),
	TYPE("consent", T_BOOL, 0),
	INT("fee_uah", 0, 10000000, 0),
	TEXT("notes", 4000, 0),
	/* scrypt of the receipt's status code, salted with the number (lookup.h) */
	TYPE("status_check", T_LOOKUP, 0),
	/* the home-visit request this application was recorded from */
	TYPE("visit", T_UUID, R_NULL),
	/* the citizen agreed to status messages on the applicant's phone */
	TYPE("messages_consent", T_BOOL, 0),
	END,
};

static const struct rule case_transition[] = {
	TYPE("from", T_STATUS, R_REQUIRED),
	TYPE("to", T_STATUS, R_REQUIRED),
	TEXT("reason", 1000, 0),
	STR("service", 32, 0),
	END,
};

static const struct rule comment_append[] = {
	TYPE("case", T_UUID, R_REQUIRED),
	TEXT("text", 4000, R_REQUIRED),
	TEXT("author", 100, 0),
	END,
};

static const struct rule attachment_append[] = {
	TYPE("case", T_UUID, R_REQUIRED),
	TYPE("sha256", T_SHA256, R_REQUIRED),
	STR("media_type", 100, R_REQUIRED),
	INT("size", 0, 67108864, R_REQUIRED),
	TEXT("name", 255, 0),
	STR("kind", 32, 0),
	END,
};

static const struct rule rating_append[] = {
	TYPE("case", T_UUID, R_REQUIRED),
	INT("score", 1, 5, R_REQUIRED),
	TEXT("comment", 2000, 0),
	END,
};

static const struct rule payment_append[] = {
	TYPE("case", T_UUID, R_REQUIRED),
	INT("amount_kop", 1, 1000000000, R_REQUIRED), /* kopecks: no floating point */
	{"method", T_ENUM, R_REQUIRED, 0, 0, NULL, pay_methods},
	TEXT("receipt", 64, 0),
	TYPE("paid_at", T_DATETIME, R_REQUIRED),
	END,
};

static const struct rule visit_person[] = {
	TEXT("surname", 100, 0),
	TEXT("given_name", 100, 0),
	TEXT("patronymic", 100, 0),
	TYPE("phone", T_PHONE, R_NULL),
	OBJECT("address", address, 0),
	STR("mobility", 32, R_NULL),
	END,
};

/* hub → laptop only: the whole request as the hub keeps it */
static const struct rule visit_upsert[] = {
	STR("number", 40, 0),
	STR("unit", 32, 0),
	OBJECT("citizen", visit_person, 0),
	TEXT("reason", 1000, 0),
	ARRAY("services", 0, 30, &code32, 0),
	TYPE("preferred_date", T_DATE, R_NULL),
	TEXT("note", 2000, 0),
	{"state", T_ENUM, 0, 0, 0, NULL, visit_states},
	TEXT("state_reason", 1000, R_NULL),
	TYPE("scheduled_for", T_DATE, R_NULL),
	TYPE("requested_at", T_DATETIME, 0),
	TYPE("visited_at", T_DATETIME, R_NULL),
	END,
};

/* laptop → hub: a move of the visit's state (proto_visit_move_allowed) */
static const struct rule visit_transition[] = {
	{"from", T_ENUM, R_REQUIRED, 0, 0, NULL, visit_states},
	{"to", T_ENUM, R_REQUIRED, 0, 0, NULL, visit_states},
	TEXT("reason", 1000, 0),
	TYPE("scheduled_for", T_DATE, R_NULL),
	END,
};

static const struct rule service_upsert[] = {
	STR("code", 32, 0),
	STR("category", 32, 0),
	TEXT("title_uk", 500, 0),
	TEXT("title_en", 500, 0),
	INT("fee_uah", 0, 10000000, 0),
	ARRAY("required_documents", 0, 50, &text200, 0),
	ARRAY("members", 0, 50, &code32, 0),
	TYPE("active", T_BOOL, 0),
	END,
};

enum id_kind { ID_UUID, ID_CODE };

struct entity_op {
	const char *entity;
	const char *op;
	enum id_kind id;
	const struct rule *fields;
};

static const struct entity_op vocabulary[] = {
	{"trip", "upsert", ID_UUID, trip_upsert},
	{"case", "upsert", ID_UUID, case_upsert},
	{"case", "transition", ID_UUID, case_transition},
	{"comment", "append", ID_UUID, comment_append},
	{"attachment", "append", ID_UUID, attachment_append},
	{"rating", "append", ID_UUID, rating_append},
	{"payment", "append", ID_UUID, payment_append},
	{"visit", "upsert", ID_UUID, visit_upsert},
	{"visit", "transition", ID_UUID, visit_transition},
	{"service", "upsert", ID_CODE, service_upsert},
};

/* clang-format on */

#define NVOCAB (sizeof(vocabulary) / sizeof(vocabulary[0]))

/* ---- small helpers ----------------------------------------------------- */

/* copy for a message: printable ASCII only, at most 40 bytes */
static void shown(char *out, size_t outlen, const char *s)
{
	size_t k = 0, lim = outlen < 41 ? outlen : 41;

	for (; s && *s && k + 1 < lim; s++)
		out[k++] = (*s >= 0x20 && *s < 0x7f && *s != '\'') ? *s : '?';
	out[k] = '\0';
}

/* record the first reason only; always returns false (for `return q(...)`) */
static bool quarantine(struct proto_change *c, const char *code, const char *fmt, ...)
    MO_PRINTF(3, 4);

static bool quarantine(struct proto_change *c, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (c->qcode != NULL)
		return false;
	c->qcode = code;
	va_start(ap, fmt);
	vsnprintf(c->qmsg, sizeof(c->qmsg), fmt, ap);
	va_end(ap);
	return false;
}

static bool hex_lower(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* a code or identifier: no control characters, valid UTF-8, 1..max bytes */
static bool plain_string(const char *s, long long max)
{
	size_t n = strlen(s);

	if (n == 0 || (long long)n > max || !proto_utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

/* a service code used as an id: letters, digits, '-', '_', '.' */
static bool service_code(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= 'A' && ch <= 'Z') || ch == '-' || ch == '_' || ch == '.'))
			return false;
	}
	return true;
}

/* ---- the walk ---------------------------------------------------------- */

/*
 * The path of a member for messages ("applicant.address.street",
 * "services[2]"), truncated like snprintf.  Built for every value checked,
 * so by hand: snprintf was a tenth of the hub's CPU per application.
 */
static size_t path_put(char *out, size_t cap, size_t at, const char *s)
{
	while (*s && at + 1 < cap)
		out[at++] = *s++;
	out[at] = '\0';
	return at;
}

static void path_member(char *out, size_t cap, const char *path, const char *name)
{
	size_t at = path_put(out, cap, 0, path);

	if (*path)
		at = path_put(out, cap, at, ".");
	path_put(out, cap, at, name);
}

static void path_index(char *out, size_t cap, const char *path, long long i)
{
	char digits[24], *d = digits + sizeof(digits);
	size_t at = path_put(out, cap, 0, path);
	unsigned long long v = (unsigned long long)i;

	*--d = '\0';
	*--d = ']';
	do
		*--d = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	*--d = '[';
	path_put(out, cap, at, d);
}

static bool check_value(struct proto_change *c, cJSON *v, const struct rule *r, const char *path);

static bool check_object(struct proto_change *c, cJSON *obj, const struct rule *tab,
			 const char *path)
{
	cJSON *it;
	char sub[PATH_MAX_LEN], name[48];

	for (const struct rule *r = tab; r->name; r++)
		if ((r->flags & R_REQUIRED) && !cJSON_GetObjectItemCaseSensitive(obj, r->name))
			return quarantine(c, "missing_field", "missing field '%s%s%s'", path,
					  *path ? "." : "", r->name);
	for (it = obj->child; it; it = it->next) {
		const struct rule *r;

		for (r = tab; r->name && strcmp(r->name, it->string) != 0; r++)
			;
		shown(name, sizeof(name), it->string);
		path_member(sub, sizeof(sub), path, name);
		if (r->name == NULL)
			return quarantine(c, "unknown_field", "unknown field '%s' for %s %s", sub,
					  c->entity, c->op);
		if (!check_value(c, it, r, sub))
			return false;
	}
	/* the RNOKPP encodes the birth date: check them together when both
	 * travel in the same object */
	if (tab == applicant) {
		const char *rn = proto_json_str(obj, "rnokpp");
		const char *bd = proto_json_str(obj, "birth_date");
		struct mo_err e = MO_ERR_INIT;

		if (rn && bd && proto_rnokpp_check(rn, bd, &e) != MO_OK)
			return quarantine(c, "bad_value", "field '%s%srnokpp': %s", path,
					  *path ? "." : "", e.msg);
		/* an applicant without an RNOKPP must be marked as having refused it */
		if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(obj, "rnokpp")) &&
		    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, "no_rnokpp")))
			return quarantine(c, "bad_value",
					  "field '%s%srnokpp' is null but 'no_rnokpp' is not true",
					  path, *path ? "." : "");
		if (rn && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, "no_rnokpp")))
			return quarantine(c, "bad_value",
					  "field '%s%sno_rnokpp' is true but an RNOKPP is given",
					  path, *path ? "." : "");
	}
	return true;
}

static bool check_array(struct proto_change *c, cJSON *arr, const struct rule *r, const char *path)
{
	long long i = 0;
	cJSON *it;
	char sub[PATH_MAX_LEN];

	for (it = arr->child; it; it = it->next, i++) {
		if (i >= r->max)
			return quarantine(c, "bad_value", "field '%s' has more than %lld items",
					  path, r->max);
		path_index(sub, sizeof(sub), path, i);
		if (!check_value(c, it, r->sub, sub))
			return false;
	}
	if (i < r->min)
		return quarantine(c, "bad_value", "field '%s' needs at least %lld item(s)", path,
				  r->min);
	return true;
}

static bool check_string(struct proto_change *c, cJSON *v, const struct rule *r, const char *path)
{
	const char *s = v->valuestring;
	struct mo_err e = MO_ERR_INIT;
	char phone[PROTO_PHONE_LEN];

	switch (r->type) {
	case T_STR:
		if (!plain_string(s, r->max))
			return quarantine(c, "bad_value",
					  "field '%s' must be 1..%lld bytes without control "
					  "characters",
					  path, r->max);
		return true;
	case T_TEXT:
		if (proto_text_check(s, (size_t)r->max, path, &e) != MO_OK)
			return quarantine(c, "bad_value", "%s", e.msg);
		return true;
	case T_ENUM:
		for (const char *const *ch = r->choices; *ch; ch++)
			if (strcmp(*ch, s) == 0)
				return true;
		return quarantine(c, "bad_value", "field '%s' is not one of the allowed values",
				  path);
	case T_STATUS:
		if (proto_status_parse(s) == PROTO_ST_INVALID)
			return quarantine(c, "bad_value", "field '%s' is not a status name", path);
		return true;
	case T_DATE:
		if (!proto_date_valid(s))
			return quarantine(c, "bad_value", "field '%s' is not a date YYYY-MM-DD",
					  path);
		return true;
	case T_DATETIME:
		if (!proto_datetime_valid(s))
			return quarantine(c, "bad_value",
					  "field '%s' is not a UTC time YYYY-MM-DDTHH:MM:SSZ",
					  path);
		return true;
	case T_UUID:
		if (!proto_uuid_valid(s))
			return quarantine(c, "bad_value", "field '%s' is not a UUID", path);
		return true;
	case T_SHA256:
		if (!hex_lower(s, 64))
			return quarantine(c, "bad_value",
					  "field '%s' is not 64 lowercase hex digits", path);
		return true;
	case T_LOOKUP:
		if (!proto_lookup_check_valid(s))
			return quarantine(c, "bad_value",
					  "field '%s' is not scrypt$14$8$1$ and 64 lowercase hex "
					  "digits",
					  path);
		return true;
	case T_RNOKPP:
		if (proto_rnokpp_check(s, NULL, &e) != MO_OK)
			return quarantine(c, "bad_value", "field '%s': %s", path, e.msg);
		return true;
	case T_PHONE:
		if (proto_phone_normalize(phone, s, &e) != MO_OK)
			return quarantine(c, "bad_value", "field '%s': %s", path, e.msg);
		if (strcmp(phone, s) == 0)
			return true;
		if (cJSON_SetValuestring(v, phone) == NULL)
			return quarantine(c, "bad_value", "field '%s': out of memory", path);
		return true;
	default: return quarantine(c, "bad_value", "field '%s' must not be a string", path);
	}
}

static bool is_string_type(enum ftype t)
{
	return t == T_STR || t == T_TEXT || t == T_ENUM || t == T_STATUS || t == T_DATE ||
	       t == T_DATETIME || t == T_UUID || t == T_SHA256 || t == T_RNOKPP || t == T_PHONE ||
	       t == T_LOOKUP;
}

static bool check_value(struct proto_change *c, cJSON *v, const struct rule *r, const char *path)
{
	long long k;

	if (cJSON_IsNull(v)) {
		if (r->flags & R_NULL)
			return true;
		return quarantine(c, "bad_value", "field '%s' must not be null", path);
	}
	if (is_string_type(r->type)) {
		if (!cJSON_IsString(v))
			return quarantine(c, "bad_value", "field '%s' must be a string", path);
		return check_string(c, v, r, path);
	}
	switch (r->type) {
	case T_BOOL:
		if (!cJSON_IsBool(v))
			return quarantine(c, "bad_value", "field '%s' must be true or false", path);
		return true;
	case T_INT:
		if (!proto_json_is_integer(v, &k) || k < r->min || k > r->max)
			return quarantine(c, "bad_value",
					  "field '%s' must be an integer %lld..%lld", path, r->min,
					  r->max);
		return true;
	case T_ARRAY:
		if (!cJSON_IsArray(v))
			return quarantine(c, "bad_value", "field '%s' must be an array", path);
		return check_array(c, v, r, path);
	case T_OBJECT:
		if (!cJSON_IsObject(v))
			return quarantine(c, "bad_value", "field '%s' must be an object", path);
		return check_object(c, v, r->sub, path);
	default: return quarantine(c, "bad_value", "field '%s' has an unexpected type", path);
	}
}

bool proto_change_check(struct proto_change *c)
{
	const struct entity_op *eo = NULL;
	bool entity_known = false;
	char a[48];

	c->qcode = NULL;
	c->qmsg[0] = '\0';
	for (size_t i = 0; i < NVOCAB; i++) {
		if (strcmp(vocabulary[i].entity, c->entity) != 0)
			continue;
		entity_known = true;
		if (strcmp(vocabulary[i].op, c->op) == 0)
			eo = &vocabulary[i];
	}
	if (!entity_known) {
		shown(a, sizeof(a), c->entity);
		return quarantine(c, "unknown_entity", "unknown entity '%s'", a);
	}
	if (eo == NULL) {
		shown(a, sizeof(a), c->op);
		return quarantine(c, "unknown_op", "op '%s' is not allowed for entity %s", a,
				  c->entity);
	}
	if (c->id[0] == '\0')
		return quarantine(c, "missing_field", "missing field 'id'");
	if (eo->id == ID_UUID ? !proto_uuid_valid(c->id) : !service_code(c->id))
		return quarantine(c, "bad_value", "field 'id' is not a %s",
				  eo->id == ID_UUID ? "UUID" : "service code");
	if (c->hlc == 0)
		return quarantine(c, "bad_value", "field 'hlc' is zero");
	if (c->fields == NULL)
		return quarantine(c, "missing_field", "missing field 'fields'");
	if (!cJSON_IsObject(c->fields))
		return quarantine(c, "bad_value", "field 'fields' must be an object");
	if (!check_object(c, c->fields, eo->fields, ""))
		return false;
	if (eo->id == ID_CODE) {
		const char *code = proto_json_str(c->fields, "code");

		if (code != NULL && strcmp(code, c->id) != 0)
			return quarantine(c, "bad_value", "field 'code' differs from 'id'");
	}
	return true;
}

/* ---- decoding ---------------------------------------------------------- */

static const char *const change_keys[] = {"n", "entity", "id", "op", "hlc", "fields", NULL};

static bool is_change_key(const char *k)
{
	for (const char *const *p = change_keys; *p; p++)
		if (strcmp(*p, k) == 0)
			return true;
	return false;
}

/* a string member copied into dst; sets qcode (missing / bad / too long) */
static void take_string(struct proto_change *c, const cJSON *obj, const char *key, char *dst,
			size_t dstlen, const char *toolong_code)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	dst[0] = '\0';
	if (v == NULL) {
		quarantine(c, "missing_field", "missing field '%s'", key);
		return;
	}
	if (!cJSON_IsString(v)) {
		quarantine(c, "bad_value", "field '%s' must be a string", key);
		return;
	}
	if (strlen(v->valuestring) >= dstlen) {
		quarantine(c, toolong_code, "field '%s' is too long", key);
		return;
	}
	mo_strlcpy(dst, v->valuestring, dstlen);
}

/* one element of a changes array; MO_EINVAL only for what breaks the batch */
static int change_from_json(struct proto_change *c, cJSON *obj, size_t index, struct mo_err *err)
{
	const cJSON *it, *hv;
	cJSON *fields;
	char name[48];

	memset(c, 0, sizeof(*c));
	if (!cJSON_IsObject(obj))
		return mo_err_set(err, MO_EINVAL, "bad_payload", "change %zu is not an object",
				  index);
	if (!proto_json_int(obj, "n", &c->n) || c->n < 1 || c->n > PROTO_CHANGE_N_MAX)
		return mo_err_set(err, MO_EINVAL, "bad_payload",
				  "change %zu has no integer 'n' in 1..%lld", index,
				  (long long)PROTO_CHANGE_N_MAX);
	for (it = obj->child; it; it = it->next)
		if (!is_change_key(it->string)) {
			shown(name, sizeof(name), it->string);
			quarantine(c, "unknown_field", "unknown field '%s' in a change", name);
			break;
		}
	take_string(c, obj, "entity", c->entity, sizeof(c->entity), "unknown_entity");
	take_string(c, obj, "op", c->op, sizeof(c->op), "unknown_op");
	take_string(c, obj, "id", c->id, sizeof(c->id), "bad_value");
	hv = cJSON_GetObjectItemCaseSensitive(obj, "hlc");
	if (hv == NULL)
		quarantine(c, "missing_field", "missing field 'hlc'");
	else if (!cJSON_IsString(hv) || !proto_hlc_parse(&c->hlc, hv->valuestring))
		quarantine(c, "bad_value", "field 'hlc' is not 16 lowercase hex digits");
	/* the fields move from the parsed tree into the change */
	if ((fields = cJSON_GetObjectItemCaseSensitive(obj, "fields")) != NULL)
		c->fields = cJSON_DetachItemViaPointer(obj, fields);
	if (c->qcode == NULL)
		proto_change_check(c);
	else if (c->fields == NULL)
		quarantine(c, "missing_field", "missing field 'fields'");
	return MO_OK;
}

static void changes_free(struct proto_change *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(v[i].fields);
	free(v);
}

void proto_changes_release(struct proto_changes *c)
{
	if (c == NULL)
		return;
	changes_free(c->v, c->n);
	c->v = NULL;
	c->n = 0;
}

void proto_response_payload_release(struct proto_response_payload *p)
{
	if (p == NULL)
		return;
	free(p->quarantined);
	p->quarantined = NULL;
	p->nquarantined = 0;
	proto_changes_release(&p->changes);
}

/* a JSON array of changes; numbering checked when first > 0 */
static int decode_array(struct proto_changes *out, cJSON *arr, long long first, long long count,
			struct mo_err *err)
{
	struct proto_change *v = NULL;
	size_t n = 0, i = 0;
	cJSON *it;
	int rc = MO_OK;

	if (!cJSON_IsArray(arr))
		return mo_err_set(err, MO_EINVAL, "bad_payload", "changes are not a JSON array");
	for (it = arr->child; it; it = it->next)
		if (++n > CHANGES_MAX)
			return mo_err_set(err, MO_EINVAL, "bad_payload",
					  "more than %d changes in one payload", CHANGES_MAX);
	if (first > 0 && (long long)n != count)
		return mo_err_set(err, MO_EINVAL, "bad_payload",
				  "payload holds %zu changes, header says %lld", n, count);
	if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory for %zu changes", n);
	for (it = arr->child; it; it = it->next, i++) {
		if ((rc = change_from_json(&v[i], it, i, err)) != MO_OK)
			goto done;
		if (first > 0 && v[i].n != first + (long long)i) {
			rc = mo_err_set(err, MO_EINVAL, "bad_payload",
					"change %zu has n %lld, expected %lld", i, v[i].n,
					first + (long long)i);
			goto done;
		}
	}
	out->v = v;
	out->n = n;
	v = NULL; /* now owned by out */
done:
	if (v != NULL)
		changes_free(v, n); /* calloc'd: entries not reached hold NULL */
	return rc;
}

int proto_changes_range_check(long long first, long long last, long long count,
			      long long last_n, struct mo_err *err)
{
	if (count < 1 || first < 1 || first > PROTO_CHANGE_N_MAX)
		return mo_err_set(err, MO_EINVAL, "bad_envelope",
				  "an upload carries 1 or more changes numbered from 1");
	if (last != first + count - 1)
		return mo_err_set(err, MO_EINVAL, "bad_envelope",
				  "last %lld is not first %lld + count %lld - 1", last, first,
				  count);
	if (last_n >= 0 && first != last_n + 1) {
		mo_err_set(err, MO_EINVAL, "bad_payload",
			   "changes start at %lld, expected %lld (no gaps across batches)", first,
			   last_n + 1);
		if (err)
			err->expected = last_n + 1;
		return MO_EINVAL;
	}
	return MO_OK;
}

/* parse, turning every refusal into bad_payload (the whole batch is bad) */
static int parse_payload(cJSON **root, const char *json, size_t len, struct mo_err *err)
{
	struct mo_err e = MO_ERR_INIT;

	if (proto_json_parse(root, json, len, NULL, &e) != MO_OK)
		return mo_err_set(err, MO_EINVAL, "bad_payload", "payload: %s", e.msg);
	return MO_OK;
}

int proto_changes_decode(struct proto_changes *out, const char *json, size_t len,
			 long long expect_first, long long expect_count, struct mo_err *err)
{
	cJSON *root = NULL;
	int rc;

	out->v = NULL;
	out->n = 0;
	if ((rc = parse_payload(&root, json, len, err)) != MO_OK)
		return rc;
	rc = decode_array(out, root, expect_first, expect_count, err);
	cJSON_Delete(root);
	return rc;
}

/* copy at most dstlen-1 bytes without cutting a UTF-8 sequence */
static void copy_utf8(char *dst, size_t dstlen, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstlen) {
		n = dstlen - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool quarantine_code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(((struct proto_quarantine *)0)->code))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return false;
	return true;
}

static int quarantine_from_json(struct proto_quarantine *q, const cJSON *obj, size_t i,
				struct mo_err *err)
{
	const cJSON *it;
	const char *code, *msg;

	if (!cJSON_IsObject(obj))
		return mo_err_set(err, MO_EINVAL, "bad_payload",
				  "quarantined entry %zu is not an object", i);
	for (it = obj->child; it; it = it->next)
		if (strcmp(it->string, "n") && strcmp(it->string, "code") &&
		    strcmp(it->string, "message"))
			return mo_err_set(err, MO_EINVAL, "bad_payload",
					  "quarantined entry %zu has an unknown key", i);
	code = proto_json_str(obj, "code");
	msg = proto_json_str(obj, "message");
	if (!proto_json_int(obj, "n", &q->n) || q->n < 1 || q->n > PROTO_CHANGE_N_MAX ||
	    code == NULL || msg == NULL ||
	    !quarantine_code_ok(code))
		return mo_err_set(err, MO_EINVAL, "bad_payload",
				  "quarantined entry %zu needs n, code and message", i);
	mo_strlcpy(q->code, code, sizeof(q->code));
	copy_utf8(q->message, sizeof(q->message), msg);
	return MO_OK;
}

int proto_response_decode(struct proto_response_payload *out, const char *json, size_t len,
			  struct mo_err *err)
{
	cJSON *root = NULL, *qa, *ca, *it;
	size_t nq = 0, i = 0;
	int rc;

	*out = (struct proto_response_payload)PROTO_RESPONSE_PAYLOAD_INIT;
	if ((rc = parse_payload(&root, json, len, err)) != MO_OK)
		return rc;
	if (!cJSON_IsObject(root)) {
		rc = mo_err_set(err, MO_EINVAL, "bad_payload", "response payload is not an object");
		goto done;
	}
	for (it = root->child; it; it = it->next)
		if (strcmp(it->string, "quarantined") && strcmp(it->string, "changes")) {
			rc = mo_err_set(err, MO_EINVAL, "bad_payload",
					"response payload has an unknown key");
			goto done;
		}
	qa = cJSON_GetObjectItemCaseSensitive(root, "quarantined");
	ca = cJSON_GetObjectItemCaseSensitive(root, "changes");
	if (!cJSON_IsArray(qa) || !cJSON_IsArray(ca)) {
		rc = mo_err_set(err, MO_EINVAL, "bad_payload",
				"response payload needs arrays 'quarantined' and 'changes'");
		goto done;
	}
	for (it = qa->child; it; it = it->next)
		if (++nq > CHANGES_MAX) {
			rc = mo_err_set(err, MO_EINVAL, "bad_payload",
					"more than %d quarantined entries", CHANGES_MAX);
			goto done;
		}
	if (nq > 0 && (out->quarantined = calloc(nq, sizeof(*out->quarantined))) == NULL) {
		rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
		goto done;
	}
	for (it = qa->child; it; it = it->next, i++)
		if ((rc = quarantine_from_json(&out->quarantined[i], it, i, err)) != MO_OK)
			goto done;
	out->nquarantined = nq;
	rc = decode_array(&out->changes, ca, 0, 0, err);
done:
	cJSON_Delete(root);
	if (rc != MO_OK)
		proto_response_payload_release(out);
	return rc;
}

/* ---- encoding ---------------------------------------------------------- */

cJSON *proto_change_to_json(const struct proto_change *c)
{
	cJSON *o = cJSON_CreateObject(), *f = NULL;
	char hlc[17];

	if (o == NULL)
		return NULL;
	proto_hlc_format(hlc, c->hlc);
	if (!cJSON_AddNumberToObject(o, "n", (double)c->n) ||
	    !cJSON_AddStringToObject(o, "entity", c->entity) ||
	    !cJSON_AddStringToObject(o, "id", c->id) || !cJSON_AddStringToObject(o, "op", c->op) ||
	    !cJSON_AddStringToObject(o, "hlc", hlc))
		goto fail;
	/* a change without fields (quarantined as missing_field) stays without */
	if (c->fields != NULL) {
		if ((f = cJSON_Duplicate(c->fields, 1)) == NULL ||
		    !cJSON_AddItemToObject(o, "fields", f))
			goto fail;
	}
	return o;
fail:
	cJSON_Delete(f);
	cJSON_Delete(o);
	return NULL;
}

/* changes printed one by one, so a large batch never exists twice as a tree */
static int encode_changes(struct mo_buf *out, const struct proto_change *v, size_t n,
			  struct mo_err *err)
{
	int rc;

	if ((rc = mo_buf_addc(out, '[')) != MO_OK)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		cJSON *o = proto_change_to_json(&v[i]);

		if (o == NULL)
			return mo_err_set(err, MO_ENOMEM, NULL, "cannot encode change %zu", i);
		if (i > 0 && (rc = mo_buf_addc(out, ',')) != MO_OK) {
			cJSON_Delete(o);
			goto fail;
		}
		rc = proto_json_print(out, o, err);
		cJSON_Delete(o);
		if (rc != MO_OK)
			return rc;
	}
	if ((rc = mo_buf_addc(out, ']')) != MO_OK)
		goto fail;
	return MO_OK;
fail:
	return mo_err_set(err, rc, rc == MO_ETOOBIG ? "too_large" : NULL,
			  "changes do not fit the buffer (%s)", mo_strerror(rc));
}

int proto_changes_encode(struct mo_buf *out, const struct proto_change *v, size_t n,
			 struct mo_err *err)
{
	return encode_changes(out, v, n, err);
}

int proto_response_encode(struct mo_buf *out, const struct proto_quarantine *q, size_t nq,
			  const struct proto_change *changes, size_t nchanges, struct mo_err *err)
{
	cJSON *qa = cJSON_CreateArray();
	int rc;

	if (qa == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
	for (size_t i = 0; i < nq; i++) {
		cJSON *e = cJSON_CreateObject();

		if (e == NULL || !cJSON_AddItemToArray(qa, e) ||
		    !cJSON_AddNumberToObject(e, "n", (double)q[i].n) ||
		    !cJSON_AddStringToObject(e, "code", q[i].code) ||
		    !cJSON_AddStringToObject(e, "message", q[i].message)) {
			rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
			goto done;
		}
	}
	if ((rc = mo_buf_adds(out, "{\"quarantined\":")) != MO_OK)
		goto fail;
	if ((rc = proto_json_print(out, qa, err)) != MO_OK)
		goto done;
	if ((rc = mo_buf_adds(out, ",\"changes\":")) != MO_OK)
		goto fail;
	if ((rc = encode_changes(out, changes, nchanges, err)) != MO_OK)
		goto done;
	if ((rc = mo_buf_addc(out, '}')) != MO_OK)
		goto fail;
	goto done;
fail:
	rc = mo_err_set(err, rc, rc == MO_ETOOBIG ? "too_large" : NULL,
			"response does not fit the buffer (%s)", mo_strerror(rc));
done:
	cJSON_Delete(qa);
	return rc;
}
