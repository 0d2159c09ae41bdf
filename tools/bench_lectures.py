"""Time every lecture in full mode, as the full lane runs it, against the learner's budget.

    python -m tools.bench_lectures [--only 03 04] [--budget 120] [--cell-budget 45] [--readme]

Each lecture (``notebooks/NN_*.ipynb``, whatever lectures exist) is copied alone into an empty
folder and run top to bottom in full mode with the network refused and no ``COURSE_OFFLINE`` flag,
as `make test-full` runs it, with this checkout's ``course_lib``. For each one it prints the wall time, the CPU time of the
kernel (user + system; on a shared machine wall time grows with the load and CPU time does not),
the slowest cell, and the ratio to the budget; it flags a lecture over budget, a cell over the
cell budget, and a printed estimate ("Estimated time: about N s", see
:func:`course_lib.env.announce`) more than a factor 1.5 away from its cell's real time.
``--readme`` writes the times into README.md (the table between the ``lecture-times`` markers
and the full-mode figure of the course table), with the machine they were measured on: this run's
lectures, and the latest record (``_build/times/bench/``) of the others.
The exit status is 1 when something is flagged, 2 when a lecture fails.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.run_notebook import CellError, execute_alone  # noqa: E402
from tools.slow_cells import seconds as cell_seconds  # noqa: E402

#: What a cell prints when it announces its duration (course_lib.env.announce writes it).
ESTIMATE = re.compile(r"Estimated time: about (\d+(?:\.\d+)?) s")
ESTIMATE_FACTOR = 1.5
START, END = "<!-- lecture-times -->", "<!-- /lecture-times -->"


def cell_cpu(cell: dict) -> float:
    return float(cell.get("metadata", {}).get("execution", {}).get("course.cpu_seconds", 0.0))


def text_of(value) -> str:
    """A notebook's multi-line string: one string, or the list of lines it is saved as."""
    return value if isinstance(value, str) else "".join(value)


def first_line(cell: dict) -> str:
    source = text_of(cell["source"])
    lines = [line for line in source.splitlines() if line.strip() and not line.startswith("#")]
    return (lines[0] if lines else source.splitlines()[0] if source else "")[:60]


