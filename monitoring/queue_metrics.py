"""The background-job queue as Prometheus gauges, read from PostgreSQL when /metrics is scraped.

Two queries per scrape (practice.selectors.jobs.queue_stats), whatever the queue's size. While the circuit
breaker is open, or if the read fails, the queue's series are left out and the rest of /metrics is served:
Prometheus keeps scraping through a database outage.
"""

import logging

from django.db import DatabaseError
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from practice.selectors.jobs import queue_stats

from .breaker import breaker

logger = logging.getLogger("prepnexus.metrics")

# name suffix: (QueueStats field, help)
GAUGES = {
    "ready": ("ready", "Jobs waiting to run now (the queue's depth)."),
    "scheduled": ("scheduled", "Jobs waiting for their time: retries in backoff, delayed jobs."),
    "running": ("running", "Jobs being run by a worker."),
    "failed_24h": ("failed_24h", "Jobs failed for good (out of attempts) in the last 24 hours."),
    "oldest_ready_age_seconds": (
        "oldest_ready_age_s",
        "Age of the oldest job waiting to run now; 0 if none.",
    ),
    "workers": ("workers", "Workers that marked themselves alive within WORKER_DEAD_SECONDS."),
}


class QueueCollector:
    """prometheus-client collector: one gauge per figure, computed at collection time."""

    def collect(self):
        if breaker.is_open():
            return
        try:
            stats = queue_stats()
        except DatabaseError as exc:
            logger.warning("job queue figures not read: %s", exc.__class__.__name__)
            return
        for suffix, (field, help_text) in GAUGES.items():
            yield GaugeMetricFamily(f"prepnexus_jobs_{suffix}", help_text, value=getattr(stats, field))


def queue_exposition() -> bytes:
    """The queue's series in Prometheus' text format, to append to the rest of /metrics."""
    registry = CollectorRegistry()
    registry.register(QueueCollector())
    return generate_latest(registry)
