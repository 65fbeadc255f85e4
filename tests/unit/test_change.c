/*
 * test_change.c — change records and payloads (change.h): the canonical
 * case upsert of TEAM.md round-trips byte for byte, each quarantine code
 * comes from a specific bad change, malformed batches are refused whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "change.h"
#include "json.h"
#include "mo_util.h"

#define CASE_ID "5d1c0f3a-8e2b-4c6d-9f7a-0b1c2d3e4f50"
#define TRIP_ID "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"
#define HLC "0199b2c3d4e50001"

/* TEAM.md's canonical case upsert, compact, keys in the agent's order */
static const char canonical[] =
    "[{\"n\":1,\"entity\":\"case\",\"id\":\"" CASE_ID "\",\"op\":\"upsert\",\"hlc\":\"" HLC
    "\",\"fields\":{"
    "\"number\":\"KR-T01A-2026-000001\",\"unit\":\"KR-T01\",\"device\":\"KR-T01A\","
    "\"trip\":\"" TRIP_ID "\",\"operator\":\"Олена Коваль\","
    "\"created_at\":\"2026-01-12T07:01:47.349Z\",\"channel\":\"mobile_office\","
    "\"package\":null,\"services\":[{\"code\":\"CIV-02\",\"status\":\"submitted\"}],"
    "\"applicant\":{\"surname\":\"Шевченко\",\"given_name\":\"Марія\","
    "\"patronymic\":\"Іванівна\",\"birth_date\":\"1953-07-23\",\"rnokpp\":\"1956229334\","
    "\"phone\":\"+380977363668\",\"address\":{\"region\":\"Кіровоградська обл.\","
    "\"hromada\":\"Кропивницька громада\",\"settlement\":\"Кропивницький\","
    "\"postcode\":\"23354\",\"street\":\"вул. Велика Перспективна\",\"house\":\"23\","
    "\"apartment\":null},\"documents\":[{\"type\":\"id_card\",\"number\":\"665157583\","
    "\"issued\":\"2016-06-05\"}],\"mobility\":null},"
    "\"documents_presented\":[\"РНОКПП\"],\"consent\":true,\"fee_uah\":345,"
    "\"notes\":\"Заявниця просить зателефонувати.\"}}]";

static int decode(struct proto_changes *out, const char *s, long long first, long long count,
		  struct mo_err *e)
{
	mo_err_clear(e);
	return proto_changes_decode(out, s, strlen(s), first, count, e);
}

static void test_canonical_round_trip(void **state)
{
	struct proto_changes c = PROTO_CHANGES_INIT;
	struct mo_buf b = MO_BUF_INIT(1 << 20);
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	assert_int_equal(decode(&c, canonical, 1, 1, &e), MO_OK);
	assert_int_equal(c.n, 1);
	if (c.v[0].qcode)
		fail_msg("canonical quarantined: %s %s", c.v[0].qcode, c.v[0].qmsg);
	assert_int_equal(c.v[0].n, 1);
	assert_string_equal(c.v[0].entity, "case");
	assert_string_equal(c.v[0].id, CASE_ID);
	assert_string_equal(c.v[0].op, "upsert");
	assert_true(c.v[0].hlc == 0x0199b2c3d4e50001ull);
	assert_string_equal(proto_json_str(c.v[0].fields, "number"), "KR-T01A-2026-000001");
	assert_int_equal(proto_changes_encode(&b, c.v, c.n, &e), MO_OK);
	assert_string_equal(mo_buf_cstr(&b), canonical);
	proto_changes_release(&c);
	assert_null(c.v);
	assert_int_equal(c.n, 0);
	mo_buf_release(&b);
}

/* one change {"n":1,"entity":E,"id":ID,"op":OP,"hlc":HLC,"fields":F} */
static void one(struct proto_changes *c, const char *entity, const char *id, const char *op,
		const char *fields)
{
	char buf[4096];
	struct mo_err e = MO_ERR_INIT;

	snprintf(buf, sizeof(buf),
		 "[{\"n\":1,\"entity\":\"%s\",\"id\":\"%s\",\"op\":\"%s\",\"hlc\":\"" HLC
		 "\",\"fields\":%s}]",
		 entity, id, op, fields);
	if (decode(c, buf, 1, 1, &e) != MO_OK)
		fail_msg("decode refused %s: %s", buf, e.msg);
	assert_int_equal(c->n, 1);
}

