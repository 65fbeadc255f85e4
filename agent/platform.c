/* platform.c — OS wrappers (platform.h): POSIX here, Windows behind _WIN32. */
#include "platform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <direct.h>
#include <io.h>
#include <windows.h>
#include <process.h>
#include <shellapi.h>
#include <winsock2.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

struct agent_thread {
#ifdef _WIN32
	HANDLE h;
#else
	pthread_t t;
#endif
	void (*fn)(void *);
	void *arg;
};

#ifdef _WIN32
static unsigned __stdcall thread_main(void *p)
{
	struct agent_thread *t = p;

	t->fn(t->arg);
	return 0;
}
#else
static void *thread_main(void *p)
{
	struct agent_thread *t = p;

	t->fn(t->arg);
	return NULL;
}
#endif

int agent_thread_start(struct agent_thread **out, void (*fn)(void *), void *arg)
{
	struct agent_thread *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (t == NULL)
		return MO_ENOMEM;
	t->fn = fn;
	t->arg = arg;
#ifdef _WIN32
	t->h = (HANDLE)_beginthreadex(NULL, 0, thread_main, t, 0, NULL);
	if (t->h == 0) {
		free(t);
		return MO_ERROR;
	}
#else
	if (pthread_create(&t->t, NULL, thread_main, t) != 0) {
		free(t);
		return MO_ERROR;
	}
#endif
	*out = t;
	return MO_OK;
}

void agent_thread_join(struct agent_thread *t)
{
	if (t == NULL)
		return;
#ifdef _WIN32
	WaitForSingleObject(t->h, INFINITE);
	CloseHandle(t->h);
#else
	pthread_join(t->t, NULL);
#endif
	free(t);
}

size_t agent_loopback_addr(void *out, size_t cap, unsigned port)
{
	struct sockaddr_in sa;

	if (cap < sizeof(sa))
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memcpy(out, &sa, sizeof(sa));
	return sizeof(sa);
}

int agent_open_browser(const char *url)
{
#ifdef _WIN32
	return (INT_PTR)ShellExecuteA(NULL, "open", url, NULL, NULL, SW_SHOWNORMAL) > 32 ? MO_OK
											 : MO_ERROR;
#else
#ifdef __APPLE__
	const char *opener = "open";
#else
	const char *opener = "xdg-open";
#endif
	pid_t pid = fork();

	if (pid < 0)
		return MO_ERROR;
	if (pid == 0) {
		/* a grandchild runs the opener, so nobody has to reap it later */
		if (fork() == 0) {
			execlp(opener, opener, url, (char *)NULL);
			_exit(127);
		}
		_exit(0);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return MO_OK;
#endif
}

#ifdef _WIN32
static HANDLE stop_event;

static BOOL WINAPI on_ctrl(DWORD type)
{
	(void)type;
	SetEvent(stop_event);
	return TRUE;
}

void agent_stop_signals_block(void)
{
	stop_event = CreateEventA(NULL, TRUE, FALSE, NULL);
	SetConsoleCtrlHandler(on_ctrl, TRUE);
}

void agent_stop_signals_wait(void)
{
	WaitForSingleObject(stop_event, INFINITE);
}
#else
void agent_stop_signals_block(void)
{
	sigset_t set;

	/* threads started after this inherit the mask; only sigwait sees them */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void agent_stop_signals_wait(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	while (sigwait(&set, &sig) != 0)
		;
}
#endif
