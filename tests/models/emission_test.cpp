#include "models/rewards/emission.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using models::EmissionKind;
using models::EmissionSchedule;
using models::EmissionSpec;
using sim::Time;

namespace {

constexpr double kYearS = 365.0 * 86'400.0;

/// Filecoin with only its simple minting.
EmissionSpec filecoin_simple_only() {
  EmissionSpec spec;
  spec.kind = EmissionKind::filecoin;
  spec.baseline_supply = 0.0;
  return spec;
}

/// Filecoin with only its baseline minting.
EmissionSpec filecoin_baseline_only() {
  EmissionSpec spec;
  spec.kind = EmissionKind::filecoin;
  spec.simple_supply = 0.0;
  return spec;
}

/// Tokens minted over [0, length) in calls of `step`, at constant power.
double run(const EmissionSpec& spec, Time length, Time step, double power_bytes = 0.0) {
  EmissionSchedule s(spec);
  double sum = 0.0;
  for (Time t{}; t < length; t += step)
    sum += s.tokens(t, t + step, power_bytes);
  CHECK(s.minted_total() == Approx(sum).epsilon(1e-15));
  return sum;
}

/// Filecoin's θ closed form (mechaFIL): θ = (1/g)·ln(g·R̄/B0 + 1), in seconds.
double theta_closed_form(double realised_byte_s, double b0, double g_per_s) {
  return std::log1p(g_per_s * realised_byte_s / b0) / g_per_s;
}

}  // namespace

TEST_CASE("models::EmissionSchedule: Filecoin simple minting matches the actor's golden epochs",
          "[unit]") {
  // testdata/TestSimpleReward.golden: epoch 0 → 36.266264293777134739 FIL,
  // epoch 5000 → 36.246341860983438171 FIL.
  EmissionSchedule genesis(filecoin_simple_only());
  CHECK(genesis.tokens(Time{}, Time::seconds(30)) == Approx(36.266264293777134739).epsilon(1e-12));

  EmissionSpec later = filecoin_simple_only();
  later.genesis_offset = Time::seconds(30) * 5000;
  EmissionSchedule at_5000(later);
  CHECK(at_5000.tokens(Time{}, Time::seconds(30)) == Approx(36.246341860983438171).epsilon(1e-12));

  // The same epoch reached by 5000 calls of 30 s from genesis.
  EmissionSchedule stepped(filecoin_simple_only());
  for (int k = 0; k < 5000; ++k)
    stepped.tokens(Time::seconds(30) * k, Time::seconds(30) * (k + 1));
  CHECK(stepped.tokens(Time::seconds(30) * 5000, Time::seconds(30) * 5001) ==
        Approx(36.246341860983438171).epsilon(1e-11));
}

TEST_CASE("models::EmissionSchedule: Filecoin per-epoch amounts keep 12 digits years in",
          "[unit]") {
  // Epoch k pays S·(e^λ − 1)·e^(−λk), λ = ln 2/(6·1 051 200) per 30 s epoch.
  const long double lambda = std::log(2.0L) / (6.0L * 1'051'200.0L);
  const std::int64_t k = 3 * 1'051'200 + 12'345;
  EmissionSpec spec = filecoin_simple_only();
  spec.genesis_offset = Time::seconds(30) * k;
  EmissionSchedule s(spec);
  const long double expected =
      330e6L * std::expm1(lambda) * std::exp(-lambda * static_cast<long double>(k));
  CHECK(s.tokens(Time{}, Time::seconds(30)) ==
        Approx(static_cast<double>(expected)).epsilon(1e-12));
}

