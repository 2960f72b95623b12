#include "sim/random.hpp"

#include <cmath>
#include <numbers>

namespace sim {

namespace {
// GCC and Clang's 128-bit integer, named once so that -Wpedantic flags it once.
__extension__ typedef unsigned __int128 u128;
}  // namespace

RandomStream::RandomStream(const StreamId& id, std::uint64_t first_block) : block_(first_block) {
  key_ = Philox::key_type{{id.seed, id.run}};
  ctr_ = Philox::ctr_type{{id.name_hash, id.entity, 0, 0}};
}

void RandomStream::refill() {
  ctr_[2] = block_++;
  buffer_ = Philox()(ctr_, key_);
  used_ = 0;
}

std::uint64_t RandomStream::uniform_int(std::uint64_t n) {
  // Lemire, "Fast random integer generation in an interval", ACM TOMACS 29(1), 2019.
  u128 m = static_cast<u128>(next_u64()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<u128>(next_u64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double RandomStream::exponential(double mean) {
  return -mean * std::log(uniform_open0());
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
