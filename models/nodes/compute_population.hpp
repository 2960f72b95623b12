#pragma once
// Compute providers as columns: position, GPU class, behaviour, ring and operator of every
// provider, one array each.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace models {

/// What a compute provider does with the jobs it takes. One byte per provider; the parameters
/// live in the provider's group (ComputeBehaviourParams).
enum class ComputeBehaviour : std::uint8_t {
  honest,      ///< runs every job in full and returns the true result
  lazy,        ///< runs nothing and returns the job's cheap plausible answer (the same for all)
  partial,     ///< runs part of each job and returns a wrong result of its own
  colluding,   ///< a ring that returns one shared wrong answer when it can carry the verifier
  unreliable,  ///< honest, but drops a share of the jobs it took (no answer)
};

inline constexpr std::array<std::string_view, 5> kComputeBehaviourNames{"honest", "lazy", "partial",
                                                                        "colluding", "unreliable"};
inline constexpr std::size_t kComputeBehaviourCount = kComputeBehaviourNames.size();

constexpr std::string_view name_of(ComputeBehaviour b) {
  return kComputeBehaviourNames[static_cast<std::size_t>(b)];
}

constexpr std::optional<ComputeBehaviour> compute_behaviour_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kComputeBehaviourCount; ++i) {
    if (kComputeBehaviourNames[i] == name) return static_cast<ComputeBehaviour>(i);
  }
  return std::nullopt;
}

/// A GPU class: how fast it works, what it draws and costs, how often it breaks, what it asks.
/// A work unit is whatever the scenario's jobs are measured in (frames, GPU-hours of a
/// reference card, training steps); throughput and prices are per that unit.
///   GpuClassSpec rtx4090{"RTX4090", 10.0, 450.0, 0.15, 20.0, 1800.0, 0.05, 0.08};
struct GpuClassSpec {
  std::string name = "generic";
  double throughput_units_per_hour = 10.0;  // work units one provider runs per hour
  double power_w = 300.0;                   // drawn while computing
  double electricity_usd_per_kwh = 0.0;     // price of that power
  double opex_usd_per_month = 0.0;          // fixed running cost (idle power, hosting, uplink)
  double capex_usd = 0.0;                   // purchase and installation
  double failure_per_year = 0.0;            // rate of permanent failure (exponential lifetime)
  double ask_usd_per_unit = 0.05;           // the provider's price in a reverse auction
};

/// Parameters of the behaviours a group mixes (used only by providers with that behaviour).
struct ComputeBehaviourParams {
  double partial_skipped_share = 0.5;  // share of each job's work a partial provider skips
  std::int64_t ring_size = 3;          // colluding providers per ring (one operator)
  double drop_probability = 0.2;       // share of taken jobs an unreliable provider drops
};

/// Who runs a group's providers: operators of their own, or the operators of the run's sensor
/// or storage nodes (the host maps local operators onto its own).
enum class ComputeOperatedBy : std::uint8_t { own, sensor, storage };

/// One `population:` entry of kind compute.
///   auto g = read_compute_group_spec(root.list("population")[0]);
struct ComputeGroupSpec {
  std::int64_t count = 0;
  GpuClassSpec gpu;
  std::array<double, kComputeBehaviourCount> share{1.0};  // by ComputeBehaviour, sums to 1
  ComputeBehaviourParams params;
  ComputeOperatedBy operated_by = ComputeOperatedBy::own;
  std::int64_t providers_per_operator = 1;
};

/// Reads one `population:` entry of kind compute, `gpu:` and `behaviour:` included.
ComputeGroupSpec read_compute_group_spec(sim::config::Section s);

/// Every compute provider of a run, in structure-of-arrays layout (about 60 bytes each).
/// Positions are uniform over the region. Exact behaviour counts per group follow the shares
/// (largest remainder) and are shuffled over the group's providers with the
/// "compute.population" stream. Operators own providers of one behaviour: honest-looking
/// providers in runs of providers_per_operator, and each colluding ring is one operator.
///   auto pop = ComputePopulation::build(groups, 200, 200, streams);
struct ComputePopulation {
  static constexpr std::uint32_t kNoRing = UINT32_MAX;

  static ComputePopulation build(const std::vector<ComputeGroupSpec>& groups, double width_km,
                                 double height_km, const sim::RandomStreams& streams);

  std::size_t size() const { return x_km.size(); }
  const ComputeGroupSpec& spec_of(std::size_t i) const { return groups[group[i]]; }

  std::vector<double> x_km;
  std::vector<double> y_km;
  std::vector<ComputeBehaviour> behaviour;
  std::vector<std::uint16_t> group;
  std::vector<std::uint32_t> operator_id;  // dense, from 0
  std::vector<std::uint32_t> ring;         // colluding ring, dense from 0; kNoRing otherwise
  std::vector<sim::Time> fails_at;         // Time::max() for hardware that never fails
  std::vector<ComputeGroupSpec> groups;
  std::uint32_t operators = 0;
  std::uint32_t rings = 0;
};

/// Exact counts per behaviour for `count` providers: floor of share · count, then the remaining
/// providers to the largest fractional parts (ties to the lower behaviour index).
std::array<std::int64_t, kComputeBehaviourCount> compute_behaviour_counts(
    const std::array<double, kComputeBehaviourCount>& share, std::int64_t count);

}  // namespace models
