// depinsim sweep: the runs of a sweep file in parallel (threads, MPI ranks), resumable, indexed.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <omp.h>
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/sweep_mpi.hpp"
#include "cli/sweep_plan.hpp"
#include "cli/sweep_slurm.hpp"
#include "cli/sweep_spec.hpp"
#include "models/scenario.hpp"
#include "models/sensor_world.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/hdf5_reader.hpp"
#include "sim/random.hpp"

namespace depinsim_cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// Runs done out of the shard's, failures and the time left, on stderr: a line redrawn in place
/// on a terminal, a line every `every_s` seconds otherwise. Not thread-safe: call under a lock.
class SweepProgress {
 public:
  SweepProgress(std::int64_t total, std::int64_t skipped, bool terminal, double every_s)
      : total_(total), skipped_(skipped), terminal_(terminal), every_s_(every_s) {}

  void finished(bool failed) {
    ++(failed ? failed_ : ran_);
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    if (elapsed - last_draw_s_ < (terminal_ ? 0.1 : every_s_) && ran_ + failed_ < todo()) return;
    last_draw_s_ = elapsed;
    const std::int64_t finished_now = ran_ + failed_;
    const double eta = static_cast<double>(todo() - finished_now) * elapsed /
                       static_cast<double>(std::max<std::int64_t>(1, finished_now));
    char text[160];
    std::snprintf(text, sizeof text,
                  "sweep: %lld/%lld runs done (%lld skipped), %lld failed, ETA %.0f s",
                  static_cast<long long>(skipped_ + ran_), static_cast<long long>(total_),
                  static_cast<long long>(skipped_), static_cast<long long>(failed_), eta);
    if (terminal_) {
      std::cerr << "\r" << text << "\x1b[K" << std::flush;
      drawn_ = true;
    } else {
      std::cerr << "depinsim: progress: " << text << "\n" << std::flush;
    }
  }
  /// Clears the line (on a terminal) so that what follows starts on a clean line.
  void clear() {
    if (terminal_ && drawn_) std::cerr << "\r\x1b[K" << std::flush;
    drawn_ = false;
  }

 private:
  std::int64_t todo() const { return total_ - skipped_; }

  std::int64_t total_, skipped_;
  bool terminal_;
  double every_s_;
  std::int64_t ran_ = 0, failed_ = 0;
  Clock::time_point start_ = Clock::now();
  double last_draw_s_ = 0.0;
  bool drawn_ = false;
};

/// Collects the existing files of the plan's runs: whole ones are skipped, damaged ones rerun;
/// files of another sweep stop everything (exit 2), before any work.
std::optional<std::vector<Record>> scan_existing(const Plan& plan, std::vector<std::size_t>& todo,
                                                 bool quiet) {
  std::vector<Record> records(plan.runs.size());
  std::int64_t foreign = 0;
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const Existing e = inspect(plan, plan.runs[i]);
    switch (e.state) {
      case Existing::whole:
        records[i] = Record{"skipped-existing", e.wall_s};
        break;
      case Existing::foreign:
        if (++foreign <= 5) {
          std::cerr << plan.file(plan.runs[i]).string() << ": " << e.reason << "\n";
        }
        break;
      case Existing::damaged:
        if (!quiet) log(LogLevel::warn, e.reason + "; running it again");
        todo.push_back(i);
        break;
      case Existing::absent:
        todo.push_back(i);
        break;
    }
  }
  if (foreign > 0) {
    std::cerr << "depinsim: " << foreign << " run files in " << (plan.dir / "points").string()
              << " were written by another sweep; write this one to another directory, or "
                 "remove them\n";
    return std::nullopt;
  }
  return records;
}

/// Removes what killed workers left of the runs about to run: "<run>.h5.partial-<pid>" files.
void remove_partials(const Plan& plan, const std::vector<std::size_t>& todo) {
  std::set<std::string> names;
  for (std::size_t i : todo)
    names.insert(run_name(plan.runs[i].point, plan.runs[i].replication) + ".h5");
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(plan.dir / "points", ec)) {
    const std::string name = entry.path().filename().string();
    const auto at = name.find(".partial-");
    if (at != std::string::npos && names.contains(name.substr(0, at))) {
      fs::remove(entry.path(), ec);
      log(LogLevel::info, "removed " + entry.path().string() + ", left by a stopped worker");
    }
  }
}

