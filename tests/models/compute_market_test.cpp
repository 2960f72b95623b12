#include "models/economy/compute_market.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/economy/burn_and_mint.hpp"
#include "tests/models/config_reading.hpp"

using models::ComputeBid;
using models::ComputeMarket;
using models::ComputeMarketKind;
using models::ComputeMarketSpec;
using models::reverse_auction;
using models::to_micro_usd;

namespace {

ComputeMarketSpec market_of(ComputeMarketKind kind) {
  ComputeMarketSpec spec;
  spec.kind = kind;
  return spec;
}

}  // namespace

TEST_CASE("models::ComputeMarket: Akash splits 1000 uusdc into 800 earnings and a 200 fee",
          "[unit]") {
  // fee = floor(amt·rate/100) with AEP-23's 20 % for USDC (MECHANISMS.md §3.2).
  const ComputeMarket akash(market_of(ComputeMarketKind::akash));
  const auto paid = akash.pay(0.001);  // 1000 uusdc
  CHECK(to_micro_usd(paid.client_usd) == 800);
  CHECK(to_micro_usd(paid.take_usd) == 200);
  CHECK(paid.burn_usd == 0.0);
  CHECK(paid.reward_weight == Approx(0.001));  // the work's value: its claim on the pool
  // The fee is floored in micro-units: 999 uusdc pays ⌊199.8⌋ = 199, the provider keeps 800.
  const auto odd = akash.pay(0.000999);
  CHECK(to_micro_usd(odd.take_usd) == 199);
  CHECK(to_micro_usd(odd.client_usd) == 800);
  // Nothing is lost: earnings + fee = the payment, to the micro-unit, for any amount.
  for (double usd : {0.0, 0.000001, 1.234567, 98765.4321}) {
    const auto p = akash.pay(usd);
    CHECK(to_micro_usd(p.client_usd) + to_micro_usd(p.take_usd) == to_micro_usd(usd));
  }
}

TEST_CASE("models::ComputeMarket: another take rate moves the split, 0 percent takes nothing",
          "[unit]") {
  ComputeMarketSpec spec = market_of(ComputeMarketKind::akash);
  spec.take_rate_percent = 10;
  CHECK(to_micro_usd(ComputeMarket(spec).pay(0.001).take_usd) == 100);
  spec.take_rate_percent = 0;
  CHECK(ComputeMarket(spec).pay(5.0).take_usd == 0.0);
  CHECK(ComputeMarket(spec).pay(5.0).client_usd == 5.0);
}

TEST_CASE("models::reverse_auction: the lowest acceptable bid wins", "[unit]") {
  std::vector<ComputeBid> bids{{3, 0.9}, {7, 0.6}, {9, 1.4}, {2, 0.75}};
  REQUIRE(reverse_auction(bids, 1.0, 1));
  REQUIRE(bids.size() == 1);
  CHECK(bids[0].provider == 7);
  CHECK(bids[0].usd_per_unit == 0.6);

  // Two leases go to the two lowest bids within budget, lowest first.
  bids = {{3, 0.9}, {7, 0.6}, {9, 1.4}, {2, 0.75}};
  REQUIRE(reverse_auction(bids, 1.0, 2));
  REQUIRE(bids.size() == 2);
  CHECK(bids[0].provider == 7);
  CHECK(bids[1].provider == 2);

  // Equal bids: the lower provider id first, so the outcome never depends on arrival order.
  bids = {{8, 0.5}, {4, 0.5}, {6, 0.5}};
  REQUIRE(reverse_auction(bids, 0.5, 1));  // a bid equal to the budget is acceptable
  CHECK(bids[0].provider == 4);
}

TEST_CASE("models::reverse_auction: with no bid under the budget the job stays unplaced",
          "[unit]") {
  std::vector<ComputeBid> bids{{3, 0.9}, {7, 0.6}, {9, 1.4}};
  CHECK_FALSE(reverse_auction(bids, 0.5, 1));
  CHECK(bids.empty());
  // Too few acceptable bids for the replicas wanted is unplaced too.
  bids = {{3, 0.9}, {7, 0.6}, {9, 1.4}};
  CHECK_FALSE(reverse_auction(bids, 1.0, 3));
  CHECK(bids.empty());
  std::vector<ComputeBid> none;
  CHECK_FALSE(reverse_auction(none, 1.0, 1));
}

