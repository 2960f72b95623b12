"""One run file: `load_run(path)` and one reader per HDF5 group.

    run = load_run("out/basic_sensors.h5")
    run.epochs["quality/rmse_c"]            # a Series indexed by (epoch, end_days)
    run.units("quality/rmse_c")             # 'degC'
    run.by_behaviour("tokens/paid_{behaviour}")
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Optional

import h5py
import numpy as np
import pandas as pd
import xarray as xr
import yaml

from .hdf5 import attributes, open_output, read_array, read_group, read_text, decode

#: Behaviours whose rewards count as fraud leakage (as /epochs/tokens/fraud_leakage counts them).
DISHONEST_BEHAVIOURS = ("fabricator", "spoofer", "colluder", "sybil")

#: The index levels of `Run.epochs`, from /epochs/time.
EPOCH_INDEX = ("epoch", "end_days")


@dataclass
class Run:
    """The contents of one run file, each HDF5 group as a pandas or xarray object.

    `epochs`: DataFrame indexed by (epoch, end_days), one column per /epochs dataset named by
    its path below /epochs ("quality/accepted"); `epochs.attrs["units"]` and
    `epochs.attrs["descriptions"]` map each column to its attributes. `nodes`: DataFrame
    indexed by node id, with the same attrs. `node_epochs`: xarray Dataset of the 2-D
    (epoch, node) datasets under /node_epochs, or None when the file has none. `ledger`:
    DataFrame of token movements (with output.ledger), or None. `scenario`: the resolved
    scenario as a dict. `meta`: the root attributes and the path.
    """

    path: str
    meta: dict
    scenario: dict
    epochs: pd.DataFrame
    nodes: pd.DataFrame
    node_epochs: Optional[xr.Dataset] = None
    ledger: Optional[pd.DataFrame] = None
    accounts: Optional[pd.DataFrame] = field(default=None, repr=False)

    def __repr__(self):
        n_epochs, n_nodes = len(self.epochs), len(self.nodes)
        return (f"<depinsim.Run {self.meta.get('scenario_name')!r} seed={self.meta.get('seed')} "
                f"{n_epochs} epochs, {n_nodes} nodes: {self.path}>")

    @property
    def name(self) -> str:
        return self.meta.get("scenario_name", os.path.basename(self.path))

    @property
    def time_days(self) -> np.ndarray:
        """Simulated time at the end of each epoch, in days."""
        return self.epochs.index.get_level_values("end_days").to_numpy()

    def units(self, column: str) -> Optional[str]:
        """The units of an /epochs column or a /nodes column (None for strings)."""
        for frame in (self.epochs, self.nodes):
            if column in frame.attrs.get("units", {}):
                return frame.attrs["units"][column]
        raise KeyError(f"{column}: no such column in /epochs or /nodes")

    def description(self, column: str) -> str:
        """The description attribute of an /epochs or /nodes column."""
        for frame in (self.epochs, self.nodes):
            if column in frame.attrs.get("descriptions", {}):
                return frame.attrs["descriptions"][column]
        raise KeyError(f"{column}: no such column in /epochs or /nodes")

    @property
    def all_behaviours(self) -> list:
        """Every behaviour the file has columns for (honest first)."""
        names = [c[len("nodes/online_"):] for c in self.epochs.columns
                 if c.startswith("nodes/online_")]
        return sorted(names, key=lambda b: (b != "honest", b))

    @property
    def behaviours(self) -> list:
        """The behaviours some node of this run follows (honest first)."""
        present = set(self.nodes["behaviour"]) if "behaviour" in self.nodes else set()
        return [b for b in self.all_behaviours if b in present]

    def by_behaviour(self, pattern: str, behaviours=None) -> pd.DataFrame:
        """The /epochs columns named by `pattern` with "{behaviour}" filled in, one per behaviour.

        `pattern` is e.g. "quality/{behaviour}/accepted", "tokens/paid_{behaviour}" or
        "nodes/online_{behaviour}"; the columns are the run's behaviours (or `behaviours`).
        """
        if "{behaviour}" not in pattern:
            raise ValueError(f"{pattern!r}: the pattern needs a {{behaviour}} placeholder")
        chosen = self.behaviours if behaviours is None else list(behaviours)
        columns = {b: pattern.format(behaviour=b) for b in chosen}
        missing = [c for c in columns.values() if c not in self.epochs.columns]
        if missing:
            raise KeyError(f"no such /epochs columns: {', '.join(missing)}")
        out = pd.DataFrame({b: self.epochs[c] for b, c in columns.items()},
                           index=self.epochs.index)
        out.columns.name = "behaviour"
        out.attrs["units"] = {b: self.epochs.attrs["units"][c] for b, c in columns.items()}
        return out

    def epoch_group(self, group: str) -> pd.DataFrame:
        """The columns of one /epochs group ("quality", "quality/honest", ...), named relative
        to it; subgroups' columns keep their subgroup ("checks/sanity/judged")."""
        prefix = group.rstrip("/") + "/"
        cols = [c for c in self.epochs.columns if c.startswith(prefix)]
        if not cols:
            raise KeyError(f"/epochs/{group}: no such group")
        out = self.epochs[cols].copy()
        out.columns = [c[len(prefix):] for c in cols]
        out.attrs = dict(self.epochs.attrs)
        for key in ("units", "descriptions"):
            out.attrs[key] = {c[len(prefix):]: self.epochs.attrs[key][c] for c in cols}
        return out


