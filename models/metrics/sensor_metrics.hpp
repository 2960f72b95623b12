#pragma once
// The per-epoch series of a sensor-network run, declared once with units and meaning.

#include <array>
#include <string>
#include <vector>

#include "models/metrics/epoch_tally.hpp"
#include "sim/recorder.hpp"

namespace models {

/// What the metrics need to know of the run to declare its series.
struct MetricsLayout {
  double epoch_days = 1.0;
  std::vector<std::string> check_kinds;       // the reading checks, in pipeline order
  bool coverage = false;                      // proof of coverage is on
  std::vector<std::string> hardware_classes;  // for the payback series, in this order
  bool providers = false;                     // storage or compute providers take part
};

/// Declares the /epochs series of the output contract and appends one row per EpochTally.
///   SensorMetrics m(layout);  m.record(tally);  m.recorder().write(writer, "epochs");
class SensorMetrics {
 public:
  explicit SensorMetrics(MetricsLayout layout);
  void record(const EpochTally& t);
  const sim::Recorder& recorder() const { return recorder_; }
  const MetricsLayout& layout() const { return layout_; }
  /// Every epoch recorded so far, added up (the end-of-run summary).
  const EpochTally& totals() const { return totals_; }

 private:
  using Count = sim::Recorder::CountSeries;
  using Real = sim::Recorder::RealSeries;
  template <class T>
  using PerBehaviour = std::array<T, kBehaviourCount>;
  struct CheckSeries {
    Count judged, rejected_bad, rejected_good, passed_bad;
    Real false_accept_rate, false_reject_rate;
  };

  void declare_quality();
  void declare_coverage();
  void declare_tokens();
  void declare_economy();
  void record_economy(const EpochTally& t);
  void add_to_totals(const EpochTally& t);

  MetricsLayout layout_;
  EpochTally totals_;
  sim::Recorder recorder_;
  Count epoch_;
  Real end_days_;
  Count sensors_;
  PerBehaviour<Count> online_;
  Count submitted_, lost_, late_, arrived_, accepted_, rejected_;
  Count rejected_bounds_, rejected_jump_, rejected_outlier_, rejected_constant_, unverified_;
  Count bad_arrived_, bad_accepted_;
  Real rmse_c_, false_accept_rate_, false_reject_rate_;
  PerBehaviour<Count> b_submitted_, b_arrived_, b_accepted_, b_rejected_, b_bad_accepted_;
  std::vector<CheckSeries> checks_;
  Count hexes_;
  Real hexes_claimed_share_, hexes_valid_share_;
  Count forged_reports_, forged_valid_, genuine_reports_, genuine_rejected_;
  PerBehaviour<Count> beacons_, beacons_valid_, reports_, reports_valid_;
  PerBehaviour<Real> units_;
  PerBehaviour<Count> flagged_;
  PerBehaviour<Real> pol_mean_;
  Real minted_, undistributed_, supply_, fraud_leakage_;
  PerBehaviour<Real> paid_, cost_usd_, earned_usd_;
  struct EconomySeries {
    Real reminted, burned, slashed, not_minted, to_validators, to_treasury, circulating, locked,
        vesting, protocol, treasury, market, unmet_burn;
    Real price, market_cap, emission_usd, demand_usd, usd_kept, burn_mint_ratio, tokens_sold,
        usd_to_sellers, usd_per_accepted_reading;
    Count active, joined, left, slashed_operators, nodes_joined, nodes_left;
    Real share_profitable, mean_roi, median_roi, gini_rewards, gini_stake;
    Count nakamoto_rewards, nakamoto_stake;
    // With storage or compute providers only:
    Real to_storage, to_compute, client_usd, client_tokens, take_tokens, service_burn_usd;
    Real endowment_in, endowment_out, endowment, collateral_locked, collateral_released;
    Real collateral, penalties, penalties_to_reporters, penalties_unpaid;
    std::vector<Real> payback_days, paid_back_share;
  } econ_;
};

}  // namespace models
