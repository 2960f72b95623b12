#include "models/rewards/pro_rata.hpp"

#include <numeric>
#include <random>

#include <catch2/catch.hpp>

using models::split_pro_rata;

TEST_CASE("models::split_pro_rata: pays in exact proportion when it divides", "[unit]") {
  const std::vector<std::int64_t> scores{1, 1, 2, 0};
  const auto s = split_pro_rata(100, scores);
  CHECK(s.payouts == std::vector<models::Tokens>{25, 25, 50, 0});
  CHECK(s.remainder == 0);
}

TEST_CASE("models::split_pro_rata: floors each share and keeps the dust below the payees",
          "[unit]") {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<std::int64_t> scores(1 + rng() % 50);
    for (auto& s : scores)
      s = static_cast<std::int64_t>(rng() % 30);
    const auto pool = static_cast<models::Tokens>(rng() % 1'000'000'000'000ULL);
    const auto split = split_pro_rata(pool, scores);
    const std::int64_t total = std::accumulate(scores.begin(), scores.end(), std::int64_t{0});
    const auto paid =
        std::accumulate(split.payouts.begin(), split.payouts.end(), models::Tokens{0});
    REQUIRE(paid + split.remainder == pool);
    if (total == 0) {
      REQUIRE(split.remainder == pool);
      continue;
    }
    const auto payees = std::count_if(scores.begin(), scores.end(), [](auto s) { return s > 0; });
    REQUIRE(split.remainder < payees);
    for (std::size_t i = 0; i < scores.size(); ++i) {
      // Within one unit of the exact share pool * s_i / total.
      const long double exact = static_cast<long double>(pool) * scores[i] / total;
      REQUIRE(static_cast<long double>(split.payouts[i]) <= exact);
      REQUIRE(static_cast<long double>(split.payouts[i]) > exact - 1);
    }
  }
}

TEST_CASE("models::split_pro_rata: a pool with no scores stays undistributed", "[unit]") {
  const auto s = split_pro_rata(500, std::vector<std::int64_t>{0, 0});
  CHECK(s.payouts == std::vector<models::Tokens>{0, 0});
  CHECK(s.remainder == 500);
  CHECK_THROWS(split_pro_rata(-1, std::vector<std::int64_t>{1}));
  CHECK_THROWS(split_pro_rata(1, std::vector<std::int64_t>{-1}));
}
