/*
 * test_hub_visits.c — home-visit requests (hub/visits.h, store_visits.c)
 * against a real temporary hub: numbering per year, proto's rules on staff
 * input (nothing stored on a refusal), the feed reaching the visit's unit
 * only, the laptops' transitions through hub_apply_change (applied, or
 * quarantined with the right code and nothing changed), staff cancel and
 * assign, the list's filters (Ukrainian text in any case) and the report.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "apply.h"
#include "hub.h"
#include "json.h"
#include "status.h"
#include "visits.h"

struct fx {
	char dir[64];
	struct hub h;
	struct hub_device a, b, c; /* a, b in KR-T01; c in KR-C02 */
	char code[32];		   /* quarantine code of the last apply, "" when applied */
};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void add_device(struct fx *f, struct hub_device *d, char fill, const char *code,
		       const char *unit)
{
	struct mo_err err = MO_ERR_INIT;

	memset(d, 0, sizeof(*d));
	memset(d->id, fill, 32);
	mo_strlcpy(d->code, code, sizeof(d->code));
	mo_strlcpy(d->unit, unit, sizeof(d->unit));
	memset(d->pub, fill, sizeof(d->pub));
	d->active = true;
	assert_int_equal(hub_store_device_add(f->h.store, d, "host", "op", &err), MO_OK);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct hub_init_opts o = {NULL, NULL, NULL};
	struct hub_unit u1 = {"KR-T01", "Мобільний офіс №1", "truck", ""};
	struct hub_unit u2 = {"KR-C02", "Мобільний кейс №2", "case", ""};
	struct mo_err err = MO_ERR_INIT;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/mo-hub-visits-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	o.data = f->dir;
	assert_int_equal(hub_create(&o, &err), MO_OK);
	assert_int_equal(hub_open(&f->h, f->dir, &err), MO_OK);
	assert_int_equal(hub_store_unit_add(f->h.store, &u1, &err), MO_OK);
	assert_int_equal(hub_store_unit_add(f->h.store, &u2, &err), MO_OK);
	add_device(f, &f->a, 'a', "KR-T01A", "KR-T01");
	add_device(f, &f->b, 'b', "KR-T01B", "KR-T01");
	add_device(f, &f->c, 'c', "KR-C02A", "KR-C02");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	hub_close(&f->h);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

#define BODY(unit, phone, extra)                                                                        \
	"{\"unit\":\"" unit "\",\"citizen\":{\"surname\":\"Ґудзь\",\"given_name\":\"Олена\"," \
	"\"phone\":\"" phone "\",\"address\":\"Вишневе, вул. Шевченка 1\"}" extra "}"
/* the usual services and date */
#define MORE ",\"services\":[\"CIV-01\"],\"preferred_date\":\"2026-12-10\""

/* create a visit from JSON text; the rc, and the visit into *out (may be NULL) */
static int create(struct fx *f, const char *json, cJSON **out, struct mo_err *err)
{
	cJSON *in = cJSON_Parse(json), *v = NULL;
	int rc;

	assert_non_null(in);
	rc = hub_visit_create(&f->h, in, "olena", &v, err);
	cJSON_Delete(in);
	if (out)
		*out = v;
	else
		cJSON_Delete(v);
	return rc;
}

struct feed_count {
	int visits;
	char last_state[16];
	char last_unit[40];
};

static int count_row(void *arg, const struct hub_feed_row *row)
{
	struct feed_count *n = arg;
	cJSON *fj;

	if (strcmp(row->entity, "visit") != 0)
		return 0;
	n->visits++;
	fj = cJSON_ParseWithLength(row->fields, row->fields_len);
	assert_non_null(fj);
	mo_strlcpy(n->last_state, proto_json_str(fj, "state"), sizeof(n->last_state));
	mo_strlcpy(n->last_unit, proto_json_str(fj, "unit"), sizeof(n->last_unit));
	cJSON_Delete(fj);
	return 0;
}

/* the visit rows of the feed a device would pull after `after` */
static struct feed_count feed_for(struct fx *f, const struct hub_device *d, long long after)
{
	struct feed_count n;
	struct mo_err err = MO_ERR_INIT;

	memset(&n, 0, sizeof(n));
	assert_int_equal(
	    hub_store_feed_read(f->h.store, d->unit, d->id, after, 10000, count_row, &n, &err),
	    MO_OK);
	return n;
}

static long long feed_max(struct fx *f)
{
	struct mo_err err = MO_ERR_INIT;
	long long m = 0;

	assert_int_equal(hub_store_feed_max(f->h.store, &m, &err), MO_OK);
	return m;
}

/* a laptop's change through the batch apply, in its own transaction */
static const char *apply1(struct fx *f, const struct hub_device *d, const char *entity,
			  const char *id, const char *op, const char *fields)
{
	struct proto_change c;
	struct hub_apply a;
	struct proto_clock clk;
	struct mo_err err = MO_ERR_INIT;

	memset(&c, 0, sizeof(c));
	c.n = 1;
	mo_strlcpy(c.entity, entity, sizeof(c.entity));
	mo_strlcpy(c.id, id, sizeof(c.id));
	mo_strlcpy(c.op, op, sizeof(c.op));
	c.hlc = mo_now_ms() << 16;
	c.fields = cJSON_Parse(fields);
	assert_non_null(c.fields);
	(void)proto_change_check(&c); /* as sync.c decodes it */
	assert_int_equal(hub_store_begin(f->h.store, &err), MO_OK);
	assert_int_equal(hub_clock_load(&f->h, &clk, &err), MO_OK);
	hub_apply_init(&a, &f->h, d, 1, &clk);
	assert_int_equal(hub_apply_change(&a, &c, &err), MO_OK);
	assert_int_equal(hub_apply_finish(&a, &err), MO_OK);
	assert_int_equal(hub_clock_save(&f->h, &a.clock, &err), MO_OK);
	assert_int_equal(hub_store_commit(f->h.store, &err), MO_OK);
	mo_strlcpy(f->code, a.nq ? a.q[0].code : "", sizeof(f->code));
	hub_apply_release(&a);
	cJSON_Delete(c.fields);
	return f->code;
}

static const char *state_of(struct fx *f, const char *id)
{
	static char st[16];
	struct mo_err err = MO_ERR_INIT;
	cJSON *v = NULL;

	assert_int_equal(hub_visit_get(&f->h, id, &v, &err), MO_OK);
	mo_strlcpy(st, proto_json_str(v, "state"), sizeof(st));
	cJSON_Delete(v);
	return st;
}

static void t_create_numbers_and_feed(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	cJSON *v1 = NULL, *v2 = NULL;
	long long before = feed_max(f);
	char want[32];

	assert_int_equal(create(f, BODY("KR-T01", "(067) 123-45-67", MORE), &v1, &err), MO_OK);
	assert_int_equal(create(f, BODY("KR-T01", "0671234567", ""), &v2, &err), MO_OK);
	/* В-<Kyiv year>-000001, then 000002 */
	assert_int_equal(strncmp(proto_json_str(v1, "number"), "\xD0\x92-20", 5), 0);
	snprintf(want, sizeof(want), "%.8s000002", proto_json_str(v1, "number"));
	assert_string_equal(proto_json_str(v2, "number"), want);
	assert_string_equal(proto_json_str(v1, "state"), "requested");
	assert_string_equal(proto_json_str(cJSON_GetObjectItem(v1, "citizen"), "phone"),
			    "+380671234567");
	assert_string_equal(
	    proto_json_str(cJSON_GetObjectItem(cJSON_GetObjectItem(v1, "citizen"), "address"),
			   "text"),
	    "Вишневе, вул. Шевченка 1");
	assert_string_equal(proto_json_str(v1, "created_by"), "olena");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(v1, "days_to_visit")));
	/* the unit's laptops get both, the other unit's none */
	assert_int_equal(feed_for(f, &f->a, before).visits, 2);
	assert_int_equal(feed_for(f, &f->b, before).visits, 2);
	assert_int_equal(feed_for(f, &f->c, before).visits, 0);
	cJSON_Delete(v1);
	cJSON_Delete(v2);
}

