#include "models/validation/robust_stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/random.hpp"

TEST_CASE("models::robust_stats: reproduce the published example [10, 11, 12, 13, 100]", "[unit]") {
  // MECHANISMS.md section 4, robust statistics: median 12, MAD 1, z(100) = 59.4, an outlier
  // under the 3.5 cut, 20 % trimmed mean 12.
  const std::vector<double> x{10, 11, 12, 13, 100};
  CHECK(models::median(x) == 12.0);
  CHECK(models::median_absolute_deviation(x) == 1.0);
  const double z = models::modified_z(100, 12, 1);
  CHECK(z == Approx(59.4).margin(0.05));
  CHECK(z > 3.5);
  CHECK(std::abs(models::modified_z(13, 12, 1)) < 3.5);
  CHECK(models::trimmed_mean(x, 0.2) == Approx(12.0));
  CHECK(std::accumulate(x.begin(), x.end(), 0.0) / 5 == Approx(29.2));  // what the mean says
}

TEST_CASE("models::robust_stats: the median of an even sample is the mean of the middle two",
          "[unit]") {
  std::vector<double> x{4, 1, 3, 2};
  CHECK(models::median(x) == 2.5);
  CHECK(models::median_absolute_deviation(x) == 1.0);  // deviations 1.5, 0.5, 0.5, 1.5
  CHECK(x == std::vector<double>{4, 1, 3, 2});         // the copying forms leave x alone
  CHECK(std::isnan(models::median(std::vector<double>{})));
}

TEST_CASE("models::robust_stats: the median is the middle of the sorted sample at any size",
          "[unit]") {
  auto rng = sim::RandomStreams(5, 0).stream("robust");
  for (int trial = 0; trial < 200; ++trial) {
    // Sizes on both sides of 32, where the median switches from sorting to nth_element.
    std::vector<double> x(1 + rng.uniform_int(80));
    for (double& v : x)
      v = std::round(rng.normal(3, 2) * 4) / 4;  // rounded, so that ties occur
    std::vector<double> sorted = x;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = x.size();
    const double reference = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    std::vector<double> buffer = x;
    const models::RobustSummary r = models::robust_summary_in_place(buffer);
    CHECK(r.median == reference);
    CHECK(models::median(x) == reference);
    CHECK(r.mad == models::median_absolute_deviation(x));
  }
}

TEST_CASE("models::robust_stats: 1.4826 MAD estimates the standard deviation of normal data",
          "[unit]") {
  auto rng = sim::RandomStreams(6, 0).stream("robust");
  std::vector<double> x(200'000);
  for (double& v : x)
    v = rng.normal(-4, 2.5);
  // The MAD's standard error here is about 1.17 * 2.5 / sqrt(200000) = 0.0065 (relative
  // efficiency 37 %), so a 0.03 margin is over four standard errors.
  CHECK(models::kMadToSd * models::median_absolute_deviation(x) == Approx(2.5).margin(0.03));
  CHECK(models::median(x) == Approx(-4).margin(0.03));
  CHECK(1.0 / models::kMadToSd == Approx(models::kModifiedZFactor).epsilon(1e-4));
}

TEST_CASE("models::robust_stats: modified z of a point off a zero-spread sample is infinite",
          "[unit]") {
  CHECK(models::modified_z(5, 5, 0) == 0.0);
  CHECK(models::modified_z(6, 5, 0) == std::numeric_limits<double>::infinity());
  CHECK(models::modified_z(4, 5, 0) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("models::robust_stats: trimmed mean drops the same count from each end", "[unit]") {
  const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9, 1000};
  CHECK(models::trimmed_mean(x, 0.0) == Approx(104.5));  // the plain mean
  CHECK(models::trimmed_mean(x, 0.1) == Approx(5.5));    // drops 1 and 1000
  CHECK(models::trimmed_mean(x, 0.29) == Approx(5.5));   // floor(2.9) = 2 each end
  CHECK(models::trimmed_mean(std::vector<double>(100, 1.0), 0.29) == 1.0);  // 29 each end
  CHECK_THROWS_AS(models::trimmed_mean(x, 0.5), std::invalid_argument);
}
