"""``python -m course_lib.grading PATH... --out grades.csv`` and ``... merge CSV... --out CSV``."""
from __future__ import annotations

import csv
import re
import shutil
import sys
import time

from . import sandbox
from .batch import grade
from .html_report import class_report, report_path
from .report import merge, summary, write_csv
from .run import ADDRESS_HEADROOM, Grade, Settings
from .safe import printable

__all__ = ["main"]


def _shard(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError(f"--shard {text!r}: write K/N with 1 <= K <= N, e.g. --shard 2/8")
    return int(match.group(1)), int(match.group(2))


def _merge_main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course_lib.grading merge",
                                     description="Join the CSVs of --shard runs into one.")
    parser.add_argument("csvs", nargs="+", metavar="CSV")
    parser.add_argument("--out", default="grades.csv", help="the CSV to write (default grades.csv)")
    args = parser.parse_args(argv)
    try:
        merge(args.csvs, args.out)
    except (OSError, ValueError, csv.Error) as error:
        print(f"error: {printable(error)}", file=sys.stderr)
        return 2
    print(f"merged {len(args.csvs)} file(s) into {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse
    import signal

    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["merge"]:
        return _merge_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.grading",
        description="Grade exercise notebooks, each in a bubblewrap sandbox, with the grader's "
                    "own checks. `python -m course_lib.grading merge shards/*.csv --out "
                    "grades.csv` joins the CSVs of --shard runs.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders of notebooks")
    parser.add_argument("--out", default="grades.csv", help="the CSV to write (default grades.csv)")
    parser.add_argument("--timeout-cell", type=float, default=120, metavar="S",
                        help="seconds one cell (or one check) may run (default 120)")
    parser.add_argument("--timeout-notebook", type=float, default=600, metavar="S",
                        help="seconds one notebook may run in all, kernel start included (default 600)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="notebooks graded at the same time (default 1)")
    parser.add_argument("--topic", metavar="NN",
                        help="the topic to grade (e.g. 00); others get 'wrong topic'. "
                             "Default: the topic of most learners (one vote each); a close "
                             "vote is refused")
    parser.add_argument("--partial-credit", action="store_true",
                        help="after a cell timeout, keep the checks that pass on what ran before it")
    parser.add_argument("--shard", metavar="K/N", type=str,
                        help="grade only shard K of N (a stable split of the files by name)")
    parser.add_argument("--memory", type=float, default=4, metavar="GB",
                        help="address space one notebook may use, in GiB (default 4)")
    parser.add_argument("--processes", type=int, default=256, metavar="N",
                        help="processes one notebook may run at once (default 256)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run notebooks without bubblewrap: no isolation at all; only inside "
                             "a throw-away VM or container")
    args = parser.parse_args(argv)
    if min(args.jobs, args.timeout_cell, args.timeout_notebook, args.memory, args.processes) <= 0:
        parser.error("--jobs, --timeout-cell, --timeout-notebook, --memory and --processes "
                     "must be positive")
    try:
        shard = _shard(args.shard) if args.shard else None
    except ValueError as error:
        parser.error(str(error))

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # `kill` and Ctrl-C both stop the running notebooks
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started in the background
        signal.signal(signal.SIGINT, interrupt)
    started = time.monotonic()
    done, warnings = [], []
    settings = Settings(args.timeout_cell, args.timeout_notebook, args.partial_credit,
                        not args.no_sandbox, int(args.memory * (1 << 30)), args.processes)

    if settings.sandbox and shutil.which("bwrap"):
        why = sandbox.Cgroup.why_not()
        if why:
            print(f"warning: no memory and pids cgroup can be made here ({printable(why)}); each "
                  f"notebook is bounded only by rlimits ({args.memory + (ADDRESS_HEADROOM >> 30):g} "
                  "GiB of address space, --processes per sandbox uid)", flush=True)

    def progress(g: Grade):
        done.append(g)
        print(printable(f"[{len(done)}] {g.submission.label}: {g.total} point(s), {g.status}"
                        + (f" ({g.reason})" if g.reason else "")), flush=True)

    try:
        topic, questions, grades = grade(args.paths, args.topic, jobs=args.jobs, progress=progress,
                                         shard=shard, settings=settings, warnings=warnings)
    except (FileNotFoundError, ValueError, sandbox.SandboxMissing, RuntimeError) as error:
        print(f"error: {printable(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the notebooks still running were stopped; no CSV written",
              file=sys.stderr)
        return 130
    write_csv(grades, questions, args.out)
    page = report_path(args.out)
    class_report(topic, questions, grades, page)
    for line in warnings:
        print(f"warning: {printable(line)}")
    print()
    print(summary(topic, questions, grades))
    print(f"\nwrote {args.out} and {page} in {time.monotonic() - started:.0f} s"
          + ("" if settings.sandbox else " (without a sandbox)"))
    return 0
