// Sweeps: the expansion of a sweep file (every design, zip, seeds) and `depinsim sweep` end to
// end (threads, shards, resume after SIGKILL, failures).
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

namespace fs = std::filesystem;
using depinsim_cli::Design;
using depinsim_cli::SweepSpec;

namespace {

const std::string kBase = DEPINSIM_SOURCE_DIR "/scenarios/basic_sensors.yaml";

/// A fresh directory per test, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    static int n = 0;
    path = fs::temp_directory_path() /
           ("depinsim-sweep-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

fs::path write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

/// A sweep file in `dir` whose base is the default scenario.
fs::path sweep_file(const TempDir& dir, const std::string& body,
                    const std::string& name = "s.yaml") {
  return write_file(dir.path / name, "base: " + kBase + "\n" + body);
}

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

std::vector<double> numbers(const std::vector<std::string>& values) {
  std::vector<double> out;
  for (const std::string& v : values)
    out.push_back(std::stod(v));
  return out;
}

/// The values of parameter `p` over the points.
std::vector<std::string> column(const std::vector<depinsim_cli::SweepPoint>& points,
                                std::size_t p) {
  std::vector<std::string> out;
  for (const auto& point : points)
    out.push_back(point.values[p]);
  return out;
}

/// The first problem of reading `file` as a sweep, or nothing.
std::optional<sim::config::Problem> first_problem(const fs::path& file) {
  try {
    const SweepSpec spec = depinsim_cli::read_sweep_spec(file);
    depinsim_cli::check_points(spec, depinsim_cli::expand_points(spec));
  } catch (const sim::config::ConfigError& e) {
    return e.problems().front();
  }
  return std::nullopt;
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

// ------------------------------------------------------------------------------ expansion

TEST_CASE("sweep: a grid crosses its axes, the first varying slowest", "[unit]") {
  TempDir tmp;
  const SweepSpec spec =
      depinsim_cli::read_sweep_spec(sweep_file(tmp,
                                               "replications: 3\n"
                                               "parameters:\n"
                                               "  rewards.emission.per_day: [1000, 2000]\n"
                                               "  run.duration: [2d, 3d, 4d]\n"));
  CHECK(spec.design == Design::grid);
  CHECK(spec.replications == 3);
  CHECK(spec.base_seed == 42);  // the base scenario's seed when the sweep names none
  REQUIRE(spec.parameters.size() == 2);
  CHECK(spec.parameters[0].numeric);
  CHECK_FALSE(spec.parameters[1].numeric);  // durations are strings in the index
  const auto points = depinsim_cli::expand_points(spec);
  REQUIRE(points.size() == 6);
  CHECK(column(points, 0) ==
        std::vector<std::string>{"1000", "1000", "1000", "2000", "2000", "2000"});
  CHECK(column(points, 1) == std::vector<std::string>{"2d", "3d", "4d", "2d", "3d", "4d"});
  for (std::size_t i = 0; i < points.size(); ++i)
    CHECK(points[i].id == static_cast<std::int64_t>(i));
  const auto assignments = depinsim_cli::run_assignments(spec, points[4], 2);
  CHECK(assignments ==
        std::vector<std::string>{"rewards.emission.per_day=2000", "run.duration=3d",
                                 "seed=" + std::to_string(depinsim_cli::run_seed(42, 4, 2))});
}

TEST_CASE("sweep: ranges with count are spaced linearly or logarithmically, ends exact", "[unit]") {
  TempDir tmp;
  const SweepSpec spec = depinsim_cli::read_sweep_spec(
      sweep_file(tmp,
                 "parameters:\n"
                 "  population[0].hardware.noise_sd_c: {from: 0.1, to: 0.5, count: 5}\n"
                 "  rewards.emission.per_day: {from: 10, to: 100000, count: 5, scale: log}\n"
                 "  population[0].count: {from: 100, to: 200, count: 4, integer: true}\n"
                 "set:\n  run.duration: 2d\n"));
  CHECK(spec.parameters[0].values == std::vector<std::string>{"0.1", "0.2", "0.3", "0.4", "0.5"});
  CHECK(numbers(spec.parameters[1].values) == std::vector<double>{10, 100, 1000, 10000, 100000});
  CHECK(spec.parameters[2].values == std::vector<std::string>{"100", "133", "167", "200"});
  CHECK(depinsim_cli::expand_points(spec).size() == 5 * 5 * 4);
  CHECK(spec.fixed.size() == 1);
}

TEST_CASE("sweep: zip pairs values one by one instead of crossing them", "[unit]") {
  TempDir tmp;
  const SweepSpec spec = depinsim_cli::read_sweep_spec(sweep_file(
      tmp,
      "parameters:\n"
      "  rewards.emission.per_day: [1000, 2000, 4000]\n"
      "  population[0].behaviour.fabricator.share: [0.04, 0.1]\n"
      "  population[0].behaviour.honest: [0.9, 0.84]\n"
      "zip:\n"
      "  - [\"population[0].behaviour.fabricator.share\", \"population[0].behaviour.honest\"]\n"));
  REQUIRE(spec.axes.size() == 2);
  CHECK(spec.axes[1] == std::vector<std::size_t>{1, 2});
  const auto points = depinsim_cli::expand_points(spec);
  REQUIRE(points.size() == 6);
  for (const auto& point : points) {
    const bool paired = (point.values[1] == "0.04" && point.values[2] == "0.9") ||
                        (point.values[1] == "0.1" && point.values[2] == "0.84");
    CHECK(paired);
  }
  // Every point is a valid scenario: the zipped shares still sum to 1.
  CHECK(depinsim_cli::check_points(spec, points).size() == 6);
}

TEST_CASE("sweep: zip groups of unequal lengths are errors naming file, line and key", "[unit]") {
  TempDir tmp;
  const fs::path file = sweep_file(tmp,
                                   "parameters:\n"
                                   "  rewards.emission.per_day: [1, 2, 3]\n"
                                   "  run.duration: [2d, 3d]\n"
                                   "zip:\n"
                                   "  - [rewards.emission.per_day, run.duration]\n");
  const auto p = first_problem(file);
  REQUIRE(p);
  CHECK(p->format() ==
        file.string() +
            ":6:5: zip[0]: keys zipped together need the same number of values (they are paired "
            "one by one, never truncated): rewards.emission.per_day has 3, run.duration has 2");

  const fs::path typo = sweep_file(tmp,
                                   "parameters:\n"
                                   "  rewards.emission.per_day: [1, 2]\n"
                                   "  run.duration: [2d, 3d]\n"
                                   "zip:\n"
                                   "  - [rewards.emission.per_dya, run.duration]\n",
                                   "typo.yaml");
  const auto q = first_problem(typo);
  REQUIRE(q);
  CHECK(q->format() == typo.string() +
                           ":6:6: zip[0]: \"rewards.emission.per_dya\" is not a key under "
                           "parameters:; did you mean \"rewards.emission.per_day\"?");

  const fs::path lonely = sweep_file(tmp,
                                     "parameters:\n  run.duration: [2d, 3d]\n"
                                     "zip:\n  - [run.duration]\n",
                                     "lonely.yaml");
  const auto r = first_problem(lonely);
  REQUIRE(r);
  CHECK(r->line == 5);
  CHECK(r->key == "zip[0]");
}

TEST_CASE("sweep: mistakes in the sweep file are located and named", "[unit]") {
  TempDir tmp;
  const auto problem = [&](const std::string& body, bool with_base = true) {
    const fs::path f = with_base ? sweep_file(tmp, body) : write_file(tmp.path / "s.yaml", body);
    const auto p = first_problem(f);
    REQUIRE(p);
    return p->format().substr(f.string().size());
  };
  CHECK(problem("desgin: grid\n") ==
        ":2:1: desgin: unknown key; did you mean \"design\"? (known keys: base, seed, "
        "replications, design, samples, set, parameters, zip)");
  CHECK(problem("parameters:\n  x: 1\n", false) ==
        ":1:1: base: is missing: name the scenario to vary, e.g. base: ../x.yaml");
  CHECK(problem("samples: 4\n") ==
        ":2:10: samples: applies to the random, lhs and sobol designs, not to grid");
  CHECK(problem("design: lhs\nparameters:\n  run.duration: [1d]\n") ==
        ":1:1: samples: is missing: the lhs design draws samples: N points");
  CHECK(problem("parameters:\n  rewards.emission.per_day: {from: 1, to: 2}\n") ==
        ":3:29: parameters.rewards.emission.per_day: a range in a grid needs count: (how many "
        "values, both ends included)");
  CHECK(problem("parameters:\n  rewards.emission.per_day: {from: 0, to: 2, count: 3, scale: "
                "log}\n") ==
        ":3:36: parameters.rewards.emission.per_day.from: must be positive on a log scale");
  CHECK(problem("parameters:\n  seed: [1, 2]\n") ==
        ":3:9: parameters.seed: seeds come from seed: and replications:, they are not swept");
  CHECK(problem("parameters:\n  run.duration: 3d\n") ==
        ":3:17: parameters.run.duration: expected a list of values or a range {from, to, count, "
        "scale}, found \"3d\" (a value for every point belongs under set:)");
}

TEST_CASE("sweep: a bad value is reported with its point and its line before anything runs",
          "[unit]") {
  TempDir tmp;
  const fs::path file = sweep_file(tmp,
                                   "parameters:\n"
                                   "  run.duration: [2d, 3d]\n"
                                   "  rewards.emission.per_day: [100, -5, 300]\n");
  const auto p = first_problem(file);
  REQUIRE(p);
  CHECK(p->format() == file.string() +
                           ":4:29: rewards.emission.per_day: points 1, 4 (value -5): must be "
                           "non-negative, found -5");
  // A problem in the base scenario with `set:` applied is reported once, at the set: line.
  const fs::path set = sweep_file(tmp, "set:\n  run.epoch: 0s\n", "set.yaml");
  const auto q = first_problem(set);
  REQUIRE(q);
  CHECK(q->source == set.string());
  CHECK(q->line == 3);
  CHECK(q->key == "run.epoch");
}

TEST_CASE("sweep: random sampling stays in range and is the same every time", "[unit]") {
  TempDir tmp;
  const std::string body =
      "design: random\nsamples: 50\n"
      "parameters:\n"
      "  rewards.emission.per_day: {from: 100, to: 10000, scale: log}\n"
      "  population[0].hardware.noise_sd_c: {from: 0.1, to: 0.5}\n"
      "  run.duration: [2d, 3d, 4d]\n";
  const SweepSpec spec = depinsim_cli::read_sweep_spec(sweep_file(tmp, body));
  const auto points = depinsim_cli::expand_points(spec);
  REQUIRE(points.size() == 50);
  std::set<std::string> durations;
  for (const auto& point : points) {
    const double emission = std::stod(point.values[0]);
    const double noise = std::stod(point.values[1]);
    CHECK(emission >= 100.0);
    CHECK(emission <= 10000.0);
    CHECK(noise >= 0.1);
    CHECK(noise <= 0.5);
    durations.insert(point.values[2]);
  }
  CHECK(durations.size() == 3);
  const auto again =
      depinsim_cli::expand_points(depinsim_cli::read_sweep_spec(sweep_file(tmp, body)));
  CHECK(column(again, 0) == column(points, 0));
  const auto reseeded = depinsim_cli::expand_points(
      depinsim_cli::read_sweep_spec(sweep_file(tmp, "seed: 9\n" + body, "reseeded.yaml")));
  CHECK(column(reseeded, 0) != column(points, 0));
}

TEST_CASE("sweep: a Latin hypercube hits each of n strata once per dimension", "[unit]") {
  TempDir tmp;
  const std::size_t n = 20;
  const SweepSpec spec = depinsim_cli::read_sweep_spec(
      sweep_file(tmp,
                 "design: lhs\nsamples: 20\n"
                 "parameters:\n"
                 "  population[0].hardware.noise_sd_c: {from: 0.1, to: 1.1}\n"
                 "  rewards.emission.per_day: {from: 10, to: 1000, scale: log}\n"
                 "  population[0].behaviour.fabricator.share: {from: 0.0, to: 0.04}\n"
                 "  population[0].behaviour.noisy: {from: 0.0, to: 0.04}\n"
                 "zip:\n"
                 "  - [\"population[0].behaviour.fabricator.share\", "
                 "\"population[0].behaviour.noisy\"]\n"));
  const auto points = depinsim_cli::expand_points(spec);
  REQUIRE(points.size() == n);
  const auto strata = [&](std::size_t p, auto to_unit) {
    std::vector<std::size_t> hit(n, 0);
    for (const auto& point : points)
      ++hit[static_cast<std::size_t>(to_unit(std::stod(point.values[p])) * n)];
    return hit;
  };
  const std::vector<std::size_t> once(n, 1);
  CHECK(strata(0, [](double x) { return (x - 0.1) / 1.0; }) == once);
  CHECK(strata(1, [](double x) { return std::log(x / 10.0) / std::log(100.0); }) == once);
  CHECK(strata(2, [](double x) { return x / 0.04; }) == once);
  // A zip group shares one draw: its members sit at the same quantile.
  for (const auto& point : points)
    CHECK(point.values[2] == point.values[3]);
}

TEST_CASE("sweep: Sobol points follow Joe and Kuo's sequence and fill strata", "[unit]") {
  // The first points of the unscrambled two-dimensional sequence (as scipy.stats.qmc.Sobol
  // gives them with scramble=False).
  const std::vector<std::pair<double, double>> expected{
      {0, 0},         {0.5, 0.5},     {0.75, 0.25},   {0.25, 0.75},
      {0.375, 0.375}, {0.875, 0.875}, {0.625, 0.125}, {0.125, 0.625}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(depinsim_cli::sobol_bits(i, 0) * 0x1.0p-32 == expected[i].first);
    CHECK(depinsim_cli::sobol_bits(i, 1) * 0x1.0p-32 == expected[i].second);
  }
  // Each dimension's first 2^m points put one point in each of the 2^m strata.
  for (std::size_t d = 0; d < depinsim_cli::kSobolDimensions; ++d) {
    CAPTURE(d);
    std::set<std::uint32_t> strata;
    for (std::uint64_t i = 0; i < 64; ++i)
      strata.insert(depinsim_cli::sobol_bits(i, d) >> 26);
    CHECK(strata.size() == 64);
  }
  // The first two dimensions form a (0, 2)-sequence: the first 4^m points put one point in
  // each 2^-m x 2^-m box.
  for (unsigned m : {1U, 2U, 3U}) {
    std::set<std::uint32_t> boxes;
    for (std::uint64_t i = 0; i < (1U << (2 * m)); ++i) {
      boxes.insert((depinsim_cli::sobol_bits(i, 0) >> (32 - m)) << m |
                   (depinsim_cli::sobol_bits(i, 1) >> (32 - m)));
    }
    CHECK(boxes.size() == (1U << (2 * m)));
  }

  TempDir tmp;
  const SweepSpec spec = depinsim_cli::read_sweep_spec(
      sweep_file(tmp,
                 "design: sobol\nsamples: 16\nparameters:\n"
                 "  population[0].hardware.noise_sd_c: {from: 0.0, to: 1.6}\n"
                 "  rewards.emission.per_day: {from: 0, to: 16}\n"));
  const auto points = depinsim_cli::expand_points(spec);
  for (std::size_t p : {0, 1}) {
    std::set<int> hit;
    for (const auto& point : points)
      hit.insert(static_cast<int>(std::stod(point.values[p]) * (p == 0 ? 10.0 : 1.0)));
    CHECK(hit.size() == 16);  // the random digital shift keeps the strata
  }
}

TEST_CASE("sweep: a run's seed is a fixed function of (base seed, point, replication)", "[unit]") {
  using depinsim_cli::run_seed;
  // Reference values of splitmix64 folded three times, computed independently.
  CHECK(run_seed(42, 0, 0) == 3569207718454509475ULL);
  CHECK(run_seed(42, 3, 1) == 3358761492936449413ULL);
  CHECK(run_seed(2024, 11, 1) == 1544218135042599382ULL);
  // Nothing but the three inputs enters: any order, any shard gives the same seeds.
  std::vector<std::uint64_t> forward, backward;
  for (std::int64_t p = 0; p < 100; ++p)
    forward.push_back(run_seed(7, p, 2));
  for (std::int64_t p = 99; p >= 0; --p)
    backward.push_back(run_seed(7, p, 2));
  std::reverse(backward.begin(), backward.end());
  CHECK(forward == backward);
  std::set<std::uint64_t> distinct;
  for (std::int64_t p = 0; p < 100; ++p) {
    for (std::int64_t r = 0; r < 10; ++r) {
      const std::uint64_t s = run_seed(7, p, r);
      CHECK(s < (1ULL << 63));  // a scenario seed is a non-negative 64-bit integer
      distinct.insert(s);
    }
  }
  CHECK(distinct.size() == 1000);
  CHECK(run_seed(8, 0, 0) != run_seed(7, 0, 0));
}

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