/* expect the change to be quarantined with `code` (NULL: accepted) */
static void expect(const char *code, const char *entity, const char *id, const char *op,
		   const char *fields)
{
	struct proto_changes c = PROTO_CHANGES_INIT;

	one(&c, entity, id, op, fields);
	if (code == NULL && c.v[0].qcode != NULL)
		fail_msg("%s %s %s quarantined: %s (%s)", entity, op, fields, c.v[0].qcode,
			 c.v[0].qmsg);
	if (code != NULL && (c.v[0].qcode == NULL || strcmp(c.v[0].qcode, code) != 0))
		fail_msg("%s %s %s: expected %s, got %s (%s)", entity, op, fields, code,
			 c.v[0].qcode ? c.v[0].qcode : "accepted", c.v[0].qmsg);
	if (code != NULL && c.v[0].qmsg[0] == '\0')
		fail_msg("no message for %s", code);
	proto_changes_release(&c);
}

static void test_valid_changes(void **state)
{
	(void)state;
	expect(NULL, "case", CASE_ID, "upsert", "{\"notes\":\"виправлено\"}");
	expect(NULL, "case", CASE_ID, "upsert", "{}");
	expect(NULL, "case", CASE_ID, "upsert",
	       "{\"status_check\":\"scrypt$14$8$1$296f12968c807fec46aa8e9c427b5d1a41a754f51629e09e"
	       "df4fe3b45d0f3e00\"}");
	expect(NULL, "case", CASE_ID, "upsert", "{\"applicant\":{\"surname\":\"Бойко\"}}");
	expect(NULL, "case", CASE_ID, "transition",
	       "{\"from\":\"received\",\"to\":\"approved\",\"reason\":\"ok\","
	       "\"service\":\"CIV-02\"}");
	expect(NULL, "comment", TRIP_ID, "append",
	       "{\"case\":\"" CASE_ID "\",\"text\":\"Дзвонили\",\"author\":\"Олена\"}");
	expect(NULL, "attachment", TRIP_ID, "append",
	       "{\"case\":\"" CASE_ID "\",\"sha256\":"
	       "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
	       "\"media_type\":\"image/jpeg\",\"size\":0,\"name\":\"scan.jpg\","
	       "\"kind\":\"passport\"}");
	expect(NULL, "rating", TRIP_ID, "append", "{\"case\":\"" CASE_ID "\",\"score\":5}");
	expect(NULL, "trip", TRIP_ID, "upsert",
	       "{\"unit\":\"KR-T01\",\"settlement\":\"Велика Виска\",\"kind\":\"village-stop\","
	       "\"started_at\":\"2026-01-12T07:00:00Z\",\"ended_at\":null,"
	       "\"crew\":[\"Олена Коваль\",\"Петро Мельник\"]}");
	expect(NULL, "service", "PKG-ID14", "upsert",
	       "{\"code\":\"PKG-ID14\",\"category\":\"passport\",\"title_uk\":\"ID-14\","
	       "\"title_en\":\"ID-14\",\"fee_uah\":345,\"required_documents\":[\"паспорт\"],"
	       "\"members\":[\"PAS-01\",\"TAX-01\"],\"active\":true}");
}

