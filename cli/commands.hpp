#pragma once
// The depinsim subcommands, each a function from parsed options to an exit status.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
/// The current time as ISO 8601 UTC ("2026-01-31T12:00:00Z"), for provenance attributes.
std::string utc_now();
int validate_command(const ScenarioOptions& options);
int info_command(const std::string& file);
/// Writes an index of run files: a /points table (file, scenario, seed, run index) and an
/// external link /runs/NNNNNN to each run, so that many runs (replications, job-array tasks)
/// open as one file.
int merge_command(const std::vector<std::string>& inputs, const std::string& output);
/// Lists every declared scenario key starting with `prefix`, as text or as a Markdown table.
int help_params_command(const std::string& prefix, bool markdown);

}  // namespace depinsim_cli
