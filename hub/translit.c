/*
 * translit.c — the national transliteration table (translit.h).
 *
 * The table of KMU Resolution No. 55 (2010) in code point order, with the
 * two forms of the letters whose Latin depends on the place in the word,
 * and the one two-letter rule (зг → zgh, so that it is not read as ж).
 */
#include "translit.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mo_err.h"

/* the lower-case letters: Latin in a word, at its start (NULL: the same) */
struct letter {
	uint32_t cp;
	const char *latin, *initial;
};

static const struct letter table[] = {
    {0x0430, "a", NULL},  {0x0431, "b", NULL},	  {0x0432, "v", NULL},	{0x0433, "h", NULL},
    {0x0434, "d", NULL},  {0x0435, "e", NULL},	  {0x0436, "zh", NULL}, {0x0437, "z", NULL},
    {0x0438, "y", NULL},  {0x0439, "i", "y"},	  {0x043A, "k", NULL},	{0x043B, "l", NULL},
    {0x043C, "m", NULL},  {0x043D, "n", NULL},	  {0x043E, "o", NULL},	{0x043F, "p", NULL},
    {0x0440, "r", NULL},  {0x0441, "s", NULL},	  {0x0442, "t", NULL},	{0x0443, "u", NULL},
    {0x0444, "f", NULL},  {0x0445, "kh", NULL},	  {0x0446, "ts", NULL}, {0x0447, "ch", NULL},
    {0x0448, "sh", NULL}, {0x0449, "shch", NULL}, {0x044C, "", NULL},	{0x044E, "iu", "yu"},
    {0x044F, "ia", "ya"}, {0x0454, "ie", "ye"},	  {0x0456, "i", NULL},	{0x0457, "i", "yi"},
    {0x0491, "g", NULL},
};

#define CP_NONE 0xFFFFFFFFu

/* one code point at s[*i] (n bytes); an invalid byte is returned as
 * CP_NONE with *len 1 */
static uint32_t decode(const unsigned char *s, size_t n, size_t i, size_t *len)
{
	unsigned char c = s[i];
	uint32_t cp;
	size_t need;

	*len = 1;
	if (c < 0x80)
		return c;
	if ((c & 0xE0) == 0xC0) {
		need = 2;
		cp = c & 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		need = 3;
		cp = c & 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		need = 4;
		cp = c & 0x07;
	} else {
		return CP_NONE;
	}
	if (i + need > n)
		return CP_NONE;
	for (size_t k = 1; k < need; k++) {
		if ((s[i + k] & 0xC0) != 0x80)
			return CP_NONE;
		cp = (cp << 6) | (s[i + k] & 0x3F);
	}
	*len = need;
	return cp;
}

/* the lower-case form of a Ukrainian capital, else cp; *upper says which */
static uint32_t fold(uint32_t cp, bool *upper)
{
	*upper = true;
	if (cp >= 0x0410 && cp <= 0x042F)
		return cp + 0x20;
	if (cp == 0x0404 || cp == 0x0406 || cp == 0x0407)
		return cp + 0x50;
	if (cp == 0x0490)
		return 0x0491;
	*upper = false;
	return cp;
}

static const struct letter *find(uint32_t lower)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].cp == lower)
			return &table[i];
	return NULL;
}

static bool is_apostrophe(uint32_t cp)
{
	return cp == '\'' || cp == 0x2019 || cp == 0x02BC;
}

