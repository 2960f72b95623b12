#pragma once
// What a sweep is before anything runs (cli/sweep_command.cpp runs it): the plan of this
// shard's runs, the files already there, the index, and the dry run.

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/sweep_spec.hpp"

namespace depinsim_cli {

inline constexpr double kNoTime = std::numeric_limits<double>::quiet_NaN();

struct Shard {
  std::int64_t index = 0;
  std::int64_t count = 1;
};

/// "i/n" with 0 <= i < n.
std::optional<Shard> parse_shard(const std::string& text);

/// Everything known about a sweep before anything runs.
struct Plan {
  SweepSpec spec;
  std::vector<SweepPoint> points;
  std::vector<PointCost> costs;  // per point
  Shard shard;
  std::vector<SweepRun> runs;  // this shard's, by run id (point * replications + replication)
  std::filesystem::path dir;
  std::string digest;

  std::filesystem::path file(const SweepRun& r) const {
    return dir / "points" / (run_name(r.point, r.replication) + ".h5");
  }
  std::string assignments(const SweepRun& r) const {
    std::string text;
    for (const std::string& a :
         run_assignments(spec, points[static_cast<std::size_t>(r.point)], r.replication))
      text += (text.empty() ? "" : "\n") + a;
    return text;
  }
  const PointCost& cost(const SweepRun& r) const {
    return costs[static_cast<std::size_t>(r.point)];
  }
  std::int64_t runs_total() const {
    return static_cast<std::int64_t>(points.size()) * spec.replications;
  }
};

/// 64-bit FNV-1a, in hex, of every run's assignments: equal digests mean the same runs.
std::string sweep_digest(const Plan& plan);

/// What is under a run's final file name.
struct Existing {
  enum State { absent, whole, damaged, foreign } state = absent;
  double wall_s = kNoTime;
  std::string reason;  // damaged or foreign: why
};

/// A file under its final name was renamed there whole; it counts as this run's if it is a
/// depinsim run file made from the same assignments (seed included).
Existing inspect(const Plan& plan, const SweepRun& r);

/// A run's line in the index: its status and wall time.
struct Record {
  std::string status = "missing";
  double wall_s = kNoTime;
};

/// The index of this shard's runs (cli/commands.hpp's SweepIndex), with `records` by run.
SweepIndex make_index(const Plan& plan, const std::vector<Record>& records);

/// DIR/index.h5, or DIR/index.shard-I-of-N.h5 for one shard of several.
std::filesystem::path index_path(const Plan& plan);

/// --dry-run: every run, its cost and whether its file is there, on stdout; writes nothing.
int dry_run(const Plan& plan);

/// The index of the whole sweep from the run files present, running nothing.
int index_only(const Plan& plan, bool quiet);

}  // namespace depinsim_cli
