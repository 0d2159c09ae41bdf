"""What counts as an impossible cardio record: one definition for every lecture and exercise.

The cardio table (Kaggle's ``cardio_train.csv`` and the course's synthetic twin) holds entry
errors: blood pressures typed without a digit (12 for 120) or with an extra zero (800 for 80),
diastolic above systolic, heights of 55 cm. Notebooks 00, 01, 03 and 06 and their exercises all
drop or count these rows; they all use the ranges below, so a learner meets one rule.

A value inside its range, both ends included, is plausible for an adult:

=========  ============  =====
column     range         unit
=========  ============  =====
ap_hi      70 .. 250     mm Hg (systolic)
ap_lo      40 .. 160     mm Hg (diastolic)
height     120 .. 210    cm
weight     35 .. 180     kg
=========  ============  =====

and the diastolic pressure must lie strictly below the systolic one (``ap_lo < ap_hi``): equal
readings are an entry error too.
"""
from __future__ import annotations

import pandas as pd

from ._validation import check_frame

#: Plausible systolic pressure in mm Hg, both ends included.
SYSTOLIC_RANGE = (70, 250)
#: Plausible diastolic pressure in mm Hg, both ends included.
DIASTOLIC_RANGE = (40, 160)
#: Plausible height in cm and weight in kg, both ends included.
HEIGHT_RANGE = (120, 210)
WEIGHT_RANGE = (35, 180)

PLAUSIBLE_RANGES = {"ap_hi": SYSTOLIC_RANGE, "ap_lo": DIASTOLIC_RANGE,
                    "height": HEIGHT_RANGE, "weight": WEIGHT_RANGE}


def _columns(table, names) -> list[pd.Series]:
    """The columns `names` of `table` as numbers (text that is no number counts as impossible)."""
    check_frame(table, names, "table")
    return [pd.to_numeric(table[name], errors="coerce") for name in names]


def impossible_pressure(table: pd.DataFrame) -> pd.Series:
    """True where a row's blood pressures cannot be real.

    impossible = ap_hi outside SYSTOLIC_RANGE  or  ap_lo outside DIASTOLIC_RANGE  or  ap_lo >= ap_hi
    """
    hi, lo = _columns(table, ["ap_hi", "ap_lo"])
    return ~hi.between(*SYSTOLIC_RANGE) | ~lo.between(*DIASTOLIC_RANGE) | (lo >= hi)


def impossible_rows(table: pd.DataFrame) -> pd.Series:
    """True where a row has an impossible blood pressure, height or weight."""
    height, weight = _columns(table, ["height", "weight"])
    return (impossible_pressure(table) | ~height.between(*HEIGHT_RANGE)
            | ~weight.between(*WEIGHT_RANGE))


def drop_impossible(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``table`` that pass every rule above (a copy; the index is kept)."""
    keep = ~impossible_rows(table)              # checks the table first
    return table.loc[keep].copy()
