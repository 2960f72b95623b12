#include "models/sensor_world.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>

#include <omp.h>

#include "sim/hdf5_file.hpp"

namespace models {

namespace {

sim::Topology build_topology(const Scenario& s, const SensorPopulation& sensors,
                             const sim::RandomStreams& streams) {
  std::vector<sim::Point> points(sensors.size());
  for (std::size_t i = 0; i < sensors.size(); ++i)
    points[i] = {sensors.x_km[i], sensors.y_km[i]};
  // The oracle sits at the centre of the region. Without sensors it stands alone.
  const sim::Point oracle{s.width_km / 2, s.height_km / 2};
  if (points.empty()) return sim::Topology{{oracle}, {}};
  return sim::make_topology(topology_spec(s.network), std::move(points), oracle, streams);
}

sim::LinkModel link_model(const NetworkSpec& n) {
  sim::LinkModel link;
  link.base_latency = n.base_latency;
  link.per_km_latency_us = n.per_km_latency_us;
  link.jitter_mean = n.jitter_mean;
  link.loss_per_hop = n.loss_per_hop;
  return link;
}

template <class T>
std::vector<T> per_sensor(const SensorPopulation& p, T (*of)(const SensorGroupSpec&)) {
  std::vector<T> out(p.size());
  for (std::size_t i = 0; i < p.size(); ++i)
    out[i] = of(p.spec_of(i));
  return out;
}

// Cells of the coverage grid whose centre lies in the region.
std::int64_t cells_in_region(double width_km, double height_km, int res) {
  std::int64_t q_min = INT64_MAX, q_max = INT64_MIN, r_min = INT64_MAX, r_max = INT64_MIN;
  for (double x : {0.0, width_km}) {
    for (double y : {0.0, height_km}) {
      const HexAxial a = hex_axial(hex_cell_at(x, y, res));
      q_min = std::min(q_min, a.q), q_max = std::max(q_max, a.q);
      r_min = std::min(r_min, a.r), r_max = std::max(r_max, a.r);
    }
  }
  std::int64_t n = 0;
  for (std::int64_t q = q_min - 1; q <= q_max + 1; ++q) {
    for (std::int64_t r = r_min - 1; r <= r_max + 1; ++r) {
      const auto [x, y] = hex_center_km(hex_cell(res, HexAxial{q, r}));
      if (x >= 0 && x <= width_km && y >= 0 && y <= height_km) ++n;
    }
  }
  return n;
}

constexpr sim::Priority kClosePriority = 200;  // after samples and verifications at that instant

}  // namespace

SensorWorld::SensorWorld(const Scenario& scenario, std::uint64_t run_index)
    : scenario_(scenario),
      streams_(scenario.seed, run_index),
      field_(scenario.field, streams_.stream("field")),
      sensors_(SensorPopulation::build(scenario.sensors, scenario.width_km, scenario.height_km,
                                       streams_)),
      network_(std::make_unique<sim::Network>(build_topology(scenario, sensors_, streams_),
                                              link_model(scenario.network))),
      sampling_(
          per_sensor<sim::Time>(sensors_, [](const SensorGroupSpec& g) { return g.sampling; })),
      reward_weight_(per_sensor<double>(
          sensors_, [](const SensorGroupSpec& g) { return g.hardware.reward_weight; })),
      oracle_(scenario_, StationRegistry{sensors_.claimed_x_km, sensors_.claimed_y_km, sampling_,
                                         reward_weight_}),
      metrics_(MetricsLayout{scenario.epoch.to_days(),
                             [&] {
                               std::vector<std::string> kinds;
                               for (const auto& c : scenario.validation.readings)
                                 kinds.push_back(c.kind);
                               return kinds;
                             }(),
                             scenario.validation.coverage.has_value(),
                             [&] {
                               std::vector<std::string> classes;
                               for (const auto& g : scenario.sensors) {
                                 if (std::find(classes.begin(), classes.end(), g.hardware.name) ==
                                     classes.end()) {
                                   classes.push_back(g.hardware.name);
                                 }
                               }
                               return classes;
                             }(),
                             !scenario.storage_groups.empty() || !scenario.compute_groups.empty()}),
      noise_stream_(streams_.id("sensor.reading")),
      network_stream_(streams_.id("sensor.network")),
      beacon_stream_(streams_.id("sensor.beacon")),
      noise_blocks_(sensors_.size(), 0),
      network_blocks_(sensors_.size(), 0),
      beacon_blocks_(sensors_.size(), 0),
      crew_(sensors_.operators),
      submitted_total_(sensors_.size(), 0),
      accepted_total_(sensors_.size(), 0),
      reward_total_(sensors_.size(), 0),
      last_reputation_(sensors_.size(), 1.0),
      last_pol_(sensors_.size(), 1.0),
      flagged_(sensors_.size(), 0) {
  const std::size_t n = sensors_.size();
  nodes_of_ = sensors_.nodes_by_operator();
  build_providers();  // sets operators_: the sensors' operators, then the providers' own
  nodes_of_.resize(operators_);
  joined_epoch_.assign(operators_, 0);
  left_epoch_.assign(operators_, -1);
  for (std::uint32_t op : sensors_.reserve_operators)
    joined_epoch_[op] = -1;
  std::vector<std::int64_t> running(operators_, 0);
  for (std::size_t op = 0; op < sensors_.operators; ++op) {
    if (joined_epoch_[op] == 0) running[op] = static_cast<std::int64_t>(nodes_of_[op].size());
  }
  for (std::uint32_t op : storage_operator_)
    ++running[op];
  for (std::uint32_t op : compute_operator_)
    ++running[op];
  ledger_.record_entries(scenario.output.ledger);
  economy_ = std::make_unique<TokenEconomy>(scenario.economy, ledger_, running, streams_);
  was_flagged_.assign(n, 0);

  for (const PartitionSpec& p : scenario.network.partitions) {
    std::vector<std::uint32_t> cut;
    for (std::size_t i = 0; i < n; ++i) {
      if (sensors_.x_km[i] >= p.x_min_km && sensors_.x_km[i] <= p.x_max_km &&
          sensors_.y_km[i] >= p.y_min_km && sensors_.y_km[i] <= p.y_max_km) {
        cut.push_back(static_cast<std::uint32_t>(i));
      }
    }
    if (!cut.empty()) network_->add_partition(std::move(cut), p.start, p.end);
  }

  // Rings and swarms: who forges reports for whom, and how many devices stand behind them.
  for (std::size_t i = 0; i < n; ++i) {
    const Behaviour b = sensors_.behaviour[i];
    if (b == Behaviour::colluder || b == Behaviour::sybil) {
      crew_[sensors_.operator_id[i]].push_back(static_cast<std::uint32_t>(i));
    }
  }
  device_share_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& crew = crew_[sensors_.operator_id[i]];
    device_share_[i] = crew.empty() ? 1.0 : 1.0 / static_cast<double>(crew.size());
  }

