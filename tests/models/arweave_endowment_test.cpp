#include "models/economy/arweave_endowment.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "tests/models/config_reading.hpp"

using models::ArweaveEndowment;
using models::ArweaveSpec;
using sim::Time;

namespace {

constexpr double kGiB = 1073741824.0;

std::vector<sim::config::Problem> read_problems(const std::string& text,
                                                ArweaveSpec* out = nullptr) {
  return test_support::read_nested<ArweaveSpec>(text, "arweave.yaml", "storage", "arweave",
                                                &models::read_arweave_spec, out);
}

}  // namespace

TEST_CASE("models::arweave_fee: the endowment is 20 replicas times 199.5 years of today's cost",
          "[unit]") {
  ArweaveSpec spec;  // 20 replicas, δ = 0.995
  spec.cost_usd_per_gib_year = 0.01;
  CHECK(models::perpetual_years(0.995) == Approx(199.5).epsilon(1e-3));
  const auto fee = models::arweave_fee(spec, kGiB);
  // X = N·c/(−ln δ) = 20 · 0.01 · 199.5: about 3990 replica-years of today's cost.
  CHECK(fee.endowment_usd == Approx(20 * 0.01 * 199.5).epsilon(1e-3));
  CHECK(fee.endowment_usd / 0.01 == Approx(3990).epsilon(1e-3));
  // Fee = X + X/20; the miners get 1/21 of it at once.
  CHECK(fee.total_usd == Approx(fee.endowment_usd * 21 / 20).epsilon(1e-12));
  CHECK(fee.miner_usd == Approx(fee.total_usd / 21).epsilon(1e-12));
  // The Kryder+ multiplier scales the whole fee.
  CHECK(models::arweave_fee(spec, kGiB, 2.0).total_usd == Approx(2 * fee.total_usd));
}

TEST_CASE("models::storage_cost_usd: paying every replica for ever spends exactly the endowment",
          "[unit]") {
  ArweaveSpec spec;
  spec.cost_usd_per_gib_year = 0.01;
  const auto fee = models::arweave_fee(spec, kGiB);
  // Daily payouts for 20 replicas over 2000 years: δ^2000 = e^−10, so all but 0.005 % is paid.
  double paid = 0.0;
  for (std::int64_t day = 0; day < 2000 * 365; ++day)
    paid += 20 * models::storage_cost_usd(spec, kGiB, Time::days(day), Time::days(day + 1));
  CHECK(paid == Approx(fee.endowment_usd * (1 - std::pow(0.995, 2000))).epsilon(1e-9));
  CHECK(paid / fee.endowment_usd > 0.9999);
  // Costs that never fall: c per year, linear.
  spec.cost_decay_per_year = 1.0;
  CHECK(models::storage_cost_usd(spec, 2 * kGiB, Time{}, Time::years(3)) == Approx(0.06));
}

TEST_CASE("models::ArweaveEndowment: runs out at 199.5 years when costs stop falling", "[unit]") {
  // Fees assume 0.5 %/yr, the true cost never falls: X = 20·c·199.5 pays 20·c a year for
  // 1/(−ln 0.995) = 199.4996 years, so the payout of day 72 817 is the first one cut short.
  ArweaveSpec spec;
  spec.cost_usd_per_gib_year = 0.01;
  spec.cost_decay_per_year = 1.0;
  spec.latch_reset_tokens = 0.5;
  ArweaveEndowment endowment(spec);
  const double price_usd = 1.0;  // one token = one USD
  double balance = models::arweave_fee(spec, kGiB).endowment_usd / price_usd;
  const double run_out_days = models::perpetual_years(0.995) * 365;
  std::int64_t first_short = -1;
  int raised = 0;
  double shortfall = 0.0;
  for (std::int64_t day = 0; day < 73'000; ++day) {
    const double owed =
        20 * models::storage_cost_usd(spec, kGiB, Time::days(day), Time::days(day + 1)) / price_usd;
    const auto p = endowment.pay(owed, balance);
    balance -= p.paid_tokens;
    shortfall += p.shortfall_tokens;
    raised += p.multiplier_raised ? 1 : 0;
    if (p.shortfall_tokens > 0 && first_short < 0) {
      first_short = day;
      // It pays what it has, and reports the rest.
      CHECK(p.paid_tokens + p.shortfall_tokens == Approx(owed));
      CHECK(p.paid_tokens < owed);
    }
  }
  CHECK(first_short == static_cast<std::int64_t>(std::floor(run_out_days)));
  CHECK(first_short == 72'817);
  CHECK(balance == Approx(0.0).margin(1e-9));
  // Owed over 73 000 days at 0.2 USD a year, less the endowment.
  CHECK(shortfall ==
        Approx(20 * 0.01 * 73'000 / 365.0 - 20 * 0.01 * run_out_days / 365.0).epsilon(1e-6));
  // The latch: fees doubled once, not again while the endowment stays empty.
  CHECK(raised == 1);
  CHECK(endowment.fee_multiplier() == 2.0);
  CHECK(endowment.latch_closed());
  // A balance above the threshold opens the latch; the next run-out doubles again.
  CHECK_FALSE(endowment.pay(0.1, 1.0).multiplier_raised);
  CHECK_FALSE(endowment.latch_closed());
  CHECK(endowment.pay(5.0, 1.0).multiplier_raised);
  CHECK(endowment.fee_multiplier() == 4.0);
}

TEST_CASE("models::ArweaveEndowment: a slower true decay runs out when the closed form says",
          "[unit]") {
  // Cost decays at δa = 0.999 while fees assume δ = 0.995: N·c·(1 − δa^T)/(−ln δa) = N·c/(−ln δ)
  // gives T = ln(1 − ln δa / ln δ) / ln δa ≈ 222.6 years.
  ArweaveSpec spec;
  spec.cost_usd_per_gib_year = 0.01;
  spec.cost_decay_per_year = 0.999;
  ArweaveEndowment endowment(spec);
  double balance = models::arweave_fee(spec, kGiB).endowment_usd;
  const double years = std::log(1 - std::log(0.999) / std::log(0.995)) / std::log(0.999);
  REQUIRE(years == Approx(222.6).epsilon(1e-3));
  std::int64_t first_short = -1;
  for (std::int64_t day = 0; day < 90'000 && first_short < 0; ++day) {
    const auto p = endowment.pay(
        20 * models::storage_cost_usd(spec, kGiB, Time::days(day), Time::days(day + 1)), balance);
    balance -= p.paid_tokens;
    if (p.shortfall_tokens > 0) first_short = day;
  }
  CHECK(first_short == static_cast<std::int64_t>(std::floor(years * 365)));
}

TEST_CASE("models::read_arweave_spec: reads its keys and names a bad one", "[unit]") {
  ArweaveSpec a;
  REQUIRE(
      read_problems("storage: {arweave: {replicas: 10, cost_decay_per_year: 1}}\n", &a).empty());
  CHECK(a.replicas == 10);
  CHECK(a.cost_decay_per_year == 1.0);
  CHECK(test_support::names_key(read_problems("storage: {arweave: {assumed_decay_per_year: 1}}\n"),
                                "storage.arweave.assumed_decay_per_year"));
  CHECK(test_support::names_key(read_problems("storage: {arweave: {replicas: 0}}\n"),
                                "storage.arweave.replicas"));
  CHECK_THROWS_AS(models::perpetual_years(1.0), std::invalid_argument);
}
