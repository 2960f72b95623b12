#include "models/validation/spatial_consensus.hpp"

#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>

#include "sim/random.hpp"

using models::ConsensusSpec;
using models::SpatialConsensus;
using models::Submission;
using models::Verdict;
using sim::Time;

namespace {

struct Grid {
  std::vector<double> x, y;
};

Grid random_sites(std::size_t n, double size_km, std::uint64_t seed) {
  Grid g;
  auto rng = sim::RandomStreams(seed, 0).stream("sites");
  for (std::size_t i = 0; i < n; ++i) {
    g.x.push_back(rng.uniform(0, size_km));
    g.y.push_back(rng.uniform(0, size_km));
  }
  return g;
}

}  // namespace

TEST_CASE("models::SpatialConsensus: neighbours are the k nearest within range", "[unit]") {
  const Grid g = random_sites(400, 50, 1);
  ConsensusSpec spec;
  spec.neighbours = 6;
  spec.max_distance_km = 4;
  const SpatialConsensus c(spec, g.x, g.y);
  for (std::uint32_t i = 0; i < 400; ++i) {
    std::vector<std::pair<double, std::uint32_t>> all;
    for (std::uint32_t j = 0; j < 400; ++j) {
      if (j == i) continue;
      const double d = std::hypot(g.x[i] - g.x[j], g.y[i] - g.y[j]);
      if (d <= 4) all.emplace_back(d, j);
    }
    std::sort(all.begin(), all.end());
    all.resize(std::min<std::size_t>(all.size(), 6));
    const auto got = c.neighbours_of(i);
    REQUIRE(got.size() == all.size());
    for (std::size_t k = 0; k < all.size(); ++k)
      REQUIRE(got[k] == all[k].second);
  }
}

TEST_CASE(
    "models::SpatialConsensus: rejects fabricated values far from the truth and keeps "
    "honest ones",
    "[unit]") {
  // 1,000 sensors over 100 km x 100 km observe a smooth field with noise 0.3; one in ten
  // reports the truth offset by 4 to 8 degrees. The oracle never sees which is which.
  const std::size_t n = 1000;
  const Grid g = random_sites(n, 100, 2);
  auto rng = sim::RandomStreams(2, 0).stream("readings");
  std::vector<Submission> subs;
  std::vector<bool> liar;
  for (std::uint32_t i = 0; i < n; ++i) {
    const double truth = 15 + 3 * std::sin(g.x[i] / 30) + 2 * std::cos(g.y[i] / 25);
    const bool lies = i % 10 == 0;
    const double offset = lies ? (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(4, 8) : 0.0;
    subs.push_back({i, Time::minutes(10), truth + offset + rng.normal(0, 0.3)});
    liar.push_back(lies);
  }
  ConsensusSpec spec;
  const SpatialConsensus c(spec, g.x, g.y);
  std::vector<Verdict> v(n, Verdict::accepted);
  c.check(subs, v, Time{}, Time::days(1));
  std::size_t liars_rejected = 0, honest_rejected = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (v[i] == Verdict::outlier) (liar[i] ? liars_rejected : honest_rejected)++;
  }
  CHECK(liars_rejected >= 95);   // of 100
  CHECK(honest_rejected <= 18);  // of 900: under 2% false rejections
}

TEST_CASE("models::SpatialConsensus: compares only readings of the same window", "[unit]") {
  // Two tight clusters of readings, one in each hourly window, at different levels: each
  // reading agrees with its own window, so none is an outlier.
  std::vector<double> x, y;
  for (int i = 0; i < 10; ++i) {
    x.push_back(i * 0.1);
    y.push_back(0);
  }
  ConsensusSpec spec;
  spec.window = Time::hours(1);
  const SpatialConsensus c(spec, x, y);
  std::vector<Submission> subs;
  for (std::uint32_t i = 0; i < 10; ++i) {
    subs.push_back({i, Time::minutes(5), 10.0 + 0.01 * i});
    subs.push_back({i, Time::minutes(65), 20.0 + 0.01 * i});
  }
  std::vector<Verdict> v(subs.size(), Verdict::accepted);
  CHECK(c.check(subs, v, Time{}, Time::hours(2)) == 0);
  CHECK(std::all_of(v.begin(), v.end(),
                    [](Verdict verdict) { return verdict == Verdict::accepted; }));
}

TEST_CASE("models::SpatialConsensus: accepts what it cannot judge and reports it", "[unit]") {
  const std::vector<double> x{0, 100, 200}, y{0, 0, 0};
  const SpatialConsensus c(ConsensusSpec{}, x, y);  // 30 km range: nobody has neighbours
  const std::vector<Submission> subs{{0, Time{}, 10}, {1, Time{}, 50}, {2, Time{}, -20}};
  std::vector<Verdict> v(3, Verdict::accepted);
  CHECK(c.check(subs, v, Time{}, Time::days(1)) == 3);
  CHECK(v == std::vector<Verdict>(3, Verdict::accepted));
}

TEST_CASE("models::SpatialConsensus: earlier rejections neither count as neighbours nor change",
          "[unit]") {
  std::vector<double> x, y;
  for (int i = 0; i < 9; ++i) {
    x.push_back(i);
    y.push_back(0);
  }
  const SpatialConsensus c(ConsensusSpec{}, x, y);
  std::vector<Submission> subs;
  std::vector<Verdict> v;
  for (std::uint32_t i = 0; i < 9; ++i) {
    // Five sensors report 50 but were already rejected (say, by bounds): the other four agree.
    subs.push_back({i, Time{}, i < 5 ? 50.0 : 10.0});
    v.push_back(i < 5 ? Verdict::out_of_bounds : Verdict::accepted);
  }
  c.check(subs, v, Time{}, Time::days(1));
  for (std::size_t i = 0; i < 9; ++i)
    CHECK(v[i] == (i < 5 ? Verdict::out_of_bounds : Verdict::accepted));
}
