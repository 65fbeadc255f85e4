/*
 * hub.c — creating and opening a hub data directory (hub.h), the seed
 * catalogue, and the persisted hub clock.
 */
#include "hub.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "embedded.h"
#include "json.h"
#include "mo_util.h"
#include "validate.h"

static int path_join(char *out, size_t outlen, const char *dir, const char *name,
		     struct mo_err *err)
{
	if ((size_t)snprintf(out, outlen, "%s/%s", dir, name) >= outlen)
		return mo_err_set(err, MO_EINVAL, NULL, "path '%s/%s' is too long", dir, name);
	return MO_OK;
}

static int make_dir(const char *path, struct mo_err *err)
{
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return mo_err_set(err, MO_EIO, NULL, "cannot create directory '%s': %s", path,
				  strerror(errno));
	return MO_OK;
}

/* the DB URL given at init is remembered in DIR/db.url */
static int db_url_read(const char *data, char *out, size_t outlen, struct mo_err *err)
{
	char path[HUB_PATH_MAX];
	int rc;

	out[0] = '\0';
	if ((rc = path_join(path, sizeof(path), data, "db.url", err)) != MO_OK)
		return rc;
	if (access(path, F_OK) != 0)
		return MO_OK;
	return mo_file_first_line(out, outlen, path, err);
}

/* one catalogue entry as a `service` upsert: the fields of the vocabulary */
static cJSON *service_fields(const cJSON *src, bool package)
{
	static const char *const keep[] = {"code",     "category", "title_uk",
					   "title_en", "fee_uah",  "required_documents"};
	cJSON *f = cJSON_CreateObject();

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, keep[i]);

		if (v)
			cJSON_AddItemToObject(f, keep[i], cJSON_Duplicate(v, true));
	}
	if (package) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(src, "services");

		if (!cJSON_HasObjectItem(f, "category"))
			cJSON_AddStringToObject(f, "category", "package");
		if (m)
			cJSON_AddItemToObject(f, "members", cJSON_Duplicate(m, true));
	}
	cJSON_AddBoolToObject(f, "active", true);
	return f;
}

/* load the embedded catalogue into services and the feed (unit NULL) */
static int seed_catalogue(struct hub *h, struct proto_clock *clk, struct mo_err *err)
{
	cJSON *root = NULL;
	int rc = MO_OK;

	if (proto_catalogue_count < 1)
		return mo_err_set(err, MO_ENOTFOUND, NULL, "no seed catalogue compiled in");
	if ((rc = proto_json_parse(&root, (const char *)proto_catalogue[0].data,
				   proto_catalogue[0].len, NULL, err)) != MO_OK)
		return rc;
	for (int pass = 0; pass < 2 && rc == MO_OK; pass++) {
		const cJSON *list =
		    cJSON_GetObjectItemCaseSensitive(root, pass ? "packages" : "services");
		const cJSON *it;

		cJSON_ArrayForEach(it, list)
		{
			const char *code = proto_json_str(it, "code");
			cJSON *f = code ? service_fields(it, pass == 1) : NULL;
			char *text = f ? cJSON_PrintUnformatted(f) : NULL;
			uint64_t hlc = proto_hlc_now(clk, mo_now_ms());

			if (text == NULL)
				rc = mo_err_set(err, MO_ECORRUPT, NULL, "bad catalogue entry");
			if (rc == MO_OK)
				rc = hub_store_service_put(h->store, code, text, hlc, err);
			if (rc == MO_OK)
				rc = hub_store_feed_add(h->store, NULL, NULL, "service", code,
							"upsert", hlc, text, err);
			free(text);
			cJSON_Delete(f);
			if (rc != MO_OK)
				break;
		}
	}
	cJSON_Delete(root);
	return rc;
}

