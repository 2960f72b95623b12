#pragma once
// Storage providers as columns: position, capacity, hardware, behaviour and operator of every
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

/// What a storage provider does with the data it is paid to keep. One byte per provider; the
/// parameters live in the provider's group (StorageBehaviourParams).
enum class StorageBehaviour : std::uint8_t {
  honest,       ///< keeps every replica; loses data only to hardware failures
  unreliable,   ///< honest, but with outages (data kept, proofs missed) and more failures
  deleting,     ///< drops replicas after a while and keeps answering challenges, hoping to pass
  outsourcing,  ///< stores nothing; on a challenge fetches the data from another replica
  generating,   ///< claims more capacity than it has; regenerates what it lacks on a challenge
  leaving,      ///< goes offline for good at a random time, before its deals end
};

inline constexpr std::array<std::string_view, 6> kStorageBehaviourNames{
    "honest", "unreliable", "deleting", "outsourcing", "generating", "leaving"};
inline constexpr std::size_t kStorageBehaviourCount = kStorageBehaviourNames.size();

constexpr std::string_view name_of(StorageBehaviour b) {
  return kStorageBehaviourNames[static_cast<std::size_t>(b)];
}

constexpr std::optional<StorageBehaviour> storage_behaviour_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kStorageBehaviourCount; ++i) {
    if (kStorageBehaviourNames[i] == name) return static_cast<StorageBehaviour>(i);
  }
  return std::nullopt;
}

/// A storage hardware class: disks, how often they and the whole node fail, the uplink, costs.
/// Named as the sensors' HardwareSpec is (class, failure_per_year, capex_usd, opex_usd_per_month).
struct StorageHardwareSpec {
  std::string name = "generic";
  double disk_tib = 16.0;                // one disk; a disk failure loses what is on it
  double disk_failure_per_year = 0.015;  // per disk, after any redundancy inside the box [U]
  double node_failure_per_year = 0.02;   // whole node lost with all its data [U]
  double bandwidth_gbps = 1.0;           // uplink, for fetches and repairs
  double capex_usd = 10'000.0;           // purchase and installation, again after a node loss
  double opex_usd_per_month = 200.0;     // power, space, bandwidth, upkeep
};

/// The parameters of the behaviours a group mixes (used only by providers with that behaviour).
struct StorageBehaviourParams {
  double outages_per_year = 12.0;               // unreliable: outages start at this rate
  sim::Time outage_mean = sim::Time::days(1);   // unreliable: mean (exponential) length
  double failure_multiplier = 3.0;              // unreliable: times the hardware's failure rates
  sim::Time keep_for = sim::Time::days(30);     // deleting: a replica is dropped this long after
  double kept_share = 0.0;                      // deleting: share of a dropped replica kept
  double fetch_share = 1.0;                     // outsourcing: share of a replica fetched
  double claim_factor = 2.0;                    // generating: claimed / true capacity
  double regenerate_s_per_gib = 340.0;          // generating: ≈ 3 h per 32 GiB sector [U]
  sim::Time leave_after = sim::Time::days(90);  // leaving: mean (exponential) time online
};

/// One `population:` entry of kind storage.
///   StorageGroupSpec g = read_storage_group_spec(entry);  g.share[0] == 1 (all honest)
struct StorageGroupSpec {
  std::int64_t count = 0;
  double capacity_tib = 100.0;  // true capacity of each provider
  StorageHardwareSpec hardware;
  std::array<double, kStorageBehaviourCount> share{1.0};  // by StorageBehaviour, sums to 1
  StorageBehaviourParams params;
  std::string operated_by = "own";          // own | sensor: whose operators run these nodes
  std::int64_t providers_per_operator = 1;  // consecutive providers one operator runs
};

/// Reads one `population:` entry of kind storage, `hardware:` and `behaviour:` included.
StorageGroupSpec read_storage_group_spec(sim::config::Section s);

/// Exact counts per behaviour for `count` providers: floor of share·count, then the rest to the
/// largest fractional parts (ties to the lower behaviour index).
std::array<std::int64_t, kStorageBehaviourCount> storage_behaviour_counts(
    const std::array<double, kStorageBehaviourCount>& share, std::int64_t count);

/// Every storage provider of a run, in structure-of-arrays layout: about 60 bytes per provider.
/// Positions are uniform over the region; behaviour counts per group follow the shares exactly
/// and are shuffled over the group with the "storage.behaviour" stream; each run of
/// providers_per_operator consecutive providers of a group is one operator. A leaving provider's
/// departure is exponential with mean leave_after, drawn from "storage.placement".
///   auto p = StoragePopulation::build(groups, 200, 200, streams);  p.behaviour[i]
class StoragePopulation {
 public:
  static StoragePopulation build(const std::vector<StorageGroupSpec>& groups, double width_km,
                                 double height_km, const sim::RandomStreams& streams);

  std::size_t size() const { return x_km.size(); }
  const StorageGroupSpec& spec_of(std::size_t i) const { return groups[group[i]]; }

  std::vector<double> x_km;
  std::vector<double> y_km;
  std::vector<StorageBehaviour> behaviour;
  std::vector<std::uint16_t> group;
  std::vector<std::uint32_t> operator_id;  // dense, from 0
  std::vector<double> capacity_bytes;      // what it truly has
  std::vector<double> claimed_bytes;       // what it offers: capacity·claim_factor for generators
  std::vector<std::uint16_t> disks;        // ⌈capacity / disk size⌉
  std::vector<sim::Time> leaves_at;        // a leaving provider's departure; Time::max() otherwise
  std::vector<StorageGroupSpec> groups;
  std::uint32_t operators = 0;
};

}  // namespace models
