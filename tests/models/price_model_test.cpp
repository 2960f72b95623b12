#include "models/economy/price_model.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/models/config_reading.hpp"

using models::AmmPrice;
using models::MarketInputs;
using models::PriceKind;
using models::PriceSpec;
using models::PriceStep;
using sim::Time;
using sim::config::ConfigError;

namespace {

/// Files in a fresh temporary directory, removed afterwards.
struct Files {
  std::filesystem::path dir;
  Files() {
    static int counter = 0;
    dir = std::filesystem::temp_directory_path() /
          ("price-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir);
  }
  ~Files() { std::filesystem::remove_all(dir); }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return dir / name;
  }
};

MarketInputs epoch(int day, int days = 1) {
  MarketInputs in;
  in.start = Time::days(day);
  in.end = Time::days(day + days);
  return in;
}

sim::RandomStream test_stream(std::uint64_t entity = 0) {
  return sim::RandomStreams(5, 0).stream("price.test", entity);
}

std::vector<sim::config::Problem> read_problems(const std::string& text, PriceSpec* out = nullptr) {
  return test_support::read_nested<PriceSpec>(text, "price.yaml", "economy", "price",
                                              &models::read_price_spec, out);
}

using test_support::names_key;

// The message of the ConfigError that building `spec` from `dir` throws.
std::string build_error(const PriceSpec& spec, const std::filesystem::path& dir) {
  try {
    models::make_price_model(spec, dir);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("models::ConstantPrice: the price never moves and trades fill at it", "[unit]") {
  PriceSpec spec;
  spec.initial_usd = 2.0;
  auto m = models::make_price_model(spec, ".");
  auto rng = test_stream();
  MarketInputs in = epoch(0);
  in.tokens_sold = 100;
  in.usd_bought = 50;
  const PriceStep s = m->advance(in, rng);
  CHECK(s.price_usd == 2.0);
  CHECK(s.usd_to_sellers == 200.0);
  CHECK(s.tokens_to_buyers == 25.0);
  CHECK(m->price_usd() == 2.0);
  CHECK_THROWS_AS(m->advance(epoch(3, 0), rng), std::invalid_argument);
}

TEST_CASE("models::ExogenousPrice: interpolates a CSV series linearly and is flat beyond it",
          "[unit]") {
  Files f;
  f.write("hnt.csv", "time_days,price_usd\n5,2\n15,4\n\n25, 3.5\r\n");
  PriceSpec spec;
  spec.kind = PriceKind::exogenous;
  spec.file = "hnt.csv";  // relative to the scenario's directory
  auto m = models::make_price_model(spec, f.dir);
  CHECK(m->price_usd() == 2.0);  // before the first point: flat
  auto rng = test_stream();
  MarketInputs in = epoch(0, 10);
  in.tokens_sold = 10;
  const PriceStep s = m->advance(in, rng);
  CHECK(s.price_usd == Approx(3.0));        // halfway from 2 to 4
  CHECK(s.usd_to_sellers == Approx(20.0));  // filled at the price during the epoch
  CHECK(m->advance(epoch(10, 10), rng).price_usd == Approx(3.75));
  CHECK(m->advance(epoch(20, 100), rng).price_usd == 3.5);  // after the last point: flat

  const auto series = models::ExogenousPrice::from_csv(f.dir / "hnt.csv");
  CHECK(series.price_at(Time::hours(24 * 5 + 6)) == Approx(2.0 + 2.0 * 0.25 / 10.0));
  // An absolute path ignores the scenario directory.
  spec.file = (f.dir / "hnt.csv").string();
  CHECK(models::make_price_model(spec, "/nonexistent")->price_usd() == 2.0);
}

TEST_CASE("models::ExogenousPrice: a bad price file is reported with its name and line", "[unit]") {
  Files f;
  PriceSpec spec;
  spec.kind = PriceKind::exogenous;
  spec.file = "missing.csv";
  CHECK_THAT(build_error(spec, f.dir),
             Catch::Contains((f.dir / "missing.csv").string()) && Catch::Contains("cannot open"));

  const auto error_for = [&](const std::string& text) {
    f.write("p.csv", text);
    spec.file = "p.csv";
    return build_error(spec, f.dir);
  };
  const std::string name = (f.dir / "p.csv").string();
  CHECK_THAT(error_for("time_days,price_usd\n0,1\nabc,2\n"), Catch::Contains(name + ":3:"));
  CHECK_THAT(error_for("time_days,price_usd\n0,1\n1,2,3\n"), Catch::Contains(name + ":3:"));
  CHECK_THAT(error_for("time_days,price_usd\n0,1\n2,1\n2,1.5\n"),
             Catch::Contains(name + ":4:") && Catch::Contains("must increase"));
  CHECK_THAT(error_for("time_days,price_usd\n0,1\n1,-0.5\n"),
             Catch::Contains(name + ":3:") && Catch::Contains("negative"));
  CHECK_THAT(error_for("day,price\n0,1\n"),
             Catch::Contains(name + ":1:") && Catch::Contains("header"));
  CHECK_THAT(error_for("time_days,price_usd\n"), Catch::Contains("no price rows"));
}

TEST_CASE("models::GbmPrice: log returns have mean (mu - sigma^2/2)dt and variance sigma^2 dt",
          "[unit]") {
  const double mu = 0.3, sigma = 0.8;
  models::GbmPrice m(1.0, mu, sigma);
  auto rng = test_stream(1);
  const int n = 20'000;
  const int days = 30;
  const double dt = days / 365.0;
  double sum = 0.0, sum2 = 0.0;
  double price = m.price_usd();
  for (int k = 0; k < n; ++k) {
    const double next = m.advance(epoch(k * days, days), rng).price_usd;
    const double r = std::log(next / price);
    sum += r;
    sum2 += r * r;
    price = next;
  }
  const double mean = sum / n;
  const double var = sum2 / n - mean * mean;
  // Standard errors: σ√dt/√n = 0.0016 for the mean, σ²dt·√(2/n) = 0.00053 for the variance.
  // Five of each; leaving out the −σ²/2 term would shift the mean by 0.026.
  CHECK(mean == Approx((mu - 0.5 * sigma * sigma) * dt).margin(0.008));
  CHECK(var == Approx(sigma * sigma * dt).margin(0.0027));

  // Without volatility the path is e^{μt} exactly and no randomness is used.
  models::GbmPrice calm(2.0, 0.1, 0.0);
  auto used = test_stream(2);
  for (int k = 0; k < 365; ++k)
    calm.advance(epoch(k), used);
  CHECK(calm.price_usd() == Approx(2.0 * std::exp(0.1)).epsilon(1e-12));
  auto fresh = test_stream(2);
  CHECK(used.next_u64() == fresh.next_u64());
}

TEST_CASE("models::EquilibriumPrice: 365M USD a year at V = 10 on a float of 100M is 0.365 USD",
          "[unit]") {
  models::EquilibriumPrice m(1.0, 10.0, 1.0);
  CHECK(m.price_usd() == 1.0);  // the first epoch uses the initial price
  auto rng = test_stream();
  MarketInputs in = epoch(0);
  in.circulating_tokens = 100e6;
  in.demand_usd = 1e6;  // a day of $365M a year
  in.usd_bought = 365.0;
  const PriceStep s = m.advance(in, rng);
  CHECK(s.price_usd == Approx(0.365).epsilon(1e-12));
  CHECK(s.tokens_to_buyers == Approx(365.0));  // bought at the price during the epoch, $1
  // A week of the same demand rate gives the same price.
  MarketInputs week = epoch(1, 7);
  week.circulating_tokens = 100e6;
  week.demand_usd = 7e6;
  CHECK(m.advance(week, rng).price_usd == Approx(0.365).epsilon(1e-12));

  // Smoothing 0.5 halves the gap each epoch: P_n = P* + (P_0 − P*)·0.5^n.
  models::EquilibriumPrice slow(1.0, 10.0, 0.5);
  for (int k = 1; k <= 10; ++k) {
    MarketInputs e = epoch(k);
    e.circulating_tokens = 100e6;
    e.demand_usd = 1e6;
    REQUIRE(slow.advance(e, rng).price_usd ==
            Approx(0.365 + (1.0 - 0.365) * std::pow(0.5, k)).epsilon(1e-12));
  }
  MarketInputs no_float = epoch(20);
  CHECK_THROWS_AS(slow.advance(no_float, rng), std::invalid_argument);
}

TEST_CASE("models::AmmPrice: trades follow the constant-product closed form", "[unit]") {
  AmmPrice pool(1.0, 1e6, 0.003);
  CHECK(pool.token_reserve() == 1e6);
  CHECK(pool.usd_reserve() == 1e6);
  // Δy = y·Δx(1−f)/(x + Δx(1−f)) = 1e6·9970/1 009 970.
  const double usd = pool.sell_tokens(10'000);
  CHECK(usd == Approx(9871.580343970612).epsilon(1e-13));
  CHECK(pool.price_usd() == Approx(0.9803251679762668).epsilon(1e-13));
  // Buying back with the proceeds returns less than was sold: both trades paid the fee.
  const double back = pool.buy_tokens(usd);
  CHECK(back == Approx(9940.679649621592).epsilon(1e-13));
  CHECK(back < 10'000);
  // With no fee the round trip is exact.
  AmmPrice free(1.0, 1e6, 0.0);
  CHECK(free.buy_tokens(free.sell_tokens(10'000)) == Approx(10'000).epsilon(1e-12));
}

TEST_CASE("models::AmmPrice: k never decreases and price impact grows with size", "[unit]") {
  AmmPrice pool(0.5, 2e5, 0.003);
  auto rng = test_stream(3);
  double k = pool.token_reserve() * pool.usd_reserve();
  for (int i = 0; i < 5000; ++i) {
    if (rng.bernoulli(0.5)) {
      pool.sell_tokens(rng.uniform(0.0, 1e5));
    } else {
      pool.buy_tokens(rng.uniform(0.0, 5e4));
    }
    const double k_now = pool.token_reserve() * pool.usd_reserve();
    REQUIRE(k_now >= k * (1 - 1e-15));
    k = k_now;
  }

  // Bigger sales fetch a worse average price and move the price more.
  double last_average = 1.0, last_drop = 0.0;
  for (double size : {1e3, 1e4, 1e5, 1e6}) {
    AmmPrice fresh(1.0, 1e6, 0.003);
    const double average = fresh.sell_tokens(size) / size;
    const double drop = 1.0 - fresh.price_usd();
    CHECK(average < last_average);
    CHECK(drop > last_drop);
    last_average = average;
    last_drop = drop;
  }
}

TEST_CASE("models::AmmPrice: an epoch sells first, then buys, and reports both fills", "[unit]") {
  PriceSpec spec;
  spec.kind = PriceKind::amm;
  spec.initial_usd = 1.0;
  spec.depth_usd = 1e6;
  auto m = models::make_price_model(spec, ".");
  auto rng = test_stream();
  MarketInputs in = epoch(0);
  in.tokens_sold = 10'000;
  in.usd_bought = 9871.580343970612;
  const PriceStep s = m->advance(in, rng);
  AmmPrice manual(1.0, 1e6, 0.003);
  CHECK(s.usd_to_sellers == manual.sell_tokens(10'000));
  CHECK(s.tokens_to_buyers == manual.buy_tokens(in.usd_bought));
  CHECK(s.price_usd == manual.price_usd());
  CHECK(s.price_usd < 1.0);  // the fees leave more tokens and less USD in the pool than at start
}

TEST_CASE("models::read_price_spec: reads each kind's keys", "[unit]") {
  PriceSpec spec;
  CHECK(read_problems("economy: {price: {kind: gbm, initial_usd: 4.2, drift_per_year: 0.1, "
                      "volatility_per_year: 0.9}}\n",
                      &spec)
            .empty());
  CHECK(spec.kind == PriceKind::gbm);
  CHECK(spec.initial_usd == 4.2);
  CHECK(spec.drift_per_year == 0.1);
  CHECK(spec.volatility_per_year == 0.9);

  CHECK(read_problems("economy: {price: {kind: exogenous, file: data/hnt.csv}}\n", &spec).empty());
  CHECK(spec.kind == PriceKind::exogenous);
  CHECK(spec.file == "data/hnt.csv");

  CHECK(read_problems(
            "economy: {price: {kind: equilibrium, velocity_per_year: 4, smoothing: 0.2}}\n", &spec)
            .empty());
  CHECK(spec.kind == PriceKind::equilibrium);
  CHECK(spec.velocity_per_year == 4.0);
  CHECK(spec.smoothing == 0.2);

  CHECK(read_problems("economy: {price: {kind: amm, depth_usd: 5e5, fee: 0.01}}\n", &spec).empty());
  CHECK(spec.kind == PriceKind::amm);
  CHECK(spec.depth_usd == 5e5);
  CHECK(spec.fee == 0.01);
  CHECK(spec.initial_usd == 1.0);

  CHECK(read_problems("economy: {price: {}}\n", &spec).empty());
  CHECK(spec.kind == PriceKind::constant);
}

TEST_CASE("models::read_price_spec: bad kinds and values are reported at their keys", "[unit]") {
  const auto unknown = read_problems("economy: {price: {kind: random_walk}}\n");
  REQUIRE(unknown.size() == 1);
  CHECK(unknown.front().key == "economy.price.kind");
  CHECK_THAT(unknown.front().message,
             Catch::Contains("constant, exogenous, gbm, equilibrium, amm"));
  CHECK(names_key(read_problems("economy: {price: {kind: gbm, volatility_per_year: -0.2}}\n"),
                  "economy.price.volatility_per_year"));
  CHECK(names_key(read_problems("economy: {price: {kind: exogenous}}\n"), "economy.price.file"));
  CHECK(names_key(read_problems("economy: {price: {kind: amm, fee: 1}}\n"), "economy.price.fee"));
  CHECK(names_key(read_problems("economy: {price: {kind: equilibrium, smoothing: 0}}\n"),
                  "economy.price.smoothing"));
  // A key of another kind is unknown here.
  CHECK(names_key(read_problems("economy: {price: {kind: constant, volatility_per_year: 1}}\n"),
                  "economy.price.volatility_per_year"));

  // In describe mode every kind's keys are listed.
  const auto doc = sim::config::Document::load_string("{}\n", "empty.yaml");
  sim::config::Reader reader(doc, true);
  models::read_price_spec(sim::config::Section::root(reader, YAML::Node()));
  std::vector<std::string> keys;
  for (const auto& p : reader.catalogue())
    keys.push_back(p.key);
  CHECK(std::find(keys.begin(), keys.end(), "[kind=amm].depth_usd") != keys.end());
  CHECK(std::find(keys.begin(), keys.end(), "[kind=exogenous].file") != keys.end());
}