def printed_estimates(cell: dict) -> list[float]:
    text = "".join(text_of(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    return [float(value) for value in ESTIMATE.findall(text)]


def summarise(name: str, notebook: dict, wall: float, budget: float, cell_budget: float) -> dict:
    """The record of one executed lecture: times, slowest cell, estimates, and what is flagged."""
    cells = [(index, cell) for index, cell in enumerate(notebook["cells"]) if cell["cell_type"] == "code"]
    index, slowest = max(cells, key=lambda pair: cell_seconds(pair[1]))
    estimates = []
    for position, cell in cells:
        for value in printed_estimates(cell):
            estimates.append({"cell": position, "estimate": value, "seconds": round(cell_seconds(cell), 1),
                              "ratio": round(cell_seconds(cell) / max(value, 1e-9), 2)})
    flags = []
    if wall > budget:
        flags.append(f"over the {budget:.0f} s budget")
    flags += [f"cell {position} took {cell_seconds(cell):.0f} s (> {cell_budget:.0f} s)"
              for position, cell in cells if cell_seconds(cell) > cell_budget]
    flags += [f"cell {e['cell']} estimated {e['estimate']:.0f} s, took {e['seconds']:.0f} s"
              for e in estimates if not 1 / ESTIMATE_FACTOR <= e["ratio"] <= ESTIMATE_FACTOR]
    return {"notebook": name, "seconds": round(wall, 1),
            "cpu_seconds": round(sum(cell_cpu(cell) for _, cell in cells), 1),
            "slowest_cell": {"index": index, "seconds": round(cell_seconds(slowest), 1),
                             "cpu_seconds": cell_cpu(slowest), "first_line": first_line(slowest)},
            "budget": budget, "ratio": round(wall / budget, 2), "estimates": estimates, "flags": flags}


def run_lecture(source: Path, keep: Path | None, timeout: float) -> tuple[dict, float]:
    import nbformat

    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        started = time.perf_counter()   # the copy and the read take milliseconds of it
        notebook = execute_alone(source, Path(folder), quick=False, library=ROOT, timeout=timeout)
        wall = time.perf_counter() - started
    with warnings.catch_warnings():  # lectures are nbformat 4.4: their cells have no ids, by design
        warnings.simplefilter("ignore")
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, keep / source.name)
        return json.loads(nbformat.writes(notebook)), wall


def machine() -> str:
    """One line naming the machine: CPU model, cores, memory, Python."""
    model = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        model = names[0] if names else model
    except OSError:
        pass
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        memory = float("nan")
    return (f"{model}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}, "
            "one thread per kernel")


def load() -> float:
    """The machine's load average over the last minute (other work competing for the cores)."""
    return round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else float("nan")


def quiet(row: dict) -> bool:
    """Whether a record was measured with the cores free (load below the number of cores)."""
    return row.get("load", float("inf")) < (os.cpu_count() or 1)


def table(rows: list[dict], budget: float) -> str:
    lines = ["| # | lecture | full mode (wall) | CPU | slowest cell (wall / CPU) | wall / budget |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        cell = row["slowest_cell"]
        lines.append(f"| {row['notebook'][:2]} | {row['notebook'][3:]} | {row['seconds']:.0f} s | "
                     f"{row['cpu_seconds']:.0f} s | cell {cell['index']}: {cell['seconds']:.0f} s / "
                     f"{cell['cpu_seconds']:.0f} s | {row['ratio']:.0%} of {budget:.0f} s |")
    return "\n".join(lines)


def write_readme(readme: Path, rows: list[dict], budget: float) -> None:
    """Write `rows` (one record per lecture, each with the machine, date and load it was measured
    with) into the block between the lecture-times markers; the wall times of the records measured
    on a quiet machine also go into the full-mode figure of the course table."""
    text = readme.read_text()
    machines = sorted({row.get("machine", "?") for row in rows})
    dates = sorted({row.get("date", "?") for row in rows})
    loads = [row["load"] for row in rows if "load" in row]
    where = f"on {', '.join(dates)} ({'; '.join(machines)})"
    if loads:
        where += f", load average {min(loads):g} to {max(loads):g} at the start"
    note = ("" if all(quiet(row) for row in rows) else
            " The machine was shared (load above its cores), so the wall times are inflated; the CPU "
            "times are not, and the course table above keeps its last quiet measurement.")
    block = (f"{START}\nMeasured by `make bench-lectures` {where}: each lecture alone, in full mode, with "
             f"the network refused.{note}\n\n{table(rows, budget)}\n{END}")
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        raise SystemExit(f"{readme}: no {START} ... {END} block to write the times into")
    for row in filter(quiet, rows):  # the full-mode figure of the course table: "| 03 | ... | 12 s / 74 s |"
        number = re.escape(row["notebook"][:2])
        text = re.sub(rf"^(\| {number} \|.*?\| \d+ s / )\d+ s( \|)",
                      lambda m: f"{m.group(1)}{row['seconds']:.0f} s{m.group(2)}", text, flags=re.M)
    readme.write_text(text)


def recorded(out: Path, lectures: list[Path]) -> list[dict]:
    """The latest record of every lecture that has one (this run's or an earlier run's)."""
    paths = [out / f"{source.stem}.json" for source in lectures]
    return [json.loads(path.read_text()) for path in paths if path.exists()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="lecture numbers, e.g. 03 04")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per lecture")
    parser.add_argument("--cell-budget", type=float, default=45.0, help="seconds per cell")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per cell before giving up")
    parser.add_argument("--keep", type=Path, default=ROOT / "_build" / "executed" / "bench",
                        help="where the executed copies go")
    parser.add_argument("--readme", action="store_true", help="write the times into README.md")
    parser.add_argument("--no-run", action="store_true",
                        help="run nothing: with --readme, write the latest records into README.md")
    args = parser.parse_args(argv)

    lectures = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if args.only:
        lectures = [path for path in lectures if path.name[:2] in args.only]
    if args.no_run:
        lectures = []
    where, when, busy = machine(), datetime.now(timezone.utc).strftime("%Y-%m-%d"), load()
    print(f"Lectures in full mode, network refused; budget {args.budget:.0f} s per lecture, "
          f"{args.cell_budget:.0f} s per cell.\nMachine: {where}; load {busy:g} at the start\n")
    print(f"{'lecture':<34} {'wall':>7} {'CPU':>7} {'budget':>7}  slowest cell")
    out = ROOT / "_build" / "times" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    rows, failed = [], []
    for source in lectures:
        try:
            notebook, wall = run_lecture(source, args.keep, args.timeout)
        except CellError as error:
            failed.append(source.stem)
            print(f"{source.stem:<34} FAILED: {str(error).splitlines()[0]}", flush=True)
            continue
        row = summarise(source.stem, notebook, wall, args.budget, args.cell_budget)
        row.update(machine=where, date=when, load=busy)
        (out / f"{source.stem}.json").write_text(json.dumps(row, indent=1))
        rows.append(row)
        cell = row["slowest_cell"]
        print(f"{source.stem:<34} {row['seconds']:6.1f}s {row['cpu_seconds']:6.1f}s {row['ratio']:6.0%}  "
              f"cell {cell['index']}: {cell['seconds']:.1f} s wall, {cell['cpu_seconds']:.1f} s CPU, "
              f"{cell['first_line']}", flush=True)
        for estimate in row["estimates"]:
            print(f"{'':<34} cell {estimate['cell']}: estimated {estimate['estimate']:.0f} s, "
                  f"took {estimate['seconds']:.1f} s (x{estimate['ratio']:.2f})")
        for flag in row["flags"]:
            print(f"{'':<34} ** {flag}")
    flagged = [row["notebook"] for row in rows if row["flags"]]
    print(f"\n{len(rows)} lectures, {sum(r['seconds'] for r in rows):.0f} s wall, "
          f"{sum(r['cpu_seconds'] for r in rows):.0f} s CPU; load {load():g} at the end; "
          + (f"flagged: {', '.join(flagged)}" if flagged else "none over budget"))
    if args.readme and not failed:   # this run's rows, and the other lectures' latest records
        every = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
        write_readme(ROOT / "README.md", recorded(out, every), args.budget)
        print("README.md: lecture times written")
    return 2 if failed else 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
