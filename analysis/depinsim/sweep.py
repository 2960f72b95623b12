"""Indexes of many runs: `load_sweep(index_path)` and one reader per HDF5 group.

Two kinds of index are read. `depinsim sweep` writes DIR/index.h5 (root kind "sweep-index"):
/points with point, replication, seed, one column per swept key (named by its key path),
status, wall_seconds and file; /sweep/parameters and /sweep/definition; external links
/runs/pNNNNNN_rNNN. `depinsim merge` writes kind "index": /points with id, file, seed,
run_index and scenario_name, and links /runs/NNNNNN; its swept keys are found by comparing the
runs' resolved scenarios, and runs that differ only in their seed are replications of one
point.

    sweep = load_sweep("out/stake_vs_fabricators/index.h5")
    sweep.points                      # one row per run: parameters and summary metrics
    sweep.summary["fraud_leakage"].sel(stat="mean")   # over the swept dimensions
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Optional

import h5py
import numpy as np
import pandas as pd
import xarray as xr

from .hdf5 import attributes, decode, open_output, read_array, read_text
from .metrics import across_replications
from .run import Run, load_run, parse_scenario
from .summary import SUMMARY_UNITS, summarize

#: /points columns of a sweep index that are not swept parameters.
POINT_COLUMNS = ("point", "replication", "seed", "status", "wall_seconds", "file")
#: /points columns of a merge index.
MERGE_COLUMNS = ("id", "file", "seed", "run_index", "scenario_name")
#: Scenario keys that differ between replications and so are never swept parameters.
NOT_PARAMETERS = ("seed",)
#: Statuses of a sweep run whose file is there.
PRESENT = ("done", "skipped-existing")


@dataclass
class Sweep:
    """An index of runs with each run's summary metrics.

    `points`: DataFrame, one row per run (point, replication, seed, each swept parameter,
    status, file, then the metrics of `summarize`). `parameters`: the swept keys. `dims`: the
    dimensions of `data`, the swept keys that span a grid, or ["point"] when the points are not
    a grid (a random, lhs or sobol design). `aux`: the keys zipped with a dimension, each a
    coordinate along it ({key: dimension}). `data`: xarray
    Dataset of every metric over `dims` and "replication". `summary`: the same across
    replications, with a `stat` dimension (mean, std, ci_low, ci_high, n).
    """

    path: str
    meta: dict
    kind: str
    parameters: list
    dims: list
    aux: dict
    points: pd.DataFrame
    data: xr.Dataset
    summary: xr.Dataset
    definition: Optional[dict] = field(default=None, repr=False)

    def __repr__(self):
        return (f"<depinsim.Sweep {len(self.points)} runs over {self.dims} "
                f"({self.kind}): {self.path}>")

    @property
    def metrics(self) -> list:
        return list(self.data.data_vars)

    def run_path(self, point: int, replication: int = 0) -> str:
        rows = self.points[(self.points["point"] == point) &
                           (self.points["replication"] == replication)]
        if rows.empty or not rows["path"].iloc[0]:
            raise KeyError(f"no run file for point {point}, replication {replication}")
        return rows["path"].iloc[0]

    def run(self, point: int, replication: int = 0) -> Run:
        """The full run of one point and replication."""
        return load_run(self.run_path(point, replication))


def load_sweep(index_path, summarize: Callable[[Run], dict] = summarize,
               parameters: Optional[list] = None) -> Sweep:
    """Reads a sweep or merge index and every run it lists into a `Sweep`.

    `summarize` turns each run into a dict of scalar metrics (by default
    `depinsim.summarize`). `parameters` names the swept keys of a merge index, in order
    (by default, every key whose value differs between the runs, in scenario order).

    Raises FileNotFoundError, NotADepinsimFileError (not HDF5, not a depinsim output, a run
    rather than an index) or SchemaVersionError; a run file that is missing or unreadable
    raises the same errors, naming it.
    """
    path = os.fspath(index_path)
    base = os.path.dirname(os.path.abspath(path))
    with open_output(path, expect="index") as f:
        meta = attributes(f)
        meta["path"] = path
        kind = meta["kind"]
        points = read_points(f)
        links = read_run_links(f)
        definition = read_sweep_definition(f)
        declared = read_sweep_parameters(f)
        units = {k: decode(f["points"][k].attrs.get("units", "")) for k in f["points"]}

    if kind == "sweep-index":
        points["path"] = _run_paths(points, links, base, _sweep_run_name)
        present = points["status"].isin(PRESENT) & (points["path"] != "")
    else:
        points["path"] = _run_paths(points, links, base, lambda r: f"{int(r['id']):06d}")
        present = pd.Series(True, index=points.index)

    # One run in memory at a time: its summary row, and its scenario for a merge index.
    metrics, scenarios = {}, {}
    for i in points.index[present]:
        run = load_run(points.at[i, "path"])
        metrics[i] = summarize(run)
        scenarios[i] = run.scenario
    if kind == "sweep-index":
        parameters = declared if declared is not None else \
            [c for c in points.columns if c not in POINT_COLUMNS + ("path",)]
    else:
        parameters = infer_parameters(points, scenarios, parameters)
        units = {}

    names = list(dict.fromkeys(k for m in metrics.values() for k in m)) or list(SUMMARY_UNITS)
    table = pd.DataFrame([{k: metrics.get(i, {}).get(k, np.nan) for k in names}
                          for i in points.index], index=points.index, dtype=float)
    points = pd.concat([points, table.drop(columns=[c for c in table if c in points])], axis=1)
    points.attrs["units"] = {**units, **{k: SUMMARY_UNITS.get(k, "") for k in names}}

    if meta.get("design", "grid") == "grid":
        dims, aux = grid_dimensions(points, parameters)
    else:
        dims, aux = ["point"], {}
    data = to_dataset(points, parameters, dims, aux, names)
    data.attrs = {k: v for k, v in meta.items() if isinstance(v, (str, int, float))}
    for p in parameters:
        if p in data.coords and units.get(p):
            data[p].attrs["units"] = units[p]
    summary = across_replications(data)
    return Sweep(path=path, meta=meta, kind=kind, parameters=parameters, dims=dims, aux=aux,
                 points=points, data=data, summary=summary, definition=definition)


def read_points(f: h5py.File) -> pd.DataFrame:
    """/points: one row per run, one column per dataset (in the index's row order)."""
    group = f["points"]
    columns = {name: read_array(ds) for name, ds in group.items() if isinstance(ds, h5py.Dataset)}
    ordered = [c for c in POINT_COLUMNS + MERGE_COLUMNS if c in columns]
    ordered += [c for c in columns if c not in ordered]
    return pd.DataFrame({c: columns[c] for c in ordered})


def read_run_links(f: h5py.File) -> dict:
    """/runs: {link name: target file name} of the external links to the run files."""
    if "runs" not in f:
        return {}
    out = {}
    for name in f["runs"]:
        link = f["runs"].get(name, getlink=True)
        if isinstance(link, h5py.ExternalLink):
            out[name] = link.filename
    return out


def read_sweep_definition(f: h5py.File) -> Optional[dict]:
    """/sweep/definition: the sweep file as a dict (None for a merge index)."""
    if "sweep/definition" not in f:
        return None
    return parse_scenario(read_text(f["sweep/definition"]))


def read_sweep_parameters(f: h5py.File) -> Optional[list]:
    """/sweep/parameters: the swept keys in the order of their columns (None if absent)."""
    if "sweep/parameters" not in f:
        return None
    return list(read_array(f["sweep/parameters"]))


def _sweep_run_name(row) -> str:
    return f"p{int(row['point']):06d}_r{int(row['replication']):03d}"


def _run_paths(points: pd.DataFrame, links: dict, base: str, link_name) -> list:
    """Each run's file: the /points file column, else the target of its /runs link; relative
    names are relative to the index's directory."""
    paths = []
    for _, row in points.iterrows():
        name = row["file"] if "file" in row and isinstance(row["file"], str) else ""
        if not name:
            name = links.get(link_name(row), "")
        paths.append(os.path.normpath(os.path.join(base, name)) if name else "")
    return paths


def flatten(value, prefix: str = "") -> dict:
    """A nested scenario as {key path: value}, paths written as --set takes them
    ("population[0].behaviour.honest"); lists of plain values stay one value (a tuple)."""
    out = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}[{i}]"))
    elif isinstance(value, list):
        out[prefix] = tuple(value)
    else:
        out[prefix] = value
    return out


