/*
 * embedded.h — data files compiled into the program (tools/embed.py):
 * the preset dictionaries and the seed catalogue.  The table ends with a
 * {NULL, NULL, 0} entry.
 */
#ifndef MO_EMBEDDED_H
#define MO_EMBEDDED_H

#include <stddef.h>

struct mo_embedded {
	const char *name; /* base name of the source file */
	const unsigned char *data;
	size_t len;
};

extern const struct mo_embedded proto_dicts[];
extern const size_t proto_dicts_count;
extern const struct mo_embedded proto_catalogue[];
extern const size_t proto_catalogue_count;

#endif
