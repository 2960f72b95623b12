#pragma once
// Robust comparison of each reading with its neighbours' readings of the same moment.

#include <cstdint>
#include <span>
#include <vector>

#include "models/validation/kriging.hpp"
#include "models/validation/submission.hpp"
#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

/// How a reading is compared with its neighbours.
enum class ConsensusMethod : std::uint8_t {
  median_mad,  ///< distance from their median in units of 1.4826·MAD
  kriging,     ///< distance from their ordinary-kriging estimate in units of its error sd
};

struct ConsensusSpec {
  ConsensusMethod method = ConsensusMethod::median_mad;
  int neighbours = 8;  // k nearest sensors by claimed position
  double max_distance_km = 30.0;
  double z_max = 3.5;        // z-score above which a reading is an outlier
  int min_neighbours = 3;    // fewer trusted readings than this in the window: cannot judge, accept
  double mad_floor_c = 0.5;  // lower bound on the spread, for very quiet neighbourhoods
  sim::Time window = sim::Time::hours(1);
  int iterations = 1;           // rounds of judging; later rounds distrust the worst outliers
  double suspect_weight = 0.0;  // kriging: trust in a neighbour judged an outlier last round
  CovarianceModel covariance;   // kriging: the field's covariance and the readings' nugget
};

/// Reads the `validation.consensus:` section (any Section with these keys: it does not look at
/// `kind`, so it can read one entry of a list of checks).
ConsensusSpec read_consensus_spec(sim::config::Section s);

/// Spatial consensus: a reading taken in time window w is compared with the readings of its
/// k nearest neighbours (by claimed position, within max_distance_km) taken in the same window.
///
/// median_mad: with m their median and MAD their median absolute deviation,
///   z = |value − m| / max(1.4826·MAD, mad_floor_c)
/// (Iglewicz & Hoaglin, "How to Detect and Handle Outliers", ASQC 1993: 1.4826·MAD is the
/// normal-consistent spread, 3.5 the cut). Tolerates up to half the neighbours lying.
/// kriging: with e the ordinary-kriging estimate at the sensor's position and σ²_K its variance
/// (see OrdinaryKriging), z = |value − e| / max(√(σ²_K + nugget), mad_floor_c): the reading's
/// own noise is the nugget. Uses what the oracle assumes about the field (its covariance model)
/// where the median uses nothing, so it is sharper when the model holds.
/// Either way the reading is an outlier when z > z_max.
///
/// With iterations > 1 the check repeats, judging every reading afresh. After each round, an
/// outlier whose z is the largest among the outliers in its neighbourhood becomes a suspect for
/// the rest of the epoch: it stops counting as a neighbour (median_mad, and kriging with
/// suspect_weight 0) or counts with trust suspect_weight (kriging). Taking the worst first
/// keeps a liar's honest neighbours, which its pull makes outliers too, from being distrusted
/// with it (Lu, Chen & Kou, "Algorithms for spatial outlier detection", ICDM 2003, remove one
/// reading per round for the same reason). It stops when a round adds no suspect, or after
/// `iterations` rounds; verdicts are those of the last round. Only readings that passed the
/// earlier checks take part, as judged or as neighbours.
///   SpatialConsensus c(spec, x_km, y_km);  c.check(subs, verdicts, epoch_start, epoch_length);
class SpatialConsensus {
 public:
  SpatialConsensus(const ConsensusSpec& spec, std::span<const double> x_km,
                   std::span<const double> y_km);

  /// Turns accepted verdicts into Verdict::outlier where the neighbours disagree. Returns how
  /// many accepted readings had too few neighbours to be judged. Runs in parallel (OpenMP) over
  /// submissions; each round depends only on the inputs and the round before, so any thread
  /// count gives the same verdicts.
  std::int64_t check(std::span<const Submission> submissions, std::span<Verdict> verdicts,
                     sim::Time epoch_start, sim::Time epoch_length) const;

  /// The sensors a reading of `sensor` is compared with, nearest first.
  std::span<const std::uint32_t> neighbours_of(std::uint32_t sensor) const {
    return {neighbours_.data() + std::size_t{sensor} * stride_, neighbour_count_[sensor]};
  }

  /// Kriging: the weights of neighbours_of(sensor) when all of them report and are trusted
  /// (empty for median_mad).
  std::span<const double> full_kriging_weights(std::uint32_t sensor) const {
    if (kriging_weight_.empty()) return {};
    return {kriging_weight_.data() + std::size_t{sensor} * stride_, neighbour_count_[sensor]};
  }

 private:
  enum class Judgement : std::uint8_t { none, consistent, outlier, unverified };
  /// Judges one reading against its neighbours' readings in table (the row of its window),
  /// leaving its z-score in z.
  Judgement judge(const Submission& s, std::size_t row, std::span<const double> table,
                  std::span<const std::uint8_t> suspect, OrdinaryKriging* solver, double& z) const;

  ConsensusSpec spec_;
  std::size_t sensors_ = 0;
  std::size_t stride_ = 0;                 // = spec_.neighbours
  std::vector<std::uint32_t> neighbours_;  // sensors_ x stride_, nearest first
  std::vector<std::uint8_t> neighbour_count_;
  // Kriging only: positions for fresh solves and, for the usual case of every neighbour present
  // and trusted, the weights and σ²_K, which depend on positions only and are solved once here
  // rather than once per reading.
  std::vector<double> x_km_, y_km_;
  std::vector<double> kriging_weight_;  // sensors_ x stride_
  std::vector<double> kriging_variance_c2_;
};

}  // namespace models
