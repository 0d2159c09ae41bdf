"""Print the notebook times a test lane recorded (``_build/times/<lane>/*.json``) as a table.

    python tools/lane_times.py full colab
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(lanes: list[str]) -> int:
    for lane in lanes or ["full"]:
        rows = [json.loads(p.read_text()) for p in sorted((ROOT / "_build" / "times" / lane).glob("*.json"))]
        if not rows:
            continue
        print(f"{lane} lane: seconds per notebook (wall, 2 workers)")
        for row in rows:
            print(f"  {row['notebook']:<40} {row['seconds']:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
