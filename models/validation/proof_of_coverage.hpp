#pragma once
// Helium-style proof of coverage: an oracle checks radio beacons and the witnesses that say they
// heard them, then shares HIP-15 reward units among the beaconer and the first witnesses.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

/// Parameters of the IoT proof of coverage as Helium's oracle ran it (helium/oracles iot_verifier
/// poc.rs, runner.rs; HIP-15, HIP-83). Distances are between claimed positions on a plane.
///   PocSpec spec;  spec.max_witnesses = 14;
struct PocSpec {
  sim::Time beacon_interval = sim::Time::hours(6);  // at most one beacon per bucket; divides 24 h
  sim::Time entropy_lifespan = sim::Time::seconds(180);
  sim::Time max_witness_lag = sim::Time::millis(4000);  // witness after the beacon's receipt
  sim::Time max_lag_after_first_witness = sim::Time::millis(1500);  // witnesses came first
  double max_frequency_offset_hz = 100e3;
  double min_distance_km = 0.32;  // Helium: 8 res-11 H3 cells, about 320 m
  double max_distance_km = 100.0;
  sim::Time reciprocity_window = sim::Time::hours(48);
  int max_witnesses = 14;      // HIP-83: the first to respond are rewarded
  int witness_redundancy = 4;  // HIP-15 N
  double decay_rate = 0.8;     // HIP-15 r
};

/// Reads the `validation.coverage:` section (`kind: helium_poc`).
PocSpec read_poc_spec(sim::config::Section s);

/// HIP-15 units of the beaconer of a beacon with `witnesses` rewarded witnesses:
/// 0 for none, w/N up to N, then min(2, 2 − r^(w−N)); rounded to 4 decimals
/// (helium/oracles iot_verifier runner.rs poc_beaconer_reward_unit).
double beaconer_reward_units(int witnesses, int redundancy, double decay);

/// HIP-15 units of each rewarded witness: 0 for none, 1 up to N, then
/// min(2, (N − (1 − r^(w−N)))/w); rounded to 4 decimals (runner.rs poc_per_witness_reward_unit).
/// For w ≥ N the beaconer and the witnesses together get N + 1 units.
double witness_reward_units(int witnesses, int redundancy, double decay);

/// A beacon as the oracle receives it. The gain is the beaconer's asserted antenna gain.
struct Beacon {
  std::uint32_t beaconer = 0;
  sim::Time entropy_start;  // when the entropy the beacon was built from was published
  sim::Time received;       // when the oracle received the beacon report
  std::uint64_t payload = 0;
  double frequency_hz = 0.0;
  double tx_power_dbm = 0.0;
  int gain_ddbi = 0;  // deci-dBi
};

/// A witness report: a hotspot says it heard a beacon. The gain is the witness's asserted gain.
struct WitnessReport {
  std::uint32_t witness = 0;
  sim::Time received;  // when the oracle received the witness report
  std::uint64_t payload = 0;
  double frequency_hz = 0.0;
  double signal_dbm = 0.0;
  int gain_ddbi = 0;  // deci-dBi
};

/// The oracle's decision on a beacon; the first check that fails names it.
enum class BeaconVerdict : std::uint8_t {
  valid,
  denied,          ///< the beaconer is on the denylist
  entropy_window,  ///< received outside [entropy_start, entropy_start + lifespan]
  too_frequent,    ///< the beaconer already beaconed in this beacon_interval bucket
};

/// The oracle's decision on a witness report; the first check that fails names it.
enum class WitnessVerdict : std::uint8_t {
  valid,            ///< passed every check and is among the first max_witnesses: rewarded
  beacon_invalid,   ///< the beacon it answers was rejected
  duplicate,        ///< the same hotspot already reported this beacon (earlier receipt kept)
  denied,           ///< the witness, or the beaconer–witness edge, is on the denylist
  self_witness,     ///< the beaconer witnessing its own beacon
  entropy_window,   ///< received outside the entropy's lifespan
  too_late,         ///< received too long after the beacon (or after the first witness)
  payload,          ///< the payload differs from the beacon's
  frequency,        ///< more than max_frequency_offset_hz from the beacon's frequency
  too_close,        ///< claimed position closer than min_distance_km to the beaconer
  too_far,          ///< claimed position farther than max_distance_km from the beaconer
  rssi_too_strong,  ///< stronger than free space allows over the claimed distance
  no_reciprocity,   ///< the witness has not itself beaconed validly within reciprocity_window
  not_selected,     ///< passed every check but came after the first max_witnesses
};

