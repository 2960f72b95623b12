#pragma once
// A sensor network run end to end: field, sensors, radio, network, oracle, ledger, metrics.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "models/compute_network.hpp"
#include "models/economy/ledger.hpp"
#include "models/field/radio_links.hpp"
#include "models/field/temperature_field.hpp"
#include "models/metrics/sensor_metrics.hpp"
#include "models/nodes/sensor_population.hpp"
#include "models/provider_epoch.hpp"
#include "models/scenario.hpp"
#include "models/sensor_oracle.hpp"
#include "models/storage_network.hpp"
#include "models/validation/hex_grid.hpp"
#include "models/validation/submission.hpp"
#include "sim/network.hpp"
#include "sim/random.hpp"
#include "sim/simulator.hpp"

namespace sim {
class Hdf5Writer;
}

namespace models {

/// One run of a scenario: its sensor network, and the storage and compute networks beside it
/// (models/storage_network.hpp, models/compute_network.hpp), whose providers are paid from their
/// roles' share of the same emission and belong to operators of the same economy.
/// The sensor side: Sensors sample the true field on their own schedules
/// and send readings over the network to the oracle; readings delivered after the cut-off are
/// late. With proof of coverage on, nodes beacon on their own schedules: who hears a beacon is
/// decided by the radio channel from true positions, while rings and swarms forge reports for
/// each other. At each epoch's cut-off the oracle (SensorOracle, which never sees the truth) runs
/// its checks and reward rule; payouts go through the ledger, whose conservation is checked; the
/// metrics compare every verdict with the truth.
/// The cut-off is the one event of an epoch. What sensors did since the last one is worked out
/// then, in bulk and in parallel over sensors: each sensor's readings and beacons depend only on
/// its own random streams, the (pure) field and the other sensors' (pure) uptime, and nothing
/// the oracle decides reaches a sensor before the cut-off, so the result is the one an event
/// per reading would give, at any thread count.
///   SensorWorld w(scenario, 0);  w.run();  w.write(writer);
class SensorWorld {
 public:
  SensorWorld(const Scenario& scenario, std::uint64_t run_index);
  ~SensorWorld();
  SensorWorld(const SensorWorld&) = delete;
  SensorWorld& operator=(const SensorWorld&) = delete;

  /// Called after each epoch closes, with the epoch's tally (progress, live views).
  using EpochObserver = std::function<void(const EpochTally&)>;
  void on_epoch(EpochObserver observer) { observers_.push_back(std::move(observer)); }

  /// Runs every epoch of the scenario. Throws LedgerError if the books stop balancing.
  void run();
  /// Asks run() to return early, after the event being handled (e.g. from an epoch observer
  /// when the user interrupts). finished() then tells whether every epoch was closed.
  void stop() { simulator_.stop(); }
  bool finished() const { return closed_epochs_ == scenario_.epochs(); }
  std::int64_t closed_epochs() const { return closed_epochs_; }

  /// Writes /epochs and /nodes of the output contract, and /ledger when output.ledger is on.
  void write(sim::Hdf5Writer& out) const;

  const SensorMetrics& metrics() const { return metrics_; }
  const StorageNetwork* storage() const { return storage_.get(); }
  const ComputeNetwork* compute() const { return compute_.get(); }
  /// Operators of the run: the sensors', then the providers' own.
  std::size_t operators() const { return operators_; }
  /// Each storage (compute) provider's operator, in the run's numbering.
  const std::vector<std::uint32_t>& storage_operators() const { return storage_operator_; }
  const std::vector<std::uint32_t>& compute_operators() const { return compute_operator_; }
  const SensorPopulation& sensors() const { return sensors_; }
  const Ledger& ledger() const { return ledger_; }
  const TokenEconomy& economy() const { return *economy_; }
  const sim::Network& network() const { return *network_; }
  std::uint64_t events_dispatched() const { return simulator_.events_dispatched(); }

