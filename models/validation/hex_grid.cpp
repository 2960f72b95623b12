#include "models/validation/hex_grid.hpp"

#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace models {

namespace {

// H3's average hexagon edge length per resolution, km (uber/h3 v4, src/h3lib/lib/latLng.c
// getHexagonEdgeLengthAvgKm; the table on h3geo.org/docs/core-library/restable).
constexpr std::array<double, 16> kEdgeKm{1281.256011, 483.0568391, 182.5129565, 68.97922179,
                                         26.07175968, 9.854090990, 3.724532667, 1.406475763,
                                         0.531414010, 0.200786148, 0.075863783, 0.028663897,
                                         0.010830188, 0.004092010, 0.001546100, 0.000584169};

constexpr int kAxialBits = 29;
constexpr std::uint64_t kAxialMask = (std::uint64_t{1} << kAxialBits) - 1;
constexpr int kResShift = 2 * kAxialBits;  // 58
constexpr std::uint64_t kValidBit = std::uint64_t{1} << 62;
const double kSqrt3 = std::sqrt(3.0);

void check_res(int res) {
  if (res < 0 || res > kHexMaxResolution) {
    throw std::out_of_range("hex grid: resolution " + std::to_string(res) + " is not in 0..15");
  }
}

void check_cell(HexCell cell) {
  if (!hex_is_valid(cell)) throw std::invalid_argument("hex grid: not a cell id");
}

// Nearest hexagon centre to fractional axial coordinates: round the cube coordinates and
// restore q + r + s = 0 by recomputing the one that rounding moved most.
HexAxial round_axial(double qf, double rf) {
  const double sf = -qf - rf;
  double q = std::round(qf), r = std::round(rf);
  const double s = std::round(sf);
  const double dq = std::abs(q - qf), dr = std::abs(r - rf), ds = std::abs(s - sf);
  if (dq > dr && dq > ds) {
    q = -r - s;
  } else if (dr > ds) {
    r = -q - s;
  }
  return {static_cast<std::int64_t>(q), static_cast<std::int64_t>(r)};
}

// Neighbour offsets, anticlockwise from east, for pointy-top cells with y pointing north.
constexpr std::array<HexAxial, 6> kDirections{HexAxial{1, 0},  HexAxial{0, 1},  HexAxial{-1, 1},
                                              HexAxial{-1, 0}, HexAxial{0, -1}, HexAxial{1, -1}};

}  // namespace

double hex_edge_km(int res) {
  check_res(res);
  return kEdgeKm[static_cast<std::size_t>(res)];
}

double hex_area_km2(int res) {
  const double e = hex_edge_km(res);
  return 1.5 * kSqrt3 * e * e;
}

HexCell hex_cell(int res, HexAxial a) {
  check_res(res);
  if (std::abs(a.q) >= kHexAxialLimit || std::abs(a.r) >= kHexAxialLimit) {
    throw std::out_of_range(
        "hex grid: axial coordinates out of range (the plane is too large "
        "for this resolution)");
  }
  const auto biased = [](std::int64_t v) {
    return static_cast<std::uint64_t>(v + kHexAxialLimit) & kAxialMask;
  };
  return kValidBit | (static_cast<std::uint64_t>(res) << kResShift) | (biased(a.q) << kAxialBits) |
         biased(a.r);
}

HexCell hex_cell_at(double x_km, double y_km, int res) {
  if (!std::isfinite(x_km) || !std::isfinite(y_km)) {
    throw std::invalid_argument("hex_cell_at: coordinates must be finite");
  }
  const double e = hex_edge_km(res);
  // Inverse of hex_center_km: x = e sqrt3 (q + r/2), y = 1.5 e r.
  const double rf = (2.0 / 3.0) * y_km / e;
  const double qf = (kSqrt3 / 3.0 * x_km - y_km / 3.0) / e;
  if (std::abs(qf) >= static_cast<double>(kHexAxialLimit) ||
      std::abs(rf) >= static_cast<double>(kHexAxialLimit)) {
    throw std::out_of_range("hex_cell_at: point too far from the origin for this resolution");
  }
  return hex_cell(res, round_axial(qf, rf));
}

bool hex_is_valid(HexCell cell) {
  return (cell >> 63) == 0 && (cell & kValidBit) != 0;
}

int hex_resolution(HexCell cell) {
  check_cell(cell);
  return static_cast<int>((cell >> kResShift) & 0xF);
}

HexAxial hex_axial(HexCell cell) {
  check_cell(cell);
  const auto unbiased = [](std::uint64_t bits) {
    return static_cast<std::int64_t>(bits & kAxialMask) - kHexAxialLimit;
  };
  return {unbiased(cell >> kAxialBits), unbiased(cell)};
}

std::pair<double, double> hex_center_km(HexCell cell) {
  const double e = hex_edge_km(hex_resolution(cell));
  const HexAxial a = hex_axial(cell);
  const auto q = static_cast<double>(a.q), r = static_cast<double>(a.r);
  return {e * kSqrt3 * (q + r / 2.0), e * 1.5 * r};
}

HexCell hex_parent(HexCell cell, int coarser_res) {
  const int res = hex_resolution(cell);
  check_res(coarser_res);
  if (coarser_res > res) {
    throw std::invalid_argument("hex_parent: resolution " + std::to_string(coarser_res) +
                                " is finer than the cell's " + std::to_string(res));
  }
  if (coarser_res == res) return cell;
  const auto [x, y] = hex_center_km(cell);
  return hex_cell_at(x, y, coarser_res);
}

std::array<HexCell, 7> hex_disk1(HexCell cell) {
  const int res = hex_resolution(cell);
  const HexAxial a = hex_axial(cell);
  std::array<HexCell, 7> disk{cell};
  for (std::size_t i = 0; i < kDirections.size(); ++i) {
    disk[i + 1] = hex_cell(res, {a.q + kDirections[i].q, a.r + kDirections[i].r});
  }
  return disk;
}

std::int64_t hex_grid_distance(HexCell a, HexCell b) {
  if (hex_resolution(a) != hex_resolution(b)) {
    throw std::invalid_argument("hex_grid_distance: cells of different resolutions");
  }
  const HexAxial p = hex_axial(a), q = hex_axial(b);
  const std::int64_t dq = p.q - q.q, dr = p.r - q.r;
  // Cube distance: half the sum of |dq|, |dr| and |ds| with ds = -dq - dr.
  return (std::abs(dq) + std::abs(dr) + std::abs(dq + dr)) / 2;
}

}  // namespace models
