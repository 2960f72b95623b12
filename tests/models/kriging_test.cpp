#include "models/validation/kriging.hpp"

#include <cmath>
#include <numbers>
#include <vector>

#include <Eigen/Dense>
#include <catch2/catch.hpp>

#include "sim/random.hpp"

using models::CovarianceKind;
using models::CovarianceModel;
using models::KrigingEstimate;
using models::OrdinaryKriging;

namespace {

const CovarianceKind kKinds[] = {CovarianceKind::exponential, CovarianceKind::squared_exponential};

struct Sites {
  std::vector<double> x, y;
};

Sites random_sites(std::size_t n, double size_km, sim::RandomStream& rng) {
  Sites s;
  for (std::size_t i = 0; i < n; ++i) {
    s.x.push_back(rng.uniform(-size_km, size_km));
    s.y.push_back(rng.uniform(-size_km, size_km));
  }
  return s;
}

}  // namespace

TEST_CASE("models::CovarianceModel: decays from the sill with the length scale", "[unit]") {
  const CovarianceModel e{CovarianceKind::exponential, 4.0, 10.0, 0.5};
  const CovarianceModel g{CovarianceKind::squared_exponential, 4.0, 10.0, 0.5};
  CHECK(e.at(0) == 4.0);
  CHECK(e.at(10) == Approx(4.0 * std::exp(-1.0)));
  CHECK(g.at(10) == Approx(4.0 * std::exp(-0.5)));
  CHECK(g.at(20) == Approx(4.0 * std::exp(-2.0)));
}

TEST_CASE(
    "models::OrdinaryKriging: one neighbour gives its value with variance 2 sill - 2 C(d) "
    "+ nugget",
    "[unit]") {
  // λ = 1 is forced by Σλ = 1, so the error is f(x0) − f(x1) − ε1, whose variance is
  // C(0) + C(0) − 2C(d) + nugget.
  for (CovarianceKind kind : kKinds) {
    const CovarianceModel m{kind, 9.0, 25.0, 0.25};
    OrdinaryKriging k(m);
    const std::vector<double> xs{3.0}, ys{4.0}, values{17.5};
    const KrigingEstimate e = k.estimate(0, 0, xs, ys, values);
    CHECK(e.value_c == Approx(17.5));
    CHECK(e.variance_c2 == Approx(2 * 9.0 - 2 * m.at(5.0) + 0.25));
  }
}

TEST_CASE("models::OrdinaryKriging: two symmetric neighbours give their mean", "[unit]") {
  // With λ = (1/2, 1/2) the error variance is s − 2c + (s + nugget + c12)/2, where c = C(d) to
  // the target and c12 the covariance between the neighbours.
  for (CovarianceKind kind : kKinds) {
    const CovarianceModel m{kind, 9.0, 25.0, 0.25};
    OrdinaryKriging k(m);
    const std::vector<double> xs{-6.0, 6.0}, ys{2.0, 2.0}, values{10.0, 14.0};
    const KrigingEstimate e = k.estimate(0, 0, xs, ys, values);
    CHECK(e.value_c == Approx(12.0));
    const double c = m.at(std::hypot(6.0, 2.0)), c12 = m.at(12.0);
    CHECK(e.variance_c2 == Approx(9.0 - 2 * c + 0.5 * (9.0 + 0.25 + c12)));
  }
}

TEST_CASE(
    "models::OrdinaryKriging: a neighbour at the target without nugget is reproduced "
    "exactly",
    "[unit]") {
  for (CovarianceKind kind : kKinds) {
    OrdinaryKriging k(CovarianceModel{kind, 9.0, 25.0, 0.0});
    const std::vector<double> xs{1.0, 7.0, 1.0, -5.0}, ys{2.0, 0.0, -6.0, 3.0};
    const std::vector<double> values{11.0, 30.0, -4.0, 2.0};
    const KrigingEstimate e = k.estimate(1.0, 2.0, xs, ys, values);
    CHECK(e.value_c == Approx(11.0).margin(1e-9));
    CHECK(e.variance_c2 == Approx(0.0).margin(1e-9));
  }
}

TEST_CASE("models::OrdinaryKriging: weights sum to one and a constant field is exact", "[unit]") {
  auto rng = sim::RandomStreams(11, 0).stream("kriging");
  for (CovarianceKind kind : kKinds) {
    OrdinaryKriging k(CovarianceModel{kind, 9.0, 25.0, 0.25});
    for (int trial = 0; trial < 100; ++trial) {
      const Sites s = random_sites(1 + rng.uniform_int(12), 20.0, rng);
      std::vector<double> weights(s.x.size());
      k.solve(0, 0, s.x, s.y, {}, weights);
      double sum = 0;
      for (double w : weights)
        sum += w;
      CHECK(sum == Approx(1.0).margin(1e-12));
      const std::vector<double> constant(s.x.size(), 7.25);
      CHECK(k.estimate(0, 0, s.x, s.y, constant).value_c == Approx(7.25).margin(1e-12));
    }
  }
}

