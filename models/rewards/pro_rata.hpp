#pragma once
// Splitting an epoch's reward pool in proportion to scores.

#include <cstdint>
#include <span>
#include <vector>

#include "models/economy/ledger.hpp"

namespace models {

/// The result of a pro-rata split: one payout per node and what could not be divided.
struct ProRataSplit {
  std::vector<Tokens> payouts;
  Tokens remainder = 0;  // pool - sum(payouts): rounding dust, or the whole pool if no one scored
};

/// payout_i = floor(pool * score_i / sum(scores)), in exact integer arithmetic, so that the
/// payouts never exceed the pool and the remainder is below the number of scoring nodes.
///   auto split = split_pro_rata(pool, accepted_readings);
ProRataSplit split_pro_rata(Tokens pool, std::span<const std::int64_t> scores);

}  // namespace models
