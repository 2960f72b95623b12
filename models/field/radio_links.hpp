#pragma once
// Who can physically hear whom: for every transmitter, the receivers in range and the mean power
// they receive, computed once from true positions.

#include <cstdint>
#include <span>
#include <vector>

#include "models/field/radio_channel.hpp"

namespace models {

/// One receiver of a transmitter's signal and its mean received power (before shadowing and
/// the losses particular to either end).
struct RadioLink {
  std::uint32_t receiver = 0;
  float mean_dbm = 0.0f;
};

/// Candidate receivers per transmitter in compressed rows: every node within max_range_km whose
/// mean power is within 4 shadowing standard deviations of the sensitivity, so that dropping the
/// rest loses a reception with probability below 3.2e-5. Found with a Boost.Geometry R-tree.
///   RadioLinks links(spec, x_km, y_km, tx_dbm, gain_dbi);  for (auto l : links.of(i)) ...
class RadioLinks {
 public:
  /// Positions are where the nodes really are; tx power and gain per node.
  RadioLinks(const RadioSpec& spec, std::span<const double> x_km, std::span<const double> y_km,
             std::span<const double> tx_power_dbm, std::span<const double> gain_dbi);

  std::span<const RadioLink> of(std::uint32_t transmitter) const {
    return {links_.data() + start_[transmitter], start_[transmitter + 1] - start_[transmitter]};
  }
  std::size_t links() const { return links_.size(); }

 private:
  std::vector<std::size_t> start_;  // size nodes + 1
  std::vector<RadioLink> links_;
};

}  // namespace models
