// SensorWorld's economic side of an epoch's close: operators' costs and payouts through the token
// economy, exits and entries, and the economy's measures in the epoch's tally.
#include <algorithm>
#include <limits>
#include <string>

#include "models/sensor_world.hpp"

namespace models {

void SensorWorld::settle(EpochTally& t, const EpochRewards& rewards, ProviderRound& round,
                         sim::Time now) {
  const std::int64_t e = t.epoch;
  const sim::Time start = scenario_.epoch * e;
  const double months = scenario_.epoch.to_days() * 12.0 / 365.0;
  // What each operator earned and spent: opex for its working nodes while in the network,
  // capex in its first epoch; a node newly on the denylist is proven fraud.
  std::vector<OperatorActivity>& activity = round.activity;  // the providers' part is in
  for (std::uint32_t op = 0; op < sensors_.operators; ++op) {
    if (joined_epoch_[op] < 0 || joined_epoch_[op] > e) continue;
    if (left_epoch_[op] >= 0 && left_epoch_[op] < e) continue;
    OperatorActivity& a = activity[op];
    for (std::uint32_t i : nodes_of_[op]) {
      const auto b = static_cast<std::size_t>(sensors_.behaviour[i]);
      const HardwareSpec& hw = sensors_.spec_of(i).hardware;
      a.payout += rewards.payouts[i];
      const double capex = joined_epoch_[op] == e ? device_share_[i] * hw.capex_usd : 0.0;
      const double opex =
          start < sensors_.fails_at[i] ? device_share_[i] * hw.opex_usd_per_month * months : 0.0;
      a.capex_usd += capex;
      a.opex_usd += opex;
      t.cost_usd[b] += capex + opex;
      a.caught = a.caught || (rewards.flagged[i] != 0 && was_flagged_[i] == 0);
    }
  }
  for (std::size_t i = 0; i < sensors_.size(); ++i)
    was_flagged_[i] = rewards.flagged[i];
  const std::vector<std::uint32_t> exits =
      economy_->close_epoch(activity, rewards.to_treasury + round.unpaid);
  t.undistributed += round.unpaid;
  t.providers_paid = round.paid;
  for (std::uint32_t op : exits) {
    if (op < sensors_.operators) sensors_.leave(op, now);
    providers_leave(op, now);
    left_epoch_[op] = e;
    t.nodes_left += static_cast<std::int64_t>(nodes_of_[op].size());
  }

  // Entry: new operators from the reserve, in its fixed order, while the expected return
  // attracts them (operators.max_growth_per_epoch caps the pace).
  std::int64_t active = 0;
  for (std::size_t i = 0; i < sensors_.size(); ++i)
    active += sensors_.member(i, now) ? 1 : 0;
  if (next_reserve_ < sensors_.reserve_operators.size()) {
    const std::uint32_t next = sensors_.reserve_operators[next_reserve_];
    const HardwareSpec& hw = sensors_.spec_of(nodes_of_[next].front()).hardware;
    std::int64_t wanted = economy_->entrants(hw.capex_usd, hw.opex_usd_per_month * 12.0, active);
    while (wanted > 0 && next_reserve_ < sensors_.reserve_operators.size()) {
      const std::uint32_t op = sensors_.reserve_operators[next_reserve_];
      const auto nodes = static_cast<std::int64_t>(nodes_of_[op].size());
      if (!economy_->join(op, nodes)) break;  // the market cannot sell it the stake
      ++next_reserve_;
      sensors_.join(op, now);
      joined_epoch_[op] = e + 1;
      t.nodes_joined += nodes;
      active += nodes;
      wanted -= nodes;
    }
  }
  t.sensors = active;
  ledger_.check_conservation();

  const EconomyTally& x = economy_->tally();
  t.economy = x;
  t.minted = to_units(x.minted);
  t.supply = ledger_.total_supply();
  for (std::size_t b = 0; b < kBehaviourCount; ++b)
    t.earned_usd[b] = to_tokens(t.paid[b]) * x.price_usd;
  std::int64_t accepted = 0;
  for (std::size_t b = 0; b < kBehaviourCount; ++b)
    accepted += t.accepted[b];
  Tokens paid = 0;
  for (std::size_t b = 0; b < kBehaviourCount; ++b)
    paid += t.paid[b];
  t.usd_per_accepted_reading =
      accepted > 0 ? to_tokens(paid) * x.price_usd / static_cast<double>(accepted) : 0.0;

  // Payback by hardware class: of the operators who ever joined, the share whose cash and
  // holdings have covered their costs, and how long that took them on average.
  const auto& classes = metrics_.layout().hardware_classes;
  t.payback_days.assign(classes.size(), 0.0);
  t.paid_back_share.assign(classes.size(), 0.0);
  std::vector<std::int64_t> joined(classes.size(), 0), paid_back(classes.size(), 0);
  for (std::uint32_t op = 0; op < sensors_.operators; ++op) {
    if (joined_epoch_[op] < 0 || joined_epoch_[op] > e || nodes_of_[op].empty()) continue;
    const std::string& name = sensors_.spec_of(nodes_of_[op].front()).hardware.name;
    const auto c =
        static_cast<std::size_t>(std::find(classes.begin(), classes.end(), name) - classes.begin());
    ++joined[c];
    const std::int64_t epochs = economy_->operators().account(op).payback_epochs;
    if (epochs < 0) continue;
    ++paid_back[c];
    t.payback_days[c] += static_cast<double>(epochs) * scenario_.epoch.to_days();
  }
  for (std::size_t c = 0; c < classes.size(); ++c) {
    t.payback_days[c] = paid_back[c] > 0 ? t.payback_days[c] / static_cast<double>(paid_back[c])
                                         : std::numeric_limits<double>::quiet_NaN();
    t.paid_back_share[c] =
        joined[c] > 0 ? static_cast<double>(paid_back[c]) / static_cast<double>(joined[c]) : 0.0;
  }
}

}  // namespace models
