#include "models/economy/burn_and_mint.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/models/config_reading.hpp"

#include "sim/random.hpp"

using models::BmeSettlement;
using models::BmeSpec;
using models::RemintKind;
using sim::Time;

namespace {

BmeSpec helium() {
  BmeSpec s;
  s.credit_usd = 1e-5;
  s.remint = RemintKind::burned_capped;
  s.remint_share = 1.0;
  s.remint_cap_per_day = models::kHip20RemintCapHntPerDay;
  return s;
}

BmeSpec hivemapper() {
  BmeSpec s;
  s.credit_usd = 0.0075;
  s.remint = RemintKind::burned_capped;
  s.remint_share = 0.25;
  s.remint_cap_per_day = models::kMip15RemintCapHoneyPerDay;
  return s;
}

std::vector<sim::config::Problem> read_problems(const std::string& text, BmeSpec* out = nullptr) {
  return test_support::read_nested<BmeSpec>(text, "burn.yaml", "economy", "burn",
                                            &models::read_bme_spec, out);
}

using test_support::names_key;

}  // namespace

TEST_CASE("models::bme_equilibrium_price: D = 1M USD a day and M = 20 000 a day give 50 USD",
          "[unit]") {
  CHECK(models::bme_equilibrium_price(1e6, 20'000) == 50.0);
  // Hivemapper's 75 % net burn: P* = 0.75·D/M.
  CHECK(models::bme_equilibrium_price(1e6, 20'000, 0.75) == 37.5);
  // Units only need to agree: a week of both gives the same price.
  CHECK(models::bme_equilibrium_price(7e6, 140'000) == 50.0);
  CHECK_THROWS_AS(models::bme_equilibrium_price(1e6, 0), std::invalid_argument);
  CHECK_THROWS_AS(models::bme_equilibrium_price(1e6, 1, 1.5), std::invalid_argument);
}

TEST_CASE("models::bme_supply_change: supply is stationary exactly at the equilibrium price",
          "[unit]") {
  // Iterate S ← S + M − b·D/P at fixed prices: S stays put at P*, falls below it, grows above.
  const double mint = 20'000, demand = 1e6;
  for (double burn_share : {1.0, 0.75}) {
    const double p_star = models::bme_equilibrium_price(demand, mint, burn_share);
    for (double price : {0.2 * p_star, 0.5 * p_star, p_star, 1.5 * p_star, 4.0 * p_star}) {
      double supply = 1e8;
      for (int day = 0; day < 365; ++day)
        supply += models::bme_supply_change(mint, demand, price, burn_share);
      const double per_day = (supply - 1e8) / 365.0;
      if (price == p_star) {
        CHECK(supply == 1e8);
      } else {
        CHECK((per_day > 0) == (price > p_star));
        // Closed form: ΔS per day = M − b·D/P.
        CHECK(per_day == Approx(mint - burn_share * demand / price).epsilon(1e-9));
      }
    }
  }
}

TEST_CASE("models::settle_usage: Helium 1 USD buys 100 000 Data Credits and burns 1/P HNT",
          "[unit]") {
  const BmeSettlement s = models::settle_usage(helium(), 1.0, 4.0, Time::days(1));
  CHECK(s.credits == Approx(100'000.0).epsilon(1e-12));
  CHECK(s.tokens_burned == 0.25);
  CHECK(s.usd_kept == 0.0);
  CHECK(s.tokens_reminted == 0.25);  // far below the cap: all of it comes back
  // 42 000 USD at 4.2 burns 10 000 HNT; a day's re-mint is capped at 34.24·48 = 1643.52.
  const BmeSettlement big = models::settle_usage(helium(), 42'000.0, 4.2, Time::days(1));
  CHECK(big.tokens_burned == Approx(10'000.0).epsilon(1e-12));
  CHECK(big.tokens_reminted == Approx(1643.52).epsilon(1e-12));
  // One 30-minute chain-era epoch re-mints at most 34.24.
  CHECK(models::settle_usage(helium(), 42'000.0, 4.2, Time::minutes(30)).tokens_reminted ==
        Approx(34.24).epsilon(1e-12));
  // Without re-mint nothing comes back.
  BmeSpec plain = helium();
  plain.remint = RemintKind::none;
  CHECK(models::settle_usage(plain, 42'000.0, 4.2, Time::days(1)).tokens_reminted == 0.0);
}

TEST_CASE("models::settle_usage: re-mint never exceeds the cap nor the burn", "[unit]") {
  auto rng = sim::RandomStreams(11, 0).stream("bme.test");
  for (const BmeSpec& spec : {helium(), hivemapper()}) {
    for (int k = 0; k < 2000; ++k) {
      const double usd = rng.uniform(0.0, 1e6);
      const double price = rng.uniform(0.001, 50.0);
      const Time interval = Time::hours(static_cast<Time::Rep>(rng.uniform_int(24 * 14)) + 1);
      const BmeSettlement s = models::settle_usage(spec, usd, price, interval);
      REQUIRE(s.tokens_reminted <= s.tokens_burned * spec.remint_share);
      REQUIRE(s.tokens_reminted <= spec.remint_cap_per_day * interval.to_days() * (1 + 1e-15));
      REQUIRE(s.tokens_reminted >= 0.0);
      REQUIRE(s.tokens_burned * price + s.usd_kept == Approx(usd).epsilon(1e-12));
    }
  }
}

TEST_CASE("models::settle_usage: Hivemapper 1000 credits at 0.0075 USD with HONEY at 0.01 burn 750",
          "[unit]") {
  const double usd = 1000 * 0.0075;
  const BmeSettlement s = models::settle_usage(hivemapper(), usd, 0.01, Time::days(7));
  CHECK(s.credits == Approx(1000.0).epsilon(1e-12));
  CHECK(s.tokens_burned == Approx(750.0).epsilon(1e-12));
  CHECK(s.tokens_reminted == Approx(187.5).epsilon(1e-12));  // 25 % as consumption rewards
  // Net burn 562.5 = 0.75·D/P, the same as modelling MIP-15 as a 75 % burn share.
  BmeSpec share = hivemapper();
  share.burn_share = 0.75;
  share.remint = RemintKind::none;
  const BmeSettlement net = models::settle_usage(share, usd, 0.01, Time::days(7));
  CHECK(net.tokens_burned == Approx(s.tokens_burned - s.tokens_reminted).epsilon(1e-12));
  CHECK(net.usd_kept == Approx(1.875).epsilon(1e-12));
  CHECK(net.credits == Approx(1000.0).epsilon(1e-12));
  // A week burning 4M HONEY re-mints 500 000, not 1M.
  const BmeSettlement week = models::settle_usage(hivemapper(), 40'000.0, 0.01, Time::days(7));
  CHECK(week.tokens_reminted == Approx(500'000.0).epsilon(1e-12));
}

TEST_CASE("models::settle_usage: refuses a burn at a zero price and bad shares", "[unit]") {
  CHECK_THROWS_AS(models::settle_usage(helium(), 1.0, 0.0, Time::days(1)), std::invalid_argument);
  CHECK_THROWS_AS(models::settle_usage(helium(), -1.0, 1.0, Time::days(1)), std::invalid_argument);
  // Nothing to burn: the price does not matter.
  CHECK(models::settle_usage(helium(), 0.0, 0.0, Time::days(1)).tokens_burned == 0.0);
  BmeSpec bad = helium();
  bad.burn_share = 1.2;
  CHECK_THROWS_AS(models::settle_usage(bad, 1.0, 1.0, Time::days(1)), std::invalid_argument);
}

TEST_CASE("models::akash_take: 1000 at 20 percent splits into 800 earnings and 200 fee", "[unit]") {
  const models::AkashTake t = models::akash_take(1000, 20);
  CHECK(t.earnings == 800);
  CHECK(t.fee == 200);
  // The fee is floored: 999·20/100 = 199.8 → 199.
  CHECK(models::akash_take(999, 20).fee == 199);
  CHECK(models::akash_take(999, 20).earnings == 800);
  CHECK(models::akash_take(7, 0).fee == 0);
  // No overflow near the top of int64.
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  CHECK(models::akash_take(big, 100).fee == big);
  CHECK(models::akash_take(big, 20).fee == big / 100 * 20 + big % 100 * 20 / 100);
  CHECK_THROWS_AS(models::akash_take(10, 101), std::invalid_argument);
  CHECK_THROWS_AS(models::akash_take(-1, 20), std::invalid_argument);
}

TEST_CASE("models::akash_bme_mint: 100 ACT at AKT = 1.14 USD mint 87.719298 AKT", "[unit]") {
  CHECK(models::akash_bme_mint(100.0, 1.0, 1.14, 0.0) == Approx(87.719298).margin(5e-7));
  CHECK(models::akash_bme_mint(100.0, 1.0, 1.14, 0.5) == Approx(87.219298).margin(5e-7));
  // The other way: 87.719298 AKT at 1.14 burn back to 100 ACT.
  CHECK(models::akash_bme_mint(87.719298, 1.14, 1.0, 0.0) == Approx(100.0).margin(1e-6));
  CHECK(models::akash_bme_mint(1.0, 1.0, 1.14, 5.0) == 0.0);
  CHECK_THROWS_AS(models::akash_bme_mint(1.0, 0.0, 1.14, 0.0), std::invalid_argument);
}

TEST_CASE("models::render_epoch_share: 10 of 100 EUR of work from a 43 758 pool is 4 375.8",
          "[unit]") {
  CHECK(models::render_epoch_share(43'758.0, 10.0, 100.0) == Approx(4375.8).epsilon(1e-12));
  // Shares of all operators add up to the pool.
  const std::vector<double> work{10.0, 25.5, 64.5};
  double paid = 0.0;
  for (double w : work)
    paid += models::render_epoch_share(43'758.0, w, 100.0);
  CHECK(paid == Approx(43'758.0).epsilon(1e-12));
  CHECK(models::render_epoch_share(43'758.0, 0.0, 0.0) == 0.0);
  CHECK_THROWS_AS(models::render_epoch_share(43'758.0, 11.0, 10.0), std::invalid_argument);
}

TEST_CASE("models::read_bme_spec: reads the keys and reports bad values at their keys", "[unit]") {
  BmeSpec spec;
  CHECK(read_problems(R"(economy:
  burn:
    burn_share: 1
    credit_usd: 0.0075
    remint: burned_capped
    remint_share: 0.25
    remint_cap_per_day: 71428.57
)",
                      &spec)
            .empty());
  CHECK(spec.credit_usd == 0.0075);
  CHECK(spec.remint == RemintKind::burned_capped);
  CHECK(spec.remint_share == 0.25);
  CHECK(spec.remint_cap_per_day == 71428.57);

  BmeSpec defaults;
  CHECK(read_problems("economy: {burn: {}}\n", &defaults).empty());
  CHECK(defaults.burn_share == 1.0);
  CHECK(defaults.credit_usd == 1e-5);
  CHECK(defaults.remint == RemintKind::none);

  CHECK(
      names_key(read_problems("economy: {burn: {burn_share: 1.5}}\n"), "economy.burn.burn_share"));
  CHECK(names_key(read_problems("economy: {burn: {credit_usd: 0}}\n"), "economy.burn.credit_usd"));
  CHECK(names_key(read_problems("economy: {burn: {remint_cap_per_day: 5}}\n"),
                  "economy.burn.remint_cap_per_day"));
  const auto bad_kind = read_problems("economy: {burn: {remint: capped}}\n");
  REQUIRE(names_key(bad_kind, "economy.burn.remint"));
  CHECK_THAT(bad_kind.front().message, Catch::Contains("none, burned_capped"));
}
