#include "models/nodes/sensor_population.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

std::array<std::int64_t, kBehaviourCount> behaviour_counts(
    const std::array<double, kBehaviourCount>& share, std::int64_t count) {
  std::array<std::int64_t, kBehaviourCount> counts{};
  std::array<double, kBehaviourCount> fraction{};
  std::int64_t assigned = 0;
  for (std::size_t b = 0; b < kBehaviourCount; ++b) {
    const double exact = share[b] * static_cast<double>(count);
    counts[b] = static_cast<std::int64_t>(std::floor(exact));
    fraction[b] = exact - static_cast<double>(counts[b]);
    assigned += counts[b];
  }
  std::array<std::size_t, kBehaviourCount> order{};
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return fraction[a] > fraction[b]; });
  for (std::size_t k = 0; assigned < count; k = (k + 1) % kBehaviourCount) {
    ++counts[order[k]];
    ++assigned;
  }
  return counts;
}

SensorPopulation SensorPopulation::build(const std::vector<SensorGroupSpec>& groups,
                                         double width_km, double height_km,
                                         const sim::RandomStreams& streams) {
  SensorPopulation p;
  p.groups = groups;
  std::int64_t total = 0;
  for (const auto& g : groups)
    total += g.count;
  const auto n = static_cast<std::size_t>(total);
  p.x_km.reserve(n);
  p.y_km.reserve(n);
  p.behaviour.reserve(n);
  p.group.reserve(n);
  p.first_sample.reserve(n);
  p.stuck_value_c.assign(n, std::numeric_limits<double>::quiet_NaN());

  for (std::size_t g = 0; g < groups.size(); ++g) {
    const SensorGroupSpec& spec = groups[g];
    std::vector<Behaviour> kinds;
    kinds.reserve(static_cast<std::size_t>(spec.count));
    const auto counts = behaviour_counts(spec.share, spec.count);
    for (std::size_t b = 0; b < kBehaviourCount; ++b) {
      kinds.insert(kinds.end(), static_cast<std::size_t>(counts[b]), static_cast<Behaviour>(b));
    }
    // Fisher-Yates with the kernel's own integer draws: std::shuffle's distribution differs
    // between standard libraries, which would make results platform-dependent.
    auto shuffle_rng = streams.stream("population.behaviour", g);
    for (std::size_t k = kinds.size(); k > 1; --k) {
      std::swap(kinds[k - 1], kinds[shuffle_rng.uniform_int(k)]);
    }
    for (Behaviour b : kinds) {
      const std::size_t id = p.x_km.size();
      auto rng = streams.stream("population.placement", id);
      p.x_km.push_back(rng.uniform(0.0, width_km));
      p.y_km.push_back(rng.uniform(0.0, height_km));
      p.first_sample.push_back(sim::Time::from_ticks(static_cast<sim::Time::Rep>(
          rng.uniform_int(static_cast<std::uint64_t>(spec.sampling.ticks())))));
      p.behaviour.push_back(b);
      p.group.push_back(static_cast<std::uint16_t>(g));
    }
  }
  return p;
}

double SensorPopulation::reading(std::size_t i, sim::Time t, double truth_c,
                                 const TemperatureField& field, sim::RandomStream& rng) {
  const SensorGroupSpec& g = groups[group[i]];
  switch (behaviour[i]) {
    case Behaviour::honest:
      return rng.normal(truth_c, g.noise_sd_c);
    case Behaviour::noisy:
      return rng.normal(truth_c, g.noisy_sd_c);
    case Behaviour::fabricator:
      return rng.normal(field.climatology(t), g.fabricator_spread_c);
    case Behaviour::stuck:
      if (std::isnan(stuck_value_c[i])) stuck_value_c[i] = rng.normal(truth_c, g.noise_sd_c);
      return stuck_value_c[i];
  }
  throw std::logic_error("SensorPopulation: unknown behaviour");
}

namespace {

// Node ids are 32-bit, and the network's graph is not built for more; refused before anything
// is allocated. Memory is checked separately, against the machine (memory_estimate).
constexpr std::int64_t kMaxSensors = 50'000'000;

void read_behaviour(Section s, SensorGroupSpec& g) {
  // Each behaviour is a share, or a mapping with `share` and that behaviour's parameters.
  double total = 0.0;
  const bool any = !s.keys().empty();
  const std::size_t problems_before = s.problems_so_far();
  for (std::size_t b = 0; b < kBehaviourCount; ++b) {
    const std::string_view name = kBehaviourNames[b];
    if (!s.is_mapping(name) && !s.describing()) {
      g.share[b] =
          s.number(name, 0.0, "", Range::between(0.0, 1.0), "share of sensors with this behaviour");
    } else {
      Section detail = s.section(name, "share and parameters of this behaviour");
      g.share[b] = detail.number("share", 0.0, "", Range::between(0.0, 1.0),
                                 "share of sensors (or give the share alone: `stuck: 0.02`)");
      if (name == "noisy") {
        g.noisy_sd_c = detail.number("noise_sd_c", g.noisy_sd_c, "degC", Range::at_least(0.0),
                                     "noise of a noisy sensor");
      } else if (name == "fabricator") {
        g.fabricator_spread_c =
            detail.number("spread_c", g.fabricator_spread_c, "degC", Range::at_least(0.0),
                          "scatter around the climatology");
      }
      detail.finish();
    }
    total += g.share[b];
  }
  // A misspelt behaviour (reported by finish()) or a bad share (reported above) makes the sum
  // wrong too; saying so again would only repeat the same mistake.
  const auto keys = s.keys();
  const bool all_known = std::all_of(keys.begin(), keys.end(), [](const std::string& k) {
    return behaviour_from_name(k).has_value();
  });
  if (!any) {
    g.share[0] = 1.0;  // everyone honest
  } else if (all_known && s.problems_so_far() == problems_before && std::abs(total - 1.0) > 1e-9) {
    char found[32];
    std::snprintf(found, sizeof found, "%.6g", total);
    s.problem("", std::string("behaviour shares must sum to 1, found ") + found);
  }
  s.finish();
}

}  // namespace

SensorGroupSpec read_sensor_group_spec(Section s) {
  SensorGroupSpec g;
  static constexpr std::array<std::string_view, 1> kKinds{"sensor"};
  s.choice("kind", "sensor", kKinds, "what the nodes of this group are");
  g.count = s.integer("count", 0, Range::at_least(0.0), "number of nodes in this group");
  if (g.count > kMaxSensors) {
    s.problem("count", "too large: at most " + std::to_string(kMaxSensors) +
                           " sensors per scenario are supported, found " + std::to_string(g.count));
    g.count = 0;
  }
  Section hw = s.section("hardware", "the sensor hardware");
  g.noise_sd_c = hw.number("noise_sd_c", g.noise_sd_c, "degC", Range::at_least(0.0),
                           "standard deviation of an honest reading's error");
  hw.finish();
  g.sampling = s.duration("sampling", g.sampling, Time::seconds(1), "time between readings");
  read_behaviour(s.section("behaviour", "shares of behaviours, summing to 1"), g);
  s.finish();
  return g;
}

}  // namespace models
