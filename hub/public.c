/* public.c — the citizen's status lookup by receipt (public.h). */
#include "public.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "json.h"
#include "lookup.h"
#include "mo_util.h"
#include "status.h"
#include "validate.h"
#include "words.h"

void hub_public_limit_init(struct hub_public_limit *l)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
}

void hub_public_limit_release(struct hub_public_limit *l)
{
	pthread_mutex_destroy(&l->lock);
}

/* count one lookup of address; 0 when allowed, else seconds to wait */
static long long limit_take(struct hub_public_limit *l, const char *address, uint64_t now)
{
	size_t pick = 0;
	long long wait = 0;
	bool found = false;

	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < HUB_PUBLIC_SLOTS; i++) {
		if (l->slot[i].addr[0] && strcmp(l->slot[i].addr, address) == 0) {
			pick = i;
			found = true;
			break;
		}
		/* else the free slot, or the one whose window began first */
		if (l->slot[pick].addr[0] &&
		    (!l->slot[i].addr[0] || l->slot[i].start_ms < l->slot[pick].start_ms))
			pick = i;
	}
	if (!found || now - l->slot[pick].start_ms >= HUB_PUBLIC_WINDOW_MS ||
	    now < l->slot[pick].start_ms) {
		mo_strlcpy(l->slot[pick].addr, address, sizeof(l->slot[pick].addr));
		l->slot[pick].start_ms = now;
		l->slot[pick].n = 0;
	}
	if (l->slot[pick].n >= HUB_PUBLIC_PER_WINDOW)
		wait =
		    (long long)((l->slot[pick].start_ms + HUB_PUBLIC_WINDOW_MS - now + 999) / 1000);
	else
		l->slot[pick].n++;
	pthread_mutex_unlock(&l->lock);
	return wait;
}

/* the status in plain words for a citizen (words.c) */
static const char *status_words(int st, bool en)
{
	const char *w =
	    hub_word(en ? HUB_LANG_EN : HUB_LANG_UK, HUB_W_CITIZEN_STATUS, proto_status_name(st));

	return w ? w : en ? "Unknown" : "Невідомо";
}

/* "Ш. Т. Г.": the first letter (one UTF-8 character) of each name given */
static void initials(char *out, size_t outlen, const cJSON *app)
{
	static const char *const keys[] = {"surname", "given_name", "patronymic"};
	size_t o = 0;

	out[0] = '\0';
	for (size_t k = 0; k < 3; k++) {
		const unsigned char *s = (const unsigned char *)proto_json_str(app, keys[k]);
		size_t n = 1;

		if (s == NULL || *s == '\0')
			continue;
		if (*s >= 0xf0)
			n = 4;
		else if (*s >= 0xe0)
			n = 3;
		else if (*s >= 0xc0)
			n = 2;
		for (size_t i = 1; i < n; i++)
			if ((s[i] & 0xc0) != 0x80)
				n = 0; /* broken UTF-8: leave this name out */
		if (n == 0 || o + n + 3 > outlen)
			continue;
		if (o)
			out[o++] = ' ';
		memcpy(out + o, s, n);
		o += n;
		out[o++] = '.';
		out[o] = '\0';
	}
}

static const char *service_title(const cJSON *catalogue, const char *code, bool en)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, catalogue) /* rows of hub_store_service_list: {"fields": {...}} */
	{
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, "fields");
		const char *c = proto_json_str(f, "code");
		const char *t = proto_json_str(f, en ? "title_en" : "title_uk");

		if (c && strcmp(c, code) == 0)
			return t && *t ? t : proto_json_str(f, "title_uk");
	}
	return NULL;
}

/* the answer for a case whose code matched */
static int answer(struct hub *h, const struct hub_case *hc, const cJSON *doc, bool en, cJSON **out,
		  struct mo_err *err)
{
	struct hub_case_service *sv = NULL;
	cJSON *o = NULL, *arr, *catalogue = NULL;
	char updated[32], date[17], ini[64];
	int64_t ms;
	size_t n = 0;
	int rc;

