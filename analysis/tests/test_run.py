"""load_run on files written by the built program: every group, units kept, lookups."""

import shutil

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import depinsim


def test_epochs_are_indexed_by_epoch_and_time_with_one_column_per_dataset(basic, files):
    e = basic.epochs
    assert list(e.index.names) == ["epoch", "end_days"]
    assert list(e.index.get_level_values("epoch")) == [0, 1, 2]
    assert np.allclose(basic.time_days, [1.0, 2.0, 3.0])
    with h5py.File(files["basic"]) as f:
        paths = []
        f["epochs"].visititems(
            lambda name, obj: paths.append(name) if isinstance(obj, h5py.Dataset) else None)
        expected = set(paths) - {"time/epoch", "time/end_days"}
        assert set(e.columns) == expected
        np.testing.assert_array_equal(e["quality/accepted"], f["epochs/quality/accepted"][:])
        assert e["quality/accepted"].dtype == np.int64
        assert e["quality/rmse_c"].dtype == np.float64


def test_every_epochs_column_keeps_its_units_and_description(basic, files):
    units = basic.epochs.attrs["units"]
    descriptions = basic.epochs.attrs["descriptions"]
    assert set(units) == set(basic.epochs.columns) == set(descriptions)
    with h5py.File(files["basic"]) as f:
        for column in basic.epochs.columns:
            ds = f["epochs/" + column]
            assert units[column] == ds.attrs["units"]
            assert descriptions[column] == ds.attrs["description"]
    assert basic.units("quality/rmse_c") == "degC"
    assert basic.units("tokens/minted") == "token"
    assert "RMSE" in basic.description("quality/rmse_c")
    assert basic.epochs.attrs["index_units"] == {"epoch": "1", "end_days": "d"}
    with pytest.raises(KeyError):
        basic.units("quality/no_such_column")


def test_nodes_are_indexed_by_id_with_strings_decoded(basic):
    n = basic.nodes
    assert n.index.name == "id"
    assert len(n) == 200
    assert list(n.index) == list(range(200))
    assert set(n["behaviour"]) <= set(basic.all_behaviours)
    assert isinstance(n["behaviour"].iloc[0], str)
    assert basic.units("x_km") == "km"
    assert basic.units("behaviour") is None  # strings carry no units


def test_scenario_is_the_resolved_yaml_as_a_dict(basic):
    s = basic.scenario
    assert s["name"] == "basic-sensors"
    assert s["run"]["duration"] == "3d"
    assert s["population"][0]["count"] == 200
    assert s["region"]["width_km"] == 60
    assert s["network"]["partitions"] == []
    credit = s["economy"]["burn"]["credit_usd"]  # written 1e-05: a number, not text
    assert isinstance(credit, float) and credit == pytest.approx(1e-5)
    assert s["output"]["ledger"] is False


def test_meta_holds_the_root_attributes(basic, files):
    m = basic.meta
    assert m["schema_version"] == 1
    assert m["scenario_name"] == "basic-sensors"
    assert m["seed"] == 42 and m["run_index"] == 0
    assert isinstance(m["depinsim_version"], str) and isinstance(m["created_utc"], str)
    assert m["wall_seconds"] > 0
    assert m["path"] == files["basic"]
    assert basic.name == "basic-sensors"
    assert "basic-sensors" in repr(basic)


def test_behaviours_are_those_of_the_nodes_honest_first(basic):
    assert basic.behaviours[0] == "honest"
    assert set(basic.behaviours) == set(basic.nodes["behaviour"])
    assert len(basic.all_behaviours) >= len(basic.behaviours)


def test_by_behaviour_gathers_one_column_per_behaviour(basic):
    paid = basic.by_behaviour("tokens/paid_{behaviour}")
    assert list(paid.columns) == basic.behaviours
    assert paid.index.equals(basic.epochs.index)
    assert paid.attrs["units"]["honest"] == "token"
    np.testing.assert_allclose(paid.sum(axis=1) + basic.epochs["tokens/undistributed"],
                               basic.epochs["tokens/minted"], rtol=1e-6)
    accepted = basic.by_behaviour("quality/{behaviour}/accepted")
    np.testing.assert_array_equal(accepted.sum(axis=1), basic.epochs["quality/accepted"])
    with pytest.raises(ValueError):
        basic.by_behaviour("tokens/paid")
    with pytest.raises(KeyError):
        basic.by_behaviour("tokens/none_{behaviour}")


def test_epoch_group_names_columns_relative_to_the_group(basic):
    q = basic.epoch_group("quality")
    assert "accepted" in q.columns and "honest/accepted" in q.columns
    assert q.attrs["units"]["rmse_c"] == "degC"
    with pytest.raises(KeyError):
        basic.epoch_group("nothing")


def test_a_file_without_a_ledger_or_node_epochs_has_none(basic):
    assert basic.ledger is None and basic.accounts is None
    assert basic.node_epochs is None


def test_the_ledger_is_read_with_account_labels(files):
    run = depinsim.load_run(files["ledger"])
    assert isinstance(run.ledger, pd.DataFrame) and len(run.ledger) > 0
    assert {"epoch", "kind", "from", "to", "amount", "from_label", "to_label"} <= set(run.ledger)
    assert set(run.accounts["kind"]) <= {"holder", "protocol", "stake", "vesting"}
    mints = run.ledger[run.ledger["kind"] == "mint"]
    assert (mints["from"] == -1).all() and (mints["from_label"] == "").all()
    assert mints["amount"].sum() == pytest.approx(run.epochs["tokens/minted"].sum())
    assert run.ledger.attrs["units"]["amount"] == "token"


def test_node_epochs_become_an_xarray_dataset_over_epoch_and_node(files, tmp_path):
    path = tmp_path / "with_node_epochs.h5"
    shutil.copy(files["basic"], path)
    with h5py.File(path, "a") as f:
        values = np.arange(3 * 200, dtype=float).reshape(3, 200)
        ds = f.create_dataset("node_epochs/reward", data=values)
        ds.attrs["units"] = "token"
        ds.attrs["description"] = "tokens paid to the node in the epoch"
    run = depinsim.load_run(path)
    ne = run.node_epochs
    assert isinstance(ne, xr.Dataset)
    reward = ne["reward"]
    assert isinstance(reward, xr.DataArray)
    assert reward.dims == ("epoch", "node")
    assert reward.attrs["units"] == "token"
    assert list(ne["epoch"].values) == [0, 1, 2]
    assert list(ne["end_days"].values) == [1.0, 2.0, 3.0]
    assert reward.sel(epoch=1, node=5).item() == values[1, 5]