def infer_parameters(points: pd.DataFrame, scenarios: dict, keys: Optional[list] = None) -> list:
    """For a merge index: the swept keys, added to `points` as columns; rows with the same
    values are one point, numbered in order of first appearance, their replications numbered
    in index order. `scenarios` maps each row to its run's resolved scenario. The keys are
    `keys`, or else every scenario key whose value differs between the runs."""
    flat = {i: flatten(s) for i, s in scenarios.items()}
    inferred = keys is None
    if inferred:
        keys = [k for k in dict.fromkeys(k for i in points.index for k in flat.get(i, {}))
                if k not in NOT_PARAMETERS and
                len({repr(flat[i].get(k)) for i in points.index}) > 1]
    parameters = []
    for k in keys:
        values = [flat[i].get(k) for i in points.index]
        if any(v is None for v in values):
            if not inferred:
                raise KeyError(f"{k}: not a key of every run's scenario")
            # In some runs only (a list of another length): compared as text.
            values = ["absent" if v is None else repr(v) for v in values]
        parameters.append(k)
        points[k] = [v if not isinstance(v, tuple) else repr(list(v)) for v in values]
    combos = [tuple(repr(points.at[i, p]) for p in parameters) for i in points.index]
    ids = {c: n for n, c in enumerate(dict.fromkeys(combos))}
    points["point"] = [ids[c] for c in combos]
    points["replication"] = points.groupby("point").cumcount()
    points["status"] = "done"
    return parameters


