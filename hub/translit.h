/*
 * translit.h — Ukrainian Cyrillic in Latin letters by the national table
 * (Resolution of the Cabinet of Ministers of Ukraine No. 55 of 27 January
 * 2010, the one used for names in passports): Гнатюк → Hnatiuk, Згорани →
 * Zghorany, Юрій → Yurii.
 *
 * The review queue's search uses it so that a name read off a passport or
 * typed on a Latin keyboard finds the Cyrillic record (store_staff.c).
 */
#ifndef HUB_TRANSLIT_H
#define HUB_TRANSLIT_H

#include <stddef.h>

#include "mo_buf.h"

/*
 * Append the Latin form of the UTF-8 text s (n bytes) to out.  Letters of
 * the table follow its rules — є ї й ю я as ye yi y yu ya at the start of a
 * word, ie i i iu ia elsewhere; зг as zgh; ь and the apostrophe (' ’ ʼ)
 * dropped — and keep their case (Щ → Shch, ЩУР → SHCHUR).  Everything else
 * (Latin, digits, punctuation, other scripts) is copied as it is; invalid
 * UTF-8 bytes too.  MO_ENOMEM / MO_ETOOBIG from out's cap.
 */
int hub_translit(struct mo_buf *out, const char *s, size_t n);

/*
 * Does every word of `words` (ASCII letters and digits, separated
 * by anything else) start a word of the Latin form of one of the n texts
 * (NULL texts are skipped)?  Case-insensitive; false for no words.
 */
int hub_translit_match(const char *words, const char *const *texts, size_t n);

/*
 * Compare two UTF-8 texts in the order of the Ukrainian alphabet (а б в г ґ
 * д е є ж з и і ї й … ь ю я), ignoring case; Latin letters ignore case too,
 * anything else by code point; texts equal so far compare by their bytes.
 * <0, 0, >0 as memcmp.  The queue's column sort (SQL collation mo_uk).
 */
int hub_uk_compare(const void *a, size_t na, const void *b, size_t nb);

#endif
