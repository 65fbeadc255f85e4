/*
 * test_envelope.c — the envelope of DESIGN.md §4: golden vectors, framing,
 * caps, signature, inflate, and every error path (envelope.h).
 *
 * Golden vectors live in tests/data (see tests/data/README.md).  Run with
 * MO_WRITE_GOLDEN=1 to (re)write them instead of comparing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <zlib.h>

#include "compress.h"
#include "envelope.h"
#include "keys.h"
#include "mo_util.h"

#ifndef MO_TEST_DATA
#define MO_TEST_DATA "tests/data"
#endif

#define GOLDEN_HUB "5b0c3a2f9d8e7f6a1b2c3d4e5f607182"
#define GOLDEN_HLC 0x019bb102c4d50000ull
#define BIG ((size_t)1 << 30)

struct fx {
	EVP_PKEY *key;
	unsigned char pub[PROTO_PUBKEY_LEN];
	char id[PROTO_ID_LEN];
	struct mo_buf payload; /* one canonical application */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct mo_err err = MO_ERR_INIT;

	if (f == NULL)
		return -1;
	mo_buf_init(&f->payload, 1 << 20);
	if (proto_key_load(&f->key, MO_TEST_DATA "/envelope-key.pem", &err) != MO_OK ||
	    proto_key_public_raw(f->pub, f->key, &err) != MO_OK ||
	    mo_file_read(&f->payload, MO_TEST_DATA "/envelope-payload.json", 1 << 20, &err) !=
		    MO_OK) {
		fprintf(stderr, "fixture: %s\n", err.msg);
		return -1;
	}
	proto_key_id(f->id, f->pub);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	EVP_PKEY_free(f->key);
	mo_buf_release(&f->payload);
	free(f);
	return 0;
}

static void upload_header(struct proto_header *h, const struct fx *f)
{
	memset(h, 0, sizeof(*h));
	mo_strlcpy(h->hub, GOLDEN_HUB, sizeof(h->hub));
	mo_strlcpy(h->device, f->id, sizeof(h->device));
	h->seq = 1;
	mo_strlcpy(h->prev, PROTO_PREV_NONE, sizeof(h->prev));
	h->first = 1;
	h->last = 1;
	h->count = 1;
	h->hlc = GOLDEN_HLC;
	h->schema = PROTO_SCHEMA;
	h->cursor = 0;
}

static void response_header(struct proto_header *h, const struct fx *f)
{
	memset(h, 0, sizeof(*h));
	mo_strlcpy(h->hub, GOLDEN_HUB, sizeof(h->hub));
	mo_strlcpy(h->device, f->id, sizeof(h->device));
	h->ack = 1;
	h->cursor = 0;
	h->count = 0;
	h->hlc = GOLDEN_HLC + 2;
	mo_strlcpy(h->time, "2026-01-12T07:02:00.000Z", sizeof(h->time));
	h->more = false;
}

static const char RESPONSE_PAYLOAD[] = "{\"quarantined\":[],\"changes\":[]}";

/* the three golden envelopes, sealed from the fixed inputs */
static void seal_golden(struct mo_buf *out, int which, const struct fx *f)
{
	struct proto_seal_opts o = PROTO_SEAL_OPTS_INIT;
	struct proto_header h;
	struct mo_err err = MO_ERR_INIT;

	o.key = f->key;
	o.hdr = &h;
	if (which == 0) {
		upload_header(&h, f);
		o.kind = PROTO_KIND_UPLOAD;
		o.payload = f->payload.data;
		o.payload_len = f->payload.len;
		o.level = 9;
		o.dict_id = proto_dict_default();
	} else if (which == 1) {
		upload_header(&h, f);
		h.hlc = GOLDEN_HLC + 1;
		o.kind = PROTO_KIND_PULL;
	} else {
		response_header(&h, f);
		o.kind = PROTO_KIND_RESPONSE;
		o.payload = RESPONSE_PAYLOAD;
		o.payload_len = strlen(RESPONSE_PAYLOAD);
		o.level = 6;
	}
	assert_int_equal(proto_envelope_seal(out, &o, &err), MO_OK);
}

static const char *const GOLDEN_NAME[] = {"upload", "pull", "response"};

static void golden_path(char *p, size_t n, int which)
{
	snprintf(p, n, "%s/envelope-%s.bin", MO_TEST_DATA, GOLDEN_NAME[which]);
}

/* envelope-golden.txt: "<name> <signature hex> <envelope sha256 hex>" lines */
static void golden_expect(int which, char sig[129], char hash[MO_SHA256_HEX])
{
	FILE *fp = fopen(MO_TEST_DATA "/envelope-golden.txt", "r");
	char line[512], name[32];
	bool found = false;

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%31s %128s %64s", name, sig, hash) == 3 &&
		    strcmp(name, GOLDEN_NAME[which]) == 0) {
			found = true;
			break;
		}
	}
	fclose(fp);
	assert_true(found);
}

static void write_golden(const struct fx *f)
{
	FILE *t = fopen(MO_TEST_DATA "/envelope-golden.txt", "w");

	assert_non_null(t);
	fprintf(t, "# name, Ed25519 signature (hex), SHA-256 of the whole envelope (hex)\n");
	fprintf(t, "# written by MO_WRITE_GOLDEN=1 test_envelope; see README.md\n");
	for (int w = 0; w < 3; w++) {
		struct mo_buf b = MO_BUF_INIT(BIG);
		char p[512], sig[129], hash[MO_SHA256_HEX];
		FILE *fp;

		seal_golden(&b, w, f);
		golden_path(p, sizeof(p), w);
		fp = fopen(p, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(b.data, 1, b.len, fp), b.len);
		fclose(fp);
		mo_hex_encode(sig, b.data + b.len - PROTO_SIG_LEN, PROTO_SIG_LEN);
		proto_envelope_hash(hash, b.data, b.len);
		fprintf(t, "%s %s %s\n", GOLDEN_NAME[w], sig, hash);
		mo_buf_release(&b);
	}
	fclose(t);
}

