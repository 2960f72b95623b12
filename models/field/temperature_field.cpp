#include "models/field/temperature_field.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

// cos(x) by reduction to [-pi, pi] and its Taylor series to x^20: absolute error below 1e-10 on
// the whole range, far under any sensor's noise. Written out so that the loop over features
// vectorises (several times faster than libm's cos here), and so that the field is the same bit
// for bit on every platform, which C libraries do not promise for cos. The nearest whole number
// of turns comes from adding and removing 1.5·2^52, which rounds to an integer in plain
// arithmetic (|x| < 2^51 turns), where floor() would need SSE4.1 to vectorise.
double field_cos(double x) {
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52
  const double turns = (x * (1.0 / kTwoPi) + kRound) - kRound;
  const double r = x - kTwoPi * turns;
  const double u = r * r;
  double p = 1.0 / 2432902008176640000.0;  // 1/20!
  p = p * u - 1.0 / 6402373705728000.0;    // 1/18!
  p = p * u + 1.0 / 20922789888000.0;      // 1/16!
  p = p * u - 1.0 / 87178291200.0;         // 1/14!
  p = p * u + 1.0 / 479001600.0;           // 1/12!
  p = p * u - 1.0 / 3628800.0;             // 1/10!
  p = p * u + 1.0 / 40320.0;               // 1/8!
  p = p * u - 1.0 / 720.0;                 // 1/6!
  p = p * u + 1.0 / 24.0;                  // 1/4!
  p = p * u - 0.5;                         // 1/2!
  return p * u + 1.0;
}

}  // namespace

TemperatureField::TemperatureField(const TemperatureFieldSpec& spec, sim::RandomStream rng)
    : spec_(spec) {
  if (spec.features < 1) throw std::invalid_argument("TemperatureField: features must be >= 1");
  if (spec.correlation_km <= 0 || spec.correlation_time_h <= 0) {
    throw std::invalid_argument("TemperatureField: correlation scales must be positive");
  }
  const auto m = static_cast<std::size_t>(spec.features);
  amplitude_ = spec.weather_sd_c * std::sqrt(2.0 / static_cast<double>(m));
  kx_.resize(m);
  ky_.resize(m);
  omega_.resize(m);
  phase_.resize(m);
  const double omega_sd_per_s = 1.0 / (spec.correlation_time_h * 3600.0);
  for (std::size_t i = 0; i < m; ++i) {
    kx_[i] = rng.normal(0.0, 1.0 / spec.correlation_km);
    ky_[i] = rng.normal(0.0, 1.0 / spec.correlation_km);
    omega_[i] = rng.normal(0.0, omega_sd_per_s);
    phase_[i] = rng.uniform(0.0, 2.0 * std::numbers::pi);
  }
}

double TemperatureField::climatology(sim::Time t) const {
  const double hour = std::fmod(t.to_hours(), 24.0);
  return spec_.mean_c + spec_.diurnal_amplitude_c *
                            std::cos(2.0 * std::numbers::pi * (hour - spec_.peak_hour) / 24.0);
}

double TemperatureField::anomaly(double x_km, double y_km, sim::Time t) const {
  const double t_s = t.to_seconds();
  // The cosines a block at a time (a loop without a running sum vectorises), then summed in
  // feature order.
  constexpr std::size_t kBlock = 64;
  double c[kBlock];
  double sum = 0.0;
  for (std::size_t b = 0; b < kx_.size(); b += kBlock) {
    const std::size_t n = std::min(kBlock, kx_.size() - b);
    const double* kx = kx_.data() + b;
    const double* ky = ky_.data() + b;
    const double* omega = omega_.data() + b;
    const double* phase = phase_.data() + b;
    for (std::size_t i = 0; i < n; ++i)
      c[i] = field_cos(kx[i] * x_km + ky[i] * y_km + omega[i] * t_s + phase[i]);
    for (std::size_t i = 0; i < n; ++i)
      sum += c[i];
  }
  return amplitude_ * sum;
}

TemperatureFieldSpec read_temperature_field_spec(Section s) {
  TemperatureFieldSpec f;
  static constexpr std::array<std::string_view, 1> kKinds{"temperature"};
  s.choice("kind", "temperature", kKinds, "which ground-truth field the sensors observe");
  f.mean_c = s.number("mean_c", f.mean_c, "degC", Range{}, "long-run mean temperature");
  f.diurnal_amplitude_c = s.number("diurnal_amplitude_c", f.diurnal_amplitude_c, "degC",
                                   Range::at_least(0.0), "half the daily swing");
  f.peak_hour = s.number("peak_hour", f.peak_hour, "h", Range::between(0.0, 24.0),
                         "hour of the daily maximum");
  f.weather_sd_c = s.number("weather_sd_c", f.weather_sd_c, "degC", Range::at_least(0.0),
                            "standard deviation of the weather anomaly");
  f.correlation_km = s.number("correlation_km", f.correlation_km, "km", Range::above(0.0),
                              "spatial correlation length of the weather");
  const Time tau = s.duration("correlation_time", Time::hours(12), Time::minutes(1),
                              "temporal correlation time of the weather");
  f.correlation_time_h = tau.to_hours();
  f.features = static_cast<int>(s.integer("features", f.features, Range::between(1.0, 4096.0),
                                          "random Fourier features (cost per evaluation)"));
  s.finish();
  return f;
}

}  // namespace models
