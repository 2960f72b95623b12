#pragma once
// Sensors as columns: positions (true and claimed), hardware, behaviour and operator of every
// sensor, one array each.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/field/temperature_field.hpp"
#include "models/nodes/behaviour.hpp"
#include "sim/config.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace models {

/// A hardware class: how well it measures, how often it breaks, what it costs, how its radio
/// carries, and the weight reward rules give it (WeatherXM weighs classes, e.g. M5 1.1, Helium
/// 0.9: WeatherXM docs, rewards/reward-mechanism).
struct HardwareSpec {
  std::string name = "generic";
  double noise_sd_c = 0.3;          // standard deviation of an honest reading's error
  double drift_c_per_year = 0.0;    // calibration drift of sound hardware, random sign per unit
  double failure_per_year = 0.0;    // rate of permanent failure (exponential lifetime)
  double capex_usd = 0.0;           // purchase and installation
  double opex_usd_per_month = 0.0;  // power, backhaul, upkeep
  double reward_weight = 1.0;
  double tx_power_dbm = 27.0;  // beacon transmit power (EU868 hotspots: 27 dBm EIRP)
  double antenna_gain_dbi = 3.0;
};

/// The parameters of the behaviours a group mixes (used only by nodes with that behaviour).
struct BehaviourParams {
  double noisy_sd_c = 3.0;
  double drift_c_per_day = 0.1;
  double uptime = 0.6;  // intermittent: share of periods online
  sim::Time outage_period = sim::Time::days(1);
  double indoor_c = 21.0;            // the room's own temperature
  double indoor_coupling = 0.3;      // share of outdoor variation that reaches inside
  double indoor_loss_db = 15.0;      // walls between the antenna and the sky
  double fabricator_spread_c = 1.0;  // scatter a fabricator adds to the climatology
  double spoof_offset_km = 20.0;     // how far from its true place a spoofer claims
  std::int64_t ring_size = 8;        // colluders per ring
  double ring_radius_km = 10.0;      // claims of a ring lie within this of its centre
  std::int64_t swarm_size = 10;      // virtual nodes per Sybil station
  double swarm_spread_km = 3.0;      // claims of a swarm lie within this of the station
};

/// One `population:` entry of kind sensor.
struct SensorGroupSpec {
  std::int64_t count = 0;    // nodes running from the start
  std::int64_t reserve = 0;  // nodes that may join later, when operators find it worth it
  HardwareSpec hardware;
  sim::Time sampling = sim::Time::hours(1);     // one reading per sampling period
  std::array<double, kBehaviourCount> share{};  // by Behaviour, sums to 1
  BehaviourParams params;
};

/// Reads one `population:` entry of kind sensor, `hardware:` and `behaviour:` included.
SensorGroupSpec read_sensor_group_spec(sim::config::Section s);

/// Every sensor of a run, in structure-of-arrays layout: about 100 bytes per sensor.
/// True positions are uniform over the region; exact behaviour counts per group follow the
/// shares (largest remainder), shuffled over the group's sensors with the "population.behaviour"
/// stream. Claimed positions equal true ones except for spoofers (offset), colluders (virtual
/// nodes around their ring's centre) and Sybils (virtual nodes around their one station). Each
/// honest-looking node is its own operator; a ring or a swarm is one operator. Within a group,
/// ids follow a Z-order curve over true positions. A group's `reserve` nodes are built the same
/// way (same behaviour mix) but wait outside the network: whole operators, drawn at random, until
/// at least `reserve` nodes wait; they join when the run lets operators enter.
///   auto sensors = SensorPopulation::build(groups, 200, 200, streams);
class SensorPopulation {
 public:
  static SensorPopulation build(const std::vector<SensorGroupSpec>& groups, double width_km,
                                double height_km, const sim::RandomStreams& streams);

  std::size_t size() const { return x_km.size(); }
  /// Renumbers each group's sensors along a Z-order curve over true positions (done by build()).
  void order_by_place(double width_km, double height_km);
  const SensorGroupSpec& spec_of(std::size_t i) const { return groups[group[i]]; }

  /// The value sensor i reports at time t, given the true field where the sensor physically is.
  /// Draws from `rng` (the sensor's own stream), so the result does not depend on the order
  /// sensors are processed in.
  double reading(std::size_t i, sim::Time t, double truth_c, const TemperatureField& field,
                 sim::RandomStream& rng);

  /// Whether sensor i is working and connected at time t: joined and not left, not failed, and
  /// for an intermittent node, online in the current outage period (a counter-based draw per
  /// sensor and period, so any query order gives the same answer).
  bool online(std::size_t i, sim::Time t) const;
  /// Whether sensor i is in the network at t (joined and not left), working or not.
  bool member(std::size_t i, sim::Time t) const { return t >= joins_at[i] && t < leaves_at[i]; }
  /// Operator `op`'s nodes join (leave) the network at t.
  void join(std::uint32_t op, sim::Time t);
  void leave(std::uint32_t op, sim::Time t);
  /// Node ids of each operator, in increasing order.
  std::vector<std::vector<std::uint32_t>> nodes_by_operator() const;

  /// Physical radio presence: virtual nodes of a colluding ring transmit nothing.
  bool has_radio(std::size_t i) const { return behaviour[i] != Behaviour::colluder; }

  std::vector<double> x_km;  // where the node physically is
  std::vector<double> y_km;
  std::vector<double> claimed_x_km;  // where it says it is: all an oracle knows
  std::vector<double> claimed_y_km;
  std::vector<Behaviour> behaviour;
  std::vector<std::uint16_t> group;
  std::vector<std::uint32_t> operator_id;  // dense, from 0
  std::vector<sim::Time> first_sample;     // phase within the sampling period
  std::vector<sim::Time> fails_at;         // Time::max() for hardware that never fails
  std::vector<sim::Time> joins_at;         // Time{} from the start; Time::max() for the reserve
  std::vector<sim::Time> leaves_at;        // Time::max() while the operator stays
  std::vector<double> drift_sign;          // +1 or -1: which way the calibration drifts
  std::vector<double> stuck_value_c;       // NaN until a stuck sensor takes its one reading
  std::vector<SensorGroupSpec> groups;
  std::uint32_t operators = 0;
  /// Operators of the reserve, in the order they would join (a random order, fixed by the seed).
  std::vector<std::uint32_t> reserve_operators;
  sim::StreamId uptime_stream;

 private:
  // Marks group g's waiting operators (whole ones, at random, until `reserve` nodes wait).
  void hold_back_reserve(std::size_t g, std::int64_t reserve, const sim::RandomStreams& streams);
};

/// Exact counts per behaviour for `count` sensors: floor of share * count, then the remaining
/// sensors to the largest fractional parts (ties to the lower behaviour index).
std::array<std::int64_t, kBehaviourCount> behaviour_counts(
    const std::array<double, kBehaviourCount>& share, std::int64_t count);

}  // namespace models