TEST_CASE("models::EmissionSchedule: Filecoin simple minting reaches 165M FIL after 6 years",
          "[unit]") {
  // One half-life mints half the simple supply. Each epoch pays for the one before it, so the
  // supply is S·e^λ: exactly 165M·e^λ, 18 FIL above 165M.
  const double six_years = run(filecoin_simple_only(), Time::years(6), Time::days(1));
  const double lambda = std::log(2.0) / (6.0 * 1'051'200.0);
  CHECK(six_years == Approx(165e6 * std::exp(lambda)).epsilon(1e-12));
  CHECK(six_years == Approx(165e6).epsilon(1e-6));
  CHECK(EmissionSchedule(filecoin_simple_only()).max_supply() ==
        Approx(330e6 * std::exp(lambda)).epsilon(1e-15));

  // Day 0 ≈ 104 447 FIL: 2880 epochs at the epoch-0 rate; the rate decays over the day, so the
  // exact figure is S·e^λ·(1 − e^(−2880λ)) = 104 430.32.
  EmissionSchedule day0(filecoin_simple_only());
  const double first_day = day0.tokens(Time{}, Time::days(1));
  CHECK(first_day == Approx(330e6 * std::exp(lambda) * -std::expm1(-2880 * lambda)));
  CHECK(first_day == Approx(104'430.32).epsilon(1e-8));
  CHECK(first_day == Approx(104'447).epsilon(2e-4));
}

TEST_CASE("models::EmissionSchedule: Filecoin baseline minting follows the effective network time",
          "[unit]") {
  const EmissionSpec spec = filecoin_baseline_only();
  const double lambda_per_s = std::log(2.0) / (6 * kYearS);
  const double g_per_s = std::log(2.0) / kYearS;
  const double b0 = spec.baseline_initial_bytes;

  SECTION("power always above the baseline: θ = t and 385M after 6 years") {
    EmissionSchedule s(spec);
    double sum = 0.0;
    for (int d = 0; d < 6 * 365; ++d)
      sum += s.tokens(Time::days(d), Time::days(d + 1), 1e30);
    CHECK(s.effective_network_time_s() == Approx(6 * kYearS).epsilon(1e-12));
    CHECK(sum == Approx(385e6).epsilon(1e-12));
  }
  SECTION("no power: no baseline minting and θ stays at 0") {
    CHECK(run(spec, Time::years(2), Time::days(1), 0.0) == 0.0);
  }
  SECTION("power fixed at half the initial baseline: θ = (1/g)·ln(g·P·t/B0 + 1)") {
    EmissionSchedule s(spec);
    double sum = 0.0;
    for (int d = 0; d < 3 * 365; ++d)
      sum += s.tokens(Time::days(d), Time::days(d + 1), b0 / 2);
    const double theta = theta_closed_form(b0 / 2 * 3 * kYearS, b0, g_per_s);
    CHECK(theta < 3 * kYearS);
    CHECK(s.effective_network_time_s() == Approx(theta).epsilon(1e-12));
    CHECK(sum == Approx(770e6 * -std::expm1(-lambda_per_s * theta)).epsilon(1e-12));
  }
  SECTION("power tracking half the growing baseline: θ = (1/g)·ln((e^(gt) + 1)/2)") {
    // R̄ = ½·∫B = B0·(e^(gt) − 1)/(2g); power is passed at each hour's midpoint.
    EmissionSchedule s(spec);
    for (int h = 0; h < 365 * 24; ++h) {
      const double mid_s = (h + 0.5) * 3600.0;
      s.tokens(Time::hours(h), Time::hours(h + 1), b0 * std::exp(g_per_s * mid_s) / 2);
    }
    const double theta = std::log((std::exp(g_per_s * kYearS) + 1) / 2) / g_per_s;
    CHECK(s.effective_network_time_s() == Approx(theta).epsilon(1e-8));
    CHECK(s.minted_total() == Approx(770e6 * -std::expm1(-lambda_per_s * theta)).epsilon(1e-8));
  }
  SECTION("power that the baseline overtakes mid-interval: θ from the exact realised power") {
    // P = 1.5·B0: the baseline is below P until τ* = ln 1.5/g, then above it.
    const double p = 1.5 * b0;
    const double crossing_s = std::log(1.5) / g_per_s;
    const double realised = (p - b0) / g_per_s + p * (2 * kYearS - crossing_s);
    const double theta = theta_closed_form(realised, b0, g_per_s);
    EmissionSchedule one_call(spec);
    one_call.tokens(Time{}, Time::years(2), p);
    CHECK(one_call.effective_network_time_s() == Approx(theta).epsilon(1e-12));
    CHECK(one_call.minted_total() ==
          Approx(770e6 * -std::expm1(-lambda_per_s * theta)).epsilon(1e-12));
  }
}

TEST_CASE("models::EmissionSchedule: Filecoin started late assumes the baseline was met until then",
          "[unit]") {
  EmissionSpec spec;
  spec.kind = EmissionKind::filecoin;
  spec.genesis_offset = Time::years(3);
  EmissionSchedule s(spec);
  const double lambda = std::log(2.0) / (6 * kYearS);
  const double lead = std::exp(std::log(2.0) / (6.0 * 1'051'200.0));
  CHECK(s.effective_network_time_s() == Approx(3 * kYearS).epsilon(1e-15));
  const double half_decayed = -std::expm1(-lambda * 3 * kYearS);  // 1 − 2^(−1/2)
  CHECK(s.minted_before_start() == Approx((330e6 * lead + 770e6) * half_decayed).epsilon(1e-12));
  // Zero power from then on mints only the simple part.
  const double day = s.tokens(Time{}, Time::days(1), 0.0);
  CHECK(day ==
        Approx(330e6 * lead * std::exp(-lambda * 3 * kYearS) * -std::expm1(-lambda * 86'400.0))
            .epsilon(1e-12));
  CHECK(s.effective_network_time_s() == Approx(3 * kYearS).epsilon(1e-15));
}

TEST_CASE("models::EmissionSchedule: HIP-20 mints 60M HNT in each of the first two years",
          "[unit]") {
  EmissionSpec hip20;
  hip20.kind = EmissionKind::halving;  // defaults: 60M/yr, halving every 2 years
  EmissionSchedule s(hip20);
  const std::vector<double> expected{60e6, 60e6, 30e6, 30e6, 15e6, 15e6, 7.5e6, 7.5e6, 3.75e6};
  for (std::size_t y = 0; y < expected.size(); ++y) {
    const auto year = static_cast<Time::Rep>(y);
    CHECK(s.tokens(Time::years(year), Time::years(year + 1)) == Approx(expected[y]).epsilon(1e-12));
  }
  CHECK(s.max_supply() == 240e6);
  // 100 years: 240M·(1 − 2^(−50)).
  CHECK(run(hip20, Time::years(100), Time::days(30)) == Approx(240e6).epsilon(1e-12));
}

TEST_CASE("models::EmissionSchedule: Helium started 5 years into HIP-20 mints 15M then 7.5M a year",
          "[unit]") {
  EmissionSpec helium_2024;
  helium_2024.kind = EmissionKind::halving;
  helium_2024.genesis_offset = Time::years(5);
  EmissionSchedule s(helium_2024);
  CHECK(s.minted_before_start() == Approx(195e6).epsilon(1e-12));  // 60 + 60 + 30 + 30 + 15
  const double first_day = s.tokens(Time{}, Time::days(1));
  CHECK(std::round(first_day) == 41'096);  // 15M/365 HNT per day [D]
  CHECK(s.tokens(Time::days(1), Time::years(1)) + first_day == Approx(15e6).epsilon(1e-12));
  CHECK(s.tokens(Time::years(1), Time::years(2)) == Approx(7.5e6).epsilon(1e-12));
}

TEST_CASE("models::EmissionSchedule: DIMO week limits are 1105000, 939250 and 798362", "[unit]") {
  EmissionSpec dimo;
  dimo.kind = EmissionKind::yearly_decay;  // defaults: DIMO's weekly limit, ×0.85 every 52 weeks
  EmissionSchedule s(dimo);
  const Time week = Time::days(7);
  std::vector<double> weekly;
  for (int w = 0; w < 3 * 52; ++w)
    weekly.push_back(s.tokens(week * w, week * (w + 1)));
  CHECK(weekly[0] == 1'105'000.0);
  CHECK(weekly[51] == 1'105'000.0);
  CHECK(weekly[52] == 939'250.0);
  CHECK(weekly[104] == 798'362.0);  // ⌊939 250·0.85⌋ = ⌊798 362.5⌋
  CHECK(weekly[155] == 798'362.0);
  CHECK(s.minted_total() == 52.0 * (1'105'000 + 939'250 + 798'362));
  // Floors reach zero after finitely many steps, so the supply is bounded.
  const double max = s.max_supply();
  CHECK(std::isfinite(max));
  CHECK(max == Approx(52.0 * 1'105'000 / 0.15).epsilon(1e-4));
  CHECK(max < 52.0 * 1'105'000 / 0.15);
}

TEST_CASE("models::EmissionSchedule: Render mints 43758 per 7-day epoch in year 1", "[unit]") {
  EmissionSpec render;
  render.kind = EmissionKind::yearly_decay;
  render.per_period = 43'758;
  render.period = Time::days(7);
  render.factor = 0.945;
  render.periods_per_step = 52;
  render.round_down = false;
  EmissionSchedule s(render);
  const Time week = Time::days(7);
  CHECK(s.tokens(Time{}, week) == Approx(43'758).epsilon(1e-14));
  CHECK(std::round(s.tokens(week, week + Time::days(1))) == 6'251);  // 43 758/7 a day
  CHECK(s.tokens(week + Time::days(1), week * 52) == Approx(43'758.0 * 51 - 6'251.142857142857));
  CHECK(s.tokens(week * 52, week * 53) == Approx(43'758 * 0.945).epsilon(1e-14));  // 41 351.31
  CHECK(s.max_supply() == Approx(43'758.0 * 52 / 0.055).epsilon(1e-14));
}

TEST_CASE("models::EmissionSchedule: exponential decay integrates the decaying rate exactly",
          "[unit]") {
  EmissionSpec spec;
  spec.kind = EmissionKind::exponential_decay;
  spec.initial_per_year = 1e6;
  spec.half_life = Time::years(4);
  EmissionSchedule s(spec);
  const double total = 1e6 * 4 / std::log(2.0);  // r0/λ in tokens
  CHECK(s.max_supply() == Approx(total).epsilon(1e-14));
  CHECK(s.tokens(Time{}, Time::years(4)) == Approx(total / 2).epsilon(1e-12));
  CHECK(s.tokens(Time::years(4), Time::years(8)) == Approx(total / 4).epsilon(1e-12));
  // The first day at nearly the initial rate.
  EmissionSchedule fresh(spec);
  CHECK(fresh.tokens(Time{}, Time::days(1)) == Approx(1e6 / 365).epsilon(1e-3));
}

TEST_CASE("models::EmissionSchedule: capped stops exactly at max_supply", "[unit]") {
  EmissionSpec spec;
  spec.kind = EmissionKind::capped;
  spec.per_day = 1000;
  spec.max_supply = 10'500;
  EmissionSchedule s(spec);
  std::vector<double> daily;
  for (int d = 0; d < 15; ++d)
    daily.push_back(s.tokens(Time::days(d), Time::days(d + 1)));
  CHECK(daily[9] == 1000);
  CHECK(daily[10] == 500);  // the day that crosses the cap gets only the remainder
  CHECK(daily[11] == 0);
  CHECK(daily[14] == 0);
  CHECK(s.minted_total() == 10'500);
  CHECK(s.max_supply() == 10'500);
  CHECK(run(spec, Time::days(30), Time::hours(1)) == Approx(10'500).epsilon(1e-14));
}

TEST_CASE("models::EmissionSchedule: a year in daily or hourly epochs mints what one call does",
          "[unit]") {
  std::vector<EmissionSpec> specs(7);
  specs[0].kind = EmissionKind::constant;
  specs[1].kind = EmissionKind::halving;
  specs[1].halving_every = Time::days(100);  // several halvings inside the year
  specs[2].kind = EmissionKind::exponential_decay;
  specs[2].half_life = Time::days(200);
  specs[3].kind = EmissionKind::capped;
  specs[3].max_supply = 2e6;  // reached on day 200
  specs[4].kind = EmissionKind::yearly_decay;
  specs[4].periods_per_step = 4;  // a damping every 4 weeks, rounded down
  specs[5].kind = EmissionKind::filecoin;
  specs[6].kind = EmissionKind::yearly_decay;
  specs[6].round_down = false;
  specs[6].genesis_offset = Time::days(45) + Time::hours(5);
  const double power = 1.5 * specs[5].baseline_initial_bytes;  // the baseline overtakes it
  for (const EmissionSpec& spec : specs) {
    INFO(std::string(models::emission_kind_name(spec.kind)));
    const double once = run(spec, Time::years(1), Time::years(1), power);
    CHECK(once > 0.0);
    CHECK(run(spec, Time::years(1), Time::days(1), power) == Approx(once).epsilon(1e-9));
    CHECK(run(spec, Time::years(1), Time::hours(1), power) == Approx(once).epsilon(1e-9));
  }
}

TEST_CASE("models::EmissionSchedule: intervals must follow each other from 0", "[unit]") {
  EmissionSchedule s{EmissionSpec{}};
  CHECK_THROWS_AS(s.tokens(Time::days(1), Time::days(2)), std::invalid_argument);
  CHECK(s.tokens(Time{}, Time::days(1)) == 10'000);
  CHECK_THROWS_AS(s.tokens(Time{}, Time::days(2)), std::invalid_argument);         // overlaps
  CHECK_THROWS_AS(s.tokens(Time::days(2), Time::days(3)), std::invalid_argument);  // a gap
  CHECK_THROWS_AS(s.tokens(Time::days(1), Time::hours(1)), std::invalid_argument);
  CHECK(s.tokens(Time::days(1), Time::days(1)) == 0.0);
  CHECK(s.max_supply() == std::numeric_limits<double>::infinity());

  EmissionSpec filecoin;
  filecoin.kind = EmissionKind::filecoin;
  EmissionSchedule f(filecoin);
  CHECK_THROWS_AS(f.tokens(Time{}, Time::days(1), -1.0), std::invalid_argument);

  EmissionSpec bad;
  bad.per_day = -1;
  CHECK_THROWS_AS(EmissionSchedule(bad), std::invalid_argument);
  bad = EmissionSpec{};
  bad.kind = EmissionKind::yearly_decay;
  bad.periods_per_step = 0;
  CHECK_THROWS_AS(EmissionSchedule(bad), std::invalid_argument);
}

namespace {

using sim::config::ConfigError;
using sim::config::Document;
using sim::config::Reader;
using sim::config::Section;

EmissionSpec read(const std::string& yaml) {
  const Document doc = Document::load_string(yaml, "e.yaml");
  Reader r(doc);
  Section rewards = Section::root(r, YAML::Node()).section("rewards", "");
  const EmissionSpec spec = models::read_emission_spec(rewards.section("emission", ""));
  r.throw_if_problems();
  return spec;
}

std::vector<sim::config::Problem> problems(const std::string& yaml) {
  try {
    read(yaml);
  } catch (const ConfigError& e) {
    return e.problems();
  }
  return {};
}

}  // namespace

TEST_CASE("models::read_emission_spec: reads each kind's keys and start_at", "[unit]") {
  const EmissionSpec constant = read("rewards: {}\n");
  CHECK(constant.kind == EmissionKind::constant);
  CHECK(constant.per_day == 10'000);
  CHECK(constant.genesis_offset == Time{});

  const EmissionSpec helium = read(
      "rewards:\n  emission: {kind: halving, initial_per_year: 6e7, halving_every: 2y, "
      "start_at: 5y}\n");
  CHECK(helium.kind == EmissionKind::halving);
  CHECK(helium.initial_per_year == 60e6);
  CHECK(helium.halving_every == Time::years(2));
  CHECK(helium.genesis_offset == Time::years(5));

  const EmissionSpec render = read(
      "rewards:\n  emission: {kind: yearly_decay, per_period: 43758, period: 7d, factor: 0.945, "
      "periods_per_step: 52, round_down: false}\n");
  CHECK(render.kind == EmissionKind::yearly_decay);
  CHECK(render.per_period == 43'758);
  CHECK(render.factor == 0.945);
  CHECK_FALSE(render.round_down);

  const EmissionSpec filecoin =
      read("rewards:\n  emission: {kind: filecoin, baseline_growth_per_year: 1.5}\n");
  CHECK(filecoin.kind == EmissionKind::filecoin);
  CHECK(filecoin.half_life == Time::years(6));
  CHECK(filecoin.baseline_growth_per_year == 1.5);
  CHECK(filecoin.simple_supply == 330e6);
}

TEST_CASE("models::read_emission_spec: a bad kind lists the kinds", "[unit]") {
  const auto p = problems("rewards:\n  emission: {kind: halvening, per_day: 5}\n");
  REQUIRE(p.size() == 1);  // the kind alone: the other keys mean nothing without it
  CHECK(p[0].key == "rewards.emission.kind");
  CHECK(p[0].message.find("did you mean \"halving\"") != std::string::npos);
  CHECK(p[0].message.find("constant, halving, exponential_decay, capped, yearly_decay, filecoin") !=
        std::string::npos);
}

TEST_CASE("models::read_emission_spec: refuses a negative per_day and another kind's key",
          "[unit]") {
  const auto negative = problems("rewards:\n  emission: {kind: capped, per_day: -5}\n");
  REQUIRE(negative.size() == 1);
  CHECK(negative[0].key == "rewards.emission.per_day");

  const auto foreign = problems("rewards:\n  emission: {kind: halving, per_day: 5}\n");
  REQUIRE(foreign.size() == 1);
  CHECK(foreign[0].key == "rewards.emission.per_day");
  CHECK(foreign[0].message.find("unknown key") != std::string::npos);

  const auto factor = problems("rewards:\n  emission: {kind: yearly_decay, factor: 1.2}\n");
  REQUIRE(factor.size() == 1);
  CHECK(factor[0].key == "rewards.emission.factor");
}

TEST_CASE("models::read_emission_spec: describe mode lists every kind's keys", "[unit]") {
  const Document empty = Document::load_string("{}", "e.yaml");
  Reader r(empty, true);
  models::read_emission_spec(Section::root(r, YAML::Node()).section("emission", ""));
  CHECK(r.ok());
  std::vector<std::string> keys;
  for (const auto& info : r.catalogue())
    keys.push_back(info.key);
  const auto listed = [&](const std::string& key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  };
  CHECK(listed("emission.kind"));
  CHECK(listed("emission.start_at"));
  CHECK(listed("emission[kind=halving].halving_every"));
  CHECK(listed("emission[kind=filecoin].baseline_initial_bytes"));
  CHECK(listed("emission[kind=yearly_decay].round_down"));
  CHECK(listed("emission[kind=capped].max_supply"));
}
