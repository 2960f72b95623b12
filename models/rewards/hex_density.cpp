#include "models/rewards/hex_density.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

namespace models {

using sim::config::Range;
using sim::config::Section;

namespace {

// HIP-104's values for res 4..10; other resolutions carry the chain's "ignored" setting
// N = 2, TGT = MAX = 100,000 (helium/oracles hex_density.rs, HIP104_RES_CONFIG).
HexDensityLevel hip104_level(int res) {
  switch (res) {
    case 4:
      return {4, 2, 500, 1000};
    case 5:
      return {5, 4, 100, 200};
    case 6:
      return {6, 4, 25, 50};
    case 7:
      return {7, 4, 5, 10};
    case 8:
    case 9:
    case 10:
      return {res, 2, 1, 1};
    default:
      return {res, 2, 100'000, 100'000};
  }
}

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// The cells of one resolution that lie above hotspots, while a plan is being built.
struct CellIndex {
  std::vector<HexCell> cells;
  std::unordered_map<HexCell, std::uint32_t> index;

  std::uint32_t add(HexCell cell) {
    const auto [it, inserted] = index.try_emplace(cell, static_cast<std::uint32_t>(cells.size()));
    if (inserted) cells.push_back(cell);
    return it->second;
  }
};

// num/den rounded to 4 dp, half to even as rust_decimal's round_dp does. Long division keeps
// every intermediate below 10 * den, so den <= 1e18 cannot overflow.
double round_ratio_4dp(std::uint64_t num, std::uint64_t den) {
  std::uint64_t q = num / den, rem = num % den;
  for (int digit = 0; digit < 4; ++digit) {
    rem *= 10;
    q = q * 10 + rem / den;
    rem %= den;
  }
  if (2 * rem > den || (2 * rem == den && q % 2 == 1)) ++q;
  return static_cast<double>(q) / 1e4;
}

// Product of clipped/unclipped ratios kept as an exact reduced fraction while it fits, so that
// a scale that is exactly a 4-dp midpoint (1/32 = 0.03125) rounds the way the verifier's does.
class ExactProduct {
 public:
  void times(std::uint64_t c, std::uint64_t u) {
    if (c == u) return;  // a factor of 1 (the common case): nothing to reduce
    approx_ *= static_cast<double>(c) / static_cast<double>(u);
    if (!exact_) return;
    const std::uint64_t g1 = std::gcd(num_, u), g2 = std::gcd(c, den_);
    std::uint64_t num = 0, den = 0;
    if (__builtin_mul_overflow(num_ / g1, c / g2, &num) ||
        __builtin_mul_overflow(den_ / g2, u / g1, &den) || den > kMaxDen) {
      exact_ = false;
      return;
    }
    num_ = num;
    den_ = den;
  }
  double rounded() const {
    return exact_ ? round_ratio_4dp(num_, den_) : std::nearbyint(approx_ * 1e4) / 1e4;
  }

 private:
  static constexpr std::uint64_t kMaxDen = 1'000'000'000'000'000'000ULL;
  std::uint64_t num_ = 1, den_ = 1;
  double approx_ = 1.0;
  bool exact_ = true;
};

}  // namespace

std::vector<HexDensityLevel> hip104_hex_density_levels() {
  std::vector<HexDensityLevel> levels;
  for (int res = 10; res >= 4; --res)
    levels.push_back(hip104_level(res));
  return levels;
}

HexHierarchy planar_hex_hierarchy() {
  return {hex_resolution, hex_parent, hex_disk1};
}

HexDensity::HexDensity(HexDensitySpec spec) : spec_(std::move(spec)) {
  auto& levels = spec_.levels;
  std::sort(levels.begin(), levels.end(),
            [](const HexDensityLevel& a, const HexDensityLevel& b) { return a.res > b.res; });
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const HexDensityLevel& l = levels[i];
    const std::string at = "HexDensity: level res " + std::to_string(l.res);
    if (l.res < 0 || l.res >= kHexDensityBaseResolution) {
      throw std::invalid_argument(at + " must be in 0..10");
    }
    if (i > 0 && levels[i - 1].res == l.res) throw std::invalid_argument(at + " appears twice");
    if (l.n < 0 || l.target < 1 || l.max < l.target) {
      throw std::invalid_argument(at + " needs n >= 0, target >= 1 and max >= target");
    }
  }
  if (!(spec_.default_scale >= 0.0 && spec_.default_scale <= 1.0)) {
    throw std::invalid_argument("HexDensity: default_scale must be in [0, 1]");
  }
}