int hub_create(const struct hub_init_opts *opts, struct mo_err *err)
{
	struct hub h;
	struct proto_clock clk = {0};
	char path[HUB_PATH_MAX], created[32];
	EVP_PKEY *key = NULL;
	bool in_tx = false;
	int rc;

	memset(&h, 0, sizeof(h));
	if ((rc = make_dir(opts->data, err)) != MO_OK)
		return rc;
	if ((rc = path_join(path, sizeof(path), opts->data, "hub.key", err)) != MO_OK)
		return rc;
	if (access(path, F_OK) == 0)
		return mo_err_set(err, MO_EEXISTS, NULL, "a hub already exists in '%s'",
				  opts->data);
	if ((rc = path_join(path, sizeof(path), opts->data, "hub.db", err)) != MO_OK)
		return rc;
	if (access(path, F_OK) == 0)
		return mo_err_set(err, MO_EEXISTS, NULL, "a hub database already exists in '%s'",
				  opts->data);
	if (opts->db_url && *opts->db_url) {
		FILE *f;

		if ((rc = path_join(path, sizeof(path), opts->data, "db.url", err)) != MO_OK)
			return rc;
		if ((f = fopen(path, "wx")) == NULL)
			return mo_err_set(err, MO_EEXISTS, NULL, "cannot create '%s': %s", path,
					  strerror(errno));
		fprintf(f, "%s\n", opts->db_url);
		if (fclose(f) != 0)
			return mo_err_set(err, MO_EIO, NULL, "cannot write '%s'", path);
	}
	if ((rc = path_join(path, sizeof(path), opts->data, "blobs", err)) != MO_OK ||
	    (rc = make_dir(path, err)) != MO_OK ||
	    (rc = path_join(path, sizeof(path), opts->data, "blobs/partial", err)) != MO_OK ||
	    (rc = make_dir(path, err)) != MO_OK)
		return rc;

	if ((rc = proto_key_generate(&key, err)) != MO_OK)
		goto done;
	if ((rc = path_join(path, sizeof(path), opts->data, "hub.key", err)) != MO_OK ||
	    (rc = proto_key_save(key, path, err)) != MO_OK)
		goto done;
	if ((rc = proto_key_public_raw(h.pub, key, err)) != MO_OK)
		goto done;
	proto_key_id(h.id, h.pub);
	if ((rc = hub_store_open(&h.store, opts->data, opts->db_url, true, err)) != MO_OK)
		goto done;
	if ((rc = hub_store_begin(h.store, err)) != MO_OK)
		goto done;
	in_tx = true;
	mo_iso8601(created, sizeof(created), mo_now_ms(), false);
	if ((rc = hub_store_meta_set(h.store, "hub_id", h.id, err)) != MO_OK ||
	    (rc = hub_store_meta_set(h.store, "created_at", created, err)) != MO_OK ||
	    (rc = seed_catalogue(&h, &clk, err)) != MO_OK ||
	    (rc = hub_clock_save(&h, &clk, err)) != MO_OK)
		goto done;
	if (opts->admin_password &&
	    (rc = hub_user_add(&h, "admin", "admin", opts->admin_password, err)) != MO_OK)
		goto done;
	in_tx = false;
	rc = hub_store_commit(h.store, err);
done:
	if (in_tx)
		hub_store_rollback(h.store);
	hub_store_close(h.store);
	EVP_PKEY_free(key);
	return rc;
}

