#pragma once
// A parameter sweep: a base scenario, the keys to vary and how, expanded into points and runs.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/config.hpp"

namespace models {
struct Scenario;
}

namespace depinsim_cli {

/// How the points of a sweep are chosen: every combination, or `samples` draws.
enum class Design { grid, random, lhs, sobol };

/// One swept scenario key: discrete values, or a continuous range (sampled designs only).
struct SweptParameter {
  std::string key;                  // scenario key path, e.g. rewards.emission.per_day
  std::vector<std::string> values;  // as --set value text; empty for a continuous range
  double from = 0.0;                // continuous range: [from, to]
  double to = 0.0;
  bool log_scale = false;  // continuous range: uniform in log(x)
  bool integer = false;    // continuous range: rounded to the nearest whole number
  bool numeric = true;     // every value is a number, so its index column is float64
  int line = 0;            // where the sweep file declares it (1-based; 0 when unknown)
  int column = 0;

  bool continuous() const { return values.empty(); }
};

/// One `set:` entry: a key given the same value at every point.
struct FixedSetting {
  std::string key;
  std::string value;  // as --set value text
  int line = 0;       // where the sweep file gives it
  int column = 0;
};

/// A checked sweep file. Read with read_sweep_spec(); expand with expand_points().
///   SweepSpec spec = read_sweep_spec("scenarios/sweeps/emission_vs_demand.yaml");
struct SweepSpec {
  std::filesystem::path file;  // the sweep file, as named
  std::filesystem::path base;  // the base scenario, resolved against the sweep file's directory
  std::uint64_t base_seed = 0;
  std::int64_t replications = 1;
  Design design = Design::grid;
  std::int64_t samples = 0;  // sampled designs
  /// `set:` assignments applied to every point before the swept ones.
  std::vector<FixedSetting> fixed;
  /// In file order; the index has one column per parameter, in this order.
  std::vector<SweptParameter> parameters;
  /// The dimensions of the design: each holds the parameters that vary together (one, or a
  /// `zip:` group), in order of their first parameter in the file.
  std::vector<std::vector<std::size_t>> axes;
  /// The sweep file with `extends:` resolved, as YAML text (stored in the index).
  std::string text;
};

/// One point of the design: a value (as --set text) per swept parameter, in parameters order.
struct SweepPoint {
  std::int64_t id = 0;
  std::vector<std::string> values;
};

/// One run: a point and a replication, the unit of work and of output files.
struct SweepRun {
  std::int64_t point = 0;
  std::int64_t replication = 0;
};

/// "p000017_r002": the name of a run's output file (without .h5) and of its link in the index.
std::string run_name(std::int64_t point, std::int64_t replication);

/// Reads and checks a sweep file; throws sim::config::ConfigError naming file, line and key of
/// every problem (unknown keys, bad ranges, zip groups of unequal lengths, ...).
SweepSpec read_sweep_spec(const std::filesystem::path& file);

/// The points of the design, ids 0, 1, ... (sweep_designs.cpp). A grid is the Cartesian product of
/// the axes, the first axis varying slowest; sampled designs draw from fixed random streams keyed
/// by the base seed, so the same file always gives the same points.
std::vector<SweepPoint> expand_points(const SweepSpec& spec);

/// The seed of one run: splitmix64 applied three times, folding in the point id and then the
/// replication, top bit cleared (a scenario seed is a non-negative 64-bit integer):
///   h = mix(base_seed);  h = mix(h ^ point);  h = mix(h ^ replication);  seed = h >> 1
/// where mix is Steele, Lea and Flood's splitmix64 finaliser (OOPSLA 2014). A run's seed
/// depends on nothing else: not on the machine, shard, thread or order that runs it.
std::uint64_t run_seed(std::uint64_t base_seed, std::int64_t point, std::int64_t replication);

/// The --set assignments that make a run's scenario from the base: `set:` first, then the
/// point's values, then `seed=<run_seed>`.
std::vector<std::string> run_assignments(const SweepSpec& spec, const SweepPoint& point,
                                         std::int64_t replication);

/// The checked scenario of one run. Throws sim::config::ConfigError as load_scenario does.
models::Scenario run_scenario(const SweepSpec& spec, const SweepPoint& point,
                              std::int64_t replication);

/// What one point costs: nodes, simulated days and their product.
struct PointCost {
  std::int64_t nodes = 0;
  double days = 0.0;
  double node_days() const { return static_cast<double>(nodes) * days; }
};

/// Checks the scenario of every point with models::load_scenario before anything runs, and
/// returns what each costs. Throws sim::config::ConfigError with each problem once, naming the
/// points that have it, at the swept key's line in the sweep file when a swept value caused it.
std::vector<PointCost> check_points(const SweepSpec& spec, const std::vector<SweepPoint>& points);

/// "grid", "random", "lhs" or "sobol".
const char* design_name(Design design);

/// How a swept number is written into a run's --set assignment: integers without a fraction,
/// others as the scenario reader formats numbers.
std::string number_text(double x, bool integer);

/// Point `index` of the Sobol sequence in `dimension` (0-based, below kSobolDimensions), as a
/// 32-bit fraction: Joe and Kuo's direction numbers (new-joe-kuo-6.21201), Gray-code order,
/// without scrambling, so that point 0 is the origin.
std::uint32_t sobol_bits(std::uint64_t index, std::size_t dimension);
inline constexpr std::size_t kSobolDimensions = 21;

}  // namespace depinsim_cli
