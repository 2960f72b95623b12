#include "sim/network.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/simulator.hpp"
#include "sim/topology.hpp"

using sim::Delivery;
using sim::LinkModel;
using sim::Network;
using sim::Point;
using sim::RandomStreams;
using sim::Simulator;
using sim::Time;
using sim::Topology;
using sim::TopologyKind;
using sim::TopologySpec;
using sim::VertexPair;

namespace {
constexpr sim::EventKind kDeliver = 1;
constexpr sim::EventKind kTick = 2;

LinkModel quiet_link() {
  return LinkModel{.base_latency = Time::millis(20),
                   .per_km_latency_us = 5.0,
                   .jitter_mean = Time{},
                   .loss_per_hop = 0.0};
}

// Nodes 0..n-1 every 10 km along the x axis, the sink 10 km past the last; linked in a line.
Topology line(std::uint32_t n) {
  Topology t;
  for (std::uint32_t i = 0; i <= n; ++i)
    t.positions.push_back(Point{10.0 * i, 0.0});
  for (std::uint32_t i = 0; i < n; ++i)
    t.edges.emplace_back(i, i + 1);
  return t;
}

std::vector<Point> random_points(std::size_t n, double side_km, std::uint64_t seed) {
  auto rng = RandomStreams(seed, 0).stream("test.points");
  std::vector<Point> points(n);
  for (Point& p : points)
    p = Point{rng.uniform(0.0, side_km), rng.uniform(0.0, side_km)};
  return points;
}

std::vector<VertexPair> node_links(const Topology& t) {
  std::vector<VertexPair> out;
  for (const auto& e : t.edges)
    if (e.second != t.sink()) out.push_back(e);
  return out;
}

struct Arrivals {
  std::vector<std::tuple<Time, std::uint32_t, std::uint64_t>> seen;
  void record(Simulator& s, const sim::Event& e) {
    seen.emplace_back(s.now(), e.target, e.payload);
  }
};
}  // namespace

