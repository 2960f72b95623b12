#include "models/economy/price_model.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string_view>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

constexpr double kDaysPerYear = 365.0;
constexpr std::array<std::string_view, 5> kPriceKinds{"constant", "exogenous", "gbm", "equilibrium",
                                                      "amm"};

void check_epoch(const MarketInputs& in, const char* model) {
  if (in.end <= in.start) {
    throw std::invalid_argument(std::string(model) + ": an epoch must end after it starts");
  }
  if (!(in.tokens_sold >= 0.0 && in.usd_bought >= 0.0)) {
    throw std::invalid_argument(std::string(model) + ": trade amounts must be non-negative");
  }
}

// Trades of a market deep enough to fill everything at `price_usd`.
PriceStep fill_at(double price_usd, double new_price_usd, const MarketInputs& in) {
  PriceStep s;
  s.price_usd = new_price_usd;
  if (price_usd > 0.0) {
    s.usd_to_sellers = in.tokens_sold * price_usd;
    s.tokens_to_buyers = in.usd_bought / price_usd;
  }
  return s;
}

void check_initial(double initial_usd, const char* model) {
  if (!(initial_usd > 0.0 && std::isfinite(initial_usd))) {
    throw std::invalid_argument(std::string(model) + ": the initial price must be positive");
  }
}

[[noreturn]] void file_problem(const std::filesystem::path& file, int line, std::string message) {
  throw sim::config::ConfigError(
      {sim::config::Problem{file.string(), line, line > 0 ? 1 : 0, "", std::move(message)}});
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

bool parse_number(std::string_view text, double& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && std::isfinite(out);
}

}  // namespace

ConstantPrice::ConstantPrice(double price_usd) : price_usd_(price_usd) {
  check_initial(price_usd, "ConstantPrice");
}

PriceStep ConstantPrice::advance(const MarketInputs& in, sim::RandomStream&) {
  check_epoch(in, "ConstantPrice");
  return fill_at(price_usd_, price_usd_, in);
}

ExogenousPrice::ExogenousPrice(std::vector<Point> points) : points_(std::move(points)) {
  if (points_.empty()) throw std::invalid_argument("ExogenousPrice: no price points");
  for (std::size_t i = 0; i < points_.size(); ++i) {
    if (!(points_[i].price_usd >= 0.0)) {
      throw std::invalid_argument("ExogenousPrice: negative price");
    }
    if (i > 0 && !(points_[i].time_days > points_[i - 1].time_days)) {
      throw std::invalid_argument("ExogenousPrice: times must increase strictly");
    }
  }
}

ExogenousPrice ExogenousPrice::from_csv(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in || std::filesystem::is_directory(file)) {
    file_problem(file, 0, "cannot open the price file (exogenous price series)");
  }
  std::vector<Point> points;
  std::string text;
  int line = 0;
  bool header = false;
  while (std::getline(in, text)) {
    ++line;
    const std::string_view row = trim(text);
    if (row.empty()) continue;
    const auto comma = row.find(',');
    const std::string_view a = trim(row.substr(0, comma));
    const std::string_view b =
        comma == std::string_view::npos ? std::string_view{} : trim(row.substr(comma + 1));
    if (!header) {
      if (a != "time_days" || b != "price_usd") {
        file_problem(file, line,
                     "expected the header time_days,price_usd, found \"" + std::string(row) + "\"");
      }
      header = true;
      continue;
    }
    Point p{};
    if (comma == std::string_view::npos || b.find(',') != std::string_view::npos ||
        !parse_number(a, p.time_days) || !parse_number(b, p.price_usd)) {
      file_problem(file, line,
                   "expected two numbers time_days,price_usd, found \"" + std::string(row) + "\"");
    }
    if (!points.empty() && !(p.time_days > points.back().time_days)) {
      file_problem(file, line,
                   "time_days must increase: " + std::string(a) + " follows " +
                       sim::config::format_number(points.back().time_days));
    }
    if (p.price_usd < 0.0) file_problem(file, line, "negative price_usd " + std::string(b));
    points.push_back(p);
  }
  if (points.empty()) file_problem(file, line, "no price rows after the header");
  return ExogenousPrice(std::move(points));
}