static void t_refusals_store_nothing(void **state)
{
	static const struct {
		const char *json, *code;
		int rc;
	} bad[] = {
	    {BODY("NOPE", "0671234567", ""), "not_found", MO_ENOTFOUND},
	    {BODY("KR-T01", "12345", ""), "bad_value", MO_EINVAL},
	    {BODY("KR-T01", "0671234567", ",\"services\":[\"NOPE-1\"]"), NULL, MO_EINVAL},
	    {BODY("KR-T01", "0671234567", ",\"state\":\"visited\""), "unknown_field", MO_EINVAL},
	    {BODY("KR-T01", "0671234567", ",\"preferred_date\":\"2026-02-30\""), "bad_value",
	     MO_EINVAL},
	    {"{\"unit\":\"KR-T01\",\"citizen\":{\"surname\":\" \",\"given_name\":\"О\","
	     "\"phone\":\"0671234567\",\"address\":\"x\"}}",
	     "missing_field", MO_EINVAL},
	    {"{\"unit\":\"KR-T01\",\"citizen\":{\"surname\":\"К\",\"given_name\":\"О\","
	     "\"phone\":\"0671234567\",\"address\":{\"text\":\"\"}}}",
	     "missing_field", MO_EINVAL},
	    {"{\"unit\":\"KR-T01\"}", "missing_field", MO_EINVAL},
	    {"[1]", "bad_request", MO_EINVAL},
	};
	struct fx *f = *state;
	long long before = feed_max(f);
	cJSON *list = NULL;
	struct hub_visit_filter flt;
	struct mo_err err = MO_ERR_INIT;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mo_err_clear(&err);
		assert_int_equal(create(f, bad[i].json, NULL, &err), bad[i].rc);
		if (bad[i].code)
			assert_string_equal(err.code, bad[i].code);
	}
	/* a service named twice */
	mo_err_clear(&err);
	assert_int_equal(
	    create(f, BODY("KR-T01", "0671234567", ",\"services\":[\"CIV-01\",\"CIV-01\"]"), NULL,
		   &err),
	    MO_EINVAL);
	memset(&flt, 0, sizeof(flt));
	assert_int_equal(hub_visit_list(&f->h, &flt, &list, &err), MO_OK);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	cJSON_Delete(list);
	assert_int_equal(feed_max(f), before);
}

