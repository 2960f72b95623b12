#include "models/validation/collusion.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include <parallel/algorithm>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>

namespace models {

using sim::config::Range;
using sim::config::Section;

namespace {

std::uint64_t key_of(std::uint32_t beaconer, std::uint32_t witness) {
  return (std::uint64_t{beaconer} << 32) | witness;
}
std::uint64_t key_of(const WitnessArc& a) {
  return key_of(a.beaconer, a.witness);
}

/// a + b, both sorted by key: counts of the same pair added.
std::vector<WitnessArc> merge(const std::vector<WitnessArc>& a, const std::vector<WitnessArc>& b) {
  std::vector<WitnessArc> out;
  out.reserve(a.size() + b.size());
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && key_of(a[i]) < key_of(b[j]))) {
      out.push_back(a[i++]);
    } else if (i == a.size() || key_of(b[j]) < key_of(a[i])) {
      out.push_back(b[j++]);
    } else {
      WitnessArc sum = a[i++];
      sum.count += b[j++].count;
      out.push_back(sum);
    }
  }
  return out;
}

using Graph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                          boost::property<boost::edge_weight_t, std::int64_t>>;

struct MutualEdge {
  std::uint32_t u = 0, v = 0;  // u < v
  std::int64_t weight = 0;     // events both ways
};

/// A fixed scramble of node ids (splitmix64's finaliser), so that label propagation visits
/// nodes in an order unrelated to how they were numbered, the same in every run.
std::uint64_t scramble(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Asynchronous weighted label propagation (Raghavan, Albert and Kumara 2007): each node takes
/// the label carrying the most edge weight among its neighbours, keeping its own on a tie (else
/// the smallest), until no label changes.
std::vector<std::uint32_t> propagate_labels(const Graph& g) {
  constexpr int kMaxSweeps = 100;
  const std::size_t n = boost::num_vertices(g);
  std::vector<std::uint32_t> label(n);
  std::iota(label.begin(), label.end(), 0U);
  std::vector<std::uint32_t> order(label);
  std::sort(order.begin(), order.end(),
            [](std::uint32_t a, std::uint32_t b) { return scramble(a) < scramble(b); });
  const auto weight = boost::get(boost::edge_weight, g);
  std::vector<std::int64_t> sum(n, 0);
  std::vector<std::uint32_t> seen;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    bool changed = false;
    for (std::uint32_t v : order) {
      seen.clear();
      for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
        const std::uint32_t l = label[boost::target(*e, g)];
        if (sum[l] == 0) seen.push_back(l);
        sum[l] += boost::get(weight, *e);
      }
      if (seen.empty()) continue;
      std::uint32_t best = label[v];
      std::int64_t best_sum = sum[best];
      for (std::uint32_t l : seen) {
        if (sum[l] > best_sum || (sum[l] == best_sum && l < best && best != label[v])) {
          best = l;
          best_sum = sum[l];
        }
      }
      for (std::uint32_t l : seen)
        sum[l] = 0;
      if (best != label[v]) {
        label[v] = best;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return label;
}

}  // namespace

WitnessGraph::WitnessGraph(std::size_t nodes, std::int64_t window_epochs)
    : nodes_(nodes), window_(static_cast<std::size_t>(window_epochs)) {
  if (window_epochs < 1) throw std::invalid_argument("WitnessGraph: window_epochs must be >= 1");
  if (nodes > std::size_t{0xffffffff}) throw std::invalid_argument("WitnessGraph: too many nodes");
}

void WitnessGraph::record(std::uint32_t beaconer, std::uint32_t witness, std::uint32_t count) {
  if (beaconer >= nodes_ || witness >= nodes_) throw std::out_of_range("WitnessGraph: node id");
  if (beaconer == witness || count == 0) return;
  open_.emplace_back(key_of(beaconer, witness), count);
}

void WitnessGraph::end_epoch() {
  // Pairs compare as whole values, so equal elements are identical and any sort, the parallel
  // one included, gives the same result.
  __gnu_parallel::sort(open_.begin(), open_.end());
  std::vector<WitnessArc> epoch;
  for (const auto& [key, count] : open_) {
    if (!epoch.empty() && key_of(epoch.back()) == key) {
      epoch.back().count += count;
    } else {
      epoch.push_back(
          {static_cast<std::uint32_t>(key >> 32), static_cast<std::uint32_t>(key), count});
    }
  }
  open_.clear();  // keeps its capacity: the next epoch has about as many events
  epochs_.push_back(std::move(epoch));
  if (epochs_.size() > window_) epochs_.pop_front();
  total_stale_ = true;
}

std::span<const WitnessArc> WitnessGraph::arcs() const {
  if (total_stale_) {
    // Pairwise merges, as in a merge sort: each arc is copied log2(window) times.
    std::vector<std::vector<WitnessArc>> level(epochs_.begin(), epochs_.end());
    while (level.size() > 1) {
      std::vector<std::vector<WitnessArc>> next((level.size() + 1) / 2);
#pragma omp parallel for schedule(dynamic, 1)
      for (std::int64_t k = 0; k < static_cast<std::int64_t>(next.size()); ++k) {
        const auto i = static_cast<std::size_t>(2 * k);
        next[static_cast<std::size_t>(k)] =
            i + 1 < level.size() ? merge(level[i], level[i + 1]) : std::move(level[i]);
      }
      level = std::move(next);
    }
    total_ = level.empty() ? std::vector<WitnessArc>{} : std::move(level.front());
    total_stale_ = false;
  }
  return total_;
}

std::int64_t WitnessGraph::count(std::uint32_t beaconer, std::uint32_t witness) const {
  const std::uint64_t key = key_of(beaconer, witness);
  const std::span<const WitnessArc> total = arcs();
  const auto it =
      std::lower_bound(total.begin(), total.end(), key,
                       [](const WitnessArc& a, std::uint64_t k) { return key_of(a) < k; });
  return it != total.end() && key_of(*it) == key ? it->count : 0;
}

CollusionDetector::CollusionDetector(const CollusionSpec& spec, std::size_t nodes)
    : spec_(spec), graph_(nodes, spec.window_epochs) {
  if (spec.min_mutual_events < 1)
    throw std::invalid_argument("CollusionDetector: min_mutual_events");
  if (spec.min_size < 2) throw std::invalid_argument("CollusionDetector: min_size must be >= 2");
}

CollusionReport CollusionDetector::analyse() const {
  const std::size_t n = graph_.nodes();
  const std::span<const WitnessArc> arcs = graph_.arcs();

  // Every event a node took part in, as beaconer or as witness.
  std::vector<std::int64_t> events(n, 0);
  for (const WitnessArc& a : arcs) {
    events[a.beaconer] += a.count;
    events[a.witness] += a.count;
  }
  // Mutual edges: both directions present, each at least min_mutual_events.
  std::vector<MutualEdge> mutual;
  for (const WitnessArc& a : arcs) {
    if (a.beaconer > a.witness) continue;
    const std::int64_t back = graph_.count(a.witness, a.beaconer);
    if (std::min<std::int64_t>(a.count, back) < spec_.min_mutual_events) continue;
    mutual.push_back({a.beaconer, a.witness, a.count + back});
  }

  CollusionReport rep;
  rep.mutual_edges = static_cast<std::int64_t>(mutual.size());
  Graph g(n);
  for (const MutualEdge& e : mutual)
    boost::add_edge(e.u, e.v, e.weight, g);
  std::vector<std::size_t> id(n);
  rep.components = n == 0 ? 0 : boost::connected_components(g, id.data());
  rep.component.assign(id.begin(), id.end());

  // Clusters: connected pieces of the edges whose ends share a propagated label. Labels only
  // travel along edges, so every cluster lies inside one component.
  const std::vector<std::uint32_t> label = propagate_labels(g);
  Graph inner(n);
  for (const MutualEdge& e : mutual) {
    if (label[e.u] == label[e.v]) boost::add_edge(e.u, e.v, e.weight, inner);
  }
  const std::size_t cluster_count = n == 0 ? 0 : boost::connected_components(inner, id.data());
  rep.cluster.assign(id.begin(), id.end());
  rep.clusters.assign(cluster_count, ClusterStats{});
  for (std::size_t i = 0; i < n; ++i)
    ++rep.clusters[rep.cluster[i]].size;
  for (const MutualEdge& e : mutual) {
    if (rep.cluster[e.u] == rep.cluster[e.v]) ++rep.clusters[rep.cluster[e.u]].edges;
  }
  for (const WitnessArc& a : arcs) {
    const std::uint32_t cb = rep.cluster[a.beaconer], cw = rep.cluster[a.witness];
    if (cb == cw) {
      rep.clusters[cb].internal_events += a.count;
    } else {
      rep.clusters[cb].external_events += a.count;
      rep.clusters[cw].external_events += a.count;
    }
  }
  for (ClusterStats& c : rep.clusters) {
    const double k = c.size;
    if (c.size > 1) c.density = static_cast<double>(c.edges) / (k * (k - 1) / 2);
    const std::int64_t all = c.internal_events + c.external_events;
    if (all > 0) c.insularity = static_cast<double>(c.internal_events) / static_cast<double>(all);
    c.flagged = c.size >= spec_.min_size && c.density >= spec_.min_density &&
                c.insularity >= spec_.min_insularity;
  }

  rep.flags.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (rep.clusters[rep.cluster[i]].flagged) rep.flags[i] |= CollusionReport::kInsularCluster;
  }
  for (const MutualEdge& e : mutual) {
    const auto share = [&](std::uint32_t node) {
      return static_cast<double>(e.weight) / static_cast<double>(events[node]);
    };
    if (e.weight >= spec_.min_pair_events && share(e.u) >= spec_.pair_share &&
        share(e.v) >= spec_.pair_share) {
      rep.reciprocal_pairs.emplace_back(e.u, e.v);
      rep.flags[e.u] |= CollusionReport::kReciprocalPair;
      rep.flags[e.v] |= CollusionReport::kReciprocalPair;
    }
  }
  return rep;
}

