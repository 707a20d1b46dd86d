"""What one server has answered, counted in plain integers for ``GET /__mock/metrics``.

The server's journal layer calls :meth:`Traffic.finished` once per request and
:meth:`Traffic.stream_opened` / :meth:`Traffic.stream_closed` around an SSE answer, always on
the event loop's thread, so no lock is taken. Nothing here formats anything: the Prometheus
exposition (:mod:`.metrics`) reads these numbers when it is scraped, so a request pays a few
dictionary updates and one bisection, not a metrics library's label lookups and locks.
Counts live as long as the server (an admin reset does not clear them: Prometheus counters
only go up).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

#: Upper bounds (seconds) of the latency histograms' buckets (``+Inf`` is implied): from a
#: fast in-process answer to a long paced stream.
LATENCY_BUCKETS: tuple[float, ...] = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
)
#: The operation label of a request that matched no operation of the contract.
UNMATCHED = "unmatched"


@dataclass
class Histogram:
    """Counts per bucket (not cumulative; the last one is ``+Inf``), their sum and total."""

    counts: list[int]
    total: float = 0.0

    def observe(self, value: float, bounds: tuple[float, ...]) -> None:
        self.counts[bisect_left(bounds, value)] += 1
        self.total += value

    def cumulative(self) -> list[int]:
        out, running = [], 0
        for count in self.counts:
            running += count
            out.append(running)
        return out


@dataclass
class Traffic:
    buckets: tuple[float, ...] = LATENCY_BUCKETS
    #: (operation, status) → requests answered; status ``"none"`` when no answer was started.
    requests: dict[tuple[str, str], int] = field(default_factory=dict)
    #: operation → time from the request's arrival to its answer's last byte.
    latency: dict[str, Histogram] = field(default_factory=dict)
    #: operation → SSE answers being sent now.
    streams_open: dict[str, int] = field(default_factory=dict)
    #: operation → SSE answers started since the server started.
    streams_started: dict[str, int] = field(default_factory=dict)

    def finished(self, operation: str | None, status: int | None, seconds: float) -> None:
        op = operation or UNMATCHED
        key = (op, str(status) if status is not None else "none")
        self.requests[key] = self.requests.get(key, 0) + 1
        histogram = self.latency.get(op)
        if histogram is None:
            histogram = self.latency[op] = Histogram([0] * (len(self.buckets) + 1))
        histogram.observe(seconds, self.buckets)

    def stream_opened(self, operation: str | None) -> None:
        op = operation or UNMATCHED
        self.streams_open[op] = self.streams_open.get(op, 0) + 1
        self.streams_started[op] = self.streams_started.get(op, 0) + 1

    def stream_closed(self, operation: str | None) -> None:
        op = operation or UNMATCHED
        self.streams_open[op] = self.streams_open.get(op, 0) - 1