/* issue 15: home-visit requests, payments, the two new case fields */
static void test_visit_and_payment_vocabulary(void **state)
{
	(void)state;
	expect(NULL, "case", CASE_ID, "upsert",
	       "{\"visit\":\"" TRIP_ID "\",\"messages_consent\":true}");
	expect(NULL, "case", CASE_ID, "upsert", "{\"visit\":null}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"visit\":\"V-1\"}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"messages_consent\":1}");
	expect(NULL, "visit", TRIP_ID, "upsert",
	       "{\"number\":\"В-2026-000001\",\"unit\":\"KR-T01\",\"citizen\":{"
	       "\"surname\":\"Гнатюк\",\"given_name\":\"Ганна\",\"phone\":\"0671234567\","
	       "\"address\":{\"text\":\"с. Велика Виска, вул. Садова, 3\"},\"mobility\":"
	       "\"bedridden\"},\"reason\":\"не ходить\",\"services\":[\"SOC-01\"],"
	       "\"preferred_date\":\"2026-12-10\",\"state\":\"requested\","
	       "\"state_reason\":null,\"scheduled_for\":null,"
	       "\"requested_at\":\"2026-12-02T08:00:00Z\",\"visited_at\":null}");
	expect("bad_value", "visit", TRIP_ID, "upsert", "{\"state\":\"done\"}");
	expect("bad_value", "visit", TRIP_ID, "upsert", "{\"preferred_date\":\"10.12.2026\"}");
	expect("unknown_field", "visit", TRIP_ID, "upsert", "{\"citizen\":{\"rnokpp\":\"1\"}}");
	expect(NULL, "visit", TRIP_ID, "transition",
	       "{\"from\":\"requested\",\"to\":\"scheduled\",\"scheduled_for\":\"2026-12-10\"}");
	expect("missing_field", "visit", TRIP_ID, "transition", "{\"to\":\"visited\"}");
	expect("bad_value", "visit", TRIP_ID, "transition",
	       "{\"from\":\"requested\",\"to\":\"received\"}");
	expect(NULL, "payment", TRIP_ID, "append",
	       "{\"case\":\"" CASE_ID "\",\"amount_kop\":34500,\"method\":\"cash\","
	       "\"receipt\":\"К-17\",\"paid_at\":\"2026-12-02T09:15:00Z\"}");
	expect("missing_field", "payment", TRIP_ID, "append",
	       "{\"case\":\"" CASE_ID "\",\"method\":\"cash\",\"paid_at\":\"2026-12-02T09:15:00Z\"}");
	expect("bad_value", "payment", TRIP_ID, "append",
	       "{\"case\":\"" CASE_ID "\",\"amount_kop\":0,\"method\":\"cash\","
	       "\"paid_at\":\"2026-12-02T09:15:00Z\"}");
	expect("bad_value", "payment", TRIP_ID, "append",
	       "{\"case\":\"" CASE_ID "\",\"amount_kop\":345.5,\"method\":\"cash\","
	       "\"paid_at\":\"2026-12-02T09:15:00Z\"}");
	expect("bad_value", "payment", TRIP_ID, "append",
	       "{\"case\":\"" CASE_ID "\",\"amount_kop\":100,\"method\":\"barter\","
	       "\"paid_at\":\"2026-12-02T09:15:00Z\"}");
	expect("unknown_op", "payment", TRIP_ID, "upsert", "{\"case\":\"" CASE_ID "\"}");
}

