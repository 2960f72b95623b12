"""Running depinsim from Python: one scenario, a list of points, or a grid sweep.

Every function calls the program (see `find_binary`) and loads what it wrote; none parses
anything itself.

    run = run_scenario("basic_sensors", "out/x.h5", overrides={"run.duration": "5d"})
    sweep = run_grid("basic_sensors", {"rewards.emission.per_day": [5000, 20000]}, "out/grid")
"""

from __future__ import annotations

import itertools
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from .binary import find_binary, has_sweep_command, scenario_file
from .errors import RunFailedError
from .run import load_run
from .sweep import Sweep, load_sweep


def format_value(value) -> str:
    """A Python value as `--set key=value` takes it: true/false, [a, b], numbers, text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def _set_args(overrides) -> list:
    args = []
    for key, value in (overrides or {}).items():
        args += ["--set", f"{key}={format_value(value)}"]
    return args


def _call(command) -> None:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True)
    if done.returncode != 0:
        raise RunFailedError(command, done.returncode, done.stderr)


def run_scenario(scenario, output, *, overrides=None, seed=None, binary=None, load=True):
    """Runs `depinsim run SCENARIO -o OUTPUT` with `--set` for each item of `overrides` (a dict
    of key path to value) and `--seed` when given; returns the loaded `Run` (or the output's
    path with load=False). `scenario` is a path or a name in the repository's scenarios/.
    Raises RunFailedError with the program's message when it fails."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [find_binary(binary), "run", scenario_file(scenario), "-o", output, "--quiet"]
    command += _set_args(overrides)
    if seed is not None:
        command += ["--seed", int(seed)]
    _call(command)
    return load_run(output) if load else str(output)


def run_scenarios(scenarios, output_dir, *, overrides=None, seed=None, binary=None,
                  threads=None) -> dict:
    """Runs several scenarios side by side (`threads` at once, default the number of CPUs) and
    returns {label: Run}. `scenarios` is a list of scenario names or paths (labelled by their
    file name) or a dict {label: scenario} or {label: (scenario, overrides of its own)};
    `overrides` apply to every run first. Files go to OUTPUT_DIR/<label>.h5."""
    if not isinstance(scenarios, dict):
        scenarios = {Path(str(s)).stem: s for s in scenarios}
    jobs = {}
    for label, job in scenarios.items():
        scenario, own = job if isinstance(job, tuple) else (job, {})
        jobs[label] = (scenario, dict(overrides or {}, **own))
    program = find_binary(binary)
    out = Path(output_dir)

    def one(label):
        scenario, settings = jobs[label]
        return run_scenario(scenario, out / f"{label}.h5", overrides=settings, seed=seed,
                            binary=program, load=False)

    with ThreadPoolExecutor(max_workers=threads or os.cpu_count() or 1) as pool:
        paths = dict(zip(jobs, pool.map(one, jobs)))
    return {label: load_run(path) for label, path in paths.items()}


def grid_points(parameters: dict, zip=()) -> list:
    """The points of a grid: every combination of the values of `parameters` ({key: [values]}),
    where the keys of each group in `zip` move together (their lists have one length) instead
    of being crossed. Returns a list of {key: value}, the first key varying slowest."""
    groups, seen = [], set()
    for key in parameters:
        if key in seen:
            continue
        group = next((list(z) for z in zip if key in z), [key])
        lengths = {len(parameters[k]) for k in group}
        if len(lengths) != 1:
            raise ValueError(f"zipped keys {group} need lists of one length")
        groups.append([{k: parameters[k][i] for k in group} for i in range(lengths.pop())])
        seen.update(group)
    points = []
    for combo in itertools.product(*groups):
        point = {}
        for part in combo:
            point.update(part)
        points.append(point)
    return points


def run_points(scenario, points, output_dir, *, replications=1, seed=1, overrides=None, binary=None,
               threads=None) -> Sweep:
    """Runs `scenario` once per point (a list of {key: value} overrides) and replication with
    `depinsim run`, indexes the files with `depinsim merge` and returns the loaded `Sweep`.

    Replication r of every point runs with seed `seed + r` (common random numbers: points are
    compared on the same draws). Files go to OUTPUT_DIR/points/pNNNNNN_rNNN.h5, the index to
    OUTPUT_DIR/index.h5; `threads` runs go at once (default: the number of CPUs).
    """
    program = find_binary(binary)
    out = Path(output_dir)
    (out / "points").mkdir(parents=True, exist_ok=True)
    jobs = []
    for p, point in enumerate(points):
        for r in range(replications):
            path = out / "points" / f"p{p:06d}_r{r:03d}.h5"
            jobs.append((path, dict(overrides or {}, **point), seed + r))
    with ThreadPoolExecutor(max_workers=threads or os.cpu_count() or 1) as pool:
        list(pool.map(lambda job: run_scenario(scenario, job[0], overrides=job[1], seed=job[2],
                                               binary=program, load=False), jobs))
    index = out / "index.h5"
    _call([program, "merge", *[job[0] for job in jobs], "-o", index])
    keys = list(dict.fromkeys(k for point in points for k in point))
    return load_sweep(index, parameters=keys)


def run_sweep(sweep_file, output_dir, *, threads=None, binary=None) -> Sweep:
    """Runs `depinsim sweep SWEEP_FILE -o OUTPUT_DIR` (resuming what is already there) and
    returns the loaded `Sweep`."""
    command = [find_binary(binary), "sweep", scenario_file(sweep_file), "-o", output_dir,
               "--quiet"]
    if threads:
        command += ["--threads", int(threads)]
    _call(command)
    return load_sweep(Path(output_dir) / "index.h5")


def run_grid(scenario, parameters: dict, output_dir, *, zip=(), overrides=None, replications=1,
             seed=1, threads=None, binary=None) -> Sweep:
    """A grid sweep of `scenario` over `parameters` ({key: [values]}), keys in `zip` groups
    moving together, `overrides` applied to every run.

    With a program that has `depinsim sweep`, writes OUTPUT_DIR/sweep.yaml and runs it (the
    sweep command derives each run's seed from `seed`, the point and the replication);
    otherwise runs the points one by one and merges them (`run_points`). Either way returns the
    loaded `Sweep`.
    """
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not has_sweep_command(binary):
        return run_points(scenario, grid_points(parameters, zip), out, replications=replications,
                          seed=seed, overrides=overrides, binary=binary, threads=threads)
    spec = {"base": str(scenario_file(scenario)), "seed": int(seed),
            "replications": int(replications), "design": "grid", "set": dict(overrides or {}),
            "parameters": {k: list(v) for k, v in parameters.items()}}
    if zip:
        spec["zip"] = [list(z) for z in zip]
    sweep_file = out / "sweep.yaml"
    sweep_file.write_text(yaml.safe_dump(spec, sort_keys=False, default_flow_style=None))
    return run_sweep(sweep_file, out, threads=threads, binary=binary)