static void test_golden(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;

	if (getenv("MO_WRITE_GOLDEN")) {
		write_golden(f);
		print_message("golden vectors written to %s\n", MO_TEST_DATA);
	}
	for (int w = 0; w < 3; w++) {
		struct mo_buf sealed = MO_BUF_INIT(BIG), file = MO_BUF_INIT(BIG),
			      out = MO_BUF_INIT(BIG);
		struct proto_envelope env;
		char p[512], sig[129], hash[MO_SHA256_HEX], want_sig[129],
			want_hash[MO_SHA256_HEX];

		seal_golden(&sealed, w, f);
		golden_path(p, sizeof(p), w);
		assert_int_equal(mo_file_read(&file, p, BIG, &err), MO_OK);
		/* Ed25519 and zlib are deterministic: the exact bytes */
		assert_int_equal(sealed.len, file.len);
		assert_memory_equal(sealed.data, file.data, file.len);
		golden_expect(w, want_sig, want_hash);
		mo_hex_encode(sig, file.data + file.len - PROTO_SIG_LEN, PROTO_SIG_LEN);
		proto_envelope_hash(hash, file.data, file.len);
		assert_string_equal(sig, want_sig);
		assert_string_equal(hash, want_hash);

		/* and the file opens, verifies and inflates to the input */
		assert_int_equal(proto_envelope_open(&env, file.data, file.len, &err), MO_OK);
		assert_int_equal(env.kind, w == 0 ? 1 : w == 1 ? 3 : 2);
		assert_string_equal(env.hdr.hub, GOLDEN_HUB);
		assert_string_equal(env.hdr.device, f->id);
		assert_false(env.verified);
		assert_int_equal(proto_envelope_verify(&env, f->pub, &err), MO_OK);
		assert_true(env.verified);
		assert_int_equal(proto_envelope_inflate(&out, &env, &err), MO_OK);
		if (w == 0) {
			assert_int_equal(env.hdr.seq, 1);
			assert_string_equal(env.hdr.prev, PROTO_PREV_NONE);
			assert_int_equal(env.hdr.first, 1);
			assert_int_equal(env.hdr.last, 1);
			assert_int_equal(env.hdr.count, 1);
			assert_int_equal(env.hdr.raw, f->payload.len);
			assert_int_equal(env.hdr.hlc, GOLDEN_HLC);
			assert_int_equal(env.hdr.schema, 1);
			assert_int_equal(out.len, f->payload.len);
			assert_memory_equal(out.data, f->payload.data, out.len);
			/* the payload names the shipped dictionary */
			assert_true(env.payload[1] & 0x20);
			print_message("golden upload: %zu B envelope, payload %zu B -> %zu B\n",
				      file.len, f->payload.len, env.payload_len);
		} else if (w == 1) {
			assert_int_equal(env.payload_len, 0);
			assert_int_equal(env.hdr.hlc, GOLDEN_HLC + 1);
			assert_int_equal(out.len, 0);
		} else {
			assert_int_equal(env.hdr.ack, 1);
			assert_string_equal(env.hdr.time, "2026-01-12T07:02:00.000Z");
			assert_false(env.hdr.more);
			assert_string_equal(mo_buf_cstr(&out), RESPONSE_PAYLOAD);
		}
		mo_buf_release(&sealed);
		mo_buf_release(&file);
		mo_buf_release(&out);
	}
}

/* exact header text of each kind, field order fixed */
static void test_header_encode(void **state)
{
	struct fx *f = *state;
	struct proto_header h;
	struct mo_buf b = MO_BUF_INIT(PROTO_HEADER_MAX);
	struct mo_err err = MO_ERR_INIT;
	char want[1024];

	upload_header(&h, f);
	h.raw = 1569;
	memset(h.sha256, 'a', 64);
	h.sha256[64] = '\0';
	assert_int_equal(proto_header_encode(&b, PROTO_KIND_PULL, &h, &err), MO_OK);
	snprintf(want, sizeof(want),
		 "{\"hub\":\"%s\",\"device\":\"%s\",\"hlc\":\"019bb102c4d50000\",\"schema\":1,"
		 "\"cursor\":0}",
		 GOLDEN_HUB, f->id);
	assert_string_equal(mo_buf_cstr(&b), want);
	mo_buf_reset(&b);
	h.cursor = 9007199254740992LL; /* 2^53 prints exactly */
	assert_int_equal(proto_header_encode(&b, PROTO_KIND_UPLOAD, &h, &err), MO_OK);
	snprintf(want, sizeof(want),
		 "{\"hub\":\"%s\",\"device\":\"%s\",\"seq\":1,\"prev\":\"%s\",\"first\":1,"
		 "\"last\":1,\"count\":1,\"raw\":1569,\"sha256\":\"%s\","
		 "\"hlc\":\"019bb102c4d50000\",\"schema\":1,\"cursor\":9007199254740992}",
		 GOLDEN_HUB, f->id, PROTO_PREV_NONE, h.sha256);
	assert_string_equal(mo_buf_cstr(&b), want);
	mo_buf_reset(&b);
	h.cursor = 9007199254740993LL; /* not exact in a double: refused */
	assert_int_not_equal(proto_header_encode(&b, PROTO_KIND_UPLOAD, &h, &err), MO_OK);
	h.cursor = -1;
	assert_int_not_equal(proto_header_encode(&b, PROTO_KIND_UPLOAD, &h, &err), MO_OK);
	assert_int_not_equal(proto_header_encode(&b, 4, &h, &err), MO_OK);
	mo_buf_release(&b);
}

/* ---- forging: framing written here from the §4 text, not by envelope.c ---- */

