"""Execute one lecture for the site, as the full-mode lane does, and record what was run.

    .venv/bin/python site/execute.py notebooks/04_shap.ipynb _build/executed/notebooks/04_shap.ipynb --mode full

Runs with the course's own Python (tools/run_notebook.py's kernel driver) in the notebook's folder;
the caller sets COURSE_OFFLINE, COURSE_QUICK and the thread counts. The copy's metadata gets
``course_executed = {"source_sha256", "mode", "offline": true}`` so that site/build.py can tell
whether it is still current.
"""
import argparse
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nbformat  # noqa: E402

from tools.run_notebook import CellError, execute  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--mode", choices=["full", "quick"], default="full")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per cell")
    args = parser.parse_args(argv)
    notebook = nbformat.read(args.source, as_version=4)
    try:
        execute(notebook, args.source.resolve().parent, timeout=args.timeout)
    except CellError as error:
        print(f"{args.source}: {error}", file=sys.stderr)
        return 1
    notebook.metadata["course_executed"] = {
        "source_sha256": hashlib.sha256(args.source.read_bytes()).hexdigest(),
        "mode": args.mode, "offline": True}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
