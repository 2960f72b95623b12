#pragma once
// Ordinary kriging: the best linear unbiased estimate of a field at a point from nearby readings,
// with its error variance.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace models {

/// The shape of the field's spatial covariance.
enum class CovarianceKind : std::uint8_t {
  exponential,          ///< sill · exp(−d/ℓ): rough fields, the usual geostatistical default
  squared_exponential,  ///< sill · exp(−d²/(2ℓ²)): smooth fields
};

constexpr std::string_view name_of(CovarianceKind k) {
  return k == CovarianceKind::exponential ? "exponential" : "squared_exponential";
}

/// A stationary, isotropic covariance of the field (sill, length scale range_km) plus a nugget:
/// the variance of one reading about the field (sensor noise, micro-scale variation). Length
/// scales follow Rasmussen & Williams, "Gaussian Processes for Machine Learning", 2006, §4.2
/// (ℓ = range_km; not the geostatistical "practical range", which is 3ℓ for the exponential
/// model).
/// The defaults are what a variogram of depinsim's default temperature field gives (weather
/// sd 3 °C, squared-exponential with L = 25 km); the nugget covers 0.3 °C of sensor noise plus
/// the diurnal drift between readings taken up to an hour apart in one window.
///   CovarianceModel m{CovarianceKind::exponential, 9.0, 25.0, 0.25};  double c = m.at(3.0);
struct CovarianceModel {
  CovarianceKind kind = CovarianceKind::squared_exponential;
  double sill_c2 = 9.0;     // variance of the field about its local mean (the partial sill)
  double range_km = 25.0;   // length scale ℓ
  double nugget_c2 = 0.25;  // variance of one reading about the field

  /// Covariance of the field (without the nugget) between two points distance_km apart.
  double at(double distance_km) const;
};

/// The kriged value of the field at a point and the variance of its error.
struct KrigingEstimate {
  double value_c = 0.0;
  double variance_c2 = 0.0;
};

/// Ordinary kriging (Cressie, "Statistics for Spatial Data", 1993, ch. 3): the field is a Gaussian
/// process with an unknown constant mean, reading j is the field plus noise of variance
/// nugget_j, and the estimate Σ λ_j y_j with Σ λ_j = 1 minimises the error variance:
///   [ C + diag(nugget) 1 ] [λ]   [c0]
///   [ 1ᵀ               0 ] [μ] = [ 1],   σ²_K = sill − λᵀc0 − μ,
/// where C holds the field's covariances between neighbours and c0 those with the target.
/// σ²_K is the variance of (field at the target − estimate); a new reading at the target differs
/// from the estimate with variance σ²_K + nugget. Weights depend on positions only, never on
/// values, so callers may cache them for a fixed set of neighbours.
///
/// A neighbour's trust w in (0, 1] inflates its nugget to nugget + (1/w − 1)·(sill + nugget):
/// its reading counts as if its total variance were 1/w times larger, so a suspicious neighbour
/// still informs the estimate but little. Trust 0 leaves it out (weight 0).
///
/// Solved by Cholesky of C + diag(nugget) with Eigen, falling back to a rank-revealing solve of
/// the bordered system when that matrix is singular (coincident neighbours without nugget). Holds
/// scratch space, so use one instance per thread.
///   OrdinaryKriging k(model);  KrigingEstimate e = k.estimate(x0, y0, xs, ys, values);
class OrdinaryKriging {
 public:
  explicit OrdinaryKriging(const CovarianceModel& model);

  /// Writes the weight of each neighbour (positions xs_km, ys_km; trust empty meaning all 1)
  /// into weights_out and returns σ²_K at (x_km, y_km). With no usable neighbour every weight
  /// is 0 and σ²_K is infinite.
  double solve(double x_km, double y_km, std::span<const double> xs_km,
               std::span<const double> ys_km, std::span<const double> trust,
               std::span<double> weights_out);

  /// The estimate Σ λ_j values_c[j] and σ²_K; value NaN when no neighbour is usable.
  KrigingEstimate estimate(double x_km, double y_km, std::span<const double> xs_km,
                           std::span<const double> ys_km, std::span<const double> values_c,
                           std::span<const double> trust = {});

  const CovarianceModel& model() const { return model_; }

 private:
  double solve_bordered(std::size_t n, std::span<double> weights_used);

  CovarianceModel model_;
  // Scratch, grown on demand and reused: the matrix, right-hand sides, the used neighbours.
  std::vector<double> a_, rhs_, k0_, px_, py_, nugget_, weights_;
  std::vector<std::size_t> used_;
};

}  // namespace models
