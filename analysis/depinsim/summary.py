"""What a run comes to: the validation's confusion matrix, operators' returns, and one row of
scalar metrics per run (the summary a sweep tabulates).

    run = load_run("out/x.h5")
    confusion_matrix(run)           # truth (good, bad) x decision (accepted, rejected)
    summarize(run)["fraud_leakage"]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .metrics import gini, nakamoto, payback_time
from .run import DISHONEST_BEHAVIOURS, Run


def check_names(run: Run) -> list:
    """The reading checks of the validation pipeline, in the file's order, then "coverage"
    when the run has a proof of coverage."""
    names = []
    for c in run.epochs.columns:
        if c.startswith("quality/checks/"):
            name = c.split("/")[2]
            if name not in names:
                names.append(name)
    if "coverage/forged_reports" in run.epochs:
        names.append("coverage")
    return names


def confusion_matrix(run: Run, check: str = None, per_epoch: bool = False):
    """Readings by truth (good, bad) and decision (accepted, rejected), summed over the run.

    With `check=None` the whole pipeline's decisions on the readings that arrived; with the
    name of a reading check (see `check_names`), that check's decisions on the readings it
    judged; with "coverage", the proof of coverage's decisions on witness reports (good:
    genuine, bad: forged; accepted: rewarded). Returns a 2x2 DataFrame (rows truth, columns
    decision); with `per_epoch=True` a DataFrame indexed like `run.epochs` with columns
    good_accepted, good_rejected, bad_accepted, bad_rejected.
    """
    e = run.epochs
    if check is None:
        bad_accepted = e["quality/bad_accepted"]
        bad_rejected = e["quality/bad_arrived"] - bad_accepted
        good_accepted = e["quality/accepted"] - bad_accepted
        good_rejected = e["quality/rejected"] - bad_rejected
    elif check == "coverage" and "coverage/forged_reports" in e:
        bad_accepted = e["coverage/forged_valid"]
        bad_rejected = e["coverage/forged_reports"] - bad_accepted
        good_rejected = e["coverage/genuine_rejected"]
        good_accepted = e["coverage/genuine_reports"] - good_rejected
    else:
        prefix = f"quality/checks/{check}/"
        if prefix + "judged" not in e:
            raise KeyError(f"{check}: no such reading check (the run has {check_names(run)})")
        bad_accepted = e[prefix + "passed_bad"]
        bad_rejected = e[prefix + "rejected_bad"]
        good_rejected = e[prefix + "rejected_good"]
        good_accepted = e[prefix + "judged"] - bad_accepted - bad_rejected - good_rejected
    table = pd.DataFrame({"good_accepted": good_accepted, "good_rejected": good_rejected,
                          "bad_accepted": bad_accepted, "bad_rejected": bad_rejected})
    if per_epoch:
        return table
    total = table.sum()
    out = pd.DataFrame([[total["good_accepted"], total["good_rejected"]],
                        [total["bad_accepted"], total["bad_rejected"]]],
                       index=pd.Index(["good", "bad"], name="truth"),
                       columns=pd.Index(["accepted", "rejected"], name="decision"))
    out.attrs["units"] = "readings"
    out.attrs["check"] = check or "pipeline"
    return out


def _scenario_hardware(run: Run, group: int) -> dict:
    try:
        return run.scenario["population"][int(group)]["hardware"]
    except (KeyError, IndexError, TypeError):
        return {}


def operator_table(run: Run) -> pd.DataFrame:
    """One row per operator that ran: its nodes, behaviour, costs and an estimate of its
    return.

    An operator runs one device (a ring or a swarm is one operator sharing one device), so its
    costs are its hardware class's capex plus opex for the epochs it was in the network
    (joined_epoch through left_epoch, or the last epoch). Its tokens are valued as if earned
    evenly over those epochs, the share operators.sell_fraction sold at once at each epoch's
    price and the rest held at the final price. Device failures are ignored: an estimate for
    distributions; the simulator's exact mean and median ROI are in /epochs/operators.
    """
    nodes = run.nodes
    if nodes.empty or "operator" not in nodes:
        return pd.DataFrame()
    epochs = run.epochs.index.get_level_values("epoch").to_numpy()
    last_epoch = int(epochs.max())
    # Nodes that joined at the last close never ran (joined_epoch is one past the last epoch).
    joined = nodes[(nodes["joined_epoch"] >= 0) & (nodes["joined_epoch"] <= last_epoch)]
    epoch_days = float(run.time_days[0]) if len(run.time_days) else math.nan
    if "market/price_usd" in run.epochs:
        price = run.epochs["market/price_usd"].to_numpy(dtype=float)
    else:
        price = np.ones(len(epochs))
    sell = float(run.scenario.get("operators", {}).get("sell_fraction", 0.0))
    g = joined.groupby("operator")
    table = pd.DataFrame({
        "nodes": g.size(),
        "behaviour": g["behaviour"].agg(lambda s: s.mode().iloc[0]),
        "group": g["group"].min(),
        "hardware": g["hardware"].first(),
        "joined_epoch": g["joined_epoch"].min(),
        "left_epoch": g["left_epoch"].max(),
        "reward_tokens": g["reward_total"].sum(),
    })
    end = np.where(table["left_epoch"] >= 0, table["left_epoch"], last_epoch)
    start = table["joined_epoch"].to_numpy()
    table["epochs_active"] = end - start + 1
    hw = [_scenario_hardware(run, grp) for grp in table["group"]]
    table["capex_usd"] = [float(h.get("capex_usd", 0.0)) for h in hw]
    months = table["epochs_active"] * epoch_days * 12.0 / 365.0
    table["opex_usd"] = [float(h.get("opex_usd_per_month", 0.0)) for h in hw] * months
    cumulative = np.concatenate([[0.0], np.cumsum(price)])
    mean_price = (cumulative[end + 1] - cumulative[start]) / table["epochs_active"].to_numpy()
    table["earned_usd"] = table["reward_tokens"] * (sell * mean_price + (1 - sell) * price[-1])
    table["profit_usd"] = table["earned_usd"] - table["capex_usd"] - table["opex_usd"]
    capex = table["capex_usd"].where(table["capex_usd"] > 0)
    table["roi"] = table["profit_usd"] / capex
    table["left"] = table["left_epoch"] >= 0
    return table


def payback_by_behaviour(run: Run) -> pd.Series:
    """Days until the nodes of each behaviour, taken together, earned back what they cost
    (/epochs/operators/earned_usd_* against cost_usd_*); NaN where they never did."""
    out = {}
    for b in run.behaviours:
        cost, earned = f"operators/cost_usd_{b}", f"operators/earned_usd_{b}"
        if cost in run.epochs and earned in run.epochs:
            out[b] = payback_time(run.epochs[cost], run.epochs[earned], run.time_days)
    s = pd.Series(out, name="payback_days", dtype=float)
    s.index.name = "behaviour"
    return s


def earnings_by_behaviour(run: Run) -> pd.DataFrame:
    """What the nodes of each behaviour cost and earned over the run: nodes, tokens paid,
    share of the tokens paid to nodes, USD earned at each epoch's price, USD spent (capex and
    opex), and the difference."""
    e = run.epochs
    rows = {}
    for b in run.behaviours:
        rows[b] = {
            "nodes": int((run.nodes["behaviour"] == b).sum()),
            "tokens_paid": float(e[f"tokens/paid_{b}"].sum()),
            "earned_usd": float(e[f"operators/earned_usd_{b}"].sum()),
            "cost_usd": float(e[f"operators/cost_usd_{b}"].sum()),
        }
    table = pd.DataFrame(rows).T
    table.index.name = "behaviour"
    table["share_of_rewards"] = table["tokens_paid"] / table["tokens_paid"].sum()
    table["profit_usd"] = table["earned_usd"] - table["cost_usd"]
    table["nodes"] = table["nodes"].astype(int)
    return table


def _ratio(num, den) -> float:
    return float(num) / float(den) if den else math.nan


def _col(e: pd.DataFrame, name: str):
    return e[name] if name in e else None


#: What `summarize` reports, with units.
SUMMARY_UNITS = {
    "accepted_share": "1", "false_accept_rate": "1", "false_reject_rate": "1", "rmse_c": "degC",
    "forged_accept_rate": "1", "genuine_reject_rate": "1",
    "fraud_leakage": "1", "dishonest_flagged_share": "1", "honest_flagged_share": "1",
    "minted": "token", "burned": "token", "burn_mint_ratio": "1", "supply": "token",
    "price_usd": "USD", "market_cap_usd": "USD", "operators_active": "1",
    "operators_left": "1", "operator_churn": "1", "share_profitable": "1", "mean_roi": "1",
    "median_roi": "1", "gini_rewards": "1", "nakamoto_rewards": "1", "wall_seconds": "s",
    # Storage providers (NaN without them).
    "deals_placed": "1", "deals_lost": "1", "deal_loss_rate": "1", "data_lost_tib": "TiB",
    "unbacked_proven_tib": "TiB", "mean_time_to_detect_days": "d", "storage_fees": "token",
    # Compute providers (NaN without them).
    "jobs_arrived": "1", "wrong_accept_rate": "1", "deadline_miss_rate": "1",
    "verification_work_share": "1", "compute_slashed": "token",
}

_TIB = 2.0 ** 40


def _storage_summary(e: pd.DataFrame, out: dict) -> None:
    """The storage columns of `summarize`: what clients lost and what the proofs missed."""
    placed = float(e["storage/deals_placed"].sum())
    lost = float(e["storage/deals_lost"].sum())
    out["deals_placed"] = placed
    out["deals_lost"] = lost
    out["deal_loss_rate"] = _ratio(lost, placed)
    out["data_lost_tib"] = float(e["storage/data_lost_bytes"].sum()) / _TIB
    last = e.iloc[-1]
    out["unbacked_proven_tib"] = max(
        0.0, float(last["storage/bytes_proven"] - last["storage/bytes_held"])) / _TIB
    # Each epoch's mean over its detections, weighted by them.
    detected = e["storage/faults_detected"]
    mean_days = e["storage/mean_time_to_detect_days"]
    has = detected > 0
    out["mean_time_to_detect_days"] = _ratio(float((mean_days[has] * detected[has]).sum()),
                                             float(detected[has].sum()))
    out["storage_fees"] = float(e["storage/fees_tokens"].sum())


def _compute_summary(e: pd.DataFrame, out: dict) -> None:
    """The compute columns of `summarize`: wrong results that got through and what checking
    cost."""
    out["jobs_arrived"] = float(e["compute/jobs/arrived"].sum())
    out["wrong_accept_rate"] = _ratio(float(e["compute/results/wrong_accepted"].sum()),
                                      float(e["compute/results/wrong_returned"].sum()))
    out["deadline_miss_rate"] = _ratio(float(e["compute/jobs/deadline_misses"].sum()),
                                       float(e["compute/jobs/completed"].sum()))
    # Checking work over all work, as the simulator counts it each epoch (one run per job plus
    # checking): each epoch's total is its checking work over its share.
    checking = e["compute/verification/work_units"]
    share = e["compute/verification/work_share"]
    checked = share > 0
    if checking.sum() == 0:
        out["verification_work_share"] = 0.0 if out["jobs_arrived"] > 0 else math.nan
    else:
        out["verification_work_share"] = _ratio(float(checking[checked].sum()),
                                                float((checking[checked] / share[checked]).sum()))
    out["compute_slashed"] = float(e["compute/economy/slashed_tokens"].sum())


def summarize(run: Run) -> dict:
    """The run as one row of scalar metrics (see SUMMARY_UNITS), for sweeps and comparisons.

    Rates are over the whole run (totals, not means of epoch rates): false_accept_rate is bad
    readings accepted / bad readings arrived, forged_accept_rate is forged witness reports
    rewarded / forged reports (with a proof of coverage), fraud_leakage is tokens paid to
    dishonest nodes / tokens minted. Final values (supply, price, operators_active,
    share_profitable, ROI) are the last epoch's. gini_rewards and nakamoto_rewards are over
    each operator's total reward. operator_churn is operators that left / operators that ever
    took part.
    With storage providers: deals placed and lost (deal_loss_rate = lost / placed), the data lost,
    what the proofs vouched for beyond the data truly held at the end (unbacked_proven_tib), the
    mean time to detect a fault and the fees charged. With compute providers: jobs,
    wrong_accept_rate = wrong results accepted / wrong results returned, deadline_miss_rate =
    deadline misses / completed jobs, verification_work_share = checking work / all work (one
    run per job plus checking, as the run's summary line counts it), and the stake slashed.
    """
    e = run.epochs
    out = {k: math.nan for k in SUMMARY_UNITS}
    if "quality/arrived" in e:
        cm = confusion_matrix(run)
        good = cm.loc["good"].sum()
        bad = cm.loc["bad"].sum()
        out["accepted_share"] = _ratio(cm["accepted"].sum(), good + bad)
        out["false_accept_rate"] = _ratio(cm.loc["bad", "accepted"], bad)
        out["false_reject_rate"] = _ratio(cm.loc["good", "rejected"], good)
    if "coverage/forged_reports" in e:
        cm = confusion_matrix(run, "coverage")
        out["forged_accept_rate"] = _ratio(cm.loc["bad", "accepted"], cm.loc["bad"].sum())
        out["genuine_reject_rate"] = _ratio(cm.loc["good", "rejected"], cm.loc["good"].sum())
    if "quality/rmse_c" in e:
        rmse = e["quality/rmse_c"]
        out["rmse_c"] = float(np.nanmean(rmse)) if rmse.notna().any() else math.nan
    if "tokens/minted" in e:
        minted = float(e["tokens/minted"].sum())
        paid = [e[f"tokens/paid_{b}"].sum() for b in DISHONEST_BEHAVIOURS
                if f"tokens/paid_{b}" in e]
        out["fraud_leakage"] = _ratio(sum(paid), minted)
        out["minted"] = minted
    if "tokens/burned" in e:
        out["burned"] = float(e["tokens/burned"].sum())
        out["burn_mint_ratio"] = _ratio(out["burned"], out["minted"])
    last = e.iloc[-1] if len(e) else None
    for key, col in [("supply", "tokens/supply"), ("price_usd", "market/price_usd"),
                     ("market_cap_usd", "market/market_cap_usd"),
                     ("operators_active", "operators/active"),
                     ("share_profitable", "operators/share_profitable"),
                     ("mean_roi", "operators/mean_roi"), ("median_roi", "operators/median_roi")]:
        if last is not None and col in e:
            out[key] = float(last[col])
    if "operators/left" in e and "operators/joined" in e and len(e):
        left = float(e["operators/left"].sum())
        first = e.iloc[0]
        initial = first["operators/active"] - first["operators/joined"] + first["operators/left"]
        out["operators_left"] = left
        out["operator_churn"] = _ratio(left, initial + e["operators/joined"].sum())
    nodes = run.nodes
    if "behaviour" in nodes and "flagged" in nodes:
        dishonest = nodes["behaviour"].isin(DISHONEST_BEHAVIOURS)
        honest = nodes["behaviour"] == "honest"
        out["dishonest_flagged_share"] = _ratio(nodes.loc[dishonest, "flagged"].sum(),
                                                dishonest.sum())
        out["honest_flagged_share"] = _ratio(nodes.loc[honest, "flagged"].sum(), honest.sum())
    if "operator" in nodes and "reward_total" in nodes:
        by_operator = nodes.groupby("operator")["reward_total"].sum().clip(lower=0)
        out["gini_rewards"] = gini(by_operator)
        out["nakamoto_rewards"] = float(nakamoto(by_operator))
    if "storage/deals_placed" in e and len(e):
        _storage_summary(e, out)
    if "compute/jobs/arrived" in e and len(e):
        _compute_summary(e, out)
    out["wall_seconds"] = float(run.meta.get("wall_seconds", math.nan))
    return out


def compare(runs) -> pd.DataFrame:
    """`summarize` of several runs, one row each: `runs` is a dict {label: Run} or a list of
    runs (labelled by scenario name)."""
    if not isinstance(runs, dict):
        runs = {r.name: r for r in runs}
    table = pd.DataFrame({label: summarize(r) for label, r in runs.items()}).T
    table.index.name = "run"
    table.attrs["units"] = dict(SUMMARY_UNITS)
    return table
