#include "models/economy/concentration.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>

namespace models {

namespace {

void check_amounts(std::span<const double> amounts, const char* who) {
  for (const double x : amounts) {
    if (!(std::isfinite(x) && x >= 0.0)) {
      throw std::invalid_argument(std::string(who) + ": amounts must be finite and non-negative");
    }
  }
}

}  // namespace

double gini(std::span<const double> amounts) {
  check_amounts(amounts, "gini");
  std::vector<double> x(amounts.begin(), amounts.end());
  std::sort(x.begin(), x.end());
  const auto n = static_cast<double>(x.size());
  double total = 0.0;
  double weighted = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    total += x[i];
    // (2i − n − 1) with 1-based i, written for the 0-based index.
    weighted += (2.0 * static_cast<double>(i + 1) - n - 1.0) * x[i];
  }
  if (total <= 0.0) return 0.0;
  return weighted / (n * total);
}

std::size_t nakamoto(std::span<const double> amounts, double threshold) {
  check_amounts(amounts, "nakamoto");
  if (!(threshold >= 0.0 && threshold < 1.0)) {
    throw std::invalid_argument("nakamoto: threshold must be in [0, 1)");
  }
  std::vector<double> x(amounts.begin(), amounts.end());
  std::sort(x.begin(), x.end(), std::greater<>());
  double total = 0.0;
  for (const double v : x)
    total += v;
  if (total <= 0.0) return 0;
  // A share within 1e-12 of the threshold counts as equal to it, so that five of ten equal
  // holders are exactly one half even when the amounts do not add up exactly in floating point.
  const double needed = threshold * total + 1e-12 * total;
  double held = 0.0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    held += x[k];
    if (held > needed) return k + 1;
  }
  return x.size();  // unreachable for threshold < 1 but for rounding in the last addition
}

std::vector<double> sum_by_group(std::span<const double> amounts,
                                 std::span<const std::uint32_t> group, std::size_t groups) {
  if (amounts.size() != group.size()) {
    throw std::invalid_argument("sum_by_group: one group per amount");
  }
  std::vector<double> out(groups, 0.0);
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    if (group[i] >= groups) {
      throw std::invalid_argument("sum_by_group: group id out of range");
    }
    out[group[i]] += amounts[i];
  }
  return out;
}

}  // namespace models