def grid_dimensions(points: pd.DataFrame, parameters: list):
    """The swept keys that span the points as a full grid, and the others as
    {key: the dimension it varies with one-to-one} (keys zipped together in a sweep).

    Returns (["point"], {}) when the points are not a grid (a random or Latin-hypercube design).
    """
    if not parameters:
        return ["point"], {}
    per_point = points.drop_duplicates("point").set_index("point")[parameters]
    dims, aux = [], {}
    for p in parameters:
        partner = next((d for d in dims if _one_to_one(per_point[d], per_point[p])), None)
        if partner is not None:
            aux[p] = partner
        else:
            dims.append(p)
    sizes = [per_point[d].nunique() for d in dims]
    if int(np.prod(sizes)) != len(per_point) or per_point.duplicated(dims).any():
        return ["point"], {}
    return dims, aux


def _one_to_one(a: pd.Series, b: pd.Series) -> bool:
    pairs = pd.DataFrame({"a": a.to_numpy(), "b": b.to_numpy()}).drop_duplicates()
    return pairs["a"].is_unique and pairs["b"].is_unique


def to_dataset(points: pd.DataFrame, parameters: list, dims: list, aux: dict,
               metrics: list) -> xr.Dataset:
    """The metrics of `points` as a Dataset over `dims` and "replication" (NaN where a run is
    missing); the swept keys are coordinates."""
    replications = int(points["replication"].max()) + 1 if len(points) else 0
    per_point = points.drop_duplicates("point").set_index("point").sort_index()
    if dims == ["point"]:
        coords = {"point": per_point.index.to_numpy()}
        positions = [np.searchsorted(coords["point"], points["point"].to_numpy())]
        extra = {p: ("point", per_point[p].to_numpy()) for p in parameters}
    else:
        coords = {d: np.sort(per_point[d].unique()) for d in dims}
        positions = [np.searchsorted(coords[d], points[d].to_numpy()) for d in dims]
        extra = {}
        for p, d in aux.items():
            mapping = per_point.drop_duplicates(d).set_index(d)[p]
            extra[p] = (d, mapping.reindex(coords[d]).to_numpy())
    shape = [len(coords[d]) for d in dims] + [replications]
    rep = points["replication"].to_numpy().astype(int)
    variables = {}
    for m in metrics:
        values = np.full(shape, np.nan)
        values[tuple(positions) + (rep,)] = points[m].to_numpy(dtype=float)
        variables[m] = xr.DataArray(values, dims=list(dims) + ["replication"],
                                    attrs={"units": SUMMARY_UNITS.get(m, "")})
    coords["replication"] = np.arange(replications)
    coords.update(extra)
    return xr.Dataset(variables, coords=coords)
