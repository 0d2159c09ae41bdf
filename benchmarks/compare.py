"""Our methods now against our methods at an earlier commit (``make bench-compare BASE=<ref>``).

``run.py`` compares each method with its reference package; this compares the library with
itself, to show that a change made nothing slower. The library at BASE is exported from git into
a temporary folder; every benchmark of this checkout then times only our side (``ours``) with
each library in turn, in separate processes, alternating BASE and HEAD for ``--rounds`` rounds,
and keeps the fastest median of each. Benchmarks that cannot run on BASE (a method it did not
have yet) are listed as new. Ratios above 1 mean HEAD is slower.

    python benchmarks/compare.py BASE [substring ...] [--rounds 2] [--limit 0.10]

Exit status 1 when a benchmark is slower than BASE by more than ``--limit`` (a fraction).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def export(ref: str, folder: Path) -> Path:
    """The `course_lib` package as it was at `ref`, unpacked into `folder`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref, "course_lib"],
                             check=True, capture_output=True).stdout
    tar_path = folder / "base.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(folder, filter="data")
    return folder


def time_in_process(library_root: Path, words: list[str]) -> dict:
    """{benchmark name: seconds of ours, or an error line}, measured in a fresh interpreter."""
    script = (
        "import json, sys\n"
        # an editable install must not supply the modules BASE did not have yet
        "sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in repr(f)]\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        "from run import load_benchmarks\n"
        "from harness import median_time\n"
        "import course_lib\n"
        "course_lib.setup()\n"
        f"words = {words!r}\n"
        "out = {}\n"
        "for b in load_benchmarks(failures=out):\n"
        "    if words and not any(w in b.name for w in words):\n"
        "        continue\n"
        "    try:\n"
        "        out[b.name] = median_time(b.ours, b.setup(), b.repeat)\n"
        "    except Exception as error:\n"
        "        out[b.name] = f'{type(error).__name__}: {error}'.splitlines()[0][:120]\n"
        "print('JSON' + json.dumps(out))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(library_root), COURSE_OFFLINE="1")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, cwd=tempfile.gettempdir())
    lines = [line for line in done.stdout.splitlines() if line.startswith("JSON")]
    if not lines:
        raise RuntimeError(f"benchmarks did not run on {library_root}: {done.stderr[-2000:]}")
    return json.loads(lines[-1][4:])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the git ref to compare with, e.g. a commit or tag")
    parser.add_argument("words", nargs="*", help="run only benchmarks whose name contains one")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--limit", type=float, default=0.10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        base_root = export(args.base, Path(folder))
        best = {"base": {}, "head": {}}
        for round_ in range(args.rounds):
            for side, root in (("base", base_root), ("head", ROOT)):
                print(f"round {round_ + 1}/{args.rounds}: {side}", flush=True)
                for name, value in time_in_process(root, args.words).items():
                    if isinstance(value, float):
                        best[side][name] = min(value, best[side].get(name, float("inf")))
                    else:
                        best[side].setdefault(name, value)
    if not best["head"]:
        print("no benchmark matches", args.words)
        return 1
    width = max(len(name) for name in best["head"])
    print(f"\n{'benchmark':<{width}} {'base (s)':>9} {'head (s)':>9} {'head/base':>9}")
    slower = []
    for name, head in best["head"].items():
        base = best["base"].get(name, "not in base")
        if isinstance(head, float) and isinstance(base, float):
            ratio = head / base
            flag = "  slower" if ratio > 1 + args.limit else ""
            print(f"{name:<{width}} {base:>9.4f} {head:>9.4f} {ratio:>9.2f}{flag}")
            if flag:
                slower.append(name)
        else:
            shown = head if isinstance(head, str) else f"{head:.4f}"
            print(f"{name:<{width}} new or not comparable: base {str(base)[:60]!r}, head {shown[:60]!r}")
    print(f"\n{len(slower)} benchmark(s) slower than {args.base} by more than {args.limit:.0%}")
    return 1 if slower else 0


if __name__ == "__main__":
    sys.exit(main())
