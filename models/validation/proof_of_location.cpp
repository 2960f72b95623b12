#include "models/validation/proof_of_location.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <Eigen/Dense>

#include "models/validation/radio.hpp"

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

/// The log-distance model's reference distance d0: the model is free space up to it.
constexpr double kReferenceDistanceM = 1.0;
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
  // 10·n·log10(d/d0) = 20·log10(d_fs/d0) for the same loss, so d = d0·(d_fs/d0)^(2/n).
  const double free_space_m = max_distance_km(signal_dbm) * 1000.0;
  return kReferenceDistanceM *
         std::pow(free_space_m / kReferenceDistanceM, 2.0 / spec_.path_loss_exponent) / 1000.0;
}

std::optional<PositionKm> ProofOfLocation::estimate(
    std::span<const WitnessObservation> witnesses) const {
  const auto m = static_cast<Eigen::Index>(witnesses.size());
  if (m < 3 || m < spec_.min_witnesses) return std::nullopt;
  Eigen::VectorXd d(m), w(m);
  Eigen::MatrixX2d u(m, 2);
  for (Eigen::Index i = 0; i < m; ++i) {
    const WitnessObservation& o = witnesses[static_cast<std::size_t>(i)];
    d(i) = implied_distance_km(o.signal_dbm);
    w(i) = 1.0 / std::max(d(i) * d(i), 1e-12);  // dB noise is a constant relative error in d
    u(i, 0) = o.x_km;
    u(i, 1) = o.y_km;
  }
  // Work relative to the weighted centroid (an RSSI-weighted centroid): better conditioned, and
  // the centred positions average to zero under the weights.
  const Eigen::RowVector2d centre = (w.transpose() * u) / w.sum();
  u.rowwise() -= centre;

  // Linearised trilateration: |p|² − 2·u_iᵀp + |u_i|² = d_i²; subtracting the weighted mean
  // removes |p|², leaving −2·u_iᵀp = (d_i² − mean d²) − (|u_i|² − mean |u|²).
  const Eigen::VectorXd sq = u.rowwise().squaredNorm();
  const Eigen::VectorXd d2 = d.array().square();
  const double mean_sq = w.dot(sq) / w.sum(), mean_d2 = w.dot(d2) / w.sum();
  const Eigen::VectorXd root_w = w.array().sqrt();
  const Eigen::MatrixX2d a = root_w.asDiagonal() * (-2.0 * u);
  const Eigen::VectorXd b =
      root_w.asDiagonal() * ((d2.array() - mean_d2) - (sq.array() - mean_sq)).matrix();
  // Normal equations of a 2-column system: the eigenvalues of AᵀA are the squared singular
  // values of A, whose ratio measures how far the witnesses are from a line.
  const Eigen::Matrix2d normal = a.transpose() * a;
  const double half_trace = 0.5 * (normal(0, 0) + normal(1, 1));
  const double half_gap = std::hypot(0.5 * (normal(0, 0) - normal(1, 1)), normal(0, 1));
  const double smallest = half_trace - half_gap, largest = half_trace + half_gap;  // eigenvalues
  if (!(smallest > kMinSpreadRatio * kMinSpreadRatio * largest)) return std::nullopt;
  Eigen::Vector2d p = normal.ldlt().solve(a.transpose() * b);

  // Levenberg-Marquardt on the range residuals themselves, which the linearisation distorts.
  const auto cost = [&](const Eigen::Vector2d& q) {
    return (w.array() * ((u.rowwise() - q.transpose()).rowwise().norm() - d).array().square())
        .sum();
  };
  double current = cost(p), damping = 1e-3;
  for (int iter = 0; iter < 100 && damping < 1e12; ++iter) {
    Eigen::MatrixX2d jac(m, 2);
    Eigen::VectorXd residual(m);
    for (Eigen::Index i = 0; i < m; ++i) {
      const Eigen::Vector2d diff = p - u.row(i).transpose();
      const double r = std::max(diff.norm(), 1e-12);
      jac.row(i) = diff.transpose() / r;
      residual(i) = r - d(i);
    }
    const Eigen::Matrix2d h = jac.transpose() * w.asDiagonal() * jac;
    const Eigen::Vector2d g = jac.transpose() * w.asDiagonal() * residual;
    Eigen::Matrix2d damped = h;
    damped.diagonal() *= 1.0 + damping;
    const Eigen::Vector2d step = damped.ldlt().solve(-g);
    if (!step.allFinite()) break;
    const double next = cost(p + step);
    if (next < current) {
      p += step;
      current = next;
      damping *= 0.1;
      if (step.norm() < 1e-12) break;
    } else {
      damping *= 10.0;
    }
  }
  // With few, noisy ranges the fit can run off along a near-degenerate direction. A transmitter
  // within d_i of every witness is within max d_i of any weighted mean of them (a ball is
  // convex), so a fit farther out has left the evidence: fall back on the weighted centroid.
  if (!p.allFinite() || p.norm() > d.maxCoeff()) p.setZero();
  return PositionKm{p(0) + centre(0), p(1) + centre(1)};
}

double ProofOfLocation::judge(PositionKm claim, std::span<const WitnessObservation> witnesses,
                              double previous) const {
  if (witnesses.empty()) return previous;
  std::size_t consistent = 0;
  for (const WitnessObservation& o : witnesses) {
    const double claimed_km = std::hypot(o.x_km - claim.x_km, o.y_km - claim.y_km);
    if (claimed_km <= max_distance_km(o.signal_dbm) + spec_.tolerance_km) ++consistent;
  }
  const double share = static_cast<double>(consistent) / static_cast<double>(witnesses.size());
  const std::optional<PositionKm> found = estimate(witnesses);
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
  v.tolerance_km = s.number("tolerance_km", v.tolerance_km, "km", Range::at_least(0.0),
                            "claims this close to the witnesses' estimate score 1");
  v.zero_score_km = s.number("zero_score_km", v.zero_score_km, "km", Range::above(0.0),
                             "claims this far from the estimate score 0");
  if (v.zero_score_km <= v.tolerance_km) s.problem("zero_score_km", "must exceed tolerance_km");
  v.min_witnesses = s.integer("min_witnesses", v.min_witnesses, Range::at_least(3.0),
                              "fewest witnesses that can fix a position");
  v.initial_score = s.number("initial_score", v.initial_score, "", Range::between(0.0, 1.0),
                             "PoL before any evidence and after a relocation");
  v.relocation_lockout = s.duration("relocation_lockout", v.relocation_lockout, Time{},
                                    "PoL reads 0 for this long after a relocation");
  s.finish();
  return v;
}

}  // namespace models
