/* progress.c — progress bar on a terminal (progress.h). */
#include "progress.h"

#include <stdio.h>

#include "mo_util.h"
#include "platform.h"

void agent_progress_start(struct agent_progress *p, bool enabled, const char *label,
			  long long total, bool bytes)
{
	p->on = enabled && agent_stderr_is_tty();
	p->bytes = bytes;
	p->label = label;
	p->total = total;
	p->done = 0;
	p->start_ms = mo_now_ms();
	p->last_ms = 0;
}

static void human(char *out, size_t len, long long v, bool bytes)
{
	if (!bytes)
		snprintf(out, len, "%lld", v);
	else if (v >= 1 << 20)
		snprintf(out, len, "%.1f MiB", (double)v / (1 << 20));
	else if (v >= 1 << 10)
		snprintf(out, len, "%.1f KiB", (double)v / (1 << 10));
	else
		snprintf(out, len, "%lld B", v);
}

void agent_progress_set(struct agent_progress *p, long long done)
{
	uint64_t now;
	char a[32], b[32], eta[32] = "--:--";
	double frac;
	int width = 30, fill;

	p->done = done;
	if (!p->on)
		return;
	now = mo_now_ms();
	if (now - p->last_ms < 100 && done < p->total)
		return; /* redraw at most 10 times a second */
	p->last_ms = now;
	frac = p->total > 0 ? (double)done / (double)p->total : 0;
	if (frac > 1)
		frac = 1;
	fill = (int)(frac * width);
	if (done > 0 && now > p->start_ms) {
		double rate = (double)done / (double)(now - p->start_ms);
		long long left =
		    rate > 0 ? (long long)((double)(p->total - done) / rate / 1000) : 0;

		if (left < 0)
			left = 0;
		snprintf(eta, sizeof(eta), "%lld:%02lld", left / 60, left % 60);
	}
	human(a, sizeof(a), done, p->bytes);
	human(b, sizeof(b), p->total, p->bytes);
	fprintf(stderr, "\r%s [", p->label);
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %3d%% %s/%s ETA %s ", (int)(frac * 100), a, b, eta);
	fflush(stderr);
}

void agent_progress_end(struct agent_progress *p)
{
	if (!p->on)
		return;
	fprintf(stderr, "\r%*s\r", 100, "");
	fflush(stderr);
	p->on = false;
}
