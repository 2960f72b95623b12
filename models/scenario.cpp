#include "models/scenario.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>

#include <unistd.h>

#include "models/validation/hex_grid.hpp"
#include "models/validation/spatial_consensus.hpp"

namespace models {

namespace {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

const Range kNonNegative = Range::at_least(0.0);
const Range kPositive = Range::above(0.0);
const Range kProbability = Range::between(0.0, 1.0);

NetworkSpec read_network(Section s, double width_km, double height_km) {
  NetworkSpec n;
  static constexpr std::array<std::string_view, 4> kTopologies{"random_geometric", "small_world",
                                                               "scale_free", "star"};
  n.topology = s.choice("topology", n.topology, kTopologies, "how nodes are linked");
  n.radius_km = s.number("radius_km", n.radius_km, "km", kPositive,
                         "link range (random_geometric) and the oracle's attachment radius");
  n.neighbours_k = s.integer("neighbours_k", n.neighbours_k, Range::at_least(2.0),
                             "small_world: ring neighbours per node (even)");
  if (n.neighbours_k % 2 != 0) s.problem("neighbours_k", "must be even");
  n.rewire_probability = s.number("rewire_probability", n.rewire_probability, "", kProbability,
                                  "small_world: chance each ring link is rewired");
  n.edges_per_node_m = s.integer("edges_per_node_m", n.edges_per_node_m, Range::at_least(1.0),
                                 "scale_free: links each new node makes");
  Section latency = s.section("latency", "per-link latency = base + per_km * length + jitter");
  n.base_latency = latency.duration("base", n.base_latency, Time{}, "fixed latency per link");
  n.per_km_latency_us = latency.number("per_km_us", n.per_km_latency_us, "us/km", kNonNegative,
                                       "latency per kilometre of link");
  n.jitter_mean = latency.duration("jitter_mean", n.jitter_mean, Time{},
                                   "mean of the exponential jitter added per link");
  latency.finish();
  n.loss_per_hop = s.number("loss_per_hop", n.loss_per_hop, "", kProbability,
                            "probability a message is lost on each link");
  for (Section p : s.list("partitions", "regions cut off from the network for a while")) {
    PartitionSpec part;
    part.x_min_km = p.number("x_min_km", 0.0, "km", Range::between(0.0, width_km), "left edge");
    part.x_max_km = p.number("x_max_km", width_km, "km", Range::between(0.0, width_km), "right");
    part.y_min_km = p.number("y_min_km", 0.0, "km", Range::between(0.0, height_km), "bottom");
    part.y_max_km = p.number("y_max_km", height_km, "km", Range::between(0.0, height_km), "top");
    part.start = p.duration("start", Time{}, Time{}, "when the partition begins");
    part.end = p.duration("end", Time{}, Time{}, "when it heals");
    if (part.end <= part.start) p.problem("end", "must be after start");
    if (part.x_max_km <= part.x_min_km) p.problem("x_max_km", "must be greater than x_min_km");
    if (part.y_max_km <= part.y_min_km) p.problem("y_max_km", "must be greater than y_min_km");
    p.finish();
    n.partitions.push_back(part);
  }
  s.finish();
  return n;
}

// An optional mechanism: absent, or `kind: none`, means off.
template <class Spec>
std::optional<Spec> read_optional(Section& parent, std::string_view key, std::string_view kind,
                                  std::string_view help, Spec (*read)(Section)) {
  Section s = parent.section(key, help);
  const std::array<std::string_view, 2> kinds{"none", kind};
  const std::size_t before = s.problems_so_far();
  const std::string chosen =
      s.choice("kind", parent.describing() ? kind : "none", kinds, "which mechanism (none: off)");
  if (s.problems_so_far() != before) return std::nullopt;  // a bad kind: its keys mean nothing
  if (chosen == "none" && !s.describing()) {
    s.finish();
    return std::nullopt;
  }
  return read(s);
}

ValidationSpec read_validation(Section s) {
  ValidationSpec v;
  v.readings = read_reading_checks(s);
  v.coverage = read_optional(s, "coverage", "helium_poc",
                             "proof of coverage: beacons and witnesses (proof_of_coverage.hpp)",
                             &read_poc_spec);
  v.location = read_optional(s, "location", "witness_geometry",
                             "proof of location from witness geometry (proof_of_location.hpp)",
                             &read_location_spec);
  v.reputation = read_optional(s, "reputation", "beta",
                               "beta reputation with forgetting, weighing rewards (reputation.hpp)",
                               &read_reputation_spec);
  v.collusion = read_optional(s, "collusion", "witness_graph",
                              "collusion detection on the witness graph (collusion.hpp)",
                              &read_collusion_spec);
  // Both work on witness reports, which only proof of coverage produces.
  if (!v.coverage && v.location) {
    s.problem("location", "needs witness reports: turn on validation.coverage (kind: helium_poc)");
  }
  if (!v.coverage && v.collusion) {
    s.problem("collusion", "needs witness reports: turn on validation.coverage (kind: helium_poc)");
  }
  v.cutoff_grace = s.duration("cutoff_grace", Time{}, Time{},
                              "how long after an epoch ends its readings are still on time");
  s.finish();
  return v;
}

void read_economy(Section s, EconomySpec& e) {
  e.initial_supply = s.number("initial_supply", e.initial_supply, "token", kNonNegative,
                              "tokens held by the market (every other holder) at the start");
  if (e.initial_supply * 1e6 > 9e18) {
    s.problem("initial_supply", "is too large to account in micro-tokens");
  }
  e.demand = read_demand_spec(
      s.section("demand", "USD buyers pay for the network's data (economy/demand.hpp)"));
  e.burn = read_bme_spec(s.section("burn", "how usage burns tokens (economy/burn_and_mint.hpp)"));
  Section price = s.section("price", "the token price model (economy/price_model.hpp)");
  e.price = read_price_spec(price);
  if (e.price.kind == PriceKind::exogenous && !s.describing() && s.problems_so_far() == 0) {
    try {
      make_price_model(e.price, e.directory);
    } catch (const sim::config::ConfigError& err) {
      for (const auto& p : err.problems())
        price.problem("file", p.format());
    } catch (const std::exception& err) {
      price.problem("file", err.what());
    }
  }
  Section power = s.section("network_power", "the network's power path (Filecoin's baseline)");
  e.power.initial_bytes = power.number("initial_bytes", e.power.initial_bytes, "B", kNonNegative,
                                       "quality-adjusted power at the start");
  e.power.growth_per_year = power.number("growth_per_year", e.power.growth_per_year, "", kPositive,
                                         "factor per year (2: doubling)");
  power.finish();
  s.finish();
}

// An optional mechanism given by its mapping alone: present means on.
template <class Spec>
std::optional<Spec> read_if_present(Section& parent, std::string_view key, std::string_view help,
                                    Spec (*read)(Section)) {
  if (!parent.has(key) && !parent.describing()) return std::nullopt;
  return read(parent.section(key, help));
}

RewardSpec read_rewards(Section rewards, bool coverage, EconomySpec& e) {
  RewardSpec r;
  e.emission = read_emission_spec(
      rewards.section("emission", "tokens minted over time (rewards/emission.hpp)"));
  e.split = read_role_split_spec(
      rewards.section("split", "the emission's shares by role (rewards/role_split.hpp)"));
  e.staking = read_if_present(rewards, "staking",
                              "operators' stakes and slashing (economy/staking.hpp); absent: none",
                              &read_staking_spec);
  e.vesting = read_if_present(rewards, "vesting",
                              "locked share of rewards and its release (economy/vesting.hpp)",
                              &read_vesting_spec);
  Section d = rewards.section("distribution", "how the emission reaches the nodes");
  static constexpr std::array<std::string_view, 4> kKinds{"pro_rata", "weatherxm", "helium_iot",
                                                          "data_and_coverage"};
  const std::string kind = d.choice("kind", "pro_rata", kKinds, "distribution rule");
  if (d.describing()) {
    read_data_reward_spec(d);
    read_iot_pool_spec(d);
    read_data_reward_spec(d.section("data", "data_and_coverage: the data pool's rule"));
    read_iot_pool_spec(d.section("pools", "data_and_coverage: the emission's split"));
  } else if (kind == "data_and_coverage") {
    r.distribution = Distribution::data_and_coverage;
    if (!coverage) d.problem("kind", "pays coverage units: turn on validation.coverage");
    r.data = read_data_reward_spec(d.section("data", "the data pool's rule (as weatherxm)"));
    r.iot = read_iot_pool_spec(
        d.section("pools", "the emission's split (as helium_iot; data_share is the data pool)"));
    d.finish();
  } else if (kind == "weatherxm") {
    r.distribution = Distribution::weatherxm;
    r.data = read_data_reward_spec(d);
  } else if (kind == "helium_iot") {
    r.distribution = Distribution::helium_iot;
    if (!coverage) d.problem("kind", "pays coverage units: turn on validation.coverage");
    r.iot = read_iot_pool_spec(d);
  } else {
    d.finish();
  }
  if (rewards.has("hex_density") || rewards.describing()) {
    r.hex_density = read_hex_density_spec(
        rewards.section("hex_density", "HIP-17 density scaling of coverage rewards (helium_iot)"));
  }
  rewards.finish();
  return r;
}

MetricsSpec read_metrics(Section s, double width_km, double height_km) {
  MetricsSpec m;
  m.bad_error_c = s.number("bad_error_c", m.bad_error_c, "degC", kPositive,
                           "a reading farther than this from the truth counts as bad data");
  m.coverage_resolution = static_cast<int>(
      s.integer("coverage_resolution", m.coverage_resolution, Range::between(0.0, 15.0),
                "hex resolution at which coverage is counted (7: about 5 km2, WeatherXM's cells)"));
  // Coverage is counted over every cell of the region, once per run: keep that enumerable.
  const double cells = width_km * height_km / hex_area_km2(m.coverage_resolution);
  if (cells > 5e7) {
    s.problem("coverage_resolution", "too fine for this region: about " +
                                         sim::config::format_number(std::round(cells)) +
                                         " cells; use a coarser resolution (a smaller number)");
  }
  s.finish();
  return m;
}

}  // namespace

MemoryEstimate memory_estimate(const Scenario& s) {
  MemoryEstimate m;
  const double sensors = static_cast<double>(s.sensor_count());
  double readings = 0;
  for (const auto& g : s.sensors) {
    readings +=
        static_cast<double>(g.count + g.reserve) * static_cast<double>(s.epoch / g.sampling);
  }
  m.readings_per_epoch = static_cast<std::int64_t>(readings);
  ConsensusSpec consensus;
  for (const ReadingCheckSpec& c : s.validation.readings) {
    if (c.kind == "spatial_consensus") consensus = std::any_cast<const ConsensusSpec&>(c.params);
  }
  const double windows = static_cast<double>(s.epoch / consensus.window) + 1;
  // Per sensor: columns, streams and totals (~120 B), its ledger account (~40 B), its pending
  // sampling event and process (~80 B), the graph vertex with ~10 links (~400 B), consensus
  // neighbours (4 B each). Per reading: two epoch buffers of (submission, truth, flag) and the
  // oracle's copy, verdict and window slot (~130 B). Per window and sensor: the consensus table.
  const double per_sensor = 900.0 + 4.0 * consensus.neighbours;
  double bytes = sensors * per_sensor + readings * 130.0 + windows * sensors * 16.0;
  if (s.validation.coverage) {
    // Radio links within range at the mean density (8 B each), and the witness graph's pairs
    // (12 B per pair and epoch held) when collusion detection keeps a window of them.
    const double area = std::max(s.width_km * s.height_km, 1e-9);
    const double r = s.radio.max_range_km;
    const double links = std::min(sensors - 1.0, sensors * 3.14159 * r * r / area);
    const double window =
        s.validation.collusion ? static_cast<double>(s.validation.collusion->window_epochs) : 0.0;
    bytes += sensors * links * (8.0 + 12.0 * window);
  }
  // Storage and compute providers: columns, streams, routes and the work in flight, a generous
  // 4 KiB each (their own estimates are far smaller).
  bytes += 4096.0 * static_cast<double>(s.storage_count() + s.compute_count());
  m.bytes =
      bytes > 9e18 ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(bytes);
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  // Leave a fifth of the machine to everything else.
  m.available_bytes = pages > 0 && page > 0 ? static_cast<std::int64_t>(pages) * page / 5 * 4
                                            : std::numeric_limits<std::int64_t>::max();
  return m;
}

sim::TopologySpec topology_spec(const NetworkSpec& n) {
  sim::TopologySpec t;
  t.kind = sim::parse_topology_kind(n.topology);
  t.radius_km = n.radius_km;
  t.neighbours_k = static_cast<std::uint32_t>(n.neighbours_k);
  t.rewire_probability = n.rewire_probability;
  t.edges_per_node_m = static_cast<std::uint32_t>(n.edges_per_node_m);
  return t;
}

std::int64_t Scenario::storage_count() const {
  std::int64_t n = 0;
  for (const auto& g : storage_groups)
    n += g.count;
  return n;
}

std::int64_t Scenario::compute_count() const {
  std::int64_t n = 0;
  for (const auto& g : compute_groups)
    n += g.count;
  return n;
}

std::int64_t Scenario::sensor_count() const {
  std::int64_t n = 0;
  for (const auto& g : sensors)
    n += g.count + g.reserve;
  return n;
}

namespace {

// Each `population:` entry by its kind. Listing the parameters shows every kind's keys, under
// population[sensor], population[storage] and population[compute].
void read_population(Section& root, Scenario& s) {
  static constexpr std::array<std::string_view, 3> kKinds{"sensor", "storage", "compute"};
  std::size_t entry = 0;
  std::vector<std::pair<Section, std::string>> shared;  // entries with operated_by, and by whom
  for (Section g : root.list("population", "groups of nodes, each of one kind")) {
    if (g.describing()) {
      s.sensors.push_back(read_sensor_group_spec(g.variant("sensor")));
      s.storage_groups.push_back(read_storage_group_spec(g.variant("storage")));
      s.compute_groups.push_back(read_compute_group_spec(g.variant("compute")));
      continue;
    }
    const std::string kind = g.peek("kind").value_or("sensor");
    if (kind == "storage") {
      s.storage_groups.push_back(read_storage_group_spec(g));
      s.storage_entry.push_back(entry);
      if (s.storage_groups.back().operated_by != "own") shared.emplace_back(g, "sensor");
    } else if (kind == "compute") {
      s.compute_groups.push_back(read_compute_group_spec(g));
      s.compute_entry.push_back(entry);
      const ComputeOperatedBy by = s.compute_groups.back().operated_by;
      if (by == ComputeOperatedBy::sensor) shared.emplace_back(g, "sensor");
      if (by == ComputeOperatedBy::storage) shared.emplace_back(g, "storage");
    } else if (kind == "sensor") {
      s.sensors.push_back(read_sensor_group_spec(g));
      s.sensor_entry.push_back(entry);
    } else {
      g.choice("kind", "sensor", kKinds, "what the nodes of this group are");  // names the error
    }
    ++entry;
  }
  // Providers handed to another kind's operators need some running from the start.
  for (auto& [g, by] : shared) {
    std::int64_t count = 0;
    if (by == "sensor") {
      for (const auto& group : s.sensors)
        count += group.count;
    } else {
      count = s.storage_count();
    }
    if (count == 0) {
      g.problem("operated_by", "no " + by + " nodes run from the start to operate these nodes");
    }
  }
}

std::string gib(std::int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1024.0 * 1024 * 1024));
  return text;
}

