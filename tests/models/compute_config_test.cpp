// Reading the compute network's scenario sections.
#include "models/compute_network.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/config.hpp"
#include "tests/models/config_reading.hpp"

using models::ComputeBehaviour;
using models::ComputeGroupSpec;
using models::ComputeMarketKind;
using models::ComputeNetwork;
using models::ComputeSpec;
using models::ComputeVerificationKind;
using models::MarketView;
using models::ProviderEpoch;
using models::ProviderEpochs;
using models::ReplicationRule;
using sim::Time;

namespace {

// Indices of the behaviour shares, in ComputeBehaviour order.
constexpr std::size_t kHonest = 0, kLazy = 1, kUnreliable = 4;

}  // namespace

TEST_CASE("models::read_compute_spec: reads a whole compute section and names bad keys", "[unit]") {
  using test_support::names_key;
  const auto read = [](const std::string& yaml, ComputeSpec* out = nullptr) {
    const auto doc = sim::config::Document::load_string(yaml, "c.yaml");
    sim::config::Reader reader(doc);
    auto root = sim::config::Section::root(reader, YAML::Node());
    const ComputeSpec spec = models::read_compute_spec(root.section("compute", ""));
    root.finish();
    if (out) *out = spec;
    return reader.problems();
  };
  ComputeSpec spec;
  const auto ok = read(
      "compute:\n"
      "  jobs: {rate_per_day: 500, burst_probability: 0.1, burst_multiplier: 4,\n"
      "         size_distribution: exponential, mean_size_units: 3, deadline: 2h,\n"
      "         budget_usd_per_unit: 0.3, budget_spread: 0.2}\n"
      "  market: {kind: akash, take_rate_percent: 20}\n"
      "  verification: {kind: spot_check, spot_check_probability: 0.05}\n"
      "  stake: {usd: 250, slash_fraction: 0.2, challenger_share: 0.3}\n",
      &spec);
  CHECK(ok.empty());
  CHECK(spec.jobs.rate_per_day == 500);
  CHECK(spec.jobs.size_distribution == models::JobSizeDistribution::exponential);
  CHECK(spec.jobs.deadline == Time::hours(2));
  CHECK(spec.verification.kind == ComputeVerificationKind::spot_check);
  CHECK(spec.verification.spot_check_probability == 0.05);
  CHECK(spec.stake.stake_usd == 250);
  CHECK(spec.stake.slash_fraction == 0.2);

  CHECK(names_key(read("compute: {jobs: {rate_per_day: -1}}\n"), "compute.jobs.rate_per_day"));
  CHECK(names_key(read("compute: {jobs: {size_distribution: pareto}}\n"),
                  "compute.jobs.size_distribution"));
  CHECK(names_key(read("compute: {stake: {usd: 1, tokens: 1}}\n"), "compute.stake.tokens"));
  CHECK(names_key(read("compute: {stake: {slash_fraction: 2}}\n"), "compute.stake.slash_fraction"));
  CHECK(names_key(read("compute: {jobs: {rate: 5}}\n"), "compute.jobs.rate"));
  CHECK(names_key(read("compute: {verification: {kind: zk}}\n"), "compute.verification.kind"));
  // The lognormal's spread means nothing for fixed sizes.
  CHECK(names_key(read("compute: {jobs: {size_distribution: fixed, size_cv: 2}}\n"),
                  "compute.jobs.size_cv"));
  // A bad value is a ConfigError that names the key.
  sim::config::Document doc =
      sim::config::Document::load_string("compute: {market: {max_queue: soon}}\n", "c.yaml");
  sim::config::Reader reader(doc);
  auto root = sim::config::Section::root(reader, YAML::Node());
  models::read_compute_spec(root.section("compute", ""));
  CHECK_THROWS_WITH(reader.throw_if_problems(), Catch::Contains("compute.market.max_queue"));
}

TEST_CASE("models::read_compute_group_spec: reads a compute population entry and names bad keys",
          "[unit]") {
  using test_support::names_key;
  const auto read = [](const std::string& yaml, ComputeGroupSpec* out = nullptr) {
    const auto doc = sim::config::Document::load_string(yaml, "p.yaml");
    sim::config::Reader reader(doc);
    auto root = sim::config::Section::root(reader, YAML::Node());
    auto entries = root.list("population", "");
    const ComputeGroupSpec g = models::read_compute_group_spec(entries.at(0));
    root.finish();
    if (out) *out = g;
    return reader.problems();
  };
  ComputeGroupSpec g;
  const auto ok = read(
      "population:\n"
      "  - kind: compute\n"
      "    count: 40\n"
      "    gpu: {class: RTX4090, throughput_units_per_hour: 12, power_w: 450,\n"
      "          electricity_usd_per_kwh: 0.15, capex_usd: 1800, ask_usd_per_unit: 0.07}\n"
      "    behaviour: {honest: 0.7, lazy: 0.1, partial: {share: 0.1, skipped: 0.3},\n"
      "                colluding: {share: 0.05, ring_size: 5},\n"
      "                unreliable: {share: 0.05, drop_probability: 0.4}}\n"
      "    operated_by: storage\n"
      "    providers_per_operator: 2\n",
      &g);
  CHECK(ok.empty());
  CHECK(g.count == 40);
  CHECK(g.gpu.name == "RTX4090");
  CHECK(g.gpu.throughput_units_per_hour == 12);
  CHECK(g.gpu.ask_usd_per_unit == 0.07);
  CHECK(g.share[kLazy] == 0.1);
  CHECK(g.params.partial_skipped_share == 0.3);
  CHECK(g.params.ring_size == 5);
  CHECK(g.params.drop_probability == 0.4);
  CHECK(g.share[kUnreliable] == 0.05);
  CHECK(g.operated_by == models::ComputeOperatedBy::storage);
  CHECK(g.providers_per_operator == 2);

  const auto defaults = read("population: [{kind: compute, count: 3}]\n", &g);
  CHECK(defaults.empty());
  CHECK(g.share[kHonest] == 1.0);
  CHECK(g.operated_by == models::ComputeOperatedBy::own);

  CHECK(names_key(read("population: [{kind: compute, behaviour: {honest: 0.5, lazy: 0.4}}]\n"),
                  "population[0].behaviour"));
  CHECK(names_key(read("population: [{kind: sensor}]\n"), "population[0].kind"));
  CHECK(names_key(read("population: [{kind: compute, operated_by: cloud}]\n"),
                  "population[0].operated_by"));
  CHECK(names_key(read("population: [{kind: compute, providers_per_operator: 0}]\n"),
                  "population[0].providers_per_operator"));
  CHECK(names_key(read("population: [{kind: compute, gpu: {throughput_units_per_hour: 0}}]\n"),
                  "population[0].gpu.throughput_units_per_hour"));
  CHECK(names_key(read("population: [{kind: compute, behaviour: {lazzy: 0.1, honest: 0.9}}]\n"),
                  "population[0].behaviour.lazzy"));
}
