#pragma once
// Demand for the network's service: the USD buyers spend on data, storage or compute over time.

#include <vector>

#include "sim/config.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace models {

/// How the demand rate grows from its value at t = 0.
enum class GrowthKind {
  none,         // constant rate
  exponential,  // rate × (1+g)^t, t in years
  logistic,     // S-curve from the initial rate towards a saturation rate
};

/// A temporary change of the demand rate: rate × factor on [at, at + duration), e.g. an outage
/// (factor 0.2) or a large customer's campaign (factor 3). Overlapping shocks multiply.
///   DemandShock{sim::Time::days(90), sim::Time::days(30), 0.2}
struct DemandShock {
  sim::Time at;
  sim::Time duration;
  double factor = 1.0;
};

/// Parameters of Demand. The rate is
///   rate(t) = base(t) · (1 + A·sin(2π(t − phase)/period)) · Π shock factors active at t,
/// with base(t) from `growth`. All rates are in USD per day. Growth, seasonality and shocks are
/// scenario assumptions [U]: no DePIN publishes a demand law.
struct DemandSpec {
  double usd_per_day = 0.0;  // base rate at t = 0
  GrowthKind growth = GrowthKind::none;
  double growth_per_year = 0.0;         // exponential: (1+g) per year; logistic: intrinsic rate r
  double saturation_usd_per_day = 0.0;  // logistic only: carrying capacity K > usd_per_day
  double seasonal_amplitude = 0.0;      // A in [0, 1)
  sim::Time seasonal_period = sim::Time::days(365);
  sim::Time seasonal_phase;  // when the seasonal term crosses zero going up
  std::vector<DemandShock> shocks;
  double noise_sd = 0.0;  // σ of the lognormal multiplicative noise on each interval's total
};

/// Reads the `economy.demand:` section.
DemandSpec read_demand_spec(sim::config::Section s);

/// The USD spent on the network's service in any interval of simulated time. The deterministic
/// part is the integral of rate(t), so the total does not depend on how time is cut into epochs:
/// splitting an interval in two gives the same sum (to rounding). It is integrated in closed form
/// for the three growth laws (constant r0·Δ; exponential r0·e^{ka}·expm1(kΔ)/k with
/// k = ln(1+g)/365 per day; logistic K/r·ln((e^{rb} + c)/(e^{ra} + c)) with c = (K − r0)/r0),
/// piecewise between shock edges, since a shock only scales a piece by a constant. With
/// seasonality the piece is integrated by 5-point Gauss-Legendre on cells of a fixed grid of
/// absolute time (cell = min(1 day, period/16)); the rule is exact for polynomials of degree 9 and
/// its relative error on a cell is below ~(hω)^10·4e-13 ≈ 1e-17 for hω ≤ 2π/16, so a split
/// point changes the total by rounding only.
///   Demand d(spec);  double usd = d.usd(epoch_start, epoch_end, rng);
class Demand {
 public:
  explicit Demand(const DemandSpec& spec);

  /// USD spent in [start, end): the integral of the rate, times exp(σz − σ²/2) (mean 1) when
  /// noise_sd = σ > 0. Draws one normal from rng per call when σ > 0, none otherwise.
  double usd(sim::Time start, sim::Time end, sim::RandomStream& rng) const;
  /// The integral of rate_usd_per_day over [start, end), without noise.
  double expected_usd(sim::Time start, sim::Time end) const;
  /// The deterministic rate at t, in USD per day.
  double rate_usd_per_day(sim::Time t) const;
  const DemandSpec& spec() const { return spec_; }

 private:
  double base_rate(double t_days) const;
  /// ∫ base over [a, b] in days, closed form.
  double base_integral(double a_days, double b_days) const;
  double seasonal_factor(double t_days) const;
  /// ∫ base · seasonal over [a, b), an interval with no shock edge inside.
  double smooth_integral(sim::Time a, sim::Time b) const;
  double shock_factor(sim::Time t) const;

  DemandSpec spec_;
  double k_per_day_ = 0.0;     // exponential: ln(1+g)/365; logistic: r/365
  double logistic_c_ = 0.0;    // (K − r0)/r0
  sim::Time quadrature_cell_;  // grid cell of the seasonal quadrature
};

}  // namespace models