/// What the runs of a process share: locks, and the progress line (drawn by rank 0 only).
struct Shared {
  std::mutex io, config, hdf5;
  SweepProgress progress;
};

/// One run of the plan: builds its world with one thread inside (nested parallelism off: the
/// world's results do not depend on its thread count), runs it, and writes its file under a
/// temporary name, renamed when whole. A failure is reported on stderr and leaves no file.
Record run_one(const Plan& plan, std::size_t i, Shared& shared) {
  const SweepRun& r = plan.runs[i];
  const std::string name = run_name(r.point, r.replication);
  const LogSink sink = [&](LogLevel level, const std::string& message) {
    const std::lock_guard lock(shared.io);
    shared.progress.clear();
    log(level, name + ": " + message);
  };
  const auto started = Clock::now();
  Record record{"failed", kNoTime};
  std::string error;
  try {
    models::Scenario scenario;
    {
      const std::lock_guard lock(shared.config);
      scenario =
          run_scenario(plan.spec, plan.points[static_cast<std::size_t>(r.point)], r.replication);
    }
    // HDF5 calls are serialised: the library's own lock covers its C API, not the C++ one.
    struct LockedWriter {
      std::mutex& mutex;
      std::unique_ptr<sim::Hdf5Writer> writer;
      ~LockedWriter() {
        if (!writer) return;
        const fs::path partial = writer->partial_path();
        const std::lock_guard lock(mutex);
        writer.reset();  // without commit(), deletes the partial file
        // A failed rename keeps the partial file; a failed run leaves nothing behind.
        std::error_code ignored;
        fs::remove(partial, ignored);
      }
    } out{shared.hdf5, nullptr};
    {
      const std::lock_guard lock(shared.hdf5);
      out.writer = std::make_unique<sim::Hdf5Writer>(plan.file(r));
    }
    ScenarioRun run(scenario, 0, sink);
    if (run.run([] { return interrupted(); })) {
      const std::lock_guard lock(shared.hdf5);
      out.writer->set_attribute("/", "sweep_point", r.point);
      out.writer->set_attribute("/", "sweep_replication", r.replication);
      out.writer->set_attribute("/", "sweep_assignments", plan.assignments(r));
      out.writer->set_attribute("/", "sweep_digest", plan.digest);
      run.write(*out.writer);
      record = Record{"done", run.wall_seconds()};
    } else {
      record = Record{"missing", kNoTime};
    }
  } catch (const std::exception& e) {
    error = e.what();
    record.wall_s = std::chrono::duration<double>(Clock::now() - started).count();
  }
  if (record.status == "failed") {
    const std::lock_guard lock(shared.io);
    shared.progress.clear();
    std::cerr << "depinsim: " << name << " (point " << r.point << ", replication " << r.replication
              << ") failed: " << error << "\n";
  }
  return record;
}

/// A run finished: its position in plan.runs and what became of it.
struct Finished {
  std::size_t run = 0;
  Record record;
};

/// Hands back the run a thread just finished (if any) and gives it its next one (an index into
/// plan.runs), or nothing when there is no more work for it.
using NextRun = std::function<std::optional<std::size_t>(const std::optional<Finished>&)>;

/// `threads` threads, each taking the next run from `next` when it finishes one.
void work(const Plan& plan, int threads, const NextRun& next, Shared& shared) {
#pragma omp parallel num_threads(threads)
  {
    omp_set_num_threads(1);  // parallel regions this thread meets inside a run: one thread
    std::optional<Finished> last;
    while (const std::optional<std::size_t> i = next(last))
      last = Finished{*i, run_one(plan, *i, shared)};
  }
}

RunReport to_report(const Finished& f) {
  const int status = f.record.status == "done" ? 0 : f.record.status == "failed" ? 1 : 2;
  return RunReport{static_cast<std::int64_t>(f.run), status, f.record.wall_s};
}

Finished from_report(const RunReport& r) {
  static const char* const kStatus[] = {"done", "failed", "missing"};
  return Finished{static_cast<std::size_t>(r.run),
                  Record{kStatus[std::clamp(r.status, 0, 2)], r.wall_s}};
}

