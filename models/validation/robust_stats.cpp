#include "models/validation/robust_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace models {

double median_in_place(std::span<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  const std::size_t mid = v.size() / 2;
  if (v.size() <= 32) {
    // Neighbourhoods are small: insertion sort beats nth_element's bookkeeping several times
    // over here, and gives the same two middle values.
    for (std::size_t i = 1; i < v.size(); ++i) {
      const double x = v[i];
      std::size_t j = i;
      for (; j > 0 && v[j - 1] > x; --j)
        v[j] = v[j - 1];
      v[j] = x;
    }
    return v.size() % 2 == 1 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
  }
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  // nth_element leaves everything below mid no greater than v[mid]: the lower middle is their max.
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return 0.5 * (lower + upper);
}

double median(std::span<const double> v) {
  std::vector<double> copy(v.begin(), v.end());
  return median_in_place(copy);
}

RobustSummary robust_summary_in_place(std::span<double> v) {
  RobustSummary r;
  r.median = median_in_place(v);
  for (double& x : v)
    x = std::abs(x - r.median);
  r.mad = median_in_place(v);
  return r;
}

double median_absolute_deviation(std::span<const double> v) {
  std::vector<double> copy(v.begin(), v.end());
  return robust_summary_in_place(copy).mad;
}

double modified_z(double x, double median, double mad) {
  const double d = x - median;
  if (mad > 0.0) return kModifiedZFactor * d / mad;
  if (d == 0.0) return 0.0;
  return d > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

double trimmed_mean(std::span<const double> v, double fraction) {
  if (!(fraction >= 0.0 && fraction < 0.5)) {
    throw std::invalid_argument("trimmed_mean: fraction must be in [0, 0.5)");
  }
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> sorted(v.begin(), v.end());
  std::sort(sorted.begin(), sorted.end());
  // The small allowance keeps e.g. 0.29 * 100 = 28.999999999999996 from trimming one value short.
  const auto g =
      static_cast<std::size_t>(std::floor(fraction * static_cast<double>(v.size()) + 1e-9));
  double sum = 0.0;
  for (std::size_t i = g; i < sorted.size() - g; ++i)
    sum += sorted[i];
  return sum / static_cast<double>(sorted.size() - 2 * g);
}

}  // namespace models
