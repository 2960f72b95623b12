#pragma once
// A multi-resolution hexagonal grid over the simulation plane, sized like H3's resolutions.

#include <array>
#include <cstdint>
#include <utility>

namespace models {

/// One cell of the planar hex grid: resolution and axial coordinates packed in 64 bits.
/// Layout (bit 63 first): 0 | 1 (marks a valid cell, so 0 is never one) | res (4 bits) |
/// q + 2^28 (29 bits) | r + 2^28 (29 bits).
using HexCell = std::uint64_t;

/// "No cell", e.g. a hotspot without an asserted location. Never a valid cell id.
inline constexpr HexCell kNoHexCell = 0;
inline constexpr int kHexMaxResolution = 15;
/// Axial coordinates must satisfy |q|, |r| < 2^28: about 236,000 km at resolution 15.
inline constexpr std::int64_t kHexAxialLimit = std::int64_t{1} << 28;

/// Axial coordinates of a cell (cube coordinates are q, r, s = -q - r).
struct HexAxial {
  std::int64_t q = 0;
  std::int64_t r = 0;
  bool operator==(const HexAxial&) const = default;
};

/// Edge length (= circumradius) of a cell at `res`: H3's average hexagon edge length at that
/// resolution (uber/h3 v4 getHexagonEdgeLengthAvgKm, as listed in h3geo.org "Table of Cell
/// Statistics Across Resolutions"), e.g. 1.406475763 km at res 7. Throws for res outside 0..15.
double hex_edge_km(int res);
/// Area of a cell at `res`: (3 sqrt 3 / 2) edge^2, within 1 % of H3's average hexagon area for
/// res 1..15 (2.1 % at res 0, where the sphere's curvature matters).
double hex_area_km2(int res);

/// Packs (res, q, r); throws std::out_of_range outside 0..15 or |q|, |r| >= 2^28.
HexCell hex_cell(int res, HexAxial axial);
/// The cell at `res` that contains the point (x_km, y_km). Points on a shared edge go to one
/// of the two cells, always the same one.
///   HexCell c = hex_cell_at(12.3, 45.6, 11);
HexCell hex_cell_at(double x_km, double y_km, int res);

int hex_resolution(HexCell cell);
HexAxial hex_axial(HexCell cell);
/// True for ids that hex_cell could have produced.
bool hex_is_valid(HexCell cell);

/// Centre of the cell in km; the grids of all resolutions have a cell centred on (0, 0).
std::pair<double, double> hex_center_km(HexCell cell);

/// The cell at `coarser_res` (<= the cell's own) that contains the cell's centre. The grids are
/// not nested as H3's aperture-7 grids (almost) are, so a coarse cell has 6 to 8 children this
/// way rather than exactly 7, and a child may stick out of its parent.
HexCell hex_parent(HexCell cell, int coarser_res);

/// The cell followed by its 6 neighbours (H3 grid_disk with k = 1), neighbours anticlockwise
/// from east.
std::array<HexCell, 7> hex_disk1(HexCell cell);

/// Number of steps between neighbours from a to b (H3 grid_distance); both must have the same
/// resolution, else std::invalid_argument.
std::int64_t hex_grid_distance(HexCell a, HexCell b);

}  // namespace models
