/*
 * kyiv.h — UTC instants in Kyiv local time (Europe/Kyiv) for the exports,
 * the reports and the CLI, from the TZ database: the transitions of the
 * system's TZif file (/usr/share/zoneinfo/Europe/Kyiv, or $MO_TZFILE for
 * tests), read once.  After its last transition, or without the file, the
 * rule Ukraine keeps since 1996 (the EU's: EEST from 01:00 UTC on the last
 * Sunday of March to 01:00 UTC on the last Sunday of October, else EET),
 * which is the TZif footer "EET-2EEST,M3.5.0/3,M10.5.0/4".
 *
 * The process's TZ and localtime() are never touched: the hub is threaded.
 */
#ifndef HUB_KYIV_H
#define HUB_KYIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the offset from UTC of Kyiv local time at unix second t (7200 or 10800) */
int hub_kyiv_offset(int64_t t);

/* a broken-down local time */
struct hub_local {
	int year, month, day, hour, min, sec;
};

/*
 * An ISO datetime of the wire ("2026-12-02T12:05:00Z", "...:00.123Z") in
 * Kyiv local time; false when iso is not such a datetime.
 */
bool hub_kyiv_parts(const char *iso, struct hub_local *out);

/*
 * The same as text for people: "02.12.2026 14:05" (17 bytes with the NUL);
 * "" for NULL or a value that is not a datetime.
 */
const char *hub_kyiv_text(const char *iso, char out[17]);

/* the file the offsets were read from, "" when the built-in rule is used */
const char *hub_kyiv_source(void);

#endif
