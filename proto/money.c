/* money.c — hryvnias as integer kopecks (money.h). */
#include "money.h"

#include <stdio.h>
#include <string.h>

#include "mo_util.h"

/* the length of a thousands space at p (ASCII, U+00A0, U+202F), 0 if none */
static size_t group_space(const unsigned char *p, const unsigned char *end)
{
	if (p < end && *p == ' ')
		return 1;
	if (end - p >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
		return 2;
	if (end - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF)
		return 3;
	return 0;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* drop a trailing " грн" / " UAH" / "грн" (end moves back) */
static void strip_currency(const unsigned char *p, const unsigned char **end)
{
	static const char *const words[] = {"\xD0\xB3\xD1\x80\xD0\xBD", "UAH", "uah"};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i]);

		if ((size_t)(*end - p) >= n && memcmp(*end - n, words[i], n) == 0) {
			*end -= n;
			while (*end > p && group_space(*end - 1, *end) == 1)
				(*end)--;
			return;
		}
	}
}

int proto_money_parse(long long *out, const char *s, size_t len, struct mo_err *err)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	long long units = 0, frac = 0;
	int group = 0, ndec = 0; /* digits in the current group; decimals seen */
	bool grouped = false;
	size_t sp;

	if (s == NULL)
		return mo_err_set(err, MO_EINVAL, "money_empty", "no amount");
	while (p < end && (sp = group_space(p, end)) > 0)
		p += sp;
	while (end > p && (*(end - 1) == ' ' || *(end - 1) == '\t'))
		end--;
	strip_currency(p, &end);
	if (p == end)
		return mo_err_set(err, MO_EINVAL, "money_empty", "no amount");
	if (*p == '-' || (end - p >= 3 && p[0] == 0xE2 && p[1] == 0x88 && p[2] == 0x92))
		return mo_err_set(err, MO_EINVAL, "money_negative", "a negative amount");
	if (!is_digit(*p))
		return mo_err_set(err, MO_EINVAL, "money_format", "not an amount");
	while (p < end) {
		if (is_digit(*p)) {
			/* group > 3 only matters once a space has grouped the digits */
			if (grouped && group == 3)
				return mo_err_set(err, MO_EINVAL, "money_format",
						  "thousands are grouped by three digits");
			if (units > (PROTO_MONEY_MAX / 100 - (*p - '0')) / 10)
				return mo_err_set(err, MO_EINVAL, "money_too_big",
						  "the amount is too big");
			units = units * 10 + (*p - '0');
			group++;
			p++;
			continue;
		}
		if ((sp = group_space(p, end)) > 0) {
			/* the first group holds 1..3 digits, every later one 3 */
			if (group == 0 || group > 3 || (grouped && group != 3) || p + sp >= end ||
			    !is_digit(p[sp]))
				return mo_err_set(err, MO_EINVAL, "money_format",
						  "thousands are grouped by three digits");
			grouped = true;
			group = 0;
			p += sp;
			continue;
		}
		break;
	}
	if (grouped && group != 3)
		return mo_err_set(err, MO_EINVAL, "money_format",
				  "thousands are grouped by three digits");
	if (p < end && (*p == ',' || *p == '.')) {
		p++;
		if (p == end || !is_digit(*p))
			return mo_err_set(err, MO_EINVAL, "money_format",
					  "digits must follow the decimal sign");
		while (p < end && is_digit(*p)) {
			if (++ndec > 2)
				return mo_err_set(err, MO_EINVAL, "money_decimals",
						  "more than two decimals (kopecks)");
			frac = frac * 10 + (*p - '0');
			p++;
		}
		if (ndec == 1)
			frac *= 10;
	}
	if (p != end)
		return mo_err_set(err, MO_EINVAL, "money_format", "not an amount");
	if (units * 100 + frac > PROTO_MONEY_MAX)
		return mo_err_set(err, MO_EINVAL, "money_too_big", "the amount is too big");
	*out = units * 100 + frac;
	return MO_OK;
}

const char *proto_money_format(char *out, size_t outlen, long long kop, bool currency)
{
	char digits[24], text[PROTO_MONEY_TEXT_MAX + 8];
	unsigned long long v, units;
	size_t nd, o = 0;
	bool neg = kop < 0;

	if (outlen == 0)
		return out;
	/* -(LLONG_MIN) overflows: negate in unsigned */
	v = neg ? 0ull - (unsigned long long)kop : (unsigned long long)kop;
	units = v / 100;
	nd = (size_t)snprintf(digits, sizeof(digits), "%llu", units);
	if (neg)
		text[o++] = '-';
	for (size_t i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			text[o++] = ' ';
		text[o++] = digits[i];
	}
	snprintf(text + o, sizeof(text) - o, ",%02llu%s", v % 100,
		 currency ? " \xD0\xB3\xD1\x80\xD0\xBD" : "");
	mo_strlcpy(out, text, outlen);
	return out;
}