def load_run(path) -> Run:
    """Reads a run file written by `depinsim run` (or by a sweep) into a `Run`.

    Raises FileNotFoundError, NotADepinsimFileError (not HDF5, no schema_version, an index
    rather than a run) or SchemaVersionError (written by a newer depinsim).
    """
    path = os.fspath(path)
    with open_output(path, expect="run") as f:
        ledger, accounts = read_ledger(f)
        return Run(
            path=path,
            meta=read_meta(f, path),
            scenario=read_scenario(f),
            epochs=read_epochs(f),
            nodes=read_nodes(f),
            node_epochs=read_node_epochs(f),
            ledger=ledger,
            accounts=accounts,
        )


def read_meta(f: h5py.File, path: str = "") -> dict:
    """The root attributes (schema_version, seed, scenario_name, ...) and the file's path."""
    meta = attributes(f)
    meta["path"] = path or f.filename
    return meta


class _ScenarioLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML 1.2's core schema for the scalars depinsim writes: `1e-05` is a number and
    `on`/`yes` are strings, as in the C++ reader."""


_ScenarioLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))
_ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"
               r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"),
    list("-+0123456789."))


def parse_scenario(text: str) -> dict:
    """A scenario's YAML text as a dict (numbers as int or float, durations as text)."""
    value = yaml.load(text, Loader=_ScenarioLoader)
    return value if isinstance(value, dict) else {}


def read_scenario(f: h5py.File) -> dict:
    """/scenario: the fully resolved scenario as a dict."""
    return parse_scenario(read_text(f["scenario"]))


def _frame(columns: dict, index) -> pd.DataFrame:
    df = pd.DataFrame({name: values for name, (values, _, _) in columns.items()}, index=index)
    df.attrs["units"] = {name: units for name, (_, units, _) in columns.items()}
    df.attrs["descriptions"] = {name: desc for name, (_, _, desc) in columns.items()}
    return df


def read_epochs(f: h5py.File) -> pd.DataFrame:
    """/epochs: one row per epoch, indexed by (epoch, end_days), one column per dataset."""
    columns = read_group(f["epochs"])
    epoch = columns.pop("time/epoch", None)
    end = columns.pop("time/end_days", None)
    if epoch is None or end is None:
        raise KeyError(f"{f.filename}: /epochs/time/epoch and /epochs/time/end_days are required")
    index = pd.MultiIndex.from_arrays([epoch[0], end[0]], names=list(EPOCH_INDEX))
    df = _frame(columns, index)
    df.attrs["index_units"] = {"epoch": epoch[1], "end_days": end[1]}
    return df


def read_nodes(f: h5py.File) -> pd.DataFrame:
    """/nodes: one row per node, indexed by node id."""
    if "nodes" not in f:
        return pd.DataFrame()
    columns = read_group(f["nodes"])
    ids = columns.pop("id", None)
    index = pd.Index(ids[0], name="id") if ids is not None else None
    return _frame(columns, index)


def read_node_epochs(f: h5py.File) -> Optional[xr.Dataset]:
    """/node_epochs: 2-D (epoch, node) datasets as one xarray Dataset, or None when absent."""
    if "node_epochs" not in f:
        return None
    group = f["node_epochs"]
    variables = {}
    for name, ds in group.items():
        if not isinstance(ds, h5py.Dataset) or ds.ndim != 2:
            continue
        variables[name] = xr.DataArray(
            read_array(ds),
            dims=("epoch", "node"),
            attrs={"units": decode(ds.attrs.get("units", "")),
                   "description": decode(ds.attrs.get("description", ""))})
    if not variables:
        return None
    ds = xr.Dataset(variables)
    if "epochs" in f and "time/epoch" in f["epochs"]:
        epochs = f["epochs/time/epoch"][()]
        if len(epochs) == ds.sizes["epoch"]:
            ds = ds.assign_coords(epoch=epochs, end_days=("epoch", f["epochs/time/end_days"][()]))
    if "nodes/id" in f and len(f["nodes/id"]) == ds.sizes["node"]:
        ds = ds.assign_coords(node=f["nodes/id"][()])
    return ds


def read_ledger(f: h5py.File):
    """/ledger (written with output.ledger): the token movements and the accounts, as two
    DataFrames; (None, None) when the file has no ledger. Movements gain `from_label` and
    `to_label` columns ("" for a mint's source or a burn's target)."""
    if "ledger" not in f:
        return None, None
    group = f["ledger"]
    movements = {k: v for k, v in read_group(group).items() if not k.startswith("accounts/")}
    ledger = _frame(movements, None)
    accounts = None
    if "accounts" in group:
        accounts = _frame(read_group(group["accounts"]), None)
        accounts.index.name = "account"
        labels = accounts["label"].to_numpy() if "label" in accounts else None
        if labels is not None and len(labels):
            for end in ("from", "to"):
                if end in ledger:
                    ids = ledger[end].to_numpy()
                    ledger[end + "_label"] = np.where(ids >= 0, labels[np.clip(ids, 0, None)], "")
    return ledger, accounts
