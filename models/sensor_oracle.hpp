#pragma once
// The oracle of a sensor network: every mechanism the network's own oracle would run, from the
// readings and reports it receives to the payouts of an epoch. It never sees the ground truth.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "models/economy/ledger.hpp"
#include "models/rewards/hex_density.hpp"
#include "models/scenario.hpp"
#include "models/validation/collusion.hpp"
#include "models/validation/proof_of_coverage.hpp"
#include "models/validation/proof_of_location.hpp"
#include "models/validation/reading_checks.hpp"
#include "models/validation/reputation.hpp"

namespace models {

/// What the oracle knows of each station from its registration: claimed position, promised
/// sampling, hardware class weight. Seniority is the registration order (the index).
struct StationRegistry {
  std::span<const double> x_km;
  std::span<const double> y_km;
  std::span<const sim::Time> sampling;
  std::span<const double> reward_weight;
  std::size_t size() const { return x_km.size(); }
};

/// Per-station scores and payouts the oracle publishes for one epoch.
struct EpochRewards {
  std::vector<Tokens> payouts;         // per station
  Tokens to_treasury = 0;              // undistributed: rounding, unpaid scores, unused pools
  std::vector<double> qod;             // per station, [0, 1]
  std::vector<double> pol;             // per station, [0, 1]
  std::vector<double> reputation;      // per station, [0, 1] (1 without a reputation system)
  std::vector<double> coverage_units;  // per station: HIP-15 units x hex scale (helium_iot)
  std::vector<std::uint8_t> flagged;   // per station: suspected of collusion this epoch
};

/// Runs the scenario's mechanisms in the order an oracle would: the reading checks on each
/// epoch's readings; beacons and witness reports through proof of coverage as they come, feeding
/// proof of location and the witness graph; at the epoch's end reputation, collusion detection
/// and the reward rule.
///   SensorOracle o(scenario, registry);  o.reading_check(k).check(batch);  o.close_epoch(...);
class SensorOracle {
 public:
  /// Keeps references to `scenario` and to the registry's columns: both must outlive the oracle
  /// (SensorWorld owns all three).
  SensorOracle(const Scenario& scenario, const StationRegistry& stations);

  std::size_t reading_checks() const { return checks_.size(); }
  ReadingCheck& reading_check(std::size_t k) { return *checks_[k]; }
  const std::string& reading_check_kind(std::size_t k) const { return kinds_[k]; }

  bool has_coverage() const { return poc_.has_value(); }
  /// Verifies one beacon and its witness reports (in order of the beacon's receipt) and lets
  /// the result feed proof of location, the witness graph and the epoch's coverage units.
  /// `prechecked`: precheck_beacon()'s answer for the same reports, made since the last close.
  /// The result stays valid until the next call.
  const PocResult& verify_beacon(const Beacon& beacon, std::span<const WitnessReport> reports,
                                 sim::Time now, std::span<const WitnessVerdict> prechecked = {});
  /// The witness checks that need no history (ProofOfCoverage::precheck), one verdict per report
  /// into `out`: thread-safe, so the beacons due between two closes can be prechecked in
  /// parallel.
  void precheck_beacon(const Beacon& beacon, std::span<const WitnessReport> reports,
                       std::span<WitnessVerdict> out) const;

  /// Closes an epoch: the verdicts of the readings judged in it, the emission to distribute and
  /// the token value of the data buyers paid for (Helium's data credits burned; helium_iot pays
  /// it to the stations whose readings were accepted, up to the data pool's cap).
  EpochRewards close_epoch(sim::Time epoch_end, std::span<const Submission> judged,
                           std::span<const Verdict> verdicts, Tokens emission,
                           Tokens data_usage = 0);

 private:
  void pay_data(Tokens pool, EpochRewards& r) const;
  void pay_coverage(Tokens beacons, Tokens witnesses, EpochRewards& r) const;
  std::vector<double> shares_for_pool(std::span<const double> units,
                                      std::span<const double> hex_scale,
                                      std::span<const double> reputation,
                                      std::span<const std::uint8_t> flagged) const;

  const Scenario& scenario_;
  StationRegistry stations_;
  std::vector<std::unique_ptr<ReadingCheck>> checks_;
  std::vector<std::string> kinds_;
  std::optional<ProofOfCoverage> poc_;
  std::optional<ProofOfLocation> pol_;
  std::optional<BetaReputation> reputation_;
  std::optional<CollusionDetector> collusion_;
  std::vector<std::uint8_t> flagged_;  // on the collusion denylist (for good)
  std::int64_t closed_epochs_ = 0;
  std::vector<HexCell> res11_cell_;
  HexDensityPlan hex_density_;        // over res11_cell_
  std::vector<HexCell> reward_cell_;  // WeatherXM cells (res 7)
  // This epoch's coverage units (HIP-15) and activity, per station.
  std::vector<double> beacon_units_;
  std::vector<double> witness_units_;
  std::vector<std::uint8_t> active_;
  std::vector<std::int64_t> bad_reports_;  // witness reports failing a location check
  // Location evidence of the beacons verified since the last close, judged at the close in
  // parallel over beaconers (each beaconer's in the order verified): one beacon's PoL reads and
  // writes nothing but its beaconer's score.
  struct LocationEvidence {
    std::uint32_t node;
    sim::Time at;
    std::size_t first, count;  // in observations_
  };
  // Proof of location for the beacons verified since the last close, in parallel over nodes;
  // `beside`, if given, runs on one thread meanwhile (work that shares nothing with it).
  void judge_locations(const std::function<void()>& beside);
  std::vector<LocationEvidence> evidence_;
  std::vector<WitnessObservation> observations_;
  PocResult verified_;  // verify_beacon()'s last answer
};

}  // namespace models
