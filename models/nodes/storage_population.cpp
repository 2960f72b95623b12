#include "models/nodes/storage_population.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>
#include <string>

#include "models/nodes/behaviour_mix.hpp"

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

constexpr double kTiBytes = 1099511627776.0;
// Provider ids are 32-bit and each provider costs a few hundred bytes with its network state.
constexpr std::int64_t kMaxProviders = 10'000'000;

}  // namespace

std::array<std::int64_t, kStorageBehaviourCount> storage_behaviour_counts(
    const std::array<double, kStorageBehaviourCount>& share, std::int64_t count) {
  std::array<std::int64_t, kStorageBehaviourCount> counts{};
  std::array<double, kStorageBehaviourCount> fraction{};
  std::int64_t assigned = 0;
  for (std::size_t b = 0; b < kStorageBehaviourCount; ++b) {
    const double exact = share[b] * static_cast<double>(count);
    counts[b] = static_cast<std::int64_t>(std::floor(exact));
    fraction[b] = exact - static_cast<double>(counts[b]);
    assigned += counts[b];
  }
  std::array<std::size_t, kStorageBehaviourCount> order{};
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return fraction[a] > fraction[b]; });
  for (std::size_t k = 0; assigned < count; k = (k + 1) % kStorageBehaviourCount) {
    ++counts[order[k]];
    ++assigned;
  }
  return counts;
}

StoragePopulation StoragePopulation::build(const std::vector<StorageGroupSpec>& groups,
                                           double width_km, double height_km,
                                           const sim::RandomStreams& streams) {
  if (!(width_km > 0.0 && height_km > 0.0)) {
    throw std::invalid_argument("StoragePopulation: the region must have a positive size");
  }
  if (groups.size() > 65535) throw std::invalid_argument("StoragePopulation: too many groups");
  StoragePopulation p;
  p.groups = groups;
  std::int64_t total = 0;
  for (const auto& g : groups) {
    if (g.count < 0 || g.providers_per_operator < 1 || !(g.capacity_tib > 0.0) ||
        !(g.hardware.disk_tib > 0.0) || !(g.params.claim_factor >= 1.0)) {
      throw std::invalid_argument(
          "StoragePopulation: a group needs count >= 0, providers_per_operator >= 1, positive "
          "capacity and disk size, and claim_factor >= 1");
    }
    total += g.count;
  }
  if (total > kMaxProviders) throw std::invalid_argument("StoragePopulation: too many providers");
  const auto n = static_cast<std::size_t>(total);
  for (auto* column : {&p.x_km, &p.y_km, &p.capacity_bytes, &p.claimed_bytes})
    column->reserve(n);
  p.behaviour.reserve(n);
  p.group.reserve(n);
  p.operator_id.reserve(n);
  p.disks.reserve(n);
  p.leaves_at.reserve(n);

  for (std::size_t g = 0; g < groups.size(); ++g) {
    const StorageGroupSpec& spec = groups[g];
    std::vector<StorageBehaviour> kinds;
    kinds.reserve(static_cast<std::size_t>(spec.count));
    const auto counts = storage_behaviour_counts(spec.share, spec.count);
    for (std::size_t b = 0; b < kStorageBehaviourCount; ++b) {
      kinds.insert(kinds.end(), static_cast<std::size_t>(counts[b]),
                   static_cast<StorageBehaviour>(b));
    }
    // Fisher-Yates with the kernel's integer draws: std::shuffle differs between libraries.
    auto shuffle_rng = streams.stream("storage.behaviour", g);
    for (std::size_t k = kinds.size(); k > 1; --k)
      std::swap(kinds[k - 1], kinds[shuffle_rng.uniform_int(k)]);
    const double capacity = spec.capacity_tib * kTiBytes;
    const auto disks = static_cast<std::uint16_t>(
        std::clamp(std::ceil(spec.capacity_tib / spec.hardware.disk_tib), 1.0, 65535.0));
    for (std::size_t k = 0; k < kinds.size(); ++k) {
      const std::size_t id = p.x_km.size();
      const StorageBehaviour b = kinds[k];
      auto rng = streams.stream("storage.placement", id);
      p.x_km.push_back(rng.uniform(0.0, width_km));
      p.y_km.push_back(rng.uniform(0.0, height_km));
      p.behaviour.push_back(b);
      p.group.push_back(static_cast<std::uint16_t>(g));
      if (k % static_cast<std::size_t>(spec.providers_per_operator) == 0) ++p.operators;
      p.operator_id.push_back(p.operators - 1);
      p.capacity_bytes.push_back(capacity);
      p.claimed_bytes.push_back(
          b == StorageBehaviour::generating ? capacity * spec.params.claim_factor : capacity);
      p.disks.push_back(disks);
      const double leave_s = spec.params.leave_after.to_seconds();
      p.leaves_at.push_back(b == StorageBehaviour::leaving
                                ? Time::from_seconds(std::min(rng.exponential(leave_s), 9e12))
                                : Time::max());
    }
  }
  return p;
}