int hub_open(struct hub *h, const char *data, struct mo_err *err)
{
	char path[HUB_PATH_MAX], url[1024], stored[PROTO_ID_LEN + 8];
	int rc;

	memset(h, 0, sizeof(*h));
	h->session_idle_ms = HUB_SESSION_IDLE_MS;
	hub_metrics_init(&h->metrics);
	hub_public_limit_init(&h->public_limit);
	pthread_mutex_init(&h->blob_lock, NULL);
	pthread_mutex_init(&h->wq_lock, NULL);
	pthread_cond_init(&h->wq_cond, NULL);
	h->blob_lock_ready = true;
	if (mo_strlcpy(h->data, data, sizeof(h->data)) >= sizeof(h->data)) {
		rc = mo_err_set(err, MO_EINVAL, NULL, "data directory path is too long");
		goto done;
	}
	if ((rc = path_join(path, sizeof(path), data, "hub.key", err)) != MO_OK)
		goto done;
	if (access(path, F_OK) != 0) {
		rc = mo_err_set(err, MO_ENOTFOUND, "no_hub",
				"no hub in '%s' (run 'mo-hub init --data %s' first)", data, data);
		goto done;
	}
	if ((rc = proto_key_load(&h->key, path, err)) != MO_OK ||
	    (rc = proto_key_public_raw(h->pub, h->key, err)) != MO_OK)
		goto done;
	proto_key_id(h->id, h->pub);
	if ((rc = db_url_read(data, url, sizeof(url), err)) != MO_OK)
		goto done;
	if ((rc = hub_store_open(&h->store, data, url[0] ? url : NULL, false, err)) != MO_OK)
		goto done;
	if ((rc = hub_store_meta_get(h->store, "hub_id", stored, sizeof(stored), err)) != MO_OK)
		goto done;
	if (strcmp(stored, h->id) != 0)
		rc = mo_err_set(err, MO_ECORRUPT, NULL,
				"hub key and database of '%s' do not belong together", data);
done:
	if (rc != MO_OK)
		hub_close(h);
	return rc;
}

void hub_close(struct hub *h)
{
	hub_store_close(h->store);
	h->store = NULL;
	EVP_PKEY_free(h->key);
	h->key = NULL;
	if (h->blob_lock_ready) {
		pthread_mutex_destroy(&h->blob_lock);
		pthread_mutex_destroy(&h->wq_lock);
		pthread_cond_destroy(&h->wq_cond);
		hub_metrics_release(&h->metrics);
		hub_public_limit_release(&h->public_limit);
		h->blob_lock_ready = false;
	}
}

int hub_clock_load(struct hub *h, struct proto_clock *c, struct mo_err *err)
{
	return hub_store_hlc_get(h->store, &c->last, err);
}

int hub_clock_save(struct hub *h, const struct proto_clock *c, struct mo_err *err)
{
	return hub_store_hlc_set(h->store, c->last, err);
}

/* ---- units ---- */

static bool valid_code(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 28)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

int hub_unit_add(struct hub *h, const char *code, const char *name, const char *kind,
		 const char *phone, struct mo_err *err)
{
	static const char *const kinds[] = {"office", "case", "truck", "bus"};
	struct hub_unit u;
	bool kind_ok = false;

	if (code == NULL || !valid_code(code))
		return mo_err_set(err, MO_EINVAL, "bad_request",
				  "unit code '%s' must be 1-28 of A-Z, 0-9 and '-'",
				  code ? code : "");
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		kind_ok |= kind && strcmp(kind, kinds[i]) == 0;
	if (!kind_ok)
		return mo_err_set(err, MO_EINVAL, "bad_request",
				  "unit kind '%s' is not one of office, case, truck, bus",
				  kind ? kind : "");
	if (name == NULL || *name == '\0' || strlen(name) >= sizeof(u.name) ||
	    !proto_utf8_valid(name, strlen(name)))
		return mo_err_set(err, MO_EINVAL, "bad_request",
				  "unit name is missing, too long or not UTF-8");
	mo_strlcpy(u.code, code, sizeof(u.code));
	mo_strlcpy(u.name, name, sizeof(u.name));
	mo_strlcpy(u.kind, kind, sizeof(u.kind));
	u.phone[0] = '\0';
	if (phone && *phone) {
		struct mo_err e = MO_ERR_INIT;
		char norm[PROTO_PHONE_LEN];

		if (proto_phone_normalize(norm, phone, &e) != MO_OK)
			return mo_err_set(err, MO_EINVAL, "bad_request",
					  "unit phone '%s' is not a Ukrainian phone number", phone);
		mo_strlcpy(u.phone, norm, sizeof(u.phone));
	}
	return hub_store_unit_add(h->store, &u, err);
}
