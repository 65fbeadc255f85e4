/* metrics.c — Prometheus text exposition of the hub's counters (metrics.h). */
#include "metrics.h"

#include <stdio.h>
#include <string.h>

/* upper bounds of mo_apply_seconds, seconds; the last bucket is +Inf */
static const double bounds[HUB_METRICS_BUCKETS - 1] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
						       0.25,  0.5,   1,	   2.5,	  5};

void hub_metrics_init(struct hub_metrics *m)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
}

void hub_metrics_release(struct hub_metrics *m)
{
	pthread_mutex_destroy(&m->lock);
}

void hub_metrics_group(struct hub_metrics *m, size_t n)
{
	(void)n; /* the batches are counted one by one in hub_metrics_applied */
	pthread_mutex_lock(&m->lock);
	m->group_commits++;
	pthread_mutex_unlock(&m->lock);
}

void hub_metrics_applied(struct hub_metrics *m, double seconds, size_t quarantined)
{
	size_t b = 0;

	while (b < HUB_METRICS_BUCKETS - 1 && seconds > bounds[b])
		b++;
	pthread_mutex_lock(&m->lock);
	m->batches_applied++;
	m->quarantined += quarantined;
	m->apply_bucket[b]++;
	m->apply_count++;
	m->apply_sum += seconds;
	pthread_mutex_unlock(&m->lock);
}

void hub_metrics_password_check(struct hub_metrics *m)
{
	pthread_mutex_lock(&m->lock);
	m->password_checks++;
	pthread_mutex_unlock(&m->lock);
}

void hub_metrics_status_lookup(struct hub_metrics *m, enum hub_lookup result)
{
	pthread_mutex_lock(&m->lock);
	m->status_lookups[result]++;
	pthread_mutex_unlock(&m->lock);
}

void hub_metrics_rejected(struct hub_metrics *m, const char *code)
{
	if (code == NULL || *code == '\0')
		code = "internal";
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < HUB_METRICS_CODES; i++) {
		if (m->rejected[i].code[0] == '\0')
			snprintf(m->rejected[i].code, sizeof(m->rejected[i].code), "%s", code);
		if (strcmp(m->rejected[i].code, code) == 0) {
			m->rejected[i].n++;
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
}

void hub_metrics_bytes(struct hub_metrics *m, size_t in, size_t out)
{
	pthread_mutex_lock(&m->lock);
	m->bytes_in += in;
	m->bytes_out += out;
	pthread_mutex_unlock(&m->lock);
}

static int render(const struct hub_metrics *m, long long devices, struct mo_buf *o)
{
	unsigned long long cum = 0;
	int rc = MO_OK;

#define ADD(...)                                                                                   \
	do {                                                                                       \
		if ((rc = mo_buf_addf(o, __VA_ARGS__)) != MO_OK)                                   \
			return rc;                                                                 \
	} while (0)
	ADD("# HELP mo_batches_applied_total Upload batches applied.\n"
	    "# TYPE mo_batches_applied_total counter\n"
	    "mo_batches_applied_total %llu\n",
	    m->batches_applied);
	ADD("# HELP mo_apply_commits_total Apply transactions committed (one may hold the "
	    "batches of several laptops).\n"
	    "# TYPE mo_apply_commits_total counter\n"
	    "mo_apply_commits_total %llu\n",
	    m->group_commits);
	ADD("# HELP mo_password_checks_total Staff passwords checked (scrypt) at sign-in.\n"
	    "# TYPE mo_password_checks_total counter\n"
	    "mo_password_checks_total %llu\n",
	    m->password_checks);
	ADD("# HELP mo_status_lookups_total Public status lookups by receipt, by result.\n"
	    "# TYPE mo_status_lookups_total counter\n"
	    "mo_status_lookups_total{result=\"found\"} %llu\n"
	    "mo_status_lookups_total{result=\"not_found\"} %llu\n"
	    "mo_status_lookups_total{result=\"limited\"} %llu\n",
	    m->status_lookups[HUB_LOOKUP_FOUND], m->status_lookups[HUB_LOOKUP_NOT_FOUND],
	    m->status_lookups[HUB_LOOKUP_LIMITED]);
	ADD("# HELP mo_batches_rejected_total Sync requests refused, by error code.\n"
	    "# TYPE mo_batches_rejected_total counter\n");
	for (size_t i = 0; i < HUB_METRICS_CODES && m->rejected[i].code[0]; i++)
		ADD("mo_batches_rejected_total{code=\"%s\"} %llu\n", m->rejected[i].code,
		    m->rejected[i].n);
	ADD("# HELP mo_changes_quarantined_total Changes kept aside with a reason.\n"
	    "# TYPE mo_changes_quarantined_total counter\n"
	    "mo_changes_quarantined_total %llu\n",
	    m->quarantined);
	ADD("# HELP mo_bytes_in_total Request body bytes received.\n"
	    "# TYPE mo_bytes_in_total counter\n"
	    "mo_bytes_in_total %llu\n"
	    "# HELP mo_bytes_out_total Response body bytes sent.\n"
	    "# TYPE mo_bytes_out_total counter\n"
	    "mo_bytes_out_total %llu\n",
	    m->bytes_in, m->bytes_out);
	ADD("# HELP mo_apply_seconds Time to verify and apply one upload batch.\n"
	    "# TYPE mo_apply_seconds histogram\n");
	for (size_t b = 0; b < HUB_METRICS_BUCKETS; b++) {
		cum += m->apply_bucket[b];
		if (b < HUB_METRICS_BUCKETS - 1)
			ADD("mo_apply_seconds_bucket{le=\"%g\"} %llu\n", bounds[b], cum);
		else
			ADD("mo_apply_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
	}
	ADD("mo_apply_seconds_sum %.6f\nmo_apply_seconds_count %llu\n", m->apply_sum,
	    m->apply_count);
	ADD("# HELP mo_devices_active Enrolled devices not revoked.\n"
	    "# TYPE mo_devices_active gauge\n"
	    "mo_devices_active %lld\n",
	    devices);
#undef ADD
	return rc;
}

int hub_metrics_render(struct hub_metrics *m, long long devices_active, struct mo_buf *out)
{
	int rc;

	pthread_mutex_lock(&m->lock);
	rc = render(m, devices_active, out);
	pthread_mutex_unlock(&m->lock);
	return rc;
}
