#include "sim/random.hpp"

#include <cmath>
#include <numbers>

namespace sim {

std::uint64_t RandomStream::uniform_int_rejecting(std::uint64_t n, U128 m) {
  // Precondition: the low half of m is below n. Rejects draws whose low half is below
  // 2^64 mod n, which leaves every result equally likely.
  const std::uint64_t threshold = (0 - n) % n;
  while (static_cast<std::uint64_t>(m) < threshold)
    m = static_cast<U128>(next_u64()) * n;
  return static_cast<std::uint64_t>(m >> 64);
}

double RandomStream::normal(double mean, double sd) {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return mean + sd * spare_normal_;
  }
  const double r = std::sqrt(-2.0 * std::log(uniform_open0()));
  const double theta = 2.0 * std::numbers::pi * uniform();
  spare_normal_ = r * std::sin(theta);
  has_spare_normal_ = true;
  return mean + sd * r * std::cos(theta);
}

}  // namespace sim
