#include "models/nodes/compute_population.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <string_view>

#include "models/nodes/behaviour_mix.hpp"

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

std::array<std::int64_t, kComputeBehaviourCount> compute_behaviour_counts(
    const std::array<double, kComputeBehaviourCount>& share, std::int64_t count) {
  std::array<std::int64_t, kComputeBehaviourCount> counts{};
  std::array<double, kComputeBehaviourCount> fraction{};
  std::int64_t assigned = 0;
  for (std::size_t b = 0; b < kComputeBehaviourCount; ++b) {
    const double exact = share[b] * static_cast<double>(count);
    counts[b] = static_cast<std::int64_t>(std::floor(exact));
    fraction[b] = exact - static_cast<double>(counts[b]);
    assigned += counts[b];
  }
  std::array<std::size_t, kComputeBehaviourCount> order{};
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return fraction[a] > fraction[b]; });
  for (std::size_t k = 0; assigned < count; k = (k + 1) % kComputeBehaviourCount) {
    ++counts[order[k]];
    ++assigned;
  }
  return counts;
}

ComputePopulation ComputePopulation::build(const std::vector<ComputeGroupSpec>& groups,
                                           double width_km, double height_km,
                                           const sim::RandomStreams& streams) {
  ComputePopulation p;
  p.groups = groups;
  std::int64_t total = 0;
  for (const auto& g : groups)
    total += g.count;
  const auto n = static_cast<std::size_t>(total);
  p.x_km.reserve(n);
  p.y_km.reserve(n);
  p.behaviour.reserve(n);
  p.group.reserve(n);
  p.operator_id.reserve(n);
  p.ring.reserve(n);
  p.fails_at.reserve(n);

  for (std::size_t g = 0; g < groups.size(); ++g) {
    const ComputeGroupSpec& spec = groups[g];
    std::vector<ComputeBehaviour> kinds;
    kinds.reserve(static_cast<std::size_t>(spec.count));
    const auto counts = compute_behaviour_counts(spec.share, spec.count);
    for (std::size_t b = 0; b < kComputeBehaviourCount; ++b) {
      kinds.insert(kinds.end(), static_cast<std::size_t>(counts[b]),
                   static_cast<ComputeBehaviour>(b));
    }
    // Fisher-Yates with the kernel's own integer draws, so the order is the same on every
    // standard library.
    auto shuffle_rng = streams.stream("compute.population", g);
    for (std::size_t k = kinds.size(); k > 1; --k) {
      std::swap(kinds[k - 1], kinds[shuffle_rng.uniform_int(k)]);
    }
    // An operator runs providers of one behaviour: it is the operator who decides how to
    // behave. Each behaviour fills its current operator up to its size, then opens the next.
    std::array<std::int64_t, kComputeBehaviourCount> seen{};
    std::array<std::uint32_t, kComputeBehaviourCount> current{};
    for (ComputeBehaviour b : kinds) {
      const std::size_t id = p.x_km.size();
      const auto bi = static_cast<std::size_t>(b);
      const std::int64_t per_operator =
          b == ComputeBehaviour::colluding ? spec.params.ring_size : spec.providers_per_operator;
      if (seen[bi] % per_operator == 0) {
        current[bi] = p.operators++;
        if (b == ComputeBehaviour::colluding) ++p.rings;
      }
      ++seen[bi];
      auto rng = streams.stream("compute.placement", id);
      p.x_km.push_back(rng.uniform(0.0, width_km));
      p.y_km.push_back(rng.uniform(0.0, height_km));
      const double rate = spec.gpu.failure_per_year;
      p.fails_at.push_back(
          rate > 0 ? Time::from_seconds(std::min(rng.exponential(365.0 * 86'400.0 / rate), 9e12))
                   : Time::max());
      p.behaviour.push_back(b);
      p.group.push_back(static_cast<std::uint16_t>(g));
      p.operator_id.push_back(current[bi]);
      p.ring.push_back(b == ComputeBehaviour::colluding ? p.rings - 1 : kNoRing);
    }
  }
  return p;
}

namespace {

// Provider ids are 32-bit; far beyond any compute network that exists.
constexpr std::int64_t kMaxProviders = 10'000'000;

void read_behaviour_params(std::string_view name, Section& d, ComputeBehaviourParams& p) {
  if (name == "partial") {
    p.partial_skipped_share =
        d.number("skipped", p.partial_skipped_share, "", Range::between(0.0, 1.0),
                 "share of each job's work a partial provider skips (its saving)");
  } else if (name == "colluding") {
    p.ring_size = d.integer("ring_size", p.ring_size, Range::at_least(1.0),
                            "colluding providers per ring (one operator)");
  } else if (name == "unreliable") {
    p.drop_probability = d.number("drop_probability", p.drop_probability, "",
                                  Range::between(0.0, 1.0), "share of taken jobs it drops");
  }
}

void read_behaviour(Section s, ComputeGroupSpec& g) {
  read_behaviour_shares(
      s, kComputeBehaviourNames, g.share, "providers", "lazy: 0.1",
      [&](std::string_view name, Section& d) { read_behaviour_params(name, d, g.params); });
}

GpuClassSpec read_gpu_class_spec(Section s) {
  GpuClassSpec h;
  const Range non_negative = Range::at_least(0.0);
  h.name = s.text("class", h.name, "name of the GPU class (e.g. RTX4090, H100)");
  h.throughput_units_per_hour =
      s.number("throughput_units_per_hour", h.throughput_units_per_hour, "units/h",
               Range::above(0.0), "work units one provider runs per hour");
  h.power_w = s.number("power_w", h.power_w, "W", non_negative, "power drawn while computing");
  h.electricity_usd_per_kwh = s.number("electricity_usd_per_kwh", h.electricity_usd_per_kwh,
                                       "USD/kWh", non_negative, "price of the power drawn");
  h.opex_usd_per_month = s.number("opex_usd_per_month", h.opex_usd_per_month, "USD/month",
                                  non_negative, "fixed running cost per provider");
  h.capex_usd = s.number("capex_usd", h.capex_usd, "USD", non_negative,
                         "purchase and installation cost per provider");
  h.failure_per_year = s.number("failure_per_year", h.failure_per_year, "1/yr", non_negative,
                                "rate of permanent failure");
  h.ask_usd_per_unit = s.number("ask_usd_per_unit", h.ask_usd_per_unit, "USD/unit", non_negative,
                                "the provider's asking price in a reverse auction");
  s.finish();
  return h;
}

}  // namespace

ComputeGroupSpec read_compute_group_spec(Section s) {
  ComputeGroupSpec g;
  static constexpr std::array<std::string_view, 1> kKinds{"compute"};
  s.choice("kind", "compute", kKinds, "what the nodes of this group are");
  g.count = s.integer("count", 0, Range::at_least(0.0), "number of compute providers");
  if (g.count > kMaxProviders) {
    s.problem("count", "too large: at most " + std::to_string(kMaxProviders) +
                           " compute providers per group are supported");
    g.count = 0;
  }
  g.gpu = read_gpu_class_spec(s.section("gpu", "the GPU class of the group"));
  read_behaviour(s.section("behaviour", "shares of behaviours, summing to 1"), g);
  static constexpr std::array<std::string_view, 3> kOperators{"own", "sensor", "storage"};
  const std::string by = s.choice("operated_by", "own", kOperators,
                                  "whose operators run these providers (own: operators of their "
                                  "own; sensor, storage: those of the run's other nodes)");
  g.operated_by = by == "sensor"    ? ComputeOperatedBy::sensor
                  : by == "storage" ? ComputeOperatedBy::storage
                                    : ComputeOperatedBy::own;
  g.providers_per_operator = s.integer("providers_per_operator", 1, Range::at_least(1.0),
                                       "providers each operator runs (colluding rings: ring_size)");
  s.finish();
  return g;
}

}  // namespace models
