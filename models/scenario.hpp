#pragma once
// The validated, immutable description of one run, built from a scenario file.

#include <cstdint>
#include <string>
#include <vector>

#include <optional>

#include "models/compute_network.hpp"
#include "models/economy/token_economy.hpp"
#include "models/field/radio_channel.hpp"
#include "models/field/temperature_field.hpp"
#include "models/nodes/sensor_population.hpp"
#include "models/rewards/hex_density.hpp"
#include "models/rewards/sensor_rewards.hpp"
#include "models/storage_network.hpp"
#include "models/validation/collusion.hpp"
#include "models/validation/proof_of_coverage.hpp"
#include "models/validation/proof_of_location.hpp"
#include "models/validation/reading_checks.hpp"
#include "models/validation/reputation.hpp"
#include "sim/config.hpp"
#include "sim/time.hpp"
#include "sim/topology.hpp"

namespace models {

/// A rectangle of the region cut off from the network for a window of time.
struct PartitionSpec {
  double x_min_km = 0, x_max_km = 0, y_min_km = 0, y_max_km = 0;
  sim::Time start, end;
};

struct NetworkSpec {
  std::string topology = "random_geometric";
  double radius_km = 15.0;
  std::int64_t neighbours_k = 6;
  double rewire_probability = 0.1;
  std::int64_t edges_per_node_m = 2;
  sim::Time base_latency = sim::Time::millis(20);
  double per_km_latency_us = 5.0;
  sim::Time jitter_mean = sim::Time::millis(10);
  double loss_per_hop = 0.01;
  std::vector<PartitionSpec> partitions;
};

/// The oracle's mechanisms: checks on readings in order, and the optional proofs and scores.
struct ValidationSpec {
  std::vector<ReadingCheckSpec> readings;
  std::optional<PocSpec> coverage;           // kind: helium_poc
  std::optional<LocationSpec> location;      // kind: witness_geometry
  std::optional<ReputationSpec> reputation;  // kind: beta
  std::optional<CollusionSpec> collusion;    // kind: witness_graph
  sim::Time cutoff_grace;  // how long after an epoch ends its readings may still arrive
};

/// How the epoch's emission reaches the nodes.
enum class Distribution : std::uint8_t {
  pro_rata,          ///< in proportion to accepted readings
  weatherxm,         ///< data rewards: QoD x PoL, cell cap, hardware weights (sensor_rewards.hpp)
  helium_iot,        ///< pools: beacons and witnesses by HIP-15 units x HIP-17 hex scale
  data_and_coverage  ///< helium_iot's pools, the data pool paid by the weatherxm rule
};

struct RewardSpec {
  Distribution distribution = Distribution::pro_rata;
  DataRewardSpec data;
  IotPoolSpec iot;
  HexDensitySpec hex_density;
};

/// What the simulator measures with the truth in hand.
struct MetricsSpec {
  double bad_error_c = 2.0;     // a reading this far from the truth is bad data
  int coverage_resolution = 7;  // hex resolution coverage is counted at (WeatherXM cells)
};

/// What the output file holds beyond /epochs and /nodes.
struct OutputSpec {
  bool ledger = false;  // /ledger: every token movement (about 32 bytes each)
};

/// Everything a run needs, checked. Build with load_scenario(); the engine only reads it.
///   auto s = load_scenario(Document::load_file("scenarios/basic_sensors.yaml"));
struct Scenario {
  std::string name;
  std::uint64_t seed = 0;
  sim::Time duration;
  sim::Time epoch;
  double width_km = 0, height_km = 0;
  TemperatureFieldSpec field;
  NetworkSpec network;
  RadioSpec radio;
  sim::Time beacon_every = sim::Time::days(1);  // how often a node beacons (coverage on)
  std::vector<SensorGroupSpec> sensors;
  std::vector<StorageGroupSpec> storage_groups;  // population entries of kind storage
  std::vector<ComputeGroupSpec> compute_groups;  // population entries of kind compute
  // The population entry (index in the file's list) of each group of each kind.
  std::vector<std::size_t> sensor_entry, storage_entry, compute_entry;
  StorageSpec storage;  // the `storage:` section: deals, proofs, fees, payment
  ComputeSpec compute;  // the `compute:` section: jobs, market, verification
  ValidationSpec validation;
  RewardSpec rewards;
  EconomySpec economy;  // emission, split, staking, vesting, demand, burn, price, operators
  MetricsSpec metrics;
  OutputSpec output;
  /// The scenario with every default, extension and override applied, as YAML text.
  std::string resolved_yaml;

  std::int64_t epochs() const { return duration / epoch; }
  std::int64_t sensor_count() const;   // count + reserve of every sensor group
  std::int64_t storage_count() const;  // storage providers
  std::int64_t compute_count() const;  // compute providers
};

/// Resident memory a run would need, and what this machine can give it.
struct MemoryEstimate {
  std::int64_t bytes = 0;
  std::int64_t available_bytes = 0;  // four fifths of physical memory
  std::int64_t readings_per_epoch = 0;
};
/// A deliberately generous estimate (see scenario.cpp for the terms), checked before the run.
MemoryEstimate memory_estimate(const Scenario& s);

/// The kernel's topology parameters for a network spec.
sim::TopologySpec topology_spec(const NetworkSpec& n);

/// Every key a scenario may hold, with type, default, range, unit and help, in file order.
std::vector<sim::config::ParamInfo> scenario_parameters();

/// Reads and checks a whole scenario. Throws sim::config::ConfigError listing every problem.
Scenario load_scenario(const sim::config::Document& doc);

}  // namespace models
