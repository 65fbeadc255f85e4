/*
 * platform.h — the few operating-system calls mo-agent needs, behind small
 * wrappers so the rest of agent/ stays portable C17 (POSIX and Windows).
 */
#ifndef AGENT_PLATFORM_H
#define AGENT_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "mo_err.h"

/* is stderr a terminal (progress bars only then) */
bool agent_stderr_is_tty(void);
/* create a directory and its parents (mode 0700 where that means something) */
int agent_mkdir_p(const char *path, struct mo_err *err) MO_WARN_UNUSED;
bool agent_path_exists(const char *path);
/* flush a file's data to stable storage (fsync / _commit) */
int agent_file_sync(FILE *f) MO_WARN_UNUSED;
/* rename over an existing target where the OS allows it */
int agent_rename(const char *from, const char *to) MO_WARN_UNUSED;
/* this machine's name, "" when unknown */
void agent_hostname(char *out, size_t len);
/* the default data directory: $XDG_DATA_HOME/mobile-office/agent etc. */
void agent_default_data_dir(char *out, size_t len);
/* files this process creates are private to the user (umask 077 on POSIX) */
void agent_private_files(void);
/* sleep for ms milliseconds */
void agent_sleep_ms(unsigned ms);

/* ---- for the local browser UI (ui.c) ---- */

/* a thread running fn(arg); join it exactly once */
struct agent_thread;
int agent_thread_start(struct agent_thread **out, void (*fn)(void *), void *arg) MO_WARN_UNUSED;
void agent_thread_join(struct agent_thread *t);
/*
 * Fill out (a struct sockaddr of at most cap bytes) with 127.0.0.1:port;
 * returns its length, 0 when cap is too small.
 */
size_t agent_loopback_addr(void *out, size_t cap, unsigned port);
/* open url in the default browser without waiting for it; MO_OK or MO_ERROR */
int agent_open_browser(const char *url);
/* block SIGINT/SIGTERM (before threads start), then wait for one of them */
void agent_stop_signals_block(void);
void agent_stop_signals_wait(void);

#endif
