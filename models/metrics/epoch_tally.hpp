#pragma once
// What happened in one epoch, counted with the knowledge only a simulator has.

#include <array>
#include <cstdint>
#include <vector>

#include "models/economy/ledger.hpp"
#include "models/economy/token_economy.hpp"
#include "models/nodes/behaviour.hpp"

namespace models {

/// One reading check's confusion matrix against the truth, over the readings it judged (those
/// still accepted when it ran). Bad = farther from the truth than metrics.bad_error_c.
struct CheckTally {
  std::int64_t judged = 0;
  std::int64_t rejected_bad = 0;   // true rejections
  std::int64_t rejected_good = 0;  // false rejections
  std::int64_t passed_bad = 0;     // false acceptances
};

/// Proof of coverage as the simulator sees it: beacons and witness reports by the behaviour of
/// the node that sent them, and whether the reports were physically real.
struct CoverageTally {
  using PerBehaviour = std::array<std::int64_t, kBehaviourCount>;
  PerBehaviour beacons{};             // beacons that reached the oracle
  PerBehaviour beacons_valid{};       // ... and passed the beacon checks
  PerBehaviour reports{};             // witness reports that reached the oracle, by witness
  PerBehaviour reports_valid{};       // ... rewarded
  std::int64_t forged_reports = 0;    // reports of beacons the witness never heard
  std::int64_t forged_valid = 0;      // ... rewarded all the same
  std::int64_t genuine_reports = 0;   // reports of beacons really heard, honestly reported
  std::int64_t genuine_rejected = 0;  // ... rejected by a check (not merely unselected)
  std::array<double, kBehaviourCount> units{};  // HIP-15 units x hex scale earned
};

/// Counts per behaviour for one epoch: readings at each stage, verdicts, and tokens paid.
/// Built by the world at the epoch's close, consumed by the metrics recorder.
struct EpochTally {
  using PerBehaviour = std::array<std::int64_t, kBehaviourCount>;

  std::int64_t epoch = 0;
  std::int64_t sensors = 0;  // sensors in the network during the epoch
  PerBehaviour online{};     // sensors working and connected at the epoch's end
  PerBehaviour submitted{};  // readings taken and sent
  PerBehaviour lost{};       // lost on a link, cut off by a partition, or unroutable
  PerBehaviour late{};       // delivered after the epoch's cut-off
  PerBehaviour arrived{};    // delivered in time and judged
  PerBehaviour accepted{};
  PerBehaviour bad_arrived{};   // arrived readings farther than bad_error_c from the truth
  PerBehaviour bad_accepted{};  // ... accepted all the same
  std::int64_t rejected_bounds = 0;
  std::int64_t rejected_jump = 0;
  std::int64_t rejected_outlier = 0;
  std::int64_t rejected_constant = 0;
  std::int64_t unverified = 0;         // accepted without enough neighbours to compare with
  double accepted_sq_error_sum = 0.0;  // sum over accepted readings of (value - truth)^2
  std::vector<CheckTally> checks;      // one per reading check, in pipeline order
  CoverageTally coverage;
  std::int64_t hexes = 0;          // cells of the coverage grid over the region
  std::int64_t hexes_claimed = 0;  // cells with an accepted reading claimed in them
  std::int64_t hexes_valid = 0;    // cells with an accepted reading that is truly good
  PerBehaviour flagged{};          // nodes on the collusion denylist
  std::array<double, kBehaviourCount> pol_sum{};  // sum of PoL scores, for the mean
  Tokens minted = 0;
  Tokens undistributed = 0;   // unpaid share of the emission, sent to the treasury
  Tokens providers_paid = 0;  // paid to storage and compute providers from their roles' pools
  std::array<Tokens, kBehaviourCount> paid{};
  std::array<double, kBehaviourCount> cost_usd{};    // operators' capex (first epoch) and opex
  std::array<double, kBehaviourCount> earned_usd{};  // paid, at the epoch's closing price
  Tokens supply = 0;
  double usd_per_accepted_reading = 0.0;  // node rewards at the closing price per accepted reading
  std::int64_t nodes_joined = 0;          // at this close (they run from the next epoch)
  std::int64_t nodes_left = 0;
  std::vector<double> payback_days;     // per hardware class (MetricsLayout::hardware_classes)
  std::vector<double> paid_back_share;  // per hardware class
  EconomyTally economy;
};

}  // namespace models
