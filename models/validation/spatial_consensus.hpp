#pragma once
// Robust comparison of each reading with its neighbours' readings of the same moment.

#include <cstdint>
#include <span>
#include <vector>

#include "models/validation/submission.hpp"
#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

struct ConsensusSpec {
  int neighbours = 8;  // k nearest sensors by claimed position
  double max_distance_km = 30.0;
  double z_max = 3.5;        // robust z-score above which a reading is an outlier
  int min_neighbours = 3;    // fewer readings than this in the window: cannot judge, accept
  double mad_floor_c = 0.5;  // lower bound on the robust spread, for very quiet neighbourhoods
  sim::Time window = sim::Time::hours(1);
};

/// Reads the `validation.consensus:` section.
ConsensusSpec read_consensus_spec(sim::config::Section s);

/// Spatial consensus: a reading taken in time window w is compared with the readings of its
/// k nearest neighbours (by claimed position, within max_distance_km) taken in the same
/// window. With m their median and MAD their median absolute deviation,
///   z = |value - m| / max(1.4826 * MAD, mad_floor_c),
/// and the reading is an outlier when z > z_max (Iglewicz & Hoaglin, "How to Detect and Handle
/// Outliers", ASQC 1993, use 1.4826 * MAD as the normal-consistent spread and 3.5 as the cut).
/// Median and MAD tolerate up to half the neighbours lying. Only readings that passed the
/// earlier checks take part, as judged or as neighbours.
///   SpatialConsensus c(spec, x_km, y_km);  c.check(subs, verdicts, epoch_start, epoch_length);
class SpatialConsensus {
 public:
  SpatialConsensus(const ConsensusSpec& spec, std::span<const double> x_km,
                   std::span<const double> y_km);

  /// Turns accepted verdicts into Verdict::outlier where the neighbours disagree. Returns how
  /// many accepted readings had too few neighbours to be judged. Runs in parallel (OpenMP) over
  /// submissions; each verdict depends only on the inputs, so any thread count gives the same.
  std::int64_t check(std::span<const Submission> submissions, std::span<Verdict> verdicts,
                     sim::Time epoch_start, sim::Time epoch_length) const;

  /// The sensors a reading of `sensor` is compared with, nearest first.
  std::span<const std::uint32_t> neighbours_of(std::uint32_t sensor) const {
    return {neighbours_.data() + std::size_t{sensor} * stride_, neighbour_count_[sensor]};
  }

 private:
  ConsensusSpec spec_;
  std::size_t sensors_ = 0;
  std::size_t stride_ = 0;                 // = spec_.neighbours
  std::vector<std::uint32_t> neighbours_;  // sensors_ x stride_, nearest first
  std::vector<std::uint8_t> neighbour_count_;
};

}  // namespace models