static void test_quarantine_codes(void **state)
{
	(void)state;
	expect("unknown_entity", "invoice", CASE_ID, "upsert", "{}");
	expect("unknown_entity", "Case", CASE_ID, "upsert", "{}");
	expect("unknown_op", "case", CASE_ID, "delete", "{}");
	expect("unknown_op", "comment", CASE_ID, "upsert", "{\"case\":\"" CASE_ID "\"}");
	expect("unknown_op", "case", CASE_ID, "append", "{}");
	/* status moves only by transition */
	expect("unknown_field", "case", CASE_ID, "upsert", "{\"status\":\"approved\"}");
	expect("unknown_field", "case", CASE_ID, "upsert", "{\"applicant\":{\"nickname\":\"x\"}}");
	expect("unknown_field", "case", CASE_ID, "upsert",
	       "{\"applicant\":{\"address\":{\"country\":\"UA\"}}}");
	expect("unknown_field", "rating", CASE_ID, "append",
	       "{\"case\":\"" CASE_ID "\",\"score\":5,\"stars\":5}");
	expect("missing_field", "comment", CASE_ID, "append", "{\"case\":\"" CASE_ID "\"}");
	expect("missing_field", "case", CASE_ID, "transition", "{\"to\":\"cancelled\"}");
	expect("missing_field", "attachment", CASE_ID, "append",
	       "{\"case\":\"" CASE_ID "\",\"media_type\":\"image/png\",\"size\":1}");
	expect("missing_field", "case", CASE_ID, "upsert",
	       "{\"services\":[{\"code\":\"CIV-02\"}]}");
	/* a status name that does not exist; the machine itself is the hub's */
	expect("bad_value", "case", CASE_ID, "transition",
	       "{\"from\":\"submitted\",\"to\":\"deleted\"}");
	expect(NULL, "case", CASE_ID, "transition", "{\"from\":\"issued\",\"to\":\"draft\"}");
	expect("bad_value", "case", "not-a-uuid", "upsert", "{}");
	expect("bad_value", "service", "bad code!", "upsert", "{}");
	expect("bad_value", "case", CASE_ID, "upsert",
	       "{\"applicant\":{\"rnokpp\":\"1956229335\"}}");
	expect("bad_value", "case", CASE_ID, "upsert",
	       "{\"applicant\":{\"rnokpp\":\"1956229334\",\"birth_date\":\"1953-07-24\"}}");
	expect("bad_value", "case", CASE_ID, "upsert",
	       "{\"applicant\":{\"birth_date\":\"2023-02-29\"}}");
	/* an applicant who refused an RNOKPP: null only with no_rnokpp, never both */
	expect(NULL, "case", CASE_ID, "upsert",
	       "{\"applicant\":{\"rnokpp\":null,\"no_rnokpp\":true}}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"applicant\":{\"rnokpp\":null}}");
	expect("bad_value", "case", CASE_ID, "upsert",
	       "{\"applicant\":{\"rnokpp\":\"1956229334\",\"no_rnokpp\":true}}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"applicant\":{\"no_rnokpp\":1}}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"applicant\":{\"phone\":\"12345\"}}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"fee_uah\":1.5}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"fee_uah\":10000001}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"fee_uah\":\"345\"}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"consent\":\"yes\"}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"services\":[]}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"notes\":null}");
	/* the code itself, or a fast hash of it, is not a status_check */
	expect("bad_value", "case", CASE_ID, "upsert", "{\"status_check\":\"7KQ2-M9XD-4F\"}");
	expect("bad_value", "case", CASE_ID, "upsert",
	       "{\"status_check\":"
	       "\"296f12968c807fec46aa8e9c427b5d1a41a754f51629e09edf4fe3b45d0f3e00\"}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"trip\":\"nope\"}");
	expect("bad_value", "case", CASE_ID, "upsert",
	       "{\"services\":[{\"code\":\"CIV-02\",\"status\":\"done\"}]}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"created_at\":\"2026-01-12\"}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"unit\":\"\"}");
	expect("bad_value", "case", CASE_ID, "upsert", "{\"notes\":\"a\\u0007b\"}");
	expect("bad_value", "rating", CASE_ID, "append", "{\"case\":\"" CASE_ID "\",\"score\":6}");
	expect("bad_value", "attachment", CASE_ID, "append",
	       "{\"case\":\"" CASE_ID "\",\"sha256\":\"E3B0\",\"media_type\":\"x\",\"size\":1}");
	expect("bad_value", "trip", TRIP_ID, "upsert", "{\"kind\":\"picnic\"}");
	expect("bad_value", "case", CASE_ID, "upsert", "1");
}

static void test_bad_value_caps(void **state)
{
	char fields[600], crew[2048];
	size_t k = 0;

	(void)state;
	/* unit is a string of at most 32 bytes */
	snprintf(fields, sizeof(fields), "{\"unit\":\"%032d\"}", 0);
	expect(NULL, "case", CASE_ID, "upsert", fields);
	snprintf(fields, sizeof(fields), "{\"unit\":\"%033d\"}", 0);
	expect("bad_value", "case", CASE_ID, "upsert", fields);
	/* crew: at most 20 names */
	k += (size_t)snprintf(crew + k, sizeof(crew) - k, "{\"crew\":[");
	for (int i = 0; i < 21; i++)
		k += (size_t)snprintf(crew + k, sizeof(crew) - k, "%s\"n%d\"", i ? "," : "", i);
	snprintf(crew + k, sizeof(crew) - k, "]}");
	expect("bad_value", "trip", TRIP_ID, "upsert", crew);
}