namespace {

// The parameters of one behaviour, read from its mapping.
void read_behaviour_params(std::string_view name, Section& d, StorageBehaviourParams& p) {
  const Range non_negative = Range::at_least(0.0);
  if (name == "unreliable") {
    p.outages_per_year = d.number("outages_per_year", p.outages_per_year, "1/yr", non_negative,
                                  "rate at which outages start (data is kept through them)");
    p.outage_mean = d.duration("outage_mean", p.outage_mean, Time::minutes(1),
                               "mean length of an outage (exponential)");
    p.failure_multiplier = d.number("failure_multiplier", p.failure_multiplier, "", non_negative,
                                    "disk and node failure rates as a multiple of the hardware's");
  } else if (name == "deleting") {
    p.keep_for = d.duration("keep_for", p.keep_for, Time{},
                            "how long a replica is kept before it is dropped");
    p.kept_share = d.number("kept_share", p.kept_share, "", Range::between(0.0, 1.0),
                            "share of a dropped replica kept to answer challenges");
  } else if (name == "outsourcing") {
    p.fetch_share = d.number("fetch_share", p.fetch_share, "", Range::between(0.0, 1.0),
                             "share of a replica fetched from another provider per challenge");
  } else if (name == "generating") {
    p.claim_factor = d.number("claim_factor", p.claim_factor, "", Range::at_least(1.0),
                              "claimed capacity as a multiple of the true capacity");
    p.regenerate_s_per_gib =
        d.number("regenerate_s_per_gib", p.regenerate_s_per_gib, "s/GiB", non_negative,
                 "time to regenerate a missing replica on a challenge");
  } else if (name == "leaving") {
    p.leave_after = d.duration("leave_after", p.leave_after, Time::minutes(1),
                               "mean time before the provider goes offline for good");
  }
}

void read_behaviour(Section s, StorageGroupSpec& g) {
  read_behaviour_shares(
      s, kStorageBehaviourNames, g.share, "providers", "deleting: 0.05",
      [&](std::string_view name, Section& d) { read_behaviour_params(name, d, g.params); });
}

StorageHardwareSpec read_storage_hardware_spec(Section hw) {
  StorageHardwareSpec h;
  const Range non_negative = Range::at_least(0.0);
  h.name = hw.text("class", h.name, "name of the hardware class");
  h.disk_tib = hw.number("disk_tib", h.disk_tib, "TiB", Range::above(0.0),
                         "size of one disk (a disk failure loses what is on it)");
  h.disk_failure_per_year = hw.number("disk_failure_per_year", h.disk_failure_per_year, "1/yr",
                                      non_negative, "rate at which each disk loses its data");
  h.node_failure_per_year = hw.number("node_failure_per_year", h.node_failure_per_year, "1/yr",
                                      non_negative, "rate at which the whole node loses its data");
  h.bandwidth_gbps = hw.number("bandwidth_gbps", h.bandwidth_gbps, "Gbit/s", Range::above(0.0),
                               "uplink bandwidth, for fetches and repairs");
  h.capex_usd = hw.number("capex_usd", h.capex_usd, "USD", non_negative,
                          "purchase and installation per node (again after a node loss)");
  h.opex_usd_per_month = hw.number("opex_usd_per_month", h.opex_usd_per_month, "USD/month",
                                   non_negative, "running cost per node");
  hw.finish();
  return h;
}

}  // namespace

StorageGroupSpec read_storage_group_spec(Section s) {
  StorageGroupSpec g;
  static constexpr std::array<std::string_view, 1> kKinds{"storage"};
  s.choice("kind", "storage", kKinds, "what the nodes of this group are");
  g.count = s.integer("count", 0, Range::at_least(0.0), "number of storage providers");
  if (g.count > kMaxProviders) {
    s.problem("count", "too large: at most " + std::to_string(kMaxProviders) +
                           " storage providers are supported, found " + std::to_string(g.count));
    g.count = 0;
  }
  g.capacity_tib = s.number("capacity_tib", g.capacity_tib, "TiB", Range::above(0.0),
                            "true storage capacity of each provider");
  g.hardware = read_storage_hardware_spec(s.section("hardware", "the hardware class of the group"));
  read_behaviour(s.section("behaviour", "shares of behaviours, summing to 1"), g);
  static constexpr std::array<std::string_view, 2> kOperators{"own", "sensor"};
  g.operated_by = s.choice("operated_by", g.operated_by, kOperators,
                           "whose operators run these providers (own: new operators)");
  g.providers_per_operator =
      s.integer("providers_per_operator", g.providers_per_operator, Range::at_least(1.0),
                "consecutive providers run by one operator");
  s.finish();
  return g;
}

}  // namespace models