 private:
  static constexpr sim::EventKind kCloseEpoch = 3;

  // The readings of one epoch that were taken, with the truth at their claimed places and
  // whether each reached the oracle by the cut-off.
  struct EpochBuffer {
    std::vector<Submission> submissions;
    std::vector<double> truth_c;
    std::vector<std::uint8_t> arrived;
    EpochTally tally;
  };
  // Beacons on their way to verification, with the reports the oracle will receive for them,
  // in flat arrays (a beacon's reports are a range of them): one batch per thread while
  // sending, and one for the beacons carried over to the next close.
  struct BeaconBatch {
    struct Entry {
      sim::Time sent;
      sim::Time verify_at;  // once its witness window has passed
      Beacon beacon;
      std::size_t first = 0;  // into reports, forged and prechecked
      std::uint32_t count = 0;
    };
    std::vector<Entry> beacons;
    std::vector<WitnessReport> reports;
    std::vector<std::uint8_t> forged;  // per report: the witness never heard it
    std::vector<WitnessVerdict> prechecked;

    void clear();
    /// Copies beacon `e` of `from`, with its reports.
    void append(const BeaconBatch& from, const Entry& e);
    std::span<const WitnessReport> reports_of(const Entry& e) const {
      return {reports.data() + e.first, e.count};
    }
  };

  void close_epoch(sim::Simulator& s, const sim::Event& e);
  /// Every reading of the epoch, taken in bulk over sensors in parallel: a sensor's readings
  /// depend only on its own streams and the (pure) field, so no event per reading is needed.
  /// `beside`, if given, runs on one thread while the others take readings; when it is done that
  /// thread takes readings too. It must share no state with them (the oracle's verification of
  /// beacons, which would otherwise leave a core idle).
  void collect_readings(std::int64_t epoch, EpochBuffer& buf,
                        const std::function<void()>& beside = {});
  // sensor_world_coverage.cpp: beacons sent before `until` (in parallel over sensors), put in
  // verification order, and those whose witness window has closed by `until` prechecked (in
  // parallel); then verify_beacons() verifies those in time order (on one thread) and keeps the
  // rest for a later close.
  void prepare_beacons(sim::Time until);
  void verify_beacons();
  void send_beacons(std::uint32_t i, sim::Time from, sim::Time to, BeaconBatch& out,
                    sim::NetworkCounters& counts);
  void verify(const BeaconBatch& batch, const BeaconBatch::Entry& p);
  void judge_readings(EpochBuffer& buf, std::vector<Submission>& arrived,
                      std::vector<Verdict>& verdicts, std::vector<std::size_t>& origin);
  void pay(EpochTally& t, const EpochRewards& rewards);
  void write_ledger(sim::Hdf5Writer& out) const;  // sensor_world_output.cpp
  // sensor_world_providers.cpp: the storage and compute networks.
  /// What the providers did in an epoch, per (global) operator, and their pools' remainder.
  struct ProviderRound {
    std::vector<OperatorActivity> activity;  // per operator
    Tokens paid = 0;                         // from the storage and compute pools
    Tokens unpaid = 0;                       // of the storage and compute pools
  };
  /// Builds the networks and gives their operators global ids after the sensors' operators.
  void build_providers();
  /// Steps both networks with the epoch's pools and books what they report.
  ProviderRound step_providers(const TokenEconomy::EpochOpening& open, std::int64_t epoch);
  /// Pays one network's pool by its providers' reward weights and adds its dealings.
  static void book_providers(const ProviderEpochs& epoch, Tokens pool,
                             const std::vector<std::uint32_t>& operator_of,
                             std::vector<Tokens>& totals, ProviderRound& round);
  /// Operator `op` has left: its providers stop.
  void providers_leave(std::uint32_t op, sim::Time now);
  /// The economy's side of the close: operators' costs and payouts, the market, exits and entry
  /// (sensor_world_economy.cpp).
  void settle(EpochTally& t, const EpochRewards& rewards, ProviderRound& round, sim::Time now);
  sim::Time cutoff(std::int64_t epoch) const;
  sim::RandomStream stream(std::vector<std::uint64_t>& blocks, const sim::StreamId& base,
                           std::uint32_t sensor) const;