Scenario read_scenario(sim::config::Reader& reader, YAML::Node resolved) {
  Section root = Section::root(reader, resolved);
  Scenario s;
  s.name = root.text("name", "unnamed", "a short name for the scenario");
  s.seed = static_cast<std::uint64_t>(
      root.integer("seed", 1, kNonNegative, "base seed of every random stream"));

  Section run = root.section("run", "how long to simulate");
  s.duration = run.duration("duration", Time::days(90), Time::seconds(1), "simulated time");
  s.epoch = run.duration("epoch", Time::days(1), Time::seconds(1), "length of a reward epoch");
  if (s.duration % s.epoch != Time{}) {
    run.problem("duration",
                "must be a whole number of epochs (" + sim::format_duration(s.epoch) + ")");
  }
  run.finish();

  Section region = root.section("region", "the area the network covers");
  s.width_km = region.number("width_km", 200.0, "km", kPositive, "east-west extent");
  s.height_km = region.number("height_km", 200.0, "km", kPositive, "north-south extent");
  region.finish();

  s.field = read_temperature_field_spec(root.section("field", "the ground truth"));
  s.network = read_network(root.section("network", "links, latency, loss, partitions"), s.width_km,
                           s.height_km);
  {
    Section radio =
        root.section("radio", "radio propagation and beacons (with validation.coverage)");
    s.beacon_every = radio.duration("beacon_every", s.beacon_every, Time::minutes(1),
                                    "how often each node sends a coverage beacon");
    s.radio = read_radio_spec(radio);
  }
  read_population(root, s);
  if (reader.ok() && s.sensor_count() > 0) {
    try {
      topology_spec(s.network).validate(static_cast<std::size_t>(s.sensor_count()));
    } catch (const std::invalid_argument& e) {
      root.problem("network", e.what());
    }
  }
  s.validation = read_validation(root.section("validation", "the oracle's checks"));
  if (reader.ok() && !reader.describing()) {
    const MemoryEstimate m = memory_estimate(s);
    if (m.bytes > m.available_bytes) {
      root.problem("population", "needs about " + gib(m.bytes) + " of memory (" +
                                     std::to_string(m.readings_per_epoch) +
                                     " readings per epoch), more than this machine's " +
                                     gib(m.available_bytes) +
                                     "; use fewer sensors, slower sampling or shorter epochs");
    }
  }
  if (s.validation.cutoff_grace >= s.epoch) {
    root.problem("validation", "cutoff_grace must be shorter than run.epoch");
  }
  s.rewards = read_rewards(root.section("rewards", "token emission and distribution"),
                           s.validation.coverage.has_value(), s.economy);
  s.economy.directory = std::filesystem::absolute(reader.document().source()).parent_path();
  read_economy(root.section("economy", "demand, burn and the token price (models/economy/)"),
               s.economy);
  s.economy.operators = read_operator_spec(
      root.section("operators", "operators' selling, exit and entry (economy/operators.hpp)"));
  {
    Section output = root.section("output", "what the output file holds beyond /epochs and /nodes");
    s.output.ledger = output.boolean("ledger", s.output.ledger,
                                     "write /ledger: every token movement, with its epoch");
    output.finish();
  }
  s.metrics = read_metrics(root.section("metrics", "what the simulator measures against the truth"),
                           s.width_km, s.height_km);
  // The storage and compute networks' own mechanisms, read whenever they are written (an unused
  // section is a problem, as it most likely means a missing population entry).
  if (!s.storage_groups.empty() || root.has("storage") || reader.describing()) {
    s.storage = read_storage_spec(
        root.section("storage", "deals, proofs, fees and payment of storage providers"));
    if (s.storage_groups.empty() && !reader.describing()) {
      root.problem("storage", "no population entry has kind: storage");
    }
  }
  if (!s.compute_groups.empty() || root.has("compute") || reader.describing()) {
    s.compute = read_compute_spec(
        root.section("compute", "jobs, market and verification of compute providers"));
    if (s.compute_groups.empty() && !reader.describing()) {
      root.problem("compute", "no population entry has kind: compute");
    }
  }
  root.finish();
  if (s.sensor_count() + s.storage_count() + s.compute_count() == 0 && reader.ok()) {
    root.problem("population", "the scenario has no nodes: add a group with count > 0");
  }
  return s;
}

}  // namespace

std::vector<sim::config::ParamInfo> scenario_parameters() {
  const auto empty = sim::config::Document::load_string("", "(declarations)");
  sim::config::Reader reader(empty, true);
  read_scenario(reader, YAML::Node(YAML::NodeType::Map));
  // `extends` is resolved by the document before any section is read; list it all the same.
  std::vector<sim::config::ParamInfo> params{
      {"extends", "string", "", "", "",
       "a scenario file (relative to this one) to start from; this file's keys override it"}};
  params.insert(params.end(), reader.catalogue().begin(), reader.catalogue().end());
  return params;
}

Scenario load_scenario(const sim::config::Document& doc) {
  sim::config::Reader reader(doc);
  YAML::Node resolved(YAML::NodeType::Map);
  Scenario s = read_scenario(reader, resolved);
  reader.throw_if_problems();
  YAML::Emitter out;
  out << resolved;
  s.resolved_yaml = std::string(out.c_str()) + "\n";
  return s;
}

}  // namespace models
