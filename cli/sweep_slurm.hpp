#pragma once
// The sbatch script of a sweep as a Slurm job array: one shard of the runs per array task.

#include <cstdint>
#include <filesystem>
#include <string>

namespace depinsim_cli {

/// What the job-array script needs. Paths are made absolute: tasks start in other directories.
///   std::cout << slurm_script(SlurmJob{"/usr/bin/depinsim", "s.yaml", "out", 16, 64});
struct SlurmJob {
  std::filesystem::path program;  // the depinsim binary the tasks run
  std::filesystem::path sweep;    // the sweep file
  std::filesystem::path dir;      // the sweep's output directory
  std::int64_t tasks = 1;         // array tasks, one shard each
  std::int64_t runs = 0;          // runs in the sweep (for the comment only)
};

/// A bash script for `sbatch`: `#SBATCH --array=0-(tasks-1)`, a job name, task logs in
/// DIR/slurm/, each task running `depinsim sweep SWEEP -o DIR --shard
/// ${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT} --threads ${SLURM_CPUS_PER_TASK:-1}`,
/// and, as its closing comment, the `depinsim merge` command that joins the shards' indexes
/// once every task has finished.
std::string slurm_script(const SlurmJob& job);

/// The command that joins the indexes of the job's shards into DIR/index.h5.
std::string slurm_merge_command(const SlurmJob& job);

}  // namespace depinsim_cli