static void frame(struct mo_buf *out, int kind, const void *hdr, size_t hlen, const void *pl,
		  size_t plen)
{
	assert_int_equal(mo_buf_add(out, "MOB1\x01", 5), MO_OK);
	assert_int_equal(mo_buf_addc(out, (unsigned char)kind), MO_OK);
	assert_int_equal(mo_buf_add_be16(out, (unsigned)hlen), MO_OK);
	assert_int_equal(mo_buf_add(out, hdr, hlen), MO_OK);
	assert_int_equal(mo_buf_add_be32(out, (unsigned long)plen), MO_OK);
	assert_int_equal(mo_buf_add(out, pl, plen), MO_OK);
}

static void sign_with(struct mo_buf *out, const EVP_PKEY *key, const void *dom, size_t dlen)
{
	struct mo_buf m = MO_BUF_INIT(BIG);
	struct mo_err err = MO_ERR_INIT;
	unsigned char sig[PROTO_SIG_LEN];

	assert_int_equal(mo_buf_add(&m, dom, dlen), MO_OK);
	assert_int_equal(mo_buf_add(&m, out->data, out->len), MO_OK);
	assert_int_equal(proto_sign(sig, key, m.data, m.len, &err), MO_OK);
	assert_int_equal(mo_buf_add(out, sig, sizeof(sig)), MO_OK);
	mo_buf_release(&m);
}

#define DOMAIN_OK "mobile-office/v1\0"
#define DOMAIN_OK_LEN 17

static void forge(struct mo_buf *out, const struct fx *f, int kind, const char *hdr,
		  const void *pl, size_t plen)
{
	frame(out, kind, hdr, strlen(hdr), pl, plen);
	sign_with(out, f->key, DOMAIN_OK, DOMAIN_OK_LEN);
}

/* the header of a kind as cJSON, from the golden values */
static cJSON *header_json(const struct fx *f, int kind)
{
	struct proto_header h;
	struct mo_buf b = MO_BUF_INIT(PROTO_HEADER_MAX);
	struct mo_err err = MO_ERR_INIT;
	cJSON *o;

	if (kind == PROTO_KIND_RESPONSE)
		response_header(&h, f);
	else
		upload_header(&h, f);
	h.raw = 10;
	mo_sha256_hex(h.sha256, "0123456789", 10);
	assert_int_equal(proto_header_encode(&b, kind, &h, &err), MO_OK);
	o = cJSON_Parse(mo_buf_cstr(&b));
	assert_non_null(o);
	mo_buf_release(&b);
	return o;
}

/* open a forged envelope, return rc; on MO_OK also verify */
static int open_forged(const struct fx *f, int kind, const char *hdr, const void *pl,
		       size_t plen, struct mo_err *err)
{
	struct mo_buf b = MO_BUF_INIT(BIG);
	struct proto_envelope env;
	int rc;

	forge(&b, f, kind, hdr, pl, plen);
	rc = proto_envelope_open(&env, b.data, b.len, err);
	if (rc == MO_OK)
		assert_int_equal(proto_envelope_verify(&env, f->pub, err), MO_OK);
	mo_buf_release(&b);
	return rc;
}

static void expect_bad_envelope(const struct fx *f, int kind, const char *hdr, const void *pl,
				size_t plen)
{
	struct mo_err err = MO_ERR_INIT;

	assert_int_equal(open_forged(f, kind, hdr, pl, plen, &err), MO_ECORRUPT);
	assert_string_equal(err.code, "bad_envelope");
}

static void test_roundtrip_kinds(void **state)
{
	struct fx *f = *state;
	struct proto_seal_opts o = PROTO_SEAL_OPTS_INIT;
	struct proto_header h;
	struct mo_err err = MO_ERR_INIT;

	for (int kind = 1; kind <= 3; kind++) {
		for (int dict = 0; dict < 2; dict++) {
			struct mo_buf b = MO_BUF_INIT(BIG), out = MO_BUF_INIT(BIG);
			struct proto_envelope env;
			char hash[MO_SHA256_HEX], want[MO_SHA256_HEX];

			if (kind == PROTO_KIND_RESPONSE)
				response_header(&h, f);
			else
				upload_header(&h, f);
			h.more = dict;
			assert_int_equal(mo_buf_adds(&b, "prefix"), MO_OK); /* seal appends */
			o.kind = kind;
			o.hdr = &h;
			o.key = f->key;
			o.payload = kind == PROTO_KIND_PULL ? NULL : f->payload.data;
			o.payload_len = kind == PROTO_KIND_PULL ? 0 : f->payload.len;
			o.dict_id = dict ? proto_dict_default() : 0;
			assert_int_equal(proto_envelope_seal(&b, &o, &err), MO_OK);
			assert_memory_equal(b.data, "prefix", 6);
			assert_int_equal(
				proto_envelope_open(&env, b.data + 6, b.len - 6, &err), MO_OK);
			assert_int_equal(env.kind, kind);
			assert_int_equal(proto_envelope_verify(&env, f->pub, &err), MO_OK);
			assert_int_equal(proto_envelope_inflate(&out, &env, &err), MO_OK);
			assert_int_equal(out.len, o.payload_len);
			if (kind == PROTO_KIND_RESPONSE)
				assert_int_equal(env.hdr.more, dict);
			if (o.payload_len) {
				assert_memory_equal(out.data, f->payload.data, out.len);
				mo_sha256_hex(want, f->payload.data, f->payload.len);
				assert_string_equal(env.hdr.sha256, want);
			}
			proto_envelope_hash(hash, b.data + 6, b.len - 6);
			mo_sha256_hex(want, b.data + 6, b.len - 6);
			assert_string_equal(hash, want);
			mo_buf_release(&b);
			mo_buf_release(&out);
		}
	}
	/* a pull refuses a payload; a bad kind is refused; seal leaves out alone */
	{
		struct mo_buf b = MO_BUF_INIT(BIG);

		upload_header(&h, f);
		o.kind = PROTO_KIND_PULL;
		o.payload = "[]";
		o.payload_len = 2;
		assert_int_not_equal(proto_envelope_seal(&b, &o, &err), MO_OK);
		o.kind = 4;
		assert_int_not_equal(proto_envelope_seal(&b, &o, &err), MO_OK);
		o.kind = PROTO_KIND_UPLOAD;
		o.dict_id = 0x12345678; /* not shipped */
		assert_int_not_equal(proto_envelope_seal(&b, &o, &err), MO_OK);
		assert_int_equal(b.len, 0);
		mo_buf_release(&b);
	}
}

