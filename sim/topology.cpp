#include "sim/topology.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include <boost/geometry.hpp>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/index/rtree.hpp>

namespace sim {

namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using GeoPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using GeoBox = bg::model::box<GeoPoint>;
using IndexedPoint = std::pair<GeoPoint, std::uint32_t>;

constexpr std::array<std::pair<TopologyKind, std::string_view>, 4> kKindNames{{
    {TopologyKind::random_geometric, "random_geometric"},
    {TopologyKind::small_world, "small_world"},
    {TopologyKind::scale_free, "scale_free"},
    {TopologyKind::star, "star"},
}};

// One criterion for "within the radius", shared by every generator, so that the R-tree search
// and a brute-force check agree to the last bit.
bool within(const Point& a, const Point& b, double radius_km) {
  const double dx = a.x_km - b.x_km;
  const double dy = a.y_km - b.y_km;
  return dx * dx + dy * dy <= radius_km * radius_km;
}

bool finite(const Point& p) {
  return std::isfinite(p.x_km) && std::isfinite(p.y_km);
}

std::uint64_t pair_key(std::uint32_t a, std::uint32_t b) {
  const auto [lo, hi] = std::minmax(a, b);
  return (std::uint64_t{lo} << 32) | hi;
}

VertexPair ordered(std::uint32_t a, std::uint32_t b) {
  const auto [lo, hi] = std::minmax(a, b);
  return VertexPair{lo, hi};
}

}  // namespace

double distance_km(const Point& a, const Point& b) {
  return std::hypot(a.x_km - b.x_km, a.y_km - b.y_km);
}

std::string_view to_string(TopologyKind kind) {
  for (const auto& [k, name] : kKindNames)
    if (k == kind) return name;
  return "unknown";
}

TopologyKind parse_topology_kind(std::string_view name) {
  for (const auto& [k, n] : kKindNames)
    if (n == name) return k;
  std::string valid;
  for (const auto& [k, n] : kKindNames) {
    if (!valid.empty()) valid += ", ";
    valid += n;
  }
  throw std::invalid_argument("topology kind '" + std::string(name) + "' is not one of: " + valid);
}

void TopologySpec::validate(std::size_t node_count) const {
  const std::string n = std::to_string(node_count);
  if (kind != TopologyKind::star) {
    const bool strict = kind == TopologyKind::random_geometric;
    if (!std::isfinite(radius_km) || radius_km < 0.0 || (strict && radius_km == 0.0)) {
      throw std::invalid_argument(std::string("TopologySpec: radius_km must be finite and ") +
                                  (strict ? "positive" : "non-negative") + ", got " +
                                  std::to_string(radius_km));
    }
  }
  if (kind == TopologyKind::small_world) {
    if (neighbours_k < 2 || neighbours_k % 2 != 0 || neighbours_k >= node_count) {
      throw std::invalid_argument(
          "TopologySpec: small_world neighbours_k must be even, at least 2 and less than the "
          "node count (" +
          n + "), got " + std::to_string(neighbours_k));
    }
    if (!(rewire_probability >= 0.0 && rewire_probability <= 1.0)) {
      throw std::invalid_argument(
          "TopologySpec: small_world rewire_probability must be in [0, 1], got " +
          std::to_string(rewire_probability));
    }
  }
  if (kind == TopologyKind::scale_free &&
      (edges_per_node_m < 1 || edges_per_node_m >= node_count)) {
    throw std::invalid_argument(
        "TopologySpec: scale_free edges_per_node_m must be at least 1 and less than the node "
        "count (" +
        n + "), got " + std::to_string(edges_per_node_m));
  }
}

std::vector<VertexPair> random_geometric_links(const std::vector<Point>& nodes, double radius_km) {
  std::vector<IndexedPoint> indexed;
  indexed.reserve(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i)
    indexed.emplace_back(GeoPoint(nodes[i].x_km, nodes[i].y_km), static_cast<std::uint32_t>(i));
  // The packing constructor bulk-loads the tree: faster to build and query than inserting.
  const bgi::rtree<IndexedPoint, bgi::rstar<16>> tree(indexed.begin(), indexed.end());

  // The query box is widened by a hair so that rounding in x +- r never hides a point exactly on
  // the circle; within() then decides exactly.
  const double half = radius_km * (1.0 + 1e-9) + 1e-12;
  std::vector<VertexPair> links;
  std::vector<IndexedPoint> hits;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Point& p = nodes[i];
    const GeoBox box(GeoPoint(p.x_km - half, p.y_km - half),
                     GeoPoint(p.x_km + half, p.y_km + half));
    hits.clear();
    tree.query(bgi::intersects(box), std::back_inserter(hits));
    for (const auto& [geo, j] : hits)
      if (j > i && within(p, nodes[j], radius_km))
        links.emplace_back(static_cast<std::uint32_t>(i), j);
  }
  std::sort(links.begin(), links.end());
  return links;
}

