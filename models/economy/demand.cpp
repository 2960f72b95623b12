#include "models/economy/demand.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <string_view>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

constexpr double kDaysPerYear = 365.0;

// 5-point Gauss-Legendre on [−1, 1]: nodes ±√(5 ∓ 2√(10/7))/3 and 0, weights (322 ± 13√70)/900
// and 128/225.
constexpr std::array<double, 5> kNodes{-0.906179845938663992797627, -0.538469310105683091036314,
                                       0.0, 0.538469310105683091036314, 0.906179845938663992797627};
constexpr std::array<double, 5> kWeights{0.236926885056189087514264, 0.478628670499366468041292,
                                         0.568888888888888888888889, 0.478628670499366468041292,
                                         0.236926885056189087514264};

// Floor division of ticks, so that negative times fall in the right grid cell too.
Time::Rep floor_div(Time::Rep a, Time::Rep b) {
  Time::Rep q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

constexpr std::array<std::string_view, 3> kGrowthKinds{"none", "exponential", "logistic"};

}  // namespace

Demand::Demand(const DemandSpec& spec) : spec_(spec) {
  if (!(spec.usd_per_day >= 0.0 && std::isfinite(spec.usd_per_day))) {
    throw std::invalid_argument("Demand: usd_per_day must be a non-negative number");
  }
  if (spec.growth == GrowthKind::exponential) {
    if (!(spec.growth_per_year > -1.0)) {
      throw std::invalid_argument("Demand: exponential growth_per_year must be above -1");
    }
    k_per_day_ = std::log1p(spec.growth_per_year) / kDaysPerYear;
  } else if (spec.growth == GrowthKind::logistic) {
    if (!(spec.usd_per_day > 0.0)) {
      throw std::invalid_argument("Demand: logistic growth needs usd_per_day above 0");
    }
    if (!(spec.saturation_usd_per_day > spec.usd_per_day)) {
      throw std::invalid_argument(
          "Demand: logistic saturation_usd_per_day must be greater than usd_per_day");
    }
    if (!(spec.growth_per_year >= 0.0)) {
      throw std::invalid_argument("Demand: logistic growth_per_year must be non-negative");
    }
    k_per_day_ = spec.growth_per_year / kDaysPerYear;
    logistic_c_ = (spec.saturation_usd_per_day - spec.usd_per_day) / spec.usd_per_day;
  }
  if (!(spec.seasonal_amplitude >= 0.0 && spec.seasonal_amplitude < 1.0)) {
    throw std::invalid_argument("Demand: seasonal_amplitude must be in [0, 1)");
  }
  if (spec.seasonal_period <= Time{}) {
    throw std::invalid_argument("Demand: seasonal_period must be positive");
  }
  for (const DemandShock& s : spec.shocks) {
    if (s.duration <= Time{}) throw std::invalid_argument("Demand: a shock's duration must be > 0");
    if (!(s.factor >= 0.0 && std::isfinite(s.factor))) {
      throw std::invalid_argument("Demand: a shock's factor must be a non-negative number");
    }
  }
  if (!(spec.noise_sd >= 0.0 && std::isfinite(spec.noise_sd))) {
    throw std::invalid_argument("Demand: noise_sd must be non-negative");
  }
  quadrature_cell_ = std::min(
      Time::days(1), Time::from_ticks(std::max<Time::Rep>(1, spec.seasonal_period.ticks() / 16)));
}

double Demand::base_rate(double t) const {
  switch (spec_.growth) {
    case GrowthKind::exponential:
      return spec_.usd_per_day * std::exp(k_per_day_ * t);
    case GrowthKind::logistic:
      return spec_.saturation_usd_per_day / (1.0 + logistic_c_ * std::exp(-k_per_day_ * t));
    case GrowthKind::none:
      break;
  }
  return spec_.usd_per_day;
}

double Demand::base_integral(double a, double b) const {
  const double span = b - a;
  if (spec_.growth == GrowthKind::none || k_per_day_ == 0.0) return spec_.usd_per_day * span;
  const double x = k_per_day_ * span;
  if (spec_.growth == GrowthKind::exponential) {
    // r0·(e^{kb} − e^{ka})/k, written with expm1 so short intervals keep every digit.
    return spec_.usd_per_day * std::exp(k_per_day_ * a) * std::expm1(x) / k_per_day_;
  }
  // Logistic: ∫ K/(1 + c·e^{−kt}) dt = (K/k)·ln(e^{kt} + c). The log1p form avoids cancelling
  // K·Δ against the log term while the rate is still far below K; the second form avoids
  // overflowing expm1 over very long intervals.
  const double k_over = spec_.saturation_usd_per_day / k_per_day_;
  if (x < 30.0) {
    return k_over * std::log1p(std::expm1(x) / (1.0 + logistic_c_ * std::exp(-k_per_day_ * a)));
  }
  return k_over * (x + std::log1p(logistic_c_ * std::exp(-k_per_day_ * b)) -
                   std::log1p(logistic_c_ * std::exp(-k_per_day_ * a)));
}

double Demand::seasonal_factor(double t) const {
  if (spec_.seasonal_amplitude == 0.0) return 1.0;
  const double period = spec_.seasonal_period.to_days();
  const double phase = spec_.seasonal_phase.to_days();
  return 1.0 + spec_.seasonal_amplitude * std::sin(2.0 * std::numbers::pi * (t - phase) / period);
}

double Demand::shock_factor(Time t) const {
  double f = 1.0;
  for (const DemandShock& s : spec_.shocks) {
    if (t >= s.at && t < s.at + s.duration) f *= s.factor;
  }
  return f;
}

