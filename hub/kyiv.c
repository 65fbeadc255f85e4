/* kyiv.c — Kyiv local time from the TZ database (kyiv.h). */
#include "kyiv.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

#define TZ_MAX_TRANS 2000
#define TZ_MAX_TYPES 64
#define TZ_FILE_MAX (256 * 1024)

static struct {
	int64_t at[TZ_MAX_TRANS];  /* transition instants, ascending */
	int32_t off[TZ_MAX_TRANS]; /* the offset from each one on */
	size_t n;
	int32_t first_off; /* before the first transition */
	char source[256];
} tz;

static pthread_once_t tz_once = PTHREAD_ONCE_INIT;

static int64_t be(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	if (bytes == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

/* one TZif data block (v1: 4-byte times, v2+: 8-byte); false when malformed */
static bool tzif_block(const unsigned char *d, size_t len, size_t *pos, int tbytes, bool keep)
{
	size_t p = *pos, need;
	int64_t isut, isstd, leap, timecnt, typecnt, charcnt;
	int32_t offs[TZ_MAX_TYPES];

	if (len < p + 44 || memcmp(d + p, "TZif", 4) != 0)
		return false;
	isut = be(d + p + 20, 4), isstd = be(d + p + 24, 4), leap = be(d + p + 28, 4);
	timecnt = be(d + p + 32, 4), typecnt = be(d + p + 36, 4), charcnt = be(d + p + 40, 4);
	if (isut < 0 || isstd < 0 || leap < 0 || timecnt < 0 || timecnt > TZ_MAX_TRANS ||
	    typecnt < 1 || typecnt > TZ_MAX_TYPES || charcnt < 0 || charcnt > 4096 || leap > 1000 ||
	    isut > TZ_MAX_TYPES || isstd > TZ_MAX_TYPES)
		return false;
	p += 44;
	need = (size_t)timecnt * (size_t)(tbytes + 1) + (size_t)typecnt * 6 + (size_t)charcnt +
	       (size_t)leap * (size_t)(tbytes + 4) + (size_t)isstd + (size_t)isut;
	if (len < p + need)
		return false;
	if (keep) {
		const unsigned char *times = d + p, *idx = times + timecnt * tbytes,
				    *types = idx + timecnt;

		for (int64_t i = 0; i < typecnt; i++)
			offs[i] = (int32_t)be(types + i * 6, 4);
		for (int64_t i = 0; i < timecnt; i++) {
			if (idx[i] >= typecnt)
				return false;
			tz.at[i] = be(times + i * tbytes, tbytes);
			tz.off[i] = offs[idx[i]];
			if (i > 0 && tz.at[i] <= tz.at[i - 1])
				return false;
		}
		tz.n = (size_t)timecnt;
		tz.first_off = offs[0];
	}
	*pos = p + need;
	return true;
}

static void tz_load(void)
{
	const char *path = getenv("MO_TZFILE");
	unsigned char *d = NULL;
	size_t len = 0, pos = 0;
	FILE *f;

	if (path == NULL || *path == '\0')
		path = "/usr/share/zoneinfo/Europe/Kyiv";
	if ((f = fopen(path, "rb")) == NULL) {
		/* tzdata before 2022b knows only the old spelling */
		path = "/usr/share/zoneinfo/Europe/Kiev";
		if ((f = fopen(path, "rb")) == NULL)
			return;
	}
	if ((d = malloc(TZ_FILE_MAX)) != NULL)
		len = fread(d, 1, TZ_FILE_MAX, f);
	fclose(f);
	if (d == NULL || len < 44)
		goto done;
	if (d[4] >= '2') {
		/* skip the 32-bit block, keep the 64-bit one */
		if (!tzif_block(d, len, &pos, 4, false) || !tzif_block(d, len, &pos, 8, true))
			goto bad;
	} else if (!tzif_block(d, len, &pos, 4, true)) {
		goto bad;
	}
	snprintf(tz.source, sizeof(tz.source), "%s", path);
	goto done;
bad:
	tz.n = 0;
done:
	free(d);
}

/* days since 1970-01-01 of a civil date (Howard Hinnant's algorithm) */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

/* 01:00 UTC on the last Sunday of a 31-day month */
static int64_t last_sunday_0100(int64_t y, int m)
{
	int64_t days = days_from_civil(y, m, 31);
	int64_t wd = ((days + 4) % 7 + 7) % 7; /* 0 = Sunday; 1970-01-01 a Thursday */

	return (days - wd) * 86400 + 3600;
}

static int eu_rule(int64_t t)
{
	int y, m, d;

	civil_from_days(t >= 0 ? t / 86400 : -((-t + 86399) / 86400), &y, &m, &d);
	return t >= last_sunday_0100(y, 3) && t < last_sunday_0100(y, 10) ? 10800 : 7200;
}

int hub_kyiv_offset(int64_t t)
{
	size_t lo = 0, hi;

	pthread_once(&tz_once, tz_load);
	if (tz.n == 0 || t >= tz.at[tz.n - 1])
		return eu_rule(t); /* the footer's rule, after the table */
	if (t < tz.at[0])
		return tz.first_off;
	/* the last transition at or before t */
	hi = tz.n - 1;
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;

		if (tz.at[mid] <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return tz.off[lo];
}

const char *hub_kyiv_source(void)
{
	pthread_once(&tz_once, tz_load);
	return tz.source;
}

bool hub_kyiv_parts(const char *iso, struct hub_local *out)
{
	int64_t ms = iso ? proto_datetime_ms(iso) : -1, t, local, days;

	if (ms < 0)
		return false;
	t = ms / 1000;
	local = t + hub_kyiv_offset(t);
	days = local / 86400;
	civil_from_days(days, &out->year, &out->month, &out->day);
	local -= days * 86400;
	out->hour = (int)(local / 3600);
	out->min = (int)(local / 60 % 60);
	out->sec = (int)(local % 60);
	return true;
}

const char *hub_kyiv_text(const char *iso, char out[17])
{
	struct hub_local l;

	out[0] = '\0';
	if (hub_kyiv_parts(iso, &l) && l.year >= 0 && l.year <= 9999)
		snprintf(out, 17, "%02u.%02u.%04u %02u:%02u", (unsigned)l.day % 32u,
			 (unsigned)l.month % 13u, (unsigned)l.year % 10000u, (unsigned)l.hour % 24u,
			 (unsigned)l.min % 60u);
	return out;
}