std::vector<double> HexDensity::scales(std::span<const HexCell> res11_cell_of_hotspot) const {
  return scales(res11_cell_of_hotspot, planar_hex_hierarchy());
}

std::vector<double> HexDensity::scales(std::span<const HexCell> cells,
                                       const HexHierarchy& grid) const {
  return HexDensityPlan(*this, cells, grid).scales(std::vector<std::uint8_t>(cells.size(), 1));
}

HexDensityPlan::HexDensityPlan(const HexDensity& density, std::span<const HexCell> cells,
                               const HexHierarchy& grid)
    : rules_(density.spec().levels),
      default_scale_(density.spec().default_scale),
      base_of_(cells.size(), kNone),
      levels_(rules_.size() + 1) {
  CellIndex child;
  child.index.reserve(cells.size());
  for (std::size_t h = 0; h < cells.size(); ++h) {
    if (cells[h] == kNoHexCell) continue;
    if (grid.resolution(cells[h]) != kHexDensityBaseResolution) {
      throw std::invalid_argument("HexDensity: hotspot " + std::to_string(h) +
                                  " is not given a res-11 cell");
    }
    base_of_[h] = child.add(cells[h]);
  }
  levels_[0].cells = child.cells.size();
  for (std::size_t k = 0; k < rules_.size(); ++k) {
    CellIndex level;
    level.index.reserve(child.cells.size());
    Level& below = levels_[k];
    below.parent.resize(child.cells.size());
    for (std::size_t i = 0; i < child.cells.size(); ++i)
      below.parent[i] = level.add(grid.parent(child.cells[i], rules_[k].res));
    // The disk of each cell, restricted to cells of the plan: no other cell can ever be occupied.
    Level& here = levels_[k + 1];
    here.cells = level.cells.size();
    here.disk_start.assign(1, 0);
    for (HexCell cell : level.cells) {
      for (HexCell c : grid.disk1(cell)) {
        const auto it = level.index.find(c);
        if (it != level.index.end()) here.disk.push_back(it->second);
      }
      here.disk_start.push_back(static_cast<std::uint32_t>(here.disk.size()));
    }
    child = std::move(level);
  }
}

