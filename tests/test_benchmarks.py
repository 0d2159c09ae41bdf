"""The benchmark harness: discovery of benchmarks/bench_*.py and the ratio table.

Speed itself is measured by `make bench`, never asserted here.
"""
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH_DIR))

import compare  # noqa: E402
import harness  # noqa: E402
import run as bench_run  # noqa: E402


def test_run_computes_medians_and_ratio():
    calls = {"ours": 0, "reference": 0}

    def work(name):
        def go(context):
            calls[name] += 1
            return sum(range(context))
        return go

    benchmark = harness.Benchmark("demo", setup=lambda: 1000, ours=work("ours"),
                                  reference=work("reference"), repeat=3,
                                  notes=lambda context: {"rows": context})
    row = harness.run(benchmark)
    assert calls == {"ours": 4, "reference": 4}  # one warm-up and three timed calls each
    assert row["ratio"] == pytest.approx(row["ours_s"] / row["reference_s"])
    table = harness.format_table([row])
    assert "demo" in table and "rows 1000" in table


def test_every_benchmark_module_registers_benchmarks():
    benchmarks = bench_run.load_benchmarks()
    modules = sorted(BENCH_DIR.glob("bench_*.py"))
    assert len(benchmarks) >= len(modules)
    names = [b.name for b in benchmarks]
    assert len(names) == len(set(names)), "benchmark names must be unique"
    for benchmark in benchmarks:
        assert isinstance(benchmark, harness.Benchmark)
        assert callable(benchmark.setup) and callable(benchmark.ours) and callable(benchmark.reference)


def test_compare_exports_the_library_at_a_commit(tmp_path):
    """bench-compare's BASE side is the package exactly as git stored it at that commit."""
    import subprocess

    root = BENCH_DIR.parent
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    compare.export("HEAD", tmp_path)
    stored = subprocess.run(["git", "-C", str(root), "show", "HEAD:course_lib/__init__.py"],
                            check=True, capture_output=True).stdout
    assert (tmp_path / "course_lib" / "__init__.py").read_bytes() == stored


def test_compare_times_only_the_matching_benchmarks():
    assert compare.time_in_process(BENCH_DIR.parent, ["no benchmark has this name"]) == {}
