#include "sim/network.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/property_map/function_property_map.hpp>

namespace sim {

namespace {
VertexPair ordered(std::size_t a, std::size_t b) {
  const auto lo = static_cast<std::uint32_t>(std::min(a, b));
  const auto hi = static_cast<std::uint32_t>(std::max(a, b));
  return VertexPair{lo, hi};
}
}  // namespace

void LinkModel::validate() const {
  if (base_latency < Time{}) {
    throw std::invalid_argument("LinkModel: base_latency must be non-negative, got " +
                                std::to_string(base_latency.ticks()) + " us");
  }
  if (!std::isfinite(per_km_latency_us) || per_km_latency_us < 0.0) {
    throw std::invalid_argument(
        "LinkModel: per_km_latency_us must be finite and non-negative, got " +
        std::to_string(per_km_latency_us));
  }
  if (jitter_mean < Time{}) {
    throw std::invalid_argument("LinkModel: jitter_mean must be non-negative, got " +
                                std::to_string(jitter_mean.ticks()) + " us");
  }
  if (!(loss_per_hop >= 0.0 && loss_per_hop <= 1.0)) {
    throw std::invalid_argument("LinkModel: loss_per_hop must be in [0, 1], got " +
                                std::to_string(loss_per_hop));
  }
}

Time LinkModel::link_latency(double length_km) const {
  return base_latency + Time::micros(std::llround(per_km_latency_us * length_km));
}

Network::Network(Topology topology, LinkModel link)
    : positions_(std::move(topology.positions)), link_(link) {
  link_.validate();
  if (positions_.empty()) {
    throw std::invalid_argument("Network: expected positions for the nodes and the sink");
  }
  sink_ = static_cast<std::uint32_t>(positions_.size() - 1);
  const std::uint32_t vertices = vertex_count();

  // Links enter the graph in sorted order, so a hand-built and a generated topology with the
  // same links give the same graph and the same routes.
  std::vector<VertexPair> links;
  links.reserve(topology.edges.size());
  for (const auto& [a, b] : topology.edges) {
    if (a >= vertices || b >= vertices || a == b) {
      throw std::invalid_argument("Network: link (" + std::to_string(a) + ", " + std::to_string(b) +
                                  ") must join two distinct vertices below " +
                                  std::to_string(vertices));
    }
    links.push_back(ordered(a, b));
  }
  std::sort(links.begin(), links.end());
  if (const auto dup = std::adjacent_find(links.begin(), links.end()); dup != links.end()) {
    throw std::invalid_argument("Network: link (" + std::to_string(dup->first) + ", " +
                                std::to_string(dup->second) + ") is listed twice");
  }

  graph_ = Graph(vertices);
  for (const auto& [a, b] : links) {
    const double length_km = distance_km(positions_[a], positions_[b]);
    boost::add_edge(a, b, Link{length_km, link_.link_latency(length_km)}, graph_);
  }
  routes_.resize(vertices);
  routes_[sink_] = std::make_unique<Routes>(compute_routes(sink_));
}

void Network::check_vertex(std::uint32_t vertex, const char* what) const {
  if (vertex >= vertex_count()) {
    throw std::invalid_argument(std::string("Network: ") + what + " " + std::to_string(vertex) +
                                " is not a vertex (expected below " +
                                std::to_string(vertex_count()) + ")");
  }
}

std::uint32_t Network::degree(std::uint32_t vertex) const {
  check_vertex(vertex, "vertex");
  return static_cast<std::uint32_t>(boost::degree(vertex, graph_));
}

std::vector<std::uint32_t> Network::neighbours(std::uint32_t vertex) const {
  check_vertex(vertex, "vertex");
  std::vector<std::uint32_t> out;
  for (auto v : boost::make_iterator_range(boost::adjacent_vertices(vertex, graph_)))
    out.push_back(static_cast<std::uint32_t>(v));
  return out;
}

std::vector<VertexPair> Network::edges() const {
  std::vector<VertexPair> out;
  out.reserve(edge_count());
  for (auto e : boost::make_iterator_range(boost::edges(graph_))) {
    out.push_back(ordered(boost::source(e, graph_), boost::target(e, graph_)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

Network::Routes Network::compute_routes(std::uint32_t to) const {
  const std::size_t n = vertex_count();
  std::vector<std::size_t> predecessor(n);
  std::vector<Time::Rep> distance(n);
  const auto index = boost::get(boost::vertex_index, graph_);
  const auto weight = boost::make_function_property_map<Graph::edge_descriptor, Time::Rep>(
      [this](Graph::edge_descriptor e) { return graph_[e].base_latency.ticks(); });
  // Links are undirected, so paths from the destination are the paths to it, and each vertex's
  // predecessor is its next hop.
  boost::dijkstra_shortest_paths(
      graph_, to,
      boost::predecessor_map(boost::make_iterator_property_map(predecessor.begin(), index))
          .distance_map(boost::make_iterator_property_map(distance.begin(), index))
          .weight_map(weight));

  constexpr Time::Rep kUnreached = std::numeric_limits<Time::Rep>::max();
  Routes r;
  r.next_hop.resize(n);
  r.hops.assign(n, kNoRoute);
  r.base_latency.resize(n);
  for (std::size_t v = 0; v < n; ++v) {
    r.next_hop[v] = static_cast<std::uint32_t>(predecessor[v]);
    r.base_latency[v] = distance[v] == kUnreached ? Time::max() : Time::micros(distance[v]);
  }
  r.hops[to] = 0;
  // Hop counts follow the predecessor tree: walk up to a vertex already counted, then unwind.
  std::vector<std::uint32_t> chain;
  for (std::uint32_t v = 0; v < n; ++v) {
    if (r.hops[v] != kNoRoute || distance[v] == kUnreached) continue;
    std::uint32_t u = v;
    while (r.hops[u] == kNoRoute) {
      chain.push_back(u);
      u = r.next_hop[u];
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
      r.hops[*it] = r.hops[r.next_hop[*it]] + 1;
    chain.clear();
  }
  return r;
}

const Network::Routes& Network::routes_to(std::uint32_t to) {
  if (!routes_[to]) routes_[to] = std::make_unique<Routes>(compute_routes(to));
  return *routes_[to];
}

std::uint32_t Network::hops_to_sink(std::uint32_t from) const {
  check_vertex(from, "source");
  return routes_[sink_]->hops[from];
}

Time Network::base_latency_to_sink(std::uint32_t from) const {
  check_vertex(from, "source");
  return routes_[sink_]->base_latency[from];
}

std::uint32_t Network::hops(std::uint32_t from, std::uint32_t to) {
  check_vertex(from, "source");
  check_vertex(to, "destination");
  return routes_to(to).hops[from];
}

Time Network::base_latency(std::uint32_t from, std::uint32_t to) {
  check_vertex(from, "source");
  check_vertex(to, "destination");
  return routes_to(to).base_latency[from];
}

std::vector<std::uint32_t> Network::route(std::uint32_t from, std::uint32_t to) {
  check_vertex(from, "source");
  check_vertex(to, "destination");
  const Routes& r = routes_to(to);
  std::vector<std::uint32_t> path;
  if (r.hops[from] == kNoRoute) return path;
  path.reserve(r.hops[from] + std::size_t{1});
  for (std::uint32_t v = from; v != to; v = r.next_hop[v])
    path.push_back(v);
  path.push_back(to);
  return path;
}

void Network::add_partition(std::vector<std::uint32_t> vertices, Time start, Time end) {
  if (end < start) {
    throw std::invalid_argument("Network::add_partition: expected start <= end, got [" +
                                std::to_string(start.ticks()) + ", " + std::to_string(end.ticks()) +
                                ") us");
  }
  for (std::uint32_t v : vertices)
    check_vertex(v, "partitioned vertex");
  std::sort(vertices.begin(), vertices.end());
  vertices.erase(std::unique(vertices.begin(), vertices.end()), vertices.end());
  partitions_.push_back(Partition{start, end, std::move(vertices)});
}

bool Network::cut_off(std::uint32_t vertex, Time at) const {
  for (const Partition& p : partitions_) {
    if (at >= p.start && at < p.end &&
        std::binary_search(p.vertices.begin(), p.vertices.end(), vertex)) {
      return true;
    }
  }
  return false;
}

bool Network::route_cut(const Routes& routes, std::uint32_t from, std::uint32_t to, Time at) const {
  // Most sends happen with no partition active: check the windows before walking the route.
  const bool any_active = std::any_of(partitions_.begin(), partitions_.end(),
                                      [at](const auto& p) { return at >= p.start && at < p.end; });
  if (!any_active) return false;
  for (std::uint32_t v = from;; v = routes.next_hop[v]) {
    if (cut_off(v, at)) return true;
    if (v == to) return false;
  }
}

SendResult Network::transit(std::uint32_t from, std::uint32_t to, Time at, RandomStream& rng) {
  check_vertex(from, "source");
  check_vertex(to, "destination");
  return travel(routes_to(to), from, to, at, rng, counters_);
}

SendResult Network::transit_to_sink(std::uint32_t from, Time at, RandomStream& rng,
                                    NetworkCounters& counts) const {
  check_vertex(from, "source");
  return travel(*routes_[sink_], from, sink_, at, rng, counts);
}

void Network::add_counts(const NetworkCounters& counts) {
  counters_.delivered += counts.delivered;
  counters_.lost += counts.lost;
  counters_.partitioned += counts.partitioned;
  counters_.unreachable += counts.unreachable;
}

SendResult Network::travel(const Routes& r, std::uint32_t from, std::uint32_t to, Time at,
                           RandomStream& rng, NetworkCounters& counts) const {
  SendResult result;
  if (r.hops[from] == kNoRoute) {
    ++counts.unreachable;
    result.outcome = Delivery::unreachable;
    return result;
  }
  result.hops = r.hops[from];
  if (route_cut(r, from, to, at)) {
    ++counts.partitioned;
    result.outcome = Delivery::partitioned;
    return result;
  }
  const auto jitter_mean_us = static_cast<double>(link_.jitter_mean.ticks());
  double jitter_us = 0.0;
  for (std::uint32_t hop = 0; hop < result.hops; ++hop) {
    if (link_.loss_per_hop > 0.0 && rng.bernoulli(link_.loss_per_hop)) {
      ++counts.lost;
      result.outcome = Delivery::lost;
      return result;
    }
    if (jitter_mean_us > 0.0) jitter_us += rng.exponential(jitter_mean_us);
  }
  ++counts.delivered;
  result.outcome = Delivery::delivered;
  result.latency = r.base_latency[from] + Time::micros(std::llround(jitter_us));
  return result;
}

SendResult Network::send(Simulator& sim, std::uint32_t from, std::uint32_t to, EventKind kind,
                         std::uint64_t payload, RandomStream& rng) {
  const SendResult result = transit(from, to, sim.now(), rng);
  if (result.outcome == Delivery::delivered) {
    sim.schedule_at(sim.now() + result.latency, kind, to, payload);
  }
  return result;
}

}  // namespace sim
