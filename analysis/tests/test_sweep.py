"""load_sweep on sweep indexes (built here with h5py, and written by `depinsim sweep`) and on
`depinsim merge` indexes; the functions that make them."""

import math
import os

import h5py
import numpy as np
import pandas as pd
import pytest

import depinsim
from depinsim.sweep import grid_dimensions

from conftest import EMISSION, FABRICATORS, HONEST, TINY


def test_a_sweep_index_gives_the_points_table_joined_with_run_metrics(sweep_index):
    sweep = depinsim.load_sweep(sweep_index)
    assert sweep.kind == "sweep-index"
    assert sweep.parameters == [EMISSION] and sweep.dims == [EMISSION]
    pts = sweep.points
    assert len(pts) == 6
    assert list(pts.columns[:7]) == ["point", "replication", "seed", "status", "wall_seconds",
                                     "file", EMISSION]
    assert set(depinsim.SUMMARY_UNITS) <= set(pts.columns)
    done = pts[pts["status"] == "done"]
    assert done["fraud_leakage"].notna().all()
    assert pts.loc[pts["status"] != "done", "fraud_leakage"].isna().all()
    run = sweep.run(1, 1)
    assert run.scenario["rewards"]["emission"]["per_day"] == 20000
    assert run.meta["seed"] == 11
    assert done.loc[(done["point"] == 1) & (done["replication"] == 1), "minted"].item() == 20000
    assert pts.attrs["units"][EMISSION] == "tokens/day"
    with pytest.raises(KeyError):
        sweep.run(2, 0)


def test_a_sweep_index_gives_a_dataset_over_the_swept_values_and_replications(sweep_index):
    sweep = depinsim.load_sweep(sweep_index)
    data = sweep.data
    assert dict(data["minted"].sizes) == {EMISSION: 3, "replication": 2}
    assert list(data[EMISSION].values) == [5000.0, 20000.0, 40000.0]
    assert data[EMISSION].attrs["units"] == "tokens/day"
    assert data["minted"].sel({EMISSION: 20000.0}).values.tolist() == [20000.0, 20000.0]
    assert np.isnan(data["minted"].sel({EMISSION: 40000.0}).values).all()
    mean = sweep.summary["minted"].sel(stat="mean")
    assert mean.sel({EMISSION: 5000.0}).item() == 5000.0
    assert sweep.summary["minted"].sel(stat="n").values.tolist() == [2, 2, 0]
    fraud = sweep.summary["fraud_leakage"]
    reps = data["fraud_leakage"].sel({EMISSION: 5000.0}).values
    _, low, high = depinsim.confidence_interval(reps)
    assert fraud.sel(stat="ci_low", **{EMISSION: 5000.0}).item() == pytest.approx(low)
    assert fraud.sel(stat="ci_high", **{EMISSION: 5000.0}).item() == pytest.approx(high)


def test_without_a_file_column_the_runs_are_found_through_their_links(sweep_index, tmp_path):
    import shutil
    copy_dir = tmp_path / "copy"
    shutil.copytree(os.path.dirname(sweep_index), copy_dir)
    with h5py.File(copy_dir / "index.h5", "a") as f:
        del f["points/file"]
    sweep = depinsim.load_sweep(copy_dir / "index.h5")
    assert sweep.points["fraud_leakage"].notna().sum() == 4
    assert sweep.run(0, 1).path.startswith(str(copy_dir))


def test_run_points_runs_each_point_and_replication_and_merges_them(merged_grid):
    sweep = merged_grid
    assert sweep.kind == "index"
    assert sweep.parameters == [EMISSION, FABRICATORS, HONEST]  # as run_points ran them
    assert sweep.dims == [EMISSION, FABRICATORS]
    assert sweep.aux == {HONEST: FABRICATORS}  # the honest share moves with the fabricators'
    assert list(sweep.points["point"]) == [0, 0, 1, 1, 2, 2, 3, 3]
    assert list(sweep.points["replication"]) == [0, 1] * 4
    assert list(sweep.points["seed"]) == [5, 6] * 4  # the same seeds at every point
    assert list(sweep.data[HONEST].values) == [0.92, 0.74]
    leakage = sweep.summary["fraud_leakage"].sel(stat="mean").mean(EMISSION)
    assert leakage.sel({FABRICATORS: 0.2}).item() > leakage.sel({FABRICATORS: 0.02}).item()
    assert (sweep.summary["fraud_leakage"].sel(stat="n") == 2).all()


def test_a_merge_index_finds_the_keys_that_differ_between_runs(tmp_path, binary):
    import subprocess
    files = [depinsim.run_scenario("basic_sensors", tmp_path / f"r{i}.h5", load=False,
                                   overrides=dict(TINY, **{FABRICATORS: f, HONEST: h}))
             for i, (f, h) in enumerate([(0.02, 0.92), (0.2, 0.74)])]
    subprocess.run([binary, "merge", *files, "-o", tmp_path / "index.h5"], check=True,
                   capture_output=True)
    sweep = depinsim.load_sweep(tmp_path / "index.h5")
    assert sweep.parameters == [HONEST, FABRICATORS]  # in the scenario's order
    assert sweep.dims == [HONEST] and sweep.aux == {FABRICATORS: HONEST}
    assert list(sweep.data[FABRICATORS].values) == [0.2, 0.02]
    with pytest.raises(KeyError, match="no.such"):
        depinsim.load_sweep(tmp_path / "index.h5", parameters=["no.such"])