  const int res = scenario.metrics.coverage_resolution;
  coverage_cell_.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    coverage_cell_[i] = hex_cell_at(sensors_.claimed_x_km[i], sensors_.claimed_y_km[i], res);
  region_hexes_ = cells_in_region(scenario.width_km, scenario.height_km, res);

  simulator_.on<&SensorWorld::close_epoch>(kCloseEpoch, *this);
  if (oracle_.has_coverage()) {
    std::vector<double> tx(n), gain(n);
    for (std::size_t i = 0; i < n; ++i) {
      tx[i] = sensors_.spec_of(i).hardware.tx_power_dbm;
      gain[i] = sensors_.spec_of(i).hardware.antenna_gain_dbi;
    }
    radio_ = std::make_unique<RadioLinks>(scenario.radio, sensors_.x_km, sensors_.y_km, tx, gain);
    const auto every = static_cast<std::uint64_t>(scenario.beacon_every.ticks());
    beacon_phase_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      auto phase = streams_.stream("sensor.beacon_phase", i);
      beacon_phase_[i] =
          sim::Time::from_ticks(static_cast<sim::Time::Rep>(phase.uniform_int(every)));
    }
  }
  simulator_.every(scenario.epoch, scenario.epoch + scenario.validation.cutoff_grace, kCloseEpoch,
                   0, 0, kClosePriority);
}

