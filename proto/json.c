/*
 * json.c — the gate for untrusted JSON (json.h).
 *
 * cJSON recurses per nesting level, accepts duplicate keys, truncates
 * strings at an escaped NUL and does not check UTF-8.  So the text is first
 * scanned once, left to right, without recursion and without allocating:
 * that scan enforces every limit, so cJSON only ever sees text that is at
 * most max_depth deep.  Duplicate keys are found afterwards on the tree,
 * with an explicit stack (no recursion) and, for large objects, a sort.
 */
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

/* 2^53 - 1: above it a double no longer tells neighbouring integers apart,
 * so 9007199254740993 written in text would silently become ...992 */
#define JSON_MAX_EXACT 9007199254740991.0

/* objects up to this many keys are checked pairwise, larger ones sorted */
#define DUP_PAIRWISE_MAX 16

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* characters that can continue a number or a literal (true/false/null) */
static bool is_token_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '+' || c == '-' || c == '.';
}

/* scan the string whose opening quote is at *pos; leaves *pos after it */
static int scan_string(const char *t, size_t len, size_t *pos, const struct proto_json_limits *lim,
		       struct mo_err *err)
{
	size_t start = *pos, i = start + 1;

	while (i < len && t[i] != '"') {
		unsigned char c = (unsigned char)t[i];

		if (i - start - 1 >= lim->max_string)
			return mo_err_set(err, MO_ETOOBIG, "too_large",
					  "json: string at byte %zu is longer than %zu bytes",
					  start, lim->max_string);
		if (c < 0x20)
			return mo_err_set(err, MO_ECORRUPT, NULL,
					  "json: control character 0x%02x in a string at byte %zu",
					  c, i);
		if (c != '\\') {
			i++;
			continue;
		}
		if (i + 1 >= len)
			break;
		if (t[i + 1] == 'u' && i + 5 < len && memcmp(t + i + 2, "0000", 4) == 0)
			return mo_err_set(err, MO_ECORRUPT, NULL,
					  "json: \\u0000 (NUL) in a string at byte %zu", i);
		/* skip the escaped character so that \" and \\ do not end the scan */
		i += 2;
	}
	if (i >= len)
		return mo_err_set(err, MO_ECORRUPT, NULL,
				  "json: unterminated string starting at byte %zu", start);
	if (i - start - 1 > lim->max_string)
		return mo_err_set(err, MO_ETOOBIG, "too_large",
				  "json: string at byte %zu is longer than %zu bytes", start,
				  lim->max_string);
	*pos = i + 1;
	return MO_OK;
}

/* the one pass over the text before cJSON sees it */
static int prescan(const char *t, size_t len, const struct proto_json_limits *lim,
		   struct mo_err *err)
{
	size_t i = 0, depth = 0, values = 0, bad;
	int rc;

	if ((bad = proto_utf8_prefix(t, len)) != len)
		return mo_err_set(err, MO_ECORRUPT, NULL, "json: invalid UTF-8 at byte %zu", bad);
	while (i < len) {
		unsigned char c = (unsigned char)t[i];

		if (is_ws(c) || c == ',' || c == ':') {
			i++;
			continue;
		}
		if (c == ']' || c == '}') {
			if (depth == 0)
				return mo_err_set(err, MO_ECORRUPT, NULL,
						  "json: unbalanced '%c' at byte %zu", c, i);
			depth--;
			i++;
			continue;
		}
		if (++values > lim->max_values)
			return mo_err_set(err, MO_ETOOBIG, "too_large",
					  "json: more than %zu values (at byte %zu)",
					  lim->max_values, i);
		if (c == '"') {
			if ((rc = scan_string(t, len, &i, lim, err)) != MO_OK)
				return rc;
		} else if (c == '[' || c == '{') {
			if (++depth > lim->max_depth)
				return mo_err_set(err, MO_ETOOBIG, "too_large",
						  "json: nesting deeper than %zu at byte %zu",
						  lim->max_depth, i);
			i++;
		} else if (c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n') {
			/* cJSON checks the token itself; count it once */
			while (i < len && is_token_char((unsigned char)t[i]))
				i++;
		} else {
			return mo_err_set(err, MO_ECORRUPT, NULL,
					  "json: unexpected byte 0x%02x at byte %zu", c, i);
		}
	}
	return MO_OK;
}

/* a key for a message: printable ASCII only, so the message stays valid
 * UTF-8 and free of control characters whatever the key holds */
