"""Run every registered benchmark (``make bench``), or those matching the given substrings."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import format_table, run  # noqa: E402


def load_benchmarks(failures: dict | None = None):
    """Import benchmarks/bench_*.py in name order and collect their BENCHMARKS lists.

    With a `failures` dict, a module that cannot be imported (a library without the method it
    times) is recorded there as {module name: error line} instead of stopping the run.
    """
    found = []
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            if failures is None:
                raise
            failures[path.stem] = f"{type(error).__name__}: {error}".splitlines()[0][:120]
            continue
        found.extend(getattr(module, "BENCHMARKS", []))
    return found


def main(argv: list[str]) -> int:
    import course_lib

    course_lib.setup()
    benchmarks = load_benchmarks()
    if argv:
        benchmarks = [b for b in benchmarks if any(word in b.name for word in argv)]
    if not benchmarks:
        print("no benchmark matches", argv)
        return 1
    rows = []
    for benchmark in benchmarks:
        print(f"running: {benchmark.name}", flush=True)
        rows.append(run(benchmark))
    print()
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
