"""Run files made by the built depinsim program, once per pytest run.

The program is found as the package finds it: $DEPINSIM (set by ctest), else the build tree.
"""

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")

import pytest  # noqa: E402

import depinsim  # noqa: E402

#: A small, fast basic_sensors: 200 sensors in 60 km x 60 km.
SMALL = {"population[0].count": 200, "region.width_km": 60, "region.height_km": 60,
         "network.partitions": []}

#: A small death_spiral: two hardware classes with capex, a price that falls, operators leaving.
SMALL_ECONOMY = {"run.duration": "20d", "population[0].count": 100, "population[0].reserve": 20,
                 "population[1].count": 100, "population[1].reserve": 20,
                 "region.width_km": 60, "region.height_km": 60}


#: One-day runs of 100 sensors, for sweeps.
TINY = dict(SMALL, **{"run.duration": "1d", "population[0].count": 100})
EMISSION = "rewards.emission.per_day"
FABRICATORS = "population[0].behaviour.fabricator.share"
HONEST = "population[0].behaviour.honest"


@pytest.fixture(scope="session")
def binary():
    return depinsim.find_binary()


@pytest.fixture(scope="session")
def files(tmp_path_factory, binary):
    """Paths of real run files: basic (3 days), one_day, ledger (with /ledger), economy (a
    falling price and churn), attack (30% fabricators, capex, a constant price), ring
    (proof of coverage with rings of colluders, denylisted after a week), providers (sensors,
    storage and compute providers together)."""
    out = tmp_path_factory.mktemp("runs")
    made = {}
    jobs = {
        "basic": ("basic_sensors", dict(SMALL, **{"run.duration": "3d"})),
        "one_day": ("basic_sensors", dict(SMALL, **{"run.duration": "1d"})),
        "ledger": ("basic_sensors", dict(SMALL, **{"run.duration": "2d", "output.ledger": True})),
        "economy": ("death_spiral", SMALL_ECONOMY),
        "attack": ("attack_fabricators_30", {"run.duration": "4d", "population[0].count": 200,
                                             "region.width_km": 60, "region.height_km": 60}),
        "ring": ("attack_spoofing_ring", {"run.duration": "8d", "population[0].count": 400,
                                          "region.width_km": 80, "region.height_km": 80}),
        "providers": ("mixed_depin", {"run.duration": "15d"}),
    }
    for name, (scenario, overrides) in jobs.items():
        made[name] = depinsim.run_scenario(scenario, out / f"{name}.h5", overrides=overrides,
                                           load=False)
    return made


@pytest.fixture(scope="session")
def basic(files):
    return depinsim.load_run(files["basic"])


@pytest.fixture(scope="session")
def economy(files):
    return depinsim.load_run(files["economy"])


@pytest.fixture(scope="session")
def attack(files):
    return depinsim.load_run(files["attack"])


@pytest.fixture(scope="session")
def ring(files):
    return depinsim.load_run(files["ring"])


@pytest.fixture(scope="session")
def providers(files):
    return depinsim.load_run(files["providers"])


@pytest.fixture(scope="session")
def sweep_index(tmp_path_factory):
    """A sweep index in the layout of `depinsim sweep`, written with h5py: 2 points x 2
    replications of real runs, and a third point whose runs failed."""
    out = tmp_path_factory.mktemp("sweep")
    rows = []
    for point, emission in enumerate([5000.0, 20000.0]):
        for rep in range(2):
            name = f"p{point:06d}_r{rep:03d}"
            depinsim.run_scenario("basic_sensors", out / "points" / f"{name}.h5",
                                  overrides=dict(TINY, **{EMISSION: emission}), seed=10 + rep,
                                  load=False)
            rows.append((point, rep, 10 + rep, emission, "done", f"points/{name}.h5"))
    rows += [(2, 0, 10, 40000.0, "failed", ""), (2, 1, 11, 40000.0, "missing", "")]
    path = out / "index.h5"
    strings = h5py.string_dtype()
    with h5py.File(path, "w") as f:
        f.attrs["schema_version"] = 1
        f.attrs["kind"] = "sweep-index"
        p = f.create_group("points")
        for k, column in enumerate(["point", "replication", "seed"]):
            p[column] = np.array([r[k] for r in rows], dtype=np.int64)
        p[EMISSION] = np.array([r[3] for r in rows])
        p[EMISSION].attrs["units"] = "tokens/day"
        p.create_dataset("status", data=[r[4] for r in rows], dtype=strings)
        p["wall_seconds"] = np.full(len(rows), 0.1)
        p.create_dataset("file", data=[r[5] for r in rows], dtype=strings)
        for r in rows:
            if r[5]:
                f[f"runs/p{r[0]:06d}_r{r[1]:03d}"] = h5py.ExternalLink(r[5], "/")
    return path


@pytest.fixture(scope="session")
def merged_grid(tmp_path_factory):
    """2 emission rates x 2 fabricator shares (the honest share zipped with them) x 2
    replications, run one by one and merged."""
    points = depinsim.grid_points({EMISSION: [5000, 20000], FABRICATORS: [0.02, 0.2],
                                   HONEST: [0.92, 0.74]}, zip=[[FABRICATORS, HONEST]])
    return depinsim.run_points("basic_sensors", points, tmp_path_factory.mktemp("merged"),
                               replications=2, overrides=TINY, seed=5)
