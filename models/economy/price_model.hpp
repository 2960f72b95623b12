#pragma once
// Token price models: the token's USD price, one value per epoch, chosen by `economy.price.kind`.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sim/config.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace models {

/// Which price model; the order matches the `kind:` names listed in price_model.cpp.
enum class PriceKind { constant, exogenous, gbm, equilibrium, amm };

/// Parameters of every price model; each kind reads only its own keys. All kinds are scenario
/// assumptions [U] except the formulas cited on each model.
struct PriceSpec {
  PriceKind kind = PriceKind::constant;
  double initial_usd = 1.0;          // price before the first epoch (all but exogenous)
  std::string file;                  // exogenous: CSV path, relative to the scenario file
  double drift_per_year = 0.0;       // gbm: μ
  double volatility_per_year = 0.0;  // gbm: σ
  double velocity_per_year = 10.0;   // equilibrium: V
  double smoothing = 1.0;            // equilibrium: share of the gap to the target closed
  double depth_usd = 1e6;            // amm: USD side of the pool at the start
  double fee = 0.003;                // amm: trading fee, kept in the pool
};

/// Reads the `economy.price:` section.
PriceSpec read_price_spec(sim::config::Section s);

/// What the market saw this epoch; every model reads only what it needs.
struct MarketInputs {
  sim::Time start, end;           // the epoch
  double circulating_tokens = 0;  // float: supply not locked, vesting or in protocol accounts
  double demand_usd = 0;          // USD spent on the network's service in the epoch
  double tokens_sold = 0;         // tokens operators sell this epoch (AMM: into the pool)
  double usd_bought = 0;          // USD buyers spend buying tokens to burn (AMM: from the pool)
};

/// One epoch of a price model. Every model but the AMM fills the trades at the price that held
/// during the epoch (the one price_usd() returned before advance), as an infinitely deep market;
/// at a zero price nothing trades.
struct PriceStep {
  double price_usd = 0;         // the price at the end of the epoch
  double usd_to_sellers = 0;    // what tokens_sold fetched
  double tokens_to_buyers = 0;  // what usd_bought bought
};

/// The token's USD price, moved one epoch at a time.
///   auto m = make_price_model(spec, scenario_dir);  double p = m->price_usd();
///   PriceStep s = m->advance(inputs, rng);
class PriceModel {
 public:
  virtual ~PriceModel() = default;
  /// The price now.
  virtual double price_usd() const = 0;
  /// Moves the price to the end of the epoch and fills the epoch's trades. Epochs must not go
  /// back in time and must have positive length (std::invalid_argument otherwise).
  virtual PriceStep advance(const MarketInputs& in, sim::RandomStream& rng) = 0;
};

/// A fixed price.
///   ConstantPrice p(4.2);  p.advance(inputs, rng).price_usd == 4.2
class ConstantPrice final : public PriceModel {
 public:
  explicit ConstantPrice(double price_usd);
  double price_usd() const override { return price_usd_; }
  PriceStep advance(const MarketInputs& in, sim::RandomStream& rng) override;

 private:
  double price_usd_;
};

/// A price series given in advance (e.g. a historical one), linearly interpolated in time and
/// flat beyond its first and last points. Starts at t = 0.
///   ExogenousPrice p = ExogenousPrice::from_csv("hnt_2023.csv");  // time_days,price_usd
class ExogenousPrice final : public PriceModel {
 public:
  struct Point {
    double time_days;
    double price_usd;
  };
  /// Points in strictly increasing time, prices non-negative, at least one.
  explicit ExogenousPrice(std::vector<Point> points);
  /// Reads a CSV with the header `time_days,price_usd`. Throws sim::config::ConfigError naming the
  /// file (and line) when it cannot be opened, a row is malformed, time does not increase or a
  /// price is negative.
  static ExogenousPrice from_csv(const std::filesystem::path& file);

  double price_at(sim::Time t) const;
  double price_usd() const override { return price_at(now_); }
  PriceStep advance(const MarketInputs& in, sim::RandomStream& rng) override;

 private:
  std::vector<Point> points_;
  sim::Time now_;
};

/// Geometric Brownian motion, stepped exactly: P ← P·exp((μ − σ²/2)·dt + σ·√dt·z), dt in years
/// (365 days), one normal per epoch (none when σ = 0). Log returns are N((μ − σ²/2)dt, σ²dt)
/// whatever the epoch length.
///   GbmPrice p(4.2, 0.1, 0.9);  double next = p.advance(inputs, rng).price_usd;
class GbmPrice final : public PriceModel {
 public:
  GbmPrice(double initial_usd, double drift_per_year, double volatility_per_year);
  double price_usd() const override { return price_usd_; }
  PriceStep advance(const MarketInputs& in, sim::RandomStream& rng) override;

 private:
  double price_usd_;
  double drift_;
  double volatility_;
};

/// The equation of exchange M·V = P·Q read as a token price [U, standard; MECHANISMS 5]:
/// P* = (USD volume per year)/(float·V), with the epoch's demand annualised by the epoch length
/// (demand_usd · 365 d / epoch). The price closes `smoothing` of the gap each epoch:
/// P ← P + s·(P* − P). $365M a year, V = 10 and a float of 100M give $0.365.
///   EquilibriumPrice p(1.0, 10.0, 1.0);  p.advance({.., circulating_tokens, demand_usd}, rng);
class EquilibriumPrice final : public PriceModel {
 public:
  EquilibriumPrice(double initial_usd, double velocity_per_year, double smoothing);
  double price_usd() const override { return price_usd_; }
  PriceStep advance(const MarketInputs& in, sim::RandomStream& rng) override;

 private:
  double price_usd_;
  double velocity_;
  double smoothing_;
};

/// A constant-product pool x·y = k of x tokens and y USD (Uniswap v2), the price being y/x. Each
/// epoch the sellers' tokens go in first, then the buyers' USD: selling Δx returns
/// Δy = y·Δx(1−f)/(x + Δx(1−f)), buying with Δy returns Δx = x·Δy(1−f)/(y + Δy(1−f)). The whole
/// input, fee included, stays in the pool, so k never decreases.
///   AmmPrice pool(1.0, 1e6, 0.003);  double usd = pool.sell_tokens(10'000);  // 9 871.58
class AmmPrice final : public PriceModel {
 public:
  /// depth_usd is the USD side at the start; the token side is depth_usd/initial_usd.
  AmmPrice(double initial_usd, double depth_usd, double fee);
  double price_usd() const override { return usd_reserve_ / token_reserve_; }
  PriceStep advance(const MarketInputs& in, sim::RandomStream& rng) override;

  /// Sells tokens into the pool now; returns the USD paid out.
  double sell_tokens(double tokens);
  /// Buys tokens from the pool now with usd; returns the tokens paid out.
  double buy_tokens(double usd);
  double token_reserve() const { return token_reserve_; }
  double usd_reserve() const { return usd_reserve_; }

 private:
  double token_reserve_;
  double usd_reserve_;
  double fee_;
};

/// Builds the model `spec` describes; an exogenous file is read relative to `scenario_dir`
/// (throws sim::config::ConfigError naming it when it is missing or malformed).
std::unique_ptr<PriceModel> make_price_model(const PriceSpec& spec,
                                             const std::filesystem::path& scenario_dir);

}  // namespace models
