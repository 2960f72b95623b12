#include "models/economy/demand.hpp"

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/models/config_reading.hpp"

using models::Demand;
using models::DemandShock;
using models::DemandSpec;
using models::GrowthKind;
using sim::Time;

namespace {

DemandSpec constant(double usd_per_day) {
  DemandSpec s;
  s.usd_per_day = usd_per_day;
  return s;
}

sim::RandomStream test_stream(std::uint64_t entity = 0) {
  return sim::RandomStreams(7, 0).stream("demand.test", entity);
}

std::vector<sim::config::Problem> read_problems(const std::string& text,
                                                DemandSpec* out = nullptr) {
  return test_support::read_nested<DemandSpec>(text, "demand.yaml", "economy", "demand",
                                               &models::read_demand_spec, out);
}

using test_support::names_key;

}  // namespace

TEST_CASE("models::Demand: a constant rate integrates to rate times duration", "[unit]") {
  const Demand d(constant(1000.0));
  auto rng = test_stream();
  CHECK(d.usd(Time{}, Time::days(10), rng) == Approx(10'000.0).epsilon(1e-12));
  CHECK(d.usd(Time::hours(12), Time::hours(30), rng) == Approx(750.0).epsilon(1e-12));
  CHECK(d.usd(Time::days(3), Time::days(3), rng) == 0.0);
  CHECK(d.rate_usd_per_day(Time::years(5)) == 1000.0);
  CHECK_THROWS_AS(d.usd(Time::days(2), Time::days(1), rng), std::invalid_argument);
}

TEST_CASE("models::Demand: exponential growth matches the closed form r0 T g / ln(1+g)", "[unit]") {
  DemandSpec s = constant(100.0);
  s.growth = GrowthKind::exponential;
  s.growth_per_year = 0.5;
  const Demand d(s);
  // ∫_0^365 100·1.5^{t/365} dt = 100·365·(1.5 − 1)/ln 1.5 = 45 010.4...
  const double first_year = 100.0 * 365.0 * 0.5 / std::log(1.5);
  CHECK(d.expected_usd(Time{}, Time::years(1)) == Approx(first_year).epsilon(1e-12));
  CHECK(first_year == Approx(45'010.4).epsilon(1e-5));
  CHECK(d.expected_usd(Time::years(1), Time::years(2)) == Approx(1.5 * first_year).epsilon(1e-12));
  CHECK(d.rate_usd_per_day(Time::years(2)) == Approx(225.0).epsilon(1e-12));

  // 365 daily epochs add up to the year.
  double daily = 0.0;
  for (int k = 0; k < 365; ++k)
    daily += d.expected_usd(Time::days(k), Time::days(k + 1));
  CHECK(daily == Approx(first_year).epsilon(1e-12));

  s.growth_per_year = -0.5;  // a decline halves the rate each year
  CHECK(Demand(s).rate_usd_per_day(Time::years(1)) == Approx(50.0).epsilon(1e-12));
}

TEST_CASE("models::Demand: logistic demand is half saturated at ln(c)/r and approaches K",
          "[unit]") {
  DemandSpec s = constant(100.0);
  s.growth = GrowthKind::logistic;
  s.growth_per_year = 2.0;
  s.saturation_usd_per_day = 1000.0;
  const Demand d(s);
  CHECK(d.rate_usd_per_day(Time{}) == Approx(100.0).epsilon(1e-12));
  // K/(1 + c·e^{−rt}) = K/2 at t = ln(c)/r, c = (K − r0)/r0 = 9: 1.0986 years.
  const Time half = Time::from_seconds(std::log(9.0) / 2.0 * 365.0 * 86'400.0);
  CHECK(d.rate_usd_per_day(half) == Approx(500.0).epsilon(1e-9));
  double previous = 0.0;
  for (int year = 0; year <= 12; ++year) {  // later the gap to K is below double precision
    const double rate = d.rate_usd_per_day(Time::years(year));
    CHECK(rate > previous);
    CHECK(rate < 1000.0);
    previous = rate;
  }
  CHECK(d.rate_usd_per_day(Time::years(30)) == Approx(1000.0).epsilon(1e-12));
  // Saturated: a day in year 30 buys K·1 day.
  CHECK(d.expected_usd(Time::years(30), Time::years(30) + Time::days(1)) ==
        Approx(1000.0).epsilon(1e-12));
  // Short intervals agree with the rate at their midpoint (the integral's derivative).
  const Time t = Time::days(200);
  const double one_hour = d.expected_usd(t, t + Time::hours(1)) * 24.0;
  CHECK(one_hour == Approx(d.rate_usd_per_day(t + Time::minutes(30))).epsilon(1e-7));
  // 600 years in one call does not overflow.
  CHECK(d.expected_usd(Time{}, Time::years(600)) == Approx(1000.0 * 365.0 * 600.0).epsilon(1e-2));
}

TEST_CASE("models::Demand: the seasonal term averages out over a whole period", "[unit]") {
  DemandSpec s = constant(1000.0);
  s.seasonal_amplitude = 0.3;
  s.seasonal_period = Time::days(365);
  s.seasonal_phase = Time::days(20);
  const Demand d(s);
  for (int start_day : {0, 17, 200}) {
    const Time a = Time::days(start_day) + Time::hours(5);
    CHECK(d.expected_usd(a, a + Time::days(365)) == Approx(365'000.0).epsilon(1e-12));
  }
  // Peak a quarter period after the phase.
  CHECK(d.rate_usd_per_day(Time::days(20) + Time::hours(365 * 6)) == Approx(1300.0).epsilon(1e-12));
  // Part of a period against ∫ 1000(1 + A sin(ω(t − φ))) = 1000[Δ − (A/ω)(cos ω(b−φ) − cos
  // ω(a−φ))].
  const double w = 2.0 * std::numbers::pi / 365.0;
  const double a = 3.25, b = 100.5;
  const double exact =
      1000.0 * ((b - a) - 0.3 / w * (std::cos(w * (b - 20.0)) - std::cos(w * (a - 20.0))));
  CHECK(d.expected_usd(Time::hours(78), Time::hours(2412)) == Approx(exact).epsilon(1e-13));
  // A weekly cycle: each week is the same.
  s.seasonal_period = Time::days(7);
  s.seasonal_amplitude = 0.9;
  const Demand weekly(s);
  CHECK(weekly.expected_usd(Time::days(3), Time::days(10)) == Approx(7000.0).epsilon(1e-12));
}

TEST_CASE("models::Demand: a shock scales the rate inside its window only", "[unit]") {
  DemandSpec s = constant(1000.0);
  s.shocks.push_back(DemandShock{Time::days(90), Time::days(30), 0.2});
  const Demand d(s);
  CHECK(d.rate_usd_per_day(Time::days(90) - Time::micros(1)) == 1000.0);
  CHECK(d.rate_usd_per_day(Time::days(90)) == Approx(200.0));
  CHECK(d.rate_usd_per_day(Time::days(120) - Time::micros(1)) == Approx(200.0));
  CHECK(d.rate_usd_per_day(Time::days(120)) == 1000.0);
  // 10 days before, 30 inside, 10 after.
  CHECK(d.expected_usd(Time::days(80), Time::days(130)) == Approx(26'000.0).epsilon(1e-12));
  CHECK(d.expected_usd(Time{}, Time::days(90)) == Approx(90'000.0).epsilon(1e-12));

  // Overlapping shocks multiply; a factor of 0 stops demand.
  s.shocks.push_back(DemandShock{Time::days(100), Time::days(5), 3.0});
  s.shocks.push_back(DemandShock{Time::days(200), Time::days(1), 0.0});
  const Demand two(s);
  CHECK(two.rate_usd_per_day(Time::days(101)) == Approx(600.0));
  CHECK(two.expected_usd(Time::days(80), Time::days(130)) ==
        Approx(1000.0 * (10 + 0.2 * 25 + 0.6 * 5 + 10)).epsilon(1e-12));
  CHECK(two.expected_usd(Time::days(200), Time::days(201)) == 0.0);
}

TEST_CASE("models::Demand: splitting an interval in two gives the same total", "[unit]") {
  DemandSpec s = constant(500.0);
  s.seasonal_amplitude = 0.4;
  s.seasonal_period = Time::days(30);
  s.seasonal_phase = Time::days(3);
  s.shocks.push_back(DemandShock{Time::hours(100), Time::hours(50), 0.5});
  for (GrowthKind g : {GrowthKind::none, GrowthKind::exponential, GrowthKind::logistic}) {
    s.growth = g;
    s.growth_per_year = g == GrowthKind::none ? 0.0 : 3.0;
    s.saturation_usd_per_day = 5000.0;
    const Demand d(s);
    auto rng = test_stream(1);
    for (int k = 0; k < 200; ++k) {
      const Time a = Time::from_ticks(static_cast<Time::Rep>(rng.uniform(0.0, 400.0) * 86'400e6));
      const Time b = a + Time::from_ticks(static_cast<Time::Rep>(rng.uniform(0.0, 3.0) * 86'400e6));
      const Time c = a + Time::from_ticks(static_cast<Time::Rep>(rng.uniform() * (b - a).ticks()));
      const double whole = d.expected_usd(a, b);
      REQUIRE(d.expected_usd(a, c) + d.expected_usd(c, b) == Approx(whole).epsilon(1e-9));
    }
    // Hourly and daily epochs over 60 days agree.
    double hourly = 0.0, daily = 0.0;
    for (int h = 0; h < 60 * 24; ++h)
      hourly += d.expected_usd(Time::hours(h), Time::hours(h + 1));
    for (int day = 0; day < 60; ++day)
      daily += d.expected_usd(Time::days(day), Time::days(day + 1));
    CHECK(hourly == Approx(daily).epsilon(1e-9));
    CHECK(daily == Approx(d.expected_usd(Time{}, Time::days(60))).epsilon(1e-9));
  }
}

TEST_CASE("models::Demand: lognormal noise has mean 1 and log-sd sigma", "[unit]") {
  DemandSpec s = constant(1000.0);
  s.noise_sd = 0.5;
  const Demand d(s);
  auto rng = test_stream(2);
  const int n = 100'000;
  double sum = 0.0, sum_log = 0.0, sum_log2 = 0.0;
  for (int k = 0; k < n; ++k) {
    const double ratio = d.usd(Time::days(k), Time::days(k + 1), rng) / 1000.0;
    sum += ratio;
    sum_log += std::log(ratio);
    sum_log2 += std::log(ratio) * std::log(ratio);
  }
  // sd of the ratio is √(e^{σ²} − 1) = 0.533, so the mean's standard error is 0.0017: ±0.01 is
  // six of them.
  CHECK(sum / n == Approx(1.0).margin(0.01));
  const double mean_log = sum_log / n;
  CHECK(mean_log == Approx(-0.125).margin(0.01));  // −σ²/2
  CHECK(std::sqrt(sum_log2 / n - mean_log * mean_log) == Approx(0.5).epsilon(0.02));

  // Without noise the stream is left untouched.
  const Demand quiet(constant(1000.0));
  auto used = test_stream(3);
  quiet.usd(Time{}, Time::days(1), used);
  auto fresh = test_stream(3);
  CHECK(used.next_u64() == fresh.next_u64());
}

TEST_CASE("models::Demand: refuses parameters that make no demand law", "[unit]") {
  CHECK_THROWS_AS(Demand(constant(-1.0)), std::invalid_argument);
  DemandSpec s = constant(100.0);
  s.seasonal_amplitude = 1.0;
  CHECK_THROWS_AS(Demand(s), std::invalid_argument);
  s = constant(100.0);
  s.growth = GrowthKind::logistic;
  s.growth_per_year = 1.0;
  s.saturation_usd_per_day = 100.0;
  CHECK_THROWS_AS(Demand(s), std::invalid_argument);
  s.saturation_usd_per_day = 200.0;
  CHECK_NOTHROW(Demand(s));
  s = constant(100.0);
  s.growth = GrowthKind::exponential;
  s.growth_per_year = -1.0;
  CHECK_THROWS_AS(Demand(s), std::invalid_argument);
  s = constant(100.0);
  s.shocks.push_back(DemandShock{Time::days(1), Time{}, 0.5});
  CHECK_THROWS_AS(Demand(s), std::invalid_argument);
}

TEST_CASE("models::read_demand_spec: reads growth, seasons and shocks", "[unit]") {
  DemandSpec spec;
  const auto problems = read_problems(R"(economy:
  demand:
    usd_per_day: 2500
    growth: logistic
    growth_per_year: 1.5
    saturation_usd_per_day: 40000
    seasonal_amplitude: 0.25
    seasonal_period: 7d
    seasonal_phase: 2d
    shocks:
      - {at: 90d, duration: 30d, factor: 0.2}
      - {duration: 12h, factor: 4}
    noise_sd: 0.1
)",
                                      &spec);
  CHECK(problems.empty());
  CHECK(spec.usd_per_day == 2500.0);
  CHECK(spec.growth == GrowthKind::logistic);
  CHECK(spec.growth_per_year == 1.5);
  CHECK(spec.saturation_usd_per_day == 40'000.0);
  CHECK(spec.seasonal_amplitude == 0.25);
  CHECK(spec.seasonal_period == Time::days(7));
  CHECK(spec.seasonal_phase == Time::days(2));
  REQUIRE(spec.shocks.size() == 2);
  CHECK(spec.shocks[0].at == Time::days(90));
  CHECK(spec.shocks[0].duration == Time::days(30));
  CHECK(spec.shocks[0].factor == 0.2);
  CHECK(spec.shocks[1].at == Time{});
  CHECK(spec.shocks[1].factor == 4.0);
  CHECK(spec.noise_sd == 0.1);
  CHECK_NOTHROW(Demand(spec));

  DemandSpec defaults;
  CHECK(read_problems("economy: {demand: {}}\n", &defaults).empty());
  CHECK(defaults.usd_per_day == 0.0);
  CHECK(defaults.growth == GrowthKind::none);
  CHECK(defaults.shocks.empty());
}

TEST_CASE("models::read_demand_spec: each bad value is reported at its key", "[unit]") {
  CHECK(names_key(read_problems("economy: {demand: {usd_per_day: -5}}\n"),
                  "economy.demand.usd_per_day"));
  CHECK(names_key(read_problems("economy: {demand: {usd_per_day: 5, seasonal_amplitude: 1}}\n"),
                  "economy.demand.seasonal_amplitude"));
  CHECK(names_key(read_problems("economy: {demand: {usd_per_day: 500, growth: logistic, "
                                "growth_per_year: 1, saturation_usd_per_day: 400}}\n"),
                  "economy.demand.saturation_usd_per_day"));
  CHECK(names_key(read_problems("economy: {demand: {growth: linear}}\n"), "economy.demand.growth"));
  CHECK(names_key(read_problems("economy: {demand: {growth_per_year: 0.1}}\n"),
                  "economy.demand.growth_per_year"));
  CHECK(names_key(read_problems("economy: {demand: {shocks: [{at: 3d, duration: 1d}]}}\n"),
                  "economy.demand.shocks[0]"));
  CHECK(names_key(read_problems("economy: {demand: {noise: 0.1}}\n"), "economy.demand.noise"));

  // Through the reader, the error names the file and the key.
  const auto doc =
      sim::config::Document::load_string("economy:\n  demand:\n    usd_per_day: -5\n", "d.yaml");
  sim::config::Reader reader(doc);
  auto root = sim::config::Section::root(reader, YAML::Node());
  models::read_demand_spec(root.section("economy", "").section("demand", ""));
  CHECK_THROWS_WITH(reader.throw_if_problems(),
                    Catch::Contains("d.yaml:3:") && Catch::Contains("economy.demand.usd_per_day"));
}
