#pragma once
// The ground truth of radio propagation: what a receiver really hears from a transmitter.

#include "sim/config.hpp"
#include "sim/random.hpp"

namespace models {

/// Log-distance path loss with log-normal shadowing (Rappaport, "Wireless Communications",
/// 2nd ed., section 4.9): free-space loss up to reference_m, then 10·n·log10(d/reference_m)
/// more, plus a N(0, shadowing_sd_db) term per link and message. With n > 2 a real signal is
/// weaker than free space allows, except where shadowing is favourable — which is why a
/// free-space plausibility check (Helium's) rejects a few honest witnesses.
struct RadioSpec {
  double frequency_hz = 867.9e6;    // EU868
  double path_loss_exponent = 3.5;  // 2 free space, 2.7-3.5 urban, 3-5 shadowed urban
  double reference_m = 100.0;
  double shadowing_sd_db = 6.0;
  double sensitivity_dbm = -125.0;  // weakest signal a receiver decodes (LoRa SF9-SF10)
  double max_range_km = 30.0;       // receivers farther than this are never tried
};

/// Reads the `radio:` section.
RadioSpec read_radio_spec(sim::config::Section s);

/// Received power in dBm, without shadowing, of a transmitter of tx_power_dbm + gains at
/// distance_m (at least 1 m).
///   double p = mean_received_dbm(spec, 27, 3, 3, 1500);
double mean_received_dbm(const RadioSpec& spec, double tx_power_dbm, double tx_gain_dbi,
                         double rx_gain_dbi, double distance_m);

/// As mean_received_dbm(), plus one shadowing draw from rng.
double received_dbm(const RadioSpec& spec, double tx_power_dbm, double tx_gain_dbi,
                    double rx_gain_dbi, double distance_m, sim::RandomStream& rng);

}  // namespace models