static void test_truncated(void **state)
{
	struct fx *f = *state;
	struct mo_buf b = MO_BUF_INIT(BIG);
	struct proto_envelope env;
	struct mo_err err = MO_ERR_INIT;

	for (int w = 0; w < 3; w++) {
		mo_buf_reset(&b);
		seal_golden(&b, w, f);
		for (size_t n = 0; n < b.len; n++) {
			mo_err_clear(&err);
			assert_int_equal(proto_envelope_open(&env, b.data, n, &err), MO_ECORRUPT);
			assert_string_equal(err.code, "bad_envelope");
		}
		/* trailing garbage */
		assert_int_equal(mo_buf_addc(&b, 0), MO_OK);
		assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_ECORRUPT);
		assert_string_equal(err.code, "bad_envelope");
		assert_int_equal(proto_envelope_open(&env, b.data, b.len - 1, &err), MO_OK);
	}
	mo_buf_release(&b);
}

/* the prefix of an envelope still arriving: no verdict before 12 + H bytes,
 * then the header and the whole length; a bad prefix refused as open() does */
static void test_peek(void **state)
{
	struct fx *f = *state;
	struct mo_buf b = MO_BUF_INIT(BIG);
	struct proto_envelope env;
	struct proto_envelope_prefix px;
	struct mo_err err = MO_ERR_INIT;
	size_t need, hlen;

	for (int w = 0; w < 3; w++) {
		mo_buf_reset(&b);
		seal_golden(&b, w, f);
		assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_OK);
		hlen = (size_t)b.data[6] << 8 | b.data[7];
		for (size_t n = 0; n <= b.len; n++) {
			mo_err_clear(&err);
			assert_int_equal(proto_envelope_peek(&px, b.data, n, &need, &err), MO_OK);
			if (n < 12 + hlen) {
				assert_true(need > n);
				continue;
			}
			assert_int_equal(need, 0);
			assert_int_equal(px.kind, env.kind);
			assert_int_equal(px.total, b.len);
			assert_string_equal(px.hdr.device, env.hdr.device);
			assert_string_equal(px.hdr.hub, env.hdr.hub);
			assert_int_equal(px.hdr.seq, env.hdr.seq);
			if (n > 12 + hlen + 16 && n + 1 < b.len)
				n = b.len - 1; /* the rest is not looked at */
		}
	}
	/* refusals, each as soon as the byte that decides is there */
	mo_buf_reset(&b);
	seal_golden(&b, 0, f);
	b.data[0] = 'X';
	assert_int_equal(proto_envelope_peek(&px, b.data, 1, &need, &err), MO_ECORRUPT);
	assert_string_equal(err.code, "bad_envelope");
	b.data[0] = 'M';
	b.data[4] = 2;
	assert_int_equal(proto_envelope_peek(&px, b.data, 8, &need, &err), MO_ECORRUPT);
	b.data[4] = PROTO_VERSION;
	b.data[6] = 0x10;
	b.data[7] = 0x01; /* H = 4097 */
	assert_int_equal(proto_envelope_peek(&px, b.data, 8, &need, &err), MO_ETOOBIG);
	assert_string_equal(err.code, "too_large");
	/* a payload length past the cap, and a header that is not JSON */
	mo_buf_reset(&b);
	frame(&b, PROTO_KIND_UPLOAD, "{}", 2, "", 0);
	assert_int_equal(proto_envelope_peek(&px, b.data, b.len, &need, &err), MO_ECORRUPT);
	assert_string_equal(err.code, "bad_envelope");
	b.data[10] = 0x01; /* P = 16 MiB + ... */
	assert_int_equal(proto_envelope_peek(&px, b.data, b.len, &need, &err), MO_ETOOBIG);
	mo_buf_release(&b);
}

/* any flipped bit anywhere: open or verify refuses; payload, signature and
 * the header values that still parse are caught by the signature */
static void test_bitflips(void **state)
{
	struct fx *f = *state;
	struct mo_buf b = MO_BUF_INIT(BIG), out = MO_BUF_INIT(BIG);
	struct proto_envelope env;
	struct mo_err err = MO_ERR_INIT;
	size_t hlen, reached_verify = 0, in_header = 0;
	static const unsigned char bits[] = {0x01, 0x02, 0x80};

	seal_golden(&b, 0, f);
	hlen = (size_t)b.data[6] << 8 | b.data[7];
	for (size_t i = 0; i < b.len; i++) {
		for (size_t k = 0; k < sizeof(bits); k++) {
			int rc;

			b.data[i] ^= bits[k];
			mo_err_clear(&err);
			rc = proto_envelope_open(&env, b.data, b.len, &err);
			if (rc == MO_OK) {
				reached_verify++;
				in_header += i >= 8 && i < 8 + hlen;
				assert_int_equal(proto_envelope_verify(&env, f->pub, &err),
						 MO_EAUTH);
				assert_string_equal(err.code, "bad_signature");
				assert_false(env.verified);
				assert_int_equal(proto_envelope_inflate(&out, &env, &err),
						 MO_EAUTH);
			} else {
				/* only framing and header bytes can fail open */
				assert_true(i < 12 + hlen);
				assert_true(strcmp(err.code, "bad_envelope") == 0 ||
					    strcmp(err.code, "too_large") == 0);
			}
			b.data[i] ^= bits[k];
		}
	}
	/* payload + signature bytes all reach verify; so do many header bytes */
	assert_true(reached_verify >= 3 * (b.len - 12 - hlen));
	assert_true(in_header > 50);
	assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_OK);
	assert_int_equal(proto_envelope_verify(&env, f->pub, &err), MO_OK);
	mo_buf_release(&b);
	mo_buf_release(&out);
}

