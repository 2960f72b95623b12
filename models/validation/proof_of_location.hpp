#pragma once
// Proof of location: does a node's claimed position agree with where its witnesses heard it?

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "sim/config.hpp"
#include "sim/time.hpp"

namespace models {

/// One witness report of a node's beacon: where the witness claims to be and what it heard.
struct WitnessObservation {
  double x_km = 0.0;
  double y_km = 0.0;
  double signal_dbm = 0.0;
};

/// A point in the simulation's plane (km).
struct PositionKm {
  double x_km = 0.0;
  double y_km = 0.0;
};

struct LocationSpec {
  double frequency_hz = 868e6;      // LoRa carrier (EU868) [U]
  double tx_power_dbm = 27.0;       // beaconer's transmit power [U]
  double antenna_gain_dbi = 0.0;    // sum of the beaconer's and the witness's antenna gains [U]
  double path_loss_exponent = 2.7;  // log-distance model, 2 = free space [U]
  double reference_m = 100.0;       // free space up to here, as the radio channel's default [U]
  double tolerance_km = 2.0;        // claim this close to the evidence: PoL 1 [U]
  double zero_score_km = 10.0;      // claim this far or farther: PoL 0 [U]
  std::int64_t min_witnesses = 3;   // fewer cannot fix a position in the plane
  std::int64_t max_witnesses = 16;  // the strongest reports the fit uses (cost per beacon)
  double initial_score = 0.0;       // PoL before any evidence, and after a relocation
  sim::Time relocation_lockout = sim::Time::days(7);  // WeatherXM: PoL 0 for 7 days
};

/// Reads the `validation.location:` section.
LocationSpec read_location_spec(sim::config::Section s);

/// Proof of location from witness geometry. Each reported signal is turned into a distance with
/// the log-distance path-loss model, PL(d) = FSPL(d0) + 10·n·log10(d/d0) beyond d0 =
/// reference_m and free space within it, whose inverse is d = d0·(d_fs/d0)^(2/n) for d_fs > d0
/// (else d_fs), d_fs being the free-space distance for the same loss (radio.hpp); the transmitter
/// is then placed by weighted least squares on those distances (linearised trilateration for a
/// start, then Levenberg-Marquardt on Σ (|p − q_i| − d_i)²/d_i², weights that treat dB noise as a
/// constant relative error in distance). With a claim offset |p̂ − claim| the geometric score is 1
/// up to tolerance_km, falling linearly to 0 at zero_score_km. Each witness must also be no farther
/// from the claim than the free-space distance its signal allows (plus tolerance_km): free space
/// loses least, so a stronger signal means the claim is too far (Helium's RSSI check,
/// helium/oracles iot_verifier poc.rs). PoL is the smaller of the geometric score and the share of
/// consistent witnesses. With fewer than min_witnesses (or collinear ones) no position can be
/// fixed, and evidence can only lower the last PoL; a node without witnesses keeps its last PoL
/// (WeatherXM falls back on the previous day, docs/rewards/proof-of-location.mdx). relocate() makes
/// PoL 0 for relocation_lockout.
///   ProofOfLocation pol(spec, x_km, y_km);  pol.observe(node, now, witnesses);  pol.score(node,
///   now);
class ProofOfLocation {
 public:
  ProofOfLocation(const LocationSpec& spec, std::span<const double> claimed_x_km,
                  std::span<const double> claimed_y_km);

  /// Judges one beacon of `node` heard by `witnesses` against its current claim. Ignores
  /// observations from before its last relocation (they were heard at the old position).
  void observe(std::uint32_t node, sim::Time now, std::span<const WitnessObservation> witnesses);
  /// The node now claims (x_km, y_km): its PoL restarts at initial_score and reads 0 until
  /// now + relocation_lockout.
  void relocate(std::uint32_t node, double x_km, double y_km, sim::Time now);
  /// PoL in [0, 1] at `now`.
  double score(std::uint32_t node, sim::Time now) const;

  /// PoL of one claim against one set of witness reports, with `previous` as the PoL to keep
  /// when the reports cannot fix a position.
  double judge(PositionKm claim, std::span<const WitnessObservation> witnesses,
               double previous) const;
  /// Where the witnesses place the transmitter; nullopt with fewer than min_witnesses or when
  /// they are (nearly) collinear.
  std::optional<PositionKm> estimate(std::span<const WitnessObservation> witnesses) const;
  /// Distance the path-loss model gives for a received signal.
  double implied_distance_km(double signal_dbm) const;
  /// Farthest a witness can be and still receive signal_dbm: the free-space distance.
  double max_distance_km(double signal_dbm) const;
  PositionKm claimed(std::uint32_t node) const { return claim_.at(node); }

 private:
  // The range for a signal whose free-space distance is free_space_km.
  double implied_from_free_space_km(double free_space_km) const;
  // estimate() with each witness's free-space distance already worked out.
  std::optional<PositionKm> fit(std::span<const WitnessObservation> witnesses,
                                std::span<const double> free_space_km) const;

  LocationSpec spec_;
  std::vector<PositionKm> claim_;
  std::vector<double> score_;            // last evidence-based PoL
  std::vector<sim::Time> locked_until_;  // PoL reads 0 before this
  std::vector<sim::Time> relocated_at_;  // observations before this are stale
};

}  // namespace models
