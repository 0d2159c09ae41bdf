"""Tables: DataFrames and arrays with column names, targets and features named or indexed."""
from __future__ import annotations

import numpy as np

__all__ = ["check_table", "check_target", "feature_index", "like", "check_finite_table",
           "check_frame", "check_length", "check_names", "check_pair"]


def check_table(X, name: str = "X"):
    """(values as a float array (n, M), feature names) for a DataFrame or a 2-D array of numbers."""
    if hasattr(X, "toarray"):
        raise TypeError(f"{name} is a sparse matrix; pass a dense array ({name}.toarray())")
    if hasattr(X, "columns") and hasattr(X, "dtypes"):
        bad = [str(c) for c, kind in zip(X.columns, X.dtypes) if getattr(kind, "kind", "O") not in "biuf"]
        if bad:
            raise TypeError(f"{name} has non-numeric columns {bad}; encode them as numbers first "
                            "(e.g. pd.get_dummies or OrdinalEncoder)")
        columns = [str(c) for c in X.columns]
        values = X.to_numpy(dtype=float, na_value=np.nan)   # pandas NA becomes NaN
    else:
        try:
            values = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a DataFrame or an array of numbers; it holds values "
                            "that are not numbers (encode them first)") from None
        if values.ndim != 2:
            raise ValueError(f"{name} must be 2-D (rows x features), got shape {values.shape}; "
                             "use X.reshape(1, -1) for a single row")
        columns = [str(j) for j in range(values.shape[1])]
    if values.shape[0] == 0:
        raise ValueError(f"{name} has no rows")
    if np.any(np.isinf(values)):
        raise ValueError(f"{name} holds infinite values; replace or drop them first")
    return values, columns


def check_target(y, n: int) -> np.ndarray:
    y = np.asarray(y).ravel()
    if len(y) != n:
        raise ValueError(f"y has {len(y)} entries but X has {n} rows; pass the labels of the same rows")
    return y


def feature_index(feature, columns) -> int:
    """Position of `feature` (a column name or an integer position) among `columns`."""
    if isinstance(feature, (int, np.integer)) and not isinstance(feature, bool):
        if not 0 <= feature < len(columns):
            raise ValueError(f"feature {feature} is out of range: X has {len(columns)} columns")
        return int(feature)
    if str(feature) not in columns:
        raise ValueError(f"unknown feature {feature!r}; X has the columns {columns}")
    return columns.index(str(feature))


def like(X, values, columns):
    """`values` in the container the model was given: a DataFrame with X's columns, or an array."""
    if hasattr(X, "columns"):
        return type(X)(values, columns=X.columns)
    return values


# ----------------------------------------------------------------------------- tables, predictions and estimators
def check_finite_table(X, name: str = "X"):
    """check_table for methods that cannot route missing values: NaN and pandas NA are refused."""
    values, columns = check_table(X, name)
    bad = np.flatnonzero(np.isnan(values).any(axis=1))
    if len(bad):
        raise ValueError(f"{name} has NaN or missing values in row {bad[0]}"
                         + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else "")
                         + "; impute or drop them first")
    return values, columns


def check_frame(table, columns, name: str = "table"):
    """`table` itself if it is a DataFrame holding every name in `columns`."""
    if not hasattr(table, "columns") or not hasattr(table, "loc"):
        raise TypeError(f"{name} must be a pandas DataFrame with the columns {list(columns)}, "
                        f"got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} lacks the columns {missing}; pass a table with {list(columns)}")
    return table


def check_length(values, n: int, name: str, rows: str = "X") -> np.ndarray:
    """`values` as a 1-D array with one entry per row of `rows` (n entries)."""
    values = np.asarray(values).ravel()
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} entries but {rows} has {n} rows; "
                         "pass one per row")
    return values


def check_names(feature_names, columns) -> list:
    """Feature names: `columns` if None, else one name per column."""
    if feature_names is None:
        return list(columns)
    if isinstance(feature_names, str) or len(feature_names) != len(columns):
        raise ValueError(f"feature_names must be a list of {len(columns)} names, one per column, "
                         f"got {feature_names!r}")
    return [str(name) for name in feature_names]


def check_pair(features, columns) -> tuple:
    """Positions of a pair of features (names or positions) among `columns`."""
    if isinstance(features, (str, bytes)) or not hasattr(features, "__len__"):
        raise TypeError(f"features must be a pair of columns such as ('age', 'ap_hi'), got {features!r}")
    if len(features) != 2:
        raise ValueError(f"features must be a pair of columns, got {features!r}")
    return tuple(feature_index(feature, columns) for feature in features)