static void test_wrong_key_and_domain(void **state)
{
	struct fx *f = *state;
	struct mo_buf b = MO_BUF_INIT(BIG);
	struct proto_envelope env;
	struct mo_err err = MO_ERR_INIT;
	EVP_PKEY *other = NULL;
	unsigned char opub[PROTO_PUBKEY_LEN];
	cJSON *h = header_json(f, PROTO_KIND_PULL);
	char *text = cJSON_PrintUnformatted(h);
	static const struct {
		const char *d;
		size_t n;
	} dom[] = {
		{"mobile-office/v1", 16},	    /* no zero byte */
		{"mobile-office/v2\0", 17},	    /* other version */
		{"", 0},			    /* no prefix */
		{"mobile-office/v1\0\0", 18},	    /* extra byte */
		{"Mobile-office/v1\0", 17},
	};

	assert_int_equal(proto_key_generate(&other, &err), MO_OK);
	assert_int_equal(proto_key_public_raw(opub, other, &err), MO_OK);
	seal_golden(&b, 0, f);
	assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_OK);
	assert_int_equal(proto_envelope_verify(&env, opub, &err), MO_EAUTH);
	assert_string_equal(err.code, "bad_signature");
	assert_false(env.verified);

	/* the right domain verifies (the forger agrees with envelope.c) ... */
	mo_buf_reset(&b);
	frame(&b, PROTO_KIND_PULL, text, strlen(text), NULL, 0);
	sign_with(&b, f->key, DOMAIN_OK, DOMAIN_OK_LEN);
	assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_OK);
	assert_int_equal(proto_envelope_verify(&env, f->pub, &err), MO_OK);
	/* ... and any other prefix does not */
	for (size_t i = 0; i < sizeof(dom) / sizeof(dom[0]); i++) {
		mo_buf_reset(&b);
		frame(&b, PROTO_KIND_PULL, text, strlen(text), NULL, 0);
		sign_with(&b, f->key, dom[i].d, dom[i].n);
		assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_OK);
		assert_int_equal(proto_envelope_verify(&env, f->pub, &err), MO_EAUTH);
		assert_string_equal(err.code, "bad_signature");
	}
	free(text);
	cJSON_Delete(h);
	EVP_PKEY_free(other);
	mo_buf_release(&b);
}

static void test_framing(void **state)
{
	struct fx *f = *state;
	struct mo_buf b = MO_BUF_INIT(BIG);
	struct proto_envelope env;
	struct mo_err err = MO_ERR_INIT;
	cJSON *h = header_json(f, PROTO_KIND_PULL);
	char *text = cJSON_PrintUnformatted(h);

	/* kind 0 and 4, version 2, bad magic */
	for (int kind = 0; kind <= 255; kind += 1) {
		if (kind >= 1 && kind <= 3)
			continue;
		mo_buf_reset(&b);
		forge(&b, f, kind, text, NULL, 0);
		assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_ECORRUPT);
		assert_string_equal(err.code, "bad_envelope");
	}
	mo_buf_reset(&b);
	forge(&b, f, PROTO_KIND_PULL, text, NULL, 0);
	assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_OK);
	b.data[4] = 2;
	assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_ECORRUPT);
	b.data[4] = 1;
	b.data[3] = '2';
	assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_ECORRUPT);
	assert_string_equal(err.code, "bad_envelope");

	/* a pull with a payload */
	expect_bad_envelope(f, PROTO_KIND_PULL, text, "x", 1);
	/* H = 0 */
	mo_buf_reset(&b);
	frame(&b, PROTO_KIND_PULL, "", 0, NULL, 0);
	sign_with(&b, f->key, DOMAIN_OK, DOMAIN_OK_LEN);
	assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_ECORRUPT);
	assert_string_equal(err.code, "bad_envelope");
	free(text);
	cJSON_Delete(h);
	mo_buf_release(&b);
}

