#include "models/rewards/hex_density.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>

#include <catch2/catch.hpp>

using models::hex_cell_at;
using models::hex_center_km;
using models::hex_disk1;
using models::hex_parent;
using models::HexCell;
using models::HexDensity;
using models::HexDensityLevel;
using models::HexDensitySpec;
using sim::config::Document;
using sim::config::Reader;
using sim::config::Section;

namespace {

// `count` res-11 cells spread over the disc of `radius_km` around the centre of `cell`.
std::vector<HexCell> hotspots_near(HexCell cell, int count, double radius_km) {
  const auto [cx, cy] = hex_center_km(cell);
  std::vector<HexCell> out;
  for (int i = 0; i < count; ++i) {
    const double a = 2.399963 * i;  // golden-angle spiral: distinct, evenly spread points
    const double d = radius_km * std::sqrt((i + 0.5) / count);
    out.push_back(hex_cell_at(cx + d * std::cos(a), cy + d * std::sin(a), 11));
  }
  return out;
}

// The ancestor HexDensity uses: parents chained through the levels 10, 9, ..., res.
HexCell chained_parent(HexCell cell, int res) {
  for (int r = models::hex_resolution(cell) - 1; r >= res; --r)
    cell = hex_parent(cell, r);
  return cell;
}

std::vector<HexCell> concat(std::vector<HexCell> a, const std::vector<HexCell>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// H3 ids (uber/h3 h3indexing.md): resolution in bits 52-55, then 3 bits per resolution digit
// with digit r in bits 3(15 - r) .. 3(15 - r) + 2; the parent at res p sets p and fills the
// digits below with 7.
int h3_resolution(HexCell h) {
  return static_cast<int>((h >> 52) & 0xF);
}
HexCell h3_parent(HexCell h, int res) {
  HexCell p = (h & ~(HexCell{0xF} << 52)) | (static_cast<HexCell>(res) << 52);
  for (int r = res + 1; r <= 15; ++r)
    p |= HexCell{7} << (3 * (15 - r));
  return p;
}

// Reads `yaml`'s hex_density section; returns the spec and every problem found.
struct ReadResult {
  HexDensitySpec spec;
  std::vector<sim::config::Problem> problems;
};
ReadResult read_spec(const std::string& yaml) {
  const Document doc = Document::load_string(yaml, "f.yaml");
  Reader reader(doc);
  Section root = Section::root(reader, YAML::Node(YAML::NodeType::Map));
  ReadResult out{models::read_hex_density_spec(root.section("hex_density", "")), {}};
  root.finish();
  out.problems = reader.problems();
  return out;
}

}  // namespace

TEST_CASE("models::HexDensity: two isolated hotspots in one res-10 hex get 0.5 each", "[unit]") {
  // MECHANISMS.md 1.1 toy test: res-10 limit is 1 (HIP-104), so clipped/unclipped = 1/2 there;
  // every coarser ancestor holds one clipped unit and keeps it.
  const HexCell a = hex_cell_at(0.0, 0.0, 11);
  const HexCell b = hex_cell_at(0.05, 0.0, 11);  // the next res-11 cell east
  REQUIRE(a != b);
  REQUIRE(hex_parent(a, 10) == hex_parent(b, 10));
  const HexDensity density(HexDensitySpec{});
  CHECK(density.scales(std::vector<HexCell>{a, b}) == std::vector<double>{0.5, 0.5});
  // One hotspot alone keeps its full reward.
  CHECK(density.scales(std::vector<HexCell>{a}) == std::vector<double>{1.0});
}

TEST_CASE("models::HexDensity: a dense cluster in one res-8 cell shares that level's limit",
          "[unit]") {
  const HexCell cell8 = hex_cell_at(40.0, -25.0, 8);
  // Within 0.15 km of the centre the chained ancestors stay in this res-8 cell (the res-9
  // centre drifts at most 0.03 + 0.08 + 0.2 km; the cell's inradius is 0.46 km).
  const std::vector<HexCell> cluster = hotspots_near(cell8, 40, 0.15);
  for (HexCell c : cluster)
    REQUIRE(chained_parent(c, 8) == cell8);

  // HIP-104: res-8 limit is 1 and nothing coarser clips a single unit, so the scales add up
  // to 1 (up to the 4-dp rounding of each), however unevenly the res-9/10 cells share it.
  const std::vector<double> hip104 = HexDensity(HexDensitySpec{}).scales(cluster);
  CHECK(std::accumulate(hip104.begin(), hip104.end(), 0.0) == Approx(1.0).margin(40 * 0.00005));
  CHECK(*std::min_element(hip104.begin(), hip104.end()) <
        *std::max_element(hip104.begin(), hip104.end()));

  // A single rule at res 8 with N 2, TGT 3, MAX 6: the cell is the only occupied one in its
  // disk, so limit = min(6, 3 * max(1 - 2 + 1, 1)) = 3 and each of the 40 gets 3/40 = 0.075.
  HexDensitySpec spec;
  spec.levels = {{8, 2, 3, 6}};
  const std::vector<double> single = HexDensity(spec).scales(cluster);
  CHECK(std::all_of(single.begin(), single.end(), [](double s) { return s == 0.075; }));
  CHECK(std::accumulate(single.begin(), single.end(), 0.0) == Approx(3.0));
}

TEST_CASE("models::HexDensity: occupied neighbours raise the limit as HIP-17 prescribes",
          "[unit]") {
  // One rule, HIP-104's res 7: N = 4, TGT = 5, MAX = 10. The centre cell C holds 12 hotspots;
  // E, NE, NW, W, SW, SE are its neighbours (hex_disk1 order).
  HexDensitySpec spec;
  spec.levels = {{7, 4, 5, 10}};
  const HexDensity density(spec);
  const auto disk = hex_disk1(hex_cell_at(0.0, 0.0, 7));
  const auto in = [&](int k, int count) {
    std::vector<HexCell> cells = hotspots_near(disk[k], count, 0.8);
    for (HexCell c : cells)
      REQUIRE(hex_parent(c, 7) == disk[k]);
    return cells;
  };
  const std::vector<HexCell> centre = in(0, 12);

  // C alone: occupied = 1, 1 - 4 saturates to 0, limit = 5 * 1 = 5, scale 5/12 = 0.4167.
  CHECK(density.scales(centre) == std::vector<double>(12, 0.4167));

  // E, NE, NW, W with 5 each (= TGT): C's disk has 5 occupied, limit = min(10, 5 * (5-4+1)) = 10,
  // scale 10/12 = 0.8333. E sees itself, C and NE (3 occupied), NE sees E, C, NW and itself (4):
  // both limits are 5 = their count, so every neighbour keeps scale 1.
  std::vector<HexCell> four = centre;
  for (int k = 1; k <= 4; ++k)
    four = concat(four, in(k, 5));
  std::vector<double> expect(12, 0.8333);
  expect.resize(32, 1.0);
  CHECK(density.scales(four) == expect);

  // W with 4 (< TGT) does not count: C is back to 4 occupied, limit 5, 0.4167; W keeps 4 <= 5.
  std::vector<HexCell> three = centre;
  for (int k = 1; k <= 3; ++k)
    three = concat(three, in(k, 5));
  three = concat(three, in(4, 4));
  expect.assign(12, 0.4167);
  expect.resize(31, 1.0);
  CHECK(density.scales(three) == expect);

  // All six with 5: occupied 7, 5 * (7-4+1) = 20 is capped by MAX at 10, still 0.8333.
  std::vector<HexCell> six = centre;
  for (int k = 1; k <= 6; ++k)
    six = concat(six, in(k, 5));
  expect.assign(12, 0.8333);
  expect.resize(42, 1.0);
  CHECK(density.scales(six) == expect);
}

TEST_CASE("models::HexDensity: reproduces the verifier's published test on H3 ids", "[unit]") {
  // helium/oracles iot_verifier hex_density.rs simple_scale_check: 36 hotspots on 31 res-12
  // cells under res-8 hex 613196592008134655 (the live ledger of 2022-10-14). The roll-up runs
  // on the H3 hierarchy decoded from the ids. Neighbours are irrelevant here: res 8..10 have
  // MAX 1, so their limit is 1 whatever the disk holds, and from res 7 up there is one cell
  // per resolution; the disk is therefore given as the cell alone.
  const std::vector<HexCell> res12{
      631210990515536895, 631210990515536895, 631210990515536895, 631210990515537919,
      631210990515537919, 631210990515537919, 631210990515538431, 631210990515564031,
      631210990515589631, 631210990515600383, 631210990515601919, 631210990515606527,
      631210990515722239, 631210990515722239, 631210990515727359, 631210990515728895,
      631210990515739647, 631210990515874303, 631210990515924479, 631210990516363775,
      631210990515987455, 631210990516590079, 631210990516612607, 631210990516613631,
      631210990516640767, 631210990516876799, 631210990516885503, 631210990516888063,
      631210990516907007, 631210990516912639, 631210990516955647, 631210990516996607,
      631210990517011455, 631210990517016575, 631210990517144063, 631210990517264895};
  const std::map<HexCell, double> expected{
      {631210990515537919, 0.0060}, {631210990516955647, 0.0417}, {631210990516885503, 0.0139},
      {631210990515601919, 0.0104}, {631210990516590079, 0.0556}, {631210990516888063, 0.0139},
      {631210990516640767, 0.0556}, {631210990516907007, 0.0208}, {631210990515874303, 0.0556},
      {631210990517011455, 0.0139}, {631210990516363775, 0.1667}, {631210990515589631, 0.0104},
      {631210990516996607, 0.0139}, {631210990515600383, 0.0104}, {631210990517016575, 0.0139},
      {631210990515606527, 0.0104}, {631210990515739647, 0.0083}, {631210990516613631, 0.0278},
      {631210990516876799, 0.0139}, {631210990515924479, 0.0556}, {631210990515538431, 0.0060},
      {631210990515536895, 0.0060}, {631210990517144063, 0.0833}, {631210990517264895, 0.0833},
      {631210990516612607, 0.0278}, {631210990515722239, 0.0083}, {631210990516912639, 0.0208},
      {631210990515727359, 0.0083}, {631210990515564031, 0.0417}, {631210990515728895, 0.0083},
      {631210990515987455, 0.0556}};
  std::vector<HexCell> res11;
  for (HexCell h : res12) {
    REQUIRE(h3_resolution(h) == 12);
    REQUIRE(h3_parent(h, 8) == 613196592008134655);
    res11.push_back(h3_parent(h, 11));
  }
  const models::HexHierarchy h3{h3_resolution, h3_parent,
                                [](HexCell c) { return std::array<HexCell, 7>{c}; }};
  const std::vector<double> scales = HexDensity(HexDensitySpec{}).scales(res11, h3);
  for (std::size_t i = 0; i < res12.size(); ++i) {
    INFO("hotspot " << i << " on " << res12[i]);
    CHECK(scales[i] == expected.at(res12[i]));
  }
}

TEST_CASE("models::HexDensity: rounds half to even and gives located-less hotspots 0.2", "[unit]") {
  // 32 hotspots in one res-10 cell: 1/32 = 0.03125 exactly, which rust_decimal's round_dp
  // (half to even) makes 0.0312, where half-up would give 0.0313.
  const HexCell c = hex_cell_at(1.0, 2.0, 11);
  std::vector<HexCell> cells(32, c);
  cells.push_back(models::kNoHexCell);
  const std::vector<double> s = HexDensity(HexDensitySpec{}).scales(cells);
  CHECK(s.front() == 0.0312);
  CHECK(s.back() == 0.2);
  CHECK_THROWS_AS(HexDensity(HexDensitySpec{}).scales(std::vector<HexCell>{hex_parent(c, 10)}),
                  std::invalid_argument);
}

TEST_CASE("models::HexDensity: 100,000 hotspots, in any order, never beat a level's limit",
          "[unit]") {
  // Hotspots clustered in "towns" so that every level's limit binds somewhere.
  std::mt19937_64 rng(29);
  std::uniform_real_distribution<double> town(-150.0, 150.0);
  std::normal_distribution<double> spread(0.0, 1.5);
  std::vector<std::pair<double, double>> towns(400);
  for (auto& t : towns)
    t = {town(rng), town(rng)};
  std::vector<HexCell> cells(100'000);
  for (auto& cell : cells) {
    const auto& t = towns[rng() % towns.size()];
    cell = hex_cell_at(t.first + spread(rng), t.second + spread(rng), 11);
  }
  const HexDensity density(HexDensitySpec{});
  const std::vector<double> s = density.scales(cells);
  REQUIRE(s.size() == cells.size());
  // Summed over the hotspots under a cell, the scales telescope to at most the cell's clipped
  // count, and so to its MAX: 1 at res 8..10, 10 at res 7.
  std::map<HexCell, double> sum8, sum7;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    REQUIRE(s[i] > 0.0);
    REQUIRE(s[i] <= 1.0);
    const HexCell c8 = chained_parent(cells[i], 8);
    sum8[c8] += s[i] - 0.00005;  // rounding may have raised each by up to this
    sum7[hex_parent(c8, 7)] += s[i] - 0.00005;
  }
  for (const auto& [cell, sum] : sum8)
    REQUIRE(sum <= 1.0 + 1e-9);
  for (const auto& [cell, sum] : sum7)
    REQUIRE(sum <= 10.0 + 1e-9);

  std::vector<std::size_t> order(cells.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<HexCell> shuffled(cells.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    shuffled[i] = cells[order[i]];
  const std::vector<double> t = density.scales(shuffled);
  for (std::size_t i = 0; i < order.size(); ++i)
    REQUIRE(t[i] == s[order[i]]);
}

TEST_CASE("models::read_hex_density_spec: HIP-104 by default, levels override per key", "[unit]") {
  ReadResult r = read_spec("hex_density: {}\n");
  CHECK(r.problems.empty());
  CHECK(r.spec.default_scale == 0.2);
  REQUIRE(r.spec.levels.size() == 7);
  CHECK(r.spec.levels[0].res == 10);
  CHECK(r.spec.levels[3].res == 7);
  CHECK(r.spec.levels[3].n == 4);
  CHECK(r.spec.levels[3].target == 5);
  CHECK(r.spec.levels[3].max == 10);
  CHECK(r.spec.levels[6].max == 1000);

  r = read_spec(
      "hex_density:\n  default_tx_scale: 0.5\n  levels:\n    - {res: 7, max: 20}\n"
      "    - {res: 9, n: 3, target: 2, max: 4}\n");
  CHECK(r.problems.empty());
  CHECK(r.spec.default_scale == 0.5);
  REQUIRE(r.spec.levels.size() == 2);
  CHECK(r.spec.levels[0].res == 7);
  CHECK(r.spec.levels[0].n == 4);  // HIP-104's res-7 values where the file is silent
  CHECK(r.spec.levels[0].target == 5);
  CHECK(r.spec.levels[0].max == 20);
  CHECK(r.spec.levels[1].n == 3);
  CHECK(HexDensity(r.spec).spec().levels.front().res == 9);  // applied finest first

  r = read_spec(
      "hex_density:\n  levels:\n    - {res: 7, target: 5, max: 4}\n    - {res: 11}\n"
      "    - {n: 2}\n    - {res: 7}\n  extra: 1\n");
  REQUIRE(r.problems.size() == 5);
  CHECK(r.problems[0].key == "hex_density.levels[0].max");
  CHECK(r.problems[1].key == "hex_density.levels[1].res");
  CHECK(r.problems[2].key == "hex_density.levels[2]");
  CHECK(r.problems[3].key == "hex_density.levels[3].res");
  CHECK(r.problems[3].message == "resolution 7 is listed twice");
  CHECK(r.problems[4].key == "hex_density.extra");
}

TEST_CASE("models::HexDensity: refuses levels that the roll-up cannot apply", "[unit]") {
  const auto with = [](std::vector<HexDensityLevel> levels) {
    HexDensitySpec spec;
    spec.levels = std::move(levels);
    return spec;
  };
  CHECK_THROWS_AS(HexDensity(with({{11, 2, 1, 1}})), std::invalid_argument);
  CHECK_THROWS_AS(HexDensity(with({{8, 2, 1, 1}, {8, 2, 1, 1}})), std::invalid_argument);
  CHECK_THROWS_AS(HexDensity(with({{8, 2, 0, 1}})), std::invalid_argument);
  CHECK_THROWS_AS(HexDensity(with({{8, 2, 5, 4}})), std::invalid_argument);
  CHECK_NOTHROW(HexDensity(with({})));
}

TEST_CASE("models::HexDensityPlan: a plan's scales for live hotspots are HexDensity's for them",
          "[unit]") {
  // Crowded and sparse places over a few res-5 cells, so that every HIP-104 level clips
  // somewhere; then random live subsets, each compared with a fresh roll-up of the live cells.
  std::vector<HexCell> cells;
  for (int k = 0; k < 6; ++k) {
    const HexCell centre = hex_cell_at(30.0 * k, 12.0 * k, 9);
    const std::vector<HexCell> near = hotspots_near(centre, 40 + 30 * k, 0.5 + 4.0 * k);
    cells.insert(cells.end(), near.begin(), near.end());
  }
  cells.push_back(models::kNoHexCell);  // a hotspot without a location
  const HexDensity density{HexDensitySpec{}};
  const models::HexDensityPlan plan(density, cells);
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::uint8_t> live(cells.size());
    std::vector<HexCell> live_cells(cells.size(), models::kNoHexCell);
    for (std::size_t h = 0; h < cells.size(); ++h) {
      live[h] = rng() % 4 != 0 ? 1 : 0;  // three in four, and every one in round 0
      if (round == 0) live[h] = 1;
      if (live[h] != 0) live_cells[h] = cells[h];
    }
    const std::vector<double> expected = density.scales(live_cells);
    CHECK(plan.scales(live) == expected);
    // Not a trivial case: the crowded places are clipped, below a scale of 1.
    if (round == 0) CHECK(*std::min_element(expected.begin(), expected.end() - 1) < 0.5);
  }
  CHECK_THROWS_AS(plan.scales(std::vector<std::uint8_t>(3, 1)), std::invalid_argument);
}
