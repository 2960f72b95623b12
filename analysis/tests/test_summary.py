"""Confusion matrices, operators' returns and run summaries against the file's own numbers."""

import math

import numpy as np
import pytest

import depinsim


def test_the_pipelines_confusion_matrix_reproduces_the_files_error_rates(basic):
    cm = depinsim.confusion_matrix(basic, per_epoch=True)
    e = basic.epochs
    np.testing.assert_allclose(cm["bad_accepted"] / (cm["bad_accepted"] + cm["bad_rejected"]),
                               e["quality/false_accept_rate"], rtol=1e-12)
    np.testing.assert_allclose(cm["good_rejected"] / (cm["good_accepted"] + cm["good_rejected"]),
                               e["quality/false_reject_rate"], rtol=1e-12)
    total = depinsim.confusion_matrix(basic)
    assert list(total.index) == ["good", "bad"] and list(total.columns) == ["accepted", "rejected"]
    assert total.to_numpy().sum() == e["quality/arrived"].sum()
    assert total.loc["bad"].sum() == e["quality/bad_arrived"].sum()
    assert (total.to_numpy() >= 0).all()


def test_each_checks_confusion_matrix_reproduces_its_error_rates(basic):
    names = depinsim.check_names(basic)
    assert names == ["sanity", "spatial_consensus"]
    for check in names:
        cm = depinsim.confusion_matrix(basic, check, per_epoch=True)
        rates = basic.epoch_group(f"quality/checks/{check}")
        bad = cm["bad_accepted"] + cm["bad_rejected"]
        good = cm["good_accepted"] + cm["good_rejected"]
        np.testing.assert_allclose(cm["bad_accepted"] / bad, rates["false_accept_rate"])
        np.testing.assert_allclose(cm["good_rejected"] / good, rates["false_reject_rate"])
        assert depinsim.confusion_matrix(basic, check).attrs["check"] == check
    with pytest.raises(KeyError, match="no such reading check"):
        depinsim.confusion_matrix(basic, "kriging")


def test_the_proof_of_coverage_has_a_confusion_matrix_of_witness_reports(ring):
    assert depinsim.check_names(ring)[-1] == "coverage"
    cm = depinsim.confusion_matrix(ring, "coverage")
    e = ring.epochs
    assert cm.loc["bad", "accepted"] == e["coverage/forged_valid"].sum()
    assert cm.loc["bad"].sum() == e["coverage/forged_reports"].sum()
    assert cm.loc["good", "rejected"] == e["coverage/genuine_rejected"].sum()
    assert cm.loc["good"].sum() == e["coverage/genuine_reports"].sum()
    s = depinsim.summarize(ring)
    assert s["forged_accept_rate"] == pytest.approx(
        e["coverage/forged_valid"].sum() / e["coverage/forged_reports"].sum())
    assert s["dishonest_flagged_share"] == 1.0  # every ring is denylisted within the week
    assert s["honest_flagged_share"] == 0.0


def test_earnings_by_behaviour_add_up_to_the_epochs_totals(ring):
    table = depinsim.earnings_by_behaviour(ring)
    assert list(table.index) == ring.behaviours == ["honest", "colluder"]
    assert table["nodes"].sum() == len(ring.nodes)
    assert table["share_of_rewards"].sum() == pytest.approx(1.0)
    assert table.loc["colluder", "tokens_paid"] == pytest.approx(
        ring.epochs["tokens/paid_colluder"].sum())
    assert table.loc["colluder", "profit_usd"] == pytest.approx(
        table.loc["colluder", "earned_usd"] - table.loc["colluder", "cost_usd"])


def test_dishonest_behaviours_are_those_the_file_counts_as_fraud_leakage(attack):
    e = attack.epochs
    paid = sum(e[f"tokens/paid_{b}"] for b in depinsim.DISHONEST_BEHAVIOURS)
    np.testing.assert_allclose(paid / e["tokens/minted"], e["tokens/fraud_leakage"], rtol=1e-9)
    # Not vacuous: fraud was paid (a small network can have a day on which no fabricator is).
    assert (e["tokens/fraud_leakage"] > 0).sum() >= len(e) - 1


