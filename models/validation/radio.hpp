#pragma once
// Radio physics the coverage and location proofs rely on: free-space path loss and the strongest
// signal a witness can plausibly report.

#include <cmath>
#include <numbers>

namespace models::radio {

/// The speed of light as Helium's IoT verifier uses it (helium/oracles iot_verifier/src/poc.rs).
inline constexpr double kSpeedOfLightMPerS = 2.998e8;

/// Free-space path loss in dB over distance_m at frequency_hz: 20·log10(4π·d·f/c).
inline double free_space_path_loss_db(double distance_m, double frequency_hz) {
  return 20.0 * std::log10(4.0 * std::numbers::pi * distance_m * frequency_hz / kSpeedOfLightMPerS);
}

/// The distance at which free space loses loss_db: the inverse of free_space_path_loss_db.
inline double free_space_distance_m(double loss_db, double frequency_hz) {
  return std::pow(10.0, loss_db / 20.0) * kSpeedOfLightMPerS /
         (4.0 * std::numbers::pi * frequency_hz);
}

/// The strongest signal (dBm) a witness at distance_m can receive in free space:
///   tx_power + ⌊beaconer_gain/10⌋ − FSPL + ⌊witness_gain/10⌋,
/// with antenna gains in deci-dBi and integer division on them, as Helium's IoT verifier computes
/// it (poc.rs; its test: 12 dBm, gains 81 and 83, 508 m, 867 900 024 Hz → −57.3342 dBm).
/// A report stronger than this is physically implausible.
inline double expected_rssi_dbm(double tx_power_dbm, int beaconer_gain_ddbi, int witness_gain_ddbi,
                                double distance_m, double frequency_hz) {
  return tx_power_dbm + static_cast<double>(beaconer_gain_ddbi / 10) -
         free_space_path_loss_db(distance_m, frequency_hz) +
         static_cast<double>(witness_gain_ddbi / 10);
}

}  // namespace models::radio
