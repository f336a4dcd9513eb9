"""What an operator watches: Prometheus metrics, served at GET /metrics in HTTP mode.

One registry per running process (the tests run several apps in one process, each counting its own).
Counters and histograms are kept as things happen; what lives in the database (the outbox) is read
when Prometheus asks, so a scrape always shows the state of the whole deployment's outbox.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Slack waits 3 s for an answer: the buckets are finest below that.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.requests = Histogram(
            "teamops_requests_seconds",
            "Requests to POST /slack/events: their kind (command:/team, block_actions, view_submission, "
            "event:message ...), outcome (ok, refused, bad_request, too_large, failed) and time to answer",
            ["kind", "outcome"],
            buckets=REQUEST_BUCKETS,
            registry=registry,
        )
        self.outbox_pending = Gauge(
            "teamops_outbox_pending", "Notices waiting to be sent to Slack", registry=registry
        )
        self.outbox_oldest_pending = Gauge(
            "teamops_outbox_oldest_pending_seconds",
            "Age of the oldest notice waiting to be sent (0 when none waits)",
            registry=registry,
        )
        self.outbox_dead = Gauge(
            "teamops_outbox_dead", "Notices Slack kept refusing until they were given up", registry=registry
        )
        self.clock_leading = Gauge(
            "teamops_clock_leading", "1 while this process holds the clock's lease", registry=registry
        )
        self.clock_last_run = Gauge(
            "teamops_clock_last_run_timestamp_seconds",
            "When each scheduled job last finished a run (Unix time)",
            ["job"],
            registry=registry,
        )
        self.clock_lag = Gauge(
            "teamops_clock_lag_seconds",
            "How far past its run time each job is now (while due), else how late its last run started",
            ["job"],
            registry=registry,
        )
        self.sla_steps = Counter(
            "teamops_sla_steps_total",
            "Complaint SLA ladder steps fired, by deadline (acknowledge, resolve) and level",
            ["deadline", "level"],
            registry=registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
