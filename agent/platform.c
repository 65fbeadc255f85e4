/* platform.c — OS wrappers (platform.h): POSIX here, Windows behind _WIN32. */
#include "platform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <direct.h>
#include <io.h>
#include <windows.h>
#else
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#endif

#include "mo_util.h"

bool agent_stderr_is_tty(void)
{
#ifdef _WIN32
	return _isatty(_fileno(stderr)) != 0;
#else
	return isatty(fileno(stderr)) != 0;
#endif
}

static int mkdir_one(const char *p)
{
#ifdef _WIN32
	return _mkdir(p);
#else
	return mkdir(p, 0700);
#endif
}

int agent_mkdir_p(const char *path, struct mo_err *err)
{
	char buf[1200];
	size_t n = mo_strlcpy(buf, path, sizeof(buf));

	if (n >= sizeof(buf))
		return mo_err_set(err, MO_EINVAL, NULL, "path too long: '%s'", path);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\\' && buf[i] != '\0')
			continue;
		char c = buf[i];

		buf[i] = '\0';
		/* a parent may refuse mkdir (a drive "C:", a read-only mount) and still
		 * exist: only the full path must end up created */
		if (mkdir_one(buf) != 0 && errno != EEXIST && i == n)
			return mo_err_set(err, MO_EIO, NULL, "cannot create '%s': %s", buf,
					  strerror(errno));
		buf[i] = c;
	}
	return MO_OK;
}

bool agent_path_exists(const char *path)
{
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return false;
	fclose(f);
	return true;
}

int agent_file_sync(FILE *f)
{
	if (fflush(f) != 0)
		return MO_EIO;
#ifdef _WIN32
	return _commit(_fileno(f)) == 0 ? MO_OK : MO_EIO;
#else
	return fsync(fileno(f)) == 0 ? MO_OK : MO_EIO;
#endif
}

int agent_rename(const char *from, const char *to)
{
#ifdef _WIN32
	return MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING) ? MO_OK : MO_EIO;
#else
	return rename(from, to) == 0 ? MO_OK : MO_EIO;
#endif
}

void agent_hostname(char *out, size_t len)
{
#ifdef _WIN32
	const char *h = getenv("COMPUTERNAME");

	mo_strlcpy(out, h ? h : "", len);
#else
	if (gethostname(out, len) != 0)
		out[0] = '\0';
	out[len - 1] = '\0';
#endif
}

void agent_default_data_dir(char *out, size_t len)
{
#ifdef _WIN32
	const char *base = getenv("LOCALAPPDATA");

	snprintf(out, len, "%s\\mobile-office\\agent", base ? base : ".");
#else
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		snprintf(out, len, "%s/mobile-office/agent", xdg);
	else
		snprintf(out, len, "%s/.local/share/mobile-office/agent", home ? home : ".");
#endif
}

void agent_private_files(void)
{
#ifndef _WIN32
	/* the store and the scans hold personal data: never world-readable */
	umask(077);
#endif
}

void agent_sleep_ms(unsigned ms)
{
#ifdef _WIN32
	Sleep(ms);
#else
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
#endif
}
