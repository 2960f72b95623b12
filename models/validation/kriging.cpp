#include "models/validation/kriging.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/QR>

namespace models {

namespace {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;
using MatrixMap = Eigen::Map<Matrix>;
using VectorMap = Eigen::Map<Eigen::VectorXd>;

void grow(std::vector<double>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
}

// std::hypot guards against overflow at a cost this hot loop notices; kilometres never overflow.
double distance_km(double x0, double y0, double x1, double y1) {
  return std::sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
}

}  // namespace

double CovarianceModel::at(double distance_km) const {
  const double r = distance_km / range_km;
  return kind == CovarianceKind::exponential ? sill_c2 * std::exp(-r)
                                             : sill_c2 * std::exp(-0.5 * r * r);
}

OrdinaryKriging::OrdinaryKriging(const CovarianceModel& model) : model_(model) {
  if (!(model.sill_c2 > 0.0) || !(model.range_km > 0.0) || !(model.nugget_c2 >= 0.0)) {
    throw std::invalid_argument("OrdinaryKriging: need sill > 0, range > 0, nugget >= 0");
  }
}

double OrdinaryKriging::solve(double x_km, double y_km, std::span<const double> xs_km,
                              std::span<const double> ys_km, std::span<const double> trust,
                              std::span<double> weights_out) {
  const std::size_t count = xs_km.size();
  if (ys_km.size() != count || weights_out.size() != count ||
      (!trust.empty() && trust.size() != count)) {
    throw std::invalid_argument("OrdinaryKriging: one position, trust and weight per neighbour");
  }
  // Gather the neighbours that count at all, with their own nuggets.
  used_.clear();
  grow(px_, count);
  grow(py_, count);
  grow(nugget_, count);
  const double total_c2 = model_.sill_c2 + model_.nugget_c2;
  for (std::size_t j = 0; j < count; ++j) {
    weights_out[j] = 0.0;
    const double w = trust.empty() ? 1.0 : trust[j];
    if (!(w > 0.0)) continue;
    const std::size_t u = used_.size();
    px_[u] = xs_km[j];
    py_[u] = ys_km[j];
    nugget_[u] = w >= 1.0 ? model_.nugget_c2 : model_.nugget_c2 + (1.0 / w - 1.0) * total_c2;
    used_.push_back(j);
  }
  const std::size_t n = used_.size();
  if (n == 0) return std::numeric_limits<double>::infinity();

  grow(a_, n * n);
  grow(rhs_, 2 * n);
  grow(k0_, n);
  grow(weights_, n);
  MatrixMap a(a_.data(), static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  VectorMap k0(k0_.data(), static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const auto ii = static_cast<Eigen::Index>(i);
    k0(ii) = model_.at(distance_km(px_[i], py_[i], x_km, y_km));
    a(ii, ii) = model_.sill_c2 + nugget_[i];
    for (std::size_t j = 0; j < i; ++j) {
      const auto jj = static_cast<Eigen::Index>(j);
      a(ii, jj) = model_.at(distance_km(px_[i], py_[i], px_[j], py_[j]));  // lower half only
    }
  }

  const std::span<double> lambda(weights_.data(), n);
  double variance_c2 = 0.0;
  Eigen::LLT<Eigen::Ref<Matrix>> llt(a);  // factorises a in place, reading its lower half
  if (llt.info() == Eigen::Success) {
    // u = A⁻¹c0 and v = A⁻¹1; the constraint then fixes μ = (1ᵀu − 1)/(1ᵀv), λ = u − μv.
    // Two vector solves: Eigen's many-column path sets up blocking that costs more than the
    // whole solve at these sizes.
    VectorMap u(rhs_.data(), static_cast<Eigen::Index>(n));
    VectorMap v(rhs_.data() + n, static_cast<Eigen::Index>(n));
    u = k0;
    v.setOnes();
    llt.solveInPlace(u);
    llt.solveInPlace(v);
    const double mu = (u.sum() - 1.0) / v.sum();
    VectorMap lam(lambda.data(), static_cast<Eigen::Index>(n));
    lam = u - mu * v;
    variance_c2 = model_.sill_c2 - lam.dot(k0) - mu;
  } else {
    variance_c2 = solve_bordered(n, lambda);
  }
  for (std::size_t u = 0; u < n; ++u)
    weights_out[used_[u]] = lambda[u];
  return std::max(variance_c2, 0.0);  // rounding can leave −1e-16 where the truth is 0
}

double OrdinaryKriging::solve_bordered(std::size_t n, std::span<double> weights_used) {
  // The Cholesky factorisation overwrote a_, so the system is built afresh; this path only runs
  // for singular neighbour sets, where the minimum-norm solution splits weight evenly between
  // coincident neighbours.
  const auto m = static_cast<Eigen::Index>(n);
  Matrix b(m + 1, m + 1);
  Eigen::VectorXd rhs(m + 1);
  for (Eigen::Index i = 0; i < m; ++i) {
    const auto iu = static_cast<std::size_t>(i);
    for (Eigen::Index j = 0; j < m; ++j) {
      const auto ju = static_cast<std::size_t>(j);
      b(i, j) = model_.at(distance_km(px_[iu], py_[iu], px_[ju], py_[ju]));
    }
    b(i, i) += nugget_[iu];
    b(i, m) = 1.0;
    b(m, i) = 1.0;
    rhs(i) = k0_[iu];
  }
  b(m, m) = 0.0;
  rhs(m) = 1.0;
  const Eigen::VectorXd x = b.completeOrthogonalDecomposition().solve(rhs);
  double dot = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    weights_used[i] = x(static_cast<Eigen::Index>(i));
    dot += weights_used[i] * k0_[i];
  }
  return model_.sill_c2 - dot - x(m);
}

KrigingEstimate OrdinaryKriging::estimate(double x_km, double y_km, std::span<const double> xs_km,
                                          std::span<const double> ys_km,
                                          std::span<const double> values_c,
                                          std::span<const double> trust) {
  if (values_c.size() != xs_km.size()) {
    throw std::invalid_argument("OrdinaryKriging: one value per neighbour");
  }
  std::vector<double> weights(xs_km.size());
  KrigingEstimate e;
  e.variance_c2 = solve(x_km, y_km, xs_km, ys_km, trust, weights);
  if (std::isinf(e.variance_c2)) {
    e.value_c = std::numeric_limits<double>::quiet_NaN();
    return e;
  }
  for (std::size_t j = 0; j < weights.size(); ++j) {
    if (weights[j] != 0.0) e.value_c += weights[j] * values_c[j];
  }
  return e;
}

}  // namespace models
