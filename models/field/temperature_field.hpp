#pragma once
// The ground truth sensors observe: a temperature-like field over space and time.

#include <cstdint>
#include <vector>

#include "sim/config.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace models {

/// Parameters of the temperature field; names carry units.
struct TemperatureFieldSpec {
  double mean_c = 15.0;
  double diurnal_amplitude_c = 6.0;
  double peak_hour = 15.0;           // local hour of the daily maximum
  double weather_sd_c = 3.0;         // standard deviation of the weather anomaly
  double correlation_km = 25.0;      // spatial correlation length L
  double correlation_time_h = 12.0;  // temporal correlation time tau
  int features = 32;                 // random Fourier features M
};

/// T(x, y, t) = mean + diurnal cycle + weather anomaly w(x, y, t).
///
/// w is a stationary Gaussian-like random field built from M random Fourier features
/// (Rahimi & Recht, "Random features for large-scale kernel machines", NIPS 2007):
///   w = sd * sqrt(2/M) * sum_i cos(kx_i x + ky_i y + omega_i t + phi_i),
/// with k ~ N(0, I/L^2), omega ~ N(0, 1/tau^2), phi ~ U(0, 2 pi). Over realisations its
/// covariance is exactly sd^2 * exp(-d^2 / (2 L^2)) * exp(-dt^2 / (2 tau^2)), and one evaluation
/// costs M cosines whatever the number of sensors: cheap at any point, no grid.
///   TemperatureField f(spec, streams.stream("field"));  double c = f.at(x_km, y_km, t);
/// Reads the `field:` section of a scenario (declaring every key with its help).
TemperatureFieldSpec read_temperature_field_spec(sim::config::Section s);

class TemperatureField {
 public:
  TemperatureField(const TemperatureFieldSpec& spec, sim::RandomStream rng);

  /// The true temperature in degrees C at (x_km, y_km) and time t.
  double at(double x_km, double y_km, sim::Time t) const {
    return climatology(t) + anomaly(x_km, y_km, t);
  }
  /// Mean plus diurnal cycle: what anyone knows without measuring (a fabricator's best guess).
  double climatology(sim::Time t) const;
  /// The weather anomaly alone.
  double anomaly(double x_km, double y_km, sim::Time t) const;

  const TemperatureFieldSpec& spec() const { return spec_; }

 private:
  TemperatureFieldSpec spec_;
  double amplitude_;  // sd * sqrt(2 / M)
  std::vector<double> kx_, ky_, omega_, phase_;
};

}  // namespace models
