// The expansion of a sweep file: every design, zip, values checked before anything runs, and
// each run's seed.
#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli/sweep_spec.hpp"
#include "sim/config.hpp"
#include "tests/cli/sweep_test_support.hpp"

namespace fs = std::filesystem;
using depinsim_cli::Design;
using depinsim_cli::SweepSpec;
using sweep_test::sweep_file;
using sweep_test::TempDir;
using sweep_test::write_file;

namespace {

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
