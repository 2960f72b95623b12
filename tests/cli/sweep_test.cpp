// `depinsim sweep` end to end: threads, shards and merge, resume after SIGKILL, failures, MPI
// ranks and Slurm job arrays (the sweep file's expansion is sweep_spec_test.cpp's).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "cli/sweep_spec.hpp"
#include "sim/config.hpp"
#include "sim/hdf5_reader.hpp"
#include "tests/cli/sweep_test_support.hpp"

namespace fs = std::filesystem;
using sweep_test::kBase;
using sweep_test::sweep_file;
using sweep_test::TempDir;
using sweep_test::write_file;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

/// depinsim with `args`, its command line preceded by `launcher` (e.g. "mpirun -np 2 ").
Result depinsim_via(const std::string& launcher, const std::string& args) {
  static int n = 0;
  const fs::path dir = fs::temp_directory_path();
  const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(n++);
  const fs::path out = dir / ("depinsim-sweep-out-" + tag);
  const fs::path err = dir / ("depinsim-sweep-err-" + tag);
  const std::string cmd = launcher + "'" DEPINSIM_BINARY "' " + args + " >'" + out.string() +
                          "' 2>'" + err.string() + "'";
  const int raw = std::system(cmd.c_str());
  Result r{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
  fs::remove(out);
  fs::remove(err);
  return r;
}

Result depinsim(const std::string& args) {
  return depinsim_via("", args);
}

/// Empty when both files hold the same datasets with the same values (bitwise for floats, NaN
/// included), else the first difference. HDF5 files carry creation times, so bytes would not do.
std::string dataset_difference(const fs::path& a_path, const fs::path& b_path) {
  const sim::Hdf5Reader a(a_path), b(b_path);
  if (a.datasets() != b.datasets()) return "the files hold different datasets";
  for (const std::string& path : a.datasets()) {
    if (path == "scenario") {
      if (a.read_text(path) != b.read_text(path)) return path;
      continue;
    }
    try {
      if (a.read_int64(path) != b.read_int64(path)) return path;
      continue;
    } catch (const sim::Hdf5Error&) {
    }
    try {
      const auto x = a.read_doubles(path);
      const auto y = b.read_doubles(path);
      if (x.size() != y.size() || std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) != 0) {
        return path;
      }
      continue;
    } catch (const sim::Hdf5Error&) {
    }
    if (a.read_strings(path) != b.read_strings(path)) return path;
  }
  if (a.int_attribute("/", "seed") != b.int_attribute("/", "seed")) return "the seed attribute";
  return "";
}

/// Every point file of `a`'s sweep directory is in `b`'s with equal datasets.
void require_same_point_files(const fs::path& a, const fs::path& b) {
  std::set<std::string> names_a, names_b;
  for (const auto& e : fs::directory_iterator(a / "points"))
    names_a.insert(e.path().filename().string());
  for (const auto& e : fs::directory_iterator(b / "points"))
    names_b.insert(e.path().filename().string());
  REQUIRE(names_a == names_b);
  REQUIRE(!names_a.empty());
  for (const std::string& name : names_a) {
    CAPTURE(name);
    const auto [epochs, nodes] = std::pair{std::string("epochs/"), std::string("nodes/")};
    const sim::Hdf5Reader r(a / "points" / name);
    bool has_epochs = false, has_nodes = false;
    for (const std::string& d : r.datasets()) {
      has_epochs = has_epochs || d.starts_with(epochs);
      has_nodes = has_nodes || d.starts_with(nodes);
    }
    CHECK(has_epochs);
    CHECK(has_nodes);
    CHECK(dataset_difference(a / "points" / name, b / "points" / name) == "");
  }
}

/// The /points table of two indexes is the same, wall times and statuses aside.
void require_same_points(const fs::path& a_path, const fs::path& b_path) {
  const sim::Hdf5Reader a(a_path), b(b_path);
  for (const char* c : {"points/point", "points/replication", "points/seed"})
    CHECK(a.read_int64(c) == b.read_int64(c));
  CHECK(a.read_strings("points/file") == b.read_strings("points/file"));
  for (const std::string& key : a.read_strings("sweep/parameters"))
    CHECK(a.read_doubles("points/" + key) == b.read_doubles("points/" + key));
  CHECK(a.string_attribute("/", "sweep_digest") == b.string_attribute("/", "sweep_digest"));
}