double ExogenousPrice::price_at(Time t) const {
  const double d = t.to_days();
  if (d <= points_.front().time_days) return points_.front().price_usd;
  if (d >= points_.back().time_days) return points_.back().price_usd;
  const auto hi = std::upper_bound(points_.begin(), points_.end(), d,
                                   [](double x, const Point& p) { return x < p.time_days; });
  const Point& p1 = *hi;
  const Point& p0 = *(hi - 1);
  const double w = (d - p0.time_days) / (p1.time_days - p0.time_days);
  return p0.price_usd + w * (p1.price_usd - p0.price_usd);
}

PriceStep ExogenousPrice::advance(const MarketInputs& in, sim::RandomStream&) {
  check_epoch(in, "ExogenousPrice");
  const double during = price_at(in.start);
  now_ = in.end;
  return fill_at(during, price_at(now_), in);
}

GbmPrice::GbmPrice(double initial_usd, double drift_per_year, double volatility_per_year)
    : price_usd_(initial_usd), drift_(drift_per_year), volatility_(volatility_per_year) {
  check_initial(initial_usd, "GbmPrice");
  if (!std::isfinite(drift_per_year)) throw std::invalid_argument("GbmPrice: drift must be finite");
  if (!(volatility_per_year >= 0.0 && std::isfinite(volatility_per_year))) {
    throw std::invalid_argument("GbmPrice: volatility must be non-negative");
  }
}

PriceStep GbmPrice::advance(const MarketInputs& in, sim::RandomStream& rng) {
  check_epoch(in, "GbmPrice");
  const double during = price_usd_;
  const double dt = (in.end - in.start).to_days() / kDaysPerYear;
  const double s = volatility_;
  // The exact solution of dP = μP dt + σP dW over dt, so the epoch length changes nothing.
  double log_return = (drift_ - 0.5 * s * s) * dt;
  if (s > 0.0) log_return += s * std::sqrt(dt) * rng.normal();
  price_usd_ *= std::exp(log_return);
  return fill_at(during, price_usd_, in);
}

EquilibriumPrice::EquilibriumPrice(double initial_usd, double velocity_per_year, double smoothing)
    : price_usd_(initial_usd), velocity_(velocity_per_year), smoothing_(smoothing) {
  check_initial(initial_usd, "EquilibriumPrice");
  if (!(velocity_per_year > 0.0)) {
    throw std::invalid_argument("EquilibriumPrice: velocity must be positive");
  }
  if (!(smoothing > 0.0 && smoothing <= 1.0)) {
    throw std::invalid_argument("EquilibriumPrice: smoothing must be in (0, 1]");
  }
}

PriceStep EquilibriumPrice::advance(const MarketInputs& in, sim::RandomStream&) {
  check_epoch(in, "EquilibriumPrice");
  if (!(in.circulating_tokens > 0.0)) {
    throw std::invalid_argument("EquilibriumPrice: the circulating float must be positive");
  }
  if (!(in.demand_usd >= 0.0)) throw std::invalid_argument("EquilibriumPrice: negative demand");
  const double during = price_usd_;
  const double usd_per_year = in.demand_usd * kDaysPerYear / (in.end - in.start).to_days();
  const double target = usd_per_year / (in.circulating_tokens * velocity_);
  price_usd_ += smoothing_ * (target - price_usd_);
  return fill_at(during, price_usd_, in);
}

AmmPrice::AmmPrice(double initial_usd, double depth_usd, double fee)
    : token_reserve_(depth_usd / initial_usd), usd_reserve_(depth_usd), fee_(fee) {
  check_initial(initial_usd, "AmmPrice");
  if (!(depth_usd > 0.0 && std::isfinite(depth_usd))) {
    throw std::invalid_argument("AmmPrice: depth_usd must be positive");
  }
  if (!(fee >= 0.0 && fee < 1.0)) throw std::invalid_argument("AmmPrice: fee must be in [0, 1)");
}

double AmmPrice::sell_tokens(double tokens) {
  if (!(tokens >= 0.0)) throw std::invalid_argument("AmmPrice: negative sale");
  const double in = tokens * (1.0 - fee_);
  const double out = usd_reserve_ * in / (token_reserve_ + in);
  token_reserve_ += tokens;
  usd_reserve_ -= out;
  return out;
}

double AmmPrice::buy_tokens(double usd) {
  if (!(usd >= 0.0)) throw std::invalid_argument("AmmPrice: negative purchase");
  const double in = usd * (1.0 - fee_);
  const double out = token_reserve_ * in / (usd_reserve_ + in);
  usd_reserve_ += usd;
  token_reserve_ -= out;
  return out;
}

