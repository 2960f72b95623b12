"""The standard plots of one run (matplotlib). Each takes a `Run` and an optional Axes, draws
on it and returns it.

    run = load_run("out/basic_sensors.h5")
    plot_quality(run)
    plot_overview(run).savefig("overview.png")
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .run import Run
from .summary import confusion_matrix, operator_table, summarize

#: One colour per behaviour, the same in every plot.
BEHAVIOUR_COLOURS = {
    "honest": "#2b8a3e", "noisy": "#f59f00", "drifting": "#e8590c", "stuck": "#868e96",
    "intermittent": "#74c0fc", "indoor": "#9c36b5", "fabricator": "#c92a2a",
    "spoofer": "#1864ab", "colluder": "#5f3dc4", "sybil": "#d6336c",
}


def colour(behaviour: str) -> str:
    return BEHAVIOUR_COLOURS.get(behaviour, "#495057")


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    return ax


def _days_label(run: Run) -> str:
    return f"time ({run.epochs.attrs.get('index_units', {}).get('end_days', 'd')})"


def plot_quality(run: Run, ax=None, behaviours=None):
    """Data quality over time by behaviour: the share of each behaviour's judged readings that
    the oracle accepted, per epoch, with the RMSE of all accepted readings against the truth."""
    ax = _axes(ax)
    t = run.time_days
    accepted = run.by_behaviour("quality/{behaviour}/accepted", behaviours)
    arrived = run.by_behaviour("quality/{behaviour}/arrived", behaviours)
    for b in accepted.columns:
        share = accepted[b].to_numpy() / np.where(arrived[b] > 0, arrived[b], np.nan)
        ax.plot(t, share, label=b, color=colour(b), lw=2 if b == "honest" else 1.5)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(_days_label(run))
    ax.set_ylabel("share of readings accepted")
    ax.set_title("Readings accepted, by behaviour")
    if "quality/rmse_c" in run.epochs:
        twin = ax.twinx()
        twin.plot(t, run.epochs["quality/rmse_c"].to_numpy(), color="black", ls="--", lw=1,
                  label="RMSE of accepted")
        twin.set_ylabel(f"RMSE of accepted readings ({run.units('quality/rmse_c')})")
        twin.set_ylim(bottom=0)
        lines = ax.get_legend_handles_labels()
        more = twin.get_legend_handles_labels()
        ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize="small", loc="lower left")
    else:
        ax.legend(fontsize="small", loc="lower left")
    return ax


def plot_confusion_matrix(run: Run, check=None, ax=None):
    """The validation pipeline's (or one reading check's) confusion matrix over the run: readings
    by truth and decision, shaded by the share of each truth row."""
    ax = _axes(ax)
    cm = confusion_matrix(run, check)
    counts = cm.to_numpy(dtype=float)
    shares = counts / np.where(counts.sum(axis=1, keepdims=True) > 0,
                               counts.sum(axis=1, keepdims=True), np.nan)
    ax.imshow(np.nan_to_num(shares), cmap="Blues", vmin=0, vmax=1)
    for i in range(2):
        for j in range(2):
            share = "" if np.isnan(shares[i, j]) else f"\n{shares[i, j]:.1%}"
            ax.text(j, i, f"{int(counts[i, j]):,}{share}", ha="center", va="center",
                    color="white" if shares[i, j] > 0.6 else "black")
    ax.set_xticks([0, 1], [f"{d}" for d in cm.columns])
    ax.set_yticks([0, 1], [f"{t} (truth)" for t in cm.index])
    ax.set_xlabel("decision")
    ax.set_title(f"Confusion matrix: {cm.attrs['check']}")
    return ax


def plot_rewards_by_behaviour(run: Run, ax=None):
    """Tokens paid per epoch to each behaviour (stacked), with the fraud leakage: the share of
    the emission paid to dishonest nodes (DISHONEST_BEHAVIOURS)."""
    ax = _axes(ax)
    t = run.time_days
    paid = run.by_behaviour("tokens/paid_{behaviour}")
    ax.stackplot(t, paid.to_numpy().T, labels=list(paid.columns),
                 colors=[colour(b) for b in paid.columns], alpha=0.85)
    ax.set_xlabel(_days_label(run))
    ax.set_ylabel(f"paid per epoch ({paid.attrs['units'].get(paid.columns[0], '')})"
                  if len(paid.columns) else "paid per epoch")
    leakage = summarize(run)["fraud_leakage"]
    ax.set_title(f"Rewards by behaviour (fraud leakage {leakage:.1%})")
    top = float(np.nanmax(paid.sum(axis=1))) if len(paid) else 0.0
    ax.set_ylim(0, 1.4 * top if top > 0 else 1)  # room for the legend above the stack
    twin = ax.twinx()
    share = 100 * run.epochs["tokens/fraud_leakage"].to_numpy()
    twin.plot(t, share, color="black", lw=1, ls="--", label="fraud leakage")
    twin.set_ylabel("fraud leakage (% of emission)")
    peak = np.nanmax(share) if np.isfinite(share).any() else 0.0
    twin.set_ylim(0, 1.4 * peak if peak > 0 else 1)
    handles, labels = ax.get_legend_handles_labels()
    more = twin.get_legend_handles_labels()
    ax.legend(handles + more[0], labels + more[1], fontsize="small", loc="upper left",
              ncol=3)
    return ax


def plot_supply_and_price(run: Run, ax=None):
    """Token supply and circulating supply (left axis) and the token price (right axis)."""
    ax = _axes(ax)
    t = run.time_days
    e = run.epochs
    ax.plot(t, e["tokens/supply"].to_numpy(), label="supply", color="#364fc7")
    if "tokens/circulating" in e:
        ax.plot(t, e["tokens/circulating"].to_numpy(), label="circulating", color="#748ffc")
    ax.set_xlabel(_days_label(run))
    ax.set_ylabel(f"tokens ({run.units('tokens/supply')})")
    ax.set_ylim(bottom=0)
    twin = ax.twinx()
    twin.plot(t, e["market/price_usd"].to_numpy(), label="price", color="#e67700", lw=2)
    twin.set_ylabel(f"price ({run.units('market/price_usd')} per token)")
    twin.set_ylim(bottom=0)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = twin.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize="small", loc="center right")
    ax.set_title("Supply and price")
    return ax


def plot_burn_and_mint(run: Run, ax=None):
    """Tokens minted and burned per epoch, and their ratio (1: the supply stops growing)."""
    ax = _axes(ax)
    t = run.time_days
    e = run.epochs
    ax.plot(t, e["tokens/minted"].to_numpy(), label="minted", color="#2f9e44")
    ax.plot(t, e["tokens/burned"].to_numpy(), label="burned", color="#e03131")
    ax.set_xlabel(_days_label(run))
    ax.set_ylabel(f"per epoch ({run.units('tokens/minted')})")
    ax.set_ylim(bottom=0)
    twin = ax.twinx()
    twin.plot(t, e["market/burn_mint_ratio"].to_numpy(), color="black", ls="--", lw=1,
              label="burned / minted")
    twin.axhline(1.0, color="grey", lw=0.5)
    twin.set_ylabel("burned / minted")
    twin.set_ylim(bottom=0)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = twin.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize="small", loc="center right")
    ax.set_title("Burn and mint")
    return ax


def plot_operator_roi(run: Run, ax=None, bins=30):
    """The distribution of operators' return on their hardware (estimated by
    `operator_table`), stacked by behaviour."""
    ax = _axes(ax)
    table = operator_table(run)
    roi = table["roi"] if "roi" in table else None
    if roi is None or roi.notna().sum() == 0:
        ax.text(0.5, 0.5, "no hardware cost in this scenario:\nreturn on capex undefined",
                ha="center", va="center", transform=ax.transAxes)
        ax.set_title("Operator return on capex")
        return ax
    groups = [b for b in run.behaviours if (table["behaviour"] == b).any()]
    data = [table.loc[table["behaviour"] == b, "roi"].dropna().to_numpy() for b in groups]
    edges = np.histogram_bin_edges(roi.dropna().to_numpy(), bins=bins)
    ax.hist(data, bins=edges, stacked=True, label=groups, color=[colour(b) for b in groups])
    if edges[0] <= 0 <= edges[-1]:
        ax.axvline(0.0, color="black", lw=0.8)
    ax.set_xlabel("return on capex (1 = 100%)")
    ax.set_ylabel("operators")
    paid_back = (roi >= 0).mean()
    ax.set_title(f"Operator return on capex ({paid_back:.0%} paid back)")
    ax.legend(fontsize="small")
    return ax


def plot_churn(run: Run, ax=None):
    """Operators in the network, and how many have joined and left since the start."""
    ax = _axes(ax)
    t = run.time_days
    e = run.epochs
    ax.plot(t, e["operators/active"].to_numpy(), color="black", lw=2, label="active")
    ax.plot(t, e["operators/joined"].cumsum().to_numpy(), color="#2f9e44", label="joined (total)")
    ax.plot(t, e["operators/left"].cumsum().to_numpy(), color="#e03131", label="left (total)")
    ax.set_xlabel(_days_label(run))
    ax.set_ylabel("operators")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small", loc="best")
    churn = summarize(run)["operator_churn"]
    ax.set_title(f"Operators: churn ({churn:.0%} left)" if np.isfinite(churn) else "Operators")
    return ax


def plot_flagged(run: Run, ax=None):
    """Detection over time: the share of each behaviour's nodes on the collusion denylist."""
    ax = _axes(ax)
    t = run.time_days
    flagged = run.by_behaviour("validation/flagged_{behaviour}")
    counts = run.nodes["behaviour"].value_counts()
    for b in flagged.columns:
        ax.plot(t, flagged[b].to_numpy() / counts.get(b, np.nan), label=b, color=colour(b))
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(_days_label(run))
    ax.set_ylabel("share of the behaviour's nodes flagged")
    ax.set_title("Detection: nodes on the denylist")
    ax.legend(fontsize="small")
    return ax


