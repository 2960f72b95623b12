#include "models/validation/proof_of_location.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "models/validation/radio.hpp"

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

/// Witnesses whose spread across their main axis is below this share of the spread along it
/// are treated as collinear: a line cannot tell a transmitter from its mirror image.
constexpr double kMinSpreadRatio = 1e-3;

}  // namespace

ProofOfLocation::ProofOfLocation(const LocationSpec& spec, std::span<const double> claimed_x_km,
                                 std::span<const double> claimed_y_km)
    : spec_(spec),
      score_(claimed_x_km.size(), spec.initial_score),
      locked_until_(claimed_x_km.size(), Time{}),
      relocated_at_(claimed_x_km.size(), Time::from_ticks(std::numeric_limits<Time::Rep>::min())) {
  if (claimed_x_km.size() != claimed_y_km.size()) {
    throw std::invalid_argument("ProofOfLocation: x/y sizes");
  }
  if (spec.min_witnesses < 3) throw std::invalid_argument("ProofOfLocation: min_witnesses < 3");
  if (!(spec.zero_score_km > spec.tolerance_km && spec.tolerance_km >= 0.0)) {
    throw std::invalid_argument("ProofOfLocation: need 0 <= tolerance_km < zero_score_km");
  }
  if (!(spec.reference_m > 0.0)) throw std::invalid_argument("ProofOfLocation: reference_m <= 0");
  if (!(spec.path_loss_exponent > 0.0)) {
    throw std::invalid_argument("ProofOfLocation: path_loss_exponent must be > 0");
  }
  claim_.reserve(claimed_x_km.size());
  for (std::size_t i = 0; i < claimed_x_km.size(); ++i)
    claim_.push_back({claimed_x_km[i], claimed_y_km[i]});
}

double ProofOfLocation::max_distance_km(double signal_dbm) const {
  const double loss_db = spec_.tx_power_dbm + spec_.antenna_gain_dbi - signal_dbm;
  return radio::free_space_distance_m(loss_db, spec_.frequency_hz) / 1000.0;
}

double ProofOfLocation::implied_distance_km(double signal_dbm) const {
  return implied_from_free_space_km(max_distance_km(signal_dbm));
}

double ProofOfLocation::implied_from_free_space_km(double free_space_km) const {
  // 10·n·log10(d/d0) = 20·log10(d_fs/d0) for the same loss, so d = d0·(d_fs/d0)^(2/n).
  const double free_space_m = free_space_km * 1000.0, d0 = spec_.reference_m;
  if (free_space_m <= d0) return free_space_km;
  return d0 * std::pow(free_space_m / d0, 2.0 / spec_.path_loss_exponent) / 1000.0;
}

std::optional<PositionKm> ProofOfLocation::estimate(
    std::span<const WitnessObservation> witnesses) const {
  thread_local std::vector<double> free_space_km;
  free_space_km.resize(witnesses.size());
  for (std::size_t i = 0; i < witnesses.size(); ++i)
    free_space_km[i] = max_distance_km(witnesses[i].signal_dbm);
  return fit(witnesses, free_space_km);
}

