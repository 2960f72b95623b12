#include "sim/random.hpp"

#include <boost/random/normal_distribution.hpp>

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
  return boost::random::normal_distribution<double>(mean, sd)(*this);
}

}  // namespace sim