static void key_for_msg(char *out, size_t outlen, const char *key)
{
	size_t k = 0;

	for (; *key && k + 1 < outlen; key++)
		out[k++] = (*key >= 0x20 && *key < 0x7f) ? *key : '?';
	out[k] = '\0';
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int dup_found(const char *key, size_t depth, struct mo_err *err)
{
	char shown[48];

	key_for_msg(shown, sizeof(shown), key);
	return mo_err_set(err, MO_ECORRUPT, NULL,
			  "json: duplicate key '%s' in an object at depth %zu", shown, depth);
}

/* one object's keys: pairwise when small, else sorted (O(k log k)) */
static int check_object(const cJSON *obj, size_t depth, struct mo_err *err)
{
	const cJSON *a, *b;
	const char **keys = NULL;
	size_t k = 0, i;
	int rc = MO_OK;

	for (a = obj->child; a; a = a->next)
		k++;
	if (k <= DUP_PAIRWISE_MAX) {
		for (a = obj->child; a; a = a->next)
			for (b = a->next; b; b = b->next)
				if (strcmp(a->string, b->string) == 0)
					return dup_found(a->string, depth, err);
		return MO_OK;
	}
	if ((keys = malloc(k * sizeof(*keys))) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "json: out of memory");
	for (a = obj->child, i = 0; a; a = a->next)
		keys[i++] = a->string;
	qsort(keys, k, sizeof(*keys), cmp_keys);
	for (i = 1; i < k; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0) {
			rc = dup_found(keys[i], depth, err);
			goto done;
		}
done:
	free(keys);
	return rc;
}

/* walk the tree with an explicit stack: stack[d] = next sibling to visit */
static int check_duplicates(const cJSON *root, struct mo_err *err)
{
	const cJSON **stack = NULL;
	size_t sp = 0, cap = 0;
	int rc = MO_OK;

	if (!cJSON_IsObject(root) && !cJSON_IsArray(root))
		return MO_OK;
	if (cJSON_IsObject(root) && (rc = check_object(root, 1, err)) != MO_OK)
		return rc;
	cap = 8;
	if ((stack = malloc(cap * sizeof(*stack))) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "json: out of memory");
	stack[sp++] = root->child;
	while (sp > 0) {
		const cJSON *it = stack[sp - 1];

		if (it == NULL) {
			sp--;
			continue;
		}
		stack[sp - 1] = it->next;
		if (!cJSON_IsObject(it) && !cJSON_IsArray(it))
			continue;
		if (cJSON_IsObject(it) && (rc = check_object(it, sp + 1, err)) != MO_OK)
			goto done;
		if (sp == cap) {
			const cJSON **grown = realloc(stack, 2 * cap * sizeof(*stack));

			if (grown == NULL) {
				rc = mo_err_set(err, MO_ENOMEM, NULL, "json: out of memory");
				goto done;
			}
			stack = grown;
			cap *= 2;
		}
		stack[sp++] = it->child;
	}
done:
	free(stack);
	return rc;
}

int proto_json_parse(cJSON **out, const char *text, size_t len, const struct proto_json_limits *lim,
		     struct mo_err *err)
{
	static const struct proto_json_limits defaults = PROTO_JSON_LIMITS_DEFAULT;
	const char *end = NULL;
	cJSON *root = NULL;
	size_t pos;
	int rc;

	*out = NULL;
	if (lim == NULL)
		lim = &defaults;
	if (text == NULL || len == 0)
		return mo_err_set(err, MO_ECORRUPT, NULL, "json: empty input");
	if ((rc = prescan(text, len, lim, err)) != MO_OK)
		return rc;
	/* not require_null_terminated: that wants a NUL inside len; the
	 * trailing check below gives the same semantics for a bounded text */
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root == NULL) {
		pos = end != NULL && end >= text ? (size_t)(end - text) : 0;
		return mo_err_set(err, MO_ECORRUPT, NULL, "json: syntax error at byte %zu", pos);
	}
	for (pos = (size_t)(end - text); pos < len && is_ws((unsigned char)text[pos]); pos++)
		;
	if (pos < len) {
		rc = mo_err_set(err, MO_ECORRUPT, NULL, "json: trailing data at byte %zu", pos);
		goto done;
	}
	if ((rc = check_duplicates(root, err)) != MO_OK)
		goto done;
	*out = root;
	root = NULL; /* now owned by the caller */
done:
	cJSON_Delete(root);
	return rc;
}

int proto_json_print(struct mo_buf *out, const cJSON *v, struct mo_err *err)
{
	char *s;
	int rc;

	if (v == NULL || (s = cJSON_PrintUnformatted(v)) == NULL)
		return mo_err_set(err, MO_ENOMEM, NULL, "json: cannot print");
	rc = mo_buf_adds(out, s);
	cJSON_free(s);
	if (rc != MO_OK)
		return mo_err_set(err, rc, rc == MO_ETOOBIG ? "too_large" : NULL,
				  "json: printed text does not fit (%s)", mo_strerror(rc));
	return MO_OK;
}

bool proto_json_is_integer(const cJSON *v, long long *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	/* written this way round so that NaN fails too */
	if (!(d >= -JSON_MAX_EXACT && d <= JSON_MAX_EXACT) || d != floor(d))
		return false;
	if (out != NULL)
		*out = (long long)d;
	return true;
}

bool proto_json_int(const cJSON *obj, const char *key, long long *out)
{
	if (!cJSON_IsObject(obj) || key == NULL)
		return false;
	return proto_json_is_integer(cJSON_GetObjectItemCaseSensitive(obj, key), out);
}

const char *proto_json_str(const cJSON *obj, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(obj) || key == NULL)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}
