#pragma once
// The network messages travel: a graph of links with latency, jitter and loss, shortest-path
// routes, timed partitions, and delivery as ordinary kernel events.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "sim/event.hpp"
#include "sim/random.hpp"
#include "sim/simulator.hpp"
#include "sim/time.hpp"
#include "sim/topology.hpp"

namespace sim {

/// The properties of one link: its length and the latency it adds before jitter.
///   const Link& l = network.graph()[edge];  Time t = l.base_latency;
struct Link {
  double length_km = 0.0;
  Time base_latency;
};

/// The undirected graph: vertex i is node i, vertex N the sink. Links are never removed, so the
/// edge list is a vector rather than Boost's default list: one allocation less per link.
///   for (auto e : boost::make_iterator_range(boost::edges(network.graph()))) ...
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS,
                                    boost::no_property, Link, boost::no_property, boost::vecS>;

/// How a link delays and loses messages. A hop over a link of length L takes
/// base_latency + per_km_latency_us * L (rounded to the microsecond) + jitter, the jitter
/// exponential with mean jitter_mean, drawn per hop per message; each hop loses a message with
/// probability loss_per_hop.
///   LinkModel link;  link.jitter_mean = Time::millis(3);  link.loss_per_hop = 0.01;
struct LinkModel {
  Time base_latency = Time::millis(20);
  double per_km_latency_us = 5.0;
  Time jitter_mean;
  double loss_per_hop = 0.0;

  /// Throws std::invalid_argument saying what was expected for a negative latency or jitter,
  /// or a loss probability outside [0, 1].
  void validate() const;
  /// The base latency of a link `length_km` long.
  Time link_latency(double length_km) const;
};

/// What became of a message at send time.
enum class Delivery : std::uint8_t { delivered, lost, partitioned, unreachable };

/// The result of Network::send(): the outcome, and for a delivered message its latency.
///   if (auto r = net.send(...); r.outcome == Delivery::delivered) log(r.latency);
struct SendResult {
  Delivery outcome = Delivery::unreachable;
  /// Time from send to delivery; zero unless delivered.
  Time latency;
  /// Links on the route; zero when unreachable.
  std::uint32_t hops = 0;
};

/// How many sends ended in each outcome.
///   double loss = double(net.counters().lost) / double(net.counters().sent());
struct NetworkCounters {
  std::uint64_t delivered = 0;
  std::uint64_t lost = 0;
  std::uint64_t partitioned = 0;
  std::uint64_t unreachable = 0;
  std::uint64_t sent() const { return delivered + lost + partitioned + unreachable; }
};

/// A network of N nodes and one sink: links, shortest-path routes by base latency, partitions,
/// and message delivery through the kernel's event queue. Routes to a destination are computed
/// with Dijkstra the first time it is used and then cached; the sink's are computed up front.
/// Not thread-safe: send from the simulation's thread.
///   Network net(make_topology(spec, points, sink_at, streams), LinkModel{});
///   net.send(sim, node, net.sink(), kReading, reading_index, node_rng);
class Network {
 public:
  /// What hops() and hops_to_sink() return when no route exists.
  static constexpr std::uint32_t kNoRoute = std::numeric_limits<std::uint32_t>::max();

  /// Takes the links of `topology` (each pair once, either way round, no self-links) and
  /// `link`'s latencies. Throws std::invalid_argument on a bad link model or a bad link.
  Network(Topology topology, LinkModel link);

  std::uint32_t node_count() const { return sink_; }
  /// The sink's vertex id: node_count().
  std::uint32_t sink() const { return sink_; }
  std::uint32_t vertex_count() const { return sink_ + 1; }
  std::size_t edge_count() const { return boost::num_edges(graph_); }
  std::uint32_t degree(std::uint32_t vertex) const;
  /// The vertices linked to `vertex`, in link order.
  std::vector<std::uint32_t> neighbours(std::uint32_t vertex) const;
  /// Every link as (lower id, higher id), sorted.
  std::vector<VertexPair> edges() const;
  const Point& position(std::uint32_t vertex) const { return positions_.at(vertex); }
  /// Nodes 0..N-1, then the sink.
  const std::vector<Point>& positions() const { return positions_; }
  const Graph& graph() const { return graph_; }
  const LinkModel& link_model() const { return link_; }

