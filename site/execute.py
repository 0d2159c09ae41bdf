"""Execute one lecture for the site exactly as the full-mode lane does, and record what was run.

    .venv/bin/python site/execute.py notebooks/04_shap.ipynb _build/executed/notebooks/04_shap.ipynb --mode full

Runs with the course's own Python through tools/run_notebook.py, the lanes' runner: the lecture
alone in a scratch folder, this checkout's course_lib, one thread, the network refused and no
COURSE_OFFLINE flag (``--mode quick`` sets COURSE_QUICK). The copy's metadata gets
``course_executed = {"source_sha256", "mode", "offline": true}`` (:func:`tools.run_notebook.stamp`)
so that site/build.py can tell whether it is still current.
"""
import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from tools.run_notebook import CellError, execute_alone, stamp  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--mode", choices=["full", "quick"], default="full")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per cell")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="course-site-") as folder:
            notebook = execute_alone(args.source, Path(folder), quick=args.mode == "quick",
                                     library=ROOT, timeout=args.timeout)
    except CellError as error:
        print(f"{args.source}: {error}", file=sys.stderr)
        return 1
    stamp(notebook, args.source, args.mode)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
