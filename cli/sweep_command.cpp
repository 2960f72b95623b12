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

constexpr double kNoTime = std::numeric_limits<double>::quiet_NaN();

struct Shard {
  std::int64_t index = 0;
  std::int64_t count = 1;
};

/// "i/n" with 0 <= i < n.
std::optional<Shard> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  Shard s;
  const char* end = text.data() + text.size();
  const auto [p1, e1] = std::from_chars(text.data(), text.data() + slash, s.index);
  const auto [p2, e2] = std::from_chars(text.data() + slash + 1, end, s.count);
  if (e1 != std::errc{} || e2 != std::errc{} || p1 != text.data() + slash || p2 != end) {
    return std::nullopt;
  }
  if (s.count < 1 || s.index < 0 || s.index >= s.count) return std::nullopt;
  return s;
}

/// Everything known about a sweep before anything runs.
struct Plan {
  SweepSpec spec;
  std::vector<SweepPoint> points;
  std::vector<PointCost> costs;  // per point
  Shard shard;
  std::vector<SweepRun> runs;  // this shard's, by run id (point * replications + replication)
  fs::path dir;
  std::string digest;

  fs::path file(const SweepRun& r) const {
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
std::string sweep_digest(const Plan& plan) {
  std::uint64_t h = sim::stream_hash(design_name(plan.spec.design));
  for (std::int64_t p = 0; p < static_cast<std::int64_t>(plan.points.size()); ++p) {
    for (std::int64_t r = 0; r < plan.spec.replications; ++r) {
      for (char c : plan.assignments(SweepRun{p, r}) + "\n") {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
      }
    }
  }
  char text[20];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

/// What is under a run's final file name.
struct Existing {
  enum State { absent, whole, damaged, foreign } state = absent;
  double wall_s = kNoTime;
  std::string reason;  // damaged or foreign: why
};

/// A file under its final name was renamed there whole; it counts as this run's if it is a
/// depinsim run file made from the same assignments (seed included).
Existing inspect(const Plan& plan, const SweepRun& r) {
  const fs::path path = plan.file(r);
  if (!fs::exists(path)) return {};
  try {
    const sim::Hdf5Reader h5(path);
    if (!h5.has_attribute("/", "schema_version") || h5.has_attribute("/", "kind") ||
        !h5.has_attribute("/", "sweep_assignments")) {
      return {Existing::foreign, kNoTime, "not a run file of a sweep"};
    }
    if (h5.string_attribute("/", "sweep_assignments") != plan.assignments(r)) {
      return {Existing::foreign, kNoTime, "made from other settings or another seed"};
    }
    return {Existing::whole, h5.double_attribute("/", "wall_seconds"), ""};
  } catch (const sim::Hdf5Error& e) {
    return {Existing::damaged, kNoTime, e.what()};
  }
}

/// A key path with list indices written `[]`, and without the `[kind=...]` tags that the
/// catalogue of keys gives the variants of a mapping: "population[0].count" and
/// "population[].count" both read "population[].count".
std::string catalogue_form(const std::string& key) {
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const std::size_t close = key[i] == '[' ? key.find(']', i) : std::string::npos;
    if (close == std::string::npos) {
      out += key[i];
      continue;
    }
    if (key.substr(i, close - i).find('=') == std::string::npos) out += "[]";
    i = close;
  }
  return out;
}

/// Units and help of a scenario key, from the catalogue of declared keys; empty when unknown.
std::pair<std::string, std::string> describe_key(
    const std::string& key, const std::vector<sim::config::ParamInfo>& catalogue) {
  const std::string wanted = catalogue_form(key);
  for (const sim::config::ParamInfo& info : catalogue) {
    if (catalogue_form(info.key) == wanted) return {info.unit, info.help};
  }
  return {"", ""};
}

struct Record {
  std::string status = "missing";
  double wall_s = kNoTime;
};

SweepIndex make_index(const Plan& plan, const std::vector<Record>& records) {
  SweepIndex x;
  x.sweep_file = plan.spec.file.string();
  x.design = design_name(plan.spec.design);
  x.digest = plan.digest;
  x.definition = plan.spec.text;
  x.base_seed = plan.spec.base_seed;
  x.points_total = static_cast<std::int64_t>(plan.points.size());
  x.replications = plan.spec.replications;
  x.shard_index = plan.shard.index;
  x.shard_count = plan.shard.count;
  const auto catalogue = models::scenario_parameters();
  for (const SweptParameter& p : plan.spec.parameters) {
    SweepIndex::Parameter column;
    column.key = p.key;
    column.numeric = p.numeric;
    const auto [units, help] = describe_key(p.key, catalogue);
    column.units = units;
    column.description = "swept: " + (help.empty() ? p.key : help);
    x.parameters.push_back(std::move(column));
  }
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const SweepRun& r = plan.runs[i];
    x.point.push_back(r.point);
    x.replication.push_back(r.replication);
    x.seed.push_back(
        static_cast<std::int64_t>(run_seed(plan.spec.base_seed, r.point, r.replication)));
    x.status.push_back(records[i].status);
    x.wall_seconds.push_back(records[i].wall_s);
    const bool present = records[i].status == "done" || records[i].status == "skipped-existing";
    x.file.push_back(present ? "points/" + run_name(r.point, r.replication) + ".h5" : "");
    const SweepPoint& point = plan.points[static_cast<std::size_t>(r.point)];
    for (std::size_t c = 0; c < x.parameters.size(); ++c) {
      const std::string& v = point.values[c];
      if (x.parameters[c].numeric) {
        double number = 0;
        std::from_chars(v.data(), v.data() + v.size(), number);
        x.parameters[c].numbers.push_back(number);
      } else {
        x.parameters[c].texts.push_back(v);
      }
    }
  }
  return x;
}

fs::path index_path(const Plan& plan) {
  if (plan.shard.count == 1) return plan.dir / "index.h5";
  return plan.dir / ("index.shard-" + std::to_string(plan.shard.index) + "-of-" +
                     std::to_string(plan.shard.count) + ".h5");
}

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

std::string thousands(double x) {
  std::string digits = std::to_string(std::llround(x));
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

int dry_run(const Plan& plan) {
  const SweepSpec& spec = plan.spec;
  std::cout << "sweep " << spec.file.string() << ": " << design_name(spec.design) << " design, "
            << plan.points.size() << " points x " << spec.replications
            << " replications = " << plan.runs_total() << " runs, base seed " << spec.base_seed
            << "\nbase scenario " << spec.base.string() << "\n";
  if (plan.shard.count > 1) {
    std::cout << "shard " << plan.shard.index << "/" << plan.shard.count << ": " << plan.runs.size()
              << " of the runs (run id % " << plan.shard.count << " == " << plan.shard.index
              << ")\n";
  }
  std::vector<std::string> header{"run", "point", "replication", "seed"};
  for (const SweptParameter& p : spec.parameters)
    header.push_back(p.key);
  for (const char* h : {"nodes", "days", "status"})
    header.push_back(h);
  std::vector<std::vector<std::string>> rows;
  std::int64_t whole = 0, foreign = 0;
  double todo_node_days = 0.0, done_node_days = 0.0, done_wall_s = 0.0;
  char days[32];
  for (const SweepRun& r : plan.runs) {
    const Existing e = fs::is_directory(plan.dir) ? inspect(plan, r) : Existing{};
    std::vector<std::string> row{run_name(r.point, r.replication), std::to_string(r.point),
                                 std::to_string(r.replication),
                                 std::to_string(run_seed(spec.base_seed, r.point, r.replication))};
    for (const std::string& v : plan.points[static_cast<std::size_t>(r.point)].values)
      row.push_back(v);
    std::snprintf(days, sizeof days, "%g", plan.cost(r).days);
    row.push_back(std::to_string(plan.cost(r).nodes));
    row.push_back(days);
    switch (e.state) {
      case Existing::whole:
        row.push_back("done");
        ++whole;
        done_node_days += plan.cost(r).node_days();
        done_wall_s += e.wall_s;
        break;
      case Existing::foreign:
        row.push_back("other sweep's file");
        ++foreign;
        break;
      case Existing::damaged:
      case Existing::absent:
        row.push_back("to run");
        todo_node_days += plan.cost(r).node_days();
        break;
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows)
      width[c] = std::max(width[c], row[c].size());
  }
  const auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - row[c].size() + 2, ' ');
    }
    std::cout << line << "\n";
  };
  print(header);
  for (const auto& row : rows)
    print(row);

  const auto to_run = static_cast<std::int64_t>(plan.runs.size()) - whole - foreign;
  std::cout << to_run << " runs to run, " << whole << " already done in " << plan.dir.string()
            << "\nestimated cost: " << thousands(todo_node_days) << " node-days (nodes x simulated "
            << "days, summed over the runs to run)\n";
  if (whole > 0 && done_wall_s > 0.0) {
    // Measured here, on this machine, by runs of this very sweep: the only rate worth quoting.
    const double rate = done_node_days / done_wall_s;
    const double seconds = todo_node_days / rate;
    const int threads = omp_get_max_threads();
    char line[240];
    std::snprintf(line, sizeof line,
                  "estimated time: %.0f s of one thread at %s node-days/s (measured on the %lld "
                  "finished runs), about %.0f s on %d threads\n",
                  seconds, thousands(rate).c_str(), static_cast<long long>(whole),
                  seconds / threads, threads);
    std::cout << line;
  } else {
    std::cout << "estimated time: not known until some runs have finished in " << plan.dir.string()
              << " (their speed is measured, not guessed)\n";
  }
  if (foreign > 0) {
    std::cerr << "depinsim: " << foreign << " files in " << (plan.dir / "points").string()
              << " belong to another sweep; the sweep would refuse to start\n";
    return kBadInput;
  }
  return kOk;
}

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

/// The index of the whole sweep from the run files present, running nothing.
int index_only(const Plan& plan, bool quiet) {
  std::vector<Record> records(plan.runs.size());
  std::int64_t present = 0, foreign = 0;
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const Existing e = inspect(plan, plan.runs[i]);
    if (e.state == Existing::whole) {
      records[i] = Record{"done", e.wall_s};
      ++present;
    } else if (e.state == Existing::foreign) {
      std::cerr << plan.file(plan.runs[i]).string() << ": " << e.reason << "\n";
      ++foreign;
    }
  }
  if (foreign > 0) return kBadInput;
  const fs::path index = index_path(plan);
  try {
    write_sweep_index(make_index(plan, records), index.string());
  } catch (const sim::Hdf5Error& e) {
    std::cerr << e.what() << "\n";
    return kBadInput;
  }
  if (!quiet) {
    std::cout << "index of " << plan.runs.size() << " runs: " << present << " present, "
              << static_cast<std::int64_t>(plan.runs.size()) - present << " missing\nwrote "
              << index.string() << "\n";
  }
  return kOk;
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
