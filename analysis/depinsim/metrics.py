"""Generic metrics: concentration, confidence intervals, payback, sensitivity.

Gini and Nakamoto follow the simulator's own definitions (models/economy/concentration.cpp),
so that applied to the same amounts they give the numbers in /epochs/operators.

    gini([1, 1, 1, 1])                  # 0.0
    nakamoto([50, 30, 20])              # 2: the fewest holders of more than half
    confidence_interval([0.1, 0.12, 0.09])
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats


def _amounts(values) -> np.ndarray:
    x = np.asarray(values, dtype=float).ravel()
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError("amounts must be finite and non-negative")
    return x


def gini(values) -> float:
    """Gini coefficient of non-negative amounts: 0 when equal, (n-1)/n when one holds all.

    sum((2i - n - 1) x_i) / (n sum x) over the amounts sorted ascending (i from 1); 0 for an
    empty or all-zero input.
    """
    x = np.sort(_amounts(values))
    n = len(x)
    total = x.sum()
    if n == 0 or total <= 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * x) / (n * total))


def nakamoto(values, threshold: float = 0.5) -> int:
    """Nakamoto coefficient: the fewest holders whose amounts add up to more than `threshold`
    of the total (0 for an empty or all-zero input)."""
    if not 0 <= threshold < 1:
        raise ValueError("threshold must be in [0, 1)")
    x = np.sort(_amounts(values))[::-1]
    total = x.sum()
    if total <= 0:
        return 0
    needed = threshold * total + 1e-12 * total  # shares equal to the threshold within rounding
    held = np.cumsum(x)
    above = np.nonzero(held > needed)[0]
    return int(above[0] + 1) if len(above) else len(x)


def confidence_interval(samples, confidence: float = 0.95):
    """Mean and Student-t confidence interval of independent samples (e.g. replications).

    Returns (mean, low, high); NaN values are ignored; low and high are NaN with fewer than
    two samples.
    """
    x = np.asarray(samples, dtype=float).ravel()
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n < 2:
        return (mean, math.nan, math.nan)
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return (mean, mean - half, mean + half)


def payback_time(costs, earnings, times) -> float:
    """The first time at which cumulative earnings reach cumulative costs; NaN if they never
    do (or nothing was spent).

    `costs` and `earnings` are per-period amounts (e.g. USD per epoch), `times` the end of each
    period (e.g. days).
    """
    c = np.cumsum(np.nan_to_num(np.asarray(costs, dtype=float)))
    e = np.cumsum(np.nan_to_num(np.asarray(earnings, dtype=float)))
    t = np.asarray(times, dtype=float)
    if len(c) == 0 or c[-1] <= 0:
        return math.nan
    reached = np.nonzero((e >= c) & (c > 0))[0]
    return float(t[reached[0]]) if len(reached) else math.nan


STATS = ("mean", "std", "ci_low", "ci_high", "n")


def across_replications(data: xr.Dataset, dim: str = "replication",
                        confidence: float = 0.95) -> xr.Dataset:
    """Mean and spread of every variable across replications (seeds).

    Returns a Dataset with the same variables, `dim` replaced by a `stat` dimension:
    mean, std (ddof 1), ci_low and ci_high (Student t at `confidence`), n (replications with a
    value). Select e.g. `summary["fraud_leakage"].sel(stat="mean")`.
    """
    n = data.count(dim)
    with warnings.catch_warnings():  # all-NaN metrics and single replications give NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = data.mean(dim, skipna=True)
        std = data.std(dim, ddof=1, skipna=True)
    nn = n.astype(float)
    t = xr.apply_ufunc(lambda k: stats.t.ppf(0.5 + confidence / 2, np.where(k > 1, k - 1, np.nan)),
                       nn)
    half = t * std / np.sqrt(nn)
    out = xr.concat([mean, std, mean - half, mean + half, nn], dim="stat", coords="minimal",
                    compat="override")
    out = out.assign_coords(stat=list(STATS))
    out.attrs = dict(data.attrs, confidence=confidence)
    for name in out.data_vars:
        out[name].attrs = dict(data[name].attrs)
    return out


def sensitivity(table: pd.DataFrame, metric: str, parameters) -> pd.DataFrame:
    """Main effects of each parameter on `metric`, for a tornado plot.

    For each parameter: the mean of `metric` over every run at the parameter's lowest value
    and at its highest (for a parameter with more than 5 distinct values, over its lowest and
    highest third), all other parameters averaged over. Returns one row per parameter with
    low_value, high_value, at_low, at_high, effect (at_high - at_low) and baseline (the mean
    over all runs), sorted by |effect|, largest first.
    """
    rows = []
    baseline = float(table[metric].mean())
    for p in parameters:
        values = table[p]
        distinct = np.sort(values.dropna().unique())
        if len(distinct) < 2:
            continue
        if len(distinct) > 5:
            lo_cut, hi_cut = values.quantile(1 / 3), values.quantile(2 / 3)
            low, high = table[values <= lo_cut], table[values >= hi_cut]
            low_value, high_value = float(low[p].mean()), float(high[p].mean())
        else:
            low, high = table[values == distinct[0]], table[values == distinct[-1]]
            low_value, high_value = distinct[0], distinct[-1]
        at_low, at_high = float(low[metric].mean()), float(high[metric].mean())
        rows.append({"parameter": p, "low_value": low_value, "high_value": high_value,
                     "at_low": at_low, "at_high": at_high, "effect": at_high - at_low,
                     "baseline": baseline})
    out = pd.DataFrame(rows, columns=["parameter", "low_value", "high_value", "at_low",
                                      "at_high", "effect", "baseline"])
    if len(out):
        out = out.reindex(out["effect"].abs().sort_values(ascending=False).index)
    return out.set_index("parameter")
