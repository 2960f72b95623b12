#include "models/field/radio_channel.hpp"

#include <algorithm>
#include <cmath>

#include "models/validation/radio.hpp"

namespace models {

using sim::config::Range;

RadioSpec read_radio_spec(sim::config::Section s) {
  RadioSpec r;
  r.frequency_hz = s.number("frequency_hz", r.frequency_hz, "Hz", Range::between(1e6, 1e11),
                            "carrier frequency of beacons");
  r.path_loss_exponent = s.number("path_loss_exponent", r.path_loss_exponent, "",
                                  Range::between(2.0, 6.0), "log-distance path-loss exponent n");
  r.reference_m = s.number("reference_m", r.reference_m, "m", Range::above(0.0),
                           "distance up to which loss is free-space");
  r.shadowing_sd_db = s.number("shadowing_sd_db", r.shadowing_sd_db, "dB", Range::at_least(0.0),
                               "standard deviation of log-normal shadowing");
  r.sensitivity_dbm = s.number("sensitivity_dbm", r.sensitivity_dbm, "dBm",
                               Range::between(-160.0, 0.0), "weakest signal a receiver decodes");
  r.max_range_km = s.number("max_range_km", r.max_range_km, "km", Range::above(0.0),
                            "receivers farther than this are not considered");
  s.finish();
  return r;
}

double mean_received_dbm(const RadioSpec& spec, double tx_power_dbm, double tx_gain_dbi,
                         double rx_gain_dbi, double distance_m) {
  const double d = std::max(distance_m, 1.0);
  double loss = radio::free_space_path_loss_db(std::min(d, spec.reference_m), spec.frequency_hz);
  if (d > spec.reference_m)
    loss += 10.0 * spec.path_loss_exponent * std::log10(d / spec.reference_m);
  return tx_power_dbm + tx_gain_dbi + rx_gain_dbi - loss;
}

double received_dbm(const RadioSpec& spec, double tx_power_dbm, double tx_gain_dbi,
                    double rx_gain_dbi, double distance_m, sim::RandomStream& rng) {
  const double mean = mean_received_dbm(spec, tx_power_dbm, tx_gain_dbi, rx_gain_dbi, distance_m);
  return spec.shadowing_sd_db > 0 ? rng.normal(mean, spec.shadowing_sd_db) : mean;
}

}  // namespace models