// A small sweep for the end-to-end tests: 2 emissions x 2 zipped fabricator shares x 2
// replications = 8 runs of 150 sensors.
std::string small_sweep(const std::string& duration) {
  return "seed: 7\nreplications: 2\nset:\n  run.duration: " + duration +
         "\n  population[0].count: 150\n  region.width_km: 40\n  region.height_km: 40\n"
         "  network.partitions: []\n"
         "parameters:\n  rewards.emission.per_day: [5000, 20000]\n"
         "  population[0].behaviour.fabricator.share: [0.04, 0.2]\n"
         "  population[0].behaviour.honest: [0.9, 0.74]\n"
         "zip:\n"
         "  - [\"population[0].behaviour.fabricator.share\", \"population[0].behaviour.honest\"]\n";
}

}  // namespace

// ----------------------------------------------------------------------------- end to end

TEST_CASE("sweep: --dry-run prints every run and the cost, and writes nothing", "[cli]") {
  TempDir tmp;
  const fs::path file = sweep_file(tmp, small_sweep("2d"));
  const fs::path dir = tmp.path / "out";
  const Result r = depinsim("sweep '" + file.string() + "' -o '" + dir.string() + "' --dry-run");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("grid design, 4 points x 2 replications = 8 runs, base seed 7") !=
        std::string::npos);
  const auto at = r.out.find("\np000003_r001 ");
  REQUIRE(at != std::string::npos);
  std::istringstream row(r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1));
  std::vector<std::string> cells;
  for (std::string cell; row >> cell;)
    cells.push_back(cell);
  CHECK(cells == std::vector<std::string>{"p000003_r001", "3", "1",
                                          std::to_string(depinsim_cli::run_seed(7, 3, 1)), "20000",
                                          "0.2", "0.74", "150", "2", "to", "run"});
  CHECK(r.out.find("estimated cost: 2,400 node-days") != std::string::npos);
  CHECK(!fs::exists(dir));
  const Result shard =
      depinsim("sweep '" + file.string() + "' -o '" + dir.string() + "' --dry-run --shard 1/3");
  CHECK(shard.out.find("shard 1/3: 3 of the runs") != std::string::npos);
  CHECK(depinsim("sweep '" + file.string() + "' -o x --shard 3/3").status == 2);
  // Every example sweep expands and checks.
  for (const auto& e : fs::directory_iterator(DEPINSIM_SOURCE_DIR "/scenarios/sweeps")) {
    if (e.path().extension() != ".yaml") continue;
    CAPTURE(e.path());
    const Result d = depinsim("sweep '" + e.path().string() + "' -o '" + (tmp.path / "x").string() +
                              "' --dry-run");
    CHECK(d.status == 0);
    CHECK(d.err == "");
  }
}

TEST_CASE("sweep: 1 and 2 threads write identical point files and index", "[cli]") {
  TempDir tmp;
  const fs::path file = sweep_file(tmp, small_sweep("3d"));
  const fs::path one = tmp.path / "one", two = tmp.path / "two";
  const Result a = depinsim("sweep '" + file.string() + "' -o '" + one.string() + "' --threads 1");
  INFO(a.err);
  REQUIRE(a.status == 0);
  CHECK(a.out.find("8 runs: 8 done, 0 skipped (already whole), 0 failed") != std::string::npos);
  const Result b =
      depinsim("sweep '" + file.string() + "' -o '" + two.string() + "' --threads 2 -q");
  REQUIRE(b.status == 0);
  CHECK(b.out.empty());
  require_same_point_files(one, two);
  require_same_points(one / "index.h5", two / "index.h5");

  // The index reaches every run and records how each was made.
  const sim::Hdf5Reader index(one / "index.h5");
  CHECK(index.string_attribute("/", "kind") == "sweep-index");
  CHECK(index.read_strings("points/status") == std::vector<std::string>(8, "done"));
  CHECK(index.read_doubles("points/rewards.emission.per_day") ==
        std::vector<double>{5000, 5000, 5000, 5000, 20000, 20000, 20000, 20000});
  CHECK(index.string_attribute("points/rewards.emission.per_day", "units") == "tokens/day");
  const sim::Hdf5Reader run(one / "points" / "p000002_r001.h5");
  CHECK(index.read_doubles("runs/p000002_r001/epochs/tokens/minted") ==
        run.read_doubles("epochs/tokens/minted"));
  CHECK(run.read_doubles("epochs/tokens/minted") == std::vector<double>(3, 20000.0));
  CHECK(static_cast<std::uint64_t>(run.int_attribute("/", "seed")) ==
        depinsim_cli::run_seed(7, 2, 1));
  CHECK(run.read_text("scenario").find("share: 0.04") != std::string::npos);

  // A run of the sweep is `depinsim run` of the base with the run's assignments.
  std::string sets;
  std::istringstream assignments(run.string_attribute("/", "sweep_assignments"));
  for (std::string assignment; std::getline(assignments, assignment);)
    sets += " --set '" + assignment + "'";
  const fs::path alone = tmp.path / "alone.h5";
  const Result single = depinsim("run '" + kBase + "' -q -o '" + alone.string() + "'" + sets);
  INFO(single.err);
  REQUIRE(single.status == 0);
  CHECK(dataset_difference(alone, one / "points" / "p000002_r001.h5") == "");
}