static void test_limits(void **state)
{
	struct fx *f = *state;
	struct mo_buf b = MO_BUF_INIT(BIG), pad = MO_BUF_INIT(BIG), out = MO_BUF_INIT(BIG);
	struct proto_envelope env;
	struct mo_err err = MO_ERR_INIT;
	cJSON *h = header_json(f, PROTO_KIND_PULL);
	char *text = cJSON_PrintUnformatted(h);
	unsigned char hdr8[12 + 64] = "MOB1\x01\x03";

	/* H = 4096 (padded with JSON whitespace) is fine; 4097 is too_large */
	assert_int_equal(mo_buf_adds(&pad, text), MO_OK);
	while (pad.len < PROTO_HEADER_MAX)
		assert_int_equal(mo_buf_addc(&pad, ' '), MO_OK);
	forge(&b, f, PROTO_KIND_PULL, mo_buf_cstr(&pad), NULL, 0);
	assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_OK);
	assert_int_equal(proto_envelope_verify(&env, f->pub, &err), MO_OK);
	assert_int_equal(mo_buf_addc(&pad, ' '), MO_OK);
	mo_buf_reset(&b);
	forge(&b, f, PROTO_KIND_PULL, mo_buf_cstr(&pad), NULL, 0);
	assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_ETOOBIG);
	assert_string_equal(err.code, "too_large");
	/* only the length field: H = 4097 is refused before reading a header */
	hdr8[6] = 0x10;
	hdr8[7] = 0x01;
	assert_int_equal(proto_envelope_open(&env, hdr8, 8, &err), MO_ETOOBIG);
	assert_string_equal(err.code, "too_large");
	hdr8[6] = 0xff;
	hdr8[7] = 0xff;
	assert_int_equal(proto_envelope_open(&env, hdr8, sizeof(hdr8), &err), MO_ETOOBIG);
	/* P = 8 MiB + 1 from the length field alone (H = 1, header "{") */
	hdr8[6] = 0;
	hdr8[7] = 1;
	hdr8[8] = '{';
	hdr8[9] = 0x00;
	hdr8[10] = 0x80;
	hdr8[11] = 0x00;
	hdr8[12] = 0x01;
	hdr8[5] = 1;
	assert_int_equal(proto_envelope_open(&env, hdr8, 13, &err), MO_ETOOBIG);
	assert_string_equal(err.code, "too_large");
	hdr8[9] = 0xff;
	assert_int_equal(proto_envelope_open(&env, hdr8, 13, &err), MO_ETOOBIG);
	free(text);
	cJSON_Delete(h);

	/* P = 8 MiB exactly opens; raw caps refuse before inflating the garbage */
	{
		size_t plen = PROTO_PAYLOAD_MAX;
		unsigned char *junk = malloc(plen);
		cJSON *u = header_json(f, PROTO_KIND_UPLOAD);

		assert_non_null(junk);
		memset(junk, 0xa5, plen);
		cJSON_ReplaceItemInObject(u, "raw", cJSON_CreateNumber(64.0 * 1048576 + 1));
		text = cJSON_PrintUnformatted(u);
		mo_buf_reset(&b);
		forge(&b, f, PROTO_KIND_UPLOAD, text, junk, plen);
		free(text);
		assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_OK);
		assert_int_equal(env.payload_len, PROTO_PAYLOAD_MAX);
		assert_int_equal(proto_envelope_verify(&env, f->pub, &err), MO_OK);
		assert_int_equal(proto_envelope_inflate(&out, &env, &err), MO_ETOOBIG);
		assert_string_equal(err.code, "too_large");
		assert_int_equal(out.len, 0);
		/* raw = 64 MiB exactly passes the cap and gets to the (bad) stream */
		cJSON_ReplaceItemInObject(u, "raw", cJSON_CreateNumber(64.0 * 1048576));
		text = cJSON_PrintUnformatted(u);
		mo_buf_reset(&b);
		forge(&b, f, PROTO_KIND_UPLOAD, text, junk, plen);
		free(text);
		assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_OK);
		assert_int_equal(proto_envelope_verify(&env, f->pub, &err), MO_OK);
		assert_int_equal(proto_envelope_inflate(&out, &env, &err), MO_ECOMPRESS);
		assert_string_equal(err.code, "bad_compression");
		cJSON_Delete(u);
		free(junk);
	}
	mo_buf_release(&b);
	mo_buf_release(&pad);
	mo_buf_release(&out);
}

/* seal-like forging with a real stream and a chosen raw/sha256 */
static int inflate_forged(const struct fx *f, const void *z, size_t zlen, double raw,
			  const char *sha, struct mo_buf *out, struct mo_err *err)
{
	struct mo_buf b = MO_BUF_INIT(BIG);
	struct proto_envelope env;
	cJSON *u = header_json(f, PROTO_KIND_UPLOAD);
	char *text;
	int rc;

	cJSON_ReplaceItemInObject(u, "raw", cJSON_CreateNumber(raw));
	if (sha)
		cJSON_ReplaceItemInObject(u, "sha256", cJSON_CreateString(sha));
	text = cJSON_PrintUnformatted(u);
	forge(&b, f, PROTO_KIND_UPLOAD, text, z, zlen);
	assert_int_equal(proto_envelope_open(&env, b.data, b.len, err), MO_OK);
	/* inflate before verify is refused */
	assert_int_equal(proto_envelope_inflate(out, &env, err), MO_EAUTH);
	assert_int_equal(proto_envelope_verify(&env, f->pub, err), MO_OK);
	rc = proto_envelope_inflate(out, &env, err);
	free(text);
	cJSON_Delete(u);
	mo_buf_release(&b);
	return rc;
}

