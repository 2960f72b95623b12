#include "models/sensor_world.hpp"

#include <algorithm>
#include <filesystem>
#include <numeric>

#include <catch2/catch.hpp>

using models::Behaviour;
using models::EpochTally;
using models::Ledger;
using models::SensorWorld;
using models::Tokens;
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
rewards: {emission: {per_day: 1000}}
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

namespace {

// A Helium-like network small enough for a unit test: 600 hotspots over 80 km x 80 km beaconing
// every 6 h, star backhaul, every coverage mechanism on.
models::Scenario coverage(const std::string& behaviour, const std::string& extra = "") {
  const std::string yaml = R"(name: coverage
seed: 5
run: {duration: 8d, epoch: 1d}
region: {width_km: 80, height_km: 80}
network: {topology: star, latency: {base: 80ms, per_km_us: 0, jitter_mean: 40ms}, loss_per_hop: 0}
radio: {beacon_every: 6h, path_loss_exponent: 4}
population:
  - count: 600
    sampling: 6h
    behaviour: )" + behaviour +
                           R"(
validation:
  readings: [{kind: sanity}]
  coverage: {kind: helium_poc}
  location: {kind: witness_geometry, path_loss_exponent: 4, antenna_gain_dbi: 6}
  collusion: {kind: witness_graph, window_epochs: 7, analyse_every: 7}
rewards: {emission: {per_day: 1000}, distribution: {kind: helium_iot}}
)" + extra;
  return models::load_scenario(Document::load_string(yaml, "coverage.yaml"));
}

constexpr auto kColluder = static_cast<std::size_t>(Behaviour::colluder);
constexpr auto kHonest = static_cast<std::size_t>(Behaviour::honest);

}  // namespace

TEST_CASE("models::SensorWorld: forged ring witnesses pass the checks until the rings are denied",
          "[scenario]") {
  SensorWorld world(coverage("{honest: 0.9, colluder: {share: 0.1, ring_size: 8}}"), 0);
  std::vector<EpochTally> epochs;
  world.on_epoch([&](const EpochTally& t) { epochs.push_back(t); });
  world.run();
  REQUIRE(epochs.size() == 8);
  // Each forged report is built to pass the free-space checks: most are rewarded in week one.
  const models::CoverageTally& first = epochs[0].coverage;
  REQUIRE(first.forged_reports > 0);
  CHECK(static_cast<double>(first.forged_valid) / static_cast<double>(first.forged_reports) > 0.5);
  CHECK(epochs[0].paid[kColluder] > 0);
  // The first analysis, after epoch 7, denies all 60 ring members and no honest hotspot.
  CHECK(epochs[5].flagged[kColluder] == 0);
  CHECK(epochs[6].flagged[kColluder] == 60);
  CHECK(epochs[6].flagged[kHonest] == 0);
  CHECK(epochs[7].paid[kColluder] == 0);
  CHECK(epochs[7].coverage.forged_valid == 0);
  for (const EpochTally& t : epochs) {
    Tokens paid = std::accumulate(t.paid.begin(), t.paid.end(), Tokens{0});
    CHECK(paid + t.undistributed == t.minted);
  }
}

TEST_CASE("models::SensorWorld: witness geometry gives spoofers no location and honest nodes one",
          "[scenario]") {
  SensorWorld world(coverage("{honest: 0.9, spoofer: {share: 0.1, offset_km: 20}}"), 0);
  EpochTally last;
  world.on_epoch([&](const EpochTally& t) { last = t; });
  world.run();
  const auto mean_pol = [&](Behaviour b) {
    const auto i = static_cast<std::size_t>(b);
    return last.pol_sum[i] / static_cast<double>(last.online[i]);
  };
  // 6 dB of shadowing over path-loss exponent 4 makes each witness's range uncertain by a factor
  // 10^(6/40) = 1.41, so fits land a km or two off and some honest scores fall below 1 (the
  // score falls from 1 at 2 km to 0 at 10 km); a claim 20 km off scores nothing.
  CHECK(mean_pol(Behaviour::honest) > 0.8);
  CHECK(mean_pol(Behaviour::spoofer) < 0.1);
}

TEST_CASE("models::SensorWorld: genuine witnesses are rarely rejected", "[scenario]") {
  SensorWorld world(coverage("{honest: 1.0}"), 0);
  world.run();
  const models::CoverageTally& c = world.metrics().totals().coverage;
  REQUIRE(c.genuine_reports > 10'000);
  CHECK(c.forged_reports == 0);
  // With path-loss exponent 4 a real signal beats free space only when shadowing (6 dB) exceeds
  // the extra loss, 20 log10(d / 100 m) dB: 20 dB at 1 km, a 3.4-sigma event. Add hotspots
  // closer than 320 m (Helium's minimum) and a few late reports: well under 2 %.
  CHECK(static_cast<double>(c.genuine_rejected) / static_cast<double>(c.genuine_reports) < 0.02);
}

namespace {

// Hourly weather stations, 0.3 degC noise, judged by QoD then kriging with three rounds. Readings
// of one window are taken up to an hour apart; with no diurnal cycle and slow weather the truth
// barely moves in that time, so the noise is what separates honest readings from the estimate.
models::Scenario weather(const std::string& behaviour) {
  const std::string yaml = R"(name: weather
seed: 3
run: {duration: 4d, epoch: 1d}
region: {width_km: 40, height_km: 40}
field: {diurnal_amplitude_c: 0, correlation_time: 24h}
network: {topology: star, loss_per_hop: 0}
population:
  - count: 600
    hardware: {noise_sd_c: 0.3}
    behaviour: )" + behaviour +
                           R"(
validation:
  readings:
    - {kind: qod}
    - {kind: spatial_consensus, method: kriging, iterations: 3, nugget_c2: 0.09}
metrics: {bad_error_c: 2.0}
rewards: {distribution: {kind: weatherxm}}
)";
  return models::load_scenario(Document::load_string(yaml, "weather.yaml"));
}

}  // namespace