std::vector<double> HexDensityPlan::scales(std::span<const std::uint8_t> live) const {
  if (live.size() != base_of_.size()) {
    throw std::invalid_argument("HexDensityPlan: one live flag per hotspot");
  }
  // Per level, each cell's unclipped and clipped counts.
  std::vector<std::vector<std::uint64_t>> unclipped(levels_.size()), clipped(levels_.size());
  unclipped[0].assign(levels_[0].cells, 0);
  for (std::size_t h = 0; h < live.size(); ++h) {
    if (live[h] != 0 && base_of_[h] != kNone) ++unclipped[0][base_of_[h]];
  }
  clipped[0] = unclipped[0];  // no rule at res 11: every hotspot counts once

  for (std::size_t k = 0; k < rules_.size(); ++k) {
    const HexDensityLevel& rule = rules_[k];
    const Level& child = levels_[k];
    const Level& level = levels_[k + 1];
    std::vector<std::uint64_t>& sum = unclipped[k + 1];
    sum.assign(level.cells, 0);
    for (std::size_t i = 0; i < child.cells; ++i)
      sum[child.parent[i]] += clipped[k][i];
    // The verifier tests its running "clipped" map, in which cells not yet visited still hold
    // their unclipped sum. Because limit >= target (max >= target is enforced), clipped >=
    // target exactly when unclipped >= target, so testing unclipped gives the same count in any
    // visiting order.
    const auto target = static_cast<std::uint64_t>(rule.target);
    std::vector<std::uint64_t>& out = clipped[k + 1];
    out.resize(level.cells);
    for (std::size_t j = 0; j < level.cells; ++j) {
      // target <= limit <= max, so the neighbours only matter above target and below max
      // (which skips res 8..10 of HIP-104 entirely).
      if (sum[j] <= target || rule.target == rule.max) {
        out[j] = std::min(sum[j], static_cast<std::uint64_t>(rule.max));
        continue;
      }
      std::int64_t occupied = 0;
      for (std::uint32_t d = level.disk_start[j]; d < level.disk_start[j + 1]; ++d)
        occupied += sum[level.disk[d]] >= target ? 1 : 0;
      const std::int64_t above_n = std::max<std::int64_t>(occupied - rule.n, 0);
      const std::int64_t limit = std::min(rule.max, rule.target * (above_n + 1));
      out[j] = std::min(static_cast<std::uint64_t>(limit), sum[j]);
    }
  }

  // One scale per occupied res-11 cell, shared by the hotspots in it.
  std::vector<double> cell_scale(levels_[0].cells, default_scale_);
  for (std::size_t i = 0; i < levels_[0].cells; ++i) {
    if (unclipped[0][i] == 0) continue;
    ExactProduct scale;
    auto at = static_cast<std::uint32_t>(i);
    for (std::size_t k = 0; k + 1 < levels_.size(); ++k) {
      at = levels_[k].parent[at];
      scale.times(clipped[k + 1][at], unclipped[k + 1][at]);
    }
    cell_scale[i] = scale.rounded();
  }
  std::vector<double> out(live.size(), default_scale_);
  for (std::size_t h = 0; h < live.size(); ++h) {
    if (live[h] != 0 && base_of_[h] != kNone) out[h] = cell_scale[base_of_[h]];
  }
  return out;
}

HexDensitySpec read_hex_density_spec(Section s) {
  HexDensitySpec spec;
  spec.default_scale =
      s.number("default_tx_scale", spec.default_scale, "", Range::between(0.0, 1.0),
               "scale of a hotspot without an asserted location (oracles DEFAULT_TX_SCALE)");
  std::vector<HexDensityLevel> levels;
  for (Section l : s.list("levels",
                          "HIP-17 rule per resolution, finest applied first; absent "
                          "or empty: HIP-104's table for res 4..10")) {
    const bool has_res = l.has("res");
    if (!has_res && !l.describing()) l.problem("", "each level needs a res");
    const std::size_t problems_before = l.problems_so_far();
    const auto res = static_cast<int>(
        l.integer("res", 10, Range::between(0.0, kHexDensityBaseResolution - 1.0),
                  "resolution the rule applies to (required; coarser than the res-11 cells)"));
    const bool res_ok = has_res && l.problems_so_far() == problems_before;
    HexDensityLevel v = hip104_level(res);
    v.n = static_cast<int>(l.integer("n", v.n, Range::between(0.0, 7.0),
                                     "N: occupied cells in the disk before the limit grows "
                                     "(default: HIP-104's for this res)"));
    v.target = l.integer("target", v.target, Range::at_least(1.0),
                         "TGT: hotspots for a cell to count as occupied, and the limit's step");
    v.max = l.integer("max", v.max, Range::at_least(1.0), "MAX: the highest limit");
    if (v.max < v.target) l.problem("max", "must be at least target");
    if (res_ok) {
      for (const HexDensityLevel& other : levels) {
        if (other.res == res)
          l.problem("res", "resolution " + std::to_string(res) + " is listed twice");
      }
      levels.push_back(v);
    }
    l.finish();
  }
  if (!levels.empty()) spec.levels = std::move(levels);
  s.finish();
  return spec;
}

}  // namespace models
