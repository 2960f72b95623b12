#include "models/field/temperature_field.hpp"

#include <cmath>

#include <catch2/catch.hpp>

using models::TemperatureField;
using models::TemperatureFieldSpec;
using sim::Time;

TEST_CASE("models::TemperatureField: the anomaly has the squared-exponential covariance",
          "[unit]") {
  // Over realisations, E[w(p) w(p + d)] = sd^2 exp(-d^2 / (2 L^2)) exactly; average over 2,000
  // independent fields and compare at 0, L and 2L.
  TemperatureFieldSpec spec;
  spec.weather_sd_c = 2.0;
  spec.correlation_km = 10.0;
  const double distances[] = {0.0, 10.0, 20.0};
  double sums[3] = {0, 0, 0};
  constexpr int kFields = 2000;
  for (int f = 0; f < kFields; ++f) {
    const TemperatureField field(spec, sim::RandomStreams(100 + f, 0).stream("field"));
    const double w0 = field.anomaly(50.0, 50.0, Time::hours(3));
    for (int k = 0; k < 3; ++k)
      sums[k] += w0 * field.anomaly(50.0 + distances[k], 50.0, Time::hours(3));
  }
  const double var = spec.weather_sd_c * spec.weather_sd_c;
  for (int k = 0; k < 3; ++k) {
    const double expected = var * std::exp(-distances[k] * distances[k] / (2 * 10.0 * 10.0));
    CAPTURE(distances[k]);
    // Standard error of a product of two unit-variance normals over 2,000 samples is ~0.032 var.
    CHECK(sums[k] / kFields == Approx(expected).margin(0.15 * var));
  }
}

TEST_CASE("models::TemperatureField: the anomaly decorrelates over the correlation time",
          "[unit]") {
  TemperatureFieldSpec spec;
  spec.correlation_time_h = 6.0;
  double same = 0, tau = 0;
  constexpr int kFields = 2000;
  for (int f = 0; f < kFields; ++f) {
    const TemperatureField field(spec, sim::RandomStreams(7, f).stream("field"));
    const double w0 = field.anomaly(10, 10, Time::days(2));
    same += w0 * w0;
    tau += w0 * field.anomaly(10, 10, Time::days(2) + Time::hours(6));
  }
  CHECK(tau / same == Approx(std::exp(-0.5)).margin(0.08));
}

TEST_CASE("models::TemperatureField: the climatology peaks at the peak hour with the amplitude",
          "[unit]") {
  TemperatureFieldSpec spec;
  spec.mean_c = 10;
  spec.diurnal_amplitude_c = 5;
  spec.peak_hour = 14;
  const TemperatureField field(spec, sim::RandomStreams(1, 0).stream("field"));
  CHECK(field.climatology(Time::days(3) + Time::hours(14)) == Approx(15.0));
  CHECK(field.climatology(Time::days(3) + Time::hours(2)) == Approx(5.0));
  CHECK(field.climatology(Time::hours(8)) == Approx(10.0).margin(1e-9));
}

TEST_CASE("models::TemperatureField: the same stream gives the same field", "[unit]") {
  const TemperatureFieldSpec spec;
  const TemperatureField a(spec, sim::RandomStreams(9, 0).stream("field"));
  const TemperatureField b(spec, sim::RandomStreams(9, 0).stream("field"));
  const TemperatureField c(spec, sim::RandomStreams(10, 0).stream("field"));
  CHECK(a.at(12.5, 80.0, Time::hours(30)) == b.at(12.5, 80.0, Time::hours(30)));
  CHECK(a.at(12.5, 80.0, Time::hours(30)) != c.at(12.5, 80.0, Time::hours(30)));
}