/// Ranks above 0 of an MPI job: run what rank 0 hands out, report each run back to it.
int work_for_rank_zero(const Plan& plan, const SweepOptions& options, SweepMpi& mpi, int threads) {
  const int asking = mpi.threads_may_ask() ? threads : 1;
  Shared shared{{}, {}, {}, SweepProgress(0, 0, false, options.progress_every_s)};
  const NextRun next = [&](const std::optional<Finished>& f) -> std::optional<std::size_t> {
    std::optional<RunReport> report;
    if (f) report = to_report(*f);
    const std::optional<std::int64_t> run = mpi.next_run(report, asking);
    if (!run || *run >= static_cast<std::int64_t>(plan.runs.size())) return std::nullopt;
    return static_cast<std::size_t>(*run);
  };
  work(plan, asking, next, shared);
  return kOk;
}

/// The runs of the plan, in parallel, then the index. In an MPI job of several ranks this is
/// rank 0: it hands the runs out one at a time to the other ranks' threads and to its own, and
/// writes the index once every rank has reported every run it took.
int execute(const Plan& plan, const SweepOptions& options, SweepMpi& mpi) {
  install_interrupt_handlers();
  const bool ranks = mpi.size() > 1;
  // Under MPI the ranks share the cores: one thread each unless told otherwise.
  const int threads = options.threads > 0 ? options.threads : ranks ? 1 : omp_get_max_threads();
  if (ranks && mpi.rank() > 0) return work_for_rank_zero(plan, options, mpi, threads);
  const auto stop_other_ranks = [&] {
    if (ranks) mpi.serve([] { return std::nullopt; }, [](const RunReport&) {});
  };

  std::error_code ec;
  fs::create_directories(plan.dir / "points", ec);
  if (ec) {
    std::cerr << (plan.dir / "points").string() << ": cannot create the directory: " << ec.message()
              << "\n";
    stop_other_ranks();
    return kBadInput;
  }
  std::vector<std::size_t> todo;
  std::optional<std::vector<Record>> found = scan_existing(plan, todo, options.quiet);
  if (!found) {
    stop_other_ranks();
    return kBadInput;
  }
  std::vector<Record>& records = *found;
  remove_partials(plan, todo);

  const auto skipped = static_cast<std::int64_t>(plan.runs.size() - todo.size());
  log(LogLevel::info, "sweep: " + std::to_string(todo.size()) + " runs to run on " +
                          (ranks ? std::to_string(mpi.size()) + " MPI ranks of " : "") +
                          std::to_string(threads) + " threads, " + std::to_string(skipped) +
                          " already done");
  Shared shared{{},
                {},
                {},
                SweepProgress(static_cast<std::int64_t>(plan.runs.size()), skipped,
                              ::isatty(STDERR_FILENO) == 1, options.progress_every_s)};
  std::int64_t failed = 0;
  std::size_t handed_out = 0;
  // Both under shared.io.
  const auto record = [&](const Finished& f) {
    records[f.run] = f.record;
    if (f.record.status == "missing") return;
    if (f.record.status == "failed") ++failed;
    if (!options.quiet) shared.progress.finished(f.record.status == "failed");
  };
  const auto take = [&]() -> std::optional<std::size_t> {
    if (interrupted() || handed_out == todo.size()) return std::nullopt;  // no new runs
    return todo[handed_out++];
  };
  const NextRun local = [&](const std::optional<Finished>& f) {
    const std::lock_guard lock(shared.io);
    if (f) record(*f);
    return take();
  };
  if (ranks) {
    std::thread own_runs([&] { work(plan, threads, local, shared); });
    mpi.serve(
        [&]() -> std::optional<std::int64_t> {
          const std::lock_guard lock(shared.io);
          const std::optional<std::size_t> i = take();
          if (!i) return std::nullopt;
          return static_cast<std::int64_t>(*i);
        },
        [&](const RunReport& report) {
          const std::lock_guard lock(shared.io);
          record(from_report(report));
        });
    own_runs.join();
  } else {
    work(plan, threads, local, shared);
  }
  shared.progress.clear();

  const fs::path index = index_path(plan);
  try {
    write_sweep_index(make_index(plan, records), index.string());
  } catch (const sim::Hdf5Error& e) {
    std::cerr << e.what() << "\n";
    return kRunFailed;
  }
  std::int64_t done = 0, missing = 0;
  for (const Record& rec : records) {
    if (rec.status == "done") ++done;
    if (rec.status == "missing") ++missing;
  }
  if (!options.quiet) {
    std::cout << "sweep: " << plan.runs.size() << " runs"
              << (plan.shard.count > 1 ? " in shard " + std::to_string(plan.shard.index) + "/" +
                                             std::to_string(plan.shard.count)
                                       : std::string())
              << (ranks ? " on " + std::to_string(mpi.size()) + " MPI ranks" : std::string())
              << ": " << done << " done, " << skipped << " skipped (already whole), " << failed
              << " failed" << (missing > 0 ? ", " + std::to_string(missing) + " not run" : "")
              << "\nwrote " << index.string() << "\n";
  }
  if (interrupted()) {
    std::cerr << "depinsim: interrupted: " << missing
              << " runs not finished; the same command resumes the sweep\n";
    return kInterrupted;
  }
  return failed > 0 ? kRunFailed : kOk;
}

