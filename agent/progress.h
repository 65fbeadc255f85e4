/*
 * progress.h — a one-line progress bar on stderr (bytes or items, percent,
 * ETA), drawn only when stderr is a terminal so logs and pipes stay clean.
 */
#ifndef AGENT_PROGRESS_H
#define AGENT_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct agent_progress {
	bool on;
	bool bytes; /* show sizes as bytes (KiB/MiB) rather than items */
	const char *label;
	long long total;
	long long done;
	uint64_t start_ms;
	uint64_t last_ms;
};

void agent_progress_start(struct agent_progress *p, bool enabled, const char *label,
			  long long total, bool bytes);
void agent_progress_set(struct agent_progress *p, long long done);
/* erase the line */
void agent_progress_end(struct agent_progress *p);

#endif
