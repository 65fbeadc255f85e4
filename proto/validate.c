/*
 * validate.c — field validation shared by agent and hub (validate.h).
 *
 * Every check is a pure function over a C string: no locale, no allocation,
 * so the same rule gives the same answer on a laptop and on the hub.
 */
#include "validate.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* n decimal digits at s as an integer, -1 if any is not a digit */
static long digits_value(const char *s, int n)
{
	long v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool leap_year(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(long y, long m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

/* days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant) */
static long days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* the inverse, for messages that show which date an RNOKPP encodes */
static void civil_from_days(long z, long *y, long *m, long *d)
{
	long era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = (z - era * 146097) - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

/* parse "YYYY-MM-DD" at s (exactly 10 bytes, not NUL-terminated there) */
static bool date_parts(const char *s, long *y, long *m, long *d)
{
	if (s[4] != '-' || s[7] != '-')
		return false;
	*y = digits_value(s, 4);
	*m = digits_value(s + 5, 2);
	*d = digits_value(s + 8, 2);
	if (*y < 1900 || *y > 2199 || *m < 1 || *m > 12 || *d < 1)
		return false;
	return *d <= month_days(*y, *m);
}

bool proto_date_valid(const char *s)
{
	long y, m, d;

	if (s == NULL || strlen(s) != 10)
		return false;
	return date_parts(s, &y, &m, &d);
}

long proto_date_days(const char *s)
{
	long y, m, d;

	if (!proto_date_valid(s) || !date_parts(s, &y, &m, &d))
		return -1;
	return days_from_civil(y, m, d) - days_from_civil(1899, 12, 31);
}

bool proto_datetime_valid(const char *s)
{
	size_t len, i;
	long y, m, d, hh, mm, ss;

	if (s == NULL)
		return false;
	len = strlen(s);
	/* 20 = "YYYY-MM-DDTHH:MM:SSZ"; a fraction adds "." and 1..9 digits */
	if (len < 20 || len > 30 || len == 21)
		return false;
	if (!date_parts(s, &y, &m, &d) || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return false;
	hh = digits_value(s + 11, 2);
	mm = digits_value(s + 14, 2);
	ss = digits_value(s + 17, 2);
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59)
		return false;
	if (s[len - 1] != 'Z')
		return false;
	if (len == 20)
		return true;
	if (s[19] != '.')
		return false;
	for (i = 20; i < len - 1; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

bool proto_uuid_valid(const char *s)
{
	if (s == NULL || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !is_hex(s[i]))
			return false;
	}
	return true;
}

size_t proto_utf8_prefix(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			k = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			if (c == 0xE0)
				lo = 0xA0; /* overlong */
			else if (c == 0xED)
				hi = 0x9F; /* UTF-16 surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			if (c == 0xF0)
				lo = 0x90; /* overlong */
			else if (c == 0xF4)
				hi = 0x8F; /* > U+10FFFF */
		} else {
			return i; /* C0, C1 (overlong), F5..FF, a lone continuation */
		}
		if (n - i <= k || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t j = 2; j <= k; j++)
			if (s[i + j] < 0x80 || s[i + j] > 0xBF)
				return i;
		i += k + 1;
	}
	return n;
}

bool proto_utf8_valid(const char *s, size_t n)
{
	if (s == NULL)
		return n == 0;
	return proto_utf8_prefix(s, n) == n;
}

int proto_rnokpp_check(const char *rnokpp, const char *birth_date, struct mo_err *err)
{
	static const int w[9] = {-1, 5, 7, 9, 4, 6, 10, 5, 7};
	int sum = 0, check;
	long days, want, y, m, d;

	if (rnokpp == NULL || strlen(rnokpp) != 10 || digits_value(rnokpp, 10) < 0)
		return mo_err_set(err, MO_EINVAL, "rnokpp_length",
				  "the RNOKPP must be exactly 10 digits");
	for (int i = 0; i < 9; i++)
		sum += w[i] * (rnokpp[i] - '0');
	/* the sum may be negative (weight -1): take the mathematical modulus */
	check = ((sum % 11) + 11) % 11 % 10;
	if (check != rnokpp[9] - '0')
		return mo_err_set(err, MO_EINVAL, "rnokpp_check_digit",
				  "the RNOKPP check digit is wrong: the number is mistyped");
	if (birth_date == NULL)
		return MO_OK;
	if ((want = proto_date_days(birth_date)) < 0)
		return mo_err_set(err, MO_EINVAL, "date",
				  "the birth date is not a real date in the form YYYY-MM-DD");
	days = digits_value(rnokpp, 5);
	if (days != want) {
		civil_from_days(days + days_from_civil(1899, 12, 31), &y, &m, &d);
		return mo_err_set(err, MO_EINVAL, "rnokpp_birth_date",
				  "the RNOKPP encodes the birth date %04ld-%02ld-%02ld, not %s", y,
				  m, d, birth_date);
	}
	return MO_OK;
}

int proto_rnokpp_birth_date(const char *rnokpp, char out_iso[11])
{
	long days, y, m, d;

	out_iso[0] = '\0';
	if (rnokpp == NULL || strlen(rnokpp) != 10 || (days = digits_value(rnokpp, 5)) < 1)
		return MO_EINVAL;
	civil_from_days(days + days_from_civil(1899, 12, 31), &y, &m, &d);
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > 31)
		return MO_EINVAL;
	/* y is 1900..2199 here: digits by hand (checked on every applicant) */
	out_iso[0] = (char)('0' + y / 1000);
	out_iso[1] = (char)('0' + y / 100 % 10);
	out_iso[2] = (char)('0' + y / 10 % 10);
	out_iso[3] = (char)('0' + y % 10);
	out_iso[4] = '-';
	out_iso[5] = (char)('0' + m / 10);
	out_iso[6] = (char)('0' + m % 10);
	out_iso[7] = '-';
	out_iso[8] = (char)('0' + d / 10);
	out_iso[9] = (char)('0' + d % 10);
	out_iso[10] = '\0';
	return MO_OK;
}

int proto_phone_normalize(char out[PROTO_PHONE_LEN], const char *in, struct mo_err *err)
{
	char dig[13];
	size_t nd = 0;
	bool plus = false, inparen = false, paren_used = false;
	const char *p;

	if (in == NULL || strlen(in) > 32)
		goto bad;
	for (p = in; *p; p++) {
		char c = *p;

		if (is_digit(c)) {
			if (nd == 12)
				goto bad;
			dig[nd++] = c;
		} else if (c == '+') {
			/* only in front of everything else */
			if (plus || nd > 0 || paren_used)
				goto bad;
			plus = true;
		} else if (c == '(') {
			if (inparen || paren_used)
				goto bad;
			inparen = paren_used = true;
		} else if (c == ')') {
			if (!inparen)
				goto bad;
			inparen = false;
		} else if (c != ' ' && c != '-') {
			goto bad;
		}
	}
	if (inparen)
		goto bad;
	dig[nd] = '\0';
	if (nd == 12 && memcmp(dig, "380", 3) == 0) {
		memcpy(out, "+", 1);
		memcpy(out + 1, dig, 13);
	} else if (nd == 10 && !plus && dig[0] == '0') {
		memcpy(out, "+38", 3);
		memcpy(out + 3, dig, 11);
	} else {
		goto bad;
	}
	/* the operator or area code never starts with 0 */
	if (out[4] == '0')
		goto bad;
	return MO_OK;
bad:
	out[0] = '\0';
	return mo_err_set(err, MO_EINVAL, "phone",
			  "the phone number is not a Ukrainian number like +380 67 123 45 67");
}

int proto_text_check(const char *s, size_t max, const char *field, struct mo_err *err)
{
	size_t n;
	const unsigned char *u = (const unsigned char *)s;

	if (field == NULL)
		field = "text";
	if (s == NULL)
		return mo_err_set(err, MO_EINVAL, "text", "'%s' is missing", field);
	n = strlen(s);
	if (n > max)
		return mo_err_set(err, MO_EINVAL, "too_long", "'%s' is longer than %zu bytes",
				  field, max);
	if (!proto_utf8_valid(s, n))
		return mo_err_set(err, MO_EINVAL, "utf8", "'%s' is not valid UTF-8 (byte %zu)",
				  field, proto_utf8_prefix(s, n));
	for (size_t i = 0; i < n; i++) {
		/* C0 controls but tab and newline, DEL, and C1 (U+0080..U+009F) */
		bool ctl = (u[i] < 0x20 && u[i] != '\t' && u[i] != '\n') || u[i] == 0x7F ||
			   (u[i] == 0xC2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] <= 0x9F);

		if (ctl)
			return mo_err_set(err, MO_EINVAL, "control_char",
					  "'%s' contains a control character at byte %zu", field,
					  i);
	}
	return MO_OK;
}

/* ---- dates as people write them ---- */

int proto_date_parse(const char *in, char out_iso[11])
{
	long part[3] = {0, 0, 0}, y, m, d;
	int np = 0, nd = 0;
	size_t i = 0, n;
	char sep = 0;

	out_iso[0] = '\0';
	if (in == NULL)
		return MO_EINVAL;
	n = strlen(in);
	while (i < n && in[i] == ' ')
		i++;
	while (n > i && in[n - 1] == ' ')
		n--;
	if (n - i > 10 || n == i)
		return MO_EINVAL;
	for (; i < n; i++) {
		char c = in[i];

		if (is_digit(c)) {
			if (++nd > 4)
				return MO_EINVAL;
			part[np] = part[np] * 10 + (c - '0');
		} else if ((c == '.' || c == '-' || c == '/') && nd > 0 && np < 2 &&
			   (sep == 0 || sep == c)) {
			sep = c;
			np++;
			nd = 0;
		} else {
			return MO_EINVAL;
		}
	}
	if (np != 2 || nd == 0)
		return MO_EINVAL;
	if (sep == '-') { /* ISO only: YYYY-MM-DD */
		y = part[0];
		m = part[1];
		d = part[2];
	} else { /* dd.mm.yyyy with a four-digit year */
		if (nd != 4)
			return MO_EINVAL;
		d = part[0];
		m = part[1];
		y = part[2];
	}
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return MO_EINVAL;
	out_iso[0] = (char)('0' + y / 1000);
	out_iso[1] = (char)('0' + y / 100 % 10);
	out_iso[2] = (char)('0' + y / 10 % 10);
	out_iso[3] = (char)('0' + y % 10);
	out_iso[4] = '-';
	out_iso[5] = (char)('0' + m / 10);
	out_iso[6] = (char)('0' + m % 10);
	out_iso[7] = '-';
	out_iso[8] = (char)('0' + d / 10);
	out_iso[9] = (char)('0' + d % 10);
	out_iso[10] = '\0';
	return MO_OK;
}

void proto_date_display(const char *iso, char out[11])
{
	size_t n;

	if (proto_date_valid(iso)) {
		memcpy(out, iso + 8, 2);
		out[2] = '.';
		memcpy(out + 3, iso + 5, 2);
		out[5] = '.';
		memcpy(out + 6, iso, 4);
		out[10] = '\0';
		return;
	}
	n = iso ? strlen(iso) : 0;
	if (n > 10)
		n = 10;
	if (n)
		memcpy(out, iso, n);
	out[n] = '\0';
}

/* 01:00 UTC on the last Sunday of month m (31-day March or October), in unix seconds */
static int64_t last_sunday_0100(long y, long m)
{
	long days = days_from_civil(y, m, 31);
	/* 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7 */
	long wd = ((days + 4) % 7 + 7) % 7;

	return (int64_t)(days - wd) * 86400 + 3600;
}

static void put2(char *p, long v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

void proto_time_kyiv(int64_t unix_ms, char out[17])
{
	int64_t t = unix_ms >= 0 ? unix_ms / 1000 : -((-unix_ms + 999) / 1000);
	long y, m, d, days, sec;
	int64_t local;

	days = (long)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
	civil_from_days(days, &y, &m, &d);
	local = t + 2 * 3600;
	if (t >= last_sunday_0100(y, 3) && t < last_sunday_0100(y, 10))
		local += 3600;
	days = (long)(local >= 0 ? local / 86400 : -((-local + 86399) / 86400));
	sec = (long)(local - (int64_t)days * 86400);
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		memcpy(out, "??.??.???? ??:??", 17);
		return;
	}
	put2(out, d);
	out[2] = '.';
	put2(out + 3, m);
	out[5] = '.';
	put2(out + 6, y / 100);
	put2(out + 8, y % 100);
	out[10] = ' ';
	put2(out + 11, sec / 3600);
	out[13] = ':';
	put2(out + 14, sec / 60 % 60);
	out[16] = '\0';
}

int64_t proto_datetime_ms(const char *s)
{
	long y, m, d;

	if (!proto_datetime_valid(s) || !date_parts(s, &y, &m, &d))
		return -1;
	return ((int64_t)days_from_civil(y, m, d) * 86400 + digits_value(s + 11, 2) * 3600 +
		digits_value(s + 14, 2) * 60 + digits_value(s + 17, 2)) *
	       1000;
}
