#pragma once
// The end-of-run summary: headline figures of data quality, economics and speed.

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "models/nodes/behaviour.hpp"
#include "models/scenario.hpp"
#include "models/sensor_world.hpp"

namespace depinsim_cli {

/// The headline figures of a finished run, in plain numbers (NaN where undefined).
///   auto s = RunSummary::of(scenario, world, wall);  print_table(std::cout, s);
struct RunSummary {
  std::string scenario;
  std::uint64_t seed = 0;
  std::int64_t sensors = 0;
  std::int64_t epochs = 0;
  std::string epoch_length;
  std::int64_t submitted = 0, arrived = 0, late = 0, lost = 0, accepted = 0;
  double accepted_fraction = 0;       // of arrived
  double bad_accepted_fraction = 0;   // of arrived readings farther than bad_error_c from truth
  double good_rejected_fraction = 0;  // of the other arrived readings
  double rmse_c = 0;                  // accepted readings against the truth
  double tokens_minted = 0;
  std::array<double, models::kBehaviourCount> tokens_paid{};
  std::array<std::int64_t, models::kBehaviourCount> nodes{};  // nodes per behaviour
  double fraud_leakage = 0;         // share of the emission paid to dishonest nodes
  double dishonest_cost_usd = 0;    // capex and opex behind dishonest nodes
  double dishonest_earned_usd = 0;  // their tokens at each epoch's closing price
  // The economy: the price at the end, what was burned, what operators did.
  double price_usd = 0;
  double tokens_burned = 0;
  std::int64_t operators_active = 0, operators_joined = 0, operators_left = 0;
  double share_profitable = 0;
  double median_roi = 0;
  // Storage providers (when the run has them).
  std::int64_t storage_providers = 0;
  double storage_bytes_held = 0, storage_bytes_proven = 0, storage_bytes_lost = 0;
  std::int64_t storage_deals_lost = 0, storage_faults_detected = 0, storage_terminations = 0;
  double storage_mean_detect_days = 0, storage_fees_tokens = 0, storage_damage_usd = 0;
  // Compute providers (when the run has them).
  std::int64_t compute_providers = 0;
  std::int64_t jobs_arrived = 0, jobs_accepted = 0, jobs_wrong_accepted = 0, jobs_missed = 0;
  double compute_verification_share = 0, compute_slashed_tokens = 0;
  double wall_seconds = 0;
  double node_days = 0;  // nodes × simulated days: the work done

  static RunSummary of(const models::Scenario& scenario, const models::SensorWorld& world,
                       double wall_seconds);
};

/// A few aligned lines for people.
void print_table(std::ostream& out, const RunSummary& s);
/// One JSON object for programs (`depinsim run --json`).
void print_json(std::ostream& out, const RunSummary& s, const std::string& output_path);

}  // namespace depinsim_cli