std::string_view name_of(BeaconVerdict v);
std::string_view name_of(WitnessVerdict v);

/// What the oracle publishes about one beacon.
struct PocResult {
  BeaconVerdict beacon = BeaconVerdict::valid;
  std::vector<WitnessVerdict> witnesses;  // one per report, in input order
  int selected = 0;                       // witnesses rewarded (verdict valid)
  double beaconer_units = 0.0;            // 0 for an invalid beacon
  double units_per_witness = 0.0;         // to each selected witness
};

/// Verifies beacons and witness reports against claimed positions, a denylist and each hotspot's
/// history, as Helium's IoT oracle did (helium/oracles iot_verifier poc.rs, runner.rs):
/// beacon checks (denylist, entropy window, one beacon per bucket), then witness checks in order
/// (denylist and denied edge, self-witness, entropy window, lag, payload, frequency, minimum and
/// maximum distance, free-space RSSI, reciprocity), then the first max_witnesses by receipt are
/// rewarded with HIP-15 units. The state (buckets, reciprocity) makes verification order matter:
/// beacons must be verified in order of receipt.
///   ProofOfCoverage poc(spec, x_km, y_km);  PocResult r = poc.verify(beacon, reports);
class ProofOfCoverage {
 public:
  ProofOfCoverage(const PocSpec& spec, std::span<const double> claimed_x_km,
                  std::span<const double> claimed_y_km);

  /// Records a new claimed position for `hotspot` (its history is kept).
  void relocate(std::uint32_t hotspot, double x_km, double y_km);
  /// Puts a hotspot on the denylist: its beacons and witness reports are rejected from now on.
  void deny(std::uint32_t hotspot);
  /// Denies the edge between two hotspots, in both directions (edges are undirected in Helium's
  /// denylist): each one's witness reports of the other's beacons are rejected.
  void deny_edge(std::uint32_t beaconer, std::uint32_t witness);

  /// Judges one beacon and its witness reports and updates the hotspots' history. Throws
  /// std::invalid_argument if the beacon was received before the previously verified one, and
  /// std::out_of_range for an unknown hotspot.
  /// `prechecked`, if given, is precheck()'s answer for the same reports, made since the last
  /// deny(), deny_edge() or relocate(): verify() then only adds what depends on history.
  PocResult verify(const Beacon& b, std::span<const WitnessReport> witnesses,
                   std::span<const WitnessVerdict> prechecked = {});
  /// The same into `out`, whose storage is reused (an oracle verifying beacon after beacon).
  void verify(const Beacon& b, std::span<const WitnessReport> witnesses,
              std::span<const WitnessVerdict> prechecked, PocResult& out);
  /// The witness checks that depend on nothing but the beacon, its reports and the denylist and
  /// positions (everything but reciprocity, duplicates included), one verdict per report: valid
  /// where only reciprocity remains to check. Changes nothing, so many beacons can be prechecked at
  /// once, in parallel, and then verified in order of receipt.
  std::vector<WitnessVerdict> precheck(const Beacon& b,
                                       std::span<const WitnessReport> witnesses) const;
  /// The same into `out`, one verdict per report.
  void precheck(const Beacon& b, std::span<const WitnessReport> witnesses,
                std::span<WitnessVerdict> out) const;

  std::size_t hotspots() const { return x_km_.size(); }
  double distance_km(std::uint32_t a, std::uint32_t b) const;

 private:
  // Every witness check but reciprocity.
  WitnessVerdict check_witness(const Beacon& b, const WitnessReport& w,
                               sim::Time first_witness) const;
  WitnessVerdict check_reciprocity(const WitnessReport& w) const;
  bool edge_denied(std::uint32_t a, std::uint32_t b) const;

  PocSpec spec_;
  std::vector<double> x_km_;
  std::vector<double> y_km_;
  std::vector<bool> denied_;
  std::unordered_set<std::uint64_t> denied_edges_;        // (min id << 32) | max id
  std::vector<std::optional<std::int64_t>> last_bucket_;  // bucket of the last counted beacon
  std::vector<std::optional<sim::Time>> last_reciprocal_beacon_;
  std::optional<sim::Time> last_verified_;
  std::vector<std::size_t> passed_;  // verify()'s scratch: reports that passed every check
};

}  // namespace models
