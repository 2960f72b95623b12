#pragma once
// The depinsim subcommands, each a function from parsed options to an exit status.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/log.hpp"

namespace models {
struct Scenario;
class SensorWorld;
}  // namespace models
namespace sim {
class Hdf5Writer;
}

namespace depinsim_cli {

/// Conventional exit statuses: 0 success, 1 the run failed, 2 bad input (usage, scenario, paths).
/// 130 (128 + SIGINT) after an interrupt, as shells report it.
enum ExitStatus : int { kOk = 0, kRunFailed = 1, kBadInput = 2, kInterrupted = 130 };

struct ScenarioOptions {
  std::string scenario_path;
  std::vector<std::string> overrides;  // --set key.path=value, in order
  std::optional<std::uint64_t> seed;
};

struct RunOptions {
  ScenarioOptions scenario;
  std::string output_path;
  bool quiet = false;
  bool json = false;
  double progress_every_s = 5.0;  // progress line interval when stderr is not a terminal
};

int run_command(const RunOptions& options);

/// Makes Ctrl-C and SIGTERM ask runs to stop at the next epoch boundary instead of killing the
/// process, so that partial output files are removed rather than left behind.
void install_interrupt_handlers();
/// True once SIGINT or SIGTERM has arrived (after install_interrupt_handlers()).
bool interrupted();

/// Where a run's messages go: log() by default; a sweep labels and serialises them.
using LogSink = std::function<void(LogLevel, const std::string&)>;

/// One scenario run to one output file, the unit that `run` and `sweep` share: builds the world
/// (warning about sensors with no route to the oracle), runs it, writes the output contract.
///   ScenarioRun r(scenario, 0);  if (r.run([] { return interrupted(); })) r.write(out);
class ScenarioRun {
 public:
  /// `scenario` must outlive this object.
  ScenarioRun(const models::Scenario& scenario, std::uint64_t run_index, LogSink sink = {});
  ~ScenarioRun();
  ScenarioRun(const ScenarioRun&) = delete;
  ScenarioRun& operator=(const ScenarioRun&) = delete;

  /// The world, e.g. to observe its epochs before run().
  models::SensorWorld& world() { return *world_; }
  /// Runs every epoch unless `stop` turns true (checked before the start and after each
  /// epoch). True when every epoch closed.
  bool run(const std::function<bool()>& stop);
  /// Seconds from construction to the end of run().
  double wall_seconds() const { return wall_s_; }
  /// Writes the root attributes, /scenario, /epochs and /nodes, then commits `out` (renames it
  /// to its final name). Attributes the caller adds to "/" beforehand are kept.
  void write(sim::Hdf5Writer& out) const;

 private:
  const models::Scenario& scenario_;
  std::uint64_t run_index_;
  std::chrono::steady_clock::time_point start_;
  std::unique_ptr<models::SensorWorld> world_;
  double wall_s_ = 0.0;
};

/// The current time as ISO 8601 UTC ("2026-01-31T12:00:00Z"), for provenance attributes.
std::string utc_now();
int validate_command(const ScenarioOptions& options);
int info_command(const std::string& file);
/// Writes an index of run files: a /points table (file, scenario, seed, run index) and an
/// external link /runs/NNNNNN to each run, so that many runs (replications, job-array tasks)
/// open as one file. Given the indexes of a sweep's shards instead, joins them into the index
/// of the whole sweep.
int merge_command(const std::vector<std::string>& inputs, const std::string& output);

/// Options of `depinsim sweep` (see sweep_command.cpp).
struct SweepOptions {
  std::string sweep_path;
  std::string output_dir;
  bool dry_run = false;
  bool index_only = false;       // build DIR/index.h5 from the point files present, run nothing
  int threads = 0;               // runs at once; 0: OpenMP's default (OMP_NUM_THREADS or the cores)
  std::string shard;             // "i/n": only the runs whose id % n == i; empty: every run
  bool slurm = false;            // print an sbatch job-array script of the sweep, run nothing
  std::int64_t slurm_tasks = 0;  // array tasks of that script; 0: one per run, at most 64
  bool quiet = false;
  double progress_every_s = 5.0;
};

/// Runs the points of a sweep file in parallel, one output file per run, skipping runs whose
/// file is already whole, then writes the sweep's index.
int sweep_command(const SweepOptions& options);

/// The /points table of a sweep index (one row per run, sorted by point then replication) and
/// the attributes that identify the sweep. Shared by `sweep`, which writes it, and `merge`,
/// which joins the indexes of a sweep's shards.
struct SweepIndex {
  /// One column per swept parameter: float64 when every value is a number, else strings.
  struct Parameter {
    std::string key;
    bool numeric = true;
    std::vector<double> numbers;
    std::vector<std::string> texts;
    std::string units;
    std::string description;
  };
  std::vector<std::int64_t> point, replication, seed;
  std::vector<Parameter> parameters;
  std::vector<std::string> status;  // done, skipped-existing, failed or missing
  std::vector<double> wall_seconds;
  std::vector<std::string> file;  // relative to the index's directory

  std::string sweep_file;  // the sweep file as named on the command line
  std::string design;      // grid, random, lhs or sobol
  std::string digest;      // identifies the expanded sweep (every run's assignments)
  std::string definition;  // the sweep file as YAML text
  std::uint64_t base_seed = 0;
  std::int64_t points_total = 0;
  std::int64_t replications = 1;
  std::int64_t shard_index = 0;  // shard i of n; a whole sweep is shard 0 of 1
  std::int64_t shard_count = 1;

  std::size_t rows() const { return point.size(); }
  /// True when the row's file is present (status done or skipped-existing).
  bool has_file(std::size_t row) const;
};

/// Writes `index` to `path` (a temporary name, renamed when whole), with an external link
/// /runs/pNNNNNN_rNNN to every present run file. Throws sim::Hdf5Error.
void write_sweep_index(const SweepIndex& index, const std::string& path);

/// Lists every declared scenario key starting with `prefix`, as text or as a Markdown table.
int help_params_command(const std::string& prefix, bool markdown);

}  // namespace depinsim_cli
