#include "models/validation/collusion.hpp"

#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/random.hpp"

using models::CollusionDetector;
using models::CollusionReport;
using models::CollusionSpec;
using models::WitnessGraph;

namespace {

/// Honest hotspots spread uniformly over a square; each beacon is heard by every other node
/// within range_km with probability p_hear. Neighbour lists come from a grid of range-sized cells.
struct HonestNetwork {
  std::vector<double> x_km, y_km;
  std::vector<std::vector<std::uint32_t>> in_range;

  HonestNetwork(std::size_t n, double size_km, double range_km, std::uint64_t seed) {
    auto rng = sim::RandomStreams(seed, 0).stream("sites");
    for (std::size_t i = 0; i < n; ++i) {
      x_km.push_back(rng.uniform(0, size_km));
      y_km.push_back(rng.uniform(0, size_km));
    }
    const auto cells = static_cast<std::size_t>(std::ceil(size_km / range_km));
    std::vector<std::vector<std::uint32_t>> grid(cells * cells);
    const auto cell_of = [&](double v) {
      return std::min(cells - 1, static_cast<std::size_t>(v / range_km));
    };
    for (std::uint32_t i = 0; i < n; ++i)
      grid[cell_of(x_km[i]) * cells + cell_of(y_km[i])].push_back(i);
    in_range.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::size_t cx = cell_of(x_km[i]), cy = cell_of(y_km[i]);
      for (std::size_t gx = cx == 0 ? 0 : cx - 1; gx <= std::min(cells - 1, cx + 1); ++gx) {
        for (std::size_t gy = cy == 0 ? 0 : cy - 1; gy <= std::min(cells - 1, cy + 1); ++gy) {
          for (std::uint32_t j : grid[gx * cells + gy]) {
            if (j != i && std::hypot(x_km[i] - x_km[j], y_km[i] - y_km[j]) <= range_km) {
              in_range[i].push_back(j);
            }
          }
        }
      }
    }
  }

  /// One epoch of honest beacons: `beacons` per node.
  void beacon(CollusionDetector& d, int beacons, double p_hear, sim::RandomStream& rng) const {
    for (std::uint32_t i = 0; i < in_range.size(); ++i) {
      for (int b = 0; b < beacons; ++b) {
        for (std::uint32_t j : in_range[i]) {
          if (rng.bernoulli(p_hear)) d.record(i, j);
        }
      }
    }
  }
};

/// One epoch of a ring's fabricated witnessing: each member's beacons are "heard" by each other
/// member with probability p.
void ring_epoch(CollusionDetector& d, std::uint32_t first, std::uint32_t size, int beacons,
                double p, sim::RandomStream& rng) {
  for (std::uint32_t i = first; i < first + size; ++i) {
    for (int b = 0; b < beacons; ++b) {
      for (std::uint32_t j = first; j < first + size; ++j) {
        if (j != i && rng.bernoulli(p)) d.record(i, j);
      }
    }
  }
}

}  // namespace

TEST_CASE(
    "models::CollusionDetector: flags a ring of 8 that only witness each other and no honest "
    "node",
    "[unit]") {
  // 2,000 honest hotspots over 40 km x 40 km, ~16 neighbours in range, ~16 witness events each
  // a day; 8 colluders (ids 2000-2007) invent witness reports of each other's beacons.
  const std::size_t honest = 2000, ring = 8;
  const HonestNetwork net(honest, 40, 2, 11);
  CollusionSpec spec;
  CollusionDetector d(spec, honest + ring);
  auto rng = sim::RandomStreams(11, 0).stream("events");
  for (int epoch = 0; epoch < 7; ++epoch) {
    net.beacon(d, 4, 0.25, rng);
    ring_epoch(d, honest, ring, 4, 0.6, rng);
    d.end_epoch();
  }
  const CollusionReport rep = d.analyse();
  const std::uint32_t ring_cluster = rep.cluster[honest];
  for (std::uint32_t i = honest; i < honest + ring; ++i) {
    CHECK(rep.cluster[i] == ring_cluster);
    CHECK(rep.flags[i] == CollusionReport::kInsularCluster);
  }
  const models::ClusterStats& c = rep.clusters[ring_cluster];
  CHECK(c.size == ring);
  CHECK(c.density == 1.0);     // over 7 epochs every pair has met both ways
  CHECK(c.insularity == 1.0);  // no honest node ever hears a virtual node
  CHECK(c.flagged);
  std::size_t honest_flagged = 0, honest_in_big_clusters = 0;
  for (std::uint32_t i = 0; i < honest; ++i) {
    honest_flagged += rep.flagged(i);
    honest_in_big_clusters += rep.clusters[rep.cluster[i]].size >= 4;
  }
  CHECK(honest_flagged == 0);
  // The honest network is not one undifferentiated blob: label propagation cuts it into
  // clusters big enough to be judged, and they are judged innocent on insularity or density.
  CHECK(honest_in_big_clusters > honest / 2);
  for (const models::ClusterStats& s : rep.clusters) {
    if (&s != &c && s.size >= 4)
      CHECK((s.insularity < spec.min_insularity || s.density < spec.min_density));
  }
}