def test_a_merge_index_of_seeds_alone_is_one_point_with_replications(tmp_path, binary):
    import subprocess
    files = [depinsim.run_scenario("basic_sensors", tmp_path / f"s{s}.h5", overrides=TINY,
                                   seed=s, load=False) for s in (1, 2, 3)]
    subprocess.run([binary, "merge", *files, "-o", tmp_path / "index.h5"], check=True,
                   capture_output=True)
    sweep = depinsim.load_sweep(tmp_path / "index.h5")
    assert sweep.parameters == [] and sweep.dims == ["point"]
    assert dict(sweep.data["rmse_c"].sizes) == {"point": 1, "replication": 3}
    assert sweep.summary["rmse_c"].sel(stat="n").item() == 3


def test_grid_points_cross_keys_and_move_zipped_keys_together():
    points = depinsim.grid_points({"a": [1, 2], "b": [10, 20, 30], "c": [0.1, 0.2, 0.3]},
                                  zip=[["b", "c"]])
    assert len(points) == 6
    assert points[0] == {"a": 1, "b": 10, "c": 0.1}
    assert points[4] == {"a": 2, "b": 20, "c": 0.2}
    with pytest.raises(ValueError, match="one length"):
        depinsim.grid_points({"b": [1, 2], "c": [1]}, zip=[["b", "c"]])


def test_points_of_a_random_design_keep_a_point_dimension(sweep_index, tmp_path):
    import shutil
    copy_dir = tmp_path / "copy"
    shutil.copytree(os.path.dirname(sweep_index), copy_dir)
    with h5py.File(copy_dir / "index.h5", "a") as f:
        f.attrs["design"] = "lhs"
    sweep = depinsim.load_sweep(copy_dir / "index.h5")
    assert sweep.dims == ["point"] and sweep.aux == {}
    assert dict(sweep.data["minted"].sizes) == {"point": 3, "replication": 2}
    assert list(sweep.data[EMISSION].values) == [5000.0, 20000.0, 40000.0]


def test_grid_dimensions_need_every_combination():
    rng = np.random.default_rng(3)
    scattered = pd.DataFrame({"point": range(8), "x": rng.uniform(size=8),
                              "y": [1, 1, 2, 2, 3, 3, 4, 4]})
    assert grid_dimensions(scattered, ["y", "x"]) == (["point"], {})
    grid = pd.DataFrame([(i, a, b) for i, (a, b) in enumerate((a, b) for a in [1, 2]
                                                               for b in "pq")],
                        columns=["point", "x", "y"])
    assert grid_dimensions(grid, ["x", "y"]) == (["x", "y"], {})


def _grid(tmp_path, name):
    return depinsim.run_grid("basic_sensors", {EMISSION: [5000, 10000],
                                               FABRICATORS: [0.02, 0.2], HONEST: [0.92, 0.74]},
                             tmp_path / name, zip=[[FABRICATORS, HONEST]], overrides=TINY,
                             seed=7, threads=2)


def test_run_grid_uses_the_sweep_command(tmp_path):
    if not depinsim.has_sweep_command():
        pytest.skip("this depinsim has no sweep command")
    sweep = _grid(tmp_path, "sweep")
    assert sweep.kind == "sweep-index"
    assert sweep.parameters == [EMISSION, FABRICATORS, HONEST]
    assert sweep.dims == [EMISSION, FABRICATORS]
    assert dict(sweep.data["minted"].sizes) == {EMISSION: 2, FABRICATORS: 2, "replication": 1}
    minted = sweep.summary["minted"].sel(stat="mean")
    assert minted.sel({EMISSION: 10000.0, FABRICATORS: 0.2}).item() == 10000.0
    assert (tmp_path / "sweep" / "sweep.yaml").is_file()


def test_run_grid_without_the_sweep_command_runs_points_and_merges(tmp_path, monkeypatch):
    monkeypatch.setattr(depinsim.runner, "has_sweep_command", lambda binary=None: False)
    sweep = _grid(tmp_path, "merged")
    assert sweep.kind == "index"
    assert sweep.parameters == [EMISSION, FABRICATORS, HONEST]
    assert sweep.dims == [EMISSION, FABRICATORS] and sweep.aux == {HONEST: FABRICATORS}
    minted = sweep.summary["minted"].sel(stat="mean")
    assert minted.sel({EMISSION: 10000.0, FABRICATORS: 0.2}).item() == 10000.0
    assert math.isnan(sweep.summary["minted"].sel(stat="std")[0, 0].item())


def test_run_scenarios_runs_several_side_by_side(tmp_path):
    runs = depinsim.run_scenarios(
        {"low": "basic_sensors", "high": ("basic_sensors", {EMISSION: 20000})}, tmp_path,
        overrides=TINY, seed=3)
    assert list(runs) == ["low", "high"]
    assert runs["high"].epochs["tokens/minted"].iloc[0] == 20000
    assert runs["low"].epochs["tokens/minted"].iloc[0] == 10000
    assert runs["low"].meta["seed"] == 3 and (tmp_path / "high.h5").is_file()
    assert list(depinsim.run_scenarios(["basic_sensors"], tmp_path / "list",
                                       overrides=TINY)) == ["basic_sensors"]


def test_a_key_that_only_some_runs_have_is_compared_as_text(tmp_path, binary):
    import subprocess
    partition = "[{x_min_km: 0, x_max_km: 10, y_min_km: 0, y_max_km: 10, start: 0s, end: 1h}]"
    files = [depinsim.run_scenario("basic_sensors", tmp_path / f"r{i}.h5", load=False,
                                   overrides=dict(TINY, **{"network.partitions": p}))
             for i, p in enumerate(["[]", partition])]
    subprocess.run([binary, "merge", *files, "-o", tmp_path / "index.h5"], check=True,
                   capture_output=True)
    sweep = depinsim.load_sweep(tmp_path / "index.h5")
    key = "network.partitions[0].x_max_km"
    assert key in sweep.parameters
    assert list(sweep.points[key]) == ["absent", "10"]
    assert sweep.data.sizes["replication"] == 1