static void t_transitions(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	cJSON *v = NULL, *shown = NULL;
	char id[MO_UUID_LEN];
	long long mark;
	struct feed_count n;

	assert_int_equal(create(f, BODY("KR-T01", "0671234567", ""), &v, &err), MO_OK);
	mo_strlcpy(id, proto_json_str(v, "id"), sizeof(id));
	cJSON_Delete(v);
	mark = feed_max(f);
	/* another unit's laptop; a stale from; outside the machine; no reason; unknown */
	assert_string_equal(apply1(f, &f->c, "visit", id, "transition",
				   "{\"from\":\"requested\",\"to\":\"scheduled\"}"),
			    "forbidden");
	assert_string_equal(apply1(f, &f->a, "visit", id, "transition",
				   "{\"from\":\"scheduled\",\"to\":\"visited\"}"),
			    "illegal_transition");
	assert_string_equal(apply1(f, &f->a, "visit", id, "transition",
				   "{\"from\":\"requested\",\"to\":\"visited\"}"),
			    "illegal_transition");
	assert_string_equal(
	    apply1(f, &f->a, "visit", id, "transition",
		   "{\"from\":\"requested\",\"to\":\"cancelled\",\"reason\":\"  \"}"),
	    "missing_field");
	assert_string_equal(apply1(f, &f->a, "visit", "99999999-9999-4999-8999-999999999999",
				   "transition", "{\"from\":\"requested\",\"to\":\"scheduled\"}"),
			    "not_found");
	assert_string_equal(apply1(f, &f->a, "visit", id, "upsert", "{\"state\":\"visited\"}"),
			    "forbidden");
	assert_string_equal(state_of(f, id), "requested");
	assert_int_equal(feed_max(f), mark);
	/* the unit's own laptop: applied, and down to the other laptop only */
	assert_string_equal(apply1(f, &f->a, "visit", id, "transition",
				   "{\"from\":\"requested\",\"to\":\"scheduled\","
				   "\"scheduled_for\":\"2026-12-11\"}"),
			    "");
	assert_string_equal(state_of(f, id), "scheduled");
	n = feed_for(f, &f->b, mark);
	assert_int_equal(n.visits, 1);
	assert_string_equal(n.last_state, "scheduled");
	assert_int_equal(feed_for(f, &f->a, mark).visits, 0);
	assert_int_equal(feed_for(f, &f->c, mark).visits, 0);
	/* a new date keeps it scheduled; visited sets visited_at */
	assert_string_equal(apply1(f, &f->b, "visit", id, "transition",
				   "{\"from\":\"scheduled\",\"to\":\"scheduled\","
				   "\"scheduled_for\":\"2026-12-12\"}"),
			    "");
	assert_string_equal(apply1(f, &f->a, "visit", id, "transition",
				   "{\"from\":\"scheduled\",\"to\":\"visited\"}"),
			    "");
	assert_int_equal(hub_visit_get(&f->h, id, &shown, &err), MO_OK);
	assert_string_equal(proto_json_str(shown, "state"), "visited");
	assert_string_equal(proto_json_str(shown, "scheduled_for"), "2026-12-12");
	assert_non_null(proto_json_str(shown, "visited_at"));
	assert_true(strcmp(proto_json_str(shown, "visited_at"),
			   proto_json_str(shown, "requested_at")) >= 0);
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(shown, "days_to_visit")));
	cJSON_Delete(shown);
	/* final */
	assert_string_equal(apply1(f, &f->a, "visit", id, "transition",
				   "{\"from\":\"visited\",\"to\":\"cancelled\",\"reason\":\"x\"}"),
			    "illegal_transition");
	assert_int_equal(hub_visit_cancel(&f->h, id, "пізно", "olena", NULL, &err), MO_ECONFLICT);
	assert_string_equal(err.code, "illegal_transition");
}