/* a letter for the start-of-word rule: of the table, or ASCII */
static bool is_letter(uint32_t cp)
{
	bool up;

	return find(fold(cp, &up)) != NULL ||
	       (cp < 0x80 && ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z'));
}

static bool is_upper(uint32_t cp)
{
	bool up;

	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z';
	(void)fold(cp, &up);
	return up;
}

static int add_cased(struct mo_buf *out, const char *latin, bool upper, bool all)
{
	int rc = MO_OK;

	for (size_t k = 0; latin[k] && rc == MO_OK; k++) {
		unsigned char ch = (unsigned char)latin[k];

		if (upper && (k == 0 || all))
			ch = (unsigned char)(ch - 'a' + 'A');
		rc = mo_buf_addc(out, ch);
	}
	return rc;
}

int hub_translit(struct mo_buf *out, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	uint32_t prev = CP_NONE;
	int rc = MO_OK;

	for (size_t i = 0, len = 0; i < n && rc == MO_OK; i += len) {
		uint32_t cp = decode(s, n, i, &len), next = CP_NONE;
		bool upper, all, initial;
		const struct letter *l = find(fold(cp, &upper));
		const char *latin;
		size_t nlen;

		if (l == NULL) {
			if (!is_apostrophe(cp))
				rc = mo_buf_add(out, s + i, len);
			prev = cp;
			continue;
		}
		if (i + len < n)
			next = decode(s, n, i + len, &nlen);
		/* the start of a word: nothing before it but a non-letter (an
		 * apostrophe is inside the word: Мар'їне → Marine) */
		initial = prev == CP_NONE || (!is_letter(prev) && !is_apostrophe(prev));
		latin = initial && l->initial ? l->initial : l->latin;
		if (l->cp == 0x0433 && prev != CP_NONE && fold(prev, &all) == 0x0437)
			latin = "gh"; /* зг: Згорани → Zghorany, not Zhorany */
		/* a capital in a word of capitals is all capitals (ЩУР → SHCHUR),
		 * else only its first letter (Щур → Shchur) */
		all = is_upper(next) || (!is_letter(next) && is_upper(prev) && is_letter(prev));
		rc = add_cased(out, latin, upper, all);
		prev = cp;
	}
	return rc;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
}

/* does word (wlen bytes) start a word of the lower-cased Latin text t? */
static bool starts_a_word(const char *t, size_t tlen, const char *word, size_t wlen)
{
	for (size_t i = 0; i + wlen <= tlen; i++) {
		bool start = i == 0 || !((t[i - 1] >= 'a' && t[i - 1] <= 'z') ||
					 (t[i - 1] >= '0' && t[i - 1] <= '9'));

		size_t k = 0;

		while (start && k < wlen && t[i + k] == lower(word[k]))
			k++;
		if (start && k == wlen)
			return true;
	}
	return false;
}

static bool word_char(char c)
{
	c = lower(c);
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int hub_translit_match(const char *words, const char *const *texts, size_t n)
{
	struct mo_buf all = MO_BUF_INIT(64u << 10);
	bool any = false, ok = true;

	if (words == NULL)
		return 0;
	/* the Latin of every text, lower-cased, separated by spaces */
	for (size_t i = 0; i < n; i++) {
		if (texts[i] == NULL)
			continue;
		if (hub_translit(&all, texts[i], strlen(texts[i])) != MO_OK ||
		    mo_buf_addc(&all, ' ') != MO_OK) {
			mo_buf_release(&all);
			return 0;
		}
	}
	for (size_t i = 0; i < all.len; i++)
		if (all.data[i] >= 'A' && all.data[i] <= 'Z')
			all.data[i] = (unsigned char)(all.data[i] | 0x20);
	for (const char *p = words; *p && ok;) {
		const char *w;

		while (*p && !word_char(*p))
			p++;
		w = p;
		while (word_char(*p))
			p++;
		if (p == w)
			break;
		any = true;
		ok = starts_a_word((const char *)all.data, all.len, w, (size_t)(p - w));
	}
	mo_buf_release(&all);
	return any && ok;
}

/* the Ukrainian alphabet, lower case, in order */
static const uint32_t alphabet[] = {
    0x0430, 0x0431, 0x0432, 0x0433, 0x0491, 0x0434, 0x0435, 0x0454, 0x0436, 0x0437, 0x0438,
    0x0456, 0x0457, 0x0439, 0x043A, 0x043B, 0x043C, 0x043D, 0x043E, 0x043F, 0x0440, 0x0441,
    0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447, 0x0448, 0x0449, 0x044C, 0x044E, 0x044F,
};

/* the primary weight of a code point: the alphabet's letters in its order
 * (where the Cyrillic block starts), ASCII letters folded, the rest as is */
static uint32_t weight(uint32_t cp)
{
	bool up;
	uint32_t l = fold(cp, &up);

	for (size_t i = 0; i < sizeof(alphabet) / sizeof(alphabet[0]); i++)
		if (alphabet[i] == l)
			return 0x0400 + (uint32_t)i;
	if (cp >= 'A' && cp <= 'Z')
		return cp | 0x20;
	return cp;
}

int hub_uk_compare(const void *a, size_t na, const void *b, size_t nb)
{
	const unsigned char *x = a, *y = b;
	size_t i = 0, j = 0;
	int r;

	while (i < na && j < nb) {
		size_t li, lj;
		uint32_t wa = weight(decode(x, na, i, &li)), wb = weight(decode(y, nb, j, &lj));

		if (wa != wb)
			return wa < wb ? -1 : 1;
		i += li;
		j += lj;
	}
	if (i < na || j < nb)
		return i < na ? 1 : -1;
	r = na && nb ? memcmp(a, b, na < nb ? na : nb) : 0;
	return r ? r : (na > nb) - (na < nb);
}