static void test_inflate_checks(void **state)
{
	struct fx *f = *state;
	struct mo_buf z = MO_BUF_INIT(BIG), out = MO_BUF_INIT(BIG);
	struct mo_err err = MO_ERR_INIT;
	char in[1000], sha[MO_SHA256_HEX], other[MO_SHA256_HEX];

	memset(in, 'x', sizeof(in));
	mo_sha256_hex(sha, in, sizeof(in));
	mo_sha256_hex(other, in, sizeof(in) - 1);
	assert_int_equal(proto_deflate(&z, in, sizeof(in), 9, 0, &err), MO_OK);
	assert_true(z.len * 100 > 1001);

	assert_int_equal(inflate_forged(f, z.data, z.len, 1000, sha, &out, &err), MO_OK);
	assert_int_equal(out.len, 1000);
	/* inflates past raw: stops at raw + 1 */
	assert_int_equal(inflate_forged(f, z.data, z.len, 999, sha, &out, &err), MO_EDIGEST);
	assert_string_equal(err.code, "digest_mismatch");
	assert_true(out.len <= 1000);
	/* fewer bytes than raw */
	assert_int_equal(inflate_forged(f, z.data, z.len, 1001, sha, &out, &err), MO_EDIGEST);
	assert_string_equal(err.code, "digest_mismatch");
	/* right length, other digest */
	assert_int_equal(inflate_forged(f, z.data, z.len, 1000, other, &out, &err), MO_EDIGEST);
	assert_string_equal(err.code, "digest_mismatch");
	/* raw > 100 x P: too_large before inflating; = 100 x P gets inflated */
	mo_err_clear(&err);
	assert_int_equal(inflate_forged(f, z.data, z.len, (double)z.len * 100 + 1, sha, &out, &err),
			 MO_ETOOBIG);
	assert_string_equal(err.code, "too_large");
	assert_int_equal(inflate_forged(f, z.data, z.len, (double)z.len * 100, sha, &out, &err),
			 MO_EDIGEST);
	/* corrupt stream */
	z.data[z.len / 2] ^= 0xff;
	z.data[z.len / 2 + 1] ^= 0xff;
	assert_int_equal(inflate_forged(f, z.data, z.len, 1000, sha, &out, &err), MO_ECOMPRESS);
	assert_string_equal(err.code, "bad_compression");
	assert_int_equal(inflate_forged(f, "nope", 4, 10, sha, &out, &err), MO_ECOMPRESS);
	assert_string_equal(err.code, "bad_compression");
	/* a stream with a dictionary nobody ships */
	{
		static const char dict[] = "a dictionary nobody ships";
		unsigned char zb[256];
		z_stream s;

		memset(&s, 0, sizeof(s));
		assert_int_equal(deflateInit(&s, 6), Z_OK);
		assert_int_equal(deflateSetDictionary(&s, (const Bytef *)dict, sizeof(dict)),
				 Z_OK);
		s.next_in = (Bytef *)(uintptr_t)"0123456789";
		s.avail_in = 10;
		s.next_out = zb;
		s.avail_out = sizeof(zb);
		assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
		deflateEnd(&s);
		mo_sha256_hex(sha, "0123456789", 10);
		assert_int_equal(inflate_forged(f, zb, sizeof(zb) - s.avail_out, 10, sha, &out,
						&err),
				 MO_ECOMPRESS);
		assert_string_equal(err.code, "bad_compression");
	}
	mo_buf_release(&z);
	mo_buf_release(&out);
}

/* a zlib bomb: 256 MiB of zeros in ~250 KiB; raw at its cap (100 x P) */
static void test_bomb(void **state)
{
	struct fx *f = *state;
	struct mo_buf z = MO_BUF_INIT(BIG), out = MO_BUF_INIT(BIG);
	struct mo_err err = MO_ERR_INIT;
	unsigned char *zeros = calloc(1, 1 << 20);
	z_stream s;
	double raw;

	assert_non_null(zeros);
	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit(&s, 9), Z_OK);
	assert_int_equal(mo_buf_reserve(&z, 1 << 19), MO_OK);
	s.next_out = z.data;
	s.avail_out = 1 << 19;
	for (int i = 0; i < 256; i++) {
		s.next_in = zeros;
		s.avail_in = 1 << 20;
		assert_true(deflate(&s, i == 255 ? Z_FINISH : Z_NO_FLUSH) >= 0);
	}
	z.len = (1 << 19) - s.avail_out;
	deflateEnd(&s);
	raw = (double)z.len * 100;
	assert_int_equal(inflate_forged(f, z.data, z.len, raw, PROTO_PREV_NONE, &out, &err),
			 MO_EDIGEST);
	assert_string_equal(err.code, "digest_mismatch");
	/* it stopped at raw + 1 bytes, and held no more than that */
	assert_int_equal(out.len, (size_t)raw + 1);
	assert_true(out.cap <= (size_t)raw + 2);
	free(zeros);
	mo_buf_release(&z);
	mo_buf_release(&out);
}

static char *with_prefix(const struct fx *f, int kind, const char *prefix)
{
	cJSON *h = header_json(f, kind);
	char *text = cJSON_PrintUnformatted(h), *r;
	size_t n = strlen(prefix) + strlen(text) + 1;

	/* "{" + prefix + "," + rest */
	r = malloc(n + 2);
	assert_non_null(r);
	snprintf(r, n + 2, "{%s,%s", prefix, text + 1);
	free(text);
	cJSON_Delete(h);
	return r;
}

static void test_header_text(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	static const char *bad_utf8[] = {
		"\"x\":\"\xff\"",	      "\"x\":\"\xc3\x28\"",	    "\"x\":\"\xc0\xaf\"",
		"\"x\":\"\xed\xa0\x80\"",     "\"x\":\"\xf8\x88\x80\x80\x80\"",
		"\"x\":\"\xe2\x82\"",	      "\"x\":\"\xf4\x90\x80\x80\"", "\"\xe0\x80\xaf\":1",
	};
	static const char *dups[] = {
		"\"cursor\":0", "\"hub\":\"" GOLDEN_HUB "\"", "\"x\":{\"a\":1,\"a\":2}",
		"\"x\":[{\"b\":1,\"b\":1}]",
	};
	static const char *bad_text[] = {
		"[1]", "{", "", "{\"hub\":1}x", "null", "\"str\"", "{}",
	};
	char *t;

	/* an unknown extra field in valid UTF-8 is fine */
	t = with_prefix(f, PROTO_KIND_PULL, "\"x\":\"Привіт, ЦНАП\",\"y\":{\"a\":[1,2]}");
	assert_int_equal(open_forged(f, PROTO_KIND_PULL, t, NULL, 0, &err), MO_OK);
	free(t);
	for (size_t i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
		t = with_prefix(f, PROTO_KIND_PULL, bad_utf8[i]);
		expect_bad_envelope(f, PROTO_KIND_PULL, t, NULL, 0);
		free(t);
	}
	for (size_t i = 0; i < sizeof(dups) / sizeof(dups[0]); i++) {
		t = with_prefix(f, PROTO_KIND_PULL, dups[i]);
		expect_bad_envelope(f, PROTO_KIND_PULL, t, NULL, 0);
		free(t);
	}
	for (size_t i = 1; i < sizeof(bad_text) / sizeof(bad_text[0]); i++)
		expect_bad_envelope(f, PROTO_KIND_PULL, bad_text[i], NULL, 0);
	expect_bad_envelope(f, PROTO_KIND_PULL, bad_text[0], NULL, 0);
	/* nesting deeper than 32 */
	{
		char deep[200];
		size_t n = 0;

		n += (size_t)snprintf(deep, sizeof(deep), "\"x\":");
		for (int i = 0; i < 40; i++)
			deep[n++] = '[';
		for (int i = 0; i < 40; i++)
			deep[n++] = ']';
		deep[n] = '\0';
		t = with_prefix(f, PROTO_KIND_PULL, deep);
		expect_bad_envelope(f, PROTO_KIND_PULL, t, NULL, 0);
		free(t);
	}
	/* a NUL byte inside the header */
	{
		struct mo_buf b = MO_BUF_INIT(BIG);
		struct proto_envelope env;

		t = with_prefix(f, PROTO_KIND_PULL, "\"x\":\"a?b\"");
		*strchr(t, '?') = '\0';
		frame(&b, PROTO_KIND_PULL, t, strlen(t) + strlen(t + strlen(t) + 1) + 1, NULL,
		      0);
		sign_with(&b, f->key, DOMAIN_OK, DOMAIN_OK_LEN);
		assert_int_equal(proto_envelope_open(&env, b.data, b.len, &err), MO_ECORRUPT);
		assert_string_equal(err.code, "bad_envelope");
		free(t);
		mo_buf_release(&b);
	}
}