static void t_case_names_visit(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	cJSON *v = NULL, *w = NULL, *shown = NULL;
	char fields[1024];

	assert_int_equal(create(f, BODY("KR-T01", "0671234567", ""), &v, &err), MO_OK);
	assert_int_equal(create(f, BODY("KR-C02", "0671234567", ""), &w, &err), MO_OK);
	snprintf(fields, sizeof(fields),
		 "{\"number\":\"KR-T01A-2026-000001\",\"unit\":\"KR-T01\",\"visit\":\"%s\","
		 "\"services\":[{\"code\":\"CIV-01\",\"status\":\"submitted\"}],"
		 "\"applicant\":{\"surname\":\"Ґудзь\"}}",
		 proto_json_str(w, "id"));
	assert_string_equal(
	    apply1(f, &f->a, "case", "11111111-1111-4111-8111-111111111111", "upsert", fields),
	    "forbidden");
	snprintf(fields, sizeof(fields),
		 "{\"number\":\"KR-T01A-2026-000002\",\"unit\":\"KR-T01\",\"visit\":\"%s\","
		 "\"services\":[{\"code\":\"CIV-01\",\"status\":\"submitted\"}],"
		 "\"applicant\":{\"surname\":\"Ґудзь\"}}",
		 proto_json_str(v, "id"));
	assert_string_equal(
	    apply1(f, &f->a, "case", "22222222-2222-4222-8222-222222222222", "upsert", fields), "");
	assert_int_equal(hub_visit_get(&f->h, proto_json_str(v, "number"), &shown, &err), MO_OK);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(shown, "cases")), 1);
	assert_string_equal(
	    proto_json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(shown, "cases"), 0), "number"),
	    "KR-T01A-2026-000002");
	cJSON_Delete(shown);
	cJSON_Delete(v);
	cJSON_Delete(w);
}