static void test_structural_quarantine(void **state)
{
	struct proto_changes c = PROTO_CHANGES_INIT;
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	/* no fields: kept, quarantined, and it encodes without a fields key */
	assert_int_equal(decode(&c,
				"[{\"n\":7,\"entity\":\"case\",\"id\":\"" CASE_ID
				"\",\"op\":\"upsert\",\"hlc\":\"" HLC "\"}]",
				7, 1, &e),
			 MO_OK);
	assert_string_equal(c.v[0].qcode, "missing_field");
	assert_non_null(strstr(c.v[0].qmsg, "fields"));
	proto_changes_release(&c);

	assert_int_equal(decode(&c,
				"[{\"n\":1,\"entity\":\"case\",\"id\":\"" CASE_ID
				"\",\"op\":\"upsert\",\"hlc\":\"0199B2C3D4E50001\",\"fields\":{}}]",
				0, 0, &e),
			 MO_OK);
	assert_string_equal(c.v[0].qcode, "bad_value");
	assert_non_null(strstr(c.v[0].qmsg, "hlc"));
	proto_changes_release(&c);

	assert_int_equal(decode(&c,
				"[{\"n\":1,\"entity\":\"case\",\"id\":\"" CASE_ID
				"\",\"op\":\"upsert\",\"hlc\":\"" HLC
				"\",\"fields\":{},\"extra\":1}]",
				0, 0, &e),
			 MO_OK);
	assert_string_equal(c.v[0].qcode, "unknown_field");
	proto_changes_release(&c);

	assert_int_equal(decode(&c, "[{\"n\":3,\"entity\":5}]", 0, 0, &e), MO_OK);
	assert_int_equal(c.v[0].n, 3);
	assert_string_equal(c.v[0].qcode, "bad_value");
	proto_changes_release(&c);

	assert_int_equal(decode(&c,
				"[{\"n\":1,\"entity\":\"a-very-long-entity-name\",\"id\":\"x\","
				"\"op\":\"upsert\",\"hlc\":\"" HLC "\",\"fields\":{}}]",
				0, 0, &e),
			 MO_OK);
	assert_string_equal(c.v[0].qcode, "unknown_entity");
	proto_changes_release(&c);
}

/* the messages name the exact member: paths built by hand (path_member,
 * path_index) read as they did with snprintf */
static void test_quarantine_message_paths(void **state)
{
	struct proto_changes c = PROTO_CHANGES_INIT;

	(void)state;
	one(&c, "case", "3f2b8c1e-7a4d-4e5f-9a6b-0c1d2e3f4a5b", "upsert",
	    "{\"applicant\":{\"address\":{\"street\":\"\\u0001\"}}}");
	assert_string_equal(c.v[0].qcode, "bad_value");
	assert_non_null(strstr(c.v[0].qmsg, "'applicant.address.street'"));
	proto_changes_release(&c);
	one(&c, "case", "3f2b8c1e-7a4d-4e5f-9a6b-0c1d2e3f4a5b", "upsert",
	    "{\"applicant\":{\"documents\":[{\"type\":\"passport\",\"number\":\"AB1\"},"
	    "{\"type\":\"passport\",\"number\":\"AB2\",\"issued\":\"2020-13-01\"}]}}");
	assert_string_equal(c.v[0].qcode, "bad_value");
	assert_non_null(strstr(c.v[0].qmsg, "'applicant.documents[1].issued'"));
	proto_changes_release(&c);
	one(&c, "case", "3f2b8c1e-7a4d-4e5f-9a6b-0c1d2e3f4a5b", "upsert", "{\"appl'x\":1}");
	assert_string_equal(c.v[0].qcode, "unknown_field");
	assert_non_null(strstr(c.v[0].qmsg, "'appl?x'"));
	proto_changes_release(&c);
}

static void test_phone_normalised_in_place(void **state)
{
	struct proto_changes c = PROTO_CHANGES_INIT;
	const cJSON *app;

	(void)state;
	one(&c, "case", CASE_ID, "upsert",
	    "{\"applicant\":{\"surname\":\"Бойко\",\"phone\":\"(097) "
	    "736-36-68\",\"mobility\":null}}");
	assert_null(c.v[0].qcode);
	app = cJSON_GetObjectItemCaseSensitive(c.v[0].fields, "applicant");
	assert_string_equal(proto_json_str(app, "phone"), "+380977363668");
	/* the key keeps its place */
	assert_string_equal(app->child->next->string, "phone");
	proto_changes_release(&c);
}

