"""``GET /__mock/metrics``: the server's numbers in the Prometheus text exposition format.

One :class:`MetricsExporter` per server, with its own ``CollectorRegistry`` (never
prometheus_client's global one: several apps live in one test process). Its one collector
reads the plain counts kept elsewhere — :class:`~.traffic.Traffic` (requests, latency,
streams), the ledger's debit counters, the job store and the journal — when scraped, so
serving a request costs no metrics-library call (bench/README.md, "Metrics").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest

from mockserver.enrichment.pricing import NANOS_PER_USD
from mockserver.scenarios.shared_journal import AnyJournal
from mockserver.scenarios.traffic import Traffic

#: The exposition format served (the classic text format every scraper reads).
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
PREFIX = "aistats_mock"


class MockCollector:
    """A prometheus_client collector over one server's counts."""

    def __init__(self, traffic: Traffic, journal: AnyJournal, state: Any, clock_ms: Callable[[], int]):
        self.traffic = traffic
        self.journal = journal
        #: The state store (its ``ledger`` and ``jobs``), or None when the server keeps none.
        self.state = state
        self.clock_ms = clock_ms

    def collect(self) -> Iterator[Metric]:
        yield from self._requests()
        yield from self._streams()
        yield from self._wallets()
        yield from self._journal()

    def _requests(self) -> Iterator[Metric]:
        traffic = self.traffic
        requests = CounterMetricFamily(
            f"{PREFIX}_requests",
            "Requests answered, by operationId and HTTP status (admin and media routes excluded).",
            labels=["operation", "status"],
        )
        for (operation, status), count in sorted(traffic.requests.items()):
            requests.add_metric([operation, status], count)
        yield requests
        latency = HistogramMetricFamily(
            f"{PREFIX}_request_duration_seconds",
            "Time from a request's arrival to its answer's last byte (a stream's whole length), by operationId.",
            labels=["operation"],
        )
        bounds = [*(repr(float(bound)) for bound in traffic.buckets), "+Inf"]
        for operation, histogram in sorted(traffic.latency.items()):
            latency.add_metric([operation], list(zip(bounds, histogram.cumulative(), strict=True)), histogram.total)
        yield latency

    def _streams(self) -> Iterator[Metric]:
        open_now = GaugeMetricFamily(f"{PREFIX}_streams_open", "SSE answers being sent now.", labels=["operation"])
        for operation, count in sorted(self.traffic.streams_open.items()):
            open_now.add_metric([operation], count)
        yield open_now
        started = CounterMetricFamily(f"{PREFIX}_streams", "SSE answers started.", labels=["operation"])
        for operation, count in sorted(self.traffic.streams_started.items()):
            started.add_metric([operation], count)
        yield started

    def _wallets(self) -> Iterator[Metric]:
        if self.state is None:
            return
        ledger = self.state.ledger
        yield CounterMetricFamily(
            f"{PREFIX}_wallet_debits", "Wallet debits written by this process.", value=ledger.debits
        )
        yield CounterMetricFamily(
            f"{PREFIX}_wallet_debited_usd",
            "Sum of those debits, in USD (exact to the nano).",
            value=ledger.debited_nanos / NANOS_PER_USD,
        )
        jobs = GaugeMetricFamily(
            f"{PREFIX}_jobs",
            "Stored async jobs by kind and status, as a poll now would see them.",
            labels=["kind", "status"],
        )
        for (kind, status), count in sorted(self.state.jobs.counts(self.clock_ms()).items()):
            jobs.add_metric([kind, status], count)
        yield jobs

    def _journal(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(f"{PREFIX}_journal_entries", "Requests held in the journal.", value=len(self.journal))
        yield GaugeMetricFamily(
            f"{PREFIX}_journal_bytes",
            "Bytes the journal's entries hold (its --journal-max-mb bound).",
            value=self.journal.bytes,
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_journal_capacity_entries", "The journal's --journal-size bound.", value=self.journal.capacity
        )


class MetricsExporter:
    """One server's registry, and its exposition as bytes."""

    def __init__(self, traffic: Traffic, journal: AnyJournal, state: Any, clock_ms: Callable[[], int]):
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(MockCollector(traffic, journal, state, clock_ms))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
