#include "models/validation/collusion.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/pending/disjoint_sets.hpp>

namespace models {

using sim::config::Range;
using sim::config::Section;

namespace {

// The mutual graph for its components. Edges in a vector rather than the default list: the graph
// is built once and only read.
using Graph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                          boost::no_property, boost::no_property, boost::vecS>;

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

/// The mutual graph as compressed rows: each node's neighbours in the order the edges were
/// listed (as an adjacency list built edge by edge would hold them).
struct Rows {
  std::vector<std::size_t> start;  // per node, into target and weight; size n + 1
  std::vector<std::uint32_t> target;
  std::vector<std::int64_t> weight;
};

Rows rows_of(std::size_t n, const std::vector<MutualEdge>& edges) {
  Rows r;
  r.start.assign(n + 1, 0);
  for (const MutualEdge& e : edges) {
    ++r.start[e.u + 1];
    ++r.start[e.v + 1];
  }
  for (std::size_t i = 0; i < n; ++i)
    r.start[i + 1] += r.start[i];
  r.target.resize(r.start[n]);
  r.weight.resize(r.start[n]);
  std::vector<std::size_t> fill(r.start.begin(), r.start.end() - 1);
  for (const MutualEdge& e : edges) {
    r.target[fill[e.u]] = e.v;
    r.weight[fill[e.u]++] = e.weight;
    r.target[fill[e.v]] = e.u;
    r.weight[fill[e.v]++] = e.weight;
  }
  return r;
}

/// Asynchronous weighted label propagation (Raghavan, Albert and Kumara 2007): each node takes
/// the label carrying the most edge weight among its neighbours, keeping its own on a tie (else
/// the smallest), until no label changes.
/// A node is looked at again only after a neighbour's label has changed: with the same
/// neighbours' labels it would choose the label it holds (the choice keeps its own label on a
/// tie), so skipping it changes nothing, and the later sweeps, where few labels still move,
/// cost little.
std::vector<std::uint32_t> propagate_labels(const Rows& g) {
  constexpr int kMaxSweeps = 100;
  const std::size_t n = g.start.size() - 1;
  std::vector<std::uint32_t> label(n);
  std::iota(label.begin(), label.end(), 0U);
  std::vector<std::uint32_t> order(label);
  std::sort(order.begin(), order.end(),
            [](std::uint32_t a, std::uint32_t b) { return scramble(a) < scramble(b); });
  std::vector<std::int64_t> sum(n, 0);
  std::vector<std::uint32_t> seen;
  std::vector<std::uint8_t> stale(n, 1);  // a neighbour's label changed since v last chose
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    bool changed = false;
    for (std::uint32_t v : order) {
      if (stale[v] == 0) continue;
      stale[v] = 0;
      seen.clear();
      for (std::size_t k = g.start[v]; k < g.start[v + 1]; ++k) {
        const std::uint32_t l = label[g.target[k]];
        if (sum[l] == 0) seen.push_back(l);
        sum[l] += g.weight[k];
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
        for (std::size_t k = g.start[v]; k < g.start[v + 1]; ++k)
          stale[g.target[k]] = 1;
      }
    }
    if (!changed) break;
  }
  return label;
}

/// Components of the edges whose ends share a label (Boost's union-find), numbered in order of
/// their smallest node, as a depth-first search over nodes in order numbers them.
std::size_t label_components(std::size_t n, const std::vector<MutualEdge>& edges,
                             const std::vector<std::uint32_t>& label,
                             std::vector<std::size_t>& id) {
  std::vector<std::size_t> rank(n, 0), parent(n);
  boost::disjoint_sets<std::size_t*, std::size_t*> sets(rank.data(), parent.data());
  for (std::size_t v = 0; v < n; ++v)
    sets.make_set(v);
  for (const MutualEdge& e : edges) {
    if (label[e.u] == label[e.v]) sets.union_set(e.u, e.v);
  }
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::size_t> number(n, kNone);
  std::size_t count = 0;
  for (std::size_t v = 0; v < n; ++v) {
    std::size_t& root = number[sets.find_set(v)];
    if (root == kNone) root = count++;
    id[v] = root;
  }
  return count;
}

}  // namespace

