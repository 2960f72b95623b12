"""Every plot draws on real data without error and shows what it says."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import depinsim

from conftest import EMISSION


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_quality_has_one_line_per_behaviour_and_the_rmse(basic):
    ax = depinsim.plot_quality(basic)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == basic.behaviours
    honest = ax.get_lines()[0].get_ydata()
    e = basic.epochs
    np.testing.assert_allclose(honest, e["quality/honest/accepted"] / e["quality/honest/arrived"])
    assert "degC" in ax.figure.axes[-1].get_ylabel()


def test_confusion_matrix_shows_the_counts(basic):
    ax = depinsim.plot_confusion_matrix(basic)
    cm = depinsim.confusion_matrix(basic)
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith(f"{int(cm.loc['bad', 'accepted']):,}") for t in texts)
    assert "pipeline" in ax.get_title()
    ax = depinsim.plot_confusion_matrix(basic, check="sanity")
    assert "sanity" in ax.get_title()


def test_rewards_by_behaviour_titles_the_fraud_leakage(attack):
    ax = depinsim.plot_rewards_by_behaviour(attack)
    leakage = depinsim.summarize(attack)["fraud_leakage"]
    assert f"{leakage:.1%}" in ax.get_title()
    assert len(ax.collections) == len(attack.behaviours)


def test_economy_plots_draw_supply_price_burn_and_churn(economy):
    ax = depinsim.plot_supply_and_price(economy)
    assert ax.get_lines()[0].get_label() == "supply"
    ax = depinsim.plot_burn_and_mint(economy)
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), economy.epochs["tokens/burned"])
    ax = depinsim.plot_churn(economy)
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(),
                                  economy.epochs["operators/active"])
    ax = depinsim.plot_price_paths([economy, economy])
    assert ax.get_lines()[-1].get_label() == "median of 2 runs"


def test_operator_roi_is_a_histogram_or_says_why_not(attack, basic):
    ax = depinsim.plot_operator_roi(attack)
    assert len(ax.patches) > 0 and "paid back" in ax.get_title()
    ax = depinsim.plot_operator_roi(basic)
    assert "undefined" in ax.texts[0].get_text()


def test_flagged_shows_the_share_of_each_behaviours_nodes_denylisted(ring):
    ax = depinsim.plot_flagged(ring)
    colluder = ax.get_lines()[1]
    assert colluder.get_label() == "colluder"
    assert colluder.get_ydata()[0] == 0.0 and colluder.get_ydata()[-1] == 1.0


def test_overview_has_the_six_panels(basic):
    fig = depinsim.plot_overview(basic)
    titles = [a.get_title() for a in fig.axes if a.get_title()]
    assert len(titles) == 6


def test_sweep_heatmap_and_tornado(merged_grid):
    sweep = merged_grid
    ax = depinsim.plot_sweep_heatmap(sweep, "fraud_leakage")
    assert ax.get_images()[0].get_array().shape == (2, 2)
    assert "2 replications" in ax.get_title()
    assert len(ax.texts) == 4 and "±" in ax.texts[0].get_text()
    ax = depinsim.plot_sweep_heatmap(sweep, "fraud_leakage",
                                     x="population[0].behaviour.honest", y=EMISSION)
    assert "honest" in ax.get_xlabel()
    ax = depinsim.plot_sweep_lines(sweep, "fraud_leakage")
    assert "fabricator.share" in ax.get_xlabel()
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 2  # a band per line
    ax = depinsim.plot_tornado(sweep, "fraud_leakage")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "fabricator.share"  # the largest effect on top
    assert len(labels) == 2


def test_a_heatmap_needs_two_dimensions(sweep_index):
    sweep = depinsim.load_sweep(sweep_index)
    with pytest.raises(ValueError, match="two grid dimensions"):
        depinsim.plot_sweep_heatmap(sweep, "rmse_c")


def test_comparison_draws_one_group_per_run(basic, attack):
    table = depinsim.compare({"basic": basic, "attack": attack})
    ax = depinsim.plot_comparison(table, ["fraud_leakage", "false_accept_rate"])
    assert len(ax.patches) == 4
    assert [t.get_text() for t in ax.get_xticklabels()] == ["basic", "attack"]
