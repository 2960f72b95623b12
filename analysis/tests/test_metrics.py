"""Gini, Nakamoto, confidence intervals, payback, spread across replications, sensitivity."""

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import depinsim


def test_gini_is_zero_when_equal_and_n_minus_one_over_n_when_one_holds_all():
    assert depinsim.gini([5, 5, 5, 5]) == 0.0
    assert depinsim.gini([0, 0, 0, 8]) == pytest.approx(0.75)
    assert depinsim.gini([1, 2, 3, 4]) == pytest.approx(0.25)
    assert depinsim.gini([]) == 0.0 and depinsim.gini([0, 0]) == 0.0
    assert depinsim.gini([3, 1, 2]) == depinsim.gini([1, 2, 3])
    with pytest.raises(ValueError):
        depinsim.gini([1, -1])
    with pytest.raises(ValueError):
        depinsim.gini([1, math.nan])


def test_nakamoto_counts_the_fewest_holders_of_more_than_the_threshold():
    assert depinsim.nakamoto([50, 30, 20]) == 2  # 50 is not more than half
    assert depinsim.nakamoto([60, 30, 10]) == 1
    assert depinsim.nakamoto([1] * 10) == 6  # five of ten equal holders are exactly half
    assert depinsim.nakamoto([1] * 10, threshold=1 / 3) == 4
    assert depinsim.nakamoto([]) == 0
    with pytest.raises(ValueError):
        depinsim.nakamoto([1, 2], threshold=1.0)


def test_gini_and_nakamoto_reproduce_the_simulators_rewards_concentration(files):
    # After one epoch each operator's total reward is its reward in that epoch.
    run = depinsim.load_run(files["one_day"])
    by_operator = run.nodes.groupby("operator")["reward_total"].sum()
    assert depinsim.gini(by_operator) == pytest.approx(
        run.epochs["operators/gini_rewards"].iloc[0], abs=1e-6)
    assert depinsim.nakamoto(by_operator) == run.epochs["operators/nakamoto_rewards"].iloc[0]


def test_confidence_interval_is_student_t():
    mean, low, high = depinsim.confidence_interval([1.0, 2.0, 3.0])
    assert mean == 2.0
    half = 4.302652729911275 / math.sqrt(3)  # t(0.975, 2) * sd 1 / sqrt(3)
    assert low == pytest.approx(2.0 - half) and high == pytest.approx(2.0 + half)
    mean, low, high = depinsim.confidence_interval([1.0, 2.0, 3.0, math.nan], confidence=0.9)
    assert mean == 2.0 and high - mean == pytest.approx(2.919985580355516 / math.sqrt(3))
    mean, low, high = depinsim.confidence_interval([4.0])
    assert mean == 4.0 and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(v) for v in depinsim.confidence_interval([]))


def test_payback_time_is_when_cumulative_earnings_reach_costs():
    days = [1, 2, 3, 4, 5]
    assert depinsim.payback_time([100, 1, 1, 1, 1], [30, 30, 30, 30, 30], days) == 4
    assert math.isnan(depinsim.payback_time([100, 1, 1, 1, 1], [1, 1, 1, 1, 1], days))
    assert math.isnan(depinsim.payback_time([0, 0], [1, 1], [1, 2]))  # nothing spent
    assert depinsim.payback_time([10, 0], [10, 0], [1, 2]) == 1


def test_across_replications_gives_mean_spread_and_interval_per_point():
    values = np.array([[1.0, 2.0, 3.0], [5.0, 5.0, np.nan], [7.0, np.nan, np.nan]])
    data = xr.Dataset({"m": (("x", "replication"), values)},
                      coords={"x": [10, 20, 30], "replication": [0, 1, 2]})
    data["m"].attrs["units"] = "1"
    s = depinsim.across_replications(data)
    assert list(s["stat"].values) == ["mean", "std", "ci_low", "ci_high", "n"]
    assert list(s["m"].sel(stat="mean").values) == [2.0, 5.0, 7.0]
    assert list(s["m"].sel(stat="n").values) == [3, 2, 1]
    assert s["m"].sel(stat="std", x=10).item() == pytest.approx(1.0)
    _, low, high = depinsim.confidence_interval([1.0, 2.0, 3.0])
    assert s["m"].sel(stat="ci_low", x=10).item() == pytest.approx(low)
    assert s["m"].sel(stat="ci_high", x=10).item() == pytest.approx(high)
    assert s["m"].sel(stat="ci_low", x=20).item() == 5.0  # no spread: a zero-width interval
    assert np.isnan(s["m"].sel(stat="ci_low", x=30).item())  # one replication: no interval
    assert s["m"].attrs["units"] == "1"


def test_sensitivity_ranks_parameters_by_their_main_effect():
    grid = pd.DataFrame([(a, b) for a in [1, 2, 3] for b in [10, 20]], columns=["a", "b"])
    grid["y"] = 5 * grid["a"] + 0.1 * grid["b"]
    table = depinsim.sensitivity(grid, "y", ["b", "a"])
    assert list(table.index) == ["a", "b"]
    assert table.loc["a", "at_low"] == pytest.approx(5 + 1.5)
    assert table.loc["a", "at_high"] == pytest.approx(15 + 1.5)
    assert table.loc["a", "effect"] == pytest.approx(10)
    assert table.loc["b", "effect"] == pytest.approx(1)
    assert table.loc["a", "low_value"] == 1 and table.loc["a", "high_value"] == 3
    assert table["baseline"].iloc[0] == pytest.approx(grid["y"].mean())
    rng = np.random.default_rng(1)
    random = pd.DataFrame({"c": rng.uniform(0, 1, 60)})
    random["y"] = random["c"]
    row = depinsim.sensitivity(random, "y", ["c"]).loc["c"]  # continuous: outer thirds
    assert row["at_low"] < 0.25 and row["at_high"] > 0.75
