#pragma once
// What an oracle receives from a sensor, and what it decides about it.

#include <cstdint>
#include <string_view>

#include "sim/time.hpp"

namespace models {

/// One reading as the oracle sees it: who claims it, when it was taken, the value. No truth.
struct Submission {
  std::uint32_t sensor = 0;
  sim::Time taken;
  double value_c = 0.0;
};

/// The oracle's decision on one submission; the first check that fails names the rejection.
enum class Verdict : std::uint8_t {
  accepted,
  out_of_bounds,  ///< outside the physically plausible range
  jump,           ///< changed faster than the quantity can
  outlier,        ///< too far from the neighbours' robust consensus
  constant,       ///< the same value for longer than the quantity stays still
};

constexpr bool is_accepted(Verdict v) {
  return v == Verdict::accepted;
}

constexpr std::string_view name_of(Verdict v) {
  switch (v) {
    case Verdict::accepted:
      return "accepted";
    case Verdict::out_of_bounds:
      return "out_of_bounds";
    case Verdict::jump:
      return "jump";
    case Verdict::outlier:
      return "outlier";
    case Verdict::constant:
      return "constant";
  }
  return "unknown";
}

}  // namespace models
