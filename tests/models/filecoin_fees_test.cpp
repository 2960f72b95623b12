#include "models/economy/filecoin_fees.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "tests/models/config_reading.hpp"

using models::FilecoinFeeSpec;
using models::FilecoinNetworkState;
using models::kEiB;
using models::kSector32GiB;
using sim::Time;

namespace {

// MECHANISMS.md 2.2's worked example: r = 25 FIL/epoch, QAP = 20 EiB, B = 40 EiB, CS = 600M.
FilecoinNetworkState worked_example() {
  FilecoinNetworkState s;
  s.reward_tokens_per_epoch = 25.0;
  s.network_qap_bytes = 20 * kEiB;
  s.baseline_bytes = 40 * kEiB;
  s.circulating_tokens = 600e6;
  s.gamma = 0.7;
  return s;
}

std::vector<sim::config::Problem> read_problems(const std::string& text,
                                                FilecoinFeeSpec* out = nullptr) {
  return test_support::read_nested<FilecoinFeeSpec>(text, "fees.yaml", "storage", "fees",
                                                    &models::read_filecoin_fee_spec, out);
}

}  // namespace

TEST_CASE("models::expected_reward_tokens: the worked example's BR(20 d) is 0.0021458 FIL",
          "[unit]") {
  const auto s = worked_example();
  const double br = models::expected_reward_tokens(s, kSector32GiB, 20 * 2880);
  // Closed form: 25 · 57600 · 2^35 / (20 · 2^60) = 1 440 000 · 2^−25 / 20.
  CHECK(br == Approx(1'440'000.0 * std::exp2(-25.0) / 20.0).epsilon(1e-12));
  CHECK(br == Approx(0.0021458).epsilon(1e-4));
  CHECK(models::precommit_deposit_tokens(s, kSector32GiB) == br);
}

TEST_CASE("models::initial_pledge_tokens: the worked example's pledge is about 0.17649 FIL",
          "[unit]") {
  const auto s = worked_example();
  const double ip = models::initial_pledge_tokens(s, kSector32GiB);
  CHECK(ip == Approx(0.17649).epsilon(1e-4));
  // BR(20 d) + 0.3 · 600M · 2^−25 · (0.7/40 + 0.3/20): the cap (1 FIL) does not bind.
  const double consensus = 0.3 * 600e6 * std::exp2(-25.0) * (0.7 / 40 + 0.3 / 20);
  CHECK(ip == Approx(0.0021458 + consensus).epsilon(1e-4));
}

TEST_CASE("models::continued_fault_fee_tokens: the worked example's FF is 0.00037655 FIL",
          "[unit]") {
  const auto s = worked_example();
  const double ff = models::continued_fault_fee_tokens(s, kSector32GiB);
  CHECK(ff == Approx(0.00037655).epsilon(1e-4));
  // 3.51 days in whole epochs, as the actors divide: 2880·351/100 = 10108.
  CHECK(models::kContinuedFaultEpochs == 10108);
  CHECK(ff == Approx(models::expected_reward_tokens(s, kSector32GiB, 20 * 2880) * 10108 / 57600)
                  .epsilon(1e-12));
}

TEST_CASE("models::daily_fee_tokens: the worked example's FIP-0100 fee is 3.336e-6 FIL a day",
          "[unit]") {
  const auto s = worked_example();
  CHECK(models::daily_fee_tokens(s, kSector32GiB) == Approx(3.336e-6).epsilon(1e-3));
  // Capped at half the day's expected reward: with r a thousand times smaller the cap binds.
  auto poor = s;
  poor.reward_tokens_per_epoch = 0.025;
  const double half_day = 0.5 * models::expected_reward_tokens(poor, kSector32GiB, 2880);
  CHECK(models::daily_fee_tokens(poor, kSector32GiB) == Approx(half_day).epsilon(1e-12));
  CHECK(half_day < 3.336e-6);
}

