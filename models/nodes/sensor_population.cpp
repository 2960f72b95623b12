#include "models/nodes/sensor_population.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>

#include "models/nodes/behaviour_mix.hpp"

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

namespace {

// A point uniformly in the disc of radius r around (cx, cy), kept inside the region.
std::pair<double, double> near(double cx, double cy, double r, double width_km, double height_km,
                               sim::RandomStream& rng) {
  const double radius = r * std::sqrt(rng.uniform());
  const double angle = rng.uniform(0.0, 2.0 * std::numbers::pi);
  return {std::clamp(cx + radius * std::cos(angle), 0.0, width_km),
          std::clamp(cy + radius * std::sin(angle), 0.0, height_km)};
}

}  // namespace

SensorPopulation SensorPopulation::build(const std::vector<SensorGroupSpec>& groups,
                                         double width_km, double height_km,
                                         const sim::RandomStreams& streams) {
  SensorPopulation p;
  p.groups = groups;
  p.uptime_stream = streams.id("sensor.uptime");
  std::int64_t total = 0;
  for (const auto& g : groups)
    total += g.count + g.reserve;
  const auto n = static_cast<std::size_t>(total);
  for (auto* column : {&p.x_km, &p.y_km, &p.claimed_x_km, &p.claimed_y_km, &p.drift_sign})
    column->reserve(n);
  p.behaviour.reserve(n);
  p.group.reserve(n);
  p.operator_id.reserve(n);
  p.first_sample.reserve(n);
  p.fails_at.reserve(n);
  p.stuck_value_c.assign(n, std::numeric_limits<double>::quiet_NaN());

  for (std::size_t g = 0; g < groups.size(); ++g) {
    const SensorGroupSpec& spec = groups[g];
    const BehaviourParams& bp = spec.params;
    std::vector<Behaviour> kinds;
    const std::int64_t built = spec.count + spec.reserve;
    kinds.reserve(static_cast<std::size_t>(built));
    const auto counts = behaviour_counts(spec.share, built);
    for (std::size_t b = 0; b < kBehaviourCount; ++b) {
      kinds.insert(kinds.end(), static_cast<std::size_t>(counts[b]), static_cast<Behaviour>(b));
    }
    // Fisher-Yates with the kernel's own integer draws: std::shuffle's distribution differs
    // between standard libraries, which would make results platform-dependent.
    auto shuffle_rng = streams.stream("population.behaviour", g);
    for (std::size_t k = kinds.size(); k > 1; --k) {
      std::swap(kinds[k - 1], kinds[shuffle_rng.uniform_int(k)]);
    }
    // Rings and swarms fill up in id order: the first member fixes the centre (or station) and
    // the operator; every member sits there and claims a spot within the crew's radius of it.
    struct Crew {
      std::int64_t size;
      double radius_km;
      std::int64_t members = 0;
      double x = 0, y = 0;
      std::uint32_t op = 0;
    };
    Crew ring{bp.ring_size, bp.ring_radius_km}, swarm{bp.swarm_size, bp.swarm_spread_km};
    for (Behaviour b : kinds) {
      const std::size_t id = p.x_km.size();
      auto rng = streams.stream("population.placement", id);
      double x = rng.uniform(0.0, width_km), y = rng.uniform(0.0, height_km);
      double cx = x, cy = y;
      std::uint32_t op = p.operators;
      switch (b) {
        case Behaviour::spoofer: {
          const double angle = rng.uniform(0.0, 2.0 * std::numbers::pi);
          cx = std::clamp(x + bp.spoof_offset_km * std::cos(angle), 0.0, width_km);
          cy = std::clamp(y + bp.spoof_offset_km * std::sin(angle), 0.0, height_km);
          break;
        }
        case Behaviour::colluder:
        case Behaviour::sybil: {
          Crew& crew = b == Behaviour::colluder ? ring : swarm;
          if (crew.members++ % crew.size == 0) crew.x = x, crew.y = y, crew.op = p.operators;
          op = crew.op;
          std::tie(cx, cy) = near(crew.x, crew.y, crew.radius_km, width_km, height_km, rng);
          x = crew.x, y = crew.y;
          break;
        }
        default:
          break;
      }
      if (op == p.operators) ++p.operators;
      p.x_km.push_back(x);
      p.y_km.push_back(y);
      p.claimed_x_km.push_back(cx);
      p.claimed_y_km.push_back(cy);
      p.first_sample.push_back(sim::Time::from_ticks(static_cast<sim::Time::Rep>(
          rng.uniform_int(static_cast<std::uint64_t>(spec.sampling.ticks())))));
      p.drift_sign.push_back(rng.bernoulli(0.5) ? 1.0 : -1.0);
      const double rate = spec.hardware.failure_per_year;
      p.fails_at.push_back(rate > 0 ? sim::Time::from_seconds(
                                          std::min(rng.exponential(365.0 * 86'400.0 / rate), 9e12))
                                    : sim::Time::max());
      p.behaviour.push_back(b);
      p.group.push_back(static_cast<std::uint16_t>(g));
      p.operator_id.push_back(op);
    }
    if (spec.reserve > 0) p.hold_back_reserve(g, spec.reserve, streams);
  }
  p.joins_at.resize(p.x_km.size(), Time{});
  p.leaves_at.assign(p.x_km.size(), Time::max());
  p.order_by_place(width_km, height_km);
  return p;
}

void SensorPopulation::hold_back_reserve(std::size_t g, std::int64_t reserve,
                                         const sim::RandomStreams& streams) {
  // The group's operators in a random order; whole operators wait until `reserve` nodes do.
  std::vector<std::int64_t> nodes_of(operators, 0);
  std::vector<std::uint32_t> ops;
  for (std::size_t i = 0; i < operator_id.size(); ++i) {
    if (group[i] != g) continue;
    if (nodes_of[operator_id[i]]++ == 0) ops.push_back(operator_id[i]);
  }
  auto rng = streams.stream("population.reserve", g);
  for (std::size_t k = ops.size(); k > 1; --k)
    std::swap(ops[k - 1], ops[rng.uniform_int(k)]);
  std::vector<std::uint8_t> waits(operators, 0);
  std::int64_t held = 0;
  for (std::size_t k = 0; k < ops.size() && held < reserve; ++k) {
    waits[ops[k]] = 1;
    reserve_operators.push_back(ops[k]);
    held += nodes_of[ops[k]];
  }
  joins_at.resize(operator_id.size(), Time{});
  for (std::size_t i = 0; i < operator_id.size(); ++i) {
    if (group[i] == g && waits[operator_id[i]] != 0) joins_at[i] = Time::max();
  }
}

void SensorPopulation::join(std::uint32_t op, Time t) {
  for (std::size_t i = 0; i < operator_id.size(); ++i) {
    if (operator_id[i] == op) joins_at[i] = t;
  }
}

void SensorPopulation::leave(std::uint32_t op, Time t) {
  for (std::size_t i = 0; i < operator_id.size(); ++i) {
    if (operator_id[i] == op) leaves_at[i] = std::min(leaves_at[i], t);
  }
}

std::vector<std::vector<std::uint32_t>> SensorPopulation::nodes_by_operator() const {
  std::vector<std::vector<std::uint32_t>> out(operators);
  for (std::size_t i = 0; i < operator_id.size(); ++i)
    out[operator_id[i]].push_back(static_cast<std::uint32_t>(i));
  return out;
}

namespace {

// The Z-order (Morton) index of a point quantised to 16 bits a side: close points get close
// indices, mostly.
std::uint32_t morton(double x, double y, double width_km, double height_km) {
  const auto quantise = [](double v, double extent) {
    return static_cast<std::uint32_t>(std::clamp(v / extent, 0.0, 1.0) * 65535.0);
  };
  const auto spread = [](std::uint32_t v) {
    v = (v | (v << 8)) & 0x00FF00FFu;
    v = (v | (v << 4)) & 0x0F0F0F0Fu;
    v = (v | (v << 2)) & 0x33333333u;
    return (v | (v << 1)) & 0x55555555u;
  };
  return spread(quantise(x, width_km)) | (spread(quantise(y, height_km)) << 1);
}

}  // namespace

void SensorPopulation::order_by_place(double width_km, double height_km) {
  // Within each group, ids follow a Z-order curve over true positions: the witnesses of a beacon
  // and the neighbours of a reading are nearby nodes, whose columns then sit close in memory.
  std::vector<std::uint32_t> key(size());
  for (std::size_t i = 0; i < size(); ++i)
    key[i] = morton(x_km[i], y_km[i], width_km, height_km);
  std::vector<std::size_t> perm(size());
  std::iota(perm.begin(), perm.end(), std::size_t{0});
  std::stable_sort(perm.begin(), perm.end(), [&](std::size_t a, std::size_t b) {
    return group[a] != group[b] ? group[a] < group[b] : key[a] < key[b];
  });
  const auto apply = [&](auto& column) {
    auto old = column;
    for (std::size_t i = 0; i < perm.size(); ++i)
      column[i] = old[perm[i]];
  };
  apply(x_km);
  apply(y_km);
  apply(claimed_x_km);
  apply(claimed_y_km);
  apply(behaviour);
  apply(group);
  apply(operator_id);
  apply(first_sample);
  apply(fails_at);
  apply(joins_at);
  apply(leaves_at);
  apply(drift_sign);
  apply(stuck_value_c);
}

double SensorPopulation::reading(std::size_t i, sim::Time t, double truth_c,
                                 const TemperatureField& field, sim::RandomStream& rng) {
  const SensorGroupSpec& g = groups[group[i]];
  const double years = t.to_days() / 365.0;
  const double sound = truth_c + drift_sign[i] * g.hardware.drift_c_per_year * years;
  switch (behaviour[i]) {
    case Behaviour::honest:
    case Behaviour::intermittent:
    case Behaviour::spoofer:
    case Behaviour::sybil:
      return rng.normal(sound, g.hardware.noise_sd_c);
    case Behaviour::noisy:
      return rng.normal(sound, g.params.noisy_sd_c);
    case Behaviour::drifting:
      return rng.normal(sound + drift_sign[i] * g.params.drift_c_per_day * t.to_days(),
                        g.hardware.noise_sd_c);
    case Behaviour::indoor:
      return rng.normal(g.params.indoor_c + g.params.indoor_coupling * (sound - g.params.indoor_c),
                        g.hardware.noise_sd_c);
    case Behaviour::fabricator:
    case Behaviour::colluder:
      return rng.normal(field.climatology(t), g.params.fabricator_spread_c);
    case Behaviour::stuck:
      if (std::isnan(stuck_value_c[i])) {
        stuck_value_c[i] = rng.normal(sound, g.hardware.noise_sd_c);
      }
      return stuck_value_c[i];
  }
  throw std::logic_error("SensorPopulation: unknown behaviour");
}

bool SensorPopulation::online(std::size_t i, sim::Time t) const {
  if (t >= fails_at[i] || !member(i, t)) return false;
  if (behaviour[i] != Behaviour::intermittent) return true;
  const BehaviourParams& bp = groups[group[i]].params;
  sim::StreamId id = uptime_stream;
  id.entity = i;
  sim::RandomStream draw(id, static_cast<std::uint64_t>(t / bp.outage_period));
  return draw.uniform() < bp.uptime;
}

namespace {

// Node ids are 32-bit, and the network's graph is not built for more; refused before anything
// is allocated. Memory is checked separately, against the machine (memory_estimate).
constexpr std::int64_t kMaxSensors = 50'000'000;

// The parameters of one behaviour, read from its mapping.
void read_behaviour_params(std::string_view name, Section& d, BehaviourParams& p) {
  const Range non_negative = Range::at_least(0.0);
  if (name == "noisy") {
    p.noisy_sd_c =
        d.number("noise_sd_c", p.noisy_sd_c, "degC", non_negative, "noise of a noisy sensor");
  } else if (name == "drifting") {
    p.drift_c_per_day = d.number("drift_c_per_day", p.drift_c_per_day, "degC/d", non_negative,
                                 "calibration bias added each day (random sign per sensor)");
  } else if (name == "intermittent") {
    p.uptime = d.number("uptime", p.uptime, "", Range::between(0.0, 1.0),
                        "share of outage periods the node is online");
    p.outage_period = d.duration("outage_period", p.outage_period, Time::minutes(1),
                                 "length of one online-or-offline period");
  } else if (name == "indoor") {
    p.indoor_c = d.number("indoor_c", p.indoor_c, "degC", Range{}, "the room's own temperature");
    p.indoor_coupling = d.number("coupling", p.indoor_coupling, "", Range::between(0.0, 1.0),
                                 "share of the outdoor variation that reaches the sensor");
    p.indoor_loss_db = d.number("radio_loss_db", p.indoor_loss_db, "dB", non_negative,
                                "extra path loss through walls");
  } else if (name == "fabricator" || name == "colluder") {
    p.fabricator_spread_c = d.number("spread_c", p.fabricator_spread_c, "degC", non_negative,
                                     "scatter of invented values around the climatology");
    if (name == "colluder") {
      p.ring_size = d.integer("ring_size", p.ring_size, Range::at_least(2.0),
                              "virtual nodes per ring (one operator)");
      p.ring_radius_km = d.number("ring_radius_km", p.ring_radius_km, "km", non_negative,
                                  "the ring's claimed locations lie within this of its centre");
    }
  } else if (name == "spoofer") {
    p.spoof_offset_km = d.number("offset_km", p.spoof_offset_km, "km", non_negative,
                                 "distance between the true and the claimed location");
  } else if (name == "sybil") {
    p.swarm_size = d.integer("swarm_size", p.swarm_size, Range::at_least(1.0),
                             "virtual nodes per physical station (one operator)");
    p.swarm_spread_km = d.number("spread_km", p.swarm_spread_km, "km", non_negative,
                                 "the swarm's claimed locations lie within this of the station");
  }
}

void read_behaviour(Section s, SensorGroupSpec& g) {
  read_behaviour_shares(
      s, kBehaviourNames, g.share, "sensors", "stuck: 0.02",
      [&](std::string_view name, Section& d) { read_behaviour_params(name, d, g.params); });
}

HardwareSpec read_hardware_spec(Section hw) {
  HardwareSpec h;
  const Range non_negative = Range::at_least(0.0);
  h.name = hw.text("class", h.name, "name of the hardware class (e.g. M5, WS2000)");
  h.noise_sd_c = hw.number("noise_sd_c", h.noise_sd_c, "degC", non_negative,
                           "standard deviation of an honest reading's error");
  h.drift_c_per_year = hw.number("drift_c_per_year", h.drift_c_per_year, "degC/yr", non_negative,
                                 "calibration drift of sound units (random sign per unit)");
  h.failure_per_year = hw.number("failure_per_year", h.failure_per_year, "1/yr", non_negative,
                                 "rate of permanent failure");
  h.capex_usd = hw.number("capex_usd", h.capex_usd, "USD", non_negative,
                          "purchase and installation cost per unit");
  h.opex_usd_per_month = hw.number("opex_usd_per_month", h.opex_usd_per_month, "USD/month",
                                   non_negative, "running cost per unit");
  h.reward_weight = hw.number("reward_weight", h.reward_weight, "", non_negative,
                              "weight of this class in reward rules that weigh classes");
  h.tx_power_dbm = hw.number("tx_power_dbm", h.tx_power_dbm, "dBm", Range::between(-30.0, 40.0),
                             "beacon transmit power");
  h.antenna_gain_dbi = hw.number("antenna_gain_dbi", h.antenna_gain_dbi, "dBi",
                                 Range::between(-10.0, 20.0), "antenna gain");
  hw.finish();
  return h;
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
  g.reserve =
      s.integer("reserve", 0, Range::at_least(0.0),
                "nodes that may join later when operators expect a return (operators.entry)");
  if (g.reserve > kMaxSensors - g.count) {
    s.problem("reserve",
              "too large: count + reserve may be at most " + std::to_string(kMaxSensors));
    g.reserve = 0;
  }
  g.hardware = read_hardware_spec(s.section("hardware", "the hardware class of the group"));
  g.sampling = s.duration("sampling", g.sampling, Time::seconds(1), "time between readings");
  read_behaviour(s.section("behaviour", "shares of behaviours, summing to 1"), g);
  s.finish();
  return g;
}

}  // namespace models
