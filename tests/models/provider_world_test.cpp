// Storage and compute providers inside a whole run: what the world books for them, and what an
// honest, fault-free network costs nobody.
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/scenario.hpp"
#include "models/sensor_world.hpp"
#include "sim/config.hpp"

using models::EpochTally;
using models::Ledger;
using models::SensorWorld;
using sim::config::Document;

namespace {

models::Scenario providers_run(const std::string& body) {
  const std::string yaml = R"(name: providers
seed: 8
run: {duration: 30d, epoch: 1d}
region: {width_km: 500, height_km: 500}
network: {topology: random_geometric, radius_km: 200, loss_per_hop: 0}
rewards:
  emission: {per_day: 10000}
  split: {data: 0, storage: 0.6, compute: 0.3, treasury: 0.1}
economy: {initial_supply: 10000000, price: {kind: constant, initial_usd: 1}}
output: {ledger: true}
)" + body;
  return models::load_scenario(Document::load_string(yaml, "providers.yaml"));
}

double sum(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0);
}

}  // namespace

TEST_CASE(
    "models::SensorWorld: honest providers on hardware that never fails lose nothing and "
    "pay no fee",
    "[scenario]") {
  const auto scenario = providers_run(R"(population:
  - kind: storage
    count: 40
    capacity_tib: 50
    hardware: {disk_failure_per_year: 0, node_failure_per_year: 0}
    behaviour: {honest: 1.0}
  - kind: compute
    count: 40
    gpu: {failure_per_year: 0}
    behaviour: {honest: 1.0}
storage:
  deals: {per_day: 50, size_gib: 32, replicas: 3, duration: 10d}
compute:
  jobs: {rate_per_day: 300, budget_usd_per_unit: 0.2}
  verification: {kind: replication, replicas: 3}
  stake: {tokens: 100}
)");
  SensorWorld world(scenario, 0);
  std::vector<double> penalties, unpaid, locked, released;
  world.on_epoch([&](const EpochTally& t) {
    penalties.push_back(t.economy.penalties);
    unpaid.push_back(t.economy.penalties_unpaid);
    locked.push_back(t.economy.collateral_locked);
    released.push_back(t.economy.collateral_released);
  });
  world.run();
  REQUIRE(world.finished());
  const models::StorageStats& s = world.storage()->totals();
  const models::ComputeTally& c = world.compute()->totals();
  CHECK(s.deals_placed > 1000);
  CHECK(s.deals_lost == 0);
  CHECK(s.bytes_lost == 0.0);
  CHECK(s.faults_detected == 0);
  CHECK(s.fees_tokens == 0.0);
  CHECK(c.accepted > 5000);
  CHECK(c.wrong_accepted == 0);
  CHECK(c.slashed_tokens == 0.0);
  CHECK(sum(penalties) == 0.0);
  CHECK(sum(unpaid) == 0.0);
  CHECK(world.ledger().slashed() == 0);
  // Pledges were locked at commit and came back as the 10-day deals expired.
  CHECK(sum(locked) > 0.0);
  CHECK(sum(released) > 0.0);
}

TEST_CASE("models::SensorWorld: every provider fee and slash is a ledger entry", "[scenario]") {
  const auto scenario = providers_run(R"(population:
  - kind: storage
    count: 40
    capacity_tib: 50
    behaviour: {honest: 0.8, deleting: {share: 0.2, keep_for: 3d}}
  - kind: compute
    count: 40
    behaviour: {honest: 0.8, lazy: 0.2}
storage:
  deals: {per_day: 50, size_gib: 32, replicas: 3, duration: 60d}
compute:
  jobs: {rate_per_day: 300, budget_usd_per_unit: 0.2}
  verification: {kind: spot_check, spot_check_probability: 0.2}
  stake: {tokens: 100, slash_fraction: 1.0, challenger_share: 0.5}
)");
  SensorWorld world(scenario, 0);
  double penalties = 0, to_reporters = 0, unpaid = 0;
  world.on_epoch([&](const EpochTally& t) {
    penalties += t.economy.penalties;
    to_reporters += t.economy.penalties_to_reporters;
    unpaid += t.economy.penalties_unpaid;
    CHECK_NOTHROW(world.ledger().check_conservation());
  });
  world.run();
  // What the networks charged is what the ledger took, plus what nobody could pay.
  const double charged =
      world.storage()->totals().fees_tokens + world.compute()->totals().slashed_tokens;
  CHECK(charged > 0.0);
  CHECK(penalties + unpaid == Approx(charged).epsilon(1e-6));
  // No staking is configured: every destroyed token is a penalty's, and the reporters' part
  // went to the reporters' account.
  const Ledger& ledger = world.ledger();
  double slash_entries = 0, to_reporter_entries = 0;
  Ledger::Account reporters = Ledger::kNoAccount;
  for (Ledger::Account a = 0; a < ledger.accounts(); ++a) {
    if (ledger.label(a) == "reporters") reporters = a;
  }
  REQUIRE(reporters != Ledger::kNoAccount);
  for (const Ledger::Entry& e : ledger.entries()) {
    if (e.kind == models::EntryKind::slash) slash_entries += models::to_tokens(e.amount);
    if (e.kind == models::EntryKind::transfer && e.to == reporters) {
      to_reporter_entries += models::to_tokens(e.amount);
    }
  }
  CHECK(slash_entries == Approx(penalties - to_reporters).epsilon(1e-6));
  CHECK(to_reporter_entries == Approx(to_reporters).epsilon(1e-6));
  CHECK(models::to_tokens(ledger.slashed()) == Approx(slash_entries).epsilon(1e-9));
}

TEST_CASE("models::SensorWorld: a provider run by a sensor's operator shares its books",
          "[scenario]") {
  const auto scenario = providers_run(R"(population:
  - kind: sensor
    count: 30
    sampling: 6h
    behaviour: {honest: 1.0}
  - kind: storage
    count: 10
    operated_by: sensor
    behaviour: {honest: 1.0}
  - kind: compute
    count: 5
    operated_by: storage
    behaviour: {honest: 1.0}
validation:
  readings: [{kind: sanity}]
storage:
  deals: {per_day: 20, size_gib: 32, replicas: 2, duration: 60d}
compute:
  jobs: {rate_per_day: 50}
)");
  SensorWorld world(scenario, 0);
  world.run();
  // Sensors' operators are 0..29; the storage providers take the first ten of them and the
  // compute providers the storage providers' operators in turn: no operator of their own.
  CHECK(world.operators() == 30);
  const auto& storage = world.storage_operators();
  CHECK(storage == std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  const auto& compute = world.compute_operators();
  CHECK(compute == std::vector<std::uint32_t>{0, 1, 2, 3, 4});
  // One book per operator: the first ten operators' capex includes their storage racks.
  const auto& book = world.economy().operators();
  CHECK(book.account(0).capex_usd > book.account(20).capex_usd);
}
