"""A small benchmark harness: ours against the reference, median times and their ratio.

Each ``benchmarks/bench_*.py`` module defines ``BENCHMARKS``, a list of :class:`Benchmark`.
``python benchmarks/run.py [substring ...]`` (``make bench``) runs them all, or those whose
name contains one of the substrings, and prints one table. Ratios below 1 mean we are faster.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable


@dataclass
class Benchmark:
    """One comparison.

    setup() builds the inputs once and returns a context; ours(ctx) and reference(ctx) do the
    work being timed; notes(ctx), if given, returns extra columns (accuracy, share of time in
    the model, ...) as a dict of short strings.
    """

    name: str
    setup: Callable[[], Any]
    ours: Callable[[Any], Any]
    reference: Callable[[Any], Any]
    repeat: int = 3
    notes: Callable[[Any], dict] | None = None


def median_time(function: Callable[[Any], Any], context: Any, repeat: int) -> float:
    """Median wall time of `repeat` calls after one warm-up call."""
    function(context)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(context)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(benchmark: Benchmark) -> dict:
    """Time ours and the reference on the same context; return the row of the table."""
    context = benchmark.setup()
    ours = median_time(benchmark.ours, context, benchmark.repeat)
    reference = median_time(benchmark.reference, context, benchmark.repeat)
    row = {"benchmark": benchmark.name, "ours_s": ours, "reference_s": reference,
           "ratio": ours / reference if reference > 0 else float("nan")}
    if benchmark.notes is not None:
        row["notes"] = "; ".join(f"{k} {v}" for k, v in benchmark.notes(context).items())
    return row


def format_table(rows: list[dict]) -> str:
    """A plain-text table, one benchmark a line."""
    width = max([len("benchmark")] + [len(row["benchmark"]) for row in rows])
    header = f"{'benchmark':<{width}} {'ours (s)':>10} {'ref (s)':>10} {'ours/ref':>9}  notes"
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(f"{row['benchmark']:<{width}} {row['ours_s']:>10.4f} {row['reference_s']:>10.4f} "
                     f"{row['ratio']:>9.2f}  {row.get('notes', '')}")
    return "\n".join(lines)


class TimedModel:
    """Wrap a model's predict function and add up the calls and the seconds spent inside it,
    so a benchmark can report the share of its time that belongs to the model."""

    def __init__(self, predict: Callable):
        self.predict, self.seconds, self.calls = predict, 0.0, 0

    def __call__(self, batch):
        start = time.perf_counter()
        out = self.predict(batch)
        self.seconds += time.perf_counter() - start
        self.calls += 1
        return out
