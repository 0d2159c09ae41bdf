"""List the cells of executed notebooks that took longer than a limit, from nbclient's timings.

    python tools/slow_cells.py [--over 20] _build/executed/notebooks/*.ipynb

A cell over 20 s in full mode must show a progress bar or a one-line estimate before it starts.
"""
import argparse
import json
from datetime import datetime
from pathlib import Path


def seconds(cell: dict) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = lambda text: datetime.fromisoformat(text.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--over", type=float, default=20.0)
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        cells = json.loads(path.read_text())["cells"]
        total = sum(seconds(c) for c in cells)
        print(f"{path.name}: {total:.0f} s in cells")
        for index, cell in enumerate(cells):
            if seconds(cell) > args.over:
                first = "".join(cell["source"]).splitlines()[0][:70]
                print(f"  cell {index:3d} {seconds(cell):6.1f} s  {first}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
