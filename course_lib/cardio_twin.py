"""A synthetic twin of the Cardiovascular Disease table, with a known generating model.

The real table (``cardio_train.csv``: S. Ulianova, Cardiovascular Disease dataset, Kaggle 2019;
70,000 rows from the Mail.ru "ML Boot Camp 5" contest) has 13 columns: ``id``, ``age`` (days),
``gender`` (1 = women, 2 = men), ``height`` (cm), ``weight`` (kg), ``ap_hi``/``ap_lo`` (systolic
and diastolic blood pressure, mm Hg), ``cholesterol`` and ``gluc`` (1 normal, 2 above normal,
3 well above normal), ``smoke``, ``alco``, ``active`` (0/1, self-reported) and the target
``cardio`` (0/1). The twin has the same schema, dtypes and units and is tuned to the published
``describe()``, proportions and correlations (numbers and sources in ``data/README.md``).

Unlike the real table, the twin's truth is known. The risk of disease is a logistic model in the
recorded, clean columns x plus one unrecorded confounder u:

    logit P(cardio = 1 | x, u) = cardio_logit(x) + LATENT_EFFECT * u
    cardio_logit(x) = INTERCEPT + sum_j g_j(x_j) + h(age, ap_hi)

Every shape ``g_j`` is a line through a few documented knots (:data:`SHAPES`, evaluated with
``np.interp``, flat outside the first and last knot so that any input, even an entry error, gives
a finite value): rising in age, systolic pressure (steepest between 120 and 140 mm Hg), diastolic
pressure and weight; steps for cholesterol and glucose; one number each for gender, smoke, alco and
active; and **zero for height**. Height is a "dummy" feature: correlated with gender (.5) and
weight (.3) but without any effect of its own.

**One interaction.** ``h(age, ap_hi) = INTERACTION_STRENGTH * a(age) * p(ap_hi)`` with ``a`` and
``p`` lines from -1 to 1 (30 to 65 years; 100 to 180 mm Hg, flat outside): high pressure costs
more at 60 than at 35 (:func:`interaction_term`). It is the only term that is not additive, so
Friedman's H and SHAP interaction values have exactly one true pair to find.

**One confounder nobody recorded.** ``u`` (standard normal, mean zero) is a patient's earlier
warnings: symptoms, a relative's infarction, a doctor's advice. It raises the risk
(``LATENT_EFFECT`` log-odds per SD) and it makes people stop smoking and drinking (the latent
habit scores fall by ``LATENT_ON_HABITS`` per SD of u): the "sick quitter" pattern of cohort
studies (Shaper, Wannamethee and Walker, *Lancet* 1988). The *direct* effects of smoking and
drinking are harmful (``g_smoke``, ``g_alco`` > 0), yet smokers and drinkers have less disease in
the table, and a model that sees only the 11 columns learns them as protective. Gender pushes the
other way (men smoke 12x more and have a slightly higher risk); the confounder outweighs it.
:func:`habit_confounding` measures both sides.

Exact Shapley values of ``cardio_logit`` (the part the columns can explain) are known in closed
form (:func:`cardio_truth`, with the interaction split exactly between age and ap_hi), and so is
the SHAP interaction value of the pair (:func:`true_interaction`), so LIME and SHAP can be held
against them.

Entry errors are injected *after* the labels are drawn from the clean values, at rates close to
the real file's: an extra zero in ``ap_lo`` (80 -> 800), swapped pressures, systolic pressure in
cm Hg (12 for 120), zero, negative and absurd pressures (16020, 11000), impossible heights and
weights, and a few exact duplicate rows. ``make_cardio_twin(..., return_details=True)`` also
returns the clean table, the true logit and which rows got which error.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._validation import check_array, check_budget, check_finite_table, check_frame, check_rows, check_seed

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
LATENT_ON_HABITS = 0.40                 # u lowers both latent habit scores (sick quitters)
ACTIVE_RATE = 0.8037
CHOL_CUTS = (0.66, 1.20)                # thresholds on the latent metabolic scores
GLUC_CUTS = (1.03, 1.40)
TEXTBOOK_RATE = 0.5                     # share of visits where a normal reading is written 120/80

# --- Who gets the disease: logit = INTERCEPT + sum_j g_j(x_j) -------------------------------
INTERCEPT = -0.80                       # sets the prevalence to 50 %
LATENT_EFFECT = 0.6                     # log-odds per SD of the unrecorded confounder u
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
    "smoke": ((0, 1), (0.0, 0.10)),    # harmful; looks protective only through u (see above)
    "alco": ((0, 1), (0.0, 0.05)),
    "active": ((0, 1), (0.0, -0.22)),
}

#: h(age, ap_hi) = INTERACTION_STRENGTH * a(age) * p(ap_hi); a, p: lines from -1 to 1 through
#: these knots (age in years), flat outside
INTERACTION = ("age", "ap_hi")
INTERACTION_STRENGTH = 0.8
INTERACTION_KNOTS = {"age": (30, 65), "ap_hi": (100, 180)}

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
_NUMBERS_PER_ROW = 64             # arrays the generator holds per patient, to bound n before drawing


def effect(name: str, values) -> np.ndarray:
    """The true shape g_name evaluated at `values` (recorded units; age in days)."""
    if not isinstance(name, str) or name not in SHAPES:
        raise ValueError(f"name must be one of {list(SHAPES)}, got {name!r}")
    x = check_array(values, "values")
    if name == "age":
        x = x / DAYS_PER_YEAR
    knots, heights = SHAPES[name]
    return np.interp(x, knots, heights)


def _feature_frame(X, name: str = "X") -> pd.DataFrame:
    """The 11 feature columns of X (a DataFrame, or an array in the order of FEATURES), all finite."""
    if isinstance(X, pd.DataFrame):
        check_finite_table(check_frame(X, FEATURES, name)[FEATURES], name)
        return X[FEATURES]
    array, _ = check_rows(X, name, len(FEATURES),
                          f"the twin's features need shape (n, {len(FEATURES)}): {FEATURES}")
    return pd.DataFrame(array, columns=FEATURES)


def _interaction_factor(name: str, values) -> np.ndarray:
    """a(age) or p(ap_hi): a line from -1 to 1 between the two knots, flat outside."""
    x = np.asarray(values, dtype=float)
    if name == "age":
        x = x / DAYS_PER_YEAR
    return np.interp(x, INTERACTION_KNOTS[name], (-1.0, 1.0))


def interaction_term(age, ap_hi) -> np.ndarray:
    """The true pairwise term h(age, ap_hi) = INTERACTION_STRENGTH * a(age) * p(ap_hi).

    Recorded units (age in days, ap_hi in mm Hg). Between -0.8 and +0.8 log-odds: +0.8 at 65 years
    and 180 mm Hg, -0.8 at 30 years and 180 mm Hg: high pressure costs more with age.
    """
    age, ap_hi = check_array(age, "age"), check_array(ap_hi, "ap_hi")
    return INTERACTION_STRENGTH * _interaction_factor("age", age) * _interaction_factor("ap_hi", ap_hi)


def cardio_logit(X) -> np.ndarray:
    """The true risk logit INTERCEPT + sum_j g_j(x_j) + h(age, ap_hi) of each row of `X`.

    This is the part of the label logit that the 11 columns carry; the labels add
    ``LATENT_EFFECT * u`` for a confounder u that no column records (mean zero; module docstring).
    """
    frame = _feature_frame(X)
    additive = INTERCEPT + sum(effect(name, frame[name].to_numpy()) for name in FEATURES)
    return additive + interaction_term(frame["age"].to_numpy(), frame["ap_hi"].to_numpy())


def _interaction_games(frame: pd.DataFrame, reference: pd.DataFrame):
    """The four interventional values of the pair game: h(x,x), E_b h(x_i,b_j), E_b h(b_i,x_j), E_b h(b,b)."""
    a_x, p_x = _interaction_factor("age", frame["age"]), _interaction_factor("ap_hi", frame["ap_hi"])
    a_b, p_b = (_interaction_factor("age", reference["age"]),
                _interaction_factor("ap_hi", reference["ap_hi"]))
    c = INTERACTION_STRENGTH
    return c * a_x * p_x, c * a_x * p_b.mean(), c * a_b.mean() * p_x, c * (a_b * p_b).mean()


def cardio_truth(X, background=None) -> tuple[float, pd.DataFrame]:
    """The exact Shapley values of the true logit: one column per feature, plus the base value.

    Interventional Shapley values (Lundberg and Lee, NeurIPS 2017; Janzing et al., AISTATS 2020)
    with a background set B, v(S) = mean_{b in B} f(x_S, b_rest), of
    ``cardio_logit(x) = b0 + sum_j g_j(x_j) + h(x_i, x_j)`` (i = age, j = ap_hi):

        additive part:  phi_k(x) = g_k(x_k) - mean_b g_k(b_k)
        pair term:      phi_i += 1/2 [E_b h(x_i, b_j) - E_b h(b_i, b_j)] + 1/2 [h(x_i, x_j) - E_b h(b_i, x_j)]
                        phi_j += 1/2 [E_b h(b_i, x_j) - E_b h(b_i, b_j)] + 1/2 [h(x_i, x_j) - E_b h(x_i, b_j)]
        base = b0 + sum_k mean_b g_k(b_k) + E_b h(b_i, b_j)

    (E_b h(b_i, b_j) averages over background rows, keeping each row's pair.) Then
    base + sum_k phi_k(x) = cardio_logit(x) exactly (efficiency). `background` defaults to `X`.
    Pass clean rows (``return_details=True`` gives them). The confounder u is not a column, so it
    has no Shapley value here: a model fitted to the labels credits its part to smoke and alco.
    """
    frame = _feature_frame(X)
    reference = frame if background is None else _feature_frame(background, "background")
    contributions, base = {}, INTERCEPT
    for name in FEATURES:
        centre = effect(name, reference[name].to_numpy()).mean()
        contributions[name] = effect(name, frame[name].to_numpy()) - centre
        base += centre
    both, age_alone, ap_hi_alone, neither = _interaction_games(frame, reference)
    contributions["age"] = contributions["age"] + 0.5 * (age_alone - neither) + 0.5 * (both - ap_hi_alone)
    contributions["ap_hi"] = contributions["ap_hi"] + 0.5 * (ap_hi_alone - neither) + 0.5 * (both - age_alone)
    return float(base + neither), pd.DataFrame(contributions, index=frame.index)


def true_interaction(X, background=None) -> pd.Series:
    """The true SHAP interaction value Phi_{age, ap_hi}(x) of :func:`cardio_logit`, one per row.

    Lundberg et al. (2018/2020) define, for i != j,
    Phi_ij = sum_{S without i, j} |S|! (M - |S| - 2)! / (2 (M - 1)!) * D_ij(S),
    D_ij(S) = v(S + i + j) - v(S + i) - v(S + j) + v(S). Only h couples age and ap_hi, so D_ij(S)
    is the same for every S and the weights sum to 1/2:

        Phi_ij(x) = 1/2 [h(x_i, x_j) - E_b h(x_i, b_j) - E_b h(b_i, x_j) + E_b h(b_i, b_j)]

    This is the value ``shap.TreeExplainer(...).shap_interaction_values`` puts in each of the two
    off-diagonal cells [age, ap_hi] and [ap_hi, age] (they add up to the full interaction); every
    other pair of this logit has Phi = 0. Same background convention as :func:`cardio_truth`.
    """
    frame = _feature_frame(X)
    reference = frame if background is None else _feature_frame(background, "background")
    both, age_alone, ap_hi_alone, neither = _interaction_games(frame, reference)
    return pd.Series(0.5 * (both - age_alone - ap_hi_alone + neither), index=frame.index,
                     name="age x ap_hi")


def habit_confounding(table: pd.DataFrame, habit: str = "smoke") -> dict[str, float]:
    """How far a habit looks protective in `table`, and its true direct effect (log-odds).

    Returns ``"observed"``: log odds ratio of disease, habit vs none, in the table (what a
    mean-target plot shows); ``"within_gender"``: the same, averaged over the two genders
    (removes the gender path); ``"direct"``: g_habit(1) - g_habit(0), the causal effect coded in
    the twin. The gap between observed and direct is the confounder u's doing.
    """
    if habit not in ("smoke", "alco"):
        raise ValueError(f"habit must be 'smoke' or 'alco', got {habit!r}")
    check_frame(table, [habit, "cardio", "gender"], "table")

    def log_odds_ratio(rows: pd.DataFrame) -> float:
        rate = rows.groupby(habit)["cardio"].mean().reindex([0, 1])    # NaN if a group is missing
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.log(rate[1] / (1 - rate[1])) - np.log(rate[0] / (1 - rate[0])))

    by_gender = [log_odds_ratio(rows) for _, rows in table.groupby("gender")]
    direct = float(effect(habit, [1])[0] - effect(habit, [0])[0])
    result = {"observed": log_odds_ratio(table), "within_gender": float(np.mean(by_gender)),
              "direct": direct}
    if not np.all(np.isfinite(list(result.values()))):
        raise ValueError(f"table needs, in each gender, rows with {habit} = 0 and 1 and both labels "
                         "among each; pass a larger table")
    return result


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

    # habits: Gaussian copula within gender, so that smoke and alco go together; the unrecorded
    # confounder u (earlier warnings) lowers both scores, and each score stays standard normal
    latent = rng.standard_normal(n)
    own = np.sqrt(1 - LATENT_ON_HABITS ** 2)
    rho = (HABITS_RHO - LATENT_ON_HABITS ** 2) / own ** 2     # so that corr(z_smoke, z_alco) = HABITS_RHO
    e_smoke = rng.standard_normal(n)
    e_alco = rho * e_smoke + np.sqrt(1 - rho ** 2) * rng.standard_normal(n)
    z_smoke = -LATENT_ON_HABITS * latent + own * e_smoke
    z_alco = -LATENT_ON_HABITS * latent + own * e_alco
    smoke = _bernoulli_from_normal(z_smoke, np.where(men, SMOKE_RATE[2], SMOKE_RATE[1]))
    alco = _bernoulli_from_normal(z_alco, np.where(men, ALCO_RATE[2], ALCO_RATE[1]))
    active = (rng.random(n) < ACTIVE_RATE).astype(int)

    return {"age": np.clip(np.round(age_years * DAYS_PER_YEAR), 10798, 23713), "gender": gender,
            "height": height, "weight": weight, "ap_hi": ap_hi, "ap_lo": ap_lo,
            "cholesterol": cholesterol, "gluc": gluc, "smoke": smoke, "alco": alco,
            "active": active, "latent": latent}


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

    Steps: draw the clean features and the unrecorded confounder u (:func:`_population`);
    compute the true logit of the columns (:func:`cardio_logit`); draw
    ``cardio ~ Bernoulli(sigmoid(cardio_logit + LATENT_EFFECT * u))``;
    then, when `errors` is true, inject entry errors at the rates of :data:`ERROR_RATES`.
    Deterministic for a given (n, seed). ``.attrs["source"]`` says ``"synthetic twin"``.

    With ``return_details=True`` returns ``(table, details)`` where details holds ``"clean"``
    (the table before entry errors, equal to ``errors=False``), ``"logit"`` (``cardio_logit`` of
    the clean rows), ``"latent"`` (u), ``"probability"`` (the probability each label was drawn
    with, u included) and ``"errors"`` (a boolean table, one column per kind).
    """
    n, seed = check_budget(n, "n", per_unit=_NUMBERS_PER_ROW, minimum=2), check_seed(seed)
    rng = np.random.default_rng(seed)
    n_ids = int(np.ceil(n / 0.7))            # the real ids are 70 % of 0..99,999 (rest: test set)
    ids = np.sort(rng.choice(n_ids, size=n, replace=False))
    features = _population(int(n), rng)
    latent = features.pop("latent")
    clean = pd.DataFrame({"id": ids, **features})
    logit = cardio_logit(clean)
    probability = 1 / (1 + np.exp(-(logit + LATENT_EFFECT * latent)))
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
    return table, {"clean": clean, "logit": logit, "latent": latent, "probability": probability,
                   "errors": flags}