SensorWorld::~SensorWorld() = default;

sim::Time SensorWorld::cutoff(std::int64_t epoch) const {
  return scenario_.epoch * (epoch + 1) + scenario_.validation.cutoff_grace;
}

sim::RandomStream SensorWorld::stream(std::vector<std::uint64_t>& blocks, const sim::StreamId& base,
                                      std::uint32_t sensor) const {
  sim::StreamId id = base;
  id.entity = sensor;
  return sim::RandomStream(id, blocks[sensor]);
}

namespace {

// The first of the times first + k·period (k >= 0) at or after `start`.
sim::Time first_at_or_after(sim::Time first, sim::Time period, sim::Time start) {
  if (start <= first) return first;
  const sim::Time::Rep k = ((start - first).ticks() + period.ticks() - 1) / period.ticks();
  return first + sim::Time::from_ticks(k * period.ticks());
}

enum class Fate : std::uint8_t { not_taken, arrived, lost, late };

}  // namespace

void SensorWorld::collect_readings(std::int64_t epoch, EpochBuffer& buf,
                                   const std::function<void()>& beside) {
  const std::size_t n = sensors_.size();
  const sim::Time start = scenario_.epoch * epoch;
  const sim::Time end = start + scenario_.epoch;
  const sim::Time deadline = cutoff(epoch);
  // Each sensor's readings go to slots of their own, so threads never share one.
  std::vector<std::size_t> offset(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const sim::Time t0 = first_at_or_after(sensors_.first_sample[i], sampling_[i], start);
    const std::size_t k =
        t0 < end ? static_cast<std::size_t>((end - t0 - sim::Time::micros(1)) / sampling_[i]) + 1
                 : 0;
    offset[i + 1] = offset[i] + k;
  }
  const std::size_t slots = offset[n];
  std::vector<Submission> taken(slots);
  std::vector<double> truth(slots);
  std::vector<Fate> fate(slots, Fate::not_taken);
  std::vector<sim::NetworkCounters> counts(static_cast<std::size_t>(omp_get_max_threads()));

  // An exception may not leave an OpenMP region: `beside`'s is carried out and rethrown.
  std::exception_ptr beside_failed;
#pragma omp parallel
  {
    if (beside) {
#pragma omp single nowait
      try {
        beside();
      } catch (...) {
        beside_failed = std::current_exception();
      }
    }
    sim::NetworkCounters& mine = counts[static_cast<std::size_t>(omp_get_thread_num())];
#pragma omp for schedule(dynamic, 256)
    for (std::int64_t ii = 0; ii < static_cast<std::int64_t>(n); ++ii) {
      const auto i = static_cast<std::uint32_t>(ii);
      const bool moved = sensors_.claimed_x_km[i] != sensors_.x_km[i] ||
                         sensors_.claimed_y_km[i] != sensors_.y_km[i];
      sim::Time now = first_at_or_after(sensors_.first_sample[i], sampling_[i], start);
      for (std::size_t k = offset[i]; k < offset[i + 1]; ++k, now += sampling_[i]) {
        if (!sensors_.online(i, now)) continue;  // failed, or in an outage: no reading
        // Each reading starts fresh blocks of the sensor's streams, as if it were its own event.
        sim::RandomStream noise = stream(noise_blocks_, noise_stream_, i);
        sim::RandomStream net = stream(network_blocks_, network_stream_, i);
        // The sensor measures where it is; its reading is used as if taken where it claims to
        // be, so that is the truth it is judged against.
        const double sensed = field_.at(sensors_.x_km[i], sensors_.y_km[i], now);
        truth[k] =
            moved ? field_.at(sensors_.claimed_x_km[i], sensors_.claimed_y_km[i], now) : sensed;
        taken[k] = Submission{i, now, sensors_.reading(i, now, sensed, field_, noise)};
        // What matters of a delivery is whether it makes the cut-off.
        const sim::SendResult r = network_->transit_to_sink(i, now, net, mine);
        fate[k] = r.outcome != sim::Delivery::delivered ? Fate::lost
                  : now + r.latency > deadline          ? Fate::late  // discarded on arrival
                                                        : Fate::arrived;
        noise_blocks_[i] = noise.next_block();
        network_blocks_[i] = net.next_block();
      }
    }
  }
  if (beside_failed) std::rethrow_exception(beside_failed);
  for (const sim::NetworkCounters& c : counts)
    network_->add_counts(c);

  EpochTally& t = buf.tally;
  t = EpochTally{};
  t.epoch = epoch;
  t.sensors = static_cast<std::int64_t>(n);
  buf.submissions.clear();
  buf.truth_c.clear();
  buf.arrived.clear();
  for (std::size_t k = 0; k < slots; ++k) {
    if (fate[k] == Fate::not_taken) continue;
    const std::uint32_t i = taken[k].sensor;
    const auto b = static_cast<std::size_t>(sensors_.behaviour[i]);
    buf.submissions.push_back(taken[k]);
    buf.truth_c.push_back(truth[k]);
    buf.arrived.push_back(fate[k] == Fate::arrived ? 1 : 0);
    ++t.submitted[b];
    ++submitted_total_[i];
    t.lost[b] += fate[k] == Fate::lost ? 1 : 0;
    t.late[b] += fate[k] == Fate::late ? 1 : 0;
  }
}

