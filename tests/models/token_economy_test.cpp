#include "models/economy/token_economy.hpp"

#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

using models::EconomySpec;
using models::Ledger;
using models::OperatorActivity;
using models::TokenEconomy;
using models::Tokens;
using sim::Time;

namespace {

// Runs `epochs` daily epochs in which every active operator's share of the nodes' pool is paid
// in equal parts and costs `opex_usd` each; checks the ledger after every epoch.
struct Run {
  Ledger ledger;
  TokenEconomy economy;
  std::vector<std::uint8_t> caught;

  Run(const EconomySpec& spec, std::vector<std::int64_t> nodes)
      : economy(spec, ledger, nodes, sim::RandomStreams(5, 0)), caught(nodes.size(), 0) {}

  std::vector<std::uint32_t> epoch(std::int64_t k, double opex_usd = 0.0) {
    const Time start = Time::days(k), end = Time::days(k + 1);
    const auto open = economy.open_epoch(k, start, end);
    std::vector<OperatorActivity> activity(caught.size());
    std::vector<std::size_t> active;
    for (std::size_t op = 0; op < caught.size(); ++op) {
      if (economy.operators().active(static_cast<std::uint32_t>(op))) active.push_back(op);
    }
    Tokens paid = 0;
    for (std::size_t op : active) {
      activity[op].payout = open.to_nodes / static_cast<Tokens>(active.size());
      activity[op].opex_usd = opex_usd;
      activity[op].caught = caught[op] != 0;
      paid += activity[op].payout;
    }
    auto exits = economy.close_epoch(activity, open.to_nodes - paid);
    ledger.check_conservation();
    return exits;
  }
};

EconomySpec equilibrium_spec(double mint_per_day, double demand_usd_per_day) {
  EconomySpec s;
  s.emission.kind = models::EmissionKind::constant;
  s.emission.per_day = mint_per_day;
  s.demand.usd_per_day = demand_usd_per_day;
  s.price.kind = models::PriceKind::equilibrium;
  s.price.initial_usd = 10.0;
  s.price.velocity_per_year = 10.0;
  s.initial_supply = 1e6;
  s.operators.sell_fraction = 1.0;
  return s;
}

}  // namespace