/* DESIGN §4: 1, 2, 3 ... without gaps across a device's batches */
static void test_change_numbers_across_batches(void **state)
{
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	assert_int_equal(proto_changes_range_check(1, 3, 3, 0, &e), MO_OK);
	assert_int_equal(proto_changes_range_check(4, 4, 1, 3, &e), MO_OK);
	assert_int_equal(proto_changes_range_check(7, 9, 3, -1, &e), MO_OK); /* not known yet */
	assert_int_equal(proto_changes_range_check(1, 0, 0, 0, &e), MO_EINVAL); /* no changes */
	assert_string_equal(e.code, "bad_envelope");
	assert_int_equal(proto_changes_range_check(1, 5, 3, 0, &e), MO_EINVAL); /* last lies */
	assert_string_equal(e.code, "bad_envelope");
	assert_int_equal(proto_changes_range_check(0, 0, 1, -1, &e), MO_EINVAL);
	assert_int_equal(proto_changes_range_check(6, 6, 1, 3, &e), MO_EINVAL); /* a gap */
	assert_string_equal(e.code, "bad_payload");
	assert_int_equal(e.expected, 4);
	assert_int_equal(proto_changes_range_check(3, 4, 2, 3, &e), MO_EINVAL); /* an overlap */
	assert_string_equal(e.code, "bad_payload");
}

static void test_check_directly(void **state)
{
	struct proto_change ch;

	(void)state;
	memset(&ch, 0, sizeof(ch));
	ch.n = 1;
	mo_strlcpy(ch.entity, "rating", sizeof(ch.entity));
	mo_strlcpy(ch.op, "append", sizeof(ch.op));
	mo_strlcpy(ch.id, TRIP_ID, sizeof(ch.id));
	ch.hlc = 1;
	ch.fields = cJSON_Parse("{\"case\":\"" CASE_ID "\",\"score\":3}");
	assert_non_null(ch.fields);
	assert_true(proto_change_check(&ch));
	assert_null(ch.qcode);
	cJSON_ReplaceItemInObjectCaseSensitive(ch.fields, "score", cJSON_CreateNumber(0));
	assert_false(proto_change_check(&ch));
	assert_string_equal(ch.qcode, "bad_value");
	assert_non_null(strstr(ch.qmsg, "score"));
	ch.hlc = 0;
	cJSON_ReplaceItemInObjectCaseSensitive(ch.fields, "score", cJSON_CreateNumber(2));
	assert_false(proto_change_check(&ch));
	cJSON_Delete(ch.fields);
}

static void expect_bad_payload(const char *s, long long first, long long count)
{
	struct proto_changes c = PROTO_CHANGES_INIT;
	struct mo_err e = MO_ERR_INIT;

	if (decode(&c, s, first, count, &e) != MO_EINVAL)
		fail_msg("accepted as a batch: %s", s);
	assert_string_equal(e.code, "bad_payload");
	assert_null(c.v);
	assert_int_equal(c.n, 0);
}

static void test_bad_payload(void **state)
{
	(void)state;
	expect_bad_payload("{}", 0, 0);
	expect_bad_payload("\"x\"", 0, 0);
	expect_bad_payload("[1]", 0, 0);
	expect_bad_payload("[[]]", 0, 0);
	expect_bad_payload("[{\"entity\":\"case\"}]", 0, 0);
	expect_bad_payload("[{\"n\":0}]", 0, 0);
	expect_bad_payload("[{\"n\":\"1\"}]", 0, 0);
	expect_bad_payload("[{\"n\":1.5}]", 0, 0);
	expect_bad_payload("[{\"n\":1},{\"n\":3}]", 1, 2); /* gap */
	expect_bad_payload("[{\"n\":2},{\"n\":3}]", 1, 2); /* wrong start */
	expect_bad_payload("[{\"n\":1},{\"n\":1}]", 1, 2); /* repeat */
	expect_bad_payload("[{\"n\":1},{\"n\":2}]", 1, 3); /* count mismatch */
	expect_bad_payload("[{\"n\":1},{\"n\":2}]", 1, 1);
	expect_bad_payload("[{\"n\":1},{\"n\":2},7]", 0, 0); /* bad element after good ones */
	expect_bad_payload("[{\"n\":1,\"n\":2}]", 0, 0);     /* duplicate key */
	expect_bad_payload("not json", 0, 0);
	expect_bad_payload("", 0, 0);
}