WitnessGraph::WitnessGraph(std::size_t nodes, std::int64_t window_epochs)
    : nodes_(nodes), window_(static_cast<std::size_t>(window_epochs)) {
  if (window_epochs < 1) throw std::invalid_argument("WitnessGraph: window_epochs must be >= 1");
  if (nodes > std::size_t{0xffffffff}) throw std::invalid_argument("WitnessGraph: too many nodes");
  totals_.resize(nodes);
}

void WitnessGraph::record(std::uint32_t beaconer, std::uint32_t witness, std::uint32_t count) {
  if (beaconer >= nodes_ || witness >= nodes_) throw std::out_of_range("WitnessGraph: node id");
  if (beaconer == witness || count == 0) return;
  open_.push_back({beaconer, witness, count});
}

void WitnessGraph::apply(const std::vector<WitnessArc>& records, int sign) {
  // Group the records by beaconer (a stable counting sort), then update each beaconer's totals
  // on its own thread: a beaconer's totals are touched by its records alone.
  std::vector<std::size_t> start(nodes_ + 1, 0);
  for (const WitnessArc& r : records)
    ++start[r.beaconer + 1];
  for (std::size_t i = 0; i < nodes_; ++i)
    start[i + 1] += start[i];
  std::vector<std::uint32_t> order(records.size());
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t k = 0; k < records.size(); ++k)
      order[fill[records[k].beaconer]++] = static_cast<std::uint32_t>(k);
  }
#pragma omp parallel for schedule(dynamic, 1024)
  for (std::int64_t bb = 0; bb < static_cast<std::int64_t>(nodes_); ++bb) {
    const auto b = static_cast<std::size_t>(bb);
    if (start[b] == start[b + 1]) continue;
    std::vector<Total>& t = totals_[b];
    for (std::size_t k = start[b]; k < start[b + 1]; ++k) {
      const WitnessArc& r = records[order[k]];
      auto it = std::lower_bound(t.begin(), t.end(), r.witness,
                                 [](const Total& x, std::uint32_t w) { return x.witness < w; });
      if (sign > 0) {
        if (it == t.end() || it->witness != r.witness) it = t.insert(it, Total{r.witness, 0});
        it->count += r.count;
      } else {
        if (it == t.end() || it->witness != r.witness || it->count < r.count) {
          throw std::logic_error("WitnessGraph: expiring a pair not in the window");
        }
        it->count -= r.count;
      }
    }
    if (sign < 0) {
      t.erase(std::remove_if(t.begin(), t.end(), [](const Total& x) { return x.count == 0; }),
              t.end());
    }
  }
}

void WitnessGraph::end_epoch() {
  apply(open_, +1);
  epochs_.push_back(std::move(open_));
  open_ = {};
  if (epochs_.size() > window_) {
    apply(epochs_.front(), -1);
    epochs_.pop_front();
  }
  arcs_stale_ = true;
}

std::span<const WitnessArc> WitnessGraph::arcs() const {
  if (arcs_stale_) {
    arcs_.clear();
    for (std::size_t b = 0; b < nodes_; ++b) {
      for (const Total& t : totals_[b])
        arcs_.push_back({static_cast<std::uint32_t>(b), t.witness, t.count});
    }
    arcs_stale_ = false;
  }
  return arcs_;
}

std::int64_t WitnessGraph::count(std::uint32_t beaconer, std::uint32_t witness) const {
  if (beaconer >= nodes_) return 0;
  const std::vector<Total>& t = totals_[beaconer];
  const auto it = std::lower_bound(t.begin(), t.end(), witness,
                                   [](const Total& x, std::uint32_t w) { return x.witness < w; });
  return it != t.end() && it->witness == witness ? it->count : 0;
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
    boost::add_edge(e.u, e.v, g);
  std::vector<std::size_t> id(n);
  rep.components = n == 0 ? 0 : boost::connected_components(g, id.data());
  rep.component.assign(id.begin(), id.end());

  // Clusters: connected pieces of the edges whose ends share a propagated label. Labels only
  // travel along edges, so every cluster lies inside one component.
  const std::vector<std::uint32_t> label = propagate_labels(rows_of(n, mutual));
  const std::size_t cluster_count = label_components(n, mutual, label, id);
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