  const Scenario scenario_;  // a copy: small, and the world must not outlive what it reads
  sim::RandomStreams streams_;
  TemperatureField field_;
  SensorPopulation sensors_;
  std::unique_ptr<sim::Network> network_;
  std::vector<sim::Time> sampling_;    // per sensor, for the oracle's registry
  std::vector<double> reward_weight_;  // per sensor, for the oracle's registry
  SensorOracle oracle_;
  std::unique_ptr<RadioLinks> radio_;  // with proof of coverage only
  Ledger ledger_;
  std::unique_ptr<TokenEconomy> economy_;
  SensorMetrics metrics_;
  sim::Simulator simulator_;

  sim::StreamId noise_stream_;
  sim::StreamId network_stream_;
  sim::StreamId beacon_stream_;
  std::vector<std::uint64_t> noise_blocks_;
  std::vector<std::uint64_t> network_blocks_;
  std::vector<std::uint64_t> beacon_blocks_;
  std::int64_t closed_epochs_ = 0;

  // Coverage: the members of each ring or swarm (by operator), each sensor's beacon phase, how
  // far beacons have been sent, the beacons sent but not yet verified (in verification order)
  // and the tally of the beacons verified since the last epoch closed.
  std::vector<std::vector<std::uint32_t>> crew_;
  std::vector<sim::Time> beacon_phase_;
  sim::Time beacons_sent_until_;
  BeaconBatch pending_;               // sent, not yet due, in verification order
  std::vector<BeaconBatch> sending_;  // per thread; kept for their storage
  // A beacon of sending_ (batch < sending_.size()) or pending_ (batch == sending_.size()), with
  // the keys of its place in verification order.
  struct BeaconRef {
    sim::Time verify_at;
    std::uint32_t beaconer;
    sim::Time sent;
    std::uint32_t batch, entry;
  };
  std::vector<BeaconRef> beacon_order_;  // the prepared beacons, in verification order
  std::size_t beacons_due_ = 0;          // the first ones of beacon_order_, due now
  CoverageTally coverage_now_;

  // Truth-side bookkeeping: each sensor's coverage cell, the region's cell count, each node's
  // share of its device (a ring or swarm shares one), and operators' nodes, joining and leaving.
  std::vector<HexCell> coverage_cell_;
  std::int64_t region_hexes_ = 0;
  std::vector<double> device_share_;
  std::vector<std::vector<std::uint32_t>> nodes_of_;  // per operator
  std::vector<std::int64_t> joined_epoch_;            // per operator; -1 while in the reserve
  std::vector<std::int64_t> left_epoch_;              // per operator; -1 while in the network
  std::size_t next_reserve_ = 0;                      // in sensors_.reserve_operators
  std::vector<std::uint8_t> was_flagged_;             // per node, at the last close

  // Per-sensor results for /nodes.
  std::vector<std::int64_t> submitted_total_;
  std::vector<std::int64_t> accepted_total_;
  std::vector<Tokens> reward_total_;
  std::vector<double> last_reputation_;
  std::vector<double> last_pol_;
  std::vector<std::uint8_t> flagged_;
  std::vector<EpochObserver> observers_;

  // Storage and compute providers (absent without population entries of their kind): their
  // networks, each provider's global operator, and what each provider earned from the pools.
  std::unique_ptr<StorageNetwork> storage_;
  std::unique_ptr<ComputeNetwork> compute_;
  std::vector<std::uint32_t> storage_operator_, compute_operator_;  // per provider
  std::vector<Tokens> storage_reward_, compute_reward_;             // per provider
  std::size_t operators_ = 0;  // sensors' operators, then the providers' own
};

}  // namespace models
