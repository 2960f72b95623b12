#include "models/rewards/sensor_rewards.hpp"

#include <algorithm>
#include <numeric>
#include <random>

#include <catch2/catch.hpp>

using models::DataRewardReason;
using models::DataRewardSpec;
using models::IotPoolSpec;
using models::kUnitsPerToken;
using models::StationScore;
using models::Tokens;
using sim::config::Document;
using sim::config::Reader;
using sim::config::Section;

namespace {

constexpr Tokens tokens(std::int64_t whole) {
  return whole * kUnitsPerToken;
}

Tokens sum(const std::vector<Tokens>& v) {
  return std::accumulate(v.begin(), v.end(), Tokens{0});
}

StationScore station(double qod, double pol, std::uint64_t cell, std::int64_t seniority,
                     double weight = 1.0) {
  return StationScore{qod, pol, cell, seniority, weight, true};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// WeatherXM

TEST_CASE("models::weatherxm_data_rewards: reproduces the published M5 and Helium example",
          "[unit]") {
  // MECHANISMS.md 1.2: 100 M5 (weight 1.1) + 50 Helium (0.9) stations, E = 14 246 WXM/day
  // → total_w = 155, M5 max = 101.10 WXM, qod 0.9 and pol 1 → 90.99 WXM.
  std::vector<StationScore> stations;
  for (int i = 0; i < 150; ++i)
    stations.push_back(station(1.0, 1.0, static_cast<std::uint64_t>(i), i, i < 100 ? 1.1 : 0.9));
  stations[0].qod = 0.9;
  const Tokens pool = tokens(14'246);
  const auto day = models::weatherxm_data_rewards(pool, stations, DataRewardSpec{});

  CHECK(day.total_weight == Approx(155.0));
  CHECK(day.eligible == 150);
  CHECK(day.capped == 0);
  CHECK(models::to_tokens(static_cast<Tokens>(day.max_reward_units(pool, 1.1))) ==
        Approx(101.10).margin(0.005));
  const long double exact_units = static_cast<long double>(pool) * 0.9L * 1.1L / 155.0L;
  CHECK(std::abs(static_cast<long double>(day.payouts[0]) - exact_units) < 1.0L);
  CHECK(models::to_tokens(day.payouts[0]) == Approx(90.99).margin(0.005));
  // Full-score stations get exactly their class maximum, floored to a base unit.
  CHECK(day.payouts[1] == pool * 11 / 1550);
  CHECK(day.payouts[149] == pool * 9 / 1550);
  // The unpaid 10 % of station 0's maximum stays in the pool, plus rounding dust.
  CHECK(sum(day.payouts) + day.remainder == pool);
  CHECK(std::abs(static_cast<double>(day.remainder) - 0.1 * pool * 1.1 / 155.0) < 150.0);
}

TEST_CASE(
    "models::weatherxm_data_rewards: the cell cap keeps the 10 best and breaks ties by "
    "seniority",
    "[unit]") {
  // Cell 7: 8 stations at score 1 and 5 at score 0.81 (qod 0.9 and pol 0.9). Two of the five
  // fit under the cap of 10: the two most senior (lowest claim times 3 and 5).
  std::vector<StationScore> stations;
  for (int i = 0; i < 8; ++i)
    stations.push_back(station(1.0, 1.0, 7, 100 + i));
  for (std::int64_t seniority : {40, 5, 30, 3, 20})
    stations.push_back(station(0.9, 0.9, 7, seniority));
  stations.push_back(station(0.9, 0.9, 8, 999));  // alone in its cell: rewarded
  DataRewardSpec spec;
  spec.qod_threshold = 0.5;
  spec.pol_threshold = 0.5;
  const Tokens pool = tokens(1'000);
  const auto day = models::weatherxm_data_rewards(pool, stations, spec);

  for (std::size_t i = 0; i < 8; ++i)
    CHECK(day.reasons[i] == DataRewardReason::rewarded);
  CHECK(day.reasons[8] == DataRewardReason::cell_capacity);   // seniority 40
  CHECK(day.reasons[9] == DataRewardReason::rewarded);        // 5
  CHECK(day.reasons[10] == DataRewardReason::cell_capacity);  // 30
  CHECK(day.reasons[11] == DataRewardReason::rewarded);       // 3
  CHECK(day.reasons[12] == DataRewardReason::cell_capacity);  // 20
  CHECK(day.reasons[13] == DataRewardReason::rewarded);
  CHECK(day.capped == 3);
  CHECK(day.payouts[8] == 0);
  CHECK(day.payouts[10] == 0);
  // As published, capped stations still count in total_w: 14 stations of weight 1.
  CHECK(day.total_weight == Approx(14.0));
  CHECK(day.payouts[0] == pool / 14);
  CHECK(day.payouts[9] == pool * 81 / 1400);

  // Counting only the rewarded stations raises everyone's maximum to E/11.
  spec.weights_include_capped = false;
  const auto only_paid = models::weatherxm_data_rewards(pool, stations, spec);
  CHECK(only_paid.reasons == day.reasons);
  CHECK(only_paid.total_weight == Approx(11.0));
  CHECK(only_paid.payouts[0] == pool / 11);

  // The outcome of each station does not depend on the order the stations arrive in.
  std::vector<std::size_t> perm(stations.size());
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), std::mt19937_64(3));
  std::vector<StationScore> shuffled;
  for (std::size_t i : perm)
    shuffled.push_back(stations[i]);
  spec.weights_include_capped = true;
  const auto again = models::weatherxm_data_rewards(pool, shuffled, spec);
  for (std::size_t k = 0; k < perm.size(); ++k) {
    CHECK(again.reasons[k] == day.reasons[perm[k]]);
    CHECK(again.payouts[k] == day.payouts[perm[k]]);
  }
}

TEST_CASE("models::weatherxm_data_rewards: applies wallet and thresholds in WeatherXM's order",
          "[unit]") {
  DataRewardSpec spec;
  spec.qod_threshold = 0.8;
  spec.pol_threshold = 0.6;
  std::vector<StationScore> stations{
      station(0.8, 0.6, 1, 0),   // exactly at both thresholds: eligible
      station(0.79, 1.0, 2, 0),  // QoD below
      station(1.0, 0.59, 3, 0),  // PoL below
      station(0.1, 0.1, 4, 0),   // both below: QoD is checked first
      station(1.0, 1.0, 5, 0),   // no wallet, below nothing
      station(1.0, 1.0, 6, 0, 3.0),
  };
  stations[4].has_wallet = false;
  const Tokens pool = tokens(400);
  const auto day = models::weatherxm_data_rewards(pool, stations, spec);
  CHECK(day.reasons == std::vector<DataRewardReason>{
                           DataRewardReason::rewarded, DataRewardReason::qod_threshold,
                           DataRewardReason::pol_threshold, DataRewardReason::qod_threshold,
                           DataRewardReason::no_wallet, DataRewardReason::rewarded});
  CHECK(day.eligible == 2);
  // Only eligible stations count: total_w = 1 + 3.
  CHECK(day.total_weight == Approx(4.0));
  CHECK(day.payouts[0] == pool * 48 / 400);  // 0.48 · E · 1/4
  CHECK(day.payouts[5] == pool * 3 / 4);
  CHECK(day.payouts[1] == 0);
  CHECK(day.payouts[4] == 0);
  CHECK(day.remainder == pool - day.payouts[0] - day.payouts[5]);
  CHECK(models::name_of(DataRewardReason::cell_capacity) == "cell_capacity");
}

TEST_CASE("models::weatherxm_data_rewards: never pays more than the pool", "[unit]") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int trial = 0; trial < 100; ++trial) {
    std::vector<StationScore> stations(1 + rng() % 300);
    for (auto& s : stations) {
      s = station(unit(rng), unit(rng) < 0.2 ? 0.0 : 1.0, rng() % 20,
                  static_cast<std::int64_t>(rng() % 50), unit(rng) < 0.5 ? 1.1 : 0.9);
    }
    DataRewardSpec spec;
    spec.qod_threshold = 0.3;
    spec.pol_threshold = 0.5;
    spec.cell_cap = 1 + static_cast<int>(rng() % 12);
    spec.weights_include_capped = trial % 2 == 0;
    const auto pool = static_cast<Tokens>(rng() % 100'000'000'000'000ULL);
    const auto day = models::weatherxm_data_rewards(pool, stations, spec);
    REQUIRE(day.remainder >= 0);
    REQUIRE(sum(day.payouts) + day.remainder == pool);
    for (std::size_t i = 0; i < stations.size(); ++i) {
      const double cap = day.max_reward_units(pool, stations[i].weight);
      REQUIRE(static_cast<double>(day.payouts[i]) <= cap * (1 + 1e-12));
    }
  }
  // Every station at score 1 and in its own cell: only rounding dust is left.
  std::vector<StationScore> full;
  for (int i = 0; i < 37; ++i)
    full.push_back(station(1, 1, static_cast<std::uint64_t>(i), 0, i % 3 ? 1.1 : 0.9));
  const auto day = models::weatherxm_data_rewards(tokens(14'246), full, DataRewardSpec{});
  CHECK(day.remainder < 37);
  CHECK_THROWS(models::weatherxm_data_rewards(-1, full, DataRewardSpec{}));
  full[3].qod = 1.5;
  CHECK_THROWS(models::weatherxm_data_rewards(1, full, DataRewardSpec{}));
}

// ---------------------------------------------------------------------------------------------
// Helium IoT

TEST_CASE("models::helium_iot_pools: moves the unused data cap 20/80 to beacons and witnesses",
          "[unit]") {
  // MECHANISMS.md 1.1: E = 1 000 000, data transfer worth 100 000.
  const auto p = models::helium_iot_pools(tokens(1'000'000), tokens(100'000), IotPoolSpec{});
  CHECK(p.beacons == tokens(140'000));
  CHECK(p.witnesses == tokens(560'000));
  CHECK(p.data == tokens(100'000));
  CHECK(p.operations == tokens(70'000));
  CHECK(p.oracles == tokens(70'000));
  CHECK(p.delegators == tokens(60'000));
  CHECK(p.unused_data == tokens(400'000));
  CHECK(p.unallocated == 0);
}

TEST_CASE("models::helium_iot_pools: caps data transfer at half the emission", "[unit]") {
  const auto p = models::helium_iot_pools(tokens(1'000'000), tokens(700'000), IotPoolSpec{});
  CHECK(p.data == tokens(500'000));
  CHECK(p.unused_data == 0);
  CHECK(p.beacons == tokens(60'000));
  CHECK(p.witnesses == tokens(240'000));
  CHECK(p.beacons + p.witnesses + p.data + p.operations + p.oracles + p.delegators ==
        tokens(1'000'000));
}

TEST_CASE("models::helium_iot_pools: after HIP-149 the unused data cap goes to operations",
          "[unit]") {
  // helium/oracles iot_verifier reward_share.rs (HIP-149): 37 % base + a 10e12 underflow on an
  // emission of 100e12 bones → 47e12 to the operations fund.
  IotPoolSpec spec;
  spec.beacons_share = 0;
  spec.witnesses_share = 0;
  spec.operations_share = 0.37;
  spec.unused_data_sink = models::UnusedDataSink::operations;
  const Tokens emission = 100'000'000'000'000;
  const auto p = models::helium_iot_pools(emission, 40'000'000'000'000, spec);
  CHECK(p.operations == 47'000'000'000'000);
  CHECK(p.oracles == 7'000'000'000'000);
  CHECK(p.data == 40'000'000'000'000);
  CHECK(p.beacons == 0);
  CHECK(p.witnesses == 0);
  CHECK(p.unallocated == 0);
}

TEST_CASE("models::helium_iot_pools: the pools add up to the emission exactly", "[unit]") {
  std::mt19937_64 rng(2);
  for (int trial = 0; trial < 500; ++trial) {
    const auto emission = static_cast<Tokens>(rng() % 1'000'000'000'000'000ULL);
    const auto value = static_cast<Tokens>(rng() % 1'000'000'000'000'000ULL);
    const auto p = models::helium_iot_pools(emission, value, IotPoolSpec{});
    REQUIRE(p.beacons + p.witnesses + p.data + p.operations + p.oracles + p.delegators +
                p.unallocated ==
            emission);
    REQUIRE(p.unallocated >= 0);
    REQUIRE(p.unallocated < 6);  // six floors
    REQUIRE(p.data == std::min(value, emission / 2));
  }
  IotPoolSpec too_much;
  too_much.oracles_share = 0.08;
  CHECK_THROWS(models::helium_iot_pools(100, 0, too_much));
  CHECK_THROWS(models::helium_iot_pools(100, -1, IotPoolSpec{}));
}

TEST_CASE("models::data_credit_value: one data credit is worth 0.00001 USD", "[unit]") {
  // 2e9 DC = $20 000; at $4 per token that is 5 000 tokens.
  CHECK(models::data_credit_value(2'000'000'000, 4.0) == tokens(5'000));
  CHECK(models::data_credit_value(3, 7.0) == 4);  // 30/7 units, floored
  CHECK_THROWS(models::data_credit_value(1, 0.0));
  CHECK_THROWS(models::data_credit_value(-1, 1.0));
}

// ---------------------------------------------------------------------------------------------
// Shares

TEST_CASE("models::split_by_shares: pays in exact proportion when it divides", "[unit]") {
  const auto s = models::split_by_shares(100, std::vector<double>{0.5, 0.5, 1.0, 0.0});
  CHECK(s.payouts == std::vector<Tokens>{25, 25, 50, 0});
  CHECK(s.remainder == 0);
  // HIP-15: a beaconer with 14 witnesses gets 1.8926 units and each witness 0.2220.
  std::vector<double> units(15, 0.2220);
  units[0] = 1.8926;
  const auto poc = models::split_by_shares(tokens(1'000), units);
  const double total = 1.8926 + 14 * 0.2220;
  CHECK(std::abs(static_cast<double>(poc.payouts[0]) - tokens(1'000) * 1.8926 / total) <= 1.0);
}

TEST_CASE(
    "models::split_by_shares: sums to the pool less a remainder below the payees, in "
    "proportion",
    "[unit]") {
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> log_share(-12.0, 3.0);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<double> shares(1 + rng() % 200);
    for (auto& s : shares)
      s = rng() % 5 == 0 ? 0.0 : std::pow(10.0, log_share(rng));
    const auto pool = static_cast<Tokens>(rng() % 1'000'000'000'000'000ULL);
    const auto split = models::split_by_shares(pool, shares);
    REQUIRE(sum(split.payouts) + split.remainder == pool);
    const auto payees = std::count_if(shares.begin(), shares.end(), [](double s) { return s > 0; });
    REQUIRE(split.remainder >= 0);
    REQUIRE(split.remainder < std::max<std::int64_t>(payees, 1));
    long double total = 0;
    for (double s : shares)
      total += s;
    for (std::size_t i = 0; i < shares.size(); ++i) {
      const long double exact = static_cast<long double>(pool) * shares[i] / total;
      // The documented bound: 1 + pool·(n+1)/2^62 base units.
      const long double bound = 1.0L + std::ldexp(static_cast<long double>(pool), -62) *
                                           static_cast<long double>(shares.size() + 1);
      REQUIRE(std::abs(static_cast<long double>(split.payouts[i]) - exact) <= bound);
    }
  }
}

TEST_CASE("models::split_by_shares: ignores the order and the power-of-two scale of shares",
          "[unit]") {
  const std::vector<double> shares{0.3, 1e-7, 2.5, 0.0, 0.3, 7.25, 1.0 / 3.0};
  const Tokens pool = 123'456'789'012;
  const auto base = models::split_by_shares(pool, shares);
  std::vector<double> reversed(shares.rbegin(), shares.rend());
  const auto back = models::split_by_shares(pool, reversed);
  for (std::size_t i = 0; i < shares.size(); ++i)
    CHECK(back.payouts[shares.size() - 1 - i] == base.payouts[i]);
  std::vector<double> scaled;
  for (double s : shares)
    scaled.push_back(s * 1024.0);
  CHECK(models::split_by_shares(pool, scaled).payouts == base.payouts);
}

TEST_CASE("models::split_by_shares: leaves a pool with no shares undistributed", "[unit]") {
  const auto s = models::split_by_shares(500, std::vector<double>{0.0, 0.0});
  CHECK(s.payouts == std::vector<Tokens>{0, 0});
  CHECK(s.remainder == 500);
  CHECK(models::split_by_shares(500, std::vector<double>{}).remainder == 500);
  CHECK_THROWS(models::split_by_shares(1, std::vector<double>{-0.5}));
  CHECK_THROWS(models::split_by_shares(1, std::vector<double>{std::nan("")}));
}

// ---------------------------------------------------------------------------------------------
// Readers

TEST_CASE("models::read_data_reward_spec: reads the keys and keeps the defaults", "[unit]") {
  const Document d = Document::load_string(
      "w: {qod_threshold: 0.5, cell_cap: 3, weights_include_capped: false}\n", "f.yaml");
  Reader r(d);
  Section root = Section::root(r, YAML::Node(YAML::NodeType::Map));
  const auto spec = models::read_data_reward_spec(root.section("w", ""));
  root.finish();
  CHECK(r.ok());
  CHECK(spec.qod_threshold == 0.5);
  CHECK(spec.pol_threshold == DataRewardSpec{}.pol_threshold);
  CHECK(spec.cell_cap == 3);
  CHECK_FALSE(spec.weights_include_capped);

  const Document bad = Document::load_string("w: {qod_threshold: 1.5, cell_capp: 3}\n", "f.yaml");
  Reader rb(bad);
  Section rootb = Section::root(rb, YAML::Node(YAML::NodeType::Map));
  models::read_data_reward_spec(rootb.section("w", ""));
  REQUIRE(rb.problems().size() == 2);
  CHECK(rb.problems()[0].key == "w.qod_threshold");
  CHECK(rb.problems()[1].key == "w.cell_capp");
}

TEST_CASE("models::read_iot_pool_spec: reports pool shares that do not sum to 1", "[unit]") {
  const Document ok = Document::load_string(
      "h: {beacons_share: 0.05, witnesses_share: 0.25, unused_data_to_beacons: 0.5,\n"
      "    unused_data_sink: operations}\n",
      "f.yaml");
  Reader r(ok);
  Section root = Section::root(r, YAML::Node(YAML::NodeType::Map));
  const auto spec = models::read_iot_pool_spec(root.section("h", ""));
  CHECK(r.ok());
  CHECK(spec.beacons_share == 0.05);
  CHECK(spec.witnesses_share == 0.25);
  CHECK(spec.data_share == 0.5);
  CHECK(spec.unused_data_to_beacons == 0.5);
  CHECK(spec.unused_data_sink == models::UnusedDataSink::operations);

  const Document bad =
      Document::load_string("h: {data_share: 0.4, unused_data_sink: burn}\n", "f.yaml");
  Reader rb(bad);
  Section rootb = Section::root(rb, YAML::Node(YAML::NodeType::Map));
  models::read_iot_pool_spec(rootb.section("h", ""));
  REQUIRE(rb.problems().size() == 2);
  CHECK(rb.problems()[0].key == "h.unused_data_sink");
  CHECK(rb.problems()[1].key == "h");
  CHECK_THAT(rb.problems()[1].message, Catch::Contains("must sum to 1") && Catch::Contains("0.9"));
}