TEST_CASE(
    "models::CollusionDetector: finds a ring inside the honest component when it also vouches "
    "for outsiders",
    "[unit]") {
  // Each colluder also exchanges a witness report with one honest node once an epoch: the ring
  // joins the honest network's component, but stays a dense, insular cluster within it.
  const std::size_t honest = 2000, ring = 8;
  const HonestNetwork net(honest, 40, 2, 12);
  CollusionDetector d(CollusionSpec{}, honest + ring);
  auto rng = sim::RandomStreams(12, 0).stream("events");
  for (int epoch = 0; epoch < 7; ++epoch) {
    net.beacon(d, 4, 0.25, rng);
    ring_epoch(d, honest, ring, 4, 0.6, rng);
    for (std::uint32_t k = 0; k < ring; ++k) {
      d.record(honest + k, 100 + k);
      d.record(100 + k, honest + k);
    }
    d.end_epoch();
  }
  const CollusionReport rep = d.analyse();
  CHECK(rep.component[honest] == rep.component[100]);
  std::size_t ring_flagged = 0, honest_flagged = 0;
  for (std::uint32_t i = 0; i < honest + ring; ++i)
    (i >= honest ? ring_flagged : honest_flagged) += rep.flagged(i);
  CHECK(ring_flagged == ring);
  CHECK(honest_flagged == 0);
  const models::ClusterStats& c = rep.clusters[rep.cluster[honest]];
  CHECK(c.size == ring);
  // ~940 invented internal events against 8 x 2 x 7 = 112 exchanged with outsiders: ~0.89.
  CHECK(c.insularity > 0.85);
  CHECK(c.insularity < 0.95);
}

TEST_CASE("models::CollusionDetector: counts the components of the mutual-witness graph",
          "[unit]") {
  // Mutual edges: a triangle {0,1,2}, a pair {3,4}, a chain 5-6-7. One-way 8 → 9 and 2 → 3 are
  // not mutual, so 8 and 9 stay alone and the triangle and the pair stay apart: 5 components.
  CollusionDetector d(CollusionSpec{}, 10);
  const auto both = [&](std::uint32_t a, std::uint32_t b) {
    d.record(a, b);
    d.record(b, a);
  };
  both(0, 1);
  both(1, 2);
  both(0, 2);
  both(3, 4);
  both(5, 6);
  both(6, 7);
  d.record(8, 9);
  d.record(2, 3, 5);
  d.end_epoch();
  const CollusionReport rep = d.analyse();
  CHECK(rep.components == 5);
  CHECK(rep.mutual_edges == 6);
  CHECK(rep.component[0] == rep.component[1]);
  CHECK(rep.component[1] == rep.component[2]);
  CHECK(rep.component[3] == rep.component[4]);
  CHECK(rep.component[2] != rep.component[3]);
  CHECK(rep.component[5] == rep.component[7]);
  CHECK(rep.component[8] != rep.component[9]);
  const models::ClusterStats& tri = rep.clusters[rep.cluster[0]];
  CHECK(tri.size == 3);
  CHECK(tri.edges == 3);
  CHECK(tri.density == 1.0);
  CHECK(tri.internal_events == 6);
  CHECK(tri.external_events == 5);  // the one-way 2 → 3, five times
}

TEST_CASE("models::CollusionDetector: insularity decides at exactly min_insularity", "[unit]") {
  // A 4-clique with 5 events each way per pair: 12 arcs x 5 = 60 internal events. An outsider
  // that hears member 0 e times adds e external ones: insularity = 60/(60 + e).
  for (const std::uint32_t outside : {15U, 16U}) {
    CollusionSpec spec;
    spec.min_insularity = 0.8;
    CollusionDetector d(spec, 5);
    for (std::uint32_t i = 0; i < 4; ++i) {
      for (std::uint32_t j = 0; j < 4; ++j) {
        if (i != j) d.record(i, j, 5);
      }
    }
    d.record(0, 4, outside);
    d.end_epoch();
    const CollusionReport rep = d.analyse();
    const models::ClusterStats& c = rep.clusters[rep.cluster[0]];
    CHECK(c.size == 4);
    CHECK(c.density == 1.0);
    CHECK(c.insularity == Approx(60.0 / (60.0 + outside)));
    CHECK(c.flagged == (outside == 15));
    CHECK(rep.flagged(3) == (outside == 15));
    CHECK(!rep.flagged(4));
  }
}

