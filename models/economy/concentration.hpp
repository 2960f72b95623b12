#pragma once
// Concentration of rewards, stake or nodes: the Gini coefficient and the Nakamoto coefficient.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace models {

/// Gini coefficient of non-negative amounts (C. Gini, "Variabilità e mutabilità", 1912), in the
/// sorted-sample form G = Σ_i (2i − n − 1)·x_(i) / (n·Σx), i = 1..n over x sorted ascending
/// [U: standard]. 0 when everyone holds the same, (n − 1)/n when one of n holds everything (the
/// sample form never reaches 1), 0 for an empty or all-zero sample. Invariant under scaling and
/// reordering. O(n log n). Throws std::invalid_argument on a negative or non-finite amount.
///   double g = gini(rewards_per_operator);
double gini(std::span<const double> amounts);

/// Nakamoto coefficient (B. Srinivasan and L. Lee, "Quantifying Decentralization", 2017)
/// [U: standard]: the smallest number of holders whose combined share is strictly greater than
/// `threshold` (default one half: a majority; a share within 1e-12 of it is not greater). 0 when
/// the total is 0. Throws std::invalid_argument on a negative or non-finite amount or a threshold
/// outside [0, 1).
///   std::size_t k = nakamoto(rewards_per_operator);  // a majority
///   std::size_t k3 = nakamoto(stake, 1.0 / 3.0);     // enough to halt a BFT chain
std::size_t nakamoto(std::span<const double> amounts, double threshold = 0.5);

/// Sums amounts by group: out[g] = Σ amounts[i] over i with group[i] = g, g < groups. Use it to
/// aggregate nodes to their operators before measuring concentration (one operator running many
/// nodes is one holder). Throws std::invalid_argument on a size mismatch or a group ≥ groups.
///   auto per_operator = sum_by_group(per_node, sensors.operator_id, sensors.operators);
std::vector<double> sum_by_group(std::span<const double> amounts,
                                 std::span<const std::uint32_t> group, std::size_t groups);

}  // namespace models