TEST_CASE("models::SensorWorld: readings 5 sigma off among honest neighbours are rejected",
          "[scenario]") {
  // Fabricators at 2 %: almost every one is surrounded by honest stations. sigma, the spread of
  // an honest reading about its neighbours' kriging estimate, is about 0.4 degC here: 0.3 of
  // noise, the estimate's own error from eight noisy neighbours, and up to an hour of weather
  // between readings of one window. metrics.bad_error_c = 2.0 degC makes "bad" mean 5 sigma off.
  SensorWorld world(weather("{honest: 0.98, fabricator: {share: 0.02, spread_c: 1}}"), 0);
  world.run();
  const EpochTally& t = world.metrics().totals();
  const auto f = static_cast<std::size_t>(Behaviour::fabricator);
  REQUIRE(t.bad_arrived[f] > 500);
  CHECK(static_cast<double>(t.bad_accepted[f]) / static_cast<double>(t.bad_arrived[f]) <= 0.01);
}

TEST_CASE("models::SensorWorld: an honest network loses few good readings to the pipeline",
          "[scenario]") {
  SensorWorld world(weather("{honest: 1.0}"), 0);
  world.run();
  const EpochTally& t = world.metrics().totals();
  const std::int64_t good = sum(t.arrived) - sum(t.bad_arrived);
  const std::int64_t rejected_good = good - (sum(t.accepted) - sum(t.bad_accepted));
  REQUIRE(good > 50'000);
  // Bound: kriging's z > 3.5 has a normal two-sided tail of 4.65e-4 when the predicted variance
  // covers the true error, three rounds can at most triple the chances, and QoD's bounds, jumps
  // and constancy never fire on honest hourly data (their thresholds are far above the noise):
  // 3 x 4.65e-4 = 1.4e-3, rounded up to 2e-3 for the field's departure from the kriging model.
  CHECK(static_cast<double>(rejected_good) / static_cast<double>(good) < 2e-3);
}

namespace {

models::Scenario economy_run(const std::string& body) {
  const std::string yaml = R"(name: economy
seed: 5
region: {width_km: 80, height_km: 80}
network: {topology: star, loss_per_hop: 0.001}
validation:
  readings: [{kind: sanity}, {kind: spatial_consensus, neighbours: 8, max_distance_km: 30}]
)" + body;
  return models::load_scenario(Document::load_string(yaml, "economy.yaml"));
}

}  // namespace

TEST_CASE(
    "models::SensorWorld: when rewards stop covering costs operators leave and coverage falls",
    "[scenario]") {
  // Operators dump every token into a shallow pool: the price falls towards where buyers' burn
  // matches the mint (P* = D/M = $100 / 4,000 = $0.025), the stations with dear backhaul
  // ($0.50 a day) stop paying for themselves and are switched off, the cheap ones stay.
  const auto scenario = economy_run(R"(run: {duration: 40d, epoch: 1d}
population:
  - {count: 200, sampling: 2h, hardware: {class: dear, capex_usd: 300, opex_usd_per_month: 15}}
  - {count: 200, sampling: 2h, hardware: {class: cheap, capex_usd: 300, opex_usd_per_month: 1}}
rewards: {emission: {per_day: 4000}}
economy:
  initial_supply: 100000
  demand: {usd_per_day: 100}
  price: {kind: amm, initial_usd: 1, depth_usd: 5000}
operators: {sell_fraction: 1, exit_after_unprofitable_epochs: 7, exit_on: cash}
)");
  SensorWorld world(scenario, 0);
  std::vector<EpochTally> epochs;
  world.on_epoch([&](const EpochTally& t) {
    epochs.push_back(t);
    world.ledger().check_conservation();
  });
  world.run();
  REQUIRE(epochs.size() == 40);
  const EpochTally& first = epochs.front();
  const EpochTally& last = epochs.back();
  CHECK(last.economy.price_usd < 0.2 * first.economy.price_usd);
  CHECK(last.economy.price_usd == Approx(100.0 / 4000.0).epsilon(0.3));
  CHECK(first.economy.operators_active == 400);
  CHECK(last.economy.operators_active == 200);
  CHECK(last.sensors == 200);
  const auto valid = [](const EpochTally& t) {
    return static_cast<double>(t.hexes_valid) / static_cast<double>(t.hexes);
  };
  CHECK(valid(last) < 0.7 * valid(first));
  CHECK(sum(last.submitted) < 0.6 * static_cast<double>(sum(first.submitted)));
  // Exactly the dear stations left.
  const auto& nodes = world.sensors();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const bool dear = nodes.spec_of(i).hardware.name == "dear";
    CHECK(nodes.member(i, sim::Time::days(40)) == !dear);
  }
}

