#include "models/sensor_world.hpp"

#include <algorithm>
#include <string>

#include "models/rewards/pro_rata.hpp"
#include "sim/hdf5_file.hpp"

namespace models {

namespace {

sim::Topology build_topology(const Scenario& s, const SensorPopulation& sensors,
                             const sim::RandomStreams& streams) {
  std::vector<sim::Point> points(sensors.size());
  for (std::size_t i = 0; i < sensors.size(); ++i)
    points[i] = {sensors.x_km[i], sensors.y_km[i]};
  // The oracle sits at the centre of the region.
  const sim::Point oracle{s.width_km / 2, s.height_km / 2};
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

constexpr sim::Priority kClosePriority = 200;  // after deliveries at the same instant

}  // namespace

void SensorWorld::EpochBuffer::reset(std::int64_t e, std::int64_t sensor_count) {
  epoch = e;
  submissions.clear();
  truth_c.clear();
  arrived.clear();
  tally = EpochTally{};
  tally.epoch = e;
  tally.sensors = sensor_count;
}

SensorWorld::SensorWorld(const Scenario& scenario, std::uint64_t run_index)
    : scenario_(scenario),
      streams_(scenario.seed, run_index),
      field_(scenario.field, streams_.stream("field")),
      sensors_(SensorPopulation::build(scenario.sensors, scenario.width_km, scenario.height_km,
                                       streams_)),
      network_(std::make_unique<sim::Network>(build_topology(scenario, sensors_, streams_),
                                              link_model(scenario.network))),
      sanity_(scenario.validation.sanity, sensors_.size()),
      consensus_(scenario.validation.consensus, sensors_.claimed_x_km, sensors_.claimed_y_km),
      metrics_(scenario.epoch.to_days()),
      noise_stream_(streams_.id("sensor.reading")),
      network_stream_(streams_.id("sensor.network")),
      noise_blocks_(sensors_.size(), 0),
      network_blocks_(sensors_.size(), 0),
      submitted_total_(sensors_.size(), 0),
      accepted_total_(sensors_.size(), 0) {
  pool_ = ledger_.open("reward_pool");
  treasury_ = ledger_.open("treasury");
  first_sensor_account_ = static_cast<Ledger::Account>(ledger_.accounts());
  for (std::size_t i = 0; i < sensors_.size(); ++i)
    ledger_.open("sensor " + std::to_string(i));

  for (const PartitionSpec& p : scenario.network.partitions) {
    std::vector<std::uint32_t> cut;
    for (std::size_t i = 0; i < sensors_.size(); ++i) {
      if (sensors_.x_km[i] >= p.x_min_km && sensors_.x_km[i] <= p.x_max_km &&
          sensors_.y_km[i] >= p.y_min_km && sensors_.y_km[i] <= p.y_max_km) {
        cut.push_back(static_cast<std::uint32_t>(i));
      }
    }
    if (!cut.empty()) network_->add_partition(std::move(cut), p.start, p.end);
  }

  simulator_.on<&SensorWorld::sample>(kSample, *this);
  simulator_.on<&SensorWorld::deliver>(kDeliver, *this);
  simulator_.on<&SensorWorld::close_epoch>(kCloseEpoch, *this);
  for (std::size_t i = 0; i < sensors_.size(); ++i) {
    const SensorGroupSpec& g = sensors_.groups[sensors_.group[i]];
    simulator_.every(g.sampling, sensors_.first_sample[i], kSample, static_cast<std::uint32_t>(i));
  }
  simulator_.every(scenario.epoch, scenario.epoch + scenario.validation.cutoff_grace, kCloseEpoch,
                   0, 0, kClosePriority);
  const auto n = static_cast<std::int64_t>(sensors_.size());
  buffers_[0].reset(0, n);
  buffers_[1].reset(1, n);
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

SensorWorld::EpochBuffer& SensorWorld::buffer_for(std::int64_t epoch) {
  EpochBuffer& b = buffers_[static_cast<std::size_t>(epoch % 2)];
  if (b.epoch != epoch) throw std::logic_error("SensorWorld: epoch buffer out of step");
  return b;
}

void SensorWorld::sample(sim::Simulator& s, const sim::Event& e) {
  const sim::Time now = s.now();
  const std::int64_t epoch = now / scenario_.epoch;
  if (epoch >= scenario_.epochs()) return;  // past the end of the run
  const std::uint32_t i = e.target;
  EpochBuffer& buf = buffer_for(epoch);
  const auto b = static_cast<std::size_t>(sensors_.behaviour[i]);

  if (!sensors_.online(i, now)) return;  // failed, or in an outage: no reading
  sim::RandomStream noise = stream(noise_blocks_, noise_stream_, i);
  // The sensor measures where it is; its reading is used as if taken where it claims to be,
  // so that is the truth it is judged against.
  const double sensed = field_.at(sensors_.x_km[i], sensors_.y_km[i], now);
  const bool moved =
      sensors_.claimed_x_km[i] != sensors_.x_km[i] || sensors_.claimed_y_km[i] != sensors_.y_km[i];
  const double truth =
      moved ? field_.at(sensors_.claimed_x_km[i], sensors_.claimed_y_km[i], now) : sensed;
  const double value = sensors_.reading(i, now, sensed, field_, noise);
  noise_blocks_[i] = noise.next_block();

  const auto index = static_cast<std::uint64_t>(buf.submissions.size());
  buf.submissions.push_back(Submission{i, now, value});
  buf.truth_c.push_back(truth);
  buf.arrived.push_back(0);
  ++buf.tally.submitted[b];
  ++submitted_total_[i];

  sim::RandomStream net = stream(network_blocks_, network_stream_, i);
  const sim::SendResult r =
      network_->send(s, i, network_->sink(), kDeliver,
                     (static_cast<std::uint64_t>(epoch) << kIndexBits) | index, net);
  network_blocks_[i] = net.next_block();
  if (r.outcome != sim::Delivery::delivered) {
    ++buf.tally.lost[b];
  } else if (now + r.latency > cutoff(epoch)) {
    ++buf.tally.late[b];  // the simulator knows now; the oracle will discard it on arrival
  }
}

void SensorWorld::deliver(sim::Simulator& s, const sim::Event& e) {
  const auto epoch = static_cast<std::int64_t>(e.payload >> kIndexBits);
  const std::uint64_t index = e.payload & ((std::uint64_t{1} << kIndexBits) - 1);
  if (epoch < closed_epochs_ || s.now() > cutoff(epoch)) return;  // late: discarded
  buffer_for(epoch).arrived[index] = 1;
}

void SensorWorld::close_epoch(sim::Simulator&, const sim::Event&) {
  const std::int64_t epoch = closed_epochs_;
  if (epoch >= scenario_.epochs()) return;
  EpochBuffer& buf = buffer_for(epoch);
  EpochTally& t = buf.tally;

  // What the oracle sees: the submissions that arrived in time, in the order they were taken.
  std::vector<Submission> arrived;
  std::vector<std::size_t> origin;
  for (std::size_t k = 0; k < buf.submissions.size(); ++k) {
    if (buf.arrived[k] == 0) continue;
    arrived.push_back(buf.submissions[k]);
    origin.push_back(k);
  }
  std::vector<Verdict> verdicts(arrived.size(), Verdict::accepted);
  sanity_.check(arrived, verdicts);
  t.unverified = consensus_.check(arrived, verdicts, scenario_.epoch * epoch, scenario_.epoch);

  // Scores and truth-based tallies, in a fixed order.
  std::vector<std::int64_t> score(sensors_.size(), 0);
  for (std::size_t k = 0; k < arrived.size(); ++k) {
    const Submission& sub = arrived[k];
    const auto b = static_cast<std::size_t>(sensors_.behaviour[sub.sensor]);
    ++t.arrived[b];
    switch (verdicts[k]) {
      case Verdict::accepted: {
        ++t.accepted[b];
        ++score[sub.sensor];
        const double err = sub.value_c - buf.truth_c[origin[k]];
        t.accepted_sq_error_sum += err * err;
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
        ++t.rejected_jump;
        break;
    }
  }

  // Rewards: mint the emission into the pool, split it pro rata to accepted readings.
  const auto emission = static_cast<Tokens>(scenario_.rewards.emission_per_epoch *
                                            static_cast<double>(kUnitsPerToken));
  ledger_.mint(pool_, emission);
  const ProRataSplit split = split_pro_rata(emission, score);
  for (std::size_t i = 0; i < sensors_.size(); ++i) {
    if (split.payouts[i] == 0) continue;
    ledger_.transfer(pool_, first_sensor_account_ + static_cast<Ledger::Account>(i),
                     split.payouts[i]);
    t.paid[static_cast<std::size_t>(sensors_.behaviour[i])] += split.payouts[i];
    accepted_total_[i] += score[i];
  }
  ledger_.transfer(pool_, treasury_, split.remainder);
  ledger_.check_conservation();
  t.minted = emission;
  t.undistributed = split.remainder;
  t.supply = ledger_.supply();

  metrics_.record(t);
  for (const auto& observer : observers_)
    observer(t);
  ++closed_epochs_;
  buf.reset(epoch + 2, static_cast<std::int64_t>(sensors_.size()));
}

void SensorWorld::run() {
  simulator_.run_until(scenario_.duration + scenario_.validation.cutoff_grace);
}

void SensorWorld::write(sim::Hdf5Writer& out) const {
  metrics_.recorder().write(out, "epochs");
  const std::size_t n = sensors_.size();
  std::vector<std::int64_t> id(n), group(n), hops(n), reward_units(n);
  std::vector<double> reward(n);
  std::vector<std::string> behaviour(n), kind(n, "sensor");
  for (std::size_t i = 0; i < n; ++i) {
    id[i] = static_cast<std::int64_t>(i);
    group[i] = sensors_.group[i];
    behaviour[i] = std::string(name_of(sensors_.behaviour[i]));
    const std::uint32_t h = network_->hops_to_sink(static_cast<std::uint32_t>(i));
    hops[i] = h == sim::Network::kNoRoute ? -1 : static_cast<std::int64_t>(h);
    reward[i] = to_tokens(ledger_.balance(first_sensor_account_ + static_cast<Ledger::Account>(i)));
  }
  out.write_series("nodes/id", std::span<const std::int64_t>(id), "1", "node id");
  out.write_strings("nodes/kind", kind, "node kind");
  out.write_strings("nodes/behaviour", behaviour, "behaviour the node follows (ground truth)");
  out.write_series("nodes/group", std::span<const std::int64_t>(group), "1",
                   "index of the population entry the node belongs to");
  out.write_series("nodes/x_km", std::span<const double>(sensors_.x_km), "km",
                   "east position where the node physically is (ground truth)");
  out.write_series("nodes/y_km", std::span<const double>(sensors_.y_km), "km",
                   "north position where the node physically is (ground truth)");
  out.write_series("nodes/claimed_x_km", std::span<const double>(sensors_.claimed_x_km), "km",
                   "east position the node claims");
  out.write_series("nodes/claimed_y_km", std::span<const double>(sensors_.claimed_y_km), "km",
                   "north position the node claims");
  std::vector<std::int64_t> op(sensors_.operator_id.begin(), sensors_.operator_id.end());
  out.write_series("nodes/operator", std::span<const std::int64_t>(op), "1",
                   "operator owning the node (a ring or a swarm is one operator)");
  std::vector<std::string> hardware(n);
  for (std::size_t i = 0; i < n; ++i)
    hardware[i] = sensors_.spec_of(i).hardware.name;
  out.write_strings("nodes/hardware", hardware, "hardware class");
  out.write_series("nodes/hops_to_oracle", std::span<const std::int64_t>(hops), "1",
                   "links on the route to the oracle, -1 when unreachable");
  out.write_series("nodes/readings_submitted", std::span<const std::int64_t>(submitted_total_), "1",
                   "readings the node sent over the run");
  out.write_series("nodes/readings_accepted", std::span<const std::int64_t>(accepted_total_), "1",
                   "readings of the node the oracle accepted over the run");
  out.write_series("nodes/reward_total", std::span<const double>(reward), "token",
                   "tokens the node earned over the run");
}

}  // namespace models