static void t_cancel_and_assign(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	cJSON *v = NULL, *out = NULL;
	char id[MO_UUID_LEN];
	long long mark;
	struct feed_count n;

	assert_int_equal(create(f, BODY("KR-T01", "0671234567", ""), &v, &err), MO_OK);
	mo_strlcpy(id, proto_json_str(v, "id"), sizeof(id));
	cJSON_Delete(v);
	mark = feed_max(f);
	assert_int_equal(hub_visit_assign(&f->h, id, "NOPE", "olena", NULL, &err), MO_ENOTFOUND);
	assert_int_equal(hub_visit_assign(&f->h, id, "KR-C02", "olena", &out, &err), MO_OK);
	assert_string_equal(proto_json_str(out, "unit"), "KR-C02");
	cJSON_Delete(out);
	n = feed_for(f, &f->c, mark);
	assert_int_equal(n.visits, 1);
	assert_string_equal(n.last_unit, "KR-C02");
	n = feed_for(f, &f->a, mark); /* the old unit hears it left */
	assert_int_equal(n.visits, 1);
	assert_string_equal(n.last_unit, "KR-C02");
	/* the old unit's laptops may no longer move it */
	assert_string_equal(apply1(f, &f->a, "visit", id, "transition",
				   "{\"from\":\"requested\",\"to\":\"scheduled\"}"),
			    "forbidden");
	mo_err_clear(&err);
	assert_int_equal(hub_visit_cancel(&f->h, id, "", "olena", NULL, &err), MO_EINVAL);
	assert_string_equal(err.code, "visit_reason");
	mark = feed_max(f);
	assert_int_equal(hub_visit_cancel(&f->h, id, "дублікат", "olena", &out, &err), MO_OK);
	assert_string_equal(proto_json_str(out, "state"), "cancelled");
	assert_string_equal(proto_json_str(out, "state_reason"), "дублікат");
	cJSON_Delete(out);
	n = feed_for(f, &f->c, mark);
	assert_int_equal(n.visits, 1);
	assert_string_equal(n.last_state, "cancelled");
	assert_int_equal(feed_for(f, &f->a, mark).visits, 0);
	mo_err_clear(&err);
	assert_int_equal(hub_visit_assign(&f->h, id, "KR-T01", "olena", NULL, &err), MO_ECONFLICT);
	assert_string_equal(err.code, "visit_not_requested");
}

static int list_n(struct fx *f, const char *unit, const char *st, const char *text)
{
	struct hub_visit_filter flt;
	struct mo_err err = MO_ERR_INIT;
	cJSON *list = NULL;
	int n;

	memset(&flt, 0, sizeof(flt));
	flt.unit = unit;
	flt.state = st;
	flt.text = text;
	assert_int_equal(hub_visit_list(&f->h, &flt, &list, &err), MO_OK);
	n = cJSON_GetArraySize(list);
	cJSON_Delete(list);
	return n;
}

