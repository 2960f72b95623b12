#pragma once
// Sensors as columns: position, hardware and behaviour of every sensor, one array each.

#include <array>
#include <cstdint>
#include <vector>

#include "models/field/temperature_field.hpp"
#include "models/nodes/behaviour.hpp"
#include "sim/config.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace models {

/// One `population:` entry of kind sensor.
struct SensorGroupSpec {
  std::int64_t count = 0;
  double noise_sd_c = 0.3;                      // hardware noise of an honest reading
  sim::Time sampling = sim::Time::hours(1);     // one reading per sampling period
  std::array<double, kBehaviourCount> share{};  // by Behaviour, sums to 1
  double noisy_sd_c = 3.0;                      // noise of a `noisy` sensor
  double fabricator_spread_c = 1.0;             // scatter a fabricator adds to the climatology
};

/// Reads one `population:` entry of kind sensor, `behaviour:` included.
SensorGroupSpec read_sensor_group_spec(sim::config::Section s);

/// Every sensor of a run, in structure-of-arrays layout: about 60 bytes per sensor.
/// Positions are uniform over the region; exact behaviour counts per group follow the shares
/// (largest remainder), shuffled over the group's sensors with the "population.behaviour" stream.
///   auto sensors = SensorPopulation::build(groups, 200, 200, streams);
class SensorPopulation {
 public:
  static SensorPopulation build(const std::vector<SensorGroupSpec>& groups, double width_km,
                                double height_km, const sim::RandomStreams& streams);

  std::size_t size() const { return x_km.size(); }

  /// The value sensor i reports at time t, given the true field. Draws from `rng` (the sensor's
  /// own stream), so the result does not depend on the order sensors are processed in.
  double reading(std::size_t i, sim::Time t, double truth_c, const TemperatureField& field,
                 sim::RandomStream& rng);

  std::vector<double> x_km;
  std::vector<double> y_km;
  std::vector<Behaviour> behaviour;
  std::vector<std::uint16_t> group;
  std::vector<sim::Time> first_sample;  // phase within the sampling period
  std::vector<double> stuck_value_c;    // NaN until a stuck sensor takes its one real reading
  std::vector<SensorGroupSpec> groups;
};

/// Exact counts per behaviour for `count` sensors: floor of share * count, then the remaining
/// sensors to the largest fractional parts (ties to the lower behaviour index).
std::array<std::int64_t, kBehaviourCount> behaviour_counts(
    const std::array<double, kBehaviourCount>& share, std::int64_t count);

}  // namespace models
