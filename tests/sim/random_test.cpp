#include "sim/random.hpp"

#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

using sim::RandomStreams;

TEST_CASE("sim::RandomStream: the same id gives the same draws, whatever else is drawn", "[unit]") {
  const RandomStreams streams(42, 3);
  auto a = streams.stream("sensor.noise", 17);
  std::vector<std::uint64_t> first;
  for (int i = 0; i < 100; ++i)
    first.push_back(a.next_u64());
  // Interleave draws from other streams: counter-based streams share no state.
  auto other = streams.stream("sensor.noise", 18);
  auto b = streams.stream("sensor.noise", 17);
  for (int i = 0; i < 100; ++i) {
    other.next_u64();
    REQUIRE(b.next_u64() == first[static_cast<std::size_t>(i)]);
  }
}

TEST_CASE("sim::RandomStream: seed, run, name and entity each change the stream", "[unit]") {
  const auto draw = [](std::uint64_t seed, std::uint64_t run, const char* name, std::uint64_t e) {
    return RandomStreams(seed, run).stream(name, e).next_u64();
  };
  const std::uint64_t base = draw(1, 0, "x", 0);
  CHECK(draw(2, 0, "x", 0) != base);
  CHECK(draw(1, 1, "x", 0) != base);
  CHECK(draw(1, 0, "y", 0) != base);
  CHECK(draw(1, 0, "x", 1) != base);
}

TEST_CASE("sim::RandomStream: a stream resumes exactly at next_block()", "[unit]") {
  const RandomStreams streams(5, 0);
  auto a = streams.stream("s", 1);
  for (int i = 0; i < 8; ++i)
    a.next_u64();  // two whole blocks
  sim::RandomStream resumed(streams.id("s", 1), a.next_block());
  CHECK(resumed.next_u64() == a.next_u64());
}

TEST_CASE("sim::RandomStream: distributions have the right moments", "[unit]") {
  auto rng = RandomStreams(9, 0).stream("moments");
  constexpr int kN = 200'000;
  double sum_u = 0, sum_n = 0, sum_n2 = 0, sum_e = 0;
  std::vector<int> counts(10, 0);
  for (int i = 0; i < kN; ++i) {
    const double u = rng.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum_u += u;
    const double z = rng.normal(2.0, 3.0);
    sum_n += z;
    sum_n2 += (z - 2.0) * (z - 2.0);
    sum_e += rng.exponential(4.0);
    ++counts[rng.uniform_int(10)];
  }
  // Tolerances are about 5 standard errors of each estimate.
  CHECK(sum_u / kN == Approx(0.5).margin(5 * std::sqrt(1.0 / 12 / kN)));
  CHECK(sum_n / kN == Approx(2.0).margin(5 * 3.0 / std::sqrt(kN)));
  CHECK(std::sqrt(sum_n2 / kN) == Approx(3.0).epsilon(0.01));
  CHECK(sum_e / kN == Approx(4.0).margin(5 * 4.0 / std::sqrt(kN)));
  for (int c : counts)
    CHECK(c == Approx(kN / 10).margin(5 * std::sqrt(kN * 0.09)));
}

TEST_CASE("sim::RandomStream: normal draws follow the normal distribution into the tails",
          "[unit]") {
  // The ziggurat takes most draws from its layers, some from the wedges between a layer and the
  // curve, and a few from the tail beyond its base layer (x > 3.4426): each region's share is
  // checked against the normal CDF, P(Z > x) = erfc(x / sqrt 2) / 2, within 5 binomial
  // standard errors; the third and fourth moments against 0 and 3.
  auto rng = RandomStreams(21, 0).stream("normal-shape");
  constexpr int kN = 2'000'000;
  const std::vector<double> cuts{0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0};
  std::vector<int> above(cuts.size(), 0), below(cuts.size(), 0);
  double m3 = 0, m4 = 0;
  for (int i = 0; i < kN; ++i) {
    const double z = rng.normal();
    for (std::size_t k = 0; k < cuts.size(); ++k) {
      above[k] += z > cuts[k] ? 1 : 0;
      below[k] += z < -cuts[k] ? 1 : 0;
    }
    m3 += z * z * z;
    m4 += z * z * z * z;
  }
  for (std::size_t k = 0; k < cuts.size(); ++k) {
    const double p = 0.5 * std::erfc(cuts[k] / std::sqrt(2.0));
    const double margin = 5 * std::sqrt(kN * p * (1 - p)) + 1;
    CHECK(above[k] == Approx(kN * p).margin(margin));
    CHECK(below[k] == Approx(kN * p).margin(margin));
  }
  CHECK(m3 / kN == Approx(0.0).margin(5 * std::sqrt(15.0 / kN)));  // Var(Z^3) = 15
  CHECK(m4 / kN == Approx(3.0).margin(5 * std::sqrt(96.0 / kN)));  // Var(Z^4) = 96
}

TEST_CASE("sim::RandomStream: exponential draws follow the exponential distribution", "[unit]") {
  // P(X > x) = exp(-x / mean), checked from the body into the far tail within 5 binomial
  // standard errors.
  auto rng = RandomStreams(22, 0).stream("exponential-shape");
  constexpr int kN = 2'000'000;
  constexpr double kMean = 2.5;
  const std::vector<double> cuts{0.1, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 25.0, 30.0};
  std::vector<int> above(cuts.size(), 0);
  for (int i = 0; i < kN; ++i) {
    const double x = rng.exponential(kMean);
    REQUIRE(x >= 0.0);
    for (std::size_t k = 0; k < cuts.size(); ++k)
      above[k] += x > cuts[k] ? 1 : 0;
  }
  for (std::size_t k = 0; k < cuts.size(); ++k) {
    const double p = std::exp(-cuts[k] / kMean);
    CHECK(above[k] == Approx(kN * p).margin(5 * std::sqrt(kN * p * (1 - p)) + 1));
  }
}

TEST_CASE("sim::RandomStream: neighbouring entities are uncorrelated", "[unit]") {
  const RandomStreams streams(11, 0);
  constexpr int kN = 50'000;
  auto a = streams.stream("pair", 100);
  auto b = streams.stream("pair", 101);
  double sab = 0;
  for (int i = 0; i < kN; ++i)
    sab += (a.uniform() - 0.5) * (b.uniform() - 0.5);
  const double corr = sab / kN * 12.0;
  CHECK(std::abs(corr) < 5.0 / std::sqrt(kN));
}

TEST_CASE("sim::stream_hash: is the 64-bit FNV-1a of the name", "[unit]") {
  // Published FNV-1a test vectors (Fowler, Noll & Vo): "" and "a".
  CHECK(sim::stream_hash("") == 0xcbf29ce484222325ULL);
  CHECK(sim::stream_hash("a") == 0xaf63dc4c8601ec8cULL);
}

TEST_CASE("sim::RandomStream: uniform_int stays in range where rejection is likely", "[unit]") {
  // With n just above 2^63 almost half the raw draws are rejected: results must still be below
  // n, and reproducible from the stream id alone.
  const std::uint64_t n = (std::uint64_t{1} << 63) + 12'345;
  auto a = RandomStreams(13, 0).stream("range");
  auto b = RandomStreams(13, 0).stream("range");
  int upper_half = 0;
  for (int i = 0; i < 10'000; ++i) {
    const std::uint64_t x = a.uniform_int(n);
    REQUIRE(x < n);
    REQUIRE(b.uniform_int(n) == x);
    upper_half += x >= n / 2 ? 1 : 0;
  }
  CHECK(upper_half == Approx(5'000).margin(5 * 50));
}
