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
  if (ledger_.recording_entries()) write_ledger(out);
}

void SensorWorld::write_ledger(sim::Hdf5Writer& out) const {
  const auto& entries = ledger_.entries();
  std::vector<std::int64_t> epoch, from, to;
  std::vector<double> amount;
  std::vector<std::string> kind;
  for (const Ledger::Entry& e : entries) {
    epoch.push_back(e.epoch);
    kind.emplace_back(to_string(e.kind));
    from.push_back(e.from == Ledger::kNoAccount ? -1 : static_cast<std::int64_t>(e.from));
    to.push_back(e.to == Ledger::kNoAccount ? -1 : static_cast<std::int64_t>(e.to));
    amount.push_back(to_tokens(e.amount));
  }
  using I64 = std::span<const std::int64_t>;
  out.write_series("ledger/epoch", I64(epoch), "1",
                   "epoch of the movement (the initial supply and stakes: 0)");
  out.write_strings("ledger/kind", kind,
                    "mint, burn, transfer, stake, unstake, slash, vest_lock or vest");
  out.write_series("ledger/from", I64(from), "1", "account debited; -1 for a mint");
  out.write_series("ledger/to", I64(to), "1", "account credited; -1 for a burn or a slash");
  out.write_series("ledger/amount", std::span<const double>(amount), "token", "tokens moved");
  std::vector<std::string> label, account_kind;
  for (Ledger::Account a = 0; a < ledger_.accounts(); ++a) {
    label.push_back(ledger_.label(a));
    account_kind.emplace_back(to_string(ledger_.kind(a)));
  }
  out.write_strings("ledger/accounts/label", label, "account name; ids are row numbers");
  out.write_strings("ledger/accounts/kind", account_kind,
                    "holder (circulating), protocol, stake or vesting");
}

}  // namespace models
