// depinsim: run, check and inspect DePIN network simulations.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/log.hpp"

namespace {

void add_scenario_options(CLI::App& cmd, depinsim_cli::ScenarioOptions& o) {
  cmd.add_option("scenario", o.scenario_path, "scenario file (YAML)")->required();
  cmd.add_option("--set", o.overrides, "override a key: --set key.path=value (repeatable)")
      ->take_all()
      ->allow_extra_args(false);
  cmd.add_option("--seed", o.seed, "base seed of every random stream (overrides `seed:`)");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace depinsim_cli;
  CLI::App app{"depinsim: discrete-event simulation of DePIN networks"};
  app.set_version_flag("--version", "depinsim " DEPINSIM_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // --log-level may also follow the subcommand
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "messages on stderr: error, warn, info or debug")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}));

  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "run a scenario and write an HDF5 file");
  add_scenario_options(*run_cmd, run.scenario);
  run_cmd->add_option("-o,--output", run.output_path, "output HDF5 file")->required();
  run_cmd->add_flag("-q,--quiet", run.quiet, "print nothing on success");
  run_cmd->add_flag("--json", run.json, "print the summary as one JSON object on stdout");
  run_cmd
      ->add_option("--progress-every", run.progress_every_s,
                   "seconds between progress lines when stderr is not a terminal")
      ->check(CLI::NonNegativeNumber);

  std::string info_file;
  CLI::App* info_cmd = app.add_subcommand("info", "summarise an output file");
  info_cmd->add_option("file", info_file, "a depinsim HDF5 output file")->required();

  ScenarioOptions validate;
  CLI::App* validate_cmd = app.add_subcommand("validate", "check a scenario without running it");
  add_scenario_options(*validate_cmd, validate);

  std::vector<std::string> merge_inputs;
  std::string merge_output;
  CLI::App* merge_cmd = app.add_subcommand(
      "merge", "index several run files as one, or join the indexes of a sweep's shards");
  merge_cmd->add_option("files", merge_inputs, "run files, or sweep shard indexes (HDF5)")
      ->required();
  merge_cmd->add_option("-o,--output", merge_output, "index file to write")->required();

  SweepOptions sweep;
  CLI::App* sweep_cmd =
      app.add_subcommand("sweep", "run the points of a sweep file, one HDF5 file per run");
  sweep_cmd->add_option("sweep", sweep.sweep_path, "sweep file (YAML)")->required();
  sweep_cmd->add_option("-o,--output", sweep.output_dir, "output directory")->required();
  sweep_cmd->add_flag("--dry-run", sweep.dry_run, "print the runs and the estimated cost only");
  sweep_cmd->add_flag("--index-only", sweep.index_only,
                      "write DIR/index.h5 from the run files present, run nothing");
  sweep_cmd
      ->add_option("--threads", sweep.threads,
                   "runs at once (default: OMP_NUM_THREADS or the number of cores)")
      ->check(CLI::PositiveNumber);
  sweep_cmd->add_option("--shard", sweep.shard,
                        "i/n: only the runs whose id % n == i (job arrays, several machines)");
  sweep_cmd->add_flag("--slurm", sweep.slurm,
                      "print an sbatch job-array script running the sweep in shards, run nothing");
  sweep_cmd
      ->add_option("--tasks", sweep.slurm_tasks,
                   "--slurm: array tasks (default: one per run, at most 64)")
      ->check(CLI::PositiveNumber);
  sweep_cmd->add_flag("-q,--quiet", sweep.quiet, "no progress and no summary");
  sweep_cmd
      ->add_option("--progress-every", sweep.progress_every_s,
                   "seconds between progress lines when stderr is not a terminal")
      ->check(CLI::NonNegativeNumber);

  std::string params_prefix;
  bool params_markdown = false;
  CLI::App* help_cmd = app.add_subcommand("help", "documentation of the scenario format");
  help_cmd->require_subcommand(1);
  CLI::App* params_cmd = help_cmd->add_subcommand("params", "every scenario key with its help");
  params_cmd->add_option("prefix", params_prefix, "only keys starting with this, e.g. network");
  params_cmd->add_flag("--markdown", params_markdown, "print a Markdown table");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);  // prints help, version or the usage error
    return status == 0 ? kOk : kBadInput;
  }
  Log::set_level(*Log::parse(log_level));
  if (run_cmd->parsed()) return run_command(run);
  if (validate_cmd->parsed()) return validate_command(validate);
  if (info_cmd->parsed()) return info_command(info_file);
  if (sweep_cmd->parsed()) return sweep_command(sweep);
  if (merge_cmd->parsed()) return merge_command(merge_inputs, merge_output);
  if (params_cmd->parsed()) return help_params_command(params_prefix, params_markdown);
  return kBadInput;
}