	if ((rc = hub_store_case_updated_at(h->store, hc->id, updated, err)) != MO_OK ||
	    (rc = hub_store_case_services(h->store, hc->id, &sv, &n, err)) != MO_OK ||
	    (rc = hub_store_service_list(h->store, &catalogue, err)) != MO_OK)
		goto done;
	if ((o = cJSON_CreateObject()) == NULL)
		goto oom;
	initials(ini, sizeof(ini), cJSON_GetObjectItemCaseSensitive(doc, "applicant"));
	ms = proto_datetime_ms(updated);
	date[0] = '\0';
	if (ms >= 0)
		proto_time_kyiv(ms, date);
	date[10] = '\0'; /* dd.mm.yyyy of "dd.mm.yyyy hh:mm" */
	if (!cJSON_AddStringToObject(o, "number", hc->number) ||
	    !cJSON_AddStringToObject(o, "status", hc->status) ||
	    !cJSON_AddStringToObject(o, "status_text",
				     status_words(proto_status_parse(hc->status), en)) ||
	    !cJSON_AddStringToObject(o, "updated", date) ||
	    !cJSON_AddStringToObject(o, "applicant", ini) ||
	    (arr = cJSON_AddArrayToObject(o, "services")) == NULL)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateObject();
		const char *title = service_title(catalogue, sv[i].code, en);

		if (s == NULL || !cJSON_AddItemToArray(arr, s) ||
		    !cJSON_AddStringToObject(s, "code", sv[i].code) ||
		    !cJSON_AddStringToObject(s, "title", title ? title : sv[i].code) ||
		    !cJSON_AddStringToObject(s, "status", proto_status_name(sv[i].status)) ||
		    !cJSON_AddStringToObject(s, "status_text", status_words(sv[i].status, en)))
			goto oom;
	}
	*out = o;
	o = NULL;
	goto done;
oom:
	rc = mo_err_set(err, MO_ENOMEM, NULL, "out of memory");
done:
	cJSON_Delete(o);
	cJSON_Delete(catalogue);
	free(sv);
	return rc;
}

int hub_public_status(struct hub *h, const char *number, const char *code, const char *address,
		      bool en, cJSON **out, long long *retry_after, struct mo_err *err)
{
	struct mo_buf doc = MO_BUF_INIT(16u << 20);
	struct hub_case hc;
	cJSON *dj = NULL;
	const char *check = NULL;
	bool known = false, match;
	int rc;

	*out = NULL;
	*retry_after =
	    limit_take(&h->public_limit, address && *address ? address : "unknown", mo_now_ms());
	if (*retry_after > 0) {
		hub_metrics_status_lookup(&h->metrics, HUB_LOOKUP_LIMITED);
		return mo_err_set(err, MO_EBUSY, "rate_limited",
				  "Забагато запитів; спробуйте знову за %lld с. "
				  "(Too many lookups; try again in %lld s.)",
				  *retry_after, *retry_after);
	}
	/* a number that is no case's, or a case made before status codes (no
	 * check): the same dummy scrypt below as a wrong code */
	if (number && *number && strlen(number) < HUB_NUMBER_MAX) {
		rc = hub_store_case_get(h->store, number, true, &hc, &doc, err);
		if (rc != MO_OK && rc != MO_ENOTFOUND)
			goto done;
		mo_err_clear(err);
		known = rc == MO_OK && strcmp(hc.number, number) == 0; /* not by id */
		if (known && (dj = cJSON_ParseWithLength((const char *)doc.data, doc.len)))
			check = proto_json_str(dj, "status_check");
	}
	pthread_mutex_lock(&h->public_limit.lock);
	if (h->public_limit.checking >= HUB_PUBLIC_CHECKS) {
		pthread_mutex_unlock(&h->public_limit.lock);
		*retry_after = 1;
		hub_metrics_status_lookup(&h->metrics, HUB_LOOKUP_LIMITED);
		rc = mo_err_set(err, MO_EBUSY, "busy",
				"Центр зараз зайнятий; спробуйте за секунду. "
				"(The hub is busy; try again in a second.)");
		goto done;
	}
	h->public_limit.checking++;
	pthread_mutex_unlock(&h->public_limit.lock);
	match = proto_lookup_check_verify(known ? check : NULL, known ? hc.number : NULL, code);
	pthread_mutex_lock(&h->public_limit.lock);
	h->public_limit.checking--;
	pthread_mutex_unlock(&h->public_limit.lock);
	{
		struct mo_err cerr = MO_ERR_INIT; /* a count that fails does not fail the answer */

		if (hub_store_lookup_count(h->store, &cerr) != MO_OK)
			fprintf(stderr, "mo-hub: status lookup not counted: %s\n", cerr.msg);
	}
	if (!match) {
		hub_metrics_status_lookup(&h->metrics, HUB_LOOKUP_NOT_FOUND);
		rc = mo_err_set(err, MO_ENOTFOUND, "not_found",
				"Заяву з таким номером і кодом не знайдено. "
				"(No application with this number and code.)");
		goto done;
	}
	if ((rc = answer(h, &hc, dj, en, out, err)) == MO_OK)
		hub_metrics_status_lookup(&h->metrics, HUB_LOOKUP_FOUND);
done:
	cJSON_Delete(dj);
	mo_buf_release(&doc);
	return rc;
}
