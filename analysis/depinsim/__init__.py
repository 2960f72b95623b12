"""Reading, summarising and plotting depinsim's HDF5 outputs.

    import depinsim
    run = depinsim.load_run("out/basic_sensors.h5")
    depinsim.plot_overview(run)
    sweep = depinsim.load_sweep("out/stake_vs_fabricators/index.h5")
    depinsim.plot_sweep_heatmap(sweep, "fraud_leakage")
"""

from .binary import find_binary, has_sweep_command, output_dir, repo_root, scenario_file
from .errors import (BinaryNotFoundError, DepinsimError, NotADepinsimFileError, RunFailedError,
                     SchemaVersionError)
from .hdf5 import SCHEMA_VERSION
from .metrics import (across_replications, confidence_interval, gini, nakamoto, payback_time,
                      sensitivity)
from .plots import (plot_burn_and_mint, plot_churn, plot_confusion_matrix, plot_flagged,
                    plot_operator_roi, plot_overview, plot_price_paths, plot_quality,
                    plot_rewards_by_behaviour, plot_supply_and_price)
from .run import DISHONEST_BEHAVIOURS, Run, load_run
from .runner import grid_points, run_grid, run_points, run_scenario, run_scenarios, run_sweep
from .summary import (SUMMARY_UNITS, check_names, compare, confusion_matrix,
                      earnings_by_behaviour, operator_table, payback_by_behaviour, summarize)
from .sweep import Sweep, load_sweep
from .sweep_plots import plot_comparison, plot_sweep_heatmap, plot_sweep_lines, plot_tornado

__version__ = "0.1.0"

__all__ = [
    # reading
    "load_run", "Run", "load_sweep", "Sweep", "SCHEMA_VERSION",
    # running the program
    "find_binary", "has_sweep_command", "scenario_file", "output_dir", "repo_root",
    "run_scenario", "run_scenarios", "run_points", "run_sweep", "run_grid", "grid_points",
    # metrics
    "gini", "nakamoto", "confidence_interval", "payback_time", "across_replications",
    "sensitivity", "summarize", "SUMMARY_UNITS", "compare", "confusion_matrix", "check_names",
    "operator_table", "payback_by_behaviour", "earnings_by_behaviour", "DISHONEST_BEHAVIOURS",
    # plots
    "plot_quality", "plot_confusion_matrix", "plot_rewards_by_behaviour",
    "plot_supply_and_price", "plot_burn_and_mint", "plot_operator_roi", "plot_churn",
    "plot_flagged", "plot_price_paths", "plot_overview", "plot_sweep_heatmap",
    "plot_sweep_lines", "plot_tornado", "plot_comparison",
    # errors
    "DepinsimError", "NotADepinsimFileError", "SchemaVersionError", "BinaryNotFoundError",
    "RunFailedError",
]
