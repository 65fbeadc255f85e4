/*
 * test_status.c — the case state machine (status.h).  The truth table below
 * is written out from DESIGN.md §3 by hand, as text, so it does not share a
 * mistake with the table in status.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "status.h"

static const char *const all[] = {"draft",  "submitted", "received",   "in_review", "approved",
				  "issued", "rejected",	 "needs_info", "cancelled"};
#define NALL (sizeof(all) / sizeof(all[0]))

/* "from to actor": the only transitions allowed */
static const char *const allowed[] = {
    "draft submitted agent",	"needs_info submitted agent", "approved issued agent",
    "draft cancelled agent",	"submitted cancelled agent",  "needs_info cancelled agent",
    "submitted received hub",	"received in_review staff",   "received approved staff",
    "received rejected staff",	"received needs_info staff",  "in_review approved staff",
    "in_review rejected staff", "in_review needs_info staff",
};

static bool in_truth_table(const char *from, const char *to, const char *actor)
{
	char line[64];

	snprintf(line, sizeof(line), "%s %s %s", from, to, actor);
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (strcmp(allowed[i], line) == 0)
			return true;
	return false;
}

static void test_every_pair_every_actor(void **state)
{
	static const struct {
		int actor;
		const char *name;
	} actors[] = {
	    {PROTO_ACTOR_AGENT, "agent"}, {PROTO_ACTOR_HUB, "hub"}, {PROTO_ACTOR_STAFF, "staff"}};
	int yes = 0;

	(void)state;
	for (size_t f = 0; f < NALL; f++)
		for (size_t t = 0; t < NALL; t++)
			for (size_t a = 0; a < 3; a++) {
				int from = proto_status_parse(all[f]);
				int to = proto_status_parse(all[t]);
				bool want = in_truth_table(all[f], all[t], actors[a].name);

				if (proto_transition_allowed(from, to, actors[a].actor) != want)
					fail_msg("%s -> %s by %s: expected %s", all[f], all[t],
						 actors[a].name, want ? "allowed" : "refused");
				yes += want;
			}
	/* every line of the truth table was matched by a real pair */
	assert_int_equal(yes, (int)(sizeof(allowed) / sizeof(allowed[0])));
}

static void test_invalid_arguments(void **state)
{
	(void)state;
	assert_false(
	    proto_transition_allowed(PROTO_ST_INVALID, PROTO_ST_SUBMITTED, PROTO_ACTOR_AGENT));
	assert_false(proto_transition_allowed(PROTO_ST_DRAFT, PROTO_ST_COUNT, PROTO_ACTOR_AGENT));
	assert_false(proto_transition_allowed(PROTO_ST_DRAFT, PROTO_ST_SUBMITTED, 3));
	assert_false(proto_transition_allowed(PROTO_ST_DRAFT, PROTO_ST_SUBMITTED, -1));
}

static void test_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < NALL; i++) {
		int st = proto_status_parse(all[i]);

		assert_int_not_equal(st, PROTO_ST_INVALID);
		assert_string_equal(proto_status_name(st), all[i]);
	}
	assert_int_equal(proto_status_parse("Draft"), PROTO_ST_INVALID);
	assert_int_equal(proto_status_parse("draft "), PROTO_ST_INVALID);
	assert_int_equal(proto_status_parse(""), PROTO_ST_INVALID);
	assert_int_equal(proto_status_parse(NULL), PROTO_ST_INVALID);
	assert_int_equal(proto_status_parse("deleted"), PROTO_ST_INVALID);
	assert_string_equal(proto_status_name(PROTO_ST_INVALID), "?");
	assert_string_equal(proto_status_name(PROTO_ST_COUNT), "?");
	assert_int_equal(proto_status_parse("in_review"), PROTO_ST_IN_REVIEW);
}

static void test_final(void **state)
{
	(void)state;
	for (size_t i = 0; i < NALL; i++) {
		bool want = !strcmp(all[i], "issued") || !strcmp(all[i], "rejected") ||
			    !strcmp(all[i], "cancelled");

		assert_int_equal(proto_status_final(proto_status_parse(all[i])), want);
	}
}