PriceStep AmmPrice::advance(const MarketInputs& in, sim::RandomStream&) {
  check_epoch(in, "AmmPrice");
  PriceStep s;
  // A fixed order (sells, then buys) keeps runs reproducible; netting them first would hide the
  // fees both sides pay.
  s.usd_to_sellers = sell_tokens(in.tokens_sold);
  s.tokens_to_buyers = buy_tokens(in.usd_bought);
  s.price_usd = price_usd();
  return s;
}

std::unique_ptr<PriceModel> make_price_model(const PriceSpec& spec,
                                             const std::filesystem::path& scenario_dir) {
  switch (spec.kind) {
    case PriceKind::constant:
      return std::make_unique<ConstantPrice>(spec.initial_usd);
    case PriceKind::exogenous: {
      if (spec.file.empty()) throw std::invalid_argument("exogenous price: no file given");
      const std::filesystem::path file(spec.file);
      return std::make_unique<ExogenousPrice>(
          ExogenousPrice::from_csv(file.is_absolute() ? file : scenario_dir / file));
    }
    case PriceKind::gbm:
      return std::make_unique<GbmPrice>(spec.initial_usd, spec.drift_per_year,
                                        spec.volatility_per_year);
    case PriceKind::equilibrium:
      return std::make_unique<EquilibriumPrice>(spec.initial_usd, spec.velocity_per_year,
                                                spec.smoothing);
    case PriceKind::amm:
      return std::make_unique<AmmPrice>(spec.initial_usd, spec.depth_usd, spec.fee);
  }
  throw std::invalid_argument("make_price_model: unknown kind");
}

namespace {

// The keys of one kind.
void read_kind_keys(Section& s, std::string_view kind, PriceSpec& v) {
  if (kind != "exogenous") {
    v.initial_usd = s.number("initial_usd", v.initial_usd, "USD", Range::above(0.0),
                             "token price before the first epoch");
  }
  if (kind == "exogenous") {
    v.file = s.text("file", v.file,
                    "CSV with header time_days,price_usd, relative to the scenario file; linear "
                    "in between, flat beyond the ends");
    if (v.file.empty() && !s.describing()) s.problem("file", "an exogenous price needs a file");
  } else if (kind == "gbm") {
    v.drift_per_year = s.number("drift_per_year", v.drift_per_year, "1/year", Range{},
                                "mu: expected log growth is mu - sigma^2/2 a year");
    v.volatility_per_year = s.number("volatility_per_year", v.volatility_per_year, "1/sqrt(year)",
                                     Range::at_least(0.0), "sigma: sd of log returns over a year");
  } else if (kind == "equilibrium") {
    v.velocity_per_year = s.number("velocity_per_year", v.velocity_per_year, "1/year",
                                   Range::above(0.0), "V: times each token changes hands a year");
    v.smoothing = s.number("smoothing", v.smoothing, "", Range{0.0, 1.0, true},
                           "share of the gap to the equation-of-exchange price closed per epoch");
  } else if (kind == "amm") {
    v.depth_usd = s.number("depth_usd", v.depth_usd, "USD", Range::above(0.0),
                           "USD side of the constant-product pool at the start");
    v.fee = s.number("fee", v.fee, "", Range::between(0.0, 1.0),
                     "trading fee, kept in the pool (Uniswap v2: 0.003)");
    if (v.fee >= 1.0) {
      s.problem("fee", "must be below 1");
      v.fee = 0.003;
    }
  }
}

}  // namespace

PriceSpec read_price_spec(Section s) {
  PriceSpec v;
  const std::size_t before = s.problems_so_far();
  const std::string kind =
      s.choice("kind", "constant", kPriceKinds,
               "constant, exogenous (a CSV series), gbm (geometric Brownian motion), "
               "equilibrium (equation of exchange) or amm (constant-product pool)");
  if (s.describing()) {
    for (std::string_view k : kPriceKinds) {
      Section variant = s.variant("kind=" + std::string(k));
      PriceSpec ignored;
      read_kind_keys(variant, k, ignored);
      variant.finish();
    }
    return v;
  }
  if (s.problems_so_far() != before) return v;  // a bad kind: its keys mean nothing
  for (std::size_t i = 0; i < kPriceKinds.size(); ++i) {
    if (kPriceKinds[i] == kind) v.kind = static_cast<PriceKind>(i);
  }
  read_kind_keys(s, kind, v);
  s.finish();
  return v;
}

}  // namespace models