TEST_CASE("models::SensorWorld: reserve operators join while the return clears the hurdle",
          "[scenario]") {
  const auto scenario = economy_run(R"(run: {duration: 20d, epoch: 1d}
population:
  - {count: 100, reserve: 100, sampling: 2h,
     hardware: {capex_usd: 100, opex_usd_per_month: 1}}
rewards: {emission: {per_day: 1000}}
operators: {max_growth_per_epoch: 0.05, entry_hurdle_roi_per_year: 0.5, expectation_epochs: 3}
)");
  SensorWorld world(scenario, 0);
  std::vector<EpochTally> epochs;
  world.on_epoch([&](const EpochTally& t) { epochs.push_back(t); });
  world.run();
  // 10 tokens a day per node at $1 against $100 of capex: far above the hurdle, so entry runs
  // at its cap of 5 % a epoch until the reserve is empty.
  std::int64_t joined = 0;
  for (const EpochTally& t : epochs)
    joined += t.nodes_joined;
  CHECK(epochs.front().nodes_joined == 5);
  CHECK(joined == 100);
  CHECK(epochs.back().sensors == 200);
  // Joined nodes take readings from the epoch after they join.
  CHECK(sum(epochs.back().submitted) == 200 * 12);
  CHECK(sum(epochs.front().submitted) == 100 * 12);
}

TEST_CASE("models::SensorWorld: in every scenario every token is accounted for every epoch",
          "[scenario]") {
  // Supply moves only by what is minted, burned and slashed; node and provider payouts and what
  // the rules did not pay add up to the nodes' pools; the ledger's identities hold after each
  // close.
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(DEPINSIM_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 14);
  for (const auto& file : files) {
    INFO(file.filename().string());
    auto doc = Document::load_file(file);
    doc.apply_override("run.duration=3d");
    const auto scenario = models::load_scenario(doc);
    SensorWorld world(scenario, 0);
    Tokens supply = world.ledger().total_supply();  // the initial supply, before any epoch
    std::int64_t epochs = 0;
    world.on_epoch([&](const EpochTally& t) {
      const models::EconomyTally& x = t.economy;
      CHECK_NOTHROW(world.ledger().check_conservation());
      const Tokens now = world.ledger().total_supply();
      CHECK(models::to_tokens(now) ==
            Approx(models::to_tokens(supply) + x.minted - x.burned - x.slashed).margin(1e-5));
      const Tokens paid = std::accumulate(t.paid.begin(), t.paid.end(), Tokens{0});
      CHECK(models::to_tokens(paid + t.providers_paid + t.undistributed) ==
            Approx(x.to_nodes).margin(1e-5));
      CHECK(x.circulating + x.protocol + x.locked + x.vesting ==
            Approx(models::to_tokens(now)).margin(1e-5));
      supply = now;
      ++epochs;
    });
    world.run();
    CHECK(epochs == 3);
  }
}

TEST_CASE(
    "models::SensorWorld: with output.ledger every token movement is an entry that replays "
    "to the balances",
    "[scenario]") {
  const auto scenario = economy_run(R"(run: {duration: 5d, epoch: 1d}
population:
  - {count: 100, sampling: 2h, hardware: {capex_usd: 100, opex_usd_per_month: 1},
     behaviour: {honest: 0.9, fabricator: 0.1}}
rewards:
  emission: {per_day: 1000}
  split: {data: 0.8, treasury: 0.2}
  staking: {min_stake_per_node: 5}
  vesting: {locked_share: 0.5, duration: 4d, step: 1d}
economy: {initial_supply: 10000, demand: {usd_per_day: 50}}
output: {ledger: true}
)");
  SensorWorld world(scenario, 0);
  world.run();
  const Ledger& ledger = world.ledger();
  std::vector<Tokens> balance(ledger.accounts(), 0);
  std::array<std::int64_t, 8> kinds{};
  for (const Ledger::Entry& e : ledger.entries()) {
    if (e.from != Ledger::kNoAccount) balance[e.from] -= e.amount;
    if (e.to != Ledger::kNoAccount) balance[e.to] += e.amount;
    ++kinds[static_cast<std::size_t>(e.kind)];
  }
  for (Ledger::Account a = 0; a < ledger.accounts(); ++a)
    CHECK(balance[a] == ledger.balance(a));
  // Mints, burns, transfers, stakes, vesting locks and releases all happened.
  for (auto k : {models::EntryKind::mint, models::EntryKind::burn, models::EntryKind::transfer,
                 models::EntryKind::stake, models::EntryKind::vest_lock, models::EntryKind::vest}) {
    CHECK(kinds[static_cast<std::size_t>(k)] > 0);
  }
}
