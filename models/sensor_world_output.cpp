// SensorWorld's /nodes table: what each node is (ground truth included) and what it got.
#include <algorithm>
#include <limits>
#include <string>

#include "models/sensor_world.hpp"
#include "sim/hdf5_file.hpp"

namespace models {

void SensorWorld::write(sim::Hdf5Writer& out) const {
  metrics_.recorder().write(out, "epochs");
  if (storage_) storage_->recorder().write(out, "epochs");
  if (compute_) compute_->recorder().write(out, "epochs");
  // Sensors first, then storage providers, then compute providers: one row per node. Columns
  // of one kind hold NaN (or -1) on the other kinds' rows.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::size_t n = sensors_.size();
  std::vector<std::int64_t> group(n), hops(n), op(n), flagged(n), joined(n), left(n);
  std::vector<double> reward(n), x(sensors_.x_km), y(sensors_.y_km);
  std::vector<double> claimed_x(sensors_.claimed_x_km), claimed_y(sensors_.claimed_y_km);
  std::vector<double> reputation(last_reputation_), pol(last_pol_);
  std::vector<std::int64_t> submitted(submitted_total_), accepted(accepted_total_);
  std::vector<std::string> behaviour(n), kind(n, "sensor"), hardware(n);
  for (std::size_t i = 0; i < n; ++i) {
    group[i] = static_cast<std::int64_t>(scenario_.sensor_entry.empty()
                                             ? sensors_.group[i]
                                             : scenario_.sensor_entry.at(sensors_.group[i]));
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
  // Kind-specific columns of the providers, by name, NaN on every other row.
  std::vector<NodeColumn> extra;
  const auto append = [&](const NodeTable& t, std::string_view k,
                          const std::vector<std::uint32_t>& operator_of,
                          const std::vector<Tokens>& rewards,
                          const std::vector<std::size_t>& entry) {
    const std::size_t before = kind.size();
    const std::size_t m = operator_of.size();
    for (std::size_t i = 0; i < m; ++i) {
      kind.emplace_back(k);
      behaviour.push_back(t.behaviour.at(i));
      hardware.push_back(t.hardware.at(i));
      group.push_back(static_cast<std::int64_t>(entry.at(static_cast<std::size_t>(t.group.at(i)))));
      op.push_back(operator_of[i]);
      x.push_back(t.x_km.at(i));
      y.push_back(t.y_km.at(i));
      claimed_x.push_back(t.x_km.at(i));
      claimed_y.push_back(t.y_km.at(i));
      hops.push_back(-1);
      submitted.push_back(0);
      accepted.push_back(0);
      reward.push_back(to_tokens(rewards[i]));
      reputation.push_back(nan);
      pol.push_back(nan);
      flagged.push_back(0);
      joined.push_back(joined_epoch_[operator_of[i]]);
      left.push_back(left_epoch_[operator_of[i]]);
    }
    for (const NodeColumn& c : t.extra) {
      auto it = std::find_if(extra.begin(), extra.end(),
                             [&](const NodeColumn& e) { return e.name == c.name; });
      if (it == extra.end()) {
        extra.push_back(NodeColumn{c.name, c.units, c.description, {}});
        it = extra.end() - 1;
      }
      it->values.resize(before, nan);
      it->values.insert(it->values.end(), c.values.begin(), c.values.end());
    }
  };
  if (storage_) {
    append(storage_->nodes(), "storage", storage_operator_, storage_reward_,
           scenario_.storage_entry);
  }
  if (compute_) {
    append(compute_->nodes(), "compute", compute_operator_, compute_reward_,
           scenario_.compute_entry);
  }
  std::vector<std::int64_t> id(kind.size());
  for (std::size_t i = 0; i < id.size(); ++i)
    id[i] = static_cast<std::int64_t>(i);
  for (NodeColumn& c : extra)
    c.values.resize(kind.size(), nan);

  using I64 = std::span<const std::int64_t>;
  using F64 = std::span<const double>;
  out.write_series("nodes/id", I64(id), "1", "node id");
  out.write_strings("nodes/kind", kind, "node kind: sensor, storage or compute");
  out.write_strings("nodes/behaviour", behaviour, "behaviour the node follows (ground truth)");
  out.write_strings("nodes/hardware", hardware, "hardware class");
  out.write_series("nodes/group", I64(group), "1",
                   "index of the population entry the node belongs to");
  out.write_series("nodes/operator", I64(op), "1",
                   "operator owning the node (a ring or a swarm is one operator)");
  out.write_series("nodes/x_km", F64(x), "km",
                   "east position where the node physically is (ground truth)");
  out.write_series("nodes/y_km", F64(y), "km",
                   "north position where the node physically is (ground truth)");
  out.write_series("nodes/claimed_x_km", F64(claimed_x), "km", "east position the node claims");
  out.write_series("nodes/claimed_y_km", F64(claimed_y), "km", "north position the node claims");
  out.write_series("nodes/hops_to_oracle", I64(hops), "1",
                   "links on the route to the oracle, -1 when unreachable (or not a sensor)");
  out.write_series("nodes/readings_submitted", I64(submitted), "1",
                   "readings the node sent over the run");
  out.write_series("nodes/readings_accepted", I64(accepted), "1",
                   "readings of the node the oracle accepted over the run");
  out.write_series("nodes/reward_total", F64(reward), "token",
                   "tokens the node earned from the emission over the run");
  out.write_series("nodes/reputation", F64(reputation), "1",
                   "reputation at the end of the run (1 without a reputation system, NaN if not "
                   "a sensor)");
  out.write_series("nodes/pol", F64(pol), "1",
                   "proof-of-location score at the end of the run (1 without one, NaN if not a "
                   "sensor)");
  out.write_series("nodes/flagged", I64(flagged), "1",
                   "1 when the node ended on the collusion denylist");
  out.write_series("nodes/joined_epoch", I64(joined), "1",
                   "first epoch the node ran in; -1 if it stayed in the reserve");
  out.write_series("nodes/left_epoch", I64(left), "1",
                   "last epoch the node ran in, when its operator left; -1 if it stayed");
  for (const NodeColumn& c : extra)
    out.write_series("nodes/" + c.name, F64(c.values), c.units, c.description);
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