static void t_list_filters(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	struct hub_visit_filter flt;
	cJSON *list = NULL;

	assert_int_equal(create(f, BODY("KR-T01", "0671234567", ""), NULL, &err), MO_OK);
	assert_int_equal(
	    create(f, BODY("KR-C02", "0671234567", ",\"note\":\"Собака у дворі\""), NULL, &err),
	    MO_OK);
	assert_int_equal(list_n(f, NULL, NULL, NULL), 2);
	assert_int_equal(list_n(f, "KR-C02", NULL, NULL), 1);
	assert_int_equal(list_n(f, NULL, "requested", NULL), 2);
	assert_int_equal(list_n(f, NULL, "visited", NULL), 0);
	assert_int_equal(list_n(f, NULL, NULL, "ҐУДЗЬ"), 2);		/* Ґ and У folded */
	assert_int_equal(list_n(f, NULL, NULL, "собака"), 1);		/* the note */
	assert_int_equal(list_n(f, NULL, NULL, "шевченка вишневе"), 2); /* every word */
	assert_int_equal(list_n(f, NULL, NULL, "шевченка київ"), 0);
	memset(&flt, 0, sizeof(flt));
	flt.state = "gone";
	assert_int_equal(hub_visit_list(&f->h, &flt, &list, &err), MO_EINVAL);
	flt.state = NULL;
	flt.from = "2026-1-1";
	assert_int_equal(hub_visit_list(&f->h, &flt, &list, &err), MO_EINVAL);
}

static void t_report(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	struct hub_case_filter cf;
	cJSON *v = NULL, *r = NULL, *it;
	char id[3][MO_UUID_LEN];

	for (int i = 0; i < 3; i++) {
		assert_int_equal(create(f,
					i < 2 ? BODY("KR-C02", "0671234567", "")
					      : BODY("KR-T01", "0671234567", ""),
					&v, &err),
				 MO_OK);
		mo_strlcpy(id[i], proto_json_str(v, "id"), sizeof(id[i]));
		cJSON_Delete(v);
	}
	/* one visited (KR-C02, a case unit), one cancelled, one still requested */
	assert_string_equal(apply1(f, &f->c, "visit", id[0], "transition",
				   "{\"from\":\"requested\",\"to\":\"scheduled\"}"),
			    "");
	assert_string_equal(apply1(f, &f->c, "visit", id[0], "transition",
				   "{\"from\":\"scheduled\",\"to\":\"visited\"}"),
			    "");
	assert_int_equal(hub_visit_cancel(&f->h, id[1], "помер", "olena", NULL, &err), MO_OK);
	memset(&cf, 0, sizeof(cf));
	assert_int_equal(hub_store_report(f->h.store, &cf, &r, &err), MO_OK);
	assert_int_equal(hub_store_visit_report(f->h.store, &cf, r, &err), MO_OK);
	it = cJSON_GetObjectItem(r, "visits");
	assert_int_equal(cJSON_GetObjectItem(it, "requested")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItem(it, "visited")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(it, "cancelled")->valueint, 1);
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(it, "avg_days_to_visit")));
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "per_unit_kind"))
	{
		int want = strcmp(proto_json_str(it, "kind"), "case") == 0 ? 1 : 0;

		assert_int_equal(cJSON_GetObjectItem(it, "home_visits")->valueint, want);
	}
	cJSON_Delete(r);
	/* a period before: nothing */
	cf.to = "2000-01-01";
	assert_int_equal(hub_store_report(f->h.store, &cf, &r, &err), MO_OK);
	assert_int_equal(hub_store_visit_report(f->h.store, &cf, r, &err), MO_OK);
	it = cJSON_GetObjectItem(r, "visits");
	assert_int_equal(cJSON_GetObjectItem(it, "requested")->valueint, 0);
	assert_int_equal(cJSON_GetObjectItem(it, "visited")->valueint, 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(it, "avg_days_to_visit")));
	cJSON_Delete(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(t_create_numbers_and_feed, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_refusals_store_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_transitions, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_case_names_visit, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_cancel_and_assign, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_list_filters, setup, teardown),
	    cmocka_unit_test_setup_teardown(t_report, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