TEST_CASE("sweep: two shards and a merge give what one process gives", "[cli]") {
  TempDir tmp;
  const fs::path file = sweep_file(tmp, small_sweep("2d"));
  const fs::path whole = tmp.path / "whole", sharded = tmp.path / "sharded";
  REQUIRE(depinsim("sweep '" + file.string() + "' -o '" + whole.string() + "' -q").status == 0);
  for (const char* shard : {"0/2", "1/2"}) {
    const Result r = depinsim("sweep '" + file.string() + "' -o '" + sharded.string() +
                              "' -q --threads 1 --shard " + shard);
    INFO(r.err);
    REQUIRE(r.status == 0);
  }
  CHECK(!fs::exists(sharded / "index.h5"));
  const sim::Hdf5Reader half(sharded / "index.shard-1-of-2.h5");
  CHECK(half.read_int64("points/point") == std::vector<std::int64_t>{0, 1, 2, 3});
  CHECK(half.read_int64("points/replication") == std::vector<std::int64_t>{1, 1, 1, 1});
  require_same_point_files(whole, sharded);

  const Result m = depinsim("merge '" + (sharded / "index.shard-0-of-2.h5").string() + "' '" +
                            (sharded / "index.shard-1-of-2.h5").string() + "' -o '" +
                            (sharded / "index.h5").string() + "'");
  INFO(m.err);
  REQUIRE(m.status == 0);
  require_same_points(whole / "index.h5", sharded / "index.h5");
  const sim::Hdf5Reader merged(sharded / "index.h5");
  CHECK(merged.int_attribute("/", "shard_count") == 1);
  CHECK(merged.read_doubles("runs/p000003_r000/epochs/tokens/minted") ==
        std::vector<double>(2, 20000.0));

  // --index-only rebuilds the same table from the files alone.
  fs::remove(sharded / "index.h5");
  const Result rebuilt =
      depinsim("sweep '" + file.string() + "' -o '" + sharded.string() + "' --index-only");
  REQUIRE(rebuilt.status == 0);
  CHECK(rebuilt.out.find("index of 8 runs: 8 present, 0 missing") != std::string::npos);
  require_same_points(whole / "index.h5", sharded / "index.h5");

  // The index of one sweep does not merge with another's.
  const fs::path other = sweep_file(tmp, "seed: 8\n" + small_sweep("2d").substr(8), "o.yaml");
  REQUIRE(depinsim("sweep '" + other.string() + "' -o '" + (tmp.path / "other").string() +
                   "' -q --shard 0/2")
              .status == 0);
  const Result mixed = depinsim("merge '" + (sharded / "index.shard-0-of-2.h5").string() + "' '" +
                                (tmp.path / "other" / "index.shard-0-of-2.h5").string() + "' -o '" +
                                (tmp.path / "mixed.h5").string() + "'");
  CHECK(mixed.status == 2);
  CHECK(mixed.err.find("indexes another sweep") != std::string::npos);
  CHECK(!fs::exists(tmp.path / "mixed.h5"));
}

