"""Print the notebook times a test lane recorded (``_build/times/<lane>/*.json``) as a table, and
flag the lectures over the learner's budget (120 s in full mode; `make bench-lectures` measures
each lecture alone, with its slowest cell).

    python tools/lane_times.py full colab
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 120.0  # seconds per lecture in full mode, on the machine the course is developed on


def main(lanes: list[str]) -> int:
    for lane in lanes or ["full"]:
        rows = [json.loads(p.read_text()) for p in sorted((ROOT / "_build" / "times" / lane).glob("*.json"))]
        if not rows:
            continue
        print(f"{lane} lane: seconds per notebook (wall, 2 workers)")
        for row in rows:
            over = "  over the 120 s budget" if lane == "full" and row["seconds"] > BUDGET else ""
            print(f"  {row['notebook']:<40} {row['seconds']:7.1f}{over}")
        over = [row["notebook"] for row in rows if lane == "full" and row["seconds"] > BUDGET]
        if over:
            print(f"  {len(over)} lecture(s) over the {BUDGET:.0f} s budget: {', '.join(over)} "
                  "(two at a time here; `make bench-lectures` times each alone)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