  /// Links on the shortest route to the sink, or kNoRoute.
  std::uint32_t hops_to_sink(std::uint32_t from) const;
  /// Sum of base latencies along the route to the sink, or Time::max() when unreachable.
  Time base_latency_to_sink(std::uint32_t from) const;
  /// As hops_to_sink(), to any destination (computes and caches its routes on first use).
  std::uint32_t hops(std::uint32_t from, std::uint32_t to);
  /// As base_latency_to_sink(), to any destination.
  Time base_latency(std::uint32_t from, std::uint32_t to);
  /// The vertices a message visits, `from` first and `to` last; empty when unreachable.
  std::vector<std::uint32_t> route(std::uint32_t from, std::uint32_t to);

  /// Cuts `vertices` off during [start, end): any message whose route visits one of them,
  /// endpoints included, is dropped as partitioned. A cut vertex relays nothing, even between
  /// two cut vertices: it behaves as offline. Partitions may overlap. Routes are not recomputed
  /// around a cut. Throws std::invalid_argument for an unknown vertex or end < start.
  void add_partition(std::vector<std::uint32_t> vertices, Time start, Time end);
  /// True when `vertex` is inside a partition active at `at`.
  bool cut_off(std::uint32_t vertex, Time at) const;

  /// Sends a message from `from` to `to` at sim.now(). Unreachable is decided first, then the
  /// partitions, then loss and jitter, hop by hop from `from`: one uniform draw for loss (when
  /// loss_per_hop > 0), stopping at the hop that loses the message, then one exponential draw
  /// for jitter (when jitter_mean > 0). Drawing only from the caller's stream keeps results
  /// independent of the order in which senders run. A delivered message becomes the event
  /// (kind, target = to, payload) at now + latency; a message to itself arrives at now.
  SendResult send(Simulator& sim, std::uint32_t from, std::uint32_t to, EventKind kind,
                  std::uint64_t payload, RandomStream& rng);
  /// What send() decides, without scheduling anything: for messages whose arrival the caller
  /// only needs to compare with a deadline (many small reports), which would otherwise cost an
  /// event each. The same draws, in the same order, as send() at time `at`.
  SendResult transit(std::uint32_t from, std::uint32_t to, Time at, RandomStream& rng);
  /// transit() to the sink, counted in `counts` instead of the network's counters: it changes
  /// nothing in the network, so threads may call it at once (each with its own counts, added
  /// back with add_counts() afterwards).
  SendResult transit_to_sink(std::uint32_t from, Time at, RandomStream& rng,
                             NetworkCounters& counts) const;
  void add_counts(const NetworkCounters& counts);
  const NetworkCounters& counters() const { return counters_; }

 private:
  // Shortest paths to one destination: per vertex, the next vertex towards it, the number of
  // links, and the summed base latency (Time::max() when unreachable).
  struct Routes {
    std::vector<std::uint32_t> next_hop;
    std::vector<std::uint32_t> hops;
    std::vector<Time> base_latency;
  };
  struct Partition {
    Time start;
    Time end;
    std::vector<std::uint32_t> vertices;  // sorted
  };

  void check_vertex(std::uint32_t vertex, const char* what) const;
  const Routes& routes_to(std::uint32_t to);
  Routes compute_routes(std::uint32_t to) const;
  bool route_cut(const Routes& routes, std::uint32_t from, std::uint32_t to, Time at) const;
  SendResult travel(const Routes& routes, std::uint32_t from, std::uint32_t to, Time at,
                    RandomStream& rng, NetworkCounters& counts) const;

  Graph graph_;
  std::vector<Point> positions_;
  LinkModel link_;
  std::uint32_t sink_ = 0;
  std::vector<std::unique_ptr<Routes>> routes_;  // by destination, computed on first use
  std::vector<Partition> partitions_;
  NetworkCounters counters_;
};

}  // namespace sim
