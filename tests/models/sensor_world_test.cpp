#include "models/sensor_world.hpp"

#include <numeric>

#include <catch2/catch.hpp>

using models::Behaviour;
using models::EpochTally;
using models::SensorWorld;
using sim::config::Document;

namespace {

models::Scenario small(const std::string& extra = "") {
  const std::string yaml = R"(name: small
seed: 11
run: {duration: 6d, epoch: 1d}
region: {width_km: 60, height_km: 60}
network: {topology: random_geometric, radius_km: 10, loss_per_hop: 0.01}
population:
  - count: 400
    behaviour: {honest: 0.8, noisy: 0.05, fabricator: {share: 0.1, spread_c: 0.5}, stuck: 0.05}
rewards: {emission: {per_epoch: 1000}}
)" + extra;
  return models::load_scenario(Document::load_string(yaml, "small.yaml"));
}

std::int64_t sum(const EpochTally::PerBehaviour& v) {
  return std::accumulate(v.begin(), v.end(), std::int64_t{0});
}

}  // namespace

TEST_CASE("models::SensorWorld: every reading is accounted for and every token too", "[scenario]") {
  const auto scenario = small();
  SensorWorld world(scenario, 0);
  std::vector<EpochTally> epochs;
  world.on_epoch([&](const EpochTally& t) { epochs.push_back(t); });
  world.run();
  REQUIRE(epochs.size() == 6);
  for (const EpochTally& t : epochs) {
    CHECK(sum(t.submitted) == 400 * 24);
    CHECK(sum(t.arrived) + sum(t.lost) + sum(t.late) == sum(t.submitted));
    CHECK(sum(t.lost) > 0);  // 1% loss per hop
    CHECK(t.minted == 1000 * models::kUnitsPerToken);
    CHECK(std::accumulate(t.paid.begin(), t.paid.end(), models::Tokens{0}) + t.undistributed ==
          t.minted);
  }
  const auto& ledger = world.ledger();
  CHECK(ledger.minted() == 6 * 1000 * models::kUnitsPerToken);
  CHECK_NOTHROW(ledger.check_conservation());
  CHECK(ledger.supply() == ledger.minted());
}

TEST_CASE("models::SensorWorld: validation rejects dishonest readings far more than honest ones",
          "[scenario]") {
  const auto scenario = small();
  SensorWorld world(scenario, 0);
  world.run();
  const EpochTally& t = world.metrics().totals();
  const auto rejected_share = [&](Behaviour b) {
    const auto i = static_cast<std::size_t>(b);
    return 1.0 - static_cast<double>(t.accepted[i]) / static_cast<double>(t.arrived[i]);
  };
  CHECK(rejected_share(Behaviour::honest) < 0.02);
  CHECK(rejected_share(Behaviour::fabricator) > 0.3);
  CHECK(rejected_share(Behaviour::noisy) > 0.3);
  CHECK(rejected_share(Behaviour::stuck) > 0.3);
  // Honest sensors, 80% of the network, earn more than 80% of the tokens.
  CHECK(static_cast<double>(t.paid[0]) / static_cast<double>(t.minted) > 0.8);
}

TEST_CASE("models::SensorWorld: readings slower than the cut-off are late, not judged",
          "[scenario]") {
  // Half a minute per link: readings taken in the last minutes of a day miss the cut-off.
  const auto scenario = small();
  auto slow = scenario;
  slow.network.base_latency = sim::Time::seconds(30);
  slow.network.loss_per_hop = 0.0;
  SensorWorld world(slow, 0);
  world.run();
  const EpochTally& t = world.metrics().totals();
  CHECK(sum(t.late) > 0);
  CHECK(sum(t.lost) == 0);
  CHECK(sum(t.arrived) + sum(t.late) == sum(t.submitted));
}

TEST_CASE("models::SensorWorld: a partition silences the cut-off region for its window",
          "[scenario]") {
  const auto scenario = small();
  auto cut = scenario;
  cut.network.loss_per_hop = 0.0;
  cut.network.partitions.push_back({0, 30, 0, 30, sim::Time::days(2), sim::Time::days(3)});
  SensorWorld world(cut, 0);
  std::vector<EpochTally> epochs;
  world.on_epoch([&](const EpochTally& t) { epochs.push_back(t); });
  world.run();
  // Only epoch 2 loses messages: about a quarter of the sensors sit in the cut corner, and
  // routes from elsewhere through it are cut as well.
  CHECK(sum(epochs[1].lost) == 0);
  CHECK(sum(epochs[3].lost) == 0);
  CHECK(sum(epochs[2].lost) > 400 * 24 / 8);
}

TEST_CASE("models::SensorWorld: the same scenario and seed give the same run", "[scenario]") {
  const auto scenario = small();
  SensorWorld a(scenario, 0), b(scenario, 0), c(scenario, 1);
  a.run();
  b.run();
  c.run();
  CHECK(a.metrics().totals().accepted == b.metrics().totals().accepted);
  CHECK(a.metrics().totals().accepted_sq_error_sum == b.metrics().totals().accepted_sq_error_sum);
  CHECK(a.metrics().totals().accepted_sq_error_sum != c.metrics().totals().accepted_sq_error_sum);
}
