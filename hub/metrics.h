/*
 * metrics.h — the hub's Prometheus counters (GET /metrics).
 *
 * Counters live in the process (one mutex; updates are a few per request,
 * never contended enough to matter); gauges that the database knows
 * (devices active) are read at scrape time.
 */
#ifndef HUB_METRICS_H
#define HUB_METRICS_H

#include <pthread.h>
#include <stddef.h>

#include "mo_buf.h"
#include "mo_err.h"

#define HUB_METRICS_CODES 24
#define HUB_METRICS_BUCKETS 12

struct hub_metrics {
	pthread_mutex_t lock;
	unsigned long long batches_applied;
	unsigned long long quarantined;
	unsigned long long bytes_in, bytes_out;
	struct {
		char code[32];
		unsigned long long n;
	} rejected[HUB_METRICS_CODES];
	unsigned long long apply_bucket[HUB_METRICS_BUCKETS]; /* cumulative at render */
	unsigned long long apply_count;
	double apply_sum;
	unsigned long long password_checks;   /* scrypt verifications at sign-in */
	unsigned long long group_commits;     /* apply transactions that committed batches */
	unsigned long long status_lookups[3]; /* public status lookups, by enum hub_lookup */
};

/* how a public status lookup ended (public.c) */
enum hub_lookup { HUB_LOOKUP_FOUND, HUB_LOOKUP_NOT_FOUND, HUB_LOOKUP_LIMITED };

void hub_metrics_init(struct hub_metrics *m);
void hub_metrics_release(struct hub_metrics *m);

void hub_metrics_applied(struct hub_metrics *m, double seconds, size_t quarantined);
void hub_metrics_rejected(struct hub_metrics *m, const char *code);
/* one group commit of n batches (sync.c) */
void hub_metrics_group(struct hub_metrics *m, size_t n);
void hub_metrics_bytes(struct hub_metrics *m, size_t in, size_t out);
void hub_metrics_password_check(struct hub_metrics *m);
void hub_metrics_status_lookup(struct hub_metrics *m, enum hub_lookup result);

/* the text exposition format; devices_active from the store */
int hub_metrics_render(struct hub_metrics *m, long long devices_active,
		       struct mo_buf *out) MO_WARN_UNUSED;

#endif
