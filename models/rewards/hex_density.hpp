#pragma once
// HIP-17 hex-density scaling of Helium IoT Proof-of-Coverage rewards, with HIP-104 parameters.

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "models/validation/hex_grid.hpp"
#include "sim/config.hpp"

namespace models {

/// The density rule at one resolution (HIP-17's N, TGT and MAX).
struct HexDensityLevel {
  int res = 0;
  int n = 2;                // occupied cells tolerated in the disk before the limit grows
  std::int64_t target = 1;  // cells with at least this many count as occupied
  std::int64_t max = 1;     // the limit never exceeds this
};

/// HIP-104's table: res 4 (2, 500, 1000), 5 (4, 100, 200), 6 (4, 25, 50), 7 (4, 5, 10),
/// 8..10 (2, 1, 1); finest first.
std::vector<HexDensityLevel> hip104_hex_density_levels();

/// Resolution of the cells HIP-17 counts hotspots in; levels must be coarser.
inline constexpr int kHexDensityBaseResolution = 11;

struct HexDensitySpec {
  std::vector<HexDensityLevel> levels = hip104_hex_density_levels();
  double default_scale = 0.2;  // for a hotspot without a cell (oracles DEFAULT_TX_SCALE)
};

/// Reads a `hex_density:` section: `default_tx_scale` and `levels` (a list of {res, n, target,
/// max}; absent or empty means HIP-104's table; a level's omitted keys take HIP-104's values
/// for its res).
HexDensitySpec read_hex_density_spec(sim::config::Section s);

/// What the roll-up needs from a grid; lets the same code run on H3 ids in tests.
struct HexHierarchy {
  std::function<int(HexCell)> resolution;
  std::function<HexCell(HexCell, int)> parent;           // the ancestor at a coarser resolution
  std::function<std::array<HexCell, 7>(HexCell)> disk1;  // the cell and its neighbours
};

/// The planar grid of hex_grid.hpp (hex_resolution, hex_parent, hex_disk1).
HexHierarchy planar_hex_hierarchy();

/// HIP-17 transmit scaling (helium/oracles iot_verifier hex_density.rs). Hotspots are counted in
/// their res-11 cells; then, level by level from the finest, each cell's
///   unclipped = sum of its children's clipped counts (res 11: the hotspot count),
///   occupied  = cells of disk1(cell) with unclipped >= target (the verifier reads its running
///               clipped map; both agree because limit >= target),
///   limit     = min(max, target * max(occupied - n + 1, 1))   (subtraction saturating at 0),
///   clipped   = min(limit, unclipped),
/// and a hotspot's scale is the product over levels of clipped/unclipped of its ancestors,
/// computed exactly and rounded to 4 dp half to even (rust_decimal round_dp). Levels chain:
/// a cell's ancestor at one level is the parent of its ancestor at the level below.
///   HexDensity d(HexDensitySpec{});  auto scale = d.scales(res11_cell_of_hotspot);
class HexDensity {
 public:
  /// Throws std::invalid_argument for levels that are not distinct resolutions below 11, or
  /// with n < 0, target < 1 or max < target.
  explicit HexDensity(HexDensitySpec spec);

  /// One scale per hotspot; kNoHexCell gets default_scale. Cells must be res-11 planar cells.
  /// O(hotspots + occupied cells) expected time with one hash map per level
  /// (HexDensityPlan does the same work for many epochs of one set of hotspots).
  std::vector<double> scales(std::span<const HexCell> res11_cell_of_hotspot) const;
  /// The same on another grid.
  std::vector<double> scales(std::span<const HexCell> res11_cell_of_hotspot,
                             const HexHierarchy& grid) const;

  const HexDensitySpec& spec() const { return spec_; }

 private:
  HexDensitySpec spec_;  // levels sorted finest first
};

/// HexDensity's roll-up prepared for a fixed list of hotspot cells, to be scaled again and again
/// as hotspots come and go (an oracle's epochs): the cells above them, their parents and their
/// occupied-disk neighbours are found once, with hash maps; each scales() then counts the live
/// hotspots with array lookups alone. The scales are those HexDensity::scales gives for the live
/// hotspots' cells with kNoHexCell for the others.
///   HexDensityPlan plan(density, res11_cells);  auto scale = plan.scales(live);
class HexDensityPlan {
 public:
  /// Throws std::invalid_argument as HexDensity::scales does for a cell that is not res 11.
  HexDensityPlan(const HexDensity& density, std::span<const HexCell> res11_cell_of_hotspot,
                 const HexHierarchy& grid = planar_hex_hierarchy());
  /// One scale per hotspot: a hotspot with live[h] == 0, or without a cell, gets default_scale.
  std::vector<double> scales(std::span<const std::uint8_t> live) const;

 private:
  // One resolution's cells (those above some hotspot), finest first; base_of maps hotspots to
  // level 0.
  struct Level {
    std::vector<std::uint32_t> parent;      // per cell, its index one level up (none at the top)
    std::vector<std::uint32_t> disk_start;  // per cell, into disk; size cells + 1 (levels > 0)
    std::vector<std::uint32_t> disk;        // the cells of each one's disk1 that are in the plan
    std::size_t cells = 0;
  };
  std::vector<HexDensityLevel> rules_;  // finest first; rules_[k] makes levels_[k + 1]
  double default_scale_ = 0;
  std::vector<std::uint32_t> base_of_;  // per hotspot; kNone without a cell
  std::vector<Level> levels_;
};

}  // namespace models