TEST_CASE("models::OrdinaryKriging: a ring of neighbours reproduces a linear field at its centre",
          "[unit]") {
  // Symmetry makes the weights equal, and a linear field averages to its centre value over a
  // regular ring; ordinary kriging has no trend term, so this needs the symmetry.
  for (CovarianceKind kind : kKinds) {
    OrdinaryKriging k(CovarianceModel{kind, 9.0, 25.0, 0.25});
    std::vector<double> xs, ys, values;
    for (int i = 0; i < 6; ++i) {
      const double a = i * std::numbers::pi / 3 + 0.3;
      xs.push_back(4 + 5 * std::cos(a));
      ys.push_back(-2 + 5 * std::sin(a));
      values.push_back(10 + 0.7 * xs.back() - 0.4 * ys.back());
    }
    CHECK(k.estimate(4, -2, xs, ys, values).value_c == Approx(10 + 0.7 * 4 + 0.4 * 2));
  }
}

TEST_CASE("models::OrdinaryKriging: weights and variance solve the bordered kriging system",
          "[unit]") {
  // An independent dense solve of [C + N, 1; 1ᵀ, 0][λ; μ] = [c0; 1], σ² = sill − λᵀc0 − μ.
  auto rng = sim::RandomStreams(12, 0).stream("kriging");
  for (CovarianceKind kind : kKinds) {
    const CovarianceModel m{kind, 6.0, 15.0, 0.3};
    OrdinaryKriging k(m);
    for (int trial = 0; trial < 30; ++trial) {
      const Sites s = random_sites(2 + rng.uniform_int(8), 25.0, rng);
      const auto n = static_cast<Eigen::Index>(s.x.size());
      std::vector<double> trust(s.x.size());
      for (double& t : trust)
        t = rng.uniform() < 0.3 ? rng.uniform(0.05, 1.0) : 1.0;
      Eigen::MatrixXd b = Eigen::MatrixXd::Zero(n + 1, n + 1);
      Eigen::VectorXd rhs = Eigen::VectorXd::Ones(n + 1);
      for (Eigen::Index i = 0; i < n; ++i) {
        const auto iu = static_cast<std::size_t>(i);
        for (Eigen::Index j = 0; j < n; ++j) {
          const auto ju = static_cast<std::size_t>(j);
          b(i, j) = m.at(std::hypot(s.x[iu] - s.x[ju], s.y[iu] - s.y[ju]));
        }
        b(i, i) += m.nugget_c2 + (1 / trust[iu] - 1) * (m.sill_c2 + m.nugget_c2);
        b(i, n) = b(n, i) = 1;
        rhs(i) = m.at(std::hypot(s.x[iu], s.y[iu]));
      }
      const Eigen::VectorXd x = b.fullPivLu().solve(rhs);
      std::vector<double> weights(s.x.size());
      const double variance = k.solve(0, 0, s.x, s.y, trust, weights);
      for (Eigen::Index i = 0; i < n; ++i)
        CHECK(weights[static_cast<std::size_t>(i)] == Approx(x(i)).margin(1e-9));
      CHECK(variance == Approx(m.sill_c2 - x.head(n).dot(rhs.head(n)) - x(n)).margin(1e-9));
    }
  }
}

TEST_CASE("models::OrdinaryKriging: trust shrinks a neighbour's weight and zero trust drops it",
          "[unit]") {
  OrdinaryKriging k(CovarianceModel{});
  const std::vector<double> xs{2, -3, 1, 4}, ys{1, 2, -4, 3}, values{10, 11, 12, 40};
  std::vector<double> full(4), low(4), none(4), three(3);
  const double v_full = k.solve(0, 0, xs, ys, {}, full);
  const double v_low = k.solve(0, 0, xs, ys, std::vector<double>{1, 1, 1, 0.1}, low);
  const double v_none = k.solve(0, 0, xs, ys, std::vector<double>{1, 1, 1, 0}, none);
  const double v_three = k.solve(0, 0, std::span(xs).first(3), std::span(ys).first(3), {}, three);
  CHECK(std::abs(low[3]) < 0.25 * std::abs(full[3]));
  CHECK(none[3] == 0.0);
  for (std::size_t j = 0; j < 3; ++j)
    CHECK(none[j] == Approx(three[j]));
  CHECK(v_none == Approx(v_three));
  CHECK(v_full < v_low);  // less trust, less information, more variance
  CHECK(v_low < v_none);
  CHECK(std::isinf(k.solve(0, 0, xs, ys, std::vector<double>(4, 0.0), none)));
}

TEST_CASE("models::OrdinaryKriging: coincident neighbours without nugget share their weight",
          "[unit]") {
  // C + diag(nugget) is singular here; the bordered system still has a minimum-norm solution.
  OrdinaryKriging k(CovarianceModel{CovarianceKind::exponential, 9.0, 25.0, 0.0});
  const std::vector<double> xs{3, 3, -4}, ys{0, 0, 1}, values{12, 12, 8};
  std::vector<double> weights(3);
  const double variance = k.solve(0, 0, xs, ys, {}, weights);
  CHECK(weights[0] == Approx(weights[1]));
  CHECK(weights[0] + weights[1] + weights[2] == Approx(1.0));
  CHECK(std::isfinite(variance));
  // The same as one neighbour at (3, 0) holding the pair's whole weight.
  std::vector<double> pair(2);
  const double v_pair =
      k.solve(0, 0, std::vector<double>{3, -4}, std::vector<double>{0, 1}, {}, pair);
  CHECK(weights[0] + weights[1] == Approx(pair[0]));
  CHECK(variance == Approx(v_pair));
}
