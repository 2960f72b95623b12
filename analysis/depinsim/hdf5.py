"""Opening depinsim's HDF5 files and reading their attributes and 1-D datasets.

The layout is the output contract of docs/ARCHITECTURE.md (schema_version 1): every dataset is
1-D, numbers carry `units` and `description` attributes, strings are variable-length UTF-8.

    with open_output("out/x.h5", expect="run") as f:
        meta = attributes(f)
"""

from __future__ import annotations

import os

import h5py
import numpy as np

from .errors import NotADepinsimFileError, SchemaVersionError

#: The newest schema_version this package reads.
SCHEMA_VERSION = 1

#: Root `kind` attribute of index files: `depinsim merge` of runs, and `depinsim sweep`.
INDEX_KINDS = ("index", "sweep-index")


def decode(value):
    """An attribute or dataset element as a plain Python value (bytes become str)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "SO":
            return [decode(v) for v in value.tolist()]
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def attributes(obj) -> dict:
    """The HDF5 attributes of a file, group or dataset as a dict of Python values."""
    return {key: decode(obj.attrs[key]) for key in obj.attrs}


def read_array(dataset: h5py.Dataset) -> np.ndarray:
    """A 1-D dataset as a numpy array; strings become an object array of str."""
    if h5py.check_string_dtype(dataset.dtype) is not None:
        return np.array(dataset.asstr()[()], dtype=object)
    return dataset[()]


def read_text(dataset: h5py.Dataset) -> str:
    """A scalar string dataset (such as /scenario) as str."""
    value = dataset[()]
    return decode(value)


def check_version(path, f: h5py.File) -> int:
    """The file's schema_version; raises when it is missing or newer than this package."""
    if "schema_version" not in f.attrs:
        raise NotADepinsimFileError(
            f"{path}: not a depinsim output (no schema_version attribute at the root)")
    version = decode(f.attrs["schema_version"])
    if not isinstance(version, int) or version < 1:
        raise NotADepinsimFileError(f"{path}: not a depinsim output (schema_version {version!r})")
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{path}: schema_version {version} is newer than this package reads "
            f"(up to {SCHEMA_VERSION}); update the depinsim Python package")
    return version


def open_output(path, expect: str) -> h5py.File:
    """Opens a depinsim output for reading after checking its schema and kind.

    `expect` is "run" (a run file: no `kind` attribute) or "index" (a `depinsim merge` or
    `depinsim sweep` index). Raises FileNotFoundError, NotADepinsimFileError or
    SchemaVersionError.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise NotADepinsimFileError(f"{path}: not an HDF5 file, so not a depinsim output") from e
    try:
        check_version(path, f)
        kind = decode(f.attrs["kind"]) if "kind" in f.attrs else None
        if expect == "run":
            if kind in INDEX_KINDS:
                raise NotADepinsimFileError(
                    f"{path}: an index of runs (kind {kind!r}), not a run: use load_sweep")
            if kind is not None:
                raise NotADepinsimFileError(f"{path}: not a depinsim run file (kind {kind!r})")
            if "epochs" not in f or "scenario" not in f:
                raise NotADepinsimFileError(
                    f"{path}: not a depinsim run file (no /epochs or /scenario)")
        elif expect == "index":
            if kind is None:
                raise NotADepinsimFileError(
                    f"{path}: a run file, not an index of runs: use load_run")
            if kind not in INDEX_KINDS:
                raise NotADepinsimFileError(f"{path}: not a depinsim index (kind {kind!r})")
            if "points" not in f:
                raise NotADepinsimFileError(f"{path}: an index without a /points table")
        else:
            raise ValueError(f"expect must be 'run' or 'index', not {expect!r}")
    except Exception:
        f.close()
        raise
    return f


def read_group(group: h5py.Group, prefix: str = "") -> dict:
    """Every 1-D dataset under `group`, recursively, by path relative to it.

    Returns {path: (array, units, description)}; units is None for strings.
    """
    found = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.ndim == 1:
            found[prefix + name] = (
                read_array(obj),
                decode(obj.attrs["units"]) if "units" in obj.attrs else None,
                decode(obj.attrs.get("description", "")),
            )

    group.visititems(visit)
    return found