/* required fields per kind, with their types */
static void test_header_fields(void **state)
{
	struct fx *f = *state;
	struct mo_err err = MO_ERR_INIT;
	static const struct {
		int kind;
		const char *key;
		const char *value; /* JSON text; NULL: delete the field */
	} bad[] = {
		{1, "seq", "0"},
		{1, "seq", "-1"},
		{1, "seq", "1.5"},
		{1, "seq", "\"1\""},
		{1, "seq", "1e300"},
		{1, "seq", NULL},
		{1, "hub", "\"5B0C3A2F9D8E7F6A1B2C3D4E5F607182\""},
		{1, "hub", "\"5b0c3a2f9d8e7f6a1b2c3d4e5f60718\""},
		{1, "hub", "\"5b0c3a2f9d8e7f6a1b2c3d4e5f6071820\""},
		{1, "hub", "\"5b0c3a2f9d8e7f6a1b2c3d4e5f60718g\""},
		{1, "hub", NULL},
		{1, "device", NULL},
		{1, "device", "null"},
		{1, "prev", "\"00\""},
		{1, "prev", NULL},
		{1, "first", "-1"},
		{1, "first", NULL},
		{1, "last", "true"},
		{1, "last", NULL},
		{1, "count", NULL},
		{1, "raw", "-1"},
		{1, "raw", NULL},
		{1, "raw", "9007199254740994"},
		{1, "sha256", "\"ABCD\""},
		{1, "sha256", NULL},
		{1, "hlc", "\"019BB102C4D50000\""},
		{1, "hlc", "\"019bb102c4d5000\""},
		{1, "hlc", "26"},
		{1, "hlc", NULL},
		{1, "schema", "2"},
		{1, "schema", NULL},
		{1, "cursor", "-1"},
		{1, "cursor", "\"0\""},
		{1, "cursor", NULL},
		{3, "hub", NULL},
		{3, "hlc", NULL},
		{3, "schema", "0"},
		{3, "cursor", NULL},
		{2, "ack", "-1"},
		{2, "ack", NULL},
		{2, "cursor", NULL},
		{2, "count", NULL},
		{2, "raw", NULL},
		{2, "sha256", NULL},
		{2, "hlc", NULL},
		{2, "time", "\"yesterday\""},
		{2, "time", "\"2026-01-12 07:02:00Z\""},
		{2, "time", "\"2026-01-12T07:02:00.0Z\""},
		{2, "time", "0"},
		{2, "time", NULL},
		{2, "more", "\"true\""},
		{2, "more", "1"},
		{2, "more", NULL},
	};

	/* each kind's header as sealed is accepted, and the minimum per kind */
	for (int kind = 1; kind <= 3; kind++) {
		cJSON *h = header_json(f, kind);
		char *t = cJSON_PrintUnformatted(h);

		assert_int_equal(open_forged(f, kind, t, kind == 3 ? NULL : "", 0, &err), MO_OK);
		free(t);
		cJSON_Delete(h);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *h = header_json(f, bad[i].kind);
		char *t;

		if (bad[i].value) {
			cJSON *v = cJSON_Parse(bad[i].value);

			assert_non_null(v);
			assert_true(cJSON_ReplaceItemInObject(h, bad[i].key, v));
		} else {
			assert_non_null(cJSON_GetObjectItem(h, bad[i].key));
			cJSON_DeleteItemFromObject(h, bad[i].key);
		}
		t = cJSON_PrintUnformatted(h);
		mo_err_clear(&err);
		if (open_forged(f, bad[i].kind, t, NULL, 0, &err) != MO_ECORRUPT)
			fail_msg("accepted: kind %d %s = %s", bad[i].kind, bad[i].key,
				 bad[i].value ? bad[i].value : "(missing)");
		assert_string_equal(err.code, "bad_envelope");
		free(t);
		cJSON_Delete(h);
	}
	/* a pull needs no seq, and a time without ms is fine */
	{
		cJSON *h = header_json(f, PROTO_KIND_RESPONSE);
		char *t;

		cJSON_ReplaceItemInObject(h, "time", cJSON_CreateString("2026-01-12T07:02:00Z"));
		t = cJSON_PrintUnformatted(h);
		assert_int_equal(open_forged(f, PROTO_KIND_RESPONSE, t, NULL, 0, &err), MO_OK);
		free(t);
		cJSON_Delete(h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_header_encode),
		cmocka_unit_test(test_roundtrip_kinds),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_bitflips),
		cmocka_unit_test(test_wrong_key_and_domain),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_inflate_checks),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_header_text),
		cmocka_unit_test(test_header_fields),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