TEST_CASE("sweep: killed mid-way with SIGKILL, a rerun resumes to the uninterrupted result",
          "[cli]") {
  TempDir tmp;
  const fs::path file = sweep_file(tmp, small_sweep("12d"));
  const fs::path killed = tmp.path / "killed", clean = tmp.path / "clean";
  const std::string points = (killed / "points").string();

  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    ::execl(DEPINSIM_BINARY, DEPINSIM_BINARY, "sweep", file.c_str(), "-o", killed.c_str(),
            "--threads", "1", "-q", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Kill it as soon as the first run's file is whole.
  const auto whole_files = [&] {
    std::size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(points, ec))
      n += e.path().extension() == ".h5" ? 1 : 0;
    return n;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (whole_files() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGKILL);
  int raw = 0;
  ::waitpid(pid, &raw, 0);
  REQUIRE(WIFSIGNALED(raw));
  const std::size_t finished_before = whole_files();
  CHECK(finished_before >= 1);
  CHECK(finished_before < 8);
  CHECK(!fs::exists(killed / "index.h5"));  // the index comes last, whole or not at all

  const Result resumed = depinsim("sweep '" + file.string() + "' -o '" + killed.string() + "'");
  INFO(resumed.err);
  REQUIRE(resumed.status == 0);
  CHECK(resumed.out.find(std::to_string(finished_before) + " skipped (already whole)") !=
        std::string::npos);
  for (const auto& e : fs::directory_iterator(points))
    CHECK(e.path().extension() == ".h5");  // partial files of the killed run are gone
  REQUIRE(depinsim("sweep '" + file.string() + "' -o '" + clean.string() + "' -q").status == 0);
  require_same_point_files(killed, clean);
  require_same_points(killed / "index.h5", clean / "index.h5");
  const auto status = sim::Hdf5Reader(killed / "index.h5").read_strings("points/status");
  CHECK(static_cast<std::size_t>(std::count(status.begin(), status.end(), "skipped-existing")) ==
        finished_before);

  // Once everything is whole, a rerun runs nothing.
  const Result again = depinsim("sweep '" + file.string() + "' -o '" + killed.string() + "'");
  CHECK(again.out.find("8 runs: 0 done, 8 skipped") != std::string::npos);
}

TEST_CASE("sweep: a failed run leaves no file and the exit status says so", "[cli]") {
  TempDir tmp;
  const fs::path file = sweep_file(tmp, small_sweep("2d"));
  const fs::path dir = tmp.path / "out";
  // A directory where run p000001_r000's file must go: the run works, the rename fails.
  fs::create_directories(dir / "points" / "p000001_r000.h5");
  const Result r = depinsim("sweep '" + file.string() + "' -o '" + dir.string() + "' -q");
  CHECK(r.status == 1);
  CHECK(r.err.find("p000001_r000 (point 1, replication 0) failed: ") != std::string::npos);
  const sim::Hdf5Reader index(dir / "index.h5");
  const auto status = index.read_strings("points/status");
  REQUIRE(status.size() == 8);
  CHECK(status[2] == "failed");
  CHECK(index.read_strings("points/file")[2] == "");
  CHECK(std::count(status.begin(), status.end(), "done") == 7);
  std::size_t partials = 0;
  for (const auto& e : fs::directory_iterator(dir / "points"))
    partials += e.path().string().find(".partial-") != std::string::npos ? 1 : 0;
  CHECK(partials == 0);
}

TEST_CASE("sweep: a directory holding another sweep's runs is refused before any work", "[cli]") {
  TempDir tmp;
  const fs::path dir = tmp.path / "out";
  const fs::path first = sweep_file(tmp, small_sweep("2d"));
  REQUIRE(depinsim("sweep '" + first.string() + "' -o '" + dir.string() + "' -q").status == 0);
  const fs::path second = sweep_file(tmp, "seed: 8\n" + small_sweep("2d").substr(8), "second.yaml");
  const Result r = depinsim("sweep '" + second.string() + "' -o '" + dir.string() + "' -q");
  CHECK(r.status == 2);
  CHECK(r.err.find("were written by another sweep") != std::string::npos);
  CHECK(depinsim("sweep '" + second.string() + "' -o '" + dir.string() + "' --dry-run").status ==
        2);
}

// ------------------------------------------------------------------------------ clusters

TEST_CASE("sweep: 2 MPI ranks write the files and index of a 1-thread run", "[cli][mpi]") {
  if (std::system("command -v mpirun >/dev/null 2>&1") != 0) {
    WARN("skipped: mpirun not found (Debian: apt-get install openmpi-bin libopenmpi-dev)");
    return;
  }
  TempDir tmp;
  const fs::path file = sweep_file(tmp, small_sweep("3d"));
  const fs::path one = tmp.path / "one", ranks = tmp.path / "ranks";
  const std::string mpirun = "mpirun --allow-run-as-root --oversubscribe -np 2 ";
  const std::string args = "sweep '" + file.string() + "' -o '" + ranks.string() + "'";
  const auto under_mpirun = [&](const std::string& more) {
    const Result r = depinsim_via(mpirun, args + more);
    INFO(r.err);
    return r;
  };
  // Built without MPI, each rank would run the whole sweep: both would print the dry run.
  const Result dry = under_mpirun(" --dry-run");
  REQUIRE(dry.status == 0);
  std::size_t tables = 0;
  for (auto at = dry.out.find("estimated cost:"); at != std::string::npos;
       at = dry.out.find("estimated cost:", at + 1))
    ++tables;
  if (tables != 1) {
    WARN("skipped: mpirun found, but depinsim was built without MPI (libopenmpi-dev missing)");
    return;
  }

  REQUIRE(
      depinsim("sweep '" + file.string() + "' -o '" + one.string() + "' -q --threads 1").status ==
      0);
  const Result r = under_mpirun("");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("8 runs on 2 MPI ranks: 8 done, 0 skipped") != std::string::npos);
  require_same_point_files(one, ranks);
  require_same_points(one / "index.h5", ranks / "index.h5");
  const sim::Hdf5Reader index(ranks / "index.h5");
  CHECK(index.read_strings("points/status") == std::vector<std::string>(8, "done"));
  for (double wall_s : index.read_doubles("points/wall_seconds"))
    CHECK(wall_s > 0.0);

  // Resume: a finished run is skipped, a missing one is run again.
  fs::remove(ranks / "points" / "p000001_r001.h5");
  const Result again = under_mpirun("");
  REQUIRE(again.status == 0);
  CHECK(again.out.find("8 runs on 2 MPI ranks: 1 done, 7 skipped") != std::string::npos);
  require_same_point_files(one, ranks);
}

