#pragma once
// Collusion on the witness graph: rings of nodes that vouch for each other and for few others.

#include <cstdint>
#include <deque>
#include <span>
#include <utility>
#include <vector>

#include "sim/config.hpp"

namespace models {

struct CollusionSpec {
  std::int64_t window_epochs = 7;      // epochs of witness events analysed together [U]
  std::int64_t analyse_every = 7;      // epochs between analyses: a weekly batch job [U]
  std::int64_t min_mutual_events = 1;  // events each way before two nodes count as mutual
  std::int64_t min_size = 4;           // smallest cluster that can be flagged [U]
  double min_density = 0.8;            // mutual edges / possible pairs, to flag a cluster [U]
  double min_insularity = 0.85;        // share of its events that stay inside, to flag [U]
  double pair_share = 0.5;             // share of both members' events for a reciprocal pair [U]
  std::int64_t min_pair_events = 20;   // fewest events between a pair before it can be flagged
};

/// Reads the `validation.collusion:` section.
CollusionSpec read_collusion_spec(sim::config::Section s);

/// How often `witness` reported hearing `beaconer`'s beacons (over the window, or in one epoch).
struct WitnessArc {
  std::uint32_t beaconer = 0;
  std::uint32_t witness = 0;
  std::uint32_t count = 0;
};

/// Witness events (beaconer → witness, counted) over a sliding window of epochs. Events recorded
/// go into the open epoch; end_epoch() closes it, adds it to the window and drops the epoch that
/// falls out. Self-witnesses are ignored, as Helium's verifier drops them (helium/oracles
/// iot_verifier poc.rs). The window's totals are kept per beaconer and updated as epochs enter
/// and leave, so no epoch is ever merged with the rest. Memory: 12 bytes per record per epoch
/// held, plus 8 bytes per distinct pair in the window.
///   WitnessGraph g(nodes, 7);  g.record(b, w);  g.end_epoch();  g.count(b, w);
class WitnessGraph {
 public:
  WitnessGraph(std::size_t nodes, std::int64_t window_epochs);

  void record(std::uint32_t beaconer, std::uint32_t witness, std::uint32_t count = 1);
  void end_epoch();

  /// Window totals over the closed epochs, sorted by (beaconer, witness), no zero counts.
  std::span<const WitnessArc> arcs() const;
  /// Window total for one ordered pair (0 when absent).
  std::int64_t count(std::uint32_t beaconer, std::uint32_t witness) const;
  std::size_t nodes() const { return nodes_; }
  /// Closed epochs currently in the window.
  std::size_t epochs_held() const { return epochs_.size(); }

 private:
  struct Total {
    std::uint32_t witness;
    std::uint32_t count;
  };
  // Adds (sign +1) or removes (-1) one epoch's records to the per-beaconer totals.
  void apply(const std::vector<WitnessArc>& records, int sign);

  std::size_t nodes_;
  std::size_t window_;
  std::vector<WitnessArc> open_;                // the open epoch's records, as recorded
  std::deque<std::vector<WitnessArc>> epochs_;  // the closed epochs' records, oldest first
  std::vector<std::vector<Total>> totals_;      // per beaconer, sorted by witness, no zeros
  // arcs() as one sorted array, rebuilt when asked for after a change.
  mutable std::vector<WitnessArc> arcs_;
  mutable bool arcs_stale_ = false;
};

/// One cluster of the mutual-witness graph and how it looks from outside.
struct ClusterStats {
  std::uint32_t size = 0;
  std::int64_t edges = 0;            // mutual edges between members
  double density = 0.0;              // edges / (size·(size−1)/2); 0 for a single node
  std::int64_t internal_events = 0;  // witness events with both ends inside
  std::int64_t external_events = 0;  // witness events with exactly one end inside
  double insularity = 0.0;           // internal / (internal + external); 0 with no events
  bool flagged = false;
};

/// What analyse() finds: for every node its component, cluster and flags; for every cluster its
/// stats; the reciprocal pairs.
struct CollusionReport {
  static constexpr std::uint8_t kInsularCluster = 1;  // member of a flagged cluster
  static constexpr std::uint8_t kReciprocalPair = 2;  // in an anomalous pair

  std::vector<std::uint32_t> component;  // connected component of the mutual graph, per node
  std::vector<std::uint32_t> cluster;    // index into clusters, per node
  std::vector<std::uint8_t> flags;       // kInsularCluster | kReciprocalPair, per node
  std::vector<ClusterStats> clusters;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> reciprocal_pairs;  // (lower, higher id)
  std::size_t components = 0;  // isolated nodes count as components of one
  std::int64_t mutual_edges = 0;

  bool flagged(std::size_t node) const { return flags[node] != 0; }
};

/// Finds colluding rings in the witness graph. Two nodes are mutual when each witnessed the
/// other at least min_mutual_events times in the window; the mutual graph's connected
/// components are found with Boost.Graph, and each is split into clusters by weighted label
/// propagation (U. N. Raghavan, R. Albert and S. Kumara, Phys. Rev. E 76, 036106, 2007; weight =
/// events both ways), each cluster being connected. A cluster is flagged when it has at least
/// min_size members, density ≥ min_density and insularity ≥ min_insularity: a ring that only
/// vouches for itself is dense and insular, while an honest dense neighbourhood also witnesses
/// (and is witnessed by) the many nodes around it. A pair is reciprocal when its events both
/// ways are at least min_pair_events and at least pair_share of each member's events, far more
/// than the 1/partners an even spread gives: it catches pairs below min_size. Inputs are only
/// the witness reports an oracle receives.
///   CollusionDetector d(spec, nodes);  d.record(b, w);  d.end_epoch();  auto rep = d.analyse();
class CollusionDetector {
 public:
  CollusionDetector(const CollusionSpec& spec, std::size_t nodes);

  void record(std::uint32_t beaconer, std::uint32_t witness, std::uint32_t count = 1) {
    graph_.record(beaconer, witness, count);
  }
  void end_epoch() { graph_.end_epoch(); }
  /// Analyses the closed epochs in the window; deterministic for given inputs.
  CollusionReport analyse() const;
  const WitnessGraph& graph() const { return graph_; }

 private:
  CollusionSpec spec_;
  WitnessGraph graph_;
};

}  // namespace models