static int of(const char *a, const char *b, const char *c)
{
	int v[3];
	size_t n = 0;

	if (a)
		v[n++] = proto_status_parse(a);
	if (b)
		v[n++] = proto_status_parse(b);
	if (c)
		v[n++] = proto_status_parse(c);
	return proto_status_of_case(v, n);
}

static void test_status_of_case(void **state)
{
	int bad[2] = {PROTO_ST_SUBMITTED, 42};

	(void)state;
	assert_int_equal(of("submitted", NULL, NULL), PROTO_ST_SUBMITTED);
	assert_int_equal(of("cancelled", "cancelled", NULL), PROTO_ST_CANCELLED);
	assert_int_equal(of("rejected", "cancelled", NULL), PROTO_ST_REJECTED);
	assert_int_equal(of("rejected", "rejected", "rejected"), PROTO_ST_REJECTED);
	/* one service still going wins over the finished-negative ones */
	assert_int_equal(of("rejected", "approved", "cancelled"), PROTO_ST_APPROVED);
	/* the least advanced one going */
	assert_int_equal(of("issued", "in_review", "approved"), PROTO_ST_IN_REVIEW);
	assert_int_equal(of("issued", "received", "submitted"), PROTO_ST_SUBMITTED);
	assert_int_equal(of("issued", "issued", "rejected"), PROTO_ST_ISSUED);
	/* needs_info first of all */
	assert_int_equal(of("submitted", "needs_info", "approved"), PROTO_ST_NEEDS_INFO);
	assert_int_equal(of("draft", "draft", NULL), PROTO_ST_DRAFT);
	assert_int_equal(proto_status_of_case(bad, 0), PROTO_ST_INVALID);
	assert_int_equal(proto_status_of_case(NULL, 0), PROTO_ST_INVALID);
	assert_int_equal(proto_status_of_case(bad, 2), PROTO_ST_INVALID);
}

static void test_visit_machine(void **state)
{
	int ok = 0;

	(void)state;
	for (int i = 0; i < PROTO_VISIT_COUNT; i++)
		assert_int_equal(proto_visit_state_parse(proto_visit_state_name(i)), i);
	assert_int_equal(proto_visit_state_parse("done"), PROTO_VISIT_INVALID);
	assert_int_equal(proto_visit_state_parse(NULL), PROTO_VISIT_INVALID);
	assert_string_equal(proto_visit_state_name(PROTO_VISIT_INVALID), "?");
	for (int f = 0; f < PROTO_VISIT_COUNT; f++)
		for (int t = 0; t < PROTO_VISIT_COUNT; t++)
			ok += proto_visit_move_allowed(f, t);
	assert_int_equal(ok, 5);
	assert_true(proto_visit_move_allowed(PROTO_VISIT_REQUESTED, PROTO_VISIT_SCHEDULED));
	assert_true(proto_visit_move_allowed(PROTO_VISIT_SCHEDULED, PROTO_VISIT_VISITED));
	assert_true(proto_visit_move_allowed(PROTO_VISIT_SCHEDULED, PROTO_VISIT_SCHEDULED));
	assert_false(proto_visit_move_allowed(PROTO_VISIT_REQUESTED, PROTO_VISIT_VISITED));
	assert_false(proto_visit_move_allowed(PROTO_VISIT_VISITED, PROTO_VISIT_CANCELLED));
	assert_false(proto_visit_move_allowed(PROTO_VISIT_CANCELLED, PROTO_VISIT_REQUESTED));
	assert_false(proto_visit_move_allowed(PROTO_VISIT_INVALID, PROTO_VISIT_SCHEDULED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_pair_every_actor),
	    cmocka_unit_test(test_invalid_arguments),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_final),
	    cmocka_unit_test(test_status_of_case),
	    cmocka_unit_test(test_visit_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