def plot_price_paths(runs, ax=None, column="market/price_usd"):
    """One line per run of an /epochs column (the price by default), e.g. over seeds, with
    their median in black."""
    ax = _axes(ax)
    runs = list(runs.values()) if isinstance(runs, dict) else list(runs)
    paths = []
    for r in runs:
        ax.plot(r.time_days, r.epochs[column].to_numpy(), color="#e67700", alpha=0.35, lw=1)
        paths.append(r.epochs[column].to_numpy())
    if paths and len({len(p) for p in paths}) == 1:
        ax.plot(runs[0].time_days, np.median(np.vstack(paths), axis=0), color="black", lw=2,
                label=f"median of {len(paths)} runs")
        ax.legend(fontsize="small")
    if runs:
        ax.set_xlabel(_days_label(runs[0]))
        ax.set_ylabel(f"{column} ({runs[0].units(column)})")
    ax.set_title("Price paths" if column == "market/price_usd" else column)
    return ax


def plot_overview(run: Run):
    """The five plots that matter in one figure: quality by behaviour, the confusion matrix,
    rewards by behaviour, supply and price, operator returns and churn."""
    fig, axes = plt.subplots(2, 3, figsize=(18, 9))
    plot_quality(run, ax=axes[0, 0])
    plot_confusion_matrix(run, ax=axes[0, 1])
    plot_rewards_by_behaviour(run, ax=axes[0, 2])
    plot_supply_and_price(run, ax=axes[1, 0])
    plot_operator_roi(run, ax=axes[1, 1])
    plot_churn(run, ax=axes[1, 2])
    fig.suptitle(f"{run.name} (seed {run.meta.get('seed')})")
    fig.tight_layout()
    return fig
