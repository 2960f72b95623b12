// Reading the storage network's scenario sections.
#include "models/storage_network.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "sim/network.hpp"
#include "sim/topology.hpp"
#include "tests/models/config_reading.hpp"

using models::MarketView;
using models::ProviderEpochs;
using models::StorageBehaviour;
using models::StorageGroupSpec;
using models::StorageNetwork;
using models::StoragePayment;
using models::StorageSpec;
using sim::Time;

namespace {

// Problems found reading `storage:` (and, optionally, its spec).
std::vector<sim::config::Problem> storage_problems(const std::string& text,
                                                   StorageSpec* out = nullptr) {
  const auto doc = sim::config::Document::load_string(text, "storage.yaml");
  sim::config::Reader reader(doc);
  auto root = sim::config::Section::root(reader, YAML::Node());
  const StorageSpec spec = models::read_storage_spec(root.section("storage", ""));
  root.finish();
  if (out) *out = spec;
  return reader.problems();
}

// Problems found reading the `population:` entries as storage groups.
std::vector<sim::config::Problem> population_problems(const std::string& text,
                                                      StorageGroupSpec* out = nullptr) {
  const auto doc = sim::config::Document::load_string(text, "population.yaml");
  sim::config::Reader reader(doc);
  auto root = sim::config::Section::root(reader, YAML::Node());
  for (auto g : root.list("population", "")) {
    const StorageGroupSpec spec = models::read_storage_group_spec(g);
    if (out) *out = spec;
  }
  root.finish();
  return reader.problems();
}

}  // namespace

TEST_CASE("models::read_storage_spec: reads its keys and names a bad one", "[unit]") {
  StorageSpec s;
  REQUIRE(storage_problems("storage: {payment: arweave, repair: none, deals: {replicas: 5, "
                           "duration: 180d}, proofs: {deadlines: 24}}\n",
                           &s)
              .empty());
  CHECK(s.payment == StoragePayment::arweave);
  CHECK(s.repair == models::RepairPolicy::none);
  CHECK(s.deals.replicas == 5);
  CHECK(s.deals.duration == Time::days(180));
  CHECK(s.proofs.deadlines == 24);
  using test_support::names_key;
  CHECK(names_key(storage_problems("storage: {payment: ipfs}\n"), "storage.payment"));
  CHECK(names_key(storage_problems("storage: {deals: {replicas: 0}}\n"), "storage.deals.replicas"));
  CHECK(names_key(storage_problems("storage: {deals: {size_gib: 10, max_size_gib: 5}}\n"),
                  "storage.deals.size_gib"));
  CHECK(names_key(storage_problems("storage: {payment: arweave, deals: {replicas: 30}}\n"),
                  "storage.deals"));
  CHECK(names_key(storage_problems("storage: {repair: always}\n"), "storage.repair"));
  CHECK(names_key(storage_problems("storage: {dealz: {}}\n"), "storage.dealz"));
}

TEST_CASE("models::read_storage_group_spec: reads a storage entry and names a bad key", "[unit]") {
  StorageGroupSpec g;
  REQUIRE(
      population_problems("population:\n"
                          "  - kind: storage\n"
                          "    count: 12\n"
                          "    capacity_tib: 50\n"
                          "    operated_by: sensor\n"
                          "    providers_per_operator: 3\n"
                          "    hardware: {class: jbod, disk_tib: 20, bandwidth_gbps: 10}\n"
                          "    behaviour: {honest: 0.75, deleting: {share: 0.25, keep_for: 7d}}\n",
                          &g)
          .empty());
  CHECK(g.count == 12);
  CHECK(g.capacity_tib == 50);
  CHECK(g.operated_by == "sensor");
  CHECK(g.providers_per_operator == 3);
  CHECK(g.hardware.name == "jbod");
  CHECK(g.share[0] == 0.75);
  CHECK(g.share[static_cast<std::size_t>(StorageBehaviour::deleting)] == 0.25);
  CHECK(g.params.keep_for == Time::days(7));
  // Three operators of three providers for twelve providers... four.
  const auto pop = models::StoragePopulation::build({g}, 10, 10, sim::RandomStreams(1, 0));
  CHECK(pop.operators == 4);
  CHECK(pop.operator_id[2] == 0);
  CHECK(pop.operator_id[3] == 1);
  CHECK(std::count(pop.behaviour.begin(), pop.behaviour.end(), StorageBehaviour::deleting) == 3);

  using test_support::names_key;
  CHECK(names_key(population_problems("population: [{kind: storage, operated_by: storage}]\n"),
                  "population[0].operated_by"));
  CHECK(names_key(population_problems("population: [{kind: storage, providers_per_operator: 0}]\n"),
                  "population[0].providers_per_operator"));
  CHECK(names_key(population_problems("population: [{kind: storage, behaviour: {honest: 0.5}}]\n"),
                  "population[0].behaviour"));
  CHECK(names_key(
      population_problems("population: [{kind: storage, hardware: {disk_failure_per_year: -1}}]\n"),
      "population[0].hardware.disk_failure_per_year"));
  CHECK(names_key(population_problems("population: [{kind: compute}]\n"), "population[0].kind"));
}

TEST_CASE("models::read_storage_spec: lists every key when describing the parameters", "[unit]") {
  const auto doc = sim::config::Document::load_string("{}\n", "empty.yaml");
  sim::config::Reader reader(doc, true);
  auto root = sim::config::Section::root(reader, YAML::Node());
  models::read_storage_spec(root.section("storage", ""));
  for (auto g : root.list("population", ""))
    models::read_storage_group_spec(g.variant("storage"));
  root.finish();
  CHECK(reader.ok());
  std::vector<std::string> keys;
  for (const auto& p : reader.catalogue())
    keys.push_back(p.key);
  const auto has = [&](const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  CHECK(has("storage.deals.replicas"));
  CHECK(has("storage.proofs.terminate_after"));
  CHECK(has("storage.fees.gamma"));
  CHECK(has("storage.arweave.cost_decay_per_year"));
  CHECK(has("population[storage].behaviour.outsourcing.fetch_share"));
  CHECK(has("population[storage].hardware.disk_failure_per_year"));
}