void SensorWorld::judge_readings(EpochBuffer& buf, std::vector<Submission>& arrived,
                                 std::vector<Verdict>& verdicts, std::vector<std::size_t>& origin) {
  EpochTally& t = buf.tally;
  // What the oracle sees: the submissions that arrived in time, in the order they were taken.
  for (std::size_t k = 0; k < buf.submissions.size(); ++k) {
    if (buf.arrived[k] == 0) continue;
    arrived.push_back(buf.submissions[k]);
    origin.push_back(k);
  }
  verdicts.assign(arrived.size(), Verdict::accepted);
  std::vector<std::uint8_t> bad(arrived.size());
  for (std::size_t k = 0; k < arrived.size(); ++k) {
    bad[k] = std::abs(arrived[k].value_c - buf.truth_c[origin[k]]) > scenario_.metrics.bad_error_c;
  }
  const ReadingBatch batch{arrived, verdicts, scenario_.epoch * buf.tally.epoch, scenario_.epoch};
  std::vector<std::uint8_t> before(arrived.size());
  t.checks.assign(oracle_.reading_checks(), CheckTally{});
  for (std::size_t c = 0; c < oracle_.reading_checks(); ++c) {
    for (std::size_t k = 0; k < arrived.size(); ++k)
      before[k] = is_accepted(verdicts[k]);
    ReadingCheck& check = oracle_.reading_check(c);
    check.check(batch);
    t.unverified += check.unverified();
    CheckTally& ct = t.checks[c];
    for (std::size_t k = 0; k < arrived.size(); ++k) {
      if (before[k] == 0) continue;
      ++ct.judged;
      const bool rejected = !is_accepted(verdicts[k]);
      if (bad[k] != 0) {
        ++(rejected ? ct.rejected_bad : ct.passed_bad);
      } else if (rejected) {
        ++ct.rejected_good;
      }
    }
  }

  // Coverage counts cells, so per station: did it have an accepted (and a truly good) reading.
  std::vector<std::uint8_t> claimed_by(sensors_.size(), 0), valid_by(sensors_.size(), 0);
  for (std::size_t k = 0; k < arrived.size(); ++k) {
    const Submission& sub = arrived[k];
    const auto b = static_cast<std::size_t>(sensors_.behaviour[sub.sensor]);
    ++t.arrived[b];
    t.bad_arrived[b] += bad[k];
    switch (verdicts[k]) {
      case Verdict::accepted: {
        ++t.accepted[b];
        t.bad_accepted[b] += bad[k];
        ++accepted_total_[sub.sensor];
        const double err = sub.value_c - buf.truth_c[origin[k]];
        t.accepted_sq_error_sum += err * err;
        claimed_by[sub.sensor] = 1;
        if (bad[k] == 0) valid_by[sub.sensor] = 1;
        break;
      }
      case Verdict::out_of_bounds:
        ++t.rejected_bounds;
        break;
      case Verdict::jump:
        ++t.rejected_jump;
        break;
      case Verdict::outlier:
        ++t.rejected_outlier;
        break;
      case Verdict::constant:
        ++t.rejected_constant;
        break;
    }
  }
  const auto count_cells = [&](const std::vector<std::uint8_t>& by) {
    std::vector<HexCell> cells;
    for (std::size_t i = 0; i < by.size(); ++i) {
      if (by[i] != 0) cells.push_back(coverage_cell_[i]);
    }
    std::sort(cells.begin(), cells.end());
    cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
    return static_cast<std::int64_t>(std::count_if(cells.begin(), cells.end(), [&](HexCell c) {
      const auto [x, y] = hex_center_km(c);
      return x >= 0 && x <= scenario_.width_km && y >= 0 && y <= scenario_.height_km;
    }));
  };
  t.hexes = region_hexes_;
  t.hexes_claimed = count_cells(claimed_by);
  t.hexes_valid = count_cells(valid_by);
}

