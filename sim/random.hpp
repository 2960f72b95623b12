#pragma once
// Counter-based random streams (Random123's Philox4x64-10).

#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

#include <Random123/philox.h>

namespace sim {

/// 64-bit FNV-1a of a stream name: stable across builds, platforms and runs.
constexpr std::uint64_t stream_hash(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// Names one random stream: (seed, run) is the Philox key, (stream name, entity) the upper
/// half of its counter. Two different ids give statistically independent streams.
struct StreamId {
  std::uint64_t seed = 0;
  std::uint64_t run = 0;
  std::uint64_t name_hash = 0;
  std::uint64_t entity = 0;
};

/// One random stream: the sequence Philox(key, {name, entity, block, 0}) for block = 0, 1, ...
/// Its draws depend only on its StreamId and how many draws it has made, never on which
/// thread or in which order streams are used. Satisfies UniformRandomBitGenerator.
///   RandomStream rng = streams.stream("sensor.noise", sensor_id);  double z = rng.normal();
class RandomStream {
 public:
  using result_type = std::uint64_t;

  /// Cheap enough to build one per event: the key and counter are set here in the header, so
  /// the compiler keeps them in registers rather than storing the id and reloading it.
  explicit RandomStream(const StreamId& id, std::uint64_t first_block = 0)
      : key_{{id.seed, id.run}}, ctr_{{id.name_hash, id.entity, 0, 0}}, block_(first_block) {}

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() { return next_u64(); }

  std::uint64_t next_u64() {
    if (used_ == 4) refill();
    return buffer_[used_++];
  }
  /// Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform on (0, 1]: never zero, so its logarithm is finite.
  double uniform_open0() { return static_cast<double>((next_u64() >> 11) + 1) * 0x1.0p-53; }
  /// Uniform integer on [0, n), without modulo bias (Lemire 2019). Precondition: n > 0.
  std::uint64_t uniform_int(std::uint64_t n) {
    // Lemire, "Fast random integer generation in an interval", ACM TOMACS 29(1), 2019. The
    // rejection branch is taken with probability below n / 2^64.
    const U128 m = static_cast<U128>(next_u64()) * n;
    if (static_cast<std::uint64_t>(m) < n) return uniform_int_rejecting(n, m);
    return static_cast<std::uint64_t>(m >> 64);
  }
  bool bernoulli(double p) { return uniform() < p; }
  /// Exponential with the given mean.
  double exponential(double mean) { return -mean * std::log(uniform_open0()); }
  /// Normal by the ziggurat method (Boost.Random's normal_distribution, 128 layers after
  /// Marsaglia and Tsang 2000): one 64-bit draw in the common case, and no logarithm or
  /// trigonometry, several times cheaper than the Box-Muller transform.
  double normal(double mean = 0.0, double sd = 1.0);

  /// The next unused counter block: a stream rebuilt with (id, next_block()) continues this one
  /// at a block boundary (draws left in the current block are skipped).
  std::uint64_t next_block() const { return block_; }

 private:
  using Philox = r123::Philox4x64;
  // GCC and Clang's 128-bit integer, named once so that -Wpedantic flags it once.
  __extension__ typedef unsigned __int128 U128;

  void refill() {
    ctr_[2] = block_++;
    buffer_ = Philox()(ctr_, key_);
    used_ = 0;
  }
  std::uint64_t uniform_int_rejecting(std::uint64_t n, U128 m);

  Philox::key_type key_;
  Philox::ctr_type ctr_;
  Philox::ctr_type buffer_;
  std::uint64_t block_ = 0;
  unsigned used_ = 4;
};

/// The factory of every stream in one run: fixed (seed, run), streams named by purpose and entity.
///   RandomStreams streams(42, 0);  auto rng = streams.stream("network.jitter", node);
class RandomStreams {
 public:
  RandomStreams(std::uint64_t seed, std::uint64_t run) : seed_(seed), run_(run) {}
  StreamId id(std::string_view name, std::uint64_t entity = 0) const {
    return StreamId{seed_, run_, stream_hash(name), entity};
  }
  RandomStream stream(std::string_view name, std::uint64_t entity = 0) const {
    return RandomStream(id(name, entity));
  }
  std::uint64_t seed() const { return seed_; }
  std::uint64_t run() const { return run_; }

 private:
  std::uint64_t seed_;
  std::uint64_t run_;
};

}  // namespace sim