TEST_CASE("models::TokenEconomy: burn-and-mint with the equilibrium price settles at P* = D/M",
          "[unit]") {
  // MECHANISMS.md section 5: D = $1M a day, M = 20 000 tokens a day, so P* = $50. With the
  // equation-of-exchange price P = D_year/(C·V) and buyers burning D/P each epoch, the supply
  // S settles where the burn equals the mint: at the close of an epoch the float is C = S + M_e
  // (the epoch's mint is out, not yet burned) and burning C·V·dt = M_e gives
  // S* = M_year/V − M_e, so P* = D_year/(M_year) = D/M exactly.
  const double m = 20'000.0, d = 1e6, v = 10.0;
  Run run(equilibrium_spec(m, d), {1});
  for (std::int64_t k = 0; k < 3'000; ++k)
    run.epoch(k);
  const double supply = models::to_tokens(run.ledger.total_supply());
  const double expected_supply = m * 365.0 / v - m;
  CHECK(run.economy.price_usd() == Approx(d / m).epsilon(1e-4));
  CHECK(supply == Approx(expected_supply).epsilon(1e-4));
  // At equilibrium each epoch burns what it mints.
  CHECK(run.economy.tally().burned == Approx(m).epsilon(1e-4));
}

TEST_CASE("models::TokenEconomy: a 75 percent burn settles at P* = 0.75 D/M", "[unit]") {
  const double m = 20'000.0, d = 1e6;
  EconomySpec spec = equilibrium_spec(m, d);
  spec.burn.burn_share = 0.75;
  Run run(spec, {1});
  for (std::int64_t k = 0; k < 3'000; ++k)
    run.epoch(k);
  // The price model sees the whole USD volume but buyers burn 3/4 of it: the burn equals the
  // mint at a float where D_year/(C·V) = 0.75·D/M.
  CHECK(run.economy.tally().burned == Approx(m).epsilon(1e-4));
  CHECK(run.economy.tally().usd_kept == Approx(0.25 * d).epsilon(1e-9));
}

TEST_CASE("models::TokenEconomy: every token stays accounted for with every mechanism on",
          "[unit]") {
  EconomySpec spec;
  spec.emission.kind = models::EmissionKind::halving;
  spec.emission.initial_per_year = 3.65e6;
  spec.split.share = {0.6, 0.1, 0.0, 0.0, 0.1, 0.2};  // data, coverage, -, -, validators, treasury
  spec.staking = models::StakingSpec{};
  spec.staking->min_stake_per_node = 50.0;
  spec.staking->lockup = Time::days(3);
  spec.staking->slash_fraction = 0.5;
  spec.staking->reporter_share = 0.2;
  spec.vesting = models::VestingSpec{0.75, Time::days(10), Time::days(1)};
  spec.initial_supply = 1e6;
  spec.demand.usd_per_day = 2'000.0;
  spec.demand.noise_sd = 0.3;
  spec.burn.remint = models::RemintKind::burned_capped;
  spec.burn.remint_cap_per_day = 100.0;
  spec.price.kind = models::PriceKind::amm;
  spec.price.initial_usd = 1.0;
  spec.price.depth_usd = 1e5;
  spec.operators.sell_fraction = 0.5;
  spec.operators.exit_after_unprofitable_epochs = 5;
  spec.operators.max_growth_per_epoch = 0.5;
  Run run(spec, {2, 1, 1, 0});  // operator 3 waits in the reserve
  CHECK(models::to_tokens(run.ledger.locked()) == Approx(200.0));
  double minted = models::to_tokens(run.ledger.total_supply()), burned = 0, slashed = 0;
  for (std::int64_t k = 0; k < 60; ++k) {
    run.caught[1] = k == 10 ? 1 : 0;  // proven fraud on day 10
    run.epoch(k);
    const auto& t = run.economy.tally();
    minted += t.minted;
    burned += t.burned;
    slashed += t.slashed;
    if (k == 20) CHECK(run.economy.join(3, 1));
  }
  // Supply = all minted − burned − slashed, to the micro-token.
  CHECK(models::to_tokens(run.ledger.total_supply()) == Approx(minted - burned - slashed));
  CHECK(burned > 0.0);
  // The slash took half of operator 1's 50-token stake; the reporters got a fifth of it.
  CHECK(slashed == Approx(20.0));
  CHECK(run.economy.staking()->bonded(1) == 25 * models::kUnitsPerToken);
  CHECK(run.economy.operators().active(3));
}

TEST_CASE("models::TokenEconomy: operators who cannot cover opex leave and their stake returns",
          "[unit]") {
  EconomySpec spec;
  spec.emission.per_day = 100.0;
  spec.initial_supply = 1'000.0;
  spec.staking = models::StakingSpec{};
  spec.staking->min_stake_per_node = 10.0;
  spec.staking->lockup = Time::days(2);
  spec.operators.exit_after_unprofitable_epochs = 3;
  Run run(spec, {1, 1});
  // 50 tokens a day each at $1 against $60 of opex: unprofitable from the first epoch.
  std::vector<std::uint32_t> exits;
  for (std::int64_t k = 0; k < 3 && exits.empty(); ++k)
    exits = run.epoch(k, 60.0);
  CHECK(exits == std::vector<std::uint32_t>{0, 1});
  CHECK(run.economy.tally().operators_left == 2);
  CHECK(run.economy.staking()->unbonding(0) == 10 * models::kUnitsPerToken);
  for (std::int64_t k = 3; k < 6; ++k)
    run.epoch(k);
  CHECK(run.economy.staking()->unbonding(0) == 0);  // returned after the 2-day lock-up
  CHECK(models::to_tokens(run.ledger.locked()) == 0.0);
}

TEST_CASE("models::TokenEconomy: a market too thin for the initial stakes is refused", "[unit]") {
  EconomySpec spec;
  spec.initial_supply = 15.0;
  spec.staking = models::StakingSpec{};
  spec.staking->min_stake_per_node = 10.0;
  Ledger ledger;
  const std::vector<std::int64_t> nodes{1, 1};
  CHECK_THROWS_WITH(TokenEconomy(spec, ledger, nodes, sim::RandomStreams(1, 0)),
                    Catch::Contains("economy.initial_supply"));
}

TEST_CASE("models::TokenEconomy: buyers facing a collapsed price burn what the market holds",
          "[unit]") {
  // $1M a day at a price of a billionth of a dollar would buy 10^15 tokens: more than exist.
  EconomySpec spec = equilibrium_spec(100.0, 1e6);
  spec.price.kind = models::PriceKind::constant;
  spec.price.initial_usd = 1e-9;
  spec.initial_supply = 1'000.0;
  Run run(spec, {1});
  const auto open = run.economy.open_epoch(0, Time{}, Time::days(1));
  CHECK(open.data_usage_tokens == Approx(1e15));
  std::vector<OperatorActivity> activity(1);
  activity[0].payout = open.to_nodes;
  REQUIRE_NOTHROW(run.economy.close_epoch(activity, 0));
  run.ledger.check_conservation();
  CHECK(run.economy.tally().burned == Approx(1'100.0));  // the market's 1,000 and the sold 100
  CHECK(run.economy.tally().unmet_burn > 1e14);
  CHECK(run.economy.tally().market == 0.0);
}