TEST_CASE("sim::Network: a one-hop star network delivers after base plus per-km latency",
          "[unit]") {
  const std::vector<Point> nodes{{3.0, 4.0}, {-6.0, 8.0}, {0.0, 1.0}};
  TopologySpec spec{.kind = TopologyKind::star};
  Network net(make_topology(spec, nodes, Point{0.0, 0.0}, RandomStreams(1, 0)), quiet_link());
  CHECK(net.node_count() == 3);
  CHECK(net.edge_count() == 3);
  CHECK(net.degree(net.sink()) == 3);
  CHECK(net.hops_to_sink(1) == 1);
  CHECK(net.base_latency_to_sink(1) == Time::micros(20'000 + 50));

  Simulator s;
  auto rng = RandomStreams(1, 0).stream("test.send");
  const sim::SendResult r = net.send(s, 0, net.sink(), kDeliver, 7, rng);
  CHECK(r.outcome == Delivery::delivered);
  CHECK(r.hops == 1);
  CHECK(r.latency == Time::micros(20'000 + 25));  // 5 km at 5 us/km
  const sim::SendResult self = net.send(s, 2, 2, kDeliver, 8, rng);
  CHECK(self.hops == 0);
  CHECK(self.latency == Time{});
  CHECK(net.counters().delivered == 2);
}

TEST_CASE("sim::Network: a multi-hop network route costs the sum of its links' base latencies",
          "[unit]") {
  // 0 - 1 - 2 - sink along the axis, and a detour 0 - 3 - sink that is fewer hops but longer.
  Topology t;
  t.positions = {{0, 0}, {10, 0}, {20, 0}, {15, 40}, {30, 0}};
  t.edges = {{0, 1}, {1, 2}, {2, 4}, {0, 3}, {3, 4}};
  LinkModel link = quiet_link();
  link.base_latency = Time::millis(1);
  link.per_km_latency_us = 100.0;
  Network net(t, link);
  const Time expected = link.link_latency(10.0) * 3;
  CHECK(net.base_latency_to_sink(0) == expected);
  CHECK(net.hops_to_sink(0) == 3);
  CHECK(net.route(0, 4) == std::vector<std::uint32_t>{0, 1, 2, 4});
  CHECK(net.hops_to_sink(3) == 1);
  // Routes to a node other than the sink are computed on demand.
  CHECK(net.route(2, 0) == std::vector<std::uint32_t>{2, 1, 0});
  CHECK(net.base_latency(3, 1) ==
        net.graph()[boost::edge(3, 0, net.graph()).first].base_latency + link.link_latency(10.0));

  Simulator s;
  auto rng = RandomStreams(1, 0).stream("test.send");
  const sim::SendResult r = net.send(s, 0, 4, kDeliver, 0, rng);
  CHECK(r.latency == expected);
  CHECK(r.hops == 3);
}

TEST_CASE("sim::Network: messages delivered over the network arrive as events at now plus latency",
          "[unit]") {
  struct Sender {
    Network* net;
    sim::RandomStream rng = RandomStreams(3, 0).stream("test.send");
    void tick(Simulator& s, const sim::Event& e) {
      net->send(s, e.target, net->sink(), kDeliver, 100 + e.target, rng);
    }
  };
  Network net(line(3), quiet_link());
  Simulator s;
  Arrivals arrivals;
  Sender sender{&net};
  s.on<&Arrivals::record>(kDeliver, arrivals);
  s.on<&Sender::tick>(kTick, sender);
  s.schedule_at(Time::seconds(5), kTick, 0);
  s.schedule_at(Time::seconds(7), kTick, 2);
  s.run();
  const Time hop = quiet_link().link_latency(10.0);
  REQUIRE(arrivals.seen.size() == 2);
  CHECK(arrivals.seen[0] == std::tuple{Time::seconds(5) + hop * 3, 3u, std::uint64_t{100}});
  CHECK(arrivals.seen[1] == std::tuple{Time::seconds(7) + hop, 3u, std::uint64_t{102}});
}

TEST_CASE("sim::Network: network jitter averages its configured mean per hop", "[unit]") {
  LinkModel link = quiet_link();
  link.jitter_mean = Time::millis(2);
  Network net(line(3), link);
  Simulator s;
  auto rng = RandomStreams(11, 0).stream("test.jitter");
  constexpr int kMessages = 20'000;
  const Time base = net.base_latency_to_sink(0);
  double sum_us = 0.0;
  for (int i = 0; i < kMessages; ++i) {
    const sim::SendResult r = net.send(s, 0, net.sink(), kDeliver, 0, rng);
    REQUIRE(r.latency >= base);
    sum_us += static_cast<double>((r.latency - base).ticks());
  }
  // Three exponential hops: mean 3 * 2000 us, standard deviation sqrt(3) * 2000 us.
  const double mean_us = sum_us / kMessages;
  const double standard_error = std::sqrt(3.0) * 2000.0 / std::sqrt(double{kMessages});
  CHECK(std::abs(mean_us - 6000.0) < 5.0 * standard_error);
}

TEST_CASE("sim::Network: per-hop loss drops 1-(1-p)^hops of network messages", "[unit]") {
  LinkModel link = quiet_link();
  link.loss_per_hop = 0.05;
  Network net(line(5), link);
  Simulator s;
  auto rng = RandomStreams(12, 0).stream("test.loss");
  constexpr int kMessages = 40'000;
  for (int i = 0; i < kMessages; ++i)
    net.send(s, 0, net.sink(), kDeliver, 0, rng);
  const double expected = 1.0 - std::pow(0.95, 5);
  const double standard_error = std::sqrt(expected * (1.0 - expected) / kMessages);
  const double lost = static_cast<double>(net.counters().lost) / kMessages;
  CHECK(std::abs(lost - expected) < 5.0 * standard_error);
  CHECK(net.counters().sent() == kMessages);
  CHECK(net.counters().delivered == s.pending());
}

TEST_CASE("sim::Network: a partition drops network messages only inside its window and route",
          "[unit]") {
  Network net(line(4), quiet_link());  // 0 - 1 - 2 - 3 - sink
  net.add_partition({1}, Time::seconds(10), Time::seconds(20));
  net.add_partition({3, 1}, Time::seconds(15), Time::seconds(25));
  Simulator s;
  Arrivals arrivals;
  s.on<&Arrivals::record>(kDeliver, arrivals);
  auto rng = RandomStreams(1, 0).stream("test.send");
  const auto send_at = [&](Time at, std::uint32_t from) {
    s.run_until(at);
    return net.send(s, from, net.sink(), kDeliver, 0, rng).outcome;
  };
  CHECK(send_at(Time::seconds(5), 0) == Delivery::delivered);
  CHECK(send_at(Time::seconds(10), 0) == Delivery::partitioned);  // relays through 1
  CHECK(send_at(Time::seconds(10), 1) == Delivery::partitioned);  // starts at 1
  CHECK(send_at(Time::seconds(10), 2) == Delivery::delivered);    // 2 - 3 - sink avoids 1
  CHECK(send_at(Time::seconds(16), 2) == Delivery::partitioned);  // 3 is cut from 15 s
  CHECK(send_at(Time::seconds(20) - Time::micros(1), 0) == Delivery::partitioned);
  CHECK(send_at(Time::seconds(22), 0) == Delivery::partitioned);  // the second one, through 1
  CHECK(send_at(Time::seconds(25), 0) == Delivery::delivered);
  CHECK(net.cut_off(1, Time::seconds(24)));
  CHECK_FALSE(net.cut_off(1, Time::seconds(25)));
  CHECK(net.counters().partitioned == 5);
  CHECK(net.counters().delivered == 3);
}

TEST_CASE("sim::Network: an unreachable destination is reported and counted by the network",
          "[unit]") {
  Topology t;
  t.positions = {{0, 0}, {1, 0}, {50, 50}, {2, 0}};  // node 2 has no link
  t.edges = {{0, 1}, {1, 3}};
  Network net(t, quiet_link());
  CHECK(net.hops_to_sink(2) == Network::kNoRoute);
  CHECK(net.base_latency_to_sink(2) == Time::max());
  CHECK(net.route(2, 3).empty());
  CHECK(net.degree(2) == 0);
  CHECK(net.neighbours(1) == std::vector<std::uint32_t>{0, 3});
  Simulator s;
  auto rng = RandomStreams(1, 0).stream("test.send");
  CHECK(net.send(s, 2, net.sink(), kDeliver, 0, rng).outcome == Delivery::unreachable);
  CHECK(net.send(s, 0, 2, kDeliver, 0, rng).outcome == Delivery::unreachable);
  CHECK(net.counters().unreachable == 2);
  CHECK(s.pending() == 0);
}

TEST_CASE("sim::make_topology: random-geometric network links are exactly the pairs in radius",
          "[unit]") {
  const std::vector<Point> points = random_points(500, 100.0, 5);
  const Point sink{50.0, 50.0};
  const double r = 8.0;
  const Topology t = make_topology(TopologySpec{.radius_km = r}, points, sink, RandomStreams(1, 0));
  std::vector<VertexPair> brute;
  std::vector<VertexPair> brute_sink;
  const auto close = [r](const Point& a, const Point& b) {
    const double dx = a.x_km - b.x_km, dy = a.y_km - b.y_km;
    return dx * dx + dy * dy <= r * r;
  };
  for (std::uint32_t i = 0; i < points.size(); ++i) {
    for (std::uint32_t j = i + 1; j < points.size(); ++j)
      if (close(points[i], points[j])) brute.emplace_back(i, j);
    if (close(points[i], sink)) brute_sink.emplace_back(i, t.sink());
  }
  REQUIRE(brute.size() > 1000);
  REQUIRE_FALSE(brute_sink.empty());
  CHECK(node_links(t) == brute);
  std::vector<VertexPair> sink_links;
  for (const auto& e : t.edges)
    if (e.second == t.sink()) sink_links.push_back(e);
  CHECK(sink_links == brute_sink);
  CHECK(std::is_sorted(t.edges.begin(), t.edges.end()));
}

TEST_CASE("sim::make_topology: the network sink links to its nearest node when none is in radius",
          "[unit]") {
  const std::vector<Point> points{{0, 0}, {10, 0}, {4, 30}, {20, 20}};
  const Topology t =
      make_topology(TopologySpec{.radius_km = 1.0}, points, Point{5.0, 25.0}, RandomStreams(1, 0));
  CHECK(t.edges.back() == VertexPair{2, 4});
  CHECK(std::count_if(t.edges.begin(), t.edges.end(), [](auto e) { return e.second == 4; }) == 1);
}

TEST_CASE("sim::make_topology: a small-world network has N*k/2 links", "[unit]") {
  const std::vector<Point> points = random_points(1000, 100.0, 6);
  TopologySpec spec{.kind = TopologyKind::small_world, .radius_km = 5.0, .neighbours_k = 6};
  spec.rewire_probability = 0.0;
  const auto lattice = node_links(make_topology(spec, points, Point{50, 50}, RandomStreams(1, 0)));
  CHECK(lattice.size() == 3000);
  CHECK(std::count(lattice.begin(), lattice.end(), VertexPair{0, 997}) == 1);  // ring wraps

  spec.rewire_probability = 0.2;
  const auto rewired = node_links(make_topology(spec, points, Point{50, 50}, RandomStreams(1, 0)));
  CHECK(rewired.size() == 3000);
  CHECK(std::adjacent_find(rewired.begin(), rewired.end()) == rewired.end());
  CHECK(std::none_of(rewired.begin(), rewired.end(), [](auto e) { return e.first == e.second; }));
  std::vector<VertexPair> moved;
  std::set_difference(rewired.begin(), rewired.end(), lattice.begin(), lattice.end(),
                      std::back_inserter(moved));
  CHECK(moved.size() > 500);  // about 600 = 0.2 * 3000, standard deviation about 22
  CHECK(moved.size() < 700);
}

TEST_CASE("sim::make_topology: a scale-free network has m(N-m) links and hubs", "[unit]") {
  constexpr std::uint32_t n = 3000, m = 2;
  const std::vector<Point> points = random_points(n, 100.0, 7);
  const TopologySpec spec{
      .kind = TopologyKind::scale_free, .radius_km = 5.0, .edges_per_node_m = m};
  const auto links = node_links(make_topology(spec, points, Point{50, 50}, RandomStreams(1, 0)));
  CHECK(links.size() == std::size_t{m} * (n - m));
  CHECK(std::adjacent_find(links.begin(), links.end()) == links.end());
  std::vector<std::uint32_t> degree(n, 0);
  for (const auto& [a, b] : links) {
    ++degree[a];
    ++degree[b];
  }
  const double mean = 2.0 * static_cast<double>(links.size()) / n;
  CHECK(*std::max_element(degree.begin(), degree.end()) > 5.0 * mean);
  CHECK(*std::min_element(degree.begin(), degree.end()) >= m);
}

TEST_CASE("sim::make_topology: the same seed gives the same network, another seed another",
          "[unit]") {
  const std::vector<Point> points = random_points(400, 100.0, 8);
  for (const TopologySpec spec :
       {TopologySpec{.kind = TopologyKind::small_world, .radius_km = 5.0, .neighbours_k = 4},
        TopologySpec{.kind = TopologyKind::scale_free, .radius_km = 5.0}}) {
    const auto build = [&](std::uint64_t seed) {
      return Network(make_topology(spec, points, Point{50, 50}, RandomStreams(seed, 0)),
                     quiet_link())
          .edges();
    };
    CHECK(build(21) == build(21));
    CHECK(build(21) != build(22));
  }
}

TEST_CASE("sim::Network: bad network parameters throw invalid_argument saying what was expected",
          "[unit]") {
  const std::vector<Point> points = random_points(10, 10.0, 9);
  const auto make = [&](const TopologySpec& spec) {
    return make_topology(spec, points, Point{5, 5}, RandomStreams(1, 0));
  };
  using Catch::Contains;
  CHECK_THROWS_WITH(make(TopologySpec{.radius_km = -1.0}), Contains("radius_km must be"));
  CHECK_THROWS_WITH(make(TopologySpec{.radius_km = 0.0}), Contains("positive"));
  const TopologySpec odd{.kind = TopologyKind::small_world, .neighbours_k = 3};
  CHECK_THROWS_WITH(make(odd), Contains("neighbours_k must be even"));
  const TopologySpec wide{.kind = TopologyKind::small_world, .neighbours_k = 10};
  CHECK_THROWS_WITH(make(wide), Contains("less than the node count (10)"));
  const TopologySpec no_m{.kind = TopologyKind::scale_free, .edges_per_node_m = 0};
  CHECK_THROWS_WITH(make(no_m), Contains("edges_per_node_m must be at least 1"));
  CHECK_THROWS_WITH(sim::parse_topology_kind("ring"), Contains("small_world"));
  CHECK(sim::parse_topology_kind("star") == TopologyKind::star);

  LinkModel link = quiet_link();
  link.loss_per_hop = 1.5;
  CHECK_THROWS_WITH(Network(line(2), link), Contains("loss_per_hop must be in [0, 1]"));
  link = quiet_link();
  link.base_latency = Time::micros(-1);
  CHECK_THROWS_AS(Network(line(2), link), std::invalid_argument);
  link = quiet_link();
  link.jitter_mean = Time::micros(-1);
  CHECK_THROWS_AS(Network(line(2), link), std::invalid_argument);
  link = quiet_link();
  link.per_km_latency_us = -1.0;
  CHECK_THROWS_AS(Network(line(2), link), std::invalid_argument);

  Topology t = line(2);
  t.edges.emplace_back(1, 1);
  CHECK_THROWS_WITH(Network(t, quiet_link()), Contains("two distinct vertices"));
  t = line(2);
  t.edges.emplace_back(1, 0);
  CHECK_THROWS_WITH(Network(t, quiet_link()), Contains("listed twice"));
  Network net(line(2), quiet_link());
  CHECK_THROWS_WITH(net.add_partition({0}, Time::seconds(2), Time::seconds(1)),
                    Contains("start <= end"));
  CHECK_THROWS_AS(net.add_partition({9}, Time{}, Time::seconds(1)), std::invalid_argument);
}

TEST_CASE("sim::Network: transit decides as send does but schedules nothing", "[unit]") {
  LinkModel link = quiet_link();
  link.jitter_mean = Time::millis(2);
  link.loss_per_hop = 0.1;
  Network sent(line(4), link), moved(line(4), link);
  sent.add_partition({2}, Time::seconds(10), Time::seconds(20));
  moved.add_partition({2}, Time::seconds(10), Time::seconds(20));
  Simulator s;
  Arrivals arrivals;
  s.on<&Arrivals::record>(kDeliver, arrivals);
  auto a = RandomStreams(13, 0).stream("test.transit");
  auto b = RandomStreams(13, 0).stream("test.transit");
  std::uint64_t delivered = 0;
  for (int i = 0; i < 2'000; ++i) {
    const Time at = Time::millis(15 * i);
    s.run_until(at);
    const sim::SendResult x = sent.send(s, 0, sent.sink(), kDeliver, 0, a);
    const sim::SendResult y = moved.transit(0, moved.sink(), at, b);
    REQUIRE(x.outcome == y.outcome);
    REQUIRE(x.latency == y.latency);
    REQUIRE(x.hops == y.hops);
    delivered += y.outcome == Delivery::delivered ? 1 : 0;
  }
  CHECK(moved.counters().partitioned > 0);
  CHECK(moved.counters().lost > 0);
  CHECK(moved.counters().delivered == delivered);
  CHECK(sent.counters().delivered == delivered);
}

TEST_CASE("sim::Network: transit_to_sink decides as transit does and counts in the caller's tally",
          "[unit]") {
  LinkModel link = quiet_link();
  link.jitter_mean = Time::millis(2);
  link.loss_per_hop = 0.1;
  Network shared(line(4), link), counted(line(4), link);
  shared.add_partition({2}, Time::seconds(10), Time::seconds(20));
  counted.add_partition({2}, Time::seconds(10), Time::seconds(20));
  auto a = RandomStreams(17, 0).stream("test.transit");
  auto b = RandomStreams(17, 0).stream("test.transit");
  sim::NetworkCounters tally;
  for (int i = 0; i < 2'000; ++i) {
    const Time at = Time::millis(15 * i);
    const sim::SendResult x = shared.transit(0, shared.sink(), at, a);
    const sim::SendResult y = counted.transit_to_sink(0, at, b, tally);
    REQUIRE(x.outcome == y.outcome);
    REQUIRE(x.latency == y.latency);
  }
  // The network's own counters move only when the tally is handed back.
  CHECK(counted.counters().sent() == 0);
  CHECK(tally.partitioned == shared.counters().partitioned);
  CHECK(tally.lost == shared.counters().lost);
  CHECK(tally.lost > 0);
  counted.add_counts(tally);
  CHECK(counted.counters().delivered == shared.counters().delivered);
  CHECK(counted.counters().sent() == 2'000);
}