static char *n_changes(size_t count)
{
	struct mo_buf b = MO_BUF_INIT(64u << 20);

	assert_int_equal(mo_buf_addc(&b, '['), MO_OK);
	for (size_t i = 1; i <= count; i++)
		assert_int_equal(mo_buf_addf(&b, "%s{\"n\":%zu}", i > 1 ? "," : "", i), MO_OK);
	assert_int_equal(mo_buf_addc(&b, ']'), MO_OK);
	return (char *)mo_buf_detach(&b, NULL);
}

static void test_change_count_cap(void **state)
{
	struct proto_changes c = PROTO_CHANGES_INIT;
	struct mo_err e = MO_ERR_INIT;
	char *s;

	(void)state;
	s = n_changes(50000);
	assert_int_equal(decode(&c, s, 1, 50000, &e), MO_OK);
	assert_int_equal(c.n, 50000);
	assert_true(c.v[49999].n == 50000);
	assert_string_equal(c.v[49999].qcode, "missing_field");
	proto_changes_release(&c);
	free(s);
	s = n_changes(50001);
	expect_bad_payload(s, 1, 50001);
	expect_bad_payload(s, 0, 0);
	free(s);
}

static void test_response_round_trip(void **state)
{
	struct proto_quarantine q[2] = {{4, "unknown_field",
					 "unknown field 'status' for case "
					 "upsert"},
					{9, "bad_value", "поле 'fee_uah'"}};
	struct proto_changes c = PROTO_CHANGES_INIT;
	struct proto_response_payload r = PROTO_RESPONSE_PAYLOAD_INIT;
	struct mo_buf b = MO_BUF_INIT(1 << 20), b2 = MO_BUF_INIT(1 << 20);
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	assert_int_equal(decode(&c, canonical, 0, 0, &e), MO_OK);
	c.v[0].n = 1234; /* a feed seq downstream */
	assert_int_equal(proto_response_encode(&b, q, 2, c.v, c.n, &e), MO_OK);
	assert_non_null(strstr(mo_buf_cstr(&b), "{\"quarantined\":[{\"n\":4,\"code\":"
						"\"unknown_field\",\"message\":"));
	assert_non_null(strstr(mo_buf_cstr(&b), ",\"changes\":[{\"n\":1234,\"entity\":\"case\""));
	assert_int_equal(proto_response_decode(&r, (const char *)b.data, b.len, &e), MO_OK);
	assert_int_equal(r.nquarantined, 2);
	assert_true(r.quarantined[0].n == 4);
	assert_string_equal(r.quarantined[0].code, "unknown_field");
	assert_string_equal(r.quarantined[0].message, q[0].message);
	assert_string_equal(r.quarantined[1].message, q[1].message);
	assert_int_equal(r.changes.n, 1);
	assert_null(r.changes.v[0].qcode);
	assert_true(r.changes.v[0].n == 1234);
	/* and encoding the decoded response gives the same bytes */
	assert_int_equal(
	    proto_response_encode(&b2, r.quarantined, r.nquarantined, r.changes.v, r.changes.n, &e),
	    MO_OK);
	assert_string_equal(mo_buf_cstr(&b2), mo_buf_cstr(&b));
	proto_response_payload_release(&r);
	assert_null(r.quarantined);
	proto_changes_release(&c);
	mo_buf_release(&b);
	mo_buf_release(&b2);

	/* empty response */
	assert_int_equal(proto_response_encode(&b, NULL, 0, NULL, 0, &e), MO_OK);
	assert_string_equal(mo_buf_cstr(&b), "{\"quarantined\":[],\"changes\":[]}");
	mo_buf_release(&b);
}

