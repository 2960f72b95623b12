"""Finding the depinsim program, the repository's scenarios, and a place for outputs.

The program is, in order: the `binary` argument, the DEPINSIM environment variable, the build
tree of the repository this package sits in (build/release/depinsim, then the debug and asan
presets' builds), then `depinsim` on PATH.

    find_binary()                        # '/path/to/repo/build/release/depinsim'
    scenario_file("basic_sensors")       # repo/scenarios/basic_sensors.yaml
"""

from __future__ import annotations

import functools
import getpass
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import BinaryNotFoundError

#: Environment variable naming the depinsim program.
BINARY_ENV = "DEPINSIM"
#: Environment variable naming the directory `output_dir` creates directories in.
OUTPUT_ENV = "DEPINSIM_OUTPUT_DIR"
#: Build directories searched below the repository root, in order.
BUILD_DIRS = ("build/release", "build/debug", "build/asan")


def repo_root():
    """The repository this package sits in (analysis/depinsim/ below it), or None when the
    package was installed elsewhere."""
    root = Path(__file__).resolve().parent.parent.parent
    return root if (root / "scenarios").is_dir() and (root / "analysis").is_dir() else None


def find_binary(binary=None) -> str:
    """The path of the depinsim program; raises BinaryNotFoundError naming where it looked."""
    tried = []
    if binary is not None:
        if _is_program(binary):
            return os.fspath(binary)
        raise BinaryNotFoundError(f"{binary}: not an executable file")
    env = os.environ.get(BINARY_ENV)
    if env:
        if _is_program(env):
            return env
        raise BinaryNotFoundError(f"{BINARY_ENV}={env}: not an executable file")
    tried.append(f"${BINARY_ENV} (not set)")
    root = repo_root()
    if root is not None:
        for d in BUILD_DIRS:
            candidate = root / d / "depinsim"
            if _is_program(candidate):
                return str(candidate)
            tried.append(str(candidate))
    on_path = shutil.which("depinsim")
    if on_path:
        return on_path
    tried.append("depinsim on PATH")
    raise BinaryNotFoundError(
        "the depinsim program was not found; build it (cmake --workflow --preset release) or "
        f"set {BINARY_ENV} to its path. Looked at: " + ", ".join(tried))


def _is_program(path) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


@functools.lru_cache(maxsize=None)
def _has_sweep(binary: str) -> bool:
    try:
        done = subprocess.run([binary, "sweep", "--help"], capture_output=True, timeout=60)
    except OSError:
        return False
    return done.returncode == 0


def has_sweep_command(binary=None) -> bool:
    """Whether the program has the `sweep` command (`depinsim sweep --help` exits 0)."""
    return _has_sweep(find_binary(binary))


def scenario_file(name) -> Path:
    """A scenario by path, or by name in the repository's scenarios/ directory ("basic_sensors",
    "attack_sybil_swarm.yaml", "sweeps/stake_vs_fabricators")."""
    path = Path(name)
    if path.is_file():
        return path.resolve()
    root = repo_root()
    if root is not None:
        for candidate in (root / "scenarios" / path, root / "scenarios" / f"{name}.yaml"):
            if candidate.is_file():
                return candidate
    raise FileNotFoundError(f"{name}: no such scenario file (nor in the repository's scenarios/)")


def output_dir(name: str) -> Path:
    """A directory for outputs, created if needed: $DEPINSIM_OUTPUT_DIR/name, or
    <temporary directory>/depinsim-<user>/name."""
    base = os.environ.get(OUTPUT_ENV)
    if base:
        root = Path(base)
    else:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = str(os.getuid())
        root = Path(tempfile.gettempdir()) / f"depinsim-{user}"
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    return path