TEST_CASE("models::CollusionDetector: flags a reciprocal pair that mostly witnesses itself",
          "[unit]") {
  // Two nodes below min_size inside an honest network: each puts ~30 reports a day into the
  // other, and also exchanges one with an honest neighbour to look connected.
  const std::size_t honest = 2000;
  const HonestNetwork net(honest, 40, 2, 13);
  CollusionDetector d(CollusionSpec{}, honest + 2);
  auto rng = sim::RandomStreams(13, 0).stream("events");
  for (int epoch = 0; epoch < 3; ++epoch) {
    net.beacon(d, 4, 0.25, rng);
    d.record(honest, honest + 1, 30);
    d.record(honest + 1, honest, 30);
    d.record(honest, 7);
    d.record(7, honest);
    d.end_epoch();
  }
  const CollusionReport rep = d.analyse();
  REQUIRE(rep.reciprocal_pairs.size() == 1);
  CHECK(rep.reciprocal_pairs[0] == std::pair<std::uint32_t, std::uint32_t>{honest, honest + 1});
  CHECK(rep.flags[honest] == CollusionReport::kReciprocalPair);
  CHECK(rep.flags[honest + 1] == CollusionReport::kReciprocalPair);
  std::size_t honest_flagged = 0;
  for (std::uint32_t i = 0; i < honest; ++i)
    honest_flagged += rep.flagged(i);
  CHECK(honest_flagged == 0);
}

TEST_CASE("models::WitnessGraph: sums epochs in the window and forgets the ones that leave it",
          "[unit]") {
  WitnessGraph g(3, 2);
  g.record(0, 1);
  g.record(0, 1, 2);
  g.record(1, 1);  // self-witness: ignored
  g.end_epoch();
  CHECK(g.count(0, 1) == 3);
  CHECK(g.count(1, 0) == 0);
  CHECK(g.count(1, 1) == 0);
  g.record(0, 1);
  g.record(2, 0, 4);
  CHECK(g.count(2, 0) == 0);  // the open epoch is not counted until it closes
  g.end_epoch();
  CHECK(g.count(0, 1) == 4);
  CHECK(g.count(2, 0) == 4);
  CHECK(g.epochs_held() == 2);
  g.end_epoch();  // the first epoch leaves the window
  CHECK(g.count(0, 1) == 1);
  g.end_epoch();
  CHECK(g.arcs().empty());
  CHECK(g.epochs_held() == 2);
  CHECK_THROWS_AS(g.record(0, 3), std::out_of_range);
}

TEST_CASE(
    "models::CollusionDetector: a ring that stops colluding is cleared once its epochs expire",
    "[unit]") {
  CollusionSpec spec;
  spec.window_epochs = 2;
  CollusionDetector d(spec, 8);
  auto rng = sim::RandomStreams(14, 0).stream("events");
  ring_epoch(d, 0, 8, 4, 1.0, rng);
  d.end_epoch();
  CHECK(d.analyse().flagged(0));
  d.end_epoch();  // quiet epoch: the ring epoch is still in the window
  CHECK(d.analyse().flagged(0));
  d.end_epoch();  // now it has left
  const CollusionReport rep = d.analyse();
  CHECK(rep.mutual_edges == 0);
  CHECK(rep.components == 8);
  for (std::uint32_t i = 0; i < 8; ++i)
    CHECK(!rep.flagged(i));
}

TEST_CASE("models::read_collusion_spec: reads the keys and refuses a density above 1", "[unit]") {
  using sim::config::Document;
  using sim::config::Reader;
  using sim::config::Section;
  const Document ok = Document::load_string("window_epochs: 3\nmin_size: 5\n", "c.yaml");
  Reader r(ok);
  const CollusionSpec spec =
      models::read_collusion_spec(Section::root(r, YAML::Node(YAML::NodeType::Map)));
  CHECK(r.ok());
  CHECK(spec.window_epochs == 3);
  CHECK(spec.min_size == 5);
  CHECK(spec.min_density == 0.8);
  const Document bad = Document::load_string("min_density: 1.5\n", "c.yaml");
  Reader rb(bad);
  models::read_collusion_spec(Section::root(rb, YAML::Node(YAML::NodeType::Map)));
  CHECK(rb.problems().size() == 1);
}

TEST_CASE("models::CollusionDetector: scales to 100,000 nodes and a week of witness events",
          "[.][slow]") {
  // 100,000 honest hotspots (~16 events each a day) and 10 rings of 8, over 7 epochs.
  const std::size_t honest = 100'000, rings = 10, ring = 8;
  const HonestNetwork net(honest, 280, 2, 15);
  CollusionDetector d(CollusionSpec{}, honest + rings * ring);
  auto rng = sim::RandomStreams(15, 0).stream("events");
  for (int epoch = 0; epoch < 7; ++epoch) {
    net.beacon(d, 4, 0.25, rng);
    for (std::size_t k = 0; k < rings; ++k)
      ring_epoch(d, static_cast<std::uint32_t>(honest + k * ring), ring, 4, 0.6, rng);
    d.end_epoch();
  }
  const CollusionReport rep = d.analyse();
  std::size_t ring_flagged = 0, honest_flagged = 0;
  for (std::uint32_t i = 0; i < honest + rings * ring; ++i)
    (i >= honest ? ring_flagged : honest_flagged) += rep.flagged(i);
  CHECK(ring_flagged == rings * ring);
  CHECK(honest_flagged == 0);
}