void SensorWorld::pay(EpochTally& t, const EpochRewards& rewards) {
  for (std::size_t i = 0; i < sensors_.size(); ++i) {
    const auto b = static_cast<std::size_t>(sensors_.behaviour[i]);
    last_reputation_[i] = rewards.reputation[i];
    last_pol_[i] = rewards.pol[i];
    flagged_[i] = rewards.flagged[i];
    t.flagged[b] += rewards.flagged[i];
    t.coverage.units[b] += rewards.coverage_units[i];
    if (sensors_.online(i, cutoff(t.epoch))) {
      ++t.online[b];
      t.pol_sum[b] += rewards.pol[i];
    }
    reward_total_[i] += rewards.payouts[i];
    t.paid[b] += rewards.payouts[i];
  }
  t.undistributed = rewards.to_treasury;
}

void SensorWorld::close_epoch(sim::Simulator& s, const sim::Event&) {
  const std::int64_t epoch = closed_epochs_;
  if (epoch >= scenario_.epochs()) return;
  // The beacons sent since the last close are verified on one thread while the others take
  // the epoch's readings: the two share nothing.
  EpochBuffer buf;
  std::function<void()> verification;
  if (oracle_.has_coverage()) {
    prepare_beacons(s.now());
    verification = [this] { verify_beacons(); };
  }
  collect_readings(epoch, buf, verification);
  EpochTally& t = buf.tally;

  std::vector<Submission> arrived;
  std::vector<Verdict> verdicts;
  std::vector<std::size_t> origin;
  judge_readings(buf, arrived, verdicts, origin);

  // The economy mints the epoch's emission; the oracle's rule decides who gets the nodes' pool;
  // the economy pays it out, runs the market and the operators' books.
  const sim::Time start = scenario_.epoch * epoch;
  TokenEconomy::RolesPresent present{};
  present[static_cast<std::size_t>(Role::data)] = sensors_.size() > 0;
  present[static_cast<std::size_t>(Role::coverage)] = sensors_.size() > 0;
  present[static_cast<std::size_t>(Role::storage)] = storage_ != nullptr;
  present[static_cast<std::size_t>(Role::compute)] = compute_ != nullptr;
  const TokenEconomy::EpochOpening open =
      economy_->open_epoch(epoch, start, start + scenario_.epoch, present);
  t.coverage = coverage_now_;
  coverage_now_ = CoverageTally{};
  // Data transfer is paid from the nodes' pool at most (a collapsed price can make the buyers'
  // dollars worth more tokens than exist).
  const Tokens data_usage =
      open.data_usage_tokens > 0
          ? to_units(std::min(open.data_usage_tokens, to_tokens(open.to_nodes)))
          : 0;
  const EpochRewards rewards =
      oracle_.close_epoch(cutoff(epoch), arrived, verdicts, open.to_nodes, data_usage);
  pay(t, rewards);
  ProviderRound round = step_providers(open, epoch);
  settle(t, rewards, round, s.now());

  metrics_.record(t);
  for (const auto& observer : observers_)
    observer(t);
  ++closed_epochs_;
}

void SensorWorld::run() {
  simulator_.run_until(scenario_.duration + scenario_.validation.cutoff_grace);
}

}  // namespace models
