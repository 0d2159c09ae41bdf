"""``python -m course_lib.grading PATH... --out grades.csv``: see :mod:`course_lib.grading`."""
import sys

from . import main

sys.exit(main())