std::optional<PositionKm> ProofOfLocation::fit(std::span<const WitnessObservation> witnesses,
                                               std::span<const double> free_space_km) const {
  // Plain loops over a 2-vector: this runs once per beacon, and dynamic matrices would allocate.
  const std::size_t m = witnesses.size();
  if (m < 3 || static_cast<std::int64_t>(m) < spec_.min_witnesses) return std::nullopt;
  struct Ranged {
    double x, y, d, w;
  };
  thread_local std::vector<Ranged> r;
  r.resize(m);
  double w_sum = 0, cx = 0, cy = 0, d_max = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const WitnessObservation& o = witnesses[i];
    const double d = implied_from_free_space_km(free_space_km[i]);
    const double w = 1.0 / std::max(d * d, 1e-12);  // dB noise is a constant relative error in d
    r[i] = {o.x_km, o.y_km, d, w};
    w_sum += w;
    cx += w * o.x_km;
    cy += w * o.y_km;
    d_max = std::max(d_max, d);
  }
  // Work relative to the weighted centroid (an RSSI-weighted centroid): better conditioned, and
  // the centred positions average to zero under the weights.
  cx /= w_sum;
  cy /= w_sum;
  double mean_sq = 0, mean_d2 = 0;
  for (Ranged& q : r) {
    q.x -= cx;
    q.y -= cy;
    mean_sq += q.w * (q.x * q.x + q.y * q.y);
    mean_d2 += q.w * q.d * q.d;
  }
  mean_sq /= w_sum;
  mean_d2 /= w_sum;

  // Linearised trilateration: |p|² − 2·u_iᵀp + |u_i|² = d_i²; subtracting the weighted mean
  // removes |p|², leaving −2·u_iᵀp = (d_i² − mean d²) − (|u_i|² − mean |u|²). Weighted normal
  // equations N p = v of this 2-column system.
  double n00 = 0, n01 = 0, n11 = 0, v0 = 0, v1 = 0;
  for (const Ranged& q : r) {
    const double a0 = -2.0 * q.x, a1 = -2.0 * q.y;
    const double b = (q.d * q.d - mean_d2) - (q.x * q.x + q.y * q.y - mean_sq);
    n00 += q.w * a0 * a0;
    n01 += q.w * a0 * a1;
    n11 += q.w * a1 * a1;
    v0 += q.w * a0 * b;
    v1 += q.w * a1 * b;
  }
  // The eigenvalues of N are the squared singular values of the weighted system, whose ratio
  // measures how far the witnesses are from a line.
  const double half_trace = 0.5 * (n00 + n11);
  const double half_gap = std::hypot(0.5 * (n00 - n11), n01);
  const double smallest = half_trace - half_gap, largest = half_trace + half_gap;
  if (!(smallest > kMinSpreadRatio * kMinSpreadRatio * largest)) return std::nullopt;
  const auto solve = [](double a, double b, double c, double g0, double g1, double& x, double& y) {
    const double det = a * c - b * b;
    x = (c * g0 - b * g1) / det;
    y = (a * g1 - b * g0) / det;
  };
  double px = 0, py = 0;
  solve(n00, n01, n11, v0, v1, px, py);

  // Levenberg-Marquardt on the range residuals themselves, which the linearisation distorts.
  const auto cost = [&](double x, double y) {
    double c = 0;
    for (const Ranged& q : r) {
      const double e = std::sqrt((x - q.x) * (x - q.x) + (y - q.y) * (y - q.y)) - q.d;
      c += q.w * e * e;
    }
    return c;
  };
  double current = cost(px, py), damping = 1e-3;
  // Stops once a step, taken or refused, moves less than a metre, or gains less than a part in
  // 1e10: positions matter to metres, and the score to kilometres.
  constexpr double kMinStepSqKm = 1e-6;  // (1 m)²
  for (int iter = 0; iter < 15 && damping < 1e3; ++iter) {
    // Gauss-Newton's J'WJ, and the full Hessian, which adds Σ w·e·(I − u·u')/|p − q|: with
    // ranges that disagree (every real set) Gauss-Newton underestimates the curvature and its
    // steps overshoot back and forth, while Newton's converge in a few. The full Hessian is used
    // where it is positive definite, Gauss-Newton's elsewhere.
    double h00 = 0, h01 = 0, h11 = 0, g0 = 0, g1 = 0, f00 = 0, f01 = 0, f11 = 0;
    for (const Ranged& q : r) {
      const double dx = px - q.x, dy = py - q.y;
      const double dist = std::max(std::sqrt(dx * dx + dy * dy), 1e-12);
      const double j0 = dx / dist, j1 = dy / dist, e = dist - q.d;
      h00 += q.w * j0 * j0;
      h01 += q.w * j0 * j1;
      h11 += q.w * j1 * j1;
      g0 += q.w * j0 * e;
      g1 += q.w * j1 * e;
      const double bend = q.w * e / dist;
      f00 += bend * (1.0 - j0 * j0);
      f01 -= bend * j0 * j1;
      f11 += bend * (1.0 - j1 * j1);
    }
    f00 += h00;
    f01 += h01;
    f11 += h11;
    if (f00 > 0 && f00 * f11 - f01 * f01 > 1e-12 * f00 * f11) {
      h00 = f00;
      h01 = f01;
      h11 = f11;
    }
    double sx = 0, sy = 0;
    solve(h00 * (1.0 + damping), h01, h11 * (1.0 + damping), -g0, -g1, sx, sy);
    if (!std::isfinite(sx) || !std::isfinite(sy)) break;
    const double next = cost(px + sx, py + sy);
    const bool tiny = sx * sx + sy * sy < kMinStepSqKm;
    if (next < current) {
      px += sx;
      py += sy;
      const bool converged = current - next <= 1e-10 * current;
      current = next;
      damping = std::max(damping * 0.1, 1e-7);
      if (tiny || converged) break;
    } else {
      if (tiny) break;
      damping *= 10.0;
    }
  }
  // With few, noisy ranges the fit can run off along a near-degenerate direction. A transmitter
  // within d_i of every witness is within max d_i of any weighted mean of them (a ball is
  // convex), so a fit farther out has left the evidence: fall back on the weighted centroid.
  if (!std::isfinite(px) || !std::isfinite(py) || std::sqrt(px * px + py * py) > d_max) {
    px = py = 0;
  }
  return PositionKm{px + cx, py + cy};
}

