// The points of a sweep's design: the grid's product of axes, and random, Latin-hypercube and
// Sobol samples of its ranges and lists.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "cli/sweep_spec.hpp"
#include "sim/random.hpp"

namespace depinsim_cli {

namespace {

/// The value of a parameter at quantile u in [0, 1): a list is cut into equal strata, a range
/// mapped linearly or logarithmically.
std::string value_at(const SweptParameter& p, double u) {
  if (!p.continuous()) {
    const auto n = p.values.size();
    return p.values[std::min(n - 1, static_cast<std::size_t>(u * static_cast<double>(n)))];
  }
  const double x = p.log_scale
                       ? std::exp(std::log(p.from) + (std::log(p.to) - std::log(p.from)) * u)
                       : p.from + (p.to - p.from) * u;
  return number_text(x, p.integer);
}

}  // namespace

std::vector<SweepPoint> expand_points(const SweepSpec& spec) {
  std::vector<SweepPoint> points;
  if (spec.design == Design::grid) {
    std::vector<std::size_t> sizes;
    std::size_t total = 1;
    for (const auto& axis : spec.axes) {
      sizes.push_back(spec.parameters[axis.front()].values.size());
      total *= sizes.back();
    }
    for (std::size_t id = 0; id < total; ++id) {
      SweepPoint point{static_cast<std::int64_t>(id),
                       std::vector<std::string>(spec.parameters.size())};
      std::size_t rest = id;
      for (std::size_t a = spec.axes.size(); a-- > 0;) {  // the last axis varies fastest
        const std::size_t index = rest % sizes[a];
        rest /= sizes[a];
        for (std::size_t p : spec.axes[a])
          point.values[p] = spec.parameters[p].values[index];
      }
      points.push_back(std::move(point));
    }
    return points;
  }

  // Sampled designs: one quantile in [0, 1) per axis and sample, shared by a zip group.
  const auto n = static_cast<std::size_t>(spec.samples);
  const sim::RandomStreams streams(spec.base_seed, 0);
  std::vector<std::vector<double>> u(spec.axes.size(), std::vector<double>(n));
  for (std::size_t a = 0; a < spec.axes.size(); ++a) {
    if (spec.design == Design::random) {
      sim::RandomStream rng = streams.stream("sweep.design.random", a);
      for (double& x : u[a])
        x = rng.uniform();
    } else if (spec.design == Design::lhs) {
      // McKay, Beckman and Conover (1979): each of the n strata of every axis is hit once, in
      // an independent random order per axis, at a uniform place inside the stratum.
      sim::RandomStream rng = streams.stream("sweep.design.lhs", a);
      std::vector<std::size_t> stratum(n);
      std::iota(stratum.begin(), stratum.end(), std::size_t{0});
      for (std::size_t i = n; i > 1; --i)
        std::swap(stratum[i - 1], stratum[rng.uniform_int(i)]);
      for (std::size_t s = 0; s < n; ++s)
        u[a][s] = (static_cast<double>(stratum[s]) + rng.uniform()) / static_cast<double>(n);
    } else {
      // A random digital shift keeps the net structure (each of the first 2^m points in its
      // own 2^-m stratum) and moves point 0 off the corner of the box.
      sim::RandomStream rng = streams.stream("sweep.design.sobol", a);
      const auto shift = static_cast<std::uint32_t>(rng.next_u64() >> 32);
      for (std::size_t s = 0; s < n; ++s)
        u[a][s] = (static_cast<double>(sobol_bits(s, a) ^ shift) + 0.5) * 0x1.0p-32;
    }
  }
  for (std::size_t s = 0; s < n; ++s) {
    SweepPoint point{static_cast<std::int64_t>(s),
                     std::vector<std::string>(spec.parameters.size())};
    for (std::size_t a = 0; a < spec.axes.size(); ++a) {
      for (std::size_t p : spec.axes[a])
        point.values[p] = value_at(spec.parameters[p], u[a][s]);
    }
    points.push_back(std::move(point));
  }
  return points;
}

// ------------------------------------------------------------------------------------- Sobol

namespace {

// Joe and Kuo, "Constructing Sobol sequences with better two-dimensional projections", SIAM J.
// Sci. Comput. 30 (2008) 2635-2654; file new-joe-kuo-6.21201, dimensions 2 to 21: degree s of
// the primitive polynomial, its coefficients a, and the initial direction numbers m_1..m_s.
struct SobolRow {
  unsigned s;
  unsigned a;
  std::array<std::uint32_t, 7> m;
};
constexpr std::array<SobolRow, kSobolDimensions - 1> kJoeKuo{{
    {1, 0, {1}},
    {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},
    {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},
    {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},
    {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},
    {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},
    {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},
    {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},
    {6, 19, {1, 1, 1, 15, 7, 5}},
    {6, 22, {1, 3, 1, 15, 13, 25}},
    {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},
}};

constexpr unsigned kSobolBits = 32;
using Directions = std::array<std::uint32_t, kSobolBits>;

Directions directions(std::size_t dimension) {
  Directions v{};
  if (dimension == 0) {
    for (unsigned i = 0; i < kSobolBits; ++i)
      v[i] = 1U << (kSobolBits - 1 - i);
    return v;
  }
  const SobolRow& row = kJoeKuo[dimension - 1];
  for (unsigned i = 0; i < row.s && i < kSobolBits; ++i)
    v[i] = row.m[i] << (kSobolBits - 1 - i);
  for (unsigned i = row.s; i < kSobolBits; ++i) {
    v[i] = v[i - row.s] ^ (v[i - row.s] >> row.s);
    for (unsigned k = 1; k < row.s; ++k) {
      if (((row.a >> (row.s - 1 - k)) & 1U) != 0) v[i] ^= v[i - k];
    }
  }
  return v;
}

}  // namespace

std::uint32_t sobol_bits(std::uint64_t index, std::size_t dimension) {
  static const std::array<Directions, kSobolDimensions> kDirections = [] {
    std::array<Directions, kSobolDimensions> all{};
    for (std::size_t d = 0; d < kSobolDimensions; ++d)
      all[d] = directions(d);
    return all;
  }();
  // Gray-code order: point i is the XOR of the direction numbers of the set bits of i ^ (i >> 1).
  const Directions& v = kDirections.at(dimension);
  const std::uint64_t gray = index ^ (index >> 1);
  std::uint32_t x = 0;
  for (unsigned bit = 0; bit < kSobolBits; ++bit) {
    if (((gray >> bit) & 1U) != 0) x ^= v[bit];
  }
  return x;
}

}  // namespace depinsim_cli
