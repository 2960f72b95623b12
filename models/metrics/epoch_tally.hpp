#pragma once
// What happened in one epoch, counted with the knowledge only a simulator has.

#include <array>
#include <cstdint>

#include "models/economy/ledger.hpp"
#include "models/nodes/behaviour.hpp"

namespace models {

/// Counts per behaviour for one epoch: readings at each stage, verdicts, and tokens paid.
/// Built by the world at the epoch's close, consumed by the metrics recorder.
struct EpochTally {
  using PerBehaviour = std::array<std::int64_t, kBehaviourCount>;

  std::int64_t epoch = 0;
  std::int64_t sensors = 0;  // sensors in the network during the epoch
  PerBehaviour submitted{};  // readings taken and sent
  PerBehaviour lost{};       // lost on a link, cut off by a partition, or unroutable
  PerBehaviour late{};       // delivered after the epoch's cut-off
  PerBehaviour arrived{};    // delivered in time and judged
  PerBehaviour accepted{};
  std::int64_t rejected_bounds = 0;
  std::int64_t rejected_jump = 0;
  std::int64_t rejected_outlier = 0;
  std::int64_t unverified = 0;         // accepted without enough neighbours to compare with
  double accepted_sq_error_sum = 0.0;  // sum over accepted readings of (value - truth)^2
  Tokens minted = 0;
  Tokens undistributed = 0;  // the pool's remainder, sent to the treasury
  std::array<Tokens, kBehaviourCount> paid{};
  Tokens supply = 0;
};

}  // namespace models
