#pragma once
// A sensor network run end to end: field, sensors, network, oracle, rewards, ledger, metrics.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "models/economy/ledger.hpp"
#include "models/field/temperature_field.hpp"
#include "models/metrics/sensor_metrics.hpp"
#include "models/nodes/sensor_population.hpp"
#include "models/scenario.hpp"
#include "models/validation/sanity_check.hpp"
#include "models/validation/spatial_consensus.hpp"
#include "models/validation/submission.hpp"
#include "sim/network.hpp"
#include "sim/random.hpp"
#include "sim/simulator.hpp"

namespace sim {
class Hdf5Writer;
}

namespace models {

/// One run of a sensor-network scenario. Each epoch: sensors sample the true field on their own
/// schedules and send readings over the network to the oracle (the network's sink); readings
/// delivered after the cut-off are late; at the cut-off the oracle runs the sanity checks and
/// spatial consensus on what arrived, without the truth; the epoch's emission is split pro rata
/// to accepted readings through the ledger, whose conservation is checked; the metrics compare
/// verdicts with the truth.
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

  /// Writes /epochs and /nodes of the output contract.
  void write(sim::Hdf5Writer& out) const;

  const SensorMetrics& metrics() const { return metrics_; }
  const SensorPopulation& sensors() const { return sensors_; }
  const Ledger& ledger() const { return ledger_; }
  const sim::Network& network() const { return *network_; }
  std::uint64_t events_dispatched() const { return simulator_.events_dispatched(); }

 private:
  static constexpr sim::EventKind kSample = 1;
  static constexpr sim::EventKind kDeliver = 2;
  static constexpr sim::EventKind kCloseEpoch = 3;
  static constexpr int kIndexBits = 40;  // payload = epoch << 40 | reading index

  // The readings of one epoch, kept until the epoch closes. Two of them alternate.
  struct EpochBuffer {
    std::int64_t epoch = -1;
    std::vector<Submission> submissions;
    std::vector<double> truth_c;
    std::vector<std::uint8_t> arrived;
    EpochTally tally;
    void reset(std::int64_t e, std::int64_t sensor_count);
  };

  void sample(sim::Simulator& s, const sim::Event& e);
  void deliver(sim::Simulator& s, const sim::Event& e);
  void close_epoch(sim::Simulator& s, const sim::Event& e);
  EpochBuffer& buffer_for(std::int64_t epoch);
  sim::Time cutoff(std::int64_t epoch) const;
  sim::RandomStream stream(std::vector<std::uint64_t>& blocks, const sim::StreamId& base,
                           std::uint32_t sensor) const;

  const Scenario scenario_;  // a copy: small, and the world must not outlive what it reads
  sim::RandomStreams streams_;
  TemperatureField field_;
  SensorPopulation sensors_;
  std::unique_ptr<sim::Network> network_;
  SanityCheck sanity_;
  SpatialConsensus consensus_;
  Ledger ledger_;
  Ledger::Account pool_ = 0;
  Ledger::Account treasury_ = 0;
  Ledger::Account first_sensor_account_ = 0;
  SensorMetrics metrics_;
  sim::Simulator simulator_;

  sim::StreamId noise_stream_;
  sim::StreamId network_stream_;
  std::vector<std::uint64_t> noise_blocks_;
  std::vector<std::uint64_t> network_blocks_;
  std::array<EpochBuffer, 2> buffers_;
  std::int64_t closed_epochs_ = 0;

  // Per-sensor totals for /nodes.
  std::vector<std::int64_t> submitted_total_;
  std::vector<std::int64_t> accepted_total_;
  std::vector<EpochObserver> observers_;
};

}  // namespace models
