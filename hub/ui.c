/*
 * ui.c — the review UI's files (the ui/ directory), compiled into mo-hub by
 * tools/embed.py, so the server never reads the source tree.  "/" is
 * index.html; "/ui/NAME" is one of the embedded files, nothing else (no
 * directories, no "..").  The ETag is a digest of the bytes, so a browser
 * revalidates (Cache-Control: no-cache) and gets 304 until mo-hub changes.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "embedded.h"
#include "mo_util.h"

extern const struct mo_embedded hub_ui[];
extern const size_t hub_ui_count;

static const char *ctype_of(const char *name)
{
	static const struct {
		const char *ext, *ctype;
	} types[] = {
	    {".html", "text/html; charset=utf-8"},
	    {".js", "text/javascript; charset=utf-8"},
	    {".css", "text/css; charset=utf-8"},
	    {".json", "application/json; charset=utf-8"},
	    {".svg", "image/svg+xml"},
	    {".png", "image/png"},
	    {".ico", "image/x-icon"},
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].ctype;
	return "application/octet-stream";
}

int hub_ui_find(const char *path, struct hub_ui_file *out)
{
	const char *name;
	char hex[MO_SHA256_HEX];

	if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0)
		name = "index.html";
	else if (strcmp(path, "/status") == 0)
		name = "status.html"; /* the citizens' page (public.h) */
	else if (strncmp(path, "/ui/", 4) == 0)
		name = path + 4;
	else
		return MO_ENOTFOUND;
	if (*name == '\0' || strchr(name, '/'))
		return MO_ENOTFOUND;
	for (size_t i = 0; i < hub_ui_count; i++) {
		if (strcmp(hub_ui[i].name, name) != 0)
			continue;
		out->data = hub_ui[i].data;
		out->len = hub_ui[i].len;
		out->ctype = ctype_of(name);
		mo_sha256_hex(hex, hub_ui[i].data, hub_ui[i].len);
		snprintf(out->etag, sizeof(out->etag), "\"%.16s\"", hex);
		return MO_OK;
	}
	return MO_ENOTFOUND;
}