/// The sbatch script of the plan's sweep on stdout. Creates DIR/slurm/, where the tasks' logs
/// go: Slurm does not create the directory of --output.
int print_slurm_script(const Plan& plan, const SweepOptions& options) {
  std::error_code ec;
  const fs::path program = fs::read_symlink("/proc/self/exe", ec);
  if (ec) {
    std::cerr << "depinsim: cannot find the path of this program: " << ec.message() << "\n";
    return kRunFailed;
  }
  fs::create_directories(plan.dir / "slurm", ec);
  if (ec) {
    std::cerr << (plan.dir / "slurm").string() << ": cannot create the directory: " << ec.message()
              << "\n";
    return kBadInput;
  }
  SlurmJob job{program, plan.spec.file, plan.dir, options.slurm_tasks, plan.runs_total()};
  if (job.tasks == 0) job.tasks = std::min<std::int64_t>(plan.runs_total(), 64);
  std::cout << slurm_script(job);
  return kOk;
}

}  // namespace

int sweep_command(const SweepOptions& options) {
  Plan plan;
  plan.dir = options.output_dir;
  if (!options.shard.empty()) {
    const auto shard = parse_shard(options.shard);
    if (!shard) {
      std::cerr << "depinsim: --shard " << options.shard
                << ": expected i/n with 0 <= i < n, e.g. --shard 3/64\n";
      return kBadInput;
    }
    plan.shard = *shard;
  }
  if (options.slurm && (options.dry_run || options.index_only || plan.shard.count > 1)) {
    std::cerr << "depinsim: --slurm prints the script of the whole sweep; it takes no --shard, "
                 "--dry-run or --index-only\n";
    return kBadInput;
  }
  if (options.slurm_tasks > 0 && !options.slurm) {
    std::cerr << "depinsim: --tasks is the number of array tasks of --slurm's script\n";
    return kBadInput;
  }
  if (options.index_only && plan.shard.count > 1) {
    std::cerr << "depinsim: --index-only indexes the whole sweep; it takes no --shard\n";
    return kBadInput;
  }
  try {
    plan.spec = read_sweep_spec(options.sweep_path);
    plan.points = expand_points(plan.spec);
    plan.costs = check_points(plan.spec, plan.points);
  } catch (const sim::config::ConfigError& e) {
    for (const auto& p : e.problems())
      std::cerr << p.format() << "\n";
    return kBadInput;
  }
  plan.digest = sweep_digest(plan);
  for (std::int64_t id = 0; id < plan.runs_total(); ++id) {
    if (id % plan.shard.count == plan.shard.index) {
      plan.runs.push_back(SweepRun{id / plan.spec.replications, id % plan.spec.replications});
    }
  }
  if (options.slurm) return print_slurm_script(plan, options);
  SweepMpi mpi;  // one rank when not started by mpirun
  if (mpi.rank() > 0 && (options.dry_run || options.index_only)) return kOk;  // rank 0's job
  if (options.dry_run) return dry_run(plan);
  if (options.index_only) return index_only(plan, options.quiet);
  return execute(plan, options, mpi);
}

}  // namespace depinsim_cli