double ProofOfLocation::judge(PositionKm claim, std::span<const WitnessObservation> witnesses,
                              double previous) const {
  if (witnesses.empty()) return previous;
  // Each signal's free-space distance serves both the bound and the range.
  thread_local std::vector<double> free_space_km;
  free_space_km.resize(witnesses.size());
  std::size_t consistent = 0;
  for (std::size_t i = 0; i < witnesses.size(); ++i) {
    const WitnessObservation& o = witnesses[i];
    free_space_km[i] = max_distance_km(o.signal_dbm);
    const double dx = o.x_km - claim.x_km, dy = o.y_km - claim.y_km;
    const double claimed_km = std::sqrt(dx * dx + dy * dy);  // km never overflow: no hypot
    if (claimed_km <= free_space_km[i] + spec_.tolerance_km) ++consistent;
  }
  const double share = static_cast<double>(consistent) / static_cast<double>(witnesses.size());
  // The strongest reports are the nearest witnesses, whose ranges are the most precise in km;
  // fitting only those bounds the cost per beacon in dense networks.
  std::optional<PositionKm> found;
  const auto cap = static_cast<std::size_t>(spec_.max_witnesses);
  if (witnesses.size() > cap) {
    thread_local std::vector<std::size_t> order;
    order.resize(witnesses.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(cap), order.end(),
                     [&](std::size_t i, std::size_t j) {
                       const WitnessObservation& a = witnesses[i];
                       const WitnessObservation& b = witnesses[j];
                       return a.signal_dbm > b.signal_dbm ||
                              (a.signal_dbm == b.signal_dbm &&
                               (a.x_km < b.x_km || (a.x_km == b.x_km && a.y_km < b.y_km)));
                     });
    thread_local std::vector<WitnessObservation> strongest;
    thread_local std::vector<double> strongest_km;
    strongest.resize(cap);
    strongest_km.resize(cap);
    for (std::size_t k = 0; k < cap; ++k) {
      strongest[k] = witnesses[order[k]];
      strongest_km[k] = free_space_km[order[k]];
    }
    found = fit(strongest, strongest_km);
  } else {
    found = fit(witnesses, free_space_km);
  }
  if (!found) return std::min(previous, share);  // cannot confirm, can still refute
  const double offset_km = std::hypot(found->x_km - claim.x_km, found->y_km - claim.y_km);
  const double geometric = std::clamp(
      (spec_.zero_score_km - offset_km) / (spec_.zero_score_km - spec_.tolerance_km), 0.0, 1.0);
  return std::min(geometric, share);
}

void ProofOfLocation::observe(std::uint32_t node, Time now,
                              std::span<const WitnessObservation> witnesses) {
  if (now < relocated_at_.at(node)) return;
  score_[node] = judge(claim_[node], witnesses, score_[node]);
}

void ProofOfLocation::relocate(std::uint32_t node, double x_km, double y_km, Time now) {
  claim_.at(node) = {x_km, y_km};
  score_[node] = spec_.initial_score;
  locked_until_[node] = now + spec_.relocation_lockout;
  relocated_at_[node] = now;
}

double ProofOfLocation::score(std::uint32_t node, Time now) const {
  return now < locked_until_.at(node) ? 0.0 : score_[node];
}

LocationSpec read_location_spec(Section s) {
  LocationSpec v;
  v.frequency_hz = s.number("frequency_hz", v.frequency_hz, "Hz", Range::above(0.0),
                            "carrier frequency of the beacons");
  v.tx_power_dbm =
      s.number("tx_power_dbm", v.tx_power_dbm, "dBm", Range{}, "beaconer's transmit power");
  v.antenna_gain_dbi = s.number("antenna_gain_dbi", v.antenna_gain_dbi, "dBi", Range{},
                                "beaconer's and witness's antenna gains together");
  v.path_loss_exponent =
      s.number("path_loss_exponent", v.path_loss_exponent, "", Range::between(1.0, 8.0),
               "log-distance path-loss exponent (2 = free space)");
  v.reference_m = s.number("reference_m", v.reference_m, "m", Range::above(0.0),
                           "distance up to which the model is free space (the radio channel's "
                           "reference_m, if the oracle knows it)");
  v.tolerance_km = s.number("tolerance_km", v.tolerance_km, "km", Range::at_least(0.0),
                            "claims this close to the witnesses' estimate score 1");
  v.zero_score_km = s.number("zero_score_km", v.zero_score_km, "km", Range::above(0.0),
                             "claims this far from the estimate score 0");
  if (v.zero_score_km <= v.tolerance_km) s.problem("zero_score_km", "must exceed tolerance_km");
  v.min_witnesses = s.integer("min_witnesses", v.min_witnesses, Range::at_least(3.0),
                              "fewest witnesses that can fix a position");
  v.initial_score = s.number("initial_score", v.initial_score, "", Range::between(0.0, 1.0),
                             "PoL before any evidence and after a relocation");
  v.max_witnesses = s.integer("max_witnesses", v.max_witnesses, Range::at_least(3.0),
                              "strongest witness reports the position is fitted to");
  v.relocation_lockout = s.duration("relocation_lockout", v.relocation_lockout, Time{},
                                    "PoL reads 0 for this long after a relocation");
  s.finish();
  return v;
}

}  // namespace models
