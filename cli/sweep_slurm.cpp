// `depinsim sweep --slurm`: the sbatch script of a sweep's job array.
#include "cli/sweep_slurm.hpp"

#include <cctype>
#include <sstream>

namespace depinsim_cli {

namespace {

/// `text` as one bash word: single-quoted, with each ' written '\''.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string absolute_text(const std::filesystem::path& p) {
  return std::filesystem::absolute(p).lexically_normal().string();
}

/// A job name Slurm shows in squeue: "depinsim-" and the sweep file's name without .yaml.
std::string job_name(const SlurmJob& job) {
  std::string name = "depinsim-";
  for (char c : job.sweep.stem().string())
    name += (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_') ? c : '_';
  return name;
}

}  // namespace

std::string slurm_merge_command(const SlurmJob& job) {
  const std::string dir = absolute_text(job.dir);
  return quoted(absolute_text(job.program)) + " merge " + quoted(dir) + "/index.shard-*-of-" +
         std::to_string(job.tasks) + ".h5 -o " + quoted(dir + "/index.h5");
}

std::string slurm_script(const SlurmJob& job) {
  const std::string dir = absolute_text(job.dir);
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# " << job.runs << " runs of " << absolute_text(job.sweep) << " as " << job.tasks
    << " array tasks: task i runs the runs whose id % " << job.tasks << " == i, writing\n"
    << "# " << dir << "/points/ and " << dir << "/index.shard-i-of-" << job.tasks
    << ".h5. Resubmitting resumes: finished runs are skipped.\n"
    << "#SBATCH --job-name=" << job_name(job) << "\n"
    << "#SBATCH --array=0-" << job.tasks - 1 << "\n"
    << "#SBATCH --cpus-per-task=1\n"
    << "#SBATCH --output=" << dir << "/slurm/%A_%a.log\n"
    << "set -euo pipefail\n"
    << "exec " << quoted(absolute_text(job.program)) << " sweep "
    << quoted(absolute_text(job.sweep)) << " -o " << quoted(dir)
    << " --shard \"${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}\""
    << " --threads \"${SLURM_CPUS_PER_TASK:-1}\" --progress-every 60\n"
    << "# When every task has finished (sbatch --wait, or a job with "
       "--dependency=afterok:<job id>):\n"
    << "#   " << slurm_merge_command(job) << "\n";
  return s.str();
}

}  // namespace depinsim_cli
