#include "models/validation/hex_grid.hpp"

#include <cmath>
#include <map>
#include <queue>
#include <random>
#include <set>
#include <stdexcept>

#include <catch2/catch.hpp>

using models::hex_area_km2;
using models::hex_axial;
using models::hex_cell;
using models::hex_cell_at;
using models::hex_center_km;
using models::hex_disk1;
using models::hex_edge_km;
using models::hex_grid_distance;
using models::hex_parent;
using models::hex_resolution;
using models::HexAxial;
using models::HexCell;

namespace {

// H3's average hexagon area per resolution, km^2 (h3geo.org "Table of Cell Statistics Across
// Resolutions"; uber/h3 v4 getHexagonAreaAvgKm2).
constexpr double kH3AreaKm2[16] = {
    4.357449416078383e+06, 6.097884417941332e+05, 8.680178039899720e+04, 1.239343465508816e+04,
    1.770347654491307e+03, 2.529038581819449e+02, 3.612906216441245e+01, 5.161293359717191e+00,
    7.373275975944177e-01, 1.053325134272067e-01, 1.504750190766435e-02, 2.149643129451879e-03,
    3.070918756316060e-04, 4.387026794728296e-05, 6.267181135324313e-06, 8.953115907605790e-07};

double distance_km(std::pair<double, double> a, std::pair<double, double> b) {
  return std::hypot(a.first - b.first, a.second - b.second);
}

// Breadth-first search through hex_disk1 neighbours: the grid distance by definition.
std::int64_t walk_distance(HexCell from, HexCell to) {
  std::map<HexCell, std::int64_t> seen{{from, 0}};
  std::queue<HexCell> frontier;
  frontier.push(from);
  while (!frontier.empty()) {
    const HexCell c = frontier.front();
    frontier.pop();
    if (c == to) return seen[c];
    for (HexCell n : hex_disk1(c)) {
      if (seen.emplace(n, seen[c] + 1).second) frontier.push(n);
    }
  }
  return -1;
}

}  // namespace

TEST_CASE("models::hex_grid: edge lengths are H3's and areas within 1 % of H3's table", "[unit]") {
  CHECK(hex_edge_km(7) == 1.406475763);
  CHECK(hex_edge_km(11) == 0.028663897);
  for (int res = 0; res <= 15; ++res) {
    INFO("res " << res);
    // Plane hexagons with H3's mean edge are slightly smaller than H3's mean spherical cells:
    // 0.25-1 % for res 1..15, 2.1 % at res 0 where the cells span a large part of a face.
    const double tolerance = res == 0 ? 0.025 : 0.01;
    CHECK(hex_area_km2(res) == Approx(kH3AreaKm2[res]).epsilon(tolerance));
  }
  // WeatherXM's cell of about 5 km^2 is H3 res 7 (MECHANISMS.md 1.2).
  CHECK(hex_area_km2(7) == Approx(5.16).epsilon(0.01));
  CHECK_THROWS_AS(hex_edge_km(16), std::out_of_range);
  CHECK_THROWS_AS(hex_edge_km(-1), std::out_of_range);
}

TEST_CASE("models::hex_grid: a cell's centre maps back to the cell and ids round-trip", "[unit]") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> coord(-500.0, 500.0);
  for (int res = 0; res <= 15; ++res) {
    for (int i = 0; i < 200; ++i) {
      const double x = coord(rng), y = coord(rng);
      const HexCell c = hex_cell_at(x, y, res);
      INFO("res " << res << " point " << x << ", " << y);
      REQUIRE(hex_resolution(c) == res);
      const auto centre = hex_center_km(c);
      CHECK(hex_cell_at(centre.first, centre.second, res) == c);
      // The point lies within the circumradius (= edge) of its cell's centre.
      CHECK(distance_km(centre, {x, y}) <= hex_edge_km(res) * (1 + 1e-9));
      CHECK(hex_cell(res, hex_axial(c)) == c);
    }
  }
  CHECK(hex_axial(hex_cell(3, {-7, 12})) == HexAxial{-7, 12});
  CHECK(hex_cell_at(0.0, 0.0, 9) == hex_cell(9, {0, 0}));
  CHECK(models::kNoHexCell != hex_cell(0, {0, 0}));
  CHECK_FALSE(models::hex_is_valid(models::kNoHexCell));
  CHECK_THROWS_AS(hex_cell(11, {models::kHexAxialLimit, 0}), std::out_of_range);
  CHECK_THROWS_AS(hex_cell_at(std::nan(""), 0.0, 5), std::invalid_argument);
}

