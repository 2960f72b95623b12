#include "models/economy/concentration.hpp"

#include <algorithm>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

using models::gini;
using models::nakamoto;
using models::sum_by_group;

TEST_CASE("models::gini: equal amounts give 0 and one holder of n gives (n - 1)/n", "[unit]") {
  CHECK(gini(std::vector<double>(7, 3.5)) == Approx(0.0).margin(1e-15));
  for (const std::size_t n : {2u, 5u, 100u}) {
    std::vector<double> one(n, 0.0);
    one[n / 2] = 42.0;
    CHECK(gini(one) == Approx(static_cast<double>(n - 1) / static_cast<double>(n)));
  }
  CHECK(gini(std::vector<double>{}) == 0.0);
  CHECK(gini(std::vector<double>{0.0, 0.0, 0.0}) == 0.0);
  CHECK(gini(std::vector<double>{9.0}) == 0.0);
}

TEST_CASE("models::gini: 1 to 5 gives 4/15 by hand and 1 to n gives (n - 1)/(3n)", "[unit]") {
  // Σ(2i − 6)·x_i = −4·1 − 2·2 + 0·3 + 2·4 + 4·5 = 20, n·Σx = 5·15 = 75.
  CHECK(gini(std::vector<double>{1, 2, 3, 4, 5}) == Approx(20.0 / 75.0));
  CHECK(gini(std::vector<double>{1, 2, 3, 4, 5}) == Approx(0.2667).epsilon(2e-4));
  // x_i = i: G = (n − 1)/(3n), the discrete uniform distribution.
  std::vector<double> ramp(1000);
  for (std::size_t i = 0; i < ramp.size(); ++i)
    ramp[i] = static_cast<double>(i + 1);
  CHECK(gini(ramp) == Approx(999.0 / 3000.0));
}

TEST_CASE("models::gini: does not change with scale or order", "[unit]") {
  std::mt19937_64 rng(11);
  std::exponential_distribution<double> draw(1.0);
  std::vector<double> x(300);
  for (auto& v : x)
    v = draw(rng);
  const double g = gini(x);
  CHECK(g > 0.4);  // an exponential sample: G → 1/2
  CHECK(g < 0.6);
  std::vector<double> scaled = x;
  for (auto& v : scaled)
    v *= 1234.5;
  CHECK(gini(scaled) == Approx(g).epsilon(1e-12));
  std::shuffle(x.begin(), x.end(), rng);
  CHECK(gini(x) == Approx(g).epsilon(1e-12));
}

TEST_CASE("models::gini: refuses negative and non-finite amounts", "[unit]") {
  CHECK_THROWS_AS(gini(std::vector<double>{1.0, -0.5}), std::invalid_argument);
  CHECK_THROWS_AS(gini(std::vector<double>{1.0, std::nan("")}), std::invalid_argument);
}

TEST_CASE("models::nakamoto: ten equal holders need six for a strict majority", "[unit]") {
  CHECK(nakamoto(std::vector<double>(10, 1.0)) == 6);
  CHECK(nakamoto(std::vector<double>(10, 0.1)) == 6);
  CHECK(nakamoto(std::vector<double>(9, 1.0)) == 5);
  // A third, as for halting a BFT chain: 4 of 10 hold 0.4 > 1/3.
  CHECK(nakamoto(std::vector<double>(10, 1.0), 1.0 / 3.0) == 4);
}

TEST_CASE("models::nakamoto: 50 30 20 needs two for a half and one for 0.49", "[unit]") {
  CHECK(nakamoto(std::vector<double>{20, 50, 30}) == 2);
  CHECK(nakamoto(std::vector<double>{20, 50, 30}, 0.49) == 1);
  CHECK(nakamoto(std::vector<double>{20, 50, 30}, 0.8) == 3);
  CHECK(nakamoto(std::vector<double>{20, 50, 30}, 0.0) == 1);
  CHECK(nakamoto(std::vector<double>{}) == 0);
  CHECK(nakamoto(std::vector<double>{0.0, 0.0}) == 0);
  CHECK_THROWS_AS(nakamoto(std::vector<double>{1.0}, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(nakamoto(std::vector<double>{1.0}, -0.1), std::invalid_argument);
  CHECK_THROWS_AS(nakamoto(std::vector<double>{1.0, -1.0}), std::invalid_argument);
}

TEST_CASE("models::sum_by_group: aggregates nodes to operators before measuring", "[unit]") {
  // Six nodes with equal rewards, but operator 0 runs four of them.
  const std::vector<double> per_node(6, 10.0);
  const std::vector<std::uint32_t> op{0, 1, 0, 0, 2, 0};
  const auto per_operator = sum_by_group(per_node, op, 4);
  CHECK(per_operator == std::vector<double>{40.0, 10.0, 10.0, 0.0});
  CHECK(gini(per_node) == Approx(0.0).margin(1e-15));
  CHECK(nakamoto(per_node) == 4);
  CHECK(nakamoto(per_operator) == 1);
  // Sorted 0, 10, 10, 40: (−3·0 − 1·10 + 1·10 + 3·40)/(4·60) = 0.5.
  CHECK(gini(per_operator) == Approx(0.5));

  CHECK_THROWS_AS(sum_by_group(per_node, op, 2), std::invalid_argument);
  CHECK_THROWS_AS(sum_by_group(per_node, std::vector<std::uint32_t>{0, 1}, 4),
                  std::invalid_argument);
}