TEST_CASE("models::reverse_auction: refuses a provider bidding twice and an empty order",
          "[unit]") {
  std::vector<ComputeBid> twice{{5, 0.2}, {5, 0.3}, {1, 0.9}};
  CHECK_THROWS_AS(reverse_auction(twice, 1.0, 2), std::invalid_argument);
  std::vector<ComputeBid> bids{{5, 0.2}};
  CHECK_THROWS_AS(reverse_auction(bids, 1.0, 0), std::invalid_argument);
}

TEST_CASE("models::ComputeMarket: Render burns the client's USD and weighs work by its value",
          "[unit]") {
  ComputeMarketSpec spec = market_of(ComputeMarketKind::render);
  spec.price_usd_per_unit = 0.25;
  const ComputeMarket render(spec);
  CHECK(render.affordable(0.25));
  CHECK_FALSE(render.affordable(0.2499));
  const auto p = render.pay(10.0);
  CHECK(p.burn_usd == 10.0);
  CHECK(p.reward_weight == 10.0);
  CHECK(p.client_usd == 0.0);
  CHECK(p.take_usd == 0.0);
  // RNP-001's pool rule on those weights: €10 of €100 of an epoch's work on the 43 758 RENDER
  // year-1 weekly pool gets 4 375.8 RENDER (MECHANISMS.md §3.1).
  const double mine = render.pay(10.0).reward_weight;
  const double others = render.pay(90.0).reward_weight;
  CHECK(models::render_epoch_share(43'758, mine, mine + others) == Approx(4'375.8));
}

TEST_CASE("models::ComputeMarket: refuses a take rate outside 0 to 100 and a negative price",
          "[unit]") {
  ComputeMarketSpec spec;
  spec.take_rate_percent = 101;
  CHECK_THROWS_AS(ComputeMarket(spec), std::invalid_argument);
  spec = ComputeMarketSpec{};
  spec.price_usd_per_unit = -1;
  CHECK_THROWS_AS(ComputeMarket(spec), std::invalid_argument);
  spec = ComputeMarketSpec{};
  spec.candidates_per_job = 0;
  CHECK_THROWS_AS(ComputeMarket(spec), std::invalid_argument);
  CHECK_THROWS_AS(ComputeMarket(ComputeMarketSpec{}).pay(-1.0), std::invalid_argument);
}

TEST_CASE("models::read_compute_market_spec: reads each kind's keys and names bad ones", "[unit]") {
  using test_support::names_key;
  using test_support::read_nested;
  ComputeMarketSpec spec;
  auto problems = read_nested<ComputeMarketSpec>(
      "compute:\n  market: {kind: render, price_usd_per_unit: 0.4, candidates_per_job: 8,"
      " max_queue: 6h}\n",
      "m.yaml", "compute", "market", &models::read_compute_market_spec, &spec);
  CHECK(problems.empty());
  CHECK(spec.kind == ComputeMarketKind::render);
  CHECK(spec.price_usd_per_unit == 0.4);
  CHECK(spec.candidates_per_job == 8);
  CHECK(spec.max_queue == sim::Time::hours(6));

  problems = read_nested<ComputeMarketSpec>(
      "compute:\n  market: {kind: akash, take_rate_percent: 120}\n", "m.yaml", "compute", "market",
      &models::read_compute_market_spec);
  CHECK(names_key(problems, "compute.market.take_rate_percent"));

  // A Render price in an Akash market is a mistake, not a silent no-op.
  problems = read_nested<ComputeMarketSpec>(
      "compute:\n  market: {kind: akash, price_usd_per_unit: 0.4}\n", "m.yaml", "compute", "market",
      &models::read_compute_market_spec);
  CHECK(names_key(problems, "compute.market.price_usd_per_unit"));

  problems = read_nested<ComputeMarketSpec>("compute:\n  market: {kind: golem}\n", "m.yaml",
                                            "compute", "market", &models::read_compute_market_spec);
  CHECK(names_key(problems, "compute.market.kind"));
}