TEST_CASE("sweep: --slurm prints a job array whose tasks and merge give a 1-thread run's files",
          "[cli]") {
  TempDir tmp;
  const fs::path file = sweep_file(tmp, small_sweep("2d"));
  const fs::path one = tmp.path / "one", array = tmp.path / "array";
  const Result s =
      depinsim("sweep '" + file.string() + "' -o '" + array.string() + "' --slurm --tasks 3");
  INFO(s.err);
  REQUIRE(s.status == 0);
  CHECK(s.out.starts_with("#!/bin/bash\n"));
  CHECK(s.out.find("\n#SBATCH --array=0-2\n") != std::string::npos);
  CHECK(s.out.find("\n#SBATCH --job-name=depinsim-s\n") != std::string::npos);
  CHECK(s.out.find("\n#SBATCH --output=" + array.string() + "/slurm/%A_%a.log\n") !=
        std::string::npos);
  CHECK(s.out.find(" sweep '" + file.string() + "' -o '" + array.string() +
                   "' --shard \"${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}\" --threads "
                   "\"${SLURM_CPUS_PER_TASK:-1}\"") != std::string::npos);
  CHECK(fs::is_directory(array / "slurm"));
  CHECK(depinsim("sweep '" + file.string() + "' -o x --slurm --shard 0/2").status == 2);
  CHECK(depinsim("sweep '" + file.string() + "' -o x --tasks 2").status == 2);

  // The tasks as Slurm would start them, then the merge the script names in its last line.
  const fs::path script = write_file(tmp.path / "job.sh", s.out);
  for (int task = 0; task < 3; ++task) {
    const std::string cmd = "SLURM_ARRAY_TASK_ID=" + std::to_string(task) +
                            " SLURM_ARRAY_TASK_COUNT=3 bash '" + script.string() +
                            "' >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
  }
  const std::string merge_marker = "#   ";
  const auto at = s.out.rfind(merge_marker);
  REQUIRE(at != std::string::npos);
  const std::string merge = s.out.substr(at + merge_marker.size());
  CHECK(merge.find(" merge '" + array.string() + "'/index.shard-*-of-3.h5 -o '" +
                   (array / "index.h5").string() + "'") != std::string::npos);
  REQUIRE(std::system(("(" + merge.substr(0, merge.size() - 1) + ") >/dev/null").c_str()) == 0);
  REQUIRE(
      depinsim("sweep '" + file.string() + "' -o '" + one.string() + "' -q --threads 1").status ==
      0);
  require_same_point_files(one, array);
  require_same_points(one / "index.h5", array / "index.h5");
}