TEST_CASE("models::hex_grid: the nearest cell centre to a point is its own cell's", "[unit]") {
  // A hexagonal cell is the Voronoi region of its centre among the lattice of centres.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> coord(-20.0, 20.0);
  for (int i = 0; i < 2000; ++i) {
    const double x = coord(rng), y = coord(rng);
    const HexCell c = hex_cell_at(x, y, 7);
    const double own = distance_km(hex_center_km(c), {x, y});
    for (HexCell n : hex_disk1(c)) {
      CHECK(own <= distance_km(hex_center_km(n), {x, y}) + 1e-12);
    }
  }
}

TEST_CASE("models::hex_grid: disk1 is the cell and six neighbours one edge-spacing away",
          "[unit]") {
  const HexCell c = hex_cell_at(3.7, -8.2, 8);
  const auto disk = hex_disk1(c);
  CHECK(disk[0] == c);
  CHECK(std::set<HexCell>(disk.begin(), disk.end()).size() == 7);
  const double spacing_km = std::sqrt(3.0) * hex_edge_km(8);  // centre to centre
  for (std::size_t i = 1; i < disk.size(); ++i) {
    CHECK(hex_grid_distance(c, disk[i]) == 1);
    CHECK(distance_km(hex_center_km(c), hex_center_km(disk[i])) == Approx(spacing_km));
  }
  // The first neighbour is east, the second 60 degrees anticlockwise from it.
  CHECK(hex_center_km(disk[1]).first > hex_center_km(c).first);
  CHECK(hex_center_km(disk[1]).second == Approx(hex_center_km(c).second));
  CHECK(hex_center_km(disk[2]).second > hex_center_km(c).second);
}

TEST_CASE("models::hex_grid: grid distance is symmetric and equals a breadth-first walk",
          "[unit]") {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> axial(-6, 6);
  for (int i = 0; i < 300; ++i) {
    const HexCell a = hex_cell(10, {axial(rng), axial(rng)});
    const HexCell b = hex_cell(10, {axial(rng), axial(rng)});
    const std::int64_t d = hex_grid_distance(a, b);
    CHECK(d == hex_grid_distance(b, a));
    CHECK(d == walk_distance(a, b));
  }
  CHECK(hex_grid_distance(hex_cell(4, {2, 3}), hex_cell(4, {2, 3})) == 0);
  CHECK(hex_grid_distance(hex_cell(4, {0, 0}), hex_cell(4, {3, -1})) == 3);
  CHECK_THROWS_AS(hex_grid_distance(hex_cell(4, {0, 0}), hex_cell(5, {0, 0})),
                  std::invalid_argument);
}

TEST_CASE("models::hex_grid: a parent contains its child's centre and has about 7 children",
          "[unit]") {
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> coord(-50.0, 50.0);
  for (int i = 0; i < 500; ++i) {
    const HexCell child = hex_cell_at(coord(rng), coord(rng), 11);
    for (int res = 11; res >= 4; --res) {
      const HexCell parent = hex_parent(child, res);
      REQUIRE(hex_resolution(parent) == res);
      const auto centre = hex_center_km(child);
      CHECK(hex_cell_at(centre.first, centre.second, res) == parent);
      CHECK(distance_km(hex_center_km(parent), centre) <= hex_edge_km(res) * (1 + 1e-9));
    }
    CHECK(hex_parent(child, 11) == child);
  }
  CHECK_THROWS_AS(hex_parent(hex_cell(5, {0, 0}), 6), std::invalid_argument);

  // The grids are not nested: counting res-9 children of res-8 parents over a block gives 7
  // on average (the area ratio, 2.6467^2 = 7.005) but 6, 7 or 8 per parent.
  std::map<HexCell, int> children;
  for (int q = -60; q <= 60; ++q) {
    for (int r = -60; r <= 60; ++r)
      ++children[hex_parent(hex_cell(9, {q, r}), 8)];
  }
  const HexCell inner = hex_cell_at(0.0, 0.0, 8);
  int parents = 0, total = 0, fewest = 100, most = 0;
  for (const auto& [parent, n] : children) {
    if (hex_grid_distance(parent, inner) > 15) continue;  // away from the block's ragged edge
    ++parents;
    total += n;
    fewest = std::min(fewest, n);
    most = std::max(most, n);
  }
  CHECK(static_cast<double>(total) / parents == Approx(7.0).epsilon(0.02));
  CHECK(fewest >= 6);
  CHECK(most <= 8);
  CHECK(fewest < most);
}