CollusionSpec read_collusion_spec(Section s) {
  CollusionSpec v;
  v.window_epochs = s.integer("window_epochs", v.window_epochs, Range::between(1.0, 366.0),
                              "epochs of witness events analysed together");
  v.analyse_every = s.integer("analyse_every", v.analyse_every, Range::between(1.0, 366.0),
                              "epochs between two analyses (the oracle's batch job)");
  v.min_mutual_events = s.integer("min_mutual_events", v.min_mutual_events, Range::at_least(1.0),
                                  "events each way before two nodes count as mutual witnesses");
  v.min_size = s.integer("min_size", v.min_size, Range::at_least(2.0),
                         "smallest cluster that can be flagged");
  v.min_density = s.number("min_density", v.min_density, "", Range::between(0.0, 1.0),
                           "mutual edges over possible pairs needed to flag a cluster");
  v.min_insularity = s.number("min_insularity", v.min_insularity, "", Range::between(0.0, 1.0),
                              "share of a cluster's events that stay inside needed to flag it");
  v.pair_share = s.number("pair_share", v.pair_share, "", Range::between(0.0, 1.0),
                          "share of both members' events that flags a reciprocal pair");
  v.min_pair_events = s.integer("min_pair_events", v.min_pair_events, Range::at_least(1.0),
                                "fewest events between two nodes before the pair can be flagged");
  s.finish();
  return v;
}

}  // namespace models