std::vector<VertexPair> small_world_links(std::uint32_t n, std::uint32_t k, double p,
                                          RandomStream& rng) {
  const std::uint32_t half = k / 2;
  std::vector<VertexPair> links;
  links.reserve(std::size_t{n} * half);
  std::unordered_set<std::uint64_t> present;
  present.reserve(std::size_t{n} * half * 2);
  std::vector<std::uint32_t> degree(n, k);
  // Ring edge (u, u + j) sits at index (j - 1) * n + u.
  for (std::uint32_t j = 1; j <= half; ++j) {
    for (std::uint32_t u = 0; u < n; ++u) {
      const std::uint32_t v = (u + j) % n;
      links.push_back(ordered(u, v));
      present.insert(pair_key(u, v));
    }
  }
  // Rewiring in ring order, moving the far end, follows Watts & Strogatz (1998). A node already
  // linked to every other keeps its edge, as no new partner exists.
  for (std::uint32_t j = 1; j <= half; ++j) {
    for (std::uint32_t u = 0; u < n; ++u) {
      if (!rng.bernoulli(p) || degree[u] >= n - 1) continue;
      std::uint32_t w = 0;
      do {
        w = static_cast<std::uint32_t>(rng.uniform_int(n));
      } while (w == u || present.count(pair_key(u, w)) != 0);
      const std::uint32_t v = (u + j) % n;
      present.erase(pair_key(u, v));
      present.insert(pair_key(u, w));
      --degree[v];
      ++degree[w];
      links[std::size_t{j - 1} * n + u] = ordered(u, w);
    }
  }
  std::sort(links.begin(), links.end());
  return links;
}

std::vector<VertexPair> scale_free_links(std::uint32_t n, std::uint32_t m, RandomStream& rng) {
  std::vector<VertexPair> links;
  links.reserve(std::size_t{m} * (n - m));
  // Every link appends both its ends, so a uniform pick from this list is a degree-weighted pick.
  std::vector<std::uint32_t> ends;
  ends.reserve(2 * links.capacity());
  std::vector<std::uint32_t> targets(m);
  for (std::uint32_t t = 0; t < m; ++t)
    targets[t] = t;
  constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> chosen_by(n, kNone);
  for (std::uint32_t source = m; source < n; ++source) {
    for (std::uint32_t t : targets) {
      links.emplace_back(t, source);
      ends.push_back(t);
      ends.push_back(source);
    }
    if (source + 1 == n) break;
    targets.clear();
    while (targets.size() < m) {
      const std::uint32_t t = ends[rng.uniform_int(ends.size())];
      if (chosen_by[t] == source) continue;
      chosen_by[t] = source;
      targets.push_back(t);
    }
  }
  std::sort(links.begin(), links.end());
  return links;
}

std::vector<std::uint32_t> sink_attachments(const std::vector<Point>& nodes, Point sink,
                                            double radius_km) {
  std::vector<std::uint32_t> attached;
  std::uint32_t nearest = 0;
  double nearest_sq = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto id = static_cast<std::uint32_t>(i);
    if (within(nodes[i], sink, radius_km)) attached.push_back(id);
    const double dx = nodes[i].x_km - sink.x_km;
    const double dy = nodes[i].y_km - sink.y_km;
    if (dx * dx + dy * dy < nearest_sq) {
      nearest_sq = dx * dx + dy * dy;
      nearest = id;
    }
  }
  if (attached.empty() && !nodes.empty()) attached.push_back(nearest);
  return attached;
}

Topology make_topology(const TopologySpec& spec, std::vector<Point> nodes, Point sink,
                       const RandomStreams& streams) {
  if (nodes.empty()) throw std::invalid_argument("make_topology: expected at least one node");
  if (nodes.size() >= std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("make_topology: expected fewer than 2^32 - 1 nodes");
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (!finite(nodes[i])) {
      throw std::invalid_argument("make_topology: node " + std::to_string(i) +
                                  " has a non-finite position");
    }
  }
  if (!finite(sink))
    throw std::invalid_argument("make_topology: the sink's position is not finite");
  spec.validate(nodes.size());

  const auto n = static_cast<std::uint32_t>(nodes.size());
  RandomStream rng = streams.stream("network.topology");
  Topology t;
  switch (spec.kind) {
    case TopologyKind::random_geometric:
      t.edges = random_geometric_links(nodes, spec.radius_km);
      break;
    case TopologyKind::small_world:
      t.edges = small_world_links(n, spec.neighbours_k, spec.rewire_probability, rng);
      break;
    case TopologyKind::scale_free:
      t.edges = scale_free_links(n, spec.edges_per_node_m, rng);
      break;
    case TopologyKind::star:
      break;
  }
  if (spec.kind == TopologyKind::star) {
    for (std::uint32_t i = 0; i < n; ++i)
      t.edges.emplace_back(i, n);
  } else {
    for (std::uint32_t i : sink_attachments(nodes, sink, spec.radius_km))
      t.edges.emplace_back(i, n);
    std::sort(t.edges.begin(), t.edges.end());
  }
  t.positions = std::move(nodes);
  t.positions.push_back(sink);
  return t;
}

}  // namespace sim
