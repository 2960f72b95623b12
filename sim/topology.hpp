#pragma once
// Who is linked to whom: node positions, the sink, and the generators of the link set.

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/random.hpp"

namespace sim {

/// A position on the simulated plane, in kilometres.
///   Point p{12.5, 3.0};  double d = distance_km(p, Point{0, 0});
struct Point {
  double x_km = 0.0;
  double y_km = 0.0;
};

/// Euclidean distance between two points, in kilometres.
double distance_km(const Point& a, const Point& b);

/// An undirected link between two vertices, stored with first < second.
using VertexPair = std::pair<std::uint32_t, std::uint32_t>;

/// The shape of the link set. Every kind links the sink (the oracle every node reports to):
/// star links it to every node; the others link it to each node within radius_km of it, and
/// always at least to the nearest node.
enum class TopologyKind : std::uint8_t { random_geometric, small_world, scale_free, star };

/// "random_geometric", "small_world", "scale_free" or "star".
std::string_view to_string(TopologyKind kind);
/// The inverse of to_string(); throws std::invalid_argument listing the valid names.
TopologyKind parse_topology_kind(std::string_view name);

/// Which topology to generate and its parameters; only those of `kind` are read.
///   TopologySpec spec{.kind = TopologyKind::small_world, .radius_km = 5, .neighbours_k = 6};
struct TopologySpec {
  TopologyKind kind = TopologyKind::random_geometric;
  /// random_geometric: nodes at most this far apart are linked. All kinds but star: the sink's
  /// attachment radius.
  double radius_km = 10.0;
  /// small_world: each node starts linked to its k nearest nodes by index on a ring (k even).
  std::uint32_t neighbours_k = 4;
  /// small_world: probability that each ring edge has its far end moved to a random node.
  double rewire_probability = 0.1;
  /// scale_free: links each new node makes, by preferential attachment.
  std::uint32_t edges_per_node_m = 2;

  /// Throws std::invalid_argument saying what was expected when a parameter of `kind` is out of
  /// range for a network of `node_count` nodes.
  void validate(std::size_t node_count) const;
};

/// A generated or hand-built link set over nodes 0..N-1 and the sink N.
///   Topology t = make_topology(spec, points, Point{50, 50}, streams);  t.sink() == points.size();
struct Topology {
  /// Nodes 0..N-1, then the sink at index N.
  std::vector<Point> positions;
  /// Each link once, first < second, sorted: the same inputs give the same list, bit for bit.
  std::vector<VertexPair> edges;

  std::uint32_t node_count() const { return static_cast<std::uint32_t>(positions.size() - 1); }
  std::uint32_t sink() const { return node_count(); }
};

/// Generates the links of `spec` over `nodes` plus a sink at `sink`. All randomness comes from
/// the stream "network.topology" of `streams`. Throws std::invalid_argument on an empty or
/// non-finite node list or a bad spec.
Topology make_topology(const TopologySpec& spec, std::vector<Point> nodes, Point sink,
                       const RandomStreams& streams);

/// The generators behind make_topology(), over node indices 0..n-1 only (no sink); each returns
/// its links sorted with first < second.
/// Pairs at most `radius_km` apart, found with an R-tree: O(n log n + links).
std::vector<VertexPair> random_geometric_links(const std::vector<Point>& nodes, double radius_km);
/// Watts–Strogatz: a ring lattice of k neighbours, each edge rewired with probability p to a
/// node that is neither itself nor already linked, so the graph keeps exactly n*k/2 links.
std::vector<VertexPair> small_world_links(std::uint32_t n, std::uint32_t k, double p,
                                          RandomStream& rng);
/// Barabási–Albert: nodes 0..m-1 start unlinked, node m links to all of them, and every later
/// node links to m distinct earlier nodes chosen with probability proportional to degree:
/// m*(n-m) links in all.
std::vector<VertexPair> scale_free_links(std::uint32_t n, std::uint32_t m, RandomStream& rng);
/// The nodes within `radius_km` of `sink`, or the nearest one (lowest index on ties) if none is.
std::vector<std::uint32_t> sink_attachments(const std::vector<Point>& nodes, Point sink,
                                            double radius_km);

}  // namespace sim