TEST_CASE("models::termination_fee_tokens: the three FIP-0098 cases of the actors' tests",
          "[unit]") {
  const double ip = 1.0;
  const double small_ff = 0.001;
  // Old enough (age >= 140 days): 8.5 % of the pledge.
  CHECK(models::termination_fee_tokens(ip, small_ff, Time::days(140)) == Approx(0.085));
  CHECK(models::termination_fee_tokens(ip, small_ff, Time::days(400)) == Approx(0.085));
  // New (age 0): the 2 % floor.
  CHECK(models::termination_fee_tokens(ip, small_ff, Time{}) == Approx(0.02));
  // A fault fee as large as the pledge: 1.05 fault fees.
  CHECK(models::termination_fee_tokens(ip, ip, Time::days(200)) == Approx(1.05));
  // In between, the 8.5 % ramps in with age: 70 days is half of it.
  CHECK(models::termination_fee_tokens(ip, small_ff, Time::days(70)) == Approx(0.0425));
  CHECK_THROWS_AS(models::termination_fee_tokens(-1, 0, Time{}), std::invalid_argument);
}

TEST_CASE("models::quality_adjusted_power_bytes: a verified sector counts ten times", "[unit]") {
  CHECK(models::quality_adjusted_power_bytes(kSector32GiB, 0.0) == kSector32GiB);
  CHECK(models::quality_adjusted_power_bytes(kSector32GiB, 1.0) == 10 * kSector32GiB);
  CHECK(models::quality_adjusted_power_bytes(kSector32GiB, 0.5) == Approx(5.5 * kSector32GiB));
  CHECK_THROWS_AS(models::quality_adjusted_power_bytes(1, 1.5), std::invalid_argument);
}

TEST_CASE("models::initial_pledge_tokens: an empty network pays the 1 FIL per 32 GiB cap",
          "[unit]") {
  auto s = worked_example();
  s.network_qap_bytes = 0;
  s.baseline_bytes = 0;
  // The sector would be all the power: 0.3·CS alone is 180M FIL, far above the cap.
  CHECK(models::initial_pledge_tokens(s, kSector32GiB) == Approx(1.0));
  CHECK(models::initial_pledge_tokens(s, 10 * kSector32GiB) == Approx(10.0));
  CHECK(models::initial_pledge_tokens(s, 0) == 0.0);
}

TEST_CASE("models::invalid_post_penalty: BR(5.51 d) plus 20 FIL, 4 FIL to the disputer", "[unit]") {
  const auto s = worked_example();
  const auto p = models::invalid_post_penalty(s, kSector32GiB);
  CHECK(models::kInvalidPostEpochs == 10108 + 5760);
  CHECK(p.penalty_tokens ==
        Approx(20.0 + models::expected_reward_tokens(s, kSector32GiB, 15868)).epsilon(1e-12));
  CHECK(p.disputer_tokens == 4.0);
}

TEST_CASE("models::filecoin_baseline_bytes: the baseline doubles every year", "[unit]") {
  CHECK(models::filecoin_baseline_bytes(kEiB, Time{}) == kEiB);
  CHECK(models::filecoin_baseline_bytes(kEiB, Time::years(1)) == Approx(2 * kEiB));
  CHECK(models::filecoin_baseline_bytes(kEiB, Time::years(3)) == Approx(8 * kEiB));
}

TEST_CASE("models::read_filecoin_fee_spec: reads its keys and names a bad one", "[unit]") {
  FilecoinFeeSpec f;
  REQUIRE(read_problems("storage: {fees: {gamma: 1, daily_fee: true, min_power_tib: 0}}\n", &f)
              .empty());
  CHECK(f.gamma == 1.0);
  CHECK(f.daily_fee);
  CHECK(f.min_power_tib == 0.0);
  CHECK(f.penalties);
  CHECK(test_support::names_key(read_problems("storage: {fees: {gamma: 1.5}}\n"),
                                "storage.fees.gamma"));
  CHECK(
      test_support::names_key(read_problems("storage: {fees: {pledge_cap_tokens_per_32gib: 0}}\n"),
                              "storage.fees.pledge_cap_tokens_per_32gib"));
  CHECK(test_support::names_key(read_problems("storage: {fees: {gama: 0.7}}\n"),
                                "storage.fees.gama"));
}