double Demand::smooth_integral(Time a, Time b) const {
  if (spec_.seasonal_amplitude == 0.0) return base_integral(a.to_days(), b.to_days());
  // Cells of a grid fixed in absolute time: an interval and its two halves see the same cells
  // except the one holding the split point, where the rule's error is far below rounding.
  const Time::Rep h = quadrature_cell_.ticks();
  double sum = 0.0;
  for (Time::Rep k = floor_div(a.ticks(), h);; ++k) {
    const Time cell_start = Time::from_ticks(k * h);
    if (cell_start >= b) break;
    const Time lo = std::max(a, cell_start);
    const Time hi = std::min(b, cell_start + quadrature_cell_);
    const double lo_d = lo.to_days();
    const double half = 0.5 * (hi.to_days() - lo_d);
    const double mid = lo_d + half;
    double cell = 0.0;
    for (std::size_t i = 0; i < kNodes.size(); ++i) {
      const double t = mid + half * kNodes[i];
      cell += kWeights[i] * base_rate(t) * seasonal_factor(t);
    }
    sum += half * cell;
  }
  return sum;
}

double Demand::expected_usd(Time start, Time end) const {
  if (end < start) throw std::invalid_argument("Demand: interval ends before it starts");
  // Pieces between shock edges, each scaled by the shocks active on it.
  std::vector<Time> cuts{start, end};
  for (const DemandShock& s : spec_.shocks) {
    for (Time edge : {s.at, s.at + s.duration}) {
      if (edge > start && edge < end) cuts.push_back(edge);
    }
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  double total = 0.0;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    const double factor = shock_factor(cuts[i]);
    if (factor != 0.0) total += factor * smooth_integral(cuts[i], cuts[i + 1]);
  }
  return total;
}

double Demand::usd(Time start, Time end, sim::RandomStream& rng) const {
  const double expected = expected_usd(start, end);
  if (spec_.noise_sd == 0.0) return expected;
  const double sd = spec_.noise_sd;
  // Lognormal with mean exactly 1, so noise does not bias total demand.
  return expected * std::exp(sd * rng.normal() - 0.5 * sd * sd);
}

double Demand::rate_usd_per_day(Time t) const {
  const double d = t.to_days();
  return base_rate(d) * seasonal_factor(d) * shock_factor(t);
}

DemandSpec read_demand_spec(Section s) {
  DemandSpec v;
  v.usd_per_day = s.number("usd_per_day", v.usd_per_day, "USD/day", Range::at_least(0.0),
                           "USD buyers spend on the service per day at t = 0");
  const std::string growth =
      s.choice("growth", "none", kGrowthKinds,
               "none (constant), exponential (x(1+g) a year) or logistic (S-curve to saturation)");
  if (growth == "exponential") v.growth = GrowthKind::exponential;
  if (growth == "logistic") v.growth = GrowthKind::logistic;
  // Keys of one growth law are read only with it: elsewhere they are unknown keys.
  if (v.growth != GrowthKind::none || s.describing()) {
    v.growth_per_year =
        s.number("growth_per_year", v.growth_per_year, "1/year", Range::above(-1.0),
                 "exponential: yearly growth g; logistic: intrinsic growth rate r (non-negative)");
  }
  if (v.growth == GrowthKind::logistic || s.describing()) {
    v.saturation_usd_per_day = s.number(
        "saturation_usd_per_day", v.saturation_usd_per_day, "USD/day", Range::at_least(0.0),
        "logistic: the rate demand saturates at (above usd_per_day)");
  }
  if (!s.describing()) {
    if (v.growth == GrowthKind::logistic) {
      if (v.usd_per_day <= 0.0) {
        s.problem("usd_per_day", "must be above 0 for logistic growth (from 0 it stays at 0)");
      } else if (v.saturation_usd_per_day <= v.usd_per_day) {
        s.problem("saturation_usd_per_day", "must be greater than usd_per_day (" +
                                                sim::config::format_number(v.usd_per_day) +
                                                ") for logistic growth");
      }
      if (v.growth_per_year < 0.0) {
        s.problem("growth_per_year", "must be non-negative for logistic growth");
      }
    }
  }
  v.seasonal_amplitude =
      s.number("seasonal_amplitude", v.seasonal_amplitude, "", Range::between(0.0, 1.0),
               "A: the rate swings by ±A around its trend over each period (below 1)");
  if (v.seasonal_amplitude >= 1.0) {
    s.problem("seasonal_amplitude", "must be below 1, so that the rate stays positive");
    v.seasonal_amplitude = 0.0;
  }
  v.seasonal_period = s.duration("seasonal_period", v.seasonal_period, Time::hours(1),
                                 "length of one seasonal cycle");
  v.seasonal_phase = s.duration("seasonal_phase", v.seasonal_phase, Time{},
                                "when the seasonal term crosses zero going up");
  for (Section shock : s.list("shocks",
                              "temporary changes: {at: 90d, duration: 30d, factor: 0.2} scales the "
                              "rate by factor on [at, at + duration)")) {
    DemandShock d;
    d.at = shock.duration("at", d.at, Time{}, "when the shock starts");
    d.duration = shock.duration("duration", d.duration, Time::from_ticks(1), "how long it lasts");
    d.factor = shock.number("factor", d.factor, "", Range::at_least(0.0),
                            "what the rate is multiplied by while it lasts");
    if (!shock.describing()) {
      if (!shock.has("duration")) shock.problem("", "each shock needs a duration");
      if (!shock.has("factor")) shock.problem("", "each shock needs a factor");
    }
    shock.finish();
    if (d.duration > Time{}) v.shocks.push_back(d);
  }
  v.noise_sd = s.number("noise_sd", v.noise_sd, "", Range::at_least(0.0),
                        "σ of lognormal noise (mean 1) on each interval's total");
  s.finish();
  return v;
}

}  // namespace models
