// SensorWorld's /nodes table: what each node is (ground truth included) and what it got.
#include <string>

#include "models/sensor_world.hpp"
#include "sim/hdf5_file.hpp"

namespace models {

void SensorWorld::write(sim::Hdf5Writer& out) const {
  metrics_.recorder().write(out, "epochs");
  const std::size_t n = sensors_.size();
  std::vector<std::int64_t> id(n), group(n), hops(n), op(n), flagged(n), joined(n), left(n);
  std::vector<double> reward(n);
  std::vector<std::string> behaviour(n), kind(n, "sensor"), hardware(n);
  for (std::size_t i = 0; i < n; ++i) {
    id[i] = static_cast<std::int64_t>(i);
    group[i] = sensors_.group[i];
    op[i] = sensors_.operator_id[i];
    flagged[i] = flagged_[i];
    joined[i] = joined_epoch_[sensors_.operator_id[i]];
    left[i] = left_epoch_[sensors_.operator_id[i]];
    behaviour[i] = std::string(name_of(sensors_.behaviour[i]));
    hardware[i] = sensors_.spec_of(i).hardware.name;
    const std::uint32_t h = network_->hops_to_sink(static_cast<std::uint32_t>(i));
    hops[i] = h == sim::Network::kNoRoute ? -1 : static_cast<std::int64_t>(h);
    reward[i] = to_tokens(reward_total_[i]);
  }
  using I64 = std::span<const std::int64_t>;
  using F64 = std::span<const double>;
  out.write_series("nodes/id", I64(id), "1", "node id");
  out.write_strings("nodes/kind", kind, "node kind");
  out.write_strings("nodes/behaviour", behaviour, "behaviour the node follows (ground truth)");
  out.write_strings("nodes/hardware", hardware, "hardware class");
  out.write_series("nodes/group", I64(group), "1",
                   "index of the population entry the node belongs to");
  out.write_series("nodes/operator", I64(op), "1",
                   "operator owning the node (a ring or a swarm is one operator)");
  out.write_series("nodes/x_km", F64(sensors_.x_km), "km",
                   "east position where the node physically is (ground truth)");
  out.write_series("nodes/y_km", F64(sensors_.y_km), "km",
                   "north position where the node physically is (ground truth)");
  out.write_series("nodes/claimed_x_km", F64(sensors_.claimed_x_km), "km",
                   "east position the node claims");
  out.write_series("nodes/claimed_y_km", F64(sensors_.claimed_y_km), "km",
                   "north position the node claims");
  out.write_series("nodes/hops_to_oracle", I64(hops), "1",
                   "links on the route to the oracle, -1 when unreachable");
  out.write_series("nodes/readings_submitted", I64(submitted_total_), "1",
                   "readings the node sent over the run");
  out.write_series("nodes/readings_accepted", I64(accepted_total_), "1",
                   "readings of the node the oracle accepted over the run");
  out.write_series("nodes/reward_total", F64(reward), "token",
                   "tokens the node earned over the run");
  out.write_series("nodes/reputation", F64(last_reputation_), "1",
                   "reputation at the end of the run (1 without a reputation system)");
  out.write_series("nodes/pol", F64(last_pol_), "1",
                   "proof-of-location score at the end of the run (1 without one)");
  out.write_series("nodes/flagged", I64(flagged), "1",
                   "1 when the node ended on the collusion denylist");
  out.write_series("nodes/joined_epoch", I64(joined), "1",
                   "first epoch the node ran in; -1 if it stayed in the reserve");
  out.write_series("nodes/left_epoch", I64(left), "1",
                   "last epoch the node ran in, when its operator left; -1 if it stayed");
}

}  // namespace models