def test_summary_rates_are_totals_over_the_run(attack):
    s = depinsim.summarize(attack)
    assert set(s) == set(depinsim.SUMMARY_UNITS)
    e = attack.epochs
    assert s["false_accept_rate"] == pytest.approx(
        e["quality/bad_accepted"].sum() / e["quality/bad_arrived"].sum())
    assert s["accepted_share"] == pytest.approx(
        e["quality/accepted"].sum() / e["quality/arrived"].sum())
    assert s["fraud_leakage"] == pytest.approx(
        e["tokens/paid_fabricator"].sum() / e["tokens/minted"].sum())
    assert s["price_usd"] == e["market/price_usd"].iloc[-1]
    assert s["mean_roi"] == e["operators/mean_roi"].iloc[-1]
    assert s["operators_active"] == 200 and s["operator_churn"] == 0
    assert 0 < s["gini_rewards"] < 1 and s["nakamoto_rewards"] >= 1


def test_operator_churn_counts_operators_that_left(economy):
    s = depinsim.summarize(economy)
    e = economy.epochs
    assert s["operators_left"] == e["operators/left"].sum()
    assert s["burned"] > 0 and 0 < s["burn_mint_ratio"] < 2
    assert s["price_usd"] < economy.scenario["economy"]["price"]["initial_usd"]


def test_operator_returns_match_the_simulators_at_a_constant_price(attack):
    table = depinsim.operator_table(attack)
    assert len(table) == attack.nodes["operator"].nunique() == 200
    assert table["reward_tokens"].sum() == pytest.approx(attack.nodes["reward_total"].sum())
    assert set(table["capex_usd"]) == {400.0}
    active = table[~table["left"]]
    assert active["roi"].mean() == pytest.approx(attack.epochs["operators/mean_roi"].iloc[-1],
                                                 rel=1e-6)
    assert active["roi"].median() == pytest.approx(
        attack.epochs["operators/median_roi"].iloc[-1], rel=1e-6)


def test_operator_returns_are_undefined_without_capex(basic):
    table = depinsim.operator_table(basic)
    assert len(table) == 200 and table["roi"].isna().all()


def test_payback_by_behaviour_is_nan_where_costs_were_not_earned_back(attack):
    payback = depinsim.payback_by_behaviour(attack)
    assert list(payback.index) == attack.behaviours
    assert payback.isna().all()  # 400 USD of hardware is not earned back in four days


def test_compare_tabulates_one_summary_per_run(basic, attack):
    table = depinsim.compare({"basic": basic, "attack": attack})
    assert list(table.index) == ["basic", "attack"]
    assert table.loc["attack", "fraud_leakage"] == depinsim.summarize(attack)["fraud_leakage"]
    assert list(depinsim.compare([basic]).index) == ["basic-sensors"]
    assert table.attrs["units"]["rmse_c"] == "degC"
    assert math.isnan(table.loc["basic", "mean_roi"])


def test_storage_and_compute_providers_have_summary_columns_of_their_own(providers, basic):
    e = providers.epochs
    s = depinsim.summarize(providers)
    # Totals over the run, from the epochs' own columns.
    assert s["deals_placed"] == e["storage/deals_placed"].sum() > 0
    assert s["deals_lost"] == e["storage/deals_lost"].sum()
    assert s["deal_loss_rate"] == pytest.approx(s["deals_lost"] / s["deals_placed"])
    assert s["data_lost_tib"] == pytest.approx(e["storage/data_lost_bytes"].sum() / 2**40)
    assert s["unbacked_proven_tib"] >= 0
    assert s["storage_fees"] == pytest.approx(e["storage/fees_tokens"].sum())
    # Detection times are per detection: within the epochs' range of means.
    means = e.loc[e["storage/faults_detected"] > 0, "storage/mean_time_to_detect_days"]
    assert means.min() <= s["mean_time_to_detect_days"] <= means.max()
    assert s["jobs_arrived"] == e["compute/jobs/arrived"].sum() > 0
    wrong = e["compute/results/wrong_returned"].sum()
    assert wrong > 0
    accepted = e["compute/results/wrong_accepted"].sum()
    assert s["wrong_accept_rate"] == pytest.approx(accepted / wrong)
    assert 0 <= s["wrong_accept_rate"] <= 1
    # 3-way replication: two of every three runs of a job are checking work.
    assert s["verification_work_share"] == pytest.approx(2 / 3, abs=0.02)
    assert s["compute_slashed"] == pytest.approx(e["compute/economy/slashed_tokens"].sum())
    # A sensors-only run has none of them.
    b = depinsim.summarize(basic)
    for key in ["deals_placed", "deal_loss_rate", "wrong_accept_rate", "verification_work_share"]:
        assert np.isnan(b[key])
