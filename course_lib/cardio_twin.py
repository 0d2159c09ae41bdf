"""A synthetic twin of the Cardiovascular Disease table, with a known generating model.

The real table (``cardio_train.csv``: S. Ulianova, Cardiovascular Disease dataset, Kaggle 2019;
70,000 rows from the Mail.ru "ML Boot Camp 5" contest) has 13 columns: ``id``, ``age`` (days),
``gender`` (1 = women, 2 = men), ``height`` (cm), ``weight`` (kg), ``ap_hi``/``ap_lo`` (systolic
and diastolic blood pressure, mm Hg), ``cholesterol`` and ``gluc`` (1 normal, 2 above normal,
3 well above normal), ``smoke``, ``alco``, ``active`` (0/1, self-reported) and the target
``cardio`` (0/1). The twin has the same schema, dtypes and units and is tuned to the published
``describe()``, proportions and correlations (numbers and sources in ``data/README.md``).

Unlike the real table, the twin's truth is known. The risk of disease is a logistic model that is
*additive* in the recorded, clean columns:

    logit P(cardio = 1 | x) = INTERCEPT + sum_j g_j(x_j)

Every shape ``g_j`` is a line through a few documented knots (:data:`SHAPES`, evaluated with
``np.interp``, flat outside the first and last knot so that any input, even an entry error, gives
a finite value): rising in age, systolic pressure (steepest between 120 and 140 mm Hg), diastolic
pressure and weight; steps for cholesterol and glucose; one number each for gender, smoke, alco and
active; and **zero for height**. Height is a "dummy" feature: correlated with gender (.5) and
weight (.3) but without any effect of its own. Because the logit is additive, its exact Shapley
values are known in closed form (:func:`cardio_truth`), so LIME and SHAP can be held against them.

Entry errors are injected *after* the labels are drawn from the clean values, at rates close to
the real file's: an extra zero in ``ap_lo`` (80 -> 800), swapped pressures, systolic pressure in
cm Hg (12 for 120), zero, negative and absurd pressures (16020, 11000), impossible heights and
weights, and a few exact duplicate rows. ``make_cardio_twin(..., return_details=True)`` also
returns the clean table, the true logit and which rows got which error.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["id", "age", "gender", "height", "weight", "ap_hi", "ap_lo", "cholesterol", "gluc",
           "smoke", "alco", "active", "cardio"]
FEATURES = COLUMNS[1:-1]
DTYPES = {name: ("float64" if name == "weight" else "int64") for name in COLUMNS}
DAYS_PER_YEAR = 365.25

# --- Who the patients are -------------------------------------------------------------------
P_MEN = 0.3496                          # gender 2: 24,470 of 70,000 in the real file
AGE_BETA = (29.5, 65.0, 3.4, 1.7)       # age in years = low + (high - low) * Beta(a, b)
HEIGHT_MEAN = {1: 161.6, 2: 170.2}      # cm, by gender (real: 161.36 and 169.95)
HEIGHT_SD = 6.5                         # cm, within gender
WEIGHT_MEDIAN = {1: 71.0, 2: 76.5}      # kg at the gender's mean height
WEIGHT_PER_CM = 0.0075                  # log-weight per cm of height above the gender's mean
WEIGHT_LOG_SD = 0.18
SMOKE_RATE = {1: 0.018, 2: 0.219}       # by gender (real: 8.8 % overall, men about 12x women)
ALCO_RATE = {1: 0.0255, 2: 0.1064}
HABITS_RHO = 0.62                       # latent correlation of smoking and drinking
ACTIVE_RATE = 0.8037
CHOL_CUTS = (0.66, 1.20)                # thresholds on the latent metabolic scores
GLUC_CUTS = (1.03, 1.40)
TEXTBOOK_RATE = 0.5                     # share of visits where a normal reading is written 120/80

# --- Who gets the disease: logit = INTERCEPT + sum_j g_j(x_j) -------------------------------
INTERCEPT = -0.86                       # sets the prevalence to 50 %
#: knots and values of every shape g_j; age in years (the column holds days)
SHAPES = {
    "age": ((30, 45, 65), (-0.70, -0.40, 0.70)),           # +0.02 then +0.055 per year
    "gender": ((1, 2), (0.0, 0.05)),
    "height": ((0,), (0.0,)),                              # no effect at all
    "weight": ((65, 150), (0.0, 0.85)),                    # +0.01 per kg above 65 kg
    "ap_hi": ((90, 120, 140, 160, 180), (-0.85, 0.0, 1.95, 2.35, 2.45)),  # steep from 120 to 140
    "ap_lo": ((50, 120), (-0.30, 0.40)),                   # +0.01 per mm Hg
    "cholesterol": ((1, 2, 3), (0.0, 0.40, 1.20)),
    "gluc": ((1, 2, 3), (0.0, 0.05, 0.0)),        # little beyond what cholesterol says
    "smoke": ((0, 1), (0.0, -0.12)),   # self-reported habits look protective in the real data too
    "alco": ((0, 1), (0.0, -0.15)),
    "active": ((0, 1), (0.0, -0.22)),
}

# --- Entry errors: (kind, share of rows); at most one per row -------------------------------
ERROR_RATES = {
    "ap_lo_extra_zero": 0.0120,   # 80 -> 800, 100 -> 1000
    "ap_swapped": 0.0030,         # ap_hi and ap_lo exchanged
    "ap_hi_cm_hg": 0.0025,        # 120 -> 12
    "ap_lo_zero": 0.0003,
    "ap_hi_absurd": 0.0001,       # 160 -> 16020
    "ap_lo_absurd": 0.0004,       # 110 -> 11000
    "ap_negative": 0.0001,        # a minus sign typed in front
    "height_impossible": 0.0020,  # 55-120 cm or 207-250 cm
    "weight_impossible": 0.0008,  # 10-35 kg or 180-200 kg
}
DUPLICATE_RATE = 24 / 70_000      # exact duplicates (id aside) in the real file


def effect(name: str, values) -> np.ndarray:
    """The true shape g_name evaluated at `values` (recorded units; age in days)."""
    if name not in SHAPES:
        raise ValueError(f"name must be one of {list(SHAPES)}, got {name!r}")
    x = np.asarray(values, dtype=float)
    if name == "age":
        x = x / DAYS_PER_YEAR
    knots, heights = SHAPES[name]
    return np.interp(x, knots, heights)


def _feature_frame(X) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        missing = [f for f in FEATURES if f not in X.columns]
        if missing:
            raise ValueError(f"X lacks the columns {missing}; pass a table with {FEATURES}")
        return X[FEATURES]
    array = np.asarray(X, dtype=float)
    if array.ndim != 2 or array.shape[1] != len(FEATURES):
        raise ValueError(f"X must be a DataFrame or an array of shape (n, {len(FEATURES)}) with "
                         f"columns {FEATURES}, got shape {array.shape}")
    return pd.DataFrame(array, columns=FEATURES)


def cardio_logit(X) -> np.ndarray:
    """The true risk logit INTERCEPT + sum_j g_j(x_j) of each row of `X` (a twin-shaped table)."""
    frame = _feature_frame(X)
    return INTERCEPT + sum(effect(name, frame[name].to_numpy()) for name in FEATURES)


def cardio_truth(X, background=None) -> tuple[float, pd.DataFrame]:
    """The exact Shapley values of the true logit: one column per feature, plus the base value.

    For an additive model f(x) = b0 + sum_j g_j(x_j), the interventional Shapley value of feature
    j (Lundberg and Lee, NeurIPS 2017; Janzing et al., AISTATS 2020) with a background set B is

        phi_j(x) = g_j(x_j) - mean_{b in B} g_j(b_j),   base = b0 + sum_j mean_{b in B} g_j(b_j)

    so that base + sum_j phi_j(x) = f(x) exactly (efficiency). `background` defaults to `X`.
    Pass clean rows (``return_details=True`` gives them) for the logit the labels came from.
    """
    frame = _feature_frame(X)
    reference = frame if background is None else _feature_frame(background)
    contributions, base = {}, INTERCEPT
    for name in FEATURES:
        centre = effect(name, reference[name].to_numpy()).mean()
        contributions[name] = effect(name, frame[name].to_numpy()) - centre
        base += centre
    return float(base), pd.DataFrame(contributions, index=frame.index)


def _population(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw the clean features, column by column, from the documented population model."""
    men = rng.random(n) < P_MEN
    gender = np.where(men, 2, 1)
    low, high, a, b = AGE_BETA
    age_years = low + (high - low) * rng.beta(a, b, n)
    height = np.where(men, HEIGHT_MEAN[2], HEIGHT_MEAN[1]) + HEIGHT_SD * rng.standard_normal(n)
    height_above = height - np.where(men, HEIGHT_MEAN[2], HEIGHT_MEAN[1])
    log_weight = (np.log(np.where(men, WEIGHT_MEDIAN[2], WEIGHT_MEDIAN[1]))
                  + WEIGHT_PER_CM * height_above + 0.003 * (age_years - 53)
                  + WEIGHT_LOG_SD * rng.standard_normal(n))
    height, weight = np.round(height), np.round(np.exp(log_weight))
    bmi_above = weight / (height / 100) ** 2 - 27.5

    # cholesterol and glucose: ordinal cuts of two scores sharing a metabolic factor
    metabolic = rng.standard_normal(n)
    chol_score = (0.72 * metabolic + 0.030 * (age_years - 53) + 0.040 * bmi_above
                  + 0.60 * rng.standard_normal(n))
    gluc_score = (0.72 * metabolic + 0.015 * (age_years - 53) + 0.040 * bmi_above
                  + 0.60 * rng.standard_normal(n))
    cholesterol = 1 + (chol_score > CHOL_CUTS[0]) + (chol_score > CHOL_CUTS[1])
    gluc = 1 + (gluc_score > GLUC_CUTS[0]) + (gluc_score > GLUC_CUTS[1])

    # blood pressure: true values, then recorded as clinicians do (rounded, often "120/80")
    systolic = (126 + 0.55 * (age_years - 53) + 0.9 * bmi_above + 3.0 * (cholesterol - 1)
                + 14.0 * rng.standard_normal(n))
    diastolic = 81 + 0.45 * (systolic - 126) + 0.3 * bmi_above + 6.5 * rng.standard_normal(n)
    textbook = rng.random(n) < TEXTBOOK_RATE
    fives = rng.random(n) < 0.08
    ap_hi = np.where(fives, np.round(systolic / 5) * 5, np.round(systolic / 10) * 10)
    ap_hi = np.where(textbook & (np.abs(systolic - 120) < 12), 120, np.clip(ap_hi, 80, 220))
    ap_lo = np.where(fives, np.round(diastolic / 5) * 5, np.round(diastolic / 10) * 10)
    ap_lo = np.where(textbook & (np.abs(diastolic - 80) < 12), 80, ap_lo)
    ap_lo = np.clip(ap_lo, 50, ap_hi - 10)

    # habits: Gaussian copula within gender, so that smoke and alco go together
    z_smoke = rng.standard_normal(n)
    z_alco = HABITS_RHO * z_smoke + np.sqrt(1 - HABITS_RHO ** 2) * rng.standard_normal(n)
    smoke = _bernoulli_from_normal(z_smoke, np.where(men, SMOKE_RATE[2], SMOKE_RATE[1]))
    alco = _bernoulli_from_normal(z_alco, np.where(men, ALCO_RATE[2], ALCO_RATE[1]))
    active = (rng.random(n) < ACTIVE_RATE).astype(int)

    return {"age": np.clip(np.round(age_years * DAYS_PER_YEAR), 10798, 23713), "gender": gender,
            "height": height, "weight": weight, "ap_hi": ap_hi, "ap_lo": ap_lo,
            "cholesterol": cholesterol, "gluc": gluc, "smoke": smoke, "alco": alco,
            "active": active}