static int decode_response(const char *s, struct proto_response_payload *r, struct mo_err *e)
{
	mo_err_clear(e);
	return proto_response_decode(r, s, strlen(s), e);
}

static void test_response_strict(void **state)
{
	static const char *const bad[] = {
	    "[]",
	    "{}",
	    "{\"quarantined\":[]}",
	    "{\"changes\":[]}",
	    "{\"quarantined\":{},\"changes\":[]}",
	    "{\"quarantined\":[],\"changes\":[],\"more\":true}",
	    "{\"quarantined\":[{\"n\":1,\"code\":\"bad_value\"}],\"changes\":[]}",
	    "{\"quarantined\":[{\"n\":1,\"message\":\"m\"}],\"changes\":[]}",
	    "{\"quarantined\":[{\"code\":\"bad_value\",\"message\":\"m\"}],\"changes\":[]}",
	    "{\"quarantined\":[{\"n\":1,\"code\":\"bad_value\",\"message\":\"m\",\"x\":1}],"
	    "\"changes\":[]}",
	    "{\"quarantined\":[{\"n\":1,\"code\":\"Bad Value\",\"message\":\"m\"}],"
	    "\"changes\":[]}",
	    "{\"quarantined\":[1],\"changes\":[]}",
	    "{\"quarantined\":[],\"changes\":[{\"entity\":\"case\"}]}",
	    NULL,
	};
	struct proto_response_payload r = PROTO_RESPONSE_PAYLOAD_INIT;
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	for (int i = 0; bad[i]; i++) {
		if (decode_response(bad[i], &r, &e) != MO_EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_string_equal(e.code, "bad_payload");
		assert_null(r.quarantined);
		assert_null(r.changes.v);
	}
	/* a bad downstream change is kept with its reason */
	assert_int_equal(decode_response("{\"quarantined\":[],\"changes\":[{\"n\":5,\"entity\":"
					 "\"case\",\"id\":\"" CASE_ID
					 "\",\"op\":\"upsert\",\"hlc\":\"" HLC
					 "\",\"fields\":{\"bogus\":1}}]}",
					 &r, &e),
			 MO_OK);
	assert_int_equal(r.changes.n, 1);
	assert_string_equal(r.changes.v[0].qcode, "unknown_field");
	proto_response_payload_release(&r);
}

static void test_response_message_truncation(void **state)
{
	struct proto_response_payload r = PROTO_RESPONSE_PAYLOAD_INIT;
	struct mo_buf b = MO_BUF_INIT(1 << 16);
	struct mo_err e = MO_ERR_INIT;

	(void)state;
	assert_int_equal(mo_buf_adds(&b, "{\"quarantined\":[{\"n\":1,\"code\":\"bad_value\","
					 "\"message\":\""),
			 MO_OK);
	for (int i = 0; i < 200; i++)
		assert_int_equal(mo_buf_adds(&b, "ї"), MO_OK); /* 2 bytes each */
	assert_int_equal(mo_buf_adds(&b, "\"}],\"changes\":[]}"), MO_OK);
	assert_int_equal(proto_response_decode(&r, (const char *)b.data, b.len, &e), MO_OK);
	/* cut on a character boundary: 79 whole characters */
	assert_int_equal(strlen(r.quarantined[0].message), 158);
	proto_response_payload_release(&r);
	mo_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_canonical_round_trip),
	    cmocka_unit_test(test_valid_changes),
	    cmocka_unit_test(test_visit_and_payment_vocabulary),
	    cmocka_unit_test(test_quarantine_codes),
	    cmocka_unit_test(test_bad_value_caps),
	    cmocka_unit_test(test_structural_quarantine),
	    cmocka_unit_test(test_quarantine_message_paths),
	    cmocka_unit_test(test_phone_normalised_in_place),
	    cmocka_unit_test(test_change_numbers_across_batches),
	    cmocka_unit_test(test_check_directly),
	    cmocka_unit_test(test_bad_payload),
	    cmocka_unit_test(test_change_count_cap),
	    cmocka_unit_test(test_response_round_trip),
	    cmocka_unit_test(test_response_strict),
	    cmocka_unit_test(test_response_message_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
