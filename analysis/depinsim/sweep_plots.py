"""Plots of many runs: sweep heatmaps, tornado plots of sensitivity, comparisons of runs.

    sweep = load_sweep("out/grid/index.h5")
    plot_sweep_heatmap(sweep, "fraud_leakage")
    plot_tornado(sweep, "false_accept_rate")
    plot_comparison(compare(runs), ["fraud_leakage", "false_accept_rate"])
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .metrics import sensitivity
from .sweep import Sweep


def _axes(ax, size=(7, 4.5)):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def short_name(key: str) -> str:
    """The last parts of a key path, enough to tell it apart in a label
    ("population[0].behaviour.fabricator.share" -> "fabricator.share")."""
    parts = key.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else key


def _label(sweep: Sweep, key: str) -> str:
    units = sweep.points.attrs.get("units", {}).get(key, "")
    return f"{short_name(key)} ({units})" if units and units != "1" else short_name(key)


def _number(v) -> str:
    return f"{v:g}" if isinstance(v, (int, float, np.number)) else str(v)


def plot_sweep_heatmap(sweep: Sweep, metric: str, x=None, y=None, ax=None, cmap="viridis",
                       annotate=True):
    """The mean of `metric` across replications over two swept dimensions (by default the
    first two; a key zipped with a dimension may stand for it), each cell annotated with its
    mean and, with replications, the half-width of its 95% confidence interval. Other
    dimensions are averaged over."""
    dims = [d for d in sweep.dims if d != "point"]
    if len(dims) < 2 and (x is None or y is None):
        raise ValueError(f"a heatmap needs two grid dimensions; this sweep has {sweep.dims}")
    x = x or dims[1]
    y = y or dims[0]
    ax = _axes(ax)
    summary = sweep.summary[metric]
    for key in (x, y):  # a key zipped with a dimension stands for it
        if key not in summary.dims and key in sweep.aux:
            summary = summary.swap_dims({sweep.aux[key]: key})
    others = [d for d in summary.dims if d not in (x, y, "stat")]
    mean = summary.sel(stat="mean").mean(others).transpose(y, x)
    high = summary.sel(stat="ci_high").mean(others).transpose(y, x)
    values = mean.to_numpy()
    image = ax.imshow(values, origin="lower", aspect="auto", cmap=cmap)
    ax.set_xticks(range(len(mean[x])), [_number(v) for v in mean[x].to_numpy()])
    ax.set_yticks(range(len(mean[y])), [_number(v) for v in mean[y].to_numpy()])
    ax.set_xlabel(_label(sweep, x))
    ax.set_ylabel(_label(sweep, y))
    units = sweep.data[metric].attrs.get("units", "")
    ax.figure.colorbar(image, ax=ax, label=f"{metric} ({units})" if units else metric)
    if annotate:
        finite = values[np.isfinite(values)]
        middle = (finite.min() + finite.max()) / 2 if finite.size else 0
        half = high.to_numpy() - values
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                if not np.isfinite(values[i, j]):
                    continue
                text = f"{values[i, j]:.3g}"
                if np.isfinite(half[i, j]):
                    text += f"\n±{half[i, j]:.2g}"
                ax.text(j, i, text, ha="center", va="center", fontsize="small",
                        color="black" if values[i, j] > middle else "white")
    n = int(sweep.summary[metric].sel(stat="n").max())
    ax.set_title(f"{metric}: mean of {n} replication{'s' if n != 1 else ''}")
    return ax


def plot_sweep_lines(sweep: Sweep, metric: str, x=None, hue=None, ax=None):
    """The mean of `metric` across replications against one swept key `x`, one line per value
    of another (`hue`), with the 95% confidence interval as a band; other dimensions are
    averaged over."""
    dims = [d for d in sweep.dims if d != "point"]
    if not dims and x is None:
        raise ValueError(f"a line plot needs a grid dimension; this sweep has {sweep.dims}")
    x = x or (dims[1] if len(dims) > 1 else dims[0])
    hue = hue if hue is not None else next((d for d in dims if d != x), None)
    ax = _axes(ax)
    summary = sweep.summary[metric]
    for key in (x, hue):
        if key is not None and key not in summary.dims and key in sweep.aux:
            summary = summary.swap_dims({sweep.aux[key]: key})
    others = [d for d in summary.dims if d not in (x, hue, "stat")]
    summary = summary.mean(others)
    lines = [(None, summary)] if hue is None else \
        [(v, summary.sel({hue: v})) for v in summary[hue].to_numpy()]
    for value, s in lines:
        xs = s[x].to_numpy()
        label = None if value is None else f"{short_name(hue)} = {_number(value)}"
        line, = ax.plot(xs, s.sel(stat="mean").to_numpy(), marker="o", label=label)
        ax.fill_between(xs, s.sel(stat="ci_low").to_numpy(), s.sel(stat="ci_high").to_numpy(),
                        color=line.get_color(), alpha=0.2)
    ax.set_xlabel(_label(sweep, x))
    units = sweep.data[metric].attrs.get("units", "")
    ax.set_ylabel(f"{metric} ({units})" if units else metric)
    ax.set_title(f"{metric}: mean and 95% interval across replications")
    if hue is not None:
        ax.legend(fontsize="small")
    return ax


def plot_tornado(sweep: Sweep, metric: str, parameters=None, ax=None):
    """Sensitivity of `metric` to each swept parameter (`depinsim.sensitivity`; by default
    those not zipped with another): a bar from its
    mean at the parameter's lowest value to its mean at the highest, around the mean of all
    runs, largest effect on top."""
    ax = _axes(ax)
    keys = parameters or [p for p in sweep.parameters if p not in sweep.aux]
    table = sensitivity(sweep.points, metric, keys)
    rows = table.iloc[::-1]
    baseline = table["baseline"].iloc[0] if len(table) else np.nan
    for i, (key, row) in enumerate(rows.iterrows()):
        ax.barh(i, row["at_low"] - baseline, left=baseline, color="#4dabf7",
                label="at lowest value" if i == 0 else None)
        ax.barh(i, row["at_high"] - baseline, left=baseline, color="#f76707",
                label="at highest value" if i == 0 else None)
        ax.text(row["at_low"], i, f" {_number(row['low_value'])} ", va="center",
                ha="right" if row["at_low"] < baseline else "left", fontsize="small")
        ax.text(row["at_high"], i, f" {_number(row['high_value'])} ", va="center",
                ha="right" if row["at_high"] < baseline else "left", fontsize="small")
    ax.axvline(baseline, color="black", lw=0.8)
    ax.set_yticks(range(len(rows)), [_label(sweep, k) for k in rows.index])
    units = sweep.data[metric].attrs.get("units", "")
    ax.set_xlabel(f"{metric} ({units})" if units else metric)
    ax.set_title(f"Sensitivity of {metric}")
    if len(rows):
        ax.legend(fontsize="small", loc="best")
    return ax


def plot_comparison(table, metrics, ax=None, percent=True):
    """Grouped bars of summary metrics (columns of `table`, e.g. from `depinsim.compare`), one
    group per run; shares are shown in percent, and a metric a run does not have (NaN) is an
    unlabelled empty bar."""
    ax = _axes(ax, size=(max(7, 1.6 * len(table)), 4.5))
    metrics = list(metrics)
    width = 0.8 / max(1, len(metrics))
    positions = np.arange(len(table))
    for k, m in enumerate(metrics):
        values = table[m].to_numpy(dtype=float) * (100 if percent else 1)
        bars = ax.bar(positions + (k - (len(metrics) - 1) / 2) * width, np.nan_to_num(values),
                      width, label=m)
        labels = ["" if np.isnan(v) else (f"{v:.1f}" if percent else f"{v:.3g}") for v in values]
        ax.bar_label(bars, labels=labels, fontsize="x-small")
    ax.set_xticks(positions, list(table.index), rotation=20, ha="right")
    ax.set_ylabel("%" if percent else "")
    ax.legend(fontsize="small")
    return ax