def _bernoulli_from_normal(z: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """1 where the standard normal z lies above its (1 - rate) quantile, so P(1) = rate."""
    from scipy.special import ndtri

    return (z > ndtri(1 - rate)).astype(int)


def _inject_errors(clean: pd.DataFrame, rng: np.random.Generator):
    """Copy `clean` and add entry errors; return the dirty table and a row-by-kind flag table."""
    n = len(clean)
    dirty = clean.copy()
    flags = pd.DataFrame(False, index=clean.index, columns=["duplicate", *ERROR_RATES])

    # duplicates: the record of patient `source` entered again in place of patient `target`
    n_duplicates = int(round(n * DUPLICATE_RATE))
    chosen = rng.choice(n, size=2 * n_duplicates, replace=False)
    source, target = chosen[:n_duplicates], chosen[n_duplicates:]
    columns = [c for c in COLUMNS if c != "id"]
    positions = [dirty.columns.get_loc(c) for c in columns]
    dirty.iloc[target, positions] = clean.iloc[source][columns].to_numpy()
    flags.iloc[target, 0] = True

    # value errors: one categorical draw per row, never on the duplicated records
    kinds = list(ERROR_RATES)
    kind = np.searchsorted(np.cumsum(list(ERROR_RATES.values())), rng.random(n), side="right")
    kind[chosen] = len(kinds)
    for k, name in enumerate(kinds):
        flags[name] = kind == k
    hi, lo = dirty["ap_hi"].to_numpy().copy(), dirty["ap_lo"].to_numpy().copy()
    height, weight = dirty["height"].to_numpy().copy(), dirty["weight"].to_numpy().copy()
    coin = rng.random(n) < 0.5
    flag = {name: flags[name].to_numpy() for name in kinds}
    lo = np.where(flag["ap_lo_extra_zero"], lo * 10, lo)
    hi, lo = np.where(flag["ap_swapped"], lo, hi), np.where(flag["ap_swapped"], hi, lo)
    hi = np.where(flag["ap_hi_cm_hg"], hi // 10, hi)
    lo = np.where(flag["ap_lo_zero"], 0, lo)
    hi = np.where(flag["ap_hi_absurd"], hi * 100 + 20, hi)
    lo = np.where(flag["ap_lo_absurd"], lo * 100, lo)
    hi = np.where(flag["ap_negative"] & coin, -hi, hi)
    lo = np.where(flag["ap_negative"] & ~coin, -lo, lo)
    short = rng.random(n) < 0.9
    height = np.where(flag["height_impossible"],
                      np.where(short, rng.integers(55, 121, n), rng.integers(207, 251, n)), height)
    weight = np.where(flag["weight_impossible"],
                      np.where(short, rng.integers(10, 36, n), rng.integers(180, 201, n)), weight)
    dirty["ap_hi"], dirty["ap_lo"], dirty["height"], dirty["weight"] = hi, lo, height, weight
    return dirty.astype(DTYPES), flags


def make_cardio_twin(n: int = 70_000, seed: int = 0, errors: bool = True,
                     return_details: bool = False):
    """A synthetic cardio table from the documented generating model (see the module docstring).

    Steps: draw the clean features (:func:`_population`); compute the true logit
    ``INTERCEPT + sum_j g_j(x_j)`` (:func:`cardio_logit`); draw ``cardio ~ Bernoulli(sigmoid)``;
    then, when `errors` is true, inject entry errors at the rates of :data:`ERROR_RATES`.
    Deterministic for a given (n, seed). ``.attrs["source"]`` says ``"synthetic twin"``.

    With ``return_details=True`` returns ``(table, details)`` where details holds ``"clean"``
    (the table before entry errors, equal to ``errors=False``), ``"logit"`` (the true logit of
    the clean rows), ``"probability"`` and ``"errors"`` (a boolean table, one column per kind).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    rng = np.random.default_rng(seed)
    n_ids = int(np.ceil(n / 0.7))            # the real ids are 70 % of 0..99,999 (rest: test set)
    ids = np.sort(rng.choice(n_ids, size=n, replace=False))
    features = _population(int(n), rng)
    clean = pd.DataFrame({"id": ids, **features})
    logit = cardio_logit(clean)
    probability = 1 / (1 + np.exp(-logit))
    clean["cardio"] = (rng.random(n) < probability).astype(int)
    clean = clean[COLUMNS].astype(DTYPES)
    if errors:
        table, flags = _inject_errors(clean, rng)
    else:
        table, flags = clean.copy(), pd.DataFrame(index=clean.index)
    table.attrs["source"] = "synthetic twin"
    clean.attrs["source"] = "synthetic twin (clean)"
    if not return_details:
        return table
    return table, {"clean": clean, "logit": logit, "probability": probability, "errors": flags}
